"""A project module built of torchmetrics metric objects (and torchaudio transforms) holds no
trainable parameter: running it on loaded data records no graph (issue 7, survey project: a speech
denoising repository whose `Metrics(nn.Module)` wraps PESQ, STOI and SNR metrics and a resampler,
called on every test file: LC007 reported it as a model evaluated with grad enabled). A module that
builds a layer with parameters is still a model."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

METRICS = """\
import torch
from torchaudio.transforms import Resample
from torchmetrics import SignalNoiseRatio
from torchmetrics.audio.pesq import PerceptualEvaluationSpeechQuality


class Metrics(torch.nn.Module):
    def __init__(self, source_rate, target_rate=16000):
        super().__init__()
        self.resampler = Resample(orig_freq=source_rate, new_freq=target_rate)
        self.pesq = PerceptualEvaluationSpeechQuality(target_rate, "wb")
        self.snr = SignalNoiseRatio()
        LAYER

    def forward(self, denoised, clean):
        denoised, clean = self.resampler(denoised), self.resampler(clean)
        return {"PESQ": self.pesq(denoised, clean).item(), "SNR": self.snr(denoised, clean).item()}
"""

EVALUATE = """\
import torchaudio

from metrics import Metrics


def evaluate(pairs):
    metrics = Metrics(source_rate=48000)
    total = 0.0
    for clean_path, noisy_path in pairs:
        clean, rate = torchaudio.load(clean_path)
        noisy, rate = torchaudio.load(noisy_path)
        scores = metrics(denoised=noisy, clean=clean)
        total += scores["PESQ"]
    return total / len(pairs)


if __name__ == "__main__":
    print(evaluate([]))
"""


@pytest.mark.parametrize("layer, expected", [("pass", []), ("self.head = torch.nn.Linear(4, 4)", ["LC007"])])
def test_metric_objects_hold_no_parameters(tmp_path: Path, layer: str, expected: list[str]) -> None:
    found = lint_project(tmp_path, {"metrics.py": METRICS.replace("LAYER", layer), "evaluate.py": EVALUATE})
    assert sorted(f.code for f in found) == expected
