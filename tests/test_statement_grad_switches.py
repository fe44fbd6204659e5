"""A grad switch written as a statement (`torch.set_grad_enabled(True)` at the top of a training
function) is kept in the loop model as a block over the rest of the function whose node is that
statement, not a `with`: rules that read a `with`'s items must pass over it. LC010 died on it with
an AttributeError, losing every finding of the file (issue 7 and issue 8, survey project: an RNA
folding solution's training script)."""
from __future__ import annotations

from loopcheck.engine import lint_source

SCRIPT = """\
import torch


def train(model, loader, optimizer, scheduler, accumulation):
    torch.set_grad_enabled(True)
    model.train()
    for i, (x, y) in enumerate(loader):
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        if (i + 1) % accumulation == 0:
            optimizer.step()
            optimizer.zero_grad()
        scheduler.step()
"""


def test_a_statement_switch_is_no_with_block() -> None:
    findings, errors = lint_source(SCRIPT, "train.py")
    assert errors == []
    assert [(f.code, f.line) for f in findings] == [("LC010", 9)]
