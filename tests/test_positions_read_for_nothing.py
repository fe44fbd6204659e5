"""A position read back out of a loaded checkpoint into a name that nothing reads afterwards
(`start_epoch = checkpoint["epoch"] + 1` in a block that loads the best model only to evaluate it)
resumes nothing: a snapshot kept when the validation accuracy improves is then an export, not a
checkpoint to resume from. Read into a name that a later statement uses (`range(start_epoch,
epochs)`), it is a resume (issue 7, survey project: a food classifier's tuning script whose best
model is loaded back and evaluated before each trial)."""
from __future__ import annotations

from loopcheck.engine import lint_source

SCRIPT = """\
import torch
import torch.nn as nn


def train(model, optimizer, scheduler, criterion, loader, epochs, name):
    start = 0
    best_acc = 0.0
    try:
        checkpoint = torch.load("models/best_" + name + ".pth")
        best_model = checkpoint["model"]
        start_epoch = checkpoint["epoch"] + 1
        best_model.eval()
        with torch.no_grad():
            for x, y in loader:
                best_model(x)
    except FileNotFoundError:
        pass
    for epoch in range(START, epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        scheduler.step()
        acc = evaluate(model, loader)
        if acc > best_acc:
            best_acc = acc
            torch.save({"model": model, "optimizer": optimizer, "epoch": epoch}, "models/best_" + name + ".pth")


def evaluate(model, loader):
    model.eval()
    with torch.no_grad():
        return sum(float((model(x).argmax(1) == y).float().mean()) for x, y in loader)


model = nn.Linear(8, 3)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
train(model, optimizer, scheduler, nn.CrossEntropyLoss(), [(torch.randn(4, 8), torch.randint(0, 3, (4,)))], 30, "run")
"""


def lc012(start: str) -> list[int]:
    return [f.line for f in lint_source(SCRIPT.replace("START", start), "train.py")[0] if f.code == "LC012"]


def test_a_position_read_into_a_name_nothing_reads_resumes_nothing() -> None:
    assert lc012("start") == []


def test_a_position_read_into_the_name_training_starts_from_is_a_resume() -> None:
    assert lc012("start_epoch") == [28]
