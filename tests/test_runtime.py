"""Runtime companion: verdicts on tiny real training loops, and proof that watching changes nothing."""
from __future__ import annotations

import inspect
import json
import os
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn.modules import module as module_module  # noqa: E402
from torch.optim import lr_scheduler  # noqa: E402
from torch.optim import optimizer as optimizer_module  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from loopcheck.finding import Finding, Related  # noqa: E402
from loopcheck.runtime import LoopcheckConfirmed, RuntimeReport, verify_loop  # noqa: E402
from loopcheck.runtime.instrument import GradScaler, run_instrumented  # noqa: E402
from loopcheck.runtime.report import render_text, sparkline  # noqa: E402
from loopcheck.runtime.verdicts import judge  # noqa: E402

HERE = os.path.realpath(__file__)


def watch(**options: object):
    """verify_loop for tests: never raises on confirmations, never runs the static engine."""
    return verify_loop(fail_on="never", static=False, **options)  # type: ignore[arg-type]


def confirmed_codes(report: RuntimeReport) -> set[str]:
    return {v.code for v in report.confirmed}


def line_of(marker: str) -> int:
    """Line number of the line in this file that carries `# at: <marker>`."""
    with open(HERE, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.rstrip().endswith(f"# at: {marker}"):
                return number
    raise AssertionError(f"no line marked {marker}")


def finding(code: str, marker: str, related: tuple[str, ...] = ()) -> Finding:
    line = line_of(marker)
    return Finding(
        HERE, line, 1, line, 80, code, "rule", "error", f"{code} message",
        tuple(Related(line_of(r), 1, "related") for r in related),
    )


def mlp(seed: int = 0, dropout: bool = True, batchnorm: bool = True) -> nn.Module:
    torch.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(6, 16)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(16))
    layers.append(nn.ReLU())
    if dropout:
        layers.append(nn.Dropout(0.3))
    layers.append(nn.Linear(16, 1))
    return nn.Sequential(*layers)


def batches(count: int = 8, seed: int = 1) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    return [(torch.randn(8, 6, generator=generator), torch.randn(8, 1, generator=generator))
            for _ in range(count)]


def loss_of(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.mse_loss(model(x), y)  # at: model-call


# -- LC001 ---------------------------------------------------------------------------------

def loop_without_zero_grad() -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(3):
        for x, y in batches():
            loss = loss_of(model, x, y)
            loss.backward()  # at: lc001-backward
            optimizer.step()


def test_missing_zero_grad_is_confirmed_with_the_grad_norm_trace() -> None:
    wrapped = watch(steps=12)(loop_without_zero_grad)
    assert wrapped() is None  # stopped by the step limit
    report = wrapped.last_report
    assert report.steps == 12 and report.stopped_early
    (verdict,) = report.verdicts_for("LC001")
    assert verdict.verdict == "confirmed" and not verdict.static
    assert "in 11 of 11 steps" in verdict.evidence
    assert "zero_grad() called 0 times" in verdict.evidence
    assert verdict.line == line_of("lc001-backward")
    norms = report.optimizers[0].grad_norms
    assert len(norms) == 12 and all(n is not None for n in norms)
    assert max(norms[6:]) > 2 * norms[0]  # accumulated gradients grow


def accumulation_loop(accumulate: int = 4) -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for index, (x, y) in enumerate(batches(16)):
        loss = loss_of(model, x, y) / accumulate
        loss.backward()
        if (index + 1) % accumulate == 0:
            optimizer.step()
            optimizer.zero_grad()


def test_gradient_accumulation_is_not_confirmed_as_missing_zero_grad() -> None:
    wrapped = watch()(accumulation_loop)
    wrapped()
    report = wrapped.last_report
    assert report.steps == 4
    assert report.confirmed == ()
    static = judge_finding(accumulation_loop, finding("LC001", "lc001-backward"))
    assert static.verdict == "not reached"  # that line is in another loop


def judge_finding(function, item: Finding):
    outcome = run_instrumented(function, 50)
    assert outcome.error is None
    (verdict, *_) = judge(outcome.trace, [item])
    return verdict


def gan_loop() -> None:
    torch.manual_seed(0)
    generator = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6))
    discriminator = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3)
    criterion = nn.BCEWithLogitsLoss()
    for real, _ in batches(6):
        fake = generator(torch.randn(8, 4))
        discriminator.zero_grad()
        loss_d = criterion(discriminator(real), torch.ones(8, 1))
        loss_d = loss_d + criterion(discriminator(fake.detach()), torch.zeros(8, 1))
        loss_d.backward()
        opt_d.step()
        generator.zero_grad()
        # This backward also adds gradients to the discriminator, reset at the next iteration.
        loss_g = criterion(discriminator(fake), torch.ones(8, 1))
        loss_g.backward()
        opt_g.step()


