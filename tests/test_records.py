"""Data classes with their `__init__` written out (`loopcheck.records`) and regular expressions
compiled on first use (`loopcheck.lazyre`): they behave as the data classes and compiled patterns
they stand for, each written-out `__init__` takes exactly its class's fields, and a plain run
generates no method of loopcheck's at import (what these two modules are for)."""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path

import pytest

import loopcheck
from loopcheck.lazyre import LazyPattern, lazy
from loopcheck.records import Frozen, OrderedValue, Record, Value, _set

ROOT = Path(__file__).resolve().parents[1]


@dataclass(init=False, repr=False, eq=False)
class Point(OrderedValue):
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()

    def __init__(self, x: int, y: int = 0, tags: tuple[str, ...] = ()) -> None:
        _set(self, "x", x)
        _set(self, "y", y)
        _set(self, "tags", tags)


@dataclass(frozen=True, order=True)
class GeneratedPoint:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


@dataclass(init=False, repr=False, eq=False)
class Bag(Record):
    items: list[int] = field(default_factory=list)
    name: str = ""

    def __init__(self, items: list[int] | None = None, name: str = "") -> None:
        self.items = [] if items is None else items
        self.name = name


@dataclass(init=False, repr=False, eq=False)
class Node(Frozen):
    label: str

    def __init__(self, label: str) -> None:
        _set(self, "label", label)


def test_a_value_compares_hashes_orders_and_prints_as_a_frozen_data_class() -> None:
    pairs = [(Point(1, 2, ("a",)), GeneratedPoint(1, 2, ("a",))), (Point(1), GeneratedPoint(1)), (Point(0, 5), GeneratedPoint(0, 5))]
    for (ours, theirs), (other, other_theirs) in zip(pairs, pairs[1:] + pairs[:1]):
        assert hash(ours) == hash(theirs)
        assert repr(ours) == repr(theirs).replace("GeneratedPoint", "Point")
        assert (ours == other) == (theirs == other_theirs)
        assert (ours < other, ours <= other, ours > other, ours >= other) == (
            theirs < other_theirs, theirs <= other_theirs, theirs > other_theirs, theirs >= other_theirs
        )
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(1, 3)
    assert Point(1) != GeneratedPoint(1) and Point(1).__eq__((1, 0, ())) is NotImplemented
    with pytest.raises(TypeError):
        assert Point(1) < GeneratedPoint(2)  # type: ignore[operator]
    assert len({Point(1), Point(1), Point(2)}) == 2


def test_a_value_is_frozen_and_works_with_dataclasses_functions() -> None:
    point = Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        point.x = 3  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.y
    assert dataclasses.replace(point, y=7) == Point(1, 7)
    assert dataclasses.asdict(point) == {"x": 1, "y": 2, "tags": ()}
    assert [f.name for f in dataclasses.fields(point)] == ["x", "y", "tags"]
    assert Point.__match_args__ == ("x", "y", "tags")


def test_a_record_is_mutable_equal_by_fields_and_unhashable() -> None:
    first, second = Bag(), Bag()
    assert first == second and first.items is not second.items
    first.items.append(1)
    assert first != second and repr(first) == "Bag(items=[1], name='')"
    with pytest.raises(TypeError):
        hash(first)


def test_a_frozen_identity_class_is_equal_only_to_itself() -> None:
    node = Node("a")
    assert node != Node("a") and node == node and len({node, Node("a")}) == 2
    with pytest.raises(FrozenInstanceError):
        node.label = "b"  # type: ignore[misc]


def test_the_repr_of_a_self_holding_record_stops() -> None:
    bag = Bag()
    bag.items.append(bag)  # type: ignore[arg-type]
    assert repr(bag) == "Bag(items=[...], name='')"


def _loopcheck_classes() -> list[type]:
    classes = []
    for info in pkgutil.walk_packages(loopcheck.__path__, "loopcheck."):
        if info.name.startswith("loopcheck.runtime"):
            continue  # the runtime companion imports torch; its classes are not on the static path
        module = importlib.import_module(info.name)
        classes.extend(
            value for value in vars(module).values()
            if isinstance(value, type) and value.__module__ == info.name and dataclasses.is_dataclass(value)
        )
    return classes


def test_every_written_out_init_takes_its_fields() -> None:
    checked = 0
    for cls in _loopcheck_classes():
        if cls.__dataclass_params__.init:  # type: ignore[attr-defined]
            continue  # dataclasses writes this one
        fields = dataclasses.fields(cls)
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
        assert [p.name for p in parameters] == [f.name for f in fields], cls
        for parameter, f in zip(parameters, fields):
            if f.default is not dataclasses.MISSING:
                assert parameter.default == f.default, (cls, f.name)
            elif f.default_factory is not dataclasses.MISSING:
                assert parameter.default is None, (cls, f.name)
            else:
                assert parameter.default is parameter.empty, (cls, f.name)
        if "_values" in cls.__dict__:  # written out for speed: it must name every field, in order
            names = [name for name in cls._values.__code__.co_names if name in {f.name for f in fields}]
            assert names == [f.name for f in fields], cls
        if issubclass(cls, (Value, Frozen)):
            assert "_set" in cls.__init__.__code__.co_names, cls  # a frozen class refuses `self.x = ...`
        checked += 1
    assert checked >= 40


