"""Training state outside the loop: what a checkpoint saves, and when parameters get frozen.

Checkpoints are read from the dict passed to `torch.save` (a literal, or a name built from one and
from subscript assignments); freezes from `p.requires_grad = False` and `requires_grad_(False)`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model.build import NOT_LITERAL, dotted_name, literal_value, nodes_within, qualify
from loopcheck.model.dataflow import DICT_MAKERS, Placed
from loopcheck.model.flow import Kind, decide
from loopcheck.model.ir import CallSite, FunctionInfo, Loop, Simple, all_statements
from loopcheck.model.roles import MODEL, OPTIMIZER, SCHEDULER, Binding, role_from_name, without_module
from loopcheck.records import Frozen, _set

if TYPE_CHECKING:
    from loopcheck.model import LoopModel

_PROGRESS_KEY = lazy(r"(?i:epoch|step|episode)|(?<![a-z])(?i:iter)|(?<=[a-z])Iter")
"""Words of a training position: `epoch`, `global_step`, `n_iter`, `iteration`, `globalIter`; not
the `iter` inside a word (`criterion`)."""
_METRIC_KEY = lazy(r"(?i)loss|acc|metric|score|history|err")
"""Words of a key that holds a measurement, not a position (`final_step_loss`, `epoch_acc`)."""


def _position_key(key: str) -> bool:
    """Does a saved dict's key name where training was (`epoch`, `global_step`), not a value
    measured at some step (`final_step_loss`, a list of losses kept in a history)?"""
    return bool(_PROGRESS_KEY.search(key)) and not _METRIC_KEY.search(key)
_EPOCH = lazy(r"(?i)epoch")
_IMPROVEMENT = lazy(r"(?i)best|improv")
_COMPARISON = lazy(r"([\w.\[\]'\"()]+)\s*(?:<=?|>=?)\s*([\w.\[\]'\"()-]+)")
"""`val_acc > top_acc`: one side of an order comparison and the other."""
_ALL_PARAMETERS = lazy(r"^(self\.)?[A-Za-z_]\w*\.parameters\(\)$")


@dataclass(init=False, eq=False, repr=False)
class Checkpoint(Frozen):
    """A `torch.save` of training state: what it saves, and where."""

    save: CallSite
    """The `torch.save(...)` call."""
    keys: frozenset[str]
    """The string keys of the saved dict."""
    state_of: frozenset[str]
    """Roles whose `state_dict()` is saved: model, optimizer, scheduler."""
    function: FunctionInfo
    """The function the dict is built in (the caller, when a helper saves what it is given)."""
    at: CallSite
    """Where to point: the save, or the call of this file that hands the dict to a saving helper."""
    separate_files: bool = False
    """`torch.save(G.state_dict(), f"G_{epoch}.pth")`: each object's state saved to a file of its
    own, the position in the file name; `keys` then holds that position's name."""
    position_in_name: bool = False
    """A dict with no position key saved to a file whose name holds the position
    (`torch.save(params, f"{name}_params_{step:07d}.pt")`); `keys` then holds that position's name too."""
    reloaded: bool = False
    """Model weights saved to files of their own with no position, that the script loads back
    into the model before training goes on (`if args.load: agent.load()`): resumed from."""

    def __init__(
        self,
        save: CallSite,
        keys: frozenset[str],
        state_of: frozenset[str],
        function: FunctionInfo,
        at: CallSite,
        separate_files: bool = False,
        position_in_name: bool = False,
        reloaded: bool = False,
    ) -> None:
        _set(self, "save", save)
        _set(self, "keys", keys)
        _set(self, "state_of", state_of)
        _set(self, "function", function)
        _set(self, "at", at)
        _set(self, "separate_files", separate_files)
        _set(self, "position_in_name", position_in_name)
        _set(self, "reloaded", reloaded)

    @property
    def has_model_and_position(self) -> bool:
        """Saves the model and where training was (or is loaded back to go on training)."""
        has_model = MODEL in self.state_of or any("model" in k.lower() for k in self.keys)
        return has_model and (self.reloaded or any(_position_key(k) for k in self.keys))

    @property
    def position(self) -> str:
        positions = sorted(k for k in self.keys if _position_key(k))
        return positions[0] if positions else "weights"

    def saves(self, role: str) -> bool:
        word = "optim" if role == OPTIMIZER else "sched"
        if ANY_KEY in self.keys:
            return True  # filled from `**kwargs`: what the callers pass cannot be seen from here
        return role in self.state_of or (not self.separate_files and any(word in k.lower() for k in self.keys))


@dataclass(init=False, eq=False, repr=False)
class Freeze(Frozen):
    """Parameters of a model frozen (`requires_grad_(False)`) in a function."""

    statement: Simple
    model: str
    """The root name of what is frozen (`model` for `model.backbone.requires_grad_(False)`)."""
    function: FunctionInfo

    def __init__(self, statement: Simple, model: str, function: FunctionInfo) -> None:
        _set(self, "statement", statement)
        _set(self, "model", model)
        _set(self, "function", function)


def checkpoints(model: LoopModel) -> list[Checkpoint]:
    """Every `torch.save` of a dict in this file, and every call of this file that hands a dict
    to a project function that saves it (`save_checkpoint({...}, is_best)`)."""
    found: list[Checkpoint] = []
    for function in model.ir.functions:
        for simple in function.simples:
            for call in simple.calls:
                if qualify(call.dotted, model.ir.imports) != "torch.save" or not call.args:
                    continue
                parts = _saved_dict(function, simple, call.args[0].node, model)
                if parts is not None:
                    found.append(_position_from_name(model, function, call, _checkpoint(model, call, call, function, *parts)))
                    continue
                found.extend(_handed_in(model, function, call))
        found.extend(_state_files(model, function))
        found.extend(_handed_to_other_file(model, function))
    return found


def saved_beside(model: LoopModel, checkpoint: Checkpoint) -> frozenset[str]:
    """Roles whose state another `torch.save` of the same function writes whenever this one is made:
    in the same loops, under the same tests or some of them (`checkpoint.pt` and, just after it,
    `torch.save(optimizer.state_dict(), "optim_checkpoint.pt")`; `latest.pt` with the optimizer's
    state every iteration, and under `if it % 25 == 0:` an `iter_00025.pt` of the weights)."""
    function = checkpoint.function
    here = placed_of(model, function, checkpoint.save)
    if here is None:
        return frozenset()
    roles: set[str] = set()
    for simple in function.simples:
        for call in simple.calls:
            if call is checkpoint.save or qualify(call.dotted, model.ir.imports) != "torch.save" or not call.args:
                continue
            where = placed_of(model, function, call)
            if where is None or not _made_whenever(where, here):
                continue
            for name in re.findall(r"([A-Za-z_][\w.]*)\.state_dict\(\)", model.code(call.args[0].node)):
                role = model.roles.role(name, function)
                if role is not None:
                    roles.add(role)
    # (a resume checkpoint built beside it, `save_checkpoint({"epoch": ..., "optimizer": ...}, path)`,
    # then the bare weights saved every epoch: those are copies of the model, the dict the resume)
    for other in model.checkpoints:
        if other is checkpoint or other.function is not function or not other.has_model_and_position or ANY_KEY in other.keys:
            continue
        where = placed_of(model, function, other.at)
        if where is not None and _made_whenever(where, here):
            roles |= {role for role in (OPTIMIZER, SCHEDULER) if other.saves(role)}
    return frozenset(roles)


def _made_whenever(other: Placed, here: Placed) -> bool:
    """Does the statement `other` run whenever `here` does: in the same loops, under no test that
    `here` is not under? (A save made only when a metric improves is judged by its own rules: a
    snapshot kept on improvement, `if acc > best:`, is an export unless the resume reads it.)"""
    if other.loops != here.loops or not set(other.guards) <= set(here.guards):
        return False
    return other.guards == here.guards or not any(
        not g.startswith("not (") and _IMPROVEMENT.search(g) for g in set(here.guards) - set(other.guards)
    )


def dead_branch(model: LoopModel, checkpoint: Checkpoint) -> bool:
    """Saved under a test that is literally false (`if False:  # epoch % k == 0`): never runs."""
    where = placed_of(model, checkpoint.function, checkpoint.save)
    return where is not None and any(guard.strip() in ("False", "0", "None") for guard in where.guards)


def _position_from_name(model: LoopModel, function: FunctionInfo, call: CallSite, checkpoint: Checkpoint) -> Checkpoint:
    """A dict of model weights with no position key, saved to a file named by the step or epoch:
    the position is in the file name."""
    if checkpoint.has_model_and_position or MODEL not in checkpoint.state_of or len(call.args) < 2:
        return checkpoint
    names = _path_names([call.args[1].node], function)
    position = sorted(name for name in names if _PROGRESS_KEY.search(name))
    if not position:
        position = _position_named_by_callers(model, function, call.args[1].dotted)
    if not position:
        return checkpoint
    return replace(checkpoint, keys=checkpoint.keys | {position[0]}, position_in_name=True)


def _position_named_by_callers(model: LoopModel, function: FunctionInfo, path: str | None) -> list[str]:
    """A saving helper whose file path is a parameter (`def save(self, filepath): torch.save({...},
    filepath)`): the positions that the paths its callers hand it, saving every so often while they
    train (not only when a metric improves), are named by (`agent.save(f"{algo}_ep{episode}.pth")`)."""
    if path is None or path not in function.params:
        return []
    index = function.argument_index(path)
    found: set[str] = set()
    for edge in model.callers(function):
        arg = edge.call.arg(index, path)
        caller = model.at(edge.caller)
        at = placed_of(caller, edge.caller, edge.call)
        if arg is None or at is None or _on_improvement(at):
            continue
        found |= {name for name in _path_names([arg.node], edge.caller) if _PROGRESS_KEY.search(name)}
    return sorted(found)


def _handed_to_other_file(model: LoopModel, function: FunctionInfo) -> list[Checkpoint]:
    """`save_checkpoint({...}, path)` where `save_checkpoint` lives in another project file and
    `torch.save`s the parameter it is given: the dict is built (and reported) here."""
    found: list[Checkpoint] = []
    for simple in function.simples:
        for call in simple.calls:
            if not call.args or call.method in ("save", "state_dict", "load_state_dict"):
                continue
            target = model.resolve_call(call, function, via_callers=False)
            if target is None or model.at(target) is model:
                continue
            owner = model.at(target)
            for inner in (c for s in target.simples for c in s.calls):
                if qualify(inner.dotted, owner.ir.imports) != "torch.save" or not inner.args:
                    continue
                saved = inner.args[0].dotted
                if saved is None or saved not in target.params:
                    continue
                arg = call.arg(target.argument_index(saved), saved)
                parts = _saved_dict(function, simple, arg.node, model) if arg is not None else None
                if parts is not None:
                    found.append(_checkpoint(model, inner, call, function, *parts))
    return found


