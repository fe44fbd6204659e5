"""Events of training code and the orders they run in.

A call becomes an event (backward, optimizer step, gradient reset, scheduler step, ...) once
roles are known. Calls to functions of the same file are inlined, so a `train_one_epoch(...)`
call inside an epoch loop brings its batch loop along. A loop body yields its iteration
paths: `if`/`else` arms are alternatives, `continue`/`break`/`return` end a path, `finally`
always runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Iterator

import libcst as cst

from loopcheck.model.build import grad_mode_of
from loopcheck.model.ir import Block, Branch, CallSite, FunctionInfo, Loop, Simple, Try, With
from loopcheck.model.roles import MODEL, OPTIMIZER, SCALER, SCHEDULER, Binding

if TYPE_CHECKING:
    from loopcheck.model import LoopModel

MAX_PATHS = 512
MAX_INLINE_DEPTH = 4

CLIP_METHODS = frozenset({"clip_grad_norm_", "clip_grad_value_", "clip_grad_norm", "clip_grad_value"})
RESET_WORDS = ("zero_grad", "clear_grad", "reset_grad")
# Builtins and logging calls that receive a model or optimizer without touching its gradients.
INERT_CALLS = frozenset(
    {"print", "len", "isinstance", "getattr", "setattr", "hasattr", "id", "type", "repr", "str", "format",
     "info", "debug", "warning", "log", "add_scalar", "add_scalars", "set_postfix", "write"}
)


class Kind(str, Enum):
    BACKWARD = "backward"
    STEP = "optimizer step"
    RESET = "gradient reset"
    SCHEDULER_STEP = "scheduler step"
    UNSCALE = "unscale"
    CLIP = "clip"
    EVAL = "eval mode"
    TRAIN = "train mode"
    MODE_UNKNOWN = "mode set"
    MODEL_CALL = "model call"
    OPAQUE = "opaque call"
    LOOP = "loop"
    CALL = "local call"
    """Entering a same-file function; its own events follow."""


@dataclass(frozen=True, eq=False)
class Subject:
    """An object the events act on: a binding when its construction is known, else a name in a function."""

    key: object
    name: str
    role: str | None
    binding: Binding | None
    function: FunctionInfo

    def may_be(self, other: Subject | None) -> bool:
        """Could both refer to the same object? Unknown objects seen from different functions may."""
        if other is None:
            return True
        if self.binding is not None and other.binding is not None:
            return self.binding is other.binding
        if self.function is other.function:
            return self.name == other.name
        return True


@dataclass(frozen=True)
class Context:
    """Where an event happens: the function, the grad mode around it, the calls that led there."""

    function: FunctionInfo
    grad: str = "on"
    """'on', 'off' or 'unknown': lexical grad mode, including decorators and callers' with-blocks."""
    chain: tuple[CallSite, ...] = ()
    """Same-file calls inlined to reach this point, outermost first."""
    guards: tuple[str, ...] = ()
    """The conditions of the if-arms around this point, `not (...)` for else-arms."""


@dataclass(frozen=True, eq=False)
class Event:
    kind: Kind
    node: cst.CSTNode
    context: Context
    subject: Subject | None = None
    call: CallSite | None = None
    loop: Loop | None = None
    contents: tuple[Event, ...] = field(default=())
    """For a nested loop: every event inside it, flattened."""
    argument: Subject | None = None
    """A second object: the model of an optimizer's parameters, the optimizer of a scaler step."""

    def subject_name(self, default: str) -> str:
        """How messages name what the event acts on: `optimizer_g`, or `default` when unknown."""
        return self.subject.name if self.subject is not None else default

    def flatten(self) -> Iterator[Event]:
        yield self
        for inner in self.contents:
            yield from inner.flatten()


