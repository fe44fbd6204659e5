"""A snapshot of the freshly built model, saved above the epoch loop (`torch.save(dict(epoch=0,
state_dict=...))`), holds no optimizer state to lose: no step has run yet (issue 7, check half
#270). The same dict saved inside the epoch loop is a checkpoint of a run in progress (LC012).
(The survey project this comes from reports the epoch-0 save only beside a second training
function of its file; that combination is not reproduced here, the survey run shows it gone.)"""
from __future__ import annotations

import textwrap

from loopcheck.engine import lint_source

SOURCE = """
import os
import torch
from torch import nn


def ssl_loop(args, loader):
    if args.checkpoint_path:
        state = torch.load(args.checkpoint_path)["state_dict"]
        model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4))
        model.load_state_dict(state)
        return model
    model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch.save(dict(epoch=0, state_dict=model.state_dict()), os.path.join(args.path_dir, "0.pth"))
    for epoch in range(1, args.epochs + 1):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        if epoch % args.save_every == 0:
            torch.save(dict(epoch=epoch, state_dict=model.state_dict()), os.path.join(args.path_dir, f"{epoch}.pth"))
    return model


def probe(encoder, loader):
    head = nn.Linear(4, 2)
    head_optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
    for epoch in range(1, 101):
        for x, y in loader:
            head_optimizer.zero_grad()
            with torch.no_grad():
                features = encoder(x)
            nn.functional.cross_entropy(head(features), y).backward()
            head_optimizer.step()


CALLER
"""


def saves(caller: str) -> list[tuple[str, str]]:
    source = textwrap.dedent(SOURCE).replace("CALLER", caller)
    found, errors = lint_source(source, "main.py")
    assert errors == []
    lines = source.splitlines()
    return [(f.code, lines[f.line - 1].strip()[:40]) for f in found]


def test_a_snapshot_above_the_epoch_loop_loses_nothing() -> None:
    assert saves("probe(ssl_loop(parse_args(), train_loader), train_loader)") == [("LC012", "torch.save(dict(epoch=epoch, state_dict=")]

