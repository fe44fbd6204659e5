"""A training helper's parameters stand for what its callers pass (issue 7, survey project: a
multi-task ranking repository whose `train_model(model, ..., optimizer)` puts the model in eval mode
for validation each epoch and never back in training mode; `main.py` calls it with `esmm` and
`Adam(esmm.parameters())`, then with `mmoe`, a model of another class, and its own optimizer). Whether the step after the
switch updates the switched model is told from the names the calls give the two parameters, not
from the parameter's own name, which no optimizer is built over (LC008 was silent). A model the
callers pass that the optimizer does not update (a frozen teacher) still stays silent."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

MODELS = """\
import torch.nn as nn


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Dropout(0.2), nn.Linear(16, 1))

    def forward(self, x):
        return self.net(x)


class Experts(nn.Module):
    def __init__(self, n=3):
        super().__init__()
        self.experts = nn.ModuleList(nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.1)) for _ in range(n))
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        return self.head(sum(expert(x) for expert in self.experts))
"""

TRAIN = """\
import torch


def train_model(model, train_loader, val_loader, epochs, loss_function, optimizer):
    for epoch in range(epochs):
        for x, y in train_loader:
            loss = loss_function(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            total = 0.0
            for x, y in val_loader:
                total += float(loss_function(model(x), y))
        print(epoch, total)
"""

MAIN_TWO_MODELS = """\
import torch
import torch.nn as nn

from models import Experts, Tower
from model_train import train_model


def main(train_loader, val_loader):
    loss = nn.BCEWithLogitsLoss()
    esmm = Tower()
    optimizer = torch.optim.Adam(esmm.parameters(), lr=0.01)
    train_model(esmm, train_loader, val_loader, 20, loss, optimizer)
    mmoe = Experts(4)
    optimizer = torch.optim.Adam(mmoe.parameters(), lr=0.01)
    train_model(mmoe, train_loader, val_loader, 20, loss, optimizer)
"""

MAIN_ONE_MODEL = """\
import torch
import torch.nn as nn

from models import Tower
from model_train import train_model


def main(train_loader, val_loader):
    net = Tower()
    sgd = torch.optim.SGD(net.parameters(), lr=0.1)
    train_model(net, train_loader, val_loader, 5, nn.BCEWithLogitsLoss(), sgd)
"""

TRAIN_WITH_TEACHER = """\
import torch


def distil(student, teacher, loader, optimizer):
    for epoch in range(10):
        teacher.eval()
        for x, y in loader:
            with torch.no_grad():
                target = teacher(x)
            loss = (student(x) - target).pow(2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
"""

MAIN_TEACHER = """\
import torch

from models import Tower
from distil import distil


def main(loader):
    small, big = Tower(), Tower()
    optimizer = torch.optim.Adam(small.parameters())
    distil(small, big, loader, optimizer)
"""


def _findings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    return sorted((Path(f.path).name, f.line, f.code) for f in lint_project(tmp_path, files))


def test_eval_left_on_a_model_the_callers_pass_under_other_names(tmp_path: Path) -> None:
    files = {"models.py": MODELS, "model_train.py": TRAIN, "main.py": MAIN_TWO_MODELS}
    assert _findings(tmp_path, files) == [("model_train.py", 11, "LC008")]


def test_eval_left_on_a_model_passed_by_one_caller(tmp_path: Path) -> None:
    files = {"models.py": MODELS, "model_train.py": TRAIN, "main.py": MAIN_ONE_MODEL}
    assert _findings(tmp_path, files) == [("model_train.py", 11, "LC008")]


def test_restored_mode_is_still_clean(tmp_path: Path) -> None:
    restored = TRAIN.replace("    for epoch in range(epochs):\n", "    for epoch in range(epochs):\n        model.train()\n")
    files = {"models.py": MODELS, "model_train.py": restored, "main.py": MAIN_TWO_MODELS}
    assert _findings(tmp_path, files) == []


def test_a_teacher_the_callers_pass_outside_the_optimizer_may_stay_in_eval_mode(tmp_path: Path) -> None:
    files = {"models.py": MODELS, "distil.py": TRAIN_WITH_TEACHER, "main.py": MAIN_TEACHER}
    assert _findings(tmp_path, files) == []
