"""Judges static findings against a recorded run, and reports what the static rules missed.

One check per rule code: focused on a finding's lines it says confirmed / not confirmed /
inconclusive (the run reached the code but lacked a fact to judge it: the evidence says which) /
not reached; unfocused it returns only strict confirmations (runtime-only discoveries).
"""
from __future__ import annotations

import keyword
import os
import re
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from loopcheck.finding import Finding
from loopcheck.runtime.trace import (
    BACKWARD,
    EVAL_MODE,
    LOADER_ITER,
    SCALER_STEP,
    SCHEDULER_STEP,
    STEP,
    TRAIN_MODE,
    ZERO_GRAD,
    Event,
    ForwardRecord,
    Holder,
    RetentionSample,
    SchedulerInfo,
    Site,
    StepRecord,
    Trace,
)

CONFIRMED = "confirmed"  # the run showed the bug's effect
NOT_CONFIRMED = "not confirmed"  # the run showed evidence against it
INCONCLUSIVE = "inconclusive"  # the code ran, but a fact needed to judge it was missing
NOT_REACHED = "not reached"  # that code did not run within the step budget
NOT_CHECKED = "not checked"  # no runtime evidence is collected for this rule
VERDICTS = (CONFIRMED, NOT_CONFIRMED, INCONCLUSIVE, NOT_REACHED, NOT_CHECKED)

SEVERITIES = {  # as the rules declare them (a test compares): for runtime-only discoveries
    "LC001": "error", "LC002": "error", "LC003": "error", "LC004": "error", "LC005": "error",
    "LC006": "error", "LC007": "warning", "LC008": "error", "LC009": "error", "LC010": "warning",
    "LC011": "error", "LC012": "warning", "LC013": "warning",
}

RULE_NAMES = {
    "LC001": "missing-zero-grad",
    "LC002": "zero-grad-before-step",
    "LC003": "step-before-backward",
    "LC004": "scheduler-before-optimizer",
    "LC005": "mixed-scheduler-cadence",
    "LC006": "eval-without-eval-mode",
    "LC007": "eval-without-no-grad",
    "LC008": "train-mode-not-restored",
    "LC009": "loss-tensor-retained",
    "LC010": "accumulation-without-scaling",
    "LC011": "clip-without-unscale",
    "LC012": "checkpoint-without-optimizer-state",
    "LC013": "optimizer-before-freeze",
}


@dataclass(frozen=True)
class Verdict:
    code: str
    name: str
    verdict: str
    evidence: str
    path: str | None
    line: int | None
    static: bool  # False: a runtime-only discovery, a pattern the static rules did not report
    message: str
    finding: Finding | None = None  # the static finding judged (None for a runtime-only one)

    def to_dict(self) -> dict[str, object]:
        """A finding as `loopcheck check --format json` writes one, plus a `verdict` object."""
        if self.finding is not None:
            data = self.finding.to_dict()
            data.setdefault("cell", getattr(self.finding, "cell", None))
            data.setdefault("cell_line", getattr(self.finding, "cell_line", None))
        else:
            data = {
                "path": self.path, "line": self.line, "column": None, "end_line": self.line,
                "end_column": None, "code": self.code, "name": self.name,
                "severity": SEVERITIES.get(self.code, "error"), "message": self.message, "related": [],
                "cell": None, "cell_line": None,
            }
        data["verdict"] = {
            "status": self.verdict.replace(" ", "_"),
            "evidence": self.evidence,
            "source": "static" if self.static else "runtime",
        }
        return data


@dataclass(frozen=True)
class Focus:
    """The lines of one static finding, in the form the checks match events against."""

    path: str
    primary: frozenset[int]
    related: frozenset[int]
    source_line: str

    @property
    def lines(self) -> frozenset[int]:
        return self.primary | self.related

    def hits(self, event: Event, lines: frozenset[int] | None = None) -> bool:
        wanted = self.lines if lines is None else lines
        return any(path == self.path and line in wanted for path, line in event.sites)


@dataclass(frozen=True)
class Outcome:
    verdict: str
    evidence: str
    site: Site | None = None
    subject: str | None = None  # what it is about ("optimizer 0", "variable total"): dedupes discoveries
    sites: frozenset[Site] = frozenset()


Check = Callable[[Trace, "Focus | None"], list[Outcome]]


def judge(trace: Trace, findings: Sequence[Finding],
          sources: dict[str, list[str]] | None = None) -> tuple[Verdict, ...]:
    """A verdict per static finding, then the runtime-only discoveries none of them covers.

    `sources` gives the lines of files whose text on disk is not the Python that ran (a
    notebook: its joined code cells), by real path."""
    verdicts: list[Verdict] = []
    covered: list[tuple[str, Focus, Outcome]] = []
    for finding in findings:
        focus = _focus(finding, sources or {})
        check = CHECKS.get(finding.code)
        if check is None:
            outcome = Outcome(NOT_CHECKED, "no runtime evidence is collected for this rule")
        else:
            outcome = _strongest(check(trace, focus))
            covered.append((finding.code, focus, outcome))
        verdicts.append(
            Verdict(finding.code, finding.name, outcome.verdict, outcome.evidence, finding.path,
                    finding.line, True, finding.message, finding)
        )
    for code, check in CHECKS.items():
        for outcome in check(trace, None):
            if any(_covers(code, c, focus, static, outcome) for c, focus, static in covered):
                continue
            path, line = outcome.site if outcome.site else (None, None)
            verdicts.append(
                Verdict(code, RULE_NAMES[code], CONFIRMED, outcome.evidence, path, line, False,
                        "found at runtime; the static rules did not report it")
            )
    return tuple(verdicts)


