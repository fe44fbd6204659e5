"""Learning-rate schedules: where each scheduler is stepped and what cadence its size implies.

A schedule is sized in epochs (`StepLR(step_size=30)`, `CosineAnnealingLR(T_max=epochs)`) or in
iterations (`OneCycleLR(steps_per_epoch=...)`, `T_max=len(loader) * epochs`); when the size
cannot be judged, the cadence is None and nothing is said.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model.build import _call_arguments, dotted_name, nodes_within
from loopcheck.model.dataflow import DATA_ITERABLE, EPOCH_WORDS, iterated_text, iterates_epochs, simples_of
from loopcheck.model.flow import Event, Kind, Subject, arguments_known, decide
from loopcheck.model.ir import ArgInfo, FunctionInfo, Loop, With, all_statements, runs_once
from loopcheck.model.roles import Binding
from loopcheck.records import Frozen, Value, _set

if TYPE_CHECKING:
    from loopcheck.model import LoopModel

BATCH = "batch"
EPOCH = "epoch"
ITERATION_WORDS = lazy(
    r"(?i)len\(|steps|iters\b|_iters|iterations|batches|updates|num_training|max_iter|total_iter|num_iter|n_iter|per_epoch"
)
"""Words of a size counted in optimizer steps (a count `per_epoch` is one of the steps within each epoch)."""
ALWAYS_PER_ITERATION = frozenset({"OneCycleLR", "CyclicLR"})
EPOCH_BY_DEFAULT = frozenset({"StepLR", "MultiStepLR", "ExponentialLR"})
# The argument that sizes each schedule: (position after the optimizer, keyword).
SIZE_ARGUMENT = {
    "StepLR": (1, "step_size"),
    "MultiStepLR": (1, "milestones"),
    "CosineAnnealingLR": (1, "T_max"),
    "CosineAnnealingWarmRestarts": (1, "T_0"),
    "LinearLR": (3, "total_iters"),
    "ConstantLR": (2, "total_iters"),
    "PolynomialLR": (1, "total_iters"),
}
CADENCE_GUARD = lazy(r"%")
LARGE_COUNT = 1000
"""Literal sizes at or above this count iterations, not epochs."""
SMALL_RESTART = 50
MAX_SIZE_HOPS = 4


@dataclass(init=False, eq=False, repr=False)
class SchedulerStep(Frozen):
    """A `scheduler.step()` of the training code and how often it runs."""

    event: Event
    cadence: str
    """'batch' (stepped in the loop that holds the training step) or 'epoch' (in a loop around it)."""
    loop: Loop

    def __init__(self, event: Event, cadence: str, loop: Loop) -> None:
        _set(self, "event", event)
        _set(self, "cadence", cadence)
        _set(self, "loop", loop)


@dataclass(init=False, eq=False, repr=False)
class ScheduleSize(Value):
    """What a scheduler's construction says its schedule is counted in."""

    unit: str
    """'epoch' or 'iteration'."""
    evidence: str
    """What in the construction says so, for the message."""

    def __init__(self, unit: str, evidence: str) -> None:
        _set(self, "unit", unit)
        _set(self, "evidence", evidence)

    def _values(self) -> tuple[object, ...]:
        return (self.unit, self.evidence)


