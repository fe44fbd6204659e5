"""LC009 reports only a value that carries an autograd graph: a floating tensor produced by a model
call or a differentiable op on one. Numbers, integer and bool tensors, NumPy and scikit-learn
results, metric objects and what a project helper returns as a number carry none (issue 7, item 2)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths, lint_source

LOOP = """
import numpy as np
import torch
import torch.nn as nn
import torchmetrics
from sklearn.metrics import f1_score

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()
metric = torchmetrics.Accuracy(task="multiclass", num_classes=3)
kept = []
for x, y in loader:
    optimizer.zero_grad()
    out = model(x)
    loss = criterion(out, y)
    loss.backward()
    optimizer.step()
    STORE
"""


def retained(store: str, prelude: str = "") -> list[str]:
    """The statements LC009 reports, as text."""
    source = textwrap.dedent(prelude) + LOOP.replace("STORE", store)
    findings, errors = lint_source(source, "values.py")
    assert errors == []
    lines = source.splitlines()
    return [lines[f.line - 1].strip() for f in findings if f.code == "LC009"]


@pytest.mark.parametrize(
    "store",
    [
        "kept.append(loss.item())",
        "kept.append(float(loss))",
        "kept.append(int(out.argmax()))",
        "kept.append(str(loss))",
        "kept.append(out.argmax(1))",
        "kept.append(out > 0)",
        "kept.append((out.argmax(1) == y).sum())",
        "kept.append(out.round().to(torch.long))",
        "kept.append(out.long())",
        "kept.append(out.bool())",
        "kept.append(np.mean(out.detach().numpy()))",
        "kept.append(f1_score(y, out.argmax(1)))",
        "kept.append(metric(out, y))",
        "kept.append(out.max(1)[1])",
        "kept.append(torch.max(out, 1)[1])",
        "kept.append(loss.detach())",
        "kept.append(out.shape)",
    ],
)
def test_values_that_carry_no_graph_are_not_retention(store: str) -> None:
    assert retained(store) == []


@pytest.mark.parametrize(
    "store",
    ["kept.append(loss)", "kept.append(out)", "kept.append(out.softmax(1))", "kept.append(torch.max(out, 1)[0])",
     "kept.append(criterion(out, y) * 2)", "kept.append([loss, loss.item()])"],
)
def test_values_made_from_a_model_output_are_retention(store: str) -> None:
    assert retained(store) == [store]


def test_indices_unpacked_from_max_carry_no_graph() -> None:
    assert retained("_, predicted = torch.max(out, 1)\n    kept.append(predicted)") == []
    assert retained("best, _ = torch.max(out, 1)\n    kept.append(best)") == ["kept.append(best)"]


def test_a_project_helper_that_returns_a_number_makes_a_number() -> None:
    helper = """
        def accuracy(output, target):
            return (output.argmax(1) == target).float().mean().item()
    """
    assert retained("kept.append(accuracy(out, y))", helper) == []


def test_a_loss_helper_that_calls_no_model_returns_a_graph_when_its_input_carries_one() -> None:
    helper = """
        def smooth_l1(prediction, target):
            diff = (prediction - target).abs()
            return torch.where(diff < 1, 0.5 * diff ** 2, diff - 0.5).mean()
    """
    assert retained("kept.append(smooth_l1(out, y.float()))", helper) == ["kept.append(smooth_l1(out, y.float()))"]
    assert retained("kept.append(smooth_l1(y.float(), y.float()))", helper) == []


def test_only_the_returned_elements_that_carry_a_graph_do() -> None:
    helper = """
        def step(model, x, y):
            out = model(x)
            loss = nn.functional.cross_entropy(out, y)
            return loss, x.size(0), {"loss": loss.item()}
    """
    assert retained("l, n, logs = step(model, x, y)\n    kept.append(n)\n    kept.append(logs)", helper) == []
    assert retained("l, n, logs = step(model, x, y)\n    kept.append(l)", helper) == ["kept.append(l)"]


def test_a_sum_reset_every_k_iterations_still_keeps_k_graphs() -> None:
    source = """
        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        running = 0
        for step, (x, y) in enumerate(loader):
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            running += loss
            if step % 100 == 0:
                print(running / 100)
                running = 0
    """
    findings, _ = lint_source("import torch\nimport torch.nn as nn\n" + textwrap.dedent(source), "values.py")
    assert [(f.line, f.code) for f in findings] == [(12, "LC009")]


def test_a_sum_made_afresh_every_iteration_keeps_nothing() -> None:
    source = """
        import torch
        model = torch.nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            total = 0
            for head in range(3):
                total += ((model(x) - y) ** 2).mean()
            optimizer.zero_grad()
            total.backward()
            optimizer.step()
    """
    assert lint_source(textwrap.dedent(source), "values.py")[0] == []


def test_methods_of_model_classes_other_than_forward_are_training_code() -> None:
    source = """
        import torch
        import torch.nn as nn

        class Learner(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 1)
                self.opt = torch.optim.SGD(self.net.parameters(), lr=0.1)
                self.history = []

            def forward(self, x):
                return self.net(x)

            def fit(self, loader):
                for x, y in loader:
                    self.opt.zero_grad()
                    loss = ((self(x) - y) ** 2).mean()
                    loss.backward()
                    self.opt.step()
                    self.history.append(loss)

        learner = Learner()
        learner.fit(loader)
    """
    findings, _ = lint_source(textwrap.dedent(source), "values.py")
    assert [(f.line, f.code) for f in findings] == [(21, "LC009")]


def test_a_fixed_key_overwritten_every_iteration_is_not_retention() -> None:
    assert retained('logs = {}\n    logs["loss"] = loss') == []
    assert retained("log = {}\n    log[len(log)] = loss") == []  # `log` is made afresh each iteration
    prelude = "history = {}\n"
    assert retained("history[len(history)] = loss", prelude) == ["history[len(history)] = loss"]


def test_writing_slices_of_a_preallocated_tensor_is_not_retention() -> None:
    prelude = "outputs = torch.zeros(100, 3)\n"
    assert retained("outputs[len(kept)] = out", prelude) == []


def test_a_graph_made_before_the_loop_is_shared_not_kept_per_iteration() -> None:
    source = """
        import torch
        model = torch.nn.Linear(4, 4)
        features = model(torch.randn(8, 4))
        parts = []
        for i in range(4):
            parts.append(features[:, i])
    """
    assert lint_source(textwrap.dedent(source), "values.py")[0] == []


REPLACING_HELPER = """
def reduce_all(variables):
    for i in range(len(variables)):
        if not torch.is_tensor(variables[i]):
            variables[i] = torch.tensor(variables[i])
        torch.distributed.all_reduce(variables[i])
        REPLACE
    return variables
