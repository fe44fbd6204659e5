"""What a checkpoint holds when project code fills it (issue 7, check halves #333 and #334: LC012
was reported on two checkpoints that save the optimizer's state).

- A value of the saved dict computed by a project method (`{"epoch": epoch, "model_state":
  gan.save_state()}`) holds the keys of the dict that method returns (`"optimG":
  self.optimizer_G.state_dict()`).
- Entries written in a loop over a dict (`for name, opt in self.optimizers_dict().items():
  ckpt[name] = opt.state_dict()`) carry that dict's keys; for a method, every definition the call
  may run counts: a base class's `return None` and a subclass's override returning `{"optimizer":
  ..., "lr_scheduler": ...}`.

The same checkpoints without the optimizer (or scheduler) in those dicts are still reported."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

GAN = """\
import torch
import torch.nn as nn


class GANModel:
    def __init__(self):
        self.G = nn.Linear(4, 4)
        self.D = nn.Linear(4, 1)
        self.optimizer_G = torch.optim.Adam(self.G.parameters())
        self.optimizer_D = torch.optim.Adam(self.D.parameters())

    def train_step(self, x):
        loss = self.D(self.G(x)).mean()
        self.optimizer_G.zero_grad()
        loss.backward()
        self.optimizer_G.step()

    def save_state(self):
        return {"G": self.G.state_dict(),
                "D": self.D.state_dict(),
                %s}
"""

MAIN = """\
import torch
from gan_model import GANModel


def main(loader, epochs):
    model = GANModel()
    for epoch in range(epochs):
        for x in loader:
            model.train_step(x)
        torch.save({"epoch": epoch, "model_state": model.save_state()}, "epoch_%d.pt" % epoch)
"""

BASE = """\
import torch


class CheckpointRunner:
    def __init__(self):
        self.epoch_count = 0
        self.step_count = 0
        self.init_fn()

    def models_dict(self):
        return None

    def optimizers_dict(self):
        return None

    def dump_checkpoint(self):
        checkpoint = {"epoch": self.epoch_count, "total_step_count": self.step_count}
        for model_name, model in self.models_dict().items():
            checkpoint[model_name] = model.state_dict()
        if self.optimizers_dict() is not None:
            for optimizer_name, optimizer in self.optimizers_dict().items():
                checkpoint[optimizer_name] = optimizer.state_dict()
        torch.save(checkpoint, "%06d.pt" % self.step_count)
"""

TRAINER = """\
import torch
import torch.nn as nn
from base import CheckpointRunner


class Trainer(CheckpointRunner):
    def init_fn(self):
        self.model = nn.Linear(4, 2)
        self.optimizer = torch.optim.Adam(self.model.parameters())
        self.lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(self.optimizer, [30, 60])

    def models_dict(self):
        return {"model": self.model}

    def optimizers_dict(self):
        return {%s}

    def train(self, loader, epochs):
        for epoch in range(epochs):
            for x, y in loader:
                loss = nn.functional.cross_entropy(self.model(x), y)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self.step_count += 1
            self.lr_scheduler.step()
            self.epoch_count += 1
            self.dump_checkpoint()
"""


def _findings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    return sorted((Path(f.path).name, f.line, f.code) for f in lint_project(tmp_path, files))


def test_a_dict_a_project_method_returns_holds_the_optimizer_state(tmp_path: Path) -> None:
    gan = GAN % '"optimG": self.optimizer_G.state_dict(),\n                "optimD": self.optimizer_D.state_dict()'
    assert _findings(tmp_path, {"gan_model.py": gan, "main.py": MAIN}) == []


def test_a_dict_a_project_method_returns_without_the_optimizer_is_still_reported(tmp_path: Path) -> None:
    gan = GAN % '"step": 0'
    assert _findings(tmp_path, {"gan_model.py": gan, "main.py": MAIN}) == [("main.py", 10, "LC012")]


def test_entries_written_over_a_dict_an_override_returns_carry_its_keys(tmp_path: Path) -> None:
    trainer = TRAINER % '"optimizer": self.optimizer, "lr_scheduler": self.lr_scheduler'
    assert _findings(tmp_path, {"base.py": BASE, "trainer.py": trainer}) == []


def test_entries_written_over_a_dict_lacking_the_scheduler_are_still_reported(tmp_path: Path) -> None:
    trainer = TRAINER % '"optimizer": self.optimizer'
    assert _findings(tmp_path, {"base.py": BASE, "trainer.py": trainer}) == [("base.py", 23, "LC012")]
