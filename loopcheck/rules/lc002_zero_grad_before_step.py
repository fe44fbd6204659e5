"""LC002 zero-grad-before-step: gradients reset between `backward()` and `step()`.

The step then sees zero (or missing) gradients and the parameters never move.
"""
from __future__ import annotations

from typing import Iterable

from loopcheck.model import Event, Kind, LoopModel
from loopcheck.model.flow import Subject
from loopcheck.model.roles import MODEL
from loopcheck.rules.base import Report, Rule


class ZeroGradBeforeStep(Rule):
    """Reports a gradient reset that runs after `backward()` and before the optimizer `step()`
    that should use those gradients, on some path through one iteration. A second `backward()`
    between the reset and the step (as in a GAN, where the generator's reset follows the
    discriminator's backward) makes the order correct again, and so does one on some path only (the
    backward chosen by `if gan_type == "gan": ... elif gan_type == "ragan": ...` with no else: the
    reset belongs to it). Clearing one part of a model
    (`model.generator.zero_grad()`) before a step over all of it keeps the other part's gradients
    for that step on purpose (a GAN with one optimizer over both networks): it is judged only when
    the optimizer is seen to be built over that part alone."""

    code = "LC002"
    name = "zero-grad-before-step"
    severity = "error"
    message = "{reset} clears the gradients after backward() and before {optimizer}.step(); the step sees zero gradients"
    rationale = (
        "`zero_grad()` between `backward()` and `step()` throws away the gradients just computed: "
        "`step()` then updates with zeros (or skips parameters whose `.grad` is None), so the model "
        "does not learn while the loop runs without error."
    )
    use_instead = """\
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""
    VALID = (
        """\
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
""",
        # GAN: the generator's reset comes after the discriminator's backward, before its own
        """\
for real in loader:
    netD.zero_grad()
    errD = bce(netD(real), ones)
    errD.backward()
    optimizerD.step()
    netG.zero_grad()
    errG = bce(netD(netG(noise)), ones)
    errG.backward()
    optimizerG.step()
""",
    )
    INVALID = (
        """\
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.zero_grad()  # expect: LC002
    optimizer.step()
""",
        """\
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    if clip:
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    else:
        model.zero_grad()  # expect: LC002
    optimizer.step()
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        found: dict[int, Report] = {}
        followed: set[int] = set()  # resets a backward follows on some path before the step

        def step(state: tuple[Event | None, frozenset[Event]], event: Event) -> tuple[Event | None, frozenset[Event]]:
            backward, pending = state
            if event.kind is Kind.BACKWARD:
                followed.update(id(reset.node) for reset in pending)
                return event, frozenset()
            if event.kind is Kind.RESET and backward is not None and event.call is not None:
                return backward, pending | {event}  # `p.grad = None` on some parameters may be on purpose
            if event.kind is Kind.STEP and backward is not None:
                for reset in pending:
                    if _clears_a_part(model, reset, event.subject):
                        continue  # `model.generator.zero_grad()` before a step over all of `model`: on purpose
                    if model.resets(reset, event.subject) and id(reset.node) not in found:
                        name = event.subject_name("optimizer")
                        found[id(reset.node)] = Report(
                            node=model.anchor(reset),
                            message=self.message.format(reset=_describe(reset), optimizer=name),
                            related=(
                                (backward.node, "gradients computed here"),
                                (event.node, "the step that sees them cleared"),
                            ),
                        )
                # (judged at this step: a backward after it is the next update's, not theirs)
                return backward, frozenset(reset for reset in pending if not model.resets(reset, event.subject))
            return state

        for program in model.step_programs():
            model.run_once(program, step, [(None, frozenset())])
        # a reset that a backward follows on some path is that backward's reset (`D_optimizer.
        # zero_grad()` before the discriminator's backward, chosen by `if gan_type == ...: ...
        # elif ...:` with no else): the path that skips every arm is a configuration not handled
        return [report for key, report in found.items() if key not in followed]


def _clears_a_part(model: LoopModel, reset: Event, optimizer: Subject | None) -> bool:
    """Does the reset clear only a part of a model (`model.generator.zero_grad()`) that the step's
    optimizer is not known to be built over alone? A GAN stepping one optimizer over both networks
    clears the other network's gradients on purpose; an optimizer whose parameters cannot be seen
    says nothing either way."""
    zeroed = reset.argument
    if zeroed is None or "." not in zeroed.name:
        return False
    whole = zeroed.name.rsplit(".", 1)[0]
    if whole == "self" or model.roles.role(whole, reset.context.function) != MODEL:
        return False
    return zeroed.name.rsplit(".", 1)[-1] not in model.optimized_models(optimizer)


def _describe(reset: Event) -> str:
    if reset.call is not None and reset.call.dotted is not None:
        return f"{reset.call.dotted}()"
    return "this gradient reset"
