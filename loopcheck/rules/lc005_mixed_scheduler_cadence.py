"""LC005 mixed-scheduler-cadence: a schedule sized in epochs stepped per batch, or the reverse.

The learning rate then runs through its whole schedule in the first epoch, or barely moves.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Iterable

from loopcheck.lazyre import lazy
from loopcheck.model import Event, LoopModel
from loopcheck.model.flow import Subject
from loopcheck.model.roles import Binding
from loopcheck.model.state import placed_of, same_branch
from loopcheck.model.schedules import BATCH, EPOCH, ScheduleSize, SchedulerStep, sized_by_an_outer_loop, sized_by_its_loop
from loopcheck.rules.base import Report, Rule

_EXPECTED = {"epoch": EPOCH, "iteration": BATCH}


class MixedSchedulerCadence(Rule):
    """Reports a `scheduler.step()` whose place (in the batch loop, or in the epoch loop around it)
    does not match how the schedule was sized: `StepLR`, `MultiStepLR`, `ExponentialLR`,
    `CosineAnnealingLR(T_max=epochs)` and `ReduceLROnPlateau` count epochs (a plateau schedule
    whose `patience` or `cooldown` is in the thousands, or named in steps, counts optimizer steps:
    `patience=3000` stepped with each batch's loss); `OneCycleLR`,
    `CyclicLR`, sizes that multiply by `len(loader)`, and transformers'
    `get_*_schedule_with_warmup(num_training_steps=...)` count optimizer steps; sizes are read back
    through the variables they are computed from. A size that names no unit (`T_max=500`, `T_max=n`)
    counts epochs when it is the count of the loop around the batch loop (`for epoch in range(500):`),
    and so do milestones all within that count (`MultiStepLR(milestones=[30])` in `for epoch in
    range(EPOCHS + 1)` with `EPOCHS = 50`, a setting bound once, a parameter every call leaves at
    its default, or the default of the command-line option it reads). Steps inside a project helper such as
    `train_one_epoch(..., scheduler)` keep the helper's cadence. A step under `if step % k == 0:`
    runs every k batches on purpose, and in full-batch training (one optimizer step per epoch, or
    per phase of `for phase in ['train', 'val']`) both cadences agree: neither is judged. One under
    a test on the helper's parameters that every call rules out (`if step == "batch":`, each caller
    passing `step = "epoch"`) never runs. Nor is training counted in steps alone (one loop over
    `range(n_steps)` with no epoch loop around it and no data loader to go through): it has no
    epoch to step per. A loop that runs an update of its own around inner loops over no data that
    repeat one part of it (a GAN's `for _ in range(n_critic):` critic updates) is the batch loop:
    each of its iterations is a training step; so is a loop over a loader whose batches each run
    their updates in a loop over no data (`for t in range(T_out):`, the time steps of a rollout):
    a step there is one per batch. Project scheduler classes that are no torch scheduler are not judged
    either. A schedule sized from the count of the very loop that steps it (`T_0=n_iters // 10`
    stepped once per `for _ in trange(n_iters)`) counts that loop's iterations, whatever the count
    is named. A `LambdaLR` whose lambda never reads the count it is given (`lambda epoch: 1`) has
    no cadence to get wrong. A schedule built in arms of a test on a setting (`if args.scheduler ==
    'cyclic': CyclicLR(...)` `else: ExponentialLR(...)`) is judged by the arm the step runs under
    (`if args.scheduler == 'cyclic': scheduler.step()`), or, when the step's tests tell none, only
    when the cadence is wrong for every schedule the arms build, or for an arm that another step
    runs at its own cadence under the test that picks it (`if args.scheduler == 'multistep':
    scheduler.step()` after the epoch, while `if scheduler: scheduler.step()` in the batch loop steps
    it too; that step also tells the unit of milestones no count judges). A torch scheduler subclass
    that writes its own `step()` is stepped by it like any schedule. When the size cannot be judged,
    nothing is reported."""

    code = "LC005"
    name = "mixed-scheduler-cadence"
    severity = "error"
    message = "{scheduler} ({kind} built on line {line}, {evidence}) is sized in {unit}s but stepped once per {cadence} here; {fix}"
    short = "scheduler is sized in epochs but stepped every batch, or sized in iterations but stepped once per epoch"
    rationale = (
        "A schedule counts calls to `step()`. An epoch-sized schedule stepped every batch finishes its "
        "decay (or its cosine cycle) within the first epoch and trains the rest at the floor learning "
        "rate; an iteration-sized one stepped per epoch barely leaves its warmup. Nothing crashes."
    )
    use_instead = """\
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, steps_per_epoch=len(loader), epochs=epochs)
for epoch in range(epochs):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        scheduler.step()  # per batch, as OneCycleLR is sized
"""
    VALID = (
        """\
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(loader) * epochs)
for epoch in range(epochs):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        scheduler.step()
""",
        """\
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=2)
for epoch in range(epochs):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    scheduler.step(validate(model))
""",
        # a size with no unit that is not the count of the loop around: say nothing
        """\
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=500)
for epoch in range(20):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        scheduler.step()
""",
        # the size cannot be judged: say nothing
        """\
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.t_max)
for x, y in loader:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
    scheduler.step()