def _covers(code: str, finding_code: str, focus: Focus, static: Outcome, found: Outcome) -> bool:
    if code != finding_code:
        return False
    if static.subject is not None and static.subject == found.subject:
        return True
    return any(path == focus.path and line in focus.lines for path, line in found.sites)


def _focus(finding: Finding, sources: dict[str, list[str]]) -> Focus:
    path = os.path.realpath(finding.path)
    end = max(finding.end_line, finding.line)
    lines = sources.get(path)
    if lines is not None:
        source = lines[finding.line - 1].strip() if 1 <= finding.line <= len(lines) else ""
    else:
        source = _source_line(path, finding.line)
    return Focus(
        path,
        frozenset(range(finding.line, end + 1)),
        frozenset(r.line for r in finding.related),
        source,
    )


def _source_line(path: str, line: int) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                if number == line:
                    return text.strip()
    except OSError:
        pass
    return ""


def _strongest(outcomes: list[Outcome]) -> Outcome:
    order = {verdict: rank for rank, verdict in enumerate(VERDICTS)}
    if not outcomes:
        return Outcome(NOT_REACHED, "nothing this rule is about ran within the step budget")
    return min(outcomes, key=lambda outcome: order[outcome.verdict])


def _only_confirmed(outcomes: list[Outcome], focus: Focus | None) -> list[Outcome]:
    return outcomes if focus is not None else [o for o in outcomes if o.verdict == CONFIRMED]


# -- numbers in words ------------------------------------------------------------------------

def format_number(value: float | None) -> str:
    return "none" if value is None else f"{value:.3g}"


def format_bytes(count: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(count) < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count} B"  # pragma: no cover


def _line_of(site: Site | None) -> str:
    return f"line {site[1]}" if site else "an unknown line"


def _norm_trend(steps: list[StepRecord]) -> str:
    norms = [s.grad_norm for s in steps if isinstance(s.grad_norm, float)]
    if not norms:
        return "no parameter had a .grad at any step"
    moment = "clipping" if any(s.norm_before_clip for s in steps) else "step"
    return (
        f"grad norm before {moment} {format_number(norms[0])} → {format_number(norms[-1])} "
        f"(max {format_number(max(norms))}) over {len(steps)} steps"
    )


def _optimizer_name(trace: Trace, index: int) -> str:
    info = trace.optimizers[index]
    same = [o for o in trace.optimizers if o.name == info.name]
    return info.name if len(same) == 1 else f"{info.name} #{index + 1}"


def _zero_grad_calls(trace: Trace, optimizer: int) -> int:
    return sum(1 for e in trace.events if e.kind == ZERO_GRAD and e.owner in (optimizer, None))


def _optimizers_at(trace: Trace, focus: Focus, kinds: tuple[str, ...]) -> list[int]:
    found = {e.owner for e in trace.events if e.kind in kinds and e.owner is not None and focus.hits(e)}
    return sorted(found)


# -- LC001 -----------------------------------------------------------------------------------

def missing_zero_grad(trace: Trace, focus: Focus | None) -> list[Outcome]:
    candidates = [o.index for o in trace.optimizers]
    if focus is not None:
        reached = any(e.kind in (BACKWARD, STEP) and focus.hits(e) for e in trace.events)
        if not reached:
            return [Outcome(NOT_REACHED, "the backward() of this finding never ran within the step budget")]
        candidates = _optimizers_at(trace, focus, (STEP, SCALER_STEP)) or candidates
    outcomes = []
    for index in candidates:
        steps = trace.steps_of(index)
        judged = [s for s in steps if s.reset is not None]
        carried = [s for s in judged if s.reset is False]
        name = _optimizer_name(trace, index)
        zero = _zero_grad_calls(trace, index)
        trend = _norm_trend(steps)
        if len(carried) >= 2 or (carried and len(carried) == len(judged)):
            first = carried[0].reset_event
            site = trace.events[first].site if first is not None and first >= 0 else None
            outcomes.append(Outcome(
                CONFIRMED,
                f"{name}: in {len(carried)} of {len(judged)} steps backward() added new gradients "
                f"to the ones the previous step had already applied (.grad of {carried[0].carried} "
                f"parameters never reset in between; zero_grad() called {zero} times); {trend}",
                site, f"optimizer {index}",
                frozenset(s for r in carried if r.reset_event is not None and r.reset_event >= 0
                          for s in trace.events[r.reset_event].sites),
            ))
        elif judged:
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"{name}: .grad was reset before new gradients were added in {len(judged)} of "
                f"{len(judged)} steps (zero_grad() called {zero} times); {trend}",
                subject=f"optimizer {index}",
            ))
        else:
            outcomes.append(Outcome(
                NOT_REACHED,
                f"{name} made {len(steps)} step(s) with no backward() between two of them: "
                "nothing to judge",
                subject=f"optimizer {index}",
            ))
    return _only_confirmed(outcomes, focus)


