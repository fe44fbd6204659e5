"""Discover files, run the pipeline on each (read → parse → loop model → rules), collect results.

A bad file or a crashing rule becomes a FileError for that file; the run always goes on.
"""
from __future__ import annotations

import fnmatch
import gc
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from loopcheck.finding import FileError, Finding, Related, one_per_bug
from loopcheck.model import LoopModel
from loopcheck.notebook import NotebookSource
from loopcheck.project import Project, Projects, is_skipped_directory
from loopcheck.rules import Rule, select_rules
from loopcheck.source import (  # noqa: F401  (read_source and parse are part of the engine's API)
    MAX_FILE_BYTES,
    Source,
    UnreadableFile,
    parse,
    read_source,
    recursion_limit,
)

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    notes: list[FileError] = field(default_factory=list)
    """Things worth saying that are not failures, such as an empty file."""
    files_checked: int = 0


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> tuple[list[str], list[FileError]]:
    """Python files under `paths` (sorted, no duplicates), and errors for paths that do not exist."""
    files: list[str] = []
    errors: list[FileError] = []
    for raw in paths:
        path = Path(raw)
        if _excluded(path, exclude):
            continue
        if path.is_symlink() and not path.exists():
            errors.append(FileError(raw, "broken symbolic link"))
        elif path.is_dir():
            files.extend(_walk(path, exclude, errors))
        elif path.is_file():
            files.append(str(path))
        elif path.exists():  # a FIFO, a device such as /dev/null, a socket: reading it would hang or never end
            errors.append(FileError(raw, "not a regular file"))
        else:
            errors.append(FileError(raw, "no such file or directory"))
    return sorted(dict.fromkeys(files)), errors


def _walk(root: Path, exclude: Sequence[str], errors: list[FileError]) -> Iterable[str]:
    for directory, dirnames, filenames in os.walk(root, onerror=lambda e: errors.append(FileError(e.filename, e.strerror or str(e)))):
        dirnames[:] = sorted(
            d for d in dirnames
            if not is_skipped_directory(d) and not _excluded(Path(directory, d), exclude)
        )
        for name in sorted(filenames):
            if not name.endswith((".py", ".ipynb")):
                continue
            path = Path(directory, name)
            if _excluded(path, exclude):
                continue
            if path.is_symlink() and not path.exists():
                errors.append(FileError(str(path), "broken symbolic link"))
                continue
            yield str(path)


def _excluded(path: Path, patterns: Sequence[str]) -> bool:
    if path.name in ("", ".", ".."):
        return False  # `.`, `..`, `/` name a folder by where it is, not by a name a glob could mean
    text = path.as_posix()
    return any(
        pattern  # an empty glob (an unset variable in `--exclude "$SKIP"`) matches no path
        and (fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(path.name, pattern) or fnmatch.fnmatch(text, f"*/{pattern}"))
        for pattern in patterns
    )


def lint_source(source: str, path: str, rules: Sequence[type[Rule]] | None = None) -> tuple[list[Finding], list[FileError]]:
    """Findings for one source text on its own (no project around it), and errors of rules that crashed."""
    with recursion_limit():
        return check_model(LoopModel(parse(source), path=path, source=Source(path, source)), rules)


def check_model(
    model: LoopModel, rules: Sequence[type[Rule]] | None = None, path: str | None = None
) -> tuple[list[Finding], list[FileError]]:
    """Run the rules over one file's loop model: findings in order, and errors of rules that crashed.
    `path` is how the findings name the file (as the user gave it)."""
    path = path if path is not None else model.path
    findings: dict[tuple[str, int, int], Finding] = {}
    errors: list[FileError] = []
    if model.foreign_framework or model.is_pytest_file:
        return [], []  # another framework's code; pytest tests exercise code on purpose, they do not train
    lines = _lines(model)
    for rule_class in rules if rules is not None else select_rules():
        rule = rule_class()
        try:
            for report in rule.check(model):
                finding = _to_finding(rule, report, model, path)
                if not _suppressed(finding, lines):
                    findings.setdefault((finding.code, finding.line, finding.column), finding)
        except Exception as error:  # a bug in a rule must not stop the run
            errors.append(FileError(path, f"internal error in rule {rule.code}: {_describe(error)}"))
    return sorted(findings.values(), key=lambda f: f.sort_key), errors


