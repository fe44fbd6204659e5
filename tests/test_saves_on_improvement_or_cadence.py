"""A save gated by a test either of whose alternatives lets it run without an improvement (`if mAP >
best_mAP or epoch % 20 == 0:`) is made every so often while training, not only when a metric gets
better: it is a checkpoint to resume from, and one leaving out the optimizer's state is reported
(issue 7, survey project: a re-identification model's checkpoint saved on a better mAP or every 20
epochs was taken for a best-model export). A test whose every alternative is about the metric
(`if acc > best_acc or loss < best_loss:`) still saves only on improvement."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import torch


def save_checkpoint(state, filename):
    torch.save(state, filename)


def main(model, train_loader, test_loader, epochs):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    best_mAP = 0.0
    best_loss = float("inf")
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
        mAP, val_loss = evaluate(model, test_loader)
        if GUARD:
            best_mAP = max(mAP, best_mAP)
            save_checkpoint({"epoch": epoch + 1, "state_dict": model.state_dict(), "mAP": mAP}, f"checkpoint_{epoch}.tar")
"""


def lc012(guard: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("GUARD", guard), "main.py")[0] if f.code == "LC012"]


@pytest.mark.parametrize("guard", ["(mAP > best_mAP or epoch % 20 == 0)", "epoch % 10 == 0 or mAP > best_mAP"])
def test_a_save_made_every_so_often_too_is_a_checkpoint(guard: str) -> None:
    assert lc012(guard) == [22]


@pytest.mark.parametrize("guard", ["mAP > best_mAP", "(mAP > best_mAP or val_loss < best_loss)"])
def test_a_save_made_only_when_a_metric_improves_is_an_export(guard: str) -> None:
    assert lc012(guard) == []
