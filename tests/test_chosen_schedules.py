"""A scheduler name bound in several arms to schedules of different kinds, chosen by an option
(`if args.lrschedule == "plateau": ReduceLROnPlateau(...) elif ...: CosineAnnealingLR(...,
last_epoch=start_epoch - 2)`), may hold any of them (issue 7, survey project: a resume checkpoint
saved every epoch without the scheduler's state, the default plateau schedule, was taken as put back
at the saved epoch because the cosine arm is, and its `scheduler.step(metric)` as told its epoch
because the name's last binding is no plateau). The argument of its step may be the plateau's
metric, and only a schedule whose every kind is rebuilt at the saved epoch needs no saved state; one
rebuilt at the saved epoch on resume and fresh otherwise (the same kind in both arms) stays
positioned."""
from __future__ import annotations

from loopcheck.engine import lint_source

TRAIN = """\
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, ReduceLROnPlateau


def save_checkpoint(state, path):
    torch.save(state, path)


def main(args, model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    start_epoch = 1
    if args.resume:
        ckpt = torch.load("last.pt")
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optim"])
        start_epoch = ckpt["epoch"] + 1
    ARMS
    for epoch in range(start_epoch, args.epochs + 1):
        for x, y in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        save_checkpoint({"epoch": epoch, "model": model.state_dict(), "optim": optimizer.state_dict()}, "last.pt")
        scheduler.step(STEP)
"""

CHOICE = """\
if args.lrschedule == "fixed":
        scheduler = LambdaLR(optimizer, lr_lambda=lambda x: 1)
    elif args.lrschedule == "plateau":
        scheduler = ReduceLROnPlateau(optimizer, mode="max")
    elif args.lrschedule == "cosine":
        scheduler = CosineAnnealingLR(optimizer, args.lrcycle, last_epoch=start_epoch - 2)"""

RESUMED = """\
if args.resume:
        scheduler = CosineAnnealingLR(optimizer, args.lrcycle, last_epoch=start_epoch - 2)
    else:
        scheduler = CosineAnnealingLR(optimizer, args.lrcycle)"""


def lc012(arms: str, step: str) -> list[object]:
    source = TRAIN.replace("ARMS", arms).replace("STEP", step)
    found = [f.line for f in lint_source(source, "train.py")[0] if f.code == "LC012"]
    save = next(n for n, line in enumerate(source.splitlines(), 1) if "save_checkpoint({" in line)
    return ["the save" if line == save else line for line in found]


def test_a_schedule_chosen_among_kinds_needs_each_kind_put_back() -> None:
    assert lc012(CHOICE, "") == ["the save"]


def test_a_step_given_the_metric_of_a_plateau_the_name_may_hold_is_told_no_epoch() -> None:
    assert lc012(CHOICE, "metrics['acc'] if args.lrschedule == 'plateau' else None") == ["the save"]


def test_a_schedule_rebuilt_at_the_saved_epoch_on_resume_stays_positioned() -> None:
    assert lc012(RESUMED, "") == []


def test_a_schedule_told_its_epoch_has_no_position_to_lose() -> None:
    assert lc012(RESUMED.replace(", last_epoch=start_epoch - 2", ""), "epoch") == []


def test_a_lone_schedule_rebuilt_fresh_is_reported() -> None:
    assert lc012("scheduler = CosineAnnealingLR(optimizer, args.lrcycle)", "") == ["the save"]
