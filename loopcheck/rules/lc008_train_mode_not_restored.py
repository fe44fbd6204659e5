"""LC008 train-mode-not-restored: evaluation switches the model to eval mode and training resumes in it.

From the second epoch on, Dropout is off and BatchNorm statistics are frozen during training.
"""
from __future__ import annotations

import re

from typing import Iterable

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model import Event, Kind, LoopModel
from loopcheck.model.evaluation import dead_function
from loopcheck.model.dataflow import bound_in_iteration, simples_of
from loopcheck.model.ir import Branch, FunctionInfo, Loop, all_statements
from loopcheck.model.roles import Binding
from loopcheck.model.text import expression_text
from loopcheck.rules.base import Report, Rule


class TrainModeNotRestored(Rule):
    """Reports the statement in an epoch loop that puts a model in eval mode (the `eval()` call, or
    the call of a project helper that makes it) when a path leads from it to the next training pass
    of that model (a `backward()` whose gradients a step that updates it uses, in this iteration or a
    later one: gradients reset before the step train nothing) without a `model.train()` in between. A helper's parameter stands for the argument it is given, so
    `train()` on one model does not restore another; a model outside every optimizer (a frozen
    teacher, an EMA copy) may stay in eval mode, and so may one a helper that only sets modes puts
    in eval mode on one path and in train mode on another (it chooses the mode training runs in),
    and so may an `eval()` in one arm of an `if` in the loop whose other arm calls `train()` on it
    (`if finetune: model.train()` / `elif freeze: model.eval()`: the mode is picked per arm).
    Two names bound one to the other (`self.ptr = self.network`, or its `.module`) are one model.
    Layers picked by their type (`if isinstance(m, nn.BatchNorm2d): m.eval()` over `net.modules()`)
    are frozen on purpose while the rest trains, and so is the rest of a model one part of which the
    same function puts back in training mode after the whole (`model.eval(); model.classifier.train()`).
    A step of another model's optimizer in between (a GAN's discriminator) leaves the switch in
    force for the model's own next step. A forward made inside a helper that hands no graph back
    (it returns none, leaves none on its object and backwards nothing: `measure(x, y, student)`
    returning floats) trains nothing through the loop's backward, and a model built anew in each
    iteration, or held by an object built anew in each (`m = self.make_model()`, each fold's
    `self.gmf = GMF(...)`; also in an arm of a test of a setting the loop never changes, when the
    name is bound nowhere outside the loop: `if args.arch == "resnet": args.model = ...`), is
    dropped in eval mode, not trained in it."""

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
            if model.never_runs(loop.function) or dead_function(model, loop.function):
                continue  # a function no cell or entry point runs (its only call commented out)
            reported: dict[int, Report] = {}
            inner = _inner_loops_judged_alone(model, loop)

            def reach(switch: Event, backward: Event, stepped: Event | None) -> None:
                """The model left in eval mode by `switch` trains at `backward` (stepped by `stepped`)."""
                if id(_anchor(switch)) in reported:  # (one helper eval() reached from two calls: one finding per call)
                    return
                if any(id(switch) in events and id(backward) in events for events in inner):
                    return  # both in one inner loop, helpers inlined: its own finding, made where the switch is
                if not model.may_hold_mode_layers(switch.subject) or not model.is_trained(switch.subject):
                    return  # an EMA copy or a frozen teacher may stay in eval mode
                if _restores_saved_mode(model, switch):
                    return  # `training = model.training; model.eval(); ...; if training: model.train()`
                if _chooses_the_mode(model, switch):
                    return  # `def train(self): if frozen: self.net.eval(); return; self.net.train()`
                if _layers_picked_by_type(switch):
                    return  # `for m in net.modules(): if isinstance(m, nn.BatchNorm2d): m.eval()`: frozen on purpose
                if _dies_with_its_function(switch, loop):
                    return  # a model a helper builds for itself and drops: its mode ends with the call
                if _rebuilt_each_iteration(model, switch, loop):
                    return  # `m = self.make_model()` at the top of each iteration: the switched module is dropped
                if not _steps_model(model, stepped, switch):
                    return  # a GAN phase trains the other network while this one is held in eval
                name = switch.subject_name("model")
                reported[id(_anchor(switch))] = Report(
                    _anchor(switch), self.message.format(model=name), ((_anchor(backward), "the training pass it reaches"),)
                )

            def order(pair: tuple[Event, Event]) -> tuple[int, int, int, int]:
                # (the waiting pairs are a set: the first reported for a call is the first in the file)
                first, second = model.position(_anchor(pair[0])).start, model.position(_anchor(pair[1])).start
                return first.line, first.column, second.line, second.column

            def transition(state: _State, event: Event) -> _State:
                # (switches: eval() calls in force; waiting: a switch and the backward it reached;
                # armed: switches whose model has run a forward with grad since, one a backward can train)
                switches, waiting, armed = state
                if event.kind is Kind.STEP and waiting:
                    # a step of another model (a GAN's discriminator after a backward through the
                    # generator's output) trains nothing of the switched one: its switch stays in
                    # force for the next backward and step (the generator's own)
                    still = frozenset(pair[0] for pair in waiting if not _steps_model(model, event, pair[0]))
                    for pair in sorted(waiting, key=order):
                        if pair[0] not in still:
                            reach(*pair, event)
                    return switches | still, frozenset(), armed
                if event.kind is Kind.RESET and waiting:
                    # the gradients of a backward reset before any step train nothing (a PGD attack's
                    # backward in eval mode, then `model.train(); opt.zero_grad(); loss.backward()`)
                    kept_waiting = frozenset(pair for pair in waiting if not _steps_model(model, event, pair[0]))
                    return switches, kept_waiting, armed
                if event.kind is Kind.EVAL:
                    if _evals_to_train(model, event, loop) or _mode_picked_for_training(event, loop):
                        # the training helper puts the model in eval mode itself (a linear probe on a
                        # frozen backbone): the mode it trains in is chosen there, not left behind
                        kept = frozenset(s for s in switches if not model.may_be(event.subject, s.subject))
                        return kept, waiting, armed & kept
                    # (a later eval() of the model is the switch in force: the earlier one is not what
                    # the training pass runs after)
                    kept = frozenset(s for s in switches if not model.may_be(event.subject, s.subject))
                    return kept | {event}, waiting, armed & kept
                if event.kind in (Kind.TRAIN, Kind.MODE_UNKNOWN) and switches:
                    # (`model.eval(); model.classifier.train()`: a part put back in training mode
                    # after the whole was switched: the mode of each part is chosen, not left behind)
                    kept = frozenset(
                        s for s in switches
                        if not model.may_be(event.subject, s.subject) and not _part_switched_back(event, s)
                    )
                    return kept, waiting, armed & kept
                if event.kind in (Kind.MODEL_CALL, Kind.OPAQUE) and switches and event.context.grad != "off":
                    if _graph_stays_in_helper(model, event):
                        return state  # (its graph ends with the helper's call: no backward of the loop reaches it)
                    running = frozenset(s for s in switches if event.kind is Kind.OPAQUE or model.may_be(event.subject, s.subject))
                    return switches, waiting, armed | running
                if event.kind is Kind.BACKWARD and armed:
                    # a path that skipped the forward (`if batch_idx >= num_batch: continue` before
                    # `model = model.train()`) backwards no output of the switched model
                    for pair in sorted(waiting, key=order):
                        reach(*pair, None)
                    return switches - armed, frozenset((switch, event) for switch in armed), frozenset()
                return state

            # a backward with no step after it in its iteration waits for the step of a later one (an
            # accumulating loop); when no step can be seen, it is taken as stepped where it ends
            stepped_here = Kind.STEP in kinds
            ends, stopped = model.run_iterations(
                model.iteration_program(loop), transition, (frozenset(), frozenset(), frozenset()),
                carry=(lambda state: state) if stepped_here else _forget_waiting,
            )
            for _switches, waiting, _armed in () if stepped_here else ends | stopped:
                for pair in sorted(waiting, key=order):
                    reach(*pair, None)
            yield from reported.values()


