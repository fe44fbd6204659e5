"""`torch.is_autocast_enabled()` tested after the function's `with autocast(...):` block has
closed is False (issue 7, check half #270): the arm under it (`scaler.scale(loss).backward()`,
clipping without `unscale_`) never runs, and every step takes the other arm. In a file that turns
autocast on for good (`torch.set_autocast_enabled(True)`) the test decides nothing and the arm is
analysed (LC011)."""
from __future__ import annotations

import textwrap

from loopcheck.engine import lint_source

SOURCE = """
import torch
from torch import nn
from torch.amp import GradScaler, autocast

SETUP
model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.Adam(model.parameters())
scaler = GradScaler()


def train_epoch(loader):
    for x, y in loader:
        optimizer.zero_grad()
        with autocast(device_type="cuda"):
            loss = nn.functional.cross_entropy(model(x), y)
        if torch.is_autocast_enabled():
            scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()


for epoch in range(10):
    train_epoch(train_loader)
"""


def codes(setup: str = "") -> list[str]:
    source = textwrap.dedent(SOURCE).replace("SETUP", setup)
    found, errors = lint_source(source, "train_ddp.py")
    assert errors == []
    return [f.code for f in found]


def test_the_test_after_the_block_is_false() -> None:
    assert codes() == []


def test_a_file_that_turns_autocast_on_for_good_decides_nothing() -> None:
    assert codes(setup="torch.set_autocast_enabled(True)") == ["LC011"]
