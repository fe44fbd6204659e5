"""`.numpy()` raises on a tensor that requires grad, so a forward of a model the project does not
define (one loaded whole) whose output, bound to a name,
later reaches `.numpy()` through methods that keep a graph (`out = loaded.forward(x)`, then
`print(out.numpy())` or `out.cpu().numpy()`) builds no graph when the code runs: its model
returns detached values, or grad is off out of sight (issue 7, check half #338: a conversion
script checks a reloaded TorchScript module whose forward returns `guess.detach()`, and LC007
reported the pass). Detached on the way (`out.detach().numpy()`), bound again before, or read
through a method whose result needs no grad (`out.argmax(1).numpy()`), or picked out of what may
be a tuple or dict of outputs (`out[0]['labels']`), it proves nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

SOURCE = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


def train(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


model = Net()
train(model, [])
torch.save(model, "model.pt")
loaded = torch.load("model.pt")
loaded.eval()
test_x = torch.randn(8, 4)
out = loaded.forward(test_x)
%s
print(%s)
"""


def _codes(tmp_path: Path, between: str, read: str) -> list[tuple[int, str]]:
    files = {"convert.py": SOURCE % (between, read)}
    return sorted((f.line, f.code) for f in lint_project(tmp_path, files) if f.code == "LC007")


@pytest.mark.parametrize("read", ["out.numpy()", "out.cpu().numpy()", "out[:, 0].squeeze().numpy()"])
def test_an_output_read_by_numpy_carries_no_graph(tmp_path: Path, read: str) -> None:
    assert _codes(tmp_path, "pass", read) == []


@pytest.mark.parametrize("read", ["out.detach().numpy()", "out.argmax(1).numpy()", "out.tolist()", "out[0]['labels'].numpy()"])
def test_an_output_read_otherwise_is_reported(tmp_path: Path, read: str) -> None:
    assert _codes(tmp_path, "pass", read) == [(28, "LC007")]


def test_an_output_bound_again_before_numpy_is_reported(tmp_path: Path) -> None:
    assert _codes(tmp_path, "out = test_x * 2", "out.numpy()") == [(28, "LC007")]
