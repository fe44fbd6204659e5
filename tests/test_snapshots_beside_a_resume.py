"""A resume checkpoint saved with the optimizer's state every iteration (`latest.pt`), and under a
further test numbered snapshots of the weights (`if it % 25 == 0:` `iter_00025.pt`): whenever a
snapshot is made, the state to resume from is saved beside it, so the snapshot is an archive of
weights and lacking the optimizer is no LC012 (issue 7, survey project: an AlphaZero trainer whose
Elo snapshots were reported). A snapshot under a test the resume checkpoint is not under, or a
`latest.pt` without the optimizer, is still reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn

net = nn.Linear(8, 3)
opt = torch.optim.Adam(net.parameters())
for it in range(1, 1001):
    x, y = torch.randn(4, 8), torch.randint(0, 3, (4,))
    opt.zero_grad()
    nn.functional.cross_entropy(net(x), y).backward()
    opt.step()
    if it % 5 == 0:
LATEST
        if SNAPSHOT_TEST:
            torch.save({"state_dict": net.state_dict(), "iter": it}, f"iter_{it:05d}.pt")
"""

WITH_OPTIMIZER = '        torch.save({"state_dict": net.state_dict(), "opt": opt.state_dict(), "iter": it}, "latest.pt")'
WITHOUT = '        torch.save({"state_dict": net.state_dict(), "iter": it}, "latest.pt")'


def lc012(latest: str, test: str) -> list[int]:
    source = SCRIPT.replace("LATEST", latest).replace("SNAPSHOT_TEST", test)
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC012"]


def test_a_snapshot_made_only_beside_the_resume_checkpoint_is_an_archive() -> None:
    assert lc012(WITH_OPTIMIZER, "it % 25 == 0") == []


def test_a_resume_checkpoint_without_the_optimizer_is_reported_with_its_snapshots() -> None:
    assert lc012(WITHOUT, "it % 25 == 0") == [12, 14]


@pytest.mark.parametrize("where", ["else", "outside"])
def test_a_snapshot_made_where_the_resume_checkpoint_is_not_is_reported(where: str) -> None:
    source = SCRIPT.replace("LATEST", WITH_OPTIMIZER).replace("SNAPSHOT_TEST", "it % 25 == 0")
    if where == "else":
        source = source.replace("        if it % 25 == 0:\n", "    else:\n        if it % 25 == 0:\n")
    else:
        source = source.replace("        if it % 25 == 0:\n            torch.save", "    if it % 3 == 0:\n        torch.save")
    assert [f.code for f in lint_source(source, "train.py")[0]] == ["LC012"]
