"""Evaluation passes and the mode and grad state that reach them.

An evaluation pass is model calls with no backward on their path that compute predictions,
losses or metrics: a loop over data (or a comprehension), a single call in an evaluation
function or on held-out data, or a validation block run every k steps inside the training loop.
Whether `model.eval()` and `torch.no_grad()` reach it is answered along every call chain of the
project.
"""
from __future__ import annotations

import builtins
import os
import re
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from loopcheck.lazyre import lazy
from loopcheck.model.flow import Event, Kind, Subject, arguments_known, arguments_passed, decide, rebinds
import libcst as cst

from loopcheck.model.build import NOT_LITERAL, callee_last_name, dotted_name, flow_name, functions_within, literal_value, nodes_within, qualify
from loopcheck.model.dataflow import APPENDING_METHODS, DATA_ITERABLE, FRESH_TENSORS, PARAMETER_FREE_LAYER, Placed, bound_in_iteration, feeding_backward, handed_to_backward, is_loss_module, iterated_text, simples_of, walk
from loopcheck.model.ir import ArgInfo, Block, Branch, CallSite, ClassInfo, FunctionInfo, Loop, Simple, Try, With, all_statements, inner_blocks, runs_once
from loopcheck.model.program import events_of
from loopcheck.model.state import placed_of, requires_grad_set, same_branch, training_callee
from loopcheck.model.roles import (
    MODEL, MODEL_FACTORIES, OPTIMIZER, RETURNS_SELF, SCALER, SCHEDULER, WRAPPERS, Binding, binds_none, other_framework_model,
    role_from_name,
)
from loopcheck.model.text import WHOLE_LINE_COMMENT, expression_text
from loopcheck.records import Frozen, _set

if TYPE_CHECKING:
    from loopcheck.model import CallEdge, LoopModel, TrainingStep

MAX_CALLER_DEPTH = 6
_MODE_LAYERS = lazy(
    r"Dropout|BatchNorm|SyncBatchNorm|batch_norm|self\.training|DropPath|drop_path"
    r"|dropout(?!\s*=\s*0(?:\.0*)?\s*[,)])"
)
EVAL_FUNCTION = lazy(
    r"(?i)(^|_)(eval|evaluate|evaluation|validate|validation|val|valid|test|predict|prediction|infer|inference"
    r"|generate|generation|score|scores|decision)"
    r"(_|$|\d)"
)
EVAL_DATA = lazy(r"(?i)(^|[^a-z])(val|valid|validation|test|testing|tst|eval|dev|holdout)([^a-z]|$|loader|data|set)")
"""Names of held-out data: `val_loader`, `x_test`, `testset`, `testing_bucket`."""
CADENCE = lazy(r"%")
_MODE_LAYER_NAME = lazy(r"(?i)dropout|batchnorm|batch_norm|instancenorm|instance_norm|droppath|drop_path|stochasticdepth")
_DROPOUT_KEYWORD = lazy(r"(?i)dropout|drop_rate|drop_path|attn_drop|proj_drop|^p$")
FRAMEWORK_EVAL_HOOKS = frozenset(
    {"validation_step", "test_step", "predict_step", "prediction_step", "simple_test", "aug_test", "forward_test",
     "evaluation_step", "validation_epoch_end", "test_epoch_end", "on_validation_epoch_end", "on_test_epoch_end"}
)
"""Methods a framework (Lightning, a Trainer, mm-style detectors) runs in eval mode under no_grad."""
PREDICTION_METHODS = lazy(r"(predict|generate|sample|infer|inference|classify)(_\w+)?$")
METRIC_METHODS = frozenset({"argmax", "argmin", "topk", "eq", "ne", "max", "min", "softmax", "sigmoid"})
_METRIC_FUNCTIONS = lazy(r"(?i)(^|_)(accuracy|acc|f1|precision|recall|auc|score|metric|metrics|correct)(_|$|\d)")


@dataclass(init=False, eq=False, repr=False)
class EvaluationPass(Frozen):
    """A forward of the model outside training: a validation or test loop, or a single call."""

    function: FunctionInfo
    """The function that holds the pass."""
    loop: Loop | None
    """The loop of the pass, None for a pass without one (a single call, a validation block)."""
    first_call: Event
    """The first model call of the pass."""
    model: Subject | None
    entered_from: CallEdge | None
    """The first call of the function that holds the pass, if any."""
    entered_by: tuple[CallEdge, ...] | None = None
    """For a pass that exists only for some arguments (`train=False`): the calls that give them.
    None when every call of the function enters the pass."""
    in_training_function: bool = False
    """The function that holds the pass also trains (runs backward)."""
    through_training_helper: bool = False
    """The first model call sits in a helper that training iterations run too (`_process_one_batch`
    shared by train and vali): grad can only be disabled where the pass calls it."""
    shown: Subject | None = None
    """The model as the pass names it where it calls a method that runs it (`net.predict(x)`, whose
    forward is `self(x)`): for the report's words only."""
    beside: Event | None = None
    """The first call of the pass under `no_grad` that this one follows in the same training
    iteration (samples drawn after the block, with grad on): one finding per rule covers both."""
    others: tuple[Event, ...] = ()
    """The first call of each other model the pass runs (`cls_s(gen_t_s(x))` beside `cls_t(x)`):
    built apart from the first model, and not a part of it."""

    def __init__(
        self,
        function: FunctionInfo,
        loop: Loop | None,
        first_call: Event,
        model: Subject | None,
        entered_from: CallEdge | None,
        entered_by: tuple[CallEdge, ...] | None = None,
        in_training_function: bool = False,
        through_training_helper: bool = False,
        shown: Subject | None = None,
        beside: Event | None = None,
        others: tuple[Event, ...] = (),
    ) -> None:
        _set(self, "function", function)
        _set(self, "loop", loop)
        _set(self, "first_call", first_call)
        _set(self, "model", model)
        _set(self, "entered_from", entered_from)
        _set(self, "entered_by", entered_by)
        _set(self, "in_training_function", in_training_function)
        _set(self, "through_training_helper", through_training_helper)
        _set(self, "shown", shown)
        _set(self, "beside", beside)
        _set(self, "others", others)

    def each_model(self) -> Iterator[EvaluationPass]:
        """The pass as seen from each model it runs: itself, then one pass per other model, whose
        first call is that model's."""
        yield self
        for other in self.others:
            yield replace(self, first_call=other, model=other.subject, shown=None, others=())

    def model_name(self) -> str:
        """The model as a report names it: as the pass names it where it calls a method that runs
        it (`model_pytorch.predict(x_test)`, not `self`)."""
        if self.shown is not None:
            return self.shown.name
        return self.first_call.subject_name("model")

    @property
    def key(self) -> tuple[int, object, int]:
        """Passes of one function over one model share a key: one finding says it for all of them
        (a script's module-level code is no function: each of its passes is its own)."""
        model = self.model.key if self.model is not None else None
        if self.function.name == "<module>":
            separate = id((self.beside or self.first_call).node)
        elif self.in_training_function and self.loop is not None:
            # the validation loop and the test loop of a function that trains: each needs its own
            # `with torch.no_grad():`, the function cannot be wrapped whole
            separate = id(self.loop.node)
        else:
            separate = 0
        return id(self.function), model, separate


def evaluation_passes(model: LoopModel) -> list[EvaluationPass]:
    passes: list[EvaluationPass] = []
    training = training_functions(model)
    for function in model.ir.functions:
        if not _may_evaluate(model, function):
            continue
        passes.extend(_loop_passes(model, function, training))
        passes.extend(_call_passes(model, function, training))
    passes.extend(_passes_inside_training(model))
    forwards = _training_forwards(model) if passes else set()
    # a helper's own "pass" whose forward is the one a training step backwards (`def predict(self,
    # x): return self.network(x)` used by `update`) is training code: its evaluation uses are
    # judged where they call it
    passes = [
        p for p in passes
        if not (p.function is p.first_call.context.function and p.entered_by is None and id(p.first_call.node) in forwards)
        and not (p.model is not None and _library_predictor(p.model.binding))
    ]
    shared = [replace(p, through_training_helper=True) if _through_training_helper(p, forwards) else p for p in passes]
    model_methods = frozenset(
        id(inner) for p in shared
        if (inner := p.first_call.context.function).cls is not None and model.at(inner).is_module_class(inner.cls)
    )
    passes = _entered_through_another(model, _one_per_model_call(shared, model_methods))
    in_progress = model.project.passes_in_progress
    if model.path in in_progress:
        return passes  # (asked for by another file's passes, which asked for this one's)
    in_progress.add(model.path)
    try:
        return [
            p for p in passes
            if not _never_entered(model, p) and not _rest_of_a_pass_begun_by_its_callers(model, p, passes)
        ]
    finally:
        in_progress.discard(model.path)


def in_data_loop_of_its_own(model: LoopModel, event: Event) -> bool:
    """Is the model call inside a loop over data of the function that holds it (`for x, y in
    self.testloader: self.model(x)`)?"""
    function = event.context.function
    return any(
        DATA_ITERABLE.search(loop.iter_text) is not None and any(
            c.node is event.node for statement in all_statements(loop.body) if isinstance(statement, Simple) for c in statement.calls
        )
        for loop in function.loops
    )


def _entered_through_another(model: LoopModel, passes: list[EvaluationPass]) -> list[EvaluationPass]:
    """A pass whose first model call is reached through a call of a function that holds a pass of
    its own (`if step % val_freq == 0: self.validate_image()`, whose ray loop is the pass) is that
    pass seen from its caller: one finding, the callee's."""
    entering: dict[int, int] = {}
    for found in passes:
        if found.function.name != "<module>":
            for edge in model.callers(found.function):
                entering[id(edge.call.node)] = id(found.function)
    return [
        p for p in passes
        if not any(entering.get(id(call.node), id(p.function)) != id(p.function) for call in p.first_call.context.chain)
    ]


def _other_callers(model: LoopModel, function: FunctionInfo) -> list[CallEdge]:
    """Every call of the function in the project but its own recursive ones."""
    return [edge for edge in model.callers(function) if edge.caller is not function]


def _never_entered(model: LoopModel, found: EvaluationPass) -> bool:
    """A helper's pass that no call of the project enters: each call of the function sits under an
    if-test that every call of the calling function decides against (`if validation_data:
    validate(...)` in a `fit` no caller gives `validation_data`), or gives arguments that cannot
    bind to its parameters."""
    function = found.function
    if function.name == "<module>":
        return False
    if found.entered_by is not None:
        # a pass only some calls enter (`train=False`): entered when one of those calls is made
        return bool(found.entered_by) and all(
            edge.caller.name != "<module>" and dead_function(model.at(edge.caller), edge.caller) for edge in found.entered_by
        )
    if _dead_function(model, function):
        return True
    edges = _other_callers(model, function)
    # (or made with arguments that cannot bind: `self.eval()` of a `def eval():` that forgot `self`
    # raises TypeError before the body runs)
    return bool(edges) and all(_call_never_made(model, edge) or model._raises_before_entering(edge, function) for edge in edges)


_MAIN_GUARD = lazy(r"""(?m)^if\s+__name__\s*==\s*['"]__main__['"]\s*:""")


def dead_function(model: LoopModel, function: FunctionInfo, depth: int = 3) -> bool:
    """`_dead_function`, remembered per function (asked for each caller of each pass; a cycle of
    calls sees "live" while it is worked out)."""
    owner = model.at(function)
    known = owner.dead_functions
    if id(function) not in known:
        known[id(function)] = (False, function)
        known[id(function)] = (_dead_function(owner, function, depth), function)
    return known[id(function)][0]


def _dead_function(model: LoopModel, function: FunctionInfo, depth: int = 3) -> bool:
    """A top-level function of a script (a file run as a program, with its `if __name__ ==
    "__main__":` block) that nothing calls, names or decorates, in the file or in a file importing
    it: it never runs (`def test_ppo(...)` left beside the `__main__` block that trains). So does a
    function nested in another that names it nowhere else, neither calling nor returning nor
    handing it on (`def train(self):` indented into `__init__` by mistake), and a function every
    project call of which is made in dead functions only (`val_loop` called from that `train`)."""
    parent = function.parent
    if (
        parent is not None and parent.name != "<module>" and parent.nested.get(function.name) is function
        and not function.decorators and not model.callers(function)
    ):
        owner = model.at(parent)
        return len(re.findall(rf"\b{re.escape(function.name)}\b", owner.code(parent.node))) <= 1
    if function.cls is not None and _uncalled_method_of_a_script_class(model, function):
        return True
    if _called_only_in_comments(model, function):
        return True
    if function.cls is not None and not function.name.startswith("__") and not model.callers(function) and _class_never_built(model, function.cls):
        return True
    if depth > 0 and function.name != "<module>":
        edges = _other_callers(model, function)
        if edges and all(
            edge.caller.name != "<module>" and dead_function(model.at(edge.caller), edge.caller, depth - 1) for edge in edges
        ):
            return True
    if function.name == "<module>" or function.cls is not None or function.parent is None or function.parent.parent is not None:
        return False
    if function.decorators or model.callers(function) or command_line_entry(model, function):
        return False
    owner = model.at(function)
    notebook = getattr(owner.source, "notebook", None)
    if notebook is not None:
        # a notebook is imported by no file: a function none of its calls runs never runs, also
        # one defined again in a later cell and called nowhere after (the calls above run the
        # definition made before them); a name handed on as a value, or cells left out, may run it
        if notebook.skipped or notebook.names_out_of_sight:
            return False
        # (a line of IPython syntax naming it, `%time train(model)`, may run it)
        return not _named_but_to_define_or_call(function.name, owner.text) and not any(
            _mentions(function.name, line) for line in notebook.ipython
        )
    if not _MAIN_GUARD.search(owner.text) and not owner.runs_its_own_functions:  # (a fact of the file, read once)
        return _unused_module_function(owner, function)
    if _mentions_outside(owner, function):
        return False  # (a call commented out, `# graph_train()`, runs nothing)
    return not owner.project.mentions(rf"\b{re.escape(function.name)}\b", importers_of=owner.path)


def _unused_module_function(model: LoopModel, function: FunctionInfo) -> bool:
    """A top-level function of a module that runs nothing of its own (no `__main__` block, no call
    of its functions at its top level), in a project that is no installable package (no `setup.py`
    at its root: its modules serve its own scripts): it runs only when a file of the project that
    imports the module names it, by importing it (`from graph_model import train`, or `*` with
    the name used bare) or through the module (`graph_model.train(...)`, or the module imported
    under another name). When files import the module and none names the function (the scripts
    take only the model classes from it), it never runs (a leftover `def train(...)` beside the
    classes). A module no project file imports may be run alone or by whoever installs it."""
    if _mentions_outside(model, function):
        return False
    project = model.project
    if not project.mentions(r"(?m)^", importers_of=model.path):
        return False  # (imported by no file of the project: run alone, or by whoever installs it)
    if project.mentions(r"(?m)^\s*(?:from\s+setuptools\b|import\s+setuptools\b|setup\s*\()", folder="."):
        return False  # (an installable package: its functions are for whoever installs it)
    name = re.escape(function.name)
    module = re.escape(os.path.splitext(os.path.basename(model.path))[0])
    if module == "__init__":
        return False  # (a package's own names, reached as `package.name`)
    named = (
        rf"(?m)^[^#\n]*\bimport\b[^\n#]*\b{name}\b|\bimport\s*\([^)]*\b{name}\b"
        rf"|(?s:\bimport\s*\*.*?(?<![\w.'\"]){name}\b(?!['\"]))"
        rf"|\b{module}\.{name}\b|\bimport\s+[\w.]*\b{module}\s+as\b|\b{module}\s+as\s+\w+"
        rf"|\bgetattr\s*\(\s*{module}\b|\b(?:import_module|__import__)\s*\("
    )
    return not project.mentions(named, importers_of=model.path)


