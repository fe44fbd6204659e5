"""A method called on a model built from a registry of classes records no graph when each
candidate class's method does not: it runs its forwards under `torch.no_grad()` or runs none
(issue 7, survey project: a speech denoiser's evaluation loop calling `model.predict(wav)` on
`MODELS[name](...)`, a Demucs whose `predict` wraps its forward in `no_grad` or a spectral-gating
baseline that runs no module: LC007 was reported). A candidate whose method runs a forward with
grad enabled keeps the finding."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

DENOISERS = """\
import torch
import torch.nn as nn


class Gating(nn.Module):
    def predict(self, wav):
        return wav * (wav.abs() > 0.1)


class Demucs(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(1, hidden, 3, padding=1), nn.ReLU(), nn.Conv1d(hidden, 1, 3, padding=1))

    def forward(self, x):
        return self.net(x)

    def predict(self, wav):
        WRAP
            prediction = self.forward(wav.reshape(1, 1, -1))
        return prediction[0]
"""

EVALUATE = """\
import torch
import torchaudio

from denoisers import Demucs, Gating

MODELS = {"baseline": Gating, "demucs": Demucs}


def evaluate(name, pairs, path):
    model = MODELS[name](16)
    model.load_state_dict(torch.load(path))
    model.eval()
    total = 0.0
    for clean_path, noisy_path in pairs:
        clean, _ = torchaudio.load(clean_path)
        noisy, _ = torchaudio.load(noisy_path)
        denoised = model.predict(noisy)
        total += float((denoised - clean).pow(2).mean())
    return total


if __name__ == "__main__":
    print(evaluate("demucs", [], "demucs.pt"))
"""


@pytest.mark.parametrize("wrap, expected", [("with torch.no_grad():", []), ("if True:", ["LC007"])])
def test_each_candidate_method_decides(tmp_path: Path, wrap: str, expected: list[str]) -> None:
    found = lint_project(tmp_path, {"denoisers.py": DENOISERS.replace("WRAP", wrap), "evaluate.py": EVALUATE})
    assert sorted(f.code for f in found) == expected
