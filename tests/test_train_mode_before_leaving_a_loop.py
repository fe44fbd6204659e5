"""A `model.train()` late in a loop's body puts the model in training mode for the passes of later
iterations only when a later iteration can follow it: not when every path from it leaves the loop
first, by a `return` or a `break` of that loop (issue 7, survey project: a translation model's
attention visualisation calls `model.eval()`, then, in its batch loop, `if i in range(2, 4):` runs
`model.get_attn_dist(src, trg)`, an inner loop that ends each item with `model.train()`, and
`return`s at the end of the arm: the pass runs in eval mode; LC006 was reported). A `break` of an
inner loop leaves only that loop."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))

    def forward(self, x):
        return self.body(x)


def visualize(loader, model):
    model.eval()
    for i, (x, y) in enumerate(loader):
        if i in range(2, 4):
            scores = model(x)
            for k in range(x.size(0)):
                model.eval()
                prediction = model(x[k:k + 1]).argmax(1)
                model.train()
                print(prediction, scores[k])
                INNER
            LEAVE


def main(loader, val_loader):
    model = Net()
    optimizer = torch.optim.Adam(model.parameters())
    for epoch in range(3):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    visualize(val_loader, model)


if __name__ == "__main__":
    main([], [])
"""


def _lc006(leave: str, inner: str = "pass") -> list[int]:
    source = SCRIPT.replace("LEAVE", leave).replace("INNER", inner)
    return [f.line for f in lint_source(source, "visualize.py")[0] if f.code == "LC006"]


@pytest.mark.parametrize("leave", ["return", "break"])
def test_a_train_switch_followed_by_leaving_the_loop_reaches_no_later_pass(leave: str) -> None:
    assert _lc006(leave) == []


@pytest.mark.parametrize("leave, inner", [("pass", "pass"), ("pass", "break")])
def test_a_train_switch_a_later_iteration_follows_is_in_force(leave: str, inner: str) -> None:
    # (nothing leaves the loop, or only the inner loop is left: the next batch's pass runs in train mode)
    assert _lc006(leave, inner) == [18]
