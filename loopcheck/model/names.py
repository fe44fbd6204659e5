"""Code that cannot run: a statement that names something nothing gives it raises NameError there;
a call whose arguments cannot bind to the project definition it runs raises TypeError there.

A file's missing names are the names its code reads as globals that no statement of the file
binds at module level (nor a `global` declaration in a function), that are no builtin and no name
an interpreter or notebook provides (`__file__`, IPython's `display`), and that the author surely
meant to come from somewhere: a name the project's other files define at their top level (a
forgotten import: `SimpleRNN` used in `models.py`, defined in `rnn.py`), one that the file (in
a function) or the project's other files import, or the last part of a module imported under
another name (`torch.nn.Sequential` in a script relying on an interactive session's imports;
`transforms.Compose` beside `import torchvision.transforms as T`), or a misspelling of one the
file defines or imports (`NFNe()` beside `from model import NFNet`), or, read in a method, an
attribute its own class keeps (`model.state_dict()` where `self.model` was meant). A name defined nowhere
at all is a free input of a fragment (a snippet's `model` and `loader`) and says nothing.
They are known only when the file can say: never with a star import (`from utils import *` may
bring any name), with `exec`, `globals()` and the like, or in a notebook that left cells out or
pulls names in by magic (`%run helper.py`). Python's own symbol tables give the names (a compile of
the text, no libcst walk); where a statement uses them is read from Python's own syntax tree of
the text. Both are asked only of files with findings (and of their callers' files), so a clean
file pays nothing.

A call cannot bind when its values do not fit the parameters of the project function, method,
class (`__init__`) or model (`forward`) it runs: too many positional values, a keyword the
definition does not take or gets twice, a required parameter left out (`FasDataset(args)` for an
`__init__(self, args, path, width)`). Only calls that unpack nothing are counted, and only
definitions whose decorators keep the signature (`staticmethod`, `torch.no_grad()`).

A finding cannot be reached when, in its function (or at a script's top level, in a notebook's
cell), a statement that always runs before it (one earlier in each block on the way to it, the
header of each compound statement around it, or its own statement) reads a missing name or makes
a call that cannot bind: the NameError or TypeError ends the run of that code first. A finding in a function every project call of which
cannot be reached, for that reason, cannot be reached either.
"""
from __future__ import annotations

import ast
import builtins
from typing import TYPE_CHECKING, Iterator

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model.build import declared_params

if TYPE_CHECKING:
    from loopcheck.model import LoopModel
    from loopcheck.model.ir import FunctionInfo

_PROVIDED = frozenset(dir(builtins)) | frozenset(
    {
        # module attributes the interpreter sets
        "__file__", "__name__", "__doc__", "__spec__", "__loader__", "__package__", "__builtins__", "__path__",
        "__annotations__", "__cached__", "__dict__",
        # IPython and Jupyter
        "display", "get_ipython", "In", "Out", "_", "__", "___", "_ih", "_oh", "_dh", "exit", "quit",
        # Python 2's builtins (a file of that era ran with them) and Windows-only ones
        "xrange", "unicode", "raw_input", "basestring", "long", "file", "reduce", "execfile", "unichr", "cmp",
        "intern", "coerce", "buffer", "apply", "reload", "WindowsError",
    }
)

_OUT_OF_SIGHT = lazy(
    r"(?m)(?:^[^#\n]*(?:\bexec(?:file)?\s*\(|\b(?:globals|locals|vars)\s*\(\s*\)|__builtins__|\bbuiltins\.)"
    r"|^\s*from\s+\S+\s+import\s+\(?\s*\*)"
)
"""Text that may bind names the symbol tables cannot see."""
_OUT_OF_SIGHT_BUT_STARS = lazy(
    r"(?m)^[^#\n]*(?:\bexec(?:file)?\s*\(|\b(?:globals|locals|vars)\s*\(\s*\)|__builtins__|\bbuiltins\.)"
)
"""The same, star imports aside (for a caller that knows what they bring)."""