def test_every_written_out_init_sets_every_field() -> None:
    for cls in _loopcheck_classes():
        if cls.__dataclass_params__.init:  # type: ignore[attr-defined]
            continue
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
        instance = cls(**{p.name: object() for p in parameters})
        for f in dataclasses.fields(cls):
            assert f.name in vars(instance), (cls, f.name)


def test_a_plain_run_generates_no_method_of_loopcheck_at_import() -> None:
    code = (
        "import dataclasses, sys\n"
        "made = []\n"
        "original = dataclasses._create_fn\n"
        "def create(name, *args, **kwargs):\n"
        "    frame = sys._getframe(1)\n"
        "    while frame is not None and 'cls' not in frame.f_locals:\n"
        "        frame = frame.f_back\n"
        "    cls = frame.f_locals['cls'] if frame is not None else None\n"
        "    if cls is not None and cls.__module__.startswith('loopcheck'):\n"
        "        made.append(f'{cls.__module__}.{cls.__qualname__}.{name}')\n"
        "    return original(name, *args, **kwargs)\n"
        "dataclasses._create_fn = create\n"
        "import loopcheck.entry, loopcheck.api, loopcheck.engine, loopcheck.rules, loopcheck.report.text\n"
        "import loopcheck.prefilter, loopcheck.parallel\n"
        "print(made)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n", "a data class generates its methods with exec at import: write its __init__ out (loopcheck.records)"


def test_a_lazy_pattern_is_the_compiled_pattern() -> None:
    pattern = lazy(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    compiled = re.compile(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    assert isinstance(pattern, LazyPattern) and "search" not in vars(pattern)
    text = "Abc12 de f3"
    assert pattern.search(text).group(0) == compiled.search(text).group(0)  # type: ignore[union-attr]
    assert "search" in vars(pattern)  # compiled once, its methods kept
    assert pattern.findall(text) == compiled.findall(text)
    assert pattern.sub("-", text) == compiled.sub("-", text)
    assert pattern.split(text) == compiled.split(text)
    assert pattern.fullmatch("ab") is not None and pattern.match("1") is None
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert (pattern.pattern, pattern.flags, pattern.groups, pattern.groupindex) == (
        compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex
    )
    with pytest.raises(AttributeError):
        pattern.no_such_method  # noqa: B018


def test_no_module_compiles_a_regular_expression_at_import() -> None:
    code = (
        "import re, sys\n"
        "made = []\n"
        "original = re.compile\n"
        "def compile(pattern, flags=0):\n"
        "    caller = sys._getframe(1).f_globals.get('__name__', '')\n"
        "    if caller.startswith('loopcheck'):\n"
        "        made.append(f'{caller}: {pattern!r}')\n"
        "    return original(pattern, flags)\n"
        "re.compile = compile\n"
        "import loopcheck.entry, loopcheck.api, loopcheck.engine, loopcheck.rules, loopcheck.report.text\n"
        "import loopcheck.prefilter, loopcheck.parallel\n"
        "print(made)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n", "a module compiles a regular expression at import: use loopcheck.lazyre.lazy"


def test_calls_entering_one_pass_elsewhere_are_one_bug() -> None:
    from loopcheck.finding import PASS_ELSEWHERE, PASS_LOOP_ELSEWHERE, Finding, Related, one_per_bug

    def at(path: str, line: int, pass_line: int | None, code: str = "LC007", note: str = PASS_LOOP_ELSEWHERE) -> Finding:
        related = (Related(pass_line, 5, note, "user.py"),) if pass_line is not None else ()
        return Finding(path, line, 5, line, 20, code, "eval-without-no-grad", "warning", "m", related)

    # the pass's own finding is in the run: the calls entering it are dropped
    own = at("user.py", 23, None)
    assert one_per_bug([at("server.py", 10, 23), at("fedavg.py", 3, 23, note=PASS_ELSEWHERE), own]) == [own]
    # it is not: the first call entering each loop over data stands for it; another code or pass stays
    found = one_per_bug([at("server.py", 30, 23), at("fedavg.py", 8, 23), at("server.py", 12, 40), at("server.py", 31, 23, "LC006")])
    assert sorted((f.path, f.line, f.code) for f in found) == [
        ("fedavg.py", 8, "LC007"), ("server.py", 12, "LC007"), ("server.py", 31, "LC006"),
    ]
    # passes of their own that share a helper's forward (no loop over data there) all stay
    shared = [at("train.py", 30, 23, note=PASS_ELSEWHERE), at("use.py", 60, 23, note=PASS_ELSEWHERE)]
    assert one_per_bug(shared) == shared