# -- LC002 -----------------------------------------------------------------------------------

def zero_grad_before_step(trace: Trace, focus: Focus | None) -> list[Outcome]:
    resets_at_line: list[int] = []
    candidates = [o.index for o in trace.optimizers]
    if focus is not None:
        resets_at_line = [i for i, e in enumerate(trace.events) if e.kind == ZERO_GRAD and focus.hits(e, focus.primary)]
        reached = resets_at_line or any(e.kind in (BACKWARD, STEP) and focus.hits(e) for e in trace.events)
        if not reached:
            return [Outcome(NOT_REACHED, "the gradient reset of this finding never ran within the step budget")]
    explained = {o.subject for o in step_before_backward(trace, None)}
    outcomes = []
    for index in candidates:
        if focus is None and f"optimizer {index}" in explained:
            continue  # a step before backward() also steps on reset gradients: LC003 says why
        steps = [s for s in trace.steps_of(index) if s.backwards]
        zeroed: list[tuple[StepRecord, list[int]]] = []
        for record in steps:
            last_backward = max(
                (i for i in range(record.event) if trace.events[i].kind == BACKWARD), default=-1
            )
            resets = [
                i for i in range(last_backward + 1, record.event)
                if trace.events[i].kind == ZERO_GRAD and trace.events[i].owner in (index, None)
            ]
            if focus is not None and resets_at_line:
                resets = [i for i in resets if i in resets_at_line]
            no_gradient = record.grads_present == 0 or record.grad_norm == 0.0
            # Without an observed zero_grad(), only a finding's own (manual) reset explains
            # a step with no .grad at all; unfocused, that could be a disconnected model.
            if no_gradient and (resets or (focus is not None and record.grads_present == 0)):
                zeroed.append((record, resets))
        name = _optimizer_name(trace, index)
        if zeroed:
            record, resets = zeroed[0]
            site = trace.events[resets[0]].site if resets else None
            state = "no parameter had a .grad" if record.grads_present == 0 else "grad norm was 0"
            outcomes.append(Outcome(
                CONFIRMED,
                f"{name}: in {len(zeroed)} of {len(steps)} steps the gradients were reset after "
                f"backward() and before step() (order observed: backward → zero_grad → step); "
                f"at step {record.number} {state}, so the optimizer stepped on nothing",
                site, f"optimizer {index}",
                frozenset(s for _, rs in zeroed for i in rs for s in trace.events[i].sites),
            ))
        elif steps:
            norms = [s.grad_norm for s in steps if isinstance(s.grad_norm, float)]
            span = f"{format_number(min(norms))}–{format_number(max(norms))}" if norms else "unknown"
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"{name}: all {len(steps)} steps after a backward() saw gradients (grad norm "
                f"{span}); none was reset between backward() and step()",
                subject=f"optimizer {index}",
            ))
    return _only_confirmed(outcomes, focus)


# -- LC003 -----------------------------------------------------------------------------------

def step_before_backward(trace: Trace, focus: Focus | None) -> list[Outcome]:
    candidates = [o.index for o in trace.optimizers]
    if focus is not None:
        candidates = _optimizers_at(trace, focus, (STEP, SCALER_STEP))
        if not candidates:
            return [Outcome(NOT_REACHED, "the optimizer step of this finding never ran within the step budget")]
    outcomes = []
    for index in candidates:
        steps = trace.steps_of(index)
        if not steps:
            continue
        name = _optimizer_name(trace, index)
        first = steps[0]
        site = trace.events[first.event].site
        backward_first = any(e.kind == BACKWARD for e in trace.events[: first.event])
        repeated = [s for s in steps[1:] if trace.events[s.event].site == site]
        if first.backwards_inside:
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"{name}: step() ran its closure's backward() itself ({first.backwards_inside} "
                "call(s) inside the first step, LBFGS-style)",
                subject=f"optimizer {index}",
            ))
        elif not backward_first and first.grads_present == 0 and repeated and site is not None:
            outcomes.append(Outcome(
                CONFIRMED,
                f"{name}: the first step() ({_line_of(site)}) ran before any backward(): none of "
                f"its {first.params} parameters had a .grad; the same call then ran "
                f"{len(repeated)} more times, each applying the gradients of the previous batch",
                site, f"optimizer {index}", frozenset(trace.events[first.event].sites),
            ))
        elif backward_first:
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"{name}: backward() ran before the first step(), which saw "
                f"{first.grads_present} of {first.params} parameters with a .grad",
                subject=f"optimizer {index}",
            ))
        else:
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"{name}: the first step() ran before any backward(), but only once from that "
                "call: not the loop's step",
                subject=f"optimizer {index}",
            ))
    return _only_confirmed(outcomes, focus)


