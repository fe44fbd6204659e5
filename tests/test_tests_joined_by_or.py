"""A test that is a part of another joined by `or` decides it along a path (issue 7, survey
project: an RNA-folding solution unscaling under `if cfg.track_grad_norm or cfg.clip_grad > 0:`
and clipping under `if cfg.clip_grad > 0:`; LC011 was reported on the clip, on a path that skips
the unscale yet clips, which no run takes). When the clip's test is not a part of the unscale's,
the path exists and the clip is reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


def train(cfg, model, loader):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scaler = torch.cuda.amp.GradScaler()
    for x, y in loader:
        optimizer.zero_grad()
        with torch.autocast("cuda"):
            loss = nn.functional.mse_loss(model(x), y)
        scaler.scale(loss).backward()
        if UNSCALE_TEST:
            scaler.unscale_(optimizer)
        if cfg.clip_grad > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
        scaler.step(optimizer)
        scaler.update()
"""


@pytest.mark.parametrize(
    "unscale_test, expected",
    [
        ("(cfg.track_grad_norm) or (cfg.clip_grad > 0)", []),
        ("cfg.clip_grad > 0 or cfg.debug", []),
        ("cfg.track_grad_norm", [16]),  # not implied by the clip's test: a run may clip without unscaling
        ("cfg.track_grad_norm and cfg.clip_grad > 0", [16]),
    ],
)
def test_an_unscale_under_a_test_the_clip_s_test_implies(unscale_test: str, expected: list[int]) -> None:
    found = lint_source(SCRIPT.replace("UNSCALE_TEST", unscale_test), "train.py")[0]
    assert [f.line for f in found if f.code == "LC011"] == expected
