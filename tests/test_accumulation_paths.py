"""LC010 judges the loss each backward uses on its own path: a division in the arm that steps
(`if i % k == 0: loss = loss / n; loss.backward(); optimizer.step()`) does not divide the loss the
other arm backwards (`else: loss.backward()`). A loss made through `functools.partial` of a
project function is made by that function, and Python's own `len()` divides nothing (issue 7,
survey project: a dependency parser stepping every 50 sentences whose other 49 backwards were
undivided)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

SCRIPT = """
from functools import partial

import torch
import torch.nn as nn


def nll(scores, target, nllloss):
    return nllloss(scores, target)


def train(net, loader, epochs=3, accumulate=8):
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    criterion = LOSS
    for epoch in range(epochs):
        weights = 0
        for i, (x, y) in enumerate(loader):
            loss = criterion(net(x), y)
            loss = loss * len(y)
            weights += len(y)
            if i % accumulate == 0:
                loss = loss / weights
                loss.backward()
                optimizer.step()
                net.zero_grad()
                weights = 0
            else:
                OTHER_ARM
"""
OTHER_ARM_LINE = 28


def _codes(tmp_path: Path, loss: str, other_arm: str) -> list[tuple[str, int]]:
    script = textwrap.dedent(SCRIPT).replace("LOSS", loss).replace("OTHER_ARM", other_arm)
    (tmp_path / "train.py").write_text(script)
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    return [(f.code, f.line) for f in found.findings]


@pytest.mark.parametrize("loss", ["nn.CrossEntropyLoss()", "partial(nll, nllloss=nn.NLLLoss())"])
def test_the_arm_that_does_not_step_backwards_an_undivided_loss(tmp_path: Path, loss: str) -> None:
    assert _codes(tmp_path, loss, "loss.backward()") == [("LC010", OTHER_ARM_LINE)]


@pytest.mark.parametrize("loss", ["nn.CrossEntropyLoss()", "partial(nll, nllloss=nn.NLLLoss())"])
def test_a_loss_divided_on_each_path_is_scaled(tmp_path: Path, loss: str) -> None:
    assert _codes(tmp_path, loss, "(loss / accumulate).backward()") == []


def test_a_partial_of_a_helper_that_reads_the_count_may_divide(tmp_path: Path) -> None:
    helper = "def nll(scores, target, nllloss):\n    return nllloss(scores, target) / accumulate\n"
    script = textwrap.dedent(SCRIPT).replace("LOSS", "partial(nll, nllloss=nn.NLLLoss())").replace("OTHER_ARM", "loss.backward()")
    script = script.replace("def nll(scores, target, nllloss):\n    return nllloss(scores, target)\n", helper)
    (tmp_path / "train.py").write_text(script)
    assert lint_paths([str(tmp_path)], root=str(tmp_path)).findings == []
