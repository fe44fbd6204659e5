"""`loopcheck.positions` gives every node the range libcst's own PositionProvider gives it."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from loopcheck.positions import positions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.py"))

EDGES = {
    "empty": "",
    "one line, no line break": "x = 1",
    "only a comment": "# hello\n",
    "blank lines at the end": "x = 1\n\n\n",
    "crlf": "def f(a,\r\n      b):\r\n    return a + b\r\n",
    "lone cr": "x = 1\ry = 2\r",
    "tabs": "if x:\n\tif y:\n\t\tz = (1,\n\t\t     2)\n",
    "continuation": "total = a + \\\n    b\nprint(total)\n",
    "strings": 's = """a\nb\n"""  # tail\nt = f"{s!r:>10}" \'\'\n',
    "unicode": "nom = 'héllo wörld'  # ünïcode\nλ = nom + '😀'\n",
    "decorators and classes": "@dec(1)\n@other\nclass A(B, metaclass=M):\n    '''doc'''\n\n    def f(self, *a, **k) -> int:\n        return [i for i in a if i]\n",
    "semicolons and async": "import os; import sys\nasync def g():\n    async with a as b:\n        await b\n    async for i in c: pass\n",
    "match": "match x:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v}:\n        pass\n",
}


def libcst_positions(module: cst.Module) -> dict[cst.CSTNode, object]:
    return dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))


def assert_same(module: cst.Module) -> None:
    expected = libcst_positions(module)
    found = positions(module)
    assert len(found) == len(expected)
    assert set(found) == set(expected)
    mismatched = [node for node in expected if found[node] != expected[node]]
    assert not mismatched, (type(mismatched[0]).__name__, found[mismatched[0]], expected[mismatched[0]])


def test_there_are_fixtures() -> None:
    assert len(SOURCES) > 50


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_node_of_a_fixture_has_libcsts_position(path: Path) -> None:
    assert_same(cst.parse_module(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", sorted(EDGES))
def test_every_node_of_an_edge_case_has_libcsts_position(name: str) -> None:
    assert_same(cst.parse_module(EDGES[name]))


def test_a_node_of_another_module_is_not_there() -> None:
    found = positions(cst.parse_module("x = 1\n"))
    other = cst.parse_module("y = 2\n")
    assert other not in found and other.body[0] not in found
    with pytest.raises(KeyError):
        found[other.body[0]]
