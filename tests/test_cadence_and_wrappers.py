"""Cadence (issue 7, item 5), project wrappers (item 6), other frameworks (item 8) and
checkpoints (item 9): each judged by how the code runs, not by names."""
from __future__ import annotations

import textwrap

import pytest

from loopcheck.engine import lint_source

SETUP = """
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""


def found(source: str, setup: str = SETUP) -> list[tuple[str, str]]:
    text = setup + textwrap.dedent(source)
    findings, errors = lint_source(text, "cadence.py")
    assert errors == []
    lines = text.splitlines()
    return [(f.code, lines[f.line - 1].strip()) for f in findings]


# cadence --------------------------------------------------------------------------------

BATCH_LOOP = """
scheduler = SCHEDULER
for epoch in range(epochs):
    for step, (x, y) in enumerate(loader):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
        STEP
"""


def test_a_scheduler_stepped_every_k_batches_on_purpose_is_not_judged() -> None:
    source = BATCH_LOOP.replace("SCHEDULER", "torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)")
    assert found(source.replace("STEP", "if step % 1000 == 0:\n            scheduler.step()")) == []
    assert found(source.replace("STEP", "scheduler.step()")) == [("LC005", "scheduler.step()")]


def test_a_size_computed_through_variables_is_resolved() -> None:
    setup = SETUP + "steps_per_epoch = len(loader)\ntotal = epochs * steps_per_epoch\nmax_iter = total\n"
    source = BATCH_LOOP.replace("SCHEDULER", "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_iter)")
    assert found(source.replace("STEP", "scheduler.step()"), setup) == []
    per_epoch = source.replace("STEP", "pass") + "    scheduler.step()\n"
    assert found(per_epoch, setup) == [("LC005", "scheduler.step()")]


def test_a_count_per_epoch_times_the_epochs_counts_optimizer_steps() -> None:
    setup = SETUP + "iter_per_epoch = samples // batch_size + 1\n"
    source = BATCH_LOOP.replace(
        "SCHEDULER", "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * iter_per_epoch)"
    )
    assert found(source.replace("STEP", "scheduler.step()"), setup) == []
    per_epoch = source.replace("STEP", "pass") + "    scheduler.step()\n"
    assert found(per_epoch, setup) == [("LC005", "scheduler.step()")]


def test_a_warmup_schedule_given_a_count_of_epochs_is_sized_in_epochs() -> None:
    """`get_linear_schedule_with_warmup(num_training_steps=num_epochs)`: the keyword counts steps of
    the schedule, the value counts epochs. Stepped once an epoch, it is sized right; stepped every
    batch, it is over after `num_epochs` batches (LC005). Given a count of batches, the reverse."""
    setup = SETUP + "from transformers import get_linear_schedule_with_warmup\nnum_epochs = int(config['num_epochs'])\n"
    source = BATCH_LOOP.replace("range(epochs)", "range(num_epochs)").replace(
        "SCHEDULER", "get_linear_schedule_with_warmup(optimizer, num_warmup_steps=2, num_training_steps=TOTAL)"
    )
    per_epoch = source.replace("STEP", "pass") + "    scheduler.step()\n"
    per_batch = source.replace("STEP", "scheduler.step()")
    assert found(per_epoch.replace("TOTAL", "num_epochs"), setup) == []
    assert found(per_batch.replace("TOTAL", "num_epochs"), setup) == [("LC005", "scheduler.step()")]
    assert found(per_batch.replace("TOTAL", "num_epochs * len(loader)"), setup) == []
    assert found(per_epoch.replace("TOTAL", "num_epochs * len(loader)"), setup) == [("LC005", "scheduler.step()")]


LATENT_STEPS = """
                for step in range(n_steps):
                    optimizer.zero_grad()
                    loss = -decoder(z).mean()
                    loss.backward()
                    optimizer.step()
                    scheduler.step(loss.item())
"""
"""The step loop of an input's optimisation, at the depth of a loop inside a function."""


def test_a_schedule_built_afresh_in_each_outer_iteration_lives_in_the_inner_loop_alone() -> None:
    """Optimising an input (`for try_num in range(n_tries):` a fresh latent, optimizer and
    ReduceLROnPlateau, then `for step in range(n_steps):`): the loop around builds the schedule
    anew, so for that schedule the step loop is the whole run, counted in steps, no epochs. Built
    once outside the tries, the schedule lives across them: stepped every step, LC005."""
    source = """
        def optimize(decoder, n_tries, n_steps):
            SCHEDULE_OUTSIDE
            for try_num in range(n_tries):
                z = torch.randn(1, 16, requires_grad=True)
                optimizer = torch.optim.Adam([z], lr=0.1)
                SCHEDULE_INSIDE""" + LATENT_STEPS + """
        optimize(nn.Linear(16, 4), 3, 1000)
    """
    plateau = "scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=100)"
    assert found(source.replace("SCHEDULE_OUTSIDE", "pass").replace("SCHEDULE_INSIDE", plateau)) == []
    outside = source.replace("SCHEDULE_OUTSIDE", plateau).replace("SCHEDULE_INSIDE", "pass")
    assert found(outside) == [("LC005", "scheduler.step(loss.item())")]
    # the step loop in a helper the tries call: its local schedule is built at each call
    helper = """
        def one_try(decoder, n_steps):
            z = torch.randn(1, 16, requires_grad=True)
            optimizer = torch.optim.Adam([z], lr=0.1)
            scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=100)""" + textwrap.indent(
        textwrap.dedent(LATENT_STEPS), " " * 12) + """
        for try_num in range(3):
            one_try(nn.Linear(16, 4), 1000)
    """
    assert found(helper) == []


