"""The intermediate form of one file: functions, classes, and their statements as a small tree.

Built in one pass over the libcst tree (see build.py); everything the rules need is derived
from this form, never from the syntax tree again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Union

import libcst as cst

if TYPE_CHECKING:
    from loopcheck.model import LoopModel


@dataclass(frozen=True, eq=False, repr=False)
class ArgInfo:
    """One argument of a call: its keyword, its dotted text when it is a plain name, the names it reads."""

    keyword: str | None
    dotted: str | None
    names: frozenset[str]
    node: cst.BaseExpression
    detached: bool
    """True when the value is turned into a plain number or a graph-free tensor (`.item()`, `.detach()`, ...)."""


AUTOGRAD_GRAD = frozenset({"torch.autograd.grad", "autograd.grad"})


@dataclass(eq=False, repr=False)
class CallSite:
    """A call in evaluation order: `optimizer.step()`, `scaler.scale(loss).backward()`, `torch.optim.SGD(...)`."""

    node: cst.Call
    dotted: str | None
    """The callee as dotted text (`optimizer.step`), or None when the callee is no plain name chain."""
    method: str | None
    """The last segment of the callee (`step`), also when the receiver is itself a call."""
    receiver: str | None
    """The dotted text of the receiver (`optimizer`, `self.optimizer`) when it is a plain name chain."""
    inner: CallSite | None
    """The receiver when it is itself a call (`scaler.scale(loss)` in `scaler.scale(loss).backward()`)."""
    args: tuple[ArgInfo, ...]
    live: bool = True
    """False when the call's result is consumed by something that drops the graph (`.item()`, `==`)."""
    receiver_root: str | None = None
    """The name the receiver flows from, also through subscripts: `history` in `history["loss"].append(x)`."""
    element: tuple[str, str] | None = None
    """For `optimizers["g"].step()`: the container's dotted name and the element's text."""

    def keyword(self, name: str) -> ArgInfo | None:
        return next((a for a in self.args if a.keyword == name), None)

    @property
    def takes_gradients(self) -> bool:
        """`torch.autograd.grad(loss, params)`: gradients computed from the graph, handed back
        instead of accumulated in `.grad` (MAML inner loops, gradient penalties, input gradients).
        Like backward(), it needs the graph its first argument carries."""
        return self.dotted in AUTOGRAD_GRAD

    def arg(self, position: int, keyword: str | None = None) -> ArgInfo | None:
        if keyword is not None:
            for a in self.args:
                if a.keyword == keyword:
                    return a
        positional = [a for a in self.args if a.keyword is None]
        return positional[position] if position < len(positional) else None


@dataclass(eq=False, repr=False)
class Simple:
    """A simple statement: its calls in evaluation order, and what it assigns or stores."""

    node: cst.CSTNode
    calls: list[CallSite]
    targets: tuple[str, ...] = ()
    """Dotted names assigned (`loss`, `self.optimizer`); `total` for `total += x`."""
    subscript_targets: tuple[str, ...] = ()
    """Containers written through a subscript: `history` for `history["loss"] = x`."""
    augmented: bool = False
    value: cst.BaseExpression | None = None
    value_names: frozenset[str] = frozenset()
    value_detached: bool = False
    value_call: CallSite | None = None
    grad_reset: bool = False
    """`p.grad = None` or `p.grad.zero_()`: resets the gradients it touches."""
    jump: str | None = None
    """continue, break, return or raise."""
    returned_names: frozenset[str] = frozenset()


@dataclass(eq=False, repr=False)
class Branch:
    """`if`/`elif`/`else` or `match`: the test's text and one block per arm."""

    node: cst.CSTNode
    test: str
    arms: list[Block]


@dataclass(eq=False, repr=False)
class With:
    """A with-block: its context managers' calls and the grad mode it sets."""

    node: cst.With
    items: list[CallSite]
    grad: str | None
    """'off' under no_grad/inference_mode/set_grad_enabled(False), 'on' under enable_grad, 'unknown'
    under set_grad_enabled(<expr>), None when the block does not touch grad mode."""
    body: Block


@dataclass(eq=False, repr=False)
class Try:
    """A try statement: its body, handlers, else and finally blocks."""

    node: cst.CSTNode
    body: Block
    handlers: list[Block]
    orelse: Block
    final: Block


