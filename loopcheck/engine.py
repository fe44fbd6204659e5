"""Discover files, run the pipeline on each (read → parse → loop model → rules), collect results.

A bad file or a crashing rule becomes a FileError for that file; the run always goes on.
"""
from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from loopcheck import noqa
from loopcheck.discovery import discover  # noqa: F401  (part of the engine's API)
from loopcheck.finding import FileError, Finding, Related, one_per_bug
from loopcheck.model import LoopModel
from loopcheck.project import Project, Projects
from loopcheck.records import Record, Value, _set
from loopcheck.rules import Rule, select_rules
from loopcheck.source import (  # noqa: F401  (read_source and parse are part of the engine's API)
    MAX_FILE_BYTES,
    Source,
    UnreadableFile,
    load,
    parse,
    read_source,
    recursion_limit,
)

if TYPE_CHECKING:
    from loopcheck.cache import Cache
    from loopcheck.notebook import NotebookSource


@dataclass(init=False, repr=False, eq=False)
class LintResult(Record):
    """What the analysis of some files gives; one per file, merged in file order. (A data class
    whose __init__ is written out: `loopcheck.records`.)"""

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    notes: list[FileError] = field(default_factory=list)
    """Things worth saying that are not failures, such as an empty file."""
    files_checked: int = 0

    def __init__(
        self,
        findings: list[Finding] | None = None,
        errors: list[FileError] | None = None,
        notes: list[FileError] | None = None,
        files_checked: int = 0,
    ) -> None:
        self.findings = [] if findings is None else findings
        self.errors = [] if errors is None else errors
        self.notes = [] if notes is None else notes
        self.files_checked = files_checked


def lint_source(source: str, path: str, rules: Sequence[type[Rule]] | None = None) -> tuple[list[Finding], list[FileError]]:
    """Findings for one source text on its own (no project around it), and errors of rules that crashed."""
    with recursion_limit():
        return check_model(LoopModel(parse(source), path=path, source=Source(path, source)), rules)


def check_model(
    model: LoopModel,
    rules: Sequence[type[Rule]] | None = None,
    path: str | None = None,
    notes: list[FileError] | None = None,
) -> tuple[list[Finding], list[FileError]]:
    """Run the rules over one file's loop model: findings in order, and errors of rules that crashed.
    `path` is how the findings name the file (as the user gave it). Findings a `# noqa` silences
    are dropped (`loopcheck.noqa`); malformed and unused directives are added to `notes`."""
    path = path if path is not None else model.path
    findings: dict[tuple[str, int, int], Finding] = {}
    errors: list[FileError] = []
    if model.foreign_framework or model.is_pytest_file:
        return [], []  # another framework's code; pytest tests exercise code on purpose, they do not train
    if model.missing_import is not None:
        if notes is not None:
            notes.append(FileError(path, (
                f"not analysed: it imports {model.missing_import}, which is not in the project "
                "(importing the file fails: none of its code runs)"
            )))
        return [], []
    rules = rules if rules is not None else select_rules()
    directives = noqa.parse(model.text, [rule.name for rule in select_rules()])
    for rule_class in rules:
        rule = rule_class()
        try:
            for report in rule.check(model):
                finding = _to_finding(rule, report, model, path)
                if model.cannot_reach(finding.line):
                    continue  # a NameError (or a call that cannot bind) ends that code's run first: it never runs
                if not directives.suppresses(finding):
                    findings.setdefault((finding.code, finding.line, finding.column), finding)
        except Exception as error:  # a bug in a rule must not stop the run
            errors.append(FileError(path, f"internal error in rule {rule.code}: {_describe(error)}"))
    failing = _import_that_fails(model) if findings else None
    if failing is not None:
        if notes is not None:
            notes.append(FileError(path, f"not analysed: it imports {failing} (importing the file fails: none of its code runs)"))
        return [], errors
    if notes is not None:
        notes.extend(noqa.notes(directives, model, path, [(rule.code, rule.name) for rule in rules]))
    return sorted(findings.values(), key=lambda f: f.sort_key), errors


def _import_that_fails(model: LoopModel) -> str | None:
    """What a top-level import of the file cannot find, said as the note's reason (asked only of
    files with findings): a name its module does not define, or a module of the project in no
    folder on the path the file sets itself."""
    if model.failing_import is not None:
        return f"{model.failing_import}, which does not define it"
    if model.unreachable_import is not None:
        return f"{model.unreachable_import}, a module of the project in no folder on its sys.path"
    return None


