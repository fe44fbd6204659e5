"""Jupyter notebooks as Python source: code cells joined in order, one line map back to the cells.

IPython syntax becomes `pass` (at the same indentation) or a blank line, never removed, so that the
joined source keeps one line per cell line. It is recognised only where IPython recognises it: at
the start of a logical line (not inside brackets or a string, not after a backslash continuation)
that starts with `%`, `!`, `?` (or IPython's other escapes `,` `;` `/`), assigns a magic's or a
shell command's output (`files = !ls`), or ends with a `?` outside strings and comments (`obj?`).
Such a line continued by a trailing backslash takes its next lines with it; a cell whose first line
is a `%%` cell magic is blanked whole, but for `%%time`, `%%capture` and `%%prun`, which run the rest
of the cell as Python (only their own line is blanked). Cells split only at "\\n", "\\r\\n" and "\\r", as Python does.
"""
from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass, field

from loopcheck.lazyre import lazy

# At the start of a logical line: `%time x`, `!pip install`, `?obj`, `files = !ls`, `t = %timeit -o f()`
_MAGIC = lazy(r"[%!?,;/]|[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[!%]")
_LINE_BREAK = lazy(r"\r\n|\r|\n")
_WORD = lazy(r"\w+")
_STRING_PREFIXES = {"r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"}
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


class NotNotebook(ValueError):
    """The file is not a notebook loopcheck can read; the message says why."""


@dataclass(frozen=True)
class NotebookSource:
    source: str
    cells: tuple[tuple[int, int], ...]
    """For each line of `source` (index 0 = line 1): (cell number from 1, line within the cell from 1)."""
    skipped: tuple[str, ...] = ()
    """What was left out, for the user: a cell that is no valid Python (Jupyter fails it alone and
    runs the others), or the whole notebook when its kernel is not Python."""
    names_out_of_sight: bool = False
    """A line magic brings names from elsewhere (`%run helper.py`, `%store -r data`)."""
    ipython: tuple[str, ...] = ()
    """The lines of IPython syntax made `pass` or blank, as written (`%time train(model)` calls `train`)."""

    def where(self, line: int) -> str:
        if 1 <= line <= len(self.cells):
            cell, within = self.cells[line - 1]
            return f"notebook cell {cell}, line {within}"
        return "notebook"


@dataclass
class _Frame:
    kind: str  # "code" (the cell, or an f-string's `{field}`), "string", or "spec" (a field's `:format`)
    quote: str = ""
    raw: bool = False
    formatted: bool = False  # an f- or t-string: `{` opens a field
    depth: int = 0  # brackets open in this code frame


@dataclass
class _Scanner:
    """Python's lexical state between physical lines: open brackets, strings (f-strings nested), `\\`."""

    stack: list[_Frame] = field(default_factory=lambda: [_Frame("code")])
    continued: bool = False

    @property
    def at_logical_start(self) -> bool:
        return len(self.stack) == 1 and self.stack[0].depth == 0 and not self.continued

    def feed(self, line: str) -> str:
        """Scan one physical line; return the last character of cell-level code on it ('' if none)."""
        stack, last, i, escaped_break = self.stack, "", 0, False
        self.continued = False
        while i < len(line):
            top, char = stack[-1], line[i]
            if top.kind == "string":
                if char == "\\":
                    if top.formatted and line[i + 1 : i + 2] in ("{", "}"):
                        i += 1  # `\{` still opens a field
                    elif top.formatted and not top.raw and line.startswith("N{", i + 1):
                        i = line.find("}", i) + 1 or len(line)  # `\N{NAME}` is no field
                    else:
                        escaped_break, i = i + 1 == len(line), i + 2
                elif line.startswith(top.quote, i):
                    stack.pop()
                    i += len(top.quote)
                    last = top.quote if len(stack) == 1 else last
                elif top.formatted and char in "{}":
                    doubled = line.startswith(char * 2, i)  # `{{` and `}}` are text
                    if char == "{" and not doubled:
                        stack.append(_Frame("code"))
                    i += 2 if doubled else 1
                else:
                    i += 1
                continue
            if top.kind == "spec":
                if char == "{":
                    stack.append(_Frame("code"))
                elif char == "}":
                    del stack[-2:]  # the spec and its field
                i += 1
                continue
            if char == "#":
                break
            if char == "\\" and i + 1 == len(line):
                self.continued = True
                break
            prefix = ""
            word = _WORD.match(line, i)
            if word:
                i = word.end()
                if line[i : i + 1] not in ("'", '"') or word.group().lower() not in _STRING_PREFIXES:
                    last = "a" if len(stack) == 1 else last
                    continue
                prefix, char = word.group().lower(), line[i]
            if char in "'\"":
                quote = char * 3 if line.startswith(char * 3, i) else char
                stack.append(_Frame("string", quote, "r" in prefix, "f" in prefix or "t" in prefix))
                i += len(quote)
                continue
            if char in "([{":
                top.depth += 1
            elif char in ")]}" and top.depth:
                top.depth -= 1
            elif char == "}" and len(stack) > 1:
                stack.pop()  # the end of an f-string's field
            elif char == ":" and len(stack) > 1 and top.depth == 0:
                stack.append(_Frame("spec"))
            if len(stack) == 1 and not char.isspace():
                last = char
            i += 1
        strings = [n for n, frame in enumerate(stack) if frame.kind == "string"]
        if strings and len(stack[strings[-1]].quote) == 1 and stack[-1].kind != "code" and not escaped_break:
            del stack[strings[-1] :]  # a one-line string left open: Python's error, not ours to carry on
        return last


_PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun"})
"""Cell magics that run the cell's body as Python in the notebook's namespace (its names stay)."""


def _pass(line: str) -> str:
    """`pass` at the line's indentation keeps a block that held only IPython syntax valid."""
    return line[: len(line) - len(line.lstrip())] + "pass"


def _python_lines(lines: list[str]) -> list[str]:
    """The cell's lines with IPython syntax made `pass` or blank, one for one."""
    at = next((index for index, line in enumerate(lines) if line.strip()), None)
    first = lines[at].lstrip() if at is not None else ""
    if first.startswith("%%"):
        if first[2:].split(maxsplit=1)[:1] and first[2:].split(maxsplit=1)[0] in _PYTHON_CELL_MAGICS:
            # `%%time`, `%%capture out`: the magic runs the rest of the cell as Python
            return [""] * (at + 1) + _python_lines(lines[at + 1 :])  # type: ignore[operator]
        return [""] * len(lines)  # a %%bash, %%writefile or %%html cell
    python: list[str] = []
    scanner, start, last, magic_continues = _Scanner(), 0, "", False
    for index, line in enumerate(lines):
        if magic_continues:  # the next line of a `!pip install \`
            python.append("")
            magic_continues = line.endswith("\\")
            continue
        if scanner.at_logical_start:
            start, last = index, ""
            if _MAGIC.match(line.lstrip()):
                python.append(_pass(line))
                magic_continues = line.endswith("\\")
                continue
        python.append(line)
        last = scanner.feed(line) or last
        if scanner.at_logical_start and last == "?":  # `obj?`, `obj??`: a help request
            python[start:] = [_pass(lines[start])] + [""] * (index - start)
    return python


_NAMES_MAGIC = lazy(r"\s*%(?:run|store|load|loadpy|pylab)\b")
"""Line magics that bring names into the notebook from elsewhere."""
_PERCENT_CELL = lazy(r"^#\s*%%", re.MULTILINE)
_MAGIC_LINE = lazy(r"^[ \t]*[%!]", re.MULTILINE)


