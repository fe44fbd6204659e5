"""The spec's traps (real code that must not be flagged) and false alarms found on public training
code, each a test of its own; plus the bugs the traps sit next to, which must still be caught."""
from __future__ import annotations

import textwrap

from loopcheck.engine import lint_source


def codes(source: str, path: str = "trap.py") -> list[tuple[int, str]]:
    findings, errors = lint_source(textwrap.dedent(source), path)
    assert errors == []
    return [(f.line, f.code) for f in findings]


def test_accumulation_with_guarded_step_and_reset_is_not_flagged() -> None:
    assert codes("""
        for i, (x, y) in enumerate(loader):
            loss = criterion(model(x), y) / accum
            loss.backward()
            if (i + 1) % accum == 0:
                opt.step()
                opt.zero_grad()
    """) == []


def test_zero_grad_at_top_or_end_of_iteration_is_not_flagged() -> None:
    top = """
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
    """
    end = """
        for x, y in loader:
            criterion(model(x), y).backward()
            optimizer.step()
            optimizer.zero_grad()
    """
    assert codes(top) == [] and codes(end) == []


def test_set_to_none_model_zero_grad_and_grad_none_count_as_resets() -> None:
    for reset in ("optimizer.zero_grad(set_to_none=True)", "model.zero_grad()", "for p in model.parameters(): p.grad = None"):
        assert codes(f"""
            for x, y in loader:
                {reset}
                criterion(model(x), y).backward()
                optimizer.step()
        """) == [], reset


def test_lbfgs_closure_that_resets_and_backwards_is_not_flagged() -> None:
    assert codes("""
        optimizer = torch.optim.LBFGS(model.parameters())
        def closure():
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss
        for epoch in range(10):
            optimizer.step(closure)
    """) == []


def test_gan_optimizers_are_judged_separately() -> None:
    source = """
        opt_d = torch.optim.Adam(netD.parameters())
        opt_g = torch.optim.Adam(netG.parameters())
        for real in loader:
            opt_d.zero_grad()
            bce(netD(real), ones).backward()
            opt_d.step()
            {reset_g}
            bce(netD(netG(noise)), ones).backward()
            opt_g.step()
    """
    assert codes(source.format(reset_g="opt_g.zero_grad()")) == []
    assert codes(source.format(reset_g="pass")) == [(9, "LC001")]


def test_model_zero_grad_covering_both_optimizers_is_a_reset_for_both() -> None:
    assert codes("""
        opt_a = torch.optim.SGD(model.encoder.parameters(), lr=0.1)
        opt_b = torch.optim.SGD(model.head.parameters(), lr=0.1)
        for x, y in loader:
            model.zero_grad()
            criterion(model(x), y).backward()
            opt_a.step()
            opt_b.step()
    """) == []


def test_amp_grad_scaler_loop_is_not_flagged() -> None:
    assert codes("""
        scaler = torch.amp.GradScaler("cuda")
        for x, y in loader:
            optimizer.zero_grad()
            with torch.autocast("cuda"):
                loss = criterion(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
    """) == []


def test_accelerator_backward_counts_as_backward() -> None:
    assert codes("""
        for batch in loader:
            loss = model(**batch).loss
            accelerator.backward(loss)
            optimizer.step()
    """) == [(4, "LC001")]


def test_helper_in_the_same_file_is_analysed() -> None:
    assert codes("""
        def train_step(model, optimizer, x, y):
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()

        for x, y in loader:
            train_step(model, optimizer, x, y)
    """) == [(4, "LC001")]


def test_helper_in_another_file_means_silence() -> None:
    assert codes("""
        from mytrainer import train_step
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            train_step(model, optimizer)
            optimizer.step()
    """) == []


def test_code_under_main_guard_and_in_trainer_methods_is_analysed() -> None:
    assert codes("""
        class Trainer:
            def __init__(self, model):
                self.model = model
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

            def fit(self, loader):
                for x, y in loader:
                    self.train_step(x, y)

            def train_step(self, x, y):
                loss = criterion(self.model(x), y)
                loss.backward()
                self.optimizer.step()

        if __name__ == "__main__":
            for x, y in loader:
                criterion(model(x), y).backward()
                optimizer.step()
    """) == [(13, "LC001"), (18, "LC001")]


