"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request, each
file that could not be analysed an error annotation. A notebook finding points at the line of the
`.ipynb` that holds the source line, and its title names the cell."""
from __future__ import annotations

from loopcheck.report.common import Result, file_line, strip_cell


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render(result: Result) -> str:
    lines = []
    for f in result.findings:
        level = "error" if f.severity == "error" else "warning"
        title = f"{f.code} {f.name}"
        if f.cell is not None:
            line = file_line(f)
            title += f" (cell {f.cell}, line {f.cell_line})"
            position = (f"line={line}", f"col={f.column}")
        else:
            position = (f"line={f.line}", f"col={f.column}", f"endLine={f.end_line}", f"endColumn={f.end_column}")
        properties = ",".join((f"file={_escape(f.path, True)}", *position, f"title={_escape(title, True)}"))
        lines.append(f"::{level} {properties}::{_escape(strip_cell(f))}")
    for e in result.errors:
        lines.append(f"::error file={_escape(e.path, True)},title={_escape('loopcheck: not analysed', True)}::{_escape(e.reason)}")
    return "\n".join(lines)
