"""A method of the module a DataParallel/DDP wrapper holds (`model.module.sample(16)`, the model
handed in as `DDP(Net())`) runs the wrapped model's layers in the mode the wrapper was last put in:
an evaluation pass of the wrapper, as `model(x)` is (issue 7, survey project: a DDPM trainer's
per-epoch sampling through `model.module.sample` in training mode was missed by LC006). The pass
after `model.eval()` is silent."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1), nn.Linear(4, 4))

    def forward(self, x, t):
        return self.body(x) * t

    def take_step(self, x, t):
        return x - self(x, t)

    def sample(self, batch_size):
        x = torch.randn(batch_size, 4)
        for t in range(100):
            x = self.take_step(x, t)
        return x


class Trainer:
    @torch.inference_mode()
    def test_sampling(self, model, batch_size):
        gen = model.module.sample(batch_size=batch_size)
        return gen

    def train(self, model, loader, optim, epochs):
        for epoch in range(epochs):
            for x, y in loader:
                optim.zero_grad()
                loss = (model(x, 1) - y).pow(2).mean()
                loss.backward()
                optim.step()
            self.test_sampling(model, 16)


net = nn.parallel.DistributedDataParallel(Net())
Trainer().train(net, [], torch.optim.Adam(net.parameters()), 3)
"""


@pytest.mark.parametrize("switch, expected", [("", [26]), ("        model.eval()\n", [])])
def test_a_method_of_the_wrapped_module_is_a_pass_of_the_wrapper(switch: str, expected: list[int]) -> None:
    source = SCRIPT.replace("        gen = model.module", switch + "        gen = model.module")
    lines = [f.line for f in lint_source(source, "ddp.py")[0] if f.code == "LC006"]
    assert lines == [line + switch.count("\n") for line in expected]
