"""The flake8 plugin: `flake8` reports loopcheck's findings as `LC001 ...` (installed with
loopcheck; the entry point is `LC` in `flake8.extension`).

A thin adapter over `loopcheck.check(source=..., filename=...)`: settings come from the file's
`[tool.loopcheck]` as for the `loopcheck` command; flake8's own `--select`/`--extend-ignore` and
`# noqa` apply on top. Each file is analysed on its own (the loopcheck command also reads the
project's other files for what the checked file uses of them).
"""
from __future__ import annotations

import ast
from typing import Iterator, Sequence

from loopcheck import __version__


class LoopcheckChecker:
    name = "loopcheck"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from loopcheck.api import check

        filename = self.filename if self.filename not in ("stdin", "-") else "stdin.py"
        for finding in check(source="".join(self.lines), filename=filename):
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)