def percent_script_source(text: str) -> str | None:
    """A `.py` script in the percent format of VS Code and Jupytext (`# %%` cell markers) that holds
    IPython syntax (`%matplotlib inline`, `!pip install x`): its text with that syntax made `pass` or
    blank, line for line, as in a notebook's cells; None for any other script (left as it is)."""
    if not _PERCENT_CELL.search(text) or not _MAGIC_LINE.search(text):
        return None
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    cell: list[str] = []

    def flush() -> None:
        ends = [line[len(line.rstrip("\r\n")):] for line in cell]
        python = _python_lines([line.rstrip("\r\n") for line in cell])
        out.extend(code + end for code, end in zip(python, ends))
        cell.clear()

    for line in lines:
        if _PERCENT_CELL.match(line):
            flush()
            out.append(line)
        else:
            cell.append(line)
    flush()
    return "".join(out)


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def notebook_source(text: str) -> NotebookSource:
    """The notebook's code cells as one Python source; raises NotNotebook when `text` is not one."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise NotNotebook(f"not a valid notebook ({type(error).__name__}: {error})") from None
    except RecursionError:
        raise NotNotebook("not a valid notebook (its JSON is nested too deeply)") from None
    if not isinstance(document, dict):
        raise NotNotebook(f"not a valid notebook (the document is {_json_type(document)}, not an object)")
    if "cells" not in document:
        raise NotNotebook("not a valid notebook (no 'cells')")
    cells = document["cells"]
    if not isinstance(cells, list):
        raise NotNotebook(f"not a valid notebook ('cells' is {_json_type(cells)}, not a list)")
    language = _kernel_language(document)
    if language is not None and language != "python":
        return NotebookSource("", (), (f"a {language} notebook, not Python: nothing to check",))
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    skipped: list[str] = []
    ipython: list[str] = []
    out_of_sight = False
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise NotNotebook(f"not a valid notebook (cell {number} is {_json_type(cell)}, not an object)")
        if cell.get("cell_type") != "code":
            continue
        raw = cell.get("source", "")
        if isinstance(raw, list) and all(isinstance(part, str) for part in raw):
            raw = "".join(raw)
        if not isinstance(raw, str):
            kind = "an array holding other things" if isinstance(raw, list) else _json_type(raw)
            raise NotNotebook(f"not a valid notebook (cell {number} 'source' is {kind}, not a string or a list of strings)")
        cell_lines = _LINE_BREAK.split(raw)
        if cell_lines[-1] == "":
            cell_lines.pop()  # the break that ends the last line starts no new one
        python = _python_lines(cell_lines)
        out_of_sight = out_of_sight or any(_NAMES_MAGIC.match(line) for line in cell_lines)
        ipython.extend(written for written, kept in zip(cell_lines, python) if written != kept)
        problem = _syntax_error(python)
        if problem is not None:
            skipped.append(f"notebook cell {number} is no valid Python ({problem}); left out, as Jupyter runs the others")
            python = [""] * len(python)
        lines.extend(python)
        where.extend((number, within) for within in range(1, len(cell_lines) + 1))
    return NotebookSource("\n".join(lines) + "\n", tuple(where), tuple(skipped), out_of_sight, tuple(ipython))


def _syntax_error(lines: list[str]) -> str | None:
    """CPython's complaint about one cell on its own (top-level `await` allowed, as in IPython);
    None when it compiles or is nested too deeply to tell here (the file's parse reports that)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
            compile("\n".join(lines), "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    except (RecursionError, MemoryError, ValueError):
        return None
    return None


def _kernel_language(document: dict) -> str | None:  # type: ignore[type-arg]
    """The notebook's language as its metadata names it (None when it does not say)."""
    metadata = document.get("metadata", {})
    if not isinstance(metadata, dict):
        return None
    for section, key in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(section, {}).get(key) if isinstance(metadata.get(section), dict) else None
        if isinstance(value, str) and value:
            return value.lower()
    return None


def raw_positions(text: str) -> dict[int, list[int]]:
    """For each cell (numbered from 1, as `NotebookSource.cells` numbers them), the line of the
    notebook file itself on which each of its source lines is written: where an editor, a pull
    request annotation or a SARIF viewer lands in the `.ipynb`. Empty when the text is no notebook."""
    import bisect
    from json.decoder import scanstring  # type: ignore[attr-defined]

    breaks = [match.start() for match in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    parts: dict[int, list[tuple[str, int]]] = {}  # cell -> (source piece, file line of its start)

    def line_of(offset: int) -> int:
        return bisect.bisect_left(breaks, offset) + 1

    def skip(at: int) -> int:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        return at

    def value(at: int, path: tuple[object, ...]) -> int:
        at = skip(at)
        char = text[at]
        if char in "{[":
            close, index, at = ("}" if char == "{" else "]"), 0, skip(at + 1)
            if text[at] == close:
                return at + 1
            while True:
                key: object = index
                if char == "{":
                    key, at = scanstring(text, skip(at) + 1)
                    at = skip(at) + 1  # the colon
                at = skip(value(at, (*path, key)))
                index += 1
                if text[at] == ",":
                    at += 1
                    continue
                return at + 1
        if char == '"':
            string, end = scanstring(text, at + 1)
            if len(path) >= 3 and path[0] == "cells" and path[2] == "source" and isinstance(path[1], int):
                parts.setdefault(path[1] + 1, []).append((string, line_of(at)))
            return end
        return decoder.raw_decode(text, at)[1]

    try:
        value(0, ())
    except (ValueError, IndexError, RecursionError):
        return {}
    positions: dict[int, list[int]] = {}
    for cell, pieces in parts.items():
        joined = "".join(piece for piece, _ in pieces)
        starts = [0, *(m.end() for m in _LINE_BREAK.finditer(joined) if m.end() < len(joined))]
        offsets, total = [], 0
        for piece, _ in pieces:
            offsets.append(total)
            total += len(piece)
        positions[cell] = [pieces[bisect.bisect_right(offsets, start) - 1][1] for start in starts] if joined else []
    return positions
