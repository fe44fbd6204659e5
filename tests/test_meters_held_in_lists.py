"""A meter reached through an element of a list (`signals[i].update(loss)`), where every element the
function puts in the list is built by a project class (or by a name set to one of several, as a
setting picks: `AverageMeter = MovingAverageMeter` or `RunningAverageMeter`) whose `update` keeps
its argument, keeps the loss's graph as a meter bound to a name does (issue 7, survey project: a
mutual-distillation trainer logging each cohort model's losses in a list of meters was missed by
LC009). A meter class whose `update` keeps nothing (`self.last = float(val)`) is silent."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch


class MovingAverageMeter:
    def __init__(self, alpha=0.95):
        self.alpha = alpha
        self.avg = 0.0

    def update(self, val):
        self.avg = self.alpha * self.avg + (1 - self.alpha) * val


class RunningAverageMeter:
    def __init__(self):
        self.sum = 0.0
        self.count = 0

    def update(self, val, n=1):
        KEEP
        self.count += n


def train(models, optimizers, loader, epochs, moving):
    if moving:
        AverageMeter = MovingAverageMeter
    else:
        AverageMeter = RunningAverageMeter
    for epoch in range(epochs):
        signals = []
        for model in models:
            signals.append(AverageMeter())
        for x, y in loader:
            for i in range(len(models)):
                optimizers[i].zero_grad()
                loss = torch.nn.functional.cross_entropy(models[i](x), y)
                signals[i].update(loss)
                loss.backward()
                optimizers[i].step()
"""


@pytest.mark.parametrize("keep, expected", [("self.sum += val * n", [36]), ("self.sum += float(val) * n", [])])
def test_meters_in_a_list_keep_what_their_class_keeps(keep: str, expected: list[int]) -> None:
    findings = lint_source(SCRIPT.replace("KEEP", keep), "cohort.py")[0]
    assert [f.line for f in findings if f.code == "LC009"] == expected
