"""The `loopcheck` command: click commands only; the engine and reporters do the work.

Heavy modules (libcst, the rules, torch for `verify`) are imported inside the commands so
that `--version`, `--help` and pre-commit start-up stay fast. The plain `loopcheck [check] PATHS`
form does not come here: `loopcheck.entry` reads it without importing click and runs the same
`check_command` (see there).
"""
from __future__ import annotations

import os
import sys

import click

from loopcheck import __version__
from loopcheck.entry import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, FORMATS, PROGRESS_AFTER  # noqa: F401


class _DefaultToCheck(click.Group):
    """`loopcheck PATH...` means `loopcheck check PATH...`, like ruff's and flake8's plain form."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Only the first argument can name a command: in `loopcheck --exclude rules .` the word
        # `rules` is the value of an option of `check`, not the `rules` command.
        first = args[0] if args else None
        if first not in ("--version", "--help", "-h") and first not in self.commands:
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="loopcheck", message="%(prog)s %(version)s")
def main() -> None:
    """Find the silent bugs of PyTorch training loops.

    `loopcheck PATH...` checks files and directories (the same as `loopcheck check PATH...`).
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format", "output_format", type=click.Choice(list(FORMATS)), default="text", show_default=True,
    help="json: a versioned object with findings and errors; json-v1: the findings array alone.",
)
@click.option("--select", multiple=True, help="Only these rule codes, prefixes or names (comma-separated or repeated; ALL for every rule).")
@click.option("--extend-select", multiple=True, help="Add these rules to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rule codes, prefixes or names.")
@click.option("--extend-ignore", multiple=True, help="Skip these too (the same as --ignore).")
@click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help="Read settings from this file only (pyproject.toml or a loopcheck.toml).")
@click.option("--isolated", is_flag=True, help="Read no settings file.")
@click.option("--no-respect-gitignore", is_flag=True, help="Check files that .gitignore ignores too.")
@click.option("--stdin-filename", default=None, help="With PATH `-`: the file name the text on stdin stands for.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (2 still means a file could not be analysed).")
@click.option("--fail-on", type=click.Choice(["warning", "error"]), default="warning", show_default=True, help="Lowest severity that fails the run (exit 1).")
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them (text and json).")
@click.option("--show-source", is_flag=True, help="Show the offending line under each finding.")
@click.option("--report-unused-noqa", is_flag=True, help="Report `# noqa` codes that silenced nothing; they fail the run.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), default=None, help="Write the report to this file instead of stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no related locations, notes or summary.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="auto: on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it).")
@click.option("--no-color", is_flag=True, help="Never color the output (the same as --color never).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: the CPUs available).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .loopcheck_cache/ (also: LOOPCHECK_CACHE_DIR moves it).")
def check(
    paths: tuple[str, ...],
    output_format: str,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    config_file: str | None,
    isolated: bool,
    no_respect_gitignore: bool,
    stdin_filename: str | None,
    exit_zero: bool,
    fail_on: str,
    statistics: bool,
    show_source: bool,
    report_unused_noqa: bool,
    output_file: str | None,
    quiet: bool,
    color: str,
    no_color: bool,
    jobs: int | None,
    no_cache: bool,
) -> None:
    """Check PATHS (files or directories; default: the current directory; `-`: the text on stdin)."""
    from loopcheck.entry import UsageProblem, check_command

    try:
        check_command(
            paths, output_format, select, extend_select, ignore, extend_ignore, exclude, config_file, isolated,
            no_respect_gitignore, stdin_filename, exit_zero, fail_on, statistics, show_source, report_unused_noqa,
            output_file, quiet, color, no_color, jobs, no_cache, echo=click.echo,
        )
    except UsageProblem as error:
        raise click.UsageError(str(error)) from None


@main.command(name="rules")
@click.option("--list", "listing", is_flag=True, help="List the rules even where a path named `rules` exists.")
def list_rules(listing: bool) -> None:
    """List every rule: code, name, severity, summary."""
    from loopcheck.rules import ALL_RULES

    width = max(len(rule.name) for rule in ALL_RULES)
    for rule in ALL_RULES:
        click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.severity:<7}  {rule.summary()}")
    if not listing:
        _refuse_path_named_like("rules", "lists loopcheck's rules", "", "to only list the rules, `loopcheck rules --list`")


