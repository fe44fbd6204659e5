"""A helper object that keeps the model it is given (`self.model = model` in its constructor) holds
what its builders pass: whether that model may hold dropout or batch norm is asked of the object
passed (`Evaluator(self.model, device)`, with `self.model` built by a registry factory), not given up
as unknown (issue 7, survey miss: a re-identification trainer whose evaluator calls `eval()` once
when built, while every epoch's training calls `train()` before the validation the evaluator runs).
A model of a class with no such layers is not reported."""
from __future__ import annotations

from loopcheck.engine import lint_source

SOURCE = """\
import torch
import torch.nn as nn


class Embedder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.body = nn.Linear(8, 4)
        self.head = LAYER

    def forward(self, x):
        return self.head(self.body(x))


class Evaluator:
    def __init__(self, model, device):
        self.model = model
        self.device = device
        self.model.eval()
        self.loss_fn = nn.TripletMarginLoss()

    def validate(self, loader):
        total = 0.0
        with torch.inference_mode():
            for anchor, positive, negative in loader:
                a = self.model(anchor.to(self.device))
                p = self.model(positive.to(self.device))
                n = self.model(negative.to(self.device))
                total += self.loss_fn(a, p, n).item()
        return total / len(loader)


class Trainer:
    def __init__(self, config, loader):
        self.device = torch.device("cpu")
        self.loader = loader
        self.model = self._create_model(config)
        self.evaluator = Evaluator(self.model, self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters())
        self.loss_fn = nn.TripletMarginLoss()

    def _create_model(self, config):
        models = {"embedder": Embedder}
        return models[config["model"].lower()](config)

    def train_one_epoch(self):
        self.model.train()
        for anchor, positive, negative in self.loader:
            loss = self.loss_fn(self.model(anchor), self.model(positive), self.model(negative))
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()

    def fit(self, epochs):
        for epoch in range(epochs):
            self.train_one_epoch()
            print(epoch, self.evaluator.validate(self.loader))


if __name__ == "__main__":
    batches = [(torch.randn(4, 8), torch.randn(4, 8), torch.randn(4, 8))]
    Trainer({"model": "Embedder"}, batches).fit(3)
"""


def lc006(layer: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("LAYER", layer), "trainer.py")[0] if f.code == "LC006"]


def test_the_model_a_helper_keeps_is_the_one_passed() -> None:
    assert lc006("nn.Sequential(nn.Dropout(0.2), nn.Linear(4, 4))") == [26]


def test_a_model_with_no_mode_layers_is_not_reported() -> None:
    assert lc006("nn.Linear(4, 4)") == []


GLOBAL = """\
import torch
import torch.nn as nn

model = None


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 2)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.layer(x))


def init_singletons():
    global model
    if model is None:
        model = Net()
        model.load_state_dict(torch.load("net.pt"))
        model.to("cpu").eval()


def answer(x):
    init_singletons()
    with torch.no_grad():
        proba = model(x).squeeze(0)
    return torch.argmax(proba, dim=0).item()


if __name__ == "__main__":
    print(answer(torch.randn(1, 4)))
"""


def test_a_global_bound_to_none_takes_no_other_value() -> None:
    # (`model = None` at the top of the file is no alias of a name `None`: what the loader binds
    # the global to, and the mode it puts it in, is out of this inference's sight: nothing is said)
    assert [f.code for f in lint_source(GLOBAL, "interactive.py")[0]] == []
