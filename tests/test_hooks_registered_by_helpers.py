"""A forward whose output is dropped delivers what forward hooks keep when the hooks were
registered earlier in the function, by the function itself or by a project helper it called (issue
7, survey project: a continual-learning drift analysis loads a checkpoint, calls `model.eval()`,
`activations, handles = register_activation_hooks(model, layers)`, then runs `_ = model(inputs)`
over a probe loader with grad on, keeping `activations[name].cpu()`, graphs and all: LC007 missed,
the dropped output read as a forward run to see that it runs). With no hook anywhere, a dropped
output over made-up input stays a check of the code."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

HOOKS = """\
def register_activation_hooks(model, names):
    activations = {}
    handles = []
    for name, module in model.named_modules():
        if name in names:
            handles.append(module.register_forward_hook(_keep(activations, name)))
    return activations, handles


def _keep(activations, name):
    def hook(module, inputs, output):
        activations[name] = output
    return hook


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
"""

ANALYSE = """\
import torch
import torch.nn as nn

from hooks import HELPER


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)

    def forward(self, x):
        return self.fc(x)


def main(probe_loader, path):
    model = Net()
    model.load_state_dict(torch.load(path))
    model.eval()
    result = HELPER(model, ["fc"])
    collected = []
    for batch_idx, (inputs, labels) in enumerate(probe_loader):
        _ = model(inputs)
        collected.append(result[0]["fc"].cpu().float())
    torch.save(torch.cat(collected), "activations.pt")


if __name__ == "__main__":
    main([], "model.pt")
"""


@pytest.mark.parametrize("helper, expected", [("register_activation_hooks", [23]), ("count_parameters", [])])
def test_hooks_a_helper_registers_make_the_forward_deliver(tmp_path: Path, helper: str, expected: list[int]) -> None:
    findings = lint_project(tmp_path, {"hooks.py": HOOKS, "analyse.py": ANALYSE.replace("HELPER", helper)})
    assert [f.line for f in findings if f.code == "LC007"] == expected
