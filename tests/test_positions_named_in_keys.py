"""A key names a training position when it says epoch, step, episode or iteration as a word or a
word's start (`epoch`, `global_step`, `n_iter`, `iteration`, `globalIter`); the letters `iter`
inside another word do not (`criterion`): a dict saving the model and its loss module each epoch
records no position, and is no checkpoint to resume from (issue 7, survey project: a food
classifier's checkpoint reported as recording the 'criterion')."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn

model = nn.Linear(8, 3)
optimizer = torch.optim.Adam(model.parameters())
criterion = nn.CrossEntropyLoss()
for epoch in range(30):
    for x, y in [(torch.randn(4, 8), torch.randint(0, 3, (4,)))] * 5:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    torch.save({"model": model.state_dict(), KEY: VALUE}, "checkpoint.pth")
"""


def lc012(key: str, value: str) -> list[str]:
    source = SCRIPT.replace("KEY", repr(key)).replace("VALUE", value)
    return [f.message for f in lint_source(source, "train.py")[0] if f.code == "LC012"]


def test_a_loss_module_saved_beside_the_weights_is_no_position() -> None:
    assert lc012("criterion", "criterion") == []


@pytest.mark.parametrize("key", ["epoch", "n_iter", "iteration", "globalIter", "global_step"])
def test_a_position_saved_beside_the_weights_makes_a_checkpoint(key: str) -> None:
    found = lc012(key, "epoch")
    assert len(found) == 1 and f"'{key}'" in found[0]
