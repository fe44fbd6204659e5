"""A project loss deriving from one of torch's losses or their bases (`class NeuroLoss(_Loss)`,
`class Smoothed(nn.CrossEntropyLoss)`) holds no dropout or batch norm unless it builds one
itself: torch's losses never read `self.training`. Made by a factory (`criterion = make_loss(cfg)`)
and called in an evaluation pass, it is no model left in training mode (issue 7, survey project:
an EMG finger-pose regressor's keypoint loss was said to be evaluated in training mode). A loss
that builds a dropout of its own still has a mode."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

LOSSES = """\
from torch import nn
from torch.nn.modules.loss import _Loss


class NeuroLoss(BASE):
    def __init__(self):
        super().__init__()
        LAYER

    def forward(self, input, target):
        return OUTPUT(nn.functional.mse_loss(input, target, reduction="none")).mean(dim=0)


def make_loss(cfg):
    return NeuroLoss()
"""

TRAIN = """\
import torch
from losses import make_loss


def test(model, loader, criterion):
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss = criterion(out, y).mean()


def train(model, loader, criterion, optimizer, epochs):
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).mean().backward()
            optimizer.step()
        test(model, loader, criterion)


model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout())
criterion = make_loss("MSE")
optimizer = torch.optim.Adam(model.parameters())
train(model, [], criterion, optimizer, 10)
"""


@pytest.mark.parametrize("base", ["_Loss", "nn.modules.loss._WeightedLoss", "nn.CrossEntropyLoss", "nn.MSELoss"])
def test_a_loss_deriving_from_a_torch_loss_has_no_mode(tmp_path: Path, base: str) -> None:
    losses = LOSSES.replace("BASE", base).replace("LAYER", "pass").replace("OUTPUT", "")
    assert lint_project(tmp_path, {"losses.py": losses, "train.py": TRAIN}) == []


def test_a_loss_that_builds_a_dropout_of_its_own_has_one(tmp_path: Path) -> None:
    losses = LOSSES.replace("BASE", "_Loss").replace("LAYER", "self.drop = nn.Dropout(0.5)").replace("OUTPUT", "self.drop")
    found = lint_project(tmp_path, {"losses.py": losses, "train.py": TRAIN})
    assert [(Path(f.path).name, f.line, f.code) for f in found] == [("train.py", 10, "LC006")]
