"""Python 2 source, read as the Python 3 it means, every statement on the line it was on.

Training scripts of PyTorch's first years were often Python 2: `print loss.data[0]`, `except
IOError, e:`, `raise ValueError, "..."`, `print >>log, x`, `0777`, `10L`, `a <> b`, and in such
a file indentation mixing tabs and spaces (a tab reaching the next multiple of 8). CPython 3 and
libcst refuse the whole file for one such statement, and the bugs the file holds go unseen. Only
these spellings are rewritten, token by token (the print statement becomes a call, `, e` becomes
` as e`, ...), each on its own line, so that every line and nearly every column stays where it
was; a file using Python 2 beyond them (backquotes, `exec` in a function's scope, tuple
parameters) is not rewritten. What is rewritten must compile as Python 3, or it is not used.
"""
from __future__ import annotations

import ast
import io
import tokenize
import warnings

_STATEMENT_BOUNDARIES = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING})
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})
_AS_NAME = frozenset({"=", ".", "(", ")", ",", "[", "]", "+=", "-=", ":", ";", "==", "!="})
"""Tokens after `print` or `exec` that show the word is a name (Python 3's function), not a statement."""

Edit = tuple[tuple[int, int], tuple[int, int], str]
"""The text from one (row, column) to another, replaced."""