def _state_files(model: LoopModel, function: FunctionInfo) -> list[Checkpoint]:
    """The saves of a function that write each object's `state_dict()` to a file of its own with the
    training position in the file name: one checkpoint (at the first model save) holding them all."""
    saves: list[tuple[CallSite, str | None]] = []
    for simple in function.simples:
        for call in simple.calls:
            if qualify(call.dotted, model.ir.imports) != "torch.save" or len(call.args) < 2:
                continue
            owner = _saved_object(call.args[0].node, function)
            if owner is None:
                continue
            saves.append((call, model.roles.role(owner, function)))
    models = [call for call, role in saves if role == MODEL]
    if not models:
        return []
    path_names = _path_names([call.args[1].node for call, _ in saves], function)  # also `str(epoch)` inside
    position = sorted(name for name in path_names if _PROGRESS_KEY.search(name))
    roles = frozenset(role for _, role in saves if role)
    # the periodic save, when there is one besides the one made when a metric improves
    placed = [placed_of(model, function, call) for call in models]
    periodic = [call for call, where in zip(models, placed) if where is not None and not _on_improvement(where)]
    first = periodic[0] if periodic else models[0]
    if not position:
        words = {w for call in models for w in _file_words(model, model.code(call.args[1].node))}
        saved_models = {without_module(_saved_object(call.args[0].node, function) or "") for call in models}
        names = {_literal_file_name(model, model.code(call.args[1].node)) for call in periodic}
        if not periodic or not _reloaded_before_training(
            model, words, saved_models, function, set() if None in names else names, bare=True
        ):
            return []
        if _starts_from_scratch(model, function, first):
            return []  # loaded only as starting weights: the run goes on from epoch 0 (a warm start)
        return [Checkpoint(first, frozenset(), roles, function, first, separate_files=True, reloaded=True)]
    return [Checkpoint(first, frozenset(position[:1]), roles, function, first, separate_files=True)]


def _starts_from_scratch(model: LoopModel, function: FunctionInfo, save: CallSite, depth: int = 2) -> bool:
    """Bare weights, no position: does every loop around the save (here, or around the calls of
    its function a few calls up) start from a fixed place (`for epoch in range(epochs)`, `range(1,
    n + 1)`, a loader)? Then the weights loaded back only start another run, whose epochs count
    from the beginning: a warm start, not a resume (that puts the run back where it was, `for e in
    range(start, epochs)` with `start` read from the file's name)."""
    placed = placed_of(model, function, save)
    if placed is None:
        return False
    if any(not _fixed_start(loop) for loop in placed.loops):
        return False
    if any(_EPOCH.search(target) for loop in placed.loops for target in loop.targets):
        return True  # (the epoch loop itself)
    return all(
        _starts_from_scratch(model.at(edge.caller), edge.caller, edge.call, depth - 1)
        for edge in (model.callers(function) if depth > 0 else ())
    )


def _fixed_start(loop: Loop) -> bool:
    """Does the loop start where counting starts on every run: over a `range` from 0 or 1 (not from
    `start_epoch`, nor from 31 typed in to go on), or over data (not a `while`, whose counter may
    have been set from a checkpoint)?"""
    if not isinstance(loop.node, cst.For):
        return False
    iterated = loop.node.iter
    while isinstance(iterated, cst.Call) and dotted_name(iterated.func) in _ITERATION_WRAPPERS and iterated.args:
        iterated = iterated.args[0].value  # `tqdm(range(epochs))`, `enumerate(loader)`
    if isinstance(iterated, cst.Call) and dotted_name(iterated.func) in ("range", "trange"):
        positional = [arg for arg in iterated.args if arg.keyword is None]
        first = positional[0].value if len(positional) > 1 else None
        return first is None or (isinstance(first, cst.Integer) and first.evaluated_value in (0, 1))
    return True  # over data: every run goes through it from its start


_ITERATION_WRAPPERS = frozenset({"tqdm", "tqdm.tqdm", "enumerate"})


def _saved_object(state: cst.CSTNode, function: FunctionInfo | None = None) -> str | None:
    """What `torch.save` writes of an object: its `state_dict()` (`net.state_dict()`), or the whole
    module pickled (`torch.save(net, path)`): the object's name; None for anything else. With the
    function, a name it binds to a state dict is followed (`save_model = net.module.state_dict()
    if multi_gpu else net.state_dict()`, then `torch.save(save_model, path)`; bound in several
    arms, each to a state dict of the same module or of the module it wraps)."""
    if isinstance(state, cst.Call) and isinstance(state.func, cst.Attribute) and state.func.attr.value == "state_dict":
        return dotted_name(state.func.value)
    if isinstance(state, cst.IfExp):
        arms = {without_module(_saved_object(arm) or "") for arm in (state.body, state.orelse)}
        return arms.pop() or None if len(arms) == 1 else None
    if isinstance(state, cst.Name) and function is not None:
        bound = [simple.value for simple in function.assignments if simple.targets == (state.value,) and not simple.augmented]
        if len(bound) == 1 and isinstance(bound[0], (cst.Call, cst.IfExp)):
            followed = _saved_object(bound[0])
            if followed is not None:
                return followed
        if len(bound) > 1 and all(isinstance(value, (cst.Call, cst.IfExp)) for value in bound):
            # bound in each arm of a test (`if isinstance(model, DataParallel): state_dict =
            # model.module.state_dict()` / `else: state_dict = model.state_dict()`): the one module
            # every arm's state dict is of
            each = {without_module(_saved_object(value) or "") for value in bound}
            if len(each) == 1 and "" not in each:
                return each.pop()
    if isinstance(state, (cst.Name, cst.Attribute)):
        return dotted_name(state)
    return None


_RESUMING_WORDS = lazy(r"(?i)resum|restor|continu|reload|latest|last")
"""Words of a loaded file's name (or of the option naming it) that say training goes on from it."""


def _reloaded_before_training(
    model: LoopModel,
    saved_words: set[str],
    saved_models: set[str] = frozenset(),
    saver: FunctionInfo | None = None,
    saved_names: set[str] = frozenset(),
    bare: bool = False,
) -> bool:
    """Does a function of this file load weights from files named like the saved ones (or from a
    file its name says is resumed from) into a model, and then train in the same branch
    (`if args.load: agent.load()` before the episode loop; not `if mode == "test": agent.load()`
    beside a training branch)? With `saver`, the files of the functions that call it are looked at
    too (`save_model(args, model, optimizer)` in a helper file, the resume code in the script).
    With `saved_names`, the literal names of the saved files: a load of a file with another
    literal name (`unet.pt`, the best weights, where `unet_last.pt` is saved) reads other weights.
    With `bare`, the files hold bare weights (`torch.save(net.state_dict(), path)`): a load that
    reads a key of what it loads (`net.load_state_dict(ckpt["state_dict"])`) reads a dict
    checkpoint, another file."""
    if saver is not None:
        if any(name.split(".", 1)[0] in saver.params and not name.startswith("self.") for name in saved_models):
            saved_models = set()  # the callers name the model otherwise (`self.net` is the object's own, in every method)
        files = {id(model): model}
        for edge in model.callers(saver):
            files.setdefault(id(model.at(edge.caller)), model.at(edge.caller))
        return any(_reloaded_before_training(owner, saved_words, saved_models, None, saved_names, bare) for owner in files.values())
    for function in model.ir.functions:
        placed = model.ordered_statements(function)
        training = {id(step.loop) for step in model.training_steps if step.loop.function is function}
        starts = [
            index for index, item in enumerate(placed)
            if any(
                (call.method in ("backward", "step") and any(id(loop) in training for loop in item.loops))
                or training_callee(model, function, call) is not None
                for call in item.simple.calls
            ) or (any(_EPOCH.search(target) for loop in item.loops for target in loop.targets) and _may_train_out_of_sight(model, function, item))
        ]  # (a statement of an epoch loop: `train_one_epoch(model, optimizer)` of code out of sight)
        if not starts:
            if function.name == "__init__" and function.cls is not None and _constructor_loads_for_training(
                model, function, placed, saved_models
            ):
                return True  # `Trainer.__init__` loads the weights, `Trainer.train()` goes on from them
            continue
        for index, item in enumerate(placed):
            if index >= starts[-1] and not item.loops:
                break
            words = _weights_loaded_by(model, function, item.simple, saved_models, bare=bare)
            if words is None:
                continue
            if _resumed_by_its_loop(placed, starts, index):
                return True
            if index >= starts[-1]:
                continue
            resuming = any(_RESUMING_WORDS.search(w) for w in words) or any(
                _RESUMING_WORDS.search(guard) for guard in item.guards if not guard.startswith("not (")
            )  # (`if args.resume:` around the load says so too)
            if words and saved_words and not words & saved_words and not resuming:
                continue  # `..._baseline_epoch_N.pt` loaded, `..._tune_epoch_N.pt` saved: another run's weights
            if saved_names and (loaded := _loaded_file_names(model, item.simple)) and not loaded & saved_names:
                continue  # `unet.pt` (the best weights) loaded, `unet_last.pt` saved
            loaded_into = _models_loaded_into(item.simple)
            later_starts = [
                later for later in starts
                if later > index and same_branch(item.guards, placed[later].guards)
                and _together(model, function, item.guards, placed[later].guards)
                and not _built_anew_between(placed, index, later, loaded_into)
            ]
            if later_starts and (
                _position_restored(model, function, placed, item.guards)
                or any(_position_restored_by_callee(model, function, placed[later]) for later in later_starts)
            ):
                return True
    return False


def _resumed_by_its_loop(placed: list[Placed], starts: list[int], load: int) -> bool:
    """Is the load, in a loop over training positions whose iterations train, a load of the
    weights of the loop's own position (`for epoch in range(1, n + 1): if not exists(epoch):
    train(epoch)` `else: net.load(epoch)`)? The iterations after it go on from those weights, at
    the position the loop holds: a resume, wherever the load stands in the loop's body."""
    item = placed[load]
    read = {name for call in item.simple.calls for arg in call.args for name in arg.names}
    positions = {
        id(loop) for loop in item.loops
        if any(_PROGRESS_KEY.search(target) and target in read for target in loop.targets)
    }
    return bool(positions) and any(
        start != load and positions & {id(loop) for loop in placed[start].loops} for start in starts
    )


def _models_loaded_into(simple: Simple) -> set[str]:
    """The names a statement loads weights into (`net.load_state_dict(...)`, `net = torch.load(p)`)."""
    found = {call.receiver for call in simple.calls if call.method == "load_state_dict" and call.receiver}
    if any(call.dotted is not None and call.dotted.endswith("load") for call in simple.calls):
        found |= set(simple.targets)
    return found


