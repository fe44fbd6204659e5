"""A list made afresh in a loop nested inside the batch loop, around the loop that fills it
(`for indices in class_indices: subset = []`, then `for i in range(len(a)):
subset.append(a[i][indices].mean(0))`), starts empty in every iteration of the batch loop: what it
holds goes with that iteration (issue 7, survey project: a direct-feedback-alignment trainer
averaging each class's activations before its manual update; LC009 was reported on the appends).
The same list made once before the batch loop keeps every batch's graphs."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loader = [(torch.randn(16, 4), torch.randint(0, 3, (16,)))] * 10
BEFORE
for x, y in loader:
    out = model(x)
    layers = [out, out * 2]
    groups = [[i for i in range(len(y)) if y[i] == c] for c in range(3)]
    for indices in groups:
        INSIDE
        for i in range(len(layers)):
            subset.append(layers[i][indices].mean(0))
        print(len(subset))
    optimizer.zero_grad()
    nn.functional.cross_entropy(out, y).backward()
    optimizer.step()
"""


@pytest.mark.parametrize("before, inside, expected", [("", "subset = []", []), ("subset = []", "pass", [15])])
def test_a_list_made_afresh_inside_the_batch_loop(before: str, inside: str, expected: list[int]) -> None:
    found = lint_source(SCRIPT.replace("BEFORE", before).replace("INSIDE", inside), "train.py")[0]
    assert [f.line for f in found if f.code == "LC009"] == expected
