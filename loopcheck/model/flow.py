"""Events of training code and the orders they run in.

A call becomes an event (backward, optimizer step, gradient reset, scheduler step, ...) once
roles are known. Calls of project functions, in this file or another, are inlined, so a
`train_one_epoch(...)` call inside an epoch loop brings its batch loop along. A loop body becomes
a program (program.py): `if`/`else` arms are alternatives, `continue`/`break`/`return` leave,
`finally` always runs; every list of events is read off that one program.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from enum import Enum
from typing import TYPE_CHECKING, Iterable, Iterator

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model.build import NOT_LITERAL, callee_last_name, dotted_name, grad_mode_of, literal_value, qualify, sets_eval_for_block
from loopcheck.model.ir import Block, Branch, CallSite, ClassInfo, FunctionInfo, Loop, Simple, Try, With, all_statements
from loopcheck.model.program import EMPTY, Attempt, Choice, Emit, Enter, Jump, Node, Repeat, Sequence, children, choice, events_of
from loopcheck.model.roles import (
    MODEL, OPTIMIZER, RETURNS_SELF, SCALER, SCHEDULER, Binding, classify_constructor, role_from_name, without_module,
)
from loopcheck.model.text import expression_text
from loopcheck.records import Frozen, Value, _set

if TYPE_CHECKING:
    from loopcheck.model import LoopModel

MAX_INLINE_DEPTH = 4

CLIP_METHODS = frozenset({"clip_grad_norm_", "clip_grad_value_", "clip_grad_norm", "clip_grad_value"})
RESET_WORDS = ("zero_grad", "clear_grad", "reset_grad")
MODE_METHOD = lazy(r"^(set_)?(train|training|eval)(_mode)?$")
"""`model.set_training_mode(False)`, `policy.train_mode(True)`: a mode switch under another name."""
# Builtins and logging calls that receive a model or optimizer without touching its gradients.
INERT_CALLS = frozenset(
    {"print", "len", "isinstance", "getattr", "setattr", "hasattr", "id", "type", "repr", "str", "format",
     "info", "debug", "warning", "log", "add_scalar", "add_scalars", "set_postfix", "write",
     # builtins and list methods that only hold or arrange what they are given (not `map`/`sorted`,
     # which call a function they are given)
     "zip", "enumerate", "list", "tuple", "set", "dict", "reversed", "iter", "range", "vars", "callable",
     "append", "extend", "insert"}
)


class Kind(str, Enum):
    BACKWARD = "backward"
    DIFFERENTIATE = "gradient computation"
    """`torch.autograd.grad(...)`: needs the graph like backward(), but fills no `.grad`."""
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
    """Code we cannot see receives the model or optimizer."""
    UNFOLLOWED = "unfollowed call"
    """A project function called deeper than calls are inlined: code we could see but did not."""
    LOOP = "loop"
    CALL = "local call"
    """Entering a project function; its own events follow."""


@dataclass(init=False, eq=False, repr=False)
class Subject(Frozen):
    """An object the events act on: a binding when its construction is known, else a name in a function."""

    key: object
    name: str
    role: str | None
    binding: Binding | None
    function: FunctionInfo
    collection: object = None
    """For an element of a dict or list of optimizers (`optimizers["g"]`, or `opt` in a loop over
    them): the key of the container's binding."""

    def __init__(
        self,
        key: object,
        name: str,
        role: str | None,
        binding: Binding | None,
        function: FunctionInfo,
        collection: object = None,
    ) -> None:
        _set(self, "key", key)
        _set(self, "name", name)
        _set(self, "role", role)
        _set(self, "binding", binding)
        _set(self, "function", function)
        _set(self, "collection", collection)

    def may_be(self, other: Subject | None) -> bool:
        """Could both refer to the same object? Unknown objects seen from different functions may."""
        if other is None:
            return True
        if self.collection is not None or other.collection is not None:
            if self.collection is other.collection or self.collection == other.collection:
                return self.key == other.key or "*" in (_element_of(self), _element_of(other))
            return self.binding is None or other.binding is None
        if self.binding is not None and other.binding is not None:
            return self.binding is other.binding or _names_other(self, other) or _names_other(other, self)
        if self.function is other.function:
            return self.name == other.name
        return True


def _names_callables(binding: Binding | None) -> bool:
    """Is the name bound to a dict, list or tuple display of plain names (`{"cnn": TextCNN, "rnn":
    TextRNN}`): classes or functions to pick from, not modules already built?"""
    value = binding.statement.value if binding is not None else None
    if isinstance(value, cst.Dict):
        items = [element.value for element in value.elements if isinstance(element, cst.DictElement)]
    elif isinstance(value, (cst.List, cst.Tuple)):
        items = [element.value for element in value.elements]
    else:
        return False
    return bool(items) and all(dotted_name(item) is not None for item in items)


def left_by_break(loop: Loop, after: Block) -> bool:
    """Is the `while` loop left only by a `break` (or a return or raise): `while True:`, or a test
    whose failing is met at once by a raise or return (`while chunk_size != 0: try: ...; break
    except RuntimeError: chunk_size //= 2`, then `if not chunk_size: raise ...`: a run that gives
    up never goes on past the test)?"""
    if not isinstance(loop.node, cst.While) or loop.orelse:
        return False
    test = loop.iter_text.strip()
    if test in ("True", "1"):
        return True
    if not _LOOP_TEST_NAME.fullmatch(test.removeprefix("not ").split(" ", 1)[0]):
        return False
    for stmt in after:
        if isinstance(stmt, Branch):
            first = stmt.arms[0] if stmt.arms else []
            last = first[-1] if first else None
            return (
                negates(stmt.test, test) and (len(stmt.arms) == 1 or not stmt.arms[1])
                and isinstance(last, Simple) and last.jump in ("raise", "return")
            )
        if not isinstance(stmt, Simple) or stmt.jump is not None or set(stmt.targets) & set(loop.iter_names):
            return False
    return False


_LOOP_TEST_NAME = lazy(r"[A-Za-z_][\w.]*")


def negates(one: str, other: str) -> bool:
    """Is the test `one` the negation of `other`, spelled either way: `not x` of `x`, `x == c` of
    `x != c`, `not x` (or `x == 0`) of `x != 0`, `x is None` of `x is not None`? Read as Python
    reads them (parentheses and spacing aside); a test that does not parse negates nothing."""
    def spelled(tree: ast.expr) -> tuple[str, bool]:
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not):
            core, truth = spelled(tree.operand)
            return core, not truth
        if isinstance(tree, ast.Compare) and len(tree.ops) == 1:
            left, op, right = tree.left, tree.ops[0], tree.comparators[0]
            zero = isinstance(right, ast.Constant) and right.value == 0 and type(right.value) is int
            if zero and isinstance(op, (ast.Eq, ast.NotEq)):
                return ast.unparse(left), isinstance(op, ast.NotEq)  # (`x != 0`: `x` as a number)
            if isinstance(right, ast.Constant) and right.value is None and isinstance(op, (ast.Is, ast.IsNot)):
                return f"{ast.unparse(left)} is None", isinstance(op, ast.Is)
            if isinstance(op, (ast.Eq, ast.NotEq)):
                return f"{ast.unparse(left)} == {ast.unparse(right)}", isinstance(op, ast.Eq)
        return ast.unparse(tree), True

    try:
        first, second = (spelled(ast.parse(test.strip(), mode="eval").body) for test in (one, other))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return first[0] == second[0] and first[1] != second[1]


def _names_other(one: Subject, other: Subject) -> bool:
    """Is `one` bound as another name of `other` (`self.ptr = self.network`, or its `.module` when
    wrapped), or as a wrapper around it (`parallel = nn.DataParallel(model)`)? One object either way."""
    binding = one.binding
    return binding is not None and other.name in (without_module(binding.alias or ""), binding.wraps)


@dataclass(init=False, eq=False, repr=False)
class Context(Value):
    """Where an event happens: the function, the grad mode around it, the calls that led there."""

    function: FunctionInfo
    grad: str = "on"
    """'on', 'off' or 'unknown': lexical grad mode, including decorators and callers' with-blocks."""
    chain: tuple[CallSite, ...] = ()
    """Calls inlined to reach this point, outermost first."""
    guards: tuple[str, ...] = ()
    """The conditions of the if-arms around this point, `not (...)` for else-arms."""
    callers: tuple[FunctionInfo, ...] = ()
    """The function each call of `chain` is made in."""
    constants: tuple[tuple[str, object], ...] = ()
    """Parameters whose value is known here (`run_epoch(..., train=False)`): tests on them are decided."""

    def __init__(
        self,
        function: FunctionInfo,
        grad: str = "on",
        chain: tuple[CallSite, ...] = (),
        guards: tuple[str, ...] = (),
        callers: tuple[FunctionInfo, ...] = (),
        constants: tuple[tuple[str, object], ...] = (),
    ) -> None:
        _set(self, "function", function)
        _set(self, "grad", grad)
        _set(self, "chain", chain)
        _set(self, "guards", guards)
        _set(self, "callers", callers)
        _set(self, "constants", constants)

    def _values(self) -> tuple[object, ...]:
        return (self.function, self.grad, self.chain, self.guards, self.callers, self.constants)


@dataclass(init=False, eq=False, repr=False)
class Event(Frozen):
    """One thing a training loop does (a backward, a step, a reset, a mode switch), in its context."""

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

    def __init__(
        self,
        kind: Kind,
        node: cst.CSTNode,
        context: Context,
        subject: Subject | None = None,
        call: CallSite | None = None,
        loop: Loop | None = None,
        contents: tuple[Event, ...] = (),
        argument: Subject | None = None,
    ) -> None:
        _set(self, "kind", kind)
        _set(self, "node", node)
        _set(self, "context", context)
        _set(self, "subject", subject)
        _set(self, "call", call)
        _set(self, "loop", loop)
        _set(self, "contents", contents)
        _set(self, "argument", argument)

    def subject_name(self, default: str) -> str:
        """How messages name what the event acts on: `optimizer_g`, or `default` when unknown."""
        return self.subject.name if self.subject is not None else default

    def flatten(self) -> Iterator[Event]:
        yield self
        for inner in self.contents:
            yield from inner.flatten()


_LIBRARY_FORWARDS = {"monai": frozenset({"sliding_window_inference"})}
"""Library functions that run a model they are handed on data, with no mode or grad switch of their own."""


_RUNNING_METHOD = lazy(r"(?i)^(run|fit|train|evaluate|eval_|validate|test|predict|infer)")
"""Methods by which a library object (an engine, a trainer, an evaluator) runs the model it holds."""


