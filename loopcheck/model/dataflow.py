"""Which values carry an autograd graph, and where a loop stores them past its iteration.

A value carries a graph only when that is established: it is the output of a trainable model
run with grad enabled, the value `backward()` is called on, or computed from such a value by a
differentiable operation (operators, torch functions and tensor methods, loss functions, a project
helper whose body returns a graph). Numbers (`.item()`, `float()`), detached tensors, integer and
bool results (`argmax`, comparisons, `.long()`), strings, NumPy/scikit-learn results, metric
objects and calls of unknown code carry none as far as loopcheck knows, so nothing is said of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model.build import DETACHING_ATTRIBUTES, DETACHING_FUNCTIONS, DETACHING_METHODS, dotted_name, flow_name, literal_value, nodes_within, qualify
from loopcheck.model.flow import Event, Kind, Subject, decide, loops_giving
from loopcheck.model.ir import Block, Branch, CallSite, ClassInfo, FunctionInfo, Loop, Simple, Try, With, all_statements
from loopcheck.model.text import expression_text
from loopcheck.model.roles import MODEL, OPTIMIZER, SCALER, SCHEDULER, Binding, role_from_name
from loopcheck.records import Frozen, Value, _set

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_RUNNING_KINDS = frozenset({Kind.MODEL_CALL, Kind.BACKWARD, Kind.OPAQUE, Kind.UNFOLLOWED, Kind.DIFFERENTIATE})

if TYPE_CHECKING:
    from loopcheck.model import LoopModel

DATA_ITERABLE = lazy(r"(?i)loader|dataset|(^|[^a-z])(data|ds|dl|batches|samples|examples)([^a-z]|$)")
"""What a loop over data iterates: `train_loader`, `dataset`, `batches`."""
EPOCH_WORDS = lazy(r"(?i)epoch")
APPENDING_METHODS = frozenset({"append", "extend", "insert", "appendleft", "add"})
PROPAGATING_BUILTINS = frozenset({"sum", "max", "min", "abs", "list", "tuple", "sorted", "reversed", "dict", "zip"})
INDEX_RETURNING = frozenset({"max", "min", "topk", "sort", "kthvalue", "median", "mode", "unique"})
"""With a dimension these return (values, indices): the indices carry no graph."""
INTEGER_DTYPES = lazy(r"(?:^|\.)(long|int|int8|int16|int32|int64|uint8|bool|short)$")
INTEGER_TENSORS = frozenset({"LongTensor", "IntTensor", "BoolTensor", "ByteTensor", "ShortTensor", "CharTensor"})
FRESH_TENSORS = frozenset({
    "randn_like", "rand_like", "randint_like", "zeros_like", "ones_like", "empty_like", "full_like",
    "randn", "rand", "randint", "randperm", "zeros", "ones", "empty", "full", "arange", "linspace", "eye",
    "normal", "bernoulli", "multinomial",
})
"""torch functions that make a new tensor from a shape, or from another tensor's shape and dtype
(`torch.randn_like(action)`): what they return carries no graph, whatever their arguments carry."""
_LOSS_NAME = lazy(r"(?i)criterion|loss")
PARAMETER_FREE_LAYER = lazy(
    r"^torch\.nn\.(?:modules\.[\w.]+\.)?(?:(?:Adaptive)?(?:Max|Avg|LP|FractionalMax)Pool[123]d|MaxUnpool[123]d"
    r"|(?:Alpha|FeatureAlpha)?Dropout[123]?d?|Flatten|Unflatten|Identity|Upsampl\w*|Pixel(?:Un)?[Ss]huffle|ChannelShuffle"
    r"|(?:Zero|Constant|Reflection|Replication|Circular)Pad[123]d|Fold|Unfold|CosineSimilarity|PairwiseDistance"
    r"|ReLU6?|LeakyReLU|RReLU|ELU|SELU|CELU|GELU|SiLU|Mish|Sigmoid|LogSigmoid|Hardsigmoid|Tanh|Hardtanh|Hardswish"
    r"|Tanhshrink|Softshrink|Hardshrink|Threshold|GLU|Softmax2?d?|LogSoftmax|Softmin|Softplus|Softsign)$"
)
"""torch.nn layers that hold no parameter: what they return carries a graph only when their input does
(`PReLU` learns its slope and is not among them)."""


@dataclass(init=False, eq=False, repr=False)
class RetainedValue(Frozen):
    """A graph-carrying value a loop keeps beyond its iteration (appended to a list, added to a total)."""

    store: Simple
    """The statement that keeps the value."""
    container: str
    value: str
    """The graph-carrying name stored."""
    computed_at: Simple | None
    loop: Loop

    def __init__(self, store: Simple, container: str, value: str, computed_at: Simple | None, loop: Loop) -> None:
        _set(self, "store", store)
        _set(self, "container", container)
        _set(self, "value", value)
        _set(self, "computed_at", computed_at)
        _set(self, "loop", loop)


@dataclass(init=False, eq=False, repr=False)
class Placed(Value):
    """A simple statement with what surrounds it: grad mode, loops, conditions."""

    simple: Simple
    grad: str
    loops: tuple[Loop, ...]
    conditional: bool = False
    """Under an `if`/`match` arm or an `except` handler inside its innermost loop (or function)."""
    guards: tuple[str, ...] = ()
    """The tests of the if-arms around it in its function, `not (...)` for other arms."""

    def __init__(
        self,
        simple: Simple,
        grad: str,
        loops: tuple[Loop, ...],
        conditional: bool = False,
        guards: tuple[str, ...] = (),
    ) -> None:
        _set(self, "simple", simple)
        _set(self, "grad", grad)
        _set(self, "loops", loops)
        _set(self, "conditional", conditional)
        _set(self, "guards", guards)

    def _values(self) -> tuple[object, ...]:
        return (self.simple, self.grad, self.loops, self.conditional, self.guards)


def ordered_statements(model: LoopModel, function: FunctionInfo) -> list[Placed]:
    """The function's simple statements in source order, each with its grad mode and enclosing loops."""
    start = model.grad_entering(function)
    return list(walk(function.body, start))


def walk(
    block: Block, grad: str, loops: tuple[Loop, ...] = (), conditional: bool = False, guards: tuple[str, ...] = ()
) -> Iterator[Placed]:
    """The simple statements of a block in source order, with the grad mode its with-blocks set."""
    for stmt in block:
        if isinstance(stmt, Simple):
            yield Placed(stmt, grad, loops, conditional, guards)
        elif isinstance(stmt, Branch):
            for index, arm in enumerate(stmt.arms):
                test = stmt.test if index == 0 else f"not ({stmt.test})"
                yield from walk(arm, grad, loops, True, (*guards, test))
        elif isinstance(stmt, With):
            yield from walk(stmt.body, stmt.grad or grad, loops, conditional, guards)
        elif isinstance(stmt, Try):
            yield from walk([*stmt.body, *stmt.orelse, *stmt.final], grad, loops, conditional, guards)
            for handler in stmt.handlers:
                yield from walk(handler, grad, loops, True, guards)
        elif isinstance(stmt, Loop):
            yield from walk(stmt.body, grad, (*loops, stmt), False, guards)
            yield from walk(stmt.orelse, grad, loops, conditional, guards)


def _every_element_replaced(placed: Placed) -> str | None:
    """The list whose every element the statement replaces: `values[i] = x` run unconditionally
    in a loop over the list's indices (`for i in range(len(values))`, `for i, _ in
    enumerate(values)`), the innermost loop around it."""
    simple = placed.simple
    node = simple.node
    if placed.conditional or not placed.loops or simple.targets or len(simple.subscript_targets) != 1:
        return None
    if not isinstance(node, cst.Assign) or len(node.targets) != 1:
        return None
    target = node.targets[0].target
    if not (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and len(target.slice) == 1):
        return None
    index = target.slice[0].slice
    if not (isinstance(index, cst.Index) and isinstance(index.value, cst.Name)):
        return None
    name, counter = target.value.value, index.value.value
    loop = placed.loops[-1]
    if not isinstance(loop.node, cst.For):
        return None
    iterated = loop.node.iter
    over = loop.node.target
    if isinstance(iterated, cst.Call) and isinstance(iterated.func, cst.Name):
        args = iterated.args
        if iterated.func.value == "range" and len(args) == 1 and isinstance(over, cst.Name) and over.value == counter:
            length = args[0].value  # `range(len(values))`
            if (isinstance(length, cst.Call) and isinstance(length.func, cst.Name) and length.func.value == "len"
                    and len(length.args) == 1 and isinstance(length.args[0].value, cst.Name)
                    and length.args[0].value.value == name):
                return name
        if iterated.func.value == "enumerate" and len(args) == 1 and isinstance(args[0].value, cst.Name) and (
            args[0].value.value == name and isinstance(over, cst.Tuple) and over.elements
            and isinstance(over.elements[0].value, cst.Name) and over.elements[0].value.value == counter
        ):
            return name  # `for i, _ in enumerate(values)`
    return None


def simples_of(block: Block) -> Iterator[Simple]:
    return (placed.simple for placed in walk(block, "on"))


def bound_in_iteration(loop: Loop) -> set[str]:
    """The names an iteration of the loop binds: its targets, those of the loops inside it, and
    every name or container its statements assign (`x = ...`, `history[k] = ...`)."""
    bound = set(loop.targets)
    bound.update(target for inner in all_statements(loop.body) if isinstance(inner, Loop) for target in inner.targets)
    bound.update(target for simple in simples_of(loop.body) for target in (*simple.targets, *simple.subscript_targets))
    return bound


