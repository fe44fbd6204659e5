"""Reading and parsing one file: its text (notebooks as their joined code cells), one libcst parse.

Shared by the engine (files it reports on) and the project layer (files it reads for summaries);
every problem becomes an UnreadableFile whose message a user can act on.
"""
from __future__ import annotations

import ast
import io
import os
import re
import stat
import sys
import threading
import tokenize
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.records import Value, _set

if TYPE_CHECKING:
    from loopcheck.notebook import NotebookSource

RECURSION_LIMIT = 10_000
"""Frames beyond the current depth for the analysis: libcst's and the model's tree walks take up to
three per level of a tree MAX_NESTING deep (a 2,900-term sum, a 2,900-deep `x if c else` chain)."""
MAX_FILE_BYTES = 10 * 1024 * 1024


class UnreadableFile(Exception):
    """A file loopcheck cannot analyse; the message says why, for the user."""


@dataclass(init=False, repr=False, eq=False)
class Source(Value):
    """A file's Python text; for a notebook, its code cells joined and the map back to the cells.
    (A frozen data class whose __init__ is written out: `loopcheck.records`.)"""

    path: str
    text: str
    notebook: NotebookSource | None = None

    def __init__(self, path: str, text: str, notebook: NotebookSource | None = None) -> None:
        _set(self, "path", path)
        _set(self, "text", text)
        _set(self, "notebook", notebook)

    def where(self, line: int) -> str | None:
        return self.notebook.where(line) if self.notebook is not None else None


def read_source(path: str) -> str:
    """The file's text; raises UnreadableFile with a reason a user can act on."""
    data = read_bytes(path)
    if b"\0" in data:
        raise UnreadableFile("binary file (contains NUL bytes), not Python source")
    try:
        # Honour a PEP 263 `# -*- coding: latin-1 -*-` line as Python does; UTF-8 otherwise.
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # no usable declaration: decoding as UTF-8 says where the bad byte is
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableFile(
            f"not {name} (invalid byte on line {line}); save it as UTF-8 or declare its encoding"
        ) from None


def read_bytes(path: str) -> bytes:
    """The file's bytes, read only from a regular file within the size bound; raises UnreadableFile."""
    try:
        _check_regular(os.stat(path))
        # Non-blocking, and checked again once open: a FIFO put in the file's place since the
        # stat must not hang the run, a device must not be read until memory runs out.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as handle:
            _check_regular(os.fstat(descriptor))
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UnreadableFile(error.strerror or str(error)) from None
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(f"file is too large (over {_size(MAX_FILE_BYTES)})")
    return data


def declares_encoding(data: bytes) -> bool:
    """Whether the first two lines may hold a PEP 263 encoding declaration (without one, the text
    is the UTF-8 decoding of the bytes, so a UTF-8 search of the bytes is a search of the text)."""
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    return b"coding" in (data if second < 0 else data[:second])


def _check_regular(info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile("not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise UnreadableFile(f"file is too large ({_size(info.st_size)}; the limit is {_size(MAX_FILE_BYTES)})")


def load(path: str) -> Source:
    """The Python text of a `.py` file or of a notebook's code cells."""
    text = read_source(path)
    if not path.endswith(".ipynb"):
        if "%%" in text:
            from loopcheck.notebook import percent_script_source  # only a cell script needs it

            cells = percent_script_source(text)
            return Source(path, cells if cells is not None else text)
        return Source(path, text)
    if not text.strip():
        return Source(path, "")
    from loopcheck.notebook import NotNotebook, notebook_source  # only a run over notebooks needs it

    try:
        notebook = notebook_source(text)
    except NotNotebook as error:
        raise UnreadableFile(str(error)) from None
    return Source(path, notebook.source, notebook)


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MiB" if count >= 2**20 else f"{count} bytes"


MAX_SAFE_DEPTH = 200
"""Bracket nesting below which libcst's native parser is safe without asking CPython first."""
MAX_SAFE_SPAN = 5000
"""Characters of one line, or of one bracketed expression over many lines, below which it cannot
nest deeply enough to matter (a chain of `lambda:`, `x if c else`, `a + b` or `a and b`)."""
MAX_SAFE_ELIFS = 500
"""`elif` clauses in a file below which their chain cannot nest deeply enough to matter."""
MAX_NESTING = 3000
"""The deepest syntax tree loopcheck analyses, counted as libcst nests it: about what CPython
itself compiles (at its default recursion limit a 3,000-term sum is a RecursionError)."""
PYTHON_RECURSION_LIMIT = 1000
"""CPython's default: its syntax check runs at this limit whatever the caller's, so that it refuses
what `python file.py` would refuse."""
PARSER_STACK_BYTES = 256 * 2**20
"""C stack for libcst's native parser on deeply nested code (reserved, used only as it recurses),
so that what it can parse does not depend on the caller's thread or `ulimit -s`."""
_BRACKET_OR_BREAK = lazy(r"[][(){}\n]")
_ASYNC_AS_NAME = lazy(r"(?<=[(,\s])async(?=\s*=[^=])|(?<=\.)async\b")
"""`async` used as a name, as Python <= 3.6 allowed: a keyword argument (`cuda(async=True)`) or an attribute."""
_TAB_IN_INDENT = lazy(r"^[ \f]*\t", re.MULTILINE)
_INDENT = lazy(r"^[ \t\f]+", re.MULTILINE)


def parse(source: str) -> cst.Module:
    deep = _may_nest_deeply(source)
    python_error = _python_syntax_error(source) if deep else None
    if python_error is not None and (module := _parse_python2(source, deep)) is not None:
        return module
    if python_error is not None:
        # libcst would only say the same, slowly: on a long line or expression its error recovery
        # takes seconds to minutes (a 3,000-term sum pasted in the wrong place: 20 s, found by fuzzing)
        raise UnreadableFile(f"cannot parse: line {python_error.lineno}, column {python_error.offset}: {python_error.msg}")
    try:
        return _parse_with_stack_room(source) if deep else cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        if _ASYNC_AS_NAME.search(source):
            # Python <= 3.6 code: `x.cuda(async=True)` names an argument `async`, a keyword since
            # 3.7. The same text with that name spelled `Async` (same length: every position stays)
            renamed = _ASYNC_AS_NAME.sub("Async", source)
            try:
                return _parse_with_stack_room(renamed) if deep else cst.parse_module(renamed)
            except (cst.ParserSyntaxError, RecursionError):
                pass
        if python_error is None:
            python_error = _python_syntax_error(source)
        if python_error is not None:
            # Python 2 (`print x`, `except E, e:`): read as the Python 3 it means, line for line
            module = _parse_python2(source, deep)
            if module is not None:
                return module
        if python_error is not None:  # CPython says "expected ':'" where libcst lists every token
            raise UnreadableFile(
                f"cannot parse: line {python_error.lineno}, column {python_error.offset}: {python_error.msg}"
            ) from None
        if _TAB_IN_INDENT.search(source):
            respaced = _tabs_as_spaces(source)
            try:
                return _parse_with_stack_room(respaced) if deep else cst.parse_module(respaced)
            except cst.ParserSyntaxError:
                pass  # not the indentation after all: report libcst's error on the file as it is
        raise UnreadableFile(_libcst_error(error)) from None
    except RecursionError:
        raise UnreadableFile("cannot parse: nesting too deep") from None


def _parse_python2(source: str, deep: bool) -> cst.Module | None:
    """The module of a Python 2 file's text rewritten as Python 3 (see loopcheck.python2), or None."""
    from loopcheck.python2 import as_python3  # (only for files CPython 3 refuses)

    rewritten = as_python3(source)
    if rewritten is None or (deep and _python_syntax_error(rewritten) is not None):
        return None
    try:
        return _parse_with_stack_room(rewritten) if deep else cst.parse_module(rewritten)
    except (cst.ParserSyntaxError, RecursionError):
        return None


def _tabs_as_spaces(source: str) -> str:
    """The source with each tab of an indentation made one space.

    libcst wants a block's indentation to extend its parent's as a string (`\\t` then `\\t    `);
    CPython only wants the comparisons of indentations to agree with tabs counted as 8 columns and
    as 1, so a file it accepts keeps its block structure with tabs counted as 1, that is, as one
    space each. Every column stays where it was, so positions need no mapping back."""
    return _INDENT.sub(lambda indent: indent.group().replace("\t", " "), source)


def _libcst_error(error: cst.ParserSyntaxError) -> str:
    message = str(error.message).strip().splitlines()[0] if error.message else "syntax error"
    if message.startswith("tokenizer error") and (error.raw_line, error.raw_column) == (1, 0):
        # libcst's tokenizer errors carry no position: a "line 1" would send the user to the wrong place
        return f"cannot parse: {message} (CPython accepts the file; libcst, which loopcheck parses with, does not)"
    return f"cannot parse: line {error.raw_line}, column {error.raw_column + 1}: {message}"


def _may_nest_deeply(source: str) -> bool:
    """Could the source nest deeply enough to overflow libcst's native parser? Deep nesting needs
    deep brackets, a long statement (a chain of `lambda:`, `x if c else` or `and` on one line, or
    over many lines inside brackets) or a long `elif` chain; code with none of them is parsed by
    libcst directly, sparing CPython's parse of every ordinary file."""
    depth = start = 0
    for mark in _BRACKET_OR_BREAK.finditer(source):
        character = mark.group()
        if character == "\n":
            if depth == 0:
                if mark.start() - start > MAX_SAFE_SPAN:
                    return True
                start = mark.end()
        elif character in "([{":
            depth += 1
            if depth > MAX_SAFE_DEPTH:
                return True
        elif depth:
            depth -= 1
    return len(source) - start > MAX_SAFE_SPAN or source.count("elif") > MAX_SAFE_ELIFS


def parse_source(source: Source) -> cst.Module:
    """Parse a file's text; a parse error in a notebook names the cell."""
    try:
        return parse(source.text)
    except UnreadableFile as error:
        line = re.search(r"line (\d+)", str(error))
        where = source.where(int(line.group(1))) if line else None
        if where is None:
            raise
        raise UnreadableFile(f"{error} ({where})") from None


def _python_syntax_error(source: str) -> SyntaxError | None:
    """CPython's own verdict on the source, which libcst must not be asked about on deep nesting.

    libcst's native parser overflows the C stack (the process dies, no exception) on nesting
    CPython refuses too, and CPython's parser fails cleanly, so it goes first, at CPython's default
    recursion limit (at a raised one it accepts what libcst cannot take). Nesting it accepts but
    libcst nests deeper than `MAX_NESTING` (a long `and` chain) is refused too. Its other syntax
    errors are returned, not raised: libcst knows newer grammar than the running Python may.
    """
    try:
        with warnings.catch_warnings(), _python_default_recursion_limit():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
            tree = ast.parse(source)
    except (RecursionError, MemoryError):
        raise UnreadableFile("cannot parse: nesting too deep") from None
    except SyntaxError as error:
        if error.msg == "too many nested parentheses":
            raise UnreadableFile(f"cannot parse: line {error.lineno}: too many nested parentheses") from None
        return error
    if _libcst_nesting(tree) > MAX_NESTING:
        raise UnreadableFile("cannot parse: nesting too deep") from None
    return None


def _libcst_nesting(tree: ast.AST) -> int:
    """How deep libcst's tree of this code goes: as deep as CPython's, and deeper by one level per
    operand of an `and`/`or` chain (CPython keeps one list of operands; libcst nests them in pairs)."""
    deepest = 0
    pending: list[tuple[ast.AST, int]] = [(tree, 0)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        step = len(node.values) - 1 if isinstance(node, ast.BoolOp) else 1
        pending.extend((child, depth + step) for child in ast.iter_child_nodes(node))
    return deepest


@contextmanager
def _python_default_recursion_limit() -> Iterator[None]:
    """CPython's default recursion limit, counted from the current depth, for the syntax check."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + PYTHON_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _parse_with_stack_room(source: str) -> cst.Module:
    """libcst's parse on a thread of its own with a known, large C stack (see PARSER_STACK_BYTES)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(cst.parse_module(source))
        except BaseException as error:  # handed to the calling thread, raised there
            outcome.append(error)

    previous = threading.stack_size()
    try:
        threading.stack_size(PARSER_STACK_BYTES)
        thread = threading.Thread(target=run, name="loopcheck-parse", daemon=True)
        thread.start()
    except (ValueError, RuntimeError):  # a platform that cannot give a thread that stack
        return cst.parse_module(source)
    finally:
        threading.stack_size(previous)
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]  # type: ignore[return-value]


@contextmanager
def recursion_limit(limit: int = RECURSION_LIMIT) -> Iterator[None]:
    """Room, beyond the current depth, for the tree walks of nesting up to MAX_NESTING deep."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, _depth() + limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _depth() -> int:
    """How many Python frames the calling thread is into."""
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth
