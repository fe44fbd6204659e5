"""Line and column of every node of a libcst module: what libcst's `PositionProvider` gives, in
about half its time.

libcst's provider regenerates the module's code and, for each token, splits it on line breaks to
keep a line and a column, and builds two position objects per node. Here the code generation only
counts characters: each node gets its start and end offsets, and an offset becomes a line and a
column (by bisection in the offsets where lines start) only when a node's position is asked for,
which the loop model does for a few nodes per file (those a finding points at). Text holding a
carriage return goes to libcst's own provider, so that every way of counting line breaks is libcst's.
`tests/test_positions.py` compares both on every node of the fixtures.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Any, Iterator, Mapping

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange
from libcst.metadata import MetadataWrapper, PositionProvider

__all__ = ["positions"]


def positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """Every node's range, as `MetadataWrapper(module).resolve(PositionProvider)` gives it."""
    try:
        state = _Offsets(module.default_indent, module.default_newline)
        module._codegen(state)
    except Exception:  # a libcst whose code generation calls what this state does not know
        return _libcst_positions(module)
    text = "".join(state.tokens)
    if "\r" in text:
        return _libcst_positions(module)
    return _Positions(module, state.spans, text)


def _libcst_positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    provider = PositionProvider()
    try:
        provider._gen_impl(module)
        return provider._computed
    except AttributeError:
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


class _Offsets(CodegenState):
    """libcst's code generation state, counting characters instead of lines and columns."""

    __slots__ = ("offset", "indent", "stack", "spans")

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.offset = 0
        self.indent = 0
        self.stack: list[int] = []
        self.spans: dict[int, tuple[int, int]] = {}
        """Each node's start and end offsets, by the node's `id` (a libcst node hashes in Python)."""

    def increase_indent(self, value: str) -> None:
        self.indent_tokens.append(value)
        self.indent += len(value)

    def decrease_indent(self) -> None:
        self.indent -= len(self.indent_tokens.pop())

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        self.offset += self.indent

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        # libcst's provider drops the module's last line break without moving its position: the
        # positions are counted with it, and so is the text they are turned into lines with
        pass

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.stack.pop()
        if id(node) not in self.spans:  # a syntactic position recorded inside stays
            self.spans[id(node)] = (start, self.offset)

    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    """`record_syntactic_position` of libcst's provider, as a plain context manager."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _Offsets, node: cst.CSTNode, start_node: cst.CSTNode | None, end_node: cst.CSTNode | None) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.start = 0

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc: Any) -> bool:
        spans = self.state.spans
        start = spans[id(self.start_node)][0] if self.start_node is not None else self.start
        end = spans[id(self.end_node)][1] if self.end_node is not None else self.state.offset
        spans[id(self.node)] = (start, end)
        return False


class _Positions(Mapping[cst.CSTNode, CodeRange]):
    """Node → CodeRange, each range made when first asked for. Nodes are looked up by their `id`
    (a libcst node's `__hash__` is a Python call: a dictionary keyed by nodes paid one per node
    and per look-up); the module is kept, so that each id stays its node's."""

    def __init__(self, module: cst.Module, spans: dict[int, tuple[int, int]], text: str) -> None:
        self._module = module
        self._spans = spans
        starts = [0]
        find = text.find
        at = find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self._starts = starts
        self._made: dict[int, CodeRange] = {}

    def _position(self, offset: int) -> CodePosition:
        line = bisect_right(self._starts, offset)
        return CodePosition(line, offset - self._starts[line - 1])

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        key = id(node)
        made = self._made.get(key)
        if made is None:
            start, end = self._spans[key]
            made = self._made[key] = CodeRange(self._position(start), self._position(end))
        return made

    def __contains__(self, node: object) -> bool:
        return id(node) in self._spans

    def __iter__(self) -> Iterator[cst.CSTNode]:
        spans = self._spans
        return (node for node in _nodes(self._module) if id(node) in spans)

    def __len__(self) -> int:
        return len(self._spans)


def _nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node and every node below it, in code order (for iterating over the positions)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            yield node
            stack.extend(reversed(node.children))