def scheduler_steps(model: LoopModel) -> list[SchedulerStep]:
    """Scheduler steps whose cadence is plain: once per batch in the loop that trains, or once per
    epoch in a loop around it. A step under `if step % k == 0:` runs every k batches on purpose,
    and in full-batch training (the training loop is itself the epoch loop) both cadences agree:
    neither is judged."""
    # (a loop with an update of its own around critic repeats steps per iteration like a batch loop)
    training = {id(step.loop) for step in model.training_steps} | {id(loop) for loop in model.repeating_steps}
    found: list[SchedulerStep] = []
    for loop in model.loops:
        if Kind.SCHEDULER_STEP not in model.kinds_in(loop):
            continue
        event = model.loop_event(loop)
        direct = [
            e for e in event.contents
            if e.kind is Kind.SCHEDULER_STEP and not any(CADENCE_GUARD.search(g) for g in e.context.guards)
            and not model.told_its_epoch(e) and not _ruled_out_by_callers(model, loop, e)
        ]
        if not direct:
            continue
        if id(loop) in training:
            if iterates_epochs(loop) or _iterates_phases(loop):
                continue  # full-batch training: one step per epoch is one step per iteration
            if not DATA_ITERABLE.search(loop.iter_text) and not _outlived_by_schedules(model, loop, direct):
                # `for _ in range(args.n_steps):` alone: training counted in steps, no epochs; also
                # inside loops that build the scheduler anew each time (`for try_num in range(n):`
                # a fresh optimizer and schedule per try): the schedule lives in this loop alone
                continue
            if runs_once(loop):
                continue  # a batch loop ending in an unconditional `break` runs one batch an epoch
            if _whole_dataset_batches(model, loop):
                continue  # `DataLoader(dataset, batch_size=len(dataset))`: one batch an epoch
            cadence = BATCH
        elif any(
            e.kind is Kind.LOOP and e.loop is not None and (id(e.loop) in training or _trains_in_its_file(model, e.loop))
            for inner in event.contents
            for e in inner.flatten()
        ):
            cadence = BATCH if _batches_of_inner_updates(model, loop, event, training) else EPOCH
        else:
            continue
        found.extend(SchedulerStep(e, cadence, loop) for e in direct)
    return found


def _batches_of_inner_updates(model: LoopModel, loop: Loop, event: Event, training: set[int]) -> bool:
    """Is the loop one over data (`for pos, fx, yy in self.train_loader:`) whose every training
    loop inside goes over no data and no epochs (`for t in range(self.args.T_out):`, the updates of
    one batch's time steps)? Its iterations are batches: a step there is one per batch."""
    if not DATA_ITERABLE.search(iterated_text(loop, model.at(loop.function).ordered_statements(loop.function))):
        return False
    inner = [
        e.loop for top in event.contents for e in top.flatten()
        if e.kind is Kind.LOOP and e.loop is not None and e.loop is not loop and id(e.loop) in training
    ]
    return bool(inner) and all(
        e.function is loop.function and not DATA_ITERABLE.search(e.iter_text) and not iterates_epochs(e)
        for e in inner
    )


def _trains_in_its_file(model: LoopModel, loop: Loop) -> bool:
    """Is the loop, inlined from a project function of another file (`train_epoch(...)` imported
    from `utils/training.py`), a loop that trains there: the batch loop of that file's model?"""
    owner = model.at(loop.function)
    if owner is model:
        return False
    return any(step.loop is loop for step in owner.training_steps) or any(other is loop for other in owner.repeating_steps)


def _outlived_by_schedules(model: LoopModel, loop: Loop, steps: list[Event]) -> bool:
    """Does a loop around `loop` hold a stepped scheduler across its iterations (built outside it,
    or not known where)? A loop whose body builds each scheduler afresh ends the schedule with its
    iteration: for that schedule, `loop` is the whole run."""
    for outer in model.enclosing_loops(loop):
        built_inside = {id(simple) for simple in simples_of(outer.body)}
        for event in steps:
            binding = event.subject.binding if event.subject is not None else None
            if binding is None:
                return True
            if outer.function is not loop.function and binding.function is loop.function and "." not in binding.name:
                continue  # a local of the function the outer loop calls (`loop`'s): built afresh at each call
            if id(binding.statement) not in built_inside:
                return True
    return False


def _whole_dataset_batches(model: LoopModel, loop: Loop) -> bool:
    """Does the loop iterate a loader built with the whole dataset as one batch
    (`DataLoader(dataset=ds, batch_size=len(ds))`)? Then it runs once an epoch."""
    iterated = loop.node.iter if isinstance(loop.node, cst.For) else None
    if isinstance(iterated, cst.Call) and isinstance(iterated.func, cst.Name) and iterated.func.value == "enumerate" and iterated.args:
        iterated = iterated.args[0].value
    if not isinstance(iterated, cst.Name):
        return False
    binding = model.roles.lookup(iterated.value, loop.function)
    made = binding.statement.value if binding is not None else None
    if not isinstance(made, cst.Call) or (dotted_name(made.func) or "").rsplit(".", 1)[-1] != "DataLoader":
        return False
    dataset = next((a.value for a in made.args if a.keyword is None or a.keyword.value == "dataset"), None)
    size = next((a.value for a in made.args if a.keyword is not None and a.keyword.value == "batch_size"), None)
    return (
        isinstance(size, cst.Call) and isinstance(size.func, cst.Name) and size.func.value == "len" and len(size.args) == 1
        and dataset is not None and model.code(size.args[0].value) == model.code(dataset)
    )


