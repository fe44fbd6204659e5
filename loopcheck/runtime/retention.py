"""Measures what autograd graphs the values a training loop stores keep alive.

A sample reads the locals of the running user frames, follows `grad_fn` chains and counts nodes and saved-tensor bytes.
"""
from __future__ import annotations

import functools
import os

import itertools
from collections import deque
from collections.abc import Callable, Iterable
from types import CodeType, FrameType
from typing import Any

import torch

from loopcheck.runtime.trace import Holder, RetentionSample

# Tags each graph node with the first sample that saw it, in the node's own metadata dict:
# a node found again by a later sample was kept from a past iteration. Node wrappers cannot
# be weak-referenced and their ids are reused, so the tag has to live on the node itself.
AGE_KEY = "loopcheck.first_sample"
FREED_KEY = "loopcheck.freed"

# Bounds that keep one sample cheap even on a large leak or a huge dataset held in a local.
NODE_LIMIT = 200_000
ITEM_LIMIT = 20_000
CONTAINER_DEPTH = 3

_CONTAINERS = (list, tuple, set, frozenset, deque)
_SCALARS = (int, float, str, bool, type(None))


class GraphMeter:
    """Walks autograd graphs; caches which attributes of each node type hold saved tensors."""

    def __init__(self, is_user_class: Callable[[type], bool]) -> None:
        self._is_user_class = is_user_class
        self._saved_names: dict[type, tuple[str, ...]] = {}
        self._code_lines: dict[CodeType, tuple[int, int]] = {}

    @staticmethod
    @functools.lru_cache(maxsize=256)
    def _real_path(filename: str) -> str:
        return filename if filename.startswith("<") else os.path.realpath(filename)

    def sample(
        self, frames: Iterable[FrameType], index: int, step: int, forward: int | None
    ) -> RetentionSample:
        """Count, per local variable of `frames`, the graph it keeps alive.

        After a step the graph of the current iteration was just freed by backward(): only
        nodes an earlier sample saw are asked for saved tensors (the leak). At an evaluation
        forward nothing was freed, so every node is.
        """
        new_bytes_too = forward is not None
        holders: list[Holder] = []
        names: set[tuple[str, int, int, str]] = set()
        counted: set[int] = set()
        storages: set[int] = set()
        keep_alive: list[object] = []  # node wrappers stay alive so that their ids stay unique
        total_nodes = 0
        total_bytes = 0
        for frame in frames:
            # the real path, as every other trace site and the static findings use
            path = self._real_path(frame.f_code.co_filename)
            lines = self._lines_of(frame.f_code)
            for name, value in list(frame.f_locals.items()):
                if name.startswith("__"):
                    continue
                names.add((path, *lines, name))
                roots = self._graph_tensors(value)
                if not roots:
                    continue
                nodes, old, saved, new_nodes, new_bytes = self._walk(
                    roots, index, counted, storages, keep_alive, new_bytes_too
                )
                total_nodes += new_nodes
                total_bytes += new_bytes
                holders.append(
                    Holder(id(frame), path, frame.f_code.co_name, lines, name, nodes, old, saved)
                )
        return RetentionSample(
            index, step, forward, tuple(holders), frozenset(names), total_nodes, total_bytes
        )

    def _lines_of(self, code: CodeType) -> tuple[int, int]:
        lines = self._code_lines.get(code)
        if lines is None:
            numbers = [line for _, _, line in code.co_lines() if line is not None]
            lines = (min(numbers, default=code.co_firstlineno), max(numbers, default=code.co_firstlineno))
            self._code_lines[code] = lines
        return lines

    def graph_size(self, tensor: torch.Tensor) -> tuple[int, int]:
        """Nodes and saved-tensor bytes of one output's graph (no age tagging)."""
        nodes, _, saved, _, _ = self._walk([tensor], None, set(), set(), [], True)
        return nodes, saved

    def _graph_tensors(self, value: Any) -> list[torch.Tensor]:
        found: list[torch.Tensor] = []
        budget = [ITEM_LIMIT]
        self._collect(value, CONTAINER_DEPTH, found, set(), budget)
        return found

    def _collect(
        self, value: Any, depth: int, found: list[torch.Tensor], seen: set[int], budget: list[int]
    ) -> None:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        if isinstance(value, torch.Tensor):
            if value.grad_fn is not None:
                found.append(value)
            return
        if depth == 0 or id(value) in seen:
            return
        if isinstance(value, _CONTAINERS):
            if isinstance(value, (list, tuple)) and len(value) > 8 and _plain(value[0]) and _plain(value[-1]):
                return  # a log of floats (losses, timings): nothing to follow
            items: Iterable[Any] = value
        elif isinstance(value, dict):
            items = value.values()
        elif hasattr(value, "__dict__") and self._is_user_class(type(value)):
            items = vars(value).values()
        else:
            return
        seen.add(id(value))
        for item in itertools.islice(items, budget[0]):
            if type(item) not in _SCALARS:
                self._collect(item, depth - 1, found, seen, budget)

    def _walk(
        self,
        roots: list[torch.Tensor],
        index: int | None,
        counted: set[int],
        storages: set[int],
        keep_alive: list[object],
        new_bytes_too: bool,
    ) -> tuple[int, int, int, int, int]:
        """(nodes, nodes seen by earlier samples, saved bytes, nodes new to `counted`, their bytes)."""
        seen: set[int] = set()
        own_storages: set[int] = set()
        stack: list[Any] = [t.grad_fn for t in roots]
        nodes = old = saved = new_nodes = new_bytes = 0
        while stack and nodes < NODE_LIMIT:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            keep_alive.append(node)
            # Leaf accumulators stand for parameters, which live anyway: not graph growth.
            if type(node).__name__ == "AccumulateGrad":
                continue
            nodes += 1
            metadata = _metadata(node)
            is_old = False
            if index is not None and metadata is not None:
                is_old = metadata.setdefault(AGE_KEY, index) < index
                old += is_old
            tensors = self._saved_tensors(node, metadata) if is_old or new_bytes_too else []
            saved += sum(_tensor_bytes(t, own_storages) for t in tensors)
            if id(node) not in counted:
                counted.add(id(node))
                new_nodes += 1
                new_bytes += sum(_tensor_bytes(t, storages) for t in tensors)
            stack.extend(child for child, _ in node.next_functions)
        return nodes, old, saved, new_nodes, new_bytes

    def _saved_tensors(self, node: Any, metadata: dict[str, Any] | None) -> list[torch.Tensor]:
        if metadata is not None and metadata.get(FREED_KEY):
            return []
        tensors: list[torch.Tensor] = []
        freed = False
        for name in self._names_for(type(node)):
            try:
                value = getattr(node, name)
            except RuntimeError:  # released by backward(): nothing held any more
                freed = True
                continue
            values = value if isinstance(value, (tuple, list)) else (value,)
            tensors.extend(t for t in values if isinstance(t, torch.Tensor))
        if freed and metadata is not None:
            metadata[FREED_KEY] = True
        return tensors

    def _names_for(self, node_type: type) -> tuple[str, ...]:
        names = self._saved_names.get(node_type)
        if names is None:
            names = tuple(
                name
                for name in dir(node_type)
                if (name.startswith("_saved_") and not name.endswith(("_sizes", "_strides")))
                or name == "saved_tensors"
            )
            self._saved_names[node_type] = names
        return names


def _plain(value: Any) -> bool:
    """A number or string, or a short tuple of them: holds no tensor."""
    if type(value) in _SCALARS:
        return True
    return type(value) is tuple and len(value) <= 8 and all(type(v) in _SCALARS for v in value)


def _metadata(node: Any) -> dict[str, Any] | None:
    try:
        metadata = node.metadata
    except (AttributeError, RuntimeError):
        return None
    return metadata if isinstance(metadata, dict) else None


def _tensor_bytes(tensor: torch.Tensor, storages: set[int]) -> int:
    # Parameters are saved by reference and live anyway; what leaks is activations and inputs.
    if tensor.is_leaf and tensor.requires_grad:
        return 0
    try:
        storage = tensor.untyped_storage()
    except (RuntimeError, NotImplementedError):
        return tensor.numel() * tensor.element_size()
    key = storage.data_ptr()
    if key in storages:
        return 0
    storages.add(key)
    return storage.nbytes()