def test_full_batch_training_steps_once_per_epoch_either_way() -> None:
    assert found("""
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=50)

        def train(epoch):
            model.train()
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(features), labels)
            loss.backward()
            optimizer.step()

        for epoch in range(200):
            train(epoch)
            scheduler.step()
    """) == []


# wrappers -------------------------------------------------------------------------------


def test_a_project_optimizer_wrapper_that_resets_its_inner_optimizer_is_a_reset() -> None:
    wrapper = """
        class Wrapped:
            def __init__(self, params):
                self.inner = torch.optim.Adam(params)

            def zero_grad(self):
                self.inner.zero_grad()

            def step(self):
                self.inner.step()

        opt = Wrapped(model.parameters())
        for x, y in loader:
            RESET
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    """
    assert found(wrapper.replace("RESET", "opt.zero_grad()")) == []
    assert found(wrapper.replace("RESET", "pass")) == [
        ("LC001", "nn.functional.cross_entropy(model(x), y).backward()")
    ]


def test_an_optimizer_subclass_stepping_an_inner_optimizer_resets_it_with_its_own_zero_grad() -> None:
    """SAM-style: the wrapper is a torch optimizer over the same parameter groups as the inner one it
    steps, so its inherited `zero_grad()` (here under a flag its caller sets) clears them."""
    wrapper = """
        class TwoStep(torch.optim.Optimizer):
            def __init__(self, params, base, **kwargs):
                super().__init__(params, kwargs)
                self.base_optimizer = base(self.param_groups, **kwargs)
                self.param_groups = self.base_optimizer.param_groups

            def second_step(self, zero_grad=False):
                self.base_optimizer.step()
                if zero_grad:
                    self.zero_grad()

        opt = TwoStep(model.parameters(), torch.optim.SGD, lr=0.1)
        for x, y in loader:
            nn.functional.cross_entropy(model(x), y).backward()
            opt.second_step(FLAG)
    """
    assert found(wrapper.replace("FLAG", "zero_grad=True")) == []
    assert [code for code, _ in found(wrapper.replace("FLAG", ""))] == ["LC001"]


def test_a_project_scheduler_class_is_not_judged_by_the_torch_scheduler_rules() -> None:
    assert found("""
        class Warmup:
            def __init__(self, optimizer, steps):
                self.optimizer, self.steps, self.count = optimizer, steps, 0

            def step(self):
                self.count += 1
                for group in self.optimizer.param_groups:
                    group["lr"] = 0.1 * min(1.0, self.count / self.steps)

        scheduler = Warmup(optimizer, 100)
        for x, y in loader:
            scheduler.step()
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    """) == []


def test_clearing_the_gradients_of_some_parameters_is_not_a_reset_of_the_optimizer() -> None:
    assert found("""
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            model.bias.grad = None
            optimizer.step()
    """) == []


def test_gradients_normalised_once_per_update_satisfy_accumulation() -> None:
    source = """
        for i, (x, y) in enumerate(loader):
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            if (i + 1) % accumulation == 0:
                NORMALISE
                optimizer.step()
                optimizer.zero_grad()
    """
    assert found(source.replace("NORMALISE", "optimizer.multiply_grads(1 / accumulation)")) == []
    assert found(source.replace("NORMALISE", "pass")) == [("LC010", "loss.backward()")]


def test_a_sum_reduced_loss_accumulates_by_design() -> None:
    assert found("""
        criterion = nn.CrossEntropyLoss(reduction="sum")
        for i, (x, y) in enumerate(loader):
            loss = criterion(model(x), y)
            loss.backward()
            if (i + 1) % accumulation == 0:
                optimizer.step()
                optimizer.zero_grad()
    """) == []


def test_a_loss_taken_out_of_divided_losses_is_divided() -> None:
    source = """
        for i, (x, y) in enumerate(loader):
            out = model(x)
            losses = (nn.functional.cross_entropy(out, y), nn.functional.mse_loss(out, out))
            DIVIDE
            main_loss = losses[0]
            main_loss.backward()
            if (i + 1) % accumulation == 0:
                optimizer.step()
                optimizer.zero_grad()
    """
    assert found(source.replace("DIVIDE", "losses = tuple(loss / accumulation for loss in losses)")) == []
    assert found(source.replace("DIVIDE", "pass")) == [("LC010", "main_loss.backward()")]


def test_a_reset_before_every_backward_leaves_nothing_to_accumulate() -> None:
    source = """
        for i, (x, y) in enumerate(loader):
            RESET
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                AFTER
    """
    assert found(source.replace("RESET", "optimizer.zero_grad()").replace("AFTER", "pass")) == []
    reset_after_step = source.replace("RESET", "pass").replace("AFTER", "optimizer.zero_grad()")
    assert found(reset_after_step) == [("LC010", "loss.backward()")]


