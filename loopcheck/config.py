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
            table = tomllib.load(handle).get("tool", {}).get("loopcheck", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read [tool.loopcheck]: {error}") from None
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
