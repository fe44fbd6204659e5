"""A forward run to draw its autograd graph (`dot = make_dot(logits, params=...)` of torchviz, or
a read of `logits.grad_fn`) needs grad enabled: there is no graph to draw under `no_grad`, so the
pass is no evaluation recording a graph for nothing (issue 7, survey project: a formula-recognition
notebook's cell drawing its transformer's graph was reported by LC007). The same forward whose
output is only shown is still reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
from torchviz import make_dot

model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout())
optimizer = torch.optim.Adam(model.parameters())
for x, y in [(torch.randn(3, 2), torch.randn(3, 2))]:
    optimizer.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    optimizer.step()

model.eval()
x = torch.randn(3, 2)
logits = model(x)
scores = logits.softmax(-1)
SHOW
"""


def lc007(show: str) -> list[int]:
    return [f.line for f in lint_source(SCRIPT.replace("SHOW", show), "draw.py")[0] if f.code == "LC007"]


@pytest.mark.parametrize(
    "show",
    [
        "dot = make_dot(logits, params=dict(model.named_parameters()))",
        "make_dot(scores).render('graph')",
        "print(scores.grad_fn)",
    ],
)
def test_a_forward_whose_graph_is_drawn_needs_grad(show: str) -> None:
    assert lc007(show) == []


def test_a_forward_whose_output_is_only_shown_is_reported() -> None:
    assert lc007("print(scores.argmax(-1), x.grad_fn)") == [13]