def symbols(text: str, stars_known: bool = False) -> tuple[frozenset[str], frozenset[str]] | None:
    """The names the file reads as globals and does not define (builtins and provided names
    aside), and the names it defines at module level; None when that cannot be known (a star
    import, `exec`, `globals()`, text Python 3.11 does not compile). With `stars_known`, star
    imports are the caller's to account for (what they bring is not in either set)."""
    if (_OUT_OF_SIGHT_BUT_STARS if stars_known else _OUT_OF_SIGHT).search(text):
        return None
    import symtable  # (only files with findings get here)

    try:
        top = symtable.symtable(text, "<file>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    defined: set[str] = set()
    read: set[str] = set()
    stack = [top]
    while stack:
        table = stack.pop()
        stack.extend(table.get_children())
        for symbol in table.get_symbols():
            name = symbol.get_name()
            if table is top:
                if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace():
                    defined.add(name)
                if symbol.is_referenced():
                    read.add(name)
            elif symbol.is_global():
                if symbol.is_declared_global() and symbol.is_assigned():
                    defined.add(name)  # `global best; best = acc` in a function
                if symbol.is_referenced():
                    read.add(name)
    return frozenset(read - defined - _PROVIDED), frozenset(defined)


def meant_as_attributes(tree: object, undefined: frozenset[str]) -> frozenset[str]:
    """The missing names that a method reads as globals where its own class keeps an attribute of
    that name (`model.state_dict()` in a `train` method of a class whose `__init__` stores
    `self.model = model`): the author meant the attribute, and the bare name raises NameError."""
    if not undefined or not isinstance(tree, ast.Module):
        return frozenset()
    found: set[str] = set()
    for cls in ast.walk(tree):
        if not isinstance(cls, ast.ClassDef):
            continue
        methods = [m for m in cls.body if isinstance(m, _SCOPES)]
        kept = {
            node.attr
            for method in methods
            if method.args.args
            for node in ast.walk(method)
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name) and node.value.id == method.args.args[0].arg
        }
        wanted = undefined & kept
        for method in methods if wanted else ():
            local = _locals(method)
            found.update(
                node.id for node in ast.walk(method)
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in wanted and node.id not in local
            )
    return frozenset(found)


def misspelling(name: str, defined: frozenset[str]) -> bool:
    """Is the name one edit (a letter dropped, added, changed or two swapped) away from a name the
    file defines, at least four letters long, and not its plural or singular (`models`, `model`)?"""
    if len(name) < 4:
        return False
    for other in defined:
        if len(other) < 4 or abs(len(other) - len(name)) > 1 or other.rstrip("s") == name.rstrip("s"):
            continue
        if _one_edit(name, other):
            return True
    return False


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[i:] == long[i + 1:]


def defined_elsewhere_pattern(name: str) -> str:
    """A top-level definition of the name in a file's text: `def name`, `class name`, `name = ...`."""
    return rf"(?m)^(?:(?:async\s+)?def|class)\s+{name}\b|^{name}\s*(?::[^=\n]*)?=(?!=)"


def imported_elsewhere_pattern(name: str) -> str:
    """An import that binds the name, or imports a module whose last part it is, in a file's text
    (`import torch`, `from torchvision import transforms`, `import torchvision.transforms as T`)."""
    return (
        rf"(?m)^[ \t]*(?:import[ \t]+(?:[\w.]+[ \t]+as[ \t]+{name}\b|(?:[\w.]*\.)?{name}\b)"
        rf"|from[ \t]+[\w.]+[ \t]+import[ \t]+[^#\n]*\b{name}\b)"
    )


_KEEPING_SIGNATURE = frozenset(
    {"staticmethod", "classmethod", "torch.no_grad", "no_grad", "torch.inference_mode", "inference_mode", "torch.enable_grad"}
)
"""Decorators that leave the parameters a call binds as the definition states them."""


