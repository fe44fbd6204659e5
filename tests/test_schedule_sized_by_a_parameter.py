"""A schedule sized by a parameter of the function that builds it is sized by what every project
call of the function gives it, its literal default where a call gives none (issue 7, survey project:
a prototypical-network trainer `def train(epochs, ..., lr_step_size=20)` builds `StepLR(optimizer,
step_size=lr_step_size)` and steps it once per episode, 100 episodes an epoch; the one call passes
no `lr_step_size`: the rate halves every 20 episodes, not 20 epochs. LC005 said nothing: a size
written as a name told no unit). A call that gives another value, one not known, or unpacks a
mapping of arguments leaves the size unknown."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

TRAIN = """\
import torch
from torch.optim.lr_scheduler import StepLR


def train(model, loader, epochs, lr=1e-3, lr_step_size=20, lr_gamma=0.5):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = StepLR(optimizer, step_size=lr_step_size, gamma=lr_gamma)
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.nll_loss(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()


def main(args, model, loader):
    CALL
"""


def _lc005(call: str) -> list[int]:
    return [f.line for f in lint_source(TRAIN.replace("CALL", call), "train.py")[0] if f.code == "LC005"]


@pytest.mark.parametrize("call", ["train(model, loader, args.epochs)", "train(model, loader, 40, lr_step_size=20)"])
def test_a_size_every_call_gives_is_judged(call: str) -> None:
    assert _lc005(call) == [15]


@pytest.mark.parametrize(
    "call",
    [
        "train(model, loader, 40, lr_step_size=5000)",  # thousands of steps: counted in batches
        "train(model, loader, 40, lr_step_size=args.step)",  # not known
        "train(model, loader, **vars(args))",  # what the mapping gives is not known
        "train(model, loader, 40, 1e-3, 20)\n    train(model, loader, 40, lr_step_size=args.step)",
    ],
)
def test_a_size_not_known_at_every_call_is_not_judged(call: str) -> None:
    assert _lc005(call) == []
