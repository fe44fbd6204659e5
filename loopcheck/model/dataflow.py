"""Which values carry an autograd graph, and where a loop stores them past its iteration.

A simple ordered pass per function: a model output, or anything computed from one with grad
enabled, carries a graph; `.item()`, `.detach()`, `float()` and a computation under `no_grad`
give values that do not; reassigning a name from such a value makes it safe again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from loopcheck.model.flow import Kind
from loopcheck.model.ir import Block, Branch, CallSite, FunctionInfo, Loop, Simple, Try, With
from loopcheck.model.roles import MODEL, OPTIMIZER, SCALER, SCHEDULER

if TYPE_CHECKING:
    from loopcheck.model import LoopModel

APPENDING_METHODS = frozenset({"append", "extend", "insert", "appendleft", "add"})


@dataclass(frozen=True, eq=False)
class RetainedValue:
    store: Simple
    """The statement that keeps the value."""
    container: str
    value: str
    """The graph-carrying name stored."""
    computed_at: Simple | None
    loop: Loop


@dataclass(frozen=True)
class Placed:
    simple: Simple
    grad: str
    loops: tuple[Loop, ...]


def ordered_statements(model: LoopModel, function: FunctionInfo) -> list[Placed]:
    """The function's simple statements in source order, each with its grad mode and enclosing loops."""
    start = model.grad_entering(function)
    return list(walk(function.body, start))


def walk(block: Block, grad: str, loops: tuple[Loop, ...] = ()) -> Iterator[Placed]:
    """The simple statements of a block in source order, with the grad mode its with-blocks set."""
    for stmt in block:
        if isinstance(stmt, Simple):
            yield Placed(stmt, grad, loops)
        elif isinstance(stmt, Branch):
            for arm in stmt.arms:
                yield from walk(arm, grad, loops)
        elif isinstance(stmt, With):
            yield from walk(stmt.body, stmt.grad or grad, loops)
        elif isinstance(stmt, Try):
            for part in (stmt.body, *stmt.handlers, stmt.orelse, stmt.final):
                yield from walk(part, grad, loops)
        elif isinstance(stmt, Loop):
            yield from walk(stmt.body, grad, (*loops, stmt))
            yield from walk(stmt.orelse, grad, loops)


def simples_of(block: Block) -> Iterator[Simple]:
    return (placed.simple for placed in walk(block, "on"))


def retained_values(model: LoopModel, function: FunctionInfo) -> list[RetainedValue]:
    if function.cls is not None and model.is_module_class(function.cls):
        return []  # a model's forward collects per-step outputs on purpose: the loss consumes them
    placed = model.ordered_statements(function)
    consumed = _feeding_backward(function, placed)
    returned = {name for item in placed for name in item.simple.returned_names}
    assigned_in = _plainly_assigned_per_loop(placed)
    graph: dict[str, Simple] = {}
    found: list[RetainedValue] = []
    for item in placed:
        simple = item.simple
        innermost = item.loops[-1] if item.loops else None
        if innermost is not None:
            stored = [*_stores(simple, graph, item.grad), *_kept_by_callee(model, function, simple, graph)]
            for container, value in stored:
                if container in consumed or container in assigned_in.get(id(innermost), set()):
                    continue
                if simple.augmented and container in returned and Kind.BACKWARD not in model.kinds_in(innermost):
                    continue  # a loss summed from parts and returned to a caller that backwards it
                found.append(RetainedValue(simple, container, value, graph.get(value), innermost))
        helper = model.resolve_call(simple.value_call, function) if simple.value_call is not None else None
        if helper is not None and helper is not function:
            # `acc1, acc5 = accuracy(output, target)`: the helper decides, not the arguments it was given
            carries = item.grad != "off" and model.function_returns_graph(helper)
        else:
            carries = item.grad != "off" and not simple.value_detached and (
                bool(simple.value_names & graph.keys()) or _calls_model(model, simple, function)
            )
        for target in simple.targets:
            if carries and not _is_training_object(model, target, function):
                graph[target] = simple
            elif not simple.augmented:
                graph.pop(target, None)
    return found


