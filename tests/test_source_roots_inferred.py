"""A file whose imports name two or more modules of the project that no usual folder gives (a
notebook in `notebook/` importing `model` and `utils.evaluation`, both in `source/`) is run with the
one folder holding them all on its path (`PYTHONPATH`, an editor's source root): its imports resolve
there, and what it calls is seen (issue 7, survey project: a speech-emotion notebook calling
`create_confusion_matrix`, whose loop runs the model with grad enabled, was missed by LC007 because
the call could not be followed). One such name alone, two folders holding them all, or a file
that sets its own `sys.path`, resolve nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lintproject import lint_project

MODEL = """\
import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)
"""

EVALUATION = """\
import torch


def confusion(model, loader):
    cm = torch.zeros(2, 2)
    model.eval()
    for x, y in loader:
        pred = model(x).argmax(1)
        cm[y, pred] += 1
    return cm
"""

CELLS = [
    "from model import Net\nfrom utils.evaluation import confusion\n",
    "net = Net()\nloader = [(torch.randn(3, 4), torch.tensor([0, 1, 1]))]\n",
    "import torch\ncm = confusion(net, loader)\n",
]


def notebook(cells: list[str]) -> str:
    return json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c.splitlines(True)} for c in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }, indent=1)


def lc007(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    return [(Path(f.path).name, f.line) for f in lint_project(tmp_path, files) if f.code == "LC007"]


def test_the_folder_holding_every_imported_module_is_on_the_path(tmp_path: Path) -> None:
    files = {"notebook/eval.ipynb": notebook(CELLS), "source/model.py": MODEL, "source/utils/evaluation.py": EVALUATION}
    assert lc007(tmp_path, files) == [("evaluation.py", 8)]


@pytest.mark.parametrize(
    "files",
    [
        {
            "notebook/eval.ipynb": notebook(["from utils.evaluation import confusion\nfrom source.model import Net\n", *CELLS[1:]]),
            "source/model.py": MODEL, "source/utils/evaluation.py": EVALUATION,
        },
        {
            "notebook/eval.ipynb": notebook(CELLS), "source/model.py": MODEL, "source/utils/evaluation.py": EVALUATION,
            "old/model.py": MODEL, "old/utils/evaluation.py": EVALUATION,
        },
        {
            "notebook/eval.ipynb": notebook(["import sys\nsys.path.append('../elsewhere')\n", *CELLS]),
            "source/model.py": MODEL, "source/utils/evaluation.py": EVALUATION,
        },
    ],
    ids=["one name", "two folders", "a path the file sets"],
)
def test_no_folder_is_guessed(tmp_path: Path, files: dict[str, str]) -> None:
    assert lc007(tmp_path, files) == []