def _ruled_out_by_callers(model: LoopModel, loop: Loop, event: Event) -> bool:
    """Is the step made under a test on the function's parameters that every call of the function
    rules out (`if step == "batch": scheduler.step()` in `train_epoch(..., step)`, every caller
    passing `step = "epoch"`)? Such a step never runs where the loop is."""
    function = loop.function
    if event.context.function is not function:
        return False  # a helper's step: its guards were read with the values its call gives
    guards = event.context.guards  # (only tests on parameters can be decided by what calls give)
    callers = model.callers(function) if guards else []
    return bool(callers) and all(
        any(decide(g, known) is False for g in guards)
        for known in (arguments_known(function, edge.call, caller=edge.caller) for edge in callers)
    )


def literal_elements(loop: Loop) -> tuple[object, ...] | None:
    """What a loop over a literal list or tuple iterates (`['train', 'val']`), None for any other loop."""
    text = loop.iter_text.strip()
    if not text.startswith(("[", "(")):
        return None
    try:
        literal = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return tuple(literal) if isinstance(literal, (list, tuple)) and literal else None


def _iterates_phases(loop: Loop) -> bool:
    """`for phase in ['train', 'val']:` — a loop over a literal list of names, not over batches."""
    elements = literal_elements(loop)
    return elements is not None and all(isinstance(item, str) for item in elements)


def schedule_size(model: LoopModel, scheduler: Subject | None) -> ScheduleSize | None:
    binding = scheduler.binding if scheduler is not None else None
    if binding is None or binding.call is None or not binding.qualified:
        return None
    kind = binding.last
    call = binding.call
    if kind in ALWAYS_PER_ITERATION:
        for keyword in ("total_steps", "steps_per_epoch", "step_size_up"):
            sized_by = call.keyword(keyword)
            if sized_by is not None:
                return ScheduleSize("iteration", f"{keyword}={model.code(sized_by.node)}")
        return ScheduleSize("iteration", f"{kind} counts optimizer steps")
    if kind == "ReduceLROnPlateau":
        return _plateau_size(model, binding)
    if re.match(r"get_\w*schedule", kind):
        if model.at(binding.function).resolve_call(call, binding.function) is not None:
            return None  # the project's own `factory.get_scheduler(cfg, optim, last_epoch)`: not transformers'
        total = call.arg(2, "num_training_steps")
        if total is not None:
            # the keyword counts optimizer steps, but what it is given may be a count of epochs
            # (`num_training_steps=num_epochs`, stepped once an epoch): the expression tells
            unit = "epoch" if _counts_epochs_only(model, total, binding) else "iteration"
            return ScheduleSize(unit, f"num_training_steps={model.code(total.node)}")
        return None
    if kind == "LambdaLR":
        return _lambda_size(model, binding)
    position_keyword = SIZE_ARGUMENT.get(kind)
    if position_keyword is None:
        return ScheduleSize("epoch", f"{kind} decays per epoch") if kind in EPOCH_BY_DEFAULT else None
    position, keyword = position_keyword
    size = call.arg(position, keyword)
    if size is None:
        return None
    text = model.code(size.node)
    unit = _unit_of(model, size, binding)
    if unit == "iteration" and kind == "MultiStepLR" and _MILESTONE_NAME.match(text):
        unit = None  # `milestones=steps` (`lr_steps`): the points the rate drops at, in a unit not told
    if unit is None and kind == "MultiStepLR" and isinstance(size.node, (cst.List, cst.Tuple)):
        # `milestones=[300, 600]` says when the rate drops, not in which unit: epochs of a long run
        # or batches of a short one; only milestones all in the thousands count optimizer steps
        smallest = _smallest_literal(size.node)
        return ScheduleSize("iteration", f"{keyword}={text}") if smallest is not None and smallest >= LARGE_COUNT else None
    if unit is None:
        literal = _literal(size.node)
        if literal is None and isinstance(size.node, cst.Name):
            # `def train(..., lr_step_size=20)`: `StepLR(optimizer, step_size=lr_step_size)` is
            # sized by what every call of the function gives the parameter (its default)
            literal = _given_at_every_call(model, binding.function, size.node.value)
            text = f"{text}, {literal} at every call" if literal is not None else text
        if literal is not None:
            if literal >= LARGE_COUNT:
                unit = "iteration"
            elif kind in EPOCH_BY_DEFAULT or (kind == "CosineAnnealingWarmRestarts" and literal <= SMALL_RESTART):
                unit = "epoch"
        elif kind in EPOCH_BY_DEFAULT:
            return None
    return ScheduleSize(unit, f"{keyword}={text}") if unit is not None else None


