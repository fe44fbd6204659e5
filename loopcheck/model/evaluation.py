"""Evaluation passes and the mode and grad state that reach them.

An evaluation pass is a loop that calls a model and runs no backward. Whether `model.eval()`
and `torch.no_grad()` reach it is answered along the same-file call graph: in the function
itself, or in every caller.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from loopcheck.model.flow import Event, Kind, Subject
from loopcheck.model.ir import ClassInfo, FunctionInfo, Loop
from loopcheck.model.roles import MODEL_FACTORIES

if TYPE_CHECKING:
    from loopcheck.model import CallEdge, LoopModel

MAX_CALLER_DEPTH = 6
_MODE_LAYERS = re.compile(r"Dropout|BatchNorm|InstanceNorm|SyncBatchNorm|dropout|batch_norm|self\.training|DropPath|drop_path")
EVAL_FUNCTION = re.compile(
    r"(?i)(^|_)(eval|evaluate|evaluation|validate|validation|val|valid|test|predict|prediction|infer|inference)"
)
EVAL_LOADER = re.compile(r"(?i)(^|[^a-z])(val|valid|validation|test|eval|dev)([^a-z]|$|loader|data|set)")
DATA_ITERABLE = re.compile(r"(?i)loader|dataset|(^|[^a-z])(data|ds|dl|batches|samples|examples)([^a-z]|$)")
_MODULE_BASES = frozenset({"Module", "Sequential", "ModuleList", "ModuleDict"})


@dataclass(frozen=True, eq=False)
class EvaluationPass:
    loop: Loop
    first_call: Event
    """The first model call of the pass."""
    model: Subject | None
    entered_from: CallEdge | None
    """The first same-file call of the function that holds the pass, if any."""

    @property
    def function(self) -> FunctionInfo:
        return self.loop.function


def evaluation_passes(model: LoopModel) -> list[EvaluationPass]:
    passes: list[EvaluationPass] = []
    training = {id(step.loop) for step in model.training_steps}
    for loop in model.loops:
        function = loop.function
        if function.name in ("forward", "__call__") or (function.cls is not None and model.is_module_class(function.cls)):
            continue  # a model's own forward loops over its layers
        if function.name.lstrip("_").startswith("test_"):
            continue  # a pytest test exercises a module; it does not evaluate a trained one
        events = list(model.loop_event(loop).flatten())[1:]
        if any(e.kind is Kind.BACKWARD for e in events):
            continue
        if any(id(outer) in training for outer in model.enclosing_loops(loop)):
            continue  # a loop inside a training step builds part of that step's loss
        if any(e.kind is Kind.BACKWARD for e in model.function_events(function)):
            continue  # the function backwards what the loop computed
        loop_targets = set(loop.targets) | {t for outer in model.enclosing_loops(loop) for t in outer.targets}
        calls = [
            e for e in events
            if e.kind is Kind.MODEL_CALL and (e.subject is None or e.subject.name not in loop_targets)
        ]
        if not calls:
            continue
        named = EVAL_FUNCTION.search(function.name) or EVAL_LOADER.search(loop.iter_text)
        over_data = DATA_ITERABLE.search(loop.iter_text)
        if not named and not (training and over_data and model.is_trained(calls[0].subject)):
            continue  # a rollout over range(n), or a model this file never trains: no evaluation pass
        callers = model.callers(function)
        passes.append(EvaluationPass(loop, calls[0], calls[0].subject, callers[0] if callers else None))
    return passes


def grad_entering(model: LoopModel, function: FunctionInfo, depth: int = 0) -> str:
    """'off' when every way into `function` disables grad (decorator, or every caller's with-block),
    'unknown' when that depends on a runtime value, 'on' otherwise."""
    own = model.function_context(function).grad
    if own != "on" or depth > MAX_CALLER_DEPTH:
        return "off" if depth > MAX_CALLER_DEPTH else own
    edges = model.callers(function)
    if not edges:
        return "on"
    modes = set()
    for edge in edges:
        caller = model.at(edge.caller)
        mode = caller.lexical_grad(edge.caller, edge.call)
        if mode == "on":
            mode = grad_entering(caller, edge.caller, depth + 1)
        modes.add(mode)
    if "on" in modes:
        return "on"
    return "unknown" if "unknown" in modes else "off"


def grad_at(model: LoopModel, event: Event) -> str:
    """The grad mode an event runs under, its function's callers included."""
    if event.context.grad != "on":
        return event.context.grad
    if event.context.chain:
        return "on"  # inlined from a caller whose with-blocks were already applied
    return grad_entering(model, event.context.function)


def eval_mode_reaches(model: LoopModel, function: FunctionInfo, target: Event, subject: Subject | None, depth: int = 0) -> bool:
    """Is `subject` in eval mode when `target` runs: set earlier in the function, or by every caller?"""
    state = _mode_before(model, function, target.node, subject)
    if state is not None:
        return state
    if subject is not None and subject.name.startswith("self.") and function.cls is not None:
        return _eval_set_by_constructor(model, function.cls, subject)
    if _loaded_in_eval_mode(model, subject):
        return True
    if depth > MAX_CALLER_DEPTH:
        return True
    edges = model.callers(function)
    if not edges:
        return False
    for edge in edges:
        at_call = _event_at(model, edge.caller, edge.call.node)
        if at_call is None or not eval_mode_reaches(model, edge.caller, at_call, subject, depth + 1):
            return False
    return True


def _loaded_in_eval_mode(model: LoopModel, subject: Subject | None) -> bool:
    """`from_pretrained` returns a model in eval mode; it stays so unless this file calls train()."""
    binding = subject.binding if subject is not None else None
    if binding is None or not (binding.qualified or "").endswith("from_pretrained"):
        return False
    return not any(
        event.kind in (Kind.TRAIN, Kind.MODE_UNKNOWN) and model.may_be(event.subject, subject)
        for function in model.ir.functions
        for event in model.function_events_flat(function)
    )


def _eval_set_by_constructor(model: LoopModel, cls: ClassInfo, subject: Subject) -> bool:
    """`self.model.eval()` in `__init__`, and no method puts it back in training mode."""
    init = cls.methods.get("__init__")
    if init is None:
        return False
    names = {subject.name}
    for method in cls.methods.values():
        for event in model.function_events_flat(method):
            if event.kind is Kind.TRAIN and event.subject is not None and event.subject.name in names:
                return False
    return any(
        e.kind is Kind.EVAL and e.subject is not None and e.subject.name in names
        for e in model.function_events_flat(init)
    )


def _mode_before(model: LoopModel, function: FunctionInfo, node: object, subject: Subject | None) -> bool | None:
    """True (eval or unknown mode) or False (train mode) as last set before `node` in source order; None if never set."""
    state: bool | None = None
    for event in model.function_events_flat(function):
        if event.node is node:
            return state
        if event.kind in (Kind.EVAL, Kind.TRAIN, Kind.MODE_UNKNOWN) and model.may_be(event.subject, subject):
            state = event.kind is not Kind.TRAIN
    return state


def _event_at(model: LoopModel, function: FunctionInfo, node: object) -> Event | None:
    return next((e for e in model.function_events_flat(function) if e.node is node), None)


def may_hold_mode_layers(model: LoopModel, subject: Subject | None) -> bool:
    """Could the model behave differently in train and eval mode? True when its class cannot be seen."""
    binding = subject.binding if subject is not None else None
    if binding is None:
        return True
    if binding.cls is not None:
        return _class_has_mode_layers(model, binding.cls, frozenset())
    qualified = binding.qualified or ""
    if binding.call is not None and qualified.startswith(("torch.nn.", "nn.")):
        # a built-in layer or container: its arguments say whether dropout or batch norm is inside
        last = qualified.rsplit(".", 1)[-1]
        return last.startswith("Transformer") or bool(_MODE_LAYERS.search(model.code(binding.call.node)))
    return True  # a factory (`resnet18()`, `from_pretrained`) or a constructor we cannot see


def _class_has_mode_layers(model: LoopModel, cls: ClassInfo, seen: frozenset[str]) -> bool:
    if _MODE_LAYERS.search(model.code(cls.node)):
        return True
    for base in cls.bases:
        last = base.rsplit(".", 1)[-1]
        if last in model.ir.classes and last not in seen:
            if _class_has_mode_layers(model, model.ir.classes[last], seen | {cls.name}):
                return True
        elif last not in _MODULE_BASES and last != "object":
            return True  # a base class we cannot see
    for call in cls.constructed:
        last = (call.dotted or "").rsplit(".", 1)[-1]
        if last in model.ir.classes and last not in seen and last != cls.name:
            if _class_has_mode_layers(model, model.ir.classes[last], seen | {cls.name}):
                return True
        elif MODEL_FACTORIES.search(call.dotted or "") or last in ("TransformerEncoderLayer", "TransformerDecoderLayer", "Transformer"):
            return True
    return False
