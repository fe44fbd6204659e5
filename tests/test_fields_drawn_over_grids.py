"""A helper that runs a trained model on a grid of inputs and draws the outputs as a field or a
surface (`ax.pcolormesh(...)`, `plt.contourf(...)`, `ax.plot_surface(...)`) makes a picture of the
model: an evaluation pass, like one that shows its outputs with `imshow` (issue 7, survey misses: a
normalizing flow's density drawn with `pcolormesh` on a million grid points, a physics-informed
network's solution drawn with `plot_surface`, both with grad on). A helper that draws nothing made by
the model is not judged."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import torch
import torch.nn as nn
import matplotlib.pyplot as plt


class Flow(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(2, 2)

    def forward(self, z):
        return self.layer(z), z.sum(-1)


def plot_density(model, ax):
    x = torch.linspace(-4, 4, 1000)
    X, Y = torch.meshgrid(x, x)
    Z = torch.stack((X.flatten(), Y.flatten()), dim=-1)
    z_k, log_det = model(Z)
    q_k = torch.exp(-log_det)
    ax.DRAW(X.numpy(), Y.numpy(), q_k.detach().numpy().reshape(1000, 1000))


def main():
    model = Flow()
    optimizer = torch.optim.Adam(model.parameters())
    for step in range(100):
        z = torch.randn(64, 2)
        out, log_det = model(z)
        loss = (out ** 2).sum() - log_det.sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    fig, ax = plt.subplots()
    plot_density(model, ax)


if __name__ == "__main__":
    main()
"""


def lc007(source: str) -> list[int]:
    return [f.line for f in lint_source(source, "flow.py")[0] if f.code == "LC007"]


@pytest.mark.parametrize("draw", ["pcolormesh", "contourf", "contour", "plot_surface", "matshow", "imshow"])
def test_outputs_drawn_over_a_grid_are_an_evaluation(draw: str) -> None:
    assert lc007(SOURCE.replace("DRAW", draw)) == [19]


def test_a_helper_drawing_no_output_is_not_judged() -> None:
    # (the outputs are only printed: a forward on made-up input that checks the code)
    source = SOURCE.replace(
        "    ax.DRAW(X.numpy(), Y.numpy(), q_k.detach().numpy().reshape(1000, 1000))\n",
        "    print(q_k.shape)\n",
    )
    assert lc007(source) == []


def test_under_no_grad_the_pass_is_right() -> None:
    source = SOURCE.replace("    z_k, log_det = model(Z)\n", "    with torch.no_grad():\n        z_k, log_det = model(Z)\n")
    assert lc007(source.replace("DRAW", "pcolormesh")) == []
