"""A name bound only to what a class's constructor makes (`optimizer = optim.Adam(...)`) is no
None: a helper that tests `if optimizer is None:` to choose between evaluating and training,
called with it, trains (issue 7, survey project: a VAE script's epoch helper, called once per epoch
with the Adam optimizer, was reported by LC007 as an evaluation pass with grad enabled, the
`optimizer is None` arm taken as possible). Called with `None`, it evaluates; a name that may be
bound to something else is not known."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import torch
from torch import optim
from tqdm import tqdm

import vaelib


def run_epoch(model, epoch, tqdm_data, kl_weight, optimizer=None):
    if optimizer is None:
        model.eval()
    else:
        model.train()
    for i, x in enumerate(tqdm_data):
        recon_loss, kl_loss = model(x)
        loss = min(1.0, kl_weight) * kl_loss + recon_loss
        if optimizer is not None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        lr = optimizer.param_groups[0]["lr"] if optimizer is not None else None
        tqdm_data.set_postfix_str(f"loss={loss.item():.5f} lr={lr}")
    return {"epoch": epoch, "mode": "Eval" if optimizer is None else "Train"}


model = vaelib.VAE()
train_loader = [torch.randn(2, 4)]
OPTIMIZER
for epoch in range(100):
    tqdm_data = tqdm(train_loader, desc=f"Training (epoch #{epoch})")
    postfix = run_epoch(model, epoch, tqdm_data, epoch / 100, ARGUMENT)
    torch.save(model.state_dict(), "trained_save.pt")
"""

CALL = 30
"""The call that enters the helper (the pass is reported there when other calls train)."""
FORWARD = 14
"""The helper's forward (where the pass is reported when every call evaluates)."""


def lc007(optimizer: str, argument: str) -> list[int]:
    source = SOURCE.replace("OPTIMIZER", optimizer).replace("ARGUMENT", argument)
    return [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC007"]


def test_a_helper_given_a_built_optimizer_trains() -> None:
    assert lc007("optimizer = optim.Adam(model.parameters(), lr=3e-4)", "optimizer") == []


@pytest.mark.parametrize(
    "optimizer, argument, expected",
    [
        ("optimizer = optim.Adam(model.parameters(), lr=3e-4)", "None", [FORWARD]),
        ("optimizer = optim.Adam(model.parameters(), lr=3e-4) if epoch else None", "optimizer", [CALL]),
        ("optimizer = make_optimizer(model)", "optimizer", [CALL]),
    ],
    ids=["given None", "maybe None", "made by a function"],
)
def test_a_helper_given_none_or_what_may_be_none_may_evaluate(optimizer: str, argument: str, expected: list[int]) -> None:
    assert lc007(optimizer, argument) == expected