"""


@pytest.mark.parametrize("replace", [
    "variables[i] = variables[i].item()",
    "variables[i] = float(variables[i])",
])
@pytest.mark.parametrize("unpack", ["[loss] = reduce_all([loss])", "loss, = reduce_all(variables=[loss])",
                                    "loss = reduce_all([loss])[0]"])
def test_a_helper_replacing_every_element_by_a_number_returns_no_graph(replace: str, unpack: str) -> None:
    """`for i in range(len(values)): values[i] = values[i].item()` turns every element of the list
    it returns into a number: what the caller unpacks from it carries no graph."""
    prelude = REPLACING_HELPER.replace("REPLACE", replace)
    assert retained(f"{unpack}\n    kept.append(loss)", prelude) == []


@pytest.mark.parametrize("replace", [
    "if i == 0:\n            variables[i] = variables[i].item()",  # only some elements
    "variables[0] = variables[0].item()",  # one element, not each
    "variables[i] = variables[i] * 2",  # each element still a tensor with its graph
])
def test_a_helper_leaving_some_elements_tensors_still_returns_a_graph(replace: str) -> None:
    prelude = REPLACING_HELPER.replace("REPLACE", replace)
    assert retained("[loss] = reduce_all([loss])\n    kept.append(loss)", prelude) == ["kept.append(loss)"]


def test_replacing_elements_by_enumerate_index_counts_too() -> None:
    prelude = """
    def to_numbers(values):
        for i, _ in enumerate(values):
            values[i] = values[i].item()
        return values
    """
    assert retained("[loss] = to_numbers([loss])\n    kept.append(loss)", prelude) == []


@pytest.mark.parametrize("made", ['{"width": 0.0, "center": 0.0}', "dict()", "{}"])
def test_adding_a_tensor_to_a_dict_raises_and_keeps_nothing(made: str) -> None:
    """`other_loss = {...}` then `other_loss += loss` raises TypeError (a dict has no `+=` for a
    tensor): the loop stops there, nothing is kept. Bound to a number, the same sum keeps graphs."""
    assert retained("other_loss += loss", f"other_loss = {made}\n") == []
    assert retained("other_loss += loss", "other_loss = 0.0\n") == ["other_loss += loss"]


def test_the_object_that_runs_a_backward_carries_no_graph() -> None:
    """`accelerator.backward(loss)`: the loss carries the graph, the accelerator runs its backward;
    what the accelerator hands back afterwards (`accelerator.gather_for_metrics(n)` of a count read
    from the batch) carries none. `loss.backward()` still proves the loss carries one."""
    prelude = """
    from accelerate import Accelerator
    accelerator = Accelerator()
    """
    store = "accelerator.backward(loss)\n    n = accelerator.gather_for_metrics(x.sum())\n    kept.append(n)"
    assert retained(store, prelude) == []
    assert retained("kept.append(loss)\n    accelerator.backward(loss)", prelude) == ["kept.append(loss)"]


def test_a_comprehension_does_not_rebind_the_names_of_its_function() -> None:
    """`[f(u_hat) for u, u_hat in zip(us, u_hats)]` binds `u_hat` in the comprehension only (Python
    3): the `u_hat` that fed the training loop's backward is not the list `u_hats` the evaluation
    loop filled with graph-carrying outputs, so that list does not build the loss."""
    source = textwrap.dedent("""
    import numpy as np
    import torch


    def run(net, opt, ds):
        for epoch in range(10):
            for x, u in ds:
                u_hat = net(x)
                loss = torch.nn.functional.mse_loss(u_hat, u)
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
        u_hats = []
        for x, u in ds:
            u_hat = net(x)
            u_hats.append(u_hat)
        return np.array([(u_hat ** 2).mean().detach().numpy() for u_hat in u_hats])
    """)
    findings, errors = lint_source(source, "run.py")
    assert errors == []
    found = [(f.code, f.line) for f in findings if f.code == "LC009"]
    assert found == [("LC009", 18)]


def test_a_loop_of_arithmetic_on_one_forwards_results_keeps_no_graph_per_iteration() -> None:
    """Grad-CAM style: one forward, then `for i in range(len(feats)): cam += ups(feats[i] * w[i])`
    over its layers. No model runs in the loop and it iterates no data: the graphs kept are that one
    forward's (plus a few ops per layer), not one per batch. A model run in such a loop keeps one
    graph per iteration (LC009)."""
    source = textwrap.dedent("""
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3))
    ups = nn.UpsamplingBilinear2d(size=(32, 32))
    out = model(image)
    feats = [out, torch.relu(out)]
    cam = torch.zeros(1, 1, 32, 32)
    for i in range(len(feats)):
        cam += ups(BODY.mean(1, keepdim=True))
    print(cam.sum().item())
    """)
    def lc009(text: str) -> list[int]:
        findings, errors = lint_source(text, "cam.py")
        assert errors == []
        return [f.line for f in findings if f.code == "LC009"]

    assert lc009(source.replace("BODY", "feats[i]")) == []
    assert lc009(source.replace("BODY", "model(image)")) == [11]


def test_a_forward_that_reads_its_own_parameters_returns_a_graph() -> None:
    """A factorisation model whose forward indexes its `nn.Parameter` tables (no layer called):
    what it returns carries a graph, so its test loop without `no_grad` keeps one per batch when
    it appends the loss (LC009). A parameter made with `requires_grad=False` records none."""
    source = textwrap.dedent("""
    import torch
    import torch.nn as nn


    class Factorisation(nn.Module):
        def __init__(self, users, items, dim):
            super().__init__()
            self.w_user = nn.Parameter(torch.empty(users, dim), requires_grad=FLAG)
            self.w_item = nn.Parameter(torch.empty(items, dim), requires_grad=FLAG)

        def forward(self, u, i):
            return (torch.index_select(self.w_user, 0, u) * torch.index_select(self.w_item, 0, i)).sum(-1)


    def test_epoch(model, loader):
        model.eval()
        losses = []
        for u, i, r in loader:
            rmse = torch.sqrt(nn.functional.mse_loss(model(u, i), r))
            losses.append(rmse)
        return float(sum(losses) / len(losses))


    test_epoch(Factorisation(10, 20, 4), test_loader)
    """)
    def lc009(text: str) -> list[int]:
        findings, errors = lint_source(text, "pmf.py")
        assert errors == []
        return [f.line for f in findings if f.code == "LC009"]

    assert lc009(source.replace("FLAG", "True")) == [21]
    assert lc009(source.replace("FLAG", "False")) == []


def test_a_buffer_whose_getter_hands_its_contents_to_the_update_keeps_them_for_it() -> None:
    """A rollout buffer object: `store_action(log_prob)` per step, `get_tensors()` returning
    `torch.cat(self.action_buffer)` in a tuple, the agent's `update()` handing that element to a
    policy method that backwards it. The graphs are kept for the update, as policy-gradient methods
    want. The other element, read back only detached, keeps its graphs for nothing (LC009)."""
    source = textwrap.dedent("""
    import torch
    import torch.nn as nn


    class Buffer:
        def __init__(self):
            self.action_buffer = []
            self.old_action_buffer = []

        def store_action(self, log_prob):
            self.action_buffer.append(log_prob)

        def store_old_action(self, old_log_prob):
            self.old_action_buffer.append(old_log_prob)

        def get_tensors(self):
            actions = torch.cat(self.action_buffer)
            old_actions = torch.cat(self.old_action_buffer)
            return actions, old_actions


    class Policy(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)
            self.optimizer = torch.optim.Adam(self.parameters())

        def forward(self, x):
            return torch.log_softmax(self.fc(x), -1)

        def optimize(self, ratio):
            self.optimizer.zero_grad()
            (-ratio.mean()).backward()
            self.optimizer.step()


    class Agent:
        def __init__(self):
            self.policy = Policy()
            self.old_policy = Policy()
            self.buffer = Buffer()

        def update(self):
            actions, old_actions = self.buffer.get_tensors()
            ratio = actions / old_actions.detach()
            self.policy.optimize(ratio)

        def train(self, env, epochs, steps):
            for epoch in range(epochs):
                state = env.reset()
                for step in range(steps):
                    log_prob = self.policy(torch.as_tensor(state))[0]
                    old_log_prob = self.old_policy(torch.as_tensor(state))[0]
                    self.buffer.store_action(log_prob)
                    self.buffer.store_old_action(old_log_prob)
                    state, reward, done, info = env.step(0)
                self.update()


    Agent().train(env, 10, 100)
    """)
    findings, errors = lint_source(source, "agent.py")
    assert errors == []
    lines = source.splitlines()
    assert [lines[f.line - 1].strip() for f in findings if f.code == "LC009"] == ["self.buffer.store_old_action(old_log_prob)"]


PER_EPOCH_OUTPUTS = """
import torch
import torch.nn as nn


