"""Training state outside the loop: what a checkpoint saves, and when parameters get frozen.

Checkpoints are read from the dict passed to `torch.save` (a literal, or a name built from one and
from subscript assignments); freezes from `p.requires_grad = False` and `requires_grad_(False)`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from loopcheck.model.build import qualify
from loopcheck.model.ir import CallSite, FunctionInfo, Simple
from loopcheck.model.roles import MODEL, OPTIMIZER, SCHEDULER, Binding

if TYPE_CHECKING:
    from loopcheck.model import LoopModel

_PROGRESS_KEY = re.compile(r"(?i)epoch|step|iter")
_ALL_PARAMETERS = re.compile(r"^(self\.)?[A-Za-z_]\w*\.parameters\(\)$")


@dataclass(frozen=True, eq=False)
class Checkpoint:
    save: CallSite
    keys: frozenset[str]
    """The string keys of the saved dict."""
    state_of: frozenset[str]
    """Roles whose `state_dict()` is saved: model, optimizer, scheduler."""
    function: FunctionInfo

    @property
    def resumable(self) -> bool:
        """Saves the model and where training was: a checkpoint meant to resume from."""
        has_model = MODEL in self.state_of or any("model" in k.lower() for k in self.keys)
        return has_model and any(_PROGRESS_KEY.search(k) for k in self.keys)

    def saves(self, role: str) -> bool:
        word = "optim" if role == OPTIMIZER else "sched"
        return role in self.state_of or any(word in k.lower() for k in self.keys)


@dataclass(frozen=True, eq=False)
class Freeze:
    statement: Simple
    model: str
    """The root name of what is frozen (`model` for `model.backbone.requires_grad_(False)`)."""
    function: FunctionInfo


def checkpoints(model: LoopModel) -> list[Checkpoint]:
    found: list[Checkpoint] = []
    for function in model.ir.functions:
        for simple in function.simples:
            for call in simple.calls:
                if qualify(call.dotted, model.ir.imports) != "torch.save" or not call.args:
                    continue
                parts = _saved_dict(function, simple, call)
                if parts is None:
                    continue
                keys, statements = parts
                roles = {
                    model.roles.role(c.receiver, function)
                    for s in statements
                    for c in s.calls
                    if c.method == "state_dict" and c.receiver is not None
                }
                found.append(Checkpoint(call, frozenset(keys), frozenset(r for r in roles if r), function))
    return found


def _saved_dict(function: FunctionInfo, simple: Simple, call: CallSite) -> tuple[set[str], list[Simple]] | None:
    """The keys of the dict `torch.save` writes, and the statements that fill it; None if not a dict."""
    saved = call.args[0].node
    if isinstance(saved, cst.Dict):
        return _literal_keys(saved), [simple]
    if not isinstance(saved, cst.Name):
        return None
    keys: set[str] = set()
    statements: list[Simple] = []
    for assignment in function.assignments:
        if saved.value in assignment.targets and isinstance(assignment.value, cst.Dict):
            keys |= _literal_keys(assignment.value)
            statements.append(assignment)
        elif saved.value in assignment.subscript_targets and isinstance(assignment.node, cst.Assign):
            for target in assignment.node.targets:
                if isinstance(target.target, cst.Subscript):
                    keys |= _subscript_keys(target.target)
            statements.append(assignment)
    return (keys, statements) if statements else None


def _literal_keys(node: cst.Dict) -> set[str]:
    return {
        element.key.evaluated_value
        for element in node.elements
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)
        and isinstance(element.key.evaluated_value, str)
    }


def _subscript_keys(node: cst.Subscript) -> set[str]:
    keys: set[str] = set()
    for element in node.slice:
        index = element.slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            value = index.value.evaluated_value
            if isinstance(value, str):
                keys.add(value)
    return keys


def freezes(model: LoopModel, function: FunctionInfo) -> list[Freeze]:
    found: list[Freeze] = []
    for placed in model.ordered_statements(function):
        simple = placed.simple
        roots: list[str] = []
        for target in simple.targets:
            if target.endswith(".requires_grad") and isinstance(simple.value, cst.Name) and simple.value.value == "False":
                roots.append(_root(target))
        for call in simple.calls:
            first = call.arg(0, "requires_grad")
            if call.method == "requires_grad_" and first is not None and isinstance(first.node, cst.Name) and first.node.value == "False":
                roots.append(call.receiver_root or "")
        for root in roots:
            # `for p in model.backbone.parameters(): p.requires_grad = False` freezes part of `model`
            for loop in reversed(placed.loops):
                if root in loop.targets:
                    root = sorted(loop.iter_names - {"self"})[0] if loop.iter_names - {"self"} else root
                    break
            found.append(Freeze(simple, root, function))
    return found


def _root(dotted: str) -> str:
    """`model` for `model.fc.weight`, `self.model` for `self.model.fc.weight`."""
    parts = dotted.split(".")
    return ".".join(parts[:2]) if parts[0] == "self" and len(parts) > 1 else parts[0]


def optimizer_over_all_parameters(model: LoopModel, function: FunctionInfo) -> list[tuple[Binding, str]]:
    """Optimizers this function builds over every parameter of a model: (binding, model name)."""
    built: list[tuple[Binding, str]] = []
    for assignment in function.assignments:
        call = assignment.value_call
        if call is None:
            continue
        for target in assignment.targets:
            binding = model.binding(target, function)
            if binding is None or binding.role != OPTIMIZER or binding.statement is not assignment:
                continue
            params = call.arg(0, "params")
            if params is not None and _ALL_PARAMETERS.match(model.code(params.node)):
                built.append((binding, _root(model.code(params.node))))
    return built


def bindings_with_role(model: LoopModel, role: str) -> list[Binding]:
    """Every object of this role the file builds, in any function, method or at module level."""
    tables = [*model.roles.local.values(), *model.roles.attributes.values()]
    return [b for table in tables for bindings in table.values() for b in bindings if b.role == role]
