"""A copy of a model (`net = deepcopy(self.net)`, `twin = copy.deepcopy(head)`) has the layers of
the model copied, as it is where the copy is made: whether it needs `eval()` is asked of that value,
not of what the name is bound to later (`head = ModuleValidator.fix(head)`, after the copy). A
container built from the parts of a library model (`nn.Sequential(*list(resnet18(pretrained=True)
.children())[:-3])`) may hold its batch norm (issue 7: copies were taken for constructions out of
sight, so a copy of a plain linear head was reported; once copies were followed, a differential-
privacy fine-tuning script's parallel copy of a ResNet backbone, evaluated in training mode, had to
stay reported)."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import copy

import torch
import torch.nn as nn
from torchvision.models import resnet18


def evaluate(net, loader):
    with torch.no_grad():
        for images, target in loader:
            preds = net(images.flatten(1)).argmax(-1)
            print(float(preds.eq(target).sum()))


def main(loader):
    modules = list(resnet18(pretrained=True).children())
    backbone = nn.Sequential(*modules[:-3])
    head = HEAD
    twin_backbone = copy.deepcopy(backbone)
    twin_head = copy.deepcopy(head)
    backbone = backbone.eval()
    head = LATER
    optimizer = torch.optim.SGD(twin_head.parameters(), lr=0.1)
    for images, target in loader:
        loss = nn.functional.cross_entropy(twin_head(images.flatten(1)), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    evaluate(EVALUATED, loader)


if __name__ == "__main__":
    main([(torch.randn(2, 8), torch.tensor([0, 1]))])
"""

LINEAR = "nn.Linear(8, 2)"
DROPPING = "nn.Sequential(nn.Dropout(0.5), nn.Linear(8, 2))"


def lc006(head: str, later: str, evaluated: str) -> list[int]:
    source = SOURCE.replace("HEAD", head).replace("LATER", later).replace("EVALUATED", evaluated)
    return [f.line for f in lint_source(source, "dp.py")[0] if f.code == "LC006"]


def test_the_copy_of_a_library_models_parts_in_training_mode() -> None:
    assert lc006(LINEAR, LINEAR, "twin_backbone") == [11]


@pytest.mark.parametrize(("head", "later", "reported"), [(DROPPING, LINEAR, [11]), (LINEAR, DROPPING, [])])
def test_the_copy_has_the_layers_of_the_value_it_copied(head: str, later: str, reported: list[int]) -> None:
    assert lc006(head, later, "twin_head") == reported