class Values:
    """The graph-carrying names of one function, statement by statement."""

    def __init__(
        self,
        model: LoopModel,
        function: FunctionInfo,
        carrying_params: frozenset[str] = frozenset(),
        backwarded_later: frozenset[tuple[int, str]] = frozenset(),
        filling: bool = False,
        recording: frozenset[int] = frozenset(),
    ) -> None:
        self.model = model
        self.function = function
        self.filling = filling
        self.recording = recording
        """Model calls (by node) of evaluation passes that record a graph for nothing: their outputs
        carry it (for what loops keep; what a function returns is judged without them)."""
        """Whether a local list filled with graph-carrying values (`alpha.append(att[:, 0])`) carries
        them (for what a function returns; what loops keep is the business of `retained_values`)."""
        self.backwarded_later = backwarded_later
        """Assignments whose value is backwarded further on before the name is bound again (`loss =
        lossfn(pred, y); losses.append(loss); loss.backward()`): a graph from where they are made."""
        self.graph: dict[str, Simple | None] = {name: None for name in carrying_params}
        self.last_assigned: dict[str, Simple] = {}
        self.last_helper_result: Returned | None = None
        self.last_helper_keys: frozenset[str] | None = None
        self.keyed: dict[str, frozenset[str]] = {}
        """Dicts whose keys are all known (`{"loss": loss.item(), "out": out}`, or what a helper
        returns as one): the keys whose values carry a graph."""
        self.calls: dict[int, CallSite] = {id(c.node): c for s in function.simples for c in s.calls}

    def carries(self, node: cst.CSTNode | None, grad: str = "on") -> str | None:
        """The graph-carrying name an expression's value flows from, or None when it carries none
        (or that cannot be established)."""
        if node is None or grad == "off":
            return None
        return self._carries(node)

    def _carries(self, node: cst.CSTNode) -> str | None:
        if isinstance(node, cst.Name):
            return node.value if node.value in self.graph else None
        if isinstance(node, cst.Attribute):
            if node.attr.value in DETACHING_ATTRIBUTES:
                return None
            dotted = dotted_name(node)
            if dotted is not None and dotted in self.graph:
                return dotted
            if dotted is not None and dotted.startswith("self.") and dotted.count(".") == 1 and self._trainable_parameter(dotted):
                return dotted  # `self.w_user` of a module, an `nn.Parameter` that requires grad
            return self._carries(node.value)  # `outputs.loss`, `out.logits`
        if isinstance(node, cst.Subscript):
            if _indices_of(node):
                return None
            key = _literal_key(node)
            if key is not None and isinstance(node.value, cst.Name) and node.value.value in self.keyed:
                return node.value.value if key in self.keyed[node.value.value] else None
            return self._carries(node.value)
        if isinstance(node, (cst.BinaryOperation,)):
            return self._carries(node.left) or self._carries(node.right)
        if isinstance(node, cst.UnaryOperation):
            return None if isinstance(node.operator, cst.Not) else self._carries(node.expression)
        if isinstance(node, (cst.Comparison, cst.BooleanOperation, cst.Lambda, cst.SimpleString,
                             cst.FormattedString, cst.ConcatenatedString, cst.Integer, cst.Float)):
            return None
        if isinstance(node, cst.IfExp):
            return self._carries(node.body) or self._carries(node.orelse)
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            return next((found for e in node.elements if (found := self._carries(e.value))), None)
        if isinstance(node, cst.Dict):
            return next(
                (found for e in node.elements if isinstance(e, (cst.DictElement, cst.StarredDictElement))
                 and (found := self._carries(e.value))),
                None,
            )
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)):
            return self._comprehension(node)
        if isinstance(node, cst.Call):
            return self._call(node)
        return None

    def _call(self, node: cst.Call) -> str | None:
        func = node.func
        arguments = [a.value for a in node.args]
        if isinstance(func, cst.Name):
            name = func.value
            if name in DETACHING_FUNCTIONS:
                return None
            helper = self._helper(node)
            if helper is not None:
                return helper
            if self._runs_trainable_model(node):
                return dotted_name(func) or name
            if self._own_part_from_loop(node, name):
                return self._any(arguments)  # `for name, layer in self.features._modules.items(): x = layer(x)`
            if name in PROPAGATING_BUILTINS or _LOSS_NAME.search(name) or self._is_loss_module(name):
                return self._any(arguments)
            return None
        if not isinstance(func, cst.Attribute):
            # `self.layers[i](x)`: a part held in a module container, run
            return flow_name(func) if isinstance(func, cst.Subscript) and self._runs_trainable_model(node) else None
        method = func.attr.value
        receiver = func.value
        if method in DETACHING_METHODS:
            return None
        if method == "to" and any(INTEGER_DTYPES.search(dotted_name(a) or "") for a in arguments):
            return None
        helper = self._helper(node)
        if helper is not None:
            return helper
        if self._runs_trainable_model(node):
            return dotted_name(func) or method
        carried = self._carries(receiver)
        if carried:
            return carried  # a tensor method: `out.mean()`, `out.view(-1)`, `loss.sum()`
        qualified = qualify(dotted_name(receiver), self.model.ir.imports) or ""
        if f"{qualified}.{method}" == "torch.autograd.grad" and not _creates_graph(node):
            return None  # gradients computed without create_graph=True carry no graph
        if method in INTEGER_TENSORS:
            return None  # `torch.LongTensor(ids)`: integers carry no graph
        if method in FRESH_TENSORS and qualified.split(".", 1)[0] == "torch":
            return None  # `torch.randn_like(action) * noise_scale`: a new tensor, no graph
        if qualified.split(".", 1)[0] == "torch" or qualified in ("F", "nn.functional"):
            # `torch.stack(losses)`, `F.cross_entropy(out, y)`: a torch function of its arguments
            return self._any(arguments)
        if _LOSS_NAME.search(method) and dotted_name(receiver) is not None:
            return self._any(arguments)  # `self.criterion(out, y)`, `self.compute_loss(...)` of unseen code
        return None  # a library object's method (np.mean, a metric's compute()): not known to keep a graph

    def _comprehension(self, node: cst.ListComp | cst.GeneratorExp | cst.SetComp | cst.DictComp) -> str | None:
        """The element decides; the iterated values reach it only through the loop's targets."""
        added: list[str] = []
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            carried = self._carries(clause.iter)
            if carried:
                for target in _target_names(clause.target):
                    if target not in self.graph:
                        self.graph[target] = self.graph.get(carried)
                        added.append(target)
            clause = clause.inner_for_in
        try:
            element = node.value if isinstance(node, cst.DictComp) else node.elt
            return self._carries(element)
        finally:
            for target in added:
                del self.graph[target]

    def _any(self, nodes: Iterable[cst.CSTNode]) -> str | None:
        return next((found for n in nodes if (found := self._carries(n))), None)

    def _helper(self, node: cst.Call) -> str | None:
        """A project function decides what it returns: a graph, or one when its arguments carry one."""
        call = self._call_site(node)
        if call is None:
            return None
        target = self.model.resolve_call(call, self.function)
        if target is None or target is self.function:
            return None
        offset = 1 if target.cls is not None and target.params[:1] == ("self",) else 0
        carrying: set[str] = set()
        source: str | None = None
        for index, parameter in enumerate(target.params[offset:]):
            arg = call.arg(index, parameter)
            if arg is not None and (found := self._carries(arg.node)):
                carrying.add(parameter)
                source = source or found
        returned = self.model.at(target).returned_graphs(target, frozenset(carrying))
        self.last_helper_result = returned
        self.last_helper_keys = self.model.at(target).returned_keys(target, frozenset(carrying))
        if not any(returned):
            return ""  # known: no graph (an empty name is falsy for the callers of _carries)
        return source or call.dotted or target.name

    def _carrying_inputs(self, call: CallSite, forward: FunctionInfo) -> frozenset[str]:
        """The parameters of a module's forward that the call fills with graph-carrying values."""
        offset = 1 if forward.params[:1] == ("self",) else 0
        return frozenset(
            parameter
            for index, parameter in enumerate(forward.params[offset:])
            if (arg := call.arg(index, parameter)) is not None and self._carries(arg.node)
        )

    def _call_site(self, node: cst.Call) -> CallSite | None:
        return self.calls.get(id(node))

    def _trainable_parameter(self, dotted: str) -> bool:
        """Is `self.<name>`, in a method of a module class, bound to an `nn.Parameter(...)` that
        requires grad (a factorisation's `self.w_user`, indexed in `forward`)?"""
        cls = self.function.cls
        if cls is None or not self.model.is_module_class(cls):
            return False
        bound = self.model.roles.lookup(dotted, self.function)
        call = bound.call if bound is not None else None
        if call is None or (call.dotted or "").rsplit(".", 1)[-1] != "Parameter":
            return False
        flag = call.arg(1, "requires_grad")
        return flag is None or literal_value(flag.node) is not False

    def _on_volatile_input(self, call: CallSite, called: Subject) -> bool:
        from loopcheck.model import evaluation

        event = Event(Kind.MODEL_CALL, call.node, self.model.function_context(self.function), subject=called, call=call)
        return evaluation.volatile_input(self.model, event) and not evaluation.on_new_torch(self.model)

    def _runs_trainable_model(self, node: cst.Call) -> bool:
        call = self._call_site(node)
        if call is None or not call.live:
            return False
        called = self.model.flow.model_called(call, self.function)
        if called is None:
            return False
        binding = called.binding
        if binding is not None and self.model.frozen_whole(binding, node, self.function) and not self._any(a.node for a in call.args):
            return False  # every parameter frozen and no graph coming in: nothing to record
        if "volatile" in self.model.text and self._on_volatile_input(call, called):
            return False  # `model(Variable(x, volatile=True))` in code for PyTorch before 0.4: no graph
        if binding is not None and binding.cls is not None:
            # a project model: its forward says whether what it returns carries a graph (a
            # forward that returns `torch.LongTensor(ids)` does not)
            forward = self.model.method_of(binding.cls, "forward")
            if forward is not None:
                owner = self.model.at(forward)
                returned = owner.returned_graphs(forward, self._carrying_inputs(call, forward))
                if len(returned) > 1 or isinstance(returned, ByArity):
                    # `loss, per_channel = criterion(out, y)`: each name takes its element's graph
                    # (of the tuple of the length unpacked, when the forward returns several)
                    self.last_helper_result = returned
                return any(returned)
        if binding is not None and binding.role == MODEL and PARAMETER_FREE_LAYER.match(binding.qualified or ""):
            return self._any(a.node for a in call.args)  # `nn.AdaptiveAvgPool2d(1)(x)`: a graph only from x
        if binding is not None and binding.role == MODEL:
            return not _is_loss_class(binding.qualified)
        if binding is None and called.collection is not None and called.role == MODEL:
            return True  # `for layer in self.layers: x = layer(x)`: each element a module, run
        if id(node) in self.recording:
            return True  # an evaluation pass with grad on (`y_pred.append(model(images))`)
        return bool(self.model.training_steps) and self.model.is_trained(called)

    def _own_part_from_loop(self, node: cst.Call, name: str) -> bool:
        """Is the called name, in a method of a module class, the part a loop around the call takes
        from the module's own parts (`for layer in self.features.children():`, `for name, layer in
        self.features._modules.items():`, `self.named_modules()`)? A layer: what it returns carries
        the graph its input carries."""
        cls = self.function.cls
        call = self._call_site(node)
        if call is None or cls is None or not self.model.is_module_class(cls):
            return False
        if name in self.function.params or any(name in s.targets for s in self.function.assignments):
            return False
        for loop in loops_giving(call, self.function, name):
            text = loop.iter_text.strip()
            enumerated = _ENUMERATE.match(text)
            found = _OWN_PARTS.match(enumerated.group(1).strip() if enumerated is not None else text)
            if found is None:
                continue
            pairs = enumerated is not None or found.group(1) in ("named_children", "named_modules", "_modules.items")
            if loop.targets == ((loop.targets[0], name) if pairs else (name,)):
                return True
        return False

    def _is_loss_module(self, name: str) -> bool:
        binding = self.model.binding(name, self.function)
        return binding is not None and _is_loss_class(binding.qualified)

    def is_collection(self, name: str) -> bool:
        """Is `name` a dict or list (that grows), not a preallocated tensor written in slices?"""
        binding = self.model.binding(name, self.function)
        value = binding.statement.value if binding is not None else None
        if isinstance(value, (cst.Dict, cst.List, cst.DictComp, cst.ListComp)):
            return True
        if isinstance(value, cst.Call):
            callee = (dotted_name(value.func) or "").rsplit(".", 1)[-1]
            return callee in ("dict", "list", "defaultdict", "OrderedDict", "deque", "Counter")
        return False

    # the pass over the statements -----------------------------------------------------

    def observe(self, placed: Placed) -> None:
        """Move past one statement: what it assigns, and what it backwards (which proves a graph)."""
        self._assign(placed)
        if placed.grad == "off":
            return
        self._leave_graphs(placed)
        if self.filling:
            for call in placed.simple.calls:
                receiver = call.receiver
                if call.method in _FILLING_METHODS and receiver is not None and "." not in receiver and call.args and any(
                    self._carries(arg.node) for arg in call.args
                ):
                    self.graph[receiver] = placed.simple  # `alpha.append(alpha_[:, 0, :])`
        # (`accelerator.backward(loss)`: handed a name, the receiver runs the backward of what it is
        # handed; a tensor's own `backward()` takes no name but a gradient it is rarely given)
        runners = {
            c.receiver for c in placed.simple.calls
            if c.method == "backward" and c.inner is None and c.args and c.args[0].keyword is None
            and c.args[0].dotted is not None and "." not in c.args[0].dotted
        }
        for name in _backwarded(placed.simple):
            if not self.graph.get(name) and name in self.last_assigned and name not in runners:
                self.graph[name] = self.last_assigned[name]  # `loss.backward()`: whatever made it, a graph

    def _leave_graphs(self, placed: Placed) -> None:
        """`loss = self.criterion(out, y)` of a project module whose forward binds `self.loss_val =
        ...` to a graph made from its inputs: from here on `self.criterion.loss_val` carries that
        graph (what the call leaves on its object, read after it: `history.append(criterion.loss_val)`)."""
        for call in placed.simple.calls:
            self._leave_graphs_of_method(placed, call)
            dotted = call.dotted
            if dotted is None or call.inner is not None or dotted in ("self", "super"):
                continue
            binding = self.model.binding(dotted, self.function)
            cls = binding.cls if binding is not None else None
            if cls is None or not self.model.is_module_class(cls):
                continue
            forward = self.model.method_of(cls, "forward")
            if forward is None or forward is self.function:
                continue
            owner = self.model.at(forward)
            inputs = self._carrying_inputs(call, forward)
            if inputs:
                left = owner.left_graphs(forward, inputs)
            elif any(self.graph.get(target) is placed.simple for target in placed.simple.targets):
                # `loss = criterion(image, target); loss.backward()` with an input whose graph is not
                # seen here (a leaf that requires grad): some input the result depends on carries
                # one; what the call leaves carries a graph whichever of them it is
                explaining = [
                    frozenset((parameter,)) for index, parameter in enumerate(forward.params[1:])
                    if call.arg(index, parameter) is not None and any(owner.returned_graphs(forward, frozenset((parameter,))))
                ]
                left = frozenset.intersection(*(owner.left_graphs(forward, p) for p in explaining)) if explaining else frozenset()
            else:
                continue
            for attribute in left:
                self.graph[f"{dotted}.{attribute}"] = placed.simple

    def _leave_graphs_of_method(self, placed: Placed, call: CallSite) -> None:
        """`self.model.backward_G()` of a project object whose method binds `self.loss_G` to a
        graph-carrying value (a loss it computes and backwards): from here on
        `self.model.loss_G` carries that graph (`total_loss += self.model.loss_G` keeps it)."""
        receiver, method = call.receiver, call.method
        if receiver is None or method is None or call.inner is not None or receiver in ("self", "super") or method == "forward":
            return
        binding = self.model.binding(receiver, self.function)
        cls = binding.cls if binding is not None else None
        if cls is None:
            return
        target = self.model.method_of(cls, method)
        if target is None or target is self.function or target.params[:1] != ("self",):
            return
        left = self.model.at(target).left_graphs(target, self._carrying_inputs(call, target))
        for attribute in left:
            self.graph[f"{receiver}.{attribute}"] = placed.simple

    def _assign(self, placed: Placed) -> None:
        simple = placed.simple
        self._write_keys(simple, placed.grad)
        replaced = _every_element_replaced(placed)
        if replaced is not None and replaced in self.graph and not self.carries(simple.value, placed.grad):
            # `for i in range(len(values)): values[i] = values[i].item()`: no element keeps a graph
            self.graph.pop(replaced, None)
        if not simple.targets:
            self._store_in_container(simple, placed.grad)
            return
        for target in simple.targets:
            self.last_assigned[target] = simple
        self.last_helper_result = None
        self.last_helper_keys = None
        found = self.carries(simple.value, placed.grad) if simple.value is not None else None
        self._assign_keys(simple, placed.grad)
        targets = list(simple.targets)
        if found and len(targets) > 1 and _returns_indices(simple.value):
            targets = targets[:1]  # `values, indices = out.max(1)`
        returned = self.last_helper_result if isinstance(simple.value, cst.Call) else None
        if isinstance(returned, ByArity) and len(targets) in returned.by_length:
            returned = returned.by_length[len(targets)]  # `action, p, v = self._forward(s)`: the 3-tuple's
            if not any(returned):
                found = None
        if found and returned is not None and len(returned) == len(targets) > 1:
            targets = [t for t, carries in zip(targets, returned) if carries]  # `loss, size, logs = step(...)`
        elif found and returned is None and len(targets) > 1 and _calls_unseen_loss(simple.value):
            # `loss, per_channel = criterion(out, y)` of a loss whose code cannot be seen: the first
            # value is the loss; that the others (scores, logs) carry a graph is not established
            targets = targets[:1]
        proven = [t for t in targets if (id(simple), t) in self.backwarded_later]
        if not found and proven and placed.grad != "off":
            found, targets = proven[0], proven
        for target in simple.targets:
            if found and target in targets and not self.model.roles.role(target, self.function) in TRAINING_OBJECTS:
                self.graph[target] = simple if target not in self.graph or not simple.augmented else self.graph[target]
            elif not simple.augmented:
                self.graph.pop(target, None)

    def _store_in_container(self, simple: Simple, grad: str) -> None:
        """`features[name] = x` (or `+=`) of a graph-carrying value: the local dict or list holds
        that graph from then on, and so does what is made of it (a forward returning `features`)."""
        if not simple.subscript_targets or simple.value is None:
            return
        found = self.carries(simple.value, grad)
        if not found:
            return
        for container in simple.subscript_targets:
            if "." not in container and container not in self.graph and self.model.roles.role(container, self.function) not in TRAINING_OBJECTS:
                self.graph[container] = simple

    def keys_carrying(self, value: cst.BaseExpression | None, grad: str) -> frozenset[str] | None:
        """The keys of a dict value that carry a graph, when all its keys are known."""
        if isinstance(value, cst.Dict):
            keys: set[str] = set()
            for element in value.elements:
                key = _literal_text(element.key) if isinstance(element, cst.DictElement) else None
                if key is None:
                    return None
                if self.carries(element.value, grad):
                    keys.add(key)
            return frozenset(keys)
        if isinstance(value, cst.Name):
            return self.keyed.get(value.value)
        return None

    def _assign_keys(self, simple: Simple, grad: str) -> None:
        """After `carries` has looked at the value: what the assigned name holds under each key."""
        for target in simple.targets:
            self.keyed.pop(target, None)
        if len(simple.targets) != 1 or simple.augmented:
            return
        if isinstance(simple.value, cst.Call):
            keys = self.last_helper_keys
        else:
            keys = self.keys_carrying(simple.value, grad)
        if keys is not None:
            self.keyed[simple.targets[0]] = keys

    def _write_keys(self, simple: Simple, grad: str) -> None:
        """`d["loss"] = v` sets what one key holds, `d["loss"] += v` adds to it; any other write to a
        known dict (a computed key, `d.update(...)`) leaves its keys unknown."""
        for call in simple.calls:
            if call.receiver in self.keyed and call.method in ("update", "setdefault", "__setitem__"):
                del self.keyed[call.receiver]
        node = simple.node
        if isinstance(node, cst.Assign) and simple.subscript_targets:
            writes = [(target.target, True) for target in node.targets]
        elif isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Subscript) and isinstance(node.target.value, cst.Name):
            writes = [(node.target, False)]  # `running["d_loss_total"] += d_loss`: what it held, and what is added
        else:
            for name in simple.subscript_targets:
                self.keyed.pop(name, None)
            return
        for target, replaced in writes:
            if not isinstance(target, cst.Subscript) or not isinstance(target.value, cst.Name):
                continue
            name, key = target.value.value, _literal_key(target)
            if name not in self.keyed:
                continue
            if key is None:
                del self.keyed[name]
            elif self.carries(node.value, grad):
                self.keyed[name] = self.keyed[name] | {key}
            elif replaced:
                self.keyed[name] = self.keyed[name] - {key}


