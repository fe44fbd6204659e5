"""A model's method that runs only some of its parts is in eval mode when those parts are (issue
7, survey project: a DCGAN trainer whose `eval()` puts `self.gan.G` in eval mode and samples with
`self.gan.generate_img(z)`, a method of the GAN whose body runs only `self.G`: LC006 reported the
whole GAN as evaluated in training mode). The part is found from the method's body; a method that
also runs a part left in training mode is still reported."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

GAN = """\
import torch
import torch.nn as nn


class GAN(nn.Module):
    def __init__(self):
        super().__init__()
        self.G = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 4))
        self.D = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.3), nn.Linear(16, 1))

    def generate_img(self, z):
        return self.G(z)

    def score_img(self, z):
        return self.D(self.G(z))
"""

TRAIN = """\
import torch

from gan import GAN


class Trainer:
    def __init__(self):
        self.gan = GAN()
        self.G_optimizer = torch.optim.Adam(self.gan.G.parameters())
        self.D_optimizer = torch.optim.Adam(self.gan.D.parameters())

    def sample(self, latents):
        self.gan.G.eval()
        with torch.no_grad():
            return [METHOD(z) for z in latents]

    def train(self, loader, latents, epochs):
        for epoch in range(epochs):
            self.gan.G.train()
            for x in loader:
                self.D_optimizer.zero_grad()
                (self.gan.D(self.gan.G(torch.randn(x.size(0), 8)).detach()).mean() - self.gan.D(x).mean()).backward()
                self.D_optimizer.step()
                self.G_optimizer.zero_grad()
                (-self.gan.D(self.gan.G(torch.randn(x.size(0), 8))).mean()).backward()
                self.G_optimizer.step()
            print(self.sample(latents))


if __name__ == "__main__":
    Trainer().train([], [], 10)
"""


@pytest.mark.parametrize(
    "method, expected", [("self.gan.generate_img", []), ("self.gan.score_img", ["LC006"])]
)
def test_a_method_running_parts_in_eval_mode(tmp_path: Path, method: str, expected: list[str]) -> None:
    found = lint_project(tmp_path, {"gan.py": GAN, "train.py": TRAIN.replace("METHOD", method)})
    assert sorted(f.code for f in found) == expected