def training(model, loader, train_output, epoch, optimizer, criterion):
    total = 0.0
    for img, _ in loader:
        optimizer.zero_grad()
        recon = model(img)
        loss = criterion(recon, img)
        loss.backward()
        optimizer.step()
        total += loss.item()
    train_output.append((epoch, img, STORED))
    return total


def main(loader):
    model = nn.Linear(4, 4)
    optimizer = torch.optim.Adam(model.parameters())
    criterion = nn.MSELoss()
    train_output = []
    for epoch in range(10):
        FRESH
        training(model, loader, train_output, epoch, optimizer, criterion)
    AFTER
"""


@pytest.mark.parametrize(
    ("stored", "fresh", "after", "expected"),
    [
        # the caller's list, made once before its epoch loop, keeps every epoch's last output and graph
        ("recon", "pass", "pass", ["train_output.append((epoch, img, recon))"]),
        ("recon.detach()", "pass", "pass", []),
        ("recon.cpu().detach().numpy()", "pass", "pass", []),
        # a list made afresh for every call holds one epoch's output at a time
        ("recon", "train_output = []", "pass", []),
        # what the calls gathered is backwarded: kept for that backward, as wanted
        ("recon", "pass", "torch.stack([o[2] for o in train_output]).sum().backward()", []),
    ],
)
def test_a_helper_appending_its_last_output_to_the_callers_list_keeps_one_graph_per_call(
    stored: str, fresh: str, after: str, expected: list[str]
) -> None:
    source = PER_EPOCH_OUTPUTS.replace("STORED", stored).replace("FRESH", fresh).replace("AFTER", after)
    findings, errors = lint_source(source, "autoencoder.py")
    assert errors == []
    lines = source.splitlines()
    assert [lines[f.line - 1].strip() for f in findings if f.code == "LC009"] == expected


def test_a_helper_appending_to_the_callers_list_called_once_keeps_one_graph() -> None:
    source = PER_EPOCH_OUTPUTS.replace("STORED", "recon").replace("FRESH", "pass").replace("AFTER", "pass").replace(
        "    for epoch in range(10):\n        pass\n        training", "    epoch = 0\n    if True:\n        training"
    )
    assert "for epoch" not in source
    findings, errors = lint_source(source, "autoencoder.py")
    assert errors == []
    assert [f.code for f in findings if f.code == "LC009"] == []


_TRAINER_KEEPING = """
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.Adam(model.parameters())
        self.loss_history = []

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = nn.functional.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        self.loss_history.append(STORED)

    def fit(self, loader, epochs):
        for epoch in range(epochs):
            EMPTY
            for x, y in loader:
                self.step(x, y)


