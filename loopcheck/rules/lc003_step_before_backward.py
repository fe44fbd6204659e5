"""LC003 step-before-backward: `optimizer.step()` runs before `loss.backward()` in an iteration.

Each step then uses the previous batch's gradients (or none, on the first).
"""
from __future__ import annotations

from typing import Iterable

from loopcheck.model import Event, Kind, LoopModel
from loopcheck.model.roles import OPTIMIZER
from loopcheck.rules.base import Report, Rule


class StepBeforeBackward(Rule):
    """Reports an optimizer `step()` that, on some path through one iteration, runs before any
    `backward()` while a `backward()` follows later in the same iteration. `optimizer.step(closure)`
    counts the closure's backward as running before the step (LBFGS). A backward that follows
    another optimizer's reset belongs to that optimizer's phase (the critic's, after the actor's
    step), not to the earlier step."""

    code = "LC003"
    name = "step-before-backward"
    severity = "error"
    message = "{optimizer}.step() runs before backward() in this iteration; it updates with stale gradients"
    rationale = (
        "The update must use the gradients of the current batch. Stepping first applies the gradients "
        "left from the previous iteration (or nothing on the first), so every update lags one batch "
        "behind and, combined with a reset at the top of the loop, may apply no update at all."
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
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
""",
        # the actor's backward may be skipped by a flag; the backward after its step is the critic's
        """\
actor_optimizer = torch.optim.Adam(actor.parameters())
critic_optimizer = torch.optim.Adam(critic.parameters())
for batch in loader:
    actor_optimizer.zero_grad()
    if update_actor:
        policy_loss(actor, batch).backward()
    actor_optimizer.step()
    critic_optimizer.zero_grad()
    value_loss(critic, batch).backward()
    critic_optimizer.step()
""",
        """\
optimizer = torch.optim.LBFGS(model.parameters())
for x, y in loader:
    def closure():
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        return loss
    optimizer.step(closure)
""",
    )
    INVALID = (
        """\
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    optimizer.step()  # expect: LC003
    loss.backward()
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        found: dict[int, Report] = {}

        def step(state: tuple[bool, frozenset[Event]], event: Event) -> tuple[bool, frozenset[Event]]:
            seen_backward, early = state
            if event.kind is Kind.BACKWARD:
                for stepped in early:
                    if id(stepped.node) not in found:
                        name = stepped.subject_name("optimizer")
                        found[id(stepped.node)] = Report(
                            node=model.anchor(stepped),
                            message=self.message.format(optimizer=name),
                            related=((event.node, "the backward() that should come first"),),
                        )
                return True, frozenset()
            if event.kind is Kind.STEP and not seen_backward:
                return False, early | {event}
            if event.kind is Kind.RESET and any(_other(event, stepped) for stepped in early):
                # `critic_optimizer.zero_grad()` opens the critic's phase: the backward that follows
                # is the critic's, not the one the earlier actor step should have waited for
                return seen_backward, frozenset(e for e in early if not _other(event, e))
            return state

        for program in model.step_programs():
            model.run_once(program, step, [(False, frozenset())])
        return list(found.values())


def _other(reset: Event, stepped: Event) -> bool:
    """Is the reset surely of another optimizer than the stepped one (both named, names differ)?"""
    if reset.subject is None or stepped.subject is None:
        return False
    return reset.subject.role == OPTIMIZER and reset.subject.name != stepped.subject.name