def _built_anew_between(placed: list[Placed], load: int, start: int, names: set[str]) -> bool:
    """Is every model the load filled bound to a newly built object between the load and the training
    (`model = PretrainedUNet(...)` in a later cell, before its own training)? Training then goes on
    from fresh weights, not from the loaded ones (`model = model.to(device)` keeps the object)."""
    if not names:
        return False
    rebuilt: set[str] = set()
    for item in placed[load + 1 : start]:
        simple = item.simple
        call = simple.value_call
        if call is None or simple.augmented or item.guards != placed[start].guards[: len(item.guards)]:
            continue
        while call.inner is not None:
            call = call.inner  # (`PretrainedUNet(...).to(device)`: what is built is the innermost)
        root = call.receiver_root or (call.receiver.split(".", 1)[0] if call.receiver else None)
        rebuilt |= {target for target in simple.targets if target in names and root != target}
    return rebuilt >= names


def _may_train_out_of_sight(model: LoopModel, function: FunctionInfo, item: Placed) -> bool:
    """In an epoch loop, a statement that may train through code out of sight: a call the project
    does not define given an optimizer, or named for training (`train_one_epoch(model, opt)`,
    `trainer.fit(...)`); not the plots and prints of a loop over saved epochs."""
    for call in item.simple.calls:
        if model.resolve_call(call, function, via_callers=False) is not None:
            continue
        if call.method is not None and not call.method[:1].isupper() and _TRAINING_CALL.search(call.method):
            return True  # (a class built, `PretrainedUNet(...)`, trains nothing)
        if any(arg.dotted is not None and model.roles.role(arg.dotted, function) == OPTIMIZER for arg in call.args):
            return True
    return False


_TRAINING_CALL = lazy(r"(?i)(^|_)(train|fit|step|update)|epoch")
"""Names of calls that may run a training step of code out of sight."""


def _constructor_loads_for_training(model: LoopModel, init: FunctionInfo, placed: list[Placed], saved_models: set[str]) -> bool:
    """A constructor that loads saved weights (`if self.pretrained_model: self.load_pretrained_model()`)
    into an object whose training method puts the position back (`start = self.pretrained_model + 1`)."""
    loads = [item for item in placed if _weights_loaded_by(model, init, item.simple, saved_models) is not None]
    if not loads:
        return False
    for method in init.cls.methods.values():  # type: ignore[union-attr]
        if method is init or not {"backward", "step"} <= model.reaches(method):
            continue
        method_placed = model.ordered_statements(method)
        if any(_position_restored(model, method, method_placed, load.guards) for load in loads):
            return True
    return False


def _position_restored(
    model: LoopModel, function: FunctionInfo, placed: list[Placed], load_guards: tuple[str, ...], strict: bool = False
) -> bool:
    """Does the function put training back where the loaded weights left it: a position (`start_iter`,
    `start_epoch`, `global_step`) set from something other than a constant where the load can run
    (`start_iter = int(latest.split('_')[-1])`), or a training loop that starts from one
    (`range(args.start_epoch, epochs)`)? Without it the load is a warm start: a new run from
    trained weights, with its own fresh optimizer."""
    counters = {target for item in placed if item.simple.augmented for target in item.simple.targets}
    for item in placed:
        simple = item.simple
        if not same_branch(load_guards, item.guards):
            continue
        if simple.value is None or simple.augmented or isinstance(simple.value, (cst.Integer, cst.Float)):
            continue
        if isinstance(simple.value, cst.Name) and simple.value.value in counters:
            continue  # `last_step = steps` beside `steps += 1`: where this run stands, noted, not put back
        for target in simple.targets:
            if _START_POSITION.search(target) or (
                not strict and _PROGRESS_KEY.search(target) and not _COUNT_NAME.search(target)
                and _READ_BACK_VALUE.search(model.code(simple.value))
            ):
                return True
    # `for epoch in range(args.epoch, args.epochs)`: a loop that starts where a position says (a
    # name the function only ever sets to a constant, `start = 0`, says nothing); or an epoch loop
    # started by hand past its first epochs (`range(31, args.total_epoch)`: the position typed in
    # after the weights of epoch 30 are loaded back; 0 and 1 are where counting starts)
    def said(first: str, loop: Loop) -> bool:
        first = first.strip()
        if first.isdigit():
            return int(first) > 1 and any(_PROGRESS_KEY.search(target) for target in loop.targets)
        if not (_PROGRESS_KEY.search(first) or _START_POSITION.search(first)):
            return False
        values = [a.value for a in function.assignments if first in a.targets and not a.augmented]
        constant = model.at(function).flow.module_constant(first) if not values and first not in function.params else None
        if isinstance(constant, int) and not isinstance(constant, bool):
            # `epoch_start = 1` at the script's top level: where counting starts, typed in (past
            # 1, the position of weights typed in after them, as a literal is)
            return constant > 1 and any(_PROGRESS_KEY.search(target) for target in loop.targets)
        return not values or any(not isinstance(v, (cst.Integer, cst.Float)) for v in values)

    return any(
        said(loop.iter_text[len("range("):].split(",", 1)[0], loop)
        for loop in function.loops
        if loop.iter_text.startswith("range(") and "," in loop.iter_text
    ) or _position_handed_in(function)


def _position_handed_in(function: FunctionInfo) -> bool:
    """A parameter naming a training position (`n_iter=50000`, `start_step`) that the function's
    loops count on (`n_iter += 1`), given a place to start from other than 0 or 1: the caller says
    where training goes on, as a position read back would (`adversarial_training(n_iter=50000)`
    loading the weights saved at 50k iterations)."""
    from loopcheck.model.dataflow import simples_of

    for name in function.params:
        if name in ("self", "cls") or not _PROGRESS_KEY.search(name):
            continue
        if function.defaults.get(name, NOT_LITERAL) in (0, 1, None):
            continue  # (counting starts there: nothing is resumed)
        if any(name in s.targets and s.augmented for loop in function.loops for s in simples_of(loop.body)):
            return True
    return False


_START_POSITION = lazy(r"(?i)^(self\.)?(start|begin)$|(start|begin|resume|first|init|last|global|current|cur)_?(epoch|ep\b|step|iter|episode)")
"""Names of where training starts or stands (`start_epoch`, `args.start_iter`, `global_step`)."""
_COUNT_NAME = lazy(r"(?i)(^|[._])(num|n|max|total|nb)_?(epoch|step|iter|episode)|(epoch|step|iter|episode)s$")
"""Names of how long training runs (`NUM_EPOCH = cfg["NUM_EPOCH"]`, `max_iter`, `epochs`), not of where it stands."""
_READ_BACK_VALUE = lazy(r"\[|\bint\(|\.split\(|\bload\w*\(|\.load\w*\(")
"""Values read back from somewhere (`checkpoint["epoch"]`, `int(path.split("_")[-1])`,
`load_epoch(path)`); not a count of batches (`epoch * len(dataloader) + i`)."""


def _position_restored_by_callee(model: LoopModel, function: FunctionInfo, start: Placed) -> bool:
    """Weights loaded at a script's top, then `train()` called: does the training function it calls
    put the position back itself (`start_iter = args.resume_epoch * epoch_size`)?"""
    for call in start.simple.calls:
        target = training_callee(model, function, call)
        if target is None:
            continue
        owner = model.at(target)
        # (the load's tests are another function's: none of them is this one's; only a start named
        # so counts there: an update's `optim_iter_num = int(...)` is no position)
        if _position_restored(owner, target, owner.ordered_statements(target), (), strict=True):
            return True
    return False


