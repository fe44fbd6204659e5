"""The step budget under real conditions: several optimizers, a stop swallowed by a bare
`except:`, generators, warnings raised through patched calls, the decorator's arguments."""
from __future__ import annotations

import asyncio
import os
import warnings

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.optim import lr_scheduler  # noqa: E402

from loopcheck.runtime import verify_loop  # noqa: E402
from loopcheck.runtime.instrument import Instrumentation, run_instrumented  # noqa: E402
from loopcheck.runtime.report import render_text  # noqa: E402
from loopcheck.runtime.verdicts import judge  # noqa: E402
from tests.test_runtime import batches, finding, loss_of, mlp, patched_state  # noqa: E402

HERE = os.path.realpath(__file__)


def watch(**options: object):
    return verify_loop(fail_on="never", static=False, **options)  # type: ignore[arg-type]


# -- item 3: the budget counts optimizer steps of all optimizers together -------------------

def test_two_optimizers_share_one_budget_and_the_report_states_the_real_count() -> None:
    done: list[str] = []

    def two_models() -> None:
        first, second = mlp(seed=1), mlp(seed=2)
        optimizers = [torch.optim.SGD(m.parameters(), lr=0.01) for m in (first, second)]
        for x, y in batches(20):
            for model, optimizer, name in ((first, optimizers[0], "a"), (second, optimizers[1], "b")):
                optimizer.zero_grad()
                loss_of(model, x, y).backward()
                done.append(name)
                optimizer.step()

    wrapped = watch(steps=5)(two_models)
    wrapped()
    assert done == ["a", "b", "a", "b", "a"]  # 5 steps ran, not 9
    report = wrapped.last_report
    assert report.steps == 5 and report.stopped_early
    assert "5 optimizer steps on cpu (stopped after the step limit of 5)" in render_text(report)


# -- item 4: a bare except: cannot swallow the stop -----------------------------------------

