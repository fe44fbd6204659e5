"""What one instrumented run recorded: events in order, per-step numbers, forwards, samples.

Filled in by `instrument`, judged by `verdicts`; after `Trace` is finished it holds plain numbers only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# A user line on the stack when an event happened: (real path, line number).
Site = tuple[str, int]

FORWARD = "forward"
BACKWARD = "backward"
ZERO_GRAD = "zero_grad"
STEP = "step"
SCHEDULER_STEP = "scheduler_step"
SCALE = "scale"
UNSCALE = "unscale"
SCALER_STEP = "scaler_step"
CLIP = "clip"
EVAL_MODE = "eval"
TRAIN_MODE = "train"
LOADER_ITER = "loader_iter"
SAVE = "save"


@dataclass(slots=True)
class Event:
    kind: str
    step: int  # optimizer steps completed (all optimizers) when the event happened
    owner: int | None  # index of the optimizer, scheduler, module or loader concerned
    sites: tuple[Site, ...]  # innermost first

    @property
    def site(self) -> Site | None:
        return self.sites[0] if self.sites else None


@dataclass(slots=True)
class StepRecord:
    """One `optimizer.step()`, seen by the global pre/post hooks."""

    optimizer: int
    number: int  # 1-based, counted per optimizer
    event: int
    grad_norm: object  # float once finished; a tensor while running (no device sync per step)
    norm_before_clip: bool  # the norm clip_grad_norm_ measured just before this step
    grads_present: int
    params: int
    lr: float
    # .grad reset since this optimizer's previous step: None when there is nothing to judge
    # (first step, or no backward() in between); while running, a list of zero checks of
    # gradients changed in place, read once the run is over.
    reset: object
    carried: int  # parameters whose .grad was neither replaced nor modified since the last step
    reset_event: int | None  # the backward() at which the reset was judged
    backwards: int  # backward() calls since this optimizer's previous step
    backwards_inside: int = 0  # backward() calls made by the step itself (an LBFGS closure)
    device_memory: int | None = None
    peak_memory: int | None = None


@dataclass(slots=True)
class ForwardRecord:
    """One top-level forward of a module that has parameters."""

    module: int
    event: int
    step: int
    backwards_before: int  # backward() calls before it: forwards with equal counts ran back to back
    training: bool
    grad_enabled: bool
    active_layers: tuple[str, ...]  # Dropout / BatchNorm layers in training mode
    graph: bool  # the output carries an autograd graph
    used_in_backward: bool = False  # set by a pre-hook on the output's grad_fn
    graph_nodes: int | None = None  # measured on evaluation-like forwards only
    saved_bytes: int | None = None


@dataclass(slots=True)
class ClipRecord:
    event: int
    function: str
    limit: float | None
    total_norm: object  # float once finished
    scaled: bool  # gradients came from a GradScaler-scaled loss and were not unscaled
    scale: object  # the GradScaler scale then (float once finished)


@dataclass(frozen=True)
class Holder:
    """A local variable (with what it contains) that keeps autograd graphs alive."""

    frame: int  # id of the frame: separates two calls of the same function
    path: str
    function: str
    lines: tuple[int, int]  # first and last line of the function's code
    name: str
    nodes: int
    old_nodes: int  # nodes already seen by an earlier sample: kept from a past iteration
    saved_bytes: int


@dataclass(frozen=True)
class RetentionSample:
    index: int
    step: int
    forward: int | None  # index into forwards when taken at an evaluation-like forward
    holders: tuple[Holder, ...]
    # (path, function's first line, last line, name) of every local seen, graph or not
    names: frozenset[tuple[str, int, int, str]]
    nodes: int
    saved_bytes: int


@dataclass(frozen=True)
class OptimizerInfo:
    index: int
    name: str
    params: int
    param_ids: frozenset[int]
    frozen: int = 0  # parameters it holds with requires_grad=False when first seen stepping


@dataclass(frozen=True)
class SaveRecord:
    """One `torch.save` of a dict: what kinds of state it holds."""

    event: int
    keys: tuple[str, ...]
    model_state: bool
    optimizer_state: bool
    scheduler_state: bool


@dataclass(frozen=True)
class SchedulerInfo:
    index: int
    name: str
    optimizer: int
    horizon: int | None  # length of the schedule in scheduler steps, where the class tells it
    horizon_name: str
    base_lr: float | None
    plateau: bool


@dataclass(frozen=True)
class ModuleInfo:
    index: int
    name: str
    layers: tuple[str, ...]  # Dropout (p > 0) and BatchNorm layers in its tree
    param_ids: frozenset[int]


@dataclass(frozen=True)
class LoaderInfo:
    index: int
    length: int | None


@dataclass
class Trace:
    step_limit: int
    device: str = "cpu"
    events: list[Event] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    forwards: list[ForwardRecord] = field(default_factory=list)
    clips: list[ClipRecord] = field(default_factory=list)
    samples: list[RetentionSample] = field(default_factory=list)
    optimizers: list[OptimizerInfo] = field(default_factory=list)
    schedulers: list[SchedulerInfo] = field(default_factory=list)
    modules: list[ModuleInfo] = field(default_factory=list)
    loaders: list[LoaderInfo] = field(default_factory=list)
    stopped: bool = False  # the step budget was spent and the stop raised
    completed: int = 0  # optimizer steps that finished (all optimizers together)
    refused: dict[str, int] = field(default_factory=dict)  # calls made after the stop, by kind
    interrupted: bool = False  # Ctrl-C ended the run: everything here is partial
    # how the run ended: "returned", "stopped" (the stop ended it), "returned_after_stop" (the stop
    # was caught, or ended a thread, and the code returned), "raised", "interrupted"
    ended: str = ""
    notes: list[str] = field(default_factory=list)
    # event index of each backward() → the autograd op that made the loss it was called on, under
    # a GradScaler's multiply: "DivBackward0" for `loss / k`, "NllLossBackward0" for a raw loss
    backward_roots: dict[int, str] = field(default_factory=dict)
    saves: list[SaveRecord] = field(default_factory=list)

    def steps_of(self, optimizer: int) -> list[StepRecord]:
        return [s for s in self.steps if s.optimizer == optimizer]

    def events_of(self, kind: str, owner: int | None = None) -> list[tuple[int, Event]]:
        return [
            (i, e)
            for i, e in enumerate(self.events)
            if e.kind == kind and (owner is None or e.owner == owner)
        ]
