"""What several reporters share: counts, notebook positions in the `.ipynb` file, source lines."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any, Protocol, Sequence

from loopcheck.finding import FileError, Finding


class Result(Protocol):
    """A run's outcome as reporters read it (`engine.LintResult`, `api.CheckResult`)."""

    findings: list[Finding]
    errors: list[FileError]
    notes: list[FileError]
    files_checked: int


def strip_cell(finding: Finding) -> str:
    """The message without the `(notebook cell 3, line 5)` the engine appends, for reports that
    give the cell in the location."""
    if finding.cell is None:
        return finding.message
    suffix = f" (notebook cell {finding.cell}, line {finding.cell_line})"
    return finding.message[: -len(suffix)] if finding.message.endswith(suffix) else finding.message


def file_line(finding: Finding) -> int:
    """The line of the file itself: for a notebook, the line of the `.ipynb` that holds the source
    line (its JSON), so that an annotation lands in the notebook; else `finding.line`."""
    if finding.cell is None or finding.cell_line is None:
        return finding.line
    return _raw_line(finding.path, finding.cell, finding.cell_line)


def notebook_file_line(path: str, line: int) -> int:
    """The line of a notebook file that holds line `line` of its joined code cells (1 when it
    cannot be told); `line` itself for other files."""
    if not path.endswith(".ipynb"):
        return line
    cells = _cells(path)
    if not 0 < line <= len(cells):
        return 1
    return _raw_line(path, *cells[line - 1])


def _raw_line(path: str, cell: int, cell_line: int) -> int:
    lines = _raw_positions(path).get(cell, [])
    return lines[cell_line - 1] if 0 < cell_line <= len(lines) else 1


def notebook_cells(path: str) -> tuple[tuple[int, int], ...]:
    """(cell, line within it) for each line of a notebook's joined code cells."""
    return _cells(path)


@lru_cache(maxsize=64)
def _cells(path: str) -> tuple[tuple[int, int], ...]:
    from loopcheck.source import UnreadableFile, load

    try:
        notebook = load(path).notebook
    except (UnreadableFile, OSError):
        return ()
    return notebook.cells if notebook is not None else ()


@lru_cache(maxsize=64)
def _raw_positions(path: str) -> dict[int, list[int]]:
    from loopcheck.notebook import raw_positions
    from loopcheck.source import UnreadableFile, read_source

    try:
        return raw_positions(read_source(path))
    except (UnreadableFile, OSError):
        return {}


class Sources:
    """Source lines for `--show-source`: read from the files (a notebook as its joined code
    cells, the lines findings count), or from texts given (stdin)."""

    def __init__(self, texts: dict[str, str] | None = None) -> None:
        self._lines: dict[str, list[str]] = {path: _split(text, path) for path, text in (texts or {}).items()}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._lines:
            from loopcheck.source import UnreadableFile, load

            try:
                self._lines[path] = load(path).text.splitlines() if os.path.isfile(path) else []
            except (UnreadableFile, OSError):
                self._lines[path] = []
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


def _split(text: str, path: str) -> list[str]:
    if path.endswith(".ipynb"):
        from loopcheck.notebook import NotNotebook, notebook_source

        try:
            text = notebook_source(text).source
        except NotNotebook:
            return []
    return re.split(r"\r\n|\r|\n", text)


def counts(findings: Sequence[Finding]) -> tuple[int, int]:
    """(errors, warnings) among the findings."""
    errors = sum(1 for f in findings if f.severity == "error")
    return errors, len(findings) - errors


def statistics(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """One row per rule with findings: code, name, severity, count; most frequent first."""
    rows: dict[str, dict[str, Any]] = {}
    for f in findings:
        row = rows.setdefault(f.code, {"code": f.code, "name": f.name, "severity": f.severity, "count": 0})
        row["count"] += 1
    return sorted(rows.values(), key=lambda row: (-row["count"], row["code"]))