_CODING_METHODS = frozenset({"encode", "decode", "embed", "reconstruct"})
"""Methods of an autoencoder-like model that run its layers (see `_coding_method_of_unseen_model`)."""
_UNPICKLING = frozenset({"torch.load", "torch.jit.load"})
"""Calls that bring back a whole pickled model, whose class is not seen where it is loaded."""
_MODULE_API = frozenset({
    "to", "cuda", "cpu", "half", "float", "double", "bfloat16", "type", "apply", "load_state_dict", "state_dict",
    "parameters", "named_parameters", "buffers", "named_buffers", "children", "named_children", "modules",
    "named_modules", "zero_grad", "requires_grad_", "register_buffer", "register_parameter", "add_module",
    "register_module", "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
    "register_backward_hook", "share_memory", "extra_repr", "get_submodule", "get_parameter", "forward",
    "eval", "train", "load", "save", "item", "size",
})
"""Methods of torch.nn.Module (and a few of any object) whose effect on the mode is known."""
_MODULE_WEIGHT_METHODS = frozenset({"load_state_dict", "parameters", "named_parameters", "state_dict", "named_modules", "modules"})
"""Methods of a torch module's weights and parts, which a tokenizer or a library codec has none of."""


def _used_as_module(binding: Binding) -> bool:
    """Is the object, in the function that builds it, used as only a torch module is
    (`model.load_state_dict(...)`, `model.parameters()`, `model.eval()`)?"""
    name = binding.name
    for simple in binding.function.simples:
        for call in simple.calls:
            if call.receiver != name or call.method is None:
                continue
            if call.method in _MODULE_WEIGHT_METHODS or (call.method == "eval" and not call.args):
                return True
    return False


_MODULE_ONLY_METHODS = frozenset({
    "parameters", "named_parameters", "state_dict", "load_state_dict", "eval", "train", "modules",
    "named_modules", "children", "named_children", "zero_grad", "register_forward_hook", "apply",
})
"""Methods of a module that a tensor does not have."""


def _calls_making_modules(function: FunctionInfo) -> frozenset[int]:
    """ids of the calls whose result the function binds to a name it then uses as a module
    (`net = backbone(...).to(device)`, later `net.parameters()`)."""
    used = {
        c.receiver for simple in function.simples for c in simple.calls
        if c.receiver is not None and c.method in _MODULE_ONLY_METHODS
    }
    found: set[int] = set()
    for simple in function.simples if used else ():
        if simple.value is None or not any(target in used for target in simple.targets):
            continue
        value = simple.value
        while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and isinstance(value.func.value, cst.Call):
            value = value.func.value  # `backbone(...).to(device)`
        found.add(id(value))
    return frozenset(found)


_SCHEDULER_API = frozenset({
    "step", "get_last_lr", "get_lr", "state_dict", "load_state_dict", "print_lr", "step_update", "get_epoch_values",
    "get_update_values", "step_ReduceLROnPlateau", "_get_closed_form_lr", "_format_param", "_initial_step",
})
"""The methods learning-rate schedulers of torch (and timm, and the usual warm-up wrappers) have."""


