"""What a rule is: metadata, examples that become tests, and a check over the loop model.

Each rule module defines one subclass of `Rule`; `loopcheck.rules.ALL_RULES` collects them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Iterable

import libcst as cst

from loopcheck.finding import PASS_ELSEWHERE, PASS_LOOP_ELSEWHERE
from loopcheck.model import LoopModel
from loopcheck.model.evaluation import EvaluationPass, in_data_loop_of_its_own
from loopcheck.records import Value, _set


@dataclass(init=False, eq=False, repr=False)
class Report(Value):
    """What a rule says, before positions are known: the node to point at and the other end."""

    node: cst.CSTNode
    message: str
    related: tuple[tuple[cst.CSTNode, str], ...] = field(default=())
    through: tuple[cst.CSTNode, ...] = field(default=())
    """The calls, after `node`, by which the finding's model call is reached (`Finding.through`)."""

    def __init__(
        self, node: cst.CSTNode, message: str, related: tuple[tuple[cst.CSTNode, str], ...] = (),
        through: tuple[cst.CSTNode, ...] = (),
    ) -> None:
        _set(self, "node", node)
        _set(self, "message", message)
        _set(self, "related", related)
        _set(self, "through", through)

    def _values(self) -> tuple[object, ...]:
        return (self.node, self.message, self.related, self.through)


def evaluation_report(model: LoopModel, evaluation: EvaluationPass, message: str) -> Report:
    """A finding at an evaluation pass's first model call (or at the call of this file that leads
    to it), pointing back at where the pass is entered."""
    related: tuple[tuple[cst.CSTNode, str], ...] = ()
    node = model.anchor(evaluation.first_call)
    context = evaluation.first_call.context
    if evaluation.through_training_helper:
        # the helper also serves training: the pass is fixed where it calls the helper
        node = next(call.node for call, caller in zip(context.chain, context.callers) if caller is evaluation.function)
        related = ((evaluation.first_call.node, "the model runs here, in a helper that training uses too"),)
    elif node is not evaluation.first_call.node:
        own_loop = in_data_loop_of_its_own(model.at(context.function), evaluation.first_call) and context.function is not evaluation.function
        related = ((evaluation.first_call.node, PASS_LOOP_ELSEWHERE if own_loop else PASS_ELSEWHERE),)
    elif evaluation.entered_from is not None:
        related = ((evaluation.entered_from.call.node, "the evaluation pass is entered here"),)
    calls = [call.node for call in context.chain]
    for caller in context.callers:
        model.at(caller)  # (each call of the chain is in its caller's file: the finding locates it there)
    at = next((i for i, call in enumerate(calls) if call is node), None)
    through = tuple(calls[at + 1:]) if at is not None else ()
    return Report(node, message, related, through)


class Rule:
    """One check. The class docstring is the rule's long description ("What it does")."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # "error" or "warning"
    message: ClassVar[str]
    """The message template; `check` fills in names."""
    rationale: ClassVar[str]
    """Why is this bad?"""
    use_instead: ClassVar[str]
    """A short correct example for the docs."""
    VALID: ClassVar[tuple[str, ...]]
    """Code that must not be flagged."""
    INVALID: ClassVar[tuple[str, ...]]
    """Code that must be flagged, with `# expect: CODE` on the line the finding points at."""

    def check(self, model: LoopModel) -> Iterable[Report]:
        raise NotImplementedError

    short: ClassVar[str | None] = None
    """The one-line summary, for a rule whose message placeholders have no plain word (PLAIN_WORDS)."""

    @classmethod
    def summary(cls) -> str:
        """What the rule reports, in one line without placeholders: `short`, or else the message
        with each placeholder read as its plain word (`optimizer.zero_grad() is never ...`)."""
        if cls.short:
            return cls.short
        return cls.message.format_map(_PlainWords(cls.code))


PLAIN_WORDS = {
    "optimizer": "optimizer",
    "scheduler": "scheduler",
    "model": "model",
    "loss": "loss",
    "reset": "zero_grad()",
    "container": "a running total",
    "value": "loss",
    "stored": "loss",
    "clip": "clip_grad_norm_",
    "scaler": "scaler",
}
"""How a message placeholder reads in a summary. A placeholder not listed here (a line number, an
explanation) would make the summary read as a template: such a rule sets `short`."""


class _PlainWords(dict):  # type: ignore[type-arg]
    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def __missing__(self, key: str) -> str:
        if key in PLAIN_WORDS:
            return PLAIN_WORDS[key]
        raise KeyError(f"{self.code}: the message placeholder {{{key}}} has no plain word; set the rule's `short` summary")
