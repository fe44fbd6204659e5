"""A function that builds a model with pretrained weights and runs it on data uses a trained model,
as one that loads a checkpoint does (issue 7, survey project: a grasping dataset script whose
`features(prefix, img_num)` builds `models.vgg16(pretrained=True)`, hooks a classifier layer and runs
`model(img_var)` on each image, called per image by `get_features`: in training mode, dropout on,
with grad enabled; LC006 and LC007 missed, as the function showed none of what a single-forward
evaluation needs). The same model run on a tensor made up from a shape probes the code, and a model
built without weights evaluates nothing yet."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import numpy as np
import torch
from torchvision import models


def features(path):
    image = torch.load(path)
    model = BUILD
    embedding = torch.zeros(4096)

    def keep(module, inputs, output):
        embedding.copy_(output.data.squeeze())

    hook = model.classifier[-2].register_forward_hook(keep)
    model(INPUT)
    hook.remove()
    return embedding.numpy()


if __name__ == "__main__":
    np.save("features.npy", np.stack([features(p) for p in ["a.pt", "b.pt"]]))
"""


def _codes(build: str, given: str) -> list[tuple[str, int]]:
    source = SCRIPT.replace("BUILD", build).replace("INPUT", given)
    return [(f.code, f.line) for f in lint_source(source, "features.py")[0]]


@pytest.mark.parametrize("build", ["models.vgg16(pretrained=True)", 'models.vgg16(weights="IMAGENET1K_V1")'])
def test_a_pretrained_model_run_on_data_is_evaluated(build: str) -> None:
    assert _codes(build, "image") == [("LC006", 15), ("LC007", 15)]


@pytest.mark.parametrize(
    "build, given",
    [
        ("models.vgg16(pretrained=True)", "torch.randn(1, 3, 224, 224)"),  # probes the code
        ("models.vgg16()", "image"),  # random weights: nothing to evaluate yet
    ],
)
def test_a_probe_or_an_untrained_model_is_not(build: str, given: str) -> None:
    assert _codes(build, given) == []
