"""A save in the training loop under a test that holds on its last iteration only (`last_step =
step == max_steps - 1` then `if master and last_step:`; `if step > 0 and (step % 5000 == 0 or
last_step):` in a loop of 5000 steps) runs once, when training is over: it is a final export,
not a checkpoint to resume from, and lacking the optimizer's state is no LC012 (issue 7, survey
project: GPT-2 reproductions whose periodic save fires only at the end of their runs). The same
save every 5000 of 19073 steps, every 500 steps, or on the last batch of every epoch is reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn

model = nn.Linear(8, 3)
optimizer = torch.optim.AdamW(model.parameters())
max_steps = STEPS
master = True
for step in range(max_steps):
    last_step = (step == max_steps - 1)
    x, y = torch.randn(4, 8), torch.randint(0, 3, (4,))
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    if TEST:
        torch.save({"model": model.state_dict(), "step": step}, f"model_{step:05d}.pt")
"""

EPOCHS = """\
import torch
import torch.nn as nn

model = nn.Linear(8, 3)
optimizer = torch.optim.AdamW(model.parameters())
epochs, n = 30, 100
for epoch in range(epochs):
    for i in range(n):
        x, y = torch.randn(4, 8), torch.randint(0, 3, (4,))
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if TEST:
            torch.save({"model": model.state_dict(), "epoch": epoch}, "last.pt")
"""


def lc012(source: str) -> list[int]:
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC012"]


@pytest.mark.parametrize(
    "steps, test",
    [
        ("5000", "master and last_step"),
        ("5000", "step > 0 and (step % 5000 == 0 or last_step)"),
        ("5000", "step + 1 == max_steps"),
        ("5000", "step == max_steps - 1"),
    ],
)
def test_a_save_on_the_last_step_only_is_an_export(steps: str, test: str) -> None:
    assert lc012(SCRIPT.replace("STEPS", steps).replace("TEST", test)) == []


@pytest.mark.parametrize(
    "steps, test",
    [
        ("19073", "step > 0 and (step % 5000 == 0 or last_step)"),
        ("5000", "step % 500 == 0 or last_step"),
        ("5000", "not last_step"),
        ("5000", "master"),
    ],
)
def test_a_save_made_before_the_last_step_is_a_checkpoint(steps: str, test: str) -> None:
    assert lc012(SCRIPT.replace("STEPS", steps).replace("TEST", test)) == [16]


def test_the_last_epoch_only_is_an_export_the_last_batch_of_each_is_not() -> None:
    assert lc012(EPOCHS.replace("TEST", "epoch == epochs - 1 and i == n - 1")) == []
    assert lc012(EPOCHS.replace("TEST", "i == n - 1")) == [15]
