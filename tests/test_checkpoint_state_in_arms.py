"""A saving helper that takes the state dict of the module a parallel wrapper holds, or of the module
itself, in the arms of a test (`if isinstance(model, DataParallel): state_dict =
model.module.state_dict()` / `else: state_dict = model.state_dict()`) saves the model's weights:
saved each epoch to a file named by the epoch and loaded back before training goes on, they are a
resume checkpoint without the optimizer's state (issue 7, survey project: a keyword-spotting
trainer's `save_checkpoint(model, f"{epoch}.pt", infos)` with the position in a YAML file beside).
The same weights never loaded back are an export, and arms saving two different modules say
nothing of which one is saved (LC012)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

HELPERS = """
import re

import torch
import yaml


def load_checkpoint(model, path):
    model.load_state_dict(torch.load(path, map_location="cpu"))
    with open(re.sub(".pt$", ".yaml", path)) as fin:
        return yaml.safe_load(fin)


def save_checkpoint(model, path, infos=None):
    if isinstance(model, torch.nn.DataParallel):
        state_dict = model.module.state_dict()
    elif isinstance(model, torch.nn.parallel.DistributedDataParallel):
        state_dict = model.module.state_dict()
    else:
        state_dict = OTHER.state_dict()
    torch.save(state_dict, path)
    with open(re.sub(".pt$", ".yaml", path), "w") as fout:
        fout.write(yaml.dump(infos or {}))
"""

TRAIN = """
import os
import sys

import torch
import torch.nn as nn

from utils import load_checkpoint, save_checkpoint


def main(checkpoint, model_dir):
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    infos = LOAD
    start_epoch = infos.get("epoch", -1) + 1
    optimizer = torch.optim.Adam(model.parameters())
    for epoch in range(start_epoch, 10):
        for x in [torch.randn(8, 4)]:
            optimizer.zero_grad()
            model(x).pow(2).mean().backward()
            optimizer.step()
        save_checkpoint(model, os.path.join(model_dir, "{}.pt".format(epoch)), {"epoch": epoch})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
"""

SAVE = 21  # `torch.save(state_dict, path)` in utils/helpers.py
RESUMED = "load_checkpoint(model, checkpoint) if checkpoint is not None else {}"


def _findings(tmp_path: Path, load: str, other: str = "model") -> list[tuple[str, str, int]]:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'kws'\n")
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "__init__.py").write_text("from .helpers import load_checkpoint, save_checkpoint\n")
    (tmp_path / "utils" / "helpers.py").write_text(textwrap.dedent(HELPERS).replace("OTHER", other))
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "train.py").write_text(textwrap.dedent(TRAIN).replace("LOAD", load))
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    return [(f.code, Path(f.path).name, f.line) for f in found.findings]


def test_weights_taken_in_each_arm_and_loaded_back_are_a_resume_checkpoint(tmp_path: Path) -> None:
    assert _findings(tmp_path, RESUMED) == [("LC012", "helpers.py", SAVE)]


def test_the_same_weights_never_loaded_back_are_an_export(tmp_path: Path) -> None:
    assert _findings(tmp_path, "{}") == []


@pytest.mark.parametrize("other", ["model.encoder", "ema"])
def test_arms_saving_different_modules_say_nothing(tmp_path: Path, other: str) -> None:
    assert _findings(tmp_path, RESUMED, other) == []
