"""Discover files, run the pipeline on each (read → parse → loop model → rules), collect results.

A bad file or a crashing rule becomes a FileError for that file; the run always goes on.
"""
from __future__ import annotations

import ast
import fnmatch
import io
import os
import re
import sys
import tokenize
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import libcst as cst

from loopcheck.finding import FileError, Finding, Related
from loopcheck.model import LoopModel
from loopcheck.notebook import NotebookSource, NotNotebook, notebook_source
from loopcheck.rules import Rule, select_rules

SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "build", "dist", "node_modules", ".tox",
     ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", ".ipynb_checkpoints"}
)
RECURSION_LIMIT = 6000
MAX_FILE_BYTES = 10 * 1024 * 1024
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    notes: list[FileError] = field(default_factory=list)
    """Things worth saying that are not failures, such as an empty file."""
    files_checked: int = 0


class UnreadableFile(Exception):
    """A file loopcheck cannot analyse; the message says why, for the user."""


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
        else:
            errors.append(FileError(raw, "no such file or directory"))
    return sorted(dict.fromkeys(files)), errors


def _walk(root: Path, exclude: Sequence[str], errors: list[FileError]) -> Iterable[str]:
    for directory, dirnames, filenames in os.walk(root, onerror=lambda e: errors.append(FileError(e.filename, e.strerror or str(e)))):
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIPPED_DIRECTORIES and not d.endswith(".egg-info") and not _excluded(Path(directory, d), exclude)
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
    text = path.as_posix()
    return any(
        fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(path.name, pattern) or fnmatch.fnmatch(text, f"*/{pattern}")
        for pattern in patterns
    )


def read_source(path: str) -> str:
    """The file's text; raises UnreadableFile with a reason a user can act on."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(f"file is too large ({_size(size)}; the limit is {_size(MAX_FILE_BYTES)})")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise UnreadableFile(error.strerror or str(error)) from None
    if b"\0" in data:
        raise UnreadableFile("binary file (contains NUL bytes), not Python source")
    try:
        # Honour a PEP 263 `# -*- coding: latin-1 -*-` line as Python does; UTF-8 otherwise.
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # no usable declaration: decoding as UTF-8 says where the bad byte is
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableFile(
            f"not {name} (invalid byte on line {line}); save it as UTF-8 or declare its encoding"
        ) from None


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MiB" if count >= 2**20 else f"{count} bytes"


def parse(source: str) -> cst.Module:
    python_error = _python_syntax_error(source)
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        if python_error is not None:  # CPython says "expected ':'" where libcst lists every token
            raise UnreadableFile(
                f"cannot parse: line {python_error.lineno}, column {python_error.offset}: {python_error.msg}"
            ) from None
        message = str(error.message).strip().splitlines()[0] if error.message else "syntax error"
        raise UnreadableFile(f"cannot parse: line {error.raw_line}, column {error.raw_column + 1}: {message}") from None
    except RecursionError:
        raise UnreadableFile("cannot parse: nesting too deep") from None


def _python_syntax_error(source: str) -> SyntaxError | None:
    """CPython's own verdict on the source, which libcst must not be asked about on deep nesting.

    libcst's native parser overflows the C stack (the process dies, no exception) on nesting
    CPython refuses too, and CPython's parser fails cleanly, so it goes first. Its other syntax
    errors are returned, not raised: libcst knows newer grammar than the running Python may.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
            ast.parse(source)
    except (RecursionError, MemoryError):
        raise UnreadableFile("cannot parse: nesting too deep") from None
    except SyntaxError as error:
        if error.msg == "too many nested parentheses":
            raise UnreadableFile(f"cannot parse: line {error.lineno}: too many nested parentheses") from None
        return error
    return None


def lint_source(source: str, path: str, rules: Sequence[type[Rule]] | None = None) -> tuple[list[Finding], list[FileError]]:
    """Findings for one source text, and errors of rules that crashed on it."""
    module = parse(source)
    model = LoopModel(module)
    findings: dict[tuple[str, int, int], Finding] = {}
    errors: list[FileError] = []
    lines = source.splitlines()
    for rule_class in rules if rules is not None else select_rules():
        rule = rule_class()
        try:
            for report in rule.check(model):
                finding = _to_finding(rule, report, model, path)
                if not _suppressed(finding, lines):
                    findings.setdefault((finding.code, finding.line, finding.column), finding)
        except Exception as error:  # a bug in a rule must not stop the run
            errors.append(FileError(path, f"internal error in rule {rule.code}: {type(error).__name__}: {error}"))
    return sorted(findings.values(), key=lambda f: f.sort_key), errors


def _to_finding(rule: Rule, report: object, model: LoopModel, path: str) -> Finding:
    where = model.position(report.node)  # type: ignore[attr-defined]
    related = []
    for node, note in report.related:  # type: ignore[attr-defined]
        other = model.position(node)
        related.append(Related(other.start.line, other.start.column + 1, note))
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


@contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    """Long operator chains (a 1,000-term sum) are legal Python; give the tree walks room for them."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def lint_file(path: str, rules: Sequence[type[Rule]] | None = None) -> LintResult:
    result = LintResult()
    try:
        source = read_source(path)
        if not source.strip():
            result.notes.append(FileError(path, "empty file, nothing to check"))
            result.files_checked = 1
            return result
        notebook = None
        if path.endswith(".ipynb"):
            notebook = notebook_source(source)
            source = notebook.source
        with _recursion_limit(RECURSION_LIMIT):
            try:
                findings, errors = lint_source(source, path, rules)
            except UnreadableFile as error:
                if notebook is None:
                    raise
                line = re.search(r"line (\d+)", str(error))
                raise UnreadableFile(f"{error} ({notebook.where(int(line.group(1)))})" if line else str(error)) from None
        if notebook is not None:
            findings = [_in_notebook(finding, notebook) for finding in findings]
    except (UnreadableFile, NotNotebook) as error:
        result.errors.append(FileError(path, str(error)))
        return result
    except RecursionError:
        result.errors.append(FileError(path, "cannot analyse: expressions nested too deeply (split the expression up)"))
        return result
    except Exception as error:  # the model itself failed: report it, keep going
        result.errors.append(FileError(path, f"internal error: {type(error).__name__}: {error}"))
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
) -> LintResult:
    rules = select_rules(tuple(select), tuple(ignore))
    files, errors = discover(paths, exclude)
    result = LintResult(errors=list(errors))
    for path in files:
        one = lint_file(path, rules)
        result.findings.extend(one.findings)
        result.errors.extend(one.errors)
        result.notes.extend(one.notes)
        result.files_checked += one.files_checked
    result.findings.sort(key=lambda f: f.sort_key)
    return result
