"""A project loss object that keeps its last call's parts under fixed keys
(`self.parts["steer"] = self.ce(input[0], target)`) holds one call's graph until the next call
replaces it: it keeps nothing across iterations, and calling it every batch is no LC009 (issue 7,
survey project: a behaviour-cloning trainer whose two-headed loss logged its components this
way). Keys that change from call to call (`self.parts[step] = ...`), a running sum under a fixed key
(`+=`) and a nested entry under a changing key still keep every call's graph and are reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class TwoHeadLoss:
    def __init__(self):
        self.ce = nn.CrossEntropyLoss()
        self.parts = {}
        self.calls = 0

    def __call__(self, input, target):
        self.calls += 1
STORE
        return self.ce(input, target)


model = nn.Linear(8, 3)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_func = TwoHeadLoss()
for x, y in [(torch.randn(4, 8), torch.randint(0, 3, (4,)))] * 5:
    out = model(x)
    loss = loss_func(out, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


def lc009(store: str) -> list[int]:
    source = SCRIPT.replace("STORE", store)
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC009"]


@pytest.mark.parametrize(
    "store",
    [
        '        self.parts["steer"] = self.ce(input, target)',
        '        self.parts["steer"] = self.parts["accelerate"] = input.sum()',
        '        self.parts["head"][0] = input',
        '        self.parts[("a", 1)] = input',
    ],
)
def test_an_entry_replaced_under_a_fixed_key_keeps_nothing(store: str) -> None:
    assert lc009(store) == []


@pytest.mark.parametrize(
    "store",
    [
        "        self.parts[self.calls] = self.ce(input, target)",
        '        self.parts["steer"] += input.sum()',
        '        self.parts[self.calls]["steer"] = input',
        '        self.parts["steer", self.calls] = input',
    ],
)
def test_an_entry_under_a_changing_key_or_a_running_sum_is_reported(store: str) -> None:
    assert lc009(store) == [22]
