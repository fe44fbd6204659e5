"""Seeded mutations of the fixtures, for tests/test_fuzz.py and bench/fuzz.py.

Each input is a fixture's bytes with one to three mutations drawn by a `random.Random(seed)`:
lines deleted, duplicated or swapped, the text truncated, random bytes inserted, deep nesting
(brackets, `x if c else`, `not`, `lambda:`, sums, blocks), a very long line, a byte-order mark,
NUL bytes, odd line breaks (CR, CR LF, form feed, vertical tab, NEL, U+2028), tabs in indentation,
a notebook made of the text (or a broken one). The same seed gives the same input everywhere.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEAVY = False
"""bench/fuzz.py sets it: long lines of up to 330,000 tokens (tens of seconds of libcst parsing each)."""


def sources() -> list[bytes]:
    return [path.read_bytes() for path in sorted(FIXTURES.rglob("*.py"))]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _delete(r: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    start = r.randrange(len(lines))
    del lines[start:start + r.choice((1, 1, 2, 5))]
    return b"\n".join(lines)


def _duplicate(r: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    index = r.randrange(len(lines))
    lines[index:index] = lines[index:index + r.choice((1, 3))] * r.choice((1, 2, 50))
    return b"\n".join(lines)


def _swap(r: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    a, b = r.randrange(len(lines)), r.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def _truncate(r: random.Random, data: bytes) -> bytes:
    return data[: r.randrange(len(data) + 1)]


def _random_bytes(r: random.Random, data: bytes) -> bytes:
    at = r.randrange(len(data) + 1)
    noise = bytes(r.randrange(256) for _ in range(r.choice((1, 3, 16))))
    return data[:at] + noise + data[at:]


def _deep(r: random.Random, data: bytes) -> bytes:
    depth = r.choice((50, 300, 1000, 3000, 6000))
    kind = r.randrange(7)
    if kind == 0:
        line = "x = " + "(" * depth + "1" + ")" * depth
    elif kind == 1:
        line = "x = " + "a if b else " * depth + "a"
    elif kind == 2:
        line = "x = " + "not " * depth + "y"
    elif kind == 3:
        line = "f = " + "lambda: " * depth + "0"
    elif kind == 4:
        line = "loss = " + " + ".join(["loss"] * depth)
    elif kind == 5:
        line = "x = " + "[" * depth + "]" * depth
    else:
        depth = min(depth, 120)
        line = "".join(" " * i + "if x:\n" for i in range(depth)) + " " * depth + "pass"
    lines = _lines(data)
    lines.insert(r.randrange(len(lines) + 1), line.encode())
    return b"\n".join(lines)


def _long_line(r: random.Random, data: bytes) -> bytes:
    length = r.choice((5_000, 100_000, 1_000_000)) if not HEAVY else r.choice((100_000, 1_000_000))
    tokens = min(length // 3, 1_000) if not HEAVY else length // 3  # libcst takes ~50 us a token
    line = r.choice((b"x = '" + b"a" * length + b"'", b"# " + b"z" * length, b"y = [" + b"1, " * tokens + b"]"))
    lines = _lines(data)
    lines.insert(r.randrange(len(lines) + 1), line)
    return b"\n".join(lines)


def _bom(r: random.Random, data: bytes) -> bytes:
    return r.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf\xef\xbb\xbf")) + data


def _nul(r: random.Random, data: bytes) -> bytes:
    at = r.randrange(len(data) + 1)
    return data[:at] + b"\x00" + data[at:]


def _line_breaks(r: random.Random, data: bytes) -> bytes:
    odd = r.choice(("\r", "\r\n", "\x0c", "\x0b", "\x85", "\u2028", "\u2029", "\x1c"))
    if r.random() < 0.5:
        return data.replace(b"\n", odd.encode("utf-8"))
    lines = _lines(data)
    index = r.randrange(len(lines))
    lines[index] = lines[index] + odd.encode("utf-8")
    return b"\n".join(lines)


def _tabs(r: random.Random, data: bytes) -> bytes:
    return b"\n".join(
        line.replace(b"    ", b"\t", 1) if line.startswith(b"    ") and r.random() < 0.3 else line for line in _lines(data)
    )


def _encoding(r: random.Random, data: bytes) -> bytes:
    return r.choice((b"# -*- coding: latin-1 -*-\n", b"# coding: nonexistent\n", b"# coding=utf-16\n")) + data + b"\n# \xe9\xff\n"


MUTATIONS = (_delete, _duplicate, _swap, _truncate, _random_bytes, _deep, _long_line, _bom, _nul, _line_breaks, _tabs, _encoding)


def mutate(seed: int, originals: list[bytes]) -> tuple[str, bytes]:
    """One input: its file name (`.py`, or `.ipynb` for a notebook) and its bytes."""
    r = random.Random(seed)
    data = r.choice(originals)
    for _ in range(r.choice((1, 1, 2, 3))):
        data = r.choice(MUTATIONS)(r, data)
    if r.random() < 0.08:
        return "notebook.ipynb", _notebook(r, data)
    return "mutant.py", data


def _notebook(r: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    kind = r.randrange(6)
    if kind == 0:
        return json.dumps({"cells": None}).encode()
    if kind == 1:
        return json.dumps({"cells": [{"cell_type": "code", "source": {"a": 1}}]}).encode()
    if kind == 2:
        return json.dumps({"cells": "x"}).encode()
    cells = [{"cell_type": "code", "source": chunk.splitlines(keepends=True), "metadata": {}, "outputs": []}
             for chunk in text.split("\n\n")]
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    return notebook[: r.randrange(len(notebook))] if kind == 3 else notebook
