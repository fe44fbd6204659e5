"""One iteration as a small structured program, and a dataflow runner for the rules' state machines.

A rule that judges order (a reset between backward and step, a scheduler stepped first) is a
state machine over events. The runner pushes sets of states through the program: an `if` runs
each arm and joins what comes out, `continue`/`break`/`return` leave with their states, `finally`
runs on every way out. Equal states merge, so the cost grows with the size of the code and the
number of distinct states, never with the number of paths. Two `if`s on the same test take the
same arm: states remember the arms taken at tests that appear more than once. Two tests of one
name against different literals (`phase == "train"`, `phase == "val"`) cannot both hold: a state
that took one's true arm takes the other's false arm. A test that is a part of another joined by
`or` (`b` and `a or b`) decides it: `b` holding makes `a or b` hold, `a or b` failing makes `b` fail.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Generic, Hashable, Iterable, TypeVar, Union

from loopcheck.lazyre import lazy
from loopcheck.records import Frozen, Record, _set

if TYPE_CHECKING:
    from loopcheck.model.flow import Context, Event
    from loopcheck.model.ir import Loop

S = TypeVar("S", bound=Hashable)

MAX_CORRELATED_TESTS = 8
"""Tests whose arms are kept apart; beyond them, arms of repeated tests are merged (and said so)."""
MAX_PASSES = 4
"""Iterations run to carry state around the loop (end of one iteration into the next)."""


@dataclass(init=False, eq=False, repr=False)
class Emit(Frozen):
    """One event of the iteration."""

    event: Event

    def __init__(self, event: Event) -> None:
        _set(self, "event", event)


@dataclass(init=False, eq=False, repr=False)
class Sequence(Frozen):
    """Parts that run one after the other."""

    items: tuple[Node, ...]

    def __init__(self, items: tuple[Node, ...]) -> None:
        _set(self, "items", items)


@dataclass(init=False, eq=False, repr=False)
class Choice(Frozen):
    """`if`/`elif`/`else` or `match`: one arm runs (an `if` without `else` has an empty arm)."""

    test: str
    arms: tuple[Node, ...]

    def __init__(self, test: str, arms: tuple[Node, ...]) -> None:
        _set(self, "test", test)
        _set(self, "arms", arms)


def choice(test: str, arms: tuple[Node, ...]) -> Choice:
    """A Choice whose test is written in one form for the same condition: `x is not None`,
    `x != y` and `not x` become `x is None`, `x == y` and `x` with their two arms swapped, so that
    `if opt is not None: opt.zero_grad()` and `if opt is None: sgd(...) else: opt.step()` are
    correlated as one test."""
    text = test.strip()
    negated: str | None = None
    if text.startswith("not ") and " and " not in text and " or " not in text:
        negated = text[4:].strip()
        if negated.startswith("(") and negated.endswith(")"):
            negated = negated[1:-1].strip()
    elif text.count(" is not ") == 1 and " and " not in text and " or " not in text:
        negated = text.replace(" is not ", " is ")
    elif text.count(" != ") == 1 and " and " not in text and " or " not in text:
        negated = text.replace(" != ", " == ")
    if negated is None or len(arms) > 2:
        return Choice(test, arms)
    first, second = (arms + (EMPTY,))[:2]
    return Choice(negated, (second, first))


@dataclass(init=False, eq=False, repr=False)
class Repeat(Frozen):
    """A nested loop inside the iteration: its body stands for one run of it. With `by_break`,
    the loop is left only by a `break` (or a return or raise): `while True:`, or a `while` whose
    test failing is followed at once by a raise (`while chunk: ... break` then `if not chunk:
    raise`); a run of the body that ends normally, or continues, runs it again."""

    loop: Loop
    context: Context
    body: Node
    by_break: bool = False

    def __init__(self, loop: Loop, context: Context, body: Node, by_break: bool = False) -> None:
        _set(self, "loop", loop)
        _set(self, "context", context)
        _set(self, "body", body)
        _set(self, "by_break", by_break)


@dataclass(init=False, eq=False, repr=False)
class Attempt(Frozen):
    """A try statement: the body or a handler, then the final block (also on the way out of a jump)."""

    body: Node
    handlers: tuple[Node, ...]
    final: Node

    def __init__(self, body: Node, handlers: tuple[Node, ...], final: Node) -> None:
        _set(self, "body", body)
        _set(self, "handlers", handlers)
        _set(self, "final", final)


@dataclass(init=False, eq=False, repr=False)
class Jump(Frozen):
    """A statement that leaves the normal order: its states go to the matching exit."""

    kind: str
    """continue, break, return or raise."""

    def __init__(self, kind: str) -> None:
        _set(self, "kind", kind)


@dataclass(init=False, eq=False, repr=False)
class Enter(Frozen):
    """An inlined call of a project function: a `return` inside ends the call, not the iteration."""

    event: Event
    """The call, as an event of kind CALL."""
    body: Node

    def __init__(self, event: Event, body: Node) -> None:
        _set(self, "event", event)
        _set(self, "body", body)


Node = Union[Emit, Sequence, Choice, Repeat, Attempt, Jump, Enter]
EMPTY = Sequence(())

Choices = frozenset  # frozenset[tuple[str, int]]: the arm taken at each correlated test


@dataclass(init=False, eq=False, repr=False)
class Outcome(Record, Generic[S]):
    """The states that run off the end of a part, and those that leave it by each kind of jump."""

    normal: set[tuple[S, Choices]] = field(default_factory=set)
    jumps: dict[str, set[tuple[S, Choices]]] = field(default_factory=dict)

    def __init__(
        self,
        normal: set[tuple[S, Choices]] | None = None,
        jumps: dict[str, set[tuple[S, Choices]]] | None = None,
    ) -> None:
        self.normal = set() if normal is None else normal
        self.jumps = {} if jumps is None else jumps

    def leave(self, kind: str, states: Iterable[tuple[S, Choices]]) -> None:
        self.jumps.setdefault(kind, set()).update(states)

    def take(self, kind: str) -> set[tuple[S, Choices]]:
        return self.jumps.pop(kind, set())

    def absorb(self, other: Outcome[S]) -> None:
        self.normal |= other.normal
        for kind, states in other.jumps.items():
            self.leave(kind, states)


def repeated_tests(node: Node) -> tuple[frozenset[str], bool]:
    """Tests that appear at more than one `if` holding events (the ones worth correlating: an `if`
    whose arms do nothing a rule sees cannot change a state), in source order, then tests of one
    name against different literals (see `equality`), and whether some had to be left out because
    there were too many."""
    seen: set[str] = set()
    repeated: list[str] = []
    literals: dict[str, set[object]] = {}
    for choice in _choices(node):
        if not any(_has_events(arm) for arm in choice.arms):
            continue
        if choice.test in seen and choice.test not in repeated:
            repeated.append(choice.test)
        seen.add(choice.test)
        compared = equality(choice.test)
        if compared is not None:
            literals.setdefault(compared[0], set()).add(compared[1])
    exclusive = [
        test for test in sorted(seen)
        if test not in repeated and (compared := equality(test)) is not None and len(literals[compared[0]]) > 1
    ]
    repeated.extend(exclusive)
    # (`if a or b: scaler.unscale_(opt)` then `if b: clip(...)`: the second holding makes the first hold)
    normal = {_normal(test): test for test in seen}
    implied = [
        test for test in sorted(seen)
        if test not in repeated and any(
            part in normal and normal[part] != test for part in _disjuncts(test)
        )
    ]
    implied += [normal[part] for test in implied for part in _disjuncts(test) if part in normal and normal[part] not in repeated]
    repeated.extend(dict.fromkeys(implied))
    return frozenset(repeated[:MAX_CORRELATED_TESTS]), len(repeated) > MAX_CORRELATED_TESTS


_EQUALITY = lazy(r"""([A-Za-z_][\w.]*)\s*==\s*('[^'\\]*'|"[^"\\]*"|-?\d+)|('[^'\\]*'|"[^"\\]*"|-?\d+)\s*==\s*([A-Za-z_][\w.]*)""")