def _plateau_size(model: LoopModel, binding: Binding) -> ScheduleSize:
    """A plateau schedule counts the metrics it is stepped with in its `patience` (and `cooldown`):
    a patience in the thousands (`patience=3000`, a literal or what every call gives the parameter
    it reads), or one named in steps (`patience=patience_steps`), waits that many optimizer steps,
    not epochs; any other patience (the default of 10) counts validation rounds."""
    assert binding.call is not None
    for position, keyword in ((3, "patience"), (6, "cooldown")):
        size = binding.call.arg(position, keyword)
        if size is None:
            continue
        if _unit_of(model, size, binding) == "iteration":
            return ScheduleSize("iteration", f"{keyword}={model.code(size.node)}")
        literal = _literal(size.node)
        if literal is None and isinstance(size.node, cst.Name):
            literal = _given_at_every_call(model, binding.function, size.node.value)
        if literal is not None and literal >= LARGE_COUNT:
            return ScheduleSize("iteration", f"{keyword}={model.code(size.node)} counts optimizer steps")
    return ScheduleSize("epoch", "ReduceLROnPlateau reacts to a validation metric once per epoch")


_MILESTONE_NAME = lazy(r"(?i)^(?:[\w.]*\.)?(\w+_)?steps$")
"""A list of milestones named only `steps` (`lr_steps`, `decay_steps`, `args.steps`, `FLAGS.lr_steps`):
when to drop, not how long."""


def _counts_epochs_only(model: LoopModel, size: ArgInfo, binding: Binding) -> bool:
    """Does the size, and every name it is computed from, speak of epochs and nothing of steps
    (`num_epochs`, not `len(loader) * num_epochs`)?"""
    texts = _size_texts(model, size, binding)
    return any(EPOCH_WORDS.search(text) for text in texts) and not any(ITERATION_WORDS.search(text) for text in texts)


def _unit_of(model: LoopModel, size: ArgInfo, binding: Binding) -> str | None:
    """The unit a size is counted in, read from its expression and, back through the names it is
    computed from (`T_max = max_iter` where `max_iter = epochs * len(loader)`), up to a few hops."""
    for text in reversed(_size_texts(model, size, binding)):
        if ITERATION_WORDS.search(text):
            return "iteration"
        if EPOCH_WORDS.search(text):
            return "epoch"
    return None


def _size_texts(model: LoopModel, size: ArgInfo, binding: Binding) -> list[str]:
    """The size's expression, then those of the names it is computed from, a few hops back."""
    texts = [model.code(size.node)]
    pending = set(size.names)
    seen: set[str] = set()
    owner = model.at(binding.function)
    for _ in range(MAX_SIZE_HOPS):
        following: set[str] = set()
        for name in sorted(pending - seen):
            seen.add(name)
            bound = owner.roles.lookup(name, binding.function)
            if bound is not None and bound.statement.value is not None and not bound.statement.augmented:
                texts.append(owner.code(bound.statement.value))
                following |= bound.statement.value_names
        pending = following
        if not pending:
            break
    return texts


