"""An arm taken when a setting names another deep-learning framework runs that framework's code
(issue 7, root cause 8; check half #268): Hugging Face style pipelines hold both,
`if self.framework == "tf": ...numpy() else: with torch.no_grad(): ...`. The other framework's
arm is left out of the model, like code under `if False:`; the torch arm is analysed as ever."""
from __future__ import annotations

import textwrap

import pytest

from loopcheck.engine import lint_source

PIPELINE = """
import torch
from torch import nn


def tag(model, loader, framework, backend):
    found = []
    for tokens in loader:
        if TEST:
            scores = model(tokens)[0]
        else:
            with torch.no_grad():
                scores = model(tokens)[0].cpu()
        found.append(scores.argmax(-1))
    return found


model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.1))
optimizer = torch.optim.Adam(model.parameters())
for x, y in train_loader:
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
model.eval()
print(tag(model, test_loader, "pt", "torch"))
"""


def codes(test: str) -> list[str]:
    found, errors = lint_source(textwrap.dedent(PIPELINE.replace("TEST", test)), "pipeline.py")
    assert errors == []
    return [f.code for f in found]


@pytest.mark.parametrize("test", ['framework == "tf"', '"jax" == framework', 'backend == "TensorFlow"'])
def test_the_other_frameworks_arm_is_not_pytorch(test: str) -> None:
    assert codes(test) == []


def test_a_torch_arm_without_no_grad_is_still_an_evaluation() -> None:
    # (the arms swapped: the torch arm is the first, and it records a graph)
    assert codes('framework != "tf"') == ["LC007"]
    # a test on anything else is no framework switch: both arms are analysed
    assert codes('framework == "fast"') == ["LC007"]
