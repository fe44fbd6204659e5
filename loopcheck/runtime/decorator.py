"""`@verify_loop`: run a training function under instrumentation for a bounded number of steps.

The report goes to stderr (text) or stdout (JSON) and stays on the wrapper as `last_report`.
A generator function is watched while it is consumed; coroutine functions are refused.
"""
from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Generator
from typing import Any, TypeVar, overload

from loopcheck.runtime.instrument import (
    Instrumentation,
    RunOutcome,
    StopTraining,
    check_steps,
    run_instrumented,
    running_here,
)
from loopcheck.runtime.report import RuntimeReport, build_report, render_text
from loopcheck.runtime.static import StaticResult, static_result
from loopcheck.runtime.verdicts import CONFIRMED, INCONCLUSIVE, NOT_CONFIRMED, judge

F = TypeVar("F", bound=Callable[..., Any])

REPORTS = ("text", "json")
FAIL_ON = ("confirmed", "never")
DEVICES = ("auto", "cpu", "cuda")


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
    """Decorate a training function: each call runs at most `steps` optimizer steps (all
    optimizers together), watched.

    Returns what the function returns, or None when the stop ended it. With
    `fail_on="confirmed"` a confirmed bug raises `LoopcheckConfirmed` after the report is
    printed; the function's own exceptions (and Ctrl-C) propagate unchanged, after a partial
    report. `static=True` also judges the static findings inside the function's source lines.
    A generator function is watched while it is consumed: its body runs under watch at each
    `next()`, and the report comes when it is exhausted, stopped or closed.
    """
    try:
        check_steps(steps)
    except ValueError as error:
        raise ValueError(f"verify_loop: {error}") from None
    for label, value, allowed in (("device", device, DEVICES), ("report", report, REPORTS),
                                  ("fail_on", fail_on, FAIL_ON)):
        if value not in allowed:
            raise ValueError(f"verify_loop: {label} must be one of {', '.join(allowed)}, got {value!r}")

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
            raise TypeError(
                f"verify_loop cannot watch {function.__qualname__}: it is an async function, and "
                "the steps of coroutines interleave on one thread; decorate a regular function "
                "(or a generator) that runs the training instead"
            )

        def conclude(outcome: RunOutcome) -> Any:
            result = _report_for(function, outcome, static)
            wrapper.last_report = result  # type: ignore[attr-defined]
            if report == "json":
                print(result.to_json(), file=sys.stdout)
            else:
                print(render_text(result), file=sys.stderr, end="")
            if outcome.closed:
                return None  # close() must not raise: the report is all there is to say
            if outcome.interrupted:
                raise KeyboardInterrupt
            if outcome.error is not None:
                raise outcome.error
            if fail_on == "confirmed" and result.confirmed:
                raise LoopcheckConfirmed(result)
            return outcome.value

        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if running_here():
                    return (yield from function(*args, **kwargs))
                # conclude runs inside the watcher: on close() a `yield from` would drop its result
                return (yield from _watch_generator(function(*args, **kwargs), steps, device, conclude))
        else:
            @functools.wraps(function)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if running_here():
                    # a verified function called from inside another verified run runs plainly:
                    # the outer run's hooks already see everything it does
                    return function(*args, **kwargs)
                return conclude(run_instrumented(lambda: function(*args, **kwargs), steps, device))

        wrapper.last_report = None  # type: ignore[attr-defined]
        return wrapper

    return decorate(func) if func is not None else decorate


def _watch_generator(inner: Generator[Any, Any, Any], steps: int, device: str,
                     conclude: Callable[[RunOutcome], Any]) -> Generator[Any, Any, Any]:
    """Drive `inner` with the run attached to the consuming thread only while `inner` runs;
    then `conclude(outcome)` (the report), whose result is the generator's return value."""
    run = Instrumentation(steps, device)
    run.start()
    value: object = None
    error: Exception | None = None
    interrupted = stopped = closing = False
    sent: Any = None
    thrown: BaseException | None = None
    try:
        while True:
            run.attach(sys._getframe(0))
            try:
                item = inner.throw(thrown) if thrown is not None else inner.send(sent)
            except StopIteration as end:
                value = end.value
                break
            except StopTraining:
                stopped = True
                break
            except KeyboardInterrupt:
                interrupted = True
                break
            except Exception as raised:
                error = raised
                break
            finally:
                run.detach()
            thrown = None
            try:
                sent = yield item
            except GeneratorExit:  # the consumer stopped early (close(), or the loop was left)
                closing = True
                run.attach(sys._getframe(0))
                try:
                    inner.close()  # the body's own clean-up runs watched
                except StopTraining:
                    pass
                except Exception as raised:
                    error = raised
                finally:
                    run.detach()
                break
            except BaseException as incoming:  # gen.throw(...) by the consumer: into the body
                thrown = incoming
    finally:
        trace = run.finish()
        trace.interrupted = interrupted
        trace.ended = (
            "interrupted" if interrupted else "raised" if error is not None
            else "stopped" if stopped else "returned_after_stop" if trace.stopped else "returned"
        )
        if closing:
            trace.notes.append("the generator was closed by its consumer before it finished")
    return conclude(RunOutcome(value, trace, error, interrupted, closed=closing))


def _report_for(function: Callable[..., Any], outcome: RunOutcome, static: bool) -> RuntimeReport:
    result = _static_for(function) if static else StaticResult()
    verdicts = judge(outcome.trace, result.findings)
    lines = _source_lines(function)
    verdicts = tuple(
        v for v in verdicts
        if (not v.static and result.selected(v.code))
        or (v.static and (v.verdict in (CONFIRMED, NOT_CONFIRMED, INCONCLUSIVE)
                          or (v.line is not None and v.line in lines)))
    )
    return build_report(function.__qualname__, outcome.trace, verdicts, outcome.error,
                        tuple(result.notes), tuple(result.errors))


def _static_for(function: Callable[..., Any]) -> StaticResult:
    """The findings in the function's file, with `[tool.loopcheck]` applied as `check` does."""
    try:
        path = inspect.getsourcefile(function)
    except TypeError:
        path = None
    if not path or not os.path.isfile(path):
        return StaticResult()  # defined in a notebook cell or a REPL: nothing to analyse statically
    result = static_result(path)
    real = os.path.realpath(path)
    result.findings = [f for f in result.findings if os.path.realpath(f.path) == real]
    return result


def _source_lines(function: Callable[..., Any]) -> range:
    try:
        source, start = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return range(0)
    return range(start, start + len(source))
