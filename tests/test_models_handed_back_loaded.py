"""A project helper that builds a model, loads saved weights into it and hands it back in a tuple
(`return model, info`) gives the caller that unpacks it (`model, info = load_model(name)`) a trained
model brought back to be used: its loop over batches is an evaluation pass, judged for mode and grad
(issue 7, survey project: a notebook rendering optical flow for a video's frames with a loaded
FlowNet, in training mode and with grad on, was missed by LC006 and LC007 because the loaded model
came back as the first of two values). The other value of the tuple, or a model returned fresh, is
no loaded model."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

UTILS = """\
import json

import torch


class FlowNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(6, 2, 3, padding=1)
        self.norm = torch.nn.BatchNorm2d(2)

    def forward(self, x):
        return self.norm(self.conv(x))


def load_model(name):
    with open(name + ".json") as f:
        info = json.load(f)
    model = FlowNet()
    LOAD
    return RETURNED
"""

SCRIPT = """\
import torch

from utils import load_model

UNPACKED = load_model("flownet-first")
frames = torch.rand(8, 6, 64, 64)
batches = [frames[i:i + 1] for i in range(frames.size(0))]
flows = []
for i, x in enumerate(batches):
    print("batch", i)
    y = model(x)
    flows.append(y.detach())
torch.save(torch.cat(flows), "flows.pt")
"""


def codes(tmp_path: Path, load: str, returned: str, unpacked: str) -> list[tuple[str, int]]:
    files = {
        "utils.py": UTILS.replace("LOAD", load).replace("RETURNED", returned),
        "render.py": SCRIPT.replace("UNPACKED", unpacked),
    }
    return sorted((f.code, f.line) for f in lint_project(tmp_path, files) if f.code in ("LC006", "LC007"))


LOADED = 'model.load_state_dict(torch.load(name + ".pth"))'


def test_a_loaded_model_handed_back_in_a_tuple_is_evaluated(tmp_path: Path) -> None:
    assert codes(tmp_path, LOADED, "model, info", "model, info") == [("LC006", 11), ("LC007", 11)]


@pytest.mark.parametrize(
    "load, returned, unpacked",
    [
        ("pass", "model, info", "model, info"),  # built fresh: its outputs mean nothing yet
        (LOADED, "info, model", "model, info"),  # the name unpacked is not the model loaded
    ],
    ids=["fresh", "other value"],
)
def test_no_loaded_model_no_pass(tmp_path: Path, load: str, returned: str, unpacked: str) -> None:
    assert codes(tmp_path, load, returned, unpacked) == []