def _together(model: LoopModel, function: FunctionInfo, first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Can one call of the function run statements under both sets of if-tests, given the values
    its callers pass (`run(train=True, test=False)` and `run(train=False, test=True)`: a load under
    `if test:` and training under `if train:` never meet)?"""
    ways = model.specializations(function)
    if not ways:
        return True
    return any(all(decide(guard, constants) is not False for guard in (*first, *second)) for constants in ways)


def training_callee(model: LoopModel, function: FunctionInfo, call: CallSite) -> FunctionInfo | None:
    """The project function the call runs when it trains (reaches backward and step); else None."""
    target = model.resolve_call(call, function, via_callers=False)
    return target if target is not None and target is not function and {"backward", "step"} <= model.reaches(target) else None


def same_branch(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Can statements under these if-arm tests both run (no test of one negated in the other)?"""
    return not any(f"not ({guard})" in second for guard in first) and not any(f"not ({guard})" in first for guard in second)


def _weights_loaded_by(
    model: LoopModel, function: FunctionInfo, simple: Simple, saved_models: set[str] = frozenset(), depth: int = 0,
    receiver: str | None = None, bare: bool = False,
) -> set[str] | None:
    """The words naming the file a statement loads weights from into a model (`net.load_state_dict(
    torch.load(path))`, `params = torch.load(p); G.load_state_dict(params["G"])`, or a call of a
    project method that does: `agent.load()`, `net.load_weights(args.resume)`); None when it loads none.
    With `saved_models`, only loads into one of them count (not `teacher.load_state_dict(...)`);
    with `bare`, not a load of a key of a dict checkpoint (see `_reloaded_before_training`)."""
    if depth == 0 and simple.value is not None and simple.targets:
        # `net = torch.load(path)`: a whole pickled module read back into a saved model's name
        into = {without_module(target) for target in simple.targets}
        text = model.code(simple.value)
        found = re.match(r"\s*torch\.load\(", text)
        if found is not None and saved_models and into & saved_models:
            return _file_words(model, text[found.end():]) | _argument_words(model, text[found.end():])
    for call in simple.calls:
        if call.method == "load_state_dict" and call.args:
            into = without_module(call.receiver or "")
            if into and model.roles.role(into, function) in (OPTIMIZER, SCHEDULER):
                continue  # `optimizer.load_state_dict(...)`: no weights
            # (in a method called on `net`, `self` is `net`: `net.load_weights(path)`)
            seen_as = receiver + into[4:] if receiver and (into == "self" or into.startswith("self.")) else into
            if saved_models and into not in saved_models and seen_as not in saved_models:
                continue
            if bare and isinstance(call.args[0].node, cst.Subscript):
                continue
            text = model.code(call.args[0].node)
            found = re.search(r"torch\.load\(", text)
            if found is not None:
                return _file_words(model, text[found.end():]) | _argument_words(model, text[found.end():])
            names = call.args[0].names
            for assigned in function.assignments:
                if set(assigned.targets) & names and assigned.value is not None:
                    value = model.code(assigned.value)
                    found = re.search(r"torch\.load\(", value)
                    if found is not None:
                        return _file_words(model, value[found.end():]) | _argument_words(model, value[found.end():])
            copied = _load_copied_into(model, function, names)
            if copied is not None:
                return _file_words(model, copied) | _argument_words(model, copied)
            continue
        if depth > 0 or call.method in ("load_state_dict", "state_dict"):
            continue
        target = model.resolve_call(call, function, via_callers=False)
        if target is None or target is function or "backward" in model.reaches(target):
            continue  # (a function that loads and then trains is judged on its own)
        owner = model.at(target)
        for inner in target.simples:
            words = _weights_loaded_by(owner, target, inner, saved_models, depth + 1, call.receiver, bare)
            if words is not None:
                given = {w for arg in call.args for w in _argument_words(model, model.code(arg.node))}
                return words | given
    return None


def _load_copied_into(model: LoopModel, function: FunctionInfo, names: set[str]) -> str | None:
    """`state = torch.load(path)`, then `for k, v in state.items(): renamed[k[7:]] = v` and
    `net.load_state_dict(renamed)`: what the load reads (the text after `torch.load(`), when its
    items are copied into one of `names`; None otherwise."""
    loads: dict[str, str] = {}
    for assigned in function.assignments:
        text = model.code(assigned.value) if assigned.value is not None else ""
        found = re.search(r"torch\.load\(", text)
        if found is not None:
            loads.update((target, text[found.end():]) for target in assigned.targets)
    if not loads:
        return None
    for loop in function.loops:
        sources = sorted(loop.iter_names & set(loads))
        if sources and any(
            isinstance(statement, Simple) and set(statement.subscript_targets) & names for statement in all_statements(loop.body)
        ):
            return loads[sources[0]]
    return None


def _argument_words(model: LoopModel, text: str) -> set[str]:
    """The words of the names in an argument (`args.resume` -> resume)."""
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", _balanced(text))} - _GENERIC_FILE_WORDS


def _handed_in(model: LoopModel, function: FunctionInfo, save: CallSite) -> list[Checkpoint]:
    """`def save_checkpoint(state, is_best): torch.save(state, ...)`: the dicts its callers in this file give it."""
    saved = save.args[0].dotted
    if saved is None or saved not in function.params:
        return []
    index = function.argument_index(saved)
    if index < 0:
        return []  # `torch.save(self, path)`: the object itself, not a dict its callers hand in
    found: list[Checkpoint] = []
    for edge in model.callers(function):
        if model.at(edge.caller) is not model:
            continue  # reported in the file that builds the dict
        arg = edge.call.arg(index, saved)
        statement = next((s for s in edge.caller.simples if any(c is edge.call for c in s.calls)), None)
        if arg is None or statement is None:
            continue
        parts = _saved_dict(edge.caller, statement, arg.node, model)
        if parts is not None:
            found.append(_checkpoint(model, save, edge.call, edge.caller, *parts))
    return found


def _checkpoint(
    model: LoopModel, save: CallSite, at: CallSite, function: FunctionInfo, keys: set[str], statements: list[Simple]
) -> Checkpoint:
    def role(name: str) -> str | None:
        while name.endswith(".module"):  # `net.module.state_dict()`: the model inside DataParallel
            name = name[: -len(".module")]
        found = model.roles.role(name, function)
        if found is None and name in function.params:
            # `def save_checkpoints(..., encoder_solver, ...)` handed the optimizer its callers build
            given = model.binding(name, function)
            found = given.role if given is not None else None
        if found is None and "." in name and role_from_name(name) is None and role_from_name(name.split(".", 1)[0]) == MODEL:
            # `model.enc.state_dict()` of a helper's parameter `model`: a part of a model (the
            # part's own name says no optimizer, scheduler or scaler)
            return MODEL
        return found

    roles = {role(c.receiver) for s in statements for c in s.calls if c.method == "state_dict" and c.receiver is not None}
    for literal in _dict_literals(statements):  # `{"net": net, "epoch": epoch}`: the module itself, pickled whole
        for element in literal.elements:
            name = dotted_name(element.value) if isinstance(element, cst.DictElement) else None
            if name is not None and role(name) == MODEL:
                roles.add(MODEL)  # (an object of another role is no state of it: `"settings": opt`)
    return Checkpoint(save, frozenset(keys), frozenset(r for r in roles if r), function, at)


def meant_for_resuming(model: LoopModel, checkpoint: Checkpoint) -> bool:
    """Saved every so often while training (not only when a metric improves), or read back somewhere
    in the project to go on from where it stopped (`start_epoch = checkpoint["epoch"]`)."""
    placed = placed_of(model, checkpoint.function, checkpoint.at)
    if checkpoint.reloaded:
        # (loaded back before training was established when the checkpoint was found)
        return placed is not None and not _on_improvement(placed) and _while_training(model, checkpoint.function, placed, 0)
    if checkpoint.separate_files or checkpoint.position_in_name:
        # files of their own: resumable when saved while training and some code loads model weights back
        return (
            placed is not None and not _on_improvement(placed)
            and _while_training(model, checkpoint.function, placed, 0)
            and _reloaded_before_training(
                model, _saved_file_words(model, checkpoint), _saved_models_and_words(model, checkpoint)[0], checkpoint.function,
                bare=checkpoint.separate_files,
            )
        )
    if _read_back(model, checkpoint.position):
        if _read_back_only_for_use(model, checkpoint.position):
            return False  # an agent's `load()` called by inference and demo scripts that train nothing
        if placed is not None and _on_improvement(placed) and _resume_reads_another_file(model, checkpoint):
            return False  # `best_acc_model.pth` kept on improvement, `checkpoint.pth` loaded to resume
        # a snapshot kept only when a metric improves, or saved once training is over (a final
        # export), lacking the optimizer state that the project's resume loads
        # (`optimizer.load_state_dict(ckpt["optimizer_state_dict"])`), is not what it resumes
        # from: resuming from it would fail on that key
        if placed is None or not (_on_improvement(placed) or not _while_training(model, checkpoint.function, placed, 0)):
            return True
        return not _resume_loads_optimizer_key_it_lacks(model, checkpoint)
    return placed is not None and not _on_improvement(placed) and _while_training(model, checkpoint.function, placed, 0)


def kept_on_improvement_too(model: LoopModel, checkpoint: Checkpoint, others: list[Checkpoint]) -> bool:
    """`torch.save(ckpt, last)` then `if best_fitness == fitness: torch.save(ckpt, best)`: the save
    made only when a metric improves copies a dict that another save of the function keeps every
    time; the finding belongs to that one (a best snapshot is an export)."""
    placed = placed_of(model, checkpoint.function, checkpoint.at)
    if placed is None or not _on_improvement(placed) or not checkpoint.at.args:
        return False
    saved = model.code(checkpoint.at.args[0].node)  # (what this file hands over, not a helper's parameter)
    for other in others:
        if other is checkpoint or other.function is not checkpoint.function or not other.at.args:
            continue
        where = placed_of(model, other.function, other.at)
        if where is not None and not _on_improvement(where) and model.code(other.at.args[0].node) == saved:
            return True
    return False


def _resume_loads_optimizer_key_it_lacks(model: LoopModel, checkpoint: Checkpoint) -> bool:
    """Does this file, or one importing it, load an optimizer's state from a checkpoint key (naming
    the optimizer) that this checkpoint does not hold, out of the dict it reads the position from
    (`start = ckpt["epoch"]` and `optimizer.load_state_dict(ckpt["optimizer_state_dict"])`)?"""
    held = "|".join(re.escape(key) for key in sorted(checkpoint.keys))
    lacking = rf"(?!(?:{held})['\"])" if held else ""
    optimizer = rf"""load_state_dict\(\s*@\[\s*['"]{lacking}[^'"\n]*optim[^'"\n]*['"]\s*\]"""
    position = rf"""@\[\s*['"]{re.escape(checkpoint.position)}['"]\s*\]"""
    name = r"(?P<d>[A-Za-z_]\w*)"
    patterns = (
        "(?s)" + optimizer.replace("@", name, 1) + ".*?" + position.replace("@", "(?P=d)", 1),
        "(?s)" + position.replace("@", name, 1) + ".*?" + optimizer.replace("@", "(?P=d)", 1),
    )
    # (in this file, or in one that imports it: the script whose resume could read this file's save)
    return any(
        bool(re.search(pattern, model.text)) or model.project.mentions(pattern, importers_of=model.project_path) for pattern in patterns
    )


def _resume_reads_another_file(model: LoopModel, checkpoint: Checkpoint) -> bool:
    """Does the file read the position back (`start_epoch = ckpt["epoch"] + 1`) itself, out of
    dicts each bound to a `torch.load` of a file named literally, none of them the file this save
    writes (`best_acc_model.pth` saved on improvement, `checkpoint.pth` loaded to resume)? The
    resume goes on from another file, not from this snapshot (which may still be loaded to test)."""
    if checkpoint.at is not checkpoint.save or len(checkpoint.save.args) < 2:
        return False
    saved = _literal_file_name(model, model.code(checkpoint.save.args[1].node))
    if saved is None:
        return False
    readers = set(re.findall(_position_read(checkpoint.position, reader=True), model.text))
    if not readers:
        return False
    loaded: set[str] = set()
    for function in model.ir.functions:
        for simple in function.simples:
            if len(simple.targets) != 1 or simple.targets[0] not in readers:
                continue
            names = _loaded_file_names(model, simple)
            if not names:
                return False  # bound to something else, or to a path computed at run time
            loaded |= names
    return bool(loaded) and saved not in loaded


_IN_A_LOADING_FILE = r"\A(?=[\s\S]*?(?:\bload\w*|\.load\w*)\s*\()[\s\S]*?"
"""The start of a text that calls something named for loading (`torch.load(`, `load_checkpoint(`)."""


def _position_read(key: str, reader: bool = False, loading: bool = False, used: bool = False) -> str:
    """A pattern for a statement that reads the key back into a name (`start = ckpt["epoch"]`,
    `ckpt.get("epoch", 0)`); with `reader`, capturing the dict it is read out of; with `loading`,
    only in a text that loads something (matched once, from its start). Not in a comment
    (`start_epoch = 0  # checkpoint["epoch"]` reads nothing back), nor inside a display opened after
    the `=` (`extra={"epoch": ckpt.get("epoch")}` or an f-string only shows it), nor a read whose
    value has an attribute taken but `.item()` (`df["epoch"].to_numpy()`: a table's column; a
    position read back to resume is a number, so neither is a `.get` whose default is a string:
    `ckpt.get("epoch", "Unknown")` is read to be shown). With `used`, a read into a plain name must have that
    name written again later in the text (`start_epoch = ckpt["epoch"] + 1` that nothing after it
    reads resumes nothing: the loaded snapshot is only evaluated); a read into an attribute, an
    item or several names is taken as used."""
    quoted = rf"""['"]{re.escape(key)}['"]"""
    read = rf"(?:\[\s*{quoted}\s*\](?!\s*\.\s*(?!item\b)[A-Za-z_])|\.get\(\s*{quoted}(?!\s*,\s*[rRbBuUfF]*['\"]))"
    if reader:
        line = rf"^[^#\n]*=[^=#{{\n]*?([A-Za-z_]\w*){read}"
    elif used:
        plain = rf"[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]*=(?!=)[^=#{{\n]*{read}(?=[\s\S]*?(?<![\w.])(?P=name)\b)"
        other = rf"(?![ \t]*[A-Za-z_]\w*[ \t]*=(?!=))[^#\n]*=[^=#{{\n]*{read}"
        line = rf"^(?:{plain}|{other})"
    else:
        line = rf"^[^#\n]*=[^=#{{\n]*{read}"
    return "(?m)" + (_IN_A_LOADING_FILE if loading else "") + line


def _read_back(model: LoopModel, key: str) -> bool:
    """Is the position read back into a name by a file of the same program that loads something
    (`ckpt = torch.load(path)`, `load_checkpoint(...)`), a name something later reads? A file that
    loads nothing reads it out of something else (`epochs = args["epoch"]` of its command-line
    options); a `start_epoch` that nothing reads puts no training back where it was."""
    pattern = _position_read(key, loading=True, used=True)
    # (read back by code of the same program: a sibling folder's script with its own checkpoints
    # that never imports this one's code resumes from something else)
    return bool(re.search(pattern, model.text)) or model.project.mentions(pattern, near=model.project_path)


def _read_back_only_for_use(model: LoopModel, key: str) -> bool:
    """Is the position read back only by functions of this file that train nothing, and whose every
    call, in any project file, is made where nothing trains either (an agent's `load()` restoring
    `train_steps`, called by an inference script and a demo)? The checkpoint is then put to use, not
    back to training. No file importing this one may read the key itself (it could resume from it),
    and a read at module level, or in a function no call of which can be seen, is taken as a resume."""
    pattern = _position_read(key)
    starts = [match.start() for match in re.finditer(pattern, model.text)]
    if not starts or model.project.mentions(pattern, importers_of=model.path):
        return False
    for start in starts:
        function = _function_at(model, model.text.count("\n", 0, start) + 1)
        if function is None or _trains_around(model, function, 2) or _restores_itself_to_train(model, function):
            return False
    return True


def _restores_itself_to_train(model: LoopModel, function: FunctionInfo) -> bool:
    """Is the function a method an object runs while it is built (its `__init__`, or a method that
    `__init__` calls: `self._resume_checkpoint(path)`), of a class that trains (a method of it, of a
    base or of a subclass, reaching backward: `BaseTrainer._train_process` running the
    `_train_epoch` of `Trainer`)? The object goes on training from what it read back."""
    cls = function.cls
    if cls is None:
        return False
    init = cls.methods.get("__init__")
    if init is None or not (function is init or any(edge.caller is init for edge in model.callers(function))):
        return False
    classes = [*model.class_chain(cls), *model.subclasses(cls)]
    return any(
        "backward" in model.reaches(method)
        for owner_cls in classes for method in owner_cls.methods.values()
    )


def _trains_around(model: LoopModel, function: FunctionInfo, depth: int, top: bool = True) -> bool:
    """Does the function train (a backward, itself or through what it calls: a `step` may be an
    environment's), or may a function that calls it, up to `depth` callers up? The function that
    reads the checkpoint back must have calls in sight (else it is taken to train); a caller with
    none is where its program starts."""
    if function.name == "<module>":
        return top or "backward" in model.reaches(function)  # (a read at a script's top level resumes)
    if "backward" in model.reaches(function):
        return True
    edges = model.callers(function)
    if not edges:
        return top
    return depth > 0 and any(_trains_around(model, edge.caller, depth - 1, top=False) for edge in edges)


def _function_at(model: LoopModel, line: int) -> FunctionInfo | None:
    """The innermost function of the file whose text holds the line (`<module>` for none)."""
    best: FunctionInfo | None = None
    best_span = None
    for function in model.ir.functions:
        if function.name == "<module>":
            continue
        where = model.position(function.node)
        if where.start.line <= line <= where.end.line:
            span = where.end.line - where.start.line
            if best_span is None or span < best_span:
                best, best_span = function, span
    if best is None:
        return next((f for f in model.ir.functions if f.name == "<module>"), None)
    return best


def _weights_loaded_back(model: LoopModel, placed: Placed, checkpoint: Checkpoint | None = None) -> bool:
    """The training script itself loads weights back (`--epoch N` to go on from there), not after
    the training loop (that restores the best snapshot to test it); a load in another script, for
    sampling or inference, is no resume."""
    end = model.position(placed.loops[0].node).end.line if placed.loops and placed.loops[0].node in model._positions else None
    saved, saved_words = _saved_models_and_words(model, checkpoint) if checkpoint is not None else (set(), set())
    for match in re.finditer(r"([A-Za-z_][\w.]*)\.load_state_dict\(\s*torch\.load\(([^\n]*)", model.text):
        line = model.text.count("\n", 0, match.start()) + 1
        if not (end is None or line <= end or not _same_function_after(model, placed, line)):
            continue
        if _training_stops_after(model, line):
            continue  # `model.load_state_dict(torch.load(best)); break`: the best weights, to test them
        loaded_into = without_module(match.group(1))
        if saved and loaded_into not in saved:
            continue  # `teacher.load_state_dict(...)`: another model's weights, not the ones saved here
        loaded_words = _file_words(model, match.group(2)) if saved_words else set()
        if loaded_words and not saved_words & loaded_words:
            continue  # `..._baseline_epoch_N.pt` loaded, `..._tune_epoch_N.pt` saved: a starting point
        return True
    return False


_GENERIC_FILE_WORDS = frozenset(
    {"pt", "pth", "tar", "pkl", "ckpt", "checkpoint", "checkpoints", "model", "models", "weights", "epoch", "step",
     "iter", "iteration", "state", "dict", "net", "join", "path", "os", "format", "str", "save", "dir", "args", "opt"}
)


def _file_words(model: LoopModel, text: str) -> set[str]:
    """The distinctive words of the string literals that name a file (the expression, or what the
    name in it was assigned a few lines up): `baseline` in `args.dataset + '_baseline_epoch_' + str(i)`."""
    argument = _balanced(text)
    literals = re.findall(r"""['"]([^'"]*)['"]""", argument)
    if re.fullmatch(r"\s*[A-Za-z_]\w*\s*", argument):
        assigned = re.search(rf"(?m)^\s*{re.escape(argument.strip())}\s*=(?!=)(.*)", model.text)
        if assigned is not None:
            value = _balanced(model.text[assigned.start(1) : assigned.start(1) + 600], until_newline=True)
            literals += re.findall(r"""['"]([^'"]*)['"]""", value)
    words = {w.lower() for literal in literals for w in re.findall(r"[A-Za-z]{3,}", literal)}
    return words - _GENERIC_FILE_WORDS


_LITERAL_FILE = lazy(r"""['"](?:[^'"{}]*/)?([^'"{}/]+\.[A-Za-z]{1,5})['"]\s*\)?\s*$""")


def _literal_file_name(model: LoopModel, text: str) -> str | None:
    """The file name a path expression ends with when it is spelled out (`os.path.join(args.dir,
    "unet_last.pt")`, `f"{root}/unet.pt"`, or a name assigned such a path); None when any part of
    the name is computed."""
    argument = _balanced(text).strip()
    if re.fullmatch(r"[A-Za-z_]\w*", argument):
        assigned = re.findall(rf"(?m)^\s*{re.escape(argument)}\s*=(?!=)(.*)", model.text)
        # (bound more than once, in several functions: known only when every binding names one file)
        names = {_spelled_file_name(_balanced(value, until_newline=True).strip()) for value in assigned}
        return names.pop() if len(names) == 1 else None
    return _spelled_file_name(argument)


def _spelled_file_name(argument: str) -> str | None:
    found = _LITERAL_FILE.search(argument)
    return found.group(1) if found is not None else None


def _loaded_file_names(model: LoopModel, simple: Simple) -> set[str]:
    """The spelled-out names of the files a statement loads with `torch.load(...)`."""
    names: set[str] = set()
    for call in simple.calls:
        if call.dotted is not None and call.dotted.endswith("load") and call.args and qualify(call.dotted, model.ir.imports) == "torch.load":
            name = _literal_file_name(model, model.code(call.args[0].node))
            if name is None:
                return set()
            names.add(name)
    return names


def _balanced(text: str, until_newline: bool = False) -> str:
    """The text up to the first `,` or `)` outside brackets (an argument), or up to the end of the
    statement (`until_newline`: a newline outside brackets)."""
    depth = 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return text[:index]
            depth -= 1
        elif depth == 0 and (char == "," and not until_newline or char == "\n" and until_newline):
            return text[:index]
    return text


def _saved_models_and_words(model: LoopModel, checkpoint: Checkpoint) -> tuple[set[str], set[str]]:
    """The models whose weights the checkpoint's function saves to files of their own, and the
    distinctive words of those files' names."""
    names: set[str] = set()
    words: set[str] = set()
    for simple in checkpoint.function.simples:
        for call in simple.calls:
            if qualify(call.dotted, model.ir.imports) != "torch.save" or len(call.args) < 2:
                continue
            state = call.args[0].node
            if isinstance(state, cst.Call) and isinstance(state.func, cst.Attribute) and state.func.attr.value == "state_dict":
                owner = dotted_name(state.func.value)
                if owner:
                    names.add(without_module(owner))
                words |= _file_words(model, model.code(call.args[1].node))
    return names, words


def _training_stops_after(model: LoopModel, line: int) -> bool:
    """Is the statement at `line` followed, in its branch, by a `break` or `return` before anything
    else trains (the early-stopping branch that loads the best weights and leaves the loop)?"""
    for function in model.ir.functions:
        placed = model.ordered_statements(function)
        for index, item in enumerate(placed):
            node = item.simple.node
            if node not in model._positions or model.position(node).start.line != line:
                continue
            for later in placed[index + 1 :]:
                if later.guards[: len(item.guards)] != item.guards or len(later.loops) < len(item.loops):
                    return False  # left the branch (or the loop) without leaving the loop
                if later.simple.jump in ("break", "return"):
                    return True
                if any(c.method in ("backward", "step") for c in later.simple.calls):
                    return False  # it trains on from the loaded weights
            return False
    return False


def _saved_file_words(model: LoopModel, checkpoint: Checkpoint) -> set[str]:
    """The distinctive words of the names of the files the checkpoint is saved to."""
    if checkpoint.position_in_name and len(checkpoint.save.args) > 1:
        return _file_words(model, model.code(checkpoint.save.args[1].node))
    return _saved_models_and_words(model, checkpoint)[1]


def _same_function_after(model: LoopModel, placed: Placed, line: int) -> bool:
    """Is `line` in the body of the function that holds the training loop (after the loop)?"""
    function = placed.loops[0].function
    node = function.node
    if node not in model._positions:
        return False
    where = model.position(node)
    inner = [f for f in model.ir.functions if f.parent is function and f.node in model._positions]
    inside_nested = any(model.position(f.node).start.line <= line <= model.position(f.node).end.line for f in inner)
    return where.start.line <= line <= where.end.line and not inside_nested


def placed_of(model: LoopModel, function: FunctionInfo, call: CallSite) -> Placed | None:
    return next((p for p in model.ordered_statements(function) if any(c is call for c in p.simple.calls)), None)


def _while_training(model: LoopModel, function: FunctionInfo, placed: Placed, depth: int) -> bool:
    """Is the statement inside a loop that trains, here or in a caller (a few calls up)? Not when
    it comes after the function's own loop over epochs: the loops of its callers then run whole
    trainings (one per seed, fold or experiment), and the save is each one's final export (after
    a loop over one epoch's batches, the callers' loop is the one over epochs)."""
    training = [loop for loop in placed.loops if _trains(model, loop)]
    if training and not all(_last_iteration_only(model, function, loop, placed) for loop in training):
        return True
    if training and any(any(_EPOCH.search(target) for target in loop.targets) for loop in training):
        return False  # saved on the last epoch only: once training is over, as after the loop
    if depth >= 3 or any(
        any(_EPOCH.search(target) for target in loop.targets) for loop in function.loops if loop not in placed.loops
    ):
        return False
    for edge in model.callers(function):
        caller = model.at(edge.caller)
        at = placed_of(caller, edge.caller, edge.call)
        if at is not None and not _on_improvement(at) and _while_training(caller, edge.caller, at, depth + 1):
            return True
    return False


def _last_iteration_only(model: LoopModel, function: FunctionInfo, loop: Loop, placed: Placed) -> bool:
    """Do the tests around the statement hold on the last iteration of `for i in range(n):` only
    (`if step == max_steps - 1:`, a name bound in the loop to such a test, `last_step`; `if step >
    0 and (step % 5000 == 0 or last_step):` with `max_steps = 5000`)? What such a loop saves is
    saved once, when training is over: an export, not a checkpoint to resume from."""
    counted = _range_count(loop)
    if counted is None or len(loop.targets) != 1:
        return False
    owner = model.at(function)
    count = _constant(owner, function, counted)
    facts = _LastIteration(owner, function, loop, loop.targets[0], _normal(owner.code(counted)), count)
    truth: dict[str, bool | None] = {"first": True, "middle": True, "last": True}
    for guard in placed.guards:
        if guard.startswith("not ("):
            continue
        try:
            test = cst.parse_expression(guard)
        except cst.ParserSyntaxError:
            continue
        for position in truth:
            value = facts.value(test, position, 2)
            truth[position] = False if value is False or truth[position] is False else (truth[position] and value)
    return truth["first"] is False and truth["middle"] is False


def _range_count(loop: Loop) -> cst.BaseExpression | None:
    """`n` of a loop over `range(n)` or `range(0, n)`."""
    iterated = loop.node.iter if isinstance(loop.node, cst.For) else None
    if not (isinstance(iterated, cst.Call) and isinstance(iterated.func, cst.Name) and iterated.func.value == "range"):
        return None
    args = iterated.args
    if len(args) == 1 and args[0].keyword is None:
        return args[0].value
    if len(args) == 2 and all(a.keyword is None for a in args) and literal_value(args[0].value) == 0:
        return args[1].value
    return None


def _normal(text: str) -> str:
    return re.sub(r"\s+|^\(|\)$", "", text)


def _constant(model: LoopModel, function: FunctionInfo, node: cst.BaseExpression) -> int | None:
    """An integer written here, or bound once to a name (`max_steps = 5000`)."""
    value = literal_value(node)
    if isinstance(node, cst.Name):
        binding = model.roles.lookup(node.value, function)
        bound = binding.statement.value if binding is not None and not binding.statement.augmented else None
        value = literal_value(bound) if bound is not None else NOT_LITERAL
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _LastIteration:
    """The truth of a test at the first, a middle and the last iteration of `for target in
    range(count)`: True, False, or None when it cannot be told."""

    def __init__(self, model: LoopModel, function: FunctionInfo, loop: Loop, target: str, count: str, size: int | None) -> None:
        self.model, self.function, self.loop, self.target, self.count, self.size = model, function, loop, target, count, size

    def value(self, node: cst.BaseExpression, position: str, depth: int) -> bool | None:
        if isinstance(node, cst.BooleanOperation):
            left, right = self.value(node.left, position, depth), self.value(node.right, position, depth)
            if isinstance(node.operator, cst.And):
                return False if left is False or right is False else (True if left and right else None)
            return True if left is True or right is True else (False if left is False and right is False else None)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            inner = self.value(node.expression, position, depth)
            return None if inner is None else not inner
        if isinstance(node, cst.Name) and depth > 0:
            bound = self._bound_in_loop(node.value)
            return self.value(bound, position, depth - 1) if bound is not None else None
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            return self._compared(node.left, node.comparisons[0], position)
        return None

    def _bound_in_loop(self, name: str) -> cst.BaseExpression | None:
        """The test a name is bound to, once, in the loop's body (`last_step = step == max_steps - 1`)."""
        values = [s.value for s in self.function.simples if name in s.targets]
        if len(values) != 1 or values[0] is None:
            return None
        made = next((s for s in self.function.simples if name in s.targets), None)
        inside = any(p.simple is made and self.loop in p.loops for p in self.model.ordered_statements(self.function))
        return values[0] if inside else None

    def _compared(self, left: cst.BaseExpression, comparison: cst.ComparisonTarget, position: str) -> bool | None:
        operator, right = comparison.operator, comparison.comparator
        sides = (_normal(self.model.code(left)), _normal(self.model.code(right)))
        last = {f"{self.target}=={self.count}-1", f"{self.target}+1=={self.count}", f"{self.count}-1=={self.target}", f"{self.count}=={self.target}+1"}
        if isinstance(operator, cst.Equal) and "==".join(sides) in last:
            return position == "last"
        if isinstance(operator, (cst.GreaterThan, cst.NotEqual)) and sides == (self.target, "0"):
            return position != "first"
        if isinstance(operator, cst.Equal) and sides[1] == "0" and isinstance(left, cst.BinaryOperation) and isinstance(left.operator, cst.Modulo):
            # `step % 5000 == 0` in a loop of 5000 steps holds at the first one only
            period = _constant(self.model, self.function, left.right)
            if _normal(self.model.code(left.left)) != self.target or period is None or self.size is None or period < self.size or self.size < 2:
                return None
            return position == "first"
        return None


def _trains(model: LoopModel, loop: Loop) -> bool:
    """A loop over epochs, or one whose iteration backwards or steps (or hands the model and
    optimizer to code we cannot see)."""
    if any(_EPOCH.search(target) for target in loop.targets):
        return True
    return bool(model.kinds_in(loop) & {Kind.BACKWARD, Kind.STEP, Kind.OPAQUE})


def _on_improvement(placed: Placed) -> bool:
    """Saved only when a metric gets better: `if acc > best_acc:`, `if is_best:`, or in the `else`
    of a test that it did not (`if score < self.best_score + self.delta: self.counter += 1` /
    `else: self.save_checkpoint(...)`, an early-stopping helper's): an order comparison of two
    metrics gates the save whichever arm it is in; a negated flag (`not is_best`) does not."""
    return any(_improvement_test(guard) for guard in placed.guards)


def _improvement_test(guard: str) -> bool:
    """Is the test (or its negation, an arm's `not (...)`) about a metric getting better? A test
    either of whose alternatives lets the save run otherwise (`if mAP > best_mAP or epoch % 20 ==
    0:`) saves every so often too."""
    if not guard.startswith("not (") and " or " in guard:
        alternatives = _alternatives(guard)
        if len(alternatives) > 1:
            return all(_improvement_test(alternative) for alternative in alternatives)
    return bool(
        (not guard.startswith("not (") and _IMPROVEMENT.search(guard))
        or any(_compares_metrics(*sides) for sides in _COMPARISON.findall(guard))
    )


def _alternatives(guard: str) -> list[str]:
    """The operands of a test's top-level `or` (`a or b or c`), the test itself for any other."""
    try:
        test: cst.BaseExpression = cst.parse_expression(guard)
    except cst.ParserSyntaxError:
        return [guard]
    operands: list[cst.BaseExpression] = []
    pending = [test]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            pending.extend((node.right, node.left))
        else:
            operands.append(node)
    return [_EMPTY_MODULE.code_for_node(operand) for operand in operands]


_EMPTY_MODULE = cst.Module([])


def _compares_metrics(left: str, right: str) -> bool:
    """An order comparison of two values neither of which is a number or the training position
    (`acc > max_acc`; not `iteration > 0` nor `epoch >= args.warmup_epochs`)."""
    return not any(re.fullmatch(r"-?[\d.]+(e-?\d+)?", side) or _PROGRESS_KEY.search(side) for side in (left, right))


def _saved_dict(
    function: FunctionInfo, simple: Simple, saved: cst.CSTNode, model: LoopModel | None = None
) -> tuple[set[str], list[Simple]] | None:
    """The keys of the dict saved, and the statements that fill it; None if not a dict. A dict
    nested in it (`"training": {"epoch": epoch, "optimizer_sd": optimizer.state_dict()}`, also
    through a name bound to one, or returned by a project function: `"state": gan.save_state()`)
    adds its keys and statements; entries written in a loop over a dict (`for name, opt in
    self.optimizers_dict().items(): ckpt[name] = opt.state_dict()`) have that dict's keys."""
    display = _as_dict(saved)
    if display is not None:
        keys, statements = _literal_keys(display), [simple]
        _add_nested(function, display, keys, statements, 2, model)
        return keys, statements
    # a name, or an attribute the function binds (`self.run_state = {...}; torch.save(self.run_state, f)`)
    name = saved.value if isinstance(saved, cst.Name) else dotted_name(saved) if isinstance(saved, cst.Attribute) else None
    if name is None:
        return None
    keys = set()
    statements = []
    loaded = False
    for assignment in function.assignments:
        if name in assignment.targets and (display := _as_dict(assignment.value)) is not None:
            keys |= _literal_keys(display)
            statements.append(assignment)
            _add_nested(function, display, keys, statements, 2, model)
        elif name in assignment.targets and any(_loads(call) for call in assignment.calls):
            loaded = True
        elif name in assignment.subscript_targets and isinstance(assignment.node, cst.Assign):
            for target in assignment.node.targets:
                if isinstance(target.target, cst.Subscript):
                    named = _subscript_keys(target.target) or _keys_iterated(model, function, assignment, target.target)
                    keys |= named if named or not _takes_keywords(function) else {ANY_KEY}
            statements.append(assignment)
    if loaded and not any(name in s.targets for s in statements):
        # bound only to a checkpoint read back (`ckpt = torch.load(path)`): the dict holds what that
        # held, whatever keys are written here (`ckpt["optimizer"] = None` strips a finished run's
        # checkpoint on purpose)
        return None
    return (keys, statements) if statements else None


def _loads(call: CallSite) -> bool:
    """`torch.load(path)`, `torch_load(f)`, `load_checkpoint(path)`: a call that reads a saved file."""
    method = (call.method or "").lower()
    return method.startswith("load") or method.endswith("_load")


def _as_dict(node: cst.CSTNode | None) -> cst.Dict | None:
    """A dict display, or the same dict spelled as a call: `dict(epoch=e, model=m)` or
    `OrderedDict([("epoch", e), ("model", m)])` (a display of the same keys and value nodes)."""
    if isinstance(node, cst.Dict):
        return node
    if not isinstance(node, cst.Call) or dotted_name(node.func) not in DICT_MAKERS:
        return None
    elements: list[cst.DictElement] = []
    for arg in node.args:
        if arg.keyword is not None and not arg.star:
            elements.append(cst.DictElement(cst.SimpleString(repr(arg.keyword.value)), arg.value))
        elif arg.keyword is None and not arg.star and isinstance(arg.value, (cst.List, cst.Tuple)) and not elements:
            for pair in arg.value.elements:
                inner = pair.value
                if not isinstance(inner, cst.Tuple) or len(inner.elements) != 2 or isinstance(inner.elements[0], cst.StarredElement):
                    return None
                elements.append(cst.DictElement(inner.elements[0].value, inner.elements[1].value))
        else:
            return None
    return cst.Dict(elements)


def _add_nested(
    function: FunctionInfo, node: cst.Dict, keys: set[str], statements: list[Simple], depth: int,
    model: LoopModel | None = None,
) -> None:
    if depth <= 0:
        return
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            continue
        value = element.value
        if isinstance(value, cst.Dict):
            keys |= _literal_keys(value)
            _add_nested(function, value, keys, statements, depth - 1, model)
        elif isinstance(value, cst.Call) and model is not None:
            # `{"epoch": epoch, "model_state": gan.save_state()}`, the method returning
            # `{"G": ..., "optimG": self.optimizer_G.state_dict()}`: the keys it fills
            call = next((c for s in statements for c in s.calls if c.node is value), None)
            keys |= (_returned_dict_keys(model, function, call) or set()) if call is not None else set()
        elif isinstance(value, cst.Name):
            for assignment in function.assignments:
                if assignment.targets != (value.value,) or assignment in statements:
                    continue
                if isinstance(assignment.value, cst.Dict):
                    keys |= _literal_keys(assignment.value)
                    statements.append(assignment)
                    _add_nested(function, assignment.value, keys, statements, depth - 1, model)
                elif any(call.method == "state_dict" for call in assignment.calls):
                    # `state = model.module.state_dict() if distributed else model.state_dict()`,
                    # then `{"epoch": epoch, "state_dict": state}`: whose state the value is
                    statements.append(assignment)


def _keys_iterated(model: LoopModel | None, function: FunctionInfo, assignment: Simple, target: cst.Subscript) -> set[str]:
    """`ckpt[name] = opt.state_dict()` inside `for name, opt in <dict>.items():` (or over its
    keys): the keys written are those of the dict looped over, when they are known (a dict display
    bound in the function, or what a project function or method returns; see
    `_returned_dict_keys`). Empty when not known."""
    index = target.slice[0].slice if len(target.slice) == 1 else None
    key = index.value.value if isinstance(index, cst.Index) and isinstance(index.value, cst.Name) else None
    if model is None or key is None:
        return set()
    placed = next((p for p in model.ordered_statements(function) if p.simple is assignment), None)
    for loop in reversed(placed.loops if placed is not None else ()):
        if not isinstance(loop.node, cst.For) or key not in loop.targets:
            continue
        looped = loop.node.iter
        if isinstance(looped, cst.Call) and isinstance(looped.func, cst.Attribute) and looped.func.attr.value in ("items", "keys") and not looped.args:
            if key != loop.targets[0]:
                return set()  # (`for opt, name in ...`: not the dict's key)
            looped = looped.func.value
        elif not (isinstance(loop.node.target, cst.Name) and loop.node.target.value == key):
            return set()
        if isinstance(looped, cst.Call):
            header = next((s for s in function.simples if s.node is loop.node.iter), None)
            call = next((c for c in header.calls if c.node is looped), None) if header is not None else None
            return (_returned_dict_keys(model, function, call) or set()) if call is not None else set()
        name = dotted_name(looped)
        displays = [_as_dict(s.value) for s in function.assignments if name is not None and s.targets == (name,)]
        if displays and all(display is not None for display in displays):
            return set().union(*(_literal_keys(display) for display in displays if display is not None))
        return set()
    return set()


def _returned_dict_keys(model: LoopModel, function: FunctionInfo, call: CallSite) -> set[str] | None:
    """The string keys of the dicts a project function returns (`def optimizers_dict(self): return
    {"optimizer": self.optimizer, "lr_scheduler": self.lr_scheduler}`): for a method, every
    definition the call may run, the class's own and its project subclasses' overrides (a base's
    `return None` adds nothing). None when some return is no dict display, or none is found."""
    target = model.resolve_call(call, function)
    if target is None:
        return None
    owner = model.at(target)
    definitions = [target]
    if target.cls is not None:
        definitions.extend(
            sub.methods[target.name] for sub in owner.subclasses(target.cls) if target.name in sub.methods
        )
    keys: set[str] = set()
    dicts = 0
    for definition in definitions:
        for simple in definition.simples:
            if simple.jump != "return" or simple.value is None or (isinstance(simple.value, cst.Name) and simple.value.value == "None"):
                continue
            display = _as_dict(simple.value)
            if display is None:
                return None
            keys |= _literal_keys(display)
            dicts += 1
    return keys if dicts else None


ANY_KEY = "**"
"""A key of a saved dict filled from the function's `**kwargs` (`for key, value in kwargs.items():
state[key] = value`): whatever its callers pass, the optimizer's state among them maybe."""


def _takes_keywords(function: FunctionInfo) -> bool:
    node = function.node
    return isinstance(node, cst.FunctionDef) and isinstance(node.params.star_kwarg, cst.Param)


def _literal_keys(node: cst.Dict) -> set[str]:
    """The string keys of a dict display, but not those that hold None (`"optimizer": None`
    saves no optimizer state)."""
    return {
        element.key.evaluated_value
        for element in node.elements
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)
        and isinstance(element.key.evaluated_value, str)
        and not (isinstance(element.value, cst.Name) and element.value.value == "None")
    }


