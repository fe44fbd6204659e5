"""LC010 accumulation-without-scaling: gradients accumulated over k batches from an undivided loss.

Each step then applies k times the gradient of one batch: the learning rate is silently k times larger.
"""
from __future__ import annotations

import re
from typing import Iterable

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model import Event, Kind, LoopModel
from loopcheck.model.program import nested_loop_events
from loopcheck.model.flow import arguments_passed
from loopcheck.model.state import same_branch
from loopcheck.model.build import callee_last_name, qualify
from loopcheck.model.ir import CallSite, FunctionInfo, Loop, With, all_statements
from loopcheck.rules.base import Report, Rule

_MODULO_GUARD = lazy(r"%")
_SCALED = lazy(r"/|(?i:accum|grad_acc)")
_TENSOR_METHODS = frozenset({"mean", "sum", "float", "half", "to", "squeeze", "view", "reshape", "contiguous"})
_GRADIENT_RESCALING = lazy(r"(?i)scale_grad|multiply_grad|grad.*\.(div_|mul_)|\.grad\b.*(/=|\*=)")
_LOSS_CLASS = lazy(r"(?i)loss|criterion")
_LOSS_MODULE_NAME = lazy(r"(?i)^(criterion|crit|loss_fn|loss_func|lossfn|loss_function)$")