def test_weights_a_constructor_loads_into_another_model_resume_nothing_saved_here() -> None:
    source = """
        class Trainer:
            def __init__(self, weights):
                self.model = nn.Linear(4, 2)
                self.vae = nn.Linear(4, 4)
                self.optimizer = torch.optim.Adam(self.model.parameters())
                self.start_epoch = 0
                if weights:
                    ckpt = torch.load(weights)
                    self.LOADED.load_state_dict(ckpt["weights"])
                    self.start_epoch = ckpt["epoch"]

            def train(self, loader, epochs):
                for epoch in range(self.start_epoch, epochs):
                    for x, y in loader:
                        self.optimizer.zero_grad()
                        nn.functional.cross_entropy(self.model(x), y).backward()
                        self.optimizer.step()
                    if (epoch + 1) % 10 == 0:
                        torch.save(self.model.state_dict(), f"model_epoch_{epoch + 1}.pth")
    """
    saved = 'torch.save(self.model.state_dict(), f"model_epoch_{epoch + 1}.pth")'
    assert found(source.replace("LOADED", "model"), setup="import torch\nimport torch.nn as nn\n") == [("LC012", saved)]
    assert found(source.replace("LOADED", "vae"), setup="import torch\nimport torch.nn as nn\n") == []


def test_a_backward_given_keywords_only_backwards_its_receiver() -> None:
    source = """
        for i, (x, y) in enumerate(loader):
            loss = nn.functional.cross_entropy(model(x), y)
            DIVIDE
            loss.backward(create_graph=second_order)
            if (i + 1) % accumulation == 0:
                optimizer.step()
                optimizer.zero_grad()
    """
    assert found(source.replace("DIVIDE", "loss = loss / accumulation")) == []
    assert found(source.replace("DIVIDE", "pass")) == [("LC010", "loss.backward(create_graph=second_order)")]


def test_optimizers_held_in_a_dict_are_optimizers() -> None:
    source = """
        optimizers = {"g": torch.optim.Adam(net_g.parameters()), "d": torch.optim.Adam(net_d.parameters())}
        for real in loader:
            RESET
            nn.functional.softplus(-net_d(real)).mean().backward()
            optimizers["d"].step()
            nn.functional.softplus(net_d(net_g(noise))).mean().backward()
            optimizers["g"].step()
    """
    assert found(source.replace("RESET", "for opt in optimizers.values():\n                opt.zero_grad()")) == []
    assert [code for code, _ in found(source.replace("RESET", "pass"))] == ["LC001", "LC001"]


def test_optimizers_of_a_list_built_out_of_sight_are_its_elements_in_every_loop_over_it() -> None:
    """`self.optimizers` comes from a factory whose code is not seen: the loop that steps each
    element and the loop that resets every element after each step go over the same list."""
    source = """
        class Trainer:
            def __init__(self, net, optimizers):
                self.net = net
                self.optimizers = optimizers

            def fit(self, loader):
                for batch in loader:
                    losses = self.net(batch)
                    for i, optimizer_item in enumerate(self.optimizers):
                        losses[i].backward(retain_graph=True)
                        optimizer_item.step()
                        RESET
    """
    reset = "for other_optimizer in self.optimizers:\n                            other_optimizer.zero_grad()"
    assert found(source.replace("RESET", reset), setup="") == []
    assert [code for code, _ in found(source.replace("RESET", "pass"), setup="")] == ["LC001"]


# frameworks -----------------------------------------------------------------------------


def test_a_file_of_another_framework_gets_no_findings() -> None:
    tensorflow = """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dropout(0.5), tf.keras.layers.Dense(2)])
        optimizer = tf.keras.optimizers.Adam()
        for x, y in dataset:
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
        for x, y in test_dataset:
            predictions = model(x)
    """
    mxnet = """
        from mxnet import autograd, gluon
        trainer = gluon.Trainer(net.collect_params(), "sgd")
        for x, y in train_data:
            with autograd.record():
                loss = loss_fn(net(x), y)
            loss.backward()
            trainer.step(batch_size)
    """
    assert found(tensorflow, setup="") == []
    assert found(mxnet, setup="") == []


# checkpoints ----------------------------------------------------------------------------

CHECKPOINT = """
for epoch in range(epochs):
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    SAVE
"""


def test_a_checkpoint_saved_every_epoch_is_meant_for_resuming() -> None:
    save = 'torch.save({"epoch": epoch, "model": model.state_dict()}, "last.pt")'
    assert found(CHECKPOINT.replace("SAVE", save)) == [("LC012", save)]


RUNS = """
def train_run(model, loader, path, epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        INSIDE
    AFTER

for seed in range(3):
    train_run(nn.Linear(4, 2), loader, f"run{seed}.pt", 10)
"""
SAVED = 'torch.save({"epoch": epoch, "model": model.state_dict()}, path)'


def test_a_save_after_a_training_functions_epoch_loop_is_each_runs_export() -> None:
    """A function that trains over epochs and saves once after its loop, called in a loop over
    seeds (or folds, experiments): the save is each run's final export, not a periodic checkpoint
    (the callers' loop runs whole trainings); saved inside the loop over epochs, it is one."""
    assert found(RUNS.replace("INSIDE", "pass").replace("AFTER", SAVED)) == []
    assert found(RUNS.replace("INSIDE", SAVED).replace("AFTER", "pass")) == [("LC012", SAVED)]