def _inner_loops_judged_alone(model: LoopModel, loop: Loop) -> list[frozenset[int]]:
    """The events (by identity) of each loop nested in `loop`, at any depth and helpers inlined,
    that this rule judges on its own: a loop of this file whose iterations switch to eval mode and
    backward. A switch and the backward it reaches inside one such loop are that loop's finding
    (anchored where the switch is made); the outer loop, which reaches the same pair through its
    call of the helper, does not report it a second time at that call."""
    own = {id(other) for other in model.loops}
    found: list[frozenset[int]] = []

    def visit(events: Iterable[Event]) -> None:
        for event in events:
            if event.kind is not Kind.LOOP:
                continue
            flat = [e for inner in event.contents for e in inner.flatten()]
            kinds = {e.kind for e in flat}
            if id(event.loop) in own and Kind.EVAL in kinds and Kind.BACKWARD in kinds:
                found.append(frozenset(id(e) for e in flat))
            visit(event.contents)

    visit(model.loop_event(loop).contents)
    return found


def _graph_stays_in_helper(model: LoopModel, event: Event) -> bool:
    """Is the forward made inside a helper the loop calls that hands no graph back: it returns none
    (`calculate_thickness(x, y, student)` returning a list of floats), leaves none on its object and
    backwards nothing itself? What it computed is gone when it returns, so no backward of the loop
    trains through it (the loop's loss was computed before the helper was called)."""
    chain, callers = event.context.chain, event.context.callers
    if not chain or not callers:
        return False
    target = model.resolve_call(chain[0], callers[0])
    if not isinstance(target, FunctionInfo) or target.name == "<module>":
        return False
    if model.reaches(target) & {"backward", "step", "grad"}:
        return False
    return not any(model.returned_graphs(target)) and not model.left_graphs(target)


