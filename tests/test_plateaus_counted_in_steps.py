"""`ReduceLROnPlateau` counts the metrics it is stepped with: its `patience` says how many. A
patience of thousands (`patience=3000`), or one named in steps, waits that many optimizer steps,
so stepping it once per batch with the batch loss is what it was sized for (issue 7, survey
project: trajectory-prediction notebooks whose plateau schedule was stepped every batch with
`patience=3000  # steps`). The default patience, a small one, or one of thousands stepped once per
epoch are still judged."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn

model = nn.Linear(8, 3)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
patience_steps = 3000
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, SIZE)
loader = [(torch.randn(4, 8), torch.randint(0, 3, (4,)))] * 5
for epoch in range(50):
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
BATCH
EPOCH
"""


def lc005(size: str, batch: bool) -> list[int]:
    step = "        scheduler.step(loss.item())"
    source = SCRIPT.replace("SIZE", size).replace("BATCH", step if batch else "").replace("EPOCH", "" if batch else step[4:])
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC005"]


@pytest.mark.parametrize("size", ["mode=\"min\", patience=3000", "factor=0.2, patience=patience_steps", "cooldown=2000", "\"min\", 0.2, 5000"])
def test_a_patience_of_optimizer_steps_is_stepped_per_batch(size: str) -> None:
    assert lc005(size, batch=True) == []
    assert lc005(size, batch=False) == [16]


@pytest.mark.parametrize("size", ["patience=2", "\"min\", 0.5", "patience=epochs_without_gain"])
def test_a_patience_of_validation_rounds_stepped_per_batch_is_reported(size: str) -> None:
    assert lc005(size, batch=True) == [15]
    assert lc005(size, batch=False) == []
