"""A parameter annotated with a project class (`def train_model(trainer: Trainer, loader)`) holds
an instance of that class also when the object its callers pass cannot be traced (unpacked from a
tuple a factory returns): the loop calling `trainer.train_step(batch)` runs that method's backward
and step, and is a training loop (issue 7, survey project: a log-anomaly trainer whose step helper
accumulated gradients undivided; LC010 was missed because the loop was not seen to train). Without
the annotation nothing is known of the parameter, and nothing is said."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def train_step(self, x, y):
        loss = nn.functional.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()


def init_from_config():
    trainer = Trainer(nn.Linear(4, 2))
    return trainer, [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 4


def train_model(TRAINER, loader):
    for x, y in loader:
        trainer.train_step(x, y)


if __name__ == "__main__":
    trainer, loader = init_from_config()
    train_model(trainer, loader)
"""


@pytest.mark.parametrize("parameter, expected", [("trainer: Trainer", ["LC001"]), ('trainer: "Trainer"', ["LC001"]), ("trainer", [])])
def test_an_annotated_parameter_is_an_instance_of_its_class(parameter: str, expected: list[str]) -> None:
    found = lint_source(SCRIPT.replace("TRAINER", parameter), "train_loop.py")[0]
    assert [f.code for f in found] == expected
