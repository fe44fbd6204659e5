"""A model built from a class held in a name or an attribute (issue 7, survey project: a DQN agent
choosing `self._net_cls = CNNQNetwork` or `MLPQNetwork` by an option, after a bare annotation
`self._net_cls: type[nn.Module]`, building `self.q = self._net_cls(...).to(device)`, and rebuilding
it in another method from a `net_cls` parameter its `load()` passes, chosen the same way). Every
assignment of the name is read: when none of the classes it may hold has dropout or batch norm,
greedy evaluation without `eval()` changes nothing (LC006 was reported); when one has, the pass is
still reported."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

NETWORKS = """\
import torch.nn as nn


class MLPQNetwork(nn.Module):
    def __init__(self, n_in, n_out, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))

    def forward(self, x):
        return self.net(x)


class CNNQNetwork(nn.Module):
    def __init__(self, n_in, n_out, hidden=64):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(1, 8, 3, padding=1), nn.ReLU())
        self.head = nn.Linear(8 * n_in, n_out)

    def forward(self, x):
        return self.head(self.conv(x.unsqueeze(1)).flatten(1))
"""

AGENT = """\
import torch
import torch.nn as nn

from networks import CNNQNetwork, MLPQNetwork


class Agent:
    def __init__(self, n_in, n_out, arch):
        self._net_cls: type[nn.Module]
        if arch == "cnn":
            self._net_cls = CNNQNetwork
        else:
            self._net_cls = MLPQNetwork
        self.q = self._net_cls(n_in, n_out).to("cpu")
        self.optimizer = torch.optim.Adam(self.q.parameters())

    def _rebuild(self, net_cls, hidden):
        self.q = net_cls(4, 2, hidden=hidden)
        self.optimizer = torch.optim.Adam(self.q.parameters())

    def load(self, arch, hidden):
        if arch == "mlp":
            net_cls = MLPQNetwork
        else:
            net_cls = CNNQNetwork
        self._net_cls = net_cls
        self._rebuild(net_cls, hidden)

    def update(self, batch):
        x, target = batch
        loss = (self.q(x).max(1).values - target).pow(2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def evaluate(self, states):
        with torch.no_grad():
            return [int(self.q(s.unsqueeze(0)).argmax()) for s in states]


def run(batches, states):
    agent = Agent(4, 2, "mlp")
    for epoch in range(10):
        for batch in batches:
            agent.update(batch)
        print(agent.evaluate(states))
"""


def _findings(tmp_path: Path, networks: str) -> list[tuple[str, str]]:
    found = lint_project(tmp_path, {"networks.py": networks, "agent.py": AGENT})
    return sorted((Path(f.path).name, f.code) for f in found)


def test_classes_without_mode_layers_held_in_an_attribute_need_no_eval(tmp_path: Path) -> None:
    assert _findings(tmp_path, NETWORKS) == []


@pytest.mark.parametrize("layer", ["nn.Dropout(0.2)", "nn.BatchNorm1d(8)"])
def test_one_class_with_mode_layers_among_those_held_is_reported(tmp_path: Path, layer: str) -> None:
    networks = NETWORKS.replace("nn.Conv1d(1, 8, 3, padding=1), nn.ReLU()", f"nn.Conv1d(1, 8, 3, padding=1), {layer}, nn.ReLU()")
    assert _findings(tmp_path, networks) == [("agent.py", "LC006")]
