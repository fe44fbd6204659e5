"""The Python API: `check(paths)` or `check(source=...)` returns the findings; the CLI runs `run`.

    from loopcheck import check

    findings = check(["src/"], select=["LC00"], ignore=["LC007"])
    findings = check(source=text, filename="train.py")  # an editor buffer, as `loopcheck -` reads it

Settings are read as the CLI reads them (the nearest pyproject.toml holding `[tool.loopcheck]` of
each file, or `config=`, or none with `isolated=True`); `select`, `ignore`, `extend_select`,
`extend_ignore` and `exclude` act as the options of the same names. `run` returns everything a
report needs (findings, files that could not be analysed, notes, the number of files checked).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from loopcheck.config import ConfigError, Resolver, Settings
from loopcheck.discovery import discover_paths, matches_any
from loopcheck.finding import FileError, Finding
from loopcheck.records import Record, Value, _set

__all__ = ["CheckResult", "ConfigError", "SelectionError", "check", "run"]

_NOTHING = ("LC-NONE",)
"""A selection that matches no rule (every rule ignored for every file)."""


class SelectionError(ValueError):
    """A rule code, prefix or name that names no rule."""


@dataclass(init=False, repr=False, eq=False)
class CheckResult(Record):
    """The outcome of `check`: what the reporters print and the exit code is decided from. (A data
    class whose __init__ is written out: `loopcheck.records`.)"""

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    """Files that could not be analysed (and paths that do not exist): a run with any fails."""
    notes: list[FileError] = field(default_factory=list)
    """Worth saying, not failures: an empty file, a malformed `# noqa` (kind "noqa"), an unused one
    (kind "unused-noqa"), a path holding no Python file (kind "no-files")."""
    files_checked: int = 0
    rules: tuple[str, ...] = ()
    """The codes of the rules that ran on some file."""

    def __init__(
        self,
        findings: list[Finding] | None = None,
        errors: list[FileError] | None = None,
        notes: list[FileError] | None = None,
        files_checked: int = 0,
        rules: tuple[str, ...] = (),
    ) -> None:
        self.findings = [] if findings is None else findings
        self.errors = [] if errors is None else errors
        self.notes = [] if notes is None else notes
        self.files_checked = files_checked
        self.rules = rules


def check(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
    *,
    source: str | None = None,
    filename: str = "<stdin>",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    extend_ignore: Sequence[str] = (),
    exclude: Sequence[str] = (),
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
) -> list[Finding]:
    """The findings for `paths` (files and folders; default: the current folder), or for the
    text `source` as if it were the file `filename`, in output order (path, line, column, code).

    Files that cannot be analysed are left out of the list; `run` reports them. Raises
    `ConfigError` for a bad `[tool.loopcheck]` and `SelectionError` for a code naming no rule.
    """
    return run(
        paths,
        source=source,
        filename=filename,
        select=select,
        ignore=ignore,
        extend_select=extend_select,
        extend_ignore=extend_ignore,
        exclude=exclude,
        config=config,
        isolated=isolated,
    ).findings


def run(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
    *,
    source: str | None = None,
    filename: str = "<stdin>",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    extend_ignore: Sequence[str] = (),
    exclude: Sequence[str] = (),
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    respect_gitignore: bool | None = None,
    root: str | None = None,
    lint_options: dict[str, Any] | None = None,
) -> CheckResult:
    """`check` with everything a report needs. `lint_options` go to `engine.lint_paths`."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    given = [os.fspath(p) for p in paths] if paths else ["."]
    cli = _Selection(_codes(select), _codes(ignore), _codes(extend_select), _codes(extend_ignore))
    cli.validate("the command line")
    resolver = Resolver(config, isolated)
    if source is not None:
        return _run_source(source, filename, resolver, cli, tuple(exclude))

    def excluded(path: Path, is_dir: bool) -> bool:
        settings = resolver.for_path(path, is_dir)
        return bool(settings.exclude) and matches_any(settings.relative(path), settings.exclude)

    def gitignore(directory: Path) -> bool:
        return respect_gitignore if respect_gitignore is not None else resolver.for_path(directory, True).respect_gitignore

    found = discover_paths(given, tuple(exclude), excluded, gitignore)
    codes_of: dict[str, frozenset[str]] = {}
    memo: dict[tuple[int, tuple[str, ...]], frozenset[str]] = {}
    for path in found.files:
        settings = resolver.for_path(path, False)
        extra = _per_file_ignores(settings, Path(path))
        key = (id(settings), extra)
        if key not in memo:
            _selection_of(settings).validate(str(settings.source))
            memo[key] = cli.codes(settings, extra)
        codes_of[path] = memo[key]
    ran = sorted(set().union(*codes_of.values())) if codes_of else []
    result = CheckResult(errors=list(found.errors), rules=tuple(ran))
    if found.files:
        from loopcheck.engine import lint_paths

        folders = tuple(p for p in given if os.path.isdir(p))
        linted = lint_paths(found.files, tuple(ran) or _NOTHING, (), root=root, folders=folders, **(lint_options or {}))
        result.findings = [f for f in linted.findings if f.code in codes_of.get(f.path, ran)]
        result.errors.extend(linted.errors)
        result.notes.extend(linted.notes)
        result.files_checked = linted.files_checked
    nothing = not found.files and not found.errors and len(found.excluded) < len(given)
    for path in found.empty:
        if nothing:
            result.errors.append(FileError(path, "no Python files found: nothing was checked", kind="no-files"))
        else:
            result.notes.append(FileError(path, "no Python files found", kind="no-files"))
    return result