class Flow:
    """Classifies calls into events and builds programs, inlining calls of project functions."""

    def __init__(self, model: LoopModel) -> None:
        self.model = model
        self._whole_classes: list[ClassInfo] | None = None
        self._module_makers: dict[int, frozenset[int]] = {}
        self._constants: dict[str, object] | None = None
        self._tests: dict[str, str] = {}

    def test_text(self, test: str) -> str:
        """An if-test as the program correlates it: the script's constants written as their values
        (`phase == TRAIN`, with `TRAIN = 'Train'` at the top of the script, is `phase == 'Train'`,
        the same test as the one written with the literal)."""
        found = self._tests.get(test)
        if found is None:
            found = self._tests[test] = _with_constants(test, self._module_constants())
        return found

    def _every_time(self, test: str, function: FunctionInfo) -> bool | None:
        """`(step + 1) % accumulation_steps == 0` with `accumulation_steps = 1` at the script's top
        level (and neither a parameter nor a local of the function): a cadence of one, decided as
        `% 1` is; None for any other test."""
        constants = {
            name: value for name, value in self._module_constants().items()
            if value == 1 and not isinstance(value, bool) and (function.name == "<module>" or (
                name not in function.params and not any(name in simple.targets for simple in function.assignments)
            ))
        }
        if not constants:
            return None
        text = _with_constants(test, constants)
        return decide(text, ()) if text != test and _EVERY_TIME.search(text) else None

    def module_constant(self, name: str) -> object:
        """The literal a name the script binds once at its top level holds (see `_module_constants`);
        None for any other name."""
        return self._module_constants().get(name)

    def _module_constants(self) -> dict[str, object]:
        """Names the script binds once, at its top level, to a string or number, and that no loop,
        `global` or other assignment rebinds."""
        if self._constants is None:
            top = self.model.ir.top
            declared = {name for function in self.model.ir.functions for name in function.declared_global}
            constants: dict[str, object] = {}
            for name in {target for simple in top.simples for target in simple.targets} - declared:
                value = _bound_once(top, name)
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    constants[name] = value
            self._constants = constants
        return self._constants

    # classification ---------------------------------------------------------------------

    def subject(self, name: str | None, function: FunctionInfo, at: cst.CSTNode | None = None) -> Subject | None:
        """The subject of a name in a function; with `at`, a statement of that function, the binding
        in force there (a script that builds `optimizer` again for its second model)."""
        if name is None:
            return None
        binding = self.model.binding_at(name, function, at) if at is not None else self.model.binding(name, function)
        if binding is None and "." not in name:
            loop = next((loop for loop in function.loops if name in loop.targets), None)
            container = _iterated_container(loop.iter_text) if loop is not None else None
            # (`for opt in self.optimizers: opt.zero_grad()` of a list whose construction is not
            # seen, used as optimizers: any element of that container, as another loop's `for i,
            # opt_i in enumerate(self.optimizers): ... opt_i.step()` is one)
            if container is not None:
                used_as = OPTIMIZER if self.model.roles.role(name, function) == OPTIMIZER else None
                element = self.element_subject(container, "*", name, function, used_as)
                if element is not None:
                    return element
            # (an element of a container whose elements' role is not known is a name like any
            # other: `for model in models: helper(model)`, the helper's `model.eval()` acts on it)
        role = self.model.roles.role(name, function, binding)
        key: object = binding if binding is not None and binding.role is not None else (id(function), name)
        return Subject(key=key, name=name, role=role, binding=binding, function=function)

    def subject_in(self, name: str | None, context: Context, at: cst.CSTNode | None = None) -> Subject | None:
        """The subject of a name where an event happens. Inside an inlined call, a parameter stands
        for the argument the call passes (and `self` for the receiver): the helper's `model.eval()`
        acts on the caller's `eval_model`, not on whatever else the caller names `model`."""
        if name is None or not context.chain:
            return self.subject(name, context.function, at)
        function = context.function
        head, dot, rest = name.partition(".")
        call, caller = context.chain[-1], context.callers[-1]
        outer = Context(caller, context.grad, context.chain[:-1], context.guards, context.callers[:-1])
        argument: str | None = None
        if head == "self" and function.cls is not None and function.params[:1] == ("self",):
            argument = call.receiver if call.receiver is not None and call.method == function.name else None
        elif head in function.params:
            index = function.argument_index(head)
            arg = call.arg(index, head) if index >= 0 else None
            argument = arg.dotted if arg is not None else None
        if argument is None and head == "self" and "self" not in function.params:
            # `self` inside a closure that a method returned (`train_step = model.trainer(...)`):
            # the receiver of the call that made the closure
            made = self.model.at(caller).binding(call.dotted, caller) if call.dotted and "." not in call.dotted else None
            if made is not None and made.call is not None and made.call.receiver is not None:
                argument = made.call.receiver
        if argument is None or self._rebound_here(head, function):
            return self.subject(name, function, at)
        mapped = self.model.at(caller).flow.subject_in(argument + dot + rest, outer, call.node)
        if mapped is not None and mapped.role is None:
            # what the helper does with it (`self.net.parameters()`) says what it is
            local = self.subject(name, function)
            if local is not None and local.role is not None:
                return replace(mapped, role=local.role)
        return mapped

    def _rebound_here(self, name: str, function: FunctionInfo) -> bool:
        return rebinds(self.model.binding(name, function), name, function)

    def element_subject(
        self, container: str, element: str, name: str, function: FunctionInfo, used_as: str | None = None
    ) -> Subject | None:
        """An element of a container built as a literal of optimizers (or schedulers, models):
        `optimizers["g"]`, or `element="*"` for any element (a loop over the container). `used_as`:
        the role the element's uses give it, when the container's construction tells none."""
        role, binding = self.model.element_role(container, function)
        if role is None and used_as is not None:
            role, binding = used_as, self.model.binding(container, function)
        if role is None:
            return None
        collection = binding if binding is not None else (id(function), container)
        return Subject(key=(collection, element), name=name, role=role, binding=None, function=function, collection=collection)

    def _optimizer_subclass_step(self, call: CallSite, target: FunctionInfo) -> bool:
        """`opt.step()` of a torch Optimizer subclass (a hand-written AdamW, K-FAC stepping an SGD
        it holds over the same parameters): the step of `opt`, which its inherited zero_grad()
        resets, not a helper to follow."""
        return (
            call.method == "step" and target.cls is not None and "zero_grad" not in target.cls.methods
            and self.model.is_torch_optimizer_subclass(target.cls)
        )

    @cached_property
    def _hand_made_schedules(self) -> frozenset[str]:
        """The receivers no learning-rate scheduler can be, by what the file does with them: a
        `step()` whose result it keeps (`self.epsilon = self.epsilon_scheduler.step()`: a torch
        scheduler's step returns nothing), or a method no scheduler of torch (or timm) has
        (`self.lr_scheduler.get_value()`). Whatever its name, such an object schedules some value
        by hand (an exploration rate, a priority exponent, a rate it writes into the groups
        itself), not through the optimizer's schedule (unless it is built as a library scheduler)."""
        found: set[str] = set()
        for function in self.model.ir.functions:
            for simple in function.simples:
                made = simple.value_call
                if simple.targets and made is not None and made.node is simple.value and made.method == "step" and made.receiver:
                    found.add(made.receiver)
                found.update(
                    call.receiver for call in simple.calls
                    if call.receiver and call.method and call.method not in _SCHEDULER_API and role_from_name(call.receiver) == SCHEDULER
                )
        return frozenset(found)

    def _scheduler_subclass_step(self, call: CallSite, target: FunctionInfo) -> bool:
        """`scheduler.step()` of a torch learning-rate scheduler subclass that writes its own `step`
        (a warm-up schedule setting each group's rate): the step of that schedule, as the
        inherited one is, not a helper to follow."""
        return call.method == "step" and target.cls is not None and self.model.at_class(target.cls).is_scheduler_class(target.cls)

    def events_of_call(self, call: CallSite, context: Context) -> list[Event]:
        """The events of one call that is not inlined (inlined calls are the program's business)."""
        function = context.function
        method = call.method
        resolved = self.model.resolve_call(call, function) if method != "backward" else None
        if resolved is not None and not self._optimizer_subclass_step(call, resolved) and not self._scheduler_subclass_step(call, resolved):
            return [Event(Kind.UNFOLLOWED, call.node, context, call=call)]
        if method == "backward":
            return [Event(Kind.BACKWARD, call.node, context, call=call)]
        if self.model.at(function).takes_gradients(call):
            return [Event(Kind.DIFFERENTIATE, call.node, context, call=call)]
        if sets_eval_for_block(call, self.model.ir.imports):
            # `with eval_mode(model, head):` switches each module it is given (the block's end
            # puts them back: see `program`)
            return [Event(Kind.EVAL, call.node, context, subject=subject, call=call) for subject in self._block_modules(call, context)]
        receiver = self.subject_in(call.receiver, context, at=call.node)
        if receiver is None and call.element is not None:
            receiver = self.element_subject(call.element[0], call.element[1], call.element[1], function)
        role = receiver.role if receiver is not None else None
        if method == "step" and receiver is not None:
            if role == SCALER:
                first = call.arg(0)
                optimizer = self.subject_in(first.dotted if first else None, context, at=call.node)
                return [Event(Kind.STEP, call.node, context, subject=optimizer, call=call)]
            if role == OPTIMIZER:
                return [Event(Kind.STEP, call.node, context, subject=receiver, call=call)]
            if role == SCHEDULER and (
                call.receiver not in self._hand_made_schedules
                or (receiver.binding is not None and classify_constructor(receiver.binding.qualified) == SCHEDULER)
            ):
                return [Event(Kind.SCHEDULER_STEP, call.node, context, subject=receiver, call=call)]
            return []
        if method is not None and any(word in method for word in RESET_WORDS):
            if role == OPTIMIZER:
                return [Event(Kind.RESET, call.node, context, subject=receiver, call=call)]
            return [Event(Kind.RESET, call.node, context, argument=receiver, call=call)]
        if method == "unscale_":
            first = call.arg(0)
            return [Event(Kind.UNSCALE, call.node, context, subject=self.subject_in(first.dotted if first else None, context, at=call.node), call=call)]
        if method in CLIP_METHODS:
            return [Event(Kind.CLIP, call.node, context, call=call)]
        if method is not None and MODE_METHOD.match(method) and not (method == "eval" and call.args):
            # (`evaluator.eval(results)` computes metrics: Module.eval() takes no argument)
            elements = _literal_loop_elements(call, function) if method in ("eval", "train") else None
            if elements:
                # `for m in (encoder, head): m.eval()`, `[x.train() for x in (net, head)]`: each one
                switched = [self.subject_in(name, context, at=call.node) for name in elements]
                return [self._mode_event(call, context, subject) for subject in switched if subject is not None]
            chained = self.subject_in(_chain_receiver(call), context, at=call.node)
            if chained is not None and chained.collection is None and _container_loop_element(call, function):
                chained = None  # (this very function loops over a container it cannot list: see below)
            if chained is not None and chained.role in (MODEL, None) and not self._project_method(chained, method):
                event = self._mode_event(call, context, chained)
                if method in ("eval", "train") or (event.kind is not Kind.MODE_UNKNOWN and call.args):
                    return [event]
            if chained is None and method == "eval" and not call.args and _container_loop_element(call, function):
                # `for _, m in self.model_dict.items(): m.eval()`: each element of a container we
                # cannot list is put in eval mode; which modules they are is unknown, and so is the
                # mode of any model after it (a `train()` of such elements changes nothing we know)
                return [Event(Kind.MODE_UNKNOWN, call.node, context, call=call)]
        commanded = self._mode_command_out_of_sight(call, context) if method is not None else None
        if commanded is not None:
            # `net.set_mode('test')` on a net whose class cannot be read, where the project's own
            # module classes define `set_mode` to switch their mode: the mode after it is unknown
            return [Event(Kind.MODE_UNKNOWN, call.node, context, subject=commanded, call=call)]
        called_model = self.model_called(call, function, context)
        if called_model is not None and called_model.binding is None:
            elements = _literal_loop_elements(call, function, call.dotted) if call.dotted else None
            if elements:
                # `for model in [model_1, model_2]: logits = model(images)`: runs each of them
                each = [self.subject_in(name, context, at=call.node) for name in elements]
                runs = [subject for subject in each if subject is not None and subject.role in (MODEL, None)]
                if runs and len(runs) == len(each):
                    return [Event(Kind.MODEL_CALL, call.node, context, subject=subject, call=call) for subject in runs]
        if called_model is not None:
            forward = Event(Kind.MODEL_CALL, call.node, context, subject=called_model, call=call)
            if self._forward_resets_itself(called_model):
                # `def forward(self, x, y): self.zero_grad(); ...`: running it clears its gradients
                return [Event(Kind.RESET, call.node, context, argument=called_model, call=call), forward]
            return [forward]
        held = self._run_by_library_object(call, context)
        if held is not None:
            return [Event(Kind.MODE_UNKNOWN, call.node, context, subject=held, call=call)]
        if method not in INERT_CALLS and not self._builds_torch_object(call) and self.passes_training_object(call, function):
            return [Event(Kind.OPAQUE, call.node, context, call=call)]
        return []

    def _mode_command_out_of_sight(self, call: CallSite, context: Context) -> Subject | None:
        """The model a call of one of its methods may switch the mode of (`net.set_mode('test')`), on
        a model whose class cannot be read (built by a class imported from where the project has no
        code, or from a file that does not parse),
        naming a method that some module class of the project defines to call `self.eval()` or
        `self.train()`. The project's own convention is all that is known of it."""
        method = call.method
        if (
            call.receiver is None or call.inner is not None or method is None or method.startswith("__")
            or method in _MODULE_API or not isinstance(call.node, cst.Call)
        ):
            return None
        subject = self.subject_in(call.receiver, context, at=call.node)
        binding = subject.binding if subject is not None else None
        if subject is None or subject.role != MODEL or binding is None or binding.cls is not None or binding.classes:
            return None
        if binding.call is None or (binding.qualified or "").startswith(("torch.", "nn.", "torchvision.")):
            return None
        word = re.escape(method)
        switching = (
            rf"(?m)^[ \t]+def {word}\(self\b[^\n]*\n(?:(?![ \t]+def )[^\n]*\n){{0,40}}?[ \t]+self\.(?:eval|train)\("
        )
        return subject if self.model.project.mentions(switching) else None

    def _forward_resets_itself(self, subject: Subject) -> bool:
        """Does the model's project class run `self.zero_grad()` in its forward on every path (at
        the forward's top level, under no test and in no loop)?"""
        binding = subject.binding
        cls = binding.cls if binding is not None else None
        if cls is None:
            return False
        forward = self.model.method_of(cls, "forward")
        if forward is None:
            return False
        return any(
            isinstance(stmt, Simple) and any(c.dotted == "self.zero_grad" and not c.args for c in stmt.calls)
            for stmt in forward.body
        )

    def _imported_model(self, name: str, function: FunctionInfo) -> bool:
        """`from models.gan import netG`: a model another file of the project builds at its top level."""
        if name not in self.model.ir.import_refs:
            return False
        bound = self.model.binding(name, function)
        return bound is not None and bound.role == MODEL and self.model.at(bound.function) is not self.model

    def model_called(self, call: CallSite, function: FunctionInfo, context: Context | None = None) -> Subject | None:
        """The model a call runs forward on: `model(x)`, `self.net(x)`, `model.forward(x)`, a part of a
        module container (`self.blocks[i](x)`); never a class."""
        if call.dotted is None and call.inner is None and isinstance(call.node.func, cst.Subscript):
            # `self.s[index](xa)` in a model's method: a part held in its ModuleList / ModuleDict (an
            # element of a list of models a loader handed back, `models[0](x)`, is in a mode set
            # out of sight)
            base = dotted_name(call.node.func.value)
            if base is None or not base.startswith("self.") or function.cls is None or not self.model.is_module_class(function.cls):
                return None
            if base.rsplit(".", 1)[-1][:1].isupper() or _names_callables(self.model.binding(base, function)):
                return None  # `self.models[name]()`, `self.Model[0](envs)`: a class (or factory) picked, built
            callee = self.subject_in(base, context, at=call.node) if context is not None else self.subject(base, function)
            return callee if callee is not None and callee.role == MODEL else None
        if call.dotted is None or call.inner is not None:
            return None
        handed = self._run_by_library_function(call, function, context)
        if handed is not None:
            return handed
        name = call.dotted[: -len(".forward")] if call.dotted.endswith(".forward") else call.dotted
        wrapper = self._wrapper_of(name, function, context, call.node)
        if wrapper is not None:
            return wrapper  # `generator.module(x)`: the model a DataParallel/DistributedDataParallel wrapper holds
        last = name.rsplit(".", 1)[-1]
        if ("." not in name and last in self.model.ir.classes) or isinstance(self.model.definition(name, function), ClassInfo):
            return None  # constructing a module is not running it (`self.GCN(x, a)` runs the part it holds)
        if last[:1].isupper() and self.model.binding(name, function) is None and not call.dotted.endswith(".forward"):
            # `Net(...)` of a class we cannot see; `G_AB(x)` of a bound model is a forward, and so is
            # `PINN.forward(x)`: a class's forward is not called without an instance
            return None
        if "." not in name and (name in self.model.ir.import_refs or self.model.definition(name, function) is not None):
            # an imported or defined name is a function such as `fixed_init_model`, not a model object;
            # but `import model` then `model = model.RNNModel(...)` rebinds a module's name to a model,
            # and so does `model = nn.Linear(...)` below a script's own `def model(xb):`
            defined = self.model.definition(name, function)
            rebound = isinstance(defined, FunctionInfo) and self.model.rebound_before(name, function, defined.node, call.node)
            if not rebound and not (self._imported_module(name, function) and self.model.binding(name, function) is not None) and not self._imported_model(name, function):
                return None
        if "." in name and _FUNCTION_VERB.match(last) and self.model.binding(name, function) is None:
            return None  # `onnx.checker.check_model(proto)`: a function named for what it does to a model
        head = name.split(".", 1)[0]
        if "." in name and head in self.model.ir.import_refs and self.model.definition(head, function) is None and (
            self.model.roles.lookup(head, function) is None and self.model.binding(name, function) is None
        ):
            # `SerializationTool.serialize_model(net)`: a function of a library import, whatever its
            # name ends with (what an installed library's attribute is cannot be seen)
            return None
        if name == "self" and function.cls is not None and self.model.is_module_class(function.cls):
            # `self(x)` in a model's own method runs its forward
            own = self.subject("self", function)
            return replace(own, role=MODEL) if own is not None else None
        callee = self.subject_in(name, context, at=call.node) if context is not None else self.subject(name, function)
        if callee is not None and callee.role != MODEL and callee.function is function:
            # a script's name bound again with another kind of value (`model = MLP(...)` of a
            # hand-written class in one cell, `model = MLPModel()` in a later one): the assignment
            # in force here, the last above the call
            reaching = self.model.in_force(
                name, function, call, callee.binding, lambda current: self.model.roles.role(name, function, current) == MODEL
            )
            if reaching is not callee.binding:
                callee = replace(callee, key=reaching, role=MODEL, binding=reaching)
        # `model.generate(ids)` on a class we cannot see is not taken for a forward: libraries run
        # such methods under no_grad or in eval mode themselves (project classes are followed).
        if callee is None or callee.role != MODEL or self._makes_a_module(call, function):
            return None
        unseen = callee.binding is None and ("." in name or name not in function.params)
        if unseen and self._handed_a_model(call, callee, context, function):
            # `administrator.set_model(model)`: an attribute of an object whose class is out of sight,
            # a model only by its wording, handed a model: forwards run on data, so this call acts
            # on the model it is given (stores, registers, wraps it) and runs nothing; so does a
            # plain name bound out of sight (`round_model(model, device, loader)` of a star import)
            return None
        return callee

    def _run_by_library_function(self, call: CallSite, function: FunctionInfo, context: Context | None) -> Subject | None:
        """`sliding_window_inference(x, roi, 4, model)`: a library function that runs the model it is
        given forward on the data, as it is (in the mode and grad mode the caller left): a forward
        of that model."""
        qualified = qualify(call.dotted, self.model.ir.imports) or ""
        if qualified.rsplit(".", 1)[-1] not in _LIBRARY_FORWARDS.get(qualified.split(".", 1)[0], ()):
            return None
        for arg in call.args:
            if arg.dotted is None:
                continue
            given = self.subject_in(arg.dotted, context, at=call.node) if context is not None else self.subject(arg.dotted, function)
            if given is not None and given.role == MODEL:
                return given
        return None

    def _handed_a_model(self, call: CallSite, callee: Subject, context: Context | None, function: FunctionInfo) -> bool:
        """Is one of the call's arguments a model other than the callee (a name or attribute)?"""
        for arg in call.args:
            if arg.dotted is None or arg.dotted == callee.name:
                continue
            given = self.subject_in(arg.dotted, context, at=call.node) if context is not None else self.subject(arg.dotted, function)
            if given is not None and given.role == MODEL and given.binding is not None:
                return True
        return False

    def _makes_a_module(self, call: CallSite, function: FunctionInfo) -> bool:
        """Is what the call returns used as a module (`net = config.backbone(pretrained=True)` then
        `net.parameters()`, `densenet = densenet()` then `densenet.load_state_dict(...)`)? A forward
        returns tensors, which have no parameters, state dict or mode: the call built a model."""
        made = self._module_makers.get(id(function))
        if made is None:
            made = self._module_makers[id(function)] = _calls_making_modules(function)
        return id(call.node) in made

    def functions_passed(self, name: str, function: FunctionInfo, depth: int = 2) -> bool:
        """Does every caller pass the parameter a function defined in the project (`def gru(inputs,
        state, params)`), directly or through a parameter of its own? False when there is no caller."""
        edges = self.model.callers(function)
        if not edges or depth <= 0:
            return False
        for edge in edges:
            passed = dict(arguments_passed(function, edge.call)).get(name)
            if passed is None or "." in passed:
                return False
            caller = self.model.at(edge.caller)
            if isinstance(caller.definition(passed, edge.caller), FunctionInfo) and caller.binding(passed, edge.caller) is None:
                continue
            if passed in edge.caller.params and caller.flow.functions_passed(passed, edge.caller, depth - 1):
                continue
            return False
        return True

    def _project_method(self, receiver: Subject, method: str) -> bool:
        """`trainer.train(epoch)` on an instance of a project class that is no module and defines
        the method: a call of that method, not a switch of mode."""
        cls = receiver.binding.cls if receiver.binding is not None else None
        if cls is None or self.model.is_module_class(cls):
            return False
        return self.model.method_of(cls, method) is not None

    def _imported_module(self, name: str, function: FunctionInfo) -> bool:
        """Is the name's import a module (`import model`), not a function or class taken from one?"""
        ref = self.model.ir.import_refs.get(name)
        if ref is None:
            return False
        from loopcheck.model import LoopModel

        return ref.name is None or isinstance(self.model.definition(name, function), LoopModel)

    def _block_modules(self, call: CallSite, context: Context) -> list[Subject]:
        """The modules a mode-setting context manager is given (its positional arguments)."""
        named = (self.subject_in(a.dotted, context, at=call.node) for a in call.args if a.keyword is None and a.dotted)
        return [subject for subject in named if subject is not None]

    def _modes_set_by_constructor(self, call: CallSite, context: Context) -> list[Event]:
        """The mode switches a project class's `__init__` makes, in its own statements, on the
        modules passed to it (`def __init__(self, net, path): ...; net.eval()`), as events on the
        arguments the construction passes, at the construction."""
        init = self.model.resolve_call(call, context.function, constructors=True)
        if init is None or init.name != "__init__" or init.cls is None or call.inner is not None:
            return []
        params = init.params[1:] if init.params[:1] == ("self",) else init.params
        events: list[Event] = []
        for simple in init.body:
            if not isinstance(simple, Simple):
                continue  # (a switch under a test or in a loop may not run)
            for switch in simple.calls:
                if switch.method not in ("eval", "train") or switch.args or switch.receiver not in params:
                    continue
                given = call.arg(params.index(switch.receiver), switch.receiver)
                passed = self.subject_in(given.dotted, context, at=call.node) if given is not None else None
                if passed is not None and passed.role in (MODEL, None):
                    kind = Kind.EVAL if switch.method == "eval" else Kind.TRAIN
                    events.append(Event(kind, call.node, context, subject=passed, call=call))
        return events

    def _mode_flag_owner(self, target: str, simple: Simple, context: Context) -> Subject | None:
        """The model whose mode an assignment to its `training` flag changes in part (`model.training
        = False` sets the flag of the top module only, not of its layers): the model is left in no
        one mode. None for any other assignment."""
        holder, dot, attribute = target.rpartition(".")
        if not dot or attribute != "training":
            return None
        cls = context.function.cls
        if holder == "self" and cls is not None and not self.model.is_module_class(cls):
            return None  # (a trainer's own `self.training = True` flag)
        owner = self.subject_in(holder, context, at=simple.node)
        return owner if owner is not None and owner.role == MODEL else None

    def _parts_switched(self, loop: Loop, context: Context) -> Subject | None:
        """The model a loop over its layers (`for m in model.modules():`, `for name, m in
        model.named_children():`) puts some of in training mode (`m.train()`, `m.train(True)`) or
        gives a mode flag (`m.training = flag`); None for any other loop. Switches to eval mode of
        the layers picked are the layers' own."""
        found = _MODULES_ITERATION.match(loop.iter_text.strip())
        if found is None or len(loop.targets) != (2 if found.group(2).startswith("named_") else 1):
            return None
        layer = loop.targets[-1]
        for statement in all_statements(loop.body):
            if not isinstance(statement, Simple):
                continue
            flagged = f"{layer}.training" in statement.targets
            for call in statement.calls:
                first = call.arg(0, "mode")
                off = first is not None and not (isinstance(first.node, cst.Name) and first.node.value == "True")
                flagged = flagged or call.receiver == layer and call.method == "train" and call.inner is None and not off
            if flagged:
                owner = self.subject_in(found.group(1), context, at=loop.node)
                return owner if owner is not None and owner.role in (MODEL, None) else None
        return None

    def _mode_event(self, call: CallSite, context: Context, receiver: Subject) -> Event:
        first = call.arg(0, "mode")
        text = first.node.value if first is not None and isinstance(first.node, cst.Name) else None
        if (call.method or "").startswith(("eval", "set_eval")) or text == "False":
            kind = Kind.EVAL
        elif first is None or text == "True":
            kind = Kind.TRAIN
        else:
            kind = Kind.MODE_UNKNOWN
        return Event(kind, call.node, context, subject=receiver, call=call)

    def _run_by_library_object(self, call: CallSite, context: Context) -> Subject | None:
        """`trainer.run(loader)` where `trainer = create_supervised_trainer(model, ...)`: a library
        object built over a model runs it, in whatever mode the library sets (an evaluator leaves
        it in eval mode, a trainer in train mode); afterwards the model's mode is unknown."""
        if call.receiver is None or call.method is None or not _RUNNING_METHOD.match(call.method):
            return None
        function = context.function
        binding = self.model.binding(call.receiver, function)
        if binding is None or binding.cls is not None or binding.call is None or binding.role is not None:
            return None
        if self.model.resolve_call(call, function) is not None:
            return None  # a method loopcheck follows: its own events say what it does
        for arg in binding.call.args:
            if arg.dotted is not None and self.model.roles.role(arg.dotted, binding.function) == MODEL:
                return self.subject(arg.dotted, binding.function)
        return None

    def _builds_torch_object(self, call: CallSite) -> bool:
        """`nn.parallel.DistributedDataParallel(net)`, `optim.SGD(...)`, `lr_scheduler.StepLR(opt)`:
        building an object of a torch class (a capitalised name reached through an import of torch)
        runs no forward of what it is given (unlike `torch.jit.trace(net, x)`, a function)."""
        dotted = call.dotted
        if dotted is None:
            return False
        parts = dotted.split(".")
        if not parts[-1][:1].isupper():
            return False
        ref = self.model.ir.import_refs.get(parts[0])
        if ref is None or ref.level:
            return False
        root = ref.module if ref.name is None else f"{ref.module}.{ref.name}"
        return root == "torch" or root.startswith("torch.")

    def passes_training_object(self, call: CallSite, function: FunctionInfo) -> bool:
        for arg in call.args:
            if arg.dotted is not None and self.model.roles.role(arg.dotted, function) in (OPTIMIZER, MODEL):
                return True
        return False

    def callee_context(self, target: FunctionInfo, call: CallSite, context: Context) -> Context:
        """Entering a function: its decorators, or else the caller's grad mode, apply."""
        return Context(
            target,
            self.grad_of_function(target, context.grad),
            (*context.chain, call),
            context.guards,
            (*context.callers, context.function),
            arguments_known(target, call, context.constants, context.function) + _object_flags(target, call, context.constants),
        )

    def grad_of_function(self, function: FunctionInfo, outer: str) -> str:
        for decorator in function.decorators:
            if isinstance(decorator, CallSite):
                mode = grad_mode_of(decorator, self.model.ir.imports)
            else:
                last = decorator.rsplit(".", 1)[-1]
                mode = "off" if "no_grad" in last or "inference_mode" in last else self._project_decorator_grad(decorator, function)
            if mode is not None:
                return mode
        return outer

    def _project_decorator_grad(self, decorator: str, function: FunctionInfo) -> str | None:
        """`@nograd` where the project's `def nograd(f)` returns a wrapper that calls `f` inside
        `with torch.no_grad():`: the grad mode that wrapper sets, if it sets one."""
        found = self.model.definition(decorator, function.parent or function)
        if not isinstance(found, FunctionInfo):
            return None
        modes = {
            stmt.grad
            for inner in found.nested.values()
            for stmt in all_statements(inner.body)
            if isinstance(stmt, With) and stmt.grad is not None
        }
        return modes.pop() if len(modes) == 1 else None

    def _with_context(self, stmt: With, context: Context) -> Context:
        grad = stmt.grad
        if grad == "unknown" and context.constants:
            # `with (torch.enable_grad() if is_train else torch.no_grad()):` where `is_train` is known
            arms: set[int] = set()
            for expression in _switch_expressions(stmt.node) + ([stmt.chosen_by] if getattr(stmt, "chosen_by", None) is not None else []):
                if isinstance(expression, cst.IfExp):
                    arms |= {id(expression.body), id(expression.orelse)}
                    taken = decide(expression_text(expression.test), context.constants)
                    arm = expression.body if taken else expression.orelse
                    call = next((c for c in stmt.items if c.node is arm), None) if taken is not None else None
                    if call is not None:
                        grad = grad_mode_of(call, self.model.ir.imports) or "on"
            if grad == "unknown" and isinstance(stmt.node, cst.If) and len(stmt.items) == 2:
                # `if mode == Mode.TRAIN: torch.set_grad_enabled(True)` `else: ...(False)`, the
                # rest of the block run after it, where `mode` is known
                taken = decide(expression_text(stmt.node.test), context.constants)
                if taken is not None:
                    grad = self._switch_grad(stmt.items[0 if taken else 1], context.constants)
            if grad == "unknown":
                # `with torch.set_grad_enabled(train):` where `train` is known here (not an arm of
                # such a choice: `torch.inference_mode() if val else torch.set_grad_enabled(True)`)
                switch = next((c for c in stmt.items if (c.dotted or "").endswith("set_grad_enabled") and id(c.node) not in arms), None)
                if switch is not None:
                    grad = self._switch_grad(switch, context.constants)
        return replace(context, grad=grad) if grad is not None else context

    def _switch_grad(self, call: CallSite, constants: tuple[tuple[str, object], ...]) -> str:
        """The grad mode a switch sets for the values known (`set_grad_enabled(train)`, `train` known)."""
        mode = grad_mode_of(call, self.model.ir.imports) or "on"
        argument = call.arg(0, "mode") if mode == "unknown" else None
        value = decide(argument.dotted or expression_text(argument.node), constants) if argument is not None else None
        return mode if value is None else ("on" if value else "off")

    # programs: the orders one iteration can take, as a structure the rules' machines run over

    def program(self, block: Block, context: Context, depth: int = 0) -> Node:
        nodes: list[Node] = []
        for index, stmt in enumerate(block):
            # (what follows a `while` may show it is left only by its break)
            after = block[index + 1:] if isinstance(stmt, Loop) and isinstance(stmt.node, cst.While) else ()
            nodes.append(self._statement_program(stmt, context, depth, after))
            if context.constants and isinstance(stmt, Simple):
                context = _derive_constant(stmt, context)
        return Sequence(tuple(nodes))

    def _statement_program(self, stmt: object, context: Context, depth: int, after: Block = ()) -> Node:
        if isinstance(stmt, Simple):
            return self._simple_program(stmt, context, depth)
        if isinstance(stmt, Branch):
            taken = decide(stmt.test, context.constants)
            if taken is None and "%" in stmt.test:
                taken = self._every_time(stmt.test, context.function)
            if taken is None and context.grad == "off" and _backward_if_requires_grad(stmt):
                taken = False  # `if loss.requires_grad: loss.backward()` under no_grad: the loss requires none
            if taken is None:
                taken = _resets_whatever_gradient_exists(stmt)
            if taken is not None:  # `if train:` inside `run_epoch(..., train=False)`
                arm = 0 if taken else 1
                return self.program(stmt.arms[arm], _guarded(context, stmt, arm), depth) if arm < len(stmt.arms) else EMPTY
            restored = self._saved_mode_restored(stmt, context)
            if restored is not None:
                return restored
            test = _cadence_flag_spelled(stmt.test, context.function)
            return choice(
                self.test_text(test),
                tuple(self.program(arm, _guarded(context, stmt, index, test), depth) for index, arm in enumerate(stmt.arms)),
            )
        if isinstance(stmt, With):
            body = self.program(stmt.body, self._with_context(stmt, context), depth)
            restored = [
                Emit(Event(Kind.MODE_UNKNOWN, call.node, context, subject=subject, call=call))
                for call in stmt.items if sets_eval_for_block(call, self.model.ir.imports)
                for subject in self._block_modules(call, context)
            ]
            return Sequence((body, *restored)) if restored else body
        if isinstance(stmt, Try):
            body = self.program([*stmt.body, *stmt.orelse], context, depth)
            tried = body if not stmt.orelse else self.program(stmt.body, context, depth)
            handlers = tuple(self.program(handler, context, depth) for handler in stmt.handlers)
            attempted = [event.kind for event in events_of(tried)]
            if attempted and all(kind is Kind.UNSCALE for kind in attempted):
                # `try: scaler.unscale_(optimizer) except RuntimeError: pass`: unscale_ raises only
                # when the optimizer's gradients were already unscaled since the last update (or
                # the step ran): a handler runs with them unscaled either way
                handlers = tuple(Sequence((tried, handler)) for handler in handlers)
            return Attempt(body, handlers, self.program(stmt.final, context, depth))
        if isinstance(stmt, Loop):
            repeated = Repeat(stmt, context, self.program(stmt.body, context, depth), left_by_break(stmt, after))
            parts = self._parts_switched(stmt, context)
            if parts is not None:
                # `for m in model.modules(): if isinstance(m, nn.BatchNorm2d): m.train()`: some
                # layers of `model` put in training mode (or given a mode flag), whichever the test
                # picks: the model as a whole is then in no one mode
                repeated = Sequence((Emit(Event(Kind.MODE_UNKNOWN, stmt.node, context, subject=parts)), repeated))
            if stmt.orelse:
                # `for x in loader: ... else: model.eval(); validate()`: the else block runs once the
                # loop is done (unless a break left it), after every iteration
                return Sequence((repeated, self.program(stmt.orelse, context, depth)))
            return repeated
        return EMPTY

    def _saved_mode_restored(self, branch: Branch, context: Context) -> Node | None:
        """`was_training = model.training`, `model.eval()`, ..., then `if was_training:
        model.train()` (and `else: model.eval()`): the mode the module had is put back, whatever it
        was, as `model.train(was_training)` does: a switch to a mode known only where the helper is
        called. None for any other branch (an arm doing more than that switch)."""
        test = branch.test.strip()
        saved = test if test.endswith(".training") else None
        if saved is None and test.isidentifier():
            values = [
                expression_text(simple.value).strip() for simple in context.function.assignments
                if simple.targets == (test,) and simple.value is not None and not simple.augmented
            ]
            saved = values[0] if len(values) == 1 and values[0].endswith(".training") else None
        if saved is None or not branch.arms or not branch.arms[0]:
            return None
        module = saved[: -len(".training")]
        switches: list[Node] = []
        for index, arm in enumerate(branch.arms):
            wanted = "train" if index == 0 else "eval"
            for statement in arm:
                calls = statement.calls if isinstance(statement, Simple) else None
                if not calls or len(calls) != 1 or statement.targets or calls[0].method != wanted or calls[0].args:
                    return None
                call = calls[0]
                if _chain_receiver(call) != module:
                    return None
                subject = self.subject_in(module, context, at=call.node)
                if subject is None:
                    return None
                switches.append(Emit(Event(Kind.MODE_UNKNOWN, call.node, context, subject=subject, call=call)))
        return Sequence(tuple(switches))

    def _simple_program(self, simple: Simple, context: Context, depth: int) -> Node:
        items: list[Node] = []
        calls = simple.calls
        if isinstance(simple.node, cst.Expr) and isinstance(simple.node.value, cst.IfExp):
            # `net.train() if is_train else net.eval()`: one arm runs, the one the test picks
            branch = simple.node.value
            taken = decide(expression_text(branch.test), context.constants) if context.constants else None
            arms = [[c for c in calls if _within(c.node, arm)] for arm in (branch.body, branch.orelse)]
            if taken is not None:
                calls = arms[0] if taken else arms[1]
            elif arms[0] and arms[1]:
                test = expression_text(branch.test)
                made = choice(test, tuple(Sequence(tuple(self._calls_program(arm, context, depth)[0])) for arm in arms))
                return Sequence((made, Jump(simple.jump))) if simple.jump is not None else made
        nodes, reset = self._calls_program(calls, context, depth)
        items.extend(nodes)
        for target in simple.targets:
            owner = self._mode_flag_owner(target, simple, context)
            if owner is not None:
                items.append(Emit(Event(Kind.MODE_UNKNOWN, simple.node, context, subject=owner)))
        if simple.grad_reset and not reset:
            items.append(Emit(Event(Kind.RESET, simple.node, context)))
            if simple.grad_set:
                # (gradients put in place by hand: the next step uses them as a backward's)
                items.append(Emit(Event(Kind.BACKWARD, simple.node, context)))
        if simple.jump is not None:
            items.append(Jump(simple.jump))
        return Sequence(tuple(items))

    def _calls_program(self, calls: list[CallSite], context: Context, depth: int) -> tuple[list[Node], bool]:
        """The program of a statement's calls, in order, and whether one of them resets gradients."""
        items: list[Node] = []
        reset = False
        for call in calls:
            target = self.model.resolve_call(call, context.function)
            forward = self.model_method(target, call, context) if target is not None else None
            if forward is not None:
                items.append(Emit(forward))
                continue
            if target is not None and call.method == "backward":
                target = None  # `accelerator.backward(loss)` of the project's own wrapper: the backward
            if target is not None and target.cls is not None and self.model.ir.classes.get(target.cls.name) is target.cls and (
                target.cls.name in self.model.ir.import_refs
            ):
                # `try: from torch.cuda.amp import GradScaler` / `except: class GradScaler: ...`: a
                # stand-in for old versions; the imported class is what runs where it can
                target = None
            if target is not None and (target is context.function or target in context.callers):
                continue  # a recursive call adds nothing the first run did not
            if target is not None and (self._optimizer_subclass_step(call, target) or self._scheduler_subclass_step(call, target)):
                target = None  # (the step of the optimizer, or of the schedule, itself, below)
            if target is not None and call.method in ("train", "eval") and target.cls is not None and self.model.is_module_class(target.cls):
                # a module class's own `train()`/`eval()` (an override, or the base class of a
                # library's own repository) switches the mode, then does what it adds
                switched = self.subject_in(_chain_receiver(call), context, at=call.node)
                if switched is not None and switched.role in (MODEL, None) and not (call.method == "eval" and call.args):
                    items.append(Emit(self._mode_event(call, context, switched)))
            if target is not None and not self.model.acts(target):
                continue  # the helper touches no model, optimizer or grad mode: nothing to follow
            if target is not None and depth < MAX_INLINE_DEPTH:
                items.append(self._enter(target, call, context, depth))
                continue
            if target is None:
                # `tester = ModelTester(net, path)` whose `__init__` runs `net.eval()`: the object
                # passed is switched (the constructor's other work is the class's own)
                items.extend(Emit(event) for event in self._modes_set_by_constructor(call, context))
            alternatives = self.method_of_unresolved_model(call, context)
            if alternatives is not None:
                items.append(Emit(alternatives))
                continue
            if target is None and depth < MAX_INLINE_DEPTH:
                each = self._methods_of_callers_classes(call, context)
                if each is not None:
                    items.append(Choice(f"type({call.receiver})", tuple(self._enter(m, call, context, depth) for m in each)))
                    continue
            closure = self.step_closure(call, context.function)
            if closure is not None and depth < MAX_INLINE_DEPTH:
                items.append(self._enter(closure, call, context, depth))  # step(closure) runs it first
            for event in self.events_of_call(call, context):
                reset = reset or event.kind is Kind.RESET
                items.append(Emit(event))
        return items, reset

    def _wrapper_of(self, name: str, function: FunctionInfo, context: Context | None, at: cst.CSTNode) -> Subject | None:
        """For `net.module`: the DataParallel/DDP wrapper `net`, when it is a model (its train() and
        eval() set the mode of the module it holds); None otherwise."""
        if not name.endswith(".module") or name.count(".") < 1:
            return None
        base = name[: -len(".module")]
        wrapper = self.subject_in(base, context, at=at) if context is not None else self.subject(base, function)
        return wrapper if wrapper is not None and wrapper.role == MODEL else None

    def model_method(self, target: FunctionInfo, call: CallSite, context: Context) -> Event | None:
        """A method of a model class that only computes (`model.generate(x)`, `self.encode(x)`): a
        model call on its receiver, not code to inline. One that trains or switches modes is inlined."""
        if target.cls is None or target.name == "__init__" or not self.model.is_module_class(target.cls):
            return None
        if self.model.reaches(target) or call.receiver is None:
            return None
        if target.name != "forward" and not self.model.runs_forward(target):
            # `model.load_weights(path)` computes nothing with the model; `model.forward(x)` is the
            # forward whatever its body reads (embedding tables propagated over a graph: LightGCN)
            return None
        receiver = self.subject_in(call.receiver, context, at=call.node)
        if receiver is None or receiver.role is None:
            # `model.module.sample(n)` of a DataParallel/DDP wrapper: the wrapped module runs, in the
            # mode the wrapper's train()/eval() puts it
            receiver = self._wrapper_of(call.receiver, context.function, context, call.node) or receiver
        if receiver is None:
            return None
        if receiver.role is None and call.receiver == "self":
            receiver = Subject(receiver.key, receiver.name, MODEL, receiver.binding, receiver.function)
        if receiver.role != MODEL:
            return None
        # `@torch.no_grad() def generate(self, ...)`: the method's own decorator applies
        inside = replace(context, grad=self.model.at(target).flow.grad_of_function(target, context.grad))
        if inside.grad == "on" and self.model.forwards_without_grad(target):
            inside = replace(inside, grad="off")  # `with torch.no_grad():` around every forward inside
        return Event(Kind.MODEL_CALL, call.node, inside, subject=receiver, call=call)

    def method_of_unresolved_model(self, call: CallSite, context: Context) -> Event | None:
        """A method call on a model whose one class the binding does not give: built from classes
        the callers pass, or unpickled whole (see the two below)."""
        return (
            self._methods_of_passed_classes(call, context) or self._methods_of_unpickled_model(call, context)
            or self._coding_method_of_unseen_model(call, context)
        )

    def _coding_method_of_unseen_model(self, call: CallSite, context: Context) -> Event | None:
        """`latent = model.encode(x)`, `model.decode(z)`, `model.embed(x)` on a model whose class
        cannot be seen (unpickled whole by `torch.load`, handed in by callers that load it, built
        by a factory out of sight): an autoencoder's half runs the model's layers, as its forward
        would, in the grad mode of the call. (`generate`, `predict` and the like are left unknown:
        libraries run them under no_grad themselves.)"""
        if call.receiver is None or call.method not in _CODING_METHODS or call.inner is not None:
            return None
        receiver = self.subject_in(call.receiver, context, at=call.node)
        if receiver is None or receiver.role != MODEL:
            return None
        binding = receiver.binding
        if binding is not None and (binding.cls is not None or binding.classes):
            return None  # (a class in sight: its own method is followed, or not, where it is known)
        made = binding.call if binding is not None else None
        while made is not None and made.inner is not None and made.method in RETURNS_SELF:
            made = made.inner  # (`torch.load(path).to(device)`)
        if made is not None and qualify(made.dotted, self.model.at(binding.function).ir.imports) not in _UNPICKLING and not (  # type: ignore[union-attr]
            _used_as_module(binding)
        ):
            # (`spm.SentencePieceProcessor(...)`: a library object built in sight, no torch model;
            # but one whose weights are loaded or parameters read where it is built is a module)
            return None
        return Event(Kind.MODEL_CALL, call.node, context, subject=receiver, call=call)

    def _methods_of_passed_classes(self, call: CallSite, context: Context) -> Event | None:
        """`agent.get_action(obs)` where the callers pass several model classes for `agent`'s class:
        a model call when the method of each of them only computes, and one of them runs the model."""
        if call.receiver is None or call.method is None or call.inner is not None:
            return None
        binding = self.model.binding(call.receiver, context.function)
        if binding is None or len(binding.classes) < 2:
            return None
        methods = [self.model.method_of(cls, call.method) for cls in binding.classes]
        if any(m is None or m.cls is None or not self.model.is_module_class(m.cls) or self.model.reaches(m) for m in methods):
            return None
        if not any(self.model.runs_forward(m) for m in methods if m is not None):
            return None  # `model.get_important_modules_channelsize()`: reads the layers, runs none
        receiver = self.subject_in(call.receiver, context, at=call.node)
        if receiver is None:
            return None
        # (`@torch.inference_mode() def recommend(self, ...)` in each class: the methods' own
        # decorators and `no_grad` blocks apply, as they do for a method of the one class known)
        return Event(Kind.MODEL_CALL, call.node, self._grad_inside(methods, context), subject=receiver, call=call)

    def _grad_inside(self, methods: Iterable[FunctionInfo | None], context: Context) -> Context:
        """The context of a call of one of `methods` (which one runs is not known): grad off when
        each turns it off itself (a decorator, or `no_grad` around each of its forwards), on when
        one leaves it on, the caller's mode otherwise."""
        grads = {
            "off" if grad == "on" and self.model.forwards_without_grad(m) else grad
            for m in methods
            if m is not None
            for grad in (self.model.at(m).flow.grad_of_function(m, context.grad),)
        }
        return replace(context, grad="on" if "on" in grads else context.grad if len(grads) != 1 else grads.pop())

    def _methods_of_unpickled_model(self, call: CallSite, context: Context) -> Event | None:
        """`model_best = torch.load(path); model_best.sample(16)`: a whole model unpickled, whose
        class cannot be seen from the binding, called by a method that only the file's own module
        classes define (a VAE's `sample`): a model call when each of those methods only computes,
        with grad off when each runs under `no_grad` itself. A method no class of the file defines
        stays unknown (a library model's `generate` may run under no_grad)."""
        if call.receiver is None or call.method is None or call.inner is not None:
            return None
        binding = self.model.binding(call.receiver, context.function)
        if binding is None or binding.cls is not None or binding.classes or binding.call is None:
            return None
        if (binding.qualified or "") != "torch.load" and binding.call.dotted != "torch.load":
            return None
        methods = [cls.methods[call.method] for cls in self._whole_model_classes() if call.method in cls.methods]
        if not methods or any(self.model.reaches(m) or not self.model.runs_forward(m) for m in methods):
            return None
        receiver = self.subject_in(call.receiver, context, at=call.node)
        if receiver is None or receiver.role != MODEL:
            return None
        return Event(Kind.MODEL_CALL, call.node, self._grad_inside(methods, context), subject=receiver, call=call)

    def _whole_model_classes(self) -> list[ClassInfo]:
        """The file's module classes built outside every module class (`model = VAE(...)`), not
        only as parts of another (`self.prior = Prior()` in the VAE): what a whole model may be."""
        found = self._whole_classes
        if found is None:
            classes = self.model.ir.classes
            built = {
                call.dotted
                for function in self.model.ir.functions
                if function.cls is None or not self.model.is_module_class(function.cls)
                for simple in function.simples
                for call in simple.calls
                if call.dotted in classes
            }
            found = self._whole_classes = [classes[name] for name in sorted(built) if self.model.is_module_class(classes[name])]
        return found

    def _methods_of_callers_classes(self, call: CallSite, context: Context) -> tuple[FunctionInfo, ...] | None:
        """`policy.select_action(state)` where `policy` is a parameter the callers fill with objects
        of different project classes (a DDPG agent, a BCQ agent): each class's method, one of which
        runs. None unless every class defines the method and one of them acts on a model."""
        if call.receiver is None or call.method is None or call.inner is not None or "." in call.receiver:
            return None
        classes = self.model.classes_from_callers(call.receiver, context.function)
        if not classes:
            return None
        methods = [self.model.method_of(cls, call.method) for cls in classes]
        if any(m is None for m in methods):
            return None
        found = tuple(m for m in methods if m is not None)
        if any(m is context.function or m in context.callers for m in found):
            return None
        if not any(self.model.acts(m) for m in found):
            return None
        return found

    def _enter(self, target: FunctionInfo, call: CallSite, context: Context, depth: int) -> Enter:
        callee = self.model.at(target).flow
        entry = Event(Kind.CALL, call.node, context, call=call)
        return Enter(entry, callee.program(target.body, callee.callee_context(target, call, context), depth + 1))

    def step_closure(self, call: CallSite, function: FunctionInfo) -> FunctionInfo | None:
        """The closure of `optimizer.step(closure)` (LBFGS), when it is a function of this file or a
        method of a project class (`self.loss_closure`, `trainer.closure`)."""
        if call.method != "step" or call.receiver is None:
            return None
        closure = call.arg(0, "closure")
        if closure is None or closure.dotted is None:
            return None
        if self.model.roles.role(call.receiver, function, self.model.binding(call.receiver, function)) != OPTIMIZER:
            return None
        if "." in closure.dotted:
            # `optimizer.step(self.loss_closure)`: a bound method is the closure step() runs
            receiver, _, method = closure.dotted.rpartition(".")
            if receiver == "self" and function.cls is not None:
                return self.model.method_of(function.cls, method)
            binding = self.model.binding(receiver, function) if "." not in receiver else None
            return self.model.method_of(binding.cls, method) if binding is not None and binding.cls is not None else None
        found = self.model.resolve_name(closure.dotted, function)
        return self.model.defined_in_force(found, function, call.node) if found is not None else None


