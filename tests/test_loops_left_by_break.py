"""A `while` loop left only by its `break` (a retry loop: `while True:`, or `while chunk_size != 0:`
followed at once by `if not chunk_size: raise ...`) runs its body again after every run that ends
normally or continues; only the run that breaks goes on past it (issue 7, check half #338: a
tabular library's training step retries a batch in halved chunks after an out-of-memory error,
with `optimizer.zero_grad()` at the top of each try, and LC001 took a failed try that left the
loop for a path to `optimizer.step()` without the reset). Without the raise the loop may give up
and go on, and such a path is judged as before."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

SOURCE = """\
import torch


def is_oom(err):
    return "out of memory" in str(err)


def train_step(model, optimizer, batch, target, chunk_size):
    %s
        try:
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(batch[:chunk_size]), target[:chunk_size])
            loss.backward()
        except RuntimeError as err:
            if not is_oom(err):
                raise
            chunk_size //= 2
        else:
            break
    %s
    optimizer.step()
    return chunk_size


def train(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    chunk_size = 64
    for epoch in range(3):
        for batch, target in loader:
            chunk_size = train_step(model, optimizer, batch, target, chunk_size)
"""


def _codes(tmp_path: Path, loop: str, after: str) -> list[str]:
    files = {"train.py": SOURCE % (loop, after)}
    return sorted(f.code for f in lint_project(tmp_path, files) if f.code == "LC001")


def test_a_retry_loop_given_up_with_a_raise_resets_on_every_path(tmp_path: Path) -> None:
    after = "if not chunk_size:\n        raise RuntimeError('not enough memory')"
    assert _codes(tmp_path, "while chunk_size != 0:", after) == []


def test_a_retry_loop_run_until_it_breaks_resets_on_every_path(tmp_path: Path) -> None:
    assert _codes(tmp_path, "while True:", "pass") == []


def test_a_retry_loop_that_may_give_up_and_go_on_is_reported(tmp_path: Path) -> None:
    assert _codes(tmp_path, "while chunk_size != 0:", "pass") == ["LC001"]


def test_a_test_that_is_no_negation_of_the_loop_test_does_not_close_the_path(tmp_path: Path) -> None:
    after = "if chunk_size:\n        raise RuntimeError('not enough memory')"
    assert _codes(tmp_path, "while chunk_size != 0:", after) == ["LC001"]