def test_detached_loss_sums_and_meter_updates_are_not_flagged() -> None:
    assert codes("""
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            total += float(loss)
            losses.append(loss.detach())
            cpu_losses.append(loss.cpu().item())
            loss_meter.update(loss.item(), x.size(0))
            metric.update(model(x).argmax(1), y)
    """) == []


def test_a_name_reassigned_from_a_detached_value_is_safe() -> None:
    assert codes("""
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            loss = loss.item()
            total += loss
    """) == []


def test_reduce_lr_on_plateau_stepped_per_epoch_after_validation_is_not_flagged() -> None:
    assert codes("""
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
        for epoch in range(10):
            for x, y in loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
            scheduler.step(val_loss)
    """) == []


def test_transformers_warmup_schedule_per_batch_is_not_flagged_and_per_epoch_is() -> None:
    source = """
        from transformers import get_linear_schedule_with_warmup
        scheduler = get_linear_schedule_with_warmup(optimizer, 100, num_training_steps=len(loader) * epochs)
        for epoch in range(epochs):
            for batch in loader:
                optimizer.zero_grad()
                model(**batch).loss.backward()
                optimizer.step()
                {per_batch}
            {per_epoch}
    """
    assert codes(source.format(per_batch="scheduler.step()", per_epoch="pass")) == []
    assert codes(source.format(per_batch="pass", per_epoch="scheduler.step()")) == [(10, "LC005")]


def test_model_forward_loops_are_not_evaluation_passes() -> None:
    assert codes("""
        class Seq(nn.Module):
            def forward(self, x):
                outputs = []
                for step in x.split(1):
                    out = self.cell(step)
                    outputs += [out]
                return torch.cat(outputs)

        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            opt.zero_grad()
            criterion(model(x), y).backward()
            opt.step()
    """) == []


PYTEST_STYLE = """
    def test_model(model, loader):
        model.eval()
        for x, y in loader:
            assert model(x).shape == y.shape

    if __name__ == "__main__":
        test_model(model, test_loader)
"""


def test_functions_of_pytest_files_are_tests_not_evaluation_passes() -> None:
    for name in ("test_layers.py", "layers_test.py", "conftest.py"):
        assert codes(PYTEST_STYLE, path=name) == [], name


def test_a_function_named_test_in_a_script_is_an_evaluation_pass() -> None:
    assert codes(PYTEST_STYLE, path="train_mnist.py") == [(5, "LC007")]


def test_distributed_autograd_needs_no_zero_grad() -> None:
    assert codes("""
        import torch.distributed.autograd as dist_autograd
        for x, y in loader:
            with dist_autograd.context() as context_id:
                loss = criterion(model(x), y)
                dist_autograd.backward(context_id, [loss])
                opt.step(context_id)
    """) == []


def test_building_a_model_is_not_running_it() -> None:
    assert codes("""
        model = create_model("resnet18")
        processes = []
        for rank in range(4):
            p = mp.Process(target=train, args=(rank, model))
            p.start()
            processes.append(p)
    """) == []


def test_eval_mode_set_in_constructor_reaches_methods() -> None:
    assert codes("""
        class Runner:
            def __init__(self):
                self.model = create_model("resnet18")
                self.model.eval()

            @torch.no_grad()
            def run(self, loader):
                for x in loader:
                    self.model(x)
    """) == []


def test_chained_train_call_restores_training_mode() -> None:
    assert codes("""
        for epoch in range(3):
            for x, y in loader:
                optimizer.zero_grad()
                criterion(transformer(x), y).backward()
                optimizer.step()
                if save:
                    transformer.eval().cpu()
                    torch.save(transformer.state_dict(), path)
                    transformer.to(device).train()
    """) == []


