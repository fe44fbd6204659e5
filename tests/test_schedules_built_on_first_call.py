"""A scheduler built on the first call and stepped on the later ones skips nothing (issue 7,
check half #271): `update_lr()` at the top of each epoch runs `if not hasattr(self,
"lrScheduler"): self.lrScheduler = StepLR(...)` `else: self.lrScheduler.step()`, so its first step
follows the first epoch's optimizer steps. A scheduler built before the loop and stepped at the
top of each epoch is reported (LC004)."""
from __future__ import annotations

import textwrap

import pytest

from loopcheck.engine import lint_source

SOURCE = """
import torch
from torch import nn


class Trainer:
    def update_lr(self, optimiser):
        UPDATE

    def train(self, model, loader, epochs):
        optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
        BEFORE
        for epoch in range(epochs):
            self.update_lr(optimiser)
            for x, y in loader:
                optimiser.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimiser.step()


Trainer().train(nn.Linear(4, 2), loader, 10)
"""

BUILT_ON_FIRST_CALL = """if not hasattr(self, "lrScheduler"):
            self.lrScheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=5)
        else:
            self.lrScheduler.step()"""

BUILT_WHEN_NONE = """if self.lrScheduler is None:
            self.lrScheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=5)
        else:
            self.lrScheduler.step()"""


def codes(update: str, before: str = "pass") -> list[str]:
    source = textwrap.dedent(SOURCE).replace("UPDATE", update).replace("BEFORE", before)
    found, errors = lint_source(source, "training.py")
    assert errors == []
    return [f.code for f in found]


@pytest.mark.parametrize("update, before", [(BUILT_ON_FIRST_CALL, "pass"), (BUILT_WHEN_NONE, "self.lrScheduler = None")])
def test_a_schedule_built_on_the_first_call_steps_after_the_first_epoch(update: str, before: str) -> None:
    assert codes(update, before) == []


def test_a_schedule_built_before_the_loop_and_stepped_first_is_reported() -> None:
    before = "self.lrScheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=5)"
    assert codes("self.lrScheduler.step()", before) == ["LC004"]
