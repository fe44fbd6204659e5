"""A function the file hands to a command-line runner (`fire.Fire(predict)`, `fire.Fire({...})`,
`typer.run(main)`, absl's `app.run(main)`) is entered as the program starts, grad on, as a call of it
under `__main__` would be (issue 7, survey project: a point-cloud segmentation repository whose
`inference.py` ends with `fire.Fire(predict)`; `predict` loads the trained network and runs it on a
whole scan with grad enabled: LC007 missed, the function was taken for one called from out of
sight). A runner handed nothing but the module (`fire.Fire()`) already made every public function a
command; a function handed to nothing stays out of sight."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import fire
import typer
from absl import app
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)

    def forward(self, x):
        return self.fc(x)


def predict(model_path, input_file):
    net = Net()
    net.load_state_dict(torch.load(model_path))
    net.eval()
    points = torch.load(input_file)
    GUARDlabels = net(points).argmax(1)
    torch.save(labels, input_file + ".labels")


if __name__ == "__main__":
    RUNNER
"""


def _lc007(runner: str, guard: str = "") -> list[int]:
    source = SCRIPT.replace("RUNNER", runner).replace("GUARD", guard)
    return [f.line for f in lint_source(source, "inference.py")[0] if f.code == "LC007"]


@pytest.mark.parametrize(
    "runner", ["fire.Fire(predict)", 'fire.Fire({"predict": predict})', "typer.run(predict)", "app.run(predict)"]
)
def test_a_function_handed_to_a_runner_is_entered(runner: str) -> None:
    assert _lc007(runner) == [22]


@pytest.mark.parametrize("runner", ["fire.Fire(predict)", "typer.run(predict)"])
def test_its_grad_context_is_still_read(runner: str) -> None:
    assert _lc007(runner, "with torch.no_grad():\n        ") == []


def test_a_function_handed_to_nothing_stays_out_of_sight() -> None:
    assert _lc007("print(predict)") == []
