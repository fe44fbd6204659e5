"""The ruff-like text report: one line per finding, then a summary.

`path:line:col: LC001 [error] message`, with the related locations indented below.
"""
from __future__ import annotations

import click

from loopcheck.engine import LintResult

_SEVERITY_COLORS = {"error": "red", "warning": "yellow"}


def render(result: LintResult, color: bool = False, quiet: bool = False) -> str:
    lines: list[str] = []
    for finding in result.findings:
        location = f"{finding.path}:{finding.line}:{finding.column}:"
        code = finding.code
        severity = f"[{finding.severity}]"
        if color:
            location = click.style(location, bold=True)
            code = click.style(code, fg=_SEVERITY_COLORS.get(finding.severity, "red"), bold=True)
            severity = click.style(severity, fg=_SEVERITY_COLORS.get(finding.severity, "red"))
        lines.append(f"{location} {code} {severity} {finding.message}")
        if not quiet:
            for related in finding.related:
                lines.append(f"    {related.path or finding.path}:{related.line}:{related.column}: {related.note}")
    if not quiet:
        lines.append(summary(result))
    return "\n".join(lines)


def summary(result: LintResult) -> str:
    files = f"{result.files_checked} file{'s' if result.files_checked != 1 else ''}"
    failed_files = len({error.path for error in result.errors})
    failed = f"; {failed_files} could not be analysed" if result.errors else ""
    if not result.findings:
        # "All checks passed" would be untrue when some files could not be checked at all.
        verdict = "No findings" if result.errors else "All checks passed"
        return f"{verdict} ({files} checked{failed})."
    errors = sum(1 for f in result.findings if f.severity == "error")
    warnings = len(result.findings) - errors
    count = len(result.findings)
    return (
        f"Found {count} finding{'s' if count != 1 else ''} "
        f"({errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}) "
        f"in {files}{failed}."
    )
