"""Two modules run on the same input and their outputs subtracted (`(ported(x) - net(x)).abs().max()`)
check that they compute the same, after weights are copied into a port or a layer is rewritten:
neither is evaluated, whatever the input (issue 7, survey project: a book's notebook comparing a
patch embedding rebuilt by hand with a library's, after its training cells, was taken for an
evaluation with grad enabled). The same forward scored against the targets, or two models
compared on different inputs, is still an evaluation pass (LC006, LC007)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

CELLS = [
    "import torch\nimport torch.nn as nn",
    "x_train, y_train = torch.randn(64, 4), torch.randn(64, 1)\n"
    "x_test, y_test = torch.randn(16, 4), torch.randn(16, 1)\n"
    "net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 1))\n"
    "opt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
    "for epoch in range(3):\n"
    "    opt.zero_grad()\n"
    "    loss = (net(x_train) - y_train).pow(2).mean()\n"
    "    loss.backward()\n"
    "    opt.step()",
    "ported = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 1))\n"
    "ported.load_state_dict(net.state_dict())",
]


def _codes(tmp_path: Path, compare: str) -> list[tuple[str, str]]:
    cells = [*CELLS, compare]
    notebook = {
        "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None} for c in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "port.ipynb").write_text(json.dumps(notebook))
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    return sorted((f.code, f.message.split()[0]) for f in found.findings)


@pytest.mark.parametrize(
    "compare",
    [
        "(ported(x_test) - net(x_test)).abs().max()",
        "print((net(x_test) - ported(x_test)).abs().max().item())",
        "torch.max(torch.abs(ported(x_train[:4]) - net(x_train[:4])))",
    ],
)
def test_two_modules_compared_on_one_input_are_no_evaluation(tmp_path: Path, compare: str) -> None:
    assert _codes(tmp_path, compare) == []


@pytest.mark.parametrize(
    "compare, model",
    [
        ("(ported(x_test) - y_test).pow(2).mean()", "ported"),
        ("(ported(x_test) - net(x_train[:16])).abs().mean()", "ported"),
    ],
)
def test_a_forward_scored_or_compared_on_other_data_is_still_a_pass(tmp_path: Path, compare: str, model: str) -> None:
    assert ("LC007", model) in _codes(tmp_path, compare)
