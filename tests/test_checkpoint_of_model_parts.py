"""A checkpoint of a model's parts, saved by a helper given the model (issue 7, survey project: a
seq2seq collection whose `save_checkpoint(filename, model, epoch, loss, time)` stores
`model.enc.state_dict()` and `model.dec.state_dict()` with the epoch every few epochs, and whose
training scripts load it back and go on from the saved epoch with fresh Adam optimizers: LC012 was
silent, as neither the parameter's parts nor the keys named a model). The state dict of a part of
a parameter named as a model is the model's state; an optimizer's state saved beside it still
satisfies the rule."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

UTILS = """\
import torch


def load_checkpoint(filename, model=None):
    checkpoint = torch.load(filename)
    if model:
        model.enc.load_state_dict(checkpoint["enc_state_dict"])
        model.dec.load_state_dict(checkpoint["dec_state_dict"])
    return checkpoint["epoch"]


def save_checkpoint(filename, model, epoch, loss):
    if filename and model:
        checkpoint = {}
        checkpoint["enc_state_dict"] = model.enc.state_dict()
        checkpoint["dec_state_dict"] = model.dec.state_dict()
        checkpoint["epoch"] = epoch
        checkpoint["loss"] = loss
        EXTRA
        torch.save(checkpoint, filename + ".epoch%d" % epoch)
"""

TRAIN = """\
import sys

import torch
import torch.nn as nn

from utils import load_checkpoint, save_checkpoint


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.GRU(8, 16)
        self.dec = nn.Linear(16, 8)

    def forward(self, x):
        return self.dec(self.enc(x)[0])


def train(batches, num_epochs, save_every):
    model = Seq2Seq()
    enc_optim = torch.optim.Adam(model.enc.parameters())
    dec_optim = torch.optim.Adam(model.dec.parameters())
    epoch = load_checkpoint(sys.argv[1], model)
    for ei in range(epoch + 1, epoch + num_epochs + 1):
        loss_sum = 0.0
        for x, y in batches:
            enc_optim.zero_grad()
            dec_optim.zero_grad()
            loss = (model(x) - y).pow(2).mean()
            loss.backward()
            enc_optim.step()
            dec_optim.step()
            loss_sum += loss.item()
        if ei % save_every == 0:
            save_checkpoint("model", model, ei, loss_sum)
"""


def _findings(tmp_path: Path, extra: str) -> list[tuple[str, str]]:
    found = lint_project(tmp_path, {"utils.py": UTILS.replace("EXTRA", extra), "train.py": TRAIN})
    return sorted((Path(f.path).name, f.code) for f in found)


def test_parts_of_a_model_parameter_saved_with_the_epoch_need_the_optimizer_state(tmp_path: Path) -> None:
    assert _findings(tmp_path, "pass") == [("utils.py", "LC012")]


def test_the_optimizers_state_saved_beside_them_satisfies_the_rule(tmp_path: Path) -> None:
    extra = 'checkpoint["optimizers"] = [o.state_dict() for o in model.optimizers]'
    assert _findings(tmp_path, extra) == []