def as_python3(source: str) -> str | None:
    """The source with its Python 2 statements rewritten, or None when it holds none that could be
    rewritten or the result does not compile."""
    source = _indentation_expanded(source)
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in _SKIPPED]
    except (tokenize.TokenError, SyntaxError):
        return None
    if any(t.type == tokenize.ERRORTOKEN and t.string.strip() for t in tokens):
        return None  # backquotes, `$`: not Python 3's tokens, not rewritten
    edits: list[Edit] = []
    depth = 0
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else None
        starts = previous is None or previous.type in _STATEMENT_BOUNDARIES or (
            previous.type == tokenize.OP and previous.string == ";"
        ) or (depth == 0 and previous.type == tokenize.OP and previous.string == ":")
        if token.type == tokenize.OP:
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth = max(depth - 1, 0)
        if token.type == tokenize.NUMBER:
            edits.extend(_number(tokens, index))
        elif token.type == tokenize.OP and token.string == "<" and _adjacent(token, tokens, index, ">"):
            edits.append((token.start, tokens[index + 1].end, "!="))
        elif starts and token.type == tokenize.NAME and token.string in ("print", "exec"):
            edits.extend(_print_statement(tokens, index))
        elif starts and token.type == tokenize.NAME and token.string == "except":
            edits.extend(_except_clause(tokens, index))
        elif starts and token.type == tokenize.NAME and token.string == "raise":
            edits.extend(_raise_statement(tokens, index))
    if not edits:
        return None  # (a mix of tabs and spaces alone does not make a file Python 2: Python 3's error stands)
    rewritten = _apply(source, edits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(rewritten)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return rewritten


def _indentation_expanded(source: str) -> str:
    """Python 2 read a tab in an indentation as spaces up to the next multiple of 8, whatever the
    spaces around it; Python 3 refuses such a mix. The indentation with its tabs so expanded."""
    if "\t" not in source:
        return source
    lines = source.split("\n")
    for index, line in enumerate(lines):
        body = line.lstrip(" \t")
        indent = line[: len(line) - len(body)]
        if "\t" in indent:
            lines[index] = indent.expandtabs(8) + body
    return "\n".join(lines)


def _adjacent(token: tokenize.TokenInfo, tokens: list[tokenize.TokenInfo], index: int, text: str) -> bool:
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is not None and following.string == text and following.start == token.end


def _number(tokens: list[tokenize.TokenInfo], index: int) -> list[Edit]:
    """`10L` (a long) is `10`; `0777` (an octal) is `0o777`."""
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is None or following.start != token.end:
        return []
    if following.type == tokenize.NAME and following.string in ("L", "l"):
        return [(following.start, following.end, "")]
    if token.string == "0" and following.type == tokenize.NUMBER and following.string.isdigit():
        return [(following.start, following.start, "o")]
    return []


def _statement_end(tokens: list[tokenize.TokenInfo], index: int) -> int:
    """The index of the token that ends the statement begun at `index`: its NEWLINE, or a `;` outside
    brackets."""
    depth = 0
    for at in range(index + 1, len(tokens)):
        token = tokens[at]
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            return at
        if token.type == tokenize.OP:
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
            elif token.string == ";" and depth == 0:
                return at
    return len(tokens) - 1


def _print_statement(tokens: list[tokenize.TokenInfo], index: int) -> list[Edit]:
    """`print x, y` is `print(x, y)`; `print` alone `print()`; `print >>f, x` `print(x, file=f)`."""
    word = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is None:
        return []
    end = _statement_end(tokens, index)
    closing = tokens[end]
    if end == index + 1:
        return [(word.end, word.end, "()")]  # `print` alone
    if following.type == tokenize.OP and following.string in _AS_NAME:
        return []  # `print(x)`, `print = log`: Python 3 already (a parenthesised print statement is a call too)
    if following.type == tokenize.OP and following.string == ">>" and word.string == "print":
        comma = next((at for at in range(index + 2, end) if _top_level_comma(tokens, index + 2, at)), None)
        if comma is None:
            return []
        stream = (tokens[index + 2].start, tokens[comma - 1].end)
        return [
            (word.end, tokens[comma].end, "("),
            (closing.start, closing.start, f", file={_span(tokens, index + 2, comma)})"),
        ] if stream[0] <= stream[1] else []
    if following.type == tokenize.OP and following.string not in ("-", "+", "~", "*", "[", "{", "("):
        return []  # (`print % x`? not a statement this knows)
    last = tokens[end - 1]
    return [(word.end, following.start, "("), (last.end, last.end, ")")]


def _span(tokens: list[tokenize.TokenInfo], start: int, stop: int) -> str:
    """The tokens from `start` to before `stop` on one line, as written."""
    line = tokens[start].line
    if tokens[start].start[0] != tokens[stop - 1].end[0]:
        return " ".join(t.string for t in tokens[start:stop])
    return line[tokens[start].start[1]:tokens[stop - 1].end[1]]


def _top_level_comma(tokens: list[tokenize.TokenInfo], start: int, at: int) -> bool:
    return tokens[at].string == "," and _top_level(tokens, start, at)


def _except_clause(tokens: list[tokenize.TokenInfo], index: int) -> list[Edit]:
    """`except IOError, e:` is `except IOError as e:`."""
    end = next((at for at in range(index + 1, len(tokens)) if tokens[at].string == ":" and _top_level(tokens, index + 1, at)), None)
    if end is None or end < index + 4:
        return []
    name, comma = tokens[end - 1], tokens[end - 2]
    if name.type != tokenize.NAME or comma.string != "," or not _top_level(tokens, index + 1, end - 2):
        return []
    return [(comma.start, comma.end, " as")]


def _top_level(tokens: list[tokenize.TokenInfo], start: int, at: int) -> bool:
    """Is the token at `at` outside every bracket opened since `start`?"""
    depth = 0
    for token in tokens[start:at]:
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
    return depth == 0


def _raise_statement(tokens: list[tokenize.TokenInfo], index: int) -> list[Edit]:
    """`raise ValueError, "message"` is `raise ValueError("message")`."""
    end = _statement_end(tokens, index)
    commas = [at for at in range(index + 1, end) if _top_level_comma(tokens, index + 1, at)]
    if len(commas) != 1:
        return []  # (a traceback as third value is not rewritten)
    comma, last = tokens[commas[0]], tokens[end - 1]
    return [(comma.start, comma.end, "("), (last.end, last.end, ")")]


def _apply(source: str, edits: list[Edit]) -> str:
    """The source with the edits made, from the last to the first (they do not overlap)."""
    starts = [0]
    for at, character in enumerate(source):
        if character == "\n":
            starts.append(at + 1)

    def offset(position: tuple[int, int]) -> int:
        row, column = position
        return starts[row - 1] + column if row - 1 < len(starts) else len(source)

    text = source
    for start, end, replacement in sorted(edits, key=lambda edit: (offset(edit[0]), offset(edit[1])), reverse=True):
        text = text[: offset(start)] + replacement + text[offset(end):]
    return text
