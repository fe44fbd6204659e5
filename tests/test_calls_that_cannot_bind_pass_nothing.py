"""A call of a project function whose arguments cannot bind to its parameters raises TypeError
before the function runs: it gives the parameters nothing. What a parameter holds is read from the
other calls (issue 7, survey project: a food classifier's notebook-style script whose last cell
calls `train(model, loader, val_loader, optimizer, criterion, epochs)` without the scheduler and
three other required arguments, putting `criterion` where the scheduler goes; the schedule the
working calls pass, sized in epochs and stepped per batch, was not reported). A call that binds
and passes something else still leaves the parameter unknown."""
from __future__ import annotations

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


def train(model, loader, optimizer, scheduler, criterion, epochs, name):
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
            scheduler.step()


model = nn.Linear(8, 3)
loader = [(torch.randn(4, 8), torch.randint(0, 3, (4,)))]
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
epochs = 150
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs, eta_min=0.0001)
train(model=model, loader=loader, optimizer=optimizer, scheduler=scheduler, criterion=criterion, epochs=epochs, name="a")

LAST_CALL
"""


def lc005(last_call: str) -> list[int]:
    return [f.line for f in lint_source(SCRIPT.replace("LAST_CALL", last_call), "train.py")[0] if f.code == "LC005"]


def test_a_call_missing_required_arguments_gives_the_scheduler_parameter_nothing() -> None:
    assert lc005("train(model, loader, optimizer, criterion, epochs)") == [12]


def test_a_call_with_too_many_arguments_gives_it_nothing_either() -> None:
    assert lc005("train(model, loader, optimizer, criterion, criterion, epochs, 'b', 'c')") == [12]


def test_a_call_that_binds_and_passes_another_object_leaves_it_unknown() -> None:
    assert lc005("train(model, loader, optimizer, criterion, criterion, epochs, 'b')") == []