def _subscript_keys(node: cst.Subscript) -> set[str]:
    keys: set[str] = set()
    for element in node.slice:
        index = element.slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            value = index.value.evaluated_value
            if isinstance(value, str):
                keys.add(value)
    return keys


def freezes(model: LoopModel, function: FunctionInfo) -> list[Freeze]:
    """Statements that set `requires_grad` to False on a model's parameters, except a freeze that a
    loop around it undoes (`requires_grad = True` on the same model in that loop): the GAN pattern
    of sparing the discriminator's gradients during the generator's update, not a fine-tuning
    setup."""
    found: list[tuple[Freeze, tuple[Loop, ...]]] = []
    thawed: list[tuple[str, tuple[Loop, ...]]] = []
    for placed in model.ordered_statements(function):
        simple = placed.simple
        roots: list[tuple[str, bool]] = []
        for target in simple.targets:
            if target.endswith(".requires_grad") and isinstance(simple.value, cst.Name) and simple.value.value in ("False", "True"):
                roots.append((_root(target), simple.value.value == "False"))
        for call in simple.calls:
            first = call.arg(0, "requires_grad")
            if call.method == "requires_grad_" and first is not None and isinstance(first.node, cst.Name) and first.node.value in ("False", "True"):
                roots.append((call.receiver_root or "", first.node.value == "False"))
        for root, frozen in roots:
            # `for p in model.backbone.parameters(): p.requires_grad = False` freezes part of `model`
            for loop in reversed(placed.loops):
                if root in loop.targets:
                    root = sorted(loop.iter_names - {"self"})[0] if loop.iter_names - {"self"} else root
                    break
            outer = tuple(loop for loop in placed.loops if root not in loop.targets)
            if frozen:
                found.append((Freeze(simple, root, function), outer))
            else:
                thawed.append((root, outer))
    return [
        freeze for freeze, loops in found
        if not any(root == freeze.model and set(map(id, loops)) & set(map(id, around)) for root, around in thawed)
    ]