def test_builtin_layer_without_dropout_needs_no_eval_but_needs_no_grad() -> None:
    source = """
        model = nn.Linear(784, 10)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        for x, y in test_loader:
            outputs = model(x)
    """
    assert codes(source) == [(9, "LC007")]
    assert codes(source.replace("nn.Linear(784, 10)", "nn.Sequential(nn.Linear(784, 10), nn.Dropout(0.2))")) == [
        (9, "LC006"),
        (9, "LC007"),
    ]


def test_model_built_and_moved_in_one_expression_keeps_its_class() -> None:
    assert codes("""
        class Tiny(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

        model = Tiny().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            for x, y in test_loader:
                outputs = model(x)
    """) == []


def test_custom_inference_mode_decorator_disables_grad() -> None:
    assert codes("""
        @smart_inference_mode()
        def run(model, loader):
            model.eval()
            preds = []
            for x in loader:
                y = model(x)
                preds.append(y.argsort(1)[:, :5])
                total += criterion(y, x)
    """) == []


def test_comprehension_over_outputs_that_keeps_only_shapes_is_not_retention() -> None:
    assert codes("""
        for m in modules:
            optimizer.zero_grad()
            y = model(x)
            y.sum().backward()
            optimizer.step()
            shapes = [tuple(t.shape) for t in (x, y)]
            results.append(shapes)
    """) == []


METER = """
    class AverageMeter:
        def __init__(self):
            self.sum, self.count = 0.0, 0

        def update(self, val, n=1):
            self.sum += val * n
            self.count += n

    meter = AverageMeter()
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        meter.update({value}, x.size(0))
"""


def test_meter_update_with_item_is_safe() -> None:
    assert codes(METER.format(value="loss.item()")) == []


def test_same_file_meter_that_keeps_a_graph_tensor_is_retention() -> None:
    assert codes(METER.format(value="loss")) == [(16, "LC009")]


RUNNING_MEAN = """
    class Averager:
        def __init__(self):
            self.n, self.v = 0, 0

        def add(self, x):
            self.v = {update}
            self.n += 1

    meter = Averager()
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        meter.add({value})
"""


def test_a_running_mean_that_folds_in_a_graph_tensor_is_retention() -> None:
    fold = "(self.v * self.n + x) / (self.n + 1)"
    assert codes(RUNNING_MEAN.format(update=fold, value="loss")) == [(16, "LC009")]
    assert codes(RUNNING_MEAN.format(update=fold, value="loss.item()")) == []
    # the latest value only, replaced at each call: nothing builds up
    assert codes(RUNNING_MEAN.format(update="x * 1.0", value="loss")) == []


def test_logger_method_appending_its_argument_is_retention() -> None:
    assert codes("""
        class History:
            def __init__(self):
                self.values = {}

            def log(self, key, value):
                self.values.setdefault(key, []).append(value)

        history = History()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            history.log("loss", loss)
    """) == [(15, "LC009")]


def test_helper_that_computes_under_no_grad_returns_no_graph() -> None:
    assert codes("""
        def accuracy(output, target):
            with torch.no_grad():
                return (output.argmax(1) == target).float().mean()

        def compute_loss(model, x, y):
            return criterion(model(x), y)

        for x, y in loader:
            optimizer.zero_grad()
            output = model(x)
            acc = accuracy(output, y)
            accs.append(acc)
            loss = compute_loss(model, x, y)
            loss.backward()
            optimizer.step()
            losses.append(loss)
    """) == [(17, "LC009")]


def test_ema_model_left_in_eval_mode_is_not_the_trained_model() -> None:
    assert codes("""
        class Trainer:
            def __init__(self, model, ema):
                self.model = model
                self.ema_model = ema
                self.opt = torch.optim.Adam(model.parameters())

            def train(self, loader):
                self.model.train()
                for step, x in enumerate(loader):
                    loss = self.model(x)
                    loss.backward()
                    self.opt.step()
                    self.opt.zero_grad()
                    if step % 100 == 0:
                        self.ema_model.eval()
                        with torch.no_grad():
                            samples = self.ema_model.sample(16)
    """) == []


