"""A loop each iteration of which draws the next batch of an iterator (`for _ in range(100): x, y =
test_data.next()`) goes over data as much as `for x, y in loader` does: a sum of its losses taken
with grad enabled and returned to callers that only print it keeps one graph per batch (issue 7,
survey project: a CTR model's evaluation helper summing 100 test batches' losses was missed by
LC009 because a counted loop called from a training function was read as a rollout whose caller
backwards what it collects). A sum over a counted loop that draws nothing (the parts of one loss)
and a sum under `no_grad` stay silent."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


def evaluate(model, data):
    loss_sum = 0.
    acc_sum = 0.
    for _ in range(100):
        DRAW
        prob = model(x)
        loss = -torch.mean(torch.log(prob) * target)
        acc = torch.sum(torch.round(prob) * target) / target.shape[0]
        loss_sum += loss
        acc_sum += acc
    return loss_sum / 100, acc_sum / 100


def train(data):
    model = Net()
    opt = torch.optim.Adam(model.parameters())
    for it in range(1000):
        x, y = next(data)
        opt.zero_grad()
        loss = -torch.mean(torch.log(model(x)) * y)
        loss.backward()
        opt.step()
        if it % 500 == 0:
            WRAPl, a = evaluate(model, data)
            print(l, a)
"""


def lc009(draw: str, wrap: str = "") -> list[int]:
    source = SCRIPT.replace("DRAW", draw).replace("WRAP", wrap)
    return [f.line for f in lint_source(source, "ctr.py")[0] if f.code == "LC009"]


@pytest.mark.parametrize("draw", ["x, target = data.next()", "x, target = next(data)", "x, target = data.__next__()"])
def test_sums_over_batches_drawn_in_the_loop_are_reported(draw: str) -> None:
    assert lc009(draw) == [22, 23]


def test_a_counted_loop_that_draws_nothing_sums_parts_of_one_loss() -> None:
    assert lc009("x, target = data") == []


def test_sums_taken_without_grad_are_silent() -> None:
    # (the caller's `with torch.no_grad():` covers the helper)
    assert lc009("x, target = data.next()", "with torch.no_grad(): ") == []