@dataclass(eq=False, repr=False)
class Loop:
    """A loop: what it iterates over, its body and the function that holds it."""

    node: cst.For | cst.While | cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp
    """A for or while statement, or a comprehension (a loop inside an expression)."""
    iter_text: str
    iter_names: frozenset[str]
    targets: tuple[str, ...]
    body: Block
    orelse: Block
    function: FunctionInfo
    grad: str | None = None
    """The grad mode set by with-blocks around the loop inside its function, None when none is."""


Stmt = Union[Simple, Branch, With, Try, Loop]
Block = list  # list[Stmt]; a plain list keeps the builder simple


@dataclass(eq=False, repr=False)
class FunctionInfo:
    """A function, method, nested function or the module's own top-level code (name `<module>`)."""

    name: str
    node: cst.CSTNode
    params: tuple[str, ...]
    decorators: tuple[CallSite | str, ...]
    parent: FunctionInfo | None
    cls: ClassInfo | None
    file: FileIR | None = None
    """The file the function is defined in (set once the file is built)."""
    defaults: dict[str, object] = field(default_factory=dict)
    """Parameters whose default is a literal (`train=True`, `mode="train"`, `optimizer=None`)."""
    body: Block = field(default_factory=list)
    nested: dict[str, FunctionInfo] = field(default_factory=dict)
    nested_classes: dict[str, "ClassInfo"] = field(default_factory=dict)
    """Classes defined in the function's body (`class Net(nn.Module):` inside `fit(...)`)."""
    assignments: list[Simple] = field(default_factory=list)
    simples: list[Simple] = field(default_factory=list)
    """Every simple statement of the body (not of nested functions), in source order."""
    loops: list[Loop] = field(default_factory=list)
    declared_global: set[str] = field(default_factory=set)
    """Names of a `global` statement in the function: its assignments to them bind module names."""

    @property
    def qualname(self) -> str:
        prefix = f"{self.cls.name}." if self.cls is not None else ""
        outer = f"{self.parent.qualname}." if self.parent is not None and self.parent.name != "<module>" else ""
        return f"{outer}{prefix}{self.name}"


@dataclass(eq=False, repr=False)
class ClassInfo:
    """A class of the file: its bases, methods and the calls its methods make."""

    name: str
    node: cst.ClassDef
    bases: tuple[str, ...]
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    constructed: list[CallSite] = field(default_factory=list)
    """Every call made in the class's methods: the layers it builds live here."""
    file: FileIR | None = None


@dataclass(frozen=True)
class ImportRef:
    """Where an imported name comes from: `from .models import Net as N` is ("models", "Net", 1)."""

    module: str
    """The dotted module after the dots (may be empty for `from . import x`)."""
    name: str | None
    """The imported attribute, None for `import a.b` (the name is then the module itself)."""
    level: int
    """Leading dots of a relative import; 0 for absolute."""


@dataclass(eq=False, repr=False)
class FileIR:
    """One file's statements, functions, classes and imports, built once from its syntax tree."""

    module: cst.Module
    top: FunctionInfo
    functions: list[FunctionInfo]
    classes: dict[str, ClassInfo]
    imports: dict[str, str]
    """Local name → qualified name: `optim` → `torch.optim`, `StepLR` → `torch.optim.lr_scheduler.StepLR`."""
    import_refs: dict[str, ImportRef] = field(default_factory=dict)
    """Local name → where it comes from, relative imports included: resolved through the project."""
    star_imports: list[ImportRef] = field(default_factory=list)
    """`from models import *`: modules whose every public name this file sees."""
    path: str = ""
    top_classes: dict[str, ClassInfo] = field(default_factory=dict)
    """Classes defined at module level, the ones other files can import."""
    model: LoopModel | None = None
    """The loop model built over this file, which answers questions about its names."""


def all_statements(block: Block) -> Iterator[object]:
    """Every statement of a block, nested ones included, in source order."""
    for stmt in block:
        yield stmt
        if isinstance(stmt, Branch):
            for arm in stmt.arms:
                yield from all_statements(arm)
        elif isinstance(stmt, (With, Loop)):
            yield from all_statements(stmt.body)
        elif isinstance(stmt, Try):
            for part in (stmt.body, *stmt.handlers, stmt.orelse, stmt.final):
                yield from all_statements(part)
