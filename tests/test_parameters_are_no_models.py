"""What `torch.nn` builds as a tensor is no model (issue 7, check half #268): `self.weight =
nn.Parameter(...)` is a parameter, so a model's method that returns `self.weight.detach()` runs
no forward, and calling it after training (`model.get_feature_directions()`) is no evaluation
pass. A method that runs a layer of the model still is one."""
from __future__ import annotations

import textwrap

import pytest

from loopcheck.engine import lint_source

SOURCE = """
import torch
from torch import nn


class ToyModel(nn.Module):
    def __init__(self, n, h):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, h))
        self.codes = nn.ParameterList([nn.Parameter(torch.zeros(h))])
        self.drop = nn.Dropout(0.1)
        self.project = nn.Linear(h, h)

    def forward(self, x):
        return self.drop(torch.relu(x @ self.weight @ self.weight.T))

    def directions(self):
        return METHOD


model = ToyModel(8, 2)
optimizer = torch.optim.Adam(model.parameters())
for x in loader:
    optimizer.zero_grad()
    ((model(x) - x) ** 2).mean().backward()
    optimizer.step()

directions = model.directions().cpu()
plot(directions)
"""


@pytest.mark.parametrize("method", ["self.weight.detach()", "self.codes[0].clone().detach()"])
def test_a_method_returning_parameters_runs_no_forward(method: str) -> None:
    found, errors = lint_source(textwrap.dedent(SOURCE.replace("METHOD", method)), "toy.py")
    assert errors == []
    assert [f.code for f in found] == []


def test_a_method_running_a_layer_does() -> None:
    found, _ = lint_source(textwrap.dedent(SOURCE.replace("METHOD", "self.project(self.weight)")), "toy.py")
    assert [f.code for f in found] == ["LC007"]