def _literal_text(node: cst.BaseExpression | None) -> str | None:
    """The text of a plain string literal (`"loss"`, `'loss'`), else None."""
    if isinstance(node, cst.SimpleString) and not node.prefix.strip("rRuU"):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    return None


def _literal_key(node: cst.Subscript) -> str | None:
    """The key of `d["loss"]`, when it is one plain string literal."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return _literal_text(node.slice[0].slice.value)


_ENUMERATE = lazy(r"^enumerate\((.+)\)$")
_OWN_PARTS = lazy(r"^self(?:\.\w+)*\.(children|modules|named_children|named_modules|_modules\.values|_modules\.items)\(\s*\)$")

TRAINING_OBJECTS = (MODEL, OPTIMIZER, SCHEDULER, SCALER)
"""Models, optimizers and schedulers hold no graph themselves, whatever built them."""


def _target_names(node: cst.BaseExpression) -> Iterator[str]:
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from _target_names(element.value)


def _calls_unseen_loss(value: cst.BaseExpression | None) -> bool:
    """`criterion(out, y)`, `self.loss_fn(...)`: a call named for a loss (whose code, when it
    could be seen, would have said what each returned value is)."""
    if not isinstance(value, cst.Call):
        return False
    name = (dotted_name(value.func) or "").rsplit(".", 1)[-1]
    return bool(name) and _LOSS_NAME.search(name) is not None


def _is_loss_class(qualified: str | None) -> bool:
    return bool(qualified) and qualified.rsplit(".", 1)[-1].endswith("Loss")


def _indices_of(node: cst.Subscript) -> bool:
    """`out.max(1)[1]`, `torch.max(out, 1)[1]`: the indices half of a (values, indices) result."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return False
    index = node.slice[0].slice.value
    return isinstance(index, cst.Integer) and index.value == "1" and _returns_indices(node.value)


def _returns_indices(node: cst.CSTNode | None) -> bool:
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return False
    method = node.func.attr.value
    is_function = dotted_name(node.func.value) == "torch"
    needed = 2 if is_function else 1
    has_dim = len(node.args) >= needed or any(a.keyword is not None and a.keyword.value == "dim" for a in node.args)
    return method in INDEX_RETURNING and (has_dim or method in ("topk", "sort", "kthvalue"))


def _backwarded_later(placed: list[Placed]) -> frozenset[tuple[int, str]]:
    """The assignments (by id, with the name) whose name is backwarded later in the same iteration of their
    innermost loop, with no other binding of it in between: `backward()` proves what they made
    carries a graph, also where it is stored before the backward runs."""
    last: dict[str, Placed] = {}
    proven: set[tuple[int, str]] = set()
    for item in placed:
        if item.grad != "off" and item.loops:
            for name in _backwarded(item.simple):
                made = last.get(name)
                if made is not None and made.loops and made.loops[-1] is item.loops[-1] and made.grad != "off":
                    proven.add((id(made.simple), name))
        for target in item.simple.targets:
            last[target] = item
    return frozenset(proven)


def _backwarded(simple: Simple) -> Iterator[str]:
    """Names a statement calls backward() on: `loss.backward()`, `scaler.scale(loss).backward()`,
    `accelerator.backward(loss)`."""
    for call in simple.calls:
        if call.method != "backward":
            continue
        if call.inner is None and call.receiver is not None and "." not in call.receiver:
            yield call.receiver
        source = call.inner if call.inner is not None else call
        for arg in source.args[:1]:
            if arg.dotted is not None and "." not in arg.dotted:
                yield arg.dotted


Returned = tuple[bool, ...]
"""What a function returns, as far as graphs go: one flag for a single value, one per element
for a tuple (`return loss, sample_size, logs`)."""


class ByArity(tuple):  # type: ignore[type-arg]
    """One flag for a function whose returns are tuples of different lengths (`return action, p, v`
    in one branch, `return action, p, sigma, v` in the other), with each length's flags: a caller
    that unpacks n names gets a tuple of n."""

    by_length: dict[int, Returned]

    def __new__(cls, flag: bool, by_length: dict[int, Returned]) -> "ByArity":
        made = super().__new__(cls, (flag,))
        made.by_length = by_length
        return made


_FILLING_METHODS = frozenset({"append", "extend", "insert"})
DICT_MAKERS = frozenset({"dict", "OrderedDict", "collections.OrderedDict"})
"""Calls that build a dict (`dict(epoch=e)`, `OrderedDict()`)."""