def test_gan_gradients_flowing_into_the_other_network_are_not_missing_zero_grad() -> None:
    wrapped = watch()(gan_loop)
    wrapped()
    report = wrapped.last_report
    assert report.steps == 12
    assert report.confirmed == ()


# -- LC002 / LC003 -------------------------------------------------------------------------

def zero_grad_between_backward_and_step() -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, y in batches():
        loss = loss_of(model, x, y)
        loss.backward()
        optimizer.zero_grad()  # at: lc002-reset
        optimizer.step()


def test_zero_grad_between_backward_and_step_is_confirmed() -> None:
    wrapped = watch()(zero_grad_between_backward_and_step)
    wrapped()
    (verdict,) = wrapped.last_report.verdicts_for("LC002")
    assert verdict.verdict == "confirmed"
    assert "in 8 of 8 steps" in verdict.evidence and "no parameter had a .grad" in verdict.evidence
    assert verdict.line == line_of("lc002-reset")
    assert wrapped.last_report.optimizers[0].grad_norms == (None,) * 8


def step_before_backward() -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, y in batches():
        optimizer.zero_grad()
        loss = loss_of(model, x, y)
        optimizer.step()  # at: lc003-step
        loss.backward()


def test_step_before_backward_is_confirmed_and_not_reported_again_as_lc002() -> None:
    wrapped = watch()(step_before_backward)
    wrapped()
    report = wrapped.last_report
    assert confirmed_codes(report) == {"LC003"}
    (verdict,) = report.verdicts_for("LC003")
    assert verdict.line == line_of("lc003-step")
    assert "ran before any backward()" in verdict.evidence and "7 more times" in verdict.evidence


def lbfgs_loop() -> None:
    model = mlp(dropout=False, batchnorm=False)
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.1, max_iter=3)
    for x, y in batches(5):
        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = loss_of(model, x, y)
            loss.backward()
            return loss

        optimizer.step(closure)


def test_lbfgs_closure_is_not_step_before_backward() -> None:
    wrapped = watch()(lbfgs_loop)
    wrapped()
    assert wrapped.last_report.steps == 5
    assert wrapped.last_report.confirmed == ()


# -- LC004 / LC005 -------------------------------------------------------------------------

def scheduler_first(order_right: bool) -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for x, y in batches():
        optimizer.zero_grad()
        loss_of(model, x, y).backward()
        if not order_right:
            scheduler.step()  # at: lc004-scheduler
        optimizer.step()
        if order_right:
            scheduler.step()


def test_scheduler_stepped_before_the_optimizer_is_confirmed_with_the_lr_it_skipped() -> None:
    wrapped = watch()(lambda: scheduler_first(order_right=False))
    with pytest.warns(UserWarning, match="lr_scheduler.step"):  # torch's own warning still fires
        wrapped()
    (verdict,) = wrapped.last_report.verdicts_for("LC004")
    assert verdict.verdict == "confirmed"
    assert verdict.line == line_of("lc004-scheduler")
    assert "lr=0.1 while the schedule starts at 0.1" in verdict.evidence
    assert wrapped.last_report.optimizers[0].learning_rates[:4] == (0.1, 0.05, 0.05, 0.025)


def test_scheduler_after_the_optimizer_is_not_confirmed() -> None:
    wrapped = watch()(lambda: scheduler_first(order_right=True))
    wrapped()
    assert wrapped.last_report.confirmed == ()
    assert wrapped.last_report.optimizers[0].learning_rates[:4] == (0.1, 0.1, 0.05, 0.05)


def cosine_per_batch(t_max: int) -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=t_max)
    generator = torch.Generator().manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(64, 6), torch.randn(64, 1)), batch_size=8,
                        shuffle=True, generator=generator)
    for _ in range(3):
        for x, y in loader:
            optimizer.zero_grad()
            loss_of(model, x, y).backward()
            optimizer.step()
            scheduler.step()  # at: lc005-scheduler