def swallowing(batches_seen: list[int]) -> str:
    model = mlp(seed=3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    swallowing.model = model  # type: ignore[attr-defined]
    for index, (x, y) in enumerate(batches(30)):
        try:
            optimizer.zero_grad()
            loss_of(model, x, y).backward()
            optimizer.step()
        except:  # noqa: E722 - the pattern under test
            pass
        batches_seen.append(index)
    return "finished"


def test_a_bare_except_keeps_the_stop_and_the_report_tells_the_truth() -> None:
    seen: list[int] = []
    wrapped = watch(steps=3)(swallowing)
    assert wrapped(seen) == "finished"  # it did return: the report must not claim otherwise
    trained = swallowing.model.state_dict()  # type: ignore[attr-defined]
    # the parameters are those of exactly 3 steps: nothing after the limit trained
    reference = mlp(seed=3)
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    for x, y in batches(30)[:3]:
        optimizer.zero_grad()
        loss_of(reference, x, y).backward()
        optimizer.step()
    for name, value in reference.state_dict().items():
        assert torch.equal(value, trained[name]), name
    report = wrapped.last_report
    assert len(seen) == 30
    assert report.steps == 3 and report.stopped_early and report.ended == "returned_after_stop"
    assert report.refused_calls == 27  # each later batch's first call (zero_grad) was refused
    text = render_text(report)
    assert "the training code then returned normally: it caught the stop" in text
    assert "caught the stop (a bare `except:` or `except BaseException`) and went on: 27 further call(s) were refused (zero_grad ×27)" in text
    data = report.to_dict()["run"]
    assert data["calls_after_stop"] == {"zero_grad": 27} and data["ended"] == "returned_after_stop"


# -- item 5: generators are watched while consumed; async functions are refused --------------

def test_a_generator_function_is_watched_while_it_is_consumed() -> None:
    before = patched_state()

    @watch(steps=4)
    def epochs():
        model = mlp(seed=4)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for x, y in batches(50):
            loss = loss_of(model, x, y)
            loss.backward()  # no zero_grad
            optimizer.step()
            yield loss.item()

    losses = list(epochs())
    assert len(losses) == 3  # the 4th step hit the limit before yielding: the iteration ended
    report = epochs.last_report
    assert report.steps == 4 and report.stopped_early
    assert [v.code for v in report.confirmed] == ["LC001"]
    assert patched_state() == before


def test_a_generator_closed_early_reports_what_ran_and_restores_everything() -> None:
    before = patched_state()

    @watch(steps=40)
    def epochs():
        model = mlp(seed=5)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for x, y in batches(50):
            optimizer.zero_grad()
            loss = loss_of(model, x, y)
            loss.backward()
            optimizer.step()
            yield loss.item()

    consumer = epochs()
    for index, _ in enumerate(consumer):
        assert patched_state() != before or index == 0  # installed while the generator lives
        if index == 2:
            break
    consumer.close()
    assert patched_state() == before
    report = epochs.last_report
    assert report.steps == 3 and not report.stopped_early
    assert any("closed by its consumer" in note for note in report.notes)


def test_a_generators_own_exception_propagates_after_the_report() -> None:
    @watch(steps=40)
    def failing():
        model = mlp(seed=6)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for x, y in batches(2):
            loss_of(model, x, y).backward()
            optimizer.step()
            yield 1
        raise KeyError("no more data")

    with pytest.raises(KeyError, match="no more data"):
        list(failing())
    assert failing.last_report.steps == 2 and failing.last_report.error == "KeyError: 'no more data'"


def test_async_functions_are_refused_at_decoration_time() -> None:
    async def train() -> None:
        await asyncio.sleep(0)

    async def stream():
        yield 1

    with pytest.raises(TypeError, match="cannot watch .*train: it is an async function"):
        verify_loop(train)
    with pytest.raises(TypeError, match="async function"):
        verify_loop(steps=3)(stream)


# -- item 10: warnings raised inside patched functions name the user's line -------------------

def test_a_torch_warning_through_a_patched_call_names_the_users_line() -> None:
    def scheduler_first() -> None:
        model = mlp(seed=7)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = lr_scheduler.StepLR(optimizer, step_size=2)
        for x, y in batches(3):
            scheduler.step()  # at: warned-here
            optimizer.zero_grad()
            loss_of(model, x, y).backward()
            optimizer.step()
        nn.utils.clip_grad_norm_((p for p in []), 1.0)  # at: empty-generator

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome = run_instrumented(scheduler_first, 50)
    assert outcome.error is None
    scheduler_warnings = [w for w in caught if "lr_scheduler.step()" in str(w.message)]
    assert scheduler_warnings
    assert (scheduler_warnings[0].filename, scheduler_warnings[0].lineno) == (HERE, line_of_here("warned-here"))
    empty = [w for w in caught if "empty generator" in str(w.message)]
    assert empty and (empty[0].filename, empty[0].lineno) == (HERE, line_of_here("empty-generator"))
    assert not any("loopcheck" in w.filename for w in caught)


def line_of_here(marker: str) -> int:
    with open(HERE, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.rstrip().endswith(f"# at: {marker}"):
                return number
    raise AssertionError(marker)


def test_warnings_outside_a_run_are_untouched() -> None:
    original = warnings.warn
    with Instrumentation(3):
        assert warnings.warn is not original
    assert warnings.warn is original


# -- item 11: inconclusive, with what was missing ---------------------------------------------

def cosine_over_a_list() -> None:
    model = mlp(seed=8)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=3)
    for x, y in batches(12):  # a list, not a DataLoader: the epoch length is not known
        optimizer.zero_grad()
        loss_of(model, x, y).backward()
        optimizer.step()
        scheduler.step()  # at: lc005-list


def test_an_unknown_epoch_length_is_inconclusive_not_not_confirmed() -> None:
    item = finding("LC005", "lc005-scheduler")
    item = type(item)(HERE, line_of_here("lc005-list"), 1, line_of_here("lc005-list"), 80, "LC005",
                      "mixed-scheduler-cadence", "error", "LC005 message")
    outcome = run_instrumented(cosine_over_a_list, 50)
    (verdict,) = judge(outcome.trace, [item])
    assert verdict.verdict == "inconclusive"
    assert "the epoch length is unknown" in verdict.evidence
    assert "12 scheduler steps for 12 optimizer steps" not in verdict.evidence
    assert "stepped after each of the 12 optimizer steps" in verdict.evidence
    # each figure of the LR trace once: start, the lowest in between, the end
    trace = verdict.evidence.split("; ")[-1]
    assert trace == "LR 0.1 → 0 at step 4 → 0.075 at step 12"
    figures = [part.split(" at step ")[0].replace("LR ", "") for part in trace.split(" → ")]
    assert len(figures) == len(set(figures)), trace


def test_inconclusive_is_its_own_verdict_in_the_report() -> None:
    from loopcheck.runtime.report import build_report

    item = type(finding("LC005", "lc005-scheduler"))(
        HERE, line_of_here("lc005-list"), 1, line_of_here("lc005-list"), 80, "LC005",
        "mixed-scheduler-cadence", "error", "LC005 message")
    outcome = run_instrumented(cosine_over_a_list, 50)
    report = build_report("t", outcome.trace, judge(outcome.trace, [item]), None)
    text = render_text(report)
    assert "LC005 mixed-scheduler-cadence: INCONCLUSIVE" in text
    assert "summary: 1 inconclusive" in text
    assert report.to_dict()["summary"]["inconclusive"] == 1
    assert report.to_dict()["findings"][0]["verdict"]["status"] == "inconclusive"


# -- item 13: steps must be a real positive integer -------------------------------------------

@pytest.mark.parametrize("steps", [True, False, 0, -1, 2.0, "5"])
def test_steps_that_are_not_a_positive_int_are_refused(steps: object) -> None:
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        verify_loop(steps=steps)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        Instrumentation(steps)  # type: ignore[arg-type]


def test_verify_script_refuses_a_bool_step_count(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from loopcheck.runtime.script import verify_script

    script = tmp_path / "train.py"
    script.write_text("print('hi')\n")
    assert verify_script(str(script), [], steps=True) == 2  # type: ignore[arg-type]
    assert "--steps must be a positive integer, got True" in capsys.readouterr().err


def test_ctrl_c_in_a_verified_function_reports_then_reraises(capsys: pytest.CaptureFixture[str]) -> None:
    before = patched_state()

    @watch(steps=50)
    def train() -> None:
        model = mlp(seed=9)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for index, (x, y) in enumerate(batches(8)):
            optimizer.zero_grad()
            loss_of(model, x, y).backward()
            optimizer.step()
            if index == 2:
                raise KeyboardInterrupt  # what Ctrl-C raises in the main thread

    with pytest.raises(KeyboardInterrupt):
        train()
    assert patched_state() == before
    assert train.last_report.ended == "interrupted" and train.last_report.steps == 3
    assert "3 optimizer steps on cpu (interrupted by Ctrl-C: a partial report)" in capsys.readouterr().err