def test_a_data_loop_calling_an_encoder_that_is_never_trained_is_no_evaluation_pass() -> None:
    assert codes("""
        class Names:
            def __init__(self):
                self.encoder = CharByteEncoder()

            def build(self, rows):
                samples = []
                for row in rows:
                    samples.append(self.encoder(row))
                return samples

        model = Classifier()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
    """) == []


def test_an_imported_helper_named_like_a_model_is_not_a_model_call() -> None:
    assert codes("""
        from tests.utils import fixed_init_model
        model = Classifier()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        for ref in references:
            fixed_init_model(ref)
    """) == []


def test_a_rollout_over_range_is_no_evaluation_pass() -> None:
    assert codes("""
        class Recipe:
            def rollout(self, prompts):
                with torch.no_grad():
                    for start in range(0, len(prompts), self.batch_size):
                        self._model(prompts[start:start + self.batch_size])

            def train(self):
                for batch in self._dataloader:
                    self.rollout(batch)
                    loss = self._model(batch).mean()
                    loss.backward()
                    self._optimizer.step()
                    self._optimizer.zero_grad()
    """) == []


def test_a_pretrained_model_starts_in_eval_mode() -> None:
    source = """
        from transformers import GPT2LMHeadModel
        model = GPT2LMHeadModel.from_pretrained("gpt2")
        {train}
        @torch.no_grad()
        def evaluate(model, examples):
            for tokens in examples:
                model(tokens)
        evaluate(model, data)
    """
    assert codes(source.format(train="")) == []
    assert codes(source.format(train="model.train()")) == [(8, "LC006")]


def test_a_callable_named_policy_in_a_file_that_trains_nothing_keeps_no_graph() -> None:
    assert codes("""
        def collect(self):
            elapsed = 0
            while frames < self.limit:
                actions, took = self.policy(observation)
                elapsed += took
    """) == []


def test_evaluation_right_before_leaving_the_loop_leaves_nothing_to_restore() -> None:
    assert codes("""
        def generate_example(model):
            model.eval()
            with torch.no_grad():
                for prompt in data.prompts:
                    model(prompt)

        model.train()
        while step < max_steps:
            batch = next(iterator)
            if done(batch):
                generate_example(model)
                break
            loss = model(batch)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    """) == []


def test_two_ifs_on_the_same_test_take_the_same_arm() -> None:
    assert codes("""
        for epoch in range(epochs):
            model.train()
            if train_text_encoder:
                text_encoder.train()
            for batch in loader:
                optimizer.zero_grad()
                loss = model(batch) + text_encoder(batch)
                loss.backward()
                optimizer.step()
                if step % validation_steps == 0:
                    model.eval()
                    if train_text_encoder:
                        text_encoder.eval()
                    with torch.no_grad():
                        for prompt in validation_prompts:
                            model(prompt)
                    model.train()
                    if train_text_encoder:
                        text_encoder.train()
    """) == []


def test_gan_phases_that_hold_the_other_network_in_eval_mode_are_intended() -> None:
    assert codes("""
        opt_g = torch.optim.Adam(generator.parameters())
        opt_d = torch.optim.Adam(disc.parameters())
        for step, batch in enumerate(loader):
            if step % 2 == 0:
                generator.train()
                disc.eval()
                loss_g = -disc(generator(batch)).mean()
                loss_g.backward()
                opt_g.step()
                opt_g.zero_grad()
            else:
                generator.eval()
                disc.train()
                loss_d = disc(generator(batch).detach()).mean() - disc(batch).mean()
                loss_d.backward()
                opt_d.step()
                opt_d.zero_grad()
    """) == []


def test_a_function_named_after_what_it_does_to_a_model_is_not_a_model() -> None:
    assert codes("""
        optimizer = torch.optim.AdamW(model.parameters())
        for batch in train_loader:
            loss = model(**batch).loss
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
        model.eval()
        for batch in eval_dataloader:
            with torch.no_grad():
                outputs = accelerator.unwrap_model(model).generate(**batch)
    """) == []


