"""The `loopcheck` command's entry point (the console script and `python -m loopcheck`).

The plain form, `loopcheck [check] [PATHS...]` with the usual options written the usual way, is
read here without importing click (click and what it imports are about 15 ms of a one-file run,
as a pre-commit hook or an editor runs loopcheck). Everything else goes to the click commands of
`loopcheck.cli`: the other commands, `--help`, `--version`, stdin (`-`), `--config`,
`--output-file`, `--stdin-filename`, an option written another way (`-qj2`, `--`), a value that
looks like an option, a value click would refuse, a usage error found while running (a bad
`[tool.loopcheck]`, an unknown rule code: the run is then done again by click, which says so),
and streams click would wrap (no standard stream, an ASCII encoding). Both paths run
`check_command` and write as `click.echo` does, so the output and the exit status are the same
(`tests/test_entry.py` compares them byte for byte).
"""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, Sequence

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

FORMATS = {"text": "text", "json": "json", "json-v1": "json_v1", "github": "github", "sarif": "sarif", "junit": "junit"}
PROGRESS_AFTER = 50
"""Files from which a run on a terminal shows a progress line on stderr."""

COMMANDS = ("check", "rules", "rule", "clean", "verify")
"""The click group's commands: a first argument naming one of them is a command, not a path."""


class UsageProblem(Exception):
    """A usage error found by `check_command`; click prints it with the command's usage line."""


Echo = Callable[..., None]


def check_command(
    paths: tuple[str, ...],
    output_format: str = "text",
    select: tuple[str, ...] = (),
    extend_select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    extend_ignore: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    config_file: str | None = None,
    isolated: bool = False,
    no_respect_gitignore: bool = False,
    stdin_filename: str | None = None,
    exit_zero: bool = False,
    fail_on: str = "warning",
    statistics: bool = False,
    show_source: bool = False,
    report_unused_noqa: bool = False,
    output_file: str | None = None,
    quiet: bool = False,
    color: str = "auto",
    no_color: bool = False,
    jobs: int | None = None,
    no_cache: bool = False,
    *,
    echo: Echo,
) -> None:
    """`loopcheck check`: run, print the report, exit 0 (clean), 1 (findings) or 2 (a file could
    not be analysed). Raises `UsageProblem` for a usage error, before anything is printed."""
    import importlib

    from loopcheck.api import ConfigError, SelectionError, run
    from loopcheck.report.common import Sources

    if statistics and output_format not in ("text", "json"):
        raise UsageProblem("--statistics goes with --format text or json")
    source = None
    if "-" in paths:
        if len(paths) > 1:
            raise UsageProblem("`-` (stdin) cannot be combined with other paths")
        source = sys.stdin.read()
    elif stdin_filename is not None:
        raise UsageProblem("--stdin-filename goes with the path `-` (stdin)")
    filename = stdin_filename or "-"
    from loopcheck.parallel import available_cpus

    lint_options: dict[str, object] = {"jobs": jobs if jobs is not None else available_cpus(), "cache": not no_cache}
    progress = _Progress() if not quiet and sys.stderr.isatty() and source is None else None
    if progress is not None:
        lint_options["progress"] = progress
    try:
        result = run(
            paths, source=source, filename=filename, select=select, ignore=ignore, extend_select=extend_select,
            extend_ignore=extend_ignore, exclude=exclude, config=config_file, isolated=isolated,
            respect_gitignore=False if no_respect_gitignore else None, lint_options=lint_options,
        )
    except (ConfigError, SelectionError) as error:
        raise UsageProblem(str(error)) from None
    finally:
        if progress is not None:
            progress.clear()
    unused = [n for n in result.notes if n.kind == "unused-noqa"]
    for error in result.errors:
        echo(f"{error.path}: {error.reason}", err=True)
    for note in result.notes:
        if note.kind == "unused-noqa" and not report_unused_noqa:
            continue
        if note.kind in ("noqa", "unused-noqa"):
            echo(f"{note.path}:{note.line}: warning: {note.reason}", err=True)
        elif note.kind == "no-files":
            echo(f"{note.path}: warning: {note.reason}", err=True)
        elif not quiet:
            echo(f"{note.path}: note: {note.reason}", err=True)
    use_color = output_file is None and _color(color, no_color)
    module = importlib.import_module(f"loopcheck.report.{FORMATS[output_format]}")
    if output_format == "text":
        sources = Sources({filename: source} if source is not None else None)
        text = module.render(result, color=use_color, quiet=quiet, show_source=show_source, sources=sources, by_rule=statistics)
    elif statistics:
        text = module.render_statistics(result)
    else:
        text = module.render(result)
    if output_file is not None:
        with open(output_file, "w", encoding="utf-8") as handle:
            handle.write(text + "\n" if text else "")
    elif text:
        echo(text, color=use_color or None)  # click strips styles off a pipe unless told
    if result.errors:
        sys.exit(EXIT_ERROR)
    failing = [f for f in result.findings if fail_on == "warning" or f.severity == "error"]
    if report_unused_noqa:
        failing += unused  # type: ignore[arg-type]
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


