"""The `loopcheck` command: click commands only; the engine and reporters do the work.

Heavy modules (libcst, the rules, torch for `verify`) are imported inside the commands so
that `--version`, `--help` and pre-commit start-up stay fast.
"""
from __future__ import annotations

import importlib
import os
import sys

import click

from loopcheck import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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
    "--format", "output_format", type=click.Choice(["text", "json", "github", "sarif"]), default="text", show_default=True
)
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated or repeated).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
@click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no related locations, notes or summary.")
@click.option("--no-color", is_flag=True, help="Never color the output (also: NO_COLOR in the environment).")
def check(
    paths: tuple[str, ...],
    output_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    quiet: bool,
    no_color: bool,
) -> None:
    """Check PATHS (files or directories; default: the current directory)."""
    from loopcheck.config import ConfigError, load_settings
    from loopcheck.engine import lint_paths
    from loopcheck.rules import ALL_RULES

    try:
        settings = load_settings()
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    select = select or settings.select  # a --select on the command line replaces the configured one
    ignore = (*settings.ignore, *ignore)
    exclude = (*settings.exclude, *exclude)
    known = {r.code for r in ALL_RULES} | {r.name for r in ALL_RULES}
    for code in (*_codes(select), *_codes(ignore)):
        if not any(k.startswith(code.upper()) or k == code.lower() for k in known):
            raise click.UsageError(f"unknown rule code or prefix {code!r}; `loopcheck rules` lists them")
    result = lint_paths(paths or (".",), _codes(select), _codes(ignore), exclude)
    for error in result.errors:
        click.echo(f"{error.path}: {error.reason}", err=True)
    if not quiet:
        for note in result.notes:
            click.echo(f"{note.path}: note: {note.reason}", err=True)
    if output_format == "text":
        from loopcheck.report.text import render as render_text

        color = not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
        text = render_text(result, color=color, quiet=quiet)
    else:
        text = importlib.import_module(f"loopcheck.report.{output_format}").render(result)
    if text:
        click.echo(text)
    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if result.findings else EXIT_CLEAN)


@main.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, severity."""
    from loopcheck.rules import ALL_RULES

    for rule in ALL_RULES:
        click.echo(f"{rule.code}  {rule.name:<32} {rule.severity:<8} {rule.summary()}")


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
def verify(script: str, script_args: tuple[str, ...], steps: int, output_format: str, plot: str | None) -> None:
    """Run SCRIPT under instrumentation and confirm or refute each static finding.

    Arguments after `--` are passed to the script.
    """
    try:
        from loopcheck.runtime.script import verify_script
    except ImportError as error:
        click.echo(f"loopcheck verify needs torch: pip install 'loopcheck[runtime]' ({error})", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(verify_script(script, list(script_args), steps=steps, fmt=output_format, plot=plot))
