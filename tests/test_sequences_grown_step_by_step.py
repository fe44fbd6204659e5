"""An output grown over the time steps of one batch, bound afresh at the first step (`if t == 0:
pred = im` / `else: pred = torch.cat((pred, im), -1)`), is an unrolled sequence: each step's graph
is the loss's anyway, and the loss is backwarded once the steps end (issue 7, check half #336: an
autoregressive neural-operator loop, where LC009 read the binding under the test as a reset and
the growth as graphs kept across iterations). Keeping each batch's sequence across batches is
still reported."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

SOURCE = """\
import torch


def train(model, train_loader, epochs, T_out, out_dim, fun_dim, teacher_forcing):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = []
    for ep in range(epochs):
        for x, fx, yy in train_loader:
            loss = 0
            for t in range(T_out):
                y = yy[..., out_dim * t:out_dim * (t + 1)]
                if fun_dim == 0:
                    fx = None
                im = model(x, fx=fx)
                loss += ((im - y) ** 2).mean()
                if t == 0:
                    pred = im
                else:
                    pred = torch.cat((pred, im), -1)
                if teacher_forcing:
                    fx = torch.cat((fx[..., out_dim:], y), dim=-1)
                else:
                    fx = torch.cat((fx[..., out_dim:], im), dim=-1)
            full = ((pred - yy) ** 2).mean().item()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            %s
"""


def _codes(tmp_path: Path, kept: str) -> list[tuple[int, str]]:
    return sorted((f.line, f.code) for f in lint_project(tmp_path, {"train.py": SOURCE % kept}))


def test_a_sequence_grown_over_one_batchs_steps_keeps_nothing(tmp_path: Path) -> None:
    assert _codes(tmp_path, "print(full)") == []


def test_the_sequences_kept_across_batches_are_reported(tmp_path: Path) -> None:
    assert _codes(tmp_path, "history.append(pred)") == [(28, "LC009")]