def test_epoch_sized_schedule_stepped_per_batch_is_confirmed_against_the_epoch_length() -> None:
    verdict = judge_finding(lambda: cosine_per_batch(t_max=3), finding("LC005", "lc005-scheduler"))
    assert verdict.verdict == "confirmed"
    assert "CosineAnnealingLR(T_max=3)" in verdict.evidence
    assert "an epoch here is 8 optimizer steps" in verdict.evidence


def test_iteration_sized_schedule_stepped_per_batch_is_not_confirmed() -> None:
    verdict = judge_finding(lambda: cosine_per_batch(t_max=24), finding("LC005", "lc005-scheduler"))
    assert verdict.verdict == "not confirmed"
    assert "stepped after each of the 24 optimizer steps" in verdict.evidence


# -- LC006 / LC007 / LC008 -----------------------------------------------------------------

def train_and_evaluate(eval_mode: bool, no_grad: bool, restore: bool = True) -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    data = batches(4)
    for _ in range(3):
        for x, y in data:
            optimizer.zero_grad()
            loss_of(model, x, y).backward()
            optimizer.step()
        evaluate(model, data, eval_mode, no_grad)  # at: lc008-caller
        if restore:
            model.train()


def evaluate(model: nn.Module, data: list, eval_mode: bool, no_grad: bool) -> float:
    if eval_mode:
        model.eval()
    total = 0.0
    with torch.set_grad_enabled(not no_grad):
        for x, y in data:
            total += loss_of(model, x, y).item()  # at: lc006-forward
    return total


def test_evaluation_in_training_mode_with_grad_is_confirmed_for_both_rules() -> None:
    wrapped = watch()(lambda: train_and_evaluate(eval_mode=False, no_grad=False))
    wrapped()
    report = wrapped.last_report
    assert confirmed_codes(report) == {"LC006", "LC007"}
    (mode,) = report.verdicts_for("LC006")
    assert "12 of 12 evaluation forwards of Sequential" in mode.evidence
    assert "3 passes" in mode.evidence
    assert "Dropout(p=0.3)" in mode.evidence and "BatchNorm1d" in mode.evidence
    assert mode.line == line_of("model-call")  # the innermost user line of the forward
    (grad,) = report.verdicts_for("LC007")
    assert "ran with grad enabled" in grad.evidence and "saved tensors" in grad.evidence


def test_evaluation_in_eval_mode_under_no_grad_is_not_confirmed() -> None:
    item = finding("LC006", "lc006-forward", related=("lc008-caller",))
    verdict = judge_finding(lambda: train_and_evaluate(eval_mode=True, no_grad=True), item)
    assert verdict.verdict == "not confirmed"
    assert "ran with model.training=False" in verdict.evidence
    grad = judge_finding(lambda: train_and_evaluate(eval_mode=True, no_grad=True),
                         finding("LC007", "lc006-forward"))
    assert grad.verdict == "not confirmed"


def test_evaluation_never_reached_within_the_step_budget_is_not_reached() -> None:
    outcome = run_instrumented(lambda: train_and_evaluate(eval_mode=False, no_grad=False), 3)
    (verdict,) = judge(outcome.trace, [finding("LC006", "lc006-forward")])
    assert outcome.trace.stopped
    assert verdict.verdict == "not reached"


def test_train_mode_not_restored_after_evaluation_is_confirmed() -> None:
    wrapped = watch()(lambda: train_and_evaluate(eval_mode=True, no_grad=True, restore=False))
    wrapped()
    (verdict,) = wrapped.last_report.verdicts_for("LC008")
    assert verdict.verdict == "confirmed"
    assert "8 of 8 training forwards of Sequential ran in eval mode" in verdict.evidence
    static = judge_finding(lambda: train_and_evaluate(eval_mode=True, no_grad=True, restore=False),
                           finding("LC008", "lc008-caller"))
    assert static.verdict == "confirmed"
    restored = judge_finding(lambda: train_and_evaluate(eval_mode=True, no_grad=True),
                             finding("LC008", "lc008-caller"))
    assert restored.verdict == "not confirmed"


# -- LC009 ---------------------------------------------------------------------------------

def summed_losses(detach: bool) -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    total = 0
    for x, y in batches(12):
        optimizer.zero_grad()
        loss = loss_of(model, x, y)
        loss.backward()
        optimizer.step()
        total += loss.item() if detach else loss  # at: lc009-total