def keeps_signature(decorators: tuple[object, ...]) -> bool:
    """Do the decorators (as the loop model holds them: dotted text or a call) leave the signature?"""
    return all((d if isinstance(d, str) else getattr(d, "dotted", None)) in _KEEPING_SIGNATURE for d in decorators)


def cannot_bind(call: cst.Call, definition: cst.FunctionDef, bound: bool) -> bool:
    """Do the call's arguments fail to bind to the definition's parameters, so that the call raises
    TypeError before the body runs (too many positional values, a keyword it does not take or gets
    twice, a required parameter left out)? `bound`: the first parameter is given by the call's
    receiver (a method called on an instance, a class called to build one). Known only for calls
    that unpack nothing (`*args`, `**kwargs`): otherwise False."""
    if any(arg.star for arg in call.args):
        return False
    params = definition.params
    ordered = [p.name.value for p in (*params.posonly_params, *params.params)]
    keyword_only = [p.name.value for p in params.kwonly_params]
    optional = {p.name.value for p in declared_params(params) if p.default is not None}
    by_keyword = {p.name.value for p in params.params} | set(keyword_only)
    if bound:
        if not ordered:
            # (a method taking only `*args`: its receiver goes there; one taking no positional
            # parameter at all, `def eval():` in a class, cannot take its receiver)
            return not isinstance(params.star_arg, cst.Param)
        by_keyword.discard(ordered[0])
        ordered = ordered[1:]
    positional = [arg for arg in call.args if arg.keyword is None]
    if len(positional) > len(ordered) and not isinstance(params.star_arg, cst.Param):
        return True
    filled = set(ordered[: len(positional)])
    for arg in call.args:
        if arg.keyword is None:
            continue
        name = arg.keyword.value
        if name in filled:
            return True
        if name in by_keyword:
            filled.add(name)
        elif params.star_kwarg is None:
            return True
    return any(name not in filled and name not in optional for name in (*ordered, *keyword_only))


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef)


def _blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The blocks of statements a compound statement holds."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(statement, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(statement, "handlers", ()):
        yield handler.body
    for case in getattr(statement, "cases", ()):
        yield case.body


def _header(statement: ast.stmt) -> list[ast.AST]:
    """What a compound statement evaluates before any of its blocks runs."""
    if isinstance(statement, (ast.If, ast.While)):
        return [statement.test]
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [statement.iter]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in statement.items]
    if isinstance(statement, ast.Match):
        return [statement.subject]
    return []


