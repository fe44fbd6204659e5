"""`eval()` chained on any call hands back the module it is called on, in eval mode: a loader that
assigns `model = mode(model, True).eval()` (a project helper moving the model to the GPU, then
`eval()`) and returns `model` returns a model in eval mode (issue 7, survey project: a Tacotron 2
repository's `load_model`; its `infer(text, model)` was reported as run in training mode, LC006).
The same loader without `eval()` still returns a model in training mode."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))

    def forward(self, x):
        return self.body(x)


def mode(obj, model=False):
    if model and torch.cuda.is_available():
        obj = obj.cuda()
    return obj


def load_model(path):
    model = Net()
    model.load_state_dict(torch.load(path))
    model = MOVE
    return model


def infer(x, model):
    return model(x).argmax(1)


if __name__ == "__main__":
    model = load_model("model.pt")
    print(infer(torch.load("x.pt"), model))
"""


@pytest.mark.parametrize(
    "move, expected",
    [
        ("mode(model, True).eval()", ["LC007"]),
        ("mode(model, True).eval().float()", ["LC007"]),
        ("mode(model, True)", ["LC006", "LC007"]),
    ],
)
def test_eval_chained_on_a_helper_call(move: str, expected: list[str]) -> None:
    findings = lint_source(SCRIPT.replace("MOVE", move), "inference.py")[0]
    assert [f.code for f in findings] == expected
