"""LC007 eval-without-no-grad: an evaluation pass that builds autograd graphs for nothing.

Every forward records a graph that is never used: slower, and memory grows with kept outputs.
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from loopcheck.model import LoopModel
from loopcheck.model.build import dotted_name
from loopcheck.model.dataflow import simples_of
from loopcheck.model.flow import Event
from loopcheck.model.ir import FunctionInfo, With, all_statements
from loopcheck.model.evaluation import (
    EvaluationPass,
    candidate_classes,
    forward_records_no_graph,
    forward_takes_gradients,
    forward_records_no_graph_as_called,
    parameter_free,
    wants_input_gradients,
)
from loopcheck.rules.base import Report, Rule, evaluation_report


class EvalWithoutNoGrad(Rule):
    """Reports the first model call of an evaluation pass (see LC006) that runs with grad enabled:
    no `with torch.no_grad()` / `torch.inference_mode()` / `torch.set_grad_enabled(False)` around
    it, no `@torch.no_grad()` / `@torch.inference_mode()` on its function, and not every call chain
    that enters it (in any file of the project) disables grad, also by a project function or
    constructor called before on the way that runs `torch.set_grad_enabled(False)` as a statement.
    A chain whose flag picks another function in a branch (`if validation: step_fn =
    self.val_step_fn` / `else: step_fn = self.train_step_fn`) does not enter the pass, nor does a
    call made under a test its callers' arguments rule out (`if mode == 0: test(model, x)` of a
    `test_mode(..., mode=3)`). Forwards that only check the code
    are no passes (see LC006). Code written for PyTorch before 0.4 that feeds the pass
    `Variable(..., volatile=True)` inputs (made on the spot, by a project batch method given
    `evaluation=True`, or by a project loader built with it, or handed in by every caller) records no graph there and is left
    alone, and so is a model whose every parameter is frozen (`requires_grad_(False)`, each `param.detach_()`, a frozen
    pretrained embedding, a method of its own that freezes them), a project module whose forward runs all it calls under
    `no_grad`/`inference_mode` itself (or does so for the mode the call asks, `model(data,
    mode="inference")`), one whose forward differentiates what it computes (`torch.autograd.grad(psi,
    y, create_graph=True)` in a physics-informed network: it cannot run without grad), and one that builds no parameters at all (a fixed
    spectrogram transform, pooling windows). A pass whose input the function made to require grad first
    (`img.requires_grad = True`, `delta = torch.zeros(..., requires_grad=True)`) and whose output
    a gradient is then taken from (here, in a project function or loss module, or by unseen code
    handed that input too) differentiates with respect to it on purpose. A training step's own
    forwards are no pass: one whose output reaches the loss only through a detached value (a
    target network's, in the TD target, or an action kept in the replay buffer it learns from) or
    whose loss is backwarded once a counter passes a
    threshold (`if self.count > self.start:`, a replay buffer's warm-up). Grad mode belongs to the pass, not to a model: one finding per function, at its first
    model call, also when the pass runs an encoder and then a decoder; when the pass is in another
    file of the run, it is reported there once (the call that enters it is its related location)."""

    code = "LC007"
    name = "eval-without-no-grad"
    severity = "warning"
    message = "{model} is evaluated with grad enabled: wrap the pass in `with torch.no_grad():` (or torch.inference_mode())"
    rationale = (
        "With grad enabled every forward saves its activations for a backward that never comes. "
        "Evaluation runs slower, uses several times the memory, and any output kept in a list keeps "
        "its whole graph alive."
    )
    use_instead = """\
@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    for x, y in loader:
        out = model(x)
"""
    VALID = (
        """\
@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    for x, y in loader:
        out = model(x)
""",
        """\
@torch.inference_mode()
def evaluate(model, loader):
    model.eval()
    for x, y in loader:
        out = model(x)
""",
        # the caller disables grad
        """\
def evaluate(model, loader):
    model.eval()
    for x, y in loader:
        out = model(x)

with torch.no_grad():
    evaluate(model, val_loader)
""",
    )
    INVALID = (
        """\
def evaluate(model, loader):
    model.eval()
    for x, y in loader:
        out = model(x)  # expect: LC007

evaluate(model, val_loader)
""",
        # validation every k steps inside the training loop
        """\
for step, (x, y) in enumerate(train_loader):
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
    if step % 100 == 0:
        model.eval()
        val_out = model(x_val)  # expect: LC007
        model.train()
""",
        """\
def evaluate(model, loader):
    model.eval()
    for x, y in loader:
        out = model(x)  # expect: LC007

with torch.no_grad():
    evaluate(model, val_loader)
evaluate(model, test_loader)
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        # grad mode belongs to the pass, not to one model: one finding per function (at its first
        # model call), also when the pass runs an encoder and then a decoder
        first: dict[tuple[int, int], EvaluationPass] = {}
        for evaluation in model.evaluation_passes:
            if model.grad_at(evaluation.first_call, evaluation.entered_by) != "on":
                continue
            if wants_input_gradients(model.at(evaluation.first_call.context.function), evaluation.first_call):
                continue  # its input was made to require grad: the graph is wanted
            if grad_enabled_on_purpose(evaluation.first_call):
                continue  # `with torch.enable_grad():` around it: the graph is wanted (an energy model's inference)
            binding = evaluation.model.binding if evaluation.model is not None else None
            if binding is not None and model.frozen_whole(binding, evaluation.first_call.node, evaluation.first_call.context.function):
                continue  # every parameter frozen: the forward records no graph to spare
            # (of a model that is one of several classes, `MODELS[name]()`: any that differentiates
            # needs grad for the shared pass; grad is spared only when none records a graph)
            classes = candidate_classes(model, binding, evaluation.first_call.context.function.cls)
            call = evaluation.first_call.call
            if any(forward_takes_gradients(model, cls, call) for cls in classes):
                continue  # its forward differentiates what it computes (a PINN's derivatives): it needs grad
            if classes and all(
                forward_records_no_graph(model.at_class(cls), cls) or forward_records_no_graph_as_called(model.at_class(cls), cls, call)
                for cls in classes
            ):
                continue  # its forward disables grad around everything it runs
            if binding is not None and binding.cls is not None and parameter_free(model, binding):
                continue  # it has no parameters
            key = (evaluation.key[0], evaluation.key[2])
            kept = first.get(key)
            if kept is None or _where(model, evaluation) < _where(model, kept):
                first[key] = evaluation
        for evaluation in first.values():
            yield evaluation_report(model, evaluation, self.message.format(model=evaluation.model_name()))


def _where(model: LoopModel, evaluation: EvaluationPass) -> tuple[int, int]:
    start = model.locate(model.anchor(evaluation.first_call))[1].start
    return start.line, start.column


def grad_enabled_on_purpose(event: Event) -> bool:
    """Is the forward, or a call that leads to it, written inside `with torch.enable_grad():`?
    Grad turned on by hand around a computation is wanted, whatever encloses it (a statement
    `torch.set_grad_enabled(True)` only restores the default)."""
    context = event.context
    sites: list[tuple[FunctionInfo, cst.CSTNode]] = [(context.function, event.node)]
    sites += [(caller, call.node) for caller, call in zip(context.callers, context.chain)]
    return any(_inside_enable_grad(function, node) for function, node in sites)


def _inside_enable_grad(function: FunctionInfo, node: cst.CSTNode) -> bool:
    for stmt in all_statements(function.body):
        if isinstance(stmt, With) and stmt.grad == "on" and isinstance(stmt.node, cst.With) and any(
            isinstance(item.item, cst.Call) and (dotted_name(item.item.func) or "").rsplit(".", 1)[-1] == "enable_grad"
            for item in stmt.node.items
        ):
            if any(call.node is node for simple in simples_of(stmt.body) for call in simple.calls):
                return True
    return False
