"""The intermediate form of one file: functions, classes, and their statements as a small tree.

Built in one pass over the libcst tree (see build.py); everything the rules need is derived
from this form, never from the syntax tree again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Union

import libcst as cst

from loopcheck.records import Frozen, Value, _set

if TYPE_CHECKING:
    from loopcheck.model import LoopModel


@dataclass(init=False, eq=False, repr=False)
class ArgInfo(Frozen):
    """One argument of a call: its keyword, its dotted text when it is a plain name, the names it reads."""

    keyword: str | None
    dotted: str | None
    names: frozenset[str]
    node: cst.BaseExpression
    detached: bool
    """True when the value is turned into a plain number or a graph-free tensor (`.item()`, `.detach()`, ...)."""

    def __init__(
        self,
        keyword: str | None,
        dotted: str | None,
        names: frozenset[str],
        node: cst.BaseExpression,
        detached: bool,
    ) -> None:
        _set(self, "keyword", keyword)
        _set(self, "dotted", dotted)
        _set(self, "names", names)
        _set(self, "node", node)
        _set(self, "detached", detached)


AUTOGRAD_GRAD = frozenset({"torch.autograd.grad", "autograd.grad"})


@dataclass(init=False, eq=False, repr=False)
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

    def __init__(
        self,
        node: cst.Call,
        dotted: str | None,
        method: str | None,
        receiver: str | None,
        inner: CallSite | None,
        args: tuple[ArgInfo, ...],
        live: bool = True,
        receiver_root: str | None = None,
        element: tuple[str, str] | None = None,
    ) -> None:
        self.node = node
        self.dotted = dotted
        self.method = method
        self.receiver = receiver
        self.inner = inner
        self.args = args
        self.live = live
        self.receiver_root = receiver_root
        self.element = element

    def keyword(self, name: str) -> ArgInfo | None:
        return next((a for a in self.args if a.keyword == name), None)

    def takes_gradients_in(self, imports: dict[str, str]) -> bool:
        """`takes_gradients`, also for `grad(...)` imported from torch.autograd (`from
        torch.autograd import grad`), given the file's imports."""
        return self.takes_gradients or (
            self.dotted is not None and self.dotted == self.method and imports.get(self.dotted) == "torch.autograd.grad"
        )

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
        return positional[position] if 0 <= position < len(positional) else None


@dataclass(init=False, eq=False, repr=False)
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
    grad_set: bool = False
    """`alpha.grad = da - xi * h`: gradients computed elsewhere (`torch.autograd.grad`) put in
    place of what was accumulated; the next step uses them as it would a backward's."""
    jump: str | None = None
    """continue, break, return or raise."""
    returned_names: frozenset[str] = frozenset()

    def __init__(
        self,
        node: cst.CSTNode,
        calls: list[CallSite],
        targets: tuple[str, ...] = (),
        subscript_targets: tuple[str, ...] = (),
        augmented: bool = False,
        value: cst.BaseExpression | None = None,
        value_names: frozenset[str] = frozenset(),
        value_detached: bool = False,
        value_call: CallSite | None = None,
        grad_reset: bool = False,
        grad_set: bool = False,
        jump: str | None = None,
        returned_names: frozenset[str] = frozenset(),
    ) -> None:
        self.node = node
        self.calls = calls
        self.targets = targets
        self.subscript_targets = subscript_targets
        self.augmented = augmented
        self.value = value
        self.value_names = value_names
        self.value_detached = value_detached
        self.value_call = value_call
        self.grad_reset = grad_reset
        self.grad_set = grad_set
        self.jump = jump
        self.returned_names = returned_names


@dataclass(init=False, eq=False, repr=False)
class Branch:
    """`if`/`elif`/`else` or `match`: the test's text and one block per arm."""

    node: cst.CSTNode
    test: str
    arms: list[Block]

    def __init__(self, node: cst.CSTNode, test: str, arms: list[Block]) -> None:
        self.node = node
        self.test = test
        self.arms = arms


