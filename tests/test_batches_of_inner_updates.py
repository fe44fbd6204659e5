"""A loop over a loader whose every batch runs several updates in a loop over no data (the time
steps of an autoregressive rollout, `for t in range(T_out):` each with its backward and step) is
the batch loop: a scheduler stepped in it is stepped once per batch (issue 7, check half #336: a
neural-operator library steps `OneCycleLR(steps_per_epoch=len(train_loader))` there, and LC005
took the loader loop for the epoch loop). An epoch-sized schedule stepped there is stepped per
batch, and one sized in batches but stepped after the loader loop is stepped per epoch: both are
reported."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

SOURCE = """\
import torch
import torch.nn as nn


def train(model, train_loader, epochs, T_out):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = %s
    for ep in range(epochs):
        for x, yy in train_loader:
            fx = x
            for t in range(T_out):
                im = model(fx)
                loss = ((im - yy[..., t:t + 1]) ** 2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                fx = torch.cat((fx[..., 1:], im.detach()), dim=-1)
            %s
        %s
"""

ONE_CYCLE = "torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-3, epochs=epochs, steps_per_epoch=len(train_loader))"
STEP_LR = "torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.5)"


def _codes(tmp_path: Path, scheduler: str, per_batch: str, per_epoch: str) -> list[tuple[int, str]]:
    files = {"train.py": SOURCE % (scheduler, per_batch, per_epoch)}
    return sorted((f.line, f.code) for f in lint_project(tmp_path, files))


def test_a_schedule_sized_in_batches_stepped_once_per_batch_is_right(tmp_path: Path) -> None:
    assert _codes(tmp_path, ONE_CYCLE, "scheduler.step()", "pass") == []


def test_a_schedule_sized_in_epochs_stepped_once_per_batch_is_reported(tmp_path: Path) -> None:
    assert _codes(tmp_path, STEP_LR, "scheduler.step()", "pass") == [(18, "LC005")]


def test_a_schedule_sized_in_batches_stepped_once_per_epoch_is_reported(tmp_path: Path) -> None:
    assert _codes(tmp_path, ONE_CYCLE, "pass", "scheduler.step()") == [(19, "LC005")]