def returned_graphs(model: LoopModel, function: FunctionInfo, carrying_params: frozenset[str]) -> Returned:
    """Which of the values the function returns carry a graph, given which parameters carry one."""
    values = Values(model, function, carrying_params, filling=True)
    shapes: list[Returned] = []
    # the grad mode of the call site is the caller's business: here only the function's own
    for placed in walk(function.body, model.flow.grad_of_function(function, "on")):
        simple = placed.simple
        if simple.jump == "return" and simple.value is not None:
            if isinstance(simple.value, cst.Tuple):
                shapes.append(tuple(bool(values.carries(e.value, placed.grad)) for e in simple.value.elements))
            else:
                values.last_helper_result = None
                carried = bool(values.carries(simple.value, placed.grad))
                passed_on = values.last_helper_result if isinstance(simple.value, cst.Call) else None
                # `return _batch_loss(...)` of a helper returning `loss, batch_size`: its elements' flags
                shapes.append(tuple(passed_on) if passed_on is not None and len(passed_on) > 1 and carried else (carried,))
        values.observe(placed)
    if not shapes:
        return (False,)
    tuples = {len(shape) for shape in shapes if len(shape) > 1}
    if len(tuples) == 1:
        # `return action` in one branch, `return action, log_prob, entropy` in the others: a caller
        # that unpacks three values gets one of the tuples
        shapes = [shape for shape in shapes if len(shape) > 1]
    if all(len(shape) == len(shapes[0]) for shape in shapes):
        return tuple(any(flags) for flags in zip(*shapes))
    flag = any(flag for shape in shapes for flag in shape)
    if len(tuples) > 1:
        lengths = {length: [shape for shape in shapes if len(shape) == length] for length in tuples}
        return ByArity(flag, {length: tuple(any(flags) for flags in zip(*group)) for length, group in lengths.items()})
    return (flag,)


def left_graphs(model: LoopModel, function: FunctionInfo, carrying_params: frozenset[str]) -> frozenset[str]:
    """The attributes of its object a method binds last to a graph-carrying value (`self.loss_val =
    self.content_val + self.style_val` in a loss module's forward), given which parameters carry one."""
    if function.cls is None or function.params[:1] != ("self",):
        return frozenset()
    values = Values(model, function, carrying_params)
    for placed in walk(function.body, model.flow.grad_of_function(function, "on")):
        values.observe(placed)
    return frozenset(
        name.split(".", 1)[1] for name in values.graph if name.startswith("self.") and name.count(".") == 1
    )


def returned_keys(model: LoopModel, function: FunctionInfo, carrying_params: frozenset[str]) -> frozenset[str] | None:
    """When every value the function returns is a dict with known keys: the keys whose values
    carry a graph, given which parameters carry one. None when that is not known."""
    values = Values(model, function, carrying_params)
    keys: set[str] = set()
    returns = 0
    for placed in walk(function.body, model.flow.grad_of_function(function, "on")):
        simple = placed.simple
        if simple.jump == "return":
            found = values.keys_carrying(simple.value, placed.grad)
            if found is None:
                return None
            keys |= found
            returns += 1
        values.observe(placed)
    return frozenset(keys) if returns else None


def is_loss_module(subject: Subject | None) -> bool:
    """`criterion = nn.CrossEntropyLoss()`, `softmax = nn.Softmax(dim=1)`: a module, but no model
    to evaluate (a loss, or a layer with no parameter of its own applied to outputs)."""
    qualified = subject.binding.qualified if subject is not None and subject.binding is not None else None
    if not qualified:
        return False
    if PARAMETER_FREE_LAYER.match(qualified):
        return True
    # (a project class named for its loss that builds a model in it, `ModelAndLoss` whose forward
    # runs `self.model(data)` then `self.loss(...)`, is the model: running it runs the network)
    return qualified.rsplit(".", 1)[-1].endswith("Loss") and not _holds_a_model(subject.binding.cls)


def _holds_a_model(cls: ClassInfo | None) -> bool:
    """Does a project class's `__init__` bind an attribute named for a model (`self.model = ...`)?"""
    init = cls.methods.get("__init__") if cls is not None else None
    return init is not None and any(
        target.startswith("self.") and role_from_name(target) == MODEL for simple in init.assignments for target in simple.targets
    )


def _runs_code_with_weights(event: object) -> bool:
    """Does the event run a model with weights, code out of sight, or a backward (not a loss or a
    parameter-free layer such as `nn.Upsample` applied to earlier results)?"""
    kind = getattr(event, "kind", None)
    if kind not in _RUNNING_KINDS:
        return False
    return kind is not Kind.MODEL_CALL or not is_loss_module(getattr(event, "subject", None))


def retained_values(model: LoopModel, function: FunctionInfo) -> list[RetainedValue]:
    if not any(
        _may_store(model, function, placed) if placed.loops
        else bool((function.loops and _parameter_appends(function, placed)) or _appends_to_self(function, placed))
        for placed in walk(function.body, "on")
    ):
        return []  # nothing in a loop stores anything: no need to know what carries a graph
    in_model = function.cls is not None and model.is_module_class(function.cls)
    placed_all = model.ordered_statements(function)
    consumed = feeding_backward(function, placed_all, handed_to_backward(model, function))
    returned = {name for item in placed_all for name in item.simple.returned_names}
    # (`loss = policy_loss + value_loss; return loss`: the sums reach what the callers backward)
    returned |= _returned_for_backward(model, function, returned)
    values = Values(
        model, function, backwarded_later=_backwarded_later(placed_all), recording=model.graph_recording_evaluation_calls
    )
    found: list[RetainedValue] = []
    backwarded: dict[int, set[str]] = {}

    def backwarded_in(loop: Loop) -> set[str]:
        if id(loop) not in backwarded:
            backwarded[id(loop)] = feeding_backward(function, [p for p in placed_all if loop in p.loops])
        return backwarded[id(loop)]

    for item in placed_all:
        simple = item.simple
        if not item.loops and item.grad != "off" and not in_model:
            for call in _parameter_appends(function, item):
                kept = _kept_per_caller_iteration(model, function, call, values, item, placed_all)
                if kept is not None:
                    found.append(kept)
            for call in _attribute_appends(model, function, item):
                kept = _kept_per_method_call(model, function, call, values, item)
                if kept is not None:
                    found.append(kept)
        if item.loops:
            for container, value, carried in _stores(values, item):
                origin = values.graph.get(carried)
                loop = _loop_holding(item, origin, placed_all)
                if loop is None or container in consumed:
                    continue
                if origin is not None and _no_graph_on_this_path(function, origin, item):
                    continue  # `with torch.set_grad_enabled(phase == "train"):`, stored under `if phase == "val":`
                if container in _backwarded_by_callees(model, function):
                    continue  # `actor_net.saved_logprobs.append(log_prob)`, backwarded by `update()` after the episode
                if _backwarded_by_own_methods(model, function, container):
                    continue  # `self.rollout.policy_vb.append(p)`, the loss of the agent's own `_backward()`
                if _grows_itself(simple) and Kind.BACKWARD in model.kinds_in(loop):
                    continue  # `preds = torch.cat([preds, logits])` beside a backward that frees the graph's buffers

                if (
                    (in_model or _runs_inside_forward(model, function))
                    and not _outlives_call(container, function) and Kind.STEP not in model.kinds_in(loop)
                ):
                    # a model's method (or a helper only its forward calls) collects per-step outputs
                    # for its result, freed on return; but one that trains the model itself (a
                    # Keras-style `fit`) keeps them across its steps
                    continue
                if container in returned and Kind.BACKWARD not in model.kinds_in(item.loops[-1]) and (
                    (simple.augmented and not _sum_over_data_no_caller_backwards(model, function, item.loops[-1], placed_all))
                    or (not _over_data(item.loops[-1], placed_all) and _rollout(model, function))
                ):
                    # a loss summed from parts, or the log-probs and values of an episode's steps
                    # (a rollout, not a pass over data), returned to a caller that backwards them
                    continue
                if container in returned and (_chunks_of_one_input(item.loops[-1], model) or _chunks_of_one_input(item.loops[0], model)):
                    # one forward run in slices of its input, joined and returned: the caller's value
                    # (also kept per key of each slice's outputs, `for k in ret: all_ret[k].append(ret[k])`)
                    continue
                if (
                    Kind.BACKWARD not in model.kinds_in(item.loops[-1])
                    and _joined_into_result(function, container, item.loops[-1], placed_all)
                    and _some_caller_backwards(model, function)
                ):
                    # `predictions.append(model(chunk))` over the chunks of one batch, then `raw =
                    # torch.cat(predictions)` that the function returns to a training step that
                    # backwards it: one output built in pieces, whose graph its loss needs (a
                    # validation call of it without no_grad is reported as such)
                    continue
                if container in returned and Kind.BACKWARD not in model.kinds_in(item.loops[-1]) and _carries_state(item.loops[-1]):
                    continue  # a hand-written RNN's per-step outputs (`H = Z * H + ...`), returned for the loss
                if not _outlives(container, loop, placed_all, model, item):
                    continue
                if _unrolled_recurrence(loop) and Kind.BACKWARD not in model.kinds_in(loop):
                    continue  # each step's graph holds the previous ones anyway; nothing piles up across data
                if not DATA_ITERABLE.search(iterated_text(loop, placed_all)) and not any(
                    _runs_code_with_weights(event) for event in model.loop_event(loop).flatten()
                ):
                    # `for i in range(len(layer_grads)): cam += ups(grads[i] * feats[i])`: no forward
                    # and no data in the loop, only arithmetic on one earlier forward's results; the
                    # graphs kept are that forward's, a few more ops per layer, not one per batch
                    continue
                if (
                    carried in backwarded_in(loop)
                    and Kind.STEP not in model.kinds_in(loop)
                    and _fresh_per_outer_iteration(container, loop, item, placed_all)
                ):
                    # `outputs.append(out); loss_fn(out, y).backward()` per chunk of one batch, the
                    # step after the chunks: backwarded, and gone with the batch
                    continue
                if _sum_spelled_out(simple) is not None and _made_afresh_earlier(container, item, placed_all):
                    continue  # `loss = 0.25 * a` then `loss = loss + 0.25 * b`: one iteration's loss, built up
                found.append(RetainedValue(simple, container, value, origin, loop))
        values.observe(item)
    return found


def _parameter_appends(function: FunctionInfo, item: Placed) -> list[CallSite]:
    """`history.append((epoch, img, out))` where `history` is a parameter of the function that it
    never rebinds: the caller's list, which outlives the call."""
    params = set(function.params) - {"self", "cls"}
    if not params:
        return []
    return [
        call for call in item.simple.calls
        if call.method in APPENDING_METHODS and call.args and (container := _container(call)) in params
        and not any(container in s.targets for s in function.assignments)
    ]


def _appends_to_self(function: FunctionInfo, item: Placed) -> bool:
    """Does the statement of a method append to a list of its object (`self.losses.append(x)`)?"""
    return function.cls is not None and function.params[:1] == ("self",) and any(
        call.method in APPENDING_METHODS and call.args and (_container(call) or "").startswith("self.")
        for call in item.simple.calls
    )


def _appended_graph(call: CallSite, values: Values, item: Placed) -> tuple[str, Simple] | None:
    """The first argument of an append that carries a graph made in this function: how a message
    shows it, and the statement that computed it; None when none does."""
    for arg in call.args:
        carried = values.carries(arg.node, item.grad)
        if carried:
            origin = values.graph.get(carried)
            return (_shown(arg.node, carried), origin) if origin is not None else None
    return None


def _attribute_appends(model: LoopModel, function: FunctionInfo, item: Placed) -> list[CallSite]:
    """`self.loss_history.append(loss)` in a method of a class whose methods build no loss from the
    list: the object's list, which outlives the call (how long, `_kept_per_method_call` decides)."""
    cls = function.cls
    if cls is None or function.params[:1] != ("self",) or function.name == "__init__":
        return []
    found = []
    for call in item.simple.calls:
        container = _container(call) if call.method in APPENDING_METHODS and call.args else None
        if container is None or not container.startswith("self.") or container.count(".") != 1:
            continue
        if _backwarded_by_own_methods(model, function, container):
            continue
        found.append(call)
    return found


