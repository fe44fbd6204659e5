"""Until PyTorch 1.1 the documented order was `scheduler.step()` at the start of each iteration,
before `optimizer.step()`. Code written against the API before 0.4 (`loss.data[0]`,
`Variable(x, volatile=True)`) predates 1.1 as well, also when those traces are in a project module
the training script imports (`import ops` whose `psnr()` reads `mse.data[0]`): LC004 stays silent
(issue 7, survey project: a 2018 SRGAN). A script whose project helpers are of today's API is
still reported."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

TRAIN = """
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import StepLR

import ops

net = nn.Linear(4, 1)
optimizer = torch.optim.Adam(net.parameters(), lr=1e-4)
scheduler = StepLR(optimizer, step_size=1000, gamma=0.1)
for it in range(1, 10000):
    scheduler.step()
    x = torch.randn(8, 4)
    optimizer.zero_grad()
    loss = ((net(x) - 1) ** 2).mean()
    loss.backward()
    optimizer.step()
    print(ops.psnr(loss))
"""

OPS = {
    "old": "from math import log10\n\n\ndef psnr(mse):\n    return 10. * log10(1. / mse.data[0])\n",
    "volatile": "from torch.autograd import Variable\n\n\ndef psnr(mse):\n    v = Variable(mse, volatile=True)\n    return 10. * float(v)\n",
    "today": "from math import log10\n\n\ndef psnr(mse):\n    return 10. * log10(1. / mse.item())\n",
}


def _codes(tmp_path: Path, ops: str) -> list[tuple[str, int]]:
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN))
    (tmp_path / "ops.py").write_text(OPS[ops])
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    return [(f.code, f.line) for f in found.findings]


@pytest.mark.parametrize("ops", ["old", "volatile"])
def test_a_script_whose_helpers_are_written_for_old_torch_steps_its_scheduler_first(tmp_path: Path, ops: str) -> None:
    assert _codes(tmp_path, ops) == []


def test_a_script_whose_helpers_are_of_todays_api_is_reported(tmp_path: Path) -> None:
    assert _codes(tmp_path, "today") == [("LC004", 12)]