def test_a_save_after_one_epochs_batch_loop_is_made_every_epoch_of_the_callers_loop() -> None:
    """`train_one_epoch(...)` looping over one epoch's batches and saving after that loop, called
    in the loop over epochs: the save is made every epoch, a periodic checkpoint."""
    source = """
    def train_one_epoch(model, optimizer, loader, epoch):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        SAVE

    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(10):
        train_one_epoch(model, optimizer, loader, epoch)
    """
    save = 'torch.save({"epoch": epoch, "model": model.state_dict()}, "last.pt")'
    assert found(source.replace("SAVE", save)) == [("LC012", save)]


def test_a_snapshot_saved_when_the_metric_improves_is_an_export() -> None:
    save = (
        "accuracy = evaluate(model)\n"
        "    if accuracy > best:\n"
        "        best = accuracy\n"
        '        torch.save({"epoch": epoch, "model": model.state_dict()}, "best.pt")'
    )
    assert found(CHECKPOINT.replace("SAVE", save)) == []


def test_a_snapshot_read_back_to_resume_is_a_checkpoint() -> None:
    save = (
        "accuracy = evaluate(model)\n"
        "    if accuracy > best:\n"
        "        best = accuracy\n"
        '        torch.save({"epoch": epoch, "model": model.state_dict()}, "best.pt")'
    )
    resume = 'start_epoch = 0\nif args.resume:\n    state = torch.load(args.resume)\n    start_epoch = state["epoch"] + 1\n'
    loop = CHECKPOINT.replace("range(epochs)", "range(start_epoch, epochs)")
    assert [code for code, _ in found(resume + loop.replace("SAVE", save))] == ["LC012"]


def test_optimizer_state_saved_to_a_file_beside_the_checkpoint_is_saved_with_it() -> None:
    beside = (
        'torch.save({"epoch": epoch, "model": model.state_dict()}, "checkpoint.pt")\n'
        '    torch.save(optimizer.state_dict(), "optim_checkpoint.pt")'
    )
    assert found(CHECKPOINT.replace("SAVE", beside)) == []
    # written only on some epochs, it is not beside every checkpoint
    apart = (
        'torch.save({"epoch": epoch, "model": model.state_dict()}, "checkpoint.pt")\n'
        '    if epoch % 10 == 0:\n'
        '        torch.save(optimizer.state_dict(), "optim_checkpoint.pt")'
    )
    assert [code for code, _ in found(CHECKPOINT.replace("SAVE", apart))] == ["LC012"]


def test_a_checkpoint_under_a_literally_false_test_never_runs() -> None:
    dead = 'if False:\n        torch.save({"epoch": epoch, "model": model.state_dict()}, "last.pt")'
    assert found(CHECKPOINT.replace("SAVE", dead)) == []


def test_training_counted_in_steps_alone_has_no_epoch_to_step_a_plateau_schedule_per() -> None:
    steps = """
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=100)
        for _ in range(args.n_steps):
            loss = model(sample(batch_size)).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step(loss)
    """
    assert found(steps) == []
    epochs = """
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=2)
        for epoch in range(epochs):
            for x, y in loader:
                loss = nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                scheduler.step(loss)
    """
    assert [code for code, _ in found(epochs)] == ["LC005"]


def test_freezing_a_model_whose_own_stage_of_training_is_over_is_no_late_freeze() -> None:
    source = """
        paraphraser = nn.Linear(4, 4)
        optimizer_para = torch.optim.SGD(paraphraser.parameters(), lr=0.1)
        train_stage(loader, paraphraser, optimizer_para)
        for param in paraphraser.parameters():
            param.requires_grad = False
        AFTER
    """
    assert found(source.replace("AFTER", "train_stage(loader, model, optimizer)")) == []
    # still stepped after the freeze: the frozen parameters stay in its groups
    assert [code for code, _ in found(source.replace("AFTER", "train_stage(loader, paraphraser, optimizer_para)"))] == [
        "LC013"
    ]


def test_a_checkpoint_filled_from_the_helpers_keyword_arguments_may_hold_the_optimizer() -> None:
    helper = """
        def save_model(net, epoch, path, **kwargs):
            state = {"net": net.state_dict(), "epoch": epoch}
            FILL
            torch.save(state, path)

        for epoch in range(epochs):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            save_model(model, epoch, "last.pth", optimizer=optimizer.state_dict())
    """
    fill = "for key, value in kwargs.items():\n                state[key] = value"
    assert found(helper.replace("FILL", fill)) == []
    assert [code for code, _ in found(helper.replace("FILL", 'state["note"] = "x"'))] == ["LC012"]