# -- LC004 -----------------------------------------------------------------------------------

def scheduler_before_optimizer(trace: Trace, focus: Focus | None) -> list[Outcome]:
    outcomes = []
    for info in _schedulers_at(trace, focus):
        if info.plateau:
            continue  # ReduceLROnPlateau reacts to a metric: calling it first is harmless
        calls = trace.events_of(SCHEDULER_STEP, info.index)
        if focus is not None:
            calls = [(i, e) for i, e in calls if focus.hits(e, focus.primary)]
        attempts = [i for i, e in enumerate(trace.events)
                    if e.kind in (STEP, SCALER_STEP) and e.owner == info.optimizer]
        name = _optimizer_name(trace, info.optimizer)
        if not attempts:
            outcomes.append(Outcome(NOT_REACHED, f"{name} never stepped within the step budget",
                                    subject=f"scheduler {info.index}"))
            continue
        early = [(i, e) for i, e in calls if i < attempts[0]]
        late_sites = {e.site for i, e in calls if i > attempts[0]}
        repeated = [e for _, e in early if e.site in late_sites]
        if repeated:
            steps = trace.steps_of(info.optimizer)
            first_lr = steps[0].lr if steps else None
            skipped = ""
            if info.base_lr is not None and first_lr is not None and first_lr != info.base_lr:
                skipped = " (the first value of the schedule was skipped)"
            outcomes.append(Outcome(
                CONFIRMED,
                f"{info.name}.step() at {_line_of(repeated[0].site)} ran {len(early)} time(s) "
                f"before the first {name}.step(), then again after it; the first optimizer step "
                f"used lr={format_number(first_lr)} while the schedule starts at {format_number(info.base_lr)}{skipped}",
                repeated[0].site, f"scheduler {info.index}", frozenset(repeated[0].sites),
            ))
        elif early:
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"{info.name}.step() ran {len(early)} time(s) before any optimizer step but never "
                "again from there after one (a one-off call, e.g. fast-forwarding a resumed schedule)",
                subject=f"scheduler {info.index}",
            ))
        elif calls:
            before = sum(1 for i in attempts if i < calls[0][0])
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"the first {info.name}.step() came after {before} optimizer step(s)",
                subject=f"scheduler {info.index}",
            ))
    return _only_confirmed(outcomes, focus)


def _schedulers_at(trace: Trace, focus: Focus | None) -> list[SchedulerInfo]:
    if focus is None:
        return list(trace.schedulers)
    indexes = {e.owner for e in trace.events
               if e.kind == SCHEDULER_STEP and e.owner is not None and focus.hits(e, focus.primary)}
    return [trace.schedulers[i] for i in sorted(indexes)]


# -- LC005 -----------------------------------------------------------------------------------

def mixed_scheduler_cadence(trace: Trace, focus: Focus | None) -> list[Outcome]:
    if focus is None:
        return []  # a schedule's intended unit is only known from its source: no discoveries
    outcomes = []
    for info in _schedulers_at(trace, focus):
        calls = [i for i, _ in trace.events_of(SCHEDULER_STEP, info.index)]
        step_events = [s.event for s in trace.steps_of(info.optimizer)]
        if not calls or not step_events:
            outcomes.append(Outcome(NOT_REACHED, f"{info.name} or its optimizer never stepped"))
            continue
        bounds = [-1, *calls]
        gaps = [sum(1 for e in step_events if a < e < b) for a, b in zip(bounds, bounds[1:])]
        gap = statistics.median(gaps[1:] if len(gaps) > 1 else gaps)
        lr_trace = _lr_trace([s.lr for s in trace.steps_of(info.optimizer)])
        length = f"{info.name}({info.horizon_name}={info.horizon})" if info.horizon else info.name
        unknown_length = (f"the length of the schedule is unknown ({info.name} states none of "
                          "T_max, total_steps, T_0, step_size, total_iters, milestones)")
        if gap <= 1 and len(calls) >= 2:
            epoch, source = _steps_per_epoch(trace, info.optimizer)
            if len(calls) == len(step_events):
                cadence = f"{length} was stepped after each of the {len(calls)} optimizer steps"
            else:
                cadence = (f"{length} was stepped after every optimizer step ({len(calls)} scheduler "
                           f"steps for {len(step_events)} optimizer steps)")
            if not info.horizon:
                outcomes.append(Outcome(INCONCLUSIVE, f"{cadence}, but {unknown_length}; {lr_trace}"))
            elif not epoch:
                outcomes.append(Outcome(
                    INCONCLUSIVE,
                    f"{cadence}, but the epoch length is unknown (no complete pass over a "
                    f"DataLoader and no len() of one was seen), so it cannot be compared with the "
                    f"schedule's length {info.horizon}; {lr_trace}",
                ))
            elif info.horizon < epoch:
                outcomes.append(Outcome(
                    CONFIRMED,
                    f"{cadence}, but an epoch here is {epoch} optimizer steps ({source}): the "
                    f"whole schedule ran out within the first epoch; {lr_trace}",
                ))
            else:
                outcomes.append(Outcome(
                    NOT_CONFIRMED,
                    f"{cadence}; an epoch is {epoch} optimizer steps ({source}), and the schedule's "
                    f"length {info.horizon} is at least that: it is sized in optimizer steps; {lr_trace}",
                ))
        else:
            cadence = (f"{length} was stepped once every {gap:g} optimizer steps ({len(calls)} "
                       f"scheduler steps for {len(step_events)} optimizer steps)")
            if info.horizon and gap >= 2 and info.horizon >= gap:
                outcomes.append(Outcome(
                    CONFIRMED,
                    f"{cadence}, i.e. once per epoch, while its length {info.horizon} is at least "
                    f"an epoch of optimizer steps: finishing it would take {info.horizon} epochs; {lr_trace}",
                ))
            elif not info.horizon and gap >= 2:
                outcomes.append(Outcome(INCONCLUSIVE, f"{cadence}, but {unknown_length}; {lr_trace}"))
            else:
                outcomes.append(Outcome(NOT_CONFIRMED, f"{cadence}; {lr_trace}"))
    return outcomes


