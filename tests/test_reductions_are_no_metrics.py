"""The largest value of a tensor is no prediction (issue 7, check half #271): a script that builds
a fresh model and compares two of its forwards (`torch.max(torch.abs(out_1 - out_2)).item()`)
checks the code, it scores nothing; `torch.max(out, 1)` picks the predicted class, a score of even
random weights (a baseline)."""
from __future__ import annotations

import textwrap

import pytest

from loopcheck.engine import lint_source

SOURCE = """
import torch
from torch import nn


class MetaNetwork(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n, n), nn.Dropout(0.5))

    def forward(self, support, labels, query):
        return self.body(query)


def check_dropout_off():
    model = MetaNetwork(5)
    model.eval()
    support, labels, query = torch.ones(5, 5), torch.arange(5), torch.ones(5, 5)
    first = model(support, labels, query)
    second = model(support, labels, query)
    USE


if __name__ == "__main__":
    check_dropout_off()
"""


def codes(use: str) -> list[str]:
    found, errors = lint_source(textwrap.dedent(SOURCE.replace("USE", use)), "check_dropout.py")
    assert errors == []
    return [f.code for f in found]


def test_comparing_two_forwards_scores_nothing() -> None:
    assert codes('print(f"largest difference {torch.max(torch.abs(first - second)).item():.10f}")') == []


@pytest.mark.parametrize("score", ["torch.max(first, 1)[1].eq(labels).float().mean()", "first.argmax(1).eq(labels).float().mean()"])
def test_predictions_scored_against_labels_are_a_baseline(score: str) -> None:
    assert codes(f"print({score})") == ["LC007"]


def test_a_difference_is_read_through_abs_only() -> None:
    import libcst as cst

    from loopcheck.model.evaluation import _a_difference

    assert [_a_difference(cst.parse_expression(text)) for text in ("torch.abs(a - b)", "(a - b).abs()", "a - b")] == [True] * 3
    # (an `abs()` given nothing, or given no difference, is none)
    assert [_a_difference(cst.parse_expression(text)) for text in ("abs()", "torch.abs(a)", "a + b")] == [False] * 3
