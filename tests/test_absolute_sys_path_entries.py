"""An absolute folder a script puts on `sys.path` names, by its tail, a folder of the project as the
author's clone lay on their machine (issue 7, survey project: self-supervised video scripts in
`experiments/*/` run `sys.path.append("/home/<author>/<repo>/byol_3d")` then `from byol_3d import
BYOL`; the module is `byol_3d/byol_3d.py`, found through that folder, while the root's `byol_3d/`
folder, with no `__init__.py`, is only a namespace package, which loses to a module found anywhere
on the path. loopcheck took the namespace package for the import, said the import fails and left the
files unanalysed: 11 evaluation passes without `no_grad` missed). A tail that is no folder of the
project puts nothing of it on the path. And a file that sets its own path, every change a folder of
the project, imports a module of the project it puts on no path (older copies of the scripts under
`byol_examples/videos/` add `byol_3d/` only, then import `dataloader_3d` from `utils/`): the import
fails, none of the file runs (4 false alarms once the path was read). A folder given through a
path call (`sys.path.append(os.path.abspath("../train"))` in a results notebook) is the literal
folder: the model class is found there (2 LC006 of a ConvLSTM without dropout or batch norm, taken
for a class out of sight)."""
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


LOADER = """\
def get_data(batch_size):
    return []
"""


def _lint_with_loader(tmp_path: Path, path_lines: str) -> tuple[list[int], list[str]]:
    (tmp_path / "byol_3d").mkdir()
    (tmp_path / "utils").mkdir()
    (tmp_path / "experiments").mkdir()
    (tmp_path / "byol_3d" / "byol_3d.py").write_text(MODEL)
    (tmp_path / "utils" / "dataloader_3d.py").write_text(LOADER)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    script = SCRIPT.replace('sys.path.append("FOLDER")\nfrom byol_3d import BYOL\n', path_lines).replace(
        "import torch\n", "import torch\nfrom dataloader_3d import get_data\n", 1
    )
    (tmp_path / "experiments" / "train.py").write_text(script)
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    return [f.line for f in result.findings if f.code == "LC007"], [n.reason for n in result.notes]


def test_a_module_of_the_project_off_the_path_the_file_sets_fails_to_import(tmp_path: Path) -> None:
    # (the file puts only byol_3d/ on its path; the loader lives in utils/: ImportError, nothing runs)
    findings, notes = _lint_with_loader(tmp_path, 'sys.path.append("/home/author/repo/byol_3d")\nfrom byol_3d import BYOL\n')
    assert findings == []
    assert any("dataloader_3d" in note and "sys.path" in note for note in notes)


@pytest.mark.parametrize(
    "path_lines",
    [
        'sys.path.append("/home/author/repo/byol_3d")\nsys.path.append("/home/author/repo/utils")\nfrom byol_3d import BYOL\n',
        # a change that cannot be read, or none: the folder may be on the path the file is run with
        'sys.path.append("/home/author/repo/byol_3d")\nsys.path.insert(0, os.environ["UTILS"])\nfrom byol_3d import BYOL\n',
        "from byol_3d.byol_3d import BYOL\n",
    ],
)
def test_a_module_the_path_may_hold_is_imported(tmp_path: Path, path_lines: str) -> None:
    findings, _ = _lint_with_loader(tmp_path, "import os\n" + path_lines)
    assert findings == [16 + path_lines.count("\n")]


@pytest.mark.parametrize("added", ['os.path.abspath("../byol_3d")', 'str(Path("../byol_3d"))'])
def test_a_folder_given_through_a_path_call_is_read(tmp_path: Path, added: str) -> None:
    # (a notebook's `sys.path.append(os.path.abspath("../train"))`: the literal folder, taken from
    # the file's own folder)
    (tmp_path / "byol_3d").mkdir()
    (tmp_path / "experiments").mkdir()
    (tmp_path / "byol_3d" / "byol_3d.py").write_text(MODEL)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    script = SCRIPT.replace('sys.path.append("FOLDER")', f"import os\nfrom pathlib import Path\nsys.path.append({added})")
    (tmp_path / "experiments" / "train.py").write_text(script)
    findings = lint_paths([str(tmp_path)], root=str(tmp_path)).findings
    assert [(f.code, f.line) for f in findings] == [("LC007", 18)]
