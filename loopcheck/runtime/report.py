"""The runtime report: verdicts plus per-step traces, as a frozen dataclass, text or JSON.

Built once from a finished `Trace` and the verdicts; printing never touches torch.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass

from loopcheck.runtime.trace import (
    BACKWARD,
    CLIP,
    EVAL_MODE,
    FORWARD,
    LOADER_ITER,
    SCALE,
    SAVE,
    SCALER_STEP,
    SCHEDULER_STEP,
    STEP,
    TRAIN_MODE,
    UNSCALE,
    ZERO_GRAD,
    Trace,
)
from loopcheck.runtime.verdicts import (
    CONFIRMED,
    VERDICTS,
    Verdict,
    format_bytes,
    format_number,
)

SCHEMA_VERSION = 2  # of `verify --format json`; `check --format json` shares the envelope

SPARKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 50

_EVENT_LABELS = {
    ZERO_GRAD: "zero_grad", FORWARD: "forward", BACKWARD: "backward", STEP: "step",
    SCHEDULER_STEP: "scheduler.step", SCALE: "scaler.scale", UNSCALE: "scaler.unscale_",
    SCALER_STEP: "scaler.step", CLIP: "clip", EVAL_MODE: "eval()", TRAIN_MODE: "train()",
    SAVE: "torch.save",
}


@dataclass(frozen=True)
class OptimizerTrace:
    name: str
    grad_norms: tuple[float | None, ...]  # before each step; None when no parameter had a .grad
    learning_rates: tuple[float, ...]
    before_clipping: bool  # the norms are those clip_grad_norm_ measured (before it clipped)


_REFUSED_LABELS = {
    FORWARD: "forward", BACKWARD: "backward", STEP: "optimizer.step", ZERO_GRAD: "zero_grad",
    SCHEDULER_STEP: "scheduler.step", LOADER_ITER: "DataLoader pass", CLIP: "clip",
    SCALE: "scaler.scale", UNSCALE: "scaler.unscale_", SCALER_STEP: "scaler.step",
}


@dataclass(frozen=True)
class RuntimeReport:
    target: str
    device: str
    steps: int  # optimizer steps that ran to the end, all optimizers together
    step_limit: int
    stopped_early: bool  # the step budget was spent and the stop was raised
    error: str | None  # "ValueError: message" when the training code raised
    verdicts: tuple[Verdict, ...]
    order: tuple[str, ...]  # events of the first complete step
    optimizers: tuple[OptimizerTrace, ...]
    retained_steps: tuple[int, ...]  # steps at which retention was sampled
    retained_nodes: tuple[int, ...]
    retained_bytes: tuple[int, ...]
    device_memory: tuple[int, ...]  # bytes allocated after each step (CUDA only)
    notes: tuple[str, ...]
    ended: str = "returned"  # see Trace.ended
    refused: tuple[tuple[str, int], ...] = ()  # calls made after the stop (refused), by kind
    peak_memory: int | None = None  # torch.cuda.max_memory_allocated after the last step
    errors: tuple[tuple[str, str], ...] = ()  # (path, reason): files the static side could not read

    @property
    def confirmed(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.verdict == CONFIRMED)

    @property
    def interrupted(self) -> bool:
        return self.ended == "interrupted"

    @property
    def refused_calls(self) -> int:
        return sum(count for _, count in self.refused)

    def verdicts_for(self, code: str) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.code == code)

    def summary(self) -> dict[str, int]:
        """Static findings by verdict, then the runtime-only discoveries (all keys, fixed order)."""
        counts = Counter(v.verdict for v in self.verdicts if v.static)
        summary = {verdict: counts[verdict] for verdict in VERDICTS}
        summary["runtime-only"] = sum(1 for v in self.verdicts if not v.static)
        return summary

    def to_dict(self) -> dict[str, object]:
        """The versioned JSON document (README: "JSON output of verify"); snake_case keys only."""
        return {
            "version": SCHEMA_VERSION,
            "tool": {"name": "loopcheck", "version": _version()},
            "command": "verify",
            "target": self.target,
            "findings": [v.to_dict() for v in self.verdicts],
            "errors": [{"path": path, "reason": reason} for path, reason in self.errors],
            "summary": {key.replace(" ", "_").replace("-", "_"): count for key, count in self.summary().items()},
            "run": {
                "device": self.device,
                "steps": self.steps,
                "step_limit": self.step_limit,
                "stopped_early": self.stopped_early,
                "ended": self.ended,
                "error": self.error,
                "calls_after_stop": {_REFUSED_LABELS.get(k, k): n for k, n in self.refused},
                "order": list(self.order),
                "optimizers": [
                    {"name": o.name, "grad_norm": list(o.grad_norms), "lr": list(o.learning_rates),
                     "grad_norm_before_clipping": o.before_clipping}
                    for o in self.optimizers
                ],
                "retained": {
                    "steps": list(self.retained_steps),
                    "nodes": list(self.retained_nodes),
                    "saved_bytes": list(self.retained_bytes),
                },
                "device_memory": list(self.device_memory),
                "peak_device_memory": self.peak_memory,
            },
            "notes": [{"path": None, "line": None, "kind": "", "message": note} for note in self.notes],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def build_report(
    target: str, trace: Trace, verdicts: tuple[Verdict, ...], error: BaseException | None,
    notes: tuple[str, ...] = (), errors: tuple[tuple[str, str], ...] = (),
) -> RuntimeReport:
    post_step = [s for s in trace.samples if s.forward is None]
    optimizers = tuple(
        OptimizerTrace(
            info.name,
            tuple(s.grad_norm if isinstance(s.grad_norm, float) else None for s in trace.steps_of(info.index)),
            tuple(s.lr for s in trace.steps_of(info.index)),
            any(s.norm_before_clip for s in trace.steps_of(info.index)),
        )
        for info in trace.optimizers
        if trace.steps_of(info.index)
    )
    peaks = [s.peak_memory for s in trace.steps if s.peak_memory is not None]
    return RuntimeReport(
        target=target,
        device=trace.device,
        steps=trace.completed,
        step_limit=trace.step_limit,
        stopped_early=trace.stopped,
        error=None if error is None else _one_line(error),
        verdicts=verdicts,
        order=_first_step_order(trace),
        optimizers=optimizers,
        retained_steps=tuple(s.step for s in post_step),
        retained_nodes=tuple(s.nodes for s in post_step),
        retained_bytes=tuple(s.saved_bytes for s in post_step),
        device_memory=tuple(s.device_memory for s in trace.steps if s.device_memory is not None),
        notes=(*notes, *trace.notes),
        ended=trace.ended or ("stopped" if trace.stopped else "raised" if error is not None else "returned"),
        refused=tuple(sorted(trace.refused.items())),
        peak_memory=max(peaks) if peaks else None,
        errors=errors,
    )


def _version() -> str:
    from loopcheck import __version__

    return __version__


def _one_line(error: BaseException) -> str:
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def _first_step_order(trace: Trace) -> tuple[str, ...]:
    """The run up to its first optimizer step, then what followed until an event repeats."""
    if not trace.steps:
        return ()
    first = trace.steps[0].event
    window = [e.kind for e in trace.events[: first + 1] if e.kind != LOADER_ITER]
    for event in trace.events[first + 1:]:
        if event.kind == LOADER_ITER:
            continue
        if event.kind in window:
            break  # the next iteration begins
        window.append(event.kind)
    # Several forwards in a row (an evaluation pass) read better as one entry with a count.
    merged: list[tuple[str, int]] = []
    for kind in window:
        if merged and merged[-1][0] == kind == FORWARD:
            merged[-1] = (kind, merged[-1][1] + 1)
        else:
            merged.append((kind, 1))
    return tuple(_EVENT_LABELS[k] + (f" ×{n}" if n > 1 else "") for k, n in merged)


def sparkline(values: list[float | None], width: int = SPARK_WIDTH) -> str:
    """One character per value (averaged down to `width`); blanks where a value is missing."""
    if len(values) > width:
        size = len(values) / width
        buckets = [values[int(i * size): int((i + 1) * size)] for i in range(width)]
        values = [
            sum(v for v in b if v is not None) / len([v for v in b if v is not None])
            if any(v is not None for v in b) else None
            for b in buckets
        ]
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    spread = high - low
    return "".join(
        " " if v is None else SPARKS[0 if spread == 0 else min(int((v - low) / spread * 8), 7)]
        for v in values
    )


def render_text(report: RuntimeReport) -> str:
    lines = []
    lines.append(
        f"loopcheck verify: {_short(report.target)}: {report.steps} optimizer steps on "
        f"{report.device} ({_ending(report)})"
    )
    if report.refused:
        calls = ", ".join(f"{_REFUSED_LABELS.get(kind, kind)} ×{count}" for kind, count in report.refused)
        lines.append(
            f"  the training code caught the stop (a bare `except:` or `except BaseException`) and "
            f"went on: {report.refused_calls} further call(s) were refused ({calls}); no step ran after the limit"
        )
    if report.order:
        lines.append(f"  one step as it ran: {' → '.join(report.order)}")
    for trace in report.optimizers:
        known = [n for n in trace.grad_norms if n is not None]
        span = f"{format_number(known[0])} → {format_number(known[-1])} (max {format_number(max(known))})" if known else "no gradients"
        clipped = " before clipping" if trace.before_clipping else ""
        lines.append(f"  grad norm   {trace.name:<10} {sparkline(list(trace.grad_norms))}  {span}{clipped}")
        lrs = list(trace.learning_rates)
        if lrs and min(lrs) != max(lrs):
            lines.append(f"  lr          {trace.name:<10} {sparkline(lrs)}  {format_number(lrs[0])} → {format_number(lrs[-1])}")
    if report.retained_nodes:
        nodes = list(report.retained_nodes)
        lines.append(
            f"  kept graphs            {sparkline([float(n) for n in nodes])}  {nodes[0]} → "
            f"{nodes[-1]} nodes, {format_bytes(report.retained_bytes[-1])} saved tensors "
            f"(sampled at {len(nodes)} steps)"
        )
    if report.device_memory:
        memory = list(report.device_memory)
        peak = f", peak {format_bytes(report.peak_memory)}" if report.peak_memory is not None else ""
        lines.append(
            f"  device memory          {sparkline([float(m) for m in memory])}  "
            f"{format_bytes(memory[0])} → {format_bytes(memory[-1])} after each step{peak}"
        )
    for verdict in report.verdicts:
        where = _short(verdict.path) if verdict.path else _short(report.target)
        cell = getattr(verdict.finding, "cell", None)
        if cell is not None:  # a notebook: the cell and the line in it, as `check` prints them
            where += f":cell {cell}:{getattr(verdict.finding, 'cell_line', None)}"
        elif verdict.line is not None:
            where += f":{verdict.line}"
        origin = "" if verdict.static else " (runtime only: the static rules missed it)"
        lines.append("")
        lines.append(f"{where}: {verdict.code} {verdict.name}: {verdict.verdict.upper()}{origin}")
        if verdict.static:
            lines.append(f"    finding:  {verdict.message}")
        lines.append(f"    evidence: {verdict.evidence}")
    if not report.verdicts:
        lines.append("")
        lines.append("no static finding to judge and nothing found at runtime")
    for path, reason in report.errors:
        lines.append(f"error: static analysis could not read {_short(path)}: {reason}")
    for note in report.notes:
        lines.append(f"note: {note}")
    summary = report.summary()
    lines.append("")
    lines.append(
        "summary: " + ", ".join(f"{count} {name}" for name, count in summary.items() if count)
        if any(summary.values()) else "summary: nothing confirmed"
    )
    return "\n".join(lines) + "\n"


def _ending(report: RuntimeReport) -> str:
    limit = f"the step limit of {report.step_limit}"
    if report.ended == "interrupted":
        return "interrupted by Ctrl-C: a partial report"
    if report.error is not None:
        after = f" after {limit} was reached" if report.stopped_early else ""
        return f"the training code raised {report.error}{after}"
    if report.ended == "returned_after_stop":
        return (f"stopped at {limit}; the training code then returned normally: it caught the "
                "stop, or the stop ended a thread it was waiting for")
    if report.stopped_early:
        return f"stopped after {limit}"
    return "the training code returned"


def _short(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative
