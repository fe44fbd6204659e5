"""Project settings from `[tool.loopcheck]` in the nearest pyproject.toml (select, ignore, exclude).

Command-line options add to them; a bad setting is a usage error that names the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

KEYS = ("select", "ignore", "exclude")


class ConfigError(ValueError):
    """A `[tool.loopcheck]` setting loopcheck cannot use; the message names the file."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    source: Path | None = None


def find_pyproject(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_settings(start: Path | None = None) -> Settings:
    path = find_pyproject((start or Path.cwd()).resolve())
    if path is None:
        return Settings()
    try:
        import tomllib
    except ImportError:  # Python 3.10: settings need tomli
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return Settings()
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError as error:  # tomllib reads UTF-8 only
        line = error.object[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not UTF-8 (invalid byte on line {line}); TOML files are UTF-8") from None
    except (ValueError, RecursionError) as error:  # TOMLDecodeError is a ValueError; deep arrays recurse
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise ConfigError(f"{path}: not valid TOML: {reason}") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table ([tool.loopcheck]), not {_toml_type(tool)}")
    table = tool.get("loopcheck", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `tool.loopcheck` must be a table ([tool.loopcheck]), not {_toml_type(table)}")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.loopcheck] setting(s) {', '.join(unknown)}; known: {', '.join(KEYS)}")
    values: dict[str, tuple[str, ...]] = {}
    for key in KEYS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: [tool.loopcheck] {key} must be a list of strings")
        values[key] = tuple(value)
    return Settings(values["select"], values["ignore"], values["exclude"], path)


def _toml_type(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a float", list: "an array"}
    return next((name for kind, name in names.items() if type(value) is kind), f"a {type(value).__name__}")
