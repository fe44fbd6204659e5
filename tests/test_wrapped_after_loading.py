"""A model whose weights are loaded and that is then wrapped (`model = nn.DataParallel(model)`,
with `.cuda()` or `device_ids`, or `DistributedDataParallel`) runs the loaded weights: a loop over
frames calling the wrapper with grad enabled evaluates a trained model and is reported (LC007;
issue 7, survey project: a pose-estimation live demo whose HRNet was loaded, wrapped and run per
person on every webcam frame). Wrapping a model built fresh, loaded nowhere, is still a forward
of random weights that checks the code, and is left alone."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import cv2
import torch
import torch.nn as nn

cap = cv2.VideoCapture(0)
model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5), nn.Linear(8, 2))
LOAD
WRAP
model.eval()

while True:
    ok, frame = cap.read()
    for box in frame:
        outputs = model(box)
        preds = outputs.detach().cpu().numpy()
"""

LOADED = 'model.load_state_dict(torch.load("weight/best_acc.pth"))'


def lc007(load: str, wrap: str) -> list[int]:
    source = SCRIPT.replace("LOAD", load).replace("WRAP", wrap)
    return [f.line for f in lint_source(source, "live_demo.py")[0] if f.code == "LC007"]


@pytest.mark.parametrize(
    "wrap",
    [
        "model = nn.DataParallel(model)",
        "model = torch.nn.DataParallel(model, device_ids=(0,)).cuda()",
        "model = nn.parallel.DistributedDataParallel(model)",
        "model = model.cuda()",
    ],
)
def test_a_loaded_model_wrapped_runs_its_weights(wrap: str) -> None:
    assert lc007(LOADED, wrap) == [14]


@pytest.mark.parametrize("wrap", ["model = nn.DataParallel(model)", "model = model.cuda()"])
def test_a_fresh_model_wrapped_is_still_a_smoke_test(wrap: str) -> None:
    assert lc007("", wrap) == []
