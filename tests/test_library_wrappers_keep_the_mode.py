"""A module a library builds around a model given to it first (`tta_model =
tta.ClassificationTTAWrapper(model, transforms)`, a test-time-augmentation wrapper) runs the
model's layers in the mode the model had when it was wrapped, as a deep copy does: after
`model.eval()` the wrapper's pass is in eval mode (issue 7: a development-half project built
the wrapper in its validation loop after `model.eval()`, and LC006 took it for a fresh module in
training mode). A wrapper built while the model trains still runs it in training mode, and a
wrapper of what is not a model, or torch's own containers that add layers of their own, are
judged as before."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

SOURCE = """\
import torch
import torch.nn as nn
import ttach as tta


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.fc(self.drop(x))


def valid_fn(loader, model):
    %s
    preds = []
    for x, y in loader:
        with torch.no_grad():
            tta_model = %s
            out = tta_model(x)
        preds.append(out)
    return preds


def train(loader, model, opt):
    model.train()
    for x, y in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()


model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    train([], model, opt)
    valid_fn([], model)
"""

TTA = "tta.ClassificationTTAWrapper(model, tta.aliases.flip_transform())"
SEQUENTIAL = "nn.Sequential(model, nn.Dropout(0.1))"


def _codes(tmp_path: Path, switch: str, wrapper: str) -> list[tuple[int, str]]:
    files = {"train.py": SOURCE % (switch, wrapper)}
    return sorted((f.line, f.code) for f in lint_project(tmp_path, files) if f.code == "LC006")


def test_a_library_wrapper_of_a_model_in_eval_mode_runs_it_in_eval_mode(tmp_path: Path) -> None:
    assert _codes(tmp_path, "model.eval()", TTA) == []


def test_a_library_wrapper_of_a_model_left_in_training_mode_is_reported(tmp_path: Path) -> None:
    assert _codes(tmp_path, "pass", TTA) == [(22, "LC006")]


def test_torch_containers_adding_layers_are_not_library_wrappers(tmp_path: Path) -> None:
    assert _codes(tmp_path, "model.eval()", SEQUENTIAL) == [(22, "LC006")]
