"""`models.unet.Unet(...)` where `models` is a package of the project whose `__init__.py` says
`from .unet import Unet`: `unet` is a submodule, bound on the package once imported, not a
misspelling of `Unet`; the script runs and is analysed (issue 7: a distillation project's scripts
were taken to stop at `models.unet` once their star imports could be read). A name the package
neither binds nor holds as a submodule (`models.Unett`) is still a misspelling that stops it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

SCRIPT = """\
import torch
import models

net = models.ATTRIBUTE.Unet()
net.load_state_dict(torch.load("unet.pt"))
net.eval()
for i in range(10):
    out = net(torch.randn(1, 8))
    print(out.data)
"""

UNET = """\
import torch.nn as nn


class Unet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.fc(self.drop(x))
"""


@pytest.mark.parametrize("attribute, expected", [("unet", ["LC007"]), ("Unett", [])])
def test_a_submodule_of_a_package_is_no_misspelling(tmp_path: Path, attribute: str, expected: list[str]) -> None:
    (tmp_path / "models").mkdir()
    files = {
        "train.py": SCRIPT.replace("ATTRIBUTE", attribute),
        "models/__init__.py": "from .unet import Unet\n",
        "models/unet.py": UNET,
    }
    assert sorted(f.code for f in lint_project(tmp_path, files)) == expected