def _lr_trace(lrs: list[float]) -> str:
    """`LR a → b at step n`, with the lowest value in between when it is neither end; each
    figure once."""
    if not lrs:
        return "no learning rate seen"
    if min(lrs) == max(lrs):
        return f"LR {format_number(lrs[0])} at all {len(lrs)} steps"
    low = min(range(len(lrs)), key=lrs.__getitem__)
    parts = [f"LR {format_number(lrs[0])}"]
    if 0 < low < len(lrs) - 1 and lrs[low] != lrs[-1]:
        parts.append(f"{format_number(lrs[low])} at step {low + 1}")
    parts.append(f"{format_number(lrs[-1])} at step {len(lrs)}")
    return " → ".join(parts)


def _steps_per_epoch(trace: Trace, optimizer: int) -> tuple[int | None, str]:
    """Optimizer steps in one pass over the training DataLoader, measured or from its length."""
    iterations = trace.events_of(LOADER_ITER)
    step_events = [s.event for s in trace.steps_of(optimizer)]
    best: tuple[int | None, str] = (None, "")
    for position, (index, event) in enumerate(iterations):
        following = [i for i, e in iterations[position + 1:] if e.owner == event.owner]
        end = iterations[position + 1][0] if position + 1 < len(iterations) else len(trace.events)
        inside = sum(1 for e in step_events if index < e < end)
        if not inside:
            continue
        loader = trace.loaders[event.owner] if event.owner is not None else None
        if following:
            candidate: tuple[int | None, str] = (inside, "measured over one pass of the training DataLoader")
        elif loader is not None and loader.length:
            backwards = sum(1 for e in trace.events if e.kind == BACKWARD) or 1
            ratio = len(step_events) / backwards
            candidate = (max(1, round(loader.length * ratio)), f"len(train_loader)={loader.length}")
        else:
            continue
        if best[0] is None or (candidate[0] or 0) > best[0]:
            best = candidate
    return best


# -- LC006 / LC007 ---------------------------------------------------------------------------

def _evaluation_forwards(trace: Trace, focus: Focus | None) -> list[list[ForwardRecord]]:
    """Forwards no backward() went through, grouped into passes (runs with no backward between)."""
    if focus is not None:
        selected = [f for f in trace.forwards if focus.hits(trace.events[f.event])]
        evaluations = [f for f in selected if not f.used_in_backward]
        return [evaluations] if evaluations else []
    trained = frozenset().union(*(o.param_ids for o in trace.optimizers)) if trace.optimizers else frozenset()
    passes: dict[tuple[int, int], list[ForwardRecord]] = {}
    for record in trace.forwards:
        if record.used_in_backward or not (trace.modules[record.module].param_ids & trained):
            continue
        passes.setdefault((record.module, record.backwards_before), []).append(record)
    # A single forward with no backward is often part of training (a GAN's no-grad sample);
    # an evaluation pass runs over at least two batches. Passes of the same model from the
    # same line (one per epoch) are one finding.
    merged: dict[tuple[int, Site | None], list[ForwardRecord]] = {}
    for records in passes.values():
        if len(records) >= 2:
            key = (records[0].module, trace.events[records[0].event].site)
            merged.setdefault(key, []).extend(records)
    return list(merged.values())


def _forwards_not_reached(trace: Trace, focus: Focus) -> Outcome | None:
    selected = [f for f in trace.forwards if focus.hits(trace.events[f.event])]
    if not selected:
        return Outcome(NOT_REACHED, "no model forward ran at this line within the step budget")
    if all(f.used_in_backward for f in selected):
        return Outcome(
            NOT_CONFIRMED,
            f"all {len(selected)} forwards here had a backward() through their outputs: training, not evaluation",
        )
    return None


def _passes(records: list[ForwardRecord], before: str = "; ", after: str = "") -> str:
    count = len({r.backwards_before for r in records})
    return f"{before}{count} passes{after}" if count > 1 else ""