def _to_finding(rule: Rule, report: object, model: LoopModel, path: str) -> Finding:
    where = model.position(report.node)  # type: ignore[attr-defined]
    related = [_related(model, node, note) for node, note in report.related]  # type: ignore[attr-defined]
    through = [_related(model, node, "") for node in report.through]  # type: ignore[attr-defined]
    return Finding(
        path=path,
        line=where.start.line,
        column=where.start.column + 1,
        end_line=where.end.line,
        end_column=where.end.column + 1,
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=report.message,  # type: ignore[attr-defined]
        related=tuple(related),
        through=tuple(through),
    )


def _related(model: LoopModel, node: object, note: str) -> Related:
    """Where a node of this file or of another file of the project is, for a finding to name."""
    other_path, other = model.locate(node)  # type: ignore[arg-type]
    shown = None if other_path == model.path else _shown_path(other_path)
    return Related(other.start.line, other.start.column + 1, note, shown)


def _shown_path(path: str) -> str:
    """Another file of the project, as a user would type it: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _describe(error: Exception) -> str:
    """One line for an internal error: its type and the start of its message."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text[:160]}" if text else type(error).__name__


def _in_notebook(finding: Finding, notebook: NotebookSource) -> Finding:
    """Say which cell a finding is in; line numbers count the code cells' lines joined in order."""
    related = tuple(
        Related(r.line, r.column, f"{r.note} ({notebook.where(r.line)})") if r.path is None else r for r in finding.related
    )
    cell, cell_line = notebook.cells[finding.line - 1] if 1 <= finding.line <= len(notebook.cells) else (None, None)
    return replace(
        finding, message=f"{finding.message} ({notebook.where(finding.line)})", related=related, cell=cell, cell_line=cell_line
    )


def lint_file(
    path: str, rules: Sequence[type[Rule]] | None = None, project: Project | None = None, prefilter: bool = False
) -> LintResult:
    """One file's result. With `prefilter`, a file that cannot hold a finding (`loopcheck.prefilter`)
    is read and checked by CPython's parser but not parsed by libcst nor analysed."""
    return _lint_file(path, rules, project if project is not None else Projects().of(path), prefilter)[0]


def _lint_file(
    path: str, rules: Sequence[type[Rule]] | None, project: Project, prefilter: bool
) -> tuple[LintResult, bool]:
    """The file's result, and whether the pre-filter passed it over."""
    result = LintResult()
    try:
        with recursion_limit():
            if prefilter and _cannot_matter(path, project):
                result.files_checked = 1
                notebook = load(path).notebook
                result.notes.extend(FileError(path, text) for text in (notebook.skipped if notebook else ()))
                return result, True
            model = project.load(path)
            if not model.text.strip():
                skipped = model.source.notebook.skipped if model.source is not None and model.source.notebook else ()
                result.notes.extend(FileError(path, text) for text in skipped or ("empty file, nothing to check",))
                result.files_checked = 1
                return result, False
            findings, errors = check_model(model, rules, path, notes=result.notes)
        result.notes.extend(FileError(path, f"not analysed to the end: {text}") for text in model.budget_notes)
        notebook = model.source.notebook if model.source is not None else None
        if notebook is not None:
            findings = [_in_notebook(finding, notebook) for finding in findings]
            result.notes.extend(FileError(path, text) for text in notebook.skipped)
    except UnreadableFile as error:
        result.errors.append(FileError(path, str(error)))
        return result, False
    except RecursionError:
        result.errors.append(FileError(path, "cannot analyse: expressions nested too deeply (split the expression up)"))
        return result, False
    except Exception as error:  # the model itself failed: report it, keep going
        result.errors.append(FileError(path, f"internal error: {_describe(error)}"))
        return result, False
    result.findings.extend(findings)
    result.errors.extend(errors)
    result.files_checked = 1
    return result, False