def _emptying_methods(model: LoopModel, function: FunctionInfo, container: str) -> set[str]:
    """The methods of the class (but `__init__`), or of a base, that bind the attribute again or
    clear it (`self.losses = []` at each epoch's start, `self.losses.clear()`, `del self.losses[:]`,
    `self.losses = checkpoint["losses"]`)."""
    owner = model.at(function)
    found: set[str] = set()
    for cls in owner.class_chain(function.cls):  # type: ignore[arg-type]
        for method in cls.methods.values():
            if method.name == "__init__":
                continue
            if any(_empties(simple, container) or type(simple.node) is cst.Del for simple in method.simples):
                found.add(method.name)
    return found


def _empties(simple: Simple, container: str) -> bool:
    """Does the statement bind the container again or clear it (`self.losses = []`,
    `self.losses.clear()`)?"""
    return container in simple.targets or any(
        c.receiver == container and c.method in ("clear", "pop", "popleft", "remove") for c in simple.calls
    )


def _emptied_in_loop(caller: LoopModel, function: FunctionInfo, loop: Loop, container: str, emptying: set[str]) -> bool:
    """Is the object's list emptied in each iteration of the caller's loop: by the caller itself
    (a method of the class, `self.losses = []` in the loop) or by a call of an emptying method
    there (`self.step(b); self.reset_logs()`)?"""
    for placed in caller.ordered_statements(function):
        if loop not in placed.loops:
            continue
        simple = placed.simple
        if function.cls is not None and _empties(simple, container):
            return True
        if any(c.receiver == "self" and c.method in emptying for c in simple.calls):
            return True
    return False


def _kept_per_method_call(
    model: LoopModel, function: FunctionInfo, call: CallSite, values: Values, item: Placed
) -> RetainedValue | None:
    """A store, outside any loop of the method, into a list of its object (see `_attribute_appends`)
    of a graph made in this call, when a caller calls the method in each iteration of a loop over
    data or epochs (a per-batch `step()` of a trainer class) and nothing empties the list in that
    loop: every call's graph stays in the list until it is emptied (at the next epoch, or never)."""
    from loopcheck.model.state import placed_of

    if _runs_inside_forward(model, function):
        return None
    container = _container(call) or ""
    emptying = _emptying_methods(model, function, container)
    if function.name in emptying:
        return None  # emptied by the method itself: one call's values at a time
    appended = _appended_graph(call, values, item)
    if appended is None:
        return None  # (a graph handed in by the caller: the call site's business)
    shown, origin = appended
    if container in _backwarded_by_callees(model, function):
        return None
    for edge in model.callers(function):
        caller = model.at(edge.caller)
        at = placed_of(caller, edge.caller, edge.call)
        if at is None or not at.loops or at.grad == "off":
            continue
        loop = at.loops[-1]
        if _emptied_in_loop(caller, edge.caller, loop, container, emptying):
            continue
        if DATA_ITERABLE.search(iterated_text(loop, caller.ordered_statements(edge.caller))) or iterates_epochs(loop) or caller.kinds_in(loop) & {Kind.BACKWARD, Kind.STEP}:
            return RetainedValue(item.simple, container, shown, origin, loop)
    return None


def _kept_per_caller_iteration(
    model: LoopModel, function: FunctionInfo, call: CallSite, values: Values, item: Placed, placed: list[Placed]
) -> RetainedValue | None:
    """A store after the function's own loops into a list the caller hands in (`def train(...,
    outputs): for img in loader: ...; outputs.append((epoch, img, recon))`), of a graph made in
    this call, when a caller calls the function in each iteration of a loop over epochs or data
    with one list made before that loop: every call's graph stays in the caller's list."""
    from loopcheck.model.state import placed_of

    container = _container(call)
    if container is None or _runs_inside_forward(model, function):
        return None
    appended = _appended_graph(call, values, item)
    if appended is None:
        return None  # (a graph handed in by the caller: the call site's business)
    shown, origin = appended
    offset = 1 if function.cls is not None and function.params[:1] in (("self",), ("cls",)) else 0
    index = function.params.index(container) - offset
    for edge in model.callers(function):
        caller = model.at(edge.caller)
        at = placed_of(caller, edge.caller, edge.call)
        arg = edge.call.arg(index, container) if index >= 0 else None
        if at is None or not at.loops or arg is None or not isinstance(arg.node, cst.Name):
            continue
        loop = at.loops[-1]
        name = arg.node.value
        caller_placed = caller.ordered_statements(edge.caller)
        if not (DATA_ITERABLE.search(iterated_text(loop, caller_placed)) or iterates_epochs(loop) or caller.kinds_in(loop) & {Kind.BACKWARD, Kind.STEP}):
            continue
        if name in feeding_backward(edge.caller, caller_placed):
            continue  # the caller backwards what the calls gathered (one loss over the calls)
        if not _outlives(name, loop, caller_placed, caller):
            continue
        return RetainedValue(item.simple, container, shown, origin, loop)
    return None


def _returned_for_backward(model: LoopModel, function: FunctionInfo, returned: set[str]) -> set[str]:
    """The names whose values reach what the function returns through its assignments, when every
    call of it hands what it returns to a backward; none else (an evaluation helper returning
    `total_loss / n` keeps the graphs of its sum for nothing)."""
    from loopcheck.model import evaluation

    flowing = _flowing_into(function, returned) - returned
    if not flowing or not evaluation.returned_into_backward(model, function):
        return set()
    return flowing


def _sum_over_data_no_caller_backwards(model: LoopModel, function: FunctionInfo, loop: Loop, placed: list[Placed]) -> bool:
    """A sum over the batches of a loader (`total += criterion(model(x), y)`), or over a loop each
    iteration of which draws the next batch of an iterator (`for _ in range(100): x, y =
    test_data.next()`), returned to project callers none of which hands it to a backward (they
    print it, compare it, log it): every batch's graph is kept until the caller drops the sum. A
    function no project code calls may be called by code out of sight that backwards it: not
    established."""
    return _over_data(loop, placed) and bool(model.callers(function)) and not _some_caller_backwards(model, function)


def _over_data(loop: Loop, placed: list[Placed]) -> bool:
    """Does the loop go over data: it iterates a loader or dataset (`for x, y in val_loader`), or
    each iteration draws the next batch of an iterator?"""
    return bool(DATA_ITERABLE.search(iterated_text(loop, placed))) or _draws_next_element(loop, placed)


def iterated_text(loop: Loop, placed: list[Placed]) -> str:
    """What the loop iterates, written out: for a plain name, the value of its last assignment
    above the loop in its function (`valbar = tqdm(enumerate(val_loader), total=n)`, then `for i,
    (x, y) in valbar:`); `placed` is that function's statements in order."""
    text = loop.iter_text
    if not text.isidentifier():
        return text
    bound = None
    for item in placed:
        if loop in item.loops:
            break
        if item.simple.targets == (text,) and item.simple.value is not None:
            bound = item.simple.value
    return expression_text(bound) if bound is not None else text


def _draws_next_element(loop: Loop, placed: list[Placed]) -> bool:
    """Does each iteration of the loop draw the next element of an iterator, directly in its body
    (`batch = next(it)`, `src, tgt = test_data.next()`, `loader_iter.__next__()`)? Then every
    iteration works on new data, whatever the loop counts."""
    return any(
        p.loops and p.loops[-1] is loop and not p.conditional and any(
            (call.dotted == "next" and call.args) or (call.receiver is not None and call.method in ("next", "__next__") and not call.args)
            for call in p.simple.calls
        )
        for p in placed
    )


def _some_caller_backwards(model: LoopModel, function: FunctionInfo) -> bool:
    """Does some project call of the function hand what it returns to a backward?"""
    from loopcheck.model import evaluation

    return any(evaluation.backwards_result(model, edge) for edge in model.callers(function))


_JOINING = frozenset({"cat", "stack", "vstack", "hstack", "concat", "concatenate"})
_BUILTIN_NAMES = frozenset({"zip", "range", "len", "enumerate", "reversed", "list", "tuple"})


def _joined_into_result(function: FunctionInfo, container: str, loop: Loop, placed: list[Placed]) -> bool:
    """Is the list, made afresh just before the loop, joined after it (`torch.cat(predictions)`)
    into a value the function returns?"""
    index = next((i for i, p in enumerate(placed) if loop in p.loops), None)
    if index is None:
        return False
    local = {target for simple in function.assignments for target in simple.targets} - set(function.params)
    if not loop.iter_names or not all(name in local or name in _BUILTIN_NAMES for name in loop.iter_names):
        return False  # (pieces of a value made in this call, `zip(batches, viewdirs)` of its chunks: not data)
    around = placed[index].loops[: placed[index].loops.index(loop)]
    made = next((p for p in reversed(placed[:index]) if container in p.simple.targets), None)
    if made is None or made.loops != around or made.simple.targets != (container,):
        return False  # (`predictions = []` just outside this loop: one call's list, not one kept across data)
    value = made.simple.value
    if not isinstance(value, (cst.List, cst.Tuple)) or value.elements:
        return False
    returned = _flowing_into(function, {name for p in placed for name in p.simple.returned_names})
    after = [p.simple for p in placed[index:] if loop not in p.loops]
    return any(
        call.method in _JOINING and any(container in arg.names for arg in call.args) and set(simple.targets) & returned
        for simple in after for call in simple.calls
    )


def _flowing_into(function: FunctionInfo, names: set[str]) -> set[str]:
    """`names` and the names whose values the function's assignments put into them (`loss =
    policy_loss + value_loss` then `return loss`: `policy_loss` is returned too)."""
    found = set(names)
    changed = bool(found)
    while changed:
        changed = False
        for simple in function.simples:
            # (`outputs["rgb_map"] = rgb_map` puts a value into a returned dict too)
            written = set(simple.targets) | {target.split("[", 1)[0] for target in simple.subscript_targets}
            if written & found and not simple.value_names <= found:
                found |= simple.value_names
                changed = True
    return found


def _backwarding_callees(
    model: LoopModel, function: FunctionInfo, simples: Iterable[Simple] | None = None, differentiated: bool = False
) -> Iterator[tuple[CallSite, FunctionInfo, set[str]]]:
    """The calls this function makes (in `simples`, when given) of project functions that backward
    (or, with `differentiated`, take gradients), each with its target and the target's names that
    feed its backward."""
    wanted = {"backward", "grad"} if differentiated else {"backward"}
    for simple in function.simples if simples is None else simples:
        for call in simple.calls:
            # (a differentiating helper is looked for also on objects the callers pass in)
            target = model.resolve_call(call, function, via_callers=differentiated)
            if target is None or target is function or not wanted & model.reaches(target):
                continue
            yield call, target, feeding_backward(target, model.at(target).ordered_statements(target))


def _backwarded_by_callees(model: LoopModel, function: FunctionInfo) -> set[str]:
    """Attribute containers (`actor_net.saved_logprobs`) that project functions this one calls
    feed into their backward: the steps' graphs are kept for that update, as the algorithm wants."""
    found: set[str] = set()
    for _, target, fed in _backwarding_callees(model, function):
        local = set(target.params) | {t for s in target.assignments for t in s.targets}
        # (names the callee shares with this function: module-level objects such as `actor_net`)
        found |= {name for name in fed if name not in local and name != "self" and _global_in(model, name)}
    return found


def handed_to_backward(
    model: LoopModel, function: FunctionInfo, simples: Iterable[Simple] | None = None, differentiated: bool = False
) -> set[str]:
    """Names this function hands (in `simples`, when given) to a project function at a parameter
    that function backwards (`self.optimize(self.dis_opt, d_loss)` where `optimize(opt, loss)` runs
    `loss.backward()`); with `differentiated`, also one that differentiates it with
    `torch.autograd.grad` (`codes = learner.inner_update(x, y, codes)`)."""
    found: set[str] = set()
    for call, target, fed in _backwarding_callees(model, function, simples, differentiated):
        offset = 1 if target.cls is not None and target.params[:1] in (("self",), ("cls",)) else 0
        for index, parameter in enumerate(target.params[offset:]):
            arg = call.arg(index, parameter)
            if arg is not None and parameter in fed:
                found |= set(arg.names)
    return found


