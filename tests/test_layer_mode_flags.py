"""Layers put back in training mode after the whole model was switched to eval mode choose the mode
training runs in; they are no left-over of an evaluation (issue 7, meta-learning survey project:
`body.eval()` then a helper setting `module.training = True` for its BatchNorm layers before the
training forward). The switch to training mode may be made by the loop over the model's layers
itself or by a helper given the model, with `m.train()` or with the `training` flag; a model's own
flag set by hand (`model.training = False`) leaves it in no one mode either. An `eval()` of the
whole model that nothing puts back is still reported, also when a loop over its layers freezes some
of them, and a trainer's own `self.training` flag switches no model (LC008)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

SCRIPT = """
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.2), nn.Linear(8, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def bn_train(net):
    for m in net.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.train()


def bn_set(net, training):
    for name, m in net.named_modules():
        if isinstance(m, nn.BatchNorm1d):
            m.training = training


def freeze_bn(net):
    for m in net.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.eval()


class Runner:
    def __init__(self):
        self.training = False

    def start(self):
        self.training = True


runner = Runner()
for epoch in range(10):
    model.eval()
    SWITCH
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
"""

LAYERS_IN_THE_LOOP = """for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.train()"""

FLAGS_IN_THE_LOOP = """for m in model.children():
        if isinstance(m, nn.BatchNorm1d):
            m.training = True"""


def lint(tmp_path: Path, switch: str) -> list[tuple[str, str]]:
    (tmp_path / "train.py").write_text(textwrap.dedent(SCRIPT).replace("SWITCH", switch))
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert found.errors == []
    lines = (tmp_path / "train.py").read_text().splitlines()
    return [(f.code, lines[f.line - 1].strip()) for f in found.findings]


@pytest.mark.parametrize(
    "switch",
    [LAYERS_IN_THE_LOOP, FLAGS_IN_THE_LOOP, "bn_train(model)", "bn_set(model, True)", "model.training = False"],
    ids=["layers-in-the-loop", "flags-in-the-loop", "helper-train", "helper-flag", "own-flag"],
)
def test_layers_put_back_in_training_mode_choose_the_mode(tmp_path: Path, switch: str) -> None:
    assert lint(tmp_path, switch) == []


@pytest.mark.parametrize("switch", ["freeze_bn(model)", "runner.start()", "pass"], ids=["frozen-layers", "trainer-flag", "nothing"])
def test_an_eval_nothing_puts_back_is_still_reported(tmp_path: Path, switch: str) -> None:
    assert lint(tmp_path, switch) == [("LC008", "model.eval()")]
