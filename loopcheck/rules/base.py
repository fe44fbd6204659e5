"""What a rule is: metadata, examples that become tests, and a check over the loop model.

Each rule module defines one subclass of `Rule`; `loopcheck.rules.ALL_RULES` collects them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Iterable

import libcst as cst

from loopcheck.finding import PASS_ELSEWHERE
from loopcheck.model import LoopModel
from loopcheck.model.evaluation import EvaluationPass


@dataclass(frozen=True)
class Report:
    """What a rule says, before positions are known: the node to point at and the other end."""

    node: cst.CSTNode
    message: str
    related: tuple[tuple[cst.CSTNode, str], ...] = field(default=())


def evaluation_report(model: LoopModel, evaluation: EvaluationPass, message: str) -> Report:
    """A finding at an evaluation pass's first model call (or at the call of this file that leads
    to it), pointing back at where the pass is entered."""
    related: tuple[tuple[cst.CSTNode, str], ...] = ()
    node = model.anchor(evaluation.first_call)
    if node is not evaluation.first_call.node:
        related = ((evaluation.first_call.node, PASS_ELSEWHERE),)
    elif evaluation.entered_from is not None:
        related = ((evaluation.entered_from.call.node, "the evaluation pass is entered here"),)
    return Report(node, message, related)


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

    @classmethod
    def summary(cls) -> str:
        """The message with its placeholders read as plain words: `optimizer.zero_grad() is never ...`."""
        return cls.message.format_map(_PlainWords())


class _PlainWords(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return key
