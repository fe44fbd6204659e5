"""Mode and grad context across calls, and evaluation passes wherever they are (issue 7, items 3
and 4): eval() on a model covers its submodules, eval()/no_grad two callers up cover a helper, a
saved training flag restores, framework-run hooks are no passes of ours, a bound method is no
model, a one-batch loop that initialises lazy modules is no pass, a frozen model may stay in eval
mode; single forwards, validation inside the training loop and `run_epoch(train=False)` are passes."""
from __future__ import annotations

import textwrap

from loopcheck.engine import lint_source

NET = """
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5))
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.encoder(x))


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""


def codes(source: str, path: str = "context.py") -> list[tuple[str, str]]:
    """(code, text of the reported line) for the findings of NET followed by `source`."""
    text = NET + textwrap.dedent(source)
    findings, errors = lint_source(text, path)
    assert errors == []
    lines = text.splitlines()
    return [(f.code, lines[f.line - 1].strip()) for f in findings]


def test_eval_on_a_model_covers_its_submodules() -> None:
    assert codes("""
        def embed(loader):
            model.eval()
            with torch.no_grad():
                return [model.encoder(x) for x, _ in loader]

        embed(val_loader)
    """) == []


def test_eval_and_no_grad_two_callers_up_cover_the_helper() -> None:
    source = """
        def predict(model, x):
            return model(x).argmax(1)

        def score(model, loader):
            return sum((predict(model, x) == y).sum().item() for x, y in loader)

        def validate(model, loader):
            MODE
            with GRAD:
                return score(model, loader)

        validate(model, val_loader)
    """
    assert codes(source.replace("MODE", "model.eval()").replace("GRAD", "torch.no_grad()")) == []
    assert codes(source.replace("MODE", "pass").replace("GRAD", "torch.no_grad()")) == [
        ("LC006", "return model(x).argmax(1)")
    ]


def test_every_call_chain_must_set_the_context() -> None:
    source = """
        def predict(model, x):
            return model(x).argmax(1)

        def validate(model, loader):
            model.eval()
            with torch.no_grad():
                return [predict(model, x) for x, _ in loader]

        validate(model, val_loader)
        model.eval()
        test_predictions = predict(model, test_x)
    """
    assert codes(source) == [("LC007", "return model(x).argmax(1)")]


def test_a_helper_that_saves_and_restores_the_training_flag_restores() -> None:
    source = """
        def evaluate(model, loader):
            was_training = model.training
            model.eval()
            with torch.no_grad():
                accuracy = sum((model(x).argmax(1) == y).sum().item() for x, y in loader)
            RESTORE
            return accuracy

        for epoch in range(3):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            evaluate(model, val_loader)
    """
    assert codes(source.replace("RESTORE", "model.train(was_training)")) == []
    assert codes(source.replace("RESTORE", "pass")) == [("LC008", "evaluate(model, val_loader)")]


def test_methods_a_framework_runs_in_eval_mode_are_no_passes_of_ours() -> None:
    assert codes("""
        class Lit(nn.Module):
            def forward(self, x):
                return self.net(x)

        class Module(LightningModule):
            def __init__(self):
                super().__init__()
                self.net = Net()

            def validation_step(self, batch, batch_idx):
                x, y = batch
                return nn.functional.cross_entropy(self.net(x), y)

            def predict_step(self, batch, batch_idx):
                return self.net(batch[0]).argmax(1)
    """) == []


def test_a_bound_method_stored_in_a_variable_is_no_model() -> None:
    assert codes("""
        def sample(model, prompts):
            generator = model.generate
            with torch.no_grad():
                return [generator(p) for p in prompts]

        sample(model, prompts)
    """) == []


def test_a_loop_that_runs_one_forward_to_initialise_lazy_modules_is_no_pass() -> None:
    assert codes("""
        def initialise(model, loader):
            for x, _ in loader:
                model(x)
                break

        initialise(model, train_loader)
    """) == []


def test_a_frozen_model_kept_in_eval_mode_needs_no_train() -> None:
    assert codes("""
        teacher = Net()
        teacher.eval()
        for epoch in range(3):
            for x, y in train_loader:
                with torch.no_grad():
                    soft = teacher(x).softmax(1)
                optimizer.zero_grad()
                nn.functional.kl_div(model(x).log_softmax(1), soft).backward()
                optimizer.step()
            teacher.eval()
    """) == []


def test_a_single_forward_on_the_whole_graph_in_test_is_a_pass() -> None:
    assert codes("""
        def test():
            model.eval()
            output = model(features)
            return (output[idx_test].argmax(1) == labels[idx_test]).float().mean().item()

        test()
    """) == [("LC007", "output = model(features)")]


def test_validation_every_k_steps_inside_the_training_loop_is_a_pass() -> None:
    assert codes("""
        for step, (x, y) in enumerate(train_loader):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
            if step % 100 == 0:
                val_output = model(val_x)
                print((val_output.argmax(1) == val_y).float().mean().item())
    """) == [("LC006", "val_output = model(val_x)"), ("LC007", "val_output = model(val_x)")]


def test_a_validation_loop_nested_in_the_training_loop_is_a_pass() -> None:
    assert codes("""
        for step, (x, y) in enumerate(train_loader):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
            if step % 500 == 0:
                model.eval()
                correct = 0
                for xv, yv in val_loader:
                    correct += (model(xv).argmax(1) == yv).sum().item()
                model.train()
    """) == [("LC007", "correct += (model(xv).argmax(1) == yv).sum().item()")]


def test_a_function_named_test_in_a_script_is_a_pass_and_in_a_pytest_file_is_not() -> None:
    source = """
        def test_model(loader):
            for x, y in loader:
                print(model(x).argmax(1))

        if __name__ == "__main__":
            test_model(test_loader)
    """
    assert codes(source) == [("LC006", "print(model(x).argmax(1))"), ("LC007", "print(model(x).argmax(1))")]
    # pytest calls it (the file does not): a test
    collected = source.split("if __name__")[0]
    assert codes(collected, path="test_model.py") == []
    # one that asserts is a test, whoever else calls it
    checked = source.replace("print(model(x).argmax(1))", "assert model(x).argmax(1).shape == y.shape")
    assert codes(checked, path="test_model.py") == []
    # and so is one whose results the file compares with what they must be
    compared = source.replace("print(model(x).argmax(1))", "print(torch.allclose(model(x), y))")
    assert codes(compared, path="test_model.py") == []
    # a file that runs its `test_model` itself and checks nothing is a script only named so
    assert codes(source, path="test_model.py") == [
        ("LC006", "print(model(x).argmax(1))"), ("LC007", "print(model(x).argmax(1))")
    ]


def test_a_forward_whose_output_is_backwarded_later_is_training() -> None:
    assert codes("""
        output = model(x_train)
        loss = nn.functional.cross_entropy(output, y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    """) == []


def test_an_unseen_caller_decides_the_context_of_an_uncalled_function() -> None:
    # a callback handed to a framework, or a library function: its caller is not in the project
    assert codes("""
        def evaluate(model, loader):
            return [model(x).argmax(1) for x, _ in loader]

        metrics = {"accuracy": evaluate}
    """) == []


RUN_EPOCH = """
def run_epoch(model, loader, optimizer=None, train=True):
    MODE
    total = 0.0
    with GRAD:
        for x, y in loader:
            out = model(x)
            loss = nn.functional.cross_entropy(out, y)
            if train:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item()
    return total

for epoch in range(3):
    run_epoch(model, train_loader, optimizer, train=True)
    run_epoch(model, val_loader, train=False)
"""


def test_a_shared_run_epoch_is_analysed_for_each_flag_value_its_callers_pass() -> None:
    buggy = RUN_EPOCH.replace("MODE", "model.train()").replace("GRAD", "contextlib.nullcontext()")
    assert codes(buggy) == [("LC006", "out = model(x)"), ("LC007", "out = model(x)")]
    clean = RUN_EPOCH.replace("MODE", "model.train(train)").replace("GRAD", "torch.set_grad_enabled(train)")
    assert codes(clean) == []