def _reads(node: ast.AST, names: frozenset[str], calls: frozenset[int] = frozenset()) -> bool:
    """Does evaluating the node read one of the names as a global, or make a call on one of the
    lines `calls` (not in the bodies of lambdas, functions and classes it defines, which run later
    if at all; not a comprehension's own variable)?"""
    stack: list[tuple[ast.AST, frozenset[str]]] = [(node, frozenset())]
    while stack:
        current, bound = stack.pop()
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Load) and current.id in names and current.id not in bound:
            return True
        if (
            isinstance(current, ast.Attribute) and isinstance(current.value, ast.Name) and current.value.id not in bound
            and f"{current.value.id}.{current.attr}" in names
        ):
            return True  # `utils.AvgrageMeter()` of a project module that defines `AverageMeter`
        if isinstance(current, ast.Call) and current.lineno in calls:
            return True
        if isinstance(current, ast.AnnAssign):
            stack.extend([(current.value, bound)] if current.value is not None else [])
            continue  # (an annotation is not evaluated under `from __future__ import annotations`)
        if isinstance(current, ast.Lambda):
            stack.extend((d, bound) for d in current.args.defaults + [d for d in current.args.kw_defaults if d is not None])
            continue
        if isinstance(current, _SCOPES + (ast.ClassDef,)):
            parts: list[ast.AST] = list(current.decorator_list)
            if isinstance(current, ast.ClassDef):
                parts.extend(current.bases)
            else:
                parts.extend(current.args.defaults + [d for d in current.args.kw_defaults if d is not None])
            stack.extend((part, bound) for part in parts)
            continue
        if isinstance(current, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            bound = bound | {n.id for g in current.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
        stack.extend((child, bound) for child in ast.iter_child_nodes(current))
    return False


def _locals(scope: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """The names a function binds for itself: its parameters and what it assigns (not what it
    declares global)."""
    arguments = scope.args
    found = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
    found |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
    declared: set[str] = set()
    stack: list[ast.AST] = list(scope.body)
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Global):
            declared.update(current.names)
        elif isinstance(current, ast.Name) and isinstance(current.ctx, (ast.Store, ast.Del)):
            found.add(current.id)
        elif isinstance(current, (ast.Import, ast.ImportFrom)):
            found.update((alias.asname or alias.name).split(".")[0] for alias in current.names)
        elif isinstance(current, _SCOPES + (ast.ClassDef,)):
            found.add(current.name)
            continue
        elif isinstance(current, ast.Lambda):
            continue
        elif isinstance(current, ast.ExceptHandler) and current.name:
            found.add(current.name)
        stack.extend(ast.iter_child_nodes(current))
    return frozenset(found - declared)


def _is_simple(statement: ast.stmt) -> bool:
    return not any(True for _ in _blocks(statement)) and not isinstance(statement, _SCOPES + (ast.ClassDef,))


def stopped_before(model: LoopModel, line: int, depth: int = 2, follow_calls: bool = True) -> bool:
    """Does a NameError end the run of the code before the statement at `line` (see the module's
    docstring), also through every project call of the function holding it? With `follow_calls`,
    also when a call before it runs a function of another file that always stops (one call deep:
    that function's own calls are not followed, so files calling each other end), or a call before
    it or in its statement cannot bind (TypeError)."""
    names = model.undefined_names or frozenset()
    calls = model.stopping_call_lines if follow_calls else frozenset()
    raising = model.unbindable_call_lines if follow_calls else frozenset()
    if not names and not calls and not raising:
        return False
    calls = calls | raising
    tree = model.syntax_tree
    if not isinstance(tree, ast.Module):
        return False
    cells = model.source.notebook.cells if getattr(model.source, "notebook", None) is not None else None
    cell = cells[line - 1][0] if cells is not None and 1 <= line <= len(cells) else None
    block: list[ast.stmt] = tree.body
    scope: ast.AST | None = None
    stopped = False
    while True:
        index = next((i for i, s in enumerate(block) if s.lineno <= line <= (s.end_lineno or s.lineno)), None)
        if index is None:
            break
        statement = block[index]
        for earlier in block[:index]:
            if scope is None and cell is not None and cells[earlier.lineno - 1][0] != cell:
                continue  # (a notebook's cells run on their own: another cell's error stops only it)
            if _is_simple(earlier) and _reads(earlier, names, calls):
                stopped = True
        if isinstance(statement, _SCOPES):
            scope, stopped = statement, False  # a function's body runs when it is called
            local = _locals(statement)  # (its parameters and locals are not the globals)
            names = frozenset(name for name in names if name.split(".", 1)[0] not in local)
            block = statement.body
            continue
        # (a call on the line asked about is made: a function that stops at its end still runs
        # what comes before its stop, the code this call leads to)
        own = (calls - {line}) | raising
        if any(_reads(part, names, own) for part in _header(statement)):
            stopped = True
        if _is_simple(statement):
            stopped = stopped or _reads(statement, names, own)
            break
        inner = next((b for b in _blocks(statement) if b[0].lineno <= line <= (b[-1].end_lineno or b[-1].lineno)), None)
        if inner is None:
            break
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)) and inner is statement.body and raising and any(
            _is_simple(later) and later.lineno > line and _reads(later, frozenset(), raising) for later in inner
        ):
            # (`logits = model(x)`, then `acc, f, p, auroc = metrics(...)` of a function returning five
            # values, both in the loop's body: its first iteration raises, the pass never completes)
            stopped = True
        block = inner
    if stopped or scope is None or depth <= 0:
        return stopped
    return _every_call_stopped(model, scope, depth)


