"""A helper that puts the model in eval mode and runs it, but hands no graph back, trains nothing
in eval mode (issue 7, check half #269): `s = measure(x, y, student)` returns a float, the loop's
loss was computed before the call, and the next iteration calls `student.train()` before its
forward. The same helper run on the teacher next (an attack object that runs whatever model it
holds) does not make the student's switch reach the loop's backward. A helper whose output feeds
the loss is still reported (LC008)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from loopcheck.engine import lint_paths

ATTACKS = """
import torch


class Attack:
    def __init__(self, model, eps):
        self.model = model
        self.eps = eps

    def __call__(self, images, labels):
        return self.forward(images, labels)


class PGD(Attack):
    def forward(self, images, labels):
        adv = images.clone().requires_grad_()
        for _ in range(10):
            cost = torch.nn.functional.cross_entropy(self.model(adv), labels)
            grad = torch.autograd.grad(cost, [adv])[0]
            adv = (adv + self.eps * grad.sign()).detach().requires_grad_()
        return adv.detach()
"""

THICKNESS = """
from attacks import PGD


def measure(x, y, model):
    model.eval()
    adv = PGD(model, eps=1.0)(x, y)
    output = model(adv)
    return RESULT
"""

TRAIN = """
import torch
from torch import nn
from thickness import measure

student = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.2), nn.Linear(8, 2))
teacher = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.2), nn.Linear(8, 2))
teacher.eval()
optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
for epoch in range(10):
    for x, y in loader:
        student.train()
        optimizer.zero_grad()
        with torch.no_grad():
            t = teacher(x)
        loss = nn.functional.kl_div(student(x), t)
        LOSS
        optimizer.step()
"""

MEASURED_AFTER_THE_LOSS = """s = measure(x, y, student)
        q = measure(x, y, teacher)
        (loss * (1.0 if s > q else 0.5)).backward()"""

MEASURED_INTO_THE_LOSS = """(loss + measure(x, y, student)).backward()"""


def lint(tmp_path: Path, result: str, loss: str) -> list[tuple[str, str]]:
    (tmp_path / "attacks.py").write_text(textwrap.dedent(ATTACKS))
    (tmp_path / "thickness.py").write_text(textwrap.dedent(THICKNESS.replace("RESULT", result)))
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN.replace("LOSS", loss)))
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert found.errors == []
    lines = (tmp_path / "train.py").read_text().splitlines()
    return [(f.code, lines[f.line - 1].strip()) for f in found.findings]


def test_a_helper_handing_no_graph_back_trains_nothing_in_eval_mode(tmp_path: Path) -> None:
    assert lint(tmp_path, "output.argmax(1).eq(y).float().mean().item()", MEASURED_AFTER_THE_LOSS) == []


def test_a_helper_whose_output_feeds_the_loss_does(tmp_path: Path) -> None:
    assert lint(tmp_path, "output.pow(2).mean()", MEASURED_INTO_THE_LOSS) == [
        ("LC008", "(loss + measure(x, y, student)).backward()")
    ]
