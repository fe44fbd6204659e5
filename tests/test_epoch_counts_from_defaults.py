"""How many epochs a loop counts, when milestones are weighed against it (LC005: `MultiStepLR(
milestones=[80, 160, 180])` stepped in a batch loop that an epoch loop runs drops the rate at
epochs when every milestone lies within the epoch count), is also read from the default of the
command-line option the count reads (`range(args.epochs)` of `add_argument('--epochs', type=int,
default=250)`: what a run not told otherwise counts) and from a parameter of the loop's function
that every call leaves at its default (`def main(epochs=200)`), as it was from a literal or a
module constant (issue 7, survey project: Bayesian-network training scripts stepping their
milestone schedule in the batch loop of `train()`, their epoch loop over `range(args.epochs)`).
A default below the milestones, an option given twice, and a call that gives another count leave
the unit untold."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import argparse
import torch
from torch import optim

parser = argparse.ArgumentParser()
OPTIONS


def train(model, loader, optimizer, scheduler):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()


def main(SIGNATURE):
    args = parser.parse_args()
    model = torch.nn.Linear(4, 2)
    loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 10
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[80, 160, 180], gamma=0.2)
    for epoch in range(COUNT):
        train(model, loader, optimizer, scheduler)


if __name__ == "__main__":
    main(CALL)
"""

OPTION = "parser.add_argument('--epochs', type=int, default=DEFAULT, help='number of epochs to train')"


def _lc005(options: str = "", signature: str = "", count: str = "args.epochs", call: str = "") -> list[int]:
    source = SCRIPT.replace("OPTIONS", options).replace("SIGNATURE", signature).replace("COUNT", count).replace("CALL", call)
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC005"]


@pytest.mark.parametrize(
    "options, signature, count, call",
    [
        (OPTION.replace("DEFAULT", "250"), "", "args.epochs", ""),
        ("parser.add_argument('-e', '--num-epochs', default=200, type=int)", "", "args.num_epochs", ""),
        ("parser.add_argument('--n', dest='epochs', default=200, type=int)", "", "args.epochs", ""),
        ("", "epochs=200", "epochs", ""),
        ("", "epochs", "epochs", "200"),
    ],
)
def test_milestones_within_a_defaulted_epoch_count_are_epochs(options: str, signature: str, count: str, call: str) -> None:
    assert _lc005(options, signature, count, call) == [16]


@pytest.mark.parametrize(
    "options, signature, count, call",
    [
        (OPTION.replace("DEFAULT", "50"), "", "args.epochs", ""),  # milestones past the run: batches
        (OPTION.replace("DEFAULT", "250") + "\n" + OPTION.replace("DEFAULT", "20"), "", "args.epochs", ""),  # which one is not told
        ("", "epochs=200", "epochs", "epochs=10"),  # the call gives another count
        ("", "epochs=200", "epochs", "int(input())"),  # a count not known
    ],
)
def test_an_untold_unit_is_left_alone(options: str, signature: str, count: str, call: str) -> None:
    assert _lc005(options, signature, count, call) == []
