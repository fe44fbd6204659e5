"""Static findings for the runtime companion to judge, from the engine when it can be loaded.

The settings are read as `loopcheck check` reads them (`[tool.loopcheck]` of the nearest
pyproject.toml holding one, `select`/`ignore` on top). The runtime never fails because the static
side is missing or crashes: it notes why and goes on. A bad setting or an unknown rule code is the
caller's to report (`StaticUsageError`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from loopcheck.finding import Finding


class StaticUsageError(ValueError):
    """A bad `[tool.loopcheck]` setting or an unknown rule code in --select/--ignore."""


@dataclass
class StaticResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): could not analyse
    notes: list[str] = field(default_factory=list)
    rules: tuple[str, ...] | None = None  # codes of the rules selected for the file (None: all)

    def selected(self, code: str) -> bool:
        return self.rules is None or code in self.rules


def static_result(path: str, select: Sequence[str] = (), ignore: Sequence[str] = (),
                  usage_errors: bool = False) -> StaticResult:
    """The findings of `loopcheck check path` with these options. With `usage_errors`, a bad
    setting or rule code raises StaticUsageError; otherwise it becomes a note."""
    try:
        from loopcheck.api import run
    except ImportError:
        run = None  # type: ignore[assignment]
    if run is not None:
        try:
            result = run([path], select=tuple(select), ignore=tuple(ignore))
        except ValueError as error:  # ConfigError, SelectionError
            if usage_errors:
                raise StaticUsageError(str(error)) from None
            return StaticResult(notes=[f"static analysis not run: {error}"])
        except Exception as error:  # a crash of the static side must not hide the runtime evidence
            return StaticResult(notes=[f"static analysis failed on {path}: {type(error).__name__}: {error}"])
        return StaticResult(
            list(result.findings),
            [(e.path, e.reason) for e in result.errors],
            [f"{n.path}: {n.reason}" for n in result.notes if n.kind not in ("noqa", "unused-noqa")],
            tuple(result.rules),
        )
    return _from_engine(path, select, ignore, usage_errors)


def _from_engine(path: str, select: Sequence[str], ignore: Sequence[str], usage_errors: bool) -> StaticResult:
    """Without the API module: the engine itself, with the nearest `[tool.loopcheck]`."""
    try:
        from loopcheck.engine import lint_paths
        from loopcheck.rules import select_rules
    except ImportError as error:
        return StaticResult(notes=[f"static analysis unavailable ({error}); runtime checks only"])
    try:
        from pathlib import Path

        from loopcheck.config import load_settings

        settings = load_settings(Path(path))
        chosen = tuple(select) or tuple(settings.select)
        dropped = (*settings.ignore, *ignore)
        rules = tuple(r.code for r in select_rules(chosen, dropped))
    except ValueError as error:
        if usage_errors:
            raise StaticUsageError(str(error)) from None
        return StaticResult(notes=[f"static analysis not run: {error}"])
    try:
        result = lint_paths([path], chosen, dropped)
    except Exception as error:
        return StaticResult(notes=[f"static analysis failed on {path}: {type(error).__name__}: {error}"])
    return StaticResult(list(result.findings), [(e.path, e.reason) for e in result.errors], [], rules)


def static_findings(path: str) -> tuple[list[Finding], list[str]]:
    """The findings of `loopcheck check path` (settings applied), and notes on what went wrong."""
    result = static_result(path)
    notes = [*result.notes, *(f"static analysis could not read {p}: {r}" for p, r in result.errors)]
    return result.findings, notes
