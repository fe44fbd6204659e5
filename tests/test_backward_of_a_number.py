"""An exercise template left unfilled (`loss = 0`, the blanks for the forward and the reset
empty, then `loss.backward()`) raises AttributeError at its first backward: the loop never steps
twice, and the reset it lacks accumulates nothing (LC001; issue 7, survey project: a graph-learning
course's homework notebooks). The same loop with the blank filled (`loss = loss_fn(...)`, or
`loss = 0` then `loss += ...` of a sum over heads) trains and is reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


def train(model, data_loader, optimizer, loss_fn):
    model.train()
    loss = INITIAL
    for step, (x, y) in enumerate(data_loader):
        if x.shape[0] == 1:
            pass
        else:
            is_labeled = y == y
FILL
            loss.backward()
            optimizer.step()
    return loss.item()


model = nn.Linear(8, 1)
optimizer = torch.optim.Adam(model.parameters())
train(model, [(torch.randn(4, 8), torch.randn(4, 1))] * 5, optimizer, nn.MSELoss())
"""


def lc001(initial: str, fill: str) -> list[int]:
    source = SCRIPT.replace("INITIAL", initial).replace("FILL", fill)
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC001"]


@pytest.mark.parametrize("initial", ["0", "None", "0.0"])
def test_a_backward_of_a_number_raises_before_any_second_step(initial: str) -> None:
    assert lc001(initial, "            # Your code here") == []


@pytest.mark.parametrize(
    "initial, fill",
    [
        ("0", "            loss = loss_fn(model(x)[is_labeled], y[is_labeled])"),
        ("0", "            loss += loss_fn(model(x)[is_labeled], y[is_labeled])"),
        ("None", "            loss = loss_fn(model(x), y)"),
    ],
)
def test_the_filled_template_trains_and_is_reported(initial: str, fill: str) -> None:
    assert lc001(initial, fill) == [14]