if __name__ == "__main__":
    Trainer(Net()).fit(loader, 10)
"""


@pytest.mark.parametrize(
    ("stored", "empty", "expected"),
    [
        # each per-batch call keeps its loss's graph in the object's list, for every later call
        ("loss", "pass", [("LC009", 26)]),
        ("loss.item()", "pass", []),
        # emptied by the class at each epoch: every batch's graph of the epoch is still kept
        ("loss", "self.loss_history = []", [("LC009", 26)]),
        ("loss", "self.loss_history.clear()", [("LC009", 26)]),
    ],
)
def test_a_per_batch_method_appending_to_its_objects_list_keeps_every_calls_graph(
    stored: str, empty: str, expected: list[tuple[str, int]]
) -> None:
    """A trainer's `step()`, called once per batch from `fit()`, appends its loss to
    `self.loss_history`, a list the object keeps across calls: the method has no loop of its own,
    yet every batch's graph is kept, as if it were appended in the loop."""
    found, errors = lint_source(_TRAINER_KEEPING.replace("STORED", stored).replace("EMPTY", empty), "trainer.py")
    assert errors == []
    assert [(f.code, f.line) for f in found] == expected


@pytest.mark.parametrize(
    ("after_step", "expected"),
    [
        ("pass", [("LC009", 26)]),
        # emptied in the same loop, after each call: one call's graph at a time
        ("self.loss_history = []", []),
        ("self.reset_history()", []),
    ],
)
def test_a_list_emptied_in_the_loop_that_calls_the_method_keeps_one_calls_graph(
    after_step: str, expected: list[tuple[str, int]]
) -> None:
    source = _TRAINER_KEEPING.replace("STORED", "loss").replace("EMPTY", "pass").replace(
        "                self.step(x, y)\n", f"                self.step(x, y)\n                {after_step}\n"
    ).replace(
        "    def fit(self, loader, epochs):",
        "    def reset_history(self):\n        self.loss_history = []\n\n    def fit(self, loader, epochs):",
    )
    found, errors = lint_source(source, "trainer.py")
    assert errors == []
    assert [(f.code, f.line) for f in found] == expected


