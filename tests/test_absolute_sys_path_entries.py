"""An absolute folder a script puts on `sys.path` names, by its tail, a folder of the project as the
author's clone lay on their machine (issue 7, survey project: self-supervised video scripts in
`experiments/*/` run `sys.path.append("/home/<author>/<repo>/byol_3d")` then `from byol_3d import
BYOL`; the module is `byol_3d/byol_3d.py`, found through that folder, while the root's `byol_3d/`
folder, with no `__init__.py`, is only a namespace package, which loses to a module found anywhere
on the path. loopcheck took the namespace package for the import, said the import fails and left the
files unanalysed: 11 evaluation passes without `no_grad` missed). A tail that is no folder of the
project puts nothing of it on the path."""
from __future__ import annotations

from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

MODEL = """\
import torch.nn as nn


class BYOL(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8))

    def forward(self, x, y):
        return ((self.net(x) - self.net(y)) ** 2).mean()
"""

SCRIPT = """\
import sys
sys.path.append("FOLDER")
from byol_3d import BYOL

import torch


def run_epoch(model, loader, optimizer, train=True):
    if train:
        model.train()
    else:
        model.eval()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = model(x, y)
        if train:
            loss.backward()
            optimizer.step()
        total += loss.item()
    return total


def main(train_loader, test_loader):
    model = BYOL()
    optimizer = torch.optim.Adam(model.parameters())
    for epoch in range(10):
        run_epoch(model, train_loader, optimizer)
        run_epoch(model, test_loader, optimizer, False)


if __name__ == "__main__":
    main([], [])
"""


def _lint(tmp_path: Path, folder: str) -> list[tuple[str, int]]:
    (tmp_path / "byol_3d").mkdir()
    (tmp_path / "experiments").mkdir()
    (tmp_path / "byol_3d" / "byol_3d.py").write_text(MODEL)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "experiments" / "train.py").write_text(SCRIPT.replace("FOLDER", folder))
    findings = lint_paths([str(tmp_path)], root=str(tmp_path)).findings
    return [(f.path.rsplit("/", 1)[-1], f.line) for f in findings if f.code == "LC007"]


@pytest.mark.parametrize("folder", ["/home/author/byol-pytorch/byol_3d", "/home/author/byol-pytorch/byol_3d/"])
def test_the_tail_of_an_absolute_folder_names_a_project_folder(tmp_path: Path, folder: str) -> None:
    findings = _lint(tmp_path, folder)
    assert findings == [("train.py", 16)]


def test_a_folder_outside_the_project_puts_nothing_of_it_on_the_path(tmp_path: Path) -> None:
    # the root's `byol_3d/` is a namespace package that holds no BYOL: importing the script fails
    findings = _lint(tmp_path, "/opt/site-packages")
    assert findings == []
