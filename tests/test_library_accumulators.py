"""`add` on an object a library class builds is that class's method, out of sight: whether it keeps
what it is given cannot be told, so handing it a loss is no store (issue 7, survey project: a
quantization-aware LSTM built on the `d2l` teaching library, `metric = d2l.Accumulator(2)` then
`metric.add(l * d2l.size(y), d2l.size(y))`; `Accumulator.add` turns each value into a float; LC009
was reported). A set's `add` keeps the tensor, graph and all."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn
from d2l import torch as d2l


def train_epoch(net, train_iter, loss, updater):
    metric = METRIC
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y.long()).mean()
        updater.zero_grad()
        l.backward()
        updater.step()
        metric.add(l * y.numel())
    return metric


if __name__ == "__main__":
    net = nn.Linear(4, 2)
    train_epoch(net, [], nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.1))
"""


@pytest.mark.parametrize("metric, expected", [("d2l.Accumulator(2)", []), ("set()", [14])])
def test_add_of_a_library_object(metric: str, expected: list[int]) -> None:
    findings = lint_source(SCRIPT.replace("METRIC", metric), "train.py")[0]
    assert [f.line for f in findings if f.code == "LC009"] == expected
