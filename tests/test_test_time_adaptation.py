"""Few-shot evaluation that adapts to each task with `torch.autograd.grad` needs grad for the
forwards it differentiates (issue 7, meta-learning survey project: `codes = leo.encode_task(x)`,
whose method runs the feature network and encodes its output before returning it, then
`leo.inner_update(x, y, codes)` differentiates a loss of the codes; only the query prediction is
made under `no_grad`). A forward counts as differentiated when its output, or any value computed
from it, is what the helper returns. The same evaluation without the adaptation step is still an
evaluation pass with grad enabled (LC007)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

LIBRARY = """
import torch
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.head = nn.Linear(16, 5)

    def extract_features(self, x):
        return self.body(x)

    def forward(self, x, prototypes):
        return self.extract_features(x) @ prototypes.t()


class Learner(BASE):
    def __init__(self):
        super().__init__()
        self.classifier = Classifier()
        self.encoder = nn.Linear(16, 16)

    def encode_task(self, x, y):
        features = self.classifier.extract_features(x)
        codes = self.encoder(features)
        per_class = torch.stack([codes[y == c].mean(0) for c in range(5)])
        return per_class

    def inner_update(self, x, y, codes):
        for _ in range(3):
            logits = self.classifier(x, codes)
            loss = nn.functional.cross_entropy(logits, y)
            grad = torch.autograd.grad(loss, codes, create_graph=True)[0]
            codes = codes - 0.1 * grad
        return codes

    def meta_train_step(self, x, y, xq, yq, optimizer):
        optimizer.zero_grad()
        codes = self.inner_update(x, y, self.encode_task(x, y))
        loss = nn.functional.cross_entropy(self.classifier(xq, codes), yq)
        loss.backward()
        optimizer.step()
        return loss.item()
"""

SCRIPT = """
import torch
from learner import Learner

learner = Learner()
optimizer = torch.optim.Adam([*learner.classifier.parameters(), *learner.encoder.parameters()])
for epoch in range(10):
    learner.classifier.train()
    for x, y, xq, yq in train_tasks:
        learner.meta_train_step(x, y, xq, yq, optimizer)


def evaluate(learner, tasks):
    learner.classifier.eval()
    correct = 0
    for x, y, xq, yq in tasks:
        codes = learner.encode_task(x, y)
        ADAPT
        with torch.no_grad():
            predictions = learner.classifier(xq, codes).argmax(1)
        correct += (predictions == yq).sum().item()
    return correct


print(evaluate(learner, test_tasks))
"""


def lint(tmp_path: Path, adapt: str, base: str) -> list[str]:
    (tmp_path / "learner.py").write_text(textwrap.dedent(LIBRARY).replace("BASE", base))
    (tmp_path / "evaluate.py").write_text(textwrap.dedent(SCRIPT).replace("ADAPT", adapt))
    found = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert found.errors == []
    return [f"{Path(f.path).name}:{f.line}:{f.code}" for f in found.findings]


# (a module's method is a forward of the module; a plain object's is followed into its statements)
BASES = pytest.mark.parametrize("base", ["nn.Module", "object"], ids=["module", "object"])


@BASES
def test_the_forwards_an_adaptation_differentiates_need_grad(tmp_path: Path, base: str) -> None:
    assert lint(tmp_path, "codes = learner.inner_update(x, y, codes)", base) == []


@BASES
@pytest.mark.parametrize("adapt", ["codes = codes * 1.0", "pass"], ids=["no-adaptation", "nothing"])
def test_without_adaptation_the_pass_is_reported(tmp_path: Path, adapt: str, base: str) -> None:
    assert lint(tmp_path, adapt, base) == ["evaluate.py:17:LC007"]
