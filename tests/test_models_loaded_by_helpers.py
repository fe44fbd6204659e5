"""Two causes of one LC006 miss (issue 7, survey project: a text-detection repository whose
evaluation script gets its network from `dbnet = load_model(path, device)` and runs it over the
test images without `eval()`):

- a model a project helper hands back after loading weights into it (`net.load_state_dict(...)`
  then `return net`) is a trained model brought back to be used, as
  one loaded in the function itself is: a loop running it evaluates;
- a module class whose part comes from a dict display of project classes (`self.head =
  head_dict[head_name](channels)`, a registry) holds whatever those classes hold.

A helper that builds without loading, one that puts the model in eval mode, and a registry of
classes with no dropout or batch norm leave the code alone."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


class ConvHead(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(channels, 2, 1)NORM)

    def forward(self, x):
        return self.conv(x)


head_dict = {"conv": ConvHead}


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        head_name = "conv"
        self.body = nn.Conv2d(3, 8, 3)
        self.head = head_dict[head_name](8)

    def forward(self, x):
        return self.head(self.body(x))


def load_model(path, device):
    LOADER
    return net


def main(paths):
    net = load_model("model.pth", "cpu")
    predictions = []
    for path in paths:
        image = torch.load(path)
        with torch.no_grad():
            predictions.append(net(image))
    return predictions


if __name__ == "__main__":
    main(["a.pt"])
"""

LOADS = "net = Detector().to(device)\n    net.load_state_dict(torch.load(path, map_location=device))"
BN = ", nn.BatchNorm2d(2)"


def _lc006(loader: str, norm: str) -> list[int]:
    source = SCRIPT.replace("LOADER", loader).replace("NORM", norm)
    return [f.line for f in lint_source(source, "make_eval.py")[0] if f.code == "LC006"]


def test_a_model_a_helper_loads_and_hands_back_is_evaluated_in_training_mode() -> None:
    assert _lc006(LOADS, BN) == [40]


@pytest.mark.parametrize(
    "loader, norm",
    [
        (LOADS, ""),  # the registry's classes hold no dropout or batch norm
        ("net = Detector().to(device)", BN),  # built, not loaded: nothing says it is a trained model
        (LOADS + "\n    net.eval()", BN),  # the helper puts it in eval mode
    ],
)
def test_nothing_to_report(loader: str, norm: str) -> None:
    assert _lc006(loader, norm) == []