def _pass_sites(trace: Trace, records: list[ForwardRecord]) -> frozenset[Site]:
    return frozenset(s for r in records for s in trace.events[r.event].sites)


def eval_without_eval_mode(trace: Trace, focus: Focus | None) -> list[Outcome]:
    if focus is not None and (early := _forwards_not_reached(trace, focus)) is not None:
        return [early]
    outcomes = []
    for records in _evaluation_forwards(trace, focus):
        module = trace.modules[records[0].module]
        in_train = [r for r in records if r.training and r.active_layers]
        if in_train:
            layers = sorted({layer for r in in_train for layer in r.active_layers})
            batchnorm = "; BatchNorm running statistics were updated by evaluation batches" if any("BatchNorm" in layer for layer in layers) else ""
            outcomes.append(Outcome(
                CONFIRMED,
                f"{len(in_train)} of {len(records)} evaluation forwards of {module.name} (no "
                f"backward() through their outputs{_passes(records)}) ran in training mode with "
                f"{', '.join(layers)} active{batchnorm}",
                trace.events[in_train[0].event].site, None, _pass_sites(trace, records),
            ))
        elif any(r.training for r in records):
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"{len(records)} evaluation forwards of {module.name} ran in training mode, but it "
                "has no Dropout or BatchNorm layer: their outputs are the same in eval mode",
            ))
        else:
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"all {len(records)} evaluation forwards of {module.name} ran with model.training=False",
            ))
    return _only_confirmed(outcomes, focus)


def eval_without_no_grad(trace: Trace, focus: Focus | None) -> list[Outcome]:
    if focus is not None and (early := _forwards_not_reached(trace, focus)) is not None:
        return [early]
    outcomes = []
    for records in _evaluation_forwards(trace, focus):
        module = trace.modules[records[0].module]
        with_grad = [r for r in records if r.grad_enabled and r.graph]
        if with_grad:
            measured = next((r for r in with_grad if r.graph_nodes is not None), None)
            size = ""
            if measured is not None:
                size = f" ({measured.graph_nodes} nodes holding {format_bytes(measured.saved_bytes or 0)} of saved tensors for one batch)"
            outcomes.append(Outcome(
                CONFIRMED,
                f"{len(with_grad)} of {len(records)} evaluation forwards of {module.name}"
                f"{_passes(records, ' (', ')')} ran with grad enabled: each built an autograd "
                f"graph nobody backpropagates{size}",
                trace.events[with_grad[0].event].site, None, _pass_sites(trace, records),
            ))
        else:
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"all {len(records)} evaluation forwards of {module.name} ran under torch.no_grad() or inference_mode()",
            ))
    return _only_confirmed(outcomes, focus)


# -- LC008 -----------------------------------------------------------------------------------

def train_mode_not_restored(trace: Trace, focus: Focus | None) -> list[Outcome]:
    switches = trace.events_of(EVAL_MODE)
    if focus is not None:
        switches = [(i, e) for i, e in switches if focus.hits(e, focus.primary)]
        if not switches:
            return [Outcome(NOT_REACHED, "the switch to eval mode of this finding never ran within the step budget")]
    outcomes = []
    for module_index in sorted({e.owner for _, e in switches if e.owner is not None}):
        first, switch = next((i, e) for i, e in switches if e.owner == module_index)
        module = trace.modules[module_index]
        training = [f for f in trace.forwards if f.module == module_index and f.used_in_backward]
        before = [f for f in training if f.event < first]
        after = [f for f in training if f.event > first]
        restores = sum(1 for i, e in trace.events_of(TRAIN_MODE, module_index) if i > first)
        if not after:
            outcomes.append(Outcome(
                NOT_REACHED,
                f"no training step of {module.name} ran after model.eval() within the step budget",
                subject=f"module {module_index}",
            ))
            continue
        in_eval = [f for f in after if not f.training]
        if in_eval and (focus is not None or (module.layers and any(f.training for f in before))):
            effect = (f" ({', '.join(module.layers)} switched off)" if module.layers
                      else " (it has no Dropout or BatchNorm layer, so outputs are unaffected)")
            outcomes.append(Outcome(
                CONFIRMED,
                f"after model.eval() at {_line_of(switch.site)} (after step {switch.step}), "
                f"{len(in_eval)} of {len(after)} training forwards of {module.name} ran in eval "
                f"mode{effect}; model.train() was called {restores} time(s) after it",
                switch.site, f"module {module_index}", frozenset(switch.sites),
            ))
        elif not in_eval:
            outcomes.append(Outcome(
                NOT_CONFIRMED,
                f"all {len(after)} training forwards of {module.name} after model.eval() ran in "
                f"training mode (model.train() called {restores} time(s) after it)",
                subject=f"module {module_index}",
            ))
    return _only_confirmed(outcomes, focus)


# -- LC009 -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Growth:
    holders: tuple[Holder, ...]
    samples: tuple[RetentionSample, ...]
    per_step: bool


