"""A mode switch and the training pass it reaches that lie in one iteration of an inner loop (a
helper's batch loop that evaluates every k batches and never switches back) are that inner
loop's finding, reported where the switch is made; the epoch loop that calls the helper does not
report the same bug again at its call, since the helper's own `model.train()` on entry cannot
help it (issue 7, survey project: a clothing classifier whose `train(epoch)` calls `test()` at
batch 0, reported at the call of `test()` and again at `train(epoch)`)."""
from __future__ import annotations

from loopcheck.engine import lint_source
from tests.expectations import expected_findings

PREFIX = """\
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8), nn.Linear(8, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()
loader = [(torch.randn(4, 8), torch.randint(0, 3, (4,)))] * 5


def test():
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            model(x)

"""

INNER = PREFIX + """
def train(epoch):
    model.train()
    for batch_idx, (x, y) in enumerate(loader):
        if batch_idx % 100 == 0:
            test()  # expect: LC008
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()


for epoch in range(10):
    train(epoch)
"""

# the same helper whose evaluation ends its epoch: the switch reaches the next epoch's training
# only through the epoch loop, and is that loop's finding
OUTER = PREFIX + """
def train(epoch):
    for batch_idx, (x, y) in enumerate(loader):
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    test()


model.train()
for epoch in range(10):
    train(epoch)  # expect: LC008
"""


def found(source: str) -> list[tuple[int, str]]:
    return sorted((f.line, f.code) for f in lint_source(source, "train.py")[0])


def test_a_switch_reaching_training_in_an_inner_loop_is_reported_once_there() -> None:
    assert found(INNER) == expected_findings(INNER)


def test_a_switch_reaching_the_next_epoch_is_the_epoch_loops_finding() -> None:
    assert found(OUTER) == expected_findings(OUTER)
