"""A forward that a constructor runs builds the object (issue 7, check half #271): U-Nets and
feature pyramids size their later layers by running the earlier ones on a dummy input in
`__init__` (`x = middle_conv(x); up_in_c = x.shape[1]`). No evaluation pass, whatever the class's
bases and wherever the class is trained; a constructor that runs a model over a loader is one."""
from __future__ import annotations

import textwrap
from pathlib import Path

from loopcheck.engine import lint_paths

UNET = """
from fastai.vision import *  # (nn, SequentialEx, UnetBlock, model_sizes, dummy_eval, ...)


class DynamicUnet(SequentialEx):
    def __init__(self, encoder, n_classes, img_size=(256, 256), **kwargs):
        sizes = model_sizes(encoder, size=img_size)
        x = dummy_eval(encoder, img_size).detach()
        channels = sizes[-1][1]
        middle_conv = nn.Sequential(conv_layer(channels, channels * 2, **kwargs), conv_layer(channels * 2, channels, **kwargs)).eval()
        x = middle_conv(x)
        layers = [encoder, batchnorm_2d(channels), nn.ReLU(), middle_conv]
        for size in reversed(sizes[:-1]):
            block = UnetBlock(int(x.shape[1]), size[1]).eval()
            layers.append(block)
            x = block(x)
        super().__init__(*layers)
"""

PROTOTYPES = """class Prototypes:
    def __init__(self, model, loader):
        model.eval()
        self.centres = [model(x).mean(0) for x, y in loader]
"""

TRAIN = """
import torch
from torch import nn
from unet import DynamicUnet

encoder = nn.Sequential(nn.Conv2d(3, 64, 3), nn.BatchNorm2d(64))
model = DynamicUnet(encoder, 10)
optimizer = torch.optim.Adam(model.parameters())
for x, y in train_loader:
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
USE
"""


def lint(tmp_path: Path, prototypes: str) -> list[tuple[str, str, int]]:
    (tmp_path / "unet.py").write_text(textwrap.dedent(UNET))
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN.replace("USE", prototypes)))
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    return [(f.code, Path(f.path).name, f.line) for f in result.findings]


def test_a_constructor_sizing_its_layers_runs_no_pass(tmp_path: Path) -> None:
    assert lint(tmp_path, "") == []


def test_a_constructor_running_a_model_over_a_loader_does(tmp_path: Path) -> None:
    head = """
head = nn.Sequential(nn.Linear(64, 10), nn.Dropout(0.1))
head_optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
for features, labels in feature_loader:
    head_optimizer.zero_grad()
    nn.functional.cross_entropy(head(features), labels).backward()
    head_optimizer.step()
centres = Prototypes(head, test_loader)
"""
    found = lint(tmp_path, PROTOTYPES + head)
    text = (tmp_path / "train.py").read_text().splitlines()
    assert [(code, name, text[line - 1].strip()) for code, name, line in found] == [
        ("LC007", "train.py", "self.centres = [model(x).mean(0) for x, y in loader]")
    ]
