"""LC012 checkpoint-without-optimizer-state: a resumable checkpoint that cannot resume training.

Resuming from it restarts Adam's moments and momentum from zero and the schedule from its start.
"""
from __future__ import annotations

from typing import Iterable

from loopcheck.model import LoopModel
from loopcheck.model.roles import OPTIMIZER, SCHEDULER
from loopcheck.rules.base import Report, Rule


class CheckpointWithoutOptimizerState(Rule):
    """Reports a `torch.save(...)` of a dict that holds the model's `state_dict()` and a training
    position (a key such as `epoch` or `step`) — a checkpoint meant to resume from — but not the
    optimizer's state, or not the scheduler's when the file builds a scheduler. A dict with only
    the model's weights (for inference or export) is left alone."""

    code = "LC012"
    name = "checkpoint-without-optimizer-state"
    severity = "warning"
    message = "this checkpoint records the {position} but not the {missing} state; resuming from it restarts the {missing} from scratch"
    rationale = (
        "Optimizer state (Adam's moment estimates, SGD momentum) and the scheduler's position are part "
        "of the training state. A run resumed from weights and an epoch counter alone takes large "
        "uncorrected steps and replays the warmup: the loss curve jumps, and results differ from an "
        "uninterrupted run."
    )
    use_instead = """\
torch.save({
    "epoch": epoch,
    "model": model.state_dict(),
    "optimizer": optimizer.state_dict(),
    "scheduler": scheduler.state_dict(),
}, path)
"""
    VALID = (
        """\
optimizer = torch.optim.AdamW(model.parameters())
for epoch in range(epochs):
    train_one_epoch(model, optimizer)
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, "ckpt.pt")
""",
        # weights only: an export, not a checkpoint to resume from
        """\
optimizer = torch.optim.AdamW(model.parameters())
torch.save(model.state_dict(), "weights.pt")
torch.save({"model": model.state_dict()}, "export.pt")
""",
        """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 30)
state = {"epoch": epoch, "state_dict": model.state_dict()}
state["optimizer"] = optimizer.state_dict()
state["scheduler"] = scheduler.state_dict()
torch.save(state, "checkpoint.pth")
""",
    )
    INVALID = (
        """\
optimizer = torch.optim.AdamW(model.parameters())
for epoch in range(epochs):
    train_one_epoch(model, optimizer)
    torch.save({"epoch": epoch, "model": model.state_dict()}, "ckpt.pt")  # expect: LC012
""",
        """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 30)
checkpoint = {"epoch": epoch, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict()}
torch.save(checkpoint, "checkpoint.pth")  # expect: LC012
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        optimizers = model.built(OPTIMIZER)
        if not optimizers:
            return  # nothing is trained in this file
        schedulers = model.built(SCHEDULER)
        for checkpoint in model.checkpoints:
            if not checkpoint.resumable:
                continue
            missing = []
            if not checkpoint.saves(OPTIMIZER):
                missing.append(("optimizer", optimizers[0]))
            if schedulers and not checkpoint.saves(SCHEDULER):
                missing.append(("scheduler", schedulers[0]))
            if not missing:
                continue
            position = sorted(k for k in checkpoint.keys if any(w in k.lower() for w in ("epoch", "step", "iter")))[0]
            words = " and ".join(name for name, _ in missing)
            yield Report(
                checkpoint.save.node,
                self.message.format(position=repr(position), missing=words),
                tuple((binding.statement.node, f"the {name} is built here") for name, binding in missing),
            )
