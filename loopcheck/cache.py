"""Per-file results kept between runs, in `.loopcheck_cache/` (or `$LOOPCHECK_CACHE_DIR`).

One entry per file checked, named by the run's settings and the file's path: loopcheck's version
and a fingerprint of its own code, the Python and libcst versions, the rules selected, the
project root, the current folder (related locations are shown relative to it) and the path as
given. The entry holds the file's content hash, its result, and everything the result was
computed from besides the file itself, as recorded while the file was analysed (`Recorder`):
every project file whose loop model it used, and the files those models used in turn (import
and caller edges, followed to the end), each with

- its content hash, and
- the record of the questions its model asked the project: each import and the file it resolved
  to (a new module in the way changes the answer), each "which files call `f` and import this
  module" and each "which files derive a class from `C` and import this module" and its answer,
  found from the texts; plus the project-wide "does any file match this
  pattern" questions and their answers, and the PyTorch version each folder asked about states in
  its readme, requirements or setup files (files that are not Python: only the question records
  them).

Records are shared by the entries (stored once, named by their content). An entry is used only
when every hash is the same and every question still gets the same answer, checked without
parsing anything; so a changed helper file invalidates the files whose results used it, and only
those. Writes go to a temporary file then `os.replace`; an entry or record that cannot be read, is
malformed or does not match its name is a miss, never an error. A `.gitignore` holding `*` keeps
the folder out of git, as ruff does.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loopcheck.engine import LintResult
    from loopcheck.project import Project

CACHE_DIR_NAME = ".loopcheck_cache"
ENV_DIR = "LOOPCHECK_CACHE_DIR"
FORMAT = 1
DAY = 24 * 3600.0
MAX_UNUSED = 30 * DAY
"""An entry or record no run used for this long is removed (ruff keeps a file's entry 30 days)."""
OTHER_CODE_UNUSED = DAY
"""An entry written by another loopcheck (another version, or its code changed since), or a folder
of another cache format, is removed once no run used it for this long: a day, so that two
installations sharing a folder (a pre-commit hook and a virtual environment) keep theirs."""
MAX_BYTES = 256 * 2**20
"""Beyond this size the least recently used entries and records go first, down to three quarters."""
PRUNE_EVERY = 3600.0
"""Seconds between two prunings of one cache folder (a pruning lists the folder: a few ms)."""
_STAMP = "last-pruned"
_OURS = ("# Automatically created by loopcheck.", "# loopcheck's cache.")


class Recorder:
    """A project's observer: the questions its loop models asked, by the file that asked them.

    The questions of one asking file are stored once, as a content-addressed record in the cache
    folder (`Blobs`); an entry names, for each file its result depends on, the file's content hash
    and the record of its questions. (Loop models keep what they computed, so a model reached from
    the analysed file may answer from a question it asked while another file was analysed: edges
    are kept for the whole run, and the records are taken as they stand when the entry is made.)"""

    def __init__(self, blobs: Blobs) -> None:
        self._blobs = blobs
        self._queries: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
        self._edges: dict[str, set[str]] = defaultdict(set)
        self._version: dict[str, int] = defaultdict(int)
        self._mentions: dict[str, bool] = {}
        self._declared: dict[str, list[int] | None] = {}
        self._written: dict[tuple[str, int], str] = {}
        self._real: dict[str, str] = {}

    def _key(self, path: str) -> str:
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path)
        return real

    def _add(self, asker: str, query: tuple[Any, ...], reached: list[str]) -> None:
        key = self._key(asker)
        queries = self._queries[key]
        if query not in queries:
            queries.add(query)
            self._version[key] += 1
            self._edges[key].update(self._key(path) for path in reached)

    # ProjectObserver
    def module(self, importer: str, dotted: str, level: int, path: str | None) -> None:
        self._add(importer, ("module", importer, dotted, level, path), [path] if path is not None else [])

    def callers(self, name: str, besides: str, paths: list[str]) -> None:
        self._add(besides, ("callers", name, besides, tuple(paths)), paths)

    def deriving(self, name: str, besides: str, paths: list[str]) -> None:
        self._add(besides, ("deriving", name, besides, tuple(paths)), paths)

    def named(self, dotted: str, besides: str, paths: list[str]) -> None:
        self._add(besides, ("named", dotted, besides, tuple(paths)), paths)

    def mentions(self, pattern: str, found: bool) -> None:
        if pattern not in self._mentions:
            self._mentions[pattern] = found
            self._version[""] += 1

    def declared_torch(self, folder: str, version: tuple[int, int] | None) -> None:
        if folder not in self._declared:
            self._declared[folder] = list(version) if version is not None else None
            self._version[""] += 1

    def dependencies(self, path: str, hashes: Hashes) -> dict[str, Any]:
        """For the cache entry of `path`: every file reached from it by the recorded import and
        caller edges (itself included), each with its content hash and the record of its questions;
        and the record of the project-wide pattern questions. Records are written as needed."""
        start = self._key(path)
        seen = {start}
        todo = [start]
        while todo:
            for other in self._edges.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return {
            "files": {other: [hashes.of(other), self._record(other)] for other in sorted(seen)},
            "mentions": self._record(""),
        }

    def _record(self, asker: str) -> str:
        version = self._version.get(asker, 0)
        known = self._written.get((asker, version))
        if known is None:
            if asker:
                data: list[Any] = sorted((list(query) for query in self._queries.get(asker, ())), key=repr)
            else:
                data = sorted([pattern, found] for pattern, found in self._mentions.items())
                data += sorted((["torch", folder, version] for folder, version in self._declared.items()), key=repr)
            known = self._written[(asker, version)] = self._blobs.put(data)
        return known


