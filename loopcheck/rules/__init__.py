"""The rule registry: every rule class, in code order.

Add a rule by writing its module and listing its class here; docs and example tests follow.
"""
from __future__ import annotations

from loopcheck.rules.base import Report, Rule
from loopcheck.rules.lc001_missing_zero_grad import MissingZeroGrad
from loopcheck.rules.lc002_zero_grad_before_step import ZeroGradBeforeStep
from loopcheck.rules.lc003_step_before_backward import StepBeforeBackward
from loopcheck.rules.lc004_scheduler_before_optimizer import SchedulerBeforeOptimizer
from loopcheck.rules.lc005_mixed_scheduler_cadence import MixedSchedulerCadence
from loopcheck.rules.lc006_eval_without_eval_mode import EvalWithoutEvalMode
from loopcheck.rules.lc007_eval_without_no_grad import EvalWithoutNoGrad
from loopcheck.rules.lc008_train_mode_not_restored import TrainModeNotRestored
from loopcheck.rules.lc009_loss_tensor_retained import LossTensorRetained
from loopcheck.rules.lc010_accumulation_without_scaling import AccumulationWithoutScaling
from loopcheck.rules.lc011_clip_without_unscale import ClipWithoutUnscale
from loopcheck.rules.lc012_checkpoint_without_optimizer_state import CheckpointWithoutOptimizerState
from loopcheck.rules.lc013_optimizer_before_freeze import OptimizerBeforeFreeze

ALL_RULES: tuple[type[Rule], ...] = (
    MissingZeroGrad,
    ZeroGradBeforeStep,
    StepBeforeBackward,
    SchedulerBeforeOptimizer,
    MixedSchedulerCadence,
    EvalWithoutEvalMode,
    EvalWithoutNoGrad,
    TrainModeNotRestored,
    LossTensorRetained,
    AccumulationWithoutScaling,
    ClipWithoutUnscale,
    CheckpointWithoutOptimizerState,
    OptimizerBeforeFreeze,
)

__all__ = ["ALL_RULES", "Report", "Rule", "rule_by_code", "select_rules"]


def rule_by_code(code: str) -> type[Rule] | None:
    code = code.upper()
    for rule in ALL_RULES:
        if rule.code == code or rule.name == code.lower():
            return rule
    return None


def select_rules(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> list[type[Rule]]:
    """Rules whose code starts with a selected prefix (all when none) and with no ignored prefix."""

    def matches(rule: type[Rule], prefixes: tuple[str, ...]) -> bool:
        return any(rule.code.startswith(p.upper()) or rule.name == p.lower() for p in prefixes)

    return [
        rule
        for rule in ALL_RULES
        if (not select or matches(rule, select)) and not matches(rule, ignore)
    ]
