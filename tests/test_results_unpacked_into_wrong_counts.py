"""A statement that unpacks a project function's result into a number of names other than the
length of the tuple its every `return` hands back raises ValueError each time it runs: code after
it does not run, and a loop whose body always reaches it never completes an iteration (issue 7,
survey project: drug side-effect prediction scripts running `logits, predictions = model(graphs)`
over the test loader, then `acc, f, p, auroc = classification_metrics(...)` of a function returning
five values: the scripts crash on the first batch; LC007 was reported on the pass). A function
whose returns differ in length, a count that matches, and a raise after the loop leave the pass
reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


def classification_metrics(predictions, labels):
    acc = (predictions.argmax(1) == labels).float().mean().item()
    RETURNS


def predict(model, loader):
    model.eval()
    for x, y in loader:
        logits = model(x)
        INSIDE
    AFTER


if __name__ == "__main__":
    model = Net()
    model.load_state_dict(torch.load("model.pt"))
    predict(model, [])
"""


def _lc007(returns: str, inside: str, after: str = "pass") -> list[int]:
    source = SCRIPT.replace("RETURNS", returns).replace("INSIDE", inside).replace("AFTER", after)
    return [f.line for f in lint_source(source, "predict.py")[0] if f.code == "LC007"]


def test_a_loop_whose_body_always_raises_never_completes_its_pass() -> None:
    assert _lc007("return acc, acc, acc, acc, acc", "acc, f, p, auroc = classification_metrics(logits, y)") == []


@pytest.mark.parametrize(
    "returns, inside, after",
    [
        ("return acc, acc, acc, acc, acc", "acc, f, p, auroc, mcc = classification_metrics(logits, y)", "pass"),
        ("if acc > 0.5:\n        return acc, acc, acc, acc\n    return acc, acc, acc, acc, acc", "acc, f, p, auroc = classification_metrics(logits, y)", "pass"),
        ("return acc, acc, acc, acc, acc", "print(logits.argmax(1))", "acc, f, p, auroc = classification_metrics(logits, y)"),
    ],
)
def test_a_pass_that_can_complete_is_reported(returns: str, inside: str, after: str) -> None:
    assert _lc007(returns, inside, after) == [22 + returns.count("\n")]