@lru_cache(maxsize=4096)
def equality(test: str) -> tuple[str, object] | None:
    """`phase == "train"` (or `"train" == phase`): the name and the literal it is compared with."""
    match = _EQUALITY.fullmatch(test.strip())
    if match is None:
        return None
    name, literal = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    return name, ast.literal_eval(literal)


def _choices(node: Node) -> Iterable[Choice]:
    if isinstance(node, Choice):
        yield node
    for child in children(node):
        yield from _choices(child)


def _has_events(node: Node) -> bool:
    return isinstance(node, Emit) or any(_has_events(child) for child in children(node))


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Sequence):
        return node.items
    if isinstance(node, Choice):
        return node.arms
    if isinstance(node, (Repeat, Enter)):
        return (node.body,)
    if isinstance(node, Attempt):
        return (node.body, *node.handlers, node.final)
    return ()


def events_of(node: Node) -> Iterable[Event]:
    """Every event of the program, in source order."""
    if isinstance(node, Emit):
        yield node.event
    for child in children(node):
        yield from events_of(child)


def nested_loop_events(node: Node, accept: Callable[[Loop], bool] = lambda loop: True) -> Iterable[Event]:
    """The events of the program that run inside a loop nested in it that `accept`s."""
    if isinstance(node, Repeat):
        if accept(node.loop):
            yield from events_of(node.body)
        return
    for child in children(node):
        yield from nested_loop_events(child, accept)


