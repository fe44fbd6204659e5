"""LC001 missing-zero-grad: a training step whose gradients are never reset.

Gradients add up in `.grad` until something clears them; without a reset every step uses
the sum of all earlier batches' gradients.
"""
from __future__ import annotations

from typing import Iterable

from loopcheck.lazyre import lazy
from loopcheck.model import Event, Kind, LoopModel
from loopcheck.model.flow import MAX_INLINE_DEPTH
from loopcheck.rules.base import Report, Rule


class MissingZeroGrad(Rule):
    """Reports a training loop where some path through the iteration reaches `optimizer.step()`
    with no reset, since the previous step, of the gradients that optimizer steps with
    (`optimizer.zero_grad()`, `model.zero_grad()`, `p.grad = None`, a project optimizer class's
    `zero_grad()`): a reset on one branch only leaves the other accumulating, but one that skips
    only the parameters with no gradient yet (`if p.grad is not None: p.grad.zero_()`) resets all. Gradient
    accumulation is fine when the step and the reset both run every few iterations
    (`if (i + 1) % k == 0`, also through a flag computed so and handed to the helper that steps:
    `should_step = i % k == 0`), or when a counter opens the window (the reset under `if n == 0:`, the
    step under `if n == k:` setting `n = 0`). Optimizers are judged one by one, so a GAN that resets the
    discriminator but not the generator is reported for the generator. `model.zero_grad()` resets
    an optimizer built over the same module under another name (`raw_model = model.module if
    hasattr(model, "module") else model`). A loop whose every backward is called on a number
    (`loss = 0`, then `loss.backward()` of an exercise template left unfilled) raises in its first
    iteration and never steps twice. A loop left only by its `break` (a retry loop, `while True:`, or
    `while chunk_size != 0:` followed by `if not chunk_size: raise ...`) goes on past itself only
    from the run that breaks: a try that failed runs the body, and its reset, again. Helpers in any file of the
    project are followed; when code that cannot be seen receives the model or optimizer, nothing is
    said."""

    code = "LC001"
    name = "missing-zero-grad"
    severity = "error"
    message = "{optimizer}.zero_grad() is never called in this loop; gradients accumulate across batches"
    message_on_some_paths = (
        "{optimizer}.zero_grad() does not run on every path to this step; on the others gradients accumulate across batches"
    )
    rationale = (
        "`backward()` adds into `.grad`; it does not overwrite it. Without a reset, step N uses the sum "
        "of the gradients of batches 1..N, so the effective learning rate grows every step and training "
        "diverges or stalls, usually without any error."
    )
    use_instead = """\
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""
    VALID = (
        # a counter opens each accumulation window: the step's arm sets it back to 0
        """\
n = 0
for x, y in loader:
    if n == 0:
        optimizer.zero_grad()
    loss = criterion(model(x), y) / k
    loss.backward()
    n += 1
    if n == k:
        optimizer.step()
        n = 0
""",
        """\
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
""",
        # gradient accumulation: the reset is guarded like the step
        """\
for i, (x, y) in enumerate(loader):
    loss = criterion(model(x), y) / accum_steps
    loss.backward()
    if (i + 1) % accum_steps == 0:
        optimizer.step()
        optimizer.zero_grad()
""",
        """\
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
""",
        """\
for x, y in loader:
    for p in model.parameters():
        p.grad = None
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
""",
        """\
for x, y in loader:
    model.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
""",
        # LBFGS: the closure resets and backwards, step calls it
        """\
optimizer = torch.optim.LBFGS(model.parameters())
for x, y in loader:
    def closure():
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        return loss
    optimizer.step(closure)
""",
        # a project helper resets the gradients
        """\
def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()

for x, y in loader:
    train_step(model, optimizer, x, y)
""",
        # a helper from another file may reset them: say nothing rather than guess
        """\
from utils import reset_gradients
for x, y in loader:
    reset_gradients(optimizer)
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
""",
    )
    INVALID = (
        """\
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()  # expect: LC001
    optimizer.step()
""",
        # GAN: the generator's optimizer is never reset, the discriminator's is
        """\
opt_d = torch.optim.Adam(netD.parameters())
opt_g = torch.optim.Adam(netG.parameters())
for real in loader:
    opt_d.zero_grad()
    loss_d = bce(netD(real), ones)
    loss_d.backward()
    opt_d.step()
    loss_g = bce(netD(netG(noise)), ones)
    loss_g.backward()  # expect: LC001
    opt_g.step()
""",
        """\
def train_one_epoch(model, loader, optimizer):
    for x, y in loader:
        scaler.scale(criterion(model(x), y)).backward()  # expect: LC001
        scaler.step(optimizer)
        scaler.update()