def _color(choice: str, no_color: bool) -> bool:
    """--color always/never win; then --no-color; then FORCE_COLOR, NO_COLOR (non-empty), a terminal."""
    if choice != "auto":
        return choice == "always"
    if no_color:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


class _Progress:
    """`checking 120/480 files` on stderr, rewritten in place, erased at the end (a terminal only)."""

    def __init__(self) -> None:
        self.shown = False
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        if total < PROGRESS_AFTER or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        sys.stderr.write(f"\rloopcheck: checking {done}/{total} files")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


# ----------------------------------------------------------------------------- the plain form

_FLAGS = {
    "--isolated": "isolated",
    "--no-respect-gitignore": "no_respect_gitignore",
    "--exit-zero": "exit_zero",
    "--statistics": "statistics",
    "--show-source": "show_source",
    "--report-unused-noqa": "report_unused_noqa",
    "-q": "quiet",
    "--quiet": "quiet",
    "--no-color": "no_color",
    "--no-cache": "no_cache",
}
_CHOICES = {
    "--format": ("output_format", tuple(FORMATS)),
    "--fail-on": ("fail_on", ("warning", "error")),
    "--color": ("color", ("auto", "always", "never")),
}
_MULTIPLE = {
    "--select": "select",
    "--extend-select": "extend_select",
    "--ignore": "ignore",
    "--extend-ignore": "extend_ignore",
    "--exclude": "exclude",
}
_JOBS = ("--jobs", "-j")


def plain_check(args: Sequence[str]) -> dict[str, Any] | None:
    """The keyword arguments of `check_command` for `args` (the command line after the program's
    name), or None when they are not the plain form this module reads (click then reads them)."""
    if args and args[0] in COMMANDS:
        if args[0] != "check":
            return None
        args = args[1:]
    options: dict[str, Any] = {}
    multiple: dict[str, list[str]] = {}
    paths: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if not token.startswith("-"):
            paths.append(token)
            continue
        if token in _FLAGS:
            options[_FLAGS[token]] = True
            continue
        name, equals, value = token.partition("=")
        if not name.startswith("--"):
            name, value, equals = token, "", ""  # a short option takes its value from the next argument
        if name not in _CHOICES and name not in _MULTIPLE and name not in _JOBS:
            return None  # `-`, `--`, --help, --config, -o, a stacked short form, an unknown option
        if not equals:
            if index >= len(args):
                return None
            value = args[index]
            index += 1
            if value.startswith("-"):
                return None  # click would take it as the value; let click say what it makes of it
        if name in _CHOICES:
            key, choices = _CHOICES[name]
            if value not in choices:
                return None
            options[key] = value
        elif name in _MULTIPLE:
            multiple.setdefault(_MULTIPLE[name], []).append(value)
        else:
            if not (value.isascii() and value.isdigit()) or int(value) < 1:
                return None
            options["jobs"] = int(value)
    for path in paths:  # click.Path(): a path that exists must be readable
        if os.path.exists(path) and not os.access(path, os.R_OK):
            return None
    options.update((key, tuple(values)) for key, values in multiple.items())
    options["paths"] = tuple(paths)
    return options