def test_a_stand_in_class_for_an_imported_one_does_not_hide_what_the_import_does() -> None:
    """`try: from torch.cuda.amp import GradScaler` with a do-nothing `class GradScaler` in the
    `except` arm for old versions: `scaler.unscale_(optimizer)` unscales where it can."""
    setup = SETUP + textwrap.dedent(
        """
        try:
            from torch.cuda.amp import GradScaler
        except ImportError:
            class GradScaler:
                def scale(self, loss):
                    return loss
                def unscale_(self, optimizer):
                    pass
                def step(self, optimizer):
                    optimizer.step()
                def update(self):
                    pass
        scaler = GradScaler()
        """
    )
    source = """
    for x, y in loader:
        optimizer.zero_grad()
        scaler.scale(nn.functional.cross_entropy(model(x), y)).backward()
        UNSCALE
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
    """
    assert found(source.replace("UNSCALE", "scaler.unscale_(optimizer)"), setup) == []
    assert [code for code, _ in found(source.replace("UNSCALE", "pass"), setup)] == ["LC011"]


def test_milestones_named_only_steps_do_not_tell_their_unit() -> None:
    source = BATCH_LOOP.replace("SCHEDULER", "torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=MILESTONES)")
    per_epoch = source.replace("STEP", "pass") + "    scheduler.step()\n"
    assert found(per_epoch.replace("MILESTONES", "steps"), SETUP + "steps = config['steps']\n") == []
    assert found(per_epoch.replace("MILESTONES", "lr_steps"), SETUP + "lr_steps = config['lr_steps']\n") == []
    # an attribute of a settings object named so (`FLAGS.steps`, `args.lr_steps`): the same
    assert found(per_epoch.replace("MILESTONES", "FLAGS.steps"), SETUP) == []
    assert found(per_epoch.replace("MILESTONES", "args.lr_steps"), SETUP) == []
    # a constant of a settings module, written in capitals (`config.STEPS = [4, 10, 18]`): the same
    assert found(per_epoch.replace("MILESTONES", "config.STEPS"), SETUP) == []
    assert found(per_epoch.replace("MILESTONES", "cfg.LR_STEPS"), SETUP) == []
    # milestones counted through the loader are optimizer steps
    setup = SETUP + "total_iters = epochs * len(loader)\n"
    counted = per_epoch.replace("MILESTONES", "[total_iters // 2, total_iters * 3 // 4]")
    assert found(counted, setup) == [("LC005", "scheduler.step()")]


def test_a_step_function_whose_backward_and_step_run_in_loops_over_its_models_is_one_iteration() -> None:
    # a step function an engine calls per batch (no project caller): it backpropagates each model's
    # loss in one loop over the scalers and steps each optimizer in another; both loops are parts
    # of one iteration, so clipping in the second loop clips gradients the first one scaled
    source = """
        from torch.cuda.amp import GradScaler

        class DualEngine:
            def __init__(self, models, optimizers):
                self.models = models
                self.optimizers = optimizers
                self.scalers = [GradScaler(), GradScaler()]

            @staticmethod
            def train(engine, batch):
                for optimizer in engine.optimizers:
                    optimizer.zero_grad()
                losses = [crit(m(batch.x), batch.y) for m in engine.models]
                for scaler, loss in zip(engine.scalers, losses):
                    scaler.scale(loss).backward()
                for model, optimizer, scaler in zip(engine.models, engine.optimizers, engine.scalers):
                    UNSCALE
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                    scaler.step(optimizer)
                    scaler.update()
    """
    assert found(source.replace("UNSCALE", "pass"), setup="import torch\n") == [
        ("LC011", "torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)")
    ]
    assert found(source.replace("UNSCALE", "scaler.unscale_(optimizer)"), setup="import torch\n") == []
    # a loop over batches of data that only backpropagates is no part of one step: not judged so
    over_data = source.replace("UNSCALE", "pass").replace(
        "for scaler, loss in zip(engine.scalers, losses):", "for scaler, loss in zip(engine.scalers, data_loader):"
    )
    assert found(over_data, setup="import torch\n") == []


def test_a_scheduler_stepped_at_the_top_of_an_epoch_the_first_epoch_skips_follows_the_last_updates() -> None:
    source = """
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
        for epoch in range(epochs):
            if GUARD:
                scheduler.step()
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
    """
    # run at the top of epochs 1, 2, ...: after the previous epoch's optimizer steps
    assert found(source.replace("GUARD", "epoch > 0")) == []
    assert found(source.replace("GUARD", "epoch >= warmup_epochs")) == []  # may skip epoch 0: not established
    # epoch 0 passes these tests: the first learning rate is skipped
    assert found(source.replace("GUARD", "epoch >= 0")) == [("LC004", "scheduler.step()")]
    assert found(source.replace("GUARD", "use_schedule")) == [("LC004", "scheduler.step()")]
    # `for epoch in range(1, epochs + 1)`: `epoch > 0` holds from the first iteration on... but the
    # counter's start is read only from `range(n)`: from elsewhere it is not known, and nothing is said
    shifted = source.replace("GUARD", "epoch > 0").replace("range(epochs)", "range(start, epochs)")
    assert found(shifted) == []


