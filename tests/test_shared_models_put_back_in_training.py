"""A constructor that puts a model it is handed in eval mode (`Evaluator.__init__`: `self.model =
model; self.model.eval()`) holds that mode only until the code that handed it the model trains the
same model again: a trainer building `Evaluator(self.model)` whose epochs call
`self.model.train()` leaves the shared model in training mode for every later `validate()` (issue 7,
survey project: a re-identification trainer's validation loss, which picks the best checkpoint, was
computed with batch norm in training mode). A model the constructor builds itself, or one its
builder never trains, stays in eval mode."""
from __future__ import annotations

from loopcheck.engine import lint_source

SOURCE = """\
import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(8, 4)
        self.norm = torch.nn.BatchNorm1d(4)

    def forward(self, x):
        return self.norm(self.fc(x))


class Evaluator:
    def __init__(self, model):
        self.model = model
        self.model.eval()

    def validate(self, loader):
        total = 0.0
        with torch.no_grad():
            for x, y in loader:
                total += torch.nn.functional.mse_loss(self.model(x), y).item()
        return total / len(loader)


class Trainer:
    def __init__(self, train_loader, val_loader):
        self.model = Net()
        self.evaluator = Evaluator(self.model)
        self.optimizer = torch.optim.Adam(self.model.parameters())
        self.train_loader = train_loader
        self.val_loader = val_loader

    def fit(self, epochs):
        for epoch in range(epochs):
            TRAIN_MODE
            for x, y in self.train_loader:
                self.optimizer.zero_grad()
                loss = torch.nn.functional.mse_loss(self.model(x), y)
                loss.backward()
                self.optimizer.step()
            print(epoch, self.evaluator.validate(self.val_loader))


loader = [(torch.randn(4, 8), torch.randn(4, 4))]
Trainer(loader, loader).fit(3)
"""


def lc006(train_mode: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("TRAIN_MODE", train_mode), "train.py")[0] if f.code == "LC006"]


def test_a_model_its_builder_trains_again_leaves_eval_mode() -> None:
    assert lc006("self.model.train()") == [23]


def test_a_model_its_builder_never_trains_again_stays_in_eval_mode() -> None:
    # (no train() anywhere: the constructor's eval() is in force at every validation)
    assert lc006("pass") == []
