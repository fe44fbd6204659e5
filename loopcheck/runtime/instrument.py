"""Hooks and patches that watch a training loop for a bounded number of steps without changing it.

PyTorch's global hooks where they exist, patches of what has none; everything is undone on exit.
"""
from __future__ import annotations

import functools
import os
import signal
import sys
import sysconfig
import threading
import types
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import torch
import torch.optim.lr_scheduler as lr_scheduler
import torch.optim.optimizer as optimizer_module
from torch import nn
from torch.nn.modules import module as module_module
from torch.nn.utils import clip_grad as clip_grad_module
from torch.utils.data import DataLoader

from loopcheck.runtime.retention import GraphMeter
from loopcheck.runtime.trace import (
    BACKWARD,
    CLIP,
    EVAL_MODE,
    FORWARD,
    LOADER_ITER,
    SAVE,
    SCALE,
    SCALER_STEP,
    SCHEDULER_STEP,
    STEP,
    TRAIN_MODE,
    UNSCALE,
    ZERO_GRAD,
    ClipRecord,
    Event,
    SaveRecord,
    ForwardRecord,
    LoaderInfo,
    ModuleInfo,
    OptimizerInfo,
    SchedulerInfo,
    Site,
    StepRecord,
    Trace,
)

try:  # torch >= 2.3 spells it torch.amp; older releases only have the CUDA one
    from torch.amp import GradScaler
except ImportError:  # pragma: no cover - depends on the installed torch
    from torch.cuda.amp import GradScaler  # type: ignore[no-redef,assignment]

# Retention samples after these optimizer steps (cheap when nothing leaks; a leak shows as
# growth over the first few) and at most this many on evaluation-like forwards per pass/run.
EARLY_SAMPLED_STEPS = 5
SAMPLE_EVERY = 5
FORWARD_SAMPLES_PER_PASS = 6
FORWARD_SAMPLES_PER_RUN = 64
CLIPS_KEPT = 256

_DEVICES = ("auto", "cpu", "cuda")


class StopTraining(BaseException):
    """Raised once the step budget is spent: by the post-step hook at the limit, then by every
    further watched call (forward, backward, step, zero_grad, scheduler step, DataLoader pass,
    clipping, GradScaler) of the run. A BaseException, so that `except Exception` cannot swallow
    it; a bare `except:` that does is refused again at its next training call, and the report
    says how many calls it made after the stop. The runner catches it."""


@dataclass
class RunOutcome:
    value: object
    trace: Trace
    error: Exception | None
    interrupted: bool = False  # Ctrl-C (KeyboardInterrupt) ended the run: the trace is partial
    closed: bool = False  # a watched generator was closed by its consumer before it finished


