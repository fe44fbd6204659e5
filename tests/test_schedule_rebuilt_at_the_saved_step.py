"""A schedule the resume code rebuilds at the saved step (`if resuming: scheduler = LambdaLR(...,
last_epoch=iteration)` / `else: scheduler = LambdaLR(...)`) needs no state in the checkpoint: the
arm that resumes puts it back (issue 7, survey project: a Tacotron 2 trainer saving model,
optimizer and iteration; LC012 said the scheduler restarts from scratch). A resume that rebuilds it
from the start still loses its position."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import argparse

import torch
import torch.nn as nn


def save_checkpoint(model, optimizer, iteration, path):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "iteration": iteration}, path)


def load_checkpoint(path, model, optimizer):
    ckpt = torch.load(path)
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    return model, optimizer, ckpt["iteration"]


def train(args, loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    iteration = 1
    if args.ckpt != "":
        model, optimizer, iteration = load_checkpoint(args.ckpt, model, optimizer)
        iteration += 1
    lr_lambda = lambda step: min((step + 1) * 4000 ** -1.5, (step + 1) ** -0.5)
    if args.ckpt != "":
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda, RESUMED)
    else:
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    while iteration < 100000:
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
            scheduler.step()
            if iteration % 10000 == 0:
                save_checkpoint(model, optimizer, iteration, f"ckpt_{iteration}.pt")
            iteration += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckpt", default="")
    train(parser.parse_args(), [])
"""


@pytest.mark.parametrize("resumed, expected", [("last_epoch=iteration", []), ("verbose=False", [8])])
def test_a_schedule_rebuilt_at_the_saved_step(resumed: str, expected: list[int]) -> None:
    findings = lint_source(SCRIPT.replace("RESUMED", resumed), "train.py")[0]
    assert [f.line for f in findings if f.code == "LC012"] == expected


FACTORY = """\
import os

import torch
import torch.nn as nn


def create_model(cfg):
    model = nn.Linear(4, 2)
    start_epoch = 0
    optimizer_state_dict = None
    if cfg.resume and os.path.isfile(cfg.checkpoint_path):
        loaded = torch.load(cfg.checkpoint_path)
        model.load_state_dict(loaded["model"])
        start_epoch = loaded["epoch"]
        optimizer_state_dict = loaded["optimizer"]
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    if optimizer_state_dict is not None:
        optimizer.load_state_dict(optimizer_state_dict)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.8 ** (epoch / 50), POSITION)
    return model, optimizer, scheduler, start_epoch


def train(cfg, loader):
    model, optimizer, scheduler, start_epoch = create_model(cfg)
    for epoch in range(start_epoch, cfg.epochs):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        scheduler.step()
        if epoch % cfg.checkpoint_interval == 0:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, cfg.checkpoint_path)
"""


@pytest.mark.parametrize("position, expected", [("last_epoch=start_epoch - 1", []), ("verbose=False", [32])])
def test_a_factory_that_builds_the_schedule_at_the_loaded_epoch(position: str, expected: list[int]) -> None:
    # (issue 7, survey project: a NeRF course assignment whose `create_model(cfg)` reads the
    # checkpoint and builds its LambdaLR at `last_epoch=start_epoch - 1`)
    found = lint_source(FACTORY.replace("POSITION", position), "volume_rendering_main.py")[0]
    assert [f.line for f in found if f.code == "LC012"] == expected