def _refuse_path_named_like(command: str, does: str, also: str, instead: str) -> None:
    """`loopcheck rules` meant as "check ./rules" must not pass a CI job that checked nothing: where
    a path named like the command exists, say so and exit 2."""
    if os.path.exists(command):
        click.echo(
            f"loopcheck: `{command}` is the command that {does}, and a path `{command}` exists here: "
            f"it was NOT checked{also}. To check it run `loopcheck check {command}`; {instead}.",
            err=True,
        )
        sys.exit(EXIT_ERROR)


@main.command(name="clean")
@click.option("--caches", "confirmed", is_flag=True, help="Remove the caches even where a path named `clean` exists.")
def clean_caches(confirmed: bool) -> None:
    """Remove loopcheck's caches: `.loopcheck_cache` here and in every subfolder (as `ruff clean`),
    and the folder LOOPCHECK_CACHE_DIR names.

    Runs also prune the cache themselves: entries unused for 30 days, those of another loopcheck
    version unused for a day, the least recently used beyond 256 MiB."""
    if not confirmed:
        _refuse_path_named_like(
            "clean", "removes loopcheck's caches", ", and nothing was removed", "to remove the caches, `loopcheck clean --caches`"
        )
    from pathlib import Path

    from loopcheck.cache import ENV_DIR, caches_under, clean

    folders = caches_under(Path("."))
    if os.environ.get(ENV_DIR):
        folders.append(Path(os.environ[ENV_DIR]))
    removed = [folder for folder in folders if clean(folder)]
    for folder in removed:
        click.echo(f"removed {folder}")
    if not removed:
        click.echo("no loopcheck cache here")


@main.command(name="rule")
@click.argument("code")
def show_rule(code: str) -> None:
    """Print the documentation of one rule (by code or name)."""
    from loopcheck.docs import rule_markdown
    from loopcheck.rules import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        raise click.UsageError(f"unknown rule {code!r}; `loopcheck rules` lists them")
    click.echo(rule_markdown(rule), nl=False)  # the page already ends with a newline


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("script", type=click.Path(dir_okay=False))
@click.argument("script_args", nargs=-1, type=click.UNPROCESSED)
@click.option("--steps", type=click.IntRange(min=1), default=50, show_default=True, help="Stop after this many optimizer steps.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Draw grad norm and memory traces to this PNG (needs matplotlib).")
@click.option("--select", "verify_select", multiple=True, help="Only these rule codes or prefixes (on top of [tool.loopcheck], as for check).")
@click.option("--ignore", "verify_ignore", multiple=True, help="Skip these rule codes or prefixes.")
def verify(script: str, script_args: tuple[str, ...], steps: int, output_format: str, plot: str | None,
           verify_select: tuple[str, ...], verify_ignore: tuple[str, ...]) -> None:
    """Run SCRIPT (a .py file or a notebook's code cells) under instrumentation and confirm or
    refute each static finding.

    Arguments after `--` are passed to the script. Exit codes: 0 nothing confirmed, 1 something
    confirmed, 2 usage error or the script failed, 130 interrupted by Ctrl-C (partial report).
    """
    try:
        from loopcheck.runtime.script import EXIT_INTERRUPTED, verify_script
    except ImportError as error:
        click.echo(f"loopcheck verify needs torch: pip install 'loopcheck[runtime]' ({error})", err=True)
        sys.exit(EXIT_ERROR)
    try:
        code = verify_script(script, list(script_args), steps=steps, fmt=output_format, plot=plot,
                             select=_codes(verify_select), ignore=_codes(verify_ignore))
    except KeyboardInterrupt:  # outside the watched run (its own Ctrl-C ends with a report)
        click.echo("loopcheck verify: interrupted (Ctrl-C)", err=True)
        code = EXIT_INTERRUPTED
    sys.exit(code)
