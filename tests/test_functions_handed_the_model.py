"""A plain name bound out of sight (a star import of an installed library) that is called with
the model itself as an argument is a function over the model, not a model's forward (issue 7,
survey project: a pruning study calling `cp_model = round_model(model, device, train_loader)` after
each epoch, `round_model` coming from nowhere in sight but `from pylab import *`: LC006 and LC007
reported `round_model` as a model evaluated). Forwards run on data; the trained model run on the
test data with grad enabled is still reported."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

SCRIPT = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)
from pylab import *


def train(model, loader, optimizer):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


def test(model, loader):
    model.eval()
    with torch.no_grad():
        return sum(int((model(x).argmax(1) == y).sum()) for x, y in loader)


def main(train_loader, test_loader):
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(10):
        train(model, train_loader, optimizer)
        acc = test(model, test_loader)
        CALL


if __name__ == "__main__":
    main(None, None)
"""


def _findings(tmp_path: Path, call: str) -> list[tuple[str, str]]:
    found = lint_project(tmp_path, {"prune.py": SCRIPT.replace("CALL", call)})
    return sorted((f.code, f.message.split()[0]) for f in found)


@pytest.mark.parametrize(
    "call",
    [
        "cp_model = round_model(model, 'cpu', train_loader)\n        print(get_model_sparsity(cp_model))",
        "sparse = prune_model(model, 0.5, test_loader)",
    ],
)
def test_a_name_out_of_sight_handed_the_model_runs_no_forward(tmp_path: Path, call: str) -> None:
    assert _findings(tmp_path, call) == []


def test_the_model_run_on_the_test_data_is_still_an_evaluation(tmp_path: Path) -> None:
    call = "print([int(model(x).argmax()) for x, y in test_loader])"
    assert _findings(tmp_path, call) == [("LC007", "model")]
