"""A function that saves a complete checkpoint of its training (`latest.pt`: the model, the epoch,
the optimizer's and the scheduler's state) each epoch resumes from that one: another save it makes
of the model and the epoch that leaves out some of that state (`best.pt` when a metric improves,
without the scheduler's) is a snapshot kept for something else, not a resume point (issue 7,
survey project: a portfolio trainer saving `best_portfolio_model.pt` and
`latest_portfolio_model.pt`, whose `--checkpoint` loads either back; LC012 was reported on the
best one). When the other save also lacks
what this one lacks, the checkpoint saved every epoch is reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


def resume(model, path):
    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model_state_dict"])
    start_epoch = checkpoint["epoch"]
    return start_epoch


def train(args, loader, evaluate):
    model = nn.Linear(4, 2)
    if args.checkpoint:
        model.load_state_dict(torch.load(args.checkpoint)["model_state_dict"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    best = float("-inf")
    for epoch in range(args.epochs):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        scheduler.step()
        score = evaluate(model)
        if args.rank == 0 and score > best:
            best = score
            torch.save({"epoch": epoch, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict()}, "best.pt")
        torch.save({"epoch": epoch, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict()LATEST}, "latest.pt")
"""


@pytest.mark.parametrize(
    "latest, expected",
    [
        (', "scheduler_state_dict": scheduler.state_dict()', []),
        ("", [29]),  # the latest lacks the scheduler state too: reported there (the same dict, saved every epoch)
    ],
)
def test_a_snapshot_beside_a_complete_checkpoint(latest: str, expected: list[int]) -> None:
    found = lint_source(SCRIPT.replace("LATEST", latest), "train.py")[0]
    assert [f.line for f in found if f.code == "LC012"] == expected
