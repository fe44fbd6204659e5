"""A tree no marker names (a downloaded project: no .git, no pyproject.toml) checked by naming its
folder from outside it (`loopcheck /downloads/tree/`) is one project, as when checked from inside
it (`cd tree; loopcheck .`): a script in `notebooks/` that adds `..` to `sys.path` and trains through
`models/train.py` is known to evaluate after training (issue 7, survey project: a score-matching
notebook's forward over 5,000 samples after `DenoisingScoreMatching(...).train(...)`, reported
from inside the tree only). A script trains through project code it imports as well as in loops
of its own: what it runs after that call is evaluation (LC007)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TRAIN = """
import torch


class ScoreMatching:
    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer

    def step(self, x):
        self.optimizer.zero_grad()
        loss = ((self.model(x + torch.randn_like(x)) - x) ** 2).mean()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def train(self, samples, steps):
        x = torch.tensor(samples, dtype=torch.float32)
        return [self.step(x) for _ in range(steps)]
"""

MODELS = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, x):
        return self.body(x)
"""

SCRIPT = """
import sys
sys.path.append("..")

import numpy as np
import torch

from models.models import Net
from models.train import ScoreMatching

samples = np.random.randn(5000, 2)
model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
losses = ScoreMatching(model, optimizer).train(samples, 100)
scores = model(torch.tensor(samples, dtype=torch.float32)).detach().numpy()
print(scores.mean())
"""


def _tree(base: Path) -> Path:
    tree = base / "downloads" / "score-matching"
    (tree / "models").mkdir(parents=True)
    (tree / "notebooks").mkdir()
    (tree / "models" / "train.py").write_text(textwrap.dedent(TRAIN))
    (tree / "models" / "models.py").write_text(textwrap.dedent(MODELS))
    (tree / "notebooks" / "run.py").write_text(textwrap.dedent(SCRIPT))
    return tree


def _findings(cwd: Path, target: str) -> list[tuple[str, int, str]]:
    process = subprocess.run(
        [sys.executable, "-m", "loopcheck", "--no-cache", "--format", "json", target],
        capture_output=True, text=True, cwd=cwd, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300,
    )
    assert process.returncode in (0, 1), process.stderr
    report = json.loads(process.stdout)
    findings = report["findings"] if isinstance(report, dict) else report
    return sorted((Path(f["path"]).name, f["line"], f["code"]) for f in findings)


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_a_tree_named_from_anywhere_is_one_project(tmp_path: Path, where: str) -> None:
    tree = _tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cwd, target = (tree, ".") if where == "inside" else (elsewhere, str(tree))
    assert _findings(cwd, target) == [("run.py", 15, "LC007")]