def test_a_guard_the_first_iteration_passes_or_the_optimizer_shares_leaves_the_order_judged() -> None:
    # `for phase in ['train', 'val']`: the first phase is 'train', so the step runs before training
    phases = """
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
        for epoch in range(epochs):
            for phase in ['train', 'val']:
                if phase == 'train':
                    scheduler.step()
                    model.train()
                else:
                    model.eval()
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == 'train'):
                    loss = nn.functional.cross_entropy(model(x), y)
                    if phase == 'train':
                        loss.backward()
                        optimizer.step()
    """
    assert found(phases) == [("LC004", "scheduler.step()")]
    # accumulation: the scheduler and the optimizer wait for the same test; the scheduler steps first
    accumulating = """
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, step / warmup_steps))
        for step, (x, y) in enumerate(loader):
            nn.functional.cross_entropy(model(x), y).backward()
            if (step + 1) % accumulation == 0:
                scheduler.step()
                optimizer.step()
                optimizer.zero_grad()
    """
    assert ("LC004", "scheduler.step()") in found(accumulating)


def test_a_schedule_sized_from_the_count_of_the_loop_that_steps_it_counts_that_loops_iterations() -> None:
    source = """
        sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=n_iters // 10, T_mult=2)
        with trange(n_iters) as t:
            for _ in OUTER:
                for batch in loader:
                    optimizer.zero_grad()
                    nn.functional.mse_loss(model(batch), batch).backward()
                    optimizer.step()
                sched.step()
    """
    # the outer loop runs n_iters times and steps the schedule once each: sized in its own units
    assert found(source.replace("OUTER", "t")) == []
    assert found(source.replace("OUTER", "range(n_iters)")) == []
    # stepped once per pass over another count, the name says iterations: judged as before
    assert found(source.replace("OUTER", "range(epochs)")) == [("LC005", "sched.step()")]


def test_a_progress_bars_caption_does_not_count_the_iterations_of_its_loop() -> None:
    # `desc=` names the epoch count, but the loop runs once per batch of the loader
    source = """
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_epoch, eta_min=0)
        for epoch in range(1, max_epoch + 1):
            for x, y in tqdm(loader, CAPTION total=len(loader)):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
                scheduler.step()
    """
    for caption in ('desc="Epoch {}/{}".format(epoch, max_epoch),', 'desc=f"{epoch}/{max_epoch}",', ""):
        assert found(source.replace("CAPTION", caption)) == [("LC005", "scheduler.step()")]
    # a loop whose iterable itself is the epoch count is still sized by it
    counted = source.replace("tqdm(loader, CAPTION total=len(loader))", "trange(max_epoch)")
    assert found(counted) == []


def test_a_reset_of_every_gradient_that_exists_is_a_reset() -> None:
    # old GAN scripts zero each parameter's gradient by hand, skipping those that have none yet
    source = """
        params = list(model.parameters())

        def reset_grad():
            for p in params:
                if GUARD:
                    data = p.grad.data
                    p.grad = torch.zeros_like(data)

        for x, y in loader:
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
            reset_grad()
    """
    assert found(source.replace("GUARD", "p.grad is not None")) == []
    # a test that other parameters may fail: some gradients pile up
    assert found(source.replace("GUARD", "p.requires_grad and frozen_ok")) == [
        ("LC001", "nn.functional.cross_entropy(model(x), y).backward()")
    ]


def test_literal_milestones_do_not_tell_their_unit_unless_all_count_thousands() -> None:
    # `milestones=[300, 600]` may be epochs of a long run or batches of a short one: nothing says
    # which, so neither cadence is judged; milestones all in the thousands count optimizer steps
    source = BATCH_LOOP.replace("SCHEDULER", "torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=MILESTONES)")
    per_batch = source.replace("STEP", "scheduler.step()")
    per_epoch = source.replace("STEP", "pass") + "    scheduler.step()\n"
    assert found(per_batch.replace("MILESTONES", "[300, 600]"), SETUP) == []
    assert found(per_epoch.replace("MILESTONES", "[100, 1000]"), SETUP) == []
    assert found(per_epoch.replace("MILESTONES", "[60000, 80000]"), SETUP) == [("LC005", "scheduler.step()")]


def test_a_lambda_schedule_that_never_reads_its_count_has_no_cadence() -> None:
    source = """
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, LAMBDA)
        for epoch in range(epochs):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
                scheduler.step()
    """
    # `lambda epoch: 1` (a placeholder) changes nothing, whatever the cadence
    assert found(source.replace("LAMBDA", "lambda epoch: 1")) == []
    assert found(source.replace("LAMBDA", "lambda epoch: 0.95 ** epoch")) == [("LC005", "scheduler.step()")]


def test_a_lambda_that_decays_by_a_large_factor_per_count_is_sized_in_no_iterations() -> None:
    """`LambdaLR(opt, lambda step: 0.1 ** step)` stepped when validation stops improving: a tenth of
    the rate per step, below a millionth after six, whatever its parameter is named; a warmup over
    `step / warmup_steps` is sized in iterations and stepped per epoch is wrong."""
    source = """
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=LAMBDA)
        for epoch in range(epochs):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            if no_improve > patience:
                scheduler.step()
    """
    assert found(source.replace("LAMBDA", "lambda step: 0.1 ** step")) == []
    assert found(source.replace("LAMBDA", "lambda step: min(1.0, step / 4000)")) == [("LC005", "scheduler.step()")]


ARMS = """
if args.scheduler == "cyclic":
    scheduler = torch.optim.lr_scheduler.CyclicLR(optimizer, base_lr=1e-4, max_lr=0.1, step_size_up=2000)
else:
    scheduler = OTHER
for epoch in range(10):
    for x, y in loader:
        optimizer.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        optimizer.step()
        PER_BATCH
    PER_EPOCH
"""


