"""Which files a run checks: the paths given, directories walked for `*.py` and `*.ipynb`.

Walking a directory skips what is not the user's code: the usual tool folders (`.git`,
`__pycache__`, `build`, ...), every virtual environment (any folder holding `pyvenv.cfg`, or a
conda environment's `conda-meta`), `site-packages` and `dist-packages`, what `.gitignore` files
ignore (inside a git work tree: the `.gitignore` of every folder from the work tree's root down,
and `.git/info/exclude`), and what an exclude glob matches. A file or folder named on the
command line is checked even when a `.gitignore` ignores it or it is a virtual environment (as
ruff does); exclude globs apply to it too. The same file given twice, under two spellings or
through a symbolic link, is checked once.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from loopcheck.finding import FileError
from loopcheck.records import Record, Value, _set

SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "build", "dist", "node_modules", ".tox",
     ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", ".ipynb_checkpoints", ".loopcheck_cache",
     "site-packages", "dist-packages", "__pypackages__", ".history"}
)
"""Never run: version control, caches, environments, and editors' copies of earlier versions
(Jupyter's `.ipynb_checkpoints`, the `.history` of the VS Code Local History extension)."""
SUFFIXES = (".py", ".ipynb")

Excluded = Callable[[Path, bool], bool]
"""Whether a path (a directory when the flag is true) is left out by the configuration."""


@dataclass(init=False, repr=False, eq=False)
class Discovery(Record):
    """The Python files under the paths given, and what the user is told of the paths themselves.
    (A data class whose __init__ is written out: `loopcheck.records`.)"""

    files: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    """Paths given that hold no Python file (after skipping and excluding)."""
    excluded: list[str] = field(default_factory=list)
    """Paths given that an exclude glob left out on purpose."""

    def __init__(
        self,
        files: list[str] | None = None,
        errors: list[FileError] | None = None,
        empty: list[str] | None = None,
        excluded: list[str] | None = None,
    ) -> None:
        self.files = [] if files is None else files
        self.errors = [] if errors is None else errors
        self.empty = [] if empty is None else empty
        self.excluded = [] if excluded is None else excluded


def discover(
    paths: Sequence[str], exclude: Sequence[str] = (), respect_gitignore: bool = False
) -> tuple[list[str], list[FileError]]:
    """Python files under `paths` (sorted, no duplicates), and errors for paths that do not exist.
    The engine's entry (`lint_paths`): .gitignore files are read only when asked, as the command
    line (`loopcheck.api.run`) does."""
    found = discover_paths(paths, exclude, respect_gitignore=respect_gitignore)
    return found.files, found.errors


def discover_paths(
    paths: Sequence[str],
    exclude: Sequence[str] = (),
    excluded: Excluded | None = None,
    respect_gitignore: bool | Callable[[Path], bool] = True,
) -> Discovery:
    """The files to check under `paths`. `exclude` globs match paths as given (relative to the
    current folder); `excluded` is the configuration's own test. `respect_gitignore` may be a
    function of the directory walked."""
    result = Discovery()
    seen: dict[str, str] = {}  # real path -> the path shown

    def add(path: str) -> None:
        real = os.path.realpath(path)
        if real not in seen:
            seen[real] = path

    def left_out(path: Path, is_dir: bool) -> bool:
        return matches_any(path, exclude) or (excluded is not None and excluded(path, is_dir))

    for raw in paths:
        path = Path(raw)
        # a path given inside an excluded folder is excluded too (pre-commit passes single files)
        if left_out(path, path.is_dir()) or any(left_out(parent, True) for parent in _given_parents(path)):
            result.excluded.append(raw)
            continue
        if path.is_symlink() and not path.exists():
            result.errors.append(FileError(raw, "broken symbolic link"))
        elif path.is_dir():
            gitignore = respect_gitignore(path) if callable(respect_gitignore) else respect_gitignore
            count = 0
            for file in _walk(path, left_out, result.errors, GitIgnore.above(path) if gitignore else None):
                add(file)
                count += 1
            if count == 0:
                result.empty.append(raw)
        elif path.is_file():
            add(str(path))
        elif path.exists():  # a FIFO, a device such as /dev/null, a socket: reading it would hang or never end
            result.errors.append(FileError(raw, "not a regular file"))
        else:
            result.errors.append(FileError(raw, "no such file or directory"))
    result.files = sorted(seen.values())
    return result


def _given_parents(path: Path) -> list[Path]:
    """The folders a given path names above it (`a/b/c.py`: `a/b`, `a`), not `.` or the root; of
    an absolute path only those below the current folder (a glob must not match where the
    project happens to live)."""
    if path.is_absolute():
        try:
            relative = path.relative_to(Path.cwd())
        except ValueError:
            return []
        return [Path.cwd() / parent for parent in relative.parents if parent.name not in ("", ".", "..")]
    return [parent for parent in path.parents if parent.name not in ("", ".", "..")]


def is_environment(directory: Path) -> bool:
    """A virtual environment (`pyvenv.cfg`, whatever its name) or a conda environment."""
    return (directory / "pyvenv.cfg").is_file() or (directory / "conda-meta").is_dir()


def is_skipped_directory(name: str) -> bool:
    return name in SKIPPED_DIRECTORIES or name.endswith(".egg-info")


def _walk(root: Path, left_out: Excluded, errors: list[FileError], gitignore: GitIgnore | None) -> Iterable[str]:
    def failed(error: OSError) -> None:
        errors.append(FileError(str(error.filename), error.strerror or str(error)))

    for directory, dirnames, filenames in os.walk(root, onerror=failed):
        here = Path(directory)
        if gitignore is not None:
            gitignore.enter(here)
        kept = []
        for name in sorted(dirnames):
            sub = here / name
            if is_skipped_directory(name) or is_environment(sub) or left_out(sub, True):
                continue
            if gitignore is not None and gitignore.ignored(sub, True):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.endswith(SUFFIXES):
                continue
            path = here / name
            if left_out(path, False) or (gitignore is not None and gitignore.ignored(path, False)):
                continue
            if path.is_symlink() and not path.exists():
                errors.append(FileError(str(path), "broken symbolic link"))
                continue
            yield str(path)


def matches(path: Path, pattern: str) -> bool:
    """An exclude glob against a path: the whole path, its last name, or a tail of it."""
    if not pattern or path.name in ("", ".", ".."):
        # an empty glob (an unset variable in `--exclude "$SKIP"`) matches no path; `.`, `..`, `/`
        # name a folder by where it is, not by a name a glob could mean
        return False
    text = path.as_posix()
    return fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(path.name, pattern) or fnmatch.fnmatch(text, f"*/{pattern}")


def matches_any(path: Path, patterns: Sequence[str]) -> bool:
    return any(matches(path, pattern) for pattern in patterns)


# --- .gitignore -----------------------------------------------------------------------------


@dataclass(init=False, repr=False, eq=False)
class _Pattern(Value):
    """One line of a `.gitignore`, as a regular expression over a relative path."""

    regex: re.Pattern[str]
    negated: bool
    directory_only: bool

    def __init__(self, regex: re.Pattern[str], negated: bool, directory_only: bool) -> None:
        _set(self, "regex", regex)
        _set(self, "negated", negated)
        _set(self, "directory_only", directory_only)


def _translate(glob: str) -> str:
    """A gitignore glob as a regular expression over a `/`-separated relative path."""
    out, i, n = [], 0, len(glob)
    while i < n:
        char = glob[i]
        if char == "*":
            if glob.startswith("**", i) and (i == 0 or glob[i - 1] == "/"):
                after = glob[i + 2 : i + 3]
                if after == "/":  # `**/`: any folders, none included
                    out.append("(?:.*/)?")
                    i += 3
                    continue
                if after == "":  # a trailing `/**`: everything inside
                    out.append(".*")
                    i += 2
                    continue
            while i < n and glob[i] == "*":
                i += 1
            out.append("[^/]*")
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            end = i + 1
            if end < n and glob[end] in "!^":
                end += 1
            if end < n and glob[end] == "]":
                end += 1
            while end < n and glob[end] != "]":
                end += 1
            if end >= n:
                out.append(re.escape(char))
            else:
                body = glob[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def parse_gitignore(text: str) -> list[_Pattern]:
    """The patterns of one `.gitignore` (gitignore(5)): comments, `!` negation, a trailing `/` for
    directories only, a `/` at the start or in the middle to anchor at the file's folder, `**`."""
    patterns = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"(?<!\\)\s+$", "", line)  # trailing spaces unless escaped
        if line.endswith("\\ "):
            line = line[:-2] + " "
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        elif line.startswith("\\!") or line.startswith("\\#"):
            line = line[1:]
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        body = _translate(line)
        regex = re.compile(body if anchored else f"(?:.*/)?{body}", re.DOTALL)
        patterns.append(_Pattern(regex, negated, directory_only))
    return patterns


class GitIgnore:
    """The `.gitignore` files of one git work tree, read as the walk enters each folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[Path, list[_Pattern]] = {}
        info = root / ".git" / "info" / "exclude"
        self._files[root / ".git" / "info"] = self._read(info)

    @classmethod
    def above(cls, path: Path) -> GitIgnore | None:
        """The work tree `path` is in (the nearest folder above with `.git`), its .gitignore files
        from the top down to `path` read; None outside a work tree."""
        start = Path(os.path.abspath(path))
        for directory in (start, *start.parents):
            if (directory / ".git").exists():
                ignore = cls(directory)
                for folder in reversed((start, *start.parents)):
                    if folder == directory or directory in folder.parents:
                        ignore.enter(folder)
                return ignore
        return None

    @staticmethod
    def _read(path: Path) -> list[_Pattern]:
        try:
            return parse_gitignore(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return []

    def enter(self, directory: Path) -> None:
        directory = Path(os.path.abspath(directory))
        if directory not in self._files:
            self._files[directory] = self._read(directory / ".gitignore")

    def ignored(self, path: Path, is_dir: bool) -> bool:
        path = Path(os.path.abspath(path))
        verdict = False
        # `.git/info/exclude` first (lowest precedence), then each folder's .gitignore from the top down
        bases = [(self.root, self._files.get(self.root / ".git" / "info", []))]
        for folder in reversed(path.parents):
            if folder == self.root or self.root in folder.parents:
                bases.append((folder, self._files.get(folder, [])))
        for base, patterns in bases:
            relative = path.relative_to(base).as_posix()
            for pattern in patterns:
                if pattern.directory_only and not is_dir:
                    continue
                if pattern.regex.fullmatch(relative):
                    verdict = not pattern.negated
        return verdict
