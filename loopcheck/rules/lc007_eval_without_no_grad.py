"""LC007 eval-without-no-grad: an evaluation pass that builds autograd graphs for nothing.

Every forward records a graph that is never used: slower, and memory grows with kept outputs.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from loopcheck.model import LoopModel
from loopcheck.model.evaluation import EvaluationPass, records_graph_for_nothing
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
    pretrained embedding, a method of its own that freezes them), a model the project does not define
    (one loaded whole) whose output, bound to a name, later reaches `.numpy()` through methods that
    keep a graph (`out = loaded.forward(x)`, then `out.cpu().numpy()`: it would raise were there a
    graph), a project module whose forward runs all it calls under
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
            if not records_graph_for_nothing(model, evaluation):
                continue
            key = (evaluation.key[0], evaluation.key[2])
            kept = first.get(key)
            if kept is None or _where(model, evaluation) < _where(model, kept):
                first[key] = evaluation
        for evaluation in first.values():
            evaluation = _entered_with_grad(model, evaluation)
            yield evaluation_report(model, evaluation, self.message.format(model=evaluation.model_name()))


def _entered_with_grad(model: LoopModel, evaluation: EvaluationPass) -> EvaluationPass:
    """The pass as entered by a call that leaves grad enabled: its related location is where the
    graph is recorded for nothing (`test_loss = evaluation(model, ...)` after training), not a call
    under `no_grad` that enters it too (the validation inside the training loop)."""
    edge = evaluation.entered_from
    if edge is None or model.grad_at(evaluation.first_call, (edge,)) == "on":
        return evaluation
    edges = evaluation.entered_by if evaluation.entered_by is not None else tuple(model.callers(evaluation.function))
    for other in edges:
        if other is not edge and model.grad_at(evaluation.first_call, (other,)) == "on":
            return replace(evaluation, entered_from=other)
    return evaluation


def _where(model: LoopModel, evaluation: EvaluationPass) -> tuple[int, int]:
    start = model.locate(model.anchor(evaluation.first_call))[1].start
    return start.line, start.column
