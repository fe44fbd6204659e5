"""LC008 train-mode-not-restored: evaluation switches the model to eval mode and training resumes in it.

From the second epoch on, Dropout is off and BatchNorm statistics are frozen during training.
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from loopcheck.model import Event, Kind, LoopModel, Path, PathLimit
from loopcheck.rules.base import Report, Rule


class TrainModeNotRestored(Rule):
    """Reports the statement in an epoch loop that puts the model in eval mode (the `eval()` call, or
    the call of a same-file helper that makes it) when a path leads from it to the next training
    pass (a `backward()`, in this iteration or the next one) without a `model.train()` in between."""

    code = "LC008"
    name = "train-mode-not-restored"
    severity = "error"
    message = "{model} stays in eval mode after this point and the next training pass runs without {model}.train()"
    rationale = (
        "`model.eval()` is sticky. If the epoch loop evaluates and then trains again without "
        "`model.train()`, every epoch after the first trains with Dropout disabled and BatchNorm "
        "using frozen running statistics: the run still converges, just worse, and nothing warns."
    )
    use_instead = """\
for epoch in range(epochs):
    model.train()
    train_one_epoch(model, loader, optimizer)
    evaluate(model, val_loader)  # calls model.eval()
"""
    VALID = (
        """\
def train_one_epoch(model, loader, optimizer):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()

def evaluate(model, loader):
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            model(x)

for epoch in range(epochs):
    train_one_epoch(model, train_loader, optimizer)
    evaluate(model, val_loader)
""",
        """\
for epoch in range(epochs):
    for x, y in train_loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        for x, y in val_loader:
            model(x)
    model.train()
""",
    )
    INVALID = (
        """\
def train_one_epoch(model, loader, optimizer):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()

def evaluate(model, loader):
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            model(x)

model.train()
for epoch in range(epochs):
    train_one_epoch(model, train_loader, optimizer)
    evaluate(model, val_loader)  # expect: LC008
""",
        """\
model.train()
for epoch in range(epochs):
    for x, y in train_loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    model.eval()  # expect: LC008
    with torch.no_grad():
        for x, y in val_loader:
            model(x)
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        for loop in model.loops:
            kinds = model.kinds_in(loop)
            if Kind.EVAL not in kinds or Kind.BACKWARD not in kinds:
                continue
            try:
                paths = model.iteration_paths(loop)
            except PathLimit:
                continue
            reached: list[tuple[Event, Event, list[Event]]] = []
            ends_in_eval: list[Event] = []
            unrestored_starts: list[tuple[Event, list[Event]]] = []
            for path in paths:
                events = path.linear()
                left_in_eval, reaches = _scan(model, events)
                reached.extend(reaches)
                if left_in_eval is not None and path.end in (None, "continue"):
                    ends_in_eval.append(left_in_eval)  # after a break or return no next iteration runs
                start = _first_backward_without_train(events)
                if start is not None:
                    unrestored_starts.append(start)
            if unrestored_starts:
                backward, after = unrestored_starts[0]
                reached.extend((switch, backward, after) for switch in ends_in_eval)
            for switch, backward, after in reached:
                if not model.may_hold_mode_layers(switch.subject) or not model.is_trained(switch.subject):
                    continue  # an EMA copy or a frozen teacher may stay in eval mode
                if not _steps_model(model, after, switch):
                    continue  # a GAN phase trains the other network while this one is held in eval
                name = switch.subject_name("model")
                yield Report(
                    _anchor(switch),
                    self.message.format(model=name),
                    ((_anchor(backward), "the training pass it reaches"),),
                )


def _scan(model: LoopModel, events: list[Event]) -> tuple[Event | None, list[tuple[Event, Event, list[Event]]]]:
    """The eval switch still in force at the end of the path, and (switch, backward, events after
    the backward) for each training pass reached within it."""
    switch: Event | None = None
    reaches: list[tuple[Event, Event, list[Event]]] = []
    for index, event in enumerate(events):
        if event.kind is Kind.EVAL:
            switch = event
        elif event.kind in (Kind.TRAIN, Kind.MODE_UNKNOWN) and switch is not None and model.may_be(event.subject, switch.subject):
            switch = None
        elif event.kind is Kind.BACKWARD and switch is not None:
            reaches.append((switch, event, events[index + 1 :]))
            switch = None
    return switch, reaches


def _first_backward_without_train(events: list[Event]) -> tuple[Event, list[Event]] | None:
    for index, event in enumerate(events):
        if event.kind in (Kind.TRAIN, Kind.MODE_UNKNOWN):
            return None
        if event.kind is Kind.BACKWARD:
            return event, events[index + 1 :]
    return None


def _steps_model(model: LoopModel, after: list[Event], switch: Event) -> bool:
    """Does the optimizer step that follows the backward update the model left in eval mode?
    True when that cannot be told."""
    step = next((e for e in after if e.kind is Kind.STEP), None)
    models = model.optimized_models(step.subject if step is not None else None)
    name = switch.subject.name.rsplit(".", 1)[-1] if switch.subject is not None else None
    return not models or name is None or name in models


def _anchor(event: Event) -> cst.CSTNode:
    """The statement of the loop's own function that leads to the event: the helper call, or the event."""
    return event.context.chain[0].node if event.context.chain else event.node
