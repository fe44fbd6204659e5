"""`loopcheck verify SCRIPT`: static findings of a script, then the script run under watch.

Each finding comes back confirmed, not confirmed or not reached, with the numbers the run produced.
"""
from __future__ import annotations

import contextlib
import os
import runpy
import sys
from typing import TextIO

from loopcheck.runtime.instrument import run_instrumented
from loopcheck.runtime.plot import plot_report
from loopcheck.runtime.report import build_report, render_text
from loopcheck.runtime.static import static_findings
from loopcheck.runtime.verdicts import judge

EXIT_CLEAN = 0
EXIT_CONFIRMED = 1
EXIT_USAGE = 2


class ScriptExit(Exception):
    """The script called sys.exit() with a failure status."""


def verify_script(
    path: str,
    argv: list[str],
    steps: int = 50,
    fmt: str = "text",
    plot: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Judge `path`'s static findings by running it as `__main__` with `argv` for `steps` steps.

    Returns 0 when nothing is confirmed, 1 when something is, 2 on a usage error or when the
    script itself fails (its exception is reported on one line). `out` defaults to the
    current sys.stdout.
    """
    stream = out if out is not None else sys.stdout
    if fmt not in ("text", "json"):
        print(f"loopcheck verify: unknown format {fmt!r}; use text or json", file=sys.stderr)
        return EXIT_USAGE
    if steps < 1:
        print(f"loopcheck verify: --steps must be at least 1, got {steps}", file=sys.stderr)
        return EXIT_USAGE
    if not os.path.isfile(path):
        print(f"loopcheck verify: {path}: no such file; give the path of a Python training script",
              file=sys.stderr)
        return EXIT_USAGE
    findings, notes = static_findings(path)
    # With --format json, stdout is the report alone: the script's own prints go to stderr.
    script_output = contextlib.redirect_stdout(sys.stderr) if fmt == "json" else contextlib.nullcontext()
    with script_output:
        outcome = run_instrumented(lambda: _run_as_main(path, argv), steps)
    report = build_report(path, outcome.trace, judge(outcome.trace, findings), outcome.error,
                          tuple(notes))
    stream.write(report.to_json() + "\n" if fmt == "json" else render_text(report))
    stream.flush()
    if plot is not None:
        problem = plot_report(report, plot)
        print(f"loopcheck verify: {problem}" if problem else f"loopcheck verify: plot written to {plot}",
              file=sys.stderr)
    if outcome.error is not None:
        print(f"loopcheck verify: {path} failed: {report.error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_CONFIRMED if report.confirmed else EXIT_CLEAN


def _run_as_main(path: str, argv: list[str]) -> None:
    """Run the script as `python path argv...` would, then put sys.argv and sys.path back."""
    saved_argv = sys.argv
    saved_path = list(sys.path)
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            raise ScriptExit(f"the script exited with status {exit_.code}") from None
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
