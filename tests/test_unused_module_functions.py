"""A function of a project module that no importer names never runs (issue 7, check half #270):
the scripts take only the model classes from `graph_model.py`, and the `def train(...)` left
beside them (keeping every loss's graph) is called by nothing. Named by an importer (imported,
reached through the module, or a star import that uses it), it runs; a module that no project
file imports may be run alone or by whoever installs it, and keeps its findings; so does a
module of an installable package (a setup.py at the root)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths, lint_source

LEFTOVER = """
def train(model, loader, optimizer):
    losses = []
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        losses.append(loss)
        loss.backward()
        optimizer.step()
    return losses
"""

MODEL = """
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 2)

    def forward(self, x):
        return self.layer(x)


LEFTOVER
"""

SCRIPT = """
import torch
IMPORT

model = Classifier()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(10):
    CALL
"""

OWN_LOOP = """for x, y in loader:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()"""


def lint(tmp_path: Path, imports: str, call: str, script: bool = True, setup: bool = False) -> list[tuple[str, str]]:
    (tmp_path / "graph_model.py").write_text(textwrap.dedent(MODEL.replace("LEFTOVER", LEFTOVER)))
    if script:
        (tmp_path / "run.py").write_text(textwrap.dedent(SCRIPT.replace("IMPORT", imports).replace("CALL", call)))
    if setup:
        (tmp_path / "setup.py").write_text("from setuptools import setup\n\nsetup(name='graphs', py_modules=['graph_model'])\n")
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    return [(f.code, Path(f.path).name) for f in result.findings]


@pytest.mark.parametrize(
    "imports",
    [
        "from graph_model import Classifier",
        # (a star import whose importer names `train` only in a string or as an attribute)
        "from graph_model import *\nloader = make_loader(split='train')\nprint(getattr(args, 'train'), args.train)",
    ],
)
def test_a_function_no_importer_names_never_runs(tmp_path: Path, imports: str) -> None:
    assert lint(tmp_path, imports, OWN_LOOP) == []


@pytest.mark.parametrize(
    "imports, call",
    [
        ("from graph_model import Classifier, train", "train(model, loader, optimizer)"),
        ("import graph_model\nfrom graph_model import Classifier", "graph_model.train(model, loader, optimizer)"),
        ("import graph_model as gm\nClassifier = gm.Classifier", "gm.train(model, loader, optimizer)"),
        ("from graph_model import *", "train(model, loader, optimizer)"),
    ],
)
def test_a_function_an_importer_names_runs(tmp_path: Path, imports: str, call: str) -> None:
    assert lint(tmp_path, imports, call) == [("LC009", "graph_model.py")]


def test_a_module_nothing_imports_keeps_its_findings(tmp_path: Path) -> None:
    assert lint(tmp_path, "", "", script=False) == [("LC009", "graph_model.py")]


def test_an_installable_packages_functions_keep_their_findings(tmp_path: Path) -> None:
    assert lint(tmp_path, "from graph_model import Classifier", OWN_LOOP, setup=True) == [("LC009", "graph_model.py")]


SHADOWED = """
import torch
from torch import nn


LEFTOVER


def cora_train(nodes, loader):
    model = nn.Linear(4, 2)
    model.train()
    train = list(nodes[500:1500])
    batch = train[:256]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()


if __name__ == "__main__":
    CALL
"""


@pytest.mark.parametrize("call, expected", [("cora_train(nodes, loader)", []), ("train(model, loader, optimizer)", ["LC009"])])
def test_a_script_function_named_only_as_an_attribute_or_a_local_of_another_never_runs(call: str, expected: list[str]) -> None:
    # (`model.train()` and `train = list(...)` in `cora_train` do not name the script's `train`)
    found, errors = lint_source(textwrap.dedent(SHADOWED.replace("LEFTOVER", LEFTOVER).replace("CALL", call)), "graphsage_train.py")
    assert errors == []
    assert [f.code for f in found] == expected