def _every_call_stopped(model: LoopModel, scope: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> bool:
    """Is every project call of the function defined by `scope` stopped before it is made?"""
    function = next(
        (
            f for f in model.ir.functions
            if f.name == scope.name and f.node in model._positions and _def_line(model, f.node) in _def_lines(scope)
        ),
        None,
    )
    if function is None:
        return False
    edges = model.callers(function)
    if not edges:
        return False  # called from where loopcheck cannot see
    for edge in edges:
        caller = model.at(edge.caller)
        if not stopped_before(caller, caller.position(edge.call.node).start.line, depth - 1):
            return False
    return True


def _def_line(model: LoopModel, node: object) -> int:
    return model.position(node).start.line  # type: ignore[arg-type]


def _def_lines(scope: ast.FunctionDef | ast.AsyncFunctionDef) -> range:
    first = min([scope.lineno, *(d.lineno for d in scope.decorator_list)])
    return range(first, scope.lineno + 1)


def body_stops(model: LoopModel, function: object) -> bool:
    """Does every run of the function (of this file) end in a NameError before its end?"""
    return stopped_before(model, model.position(function.node).end.line, depth=0, follow_calls=False)  # type: ignore[attr-defined]


_SIZED_LAYERS = frozenset(
    {"Linear", "Bilinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
     "Embedding", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LSTM", "GRU", "RNN", "LSTMCell", "GRUCell", "RNNCell"}
)
"""torch.nn layers whose first argument is a size: built with None there, they raise TypeError."""


def fails_to_bind_on_every_run(model: LoopModel, function: FunctionInfo) -> bool:
    """Does every run of the function make, at its top level (or in a `with` block there) and
    before any statement that may return or raise, a call whose arguments cannot bind to its
    callee (see `LoopModel.unbindable_call_lines`): a TypeError there, each time?"""
    from loopcheck.model.ir import Simple, With, all_statements

    raising = model.unbindable_call_lines
    if not raising:
        return False

    def stops(block: list[object]) -> bool | None:
        for statement in block:
            if isinstance(statement, With):
                found = stops(statement.body)
                if found is not None:
                    return found
            elif isinstance(statement, Simple):
                if any(model.position(call.node).start.line in raising for call in statement.calls):
                    return True
                if statement.jump is not None:
                    return False
            elif any(isinstance(inner, Simple) and inner.jump in ("return", "raise") for inner in all_statements([statement])):
                return False  # (an arm, a loop or a try that may leave first)
        return None

    return bool(stops(function.body))


def always_raises(model: LoopModel, function: FunctionInfo, depth: int = 2) -> bool:
    """Does every run of the function raise while building a torch layer with no size
    (`nn.Linear(None, None)` of an unfilled exercise template), itself or through a project
    function or class it calls on every run, before any return?"""
    from loopcheck.model.build import qualify

    for placed in model.ordered_statements(function):
        if placed.conditional or placed.loops or placed.guards:
            continue
        for call in placed.simple.calls:
            qualified = qualify(call.dotted, model.ir.imports) if call.dotted else None
            if (
                qualified and qualified.startswith("torch.nn.") and qualified.rsplit(".", 1)[-1] in _SIZED_LAYERS
                and call.node.args and call.node.args[0].keyword is None and call.node.args[0].star == ""
                and isinstance(call.node.args[0].value, cst.Name) and call.node.args[0].value.value == "None"
            ):
                return True
            if depth > 0:
                target = model.resolve_call(call, function, via_callers=False, constructors=True)
                if target is not None and target is not function and always_raises(model.at(target), target, depth - 1):
                    return True
        if placed.simple.jump is not None:
            return False
    return False
