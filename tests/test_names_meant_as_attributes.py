"""A method that reads a bare name its own class keeps as an attribute (`model.state_dict()` in a
trainer whose `__init__` stores `self.model = model`), where nothing in the file defines that name,
raises NameError on that statement: what the statement would do never happens (issue 7, survey
project: a face-recognition trainer saving `{'iters': ..., 'net_state_dict': model.state_dict()}`
every 3000 iterations; LC012 was reported on a save that cannot run). The attribute read through
`self`, a module-level name of that spelling, or a name no attribute of the class carries leave the
finding reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn

TOP


class Trainer:
    def __init__(self, model, loader, models_dir):
        self.model = model
        self.loader = loader
        self.models_dir = models_dir

    def train(self, epochs):
        optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
        iters = 0
        for epoch in range(epochs):
            for x, y in self.loader:
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(self.model(x), y)
                loss.backward()
                optimizer.step()
                iters += 1
                if iters % 3000 == 0:
                    torch.save({"iters": iters, "net_state_dict": SAVED.state_dict()}, "ckpt.pt")
"""


def _lc012(saved: str, top: str = "") -> list[int]:
    source = SCRIPT.replace("SAVED", saved).replace("TOP", top)
    return [f.line for f in lint_source(source, "trainer.py")[0] if f.code == "LC012"]


def test_a_bare_name_meant_as_the_class_attribute_raises_before_the_save() -> None:
    assert _lc012("model") == []


@pytest.mark.parametrize(
    "saved, top",
    [
        ("self.model", ""),  # the attribute itself: the save runs
        ("model", "model = nn.Linear(4, 2)"),  # a module-level model: the name is defined
        ("net", ""),  # no attribute of that name: a free input of a fragment says nothing
    ],
)
def test_a_save_that_runs_or_may_run_is_reported(saved: str, top: str) -> None:
    assert _lc012(saved, top) == [24]
