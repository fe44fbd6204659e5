"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""
from __future__ import annotations

from loopcheck.engine import LintResult


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render(result: LintResult) -> str:
    lines = []
    for f in result.findings:
        level = "error" if f.severity == "error" else "warning"
        properties = ",".join(
            (
                f"file={_escape(f.path, True)}",
                f"line={f.line}",
                f"col={f.column}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_column}",
                f"title={_escape(f'{f.code} {f.name}', True)}",
            )
        )
        lines.append(f"::{level} {properties}::{_escape(f.message)}")
    return "\n".join(lines)
