"""A training position copied from the run's own counter is noted, not put back (issue 7, check
half #335: the text-CNN training loop found in many projects saves `snapshot_steps{steps}.pt`
every so often and keeps `last_step = steps` for early stopping; its script loads a snapshot's
weights before calling `train()`, which counts its steps from 0 with a fresh optimizer: a warm
start, yet LC012 was reported because `last_step` reads like a resume position). A `train()` that
starts its count from the step read back from the snapshot's name resumes, and is still reported."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

TRAIN = """\
import torch
import torch.nn.functional as F


def train(train_iter, model, args):
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = %s
    best_acc = 0
    last_step = 0
    model.train()
    for epoch in range(1, args.epochs + 1):
        for feature, target in train_iter:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(feature), target)
            loss.backward()
            optimizer.step()
            steps += 1
            if steps %% args.test_interval == 0:
                acc = float(loss)
                if acc > best_acc:
                    best_acc = acc
                    last_step = steps
                elif steps - last_step >= args.early_stop:
                    return
            elif steps %% args.save_interval == 0:
                torch.save(model, "snapshot_steps{}.pt".format(steps))
"""

MAIN = """\
import argparse
import torch
import torch.nn as nn
import train

parser = argparse.ArgumentParser()
parser.add_argument("-snapshot", type=str, default=None)
args = parser.parse_args()
cnn = nn.Sequential(nn.Linear(8, 2))
if args.snapshot is not None:
    cnn.load_state_dict(torch.load(args.snapshot))
train.train([], cnn, args)
"""


def _findings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    return sorted((Path(f.path).name, f.line, f.code) for f in lint_project(tmp_path, files))


def test_a_counter_copied_for_early_stopping_is_no_position_put_back(tmp_path: Path) -> None:
    assert _findings(tmp_path, {"train.py": TRAIN % "0", "main.py": MAIN}) == []


def test_a_count_started_from_the_snapshots_step_resumes(tmp_path: Path) -> None:
    start = 'start_step = int(args.snapshot.split("steps")[-1][:-3]) if args.snapshot else 0\n    steps = start_step'
    assert _findings(tmp_path, {"train.py": TRAIN % start, "main.py": MAIN}) == [("train.py", 27, "LC012")]
