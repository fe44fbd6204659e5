"""A step under `(step + 1) % accumulation_steps == 0` with `accumulation_steps = 1` bound once at
the script's top level runs every iteration: nothing accumulates, so nothing needs dividing
(issue 7, survey project: a GPT-2 VQA baseline script; LC010 was reported). A count greater than
one, or one that a function parameter or local of the same name shadows, is still judged."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-6)
accumulation_steps = COUNT
loader = []


def train(loader, SHADOW):
    model.zero_grad()
    for step, (x, y) in enumerate(loader):
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        if (step + 1) % accumulation_steps == 0:
            optimizer.step()
            model.zero_grad()


for epoch in range(5):
    model.zero_grad()
    for step, (x, y) in enumerate(loader):
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        if (step + 1) % accumulation_steps == 0:
            optimizer.step()
            model.zero_grad()
train(loader, 4)
"""


def _lc010(count: str, shadow: str = "epochs") -> list[int]:
    source = SCRIPT.replace("COUNT", count).replace("SHADOW", shadow)
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC010"]


def test_a_count_of_one_accumulates_nothing() -> None:
    assert _lc010("1") == []


@pytest.mark.parametrize("count, shadow, expected", [("4", "epochs", [14, 24]), ("1", "accumulation_steps", [14])])
def test_other_counts_are_judged(count: str, shadow: str, expected: list[int]) -> None:
    assert _lc010(count, shadow) == expected
