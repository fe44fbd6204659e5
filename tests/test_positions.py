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


# Source order without positions: the numbers the build pass counts (FileIR.order) -------------


def _order_and_lines(module: cst.Module) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    from loopcheck.model.build import build_file

    ir = build_file(module, "x.py")
    lines = positions(module)
    by_id = {id(node): node for node in _all_nodes(module)}
    pairs = []
    for key, counted in ir.order.items():
        where = lines[by_id[key]]
        pairs.append((counted, (where.start.line, where.end.line)))
    return pairs


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_the_counted_order_is_the_order_of_lines(path: Path) -> None:
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    pairs = _order_and_lines(module)
    assert bool(pairs) is bool(module.body)
    for (counted, lines) in pairs:
        assert counted[0] <= counted[1] and lines[0] <= lines[1]
    for first, first_lines in pairs:
        for second, second_lines in pairs:
            if first[0] < second[0]:
                assert first_lines[0] <= second_lines[0]  # what starts earlier is not on a later line
            if first[1] < second[0]:
                assert first_lines[1] <= second_lines[0]  # what ends before another starts is above it


def test_order_questions_of_a_clean_run_compute_no_positions() -> None:
    from loopcheck.model import LoopModel
    from loopcheck.rules import select_rules

    source = (
        "import torch\nimport torch.nn as nn\n\n"
        "def model(xb):\n    return xb @ weights\n\n"
        "model = nn.Linear(4, 1)\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.01)\n"
        "for epoch in range(10):\n"
        "    for x, y in train_dl:\n"
        "        loss = nn.functional.mse_loss(model(x), y)\n"
        "        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n"
        "model.eval()\n"
        "with torch.no_grad():\n    pred = model(X_test)\n"
    )
    model = LoopModel(cst.parse_module(source), path="clean.py")
    reports = [report for rule in select_rules() for report in rule().check(model)]
    # whether `model` names the function or the Linear at each call (the assignment between them)
    # and which assignment is in force at the evaluation are asked in source order
    call = next(c for f in model.ir.functions for s in f.simples for c in s.calls if c.dotted == "model" and c.args[0].dotted == "X_test")
    assert model.nearest_binding("model", model.ir.top, call.node).statement.value_call.dotted == "nn.Linear"
    assert reports == []
    assert "_positions" not in model.__dict__  # (a code-generation pass over the file: only for findings)
