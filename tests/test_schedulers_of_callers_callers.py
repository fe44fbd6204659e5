"""A checkpoint saved by a helper of one file (`utils.save_checkpoint(epoch, model, optimizer)`),
called every epoch by a training function of a second file (`main.runner(model, optimizer,
scheduler, ...)`), whose script in a third file builds the optimizer and a torch scheduler and
hands them in: resuming from it restarts the schedule, and LC012 says so at the helper's save
(issue 7, survey project: an OCR transformer whose ReduceLROnPlateau lives in the script that
calls the runner). A checkpoint holding the scheduler's state too is complete."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

UTILS = """\
import torch


def save_checkpoint(epoch, model, optimizer, scheduler):
    checkpoint = {"epoch": epoch, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict()EXTRA}
    torch.save(checkpoint, f"./checkpoints/last-{epoch % 5}.tar")
"""

MAIN = """\
import torch
from utils import save_checkpoint


def runner(model, optimizer, scheduler, loader, epochs):
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        scheduler.step(total)
        save_checkpoint(epoch, model, optimizer, scheduler)
"""

RUN = """\
import torch
from main import runner

MODEL = torch.nn.Linear(4, 2)
OPTIMIZER = torch.optim.AdamW(MODEL.parameters(), lr=1e-3)
SCHEDULER = torch.optim.lr_scheduler.ReduceLROnPlateau(OPTIMIZER, mode="min", patience=5)
runner(MODEL, OPTIMIZER, SCHEDULER, [(torch.randn(8, 4), torch.randn(8, 2))], 100)
"""


@pytest.mark.parametrize(("extra", "expected"), [
    ("", [("utils.py", 6, "LC012")]),
    (', "scheduler_state_dict": scheduler.state_dict()', []),
])
def test_a_scheduler_built_two_calls_up_is_one_the_checkpoint_must_keep(
    tmp_path: Path, extra: str, expected: list[tuple[str, int, str]]
) -> None:
    files = {"utils.py": UTILS.replace("EXTRA", extra), "main.py": MAIN, "run.py": RUN}
    found = lint_project(tmp_path, files)
    assert [(Path(f.path).name, f.line, f.code) for f in found] == expected