class AccumulationWithoutScaling(Rule):
    """Reports the `backward()` of a loop that accumulates gradients — the optimizer step sits under a
    modulo condition such as `if (i + 1) % accum_steps == 0:` (or a test for zero of a counter kept
    as such a remainder, `self.n = (self.n + 1) % accum_steps`, `if self.n == 0:`) while the
    backward runs every iteration — when the loss it backwards is not divided by the accumulation
    count (in the backward's own expression or where the loss is assigned, also in the training
    loop that hands it to a helper running the backward; the loss a mixed-precision scaler
    hands on, `with amp.scale_loss(loss, optimizer) as scaled_loss:`, is that loss). When the loss comes from code that
    cannot be seen, nothing is reported; a project helper or loss module may divide inside, unless
    its code never reads the count the step's cadence divides by."""

    code = "LC010"
    name = "accumulation-without-scaling"
    severity = "warning"
    message = "{loss} is accumulated over several backward() calls per step but not divided by their count; the step is that many times too large"
    rationale = (
        "Gradients of k backward passes add up. Without dividing each loss by k, one accumulated step "
        "applies k times the gradient of a single batch: the effective learning rate depends on the "
        "accumulation setting, and runs that change it are no longer comparable."
    )
    use_instead = """\
for i, (x, y) in enumerate(loader):
    loss = criterion(model(x), y) / accum_steps
    loss.backward()
    if (i + 1) % accum_steps == 0:
        optimizer.step()
        optimizer.zero_grad()
"""
    VALID = (
        """\
for i, (x, y) in enumerate(loader):
    loss = criterion(model(x), y)
    loss = loss / accum_steps
    loss.backward()
    if (i + 1) % accum_steps == 0:
        optimizer.step()
        optimizer.zero_grad()
""",
        """\
for i, (x, y) in enumerate(loader):
    scaler.scale(criterion(model(x), y) / accum).backward()
    if (i + 1) % accum == 0:
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad()
""",
        # no accumulation: a step every iteration
        """\
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
""",
        # the loss comes from code we cannot see
        """\
for i, batch in enumerate(loader):
    loss = compute_loss(model, batch)
    loss.backward()
    if (i + 1) % accum == 0:
        optimizer.step()
        optimizer.zero_grad()
""",
        # the accumulated gradients are averaged instead of the losses
        """\
for i, (x, y) in enumerate(loader):
    loss = criterion(model(x), y)
    loss.backward()
    if (i + 1) % accum == 0:
        for p in model.parameters():
            p.grad.div_(accum)
        optimizer.step()
        optimizer.zero_grad()
""",
    )
    INVALID = (
        """\
for i, (x, y) in enumerate(loader):
    loss = criterion(model(x), y)
    loss.backward()  # expect: LC010
    if (i + 1) % accum_steps == 0:
        optimizer.step()
        optimizer.zero_grad()
""",
        """\
for step, batch in enumerate(train_dataloader):
    outputs = model(**batch)
    loss = outputs.loss
    accelerator.backward(loss)  # expect: LC010
    if step % args.gradient_accumulation_steps == 0:
        optimizer.step()
        lr_scheduler.step()
        optimizer.zero_grad()
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        for step in model.training_steps:
            if model.never_runs(step.loop.function):
                continue  # a notebook's function no cell runs: its loop never trains
            program = model.iteration_program(step.loop)
            in_inner_loops = {id(e) for e in nested_loop_events(program, _over_micro_batches) if e.kind is Kind.BACKWARD}
            found: dict[int, Report] = {}

            def report(backward: Event, stepped: Event, why: str) -> None:
                # one finding per backward, at the first place (in the file) that leads to it: a
                # helper's backward reached by two calls of the loop is reported at the earlier
                # call, whichever path the state sets happen to visit first
                loss = _unscaled_loss(model, backward, _divisors(model, stepped))
                if loss is None:
                    return
                made = Report(model.anchor(backward), self.message.format(loss=loss), ((stepped.node, why),))
                known = found.get(id(backward.node))
                if known is None or _place(model, made) < _place(model, known):
                    found[id(backward.node)] = made

            # the state: the backwards whose gradients are in `.grad`, each with whether it ran in
            # an earlier iteration than the one now running
            def transition(pending: frozenset[tuple[Event, bool]], event: Event) -> frozenset[tuple[Event, bool]]:
                if event.kind is Kind.BACKWARD:
                    return pending | {(event, False)}
                if event.kind is Kind.RESET:
                    return frozenset()  # gradients computed so far are dropped, not accumulated
                if event.kind is not Kind.STEP or _rescales_gradients(model, event):
                    return frozenset() if event.kind is Kind.STEP else pending
                cadence = _cadence_guards(model, event)
                # a step every few iterations accumulates only what earlier iterations left: with
                # `zero_grad()` before each backward, it applies one batch's gradient, undivided as it should be
                carried = any(earlier for _, earlier in pending)
                for backward, _ in pending:
                    if cadence and carried and not any(g in backward.context.guards for g in cadence):
                        report(backward, event, "the step that runs once every few iterations")
                    elif not cadence and id(backward) in in_inner_loops:
                        report(backward, event, "the step after the loop of micro-batches")
                return frozenset()  # the step used them

            def next_iteration(pending: frozenset[tuple[Event, bool]]) -> frozenset[tuple[Event, bool]]:
                return frozenset((backward, True) for backward, _ in pending)

            model.run_iterations(program, transition, frozenset(), next_iteration)
            yield from found.values()


def _place(model: LoopModel, report: Report) -> tuple[int, int, str, int, int]:
    """Where a report points, and where its other end is (in this file or one it consulted): the
    order that picks one of several."""
    start = model.position(report.node).start
    path, other = model.locate(report.related[0][0]) if report.related else (model.path, model.position(report.node))
    return start.line, start.column, path, other.start.line, other.start.column


_MICRO_BATCHES = lazy(r"(?i)^range\(.+,.+,.+\)$|\.(split|chunk)\(|micro")


def _over_micro_batches(loop: Loop) -> bool:
    """`for i in range(0, len(batch), micro):`, `for part in batch.split(micro):` — slices of one
    batch, whose gradients are meant to average into one step (not tasks or heads summed on purpose)."""
    return bool(_MICRO_BATCHES.search(loop.iter_text))


def _rescales_gradients(model: LoopModel, step: Event) -> bool:
    """Dividing the accumulated gradients before the step (`scale_grads_(params, 1 / n)`) is the
    other correct way to average them."""
    return any(
        _GRADIENT_RESCALING.search(model.code(simple.node))
        for simple in step.context.function.simples
        if simple.calls or simple.augmented
    )


_DIVISOR = lazy(r"%\s*\(?\s*([A-Za-z_][\w.]*)")
_ZERO_TEST = lazy(r"^\s*(?:([A-Za-z_][\w.]*)\s*==\s*0|not\s+([A-Za-z_][\w.]*))\s*$")


def _cadence_guards(model: LoopModel, step: Event) -> list[str]:
    """The tests around the step that make it run once every few iterations: a remainder
    (`if (i + 1) % k == 0:`), or a counter the step's function keeps as one and tests for zero
    (`self.accumulated = (self.accumulated + 1) % k`, then `if self.accumulated == 0:`)."""
    return [guard for guard in step.context.guards if _MODULO_GUARD.search(guard) or _modulo_counter(model, step, guard)]


def _modulo_counter(model: LoopModel, step: Event, guard: str) -> str | None:
    """For a guard testing a name for zero, the remainder the step's function assigns to it (its
    text), if every assignment of the name there is one."""
    match = _ZERO_TEST.match(guard)
    if match is None:
        return None
    name = match.group(1) or match.group(2)
    values = [s.value for s in step.context.function.assignments if name in s.targets and not s.augmented]
    if not values or any(v is None or not isinstance(v, cst.BinaryOperation) or not isinstance(v.operator, cst.Modulo) for v in values):
        return None
    return model.at(step.context.function).code(values[0])


def _divisors(model: LoopModel, stepped: Event) -> frozenset[str]:
    """The names the step's cadence divides by: `batch_size` in `if not (iter % batch_size):`, `k`
    in `if count == 0:` of a `count = (count + 1) % k`."""
    guards = [_modulo_counter(model, stepped, guard) or guard for guard in stepped.context.guards]
    return frozenset(match.group(1).rsplit(".", 1)[-1] for guard in guards for match in _DIVISOR.finditer(guard))


def _unscaled_loss(model: LoopModel, backward: Event, divisors: frozenset[str] = frozenset()) -> str | None:
    """The name of the backwarded loss when it is visibly not divided by anything; else None."""
    call = backward.call
    if call is None:
        return None
    if call.inner is not None and call.inner.method == "scale":
        argument = call.inner.arg(0)
        expression = argument.node if argument is not None else None
    elif call.args and call.args[0].keyword is None:
        expression = call.args[0].node  # accelerator.backward(loss), torch.autograd.backward(loss)
    else:
        # `loss.backward()`, or `loss.backward(create_graph=True)` given keywords only: the receiver
        expression = call.node.func.value if isinstance(call.node.func, cst.Attribute) else None
    if isinstance(expression, cst.Name):
        # `with amp.scale_loss(loss, optimizer) as scaled_loss: scaled_loss.backward()`: the loss scaled
        expression = _loss_scaled_by_context(backward.context.function, expression.value) or expression
    if expression is None or _SCALED.search(model.code(expression)):
        return None
    if not isinstance(expression, cst.Name):
        return None
    name = expression.value
    return name if _undivided(model, backward, name, divisors, 3) else None


def _loss_scaled_by_context(function: FunctionInfo, name: str) -> cst.BaseExpression | None:
    """The loss a with-block hands a mixed-precision scaler under `name` (`with amp.scale_loss(loss,
    optimizer) as scaled_loss:`); None when no such block binds it."""
    for statement in all_statements(function.body):
        if not isinstance(statement, With):
            continue
        for item in statement.written_items:
            target = item.asname.name if item.asname is not None else None
            called = item.item
            if not (isinstance(target, cst.Name) and target.value == name and isinstance(called, cst.Call) and called.args):
                continue
            if callee_last_name(called) == "scale_loss" and called.args[0].keyword is None:
                return called.args[0].value
    return None


def _undivided(
    model: LoopModel, backward: Event, name: str, divisors: frozenset[str], depth: int, level: int | None = None
) -> bool:
    """Is every making of `name` in the backward's function visibly undivided? A name taken out of
    a collection or copied (`main_loss = losses[0]`) is as divided as the collection is
    (`losses = tuple(l / acc_iters for l in losses)`). A parameter of a helper the training loop
    calls (`def optimizer_step(self, loss): loss.backward()`) is what that call passes: judged in
    the calling function (`level` counts the calls of the backward's chain still inside)."""
    chain = backward.context.chain
    level = len(chain) if level is None else level
    function = backward.context.function if level == len(chain) else backward.context.callers[level]
    used = backward.node if level == len(chain) else chain[level].node
    owner = model.at(function)
    assignments = [s for s in function.assignments if name in s.targets]
    # (`if i % k == 0: loss = loss / n; loss.backward(); ...` `else: loss.backward()`: a division in
    # an arm that excludes the backward's does not make the loss it backwards)
    placed = owner.ordered_statements(function)
    arm = next((p.guards for p in placed if any(c.node is used for c in p.simple.calls)), None)
    if arm is not None:
        guards = {id(p.simple): p.guards for p in placed}
        assignments = [s for s in assignments if same_branch(guards.get(id(s), ()), arm)]
    if not assignments and level > 0 and depth > 0 and name in function.params:
        passed = dict(arguments_passed(function, chain[level - 1]))
        if name in passed and "." not in passed[name]:
            return _undivided(model, backward, passed[name], divisors, depth - 1, level - 1)
        return False
    if not assignments or depth <= 0:
        return False  # a parameter, or a global: its making is not in view
    for assignment in assignments:
        if assignment.value is None or _SCALED.search(owner.code(assignment.node)):
            return False
        source = _element_or_copy_of(assignment.value)
        if source is not None and source != name:
            if not _undivided(model, backward, source, divisors, depth - 1, level):
                return False
            continue
        if not all(_visible_loss(owner, call, backward, divisors, function) for call in assignment.calls if call.live):
            return False  # `loss = compute_loss(batch)`: code we cannot see may divide
    return True


def _element_or_copy_of(value: cst.BaseExpression) -> str | None:
    """`losses[0]`, `parts["total"]`, `other`: the name whose value this one takes as it is."""
    while isinstance(value, cst.Subscript):
        value = value.value
    return value.value if isinstance(value, cst.Name) else None


def _visible_loss(
    model: LoopModel, call: CallSite, backward: Event, divisors: frozenset[str] = frozenset(), function: FunctionInfo | None = None
) -> bool:
    """Does this call show that the loss is not divided: a torch loss function or module
    (`criterion(...)`, `F.cross_entropy(...)`), a model's forward, a tensor method, or a helper of
    ours that neither is given nor reads the accumulation count (`model.loss(scores, labels)` under
    `if not (iter % batch_size):`)? `function` holds the call (the backward's, by default)."""
    function = function or backward.context.function
    target = model.resolve_call(call, function) or _partial_of(model, call, function)
    if target is not None:
        if not divisors or any(name in divisors for arg in call.args for name in arg.names | {arg.dotted or ""}):
            return False  # a helper of ours: it may divide inside
        text = model.at(target).code(target.node)
        return not any(re.search(rf"\b{re.escape(name)}\b", text) for name in divisors)
    if call.dotted in _PLAIN_BUILTINS and call.inner is None and model.binding(call.dotted, function) is None:
        return True  # `loss = loss * len(y)`: Python's own function, which divides nothing
    called = model.flow.model_called(call, function)
    if called is not None:
        binding = called.binding
        if binding is not None and binding.cls is not None and _LOSS_CLASS.search(f"{binding.cls.name} {call.dotted or ''}"):
            # a loss module of this project may normalise inside, but not by a count it never reads
            # (`YoloV4Loss` under `if i % self.accumulate == 0:` never mentions `accumulate`)
            words = {name.rsplit(".", 1)[-1] for name in divisors}
            text = model.at_class(binding.cls).code(binding.cls.node)
            if _SUMMED.search(text):
                return False  # its losses are summed on purpose (`reduction="sum"`): no mean to keep
            return bool(words) and not any(re.search(rf"\b{re.escape(word)}\b", text) for word in words)
        return not _sum_reduced(model, binding)
    if call.inner is not None or (call.receiver is not None and "." not in call.receiver and call.method in _TENSOR_METHODS):
        return True  # `.float()`, `.mean()` on a value
    qualified = qualify(call.dotted, model.ir.imports) or ""
    if qualified.startswith(("torch.nn.functional.", "F.")):
        return True
    if call.dotted is None or call.inner is not None:
        return False
    binding = model.binding(call.dotted, function)
    if binding is not None and binding.qualified and binding.qualified.endswith("Loss"):
        return not _sum_reduced(model, binding)
    return binding is None and bool(_LOSS_MODULE_NAME.search(call.dotted.rsplit(".", 1)[-1]))


_PLAIN_BUILTINS = frozenset({"len", "int", "float", "abs", "round"})


def _partial_of(model: LoopModel, call: CallSite, function: FunctionInfo) -> FunctionInfo | None:
    """The project function a name bound to `partial(f, ...)` (`functools.partial`) calls when it is
    called: `loss_func = partial(nll_loss_func, nllloss=nllloss)`, then `loss_func(scores, y)`."""
    if call.dotted is None or call.inner is not None:
        return None
    binding = model.binding(call.dotted, function)
    made = binding.call if binding is not None else None
    if made is None or made.dotted is None or not made.args or made.args[0].dotted is None:
        return None
    if qualify(made.dotted, model.at(binding.function).ir.imports) != "functools.partial":
        return None
    found = model.at(binding.function).definition(made.args[0].dotted, binding.function)
    return found if isinstance(found, FunctionInfo) else None


_SUMMED = lazy(r"""reduction\s*=\s*['"]sum['"]|size_average\s*=\s*False""")


def _sum_reduced(model: LoopModel, binding: object) -> bool:
    """A loss built with `reduction="sum"`: summing over micro-batches is what it means to do."""
    call = getattr(binding, "call", None)
    reduction = call.keyword("reduction") if call is not None else None
    return reduction is not None and isinstance(reduction.node, cst.SimpleString) and reduction.node.evaluated_value == "sum"