class Blobs:
    """Content-addressed records (JSON) under the cache folder, written once, read once per run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._checked: dict[str, bool] = {}

    def put(self, data: Any) -> str:
        text = json.dumps(data, separators=(",", ":"))
        name = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        target = self.directory / f"{name}.json"
        if not target.exists():
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                _write_atomically(target, text)
            except OSError:
                pass  # the entry that names it will be a miss
        return name

    def holds(self, name: str, project: Project) -> bool:
        """Do the questions of this record still get the answers it holds?"""
        known = self._checked.get(name)
        if known is None:
            known = self._checked[name] = self._holds(name, project)
        return known

    def _holds(self, name: str, project: Project) -> bool:
        try:
            with open(self.directory / f"{name}.json", encoding="utf-8") as handle:
                text = handle.read()
            if hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest() != name:
                return False  # damaged: a record is named by its content
            _touch(self.directory / f"{name}.json")
            for query in json.loads(text):
                if len(query) == 2:  # a pattern and whether some file of the project matches it
                    if project.mentions(query[0]) != query[1]:
                        return False
                elif query[0] == "torch":  # the PyTorch version a folder's readme or requirements state
                    _, folder, version = query
                    stated = project.declared_torch(folder)
                    if (list(stated) if stated is not None else None) != version:
                        return False
                elif query[0] == "module":
                    _, importer, dotted, level, resolved = query
                    if project.resolve(importer, dotted, level) != resolved:
                        return False
                elif query[0] == "callers":
                    _, name_, besides, paths = query
                    if project.caller_paths(name_, besides) != paths:
                        return False
                elif query[0] == "deriving":
                    _, name_, besides, paths = query
                    if project.deriving_paths(name_, besides) != paths:
                        return False
                elif query[0] == "named":
                    _, dotted, besides, paths = query
                    if project.modules_named(dotted) != paths:
                        return False
                else:
                    return False
        except Exception:  # missing, unreadable, malformed: the entry is a miss
            return False
        return True


class Hashes:
    """Content hashes of files, each read once per run."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    def of(self, path: str) -> str:
        known = self._known.get(path)
        if known is None:
            from loopcheck.source import UnreadableFile, load

            try:
                known = text_hash(load(path).text)
            except UnreadableFile as error:
                known = f"unreadable: {error}"
            self._known[path] = known
        return known


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _code_fingerprint() -> str:
    """loopcheck's version and its own source files (size and time of change): a changed rule
    invalidates every entry even when the version number stays."""
    import libcst

    from loopcheck import __version__

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT}|{__version__}|{sys.version_info[:3]}|{getattr(libcst, '__version__', '?')}".encode())
    package = Path(__file__).resolve().parent
    for directory, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                info = os.stat(os.path.join(directory, name))
                digest.update(f"{os.path.relpath(os.path.join(directory, name), package)}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def default_directory() -> Path:
    configured = os.environ.get(ENV_DIR)
    return Path(configured) if configured else Path.cwd() / CACHE_DIR_NAME


class Cache:
    """The entries of one run's settings under one cache folder."""

    def __init__(self, directory: Path, settings: str) -> None:
        self.directory = directory
        code = _code_fingerprint()
        self._code = code[:12]
        """Begins the name of every entry: entries of another loopcheck code are told by name."""
        self._prefix = f"{code}|{settings}|{os.getcwd()}"
        self._entries = directory / f"v{FORMAT}"
        self.blobs = Blobs(self._entries / "records")
        self.usable = self._prepare()

    def _prepare(self) -> bool:
        try:
            self._entries.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Automatically created by loopcheck.\n*\n", encoding="utf-8")
            tag = self.directory / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# loopcheck's cache.\n", encoding="utf-8")
        except OSError:
            return False  # a read-only folder: run without a cache
        return True

    def _name(self, path: str, root: Path) -> Path:
        key = hashlib.blake2b(f"{self._prefix}|{root}|{path}".encode("utf-8", "surrogatepass"), digest_size=16)
        return self._entries / f"{self._code}-{key.hexdigest()}.json"

    def get(self, path: str, root: Path, own_hash: str, project: Project, hashes: Hashes) -> LintResult | None:
        """The stored result of `path` when nothing it was computed from has changed."""
        if not self.usable:
            return None
        name = self._name(path, root)
        try:
            with open(name, encoding="utf-8") as handle:
                entry = json.load(handle)
            if entry["text"] != own_hash:
                return None
            for other, (expected, record) in entry["files"].items():
                if hashes.of(other) != expected or not self.blobs.holds(record, project):
                    return None
            if not self.blobs.holds(entry["mentions"], project):
                return None
            result = _result_from_json(entry["result"])
        except Exception:  # missing, unreadable, half-written by a killed run, from another format: a miss
            return None
        _touch(name)  # used: its time of change is when a run last used it (see `prune`)
        return result

    def put(self, path: str, root: Path, own_hash: str, dependencies: dict[str, Any], result: LintResult) -> None:
        """Store a result; `dependencies` is `Recorder.dependencies`, made where the file was analysed."""
        if not self.usable:
            return
        entry = {"text": own_hash, **dependencies, "result": _result_to_json(result)}
        try:
            _write_atomically(self._name(path, root), json.dumps(entry, separators=(",", ":")))
        except (OSError, ValueError):
            pass  # a full disk or a vanished folder costs the next run time, not this run's result


    def prune(self, now: float | None = None) -> list[Path]:
        """Remove what no run is likely to use again, at most once every PRUNE_EVERY seconds per
        folder: entries and records unused for MAX_UNUSED; entries of another loopcheck code, and
        folders of another cache format, unused for OTHER_CODE_UNUSED; temporary files left by a
        killed run; then, beyond MAX_BYTES, the least recently used first. A run touches each
        entry and record it uses, so their time of change says when they were last used. What
        is removed only costs a later run time: an entry whose record is gone is a miss."""
        if not self.usable:
            return []
        now = time.time() if now is None else now
        stamp = self._entries / _STAMP
        try:
            if now - stamp.stat().st_mtime < PRUNE_EVERY:
                return []
        except OSError:
            pass
        try:
            stamp.touch()
        except OSError:
            return []
        removed: list[Path] = []
        kept: list[tuple[float, int, Path]] = []
        for folder, entries in ((self._entries, True), (self.blobs.directory, False)):
            try:
                listing = list(os.scandir(folder))
            except OSError:
                continue
            for item in listing:
                if not item.name.endswith(".json") or not item.is_file(follow_symlinks=False):
                    continue
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                age = now - info.st_mtime
                stale = age > MAX_UNUSED or (item.name.startswith(".tmp-") and age > 3600)
                if entries and not item.name.startswith(f"{self._code}-") and age > OTHER_CODE_UNUSED:
                    stale = True
                if stale:
                    removed += _remove(Path(item.path))
                else:
                    kept.append((info.st_mtime, info.st_size, Path(item.path)))
        total = sum(size for _, size, _ in kept)
        if total > MAX_BYTES:
            for _, size, path in sorted(kept, key=lambda item: item[0]):
                if total <= MAX_BYTES * 3 // 4:
                    break
                if _remove(path):
                    removed.append(path)
                    total -= size
        try:
            others = [item for item in os.scandir(self.directory) if item.is_dir(follow_symlinks=False)]
        except OSError:
            others = []
        for item in others:
            if re.fullmatch(r"v\d+", item.name) and item.name != f"v{FORMAT}":
                try:
                    if now - item.stat(follow_symlinks=False).st_mtime > OTHER_CODE_UNUSED:
                        shutil.rmtree(item.path, ignore_errors=True)
                        removed.append(Path(item.path))
                except OSError:
                    pass
        return removed


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache: it is used, not pruned


def _remove(path: Path) -> list[Path]:
    try:
        path.unlink()
    except OSError:
        return []
    return [path]


def clean(directory: Path) -> bool:
    """Remove a cache folder: what loopcheck put in it (its format folders, `.gitignore` and
    `CACHEDIR.TAG`), then the folder itself if that left it empty. A folder that holds none of it
    (a `LOOPCHECK_CACHE_DIR` naming some other folder) is left alone. Whether something was removed."""
    removed = False
    try:
        listing = list(os.scandir(directory))
    except OSError:
        return False
    for item in listing:
        if re.fullmatch(r"v\d+", item.name) and item.is_dir(follow_symlinks=False):
            shutil.rmtree(item.path, ignore_errors=True)
            removed = True
        elif item.name in (".gitignore", "CACHEDIR.TAG") and item.is_file(follow_symlinks=False):
            try:
                with open(item.path, encoding="utf-8", errors="replace") as handle:
                    ours = any(line.strip() in _OURS for line in handle.read(4096).splitlines())
                if ours:
                    os.unlink(item.path)
                    removed = True
            except OSError:
                pass
    if removed:
        try:
            directory.rmdir()
        except OSError:
            pass  # something else lives there
    return removed


def caches_under(folder: Path) -> list[Path]:
    """The `.loopcheck_cache` folders in `folder` and its subfolders (a run keeps its cache in the
    current folder, so one may have been made in any of them), version control and virtual
    environments left out, in the order of a walk by name."""
    from loopcheck.discovery import is_skipped_directory

    found: list[Path] = []
    for directory, dirnames, _ in os.walk(folder):
        if CACHE_DIR_NAME in dirnames:
            found.append(Path(directory, CACHE_DIR_NAME))
        dirnames[:] = sorted(d for d in dirnames if not is_skipped_directory(d) and not d.startswith("."))
    return found


def _write_atomically(target: Path, text: str) -> None:
    import tempfile

    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="surrogatepass") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _result_to_json(result: LintResult) -> dict[str, Any]:
    def plain(item: Any) -> dict[str, Any]:
        values = {f.name: getattr(item, f.name) for f in fields(item)}
        for name in ("related", "through"):
            if name in values:
                values[name] = [plain(related) for related in values[name]]
        return values

    return {
        "findings": [plain(f) for f in result.findings],
        "errors": [plain(e) for e in result.errors],
        "notes": [plain(n) for n in result.notes],
        "files_checked": result.files_checked,
    }


def _result_from_json(data: dict[str, Any]) -> LintResult:
    from loopcheck.engine import LintResult
    from loopcheck.finding import FileError, Finding, Related

    findings = []
    for values in data["findings"]:
        values["related"] = tuple(Related(**related) for related in values["related"])
        values["through"] = tuple(Related(**related) for related in values.get("through", ()))
        finding = Finding(**values)
        if not all(isinstance(n, int) for n in (finding.line, finding.column, finding.end_line, finding.end_column)):
            raise ValueError("malformed entry")
        findings.append(finding)
    return LintResult(
        findings=findings,
        errors=[FileError(**values) for values in data["errors"]],
        notes=[FileError(**values) for values in data["notes"]],
        files_checked=int(data["files_checked"]),
    )
