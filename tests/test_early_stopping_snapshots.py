"""A snapshot an early-stopping helper saves when the validation loss improves is an export
(issue 7, survey project: a U-Net repository whose `EarlyStopping.__call__` counts epochs without
improvement under `elif score < self.best_score + self.delta:` and saves in the `else` arm, with the
epoch and the optimizer's state; the test script loads it only to evaluate: LC012 was reported for
the ReduceLROnPlateau scheduler left out). A comparison of two metrics gates the save in either arm
of its test; a save made every epoch by the same helper is still a resume checkpoint."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

EARLY_STOPPING = """\
import torch


class EarlyStopping:
    def __init__(self, patience=5, delta=0, path="checkpoint.pt"):
        self.patience = patience
        self.delta = delta
        self.path = path
        self.counter = 0
        self.best_score = None
        self.early_stop = False

    def __call__(self, val_loss, model, optimizer, epoch):
        score = -val_loss
        if self.best_score is None:
            self.best_score = score
            self.save_checkpoint(model, optimizer, epoch)
        elif score < self.best_score + self.delta:
            self.counter += 1
            if self.counter >= self.patience:
                self.early_stop = True
        else:
            self.best_score = score
            self.save_checkpoint(model, optimizer, epoch)
            self.counter = 0

    def save_checkpoint(self, model, optimizer, epoch):
        checkpoint = {
            "epoch": epoch,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
        }
        torch.save(checkpoint, self.path)
"""

TRAIN = """\
import torch
import torch.nn as nn

from early_stopping import EarlyStopping


def main(train_loader, valid_loader, epochs):
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 1, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min", patience=5)
    early_stopping = EarlyStopping(patience=7, path="unet.pt")
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = (model(x) - y).pow(2).mean()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            valid_loss = sum(float((model(x) - y).pow(2).mean()) for x, y in valid_loader)
        scheduler.step(valid_loss)
        early_stopping(valid_loss, model, optimizer=optimizer, epoch=epoch)
        if early_stopping.early_stop:
            break
"""

TEST = """\
import torch
import torch.nn as nn


def main(test_loader):
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 1, 1))
    checkpoint = torch.load("unet.pt")
    model.load_state_dict(checkpoint["model_state_dict"])
    model.eval()
    with torch.no_grad():
        for x, y in test_loader:
            print(float((model(x) - y).pow(2).mean()))
"""


def _findings(tmp_path: Path, early_stopping: str) -> list[tuple[str, str]]:
    found = lint_project(tmp_path, {"early_stopping.py": early_stopping, "train.py": TRAIN, "test.py": TEST})
    return sorted((Path(f.path).name, f.code) for f in found)


def test_snapshot_saved_in_the_else_of_no_improvement_is_an_export(tmp_path: Path) -> None:
    assert _findings(tmp_path, EARLY_STOPPING) == []


def test_the_same_helper_saving_every_epoch_keeps_a_resume_checkpoint(tmp_path: Path) -> None:
    every_epoch = EARLY_STOPPING.replace(
        "        score = -val_loss\n", "        score = -val_loss\n        self.save_checkpoint(model, optimizer, epoch)\n"
    )
    assert _findings(tmp_path, every_epoch) == [("early_stopping.py", "LC012")]