def returns_graph(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the function return a value computed from a model call with grad enabled?"""
    graph: set[str] = set()
    for item in model.ordered_statements(function):
        simple = item.simple
        if simple.jump == "return" and (simple.returned_names & graph or (
            item.grad != "off" and _calls_model(model, simple, function, direct_only=True)
        )):
            return True
        carries = item.grad != "off" and not simple.value_detached and (
            bool(simple.value_names & graph) or _calls_model(model, simple, function, direct_only=True)
        )
        for target in simple.targets:
            if carries:
                graph.add(target)
            elif not simple.augmented:
                graph.discard(target)
    return False


def _calls_model(model: LoopModel, simple: Simple, function: FunctionInfo, direct_only: bool = False) -> bool:
    for call in simple.calls:
        if not call.live or call.inner is not None or call.dotted is None:
            continue
        if model.resolve_call(call, function) is None and _runs_a_trainable_model(model, call, function):
            return True
        if not direct_only:
            target = model.resolve_call(call, function)
            if target is not None and target is not function and model.function_returns_graph(target):
                return True
    return False


def _runs_a_trainable_model(model: LoopModel, call: CallSite, function: FunctionInfo) -> bool:
    """A forward whose output carries a graph: a module built as such, or one this file trains
    (a name that merely looks like a model, in a file that trains nothing, is not enough)."""
    called = model.flow.model_called(call, function)
    if called is None:
        return False
    if called.binding is not None and called.binding.role == MODEL:
        return True
    return bool(model.training_steps) and model.is_trained(called)


def _is_training_object(model: LoopModel, name: str, function: FunctionInfo) -> bool:
    """Models, optimizers and schedulers hold no graph themselves, whatever built them."""
    return model.roles.role(name, function, model.binding(name, function)) in (MODEL, OPTIMIZER, SCHEDULER, SCALER)


def _stores(simple: Simple, graph: dict[str, Simple], grad: str) -> Iterator[tuple[str, str]]:
    """(container, stored graph name) pairs for `total += loss`, `xs.append(loss)`, `d[k] = loss`."""
    if simple.augmented and grad != "off" and not simple.value_detached:
        for target in simple.targets:
            for name in sorted(simple.value_names & graph.keys()):
                if name != target:
                    yield target, name
                    break
    for call in simple.calls:
        container = _container(call)
        if call.method in APPENDING_METHODS and container is not None:
            for arg in call.args:
                if not arg.detached:
                    for name in sorted(arg.names & graph.keys()):
                        yield container, name
                        break
    if simple.subscript_targets and not simple.value_detached and grad != "off":
        for container in simple.subscript_targets:
            for name in sorted(simple.value_names & graph.keys()):
                yield container, name
                break


def _kept_by_callee(
    model: LoopModel, function: FunctionInfo, simple: Simple, graph: dict[str, Simple]
) -> Iterator[tuple[str, str]]:
    """`meter.update(loss, n)` or `logger.log("loss", loss)` where the same-file method keeps its argument."""
    for call in simple.calls:
        target = model.resolve_call(call, function)
        if target is None or target is function or call.dotted is None:
            continue
        kept = model.kept_parameters(target)
        if not kept:
            continue
        offset = 1 if target.cls is not None and target.params[:1] == ("self",) else 0
        for index, parameter in enumerate(target.params[offset:]):
            if parameter not in kept:
                continue
            arg = call.arg(index, parameter)
            if arg is None or arg.detached:
                continue
            for name in sorted(arg.names & graph.keys()):
                yield call.dotted, name
                break


def kept_parameters(function: FunctionInfo) -> frozenset[str]:
    """Parameters a function stores beyond its own call: into `self.*`, a module-level name, or a
    container reached through one (`self.sum += val * n`, `self.history[key].append(value)`)."""
    params = set(function.params) - {"self", "cls"}
    kept: set[str] = set()
    for simple in function.simples:
        if simple.augmented or simple.subscript_targets:
            outer = [t for t in (*simple.targets, *simple.subscript_targets) if _outlives_call(t, function)]
            if outer and not simple.value_detached:
                kept |= simple.value_names & params
        for call in simple.calls:
            container = _container(call)
            if call.method in APPENDING_METHODS and container and _outlives_call(container, function):
                for arg in call.args:
                    if not arg.detached:
                        kept |= arg.names & params
    return frozenset(kept)


def _container(call: CallSite) -> str | None:
    """What an append writes into: `history` for `history["loss"].append(x)` and for
    `history.setdefault("loss", []).append(x)`."""
    while call.receiver_root is None and call.inner is not None:
        call = call.inner
    return call.receiver_root


def _outlives_call(name: str, function: FunctionInfo) -> bool:
    return name.startswith("self.") or (name not in function.params and not any(name in s.targets for s in function.assignments))


def _feeding_backward(function: FunctionInfo, placed: list[Placed]) -> set[str]:
    """Names whose values flow into a backward() of this function: storing them builds the loss."""
    roots: set[str] = set()
    for item in placed:
        for call in item.simple.calls:
            if call.method != "backward":
                continue
            if call.receiver_root is not None:
                roots.add(call.receiver_root)
            source = call.inner if call.inner is not None else call
            for arg in source.args:
                roots.update(arg.names)
    changed = True
    while changed:
        changed = False
        for simple in function.assignments:
            if set(simple.targets) & roots and not simple.value_names <= roots:
                roots |= simple.value_names
                changed = True
    return roots


def _plainly_assigned_per_loop(placed: list[Placed]) -> dict[int, set[str]]:
    """For each loop, the names given a fresh value by a plain assignment somewhere in its body."""
    assigned: dict[int, set[str]] = {}
    for item in placed:
        simple = item.simple
        if simple.augmented or not simple.targets:
            continue
        for loop in item.loops:
            assigned.setdefault(id(loop), set()).update(simple.targets)
    return assigned