def _global_in(model: LoopModel, name: str) -> bool:
    """Is `name` bound at the module's top level?"""
    return any(name in s.targets for s in model.ir.top.assignments)


_CHUNKED_RANGE = lazy(r"^range\(\s*0\s*,.+,\s*([A-Za-z_][\w.]*)\s*\)$", re.S)


def _chunks_of_one_input(loop: Loop, model: LoopModel) -> bool:
    """`for i in range(0, x.shape[0], chunk): out.append(f(x[i:i + chunk]))`: a loop over slices
    of one tensor (a forward split to fit memory), not over data."""
    if not loop.targets:
        return False
    found = _CHUNKED_RANGE.match(loop.iter_text)
    if found is None:
        return False
    index, step = loop.targets[0], found.group(1)
    for simple in simples_of(loop.body):
        for node in nodes_within(simple.node):
            if isinstance(node, cst.Slice) and node.lower is not None and node.upper is not None:
                lower, upper = model.code(node.lower).replace(" ", ""), model.code(node.upper).replace(" ", "")
                if lower == index and upper in (f"{index}+{step}", f"{step}+{index}"):
                    return True
    return False


def iterates_epochs(loop: Loop) -> bool:
    """`for epoch in range(args.epochs):` — a loop over epochs, not over batches of data."""
    return any(EPOCH_WORDS.search(target) for target in loop.targets) or (
        loop.iter_text.startswith("range(") and bool(EPOCH_WORDS.search(loop.iter_text))
    )


def _fresh_per_outer_iteration(container: str, loop: Loop, item: Placed, placed_all: list[Placed]) -> bool:
    """Is the container made afresh (`outputs = []`) in each iteration of a loop around `loop`
    that is no epoch loop (a batch split in chunks, not every batch of an epoch)?"""
    if loop not in item.loops:
        return False
    outer = item.loops[: item.loops.index(loop)]
    if not outer or iterates_epochs(outer[-1]):
        return False
    return any(
        container in p.simple.targets and p.loops[: len(outer)] == outer and loop not in p.loops
        for p in placed_all
    )


def _rollout(model: LoopModel, function: FunctionInfo) -> bool:
    """A function that trains nothing itself and hands what it collects to a caller that backwards:
    `run_episode` returning an episode's log-probs for one REINFORCE update. (A play script that
    calls it too, with grad on, keeps them for its one episode because its pass lacks `no_grad`:
    that is the pass's finding, not a store's.)"""
    if "backward" in model.reaches(function):
        return False  # (not "step": `env.step(action)` is how a rollout moves)
    edges = model.callers(function)
    if edges and all("backward" in model.reaches(edge.caller) for edge in edges):
        return True
    return _some_caller_backwards(model, function)  # (one that backwards what it returns, not merely trains)


def _carries_state(loop: Loop) -> bool:
    """Does an iteration compute a value from the one the previous iteration left (`H = Z * H +
    (1 - Z) * H_tilda`): the steps of one sequence, not items of data? Running sums (`+=`) are
    not state."""
    if DATA_ITERABLE.search(loop.iter_text):
        return False
    assigned = set(loop.targets)
    for simple in simples_of(loop.body):
        if not simple.augmented and not simple.value_detached and (set(simple.targets) & simple.value_names) - assigned:
            return True
        assigned.update(simple.targets)
    return False


def _unrolled_recurrence(loop: Loop) -> bool:
    """A loop over the steps of one sequence, not over data: a call's result is fed back into it
    on the next iteration (`hx, cx = lstm(x[t], (hx, cx))`, `out, hidden = decoder(inp, hidden)`)."""
    if DATA_ITERABLE.search(loop.iter_text):
        return False
    assigned = set(loop.targets)
    for item in walk(loop.body, "on"):
        simple = item.simple
        if simple.value_call is not None and not simple.augmented and not simple.value_detached:
            fed_back = set(simple.targets) & simple.value_names
            if fed_back - assigned:
                return True
        if not item.conditional:
            # (`if t == 0: pred = im` / `else: pred = torch.cat((pred, im), -1)`: bound under a test,
            # the name may still hold what the previous step left)
            assigned.update(simple.targets)
    return False


def _library_object(model: LoopModel, function: FunctionInfo, name: str) -> bool:
    """Is the name bound, at each of its assignments, to an object a library class builds
    (`metric = d2l.Accumulator(2)`, `meter = tnt.meter.AverageValueMeter()`)? Its `add` is that
    class's, out of sight: whether it keeps what it is given (a set does) cannot be told."""
    bindings = model.at(function).roles.bindings_of(name, function)

    def built_by_library(binding: Binding) -> bool:
        qualified = binding.qualified or ""
        imported = {full.split(".", 1)[0] for full in model.at(binding.function).ir.imports.values()}
        return (
            binding.call is not None and binding.cls is None and "." in qualified
            and qualified.split(".", 1)[0] in imported and not qualified.startswith(("collections.", "builtins."))
        )

    return bool(bindings) and all(built_by_library(binding) for binding in bindings)


def _may_store(model: LoopModel, function: FunctionInfo, item: Placed) -> bool:
    """Could the statement keep a value past its iteration (read off the syntax alone)?"""
    simple = item.simple
    if simple.augmented or simple.subscript_targets or _grows_itself(simple) or _sum_spelled_out(simple) is not None:
        return True
    for call in simple.calls:
        if call.method in APPENDING_METHODS:
            return True
        target = model.resolve_call(call, function, via_callers=False)
        if target is not None and target is not function and model.at(target).kept_parameters(target):
            return True
    return False


def _runs_inside_forward(model: LoopModel, function: FunctionInfo, depth: int = 3) -> bool:
    """Is the function a plain helper that only the methods of module classes call (`def
    attentive_node_features(...)` called by `classify_node_features`, called by `forward`), so
    that it runs within one forward call?"""
    if depth <= 0 or function.cls is not None or function.name == "<module>":
        return False
    edges = model.callers(function)
    return bool(edges) and all(
        edge.caller is not function and (
            (edge.caller.cls is not None and model.at(edge.caller).is_module_class(edge.caller.cls))
            or _runs_inside_forward(model.at(edge.caller), edge.caller, depth - 1)
        )
        for edge in edges
    )


def _only_dicts(function: FunctionInfo, name: str) -> bool:
    """Is every plain assignment of `name` in the function a dict (`other_loss = {"width": 0.}`)?
    Then `other_loss += loss` raises TypeError: it keeps nothing, the loop stops there."""
    values = [s.value for s in function.assignments if name in s.targets and not s.augmented]
    return bool(values) and all(
        isinstance(value, (cst.Dict, cst.DictComp)) or isinstance(value, cst.Call) and dotted_name(value.func) in DICT_MAKERS
        for value in values
    )


def _stores(values: Values, item: Placed) -> Iterator[tuple[str, str, str]]:
    """(container, stored name for the message, graph name it flows from) for `total += loss`,
    `xs.append(loss)`, `d[step] = loss`, and a project function that keeps its argument."""
    simple = item.simple
    if item.grad == "off":
        return
    if simple.augmented and simple.value is not None:
        carried = values.carries(simple.value, item.grad)
        for target in simple.targets:
            if carried and carried != target and not _only_dicts(values.function, target):
                yield target, _shown(simple.value, carried), carried
    elif (added := _sum_spelled_out(simple)) is not None:
        # `cum_loss = cum_loss + loss`: `+=` spelled out
        carried = values.carries(added, item.grad)
        target = simple.targets[0]
        if carried and carried != target:
            yield target, _shown(added, carried), carried
    elif _grows_itself(simple):
        # `predict = torch.cat((predict, output))`: an `append` spelled out
        target = simple.targets[0]
        carried = values._any(
            node for node in _joined_parts(simple.value) if not (isinstance(node, cst.Name) and node.value == target)
        )
        if carried and carried != target:
            yield target, carried, carried
    for call in simple.calls:
        container = _container(call)
        if (
            call.method in APPENDING_METHODS
            and container is not None
            and container.split(".", 1)[0] not in values.model.ir.imports  # `torch.add(a, b)`: a module's function
            and values.model.resolve_call(call, values.function) is None
            and not (call.method == "add" and _library_object(values.model, values.function, container))
        ):
            # a project class's `add` is judged by what its code keeps (below), not by its name
            for arg in call.args:
                carried = values.carries(arg.node, item.grad)
                if carried:
                    yield container, _shown(arg.node, carried), carried
                    break
        kept = _kept_by_callee(values, call)
        if kept is not None:
            yield kept
    if simple.subscript_targets and simple.augmented and simple.value is not None:
        # `res["loss"] += loss`: a running sum kept in a dict or list entry
        carried = values.carries(simple.value, item.grad)
        for container in simple.subscript_targets if carried else ():
            if values.is_collection(container):
                yield container, _shown(simple.value, carried), carried
    if simple.subscript_targets and simple.value is not None and isinstance(simple.node, cst.Assign):
        carried = values.carries(simple.value, item.grad)
        if carried and any(_varying_key(t.target) for t in simple.node.targets):
            for container in simple.subscript_targets:
                if values.is_collection(container):
                    yield container, _shown(simple.value, carried), carried


def _made_afresh_earlier(container: str, item: Placed, placed: list[Placed]) -> bool:
    """Is the name given a new value (not added to) earlier in the same iteration of the loop
    around `item` (in any arm: the sum then builds that iteration's value)?"""
    if not item.loops:
        return False
    innermost = item.loops[-1]
    for other in placed:
        if other is item:
            return False
        if innermost in other.loops and container in other.simple.targets and not other.simple.augmented and (
            _sum_spelled_out(other.simple) is None
        ):
            return True
    return False


def _sum_spelled_out(simple: Simple) -> cst.BaseExpression | None:
    """`total = total + loss` (or `total = loss + total`): what is added to the name's own value."""
    value = simple.value
    if simple.augmented or len(simple.targets) != 1 or not isinstance(value, cst.BinaryOperation):
        return None
    if not isinstance(value.operator, cst.Add):
        return None
    target = simple.targets[0]
    if _own_value(value.left, target):
        return value.right
    if _own_value(value.right, target):
        return value.left
    return None


def _own_value(node: cst.BaseExpression, name: str) -> bool:
    """The name itself, or scaled by a factor that is not itself: `total`, `smooth * 0.99`, `0.9 *
    ema`, `(1 - n / N) * avg` (a running average keeps what it averages, like a sum)."""
    if isinstance(node, cst.Name):
        return node.value == name
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Divide)):
        pairs = ((node.left, node.right), (node.right, node.left)) if isinstance(node.operator, cst.Multiply) else ((node.left, node.right),)
        return any(
            isinstance(own, cst.Name) and own.value == name and _plain_factor(factor, name)
            for own, factor in pairs
        )
    return False


def _plain_factor(node: cst.BaseExpression, name: str) -> bool:
    """A number, or arithmetic on names and numbers that does not read `name` and calls nothing."""
    if isinstance(node, (cst.Float, cst.Integer)):
        return True
    if isinstance(node, cst.Name):
        return node.value != name
    if isinstance(node, cst.BinaryOperation):
        return _plain_factor(node.left, name) and _plain_factor(node.right, name)
    if isinstance(node, cst.UnaryOperation):
        return _plain_factor(node.expression, name)
    return False


def _creates_graph(node: cst.Call) -> bool:
    """`torch.autograd.grad(..., create_graph=True)` (or a value we cannot read: assume it may)."""
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == "create_graph":
            return not (isinstance(arg.value, cst.Name) and arg.value.value in ("False", "None"))
    return False


_JOINING = frozenset({"cat", "concat", "concatenate", "stack", "hstack", "vstack"})


def _grows_itself(simple: Simple) -> bool:
    """`x = torch.cat((x, y))`: a name rebound to itself joined with something (not `x = x + y`,
    which builds a loss from its parts as often as it accumulates across iterations)."""
    if simple.augmented or len(simple.targets) != 1 or simple.value is None or "." in simple.targets[0]:
        return False
    target = simple.targets[0]
    return any(isinstance(node, cst.Name) and node.value == target for node in _joined_parts(simple.value))


