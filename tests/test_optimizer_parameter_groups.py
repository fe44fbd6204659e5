"""The models an optimizer is built over are read from every assignment of the name it is given
and from what the code adds to it (issue 7, survey project: an adversarial-training script builds
`params = model.parameters()` in one arm and weight-decay groups `[{"params": decay}, ...]` filled by
`decay.append(param)` in a loop over `model.named_parameters()` in the other; the optimizer's models
could not be told, so the SWA copy that no optimizer holds, evaluated after `bn_update`, was taken
for a trained model left in eval mode: LC008). The model the groups hold is still trained."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.lintproject import lint_project

HELPERS = """\
import torch


def train_epoch(model, loader, criterion, optimizer):
    SWITCH
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()


def evaluate(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
    return correct


def attack(model, x, y, epsilon=0.03, steps=5):
    delta = torch.zeros_like(x).requires_grad_(True)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(model(x + delta), y)
        loss.backward()
        delta.data = (delta + epsilon * delta.grad.sign()).clamp(-epsilon, epsilon)
        delta.grad.zero_()
    return delta.detach()


def eval_pgd(model, loader):
    model.eval()
    correct = 0
    for x, y in loader:
        x_adv = x + attack(model, x, y)
        model.eval()
        correct += (model(x_adv).argmax(1) == y).sum().item()
    return correct


def moving_average(net1, net2, alpha=1.0):
    for param1, param2 in zip(net1.parameters(), net2.parameters()):
        param1.data *= 1.0 - alpha
        param1.data += param2.data * alpha


def bn_update(loader, model):
    model.train()
    for x, _ in loader:
        model(x)
"""

TRAIN = """\
import argparse

import torch
import torch.nn as nn

from helpers import bn_update, eval_pgd, evaluate, moving_average, train_epoch


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.bn = nn.BatchNorm1d(2)

    def forward(self, x):
        return self.bn(self.fc(x))


def main(args, train_loader, test_loader):
    model = Net()
    if args.swa:
        swa_model = Net()
    if args.l2:
        decay, no_decay = [], []
        for name, param in model.named_parameters():
            if "bn" not in name and "bias" not in name:
                decay.append(param)
            else:
                no_decay.append(param)
        params = [{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}]
    else:
        params = model.parameters()
    optimizer = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        train_epoch(model, train_loader, criterion, optimizer)
        evaluate(model, test_loader)
        if args.swa:
            moving_average(swa_model, model, 1.0 / (epoch + 1))
            bn_update(train_loader, swa_model)
            evaluate(swa_model, test_loader)
            eval_pgd(swa_model, test_loader)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--swa", action="store_true")
    parser.add_argument("--l2", action="store_true")
    parser.add_argument("--epochs", type=int, default=10)
    main(parser.parse_args(), [], [])
"""


def _lc008(tmp_path: Path, switch: str) -> list[tuple[str, int]]:
    findings = lint_project(tmp_path, {"helpers.py": HELPERS.replace("SWITCH", switch), "train.py": TRAIN})
    return [(f.path.rsplit("/", 1)[-1], f.line) for f in findings if f.code == "LC008"]


def test_a_copy_outside_the_parameter_groups_may_stay_in_eval_mode(tmp_path: Path) -> None:
    assert _lc008(tmp_path, "model.train()") == []


@pytest.mark.parametrize("switch", ["pass", "model.float()"])
def test_the_model_the_groups_hold_is_still_trained(tmp_path: Path, switch: str) -> None:
    # no train() before the next epoch's training pass: the model evaluated in eval mode trains in it
    assert ("train.py", 37) in _lc008(tmp_path, switch)
