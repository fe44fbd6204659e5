"""Jupyter notebooks as Python source: code cells joined in order, one line map back to the cells.

IPython magics (`%time`, `!pip`, `%%bash` cells) become `pass`, not removed, so that line numbers
of the joined source stay one-to-one with the cells' own lines.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

# `%time x`, `!pip install`, `?obj`, and `files = !ls` (a shell command's output assigned)
_MAGIC = re.compile(r"[%!?]|[\w, ]+=\s*[!%]")


class NotNotebook(ValueError):
    """The file is not a notebook loopcheck can read; the message says why."""


@dataclass(frozen=True)
class NotebookSource:
    source: str
    cells: tuple[tuple[int, int], ...]
    """For each line of `source` (index 0 = line 1): (cell number from 1, line within the cell from 1)."""

    def where(self, line: int) -> str:
        if 1 <= line <= len(self.cells):
            cell, within = self.cells[line - 1]
            return f"notebook cell {cell}, line {within}"
        return "notebook"


def notebook_source(text: str) -> NotebookSource:
    try:
        document = json.loads(text)
        cells = document["cells"]
    except (ValueError, KeyError, TypeError) as error:
        raise NotNotebook(f"not a valid notebook ({type(error).__name__}: {error})") from None
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        raw = cell.get("source", "")
        body = "".join(raw) if isinstance(raw, list) else str(raw)
        cell_lines = body.splitlines()
        magic_cell = bool(cell_lines) and cell_lines[0].lstrip().startswith("%%")
        continued = False
        for within, line in enumerate(cell_lines, start=1):
            stripped = line.lstrip()
            if magic_cell or continued:
                python = ""  # a %%writefile or %%bash cell, or the next line of a `!pip install \`
            elif _MAGIC.match(stripped) or stripped.endswith("?"):
                # `pass` at the magic's indentation keeps a block that held only the magic valid
                python = line[: len(line) - len(stripped)] + "pass"
            else:
                python = line
            continued = python is not line and stripped.endswith("\\")
            lines.append(python)
            where.append((number, within))
    return NotebookSource("\n".join(lines) + "\n", tuple(where))