for epoch in range(epochs):
    optimizer.zero_grad()
    train_one_epoch(model, loader, optimizer)
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        for step in model.training_steps:
            if model.never_runs(step.loop.function):
                continue  # a notebook's function no cell runs: its loop never trains
            events = step.events
            if any(e.kind is Kind.OPAQUE for e in events):
                continue  # code we cannot see receives the model or optimizer
            unfollowed = next((e for e in events if e.kind is Kind.UNFOLLOWED), None)
            if unfollowed is not None:
                model.note_budget(
                    f"LC001 not judged for the loop on line {model.position(step.loop.node).start.line}: "
                    f"calls nested more than {MAX_INLINE_DEPTH} deep are not followed ({_called(unfollowed)})"
                )
                continue
            if any(e.kind is Kind.BACKWARD and _distributed(e) for e in events):
                continue  # distributed autograd keeps each iteration's gradients in a fresh context
            backwards = [e for e in events if e.kind is Kind.BACKWARD]
            if backwards and all(model.backward_of_a_number(e) for e in backwards):
                continue  # `loss = 0` then `loss.backward()`: the first iteration raises there
            resets = [e for e in events if e.kind is Kind.RESET]
            reported: dict[object, list[Report]] = {}

            def transition(state: tuple[frozenset[Event], Event | None], event: Event) -> tuple[frozenset[Event], Event | None]:
                stepped_since_reset, backward = state
                if event.kind is Kind.BACKWARD:
                    return stepped_since_reset, event
                if event.kind is Kind.RESET:
                    return frozenset(s for s in stepped_since_reset if not model.resets(event, s.subject)), backward
                if event.kind is not Kind.STEP:
                    return state
                key = _key(event)
                if any(_key(s) == key for s in stepped_since_reset):
                    if not _accumulates(model, event, resets) and not model.fresh_each_iteration(event.subject, step.loop):
                        name = event.subject_name("optimizer")
                        anchor = backward if backward is not None else event
                        reported.setdefault(key, []).append(Report(
                            node=model.anchor(anchor),
                            message=(
                                self.message_on_some_paths
                                if any(model.resets(r, event.subject) for r in resets)
                                else self.message
                            ).format(optimizer=name),
                            related=((event.node, f"{name} steps with the accumulated gradients here"),),
                        ))
                return frozenset(s for s in stepped_since_reset if _key(s) != key) | {event}, backward

            model.run_iterations(model.iteration_program(step.loop), transition, (frozenset(), None))
            for candidates in reported.values():
                # paths reach the step from different backward() calls, in an order that depends on
                # how the states happen to be stored: report the first backward in the file, always
                yield min(candidates, key=lambda report: _where(model, report.node))


def _where(model: LoopModel, node: object) -> tuple[str, int, int]:
    path, position = model.locate(node)  # type: ignore[arg-type]
    return path, position.start.line, position.start.column


_CADENCE = lazy(r"%|(?i:accum)")


def _called(event: Event) -> str:
    return event.call.dotted or "a call" if event.call is not None else "a call"


def _key(stepped: Event) -> object:
    return stepped.subject.key if stepped.subject is not None else None


def _accumulates(model: LoopModel, stepped: Event, resets: list[Event]) -> bool:
    """Step and reset both run every few iterations (`if (i + 1) % k == 0`): gradients accumulate
    in between on purpose, whichever iteration the window starts in. Or a counter opens the window:
    the reset runs `if n == 0`, and the step's arm sets `n = 0` again (`if n == k: step(); n = 0`)."""
    if _on_cadence(stepped, model) and any(_on_cadence(r, model) and model.resets(r, stepped.subject) for r in resets):
        return True
    return any(model.resets(r, stepped.subject) and _counter_reopens(model, stepped, r) for r in resets)


_COUNTER_TEST = lazy(r"^\s*([A-Za-z_][\w.]*)\s*==\s*(.+?)\s*$")


def _counter_reopens(model: LoopModel, stepped: Event, reset: Event) -> bool:
    """Is the reset under `n == v`, and does the step's own arm (under `n == k`) set `n = v`?"""
    tests = [m for m in (_COUNTER_TEST.match(g) for g in reset.context.guards) if m]
    own = [m for m in (_COUNTER_TEST.match(g) for g in stepped.context.guards) if m]
    if not tests or not own or stepped.context.function is not reset.context.function:
        return False
    function = stepped.context.function
    owner = model.at(function)
    for test in tests:
        name, value = test.group(1), test.group(2)
        if not any(m.group(1) == name for m in own):
            continue
        for placed in owner.ordered_statements(function):
            simple = placed.simple
            if simple.targets == (name,) and simple.value is not None and not simple.augmented and (
                owner.code(simple.value) == value and set(stepped.context.guards) <= set(placed.guards)
            ):
                return True
    return False


_PLAIN_FLAG = lazy(r"^(?:not\s+)?\(?\s*([A-Za-z_]\w*)\s*\)?$")


def _on_cadence(event: Event, model: LoopModel | None = None) -> bool:
    """Is the event under a test that runs every few iterations (`if (i + 1) % k == 0`), also
    through a flag computed so (`should_step = i % k == 0`, `if should_step:`, or the flag handed
    to the helper that steps: `backward(loss, should_step=should_step)`)?"""
    return any(
        _CADENCE.search(guard) or (model is not None and _CADENCE.search(_flag_value(model, event, guard)))
        for guard in event.context.guards
    )


def _flag_value(model: LoopModel, event: Event, guard: str) -> str:
    """The text of what a plain-name test stands for: the value the name was last bound to in the
    event's function, or, for a parameter of an inlined helper, the argument its caller passes
    (followed to that name's value in the caller); empty when there is none."""
    match = _PLAIN_FLAG.match(guard)
    if match is None:
        return ""
    name, function = match.group(1), event.context.function
    chain, callers = list(event.context.chain), list(event.context.callers)
    for _ in range(3):
        owner = model.at(function)
        if name in function.params and chain and callers:
            call, caller = chain.pop(), callers.pop()
            arg = call.arg(function.argument_index(name), name)
            if arg is None:
                return ""
            text = owner.code(arg.node) if arg.dotted is None else ""
            if text:
                return text
            name, function = arg.dotted or "", caller
            if "." in name or not name:
                return ""
            continue
        bound = owner.roles.lookup(name, function)
        return owner.code(bound.statement.value) if bound is not None and bound.statement.value is not None else ""
    return ""


def _distributed(backward: Event) -> bool:
    dotted = backward.call.dotted if backward.call is not None else None
    return dotted is not None and ("dist_autograd" in dotted or "distributed.autograd" in dotted)
