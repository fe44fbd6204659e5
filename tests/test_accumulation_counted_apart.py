"""A step whose cadence is a counter kept modulo the accumulation count (`self.accumulated =
(self.accumulated + 1) % self.accumulation`, then `if self.accumulated == 0:` around the step)
runs once every few calls, as `if (i + 1) % k == 0:` does: the backwards between two steps add up
and an undivided loss is reported (issue 7, survey project: a log-anomaly trainer whose
`optimizer_step(loss)` helper counts micro-batches this way; LC010 was missed). A loss divided by
the count, and a counter that is no remainder, are left alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from loopcheck.engine import lint_paths, lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model, accumulation):
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        self.accumulation = accumulation
        self.accumulated = 0

    def optimizer_step(self, loss):
        LOSS.backward()
        self.accumulated = COUNTER
        if self.accumulated == 0:
            self.optimizer.step()
            self.optimizer.zero_grad()

    def train(self, loader):
        for x, y in loader:
            loss = nn.functional.cross_entropy(self.model(x), y)
            self.optimizer_step(loss)


Trainer(nn.Linear(4, 2), 4).train([(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 8)
"""

MODULO = "(self.accumulated + 1) % self.accumulation"


@pytest.mark.parametrize(
    "loss, counter, expected",
    [
        ("loss", MODULO, [13]),
        ("(loss / self.accumulation)", MODULO, []),
        ("loss", "self.accumulated + 1 if self.accumulated < 3 else 0", []),
    ],
)
def test_a_counter_kept_modulo_the_count_sets_the_cadence(loss: str, counter: str, expected: list[int]) -> None:
    found = lint_source(SCRIPT.replace("LOSS", loss).replace("COUNTER", counter), "trainer.py")[0]
    assert [f.line for f in found if f.code == "LC010"] == expected


@pytest.mark.parametrize(
    "caller, expected",
    [
        ("            self.optimizer_step(loss / self.accumulation)", []),
        ("            loss = loss / self.accumulation\n            self.optimizer_step(loss)", []),
        ("            self.optimizer_step(loss)", [13]),
    ],
)
def test_the_loss_a_helper_is_given_is_judged_where_it_is_made(caller: str, expected: list[int]) -> None:
    """The helper backwards its parameter: the loss the training loop passes, divided there or not."""
    script = SCRIPT.replace("LOSS", "loss").replace("COUNTER", MODULO).replace("            self.optimizer_step(loss)", caller)
    found = lint_source(script, "trainer.py")[0]
    assert [f.line for f in found if f.code == "LC010"] == expected



LOOP = """\
import torch
import torch.nn as nn

from trainer import Trainer

trainer = Trainer(nn.Linear(4, 2), 4)
for x, y in [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 8:
    loss = nn.functional.cross_entropy(trainer.model(x), y)
    if len(y) > 4:
        trainer.optimizer_step(loss)
    else:
        trainer.optimizer_step(loss)
"""


def test_a_helper_reached_by_two_calls_is_reported_once_at_the_first(tmp_path: Path) -> None:
    """Each backward of a helper in another file is reported once, at the earliest call of the loop
    that leads to it, whatever order the analysis visits the paths in (it once depended on the
    memory addresses of its states: a survey run of many projects in one process reported the
    later call, the command the earlier)."""
    helper = SCRIPT.replace("LOSS", "loss").replace("COUNTER", MODULO)
    (tmp_path / "trainer.py").write_text(helper[: helper.index("\n\nTrainer(")] + "\n")
    (tmp_path / "train_loop.py").write_text(LOOP)
    for _ in range(3):
        found = lint_paths([str(tmp_path / "train_loop.py")], root=str(tmp_path)).findings
        assert [(f.line, f.code) for f in found] == [(10, "LC010")]
