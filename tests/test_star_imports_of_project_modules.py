"""A star import of a module of the project brings what that module binds, in plain sight: the
file's other names are still known to be missing (`from config import *` of a `config.py`
defining only `device`, and `ModifiedUNet(...)` in a constructor with no import of it: NameError
when the model is built, so the script's evaluation never runs; issue 7, survey project: a face
anti-spoofing demo). When the star-imported module does bind the name, or the star import is of a
library (whose names cannot be seen), the script is analysed as before."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

DEMO = """\
import torch
import torch.nn as nn
from STAR import *
from unet import TripUNet


class MyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = ModifiedUNet(n_channels=3)

    def forward(self, x):
        return self.net(x)


if __name__ == "__main__":
    model = MyModel()
    model.eval()
    model.load_state_dict(torch.load("./ckpt/149.pth"))
    for i in range(30):
        out = model(torch.randn(1, 3, 8, 8))
        print(out.data)
"""

UNET = """\
import torch.nn as nn


class TripUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3)


class ModifiedUNet(nn.Module):
    def __init__(self, n_channels):
        super().__init__()
        self.conv = nn.Conv2d(n_channels, 3, 3)
        self.drop = nn.Dropout(0.5)
"""


def codes(tmp_path: Path, star: str, config: str) -> list[str]:
    files = {"demo.py": DEMO.replace("STAR", star), "unet.py": UNET, "config.py": config}
    return sorted(f.code for f in lint_project(tmp_path, files))


def test_a_name_no_star_imported_project_module_binds_stops_the_script(tmp_path: Path) -> None:
    assert codes(tmp_path, "config", "device = 8\n") == []


@pytest.mark.parametrize(
    "star, config",
    [("config", "from unet import ModifiedUNet\ndevice = 8\n"), ("torch.nn", "device = 8\n")],
)
def test_a_name_the_star_import_may_bring_leaves_the_script_analysed(tmp_path: Path, star: str, config: str) -> None:
    assert codes(tmp_path, star, config) == ["LC007"]