def _mentions_outside(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the file's code (whole-line comments left out) name the function anywhere but in its
    own definition (`main.__name__` logged inside `main` calls nothing)? An attribute of that name
    (`model.train()`) names no top-level function, and neither does a function that binds the name
    to a local of its own (`train = list(indices[500:])` in `cora_train()`)."""
    name = function.name
    own = WHOLE_LINE_COMMENT.sub("", model.code(function.node))
    total = _bare_mentions(name, model.uncommented_text) - _bare_mentions(name, own)
    if total <= 0 or function.parent is None or function.parent.name != "<module>":
        return total > 0
    for other in model.ir.functions:
        if other is function or other.name == "<module>" or other.parent is not function.parent:
            continue
        if name in other.params or any(name in simple.targets for simple in other.assignments):
            total -= _bare_mentions(name, WHOLE_LINE_COMMENT.sub("", model.code(other.node)))
    return total > 0


def _bare_mentions(name: str, text: str) -> int:
    """How often the text names `name` other than as an attribute (`x.name`)."""
    return len(re.findall(rf"(?<![\w.]){re.escape(name)}\b", text))


_HOOK_NAMES = frozenset({"forward", "main"})


def _called_only_in_comments(model: LoopModel, function: FunctionInfo) -> bool:
    """A function or method whose calls are all commented out (`# self.validate(epoch)`, `# model =
    main()`): a whole-line comment of its file calls it, and no line of code names it but its own
    definition (a method: no `.validate` and no `'validate'` in the files of its program; a
    top-level function: its name nowhere else in its file or in the files importing it). Its
    author turned it off: whatever it runs never runs."""
    name = function.name
    if name.startswith("__") or name in _HOOK_NAMES or function.decorators or name == "<module>" or model.callers(function):
        return False
    owner = model.at(function)
    if getattr(owner.source, "notebook", None) is not None:
        return False
    word = re.escape(name)
    project = owner.project
    if function.cls is not None:
        if function.parent is None or function.parent.name != "<module>":
            return False
        live = rf"(?m)^(?![ \t]*#)[^\n]*(?:\.{word}\b|['\"]{word}['\"])"
        if re.search(live, owner.text):
            return False  # (asked first: most methods are named in their own file)
        # the commented-out call, in its own file (where a method's calls mostly are)
        if not re.search(rf"(?m)^[ \t]*#[^\n]*\.{word}[ \t]*\(", owner.text):
            return False
        return not project.mentions(live, near=owner.project_path)
    if function.parent is None or function.parent.parent is not None or _mentions_outside(owner, function):
        return False
    if not re.search(rf"(?m)^[ \t]*#[^\n]*(?<![\w.]){word}[ \t]*\(", owner.text):
        return False
    return not project.mentions(rf"(?m)^(?![ \t]*#)[^\n]*(?<![\w]){word}\b", importers_of=owner.project_path)


def _named_but_to_define_or_call(name: str, text: str) -> bool:
    """Does the text name `name` otherwise than in a `def name(` or a call `name(...)` (handed on
    as a value, read as an attribute, written in a string)?"""
    return _mentions(name, text) > len(re.findall(rf"(?<![\w.]){re.escape(name)}[ \t]*\(", text))


def _mentions(name: str, text: str) -> int:
    return len(re.findall(rf"\b{re.escape(name)}\b", text))


def _uncalled_method_of_a_script_class(model: LoopModel, function: FunctionInfo) -> bool:
    """A method of a plain class (no base but `object`) of a script that no other file names, which
    no call of the project runs and nothing names otherwise (`API.evaluate` beside an `exec()` that
    dispatches to `predict()` or `train()` only): every `.evaluate(...)` of the file runs another
    class's method. A method some call on an object of unknown class could reach is live."""
    cls = function.cls
    name = function.name
    if cls is None or name.startswith("__") or function.decorators or any(base not in ("object",) for base in cls.bases):
        return False
    owner = model.at(function)
    if cls.name not in owner.ir.top_classes or not _MAIN_GUARD.search(owner.text):
        return False
    instances = {"self", *re.findall(rf"\b([A-Za-z_]\w*)[ \t]*=[ \t]*{re.escape(cls.name)}\(", owner.text)}
    if any(re.search(rf"getattr\(\s*{re.escape(instance)}\b", owner.text) for instance in instances):
        return False  # (`getattr(self, mode)()`: any method may be run by its name)
    if model.callers(function) or re.search(rf"\.{re.escape(name)}\b(?!\s*\()", owner.text):
        return False
    for other in owner.ir.functions:
        for simple in other.simples:
            for call in simple.calls:
                if call.method == name and call.dotted != name:
                    target = owner.resolve_call(call, other)
                    if target is None or target is function:
                        return False
    return not owner.project.mentions(rf"\b{re.escape(cls.name)}\b", importers_of=owner.project_path)


def _class_never_built(model: LoopModel, cls: ClassInfo) -> bool:
    """A plain project class (no base but `object`) that files of the project import by name but
    that no line of theirs, nor of its own file, names otherwise: never built, subclassed, handed on
    or registered (`from dqn import DQN` beside `agent = DDQN(...)`, the script's one agent). Its
    methods never run in this project. One no file imports may be built by users of a library."""
    if any(base not in ("object",) for base in cls.bases):
        return False
    owner = model.at_class(cls)
    name = re.escape(cls.name)
    if any(re.search(rf"\b{name}\b", line) and not re.match(rf"\s*class\s+{name}\b", line) for line in owner.text.splitlines()):
        return False  # (its own file names it beyond its `class` line)
    path = owner.project_path
    if not owner.project.mentions(rf"(?m)^[ \t]*(from|import)\b.*\b{name}\b", importers_of=path):
        return False
    if owner.project.mentions(rf"(?m)^[ \t]*(from|import)\b.*\b{name}[ \t]+as\b", importers_of=path):
        return False  # (`from exp import Exp as ExpClass`: used under another name)
    return not owner.project.mentions(rf"(?m)^(?![ \t]*(from|import)\b).*\b{name}\b", importers_of=path)


def _call_never_made(model: LoopModel, edge: CallEdge) -> bool:
    if _dead_function(model, edge.caller):
        return True
    if edge.caller.name == "<module>":
        return False  # (a script's own switches, `if TRAIN_FLAG:` or `if False:`, are flipped by hand)
    caller = model.at(edge.caller)
    placed = placed_of(caller, edge.caller, edge.call)
    if placed is None or not placed.guards:
        return False
    outer = _other_callers(caller, edge.caller)
    if not outer:
        return False  # called from where we cannot see: any argument may come
    for call in outer:
        known = arguments_known(edge.caller, call.call, caller=call.caller)
        if not any(decide(guard, known) is False for guard in placed.guards):
            return False
    return True


def _rest_of_a_pass_begun_by_its_callers(model: LoopModel, found: EvaluationPass, own: list[EvaluationPass]) -> bool:
    """A helper's pass whose every caller runs the same model before it calls the helper, under the
    same grad mode (`translate_sentence`: `model.encode(src)`, then `greedy_search(model, ...)`
    decoding in a loop), where that earlier call is the first model call of a pass found in a file
    that calls the caller (a loop of `inference.py` over `translate_sentence(...)`): the rest of
    that pass, which is reported there, once."""
    function = found.function
    if function.name == "<module>" or found.entered_by is not None or found.first_call.context.function is not function:
        return False
    if found.model is None:
        return False
    edges = _other_callers(model, function)
    if not edges:
        return False
    for edge in edges:
        caller = model.at(edge.caller)
        grad = caller.lexical_grad(edge.caller, edge.call)
        earlier = next((
            event for event in caller.function_events_flat(edge.caller)
            if event.kind is Kind.MODEL_CALL and not event.context.chain and event.call is not None
            and _starts_before(caller, event.node, edge.call.node) and caller.lexical_grad(edge.caller, event.call) == grad
            and _same_model_passed(edge, event, found)
        ), None)
        if earlier is None:
            return False
        begun = False
        for outer in caller.callers(edge.caller):
            owner = model.at(outer.caller)
            if owner is model:
                passes = own
            elif owner.path in model.project.passes_in_progress:
                continue  # (its passes are being found: no answer from there)
            else:
                passes = owner.evaluation_passes
            if any(p.first_call.node is earlier.node for p in passes):
                begun = True
                break
        if not begun:
            return False
    return True


def _same_model_passed(edge: CallEdge, event: Event, found: EvaluationPass) -> bool:
    """Does the caller hand the helper the model it ran (`model.encode(x)`, then `helper(model)`)?"""
    root = event.subject.name.split(".", 1)[0] if event.subject is not None else None
    model_root = found.model.name.split(".", 1)[0] if found.model is not None else None
    if root is None or model_root is None:
        return False
    if model_root in found.function.params:
        return any(arg.dotted is not None and arg.dotted.split(".", 1)[0] == root for arg in edge.call.args)
    return model_root == root


def _training_forwards(model: LoopModel) -> set[int]:
    """ids of the model calls that a training iteration runs before a backward: forwards whose
    graphs it differentiates, wherever they sit (in a helper that evaluation calls too)."""
    programs = [model.iteration_program(step.loop) for step in model.training_steps]
    programs += [model.function_program(function) for function in model.step_functions]
    found: set[int] = set()
    for program in programs:
        pending: list[int] = []
        for event in events_of(program):
            if (
                event.kind is Kind.MODEL_CALL
                and not any(CADENCE.search(guard) for guard in event.context.guards)  # validation every k steps
                and _feeds_gradients(model, event)
                and not _detached_where_made(model, event)
            ):
                pending.append(id(event.node))
            elif event.kind in _GRAPH_KINDS:
                found.update(pending)
                pending = []
    return found


def _detached_where_made(model: LoopModel, event: Event) -> bool:
    """`return self.actor(state).cpu().data.numpy()`: the output leaves its statement detached."""
    statement = _statement_of(event.context.function, event)
    if statement is None:
        return False
    if statement.value_detached:
        return True
    return any(c.inner is not None and c.method in ("numpy", "item", "tolist") and _contains(c.inner, event.node) for c in statement.calls)


def _contains(call: CallSite, node: cst.CSTNode) -> bool:
    while call is not None:
        if call.node is node:
            return True
        call = call.inner
    return False


def _through_training_helper(found: EvaluationPass, forwards: set[int]) -> bool:
    """Does the pass reach its first model call through a helper whose forward training runs too,
    called once in the pass's function (so that the call which enters the pass is known)?"""
    context = found.first_call.context
    if context.function is found.function or id(found.first_call.node) not in forwards:
        return False
    entering = [call for call, caller in zip(context.chain, context.callers) if caller is found.function]
    if len(entering) != 1 or entering[0].dotted is None:
        return False
    return sum(c.dotted == entering[0].dotted for s in found.function.simples for c in s.calls) == 1


def _one_per_model_call(passes: list[EvaluationPass], model_methods: frozenset[int] = frozenset()) -> list[EvaluationPass]:
    """A pass in a helper that a caller's loop also runs is one pass: keep the helper's own. Passes
    that reach one model call through a helper shared with training stay apart: each caller needs
    its own `no_grad` (unless the helper is analysed per flag value its callers pass: that pass
    says it once); so do passes reaching it in a model's own method (`model_methods`, the ids of
    such functions), which holds no pass of its own."""
    chosen: dict[tuple[int, int, tuple[int, ...]], EvaluationPass] = {}

    def own(found: EvaluationPass) -> bool:
        return found.entered_by is not None and found.function is found.first_call.context.function

    def key(found: EvaluationPass) -> tuple[int, int, tuple[int, ...]]:
        # (a helper analysed per set of values its callers pass has a pass per set: `main_loop(
        # phase=VAL)` under no_grad, `main_loop(phase=TEST)` without)
        entered = tuple(id(edge.call) for edge in found.entered_by or ()) if own(found) else ()
        # (a model's own method, which holds no pass, `def predict(self, x): self.eval(); return
        # self(x)`, reached from two functions' passes: each needs its own no_grad)
        inner = found.first_call.context.function
        apart = found.through_training_helper or (inner is not found.function and id(inner) in model_methods)
        return id(found.first_call.node), id(found.function) if apart else 0, entered

    specialized = {id(p.first_call.node) for p in passes if own(p)}
    # (a caller's pass reaching such a helper's forward is one of the helper's own passes)
    passes = [p for p in passes if own(p) or id(p.first_call.node) not in specialized]
    passes = [replace(p, through_training_helper=False) if id(p.first_call.node) in specialized else p for p in passes]
    shared = {id(found.first_call.node) for found in passes if found.through_training_helper}
    for found in passes:
        if id(found.first_call.node) in shared and found.function is found.first_call.context.function:
            continue  # the helper's own "pass" is the training forward too: its callers decide
        kept = chosen.get(key(found))
        if kept is None or (found.function is found.first_call.context.function and kept.function is not found.function):
            chosen[key(found)] = found
    return [p for p in passes if chosen.get(key(p)) is p]


def training_functions(model: LoopModel) -> set[int]:
    """ids of the helpers whose code runs inside a training iteration (called from a training loop
    or step), not of the functions that merely hold a training loop."""
    found: set[int] = set()
    for program in model.step_programs():
        for event in events_of(program):
            if event.context.chain:
                found.add(id(event.context.function))
    return found


def _may_evaluate(model: LoopModel, function: FunctionInfo) -> bool:
    """Can code in this function be an evaluation pass whose mode and grad context we can judge?"""
    if model.is_pytest_file or (function.cls is not None and model.is_test_case(function.cls)):
        return False  # a test exercises a module; it does not evaluate a trained one
    if function.cls is not None and function.name in FRAMEWORK_EVAL_HOOKS:
        return False  # the framework switches to eval mode and disables grad around it
    if function.cls is not None and model.is_module_class(function.cls) and not _trains_itself(model, function):
        # a model's own methods are the model: the pass is where they are called; one that trains
        # the model itself (a Keras-style `fit` with validation after each epoch) is a driver
        return False
    if (
        function.name != "<module>"
        and not model.callers(function)
        and not any(step.loop.function is function for step in model.training_steps)
        and not _method_of_driver(model, function)
        and not command_line_entry(model, function)
    ):
        # called from outside the project (a framework, a user): its context is unknown; unless it
        # trains the model itself (`fit` reached through a registry of classes): its training loop
        # needs grad on, and leaves the model in the mode it trained in; or it is the prediction
        # method of such a class (`fit` then `predict`), whose users call it as they call `fit`
        return False
    if never_run_in_notebook(model, function) or _never_run_in_script(model, function):
        return False
    return True


def command_line_entry(model: LoopModel, function: FunctionInfo) -> bool:
    """Is the function a top-level function of a file whose top-level code hands the module to
    `fire.Fire()` (no argument: every top-level function becomes a command, `python main.py
    predict`), or hands the function itself to a command-line runner (`fire.Fire(predict)`,
    `typer.run(main)`)? It is entered as a program starts: grad on, each model in the mode it is
    built in."""
    parent = function.parent
    if function.cls is not None or parent is None or parent.parent is not None:
        return False
    owner = model.at(function)
    if function.name in owner.command_functions:
        return True  # `fire.Fire(predict)`, `typer.run(main)`: handed to a runner that calls it (read once per file)
    return not function.name.startswith("_") and owner.hands_module_to_fire


def _method_of_driver(model: LoopModel, function: FunctionInfo) -> bool:
    """Is the function a method of a class, not itself a module, that trains its model (another
    public method of the class runs backward and an optimizer step: `fit`, `train`)? Such a class
    is a driver: its `predict`/`test` methods are evaluation passes of the model it trains, entered
    by its users as `fit` is (when some file of the project calls a method of that name)."""
    cls = function.cls
    if cls is None or function.name.startswith("__") or model.is_module_class(cls):
        return False  # (a model's own methods are the model: its passes are where they are called)
    if getattr(model.source, "notebook", None) is not None:
        return False  # a notebook is a program: a method no cell calls never runs
    if not any(
        other is not function and not other.name.startswith("_") and _trains_itself(model, other)
        for other in cls.methods.values()
    ):
        return False  # (asked first: most classes train nothing, and the searches below read the project)
    called = rf"\.{re.escape(function.name)}\("
    path = model.ir.path
    # called somewhere: in its file, or, when some file imports its module, in the project
    return bool(re.search(called, model.text)) or bool(
        path
        and model.project.mentions(r"^", importers_of=model.project_path)
        and model.project.mentions(called)
    )


def _never_run_in_script(model: LoopModel, function: FunctionInfo) -> bool:
    """In a script that runs functions of its own (its module level calls one: `test2()`), a
    top-level function that nothing calls, whose name is written nowhere but in its `def`, in a file
    that no other file of the project imports, never runs (`test1` beside the `test2` it runs)."""
    if getattr(model.source, "notebook", None) is not None or function.name == "<module>" or function.cls is not None:
        return False
    if model.callers(function) or len(re.findall(rf"(?<![\w.]){re.escape(function.name)}\b", model.text)) > 1:
        return False  # called, or named where it may be handed over, registered or exported
    module = next((f for f in model.ir.functions if f.name == "<module>"), None)
    if module is None or not any(
        isinstance(model.definition(call.dotted, module), FunctionInfo)
        for simple in module.simples for call in simple.calls if call.dotted is not None and "." not in call.dotted
    ):
        return False  # a library module: its functions are called from outside
    path = model.ir.path
    if not path:
        return False
    return not model.project.mentions(r"^", importers_of=model.project_path)


def never_run_in_notebook(model: LoopModel, function: FunctionInfo, depth: int = 4) -> bool:
    """In a notebook (a program, not a library: nothing outside calls its functions), a function
    that no cell runs: its name is used only where functions that never run call it (`valid_fn`
    called only by a `train_model` that the notebook defines and never calls)."""
    if getattr(model.source, "notebook", None) is None or function.name == "<module>" or function.cls is not None:
        return False
    if depth <= 0:
        return False
    edges = _other_callers(model, function)
    uses = len(re.findall(rf"(?<![\w.]){re.escape(function.name)}\b", model.text))
    definitions = len(re.findall(rf"\bdef\s+{re.escape(function.name)}\b", model.text))
    recursive = sum(1 for edge in model.callers(function) if edge.caller is function)
    if uses - definitions - recursive > len(edges):
        return False  # also named where it is not called (handed over as a callback, a target)
    return all(
        model.at(edge.caller) is model and edge.caller.name != "<module>" and never_run_in_notebook(model, edge.caller, depth - 1)
        for edge in edges
    )


def _loop_passes(model: LoopModel, function: FunctionInfo, training: set[int]) -> Iterable[EvaluationPass]:
    training_loops = {id(step.loop) for step in model.training_steps}
    specializations = model.specializations(function)
    dead = _unreachable_loops(function)
    for loop in function.loops:
        if id(loop) in dead:
            continue  # after a `return` that always runs (`def test(): return` left in to skip it)
        if runs_once(loop):
            continue  # `for x in loader: model(x); break` initialises lazy modules
        if not specializations and not _may_evaluate_in_loop(model, function, loop):
            continue
        found = None
        if id(loop) not in training_loops:
            found = _loop_pass(model, function, loop, (), training, training_loops)
        # (values its callers pass, or a phase, matter only to a loop that trains on some of them:
        # `run_epoch(model, loader, train=False)`; an episode loop given `render=False` is the same loop)
        told = found is None and _trains_unless_told(model, function, loop)
        for constants in (specializations + _phases_around(function, loop)) if told else ():
            # `run_epoch(model, val_loader, train=False)`: the loop as this call runs it
            found = _loop_pass(model, function, loop, constants, training, training_loops)
            if found is not None:
                break
        if found is not None:
            yield found


def _trains_unless_told(model: LoopModel, function: FunctionInfo, loop: Loop) -> bool:
    """Does the loop, or its function, train when nothing is known of the values it is given: a
    backward or an optimizer step (or an optimizer handed to code out of sight) in an iteration, a
    backward of what the function computed?"""
    if any(e.kind in (Kind.BACKWARD, Kind.STEP) or _hands_over_optimizer(model, e) for e in events_of(model.iteration_program(loop, ()))):
        return True
    return any(e.kind in _GRAPH_KINDS for e in events_of(model.function_program(function, ())))


def _phases_around(function: FunctionInfo, loop: Loop) -> list[tuple[tuple[str, object], ...]]:
    """`for phase in ["train", "val"]:` around the loop: each value of the phase, one at a time
    (the loop as it runs in the validation phase, whose backward is under `if phase == "train":`)."""
    found: list[tuple[tuple[str, object], ...]] = []
    for outer in function.loops:
        if outer is loop or len(outer.targets) != 1 or not isinstance(outer.node, cst.For):
            continue
        values = outer.node.iter
        if not isinstance(values, (cst.List, cst.Tuple)) or not values.elements:
            continue
        constants = [literal_value(element.value) for element in values.elements]
        if any(not isinstance(value, str) for value in constants):
            continue
        if any(inner is loop for inner in all_statements(outer.body)):
            found.extend(((outer.targets[0], value),) for value in constants)
    return found


_TRAINING_KINDS = frozenset({Kind.BACKWARD, Kind.DIFFERENTIATE, Kind.STEP})
_GRAPH_KINDS = frozenset({Kind.BACKWARD, Kind.DIFFERENTIATE})
"""What needs the graph a forward built: backward() and torch.autograd.grad()."""


def _hands_over_optimizer(model: LoopModel, event: Event) -> bool:
    """`loss_scaler(loss, optimizer)` (timm's NativeScaler): code out of sight given an optimizer
    runs backward and step there; the iteration trains."""
    if event.kind is not Kind.OPAQUE or event.call is None:
        return False
    function = event.context.function
    return any(
        arg.dotted is not None and model.at(function).roles.role(arg.dotted, function) == OPTIMIZER
        for arg in event.call.args
    )


def _unreachable_loops(function: FunctionInfo) -> set[int]:
    """ids of the loops that come after a `return`, `raise` or `exit()` of their block (also in
    the body of an `if __name__ == "__main__":` or a `with`), and, in a script's or notebook's top
    level, those in the arm of an `if` that a setting assigned just above decides against
    (`aug_type = 'cwt'` in one cell, `if aug_type == 'window': ... else: ...` in the next)."""
    dead = _after_jumps(function.body)
    if function.name == "<module>":
        dead |= _arms_decided_against(function.body)
    return dead


def _arms_decided_against(block: list[object]) -> set[int]:
    """Loops of the top-level `if` arms that the literal settings in force decide against."""
    known: dict[str, object] = {}
    dead: set[int] = set()
    for stmt in block:
        if isinstance(stmt, Branch) and len(stmt.arms) <= 2:
            verdict = decide(stmt.test, tuple(known.items()))
            if verdict is not None:
                against = stmt.arms[0] if verdict is False else (stmt.arms[1] if len(stmt.arms) == 2 else [])
                dead |= {id(loop) for loop in all_statements(against) if isinstance(loop, Loop)}
        if isinstance(stmt, Simple):
            literal = _setting(stmt.value) if len(stmt.targets) == 1 and not stmt.augmented else NOT_LITERAL
            for target in stmt.targets:
                known.pop(target, None)
            if literal is not NOT_LITERAL:
                known[stmt.targets[0]] = literal
        else:
            for inner in all_statements([stmt]):
                if isinstance(inner, Simple):
                    for target in inner.targets:
                        known.pop(target, None)
                elif isinstance(inner, Loop):
                    for target in inner.targets:
                        known.pop(target, None)
    return dead


def _setting(node: cst.BaseExpression | None) -> object:
    """The value of a literal setting (`'window'`, `3`, `0.5`, `True`, `None`); NOT_LITERAL else."""
    if isinstance(node, cst.Float):
        return node.evaluated_value
    return literal_value(node) if node is not None else NOT_LITERAL


def _after_jumps(block: list[object]) -> set[int]:
    for index, stmt in enumerate(block):
        if isinstance(stmt, Simple) and stmt.jump in ("return", "raise"):
            return {id(loop) for loop in all_statements(block[index + 1 :]) if isinstance(loop, Loop)}
    found: set[int] = set()
    for stmt in block:
        if isinstance(stmt, Branch):
            for arm in stmt.arms:
                found |= _after_jumps(arm)
        elif isinstance(stmt, (With, Loop)):
            found |= _after_jumps(stmt.body)
        elif isinstance(stmt, Try):
            found |= _after_jumps(stmt.body)
    return found


def _loop_pass(
    model: LoopModel,
    function: FunctionInfo,
    loop: Loop,
    constants: tuple[tuple[str, object], ...],
    training: set[int],
    training_loops: set[int],
) -> EvaluationPass | None:
    events = list(events_of(model.iteration_program(loop, constants)))
    if any(e.kind in (Kind.BACKWARD, Kind.STEP) or _hands_over_optimizer(model, e) for e in events):
        return None  # it backwards or steps, or hands an optimizer to code out of sight
    calls = [
        e for e in events
        if e.kind is Kind.MODEL_CALL and not is_loss_module(e.subject)
        and not (e.call is not None and _called_on_text(e.context.function, e.call))
        and (not _called_on_loop_target(model, e, loop) or _mode_before(model.at(e.context.function), e.context.function, e.node, e.subject))
    ]
    if any(e.kind is Kind.DIFFERENTIATE for e in events):
        # `torch.autograd.grad` (MAML's test-time adaptation, adversarial inputs): the forwards it
        # differentiates need their graphs; the others only predict, and are the pass
        calls = [e for e in calls if not _feeds_gradients(model, e)]
        calls = [e for e in calls if e.context.grad != "off"] or calls
    # `params = gradient_update_parameters(self.model, inner_loss)`: code out of sight given the model
    # and what a forward computed may differentiate it (a library's inner-loop update)
    calls = [e for e in calls if not any(_handed_with_model(model, e, o) for o in events if o.kind is Kind.OPAQUE)]
    if not calls or _trains_by_hand(model, function, loop, calls):
        return None
    if calls[0].context.chain and calls[0].context.grad == "off":
        # `mtcnn.align(img)` whose detector nets run under its own no_grad, then `facenet(x)`:
        # the pass is the loop's own forward, not the guarded helper's
        direct = [e for e in calls if not e.context.chain and e.context.grad != "off"]
        calls = direct + [e for e in calls if e not in direct] if direct else calls
    if len(calls) > 1 and _parameter_free(model, calls[0]):
        # `melspecs = spectrogramer(waveforms)` (a feature transform with no parameter), then
        # `model(melspecs)`: the pass is the model's
        weighted = [e for e in calls if not _parameter_free(model, e)]
        calls = weighted + [e for e in calls if e not in weighted] if weighted else calls
    if len(calls) > 1 and _frozen_forward(model, calls[0]):
        # a frozen feature extractor first (`make_cnn_activations`), then the trained decoder: the
        # pass is the decoder's, whose forward records a graph
        thawed = [e for e in calls if not _frozen_forward(model, e)]
        calls = thawed + [e for e in calls if e not in thawed] if thawed else calls
    named = bool(EVAL_FUNCTION.search(function.name) or EVAL_DATA.search(loop.iter_text))
    if constants and any(e.kind in _GRAPH_KINDS for e in events_of(model.function_program(function, constants))):
        return None  # called this way, the function backwards what the loop computed
    if not constants:
        inside_training = id(function) in training or any(id(outer) in training_loops for outer in model.enclosing_loops(loop))
        if inside_training and not named:
            return None  # a loop inside a training step builds part of that step's loss (or is found below)
        if any(e.kind in _GRAPH_KINDS and _may_use_loop_results(model, function, loop, e) for e in model.function_events(function)):
            return None  # the function backwards what the loop computed
    if not (named or constants or _evaluation_intent(model, function, calls[0], loop)):
        return None  # a rollout over range(n), or a model this project never trains: no evaluation pass
    return _pass(model, function, loop, calls[0], constants, calls=calls[1:])


_IN_PLACE_UPDATES = frozenset({"add_", "sub_", "mul_", "div_", "copy_", "addcmul_", "addcdiv_", "addmm_", "lerp_"})


def _trains_by_hand(model: LoopModel, function: FunctionInfo, loop: Loop, calls: list[Event]) -> bool:
    """Does the iteration update the parameters of a model it runs by hand: an augmented assignment
    or an in-place update of a tensor the model holds (`model.layers[i].weight += lr * dW[i]`,
    `model.W.add_(d)`), of each of its parameters (`for p in model.parameters(): p.data.add_(d)`),
    or a method of the model that does so on its own (`self.W -= lr * dW`)? Such a loop trains
    the model without backward() (feedback alignment, Hebbian and closed-form rules): its forwards
    are training forwards, not an evaluation pass."""
    roots = {_written_root(e.subject.name) for e in calls if e.subject is not None and not e.context.chain}
    roots.discard(None)
    if not roots:
        return False
    parameters = {
        target for inner in all_statements(loop.body) if isinstance(inner, Loop)
        for target in inner.targets
        if any(re.search(rf"(?<![\w.]){re.escape(root)}(?:\.\w+)*\.(?:named_)?parameters\(", inner.iter_text) for root in roots)
    }
    for simple in simples_of(loop.body):
        if _writes_by_hand(simple, roots, parameters):
            return True
        for call in simple.calls:
            root = call.receiver_root
            if root is None or _written_root(call.receiver or root) not in roots:
                continue
            target = model.resolve_call(call, function, via_callers=False)
            if isinstance(target, FunctionInfo) and target.cls is not None and target is not function and any(
                _writes_by_hand(inner, {"self"}, frozenset()) for inner in target.simples
            ):
                return True  # `model.feedback(error, lr)`, whose body updates `self.W`
    return False


def _written_root(name: str | None) -> str | None:
    """The name a write reaches the model through: `model` of `model.layers`, `self.net` of
    `self.net.fc` (as `flow_name` gives it)."""
    if not name:
        return None
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "self" and len(parts) > 1 else parts[0]


def _writes_by_hand(simple: Simple, roots: set[str], parameters: set[str] | frozenset[str]) -> bool:
    """Does the statement update, in place, a tensor held by one of the models named by `roots`
    (through an attribute: `model.W -= d`, not `model = d`) or one of `parameters` (`p -= d`)?
    A literal step (`model.steps += 1`) counts nothing; `.data` assigned replaces the tensor."""
    node = simple.node
    if type(node) is cst.AugAssign and type(node.operator) in (cst.AddAssign, cst.SubtractAssign, cst.MultiplyAssign):
        if literal_value(node.value) is NOT_LITERAL and _reaches_a_held_tensor(node.target, roots, parameters):
            return True
    if type(node) is cst.Assign and any(
        type(t.target) is cst.Attribute and t.target.attr.value == "data" and _reaches_a_held_tensor(t.target.value, roots, parameters)
        for t in node.targets
    ):
        return True
    for call in simple.calls:
        func = call.node.func
        if call.method in _IN_PLACE_UPDATES and type(func) is cst.Attribute and _reaches_a_held_tensor(func.value, roots, parameters):
            return True
    return False


def _reaches_a_held_tensor(node: cst.BaseExpression, roots: set[str], parameters: set[str] | frozenset[str]) -> bool:
    if type(node) is cst.Name:
        return node.value in parameters
    if type(node) not in (cst.Attribute, cst.Subscript):
        return False
    root = flow_name(node)
    return root is not None and any(root == r or root.startswith(f"{r}.") for r in roots) or _chain_root(node) in parameters


def _chain_root(node: cst.BaseExpression) -> str | None:
    while type(node) in (cst.Attribute, cst.Subscript):
        node = node.value  # type: ignore[attr-defined]
    return node.value if type(node) is cst.Name else None  # type: ignore[attr-defined]


def _trains_through_callback(model: LoopModel, function: FunctionInfo, loop: Loop, edge: CallEdge) -> bool:
    """Does the loop call a parameter of its function that this call fills with a project function
    running backward (`def train(self, loader): def end_update(loss): loss.backward(); ...; return
    self._do(loader, begin_update, end_update)`)? Called that way, the loop trains."""
    params = set(function.params)
    called = {call.dotted for simple in simples_of(loop.body) for call in simple.calls if call.dotted in params}
    if not called:
        return False
    caller = model.at(edge.caller)
    for parameter, dotted in arguments_passed(function, edge.call):
        if parameter not in called:
            continue
        target = caller.definition(dotted, edge.caller)  # (a function nested in the caller first)
        if isinstance(target, FunctionInfo) and "backward" in caller.reaches(target):
            return True
    return False


def _frozen_forward(model: LoopModel, event: Event) -> bool:
    """Is the model of this call frozen whole before it (see state.frozen_whole)?"""
    binding = event.subject.binding if event.subject is not None else None
    return binding is not None and model.frozen_whole(binding, event.node, event.context.function)


def _handed_with_model(model: LoopModel, forward: Event, opaque: Event) -> bool:
    """Does the forward's output (followed through the assignments of its function) reach an
    argument of an opaque call, one that is also given a model or optimizer?"""
    function = forward.context.function
    if opaque.call is None or opaque.context.function is not function:
        return False
    placed = model.at(function).ordered_statements(function)
    at = next((p for p in placed if any(c.node is forward.node for c in p.simple.calls)), None)
    if at is None or not at.simple.targets:
        return False
    made = _derived_names(placed, set(at.simple.targets))
    return any(arg.names & made for arg in opaque.call.args)


def _derived_names(placed: list[Placed], names: set[str], through_calls: bool = False) -> set[str]:
    """`names` and every name assigned, in the function, from a value that reads one of them (with
    `through_calls`, also as an argument of a call in it: `torch.argmax(logits).tolist()`)."""
    made = set(names)
    changed = True
    while changed:
        changed = False
        for item in placed:
            simple = item.simple
            read = simple.value_names
            if through_calls:
                read = read | {name for call in simple.calls for arg in call.args for name in arg.names}
            if simple.targets and not set(simple.targets) <= made and read & made:
                made.update(simple.targets)
                changed = True
    return made


_COLLECTING = APPENDING_METHODS | {"update", "add_", "copy_"}
"""Calls that store a value into what they are called on: a list, a dict, a tensor in place."""


def _may_use_loop_results(model: LoopModel, function: FunctionInfo, loop: Loop, event: Event) -> bool:
    """Can a backward() outside the loop differentiate what the loop computed? Not when the tensor
    it is called on is built from names the loop never assigns nor collects into (a notebook's later
    cell: `y = net(x).sum(); y.backward()` after a test loop), followed through the function's
    assignments. Unknown receivers and backwards inlined from helpers may."""
    call = event.call
    if event.context.function is not function or call is None or call.receiver is None or call.method != "backward":
        return True
    placed = model.ordered_statements(function)
    made: set[str] = set()
    for item in placed:
        if loop in item.loops:
            made.update(item.simple.targets)
            made.update(item.simple.subscript_targets)
            made.update(c.receiver for c in item.simple.calls if c.method in _COLLECTING and c.receiver is not None)
    made.update(loop.targets)
    made = _derived_names(placed, made)
    root = call.receiver.split(".", 1)[0]
    return call.receiver in made or root in made


def _computes_a_training_target(model: LoopModel, event: Event) -> bool:
    """`a_ = self.target_actor(s_)`, then `q_targets = r + gamma * self.target_critic(s_,
    a_).detach()` and a backward of a loss built from `q_targets`: the forward computes a target
    of the training step, reaching the loss only through a detached value (as a target must), not
    an evaluation; so does an RL action kept in the replay buffer whose samples the loss is built
    from (`rb.append((obs, action, ...))`, `s_actions` indexing the Q-values)."""
    function = event.context.function
    owner = model.at(function)
    placed = owner.ordered_statements(function)
    at = next((p for p in placed if any(c.node is event.node for c in p.simple.calls)), None)
    if at is None or not at.simple.targets:
        return False
    roots = feeding_backward(function, placed)
    if set(at.simple.targets) & roots:
        return False  # feeding the loss itself: judged with the backward's conditions (`_feeds_gradients`)
    changed = bool(roots)
    while changed:
        changed = False
        for simple in function.assignments:
            if set(simple.targets) & roots and simple.value is not None:
                # (every name the value reads, also through `.detach()`)
                read = {n.value for n in nodes_within(simple.value) if isinstance(n, cst.Name)} - roots
                if read:
                    roots |= read
                    changed = True
    return bool(set(at.simple.targets) & roots)


def _feeds_gradients(model: LoopModel, event: Event, only_binding: bool = False) -> bool:
    """Does this forward's output flow into a backward() or torch.autograd.grad() of its function,
    or leave the function, itself or through the values it computes (returned: the caller may
    differentiate it)? With `only_binding`, the names it assigns must be bound nowhere else in the
    function (`fake = netG(noise)` for the loss and `fake = netG(fixed_noise)` for a sample grid
    are two values of one name), and a forward in a helper with no backward of its own must reach,
    returned, the backward of a caller up the chain."""
    function = event.context.function
    owner = model.at(function)
    placed = owner.ordered_statements(function)
    at = next((p for p in placed if any(c.node is event.node for c in p.simple.calls)), None)
    if at is None:
        return not only_binding  # not found: say nothing rather than guess
    statement = at.simple
    if only_binding:
        if any(set(p.simple.targets) & set(statement.targets) for p in placed if p.simple is not statement):
            return False
        # and a backward that runs whenever the forward does (not one under `if phase == "train":`)
        # (or only once a counter has passed a threshold: `if self.exp_cnt > self.replay_start_sz:`
        # delays the first updates, after which every forward is backwarded)
        backwards = [p for p in placed if any(c.method == "backward" or owner.takes_gradients(c) for c in p.simple.calls)]
        if not backwards and event.context.chain:
            # (a helper the training iteration calls, `total += ce(model(test_x), test_y)` returned
            # to `loss = self.outer_loss(batch)`, which the caller backwards)
            return _returned_into_callers_backward(model, event, at)
        if not any(all(g in at.guards or _THRESHOLD_TEST.match(g) for g in b.guards) for b in backwards):
            return False
    if any(owner.takes_gradients(c) or c.method == "backward" for c in statement.calls):
        return True  # `torch.autograd.grad(loss_fn(model(x), y), params)`
    # (`features = self.cnn(x)`, `codes = self.encoder(features)`, `return codes`: what flows into
    # the value returned leaves the function too)
    returned = {name for p in placed for name in p.simple.returned_names}
    handed = handed_to_backward(model, function, differentiated=True)  # (`learner.inner_update(x, y, codes)`)
    return bool(set(statement.targets) & feeding_backward(function, placed, returned | handed)) or bool(statement.returned_names)


def _returned_into_callers_backward(model: LoopModel, event: Event, at: Placed) -> bool:
    """Does the forward's value (`at` is its statement) flow, through what each function of the call
    chain returns, into a backward of the first caller up the chain that backwards anything?"""
    statement, function = at.simple, event.context.function
    for call, caller in zip(reversed(event.context.chain), reversed(event.context.callers)):
        placed = model.at(function).ordered_statements(function)
        returned = {name for p in placed for name in p.simple.returned_names}
        if not statement.returned_names and not set(statement.targets) & feeding_backward(function, placed, returned):
            return False  # (it stays in the helper: a metric, a log)
        function = caller
        owner = model.at(caller)
        placed = owner.ordered_statements(caller)
        holding = next((p for p in placed if any(c is call for c in p.simple.calls)), None)
        if holding is None:
            return False
        statement = holding.simple
        if any(c.method == "backward" or owner.takes_gradients(c) for p in placed for c in p.simple.calls):
            return any(c.method == "backward" or owner.takes_gradients(c) for c in statement.calls) or bool(
                set(statement.targets) & feeding_backward(caller, placed)
            )
    return False


_THRESHOLD_TEST = lazy(r"^[\w.\[\]]+\s*(?:>=?|<=?)\s*[\w.\[\]]+$")
"""`count > start`, `step >= warmup`: a test that, once true as a counter grows, stays true."""


def _call_passes(model: LoopModel, function: FunctionInfo, training: set[int]) -> Iterable[EvaluationPass]:
    """Model calls outside any loop of a function that trains nothing: `pred = model(x, adj).argmax(-1)`
    in `test()`, `test_output = cnn(test_x)` after the training loop of a script."""
    named = EVAL_FUNCTION.search(function.name) is not None
    if id(function) in training and not named:
        yield from _specialized_call_passes(model, function)
        return
    if named and function.name != "<module>" and returned_into_backward(model, function):
        return  # `evaluate_actions(s, a)` returns the log-probs that its callers' loss backwards
    steps = {id(step.loop) for step in model.training_steps if step.loop.function is function}
    trains_through = _training_calls(model, function) if function.name != "<module>" and not steps else set()
    if function.name != "<module>" and "backward" in model.reaches(function) and not steps and not trains_through:
        # a function that trains through helpers called in its loops (`for epoch in ...: loss =
        # train_model(...)`): what runs inside those loops is judged below; what it runs once
        # every such loop is over (`with torch.no_grad(): recon = model(test_img)`) may evaluate
        trains_through = {id(loop) for loop in function.loops if _calls_training_function(model, loop)}
        if not trains_through:
            return
    # a function holding a training loop, or calling a helper that trains (`net.fit(x, y)`): only
    # what it runs once training is over (`model.eval(); output = model(x_test)`) can evaluate
    tail_of_training = function.name != "<module>" and bool(steps or trains_through)
    # (forwards that feed a `torch.autograd.grad` here are skipped below, like those feeding a backward)
    if not named and function.name != "<module>" and not (
        _shows_evaluation(model, function, function.simples) or _calls_global_in_eval_mode(model, function)
        or _calls_attribute_in_eval_mode(model, function) or _runs_a_model_every_caller_loads(model, function)
        or _runs_a_pretrained_model_it_builds(model, function)
    ):
        return  # none of what a single-forward pass needs
    placed = list(walk(function.body, "on"))
    feeding = feeding_backward(function, placed)
    guards_of = {id(p.simple): p.guards for p in placed if p.guards}
    evaluated: set[object] = set()
    guarded: dict[object, Event] = {}  # models whose pass under `no_grad` was found: its first forward
    passed_models: set[object] = set()
    entered_once: bool | None = None  # (asked of the function once, for the first forward that needs it)
    stopped: list[tuple[str, ...]] = []  # (the if-tests over forwards that ended the search on their path)
    for statement in top_level_simples(function):
        if stopped and any(same_branch(guards, guards_of.get(id(statement), ())) for guards in stopped):
            continue
        if set(statement.targets) & feeding and set(statement.targets) & _feeding_after(function, placed, statement):
            continue  # a forward whose output a backward later uses: training, not evaluation
        if id(statement) in guards_of and _arm_no_caller_takes(model, function, guards_of[id(statement)]):
            continue  # `if mode == "without_uncertainty":` where every call passes another mode
        for call in statement.calls:
            event = _direct_model_call(model, function, call)
            inner = _forward_of_predicting_method(model, function, call) if event is None else None
            if inner is not None and call.receiver is not None:
                # (its intent is judged by the call made here: `net.predict(x_test)`)
                context = replace(model.function_context(function), grad=model.lexical_grad(function, call))
                receiver = model.flow.subject_in(call.receiver, context)
                event = Event(Kind.MODEL_CALL, call.node, context, subject=receiver, call=call) if receiver is not None else None
            if event is None or is_loss_module(event.subject) or _called_on_text(function, call):
                continue
            binding = event.subject.binding if event.subject is not None else None
            # (at a script's top level, the assignment in force is the last one above the call)
            bound_at = model.nearest_binding(event.subject.name.split(".", 1)[0], function, call.node) if binding is not None else None
            which = ("nearest", id(bound_at.statement)) if bound_at is not None else (("binding", id(binding.statement)) if binding is not None else None)
            if which is not None and function.name == "<module>":
                # (a notebook runs each cell on its own: a `with torch.no_grad():` in one cannot
                # cover another, so each cell's forwards of a model are a pass of their own)
                which = (*which, model.cell_of(model.anchor(event)))
                # (a baseline scored before the script trains and the score after it are two passes)
                which = (*which, bool(model.training_steps) and _after_training(model, event))
            if which is not None and (which in evaluated or (which in guarded and event.context.grad == "off")):
                continue  # this model's evaluation is reported once
            # (a script trains in its own loops, or by calling project code that trains: `train(model,
            # optimizer, data)`, `Trainer(model, optimizer).fit(x)`, imported from another file)
            after_training = function.name == "<module>" and bool(
                model.training_steps or _training_calls(model, function)
            ) and _after_training(model, event)
            if tail_of_training and not _after_last_training(function, steps | trains_through, call):
                continue
            subject_key = event.subject.key if event.subject is not None else None
            if passed_models and function.name != "<module>":
                # a function that evaluates one model runs the others it calls in the same pass
                # (`samples = self.gen.sample(n)`, then `scores = self.dis(samples)`): each model's
                # mode is its own
                if subject_key is None or subject_key in passed_models:
                    continue
                found = _pass(model, function, None, inner or event, subject=event.subject if inner is not None else None)
                if found is not None:
                    passed_models.add(subject_key)
                    yield found
                continue
            if inner is None and _on_hand_made_input(model, function, call):
                continue  # `model(torch.tensor([[4.0]]))`: a prediction shown for an example typed in, no data
            if inner is None and _compared_with_another_module(model, statement, call):
                continue  # `(ported(x) - original(x)).abs().max()`: do two modules agree? No evaluation of either
            intent = named or after_training or _single_call_intent(model, function, event)
            if not intent and function.name != "<module>" and event.subject is not None:
                # (a model handed in whose weights every caller loads first: inference)
                if entered_once is None:
                    entered_once = _entered_once_keeping_its_models(model, function)
                intent = entered_once and _loaded_by_every_caller(model, function, event, event.subject.name, 3)
            if intent:
                if function.name == "<module>" and not _after_training(model, event) and not _with_pretrained_weights(
                    model, function, event
                ) and not _scores_held_out_in_eval_mode(model, function, event):
                    # (a script's forward before it trains checks shapes; one of weights it was given
                    # evaluates them, and so does one the script put in eval mode to score held-out
                    # data, `model.eval(); before = criterion(model(X_val), Y_val)`: a baseline)
                    continue
                found = _pass(model, function, None, inner or event, subject=event.subject if inner is not None else None)
                if found is not None:
                    # (beside the guarded pass of the same model: one finding of a mode says it for both)
                    yield found if which not in guarded else replace(found, beside=guarded[which])
                    if function.name != "<module>" and subject_key is not None:
                        passed_models.add(subject_key)
                        continue
                    if function.name != "<module>" or which is None:
                        return
                    if event.context.grad == "off" and which not in guarded:
                        # a test under `with torch.no_grad():`, then a prediction after the block
                        # (`predicted_price = model(new_data)`): that one is a pass of its own
                        guarded[which] = event
                        break
                    # a script or notebook that trains and evaluates a model, then another
                    # (`model = nn.Linear(...)`, later `model = Net()`): one pass per model
                    evaluated.add(which)
                    break
                if function.name != "<module>":
                    # (the function's first forward checks the code: so do those after it on its
                    # path; one in an arm of a test that rules this one out is judged on its own:
                    # `if mode == "vis": model.visualise(...)` / `else: samples = model.sample(n)`)
                    stopped.append(guards_of.get(id(statement), ()))
                    break
                # a script's or notebook's first forward checked an untrained model's shapes:
                # the next one, after the model was trained, may evaluate it


def _arm_no_caller_takes(model: LoopModel, function: FunctionInfo, guards: tuple[str, ...]) -> bool:
    """Does every project call of the function give values (or leave defaults) that decide one of
    these if-tests against the statement under them? False for a function nothing calls."""
    if function.name == "<module>":
        return False
    edges = model.callers(function)
    return bool(edges) and all(
        any(decide(guard, arguments_known(function, edge.call, caller=edge.caller)) is False for guard in guards)
        for edge in edges
    )


def _specialized_call_passes(model: LoopModel, function: FunctionInfo) -> Iterable[EvaluationPass]:
    """A function with no loop of its own that trains for some values its callers pass and runs
    the model without training for others (`def main_loop(phase): out = gat(graph); if phase ==
    LoopPhase.TRAIN: loss.backward() ...`, called last as `main_loop(phase=LoopPhase.TEST)`): its
    first forward, as each call that trains nothing runs it (the pass is entered by those calls)."""
    if function.loops or function.name == "<module>":
        return  # (a loop is judged per set of values in `_loop_passes`)
    for constants in model.specializations(function):
        events = [e for top in events_of(model.function_program(function, constants)) for e in top.flatten()]
        if any(e.kind in _GRAPH_KINDS or e.kind is Kind.STEP or _hands_over_optimizer(model, e) for e in events):
            continue  # called this way, it trains
        first = next((
            e for e in events
            if e.kind is Kind.MODEL_CALL and e.context.function is function and not is_loss_module(e.subject)
        ), None)
        if first is None:
            continue
        found = _pass(model, function, None, first, constants)
        if found is not None and found.entered_by and not all(_called_while_training(model, edge) for edge in found.entered_by):
            yield found


def _called_while_training(model: LoopModel, edge: CallEdge) -> bool:
    """Is the call made in a loop of its caller that trains (backwards or steps in its iteration, or
    calls a project function that does)? What it runs there is part of training (an action chosen
    between updates) or judged with that loop (validation inside the epoch loop)."""
    caller = model.at(edge.caller)
    placed = placed_of(caller, edge.caller, edge.call)
    return placed is not None and any(
        caller.kinds_in(loop) & {Kind.BACKWARD, Kind.STEP} or any(
            training_callee(caller, edge.caller, call) is not None for simple in simples_of(loop.body) for call in simple.calls
        )
        for loop in placed.loops
    )


def _feeding_after(function: FunctionInfo, placed: list[Placed], statement: Simple) -> set[str]:
    """The names feeding a backward that runs after `statement`, a statement outside any loop: a
    training loop above it that used the same name (`out = net(word)`) runs no more."""
    index = next((i for i, item in enumerate(placed) if item.simple is statement), None)
    return feeding_backward(function, placed if index is None else placed[index + 1 :])


def _calls_global_in_eval_mode(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the function call a module-level model that the script's top level puts in eval mode
    (`srresnet.eval()` after loading it, then `def visualize_sr(img): sr = srresnet(lr)`)?"""
    top = model.ir.top
    if function is top or function.parent is not top:
        return False
    switched = model.globals_in_eval_mode
    return bool(switched) and any(
        c.dotted in switched or (c.method == "forward" and c.receiver in switched) for s in function.simples for c in s.calls
    )


def _calls_attribute_in_eval_mode(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the method run a model its class's constructor puts in eval mode, and no method puts
    back in training mode (`self.net.load_state_dict(...); self.net.eval()` in `Detector.__init__`,
    then `def __call__(self, img): out = self.net(x)`): a predictor's pass?"""
    if function.cls is None:
        return False
    return any(
        c.dotted is not None and c.dotted.startswith("self.") and c.dotted.count(".") == 1
        and _eval_set_by_constructor(model, function, c.dotted)
        for s in function.simples for c in s.calls
    )


def returned_into_backward(model: LoopModel, function: FunctionInfo, depth: int = 2) -> bool:
    """Does every project call of the function hand what it returns to a backward: bound to names
    the caller backwards, or returned on to a caller that does (a few calls up)?"""
    edges = model.callers(function)
    return bool(edges) and all(backwards_result(model, edge, depth) for edge in edges)


def backwards_result(model: LoopModel, edge: CallEdge, depth: int = 2) -> bool:
    """Does this call hand what it returns to a backward: bound to names the caller backwards, or
    returned on to callers that all do (a few calls up)?"""
    caller = model.at(edge.caller)
    placed = caller.ordered_statements(edge.caller)
    index = next((i for i, p in enumerate(placed) if any(c is edge.call for c in p.simple.calls)), None)
    if index is None:
        return False
    at = placed[index]
    if at.grad == "off":
        return False  # `with torch.no_grad(): memory = self.collect(n)`: what it returns carries no graph
    targets = set(at.simple.targets)
    # (a backward above the call, in no loop around it, ran before: `loss, out = self.evaluate()`
    # after the training loop is not what that loop backwarded)
    later = [p for i, p in enumerate(placed) if i >= index or (at.loops and at.loops[0] in p.loops)]
    # (`action, log_prob = agent.select_action(s)`, then `agent.train_step(s, log_prob, r)` whose
    # parameter its own backward uses: handed on to a backward elsewhere)
    # (the values handed, not the modules: `train(model=model, ...)` backwards what `model` computes,
    # which makes no loss of the model object the earlier call returned)
    handed = {
        name for name in (handed_to_backward(caller, edge.caller, (p.simple for p in later)) if targets else ())
        if caller.roles.role(name, edge.caller) not in (MODEL, OPTIMIZER, SCHEDULER, SCALER)
    }
    if targets & feeding_backward(edge.caller, later, handed) or any(c.method == "backward" for c in at.simple.calls):
        return True
    returned = {name for p in placed for name in p.simple.returned_names}
    return depth > 0 and bool(targets & returned or at.simple.returned_names) and returned_into_backward(caller, edge.caller, depth - 1)


def globals_in_eval_mode(model: LoopModel) -> set[str]:
    """Module-level models the script puts in eval mode: at its top level, or in a loader function
    that binds the global and switches it (`global _model; _model = SpeakerEncoder();
    _model.load_state_dict(...); _model.eval()`)."""
    top = model.ir.top
    switched = {c.receiver for s in top.simples for c in s.calls if c.method == "eval" and not c.args and c.receiver}
    for loader in top.nested.values():
        if isinstance(loader, FunctionInfo) and loader.declared_global:
            switched |= {
                c.receiver for s in loader.simples for c in s.calls
                if c.method == "eval" and not c.args and c.receiver in loader.declared_global
            }
    return switched


def _called_on_text(function: FunctionInfo, call: CallSite) -> bool:
    """`results = model("https://.../zidane.jpg")`: an object called on text (a path, a URL, a
    sentence) is a pipeline that reads and converts its inputs itself, and runs its own inference
    (a hub model's wrapper, a text pipeline); not a module's forward on tensors."""
    first = call.args[0] if call.args and call.args[0].keyword is None else None
    if first is None:
        return False
    if isinstance(first.node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if isinstance(first.node, cst.Name):
        values = [s.value for s in function.assignments if s.targets == (first.node.value,)]
        return bool(values) and all(isinstance(v, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)) for v in values)
    return False


_TENSOR_MAKERS = frozenset({"tensor", "Tensor", "FloatTensor", "LongTensor", "DoubleTensor", "Variable", "from_numpy", "array"})


def _hand_made(node: cst.BaseExpression, numeric: frozenset[str] = frozenset()) -> bool:
    """A tensor written out in the code: `torch.tensor([[4.0]])`, `Variable(torch.Tensor([[1.0]]))`,
    `tensor(4.0)`: numbers (in lists or tuples, or names bound only to a number: `numeric`) handed
    to a tensor maker (a bare number handed to a method, `sample(64)`, is no input tensor)."""
    if not isinstance(node, cst.Call):
        return False
    name = (dotted_name(node.func) or "").rsplit(".", 1)[-1]
    positional = [a.value for a in node.args if a.keyword is None]
    return name in _TENSOR_MAKERS and bool(positional) and (
        _numbers(positional[0], numeric) or _hand_made(positional[0], numeric)
    )


def _numbers(node: cst.BaseExpression, numeric: frozenset[str] = frozenset()) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Name):
        return node.value in numeric  # `para = 20.` then `torch.tensor([[para]])`
    if isinstance(node, cst.UnaryOperation):
        return _numbers(node.expression, numeric)
    if isinstance(node, (cst.List, cst.Tuple)):
        return bool(node.elements) and all(_numbers(e.value, numeric) for e in node.elements)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
        return _numbers(node.left, numeric) and _numbers(node.right, numeric)  # `[[1] * 512]`
    return False


def _numeric_names(model: LoopModel, function: FunctionInfo) -> frozenset[str]:
    """The names the function binds only to numbers (`p = 0.9`)."""
    owner = model.at(function)
    values: dict[str, list[object]] = {}
    for simple in function.assignments:
        if len(simple.targets) == 1 and "." not in simple.targets[0]:
            values.setdefault(simple.targets[0], []).append(simple.value if not simple.augmented else None)
    return frozenset(
        name for name, bound in values.items()
        if all(v is not None and _numbers(v) for v in bound) and len(owner.roles.bindings_of(name, function)) == len(bound)
    )


def _compared_with_another_module(model: LoopModel, statement: Simple, call: CallSite) -> bool:
    """Is the forward's output and another callable's output on the same inputs subtracted one from
    the other (`(m2(x) - m(x)).abs().max()`)? Two modules run on one input and compared check that
    they compute the same (weights copied into a port, a layer rewritten), whichever data the input
    is: neither is evaluated."""
    target = call.node
    arguments = model.code(target).removeprefix(model.code(target.func))
    stack: list[cst.CSTNode] = [statement.node]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Subtract) and (
            node.left is target or node.right is target
        ):
            other = node.right if node.left is target else node.left
            return (
                isinstance(other, cst.Call) and bool(target.args)
                and model.code(other.func) != model.code(target.func)
                and model.code(other).removeprefix(model.code(other.func)) == arguments
            )
        stack.extend(node.children)
    return False


