"""A parameter that every call in the project leaves at its default of None, or gives `None`, or
hands on from a parameter of its caller that is None on every call, holds no object: whatever its
name says (`transformer`, `model`), calling it is no forward of a model (issue 7, survey project: a
data generator's `transformer=None` parameter, applied to NumPy arrays under `if transformer:`, was
taken for a transformer model evaluated with grad enabled). A parameter some call gives a model is
still one (LC006, LC007)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

SCRIPT = """
import torch
import torch.nn as nn


def evaluate(data, model=None):
    total = 0.0
    for x in data:
        total += model(x).sum().item()
    return total


REPORT
data = [torch.randn(8, 4) for _ in range(10)]
net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 1))
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for epoch in range(3):
    net.train()
    for x in data:
        opt.zero_grad()
        loss = net(x).pow(2).mean()
        loss.backward()
        opt.step()
    net.eval()
    print(CALL)
"""

PASS = 9  # the `model(x)` of evaluate()
REPORT = """
def report(data, model=None):
    return evaluate(data, model)

"""


def _findings(tmp_path: Path, call: str) -> list[tuple[str, int]]:
    script = textwrap.dedent(SCRIPT).replace("CALL", call).replace("REPORT\n", REPORT if "report" in call else "")
    (tmp_path / "train.py").write_text(script)
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    return [(f.code, f.line) for f in found.findings]


@pytest.mark.parametrize(
    "call",
    ["evaluate(data, None)", "evaluate(data)", "evaluate(data, model=None)", "report(data)", "report(data, None)"],
)
def test_a_parameter_no_call_gives_an_object_is_no_model(tmp_path: Path, call: str) -> None:
    assert _findings(tmp_path, call) == []


@pytest.mark.parametrize(
    "call", ["evaluate(data, net)", "report(data, net)", "evaluate(data, None), evaluate(data, net)", "report(data), report(data, model=net)"]
)
def test_a_parameter_some_call_gives_a_model_is_still_evaluated(tmp_path: Path, call: str) -> None:
    assert ("LC007", PASS) in _findings(tmp_path, call)