def test_a_loss_summed_from_parts_and_returned_is_not_retention_but_a_returned_epoch_total_is() -> None:
    assert codes("""
        def perceptual_loss(model, image, recon):
            feats, recon_feats = model(image), model(recon)
            loss = F.mse_loss(feats[0], recon_feats[0])
            for i in range(1, len(feats)):
                loss += F.mse_loss(feats[i], recon_feats[i])
            return loss / len(feats)

        def train_epoch(model, loader, optimizer):
            total = 0
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss
            return total / len(loader)
    """) == [(16, "LC009")]


def test_one_call_returning_an_optimizer_and_a_scheduler_gives_each_its_role() -> None:
    assert codes("""
        optimizer, lr_scheduler = utils.get_optimizer_and_scheduler(model)
        for batch in loader:
            optimizer.zero_grad()
            grad_scaler.scale(model(**batch).loss).backward()
            grad_scaler.step(optimizer)
            grad_scaler.update()
            lr_scheduler.step()
    """) == []


def test_an_optimizer_built_afresh_in_each_iteration_needs_no_zero_grad() -> None:
    assert codes("""
        for t in timesteps:
            x_in = latents.detach().clone()
            x_in.requires_grad = True
            opt = torch.optim.SGD([x_in], lr=0.1)
            loss = guidance_loss(unet(x_in, t))
            loss.backward()
            opt.step()
    """) == []


def test_a_new_optimizer_each_iteration_over_the_same_model_still_accumulates() -> None:
    assert codes("""
        for _ in range(5):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            loss = model(torch.randn(10, 5)).sum()
            loss.backward()
            optimizer.step()
    """) == [(5, "LC001")]


def test_clip_imported_from_torch_counts_and_a_framework_clip_does_not() -> None:
    source = """
        from torch.nn.utils import clip_grad_norm_
        from lightning_helpers import clip_gradients
        for x, y in loader:
            optimizer.zero_grad()
            scaler.scale(criterion(model(x), y)).backward()
            {clip}(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
    """
    assert codes(source.format(clip="clip_grad_norm_")) == [(7, "LC011")]
    assert codes(source.format(clip="clip_gradients")) == []


def test_comprehensions_are_loops_for_training_and_evaluation() -> None:
    source = """
        class Trainer:
            def __init__(self, model):
                self.model = model
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

            def run_batch(self, x, y):
                RESET
                loss = criterion(self.model(x), y)
                loss.backward()
                self.optimizer.step()
                return loss.item()

            def fit(self, loader, val_loader):
                for epoch in range(3):
                    self.model.train()
                    losses = [self.run_batch(x, y) for x, y in loader]
                    self.model.eval()
                    with GRAD:
                        correct = sum((self.model(x).argmax(1) == y).sum().item() for x, y in val_loader)

        trainer = Trainer(model)
        trainer.fit(train_loader, val_loader)
    """
    clean = source.replace("RESET", "self.optimizer.zero_grad()").replace("GRAD", "torch.no_grad()")
    assert codes(clean) == []
    buggy = source.replace("RESET", "pass").replace("GRAD", "contextlib.nullcontext()")
    assert codes(buggy) == [(10, "LC001"), (20, "LC007")]


KEYED_BATCH = """
    import torch

    class Trainer:
        def train_batch(self, x, y):
            self.optimizer.zero_grad()
            output = self.network(x)
            loss = self.loss_fn(output, y)
            loss.backward()
            self.optimizer.step()
            loss_value = {value}
            outs = {{"loss": loss_value, "y_preds": output}}
            return outs

        def train_epoch(self, loader):
            total = 0
            preds = []
            for x, y in loader:
                outs = self.train_batch(x, y)
                preds.append(outs["y_preds"].detach().cpu().numpy())
                total += outs["loss"]
            return total
"""


def test_a_dict_returned_by_a_helper_carries_a_graph_only_under_the_keys_that_hold_one() -> None:
    # `outs["loss"]` is the float the helper put there; `outs["y_preds"]` would carry the graph
    assert codes(KEYED_BATCH.format(value="loss.item()")) == []
    assert codes(KEYED_BATCH.format(value="loss")) == [(21, "LC009")]