def _part_switched_back(event: Event, switch: Event) -> bool:
    """Is the train() a switch of a part of the module the eval() switched (`model.classifier`
    after `model`), in the same function?"""
    if event.kind is not Kind.TRAIN or event.subject is None or switch.subject is None:
        return False
    return event.context.function is switch.context.function and event.subject.name.startswith(switch.subject.name + ".")


def _restores_saved_mode(model: LoopModel, switch: Event) -> bool:
    """Does the function that switches to eval mode save the mode first (`training = self.model.training`)
    and switch back under that saved flag (`if training: self.model.train()`)? Either way the
    mode it leaves is the mode it found."""
    function = switch.context.function
    saved = {
        target
        for simple in function.assignments
        if simple.value is not None and expression_text(simple.value).endswith(".training")
        for target in simple.targets
    }
    if not saved:
        return False
    return any(
        event.kind is Kind.TRAIN and model.may_be(event.subject, switch.subject)
        and any(guard.removeprefix("not ").strip() in saved for guard in event.context.guards)
        for event in model.function_events_flat(function)
    )


def _layers_picked_by_type(switch: Event) -> bool:
    """Is the switched object chosen by its type (`if isinstance(m, nn.BatchNorm2d): m.eval()`,
    `if type(m).__name__ == "BatchNorm2d"`, `if m.__class__.__name__.find("BatchNorm") != -1`)?
    Some layers of the model are then frozen on purpose while the rest trains; a switch of the
    whole model is not made so."""
    receiver = switch.call.receiver if switch.call is not None else None
    if not receiver:
        return False
    name = re.escape(receiver)
    picked = rf"isinstance\(\s*{name}\s*,|type\(\s*{name}\s*\)|\b{name}\.__class__\b"
    return any(re.search(picked, guard) for guard in switch.context.guards)


