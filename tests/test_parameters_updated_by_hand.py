"""A loop that updates the parameters of the model it runs by hand trains that model: direct
feedback alignment (`model.layers[i].weight += lr * dW[i]` under `torch.no_grad()`), a Hebbian or
closed-form rule (`p.data.add_(-lr * d)` for each of `model.parameters()`), or a method of the
model that writes its own weights (`self.W -= lr * dW`). Its forwards are the training forwards,
not an evaluation pass, though no `backward()` runs (issue 7, survey project: a feedback-alignment
trainer read as evaluation, LC007 on each training loop). The same loop with the update taken out
only predicts, and stays an evaluation pass."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

PRELUDE = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 8), nn.Linear(8, 3)])
        self.W = nn.Parameter(torch.randn(3, 3))

    def forward(self, x):
        h = torch.relu(self.layers[0](x))
        return self.layers[1](h) @ self.W

    def feedback(self, error, lr):
        with torch.no_grad():
            self.W -= lr * error.T @ error

    def record(self, error):
        self.seen += 1


model = Net()
B = [torch.randn(8, 3)]
loader = [(torch.randn(16, 4), torch.randn(16, 3))] * 10
correct = 0
"""

LOOPS = {  # (each computes its accuracy, as an evaluation pass does)
    "augmented weight under no_grad": """\
for x, y in loader:
    out = model(x)
    correct += (out.argmax(1) == y.argmax(1)).sum().item()
    error = out - y
    with torch.no_grad():
        for i in range(len(B)):
            model.layers[i].weight += 0.01 * (error @ B[i].T).T @ x
""",
    "in-place update of each parameter": """\
for x, y in loader:
    out = model(x)
    correct += (out.argmax(1) == y.argmax(1)).sum().item()
    error = (out - y).mean()
    for p in model.parameters():
        p.data.add_(-0.01 * error * torch.ones_like(p))
""",
    "method that writes its own weights": """\
for x, y in loader:
    out = model(x)
    correct += (out.argmax(1) == y.argmax(1)).sum().item()
    model.feedback(out - y, 0.01)
""",
}

PREDICTING = """\
for x, y in loader:
    out = model(x)
    correct += (out.argmax(1) == y.argmax(1)).sum().item()
    error = out - y
    model.record(error)
    model.seen += 1
    print(error.abs().mean().item())
"""


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_a_loop_that_updates_weights_by_hand_is_no_evaluation(name: str) -> None:
    found = lint_source(PRELUDE + LOOPS[name], "train.py")[0]
    assert [f.code for f in found if f.code in ("LC006", "LC007")] == []


def test_a_loop_that_only_predicts_is_still_an_evaluation_pass() -> None:
    found = lint_source(PRELUDE + PREDICTING, "train.py")[0]
    assert sorted(f.code for f in found if f.code in ("LC006", "LC007")) == ["LC007"]


METER = """\
import torch
import torch.nn as nn


class Meter:
    def __init__(self):
        self.total = 0.0

    def update(self, value):
BODY


model = nn.Linear(4, 3)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
meter = Meter()
for x, y in [(torch.randn(16, 4), torch.randint(0, 3, (16,)))] * 10:
    loss = nn.functional.cross_entropy(model(x), y)
    meter.update(loss)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


@pytest.mark.parametrize(
    "body, expected",
    [
        ("        self.total += value", [18]),
        ("        with torch.no_grad():\n            self.total += value", []),
        ("        self.total += value.detach()", []),
    ],
)
def test_what_a_method_stores_under_no_grad_keeps_no_graph(body: str, expected: list[int]) -> None:
    """A method that stores its argument keeps the caller's graph, unless it stores it with grad
    off (the weight update of `Net.feedback` above: `self.W -= lr * ...` under `no_grad`)."""
    found = lint_source(METER.replace("BODY", body), "train.py")[0]
    assert [f.line for f in found if f.code == "LC009"] == expected