def _on_hand_made_input(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """Is every input of the forward a tensor typed into the code (`model(tensor([[7.0]]))`, or a
    name bound only to one: `hour = torch.tensor([[1.0]])`) or drawn as random ids
    (`torch.randint(100, 1000, size=(1, 512))`), given as positional inputs or, when there are none,
    as keywords? Such a forward shows what the model says for an example, or checks that it runs: it
    runs it on no data."""
    if not call.args:
        return False
    numeric = _numeric_names(model, function)
    return _every_input(model, function, call, lambda node: _hand_made(node, numeric) or _random_ids(node))


def _every_input(model: LoopModel, function: FunctionInfo, call: CallSite, made: Callable[[cst.BaseExpression], bool]) -> bool:
    """Is every positional input of the call `made` in the code, written in the call itself or a
    plain name each binding of which (none augmented; in a script's top level, the one in force) is
    such a value? A forward given only keywords (`model(input_ids=ids, attention_mask=mask)`) is
    given them as its inputs. False for a call given none."""
    inputs = [arg for arg in call.args if arg.keyword is None] or list(call.args)
    if not inputs:
        return False
    for arg in inputs:
        if made(arg.node):
            continue
        if arg.dotted is None or "." in arg.dotted:
            return False
        bindings = model.at(function).roles.bindings_of(arg.dotted, function)
        if function.name == "<module>":
            # (a script binds a name again and again, `labels = [...names]`, then `labels =
            # torch.FloatTensor([[0, 1]])`: the input is the assignment in force above the call)
            nearest = model.nearest_binding(arg.dotted, function, call.node)
            bindings = [nearest] if nearest is not None else bindings
        if not bindings or not all(
            b.statement.value is not None and not b.statement.augmented and made(b.statement.value) for b in bindings
        ):
            return False
    return True


def _prints_its_value(function: FunctionInfo, statement: Simple) -> bool:
    """Is a name the statement binds printed as it is afterwards (`print(output)`), its values shown
    (not only its shape)?"""
    names = set(statement.targets)
    seen = False
    for simple in function.simples:
        if simple is statement:
            seen = True
        elif seen and any(
            call.dotted in ("print", "display") and any(arg.dotted in names for arg in call.args) for call in simple.calls
        ):
            return True
    return False


def _shown_on_made_up_input(model: LoopModel, function: FunctionInfo, event: Event) -> bool:
    """`output = model(torch.randn(*shape))` whose output is then only printed, inspected or shown
    in an f-string, whatever is computed from it there."""
    statement = _statement_of(function, event)
    return (
        statement is not None and event.call is not None and statement.value is event.call.node and bool(statement.targets)
        and _on_made_up_input(model, function, event.call) and _only_inspected(function, statement, formatted=True)
    )


def _on_made_up_input(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """Is every input of the forward made up in the code (`net(torch.randn(2, 4))`, or a name bound
    only to such a value: `x = torch.zeros(1, 3, 32, 32)`)? Such a forward probes the code."""
    return _every_input(model, function, call, _made_up)


def _entered_once_keeping_its_models(model: LoopModel, function: FunctionInfo) -> bool:
    """Is every project call of the function made in no loop of its caller (the helper runs once
    per call, not per item of a caller's loop, whose pass that loop is), and does the function hand
    none of its parameters on to project code (`greedy(model, memory)`: the pass may go on there,
    and is judged as that code runs it)?"""
    params = set(function.params)
    if any(
        (call.dotted or "").split(".", 1)[0] not in params and params & set(arg.names)
        and model.resolve_call(call, function) is not None
        for simple in function.simples for call in simple.calls for arg in call.args
    ):
        return False
    edges = _other_callers(model, function)
    for edge in edges:
        placed = placed_of(model.at(edge.caller), edge.caller, edge.call)
        if placed is None or placed.loops:
            return False
    return bool(edges)


def _runs_a_model_every_caller_loads(model: LoopModel, function: FunctionInfo) -> bool:
    """`run_image_once(lane_net, image)` after `lane_net.load_state_dict(torch.load(path))`: the
    function runs, at its top level, a model it is handed whose weights every caller loads before
    the call (a trained model brought back to be used: inference), and trains nothing itself."""
    if not function.params or {"backward", "step"} & model.reaches(function) or not _entered_once_keeping_its_models(model, function):
        return False
    for simple in top_level_simples(function):
        for call in simple.calls:
            head = (call.dotted or "").split(".", 1)[0]
            if head not in function.params or head == "self":
                continue
            event = _direct_model_call(model, function, call)
            if event is not None and event.subject is not None and _loaded_by_every_caller(model, function, event, event.subject.name, 3):
                return True
    return False


def _direct_model_call(model: LoopModel, function: FunctionInfo, call: CallSite) -> Event | None:
    """The call as a model-call event when it runs a model itself (not through a helper)."""
    context = replace(model.function_context(function), grad=model.lexical_grad(function, call))
    target = model.resolve_call(call, function)
    if target is not None:
        return model.flow.model_method(target, call, context)
    alternatives = model.flow.method_of_unresolved_model(call, context)
    if alternatives is not None:
        return alternatives  # `model.encode(x)` on a model built from a class chosen in branches
    subject = model.flow.model_called(call, function, context)
    return Event(Kind.MODEL_CALL, call.node, context, subject=subject, call=call) if subject is not None else None


def _passes_inside_training(model: LoopModel) -> Iterable[EvaluationPass]:
    """Validation inside a training iteration: model calls no backward follows, run every k steps
    (`if step % k == 0:`) or with the model switched to eval mode on purpose."""
    programs = [(step.loop.function, step.loop, model.iteration_program(step.loop)) for step in model.training_steps]
    programs += [(function, None, model.function_program(function)) for function in model.step_functions]
    epochs = {id(outer): outer for step in model.training_steps for outer in model.enclosing_loops(step.loop)}
    # (and loops over no data calling a project function that trains in loops of its own, in
    # another file, whose steps this file's model does not hold: `for subject in subjects: best,
    # acc = train_model(model, ...)`, then the test forward)
    steps = {id(step.loop) for step in model.training_steps}
    calling = {
        id(loop): loop for loop in model.loops
        if id(loop) not in epochs and id(loop) not in steps and _calls_training_function(model, loop)
    }
    epochs.update(calling)
    programs += [(outer.function, outer, model.iteration_program(outer)) for outer in epochs.values()]
    # loops that backward into something other than an optimizer's parameters (an adversarial
    # input, a manual update): a forward after the last backward only checks the result
    stepping = steps | set(epochs)
    manual = [
        loop for loop in model.loops
        if id(loop) not in stepping and not any(id(outer) in stepping for outer in model.enclosing_loops(loop))
        and Kind.BACKWARD in model.kinds_in(loop) and Kind.STEP not in model.kinds_in(loop)
    ]
    programs += [(loop.function, loop, model.iteration_program(loop)) for loop in manual]
    manual_ids = {id(loop) for loop in manual}
    for function, loop, program in programs:
        if not _may_evaluate(model, function):
            continue
        tails: set[Event] = set()
        consumed: set[Event] = set()

        def step(pending: frozenset[Event], event: Event) -> frozenset[Event]:
            if event.kind in _GRAPH_KINDS:
                consumed.update(pending)
                return frozenset()
            if event.kind is Kind.MODEL_CALL:
                return pending | {event}
            return pending

        # (a path that raises, `else: raise NotImplementedError(...)`, completes no iteration)
        ends, stopped = model.run_once(program, step, [frozenset()], ignore=frozenset({"raise"}))
        for pending in ends | stopped:
            tails |= pending
        if loop is not None and id(loop) in manual_ids:
            # an attack's forward whose loss some path differentiates is the attack's, also on the
            # path where its loop stops early (`if all fooled: break`) before the backward
            tails -= consumed
        # tails, and forwards on held-out data anywhere in the iteration (`t_p_val = model(t_u_val)`
        # computed before the training loss's backward, only to report the validation loss)
        ordered = [e for e in events_of(program) if e in tails or (e.kind is Kind.MODEL_CALL and _on_held_out_data(model, e))]
        beside: Event | None = None
        # (an epoch's or a repetition's loop holds the loops that train, each judged on its own: after
        # a pass found in one of them, the loop's own statements may still test the trained model,
        # `acc = net.accuracy(x_test, y_test)` once the epochs are over)
        # (the inner loops' calls are gathered once a pass is found: most iterations hold none)
        inner: set[int] | None = None
        found_inside = False
        for event in ordered:
            if beside is not None and event.context.grad != "on":
                continue
            where = id(event.context.chain[0].node if event.context.chain else event.node)
            if found_inside and inner is not None and where in inner:
                continue
            on_cadence = any(CADENCE.search(guard) for guard in event.context.guards)
            owner = model.at(event.context.function)
            if is_loss_module(event.subject) or _feeds_gradients(model, event, only_binding=True):
                continue  # (a forward whose output a backward uses on another path is the training one)
            if _computes_a_training_target(model, event):
                continue  # `a_ = self.target_actor(s_)`, detached into the critic's TD target
            if loop is not None and id(loop) in calling and (event.context.chain or not _after_training_call(model, loop, event)):
                continue  # (what the functions it calls run is judged in them, as when no loop called them)
            if loop is not None and _carried_into_next_backward(model, event, loop):
                continue  # `outputs = model(inputs)` at the end, `loss(outputs).backward()` at the top
            if loop is not None and _chooses_an_action(model, loop, event):
                continue  # `action = q_net(obs).argmax()`, then `env.step(action)`: acting while training
            epoch_level = loop is not None and id(loop) in epochs
            switched = _mode_before(owner, event.context.function, event.node, event.subject) or (
                event.subject is not None and _eval_set_by_constructor(owner, event.context.function, event.subject.name)
            )
            held_out = _on_held_out_data(model, event)
            if on_cadence or switched or (
                epoch_level and not event.context.chain and _single_call_intent(owner, event.context.function, event)
            ) or (epoch_level and _detached_where_called(model, loop, event)) or held_out or (
                loop is not None and not event.context.chain and _output_only_reported(owner, loop, event)
            ):
                # (`val_output = net(val_input)` after the step of a full-batch iteration: validation)
                found = _pass(model, function, loop, event)
                if found is not None:
                    yield found if beside is None else replace(found, beside=beside)
                    if event.context.grad == "off" and beside is None:
                        # (samples drawn after the `with torch.no_grad():` block beside them, `fake =
                        # G(fixed_z)` to save images: a pass of its own, with grad on)
                        beside = event
                        continue
                    if inner is None and loop is not None and id(loop) in epochs:
                        inner = _calls_in_inner_programs(model, loop, steps | set(epochs))
                    if inner is not None and where in inner:
                        found_inside = True
                        continue
                    if not _run_by_a_training_callee(model, event):
                        break
                    # (`best, acc = train_model(model, ...)` in a loop over subjects: after the
                    # helper's own validation, the iteration may test the model it returns)
                # (a smoke test is no pass: a later forward of the iteration may be one)


def _calls_in_inner_programs(model: LoopModel, loop: Loop, programs: set[int]) -> set[int]:
    """The ids of the call nodes inside the loops nested in `loop` (in its function) that are judged
    as programs of their own: the training steps and epoch loops it encloses."""
    nodes: set[int] = set()
    for other in model.loops:
        if other is loop or other.function is not loop.function or id(other) not in programs:
            continue
        if any(outer is loop for outer in model.enclosing_loops(other)):
            nodes.update(id(call.node) for simple in simples_of(other.body) for call in simple.calls)
    return nodes


def _calls_training_function(model: LoopModel, loop: Loop) -> bool:
    """Does the loop, over no data, call (in its own body, in no inner loop) a project function
    that trains in loops of its own?"""
    if DATA_ITERABLE.search(loop.iter_text) is not None:
        return False
    return any(_training_call_in(model, loop, statement) for statement in loop.body)


def _training_call_in(model: LoopModel, loop: Loop, statement: object) -> bool:
    """Does the statement of the loop's body call, in no inner loop, a project function that
    trains in loops of its own?"""
    for placed in walk([statement], "on"):
        if placed.loops:
            continue
        for call in placed.simple.calls:
            target = model.resolve_call(call, loop.function)
            if target is not None and target is not loop.function and _trains_in_loops(model, target):
                return True
    return False


def _after_training_call(model: LoopModel, loop: Loop, event: Event) -> bool:
    """Does the forward come, in the loop's body, after the statement calling the training
    function (`best, acc = train_model(...)`, then `preds = best(x_test)`)? A forward before it
    (an agent's action chosen to collect data) runs before training, not after."""
    anchor = model.anchor(event)
    trained = False
    for statement in loop.body:
        if any(c.node is anchor for simple in simples_of([statement]) for c in simple.calls):
            return trained
        if _training_call_in(model, loop, statement):
            trained = True
    return False


def _trains_in_loops(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the function train in loops of its own (over batches, epochs), as against running one
    training iteration each call?"""
    owner = model.at(function)
    return any(
        step.loop.function is function or any(outer.function is function for outer in owner.enclosing_loops(step.loop))
        for step in owner.training_steps
    )


def _run_by_a_training_callee(model: LoopModel, event: Event) -> bool:
    """Is the forward run inside a project function, called on the way to it, that trains in loops
    of its own (a `train_model(...)` called once per subject or fold)? Its validation is a pass of
    that function; the iteration calling it may hold one of its own. (A function that is one
    training iteration is that loop's iteration.)"""
    callees = [*event.context.callers[1:], event.context.function] if event.context.chain else []
    return any(_trains_in_loops(model, callee) for callee in callees)


_TAKEN_OUT = frozenset({"detach", "numpy", "tolist", "item"})


def _detached_where_called(model: LoopModel, loop: Loop | None, event: Event) -> bool:
    """A forward in a helper that the epoch loop calls and whose result it takes out of autograd
    at once (`samples.append(create_samples(G, fixed_z).detach().cpu().numpy())`): samples or
    metrics made once an epoch, whose graph is never used; or a forward of the loop's own whose
    output leaves its statement detached (`samples = G(z).data.numpy()[:16]`, to plot them)."""
    if loop is None:
        return False
    if not event.context.chain:
        return _detached_where_made(model, event)
    outer = event.context.chain[0]
    if not any(outer is c for s in simples_of(loop.body) for c in s.calls):
        return False
    statement = next(s for s in simples_of(loop.body) if any(outer is c for c in s.calls))
    for call in statement.calls:
        if call.method in _TAKEN_OUT:
            inner = call.inner
            while inner is not None and inner is not outer:
                inner = inner.inner
            if inner is outer:
                return True
    return False


def _carried_into_next_backward(model: LoopModel, event: Event, loop: Loop) -> bool:
    """Does the forward's output, computed late in an iteration, reach a backward of the next one
    (an adversarial attack that differentiates the model's output for its input's gradient)? The
    name it binds is read at the top of the loop before anything binds it again, and flows into
    a backward of the function."""
    function = event.context.function
    if loop.function is not function:
        return False
    owner = model.at(function)
    placed = owner.ordered_statements(function)
    at = next((p for p in placed if any(c.node is event.node for c in p.simple.calls)), None)
    if at is None or not at.simple.targets or loop not in at.loops:
        return False
    statement = at.simple
    loop = at.loops[-1]  # (the innermost loop around the forward carries it, not the epoch loop)
    feeding = feeding_backward(function, placed)
    names = (set(statement.targets) & feeding) - set(loop.targets)  # (the loop binds its targets anew)
    for name in names:
        for item in placed:
            if loop not in item.loops:
                continue
            simple = item.simple
            if simple is statement:
                break  # reached the forward itself: nothing before it in the iteration reads the name
            reads = name in simple.value_names or any(name in arg.names for c in simple.calls for arg in c.args)
            if reads:
                return True
            if name in simple.targets:
                break  # bound again before any read: the old value is dropped
    return False


def _on_held_out_data(model: LoopModel, event: Event) -> bool:
    """A forward whose arguments name held-out data (`net(val_input)`), run directly in the loop's
    code, or in a helper it calls when the name is the helper's own (`x_val = Variable(validate_x)`
    in `train(epoch)`), not a parameter that callers fill with whatever they evaluate or train on."""
    if event.call is None:
        return False
    owner = model.at(event.context.function)
    if not event.context.chain:
        return _names_held_out_data(owner, event.call)
    parameters = set(event.context.function.params)
    for arg in event.call.args:
        if not arg.names & parameters:
            if EVAL_DATA.search(owner.code(arg.node)):
                return True
            continue
        chosen = _chosen_past_parameter(arg.node, parameters)
        if chosen and EVAL_DATA.search(chosen):
            return True  # `dataset.X_test` of a parameter `dataset`: the helper picks the held-out part
    return False


def _chosen_past_parameter(node: cst.CSTNode, parameters: set[str]) -> str | None:
    """For an attribute or string-keyed subscript chain rooted at a parameter (`dataset.X_test`,
    `data["val"].x`), the names the function itself picks after the parameter (`X_test`); None for
    anything else (the parameter itself, whatever the caller passes in it)."""
    parts: list[str] = []
    while True:
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        elif (
            isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)
            and isinstance(node.slice[0].slice.value, cst.SimpleString)
        ):
            parts.append(node.slice[0].slice.value.value.strip("\"'"))
            node = node.value
        else:
            break
    if not parts or not isinstance(node, cst.Name) or node.value not in parameters:
        return None
    return ".".join(reversed(parts))


def _scores_held_out_in_eval_mode(model: LoopModel, function: FunctionInfo, event: Event) -> bool:
    """A script's forward on held-out data (`model(X_val)`) of a model it put in eval mode just
    before: written to score the model (`before_train = criterion(model(X_val), Y_val)`), not to
    see that the code runs."""
    return event.call is not None and _names_held_out_data(model, event.call) and _eval_set_before(model, function, event)


def _eval_set_before(model: LoopModel, function: FunctionInfo, event: Event) -> bool:
    """Is the model the call runs put in eval mode (by an `eval()` that surely covers it) before the
    call, in the function, with no train() since?"""
    state = None
    for each in model.function_events_flat(function):
        if each.node is event.node:
            return state is Kind.EVAL
        if each.kind in (Kind.EVAL, Kind.TRAIN, Kind.MODE_UNKNOWN) and covers(each.subject, event.subject, model):
            state = each.kind if _surely_covers(model, each.subject, event.subject) else Kind.MODE_UNKNOWN
    return False


def _names_held_out_data(model: LoopModel, call: CallSite) -> bool:
    """Does an argument of the call name held-out data (`net(val_input)`, `model(x_test)`)?"""
    return any(EVAL_DATA.search(model.code(arg.node)) for arg in call.args)


def _may_evaluate_in_loop(model: LoopModel, function: FunctionInfo, loop: Loop) -> bool:
    """A cheap first look, from the syntax alone, at what makes a loop an evaluation pass."""
    if EVAL_FUNCTION.search(function.name) or EVAL_DATA.search(loop.iter_text) or DATA_ITERABLE.search(loop.iter_text):
        return True
    if any(
        (call.method == "eval" and not call.args) or (call.method or "").startswith("load")
        for simple in function.simples for call in simple.calls
    ):
        # `model.eval()` before `for i in range(num_images):`, weights loaded before a play loop
        # (the intent is checked later)
        return True
    if any(step.loop.function is function and step.loop is not loop for step in model.training_steps):
        return True  # a loop beside the one that trains: test games after it (the intent is checked later)
    if function.name == "<module>" and any(_views(call) for simple in function.simples for call in simple.calls):
        return True  # samples a script makes and shows (whether of a trained model is checked later)
    if _steps_an_environment(model, function, loop):
        return True  # games played (whether after training is checked later)
    if function.params and any(
        call.dotted is not None and call.dotted.partition(".")[0] in function.params and call.dotted != "self"
        and not call.dotted.startswith("self.") for simple in simples_of(loop.body) for call in simple.calls
    ) and "backward" not in model.reaches(function):
        return True  # a model handed in and run (whether every caller loads its weights is checked later)
    if model.training_steps and any(
        call.dotted is not None and call.args and _from_held_out_data(function, call)
        for simple in simples_of(loop.body) for call in simple.calls
    ):
        return True  # `x_pred = torch.tensor(x_tst)`, then `for i in range(100): net.network.forward(x_pred)`
    return _shows_evaluation(model, function, simples_of(loop.body))


def _shows_evaluation(model: LoopModel, function: FunctionInfo, simples: Iterable[Simple]) -> bool:
    """Does any statement look like evaluation: metrics, predictions, pictures made of outputs,
    held-out data, a model put in eval mode or loaded, pictures made (here or in a project function
    it calls)?"""
    for simple in simples:
        for call in simple.calls:
            method = call.method or ""
            if (method in METRIC_METHODS and call.receiver is not None) or method in ("eval", "load_state_dict", "load"):
                return True
            if PREDICTION_METHODS.match(method) or _views(call) or _evaluating_method(model, function, call):
                return True
            if _METRIC_FUNCTIONS.search(method) or any(EVAL_DATA.search(name) for arg in call.args for name in arg.names):
                return True
            target = model.resolve_call(call, function, via_callers=False)
            if target is not None and target is not function and ("eval" in model.reaches(target) or _makes_pictures(model, target)):
                return True
    return False


def _makes_pictures(model: LoopModel, function: FunctionInfo, depth: int = 2) -> bool:
    """Does the project function turn tensors into pictures (`plotTensor(x)` calling `plt.imshow`),
    itself or through the project functions it calls (two calls deep)?"""
    owner = model.at(function)
    for simple in function.simples:
        for call in simple.calls:
            if _views(call):
                return True
            if depth > 0:
                target = owner.resolve_call(call, function, via_callers=False)
                if target is not None and target is not function and _makes_pictures(owner, target, depth - 1):
                    return True
    return False


def top_level_simples(function: FunctionInfo) -> Iterable[Simple]:
    return (placed.simple for placed in walk(function.body, "on") if not placed.loops)


def _smoke_test(model: LoopModel, function: FunctionInfo, event: Event, loop: Loop | None) -> bool:
    """A forward that checks the code rather than evaluating a model: one a constructor runs, not
    over data; one whose outputs serve only for their shape, to be printed or displayed or compared
    in an assertion (`y = net(torch.randn(1, 3, 32, 32)); print(y.shape)`); or, for a call not in a loop over data and with no metric computed,
    the model was built from its class, with no
    pretrained weights, and was neither trained nor loaded before the call, whether it is built
    in the function or by every caller before it calls (`encoder = Encoder(); test()`): its
    outputs mean nothing yet."""
    if function.name == "__init__" and function.cls is not None and not (
        loop is not None and DATA_ITERABLE.search(loop.iter_text) is not None
    ):
        # a constructor that runs the layers it built so far (on a dummy input, to size the next
        # ones: `x = middle_conv(x); ni = x.shape[1]`) builds the object, it evaluates nothing
        return True
    # (`model.evaluate()`: the method runs the model and keeps what it needs itself)
    kept_within = loop is None and event.call is not None and _evaluating_method(model, function, event.call)
    if loop is None and function.name != "<module>" and not kept_within and _output_dropped(model, function, event) and not _hooks_deliver(
        model, function, _statement_of(function, event), event
    ) and not _model_handed_on(function, None, event):
        return True  # `model(input)` once, alone, in a function: nothing kept
    # (one run for the forward hooks registered before it is judged below: counting FLOPs on a
    # fresh model checks the code; features kept from a trained or loaded model are its outputs)
    binding = event.subject.binding if event.subject is not None else None
    if binding is None:
        return False
    if function.name == "<module>" and event.subject is not None:
        # a script's names are bound again and again (`model = nn.Linear(1, 1)` in cell 5 and cell
        # 15): the assignment in force is the last one above the call (for `decoder.embedding`,
        # the decoder's)
        binding = model.nearest_binding(event.subject.name.split(".", 1)[0], function, model.anchor(event)) or binding
    binding = _original_of_alias(model, binding)
    # (a loop over data on a model not yet trained is still an evaluation: a baseline before training)
    over_data = loop is not None and DATA_ITERABLE.search(loop.iter_text) is not None
    # predictions scored against labels measure even random weights (a baseline): no smoke test
    scored = _computes_metrics(model, list(simples_of(loop.body)) if loop is not None else _uses_of_output(function, event))
    # (in a loop that trains the model, every iteration after the first runs trained weights; so
    # does a pass in a function that trains it: a validation loop beside the epoch's training loop)
    training = loop is not None and any(step.loop is loop or step.loop.function is function for step in model.training_steps)
    # (one forward of an untrained model in a script's or notebook's cells, even scored, shows
    # what it does before training; a loop over data scoring it is a baseline, and so is a
    # function written to score it)
    # (and so is one the script put in eval mode to run on held-out data: `model.eval()`, then
    # `before = criterion(model(X_val), Y_val)`)
    baseline = (scored and (loop is not None or function.name != "<module>")) or (
        loop is None and function.name == "<module>" and _scores_held_out_in_eval_mode(model, function, event)
    )
    fresh = not over_data and not baseline and not training and binding.call is not None and _fresh(model, binding)
    inner = event.context.function
    if fresh and inner is not function and binding.function is inner and _untouched_between(
        model.at(inner), inner, binding, binding.name, {id(event.node)}
    ):
        return True  # built afresh by the helper that runs it, at each call (`net = Coupling(c); net(h)`)
    if loop is None and _shown_on_made_up_input(model, function, event):
        # (the values any model gives on random input measure nothing: `output =
        # model(torch.randn(*shape))`, then `log(f"Min: {output.min().item():.4f}")` shows that the
        # code runs, and what it gives)
        return True
    if binding.function is not function:
        edges = model.callers(function)
        return fresh and bool(edges) and all(
            edge.caller is binding.function
            and _untouched_between(model.at(edge.caller), edge.caller, binding, binding.name, {id(edge.call.node)})
            for edge in edges
        )
    anchors = {id(event.node)} | {id(call.node) for call in event.context.chain}
    subject_name = event.subject.name if event.subject else None
    if subject_name and "." in subject_name and binding.name == subject_name.split(".", 1)[0]:
        # a part of a model (`decoder_tuto.embedding(sos)`, `tts_model.encoder`): what touches the
        # whole model (`tts_model.load(path)`) touches it
        subject_name = binding.name
    if fresh and _untouched_between(model, function, binding, subject_name, anchors):
        return True
    statement = _statement_of(function, event)
    if statement is None or event.call is None:
        return False
    if function.name == "<module>" and _trained_before(model, function, event):
        return False  # the outputs of a model the script has trained are shown for what they are
    hooked = _hooks_deliver(model, function, statement, event)
    if not kept_within and _output_dropped(model, function, event) and not hooked and not _model_handed_on(function, loop, event):
        # (`_ = model(blocks, feats)` over a loader, then `calc_attn(mp, model, blocks)` reading what
        # the forward left in the model: its outputs are taken from the model, not dropped)
        return True  # `model(x)` alone: a notebook shows it, a script drops it
    if isinstance(statement.node, cst.Assert):
        return True  # `assert (model(x) == traced(x)).all()`: the output checks the code
    if not statement.targets and _inspects_only(statement.node, set(), False, event.call.node):
        return True  # `print(model(torch.randn(2, 3, 448, 448)).shape)`: only its shape is looked at
    if statement.value is not event.call.node or not statement.targets:
        return False  # the output feeds an expression (a metric, a loss)
    if loop is None and not hooked and not _uses_of_output(function, event)[1:] and not _iterated_or_tested(function, set(statement.targets)):
        return True  # `prob = resnet(aligned)` read by nothing after it: run to see that it runs
    if scored and over_data:
        return False  # `if torch.equal(pred.argmax(2), y): right += 1` over a loader: accuracy, no check of the code
    if _prints_its_value(function, statement) and _loaded_before(model, function, event) and not _on_made_up_input(model, function, event.call):
        return False  # `output = model(img1, img2); print(output)` of weights just loaded: a prediction shown
    return _only_inspected(function, statement)


def _original_of_alias(model: LoopModel, binding: Binding) -> Binding:
    """`model_eval = model` (or `model.module`) in the training loop: another name of a model built,
    and perhaps trained, before it; whether it was is asked of the model's own construction. So is
    a wrapper of a model built before it (`model = nn.DataParallel(model).cuda()` after
    `model.load_state_dict(...)`): it runs the layers, and the weights, of what it wraps."""
    owner = model.at(binding.function)
    for _ in range(3):
        named = binding.alias if binding.alias is not None else binding.wraps
        if named is None or "." in named and not named.endswith(".module"):
            break
        name = named[: -len(".module")] if named.endswith(".module") else named
        original = owner.nearest_binding(name, binding.function, binding.statement.node)
        if original is None or original is binding or original.call is None:
            break
        binding = original
    return binding


def _iterated_or_tested(function: FunctionInfo, names: set[str]) -> bool:
    """Does a loop of the function iterate over one of the names (`for feature_map in out_put:`), or
    a branch test read one? (Statements' reads are the function's simples; these are not.)"""
    for stmt in all_statements(function.body):
        if isinstance(stmt, (Loop, Branch)):
            # (`for x in out:` / `while out...:` / `if out...:` / `match out:`)
            header = next((getattr(stmt.node, part) for part in ("iter", "test", "subject") if hasattr(stmt.node, part)), None)
            if isinstance(header, cst.CSTNode) and _reads(header, names):
                return True
    return False


def _hooks_deliver(model: LoopModel, function: FunctionInfo, statement: Simple | None, event: Event) -> bool:
    """Was a forward hook registered earlier in the function (`model.classifier[-3].
    register_forward_hook(keep)`), itself or by a project function it called (`activations,
    handles = register_activation_hooks(model, layers)`), and is the forward given data, not a
    tensor made up from a shape? A trained or loaded model's forward whose output is dropped then
    delivers what the hooks keep (features read after it): it is run for them. One of
    `torch.rand(size)` counts FLOPs or inspects the layers."""
    if statement is None or event.call is None or any(_makes_up_tensor(arg.node) for arg in event.call.args):
        return False
    for simple in function.simples:
        if simple is statement:
            return False
        if any(call.method in _HOOK_REGISTRATIONS or _registers_hooks(model, function, call, 2) for call in simple.calls):
            return True
    return False


_HOOK_REGISTRATIONS = frozenset({"register_forward_hook", "register_forward_pre_hook"})


def _registers_hooks(model: LoopModel, function: FunctionInfo, call: CallSite, depth: int) -> bool:
    """Does the project function the call runs register a forward hook, itself or through the
    project functions it calls (a few calls deep)?"""
    if depth <= 0 or call.dotted is None:
        return False
    target = model.resolve_call(call, function)
    if target is None or target is function:
        return False
    owner = model.at(target)
    return any(
        inner.method in _HOOK_REGISTRATIONS or _registers_hooks(owner, target, inner, depth - 1)
        for simple in target.simples for inner in simple.calls
    )


def _output_dropped(model: LoopModel, function: FunctionInfo, event: Event) -> bool:
    """`model(x)` as a statement of its own, or bound to the throwaway name (`_ = model(x)`): its
    output is not kept. Not a call of a model's method that writes what it computes out itself
    (`model.vis_denoising_process(n, save_path)`, whose body ends in `imageio.mimsave(save_path,
    frames)`)."""
    statement = _statement_of(function, event)
    if statement is None or event.call is None:
        return False
    if _method_writes_out(model, function, event.call):
        return False
    if isinstance(statement.node, cst.Assign) and statement.node.value is event.call.node:
        return all(isinstance(t.target, cst.Name) and t.target.value == "_" for t in statement.node.targets)
    return isinstance(statement.node, cst.Expr) and statement.node.value is event.call.node


_WRITERS = frozenset({"save", "mimsave", "mimwrite", "imwrite", "imsave", "savefig", "save_image", "savez", "to_csv", "dump", "write"})
"""Calls that write results out (a file, a figure): what a method computes and writes is kept."""


def _method_writes_out(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """Is the call one of a project method other than a forward whose own body writes results
    out (`imageio.mimsave(save_path, frames)`, `torch.save(samples, path)`, `save_image(...)`)?"""
    if call.method in (None, "forward", "__call__"):
        return False
    target = model.resolve_call(call, function, via_callers=False)
    if target is None or target is function or target.cls is None:
        return False
    return any(
        _views(inner) or (inner.method or (inner.dotted or "").rsplit(".", 1)[-1]) in _WRITERS
        for simple in target.simples for inner in simple.calls
    )


def _starts_before(model: LoopModel, first: cst.CSTNode, second: cst.CSTNode) -> bool:
    """Does `first` start before `second` in the file's source order (in an earlier statement)?"""
    places = model.places([first, second])
    return places is not None and places[0][0] < places[1][0]


def _trained_before(model: LoopModel, function: FunctionInfo, event: Event) -> bool:
    """At a script's top level, has the model of the forward been trained by a statement before it:
    a training loop of the script over it, or a call of a project function that trains and is
    given the model (`training_loop(model=seq_model, ...)`, or `train(**params)` with the model a
    value of `params = {"model": model, ...}`)?"""
    subject = event.subject
    if subject is None:
        return False
    name = subject.name.split(".", 1)[0]
    steps = {id(step.loop): step for step in model.training_steps if step.loop.function is function}
    anchor = model.anchor(event)
    current = model.nearest_binding(name, function, anchor)
    started = current is None  # (only what runs after the assignment in force trains this model)
    holders: set[str] = set()
    for statement in function.body:
        simples = list(simples_of([statement]))
        if any(call.node is anchor for simple in simples for call in simple.calls):
            return False
        bound_here = None
        if not started:
            started = any(simple is current.statement for simple in simples)  # type: ignore[union-attr]
            if not started:
                continue
            # (the statement that binds it may train it after the binding: `for rep in range(k): net
            # = Net(); for epoch in ...: ...`, then the script's final test of the last `net`)
            bound_here = current.statement.node  # type: ignore[union-attr]
        for loop in _loops_within(statement):
            step = steps.get(id(loop))
            if bound_here is not None and not _starts_before(model, bound_here, loop.node):
                continue
            if step is not None and any(call.dotted.split(".", 1)[0] == name for simple in simples_of(loop.body) for call in simple.calls if call.dotted):
                return True
        if bound_here is not None:
            continue
        for simple in simples:
            if simple.targets and isinstance(simple.value, cst.Dict) and any(
                isinstance(e, cst.DictElement) and isinstance(e.value, cst.Name) and e.value.value == name for e in simple.value.elements
            ):
                holders.update(simple.targets)  # `params = {"model": model, ...}`, handed on as `**params`
            for call in simple.calls:
                if not any(arg.dotted == name or (arg.dotted in holders and _unpacked(call, arg)) for arg in call.args):
                    continue
                target = model.resolve_call(call, function, via_callers=False)
                if target is not None and {"backward", "step"} <= model.reaches(target):
                    return True
                constructs = (target is not None and target.name == "__init__") or isinstance(model.definition(call.dotted, function), ClassInfo)
                if len(simple.targets) == 1 and call.node is simple.value and constructs:
                    holders.add(simple.targets[0])  # `learn = Learner(model, dls, ...)`: it holds the model
        for simple in simples:
            for call in simple.calls:
                if call.receiver in holders and training_callee(model, function, call) is not None:
                    return True  # `learn.fit(1)` of the object given the model
    return False


def _unpacked(call: CallSite, arg: ArgInfo) -> bool:
    """Is the argument handed over unpacked (`f(**params)`)?"""
    return any(a.value is arg.node and a.star == "**" for a in call.node.args)


def _uses_of_output(function: FunctionInfo, event: Event) -> list[Simple]:
    """The statement of a single forward and the later ones that read what it binds."""
    statement = _statement_of(function, event)
    if statement is None:
        return []
    outputs = set(statement.targets)
    later = [s for s in function.simples if s is not statement and outputs and _reads(s.node, outputs)]
    return [statement, *later]


def _with_pretrained_weights(model: LoopModel, function: FunctionInfo, event: Event) -> bool:
    """Is the model the call runs one built with pretrained weights (`vgg16(weights="DEFAULT")`,
    `resnet50(pretrained=True)`), as bound where the call is, or loaded from a checkpoint before it?"""
    if event.subject is None or event.subject.binding is None:
        return False
    binding = model.nearest_binding(event.subject.name.split(".", 1)[0], function, model.anchor(event)) or event.subject.binding
    return (binding.call is not None and _pretrained(_built_by(binding.call))) or _loaded_before(model, function, event)


def _runs_a_pretrained_model_it_builds(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the function build a model with pretrained weights (`vgg16(pretrained=True)`,
    `resnet50(weights="DEFAULT")`) and run it on data (`model(img)`, features taken by a hook; not
    `model(torch.randn(1, 3, 224, 224))`, which probes the code)? A trained model brought in to be
    used, as one loaded from a checkpoint is."""
    owner = model.at(function)
    built: set[str] = set()
    for simple in function.simples:
        for target in simple.targets:
            for binding in owner.roles.bindings_of(target, function):
                made = _built_by(binding.call) if binding.statement is simple and binding.role == MODEL and binding.call is not None else None
                if made is not None and any(arg.keyword is not None for arg in made.args) and _pretrained(made):
                    built.add(target)
    return bool(built) and any(
        call.dotted in built and not _on_made_up_input(model, function, call) for simple in function.simples for call in simple.calls
    )


def _fresh(model: LoopModel, binding: Binding, depth: int = 2) -> bool:
    """Built from its class with random weights: a project class or a library layer, no pretrained
    weights asked for, none loaded by the class's constructor; or what a project factory returns
    when it builds such a module afresh at each call (`def create_model(): return nn.Sequential(...)`)."""
    built = _built_by(binding.call)
    owner = model.at(binding.function)
    made_by = training_callee(owner, binding.function, built)
    if made_by is not None and made_by.name != "__init__":
        return False  # `net = train(net, data)`: what a helper that trains hands back is trained
    if binding.cls is None and not (binding.qualified or "").startswith(_UNTRAINED_LIBRARY_MODELS):
        # (a class defined out of sight, in a notebook's lost cell, builds afresh; a factory we
        # cannot see may load weights)
        if not owner.unbound(built.dotted, binding.function) and not _factory_builds_fresh(owner, binding.function, built, depth):
            return False
    return not (_pretrained(built) or (binding.cls is not None and _builds_pretrained(model, binding.cls)))


def _factory_builds_fresh(
    model: LoopModel, function: FunctionInfo, call: CallSite, depth: int, constants: tuple[tuple[str, object], ...] = ()
) -> bool:
    """Is the call a project function (not a class) that loads no weights and returns only modules
    it builds afresh from library layers or project classes (`model = nn.Sequential(...); return
    model`, or `return Net()`)?"""
    target = model.resolve_call(call, function) if depth > 0 else None
    if target is None or target.cls is not None or target.name == "<module>":
        return False
    inside = model.at(target)
    passed = arguments_known(target, call, constants, caller=function)
    if _loads_a_state_dict(inside, target, 1, passed):
        return False
    returns = [simple for simple in target.simples if simple.jump == "return"]
    if not returns:
        return False
    for simple in returns:
        returned = _returned_call(simple)
        if returned is not None:
            role, cls, qualified = inside.constructed(returned, target)
            if role != MODEL or not (cls is not None or (qualified or "").startswith(_UNTRAINED_LIBRARY_MODELS)):
                # `return _resnet("resnet101", Bottleneck, ..., pretrained, ...)`: a factory handing
                # on to another, which builds afresh for the values handed on
                if _factory_builds_fresh(inside, target, returned, depth - 1, passed):
                    continue
                return False
            if _pretrained(returned):
                return False
            continue
        names = simple.returned_names
        if len(names) != 1:
            return False
        bound = inside.roles.lookup(next(iter(names)), target)
        if bound is None or bound.call is None or bound.role != MODEL or not _fresh(inside, bound, depth - 1):
            return False
    return True


def _returned_call(simple: Simple) -> CallSite | None:
    """The call a statement binds or returns as its whole value (`model = Net()`, `return Net()`)."""
    if simple.value_call is not None and simple.value is simple.value_call.node:
        return simple.value_call
    if isinstance(simple.node, cst.Return) and isinstance(simple.node.value, cst.Call):
        return next((call for call in simple.calls if call.node is simple.node.value), None)
    return None


_UNTRAINED_LIBRARY_MODELS = ("torch.nn.", "torchvision.models.")
"""Library constructors whose models start from random weights (unless asked for pretrained ones)."""
_HARMLESS_USES = frozenset(
    {"print", "len", "type", "str", "repr", "id", "isinstance", "display", "sum", "list", "count_parameters"}
)
_HARMLESS_METHODS = frozenset(
    {"to", "cuda", "cpu", "eval", "train", "parameters", "named_parameters", "modules", "children", "named_modules",
     "apply", "double", "float", "half", "zero_grad", "state_dict", "requires_grad_", "add_module", "size", "numel"}
)


_PARALLEL_WRAPPERS = frozenset({"DataParallel", "DistributedDataParallel", "DDP"})


def _wrapped_by_parallel(model: LoopModel, binding: Binding) -> bool | None:
    """`nn.DataParallel(Net())`, `DDP(net)`: the layers of the module it wraps; None when it is
    no such wrapper or what it wraps cannot be told."""
    inner = _parallel_inner(model, binding)
    if inner is None:
        return None
    if isinstance(inner, tuple):
        name, bound = inner
        return may_hold_mode_layers(model.at(binding.function), Subject(key=bound, name=name, role=MODEL, binding=bound, function=binding.function))
    return class_has_mode_layers(model.at_class(inner), inner)


def _parallel_inner(model: LoopModel, binding: Binding) -> tuple[str, Binding] | ClassInfo | None:
    """What `nn.DataParallel(Net())` or `DDP(net)` wraps: the name and binding of the module handed
    to it, or the project class built in its call; None when it is no such wrapper or what it
    wraps cannot be told."""
    call = _built_by(binding.call) if binding.call is not None else None
    if call is None or (binding.qualified or call.dotted or "").rsplit(".", 1)[-1] not in _PARALLEL_WRAPPERS or not call.args:
        return None
    owner = model.at(binding.function)
    first = call.args[0]
    if first.dotted is not None:
        inner = owner.binding(first.dotted, binding.function)
        if inner is binding:
            # `self.model = DDP(self.model)`: the module is what the name held before the wrapping
            cls = binding.function.cls
            earlier = (
                owner.roles.attributes.get(id(cls), {}).get(first.dotted, [])
                if cls is not None and first.dotted.startswith("self.")
                else owner.roles.bindings_of(first.dotted, binding.function)
            )
            index = next((i for i, b in enumerate(earlier) if b is binding), 0)
            inner = earlier[index - 1] if index > 0 else None
            if inner is not None and inner.alias is not None:
                inner = owner.binding(inner.alias, inner.function) or inner  # `self.model = model.to(rank)`
        if inner is None or inner is binding:
            return None
        return first.dotted, inner
    made = next((c for c in binding.statement.calls if c.node is first.node), None)
    _, cls, _ = owner.constructed(made, binding.function) if made is not None else (None, None, None)
    return cls


def given_modules(model: LoopModel, binding: Binding) -> list[tuple[str, Binding]]:
    """The modules a constructor call is given (`GreedySearchDecoder(encoder, decoder)`): each
    argument name with its binding, for the arguments bound to a model."""
    call = _built_by(binding.call) if binding.call is not None else None
    if call is None:
        return []
    owner = model.at(binding.function)
    found = []
    for arg in call.args:
        if arg.dotted is None:
            continue
        given = owner.binding(arg.dotted, binding.function)
        if given is not None and given is not binding and (given.role == MODEL or (given.cls is not None and owner.is_module_class(given.cls))):
            found.append((arg.dotted, given))
    return found


def _given_mode_layers(model: LoopModel, binding: Binding) -> bool:
    """`BERTLM(bert, vocab_size)`: a module built around modules it is given holds their layers;
    true when a project module passed to the constructor holds dropout or batch norm and nothing
    in the file switches that module's own mode (`encoder.eval()` before running a search wrapper
    over it is judged by that name, not guessed here)."""
    layered = [
        name for name, given in given_modules(model, binding)
        if given.cls is not None and given.cls is not binding.cls and class_has_mode_layers(model.at_class(given.cls), given.cls)
    ]
    owner = model.at(binding.function)
    if _built_inline_with_mode_layers(owner, binding):
        return True  # `DDPM(model=UNet())`: a part built in the call, which no name can switch
    if not layered:
        return False
    switched = {c.receiver for f in owner.ir.functions for s in f.simples for c in s.calls if c.method in ("eval", "train")}
    return any(name not in switched for name in layered)


def _built_inline_with_mode_layers(owner: LoopModel, binding: Binding) -> bool:
    """Is a module of a project class holding dropout or batch norm built as an argument of the
    constructor call itself (`model = DDPM(model=UNet())`)?"""
    call = _built_by(binding.call) if binding.call is not None else None
    if call is None:
        return False
    arguments = {id(arg.node) for arg in call.args}
    for inner in binding.statement.calls:
        if id(inner.node) not in arguments:
            continue
        _role, cls, _qualified = owner.constructed(inner, binding.function)
        if cls is not None and cls is not binding.cls and owner.is_module_class(cls) and class_has_mode_layers(owner.at_class(cls), cls):
            return True
    return False


def _out_of_sight(model: LoopModel, name: str, function: FunctionInfo, depth: int) -> bool:
    """Does a name with no binding trace to something no project code binds: a free or imported
    name, or `self.x` of a class with a library base that may set it?"""
    owner = model.at(function)
    head, dot, rest = name.partition(".")
    if head == "self" and function.cls is not None:
        return any(
            not isinstance(base, ClassInfo) and not _mode_free_base(base)
            for cls in owner.class_chain(function.cls) for base in owner.base_classes(cls)
        )
    if head in function.params:
        if depth <= 0:
            return False
        index = function.argument_index(head)
        for edge in owner.callers(function):
            arg = edge.call.arg(index, head) if index >= 0 else None
            if arg is not None and arg.dotted is not None and _out_of_sight(model, arg.dotted + dot + rest, edge.caller, depth - 1):
                return True
        return False
    if owner.roles.lookup(head, function) is not None:
        return False  # bound here, to something whose attribute is not known
    if owner.unbound(head, function):
        return False  # `net = # COMPLETE HERE` in a notebook cell that does not parse: bound out of sight
    return True


def candidate_classes(model: LoopModel, binding: Binding | None, view: ClassInfo | None = None, depth: int = 3) -> list[ClassInfo]:
    """The project classes a model binding may hold: its class, the several classes it is known to
    be one of, or those a registry or factory behind it builds; empty when none can be told."""
    if binding is None or depth <= 0:
        return []
    if binding.cls is not None:
        return [binding.cls]
    if binding.classes:
        return list(binding.classes)
    inner = _parallel_inner(model, binding)
    if isinstance(inner, tuple):
        return candidate_classes(model.at(binding.function), inner[1], view, depth - 1)
    if inner is not None:
        return [inner]  # `nn.DataParallel(Net())`: what it wraps runs
    return _classes_behind(model, binding, 3, view) or []


def _classes_behind(model: LoopModel, binding: Binding, depth: int, view: ClassInfo | None = None) -> list[ClassInfo] | None:
    """The project classes a binding may hold when it is built by a registry lookup
    (`model_dict[args.model](args)`, a dict display of project classes) or returned by a project
    factory that builds it so (`self.model = self._build_model().to(device)`); None when unknown."""
    if binding.call is None or depth <= 0:
        return None
    owner = model.at(binding.function)
    call = _built_by(binding.call)
    registry = owner.registry_classes(call, binding.function)
    if registry is not None:
        return registry
    factory = owner.resolve_call(call, binding.function)
    if factory is None:
        handed = _classes_handed_as_factory(owner, call, binding.function, depth)
        if handed is not None:
            return handed
    if factory is not None and factory.cls is not None and view is not None and call.receiver == "self":
        # `self._build_model()` in a base class's __init__: the subclass the pass runs in overrides it
        factory = model.at_class(view).method_of(view, factory.name) or factory
    if factory is None or factory.cls is not None and factory.name == "__init__":
        return None
    maker = model.at(factory)
    found: list[ClassInfo] = []
    for simple in factory.simples:
        if simple.jump != "return" or simple.value is None:
            continue
        if isinstance(simple.value, cst.Name):
            bound = maker.binding(simple.value.value, factory)
            classes = None
            if bound is not None:
                classes = [bound.cls] if bound.cls is not None else _classes_behind(maker, bound, depth - 1)
            if not classes:
                # `m = copy.deepcopy(base); ...; return m`: a copy of what the caller passed
                made = next(
                    (s.value_call for s in factory.simples if s.targets == (simple.value.value,) and s.value_call is not None),
                    None,
                )
                classes = _classes_passed_back(model, binding, call, factory, made) if made is not None else None
        else:
            made = next((c for c in simple.calls if c.node is simple.value), None)
            classes = maker.registry_classes(_built_by(made), factory) if made is not None else None
        if not classes:
            return None
        found.extend(classes)
    return found or None


def _classes_handed_as_factory(model: LoopModel, call: CallSite, function: FunctionInfo, depth: int) -> list[ClassInfo] | None:
    """`self.online_model = self.value_model_fn(nS, nA)` (or `model_fn(nS, nA)` of a parameter),
    where every caller hands over, for that parameter (kept as `self.value_model_fn =
    value_model_fn`), a project class or a lambda that builds one (`lambda nS, nA: FCQ(nS, nA)`,
    also through a name bound to it): those classes. A class held in a name or an attribute the
    code assigns itself (`self._net_cls = CNNQNetwork` in one arm, `MLPQNetwork` in the other, or a
    local `net_cls` so chosen and passed on) is as good: every assignment is read. None when any of
    them cannot be told."""
    name = call.dotted
    if name is None or call.inner is not None:
        return None
    if name.startswith("self.") and name.count(".") == 1 and function.cls is not None:
        found: list[ClassInfo] = []
        assigned = False
        for cls in model.class_chain(function.cls):
            for method in cls.methods.values():
                for simple in method.assignments:
                    if simple.targets != (name,) or simple.augmented or simple.value is None:
                        continue  # (a bare annotation, `self._net_cls: type[nn.Module]`, assigns nothing)
                    assigned = True
                    classes = _classes_a_value_names(model.at(method), method, simple.value, depth)
                    if classes is None:
                        return None
                    _add_new(found, classes)
        return found if assigned and found else None
    return _classes_a_name_holds(model, function, name, depth)


def _classes_a_name_holds(model: LoopModel, function: FunctionInfo, name: str, depth: int) -> list[ClassInfo] | None:
    """The project classes a plain name may hold where `function` calls it: for a parameter, what
    every caller passes for it; for a name the function assigns (in one arm or several), what each
    assignment gives it; else the class or lambda the name is bound to in its file."""
    if depth <= 0 or "." in name:
        return None
    found: list[ClassInfo] = []
    if name in function.params:
        index = function.argument_index(name)
        owner = model.at(function)
        edges = owner.callers(function)
        if index < 0 or not edges:
            return None
        for edge in edges:
            arg = edge.call.arg(index, name)
            built = _classes_a_value_names(model.at(edge.caller), edge.caller, arg.node if arg is not None else None, depth - 1)
            if built is None:
                return None
            _add_new(found, built)
        return found or None
    assigned = [
        simple for simple in function.assignments
        if simple.targets == (name,) and not simple.augmented and simple.value is not None
    ]
    if function.name == "<module>" or not assigned:
        return _class_a_factory_builds(model, function, cst.Name(name))
    for simple in assigned:
        classes = _classes_a_value_names(model, function, simple.value, depth - 1)
        if classes is None:
            return None
        _add_new(found, classes)
    return found or None


def _add_new(found: list[ClassInfo], classes: list[ClassInfo]) -> None:
    """Add the classes not in `found` yet (by identity), in order."""
    found.extend(cls for cls in classes if all(cls is not known for known in found))


def _classes_a_value_names(model: LoopModel, function: FunctionInfo, node: cst.CSTNode | None, depth: int) -> list[ClassInfo] | None:
    """The project classes a value handed over as a factory builds (see `_class_a_factory_builds`),
    following a plain name to what it holds in `function`."""
    if isinstance(node, cst.Name) and depth > 0 and function.name != "<module>":
        return _classes_a_name_holds(model, function, node.value, depth)
    return _class_a_factory_builds(model, function, node)


def _class_a_factory_builds(model: LoopModel, function: FunctionInfo, node: cst.CSTNode | None) -> list[ClassInfo] | None:
    """The project class a value handed over as a factory builds: the class itself, a lambda whose
    body constructs one, or a name bound to such a lambda."""
    if isinstance(node, cst.Name):
        bound = model.binding(node.value, function)
        if bound is not None and isinstance(bound.statement.value, cst.Lambda):
            node = bound.statement.value
        else:
            found = model.definition(node.value, function)
            return [found] if isinstance(found, ClassInfo) else None
    if isinstance(node, cst.Lambda) and isinstance(node.body, cst.Call):
        found = model.definition(dotted_name(node.body.func), function)
        return [found] if isinstance(found, ClassInfo) else None
    return None


def _copies_unresolved_argument(model: LoopModel, binding: Binding) -> bool:
    """Is the binding made by a project function that returns a copy (or a move) of an argument,
    and is that argument bound where we can see to no construction (an element taken from a
    list)? What it holds cannot be established."""
    if binding.call is None:
        return False
    owner = model.at(binding.function)
    call = _built_by(binding.call)
    factory = owner.resolve_call(call, binding.function)
    if factory is None:
        return False
    for simple in factory.simples:
        if simple.jump != "return" or not isinstance(simple.value, cst.Name):
            continue
        made = next(
            (s.value_call for s in factory.simples if s.targets == (simple.value.value,) and s.value_call is not None), None
        )
        passed = _argument_copied(model, binding, call, factory, made, moves=False) if made is not None else None
        if passed is not None and passed.cls is None and passed.call is None and passed.alias is None:
            return True
    return False


def _classes_passed_back(
    model: LoopModel, binding: Binding, call: CallSite, factory: FunctionInfo, made: CallSite
) -> list[ClassInfo] | None:
    """The class of the argument a factory copies or moves and returns (`copy.deepcopy(base)`,
    `base.to(device)`), read where the factory is called."""
    passed = _argument_copied(model, binding, call, factory, made, moves=True)
    return [passed.cls] if passed is not None and passed.cls is not None else None


def _argument_copied(
    model: LoopModel, binding: Binding, call: CallSite, factory: FunctionInfo, made: CallSite, moves: bool
) -> Binding | None:
    """Where the factory is called, the binding of the argument it copies (`copy.deepcopy(base)`)
    or, with `moves`, moves (`base.to(device)`) and returns."""
    inner = _built_by(made)
    if inner.method in ("deepcopy", "copy") and inner.args:
        source = inner.args[0].dotted
    elif moves and (inner is not made or made.method in RETURNS_SELF):
        source = inner.receiver
    else:
        return None
    if source is None or source not in factory.params:
        return None
    index = factory.argument_index(source)
    arg = call.arg(index, source) if index >= 0 else None
    if arg is None or arg.dotted is None:
        return None
    return model.at(binding.function).binding(arg.dotted, binding.function)


def _built_by(call: CallSite) -> CallSite:
    """The constructor under `.to(device)`, `.cuda()`, `.eval()`: `Net()` in `Net().to(device)`."""
    while call.inner is not None and call.method in RETURNS_SELF:
        call = call.inner
    return call


def _picked_container(call: CallSite) -> str | None:
    """`models` of `models["encoder"].to(device)`, `nets[i].cuda()`: the name of the container an
    element is picked from, when a method of `RETURNS_SELF` is called on it (no construction)."""
    func = call.node.func
    if call.inner is not None or call.method not in RETURNS_SELF or not isinstance(func, cst.Attribute):
        return None
    return dotted_name(func.value.value) if isinstance(func.value, cst.Subscript) else None


def _pretrained(call: CallSite) -> bool:
    """`vgg16(pretrained=True)`, `resnet50(weights=...)`, `Model.from_pretrained(...)`, `torch.load(...)`."""
    for arg in call.args:
        if arg.keyword is not None and re.search(r"(?i)pretrain|weights|checkpoint|ckpt", arg.keyword):
            if isinstance(arg.node, cst.Name) and arg.node.value in ("False", "None"):
                continue
            if isinstance(arg.node, cst.Name) and arg.node.value == "True" and "checkpoint" in arg.keyword.lower() and not re.search(
                r"(?i)pretrain|weights", arg.keyword
            ):
                continue  # `use_gradient_checkpoint=True`, `use_checkpoint=True`: recompute activations to save memory; weights come as a path
            return True
    return bool(re.search(r"(?i)load|pretrain|checkpoint|restore", call.dotted or call.method or ""))


def _builds_pretrained(model: LoopModel, cls: ClassInfo) -> bool:
    """Does the class's constructor (or a base's) load weights: a pretrained backbone, a checkpoint?"""
    for candidate in model.class_chain(cls):
        init = candidate.methods.get("__init__")
        if init is None:
            continue
        for simple in init.simples:
            for call in simple.calls:
                if call.method in ("load_state_dict", "load") or _pretrained(call):
                    return True
    return False


def _untouched_between(
    model: LoopModel, function: FunctionInfo, binding: Binding, name: str | None, anchors: set[int]
) -> bool:
    """Between the model's construction and the call (`anchors`: the call's node, or a call
    that leads to it), in the order the statements run, is the model neither trained (a training
    loop, a call that backwards or steps, a library call given the model) nor loaded?"""
    steps = {id(step.loop) for step in model.training_steps if step.loop.function is function}
    started = False
    for placed in walk(function.body, "on"):
        simple = placed.simple
        if not started:
            started = simple is binding.statement
            continue
        if any(id(call.node) in anchors for call in simple.calls):
            # (a notebook cell left out in between, no valid Python, may have trained it)
            return not model.left_out_between(binding.statement.node, simple.node)
        if any(id(loop) in steps for loop in placed.loops):
            return False
        for call in simple.calls:
            target = model.resolve_call(call, function, via_callers=False)
            if target is not None and target is not function and model.reaches(target) & {"backward", "step"}:
                return False
            if call.method in ("backward", "step", "load_state_dict"):
                return False
            if name is not None and _part_of(call.receiver or "", name) and _loads_state(model, function, call):
                return False  # `tts_model.load(path)`, `segan.G.load_pretrained(path)`: a project method that loads weights
            if name is not None and target is not None and any(name in arg.names for arg in call.args) and _loads_into_parameter(model, target):
                return False  # `RestoreModel(net, "run-10h")`: a project helper that loads weights into what it is given
            if name is None or target is not None:
                continue
            if call.receiver == name and call.method not in _HARMLESS_METHODS and not _submodule_of(model, binding, call.method):
                return False
            # (`nn.DataParallel(model)` holds the model and trains nothing)
            if any(
                name in arg.names and not _parameters_of(arg.node) and not _reads_a_value_of(model, binding, name, arg.node)
                for arg in call.args
            ) and (call.dotted or "") not in _HARMLESS_USES and (call.dotted or "").rsplit(".", 1)[-1] not in _PARALLEL_WRAPPERS:
                if not _probed_with_made_up_input(call, name):
                    return False  # (`optim.Adam(model.parameters())` builds an optimizer, trains nothing)
    return False


def _loads_into_parameter(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the project function load a state dict into one of its parameters (`def
    RestoreModel(model, name): model.load_state_dict(torch.load(...)["model"])`)?"""
    params = set(function.params)
    return any(
        call.method == "load_state_dict" and (call.receiver or "").split(".", 1)[0] in params
        for simple in function.simples for call in simple.calls
    )


def _reads_a_value_of(model: LoopModel, binding: Binding, name: str, node: cst.CSTNode) -> bool:
    """`"{}".format(model.num_parameters)`, `log(model.name)`: the argument is an attribute of the
    model that is no part of it (no submodule its class assigns), read for its value: the call is
    not given the model."""
    if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == name):
        return False
    if binding.cls is None:
        return False
    attribute = f"self.{node.attr.value}"
    for cls in model.class_chain(binding.cls):
        for bound in model.at_class(cls).roles.attributes.get(id(cls), {}).get(attribute, []):
            if bound.role == MODEL or bound.role is None and bound.call is not None:
                return False  # a submodule (or what a call builds, unknown): a part of the model
    return True


def _probed_with_made_up_input(call: CallSite, name: str) -> bool:
    """`calculate_flops(model=net, kwargs={"x": torch.randn(1, 3, h, w)})`, `summary(net,
    torch.zeros(1, 3, 32, 32))`: a library call given the model and input it makes up on the spot
    (tensors drawn or filled from a shape, constants), nothing else: there is no data to train on,
    so it measures the model, whatever the call does. A call given the model alone (`trainer.fit(net)`)
    may train it on data it holds."""
    others = [arg.node for arg in call.args if not (isinstance(arg.node, cst.Name) and arg.node.value == name)]
    if len(others) == len(call.args):
        return False  # the model goes in inside an expression (`wrap(net.encoder)`): not just given
    return any(_makes_up_tensor(node) for node in others) and all(_made_up(node) for node in others)


def _makes_up_tensor(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Call):
        return callee_last_name(node) in FRESH_TENSORS or any(
            _makes_up_tensor(arg.value) for arg in node.args
        ) or (isinstance(node.func, cst.Attribute) and _makes_up_tensor(node.func.value))  # `torch.zeros(2, 4).cuda()`
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return any(_makes_up_tensor(element.value) for element in node.elements)
    if isinstance(node, cst.Dict):
        return any(isinstance(element, cst.DictElement) and _makes_up_tensor(element.value) for element in node.elements)
    return False


def _made_up(node: cst.CSTNode) -> bool:
    """A value written in the call itself: a constant, a tensor drawn or filled from a shape
    (`torch.randn(1, 3, h, w)`, `Variable(torch.zeros(2, 8))`), or a container of these."""
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation):
        return _made_up(node.expression)
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return all(_made_up(element.value) for element in node.elements)
    if isinstance(node, cst.Dict):
        return all(isinstance(element, cst.DictElement) and _made_up(element.value) for element in node.elements)
    if isinstance(node, cst.Call):
        last = callee_last_name(node)
        if last in FRESH_TENSORS:
            return True  # (its arguments are a shape)
        if last in ("Variable", "to", "cuda", "float", "half"):
            return all(_made_up(arg.value) for arg in node.args if arg.keyword is None) and (
                not isinstance(node.func, cst.Attribute) or last == "Variable" or _made_up(node.func.value)
            )
    return False