def _chooses_the_mode(model: LoopModel, switch: Event) -> bool:
    """Is the switch made by a helper that only sets modes, putting the same model in train mode on
    another path (`def train(self): if self.task > 0: self.net.eval(); return; self.net.train()`)?
    Called where training begins, it picks the mode training runs in: eval mode there is chosen."""
    if not switch.context.chain:
        return False
    function = switch.context.function
    events = model.function_events_flat(function)
    if any(e.kind in (Kind.MODEL_CALL, Kind.BACKWARD, Kind.OPAQUE) for e in events):
        return False  # it evaluates (or trains) too: an evaluation helper, judged as such
    return any(e.kind is Kind.TRAIN and model.may_be(e.subject, switch.subject) for e in events)


def _evals_to_train(model: LoopModel, switch: Event, loop: Loop) -> bool:
    """Is the switch made by a helper the loop calls that then trains the model itself (its own
    backward follows in it, and a step that updates it when steps are seen)? `def train(...):
    model.eval(); for x, y in loader: ... backward()`."""
    function = switch.context.function
    if function is loop.function or not switch.context.chain:
        return False
    events = model.function_events_flat(function)
    at = next((i for i, e in enumerate(events) if e.node is switch.node), None)
    if at is None or not any(e.kind is Kind.BACKWARD for e in events[at + 1:]):
        return False
    # (a DDPG update puts the critic in eval mode to train the actor through it: the steps after the
    # switch update the actor only, and the critic's next update runs in eval mode)
    steps = [e for e in events[at + 1:] if e.kind is Kind.STEP]
    return not steps or any(_steps_model(model, e, switch) for e in steps)


def _mode_picked_for_training(switch: Event, loop: Loop) -> bool:
    """Is the switch one arm of an `if` in the loop whose other arm puts the same model in train
    mode (`if args.weights == "finetune": model.train()` `elif args.weights == "freeze":
    model.eval()`)? The mode training runs in is chosen there, per arm, not left behind by an
    evaluation."""
    if switch.context.chain or switch.context.function is not loop.function or switch.call is None:
        return False
    receiver = switch.call.receiver
    for branch in all_statements(loop.body):
        if not isinstance(branch, Branch):
            continue
        arms = [[call for simple in simples_of(arm) for call in simple.calls] for arm in branch.arms]
        holding = [index for index, calls in enumerate(arms) if any(call.node is switch.node for call in calls)]
        if holding and any(
            call.method == "train" and call.receiver == receiver and not call.args
            for index, calls in enumerate(arms) if index != holding[0] for call in calls
        ):
            return True
    return False


_State = tuple[frozenset[Event], frozenset[tuple[Event, Event]], frozenset[Event]]


def _forget_waiting(state: _State) -> _State:
    return state[0], frozenset(), state[2]


def _dies_with_its_function(switch: Event, loop: Loop) -> bool:
    """The switched model was built by a function the loop calls, and never leaves it: each
    iteration's call builds a new one."""
    subject = switch.subject
    binding = subject.binding if subject is not None else None
    if binding is None or subject is None or "." in subject.name:
        return False
    function = subject.function  # where the name lives (a helper's parameter stands for the caller's)
    if binding.function is not function or function.name == "<module>":
        return False
    scope: object = loop.function
    while scope is not None:
        if scope is function:
            return False  # built where the loop runs (or around it): it lives across iterations
        scope = scope.parent  # type: ignore[attr-defined]
    leaves = any(
        subject.name in simple.returned_names
        or (subject.name in simple.value_names and any(t.startswith("self.") or t not in _locals(function) for t in simple.targets))
        for simple in function.simples
    )
    return not leaves


def _rebuilt_each_iteration(model: LoopModel, switch: Event, loop: Loop) -> bool:
    """Is the switched model, or the object holding it (`self.gmf` of `self.gmf.model`), built
    anew, unconditionally, in each iteration of the loop: by a statement of its body (`m =
    self.make_model()`), or of a function its body calls (each fold's `self.fit()` assigning
    `self.gmf = GMF(...)`)? The module left in eval mode is dropped, and the next training pass runs
    a new one, in training mode as built."""
    subject = switch.subject
    if subject is None:
        return False
    parts = subject.name.split(".")
    holders = [subject.binding] + [
        model.binding(".".join(parts[:end]), subject.function) for end in range(len(parts) - 1, 0, -1) if parts[:end] != ["self"]
    ]
    return any(binding is not None and _built_each_iteration(model, binding, loop) for binding in holders)


