"""`optimizer.step(closure)` runs its closure before it steps, whatever the closure is: a function of
the file, or a bound method of a project class (`self.optimizer.step(self.loss_closure)`, LBFGS in a
physics-informed network trained by a class of its own). The closure's reset and backward come
before the step on that path, as when the same method is called directly on the Adam path (issue 7,
survey project: a PINN trainer class). A closure method without the reset is still reported (LC001)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

TRAINER = """
import torch
import torch.nn as nn


class PINN(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
        self.x = torch.randn(64, 2)
        self.init_optimizer()

    def init_optimizer(self):
        if self.kind == "lbfgs":
            self.optimizer = torch.optim.LBFGS(self.model.parameters(), lr=1.0)
        else:
            self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def loss_closure(self):
        loss = self.model(self.x).pow(2).mean()
        RESET
        loss.backward()
        return loss

    def fit(self, num_iter):
        for _ in range(num_iter):
            if self.kind == "lbfgs":
                self.optimizer.step(self.loss_closure)
            else:
                self.loss_closure()
                self.optimizer.step()
"""

SCRIPT = """
from pinn import PINN

trainer = PINN("lbfgs")
for _ in range(10):
    trainer.optimizer.step(trainer.loss_closure)
"""


def _codes(tmp_path: Path, reset: str, script: bool = False) -> list[tuple[str, int]]:
    (tmp_path / "pinn.py").write_text(textwrap.dedent(TRAINER).replace("RESET", reset))
    if script:
        (tmp_path / "train.py").write_text(textwrap.dedent(SCRIPT).replace("RESET", reset))
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    return [(f.code, f.line) for f in found.findings]


@pytest.mark.parametrize("script", [False, True], ids=["own-method", "object-method"])
def test_a_bound_method_closure_that_resets_is_a_reset_before_the_step(tmp_path: Path, script: bool) -> None:
    assert _codes(tmp_path, "self.optimizer.zero_grad()", script) == []


@pytest.mark.parametrize("script", [False, True], ids=["own-method", "object-method"])
def test_a_bound_method_closure_without_the_reset_is_reported(tmp_path: Path, script: bool) -> None:
    backward = ("LC001", 23)  # the closure's backward, whose gradients add to the last step's
    step = ("LC001", 6)  # the script's step, whose closure resets nothing
    assert (step if script else backward) in _codes(tmp_path, "pass", script)