def codes(source: str) -> list[str]:
    return [code for code, _ in found(source)]


def test_a_schedule_built_in_arms_of_a_test_is_judged_by_the_arm_the_step_runs_under() -> None:
    # the cyclic schedule stepped per batch under the test that builds it, the other per epoch
    source = ARMS.replace("OTHER", "torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)").replace(
        "PER_BATCH", 'if args.scheduler == "cyclic":\n            scheduler.step()'
    ).replace("PER_EPOCH", 'if args.scheduler != "cyclic":\n        scheduler.step()')
    assert codes(source) == []
    # the exponential schedule stepped per batch under the other arm's negation: wrong for the arm it runs
    wrong = ARMS.replace("OTHER", "torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)").replace(
        "PER_BATCH", 'if not (args.scheduler == "cyclic"):\n            scheduler.step()'
    ).replace("PER_EPOCH", "pass")
    assert codes(wrong) == ["LC005"]
    # stepped per batch with no test: wrong only if wrong for every schedule the arms build
    either = ARMS.replace("PER_BATCH", "scheduler.step()").replace("PER_EPOCH", "pass")
    assert codes(either.replace("OTHER", "torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)")) == []
    epochs = either.replace(
        "torch.optim.lr_scheduler.CyclicLR(optimizer, base_lr=1e-4, max_lr=0.1, step_size_up=2000)",
        "torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)",
    ).replace("OTHER", "torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)")
    assert codes(epochs) == ["LC005"]


def test_a_schedule_built_in_another_file_and_handed_to_a_trainer_is_judged_there(tmp_path) -> None:
    """run.py builds CosineAnnealingLR(T_max=len(train_loader)) and hands it to a Trainer of
    trainer.py that steps it once per epoch: reported in trainer.py, naming the file it is built
    in (an internal error before: the message asked this file for the other file's position)."""
    from loopcheck.engine import lint_paths

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "trainer.py").write_text(textwrap.dedent("""
        class Trainer:
            def __init__(self, model, optimizer, scheduler, epochs):
                self.model = model
                self.optimizer = optimizer
                self.scheduler = scheduler
                self.epochs = epochs

            def train(self, train_loader):
                for epoch in range(self.epochs):
                    for x, y in train_loader:
                        self.optimizer.zero_grad()
                        self.model(x).sum().backward()
                        self.optimizer.step()
                    self.scheduler.step()
    """))
    (tmp_path / "run.py").write_text(textwrap.dedent("""
        import torch
        from trainer import Trainer

        model = torch.nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        train_loader = torch.utils.data.DataLoader(range(10))
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(train_loader))
        Trainer(model, optimizer, scheduler=scheduler, epochs=100).train(train_loader)
    """))
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    (finding,) = [f for f in result.findings if f.code == "LC005"]
    assert finding.path.endswith("trainer.py") and finding.line == 15
    assert "CosineAnnealingLR built on line 8 of run.py" in finding.message
    assert [(r.line, r.path) for r in finding.related] == [(8, finding.related[0].path)] and finding.related[0].path.endswith("run.py")


def lc005(text: str) -> int:
    """How many LC005 findings a script gives."""
    findings, errors = lint_source(text, "cadence.py")
    assert errors == []
    return sum(f.code == "LC005" for f in findings)


def test_a_batch_loop_ending_in_break_steps_its_schedule_once_an_epoch() -> None:
    """`for batch in loader: ...; scheduler.step(); break` (a timing run of one batch an epoch):
    the step runs once per epoch, as the epoch-sized schedule wants; without the `break` it is
    stepped per batch (LC005)."""
    source = textwrap.dedent("""
        import torch
        model = torch.nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
        for epoch in range(100):
            for x, y in train_loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
                scheduler.step()
                BREAK
    """)
    assert lc005(source.replace("BREAK", "break")) == 0
    assert lc005(source.replace("BREAK", "pass")) == 1
    assert lc005(source.replace("BREAK", "if x.sum() > 0:\n            break")) == 1  # (may run every batch)


def test_a_loader_of_the_whole_dataset_in_one_batch_runs_once_an_epoch() -> None:
    """`DataLoader(dataset=ds, batch_size=len(ds))`: the batch loop runs once an epoch, so a
    schedule sized in epochs and stepped in it is stepped once per epoch; with batches of 32 it is
    stepped per batch (LC005)."""
    source = textwrap.dedent("""
        import torch
        from torch.utils.data import DataLoader
        model = torch.nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1, end_factor=0.1, total_iters=n_epochs)
        train_loader = DataLoader(dataset=dataset, batch_size=SIZE)
        for epoch in range(n_epochs):
            for i, (x, y) in enumerate(train_loader):
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
                scheduler.step()
    """)
    assert lc005(source.replace("SIZE", "len(dataset)")) == 0
    assert lc005(source.replace("SIZE", "32")) == 1
    assert lc005(source.replace("SIZE", "len(other)")) == 1


