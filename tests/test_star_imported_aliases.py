"""Names a star import of a project module brings qualify calls as that module's own imports do:
`from main.common.common import *` where the module says `import torch as t` makes `t.save(...)`
`torch.save` and `t.no_grad()` `torch.no_grad` (issue 7, survey project: a summarization trainer
saving `{"epoch", "model_state_dict", "optimizer_state_dict"}` per epoch with `t.save` beside a
StepLR: the checkpoint was not seen, LC012 missed). What `__all__` leaves out, a name starting with
`_`, and what the importing file binds itself are not brought."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

COMMON = """\
import os

import numpy as np
import torch as t
import torch.nn as nn
EXPORTS
"""

TRAIN = """\
from common import *


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        return self.fc(self.drop(x))


def validate(model, loader):
    model.eval()
    total = 0.0
    with t.no_grad():
        for x, y in loader:
            total += nn.functional.cross_entropy(model(x), y).item()
    model.train()
    return total


def train(loader, val_loader, epochs=10):
    model = Net()
    optimizer = t.optim.Adam(model.parameters())
    scheduler = t.optim.lr_scheduler.StepLR(optimizer, 5)
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        scheduler.step()
        validate(model, val_loader)
        t.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, f"ckpt_{epoch}.pt")


if __name__ == "__main__":
    train([], [])
"""


@pytest.mark.parametrize("exports, expected", [("", [("LC012", 36)]), ('__all__ = ["np", "nn"]', [])])
def test_aliases_brought_by_a_star_import(tmp_path: Path, exports: str, expected: list[tuple[str, int]]) -> None:
    findings = lint_project(tmp_path, {"common.py": COMMON.replace("EXPORTS", exports), "train.py": TRAIN})
    assert [(f.code, f.line) for f in findings] == expected
