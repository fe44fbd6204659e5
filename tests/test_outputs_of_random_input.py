"""A forward on made-up input (`output = model(torch.randn(*input_shape))`) whose output is then
only shown, its shape or values printed or logged in an f-string (`log(f"Min: {output.min().item()}")`),
checks that the code runs: what any model gives on random input measures nothing, so it is no
evaluation pass in training mode (issue 7, survey project: a `test_model(model)` that prints a
pretrained re-identification model's parameter counts, output shape and output statistics was
reported by LC006). The output of real data shown so, or the output of random input fed into a loss
or kept, is still judged."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import logging

import torch
import torchvision

log = logging.getLogger(__name__)


def test_model(model, input_shape=(2, 3, 224, 224)):
    print(model)
    total = sum(p.numel() for p in model.parameters())
    log.info(f"Total parameters: {total:,}")
    random_input = INPUT
    with torch.no_grad():
        output = model(random_input)
    log.info(f"Output shape: {output.shape}")
    USE


if __name__ == "__main__":
    model = torchvision.models.resnet50(weights="DEFAULT")
    test_model(model)
"""

STATS = 'log.info(f"Output stats - Min: {output.min().item():.4f}, Max: {output.max().item():.4f}, Mean: {output.mean().item():.4f}")'


def lc006(input_: str, use: str) -> list[int]:
    source = SOURCE.replace("INPUT", input_).replace("USE", use)
    return [f.line for f in lint_source(source, "model.py")[0] if f.code == "LC006"]


@pytest.mark.parametrize("input_", ["torch.randn(*input_shape)", "torch.zeros(input_shape)"])
def test_statistics_of_random_input_shown_are_no_evaluation(input_: str) -> None:
    assert lc006(input_, STATS) == []


def test_the_output_of_real_data_shown_is_an_evaluation() -> None:
    assert lc006("torch.load('batch.pt')", STATS) == [15]


def test_the_output_of_random_input_kept_is_still_judged() -> None:
    assert lc006("torch.randn(*input_shape)", STATS + "\n    return output") == [15]