def _joined_parts(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The elements of `torch.cat((a, b))`; empty for anything else."""
    if isinstance(value, cst.Call) and value.args:
        name = dotted_name(value.func) or ""
        if name.rsplit(".", 1)[-1] in _JOINING and isinstance(value.args[0].value, (cst.Tuple, cst.List)):
            return [element.value for element in value.args[0].value.elements]
    return []


def _shown(node: cst.CSTNode, carried: str) -> str:
    """How the message names the stored value: the name, or the expression when it is short."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, (cst.Tuple, cst.List)):
        # `(epoch, image, output)`: the element that carries the graph is what to store detached
        held = [e.value for e in node.elements if carried in _names_read(e.value)]
        if len(held) == 1:
            return _shown(held[0], carried)
    text = expression_text(node)
    if len(text) <= 40:
        return text
    called = dotted_name(node.func) if isinstance(node, cst.Call) else None
    # (`self.model(conf.test_transform(img).to(device).unsqueeze(0))`: the call, its arguments elided)
    return f"{called}(...)" if called else carried


def _varying_key(target: cst.BaseExpression) -> bool:
    """`log[step] = loss` grows with the iteration; `log["loss"] = loss` overwrites one entry."""
    if not isinstance(target, cst.Subscript):
        return False
    for element in target.slice:
        index = element.slice
        if isinstance(index, cst.Index) and isinstance(index.value, (cst.SimpleString, cst.Integer, cst.ConcatenatedString)):
            continue
        return True
    return False


def _kept_by_callee(values: Values, call: CallSite) -> tuple[str, str, str] | None:
    """`meter.update(loss, n)` or `logger.log("loss", loss)` where the project method keeps its
    argument; also `signals[i].update(loss)` of a list every element of which is built by a project
    class (one of several a setting picks: `AverageMeter = MovingAverageMeter`) whose method keeps it."""
    model, function = values.model, values.function
    target = model.resolve_call(call, function)
    if target is not None and call.dotted is not None:
        return _kept_by(values, call, target, call.dotted)
    if call.element is None or call.method is None or call.inner is not None:
        return None
    classes = model.element_classes(call.element[0], function) or []
    methods = list({id(m): m for m in (model.at_class(cls).method_of(cls, call.method) for cls in classes)}.values())
    if not methods or any(method is None for method in methods):
        return None
    found = [_kept_by(values, call, method, f"{call.element[1]}.{call.method}") for method in methods if method is not None]
    return found[0] if all(found) else None


def _kept_by(values: Values, call: CallSite, target: FunctionInfo, shown: str) -> tuple[str, str, str] | None:
    model, function = values.model, values.function
    if target is function:
        return None
    kept = model.at(target).kept_parameters(target)
    if not kept or _kept_for_backward(model, target, kept):
        return None
    offset = 1 if target.cls is not None and target.params[:1] == ("self",) else 0
    for index, parameter in enumerate(target.params[offset:]):
        if parameter not in kept:
            continue
        if _handed_back_for_backward(model, function, call, target, parameter):
            continue  # `self.buffer.store_action(log_prob)`, read back by `get_tensors()` for the update's loss
        arg = call.arg(index, parameter)
        carried = values.carries(arg.node) if arg is not None else None
        if carried:
            return shown, _shown(arg.node, carried), carried
    return None


def _handed_back_for_backward(
    model: LoopModel, function: FunctionInfo, call: CallSite, target: FunctionInfo, parameter: str
) -> bool:
    """Does a method of the storing object hand back what `target` keeps of `parameter` (a rollout
    buffer's `get_tensors()` returning `torch.cat(self.action_buffer)` in a tuple), to a method of
    the caller's class that backwards it, here or through a project function it hands it to
    (`actions` in `self.policy_network.update(actions, ...)`)? Each step's graph is then kept for
    the update, as policy-gradient methods want; an element read back only detached
    (`old_actions.detach()`) or not at all is still kept for nothing."""
    if target.cls is None or function.cls is None or call.receiver is None:
        return False
    attributes = _attributes_keeping(target, frozenset({parameter}))
    if not attributes:
        return False
    def reads_kept(node: cst.CSTNode, derived: set[str]) -> bool:
        return bool(_names_read(node) & derived)

    handed: list[tuple[str, int | None]] = []  # (getter, position in its returned tuple)
    for getter in target.cls.methods.values():
        if getter is target:
            continue
        derived = set(attributes)  # (`self.action_buffer`, then what the getter computes from it)
        for simple in getter.assignments:
            if simple.value is not None and reads_kept(simple.value, derived):
                derived |= set(simple.targets)
        for simple in getter.simples:
            if simple.jump != "return" or simple.value is None:
                continue
            if not isinstance(simple.value, cst.Tuple):
                if reads_kept(simple.value, derived):
                    handed.append((getter.name, None))
                continue
            handed.extend(
                (getter.name, position) for position, element in enumerate(simple.value.elements)
                if reads_kept(element.value, derived)
            )
    if not handed:
        return False
    for update in model.at(function).class_chain(function.cls):
        for method in update.methods.values():
            feeding: set[str] | None = None
            for simple in method.simples:
                for got in simple.calls:
                    if got.receiver != call.receiver or got.node is not simple.value:
                        continue
                    for name, position in handed:
                        if got.method != name:
                            continue
                        targets = simple.targets if position is None else (
                            simple.targets[position:position + 1] if len(simple.targets) > 1 else ()
                        )
                        if feeding is None:
                            feeding = _attached_feeding_backward(model, method)
                        if set(targets) & feeding:
                            return True
    return False


def _attached_feeding_backward(model: LoopModel, function: FunctionInfo) -> set[str]:
    """The names whose graphs reach a backward of the function, or a parameter of a project function
    it hands them to that backwards: like `feeding_backward`, but a name read only detached
    (`r = old.detach() / new` reads `old` without its graph) does not feed it."""
    roots = set(handed_to_backward(model, function))
    for simple in function.simples:
        for call in simple.calls:
            if call.method == "backward" and call.receiver_root is not None:
                roots.add(call.receiver_root)
    changed = True
    while changed:
        changed = False
        for simple in function.assignments:
            if simple.value is None or not set(simple.targets) & roots:
                continue
            added = _attached_names(simple.value) - roots
            if added:
                roots |= added
                changed = True
    return roots


def _attached_names(node: cst.CSTNode) -> set[str]:
    """The names an expression reads, leaving out what it reads only through `.detach()`, `.data`,
    `.item()` or `float()`/`int()`."""
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in DETACHING_METHODS:
            return set()
        if isinstance(func, cst.Name) and func.value in DETACHING_FUNCTIONS:
            return set()
    if isinstance(node, cst.Attribute) and node.attr.value in DETACHING_ATTRIBUTES:
        return set()
    if isinstance(node, cst.Name):
        return {node.value}
    found: set[str] = set()
    for child in node.children:
        found |= _attached_names(child)
    return found


def _backwarded_by_own_methods(model: LoopModel, function: FunctionInfo, container: str) -> bool:
    """A `self.*` container a method fills in its loop (`self.rollout.policy_vb.append(p_vb)`) that
    another method of the class (or of a base) builds the loss it backwards from: each step's graph
    is kept for that update, as the algorithm (A2C, ACER) wants."""
    if function.cls is None or not container.startswith("self."):
        return False
    owner = model.at(function)
    for cls in owner.class_chain(function.cls):
        for method in cls.methods.values():
            if method is function or "backward" not in model.at(method).reaches(method):
                continue
            fed = feeding_backward(method, list(walk(method.body, "on")))
            if container in fed:
                return True
    return False


def _kept_for_backward(model: LoopModel, target: FunctionInfo, kept: frozenset[str]) -> bool:
    """`policy.put_data((r, prob[a]))` whose class later backwards what it kept (`for r, prob in
    self.data: ... loss.backward()`): keeping each step's graph until the update is the algorithm
    (REINFORCE), not a leak."""
    cls = target.cls
    if cls is None:
        return False
    attributes = _attributes_keeping(target, kept)
    if not attributes:
        return False
    owner = model.at(target)
    for method in cls.methods.values():
        if method is not target and "backward" in owner.reaches(method):
            if attributes & feeding_backward(method, list(walk(method.body, "on"))):
                return True
    return False


def _attributes_keeping(function: FunctionInfo, params: frozenset[str]) -> set[str]:
    """The `self.*` containers a method stores these parameters into (`self.data.append(item)`)."""
    found: set[str] = set()
    for simple in function.simples:
        for call in simple.calls:
            container = _container(call)
            if call.method in APPENDING_METHODS and container and container.startswith("self."):
                if any(arg.names & params for arg in call.args):
                    found.add(container)
        if simple.value_names & params:
            found |= {t for t in (*simple.targets, *simple.subscript_targets) if t.startswith("self.")}
    return found


def _loop_holding(item: Placed, origin: Simple | None, placed: list[Placed]) -> Loop | None:
    """The innermost loop around both the store and where the graph is made: its iterations are
    the ones that would each keep a graph. None when the graph is made outside every loop of the
    store (slices of one tensor share one graph)."""
    if origin is None:
        return item.loops[-1]  # a parameter that carries a graph: each call brings a new one
    origin_loops = next((p.loops for p in placed if p.simple is origin), ())
    shared = [loop for loop in item.loops if loop in origin_loops]
    return shared[-1] if shared else None


def _outlives(container: str, loop: Loop, placed: list[Placed], model: LoopModel, store: Placed | None = None) -> bool:
    """Does the container keep what one iteration of `loop` stores into the next? Not when it is
    made afresh every iteration (a reset under a condition still keeps several), also in a loop
    inside it that runs the store (`for indices in groups: subset = []`, then `for i in
    range(len(a)): subset.append(...)`); when it is made afresh in an outer loop, only if `loop`
    runs over data (an epoch's worth of graphs), not over a few models or heads."""
    outer = _outer_loops(loop, placed)
    for item in placed:
        simple = item.simple
        if container not in simple.targets or simple.augmented or item.conditional or not item.loops:
            continue
        if _sum_spelled_out(simple) is not None or _grows_itself(simple):
            continue  # `total = total + loss`, `scores = torch.cat((scores, out))` add to what it held: no reset
        if item.loops[-1] is loop:
            return False  # `total = 0` in every iteration
        if store is not None and loop in item.loops and item.loops[-1] in store.loops:
            return False  # made afresh in a loop inside `loop` that runs the store: each iteration starts it empty
        if item.loops[-1] in outer:
            return bool(DATA_ITERABLE.search(iterated_text(loop, placed))) or any(step.loop is loop for step in model.training_steps)
    if not outer and _samples_for_this_call(container, loop, placed, model):
        return False
    return True


_JOINS = frozenset({"cat", "stack", "concat", "concatenate", "hstack", "vstack"})


def _samples_for_this_call(container: str, loop: Loop, placed: list[Placed], model: LoopModel) -> bool:
    """`samples = []`, then `for i in range(K): samples.append(dist.sample())` and `torch.cat(samples)`
    right after: a few values gathered in one call, made afresh before a counted loop that neither
    runs over data nor trains, and joined into one tensor once it ends."""
    if not loop.iter_text.startswith("range(") or DATA_ITERABLE.search(loop.iter_text):
        return False
    if model.kinds_in(loop) & {Kind.BACKWARD, Kind.STEP}:
        return False
    inside = [index for index, item in enumerate(placed) if loop in item.loops]
    if not inside:
        return False
    start, end = inside[0], inside[-1]
    made = any(
        container in item.simple.targets and not item.simple.augmented and not item.loops
        and set(item.guards) <= set(placed[start].guards)  # (in the branch that runs the loop, or outside all)
        and item.simple.value is not None and _sum_spelled_out(item.simple) is None
        for item in placed[:start]
    )
    joined = any(
        call.method in _JOINS and any(container in arg.names for arg in call.args)
        for item in placed[end + 1 :] if not item.loops
        for call in item.simple.calls
    )
    return made and joined


def _outer_loops(loop: Loop, placed: list[Placed]) -> tuple[Loop, ...]:
    for item in placed:
        if loop in item.loops:
            return item.loops[: item.loops.index(loop)]
    return ()


def kept_parameters(function: FunctionInfo, modules: Iterable[str] = (), grad: str = "on") -> frozenset[str]:
    """Parameters a function stores beyond its own call: into `self.*`, a module-level name, or a
    container reached through one (`self.sum += val * n`, `self.history[key].append(value)`); not
    into an imported module (`torch.add(x, 1)`: `modules` are the names the file imports). What it
    stores with grad off (`grad`: the mode its decorators set, and its own `with torch.no_grad():`
    blocks; `self.W -= lr * dW` of a weight updated by hand) carries no graph: it keeps nothing."""
    if grad == "off":
        return frozenset()
    without_grad = {id(placed.simple) for placed in walk(function.body, grad) if placed.grad == "off"}
    imported = set(modules)
    params = set(function.params) - {"self", "cls"}
    # (`for index, num in enumerate(numbers):` then `self.numbers[name].append(num)`: an element of
    # the argument kept is the argument kept)
    elements = {
        target: name for loop in function.loops if ".keys()" not in loop.iter_text
        for name in loop.iter_names & params
        for target in (loop.targets[1:] if loop.iter_text.startswith("enumerate(") else loop.targets)
    }
    kept: set[str] = set()
    emptied: set[str] = set()
    """Containers the call empties before it stores (`self.visual_dict.clear()` first): they hold
    this call's values only, until the next call replaces them."""
    for simple in function.simples:
        emptied |= {c.receiver for c in simple.calls if c.method == "clear" and not c.args and c.receiver}
        emptied |= {t for t in simple.targets if not simple.augmented and _empty_display(simple.value)}
        if id(simple) in without_grad:
            continue
        rebound = params & set(simple.targets) if not simple.augmented else set()
        if rebound and (simple.value_detached or not simple.value_names & params):
            params -= rebound  # `v = v.data.sum()`: from here on no longer the argument's graph
            continue
        if simple.augmented or simple.subscript_targets:
            outer = [
                t for t in (*simple.targets, *simple.subscript_targets)
                if _outlives_call(t, function) and not (t in emptied and not simple.augmented)
            ]
            if not simple.augmented and _replaced_under_fixed_keys(simple):
                outer = []
            if outer and not simple.value_detached:
                kept |= simple.value_names & params
        elif not simple.value_detached and any(
            t in simple.value_names and _outlives_call(t, function) for t in simple.targets
        ):
            # `self.v = (self.v * self.n + x) / (self.n + 1)`: a running value that folds the argument in
            kept |= simple.value_names & params
        for call in simple.calls:
            container = _container(call)
            if (
                call.method in APPENDING_METHODS and container and container not in emptied
                and container.split(".", 1)[0] not in imported and _outlives_call(container, function)
            ):
                for arg in call.args:
                    if not arg.detached:
                        kept |= arg.names & params
                        kept |= {elements[name] for name in arg.names if name in elements and elements[name] in params}
    return frozenset(kept)


def _replaced_under_fixed_keys(simple: Simple) -> bool:
    """`self.parts["steer"] = loss` (or `self.parts["head"][0] = x`): an assignment whose every
    subscripted target is reached through literal keys only replaces the same entries on each
    call; what it stores lasts until the next call, like a plain `self.last = x`."""
    if not isinstance(simple.node, cst.Assign):
        return False
    subscripts = [target.target for target in simple.node.targets if isinstance(target.target, cst.Subscript)]
    return bool(subscripts) and all(_literal_chain(node) for node in subscripts)


def _literal_chain(node: cst.BaseExpression) -> bool:
    """Every subscript on the way down to the container is a literal (a string, a number, a
    tuple of them)."""
    while isinstance(node, cst.Subscript):
        if not all(isinstance(element.slice, cst.Index) and _literal_value(element.slice.value) for element in node.slice):
            return False
        node = node.value
    return True


def _literal_value(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.ConcatenatedString, cst.Float)):
        return True
    if isinstance(node, cst.Tuple):
        return all(_literal_value(element.value) for element in node.elements)
    return isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float))