""",
    )
    INVALID = (
        """\
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_epochs)
for epoch in range(num_epochs):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        scheduler.step()  # expect: LC005
""",
        """\
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, steps_per_epoch=len(loader), epochs=10)
for epoch in range(10):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    scheduler.step()  # expect: LC005
""",
        # a size with no unit, the count of the epoch loop around the batch loop
        """\
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=500, eta_min=0)
for epoch in range(500):
    for x0, x1 in train_dl:
        optimizer.zero_grad()
        loss = model(x0, x1)
        loss.backward()
        optimizer.step()
        scheduler.step()  # expect: LC005
""",
        """\
def train_one_epoch(model, loader, optimizer, scheduler):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        scheduler.step()  # expect: LC005

scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
for epoch in range(90):
    train_one_epoch(model, loader, optimizer, scheduler)
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        for stepped in model.scheduler_steps:
            scheduler = stepped.event.subject
            if scheduler is None or scheduler.binding is None:
                continue
            # (several schedules built in arms of a test: the step may run any the arms leave; it is
            # wrong only when it is wrong for each of them)
            candidates = [replace(scheduler, binding=b) for b in _arms_stepped(model, scheduler.binding, stepped.event)]
            sized = [(candidate, _size(model, candidate, stepped)) for candidate in candidates]
            sizes = [size for _, size in sized if size is not None]
            if len(sizes) == len(candidates) and len({size.unit for size in sizes}) == 1 and not any(
                _EXPECTED[sizes[0].unit] == stepped.cadence or sized_by_its_loop(model, candidate, stepped.loop)
                for candidate in candidates
            ):
                scheduler, size = candidates[0], sizes[0]
            else:
                # (wrong for one arm only: reported when the code steps that arm's schedule at its
                # own cadence elsewhere, under the test that picks it, and this step runs it too)
                told = _arm_stepped_right_elsewhere(model, stepped, sized) if len(candidates) > 1 else None
                if told is None:
                    continue
                scheduler, size = told
            built = scheduler.binding.statement.node
            # (built in another file of the project, handed to a trainer: say which)
            built_path, built_at = model.locate(built)
            line = str(built_at.start.line) if built_path == model.path else f"{built_at.start.line} of {os.path.basename(built_path)}"
            fix = (
                "step it once per epoch, after the batch loop"
                if size.unit == "epoch"
                else "step it after every optimizer.step() in the batch loop"
            )
            yield Report(
                node=stepped.event.node,
                message=self.message.format(
                    scheduler=scheduler.name,
                    kind=scheduler.binding.last,
                    line=line,
                    evidence=size.evidence,
                    unit=size.unit,
                    cadence=stepped.cadence,
                    fix=fix,
                ),
                related=((built, f"{scheduler.name} is built here"),),
            )


def _size(model: LoopModel, candidate: Subject, stepped: SchedulerStep) -> ScheduleSize | None:
    """What the schedule is counted in, by its construction or, stepped per batch, by the count of
    a loop around the batch loop."""
    return model.schedule_size(candidate) or (
        sized_by_an_outer_loop(model, candidate, stepped.loop) if stepped.cadence == BATCH else None
    )


