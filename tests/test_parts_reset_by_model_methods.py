"""A GAN's own methods reset the part they train (`self.D.zero_grad()` in `train_D`), stepping an
optimizer a trainer class built over that part in another of its methods (`self.D_optimizer =
Adam(self.gan.D.parameters())` in `compile()`) and hands in (issue 7, survey project: a course
assignment's DCGAN trainer; LC001 was reported for both optimizers). Seen from the training loop,
the zeroed module and the optimizer's module are one attribute of the same object. A part the
methods do not reset is still reported."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

GAN = """\
import torch
import torch.nn as nn


class GAN(nn.Module):
    def __init__(self):
        super().__init__()
        self.G = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
        self.D = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))

    def train_D(self, x, D_optimizer):
        self.D.zero_grad()
        fake = self.G(torch.randn(x.size(0), 8)).detach()
        loss = self.D(fake).mean() - self.D(x).mean()
        loss.backward()
        D_optimizer.step()
        return loss.item()

    def train_G(self, G_optimizer, batch_size):
        self.G.zero_grad()
        self.D.zero_grad()
        loss = -self.D(self.G(torch.randn(batch_size, 8))).mean()
        loss.backward()
        G_optimizer.step()
        return loss.item()
"""

TRAIN = """\
import torch

from gan import GAN


class Trainer:
    def __init__(self, lr):
        self.lr = lr
        self.compile()

    def compile(self):
        self.gan = GAN()
        self.G_optimizer = torch.optim.Adam(self.gan.G.parameters(), lr=self.lr)
        self.D_optimizer = torch.optim.Adam(self.gan.D.parameters(), lr=self.lr)

    def train(self, loader, epochs):
        for epoch in range(epochs):
            for batch_idx, x in enumerate(loader):
                d_loss = self.gan.train_D(x, self.D_optimizer)
                if batch_idx % 5 == 0:
                    g_loss = self.gan.train_G(self.G_optimizer, x.size(0))


if __name__ == "__main__":
    Trainer(1e-4).train([], 10)
"""


def _findings(tmp_path: Path, gan: str) -> list[tuple[str, str]]:
    return sorted((f.code, f.message.split()[0]) for f in lint_project(tmp_path, {"gan.py": gan, "train.py": TRAIN}))


def test_parts_reset_by_the_models_own_methods_are_reset(tmp_path: Path) -> None:
    assert _findings(tmp_path, GAN) == []


def test_a_part_no_method_resets_is_still_reported(tmp_path: Path) -> None:
    gan = GAN.replace("        self.G.zero_grad()\n        self.D.zero_grad()\n", "        self.D.zero_grad()\n")
    assert _findings(tmp_path, gan) == [("LC001", "self.G_optimizer.zero_grad()")]