def _growing_holders(trace: Trace) -> list[_Growth]:
    """Variables whose graphs grew while keeping what earlier samples saw: kept past their iteration."""
    series: dict[tuple[int, str, str, str, bool], list[tuple[RetentionSample, Holder]]] = {}
    evaluation = {i for i, f in enumerate(trace.forwards) if not f.used_in_backward}
    for sample in trace.samples:
        per_step = sample.forward is None
        if not per_step and sample.forward not in evaluation:
            continue  # forwards that fed a backward: growth there is one big step, not a leak
        for holder in sample.holders:
            key = (holder.frame, holder.path, holder.function, holder.name, per_step)
            series.setdefault(key, []).append((sample, holder))
    found = []
    for key, points in series.items():
        per_step = key[4]
        run: list[tuple[RetentionSample, Holder]] = points[:1]
        best: list[tuple[RetentionSample, Holder]] = []
        for (_, before), (sample, after) in zip(points, points[1:]):
            if after.nodes > before.nodes and after.old_nodes >= before.nodes:
                run.append((sample, after))
            else:
                run = [(sample, after)]
            if len(run) > len(best):
                best = list(run)
        if len(best) >= (3 if per_step else 2):
            found.append(_Growth(tuple(h for _, h in best), tuple(s for s, _ in best), per_step))
    return found


def _growth_evidence(trace: Trace, growth: _Growth) -> str:
    first, last = growth.holders[0], growth.holders[-1]
    if growth.per_step:
        start, end = growth.samples[0].step, growth.samples[-1].step
        unit, span = "step", f"steps {start}–{end}"
    else:
        start, end = growth.samples[0].forward or 0, growth.samples[-1].forward or 0
        unit, span = "evaluation batch", f"{len(growth.samples)} evaluation batches"
    slope = (last.nodes - first.nodes) / max(end - start, 1)
    saved = f"saved tensors held: {format_bytes(first.saved_bytes)} → {format_bytes(last.saved_bytes)}"
    if last.saved_bytes == 0:
        saved += " (backward() freed them; the graph nodes stay)"
    text = (
        f"`{last.name}` in {last.function}() kept the autograd graphs of past iterations: "
        f"{first.nodes} → {last.nodes} nodes over {span} (+{slope:.0f} per {unit}, "
        f"{last.old_nodes} of them from earlier samples); {saved}"
    )
    memory = [s.device_memory for s in trace.steps if s.device_memory is not None]
    if len(memory) >= 2:
        text += f"; device memory after each step {format_bytes(memory[0])} → {format_bytes(memory[-1])}"
    return text


def _stored_name(source_line: str) -> str | None:
    """The variable a storing statement writes to: `total` in `total += loss`, `self` in `self.h.append(x)`."""
    for name in re.findall(r"[A-Za-z_]\w*", source_line):
        if not keyword.iskeyword(name):
            return name
    return None


def loss_tensor_retained(trace: Trace, focus: Focus | None) -> list[Outcome]:
    growths = _growing_holders(trace)
    if focus is None:
        return [
            Outcome(CONFIRMED, _growth_evidence(trace, g),
                    (g.holders[-1].path, g.holders[-1].lines[0]),
                    f"variable {g.holders[-1].path}:{g.holders[-1].name}")
            for g in growths
        ]
    name = _stored_name(focus.source_line)
    if name is None:
        return [Outcome(NOT_REACHED, "the stored variable could not be read from the source line")]
    subject = f"variable {focus.path}:{name}"
    line = min(focus.primary)

    def here(path: str, lines: tuple[int, int], local: str) -> bool:
        return local == name and path == focus.path and lines[0] <= line <= lines[1]

    for growth in growths:
        last = growth.holders[-1]
        if here(last.path, last.lines, last.name):
            return [Outcome(CONFIRMED, _growth_evidence(trace, growth), None, subject)]
    seen = [s for s in trace.samples if any(here(p, (a, b), n) for p, a, b, n in s.names)]
    if not seen:
        return [Outcome(NOT_REACHED, f"`{name}` was never live when a sample was taken: this code did not run within the step budget", subject=subject)]
    held = [h for s in seen for h in s.holders if here(h.path, h.lines, h.name)]
    if not held:
        return [Outcome(NOT_CONFIRMED, f"`{name}` held no autograd graph in any of {len(seen)} samples", subject=subject)]
    nodes = sorted({h.nodes for h in held})
    return [Outcome(
        NOT_CONFIRMED,
        f"`{name}` held a graph of {nodes[0]}–{nodes[-1]} nodes in {len(held)} samples without "
        "growing: nothing was kept from earlier iterations",
        subject=subject,
    )]


# -- LC011 -----------------------------------------------------------------------------------

