"""A dropout or batch-norm layer that the class builds and applies only in a line commented out
(`self.drop = nn.Dropout(0.4)`, then `#  x = self.drop(x)` in forward) is never run: the model
behaves the same in both modes and its evaluation needs no `eval()` (issue 7, survey project: a
cell-type classifier whose dropout was switched off by commenting out its use, LC006 reported on
its prediction helpers). The same layer applied is reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Linear(8, 3)
        self.drop = nn.Dropout(p=0.4)

    def forward(self, x):
USE
        x = self.out(x)
        return x


model = Model()
optimizer = torch.optim.Adam(model.parameters())
for x, y in [(torch.randn(4, 8), torch.randint(0, 3, (4,)))] * 5:
    loss = nn.functional.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    for x, y in [(torch.randn(4, 8), torch.randint(0, 3, (4,)))] * 5:
        correct = (model(x).argmax(1) == y).sum().item()
"""


@pytest.mark.parametrize(
    "use, expected",
    [("        x = self.drop(x)", [27]), ("#        x = self.drop(x)", []), ("        # x = self.drop(x)", [])],
)
def test_a_layer_applied_only_in_a_comment_runs_nothing(use: str, expected: list[int]) -> None:
    found = lint_source(SCRIPT.replace("USE", use), "train.py")[0]
    assert [f.line for f in found if f.code == "LC006"] == expected