def _cannot_matter(path: str, project: Project) -> bool:
    """The pre-filter's verdict, for a file CPython parses cleanly (any other file takes the full
    path, which says what is wrong with it exactly as without the pre-filter)."""
    from loopcheck.prefilter import may_matter
    from loopcheck.source import _python_syntax_error

    try:
        text = load(path).text
    except UnreadableFile:
        return False
    if not text.strip() or may_matter(text, path, project):
        return False
    try:
        return _python_syntax_error(text) is None
    except UnreadableFile:
        return False


FILE_TIME_LIMIT = 120.0
"""Seconds one file may take (`LOOPCHECK_FILE_TIMEOUT` changes it; 0 for no limit). A file takes
about 0.3 ms a line; the limit is there for what no one foresaw, a file that would hang the run."""


class FileTimeout(BaseException):
    """Raised in the analysis of a file that went past the time limit (a BaseException, so that
    no `except Exception` of a rule takes it for a rule's own failure)."""


@dataclass(init=False, repr=False, eq=False)
class _Settings(Value):
    """What a process analysing files needs to know of the run (sent to worker processes). (A
    frozen data class whose __init__ is written out: `loopcheck.records`.)"""

    rules: tuple[type[Rule], ...]
    root: Path | None
    boundary: tuple[Path, ...]
    """The current folder and the folders the run was given: what bounds a project no marker names."""
    prefilter: bool
    record: str | None
    """The cache's folder of records, when what each result depends on is recorded for the cache."""
    files: tuple[str, ...] = ()
    """Every file the run checks (a project whose root no marker names is bounded to them)."""

    def __init__(
        self, rules: tuple[type[Rule], ...], root: Path | None, boundary: tuple[Path, ...], prefilter: bool, record: str | None,
        files: tuple[str, ...] = (),
    ) -> None:
        _set(self, "rules", rules)
        _set(self, "root", root)
        _set(self, "boundary", boundary)
        _set(self, "prefilter", prefilter)
        _set(self, "record", record)
        _set(self, "files", files)


def lint_paths(
    paths: Sequence[str],
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    exclude: Sequence[str] = (),
    root: str | None = None,
    jobs: int = 1,
    cache: bool = False,
    prefilter: bool = True,
    progress: Callable[[int, int], None] | None = None,
    folders: Sequence[str] = (),
) -> LintResult:
    """Check the files under `paths`. Each belongs to a project (the folder `root`, or else found
    from the file: see `loopcheck.project.find_root`); the project's other files are read only
    for what these files use of them, and are not reported on.

    `jobs` > 1 shares the files among that many worker processes (`loopcheck.parallel`); the
    result is the same. `cache` keeps each file's result in `.loopcheck_cache/` (or
    `$LOOPCHECK_CACHE_DIR`) and reuses it while nothing it depends on changed (`loopcheck.cache`).
    `prefilter` passes over files that cannot hold a finding (`loopcheck.prefilter`).
    `progress(done, total)` is called as each file's result comes (for a progress line).
    `folders`: the folders the user named, when `paths` are the files found in them; with the
    folders among `paths`, they bound the projects no marker names (see `locate_root`)."""
    from loopcheck import prefilter as prefilter_module

    rules = select_rules(tuple(select), tuple(ignore))
    files, errors = discover(paths, exclude)
    result = LintResult(errors=list(errors))
    settings = _Settings(
        tuple(rules), Path(root).resolve() if root else None,
        (Path.cwd().resolve(), *(Path(p).resolve() for p in (*folders, *paths) if os.path.isdir(p))),
        prefilter and prefilter_module.enabled(), None, tuple(files),
    )
    results: dict[str, LintResult] = {}
    store: Cache | None = None
    todo: list[str] = files
    stored_as: dict[str, tuple[Path, str]] = {}
    if cache:
        store, todo, stored_as = _from_cache(files, settings, results)
        if store is not None:
            settings = replace(settings, record=str(store.blobs.directory))

    def done(path: str, one: LintResult, dependencies: dict[str, object] | None) -> None:
        results[path] = one
        if progress is not None:
            progress(len(results), len(files))
        if store is not None and dependencies is not None and path in stored_as:
            store.put(path, *stored_as[path], dependencies, one)

    limit = file_time_limit()
    workers = min(jobs, len(todo))
    if workers > 1:
        from loopcheck import parallel

        parallel.run(todo, settings, workers, done, limit)
    else:
        analyse_files(todo, settings, done, time_limit=limit)
    for path in files:
        _merge(result, results[path])
    if store is not None:
        store.prune()  # at most hourly: entries unused for long, of another loopcheck, beyond the size bound
    result.findings = sorted(one_per_bug(result.findings), key=lambda f: f.sort_key)
    return result