def clip_without_unscale(trace: Trace, focus: Focus | None) -> list[Outcome]:
    clips = trace.clips
    if focus is not None:
        clips = [c for c in clips if focus.hits(trace.events[c.event], focus.primary)]
        if not clips:
            return [Outcome(NOT_REACHED, "the clipping call of this finding never ran within the step budget")]
    if not clips:
        return []
    scaled = [c for c in clips if c.scaled]
    if scaled:
        clip = scaled[0]
        scale = clip.scale if isinstance(clip.scale, float) else None
        norm = clip.total_norm if isinstance(clip.total_norm, float) else None
        measured = ""
        if norm is not None and scale:
            measured = f": it measured a total norm of {format_number(norm)}, {format_number(norm / scale)} once unscaled"
        site = trace.events[clip.event].site
        return [Outcome(
            CONFIRMED,
            f"{clip.function}({format_number(clip.limit)}) at {_line_of(site)} ran {len(scaled)} of "
            f"{len(clips)} times on gradients still multiplied by the GradScaler scale "
            f"{format_number(scale)} (no scaler.unscale_() since the scaled backward()){measured}, so the "
            f"threshold was applied to gradients {format_number(scale)}× too large",
            site, None, frozenset(trace.events[clip.event].sites),
        )]
    if focus is None:
        return []
    return [Outcome(
        NOT_CONFIRMED,
        f"{clips[0].function} ran {len(clips)} times, each after scaler.unscale_() or on "
        "gradients no GradScaler had scaled",
    )]


# -- LC010 -----------------------------------------------------------------------------------

_DIVIDED = ("DivBackward0", "MulBackward0")


def accumulation_without_scaling(trace: Trace, focus: Focus | None) -> list[Outcome]:
    if focus is None:
        return []  # judged only for a static finding: the loss expression is what matters
    backwards = trace.events_of(BACKWARD)
    mine = [(index, event) for index, event in backwards if focus.hits(event, focus.primary)]
    if not mine:
        return [Outcome(NOT_REACHED, "this backward() never ran within the step budget")]
    per_step = Counter(event.step for _, event in backwards)
    most = max(per_step[event.step] for _, event in mine)
    if most <= 1:
        return [Outcome(NOT_CONFIRMED, "one backward() per optimizer step: no gradients were accumulated")]
    roots = Counter(trace.backward_roots.get(index, "None") for index, _ in mine)
    root, _ = roots.most_common(1)[0]
    if root in _DIVIDED:
        return [Outcome(NOT_CONFIRMED, f"{most} backward() calls per step, on a loss made by {root}: it is scaled")]
    return [Outcome(
        CONFIRMED,
        f"{most} backward() calls added up into one optimizer step, each on a loss made directly by {root} "
        f"(no division by {most}): every step applied about {most}× the gradient of one batch",
        mine[0][1].site,
    )]


# -- LC012 -----------------------------------------------------------------------------------

_PROGRESS = re.compile(r"(?i)epoch|step|iter")


def checkpoint_without_optimizer_state(trace: Trace, focus: Focus | None) -> list[Outcome]:
    if focus is None:
        return []
    saves = [s for s in trace.saves if focus.hits(trace.events[s.event], focus.primary)]
    if not saves:
        return [Outcome(NOT_REACHED, "this torch.save() never ran within the step budget")]
    for save in saves:
        position = [k for k in save.keys if _PROGRESS.search(k)]
        if not (save.model_state and position):
            continue
        missing = []
        if not save.optimizer_state and trace.optimizers:
            missing.append(f"no optimizer state ({trace.optimizers[0].name} was stepping)")
        if not save.scheduler_state and trace.schedulers:
            missing.append(f"no scheduler state ({trace.schedulers[0].name} was stepping)")
        if missing:
            return [Outcome(
                CONFIRMED,
                f"torch.save() wrote a dict with keys {list(save.keys)}: the model's weights and "
                f"{position[0]!r}, but {' and '.join(missing)}",
                trace.events[save.event].site,
            )]
    return [Outcome(NOT_CONFIRMED, f"each of the {len(saves)} checkpoint(s) saved here holds the training state")]


# -- LC013 -----------------------------------------------------------------------------------

def optimizer_before_freeze(trace: Trace, focus: Focus | None) -> list[Outcome]:
    if focus is None:
        return []
    if not trace.optimizers:
        return [Outcome(NOT_REACHED, "no optimizer stepped within the step budget")]
    holding = [o for o in trace.optimizers if o.frozen]
    if not holding:
        return [Outcome(NOT_CONFIRMED, "every parameter the optimizers hold requires grad")]
    first = holding[0]
    return [Outcome(
        CONFIRMED,
        f"{first.name} holds {first.frozen} of its {first.params} parameter tensors with "
        "requires_grad=False: they were frozen after it was built, and it still carries them (and their state)",
    )]


CHECKS: dict[str, Check] = {
    "LC001": missing_zero_grad,
    "LC002": zero_grad_before_step,
    "LC003": step_before_backward,
    "LC004": scheduler_before_optimizer,
    "LC005": mixed_scheduler_cadence,
    "LC006": eval_without_eval_mode,
    "LC007": eval_without_no_grad,
    "LC008": train_mode_not_restored,
    "LC009": loss_tensor_retained,
    "LC010": accumulation_without_scaling,
    "LC011": clip_without_unscale,
    "LC012": checkpoint_without_optimizer_state,
    "LC013": optimizer_before_freeze,
}