_INNER_OUTER = """
import torch
import torch.nn as nn


class Learner(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        self.inner_opt = torch.optim.SGD(self.net.parameters(), lr=0.1)

    def forward(self, x):
        return self.net(x)

    def observe(self, x, y):
        self.train()
        for _ in range(5):
            RESET
            loss = nn.functional.cross_entropy(self.net(x), y)
            loss.backward()
            self.inner_opt.step()


if __name__ == "__main__":
    learner = Learner()
    for x, y in loader:
        learner.observe(x, y)
"""


@pytest.mark.parametrize(
    ("reset", "expected"),
    [
        # Module.zero_grad() clears every parameter of the module, those of `self.net` among them
        ("self.zero_grad()", []),
        ("self.net.zero_grad()", []),
        ("self.inner_opt.zero_grad()", []),
        ("pass", [("LC001", 20)]),
    ],
)
def test_a_modules_own_zero_grad_resets_the_optimizer_over_its_submodule(reset: str, expected: list[tuple[str, int]]) -> None:
    found, errors = lint_source(_INNER_OUTER.replace("RESET", reset), "learner.py")
    assert errors == []
    assert [(f.code, f.line) for f in found] == expected


_RESUMED_AT_ITERATION = """
import torch
import torch.nn as nn


def warmup(n_iter=0, steps=1000, save_dir=""):
    G = nn.Linear(4, 4)
    optimizer = torch.optim.Adam(G.parameters())
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=steps)
    for x in loader:
        optimizer.zero_grad()
        G(x).pow(2).mean().backward()
        optimizer.step()
        scheduler.step()
        n_iter += 1
        if n_iter % 100 == 0:
            torch.save(G.state_dict(), save_dir + f"warmup_{n_iter}.pth")


def adversarial(n_iter=START, max_iter=95000, save_every=5000, save_dir=""):
    G = nn.Linear(4, 4)
    D = nn.Linear(4, 1)
    try:
        G.load_state_dict(torch.load(save_dir + f"G_{n_iter // 1000}k.pth"))
        D.load_state_dict(torch.load(save_dir + f"D_{n_iter // 1000}k.pth"))
    except FileNotFoundError:
        pass
    G_optimizer = torch.optim.Adam(G.parameters())
    D_optimizer = torch.optim.Adam(D.parameters())
    done = False
    while not done:
        for x in loader:
            D_optimizer.zero_grad()
            D(G(x).detach()).mean().backward()
            D_optimizer.step()
            G_optimizer.zero_grad()
            (-D(G(x)).mean()).backward()
            G_optimizer.step()
            n_iter += 1
            if n_iter % save_every == 0:
                torch.save(G.state_dict(), save_dir + f"G_{n_iter // 1000}k.pth")
                torch.save(D.state_dict(), save_dir + f"D_{n_iter // 1000}k.pth")
            if n_iter >= max_iter:
                done = True
                break


if __name__ == "__main__":
    # warmup(save_dir="warmup/")
    adversarial(save_dir="gan/")
"""


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # the caller's iteration names the weights loaded back and is counted on: a resume, whose
        # optimizers start afresh (the warm-up's scheduler, of another function, is not its own)
        ("50000", [("LC012", 41, "the optimizer state")]),
        # counting from 0: the weights loaded are a warm start, not a resume
        ("0", []),
    ],
)
def test_weights_loaded_at_the_iteration_the_caller_hands_in_are_a_resume(start: str, expected: list[tuple[str, int, str]]) -> None:
    found, errors = lint_source(_RESUMED_AT_ITERATION.replace("START", start), "train.py")
    assert errors == []
    assert [(f.code, f.line, "the optimizer state") for f in found if "not the optimizer state;" in f.message] == expected
    # the warm-up's periodic saves never run: its only call is commented out
    assert [f.line for f in found if f.line < 20] == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("step", ["LC012"]),
        ("global_step", ["LC012"]),
        # a value measured at some step is no position to resume from
        ("final_step_loss", []),
        ("epoch_acc", []),
    ],
)
def test_a_key_naming_a_measurement_is_no_training_position(key: str, expected: list[str]) -> None:
    source = SETUP + f"""
losses = []
for step, (x, y) in enumerate(loader):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if step % 1000 == 0:
        torch.save({{"model": model.state_dict(), "{key}": step if "{key}".endswith("step") else losses[-1]}}, "ckpt.pt")
"""
    found, errors = lint_source(source, "train.py")
    assert errors == []
    assert [f.code for f in found] == expected


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        ("loss", [("LC010", "(loss).backward()")]),
        ("loss / accumulation_steps", []),
    ],
)
def test_a_step_under_a_flag_bound_to_a_cadence_test_runs_every_few_iterations(
    loss: str, expected: list[tuple[str, str]]
) -> None:
    """`accumulate = (i + 1) % k != 0 and ...` then `if not accumulate: optimizer.step()`: the flag
    is the cadence test, as if written in the `if`; the undivided loss is accumulated over k
    backwards per step (LC010), the divided one is not."""
    source = f"""
        for epoch in range(epochs):
            for i, (x, y) in enumerate(loader):
                loss = nn.functional.cross_entropy(model(x), y)
                ({loss}).backward()
                accumulate = (i + 1) % accumulation_steps != 0 and i + 1 != len(loader)
                if not accumulate:
                    optimizer.step()
                    optimizer.zero_grad()
    """
    assert found(source) == expected