def _to_finding(rule: Rule, report: object, model: LoopModel, path: str) -> Finding:
    where = model.position(report.node)  # type: ignore[attr-defined]
    related = []
    for node, note in report.related:  # type: ignore[attr-defined]
        other_path, other = model.locate(node)
        shown = None if other_path == model.path else _shown_path(other_path)
        related.append(Related(other.start.line, other.start.column + 1, note, shown))
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
    )


def _shown_path(path: str) -> str:
    """Another file of the project, as a user would type it: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _describe(error: Exception) -> str:
    """One line for an internal error: its type and the start of its message."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text[:160]}" if text else type(error).__name__


def _lines(model: LoopModel) -> list[str]:
    """The file's lines, split where Python splits them (not at form feeds or U+2028)."""
    return re.split(r"\r\n|\r|\n", model.text)


def _suppressed(finding: Finding, lines: list[str]) -> bool:
    if finding.line - 1 >= len(lines):
        return False
    match = _NOQA.search(lines[finding.line - 1])
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or finding.code in re.split(r"[,\s]+", codes.upper())


def _in_notebook(finding: Finding, notebook: NotebookSource) -> Finding:
    """Say which cell a finding is in; line numbers count the code cells' lines joined in order."""
    related = tuple(
        Related(r.line, r.column, f"{r.note} ({notebook.where(r.line)})") for r in finding.related
    )
    return replace(finding, message=f"{finding.message} ({notebook.where(finding.line)})", related=related)


def lint_file(path: str, rules: Sequence[type[Rule]] | None = None, project: Project | None = None) -> LintResult:
    result = LintResult()
    project = project if project is not None else Projects().of(path)
    try:
        with recursion_limit():
            model = project.load(path)
            if not model.text.strip():
                skipped = model.source.notebook.skipped if model.source is not None and model.source.notebook else ()
                result.notes.extend(FileError(path, text) for text in skipped or ("empty file, nothing to check",))
                result.files_checked = 1
                return result
            findings, errors = check_model(model, rules, path)
        result.notes.extend(FileError(path, f"not analysed to the end: {text}") for text in model.budget_notes)
        notebook = model.source.notebook if model.source is not None else None
        if notebook is not None:
            findings = [_in_notebook(finding, notebook) for finding in findings]
            result.notes.extend(FileError(path, text) for text in notebook.skipped)
    except UnreadableFile as error:
        result.errors.append(FileError(path, str(error)))
        return result
    except RecursionError:
        result.errors.append(FileError(path, "cannot analyse: expressions nested too deeply (split the expression up)"))
        return result
    except Exception as error:  # the model itself failed: report it, keep going
        result.errors.append(FileError(path, f"internal error: {_describe(error)}"))
        return result
    result.findings.extend(findings)
    result.errors.extend(errors)
    result.files_checked = 1
    return result


def lint_paths(
    paths: Sequence[str],
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    exclude: Sequence[str] = (),
    root: str | None = None,
) -> LintResult:
    """Check the files under `paths`. Each belongs to a project (the folder `root`, or else found
    from the file: see `loopcheck.project.find_root`); the project's other files are read only
    for what these files use of them, and are not reported on."""
    rules = select_rules(tuple(select), tuple(ignore))
    files, errors = discover(paths, exclude)
    result = LintResult(errors=list(errors))
    projects = Projects(Path(root).resolve() if root else None, boundary=Path.cwd().resolve())
    with _no_cycle_collection():
        for path in files:
            _merge(result, lint_file(path, rules, projects.of(path)))
    result.findings = sorted(one_per_bug(result.findings), key=lambda f: f.sort_key)
    return result


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