def test_summed_loss_tensor_keeps_a_growing_graph() -> None:
    wrapped = watch()(lambda: summed_losses(detach=False))
    wrapped()
    report = wrapped.last_report
    (verdict,) = report.verdicts_for("LC009")
    assert verdict.verdict == "confirmed"
    assert "`total` in summed_losses()" in verdict.evidence
    assert "saved tensors held: 0 B → 0 B" in verdict.evidence  # nodes grow, bytes do not
    nodes = report.retained_nodes
    assert report.retained_steps[:5] == (1, 2, 3, 4, 5)
    assert list(nodes) == sorted(nodes) and nodes[-1] > 5 * nodes[0]


def test_summed_loss_items_keep_nothing() -> None:
    verdict = judge_finding(lambda: summed_losses(detach=True), finding("LC009", "lc009-total"))
    assert verdict.verdict == "not confirmed"
    assert "`total` held no autograd graph" in verdict.evidence


def evaluation_keeping_outputs() -> list[torch.Tensor]:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    data = batches(4)
    for x, y in data:
        optimizer.zero_grad()
        loss_of(model, x, y).backward()
        optimizer.step()
    model.eval()
    outputs = []
    for x, _ in data:
        outputs.append(model(x))  # at: lc009-outputs
    return outputs


def test_evaluation_outputs_kept_with_grad_grow_saved_tensor_bytes() -> None:
    verdict = judge_finding(evaluation_keeping_outputs, finding("LC009", "lc009-outputs"))
    assert verdict.verdict == "confirmed"
    assert "over 3 evaluation batches" in verdict.evidence
    before, after = verdict.evidence.split("saved tensors held: ")[1].split(" → ")
    assert before != after and not before.startswith("0 ")


# -- LC011 ---------------------------------------------------------------------------------

def amp_loop(unscale_first: bool) -> None:
    model = mlp(dropout=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    scaler = GradScaler("cpu")
    for x, y in batches():
        optimizer.zero_grad()
        scaler.scale(loss_of(model, x, y)).backward()
        if unscale_first:
            scaler.unscale_(optimizer)
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)  # at: lc011-clip
        scaler.step(optimizer)
        scaler.update()


def test_clipping_scaled_gradients_is_confirmed_with_the_scale() -> None:
    wrapped = watch()(lambda: amp_loop(unscale_first=False))
    wrapped()
    (verdict,) = wrapped.last_report.verdicts_for("LC011")
    assert verdict.verdict == "confirmed"
    assert "GradScaler scale 6.55e+04" in verdict.evidence
    assert verdict.line == line_of("lc011-clip")


def test_clipping_after_unscale_is_not_confirmed() -> None:
    wrapped = watch()(lambda: amp_loop(unscale_first=True))
    wrapped()
    assert wrapped.last_report.confirmed == ()
    verdict = judge_finding(lambda: amp_loop(unscale_first=True), finding("LC011", "lc011-clip"))
    assert verdict.verdict == "not confirmed"


# -- rules without runtime evidence ----------------------------------------------------------

# -- LC010 ---------------------------------------------------------------------------------

def accumulation(divide: bool, accum: int = 4, scaler_enabled: bool = False) -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    scaler = torch.amp.GradScaler("cpu", enabled=scaler_enabled)
    for i, (x, y) in enumerate(batches(8)):
        loss = loss_of(model, x, y)
        if divide:
            loss = loss / accum
        scaler.scale(loss).backward()  # at: lc010-backward
        if (i + 1) % accum == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()


def test_accumulating_an_undivided_loss_is_confirmed_with_the_count() -> None:
    verdict = judge_finding(lambda: accumulation(divide=False), finding("LC010", "lc010-backward"))
    assert verdict.verdict == "confirmed"
    assert "4 backward() calls added up into one optimizer step" in verdict.evidence
    assert "MseLossBackward0" in verdict.evidence


def test_accumulating_a_divided_loss_is_not_confirmed_also_under_a_grad_scaler() -> None:
    for scaled in (False, True):
        verdict = judge_finding(
            lambda: accumulation(divide=True, scaler_enabled=scaled), finding("LC010", "lc010-backward")
        )
        assert verdict.verdict == "not confirmed", (scaled, verdict.evidence)


def test_an_undivided_loss_under_a_grad_scaler_is_still_confirmed() -> None:
    verdict = judge_finding(
        lambda: accumulation(divide=False, scaler_enabled=True), finding("LC010", "lc010-backward")
    )
    assert verdict.verdict == "confirmed", verdict.evidence


