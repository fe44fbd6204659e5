"""A dict of running totals whose keys are known (`running = {"d_loss_real": 0, "d_loss_total":
0}`) keeps, under each key, what is added to it (`running["d_loss_total"] += d_loss`): only the
keys that are given a graph-carrying loss hold a graph; the others, given numbers, hold numbers
(issue 7, survey project: an SRGAN downscaling script's epoch statistics were reported by LC009 for
every key once one key was given a loss). A key added to under a computed name leaves the dict's
keys unknown."""
from __future__ import annotations

from loopcheck.engine import lint_source

SOURCE = """\
import numpy as np
import torch

net = torch.nn.Linear(4, 1)
optimizer = torch.optim.Adam(net.parameters())
loader = [(torch.randn(2, 4), torch.randn(2, 1))]
results = {"loss_real": [], "loss_total": []}
for epoch in range(3):
    running = {"batch_sizes": 0, "loss_real": 0, "loss_total": 0}
    real = np.zeros(len(loader))
    for i, (x, y) in enumerate(loader):
        loss = torch.nn.functional.mse_loss(net(x), y)
        real[i] = loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running["batch_sizes"] += x.size(0)
        running["loss_real"] += real[i]
        running[KEY] += loss
    results["loss_real"].append(running["loss_real"] / running["batch_sizes"])
    results["loss_total"].append(running["loss_total"] / running["batch_sizes"])
"""


def lc009(key: str) -> list[int]:
    return sorted(f.line for f in lint_source(SOURCE.replace("KEY", key), "train.py")[0] if f.code == "LC009")


def test_only_the_key_given_a_loss_holds_its_graph() -> None:
    assert lc009('"loss_total"') == [19, 21]


def test_a_key_computed_at_run_time_leaves_every_key_unknown() -> None:
    assert lc009('"loss_" + "total"') == [19, 20, 21]
