"""A model copied from a parameter (`local_model = copy.deepcopy(global_model)`) holds what the
callers pass for it, as a model moved to a device does; and a name a script copies from a star
import (`from FedAvg_2NN import *`, then `mlp_iid2 = copy.deepcopy(mlp)`) is the object the
imported module builds at its top level (issue 7, survey project: federated-averaging scripts whose
clients evaluate a copy of a two-layer MLP, with no dropout or batch norm, were reported by LC006
because neither copy could be traced to its class). The same copies of a model with dropout are
still reported."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

FEDAVG = """\
import copy
import torch
from torch import nn

device = "cpu"
test_inputs = torch.randn(8, 4)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def entropy_of(outputs):
    p = outputs.softmax(-1)
    return -(p * p.log()).sum(-1).mean().item()


def fedavg(global_model, loaders, rounds):
    for r in range(rounds):
        states = []
        for loader in loaders:
            local_model, entropy = client_training(global_model, loader)
            states.append(local_model.state_dict())
        global_model.load_state_dict(states[0])


def client_training(global_model, loader):
    local_model = copy.deepcopy(global_model)
    optimizer = torch.optim.SGD(local_model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(local_model(x), y).backward()
        optimizer.step()
    with torch.no_grad():
        test_outputs = local_model(test_inputs)
        entropy = entropy_of(test_outputs)
    return local_model, entropy


mlp = MLP()
"""

SCRIPT = """\
import sys
from FedAvg import *

m2 = copy.deepcopy(mlp)
fedavg(m2, [], 3)
"""


@pytest.mark.parametrize("dropout, expected", [(False, []), (True, [("LC006", 41)])])
def test_copies_hold_the_class_of_what_they_copy(tmp_path: Path, dropout: bool, expected: list[tuple[str, int]]) -> None:
    fedavg = FEDAVG.replace("nn.Linear(8, 2)", "nn.Sequential(nn.Dropout(0.5), nn.Linear(8, 2))") if dropout else FEDAVG
    findings = lint_project(tmp_path, {"FedAvg.py": fedavg, "G2.py": SCRIPT})
    assert [(f.code, f.line) for f in findings if f.path.endswith("FedAvg.py")] == expected
