"""A method of a project object that computes a loss, keeps it on the object and backwards it
(`self.loss_G = ...; self.loss_G.backward()` in a GAN holder's `backward_G`) leaves a tensor that
carries its graph: after `self.model.backward_G()`, `total_epochs_loss += self.model.loss_G` keeps
every iteration's graph alive (issue 7, survey project: a denoising GAN trainer's epoch loss was
missed by LC009). The value's `.item()`, or an attribute the method binds to a number, keeps
nothing."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import torch


class Holder:
    def __init__(self):
        self.net = torch.nn.Linear(4, 1)
        self.opt = torch.optim.Adam(self.net.parameters())

    def set_input(self, x, y):
        self.x, self.y = x, y

    def backward_G(self):
        self.opt.zero_grad()
        self.loss_G = torch.nn.functional.mse_loss(self.net(self.x), self.y)
        self.loss_G.backward()
        self.opt.step()
        self.loss_value = self.loss_G.item()


class Trainer:
    def __init__(self, loader):
        self.model = Holder()
        self.loader = loader

    def train(self, epochs):
        for epoch in range(epochs):
            total = 0
            for x, y in self.loader:
                self.model.set_input(x, y)
                self.model.backward_G()
                total += SUMMED
            print(total / len(self.loader))


Trainer([(torch.randn(2, 4), torch.randn(2, 1))]).train(2)
"""


def lc009(summed: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("SUMMED", summed), "train.py")[0] if f.code == "LC009"]


def test_a_loss_left_on_the_object_keeps_its_graph() -> None:
    assert lc009("self.model.loss_G") == [31]


@pytest.mark.parametrize("summed", ["self.model.loss_G.item()", "self.model.loss_value"])
def test_its_number_keeps_nothing(summed: str) -> None:
    assert lc009(summed) == []