def _arm_stepped_right_elsewhere(
    model: LoopModel, stepped: SchedulerStep, sized: list[tuple[Subject, ScheduleSize | None]]
) -> tuple[Subject, ScheduleSize] | None:
    """Of the schedules built in arms of a test, one the step runs at the wrong cadence while
    another step of the same name runs it at its own, under the test that picks its arm
    (`if args.scheduler == "multistep": scheduler.step()` after the batch loop, and an unguarded
    `if scheduler: scheduler.step()` in it): the code says how that arm is stepped, and this
    step steps it again. None when there is none."""
    if _tests_the_setting(model, sized[0][0].binding, stepped.event):
        return None  # (`if args.scheduler != "cyclic": scheduler.step()`: its own test picks the arms it runs)
    for candidate, size in sized:
        if sized_by_its_loop(model, candidate, stepped.loop) or (size is not None and _EXPECTED[size.unit] == stepped.cadence):
            continue
        for other in model.scheduler_steps:
            subject = other.event.subject
            if other is stepped or subject is None or subject.binding is None or other.cadence == stepped.cadence:
                continue
            if size is not None and other.cadence != _EXPECTED[size.unit]:
                continue
            if _arms_stepped(model, subject.binding, other.event) != [candidate.binding]:
                continue
            if size is None:
                # (a schedule whose construction names no unit: the step under its arm's test says
                # which cadence the code means for it)
                where = model.locate(other.event.node)[1].start.line
                unit = "epoch" if other.cadence == EPOCH else "iteration"
                size = ScheduleSize(unit, f"stepped once per {other.cadence} on line {where} under the test that picks it")
            return candidate, size
    return None


_SETTING_WORD = lazy(r"[A-Za-z_][\w.]*")
_NOT_A_SETTING = frozenset({"not", "and", "or", "is", "in", "None", "True", "False"})
_STRING = lazy(r"'[^']*'|\"[^\"]*\"")


def _setting_words(guard: str) -> list[str]:
    """The names a test reads (`args.scheduler` of `args.scheduler == "multistep"`), strings aside."""
    return [word for word in _SETTING_WORD.findall(_STRING.sub(" ", guard)) if word not in _NOT_A_SETTING]


def _tests_the_setting(model: LoopModel, binding: Binding, event: Event) -> bool:
    """Is the step under a test that reads what the arms' tests read (`args.scheduler`)?"""
    owner = model.at(binding.function)
    placed_at = {id(p.simple): p for p in owner.ordered_statements(binding.function)}
    read = {
        word for b in owner.roles.bindings_of(binding.name, binding.function) if id(b.statement) in placed_at
        for guard in placed_at[id(b.statement)].guards for word in _setting_words(guard)
    }
    step = placed_of(model.at(event.context.function), event.context.function, event.call) if event.call is not None else None
    return step is not None and any(word in read for guard in step.guards for word in _setting_words(guard))


def _arms_stepped(model: LoopModel, binding: Binding, event: Event) -> list[Binding]:
    """The schedules a step may run when the name is built in several arms of a test on a setting
    (`if args.scheduler == 'exp': ExponentialLR(...) elif args.scheduler == 'cyclic': CyclicLR(...)`):
    the one whose arm's test the step itself is under (`if args.scheduler == 'cyclic':
    scheduler.step()`), else those its tests do not rule out (`not (...)` of an arm's test). A name
    built once (or as one kind of schedule) is its binding."""
    owner = model.at(binding.function)
    siblings = [b for b in owner.roles.bindings_of(binding.name, binding.function) if b.call is not None and b.qualified]
    if binding not in siblings or len({b.last for b in siblings}) < 2:
        return [binding]
    placed_at = {id(p.simple): p for p in owner.ordered_statements(binding.function)}
    arms = {id(b): {g for g in placed_at[id(b.statement)].guards if not g.startswith("not (")} if id(b.statement) in placed_at else set() for b in siblings}
    step = placed_of(model.at(event.context.function), event.context.function, event.call) if event.call is not None else None
    step_guards = set(step.guards) if step is not None else set()
    chosen = [b for b in siblings if arms[id(b)] & step_guards]
    if len(chosen) == 1:
        return chosen
    return [b for b in siblings if same_branch(tuple(arms[id(b)]), tuple(step_guards))]
