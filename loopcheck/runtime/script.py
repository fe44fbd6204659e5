"""`loopcheck verify SCRIPT`: static findings of a script, then the script run under watch.

Each finding comes back confirmed, not confirmed, inconclusive, not reached or not checked, with
the numbers the run produced. A notebook (`.ipynb`) runs its code cells joined in order, IPython
magics skipped, as `loopcheck check` reads it.
"""
from __future__ import annotations

import builtins
import contextlib
import linecache
import os
import runpy
import sys
import traceback
import types
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from loopcheck.runtime.instrument import check_steps, run_instrumented
from loopcheck.runtime.plot import plot_report
from loopcheck.runtime.report import build_report, render_text
from loopcheck.runtime.static import StaticUsageError, static_result
from loopcheck.runtime.verdicts import judge

EXIT_CLEAN = 0
EXIT_CONFIRMED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command ended by Ctrl-C

_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__))) + os.sep
_RUNPY = os.path.realpath(runpy.__file__)


class ScriptExit(Exception):
    """The script called sys.exit() with a failure status."""


def verify_script(
    path: str,
    argv: list[str],
    steps: int = 50,
    fmt: str = "text",
    plot: str | None = None,
    out: TextIO | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> int:
    """Judge `path`'s static findings by running it as `__main__` with `argv` for `steps` steps.

    Returns 0 when nothing is confirmed, 1 when something is, 2 on a usage error or when the
    script itself fails (its traceback, its own frames only, goes to stderr before the partial
    report), 130 when Ctrl-C interrupted it (after the partial report). `select`/`ignore` act on
    top of `[tool.loopcheck]` as for `loopcheck check`. `out` defaults to the current sys.stdout.
    """
    stream = out if out is not None else sys.stdout
    if fmt not in ("text", "json"):
        print(f"loopcheck verify: unknown format {fmt!r}; use text or json", file=sys.stderr)
        return EXIT_USAGE
    try:
        check_steps(steps, "--steps")
    except ValueError as error:
        print(f"loopcheck verify: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not os.path.isfile(path):
        print(f"loopcheck verify: {path}: no such file; give the path of a Python training script "
              "or a notebook", file=sys.stderr)
        return EXIT_USAGE
    try:
        runner, sources = _runner(path, argv)
    except _Refused as refusal:
        print(f"loopcheck verify: {path}: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    try:
        static = static_result(path, select, ignore, usage_errors=True)
    except StaticUsageError as error:
        print(f"loopcheck verify: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("loopcheck verify: interrupted (Ctrl-C) before the script started", file=sys.stderr)
        return EXIT_INTERRUPTED
    # With --format json, stdout is the report alone: the script's own prints go to stderr.
    script_output = contextlib.redirect_stdout(sys.stderr) if fmt == "json" else contextlib.nullcontext()
    with _source_lines(sources):
        with script_output:
            outcome = run_instrumented(runner, steps)
        if outcome.error is not None and not isinstance(outcome.error, ScriptExit):
            _print_script_traceback(outcome.error)
    verdicts = tuple(
        v for v in judge(outcome.trace, static.findings, sources)
        if v.static or static.selected(v.code)
    )
    report = build_report(path, outcome.trace, verdicts, outcome.error, tuple(static.notes),
                          tuple(static.errors))
    stream.write(report.to_json() + "\n" if fmt == "json" else render_text(report))
    stream.flush()
    if plot is not None:
        problem = plot_report(report, plot)
        print(f"loopcheck verify: {problem}" if problem else f"loopcheck verify: plot written to {plot}",
              file=sys.stderr)
    if outcome.interrupted:
        print(f"loopcheck verify: {path}: interrupted (Ctrl-C) after {report.steps} optimizer "
              "step(s); the report is partial", file=sys.stderr)
        return EXIT_INTERRUPTED
    if outcome.error is not None:
        print(f"loopcheck verify: {path} failed: {report.error}; the report is partial", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_CONFIRMED if report.confirmed else EXIT_CLEAN


class _Refused(Exception):
    """The file cannot be run: the message says why."""


def _runner(path: str, argv: list[str]) -> tuple[Callable[[], None], dict[str, list[str]]]:
    """What to call to run `path` as `python path argv...`, and the source lines of a notebook."""
    if not path.endswith(".ipynb"):
        return (lambda: _run_as_main(path, argv)), {}
    from loopcheck.notebook import NotNotebook, notebook_source

    try:
        with open(path, encoding="utf-8") as handle:
            notebook = notebook_source(handle.read())
    except (OSError, UnicodeDecodeError) as error:
        raise _Refused(f"cannot read the notebook: {error}") from None
    except NotNotebook as error:
        raise _Refused(str(error)) from None
    if not notebook.source.strip():
        why = "; ".join(notebook.skipped) or "it has no code cells"
        raise _Refused(f"nothing to run: {why}")
    real = os.path.realpath(path)
    try:
        code = compile(notebook.source, real, "exec", dont_inherit=True)
    except SyntaxError as error:
        where = notebook.where(error.lineno or 0)
        raise _Refused(
            f"cannot run its code cells as a script ({where}: {error.msg}); top-level `await` and "
            "other IPython-only syntax need Jupyter"
        ) from None
    lines = notebook.source.splitlines()
    return (lambda: _run_code_as_main(code, path, argv)), {real: lines}


@contextlib.contextmanager
def _as_main(path: str, argv: list[str]) -> Iterator[None]:
    saved_argv = sys.argv
    saved_path = list(sys.path)
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        yield
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            raise ScriptExit(f"the script exited with status {exit_.code}") from None
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path


def _run_as_main(path: str, argv: list[str]) -> None:
    """Run the script as `python path argv...` would, then put sys.argv and sys.path back."""
    with _as_main(path, argv):
        runpy.run_path(path, run_name="__main__")


def _run_code_as_main(code: types.CodeType, path: str, argv: list[str]) -> None:
    """Run a notebook's joined code cells as `__main__`; tracebacks and warnings show its lines."""
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__dict__["__builtins__"] = builtins
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        with _as_main(path, argv):
            exec(code, module.__dict__)
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main


@contextlib.contextmanager
def _source_lines(sources: dict[str, list[str]]) -> Iterator[None]:
    """While a notebook runs and its traceback prints, linecache serves its joined code cells
    (not the file's JSON) for its real path."""
    saved = {path: linecache.cache.get(path) for path in sources}
    for path, lines in sources.items():
        text = [line + "\n" for line in lines]
        # mtime None: linecache.checkcache keeps the entry instead of re-reading the file
        linecache.cache[path] = (sum(map(len, text)), None, text, path)
    try:
        yield
    finally:
        for path, entry in saved.items():
            if entry is not None:
                linecache.cache[path] = entry
            else:
                linecache.cache.pop(path, None)


def _print_script_traceback(error: BaseException) -> None:
    """The traceback as Python would print it for the script alone: loopcheck's and runpy's
    frames above the script's first frame are left out."""
    tb = error.__traceback__
    while tb is not None and _ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    sys.stderr.flush()
    traceback.print_exception(type(error), error, tb, file=sys.stderr)
    sys.stderr.flush()


def _ours(filename: str) -> bool:
    real = os.path.realpath(filename)
    return real.startswith(_PACKAGE) or real == _RUNPY or filename.startswith("<frozen runpy")
