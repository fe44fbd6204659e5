"""`with self.netg.eval() and torch.no_grad():` enters the value of its last operand: `eval()`
returns the module, which is true, so the block runs under `torch.no_grad()` (issue 7, survey
project: a change-detection GAN's validation under such a switch was reported by LC007). A switch
that is not the last operand (`torch.no_grad() and other`) is not what the block enters."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import torch


def validate(netg, loader):
    total = 0.0
    with ITEM:
        for x, y in loader:
            total += torch.nn.functional.l1_loss(netg(x), y).item()
    return total / len(loader)


netg = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.1))
optimizer = torch.optim.Adam(netg.parameters())
loader = [(torch.randn(2, 4), torch.randn(2, 4))]
for epoch in range(3):
    netg.train()
    for x, y in loader:
        optimizer.zero_grad()
        torch.nn.functional.l1_loss(netg(x), y).backward()
        optimizer.step()
    print(validate(netg, loader))
"""


def lc007(item: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("ITEM", item), "train.py")[0] if f.code == "LC007"]


def test_the_last_operand_is_the_switch_entered() -> None:
    assert lc007("netg.eval() and torch.no_grad()") == []


@pytest.mark.parametrize("item", ["netg.eval() or torch.no_grad()", "torch.autocast('cpu')"])
def test_no_switch_entered_leaves_grad_on(item: str) -> None:
    assert lc007(item) == [8]
