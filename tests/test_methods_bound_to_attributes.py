"""An attribute bound to a function without calling it (`self.loss = self.model.loss`, a method
of the model's project class) runs that function when it is called: `loss = self.loss(logits,
targets)` is the model's cross-entropy, visibly undivided, and a step taken every few batches
over it accumulates undivided gradients (LC010; issue 7, survey project: a GPT trainer that takes
its loss from the model when none is handed in). An arm that no construction of the object can
take (`if loss: self.loss = loss` with no caller passing `loss`) binds nothing; when a caller
does pass a loss of its own, what runs is not known and nothing is said."""
from __future__ import annotations

from pathlib import Path

import pytest

from loopcheck.engine import lint_source

SCRIPT = (Path(__file__).parent / "data" / "trainer_taking_the_models_loss.py").read_text()


def lc010(source: str) -> list[int]:
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC010"]


def test_the_models_loss_method_bound_to_an_attribute_is_seen() -> None:
    assert lc010(SCRIPT) == [37]


@pytest.mark.parametrize(
    "old, new",
    [
        ("loss = self.loss(logits, targets)", "loss = self.loss(logits, targets) / self.accum"),
        ("accum=4)", "accum=4, loss=external_loss)"),
        ("            self.loss = self.model.loss", "            self.loss = self.model.scale"),
    ],
)
def test_a_divided_loss_or_one_that_cannot_be_seen_is_left_alone(old: str, new: str) -> None:
    assert old in SCRIPT
    assert lc010(SCRIPT.replace(old, new)) == []