def _plain_streams() -> bool:
    """Standard streams click would write to as they are (it wraps a stream with no encoding or an
    ASCII one, and has its own ways for others)."""
    import codecs
    import io

    for stream in (sys.stdout, sys.stderr):
        if type(stream) is not io.TextIOWrapper or stream.errors is None:
            return False
        try:
            if codecs.lookup(stream.encoding or "ascii").name == "ascii":
                return False
        except LookupError:
            return False
    return True


_ANSI = None


def echo(message: str, err: bool = False, color: bool | None = None) -> None:
    """`click.echo(message, err=err, color=color)` for the standard streams `_plain_streams` allows:
    the message and a newline, styles stripped off a stream that is not a terminal unless `color`,
    flushed."""
    global _ANSI
    stream = sys.stderr if err else sys.stdout
    out = message + "\n"
    strip = not color if color is not None else not _isatty(stream)
    if strip and "\x1b" in out:
        if _ANSI is None:
            import re

            _ANSI = re.compile(r"\033\[[0-?]*[ -/]*[@-~]")  # click's own
        out = _ANSI.sub("", out)
    stream.write(out)
    stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:
        return False


class _PacifyFlush:
    """What click puts in place of sys.stdout and sys.stderr after a broken pipe: a flush at exit
    that finds the pipe closed says nothing."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        import errno

        try:
            self.wrapped.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.wrapped, attr)


def _by_click(args: Sequence[str] | None) -> None:
    from loopcheck.cli import main as click_main

    click_main(args)


def main(args: Sequence[str] | None = None) -> None:
    """Run the command line `args` (default: `sys.argv[1:]`); never returns.

    A process that only reads code (every command but `verify`, which runs training code and
    measures what it keeps alive) turns Python's cycle collector off for its whole life and
    freezes what is left before it exits: the run's syntax trees and loop models stay alive to the
    end and hold reference cycles, so a collection when the analysis hands back and the
    interpreter's last one at exit would only walk them to free memory the process gives back as
    it ends (together about a quarter of a second of a 1.4 s run over a 93-file project, measured)."""
    argv = list(sys.argv[1:] if args is None else args)
    reads_only = "verify" not in argv
    if reads_only:
        import gc

        gc.disable()
    try:
        _main(argv, args)
    finally:
        if reads_only:
            gc.freeze()


def _main(argv: list[str], args: Sequence[str] | None) -> None:
    options = None
    if not any(key.endswith("_COMPLETE") for key in os.environ) and _plain_streams():
        options = plain_check(argv)
    if options is None:
        _by_click(args)
        return
    import errno

    try:
        try:
            check_command(**options, echo=echo)
        except UsageProblem:
            _by_click(args)  # click runs it again and reports the error as its usage error
        except (EOFError, KeyboardInterrupt):  # as click's standalone mode: a newline, "Aborted!", 1
            _write_newline()
            from gettext import gettext

            echo(gettext("Aborted!"), err=True)
        except OSError as error:  # a closed pipe (`loopcheck . | head`): exit 1 quietly, as click
            if error.errno != errno.EPIPE:
                raise
            sys.stdout = _PacifyFlush(sys.stdout)  # type: ignore[assignment]
            sys.stderr = _PacifyFlush(sys.stderr)  # type: ignore[assignment]
        else:
            sys.exit(EXIT_CLEAN)
        sys.exit(1)
    except (EOFError, KeyboardInterrupt):
        sys.exit(1)


def _write_newline() -> None:
    sys.stderr.write("\n")
    sys.stderr.flush()