def test_a_list_the_method_itself_empties_keeps_one_calls_graph() -> None:
    source = _TRAINER_KEEPING.replace("STORED", "loss").replace("EMPTY", "pass").replace(
        "        self.optimizer.zero_grad()\n", "        self.optimizer.zero_grad()\n        self.loss_history = []\n", 1
    )
    found, errors = lint_source(source, "trainer.py")
    assert errors == []
    assert [(f.code, f.line) for f in found] == []


_PERCEPTUAL_LOSS = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class PerceptualLoss(nn.Module):
    def __init__(self, weight):
        super().__init__()
        self.weight = weight
        self.content_val = None
        self.tv_val = None
        self.loss_val = None
        self.count = 0

    def forward(self, generated, target):
        self.content_val = self.weight * F.mse_loss(generated, target)
        self.tv_val = torch.sum(torch.abs(generated[:, :, :, :-1] - generated[:, :, :, 1:])).item()
        self.loss_val = self.content_val + self.tv_val
        self.count += 1
        return self.loss_val


def get_criterion(weight):
    return PerceptualLoss(weight)
"""

_TRAINER_OF_MODULE_LOSS = """
import torch


class Trainer:
    def __init__(self, model, criterion, loader):
        self.model = model
        self.criterion = criterion
        self.loader = loader
        self.optimizer = torch.optim.Adam(model.parameters())
        self.loss_history = []
        self.content_history = []
        self.tv_history = []
        self.counts = []

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = self.criterion(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        self.loss_history.append(self.criterion.loss_val)
        self.content_history.append(self.criterion.content_val.item())
        self.tv_history.append(self.criterion.tv_val)
        self.counts.append(self.criterion.count)

    def fit(self, epochs):
        for epoch in range(epochs):
            for x, y in self.loader:
                self.step(x, y)
"""


def test_what_a_loss_modules_forward_leaves_on_its_attributes_carries_its_graph(tmp_path: Path) -> None:
    """`PerceptualLoss.forward` binds `self.loss_val` to the loss it returns: after `loss =
    self.criterion(out, y)` (the criterion built by a factory in another file, handed to the
    trainer), `self.criterion.loss_val` is that loss with its graph; its `.item()`, a Python number
    bound in forward, and a counter carry none."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "losses.py").write_text(_PERCEPTUAL_LOSS, encoding="utf-8")
    (package / "trainer.py").write_text(_TRAINER_OF_MODULE_LOSS, encoding="utf-8")
    (tmp_path / "train.py").write_text(textwrap.dedent("""
        import torch.nn as nn
        from pkg.losses import get_criterion
        from pkg.trainer import Trainer

        if __name__ == "__main__":
            model = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.Dropout(0.1))
            Trainer(model, get_criterion(1.0), loader).fit(10)
    """), encoding="utf-8")
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    assert [(Path(f.path).name, f.line, f.code) for f in result.findings] == [("trainer.py", 21, "LC009")]


def test_a_loss_modules_attribute_carries_the_graph_of_an_input_that_requires_grad() -> None:
    """Style transfer optimises the image itself (a leaf that requires grad, whose graph the caller
    cannot see); the loss is backwarded, so an input carries one, and what forward leaves from it
    (the total) carries it too."""
    source = _PERCEPTUAL_LOSS + textwrap.dedent("""

        criterion = get_criterion(1.0)
        image = content.clone().requires_grad_()
        optimizer = torch.optim.Adam([image], lr=1e-3)
        history = []
        for step in range(300):
            optimizer.zero_grad()
            loss = criterion(image, content)
            loss.backward()
            history.append(criterion.loss_val)
            optimizer.step()
    """)
    found, errors = lint_source(source, "style.py")
    assert errors == []
    lines = source.splitlines()
    assert [lines[f.line - 1].strip() for f in found if f.code == "LC009"] == ["history.append(criterion.loss_val)"]


_VISUALIZER = """
import torch
import torch.nn as nn


class Visualizer:
    def __init__(self):
        self.visual_dict = {}

    def update(self, inputs, outputs):
        EMPTY
        self.visual_dict["input"] = inputs
        self.visual_dict["output"] = outputs


model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
visualizer = Visualizer()
for step, (x, y) in enumerate(loader):
    optimizer.zero_grad()
    out = model(x)
    nn.functional.cross_entropy(out, y).backward()
    optimizer.step()
    if step % 100 == 0:
        visualizer.update(x, out)
"""


@pytest.mark.parametrize(
    ("empty", "expected"),
    [
        # the dict outlives the call, but fixed keys hold one call's values until the next replaces them
        ("pass", []),
        ("self.visual_dict[len(self.visual_dict)] = outputs", [("LC009", 25)]),  # a new key each call: kept
        ("self.visual_dict.clear()", []),
        ("self.visual_dict = {}", []),
    ],
)
def test_a_helper_that_empties_its_store_first_keeps_one_calls_values(empty: str, expected: list[tuple[str, int]]) -> None:
    """`update()` clears its object's dict, then stores what it is given: the dict holds this call's
    tensors until the next call replaces them, not every call's graph."""
    found, errors = lint_source(_VISUALIZER.replace("EMPTY", empty), "visualize.py")
    assert errors == []
    assert [(f.code, f.line) for f in found] == expected
