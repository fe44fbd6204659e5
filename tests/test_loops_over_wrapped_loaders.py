"""A loop over a name bound above it to a wrapped loader (`valbar = tqdm(enumerate(val_loader),
total=n)`, then `for i, (x, y) in valbar:`) goes over data as `for i, (x, y) in
enumerate(val_loader):` does (issue 7, check half #334: a denoiser's validation summed each batch's
graph-carrying PSNR into `val_psnr`, reset once per epoch, and LC009 missed it because the loop's
own text names no loader). A name bound to a few fixed steps (`steps = range(4)`) is still no data."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

SOURCE = """\
import torch
import torch.nn as nn
from tqdm import tqdm


def psnr(denoised, target):
    mse = torch.mean((denoised - target) ** 2)
    return -10 * torch.log10(mse + 1e-8)


class Denoiser:
    def __init__(self):
        self.model = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.ReLU())
        self.optim = torch.optim.Adam(self.model.parameters())

    def train(self, train_loader, val_loader, epochs):
        for epoch in range(epochs):
            for source, target in train_loader:
                loss = ((self.model(source) - target) ** 2).mean()
                self.optim.zero_grad()
                loss.backward()
                self.optim.step()
            val_psnr = 0
            %s
            for batch_idx, (source, target) in valbar:
                denoised = self.model(source)
                val_psnr += psnr(denoised, target)
            print(val_psnr)
"""


def _codes(tmp_path: Path, bound: str) -> list[tuple[int, str]]:
    return sorted((f.line, f.code) for f in lint_project(tmp_path, {"denoise.py": SOURCE % bound}))


def test_a_loader_wrapped_in_a_progress_bar_above_the_loop_is_data(tmp_path: Path) -> None:
    bound = "valbar = tqdm(enumerate(val_loader), total=len(val_loader), unit='batch')"
    assert _codes(tmp_path, bound) == [(26, "LC007"), (27, "LC009")]


def test_a_name_bound_to_a_few_steps_is_no_data(tmp_path: Path) -> None:
    bound = "valbar = enumerate(zip(range(4), range(4)))"
    assert (27, "LC009") not in _codes(tmp_path, bound)
