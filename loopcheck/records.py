"""Data classes whose methods are not generated at import.

`dataclasses.dataclass` writes the `__init__`, `__repr__`, `__eq__`, `__hash__` (and, frozen,
`__setattr__` and `__delattr__`; with `order`, four comparisons) of each class as source text and
compiles it with `exec` when the module is imported: about 0.1 ms a method, 20 ms of a one-file run
for loopcheck's classes. A class here is declared

    @dataclass(init=False, repr=False, eq=False)
    class Finding(Value):
        path: str
        ...
        def __init__(self, path: str, ...) -> None:
            _set(self, "path", path)
            ...

with its `__init__` written out (compiled once into `__pycache__` like the rest of the module), and
takes the other methods from a base here, with the data class's own behaviour: `Value` (frozen,
equal and hashed by its fields), `OrderedValue` (and `order=True`), `Record` (equal by its fields,
unhashable), `Frozen` (frozen, compared by identity: `eq=False`), `Described` (only the `repr`).
Equality and hashing go over the fields in order and only between instances of the same class,
the `repr` is the data class's, assigning to a frozen one raises `FrozenInstanceError`. A class
without a base here is a data class with `eq=False, repr=False` whose `__init__` is written out.
`dataclasses.fields`, `replace` and `asdict` work on them as on any data class (`tests/test_records.py`).
"""
from __future__ import annotations

import reprlib
from dataclasses import FrozenInstanceError
from typing import Any

_set = object.__setattr__
"""What a `Value`'s `__init__` sets its fields with (a `Value` refuses plain assignment)."""


def _names(cls: type) -> tuple[str, ...]:
    names = cls.__dict__.get("_field_names")
    if names is None:
        from dataclasses import fields

        names = tuple(f.name for f in fields(cls) if f.compare)
        type.__setattr__(cls, "_field_names", names)
    return names


def _repr_names(cls: type) -> tuple[str, ...]:
    names = cls.__dict__.get("_repr_names")
    if names is None:
        from dataclasses import fields

        names = tuple(f.name for f in fields(cls) if f.repr)
        type.__setattr__(cls, "_repr_names", names)
    return names


class Described:
    """A data class's `repr` (the class and its fields); equal only to itself."""

    __slots__ = ()

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in _repr_names(type(self)))
        return f"{type(self).__qualname__}({values})"


class _Fields(Described):
    __slots__ = ()

    def _values(self) -> tuple[Any, ...]:
        """The fields compared and hashed, in order (a class may write it out: it is called often)."""
        return tuple([getattr(self, name) for name in _names(type(self))])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented


class Frozen:
    """A frozen data class compared by identity (`frozen=True, eq=False`): fields not assignable."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


class Value(_Fields, Frozen):
    """A frozen data class: equal and hashed by its fields, fields not assignable (`Frozen`'s)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())


class OrderedValue(Value):
    """A `Value` ordered as a data class with `order=True`: by its fields' tuple, within one class."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() < other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() <= other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() > other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() >= other._values()  # type: ignore[attr-defined]
        return NotImplemented


class Record(_Fields):
    """A mutable data class: equal by its fields, not hashable."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
