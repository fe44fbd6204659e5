"""LC012 checkpoint-without-optimizer-state: a resumable checkpoint that cannot resume training.

Resuming from it restarts Adam's moments and momentum from zero and the schedule from its start.
"""
from __future__ import annotations

import re
from typing import Iterable

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model import LoopModel
from loopcheck.model.build import literal_value
from loopcheck.model.dataflow import simples_of
from loopcheck.model.evaluation import dead_function
from loopcheck.model.ir import CallSite, FunctionInfo, Loop
from loopcheck.model.roles import Binding
from loopcheck.model.state import Checkpoint, dead_branch, kept_on_improvement_too, meant_for_resuming, saved_beside
from loopcheck.model.roles import OPTIMIZER, SCHEDULER
from loopcheck.rules.base import Report, Rule


class CheckpointWithoutOptimizerState(Rule):
    """Reports a `torch.save(...)` of a dict that holds the model's `state_dict()` and a training
    position (a key such as `epoch` or `step`) and is meant to resume from — saved every so often
    inside the training loop (not under a test that holds on its last iteration only, `if step ==
    max_steps - 1:`: that save is made once training is over), or read back somewhere in the project (`start_epoch =
    checkpoint["epoch"]`, in a file that loads something: `epochs = args["epoch"]` in a script that
    loads nothing reads its options) — but not the optimizer's state, or not the scheduler's when the file
    builds a torch scheduler (and targets PyTorch 0.4 or later, when schedulers got a state_dict). A dict with only the model's weights, and a snapshot saved only when
    a validation metric improves and never read back to resume, are exports and are left alone
    (a save also made every so often, `if mAP > best_mAP or epoch % 20 == 0:`, is no such snapshot);
    so is such a snapshot, or a save made once training is over, lacking the optimizer key that the
    resume of its file (or of a file importing it) loads (`optimizer.load_state_dict(ckpt["optimizer"])`
    beside `ckpt["epoch"]`); a position only shown (`extra={"epoch": ckpt.get("epoch")}`, an
    f-string) is not read back.
    A dict not built here (`ckpt = torch.load(path)`, updated and saved back) holds what it
    held, and is left alone. When a helper saves the dict it is given, the finding points at the call that hands it over;
    a helper that builds the dict itself from what it is given (`Logger.save_checkpoint(it,
    model, optimizer)`) misses the scheduler its callers' training steps (also when they reach it
    through other helpers of its file).
    Weights saved every so often to files of their own with the epoch in the file name (or the
    episode; the name may be made by the callers of a saving helper, `agent.save(f"ep{episode}.pth")`),
    and loaded back somewhere in the project (also in the epoch loop itself, the weights of the
    loop's own epoch where that epoch was trained before), are such a checkpoint too when no
    optimizer state is saved beside them; an optimizer's state read back is no load of weights, and
    a count of epochs read from a config (`NUM_EPOCH = cfg["NUM_EPOCH"]`) puts no position back; a load that comes after the training loop in the same function (the best
    weights brought back to test) is no resume, and bare weights with no position anywhere,
    loaded back before loops that start from their beginning whatever was loaded (`for epoch in
    range(epochs)`, not `range(start, epochs)`), only start the next run from them (a warm start). The optimizer's (or scheduler's) state written by
    another `torch.save` just beside the checkpoint, made whenever it is (in the same loops, under the
    same tests or some of them: `optim_checkpoint.pt`, or `latest.pt` every iteration beside
    `iter_00025.pt` every 25),
    or by a resume checkpoint saved there (the dict with the epoch and the optimizer's state, and
    each epoch's weights next to it), counts as saved with it; a save under a literally false test (`if False:`) never runs, and a
    snapshot of the freshly built model saved above the training loops of the function that trains
    (`torch.save(dict(epoch=0, ...))`, in a function no loop calls) holds an optimizer with no state yet. A
    schedule put back at the saved position when training resumes (`last_epoch=start_epoch - 1`,
    `scheduler.last_epoch = ...`, or a project factory that passes `last_epoch` on and is called
    with it; every kind of schedule an option may choose: a `ReduceLROnPlateau` beside a
    `CosineAnnealingLR(..., last_epoch=start_epoch - 2)` is not) needs no saved state, and neither does one built and never named again (neither
    stepped nor handed on). "Read back somewhere in the project" means code of the same
    program: the same top folder, or one that imports the other's code. A checkpoint that holds an
    optimizer's state trains what it saves, also where that optimizer was built out of sight and
    handed in (`self.optimizer` of a class given it): the scheduler stepped beside it is judged.
    A dict a project function returns holds what its keys name, also as a value of the saved dict
    (`"model_state": gan.save_state()`, returning `{"optimG": self.optimizer_G.state_dict(), ...}`)
    and when the saved dict is filled in a loop over it (`for name, opt in
    self.optimizers_dict().items(): ckpt[name] = opt.state_dict()`, every override of the method
    counted); a position copied from the run's own counter (`last_step = steps` beside `steps +=
    1`) is noted, not put back."""

    code = "LC012"
    name = "checkpoint-without-optimizer-state"
    severity = "warning"
    message = "this checkpoint records the {position} but not the {missing} state; resuming from it restarts the {missing} from scratch"
    short = "this checkpoint records the epoch or step but not the optimizer (or scheduler) state; resuming from it restarts that state from scratch"
    rationale = (
        "Optimizer state (Adam's moment estimates, SGD momentum) and the scheduler's position are part "
        "of the training state. A run resumed from weights and an epoch counter alone takes large "
        "uncorrected steps and replays the warmup: the loss curve jumps, and results differ from an "
        "uninterrupted run."
    )
    use_instead = """\
torch.save({
    "epoch": epoch,
    "model": model.state_dict(),
    "optimizer": optimizer.state_dict(),
    "scheduler": scheduler.state_dict(),
}, path)
"""
    VALID = (
        # saved only when validation improves, and never read back to resume: an export
        """\
optimizer = torch.optim.AdamW(model.parameters())
for epoch in range(epochs):
    train_one_epoch(model, optimizer)
    accuracy = evaluate(model)
    if accuracy > best_accuracy:
        best_accuracy = accuracy
        torch.save({"epoch": epoch, "model": model.state_dict()}, "best.pt")
""",
        """\
optimizer = torch.optim.AdamW(model.parameters())
for epoch in range(epochs):
    train_one_epoch(model, optimizer)
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, "ckpt.pt")
""",
        # weights only: an export, not a checkpoint to resume from
        """\
optimizer = torch.optim.AdamW(model.parameters())
torch.save(model.state_dict(), "weights.pt")
torch.save({"model": model.state_dict()}, "export.pt")
""",
        """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 30)
state = {"epoch": epoch, "state_dict": model.state_dict()}
state["optimizer"] = optimizer.state_dict()
state["scheduler"] = scheduler.state_dict()
torch.save(state, "checkpoint.pth")
""",
        # the resume code steps the schedule again up to the saved epoch: its position comes back
        """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 30)
if args.resume:
    checkpoint = torch.load(args.resume)
    model.load_state_dict(checkpoint["state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    start_epoch = checkpoint["epoch"]
    for _ in range(start_epoch):
        scheduler.step()
checkpoint = {"epoch": epoch, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict()}
torch.save(checkpoint, "checkpoint.pth")
""",
    )
    INVALID = (
        """\
optimizer = torch.optim.AdamW(model.parameters())
for epoch in range(epochs):
    train_one_epoch(model, optimizer)
    torch.save({"epoch": epoch, "model": model.state_dict()}, "ckpt.pt")  # expect: LC012
""",
        """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 30)
if args.resume:
    checkpoint = torch.load(args.resume)
    model.load_state_dict(checkpoint["state_dict"])
    args.start_epoch = checkpoint["epoch"]
scheduler.step()
checkpoint = {"epoch": epoch, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict()}
torch.save(checkpoint, "checkpoint.pth")  # expect: LC012
""",
        # each network's weights in a file of its own, the epoch in the name, loaded back to resume
        """\
optimizer = torch.optim.Adam(generator.parameters())
if args.epoch != 0:
    generator.load_state_dict(torch.load(f"generator_{args.epoch}.pth"))
for epoch in range(args.epoch, args.epochs):
    train_one_epoch(generator, optimizer)
    torch.save(generator.state_dict(), f"generator_{epoch}.pth")  # expect: LC012
""",
        # a helper saves what the training loop hands it
        """\
def save_checkpoint(state, filename="checkpoint.pth"):
    torch.save(state, filename)

optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(epochs):
    train(model, optimizer)
    save_checkpoint({"epoch": epoch + 1, "state_dict": model.state_dict()})  # expect: LC012
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        optimizers = model.built(OPTIMIZER)
        if not optimizers and not model.checkpoints:
            return
        schedulers = _schedulers(model)
        for checkpoint in model.checkpoints:
            if not checkpoint.has_model_and_position:
                continue
            # nothing trained in this file: a saving helper (`CheckpointSaver.save`) whose callers
            # build the optimizer in theirs
            trained_by = optimizers or _callers_optimizers(model, checkpoint.function) or _optimizers_of_trainers(model, checkpoint.function)
            # (a function that builds optimizers of its own trains those: the optimizer or scheduler
            # of another function that builds its own, a warm-up stage's, is not what it leaves out)
            own = [o for o in trained_by if o.function is checkpoint.function]
            # (or the checkpoint holds an optimizer's state: an optimizer built out of sight, handed
            # to the class that saves it, trains what it saves)
            if not (trained_by or checkpoint.saves(OPTIMIZER)) or not meant_for_resuming(model, checkpoint):
                continue
            stepped = schedulers or _callers_schedulers(model, checkpoint.function)
            if own:
                others = {id(o.function) for o in optimizers if o.function is not checkpoint.function}
                trained_by, stepped = own, [b for b in stepped if id(b.function) not in others]
            if kept_on_improvement_too(model, checkpoint, model.checkpoints):
                continue  # the same dict is saved every time just before: reported there
            if dead_branch(model, checkpoint):
                continue
            if _before_any_training(model, checkpoint):
                continue  # `torch.save(dict(epoch=0, ...))` above the epoch loop: the optimizer holds no state yet
            if model.never_runs(checkpoint.function) or dead_function(model, checkpoint.function):
                continue  # a function no cell or entry point runs (its only call commented out)
            beside = saved_beside(model, checkpoint)  # (`optim_checkpoint.pt` written next to it)
            missing = []
            if not checkpoint.saves(OPTIMIZER) and OPTIMIZER not in beside:
                missing.append(("optimizer", trained_by[0]))
            if stepped and not checkpoint.saves(SCHEDULER) and SCHEDULER not in beside:
                missing.append(("scheduler", stepped[0]))
            if not missing:
                continue
            words = " and ".join(name for name, _ in missing)
            related = [(binding.statement.node, f"the {name} is built here") for name, binding in missing]
            if checkpoint.at is not checkpoint.save:
                related.append((checkpoint.save.node, "the helper saves it here"))
            yield Report(
                checkpoint.at.node,
                self.message.format(
                    position=(
                        "model weights (loaded back before training goes on)" if checkpoint.reloaded
                        else repr(checkpoint.position) + (" (in the file name)" if checkpoint.separate_files or checkpoint.position_in_name else "")
                    ),
                    missing=words,
                ),
                tuple(related),
            )


def _before_any_training(model: LoopModel, checkpoint: Checkpoint) -> bool:
    """Is the save made by the function that trains, above its training loops and in none of its
    loops (the freshly built model saved as epoch 0), in a function no project code calls in a
    loop? No optimizer has stepped yet: its state is empty, and nothing is lost by leaving it out."""
    function = checkpoint.function
    if checkpoint.at is not checkpoint.save or function.name == "<module>":
        return False
    loops = [step.loop for step in model.training_steps if step.loop.function is function]
    if not loops:
        return False
    order = model.at(function).ordered_statements(function)
    position = next((index for index, placed in enumerate(order) if any(call is checkpoint.save for call in placed.simple.calls)), None)
    if position is None or order[position].loops:
        return False
    first_training = min(
        (index for index, placed in enumerate(order) if any(loop in placed.loops for loop in loops)), default=None
    )
    if first_training is None or first_training < position:
        return False
    # (called in a loop, the function saves again after the first call has trained)
    return not any(
        placed.loops
        for edge in model.callers(function)
        for placed in model.at(edge.caller).ordered_statements(edge.caller)
        if any(call is edge.call for call in placed.simple.calls)
    )


def _factory_positions_it(model: LoopModel, call: CallSite, function: FunctionInfo) -> bool:
    """`get_scheduler(opt, hp, iterations=-1)` building `StepLR(..., last_epoch=iterations)`, and
    called somewhere in the file with that argument (the resume code rebuilding the schedule at the
    saved step), or a factory building it at an epoch of its own reckoning (`last_epoch=start_epoch
    - 1` after reading the checkpoint): the schedule is put back where it was."""
    factory = model.resolve_call(call, function)
    if factory is None:
        return False
    if any(
        arg.keyword == "last_epoch" and arg.dotted not in factory.params and not isinstance(literal_value(arg.node), int)
        for simple in factory.simples for built in simple.calls for arg in built.args
    ):
        # `model, optimizer, scheduler, start_epoch = create_model(cfg)` whose body loads the
        # checkpoint and builds `LambdaLR(..., last_epoch=start_epoch - 1)`: positioned where built
        return True
    positioning = {
        arg.dotted
        for simple in factory.simples for built in simple.calls for arg in built.args
        if arg.keyword == "last_epoch" and arg.dotted in factory.params
    }
    for name in positioning:
        index = factory.argument_index(name)
        for other in model.ir.functions:
            for simple in other.simples:
                for made in simple.calls:
                    if made.dotted == call.dotted and made.arg(index, name) is not None:
                        return True
    return False


def _schedulers(model: LoopModel) -> list[Binding]:
    """The schedulers of this file whose position a checkpoint must keep: objects whose `.step()`
    the code calls (a schedule that is a function of the step, `lr = lr_f(lr0, step)`, holds no
    state), not replayed to the saved epoch on resume, not told their epoch at every step, not
    put back at the saved position, in code for PyTorch 0.4 or later (when schedulers got a
    state_dict)."""
    schedulers = [
        s for s in model.built(SCHEDULER)
        if (s.cls is None or model.is_scheduler_class(s.cls)) and (
            (s.qualified or "").startswith("torch.") or re.search(rf"(?<![\w.]){re.escape(s.name)}\.step\(", model.text)
        ) and not _never_used(model, s) and not _kept_by_its_owner(model, s)
    ]
    # (asked only of a file with schedulers: whether each step is told its epoch takes the events
    # of every function, helpers inlined)
    if not schedulers or model.written_before((0, 4)) or model.schedulers_told_their_epoch:
        return []
    if any(_replays(model, loop) for loop in model.loops):
        return []
    return [s for s in schedulers if not _positioned_by_epoch(model, s)]


def _kept_by_its_owner(model: LoopModel, scheduler: Binding) -> bool:
    """`self.scheduler` of a class whose own `state_dict()` includes `self.scheduler.state_dict()`
    (an optimizer wrapper that schedules its inner optimizer): saving the owner saves it."""
    cls = scheduler.function.cls
    if not scheduler.name.startswith("self.") or cls is None:
        return False
    own = cls.methods.get("state_dict")
    return own is not None and f"{scheduler.name}.state_dict(" in model.code(own.node)


_COMMENT = lazy(r"(?m)#[^'\"\n]*$")
"""A comment at a line's end (one holding no quote, so never a `#` inside a string)."""


def _never_used(model: LoopModel, scheduler: Binding) -> bool:
    """A scheduler named nowhere else in its function (its file, for a script's global): built, then
    neither stepped nor handed on, its schedule never moves and has no position to keep."""
    if "." in scheduler.name:
        return False
    # (a script's global may be named by any function of its file)
    text = model.text if scheduler.function.name == "<module>" else model.code(scheduler.function.node)
    text = _COMMENT.sub("", text)  # (`# model, scheduler, loss` above it names nothing)
    return len(re.findall(rf"(?<![\w.]){re.escape(scheduler.name)}(?![\w])", text)) <= 1


def _callers_schedulers(model: LoopModel, function: FunctionInfo) -> list[Binding]:
    """For a checkpoint saved by a helper of a file that builds no scheduler
    (`Logger.save_checkpoint(it, model, optimizer)`): the schedulers of the first other file that
    calls it (directly, or through helpers of its own file: `save_and_link(...)` calling
    `save_checkpoint(...)`), builds an optimizer and steps a schedule: resuming that training
    restarts its schedule."""
    for caller in _calling_files(model, function):
        if caller.built(OPTIMIZER) and (found := _schedulers(caller)):
            return found
    return []


def _calling_files(model: LoopModel, function: FunctionInfo, depth: int = 3) -> Iterable[LoopModel]:
    """The other files that call the function, directly or through functions they call in turn (of
    its own file or of another: a script's top level calling `runner(model, optimizer, scheduler,
    ...)` of main.py, which calls `save_checkpoint(...)` of utils.py), up to `depth` calls deep,
    nearest first, each once."""
    seen: set[int] = {id(function)}
    given: set[int] = set()
    level = [function]
    for _ in range(depth):
        following: list[FunctionInfo] = []
        for callee in level:
            for edge in model.at(callee).callers(callee):
                caller = model.at(edge.caller)
                if caller is not model and id(caller) not in given:
                    given.add(id(caller))
                    yield caller
                if id(edge.caller) not in seen and edge.caller.name != "<module>":
                    seen.add(id(edge.caller))
                    following.append(edge.caller)
        level = following


def _given_last_epoch(model: LoopModel, call: CallSite, function: FunctionInfo) -> bool:
    """`get_scheduler(config, optimizer, last_epoch)`: a project factory with a parameter named like
    torch's own `last_epoch`, given a position that is not the literal -1 (the epoch read back from
    the checkpoint): it builds the schedule where training resumes, however it passes it on."""
    factory = model.resolve_call(call, function)
    if factory is None or "last_epoch" not in factory.params:
        return False
    given = call.arg(factory.argument_index("last_epoch"), "last_epoch")
    return given is not None and literal_value(given.node) not in (-1, None) and not isinstance(given.node, cst.UnaryOperation)


def _optimizers_of_trainers(model: LoopModel, function: FunctionInfo) -> list[Binding]:
    """The optimizers of the project objects whose training method the function calls in a loop
    (`model.optimize_parameters()` of a `CycleMorph` that builds its `self.optimizer_` in another
    file): they train what the function's checkpoint saves."""
    for loop in function.loops:
        for simple in simples_of(loop.body):
            for call in simple.calls:
                target = model.resolve_call(call, function)
                if target is None or target.cls is None or target is function or not {"backward", "step"} <= model.reaches(target):
                    continue
                owner = model.at(target)
                chain = owner.class_chain(target.cls)
                found = [b for b in owner.built(OPTIMIZER) if b.function.cls is not None and any(b.function.cls is c for c in chain)]
                if found:
                    return found
    return []


def _callers_optimizers(model: LoopModel, function: FunctionInfo) -> list[Binding]:
    """The optimizers built in the files of the functions that call a saving helper (see
    `_calling_files`)."""
    for caller in _calling_files(model, function):
        if caller.built(OPTIMIZER):
            return list(caller.built(OPTIMIZER))
    return []


def _positioned_by_epoch(model: LoopModel, scheduler: Binding) -> bool:
    """`scheduler.last_epoch = start_epoch - 1` or `LambdaLR(..., last_epoch=start_epoch - 1)` (in
    any of the assignments of its name): the schedule is put back at the saved epoch when training
    resumes, so its state need not be saved."""
    call = scheduler.call
    # (`if args.ckpt_pth: scheduler = LambdaLR(..., last_epoch=iteration)` / `else: scheduler =
    # LambdaLR(...)`: the arm that resumes builds it at the saved step)
    # (but where the arms build schedules of different kinds, a choice of schedule, `LambdaLR(...)`
    # / `ReduceLROnPlateau(...)` / `CosineAnnealingLR(..., last_epoch=start_epoch - 2)`, each kind
    # the code may build must be put back: the plateau's patience and best value start over)
    bindings = [scheduler, *model.at(scheduler.function).roles.bindings_of(scheduler.name, scheduler.function)]
    positioned = {
        _kind(built) for built in bindings
        if built.call is not None and any(arg.keyword == "last_epoch" and literal_value(arg.node) != -1 for arg in built.call.args)
    }
    if positioned and all(_kind(built) in positioned for built in bindings if built.call is not None):
        return True
    attribute = f"{scheduler.name}.last_epoch"
    if any(attribute in simple.targets for simple in scheduler.function.assignments):
        return True
    if call is not None and _factory_positions_it(model, call, scheduler.function):
        return True
    if call is not None and _given_last_epoch(model, call, scheduler.function):
        return True
    # `lr_scheduler = get_lr_scheduler(optimizer); lr_scheduler.last_epoch = last_epoch` where the
    # resume code rebuilds it: a scheduler put back at the saved epoch anywhere in the file
    return any(
        target.endswith(".last_epoch") and model.roles.role(target[: -len(".last_epoch")], function) == SCHEDULER
        for function in model.ir.functions
        for simple in function.assignments
        for target in simple.targets
    )


def _kind(binding: Binding) -> str:
    """The kind of schedule a binding builds: its class's qualified name, else the called name."""
    return binding.qualified or (binding.call.dotted if binding.call is not None else binding.name)


_REPLAY_COMPANIONS = frozenset({"print", "get_lr", "get_last_lr", "info", "debug", "set_description", "format"})


def _replays(model: LoopModel, loop: Loop) -> bool:
    """`for _ in range(1, start_epoch): scheduler.step()`: a loop of its own that does nothing but
    step a schedule (and say so) puts it back at the epoch training resumes from, and with it the
    schedules it steps in turn (a warmup wrapper's `after_scheduler`)."""
    if not isinstance(loop.node, cst.For) or not loop.iter_text.startswith("range("):
        return False
    calls = [call for simple in simples_of(loop.body) for call in simple.calls]
    steps = [
        call for call in calls
        if call.method == "step" and call.receiver and model.roles.role(call.receiver, loop.function) == SCHEDULER
    ]
    return bool(steps) and all(call in steps or (call.method or call.dotted) in _REPLAY_COMPANIONS for call in calls)
