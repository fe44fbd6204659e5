"""Findings are data: what a rule reports, independent of how it is printed.

Reporters format them; the engine sorts them by (path, line, column, code).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Related:
    """The other end of a finding: the `backward()` of an ordering bug, where a scheduler is built."""

    line: int
    column: int
    note: str
    path: str | None = None
    """The file, when it is not the finding's own (a helper in another file of the project)."""


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: str
    message: str
    related: tuple[Related, ...] = field(default=())

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "related": [
                {"path": r.path or self.path, "line": r.line, "column": r.column, "note": r.note}
                for r in self.related
            ],
        }


@dataclass(frozen=True)
class FileError:
    """A file that could not be analysed, or a rule that crashed on one file."""

    path: str
    reason: str
