"""A model reached through each element of a list (`for predictor in self.predictors:
predictor.model(x)`), where every element the project puts in the list is built by a class whose
constructor puts its `self.model` in eval mode, is in eval mode for the pass, as it is when the
instance is bound to a name (issue 7, survey project: a stock-prediction backtest whose ensemble
runs each `ModelPredictor`'s model, loaded and put in eval mode by `ModelPredictor.__init__`;
LC006 said it ran in training mode). A constructor that does not switch, or one kind of element
whose constructor does not, leaves the pass reported."""
from __future__ import annotations

from pathlib import Path

import pytest

from loopcheck.engine import lint_source
from tests.lintproject import lint_project

PREDICTOR = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1), nn.Linear(4, 2))

    def forward(self, x):
        return self.fc(x)


class Predictor:
    def __init__(self, path):
        self.model = Net()
        self.model.load_state_dict(torch.load(path))
        SWITCH
"""

SCRIPT = PREDICTOR + """\


class RawPredictor:
    def __init__(self, path):
        self.model = Net()
        self.model.load_state_dict(torch.load(path))


class Ensemble:
    def __init__(self, paths):
        self.predictors = []
        for path in paths:
            predictor = Predictor(path)
            self.predictors.append(predictor)
        OTHER

    @torch.no_grad()
    def predict(self, batches):
        out = []
        for x in batches:
            for predictor in self.predictors:
                out.append(predictor.model(x))
        return out


if __name__ == "__main__":
    ensemble = Ensemble(["a.pt", "b.pt"])
    print(ensemble.predict([torch.randn(2, 4)]))
"""


def _lc006(switch: str, other: str = "pass") -> list[int]:
    source = SCRIPT.replace("SWITCH", switch).replace("OTHER", other)
    return [f.line for f in lint_source(source, "backtest.py")[0] if f.code == "LC006"]


def test_each_listed_instance_s_constructor_puts_its_model_in_eval_mode() -> None:
    assert _lc006("self.model.eval()") == []


@pytest.mark.parametrize(
    "switch, other",
    [
        ("pass", "pass"),  # no constructor switches
        ("self.model.eval()", 'self.predictors.append(RawPredictor("c.pt"))'),  # one kind of element does not
    ],
)
def test_a_listed_model_left_in_training_mode_is_reported(switch: str, other: str) -> None:
    assert _lc006(switch, other) == [40]


BACKTEST = PREDICTOR + """\

    @torch.no_grad()
    def predict(self, x):
        return self.model(x)


class Ensemble:
    def __init__(self, paths):
        self.predictors = []
        for path in paths:
            self.predictors.append(Predictor(path))

    @torch.no_grad()
    def predict(self, x):
        out = []
        for predictor in self.predictors:
            out.append(predictor.model(x))
        return out
"""

CALLER = """\
import torch

from backtest import Ensemble, Predictor


class CurrentDay:
    def __init__(self, paths):
        if isinstance(paths, list):
            self.predictor = Ensemble(paths)
        else:
            self.predictor = Predictor(paths)

    def predict_batch(self, batch):
        return self.predictor.predict(batch)

    def predict_all(self, features):
        results = []
        for i in range(0, len(features), 8):
            results.append(self.predict_batch(features[i:i + 8]))
        return results


if __name__ == "__main__":
    print(CurrentDay(["a.pt"]).predict_all(torch.randn(20, 4)))
"""


@pytest.mark.parametrize("switch, expected", [("self.model.eval()", []), ("pass", [("backtest.py", 35)])])
def test_a_pass_entered_from_another_file(tmp_path, switch: str, expected: list[tuple[str, int]]) -> None:
    # (a caller in another file enters the ensemble's pass: the name is read where the loop binds it)
    files = {"backtest.py": BACKTEST.replace("SWITCH", switch), "predict.py": CALLER}
    found = lint_project(tmp_path, files)
    assert [(Path(f.path).name, f.line) for f in found if f.code == "LC006"] == expected