def _lambda_size(model: LoopModel, binding: Binding) -> ScheduleSize | None:
    assert binding.call is not None
    lr_lambda = binding.call.arg(1, "lr_lambda")
    if lr_lambda is None:
        return None
    node = lr_lambda.node
    text = model.code(node)
    if lr_lambda.dotted is not None:
        function = model.resolve_name(lr_lambda.dotted, binding.function)
        if function is not None:
            text = model.code(function.node)
    parameters = text.split(":", 1)[0] if isinstance(node, cst.Lambda) else text.split(")", 1)[0]
    if isinstance(node, cst.Lambda) and not _reads_its_parameters(node):
        return None  # `lambda epoch: 1`, or a factor read from elsewhere: the count stepped is not used
    if EPOCH_WORDS.search(parameters):
        return ScheduleSize("epoch", f"lr_lambda takes an epoch ({model.code(node)})")
    if isinstance(node, cst.Lambda) and _fast_decay(node):
        return None  # `lambda step: 0.1 ** step`: a tenth per step, used up in a few: sized in no iterations
    if re.search(r"(?i)warmup_steps|warmup_iters|total_steps|num_training_steps|max_steps|step|iter", text):
        return ScheduleSize("iteration", f"lr_lambda warms up over steps ({model.code(node)})")
    return None


def _fast_decay(node: cst.Lambda) -> bool:
    """Is the lambda's body `base ** count` of its parameter with a literal base of 0.9 or less? Such
    a factor is below a thousandth after 70 steps: whatever its parameter is named, the steps it
    counts are rare events (epochs, plateaus), not the thousands of iterations of a run."""
    body = node.body
    names = {param.name.value for param in node.params.params}
    if not (isinstance(body, cst.BinaryOperation) and isinstance(body.operator, cst.Power)):
        return False
    if not (isinstance(body.right, cst.Name) and body.right.value in names):
        return False
    base = body.left
    if not isinstance(base, (cst.Float, cst.Integer)):
        return False
    value = float(base.evaluated_value)
    return 0 < value <= 0.9


def _reads_its_parameters(node: cst.Lambda) -> bool:
    """Does the lambda's body read any of its parameters (`lambda e: 0.95 ** e`, not `lambda e: 1`)?"""
    names = {param.name.value for param in node.params.params}
    return any(isinstance(inner, cst.Name) and inner.value in names for inner in nodes_within(node.body))


def _smallest_literal(node: cst.List | cst.Tuple) -> int | None:
    values = [_literal(e.value) for e in node.elements]
    return min(v for v in values if v is not None) if values and all(v is not None for v in values) else None


