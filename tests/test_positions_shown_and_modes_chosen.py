"""Two facts that cannot be established stay silent (issue 7, survey projects: a point-cloud
project's status scripts reading `checkpoint.get('epoch', 'Unknown')` to print it, which made its
best-accuracy snapshots look like resume checkpoints, LC012; and a mesh network whose holder's
constructor runs `self.net.train(self.is_train)`, built for testing with `is_train=False`, LC006):

- a position read with a string default (`ckpt.get("epoch", "Unknown")`) is read to be shown: a
  position read back to resume is a number; read with a number for default, it is a resume;
- a module put by its holder's constructor in the mode a setting picks is in no mode known to be
  training mode when a method of the holder evaluates it; put in training mode there, it is."""
from __future__ import annotations

from pathlib import Path

import pytest

from loopcheck.engine import lint_source
from tests.lintproject import lint_project

TRAIN = """\
import torch


def train(model, loader, epochs):
    optimizer = torch.optim.Adam(model.parameters())
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
    best = 0.0
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        scheduler.step()
        accuracy = sum(float((model(x).argmax(1) == y).float().mean()) for x, y in loader)
        if accuracy > best:
            best = accuracy
            torch.save({"epoch": epoch, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict()}, "best.pth")
"""

STATUS = """\
import torch

checkpoint = torch.load("best.pth")
epoch = checkpoint.get("epoch", DEFAULT)
print(f"epochs trained: {epoch}")
"""


@pytest.mark.parametrize(("default", "expected"), [("'Unknown'", []), ("0", [("train.py", 17, "LC012")])])
def test_a_position_read_with_a_string_default_is_shown_not_resumed(
    tmp_path: Path, default: str, expected: list[tuple[str, int, str]]
) -> None:
    found = lint_project(tmp_path, {"train.py": TRAIN, "status.py": STATUS.replace("DEFAULT", default)})
    assert [(Path(f.path).name, f.line, f.code) for f in found if f.code == "LC012"] == expected


HOLDER = """\
import torch
import torch.nn as nn


class Classifier:
    def __init__(self, is_train):
        self.net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
        self.net.load_state_dict(torch.load("net.pth"))
        self.net.train(MODE)

    def test(self, x):
        with torch.no_grad():
            return self.net(x).argmax(1)


def run_test(loader):
    model = Classifier(is_train=False)
    return [model.test(x) for x, y in loader]


run_test([(torch.randn(4, 4), torch.zeros(4))])
"""


@pytest.mark.parametrize(("mode", "expected"), [("is_train", []), ("True", [13])])
def test_a_mode_a_setting_picks_in_the_holders_constructor_is_not_established(mode: str, expected: list[int]) -> None:
    found = lint_source(HOLDER.replace("MODE", mode), "test.py")[0]
    assert [f.line for f in found if f.code == "LC006"] == expected
