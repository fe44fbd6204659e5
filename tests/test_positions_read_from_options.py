"""A position key read back only by files that load nothing (`epochs = args["epoch"]` of a dict of
command-line options) is no checkpoint read back: a snapshot kept when accuracy improves stays an
export (issue 7, survey project: spiking-network scripts saving `{"epoch": ..., "state_dict":
..., "optimizer": ...}` on improvement and reading their epoch count out of `vars(args)`; LC012
said the scheduler's state was left out of a resume checkpoint). A file that loads a checkpoint
and reads its epoch (`start = ckpt["epoch"]`) resumes from it, and the snapshot is reported."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SCRIPT = """\
import argparse

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--epoch", type=int, default=30)
parser.add_argument("--resume", default="")
args = vars(parser.parse_args())
epochs = args["epoch"]

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 10
start, best = 0, 0.0
RESUME
for epoch in range(start, epochs):
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    scheduler.step()
    accuracy = sum((model(x).argmax(1) == y).float().mean().item() for x, y in loader) / len(loader)
    if accuracy > best:
        best = accuracy
        torch.save({"epoch": epoch + 1, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict()}, "best.pth")
"""

RESUMED = """if args["resume"]:
    ckpt = torch.load(args["resume"])
    model.load_state_dict(ckpt["state_dict"])
    optimizer.load_state_dict(ckpt["optimizer"])
    start = ckpt["epoch"]"""


@pytest.mark.parametrize("resume, expected", [("", []), (RESUMED, [31])])
def test_a_position_read_out_of_the_options(resume: str, expected: list[int]) -> None:
    found = lint_source(SCRIPT.replace("RESUME", resume), "main_population.py")[0]
    assert [f.line for f in found if f.code == "LC012"] == expected


TABLE = """history = torch.load("history.pt")
frame = __import__("pandas").DataFrame(history)
start = frame["epoch"].to_numpy()"""


@pytest.mark.parametrize("read, expected", [(TABLE, []), (TABLE.replace('["epoch"].to_numpy()', '["epoch"]'), [29])])
def test_a_column_of_a_table_is_no_position_read_back(read: str, expected: list[int]) -> None:
    """`df["epoch"].to_numpy()` (a table's column, plotted with the others) in a file that loads
    something reads no checkpoint's position: a value read back to resume is a number, on which
    no attribute but `.item()` is taken (survey project: a wearable-sensor trainer plotting its
    history beside a best snapshot; LC012 was reported on the snapshot)."""
    script = SCRIPT.replace('epochs = args["epoch"]', "epochs = 30").replace("RESUME", read)
    found = lint_source(script, "main_population.py")[0]
    assert [f.line for f in found if f.code == "LC012"] == expected
