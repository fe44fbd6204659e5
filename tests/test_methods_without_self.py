"""A method defined with no parameter at all (`def eval():` in a class, `self` forgotten) cannot take
the instance it is called on: `self.eval()` raises TypeError before the body runs, so the
evaluation loop in that body is no pass (issue 7, check half #330: a music-tagging solver's
validation method, written `def eval():`, was reported by LC007). A method taking only `*args`
takes its receiver there."""
from __future__ import annotations

import pytest

import libcst as cst

from loopcheck.engine import lint_source
from loopcheck.model.names import cannot_bind

SOURCE = """\
import torch
import torch.nn as nn


class Solver(object):
    def __init__(self, model, loader):
        self.model = model
        self.loader = loader
        self.optimizer = torch.optim.Adam(model.parameters())
        self.bce = nn.BCELoss()

    def train(self, epochs):
        for epoch in range(epochs):
            self.model.train()
            for audio, label in self.loader:
                loss = self.bce(self.model(audio), label)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
            print(self.eval())

    def eval(PARAMS):
        self.model.eval()
        total = 0.0
        for audio, label in self.loader:
            outputs = self.model(audio)
            total += self.bce(outputs, label).item()
        return total


if __name__ == "__main__":
    net = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
    Solver(net, [(torch.randn(2, 4), torch.rand(2, 1))]).train(2)
"""


def lc007(params: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("PARAMS", params), "solver.py")[0] if f.code == "LC007"]


def test_a_method_that_forgot_self_is_never_entered() -> None:
    assert lc007("") == []


def test_a_method_that_takes_its_receiver_runs() -> None:
    assert lc007("self") == [26]


@pytest.mark.parametrize(("definition", "raises"), [("def eval(): pass", True), ("def eval(*args): pass", False)])
def test_binding_the_receiver(definition: str, raises: bool) -> None:
    call = cst.parse_expression("self.eval()")
    function = cst.parse_statement(definition)
    assert isinstance(call, cst.Call) and isinstance(function, cst.FunctionDef)
    assert cannot_bind(call, function, bound=True) is raises


WORKER = """\
import torch
import torch.nn as nn
from multiprocessing import Process


def sample_forever(iters, batch_size):
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))
    model.load_state_dict(torch.load("model.pt"))
    for _ in range(iters):
        samples = model(torch.randn(batch_size, 4))
        print(samples.argmax(1))


if __name__ == "__main__":
    workers = [Process(target=sample_forever, args=(100, 64)) for _ in range(4)]
    for worker in workers:
        worker.start()
"""


def test_a_function_handed_to_a_launcher_is_entered() -> None:
    # (`Process(target=..., args=...)` calls the function with `args`, not with its own keywords)
    assert [(f.code, f.line) for f in lint_source(WORKER, "sample.py")[0]] == [("LC006", 10), ("LC007", 10)]