def test_a_dict_written_key_by_key_keeps_what_each_key_holds() -> None:
    assert codes("""
        total = 0
        for x, y in loader:
            optimizer.zero_grad()
            out = model(x)
            loss = criterion(out, y)
            loss.backward()
            optimizer.step()
            logs = {"out": out}
            logs["loss"] = loss.item()
            total += logs["loss"]
            logs["loss"] = loss
            total += logs["loss"]
    """) == [(13, "LC009")]


MONAI_EVAL_MODE = """
    import torch
    from monai.networks import eval_mode
    from monai.networks.nets import DenseNet121

    model = DenseNet121(spatial_dims=2, in_channels=1, out_channels=6)
    optimizer = torch.optim.Adam(model.parameters())
    for epoch in range(10):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = loss_function(model(x), y)
            loss.backward()
            optimizer.step()
        {context}:
            correct = 0
            for x, y in val_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        print(correct)
"""


def test_monai_eval_mode_sets_eval_mode_and_turns_gradients_off() -> None:
    # monai.networks.eval_mode(*nets): eval() on each net and torch.no_grad() for the block, then
    # each net back in the mode it was in
    assert codes(MONAI_EVAL_MODE.format(context="with eval_mode(model)")) == []
    assert codes(MONAI_EVAL_MODE.format(context="with torch.no_grad()")) == [(18, "LC006")]
    assert codes(MONAI_EVAL_MODE.format(context="with train_mode(model)").replace("import eval_mode", "import train_mode")) == [
        (18, "LC006"), (18, "LC007")
    ]


def test_monai_eval_mode_puts_the_model_back_in_its_mode_after_the_block() -> None:
    no_train_call = MONAI_EVAL_MODE.replace("        model.train()\n", "")
    assert codes(no_train_call.format(context="with eval_mode(model)")) == []
    # without the context manager, an eval() in the epoch loop is never undone
    switched = no_train_call.format(context="model.eval()\n        with torch.no_grad()")
    assert [code for _, code in codes(switched)] == ["LC008"]


def test_a_chosen_context_manager_that_sets_no_grad_mode_keeps_the_mode_around_it() -> None:
    source = """
        import torch
        from contextlib import nullcontext

        model = Net()
        model.eval()
        with torch.no_grad():
            for x, y in loader:
                with {inner}:
                    out = model(x)
                print((out.argmax(1) == y).float().mean().item())
    """
    assert codes(source.format(inner="torch.autocast('cuda') if amp else nullcontext()")) == []
    ungarded = source.replace("with torch.no_grad():", "if True:")
    assert codes(ungarded.format(inner="torch.autocast('cuda') if amp else nullcontext()")) == [(10, "LC007")]


def test_an_objects_zero_grad_resets_its_own_optimizer_over_its_parameters() -> None:
    source = """
        import torch
        import torch.nn as nn

        class Recommender(nn.Module):
            def __init__(self):
                super().__init__()
                self.embedding = nn.Embedding(100, 16)
                self.optimizer = torch.optim.Adam(self.parameters(), lr=0.001)

            def forward(self, x):
                return self.embedding(x).sum()

        def train_epoch(model, batches):
            for x in batches:
                {reset}
                loss = model(x)
                loss.backward()
                model.optimizer.step()

        net = Recommender()
        train_epoch(net, loader)
    """
    assert codes(source.format(reset="model.zero_grad()")) == []
    assert codes(source.format(reset="pass")) == [(18, "LC001")]


def test_a_model_method_that_trains_the_model_keeps_what_it_sums_across_its_steps() -> None:
    source = """
        import torch
        import torch.nn as nn

        class Recommender(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 1)
                self.optimizer = torch.optim.Adam(self.parameters(), lr=0.001)

            def fit(self, batches, epochs):
                for epoch in range(epochs):
                    epoch_loss = 0.0
                    for x, y in batches:
                        self.optimizer.zero_grad()
                        batch_loss = nn.functional.mse_loss(self.net(x), y)
                        batch_loss.backward()
                        self.optimizer.step()
                        epoch_loss += {value}
                    print(epoch_loss)

            def forward(self, steps):
                outputs = []
                for x in steps:
                    outputs.append(self.net(x))
                return torch.stack(outputs)
    """
    assert codes(source.format(value="batch_loss")) == [(19, "LC009")]
    assert codes(source.format(value="batch_loss.item()")) == []


