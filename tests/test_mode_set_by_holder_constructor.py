"""A model put in eval mode by the constructor of the object that holds it stays so in the
object's other methods, parts included (issue 7, survey project: a Transformer reimplementation
whose `Predictor.__init__` calls `self.model.eval()` and whose `prediction_one` runs
`self.model.encoder` and `self.model.decoder`: LC006 was reported for both parts, as the switch of
the whole in the constructor was looked for on the parts). A method that puts a part back in
training mode undoes it; grad mode is another matter (LC007 stays)."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

PREDICTORS = """\
import torch


class Predictor:
    def __init__(self, model, checkpoint_filepath):
        self.model = model
        self.model.eval()
        self.model.load_state_dict(torch.load(checkpoint_filepath))

    def prediction_one(self, source):
        memory = self.model.encoder(source)
        return self.model.decoder(memory)
"""

PREDICT = """\
import torch.nn as nn
from predictors import Predictor


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1))
        self.decoder = nn.Linear(8, 4)


def main(sources, path):
    predictor = Predictor(Seq2Seq(), path)
    for s in sources:
        print(predictor.prediction_one(s))


if __name__ == "__main__":
    main([], "ckpt.pt")
"""


def _findings(tmp_path: Path, predictors: str) -> list[tuple[str, str]]:
    found = lint_project(tmp_path, {"predictors.py": predictors, "predict.py": PREDICT})
    return sorted((f.code, f.message.split()[0]) for f in found)


def test_eval_in_the_holders_constructor_covers_the_parts(tmp_path: Path) -> None:
    assert _findings(tmp_path, PREDICTORS) == [("LC007", "self.model.encoder")]


def test_a_method_putting_a_part_back_in_training_mode_undoes_it(tmp_path: Path) -> None:
    predictors = PREDICTORS + "\n    def adapt(self):\n        self.model.encoder.train()\n"
    assert _findings(tmp_path, predictors) == [("LC006", "self.model.encoder"), ("LC007", "self.model.encoder")]