@dataclass(init=False, eq=False, repr=False)
class With:
    """A with-block: its context managers' calls and the grad mode it sets. Also the rest of a block
    after a grad switch written as a statement (`torch.set_grad_enabled(False)`): `node` is then
    that statement, and `written_items` is empty."""

    node: cst.With | cst.CSTNode
    items: list[CallSite]
    grad: str | None
    """'off' under no_grad/inference_mode/set_grad_enabled(False), 'on' under enable_grad, 'unknown'
    under set_grad_enabled(<expr>), None when the block does not touch grad mode."""
    body: Block
    chosen_by: cst.IfExp | None = None
    """For `with context:` where `context = torch.enable_grad() if train else torch.no_grad()`: the
    choice the name was bound to (its arms are among `items`)."""

    def __init__(
        self, node: cst.With | cst.CSTNode, items: list[CallSite], grad: str | None, body: Block, chosen_by: cst.IfExp | None = None
    ) -> None:
        self.node = node
        self.items = items
        self.grad = grad
        self.body = body
        self.chosen_by = chosen_by

    @property
    def written_items(self) -> tuple[cst.WithItem, ...]:
        """The items of the `with` statement (none for a statement-form switch)."""
        return tuple(self.node.items) if isinstance(self.node, cst.With) else ()


@dataclass(init=False, eq=False, repr=False)
class Try:
    """A try statement: its body, handlers, else and finally blocks."""

    node: cst.CSTNode
    body: Block
    handlers: list[Block]
    orelse: Block
    final: Block

    def __init__(self, node: cst.CSTNode, body: Block, handlers: list[Block], orelse: Block, final: Block) -> None:
        self.node = node
        self.body = body
        self.handlers = handlers
        self.orelse = orelse
        self.final = final


@dataclass(init=False, eq=False, repr=False)
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

    def __init__(
        self,
        node: cst.For | cst.While | cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp,
        iter_text: str,
        iter_names: frozenset[str],
        targets: tuple[str, ...],
        body: Block,
        orelse: Block,
        function: FunctionInfo,
        grad: str | None = None,
    ) -> None:
        self.node = node
        self.iter_text = iter_text
        self.iter_names = iter_names
        self.targets = targets
        self.body = body
        self.orelse = orelse
        self.function = function
        self.grad = grad


Stmt = Union[Simple, Branch, With, Try, Loop]
Block = list  # list[Stmt]; a plain list keeps the builder simple


@dataclass(init=False, eq=False, repr=False)
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

    def __init__(
        self,
        name: str,
        node: cst.CSTNode,
        params: tuple[str, ...],
        decorators: tuple[CallSite | str, ...],
        parent: FunctionInfo | None,
        cls: ClassInfo | None,
        file: FileIR | None = None,
        defaults: dict[str, object] | None = None,
        body: Block | None = None,
        nested: dict[str, FunctionInfo] | None = None,
        nested_classes: dict[str, "ClassInfo"] | None = None,
        assignments: list[Simple] | None = None,
        simples: list[Simple] | None = None,
        loops: list[Loop] | None = None,
        declared_global: set[str] | None = None,
    ) -> None:
        self.name = name
        self.node = node
        self.params = params
        self.decorators = decorators
        self.parent = parent
        self.cls = cls
        self.file = file
        self.defaults = {} if defaults is None else defaults
        self.body = [] if body is None else body
        self.nested = {} if nested is None else nested
        self.nested_classes = {} if nested_classes is None else nested_classes
        self.assignments = [] if assignments is None else assignments
        self.simples = [] if simples is None else simples
        self.loops = [] if loops is None else loops
        self.declared_global = set() if declared_global is None else declared_global

    def argument_index(self, name: str) -> int:
        """The position a call gives parameter `name` (a method's `self` is the receiver, not an argument)."""
        return self.params.index(name) - (1 if self.cls is not None and self.params[:1] == ("self",) else 0)

    @property
    def qualname(self) -> str:
        prefix = f"{self.cls.name}." if self.cls is not None else ""
        outer = f"{self.parent.qualname}." if self.parent is not None and self.parent.name != "<module>" else ""
        return f"{outer}{prefix}{self.name}"


@dataclass(init=False, eq=False, repr=False)
class ClassInfo:
    """A class of the file: its bases, methods and the calls its methods make."""

    name: str
    node: cst.ClassDef
    bases: tuple[str, ...]
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    constructed: list[CallSite] = field(default_factory=list)
    """Every call made in the class's methods: the layers it builds live here."""
    file: FileIR | None = None

    def __init__(
        self,
        name: str,
        node: cst.ClassDef,
        bases: tuple[str, ...],
        methods: dict[str, FunctionInfo] | None = None,
        constructed: list[CallSite] | None = None,
        file: FileIR | None = None,
    ) -> None:
        self.name = name
        self.node = node
        self.bases = bases
        self.methods = {} if methods is None else methods
        self.constructed = [] if constructed is None else constructed
        self.file = file


