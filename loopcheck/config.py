"""Project settings from `[tool.loopcheck]` in pyproject.toml, resolved for each checked file.

A file's settings come from the nearest pyproject.toml above it that holds a `[tool.loopcheck]`
table (a pyproject.toml without one is passed over), so the result does not depend on the folder
loopcheck runs from. Exclude globs and per-file-ignores globs are matched against paths relative
to that file's folder. `--config FILE` uses one file for every checked file (globs relative to
its folder; a file other than pyproject.toml holds the settings at its top level, as in
`loopcheck.toml`); `--isolated` reads no settings at all.

Keys: select, extend-select, ignore, extend-ignore (lists of rule codes, prefixes or names;
select may be ["ALL"]), exclude, extend-exclude (lists of globs), per-file-ignores (a table of
glob = list of codes), respect-gitignore (a boolean). A bad setting is a usage error naming the
file. On Python 3.10 reading TOML needs `tomli` (a dependency there); without it a file that
holds `[tool.loopcheck]` is an error, never silently ignored.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loopcheck.lazyre import lazy
from loopcheck.records import Value, _set

LIST_KEYS = ("select", "extend-select", "ignore", "extend-ignore", "exclude", "extend-exclude")
KEYS = (*LIST_KEYS, "per-file-ignores", "respect-gitignore")
_MENTIONS_TABLE = lazy(r"^\s*\[\s*tool\s*\.\s*[\"']?loopcheck\b|^\s*tool\s*\.\s*loopcheck\b", re.MULTILINE)


class ConfigError(ValueError):
    """A `[tool.loopcheck]` setting loopcheck cannot use; the message names the file."""


@dataclass(init=False, repr=False, eq=False)
class Settings(Value):
    """One file's `[tool.loopcheck]` settings, resolved (see the module docstring for the keys).
    (A frozen data class whose __init__ is written out: `loopcheck.records`.)"""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    source: Path | None = None
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    respect_gitignore: bool = True

    def __init__(
        self,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
        source: Path | None = None,
        extend_select: tuple[str, ...] = (),
        extend_ignore: tuple[str, ...] = (),
        per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = (),
        respect_gitignore: bool = True,
    ) -> None:
        _set(self, "select", select)
        _set(self, "ignore", ignore)
        _set(self, "exclude", exclude)
        _set(self, "source", source)
        _set(self, "extend_select", extend_select)
        _set(self, "extend_ignore", extend_ignore)
        _set(self, "per_file_ignores", per_file_ignores)
        _set(self, "respect_gitignore", respect_gitignore)

    @property
    def directory(self) -> Path | None:
        """The folder globs are relative to: the settings file's."""
        return self.source.parent if self.source is not None else None

    def relative(self, path: Path) -> Path:
        """`path` as the globs of these settings see it: relative to their folder when inside it."""
        if self.directory is None:
            return path
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.directory)
        except ValueError:
            return path


def _toml() -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return None
    return tomllib


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that holds a `[tool.loopcheck]` table."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _has_table(candidate):
            return candidate
    return None


def _has_table(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it: {error.strerror or error}") from None
    # Parsed even without the word `loopcheck` in it: a malformed pyproject.toml is reported, as
    # the file loopcheck would have read its settings from if it were well-formed.
    return "loopcheck" in _document(path, data).get("tool", {})


def _document(path: Path, data: bytes) -> dict[str, Any]:
    tomllib = _toml()
    if tomllib is None:
        if b"loopcheck" not in data and path.name == "pyproject.toml":
            return {}  # no table can be named without the word
        if _MENTIONS_TABLE.search(data.decode("utf-8", "replace")) or path.name != "pyproject.toml":
            raise ConfigError(
                f"{path}: holds loopcheck settings, but this Python ({_python()}) cannot read TOML: "
                "install tomli (`pip install tomli`), which loopcheck depends on before Python 3.11"
            )
        return {}
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:  # tomllib reads UTF-8 only
        line = error.object[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not UTF-8 (invalid byte on line {line}); TOML files are UTF-8") from None
    except (ValueError, RecursionError) as error:  # TOMLDecodeError is a ValueError; deep arrays recurse
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise ConfigError(f"{path}: not valid TOML: {reason}") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table ([tool.loopcheck]), not {_toml_type(tool)}")
    return document


def _python() -> str:
    import sys

    return ".".join(map(str, sys.version_info[:3]))


def read_settings(path: Path) -> Settings:
    """The settings in one file: `[tool.loopcheck]` of a pyproject.toml, the top level of another file."""
    path = Path(os.path.abspath(path))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it: {error.strerror or error}") from None
    document = _document(path, data)
    if path.name == "pyproject.toml" or "tool" in document:
        table = document.get("tool", {}).get("loopcheck", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: `tool.loopcheck` must be a table ([tool.loopcheck]), not {_toml_type(table)}")
    else:
        table = document
    return _settings(path, table)


def _settings(path: Path, table: dict[str, Any]) -> Settings:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.loopcheck] setting(s) {', '.join(unknown)}; known: {', '.join(KEYS)}")
    values: dict[str, tuple[str, ...]] = {}
    for key in LIST_KEYS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: [tool.loopcheck] {key} must be a list of strings")
        values[key] = tuple(value)
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict) or not all(
        isinstance(codes, list) and all(isinstance(c, str) for c in codes) for codes in per_file.values()
    ):
        raise ConfigError(f'{path}: [tool.loopcheck] per-file-ignores must be a table of glob = list of codes ("tests/*.py" = ["LC001"])')
    gitignore = table.get("respect-gitignore", True)
    if not isinstance(gitignore, bool):
        raise ConfigError(f"{path}: [tool.loopcheck] respect-gitignore must be true or false")
    return Settings(
        select=values["select"],
        ignore=values["ignore"],
        exclude=(*values["exclude"], *values["extend-exclude"]),
        source=path,
        extend_select=values["extend-select"],
        extend_ignore=values["extend-ignore"],
        per_file_ignores=tuple((glob, tuple(codes)) for glob, codes in per_file.items()),
        respect_gitignore=gitignore,
    )


def load_settings(start: Path | None = None) -> Settings:
    """The settings of the nearest pyproject.toml holding `[tool.loopcheck]` at or above `start`
    (a file or folder; the current folder by default)."""
    start = Path(os.path.abspath(start or Path.cwd()))
    path = find_pyproject(start if start.is_dir() else start.parent)
    return read_settings(path) if path is not None else Settings()


class Resolver:
    """Settings for each path of a run, each folder looked up once."""

    def __init__(self, config: str | Path | None = None, isolated: bool = False) -> None:
        self.fixed: Settings | None = None
        if isolated:
            self.fixed = Settings()
        elif config is not None:
            self.fixed = read_settings(Path(config))
        self._by_directory: dict[Path, Settings] = {}

    def for_path(self, path: str | Path, is_dir: bool | None = None) -> Settings:
        if self.fixed is not None:
            return self.fixed
        absolute = Path(os.path.abspath(path))
        directory = absolute if (is_dir if is_dir is not None else absolute.is_dir()) else absolute.parent
        return self._for_directory(directory)

    def _for_directory(self, directory: Path) -> Settings:
        found = self._by_directory.get(directory)
        if found is None:
            candidate = directory / "pyproject.toml"
            if candidate.is_file() and _has_table(candidate):
                found = read_settings(candidate)
            elif directory.parent != directory:
                found = self._for_directory(directory.parent)
            else:
                found = Settings()
            self._by_directory[directory] = found
        return found


def _toml_type(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a float", list: "an array"}
    return next((name for kind, name in names.items() if type(value) is kind), f"a {type(value).__name__}")
