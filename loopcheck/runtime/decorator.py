"""`@verify_loop`: run a training function under instrumentation for a bounded number of steps.

The report goes to stderr (text) or stdout (JSON) and stays on the wrapper as `last_report`.
"""
from __future__ import annotations

import contextvars
import functools
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar, overload

from loopcheck.finding import Finding
from loopcheck.runtime.instrument import run_instrumented
from loopcheck.runtime.report import RuntimeReport, build_report, render_text
from loopcheck.runtime.static import static_findings
from loopcheck.runtime.verdicts import CONFIRMED, NOT_CONFIRMED, judge

F = TypeVar("F", bound=Callable[..., Any])

REPORTS = ("text", "json")
FAIL_ON = ("confirmed", "never")
DEVICES = ("auto", "cpu", "cuda")

# True while a verified run is in progress: a verified function called from inside another
# one runs plainly, since the outer run's hooks already see everything it does.
_RUNNING: contextvars.ContextVar[bool] = contextvars.ContextVar("loopcheck_running", default=False)


class LoopcheckConfirmed(AssertionError):
    """Raised after the report when `fail_on="confirmed"` and the run confirmed a bug."""

    def __init__(self, report: RuntimeReport) -> None:
        self.report = report
        found = "; ".join(f"{v.code} {v.name}" for v in report.confirmed)
        super().__init__(f"loopcheck confirmed {len(report.confirmed)} bug(s) in {report.target}: {found}")


@overload
def verify_loop(func: F) -> F: ...


@overload
def verify_loop(
    *, steps: int = 50, device: str = "auto", report: str = "text", fail_on: str = "confirmed",
    static: bool = True,
) -> Callable[[F], F]: ...


def verify_loop(
    func: Callable[..., Any] | None = None,
    *,
    steps: int = 50,
    device: str = "auto",
    report: str = "text",
    fail_on: str = "confirmed",
    static: bool = True,
) -> Any:
    """Decorate a training function: each call runs at most `steps` optimizer steps, watched.

    Returns what the function returns, or None when the step limit stopped it. With
    `fail_on="confirmed"` a confirmed bug raises `LoopcheckConfirmed` after the report is
    printed; the function's own exceptions propagate unchanged (after a partial report).
    `static=True` also judges the static findings inside the function's source lines.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"verify_loop: steps must be a positive integer, got {steps!r}")
    for label, value, allowed in (("device", device, DEVICES), ("report", report, REPORTS),
                                  ("fail_on", fail_on, FAIL_ON)):
        if value not in allowed:
            raise ValueError(f"verify_loop: {label} must be one of {', '.join(allowed)}, got {value!r}")

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if _RUNNING.get():
                return function(*args, **kwargs)
            token = _RUNNING.set(True)
            try:
                outcome = run_instrumented(lambda: function(*args, **kwargs), steps, device)
            finally:
                _RUNNING.reset(token)
            findings, notes = _findings_for(function) if static else ([], [])
            verdicts = judge(outcome.trace, findings)
            lines = _source_lines(function)
            verdicts = tuple(
                v for v in verdicts
                if not v.static or v.verdict in (CONFIRMED, NOT_CONFIRMED)
                or (v.line is not None and v.line in lines)
            )
            result = build_report(function.__qualname__, outcome.trace, verdicts, outcome.error, tuple(notes))
            wrapper.last_report = result  # type: ignore[attr-defined]
            if report == "json":
                print(result.to_json(), file=sys.stdout)
            else:
                print(render_text(result), file=sys.stderr, end="")
            if outcome.error is not None:
                raise outcome.error
            if fail_on == "confirmed" and result.confirmed:
                raise LoopcheckConfirmed(result)
            return outcome.value

        wrapper.last_report = None  # type: ignore[attr-defined]
        return wrapper

    return decorate(func) if func is not None else decorate


def _findings_for(function: Callable[..., Any]) -> tuple[list[Finding], list[str]]:
    try:
        path = inspect.getsourcefile(function)
    except TypeError:
        path = None
    if not path or not os.path.isfile(path):
        return [], []  # defined in a notebook cell or a REPL: nothing to analyse statically
    findings, notes = static_findings(path)
    real = os.path.realpath(path)
    return [f for f in findings if os.path.realpath(f.path) == real], notes


def _source_lines(function: Callable[..., Any]) -> range:
    try:
        source, start = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return range(0)
    return range(start, start + len(source))
