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
import tokenize
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from loopcheck.notebook import NotebookSource, NotNotebook, notebook_source

RECURSION_LIMIT = 6000
MAX_FILE_BYTES = 10 * 1024 * 1024


class UnreadableFile(Exception):
    """A file loopcheck cannot analyse; the message says why, for the user."""


@dataclass(frozen=True)
class Source:
    """A file's Python text; for a notebook, its code cells joined and the map back to the cells."""

    path: str
    text: str
    notebook: NotebookSource | None = None

    def where(self, line: int) -> str | None:
        return self.notebook.where(line) if self.notebook is not None else None


def read_source(path: str) -> str:
    """The file's text; raises UnreadableFile with a reason a user can act on."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise UnreadableFile(f"file is too large ({_size(info.st_size)}; the limit is {_size(MAX_FILE_BYTES)})")
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UnreadableFile(error.strerror or str(error)) from None
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(f"file is too large (over {_size(MAX_FILE_BYTES)})")
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


def load(path: str) -> Source:
    """The Python text of a `.py` file or of a notebook's code cells."""
    text = read_source(path)
    if not path.endswith(".ipynb"):
        return Source(path, text)
    if not text.strip():
        return Source(path, "")
    try:
        notebook = notebook_source(text)
    except NotNotebook as error:
        raise UnreadableFile(str(error)) from None
    return Source(path, notebook.source, notebook)


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MiB" if count >= 2**20 else f"{count} bytes"


MAX_SAFE_DEPTH = 200
"""Bracket nesting below which libcst's native parser is safe without asking CPython first."""
MAX_SAFE_LINE = 5000
_BRACKETS = re.compile(r"[][(){}]")


def parse(source: str) -> cst.Module:
    python_error = _python_syntax_error(source) if _may_nest_deeply(source) else None
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        if python_error is None:
            python_error = _python_syntax_error(source)
        if python_error is not None:  # CPython says "expected ':'" where libcst lists every token
            raise UnreadableFile(
                f"cannot parse: line {python_error.lineno}, column {python_error.offset}: {python_error.msg}"
            ) from None
        message = str(error.message).strip().splitlines()[0] if error.message else "syntax error"
        raise UnreadableFile(f"cannot parse: line {error.raw_line}, column {error.raw_column + 1}: {message}") from None
    except RecursionError:
        raise UnreadableFile("cannot parse: nesting too deep") from None


def _may_nest_deeply(source: str) -> bool:
    """Could the source nest deeply enough to overflow libcst's native parser? Deep nesting needs
    deep brackets or a very long line (a chain of `lambda:` or `x if c else` on one line); code
    with neither is parsed by libcst directly, sparing CPython's parse of every ordinary file."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(source):
        depth = depth + 1 if bracket in "([{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
        if deepest > MAX_SAFE_DEPTH:
            return True
    return any(len(line) > MAX_SAFE_LINE for line in source.split("\n")) if len(source) > MAX_SAFE_LINE else False


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
    CPython refuses too, and CPython's parser fails cleanly, so it goes first. Its other syntax
    errors are returned, not raised: libcst knows newer grammar than the running Python may.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
            ast.parse(source)
    except (RecursionError, MemoryError):
        raise UnreadableFile("cannot parse: nesting too deep") from None
    except SyntaxError as error:
        if error.msg == "too many nested parentheses":
            raise UnreadableFile(f"cannot parse: line {error.lineno}: too many nested parentheses") from None
        return error
    return None


@contextmanager
def recursion_limit(limit: int = RECURSION_LIMIT) -> Iterator[None]:
    """Long operator chains (a 1,000-term sum) are legal Python; give the tree walks room for them."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