def check_steps(steps: object, label: str = "steps") -> int:
    """`steps` as a positive int; a bool (`steps=True`) or anything else is a ValueError."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"{label} must be a positive integer, got {steps!r}")
    return steps


def run_instrumented(call: Callable[[], object], steps: int, device: str = "auto") -> RunOutcome:
    """Run `call()` under instrumentation; the user's exception is returned, not raised.

    A KeyboardInterrupt ends the run too: the outcome says so (`interrupted`) and the caller
    decides what to do after reporting the partial trace."""
    instrumentation = Instrumentation(steps, device)
    value: object = None
    error: Exception | None = None
    interrupted = False
    ended = "returned"
    try:
        with instrumentation:
            value = call()
    except StopTraining:
        value, ended = None, "stopped"
    except KeyboardInterrupt:
        interrupted, ended = True, "interrupted"
    except Exception as raised:  # the training code's own failure: reported, then re-raised
        error, ended = raised, "raised"
    trace = instrumentation.finish()
    trace.interrupted = interrupted
    trace.ended = "returned_after_stop" if ended == "returned" and trace.stopped else ended
    return RunOutcome(value, trace, error, interrupted)


# -- process-wide patches ------------------------------------------------------------------
#
# Hooks and patches are installed once for the whole process, reference-counted by the runs in
# progress, and removed (every attribute put back to the identical original object) when the
# last run ends. Each hook or patched call asks which run the calling thread belongs to: the
# thread a run was started on, and the threads started from such a thread while it ran. A
# thread that belongs to no run is not watched, so two verified functions running at once in
# two threads each see only their own training.

_LOCK = threading.RLock()
_ATTACHED: dict[int, Instrumentation] = {}  # thread ident → the run it belongs to
_OWNERS: weakref.WeakKeyDictionary[threading.Thread, Instrumentation] = weakref.WeakKeyDictionary()
_INSTALLED: list[ExitStack] = []  # the one installed set of patches, while any run is live
_USERS = [0]
_THIS_FILE = os.path.realpath(__file__)
if _THIS_FILE.endswith((".pyc", ".pyo")):  # pragma: no cover - run from bytecode only
    _THIS_FILE = _THIS_FILE[:-1]


def _current() -> Instrumentation | None:
    """The live run the calling thread belongs to, if any."""
    run = _ATTACHED.get(threading.get_ident())
    if run is None and _OWNERS:
        run = _OWNERS.get(threading.current_thread())
        if run is not None and not run._live:
            return None
    return run


def running_here() -> bool:
    """True when the calling thread belongs to a run in progress (a nested verified call)."""
    return _current() is not None


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Ctrl-C waits until the block is done (on the main thread with Python's default handler):
    a KeyboardInterrupt between two restores would leave a patch installed for good."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.getsignal(signal.SIGINT)
    except (ValueError, AttributeError):  # pragma: no cover - no signal support
        yield
        return
    if previous is not signal.default_int_handler:
        yield
        return
    pending: list[int] = []
    signal.signal(signal.SIGINT, lambda number, frame: pending.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            raise KeyboardInterrupt


def _acquire() -> None:
    with _sigint_deferred(), _LOCK:
        if _USERS[0] == 0:
            stack = ExitStack()
            try:
                _install(stack)
            except BaseException:
                stack.close()
                raise
            _INSTALLED.append(stack)
        _USERS[0] += 1


def _release() -> None:
    with _sigint_deferred(), _LOCK:
        _USERS[0] -= 1
        if _USERS[0] == 0:
            _INSTALLED.pop().close()


def _install(stack: ExitStack) -> None:
    for register, hook in (
        (optimizer_module.register_optimizer_step_pre_hook, _hook_step_pre),
        (optimizer_module.register_optimizer_step_post_hook, _hook_step_post),
        (module_module.register_module_forward_pre_hook, _hook_forward_pre),
    ):
        stack.callback(register(hook).remove)
    handle = module_module.register_module_forward_hook(_hook_forward, always_call=True)
    stack.callback(handle.remove)
    # One patch of torch.autograd.backward sees both loss.backward() (Tensor.backward calls
    # it by attribute) and direct torch.autograd.backward(...) calls.
    _patch(stack, torch.autograd, "backward", Instrumentation._backward)
    for base, name, handler in (
        (torch.optim.Optimizer, "zero_grad", Instrumentation._zero_grad),
        (nn.Module, "zero_grad", Instrumentation._zero_grad),
        (nn.Module, "train", Instrumentation._train),
        (lr_scheduler.LRScheduler, "step", Instrumentation._scheduler_step),
        (GradScaler, "scale", Instrumentation._scale),
        (GradScaler, "unscale_", Instrumentation._unscale),
        (GradScaler, "step", Instrumentation._scaler_step),
        (DataLoader, "__iter__", Instrumentation._loader_iter),
    ):
        for cls in _classes_defining(base, name):
            _patch(stack, cls, name, handler)
    _patch(stack, torch, "save", Instrumentation._save)
    for module in (torch.nn.utils, clip_grad_module):
        for name in ("clip_grad_norm_", "clip_grad_value_"):
            if hasattr(module, name):
                _patch(stack, module, name, Instrumentation._clip)
    # Threads started by a run's thread belong to that run; the stop ends them quietly.
    _patch(stack, threading.Thread, "start", None, _thread_start)
    _patch(stack, threading, "excepthook", None, _thread_excepthook)
    # Warnings raised inside a patched function name the user's line, not this file.
    _patch(stack, warnings, "warn", None, _warn)


def _patch(stack: ExitStack, owner: Any, name: str, handler: Callable[..., Any] | None,
           maker: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None) -> None:
    original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
    replacement = maker(original) if maker is not None else _dispatching(original, handler)
    setattr(owner, name, replacement)
    stack.callback(setattr, owner, name, original)


def _dispatching(original: Callable[..., Any], handler: Any) -> Callable[..., Any]:
    @functools.wraps(original)
    def patched(*args: Any, **kwargs: Any) -> Any:
        run = _current()
        if run is None:
            return original(*args, **kwargs)
        return handler(run, original, *args, **kwargs)

    return patched


def _hook_step_pre(optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
    run = _current()
    if run is not None:
        run._on_step_pre(optimizer)


def _hook_step_post(optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
    run = _current()
    if run is not None:
        run._on_step_post(optimizer)


def _hook_forward_pre(module: nn.Module, args: Any) -> None:
    run = _current()
    if run is not None:
        run._on_forward_pre(module)


def _hook_forward(module: nn.Module, args: Any, output: Any) -> None:
    run = _current()
    if run is not None:
        run._on_forward(module, output)


def _thread_start(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def start(thread: threading.Thread, *args: Any, **kwargs: Any) -> Any:
        run = _current()
        if run is not None:
            with _LOCK:
                _OWNERS[thread] = run
                run._threads.append(weakref.ref(thread))
        return original(thread, *args, **kwargs)

    return start


def _thread_excepthook(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def excepthook(args: Any) -> Any:
        if isinstance(args.exc_type, type) and issubclass(args.exc_type, StopTraining):
            return None  # the stop ended a training thread: not an error to print
        return original(args)

    return excepthook


def _warn(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def warn(message: Any, category: Any = None, stacklevel: int = 1, *args: Any, **kwargs: Any) -> Any:
        # The frames of this file do not count: `stacklevel=2` in a torch function called
        # through a patch names the user's line that called it, as it would without the patch.
        level = stacklevel
        if isinstance(stacklevel, int) and stacklevel > 1:
            frame = sys._getframe(1)
            counted = walked = 0
            while frame is not None and counted < stacklevel:
                walked += 1
                if walked == 1 or frame.f_code.co_filename != _THIS_FILE:
                    counted += 1
                frame = frame.f_back
            level = walked
        return original(message, category, level + 1, *args, **kwargs)

    return warn


class _OptimizerState:
    """What one optimizer's gradients went through since its last step.

    After each step every parameter's `.grad` is noted (weak ref, version). Before and after
    each backward() and at the next step the notes are compared: a `.grad` set to None, or
    changed outside backward() and then found all zero, was reset; one that backward()
    accumulated into while it still held the last step's gradient was carried over.
    """

    __slots__ = ("info", "optimizer", "steps", "backwards", "backwards_at_step", "tracked", "checks",
                 "reset_event")

    def __init__(self, info: OptimizerInfo, optimizer: torch.optim.Optimizer) -> None:
        self.info = info
        self.optimizer = optimizer
        self.steps = 0
        self.backwards = 0
        self.backwards_at_step = 0  # run-wide backward() count when step() began
        self.tracked: dict[int, _GradNote] = {}
        self.checks: list[torch.Tensor] = []  # max |grad| of grads changed outside backward()
        self.reset_event: int | None = None

    def note_after_step(self) -> None:
        self.tracked = {
            id(p): _GradNote(p, weakref.ref(p.grad), p.grad._version)
            for group in self.optimizer.param_groups
            for p in group["params"]
            if p.grad is not None
        }
        self.checks = []
        self.backwards = 0
        self.reset_event = None

    def observe_outside_backward(self) -> None:
        """Drop the notes of gradients that user code reset (or changed) since the last look."""
        changed: list[torch.Tensor] = []
        for key, note in list(self.tracked.items()):
            grad = note.param.grad
            if grad is None:
                del self.tracked[key]
            elif note.grad() is not grad or grad._version != note.version:
                changed.append(grad)
                del self.tracked[key]
        if changed:
            # Measured now, before backward() adds to them; read once the run is over.
            self.checks.append(_total_norm(changed, float("inf")))

    def observe_after_backward(self, event: int) -> None:
        for note in self.tracked.values():
            grad = note.param.grad
            if grad is not None and (note.grad() is not grad or grad._version != note.version):
                note.accumulated = True
                note.grad = weakref.ref(grad)
                note.version = grad._version
                if self.reset_event is None:
                    self.reset_event = event

    def carried(self) -> int:
        return sum(1 for note in self.tracked.values() if note.accumulated)


class _GradNote:
    __slots__ = ("param", "grad", "version", "accumulated")

    def __init__(self, param: torch.Tensor, grad: weakref.ref[torch.Tensor], version: int) -> None:
        self.param = param
        self.grad = grad
        self.version = version
        self.accumulated = False


class _ThreadState:
    """What one thread of a run is inside of: outermost calls in progress, forward depth."""

    __slots__ = ("active", "depth", "boundary")

    def __init__(self, boundary: FrameType | None) -> None:
        self.active: set[str] = set()  # outermost calls in progress (nested ones are not events)
        self.depth = 0
        self.boundary = boundary  # the frame that started the run: user frames stop there


class Instrumentation:
    """One watched run. As a context manager it attaches the current thread on enter and ends
    the run on exit; `start`/`attach`/`detach`/`end` do the same piecewise (a generator is
    watched only while it runs). The process-wide patches are shared by all live runs."""

    def __init__(self, step_limit: int, device: str = "auto") -> None:
        check_steps(step_limit)
        if device not in _DEVICES:
            raise ValueError(f"device must be one of {', '.join(_DEVICES)}, got {device!r}")
        if device == "cuda" and not torch.cuda.is_available():
            raise ValueError("device='cuda' was asked for but torch.cuda.is_available() is False")
        self.trace = Trace(step_limit=step_limit)
        self._device_mode = device
        self._live = False
        self._lock = threading.RLock()
        self._threads_state: dict[int, _ThreadState] = {}
        self._threads: list[weakref.ref[threading.Thread]] = []
        self._library_roots = _library_roots()
        self._user_paths: dict[str, str | None] = {}
        self._user_classes: dict[type, bool] = {}
        self._meter = GraphMeter(self._is_user_class)
        self._optimizers: dict[int, _OptimizerState] = {}
        self._schedulers: dict[int, tuple[SchedulerInfo, object]] = {}
        self._modules: dict[int, tuple[ModuleInfo | None, nn.Module, list[tuple[str, nn.Module]]]] = {}
        self._loaders: dict[int, tuple[LoaderInfo, object]] = {}
        self._backwards = 0
        self._total_steps = 0
        self._started_steps = 0
        self._forwards_since_backward = 0
        self._forward_samples_in_pass = 0
        self._forward_samples = 0
        self._cuda_device: torch.device | None = None
        self._scale_armed = False
        self._grads_scaled = False
        self._scale: torch.Tensor | None = None
        # (norm, ids of the clipped parameters) of a clip_grad_norm_ since the last backward()
        # that nothing changed afterwards: its norm is the step's norm, measured once.
        self._clip_norm: tuple[torch.Tensor, frozenset[int]] | None = None

    # -- life cycle --------------------------------------------------------------------------

    def __enter__(self) -> Instrumentation:
        self.start()
        self.attach(sys._getframe(1))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.end()

    def start(self) -> None:
        if running_here():
            raise RuntimeError("this thread is already inside a watched run")
        _acquire()
        self._live = True

    def attach(self, boundary: FrameType | None = None) -> None:
        """Events of the calling thread belong to this run from now on."""
        ident = threading.get_ident()
        with _LOCK:
            other = _ATTACHED.get(ident)
            if other is not None and other is not self:
                raise RuntimeError("this thread is already inside another watched run")
            _ATTACHED[ident] = self
        self._threads_state[ident] = _ThreadState(boundary)

    def detach(self) -> None:
        ident = threading.get_ident()
        with _LOCK:
            if _ATTACHED.get(ident) is self:
                del _ATTACHED[ident]

    def end(self) -> None:
        """Detach every thread of this run and give back its share of the patches."""
        if not self._live:
            return
        with _sigint_deferred():
            with _LOCK:
                for ident in [i for i, run in _ATTACHED.items() if run is self]:
                    del _ATTACHED[ident]
                self._live = False
            _release()

    def finish(self) -> Trace:
        """Turn the tensors kept during the run into numbers (one device sync, at the end)."""
        self.end()
        trace = self.trace
        for record in trace.steps:
            record.grad_norm = _to_float(record.grad_norm)
            if isinstance(record.reset, list):  # reset only if every changed gradient was zero
                record.reset = all(_to_float(check) == 0 for check in record.reset)
        for clip in trace.clips:
            clip.total_norm = _to_float(clip.total_norm)
            clip.scale = _to_float(clip.scale)
        trace.device = self._cuda_device.type if self._cuda_device is not None else "cpu"
        trace.completed = self._total_steps
        alive = [t for t in (ref() for ref in self._threads) if t is not None and t.is_alive()]
        if alive:
            trace.notes.append(
                f"{len(alive)} thread(s) started by the training code were still running when it "
                f"returned ({', '.join(t.name for t in alive[:3])}); what they do from then on is not watched"
            )
        self._optimizers.clear()
        self._schedulers.clear()
        self._modules.clear()
        self._loaders.clear()
        return trace

    def _thread(self) -> _ThreadState:
        ident = threading.get_ident()
        state = self._threads_state.get(ident)
        if state is None:
            state = self._threads_state.setdefault(ident, _ThreadState(None))
        return state

    def _refuse(self, kind: str) -> None:
        """After the stop, every training call of the run raises StopTraining again."""
        if self.trace.stopped:
            with self._lock:
                self.trace.refused[kind] = self.trace.refused.get(kind, 0) + 1
            raise StopTraining

    # -- where things happen -----------------------------------------------------------------

    def _user_path(self, filename: str) -> str | None:
        """Real path of a file of the user's code; None for torch, loopcheck and libraries."""
        path = self._user_paths.get(filename, "")
        if path != "":
            return path
        path = None
        if not filename.startswith("<"):
            real = os.path.realpath(filename)
            if not real.startswith(self._library_roots):
                path = real
        self._user_paths[filename] = path
        return path

    def _is_user_class(self, cls: type) -> bool:
        known = self._user_classes.get(cls)
        if known is None:
            module = sys.modules.get(cls.__module__)
            filename = getattr(module, "__file__", None)
            known = bool(filename) and self._user_path(filename) is not None
            self._user_classes[cls] = known
        return known

    def _user_frames(self) -> Iterator[FrameType]:
        boundary = self._thread().boundary
        frame: FrameType | None = sys._getframe(1)
        while frame is not None and frame is not boundary:
            if self._user_path(frame.f_code.co_filename) is not None:
                yield frame
            frame = frame.f_back

    def _sites(self) -> tuple[Site, ...]:
        return tuple(
            (self._user_paths[f.f_code.co_filename] or "", f.f_lineno) for f in self._user_frames()
        )

    def _event(self, kind: str, owner: int | None) -> int:
        with self._lock:
            self.trace.events.append(Event(kind, self._total_steps, owner, self._sites()))
            return len(self.trace.events) - 1

    def _note(self, error: Exception) -> None:
        note = f"instrumentation error (training went on): {type(error).__name__}: {error}"
        with self._lock:
            if note not in self.trace.notes:
                self.trace.notes.append(note)

    def _outermost(self, key: str) -> bool:
        return key not in self._thread().active

    def _call(self, key: str, original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call `original` with `key` marked active, so that the calls it makes are not events."""
        active = self._thread().active
        if key in active:
            return original(*args, **kwargs)
        active.add(key)
        try:
            return original(*args, **kwargs)
        finally:
            active.discard(key)

    # -- registries --------------------------------------------------------------------------

    def _optimizer(self, optimizer: torch.optim.Optimizer) -> _OptimizerState:
        state = self._optimizers.get(id(optimizer))
        if state is None:
            params = [p for group in optimizer.param_groups for p in group["params"]]
            info = OptimizerInfo(
                len(self._optimizers), type(optimizer).__name__, len(params),
                frozenset(id(p) for p in params),
                sum(1 for p in params if isinstance(p, torch.Tensor) and not p.requires_grad),
            )
            state = _OptimizerState(info, optimizer)
            state.backwards = self._backwards  # an optimizer first seen late still counts them
            self._optimizers[id(optimizer)] = state
            self.trace.optimizers.append(info)
        return state

    def _scheduler(self, scheduler: Any) -> SchedulerInfo:
        known = self._schedulers.get(id(scheduler))
        if known is None:
            horizon, horizon_name = _horizon(scheduler)
            base_lrs = getattr(scheduler, "base_lrs", None)
            info = SchedulerInfo(
                len(self._schedulers), type(scheduler).__name__,
                self._optimizer(scheduler.optimizer).info.index, horizon, horizon_name,
                _to_float(base_lrs[0]) if base_lrs else None,
                isinstance(scheduler, lr_scheduler.ReduceLROnPlateau),
            )
            known = (info, scheduler)
            self._schedulers[id(scheduler)] = known
            self.trace.schedulers.append(info)
        return known[0]

    def _module(self, module: nn.Module) -> tuple[ModuleInfo | None, list[tuple[str, nn.Module]]]:
        known = self._modules.get(id(module))
        if known is None:
            param_ids = frozenset(id(p) for p in module.parameters())
            layers = [
                (name or type(layer).__name__, layer)
                for name, layer in module.named_modules()
                if (isinstance(layer, nn.modules.dropout._DropoutNd) and layer.p > 0)
                or isinstance(layer, nn.modules.batchnorm._BatchNorm)
            ]
            info = None
            if param_ids:  # loss modules have no parameters: they are not models
                info = ModuleInfo(
                    len(self.trace.modules), type(module).__name__,
                    tuple(_layer_label(name, layer) for name, layer in layers), param_ids,
                )
                self.trace.modules.append(info)
            known = (info, module, layers)
            self._modules[id(module)] = known
        return known[0], known[2]

    # -- optimizer hooks ---------------------------------------------------------------------

    def _on_step_pre(self, optimizer: torch.optim.Optimizer) -> None:
        self._refuse(STEP)
        with self._lock:
            if self._started_steps >= self.trace.step_limit:
                # another thread of the run is finishing the last step the budget allows
                self.trace.stopped = True
                self.trace.refused[STEP] = self.trace.refused.get(STEP, 0) + 1
                raise StopTraining
            self._started_steps += 1
            try:
                self._record_step(optimizer)
            except Exception as error:
                self._note(error)

    def _record_step(self, optimizer: torch.optim.Optimizer) -> None:
        state = self._optimizer(optimizer)
        self._grads_scaled = False
        state.observe_outside_backward()
        state.backwards_at_step = self._backwards
        event = self._event(STEP, state.info.index)
        with_grad = [
            p for group in optimizer.param_groups for p in group["params"]
            if p.grad is not None and not p.grad.is_sparse
        ]
        grads = [p.grad for p in with_grad]
        clipped = self._clip_norm
        from_clip = clipped is not None and all(id(p) in clipped[1] for p in with_grad)
        if from_clip and clipped is not None:
            norm: object = clipped[0]
        else:
            norm = _total_norm(grads, 2.0) if grads else None
        lr = optimizer.param_groups[0].get("lr", 0.0) if optimizer.param_groups else 0.0
        if self._cuda_device is None and self._device_mode != "cpu":
            self._cuda_device = _cuda_device_of(optimizer)
        carried = state.carried()
        reset: object = None
        if state.steps and state.backwards:
            reset = False if carried else (list(state.checks) if state.checks else True)
        self.trace.steps.append(
            StepRecord(
                optimizer=state.info.index,
                number=state.steps + 1,
                event=event,
                grad_norm=norm,
                norm_before_clip=from_clip,
                grads_present=len(grads),
                params=state.info.params,
                lr=_to_float(lr) or 0.0,
                reset=reset,
                carried=carried,
                reset_event=state.reset_event,
                backwards=state.backwards,
            )
        )

    def _on_step_post(self, optimizer: torch.optim.Optimizer) -> None:
        with self._lock:
            state = self._optimizer(optimizer)
            state.steps += 1
            self._total_steps += 1
            self._clip_norm = None
            try:
                state.note_after_step()
                record = self._last_step_of(state.info.index)
                if record is not None:
                    record.backwards_inside = self._backwards - state.backwards_at_step
                if record is not None and self._cuda_device is not None:
                    # memory_allocated: bytes held by live tensors now; max_memory_allocated: the
                    # peak since the process started (or the user last reset it), never reset here
                    record.device_memory = torch.cuda.memory_allocated(self._cuda_device)
                    record.peak_memory = torch.cuda.max_memory_allocated(self._cuda_device)
                if self._total_steps <= EARLY_SAMPLED_STEPS or self._total_steps % SAMPLE_EVERY == 0:
                    self._sample(None)
            except Exception as error:
                self._note(error)
            # The budget counts optimizer steps of all optimizers together.
            if self._total_steps >= self.trace.step_limit:
                self.trace.stopped = True
                raise StopTraining

    def _last_step_of(self, optimizer: int) -> StepRecord | None:
        for record in reversed(self.trace.steps):
            if record.optimizer == optimizer:
                return record
        return None

    # -- forwards ----------------------------------------------------------------------------

    def _on_forward_pre(self, module: nn.Module) -> None:
        self._refuse(FORWARD)
        self._thread().depth += 1

    def _on_forward(self, module: nn.Module, output: Any) -> None:
        thread = self._thread()
        thread.depth = max(thread.depth - 1, 0)
        if thread.depth or self.trace.stopped:
            return None
        with self._lock:
            try:
                self._record_forward(module, output)
            except Exception as error:
                self._note(error)
        return None

    def _record_forward(self, module: nn.Module, output: Any) -> None:
        info, layers = self._module(module)
        if info is None:
            return
        outputs = _graph_outputs(output)
        record = ForwardRecord(
            module=info.index,
            event=self._event(FORWARD, info.index),
            step=self._total_steps,
            backwards_before=self._backwards,
            training=module.training,
            grad_enabled=torch.is_grad_enabled() and not torch.is_inference_mode_enabled(),
            active_layers=tuple(_layer_label(n, layer) for n, layer in layers if layer.training),
            graph=bool(outputs),
        )
        index = len(self.trace.forwards)
        self.trace.forwards.append(record)
        mark = functools.partial(_mark_used, record)
        for tensor in outputs:
            tensor.grad_fn.register_prehook(mark)
        # A forward right after another with no backward() in between is evaluation-like:
        # sample what the frames keep, while the evaluation function is still on the stack.
        evaluation_like = self._forwards_since_backward > 0
        self._forwards_since_backward += 1
        if (
            evaluation_like
            and outputs
            and self._forward_samples_in_pass < FORWARD_SAMPLES_PER_PASS
            and self._forward_samples < FORWARD_SAMPLES_PER_RUN
        ):
            self._forward_samples_in_pass += 1
            self._forward_samples += 1
            record.graph_nodes, record.saved_bytes = self._meter.graph_size(outputs[0])
            self._sample(index)

    def _sample(self, forward: int | None) -> None:
        sample = self._meter.sample(
            self._user_frames(), len(self.trace.samples), self._total_steps, forward
        )
        self.trace.samples.append(sample)

    # -- patched callables: called as handler(run, original, *args, **kwargs) ------------------

    def _backward(self, original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._outermost(BACKWARD):
            return original(*args, **kwargs)
        self._refuse(BACKWARD)
        event = -1
        with self._lock:
            try:
                event = self._event(BACKWARD, None)
                self.trace.backward_roots[event] = _loss_root(args, scaled=self._scale_armed)
                for state in self._optimizers.values():
                    state.observe_outside_backward()
                    state.backwards += 1
                self._backwards += 1
                self._clip_norm = None
                self._forwards_since_backward = 0
                self._forward_samples_in_pass = 0
                if self._scale_armed:
                    self._grads_scaled = True
                    self._scale_armed = False
            except Exception as error:
                self._note(error)
        # Reentrant checkpointing runs backward() inside backward(): one event is enough.
        result = self._call(BACKWARD, original, *args, **kwargs)
        with self._lock:
            try:
                for state in self._optimizers.values():
                    state.observe_after_backward(event)
            except Exception as error:
                self._note(error)
        return result

    def _recorded(self, key: str, record: Callable[..., None], original: Callable[..., Any],
                  *args: Any, **kwargs: Any) -> Any:
        """`record(*args)` before each outermost call, then the original."""
        if self._outermost(key):
            self._refuse(key)
            with self._lock:
                try:
                    record(*args)
                except Exception as error:
                    self._note(error)
        return self._call(key, original, *args, **kwargs)

    def _zero_grad(self, original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._recorded(ZERO_GRAD, self._record_zero_grad, original, *args, **kwargs)

    def _scheduler_step(self, original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # The step that LRScheduler.__init__ makes is construction, not a training call.
        if args and getattr(args[0], "_is_initial", False):
            return original(*args, **kwargs)
        return self._recorded(SCHEDULER_STEP, self._record_scheduler_step, original, *args, **kwargs)

    def _unscale(self, original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if SCALER_STEP in self._thread().active:  # scaler.step() unscales by itself
            return original(*args, **kwargs)
        return self._recorded(UNSCALE, self._record_unscale, original, *args, **kwargs)

    def _scaler_step(self, original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._recorded(SCALER_STEP, self._record_scaler_step, original, *args, **kwargs)

    def _record_zero_grad(self, owner: Any, *args: Any) -> None:
        target = None  # a module's zero_grad() is not tied to one optimizer
        if isinstance(owner, torch.optim.Optimizer):
            target = self._optimizer(owner).info.index
        self._event(ZERO_GRAD, target)
        self._clip_norm = None

    def _record_scheduler_step(self, scheduler: Any, *args: Any) -> None:
        self._event(SCHEDULER_STEP, self._scheduler(scheduler).index)

    def _record_unscale(self, scaler: Any, optimizer: torch.optim.Optimizer, *args: Any) -> None:
        self._event(UNSCALE, self._optimizer(optimizer).info.index)
        self._grads_scaled = False
        self._clip_norm = None

    def _record_scaler_step(self, scaler: Any, optimizer: torch.optim.Optimizer, *args: Any) -> None:
        self._event(SCALER_STEP, self._optimizer(optimizer).info.index)

    def _train(self, original: Callable[..., Any], module: nn.Module, *args: Any, **kwargs: Any) -> Any:
        if not self._outermost(TRAIN_MODE):
            return original(module, *args, **kwargs)
        mode = bool(args[0] if args else kwargs.get("mode", True))
        result = self._call(TRAIN_MODE, original, module, *args, **kwargs)
        with self._lock:
            try:
                info, _ = self._module(module)
                if info is not None:
                    self._event(TRAIN_MODE if mode else EVAL_MODE, info.index)
            except Exception as error:
                self._note(error)
        return result

    def _scale(self, original: Callable[..., Any], scaler: Any, outputs: Any, *args: Any, **kwargs: Any) -> Any:
        if scaler.is_enabled():
            self._refuse(SCALE)
        result = original(scaler, outputs, *args, **kwargs)
        if scaler.is_enabled():
            with self._lock:
                try:
                    self._event(SCALE, None)
                    self._scale_armed = True
                    current = getattr(scaler, "_scale", None)
                    if isinstance(current, torch.Tensor):
                        self._scale = current.detach().clone()
                except Exception as error:
                    self._note(error)
        return result

    def _save(self, original: Callable[..., Any], obj: Any, *args: Any, **kwargs: Any) -> Any:
        if self._outermost(SAVE) and isinstance(obj, dict):
            with self._lock:
                try:
                    self.trace.saves.append(_save_record(self._event(SAVE, None), obj))
                except Exception as error:
                    self._note(error)
        return original(obj, *args, **kwargs)

    def _clip(self, original: Callable[..., Any], parameters: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._outermost(CLIP):
            return original(parameters, *args, **kwargs)
        self._refuse(CLIP)
        # clip_grad_* take any iterable and read it once; a list lets us see which parameters
        # were clipped without consuming the caller's generator (handed on as a generator
        # again, so that torch's own warning about an empty one still fires).
        params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
        handed: Any = params
        if isinstance(parameters, types.GeneratorType):
            handed = (p for p in params)
        result = self._call(CLIP, original, handed, *args, **kwargs)
        with self._lock:
            try:
                self._record_clip(original.__name__, params, args, kwargs, result)
            except Exception as error:
                self._note(error)
        return result

    def _record_clip(self, function: str, params: list[torch.Tensor], args: Any, kwargs: Any,
                     result: Any) -> None:
        event = self._event(CLIP, None)
        limit = args[0] if args else kwargs.get("max_norm", kwargs.get("clip_value"))
        norm_type = args[1] if len(args) > 1 else kwargs.get("norm_type", 2.0)
        norm = result.detach() if isinstance(result, torch.Tensor) else None
        self._clip_norm = None
        if norm is not None and _to_float(norm_type) == 2.0 and not self._grads_scaled:
            self._clip_norm = (norm, frozenset(id(p) for p in params))
        if len(self.trace.clips) < CLIPS_KEPT:
            self.trace.clips.append(
                ClipRecord(
                    event=event,
                    function=function,
                    limit=_to_float(limit),
                    total_norm=norm,
                    scaled=self._grads_scaled,
                    scale=self._scale if self._grads_scaled else None,
                )
            )

    def _loader_iter(self, original: Callable[..., Any], loader: Any, *args: Any, **kwargs: Any) -> Any:
        self._refuse(LOADER_ITER)
        with self._lock:
            try:
                known = self._loaders.get(id(loader))
                if known is None:
                    known = (LoaderInfo(len(self._loaders), _length(loader)), loader)
                    self._loaders[id(loader)] = known
                    self.trace.loaders.append(known[0])
                self._event(LOADER_ITER, known[0].index)
            except Exception as error:
                self._note(error)
        return original(loader, *args, **kwargs)


def _cuda_device_of(optimizer: torch.optim.Optimizer) -> torch.device | None:
    """The CUDA device of the first parameter of a param group that is on one (read from the
    parameters, not the gradients: a step after zero_grad(set_to_none=True) has none). Only the
    first parameter of each group is looked at: this runs at every step of a CPU run."""
    for group in optimizer.param_groups:
        params = group["params"]
        first = params[0] if params else None
        if isinstance(first, torch.Tensor) and first.device.type == "cuda":
            return first.device
    return None


def _mark_used(record: ForwardRecord, grad_outputs: Any) -> None:
    record.used_in_backward = True


def _graph_outputs(output: Any) -> list[torch.Tensor]:
    """Up to four graph-attached tensors of a module's output (tensor, tuple, dict, ModelOutput)."""
    found: list[torch.Tensor] = []
    pending: list[tuple[Any, int]] = [(output, 0)]
    while pending and len(found) < 4:
        value, depth = pending.pop(0)
        if isinstance(value, torch.Tensor):
            if value.grad_fn is not None:
                found.append(value)
        elif depth < 2 and isinstance(value, (list, tuple)):
            pending.extend((item, depth + 1) for item in value)
        elif depth < 2 and isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
    return found


def _total_norm(tensors: list[torch.Tensor], norm_type: float) -> torch.Tensor:
    with torch.no_grad():
        get_total_norm = getattr(torch.nn.utils, "get_total_norm", None)
        if get_total_norm is not None:
            return get_total_norm(tensors, norm_type)
        norms = [torch.linalg.vector_norm(t.detach(), norm_type) for t in tensors]
        return torch.linalg.vector_norm(torch.stack([n.to(norms[0].device) for n in norms]), norm_type)


def _to_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        return float(value.detach().float().cpu().item())
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _length(loader: Any) -> int | None:
    try:
        return len(loader)
    except Exception:  # iterable-style datasets have no length
        return None


def _layer_label(name: str, layer: nn.Module) -> str:
    kind = type(layer).__name__
    if isinstance(layer, nn.modules.dropout._DropoutNd):
        kind = f"{kind}(p={layer.p:g})"
    return f"{kind} '{name}'" if name != type(layer).__name__ else kind


def _horizon(scheduler: Any) -> tuple[int | None, str]:
    """The length of a schedule in scheduler steps, for the classes that state it."""
    attributes = vars(scheduler)
    for name in ("T_max", "total_steps", "T_0", "step_size", "total_iters"):
        value = attributes.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value, name
    milestones = attributes.get("milestones")
    if milestones:
        return min(milestones), "milestones"
    for function in attributes.get("lr_lambdas", ()) or ():
        keywords = getattr(function, "keywords", None) or {}
        if isinstance(keywords.get("num_training_steps"), int):
            return keywords["num_training_steps"], "num_training_steps"
    return None, ""


def _classes_defining(base: type, name: str) -> list[type]:
    """`base` and every loaded subclass that defines `name` itself (subclasses overriding it)."""
    found: list[type] = []
    pending = [base]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if name in cls.__dict__ and callable(cls.__dict__[name]):
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _library_roots() -> tuple[str, ...]:
    roots = {os.path.dirname(os.path.realpath(torch.__file__))}
    roots.add(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))  # loopcheck itself
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    return tuple(root.rstrip(os.sep) + os.sep for root in roots)


