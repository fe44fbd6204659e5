"""The ruff-like text report: one line per finding, then a summary.

`path:line:col: LC001 [error] message` (in a notebook `nb.ipynb:cell 3:5:9: ...`, the line within
the cell), the related locations indented below; with `show_source` the offending line and a
marker under it; with `statistics` one line per rule instead of the findings.
"""
from __future__ import annotations

from typing import Any

from loopcheck.finding import Finding, Related
from loopcheck.lazyre import lazy
from loopcheck.report.common import Result, Sources, counts, notebook_cells, statistics, strip_cell

_CELL_SUFFIX = lazy(r" \(notebook cell \d+, line \d+\)$")

_SEVERITY_COLORS = {"error": "red", "warning": "yellow"}


def render(
    result: Result,
    color: bool = False,
    quiet: bool = False,
    show_source: bool = False,
    sources: Sources | None = None,
    by_rule: bool = False,
) -> str:
    if by_rule:
        return render_statistics(result, color)
    sources = sources or Sources()
    lines: list[str] = []
    for finding in result.findings:
        location = f"{location_of(finding)}:"
        code = finding.code
        severity = f"[{finding.severity}]"
        if color:
            location = _style(location, bold=True)
            code = _style(code, fg=_SEVERITY_COLORS.get(finding.severity, "red"), bold=True)
            severity = _style(severity, fg=_SEVERITY_COLORS.get(finding.severity, "red"))
        lines.append(f"{location} {code} {severity} {strip_cell(finding)}")
        if show_source:
            lines.extend(_source(finding, sources, color))
        if not quiet:
            for related in finding.related:
                lines.append(f"    {related_location(finding, related)}: {_strip_where(related.note)}")
    if not quiet:
        lines.append(summary(result))
    return "\n".join(lines)


def _style(text: str, **styles: Any) -> str:
    import click  # only for colour: a plain run does not import click (`loopcheck.entry`)

    return click.style(text, **styles)


def location_of(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:{finding.cell_line}:{finding.column}"
    return f"{finding.path}:{finding.line}:{finding.column}"


def related_location(finding: Finding, related: Related) -> str:
    """`path:line:col`, in the finding's own notebook `path:cell N:line:col`."""
    if related.path is None and finding.cell is not None:
        cells = notebook_cells(finding.path)
        if 0 < related.line <= len(cells):
            cell, within = cells[related.line - 1]
            return f"{finding.path}:cell {cell}:{within}:{related.column}"
    return f"{related.path or finding.path}:{related.line}:{related.column}"


def _strip_where(note: str) -> str:
    return _CELL_SUFFIX.sub("", note)


def _source(finding: Finding, sources: Sources, color: bool) -> list[str]:
    text = sources.line(finding.path, finding.line)
    if text is None:
        return []
    text = text.replace("\t", " ")  # columns count characters: one space per tab keeps the marker under them
    number = str(finding.cell_line if finding.cell_line is not None else finding.line)
    start = max(finding.column - 1, 0)
    end = finding.end_column - 1 if finding.end_line == finding.line else len(text.rstrip())
    marker = " " * start + "^" * max(end - start, 1)
    if color:
        marker = _style(marker, fg=_SEVERITY_COLORS.get(finding.severity, "red"), bold=True)
    pad = " " * len(number)
    return [f"  {number} | {text.rstrip()}", f"  {pad} | {marker}"]


def render_statistics(result: Result, color: bool = False) -> str:
    rows = statistics(result.findings)
    width = max((len(str(row["count"])) for row in rows), default=1)
    name_width = max((len(row["name"]) for row in rows), default=0)
    lines = []
    for row in rows:
        code = _style(row["code"], fg=_SEVERITY_COLORS.get(row["severity"], "red"), bold=True) if color else row["code"]
        lines.append(f"{row['count']:>{width}}  {code}  {row['name']:<{name_width}}  [{row['severity']}]".rstrip())
    lines.append(summary(result))
    return "\n".join(lines)


def summary(result: Result) -> str:
    files = _plural(result.files_checked, "file")
    failed_files = len({error.path for error in result.errors if error.kind != "no-files"})
    failed = f"; {failed_files} could not be analysed" if failed_files else ""
    if not result.files_checked and not failed_files and result.errors:
        return "No Python files found: nothing was checked."
    if not result.findings:
        # "All checks passed" would be untrue when some files could not be checked at all.
        verdict = "No findings" if result.errors else "All checks passed"
        return f"{verdict} ({files} checked{failed})."
    errors, warnings = counts(result.findings)
    with_findings = len({f.path for f in result.findings})
    where = _plural(with_findings, "file") if with_findings == result.files_checked else f"{with_findings} of {files} checked"
    return (
        f"Found {_plural(len(result.findings), 'finding')} "
        f"({_plural(errors, 'error')}, {_plural(warnings, 'warning')}) in {where}{failed}."
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"
