"""How many epochs a loop over `range(1, args.epochs + 1)` runs is the default of the command-line
option it reads: in the loop's own file, whether `default=` is the option's last argument or not,
or, for an `args` the function is handed, in the files of the scripts that call it and parse
them. Milestones all within that count (`MultiStepLR(milestones=[6, 8])` for 10 epochs) are
epochs, and stepping them per batch drops the rate within the first batches (issue 7, survey
project: a rice-leaf classifier whose `train(..., args)` is called by `main.py` beside
`add_argument('--epochs', type=int, default=10)`). Milestones past that count name no epochs."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

TRAIN = """\
import torch
from torch.optim import lr_scheduler


def train(model, train_loader, criterion, optimizer, args):
    scheduler = lr_scheduler.MultiStepLR(optimizer, milestones=MILESTONES, gamma=0.3)
    for epoch in range(1, args.epochs + 1):
        for step, (images, labels) in enumerate(train_loader, start=1):
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            scheduler.step()
"""

MAIN = """\
import argparse
import torch
from train import train

parser = argparse.ArgumentParser()
parser.add_argument(OPTION)
args = parser.parse_args()
model = torch.nn.Linear(2, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
train(model, [], torch.nn.MSELoss(), optimizer, args)
"""


def lc005(tmp_path: Path, milestones: str, option: str, together: bool) -> list[tuple[str, int]]:
    train = TRAIN.replace("MILESTONES", milestones)
    main = MAIN.replace("OPTION", option)
    if together:  # (the options parsed in the training file itself, run as a script)
        files = {"train.py": train + "\n\n" + main.replace("from train import train\n", "")}
    else:
        files = {"train.py": train, "main.py": main}
    return [(Path(f.path).name, f.line) for f in lint_project(tmp_path, files) if f.code == "LC005"]


@pytest.mark.parametrize("together", [True, False])
@pytest.mark.parametrize("option", ["'--epochs', type=int, default=10", "'--epochs', default=10, type=int"])
def test_milestones_within_the_default_epoch_count_are_epochs(tmp_path: Path, option: str, together: bool) -> None:
    assert lc005(tmp_path, "[6, 8]", option, together) == [("train.py", 13)]


@pytest.mark.parametrize("together", [True, False])
def test_milestones_past_the_default_epoch_count_are_not(tmp_path: Path, together: bool) -> None:
    assert lc005(tmp_path, "[60, 80]", "'--epochs', type=int, default=10", together) == []
