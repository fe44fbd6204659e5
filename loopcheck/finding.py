"""Findings are data: what a rule reports, independent of how it is printed.

Reporters format them; the engine sorts them by (path, line, column, code).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from loopcheck.records import OrderedValue, Value, _set

# The classes here are frozen data classes whose __init__ is written out (`loopcheck.records`).


@dataclass(init=False, repr=False, eq=False)
class Related(OrderedValue):
    """The other end of a finding: the `backward()` of an ordering bug, where a scheduler is built."""

    line: int
    column: int
    note: str
    path: str | None = None
    """The file, when it is not the finding's own (a helper in another file of the project)."""

    def __init__(self, line: int, column: int, note: str, path: str | None = None) -> None:
        _set(self, "line", line)
        _set(self, "column", column)
        _set(self, "note", note)
        _set(self, "path", path)


@dataclass(init=False, repr=False, eq=False)
class Finding(Value):
    """One reported bug: where it is, which rule, and what to tell the user."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: str
    message: str
    related: tuple[Related, ...] = ()
    cell: int | None = None
    """In a notebook: the cell (counting every cell from 1) that holds `line`."""
    cell_line: int | None = None
    """In a notebook: the line within `cell`; `line` counts the code cells' lines joined."""
    through: tuple[Related, ...] = field(default=(), compare=False, repr=False)
    """Not shown: for a finding at a call that leads into other functions, the calls on the way to
    the code it is about (an evaluation pass's model call), after the finding's own (`one_per_bug`)."""

    def __init__(
        self, path: str, line: int, column: int, end_line: int, end_column: int, code: str, name: str,
        severity: str, message: str, related: tuple[Related, ...] = (), cell: int | None = None,
        cell_line: int | None = None, through: tuple[Related, ...] = (),
    ) -> None:
        _set(self, "path", path)
        _set(self, "line", line)
        _set(self, "column", column)
        _set(self, "end_line", end_line)
        _set(self, "end_column", end_column)
        _set(self, "code", code)
        _set(self, "name", name)
        _set(self, "severity", severity)
        _set(self, "message", message)
        _set(self, "related", related)
        _set(self, "cell", cell)
        _set(self, "cell_line", cell_line)
        _set(self, "through", through)

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


@dataclass(init=False, repr=False, eq=False)
class FileError(Value):
    """A file that could not be analysed, or a rule that crashed on one file."""

    path: str
    reason: str
    line: int | None = None
    """The line it is about, when it is about one (a malformed `# noqa`)."""
    kind: str = ""
    """"" for a file error or a plain note; "noqa" for a malformed directive, "unused-noqa"."""

    def __init__(self, path: str, reason: str, line: int | None = None, kind: str = "") -> None:
        _set(self, "path", path)
        _set(self, "reason", reason)
        _set(self, "line", line)
        _set(self, "kind", kind)


PASS_ELSEWHERE = "the model call of the pass"
PASS_LOOP_ELSEWHERE = "the model call of the pass, in the loop over data that this call runs"
"""The related note when the pass's model call sits in a loop over data of the function this call
enters (`for c in self.users: c.test()`, `User.test` looping over its test loader): the calls that
enter that loop are one bug."""
"""The related note of a finding reported at a call that enters a pass in another file."""


def one_per_bug(findings: list[Finding]) -> list[Finding]:
    """A bug that spans two files of the run is seen from both ends: an evaluation pass in a helper
    file, and each call in another file that enters it (its related location, noted
    PASS_ELSEWHERE or PASS_LOOP_ELSEWHERE, is the pass). When the pass's own finding is in the run,
    the finding at the call is dropped; a run given only the caller's file still reports it there.
    When it is not (the helper's file cannot see who calls it: `for user in self.users:
    user.test()` in a base class whose subclasses fill the list), the calls that enter the same
    loop over data (PASS_LOOP_ELSEWHERE) are still one bug: the first of them (path, line, column)
    is kept. Calls that only share a helper's forward (PASS_ELSEWHERE: `pack_input(x, net.emb)` in
    two scripts' own test loops) are passes of their own. A finding whose way to its model call
    goes through a call where the run reports the same rule (`evaluate(model, data)` in a script,
    `model.predict(x)` in `utils.evaluate` reaching the same forward) is that finding seen from a
    caller: the one nearest the pass is kept."""
    import os.path

    def where(path: str, line: int, column: int) -> tuple[str, int, int]:
        return (os.path.realpath(path), line, column)

    def passes(finding: Finding, notes: tuple[str, ...]) -> list[tuple[str, str, int, int]]:
        return [(finding.code, *where(r.path, r.line, r.column)) for r in finding.related if r.note in notes and r.path is not None]

    at = {(f.code, *where(f.path, f.line, f.column)) for f in findings}
    kept: list[Finding] = []
    seen: set[tuple[str, str, int, int]] = set()
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if any(key in at for key in passes(finding, (PASS_ELSEWHERE, PASS_LOOP_ELSEWHERE))):
            continue
        if any((finding.code, *where(r.path or finding.path, r.line, r.column)) in at for r in finding.through):
            continue
        loops = passes(finding, (PASS_LOOP_ELSEWHERE,))
        if loops and all(key in seen for key in loops):
            continue
        seen.update(loops)
        kept.append(finding)
    return kept
