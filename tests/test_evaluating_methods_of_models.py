"""A model class's own method named for evaluation (`evaluate`, `validate`, `test`), that runs the
model over data and trains nothing, evaluates the model where it is called: `model.evaluate()` after
`model.load_checkpoint()` is an evaluation pass entered there, and the mode the model is in there is
the mode the method runs it in (issue 7, survey miss: a video-prediction VAE's tester, a module
whose `@torch.no_grad() evaluate()` loops over the validation data calling `self.forward(...)`, run
on a model loaded and never put in eval mode; its batch-norm layers used the test batches'
statistics). A method with another name that only computes is a model call of its own, judged by
what its caller does with its output."""
from __future__ import annotations

from loopcheck.engine import lint_source

SOURCE = """\
import torch
import torch.nn as nn


class Predictor(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(4, 4)
        self.norm = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.norm(self.encoder(x))

    def val_dataloader(self):
        return [torch.randn(8, 4) for _ in range(3)]

    def load_checkpoint(self, path):
        self.load_state_dict(torch.load(path)["state_dict"])

    @torch.no_grad()
    def evaluate(self):
        predictions = []
        for batch in self.val_dataloader():
            predictions.append(self.forward(batch).cpu())
        torch.save(torch.cat(predictions), "predictions.pt")


def main():
    model = Predictor()
    model.load_checkpoint("model.pt")
    BEFORE
    model.evaluate()


if __name__ == "__main__":
    main()
"""


def codes(source: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in lint_source(source, "tester.py")[0]]


def test_an_evaluating_method_called_in_training_mode() -> None:
    assert codes(SOURCE.replace("    BEFORE\n", "")) == [("LC006", 31)]


def test_the_model_put_in_eval_mode_first() -> None:
    assert codes(SOURCE.replace("BEFORE", "model.eval()")) == []


def test_a_method_with_another_name_is_a_model_call_of_its_own() -> None:
    # (`model.export_all()` writes predictions out too, but nothing says it evaluates the model)
    source = SOURCE.replace("def evaluate(self):", "def export_all(self):").replace("model.evaluate()", "model.export_all()")
    assert codes(source.replace("    BEFORE\n", "")) == []
