"""The loop model: one file's training loops, their events, roles and call graph.

Rules ask it questions ("which loops are training steps?", "in what orders can one
iteration run?") and never walk the syntax tree themselves.
"""
from __future__ import annotations

import builtins
import os
import re
import sys
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable, Hashable, Iterable, Iterator, Mapping, TypeVar, Union

import libcst as cst
from libcst.metadata import CodeRange

from loopcheck.lazyre import lazy
from loopcheck.model import dataflow, evaluation, schedules, state
from loopcheck.model.build import (
    NOT_LITERAL, build_file, declared_params, dotted_name, grad_wrapped, literal_value, nodes_within, qualify, wrapper_grad,
)
from loopcheck.model.dataflow import DATA_ITERABLE
from loopcheck.model.flow import (
    Context, Event, Flow, Kind, Subject, arguments_known, arguments_passed, decide, event_tree, loop_element_container, loops_giving,
)
from loopcheck.model.program import Node, events_of, repeated_tests, run_iterations, run_once
from loopcheck.model.ir import ArgInfo, Branch, CallSite, ClassInfo, FileIR, FunctionInfo, ImportRef, Loop, Simple, Try, With, all_statements
from loopcheck.model.roles import (
    BUILDING,
    INSTANCE,
    MODEL,
    MODULE_BASES,
    MODULE_WRAPPERS,
    OPTIMIZER,
    OPTIMIZER_BASES,
    RETURNS_SELF,
    SCHEDULER,
    SCHEDULER_BASES,
    Binding,
    binds_none,
    RoleTable,
    classify_constructor,
    role_from_name,
    without_module,
)
from loopcheck.model.scope import NO_PROJECT, ProjectView, is_pytest_file, tests_run_by_the_file
from loopcheck.model.text import WHOLE_LINE_COMMENT, expression_text
from loopcheck.records import Frozen, Value, _set

__all__ = ["Context", "Event", "Kind", "LoopModel", "Node", "Subject", "TrainingStep", "run_iterations", "run_once"]


@dataclass(init=False, eq=False, repr=False)
class TrainingStep(Frozen):
    """The innermost loop whose iteration runs a backward and an optimizer step."""

    loop: Loop
    event: Event
    """The loop as an event: `contents` holds every event of its body, helpers inlined."""

    def __init__(self, loop: Loop, event: Event) -> None:
        _set(self, "loop", loop)
        _set(self, "event", event)

    @property
    def events(self) -> list[Event]:
        return [e for inner in self.event.contents for e in inner.flatten()]


@dataclass(init=False, eq=False, repr=False)
class CallEdge(Value):
    """A call of a project function: the calling function and its call site."""

    caller: FunctionInfo
    call: CallSite
    launched: bool = False
    """Run in a new thread or process (`Process(target=f)`, `pool.map(f, xs)`): with grad enabled,
    whatever the caller's mode (grad mode is per thread)."""

    def __init__(self, caller: FunctionInfo, call: CallSite, launched: bool = False) -> None:
        _set(self, "caller", caller)
        _set(self, "call", call)
        _set(self, "launched", launched)

    def _values(self) -> tuple[object, ...]:
        return (self.caller, self.call, self.launched)


S = TypeVar("S", bound=Hashable)
T = TypeVar("T")

TORCH_ROOTS = frozenset({"torch", "torchvision", "torchaudio", "torchtext", "lightning", "pytorch_lightning", "accelerate"})
OTHER_FRAMEWORKS = frozenset(
    {"tensorflow", "keras", "tf_keras", "jax", "flax", "optax", "haiku", "mxnet", "gluonnlp", "gluoncv", "paddle",
     "mindspore", "oneflow", "chainer", "cntk", "theano", "caffe", "caffe2", "megengine", "jittor", "tinygrad"}
)

Definition = Union[FunctionInfo, ClassInfo, "LoopModel"]
"""What a module-level name can be: a function, a class, or a module (its loop model)."""

METHOD_VERBS = lazy(r"(generate|sample|predict|infer|decode|encode|embed|score|beam_search|greedy)\w*$")
"""Attribute names of a model that are methods, not submodules, when the class cannot be seen."""
MODULE_CONTAINERS = frozenset({"ModuleList", "ModuleDict", "Sequential"})
def _no_mode_switch(call: CallSite) -> bool:
    """`eval(text)`, `train(model, loader)`: a call of a plain name, or `x.eval(results)` with
    arguments (`Module.eval()` takes none), switches no module's mode."""
    if call.method not in ("eval", "train"):
        return False
    return (call.receiver is None and call.inner is None) or (call.method == "eval" and bool(call.args))


ACTING_METHODS = frozenset({"backward", "step", "eval", "train", "unscale_", "set_training_mode", "requires_grad_"})
TRACKED_METHODS = frozenset({"backward", "step", "zero_grad", "eval", "train"})
_BUILTINS = frozenset(dir(builtins))
_COMMAND_RUNNERS = frozenset({"fire.Fire", "typer.run", "absl.app.run", "jsonargparse.CLI"})
"""Library calls that run the function they are handed as a program's command."""
_LIBRARY_ROOTS = TORCH_ROOTS | OTHER_FRAMEWORKS | frozenset(sys.stdlib_module_names)
"""Top names of the libraries a training file imports: a project folder of such a name (`torch/`
in rlkit) is not what the project's files import by it."""
MAX_DEFINITION_HOPS = 6
"""Re-exports followed (`from .models import Net` in a package's `__init__.py`) before giving up."""
_THROUGH_PARAMETERS: set[int] = set()
"""Methods whose calls through parameters are being looked for (a cycle of such questions stops)."""
_UNKNOWN = object()
"""(a remembered answer not there yet: None is an answer)"""


_ATTRIBUTE_OF = lazy(r"(?<![\w.])[A-Za-z_]\w*\.([A-Za-z_]\w*)")
"""`name.attribute` in a file's text (the attribute is group 1)."""