@dataclass(frozen=True)
class Path:
    events: tuple[Event, ...]
    end: str | None = None
    """How the path stopped early: continue, break, return, raise; None when it fell through."""
    choices: frozenset[tuple[str, int]] = frozenset()
    """The arm taken at each if-test on the way: two ifs on the same test take the same arm
    (`if args.train_text_encoder:` before and after evaluation)."""

    def then(self, other: Path) -> Path | None:
        """This path followed by `other`, or None when they took different arms of the same test."""
        if self.end is not None:
            return self
        taken = dict(self.choices)
        if any(taken.get(test, arm) != arm for test, arm in other.choices):
            return None
        return Path(self.events + other.events, other.end, self.choices | other.choices)

    def linear(self) -> list[Event]:
        """The events in order, a nested loop standing for one run of its body."""
        return [e for event in self.events for e in event.flatten() if e.kind not in (Kind.LOOP, Kind.CALL)]


class PathLimit(Exception):
    """Too many paths to enumerate: rules that need paths stay silent rather than guess."""


class Flow:
    """Classifies calls into events and enumerates paths, inlining same-file calls."""

    def __init__(self, model: LoopModel) -> None:
        self.model = model

    # classification ---------------------------------------------------------------------

    def subject(self, name: str | None, function: FunctionInfo) -> Subject | None:
        if name is None:
            return None
        binding = self.model.binding(name, function)
        role = self.model.roles.role(name, function, binding)
        key: object = binding if binding is not None and binding.role is not None else (id(function), name)
        return Subject(key=key, name=name, role=role, binding=binding, function=function)

    def events_of_call(self, call: CallSite, context: Context, depth: int) -> list[Event]:
        function = context.function
        method = call.method
        target = self.model.resolve_call(call, function)
        if target is not None and depth < MAX_INLINE_DEPTH and target is not function:
            events = [Event(Kind.CALL, call.node, context, call=call)]
            callee = self.model.at(target).flow
            events.extend(callee.flatten_block(target.body, callee._callee_context(target, call, context), depth + 1))
            return events
        if target is not None:
            return []
        if method == "backward":
            return [Event(Kind.BACKWARD, call.node, context, call=call)]
        receiver = self.subject(call.receiver, function)
        role = receiver.role if receiver is not None else None
        if method == "step" and receiver is not None:
            if role == SCALER:
                first = call.arg(0)
                optimizer = self.subject(first.dotted if first else None, function)
                return [Event(Kind.STEP, call.node, context, subject=optimizer, call=call)]
            if role == OPTIMIZER:
                events: list[Event] = []
                closure = call.arg(0, "closure")
                if closure is not None and closure.dotted is not None:
                    closure_fn = self.model.resolve_name(closure.dotted, function)
                    if closure_fn is not None and depth < MAX_INLINE_DEPTH:
                        # step(closure) runs the closure (its zero_grad and backward) before updating
                        inner = self._callee_context(closure_fn, call, context)
                        events.extend(self.flatten_block(closure_fn.body, inner, depth + 1))
                events.append(Event(Kind.STEP, call.node, context, subject=receiver, call=call))
                return events
            if role == SCHEDULER:
                return [Event(Kind.SCHEDULER_STEP, call.node, context, subject=receiver, call=call)]
            return []
        if method is not None and any(word in method for word in RESET_WORDS):
            if role == OPTIMIZER:
                return [Event(Kind.RESET, call.node, context, subject=receiver, call=call)]
            return [Event(Kind.RESET, call.node, context, argument=receiver, call=call)]
        if method == "unscale_":
            first = call.arg(0)
            return [Event(Kind.UNSCALE, call.node, context, subject=self.subject(first.dotted if first else None, function), call=call)]
        if method in CLIP_METHODS:
            return [Event(Kind.CLIP, call.node, context, call=call)]
        if method in ("eval", "train"):
            chained = self.subject(_chain_receiver(call), function)
            if chained is not None and chained.role in (MODEL, None):
                return [self._mode_event(call, context, chained)]
        called_model = self.model_called(call, function)
        if called_model is not None:
            return [Event(Kind.MODEL_CALL, call.node, context, subject=called_model, call=call)]
        if method not in INERT_CALLS and self._passes_training_object(call, function):
            return [Event(Kind.OPAQUE, call.node, context, call=call)]
        return []

    def model_called(self, call: CallSite, function: FunctionInfo) -> Subject | None:
        """The model a call runs forward on: `model(x)`, `self.net(x)`, `model.forward(x)`; never a class."""
        if call.dotted is None or call.inner is not None:
            return None
        name = call.dotted[: -len(".forward")] if call.dotted.endswith(".forward") else call.dotted
        last = name.rsplit(".", 1)[-1]
        if last[:1].isupper() or last in self.model.ir.classes:
            return None  # constructing a module is not running it
        if "." not in name and (name in self.model.ir.import_refs or self.model.definition(name, function) is not None):
            return None  # an imported or defined name is a function such as `fixed_init_model`, not a model object
        callee = self.subject(name, function)
        return callee if callee is not None and callee.role == MODEL else None

    def _mode_event(self, call: CallSite, context: Context, receiver: Subject) -> Event:
        first = call.arg(0, "mode")
        text = first.node.value if first is not None and isinstance(first.node, cst.Name) else None
        if call.method == "eval" or text == "False":
            kind = Kind.EVAL
        elif first is None or text == "True":
            kind = Kind.TRAIN
        else:
            kind = Kind.MODE_UNKNOWN
        return Event(kind, call.node, context, subject=receiver, call=call)

    def _passes_training_object(self, call: CallSite, function: FunctionInfo) -> bool:
        for arg in call.args:
            if arg.dotted is not None and self.model.roles.role(arg.dotted, function) in (OPTIMIZER, MODEL):
                return True
        return False

    def _callee_context(self, target: FunctionInfo, call: CallSite, context: Context) -> Context:
        """Entering a same-file function: its decorators, or else the caller's grad mode, apply."""
        return Context(target, self._grad_of_function(target, context.grad), (*context.chain, call), context.guards)

    def _grad_of_function(self, function: FunctionInfo, outer: str) -> str:
        for decorator in function.decorators:
            if isinstance(decorator, CallSite):
                mode = grad_mode_of(decorator, self.model.ir.imports)
            else:
                last = decorator.rsplit(".", 1)[-1]
                mode = "off" if "no_grad" in last or "inference_mode" in last else None
            if mode is not None:
                return mode
        return outer

    def events_of_simple(self, simple: Simple, context: Context, depth: int) -> list[Event]:
        events: list[Event] = []
        for call in simple.calls:
            events.extend(self.events_of_call(call, context, depth))
        if simple.grad_reset and not any(e.kind is Kind.RESET for e in events):
            events.append(Event(Kind.RESET, simple.node, context))
        return events

    # flattening: every event of a block, in source order --------------------------------

    def flatten_block(self, block: Block, context: Context, depth: int = 0) -> list[Event]:
        out: list[Event] = []
        for stmt in block:
            if isinstance(stmt, Simple):
                out.extend(self.events_of_simple(stmt, context, depth))
            elif isinstance(stmt, Branch):
                for index, arm in enumerate(stmt.arms):
                    out.extend(self.flatten_block(arm, _guarded(context, stmt, index), depth))
            elif isinstance(stmt, With):
                out.extend(self.flatten_block(stmt.body, self._with_context(stmt, context), depth))
            elif isinstance(stmt, Try):
                for part in (stmt.body, *stmt.handlers, stmt.orelse, stmt.final):
                    out.extend(self.flatten_block(part, context, depth))
            elif isinstance(stmt, Loop):
                out.append(self.loop_event(stmt, context, depth))
        return out

    def loop_event(self, loop: Loop, context: Context, depth: int = 0) -> Event:
        contents = tuple(self.flatten_block(loop.body, context, depth))
        return Event(Kind.LOOP, loop.node, context, loop=loop, contents=contents)

    @staticmethod
    def _with_context(stmt: With, context: Context) -> Context:
        return replace(context, grad=stmt.grad) if stmt.grad is not None else context

    # paths: the orders one iteration can take -------------------------------------------

    def block_paths(self, block: Block, context: Context, depth: int = 0) -> list[Path]:
        paths: list[Path] = [Path(())]
        for stmt in block:
            options = self._stmt_paths(stmt, context, depth)
            combined: dict[tuple[tuple[int, ...], str | None], Path] = {}
            for path in paths:
                for option in options if path.end is None else [Path(())]:
                    new = path.then(option)
                    if new is not None:
                        combined.setdefault(_path_key(new), new)
            if len(combined) > MAX_PATHS:
                raise PathLimit()
            paths = list(combined.values())
        return paths

    def _stmt_paths(self, stmt: object, context: Context, depth: int) -> list[Path]:
        if isinstance(stmt, Simple):
            return self._simple_paths(stmt, context, depth)
        if isinstance(stmt, Branch):
            options: list[Path] = []
            for index, arm in enumerate(stmt.arms):
                choice = frozenset({(stmt.test, index)})
                options.extend(
                    Path(p.events, p.end, p.choices | choice)
                    for p in self.block_paths(arm, _guarded(context, stmt, index), depth)
                    if all(test != stmt.test or arm_taken == index for test, arm_taken in p.choices)
                )
            return options
        if isinstance(stmt, With):
            return self.block_paths(stmt.body, self._with_context(stmt, context), depth)
        if isinstance(stmt, Try):
            finals = self.block_paths(stmt.final, context, depth)
            starts = self.block_paths([*stmt.body, *stmt.orelse], context, depth)
            for handler in stmt.handlers:
                starts.extend(self.block_paths(handler, context, depth))
            paths: list[Path] = []
            for start in starts:
                for final in finals:  # `finally` runs also after a continue, break or return
                    joined = Path(start.events, None, start.choices).then(final)
                    if joined is not None:
                        paths.append(Path(joined.events, joined.end or start.end, joined.choices))
            return paths
        if isinstance(stmt, Loop):
            return [Path((self.loop_event(stmt, context, depth),))]
        return [Path(())]

    def _simple_paths(self, simple: Simple, context: Context, depth: int) -> list[Path]:
        # A same-file call contributes each path of its body; everything else is one straight run.
        prefixes: list[Path] = [Path(())]
        for call in simple.calls:
            target = self.model.resolve_call(call, context.function)
            if target is not None and depth < MAX_INLINE_DEPTH and target is not context.function:
                callee = self.model.at(target).flow
                inner = callee._callee_context(target, call, context)
                entry = Event(Kind.CALL, call.node, context, call=call)
                bodies = [
                    Path((entry, *body.events), body.end if body.end == "raise" else None, body.choices)
                    for body in callee.block_paths(target.body, inner, depth + 1)
                ]
            else:
                bodies = [Path(tuple(self.events_of_call(call, context, depth)))]
            joined = [prefix.then(body) for prefix in prefixes for body in bodies]
            prefixes = list({_path_key(p): p for p in joined if p is not None}.values())
            if len(prefixes) > MAX_PATHS:
                raise PathLimit()
        tail: list[Event] = []
        if simple.grad_reset and not any(e.kind is Kind.RESET for p in prefixes for e in p.events):
            tail.append(Event(Kind.RESET, simple.node, context))
        return [
            Path(prefix.events + tuple(tail), prefix.end or simple.jump, prefix.choices)
            for prefix in prefixes
        ]


def _guarded(context: Context, branch: Branch, arm: int) -> Context:
    guard = branch.test if arm == 0 else f"not ({branch.test})"
    return replace(context, guards=(*context.guards, guard))


def _chain_receiver(call: CallSite) -> str | None:
    """`model` for `model.eval()` and for `model.to(device).train()`."""
    while call.receiver is None and call.inner is not None:
        call = call.inner
    return call.receiver


def _path_key(path: Path) -> tuple[tuple[int, ...], str | None, frozenset[tuple[str, int]]]:
    return tuple(id(e.node) * 31 + hash(e.kind) for e in path.events), path.end, path.choices