def test_one_backward_per_step_is_no_accumulation() -> None:
    verdict = judge_finding(lambda: accumulation(divide=False, accum=1), finding("LC010", "lc010-backward"))
    assert verdict.verdict == "not confirmed"


def test_rules_without_a_runtime_check_are_never_confirmed() -> None:
    verdict = judge_finding(lambda: summed_losses(detach=True), finding("LC099", "lc009-total"))
    assert verdict.verdict == "not checked"


# -- LC012, LC013 ----------------------------------------------------------------------------

def train_and_checkpoint(with_optimizer: bool, directory: str) -> None:
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for epoch in range(2):
        for x, y in batches(3):
            optimizer.zero_grad()
            loss_of(model, x, y).backward()
            optimizer.step()
        state = {"epoch": epoch, "model": model.state_dict()}
        if with_optimizer:
            state["optimizer"] = optimizer.state_dict()
        torch.save(state, os.path.join(directory, "ckpt.pt"))  # at: lc012-save


def test_a_checkpoint_without_optimizer_state_is_confirmed(tmp_path: Path) -> None:
    verdict = judge_finding(lambda: train_and_checkpoint(False, str(tmp_path)), finding("LC012", "lc012-save"))
    assert verdict.verdict == "confirmed"
    assert "'epoch'" in verdict.evidence and "no optimizer state (SGD was stepping)" in verdict.evidence


def test_a_complete_checkpoint_is_not_confirmed_and_an_unsaved_one_is_not_reached(tmp_path: Path) -> None:
    verdict = judge_finding(lambda: train_and_checkpoint(True, str(tmp_path)), finding("LC012", "lc012-save"))
    assert verdict.verdict == "not confirmed"
    verdict = judge_finding(lambda: summed_losses(detach=True), finding("LC012", "lc012-save"))
    assert verdict.verdict == "not reached"


def fine_tune(freeze_first: bool) -> None:
    model = mlp()
    body = list(model.parameters())[:2]
    if freeze_first:
        for p in body:
            p.requires_grad = False
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        for p in body:
            p.requires_grad = False  # at: lc013-freeze
    for x, y in batches(3):
        optimizer.zero_grad()
        loss_of(model, x, y).backward()
        optimizer.step()


def test_parameters_frozen_after_the_optimizer_was_built_are_confirmed() -> None:
    verdict = judge_finding(lambda: fine_tune(freeze_first=False), finding("LC013", "lc013-freeze"))
    assert verdict.verdict == "confirmed"
    assert "holds 2 of its" in verdict.evidence


def test_freezing_before_building_the_optimizer_is_not_confirmed() -> None:
    verdict = judge_finding(lambda: fine_tune(freeze_first=True), finding("LC013", "lc013-freeze"))
    assert verdict.verdict == "not confirmed"


# -- training is not changed, patches are undone ---------------------------------------------

def train_for(model: nn.Module, optimizer: torch.optim.Optimizer, max_steps: int) -> None:
    scheduler = lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    loader = DataLoader(TensorDataset(torch.randn(48, 6), torch.randn(48, 1)), batch_size=8,
                        shuffle=True)
    steps = 0
    for _ in range(4):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss_of(model, x, y).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            scheduler.step()
            steps += 1
            if steps == max_steps:
                return
        model.eval()
        with torch.no_grad():
            model(torch.randn(8, 6))


def test_parameters_after_n_steps_are_bitwise_equal_with_and_without_instrumentation() -> None:
    results = []
    for verified in (False, True):
        model = mlp(seed=3)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        torch.manual_seed(7)
        if verified:
            watch(steps=10)(train_for)(model, optimizer, max_steps=10**6)
        else:
            train_for(model, optimizer, max_steps=10)
        results.append((model.state_dict(), torch.get_rng_state()))
    (plain, plain_rng), (watched, watched_rng) = results
    assert plain.keys() == watched.keys()
    for name in plain:
        assert torch.equal(plain[name], watched[name]), name
    assert torch.equal(plain_rng, watched_rng)


