"""LC004 scheduler-before-optimizer: `scheduler.step()` runs before `optimizer.step()`.

The first value of the schedule is skipped, and PyTorch only warns once, at run time.
"""
from __future__ import annotations

import re

from typing import Iterable

from loopcheck.lazyre import lazy
from loopcheck.model import Event, Kind, LoopModel
from loopcheck.model.flow import decide
from loopcheck.model.ir import Loop
from loopcheck.model.schedules import EPOCH_WORDS, literal_elements
from loopcheck.rules.base import Report, Rule


class SchedulerBeforeOptimizer(Rule):
    """Reports a `scheduler.step()` that runs before the `optimizer.step()` it schedules, in one
    iteration of the batch loop or, for schedules stepped per epoch, in one iteration of the
    epoch loop (a scheduler stepped at the top of the epoch, before training). Files written for
    PyTorch before 1.1, when that was the documented order, are left alone: told by their own
    idioms (`loss.data[0]`, `volatile=True`) or by the version their project states, when every
    PyTorch version named in the readme, requirements or setup files of the nearest folder that
    names any is older (`PyTorch 0.4.1`, `torch==1.0.0`; a lower bound alone, `pytorch>=0.4` or
    `PyTorch 0.4+`, means any later release too, and dates nothing), and so is a step under a test on the epoch counter that the first epoch may not pass
    (`if epoch > 0: scheduler.step()` at the top of the epoch runs after the previous epoch's
    updates), or under a test of the scheduler's existence whose other arm builds it (`if not
    hasattr(self, "sched"): self.sched = StepLR(...)` / `else: self.sched.step()`: the first call
    builds, the later ones step after the optimizer's updates)."""

    code = "LC004"
    name = "scheduler-before-optimizer"
    severity = "error"
    message = "{scheduler}.step() runs before {optimizer}.step(); the first learning rate of the schedule is skipped"
    rationale = (
        "Since PyTorch 1.1 the scheduler must be stepped after the optimizer. Stepping it first moves "
        "the learning rate before any update has used the initial value: warmups start one step late, "
        "step decays fire one epoch early, and the whole schedule is shifted."
    )
    use_instead = """\
for epoch in range(epochs):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    scheduler.step()
"""
    VALID = (
        """\
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
for epoch in range(epochs):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    scheduler.step()
""",
        """\
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
for epoch in range(epochs):
    train_one_epoch(model, loader, optimizer)
    val_loss = evaluate(model, val_loader)
    scheduler.step(val_loss)

def train_one_epoch(model, loader, optimizer):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
""",
    )
    INVALID = (
        """\
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=1000)
for x, y in loader:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    scheduler.step()  # expect: LC004
    optimizer.step()
""",
        """\
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
for epoch in range(epochs):
    scheduler.step()  # expect: LC004
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        if model.written_before((1, 1)):
            return ()  # before PyTorch 1.1, `scheduler.step()` at the top of the epoch was the documented order
        found: dict[int, Report] = {}

        def step(state: tuple[frozenset[Event], frozenset[Event]], event: Event) -> tuple[frozenset[Event], frozenset[Event]]:
            stepped, pending = state
            if event.kind is Kind.SCHEDULER_STEP:
                if model.follows_metric(event.subject) or model.told_its_epoch(event):
                    return state  # `scheduler.step(val_loss)`, `scheduler.step(epoch)`: nothing is skipped
                scheduled = model.scheduled_optimizer(event.subject)
                if any(model.may_be(scheduled, s.subject) for s in stepped):
                    return state
                return stepped, pending | {event}
            if event.kind is Kind.STEP:
                waiting = frozenset(
                    s for s in pending
                    if model.may_be(model.scheduled_optimizer(s.subject), event.subject) and _same_call(s, event)
                )
                for scheduler_step in waiting:
                    if _skipped_at_first(model, scheduler_step, event):
                        continue  # `if epoch > 0: scheduler.step()`: after the last epoch's updates
                    if id(scheduler_step.node) not in found:
                        found[id(scheduler_step.node)] = Report(
                            node=model.anchor(scheduler_step),
                            message=self.message.format(
                                scheduler=scheduler_step.subject_name("scheduler"),
                                optimizer=event.subject_name("optimizer"),
                            ),
                            related=((event.node, "the optimizer step it should follow"),),
                        )
                if any(s.subject is not None and event.subject is not None and s.subject.key == event.subject.key for s in stepped):
                    return stepped, pending - waiting
                return stepped | {event}, pending - waiting
            return state

        for program in model.scheduler_programs():
            model.run_once(program, step, [(frozenset(), frozenset())])
        if found and model.imports_old_torch_code:
            return ()  # code written for PyTorch before 0.4 (`loss.data[0]`, `volatile=True`), here or in the helpers it imports: before 1.1 too
        return list(found.values())


_IDENTIFIER = lazy(r"[A-Za-z_]\w*")


def _same_call(scheduler_step: Event, step: Event) -> bool:
    """Can the optimizer step belong to the call that stepped the scheduler? A scheduler that is a
    local name of a function is built anew by each call of it (`train_stage2()` builds its own
    schedule over the optimizer it builds): only steps made within that same call follow it, not
    those of the next stage's function that builds another optimizer under the same attribute."""
    binding = scheduler_step.subject.binding if scheduler_step.subject is not None else None
    if binding is None or "." in binding.name or binding.function.name == "<module>":
        return True
    frames = (*scheduler_step.context.callers, scheduler_step.context.function)
    depth = next((index for index, frame in enumerate(frames) if frame is binding.function), None)
    if depth is None:
        return True
    others = (*step.context.callers, step.context.function)
    if len(others) <= depth or others[depth] is not binding.function:
        return False
    return all(a.node is b.node for a, b in zip(scheduler_step.context.chain[:depth], step.context.chain[:depth]))


def _skipped_at_first(model: LoopModel, event: Event, step: Event) -> bool:
    """Is the scheduler step under a test on an iteration counter that the first iteration may not
    pass (`if epoch > 0:`, the `else` of `if epoch == 0:`, `if epoch >= warmup:`), while the
    optimizer step it precedes is not under that test? Then the scheduler first steps at the top
    of a later iteration, after earlier iterations' optimizer steps: nothing is skipped, or whether
    it is cannot be told. A counter's first value is read from `range(n)` (0), `enumerate(...)`
    (0) or a literal list (`for phase in ['train', 'val']`: 'train'); one the callers pass (a
    parameter named for epochs) starts anywhere."""
    function = event.context.function
    if _built_on_the_first_call(model, event):
        return True  # `if not hasattr(self, "sched"): self.sched = StepLR(...) else: self.sched.step()`
    starts: dict[str, object] = {}
    for loop in function.loops:
        for target, first in zip(loop.targets, _first_values(loop)):
            starts[target] = first
    for name in function.params:
        if EPOCH_WORDS.search(name):
            starts.setdefault(name, _UNKNOWN_START)
    # (compared as written with the script's constants as their values: `phase == TRAIN` is
    # `phase == "Train"` where `TRAIN = "Train"`)
    own, other = model.at(event.context.function).flow, model.at(step.context.function).flow
    waits_for = {other.test_text(guard) for guard in step.context.guards}
    for guard in event.context.guards:
        if own.test_text(guard) in waits_for:
            continue  # the optimizer step waits for the same test: the scheduler still steps first
        counters = [name for name in _IDENTIFIER.findall(guard) if name in starts]
        if not counters:
            continue
        known = tuple((name, starts[name]) for name in counters if starts[name] is not _UNKNOWN_START)
        if decide(guard, known) is not True:
            return True
    return False


def _built_on_the_first_call(model: LoopModel, event: Event) -> bool:
    """Is the scheduler step under a test of the scheduler's existence (`hasattr(self,
    "lrScheduler")`, `self.scheduler is None`) whose other arm, in the same function, builds it?
    The first call builds the schedule and steps nothing; every later call's step follows the
    optimizer steps made since."""
    binding = event.subject.binding if event.subject is not None else None
    function = event.context.function
    if binding is None or binding.function is not function or not event.context.guards:
        return False
    attribute = re.escape(binding.name.rsplit(".", 1)[-1])
    exists = re.compile(rf"hasattr\(\s*\w+\s*,\s*['\"]{attribute}['\"]\s*\)|\b{re.escape(binding.name)}\s+is\s+(?:not\s+)?None\b")
    if not any(exists.search(guard) for guard in event.context.guards):
        return False
    return any(
        placed.simple is binding.statement and any(exists.search(guard) for guard in placed.guards)
        for placed in model.at(function).ordered_statements(function)
    )


_UNKNOWN_START = object()


def _first_values(loop: Loop) -> list[object]:
    """The values the loop's targets take in its first iteration, where the iterated expression
    tells them (`range(n)`: 0; `enumerate(x)`: 0 and unknown; `['train', 'val']`: 'train')."""
    text = loop.iter_text.replace(" ", "")
    if text.startswith("range(") and ("," not in text or text.startswith("range(0,")):
        return [0]
    if text.startswith("enumerate(") and text.count(",") == 0:
        return [0, _UNKNOWN_START]
    elements = literal_elements(loop)
    if elements is not None and not isinstance(elements[0], (list, tuple)):
        return [elements[0]]
    return [_UNKNOWN_START] * len(loop.targets)