def file_time_limit() -> float | None:
    configured = os.environ.get("LOOPCHECK_FILE_TIMEOUT", "").strip()
    try:
        limit = float(configured) if configured else FILE_TIME_LIMIT
    except ValueError:
        limit = FILE_TIME_LIMIT
    return limit if limit > 0 else None


def _from_cache(
    files: list[str], settings: _Settings, results: dict[str, LintResult]
) -> tuple[Cache | None, list[str], dict[str, tuple[Path, str]]]:
    """Results still valid in the cache go to `results`; the files left to analyse, and for each
    the project root and content hash its entry is stored under."""
    from loopcheck.cache import Cache, Hashes, default_directory

    codes = ",".join(rule.code for rule in settings.rules)
    store = Cache(default_directory(), f"{codes}|{settings.root}|{settings.prefilter}")
    if not store.usable:
        return None, files, {}
    hashes = Hashes()
    projects = Projects(settings.root, boundary=settings.boundary, checked=settings.files)
    todo: list[str] = []
    stored_as: dict[str, tuple[Path, str]] = {}
    for path in files:
        project = projects.of(path)
        own = hashes.of(path)
        if own.startswith("unreadable"):
            todo.append(path)  # says why each time; nothing to gain from storing it
            continue
        found = store.get(path, project.root, own, project, hashes)
        if found is not None:
            results[path] = found
        else:
            todo.append(path)
            stored_as[path] = (project.root, own)
    return store, todo, stored_as


class _ProcessState:
    """The projects (their parsed modules) and content hashes a process keeps while it analyses."""

    def __init__(self, settings: _Settings) -> None:
        self.projects = Projects(settings.root, boundary=settings.boundary, checked=settings.files)
        self._hashes: object = None

    @property
    def hashes(self) -> object:
        if self._hashes is None:
            from loopcheck.cache import Hashes  # only a run with the cache needs it

            self._hashes = Hashes()
        return self._hashes


def analyse_files(
    paths: Sequence[str],
    settings: _Settings,
    done: Callable[[str, LintResult, dict[str, object] | None], None],
    started: Callable[[str], None] | None = None,
    time_limit: float | None = None,
    state: _ProcessState | None = None,
) -> None:
    """Analyse files one after another in this process, handing each result to `done` with what it
    depends on (when `settings.record`). The files of a project share its parsed modules, also
    across calls given the same `state` (a worker process keeps one for all its files)."""
    state = state if state is not None else _ProcessState(settings)
    if settings.record:
        from loopcheck.cache import Blobs, Recorder

        blobs = Blobs(Path(settings.record))
    with _no_cycle_collection():
        for path in paths:
            if started is not None:
                started(path)
            project = state.projects.of(path)
            if settings.record and project.observer is None:
                project.observer = Recorder(blobs)
            try:
                with _time_limit(time_limit):
                    one, passed_over = _lint_file(path, settings.rules, project, settings.prefilter)
            except FileTimeout:
                from loopcheck.parallel import timeout_message

                done(path, LintResult(errors=[FileError(path, timeout_message(time_limit or 0))]), None)
                state.projects = Projects(settings.root, boundary=settings.boundary, checked=settings.files)  # models left half built
                continue
            dependencies = None
            if settings.record and not passed_over and isinstance(project.observer, Recorder):
                dependencies = project.observer.dependencies(path, state.hashes)  # type: ignore[arg-type]
            done(path, one, dependencies)


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise FileTimeout in this thread after `seconds` (the main thread of a process whose alarm
    signal is free; elsewhere there is no limit in-process: worker processes are timed by the parent)."""
    import signal
    import threading

    usable = (
        seconds is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    )
    if not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The parsed trees and loop models of a project stay alive for the whole run, and they make
    no garbage cycles: Python's cycle collector would only walk them again and again (a third of
    the run on a large project, measured). Reference counting still frees what the run drops."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _merge(result: LintResult, one: LintResult) -> None:
    result.findings.extend(one.findings)
    result.errors.extend(one.errors)
    result.notes.extend(one.notes)
    result.files_checked += one.files_checked
