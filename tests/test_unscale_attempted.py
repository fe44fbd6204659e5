"""`try: scaler.unscale_(optimizer) except Exception: pass` before a clip: unscale_ raises only when
the optimizer's gradients were already unscaled since the last `update()` (or after its step), so
the handler's path reaches the clip with unscaled gradients too (issue 7, survey project: an
optimizer comparison on CIFAR-10 whose AMP branch guards its unscale_ this way was reported by
LC011). A try that attempts something else first, or a scaled backward with no unscale_ at all,
is still reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch

model = torch.nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scaler = torch.cuda.amp.GradScaler()
for x, y in loader:
    optimizer.zero_grad()
    with torch.autocast("cuda"):
        loss = torch.nn.functional.cross_entropy(model(x), y)
    scaler.scale(loss).backward()
    try:
TRIED
    except Exception:
        pass
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(optimizer)
    scaler.update()
"""


def lc011(tried: str) -> list[int]:
    return [f.line for f in lint_source(SCRIPT.replace("TRIED", tried), "amp.py")[0] if f.code == "LC011"]


def test_an_attempted_unscale_covers_the_clip() -> None:
    assert lc011("        scaler.unscale_(optimizer)") == []


@pytest.mark.parametrize(
    "tried",
    [
        "        log_gradients(model)\n        scaler.unscale_(optimizer)",
        "        log_gradients(model)",
    ],
)
def test_a_handler_entered_before_any_unscale_leaves_the_clip_reported(tried: str) -> None:
    assert lc011(tried) == [15 + tried.count("\n")]
