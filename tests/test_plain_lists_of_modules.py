"""A model that keeps its layers in a plain Python list (`self.layers = [Layer(a, b) for ...]`, or
`self.layers = []` then `self.layers = self.layers + [Layer(a, b).to(device)]` in a loop) runs
those modules when a method loops over the list calling each: `net.predict(x_test)` runs the model,
an evaluation pass judged for grad mode like one over an `nn.ModuleList` (issue 7, survey miss: the
forward-forward MNIST example of pytorch/examples predicts the test set with grad enabled through
layers kept in a list so grown). A list of numbers is no list of modules."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import torch
import torch.nn as nn


class Layer(nn.Linear):
    def forward(self, x):
        return torch.relu(super().forward(x))


class Net(nn.Module):
    def __init__(self, dims):
        super().__init__()
LAYERS

    def predict(self, x):
        h = x
        for layer in self.layers:
            h = layer(h)
        return h.argmax(1)


net = Net([4, 8, 3])
optimizer = torch.optim.Adam(net.parameters())
for step in range(10):
    x = torch.randn(5, 4)
    loss = net.layers[0](x).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
x_te = torch.randn(5, 4)
print("test error:", net.predict(x_te).float().mean().item())
"""

COMPREHENSION = "        self.layers = [Layer(dims[d], dims[d + 1]) for d in range(len(dims) - 1)]"
GROWN = (
    "        self.layers = []\n"
    "        for d in range(len(dims) - 1):\n"
    "            self.layers = self.layers + [Layer(dims[d], dims[d + 1]).to('cpu')]"
)
MODULE_LIST = "        self.layers = nn.ModuleList([Layer(dims[d], dims[d + 1]) for d in range(len(dims) - 1)])"


def lc007(layers: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("LAYERS", layers), "ff.py")[0] if f.code == "LC007"]


@pytest.mark.parametrize("layers", [COMPREHENSION, GROWN, MODULE_LIST])
def test_a_list_of_modules_is_run_by_the_method_looping_over_it(layers: str) -> None:
    assert lc007(layers) == [31 + layers.count("\n")]


def test_a_list_of_numbers_runs_no_module() -> None:
    # (`self.layers = self.layers + [dims[d]]`: sizes, not modules; calling them is no model call)
    grown = GROWN.replace("[Layer(dims[d], dims[d + 1]).to('cpu')]", "[dims[d]]")
    assert lc007(grown) == []
