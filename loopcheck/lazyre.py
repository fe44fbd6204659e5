"""Regular expressions compiled on first use instead of at import.

Most of loopcheck's module-level expressions serve one rule or one kind of code, and a run on one
file uses less than half of them; compiling them all at import was about 10 ms of a one-file run.
`lazy(pattern, flags)` stands for `re.compile(pattern, flags)`: the first attribute asked of it
(`.search`, `.match`, `.sub`, ...) compiles the expression, and from then on its methods and
attributes are plain attributes of the object, as quick to reach as the compiled pattern's own.
It is not a `re.Pattern`: give it no `re` function (`re.search(PATTERN, ...)`), call its methods.
"""
from __future__ import annotations

import re
from typing import Any, cast

_FORWARDED = (
    "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer", "scanner",
    "pattern", "flags", "groups", "groupindex",
)


class LazyPattern:
    """`re.compile(pattern, flags)`, done on first use (see the module's docstring)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for what is not yet an attribute of the object
        source = self.__dict__.get("_source")
        if source is None or name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(*source)
        for attribute in _FORWARDED:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r}, {self._source[1]!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)` compiled on first use; typed as the pattern it stands for."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))