class LoopModel:
    def __init__(
        self, module: cst.Module, path: str = "", project: ProjectView | None = None, source: object = None
    ) -> None:
        self.module = module
        self.path = path
        self.source = source
        self.project: ProjectView = project if project is not None else NO_PROJECT
        text = getattr(source, "text", None)
        star_aliases = (lambda dotted, level: self.project.star_imported_aliases(path, dotted, level)) if path else None
        self.ir: FileIR = build_file(module, path, text if isinstance(text, str) else None, star_aliases)
        self.ir.model = self
        self.flow = Flow(self)
        self._roles: RoleTable | None = None
        self._resolved: dict[tuple[int, int, bool, bool], tuple[FunctionInfo | None, CallSite, FunctionInfo]] = {}
        self._closing: set[int] = set()
        self._referencing: set[tuple[int, str]] = set()
        """Bindings' calls whose returned closure is being resolved (a name bound by calling itself)."""
        self._bindings: dict[tuple[int, str], Binding | None] = {}
        self._straight: dict[int, frozenset[int]] = {}
        self._resolving: set[tuple[int, str]] = set()
        self._loop_events: dict[int, Event] = {}
        self._function_events: dict[int, list[Event]] = {}
        self._grad_entering: dict[int, str] = {}
        self._returns_graph: dict[tuple[int, frozenset[str]], tuple[bool, ...]] = {}
        self._left_graphs: dict[tuple[int, frozenset[str]], frozenset[str]] = {}
        self._stepping: list[tuple[Loop, Event, list[Event]]] | None = None
        self._steps: list[TrainingStep] | None = None
        self._repeating: list[Loop] | None = None
        self._finding_steps = False
        self._returns_keys: dict[tuple[int, frozenset[str]], frozenset[str] | None] = {}
        self._kept_parameters: dict[int, frozenset[str]] = {}
        self._ordered: dict[int, list[dataflow.Placed]] = {}
        self._globals: dict[str, Definition | None] = {}
        self._returned_roles: dict[tuple[int, tuple[int, int] | None], tuple[str | None, ClassInfo | None]] = {}
        self._returned_role_sets: dict[int, frozenset[str | None]] = {}
        self._class_facts: dict[tuple[object, ...], bool] = {}
        self._assigned: dict[int, frozenset[str]] = {}
        self.call_guards: dict[int, dict[int, tuple[str, ...]]] = {}
        """Per function (by id), the tests each of its calls is made under (by the call's id)."""
        self._frozen: dict[tuple[str, int], Simple | None] = {}
        self._programs: dict[tuple[int, tuple[tuple[str, object], ...]], Node] = {}
        self._tested: dict[tuple[int, int], frozenset[str]] = {}
        self._lexical_grads: dict[int, dict[int, str]] = {}
        self._correlations: dict[int, tuple[Node, tuple[frozenset[str], bool]]] = {}
        self._reach: dict[int, frozenset[str]] = {}
        self._callers: dict[int, list[CallEdge]] = {}
        self._definitions: dict[tuple[int, str], Definition | None] = {}
        self._element_classes: dict[tuple[int, str], list[ClassInfo] | None] = {}
        self.dead_functions: dict[int, tuple[bool, FunctionInfo]] = {}
        """Per function of this file (by id), is it dead code (loopcheck.model.evaluation.dead_function;
        the function is kept beside the answer so that its id is not reused)."""
        self.budget_notes: list[str] = []
        self.consulted: dict[str, LoopModel] = {}
        """Other files of the project this model read definitions from (by path)."""

    @property
    def roles(self) -> RoleTable:
        # Built on first use, not in __init__: another file's model may be asked about its
        # definitions while this file's roles are still being classified. A lookup made while
        # the table is being built sees the part built so far.
        if self._roles is None:
            self._roles = RoleTable(self)
            self._roles.build()
        return self._roles

    # the project: which model owns a function, what a name defined elsewhere is ------------

    def at(self, function: FunctionInfo) -> LoopModel:
        """The model of the file that defines `function` (this one, or another file of the project)."""
        owner = function.file.model if function.file is not None else None
        if owner is None or owner is self:
            return self
        self.consulted.setdefault(owner.path, owner)
        return owner

    def at_class(self, cls: ClassInfo) -> LoopModel:
        owner = cls.file.model if cls.file is not None else None
        if owner is None or owner is self:
            return self
        self.consulted.setdefault(owner.path, owner)
        return owner

    def definition(self, dotted: str | None, function: FunctionInfo | None = None) -> Definition | None:
        """What a dotted name means when it is no local value: a function or class of this file,
        or one (or a module) imported from another file of the project. Remembered per name and
        function: it depends on the files' definitions and imports alone, never on roles."""
        if not dotted:
            return None
        key = (id(function), dotted)  # (the function lives as long as the project's models)
        known = self._definitions.get(key, _UNKNOWN)
        if known is _UNKNOWN:
            known = self._definitions[key] = self._definition(dotted, function)
        return known  # type: ignore[return-value]

    def _definition(self, dotted: str, function: FunctionInfo | None) -> Definition | None:
        head, *rest = dotted.split(".")
        found: Definition | None = None
        if function is not None:
            found = self.resolve_name(head, function) or self._nested_class(head, function)
            if _hidden_by_parameter(head, function) and self.cell_producing(head, function) is None:
                # `def evaluating(model, datas)`: the value passed, whatever `model` names outside
                # (`def train(env, agent, run=False)` calling `run(...)` calls what it was given, not `def run`)
                return None
        if found is None:
            found = self._global(head, 0)
        for attribute in rest:
            if found is None:
                return None
            found = _member(found, attribute, 0)
        return found

    def definition_at(self, dotted: str | None, function: FunctionInfo, node: cst.CSTNode) -> Definition | None:
        """`definition`, for a name used at a script's top level that the script imports more than
        once from different places (`import trainer_0426 as trainer`, later `import
        trainer_0426_with_hf as trainer`): what the import last above `node` brings; for a class it
        defines more than once (a notebook's later cell defining `Classifier` again), the
        definition last above `node`. In a function, a name it imports itself, from different
        places in different branches (`if dataset == "omniglot": import networks.network as net;
        return net.conv_net(n)` / `elif ...: import networks.network_regression as net; return
        net.mlp(1, 1)`), is what the import the function made last above the use brings."""
        if not dotted:
            return self.definition(dotted, function)
        head, *rest = dotted.split(".")
        top = function is self.ir.top
        if top:
            versions = self.ir.class_versions.get(head)
            if versions and not rest:
                # (a class defined again in a later cell: the definition last above the use)
                at = self.ir.order.get(id(node))
                before = [c for c in versions if at is not None and (o := self.ir.order.get(id(c.node))) is not None and o[0] < at[0]]
                if before:
                    return before[-1]
        ref = self._import_in_force(head, node, within=None if top else function)
        if ref is None:
            return self.definition(dotted, function)
        found: Definition | None = self._imported(ref, 1)
        for attribute in rest:
            if found is None:
                return None
            found = _member(found, attribute, 0)
        return found

    def _import_in_force(self, name: str, node: cst.CSTNode, within: FunctionInfo | None = None) -> ImportRef | None:
        """Of a name the file imports from two places or more, the import last above `node` (with
        `within`, only the imports made in that function's own body)."""
        sites = self.ir.import_sites.get(name)
        if not sites or len({(ref.module, ref.name, ref.level) for ref, _ in sites}) < 2:
            return None
        at = self.position(node).start
        span = self.position(within.node) if within is not None else None
        before = [
            ((where.line, where.column), index, ref)
            for index, (ref, site) in enumerate(sites)
            if ((where := self.position(site).start).line, where.column) < (at.line, at.column)
            and (span is None or (span.start.line, span.start.column) <= (where.line, where.column))
        ]
        return max(before)[2] if before else None

    def left_out_between(self, first: cst.CSTNode, last: cst.CSTNode) -> bool:
        """In a notebook, does a cell that is no valid Python (left out) lie between these two
        nodes? What it did (train the model, load weights) cannot be seen."""
        notebook = getattr(self.source, "notebook", None)
        if notebook is None or not notebook.skipped:
            return False
        numbers = {int(n) for n in re.findall(r"notebook cell (\d+) is no valid Python", "\n".join(notebook.skipped))}
        start, end = self.position(first).start.line, self.position(last).start.line
        return any(notebook.cells[index][0] in numbers for index in range(start, min(end - 1, len(notebook.cells))))

    def cell_of(self, node: cst.CSTNode) -> int | None:
        """In a notebook, the cell (counting from 1) the node starts in; None in a script."""
        notebook = getattr(self.source, "notebook", None)
        if notebook is None:
            return None
        line = self.position(node).start.line
        return notebook.cells[line - 1][0] if 1 <= line <= len(notebook.cells) else None

    def unbound(self, dotted: str | None, function: FunctionInfo) -> bool:
        """In a notebook whose cells did not all parse: is this a plain name that nothing in the
        file defines, imports or assigns, and no star import may bring? Its definition is in a cell
        that was left out, out of sight."""
        notebook = getattr(self.source, "notebook", None)
        if not getattr(notebook, "skipped", ()):
            return False
        if not dotted or "." in dotted or self.ir.star_imports or dotted in self.ir.imports:
            return False
        if dotted in _BUILTINS or self.definition(dotted, function) is not None:
            return False
        return self.roles.lookup(dotted, function) is None

    def _global(self, name: str, hops: int) -> Definition | None:
        if name in self._globals:
            return self._globals[name]
        self._globals[name] = None  # a cycle of re-exports resolves to nothing
        found: Definition | None = self.ir.top.nested.get(name) or self.ir.top_classes.get(name)
        ref = self.ir.import_refs.get(name)
        if found is None and ref is not None and hops < MAX_DEFINITION_HOPS:
            found = self._imported(ref, hops + 1)
        if found is None and hops < MAX_DEFINITION_HOPS:
            found = self._alias(name, hops)
        if found is None:
            found = self._cell_definition(name)
        if found is None and hops < MAX_DEFINITION_HOPS and not self._assigned_at_top(name):
            # (`model = BiLSTM_CRF(...)` in the module itself binds the name over what a star brings)
            for star in self.ir.star_imports:  # `from models import *`
                module = self.project.module(self.path, star.module, star.level)
                found = module._global(name, hops + 1) if module is not None and not name.startswith("_") else None
                if found is not None:
                    break
        self._globals[name] = found
        return found

    def _assigned_at_top(self, name: str) -> bool:
        return name in self._top_assigned

    @cached_property
    def _top_assigned(self) -> frozenset[str]:
        return frozenset(target for simple in self.ir.top.assignments for target in simple.targets)

    def is_notebook_cell(self, function: FunctionInfo) -> bool:
        """A marimo cell: a top-level `@app.cell` function of a file that imports marimo."""
        return self._is_marimo and function.parent is self.ir.top and _is_cell(function)

    def cell_producing(self, name: str, function: FunctionInfo) -> FunctionInfo | None:
        """In a marimo notebook, for a parameter of a cell: the cell that defines and returns it."""
        return self._cell_outputs.get(name) if self.is_notebook_cell(function) else None

    @cached_property
    def _cell_outputs(self) -> dict[str, FunctionInfo]:
        found: dict[str, FunctionInfo] = {}
        for cell in self.ir.functions:
            if cell.parent is self.ir.top and _is_cell(cell):
                for simple in cell.simples:
                    if simple.jump == "return":
                        for name in simple.returned_names:
                            found.setdefault(name, cell)
        return found

    def _cell_definition(self, name: str) -> Definition | None:
        """In a marimo notebook (`@app.cell def _(DQNAgent, env): ...`), a cell's parameters are
        the names other cells define and return: the class or function of that name defined in a
        cell."""
        if not self._is_marimo:
            return None
        cell = self._cell_outputs.get(name)
        if cell is None:
            return None
        cls = self.ir.classes.get(name)
        return cell.nested.get(name) or (cls if cls is not None and _defined_in(cls, cell) else None)

    @cached_property
    def _is_marimo(self) -> bool:
        return any(qualified == "marimo" or qualified.startswith("marimo.") for qualified in self.ir.imports.values())

    def _alias(self, name: str, hops: int) -> Definition | None:
        """`Exp = Exp_Informer` at module level, the name's only binding in the file: the name is
        that function or class."""
        aliased = [
            simple.value for simple in self.ir.top.simples
            if name in simple.targets or name in simple.subscript_targets
        ]
        if len(aliased) != 1 or not isinstance(aliased[0], (cst.Name, cst.Attribute)) or name in self.ir.imports:
            return None
        dotted = dotted_name(aliased[0])
        if dotted is None or dotted.split(".", 1)[0] == name:
            return None
        head, *rest = dotted.split(".")
        found = self._global(head, hops)
        for attribute in rest:
            found = _member(found, attribute, hops) if found is not None else None
        return found if isinstance(found, (FunctionInfo, ClassInfo)) else None

    def _imported(self, ref: ImportRef, hops: int) -> Definition | None:
        if ref.name is None:
            return self.project.module(self.path, ref.module, ref.level)
        joined = f"{ref.module}.{ref.name}" if ref.module else ref.name
        module = self.project.module(self.path, ref.module, ref.level) if (ref.module or ref.level) else None
        if module is not None and os.path.basename(module.path) != "__init__.py":
            # `from TD3 import TD3` next to TD3.py: a module file has no submodules, its class is meant
            # (not `TD3/TD3.py` read as a package `TD3` from the project's root)
            member = _member(module, ref.name, hops)
            if member is not None:
                return member
        if module is not None and module._binds_at_top(ref.name):
            # `from src.eval import test` where `src/eval/__init__.py` says `from .test import test`:
            # the package's own binding of the name replaces its submodule `test` (Python's order)
            member = _member(module, ref.name, hops)
            if member is not None:
                return member
        submodule = self.project.module(self.path, joined, ref.level)
        if submodule is not None:
            return submodule
        module = self.project.module(self.path, ref.module, ref.level) if (ref.module or ref.level) else None
        return _member(module, ref.name, hops) if module is not None else None

    def _binds_at_top(self, name: str) -> bool:
        """Does the module's top level bind `name` itself (a def, a class, an import naming it, an
        assignment), not through a star import?"""
        top = self.ir.top
        return name in top.nested or name in self.ir.top_classes or (
            name in self.ir.import_refs and self.ir.import_refs[name].name is not None
        ) or self._assigned_at_top(name)

    @staticmethod
    def _nested_class(name: str, function: FunctionInfo) -> ClassInfo | None:
        """A class defined in the body of the function or of one around it."""
        return _innermost(function, lambda scope: scope.nested_classes.get(name))

    def resolve_name(self, name: str, function: FunctionInfo) -> FunctionInfo | None:
        """A function defined in the body of the function or of one around it."""
        return _innermost(function, lambda scope: scope.nested.get(name))

    def resolve_call(
        self, call: CallSite, function: FunctionInfo, via_callers: bool = True, constructors: bool = False
    ) -> FunctionInfo | None:
        """The project function a call runs, when it can be known (here or in another file).
        `via_callers=False` does not follow parameters back to their callers' arguments;
        `constructors=True` counts `Trainer(...)` as a call of `Trainer.__init__`.
        Remembered per call, function and options once no role table is being built (the
        rules ask about the same calls many times)."""
        key = (id(call), id(function), via_callers, constructors)
        known = self._resolved.get(key)
        if known is not None:
            return known[0]  # (the call and function are kept with the answer: their ids stay theirs)
        found = self._resolve_call(call, function, via_callers, constructors)
        if not BUILDING[0]:
            self._resolved[key] = (found, call, function)
        return found

    def _resolve_call(
        self, call: CallSite, function: FunctionInfo, via_callers: bool, constructors: bool
    ) -> FunctionInfo | None:
        if call.inner is not None:
            # `Tester(model, loader).run()`: a method of the project class just built
            made = self.definition(call.inner.dotted, function) if call.method and call.inner.inner is None else None
            return self.method_of(made, call.method) if isinstance(made, ClassInfo) else None
        if call.dotted is None:
            return None
        if "." not in call.dotted:
            found = self.definition(call.dotted, function)
            if isinstance(found, FunctionInfo):
                found = self.defined_in_force(found, function, call.node)
            if isinstance(found, FunctionInfo) and self.rebound_before(call.dotted, function, found.node, call.node):
                found = None  # `def model(xb): ...` and later `model = nn.Linear(...)`: the object is called
            if isinstance(found, FunctionInfo):
                return found
            if constructors and isinstance(found, ClassInfo):
                return self.method_of(found, "__init__")
            if found is None:
                return self._instance_call(call.dotted, function, via_callers, call)
            return None
        receiver, _, method = call.dotted.rpartition(".")
        cls = None
        if receiver == "self" and function.cls is not None:
            cls = function.cls
        elif "." not in receiver or receiver.startswith("self."):
            binding = self.binding(receiver, function) if via_callers else self.roles.lookup(receiver, function)
            if not via_callers and receiver in function.params and (binding is None or (binding.cls is None and not binding.classes)):
                # `def train_model(trainer: Trainer, ...)`: the parameter's annotation, read where it is
                binding = self._annotated_binding(receiver, function) or binding
            binding = self._in_force(receiver, function, call, binding)
            cls = binding.cls if binding is not None else None
            if cls is None and binding is not None and binding.classes:
                # one of several project classes that all inherit the method (`Decoder.predict` of a
                # GRU, LSTM or Transformer decoder): that one method runs
                inherited = {id(m): m for m in (self.method_of(c, method) for c in binding.classes)}
                if len(inherited) == 1 and None not in inherited.values():
                    return next(iter(inherited.values()))
            if binding is None and "." not in receiver and receiver not in function.params:
                elements = self.element_methods(call, function)
                if elements:
                    return elements[0] if len(elements) == 1 else None
                found = self.definition_at(call.dotted, function, call.node)  # `utils.train(...)`, `Trainer.fit(...)`
                return found if isinstance(found, FunctionInfo) else None
        else:
            found = self.definition(call.dotted, function)
            if isinstance(found, FunctionInfo):
                return found
            # `trainer.policy_net.get_action(s)`: a method of the class of an object's attribute
            binding = self.binding(receiver, function) if via_callers else None
            wrapped = binding is None and via_callers and receiver.endswith(".module")
            if wrapped:
                # `net.module.classify(x)`: the module a DataParallel wrapper holds, of the class built
                binding = self.binding(receiver[: -len(".module")], function)
            cls = binding.cls if binding is not None else None
            if cls is None and wrapped and binding is not None:
                # `model.module.sample(n)` of a `DDP(Net())` handed in by callers: the wrapped class
                inner = {id(c): c for c in evaluation.candidate_classes(self.at(binding.function), binding)}
                cls = next(iter(inner.values())) if len(inner) == 1 else None
            if cls is None:
                return None
        if cls is None:
            return self._instance_call(call.dotted, function, via_callers) if receiver.startswith("self.") else None
        found = self.method_of(cls, method)
        if found is None and receiver == "self":
            return self._instance_call(call.dotted, function, via_callers)  # `self.loss_scaler(...)`
        return found

    def defined_in_force(self, found: FunctionInfo, function: FunctionInfo, used: cst.CSTNode) -> FunctionInfo:
        """A script (a notebook's cells) defining `test`, or an LBFGS `closure`, again and again: a
        name used at the top level means the definition made last before the use."""
        if function is not self.ir.top or found.parent is not self.ir.top:
            return found
        defined = self._top_functions_named.get(found.name, ())
        if len(defined) < 2:
            return found
        return self._defined_last_before(list(defined), used) or found

    def _defined_last_before(self, functions: list[FunctionInfo], used: cst.CSTNode) -> FunctionInfo | None:
        """Of several definitions of one name, the last made before `used` in source order."""
        places = self.places([used, *(f.node for f in functions)])
        if places is None:
            return None
        before = [(place[0], index) for index, place in enumerate(places[1:]) if place[0] < places[0][0]]
        return functions[max(before)[1]] if before else None

    def rebound_before(self, name: str, function: FunctionInfo, defined: cst.CSTNode, used: cst.CSTNode) -> bool:
        """Is `name`, defined by `defined` (a def), assigned again in the scope after it and before
        `used`, in source order (a script rebinding a name it first gave a function)?"""
        bindings = self.roles.bindings_of(name, function)
        if not bindings:
            return False
        places = self.places([defined, used, *(binding.statement.node for binding in bindings)])
        if places is None:
            return False
        (start, _), (end, _) = places[0], places[1]
        return any(start < place[0] < end for place in places[2:])

    def nearest_binding(self, name: str, function: FunctionInfo, used: cst.CSTNode) -> Binding | None:
        """The last assignment of `name` in the scope before `used`, in source order."""
        bindings = self.roles.bindings_of(name, function)
        if not bindings:
            return None
        places = self.places([used, *(b.statement.node for b in bindings)])
        if places is None:
            return None
        end = places[0][0]
        before = [(place[0], -index) for index, place in enumerate(places[1:]) if place[0] < end]
        return bindings[-max(before)[1]] if before else None

    def reaching_binding(self, name: str, function: FunctionInfo, call: CallSite) -> Binding | None:
        """The assignment of `name` in force at the call: the last one above it that can run on
        the same path (not in an arm of a test that excludes the call's: `if clip: model =
        train(clip_model)` `else: model = train(model)`)."""
        bindings = {id(b.statement): b for b in self.roles.bindings_of(name, function)}
        placed = self.ordered_statements(function)
        at = next((i for i, p in enumerate(placed) if any(c is call for c in p.simple.calls)), None)
        if at is None:
            return None
        guards = placed[at].guards
        for item in reversed(placed[:at]):
            found = bindings.get(id(item.simple))
            if found is not None and state.same_branch(item.guards, guards):
                return found
        return None

    def places(self, nodes: list[cst.CSTNode]) -> list[tuple[int, int]] | None:
        """Where each node starts and ends, comparable among themselves in source order: the
        numbers the build pass counted (`FileIR.order`, no positions needed) when it knows every
        node, else their first and last lines; None when a node is not of this file."""
        order = self.ir.order
        counted = [order.get(id(node)) for node in nodes]
        if None not in counted:
            return counted  # type: ignore[return-value]
        if any(node not in self._positions for node in nodes):
            return None
        return [(self.position(node).start.line, self.position(node).end.line) for node in nodes]

    def _in_force(self, name: str, function: FunctionInfo, call: CallSite, binding: Binding | None) -> Binding | None:
        """`in_force` for what a call resolves to: an assignment that built a project class."""
        return self.in_force(name, function, call, binding, lambda current: current.cls is not None)

    def in_force(
        self, name: str, function: FunctionInfo, call: CallSite, binding: Binding | None, telling: Callable[[Binding], bool]
    ) -> Binding | None:
        """A script's (a notebook's) names are bound again and again (`model = Net()` in one cell,
        `model = VAE(...)` in a later one): the object a call at its top level uses is the one the
        assignment in force, the last above the call, built, when that assignment tells what the
        object is (`telling`); else `binding`."""
        if binding is not None and function.name == "<module>" and "." not in name:
            current = self.nearest_binding(name, function, call.node)
            if current is not None and current is not binding and telling(current):
                return current
        return binding

    def _instance_call(self, name: str, function: FunctionInfo, via_callers: bool, call: CallSite | None = None) -> FunctionInfo | None:
        """`loss_scaler(loss, optimizer)` on an instance of a project class: its `__call__` (a model's
        call runs its forward: that is a model call, not code to inline)."""
        binding = self.binding(name, function) if via_callers else self.roles.lookup(name, function)
        if call is not None:
            binding = self._in_force(name, function, call, binding)
        if binding is not None and binding.cls is None and binding.call is not None and "." not in name:
            return self.returned_closure(binding)
        if binding is not None and binding.cls is None and name.startswith("self.") and name.count(".") == 1 and function.cls is not None:
            return self._method_referenced(name, function.cls)  # `self.loss = self.model.loss`
        if binding is None or binding.cls is None or self.is_module_class(binding.cls):
            return None
        return self.method_of(binding.cls, "__call__")

    def _method_referenced(self, name: str, cls: ClassInfo) -> FunctionInfo | None:
        """The project function an attribute is bound to in every arm that can run (`self.loss =
        self.model.loss` of a model whose class defines `loss`, `self.step_fn = train_step`): calling
        the attribute runs it. An arm that every construction of the object rules out (`if loss:
        self.loss = loss` with no caller passing `loss`) binds nothing."""
        key = (id(cls), name)
        if key in self._referencing:
            return None
        self._referencing.add(key)
        try:
            owner = self.at_class(cls)
            found: dict[int, FunctionInfo] = {}
            for bound in owner.roles.attributes.get(id(cls), {}).get(name, []):
                value = bound.statement.value
                dotted = dotted_name(value) if isinstance(value, (cst.Name, cst.Attribute)) and not bound.statement.augmented else None
                if dotted is None:
                    return None  # `self.loss = nn.CrossEntropyLoss()`: an object, not a function named
                target = owner._function_named(dotted, bound.function)
                if target is None and owner._ruled_out_at_every_call(bound):
                    continue
                if target is None:
                    return None
                found[id(target)] = target
            return next(iter(found.values())) if len(found) == 1 else None
        finally:
            self._referencing.discard(key)

    def _function_named(self, dotted: str, function: FunctionInfo) -> FunctionInfo | None:
        """The project function a name refers to without calling it: `train_step`, `self.compute`,
        `self.model.loss` (a method of the project class of `self.model`)."""
        receiver, _, method = dotted.rpartition(".")
        if not receiver:
            found = self.definition(dotted, function)
            return found if isinstance(found, FunctionInfo) else None
        if receiver == "self":
            return self.method_of(function.cls, method) if function.cls is not None else None
        bound = self.binding(receiver, function)
        if bound is not None and bound.cls is None and bound.classes:
            # one of several project classes that all inherit the method: that one method
            methods = {id(m): m for m in (self.method_of(c, method) for c in bound.classes)}
            return next(iter(methods.values())) if len(methods) == 1 else None
        return self.method_of(bound.cls, method) if bound is not None and bound.cls is not None else None

    def _ruled_out_at_every_call(self, bound: Binding) -> bool:
        """Is the statement binding it in an arm of a test on the function's parameters that every
        call of the function rules out?"""
        # (walked here, not `ordered_statements`: no grad mode is needed, and working out the mode
        # entering the function asks for the roles being resolved)
        placed = next((p for p in dataflow.walk(bound.function.body, "on") if p.simple is bound.statement), None)
        guards = placed.guards if placed is not None else ()
        callers = self.callers(bound.function) if guards else []
        return bool(callers) and all(
            any(decide(g, known) is False for g in guards)
            for known in (arguments_known(bound.function, edge.call, caller=edge.caller) for edge in callers)
        )

    def returned_closure(self, binding: Binding) -> FunctionInfo | None:
        """`train_step = model.trainer(optimizer, loader)` where the project function defines
        `def train(i, ...)` inside and returns it: calling `train_step(...)` runs that function."""
        if binding.call is None or id(binding.call) in self._closing:
            return None  # (`step = step(...)`: the call that binds the name calls what the name was)
        self._closing.add(id(binding.call))
        try:
            factory = self.at(binding.function).resolve_call(binding.call, binding.function, via_callers=False)
        finally:
            self._closing.discard(id(binding.call))
        if factory is None or not factory.nested:
            return None
        returned = {name for simple in factory.simples if simple.jump == "return" for name in simple.returned_names}
        inner = [factory.nested[name] for name in sorted(returned) if name in factory.nested]
        return inner[0] if len(inner) == 1 else None

    def method_of(self, cls: ClassInfo, method: str) -> FunctionInfo | None:
        for candidate in self.class_chain(cls):
            if method in candidate.methods:
                return candidate.methods[method]
        return None

    def constructed(
        self, call: CallSite | None, function: FunctionInfo
    ) -> tuple[str | None, ClassInfo | None, str | None]:
        """(role, class, qualified name) of what a call builds: a project class, what a project
        factory returns, or a library object known by its name."""
        if call is None:
            return None, None, None
        if call.dotted is None and isinstance(call.node.func, cst.Subscript):
            return self._built_from_registry(call, function)
        qualified = qualify(call.dotted, self.ir.imports)
        made = self.definition_at(call.dotted, function, call.node) if call.inner is None else None
        if made is None and call.inner is None and call.dotted is not None and "." not in call.dotted and (
            call.dotted not in self.ir.import_refs and call.dotted not in self.ir.imports
            and self.roles.lookup(call.dotted, function) is not None
        ):
            # `output = vgg16(data)` where `vgg16 = models.vgg16(pretrained=True)` above: a call of
            # an object the code bound, whose name only looks like a library factory's
            return None, None, None
        if isinstance(made, ClassInfo) and call.dotted in self.ir.import_refs and self.ir.classes.get(call.dotted) is made:
            # `try: from torch.cuda.amp import GradScaler` / `except: class GradScaler: ...`: a stand-in
            # for old versions; the imported class is what runs where it can
            role = classify_constructor(qualified)
            if role is not None:
                return role, None, qualified
        if isinstance(made, ClassInfo):
            return self.class_role(made), made, qualified
        if isinstance(made, FunctionInfo):
            role, cls = self.at(made).returned_role(made)
            if role is not None:
                return role, cls, qualified
        handed = _torch_module_handed(call, self.ir.imports)
        if handed is not None and not isinstance(made, ClassInfo):
            # `config.init_obj("lr_scheduler", torch.optim.lr_scheduler, optimizer)`: a factory that
            # builds the class a setting names from the torch module it is handed
            return handed
        if call.inner is not None and call.method is not None and call.method not in RETURNS_SELF:
            # `Scorer(sizes).fit(X)`: what the method of the object just built returns (itself)
            method = self.resolve_call(call, function, via_callers=False)
            if method is not None:
                role, cls = self.at(method).returned_role(method)
                if role is not None:
                    return role, cls, None
        return classify_constructor(qualified), None, qualified

    def _built_from_registry(self, call: CallSite, function: FunctionInfo) -> tuple[str | None, ClassInfo | None, str | None]:
        """`BuildScheduler[kind](optimizer)` where a module of the project binds `BuildScheduler` to a
        dict of its classes (`{"noam": NoamScheduler, "step": StepScheduler}`): a scheduler (or an
        optimizer) when they all are one, a project class of torch's kind or not (the first class
        stands for them); a model or another object when the dict holds one class only."""
        classes = self.registry_classes(call, function)
        if not classes:
            return None, None, None
        roles = {self.at_class(cls).class_role(cls) for cls in classes}
        role = roles.pop() if len(roles) == 1 else None
        if role in (SCHEDULER, OPTIMIZER) or (role is not None and len(classes) == 1):
            return role, classes[0], None
        return role, None, None  # (a model or object of one of several classes: which one is not known)

    def element_role(self, container: str, function: FunctionInfo) -> tuple[str | None, Binding | None]:
        """The role shared by the elements of a dict, list or tuple literal bound to `container`
        (`{"g": Adam(...), "d": Adam(...)}`), and that binding; (None, None) when not one."""
        bound = self.binding(container, function)
        if bound is None or bound.statement.value is None:
            return None, None
        value = bound.statement.value
        if isinstance(value, cst.Call) and (bound.qualified or "").rsplit(".", 1)[-1] in MODULE_CONTAINERS:
            return MODEL, bound  # `self.blocks = nn.ModuleList([...])`: each element is a module
        if isinstance(value, (cst.ListComp, cst.GeneratorExp)) and any(
            self.constructed(call, bound.function)[0] == MODEL for call in self._calls_within(value.elt, bound.function)
        ):
            return MODEL, bound  # `[Block(d) for _ in range(n)]`
        if _empty_containers(value):
            # `self.layers = []`, then `self.layers = self.layers + [Layer(d_in, d_out)]` in a loop:
            # modules when every later value adds modules to it
            owner = self.at(bound.function)
            later = [st for st in bound.function.simples if container in st.targets and st is not bound.statement]
            if later and all(owner._adds_modules(st, bound.function, container) for st in later):
                return MODEL, bound
        if not isinstance(value, (cst.Dict, cst.List, cst.Tuple)):
            return None, None
        elements = {id(e.value) for e in value.elements if isinstance(e, (cst.DictElement, cst.Element))}
        owner = self.at(bound.function)
        roles = {
            owner.constructed(call, bound.function)[0] or owner.roles.role(call.dotted or "", bound.function)
            for call in bound.statement.calls
            if id(call.node) in elements
        }
        if len(roles) == 1:
            role = next(iter(roles))
            return (role, bound) if role in (OPTIMIZER, SCHEDULER, MODEL) else (None, None)
        return None, None

    def _adds_modules(self, statement: Simple, function: FunctionInfo, container: str) -> bool:
        """`self.layers = self.layers + [Layer(d_in, d_out).to(device)]`: the list it held, with
        modules (of project classes or torch's) added."""
        value = statement.value
        if type(value) is not cst.BinaryOperation or type(value.operator) is not cst.Add:
            return False
        added = [side for side in (value.left, value.right) if type(side) is cst.List and side.elements]
        kept = [side for side in (value.left, value.right) if all(side is not a for a in added)]
        if not added or not all(dotted_name(side) == container for side in kept):
            return False
        elements = {id(e.value) for side in added for e in side.elements}
        built = [call for side in added for call in self._calls_within(side, function) if id(call.node) in elements]
        return len(built) == len(elements) and all(
            self.constructed(_unwrapped(call), function)[0] == MODEL for call in built
        )

    def _calls_within(self, node: cst.CSTNode, function: FunctionInfo) -> list[CallSite]:
        """The calls of the function made inside `node` (a comprehension's element, whose calls
        the builder keeps apart from the statement binding the comprehension)."""
        inside = {id(n) for n in nodes_within(node) if type(n) is cst.Call}
        return [call for simple in function.simples for call in simple.calls if id(call.node) in inside]

    def _classes_passed(self, name: str, function: FunctionInfo) -> list[ClassInfo]:
        """The project classes the callers pass for the parameter `name` (empty unless every
        caller passes one)."""
        index = function.argument_index(name)
        classes: list[ClassInfo] = []
        for edge in self.callers(function):
            arg = edge.call.arg(index, name) if index >= 0 else None
            found = self.at(edge.caller).definition(arg.dotted, edge.caller) if arg is not None else None
            if not isinstance(found, ClassInfo):
                return []
            classes.append(found)
        return classes

    def _classes_assigned(self, name: str, function: FunctionInfo) -> list[ClassInfo]:
        """The project classes a local name is set to (`Model = NCModel` in one branch, `Model =
        LPModel` in another); empty unless every assignment of it in the function names one."""
        classes: list[ClassInfo] = []
        for assignment in function.assignments:
            if name not in assignment.targets:
                continue
            value = assignment.value
            dotted = dotted_name(value) if isinstance(value, (cst.Name, cst.Attribute)) else None
            found = self.definition(dotted, function) if dotted else None
            if found is None and dotted is not None and self._free_name(dotted, function):
                continue  # `Model = RECModel`, a name nothing defines: that branch raises NameError
            if list(assignment.targets) != [name] or not isinstance(found, ClassInfo):
                return []
            classes.append(found)
        return classes

    def _free_name(self, name: str, function: FunctionInfo) -> bool:
        """A plain name a script (not a notebook, whose cells may be lost) neither defines, imports,
        assigns nor takes as a parameter, with no star import that could bring it."""
        return (
            "." not in name and self.path.endswith(".py") and not self.ir.star_imports
            and name not in self.ir.import_refs and name not in _BUILTINS
            and self.roles.lookup(name, function) is None
            and not any(name in f.params or name in f.nested for f in self.ir.functions)
            and name not in self.ir.classes
        )

    def passes_through(self, function: FunctionInfo) -> int | None:
        """The position of the parameter a helper returns on every path, possibly moved
        (`return x.cuda() if gpu else x`), else None."""
        if function.cls is not None or not function.params:
            return None
        returned: set[str] = set()
        for simple in function.simples:
            if simple.jump != "return":
                continue
            values = _branches(simple.value)
            if not values:
                return None
            for value in values:
                while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in RETURNS_SELF:
                    value = value.func.value
                if not isinstance(value, cst.Name):
                    return None
                returned.add(value.value)
        if len(returned) != 1:
            return None
        name = next(iter(returned))
        return function.params.index(name) if name in function.params else None

    def returned_role(
        self, function: FunctionInfo, element: tuple[int, int] | None = None
    ) -> tuple[str | None, ClassInfo | None]:
        """The role of what a factory function returns, when every return agrees; with `element`
        (position, size), of that element of the tuple it returns."""
        key = (id(function), element)
        if key in self._returned_roles:
            return self._returned_roles[key]
        self._returned_roles[key] = (None, None)  # recursion sees "unknown"
        results: set[tuple[str | None, int]] = set()
        classes: dict[int, ClassInfo | None] = {}
        for simple in function.simples:
            if simple.jump != "return" or simple.value is None:
                continue
            value: cst.BaseExpression | None = simple.value
            if element is not None:
                items = value.elements if isinstance(value, cst.Tuple) else ()
                value = items[element[0]].value if len(items) == element[1] else None
            if isinstance(value, cst.Name) and value.value == "self" and function.cls is not None and element is None:
                # `def fit(self, X): ...; return self`: the object the method is called on
                role, cls = self.class_role(function.cls), function.cls
            elif isinstance(value, cst.Name):
                self.roles.ensure(function)
                every = [b for b in self.roles.bindings_of(value.value, function) if not binds_none(b.statement)]
                if len({(b.role, id(b.cls)) for b in every}) > 1 and all(b.cls is not None for b in every):
                    # `model = transE(config)` in one arm, `model = rotatE(config)` in another: one
                    # of several classes, which one is not known (see `returned_classes`)
                    for b in every:
                        results.add((b.role, id(b.cls)))
                        classes[id(b.cls)] = b.cls
                    continue
                bound = self.roles.lookup(value.value, function)
                role, cls = (bound.role, bound.cls) if bound is not None else (None, None)
            elif isinstance(value, cst.Call) and simple.calls:
                made = next((c for c in simple.calls if c.node is value), None)
                role, cls, _ = self.constructed(made, function) if made is not None else (None, None, None)
            else:
                role, cls = None, None
            results.add((role, id(cls)))
            classes[id(cls)] = cls
        if element is None:
            self._returned_role_sets[id(function)] = frozenset(role for role, _ in results)
        answer: tuple[str | None, ClassInfo | None] = (None, None)
        if len(results) == 1:
            role, cls_id = next(iter(results))
            answer = (role, classes[cls_id])
        self._returned_roles[key] = answer
        return answer

    def returned_qualified(self, function: FunctionInfo, element: tuple[int, int]) -> str | None:
        """What the library class of that element of the tuple a factory returns is (`loss_fn` of
        `return model, loss_fn, optimizer` bound to `nn.CrossEntropyLoss()`), when every return
        agrees; None when it cannot be told."""
        found: set[str | None] = set()
        for simple in function.simples:
            if simple.jump != "return" or simple.value is None:
                continue
            items = simple.value.elements if isinstance(simple.value, cst.Tuple) else ()
            value = items[element[0]].value if len(items) == element[1] else None
            if isinstance(value, cst.Name):
                self.roles.ensure(function)
                bound = self.roles.lookup(value.value, function)
                found.add(bound.qualified if bound is not None else None)
            elif isinstance(value, cst.Call):
                made = next((c for c in simple.calls if c.node is value), None)
                found.add(self.constructed(made, function)[2] if made is not None else None)
            else:
                found.add(None)
        return found.pop() if len(found) == 1 else None

    def returned_classes(self, function: FunctionInfo) -> list[ClassInfo]:
        """The project classes a factory's returns construct (`if "gru" in name: return
        GRUDecoder()` / `elif ...: return LSTMDecoder()`, or a name each of whose assignments builds
        one), when every return builds one; else none."""
        made = self.returned_constructions(function)
        found: list[ClassInfo] = []
        for call, cls in made:
            # (`return MODEL_REGISTRY[name]()`: one of the dict's classes)
            each = [cls] if cls is not None else self.registry_classes(call, function, through_callers=False) if call is not None else None
            if not each:
                return []
            found.extend(c for c in each if all(c is not known for known in found))
        return found

    def returned_constructions(self, function: FunctionInfo) -> list[tuple[CallSite | None, ClassInfo | None]]:
        """Each construction a factory's returns give, with the project class it builds (None where
        it builds none): the call returned (`return Net(...)`), or each assignment of a name
        returned (`model = transE(config)` / `model = rotatE(config)`, then `return model`)."""
        made: list[tuple[CallSite | None, ClassInfo | None]] = []
        for simple in function.simples:
            if simple.jump != "return":
                continue
            if isinstance(simple.value, cst.Name):
                self.roles.ensure(function)
                made.extend((b.call, b.cls) for b in self.roles.bindings_of(simple.value.value, function))
            else:
                call = next((c for c in simple.calls if c.node is simple.value), None) if isinstance(simple.value, cst.Call) else None
                made.append((call, self.constructed(call, function)[1] if call is not None else None))
        return made

    def returned_roles_each(self, function: FunctionInfo) -> frozenset[str | None]:
        """The role of what each `return` of the function gives (None where it cannot be told)."""
        if id(function) not in self._returned_role_sets:
            self.returned_role(function)
        return self._returned_role_sets.get(id(function), frozenset())

    # classes, across files --------------------------------------------------------------

    def base_classes(self, cls: ClassInfo) -> list[ClassInfo | str]:
        """Each base of `cls`: its definition when it is a project class, else the base's last name."""
        owner = self.at_class(cls)
        bases: list[ClassInfo | str] = []
        for base in cls.bases:
            found = owner.definition(base, None) if base else None
            bases.append(found if isinstance(found, ClassInfo) and found is not cls else base.rsplit(".", 1)[-1])
        return bases

    def class_chain(self, cls: ClassInfo) -> list[ClassInfo]:
        """`cls` and its project base classes, nearest first."""
        chain = [cls]
        index = 0
        while index < len(chain) and len(chain) < 32:
            for base in self.base_classes(chain[index]):
                if isinstance(base, ClassInfo) and base not in chain:
                    chain.append(base)
            index += 1
        return chain

    def _class_fact(self, cls: ClassInfo, fact: str, own: bool, library_bases: frozenset[str]) -> bool:
        key = (fact, id(cls))
        if key not in self._class_facts:
            self._class_facts[key] = own or any(
                (base in library_bases) if isinstance(base, str) else self._class_fact(
                    base, fact, self._own_fact(base, fact), library_bases
                )
                for base in self.base_classes(cls)
            )
        return self._class_facts[key]

    @staticmethod
    def _own_fact(cls: ClassInfo, fact: str) -> bool:
        if fact == "module":
            # a module whose base class lives elsewhere (ModelMixin, ...); a plain class with a
            # `forward` method of its own (no base class) is not one
            return "forward" in cls.methods and any(base not in ("", "object") for base in cls.bases)
        if fact == "optimizer":
            return "step" in cls.methods and "zero_grad" in cls.methods
        return False

    def is_module_class(self, cls: ClassInfo) -> bool:
        return self._class_fact(cls, "module", self._own_fact(cls, "module"), MODULE_BASES)

    def is_optimizer_class(self, cls: ClassInfo) -> bool:
        """A torch optimizer subclass, or a project class that steps and resets like one (a wrapper
        whose `zero_grad()` clears its inner optimizer's gradients)."""
        return self._class_fact(cls, "optimizer", self._own_fact(cls, "optimizer"), OPTIMIZER_BASES)

    def is_torch_optimizer_subclass(self, cls: ClassInfo) -> bool:
        """A subclass of torch's Optimizer: its inherited `zero_grad()` clears every parameter it
        was given, also those of any optimizer it holds inside over the same parameters."""
        return self._class_fact(cls, "torch optimizer", False, OPTIMIZER_BASES)

    def is_scheduler_class(self, cls: ClassInfo) -> bool:
        """A subclass of a torch learning-rate scheduler (a project schedule class of its own is not)."""
        return self._class_fact(cls, "scheduler", False, SCHEDULER_BASES)

    def is_test_case(self, cls: ClassInfo) -> bool:
        """A unittest TestCase: its methods are tests."""
        return self._class_fact(cls, "test case", False, frozenset({"TestCase", "IsolatedAsyncioTestCase"}))

    def class_role(self, cls: ClassInfo) -> str:
        if self.is_optimizer_class(cls):
            return OPTIMIZER
        if self.is_scheduler_class(cls):
            return SCHEDULER
        if self.is_module_class(cls):
            return MODEL
        return INSTANCE

    # calls ------------------------------------------------------------------------------

    @cached_property
    def call_graph(self) -> dict[int, list[CallEdge]]:
        """This file's calls of project functions, keyed by id of the called function (which may
        live in another file). Receivers are resolved from local bindings only, never through
        callers, so building the graph never needs the graph."""
        graph: dict[int, list[CallEdge]] = {}
        for function in self.ir.functions:
            for simple in function.simples:
                for call in simple.calls:
                    target = self.resolve_call(call, function, via_callers=False, constructors=True)
                    if target is not None:
                        graph.setdefault(id(target), []).append(CallEdge(function, call))
                    for candidate in self._candidate_methods(call, function) + self._imported_alternatives(call) + (
                        self._registry_methods(call, function) + self._overrides(call, function) + self._sub_commands(call, function)
                        + self._redefinitions(call, function) + self.element_methods(call, function)
                    ):
                        if candidate is not target:
                            graph.setdefault(id(candidate), []).append(CallEdge(function, call))
                    launched = _launched(call)
                    started = self.resolve_call(launched, function, via_callers=False) if launched is not None else None
                    if started is not None:
                        graph.setdefault(id(started), []).append(CallEdge(function, launched, launched=True))
        return graph

    def element_methods(self, call: CallSite, function: FunctionInfo) -> list[FunctionInfo]:
        """`for user in self.users: user.test()` where every element put in `self.users` (a list
        display, a comprehension, `.append(...)` calls) is an instance of a project class: the
        method each of those classes runs (once per distinct function); empty when the receiver is
        no such loop element or any element, or its method, is not known."""
        if call.dotted is None or call.inner is not None or call.dotted.count(".") != 1:
            return []
        receiver, _, method = call.dotted.partition(".")
        if receiver in function.params or self.roles.bindings_of(receiver, function):
            return []
        containers = {loop_element_container(loop, receiver) for loop in loops_giving(call, function)}
        if len(containers) != 1 or None in containers:
            return []
        classes = self.element_classes(containers.pop() or "", function)
        found: list[FunctionInfo] = []
        for cls in classes or ():
            candidate = self.at_class(cls).method_of(cls, method)
            if candidate is None:
                return []  # (inherited from a library class, or not there at all)
            if all(candidate is not f for f in found):
                found.append(candidate)
        return found

    def element_classes(self, container: str, function: FunctionInfo) -> list[ClassInfo] | None:
        """The project classes of the elements of a list a function (`users`) or a class
        (`self.users`, in its methods and in those of its bases and subclasses) fills: every element
        bound in a display or comprehension, or appended, must build one (`User(...)`, or a name
        bound to one); None when one of them is not known, or nothing is put in it."""
        if container.startswith("self.") and container.count(".") == 1 and function.cls is not None:
            key = (id(function.cls), container)
            classes = self.class_chain(function.cls) + self.subclasses(function.cls)
            bindings = [b for cls in classes for b in self.at_class(cls).roles.attributes.get(id(cls), {}).get(container, [])]
            scopes = [m for cls in classes for m in cls.methods.values()]
        elif "." not in container:
            key = (id(function), container)
            bindings = self.roles.bindings_of(container, function)
            scopes = list({id(b.function): b.function for b in bindings}.values()) or [function]
        else:
            return None
        if key not in self._element_classes:
            self._element_classes[key] = self._elements_built(container, bindings, scopes)
        return self._element_classes[key]

    def _elements_built(self, container: str, bindings: list[Binding], scopes: list[FunctionInfo]) -> list[ClassInfo] | None:
        elements: list[tuple[cst.BaseExpression, FunctionInfo, Simple]] = []
        for binding in bindings:
            value = binding.statement.value
            if list(binding.statement.targets) != [container]:
                return None  # (`users, items = ...`: which part is the list is not followed)
            if isinstance(value, (cst.List, cst.Tuple)):
                if any(not isinstance(e, cst.Element) for e in value.elements):
                    return None  # `[*others, ...]`
                elements.extend((e.value, binding.function, binding.statement) for e in value.elements)
            elif isinstance(value, cst.ListComp):
                elements.append((value.elt, binding.function, binding.statement))
            else:
                return None
        for scope in scopes:
            for simple in scope.simples:
                for call in simple.calls:
                    if call.dotted is None or not call.dotted.startswith(container + "."):
                        continue
                    if call.dotted == container + ".append" and len(call.node.args) == 1:
                        elements.append((call.node.args[0].value, scope, simple))
                    elif call.dotted.rpartition(".")[0] == container and call.method in ("extend", "insert", "__setitem__"):
                        return None  # elements put in another way
        classes: list[ClassInfo] = []
        for value, scope, simple in elements:
            owner = self.at(scope)
            if isinstance(value, cst.Call):
                built = next((c for c in _calls_in(scope, simple) if c.node is value), None)
                found = owner.definition(built.dotted, scope) if built is not None and built.inner is None else None
                if found is None and built is not None and built.inner is None and built.dotted and "." not in built.dotted:
                    # `AverageMeter()` of `AverageMeter = MovingAverageMeter` (or `RunningAverageMeter`
                    # in the other arm): one of the classes the name is set to
                    assigned = owner._classes_assigned(built.dotted, scope)
                    if assigned:
                        classes.extend(assigned)
                        continue
            elif isinstance(value, cst.Name):
                bound = owner.roles.lookup(value.value, scope)
                found = bound.cls if bound is not None else None
            else:
                found = None
            if not isinstance(found, ClassInfo):
                return None
            classes.append(found)
        return classes or None

    def _sub_commands(self, call: CallSite, function: FunctionInfo) -> list[FunctionInfo]:
        """`args.func(args)` where the file registered `parser_gen.set_defaults(func=generate)`
        (argparse's way of dispatching sub-commands: the parsed arguments hold the function given
        for the sub-command chosen): each function registered under that keyword may run here
        (for the call graph only)."""
        if call.inner is not None or call.method is None or call.receiver is None or "." in call.receiver:
            return []
        if call.receiver in function.params or not self._set_defaults:
            return []
        found: list[FunctionInfo] = []
        for dotted in self._set_defaults.get(call.method, ()):
            target = self.definition(dotted, function)
            if isinstance(target, FunctionInfo) and all(target is not f for f in found):
                found.append(target)
        return found

    @cached_property
    def _set_defaults(self) -> dict[str, list[str]]:
        """Keyword → the names given for it in the file's `set_defaults(...)` calls."""
        stored: dict[str, list[str]] = {}
        for function in self.ir.functions:
            for simple in function.simples:
                for call in simple.calls:
                    if call.method == "set_defaults":
                        for arg in call.args:
                            if arg.keyword is not None and arg.dotted is not None:
                                stored.setdefault(arg.keyword, []).append(arg.dotted)
        return stored

    def _registry_methods(self, call: CallSite, function: FunctionInfo) -> list[FunctionInfo]:
        """`model = models[name](...)` with `models` a dict display of project classes, then
        `model.fit(...)`: the method of each of those classes is called here (for the call graph only)."""
        if call.dotted is None or call.inner is not None or call.dotted.count(".") != 1:
            return []
        receiver, _, method = call.dotted.partition(".")
        found: list[FunctionInfo] = []
        for binding in self.roles.bindings_of(receiver, function):
            classes = self.registry_classes(binding.call, binding.function, through_callers=False) if binding.cls is None else None
            if classes is None:
                return []
            for cls in classes:
                candidate = self.method_of(cls, method)
                if candidate is not None and all(candidate is not f for f in found):
                    found.append(candidate)
        return found

    def registry_classes(
        self, call: CallSite | None, function: FunctionInfo, through_callers: bool = True
    ) -> list[ClassInfo] | None:
        """`model_dict[name](args)` where `model_dict` is a dict display whose values are all project
        classes: those classes; None otherwise. The call graph, which cannot ask callers, looks the
        dict up among the names bound in sight only."""
        func = call.node.func if call is not None else None
        named = self._classes_named_by_prefix(func)
        if named is not None:
            return named
        if isinstance(func, cst.Call) and call is not None:
            # `get_model(cfg.mode)(cfg)`: the project function hands back a class, built at once
            return self._classes_handed_back(dotted_name(func.func), function)
        name = dotted_name(func.value) if isinstance(func, cst.Subscript) else None
        if not name:
            return None
        key = _literal_key(func) if isinstance(func, cst.Subscript) else None
        if key is not None and "." in name:
            # `settings.MODEL["model"](**settings.MODEL)`: the class a project module's settings dict
            # gives under that key (the dict's other values are numbers)
            keyed = self._class_under_key(name, key)
            if keyed is not None:
                return [keyed]
        bound = self.binding(name, function) if through_callers else self.roles.lookup(name, function)
        if bound is None and "." not in name and through_callers:
            return self._imported_registry(name)
        if bound is None:
            return None
        return self.at(bound.function)._classes_of_dict(bound.statement.value, bound.function)

    def _classes_named_by_prefix(self, func: cst.BaseExpression | None) -> list[ClassInfo] | None:
        """`globals()['Fast' + kind](...)` or `getattr(models, 'Fast' + kind)(...)` of a project
        module: a class of that module whose name begins with the literal part, so one of those the
        module defines with that prefix (None when it also imports a name so beginning, imports
        with `*`, or defines none: what it may give cannot be told)."""
        key: cst.BaseExpression | None = None
        module: LoopModel | None = None
        if isinstance(func, cst.Subscript) and isinstance(func.value, cst.Call) and not func.value.args and (
            isinstance(func.value.func, cst.Name) and func.value.func.value == "globals" and len(func.slice) == 1
        ):
            index = func.slice[0].slice
            key, module = (index.value if isinstance(index, cst.Index) else None), self
        elif isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "getattr" and len(func.args) == 2:
            target = dotted_name(func.args[0].value)
            ref = self.ir.import_refs.get(target) if target else None
            if ref is not None:
                dotted = ref.module if ref.name is None else (f"{ref.module}.{ref.name}" if ref.module else ref.name)
                module = self.project.module(self.path, dotted, ref.level)
                if module is not None:
                    self.consulted.setdefault(module.path, module)
            key = func.args[1].value
        if module is None or key is None:
            return None
        head = key.left if isinstance(key, cst.BinaryOperation) and isinstance(key.operator, cst.Add) else key
        prefix = literal_value(head) if isinstance(head, cst.SimpleString) else None
        if not isinstance(prefix, str) or not prefix or head is key:
            return None  # (a whole literal name is a plain lookup, read elsewhere)
        if module.ir.star_imports or any(name.startswith(prefix) for name in module.ir.import_refs):
            return None
        found = [cls for name, cls in module.ir.top_classes.items() if name.startswith(prefix)]
        return found or None

    def _class_under_key(self, name: str, key: str) -> ClassInfo | None:
        """The project class the dict display `module.NAME` of an imported project module maps `key`
        to (`MODEL = {"model": models.PureGRU, "hidden_size": 128}` in `settings.py`); None when
        the module, the display or a class there cannot be seen."""
        head, _, attribute = name.rpartition(".")
        ref = self.ir.import_refs.get(head)
        if ref is None or "." in attribute:
            return None
        dotted = ref.module if ref.name is None else (f"{ref.module}.{ref.name}" if ref.module else ref.name)
        module = self.project.module(self.path, dotted, ref.level)
        if module is None or module is self:
            return None
        top = module.ir.top
        values = [s.value for s in top.assignments if s.targets == (attribute,) and not s.augmented]
        if len(values) != 1 or not isinstance(values[0], cst.Dict):
            return None
        for element in values[0].elements:
            if isinstance(element, cst.DictElement) and literal_value(element.key) == key:
                found = module.definition(dotted_name(element.value), top)
                return found if isinstance(found, ClassInfo) else None
        return None

    def _classes_handed_back(self, name: str | None, function: FunctionInfo) -> list[ClassInfo] | None:
        """The project classes a project function returns (`if mode == "flow": return Model_flow`,
        other arms raising); None unless every return names one."""
        factory = self.definition(name, function) if name else None
        if not isinstance(factory, FunctionInfo) or factory.name == "<module>":
            return None
        inside = self.at(factory)
        classes: list[ClassInfo] = []
        for simple in factory.simples:
            if simple.jump != "return":
                continue
            found = inside.definition(dotted_name(simple.value), factory) if simple.value is not None else None
            if not isinstance(found, ClassInfo):
                return None
            if all(found is not known for known in classes):
                classes.append(found)
        return classes or None

    def _classes_of_dict(self, value: cst.BaseExpression | None, function: FunctionInfo) -> list[ClassInfo] | None:
        """The project classes a dict display maps its keys to (read in `function` of this file);
        None unless every value names one."""
        if not isinstance(value, cst.Dict) or not value.elements:
            return None
        classes: list[ClassInfo] = []
        for element in value.elements:
            found = self.definition(dotted_name(element.value), function) if isinstance(element, cst.DictElement) else None
            if not isinstance(found, ClassInfo):
                return None
            classes.append(found)
        return classes

    def _imported_registry(self, name: str, hops: int = 0) -> list[ClassInfo] | None:
        """`from .scheduler import BuildScheduler` (or `from models import *`): the classes of the
        dict display another project module binds that name to at its top level."""
        ref = self.ir.import_refs.get(name)
        if ref is not None and ref.name:
            modules = [(self.project.module(self.path, ref.module, ref.level), ref.name)]
        elif ref is None and not name.startswith("_") and not self._assigned_at_top(name):
            modules = [(self.project.module(self.path, star.module, star.level), name) for star in self.ir.star_imports]
        else:
            return None
        for module, bound in modules:
            if module is None or module is self:
                continue
            top = module.ir.top
            values = [s.value for s in top.assignments if s.targets == (bound,) and not s.augmented]
            if len(values) == 1:
                return module._classes_of_dict(values[0], top)
            if not values and hops < MAX_DEFINITION_HOPS:
                found = module._imported_registry(bound, hops + 1)  # (a package's `__init__` passing it on)
                if found is not None:
                    return found
        return None

    def _imported_alternatives(self, call: CallSite) -> list[FunctionInfo]:
        """`train_epoch(...)` where `train_epoch` is imported from one module in one branch and from
        another in the other: each imported function is called here (for the call graph only)."""
        return [d for d in self._imported_each(call) if isinstance(d, FunctionInfo)]

    def _imported_each(self, call: CallSite | None) -> list[Definition]:
        """What a plain-name call's name is imported as, in each branch that imports it from its own
        module (`from agents.dqn import Agent` / `from agents.a2c import Agent`); empty unless several."""
        if call is None or call.dotted is None or call.dotted != call.method:
            return []
        found: list[Definition] = []
        for ref in self.ir.import_alternatives.get(call.dotted, ()):
            imported = self._imported(ref, 1)
            if imported is not None and all(imported is not d for d in found):
                found.append(imported)
        return found

    def polymorphic(self, call: CallSite, function: FunctionInfo) -> bool:
        """Is the call a method call on a name bound to instances of several project classes?"""
        return bool(self._candidate_methods(call, function))

    def _redefinitions(self, call: CallSite, function: FunctionInfo) -> list[FunctionInfo]:
        """`run_episode(env, model)` inside `worker`, where the module (a notebook's cells) defines
        `run_episode` more than once: a function body looks the name up when it runs, so any of the
        module-level definitions may be the one called. Only for the call graph."""
        name = call.dotted
        if not name or "." in name or function is self.ir.top or function.parent is None:
            return []
        defined = self._top_functions_named.get(name, [])
        return defined if len(defined) > 1 else []

    @cached_property
    def _top_functions_named(self) -> dict[str, list[FunctionInfo]]:
        found: dict[str, list[FunctionInfo]] = {}
        for candidate in self.ir.functions:
            if candidate.parent is self.ir.top and candidate.cls is None:
                found.setdefault(candidate.name, []).append(candidate)
        return found

    def _overrides(self, call: CallSite, function: FunctionInfo) -> list[FunctionInfo]:
        """`self._eval_task(loader)` in a method of a base class: each subclass's override of the
        method may be what runs there (a template method). Only for the call graph."""
        cls = function.cls
        if cls is None or function.params[:1] != ("self",) or call.inner is not None or call.dotted != f"self.{call.method}":
            return []
        found: list[FunctionInfo] = []
        for sub in self.subclasses(cls):
            candidate = sub.methods.get(call.method or "")
            if candidate is not None and all(candidate is not f for f in found):
                found.append(candidate)
        return found

    def _candidate_methods(self, call: CallSite, function: FunctionInfo) -> list[FunctionInfo]:
        """`model.evaluate(...)` where `model` is one of several project classes (`model = GAN(args)`
        in one branch, `model = WGAN_GP(args)` in another): the method of each is called here. Only
        for the call graph (who calls a method); what the call runs stays unknown."""
        if call.dotted is None or call.inner is not None or call.dotted.count(".") != 1:
            return []
        receiver, _, method = call.dotted.partition(".")
        found: list[FunctionInfo] = []
        for binding in self.roles.bindings_of(receiver, function):
            value = binding.statement.value
            if binding.cls is None and isinstance(value, cst.Name) and value.value == "None":
                continue  # `model = None` before the branches that build it
            if binding.cls is None:
                return []  # something else may be bound too: no guess
            # `from agents.dqn import Agent` in one branch, `from agents.a2c import Agent` in another
            classes = [binding.cls] + [
                d for d in self._imported_each(binding.call) if isinstance(d, ClassInfo) and d is not binding.cls
            ]
            for cls in classes:
                candidate = self.method_of(cls, method)
                if candidate is not None and all(candidate is not f for f in found):
                    found.append(candidate)
        return found if len(found) > 1 else []

    def callers(self, function: FunctionInfo) -> list[CallEdge]:
        """Every call of `function` in the project: in its own file, then in the others."""
        owner = self.at(function)
        cached = owner._callers.get(id(function))
        if cached is None:
            cached = list(owner.call_graph.get(id(function), []))
            if function.file is not None and _importable(function):
                searched = {owner.path}
                for other in owner.project.files_calling(_called_name(function), owner.path):
                    searched.add(other.path)
                    cached.extend(other.call_graph.get(id(function), []))
                if function.cls is not None and function.name not in ("__init__", "__call__"):
                    # a method a subclass in another file inherits is called on its objects by the
                    # files that import that subclass (`trainer = Trainer(...)`, `trainer.train()`
                    # of `BaseTrainer.train`), which need not import the base class's module
                    holders = {owner.path}
                    for sub in owner.subclasses(function.cls):
                        holder = owner.at_class(sub)
                        if holder.path in holders:
                            continue
                        holders.add(holder.path)
                        for other in owner.project.files_calling(function.name, holder.path):
                            if other.path not in searched:
                                searched.add(other.path)
                                cached.extend(other.call_graph.get(id(function), []))
            if (
                not cached and function.cls is not None and not function.name.startswith("__")
                and id(function) not in _THROUGH_PARAMETERS and not owner.is_module_class(function.cls) and owner.acts(function)
            ):
                # (asked only of a method no call of the graph reaches, that acts on a model)
                cached.extend(owner._calls_through_parameters(function, cached))
            # (a call naming a keyword the function does not take raises TypeError: it never runs
            # the function; a notebook written against an older signature, `inference(encoder=e)`)
            cached = [edge for edge in cached if edge.launched or _keywords_fit(function, edge.call)]
            owner._callers[id(function)] = cached
        return cached

    def _calls_through_parameters(self, method: FunctionInfo, known: list[CallEdge]) -> list[CallEdge]:
        """`synthesizer.generate(sample)` in `def run(synthesizer)`, where the callers pass objects of
        several project classes (`run(MedganSynthesizer())` in one script, `run(TVAESynthesizer())`
        in another: see `classes_from_callers`): a call of the method of each of them that defines
        or inherits it, `method` among them. Asked once the graph's own edges are known; the
        callers' classes are asked of the functions holding such calls, never of `method` itself."""
        cls = method.cls
        if cls is None:
            return []
        _THROUGH_PARAMETERS.add(id(method))
        try:
            found: list[CallEdge] = []
            seen = {id(edge.call) for edge in known}
            # (the files calling a method of that name, whatever they import: the callers hand the object in)
            files = [self, *self.project.files_calling("." + method.name, self.path)] if self.path else [self]
            for other in files:
                for function in other.ir.functions:
                    if not function.params:
                        continue
                    for simple in function.simples:
                        for call in simple.calls:
                            if call.method != method.name or call.inner is not None or id(call) in seen:
                                continue
                            receiver = call.receiver or ""
                            if "." in receiver or receiver not in function.params or receiver in ("self", "cls"):
                                continue
                            passed = other.classes_from_callers(receiver, function)
                            if any(other.at_class(c).method_of(c, method.name) is method for c in passed):
                                seen.add(id(call))
                                found.append(CallEdge(function, call))
            return found
        finally:
            _THROUGH_PARAMETERS.discard(id(method))

    def binding(self, name: str, function: FunctionInfo) -> Binding | None:
        """The binding of a name, following parameters back to the arguments of every caller."""
        owner = self.at(function)
        if owner is not self:
            return owner.binding(name, function)
        key = (id(function), name)
        if key in self._bindings:
            return self._bindings[key]
        if key in self._resolving:
            return self.roles.lookup(name, function)
        self._resolving.add(key)
        try:
            found = self._resolve_binding(name, function)
        finally:
            self._resolving.discard(key)
        self._bindings[key] = found
        return found

    def binding_at(self, name: str, function: FunctionInfo, node: cst.CSTNode) -> Binding | None:
        """The binding of a name in force at `node`, a statement of `function`: when the function
        builds an optimizer (or scheduler) under the name more than once in straight-line code (a
        script that builds `optimizer` again for its next experiment's model), the last such
        binding before the node; else the binding `binding` gives. (Models keep the binding
        `binding` gives: functions that read a global model cannot tell which one they see.)"""
        default = self.binding(name, function)
        owner = self.at(function)
        if default is None or "." in name or owner is not self or default.function is not function:
            return default
        # (`model = parallelize(model)`, `model = model.to(device)`: the same model, or one holding it)
        bound = [
            b for b in self.roles.bindings_of(name, function)
            if b.function is function and b.role in (OPTIMIZER, SCHEDULER) and name not in b.statement.value_names
        ]
        if len(bound) < 2 or node not in self._positions:
            return default
        top = self._straight_line_statements(function)
        at = self._positions[node].start
        before = [
            (self._positions[b.statement.node].start, b) for b in bound
            if id(b.statement) in top and b.statement.node in self._positions and (
                b.statement.node is node
                or ((end := self._positions[b.statement.node].end).line, end.column) <= (at.line, at.column)
            )
        ]
        if not before:
            return default
        return max(before, key=lambda item: (item[0].line, item[0].column))[1]

    def _straight_line_statements(self, function: FunctionInfo) -> frozenset[int]:
        """ids of the function's statements in no loop and under no test (run once, in order)."""
        cached = self._straight.get(id(function))
        if cached is None:
            cached = self._straight[id(function)] = frozenset(
                # (walked here, not `ordered_statements`: no grad mode is needed, and working out
                # the mode entering the function asks for subjects, which ask for this)
                id(p.simple) for p in dataflow.walk(function.body, "on") if not p.loops and not p.guards and not p.conditional
            )
        return cached

    def _resolve_binding(self, name: str, function: FunctionInfo) -> Binding | None:
        found = self.roles.lookup(name, function)
        made = _unwrapped(found.call) if found is not None else None
        if found is not None and found.cls is None and made is not None and made.dotted is not None and (
            made.dotted in found.function.params or "." not in made.dotted
        ):
            # `def evaluate(Model, ...): agent = Model(envs).to(device)`: the class the callers pass;
            # `Model = NCModel` (or `LPModel` in another branch), then `model = Model(args)`
            owner = self.at(found.function)
            passed = (
                owner._classes_passed(made.dotted, found.function) if made.dotted in found.function.params
                else owner._classes_assigned(made.dotted, found.function)
            )
            roles = {self.class_role(cls) for cls in passed}
            if len(roles) == 1:
                single = passed[0] if all(cls is passed[0] for cls in passed) else None
                return replace(found, role=roles.pop(), cls=single, classes=tuple(passed))
        if found is not None and found.cls is None and not found.classes and made is not None:
            # `model = vae_models[name](**params)` of a dict of project classes, `model = decoder()`
            # of a factory returning `GRUDecoder()` or `LSTMDecoder()`: one of them, each of whose
            # methods is read as for classes the callers pass
            owner = self.at(found.function)
            factory = owner.definition(made.dotted, found.function) if made.dotted is not None and made.inner is None else None
            several = (
                owner.registry_classes(made, found.function) if made.dotted is None
                else self.at(factory).returned_classes(factory) if isinstance(factory, FunctionInfo) else None
            )
            roles = {self.class_role(cls) for cls in several or ()}
            if several and len(several) > 1 and len(roles) == 1 and None not in roles:
                return replace(found, role=roles.pop(), classes=tuple(several))
            if several and len(several) == 1 and None not in roles and made.dotted is None:
                return replace(found, role=roles.pop(), cls=several[0])  # (`get_model(mode)(cfg)` of one class)
        if found is not None and found.alias is not None and (found.role is None or found.cls is None):
            # `self.optimizer = optimizer`: what the parameter is bound to by the callers
            owner = self.at(found.function)
            aliased = owner.binding(found.alias, found.function)
            if aliased is not None and (aliased.role is not None or aliased.cls is not None):
                return aliased
            bound_method = owner._bound_method_owner(found.alias, found.function)
            if bound_method is not None:
                return bound_method
        if (found is None or found.role is None) and name in function.params:
            return self._binding_from_callers(name, function) or (found if found is not None else self._annotated_binding(name, function))
        if found is None and name.startswith("self.") and name.count(".") == 1 and function.cls is not None:
            inherited = self._binding_in_subclasses(name, function.cls)
            if inherited is not None:
                return inherited
        if found is None and "." in name:
            return self._attribute_binding(name, function)
        if found is None:
            return self._imported_binding(name)
        return found

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        """The project classes deriving from `cls`: in its file, and in the files that import it."""
        owner = self.at_class(cls)
        if owner is not self:
            return owner.subclasses(cls)
        found = [other for other in self.ir.classes.values() if other is not cls and cls in self.class_chain(other)]
        if self.path:
            for module in self.project.files_deriving(cls.name, self.path):
                self.consulted.setdefault(module.path, module)
                found.extend(other for other in module.ir.classes.values() if cls in module.class_chain(other))
        return found

    def _binding_in_subclasses(self, name: str, cls: ClassInfo) -> Binding | None:
        """`self.netg` in a method of a base class that never binds it, whose subclasses build it
        (`class Ganomaly(BaseModel)` with `self.netg = NetG(opt)`): what they bind, when they agree
        on its role (with the classes they build, when they differ)."""
        bindings: list[Binding] = []
        for sub in self.subclasses(cls):
            owner = self.at_class(sub)
            for bound in owner.roles.attributes.get(id(sub), {}).get(name, []):
                bindings.append(owner.binding(bound.name, bound.function) or bound)
        roles = {bound.role for bound in bindings}
        if not bindings or len(roles) != 1 or None in roles:
            return None
        first = bindings[0]
        if all(bound is first for bound in bindings):
            return first
        classes: list[ClassInfo] = []
        for bound in bindings:
            if bound.cls is None:
                return replace(first, call=None, cls=None, classes=())
            if all(bound.cls is not known for known in classes):
                classes.append(bound.cls)
        if len(classes) == 1:
            return replace(first, call=None)
        return replace(first, call=None, cls=None, classes=tuple(classes))

    def _imported_binding(self, name: str) -> Binding | None:
        """`from models.gan import netG`: the object another file of the project builds at its top
        level (`netG = Generator()`), when it is bound there once."""
        ref = self.ir.import_refs.get(name)
        if ref is None and self.ir.star_imports and not name.startswith("_") and not self._assigned_at_top(name):
            # `from FedAvg_2NN import *` then `copy.deepcopy(mlp)`: the module of the star imports
            # that binds the name at its top level, when exactly one does
            found = [
                binding for star in self.ir.star_imports
                if (binding := self._top_binding_of(self.project.module(self.path, star.module, star.level), name)) is not None
            ]
            return found[0] if len(found) == 1 else None
        if ref is None or ref.name is None:
            return None
        module = self.project.module(self.path, ref.module, ref.level) if (ref.module or ref.level) else None
        return self._top_binding_of(module, ref.name)

    def _top_binding_of(self, module: LoopModel | None, name: str) -> Binding | None:
        """The object another project file binds `name` to at its top level, once."""
        if module is None or module is self:
            return None
        self.consulted.setdefault(module.path, module)
        bindings = module.roles.bindings_of(name, module.ir.top)
        if len(bindings) != 1 or bindings[0].function is not module.ir.top:
            return None
        return module.binding(name, module.ir.top)

    def _bound_method_owner(self, alias: str, function: FunctionInfo) -> Binding | None:
        """`sample_fn = model.forward_with_cfg`: calling it runs the model's forward, in the model's
        mode. Other bound methods (`gen = model.generate`) are not taken for the model."""
        owner, _, method = alias.rpartition(".")
        if not owner:
            return None
        bound = self.binding(owner, function)
        if bound is None or bound.role != MODEL:
            return None
        if method.startswith("forward"):
            return bound
        is_method = METHOD_VERBS.match(method) is not None or (
            bound.cls is not None and self.method_of(bound.cls, method) is not None
        )
        if not is_method:
            return None  # `encoder = model.encoder`: a submodule, a model of its own
        return Binding(alias, INSTANCE, None, None, bound.statement, bound.function)

    def _attribute_binding(self, name: str, function: FunctionInfo) -> Binding | None:
        """`trainer.model` where `trainer` is an instance of a project class: what its methods
        assign to `self.model`."""
        owner_name, _, attribute = name.rpartition(".")
        if owner_name == "self":
            return None
        owner = self.binding(owner_name, function)
        if owner is None or owner.cls is None:
            return None
        for cls in self.class_chain(owner.cls):
            model = self.at_class(cls)
            for binding in model.roles.attributes.get(id(cls), {}).get(f"self.{attribute}", []):
                return model.binding(binding.name, binding.function) or binding
        return None

    def _binding_from_callers(self, name: str, function: FunctionInfo) -> Binding | None:
        index = function.argument_index(name)
        bindings: list[Binding] = []
        for edge in self.callers(function):
            arg = edge.call.arg(index, name) if index >= 0 else None
            if arg is None or self._raises_before_entering(edge, function):
                continue  # (a call whose arguments cannot bind gives the parameter nothing: it raises TypeError)
            if arg.dotted is None:
                built = self.at(edge.caller)._built_in_place(arg.node, name, edge.caller)
                if built is not None:
                    bindings.append(built)
                continue
            caller = self.at(edge.caller)
            bound = caller.binding(arg.dotted, edge.caller)
            if "." not in arg.dotted and len({
                _built_class(b) for b in caller.roles.bindings_of(arg.dotted, edge.caller) if _built_class(b) is not None
            }) > 1:
                # (a name bound to objects of several classes, a notebook's `model` for each of its
                # models, `nn.Linear(...)` first and a project class later: the object passed is
                # the one bound last before the call, on a path that reaches it)
                reached = caller.reaching_binding(arg.dotted, edge.caller, edge.call)
                if reached is not None and _built_class(reached) is not None:
                    bound = reached  # (`model = model.cuda()` keeps the object)
            if bound is not None:
                bindings.append(bound)
        if bindings and all(b is bindings[0] for b in bindings):
            return bindings[0]
        if bindings and bindings[0].cls is not None and all(b.cls is bindings[0].cls for b in bindings):
            # each caller builds its own, of the same project class: the class is what is known
            return replace(bindings[0], call=None, statement=bindings[0].statement)
        classes = [c for b in bindings for c in (b.classes or ((b.cls,) if b.cls is not None else ()))]
        if bindings and all(b.role == MODEL and (b.classes or b.cls is not None) for b in bindings) and (
            len({c.name for c in classes}) == 1 and len({id(c.file) for c in classes}) == 1
        ):
            # every caller passes a model of one class defined more than once in one file (a
            # notebook that defines the model's class again in a later cell, `translate(model, ...)`
            # after each): a model of those definitions
            return replace(bindings[0], call=None, cls=None, classes=tuple(dict.fromkeys(classes)), alias=None, qualified=None)
        return None

    def holds_only_none(self, name: str, function: FunctionInfo, seen: frozenset[int] = frozenset()) -> bool:
        """Is the parameter None on every call the project makes (one at least): each call leaves it
        at its default of None, passes `None`, or passes on a parameter of its own that is None on
        every call of that function (`generate_data(path, transformer=None)` called without it,
        which hands `transformer` on to `generate_from_data`)? Whatever its name says, it holds no
        object. A call with `*args` or `**kwargs` may give it anything."""
        node = function.node
        if id(function) in seen or not isinstance(node, cst.FunctionDef) or name not in function.params:
            return False
        parameter = next((p for p in declared_params(node.params) if p.name.value == name), None)
        if parameter is None:
            return False
        defaults_none = isinstance(parameter.default, cst.Name) and parameter.default.value == "None"
        edges = self.callers(function)
        if not edges:
            return False
        index = function.argument_index(name)
        for edge in edges:
            if any(a.star for a in edge.call.node.args):
                return False
            arg = edge.call.arg(index, name) if index >= 0 else None
            if arg is None:
                if not defaults_none:
                    return False
                continue
            if isinstance(arg.node, cst.Name) and arg.node.value == "None":
                continue
            passed_on = arg.dotted is not None and "." not in arg.dotted and arg.dotted in edge.caller.params
            if not (passed_on and self.at(edge.caller).holds_only_none(arg.dotted, edge.caller, seen | {id(function)})):
                return False
        return True

    def _annotated_binding(self, name: str, function: FunctionInfo) -> Binding | None:
        """`def run(rank, train_cfg: TrainingConfig)`, started by `mp.spawn(run, args=(cfg,))` or
        by a framework: no project call passes the parameter, its annotation names a project class
        (`TrainingConfig`, or `"TrainingConfig"`), so it holds an instance of that class."""
        node = function.node
        if not isinstance(node, cst.FunctionDef):
            return None
        parameter = next((p for p in declared_params(node.params) if p.name.value == name), None)
        if parameter is None or parameter.annotation is None:
            return None
        annotation = parameter.annotation.annotation
        if isinstance(annotation, cst.SimpleString):
            text = annotation.evaluated_value
            dotted = text if isinstance(text, str) and re.fullmatch(r"[A-Za-z_][\w.]*", text) else None
        else:
            dotted = dotted_name(annotation)
        cls = self.definition(dotted, function) if dotted else None
        if not isinstance(cls, ClassInfo) or self.class_role(cls) != INSTANCE:
            # (a module class in an annotation often names the class handed in, not an instance:
            # `def _make_layer(self, block: BasicBlock, ...)` then `block(inplanes, planes)` builds one)
            return None
        statement = Simple(node=parameter, calls=[], targets=(name,))
        return Binding(name, INSTANCE, cls.name, None, statement, function, cls)

    def _built_in_place(self, node: cst.CSTNode, name: str, function: FunctionInfo) -> Binding | None:
        """`Trainer(Net(), loader)`: the instance of a project class the caller builds in the call's
        argument, bound to the parameter it fills."""
        if not isinstance(node, cst.Call):
            return None
        for simple in function.simples:
            for call in simple.calls:
                if call.node is node:
                    role, cls, qualified = self.constructed(call, function)
                    return Binding(name, role, qualified, call, simple, function, cls) if cls is not None else None
        return None

    def classes_from_callers(self, name: str, function: FunctionInfo, depth: int = 3) -> tuple[ClassInfo, ...]:
        """The project classes of the objects the callers pass for parameter `name`, when every
        caller passes an instance of a known project class and they are not all one class
        (`eval_policy(policy)` called with a DDPG agent by one function and a BCQ agent by another),
        also through callers that hand on a parameter of their own (`fit(net)` calling
        `compute_loss(net, loader)`)."""
        if name not in function.params:
            return ()
        index = function.argument_index(name)
        if index < 0:
            return ()
        classes: list[ClassInfo] = []
        edges = self.callers(function)
        for edge in edges:
            arg = edge.call.arg(index, name)
            if arg is None:
                return ()
            caller = self.at(edge.caller)
            if arg.dotted is None:
                # `run(MedganSynthesizer())`: an instance built in the call itself
                built = caller._class_built_inline(arg.node, edge.caller)
                given: tuple[ClassInfo, ...] = (built,) if built is not None else ()
            elif (bound := caller.binding(arg.dotted, edge.caller)) is not None and bound.cls is not None:
                given = (bound.cls,)
            elif bound is None and depth > 0 and arg.dotted in edge.caller.params:
                given = caller.classes_from_callers(arg.dotted, edge.caller, depth - 1)
            else:
                given = ()
            if not given:
                return ()
            classes.extend(cls for cls in given if all(cls is not known for known in classes))
        return tuple(classes) if len(classes) > 1 else ()

    def _class_built_inline(self, node: cst.CSTNode, function: FunctionInfo) -> ClassInfo | None:
        """The project class an argument builds in place (`MedganSynthesizer()`, `Agent(env)`), when
        the callee is a plain or dotted name that the file defines or imports as a class."""
        if type(node) is not cst.Call:
            return None
        found = self.definition(dotted_name(node.func), function)  # type: ignore[attr-defined]
        return found if isinstance(found, ClassInfo) else None

    # loops ------------------------------------------------------------------------------

    def function_context(self, function: FunctionInfo) -> Context:
        return Context(function=function, grad=self.flow.grad_of_function(function, "on"))

    def loop_context(self, loop: Loop) -> Context:
        context = self.function_context(loop.function)
        return replace(context, grad=loop.grad) if loop.grad is not None else context

    def iteration_program(self, loop: Loop, constants: tuple[tuple[str, object], ...] = ()) -> Node:
        """One iteration of `loop` as a program: the orders its events can run in, helpers inlined;
        with `constants`, for one set of values of its function's parameters."""
        key = (id(loop), constants)
        cached = self._programs.get(key)
        if cached is None:
            named = {name for name, _ in constants}
            flags = tuple(item for item in self._flags_set_before(loop) if item[0] not in named)
            context = replace(self.loop_context(loop), constants=constants + flags)
            if context.grad == "unknown" and context.constants:
                # a grad mode set around the loop by a test of the values known here
                # (`if mode == Mode.TRAIN: torch.set_grad_enabled(True)` `else: ...(False)`)
                for stmt in _withs_around(loop.function.body, loop):
                    context = self.flow._with_context(stmt, context)
            cached = self._programs[key] = self.flow.program(loop.body, context)
        return cached

    def _flags_set_before(self, loop: Loop) -> tuple[tuple[str, object], ...]:
        """`self.is_test = False` among the statements of the loop's function that run before the
        loop (at its top level): known in the loop when nothing in it, nor any method it calls on
        `self`, assigns the flag again."""
        function = loop.function
        found: dict[str, object] = {}
        for stmt in function.body:
            if stmt is loop or (not isinstance(stmt, Simple) and any(inner is loop for inner in all_statements([stmt]))):
                break
            if not isinstance(stmt, Simple) or len(stmt.targets) != 1 or stmt.augmented or stmt.value is None:
                continue
            target = stmt.targets[0]
            if not target.startswith("self.") or target.count(".") != 1:
                continue
            value = literal_value(stmt.value)
            if value is NOT_LITERAL:
                found.pop(target, None)
            else:
                found[target] = value
        if not found:
            return ()
        assigned: set[str] = set()
        for simple in dataflow.simples_of(loop.body):
            assigned.update(simple.targets)
            for call in simple.calls:
                if call.receiver == "self" and function.cls is not None and call.method is not None:
                    method = self.method_of(function.cls, call.method)
                    if method is not None:
                        assigned.update(t for s in method.simples for t in s.targets)
        return tuple((name, value) for name, value in found.items() if name not in assigned)

    def specializations(self, function: FunctionInfo) -> list[tuple[tuple[str, object], ...]]:
        """The values its callers give the parameters a function tests (`run_epoch(..., train=False)`),
        one tuple per distinct way it is called; empty when no test depends on them."""
        tested = self.tested_parameters(function)
        if not tested:
            return []
        found: list[tuple[tuple[str, object], ...]] = []
        for edge in self.callers(function):
            known = tuple((name, value) for name, value in arguments_known(function, edge.call, caller=edge.caller) if name in tested)
            known += self._receiver_flags_set_before(edge, tested)
            if known and known not in found:
                found.append(known)
        return found

    def _receiver_flags_set_before(self, edge: CallEdge, tested: frozenset[str]) -> tuple[tuple[str, object], ...]:
        """`agent.eval_mode = True` then `agent.run()`: the literal values the caller last gave, before
        the call and in its own function, to the attributes of the receiver that the method tests."""
        attributes = {name[len("self."):] for name in tested if name.startswith("self.")}
        receiver = edge.call.receiver
        if not attributes or not receiver or edge.call.inner is not None:
            return ()
        caller = self.at(edge.caller)
        placed = caller.ordered_statements(edge.caller)
        at = next((i for i, p in enumerate(placed) if any(c is edge.call for c in p.simple.calls)), None)
        if at is None:
            return ()
        known: dict[str, object] = {}
        for item in reversed(placed[:at]):
            for target in item.simple.targets:
                owner, _, attribute = target.rpartition(".")
                if owner != receiver or attribute not in attributes or attribute in known:
                    continue
                value = literal_value(item.simple.value) if item.simple.value is not None and not item.simple.augmented else NOT_LITERAL
                known[attribute] = value
        return tuple(sorted((f"self.{a}", v) for a, v in known.items() if v is not NOT_LITERAL))

    def tested_parameters(self, function: FunctionInfo, depth: int = 3) -> frozenset[str]:
        """The parameters whose value decides what the function runs: tested by its if-statements or
        its `set_grad_enabled(train)`, or passed on to a project function that tests them
        (`_run_epoch(loader, train)` handing `train` to `_run_batch`)."""
        key = (id(function), depth)
        cached = self._tested.get(key)
        if cached is not None:
            return cached
        self._tested[key] = frozenset()  # (a recursive call chain tests nothing more)
        names = {name for test in _tests_of(function.body) for name in _test_names(test)}
        for statement in all_statements(function.body):
            if isinstance(statement, With):
                names.update(arg.dotted for item in statement.items for arg in item.args if arg.dotted)
        tested = {p for p in function.params if p in names}
        if function.cls is not None and function.params[:1] == ("self",):
            # `if self.eval_mode:` in a method: a flag its callers may set on the object before calling
            tested |= {
                f"self.{attribute}" for test in _tests_of(function.body) for attribute in re.findall(r"\bself\.([A-Za-z_]\w*)\b(?!\s*\()", test)
            }
        if depth > 0:
            for simple in function.simples:
                for call in simple.calls:
                    passed = {arg.dotted for arg in call.args} & (set(function.params) - tested)
                    if not passed:
                        continue
                    callee = self.resolve_call(call, function, via_callers=False)
                    if callee is None or callee is function:
                        continue
                    inner = self.at(callee).tested_parameters(callee, depth - 1)
                    for name, value in arguments_passed(callee, call):
                        if name in inner and value in passed:
                            tested.add(value)
        found = self._tested[key] = frozenset(tested)
        return found

    def function_program(self, function: FunctionInfo, constants: tuple[tuple[str, object], ...] = ()) -> Node:
        """The function's program; with `constants`, as a call that passes those values runs it."""
        key = (id(function), constants)
        cached = self._programs.get(key)
        if cached is None:
            context = self.function_context(function)
            if constants:
                context = replace(context, constants=constants)
            cached = self._programs[key] = self.flow.program(function.body, context)
        return cached

    def loop_event(self, loop: Loop) -> Event:
        """The loop as one event whose contents are the events of an iteration (nested loops nested)."""
        cached = self._loop_events.get(id(loop))
        if cached is None:
            contents = tuple(event_tree(self.iteration_program(loop)))
            cached = self._loop_events[id(loop)] = Event(Kind.LOOP, loop.node, self.loop_context(loop), loop=loop, contents=contents)
        return cached

    def function_events(self, function: FunctionInfo) -> list[Event]:
        """The function's events outside its loops (helpers inlined), loops as LOOP events."""
        cached = self._function_events.get(id(function))
        if cached is None:
            cached = self._function_events[id(function)] = list(event_tree(self.function_program(function)))
        return cached

    def function_events_flat(self, function: FunctionInfo) -> list[Event]:
        """Every event of a function in source order (pre-order), helpers inlined."""
        return [e for event in self.function_events(function) for e in event.flatten()]

    def run_once(
        self, program: Node, step: Callable[[S, Event], S], starts: Iterable[S], ignore: frozenset[str] = frozenset()
    ) -> tuple[set[S], set[S]]:
        """A rule's state machine over one run of a program (see program.run_once)."""
        return run_once(program, step, starts, self.note_budget, self._correlated(program), ignore)

    def run_iterations(
        self, program: Node, step: Callable[[S, Event], S], start: S, carry: Callable[[S], S] = lambda state: state
    ) -> tuple[set[S], set[S]]:
        """A rule's state machine over iterations of a loop, state carried around (see program.run_iterations)."""
        return run_iterations(program, step, start, carry, self.note_budget, self._correlated(program))

    def _correlated(self, program: Node) -> tuple[frozenset[str], bool]:
        cached = self._correlations.get(id(program))
        if cached is None or cached[0] is not program:
            cached = self._correlations[id(program)] = (program, repeated_tests(program))
        return cached[1]

    def note_budget(self, text: str) -> None:
        """Something the analysis did not follow to the end: said on stderr, never skipped silently."""
        if text not in self.budget_notes:
            self.budget_notes.append(text)

    def ordered_statements(self, function: FunctionInfo) -> list[dataflow.Placed]:
        """The function's simple statements in source order, with grad mode and enclosing loops."""
        cached = self._ordered.get(id(function))
        if cached is None:
            cached = dataflow.ordered_statements(self, function)
            self._ordered[id(function)] = cached
        return cached

    def lexical_grad(self, function: FunctionInfo, call: CallSite) -> str:
        """The grad mode a call of `function` runs under inside it: its with-blocks and decorators."""
        grads = self._lexical_grads.get(id(function))
        if grads is None:
            start = self.flow.grad_of_function(function, "on")
            grads = {id(c.node): placed.grad for placed in dataflow.walk(function.body, start) for c in placed.simple.calls}
            for simple in function.simples:
                for c in simple.calls:
                    if isinstance(c.node, cst.Call) and grad_wrapped(c.node.func) is not None:
                        grads[id(c.node)] = wrapper_grad(c.node.func.func) or "on"  # `torch.no_grad()(f)(x)`
            self._lexical_grads[id(function)] = grads
        return grads.get(id(call.node), "on")

    # what a piece of code can reach, read off the calls alone (a cheap first filter) ---------

    def takes_gradients(self, call: CallSite) -> bool:
        """`torch.autograd.grad(...)`, also as `grad(...)` imported from torch.autograd."""
        return call.takes_gradients_in(self.ir.imports)

    def reaches(self, function: FunctionInfo) -> frozenset[str]:
        """Which of backward/step/zero_grad/eval/train the function calls, itself or through the
        project functions it calls."""
        owner = self.at(function)
        key = id(function)
        if key in owner._reach:
            return owner._reach[key]
        owner._reach[key] = frozenset()  # a recursive call adds nothing new
        owner._reach[key] = owner._reach_of(function.simples, function)
        return owner._reach[key]

    def acts(self, function: FunctionInfo) -> bool:
        """Could calling the function produce an event: does it (or a project function it calls)
        call a tracked method, run a model, reset or clip gradients, or change the grad mode?
        Helpers that do none of these are not inlined."""
        owner = self.at(function)
        key = ("acts", id(function))
        if key not in owner._class_facts:
            owner._class_facts[key] = False  # a recursive call adds nothing
            owner._class_facts[key] = owner._acts(function)
        return owner._class_facts[key]

    def _acts(self, function: FunctionInfo) -> bool:
        if self.reaches(function) or function.decorators and self.flow.grad_of_function(function, "on") != "on":
            return True
        for placed in dataflow.walk(function.body, "on"):
            simple = placed.simple
            if simple.grad_reset or any(target.endswith(".training") for target in simple.targets):
                return True  # (a mode flag set by hand: `layer.training = flag`)
            for call in simple.calls:
                if call.method in ACTING_METHODS or any(word in (call.method or "") for word in ("zero_grad", "clip_grad")):
                    return True
                target = self.resolve_call(call, function, via_callers=False)
                if target is not None:
                    if target is not function and self.acts(target):
                        return True
                elif self.flow.model_called(call, function) is not None or self.flow.passes_training_object(call, function):
                    return True  # runs a model, or hands one (or an optimizer) to code we cannot see
                elif (call.dotted or "").split(".")[0] == "self" and "self" not in function.params:
                    return True  # a closure over a method's `self` (`def validate(x): return self(x)`)
                elif call.receiver in function.params and role_from_name(call.receiver) == MODEL and call.method not in _INERT_MODEL_METHODS:
                    return True  # `model.predict(...)` on a parameter named as a model: its callers say which
        return any(isinstance(stmt, With) and stmt.grad is not None for stmt in all_statements(function.body))

    def _module_step(self, call: CallSite, target: FunctionInfo | None) -> bool:
        """`self.step(inp, hidden)` of a model class's own `step` method (one decoding step of a
        generator): a forward, not an optimizer's step; what it reaches is what its body does."""
        return (
            call.method == "step" and target is not None and target.name == "step" and target.cls is not None
            and self.is_module_class(target.cls)
        )

    def reaches_in_loop(self, loop: Loop) -> frozenset[str]:
        return self._reach_of(dataflow.simples_of(loop.body), loop.function)

    def _reach_of(self, simples: Iterable[Simple], function: FunctionInfo) -> frozenset[str]:
        found: set[str] = set()
        for simple in simples:
            for call in simple.calls:
                target = self.resolve_call(call, function, via_callers=False)
                if call.method in TRACKED_METHODS and not _no_mode_switch(call) and not self._module_step(call, target):
                    found.add(call.method)
                elif self.takes_gradients(call):
                    found.add("grad")
                if target is not None and target is not function:
                    found |= self.reaches(target)
                if call.method == "step":
                    closure = self.flow.step_closure(call, function)
                    if closure is not None and closure is not function:
                        found |= self.reaches(closure)  # `optimizer.step(closure)` runs it first (LBFGS)
        return frozenset(found)

    def runs_forward(self, method: FunctionInfo) -> bool:
        """Does a model class's method run the model: `self(x)`, `self.forward(x)`, a submodule?"""
        owner = self.at(method)
        key = ("runs forward", id(method))
        if key not in owner._class_facts:
            owner._class_facts[key] = False
            # (a method that only applies a loss module or a parameter-free layer to what it is
            # given, `def true_loss(self, out, y): return self.criterion(out, y)`, runs no network)
            owner._class_facts[key] = any(
                e.kind is Kind.MODEL_CALL and not dataflow.is_loss_module(e.subject) for e in owner.function_events_flat(method)
            ) or owner._calls_own_part(method)
        return owner._class_facts[key]

    def _calls_own_part(self, method: FunctionInfo) -> bool:
        """Does the method call a computing method of a module it holds (`self.flows[i].inverse(z)`,
        `self.encoder.encode(x)`: not `self.encoder.parameters()`), whose class may not be known
        (a part handed to the constructor)? Such a call computes with the parts' parameters."""
        for simple in method.simples:
            for call in simple.calls:
                func = call.node.func
                if call.method is None or call.method in MODULE_API or call.method.startswith("_") or not isinstance(func, cst.Attribute):
                    continue
                if _STORING_METHOD.match(call.method):
                    continue  # `self.encoder.save_pretrained(path)`: stores the part, runs nothing
                receiver = func.value.value if isinstance(func.value, cst.Subscript) else func.value
                base = dotted_name(receiver)
                if base is None or not base.startswith("self.") or base.count(".") != 1:
                    continue
                binding = self.binding(base, method)
                if binding is not None and binding.role == MODEL:
                    return True
        return False

    def forwards_without_grad(self, method: FunctionInfo) -> bool:
        """Does every model call of a model class's method run inside its own `torch.no_grad()`
        (`def translate_sentence(self, src): with torch.no_grad(): ...`)?"""
        owner = self.at(method)
        calls = [e for e in owner.function_events_flat(method) if e.kind is Kind.MODEL_CALL]
        if calls:
            return all(e.context.grad == "off" for e in calls)
        # (its parts run through methods of their own, `self.model.inverse_flow(z, c)`: every
        # statement that calls something of the instance is inside the block)
        own = [
            placed for placed in owner.ordered_statements(method)
            if any((call.dotted or call.receiver or "").split(".", 1)[0] == "self" for call in placed.simple.calls)
        ]
        return bool(own) and all(placed.grad == "off" for placed in own)

    def kinds_in(self, loop: Loop) -> frozenset[Kind]:
        """The kinds of event one run of the loop's body can produce, helpers and nested loops included
        (empty when it calls none of backward/step/zero_grad/eval/train anywhere)."""
        if not self.reaches_in_loop(loop):
            return frozenset()
        return _kinds(self.loop_event(loop))

    @cached_property
    def loops(self) -> list[Loop]:
        return [loop for function in self.ir.functions for loop in function.loops]

    @property
    def _stepping_loops(self) -> list[tuple[Loop, Event, list[Event]]]:
        """Each loop that backwards and steps, with its event and the loop events nested in it.
        Finding a loop's events can ask, a few calls down, whether a function trains (a forward
        whose grad mode depends on its callers, one of which trains): asked while the answer is
        being found, it is "no loop known yet", not a recursion without end."""
        if self._stepping is not None:
            return self._stepping
        if self._finding_steps:
            return []
        self._finding_steps = True
        try:
            found: list[tuple[Loop, Event, list[Event]]] = []
            for loop in self.loops:
                if not {"backward", "step"} <= self.reaches_in_loop(loop):
                    continue
                event = self.loop_event(loop)
                if _holds_step(event):
                    found.append((loop, event, [e for inner in event.contents for e in inner.flatten() if e.kind is Kind.LOOP]))
        finally:
            self._finding_steps = False
        self._stepping = found
        return found

    def backward_of_a_number(self, event: Event) -> bool:
        """Is the backward called on a name that its function binds only to a number or None
        (`loss = 0` of an unfilled exercise template, then `loss.backward()`), and never adds to?
        Such a call raises AttributeError the first time it runs: nothing is trained after it."""
        call = event.call
        if event.kind is not Kind.BACKWARD or call is None or call.method != "backward" or call.args:
            return False
        receiver = call.node.func.value if isinstance(call.node.func, cst.Attribute) else None
        if not isinstance(receiver, cst.Name):
            return False
        name, function = receiver.value, event.context.function
        if name in function.params or name in function.declared_global:
            return False
        made = [s for s in function.simples if name in s.targets or name in s.subscript_targets]
        return bool(made) and all(
            not s.augmented and s.value is not None and literal_value(s.value) in (0, 0.0, None) and type(literal_value(s.value)) is not bool
            for s in made
        ) and not any(name in loop.targets for loop in function.loops)

    def never_runs(self, function: FunctionInfo) -> bool:
        """In a notebook (a program: nothing outside calls its functions), is this a function that
        no cell runs, directly or through functions that run (see evaluation.never_run_in_notebook)?"""
        if function.cls is not None and getattr(self.source, "notebook", None) is not None:
            # a method named nowhere but in its `def` (no call, no reference, no hook a library
            # runs by a name it owns: a dunder, a module's forward)
            if function.name.startswith("__") or function.name == "forward":
                return False
            named = len(re.findall(rf"(?<![\w]){re.escape(function.name)}\b", self.text))
            defined = len(re.findall(rf"\bdef\s+{re.escape(function.name)}\b", self.text))
            return named == defined
        return evaluation.never_run_in_notebook(self, function)

    @property
    def training_steps(self) -> list[TrainingStep]:
        if self._steps is None:
            steps = [TrainingStep(loop, event) for loop, event, nested in self._stepping_loops if not any(_holds_step(e) for e in nested)]
            if self._finding_steps:
                return steps  # (asked while the steps are found: "none yet", not remembered)
            self._steps = steps
        return self._steps

    @property
    def repeating_steps(self) -> list[Loop]:
        """Loops that run an update of their own around inner loops repeating another part of it over
        no data (a GAN's `for _ in range(n_critic):`): each of their iterations is one training step
        too, though the inner loops hold steps (see `_steps_around_repeats`)."""
        if self._repeating is None:
            repeating = [
                loop for loop, event, nested in self._stepping_loops
                if any(_holds_step(e) for e in nested) and _steps_around_repeats(event, nested)
            ]
            if self._finding_steps:
                return repeating
            self._repeating = repeating
        return self._repeating

    @cached_property
    def step_functions(self) -> list[FunctionInfo]:
        """Functions that run backward and a step outside any loop over data and that no project code
        calls: they are called once per iteration from elsewhere, so their body is one iteration. A
        loop over the models of the step (`for scaler, loss in zip(self.scalers, losses):
        scaler.scale(loss).backward()`, then `for optimizer, scaler in zip(...): scaler.step(optimizer)`)
        holds a part of that iteration, not iterations of its own: no data goes through it and it
        does not both backward and step."""
        found: list[FunctionInfo] = []
        for function in self.ir.functions:
            if function.name == "<module>" or not {"backward", "step"} <= self.reaches(function):
                continue
            if self.callers(function):
                continue
            top = [e for e in self.function_events(function) if e.kind is not Kind.LOOP or self._part_of_one_step(e)]
            flat = [x for e in top for x in e.flatten()]
            if any(e.kind is Kind.BACKWARD for e in flat) and any(e.kind is Kind.STEP for e in flat):
                found.append(function)
        return found

    def _part_of_one_step(self, event: Event) -> bool:
        """A loop (event) over no data that holds a backward or a step but not both."""
        loop = event.loop
        if loop is None or DATA_ITERABLE.search(loop.iter_text):
            return False
        kinds = {e.kind for e in event.flatten()}
        return (Kind.BACKWARD in kinds) != (Kind.STEP in kinds)

    @cached_property
    def trained_models(self) -> list[Subject]:
        """Models run forward with grad enabled inside a training step."""
        found: list[Subject] = []
        for step in self.training_steps:
            for event in step.events:
                if event.kind is Kind.MODEL_CALL and event.context.grad == "on" and event.subject is not None:
                    found.append(event.subject)
        # (and the models a helper of another file trains, inlined into a loop of this one: `model,
        # optimizer, loss = train(model, criterion, optimizer, loader)` each epoch)
        for loop in self.loops:
            if {Kind.BACKWARD, Kind.STEP} <= self.kinds_in(loop) and not any(step.loop is loop for step in self.training_steps):
                for event in events_of(self.iteration_program(loop)):
                    if (
                        event.kind is Kind.MODEL_CALL and event.context.grad == "on" and event.subject is not None
                        and event.context.chain and self.at(event.context.function) is not self
                    ):
                        found.append(event.subject)
        return found

    def is_trained(self, subject: Subject | None) -> bool:
        """Could this model be one that a training step of this file trains? Not when it is never run
        with grad in a training step, nor when the optimizers are seen and none is over it (a frozen
        teacher, an EMA copy)."""
        if subject is None:
            return True
        if not any(subject.may_be(trained) for trained in self.trained_models):
            return False
        if self._held_by_library_helper(subject):
            return False
        optimized = self._optimized_names
        # (a parameter is the model its callers pass: `get_batched_loss(test_data, net)` hands it `net`)
        names = {subject.name} | ({subject.binding.name} if subject.binding is not None else set())
        return optimized is None or any(_related_names(known, name) for known in names for name in optimized)

    def _held_by_library_helper(self, subject: Subject) -> bool:
        """`model_ema.ema` with `model_ema = ModelEma(model, ...)` from a library: a module an object
        that is no model holds (an EMA copy, a teacher) is its own, not the model this project trains."""
        if subject.binding is not None or "." not in subject.name:
            return False
        root = subject.name.split(".", 1)[0]
        owner = self.at(subject.function)
        bindings = [
            b for b in owner.roles.bindings_of(root, subject.function)
            if not (isinstance(b.statement.value, cst.Name) and b.statement.value.value == "None")  # `model_ema = None` first
        ]
        return bool(bindings) and all(b.role is None and b.cls is None and b.qualified is not None for b in bindings)

    @cached_property
    def _optimized_names(self) -> frozenset[str] | None:
        """The models every optimizer of this file is built over, None when one cannot be seen."""
        names: set[str] = set()
        for binding in self.built(OPTIMIZER):
            over = self.optimized_models(self.flow.subject(binding.name, binding.function, binding.statement.node), full=True)
            if not over:
                return None
            names |= over
        return frozenset(names) if names else None

    def fresh_each_iteration(self, optimizer: Subject | None, loop: Loop) -> bool:
        """Is the optimizer built inside the loop over tensors also made inside it (`SGD([x_in])`)?"""
        binding = optimizer.binding if optimizer is not None else None
        if binding is None or binding.call is None:
            return False
        inside = [
            placed.simple
            for placed in self.ordered_statements(loop.function)
            if any(outer is loop for outer in placed.loops)
        ]
        params = binding.call.arg(0, "params")
        made_inside = {target for simple in inside for target in simple.targets}
        return (
            any(simple is binding.statement for simple in inside)
            and params is not None
            and bool(params.names)
            and params.names <= made_inside
        )

    def step_programs(self) -> Iterator[Node]:
        """One iteration of every training loop, then the body of every step function."""
        for step in self.training_steps:
            yield self.iteration_program(step.loop)
        for function in self.step_functions:
            yield self.function_program(function)

    def scheduler_programs(self) -> Iterator[Node]:
        """One iteration of every loop that steps a scheduler and an optimizer (batch or epoch)."""
        for loop in self.loops:
            kinds = self.kinds_in(loop)
            if Kind.SCHEDULER_STEP in kinds and Kind.STEP in kinds:
                yield self.iteration_program(loop)
        for function in self.step_functions:
            yield self.function_program(function)

    def enclosing_loops(self, loop: Loop) -> list[Loop]:
        """Loops whose iteration runs `loop`, lexically or through a call of a project function."""
        return self._enclosing.get(id(loop), [])

    @cached_property
    def _enclosing(self) -> dict[int, list[Loop]]:
        """For each loop, the loops that run it: one flattening of each loop's events, built once
        (asking each loop of every other loop made the analysis quadratic in the file's size)."""
        index: dict[int, list[Loop]] = {}
        for outer in self.loops:
            inner = {id(e.loop): e.loop for e in self.loop_event(outer).flatten() if e.kind is Kind.LOOP and e.loop is not outer}
            for key in inner:
                index.setdefault(key, []).append(outer)
        return index

    def resets(self, reset: Event, optimizer: Subject | None) -> bool:
        """Does this gradient reset clear the gradients that `optimizer` steps with?"""
        if reset.subject is not None:
            # an optimizer wrapping another (`SAM(params, SGD)` steps `self.base_optimizer` over
            # its own parameter groups): resetting the wrapper resets what the inner one steps
            return reset.subject.may_be(optimizer) or (
                optimizer is not None
                and reset.subject.role == OPTIMIZER
                and optimizer.name.startswith(reset.subject.name + ".")
            )
        zeroed = reset.argument
        models = self.optimized_models(optimizer)
        if zeroed is None or not models:
            return True  # `p.grad = None` over parameters, or nothing known about the optimizer
        if zeroed.name.rsplit(".", 1)[-1] in models:
            return True
        made = self._optimizer_construction(optimizer)
        over = _parameters_of(made[0]) if made is not None else None
        if over is not None and zeroed.name.startswith(over + "."):
            return True  # `model.discriminator.zero_grad()` clears that part of what an optimizer over `model` steps
        # (an event inlined from helpers names its objects as the outermost caller does)
        viewed_from = reset.context.callers[0] if reset.context.chain else reset.context.function
        if over is not None and zeroed.name == over and over.startswith("self.") and made is not None and self._same_object_scope(
            made[1], viewed_from
        ):
            # `self.D_optimizer = Adam(self.gan.D.parameters())` in `compile()`, and `self.gan.D`
            # zeroed in `train()` (inlined from the GAN's `train_D`): one object's attribute, the
            # module the optimizer was built over
            return True
        if over is not None and zeroed.name == "self" and over.startswith("self.") and self._own_submodule_optimizer(reset, optimizer):
            return True  # `self.zero_grad()` in a module whose `self.inner_opt` steps `self.net`: a part of it
        if optimizer is not None and optimizer.binding is not None and _parameters_of(optimizer.binding.call) == zeroed.name and (
            optimizer.binding is not None and optimizer.binding.function is reset.context.function
        ):
            return True  # `Adam(model.generator.parameters())`, reset by `model.generator.zero_grad()`
        # `raw_model = model.module if hasattr(model, "module") else model` (after `model, config =
        # self.model, self.config`): the optimizer's model and the zeroed one are the same module
        known = self._module_behind(zeroed.name, reset.context.function)
        if optimizer is not None and optimizer.binding is not None and any(
            self.at(optimizer.binding.function)._module_behind(name, optimizer.binding.function) == known
            for name in self.optimized_models(optimizer, full=True)
        ):
            return True
        # `train(loader, net, optimizer)` running `discriminator.zero_grad()` and `optimizer_d.step()`
        # on its parameters: the zeroed module is the object the optimizer was built over, as the
        # callers bind both
        if "." not in zeroed.name and zeroed.name in reset.context.function.params:
            bound = self.at(reset.context.function).binding(zeroed.name, reset.context.function)
            if bound is not None and any(b is bound for b in self.optimized_bindings(optimizer)):
                return True
            # (a module of another file's star import, bound there more than once: the same name
            # passed by every caller, in the scope that builds the optimizer over it)
            if optimizer is not None and optimizer.binding is not None and self._passed_name(
                reset.context.function, zeroed.name, optimizer.binding.function
            ) in self.optimized_models(optimizer, full=True):
                return True
        # `self.discriminator.zero_grad()` and `self.d_optimizer.step()` in a trainer handed both (also
        # as inlined where it is called, `trainer.discriminator`): the zeroed module is the object the
        # optimizer was built over, as the callers bind both
        if "." in zeroed.name:
            bound = self.at(reset.context.function).binding(zeroed.name, reset.context.function)
            if bound is not None and bound.cls is not None and any(
                b.same_as(bound) for b in self.optimized_bindings(optimizer)
            ):
                return True
        # `self.optimizer` over `self.parameters()`, and `model.zero_grad()` in a method every caller
        # calls as `model.train_model(model, ...)`: the parameter is the object itself; or the
        # object's own optimizer reached through it (`model.zero_grad()`, then `model.optimizer.step()`)
        return "self" in models and (
            self._receiver_passed_as(reset.context.function, zeroed.name)
            or (optimizer is not None and optimizer.name.startswith(zeroed.name + ".") and optimizer.name.count(".") == zeroed.name.count(".") + 1)
        )

    def _same_object_scope(self, one: FunctionInfo, other: FunctionInfo) -> bool:
        """Do `self.` names mean the same object in both functions: the same function, or methods of
        one class (or of a class and its base)?"""
        if one is other:
            return True
        if one.cls is None or other.cls is None:
            return False
        return one.cls in self.at(other).class_chain(other.cls) or other.cls in self.at(one).class_chain(one.cls)

    def _own_submodule_optimizer(self, reset: Event, optimizer: Subject | None) -> bool:
        """Is the reset `self.zero_grad()` in a method of a module class, and the optimizer one the
        same class (or a base) builds over a part of the object (`self.inner_opt =
        SGD(self.net.parameters())`)? `Module.zero_grad()` clears every parameter of the module,
        its submodules' among them."""
        cls = reset.context.function.cls
        binding = optimizer.binding if optimizer is not None else None
        if cls is None or binding is None or binding.function.cls is None or not self.is_module_class(cls):
            return False
        return binding.function.cls in self.at(reset.context.function).class_chain(cls)

    def _module_behind(self, name: str, function: FunctionInfo, depth: int = 4) -> str:
        """The name a module is known by through plain aliases: a local bound to another name
        (`net = self.net`), to its element of a tuple (`model, config = self.model, self.config`),
        or to a conditional whose arms all name one module (`m.module if hasattr(m, "module") else
        m`); a wrapper's `.module` is the module it wraps."""
        for _ in range(depth):
            name = without_module(name)
            binding = self.roles.lookup(name, function) if "." not in name else None
            statement = binding.statement.node if binding is not None else None
            if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
                return name
            target, value = statement.targets[0].target, statement.value
            if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
                names = [dotted_name(e.value) for e in target.elements]
                if name not in names or len(target.elements) != len(value.elements):
                    return name
                value = value.elements[names.index(name)].value
            elif not (isinstance(target, cst.Name) and target.value == name):
                return name
            if isinstance(value, cst.IfExp):
                arms = {self._module_behind(dotted_name(arm) or "", binding.function, 1) for arm in (value.body, value.orelse)}
                if len(arms) != 1 or "" in arms:
                    return name
                name = arms.pop()
                continue
            following = dotted_name(value)
            if following is None:
                return name
            name = following
        return without_module(name)

    def _passed_name(self, function: FunctionInfo, name: str, scope: FunctionInfo) -> str | None:
        """The one name every call of the function gives its parameter `name`, when each call is
        made in `scope`; None otherwise."""
        index = function.argument_index(name)
        passed = {
            _argument_dotted(edge.call, index, name) if edge.caller is scope else None for edge in self.callers(function)
        }
        return passed.pop() if len(passed) == 1 else None

    def names_passed_for(self, subject: Subject) -> frozenset[str] | None:
        """For a subject that is a parameter of its function, or an attribute of one (`model`,
        `model.encoder` in `def fit(model, ...)`): the dotted names the project's calls of the
        function give in its place (`fit(esmm, ...)`, `fit(self.mmoe, ...)`). None when the subject
        is no parameter, no call can be seen, or a call passes an expression or nothing."""
        function = subject.function
        root, _, rest = subject.name.partition(".")
        if root not in function.params or root == "self" or function.name == "<module>":
            return None
        index = function.argument_index(root)
        edges = self.callers(function)
        if not edges:
            return None
        given = {_argument_dotted(edge.call, index, root) for edge in edges}
        if None in given:
            return None
        return frozenset(f"{name}.{rest}" if rest else name for name in given if name is not None)

    def _receiver_passed_as(self, function: FunctionInfo, name: str) -> bool:
        """Does every call of the method give parameter `name` the object it is called on?"""
        if function.cls is None or name not in function.params or function.params[:1] != ("self",) or name == "self":
            return False
        index = function.argument_index(name)
        edges = self.callers(function)
        return bool(edges) and all(
            edge.call.receiver is not None and _argument_dotted(edge.call, index, name) == edge.call.receiver
            for edge in edges
        )

    def _optimizer_construction(self, optimizer: Subject | None) -> tuple[CallSite, FunctionInfo] | None:
        """The call that built the optimizer and the function it is made in: its binding's, or, for
        one a project factory returns (`controller, ctrl_optimizer = create_ctrler(args)`), the
        construction in the factory of the name it returns in that place."""
        binding = optimizer.binding if optimizer is not None else None
        if binding is None or binding.call is None:
            return None
        factory = self.resolve_call(binding.call, binding.function)
        if factory is None or factory.name == "__init__" or binding.role != OPTIMIZER:
            return binding.call, binding.function
        names = _assigned_names(binding.statement.node)
        place = names.index(binding.name) if names is not None and binding.name in names else None
        if place is None:
            return binding.call, binding.function
        owner = self.at(factory)
        for simple in factory.simples:
            if simple.jump != "return" or simple.value is None:
                continue
            value = simple.value
            elements = [e.value for e in value.elements] if isinstance(value, cst.Tuple) else [value]
            if place >= len(elements):
                continue
            returned = elements[place]
            if isinstance(returned, cst.Call):
                made = next((c for c in simple.calls if c.node is returned), None)
                return (made, factory) if made is not None else (binding.call, binding.function)
            name = dotted_name(returned)
            built = owner.roles.lookup(name, factory) if name else None
            if built is not None and built.call is not None and built.function is factory:
                return built.call, factory
        # (the factory's call is no construction: its first argument is whatever the factory takes,
        # `get_network(Discriminator64)`, not the parameters)
        return None

    def optimized_models(self, optimizer: Subject | None, full: bool = False) -> frozenset[str]:
        """Names (last segment, or the whole name with `full`) of the models whose parameters the
        optimizer was built over; empty when that cannot be seen."""
        made = self._optimizer_construction(optimizer)
        if made is None:
            return frozenset()
        call, function = made
        params = call.arg(0, "params")
        if params is None:
            return frozenset()
        owner = self.at(function)
        names = [n for n in params.names if owner.roles.role(n, function) == MODEL or _hands_parameters_of(params.node, n)]
        for name in params.names:
            # `gen_parameters = list(self.g_ab.parameters()) + list(self.g_ba.parameters())`, then
            # `optim.Adam(gen_parameters)`: the models the name holds, read from every assignment
            held = owner._models_a_name_holds(name, function) if name not in names else None
            names += [n for n in held or () if n not in names]
        if optimizer is not None and optimizer.binding is not None and function is not optimizer.binding.function:
            # built in a factory that hands the model back beside it (`netD, optimizerD =
            # get_model_and_optimizer(...)` with `return network, optimizer`): the caller's names
            for name in list(names):
                given = self._returned_binding(optimizer.binding, function, name)
                if given is not None and given.name not in names:
                    names.append(given.name)
        return frozenset(names if full else (n.rsplit(".", 1)[-1] for n in names))

    def _models_a_name_holds(self, name: str, function: FunctionInfo, depth: int = 2) -> list[str] | None:
        """The models whose parameters a name of the function holds, read from every assignment of
        it (`params = model.parameters()` in one arm, `params = [{"params": decay}, ...]` in the
        other) and from what the function adds to it (`decay.append(param)` in a loop over
        `model.named_parameters()`, `groups += [...]`); None when one of them holds nothing known to
        be a model's (a name of a list filled elsewhere, a value no model is read in)."""
        bound = self.roles.bindings_of(name, function)
        if not bound or depth < 0:
            return None
        found: list[str] = []

        def add(names: Iterable[str]) -> bool:
            known = False
            for other in names:
                if self.roles.role(other, function) == MODEL:
                    if other not in found:
                        found.append(other)
                    known = True
                elif other != name and (inner := self._models_a_name_holds(other, function, depth - 1)):
                    found.extend(n for n in inner if n not in found)
                    known = True
            return known

        for binding in bound:
            value = binding.statement.value
            if value is None or binding.statement.augmented:
                return None
            if not _empty_containers(value) and not add(binding.statement.value_names):
                return None
        for simple in function.simples:
            added: Iterable[str] = ()
            if simple.augmented and name in simple.targets:
                added = simple.value_names
            for call in simple.calls:
                if call.receiver == name and call.method in ("append", "extend", "add", "insert"):
                    added = [n for a in call.args for n in a.names]
            if added and not add(self._parameter_loops_over(function, added)):
                return None
        return found or None

    def _parameter_loops_over(self, function: FunctionInfo, names: Iterable[str]) -> list[str]:
        """The names, each loop target among them (`param` of `for name, param in
        model.named_parameters():`) replaced by the model whose parameters the loop runs over."""
        given: list[str] = []
        for name in names:
            over = [
                match.group(1) for loop in function.loops if name in loop.targets
                for match in [_PARAMETERS_OF.fullmatch(loop.iter_text)] if match is not None
            ]
            given.extend(over or [name])
        return given

    def optimized_bindings(self, optimizer: Subject | None) -> list[Binding]:
        """The bindings of the models the optimizer was built over, when every one is known."""
        made = self._optimizer_construction(optimizer)
        if made is None:
            return []
        call, function = made
        params = call.arg(0, "params")
        if params is None:
            return []
        owner = self.at(function)
        names = [n for n in params.names if owner.roles.role(n, function) == MODEL or _hands_parameters_of(params.node, n)]
        bindings = [owner.binding(n, function) for n in names]
        if optimizer is not None and optimizer.binding is not None and function is not optimizer.binding.function:
            # built in a factory that hands back the model beside it (`model, loss_fn, optimizer =
            # get_model()`): the caller's binding of what the factory returns in that place
            bindings = [self._returned_binding(optimizer.binding, function, name) or b for name, b in zip(names, bindings)]
        return [b for b in bindings if b is not None] if all(b is not None for b in bindings) else []

    def _returned_binding(self, binding: Binding, factory: FunctionInfo, name: str) -> Binding | None:
        """The caller's binding of the element a factory returns as `name` (`model, opt = make()`
        with `return model, optimizer`): None when the factory does not hand that name back there."""
        statement = binding.statement.node
        caller_names = _assigned_names(statement)
        if caller_names is None or not isinstance(statement.targets[0].target, (cst.Tuple, cst.List)):  # type: ignore[attr-defined]
            return None
        for simple in factory.simples:
            if simple.jump != "return" or not isinstance(simple.value, cst.Tuple):
                continue
            returned = [dotted_name(e.value) for e in simple.value.elements]
            if name in returned and len(returned) == len(caller_names):
                given = caller_names[returned.index(name)]
                return self.binding(given, binding.function) if given else None
        return None

    def scheduled_optimizer(self, scheduler: Subject | None) -> Subject | None:
        """The optimizer a scheduler was built over (its first argument), when known."""
        if scheduler is None or scheduler.binding is None or scheduler.binding.call is None:
            return None
        first = scheduler.binding.call.arg(0, "optimizer")
        if first is None or first.dotted is None:
            return None
        return self.flow.subject(first.dotted, scheduler.binding.function)

    def follows_metric(self, scheduler: Subject | None) -> bool:
        """ReduceLROnPlateau: it follows a metric (`scheduler.step(val_loss)`), it has no schedule
        whose first value a step could skip. Where the name is bound to one of several schedules
        (`if args.lrschedule == 'plateau': ... elif ...: CosineAnnealingLR(...)`), the argument of
        its step may be the metric of the plateau the options choose."""
        binding = scheduler.binding if scheduler is not None else None
        if binding is None:
            return False
        arms = self.at(binding.function).roles.bindings_of(binding.name, binding.function)
        return any(built.last == "ReduceLROnPlateau" for built in (binding, *arms))

    def told_its_epoch(self, event: Event) -> bool:
        """`scheduler.step(epoch - 1 + i / n)`: a schedule (not ReduceLROnPlateau) given its
        position, so the closed form at that epoch is used. How often it is called, or whether it
        runs before the optimizer, changes nothing, and it has no position to lose on resume."""
        call = event.call
        if call is None or call.inner is not None or self.follows_metric(event.subject):
            return False
        return call.arg(0, "epoch") is not None

    @cached_property
    def schedulers_told_their_epoch(self) -> bool:
        """Is every scheduler step this file runs (helpers inlined) told its epoch (see
        `told_its_epoch`)? The schedules then have no position of their own to lose."""
        steps = [
            e for function in self.ir.functions for e in self.function_events_flat(function)
            if e.kind is Kind.SCHEDULER_STEP
        ]
        return bool(steps) and all(self.told_its_epoch(e) for e in steps)

    @staticmethod
    def may_be(first: Subject | None, second: Subject | None) -> bool:
        return first is None or first.may_be(second)

    # functions, evaluation, schedules, data flow -----------------------------------------

    def grad_entering(self, function: FunctionInfo) -> str:
        """The grad mode the function is entered in (see evaluation.grad_entering). Asked again
        while it is being found (whether a caller trains needs the function's statements, whose
        grad mode starts from this one): 'on', as code runs unless something turns grad off."""
        cached = self._grad_entering.get(id(function))
        if cached is None:
            self._grad_entering[id(function)] = "on"
            try:
                cached = evaluation.grad_entering(self, function)
            finally:
                del self._grad_entering[id(function)]
            self._grad_entering[id(function)] = cached
        return cached

    def grad_at(self, event: Event, edges: tuple[CallEdge, ...] | None = None) -> str:
        return evaluation.grad_at(self, event, edges)

    def eval_mode_reaches(self, target: Event, subject: Subject | None, edges: tuple[CallEdge, ...] | None = None) -> bool:
        # an event inlined from helpers is judged where the outermost call was made: only that
        # chain leads to it (a helper's other callers, a training loop among them, do not)
        function = target.context.callers[0] if target.context.chain else target.context.function
        return evaluation.eval_mode_reaches(self, function, target, subject, edges=edges)

    def may_hold_mode_layers(self, subject: Subject | None) -> bool:
        return evaluation.may_hold_mode_layers(self, subject)

    @cached_property
    def globals_in_eval_mode(self) -> frozenset[str]:
        """Module-level models the script (or a loader of the global) puts in eval mode."""
        return frozenset(evaluation.globals_in_eval_mode(self))

    @cached_property
    def evaluation_passes(self) -> list[evaluation.EvaluationPass]:
        return evaluation.evaluation_passes(self)

    @cached_property
    def graph_recording_evaluation_calls(self) -> frozenset[int]:
        """The first model calls (by node) of this file's evaluation passes that record a graph
        nothing uses (what LC007 reports): what they return carries that graph, whatever trains
        the model, or whether this file trains it at all."""
        found: set[int] = set()
        for found_pass in self.evaluation_passes:
            if evaluation.records_graph_for_nothing(self, found_pass):
                found.add(id(found_pass.first_call.node))
                found.update(id(other.node) for other in found_pass.others)
        return frozenset(found)

    @cached_property
    def scheduler_steps(self) -> list[schedules.SchedulerStep]:
        return schedules.scheduler_steps(self)

    def schedule_size(self, scheduler: Subject | None) -> schedules.ScheduleSize | None:
        return schedules.schedule_size(self, scheduler)

    def returned_graphs(self, function: FunctionInfo, carrying: frozenset[str] = frozenset()) -> dataflow.Returned:
        """Which returned values carry a graph when the parameters `carrying` carry one (one flag,
        or one per element of a returned tuple)."""
        key = (id(function), carrying)
        if key not in self._returns_graph:
            self._returns_graph[key] = (False,)  # a recursive call sees "no" while this one is computed
            self._returns_graph[key] = dataflow.returned_graphs(self, function, carrying)
        return self._returns_graph[key]

    def left_graphs(self, function: FunctionInfo, carrying: frozenset[str] = frozenset()) -> frozenset[str]:
        """The attributes of its object (`loss_val` for `self.loss_val = ...`) that a method leaves
        holding a graph when the parameters `carrying` carry one."""
        key = (id(function), carrying)
        if key not in self._left_graphs:
            self._left_graphs[key] = frozenset()  # a recursive call sees "none" while this one is computed
            self._left_graphs[key] = dataflow.left_graphs(self, function, carrying)
        return self._left_graphs[key]

    def returned_keys(self, function: FunctionInfo, carrying: frozenset[str] = frozenset()) -> frozenset[str] | None:
        """When the function returns dicts with known keys: the keys whose values carry a graph."""
        key = (id(function), carrying)
        if key not in self._returns_keys:
            self._returns_keys[key] = None  # a recursive call sees "not known" while this one is computed
            self._returns_keys[key] = dataflow.returned_keys(self, function, carrying)
        return self._returns_keys[key]

    def kept_parameters(self, function: FunctionInfo) -> frozenset[str]:
        """Parameters a project function stores beyond its call (a meter's `update(val, n)`)."""
        key = id(function)
        if key not in self._kept_parameters:
            owner = self.at(function)
            self._kept_parameters[key] = dataflow.kept_parameters(function, owner.ir.imports, owner.flow.grad_of_function(function, "on"))
        return self._kept_parameters[key]

    @cached_property
    def retained_values(self) -> list[dataflow.RetainedValue]:
        return [found for function in self.ir.functions for found in dataflow.retained_values(self, function)]

    def scaled_backward(self, backward: Event) -> bool:
        """`scaler.scale(loss).backward()` with a GradScaler that is not built `enabled=False`."""
        inner = backward.call.inner if backward.call is not None else None
        if inner is None or inner.method != "scale" or inner.receiver is None:
            return False
        binding = self.binding(inner.receiver, backward.context.function)
        if binding is not None and binding.call is not None:
            enabled = binding.call.keyword("enabled")
            if enabled is not None and isinstance(enabled.node, cst.Name) and enabled.node.value == "False":
                return False
        return True

    def is_torch_clip(self, clip: Event) -> bool:
        """torch.nn.utils' clipping, which knows nothing of loss scaling (framework wrappers unscale)."""
        call = clip.call
        if call is None or call.dotted is None:
            return False
        if "." not in call.dotted:
            imported = self.ir.imports.get(call.dotted)
            return imported is None or imported.startswith("torch.")
        qualified = qualify(call.dotted, self.ir.imports) or ""
        return qualified.startswith(("torch.nn.utils.", "nn.utils."))

    @cached_property
    def checkpoints(self) -> list[state.Checkpoint]:
        return state.checkpoints(self)

    def freezes(self, function: FunctionInfo) -> list[state.Freeze]:
        return state.freezes(self, function)

    def frozen_whole(self, binding: Binding, used: cst.CSTNode | None = None, where: FunctionInfo | None = None) -> bool:
        """Is every parameter of this module frozen for good (see state.frozen_whole), and, for a
        use at `used` in the function that freezes it, frozen before that use?"""
        owner = self.at(binding.function)
        key = ("frozen whole", id(binding))
        if key not in owner._frozen:
            owner._frozen[key] = state.frozen_whole(owner, binding)
        freeze = owner._frozen[key]
        if freeze is None:
            return False
        if used is None or where is None or freeze not in where.simples:
            return True
        order = {id(p.simple): index for index, p in enumerate(self.at(where).ordered_statements(where))}
        at = next((order[id(s)] for s in where.simples if any(c.node is used for c in s.calls)), None)
        return at is None or order.get(id(freeze), -1) < at

    def optimizers_over_all_parameters(self, function: FunctionInfo) -> list[tuple[Binding, str]]:
        return state.optimizer_over_all_parameters(self, function)

    def built(self, role: str) -> list[Binding]:
        """Every object of a role (optimizer, scheduler, ...) the file constructs."""
        return state.bindings_with_role(self, role)

    # positions --------------------------------------------------------------------------

    @cached_property
    def _positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        # Computed only when a rule reports: positions cost a code-generation pass over the file.
        # loopcheck.positions gives libcst's PositionProvider's ranges at less than half its cost
        # (it falls back to the provider itself where it cannot).
        from loopcheck.positions import positions

        return positions(self.module)

    def position(self, node: cst.CSTNode) -> CodeRange:
        return self._positions[node]

    def locate(self, node: cst.CSTNode) -> tuple[str, CodeRange]:
        """The file and position of a node of this file or of a file this model consulted."""
        if node in self._positions:
            return self.path, self._positions[node]
        for other in self.consulted.values():
            if other is not self and node in other._positions:
                return other.path, other._positions[node]
        raise KeyError(node)

    def anchor(self, event: Event) -> cst.CSTNode:
        """Where this file leads to the event: the event itself, or the call in this file through
        which an inlined helper of another file reaches it."""
        if event.context.function.file is self.ir or event.context.function.file is None:
            return event.node
        for call in event.context.chain:
            if call.node in self._positions:
                return call.node
        return event.node

    @cached_property
    def is_pytest_file(self) -> bool:
        """A file pytest collects (`test_*.py`, `*_test.py`, `conftest.py`) that holds tests: a
        top-level `test*` function or `Test*` class, or an import of pytest or unittest. A script
        that is only named so (`test_net.py` evaluating a detector, `add_test.py` training a
        model) is training code like any other, and so is one that calls each of its `test*`
        functions itself (`testing_model(loader)` under `__main__`) and checks nothing (no `assert`,
        no `torch.allclose(result, expected)`), importing neither pytest nor unittest. A file of any name whose top-level classes are unittest TestCases (`test.py` run
        by `python -m unittest`) is a test file too."""
        if not is_pytest_file(self.path):
            return any(self.is_test_case(cls) for cls in self.ir.top_classes.values())
        if os.path.basename(self.path) == "conftest.py":
            return True
        text = getattr(self.source, "text", None)
        if tests_run_by_the_file(text if isinstance(text, str) else self.module.code):
            return False
        if any(name.startswith("test") for name in self.ir.top.nested) or any(
            name.startswith("Test") for name in self.ir.top_classes
        ):
            return True
        return any(qualified.split(".", 1)[0] in ("pytest", "unittest") for qualified in self.ir.imports.values())

    @cached_property
    def written_for_old_torch(self) -> bool:
        """Code written for PyTorch before 0.4 (`loss.data[0]`, `Variable(x, volatile=True)`, both
        errors or no-ops since): the API of its time decides what was right."""
        return bool(_OLD_TORCH.search(self.text))

    @cached_property
    def imports_old_torch_code(self) -> bool:
        """Is this file, or a module of the project it imports (`import ops`, `from utils import
        f`), written for PyTorch before 0.4 (see `written_for_old_torch`)? A script whose helpers
        read `loss.data[0]` was written against the same old API as they were."""
        if self.written_for_old_torch:
            return True
        modules: set[tuple[str, int]] = set()
        for qualified in self.ir.imports.values():
            level = len(qualified) - len(qualified.lstrip("."))
            dotted = qualified.lstrip(".")
            modules.add((dotted, level))
            if "." in dotted:
                modules.add((dotted.rsplit(".", 1)[0], level))  # (`from utils import f`: the module utils)
        for dotted, level in sorted(modules):
            module = self.project.module(self.path, dotted, level) if self.path and dotted else None
            if module is not None and module is not self and module.written_for_old_torch:
                return True
        return False

    @cached_property
    def declared_torch(self) -> tuple[int, int] | None:
        """The newest PyTorch version (major, minor) the project states for this file's folder (its
        readme, requirements or setup, there or in a folder above it), None when it states none."""
        path = self.ir.path
        if not path:
            return None
        return self.project.declared_torch(self.project.folder_of(path))

    def written_before(self, version: tuple[int, int]) -> bool:
        """Is the file written for a PyTorch older than `version`: by its own idioms (see
        `written_for_old_torch`, before 0.4), or by the version its project states, when every
        version it names is older (`PyTorch 0.4.1` in the readme, `torch==1.0.0` in requirements)?"""
        if self.written_for_old_torch and version >= (0, 4):
            return True
        declared = self.declared_torch
        return declared is not None and declared < version

    @property
    def text(self) -> str:
        """The Python text the model was built from (a notebook's joined code cells)."""
        text = getattr(self.source, "text", None)
        return text if isinstance(text, str) else self.module.code

    @cached_property
    def uncommented_text(self) -> str:
        """`text` with its whole-line comments blanked (`# graph_train()` calls nothing)."""
        return WHOLE_LINE_COMMENT.sub("", self.text)

    @cached_property
    def runs_its_own_functions(self) -> bool:
        """Is the file a program that runs at its top level a function it defines itself (`model, stats
        = mainQuantAware()` with no `__main__` block)? Calls of imported helpers (`getData()` of a star
        import) make no program of it: a file that loads its data and leaves `Scheduler()` to whoever
        imports it or runs it interactively."""
        module = self.ir.top
        return any(
            isinstance(found := self.definition(call.dotted, module), FunctionInfo) and self.at(found) is self
            for simple in module.simples for call in simple.calls if call.dotted is not None and "." not in call.dotted
        )

    @cached_property
    def hands_module_to_fire(self) -> bool:
        """Does the file's top-level code hand the module to `fire.Fire()` (no argument: each
        top-level function becomes a command, `python main.py predict`)?"""
        return any(
            not call.args and qualify(call.dotted, self.ir.imports) == "fire.Fire"
            for placed in self.ordered_statements(self.ir.top) for call in placed.simple.calls
        )

    @cached_property
    def command_functions(self) -> frozenset[str]:
        """The functions the file's top-level code hands to a command-line runner, which calls them
        as the program starts: `fire.Fire(predict)`, `fire.Fire({"train": train, "eval": evaluate})`,
        `typer.run(main)`, `app.run(main)` of absl, `jsonargparse.CLI(main)`."""
        found: set[str] = set()
        for placed in self.ordered_statements(self.ir.top):
            for call in placed.simple.calls:
                if not call.args or qualify(call.dotted, self.ir.imports) not in _COMMAND_RUNNERS:
                    continue
                handed = call.args[0].node
                if isinstance(handed, cst.Name):
                    found.add(handed.value)
                elif isinstance(handed, cst.Dict):
                    found.update(e.value.value for e in handed.elements if isinstance(e, cst.DictElement) and isinstance(e.value, cst.Name))
                elif isinstance(handed, (cst.List, cst.Tuple)):
                    found.update(e.value.value for e in handed.elements if isinstance(e.value, cst.Name))
        return frozenset(found)

    @cached_property
    def project_path(self) -> str:
        """The file's path as the project's searches name it (relative to the root: `mentions`)."""
        return os.path.join(self.project.folder_of(self.path), os.path.basename(self.path))

    # code that cannot run ---------------------------------------------------------------

    @cached_property
    def undefined_names(self) -> frozenset[str] | None:
        """The names the file reads that nothing gives it, though it was surely meant to have them
        (see loopcheck.model.names); None when that cannot be known (also for a notebook that left
        cells out or runs other files by magic)."""
        notebook = getattr(self.source, "notebook", None)
        if notebook is not None and (notebook.skipped or notebook.names_out_of_sight):
            return None
        from loopcheck.model import names

        found = names.symbols(self.text)
        if found is None:
            found = self._symbols_through_star_imports()
        if found is None:
            return None
        undefined, defined = found
        return frozenset(
            name for name in undefined
            if names.misspelling(name, defined)
            or self.project.mentions(names.defined_elsewhere_pattern(name), near=self.project_path)
            or self.project.mentions(names.imported_elsewhere_pattern(name), near=self.project_path)
        ) | names.meant_as_attributes(self.syntax_tree, undefined) | self._misspelt_module_attributes()

    def _symbols_through_star_imports(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """`names.symbols` of a file whose star imports all name modules of the project that bind
        what they bind in plain sight (`from config import *` of a `config.py` defining `device`):
        the names they bring are defined. None when any star import is of a module out of sight
        (a library's, or one itself star-importing or using `exec`, `globals()`, `__getattr__`)."""
        from loopcheck.model import names

        stars = [
            small for statement in self.module.body if type(statement) is cst.SimpleStatementLine
            for small in statement.body if type(small) is cst.ImportFrom and isinstance(small.names, cst.ImportStar)  # type: ignore[attr-defined]
        ]
        if not stars or self.text.count("import *") + self.text.count("import  *") != len(stars):
            return None  # (a star import elsewhere than at the top level, or spelled otherwise)
        brought: set[str] = set()
        for small in stars:
            dotted = dotted_name(small.module) if small.module is not None else ""
            module = self.project.module(self.path, dotted or "", len(small.relative)) if (dotted or small.relative) else None
            if module is None or module is self or "__getattr__" in module.text:
                return None
            theirs = names.symbols(module.text)
            if theirs is None:
                return None
            brought |= theirs[1]
        found = names.symbols(self.text, stars_known=True)
        if found is None:
            return None
        undefined, defined = found
        return undefined - brought, defined | brought

    def _misspelt_module_attributes(self) -> frozenset[str]:
        """`utils.AvgrageMeter` where `utils` is a project module that defines `AverageMeter` and no
        `AvgrageMeter` (nor `__getattr__`, a star import, `exec`): AttributeError there, as a
        missing name raises NameError. Given as the dotted text the code reads."""
        from loopcheck.model import names

        found: set[str] = set()
        for local, ref in self.ir.import_refs.items():
            if "." in local or local not in self.text:
                continue
            module = self._imported(ref, 1)
            if not isinstance(module, LoopModel) or module is self or "__getattr__" in module.text:
                continue
            attributes = {m.group(1) for m in _ATTRIBUTE_OF.finditer(self.text) if m.group(0).startswith(local + ".")}
            if not attributes:
                continue
            symbols = names.symbols(module.text)
            if symbols is None:
                continue
            defined = symbols[1]
            base = ref.module if ref.name is None else (f"{ref.module}.{ref.name}" if ref.module else ref.name)
            found.update(
                f"{local}.{a}" for a in attributes
                if a not in defined and names.misspelling(a, defined)
                # (`models.unet` of a package holding `unet.py`: a submodule, bound once imported)
                and not (os.path.basename(module.path) == "__init__.py" and self.project.module(self.path, f"{base}.{a}", ref.level) is not None)
            )
        return frozenset(found)

    @cached_property
    def syntax_tree(self) -> object:
        """Python's own syntax tree of the text (for `names`: asked only of files with findings)."""
        import ast

        try:
            return ast.parse(self.text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    @cached_property
    def stopping_call_lines(self) -> frozenset[int]:
        """The lines of this file's calls of project functions (or classes), here or in another
        file, whose every run ends in a NameError there (`SeqClassifier(...)` whose `__init__`
        builds a `SimpleRNN` its file forgot to import), or in a TypeError of a layer built with no
        size (`nn.Linear(None, None)` of an unfilled template) or of a call that cannot bind
        (`ImageDataset(d, transform=t)` for an `__init__(self, d)`, made on every run). Asked only
        of files with findings."""
        from loopcheck.model.names import always_raises, body_stops, fails_to_bind_on_every_run

        lines: set[int] = set()
        for function in self.ir.functions:
            for simple in function.simples:
                for call in simple.calls:
                    target = self.resolve_call(call, function, via_callers=False, constructors=True)
                    owner = self.at(target) if target is not None else None
                    if owner is None:
                        continue
                    if (
                        (owner.undefined_names and body_stops(owner, target)) or always_raises(owner, target)
                        or fails_to_bind_on_every_run(owner, target)
                    ):
                        lines.add(self.position(call.node).start.line)
        return frozenset(lines)

    @cached_property
    def unbindable_call_lines(self) -> frozenset[int]:
        """The lines of this file's calls of project functions, methods, classes or models whose
        arguments cannot bind to the parameters the definition states (`FasDataset(args)` for an
        `__init__(self, args, path, width)`, `self.forward(x)` for a `forward(self, x, y)`): each
        raises TypeError before anything of the callee runs. Only definitions whose decorators keep
        the signature, of classes with no decorator, and only where the call's function was found
        by name: asked only of files with findings."""
        lines: set[int] = set()
        for function in self.ir.functions:
            for simple in function.simples:
                for call in simple.calls:
                    if call.inner is not None or call.dotted is None or any(arg.star for arg in call.node.args):
                        continue
                    target = self.resolve_call(call, function, via_callers=False, constructors=True)
                    if target is not None and target.name == "__init__" and self._bound_as_variable(call.dotted, function):
                        continue  # (the class's name bound to an instance: which one a call runs is not judged)
                    if target is not None and target.name == "__init__" and self._library_init_first(call, function, target):
                        continue  # (`class ModuleList(nn.ModuleList, Module)`: torch's `__init__` runs, not the mixin's)
                    if target is None:
                        target = self._forward_called(call, function)
                    if target is not None and self._call_cannot_bind(call, target, function):
                        lines.add(self.position(call.node).start.line)
                for target_count, call in self._unpacked_calls(simple):
                    returned = self._fixed_return_length(call, function)
                    if returned is not None and returned != target_count:
                        lines.add(self.position(call.node).start.line)  # ValueError: too many (or not enough) values
        return frozenset(lines)

    def _library_init_first(self, call: CallSite, function: FunctionInfo, target: FunctionInfo) -> bool:
        """Does the class the call builds inherit, before the project class whose `__init__` the call
        was resolved to, from a library class (in the order Python looks methods up, depth first
        along the bases as written): that library class's own `__init__` may be the one that runs
        (`class ModuleList(nn.ModuleList, Module)` is built as `ModuleList([layer, ...])`)."""
        made = self.definition_at(call.dotted, function, call.node) if call.dotted else None
        if not isinstance(made, ClassInfo) or target.cls is None or made is target.cls:
            return False
        seen: set[int] = set()

        def first(cls: ClassInfo) -> bool | None:
            """True when a library base comes first, False when the target's class does."""
            if cls is target.cls:
                return False
            if id(cls) in seen or len(seen) > 32:
                return None
            seen.add(id(cls))
            for base in self.base_classes(cls):
                if isinstance(base, str):
                    if base not in ("", "object"):
                        return True
                    continue
                found = first(base)
                if found is not None:
                    return found
            return None

        return bool(first(made))

    @staticmethod
    def _unpacked_calls(simple: Simple) -> list[tuple[int, CallSite]]:
        """`a, b = f(x)`: the number of names a call's result is unpacked into (no starred name)."""
        node = simple.node
        if not isinstance(node, cst.Assign) or len(node.targets) != 1 or not isinstance(node.value, cst.Call):
            return []
        target = node.targets[0].target
        if not isinstance(target, (cst.Tuple, cst.List)) or any(isinstance(e, cst.StarredElement) for e in target.elements):
            return []
        call = next((c for c in simple.calls if c.node is node.value), None)
        return [(len(target.elements), call)] if call is not None and not any(arg.star for arg in call.node.args) else []

    def _fixed_return_length(self, call: CallSite, function: FunctionInfo) -> int | None:
        """The length of the tuple every `return` of the project function (or model forward) the
        call runs hands back, when each is a tuple display of one same length and the function
        yields nothing; None otherwise."""
        from loopcheck.model.names import keeps_signature

        target = self.resolve_call(call, function, via_callers=False) or self._forward_called(call, function)
        if target is None or type(target.node) is not cst.FunctionDef or not keeps_signature(target.decorators):
            return None
        if self._defined_again(target) or (target.cls is not None and self.at(target).subclasses(target.cls)):
            return None  # (which definition runs is not judged; a subclass may return otherwise)
        lengths = {
            len(s.value.elements) if isinstance(s.value, cst.Tuple) and not any(isinstance(e, cst.StarredElement) for e in s.value.elements) else None
            for s in target.simples if s.jump == "return"
        }
        if len(lengths) != 1 or None in lengths:
            return None
        # (the function's text only now, for the few that qualify: a generator returns no tuple)
        return None if "yield" in self.at(target).code(target.node) else lengths.pop()

    def _raises_before_entering(self, edge: CallEdge, target: FunctionInfo) -> bool:
        """Do the call's arguments fail to bind to the parameters the definition states (a script's
        `train(model, loader, optimizer, criterion, epochs)` for a `train(model, loader, optimizer,
        scheduler, criterion, epochs, writer)`)? It raises TypeError before the function runs, and
        gives its parameters nothing. (Only a call of the function itself: one that hands it over,
        `Process(target=gen_proc, args=(...))`, binds what it is given elsewhere.)"""
        called = (dotted_name(edge.call.node.func) or "").rpartition(".")[2]  # (the call written, not the callback it hands over)
        if called != (target.cls.name if target.name == "__init__" and target.cls is not None else target.name):
            return False
        return self.at(edge.caller)._call_cannot_bind(edge.call, target, edge.caller)

    def _call_cannot_bind(self, call: CallSite, target: FunctionInfo, function: FunctionInfo) -> bool:
        """Does this file's call, made in `function`, of the project function `target` have
        arguments that cannot bind to the parameters the definition states? Only where that can be
        told: no unpacked arguments, a plain definition whose decorators keep its signature, of a
        class with no decorator (`@gin.configurable`, `@dataclass` may give what the call leaves
        out), a receiver known to be (or not be) its first parameter, defined once in its file."""
        from loopcheck.model.names import cannot_bind, keeps_signature

        if any(arg.star for arg in call.node.args) or type(target.node) is not cst.FunctionDef:
            return False
        if not keeps_signature(target.decorators) or (target.cls is not None and target.cls.node.decorators):
            return False
        bound = self._binds_receiver(call, target, function)
        if bound is None or self._defined_again(target):
            return False
        return cannot_bind(call.node, target.node, bound)

    def _defined_again(self, target: FunctionInfo) -> bool:
        """Is the function (or the class whose method it is) defined more than once in its file (a
        notebook's later cell redefining it): which definition a call runs is not judged."""
        owner = self.at(target)
        name = target.cls.name if target.cls is not None else target.name
        key = ("defined again", name)
        if key not in owner._class_facts:
            pattern = rf"(?m)^[ \t]*(?:class|(?:async[ \t]+)?def)[ \t]+{re.escape(name)}\b"
            owner._class_facts[key] = len(re.findall(pattern, owner.text)) > 1
        return owner._class_facts[key]

    def _forward_called(self, call: CallSite, function: FunctionInfo) -> FunctionInfo | None:
        """The `forward` a call of a project module's instance runs (`model(x, y)`), when the name
        was bound by building that class (`model = Net(...)`, `Net(...).to(device)`)."""
        if "." in (call.dotted or "."):
            return None
        binding = self._in_force(call.dotted, function, call, self.roles.lookup(call.dotted, function))
        if binding is None or binding.cls is None or binding.call is None or not self.is_module_class(binding.cls):
            return None
        if binding.function is not function and len(self.roles.bindings_of(call.dotted, function)) > 1:
            return None  # a global bound again and again (`model = MLP()`, later `model = GCN()`): the one a call finds is not known
        built = binding.call
        while built.inner is not None:
            built = built.inner  # (`Net(...).to(device)`)
        if (built.dotted or "").rpartition(".")[2] != binding.cls.name:
            return None  # a factory's or a helper's result: which class it returns may vary
        return self.method_of(binding.cls, "forward")

    def _binds_receiver(self, call: CallSite, target: FunctionInfo, function: FunctionInfo) -> bool | None:
        """Is the definition's first parameter given by the call's receiver (`obj.method(...)`,
        `Net(...)` running `__init__`, `model(x)` running `forward`), not by the call's values
        (`Net.__init__(self, ...)`, a static method, a plain function)? None when the receiver is
        named like the class but may be a variable (`imdb.competition_mode(on=True)` for an
        instance of a class `imdb`)."""
        if target.cls is None or "staticmethod" in target.decorators:
            return False
        receiver, _, _ = (call.dotted or "").rpartition(".")
        if not receiver or receiver.rpartition(".")[2] != target.cls.name:
            return True
        if "." in receiver or self._bound_as_variable(receiver, function):
            return None
        return "classmethod" in target.decorators  # `Base.__init__(self, ...)`: a function of the class

    def _bound_as_variable(self, name: str, function: FunctionInfo) -> bool:
        """Is the name a parameter of the function, or assigned in it or at the file's top level
        (`basic_model = basic_model(784, 50, 10)`: later calls run the instance, not the class)?"""
        return name in function.params or name in self._assigned_names(function) or name in self._assigned_names(self.ir.top)

    def _assigned_names(self, function: FunctionInfo) -> frozenset[str]:
        """The names the function's own statements assign (remembered: asked for every call)."""
        found = self._assigned.get(id(function))
        if found is None:
            found = self._assigned[id(function)] = frozenset(target for simple in function.simples for target in simple.targets)
        return found

    def cannot_reach(self, line: int) -> bool:
        """Does a NameError (or a TypeError of a call that cannot bind) end the code's run before
        the statement at `line` (loopcheck.model.names)?"""
        from loopcheck.model.names import stopped_before

        return stopped_before(self, line)

    # frameworks -------------------------------------------------------------------------

    @cached_property
    def missing_import(self) -> str | None:
        """A module of its own package that the file imports at its top level, outside any `try`,
        and that is not in the project (`from .model import Net` beside no `model.py`): importing
        the file raises ImportError, so none of its code runs. None when there is none."""
        for small in self._top_level_from_imports():
            if not small.relative or small.module is None:
                continue
            dotted = dotted_name(small.module)
            if dotted and self.project.missing_module(self.path, dotted, len(small.relative)):
                return "." * len(small.relative) + dotted
        return None

    @cached_property
    def unreachable_import(self) -> str | None:
        """A module of the project that the file imports at its top level, outside any `try`, from
        no folder on its path, where the file sets `sys.path` itself and every change names a folder
        of the project (`Project.out_of_reach`): importing the file fails. Asked only of files with
        findings."""
        if getattr(self.source, "notebook", None) is not None or not self.path:
            return None
        for small in self._top_level_from_imports():
            dotted = dotted_name(small.module) if small.module is not None else ""
            if small.relative or not dotted or dotted.split(".", 1)[0] in _LIBRARY_ROOTS:
                continue
            if self.project.out_of_reach(self.path, dotted):
                return dotted
        return None

    def _top_level_from_imports(self) -> Iterator[cst.ImportFrom]:
        """The file's `from ... import ...` statements at its top level, outside any `try`."""
        for statement in self.module.body:
            if type(statement) is cst.SimpleStatementLine:
                yield from (small for small in statement.body if type(small) is cst.ImportFrom)  # type: ignore[attr-defined]

    @cached_property
    def failing_import(self) -> str | None:
        """A name the file imports at its top level, outside any `try`, from a module of the project
        that does not define it (`from utils import Genotype` beside a `utils.py` with no
        `Genotype`, no such submodule, no star import, `__getattr__` or `globals()` in it): importing
        the file raises ImportError, so none of its code runs. Only modules a relative import names
        or that lie beside the file (where Python looks first for a script) are judged: another
        folder's module of that name may not be the one imported. Asked only of files with findings."""
        from loopcheck.model import names

        if getattr(self.source, "notebook", None) is not None:
            return None  # a notebook's cell that fails to import stops that cell, not the cells after it
        for small in self._top_level_from_imports():
            if isinstance(small.names, cst.ImportStar):
                continue
            dotted = dotted_name(small.module) if small.module is not None else ""
            level = len(small.relative)
            module = self.project.module(self.path, dotted, level) if (dotted or level) else None
            if module is None and not level and dotted and self.path:
                # `from models import ResNet` beside a `models/` folder with no `__init__.py` and no
                # `ResNet.py`: a namespace package, which holds its modules and nothing else
                lacking = next((n for alias in small.names if self.project.namespace_lacks(self.path, dotted, n := dotted_name(alias.name) or "")), None)
                if lacking:
                    return f"{lacking} from {dotted}"
                if dotted.split(".", 1)[0] not in _LIBRARY_ROOTS and self.project.package_lacks(self.path, dotted):
                    # `from src.chat_dataset import make_masks` where the project's own `src/`
                    # package holds no `chat_dataset` (moved to `src/seq_model/` since)
                    name = dotted_name(small.names[0].name) if small.names else None
                    return f"{name} from {dotted}" if name else dotted
                if dotted.split(".", 1)[0] not in _LIBRARY_ROOTS:
                    # `from utils import gen_color_img` in `scripts/`, whose project's only `utils`
                    # is `scripts/models/utils.py`, defining no `gen_color_img`
                    lacking = self.project.lacking_everywhere(self.path, dotted, [dotted_name(a.name) or "" for a in small.names])
                    if lacking:
                        return f"{lacking} from {dotted}"
            if module is None or module is self or "__getattr__" in module.text:
                continue
            if not level and not _beside(self.path, dotted, module.path) and (
                dotted.split(".", 1)[0] in _LIBRARY_ROOTS or not self.project.root_package_module(dotted, module.path)
            ):
                # (`from torch import optim` in a project with a `torch/` package of its own: the
                # library); a package at the project's root is the one its files import
                continue
            found = names.symbols(module.text)
            if found is None:
                continue  # (what a star import or `exec` binds cannot be told)
            for alias in small.names:
                name = dotted_name(alias.name)
                if not name or name in found[1]:
                    continue
                if self.project.module(self.path, f"{dotted}.{name}" if dotted else name, level) is not None:
                    continue  # `from models import resnet`: a submodule
                return f"{name} from {'.' * level}{dotted}"
        return None

    @cached_property
    def foreign_framework(self) -> str | None:
        """The other deep-learning framework this file is written for, when it imports one and not torch."""
        roots = {qualified.split(".", 1)[0] for qualified in self.ir.imports.values()}
        if roots & TORCH_ROOTS:
            return None
        found = sorted(roots & OTHER_FRAMEWORKS)
        if found:
            return found[0]
        borrowed = self._framework_of_project_imports()
        if borrowed is not None:
            return borrowed  # `from Algorithms.tf2.PPO.ppo import PPO`: a driver of TensorFlow code
        if any("backward" in cls.methods for cls in self.ir.classes.values()):
            return "its own autograd"  # `class Var: def backward(self): ...` (a teaching autograd), no torch
        if self.ir.import_refs and not _TRAINING_WORDS.search(self.text) and self.path and not any(
            ref.level > 0 or self.project.module(self.path, ref.module, ref.level) is not None
            for ref in self.ir.import_refs.values()
        ) and not self._imported_in_project():
            # imports, none of torch or of the project, and no project file imports it (a z3
            # notebook's `s.model()`); a runner the project's scripts import and hand their torch
            # agents to (`evaluate(agent, env)` calling `agent.act(obs)`) drives torch code
            return "no PyTorch"
        return None

    def _imported_in_project(self) -> bool:
        from loopcheck.prefilter import imported_in_project

        return imported_in_project(self.path, self.project)

    def _framework_of_project_imports(self) -> str | None:
        """The other framework of every project module this file imports, when they all import it
        and not torch (read from their own imports: no further)."""
        if not self.path:
            return None
        frameworks: set[str] = set()
        for ref in self.ir.import_refs.values():
            module = self.project.module(self.path, ref.module, ref.level) if (ref.module or ref.level) else None
            if module is None:
                continue
            theirs = {qualified.split(".", 1)[0] for qualified in module.ir.imports.values()}
            foreign = theirs & OTHER_FRAMEWORKS
            if theirs & TORCH_ROOTS or not foreign:
                return None
            frameworks |= foreign
        return sorted(frameworks)[0] if frameworks else None

    def code(self, node: cst.CSTNode) -> str:
        """The text of an expression or simple statement (normalised spacing; see text.py)."""
        return expression_text(node)


_TRAINING_WORDS = lazy(r"torch|backward\(|zero_grad|state_dict|no_grad|optim")
"""Words of PyTorch training code: a file with none of them, importing neither torch nor a project
module, is not analysed (a `transformers` script still says `loss.backward()`)."""


MODULE_API = frozenset(
    {"parameters", "named_parameters", "buffers", "named_buffers", "children", "named_children", "modules",
     "named_modules", "state_dict", "load_state_dict", "to", "cuda", "cpu", "float", "double", "half", "bfloat16",
     "type", "train", "eval", "requires_grad_", "zero_grad", "apply", "register_buffer", "register_parameter",
     "register_module", "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
     "register_backward_hook", "add_module", "get_submodule", "get_parameter", "get_buffer", "extra_repr",
     "share_memory", "append", "extend", "insert", "keys", "values", "items", "pop", "update", "reset_parameters"}
)
"""nn.Module's (and its containers') own methods: none of them computes with the module's parameters."""
_STORING_METHOD = lazy(r"^(?:save|load|push_to_hub|resize_token_embeddings|tie_weights|print_trainable|(?:un)?freeze)")
"""Methods libraries give their models to store, load or reshape them (`save_pretrained`,
`push_to_hub`, `resize_token_embeddings`): they compute nothing with the parameters."""

_OLD_TORCH = lazy(r"\.data\[0\]|volatile\s*=\s*True")


_INERT_MODEL_METHODS = frozenset({"parameters", "named_parameters", "state_dict", "to", "cuda", "cpu", "modules", "children", "apply"})
"""Methods of a model that neither run it nor change its mode or gradients."""


def _hidden_by_parameter(name: str, function: FunctionInfo) -> bool:
    """Is `name` a parameter of the function, or of one around it, nearer than any scope that
    defines a function or class of that name?"""
    scope: FunctionInfo | None = function
    while scope is not None:
        if name in scope.params:
            return True
        if name in scope.nested or name in scope.nested_classes:
            return False
        scope = scope.parent
    return False


def _beside(path: str, dotted: str, found: str) -> bool:
    """Is `found` the module `dotted` in the folder of the file `path` (`utils.py` or `utils/`)?"""
    where = os.path.join(os.path.dirname(path), *dotted.split("."))
    return os.path.normpath(found) in (os.path.normpath(where + ".py"), os.path.normpath(os.path.join(where, "__init__.py")))


def _innermost(function: FunctionInfo, pick: Callable[[FunctionInfo], T | None]) -> T | None:
    """What `pick` finds in the function or, failing that, in the nearest function around it."""
    scope: FunctionInfo | None = function
    while scope is not None:
        found = pick(scope)
        if found is not None:
            return found
        scope = scope.parent
    return None


def _is_cell(function: FunctionInfo) -> bool:
    """A marimo cell: a top-level function decorated `@app.cell` (or `@app.cell(...)`)."""
    for decorator in function.decorators:
        text = decorator.dotted if isinstance(decorator, CallSite) else decorator
        if text is not None and text.rsplit(".", 1)[-1] == "cell":
            return True
    return False


def _built_class(binding: Binding) -> object:
    """The class a binding builds, when it is known: a project class, or a library module built
    from its class (`nn.Linear(784, 10)`, `resnet18()`); not a wrapper around another module
    (`nn.DataParallel(net)`) nor what a load returns (`torch.load(path)`, a model of any class)."""
    if binding.cls is not None:
        return binding.cls
    qualified = binding.qualified
    if classify_constructor(qualified) != MODEL or qualified.rsplit(".", 1)[-1] in MODULE_WRAPPERS:
        return None
    return qualified


def _defined_in(cls: ClassInfo, function: FunctionInfo) -> bool:
    """Is the class statement one of the function's own statements?"""
    body = getattr(function.node, "body", None)
    return any(statement is cls.node for statement in getattr(body, "body", ()))


def _member(found: Definition, attribute: str, hops: int) -> Definition | None:
    """`found.attribute`: a module's function, class, re-export or submodule; a class's method."""
    if isinstance(found, LoopModel):
        if hops >= MAX_DEFINITION_HOPS:
            return None
        member = found._global(attribute, hops + 1)
        if member is None and found.path.endswith("__init__.py"):
            member = found.project.module(found.path, attribute, 1)
        return member
    if isinstance(found, ClassInfo):
        return found.methods.get(attribute)
    return None




def _tests_of(block: list) -> Iterator[str]:
    """The if-tests of a block, nested ones included."""
    return (stmt.test for stmt in all_statements(block) if isinstance(stmt, Branch))


def _test_names(test: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", test))


_LAUNCHERS = {"Process": 0, "Thread": 0, "spawn": 1, "start_processes": 1}
"""Calls that run a function in a new process or thread, and how many leading arguments they pass
it themselves (`torch.multiprocessing.spawn` passes the process index first)."""
_POOL_METHODS = frozenset({"map", "imap", "imap_unordered", "starmap", "map_async", "starmap_async", "apply_async", "submit"})
"""Methods of a process pool or an executor that run the function they are given first on workers
(`pool.map(extract, chunks)`, `executor.submit(extract, x)`), with arguments of their choosing."""


def _launched(call: CallSite) -> CallSite | None:
    """`mp.Process(target=test, args=(model,))`, `Thread(target=...)`, `mp.spawn(worker, args=(...))`,
    `pool.map(extract, chunks)`: the call the new process or thread makes, as a call of this
    statement. It runs with grad enabled (grad mode is per thread) and in no order with the code
    around it, so it is a caller edge only: it gives the function a caller and its parameters their
    arguments (a pool's, one element at a time: unknown here)."""
    if call.method in _POOL_METHODS and call.receiver is not None and call.args and call.args[0].keyword is None:
        target = call.args[0]
        if target.dotted is None:
            return None
        receiver, _, method = target.dotted.rpartition(".")
        return CallSite(call.node, target.dotted, method, receiver or None, None, (ArgInfo(None, None, frozenset(), call.node, False),))
    leading = _LAUNCHERS.get(call.method or "")
    if leading is None or call.inner is not None:
        return None
    target = call.keyword("target") if leading == 0 else call.arg(0, "fn")
    if target is None or target.dotted is None:
        return None
    passed = call.keyword("args")
    elements = passed.node.elements if passed is not None and isinstance(passed.node, (cst.Tuple, cst.List)) else ()
    args = [ArgInfo(None, None, frozenset(), call.node, False)] * leading  # the process index: unknown here
    for element in elements:
        dotted = dotted_name(element.value)
        names = frozenset({dotted.split(".", 1)[0]}) if dotted else frozenset()
        args.append(ArgInfo(None, dotted, names, element.value, False))
    receiver, _, method = target.dotted.rpartition(".")
    return CallSite(call.node, target.dotted, method, receiver or None, None, tuple(args))


def _unwrapped(call: CallSite | None) -> CallSite | None:
    """The construction inside `Net(...).to(device).eval()`."""
    while call is not None and call.inner is not None and call.method in ("to", "cuda", "cpu", "half", "float", "double", "eval", "train"):
        call = call.inner
    return call


_PARAMETERS_OF = lazy(r"([A-Za-z_][\w.]*)\.(?:named_)?parameters\(\)")
"""`model.named_parameters()` as a loop's iterable: the model is group 1."""


def _empty_containers(value: cst.BaseExpression) -> bool:
    """`[]`, `{}`, `list()`, or a tuple of them (`decay, no_decay = [], []`)."""
    if isinstance(value, (cst.List, cst.Dict)) and not value.elements:
        return True
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in ("list", "dict") and not value.args:
        return True
    return isinstance(value, cst.Tuple) and bool(value.elements) and all(_empty_containers(e.value) for e in value.elements)


def _related_names(first: str, second: str) -> bool:
    """The same model or one inside the other (`model`, `model.encoder`), or the same attribute."""
    return (
        first == second
        or first.startswith(second + ".")
        or second.startswith(first + ".")
        or first.rsplit(".", 1)[-1] == second.rsplit(".", 1)[-1]
    )


def _assigned_names(statement: cst.CSTNode) -> list[str | None] | None:
    """The dotted names one assignment binds, in order (`model, optimizer = make()` gives both,
    `opt = make()` one); None for any other statement."""
    if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
        return None
    target = statement.targets[0].target
    elements = target.elements if isinstance(target, (cst.Tuple, cst.List)) else None
    return [dotted_name(e.value) for e in elements] if elements is not None else [dotted_name(target)]


def _parameters_of(call: CallSite | None) -> str | None:
    """`model.generator` for an optimizer construction over `model.generator.parameters()`."""
    params = call.arg(0, "params") if call is not None else None
    if params is None or not isinstance(params.node, cst.Call) or params.node.args:
        return None
    func = params.node.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "parameters":
        return None
    return dotted_name(func.value)


def _argument_dotted(call: CallSite, index: int, name: str) -> str | None:
    """The dotted name a call passes for a parameter, None when it passes none or an expression."""
    arg = call.arg(index, name)
    return arg.dotted if arg is not None else None




def _calls_in(function: FunctionInfo, simple: Simple) -> Iterator[CallSite]:
    """The calls of a statement, then those of the comprehensions of the function (whose calls are
    their loops' own: `[User(x) for x in xs]`)."""
    yield from simple.calls
    for loop in function.loops:
        if not isinstance(loop.node, (cst.For, cst.While)):
            for statement in all_statements(loop.body):
                if isinstance(statement, Simple):
                    yield from statement.calls


def _called_name(function: FunctionInfo) -> str:
    """The name a call of the function is written with (a constructor's: its class's). An instance's
    `__call__` is called by whatever name holds the instance (`tester(loader)`): the files that
    may call it are those that build one, naming the class."""
    return function.cls.name if function.name in ("__init__", "__call__") and function.cls is not None else function.name


def _keywords_fit(function: FunctionInfo, call: CallSite) -> bool:
    """Does every keyword the call names match a parameter of the function (or a `**kwargs` of it)?"""
    definition = function.node
    node = call.node
    if not isinstance(definition, cst.FunctionDef) or not isinstance(node, cst.Call):
        return True
    if (call.dotted or "").rsplit(".", 1)[-1] != _called_name(function):
        return True  # the function handed to another call (`Thread(target=f)`, `pool.map(f, xs)`)
    parameters = definition.params
    if isinstance(parameters.star_kwarg, cst.Param):
        return True
    names = {p.name.value for p in declared_params(parameters)}
    for arg in node.args:
        if arg.star == "**":
            return True  # `f(**options)`: any keyword may come
        if arg.keyword is not None and arg.keyword.value not in names:
            return False
    return True


def _importable(function: FunctionInfo) -> bool:
    """Can code in another file call it: a module-level function or a method of a module-level class?"""
    if function.cls is not None:
        return function.cls.file is not None and function.cls.name in function.cls.file.top_classes
    return function.parent is not None and function.parent.parent is None


def _kinds(event: Event) -> frozenset[Kind]:
    return frozenset(e.kind for inner in event.contents for e in inner.flatten())


def _steps_around_repeats(event: Event, nested: list[Event]) -> bool:
    """Does the loop run an update of its own (a backward and a step outside its inner loops) around
    inner loops that iterate no data and no epochs (`for step in range(total_steps): for _ in
    range(n_critic): ...D update...; ...G update...`)? Each of its iterations is a training step;
    the inner loops repeat one part of it."""
    loop = event.loop
    if loop is None or any(schedules.EPOCH_WORDS.search(t) for t in loop.targets) or schedules.EPOCH_WORDS.search(loop.iter_text):
        return False
    stepping = [e for e in nested if _holds_step(e)]
    if any(e.loop is None or DATA_ITERABLE.search(e.loop.iter_text) for e in stepping):
        return False
    inside = {id(x) for e in nested for x in e.flatten() if x is not e}
    own = {x.kind for inner in event.contents for x in inner.flatten() if id(x) not in inside and x.kind is not Kind.LOOP}
    return Kind.BACKWARD in own and Kind.STEP in own


def _holds_step(event: Event) -> bool:
    kinds = _kinds(event)
    return Kind.BACKWARD in kinds and Kind.STEP in kinds


def _branches(value: cst.BaseExpression | None) -> list[cst.BaseExpression]:
    """The values a conditional expression may take (`a if c else b`: a and b)."""
    if value is None:
        return []
    if isinstance(value, cst.IfExp):
        return _branches(value.body) + _branches(value.orelse)
    return [value]


def _withs_around(block: list[object], loop: Loop) -> list[With]:
    """The grad-setting `with` blocks (and statement-form switches) that hold the loop, outermost first."""
    for stmt in block:
        if stmt is loop:
            return []
        parts: list[list[object]] = []
        if isinstance(stmt, With):
            parts = [stmt.body]
        elif isinstance(stmt, Branch):
            parts = list(stmt.arms)
        elif isinstance(stmt, Try):
            parts = [stmt.body, stmt.orelse, stmt.final, *stmt.handlers]
        elif isinstance(stmt, Loop):
            parts = [stmt.body, stmt.orelse]
        for part in parts:
            if any(inner is loop for inner in all_statements(part)):
                inner = _withs_around(part, loop)
                return [stmt, *inner] if isinstance(stmt, With) and stmt.grad is not None else inner
    return []


_TORCH_MODULES_BUILT_FROM = {
    "torch.optim.lr_scheduler": (SCHEDULER, "torch.optim.lr_scheduler.LRScheduler"),
    "torch.optim": (OPTIMIZER, "torch.optim.Optimizer"),
}
"""Torch modules whose classes a factory handed the module builds by name: what it builds."""


def _torch_module_handed(call: CallSite, imports: Mapping[str, str]) -> tuple[str | None, ClassInfo | None, str | None] | None:
    """(role, None, qualified name) for a call handed `torch.optim` or `torch.optim.lr_scheduler`
    itself as an argument (`config.init_obj("optimizer", torch.optim, params)`, `getattr`-style
    factories of configuration-driven projects): it builds an optimizer or a scheduler of torch's;
    None for any other call."""
    for arg in call.args:
        if arg.dotted is None:
            continue
        found = _TORCH_MODULES_BUILT_FROM.get(qualify(arg.dotted, imports) or "")
        if found is not None:
            return found[0], None, found[1]
    return None


def _literal_key(subscript: cst.Subscript) -> str | None:
    """The string literal a subscript indexes with (`MODEL["model"]`), None for anything else."""
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return None
    value = literal_value(subscript.slice[0].slice.value)
    return value if isinstance(value, str) else None


def _hands_parameters_of(node: cst.BaseExpression, name: str) -> bool:
    """Does the expression hand over the parameters of `name` (`N.parameters()`, a list of
    `N.named_parameters()`)? Whatever `name` holds, it is then a module (built from a class handed
    in, `N = network(self)`, whose role its name does not tell)."""
    for found in nodes_within(node):
        if (
            isinstance(found, cst.Call) and isinstance(found.func, cst.Attribute)
            and found.func.attr.value in ("parameters", "named_parameters")
            and dotted_name(found.func.value) == name
        ):
            return True
    return False
