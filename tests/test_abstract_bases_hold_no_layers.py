"""A project class deriving from the standard library's `abc.ABC` (a pix2pix-style `BaseModel(ABC)`
that holds networks and runs them in `forward()`) adds no layer of its own through that base: what
it may switch between modes is what it builds (issue 7, survey project: a denoising GAN holder whose
U-Net and discriminator hold no dropout or batch norm was reported by LC006 because its unseen base
was taken to hold some). A holder that builds a network with batch norm is still judged."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
from abc import ABC, abstractmethod

import torch


class BaseModel(ABC):
    def __init__(self, device):
        self.device = device

    @abstractmethod
    def forward(self):
        pass


class Generator(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), LAYER, torch.nn.Conv2d(8, 1, 3, padding=1))

    def forward(self, x):
        return self.net(x)


class Holder(BaseModel):
    def __init__(self, device):
        BaseModel.__init__(self, device)
        self.netG = Generator()
        self.optimizer = torch.optim.Adam(self.netG.parameters())

    def set_input(self, x, y):
        self.real, self.target = x, y

    def forward(self):
        self.fake = self.netG(self.real)

    def optimize(self):
        self.forward()
        self.optimizer.zero_grad()
        torch.nn.functional.mse_loss(self.fake, self.target).backward()
        self.optimizer.step()


def fit(model, train_loader, val_loader, epochs):
    for epoch in range(epochs):
        for x, y in train_loader:
            model.set_input(x, y)
            model.optimize()
        with torch.no_grad():
            for x, y in val_loader:
                model.set_input(x, y)
                model.forward()
                print(torch.nn.functional.mse_loss(model.fake, y).item())


loader = [(torch.randn(2, 1, 8, 8), torch.randn(2, 1, 8, 8))]
fit(Holder("cpu"), loader, loader, 2)
"""


def lc006(layer: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("LAYER", layer), "train.py")[0] if f.code == "LC006"]


def test_a_holder_of_networks_without_mode_layers_needs_no_eval() -> None:
    assert lc006("torch.nn.ReLU()") == []


def test_a_holder_of_a_network_with_batch_norm_is_judged() -> None:
    assert lc006("torch.nn.BatchNorm2d(8)") == [51]