@dataclass(init=False, eq=False, repr=False)
class ImportRef(Value):
    """Where an imported name comes from: `from .models import Net as N` is ("models", "Net", 1)."""

    module: str
    """The dotted module after the dots (may be empty for `from . import x`)."""
    name: str | None
    """The imported attribute, None for `import a.b` (the name is then the module itself)."""
    level: int
    """Leading dots of a relative import; 0 for absolute."""

    def __init__(self, module: str, name: str | None, level: int) -> None:
        _set(self, "module", module)
        _set(self, "name", name)
        _set(self, "level", level)

    def _values(self) -> tuple[object, ...]:
        return (self.module, self.name, self.level)


@dataclass(init=False, eq=False, repr=False)
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
    import_alternatives: dict[str, list[ImportRef]] = field(default_factory=dict)
    """Local names imported from several places (in different branches): every one of them."""
    order: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Source order without positions: by `id` of a statement, a loop, a function or class
    definition, or a call, the numbers the build pass counted when it entered and left the
    statement (a call, a header and a comprehension take their statement's entry number and
    end with it). Statements after a jump (never run, left out of the IR) are not there."""
    import_sites: dict[str, list[tuple[ImportRef, cst.CSTNode]]] = field(default_factory=dict)
    """Every import statement of each local name, with where it comes from, in source order: a
    script that imports `trainer` again and again calls the one imported last above the call."""
    class_versions: dict[str, list[ClassInfo]] = field(default_factory=dict)
    """Module-level classes defined more than once (a notebook's cell that defines `Classifier`
    again, with dropout): every definition, in source order."""
    constants: dict[str, object] = field(default_factory=dict)
    """The module's settings bound once, at its top level, to a literal (`EPOCHS = 50`, `EVAL =
    False`) and never again (see build.module_constants)."""
    options: dict[str, object] = field(default_factory=dict)
    """Command-line options that no command line can change (`add_argument("--fastmode",
    action="store_true", default=True)` is always True), by their destination (see
    build.constant_options)."""

    def __init__(
        self,
        module: cst.Module,
        top: FunctionInfo,
        functions: list[FunctionInfo],
        classes: dict[str, ClassInfo],
        imports: dict[str, str],
        import_refs: dict[str, ImportRef] | None = None,
        star_imports: list[ImportRef] | None = None,
        path: str = "",
        top_classes: dict[str, ClassInfo] | None = None,
        model: LoopModel | None = None,
        import_alternatives: dict[str, list[ImportRef]] | None = None,
        order: dict[int, tuple[int, int]] | None = None,
        import_sites: dict[str, list[tuple[ImportRef, cst.CSTNode]]] | None = None,
        class_versions: dict[str, list[ClassInfo]] | None = None,
        constants: dict[str, object] | None = None,
        options: dict[str, object] | None = None,
    ) -> None:
        self.module = module
        self.top = top
        self.functions = functions
        self.classes = classes
        self.imports = imports
        self.import_refs = {} if import_refs is None else import_refs
        self.star_imports = [] if star_imports is None else star_imports
        self.path = path
        self.top_classes = {} if top_classes is None else top_classes
        self.model = model
        self.import_alternatives = {} if import_alternatives is None else import_alternatives
        self.order = {} if order is None else order
        self.import_sites = {} if import_sites is None else import_sites
        self.class_versions = {} if class_versions is None else class_versions
        self.constants = {} if constants is None else constants
        self.options = {} if options is None else options


def runs_once(loop: Loop) -> bool:
    """Does the loop's body end its first iteration with an unconditional `break` (a statement of
    the body itself, under no test)? Then it runs at most once."""
    return any(isinstance(stmt, Simple) and stmt.jump == "break" for stmt in loop.body)


def inner_blocks(stmt: object) -> list[Block]:
    """The blocks a compound statement holds, in source order (an `if`'s arms, a loop's or `with`'s
    body, a `try`'s parts); none for a simple statement."""
    if isinstance(stmt, Branch):
        return list(stmt.arms)
    if isinstance(stmt, (With, Loop)):
        return [stmt.body]
    if isinstance(stmt, Try):
        return [stmt.body, *stmt.handlers, stmt.orelse, stmt.final]
    return []


def all_statements(block: Block) -> Iterator[object]:
    """Every statement of a block, nested ones included, in source order."""
    for stmt in block:
        yield stmt
        for part in inner_blocks(stmt):
            yield from all_statements(part)