def _random_ids(node: cst.CSTNode) -> bool:
    """Integers drawn at random (`torch.randint(100, 1000, size=(1, 512)).long()`, moved or cast):
    made-up token ids or indices, on which a model's outputs mean nothing, trained or not."""
    if not isinstance(node, cst.Call):
        return False
    last = callee_last_name(node)
    if last in ("randint", "randint_like", "randperm"):
        return True
    if last not in ("Variable", "to", "cuda", "long", "int"):
        return False
    if isinstance(node.func, cst.Attribute) and last != "Variable":
        return _random_ids(node.func.value)
    return any(_random_ids(arg.value) for arg in node.args if arg.keyword is None)


def _submodule_of(model: LoopModel, binding: Binding, attribute: str | None) -> bool:
    """Is `attribute` a submodule the model's class assigns (`decoder.embedding(x)` runs a part of
    the model, it trains nothing)?"""
    cls = binding.cls
    if cls is None or attribute is None:
        owner = model.at(binding.function)
        made = _built_by(binding.call) if binding.call is not None else None
        found = owner.definition(made.dotted, binding.function) if made is not None and made.dotted else None
        cls = found if isinstance(found, ClassInfo) else None
    if cls is None or attribute is None:
        return False
    return any(f"self.{attribute}" in model.at_class(c).roles.attributes.get(id(c), {}) for c in model.class_chain(cls))


def _parameters_of(node: cst.CSTNode) -> bool:
    """`model.parameters()`, `model.named_parameters()`: the parameters handed over, not the model run."""
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("parameters", "named_parameters")
    )


def _only_inspected(function: FunctionInfo, statement: Simple, formatted: bool = False) -> bool:
    """Are the names the statement binds used afterwards only for their shape, printed, displayed
    or compared in an assertion (until they are bound again)? With `formatted`, also read inside
    an f-string (`log(f"Min: {output.min().item():.4f}")`): shown, whatever is computed from it."""
    live = set(statement.targets)
    # `for idx, p in enumerate(P): print(p.size())`: the elements of an output iterated over are
    # the output too (the loop's header reads it, and is no use of its own)
    over = [loop for loop in function.loops if loop.iter_names & live and isinstance(loop.node, cst.For)]
    headers = {id(loop.node.iter) for loop in over}
    elements = {target for loop in over for target in loop.targets}
    live |= elements
    seen = used = False
    for simple in function.simples:
        if simple is statement:
            seen = True
            continue
        if not seen or not live or id(simple.node) in headers:
            continue
        # `y = other(x)` binds the name anew: only its value is a read
        read = simple.value if set(simple.targets) & live and simple.value is not None else simple.node
        if not _inspects_only(read, live, False) and not (formatted and not _reads(_outside_formatted(read), live)):
            return False
        used = used or _reads(read, live)
        live -= set(simple.targets)
    return used


class _EmptyFormatted(cst.CSTTransformer):
    """Replaces each f-string by an empty string."""

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.BaseExpression:
        return cst.SimpleString('""')


def _outside_formatted(node: cst.CSTNode) -> cst.CSTNode:
    """The node with its f-strings emptied: what it reads other than to show it."""
    return node.visit(_EmptyFormatted())


def _reads(node: cst.CSTNode, names: set[str]) -> bool:
    """Does a name of `names` occur under `node` as a variable (not as `obj.name` or `f(name=...)`)?"""
    if isinstance(node, cst.Name):
        return node.value in names
    if isinstance(node, cst.Attribute):
        return _reads(node.value, names)
    if isinstance(node, cst.Arg):
        return _reads(node.value, names)
    return any(_reads(child, names) for child in node.children)


_INSPECTING_ATTRIBUTES = frozenset({"shape", "dtype", "device", "ndim", "requires_grad", "grad_fn", "is_cuda"})
_INSPECTING_CALLS = frozenset(
    {"len", "type", "isinstance", "size", "dim", "numel", "allclose", "isclose", "assert_close", "equal", "assertEqual",
     "assertTrue"}
)
_SHOWING_CALLS = frozenset({"print", "display", "format"})


def _inspects_only(node: cst.CSTNode, names: set[str], inspected: bool, output: cst.CSTNode | None = None) -> bool:
    """Does every read of `names` (and the value of the call `output`) under `node` sit in an
    inspection (`x.shape`, `print(x)`, `print(model(x).shape)`, `assert torch.allclose(x, y)`, a
    notebook cell's displayed value)? (An output printed where it is made, `print(policy(obs))`,
    shows predictions: no inspection.)"""
    if node is output:
        return inspected
    if isinstance(node, cst.Name):
        return inspected or node.value not in names
    if isinstance(node, (cst.Assert,)):
        inspected = True
    elif isinstance(node, cst.Expr) and isinstance(node.value, (cst.Name, cst.Tuple)):
        inspected = True  # a notebook cell ending in `y` displays it
    elif isinstance(node, cst.Expr) and isinstance(node.value, cst.Comparison) and all(
        isinstance(part, cst.Name) for part in (node.value.left, *(t.comparator for t in node.value.comparisons))
    ):
        inspected = True  # a notebook cell ending in `Y2 == Y` shows that a reloaded model agrees
    elif isinstance(node, cst.Attribute) and node.attr.value in _INSPECTING_ATTRIBUTES:
        inspected = True
    elif isinstance(node, cst.Call):
        func = node.func
        called = callee_last_name(node)
        if called in _SHOWING_CALLS:
            # `print(y)` shows the output itself; `print((y.argmax(1) == t).float().mean())` a metric
            return all(
                isinstance(arg.value, cst.Name) or _inspects_only(arg.value, names, False, output)
                for arg in node.args
            ) and _inspects_only(func, names, False, output)
        if called in _INSPECTING_CALLS and not (called == "type" and isinstance(func, cst.Attribute) and node.args):
            # (`out.type(torch.float)` casts the output: its values go on; `type(out)` inspects)
            inspected = True
    return all(_inspects_only(child, names, inspected, output) for child in node.children)


def _pass(
    model: LoopModel, function: FunctionInfo, loop: Loop | None, first: Event, constants: tuple[tuple[str, object], ...] = (),
    subject: Subject | None = None, calls: Iterable[Event] = (),
) -> EvaluationPass | None:
    """The pass whose first model call is `first`; `subject` names the model where the pass calls
    a method that runs it (`model.predict(x_test)`, whose forward is `self(x)`)."""
    if _built_by_foreign_code(model, first):
        return None
    if _forward_cannot_bind(model, first):
        return None  # `model(x, edge_index, ids)` of a forward that also requires `adj`: TypeError, no pass
    if _smoke_test(model, function, first, loop):
        return None
    callers = model.callers(function)
    if constants:
        callers = [e for e in callers if all(item in arguments_known(function, e.call, caller=e.caller) for item in constants)]
    restricted = bool(constants)
    if function.name != "<module>":
        # `get_outer_loss(batch)` whose result `train_iter` backwards and `evaluate_iter` only reads:
        # the pass is entered by the calls that do not train on what it returns (a loop or a single
        # forward: `con_loss, dis_loss = training_with(x, trainer)`, then `loss.backward()`)
        # (and the calls that hand the loop a callback that backwards: `self._do(loader, begin, end)`)
        fresh = _returns_fresh_data(model, function)
        training = [
            e for e in callers
            if (backwards_result(model, e) and not fresh) or (loop is not None and _trains_through_callback(model, function, loop, e))
        ]
        if training:
            callers = [e for e in callers if all(e is not t for t in training)]
            if not callers:
                return None
            restricted = True
    return EvaluationPass(
        function, loop, first, first.subject, callers[0] if callers else None, tuple(callers) if restricted else None,
        in_training_function=function.name != "<module>" and "backward" in model.reaches(function),
        shown=subject, others=_other_models(model, first, calls),
    )


def _other_models(model: LoopModel, first: Event, calls: Iterable[Event]) -> tuple[Event, ...]:
    """The first call of each model other than the first one's, among the pass's model calls: one
    built apart from a project class (a binding of its own, not the first's; not a loss handed in,
    whose class cannot be seen; not one whose construction puts parts of it in eval mode, a metric
    network that sets itself up, `lpips.PerceptualLoss(...)`), not a part of another (`model.encoder`)."""
    found: list[Event] = []
    for call in calls:
        subject = call.subject
        if subject is None or subject.binding is None or subject.binding.cls is None or subject.role != MODEL:
            continue
        if is_loss_module(subject):
            continue
        if _switched_when_built(model, subject.binding.cls):
            continue
        if any(
            seen.subject is not None and (
                seen.subject.may_be(subject) or subject.name.startswith(seen.subject.name + ".") or seen.subject.name.startswith(subject.name + ".")
                or _owner_of(seen.subject.name) == _owner_of(subject.name) not in (None, "self")
            )
            for seen in [first, *found]
        ):
            continue  # (`net.encoder` and `net.decoder`: parts of one model)
        found.append(call)
    return tuple(found)


def _switched_when_built(model: LoopModel, cls: ClassInfo) -> bool:
    """Does the class's constructor (with the project code it calls) switch a mode?"""
    owner = model.at_class(cls)
    init = owner.method_of(cls, "__init__")
    if init is None:
        return False
    owner = owner.at(init)
    return any(e.kind in (Kind.EVAL, Kind.TRAIN, Kind.MODE_UNKNOWN) for e in owner.function_events_flat(init))


def _owner_of(name: str) -> str | None:
    """The object an attribute is taken from (`net` of `net.encoder`); None for a plain name."""
    return name.rsplit(".", 1)[0] if "." in name else None


_FRESH_TENSOR = lazy(r"^(torch|np|numpy)\.(Tensor|FloatTensor|LongTensor|zeros|ones|empty|full|zeros_like|ones_like|empty_like|full_like)$")