def patched_state() -> dict[str, object]:
    return {
        "backward": torch.autograd.backward,
        "optimizer.zero_grad": torch.optim.Optimizer.__dict__["zero_grad"],
        "module.zero_grad": nn.Module.__dict__["zero_grad"],
        "module.train": nn.Module.__dict__["train"],
        "scheduler.step": lr_scheduler.LRScheduler.__dict__["step"],
        "plateau.step": lr_scheduler.ReduceLROnPlateau.__dict__["step"],
        "scaler.scale": GradScaler.__dict__["scale"],
        "scaler.unscale_": GradScaler.__dict__["unscale_"],
        "scaler.step": GradScaler.__dict__["step"],
        "clip": nn.utils.clip_grad_norm_,
        "save": torch.save,
        "loader.iter": DataLoader.__dict__["__iter__"],
        "hooks": (
            len(optimizer_module._global_optimizer_pre_hooks),
            len(optimizer_module._global_optimizer_post_hooks),
            len(module_module._global_forward_hooks),
            len(module_module._global_forward_pre_hooks),
        ),
    }


class TrainingFailed(ValueError):
    pass


def test_every_patch_is_undone_and_the_users_exception_propagates_unchanged() -> None:
    before = patched_state()
    raised = TrainingFailed("diverged at step 3")

    def failing() -> None:
        model = mlp()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for index, (x, y) in enumerate(batches()):
            optimizer.zero_grad()
            loss_of(model, x, y).backward()
            optimizer.step()
            if index == 2:
                raise raised

    wrapped = verify_loop(failing)
    with pytest.raises(TrainingFailed) as caught:
        wrapped()
    assert caught.value is raised
    assert patched_state() == before
    assert wrapped.last_report.error == "TrainingFailed: diverged at step 3"
    assert wrapped.last_report.steps == 3


def test_patches_are_undone_after_a_stopped_run() -> None:
    before = patched_state()
    watch(steps=2)(loop_without_zero_grad)()
    assert patched_state() == before


def test_except_exception_in_the_loop_does_not_swallow_the_stop() -> None:
    def stubborn() -> int:
        model = mlp()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for x, y in batches(20):
            try:
                optimizer.zero_grad()
                loss_of(model, x, y).backward()
                optimizer.step()
            except Exception:
                continue
        return 42

    wrapped = watch(steps=5)(stubborn)
    assert wrapped() is None
    assert wrapped.last_report.steps == 5


def test_a_run_shorter_than_the_budget_returns_the_functions_value() -> None:
    def short() -> str:
        accumulation_loop()
        return "done"

    wrapped = watch(steps=50)(short)
    assert wrapped() == "done"
    assert not wrapped.last_report.stopped_early


# -- decorator surface -----------------------------------------------------------------------

def test_fail_on_confirmed_raises_after_printing_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    wrapped = verify_loop(steps=6, static=False)(loop_without_zero_grad)
    with pytest.raises(LoopcheckConfirmed) as caught:
        wrapped()
    assert isinstance(caught.value, AssertionError)
    assert "LC001 missing-zero-grad" in str(caught.value)
    assert caught.value.report is wrapped.last_report
    err = capsys.readouterr().err
    assert "LC001 missing-zero-grad: CONFIRMED" in err and "grad norm" in err


def test_bare_decorator_uses_the_defaults() -> None:
    @verify_loop
    def clean() -> str:
        accumulation_loop()
        return "ok"

    assert clean() == "ok"
    assert clean.last_report.step_limit == 50


def test_json_report_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    watch(steps=4, report="json")(loop_without_zero_grad)()
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["run"]["steps"] == 4 and data["run"]["stopped_early"] is True
    assert data["findings"][0]["code"] == "LC001"
    assert len(data["run"]["optimizers"][0]["grad_norm"]) == 4
    assert captured.err == ""


def test_bad_options_are_rejected_when_decorating() -> None:
    with pytest.raises(ValueError, match="report must be one of"):
        verify_loop(report="xml")
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        verify_loop(steps=0)


def test_text_report_shows_order_and_sparklines() -> None:
    wrapped = watch(steps=6)(lambda: scheduler_first(order_right=True))
    wrapped()
    text = render_text(wrapped.last_report)
    assert "one step as it ran: zero_grad → forward → backward → step → scheduler.step" in text
    assert "grad norm   SGD" in text and "lr          SGD" in text


def test_sparkline_scales_between_min_and_max_and_marks_missing_values() -> None:
    assert sparkline([0.0, 1.0, None, 0.5]) == "▁█ ▅"
    assert sparkline([2.0, 2.0]) == "▁▁"
    assert len(sparkline([float(i) for i in range(200)], width=50)) == 50


def test_static_finding_source_lines_match_this_file() -> None:
    # Guards the marker helper the static-verdict tests rely on.
    assert inspect.getsource(loop_without_zero_grad).count("# at: lc001-backward") == 1