def event_tree(node: Node) -> Iterator[Event]:
    """The program's events in source order, each nested loop as one LOOP event holding its own."""
    if isinstance(node, Emit):
        yield node.event
    elif isinstance(node, Repeat):
        yield Event(Kind.LOOP, node.loop.node, node.context, loop=node.loop, contents=tuple(event_tree(node.body)))
    elif isinstance(node, Enter):
        yield node.event
        yield from event_tree(node.body)
    else:
        for child in children(node):
            yield from event_tree(child)


_CONTAINER_ITERATION = lazy(r"^([A-Za-z_][\w.]*?)(\.values\(\)|\.items\(\))?$")


def _iterated_container(iter_text: str) -> str | None:
    """`optimizers` for `for opt in optimizers:` and `for name, opt in optimizers.items():`."""
    match = _CONTAINER_ITERATION.match(iter_text.strip())
    return match.group(1) if match else None


def _element_of(subject: Subject) -> object:
    key = subject.key
    return key[1] if isinstance(key, tuple) and len(key) == 2 else None


def arguments_passed(target: FunctionInfo, call: CallSite) -> Iterator[tuple[str, str]]:
    """(parameter, dotted name of the argument) for each parameter the call passes a name to."""
    offset = 1 if target.cls is not None and target.params[:1] == ("self",) else 0
    for index, parameter in enumerate(target.params[offset:]):
        arg = call.arg(index, parameter)
        if arg is not None and arg.dotted is not None:
            yield parameter, arg.dotted


