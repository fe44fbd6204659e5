"""A training loop `for epoch in range(epoch_start, epoch_end + 1)` with `epoch_start = 1` bound
once at the script's top level starts where counting starts: weights loaded before it only start a
new run (a warm start), so the per-epoch weight files they come from are no resume checkpoints
(issue 7, survey project: a video style-transfer repository whose distillation stages each load
an earlier stage's `*_epoch_4_*.pth` and train from `epoch_start = 1`; LC012 was reported on their
per-epoch saves). A start typed in past 1 (`epoch_start = 5`) goes on from the weights, as a
literal 5 does."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn

epoch_start = START
epoch_end = 20
model_path = "./models/stage_epoch_4.pth"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


def train(loader):
    model = Net()
    model.load_state_dict(torch.load(model_path))
    optimizer = torch.optim.Adam(model.parameters())
    for epoch in range(epoch_start, epoch_end + 1):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
        torch.save(model.state_dict(), f"./models/stage_epoch_{epoch}.pth")


if __name__ == "__main__":
    train([])
"""


@pytest.mark.parametrize("start, expected", [("1", []), ("0", []), ("5", [27])])
def test_a_start_epoch_bound_once_at_the_top(start: str, expected: list[int]) -> None:
    findings = lint_source(SCRIPT.replace("START", start), "train.py")[0]
    assert [f.line for f in findings if f.code == "LC012"] == expected
