"""The runtime companion with threads: concurrent verified runs restore every patch exactly, and
training in a thread the verified function starts is seen and stopped."""
from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from loopcheck.runtime import verify_loop  # noqa: E402
from loopcheck.runtime.instrument import Instrumentation, run_instrumented  # noqa: E402
from tests.test_runtime import patched_state  # noqa: E402

TIMEOUT = 30


def watch(**options: object):
    return verify_loop(fail_on="never", static=False, **options)  # type: ignore[arg-type]


def make(seed: int) -> tuple[nn.Module, torch.optim.Optimizer]:
    generator = torch.Generator().manual_seed(seed)
    model = nn.Linear(4, 1)
    with torch.no_grad():
        model.weight.copy_(torch.randn(1, 4, generator=generator))
    return model, torch.optim.SGD(model.parameters(), lr=0.05)


def train_steps(model: nn.Module, optimizer: torch.optim.Optimizer, count: int, zero: bool = True) -> None:
    generator = torch.Generator().manual_seed(count)
    for _ in range(count):
        if zero:
            optimizer.zero_grad()
        model(torch.randn(8, 4, generator=generator)).pow(2).mean().backward()
        optimizer.step()


def identical(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """Names of the patched attributes that are not the very same object as before."""
    return [name for name in before if name != "hooks" and after[name] is not before[name]] + (
        ["hooks"] if after["hooks"] != before["hooks"] else []
    )


class Pausing:
    """A verified function that trains, pauses until released, trains again: lets a test force
    the order in which two runs in two threads start and end."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.started = threading.Event()
        self.release = threading.Event()
        self.done = threading.Event()
        self.during: dict[str, object] | None = None
        self.error: BaseException | None = None
        self.wrapped = watch(steps=50)(self.train)

    def train(self) -> str:
        model, optimizer = make(self.seed)
        train_steps(model, optimizer, 2)
        self.during = patched_state()
        self.started.set()
        assert self.release.wait(TIMEOUT)
        train_steps(model, optimizer, 3)
        return f"run {self.seed}"

    def thread(self) -> threading.Thread:
        def target() -> None:
            try:
                self.wrapped()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                self.error = error
            finally:
                self.done.set()

        thread = threading.Thread(target=target, name=f"run-{self.seed}")
        thread.start()
        return thread


# (which run starts second, which one ends first)
ORDERS = {
    "a ends before b starts": ("sequential", "a"),
    "b ends inside a": ("nested", "b"),
    "a ends inside b": ("nested", "a"),
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_two_threads_restore_every_patch_to_the_identical_object_in_each_interleaving(order: str) -> None:
    before = patched_state()
    a, b = Pausing(1), Pausing(2)
    kind, first_to_end = ORDERS[order]
    threads = [a.thread()]
    assert a.started.wait(TIMEOUT)
    if kind == "sequential":
        a.release.set()
        assert a.done.wait(TIMEOUT)
        assert identical(before, patched_state()) == []
        threads.append(b.thread())
        assert b.started.wait(TIMEOUT)
        b.release.set()
    else:
        threads.append(b.thread())
        assert b.started.wait(TIMEOUT)  # both runs are in progress now
        first, second = (a, b) if first_to_end == "a" else (b, a)
        first.release.set()
        assert first.done.wait(TIMEOUT)
        # the other run is still going: its patches must still be in place
        assert identical(before, patched_state()) != []
        second.release.set()
    for thread in threads:
        thread.join(TIMEOUT)
    assert a.error is None and b.error is None
    assert identical(before, patched_state()) == []
    assert a.during is not None and identical(before, a.during) != []  # it was watched
    # each run saw its own 5 steps and its own optimizer only
    for run in (a, b):
        report = run.wrapped.last_report
        assert report.steps == 5 and len(report.optimizers) == 1, (order, report)


def test_a_second_run_on_the_same_thread_is_refused_clearly() -> None:
    before = patched_state()
    with Instrumentation(5):
        with pytest.raises(RuntimeError, match="already inside a watched run"):
            Instrumentation(5).start()
    assert identical(before, patched_state()) == []


def test_an_exception_in_one_thread_leaves_the_other_runs_patches_and_restores_all() -> None:
    before = patched_state()
    a = Pausing(3)
    thread = a.thread()
    assert a.started.wait(TIMEOUT)

    def failing() -> None:
        model, optimizer = make(4)
        train_steps(model, optimizer, 2)
        raise ZeroDivisionError("boom")

    outcome = run_instrumented(failing, 10)
    assert isinstance(outcome.error, ZeroDivisionError)
    assert identical(before, patched_state()) != []  # a is still running
    a.release.set()
    thread.join(TIMEOUT)
    assert identical(before, patched_state()) == []


def test_training_in_a_thread_the_function_starts_is_seen_and_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    steps_done: list[int] = []

    def body() -> None:
        model, optimizer = make(5)
        generator = torch.Generator().manual_seed(0)
        for index in range(300):
            model(torch.randn(8, 4, generator=generator)).pow(2).mean().backward()  # no zero_grad
            steps_done.append(index)
            optimizer.step()

    @watch(steps=10)
    def train() -> str:
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(TIMEOUT)
        return "joined"

    assert train() == "joined"
    report = train.last_report
    assert len(steps_done) == 10  # the stop ended the thread's loop
    assert report.steps == 10 and report.stopped_early
    assert report.ended == "returned_after_stop"
    assert [v.code for v in report.confirmed] == ["LC001"]
    err = capsys.readouterr().err
    assert "Exception in thread" not in err and "StopTraining" not in err
    assert "10 optimizer steps on cpu (stopped at the step limit of 10; the training code then returned normally" in err


def test_a_thread_still_running_when_the_function_returns_is_noted() -> None:
    release = threading.Event()

    @watch(steps=50)
    def train() -> None:
        model, optimizer = make(6)
        train_steps(model, optimizer, 2)
        threading.Thread(target=release.wait, args=(TIMEOUT,), name="left-behind").start()

    train()
    release.set()
    assert any("left-behind" in note and "not watched" in note for note in train.last_report.notes)


def run_in_thread(function: Callable[[], object]) -> object:
    box: list[object] = []
    thread = threading.Thread(target=lambda: box.append(function()))
    thread.start()
    thread.join(TIMEOUT)
    return box[0]


def test_a_thread_that_belongs_to_no_run_is_not_watched() -> None:
    @watch(steps=3)
    def train() -> None:
        # a thread started before the run (here: by the test) is someone else's training
        model, optimizer = make(7)
        train_steps(model, optimizer, 2)

    outside_started = threading.Event()
    finish_outside = threading.Event()
    outside_steps: list[int] = []

    def outside() -> None:
        model, optimizer = make(8)
        outside_started.set()
        while not finish_outside.is_set():
            train_steps(model, optimizer, 1)
            outside_steps.append(1)

    thread = threading.Thread(target=outside)
    thread.start()
    assert outside_started.wait(TIMEOUT)
    train()
    finish_outside.set()
    thread.join(TIMEOUT)
    assert train.last_report.steps == 2 and not train.last_report.stopped_early
    assert len(train.last_report.optimizers) == 1


def test_runs_starting_and_ending_at_the_same_moment_in_four_threads_restore_everything() -> None:
    before = patched_state()
    for round_ in range(3):
        start, end = threading.Barrier(4), threading.Barrier(4)
        reports: dict[int, object] = {}
        errors: list[BaseException] = []

        def worker(seed: int) -> None:
            @watch(steps=20)
            def train() -> None:
                model, optimizer = make(seed)
                train_steps(model, optimizer, 2 + seed)
                end.wait(TIMEOUT)  # every run is in progress here at once

            try:
                start.wait(TIMEOUT)  # all four enter (and install) together
                train()
                reports[seed] = train.last_report
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
        assert errors == [], (round_, errors)
        assert {seed: report.steps for seed, report in reports.items()} == {0: 2, 1: 3, 2: 4, 3: 5}
        assert identical(before, patched_state()) == [], round_