def arguments_known(
    target: FunctionInfo, call: CallSite, constants: tuple[tuple[str, object], ...] = (), caller: FunctionInfo | None = None
) -> tuple[tuple[str, object], ...]:
    """The values a call gives the function's parameters when known: literals, names whose value
    is known where the call is made (`_run_batch(x, y, train)` inside `_run_epoch(train=False)`),
    names the calling function binds once to a literal (`step = "epoch"`), command-line options
    no command line can change (`args.fastmode` of a `store_true` flag with `default=True`), or
    the parameters' literal defaults."""
    offset = 1 if target.cls is not None and target.params[:1] == ("self",) else 0
    outer = dict(constants)
    known: list[tuple[str, object]] = []
    for index, parameter in enumerate(target.params[offset:]):
        arg = call.arg(index, parameter)
        if arg is None:
            value = target.defaults.get(parameter, NOT_LITERAL)
        elif arg.dotted is not None and arg.dotted in outer:
            value = outer[arg.dotted]
        else:
            value = literal_value(arg.node)
            if value is NOT_LITERAL and caller is not None and isinstance(arg.node, cst.Name):
                value = bound_once_to_literal(caller, arg.node.value)
            if value is NOT_LITERAL and caller is not None and caller.file is not None and isinstance(arg.node, cst.Attribute) and (
                isinstance(arg.node.value, cst.Name) and arg.node.attr.value in caller.file.options
            ):
                value = caller.file.options[arg.node.attr.value]  # `fastmode=args.fastmode`, a flag always set
            if value is NOT_LITERAL and arg.dotted is not None and _ENUM_MEMBER.match(arg.dotted):
                value = EnumMember(arg.dotted)  # `train_and_validate(..., Mode.VAL)`
            if value is NOT_LITERAL and caller is not None and isinstance(arg.node, cst.Name) and _bound_only_to_instances(caller, arg.node.value):
                value = INSTANCE  # `run_epoch(model, loader, optimizer)` after `optimizer = optim.Adam(...)`
        if value is not NOT_LITERAL:
            known.append((parameter, value))
    return tuple(known)