def test_a_tensor_made_like_another_carries_no_graph() -> None:
    source = """
        import torch

        noises = []
        for x, y in loader:
            optimizer.zero_grad()
            out = model(x)
            loss = criterion(out, y)
            loss.backward()
            optimizer.step()
            noise = {made} * 0.1
            noises.append(noise)
    """
    assert codes(source.format(made="torch.randn_like(out)")) == []
    assert codes(source.format(made="torch.zeros_like(out)")) == []
    assert codes(source.format(made="torch.tanh(out)")) == [(12, "LC009")]


def test_a_few_samples_gathered_for_one_call_are_not_kept_past_it() -> None:
    source = """
        import torch

        def augmented_loss(model, x, y, K):
            outs = []
            for i in {loop}:
                outs.append(model(x + 0.1 * torch.randn_like(x)))
            outs = torch.cat(outs, 0)
            loss = criterion(outs, y.repeat(K))
            return loss

        for x, y in loader:
            optimizer.zero_grad()
            loss = augmented_loss(model, x, y, 4)
            loss.backward()
            optimizer.step()
    """
    assert codes(source.format(loop="range(K)")) == []
    # gathered over data, they are an epoch's worth of graphs
    assert codes(source.format(loop="range(len(dataset))")) == [(7, "LC009")]


def test_a_model_method_that_saves_the_model_itself_is_no_checkpoint_handed_in() -> None:
    # `torch.save(self, path)` in a method called with no arguments used to crash LC012
    source = """
        import torch
        import torch.nn as nn

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def save(self, path="model.pt"):
                torch.save(self, path)
                return path

        model = Classifier()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(3):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.save()
    """
    assert codes(source) == []


def test_a_module_built_only_from_torchaudio_transforms_records_no_graph() -> None:
    source = """
        import torch
        import torch.nn.functional as F
        from torchaudio.transforms import MelSpectrogram

        class LogMel(torch.nn.Module):
            def __init__(self, **kwargs):
                super().__init__()
                self.backend = {backend}

            def forward(self, x):
                return self.backend(x).clamp(min=1e-5).log10()

        model = Vocoder()
        optimizer = torch.optim.Adam(model.parameters())
        mel_fn = LogMel(sample_rate=22050)
        for epoch in range(10):
            for audio in loader:
                optimizer.zero_grad()
                F.l1_loss(model(mel_fn(audio)), audio).backward()
                optimizer.step()
            for audio in test_audios:
                mels = mel_fn(audio)
                print(mels.mean().item())
    """
    assert codes(source.format(backend="MelSpectrogram(**kwargs)")) == []


def test_a_function_redefined_later_in_a_notebook_keeps_the_callers_of_its_name() -> None:
    # `worker` runs (cell 15) while the first `run_episode` is the one defined; a later cell
    # redefines it for the next section. Either may be what `worker` calls: both have it as caller
    source = """
        import torch

        def worker(model, optimizer, env):
            for i in range(100):
                optimizer.zero_grad()
                values, rewards = run_episode(env, model)
                update_params(optimizer, values, rewards)

        def run_episode(env, model):
            values, rewards = [], []
            done = False
            while not done:
                value = model(env.state)
                values.append(value)
                reward, done = env.step()
                rewards.append(reward)
            return values, rewards

        def update_params(optimizer, values, rewards):
            loss = (torch.stack(values) - torch.tensor(rewards)).pow(2).sum()
            loss.backward()
            optimizer.step()

        worker(model, torch.optim.Adam(model.parameters()), env)

        def run_episode(env, model, n_steps=10):
            values, rewards = [], []
            for step in range(n_steps):
                values.append(model(env.state))
                rewards.append(env.step()[0])
            return values, rewards
    """
    assert codes(source) == []
