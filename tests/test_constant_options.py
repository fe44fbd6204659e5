"""A command-line flag that no command line can change decides the tests on it (issue 7, check
half #270): `add_argument("--fastmode", action="store_true", default=True)` is True whether given
or not, so `if not args.fastmode:` never runs, in the script or in a helper handed
`fastmode=args.fastmode`. A flag with `default=False`, or one the code sets itself, decides
nothing."""
from __future__ import annotations

import textwrap

import pytest

from loopcheck.engine import lint_source
from loopcheck.model.build import constant_options

SCRIPT = """
import argparse
import torch
import torch.nn.functional as F
from torch import nn


def train(epoch, model, optimizer, x, y, fastmode):
    model.train()
    optimizer.zero_grad()
    output = model(x)
    F.cross_entropy(output, y).backward()
    optimizer.step()
    if not fastmode:
        model.eval()
        output = model(x)
    return F.cross_entropy(output, y).item()


parser = argparse.ArgumentParser()
parser.add_argument("--fastmode", action="store_true", default=DEFAULT, help="Validate (or not) during training.")
parser.add_argument("--epochs", type=int, default=200)
args = parser.parse_args()
SETS
model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
optimizer = torch.optim.Adam(model.parameters())
for epoch in range(args.epochs):
    train(epoch, model, optimizer, x, y, fastmode=args.fastmode)
"""


def codes(default: str, sets: str = "") -> list[str]:
    found, errors = lint_source(textwrap.dedent(SCRIPT.replace("DEFAULT", default).replace("SETS", sets)), "train.py")
    assert errors == []
    return [f.code for f in found]


def test_a_flag_always_set_rules_out_its_arm() -> None:
    assert codes("True") == []


@pytest.mark.parametrize("sets", ["", "args.fastmode = len(x) > 100", "parser.set_defaults(fastmode=False)"])
def test_a_flag_the_command_line_or_the_code_can_change_decides_nothing(sets: str) -> None:
    default = "False" if not sets else "True"
    assert codes(default, sets) == ["LC007"]


def test_the_options_read_from_the_text() -> None:
    text = """
parser.add_argument("--fastmode", action="store_true", default=True, help="Validate (during) training.")
parser.add_argument('--no-cuda', action='store_true', default=False)
parser.add_argument('-q', '--quiet-mode', action='store_false', default=False)
parser.add_argument('--keep', action='store_true', dest='keep_all', default=True)
parser.add_argument('--tuned', action='store_true', default=True)
args.tuned = False
run(fastmode=args.fastmode)
"""
    assert constant_options(text) == {"fastmode": True, "quiet_mode": False, "keep_all": True}