class _Instance:
    """The value of a name bound only to objects that constructor calls make (`optimizer =
    optim.Adam(model.parameters())`): not None; nothing else about it is known (whether it is true
    depends on its class)."""

    def __repr__(self) -> str:
        return "<instance>"


INSTANCE = _Instance()


def _bound_only_to_instances(function: FunctionInfo, name: str) -> bool:
    """Is the name no parameter of the function (a script's top level too), and every binding of
    it there a plain assignment of a call of a class (`optim.Adam(...)`, `Net()`: a capitalised
    last name)?"""
    if name in function.params:
        return False
    assignments = _plain_assignments(function, name)
    return bool(assignments) and all(
        isinstance(node.value, cst.Call) and callee_last_name(node.value)[:1].isupper() for node in assignments
    )


class EnumMember(str):
    """A member of an enumeration, written `Class.NAME` (`Mode.VAL`): equal to itself, unequal to
    every other member so written; how it compares with anything else is not known."""

    def __repr__(self) -> str:
        return str.__str__(self)  # (written back into a test as the member's name)


_ENUM_MEMBER = lazy(r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*\.[A-Z][A-Z0-9_]*$")
"""`Mode.TRAIN`, `metric_tracker.Mode.VAL`: a class named with a capital, a member in capitals."""


def _with_constants(test: str, constants: dict[str, object]) -> str:
    """The test with each name of `constants` replaced by its value's literal, and every string
    literal written one way (`"Train"` and `'Train'` alike), in a script that has constants."""
    if not constants or not ("'" in test or '"' in test or any(name in test for name in constants)):
        return test
    text = test.strip()
    if not text.isascii() or "\n" in text:
        return test  # (offsets below count bytes on one line)
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return test
    pieces = [
        (node.col_offset, node.end_col_offset, repr(constants[node.id]))
        for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in constants
    ]
    pieces += [
        (node.col_offset, node.end_col_offset, repr(node.value))
        for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    if not pieces:
        return test
    for start, end, literal in sorted(pieces, reverse=True):
        text = text[:start] + literal + text[end:]  # type: ignore[index]
    return text


def bound_once_to_literal(function: FunctionInfo, name: str) -> object:
    """The literal a local name holds everywhere in the function: bound by exactly one plain
    assignment of a literal (`step = "epoch"`), and by no parameter, loop, `with`, augmented
    assignment or `global`; NOT_LITERAL otherwise."""
    if name in function.params or name in function.declared_global or function.name == "<module>":
        return NOT_LITERAL
    return _bound_once(function, name)


def _bound_once(function: FunctionInfo, name: str) -> object:
    """The literal of the one plain assignment (`name = literal`) that binds the name in the
    function, bound by no other statement and no loop; NOT_LITERAL otherwise."""
    assignments = _plain_assignments(function, name)
    if assignments is None or len(assignments) != 1:
        return NOT_LITERAL
    value = literal_value(assignments[0].value)
    return value if isinstance(value, (str, bool, int, float, type(None))) else NOT_LITERAL


def _plain_assignments(function: FunctionInfo, name: str) -> list[cst.Assign] | None:
    """The statements of the function that bind the name, when each is a plain assignment of it
    alone (`name = value`: no augmented, tuple or chained assignment) and no loop binds it; None
    otherwise."""
    if any(name in loop.targets for loop in function.loops):
        return None
    found: list[cst.Assign] = []
    for simple in function.simples:
        if name not in simple.targets:
            continue
        node = simple.node
        if simple.augmented or not isinstance(node, cst.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return None
        found.append(node)
    return found


def _object_flags(
    target: FunctionInfo, call: CallSite, constants: tuple[tuple[str, object], ...]
) -> tuple[tuple[str, object], ...]:
    """`self.is_test` known in the caller stays known in a method it calls on `self`."""
    if call.receiver != "self" or target.cls is None or target.params[:1] != ("self",):
        return ()
    return tuple(item for item in constants if item[0].startswith("self."))


def rebinds(binding: Binding | None, name: str, function: FunctionInfo) -> bool:
    """Is `binding` the function's own new object for `name` (`model = GCNInference(weights)`),
    not a wrapper of what was passed in (`model = model.to(device)`)?"""
    return (
        binding is not None
        and binding.function is function
        and binding.alias is None
        and name.partition(".")[0] not in binding.statement.value_names
    )


def _derive_constant(simple: Simple, context: Context) -> Context:
    """`is_train = train_optimizer is not None` where the parameter's value is known: the name's
    value is known for the rest of the block."""
    if len(simple.targets) != 1 or simple.augmented or simple.value is None or simple.calls:
        return context
    name = simple.targets[0]
    known = tuple(item for item in context.constants if item[0] != name)
    # (a container display is no constant: `loss = []`, filled by `loss.append(...)` later, says
    # nothing at the assignment of `if loss:` below)
    mutable = isinstance(simple.value, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp))
    value = None if mutable else decide(expression_text(simple.value), context.constants)
    if value is None:
        return replace(context, constants=known) if len(known) != len(context.constants) else context
    return replace(context, constants=(*known, (name, value)))


def _within(node: cst.CSTNode, outer: cst.CSTNode) -> bool:
    if node is outer:
        return True
    return any(_within(node, child) for child in outer.children)


_REQUIRES_GRAD_TEST = lazy(r"^[A-Za-z_][\w.]*\.requires_grad$")


def _backward_if_requires_grad(stmt: Branch) -> bool:
    """`if loss.requires_grad: ... backward(loss)`: a helper that trains or only evaluates,
    depending on the grad mode it is called in."""
    if not _REQUIRES_GRAD_TEST.match(stmt.test.strip()) or not stmt.arms:
        return False
    return any(call.method == "backward" for simple in all_statements(stmt.arms[0]) if isinstance(simple, Simple) for call in simple.calls)


_FUNCTION_VERB = lazy(r"(check|build|create|make|load|read|compile|save|get|export|convert|print|summar|count|init|log|register|upload|download|push)_")
"""Prefixes of a name that says what a function does (`check_model`, `load_model`): called, it is
no model's forward, whatever its name ends with."""


_NAMES_LITERAL = lazy(r"^[\[(]\s*([A-Za-z_][\w.]*\s*(?:,\s*[A-Za-z_][\w.]*\s*)*),?\s*[\])]$")
"""`(encoder, head)`, `[self.G, self.D]`: a literal tuple or list of names."""


_ENUMERATED = lazy(r"^enumerate\(\s*[A-Za-z_][\w.]*\s*\)$")


def loops_giving(call: CallSite, function: FunctionInfo, name: str | None = None) -> list[Loop]:
    """The loops of the function that bind the call's receiver (or `name`, the called name of
    `model(x)`), a plain name, and hold the call."""
    name = call.receiver if name is None else name
    if not name or "." in name or call.inner is not None:
        return []
    return [
        loop for loop in function.loops
        if name in loop.targets and any(
            c is call for statement in all_statements(loop.body) if isinstance(statement, Simple) for c in statement.calls
        )
    ]


_MODULES_ITERATION = lazy(r"^([A-Za-z_][\w.]*)\.(modules|children|named_modules|named_children)\(\s*\)$")


def _container_loop_element(call: CallSite, function: FunctionInfo) -> bool:
    """Is the receiver of the call the element a loop around it takes from a container (`for m in
    models:`, `for m in self.nets.values():`, `for name, m in model_dict.items():`, `for i, m in
    enumerate(models):`), and bound by nothing else in the function?"""
    name = call.receiver
    if name in function.params or any(name in s.targets for s in function.assignments):
        return False
    return any(loop_element_container(loop, name or "") is not None for loop in loops_giving(call, function))


def loop_element_container(loop: Loop, name: str) -> str | None:
    """The container whose elements the loop binds to `name`: `nets` for `for m in nets:`, `for m
    in nets.values():`, `for key, m in nets.items():` and `for i, m in enumerate(nets):`."""
    text = loop.iter_text.strip()
    enumerated = _ENUMERATED.match(text)
    pairs = enumerated is not None or (text.endswith(".items()") and _iterated_container(text) is not None)
    if pairs and len(loop.targets) == 2 and loop.targets[1] == name:
        inner = text[text.index("(") + 1:-1].strip() if enumerated is not None else text
        return _iterated_container(inner)
    if not pairs and loop.targets == (name,):
        return _iterated_container(text)
    return None


def _literal_loop_elements(call: CallSite, function: FunctionInfo, name: str | None = None) -> list[str] | None:
    """For `m.eval()` inside `for m in (encoder, head):` (or a comprehension over such a literal),
    and with `name` the called name for `model(x)` inside `for model in [model_1, model_2]:`: the
    names the loop target takes; None when the receiver (or `name`) is no such target."""
    name = call.receiver if name is None else name
    for loop in loops_giving(call, function, name):
        found = _NAMES_LITERAL.match(loop.iter_text.strip()) if loop.targets == (name,) else None
        if found is not None:
            return [part.strip() for part in found.group(1).split(",") if part.strip()]
    return None


def decide(test: str, constants: tuple[tuple[str, object], ...]) -> bool | None:
    """The value of an if-test on known parameters (`train`, `not train`, `mode == "train"`,
    `epoch > 0`, `optimizer is None`, `mode == "train" or mode == "train+log"`, `mode in ("train", "dev")`);
    None when it cannot be decided."""
    if not constants and ("%" not in test or not _EVERY_TIME.search(test)):
        return None
    try:
        tree = ast.parse(test.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    value = _evaluate(tree, dict(constants))
    return None if value is _UNKNOWN or value is INSTANCE else bool(value)


_UNKNOWN = object()
_EVERY_TIME = lazy(r"%\s*1\s*(?:==|!=)")
"""`(step + 1) % 1 == 0`: a cadence of one, whatever the counter (an accumulation count set to 1)."""


def _evaluate(node: ast.AST, known: dict[str, object]) -> object:
    """A test's value from the known names; _UNKNOWN when any part it depends on is not known."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        divisor = node.right.value if isinstance(node.right, ast.Constant) else _evaluate(node.right, known)
        if divisor == 1 and not isinstance(divisor, bool):
            return 0  # any integer modulo 1 (also a known name set to 1: `accumulation_steps = 1`)
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = ast.unparse(node)
        if name not in known and isinstance(node, ast.Attribute) and _ENUM_MEMBER.match(name):
            return EnumMember(name)
        return known[name] if name in known else _UNKNOWN
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [_evaluate(e, known) for e in node.elts]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else tuple(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _evaluate(node.operand, known)
        return _UNKNOWN if inner is _UNKNOWN or inner is INSTANCE else not inner
    if isinstance(node, ast.BoolOp):
        values = [_UNKNOWN if v is INSTANCE else v for v in (_evaluate(v, known) for v in node.values)]
        decisive = isinstance(node.op, ast.Or)
        if any(v is not _UNKNOWN and bool(v) is decisive for v in values):
            return decisive  # `True or ?`, `False and ?`
        return _UNKNOWN if any(v is _UNKNOWN for v in values) else not decisive
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = _evaluate(node.left, known), _evaluate(node.comparators[0], known)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        op = node.ops[0]
        if left is INSTANCE or right is INSTANCE:
            # (an object a constructor made is not None; how it compares with anything else is not known)
            if isinstance(op, (ast.Is, ast.IsNot)) and None in (left, right):
                return isinstance(op, ast.IsNot)
            return _UNKNOWN
        if isinstance(left, EnumMember) is not isinstance(right, EnumMember) and isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
            if not isinstance(right, tuple) or not all(isinstance(item, EnumMember) for item in right):
                return _UNKNOWN  # (a member of a `str` enumeration may equal a string)
        try:
            if isinstance(op, ast.Eq):
                return left == right
            if isinstance(op, ast.NotEq):
                return left != right
            if isinstance(op, ast.Is):
                return left is right
            if isinstance(op, ast.IsNot):
                return left is not right
            if isinstance(op, ast.In):
                return left in right  # type: ignore[operator]
            if isinstance(op, ast.NotIn):
                return left not in right  # type: ignore[operator]
            if isinstance(op, ast.Lt):
                return left < right  # type: ignore[operator]
            if isinstance(op, ast.LtE):
                return left <= right  # type: ignore[operator]
            if isinstance(op, ast.Gt):
                return left > right  # type: ignore[operator]
            if isinstance(op, ast.GtE):
                return left >= right  # type: ignore[operator]
        except TypeError:
            return _UNKNOWN
    return _UNKNOWN


_GRAD_EXISTS = lazy(r"^\s*([\w.]+\.grad)\s+is\s+(not\s+)?None\s*$")


def _resets_whatever_gradient_exists(branch: Branch) -> bool | None:
    """`if p.grad is not None: p.grad.zero_()` (or `p.grad = zeros`): the arm that resets runs
    whenever there is a gradient to reset, and the other one has none; as a reset, the branch is
    its resetting arm. None for any other test."""
    found = _GRAD_EXISTS.match(branch.test)
    if found is None:
        return None
    arm = 0 if found.group(2) else 1
    if arm >= len(branch.arms) or not any(isinstance(s, Simple) and s.grad_reset for s in branch.arms[arm]):
        return None
    return arm == 0


def _guarded(context: Context, branch: Branch, arm: int, test: str | None = None) -> Context:
    test = branch.test if test is None else test
    guard = test if arm == 0 else f"not ({test})"
    return replace(context, guards=(*context.guards, guard))


_FLAG_TEST = lazy(r"^\s*(not\s+)?([A-Za-z_]\w*)\s*$")


def _cadence_flag_spelled(test: str, function: FunctionInfo) -> str:
    """`if not accum_grad:` where the function binds `accum_grad = (i + 1) % k != 0 and ...` once:
    the test spelled out (`not ((i + 1) % k != 0 and ...)`), so that the cadence it stands for is
    seen as if written in the `if`. Any other test as it is."""
    found = _FLAG_TEST.match(test)
    if found is None:
        return test
    name = found.group(2)
    bound = [simple for simple in function.assignments if name in simple.targets]
    if len(bound) != 1 or bound[0].targets != (name,) or bound[0].augmented:
        return test
    value = bound[0].value
    if not isinstance(value, (cst.Comparison, cst.BooleanOperation)):
        return test
    text = expression_text(value)
    if "%" not in text:
        return test
    return f"{found.group(1) or ''}({text})"


def _chain_receiver(call: CallSite) -> str | None:
    """`model` for `model.eval()` and for `model.to(device).train()`."""
    while call.receiver is None and call.inner is not None:
        call = call.inner
    return call.receiver


def _switch_expressions(node: cst.CSTNode) -> list[cst.BaseExpression]:
    """The expressions that set a grad mode: a `with` statement's items, or the expression of a
    statement-form switch (`torch.set_grad_enabled(True) if train else torch.set_grad_enabled(False)`)."""
    if isinstance(node, cst.With):
        return [item.item for item in node.items]
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1 and isinstance(node.body[0], cst.Expr):
        return [node.body[0].value]
    return []