def _built_each_iteration(model: LoopModel, binding: Binding, loop: Loop) -> bool:
    if binding.call is None or binding.alias is not None or binding.statement.augmented:
        return False
    where = binding.function
    placed_all = model.at(where).ordered_statements(where)
    unconditional = [
        placed for placed in placed_all
        if placed.simple is binding.statement and (not placed.guards or _each_run_builds(model, binding, placed, loop, placed_all))
    ]
    if not unconditional:
        return False
    if where is loop.function:
        return any(loop in placed.loops for placed in unconditional)
    # (built by a function each iteration calls, under no condition of the loop's body)
    return any(
        model.resolve_call(call, loop.function) is where
        for placed in model.ordered_statements(loop.function)
        if loop in placed.loops and not placed.guards
        for call in placed.simple.calls
    )


_NAME = lazy(r"(?<![\w.'\"])[A-Za-z_][\w.]*")
_WORDS = frozenset({"not", "and", "or", "is", "in", "None", "True", "False"})


def _each_run_builds(model: LoopModel, binding: Binding, placed: object, loop: Loop, placed_all: list[object]) -> bool:
    """Is a build under if-arms in the loop (`if args.model_type == "resnet": args.model = ...`,
    `elif ...:`) made in every iteration of a run that works: its tests read only names the loop
    never binds (the same arm runs each time), and the name it binds is bound nowhere in the
    function outside the loop (a run where no arm builds it stops at its first use)?"""
    if binding.function is not loop.function or loop not in placed.loops:  # type: ignore[attr-defined]
        return False
    changed = bound_in_iteration(loop)
    changed.discard(binding.name)  # (`args.model = ...` changes no setting of `args`)
    read = {name for guard in placed.guards for name in _NAME.findall(guard)} - _WORDS  # type: ignore[attr-defined]
    if any(r == c or r.startswith(f"{c}.") or c.startswith(f"{r}.") for r in read for c in changed):
        return False
    return all(
        loop in other.loops for other in placed_all  # type: ignore[attr-defined]
        if binding.name in other.simple.targets  # type: ignore[attr-defined]
    )


def _locals(function: object) -> set[str]:
    return {t for simple in function.assignments for t in simple.targets} | set(function.params)  # type: ignore[attr-defined]


def _steps_model(model: LoopModel, stepped: Event | None, switch: Event) -> bool:
    """Does the optimizer step that follows the backward update the model left in eval mode?
    True when that cannot be told."""
    optimizer = stepped.subject if stepped is not None else None
    models = model.optimized_models(optimizer)
    name = switch.subject.name.rsplit(".", 1)[-1] if switch.subject is not None else None
    if not models or name is None:
        return True
    bound = model.optimized_bindings(optimizer)
    if bound and switch.subject is not None and switch.subject.binding is not None:
        # the same objects, not the same names (a binding seen from another file's model is another
        # record of the same statement)
        return any(b.same_as(switch.subject.binding) for b in bound)
    if name in models:
        return True
    # a helper's parameter (`def train_model(model, ..., optimizer)`) stands for what its callers pass
    # (`train_model(esmm, ..., optimizer)` with `optimizer = Adam(esmm.parameters())`): the names
    # given for it, not the parameter's own
    passed = model.names_passed_for(switch.subject) if switch.subject is not None else None
    return passed is not None and any(given.rsplit(".", 1)[-1] in models for given in passed)


def _anchor(event: Event) -> cst.CSTNode:
    """The statement of the loop's own function that leads to the event: the helper call, or the event."""
    return event.context.chain[0].node if event.context.chain else event.node