def _given_at_every_call(model: LoopModel, function: FunctionInfo, name: str) -> int | None:
    """The whole number every project call of the function gives its parameter `name` (a
    literal, or the parameter's literal default where the call gives none); None when the name is
    no parameter, nothing calls the function, or a call gives another value, one not known, or
    unpacks arguments (`train(**config)`)."""
    if name not in function.params or function.name == "<module>":
        return None
    edges = model.at(function).callers(function)
    given: set[object] = set()
    for edge in edges:
        if any(arg.star for arg in edge.call.node.args):
            return None
        given.add(dict(arguments_known(function, edge.call, caller=edge.caller)).get(name))
    value = given.pop() if len(given) == 1 else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _literal(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        values = [_literal(e.value) for e in node.elements]
        return max(v for v in values if v is not None) if all(v is not None for v in values) else None
    return None


def _counting_names(loop: Loop) -> set[str]:
    """The names that set how many times a for loop runs: those of its iterable, less what a call's
    keywords give (`tqdm(loader, desc=f"{epoch}/{max_epoch}")` runs once per batch of `loader`,
    whatever its caption counts) and the arguments of a string's method (`"Epoch {}".format(n)`)."""
    node = loop.node
    iterable = node.iter if isinstance(node, cst.For) else getattr(getattr(node, "for_in", None), "iter", None)
    if iterable is None:
        return set(loop.iter_names)
    found: set[str] = set()
    stack: list[cst.CSTNode] = [iterable]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            receiver = current.func.value if isinstance(current.func, cst.Attribute) else None
            if isinstance(receiver, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                continue
            stack.append(current.func)
            stack.extend(arg.value for arg in current.args if arg.keyword is None)
            continue
        if isinstance(current, (cst.FormattedString, cst.SimpleString)):
            continue
        if isinstance(current, (cst.Name, cst.Attribute)):
            dotted = dotted_name(current)
            if dotted is not None:
                found.add(dotted)
                if isinstance(current, cst.Attribute):
                    found.add(dotted.split(".", 1)[0])
                continue
        stack.extend(current.children)
    return found & set(loop.iter_names) if loop.iter_names else found


def sized_by_its_loop(model: LoopModel, scheduler: Subject | None, loop: Loop) -> bool:
    """Is the schedule sized from the count of the very loop that steps it (`with trange(n_iters)
    as t: for _ in t: ... sched.step()` with `T_0=n_iters // 10`)? Then it counts that loop's
    iterations, whatever the count is named: its cadence matches."""
    binding = scheduler.binding if scheduler is not None else None
    if binding is None or binding.call is None or binding.last not in SIZE_ARGUMENT:
        return False
    position, keyword = SIZE_ARGUMENT[binding.last]
    size = binding.call.arg(position, keyword)
    sizing = set(size.names) if size is not None else set()
    if not sizing:
        return False
    counted = _counting_names(loop)
    function = loop.function
    owner = model.at(function)
    for name in set(counted):
        bound = owner.roles.lookup(name, function)
        if bound is not None and bound.statement.value is not None:
            counted |= bound.statement.value_names  # `it = range(n_iters)`
    for statement in all_statements(function.body):
        if isinstance(statement, With):
            for item, call in zip(statement.written_items, statement.items):
                alias = item.asname.name if item.asname is not None else None
                if isinstance(alias, cst.Name) and alias.value in loop.iter_names:
                    counted |= {name for arg in call.args for name in arg.names}  # `with trange(n) as t`
    return sizing <= counted  # (`n_iters // 10`; not `epochs * iters_per_epoch`)


_COUNTING_CALLS = frozenset({"range", "trange", "tqdm", "enumerate"})


def _range_arguments(loop: Loop) -> list[cst.BaseExpression] | None:
    """The positional arguments of the range a for loop counts through (`range(1, epochs + 1)`, also
    inside `tqdm(...)` or `enumerate(...)`, and `trange(n)`), None for any other loop."""
    iterated = loop.node.iter if isinstance(loop.node, cst.For) else None
    while isinstance(iterated, cst.Call) and (dotted_name(iterated.func) or "").rsplit(".", 1)[-1] in _COUNTING_CALLS:
        positional = [arg.value for arg in iterated.args if arg.keyword is None]
        if (dotted_name(iterated.func) or "").rsplit(".", 1)[-1] in ("tqdm", "enumerate"):
            iterated = positional[0] if positional else None
            continue
        return positional
    return None


def _loop_count(loop: Loop) -> cst.BaseExpression | None:
    """How many times a for loop over a range runs (`range(500)`, `trange(n)`, `tqdm(range(1,
    epochs + 1))` count `500`, `n` and `epochs`), None for any other loop."""
    positional = _range_arguments(loop)
    if positional is None:
        return None
    if len(positional) == 1:
        return positional[0]
    if len(positional) == 2 and isinstance(positional[0], cst.Integer):
        start, stop = int(positional[0].evaluated_value), positional[1]
        if start == 0:
            return stop
        if (
            start == 1 and isinstance(stop, cst.BinaryOperation) and isinstance(stop.operator, cst.Add)
            and isinstance(stop.right, cst.Integer) and stop.right.value == "1"
        ):
            return stop.left  # `range(1, epochs + 1)`
    return None


def _count_value(model: LoopModel, loop: Loop, node: cst.BaseExpression | None) -> int | None:
    """The number an expression stands for: a literal (`500`), a setting of the loop's module bound
    once to one (`EPOCHS = 50`), a parameter of the loop's function that every call leaves at (or
    gives) one (`def main(epochs=200)`), the default of the command-line option it reads
    (`args.epochs` of `add_argument('--epochs', type=int, default=250)`: what a run not told
    otherwise counts), or a sum or difference of those (`EPOCHS + 1`)."""
    if isinstance(node, cst.Integer):
        return _literal(node)
    if isinstance(node, cst.Name):
        value = model.at(loop.function).ir.constants.get(node.value)
        if value is None:
            value = _given_at_every_call(model, loop.function, node.value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        found = _option_default(model.at(loop.function).text, node.attr.value)
        if found is None and node.value.value in loop.function.params:
            # `def train(..., args)` called by a script that parses them (`train(..., args)` in
            # main.py beside `add_argument('--epochs', type=int, default=10)`): the default of the
            # option in the files of the callers, when they agree
            owner = model.at(loop.function)
            given = {_option_default(model.at(edge.caller).text, node.attr.value) for edge in owner.callers(loop.function)}
            found = given.pop() if len(given) == 1 else None
        return found
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Subtract)):
        left, right = _count_value(model, loop, node.left), _count_value(model, loop, node.right)
        if left is None or right is None:
            return None
        return left + right if isinstance(node.operator, cst.Add) else left - right
    return None


_OPTION = lazy(r"""\badd_argument\(\s*(?:['"]-\w['"]\s*,\s*)?['"]--?([\w-]+)['"]""")
_INT_DEFAULT = lazy(r"\bdefault\s*=\s*(\d+)\s*[,)]")
_DEST = lazy(r"""\bdest\s*=\s*['"](\w+)['"]""")


def _option_default(text: str, name: str) -> int | None:
    """The whole-number default of the one command-line option of the file whose destination is
    `name` (`add_argument('--num-epochs', type=int, default=250)` for `args.num_epochs`); None when
    no option, or more than one, goes there, or its default is no literal whole number."""
    if "add_argument" not in text:
        return None
    found: list[int | None] = []
    for match in _OPTION.finditer(text):
        opening = text.index("(", match.start()) + 1
        inside = _call_arguments(text, opening)
        call = inside + ")" if inside is not None else text[opening:opening + 2000]  # (`default=10)` closes it)
        dest = _DEST.search(call)
        if (dest.group(1) if dest else match.group(1).replace("-", "_")) != name:
            continue
        default = _INT_DEFAULT.search(call)
        found.append(int(default.group(1)) if default else None)
    return found[0] if len(found) == 1 else None


def _loop_stop(loop: Loop) -> cst.BaseExpression | None:
    """Where a for loop over a range stops (`EPOCHS + 1` of `range(start, EPOCHS + 1)`, `n` of
    `range(n)`): no iteration of it counts that far."""
    positional = _range_arguments(loop)
    if positional is None:
        return None
    return positional[1] if len(positional) in (2, 3) else positional[0] if len(positional) == 1 else None


def sized_by_an_outer_loop(model: LoopModel, scheduler: Subject | None, loop: Loop) -> ScheduleSize | None:
    """A schedule whose size names no unit (`CosineAnnealingLR(optimizer, T_max=500)`, `T_max=n`),
    stepped in a batch loop that a loop of the same count runs (`for epoch in range(500):`, `for _ in
    range(n):`): it is sized in the iterations of that outer loop, the epochs. A count spelled the
    same way, or standing for the same number (`EPOCHS = 500`), is the same count. Milestones
    (`MultiStepLR(milestones=[30])`) all within that count (`range(EPOCHS)`, `EPOCHS = 50`) drop
    the rate at points of those epochs."""
    binding = scheduler.binding if scheduler is not None else None
    if binding is None or binding.call is None or binding.last not in SIZE_ARGUMENT:
        return None
    position, keyword = SIZE_ARGUMENT[binding.last]
    size = binding.call.arg(position, keyword)
    if size is None:
        return None
    text = model.code(size.node)
    milestones = binding.last == "MultiStepLR"
    if milestones and not (isinstance(size.node, (cst.List, cst.Tuple)) and _smallest_literal(size.node) is not None):
        return None
    largest = _literal(size.node)
    for outer in model.enclosing_loops(loop):
        if milestones:
            stop = _count_value(model, outer, _loop_stop(outer))
            matched = stop is not None and largest is not None and largest < stop
        else:
            count = _loop_count(outer)
            # (a name or a plain literal stands for a number: `range(EPOCHS)` with `EPOCHS = 500`)
            value = _count_value(model, outer, count) if isinstance(count, cst.Name) or (
                isinstance(count, cst.Integer) and count.value.isdigit()
            ) else None
            matched = count is not None and (model.at(outer.function).code(count) == text or (value is not None and value == largest))
        if matched:
            line = model.locate(outer.node)[1].start.line
            relation = "within" if milestones else "the count of"
            return ScheduleSize("epoch", f"{keyword}={text}, {relation} the loop on line {line} around the batch loop")
    return None
