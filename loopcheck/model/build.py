"""One pass over a libcst module that produces the file's intermediate form (ir.py).

Statements are converted recursively, expressions are scanned once for their calls in
evaluation order; no libcst metadata is resolved here (positions are computed later, and
only for files that have findings).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model.text import expression_text
from loopcheck.model.ir import (
    ArgInfo,
    Block,
    Branch,
    CallSite,
    ClassInfo,
    FileIR,
    FunctionInfo,
    ImportRef,
    Loop,
    Simple,
    Try,
    With,
)
from loopcheck.records import Described

# Calls whose result carries no autograd graph: a number, a detached tensor, a shape.
DETACHING_METHODS = frozenset(
    {"item", "detach", "detach_", "tolist", "numpy", "size", "numel", "dim", "argmax", "argmin", "argsort",
     "nonzero", "argwhere", "long", "int", "bool", "nelement", "element_size", "data_ptr",
     "is_floating_point", "type", "eq", "ne", "gt", "lt", "ge", "le", "logical_and", "logical_or", "logical_not",
     "logical_xor", "isnan", "isinf", "isfinite"}
)
DETACHING_FUNCTIONS = frozenset(
    {"float", "int", "bool", "str", "len", "round", "isinstance", "repr", "format", "print", "id", "type"}
)
_EXITS = frozenset({"exit", "quit", "sys.exit", "os._exit"})
"""Calls that end the program: a statement after them never runs."""
DETACHING_ATTRIBUTES = frozenset({"data", "shape", "dtype", "device", "requires_grad", "grad_fn", "ndim"})


def declared_params(parameters: cst.Parameters) -> tuple[cst.Param, ...]:
    """The named parameters of a `def` or `lambda`, in order: positional-only, the others,
    keyword-only (not `*args` or `**kwargs`)."""
    return (*parameters.posonly_params, *parameters.params, *parameters.kwonly_params)


def nodes_within(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node and every node below it (for the few nodes of one expression or statement; the
    file itself is walked once, by the builder)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def dotted_name(node: cst.CSTNode) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    # (exact types, here and in the build pass's other hot paths: every libcst class is an ABC,
    # and an `isinstance` against one goes through abc's slow check)
    kind = type(node)
    if kind is cst.Name:
        return node.value  # type: ignore[attr-defined]
    parts: list[str] = []
    while kind is cst.Attribute:
        parts.append(node.attr.value)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
        kind = type(node)
    if kind is cst.Name:
        parts.append(node.value)  # type: ignore[attr-defined]
        return ".".join(reversed(parts))
    return None


def callee_last_name(call: cst.Call) -> str:
    """The last name of what a call calls: `cuda` of `torch.zeros(2, 4).cuda()`, `randn` of
    `torch.randn(1, 3)`; empty for a callee that is no name (`models[i](x)`)."""
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""


def flow_name(node: cst.CSTNode) -> str | None:
    """The name a value flows through: the root of a chain, or `self.x` for attributes of self."""
    chain: list[str] = []
    kind = type(node)
    while kind is cst.Attribute or kind is cst.Subscript:
        if kind is cst.Attribute:
            chain.append(node.attr.value)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
        kind = type(node)
    if kind is cst.Name:
        if node.value == "self" and chain:
            return f"self.{chain[-1]}"
        return node.value
    return None


@dataclass(init=False, eq=False, repr=False)
class _Comprehension(Described):
    """An outermost comprehension of an expression: a loop of its own in the model."""

    node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp
    iter_names: frozenset[str]
    targets: tuple[str, ...]
    calls: list[CallSite]

    def __init__(
        self,
        node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp,
        iter_names: frozenset[str],
        targets: tuple[str, ...],
        calls: list[CallSite],
    ) -> None:
        self.node = node
        self.iter_names = iter_names
        self.targets = targets
        self.calls = calls


class _ExpressionScan:
    """Collects the calls of an expression in evaluation order and the names whose values flow into it."""

    code: Callable[[cst.CSTNode], str] = staticmethod(expression_text)

    def __init__(self) -> None:
        self.calls: list[CallSite] = []
        self.comprehensions: list[_Comprehension] = []
        self._comprehension_depth = 0

    def scan(self, node: cst.CSTNode) -> frozenset[str]:
        names: set[str] = set()
        self._visit(node, names, live=True)
        return frozenset(names)

    def _visit(self, node: cst.CSTNode, names: set[str], live: bool) -> CallSite | None:
        kind = type(node)
        if kind in _LITERALS:
            return None
        if kind is cst.Call:
            return self._call(node, names, live)  # type: ignore[arg-type]
        if kind is cst.Lambda:
            return None  # the body runs later, if at all
        if kind is cst.Name:
            if live:
                names.add(node.value)  # type: ignore[attr-defined]
            return None
        if kind is cst.Attribute:
            if node.attr.value in DETACHING_ATTRIBUTES:
                live = False
            root = flow_name(node)
            if live and root is not None:
                names.add(root)
                live = False  # the chain's root is recorded; still scan for calls inside it
            self._visit(node.value, names, live)
            return None
        if kind is cst.Comparison:
            live = False  # comparisons produce tensors without a graph
        if kind in _COMPREHENSIONS:
            self._comprehension(node, names, live)  # type: ignore[arg-type]
            return None
        for child in _sub_expressions(node):
            self._visit(child, names, live)
        return None

    def _comprehension(
        self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp, names: set[str], live: bool
    ) -> None:
        # The element is the value; what the loops iterate over flows in only through the element.
        first_call = len(self.calls)
        self._comprehension_depth += 1
        element: set[str] = set()
        if isinstance(node, cst.DictComp):
            self._visit(node.key, element, live)
            self._visit(node.value, element, live)
        else:
            self._visit(node.elt, element, live)
        iterated: set[str] = set()
        bound: set[str] = set()
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            self._visit(clause.iter, iterated, live)
            bound.update(_targets(clause.target)[0])
            for condition in clause.ifs:
                self._visit(condition, set(), False)
            clause = clause.inner_for_in
        self._comprehension_depth -= 1
        names.update(element - bound)
        if element & bound:
            names.update(iterated - bound)
        if self._comprehension_depth == 0 and len(self.calls) > first_call:
            self.comprehensions.append(
                _Comprehension(node, frozenset(iterated - bound), tuple(sorted(bound)), self.calls[first_call:])
            )

    def _call(self, node: cst.Call, names: set[str], live: bool) -> CallSite:
        func = node.func
        method: str | None = None
        receiver: str | None = None
        inner: CallSite | None = None
        dotted = dotted_name(func)
        attribute = type(func) is cst.Attribute
        if attribute:
            method = func.attr.value
            receiver = dotted_name(func.value)
        elif type(func) is cst.Name:
            method = func.value
        wrapped = grad_wrapped(func)
        if wrapped is not None:
            # `torch.no_grad()(self.one_epoch)(False)`: a call of `self.one_epoch` in that grad mode
            dotted = dotted_name(wrapped)
            method = dotted.rsplit(".", 1)[-1] if dotted else None
            receiver = dotted.rsplit(".", 1)[0] if dotted and "." in dotted else None
        detaching = (method in DETACHING_METHODS and attribute) or (
            type(func) is cst.Name and func.value in DETACHING_FUNCTIONS
        )
        inner_live = live and not detaching
        # The receiver is evaluated first, then the arguments, then the call itself.
        if attribute:
            if type(func.value) is cst.Call:
                inner = self._call(func.value, names, inner_live)
            else:
                self._visit(func.value, names, inner_live)
        elif type(func) is not cst.Name:
            self._visit(func, names, inner_live)
        args: list[ArgInfo] = []
        for arg in node.args:
            arg_names: set[str] = set()
            first_call = len(self.calls)
            self._visit(arg.value, arg_names, True)
            if not inner_live:
                for dropped in self.calls[first_call:]:
                    dropped.live = False
            arg_detached = not arg_names
            if inner_live and not arg_detached:
                names.update(arg_names)
            args.append(
                ArgInfo(
                    keyword=arg.keyword.value if arg.keyword is not None else None,
                    dotted=dotted_name(arg.value),
                    names=frozenset(arg_names),
                    node=arg.value,
                    detached=arg_detached,
                )
            )
        site = CallSite(
            node=node,
            dotted=dotted,
            method=method,
            receiver=receiver,
            inner=inner,
            args=tuple(args),
            live=live,
            receiver_root=flow_name(func.value) if attribute else None,
            element=_element(func.value, self.code) if attribute else None,
        )
        self.calls.append(site)
        return site


_GRAD_WRAPPERS = {"no_grad": "off", "inference_mode": "off", "enable_grad": "on"}


def grad_wrapped(func: cst.BaseExpression) -> cst.BaseExpression | None:
    """The function a grad-mode decorator is applied to on the spot: `f` of `torch.no_grad()(f)`."""
    if type(func) is not cst.Call or len(func.args) != 1 or func.args[0].keyword is not None:  # type: ignore[attr-defined]
        return None
    return func.args[0].value if wrapper_grad(func.func) is not None else None


def wrapper_grad(node: cst.BaseExpression) -> str | None:
    """'off' for `torch.no_grad()` / `torch.inference_mode()`, 'on' for `torch.enable_grad()`."""
    if not isinstance(node, cst.Call) or node.args:
        return None
    return _GRAD_WRAPPERS.get((dotted_name(node.func) or "").rsplit(".", 1)[-1])


_LITERALS = frozenset({cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.Ellipsis})
_COMPREHENSIONS = frozenset({cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp})


def _sub_expressions(node: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """The expressions inside an expression, read directly for the common kinds (libcst's generic
    `children` visits every token and whitespace node, several times slower)."""
    kind = type(node)
    if kind is cst.BinaryOperation or kind is cst.BooleanOperation:
        return (node.left, node.right)  # type: ignore[attr-defined]
    if kind is cst.UnaryOperation:
        return (node.expression,)  # type: ignore[attr-defined]
    if kind is cst.Comparison:
        return (node.left, *(c.comparator for c in node.comparisons))  # type: ignore[attr-defined]
    if kind is cst.Subscript:
        parts: list[cst.CSTNode] = [node.value]  # type: ignore[attr-defined]
        for element in node.slice:  # type: ignore[attr-defined]
            index = element.slice
            if isinstance(index, cst.Index):
                parts.append(index.value)
            elif isinstance(index, cst.Slice):
                parts.extend(p for p in (index.lower, index.upper, index.step) if p is not None)
        return parts
    if kind in (cst.Tuple, cst.List, cst.Set):
        return [e.value for e in node.elements]  # type: ignore[attr-defined]
    if kind is cst.Dict:
        return [part for e in node.elements for part in ((e.key, e.value) if isinstance(e, cst.DictElement) else (e.value,))]  # type: ignore[attr-defined]
    if kind is cst.IfExp:
        return (node.test, node.body, node.orelse)  # type: ignore[attr-defined]
    if kind is cst.Await:
        return (node.expression,)  # type: ignore[attr-defined]
    if kind is cst.StarredElement or kind is cst.Yield:
        return (node.value,) if getattr(node, "value", None) is not None else ()  # type: ignore[attr-defined]
    if kind is cst.NamedExpr:
        return (node.target, node.value)  # type: ignore[attr-defined]
    return node.children


def functions_within(function: FunctionInfo) -> list[FunctionInfo]:
    """A function and the functions nested in it (`def block(...)` inside `__init__`)."""
    found = [function]
    for nested in function.nested.values():
        found.extend(functions_within(nested))
    return found


def _element(node: cst.BaseExpression, code: Callable[[cst.CSTNode], str]) -> tuple[str, str] | None:
    """`("optimizers", 'optimizers["g"]')` for the receiver `optimizers["g"]` of a method call."""
    if type(node) is not cst.Subscript:
        return None
    container = dotted_name(node.value)  # type: ignore[attr-defined]
    return (container, code(node)) if container is not None else None


def _targets(node: cst.BaseExpression) -> tuple[list[str], list[str]]:
    """Assigned names, and containers written through a subscript."""
    names: list[str] = []
    containers: list[str] = []
    if type(node) in (cst.Tuple, cst.List):
        for element in node.elements:
            sub_names, sub_containers = _targets(element.value)
            names.extend(sub_names)
            containers.extend(sub_containers)
    elif type(node) is cst.StarredElement:
        return _targets(node.value)
    elif type(node) is cst.Subscript:
        root = flow_name(node)
        if root is not None:
            containers.append(root)
    else:
        dotted = dotted_name(node)
        if dotted is not None:
            names.append(dotted)
    return names, containers


def _is_grad_attribute(node: cst.BaseExpression) -> bool:
    """`p.grad`, or `shared_param._grad` (the attribute behind it, set to hand gradients over)."""
    return type(node) is cst.Attribute and node.attr.value in ("grad", "_grad")


def _replaces_gradient(target: cst.Attribute, value: cst.BaseExpression | None) -> bool:
    """`p.grad = None`, or `p.grad = torch.from_numpy(g)` (gradients computed elsewhere): what was
    accumulated is gone. Not `p.grad = p.grad / n`, which keeps it."""
    if value is None:
        return False
    if isinstance(value, cst.Name) and value.value == "None":
        return True
    kept = expression_text(target)
    return not any(
        type(node) is cst.Attribute and node.attr.value in ("grad", "_grad") and expression_text(node) == kept
        for node in nodes_within(value)
    )


_NO_GRADIENT = lazy(r"^(None|0|0\.0|(torch\.)?zeros(_like)?\(.*\)|.*\.new_zeros\(.*\))$", re.DOTALL)


def _sets_gradient(value: cst.BaseExpression | None) -> bool:
    """Is the value assigned to `p.grad` a gradient (not None, not zeros: a reset)?"""
    return value is not None and not _NO_GRADIENT.match(expression_text(value))


class FileBuilder:
    """Turns a parsed module into a FileIR in one recursive pass."""

    def __init__(
        self, module: cst.Module, path: str = "", text: str | None = None,
        star_aliases: Callable[[str, int], dict[str, str]] | None = None,
    ) -> None:
        self.module = module
        self.path = path
        self._star_aliases = star_aliases
        """What a star import of a module brings that qualifies names (`t` for `torch`), when known."""
        if text is None:
            text = module.code
        self._constants = module_constants(module, text)
        """The module's settings bound once to a literal (`EVAL = False`): tests on them are decided."""
        self._autocast_depth = 0
        self._autocast_functions: set[int] = set()
        """Functions with a `with autocast(...):` block built so far (by id), and how many such
        blocks are around the statement being built."""
        self._global_autocast = "set_autocast_enabled" in text
        self._options = constant_options(text)
        """Command-line options no command line can change (`store_true` with `default=True`)."""
        self.functions: list[FunctionInfo] = []
        self.classes: dict[str, ClassInfo] = {}
        self.top_classes: dict[str, ClassInfo] = {}
        self.class_versions: dict[str, list[ClassInfo]] = {}
        self.imports: dict[str, str] = {}
        self.import_refs: dict[str, ImportRef] = {}
        self.import_alternatives: dict[str, list[ImportRef]] = {}
        self.import_sites: dict[str, list[tuple[ImportRef, cst.CSTNode]]] = {}
        self.star_imports: list[ImportRef] = []
        self._grad_stack: list[str] = []
        self._order: dict[int, tuple[int, int]] = {}
        self._count = 0
        self._module_block: Block | None = None
        """The module's own body, whose imports run unconditionally, one after the other."""

    def _tick(self) -> int:
        self._count += 1
        return self._count

    def _static_truth(self, test: cst.BaseExpression, function: FunctionInfo) -> bool | None:
        """The value of a test decided as the file stands: a literal (`if 0:`, `if False:`), a
        setting of the module (`if EVAL:` with `EVAL = False`) that no enclosing function takes as
        a parameter, `not` and `and`/`or` of those; None when it is not decided."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self._static_truth(test.expression, function)
            return None if inner is None else not inner
        if isinstance(test, cst.BooleanOperation):
            left, right = self._static_truth(test.left, function), self._static_truth(test.right, function)
            decisive = isinstance(test.operator, cst.Or)
            if left is decisive or right is decisive:
                return decisive  # `False and ?`, `True or ?`
            return None if left is None or right is None else decisive is False
        if isinstance(test, cst.Name) and test.value in self._constants:
            current: FunctionInfo | None = function
            while current is not None:
                if test.value in current.params:
                    return None
                current = current.parent
            return bool(self._constants[test.value])
        if (
            isinstance(test, cst.Call) and not test.args and (dotted_name(test.func) or "").rsplit(".", 1)[-1] == "is_autocast_enabled"
            and id(function) in self._autocast_functions and not self._autocast_depth and not self._global_autocast
        ):
            # `if torch.is_autocast_enabled():` after the function's `with autocast(...):` block has
            # closed, in a file that never turns autocast on for good: False
            return False
        if (
            isinstance(test, cst.Attribute) and isinstance(test.value, cst.Name)
            and test.attr.value in self._options and test.value.value not in self._constants
        ):
            return bool(self._options[test.attr.value])  # `if not args.fastmode:` with `--fastmode` always set
        constant = _constant(test)
        return None if constant is _NOT_CONSTANT or isinstance(test, cst.SimpleString) else bool(constant)

    def _never_iterates(self, node: cst.For | cst.While, function: FunctionInfo) -> bool:
        """`for _ in range(0):`, `for x in []:` or `while False:`: the body never runs."""
        if isinstance(node, cst.While):
            return self._static_truth(node.test, function) is False
        iterated = node.iter
        if isinstance(iterated, (cst.List, cst.Tuple)):
            return not iterated.elements
        if isinstance(iterated, cst.Call) and isinstance(iterated.func, cst.Name) and iterated.func.value == "range":
            if len(iterated.args) == 1 and iterated.args[0].keyword is None and iterated.args[0].star == "":
                count = iterated.args[0].value
                if isinstance(count, cst.Name) and count.value in self._constants:
                    return self._static_truth(count, function) is False and isinstance(self._constants[count.value], int)
                return isinstance(count, cst.Integer) and _constant(count) == 0
        return False

    def build(self) -> FileIR:
        top = FunctionInfo(name="<module>", node=self.module, params=(), decorators=(), parent=None, cls=None)
        self.functions.append(top)
        top.body = self._block(self.module.body, top)
        ir = FileIR(
            module=self.module,
            top=top,
            functions=self.functions,
            classes=self.classes,
            imports=self.imports,
            import_refs=self.import_refs,
            star_imports=self.star_imports,
            path=self.path,
            top_classes=self.top_classes,
            import_alternatives=self.import_alternatives,
            import_sites=self.import_sites,
            order=self._order,
            class_versions={name: found for name, found in self.class_versions.items() if len(found) > 1},
            constants=self._constants,
            options=self._options,
        )
        for function in self.functions:
            function.file = ir
        for cls in self.classes.values():
            cls.file = ir
        for cls in self.top_classes.values():
            cls.file = ir
        for versions in self.class_versions.values():
            for cls in versions:
                cls.file = ir  # (a class defined again: every definition belongs to the file)
        return ir

    # statements -------------------------------------------------------------------------

    def _block(self, statements: object, function: FunctionInfo) -> Block:
        block: Block = []
        if function.parent is None and self._module_block is None:
            self._module_block = block
        statements = list(statements)  # type: ignore[call-overload]
        for index, statement in enumerate(statements):
            self._statement(statement, function, block)
            if _jumps_away(statement, function):
                break  # what follows in the block never runs
            switch = self._grad_switch(statement) or (self._branch_switch(statement) if type(statement) is cst.If else None)
            if switch is not None:
                # `torch.set_grad_enabled(False)` as a statement: the rest of the block runs so
                # (an evaluation script that turns grad off once at the top)
                calls, grad = switch
                self._grad_stack.append(grad)
                try:
                    rest = self._block(statements[index + 1 :], function)
                finally:
                    self._grad_stack.pop()
                block.append(With(node=statement, items=calls, grad=grad, body=rest))
                break
        return block

    def _grad_switch(self, statement: cst.CSTNode) -> tuple[list[CallSite], str] | None:
        """`torch.set_grad_enabled(False)` (or `True`) called as a statement of its own, or one of
        two such calls chosen by a test (`torch.set_grad_enabled(True) if phase == "train" else
        torch.set_grad_enabled(False)`: known per call, when the test is): its calls and grad mode."""
        if type(statement) is not cst.SimpleStatementLine or len(statement.body) != 1:  # type: ignore[attr-defined]
            return None
        small = statement.body[0]  # type: ignore[attr-defined]
        if type(small) is not cst.Expr:
            return None
        if type(small.value) is cst.IfExp:
            arms = [self._grad_switch_call(arm) for arm in (small.value.body, small.value.orelse)]
            if arms[0] is None or arms[1] is None:
                return None
            modes = {arms[0][1], arms[1][1]}
            return [arms[0][0], arms[1][0]], (modes.pop() if len(modes) == 1 else "unknown")
        found = self._grad_switch_call(small.value)
        return ([found[0]], found[1]) if found is not None else None

    def _branch_switch(self, statement: cst.If) -> tuple[list[CallSite], str] | None:
        """`if mode == Mode.TRAIN: torch.set_grad_enabled(True)` `else: torch.set_grad_enabled(False)`:
        each arm of an if/else switches grad mode as a statement of its own, and the switch lasts
        past the branch. Its calls (the `if` arm's first) and the grad mode that follows it: one mode
        when both arms set it, else known per call when the test is."""
        orelse = statement.orelse
        if type(orelse) is not cst.Else:
            return None
        found: list[tuple[CallSite, str]] = []
        for suite in (statement.body, orelse.body):
            last = None
            for inner in suite.body if isinstance(suite, cst.IndentedBlock) else ():
                switch = self._grad_switch(inner)
                if switch is not None and len(switch[0]) == 1:
                    last = (switch[0][0], switch[1])
            if last is None:
                return None
            found.append(last)
        modes = {found[0][1], found[1][1]}
        return [found[0][0], found[1][0]], (modes.pop() if len(modes) == 1 else "unknown")

    def _grad_switch_call(self, expression: cst.BaseExpression) -> tuple[CallSite, str] | None:
        """`torch.set_grad_enabled(<flag>)`: its call and the grad mode it sets."""
        if type(expression) is not cst.Call:
            return None
        scan = _ExpressionScan()
        scan.scan(expression)
        call = scan.calls[-1] if scan.calls else None
        if call is None or not (qualify(call.dotted, self.imports) or "").endswith("set_grad_enabled"):
            return None
        flag = call.arg(0, "mode")
        if flag is None:
            return None
        if not isinstance(flag.node, cst.Name) or flag.node.value not in ("True", "False"):
            return call, "unknown"  # `torch.set_grad_enabled(split == "train")`: known per call, if at all
        return call, ("on" if flag.node.value == "True" else "off")

    def _suite(self, suite: cst.BaseSuite, function: FunctionInfo) -> Block:
        if isinstance(suite, cst.IndentedBlock):
            return self._block(suite.body, function)
        return self._block(suite.body, function)  # SimpleStatementSuite: small statements

    def _statement(self, node: cst.CSTNode, function: FunctionInfo, block: Block) -> None:
        start = self._tick()
        self._kind_of_statement(node, function, block)
        self._order[id(node)] = (start, self._tick())  # (over the mark a header call gave a `with`)

    def _kind_of_statement(self, node: cst.CSTNode, function: FunctionInfo, block: Block) -> None:
        if type(node) is cst.SimpleStatementLine:
            for small in node.body:
                start = self._tick()
                self._small(small, function, block)
                self._order[id(small)] = (start, self._tick())
        elif type(node) is cst.If:
            self._if(node, function, block)
        elif type(node) in (cst.For, cst.While):
            self._loop(node, function, block)
        elif type(node) is cst.With:
            self._with(node, function, block)
        elif type(node) in (cst.Try, cst.TryStar):
            self._try(node, function, block)
        elif type(node) is cst.FunctionDef:
            self._function(node, function)
        elif type(node) is cst.ClassDef:
            self._class(node, function)
        elif type(node) is cst.Match:
            self._match(node, function, block)
        elif isinstance(node, cst.BaseSmallStatement):  # (of a one-line suite: `if x: return`)
            self._small(node, function, block)

    def _small(self, node: cst.BaseSmallStatement, function: FunctionInfo, block: Block) -> None:
        if type(node) is cst.Global:
            function.declared_global.update(item.name.value for item in node.names)
        scan = _ExpressionScan()
        simple = Simple(node=node, calls=scan.calls)
        kept = False
        if type(node) in (cst.Assign, cst.AnnAssign, cst.AugAssign):
            value = node.value
            if value is not None:
                simple.value_names = scan.scan(value)
                simple.value = value
                simple.value_detached = not simple.value_names
                if isinstance(value.expression if isinstance(value, cst.Await) else value, cst.Call) and scan.calls:
                    simple.value_call = scan.calls[-1]
            raw_targets = (
                [t.target for t in node.targets] if type(node) is cst.Assign else [node.target]
            )
            names: list[str] = []
            containers: list[str] = []
            for target in raw_targets:
                sub_names, sub_containers = _targets(target)
                names.extend(sub_names)
                containers.extend(sub_containers)
                scan.scan(target)  # calls inside subscripts, e.g. d[key()] = ...
                if _is_grad_attribute(target) and type(node) is cst.Assign and _replaces_gradient(target, value):
                    simple.grad_reset = True
                    simple.grad_set = _sets_gradient(value)
            simple.targets = tuple(names)
            simple.subscript_targets = tuple(containers)
            simple.augmented = type(node) is cst.AugAssign
            if names or containers:
                function.assignments.append(simple)
            else:
                # `model.layers[i].weight += lr * d`: a write into what a name holds, through a
                # subscript on the way (an update of a model's weights by hand)
                kept = any(type(target) is cst.Attribute and flow_name(target) is not None for target in raw_targets)
            if isinstance(value, cst.Lambda) and len(names) == 1 and "." not in names[0] and not containers:
                self._lambda(names[0], value, function)
        elif type(node) is cst.Expr:
            scan.scan(node.value)
            kept = isinstance(node.value, (cst.Name, cst.Tuple, cst.Attribute, cst.Comparison))  # a notebook shows it: a use
            if isinstance(node.value, cst.Call) and dotted_name(node.value.func) in _EXITS:
                simple.jump = "raise"  # `exit()`, `sys.exit(0)`: SystemExit, nothing after it runs
        elif type(node) is cst.Return:
            simple.jump = "return"
            if node.value is not None:
                simple.returned_names = scan.scan(node.value)
                simple.value = node.value
        elif type(node) is cst.Raise:
            simple.jump = "raise"
            if node.exc is not None:
                scan.scan(node.exc)
        elif type(node) is cst.Continue:
            simple.jump = "continue"
        elif type(node) is cst.Break:
            simple.jump = "break"
        elif type(node) in (cst.Import, cst.ImportFrom):
            self._import(node, unconditional=block is self._module_block)
            return
        elif type(node) is cst.Del:
            scan.scan(node.target)
        elif type(node) is cst.Assert:
            scan.scan(node.test)
            kept = True  # even without calls: `assert y.shape == (2, 3)` is a use of `y`
            if literal_value(node.test) in (False, 0, None, ""):
                simple.jump = "raise"  # `assert False, "unknown mode"`: AssertionError, nothing after it runs
        else:
            return
        for call in scan.calls:
            if call.method in ("zero_", "zero_grad") and call.inner is None and call.receiver and (
                call.receiver.endswith(".grad") or call.receiver.endswith(".grad.data")
            ):
                simple.grad_reset = True
        if simple.calls or simple.targets or simple.subscript_targets or simple.jump or simple.grad_reset or kept:
            self._emit(block, function, simple, scan)

    def _emit(self, block: Block, function: FunctionInfo, simple: Simple, scan: _ExpressionScan) -> None:
        """Add a statement; each comprehension in it becomes a loop of its own, just before it
        (`[self.step(x, y) for x, y in loader]` is a training loop, `sum(model(x) ... for x in
        val_loader)` an evaluation pass)."""
        mark = self._tick()
        place = self._order.setdefault(id(simple.node), (mark, mark))
        for call in simple.calls:
            self._order.setdefault(id(call.node), place)
        for comprehension in scan.comprehensions:
            self._order.setdefault(id(comprehension.node), place)
        for comprehension in scan.comprehensions:
            inside = {id(call) for call in comprehension.calls}
            simple.calls[:] = [call for call in simple.calls if id(call) not in inside]
            body = Simple(node=simple.node, calls=list(comprehension.calls))
            loop = Loop(
                node=comprehension.node,
                iter_text=expression_text(comprehension.node.for_in.iter),
                iter_names=comprehension.iter_names,
                targets=comprehension.targets,
                body=[body],
                orelse=[],
                function=function,
                grad=self._grad_stack[-1] if self._grad_stack else None,
            )
            function.loops.append(loop)
            function.simples.append(body)
            block.append(loop)
        block.append(simple)
        function.simples.append(simple)

    def _if(self, node: cst.If, function: FunctionInfo, block: Block, dispatch: bool | None = None) -> None:
        if dispatch is None:
            dispatch = _dispatch_on_one_option(node)
        scan = _ExpressionScan()
        scan.scan(node.test)
        if scan.calls:
            self._emit(block, function, Simple(node=node.test, calls=scan.calls), scan)
        truth = self._static_truth(node.test, function)
        if truth is None:
            truth = _not_another_framework(node.test)
        # (`if 0:`, `if False:`, `if EVAL:` with `EVAL = False` the module's setting: the arm the
        # test rules out never runs, and is left out of the model like code after a `return`; so is
        # the arm that runs another framework's code, `if self.framework == "tf":`)
        arms = [self._suite(node.body, function) if truth is not False else []]
        orelse = node.orelse if truth is not True else None
        if isinstance(orelse, cst.If):
            nested: Block = []
            self._if(orelse, function, nested, dispatch)
            arms.append(nested)
        elif isinstance(orelse, cst.Else):
            arms.append(self._suite(orelse.body, function))
        elif not dispatch and truth is not True:
            arms.append([])
        # (a dispatch `if loss == "a": ... elif loss == "b": ...` has no fall-through arm: the
        # option takes one of the values the chain names, or the program is not meant to run)
        block.append(Branch(node=node, test=expression_text(node.test), arms=arms))

    def _match(self, node: cst.Match, function: FunctionInfo, block: Block) -> None:
        scan = _ExpressionScan()
        scan.scan(node.subject)
        if scan.calls:
            self._emit(block, function, Simple(node=node.subject, calls=scan.calls), scan)
        arms = [self._suite(case.body, function) for case in node.cases]
        arms.append([])
        block.append(Branch(node=node, test=expression_text(node.subject), arms=arms))

    def _loop(self, node: cst.For | cst.While, function: FunctionInfo, block: Block) -> None:
        scan = _ExpressionScan()
        if isinstance(node, cst.For):
            iter_names = scan.scan(node.iter)
            iter_text = expression_text(node.iter)
            targets, _ = _targets(node.target)
        else:
            iter_names = scan.scan(node.test)
            iter_text = expression_text(node.test)
            targets = []
        if scan.calls:
            header = node.iter if isinstance(node, cst.For) else node.test
            self._emit(block, function, Simple(node=header, calls=scan.calls), scan)
        loop = Loop(
            node=node,
            iter_text=iter_text,
            iter_names=iter_names,
            targets=tuple(targets),
            body=[],
            orelse=[],
            function=function,
            grad=self._grad_stack[-1] if self._grad_stack else None,
        )
        function.loops.append(loop)
        # (`for _ in range(0):`, `for x in []:`, `while False:` never run their body)
        loop.body = self._suite(node.body, function) if not self._never_iterates(node, function) else []
        if node.orelse is not None:
            loop.orelse = self._suite(node.orelse.body, function)
        block.append(loop)

    def _with(self, node: cst.With, function: FunctionInfo, block: Block) -> None:
        scan = _ExpressionScan()
        items: list[CallSite] = []
        grad: str | None = None
        chosen: list[CallSite] = []  # `with (torch.enable_grad() if train else torch.no_grad()):`
        switched_by: cst.IfExp | None = None
        for item in node.items:
            scan.scan(item.item)
            if isinstance(item.item, cst.Call) and scan.calls:
                items.append(scan.calls[-1])
            elif isinstance(item.item, cst.BooleanOperation) and isinstance(item.item.operator, cst.And) and isinstance(item.item.right, cst.Call):
                # `with self.netg.eval() and torch.no_grad():` enters the last operand's value (a
                # module, what `eval()` returns, is true)
                items.extend(call for call in scan.calls if call.node is item.item.right)
            elif isinstance(item.item, cst.IfExp):
                arms = _arms(item.item, scan.calls)
                if len(arms) == 2:
                    chosen = arms
                    items.extend(arms)
            elif isinstance(item.item, cst.Name):
                # `context = torch.enable_grad() if train else torch.no_grad()`, then `with context:`:
                # the switch the name was bound to last above (its calls ran at the assignment, so
                # they are scanned apart from the statement's own)
                stored = self._stored_switch(item.item.value, function)
                inner = _ExpressionScan()
                if stored is not None:
                    inner.scan(stored)
                arms = _arms(stored, inner.calls) if isinstance(stored, cst.IfExp) else []
                if len(arms) == 2:
                    chosen, switched_by = arms, stored
                    items.extend(arms)
                elif isinstance(stored, cst.Call):
                    items.extend(inner.calls[-1:])
            if item.asname is not None:
                scan.scan(item.asname.name)
        for call in items:
            if call in chosen:
                continue
            mode = grad_mode_of(call, self.imports)
            if mode is not None:
                grad = mode
        if chosen and grad is None and any(grad_mode_of(call, self.imports) is not None for call in chosen):
            # (`torch.autocast(...) if amp else nullcontext()` sets no grad mode: the block keeps the one around it)
            modes = {grad_mode_of(call, self.imports) or "on" for call in chosen}
            grad = modes.pop() if len(modes) == 1 else "unknown"
        if scan.calls:
            self._emit(block, function, Simple(node=node, calls=list(scan.calls)), scan)
        if grad is not None:
            self._grad_stack.append(grad)
        autocast = any(call.method == "autocast" or (call.dotted or "").rsplit(".", 1)[-1] == "autocast" for call in items)
        if autocast:
            self._autocast_depth += 1
            self._autocast_functions.add(id(function))
        try:
            body = self._suite(node.body, function)
        finally:
            if grad is not None:
                self._grad_stack.pop()
            if autocast:
                self._autocast_depth -= 1
        block.append(With(node=node, items=items, grad=grad, body=body, chosen_by=switched_by))

    @staticmethod
    def _stored_switch(name: str, function: FunctionInfo) -> cst.BaseExpression | None:
        """The call, or choice between values, the name was last bound to in the function's
        statements so far (`context = torch.no_grad()`), when that binding is a plain assignment."""
        for simple in reversed(function.simples):
            if name in simple.targets:
                plain = simple.targets == (name,) and not simple.augmented
                return simple.value if plain and isinstance(simple.value, (cst.Call, cst.IfExp)) else None
        return None

    def _try(self, node: cst.Try | cst.TryStar, function: FunctionInfo, block: Block) -> None:
        block.append(
            Try(
                node=node,
                body=self._suite(node.body, function),
                handlers=[self._suite(h.body, function) for h in node.handlers],
                orelse=self._suite(node.orelse.body, function) if node.orelse is not None else [],
                final=self._suite(node.finalbody.body, function) if node.finalbody is not None else [],
            )
        )

    # definitions ------------------------------------------------------------------------

    def _function(self, node: cst.FunctionDef, parent: FunctionInfo, cls: ClassInfo | None = None) -> FunctionInfo:
        decorators: list[CallSite | str] = []
        for decorator in node.decorators:
            scan = _ExpressionScan()
            scan.scan(decorator.decorator)
            if isinstance(decorator.decorator, cst.Call) and scan.calls:
                decorators.append(scan.calls[-1])
            else:
                decorators.append(dotted_name(decorator.decorator) or "")
        params = tuple(p.name.value for p in declared_params(node.params))
        defaults = {
            p.name.value: literal_value(p.default)
            for p in declared_params(node.params)
            if p.default is not None and literal_value(p.default) is not NOT_LITERAL
        }
        info = FunctionInfo(
            name=node.name.value,
            node=node,
            params=params,
            defaults=defaults,
            decorators=tuple(decorators),
            parent=parent,
            cls=cls,
        )
        self.functions.append(info)
        if cls is not None:
            cls.methods[info.name] = info
        else:
            parent.nested[info.name] = info
        outer_grad, self._grad_stack = self._grad_stack, []
        info.body = self._suite(node.body, info)
        self._grad_stack = outer_grad
        if cls is not None:
            for inner in functions_within(info):
                for simple in inner.simples:
                    cls.constructed.extend(simple.calls)
        return info

    def _lambda(self, name: str, node: cst.Lambda, parent: FunctionInfo) -> None:
        """`save = lambda ep: torch.save({...}, path)`: a function of that name, like a `def` whose
        body returns the lambda's expression; calling `save(epoch)` runs it."""
        if name in parent.nested:
            return  # a `def` of the name stands
        declared = declared_params(node.params)
        info = FunctionInfo(
            name=name,
            node=node,
            params=tuple(p.name.value for p in declared),
            defaults={
                p.name.value: literal_value(p.default)
                for p in declared
                if p.default is not None and literal_value(p.default) is not NOT_LITERAL
            },
            decorators=(),
            parent=parent,
            cls=None,
        )
        self.functions.append(info)
        parent.nested[name] = info
        scan = _ExpressionScan()
        returned = Simple(node=node.body, calls=scan.calls, jump="return")
        returned.returned_names = scan.scan(node.body)
        returned.value = node.body
        outer_grad, self._grad_stack = self._grad_stack, []
        block: Block = []
        self._emit(block, info, returned, scan)
        info.body = block
        self._grad_stack = outer_grad

    def _class(self, node: cst.ClassDef, parent: FunctionInfo) -> None:
        bases = tuple(dotted_name(b.value) or "" for b in node.bases)
        info = ClassInfo(name=node.name.value, node=node, bases=bases)
        self.classes.setdefault(info.name, info)
        if parent.parent is None:
            self.top_classes[info.name] = info
            self.class_versions.setdefault(info.name, []).append(info)
        else:
            parent.nested_classes[info.name] = info
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else node.body.body
        for statement in body:
            if isinstance(statement, cst.FunctionDef):
                start = self._tick()
                self._function(statement, parent, cls=info)
                self._order[id(statement)] = (start, self._tick())
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    scan = _ExpressionScan()
                    if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                        scan.scan(small.value)
                    info.constructed.extend(scan.calls)

    def _import(self, node: cst.Import | cst.ImportFrom, unconditional: bool = False) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.imports[alias.asname.name.value] = name
                    self.import_refs[alias.asname.name.value] = ImportRef(name, None, 0)
                    self.import_sites.setdefault(alias.asname.name.value, []).append((ImportRef(name, None, 0), node))
                else:
                    root = name.split(".")[0]
                    self.imports.setdefault(root, root)
                    self.import_refs.setdefault(root, ImportRef(root, None, 0))
            return
        module = dotted_name(node.module) if node.module is not None else ""
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            self.star_imports.append(ImportRef(module or "", None, level))
            if self._star_aliases is not None:
                # (`from utils import *` of a project module saying `import torch as t`: `t.save`
                # is `torch.save`; the file's own imports of a name come first)
                for local, full in self._star_aliases(module or "", level).items():
                    self.imports.setdefault(local, full)
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            ref = ImportRef(module or "", name, level)
            earlier = self.import_refs.get(local)
            if unconditional:
                # `from SR_GNN import train` then `from TA_GNN import train`, both in the module's own
                # body: the later one replaces the earlier for every function run after the imports
                self.import_alternatives.pop(local, None)
            elif earlier is not None and earlier != ref:
                # `from train.a import run_dense as run` in one branch, `... run_sparse as run` in another
                alternatives = self.import_alternatives.setdefault(local, [earlier])
                if ref not in alternatives:
                    alternatives.append(ref)
            self.import_refs[local] = ref
            self.import_sites.setdefault(local, []).append((ref, node))
            if not level and module:
                self.imports[local] = f"{module}.{name}"


NOT_LITERAL = object()
"""What literal_value returns for an expression that is no literal."""


def literal_value(node: cst.BaseExpression) -> object:
    """True, False, None, a number or a string written literally; NOT_LITERAL otherwise."""
    if type(node) is cst.Name and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if type(node) is cst.Integer:
        return int(node.evaluated_value)
    if type(node) is cst.Float:
        return float(node.evaluated_value)
    if type(node) is cst.SimpleString and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return NOT_LITERAL


def qualify(dotted: str | None, imports: dict[str, str]) -> str | None:
    """Expand the first segment through the file's imports: `optim.SGD` → `torch.optim.SGD`."""
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    full = imports.get(head)
    if full is None:
        return dotted
    return f"{full}.{rest}" if rest else full


EVAL_MODE_BLOCKS = frozenset({"monai.networks.eval_mode", "monai.networks.utils.eval_mode"})
"""Context managers that put the modules they are given in eval mode and turn gradients off for
their block, then put each module back in the mode it was in (MONAI's `eval_mode(*nets)`)."""


def sets_eval_for_block(call: CallSite, imports: dict[str, str]) -> bool:
    return qualify(call.dotted, imports) in EVAL_MODE_BLOCKS


def grad_mode_of(call: CallSite, imports: dict[str, str]) -> str | None:
    """'off', 'on' or 'unknown' for a grad-mode context or decorator call, None for anything else."""
    name = qualify(call.dotted, imports) or ""
    if name in EVAL_MODE_BLOCKS:
        return "off"
    last = name.rsplit(".", 1)[-1]
    if "no_grad" in last or "inference_mode" in last:  # also wrappers such as smart_inference_mode()
        mode = call.arg(0, "mode")
        if last == "inference_mode" and mode is not None and _code_of(mode.node) == "False":
            return "on"
        return "off"
    if last == "enable_grad":
        return "on"
    if last == "set_grad_enabled":
        arg = call.arg(0, "mode")
        text = _code_of(arg.node) if arg is not None else ""
        return {"False": "off", "True": "on"}.get(text, "unknown")
    return None


def _code_of(node: cst.CSTNode) -> str:
    return node.value if isinstance(node, cst.Name) else ""


def build_file(
    module: cst.Module, path: str = "", text: str | None = None,
    star_aliases: Callable[[str, int], dict[str, str]] | None = None,
) -> FileIR:
    return FileBuilder(module, path, text, star_aliases).build()


_NOT_CONSTANT = object()

_OTHER_FRAMEWORKS = frozenset({"tf", "tensorflow", "keras", "jax", "flax", "mxnet", "paddle", "mindspore"})


def _not_another_framework(test: cst.BaseExpression) -> bool | None:
    """A test that a setting names another deep-learning framework (`framework == "tf"`) rules
    out its arm as PyTorch code: False for `==`, True for `!=` (the arm is the torch one); None
    for any other test. The other framework's arm is that framework's code, not a training loop of
    ours."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    operator = target.operator
    if not isinstance(operator, (cst.Equal, cst.NotEqual)):
        return None
    for side in (test.left, target.comparator):
        value = _constant(side)
        if isinstance(value, str) and value.lower() in _OTHER_FRAMEWORKS:
            return isinstance(operator, cst.NotEqual)
    return None


def _constant(node: cst.BaseExpression) -> object:
    """The value of a literal number, string, True, False or None; _NOT_CONSTANT for anything else."""
    if isinstance(node, cst.Integer):
        try:
            return int(node.evaluated_value)
        except ValueError:
            return _NOT_CONSTANT
    if isinstance(node, cst.SimpleString):
        return node.raw_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    return _NOT_CONSTANT


def module_constants(module: cst.Module, text: str | None) -> dict[str, object]:
    """Names the module binds once, at its top level, to a literal (`EVAL = False`, `DEBUG = 0`),
    and nowhere else in its text: no second assignment, augmented assignment, `global`, loop or
    `with` target, import, parameter or keyword of that name, and no `from ... import *` after it.
    Such a setting is flipped by editing the line; as the file stands, tests on it are decided."""
    found: dict[str, object] = {}
    seen: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                found.clear()  # (`from settings import *` after `EVAL = False` may bind it again)
                continue
            target: cst.BaseExpression | None = None
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target, value = small.target, small.value
            if not isinstance(target, cst.Name) or value is None:
                continue
            name = target.value
            constant = _constant(value)
            if name in seen or constant is _NOT_CONSTANT:
                found.pop(name, None)
            else:
                found[name] = constant
            seen.add(name)
    if not found:
        return found
    if text is None:
        text = module.code
    return {name: value for name, value in found.items() if len(_binding_lines(name).findall(text)) == 1}


def constant_options(text: str) -> dict[str, object]:
    """The command-line options whose value no command line can change, by destination: a flag
    `add_argument("--fastmode", action="store_true", default=True)` is True whether given or not
    (and `store_false` with `default=False` is False), unless the code sets the destination itself
    (`args.fastmode = ...`, `set_defaults(fastmode=...)`). Read from the text, one scan."""
    if "add_argument" not in text or "store_" not in text:
        return {}
    found: dict[str, object] = {}
    for start in _ADD_ARGUMENT.finditer(text):
        arguments = _call_arguments(text, start.end())
        if arguments is None:
            continue
        action = _ACTION.search(arguments)
        default = _DEFAULT.search(arguments)
        if action is None or default is None or (action.group(1) == "true") != (default.group(1) == "True"):
            continue
        dest = _DEST.search(arguments)
        names = _OPTION_NAMES.findall(arguments)
        long_names = [n for n in names if n.startswith("--")]
        name = dest.group(1) if dest else (long_names or names or [""])[0].lstrip("-").replace("-", "_")
        if name.isidentifier():
            found[name] = action.group(1) == "true"
    if not found:
        return found
    rest = _without_add_arguments(text)
    return {
        name: value for name, value in found.items()
        if re.search(rf"\.{name}\s*[-+*/|&]?=(?!=)|\bset_defaults\([^)]*\b{name}\s*=(?!=)|\bsetattr\([^)]*['\"]{name}['\"]", rest) is None
    }


_ADD_ARGUMENT = lazy(r"\badd_argument\(")
_ACTION = lazy(r"\baction\s*=\s*['\"]store_(true|false)['\"]")
_DEFAULT = lazy(r"\bdefault\s*=\s*(True|False)\b")
_DEST = lazy(r"\bdest\s*=\s*['\"](\w+)['\"]")
_OPTION_NAMES = lazy(r"['\"](--?[A-Za-z][\w-]*)['\"]")


def _call_arguments(text: str, start: int) -> str | None:
    """The text between a call's opening parenthesis (just before `start`) and its closing one,
    strings skipped; None when it does not close within a few thousand characters."""
    depth, index, quote = 1, start, ""
    end = min(len(text), start + 4000)
    while index < end:
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return text[start:index]
        index += 1
    return None


def _without_add_arguments(text: str) -> str:
    """The text with every `add_argument(...)` call's arguments blanked (their `default=` is no
    setting of the destination)."""
    parts: list[str] = []
    last = 0
    for start in _ADD_ARGUMENT.finditer(text):
        arguments = _call_arguments(text, start.end())
        if arguments is None:
            continue
        parts.append(text[last:start.end()])
        last = start.end() + len(arguments)
    parts.append(text[last:])
    return "".join(parts)


def _binding_lines(name: str) -> re.Pattern[str]:
    word = re.escape(name)
    return re.compile(
        rf"(?m)^[^\n#]*?(?:\b{word}\b[^\n=#]*(?<![=!<>])=(?!=)|\b(?:global|nonlocal|del|as|import|def|lambda)\b[^\n#]*\b{word}\b|\bfor\b[^\n#]*?\b{word}\b[^\n#]*?\bin\b)"
    )


def _jumps_away(statement: cst.CSTNode, function: FunctionInfo) -> bool:
    """Is the statement a `continue`, `break`, `return` or `raise` (or `exit()`) that always runs,
    leaving the rest of its block dead (`continue` left above the lines it disables)? At a
    notebook's or script's top level only `continue` and `break` count: a cell that raises stops
    only itself."""
    smalls = statement.body if type(statement) is cst.SimpleStatementLine else (statement,)  # type: ignore[attr-defined]
    for small in smalls:
        kind = type(small)
        if kind is cst.Continue or kind is cst.Break:
            return True
        if function.name == "<module>":
            continue
        if kind is cst.Return or kind is cst.Raise:
            return True
        if kind is cst.Expr and type(small.value) is cst.Call and dotted_name(small.value.func) in _EXITS:
            return True
    return False


def _dispatch_on_one_option(node: cst.If) -> bool:
    """`if args.loss == "wgan-gp": ... elif args.loss == "r1": ...` with no `else`: two or more
    arms comparing one expression with string literals, an enumeration of an option's values."""
    subjects: set[str] = set()
    count = 0
    current: cst.BaseSuite | cst.If | cst.Else | None = node
    while isinstance(current, cst.If):
        test = current.test
        if not (
            isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal)
            and isinstance(test.comparisons[0].comparator, cst.SimpleString)
        ):
            return False
        subjects.add(expression_text(test.left))
        count += 1
        current = current.orelse
    return current is None and count >= 2 and len(subjects) == 1


def _arms(choice: cst.IfExp, calls: list[CallSite]) -> list[CallSite]:
    """The calls that are the two arms of a choice (`torch.enable_grad() if train else torch.no_grad()`)."""
    return [call for call in calls if call.node is choice.body or call.node is choice.orelse]
