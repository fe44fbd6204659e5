"""LC013 optimizer-before-freeze: parameters frozen after the optimizer was built over all of them.

The optimizer keeps the frozen parameters (and their state); gradients they already hold still move them.
"""
from __future__ import annotations

from typing import Iterable

from loopcheck.model import LoopModel
from loopcheck.model.ir import FunctionInfo, Simple
from loopcheck.rules.base import Report, Rule


class OptimizerBeforeFreeze(Rule):
    """Reports a statement that freezes parameters (`p.requires_grad = False`,
    `module.requires_grad_(False)`) of a model after, in the same function, an optimizer was built
    over all of `model.parameters()`. Freezing first and building the optimizer over the parameters
    that still require grad is the intended order. A freeze that a loop around it undoes (the GAN
    pattern: `requires_grad = False` on the discriminator for the generator's update, `True`
    again before its own) is no fine-tuning setup and is left alone, and so is the end of a
    stage: an optimizer stepped (or handed to a training helper) before the freeze and never
    after it, its model frozen for the next stage."""

    code = "LC013"
    name = "optimizer-before-freeze"
    severity = "warning"
    message = "parameters of {model} are frozen after {optimizer} was built over all of {model}.parameters(); build the optimizer after freezing"
    rationale = (
        "An optimizer holds the parameter list it was given. Freezing afterwards leaves the frozen "
        "parameters inside it: any gradient they already have (or weight decay in some optimizers) "
        "still changes them, optimizer state is allocated for them, and a later unfreeze resumes "
        "with stale momentum. The fine-tuning run then differs from what the code says."
    )
    use_instead = """\
for p in model.backbone.parameters():
    p.requires_grad = False
optimizer = torch.optim.AdamW(p for p in model.parameters() if p.requires_grad)
"""
    VALID = (
        """\
for p in model.backbone.parameters():
    p.requires_grad = False
optimizer = torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()))
""",
        # only the head's parameters are given to the optimizer
        """\
optimizer = torch.optim.SGD(model.head.parameters(), lr=0.1)
model.backbone.requires_grad_(False)
""",
        # a fresh model is made before freezing: the old optimizer is not over it
        """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
train(model, optimizer)
model = Classifier()
model.backbone.requires_grad_(False)
""",
    )
    INVALID = (
        """\
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
for p in model.backbone.parameters():
    p.requires_grad = False  # expect: LC013
""",
        """\
def configure(model):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    model.encoder.requires_grad_(False)  # expect: LC013
    return optimizer
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        for function in model.ir.functions:
            built = model.optimizers_over_all_parameters(function)
            if not built:
                continue
            order = {id(simple): index for index, simple in enumerate(function.simples)}
            for freeze in model.freezes(function):
                frozen_at = order.get(id(freeze.statement), -1)
                for binding, over in built:
                    built_at = order.get(id(binding.statement), 0)
                    if freeze.model != over or frozen_at < built_at:
                        continue
                    if any(over in simple.targets for simple in function.simples[built_at + 1 : frozen_at]):
                        continue  # a new model was made in between: this optimizer is not over it
                    if (
                        not _in_loop(model, function, freeze.statement)
                        and _used(function.simples[built_at + 1 : frozen_at], binding.name)
                        and not _used(function.simples[frozen_at + 1 :], binding.name)
                    ):
                        continue  # a stage that is over: stepped before the freeze, never after it
                    rebuilt = next(
                        (at for at in range(frozen_at + 1, len(function.simples)) if binding.name in function.simples[at].targets),
                        None,
                    )
                    if (
                        rebuilt is not None
                        and not _in_loop(model, function, freeze.statement)
                        and not _used(function.simples[frozen_at + 1 : rebuilt], binding.name)
                    ):
                        continue  # built again after the freeze before its next use: the new one steps
                    yield Report(
                        freeze.statement.node,
                        self.message.format(model=over, optimizer=binding.name),
                        ((binding.statement.node, f"{binding.name} is built here, over every parameter"),),
                    )
                    break



def _in_loop(model: LoopModel, function: FunctionInfo, statement: Simple) -> bool:
    """Is the freeze inside a loop other than one over parameters (an epoch loop, where what comes
    before it also runs after it)?"""
    return any(
        placed.simple is statement and any("parameters(" not in loop.iter_text for loop in placed.loops)
        for placed in model.ordered_statements(function)
    )


def _used(simples: list[Simple], optimizer: str) -> bool:
    """Is the optimizer stepped, or handed to a call, by one of these statements?"""
    return any(
        (call.receiver == optimizer and call.method == "step") or any(optimizer in arg.names for arg in call.args)
        for simple in simples
        for call in simple.calls
    )
