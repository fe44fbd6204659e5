"""A model built anew in each iteration under a test of a setting the loop never changes (`if
args.model_type == "resnet": args.model = resnet50()` / `elif ... == "densenet": args.model =
densenet()`), and bound nowhere else, is built in every iteration of every run that works: the
test decides the same way each time, and a run where no arm builds it stops at its first use. The
model a helper leaves in eval mode is dropped (issue 7, survey project: semi-supervised training
over the parts of a dataset, one fresh backbone per part; LC008 was reported). A model built once
before the loop, or under a test the loop changes, is still reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import argparse

import torch
import torch.nn as nn


def fit(args):
    optimizer = torch.optim.SGD(args.model.parameters(), lr=0.1)
    for x, y in args.loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(args.model(x), y).backward()
        optimizer.step()
    args.model.eval()
    with torch.no_grad():
        return sum((args.model(x).argmax(1) == y).sum().item() for x, y in args.loader)


def train_parts(args):
BEFORE
    for part in args.parts:
        args.loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 4
BUILD
        print(part, fit(args))


parser = argparse.ArgumentParser()
parser.add_argument("--model_type", default="wide")
args = parser.parse_args()
args.parts = ["elbow", "hand"]
train_parts(args)
"""

ARMS = """\
        if args.model_type == "wide":
            args.model = nn.Sequential(nn.Linear(4, 64), nn.Dropout(0.5), nn.Linear(64, 2))
        elif args.model_type == "narrow":
            args.model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))"""


@pytest.mark.parametrize(
    "before, build, expected",
    [
        ("    pass", ARMS, []),
        ("    pass", "        args.model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))", []),
        (ARMS.replace("        ", "    "), "        pass", [26]),
        ("    pass", ARMS.replace("args.model_type ==", "part ==", 1), [26]),
        ("    pass", '        args.model_type = "wide" if part == "hand" else "narrow"\n' + ARMS, [27]),
    ],
)
def test_a_model_built_under_an_unchanging_setting_is_built_each_iteration(before: str, build: str, expected: list[int]) -> None:
    found = lint_source(SCRIPT.replace("BEFORE", before).replace("BUILD", build), "train_parts.py")[0]
    assert [f.line for f in found if f.code == "LC008"] == expected