def _empty_display(value: cst.BaseExpression | None) -> bool:
    """`[]`, `{}`, `dict()`, `list()`: an empty container."""
    if isinstance(value, (cst.List, cst.Dict)):
        return not value.elements
    return isinstance(value, cst.Call) and not value.args and dotted_name(value.func) in ("dict", "list", "OrderedDict", "defaultdict")


def _container(call: CallSite) -> str | None:
    """What an append writes into: `history` for `history["loss"].append(x)` and for
    `history.setdefault("loss", []).append(x)`."""
    while call.receiver_root is None and call.inner is not None:
        call = call.inner
    return call.receiver_root


def _outlives_call(name: str, function: FunctionInfo) -> bool:
    return name.startswith("self.") or (name not in function.params and not any(name in s.targets for s in function.assignments))


def _names_read(node: cst.CSTNode) -> set[str]:
    """The names and dotted names an expression reads (a backward's receiver: a few nodes)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            # a method call reads its receiver (`ratio.mean()` reads `ratio`, not `ratio.mean`)
            stack.append(current.func.value)
            stack.extend(arg.value for arg in current.args)
            continue
        if isinstance(current, (cst.Name, cst.Attribute)):
            dotted = dotted_name(current)
            if dotted is not None:
                found.add(dotted)
                continue
        stack.extend(current.children)
    return found


_LEADING_NAME = lazy(r"^[A-Za-z_][\w.]*[A-Za-z_0-9]")


def _reaches_a_backward(placed: list[Placed], at: list[int]) -> Callable[[Simple], bool]:
    """Can what the statement binds still reach one of the backwards at these positions: it runs
    before the last of them, or in a loop that holds one (the next iteration's)? A name bound
    again after training is over (`loss = criterion(outputs, images)` in a test loop below the
    training loop) feeds no backward through that binding. Statements not placed count."""
    if not at:
        return lambda simple: True
    order = {id(item.simple): index for index, item in enumerate(placed)}
    last = max(at)
    looping = {id(loop) for index in at for loop in placed[index].loops}

    def reaches(simple: Simple) -> bool:
        index = order.get(id(simple))
        return index is None or index < last or any(id(loop) in looping for loop in placed[index].loops)

    return reaches


def feeding_backward(function: FunctionInfo, placed: list[Placed], seeds: Iterable[str] = ()) -> set[str]:
    """Names whose values flow into a backward() of this function (or into `seeds`, names it hands
    to a backward elsewhere): storing them builds the loss."""
    roots: set[str] = set(seeds)
    imports = function.file.imports if function.file is not None else {}
    at: list[int] = []  # where the backwards are, in the order the statements run
    for index, item in enumerate(placed):
        for call in item.simple.calls:
            differentiates = call.takes_gradients_in(imports)
            if call.method != "backward" and not differentiates:
                continue
            at.append(index)
            receiver = call
            while receiver.receiver_root is None and receiver.inner is not None:
                receiver = receiver.inner  # `loss.mean().backward()`
            if receiver.receiver_root is not None and not differentiates:
                roots.add(receiver.receiver_root)
            elif call.method == "backward" and isinstance(receiver.node.func, cst.Attribute):
                roots.update(_names_read(receiver.node.func.value))  # `(-log_prob * R).backward()`
            source = call.inner if call.inner is not None else call
            for arg in source.args:
                roots.update(arg.names)
            # `[autograd.grad(out, x)[0] for out in y.reshape(-1, 1)]`: what a comprehension around
            # the call iterates feeds it through the comprehension's own names
            roots.update(_iterated_into(function, call, {name for arg in source.args for name in arg.names}))
            while source.inner is not None and source is not receiver:
                source = source.inner  # `torch.stack(losses).sum().backward()`: the losses feed it
                for arg in source.args:
                    roots.update(arg.names)
    reaches = _reaches_a_backward(placed, at)
    changed = True
    while changed:
        changed = False
        for simple in function.assignments:
            if set(simple.targets) & roots and not simple.value_names <= roots and reaches(simple):
                roots |= simple.value_names
                changed = True
        for simple in function.simples:  # `policies.append(logits)`, then `torch.cat(policies)` feeds it
            if not reaches(simple):
                continue
            for call in simple.calls:
                if call.method in APPENDING_METHODS and call.receiver in roots:
                    added = {name for arg in call.args for name in arg.names} - roots
                    if added:
                        roots |= added
                        changed = True
        for loop in function.loops:  # `for r, log_prob in self.episode:` feeds what it iterates
            if isinstance(loop.node, _COMPREHENSIONS):
                # a comprehension's targets are its own (`[f(a, out) for a, out in zip(xs, outs)]`
                # does not rebind the function's `out`); what it iterates reaches a backward only
                # through the statement that holds it, whose value names the rule above follows
                continue
            iterated = loop.iter_names | set(_LEADING_NAME.findall(loop.iter_text)[:1])
            if set(loop.targets) & roots and not iterated <= roots:
                roots |= iterated
                changed = True
    return roots


def _no_graph_on_this_path(function: FunctionInfo, origin: Simple, store: Placed) -> bool:
    """Was the stored value computed under `torch.set_grad_enabled(<test>)` with a test that the
    store's own if-tests make false (`with torch.set_grad_enabled(phase == "train"): out = model(x)`,
    then `if phase == "val": val_outputs.append(out)`)? On that path grad was off: no graph."""
    flag = _grad_flag_around(function.body, origin)
    if flag is None:
        return False
    known = tuple(found for guard in store.guards if (found := _equality(guard)) is not None)
    return decide(flag, known) is False


def _grad_flag_around(block: Block, simple: Simple) -> str | None:
    """The test of the innermost `set_grad_enabled(<test>)` (with-block or statement form) whose
    grad mode is not known that the statement runs under."""
    for stmt in block:
        if isinstance(stmt, With):
            if not any(inner is simple for inner in simples_of(stmt.body)):
                continue
            inner = _grad_flag_around(stmt.body, simple)
            if inner is not None:
                return inner
            switch = next((c for c in stmt.items if (c.dotted or "").endswith("set_grad_enabled")), None)
            flag = switch.arg(0, "mode") if switch is not None and stmt.grad == "unknown" else None
            return expression_text(flag.node) if flag is not None else None
        if isinstance(stmt, Branch):
            for arm in stmt.arms:
                found = _grad_flag_around(arm, simple)
                if found is not None:
                    return found
        elif isinstance(stmt, Try):
            for part in (stmt.body, stmt.orelse, stmt.final, *stmt.handlers):
                found = _grad_flag_around(part, simple)
                if found is not None:
                    return found
        elif isinstance(stmt, Loop):
            found = _grad_flag_around(stmt.body, simple) or _grad_flag_around(stmt.orelse, simple)
            if found is not None:
                return found
    return None


_EQUALITY = lazy(r"^\s*([A-Za-z_][\w.]*)\s*==\s*('[^'\\]*'|\"[^\"\\]*\"|-?\d+|True|False)\s*$")
"""An if-test that fixes a name: `phase == "val"`, `mode == 'train'`, `split == 0`."""


def _equality(guard: str) -> tuple[str, object] | None:
    found = _EQUALITY.match(guard)
    if found is None:
        return None
    text = found.group(2)
    value: object = text[1:-1] if text[:1] in "'\"" else (text == "True" if text in ("True", "False") else int(text))
    return found.group(1), value


def _iterated_into(function: FunctionInfo, call: CallSite, names: set[str]) -> set[str]:
    """The names that comprehensions around the call iterate, when the call reads their targets."""
    found: set[str] = set()
    for loop in function.loops:
        if not isinstance(loop.node, _COMPREHENSIONS) or not set(loop.targets) & (names | found):
            continue
        if any(node is call.node for node in nodes_within(loop.node)):
            found |= loop.iter_names
    return found
