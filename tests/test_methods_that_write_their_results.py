"""A call of a model's method whose output the caller drops still evaluates the model when the
method writes what it computes out itself (issue 7, survey project: a DDPM sampling script loads
the trained weights, then, per `--mode`, calls `model.vis_denoising_process(batch_size, save_path)`,
whose body ends in `imageio.mimsave(save_path, frames)`, or `gen_image = model.sample(n)`; the
UNet holds dropout and nothing calls `eval()`. The dropped output read as a forward run to see
that it runs, and that first call ended the search of the function: LC006 missed on both arms). A
method that only returns what it computes, called for nothing, is still no evaluation."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

DDPM = """\
import imageio
import torch
import torch.nn as nn


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 4))

    def forward(self, x, t):
        return self.body(x)


class DDPM(nn.Module):
    def __init__(self, model, steps=10):
        super().__init__()
        self.model = model
        self.steps = steps

    def forward(self, noisy_image, diffusion_step):
        return self.model(noisy_image, diffusion_step)

    @torch.inference_mode()
    def take_denoising_step(self, noisy_image, idx):
        return noisy_image - self(noisy_image, idx)

    def perform_denoising_process(self, noisy_image):
        x = noisy_image
        for idx in range(self.steps - 1, -1, -1):
            x = self.take_denoising_step(x, idx)
        return x

    def sample(self, batch_size):
        return self.perform_denoising_process(torch.randn(batch_size, 4))

    def vis_denoising_process(self, batch_size, save_path):
        frames = self.perform_denoising_process(torch.randn(batch_size, 4))
        WRITE
"""

SAMPLE = """\
import argparse

import torch

from ddpm import DDPM, UNet


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["normal", "denoising_process"], required=True)
    parser.add_argument("--model_params", required=True)
    parser.add_argument("--batch_size", type=int, default=16)
    args = parser.parse_args()
    model = DDPM(model=UNet())
    model.load_state_dict(torch.load(args.model_params))
    if args.mode == "denoising_process":
        model.vis_denoising_process(args.batch_size, "process.gif")
    else:
        gen_image = model.sample(args.batch_size)
        torch.save(gen_image, "samples.pt")


if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize("write", ["imageio.mimsave(save_path, frames)", "torch.save(frames, save_path)"])
def test_a_method_that_writes_its_results_evaluates(tmp_path: Path, write: str) -> None:
    findings = lint_project(tmp_path, {"ddpm.py": DDPM.replace("WRITE", write), "sample.py": SAMPLE})
    assert [(f.code, f.line) for f in findings if f.path.endswith("sample.py")] == [("LC006", 17)]


def test_a_method_called_for_nothing_leaves_the_next_arm_to_be_judged(tmp_path: Path) -> None:
    # (its output dropped, the method returning it: no evaluation; the `else` arm samples and saves)
    findings = lint_project(tmp_path, {"ddpm.py": DDPM.replace("WRITE", "return frames"), "sample.py": SAMPLE})
    assert [(f.code, f.line) for f in findings if f.path.endswith("sample.py")] == [("LC006", 19)]
