"""A trainer object that reads its checkpoint back while it is built (`__init__` calling
`self._resume_checkpoint(path)`, which sets `self.start_epoch = checkpoint["epoch"] + 1`), of a
class that trains (its `_train_process` runs the `_train_epoch` a subclass in another file
implements), goes on training from what it read: the checkpoint saved every few epochs is meant
for resuming (issue 7, survey project: a template-style `BaseTrainer` whose resume checkpoint left
out the scheduler its subclass steps was taken as read back only for use, because neither the
reading method nor the constructor calling it trains). A class whose methods train nothing (a
predictor restoring its model and epoch to report them) puts what it reads to use."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

BASE = """\
import torch


class BaseTrainer:
    def __init__(self, model, optimizer, epochs, resume=None):
        self.model = model
        self.optimizer = optimizer
        self.epochs = epochs
        self.start_epoch = 1
        if resume is not None:
            self._resume_checkpoint(resume)

    def _train_epoch(self, epoch):
        raise NotImplementedError

    def train(self):
        for epoch in range(self.start_epoch, self.epochs + 1):
            self._train_epoch(epoch)
            if epoch % 5 == 0:
                self._save_checkpoint(epoch)

    def _save_checkpoint(self, epoch):
        state = {"epoch": epoch, "state_dict": self.model.state_dict(), "optimizer": self.optimizer.state_dict()}
        torch.save(state, f"checkpoint-epoch{epoch}.pth")

    def _resume_checkpoint(self, path):
        checkpoint = torch.load(path)
        self.start_epoch = checkpoint["epoch"] + 1
        self.model.load_state_dict(checkpoint["state_dict"])
        self.optimizer.load_state_dict(checkpoint["optimizer"])
"""

TRAINER = """\
import torch

from base_trainer import BaseTrainer


class Trainer(BaseTrainer):
    def __init__(self, model, optimizer, lr_scheduler, loader, epochs, resume=None):
        super().__init__(model, optimizer, epochs, resume)
        self.lr_scheduler = lr_scheduler
        self.loader = loader

    def _train_epoch(self, epoch):
        self.model.train()
        for x, y in self.loader:
            self.optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(self.model(x), y)
            loss.backward()
            self.optimizer.step()
        self.lr_scheduler.step()
"""

TRAIN = """\
import sys

import torch

from trainer import Trainer


def main(resume):
    model = torch.nn.Linear(4, 2)
    loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    lr_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 30)
    trainer = Trainer(model, optimizer, lr_scheduler, loader, 100, resume)
    trainer.train()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
"""

PREDICTOR = """\
import torch


class Predictor:
    def __init__(self, model, path):
        self.model = model
        self._restore(path)

    def _restore(self, path):
        checkpoint = torch.load(path)
        self.epoch = checkpoint["epoch"]
        self.model.load_state_dict(checkpoint["state_dict"])

    def __call__(self, x):
        with torch.no_grad():
            return self.model(x)
"""


def lc012(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    return [(Path(f.path).name, f.line) for f in lint_project(tmp_path, files) if f.code == "LC012"]


def test_a_trainer_resuming_when_built_reads_its_checkpoint_to_train_on(tmp_path: Path) -> None:
    files = {"base_trainer.py": BASE, "trainer.py": TRAINER, "train.py": TRAIN}
    assert lc012(tmp_path, files) == [("base_trainer.py", 24)]


def test_a_resume_keeping_every_state_is_left_alone(tmp_path: Path) -> None:
    base = BASE.replace(
        '"optimizer": self.optimizer.state_dict()}', '"optimizer": self.optimizer.state_dict(), "scheduler": self.lr_scheduler.state_dict()}'
    )
    assert lc012(tmp_path, {"base_trainer.py": base, "trainer.py": TRAINER, "train.py": TRAIN}) == []


def test_an_object_restoring_itself_only_to_predict_puts_the_checkpoint_to_use(tmp_path: Path) -> None:
    # (the trainer resumes from nothing; the file's predictor, which trains nothing, reads the
    # checkpoint back when built, and a script uses it)
    base = BASE.replace("            self._resume_checkpoint(resume)\n", "            pass\n").replace(
        '        self.start_epoch = checkpoint["epoch"] + 1\n', ""
    ) + "\n\n" + PREDICTOR.replace("import torch\n", "")
    predict = "import torch\n\nfrom base_trainer import Predictor\n\npredictor = Predictor(torch.nn.Linear(4, 2), 'last.pth')\nprint(predictor(torch.randn(1, 4)))\n"
    files = {"base_trainer.py": base, "trainer.py": TRAINER, "train.py": TRAIN, "predict.py": predict}
    assert lc012(tmp_path, files) == []
