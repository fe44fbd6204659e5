"""The loop model: one file's training loops, their events, roles and call graph.

Rules ask it questions ("which loops are training steps?", "in what orders can one
iteration run?") and never walk the syntax tree themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from loopcheck.model import dataflow, evaluation, schedules, state
from loopcheck.model.build import build_file, qualify
from loopcheck.model.flow import Context, Event, Flow, Kind, Path, PathLimit, Subject
from loopcheck.model.ir import CallSite, FileIR, FunctionInfo, Loop
from loopcheck.model.roles import MODEL, Binding, RoleTable

__all__ = ["Context", "Event", "Kind", "LoopModel", "Path", "PathLimit", "Subject", "TrainingStep"]


@dataclass(frozen=True, eq=False)
class TrainingStep:
    """The innermost loop whose iteration runs a backward and an optimizer step."""

    loop: Loop
    event: Event
    """The loop as an event: `contents` holds every event of its body, helpers inlined."""

    @property
    def events(self) -> list[Event]:
        return [e for inner in self.event.contents for e in inner.flatten()]


@dataclass(frozen=True)
class CallEdge:
    caller: FunctionInfo
    call: CallSite


class LoopModel:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.ir: FileIR = build_file(module)
        self.roles = RoleTable(self.ir)
        self.flow = Flow(self)
        self._bindings: dict[tuple[int, str], Binding | None] = {}
        self._resolving: set[tuple[int, str]] = set()
        self._loop_events: dict[int, Event] = {}
        self._function_events: dict[int, list[Event]] = {}
        self._grad_entering: dict[int, str] = {}
        self._returns_graph: dict[int, bool] = {}
        self._kept_parameters: dict[int, frozenset[str]] = {}
        self._ordered: dict[int, list[dataflow.Placed]] = {}

    # names and calls --------------------------------------------------------------------

    def resolve_name(self, name: str, function: FunctionInfo) -> FunctionInfo | None:
        scope: FunctionInfo | None = function
        while scope is not None:
            found = scope.nested.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def resolve_call(self, call: CallSite, function: FunctionInfo) -> FunctionInfo | None:
        """The same-file function a call runs, when it can be known."""
        if call.dotted is None or call.inner is not None:
            return None
        if "." not in call.dotted:
            return self.resolve_name(call.dotted, function)
        receiver, _, method = call.dotted.rpartition(".")
        cls = None
        if receiver == "self" and function.cls is not None:
            cls = function.cls
        elif "." not in receiver:
            binding = self.binding(receiver, function)
            cls = binding.cls if binding is not None else None
        if cls is None:
            return None
        for candidate in self.roles.class_chain(cls):
            if method in candidate.methods:
                return candidate.methods[method]
        return None

    @cached_property
    def callers(self) -> dict[int, list[CallEdge]]:
        """Same-file call graph, keyed by id of the called function."""
        graph: dict[int, list[CallEdge]] = {}
        for function in self.ir.functions:
            for simple in function.simples:
                for call in simple.calls:
                    target = self.resolve_call(call, function)
                    if target is not None:
                        graph.setdefault(id(target), []).append(CallEdge(function, call))
        return graph

    def binding(self, name: str, function: FunctionInfo) -> Binding | None:
        """The binding of a name, following parameters back to the arguments of every same-file caller."""
        key = (id(function), name)
        if key in self._bindings:
            return self._bindings[key]
        found = self.roles.lookup(name, function)
        if (found is None or found.role is None) and name in function.params and key not in self._resolving:
            self._resolving.add(key)
            try:
                from_callers = self._binding_from_callers(name, function)
            finally:
                self._resolving.discard(key)
            found = from_callers or found
        self._bindings[key] = found
        return found

    def _binding_from_callers(self, name: str, function: FunctionInfo) -> Binding | None:
        index = function.params.index(name)
        if function.cls is not None and function.params[:1] == ("self",):
            index -= 1
        bindings: list[Binding] = []
        for edge in self.callers.get(id(function), []):
            arg = edge.call.arg(index, name) if index >= 0 else None
            if arg is None or arg.dotted is None:
                continue
            bound = self.binding(arg.dotted, edge.caller)
            if bound is not None:
                bindings.append(bound)
        if bindings and all(b is bindings[0] for b in bindings):
            return bindings[0]
        return None

    # loops ------------------------------------------------------------------------------

    def function_context(self, function: FunctionInfo) -> Context:
        return Context(function=function, grad=self.flow._grad_of_function(function, "on"))

    def loop_event(self, loop: Loop) -> Event:
        cached = self._loop_events.get(id(loop))
        if cached is None:
            context = self.function_context(loop.function)
            if loop.grad is not None:
                context = Context(function=context.function, grad=loop.grad)
            cached = self.flow.loop_event(loop, context)
            self._loop_events[id(loop)] = cached
        return cached

    def ordered_statements(self, function: FunctionInfo) -> list[dataflow.Placed]:
        """The function's simple statements in source order, with grad mode and enclosing loops."""
        cached = self._ordered.get(id(function))
        if cached is None:
            cached = dataflow.ordered_statements(self, function)
            self._ordered[id(function)] = cached
        return cached

    def kinds_in(self, loop: Loop) -> frozenset[Kind]:
        """The kinds of event one run of the loop's body can produce, helpers and nested loops included."""
        return _kinds(self.loop_event(loop))

    @cached_property
    def loops(self) -> list[Loop]:
        return [loop for function in self.ir.functions for loop in function.loops]

    @cached_property
    def training_steps(self) -> list[TrainingStep]:
        steps: list[TrainingStep] = []
        for loop in self.loops:
            event = self.loop_event(loop)
            if not _holds_step(event):
                continue
            nested = [e for inner in event.contents for e in inner.flatten() if e.kind is Kind.LOOP]
            if any(_holds_step(e) for e in nested):
                continue
            steps.append(TrainingStep(loop, event))
        return steps

    def iteration_paths(self, loop: Loop) -> list[Path]:
        """Every order one iteration of `loop` can run in; raises PathLimit when there are too many."""
        return self.flow.block_paths(loop.body, self.function_context(loop.function))

    def function_paths(self, function: FunctionInfo) -> list[Path]:
        return self.flow.block_paths(function.body, self.function_context(function))

    @cached_property
    def step_functions(self) -> list[FunctionInfo]:
        """Functions that run backward and a step outside any loop and that no same-file code calls:
        they are called once per iteration from elsewhere, so their body is one iteration."""
        found: list[FunctionInfo] = []
        for function in self.ir.functions:
            if function.name == "<module>" or self.callers.get(id(function)):
                continue
            events = self.flow.flatten_block(function.body, self.function_context(function))
            top = [e for e in events if e.kind is not Kind.LOOP]
            flat = [x for e in top for x in e.flatten()]
            if any(e.kind is Kind.BACKWARD for e in flat) and any(e.kind is Kind.STEP for e in flat):
                found.append(function)
        return found

    @cached_property
    def trained_models(self) -> list[Subject]:
        """Models run forward with grad enabled inside a training step."""
        found: list[Subject] = []
        for step in self.training_steps:
            for event in step.events:
                if event.kind is Kind.MODEL_CALL and event.context.grad == "on" and event.subject is not None:
                    found.append(event.subject)
        return found

    def is_trained(self, subject: Subject | None) -> bool:
        """Could this model be one that a training step of this file trains?"""
        return subject is None or any(subject.may_be(trained) for trained in self.trained_models)

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

    def step_iterations(self) -> Iterator[list[Path]]:
        """The paths of every training iteration: training-step loops, then step functions."""
        for step in self.training_steps:
            try:
                yield self.iteration_paths(step.loop)
            except PathLimit:
                continue
        yield from self._function_iterations()

    def scheduler_iterations(self) -> Iterator[list[Path]]:
        """The paths of every loop iteration that steps a scheduler and an optimizer (batch or epoch)."""
        for loop in self.loops:
            kinds = self.kinds_in(loop)
            if Kind.SCHEDULER_STEP in kinds and Kind.STEP in kinds:
                try:
                    yield self.iteration_paths(loop)
                except PathLimit:
                    continue
        yield from self._function_iterations()

    def _function_iterations(self) -> Iterator[list[Path]]:
        for function in self.step_functions:
            try:
                yield self.function_paths(function)
            except PathLimit:
                continue

    def enclosing_loops(self, loop: Loop) -> list[Loop]:
        """Loops whose iteration runs `loop`, lexically or through a same-file call."""
        return [
            outer
            for outer in self.loops
            if outer is not loop
            and any(e.kind is Kind.LOOP and e.loop is loop for e in self.loop_event(outer).flatten())
        ]

    def resets(self, reset: Event, optimizer: Subject | None) -> bool:
        """Does this gradient reset clear the gradients that `optimizer` steps with?"""
        if reset.subject is not None:
            return reset.subject.may_be(optimizer)
        zeroed = reset.argument
        models = self.optimized_models(optimizer)
        if zeroed is None or not models:
            return True  # `p.grad = None` over parameters, or nothing known about the optimizer
        return zeroed.name.rsplit(".", 1)[-1] in models

    def optimized_models(self, optimizer: Subject | None) -> frozenset[str]:
        """Names (last segment) of the models whose parameters the optimizer was built over;
        empty when that cannot be seen."""
        if optimizer is None or optimizer.binding is None or optimizer.binding.call is None:
            return frozenset()
        params = optimizer.binding.call.arg(0, "params")
        if params is None:
            return frozenset()
        function = optimizer.binding.function
        return frozenset(n.rsplit(".", 1)[-1] for n in params.names if self.roles.role(n, function) == MODEL)

    def scheduled_optimizer(self, scheduler: Subject | None) -> Subject | None:
        """The optimizer a scheduler was built over (its first argument), when known."""
        if scheduler is None or scheduler.binding is None or scheduler.binding.call is None:
            return None
        first = scheduler.binding.call.arg(0, "optimizer")
        if first is None or first.dotted is None:
            return None
        return self.flow.subject(first.dotted, scheduler.binding.function)

    @staticmethod
    def may_be(first: Subject | None, second: Subject | None) -> bool:
        return first is None or first.may_be(second)

    # functions, evaluation, schedules, data flow -----------------------------------------

    def function_events_flat(self, function: FunctionInfo) -> list[Event]:
        """Every event of a function in source order (pre-order), same-file calls inlined."""
        cached = self._function_events.get(id(function))
        if cached is None:
            top = self.flow.flatten_block(function.body, self.function_context(function))
            cached = [e for event in top for e in event.flatten()]
            self._function_events[id(function)] = cached
        return cached

    def grad_entering(self, function: FunctionInfo) -> str:
        cached = self._grad_entering.get(id(function))
        if cached is None:
            cached = evaluation.grad_entering(self, function)
            self._grad_entering[id(function)] = cached
        return cached

    def grad_at(self, event: Event) -> str:
        return evaluation.grad_at(self, event)

    def eval_mode_reaches(self, target: Event, subject: Subject | None) -> bool:
        return evaluation.eval_mode_reaches(self, target.context.function, target, subject)

    def may_hold_mode_layers(self, subject: Subject | None) -> bool:
        return evaluation.may_hold_mode_layers(self, subject)

    @cached_property
    def evaluation_passes(self) -> list[evaluation.EvaluationPass]:
        return evaluation.evaluation_passes(self)

    @cached_property
    def scheduler_steps(self) -> list[schedules.SchedulerStep]:
        return schedules.scheduler_steps(self)

    def schedule_size(self, scheduler: Subject | None) -> schedules.ScheduleSize | None:
        return schedules.schedule_size(self, scheduler)

    def function_returns_graph(self, function: FunctionInfo) -> bool:
        key = id(function)
        if key not in self._returns_graph:
            self._returns_graph[key] = False  # a recursive call sees "no" while this one is computed
            self._returns_graph[key] = dataflow.returns_graph(self, function)
        return self._returns_graph[key]

    def kept_parameters(self, function: FunctionInfo) -> frozenset[str]:
        """Parameters a same-file function stores beyond its call (a meter's `update(val, n)`)."""
        key = id(function)
        if key not in self._kept_parameters:
            self._kept_parameters[key] = dataflow.kept_parameters(function)
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

    def optimizers_over_all_parameters(self, function: FunctionInfo) -> list[tuple[Binding, str]]:
        return state.optimizer_over_all_parameters(self, function)

    def built(self, role: str) -> list[Binding]:
        """Every object of a role (optimizer, scheduler, ...) the file constructs."""
        return state.bindings_with_role(self, role)

    # positions --------------------------------------------------------------------------

    @cached_property
    def _positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        # Computed only when a rule reports: positions cost a code-generation pass over the file.
        # Running the provider directly skips MetadataWrapper's extra visit of the whole tree
        # (measured: about half the cost); the public route stays as the fallback.
        provider = PositionProvider()
        try:
            provider._gen_impl(self.module)
            return provider._computed
        except AttributeError:
            return MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)

    def position(self, node: cst.CSTNode) -> CodeRange:
        return self._positions[node]

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)


def _kinds(event: Event) -> frozenset[Kind]:
    return frozenset(e.kind for inner in event.contents for e in inner.flatten())


def _holds_step(event: Event) -> bool:
    kinds = _kinds(event)
    return Kind.BACKWARD in kinds and Kind.STEP in kinds