class Runner(Generic[S]):
    """Pushes sets of states through a program with one transition function."""

    def __init__(self, step: Callable[[S, Event], S], correlated: frozenset[str]) -> None:
        self.step = step
        self.correlated = correlated

    def run(self, node: Node, states: set[tuple[S, Choices]]) -> Outcome[S]:
        out: Outcome[S] = Outcome()
        if not states:
            return out
        if isinstance(node, Emit):
            out.normal = {(self.step(state, node.event), taken) for state, taken in states}
        elif isinstance(node, Sequence):
            current = states
            for item in node.items:
                result = self.run(item, current)
                for kind, left in result.jumps.items():
                    out.leave(kind, left)
                current = result.normal
                if not current:
                    break
            out.normal = current
        elif isinstance(node, Choice):
            for index, arm in enumerate(node.arms):
                entering = self._enter_arm(node.test, index, states)
                out.absorb(self.run(arm, entering))
        elif isinstance(node, Repeat):
            result = self.run(node.body, states)
            if node.by_break:
                # (the runs that go round again run the body once more: what reaches its break then)
                again = self.run(node.body, result.normal | result.take("continue"))
                out.normal = result.take("break") | again.take("break")
                again.take("continue")
                for kind, left in again.jumps.items():
                    out.leave(kind, left)
            else:
                out.normal = result.normal | result.take("continue") | result.take("break")
            for kind, left in result.jumps.items():
                out.leave(kind, left)
        elif isinstance(node, Enter):
            result = self.run(node.body, states)
            out.normal = result.normal | result.take("return")
            out.leave("raise", result.take("raise"))
        elif isinstance(node, Attempt):
            tried: Outcome[S] = self.run(node.body, states)
            for handler in node.handlers:
                tried.absorb(self.run(handler, states))
            finished = self.run(node.final, tried.normal)
            out.absorb(finished)
            for kind, left in tried.jumps.items():  # `finally` also runs on the way out
                through = self.run(node.final, left)
                out.leave(kind, through.normal)
                for other, more in through.jumps.items():
                    out.leave(other, more)
        elif isinstance(node, Jump):
            out.leave(node.kind, states)
        return out

    def _enter_arm(self, test: str, index: int, states: set[tuple[S, Choices]]) -> set[tuple[S, Choices]]:
        if test not in self.correlated:
            return states
        compared = equality(test) if index == 0 else None
        entering: set[tuple[S, Choices]] = set()
        for state, taken in states:
            earlier = next((arm for seen, arm in taken if seen == test), None)
            if earlier is None:
                if compared is not None and any(arm == 0 and _excludes(seen, compared) for seen, arm in taken):
                    continue  # `phase == "val"` held: `phase == "train"` does not
                if _implied_otherwise(test, index, taken):
                    continue  # `b` held, so `a or b` holds; `a or b` failed, so `b` fails
                entering.add((state, taken | {(test, index)}))
            elif earlier == index:
                entering.add((state, taken))
        return entering


