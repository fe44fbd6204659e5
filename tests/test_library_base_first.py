"""A class that inherits from a library class before a project class (`class ModuleList(nn.ModuleList,
Module)`, where the project's `Module.__init__(self)` takes no argument) is built by the library
class's `__init__`, the first in the order Python looks methods up: `ModuleList([layer, ...])` binds
(issue 7, check half #339: a captioning project's decoder builds its layers so, loopcheck took the
call for a TypeError on every run, and the training script's findings were dropped as code that
never runs). With the project class first, the call that cannot bind still stops the run."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

CONTAINERS = """\
import torch.nn as nn


class Module(nn.Module):
    def __init__(self):
        super().__init__()
        self._states = []


class ModuleList(%s):
    pass
"""

MODEL = """\
import torch.nn as nn
from containers import Module, ModuleList


class Decoder(Module):
    def __init__(self, n):
        super().__init__()
        self.layers = ModuleList([nn.Linear(4, 4) for _ in range(n)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
"""

TRAIN = """\
import torch
from model import Decoder


def train(model, loader, optimizer):
    for x, y in loader:
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    model = Decoder(3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train(model, [], optimizer)
"""


@pytest.mark.parametrize(("bases", "expected"), [("nn.ModuleList, Module", ["LC001"]), ("Module, nn.ModuleList", [])])
def test_the_first_base_in_lookup_order_builds_the_object(tmp_path: Path, bases: str, expected: list[str]) -> None:
    files = {"containers.py": CONTAINERS % bases, "model.py": MODEL, "train.py": TRAIN}
    assert sorted(f.code for f in lint_project(tmp_path, files) if f.path.endswith("train.py")) == expected
