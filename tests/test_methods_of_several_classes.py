"""A model built from one of several classes (`get_model = MF` in one arm, `= SASRec` in the other)
runs the method of whichever was chosen; each method's own grad mode applies (issue 7, check half
#271): `@torch.inference_mode() def recommend(...)` in every class is an evaluation without a
graph. A class whose method leaves grad on makes the call one that records a graph (LC007)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

MODEL = """
import torch
from torch import nn


class NAME(nn.Module):
    def __init__(self, users, items):
        super().__init__()
        self.users = nn.Embedding(users, 16)
        self.items = nn.Embedding(items, 16)
        self.drop = nn.Dropout(0.2)

    def forward(self, user, item):
        return (self.drop(self.users(user)) * self.items(item)).sum(-1)

    DECORATOR
    def recommend(self, user, item):
        return self.forward(user, item)
"""

TRAIN = """
import torch


class Trainer:
    def __init__(self, kind, users, items):
        if kind == "MF":
            from models.mf import MF
            get_model = MF
        else:
            from models.sasrec import SASRec
            get_model = SASRec
        self.model = get_model(users, items)
        self.opt = torch.optim.Adam(self.model.parameters())

    def fit(self, loader, benchmark):
        for epoch in range(10):
            self.model.train()
            for user, item, y in loader:
                self.opt.zero_grad()
                torch.nn.functional.binary_cross_entropy_with_logits(self.model(user, item), y).backward()
                self.opt.step()
            self.model.eval()
            for user, item in benchmark:
                scores = self.model.recommend(user, item)
                print(scores.topk(10).indices)


Trainer("MF", 10, 10).fit(train_loader, bench_loader)
"""


def lint(tmp_path: Path, second: str) -> list[str]:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text("")
    (tmp_path / "models" / "mf.py").write_text(textwrap.dedent(MODEL.replace("NAME", "MF").replace("DECORATOR", "@torch.inference_mode()")))
    (tmp_path / "models" / "sasrec.py").write_text(textwrap.dedent(MODEL.replace("NAME", "SASRec").replace("DECORATOR", second)))
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN))
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    return [f.code for f in result.findings]


@pytest.mark.parametrize("decorator", ["@torch.inference_mode()", "@torch.no_grad()"])
def test_each_class_turning_grad_off_records_no_graph(tmp_path: Path, decorator: str) -> None:
    assert lint(tmp_path, decorator) == []


def test_one_class_leaving_grad_on_records_one(tmp_path: Path) -> None:
    assert lint(tmp_path, "") == ["LC007"]
