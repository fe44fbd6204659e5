"""A model left in eval mode and then dropped trains nothing in eval mode (issue 7, check half
#270): each cross-validation fold's `self.fit()` builds `self.gmf = GMF(...)`, the object that
holds the module, anew, and the helper that trains it ends with `model.eval()` for its scoring.
LC008 stays silent; the same folds training one object built once are reported."""
from __future__ import annotations

import textwrap

from loopcheck.engine import lint_source

SOURCE = """
import torch
from torch import nn


def train(model, loader, epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return sum(nn.functional.mse_loss(model(x), y).item() for x, y in loader)


class GMF:
    def __init__(self, epochs):
        self.epochs = epochs
        self.model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.2), nn.Linear(8, 1))

    def fit(self, loader):
        return train(self.model, loader, self.epochs)


class AUMF:
    def __init__(self):
        ONCE

    def fit(self, loader):
        EACH
        return self.gmf.fit(loader)

    def cross_validate(self, folds):
        return [self.fit(loader) for loader in folds]
"""


def codes(once: str, each: str) -> list[tuple[str, str]]:
    source = textwrap.dedent(SOURCE).replace("ONCE", once).replace("EACH", each)
    found, errors = lint_source(source, "aumf.py")
    assert errors == []
    lines = source.splitlines()
    return [(f.code, lines[f.line - 1].strip()) for f in found]


def test_a_model_built_anew_in_each_fold_is_dropped_in_eval_mode() -> None:
    assert codes("self.gmf = None", "self.gmf = GMF(epochs=3)") == []


def test_one_model_trained_again_after_the_switch_is_reported() -> None:
    assert codes("self.gmf = GMF(epochs=3)", "pass") == [("LC008", "return [self.fit(loader) for loader in folds]")]
    # (rebuilt only in some folds, the switch may reach the next fold's training)
    assert codes("self.gmf = GMF(epochs=3)", "if len(loader) > 100: self.gmf = GMF(epochs=3)") == [
        ("LC008", "return [self.fit(loader) for loader in folds]")
    ]