@dataclass(init=False, repr=False, eq=False)
class _Selection(Value):
    """The rule codes given on the command line (or to `check`), validated before any file is read."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()

    def __init__(
        self, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), extend_select: tuple[str, ...] = (),
        extend_ignore: tuple[str, ...] = (),
    ) -> None:
        _set(self, "select", select)
        _set(self, "ignore", ignore)
        _set(self, "extend_select", extend_select)
        _set(self, "extend_ignore", extend_ignore)

    def validate(self, where: str) -> None:
        from loopcheck.rules import ALL_RULES

        for code in (*self.select, *self.ignore, *self.extend_select, *self.extend_ignore):
            if code.upper() == "ALL":
                continue
            if not any(r.code.startswith(code.upper()) or r.name == code.lower() for r in ALL_RULES):
                error = SelectionError if where == "the command line" else ConfigError
                prefix = "" if where == "the command line" else f"{where}: "
                raise error(f"{prefix}unknown rule code or prefix {code!r}; `loopcheck rules` lists them")

    def codes(self, settings: Settings, per_file: tuple[str, ...] = ()) -> frozenset[str]:
        """The rules that run on a file with these settings: the command line's select replaces
        the file's; extend-select adds; every ignore (the file's, its per-file-ignores, the
        command line's) removes."""
        from loopcheck.rules import ALL_RULES

        select = self.select or settings.select
        extend = (*settings.extend_select, *self.extend_select)
        ignore = (*settings.ignore, *settings.extend_ignore, *per_file, *self.ignore, *self.extend_ignore)
        chosen = {r.code for r in ALL_RULES if not select or _names_any(r, select)}
        chosen |= {r.code for r in ALL_RULES if _names_any(r, extend)}
        return frozenset(r.code for r in ALL_RULES if r.code in chosen and not _names_any(r, ignore))


def _names_any(rule: Any, codes: Iterable[str]) -> bool:
    return any(c.upper() == "ALL" or rule.code.startswith(c.upper()) or rule.name == c.lower() for c in codes)


def _selection_of(settings: Settings) -> _Selection:
    per_file = tuple(code for _, codes in settings.per_file_ignores for code in codes)
    return _Selection(settings.select, (*settings.ignore, *per_file), settings.extend_select, settings.extend_ignore)


def _per_file_ignores(settings: Settings, path: Path) -> tuple[str, ...]:
    if not settings.per_file_ignores:
        return ()
    relative = settings.relative(path)
    return tuple(code for glob, codes in settings.per_file_ignores if matches_any(relative, (glob,)) for code in codes)


def _codes(values: Iterable[str]) -> tuple[str, ...]:
    """Codes given comma-separated or one by one."""
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


def _run_source(text: str, filename: str, resolver: Resolver, cli: _Selection, exclude: tuple[str, ...]) -> CheckResult:
    """One text as the file `filename`: settings, excludes and per-file-ignores as for that file."""
    from loopcheck.rules import select_rules

    path = Path(filename)
    settings = resolver.for_path(path, False)
    _selection_of(settings).validate(str(settings.source))
    if matches_any(path, exclude) or (settings.exclude and matches_any(settings.relative(path), settings.exclude)):
        return CheckResult(notes=[FileError(filename, "excluded by the settings; not checked", kind="excluded")])
    codes = cli.codes(settings, _per_file_ignores(settings, path))
    rules = select_rules(tuple(sorted(codes)) or _NOTHING)
    result = CheckResult(rules=tuple(sorted(codes)), files_checked=1)
    _lint_text(text, filename, rules, result)
    return result


def _lint_text(text: str, filename: str, rules: Sequence[Any], result: CheckResult) -> None:
    from loopcheck.engine import _describe, _in_notebook, check_model
    from loopcheck.model import LoopModel
    from loopcheck.notebook import NotNotebook, notebook_source
    from loopcheck.source import Source, UnreadableFile, parse_source, recursion_limit

    try:
        with recursion_limit():
            notebook = None
            if filename.endswith(".ipynb") and text.strip():
                try:
                    notebook = notebook_source(text)
                except NotNotebook as error:
                    raise UnreadableFile(str(error)) from None
                source = Source(filename, notebook.source, notebook)
                result.notes.extend(FileError(filename, skipped) for skipped in notebook.skipped)
            else:
                source = Source(filename, text)
            if not source.text.strip():
                result.notes.append(FileError(filename, "empty file, nothing to check"))
                return
            model = LoopModel(parse_source(source), path=filename, source=source)
            findings, errors = check_model(model, rules, filename, notes=result.notes)
            if notebook is not None:
                findings = [_in_notebook(finding, notebook) for finding in findings]
    except UnreadableFile as error:
        result.errors.append(FileError(filename, str(error)))
        result.files_checked = 0
        return
    except RecursionError:
        result.errors.append(FileError(filename, "cannot analyse: expressions nested too deeply (split the expression up)"))
        result.files_checked = 0
        return
    except Exception as error:  # the model itself failed: report it
        result.errors.append(FileError(filename, f"internal error: {_describe(error)}"))
        result.files_checked = 0
        return
    result.findings = findings
    result.errors.extend(errors)