def _returns_fresh_data(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the function return only arrays it made itself (`res = torch.Tensor(n, epochs)`, filled
    with `res[index, e] = p.detach().cpu()`), with no graph in them? A caller that trains on them
    (another model's training data) backwards no result of the function's forwards."""
    returns = [simple for simple in function.simples if simple.jump == "return"]
    if not returns:
        return False
    names: set[str] = set()
    for simple in returns:
        value = simple.value
        parts = [e.value for e in value.elements] if isinstance(value, cst.Tuple) else [value]
        if not parts or not all(isinstance(part, cst.Name) for part in parts):
            return False
        names |= {part.value for part in parts if isinstance(part, cst.Name)}
    for name in names:
        made = [s for s in function.assignments if name in s.targets]
        if not made or not all(
            not s.augmented and s.value_call is not None and s.value_call.inner is None
            and _FRESH_TENSOR.match(qualify(s.value_call.dotted or "", model.at(function).ir.imports) or "")
            for s in made
        ):
            return False
    return not any(model.returned_graphs(function))


def _forward_cannot_bind(model: LoopModel, event: Event) -> bool:
    """Is the forward a call of a model of one project module class (`model(x, edge_index, ids)`;
    every assignment of its name builds that class, also where callers pass it) whose arguments
    cannot bind to its `forward`'s parameters (a required one left out, one too many)? The call
    raises TypeError before any layer runs: the code passes nothing. Only where that can be told
    (see `LoopModel._call_cannot_bind`, which `unbindable_call_lines` asks of names the calling
    function builds)."""
    call, subject = event.call, event.subject
    binding = subject.binding if subject is not None else None
    if call is None or binding is None or binding.cls is None or call.dotted != subject.name or call.inner is not None:
        return False
    # (a name bound in other arms to other classes, `netG = _netG(...)` or `_netG_CIFAR10(...)`
    # by an option, may hold one whose forward takes the arguments)
    arms = model.at(binding.function).roles.bindings_of(binding.name, binding.function)
    if any(arm.cls is not binding.cls for arm in arms):
        return False
    forward = model.at_class(binding.cls).method_of(binding.cls, "forward")
    function = event.context.function
    return forward is not None and model.at(function)._call_cannot_bind(call, forward, function)


def _built_by_foreign_code(model: LoopModel, event: Event) -> bool:
    """Is the forward's model built by a project function or class of a module written for another
    framework (`tf_model = create_resnet_reg(...)` from a module that imports tensorflow and not
    torch), in a file that imports both? Its calls are that framework's, not PyTorch forwards; and
    so is `model(x, training=False)` on a model whose class cannot be seen (Keras's convention: a
    torch module takes its mode from `train()`/`eval()`, not from its call)."""
    binding = event.subject.binding if event.subject is not None else None
    if (binding is None or binding.cls is None) and event.call is not None and event.call.keyword("training") is not None:
        return True  # `model(x, training=False)` of a class out of sight: Keras's call, a torch module takes no mode
    function = event.context.function
    if event.subject is not None and function is model.ir.top and not event.context.chain:
        # (a notebook binds `model` again and again: to `BertForQuestionAnswering` in one cell,
        # to `TFBertModel` in a later one; the call runs the model bound last above it)
        current = model.nearest_binding(event.subject.name.split(".", 1)[0], function, event.node)
        if current is not None and other_framework_model(current.qualified):
            return True
    if binding is None or binding.call is None:
        return False
    owner = model.at(binding.function)
    target = owner.resolve_call(_built_by(binding.call), binding.function)
    if target is None:
        return False
    from loopcheck.model import OTHER_FRAMEWORKS  # (the package imports this module)

    return owner.at(target).foreign_framework in OTHER_FRAMEWORKS


def _called_on_loop_target(model: LoopModel, event: Event, loop: Loop) -> bool:
    """`for model in models: model(x)` runs each of several models: an ensemble, not a pass over data.
    (A loop over held-out data inside a loop over models, `for model in models: evaluate(model,
    valid_loader)`, is a pass over that data for each model.)"""
    if event.subject is None:
        return False
    # (`for m in [model_1, model_2]: m(x)` runs each named model: its events are theirs, its call m's)
    names = {event.subject.name, event.call.dotted} if event.call is not None and event.call.dotted else {event.subject.name}
    if names & set(loop.targets):
        return True
    if EVAL_DATA.search(loop.iter_text):
        return False
    return bool(names & {t for outer in model.enclosing_loops(loop) for t in outer.targets})


def _evaluation_intent(model: LoopModel, function: FunctionInfo, first: Event, loop: Loop) -> bool:
    """What makes a loop of model calls an evaluation: the model put in eval mode for it, or data
    iterated by a model this project trains, or metrics computed in it."""
    # (a helper called in training rollouts and in a test loop: the instance reached from this loop)
    if _mode_before(model, function, first.node, first.subject, first.context.chain or None):
        return True
    if DATA_ITERABLE.search(_iterated_text(model, function, loop)) and model.training_steps and model.is_trained(first.subject):
        return True  # (`for x, y in test_loader`, and `loop = tqdm(test_loader)`, then `for x, y in loop`)
    if (
        first.call is not None and first.context.function is function and model.training_steps and model.is_trained(first.subject)
        and (
            _from_held_out_data(function, first.call, simples=list(simples_of(loop.body))) or _names_held_out_data(model, first.call)
            # (`x_pred = torch.tensor(x_tst)` above the loop, then `for i in range(100): net(x_pred)`:
            # Monte Carlo samples of predictions on held-out data)
            or _from_held_out_data(function, first.call)
        )
    ):
        # `for i in range(0, 10000, bs): x = test_data[i:i + bs]; scores = net(x)`, and `for i in
        # range(50): predictions.append(net(x_test))` (the held-out data named in the call itself)
        return True
    if (
        first.call is not None and first.context.function is function and model.training_steps and model.is_trained(first.subject)
        and _scored_on_held_out_data(function, first.call, list(simples_of(loop.body)))
    ):
        return True  # `output = net(train_set[u])`, then `criterion(output, test_set[u])`: outputs scored on held-out data
    if first.call is not None and first.call.method is not None and _GENERATING.match(first.call.method):
        return True  # `netG.generate_images(n)`, `model.predict(x)`: asked for outputs, not training
    if _loaded_before(model, function, first) and not model.is_trained(first.subject):
        return True  # a play script: weights loaded from a checkpoint and run, never trained here
    if _loaded_by_helper_before(model, function, first) and not model.is_trained(first.subject):
        return True  # a loop over data of a model whose weights a project helper loaded (`load_model_params(model, path)`)
    if _after_its_training(model, function, first, loop):
        return True  # test games played with the agent once the loop that trained it is over
    if _played_after_training(model, function, loop, first):
        return True  # `play(env, agent, n_episodes)`, `sample(model, n)`, called once training is over
    if _played_with_loaded_weights(model, function, first, loop):
        return True  # `play(env, agent)` of a script that loads the agent's weights first
    if function.name == "<module>" and first.context.function is function and _shown_after_training(model, function, first, loop):
        return True  # `for i in range(900): x = model(x); images.append(...)`, then the images shown
    return _computes_metrics(model, [placed.simple for placed in model.ordered_statements(function) if loop in placed.loops])


def _iterated_text(model: LoopModel, function: FunctionInfo, loop: Loop) -> str:
    """What the loop iterates, written out: for a plain name, the value of its last assignment
    above the loop (`loop = tqdm(test_loader, leave=True)`, then `for batch, labels in loop:`)."""
    return iterated_text(loop, model.ordered_statements(function))


def _after_its_training(model: LoopModel, function: FunctionInfo, first: Event, loop: Loop) -> bool:
    """Does the loop run the model after the loop that trains it, in the same function, has ended
    (`for i in range(games): pred = model(state)` below the episode loop that trained `model`)? A
    rollout between updates sits inside the training loop and is no pass; one after it tests."""
    if first.context.function is not function or not model.is_trained(first.subject):
        return False
    if not _steps_an_environment(model, function, loop):
        return False  # (a loop over other data after training may extract features or label it)
    for step in model.training_steps:
        if step.loop.function is not function or not any(model.may_be(first.subject, s) for s in _trained_by(step)):
            continue
        outermost = ([*model.enclosing_loops(step.loop)] or [step.loop])[0]
        places = model.places([outermost.node, loop.node])
        if places is not None and places[0][1] < places[1][0]:
            return True
    for outer in function.loops:
        # (`while frame_idx < max_frames: ...; ppo_update(...)`: the loop that trains through a
        # project function, over before this one starts)
        if outer is loop or not any(
            _trains_through(model, function, call) for simple in simples_of(outer.body) for call in simple.calls
        ):
            continue
        places = model.places([outer.node, loop.node])
        if places is not None and places[0][1] < places[1][0]:
            return True
    return False


def _played_after_training(model: LoopModel, function: FunctionInfo, loop: Loop, first: Event | None = None) -> bool:
    """Is the loop a game played (or a sample drawn) by a function that trains nothing itself,
    entered only after training is over: every call of the function (a `play(env, agent, n)`
    cell, `sample(model, 1000)`) comes after a statement of its caller that trains (a call of a
    project function that runs backward and an optimizer step, or a training loop), and outside
    any loop that trains? Those are test games, or samples of the trained model (its output fed
    back as its next input, `x = step(x, model(x, t))`); a rollout collected for training is made
    inside the training loop."""
    if function.name == "<module>" or {"backward", "step"} <= model.reaches(function):
        return False
    if not (_steps_an_environment(model, function, loop) or (first is not None and _feeds_itself(function, loop, first))):
        return False
    edges = _other_callers(model, function)
    if not edges:
        return False
    for edge in edges:
        caller = model.at(edge.caller)
        steps = {id(step.loop) for step in caller.training_steps if step.loop.function is edge.caller}
        calls = {
            id(call) for simple in edge.caller.simples for call in simple.calls if _trains_through(caller, edge.caller, call)
        }
        # (statements in order, into the branch or block that holds the call: `if __name__ ==
        # "__main__": train(...); sample(model, n)`; a call inside a training loop is no such call)
        if _trains_before(edge.caller.body, steps, calls, edge.call.node, False) is not True:
            return False
    return True


def _feeds_itself(function: FunctionInfo, loop: Loop, first: Event) -> bool:
    """Does the loop, in the function's own code, bind a name the model call reads to a value
    computed from that call's output (`mean = (x - b * model(x, t)) / a; x = mean + s * z`): the
    model's output fed back as its next input, a sample drawn step by step?"""
    call = first.call
    if call is None or first.context.function is not function:
        return False
    read = {name for arg in call.args for name in arg.names} - set(loop.targets)
    derived: set[str] = set()
    for simple in simples_of(loop.body):
        if any(c.node is call.node for c in simple.calls) or simple.value_names & derived:
            derived |= set(simple.targets)
    return bool(derived & read)


def _trains_through(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """Does the call run a project function that trains: on its own (`training_callee`), or through
    a method of what this call hands it (`train(env, ddpg)` whose `ddpg.update()` backwards and
    steps: the class of `ddpg` is known here, at the call, not in `train` itself)?"""
    if training_callee(model, function, call) is not None:
        return True
    target = model.resolve_call(call, function, via_callers=False)
    if target is None or target is function or target.cls is not None:
        return False
    owner = model.at(target)
    for simple in target.simples:
        for inner in simple.calls:
            if inner.method is None or inner.receiver is None or inner.receiver not in target.params:
                continue
            arg = call.arg(target.argument_index(inner.receiver), inner.receiver)
            binding = model.binding(arg.dotted, function) if arg is not None and arg.dotted else None
            method = model.at_class(binding.cls).method_of(binding.cls, inner.method) if binding is not None and binding.cls is not None else None
            if method is not None and {"backward", "step"} <= owner.reaches(method):
                return True
    return False


def _played_with_loaded_weights(model: LoopModel, function: FunctionInfo, first: Event, loop: Loop) -> bool:
    """Is the loop run by a function that trains nothing itself (`play(env, agent)`, a diffusion
    model's `sample(model)`), with a model it is handed, whose every caller loads that model's
    weights before the call (`agent.load_state_dict(torch.load(path))`, then `play(env, agent)`)?
    A trained model brought back to be watched or sampled: a rollout collected for training is
    played with a model being trained."""
    if function.name == "<module>" or "backward" in model.reaches(function) or first.subject is None:
        return False
    # (the forward may sit in a helper the game calls, `self.act(obs)`: its subject is named as here)
    return _loaded_by_every_caller(model, function, first, first.subject.name, 3)


def _loaded_by_every_caller(model: LoopModel, function: FunctionInfo, first: Event, name: str, depth: int) -> bool:
    """Does every call of the function pass, for the parameter `name` starts with, a model whose
    weights the caller loads before the call, or hands on a parameter of its own that every one
    of its callers loads (`eval_policy(policy, env)` passing `policy` on to `rollout`)?"""
    head, dot, rest = name.partition(".")
    if depth <= 0 or head not in function.params:
        return False
    own = function.cls is not None and function.params[:1] == ("self",)
    index = function.argument_index(head)
    # (a call that backwards what the function returns collects a training rollout with it, `probs,
    # values = run(agent, env)` then `loss.backward()`: the pass is entered by the others, to which
    # the pass is then restricted; only the function's own callers can be left out so)
    edges = [edge for edge in _other_callers(model, function) if depth < 3 or not backwards_result(model, edge)]
    if not edges or (index < 0 and head != "self"):
        return False
    for edge in edges:
        # (`vpg.play(env)` for `self.policy_network`: the receiver stands for `self`)
        given = edge.call.receiver if head == "self" and own else getattr(edge.call.arg(index, head), "dotted", None)
        if given is None:
            return False
        caller = model.at(edge.caller)
        passed = replace(first, subject=replace(first.subject, name=given + dot + rest), call=edge.call)
        if not _loaded_before(caller, edge.caller, passed) and not _loaded_by_every_caller(
            caller, edge.caller, first, given + dot + rest, depth - 1
        ):
            return False
    return True


def _shown_after_training(model: LoopModel, function: FunctionInfo, first: Event, loop: Loop) -> bool:
    """At a script's or notebook's top level, a loop that runs a model trained above it and whose
    outputs are made into pictures (in the loop, or from what it collects, after it): samples of
    the trained model, looked at."""
    if not _trained_before(model, function, first):
        return False
    made = {t for simple in simples_of(loop.body) for t in simple.targets}
    made |= {call.receiver for simple in simples_of(loop.body) for call in simple.calls if call.method in APPENDING_METHODS and call.receiver}
    after = False
    for statement in function.body:
        if statement is loop:
            after = True  # (the loop's own statements, and those after it)
        elif not after and not any(inner is loop for inner in _loops_within(statement)):
            continue
        for simple in simples_of([statement]):
            for call in simple.calls:
                if _shows(model, function, call) and any(arg.names & made for arg in call.args):
                    return True
    return False


def _shows(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """A call that turns tensors into pictures: a viewing call (`imshow`), or a project function
    that makes a picture of what it is given (`def show_data(x): plt.imshow(x.numpy())`)."""
    if _views(call):
        return True
    target = model.resolve_call(call, function, via_callers=False)
    if target is None or target is function or not target.params:
        return False
    return any(
        _views(inner) and any(_reads(arg.node, set(target.params)) for arg in inner.args)
        for simple in target.simples for inner in simple.calls
    )


def _views(call: CallSite) -> bool:
    """A call that turns tensors into pictures (`save_image`, `imshow`, `show_images`)."""
    method = call.method or ""
    return method in _VIEWING or method.startswith(("show_image", "plot_image", "imsave", "save_image"))


def _steps_an_environment(model: LoopModel, function: FunctionInfo, loop: Loop) -> bool:
    """Does the loop call `step(...)` on something that is no optimizer, scheduler or scaler (a
    game or simulator: `env.step(action)`)?"""
    return any(_environment_step(model, function, call) for simple in simples_of(loop.body) for call in simple.calls)


def _environment_step(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """`env.step(action)`: a `step(...)` with arguments on something that is no optimizer,
    scheduler or scaler."""
    return (
        call.method == "step" and bool(call.args) and call.receiver is not None
        and model.roles.role(call.receiver, function) not in (OPTIMIZER, SCHEDULER, SCALER)
    )


def _trained_by(step: TrainingStep) -> list[Subject]:
    """The models a training step's forwards run (those its backward may train)."""
    return [e.subject for e in step.events if e.kind is Kind.MODEL_CALL and e.subject is not None]


_GENERATING = lazy(r"(generate|predict|infer|inference)(_\w+)?$")
"""Methods that ask a model for outputs (not `sample`: an RL actor samples its actions in rollouts)."""


def _single_call_intent(model: LoopModel, function: FunctionInfo, call: Event) -> bool:
    """A single forward that evaluates: on held-out data (`test_x`), with the model in eval mode or
    just loaded from a checkpoint, a prediction method (`model.generate(...)`), or its output
    turned into predictions or metrics."""
    if _loaded_before(model, function, call):
        return True
    if function.name != "<module>" and _with_pretrained_weights(model, function, call) and not (
        call.call is not None and _on_made_up_input(model, function, call.call)
    ):
        # `model = vgg16(pretrained=True)` in the function that runs it on data: a trained model
        # used (on `torch.randn(1, 3, 224, 224)` it probes the code)
        return True
    if call.call is not None and _names_held_out_data(model, call.call):
        return True
    if call.call is not None and _from_held_out_data(function, call.call):
        return True
    if call.call is not None and call.call.method is not None and PREDICTION_METHODS.match(call.call.method):
        return True
    if call.call is not None and _scoring_method(model, function, call.call):
        return True  # `net.accuracy(x_test, y_test)`, whose body runs the model and scores its output
    if call.call is not None and _evaluating_method(model, function, call.call):
        return True  # `model.evaluate()`, whose body runs the model over the validation data
    if _mode_before(model, function, call.node, call.subject) or _loaded_in_eval_mode(model, call.subject):
        return True  # (also built or loaded in eval mode: `resnet = Net(pretrained=True).eval()`)
    if call.subject is not None and model.callers(function) and model.eval_mode_reaches(call, call.subject):
        return True  # `model.eval()` at the top of the script, `classify(doc)` called below
    if call.subject is not None and function is not model.ir.top and call.subject.name in model.at(function).globals_in_eval_mode:
        return True  # a module-level model its loader put in eval mode, run by a helper
    statement = _statement_of(function, call)
    if statement is None:
        return False
    outputs = set(statement.targets)
    if any(c.method in METRIC_METHODS and c.inner is call.call for c in statement.calls):
        return True
    if call.call is not None and _handed_to_metric(statement, call.call):
        return True  # `accuracy(model(g, features)[test_mask], labels[test_mask])`
    if any(_shows(model, function, c) for c in statement.calls):
        return True  # `make_grid(G(fixed_z).cpu().data)`: samples made to be looked at
    later = [s for s in function.simples if outputs and s.value_names & outputs or any(
        arg.names & outputs for c in s.calls for arg in c.args)]
    if outputs:
        # (or what is computed from them: `q = torch.exp(-log_det)`, then `ax.pcolormesh(x, y, q)`)
        shown = _derived_names(list(walk(function.body, "on")), outputs, through_calls=True)
        if any(_shows(model, function, c) and any(_reads(arg.node, shown) for arg in c.args) for s in function.simples for c in s.calls):
            return True  # `fake = netG(fixed_noise)`, then `save_image(fake.data, "fake.png")`
    return _computes_metrics(model, later)


_EVALUATING_METHOD = lazy(r"(?i)(^|_)(eval|evaluate|evaluation|validate|validation|val|valid|test)(_|$|\d)")
"""Names of methods that evaluate (not those that make something: `generate_and_load`, `inference`)."""


def _evaluating_method(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """Is the call a method of the model's own class named for evaluation (`evaluate`, `validate`,
    `test_epoch`) that runs the model and trains nothing? Its callers evaluate the model through it.
    (A method that trains or switches modes is not a model call at all: its body is inlined; one
    that predicts or generates is a prediction method, judged by what its caller does.)"""
    if call.receiver is None or call.method is None or _EVALUATING_METHOD.search(call.method) is None:
        return False
    target = model.resolve_call(call, function)
    if target is None or target.cls is None or target.name in ("__init__", "forward", "__call__"):
        return False
    return model.is_module_class(target.cls) and not model.reaches(target) and model.runs_forward(target)


def _scoring_method(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """Is the call a method of the model's own class that runs the model and, in its own body, turns
    the output into predictions or metrics (`def accuracy(self, x, y): out = self.forward(x); return
    (out.argmax(1) == y).sum().item() / len(y)`)? Called on data, it scores the model: the call is
    the evaluation's forward, whatever the method is named. (A method that trains or switches modes
    is not a model call at all: its body is inlined.)"""
    if call.receiver is None or call.method is None:
        return False
    target = model.resolve_call(call, function)
    if target is None or target.cls is None or target.name in ("__init__", "forward", "__call__"):
        return False
    if not model.is_module_class(target.cls) or model.reaches(target) or not model.runs_forward(target):
        return False
    return _computes_metrics(model.at(target), list(target.simples))


def _handed_to_metric(statement: Simple, forward: CallSite) -> bool:
    """Is the forward's output handed, as it is or a part of it (`model(g)[test_mask]`), to a metric
    function or a prediction op in the same statement (`accuracy(model(g)[mask], y)`,
    `torch.argmax(model(x), dim=1)`)? What it computes is a score or a prediction, not a loss."""
    for call in statement.calls:
        if call is forward or call.dotted is None:
            continue
        last = call.dotted.rsplit(".", 1)[-1]
        if not (_METRIC_FUNCTIONS.search(last) or (last in ("argmax", "topk") and call.receiver in _TENSOR_LIBRARIES)):
            continue
        if any(_output_part(arg.node, forward.node) for arg in call.args if arg.keyword is None):
            return True
    return False


def _output_part(node: cst.BaseExpression, forward: cst.Call) -> bool:
    """Is `node` the forward's call itself, or a subscript or attribute of its output?"""
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return node is forward


_TRAINING_DATA = lazy(r"(?i)train")


def _scored_on_held_out_data(function: FunctionInfo, forward: CallSite, simples: list[Simple]) -> bool:
    """Is what the forward returns (the names it is assigned to in the loop's body) handed to a call
    together with held-out data (`loss = criterion(output, target)` where `target =
    test_set[i]`)? The outputs are then scored against data kept out of training."""
    outputs = {t for simple in simples if any(c.node is forward.node for c in simple.calls) for t in simple.targets}
    if not outputs:
        return False
    return any(
        any(arg.names & outputs for arg in call.args) and _from_held_out_data(function, call, simples=simples)
        for simple in simples for call in simple.calls if call.node is not forward.node
    )


def _from_held_out_data(function: FunctionInfo, call: CallSite, hops: int = 3, simples: list[Simple] | None = None) -> bool:
    """Are the call's inputs taken from held-out data through the function's assignments (or those
    of `simples`, a loop's body) (`data, _ = next(iter(test_loader)); data = data.to(device);
    model(data)`)? Names read, not functions called (`train_test_split` names no held-out data)."""
    names = {name for arg in call.args for name in arg.names}
    seen: set[str] = set()
    for _ in range(hops):
        names -= seen
        if not names:
            return False
        seen |= names
        found: set[str] = set()
        for simple in function.simples if simples is None else simples:
            if simple.value is None or not set(simple.targets) & names:
                continue
            called = {c.dotted for c in simple.calls if c.dotted is not None}
            read = {name for name in simple.value_names if name not in called}
            if any(EVAL_DATA.search(name) for name in read):
                # (`X_train, y_train, X_test, y_test = split(train_df, test_df)`: which is which
                # cannot be told; `data, _ = next(iter(test_loader))` is held-out data)
                return not any(_TRAINING_DATA.search(name) for name in read)
            found |= read
        names = found
    return False


# (calls that draw arrays as pictures: images, and fields or surfaces over a grid of inputs)
_VIEWING = frozenset({
    "make_grid", "save_image", "imshow", "add_image", "add_images", "add_figure", "matshow", "pcolormesh",
    "pcolor", "contour", "contourf", "tricontour", "tricontourf", "plot_surface", "plot_trisurf", "heatmap",
    "quiver", "streamplot",
})
"""Calls that turn a model's output into pictures: its outputs are samples to look at."""


def _loaded_before(model: LoopModel, function: FunctionInfo, call: Event) -> bool:
    """`net = torch.load(path)` or `net.load_state_dict(...)` earlier in the function: a trained
    model brought back to be used."""
    subject = call.subject
    if subject is None:
        return False
    for simple in _simples_before(function, call):
        if any(_part_of(subject.name, t) for t in simple.targets) and any(
            (c.dotted or "").endswith(("torch.load", ".load")) or _library_model_loader(model, function, c) for c in simple.calls
        ):
            return True
        if any(c.method == "load_state_dict" and c.receiver is not None and _part_of(subject.name, c.receiver) for c in simple.calls):
            return True
        if any(c.receiver is not None and _part_of(subject.name, c.receiver) and _loads_state(model, function, c) for c in simple.calls):
            return True  # `trainer.load_model(path)` loads `trainer.policy_net` among others
        if subject.name in simple.targets and simple.value_call is not None and _returns_loaded_model(
            model, function, simple.value_call, _unpacked_position(simple, subject.name)
        ):
            return True  # `dbnet = load_model(path, device)`: a project helper hands back the model it loaded
    return False


def _unpacked_position(simple: Simple, name: str) -> int | None:
    """The position of `name` among the names a tuple assignment unpacks (`model, info =
    load_model(name)`: 0), None for an assignment of one name."""
    node = simple.node
    if not isinstance(node, cst.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0].target, (cst.Tuple, cst.List)):
        return None
    names = [expression_text(element.value) for element in node.targets[0].target.elements]
    return names.index(name) if name in names else None


def _returns_loaded_model(model: LoopModel, function: FunctionInfo, call: CallSite, position: int | None = None) -> bool:
    """Is the call a project function that hands back a model with weights it loaded: it returns a
    name it called `load_state_dict` on (`net = Net(); net.load_state_dict(torch.load(p)); return
    net`), or, for the name unpacked at `position`, returns a tuple holding it there (`return
    model, info`)? (A whole pickled model, `return torch.load(p)`, is of a class out of sight.)"""
    target = model.resolve_call(call, function, via_callers=False)
    if target is None or target.name == "__init__" or type(target.node) is not cst.FunctionDef:
        return False
    loaded = {c.receiver for simple in target.simples for c in simple.calls if c.method == "load_state_dict" and c.receiver is not None}
    for simple in target.simples:
        if simple.jump != "return":
            continue
        value = simple.value
        if position is not None and isinstance(value, cst.Tuple) and position < len(value.elements):
            value = value.elements[position].value
        elif position is not None:
            continue
        if isinstance(value, cst.Name) and value.value in loaded:
            return True
    return False


def _loaded_by_helper_before(model: LoopModel, function: FunctionInfo, call: Event) -> bool:
    """`utils.load_model_params(model, path)` earlier in the function: a project helper handed the
    model loads weights into it (see `_loads_into_argument`)."""
    subject = call.subject
    return subject is not None and any(
        _loads_into_argument(model, function, c, subject.name) for simple in _simples_before(function, call) for c in simple.calls
    )


def _simples_before(function: FunctionInfo, call: Event) -> Iterator[Simple]:
    """The function's statements above the one that makes the call, in source order."""
    for simple in function.simples:
        if any(c is call.call for c in simple.calls):
            return
        yield simple


def _loads_into_argument(model: LoopModel, function: FunctionInfo, call: CallSite, name: str) -> bool:
    """Is the call a project function handed the model (`load_model_params(model, path)`) whose body
    calls `load_state_dict` on the parameter the model fills?"""
    if not any(arg.dotted is not None and _part_of(name, arg.dotted) for arg in call.args):
        return False
    target = model.resolve_call(call, function, via_callers=False)
    if target is None or target.cls is not None:
        return False
    filled = {
        parameter for index, parameter in enumerate(target.params)
        if (arg := call.arg(index, parameter)) is not None and arg.dotted is not None and _part_of(name, arg.dotted)
    }
    return any(
        c.method == "load_state_dict" and c.receiver in filled for simple in target.simples for c in simple.calls
    )


_LIBRARY_LOADER = lazy(r"^load_(model|pretrained|checkpoint)$")


def _library_model_loader(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """`mlflow.pytorch.load_model(path)`: a library function (reached through an import, not the
    project's) that hands back a whole model read from where it was saved."""
    dotted = call.dotted or ""
    if call.inner is not None or "." not in dotted or not _LIBRARY_LOADER.match(dotted.rsplit(".", 1)[-1]):
        return False
    return dotted.split(".", 1)[0] in model.ir.import_refs and model.definition(dotted, function) is None


_LOADING_METHOD = lazy(r"(?i)load_?(pretrained|weights?|checkpoint|ckpt|state|params|parameters)")
"""A model method named for loading weights (`load_pretrained_model`, `load_weights`): given a
path, it puts them in (however it parses the file: a caffemodel, a numpy archive)."""


def _loads_state(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """Is the call a project method that loads weights (`load_state_dict`) into what it is called on?"""
    if call.method in (None, "load_state_dict", "eval", "train", "to", "cuda"):
        return False
    # (`segan.G.load_pretrained(path)`: the class of an object's attribute is found through its binding)
    target = model.resolve_call(call, function, via_callers="." in (call.receiver or "") and not (call.receiver or "").startswith("self."))
    if target is None or target.cls is None:
        return False
    if any(c.method == "load_state_dict" and (c.receiver or "").split(".", 1)[0] == "self" for s in target.simples for c in s.calls):
        return True
    if _LOADING_METHOD.match(call.method) and call.args:
        return True  # `ic.load_pretrained_model(model_path=...)`: a project method named for loading weights, given where from
    # `def load_pretrained(self, path): Saver(self).load_pretrained_ckpt(path)`: a loading method that
    # hands itself to project code that loads a state dict
    return call.method.startswith("load") and _loads_a_state_dict(model.at(target), target, 2)


def _loads_a_state_dict(model: LoopModel, function: FunctionInfo, depth: int, constants: tuple[tuple[str, object], ...] = ()) -> bool:
    """Does the function, or project code it calls (a few calls deep), call `load_state_dict`? With
    `constants`, the values its parameters are given: a load under a test they make false never
    runs (`if pretrained: model.load_state_dict(...)` of `resnet101(pretrained=False)`)."""
    placed = model.ordered_statements(function) if constants else [Placed(simple, "on", ()) for simple in function.simples]
    for item in placed:
        if constants and any(decide(guard, constants) is False for guard in item.guards):
            continue
        for call in item.simple.calls:
            if call.method == "load_state_dict":
                return True
            if depth > 0:
                target = model.resolve_call(call, function, via_callers=False)
                if target is not None and target is not function:
                    passed = arguments_known(target, call, constants, caller=function) if constants else ()
                    if _loads_a_state_dict(model.at(target), target, depth - 1, passed):
                        return True
    return False


def _part_of(name: str, whole: str) -> bool:
    """`net.emb` is part of `net` (its weights come with `net.load_state_dict(...)`)."""
    return name == whole or name.startswith(whole + ".")


def _statement_of(function: FunctionInfo, event: Event) -> Simple | None:
    return next((s for s in function.simples if any(c is event.call for c in s.calls)), None)


_REPORTING = frozenset({"add_scalar", "add_scalars", "add_histogram", "log", "log_metrics", "print"})
"""Calls that print or log a value (not `.item()` or a list's append: actions for an environment,
values collected for later use, are taken out that way too)."""


def _output_only_reported(model: LoopModel, loop: Loop, call: Event) -> bool:
    """A forward late in a training iteration whose output serves only to report something: it
    is turned into metrics or pictures, or read out (`.item()`, logged, printed) by the statements
    after it in the iteration, within three assignments (`new_logits = net(states); kl =
    kl_div(new_logits, old); writer.add_scalar("kl", kl.item())`). Its graph is never used."""
    simples = list(simples_of(loop.body))
    at = next((i for i, s in enumerate(simples) if any(c is call.call for c in s.calls)), None)
    if at is None or not simples[at].targets:
        return False
    statement = simples[at]
    if any(c.method in METRIC_METHODS and c.inner is call.call for c in statement.calls):
        return True
    if any(_views(c) for c in statement.calls):
        return True
    # (what the statements read: `action = torch.argmax(policy(s))` later in the iteration binds
    # the name anew, it reads nothing of this output; after it, the name is that new value)
    after = [(s, model.code(s.value if s.value is not None and s.targets and not s.augmented else s.node)) for s in simples[at + 1:]]
    names = set(statement.targets)
    seen = set(names)
    producers: set[int] = set()
    for _ in range(3):
        pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
        later: list[Simple] = []
        for simple, text in after:
            if pattern.search(text):
                later.append(simple)
            elif names <= set(simple.targets) and id(simple) not in producers:
                break  # every name bound anew
        if _computes_metrics(model, later) or any(
            (c.method or c.dotted or "") in _REPORTING and pattern.search(model.code(c.node)) for s in later for c in s.calls
        ):
            return True
        # followed through tensor arithmetic only: `env.step(action)` hands it to other code, and
        # the reward it returns is no output of the model
        derived = [s for s in later if _derived(model, s, pattern)]
        names = {t for s in derived for t in s.targets} - seen
        producers = {id(s) for s in derived}
        seen |= names
        if not names:
            return False
    return False


_TENSOR_LIBRARIES = frozenset({"torch", "F", "nn", "np", "numpy", "math"})


def _derived(model: LoopModel, simple: Simple, pattern: re.Pattern[str]) -> bool:
    """Is what the statement binds computed from the names by tensor operations: methods called on
    them, functions of torch or numpy, operators; not by passing them to other code?"""
    for call in simple.calls:
        if call.receiver_root is not None and pattern.fullmatch(call.receiver_root):
            continue
        root = (call.dotted or "").split(".", 1)[0]
        if root in _TENSOR_LIBRARIES or call.dotted in ("float", "abs", "len"):
            continue
        if call.inner is not None:
            continue  # (a method of what an inner call returns: judged by that call)
        if any(pattern.search(model.code(arg.node)) for arg in call.args):
            return False
    return True


def _computes_metrics(model: LoopModel, simples: list[Simple]) -> bool:
    for simple in simples:
        for call in simple.calls:
            if call.method == "max" and call.receiver == "torch" and len(call.args) == 1 and _a_difference(call.args[0].node):
                continue  # `torch.max(torch.abs(a - b))`: the largest difference of two results, no prediction picked
            if call.method in ("argmax", "topk") or (call.method in ("max", "eq") and call.args and call.receiver is not None):
                return True  # `out.max(1)`, `torch.max(out, 1)`; not the builtin `max(lrs)`
            if call.dotted is not None and _METRIC_FUNCTIONS.search(call.dotted.rsplit(".", 1)[-1]):
                return True
    return False


def _a_difference(node: cst.CSTNode) -> bool:
    """`a - b`, or `torch.abs(a - b)` / `(a - b).abs()`: how far two results are apart."""
    while isinstance(node, cst.Call) and callee_last_name(node) == "abs":
        if node.args:
            node = node.args[0].value  # `torch.abs(a - b)`
        elif isinstance(node.func, cst.Attribute):
            node = node.func.value  # `(a - b).abs()`
        else:
            return False
    return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Subtract)


def _after_training(model: LoopModel, event: Event) -> bool:
    """At module level, a forward counts as evaluation once the script has trained (or never trains):
    it comes after the first top-level statement that holds a training loop or calls a project
    function that trains."""
    function = event.context.function
    steps = {id(step.loop) for step in model.training_steps if step.loop.function is function}
    calls = _training_calls(model, function)  # (`net = train(net, data)`: a helper trains it there)
    if not steps and not calls:
        return True
    anchor = model.anchor(event)
    return _trains_before(function.body, steps, calls, anchor, False) is True


def _trains_before(block: Block, steps: set[int], calls: set[int], anchor: cst.CSTNode, seen: bool) -> bool | None:
    """Walking `block` in order with `seen` telling whether training ran before it: whether
    training ran before the statement holding `anchor` (None when the block does not hold it). A
    branch, `with` or `try` body that holds both (`if __name__ == "__main__": train(...); model(x_test)`) is
    walked inside."""
    for statement in block:
        holds = any(call.node is anchor for simple in simples_of([statement]) for call in simple.calls)
        trains = any(id(loop) in steps for loop in _loops_within(statement)) or any(
            id(call) in calls for simple in simples_of([statement]) for call in simple.calls
        )
        if holds and trains:
            inners = statement.arms if isinstance(statement, Branch) else [statement.body] if isinstance(statement, (With, Try)) else []
            for inner in inners:
                found = _trains_before(inner, steps, calls, anchor, seen)
                if found is not None:
                    return found
            return False  # (in the loop that trains, or in a part of the statement not walked)
        if holds:
            return seen
        seen = seen or trains
    return None


def _training_calls(model: LoopModel, function: FunctionInfo) -> set[int]:
    """ids of the calls at the function's top level (in no loop) of project code that trains
    (`model.fit(x_train, y_train)`, `trainer.train()`): the training runs there, in one call."""
    found: set[int] = set()
    for statement in top_level_simples(function):
        for call in statement.calls:
            target = model.resolve_call(call, function)
            if target is not None and target is not function and {"backward", "step"} <= model.reaches(target):
                found.add(id(call))
    return found


def _forward_of_predicting_method(model: LoopModel, function: FunctionInfo, call: CallSite) -> Event | None:
    """`net.predict(x_test)` where the model class's method switches itself to eval mode and runs
    the model (`def predict(self, x): self.eval(); return self(x)`): the model call inside it, as
    this call reaches it. (A method that only computes is a model call of its own; one that switches
    the mode is inlined, and its forward is what an evaluation pass runs.)"""
    target = model.resolve_call(call, function)
    if target is None or target.cls is None or target.name == "__init__" or not model.is_module_class(target.cls):
        return None
    if model.reaches(target) != frozenset({"eval"}) or not model.runs_forward(target):
        return None
    for event in model.function_events_flat(function):
        if event.kind is Kind.MODEL_CALL and event.context.chain and event.context.chain[0] is call:
            return event
    return None


def _after_last_training(function: FunctionInfo, steps: set[int], call: CallSite) -> bool:
    """Does the call come, at the function's top level, after every statement holding one of its
    training loops (or a call, its id in `steps` too, of a helper that trains)?"""
    trained = False
    for statement in function.body:
        if any(id(loop) in steps for loop in _loops_within(statement)) or any(
            id(c) in steps for simple in simples_of([statement]) for c in simple.calls
        ):
            trained = True
        elif any(c is call for simple in simples_of([statement]) for c in simple.calls):
            return trained
    return False


def _loops_within(statement: object) -> Iterable[Loop]:
    if isinstance(statement, Loop):
        yield statement
    for placed in walk([statement], "on"):
        yield from placed.loops


# grad mode -----------------------------------------------------------------------------


def grad_entering(
    model: LoopModel,
    function: FunctionInfo,
    depth: int = 0,
    edges: tuple[CallEdge, ...] | None = None,
    memo: dict[tuple[int, int, tuple[int, ...] | None], str] | None = None,
) -> str:
    """'off' when every way into `function` disables grad (decorator, or every caller's with-block),
    'unknown' when that depends on a runtime value, 'on' otherwise. `edges`: only these calls.
    `memo`: the answers already found in this walk up the callers (without it the walk takes every
    path of the call graph once, exponential in its depth)."""
    memo = {} if memo is None else memo
    key = (id(function), depth, tuple(id(edge.call) for edge in edges) if edges is not None else None)
    if key not in memo:
        memo[key] = _grad_entering(model, function, depth, edges, memo)
    return memo[key]


def _grad_entering(
    model: LoopModel,
    function: FunctionInfo,
    depth: int,
    edges: tuple[CallEdge, ...] | None,
    memo: dict[tuple[int, int, tuple[int, ...] | None], str],
) -> str:
    model = model.at(function)
    own = model.function_context(function).grad
    if own != "on" or depth > MAX_CALLER_DEPTH:
        return "off" if depth > MAX_CALLER_DEPTH else own
    edges = model.callers(function) if edges is None else list(edges)
    # (a caller that never runs, `API.evaluate` that nothing calls, leads nowhere: the live ones decide)
    edges = [e for e in edges if e.caller.name == "<module>" or not dead_function(model.at(e.caller), e.caller)] or edges
    if not edges:
        # module-level code runs as written; a function nobody in the project calls (a callback,
        # an entry point a framework runs) is entered in a context we cannot see, unless it
        # trains: its backward() would fail under no_grad, so whoever calls it has grad on; and
        # the other methods of a class that trains itself (`predict` after `fit`): its users call
        # them as they call the training method (its `predict` is what disables grad, or nothing)
        if function.name == "<module>" or _trains_itself(model, function) or model.is_notebook_cell(function):
            return "on"  # (a marimo cell is module-level code that marimo runs as a function)
        if command_line_entry(model, function):
            return "on"  # a command `fire.Fire()` runs as the program starts
        if _web_handler(model, function):
            return "on"  # a Flask or FastAPI route: the server calls it as any Python code, grad on
        if _method_of_driver(model, function):
            return _grad_at_calls_by_name(model, function, depth, memo)
        return "unknown"
    modes = set()
    for edge in edges:
        caller = model.at(edge.caller)
        if edge.launched:
            modes.add("on")  # `Process(target=f)`: a new thread or process starts with grad enabled
            continue
        mode = caller.lexical_grad(edge.caller, edge.call)
        if mode == "on" and _grad_turned_off_before(caller, edge.caller, edge.call):
            mode = "off"
        if mode == "on":
            # (`step_fn = self.val_step_fn if validation else self.train_step_fn`: only the
            # callers whose flags pick this function lead here)
            reaching = [e for e in caller.callers(edge.caller) if _picks_callee(caller, edge.caller, edge.call, function, e)]
            mode = grad_entering(caller, edge.caller, depth + 1, tuple(reaching), memo)
        modes.add(mode)
    if "on" in modes:
        return "on"
    return "unknown" if "unknown" in modes else "off"


def _grad_at_calls_by_name(
    model: LoopModel, function: FunctionInfo, depth: int, memo: dict[tuple[int, int, tuple[int, ...] | None], str]
) -> str:
    """The grad mode at the project's calls of a method by its name on receivers whose class cannot
    be told (`det.predict(x)` in a runner handed the detectors): 'off' when every such call runs
    under no_grad (here or up its callers), 'on' when one does not or none is found."""
    path = model.ir.path
    others = model.project.files_calling("." + function.name, path) if path else []
    modes: set[str] = set()
    for other in [model, *others]:
        for caller in other.ir.functions:
            for simple in caller.simples:
                for call in simple.calls:
                    if call.method != function.name or call.receiver in (None, "self") or call.inner is not None:
                        continue
                    if other.resolve_call(call, caller, via_callers=False) not in (None, function):
                        continue  # a method of another class
                    mode = other.lexical_grad(caller, call)
                    if mode == "on" and _grad_turned_off_before(other, caller, call):
                        mode = "off"
                    if mode == "on":
                        mode = grad_entering(other, caller, depth + 1, None, memo)
                    modes.add(mode)
    if not modes or "on" in modes:
        return "on"
    return "unknown" if "unknown" in modes else "off"


def _picks_callee(model: LoopModel, function: FunctionInfo, call: CallSite, callee: FunctionInfo, edge: CallEdge) -> bool:
    """Can the call of `function` made at `edge` reach `callee` through `call`? No when `call` is of
    a name `function` binds in arms of an `if` on its parameters (`if validation: step_fn =
    self.val_step_fn else: step_fn = self.train_step_fn`), and the flag the edge passes rules out
    every arm whose value leads to `callee`; nor when `call` itself is made only under a test the
    values the edge gives rule out (`if mode == 0: E = test(model, L)` in `test_mode(model, L,
    mode=0)`, called with `mode=3`). True whenever that cannot be told."""
    known = arguments_known(function, edge.call, caller=edge.caller)
    if known and any(decide(guard, known) is False for guard in _call_guards(model, function).get(id(call), ())):
        return False
    name = call.dotted
    if name is None or "." in name:
        return True
    bindings = model.roles.bindings_of(name, function)
    if len(bindings) < 2:
        return True
    # (the flags only: what the call gives the function's parameters as True or False)
    flags = tuple((param, value) for param, value in known if isinstance(value, bool))
    if not flags:
        return True
    guards = {id(p.simple): p.guards for p in model.ordered_statements(function)}
    for binding in bindings:
        if _leads_to(model, function, binding, callee) and not any(
            decide(guard, flags) is False for guard in guards.get(id(binding.statement), ())
        ):
            return True
    return False


def _call_guards(model: LoopModel, function: FunctionInfo) -> dict[int, tuple[str, ...]]:
    """The tests each call of the function is made under, by the call's id (read from the code as
    written: no grad mode is needed, so no caller is asked)."""
    known = model.call_guards.get(id(function))
    if known is None:
        known = {id(call): placed.guards for placed in walk(function.body, "on") for call in placed.simple.calls}
        model.call_guards[id(function)] = known
    return known


def _leads_to(model: LoopModel, function: FunctionInfo, binding: Binding, callee: FunctionInfo) -> bool:
    """Does the name bound here stand for `callee`: the function itself, or an attribute set to what
    a project function returns (`self.val_step_fn = self._make_val_step_fn()` returning the closure)?
    True when that cannot be told."""
    text = dotted_name(binding.statement.value) if binding.statement.value is not None else None
    if text is None:
        return True
    if text.rsplit(".", 1)[-1] == callee.name:
        return True
    held = model.binding(text, function)
    if held is None or held.call is None:
        return True
    maker = model.resolve_call(held.call, held.function)
    if maker is None:
        return True
    return any(callee.name in s.returned_names for s in maker.simples) and callee.parent is maker


def _grad_turned_off_before(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """Did a project function or constructor called before `call` on every path to it turn grad off
    for the whole process (`torch.set_grad_enabled(False)` as a statement of its own body: `inf =
    Inferer(opt)` whose `__init__` does it, then `inf.evaluate(...)`)?"""
    return _switched_off_in(model, function, function.body, call) is True


def _switched_off_in(model: LoopModel, function: FunctionInfo, block: list[object], call: CallSite) -> bool | None:
    """True when grad was switched off before the call in this block, False when not, None when
    the call is not in the block."""
    switched = False
    for statement in block:
        simples = list(simples_of([statement]))
        if any(c is call for simple in simples for c in simple.calls):
            if isinstance(statement, Simple):
                return switched
            parts = statement.arms if isinstance(statement, Branch) else [statement.body]  # type: ignore[attr-defined]
            for part in parts:
                inner = _switched_off_in(model, function, part, call)
                if inner is not None:
                    return switched or inner
            return switched
        if not isinstance(statement, Simple):
            continue  # (a switch made on some paths only)
        for made in statement.calls:
            target = model.resolve_call(made, function)
            if target is None and made.dotted is not None:
                built = model.definition(made.dotted, function)
                target = model.method_of(built, "__init__") if isinstance(built, ClassInfo) else None
            if target is not None and target is not function and _switches_grad_off(target):
                switched = True
    return None


def _switches_grad_off(function: FunctionInfo) -> bool:
    """`torch.set_grad_enabled(False)` as a statement at the top level of the function's body."""
    return any(
        isinstance(item, With) and item.grad == "off" and isinstance(item.node, cst.SimpleStatementLine)
        for item in function.body
    )


def _trains_itself(model: LoopModel, function: FunctionInfo) -> bool:
    """Does the function run a training step of its own (backward and an optimizer step in one of
    its loops, or in a helper it calls: `Solver.train()` running `_run_one_epoch(epoch)` each
    epoch), with no `enable_grad` of its own around it?"""
    if any(step.loop.function is function and step.loop.grad is None for step in model.training_steps):
        return True
    if not {"backward", "step"} <= model.reaches(function):
        return False
    # as it calls them: `_run_one_epoch(loader, cross_valid=True)` alone trains nothing
    kinds = {event.kind for event in events_of(model.function_program(function))}
    return Kind.BACKWARD in kinds and Kind.STEP in kinds


def grad_at(model: LoopModel, event: Event, edges: tuple[CallEdge, ...] | None = None) -> str:
    """The grad mode an event runs under, its function's callers (or only `edges`) included."""
    if event.context.grad != "on":
        return event.context.grad
    if (volatile_input(model, event) or _volatile_loader(model, event)) and not on_new_torch(model):
        return "off"
    if _callee_forwards_volatile(model, event):
        return "off"
    if _numpy_proves_no_graph(model, event) or _frozen_before_in_function(model, event):
        return "off"
    outermost = event.context.chain[0] if event.context.chain else None
    if outermost is None:
        if edges is not None:
            return grad_entering(model, event.context.function, edges=edges)
        return model.grad_entering(event.context.function)
    # inlined from callers whose with-blocks were applied: what enters the outermost of them
    entering = _function_of_call(model, event, outermost)
    return grad_entering(model, entering) if entering is not None else "on"


_NEW_TORCH = r"torch\.no_grad|torch\.set_grad_enabled|torch\.inference_mode|torch\.device\(|\.item\(\)"
"""APIs that PyTorch 0.4 brought; `Variable(x, volatile=True)` has done nothing since."""


def _runs_on_new_torch(model: LoopModel) -> bool:
    """Does this file, or a script beside it (scripts of one folder run on the same PyTorch; a
    repository may gather projects of several eras in folders of their own; a notebook tells its
    own), use an API that came with PyTorch 0.4? Then a `volatile=True` input records a graph like
    any other (`loss.data[0]` still ran on 0.4, so it does not date a file before it)."""
    if re.search(_NEW_TORCH, model.text):
        return True
    path = model.ir.path
    if not path or path.endswith(".ipynb"):
        return False  # a notebook runs in a kernel of its own: its cells tell its era
    return model.project.mentions(_NEW_TORCH, model.project.folder_of(path))


def on_new_torch(model: LoopModel) -> bool:
    """Does the file run on PyTorch 0.4 or later, by its own code, its folder's or its importers'?"""
    return _runs_on_new_torch(model) or _imported_by_new_torch_code(model)


def _imported_by_new_torch_code(model: LoopModel) -> bool:
    """Is this file's module imported by a project file that uses what PyTorch 0.4 brought (the
    library's scripts run it on their PyTorch)?"""
    path = model.ir.path
    if not path or path.endswith(".ipynb"):
        return False
    return model.project.mentions(_NEW_TORCH, importers_of=model.project_path)


def forward_takes_gradients(model: LoopModel, cls: ClassInfo, call: CallSite | None) -> bool:
    """Does the model's own forward (or the method called, with the methods of its class it calls)
    take gradients of what it computes (`torch.autograd.grad(psi, y, create_graph=True)` in a
    physics-informed network's forward)? It cannot run without grad: no pass of it could."""
    owner = model.at_class(cls)
    # (`net(x)` runs the forward; `net.predict(x)` the method named)
    name = call.method if call is not None and call.receiver is not None and call.method not in (None, "__call__") else "forward"
    start = owner.method_of(cls, name)
    pending = [start] if start is not None else []
    seen: set[int] = set()
    while pending:
        method = pending.pop()
        if id(method) in seen:
            continue
        seen.add(id(method))
        for simple in method.simples:
            for inner in simple.calls:
                if (inner.dotted or "").endswith("autograd.grad"):
                    return True
                if inner.receiver == "self" and inner.method is not None:
                    found = owner.method_of(cls, inner.method)
                    if found is not None:
                        pending.append(found)
    return False


def wants_input_gradients(model: LoopModel, event: Event) -> bool:
    """`img.requires_grad = True` (or `img.requires_grad_()`, or `delta = torch.zeros(...,
    requires_grad=True)`) earlier in the function, on a value the forward reads, and a gradient
    taken later from what the forward returns (`backward()`, `torch.autograd.grad`, here or in a
    project function or loss module it is handed to): the pass keeps its graph on purpose, to
    differentiate with respect to the input (a saliency map, an attack, a Sobolev loss). Re-running
    the model on the perturbed input only to show its class takes no gradient: no purpose then."""
    call = event.call
    if call is None:
        return False
    function = event.context.function
    placed = model.at(function).ordered_statements(function)
    asking: set[str] = set()
    for index, item in enumerate(placed):
        simple = item.simple
        if any(c is call for c in simple.calls) or any(c.node is event.node for c in simple.calls):
            read = {name for arg in call.args for name in arg.names}
            if not asking or not read & _derived_names(placed[:index], asking):
                return False
            return _gradient_taken_from(model, function, placed[index + 1 :], set(simple.targets), asking)
        for target in simple.targets:
            if target.endswith(".requires_grad") and (simple.value is None or literal_value(simple.value) is not False):
                asking.add(target[: -len(".requires_grad")])
        for made in simple.calls:
            if made.method == "requires_grad_" and made.receiver is not None and "." not in made.receiver:
                first = made.arg(0, "requires_grad")
                if first is None or literal_value(first.node) is not False:
                    asking.add(made.receiver)
            flag = next((arg for arg in made.args if arg.keyword == "requires_grad"), None)
            if flag is not None and literal_value(flag.node) is not False:
                asking.update(simple.targets)
    return False


def _gradient_taken_from(
    model: LoopModel, function: FunctionInfo, after: list[Placed], outputs: set[str], inputs: set[str]
) -> bool:
    """Does a statement of `after` take a gradient from a value computed from `outputs`? A call of
    code that cannot be seen handed both such a value and the input that requires grad
    (`criterion(out, target, img)`) may: it is given all a gradient with respect to the input needs."""
    derived = _derived_names(after, outputs)
    for item in after:
        for call in item.simple.calls:
            used = {name for arg in call.args for name in arg.names} | ({call.receiver.split(".")[0]} if call.receiver else set())
            if not used & derived:
                continue
            if call.method == "backward" or model.takes_gradients(call):
                return True
            target = model.resolve_call(call, function)
            if target is None and call.dotted is not None:
                bound = model.binding(call.dotted, function)
                target = model.method_of(bound.cls, "forward") if bound is not None and bound.cls is not None else None
            if target is not None and (
                "backward" in model.reaches(target)
                or any(model.at(target).takes_gradients(c) for s in target.simples for c in s.calls)
            ):
                return True
            if target is None and used & inputs:
                return True
    return False


def _frozen_before_in_function(model: LoopModel, event: Event) -> bool:
    """`for p in crnn.parameters(): p.requires_grad = False` (or `crnn.requires_grad_(False)`)
    earlier in the function that runs the forward, not undone in between: the older way of
    evaluating without a graph, for this call whatever other functions do to the flags."""
    subject = event.subject
    if subject is None or event.call is None:
        return False
    function = event.context.function
    name = subject.name
    state: bool | None = None
    for placed in model.at(function).ordered_statements(function):
        simple = placed.simple
        if any(c is event.call for c in simple.calls) or any(c.node is event.node for c in simple.calls):
            return state is True
        flag = requires_grad_set(placed, name)
        if flag is not None:
            state = not flag
        if any(t.startswith(f"{name}.") and not t.endswith(".requires_grad") for t in simple.targets) and (
            simple.value_call is not None or _names_a_module(model.at(function), function, simple.value)
        ):
            state = False  # `backbone.fc = nn.Linear(...)` (or `= classifier`, built above): a new part, trainable
    return False


def _names_a_module(model: LoopModel, function: FunctionInfo, value: cst.BaseExpression | None) -> bool:
    """Is the value a name bound to a module (`classifier = nn.Sequential(...)`)?"""
    dotted = dotted_name(value) if value is not None else None
    binding = model.binding(dotted, function) if dotted is not None else None
    return binding is not None and binding.role == MODEL


def _numpy_proves_no_graph(model: LoopModel, event: Event) -> bool:
    """`images = torch.cat([G_ema(z).cpu() for z in zs]).numpy()`: `.numpy()` on a tensor that
    requires grad raises, so a forward whose output reaches `.numpy()` without `.detach()` (or
    `.data`) in between builds no graph when the code runs (its parameters are frozen, or grad is
    off out of sight)."""
    function = event.context.function
    owner = model.at(function)
    placed = owner.ordered_statements(function)
    numpy_calls = [c for p in placed for c in p.simple.calls if c.method == "numpy"]
    for call in numpy_calls:  # (the forward may sit in a comprehension inside the statement)
        if not isinstance(call.node.func, cst.Attribute):
            continue
        within = list(nodes_within(call.node.func.value))
        inside = any(node is event.node for node in within)
        detached = any(isinstance(node, cst.Attribute) and node.attr.value in ("detach", "data", "item", "tolist") for node in within)
        if inside and not detached:
            return True
    # (a forward the project defines shows whether its output carries a graph: `.numpy()` on it
    # then is a crash to report, not a proof; one out of sight, a loaded TorchScript module's,
    # is shown to return none by the code that reads it)
    if event.call is None or owner.resolve_call(event.call, function) is not None:
        return False
    bound = owner.binding(event.subject.name, function) if event.subject is not None and "." not in event.subject.name else None
    if bound is None or bound.cls is not None or bound.classes:
        return False
    return _bound_output_reaches_numpy(placed, event)


_GRAD_KEEPING = frozenset({
    "cpu", "cuda", "to", "squeeze", "unsqueeze", "view", "reshape", "float", "double", "half", "permute",
    "transpose", "contiguous", "clone", "flatten", "softmax", "log_softmax", "sigmoid", "tanh", "exp", "abs", "t",
})
"""Tensor methods whose result requires grad when the tensor does (`.numpy()` on it raises then)."""


def _bound_output_reaches_numpy(placed: list[Placed], event: Event) -> bool:
    """`out = loaded_model.forward(x)`, later `print(out.numpy())` (or `out.cpu().numpy()`, `out[0]
    .numpy()`): the output bound to a name reaches `.numpy()` through methods that keep a graph,
    with the name not bound again in between: it requires no grad when the code runs (or the code
    raises there)."""
    at = next((i for i, p in enumerate(placed) if event.call is not None and any(c is event.call for c in p.simple.calls)), None)
    if at is None:
        return False
    statement = placed[at].simple
    value = statement.node.value if isinstance(statement.node, (cst.Assign, cst.AnnAssign)) else None
    if value is None or _grad_keeping_root(value) is not event.node:
        return False  # (the output itself, or only reshaped or moved: not something computed from it)
    names = {target for target in statement.targets if "." not in target}
    for later in placed[at + 1:]:
        for call in later.simple.calls:
            if call.method == "numpy" and isinstance(call.node.func, cst.Attribute):
                root = _grad_keeping_root(call.node.func.value)
                if isinstance(root, cst.Name) and root.value in names:
                    return True
        names -= set(later.simple.targets)
        if not names:
            return False
    return False


def _grad_keeping_root(node: cst.BaseExpression) -> cst.BaseExpression:
    """What `node` is computed from through grad-keeping methods and slices only (`out` of
    `out[:, 0].cpu()`; a call of anything else, an attribute read, or an element picked out of
    what may be a tuple or dict of outputs, `outputs[0]["labels"]`, is its own root)."""
    while True:
        if isinstance(node, cst.Subscript) and any(isinstance(element.slice, cst.Slice) for element in node.slice):
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _GRAD_KEEPING:
            node = node.func.value
        else:
            return node


def _volatile_loader(model: LoopModel, event: Event) -> bool:
    """`for x, y in val_data: model(x)` where `val_data = DataLoader(..., evaluation=True)` is a
    project class whose `__next__` makes `Variable(..., volatile=self.evaluation)`: the inputs of
    an evaluation in code written for PyTorch before 0.4 record no graph."""
    if event.call is None:
        return False
    function = event.context.function
    owner = model.at(function)
    names = {name for arg in event.call.args for name in arg.names}
    for loop in function.loops:
        if not set(loop.targets) & names:
            continue
        for iterated in loop.iter_names:
            binding = owner.binding(iterated, function)
            if binding is not None and binding.cls is not None and binding.call is not None:
                if _makes_volatile(model.at_class(binding.cls), binding.cls, binding.call):
                    return True
    return False


_ITERATING_METHODS = ("__next__", "next", "__iter__", "__getitem__")


def _makes_volatile(model: LoopModel, cls: ClassInfo, built: CallSite) -> bool:
    """Does the class hand out `Variable(..., volatile=...)` that is True for this instance: a
    literal True, or an attribute set from a constructor parameter this call passes as True?"""
    init = cls.methods.get("__init__")
    for name in _ITERATING_METHODS:
        method = cls.methods.get(name)
        for flag in _volatile_flags(method) if method is not None else ():
            if _is_true(flag.node):
                return True
            param = _parameter_stored_in(init, flag.dotted or "") if init is not None else None
            if param is not None and _is_true(_node_of(built.arg(init.params.index(param) - 1, param))):  # type: ignore[union-attr]
                return True
    return False


def _volatile_flags(function: FunctionInfo) -> Iterable[ArgInfo]:
    """The `volatile=` arguments of the `Variable(...)` calls a function makes, its nested helpers
    included (`def pad(insts): return Variable(..., volatile=evaluation)`)."""
    for body in (function, *function.nested.values()):
        for simple in body.simples:
            for call in simple.calls:
                flag = call.keyword("volatile") if (call.dotted or "").endswith("Variable") else None
                if flag is not None:
                    yield flag


def _is_true(node: cst.CSTNode | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _node_of(arg: ArgInfo | None) -> cst.CSTNode | None:
    return arg.node if arg is not None else None


def _parameter_stored_in(init: FunctionInfo, attribute: str) -> str | None:
    """`self.evaluation = evaluation` in `__init__`: the parameter an attribute holds."""
    if not attribute.startswith("self."):
        return None
    for simple in init.simples:
        if attribute in simple.targets and isinstance(simple.value, cst.Name) and simple.value.value in init.params:
            return simple.value.value
    return None


def _returns_volatile(model: LoopModel, function: FunctionInfo, call: CallSite) -> bool:
    """`src, label = data.get_batch(i, evaluation=True)` where the project method makes
    `Variable(..., volatile=evaluation)`: what it returns records no graph (before PyTorch 0.4)."""
    target = model.resolve_call(call, function)
    if target is None:
        return False
    for flag in _volatile_flags(target):
        if _is_true(flag.node):
            return True
        name = flag.dotted
        if name is not None and name in target.params and _is_true(_node_of(call.arg(target.argument_index(name), name))):
            return True
    return False


def volatile_input(model: LoopModel, event: Event) -> bool:
    """`net(Variable(x, volatile=True))`: PyTorch before 0.4 recorded no graph for volatile inputs.
    The keyword meant nothing else, so a call that is handed it makes such an input too."""
    if event.call is None:
        return False
    owner = model.at(event.context.function)
    for arg in event.call.args:
        calls = [c for c in nodes_within(arg.node) if isinstance(c, cst.Call)]
        statement = _statement_of(event.context.function, event)
        if statement is not None and any(
            c is not event.call and _returns_volatile(owner, event.context.function, c) for c in statement.calls
        ):
            return True  # `G(model.gen_z(64, dim, cuda, True))`
        # (followed back through the tensors it was computed from, a few assignments deep: before
        # 0.4 whatever was computed from a volatile input was volatile, `ins_cut = inputs[:, :k]`)
        for bound in _bindings_behind(owner, event.context.function, arg.names):
            calls.extend(c.node for c in bound.statement.calls)
            if any(_returns_volatile(owner, event.context.function, c) for c in bound.statement.calls):
                return True
        # (`Variable(x, volatile=True)`, or a library helper handed the flag to make one:
        # `ptan.agent.default_states_preprocessor([obs], volatile=True)`)
        if any(_makes_volatile_variable(call) for call in calls):
            return True
    # a parameter every caller gives a volatile Variable (`input_lines_src = Variable(x.data,
    # volatile=True)`, then `self.decode_minibatch(input_lines_src, ...)`)
    function = event.context.function
    parameters = {name for arg in event.call.args for name in arg.names if name in function.params}
    if event.context.chain:
        # (inlined into its caller: the call that reached it says what it was given, also for
        # what the function computed from its parameters: `out = self.features(x)`, `fc(out)`)
        from loopcheck.model import CallEdge

        read = {name for arg in event.call.args for name in arg.names}
        read |= {n for bound in _bindings_behind(owner, function, read) for n in bound.statement.value_names}
        reached = CallEdge(event.context.callers[-1], event.context.chain[-1])
        if any(_passed_volatile(model, function, reached, name) for name in read & set(function.params)):
            return True
    edges = owner.callers(function) if parameters else []
    return bool(edges) and any(
        all(_passed_volatile(model, function, edge, name) for edge in edges) for name in parameters
    )


def _makes_volatile_variable(call: cst.Call) -> bool:
    return any(
        a.keyword is not None and a.keyword.value == "volatile" and isinstance(a.value, cst.Name) and a.value.value == "True"
        for a in call.args
    )


def _passed_volatile(model: LoopModel, function: FunctionInfo, edge: CallEdge, name: str) -> bool:
    """Is the argument a caller gives parameter `name` a volatile Variable, made in the call or
    bound to one (a few assignments deep) in the caller?"""
    arg = edge.call.arg(function.argument_index(name), name)
    if arg is None:
        return False
    if any(isinstance(c, cst.Call) and _makes_volatile_variable(c) for c in nodes_within(arg.node)):
        return True
    return any(
        _makes_volatile_variable(c.node)
        for bound in _bindings_behind(model.at(edge.caller), edge.caller, arg.names) for c in bound.statement.calls
    )


def _bindings_behind(owner: LoopModel, function: FunctionInfo, names: Iterable[str], depth: int = 3) -> Iterator[Binding]:
    """The bindings of the names in the function, then of the names their values read, `depth`
    assignments deep (what a tensor was computed from)."""
    names = set(names)
    seen = set(names)
    for _ in range(depth):
        following: set[str] = set()
        for name in names:
            for bound in owner.roles.bindings_of(name, function):
                yield bound
                following |= set(bound.statement.value_names) - seen
        seen |= following
        names = following
        if not names:
            break


def _callee_forwards_volatile(model: LoopModel, event: Event) -> bool:
    """`model.test()` or `self.forward(split='test')` whose project method runs the network only on
    `Variable(..., volatile=True)` inputs, on the branches the call's arguments leave open (`if split
    == 'train': self.net(Variable(x)) elif split == 'test': self.net(Variable(x, volatile=True))`):
    in code written for PyTorch before 0.4 (neither file uses what 0.4 brought) the method records
    no graph, wherever its call is seen from."""
    call = event.call
    if call is None:
        return False
    target = model.resolve_call(call, event.context.function)
    if target is None or target.name == "<module>":
        return False
    owner = model.at(target)
    if _runs_on_new_torch(model) or on_new_torch(owner):
        return False
    flags = arguments_known(target, call)
    guards = {id(c): p.guards for p in owner.ordered_statements(target) for c in p.simple.calls}
    inner = [
        e for e in owner.function_events_flat(target)
        if e.kind is Kind.MODEL_CALL and e.call is not None and e.context.grad == "on"
        and not any(decide(guard, flags) is False for guard in guards.get(id(e.call), ()))
    ]
    return bool(inner) and all(volatile_input(owner, e) for e in inner)


def _function_of_call(model: LoopModel, event: Event, call: object) -> FunctionInfo | None:
    for function in model.ir.functions:
        if any(c is call for s in function.simples for c in s.calls):
            return function
    return None


# eval mode -----------------------------------------------------------------------------


def eval_mode_reaches(
    model: LoopModel,
    function: FunctionInfo,
    target: Event,
    subject: Subject | None,
    depth: int = 0,
    edges: tuple[CallEdge, ...] | None = None,
) -> bool:
    """Is `subject` in eval mode when `target` runs: set earlier in the function, or by every caller
    (or by every one of `edges`)?"""
    model = model.at(function)
    if depth == 0 and _decorated_eval(model.at(target.context.function), target):
        return True
    # the target as inlined into `function` (its chain of calls from there), when it was
    chain = target.context.chain if target.context.chain and target.context.callers[:1] == (function,) else None
    if _trained_again_in_loop(model, function, target.node, subject, chain):
        return False
    state = _mode_before(model, function, target.node, subject, chain)
    if state is not None:
        return state
    copied = _mode_of_deep_copy(model, subject, depth)
    if copied is not None:
        return copied
    if subject is not None and (
        # (put in eval mode by the constructor of what holds it, or in the mode a setting picks
        # there, `self.net.train(self.is_train)`: not established to be training mode)
        _eval_set_by_constructor(model, function, subject.name, chosen=True)
        # (the name as the function that runs the pass reads it: `predictor.model` of its own
        # `for predictor in self.predictors:`, asked of a caller that enters the pass)
        or (subject.function is not function and _eval_set_by_constructor(model.at(subject.function), subject.function, subject.name, chosen=True))
    ):
        return True
    bound = bound_at(model, function, subject, target.node)
    if _loaded_in_eval_mode(model, bound):
        return True
    if depth > MAX_CALLER_DEPTH:
        return True
    if subject is not None and _built_fresh_before(model, function, target, subject.name, bound):
        return False  # a module built in this function starts in training mode, whoever calls it
    edges = model.callers(function) if edges is None else edges
    if not edges and function.name != "<module>" and subject is not None and model.is_trained(subject) and any(
        step.loop.function is function for step in model.training_steps
    ):
        return False  # a function that trains the model itself (`fit`): it is in the mode it trained in
    if not edges:
        return function.name != "<module>"  # called from where we cannot see: assume it is set
    # a caller that nothing calls (`def eval(opt): ...` left beside `main`) runs only if someone
    # outside calls it: the live callers decide, when there are any
    live = tuple(edge for edge in edges if edge.caller.name == "<module>" or model.at(edge.caller).callers(edge.caller))
    for edge in live or edges:
        caller = model.at(edge.caller)
        if caller.polymorphic(edge.call, edge.caller):
            continue  # one of several classes' methods (`model.sample()` on a GAN or a WGAN): what the
            # receiver's other methods did to its mode cannot be followed; its mode is unknown
        at_call = _event_at(caller, edge.caller, edge.call.node)
        if at_call is None:
            # a call the caller's own flow runs as something that does nothing here (the base
            # class's stub of a method its subclass overrides): the mode is the one at the call
            at_call = Event(Kind.CALL, edge.call.node, caller.function_context(edge.caller), call=edge.call)
        if not eval_mode_reaches(caller, edge.caller, at_call, _as_passed(model, function, edge, subject), depth + 1):
            return False
    return True


def bound_at(model: LoopModel, function: FunctionInfo, subject: Subject | None, node: object) -> Subject | None:
    """A script's or notebook's name bound again and again (`model = NeuralNet(...)` in one cell,
    `model = load_model(path)` in a later one): the subject as the assignment in force at `node`,
    the last call above it that binds it."""
    binding = subject.binding if subject is not None else None
    if subject is None or binding is None or function.name != "<module>" or "." in subject.name or binding.function is not function:
        return subject
    if not isinstance(node, cst.CSTNode):
        return subject
    nearest = model.nearest_binding(subject.name, function, node)
    if nearest is None or nearest is binding or nearest.call is None or not isinstance(nearest.statement.value, cst.Call):
        return subject  # (one taken from another object, `gnn, head = best_model`, is judged as before)
    return Subject(subject.key, subject.name, subject.role, nearest, subject.function, subject.collection)


def _mode_of_deep_copy(model: LoopModel, subject: Subject | None, depth: int) -> bool | None:
    """`best = copy.deepcopy(model)` (also moved: `deepcopy(model).to(device)`): a deep copy is in
    the mode its original had when it was copied, whatever the original does after; None when the
    subject is no such copy. So is a module a library builds around a model given first
    (`tta_model = tta.ClassificationTTAWrapper(model, transforms)`): whether it holds the model or
    copies it, the layers it runs are in the mode the model had then."""
    binding = subject.binding if subject is not None else None
    if binding is None or binding.call is None or depth > MAX_CALLER_DEPTH:
        return None
    copy = binding.call
    while copy.inner is not None and copy.method in RETURNS_SELF - {"eval", "train"}:
        copy = copy.inner  # (as `_built_by`, but a copy switched on the way is no plain copy)
    first = copy.args[0] if copy.inner is None and copy.args and copy.args[0].keyword is None else None
    source = first.dotted if first is not None and (copy.method == "deepcopy" or _library_wrapper(model, binding, copy)) else None
    if source is None or "." in source:
        return None
    owner = model.at(binding.function)
    original = owner.flow.subject(source, binding.function)
    if original is None:
        return None
    if copy.method != "deepcopy" and getattr(owner.binding(source, binding.function), "role", None) != MODEL:
        return None  # (a wrapper of what is not established to be a model: nothing known)
    at_copy = _event_at(owner, binding.function, copy.node) or Event(Kind.CALL, copy.node, owner.function_context(binding.function))
    return eval_mode_reaches(owner, binding.function, at_copy, original, depth + 1)


def _library_wrapper(model: LoopModel, binding: Binding, call: CallSite) -> bool:
    """Is the call a library's constructor (imported, defined nowhere in the project, not torch's
    own: `nn.Sequential(model, head)` adds layers of its own in training mode) that the binding
    holds as a module?"""
    qualified = binding.qualified or ""
    if not qualified or qualified.split(".", 1)[0] in ("torch", "copy") or call.dotted is None:
        return False
    if model.at(binding.function).definition(call.dotted, binding.function) is not None:
        return False
    return binding.role == MODEL or role_from_name(binding.name.rsplit(".", 1)[-1]) == MODEL


def _decorated_eval(model: LoopModel, event: Event) -> bool:
    """`@eval_decorator def generate(self, ...)`: a project decorator whose wrapper puts the model it
    is called on in eval mode (`def inner(model, *a): model.eval(); out = fn(model, *a); ...`)."""
    if event.call is None:
        return False
    method = model.resolve_call(event.call, event.context.function)
    if method is None:
        return False
    owner = model.at(method)
    for decorator in method.decorators:
        name = decorator.dotted if isinstance(decorator, CallSite) else decorator
        wrapper = owner.definition(name, method) if name else None
        if isinstance(wrapper, FunctionInfo) and any(_evals_first_parameter(inner) for inner in wrapper.nested.values()):
            return True
    return False


def _evals_first_parameter(function: FunctionInfo) -> bool:
    first = function.params[0] if function.params else None
    return first is not None and any(
        call.method == "eval" and call.receiver == first and not call.args for simple in function.simples for call in simple.calls
    )


def _as_passed(model: LoopModel, function: FunctionInfo, edge: CallEdge, subject: Subject | None) -> Subject | None:
    """The caller's name for a parameter: `validation(model, ...)`'s `model` is the `net` that a
    caller passes as `validation(net, ...)`."""
    if subject is None:
        return subject
    if rebinds(subject.binding, subject.name, function):
        return subject  # `model = GCNInference(weights)` in the callee: not what the caller passed
    head, dot, rest = subject.name.partition(".")
    argument: str | None = None
    offset = 1 if function.cls is not None and function.params[:1] == ("self",) else 0
    if head == "self" and offset:
        argument = edge.call.receiver if edge.call.method == function.name else None
    elif head in function.params:
        index = function.argument_index(head)
        arg = edge.call.arg(index, head) if index >= 0 else None
        argument = arg.dotted if arg is not None else None
    caller = model.at(edge.caller)
    if argument is None:
        return subject
    root = argument.split(".")[0]
    # `model = DataParallel(model).to(device)` wraps the same object; other rebindings may be another
    # (`best = None` before the loop that keeps the best copy: a placeholder no forward can run)
    values = [
        b for b in caller.roles.bindings_of(root, edge.caller)
        if root not in b.statement.value_names and not binds_none(b.statement)
    ]
    if len(values) > 1 and not _alternative_arms(caller, edge.caller, values):
        return subject  # several objects may reach the call under that name: the callee's view stands
    # (one built in each arm of a branch, `if backbone == 'resnet18': model = ... elif ...`: one object)
    mapped = caller.flow.subject(argument + dot + rest, edge.caller)
    return mapped if mapped is not None else subject


def _alternative_arms(model: LoopModel, function: FunctionInfo, bindings: list[Binding]) -> bool:
    """Are the bindings made in different arms of branches, so that one run makes only one of them?"""
    guards = {id(p.simple): p.guards for p in model.ordered_statements(function)}
    seen = [guards.get(id(b.statement)) for b in bindings]
    if any(not g for g in seen):
        return False
    return len({tuple(g) for g in seen}) == len(seen)


def _loaded_in_eval_mode(model: LoopModel, subject: Subject | None) -> bool:
    """`from_pretrained` returns a model in eval mode, and so does a project function that calls
    `eval()` on the model it returns (`model = load_model(path)`); it stays so unless this file
    calls train()."""
    binding = subject.binding if subject is not None else None
    if binding is None:
        return False
    # (`get_model(args, train=False).to(device)`: the factory is the call the move is made on)
    factory = model.definition(_built_by(binding.call).dotted, binding.function) if binding.call is not None else None
    if binding.call is not None and not isinstance(factory, (FunctionInfo, ClassInfo)):
        # `self.seg_model, self.cls_model = self.initModels()`: a method of the class, or one the call resolves to
        factory = model.resolve_call(_built_by(binding.call), binding.function) or factory
    targets = binding.statement.targets
    element = (targets.index(binding.name), len(targets)) if len(targets) > 1 and binding.name in targets else None
    from_factory = isinstance(factory, FunctionInfo) and _returns_eval_model(model.at(factory), factory, element)
    built_in_eval = _evaluated_in_chain(binding.call)  # `Net().eval()`, `Net().eval().to(device)`
    # `torch.load(path)`, `clip.load(name)`: a whole model unpickled or handed back by a library
    # loader comes in the mode it was saved or set in, which cannot be seen from here
    loaded_whole = factory is None and binding.call is not None and re.match(r"load(_|$)", _built_by(binding.call).method or "")
    loaded_whole = loaded_whole or _taken_from_unpickled(model, binding)
    if not from_factory and not built_in_eval and not loaded_whole and not (binding.qualified or "").endswith("from_pretrained"):
        return False
    # (a helper called only from this file's functions is judged inlined in their runs, where what
    # follows the call is seen)
    own = {id(function) for function in model.ir.functions}
    return not any(
        _leaves_training(model, events, index, subject)
        for function in model.ir.functions
        if not (callers := model.callers(function)) or any(id(edge.caller) not in own for edge in callers)
        for events in [model.function_events_flat(function)]
        for index in range(len(events))
    )


def _leaves_training(model: LoopModel, events: list[Event], index: int, subject: Subject) -> bool:
    """Is the event at `index` a switch that may put `subject` (or a part of it) in training mode
    and leave it so: not followed, later in the same run, by `eval()` of the subject itself under
    no condition the switch is not under (`_enable_dropout(model)` for MC-dropout passes, then
    `model.eval()` to restore)?"""
    event = events[index]
    if event.kind not in (Kind.TRAIN, Kind.MODE_UNKNOWN) or not model.may_be(event.subject, subject):
        return False
    return not any(
        later.kind is Kind.EVAL and later.subject is not None and later.subject.binding is not None
        and subject.binding is not None and model.may_be(later.subject, subject)  # (two bound names: one object)
        and set(later.context.guards) <= set(event.context.guards)
        and later.loop is None
        for later in events[index + 1:]
    )


def _taken_from_unpickled(model: LoopModel, binding: Binding) -> bool:
    """`net = torch.load(path)["model"].to(device)`, or `ckpt = torch.load(path)` then `net =
    ckpt["net"]`: an object taken out of what a loader unpickled is a whole model too, in the mode
    it was saved in (a state dict would be loaded into a model, not called)."""
    value = binding.statement.value
    subscripted = False
    while True:
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in RETURNS_SELF:
            value = value.func.value  # `.to(device)`, `.cuda()`
        elif isinstance(value, cst.Subscript):
            value, subscripted = value.value, True
        else:
            break
    if not subscripted:
        return False
    owner = model.at(binding.function)
    if isinstance(value, cst.Name):
        source = owner.roles.lookup(value.value, binding.function)
        call = source.call if source is not None and source.statement.value is not None else None
        if call is None or not isinstance(source.statement.value, cst.Call):
            return False
        call = _built_by(call)
    elif isinstance(value, cst.Call):
        call = next((c for c in binding.statement.calls if c.node is value), None)
        if call is None:
            return False
    else:
        return False
    # (a project function named `load_model` is read for what it returns, not taken for a loader)
    return re.match(r"load(_|$)", call.method or "") is not None and model.definition(call.dotted, binding.function) is None


def _evaluated_in_chain(call: CallSite | None) -> bool:
    """Is `eval()` one of the calls chained onto the construction (`Net().eval().to(device)`)?"""
    while call is not None:
        if call.method == "eval" and not call.args:
            return True
        call = call.inner if call.method in RETURNS_SELF else None
    return False


def _returns_eval_model(model: LoopModel, function: FunctionInfo, element: tuple[int, int] | None = None) -> bool:
    """Does the function hand back a model in eval mode (for `element`, (index, count), the element
    of the tuple it returns that the caller unpacks: `eff, res, ckpt = load_models()`)?"""
    values = [s.value for s in function.simples if s.jump == "return" and s.value is not None]
    if element is not None:
        index, count = element
        values = [
            v.elements[index].value for v in values
            if isinstance(v, cst.Tuple) and len(v.elements) == count and not any(isinstance(e, cst.StarredElement) for e in v.elements)
        ]
        if not values:
            return False
    if any(_switched_to_eval_in_chain(value) for value in values):
        return True  # `return generator.eval()`, `return eff.eval(), res.eval(), ckpt` (`.eval()` hands back the module itself)
    returned = {
        part.value
        for value in values
        for part in ([value] if not isinstance(value, cst.Tuple) else [e.value for e in value.elements])
        if isinstance(part, cst.Name)
    }
    if not returned:
        return False
    # (`best_model = copy.deepcopy(model)` or `best_model = model` in the validation phase: what
    # is returned is in the mode the model it copies was switched to)
    for _ in range(2):
        for s in function.assignments:
            if len(s.targets) == 1 and s.targets[0] in returned and s.value is not None:
                source = _copied_model_name(s.value)
                if source is not None:
                    returned.add(source)
    state: bool | None = None
    for event in model.function_events_flat(function):
        if event.kind in (Kind.EVAL, Kind.TRAIN, Kind.MODE_UNKNOWN) and event.subject is not None and event.subject.name in returned:
            state = event.kind is Kind.EVAL
    if state is None and any(
        len(s.targets) == 1 and s.targets[0] in returned and s.value is not None and _switched_to_eval_in_chain(s.value)
        for s in function.assignments
    ):
        # `model = mode(model, True).eval()`, then `return model`: `eval()` hands back the module
        # whatever the call it is made on (a project helper moving it to the GPU), in eval mode
        return True
    return bool(state)


def _switched_to_eval_in_chain(value: cst.BaseExpression) -> bool:
    """`net.eval()`, `net.to(device).eval()`, `net.eval().to(device)`: a chain of calls on a module
    that switches it to eval mode on the way."""
    while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        if value.func.attr.value == "eval" and not value.args:
            return True
        value = value.func.value
    return False


def _copied_model_name(value: cst.BaseExpression) -> str | None:
    """The plain name an assignment copies or rebinds (`model`, `copy.deepcopy(model)`,
    `deepcopy(model).to(device)`)."""
    while isinstance(value, cst.Call):
        name = dotted_name(value.func) or ""
        if name.rsplit(".", 1)[-1] == "deepcopy" and value.args:
            value = value.args[0].value
        elif isinstance(value.func, cst.Attribute) and value.func.attr.value in RETURNS_SELF - {"eval", "train"}:
            value = value.func.value
        else:
            return None
    return value.value if isinstance(value, cst.Name) else None


def _built_fresh_before(model: LoopModel, function: FunctionInfo, target: Event, name: str, bound: Subject | None = None) -> bool:
    """Is the model constructed in this function before the target runs: `net = Net()`, or
    `trainer = Trainer(...)` whose `__init__` builds `self.model = BERTLM(...)`? Nothing its
    callers did can have changed its mode then."""
    head, *path = name.split(".")
    if head == "self" or len(path) > 1:
        return False
    binding = model.roles.lookup(head, function)
    if bound is not None and bound.name == head and bound.binding is not None:
        binding = bound.binding  # (a script's name: the assignment in force at the call)
    if binding is None or binding.function is not function or binding.cls is None or binding.call is None:
        return False
    if binding.alias is not None or not any(c is binding.call for c in binding.statement.calls):
        return False  # `model = self.model`: an object built elsewhere, in whatever mode it is now
    if path:
        if model.is_module_class(binding.cls):
            return False
        owner = model.at_class(binding.cls)
        held = owner.roles.attributes.get(id(binding.cls), {}).get(f"self.{path[0]}", [])
        attribute = f"self.{path[0]}"
        if not held or any(
            b.alias is not None or b.function.name != "__init__" or (b.cls is None and not _rewraps(b, attribute)) for b in held
        ):
            return False
    elif not model.is_module_class(binding.cls):
        return False
    order = {id(placed.simple): index for index, placed in enumerate(model.ordered_statements(function))}
    built = order.get(id(binding.statement))
    statement = _statement_of(function, target) if target.call is not None else None
    runs = order.get(id(statement)) if statement is not None else None
    return built is not None and runs is not None and built < runs


def _rewraps(binding: Binding, name: str) -> bool:
    """`self.model = nn.DataParallel(self.model)`: the same module, wrapped."""
    call = binding.call
    return (
        call is not None and (call.dotted or "").rsplit(".", 1)[-1] in _PARALLEL_WRAPPERS
        and bool(call.args) and call.args[0].dotted == name
    )


def _eval_set_by_constructor(model: LoopModel, function: FunctionInfo, name: str, chosen: bool = False) -> bool:
    """`self.model.eval()` in the `__init__` of the class that holds the model (also through an
    object held by `self`: `self.lm.model`), and no method puts it back in training mode. A switch
    of a module covers its parts: `self.model.eval()` in a predictor's `__init__` puts
    `self.model.encoder` in eval mode too. A name a loop binds to each element of a list the
    project fills with instances (`for predictor in self.predictors: predictor.model(x)`) holds
    one of those classes: each must put the model in eval mode. With `chosen`, a mode a setting
    picks there (`self.net.train(self.is_train)`) counts too: which mode the pass runs in is then
    the caller's choice, not established."""
    head, *path = name.split(".")
    if not path:
        return False
    if head == "self" and function.cls is not None:
        return _held_in_eval_mode(model, function.cls, path, chosen)
    owner = model.binding(head, function)
    if owner is not None and owner.cls is not None:
        return _held_in_eval_mode(model, owner.cls, path, chosen)
    elements = _iterated_element_classes(model, function, head)
    return bool(elements) and all(_held_in_eval_mode(model, cls, path, chosen) for cls in elements)


def _held_in_eval_mode(model: LoopModel, cls: ClassInfo | None, path: list[str], chosen: bool = False) -> bool:
    """Does the constructor of `cls` (or of the class of an attribute along `path`) put the object
    at the end of `path` in eval mode for good (see `_eval_set_by_constructor`)?"""
    while cls is not None and path:
        if _init_puts_in_eval_mode(model.at_class(cls), cls, f"self.{path[0]}", chosen):
            return True
        if len(path) == 1:
            return False
        holder = model.at_class(cls)
        held = [b for c in holder.class_chain(cls) for b in holder.at_class(c).roles.attributes.get(id(c), {}).get(f"self.{path[0]}", [])]
        cls = next((b.cls for b in held if b.cls is not None), None)
        path = path[1:]
    return False


def _iterated_element_classes(model: LoopModel, function: FunctionInfo, name: str) -> list[ClassInfo] | None:
    """The project classes of what a loop of the function binds `name` to, when it goes through a
    list the project fills with instances of them (`for predictor in self.predictors:`)."""
    for loop in function.loops:
        if loop.targets == (name,) and isinstance(loop.node, cst.For):
            container = loop.iter_text
            if container.isidentifier() or (container.startswith("self.") and container[5:].isidentifier()):
                return model.element_classes(container, function)
    return None


def _init_puts_in_eval_mode(model: LoopModel, cls: ClassInfo, attribute: str, chosen: bool = False) -> bool:
    """Does the class's `__init__` put `self.<attribute>` in eval mode (with `chosen`, or in the mode
    a setting picks: `self.net.train(self.is_train)`), with no method of the class putting it (or a
    part of it) back in training mode?"""
    init = model.method_of(cls, "__init__")
    if init is None:
        return False
    names = {attribute} | {b.alias for b in model.roles.attributes.get(id(cls), {}).get(attribute, []) if b.alias is not None}
    for method in cls.methods.values():
        for event in model.function_events_flat(method):
            if event.kind is Kind.TRAIN and event.subject is not None and (
                event.subject.name in names or any(event.subject.name.startswith(n + ".") for n in names)
            ):
                return False
    if _handed_in_model_trained_by_builders(model, init, names):
        return False
    kinds = (Kind.EVAL, Kind.MODE_UNKNOWN) if chosen else (Kind.EVAL,)
    return any(
        e.kind in kinds and e.subject is not None and e.subject.name in names
        for e in model.at(init).function_events_flat(init)
    )


def _handed_in_model_trained_by_builders(model: LoopModel, init: FunctionInfo, names: set[str]) -> bool:
    """Is the model a constructor keeps a parameter of it (`self.model = model` in
    `Evaluator.__init__`), handed in by code that puts that same model in training mode (the
    trainer building `Evaluator(self.model, ...)`, whose epochs call `self.model.train()`)? The
    model is shared: the constructor's `eval()` holds only until that code trains it again."""
    params = {name for name in names if name in init.params}
    if not params:
        return False
    for edge in model.callers(init):
        caller = edge.caller
        owner = model.at(caller)
        handed = {dotted for parameter, dotted in arguments_passed(init, edge.call) if parameter in params}
        if not handed:
            continue
        # (the builder's class's methods, or the builder alone for a function of no class)
        functions = list(caller.cls.methods.values()) if caller.cls is not None else [caller]
        for function in functions:
            for event in owner.function_events_flat(function):
                if event.kind is Kind.TRAIN and event.subject is not None and any(
                    event.subject.name == name or name.startswith(event.subject.name + ".") for name in handed
                ):
                    return True
    return False


def covers(switched: Subject | None, subject: Subject | None, model: LoopModel) -> bool:
    """Does a mode switch of `switched` apply to `subject`: the same object, or a module inside it
    (`model.eval()` covers `model.encoder`)?"""
    if switched is not None and subject is not None and subject.name.startswith(switched.name + "."):
        return True
    if _part_named(model, subject, switched) or _part_of_switched_object(model, switched, subject):
        return True  # `features = model.features` after `model.eval()`: a part of the switched model
    if switched is not None and subject is not None:
        # `model = srgan_generator` after `srgan_generator.eval()`: two names of one object
        for one, other in ((subject, switched), (switched, subject)):
            if one.binding is not None and other.name in (one.binding.alias, one.binding.wraps):
                return True  # (or `parallel_model = nn.DataParallel(model)`: one holds the other)
    if _held_by(switched, subject, model):
        return True
    return model.may_be(switched, subject)


_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict"})


def _held_by(switched: Subject | None, subject: Subject | None, model: LoopModel | None = None) -> bool:
    """Is the subject a module the switched one holds: built into it (`model = nn.Sequential(gnn,
    classifier)`, `nn.ModuleList([enc, dec])`), or unpacked from it (`gnn, classifier = best_model`)?"""
    if switched is None or subject is None or switched.binding is None:
        return False
    head = subject.name.split(".", 1)[0]
    call = switched.binding.call
    while call is not None and call.inner is not None and call.method in RETURNS_SELF:
        call = call.inner
    if call is not None and call.inner is None and (call.dotted or "").rsplit(".", 1)[-1] in _CONTAINERS:
        if any(head in arg.names for arg in call.args):
            return True
    bindings = [subject.binding] if subject.binding is not None else []
    if model is not None and "." not in subject.name:
        # (a script's name bound again: `gnn = GNN(...)` first, `gnn, classifier = best_model` later)
        bindings = model.at(subject.function).roles.bindings_of(subject.name, subject.function) or bindings
    return any(
        len(bound.statement.targets) > 1 and isinstance(bound.statement.value, cst.Name)
        and bound.statement.value.value == switched.name
        for bound in bindings
    )


def _mode_before(
    model: LoopModel, function: FunctionInfo, node: object, subject: Subject | None, chain: tuple[CallSite, ...] | None = None
) -> bool | None:
    """True (eval or unknown mode) or False (train mode) as last set before `node` in source order; None if never set.
    With `chain`, only the instance of `node` reached through those calls counts (a helper called
    twice, for training and then for validation, is inlined twice)."""
    state: bool | None = None
    setter: Event | None = None
    events = model.function_events_flat(function)
    if isinstance(node, cst.CSTNode) and not any(_is_target(event, node, chain) for event in events):
        # a call the flow runs as nothing (a base class's stub of a method a subclass overrides,
        # `self._validate()` between `self.model.eval()` and `self.model.train()`): what is set
        # before it in source order
        events = [event for event in events if _starts_before(model, event.node, node)]
    # (a switch in an arm the target's arm excludes, `if args.training: model.fit(...)` / `elif
    # args.testing: model.test(...)`, never runs before it)
    target = next((event for event in events if _is_target(event, node, chain)), None)
    guards = target.context.guards if target is not None else ()
    for event in events:
        if _is_target(event, node, chain):
            return state
        if guards and not same_branch(event.context.guards, guards):
            continue
        if event.kind in (Kind.EVAL, Kind.TRAIN, Kind.MODE_UNKNOWN) and covers(event.subject, subject, model):
            # a train() on what may be another object (`for obj in [loss_module, critic]: obj.train()`
            # in a helper) leaves the mode unknown, not in training
            now = event.kind is not Kind.TRAIN or not _surely_covers(model, event.subject, subject)
            if state is not None and setter is not None and _exclusive_arms(setter, event):
                # `if optimizer is not None: model.train() else: model.eval()`: the test chooses the
                # mode (each caller's flag decides it); either arm may be the one in force
                now = now or state
            state, setter = now, event
    return state


def _exclusive_arms(one: Event, other: Event) -> bool:
    """Are the two events in arms of one test that exclude each other (`c` and `not (c)`)?"""
    return not same_branch(one.context.guards, other.context.guards)


_GUARD_WORDS = lazy(r"[A-Za-z_]\w*")
_GUARD_KEYWORDS = frozenset({"not", "and", "or", "is", "in", "None", "True", "False", "self"})


def _trained_again_in_loop(
    model: LoopModel, function: FunctionInfo, node: object, subject: Subject | None, chain: tuple[CallSite, ...] | None
) -> bool:
    """`for x, y in loader: out = model(x); ...; model.train()`: a train() later in the body of a
    loop around the pass, with no switch before the pass in that body, puts the model in training
    mode for the pass of every iteration after the first, whatever was set before the loop. The
    innermost loop with a switch decides. A train() under a condition the pass is not under counts
    only when the condition tests the function's parameters (a flag its callers pass, `if vali:`),
    not a state of the iteration (`if i == len(loader) - 1:` restores the mode on the last one)."""
    loops: list[list[Event]] = []
    flat_loops: dict[int, object] = {}  # (each flattened body's loop node)
    events = model.function_events(function)
    while True:
        around = next((e for e in events if e.kind is Kind.LOOP and any(_is_target(i, node, chain) for i in e.flatten())), None)
        if around is None:
            break
        loops.append(list(around.flatten())[1:])
        flat_loops[id(loops[-1])] = around.node
        events = list(around.contents)
    for flat in reversed(loops):
        index = next(i for i, e in enumerate(flat) if _is_target(e, node, chain))
        switches = [
            (i, e) for i, e in enumerate(flat)
            if e.kind in (Kind.EVAL, Kind.TRAIN, Kind.MODE_UNKNOWN) and covers(e.subject, subject, model)
        ]
        if any(i < index for i, _ in switches):
            return False  # set anew in each iteration before the pass
        if switches:
            last = switches[-1][1]
            if last.kind is not Kind.TRAIN or not _surely_covers(model, last.subject, subject):
                return False
            if _leaves_the_loop_after(function, flat_loops[id(flat)], last):
                return False  # `model.train()`, then `return` (or `break`): no later iteration runs the pass
            extra = set(last.context.guards) - set(flat[index].context.guards)
            parameters = set(last.context.function.params)
            return all(
                set(_GUARD_WORDS.findall(guard)) - _GUARD_KEYWORDS <= parameters for guard in extra
            )
    return False


def _leaves_the_loop_after(function: FunctionInfo, loop_node: object, switch: Event) -> bool:
    """Does every path from the switch's statement leave the loop before its next iteration: a
    `return` or `break` later in a block around the switch, inside the loop's body (`if i == 2:
    ...; model.train(); return`)?"""
    loop = next((l for l in function.loops if l.node is loop_node), None)
    if loop is None:
        return False
    anchor = switch.context.chain[0].node if switch.context.chain and switch.context.callers[:1] == (function,) else switch.node
    path = _blocks_to(loop.body, anchor)
    if path is None:
        return False
    for block, index in path:
        for later in block[index + 1:]:
            if isinstance(later, Simple) and later.jump in ("return", "break") and not (later.jump == "break" and _breaks_inner_loop(path, block)):
                return True
    return False


def _blocks_to(block: Block, node: object) -> list[tuple[Block, int]] | None:
    """The blocks from `block` down to the simple statement that holds `node`, each with the index
    of the statement that leads there; None when the node is not in the block."""
    for index, stmt in enumerate(block):
        if isinstance(stmt, Simple):
            if any(call.node is node for call in stmt.calls) or stmt.node is node:
                return [(block, index)]
            continue
        for part in inner_blocks(stmt):
            inner = _blocks_to(part, node)
            if inner is not None:
                return [(block, index), *inner]
    return None


def _breaks_inner_loop(path: list[tuple[Block, int]], block: Block) -> bool:
    """Is the block (on the path) inside a loop nested in the loop searched: its `break` ends that
    inner loop only?"""
    for outer, index in path:
        if outer is block:
            return False
        if isinstance(outer[index], Loop):
            return True
    return False


def _is_target(event: Event, node: object, chain: tuple[CallSite, ...] | None) -> bool:
    return event.node is node and (chain is None or _same_chain(event.context.chain, chain))


def _surely_covers(model: LoopModel, switched: Subject | None, subject: Subject | None) -> bool:
    """Is the switched object surely the subject or a module holding it: the same name, a prefix
    of it, one bound as an alias or wrapper of the other, or the same binding?"""
    if switched is None or subject is None:
        return False
    if subject.name == switched.name or subject.name.startswith(switched.name + ".") or _part_named(model, subject, switched):
        return True
    if _part_of_switched_object(model, switched, subject):
        return True
    if _held_by(switched, subject, model):
        return True
    for one, other in ((subject, switched), (switched, subject)):
        if one.binding is not None and other.name in (one.binding.alias, one.binding.wraps):
            return True
    return switched.binding is not None and switched.binding is subject.binding


def _part_of_switched_object(model: LoopModel, switched: Subject | None, subject: Subject | None) -> bool:
    """Is the subject a part (`model.encoder`) of the very object switched under another name
    (`self.model.eval()` in a trainer's method, run on the `model` its constructor was given:
    the switch's subject is bound where `model` is)?"""
    if switched is None or subject is None or switched.binding is None or "." not in subject.name:
        return False
    root = model.at(subject.function).flow.subject(subject.name.split(".", 1)[0], subject.function)
    return root is not None and root.binding is switched.binding


def _part_named(model: LoopModel, subject: Subject | None, switched: Subject | None) -> bool:
    """Is the subject a name bound to a part of the switched model (`features = model.features`)?"""
    if subject is None or switched is None:
        return False
    bound = model.at(subject.function).roles.lookup(subject.name, subject.function)
    alias = bound.alias if bound is not None else None
    return alias is not None and alias.startswith(switched.name + ".")


def _same_chain(one: tuple[CallSite, ...], other: tuple[CallSite, ...]) -> bool:
    return len(one) == len(other) and all(a.node is b.node for a, b in zip(one, other))


def train_mode_on_purpose(model: LoopModel, function: FunctionInfo, node: object, subject: Subject | None) -> bool:
    """`model.train()` and then, with no backward or step in between, a pass: training mode is
    wanted there (batch-norm statistics recomputed after weight averaging, Monte Carlo dropout)."""
    model = model.at(function)
    events = model.function_events_flat(function)
    forward = next((e for e in events if e.node is node), None)
    if forward is None:
        return False
    switched: int | None = None
    for index, event in enumerate(events):
        if event is forward:
            break
        if event.kind in (Kind.EVAL, Kind.TRAIN, Kind.MODE_UNKNOWN) and covers(event.subject, subject, model):
            # written where the forward is (the pass, or a helper that both switches and runs it:
            # batch-norm statistics recomputed); a helper that ends with `net.train()` (an attack
            # shared with training) restores the mode its training callers need: not on purpose
            explicit = (
                event.kind is Kind.TRAIN and not (event.call is not None and event.call.args)
                and event.context.function is forward.context.function
            )
            switched = index if explicit else None
    # no training follows the switch in this function before the mode is switched again: not
    # `model.train()` at the top of a shared `run_epoch(..., train)` whose backward sits under `if
    # train:`, but AdaBN's `model.train()`, forwards, `model.eval()`, and later the epoch's training
    if switched is None:
        return False
    for event in events[switched + 1:]:
        if event.kind in (Kind.BACKWARD, Kind.STEP):
            return False
        if event is not forward and event.kind in (Kind.EVAL, Kind.TRAIN, Kind.MODE_UNKNOWN) and covers(event.subject, subject, model):
            return events.index(forward) < events.index(event)
    return True


def repeated_on_the_same_input(model: LoopModel, evaluation: EvaluationPass) -> bool:
    """A pass that runs the model again and again on one input (`for i in range(50):
    predictions.append(net(x_test))`, then their mean): the outputs differ only if the model is
    random, so the repetition samples it in training mode on purpose (Monte Carlo dropout). The
    pass's loop counts (`range(...)`), trains nothing between its forwards (an epoch loop sampling
    `G(fixed_noise)` runs a model that changes), the forward reads nothing the loop binds or
    assigns, and its outputs are gathered across the iterations (appended, or added up)."""
    loop, call = evaluation.loop, evaluation.first_call.call
    if loop is None or call is None or evaluation.first_call.context.chain or not loop.iter_text.startswith("range("):
        return False
    if model.kinds_in(loop) & {Kind.BACKWARD, Kind.STEP}:
        return False
    read = {name for arg in call.args for name in arg.names}
    if not read:
        return False
    if read & bound_in_iteration(loop):
        return False
    # the samples are gathered (`preds.append(p)`, `total += p`), not each one used and dropped
    simples = list(simples_of(loop.body))
    holding = next((s for s in simples if any(c is call for c in s.calls)), None)
    outputs = set(holding.targets) if holding is not None else set()
    for simple in simples:
        gathered = any(
            c.method in ("append", "extend") and c.inner is None
            and any(arg.node is call.node or _reads(arg.node, outputs) for arg in c.args)
            for c in simple.calls
        )
        if gathered or (simple.augmented and simple.value is not None and (simple is holding or _reads(simple.value, outputs))):
            return True
    return False


def acts_between_own_updates(model: LoopModel, evaluation: EvaluationPass) -> bool:
    """A method, called only from loops that train (or from outside the project), of a class whose
    other methods train that same model (`self.model` run and backwarded in `update()`): the object
    acts between its own updates (an agent choosing actions, NoisyNet noise on purpose), in the
    mode its training leaves; no evaluation mode is missing there."""
    function = evaluation.function
    subject = evaluation.first_call.subject
    if function.cls is None or subject is None or not subject.name.startswith("self."):
        return False
    if evaluation.entered_by is not None or "backward" in model.at(function).reaches(function):
        return False  # a helper shared by training and evaluation (`_run_batch(x, y, train=False)`)
    if not all(_called_where_training(model, edge) for edge in model.callers(function)):
        return False  # (called from a loop that does not train: a test rollout, an evaluation)
    owner = model.at(function)
    for method in function.cls.methods.values():
        if method is function or not {"backward", "step"} <= owner.reaches(method):
            continue
        events = owner.function_events_flat(method)
        if any(e.kind is Kind.BACKWARD for e in events) and any(
            e.kind is Kind.MODEL_CALL and e.subject is not None and e.subject.name == subject.name for e in events
        ):
            return True
    return False


def _called_where_training(model: LoopModel, edge: CallEdge) -> bool:
    """Is the call made in a loop whose iteration itself trains (`action = agent.get_action(s)`
    then `agent.update(batch)`)? Not in an epoch loop whose training runs in a loop of its own
    (`self.train_epoch(loader)`, then `self.evaluate()`): that call comes after the epoch's
    training, as an evaluation does."""
    caller = model.at(edge.caller)
    at = next((p for p in caller.ordered_statements(edge.caller) if any(c is edge.call for c in p.simple.calls)), None)
    steps = {id(step.loop) for step in caller.training_steps}
    return at is not None and any(id(loop) in steps for loop in at.loops)


def _event_at(model: LoopModel, function: FunctionInfo, node: object) -> Event | None:
    """The event of a call in the function: the call's own, else the first event of the helper it
    runs inlined there (`evaluate(model, ...)` in a script that inlines `evaluate`)."""
    events = model.function_events_flat(function)
    found = next((e for e in events if e.node is node), None)
    if found is None:
        found = next((e for e in events if e.context.chain and e.context.chain[0].node is node), None)
    return found


# what a model holds --------------------------------------------------------------------


def _filled_with_mode_layers(model: LoopModel, binding: Binding) -> bool:
    """`nn.Sequential(*layers)` or `nn.ModuleList(layers)` where the function put a dropout or
    batch norm into `layers` (`layers.append(nn.Dropout(p))`, `layers = [..., nn.BatchNorm1d(n)]`,
    `layers += [...]`): the container holds what its list was filled with."""
    call = _built_by(binding.call) if binding.call is not None else None
    lists = {name for arg in (call.args if call is not None else ()) if (name := _list_given(arg.node)) is not None}
    if not lists:
        return False
    for simple in binding.function.simples:
        for filled in simple.calls:
            if filled.receiver in lists and filled.method in APPENDING_METHODS and _MODE_LAYERS.search(model.code(filled.node)):
                return True
        if set(simple.targets) & lists and simple.value is not None and (
            _MODE_LAYERS.search(model.code(simple.value)) or _children_of_unseen_model(model, binding.function, simple)
        ):
            return True
    return False


def _list_given(node: cst.BaseExpression) -> str | None:
    """The name of the list a container is built from: `layers`, `*layers`, `*layers[:-3]`."""
    if isinstance(node, cst.StarredElement):
        node = node.value
    if isinstance(node, cst.Subscript):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _children_of_unseen_model(model: LoopModel, function: FunctionInfo, simple: Simple) -> bool:
    """`modules = list(resnet18(pretrained=True).children())`: the parts of a model built by a
    library (or a factory) whose class cannot be seen, which may hold batch norm or dropout."""
    parts = [c for c in simple.calls if c.method in ("children", "modules") and c.inner is not None and not c.args]
    return any(
        (made := _built_by(part.inner)).dotted is not None and model.definition(made.dotted, function) is None
        and (made.dotted.split(".", 1)[0] in model.ir.imports or made.dotted.split(".", 1)[0] in model.ir.import_refs)
        for part in parts
    )


def _passed_may_hold_mode_layers(model: LoopModel, subject: Subject, depth: int) -> bool:
    """Does a call of the function give the parameter an object that may hold Dropout or BatchNorm
    (each caller's own name for it, judged in the caller)?"""
    function = subject.function
    if depth <= 0 or subject.name not in function.params:
        return False
    index = function.argument_index(subject.name)
    for edge in model.callers(function):
        arg = edge.call.arg(index, subject.name) if index >= 0 else None
        if arg is None or arg.dotted is None:
            continue
        caller = model.at(edge.caller)
        given = caller.flow.subject(arg.dotted, edge.caller)
        if given is not None and may_hold_mode_layers(caller, given, depth - 1):
            return True
    return False


def may_hold_mode_layers(model: LoopModel, subject: Subject | None, depth: int = 3) -> bool:
    """Could the model behave differently in train and eval mode? True for a library model or
    factory whose class cannot be seen; False when nothing visible builds it (nothing to judge)."""
    binding = subject.binding if subject is not None else None
    if subject is not None and "." not in subject.name and subject.name in subject.function.params and (
        model.at(subject.function).flow.functions_passed(subject.name, subject.function)
    ):
        return False  # `rnn(X, state, params)` where every caller passes a `def gru(...)`: no module
    if binding is None and subject is not None and subject.name == "self" and subject.function.cls is not None:
        # `self(x)` in a method of a module class (a model that trains and tests itself): its own
        # layers, or those of any project subclass the method may run on
        cls = subject.function.cls
        owner = model.at_class(cls)
        if owner.is_module_class(cls):
            return class_has_mode_layers(owner, cls) or any(class_has_mode_layers(model.at_class(sub), sub) for sub in owner.subclasses(cls))
    if binding is None:
        if subject is not None and "." not in subject.name:
            # a parameter the callers give instances of different project classes (`fit(net, ...)`
            # called with a Transformer in one script, a BiGRU in another): any of them may run
            owner = model.at(subject.function)
            passed = owner.classes_from_callers(subject.name, subject.function)
            if passed:
                return any(class_has_mode_layers(model.at_class(cls), cls) for cls in passed)
            if _passed_may_hold_mode_layers(owner, subject, depth):
                return True  # (what one caller passes holds them: `lfw_test(model, ...)` of a Dropping)
        # a name bound out of sight (an installed library's model, a notebook's lost cell) may hold
        # them; one bound in sight to what cannot be resolved (an attribute of a dict-like object of
        # networks, a parameter whose callers pass such) is unknown
        return subject is not None and _out_of_sight(model, subject.name, subject.function, 3)
    if binding.cls is None and binding.classes:
        # one of several project classes (what different subclasses build for `self.netg`)
        return any(class_has_mode_layers(model.at_class(cls), cls) for cls in binding.classes)
    alias = binding.alias
    if binding.cls is None and binding.call is None and alias is not None and alias not in _CONSTANTS and depth > 0 and subject is not None:
        # `self.model = model` in a constructor: what the name it takes the value of holds (for a
        # parameter, what the callers pass: `Evaluator(self.model, device)`); `model = None` holds no model
        owner = model.at(binding.function)
        taken = owner.flow.subject(alias, binding.function)
        if taken is not None and taken.binding is not binding and (taken.name, id(taken.function)) != (subject.name, id(subject.function)):
            return may_hold_mode_layers(owner, taken, depth - 1)
    if binding.cls is None and binding.call is None:
        # bound where we can see, but to no construction (`models[name]`, a value picked by a
        # conditional, an attribute of another object): whether it holds dropout or batch norm
        # cannot be established
        return False
    if binding.cls is not None:
        return (
            _built_with_mode_layers_as_made(model, binding)
            or _given_mode_layers(model, binding)
            or any(
                _built_with_mode_layers_as_made(model, other)
                for other in _built_in_other_arms(model, subject.name if subject is not None else "", binding)
                if other.cls is not None
            )
        )
    copied = _copied_subject(model, binding, subject)
    if copied is not None and depth > 0:
        return may_hold_mode_layers(model.at(binding.function), copied, depth - 1)  # `net = deepcopy(self.net)`: the same layers
    behind = _classes_behind(model, binding, 3, subject.function.cls if subject is not None else None)
    if behind:
        return any(class_has_mode_layers(model.at_class(cls), cls) for cls in behind)
    given = _moved_parameter(model, binding, subject, depth)
    if given is not None:
        return given
    if binding.call is not None and model.at(binding.function).unbound(_built_by(binding.call).dotted, binding.function):
        return False  # a class defined out of sight (a notebook cell that does not parse): nothing is known
    if _copies_unresolved_argument(model, binding):
        return False  # `net = mutate(population[i][0])` returning `copy.deepcopy(net)`: not established
    qualified = binding.qualified or ""
    wrapped = _wrapped_by_parallel(model, binding)
    if wrapped is not None:
        return wrapped
    if binding.call is not None and qualified.startswith(("torch.nn.", "nn.")):
        # a built-in layer or container: its arguments say whether dropout or batch norm is inside
        owner = model.at(binding.function)
        return _torch_layer_may_hold(qualified, owner.code(binding.call.node)) or (
            qualified.rsplit(".", 1)[-1] in _CONTAINERS and _filled_with_mode_layers(owner, binding)
        )
    if binding.call is not None and _never_defined(model.at(binding.function), _built_by(binding.call), binding.function):
        return False  # `fastText(config)` with no such name anywhere: the code cannot run
    if binding.call is not None and _from_stale_project_module(model.at(binding.function), _built_by(binding.call)):
        return False  # `from src.Transformer import Transformer`, a module of the project since removed
    built = _built_by_project_factory(model, binding)
    if built is not None:
        return built
    picked = _picked_container(_built_by(binding.call)) if binding.call is not None else None
    if picked is not None and picked in binding.function.params and not _out_of_sight(model.at(binding.function), picked, binding.function, 3):
        # `encoder = models["encoder"].to(device)` of a container its callers pass, filled in
        # sight: an element, moved; what it holds is not established here (as for `models[name]`
        # itself, above); one of a container bound out of sight, or built here by a call whose
        # result is not read (`self.init = helpers(...)`), may hold them
        return False
    maker = (_built_by(binding.call).dotted or "") if binding.call is not None else ""
    if maker and "." not in maker and maker in binding.function.params and not model.at(binding.function).callers(binding.function):
        return False  # `Q = q_func(c, n)` of a factory handed in by callers that cannot be seen
    return True  # a factory (`resnet18()`, `from_pretrained`) or a constructor we cannot see


_CONSTANTS = frozenset({"None", "True", "False"})


def _copied_subject(model: LoopModel, binding: Binding, subject: Subject | None) -> Subject | None:
    """For `net = deepcopy(self.net)` (or `copy.deepcopy(model)`): the model copied, as the
    function that copies it sees it; None for anything else."""
    call = binding.call
    if call is None or call.inner is not None or subject is None or not call.args or call.args[0].keyword is not None:
        return None
    if (call.dotted or "").rpartition(".")[2] != "deepcopy" or not (binding.qualified or "").endswith("deepcopy"):
        return None
    copied = call.args[0].dotted
    if not copied:
        return None
    owner = model.at(binding.function)
    found = owner.flow.subject(copied, binding.function)
    if found is None or found.binding is binding or (found.name, id(found.function)) == (subject.name, id(subject.function)):
        return None
    if "." not in copied and len(owner.roles.bindings_of(copied, binding.function)) > 1:
        # (a name bound again after the copy, `head = ModuleValidator.fix(head)`: the copy has the
        # layers of the value in force where it is made)
        reached = owner.reaching_binding(copied, binding.function, call)
        return replace(found, binding=reached) if reached is not None else None
    return found


def _moved_parameter(model: LoopModel, binding: Binding, subject: Subject | None, depth: int) -> bool | None:
    """`may_hold_mode_layers` of a binding that is a parameter moved to a device (`self.net =
    net.to(device)` in `__init__`, `model = model.cuda()`): what is passed for the parameter. When
    the subject is an attribute of an object the subject's own function builds (`ppo = PPO(env,
    net)`, later `ppo.collect()` running `self.net(state)`), what that construction passes;
    otherwise what any caller passes. None when the binding is no such move."""
    call = binding.call
    function = binding.function
    if call is None or depth <= 0 or call.inner is not None:
        return None
    if call.method in RETURNS_SELF:
        name = call.receiver
    elif call.method in WRAPPERS and call.receiver is not None and call.args and call.args[0].keyword is None:
        name = call.args[0].dotted  # `local_model = copy.deepcopy(global_model)`, `torch.compile(net)`: the same class
    else:
        return None
    if not name or "." in name or name not in function.params or name == "self":
        return None
    owner = model.at(function)
    index = function.argument_index(name)
    if subject is not None and function.name == "__init__" and function.cls is not None and subject.name.count(".") == 1:
        # the object the pass runs on, built in sight: the argument its construction gives
        receiver = subject.name.split(".", 1)[0]
        user = model.at(subject.function)
        built = user.binding(receiver, subject.function)
        if built is not None and built.cls is function.cls and built.call is not None and built.function is subject.function:
            arg = built.call.arg(index, name)
            if arg is not None and arg.dotted is not None:
                passed = user.flow.subject(arg.dotted, subject.function)
                if passed is not None:
                    return may_hold_mode_layers(user, passed, depth - 1)
    parameter = owner.flow.subject(name, function)
    if parameter is None or not owner.callers(function):
        return None
    return _passed_may_hold_mode_layers(owner, parameter, depth)


def _built_with_mode_layers_as_made(model: LoopModel, binding: Binding) -> bool:
    """`built_with_mode_layers` of the binding's project class, as the call that made it gives it."""
    if binding.cls is None:
        return False
    call, where = _construction(model, binding)
    return built_with_mode_layers(model.at_class(binding.cls), binding.cls, call, caller=where)


def _construction(model: LoopModel, binding: Binding) -> tuple[CallSite | None, FunctionInfo]:
    """The call that built the binding's object of a project class, and the function it is made
    in, as its constructor's arguments can be read from it: for `model = build_model(vocab)` of a
    project factory, the construction the factory returns (`Net(len(vocab), dropout_p=opt.p)`),
    not the factory's own call; none when the factory builds it more than once."""
    call = binding.call
    if call is None:
        return None, binding.function
    owner = model.at(binding.function)
    factory = owner.definition(_built_by(call).dotted, binding.function) if _built_by(call).inner is None else None
    if not isinstance(factory, FunctionInfo):
        return call, binding.function
    made = [c for c, cls in model.at(factory).returned_constructions(factory) if c is not None and cls is binding.cls]
    return (made[0], factory) if len(made) == 1 else (None, binding.function)


def _from_stale_project_module(model: LoopModel, call: CallSite) -> bool:
    """Is the class (or factory) built imported from a module of one of the project's own packages
    that is no longer there? Its code cannot be seen, and it is not a library's: nothing is known."""
    head = (call.dotted or "").split(".", 1)[0]
    ref = model.ir.import_refs.get(head)
    if ref is None or not model.path:
        return False
    module = f"{ref.module}.{ref.name}" if ref.name is None and ref.module else ref.module
    return bool(module) and model.project.stale_import(model.path, module, ref.level)


def _built_in_other_arms(model: LoopModel, name: str, binding: Binding) -> list[Binding]:
    """`if args.model == 'ESPCN': model = ESPCN() elif ...: model = SRResNet() else: model =
    Generator()`: the constructions of the name in the other arms, any of which the run may take."""
    owner = model.at(binding.function)
    if not name or "." in name:
        return []
    guards = {id(p.simple): p.guards for p in owner.ordered_statements(binding.function)}
    mine = guards.get(id(binding.statement))
    if not mine:
        return []
    return [
        other for other in owner.roles.bindings_of(name, binding.function)
        if other is not binding and other.cls is not None and guards.get(id(other.statement)) and guards[id(other.statement)] != mine
    ]


def _built_by_project_factory(model: LoopModel, binding: Binding, depth: int = 2) -> bool | None:
    """For `model = get_model(n)` where the project function builds and returns `nn.Sequential(
    nn.Linear(...), nn.ReLU(), ...)`: whether what it returns may hold mode layers; None when the
    call is no project function or what it returns cannot be followed."""
    if binding.call is None or depth <= 0:
        return None
    owner = model.at(binding.function)
    target = owner.resolve_call(_built_by(binding.call), binding.function, via_callers=False)
    if target is None or target.cls is not None:
        return None
    inside = model.at(target)
    returns = [s for s in target.simples if s.jump == "return"]
    if not returns:
        return None
    # (`X, y, model = demo()` of `return X, y, model`: the element unpacked into the name)
    targets = binding.statement.targets
    unpacked = targets.index(binding.name) if len(targets) > 1 and binding.name in targets else None
    verdicts: list[bool] = []
    for simple in returns:
        value = simple.value
        if unpacked is not None:
            if not isinstance(value, cst.Tuple) or len(value.elements) != len(targets) or any(
                isinstance(element, cst.StarredElement) for element in value.elements
            ):
                return None
            value = value.elements[unpacked].value
        if isinstance(value, cst.Call):
            # `return nn.Linear(input_dim, 1)`: a torch layer built in the return itself
            made = next((c for c in simple.calls if c.node is value), None)
            qualified = (inside.constructed(made, target)[2] or "") if made is not None else ""
            if not qualified.startswith(("torch.nn.", "nn.")):
                return None
            verdicts.append(_torch_layer_may_hold(qualified, inside.code(value)))
            continue
        if value is None or not isinstance(value, cst.Name):
            return None
        returned = inside.roles.lookup(value.value, target)
        if returned is None or returned.call is None:
            return None
        if returned.cls is not None:
            verdicts.append(class_has_mode_layers(inside.at_class(returned.cls), returned.cls))
        elif (returned.qualified or "").startswith(("torch.nn.", "nn.")):
            verdicts.append(bool(_MODE_LAYERS.search(inside.code(returned.call.node))))
        else:
            nested = _built_by_project_factory(inside, returned, depth - 1)
            if nested is None:
                return None
            verdicts.append(nested)
    return any(verdicts)


def _torch_layer_may_hold(qualified: str, code: str) -> bool:
    """A torch layer or container, built by `code`: a transformer (dropout by default), or one
    whose arguments name dropout or batch norm."""
    return qualified.rsplit(".", 1)[-1].startswith("Transformer") or bool(_MODE_LAYERS.search(code))


def _never_defined(model: LoopModel, call: CallSite, function: FunctionInfo) -> bool:
    """A constructor called by a plain name that the file neither defines, imports nor assigns,
    in a file whose star imports are all project modules that do not define it either (`from
    utils import *` then `fastText(config)`): calling it raises NameError."""
    name = call.dotted
    if not name or "." in name or call.inner is not None or name in model.ir.imports:
        return False
    if not model.ir.star_imports:
        return False  # a snippet's free name, or one a notebook defines out of sight: not judged here
    if any(model.project.module(model.path, star.module, star.level) is None for star in model.ir.star_imports):
        return False  # `from library import *` may bring it
    if name in dir(builtins) or model.definition(name, function) is not None:
        return False
    return model.roles.lookup(name, function) is None and not any(name in f.params for f in model.ir.functions)


_MODE_FREE_BASES = frozenset(
    {"Module", "Sequential", "ModuleList", "ModuleDict", "object", "Linear", "Bilinear", "LazyLinear", "Identity",
     "Embedding", "EmbeddingBag", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
     "ConvTranspose3d", "LayerNorm", "GroupNorm", "LSTMCell", "GRUCell", "RNNCell", "ReLU", "GELU", "Tanh", "Sigmoid",
     "Softmax", "Parameter", "ParameterList", "ParameterDict", "MessagePassing", "ABC", "Generic", "Protocol"}
)
"""Library bases that behave the same in both modes: a subclass of `nn.Embedding` adds only what it
builds (so does one of PyTorch Geometric's `MessagePassing`, which holds no layer of its own, and
one of the standard library's abstract or generic bases, `abc.ABC`, `typing.Generic`)."""

_MODE_FREE_TORCH_MODULES = lazy(
    r"^torch\.nn\.modules\.(activation|conv|linear|pooling|padding|pixelshuffle|upsampling|sparse|flatten|distance|fold|channelshuffle|loss)\."
)
"""torch's own layer modules none of whose classes has a mode (`torch.nn.modules.activation.Hardtanh`)."""
_ACTIVATIONS = lazy(r"^(Hardtanh|ReLU6|LeakyReLU|PReLU|ELU|SELU|CELU|SiLU|Mish|Softplus|Softsign|Softshrink|Hardshrink|Tanhshrink|Threshold|LogSoftmax|Softmin|Softmax2d|Hardswish|Hardsigmoid|LogSigmoid|GLU)$")


_TORCH_LOSSES = frozenset(
    {"_Loss", "_WeightedLoss", "L1Loss", "NLLLoss", "NLLLoss2d", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss",
     "MSELoss", "BCELoss", "BCEWithLogitsLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss", "SmoothL1Loss",
     "HuberLoss", "SoftMarginLoss", "CrossEntropyLoss", "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss",
     "MarginRankingLoss", "MultiMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "CTCLoss"}
)
"""torch's loss classes (`torch.nn.modules.loss`) and their bases: none holds a layer or reads
`self.training`, so a project loss deriving from one (`class NeuroLoss(_Loss)`) adds only what it
builds itself."""


def _mode_free_base(base: str) -> bool:
    """A library base that behaves the same in both modes: one of `_MODE_FREE_BASES` (by its last
    name), one of torch's losses or their bases (`_TORCH_LOSSES`), a class of one of torch's layer
    modules that hold no mode (`torch.nn.modules.activation.Hardtanh`), or a torch activation by
    name (`nn.LeakyReLU`). `RReLU` samples its slope in training: it is named, like dropout, by
    what it builds, not by its base."""
    last = base.rsplit(".", 1)[-1]
    if base in _MODE_FREE_BASES or last in _MODE_FREE_BASES or last in _TORCH_LOSSES:
        return True
    if last == "RReLU":
        return False
    return bool(_MODE_FREE_TORCH_MODULES.match(base)) or (
        bool(_ACTIVATIONS.match(last)) and (base == last or base.startswith(("nn.", "torch.nn.")))
    )


def _keeps_no_statistics(call: CallSite) -> bool:
    """`nn.BatchNorm2d(c, track_running_stats=False)`, or `momentum=1` (the running statistics
    only ever hold the last batch: the few-shot convention of normalising each episode by its own
    batch, in training and test alike): the module's mode is not what its outputs depend on."""
    tracked = call.keyword("track_running_stats")
    if tracked is not None and literal_value(tracked.node) is False:
        return True
    momentum = call.keyword("momentum")
    return momentum is not None and literal_value(momentum.node) in (1, 1.0)


def _builds_mode_layer(model: LoopModel, call: CallSite, known: tuple[tuple[str, object], ...] = ()) -> bool:
    """`nn.Dropout(0.1)`, `nn.BatchNorm2d(c)`, `F.dropout(x, p)`, `nn.LSTM(..., num_layers=2,
    dropout=0.2)`: read from the calls a class makes, not from its text (a docstring saying "no
    dropout" is no layer). A recurrent layer's `dropout=` acts between its stacked layers only: with
    one layer (`num_layers` left out or 1) it drops nothing.
    With `known`, the values the constructor's parameters have in one construction: a drop rate
    given as a parameter that is 0 there (`nn.GRU(..., dropout=dropout_rate)` built with
    `dropout_rate=0.0`) drops nothing."""
    last = (call.dotted or "").rsplit(".", 1)[-1]
    values = dict(known)

    def zero(node: cst.CSTNode) -> bool:
        # (a parameter, or the attribute the constructor set from it: `dropout=self.dropout`)
        name = node.value if isinstance(node, cst.Name) else dotted_name(node) if isinstance(node, cst.Attribute) else None
        return _zero(node) or (name is not None and values.get(name, None) in (0, 0.0) and values[name] is not False)

    if _MODE_LAYER_NAME.search(last):
        rate = call.arg(0, "p")
        if known and last == "Dropout" and rate is not None and zero(rate.node):
            return False  # `nn.Dropout(p)` built with p = 0: the identity in either mode
        if re.search(r"(?i)instance_?norm", last):
            # InstanceNorm normalises each sample by its own statistics in training mode, the mode
            # such models are trained and sampled in (StarGAN, CycleGAN); with
            # track_running_stats=True eval() would switch to running averages and change the
            # outputs. Not a layer that needs eval() (the rule is about dropout and batch norm).
            return False
        training = call.arg(5, "training") if "batch_norm" in last else call.arg(2, "training")
        if training is not None and not re.search(r"\.training\b", expression_text(training.node)):
            # `F.batch_norm(x, m, v, w, b, True)`, `F.dropout(x, p, False)`, `training=bn_training` (a
            # forward argument): the caller fixes the mode, not the module's train()/eval()
            return False
        if training is None and last[:1].islower() and "dropout" in last.lower():
            return False  # `F.dropout(x, p)`: `training` defaults to True, whatever the module's mode
        if "BatchNorm" in last and _keeps_no_statistics(call):
            return False  # normalises by the batch's own statistics in either mode
        return True
    if last in ("LSTM", "GRU", "RNN") and not any(arg.star for arg in call.node.args):
        layers = call.arg(2, "num_layers")
        if layers is None or literal_value(layers.node) == 1 or (
            isinstance(layers.node, cst.Name) and values.get(layers.node.value, None) == 1
        ):
            return False  # a recurrent layer drops only between stacked layers: one layer drops nothing
    def off(node: cst.CSTNode) -> bool:
        # `dropout=False`, `use_dropout=None`, or a parameter known false where the class is built
        name = node.value if isinstance(node, cst.Name) else None
        return zero(node) or name in ("False", "None") or (name is not None and name in values and values[name] in (False, None))

    for arg in call.args:
        if arg.keyword is not None and _DROPOUT_KEYWORD.search(arg.keyword) and not off(arg.node):
            if arg.keyword == "p" and "drop" not in last.lower():
                continue  # `v.norm(p=2)`, `F.normalize(x, p=2)`: an order of a norm, not a drop rate
            return True
    return False


def _zero(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.Integer, cst.Float)) and float(node.value) == 0.0


def _reads_training_flag(cls: ClassInfo) -> bool:
    """A method that behaves differently in training (`if self.training:`, `training=self.training`)."""
    for method in cls.methods.values():
        for placed in walk(method.body, "on"):
            simple = placed.simple
            if "self.training" in simple.value_names or any("self.training" in arg.names for c in simple.calls for arg in c.args):
                return True
            if any("self.training" in guard for guard in placed.guards):
                return True
    return False


def _no_module(model: LoopModel, cls: ClassInfo) -> bool:
    """A class that is surely no nn.Module: no module base among its own or its project bases, and
    every library base known to be something else (a torch distribution, `object`)."""
    if model.is_module_class(cls):
        return False
    for base in cls.bases:
        found = model.definition(base, None) if base else None
        if isinstance(found, ClassInfo) and found is not cls:
            if not _no_module(model.at_class(found), found):
                return False
        elif base not in ("", "object") and not _plain_library_base(qualify(base, model.ir.imports) or base):
            return False
    return True


def _plain_library_base(qualified: str) -> bool:
    """A base that is surely no nn.Module: a torch distribution, a builtin (`dict`, `Exception`) or
    a class of Python's standard library (`threading.Thread`, `abc.ABC`, `enum.Enum`)."""
    if qualified.startswith("torch.distributions."):
        return True
    root = qualified.split(".", 1)[0]
    if "." not in qualified:
        return qualified in _BUILTIN_BASES
    return root in sys.stdlib_module_names


_BUILTIN_BASES = frozenset(
    {"dict", "list", "tuple", "set", "str", "int", "float", "Exception", "BaseException", "RuntimeError",
     "ValueError", "NamedTuple", "Enum", "ABC", "Protocol", "Thread", "Process"}
)


def _function_builds_mode_layers(model: LoopModel, function: FunctionInfo) -> bool:
    """Does a project helper that builds layers (`def conv_block(c): return nn.Sequential(...)`)
    build dropout or batch norm, itself or through the project classes and helpers it calls?"""
    key = ("mode layers", id(function))
    known = model._class_facts.get(key)
    if known is not None:
        return known
    model._class_facts[key] = False
    found = False
    for simple in function.simples:
        for call in simple.calls:
            if found:
                break
            if _builds_mode_layer(model, call):
                found = True
                continue
            built = model.definition(call.dotted, function) if call.dotted else None
            if isinstance(built, ClassInfo):
                found = built_with_mode_layers(model.at_class(built), built, call)
            elif isinstance(built, FunctionInfo) and built is not function:
                found = _helper_builds_mode_layers(model.at(built), built, call, ())
            elif MODEL_FACTORIES.search(call.dotted or ""):
                found = True
    model._class_facts[key] = found
    return found


def method_free_of_mode_layers(model: LoopModel, event: Event) -> bool:
    """Is the pass's call a method of a project model class other than its forward that runs none
    of the class's mode layers (`def inference(self, x): ... self.convs[i](x)` of a model whose
    forward alone applies dropout)? Read from the method and the `self` methods it calls: no
    `self(...)`/`self.forward`, no dropout or batch norm applied, no `self.training`, and no part
    called whose construction in `__init__` holds a mode layer."""
    return mode_parts_a_method_runs(model, event) == frozenset()


def mode_parts_a_method_runs(model: LoopModel, event: Event) -> frozenset[str] | None:
    """For a pass's call of a method of a project model class other than its forward: the parts
    (`self.G`) holding a mode layer that the method runs, read as `method_free_of_mode_layers`
    reads it; None when the method runs the whole model, applies a mode layer itself or reads
    `self.training` (or is no such method)."""
    call = event.call
    if call is None or call.method in (None, "forward", "__call__") or event.subject is None:
        return None
    target = model.resolve_call(call, event.context.function)
    cls = target.cls if target is not None else None
    if target is None or cls is None or not model.is_module_class(cls):
        return None
    owner = model.at_class(cls)
    init = owner.method_of(cls, "__init__")
    moded = _mode_layer_attributes(owner, cls, init)
    if init is None or any(not isinstance(base, ClassInfo) and not _mode_free_base(base) for base in model.base_classes(cls)):
        return None
    runs: set[str] = set()
    seen: set[int] = set()
    pending = [target]
    while pending:
        method = pending.pop()
        if id(method) in seen:
            continue
        seen.add(id(method))
        if "self.training" in owner.code(method.node):
            return None
        # (a part taken from a container that holds a mode layer, `for m in self.encoder: out = m(out)`)
        taken = {t: m for loop in method.loops for m in moded if _mentions_attribute(loop.iter_text, m) for t in loop.targets}
        for simple in method.simples:
            for inner in simple.calls:
                func = inner.node.func
                dotted = dotted_name(func.value) if isinstance(func, cst.Subscript) else inner.dotted  # `self.convs[i](x)`
                if dotted in ("self", "self.forward") or _builds_mode_layer(owner, inner):
                    return None
                if dotted is not None:
                    runs.update(m for m in moded if dotted == m or dotted.startswith(m + "."))
                if dotted is not None and dotted in taken:
                    runs.add(taken[dotted])
                if inner.receiver == "self" and inner.method in cls.methods:
                    pending.append(cls.methods[inner.method])
    return frozenset(runs)


def mode_parts_in_eval(model: LoopModel, event: Event, entered_by: tuple[CallEdge, ...] | None) -> bool:
    """Does the method the pass calls run only parts of the model that are in eval mode where it
    is called (`self.gan.G.eval()`, then `self.gan.generate_img(z)` whose body runs `self.G(z)`)?"""
    parts = mode_parts_a_method_runs(model, event)
    receiver = event.call.receiver if event.call is not None else None
    if not parts or receiver is None:
        return False
    function = event.context.function
    for part in parts:
        subject = model.flow.subject(receiver + part[len("self"):], function)
        if subject is None or not model.eval_mode_reaches(event, subject, entered_by):
            return False
    return True


def _mentions_attribute(text: str, attribute: str) -> bool:
    """Does the expression's text read the attribute (`self.encoder` in `enumerate(self.encoder)`,
    not in `self.encoder_norm`)?"""
    start = text.find(attribute)
    while start >= 0:
        end = start + len(attribute)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not (before.isalnum() or before in ("_", ".")) and not (after.isalnum() or after == "_"):
            return True
        start = text.find(attribute, start + 1)
    return False


def _mode_layer_attributes(model: LoopModel, cls: ClassInfo, init: FunctionInfo | None) -> set[str]:
    """The `self.` attributes the constructor fills with a mode layer or a part that holds one
    (`self.dropout = nn.Dropout(p)`, `self.convs.append(BatchNormBlock())`)."""
    found: set[str] = set()
    for simple in init.simples if init is not None else ():
        if any(_builds_mode_layer(model, c) or _built_part_has_mode_layers(model, cls, c, ()) for c in simple.calls):
            found.update(t for t in simple.targets if t.startswith("self."))
            found.update(c.receiver for c in simple.calls if c.receiver is not None and c.receiver.startswith("self."))
    return found


def _forward_called(model: LoopModel, event: Event) -> tuple[LoopModel, ClassInfo, FunctionInfo, CallSite] | None:
    """For a call of a project module (`model(x)`, `model.forward(x)`): the model of the class's
    file, the class, its forward and the call; None for anything else."""
    call, subject = event.call, event.subject
    binding = subject.binding if subject is not None else None
    if call is None or subject is None or binding is None or binding.cls is None or call.method not in (None, "forward") and call.dotted != subject.name:
        return None
    owner = model.at_class(binding.cls)
    forward = owner.method_of(binding.cls, "forward")
    return (owner, binding.cls, forward, call) if forward is not None else None


def mode_layers_switched_off_by_argument(model: LoopModel, event: Event) -> bool:
    """`def forward(self, x, is_training=False): ... if is_training: x = self.dropout(x)`, called
    without the flag: every use of a mode layer in the forward is under a test of a parameter whose
    default is false and that this call leaves false, and nothing reads `self.training`. The
    model then computes the same in either mode."""
    called = _forward_called(model, event)
    if called is None:
        return False
    owner, cls, forward, call = called
    init = owner.method_of(cls, "__init__")
    if init is None or "self.training" in owner.code(forward.node):
        return False
    offset = 1 if forward.params[:1] == ("self",) else 0
    flags = set()
    for index, name in enumerate(forward.params[offset:]):
        if forward.defaults.get(name, True) in (False, None):
            given = call.arg(index, name)
            if given is None or (isinstance(given.node, cst.Name) and given.node.value in ("False", "None")):
                flags.add(name)
    if not flags:
        return False
    moded = _mode_layer_attributes(owner, cls, init)
    used = False
    for placed in owner.ordered_statements(forward):
        for inner in placed.simple.calls:
            dotted = inner.dotted or ""
            if _builds_mode_layer(owner, inner) or any(dotted == m or dotted.startswith(m + ".") for m in moded):
                used = True
                if not any(guard.strip() in flags for guard in placed.guards):
                    return False
    return used


def switched_to_eval_by_argument(model: LoopModel, event: Event) -> bool:
    """`def forward(self, x, _eval=False): if _eval: self.eval() else: self.train()`, called with
    `_eval=True`: the model puts itself in eval mode, before anything else runs, when the call asks."""
    called = _forward_called(model, event)
    if called is None:
        return False
    owner, _, forward, call = called
    offset = 1 if forward.params[:1] == ("self",) else 0
    asked = set()
    for index, name in enumerate(forward.params[offset:]):
        given = call.arg(index, name)
        if given is not None and isinstance(given.node, cst.Name) and given.node.value == "True":
            asked.add(name)
    for placed in owner.ordered_statements(forward):
        calls = placed.simple.calls
        if any(c.dotted == "self.eval" and not c.args for c in calls):
            return bool(placed.guards) and all(guard.strip() in asked for guard in placed.guards)
        if any(c.dotted != "self.train" for c in calls):
            return False  # something runs before the switch
    return False


def class_has_mode_layers(model: LoopModel, cls: ClassInfo) -> bool:
    """Does the module class (its own layers, its bases, the project classes it builds) hold
    dropout, batch norm or anything else that reads `self.training`?"""
    key = ("mode layers", id(cls))
    known = model._class_facts.get(key)
    if known is not None:
        return known
    model._class_facts[key] = False  # a class that builds itself adds nothing
    # `nn.Dropout(p)(x)` in forward: a module built and applied on the spot is always in training
    # mode, whatever the model's mode; eval() does not reach it
    applied = {id(call.node.func) for call in cls.constructed if isinstance(call.node.func, cst.Call)}
    # (`vgg16 = torchvision.models.vgg16(pretrained=True)` in a method that copies its weights into
    # the class's own layers: a local of the method, no part of the instance)
    local = _built_as_locals_only(cls)
    found = any(
        _builds_mode_layer(model, call) for call in cls.constructed
        if id(call.node) not in applied and id(call.node) not in local and not _stored_unused(model.at_class(cls), cls, call)
    )
    found = found or _reads_training_flag(cls) or _bases_have_mode_layers(model, cls) or _aliased_mode_layer(cls)
    instanceless = _built_without_instance(cls)
    for call in cls.constructed:
        if found:
            break
        if id(call.node) in instanceless or id(call.node) in local:
            continue
        found = _built_part_has_mode_layers(model, cls, call, ())
    model._class_facts[key] = found
    return found


_READING_BUILTINS = frozenset({"zip", "enumerate", "isinstance", "len", "print", "getattr", "hasattr", "list", "iter", "next", "type"})
"""Builtins that read what they are given without keeping it."""


def _built_as_locals_only(cls: ClassInfo) -> set[int]:
    """The calls (by node id) of the class's methods whose result is bound to a local name of the
    method that never reaches the instance: not stored on `self` (nor in what is stored there),
    not returned, not handed to a call but the reading builtins (`zip(vgg16.features, features)`,
    `isinstance(l1, nn.Conv2d)`) or the methods of what it is itself. A pretrained library model
    built only to copy its weights into the class's own layers is no part of an instance."""
    found: set[int] = set()
    for method in cls.methods.values():
        for statement in method.simples:
            call = statement.value_call
            if call is None or call.node is not statement.value or not statement.targets or statement.augmented:
                continue
            if any("." in target for target in statement.targets) or statement.subscript_targets:
                continue
            names = set(statement.targets)
            if _reaches_instance(method, statement, names):
                continue
            found.add(id(call.node))
    return found


def _reaches_instance(method: FunctionInfo, bound: Simple, names: set[str]) -> bool:
    """Does a local bound by `bound` reach anything that outlives the method (see above)?"""
    for simple in method.simples:
        if simple is bound:
            continue
        read = set(simple.value_names) | {name for call in simple.calls for arg in call.args for name in arg.names}
        if not read & names and not set(simple.returned_names) & names:
            continue
        if simple.jump == "return" or set(simple.returned_names) & names:
            return True
        if simple.targets and (simple.subscript_targets or any("." in target for target in simple.targets)):
            return True  # `self.features = vgg.features`, `self.parts[0] = vgg`
        if simple.targets and not simple.augmented:
            names = names | set(simple.targets)  # (`feats = vgg.features`: what it holds is followed)
        for call in simple.calls:
            given = {name for arg in call.args for name in arg.names}
            if not given & names:
                continue
            root = (call.dotted or "").split(".", 1)[0]
            if call.dotted in _READING_BUILTINS or (call.receiver is not None and root in names):
                continue
            return True  # handed to something that may keep it (`self.add_module`, `nn.Sequential`, a helper)
    return False


def _built_without_instance(cls: ClassInfo) -> set[int]:
    """The calls (by node id) made in the class's classmethods and staticmethods: what they build
    is no part of an instance by itself (`from_pretrained` loading a library's GPT2LMHeadModel only
    to copy its weights into the `cls(config)` it returns). A static factory whose result a method
    stores (`self.net = self.backbone()`) is judged at that call (`_built_part_has_mode_layers`)."""
    found: set[int] = set()
    for method in cls.methods.values():
        if _instanceless(method):
            found.update(id(call.node) for simple in method.simples for call in simple.calls)
    return found


def _instanceless(method: FunctionInfo) -> bool:
    return any(decorator in ("classmethod", "staticmethod") for decorator in method.decorators if isinstance(decorator, str))


def _aliased_mode_layer(cls: ClassInfo) -> bool:
    """A layer class bound to a name and built through it in a method: `if norm_layer is None:
    norm_layer = nn.BatchNorm2d`, or `norm_layer=nn.BatchNorm2d` as a default, then `self.bn1 =
    norm_layer(width)`."""
    for method in cls.methods.values():
        aliases: dict[str, set[str]] = {}
        node = method.node
        if isinstance(node, cst.FunctionDef):
            for param in (*node.params.params, *node.params.kwonly_params):
                named = dotted_name(param.default) if param.default is not None else None
                if named:
                    aliases.setdefault(param.name.value, set()).add(named)
        for simple in method.assignments:
            if len(simple.targets) == 1 and isinstance(simple.value, (cst.Name, cst.Attribute)):
                named = dotted_name(simple.value)
                if named:
                    aliases.setdefault(simple.targets[0], set()).add(named)
        layers = {
            name for name, values in aliases.items()
            if any(_MODE_LAYER_NAME.search(v.rsplit(".", 1)[-1]) and not re.search(r"(?i)instance_?norm", v) for v in values)
        }
        if layers and any(call.dotted in layers for simple in method.simples for call in simple.calls):
            return True
    return False


def _stored_unused(model: LoopModel, cls: ClassInfo, call: CallSite) -> bool:
    """`self.dropout = nn.Dropout(0.2)` in `__init__` with `self.dropout` read nowhere else in the
    file's code (the forward never applies it, or only in a line commented out): a layer built and
    left out, which no mode changes."""
    init = cls.methods.get("__init__")
    statement = next((simple for simple in init.simples if any(c is call for c in simple.calls)), None) if init is not None else None
    if statement is None or not statement.targets or statement.subscript_targets:
        return False
    if not all(target.startswith("self.") and target.count(".") == 1 for target in statement.targets):
        return False
    text = model.uncommented_text
    for target in statement.targets:
        pattern = re.escape(target) + r"(?![\w])"
        assigned = sum(1 for simple in init.simples if target in simple.targets)
        if len(re.findall(pattern, text)) > assigned:
            return False
    return True


def _built_part_has_mode_layers(model: LoopModel, cls: ClassInfo, call: CallSite, known: tuple[tuple[str, object], ...]) -> bool:
    """Does a call a class makes build a part that may hold mode layers (a project class or helper,
    judged with the arguments this call gives it, or a library factory)?"""
    if _put_in_eval_where_built(cls, call):
        return False  # `model = InceptionV3(...); model.eval()` in a method: its layers stay in eval mode
    built = model.definition(call.dotted) if call.dotted else None
    if isinstance(built, ClassInfo) and built is not cls:
        # a class that is no nn.Module (`FixedCategorical(logits=x)`, a torch distribution)
        # holds no layers, whatever its bases
        return not _no_module(model.at_class(built), built) and built_with_mode_layers(model.at_class(built), built, call, known)
    if isinstance(built, FunctionInfo):
        return _helper_builds_mode_layers(model.at(built), built, call, known)
    if built is None and isinstance(call.node.func, cst.Subscript):
        # `self.head = head_dict[head_name](channels)`: one of the project classes a dict display
        # (a registry) maps names to; any of them may be the part
        method = next((m for m in cls.methods.values() for f in functions_within(m) if any(c is call for s in f.simples for c in s.calls)), None)
        classes = model.at_class(cls).registry_classes(call, method) if method is not None else None
        return any(
            c is not cls and not _no_module(model.at_class(c), c) and built_with_mode_layers(model.at_class(c), c, None)
            for c in classes or ()
        )
    if (call.dotted or "").startswith(("self.", "cls.")):
        own = cls.methods.get(call.dotted.split(".", 1)[1]) if (call.dotted or "").count(".") == 1 else None
        if own is not None and _instanceless(own):
            # `self.net = self.backbone()` of a static factory of the class: what it builds
            return _helper_builds_mode_layers(model.at(own), own, call, known)
        return False  # `self.resnet9(x)`: running a submodule or a method, not a library factory
    if _FROZEN_EMBEDDING.search(call.dotted or ""):
        return False  # `nn.Embedding.from_pretrained(weights)`: an embedding table, no dropout or batch norm
    if _mode_free_features(cls, call):
        return False  # `vgg19(pretrained=True).features`: convolutions, ReLU and pooling only
    if _only_weights_read(model, cls, call):
        return False  # `mod = models.vgg16(pretrained=True)`, read only for its state_dict: no part
    return bool(MODEL_FACTORIES.search(call.dotted or "")) or (call.dotted or "").rsplit(".", 1)[-1] in (
        "TransformerEncoderLayer", "TransformerDecoderLayer", "Transformer"
    )


_WEIGHTS_READ = ("state_dict", "parameters", "named_parameters")


def _only_weights_read(model: LoopModel, cls: ClassInfo, call: CallSite) -> bool:
    """A model built into a local name of a method (`mod = models.vgg16(pretrained=True)`) that the
    method reads only for its weights (`mod.state_dict()`, copied into the class's own layers):
    it becomes no part of the module."""
    for method in cls.methods.values():
        for simple in method.simples:
            if not any(c is call for c in simple.calls):
                continue
            if simple.value is not call.node or len(simple.targets) != 1 or "." in simple.targets[0]:
                return False
            name = simple.targets[0]
            text = model.at_class(cls).code(method.node)
            uses = [m.end() for m in re.finditer(rf"(?<![\w.]){re.escape(name)}\b", text)]
            # (the binding itself is one use; every other is `name.state_dict(` and the like)
            reads = [at for at in uses if re.match(rf"\s*\.\s*(?:{'|'.join(_WEIGHTS_READ)})\s*\(", text[at:])]
            return len(uses) - len(reads) == 1 and bool(reads)
    return False


_PLAIN_FEATURES = lazy(r"(^|\.)(vgg(11|13|16|19)|alexnet)$")
"""torchvision factories whose `features` part holds no batch norm (their dropout is in `classifier`)."""


def _mode_free_features(cls: ClassInfo, call: CallSite) -> bool:
    """`vgg = vgg19(pretrained=True).features` (or a slice of it) in a method of the class:
    torchvision's VGG without `_bn` and AlexNet keep their dropout in `classifier`; the `features`
    taken alone are convolutions, ReLU and pooling."""
    if not _PLAIN_FEATURES.search(call.dotted or ""):
        return False
    for method in cls.methods.values():
        for simple in method.simples:
            if any(c is call for c in simple.calls):
                value = simple.value
                while isinstance(value, cst.Subscript):
                    value = value.value
                return isinstance(value, cst.Attribute) and value.attr.value == "features" and value.value is call.node
    return False


def built_with_mode_layers(
    model: LoopModel, cls: ClassInfo, call: CallSite | None, outer: tuple[tuple[str, object], ...] = (),
    caller: FunctionInfo | None = None,
) -> bool:
    """`class_has_mode_layers` for one construction of the class: the constructor's if-arms that
    the arguments of `call` (literals, defaults, values known where it is made) rule out build
    nothing (`Block(c, resample="down")` taking the LayerNorm arm; `vgg(cfg)` with `batch_norm=False`
    by default never reaching its BatchNorm2d)."""
    if not class_has_mode_layers(model, cls):
        return False
    init = cls.methods.get("__init__")
    if call is None or init is None:
        return True
    known = arguments_known(init, call, outer, caller)
    if not known:
        return True
    return _remembered(model, ("mode layers when built", id(cls), repr(known)), lambda: _built_with(model, cls, init, known))


def _remembered(model: LoopModel, key: tuple[object, ...], compute: Callable[[], bool]) -> bool:
    """A fact of the file's classes computed once; while it is computed (a class or helper that
    builds itself) it reads as the unspecialised answer, True."""
    cached = model._class_facts.get(key)
    if cached is not None:
        return cached
    model._class_facts[key] = True
    found = model._class_facts[key] = compute()
    return found


def _bases_have_mode_layers(model: LoopModel, cls: ClassInfo) -> bool:
    """Does a base class hold mode layers (a project base that does, or a base we cannot see)?"""
    return any(
        class_has_mode_layers(model.at_class(base), base) if isinstance(base, ClassInfo) else not _mode_free_base(base)
        for base in model.base_classes(cls)
    )


def _built_with(model: LoopModel, cls: ClassInfo, init: FunctionInfo, known: tuple[tuple[str, object], ...]) -> bool:
    found = _reads_training_flag(cls) or _bases_have_mode_layers(model, cls) or _aliased_mode_layer(cls)
    in_init = {id(c.node) for inner in functions_within(init) for simple in inner.simples for c in simple.calls}
    applied = {id(c.node.func) for c in cls.constructed if isinstance(c.node.func, cst.Call)}
    for call_made in cls.constructed:
        if found:
            break
        if id(call_made.node) not in in_init:
            found = (id(call_made.node) not in applied and _builds_mode_layer(model, call_made)) or _built_part_has_mode_layers(
                model, cls, call_made, ()
            )
    return found or _arms_build_mode_layers(model, init, known, cls, applied)


def _helper_builds_mode_layers(
    model: LoopModel, function: FunctionInfo, call: CallSite, outer: tuple[tuple[str, object], ...]
) -> bool:
    """`_function_builds_mode_layers` for one call of the helper, the arms its arguments rule out
    left aside (`vgg(cfg, i, batch_norm=False)`)."""
    if not _function_builds_mode_layers(model, function):
        return False
    known = arguments_known(function, call, outer)
    if not known:
        return True
    return _remembered(
        model, ("mode layers when called", id(function), repr(known)),
        lambda: _arms_build_mode_layers(model, function, known, None, set()),
    )


def _arms_build_mode_layers(
    model: LoopModel, function: FunctionInfo, known: tuple[tuple[str, object], ...], cls: ClassInfo | None, applied: set[int]
) -> bool:
    """Do the statements of `function` that can run with these parameter values build mode layers?
    In a constructor, an attribute set from a parameter (`self.dropout = dropout`) has its value."""
    if cls is not None and known:
        values = dict(known)
        copied = tuple(
            (target, values[simple.value.value])
            for simple in function.simples
            if isinstance(simple.value, cst.Name) and simple.value.value in values and not simple.augmented
            for target in simple.targets if target.startswith("self.")
        )
        known = known + copied
    for placed in model.ordered_statements(function):
        if any(decide(guard, known) is False for guard in placed.guards):
            continue
        ruled_out = _arms_ruled_out(placed.simple, known)
        for call in placed.simple.calls:
            if id(call.node) in ruled_out:
                continue  # `nn.Dropout(.5) if dropout else nn.Sequential()` built with dropout=False
            if id(call.node) not in applied and _builds_mode_layer(model, call, known):
                return True
            built = model.definition(call.dotted, function) if call.dotted else None
            if cls is not None:
                if _built_part_has_mode_layers(model, cls, call, known):
                    return True
            elif isinstance(built, ClassInfo):
                if built_with_mode_layers(model.at_class(built), built, call, known):
                    return True
            elif isinstance(built, FunctionInfo) and built is not function:
                if _helper_builds_mode_layers(model.at(built), built, call, known):
                    return True
            elif MODEL_FACTORIES.search(call.dotted or ""):
                return True
    return False


def _arms_ruled_out(simple: Simple, known: tuple[tuple[str, object], ...]) -> set[int]:
    """The nodes of the statement in arms of conditional expressions that the known values rule
    out (`nn.Dropout(p) if dropout else nn.Identity()` with `dropout` false: the first arm)."""
    if not known or simple.node is None or not any(isinstance(call.node, cst.Call) for call in simple.calls):
        return set()
    ruled_out: set[int] = set()
    for node in nodes_within(simple.node):
        if type(node) is not cst.IfExp:
            continue
        taken = decide(expression_text(node.test), known)
        if taken is None:
            continue
        ruled_out.update(id(inner) for inner in nodes_within(node.orelse if taken else node.body))
    return ruled_out


def forward_records_no_graph(model: LoopModel, cls: ClassInfo) -> bool:
    """A project module whose forward runs every model call with grad disabled (`with
    torch.inference_mode():` around a feature extractor, or a no_grad forward) and that builds no
    parameter of its own: calling it records no graph, whatever the caller's grad mode."""
    key = ("graph-free forward", id(cls))
    known = model._class_facts.get(key)
    if known is not None:
        return known
    model._class_facts[key] = False
    forward = model.method_of(cls, "forward")
    found = False
    if forward is not None and not any((c.dotted or "").rsplit(".", 1)[-1] == "Parameter" for c in cls.constructed):
        calls = [e for e in model.at(forward).function_events_flat(forward) if e.kind is Kind.MODEL_CALL]
        found = bool(calls) and all(e.context.grad == "off" for e in calls)
    model._class_facts[key] = found
    return found


def forward_records_no_graph_as_called(model: LoopModel, cls: ClassInfo, call: CallSite | None) -> bool:
    """`model(data, mode="inference")` whose forward, as a call passing those values runs it, makes
    every model call under its own no_grad (`if mode == "inference": with torch.no_grad(): ...`):
    this call records no graph (other modes of the same forward may train). A call of another
    method of the model (`model.forward_classifier(batch, train=False)`) is judged by that method."""
    named = model.method_of(cls, call.method) if call is not None and call.method and call.method != "__init__" else None
    forward = named if named is not None and call is not None and call.dotted not in (None, call.method) else model.method_of(cls, "forward")
    if forward is None or call is None or any((c.dotted or "").rsplit(".", 1)[-1] == "Parameter" for c in cls.constructed):
        return False
    constants = tuple(item for item in arguments_known(forward, call) if not isinstance(item[1], type(None)))
    if not constants:
        return False
    owner = model.at(forward)
    calls = [
        e for top in events_of(owner.function_program(forward, constants)) for e in top.flatten() if e.kind is Kind.MODEL_CALL
    ]
    return bool(calls) and all(e.context.grad == "off" for e in calls)


_FROZEN_EMBEDDING = lazy(r"(^|\.)(Embedding|EmbeddingBag)\.from_pretrained$")
"""`nn.Embedding.from_pretrained(weights)`: a table built from given weights (no dropout, no batch norm)."""


def _put_in_eval_where_built(cls: ClassInfo, call: CallSite) -> bool:
    """A module built into a local name of one of the class's methods and put in eval mode there
    (`model = InceptionV3([idx]); model.eval()`), never switched back to training in that method:
    a frozen feature extractor the class wraps. (A train() on the whole object would reach it; a
    class whose instances are trained is judged by its other layers anyway.)"""
    for method in cls.methods.values():
        for function in functions_within(method):
            holder = next((s for s in function.simples if s.value_call is call and len(s.targets) == 1), None)
            if holder is None:
                continue
            name = holder.targets[0]
            modes = [c.method for s in function.simples for c in s.calls if c.receiver == name and c.method in ("eval", "train")]
            return "eval" in modes and "train" not in modes
    return False


PARAMETER_FREE_LIBRARIES = ("torchaudio.transforms.", "torchmetrics.")
"""Library modules that hold no trainable parameter: feature transforms (spectrograms, resampling)
and torchmetrics' metric objects (state buffers; the feature networks of FID, LPIPS or CLIPScore
are frozen inside them)."""


def builds_no_parameters(model: LoopModel, cls: ClassInfo) -> bool:
    """A project module that builds no layer with parameters and no parameter (`Audio2Mel`: buffers
    and torch functions only; `SSIM`: pooling windows): running it records no graph from plain inputs, in any mode. Its own calls
    and those of its project bases are read; a library base other than a mode-free container, a
    library layer, a factory or a project module class it builds makes it parameterised."""
    key = ("parameter-free", id(cls))
    known = model._class_facts.get(key)
    if known is not None:
        return known
    model._class_facts[key] = False
    free = model.is_module_class(cls)
    for base in model.base_classes(cls) if free else ():
        if isinstance(base, ClassInfo):
            free = free and builds_no_parameters(model.at_class(base), base)
        elif base not in ("Module", "nn.Module", "torch.nn.Module"):
            free = False
    if free:
        # `self.module = module` and then `self.module(x)`: it runs a module it was given
        init = model.method_of(cls, "__init__")
        given = {
            target for simple in (init.simples if init is not None else ()) for target in simple.targets
            if target.startswith("self.") and simple.value_names & set(init.params[1:])
            # (not a layer built here from settings it was given: `torchaudio.transforms.MelSpectrogram(
            # sample_rate=params.sample_rate)`, judged below as what it builds)
            and not _built_here(simple)
        }
        called = {c.dotted for c in cls.constructed if c.dotted is not None}
        free = not (given & called)
        for simple in init.simples if free and init is not None else ():
            if simple.value is not None and set(simple.targets) & called and _module_out_of_sight(model, simple.value):
                free = False  # `self.head = config["head"]`, then `self.head(x)`: it runs a module made elsewhere
    for call in cls.constructed if free else ():
        qualified = qualify(call.dotted, model.ir.imports) or call.dotted or ""
        last = qualified.rsplit(".", 1)[-1]
        built = model.definition(call.dotted) if call.dotted else None
        if call.dotted is None and call.inner is None:
            free = False  # `getattr(nn, name)(...)`, `layers[kind](...)`: a callee we cannot name
        elif PARAMETER_FREE_LAYER.match(qualified):
            continue  # `nn.AvgPool2d(3, 1)`, `nn.ReLU()`: a torch layer with no parameter
        elif qualified.startswith("torch.nn.") and not qualified.startswith("torch.nn.functional.") and last[:1].isupper():
            free = False  # `nn.Linear(...)`, `nn.Parameter(...)`, `nn.Sequential(...)`
        elif last in ("Parameter", "ParameterList", "ParameterDict") or MODEL_FACTORIES.search(qualified):
            free = False
        elif qualified.startswith(PARAMETER_FREE_LIBRARIES):
            continue  # `torchaudio.transforms.MelSpectrogram(...)`: a feature transform, no parameter
        elif last[:1].isupper() and not isinstance(built, ClassInfo):
            free = False  # a library class (`GCNConv(...)`, `Conv1d`): a layer as far as we know
        elif isinstance(built, ClassInfo) and built is not cls and model.at_class(built).is_module_class(built):
            free = builds_no_parameters(model.at_class(built), built)
        elif isinstance(built, FunctionInfo) and call.dotted and not call.dotted.startswith("self."):
            free = False  # a project helper may build layers
        elif (
            built is None and call.dotted is not None and "." not in call.dotted and qualified == call.dotted
            and not hasattr(builtins, call.dotted)
        ):
            free = False  # `conv2d = MaskedConv2d if mask else nn.Conv2d`, then `conv2d(3, 64, 9)`: a local name for a class
        if not free:
            break
    model._class_facts[key] = free
    return free


def parameter_free(model: LoopModel, binding: Binding | None) -> bool:
    """Is the binding an instance of a project module class that builds no parameter and is handed
    no module (a spectrogram transform): running it records no graph?"""
    cls = binding.cls if binding is not None else None
    return cls is not None and builds_no_parameters(model.at_class(cls), cls) and not given_modules(model, binding)


def _parameter_free(model: LoopModel, event: Event) -> bool:
    """Is the model called such a parameter-free module?"""
    return parameter_free(model, event.subject.binding if event.subject is not None else None)


def _built_here(simple: Simple) -> bool:
    """Is the statement's value a call of a class by name (`nn.Linear(d, k)`, `Transform(cfg.rate)`),
    not a parameter or something made by calling one (`module`, `factory(x)`)?"""
    call = simple.value_call
    if call is None or call.inner is not None or call.dotted is None:
        return False
    return call.dotted.rsplit(".", 1)[-1][:1].isupper() and call.dotted.split(".", 1)[0] != "self"


def _module_out_of_sight(model: LoopModel, value: cst.BaseExpression) -> bool:
    """A value an `__init__` stores without building it, that may be a module with parameters: an
    entry of a mapping (`config["common_network"]`, `layers[name]`) or a module-level name that is
    no function, class or import (`self.net = NETWORK`)."""
    if isinstance(value, cst.Subscript):
        return True
    if not isinstance(value, cst.Name) or hasattr(builtins, value.value) or value.value in model.ir.imports:
        return False
    return model.definition(value.value) is None and model._assigned_at_top(value.value)


def _library_predictor(binding: Binding | None) -> bool:
    """A detector of the ultralytics library (`YOLO("yolov8n.pt")`, or the `AutoShape` model that
    `torch.hub.load("ultralytics/yolov5", ...)` returns): calling it predicts, and its predictor
    puts the network in eval mode and disables grad itself. Its calls are no pass of ours."""
    if binding is None or binding.call is None:
        return False
    if (binding.qualified or "").startswith("ultralytics."):
        return True
    if not (binding.qualified or "").endswith("hub.load") or not binding.call.args:
        return False
    repository = binding.call.args[0].node
    return isinstance(repository, cst.SimpleString) and repository.evaluated_value.startswith("ultralytics/")


_ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete", "websocket", "api_route"})
_WEB_FRAMEWORKS = ("flask.", "fastapi.", "quart.", "sanic.")


def _web_handler(model: LoopModel, function: FunctionInfo) -> bool:
    """A function a web framework calls for each request (`@app.route("/")` of a `Flask(...)`
    app, `@router.post(...)` of a FastAPI router): the server runs it with grad enabled, as it is."""
    for decorator in function.decorators:
        if not isinstance(decorator, CallSite) or decorator.method not in _ROUTE_METHODS or not decorator.receiver:
            continue
        binding = model.roles.lookup(decorator.receiver, function.parent or function)
        qualified = (binding.qualified if binding is not None else None) or ""
        if qualified.startswith(_WEB_FRAMEWORKS):
            return True
    return False


def _model_handed_on(function: FunctionInfo, loop: Loop | None, event: Event) -> bool:
    """Does the loop (or the function, for a forward in no loop; never a script's top level) hand
    the model it runs to a call after the forward (`_ = model(g, feats)`, then `calc_attn(mp,
    model, g)` reading the attention the forward left in the model)?"""
    name = event.subject.name if event.subject is not None else None
    if name is None or "." in name or function.name == "<module>":
        return False  # (a script's or notebook's later `train(model, ...)` says nothing of this forward)
    simples = list(simples_of(loop.body)) if loop is not None else function.simples
    after = False
    for simple in simples:
        if any(call.node is event.node for call in simple.calls):
            after = True
            continue
        if after and any(any(arg.dotted == name for arg in call.args) for call in simple.calls):
            return True
    return False


def _chooses_an_action(model: LoopModel, loop: Loop, event: Event) -> bool:
    """Does the forward's output, in the loop's iteration, become what the loop hands to an
    environment's `step(...)` (a receiver that is no optimizer, scheduler or scaler)? An agent
    acting in the training loop (epsilon-greedy `q_network(obs).argmax()`), not a pass over data."""
    function = event.context.function
    if function is not loop.function:
        return False
    statement = _statement_of(function, event)
    if statement is None or not statement.targets:
        return False
    placed = [item for item in model.ordered_statements(function) if loop in item.loops]
    names = _derived_names(placed, set(statement.targets), through_calls=True)
    return any(
        _environment_step(model, function, call) and any(arg.names & names for arg in call.args)
        for item in placed for call in item.simple.calls
    )


def records_graph_for_nothing(model: LoopModel, evaluation: EvaluationPass) -> bool:
    """Does the pass record an autograd graph that nothing uses? Its first model call runs with grad
    enabled on every way in, its input was not made to require grad for a gradient taken later,
    grad is not turned on by hand around it (`with torch.enable_grad():`), and the model has
    parameters that are not all frozen, a forward that neither differentiates what it computes
    nor runs everything under `no_grad` (any candidate class, for a model chosen at run time)."""
    first = evaluation.first_call
    if model.grad_at(first, evaluation.entered_by) != "on":
        return False
    if wants_input_gradients(model.at(first.context.function), first):
        return False  # its input was made to require grad: the graph is wanted
    if grad_enabled_on_purpose(first):
        return False  # `with torch.enable_grad():` around it: the graph is wanted (an energy model's inference)
    if graph_drawn(model.at(first.context.function), first):
        return False  # `make_dot(logits, ...)`: the graph itself is what the pass is run for
    binding = evaluation.model.binding if evaluation.model is not None else None
    if binding is not None and model.frozen_whole(binding, first.node, first.context.function):
        return False  # every parameter frozen: the forward records no graph to spare
    # (of a model that is one of several classes, `MODELS[name]()`: any that differentiates needs
    # grad for the shared pass; grad is spared only when none records a graph)
    classes = candidate_classes(model, binding, first.context.function.cls)
    call = first.call
    if any(forward_takes_gradients(model, cls, call) for cls in classes):
        return False  # its forward differentiates what it computes (a PINN's derivatives): it needs grad
    if classes and all(
        forward_records_no_graph(model.at_class(cls), cls) or forward_records_no_graph_as_called(model.at_class(cls), cls, call)
        for cls in classes
    ):
        return False  # its forward disables grad around everything it runs
    if binding is not None and binding.cls is not None and parameter_free(model, binding):
        return False  # it has no parameters
    if classes and call is not None and call.method not in (None, "forward", "__call__") and all(
        _method_records_no_graph(model, cls, call.method) for cls in classes
    ):
        return False  # `model.predict(x)` of each candidate class runs its forwards under no_grad, or none
    return True


def _method_records_no_graph(model: LoopModel, cls: ClassInfo, name: str) -> bool:
    """Does the class's method `name` record no graph whatever grad mode it is called in: it is
    decorated `@torch.no_grad()`, runs every forward inside `torch.no_grad()`, runs none, or the
    class builds no parameter?"""
    owner = model.at_class(cls)
    method = owner.method_of(cls, name)
    if method is None:
        return False
    return (
        owner.flow.grad_of_function(method, "on") == "off" or owner.forwards_without_grad(method)
        or not owner.runs_forward(method) or builds_no_parameters(owner, cls)
    )


_GRAPH_READERS = frozenset({"make_dot", "make_dot_from_trace"})
"""Functions that draw the autograd graph of the tensor they are given (torchviz): they need it recorded."""


def graph_drawn(model: LoopModel, event: Event) -> bool:
    """Is what the forward returns, or a value computed from it, handed later in the function to a
    function that draws its autograd graph (`dot = make_dot(logits, params=...)`), or is its
    `grad_fn` read? The forward is run to show the graph: with grad off there would be none."""
    call = event.call
    if call is None:
        return False
    function = event.context.function
    placed = model.ordered_statements(function)
    for index, item in enumerate(placed):
        simple = item.simple
        if not any(c is call or c.node is event.node for c in simple.calls):
            continue
        outputs = _derived_names(placed[index:], set(simple.targets)) if simple.targets else set()
        if not outputs:
            return False
        for later in placed[index + 1:]:
            for made in later.simple.calls:
                last = (made.dotted or "").rsplit(".", 1)[-1]
                if last in _GRAPH_READERS and any(name in outputs for arg in made.args for name in arg.names):
                    return True
            if ".grad_fn" in (text := model.code(later.simple.node)) and any(
                re.search(rf"(?<![\w.]){re.escape(name)}\.grad_fn\b", text) for name in outputs
            ):
                return True
        return False
    return False


def grad_enabled_on_purpose(event: Event) -> bool:
    """Is the forward, or a call that leads to it, written inside `with torch.enable_grad():`?
    Grad turned on by hand around a computation is wanted, whatever encloses it (a statement
    `torch.set_grad_enabled(True)` only restores the default)."""
    context = event.context
    sites: list[tuple[FunctionInfo, cst.CSTNode]] = [(context.function, event.node)]
    sites += [(caller, call.node) for caller, call in zip(context.callers, context.chain)]
    return any(_inside_enable_grad(function, node) for function, node in sites)


def _inside_enable_grad(function: FunctionInfo, node: cst.CSTNode) -> bool:
    for stmt in all_statements(function.body):
        if isinstance(stmt, With) and stmt.grad == "on" and any(
            isinstance(item.item, cst.Call) and (dotted_name(item.item.func) or "").rsplit(".", 1)[-1] == "enable_grad"
            for item in stmt.written_items
        ):
            if any(call.node is node for simple in simples_of(stmt.body) for call in simple.calls):
                return True
    return False