@lru_cache(maxsize=4096)
def _normal(test: str) -> str:
    """The test as Python writes it back (parentheses and spacing aside)."""
    try:
        return ast.unparse(ast.parse(test.strip(), mode="eval"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return test.strip()


@lru_cache(maxsize=4096)
def _disjuncts(test: str) -> tuple[str, ...]:
    """The parts of a test joined by a top-level `or` (`a or b`: `a`, `b`), in normal form; none
    for any other test."""
    try:
        tree = ast.parse(test.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.Or):
        return tuple(ast.unparse(value) for value in tree.values)
    return ()


def _implied_otherwise(test: str, index: int, taken: Choices) -> bool:
    """Do the arms already taken decide this test the other way: a part of `test = a or b` held
    (so the false arm, index 1, cannot run), or a test of which `test` is a part failed (so its
    true arm cannot)?"""
    parts = _disjuncts(test)
    if index == 1 and parts and any(arm == 0 and _normal(seen) in parts for seen, arm in taken):
        return True
    own = _normal(test)
    return index == 0 and any(arm == 1 and own in _disjuncts(seen) for seen, arm in taken)


def _excludes(test: str, compared: tuple[str, object]) -> bool:
    """Does the test, when true, make `name == literal` false (the same name, another literal)?"""
    other = equality(test)
    return other is not None and other[0] == compared[0] and other[1] != compared[1]


Note = Callable[[str], None]


def run_once(
    program: Node,
    step: Callable[[S, Event], S],
    starts: Iterable[S],
    note: Note | None = None,
    correlated: tuple[frozenset[str], bool] | None = None,
    ignore: frozenset[str] = frozenset(),
) -> tuple[set[S], set[S]]:
    """One run of the program from each start state: the states at its normal end (fall-through or
    `continue`) and at an early end (`break`, `return`, `raise`; those of the kinds in `ignore`
    are dropped). `correlated`: the program's repeated tests, when already known."""
    tests, too_many = correlated if correlated is not None else repeated_tests(program)
    if too_many and note is not None:
        note(f"more than {MAX_CORRELATED_TESTS} if-tests repeat in one loop; the others are not kept apart")
    result = Runner(step, tests).run(program, {(state, Choices()) for state in starts})
    ends = {state for state, _ in result.normal | result.take("continue")}
    stopped = {state for kind in list(result.jumps) for state, _ in result.take(kind) if kind not in ignore}
    return ends, stopped


def run_iterations(
    program: Node,
    step: Callable[[S, Event], S],
    start: S,
    carry: Callable[[S], S] = lambda state: state,
    note: Note | None = None,
    correlated: tuple[frozenset[str], bool] | None = None,
) -> tuple[set[S], set[S]]:
    """Runs the loop body again and again, each iteration starting from where the earlier ones
    ended (through `carry`), until no new state appears: what happens at the end of one iteration
    reaches the start of the next. Returns the states iterations can end in, normally and early."""
    starts = {start}
    ends: set[S] = set()
    stopped: set[S] = set()
    correlated = correlated if correlated is not None else repeated_tests(program)
    for _ in range(MAX_PASSES):
        new_ends, new_stopped = run_once(program, step, starts, note, correlated)
        stopped |= new_stopped
        if new_ends <= ends:
            return ends, stopped
        ends |= new_ends
        starts = {start} | {carry(state) for state in ends}
    if note is not None:
        note(f"state carried around a loop had not settled after {MAX_PASSES} iterations")
    return ends, stopped
