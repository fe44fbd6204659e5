"""Schedules chosen by a setting (issue 7, survey project: Bayesian-network scripts that build a
warm-up schedule of their own, a cosine one or a `MultiStepLR` by `--scheduler`, hand it to a
`train()` that steps it in the batch loop under `if scheduler:`, and step it again after the epoch
under `if args.scheduler == "multistep":`):

- a step that runs every arm's schedule is reported when it is wrong for an arm that the code
  steps at its own cadence elsewhere, under the test that picks that arm: the code says how that
  schedule is meant to be stepped, and this step steps it again (with no such step it is reported
  only when wrong for every arm, as before);
- `scheduler.step()` of a torch scheduler subclass that writes its own `step` is that schedule's
  step (LC004, LC005), not a project helper to follow."""
from __future__ import annotations

from loopcheck.engine import lint_source

SCRIPT = """\
import argparse
import torch
from torch import optim

parser = argparse.ArgumentParser()
parser.add_argument("--scheduler", default="warm", choices=["warm", "cosine", "multistep", "none"])
parser.add_argument("--epochs", type=int, default=EPOCHS)


class WarmUp(optim.lr_scheduler._LRScheduler):
    def __init__(self, optimizer, steps_per_epoch, warmup_epochs, last_epoch=-1):
        self.total = steps_per_epoch * warmup_epochs
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [lr * min(1.0, (self.last_epoch + 1) / self.total) for lr in self.base_lrs]

    def step(self, epoch=None):
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr


def train(model, loader, optimizer, scheduler=None):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
        if scheduler:
            scheduler.step()


def main():
    args = parser.parse_args()
    model = torch.nn.Linear(4, 2)
    loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 10
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    if args.scheduler == "warm":
        scheduler = WarmUp(optimizer, steps_per_epoch=len(loader), warmup_epochs=5)
    elif args.scheduler == "cosine":
        scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, len(loader) * args.epochs)
    elif args.scheduler == "multistep":
        scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[80, 160, 180], gamma=0.2)
    elif args.scheduler == "none":
        scheduler = None
    for epoch in range(args.epochs):
        train(model, loader, optimizer, scheduler=scheduler)
        AFTER_EPOCH


if __name__ == "__main__":
    main()
"""

PER_EPOCH = 'if args.scheduler == "multistep":\n            scheduler.step()'


def _lc005(after_epoch: str, epochs: int = 200) -> list[tuple[int, str]]:
    source = SCRIPT.replace("AFTER_EPOCH", after_epoch).replace("EPOCHS", str(epochs))
    return [(f.line, f.message) for f in lint_source(source, "train.py")[0] if f.code == "LC005"]


def test_an_arm_stepped_per_epoch_under_its_test_is_stepped_again_per_batch() -> None:
    found = _lc005(PER_EPOCH)
    assert [line for line, _ in found] == [31]
    assert "MultiStepLR" in found[0][1] and "sized in epochs" in found[0][1]


def test_milestones_past_the_run_take_their_unit_from_the_arm_s_own_step() -> None:
    # 10 epochs: the milestones say no unit, the step under `if args.scheduler == "multistep"` does
    found = _lc005(PER_EPOCH, epochs=10)
    assert [line for line, _ in found] == [31]
    assert "stepped once per epoch on line 50 under the test that picks it" in found[0][1]


def test_a_step_right_for_some_arms_and_nothing_telling_of_the_others_is_left_alone() -> None:
    assert _lc005("pass") == []


SUBCLASS = """\
import torch


class WarmUp(torch.optim.lr_scheduler._LRScheduler):
    def __init__(self, optimizer, warmup, last_epoch=-1):
        self.warmup = warmup
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [lr * min(1.0, (self.last_epoch + 1) / self.warmup) for lr in self.base_lrs]

    STEP


model = torch.nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = WarmUp(optimizer, warmup=5)
loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 10
for epoch in range(10):
    scheduler.step()
    for x, y in loader:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
"""

OWN_STEP = """def step(self, epoch=None):
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr"""


def test_a_scheduler_subclass_s_own_step_is_the_schedule_s_step() -> None:
    for step in (OWN_STEP, "pass"):
        source = SUBCLASS.replace("STEP", step)
        line = 20 + step.count("\n")
        assert [(f.code, f.line) for f in lint_source(source, "train.py")[0]] == [("LC004", line)], step