def _loss_root(args: tuple[Any, ...], scaled: bool) -> str:
    """The name of the op that produced the tensor backward() was called on (reading grad_fn only)."""
    tensor = args[0] if args else None
    if isinstance(tensor, (list, tuple)) and tensor:
        tensor = tensor[0]
    node = getattr(tensor, "grad_fn", None)
    if scaled and node is not None and type(node).__name__ == "MulBackward0" and node.next_functions:
        node = node.next_functions[0][0]  # GradScaler.scale multiplied the loss: look beneath it
    return type(node).__name__ if node is not None else "None"


def _save_record(event: int, saved: dict[Any, Any]) -> SaveRecord:
    """Classify what a saved checkpoint dict holds by the shape of its values."""
    values = list(saved.values())

    def is_optimizer_state(value: Any) -> bool:
        return isinstance(value, dict) and "param_groups" in value and "state" in value

    def is_scheduler_state(value: Any) -> bool:
        return isinstance(value, dict) and "last_epoch" in value and "base_lrs" in value

    def is_model_state(value: Any) -> bool:
        if isinstance(value, nn.Module):
            return True
        return isinstance(value, dict) and bool(value) and all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in value.items()
        )

    return SaveRecord(
        event=event,
        keys=tuple(str(k) for k in saved),
        model_state=any(is_model_state(v) for v in values),
        optimizer_state=any(is_optimizer_state(v) for v in values),
        scheduler_state=any(is_scheduler_state(v) for v in values),
    )
