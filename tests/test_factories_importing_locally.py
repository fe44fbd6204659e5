"""A factory that imports the module it builds from inside its own branches (`if dataset ==
"omniglot": import networks.network as net; return net.conv_net(n_way)` / `elif ...: import
networks.network_regression as net; return net.mlp(1, 1)`) builds, in each branch, the class of the
import that branch made: the classes a model so built may be are those, and whether it needs
`eval()` is asked of them (issue 7, check half #331: a MAML/Reptile assignment whose convolutional
net holds no dropout or batch norm was reported by LC006 at both trainers, the factory's `net`
taken to be the last import of the file). A copy of such a model (`net = deepcopy(self.net)`,
where the trainer keeps the model it is given) is the same class."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

FACTORY = """\
class ModelFactory:
    @staticmethod
    def get_model(dataset, n_way=5):
        if dataset == "omniglot":
            import networks.network as net
            return net.conv_net(n_way)
        elif dataset == "sine":
            import networks.network_regression as net
            return net.mlp(1, 1)
"""

NETWORK = """\
import torch.nn as nn


class conv_net(nn.Module):
    def __init__(self, n_way):
        super().__init__()
        self.body = LAYERS

    def forward(self, x):
        return self.body(x)
"""

REGRESSION = """\
import torch.nn as nn


class mlp(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.fc = nn.Linear(a, b)

    def forward(self, x):
        return self.fc(x)
"""

TRAINER = """\
from copy import deepcopy

import torch


class Trainer:
    def __init__(self, model, args):
        self.net = model
        self.args = args
        self.optimizer = torch.optim.Adam(self.net.parameters())

    def train(self, loader, epochs):
        for epoch in range(epochs):
            for x, y in loader:
                loss = torch.nn.functional.cross_entropy(self.net(x), y)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
            print(self.finetune(loader))

    def finetune(self, loader):
        net = deepcopy(self.net)
        correct = 0
        with torch.no_grad():
            for x, y in loader:
                correct += (net(x).argmax(1) == y).sum().item()
        return correct
"""

MAIN = """\
import torch

import networks
from trainer import Trainer


def main():
    model = networks.ModelFactory.get_model("omniglot", 5)
    loader = [(torch.randn(4, 8), torch.tensor([0, 1, 2, 3]))]
    Trainer(model, None).train(loader, 2)


if __name__ == "__main__":
    main()
"""


def lc006(tmp_path: Path, layers: str) -> list[tuple[str, int]]:
    (tmp_path / "networks").mkdir()
    files = {
        "networks/__init__.py": "from networks.model_factory import *\n",
        "networks/model_factory.py": FACTORY,
        "networks/network.py": NETWORK.replace("LAYERS", layers),
        "networks/network_regression.py": REGRESSION,
        "trainer.py": TRAINER,
        "main.py": MAIN,
    }
    return [(f.path.rsplit("/", 1)[-1], f.line) for f in lint_project(tmp_path, files) if f.code == "LC006"]


def test_classes_with_no_mode_layers_need_no_eval(tmp_path: Path) -> None:
    assert lc006(tmp_path, "nn.Linear(8, n_way)") == []


def test_a_class_of_the_branch_import_with_dropout_is_reported(tmp_path: Path) -> None:
    assert lc006(tmp_path, "nn.Sequential(nn.Dropout(0.5), nn.Linear(8, n_way))") == [("trainer.py", 26)]
