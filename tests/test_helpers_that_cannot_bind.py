"""A project function whose every run makes, at its top level, a call whose arguments cannot bind
to the callee's parameters (`ImageDataset(data_dir, ds, transform=t)` for an `__init__(self,
data_dir, ds)`) raises TypeError each time: a call of it stops its caller there, and the
evaluation pass after that call never runs (issue 7, survey project: attack-evaluation scripts
copied into experiment folders whose dataset class takes no `transform`; LC007 was reported on
their passes). A call that binds, one made only under an `if`, and one after a `return` of an
earlier test leave the pass reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class ImageDataset:
    def __init__(self, data_dir, ds):
        self.items = [(torch.randn(2, 4), torch.randint(0, 2, (2,)))]

    def __iter__(self):
        return iter(self.items)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


def load_data(data_dir, ds, cached):
BODY
    return dataset


def main():
    loader = load_data("data", "test", False)
    net = Net()
    net.load_state_dict(torch.load("net.pt"))
    net.eval()
    correct = 0
    for x, y in loader:
        correct += (net(x).argmax(1) == y).sum().item()
    print(correct)


if __name__ == "__main__":
    main()
"""

PASS_LINE = 34


@pytest.mark.parametrize(
    "body, expected",
    [
        ("    dataset = ImageDataset(data_dir, ds, transform=None)", []),
        ("    dataset = ImageDataset(data_dir, ds, None)", []),
        ("    with open(data_dir) as f:\n        dataset = ImageDataset(data_dir, ds, transform=None)", []),
        ("    dataset = ImageDataset(data_dir, ds)", [PASS_LINE]),
        ("    dataset = ImageDataset(data_dir, ds)\n    if cached:\n        dataset = ImageDataset(data_dir, ds, transform=None)", [PASS_LINE + 2]),
        ("    if cached:\n        return []\n    dataset = ImageDataset(data_dir, ds, transform=None)", [PASS_LINE + 2]),
    ],
)
def test_a_helper_that_cannot_bind_stops_its_callers(body: str, expected: list[int]) -> None:
    found = lint_source(SCRIPT.replace("BODY", body), "attack.py")[0]
    assert [f.line for f in found if f.code == "LC007"] == expected