def _root(dotted: str) -> str:
    """`model` for `model.fc.weight`, `self.model` for `self.model.fc.weight`."""
    parts = dotted.split(".")
    return ".".join(parts[:2]) if parts[0] == "self" and len(parts) > 1 else parts[0]


def optimizer_over_all_parameters(model: LoopModel, function: FunctionInfo) -> list[tuple[Binding, str]]:
    """Optimizers this function builds over every parameter of a model: (binding, model name)."""
    built: list[tuple[Binding, str]] = []
    for assignment in function.assignments:
        call = assignment.value_call
        if call is None:
            continue
        for target in assignment.targets:
            binding = model.binding(target, function)
            if binding is None or binding.role != OPTIMIZER or binding.statement is not assignment:
                continue
            params = call.arg(0, "params")
            if params is not None and _ALL_PARAMETERS.match(model.code(params.node)):
                built.append((binding, _root(model.code(params.node))))
    return built


def bindings_with_role(model: LoopModel, role: str) -> list[Binding]:
    """Every object of this role the file builds, in any function, method or at module level."""
    tables = [*model.roles.local.values(), *model.roles.attributes.values()]
    return [
        b for table in tables for bindings in table.values() for b in bindings
        # `g_scheduler, d_scheduler = define_scheduler(...)`: the role a project factory returns
        if b.role == role or (b.role is None and b.call is not None and model.roles.role(b.name, b.function, b) == role)
    ]


def _dict_literals(statements: list[Simple]) -> Iterator[cst.Dict]:
    """The dict displays written in these statements (a checkpoint's few lines, not the file)."""
    return (node for s in statements for node in nodes_within(s.node) if isinstance(node, cst.Dict))


def _path_names(paths: list[cst.CSTNode], function: FunctionInfo) -> set[str]:
    """The names the file paths are made of, and those of the function's assignments to them
    (`weights_path = checkpoint_path.format(net=..., epoch=epoch)` a few lines up)."""
    names = {name for node in paths for name in _names_in_path(node, function)}
    return names | {
        name for s in function.assignments if set(s.targets) & names and s.value is not None
        for name in _names_in_path(s.value, function)
    }


def _names_in_path(node: cst.CSTNode, function: FunctionInfo) -> set[str]:
    """The names a file path is made of: those handed to `.format(...)` of a string with no
    replacement field (`"model_1.pth".format(epoch)`, also through a name bound only to such
    strings) never reach the path."""
    unused: set[int] = set()
    for current in nodes_within(node):
        receiver = _formatted(current)
        if receiver is not None and _fieldless_string(receiver, function):
            unused |= {id(inner) for arg in current.args for inner in nodes_within(arg.value)}
    return {current.value for current in nodes_within(node) if isinstance(current, cst.Name) and id(current) not in unused}


def _formatted(node: cst.CSTNode) -> cst.BaseExpression | None:
    """The string (or name) a `.format(...)` call is made on; None for any other node."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        return node.func.value
    return None


def _fieldless_string(node: cst.BaseExpression, function: FunctionInfo) -> bool:
    """A string literal with no `{`, or a name the function binds only to such literals (and to
    its own `.format(...)`)."""
    if isinstance(node, cst.SimpleString):
        return "{" not in node.value
    if not isinstance(node, cst.Name):
        return False
    literals = 0
    for simple in function.assignments:
        if node.value not in simple.targets or simple.value is None:
            continue
        value = simple.value
        if isinstance(value, cst.SimpleString):
            if "{" in value.value:
                return False
            literals += 1
        elif not (isinstance(receiver := _formatted(value), cst.Name) and receiver.value == node.value):
            return False
    return literals > 0


_SINGLE_WEIGHT_LAYERS = frozenset({"Embedding", "EmbeddingBag"})
"""Library layers whose only parameter is `weight`: freezing it freezes the layer."""


_CONTAINERS = frozenset({"Sequential", "ModuleList"})
_BUILTINS_OF_PARTS = frozenset({"list", "tuple"})


def frozen_whole(model: LoopModel, binding: Binding, depth: int = 2) -> Simple | None:
    """Is every parameter of the module bound here frozen, and never thawed again? `embedding =
    nn.Embedding.from_pretrained(vectors)` (frozen by default), `backbone.requires_grad_(False)`,
    `for p in net.parameters(): p.requires_grad = False` (or `p.detach_()`, a mean teacher's),
    `emb.weight.requires_grad = False` on an embedding. Such a module's outputs carry no graph unless its inputs do. Looked for in the
    function that binds the module (for `self.x`, every method of the class); the first statement
    that freezes it, None when it is not frozen whole."""
    name = binding.name
    if binding.call is not None and binding.last == "from_pretrained" and (binding.qualified or "").rsplit(".", 2)[-2:-1] in (["Embedding"], ["EmbeddingBag"]):
        freeze = binding.call.arg(1, "freeze")
        if freeze is None or (isinstance(freeze.node, cst.Name) and freeze.node.value == "True"):
            return None if _thawed(model, binding, name) else binding.statement
        return None
    if binding.call is not None and binding.last in _CONTAINERS and depth > 0:
        # `nn.Sequential(*list(vgg.children())[:29])`: a container of another module's layers holds
        # that module's parameters; frozen there, they are frozen here
        made_of = {name for arg in binding.call.args for name in arg.names} - _BUILTINS_OF_PARTS
        parts = [model.binding(part, binding.function) for part in sorted(made_of)]
        if made_of and all(part is not None and part.role == MODEL and part is not binding for part in parts):
            freezes = [frozen_whole(model, part, depth - 1) for part in parts if part is not None]
            if all(freeze is not None for freeze in freezes) and not _thawed(model, binding, name):
                return freezes[0]
    if _frozen_by_constructor(model, binding) and not _thawed(model, binding, name):
        return binding.statement  # `InceptionV3([block])` whose `__init__` freezes every parameter
    owner = model.at(binding.function)
    functions = [binding.function]
    if name.startswith("self.") and binding.function.cls is not None:
        functions = list(binding.function.cls.methods.values())
    single_weight = binding.last in _SINGLE_WEIGHT_LAYERS and binding.call is not None
    frozen: Simple | None = None
    for function in functions:
        for placed in owner.ordered_statements(function):
            simple = placed.simple
            if requires_grad_set(placed, name) is False or _frozen_by_own_method(owner, function, simple, name):
                frozen = frozen or simple
            elif single_weight and any(
                target == f"{name}.weight.requires_grad" and isinstance(simple.value, cst.Name) and simple.value.value == "False"
                for target in simple.targets
            ):
                frozen = frozen or simple
    return None if frozen is None or _thawed(model, binding, name) else frozen


def _frozen_by_constructor(model: LoopModel, binding: Binding) -> bool:
    """An object of a project class whose `__init__` freezes every parameter of itself, for the
    arguments this construction passes: `for p in self.parameters(): p.requires_grad = False`,
    `self.requires_grad_(False)`, or the same with a flag of the constructor (`requires_grad=False`
    by default, an FID network's) that the call leaves at, or sets to, the literal False."""
    cls, call = binding.cls, binding.call
    if cls is None or call is None or call.inner is not None:
        return False
    init = model.at_class(cls).method_of(cls, "__init__")
    if init is None:
        return False
    for placed in model.at(init).ordered_statements(init):
        if requires_grad_set(placed, "self") is False:
            return True
        flag = _assigned_to_each_requires_grad(placed, "self")  # (a constructor's flag, `requires_grad`)
        if flag is not None and flag in init.params:
            given = call.arg(init.argument_index(flag), flag)
            value = literal_value(given.node) if given is not None else init.defaults.get(flag, NOT_LITERAL)
            if value is False:
                return True
    return False


def _frozen_by_own_method(model: LoopModel, function: FunctionInfo, simple: Simple, name: str) -> bool:
    """`separator.freeze()` where the project method does `for p in self.parameters():
    p.requires_grad = False` (or `self.requires_grad_(False)`)."""
    for call in simple.calls:
        if call.receiver != name or call.method is None:
            continue
        target = model.resolve_call(call, function)
        if target is not None and target.cls is not None and any(
            requires_grad_set(placed, "self") is False for placed in model.at(target).ordered_statements(target)
        ):
            return True
    return False


def requires_grad_set(placed: Placed, name: str) -> bool | None:
    """What the statement sets `requires_grad` to for every parameter of the module `name`:
    `name.requires_grad_(False)`, or `p.requires_grad = False` in `for p in name.parameters():`;
    None when it sets nothing for all of them (a flag that is no literal counts as True)."""
    simple = placed.simple
    for call in simple.calls:
        if call.method == "requires_grad_" and call.receiver == name:
            first = call.arg(0, "requires_grad")
            return not (first is not None and isinstance(first.node, cst.Name) and first.node.value == "False")
        if call.method == "detach_" and not call.args and call.receiver and _each_parameter(placed, call.receiver, name) and not placed.conditional:
            return False  # `for param in ema.parameters(): param.detach_()`: a mean teacher, updated by hand
    assigned = _assigned_to_each_requires_grad(placed, name)
    return assigned != "False" if assigned is not None else None


def _assigned_to_each_requires_grad(placed: Placed, name: str) -> str | None:
    """The name (`False`, `True`, a flag) the statement assigns to `p.requires_grad` for every
    parameter `p` of the module `name` (`for p in name.parameters(): p.requires_grad = flag`)."""
    simple = placed.simple
    for target in simple.targets:
        if not target.endswith(".requires_grad") or not isinstance(simple.value, cst.Name):
            continue
        holder = target[: -len(".requires_grad")]
        if _each_parameter(placed, holder, name) and not placed.conditional:
            # (under a test inside the loop, `if "encoder.layer" in name:`, only some parameters)
            return simple.value.value
    return None


def _each_parameter(placed: Placed, holder: str, name: str) -> bool:
    """Is `holder` each parameter of the module `name` in a loop around the statement (`for p in
    net.parameters():`, or `for n, p in net.named_parameters():` with the parameter the last target)?"""
    return any(
        holder in loop.targets and (
            loop.iter_text.replace(" ", "") == f"{name}.parameters()"
            or (loop.iter_text.replace(" ", "") == f"{name}.named_parameters()" and loop.targets[-1:] == (holder,))
        )
        for loop in placed.loops
    )


def _wraps_itself(model: LoopModel, simple: Simple, target: str) -> bool:
    """Does the value assigned to `target` hold what `target` held (`x.f = DataParallel(x.f)`)? A
    size read from it (`x.fc = nn.Linear(x.fc.in_features, 133)`, a new head) holds nothing of it."""
    if simple.value is None:
        return False
    return re.search(r"(?<![\w.])" + re.escape(target) + r"(?![\w])(?!\s*\.\s*" + _SIZE_ATTRIBUTES + r"\b)", model.code(simple.value)) is not None


_SIZE_ATTRIBUTES = r"(?:in_features|out_features|in_channels|out_channels|num_features|embedding_dim|num_embeddings|hidden_size|input_size)"


def _thawed(model: LoopModel, binding: Binding, name: str) -> bool:
    """`requires_grad_(True)` or `requires_grad = True` on the module anywhere in the file (the GAN
    pattern of freezing a discriminator for the generator's update and thawing it after), or a
    layer put into it (`model.fc = nn.Linear(...)`, `model.classifier[6] = ...`: fine-tuning a
    frozen backbone's new head)."""
    prefix = name + "."
    for function in model.ir.functions:
        for simple in function.simples:
            for call in simple.calls:
                first = call.arg(0, "requires_grad")
                if call.method == "requires_grad_" and (call.receiver == name or (call.receiver or "").startswith(prefix)):
                    if first is None or not (isinstance(first.node, cst.Name) and first.node.value == "False"):
                        return True
            if any(
                (t.startswith(prefix) or t == name) and not t.endswith((".requires_grad", ".data"))
                and not _wraps_itself(model, simple, t)  # (`model.features = DataParallel(model.features)`: the same layers)
                for t in (*simple.subscript_targets, *(t for t in simple.targets if t.startswith(prefix)))
            ) or any(c.method == "add_module" and c.receiver == name for c in simple.calls):
                return True  # `model.classifier[6] = nn.Linear(...)` after the freeze: a new, trainable layer
            for target in simple.targets:
                if target.endswith(".requires_grad") and not (isinstance(simple.value, cst.Name) and simple.value.value == "False"):
                    if target.startswith(prefix) or any(
                        target.split(".", 1)[0] in loop.targets and name in loop.iter_text for loop in function.loops
                    ):
                        return True
    return False
