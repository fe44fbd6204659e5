"""What a module's forward returns carries a graph when its input does, also when the forward runs
its own parts in a loop (`for name, layer in self.features._modules.items(): x = layer(x)`,
`self.features.children()`, `self.named_children()`) and stores the activations in a dict under
computed keys (`features[layers[name]] = x`): a frozen VGG feature extractor applied to a
generator's output hands the generator's graph on to the perceptual loss (issue 7, survey project:
a style-transfer trainer summed that loss across iterations without `.item()`, LC009). The same
sum of `.item()` is safe."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

VGG = """
import torch.nn as nn
from torchvision import models


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = models.vgg16(pretrained=False).features
        for param in self.features.parameters():
            param.requires_grad = False

    def forward(self, x):
        layers = {"1": "relu1", "3": "relu2"}
        features = {}
        for NAME_LAYER in ITERATED:
            x = layer(x)
            if name in layers:
                features[layers[name]] = x
        return features
"""

TRAIN = """
import torch
import torch.nn as nn

from vgg import Features


def train(loader, epochs=2):
    net = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1))
    extractor = Features()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    mse = nn.MSELoss()
    content_sum = 0
    for epoch in range(epochs):
        for x in loader:
            optimizer.zero_grad()
            generated = extractor(net(x))
            target = extractor(x)
            content_loss = 17 * mse(generated["relu2"], target["relu2"])
            content_sum += SUMMED
            style_loss = 50 * mse(generated["relu1"], target["relu1"])
            total_loss = content_loss + style_loss
            total_loss.backward()
            optimizer.step()
    print(content_sum)


if __name__ == "__main__":
    train([torch.randn(2, 3, 16, 16) for _ in range(4)])
"""
SUM_LINE = 20

LOOPS = [
    ("name, layer", "self.features._modules.items()"),
    ("name, layer", "self.features.named_children()"),
]


def _findings(tmp_path: Path, targets: str, iterated: str, summed: str) -> list[tuple[str, int]]:
    vgg = textwrap.dedent(VGG).replace("NAME_LAYER", targets).replace("ITERATED", iterated)
    (tmp_path / "vgg.py").write_text(vgg)
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN).replace("SUMMED", summed))
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    return [(f.code, f.line) for f in found.findings]


@pytest.mark.parametrize("targets, iterated", LOOPS)
def test_a_loss_through_a_frozen_feature_extractor_keeps_the_generators_graph(tmp_path: Path, targets: str, iterated: str) -> None:
    assert _findings(tmp_path, targets, iterated, "content_loss") == [("LC009", SUM_LINE)]


@pytest.mark.parametrize("targets, iterated", LOOPS)
def test_its_item_is_safe(tmp_path: Path, targets: str, iterated: str) -> None:
    assert _findings(tmp_path, targets, iterated, "content_loss.item()") == []


def test_parts_from_a_loop_over_children_carry_their_inputs_graph(tmp_path: Path) -> None:
    vgg = textwrap.dedent(VGG).replace("for NAME_LAYER in ITERATED:", "for index, layer in enumerate(self.features.children()):")
    vgg = vgg.replace("if name in layers:", "if str(index) in layers:").replace("features[layers[name]] = x", "features[layers[str(index)]] = x")
    (tmp_path / "vgg.py").write_text(vgg)
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN).replace("SUMMED", "content_loss"))
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert [(f.code, f.line) for f in found.findings] == [("LC009", SUM_LINE)]
