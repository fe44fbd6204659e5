"""What the loop model infers about code it has never seen (issue 7): the causes behind the false
alarms and misses of the first check half, stated for all code. A model handed through a
project helper keeps its class; a forward that only checks the code is no evaluation; a callee
that binds a parameter anew works on its own object; a project decorator can put the model in
eval mode; train() on purpose without a backward is not a forgotten eval(); an unrolled
recurrence keeps no graph across steps; a load after training is no resume; LC007 reports a pass
once."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths, lint_source
from loopcheck.project import Projects
from loopcheck.model import Kind
from loopcheck.model.program import events_of
from loopcheck.rules.lc004_scheduler_before_optimizer import _same_call

NETS = """
import torch
import torch.nn as nn


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


class Dropping(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.drop(x))
"""


TRAINED_TINY = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
"""
"""A `Tiny` network trained over `train_loader`, at the indentation of the tests' sources."""


def findings(source: str, path: str = "inference.py") -> list[tuple[str, str]]:
    """(code, text of the reported line) for NETS followed by `source`."""
    text = NETS + textwrap.dedent(source)
    found, errors = lint_source(text, path)
    assert errors == []
    lines = text.splitlines()
    return [(f.code, lines[f.line - 1].strip()) for f in found]


# a model handed through a project helper -----------------------------------------------------


def test_a_helper_that_returns_its_argument_keeps_the_models_class() -> None:
    source = """
        def gpu(x):
            return x.cuda() if torch.cuda.is_available() else x

        net = gpu(NET())
        net.load_state_dict(torch.load("net.pt"))
        with torch.no_grad():
            for x, y in test_loader:
                correct = (net(x).argmax(1) == y).sum().item()
    """
    # Tiny holds no dropout or batch norm: no eval() needed; Dropping does
    assert findings(source.replace("NET", "Tiny")) == []
    assert findings(source.replace("NET", "Dropping")) == [("LC006", "correct = (net(x).argmax(1) == y).sum().item()")]


def test_a_tuple_returned_by_a_project_factory_gives_each_name_its_role(tmp_path: Path) -> None:
    (tmp_path / "factory.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn

        def build():
            model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            return model, optimizer
    """), encoding="utf-8")
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import torch.nn.functional as F
        from factory import build

        net, opt = build()
        for x, y in loader:
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
    """), encoding="utf-8")
    result = lint_paths([str(script)], root=str(tmp_path))
    assert result.errors == []
    assert [(f.code, f.line) for f in result.findings] == [("LC001", 8)]  # at loss.backward()


# forwards that only check the code ---------------------------------------------------------


def test_a_shape_check_of_a_fresh_model_is_no_evaluation() -> None:
    assert findings("""
        net = Dropping()
        print(net)
        y = net(torch.randn(2, 4))
        print(y.shape)
    """) == []


def test_a_fresh_model_run_once_before_anything_else_is_no_evaluation() -> None:
    assert findings("""
        net = Dropping()
        out = net(torch.randn(2, 4))
        probabilities = out.softmax(-1)
    """) == []


def test_a_helper_called_on_a_model_not_yet_trained_is_no_evaluation() -> None:
    source = """
        encoder = Tiny()

        def test():
            out = encoder(torch.randn(1, 4))
            print(out - 1)

        BEFORE
        optimizer = torch.optim.SGD(encoder.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(encoder(x), y).backward()
            optimizer.step()
        AFTER
    """
    assert findings(source.replace("BEFORE", "test()").replace("AFTER", "")) == []
    # called after training, the same helper evaluates the trained model
    assert findings(source.replace("BEFORE", "").replace("AFTER", "test()")) == [("LC007", "out = encoder(torch.randn(1, 4))")]


def test_a_loaded_model_run_once_in_a_main_block_is_evaluated() -> None:
    # the model's construction, its loading and its use sit in one `if __name__` statement:
    # what runs between them is read statement by statement
    assert findings("""
        if __name__ == "__main__":
            g = Tiny()
            g.load_state_dict(torch.load("g.pt"))
            latent = torch.randn(8, 4)
            image = g(latent)
            save_image(image, "out.png")
    """) == [("LC007", "image = g(latent)")]


def test_a_trained_model_whose_output_is_only_inspected_is_no_evaluation() -> None:
    assert findings("""
        net = Dropping()
        net.load_state_dict(torch.load("net.pt"))
        y = net(torch.randn(2, 4))
        assert y.shape == (2, 2)
    """) == []


# whose object a call works on ---------------------------------------------------------------


def test_a_callee_that_binds_a_parameter_anew_works_on_its_own_object() -> None:
    source = """
        class NumpyInference(nn.Module):
            def __init__(self, weights):
                super().__init__()
                self.weights = weights

            def forward(self, x):
                return x @ self.weights

        @torch.no_grad()
        def test(model, x):
            REBIND
            return model(x).argmax(1)

        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(3):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.train()
            test(model, val_x)
    """
    assert findings(source.replace("REBIND", "model = NumpyInference(model.fc.weight.detach().numpy())")) == []
    # handed the trained model itself, the pass runs it in training mode
    assert findings(source.replace("REBIND", "model = model.cpu()")) == [("LC006", "return model(x).argmax(1)")]


def test_a_project_decorator_that_puts_the_model_in_eval_mode_covers_the_method() -> None:
    source = """
        def eval_decorator(fn):
            def inner(model, *args, **kwargs):
                was_training = model.training
                SWITCH
                out = fn(model, *args, **kwargs)
                model.train(was_training)
                return out
            return inner

        class Generator(Dropping):
            @torch.no_grad()
            @eval_decorator
            def generate(self, x):
                return self(x).argmax(1)

        model = Generator()
        model.load_state_dict(torch.load("g.pt"))
        samples = model.generate(torch.randn(4, 4))
        print(samples.tolist())
    """
    assert findings(source.replace("SWITCH", "model.eval()")) == []
    assert findings(source.replace("SWITCH", "pass")) == [("LC006", "samples = model.generate(torch.randn(4, 4))")]


def test_train_mode_on_purpose_without_a_backward_is_not_a_forgotten_eval() -> None:
    # refreshing batch-norm statistics (as SWA's update_bn does) runs forwards in training mode
    assert findings("""
        model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
        model.load_state_dict(torch.load("swa.pt"))

        def refresh_statistics(model, loader):
            model.train()
            with torch.no_grad():
                for x, _ in loader:
                    model(x)

        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)

        refresh_statistics(model, train_loader)
        evaluate(model, test_loader)
    """) == []


# graphs kept across iterations -------------------------------------------------------------


def test_an_unrolled_recurrence_without_backward_keeps_no_graph_per_step() -> None:
    assert [code for code, _ in findings("""
        cell = nn.GRUCell(4, 4)
        decoder = Tiny()
        h = torch.zeros(1, 4)
        outputs = []
        for t in range(20):
            h = cell(inputs[t], h)
            outputs.append(decoder(h))
        loss = torch.stack(outputs).sum()
        loss.backward()
    """) if code == "LC009"] == []


def test_a_parameter_rebound_to_a_detached_value_is_not_kept() -> None:
    assert [code for code, _ in findings("""
        class Averager:
            def __init__(self):
                self.total = 0.0
                self.count = 0

            def add(self, v):
                v = v.data.sum()
                self.total += float(v)
                self.count += 1

        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        averager = Averager()
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            averager.add(loss)
    """) if code == "LC009"] == []


# checkpoints -------------------------------------------------------------------------------


def test_loading_the_best_weights_after_training_is_no_resume() -> None:
    source = """
        def main():
            model = Dropping()
            optimizer = torch.optim.Adam(model.parameters())
            for epoch in range(10):
                for x, y in loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                torch.save(model.state_dict(), f"{epoch}.pkl")
            LOAD
            model.eval()
            with torch.no_grad():
                print(sum((model(x).argmax(1) == y).sum().item() for x, y in test_loader))

        main()
    """
    assert [c for c, _ in findings(source.replace("LOAD", "model.load_state_dict(torch.load('9.pkl'))"))] == []


# one finding per pass ----------------------------------------------------------------------


def test_a_pass_that_runs_two_models_is_reported_once() -> None:
    assert findings("""
        encoder = Tiny()
        decoder = Tiny()
        encoder.load_state_dict(torch.load("e.pt"))
        decoder.load_state_dict(torch.load("d.pt"))

        def evaluate(pairs):
            encoder.eval()
            decoder.eval()
            total = 0
            for x, y in pairs:
                h = encoder(x)
                total += (decoder(h).argmax(1) == y).sum().item()
            return total

        evaluate(val_pairs)
    """) == [("LC007", "h = encoder(x)")]


# what a model holds, what runs it -------------------------------------------------------------


def test_layers_built_by_a_project_helper_are_read_from_the_helper() -> None:
    source = """
        def block(c):
            return nn.Sequential(nn.Conv2d(c, c, 3, padding=1), NORM, nn.ReLU())

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(block(4), block(4))
                self.head = nn.Linear(4, 2)

            def forward(self, x):
                return self.head(self.features(x).mean((2, 3)))

        net = Net()
        net.load_state_dict(torch.load("net.pt"))
        with torch.no_grad():
            for x, y in test_loader:
                correct = (net(x).argmax(1) == y).sum().item()
    """
    assert findings(source.replace("NORM", "nn.InstanceNorm2d(c, track_running_stats=False)")) == []
    assert findings(source.replace("NORM", "nn.BatchNorm2d(c)")) == [
        ("LC006", "correct = (net(x).argmax(1) == y).sum().item()")
    ]


def test_a_library_engine_built_over_the_model_leaves_its_mode_unknown() -> None:
    source = """
        from ignite.engine import create_supervised_evaluator, create_supervised_trainer

        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        trainer = create_supervised_trainer(model, optimizer, nn.CrossEntropyLoss())
        evaluator = create_supervised_evaluator(model, metrics={})
        RUN
        with torch.no_grad():
            predictions = [model(x).argmax(1) for x, _ in test_loader]
    """
    # the evaluator leaves the model in eval mode, the trainer in train mode: loopcheck cannot tell
    assert findings(source.replace("RUN", "trainer.run(train_loader, max_epochs=3)")) == []
    assert findings(source.replace("RUN", "model.load_state_dict(torch.load('m.pt'))")) == [
        ("LC006", "predictions = [model(x).argmax(1) for x, _ in test_loader]")
    ]


def test_a_freeze_that_the_loop_undoes_is_no_fine_tuning_setup() -> None:
    source = """
        netG = Tiny()
        netD = Tiny()
        optimizerD = torch.optim.RMSprop(netD.parameters(), lr=5e-5)
        optimizerG = torch.optim.RMSprop(netG.parameters(), lr=5e-5)
        for real, noise in loader:
            UNFREEZE
            optimizerD.zero_grad()
            (netD(netG(noise).detach()).mean() - netD(real).mean()).backward()
            optimizerD.step()
            for p in netD.parameters():
                p.requires_grad = False
            optimizerG.zero_grad()
            (-netD(netG(noise)).mean()).backward()
            optimizerG.step()
    """
    unfreeze = "for p in netD.parameters():\n                p.requires_grad = True"
    assert [c for c, _ in findings(source.replace("UNFREEZE", unfreeze))] == []
    assert [c for c, _ in findings(source.replace("UNFREEZE", "pass"))] == ["LC013"]


def test_an_optimizer_built_again_after_the_freeze_is_the_one_that_steps() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        run(loader, model, optimizer)
        model.embeddings.requires_grad_(False)
        REBUILD
        run(loader, model, optimizer)
    """
    rebuilt = "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)"
    assert [c for c, _ in findings(source.replace("REBUILD", rebuilt))] == []
    assert [c for c, _ in findings(source.replace("REBUILD", "pass"))] == ["LC013"]


def test_a_call_whose_result_is_used_as_a_module_built_a_model() -> None:
    source = """
        def train(net, loader, optimizer):
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(net(x), y).backward()
                optimizer.step()

        if __name__ == "__main__":
            net = config.backbone(pretrained=True, num_classes=10).to(device)
            USE
    """
    built = "optimizer = torch.optim.Adam(net.parameters())\n            train(net, loader, optimizer)"
    assert findings(source.replace("USE", built)) == []
    # (a script that trains nothing: its forwards evaluate whatever the call ran)
    assert [c for c, _ in findings(source.replace("USE", "print(net.shape)"))] == ["LC006", "LC007"]


def test_a_function_a_script_never_runs_holds_no_evaluation_pass() -> None:
    source = """
        class Flow(Tiny):
            def inverse_map(self, z):
                return self.fc(z)

        def test1():
            flow = Flow()
            optimizer = torch.optim.Adam(flow.parameters())
            for x in loader:
                optimizer.zero_grad()
                flow(x).sum().backward()
                optimizer.step()
            show(flow.inverse_map(torch.randn(10, 4)).detach())

        def test2():
            print("another demo")

        RUN
    """
    assert findings(source.replace("RUN", "test2()"), "script.py") == []
    run_too = [("LC007", "show(flow.inverse_map(torch.randn(10, 4)).detach())")]
    assert findings(source.replace("RUN", "test1()"), "script.py") == run_too
    # named again where it may be run from: a table of demos
    assert findings(source.replace("RUN", "test2()\n        DEMOS = [test1, test2]"), "script.py") == run_too


def test_a_model_a_helper_builds_afresh_at_each_call_is_not_evaluated() -> None:
    source = """
        def coupling(h):
            net = Tiny()
            LOAD
            return net(h)

        def predict(x, k):
            for _ in range(k):
                x = coupling(x)
            return x

        def demo():
            show(predict(torch.randn(7, 4), 3))

        demo()
    """
    assert findings(source.replace("LOAD", "pass"), "demo.py") == []
    loaded = findings(source.replace("LOAD", "net.load_state_dict(torch.load('net.pt'))"), "demo.py")
    assert [c for c, _ in loaded] == ["LC007"]


def test_a_forward_on_the_helpers_own_held_out_data_inside_the_training_step_is_validation() -> None:
    source = """
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        val_losses = []

        def train(epoch, DATA):
            model.train()
            x_val = validate_x.float()
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(train_x), train_y)
            out_val = model(x_val)
            val_losses.append(nn.functional.cross_entropy(out_val, validate_y).item())
            loss.backward()
            optimizer.step()

        for epoch in range(10):
            train(epoch, None)
    """
    assert findings(source.replace("DATA", "unused")) == [("LC006", "out_val = model(x_val)"), ("LC007", "out_val = model(x_val)")]
    # the caller's data, named by the helper's parameter: what the callers hand over is not seen here
    handed = source.replace("DATA", "x_val").replace("            x_val = validate_x.float()\n", "")
    assert findings(handed) == []


def test_held_out_data_a_training_helper_picks_out_of_its_parameter_is_validation() -> None:
    """`self.model(dataset.X_test)` in a helper the epoch loop calls: the helper itself picks the
    held-out part of what it is handed (an attribute or string key after the parameter), unlike a
    parameter the callers fill with whatever they like."""
    source = """
        class Fit:
            def __init__(self, model):
                self.model = model
                self.history = []

            def train_model(self, dataset, epochs):
                optimizer = torch.optim.Adam(self.model.parameters())
                for epoch in range(epochs):
                    optimizer.zero_grad()
                    loss = nn.functional.mse_loss(self.model(dataset.X_train), dataset.U_train)
                    loss.backward()
                    optimizer.step()
                    self._record(loss, dataset)

            def _record(self, loss, dataset):
                self.history.append(loss.item())
                pred = self.model(HELD)
                self.history.append(nn.functional.mse_loss(pred, dataset.U_test).item())

        Fit(Tiny()).train_model(data, 10)
    """
    picked = [("LC007", "pred = self.model(dataset.X_test)")]
    assert findings(source.replace("HELD", "dataset.X_test")) == picked
    assert findings(source.replace("HELD", 'dataset["test"]')) == [("LC007", 'pred = self.model(dataset["test"])')]
    # the parameter itself, or a part of it that names no held-out data: not known to be validation
    handed = source.replace("def _record(self, loss, dataset)", "def _record(self, loss, X_test)").replace(
        "self._record(loss, dataset)", "self._record(loss, dataset.X_test)").replace("dataset.U_test", "X_test")
    assert findings(handed.replace("HELD", "X_test")) == []
    assert findings(source.replace("HELD", "dataset.X_extra")) == []


def test_a_name_that_reads_as_an_optimizer_but_has_parameters_is_a_model() -> None:
    """`model_hp_opt = GCNPredictor(...)` (a model rebuilt with the best hyperparameters) ends in
    `_opt`, yet `model_hp_opt.parameters()` shows a module, not an optimizer: the forwards the
    training helper runs on it are a model's. Its deep copy, only evaluated, is another object:
    training `model_hp_opt` again does not run the copy left in eval mode (no LC008)."""
    source = """
        import copy
        from zoo.model_zoo import *

        def train_epoch(model, loader, opt):
            for x, y in loader:
                opt.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                opt.step()

        def eval_epoch(model, loader):
            model.eval()
            with torch.no_grad():
                return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)

        NAME = GCNPredictor(in_feats=4, dropout=0.2)
        best_opt = torch.optim.Adam(NAME.parameters())
        best_model = copy.deepcopy(NAME)
        for epoch in range(10):
            train_epoch(NAME, train_loader, best_opt)
            print(eval_epoch(best_model, test_loader))
    """
    assert findings(source.replace("NAME", "model_hp_opt")) == []
    assert findings(source.replace("NAME", "net")) == []
    # the model itself evaluated, then trained again without train(): LC008 whatever its name
    itself = source.replace("eval_epoch(best_model", "eval_epoch(NAME")
    reported = [("LC008", "print(eval_epoch(model_hp_opt, test_loader))")]
    assert findings(itself.replace("NAME", "model_hp_opt")) == reported


def test_what_a_classmethod_builds_and_does_not_return_is_no_part_of_the_model() -> None:
    """`GPT.from_pretrained` loads a library GPT2LMHeadModel only to copy its weights into the
    `cls(config)` it returns: the library model is no part of a GPT, which holds no dropout. What
    a static factory returns for `__init__` to store is a part."""
    source = """
        from transformers import GPT2LMHeadModel
        from torchvision.models import resnet50

        class GPT(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.fc = nn.Linear(n, n)
                INIT

            @classmethod
            def from_pretrained(cls, name):
                model = cls(4)
                model_hf = GPT2LMHeadModel.from_pretrained(name)
                model.load_state_dict(model_hf.state_dict(), strict=False)
                return model

            @staticmethod
            def backbone():
                return resnet50()

            def forward(self, x):
                return self.fc(x)

        model = GPT(4)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()

        with torch.no_grad():
            for x, y in test_loader:
                print(model(x).sum().item())
    """
    assert findings(source.replace("INIT", "pass")) == []
    reported = [("LC006", "print(model(x).sum().item())")]
    assert findings(source.replace("INIT", "self.net = self.backbone()")) == reported
    assert findings(source.replace("INIT", 'self.hf = GPT2LMHeadModel.from_pretrained("gpt2")')) == reported


def test_a_game_played_with_a_model_whose_weights_every_caller_loads_is_a_pass() -> None:
    """`play(env, agent)` steps a game with the agent it is handed and trains nothing; its caller
    loads the agent's weights first: a trained agent watched, an evaluation pass (LC007). Played
    with an agent nobody loaded or trained (a random agent checked), it is no pass."""
    source = """
        import gym

        def play(env, agent, t_max=1000):
            state = env.reset()
            for _ in range(t_max):
                action = agent.forward(torch.as_tensor(state))
                state, reward, done, info = env.step(action.numpy())
                if done:
                    break

        env = gym.make("Pendulum-v1")
        agent = Tiny()
        LOAD
        play(env, agent)
    """
    loaded = 'agent.load_state_dict(torch.load("checkpoint.pth"))'
    assert findings(source.replace("LOAD", loaded)) == [("LC007", "action = agent.forward(torch.as_tensor(state))")]
    assert findings(source.replace("LOAD", "pass")) == []
    # handed on by a helper whose every caller loads it (`demo(env, agent)` calling `play`)
    handed = source.replace("play(env, agent)\n", "demo(env, agent)\n").replace(
        "        env = gym.make", "        def demo(env, policy):\n            play(env, policy, 100)\n\n        env = gym.make")
    assert findings(handed.replace("LOAD", loaded)) == [("LC007", "action = agent.forward(torch.as_tensor(state))")]
    assert findings(handed.replace("LOAD", "pass")) == []
    # the forward in a helper the game calls (`act(agent, state)`): named as the game names it
    helper = source.replace("action = agent.forward(torch.as_tensor(state))", "action = act(agent, state)").replace(
        "        def play(", "        def act(policy, state):\n            return policy(torch.as_tensor(state))\n\n        def play(")
    assert findings(helper.replace("LOAD", loaded)) == [("LC007", "return policy(torch.as_tensor(state))")]
    assert findings(helper.replace("LOAD", "pass")) == []


def test_a_forward_of_a_model_a_project_factory_just_built_checks_shapes() -> None:
    """`model = create_model()` (a project function returning a fresh `nn.Sequential`) run once on
    `torch.randn` to print the output's shape: untrained weights, whose outputs mean nothing yet;
    before the notebook trains through its `train(...)` helper, or on another fresh model after.
    The trained model's forward after training is a pass (LC007)."""
    source = """
        def create_model():
            model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
            return model

        def train(model, loader, optimizer):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()

        BEFORE
        model = create_model()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        train(model, loader, optimizer)
        AFTER
    """
    probe = "probe = create_model()\n        sample = torch.randn(1, 4)\n        out = probe(sample)\n        print(out.shape, out.sum().item())"
    assert findings(source.replace("BEFORE", probe.replace("probe", "model")).replace("AFTER", "")) == []
    assert findings(source.replace("BEFORE", "").replace("AFTER", probe)) == []
    scored = "out = model(x_test)\n        print((out.argmax(1) == y_test).float().mean().item())"
    assert findings(source.replace("BEFORE", "").replace("AFTER", scored)) == [("LC007", "out = model(x_test)")]


def test_a_keras_call_in_a_file_that_also_imports_torch_is_no_torch_forward() -> None:
    """A script that trains a torch model and also scores a Keras model: `model(x, training=False)`
    on a model whose class cannot be seen is Keras's call (a torch module takes its mode from
    `train()`/`eval()`); without the keyword, the same call of an unseen model is judged as ever."""
    source = """
        import tensorflow as tf
        from ranking import load_ranker

""" + TRAINED_TINY + """
        keras_model = load_ranker("ranker.h5")
        correct = 0
        for x, y in test_loader:
            correct += (keras_model(CALL).argmax(1) == y).sum().item()
    """
    assert findings(source.replace("CALL", "x, training=False")) == []
    assert [code for code, _ in findings(source.replace("CALL", "x"))] == ["LC007"]


def test_a_pass_that_runs_a_frozen_extractor_first_is_judged_at_the_trained_model() -> None:
    source = """
        extractor = Tiny()
        extractor.requires_grad_(False)
        decoder = Tiny()
        optimizer = torch.optim.SGD(decoder.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(decoder(extractor(x)), y).backward()
            optimizer.step()

        preds = []
        for x, y in test_loader:
            feats = extractor(x)
            preds.append(DECODE.argmax(1))
    """
    assert findings(source.replace("DECODE", "decoder(feats)")) == [("LC007", "preds.append(decoder(feats).argmax(1))")]
    assert findings(source.replace("DECODE", "feats")) == []


def test_a_model_built_in_the_argument_of_a_call_is_known_to_the_callee() -> None:
    source = """
        class Trainer(Logging):
            def __init__(self, model, loader, val_loader):
                self.model = model
                self.loader = loader
                self.val_loader = val_loader
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

            def evaluate(self):
                self.model.eval()
                with torch.no_grad():
                    for x, y in self.val_loader:
                        print(self.model(x).argmax(1).eq(y).sum().item())

            def train(self, epochs):
                self.model.train()
                for epoch in range(epochs):
                    for x, y in self.loader:
                        self.optimizer.zero_grad()
                        nn.functional.cross_entropy(self.model(x), y).backward()
                        self.optimizer.step()
                    self.evaluate()

        Trainer(NET(), loader, val_loader).train(3)
    """
    assert findings(source.replace("NET", "Dropping")) == [("LC008", "self.evaluate()")]
    assert findings(source.replace("NET", "Tiny")) == []  # no dropout or batch norm: the mode changes nothing


def test_a_setting_assigned_above_a_scripts_if_decides_which_arm_runs() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

        aug_type = SETTING
        correct = 0
        if aug_type == "window":
            for x, y in test_loader:
                correct += (model(x[:, :2]).argmax(1) == y).sum().item()
        else:
            for x, y in test_loader:
                correct += (model(x).argmax(1) == y).sum().item()
    """
    window = [("LC007", "correct += (model(x[:, :2]).argmax(1) == y).sum().item()")]
    whole = [("LC007", "correct += (model(x).argmax(1) == y).sum().item()")]
    assert findings(source.replace("SETTING", '"window"')) == window
    assert findings(source.replace("SETTING", '"cwt"')) == whole
    assert findings(source.replace("SETTING", "args.aug_type")) == window + whole  # not known: both may run


def test_grad_turned_on_by_hand_around_an_evaluation_is_wanted() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

        def inspect(x):
            model.eval()
            with GRAD:
                energies = model(x)
            return energies.detach().numpy()

        show(inspect(test_x))
    """
    assert findings(source.replace("GRAD", "torch.enable_grad()")) == []
    assert findings(source.replace("GRAD", "torch.autocast('cpu')")) == [("LC007", "energies = model(x)")]


def test_a_loop_that_steps_with_a_closure_that_backwards_is_a_training_loop() -> None:
    source = """
        def train(model, x, y, x_test, y_test, epochs):
            optimizer = torch.optim.LBFGS(model.parameters())

            def closure():
                optimizer.zero_grad()
                loss = ((model(x) - y) ** 2).mean()
                BACKWARD
                return loss

            for i in range(epochs):
                optimizer.step(closure)
                if i % 100 == 0:
                    print(((model(x_test) - y_test) ** 2).mean().item())

        train(Tiny(), x, y, x_test, y_test, 1000)
    """
    # the check every 100 steps evaluates the model between its updates
    assert findings(source.replace("BACKWARD", "loss.backward()")) == [
        ("LC007", "print(((model(x_test) - y_test) ** 2).mean().item())")
    ]
    assert findings(source.replace("BACKWARD", "pass")) == []  # no backward: nothing trains


def test_a_capitalised_parameter_whose_forward_is_called_is_a_model() -> None:
    # (called from a notebook of the project, say: no caller in sight)
    source = """
        def fit(PINN, x, y, x_test, y_test, epochs):
            optimizer = torch.optim.Adam(PINN.parameters())
            for i in range(epochs):
                optimizer.zero_grad()
                ((PINN.forward(x) - y) ** 2).mean().backward()
                optimizer.step()
                if i % 100 == 0:
                    print(((CALL - y_test) ** 2).mean().item())
    """
    assert findings(source.replace("CALL", "PINN.forward(x_test)")) == [
        ("LC007", "print(((PINN.forward(x_test) - y_test) ** 2).mean().item())")
    ]
    # a capitalised name called without `.forward` may be a class being built
    assert findings(source.replace("CALL", "Exact(x_test)")) == []


def test_a_shared_loop_that_a_caller_hands_a_backward_callback_trains_on_that_call() -> None:
    source = """
        class Classifier:
            def __init__(self, model, optimizer):
                self.model = model
                self.optimizer = optimizer

            def _do(self, loader, begin_update, end_update):
                correct = 0
                for x, y in loader:
                    begin_update()
                    outputs = self.model(x)
                    end_update(nn.functional.cross_entropy(outputs, y))
                    correct += outputs.argmax(1).eq(y).sum().item()
                return correct

            def train(self, loader):
                def begin_update():
                    self.optimizer.zero_grad()
                def end_update(loss):
                    loss.backward()
                    self.optimizer.step()
                self.model.train()
                return self._do(loader, begin_update, end_update)

            def test(self, loader):
                def begin_update():
                    pass
                def end_update(_):
                    pass
                self.model.eval()
                GUARD
                    return self._do(loader, begin_update, end_update)

        net = Dropping()
        classifier = Classifier(net, torch.optim.SGD(net.parameters(), lr=0.1))
        for epoch in range(3):
            classifier.train(train_loader)
            classifier.test(test_loader)
    """
    assert findings(source.replace("GUARD", "with torch.no_grad():")) == []
    # the test call enters the loop as a pass of its own: without no_grad, that call is reported
    assert [c for c, _ in findings(source.replace("GUARD", "if True:"))] == ["LC007"]


def test_a_step_by_step_decoder_demo_before_training_is_no_evaluation() -> None:
    source = """
        decoder = Tiny()

        def test():
            h = torch.zeros(1, 4)
            for t in range(5):
                h = torch.cat([decoder(h), h[:, :2]], 1)
                print(t, h.size())

        test()
        optimizer = torch.optim.SGD(decoder.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(decoder(x), y).backward()
            optimizer.step()
        AFTER
    """
    assert findings(source.replace("AFTER", "")) == []
    assert findings(source.replace("AFTER", "test()")) == [("LC007", "h = torch.cat([decoder(h), h[:, :2]], 1)")]


# causes found by the second check half ---------------------------------------------------------


def test_an_iteration_that_hands_the_optimizer_to_unseen_code_trains() -> None:
    source = """
        from timm.utils import NativeScaler

        def train_one_epoch(model, loader, optimizer, loss_scaler):
            model.train()
            for x, y in loader:
                out = model(x)
                loss = nn.functional.cross_entropy(out, y)
                accuracy = (out.argmax(1) == y).float().mean().item()
                optimizer.zero_grad()
                HANDOVER

        model = Dropping()
        optimizer = torch.optim.AdamW(model.parameters())
        for epoch in range(3):
            train_one_epoch(model, train_loader, optimizer, NativeScaler())
    """
    # timm's NativeScaler runs backward and step: this is the training loop, not a pass
    assert findings(source.replace("HANDOVER", "loss_scaler(loss, optimizer, parameters=model.parameters())")) == []
    assert [c for c, _ in findings(source.replace("HANDOVER", "print(loss.item())"))] == ["LC007"]


def test_instance_norm_is_no_layer_that_needs_eval_mode() -> None:
    source = """
        class Generator(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), NORM, nn.ReLU(), nn.Conv2d(8, 3, 3, padding=1))

            def forward(self, x):
                return self.body(x)

        G = Generator()
        G.load_state_dict(torch.load("G.ckpt"))
        with torch.no_grad():
            for x, _ in test_loader:
                save_image(G(x), "fake.png")
    """
    # in training mode InstanceNorm uses each image's own statistics, as the model was trained
    assert findings(source.replace("NORM", "nn.InstanceNorm2d(8, affine=True, track_running_stats=True)")) == []
    assert findings(source.replace("NORM", "nn.BatchNorm2d(8)")) == [("LC006", 'save_image(G(x), "fake.png")')]


def test_an_episodes_log_probs_returned_for_one_backward_are_no_retention() -> None:
    source = """
        policy = Tiny()
        optimizer = torch.optim.Adam(policy.parameters())

        def run_episode(env):
            log_probs = []
            state = env.reset()
            for t in LOOP:
                log_prob = policy(state).log_softmax(-1)[0]
                log_probs.append(log_prob)
                state = env.step(0)
            return log_probs

        for episode in range(100):
            log_probs = run_episode(env)
            optimizer.zero_grad()
            torch.stack(log_probs).sum().backward()
            optimizer.step()
    """
    assert [c for c, _ in findings(source.replace("LOOP", "range(200)"))] == []
    # collected over a pass over data and returned, the graphs are the caller's retention
    assert "LC009" in [c for c, _ in findings(source.replace("LOOP", "train_loader"))]


def test_a_pass_in_another_file_is_reported_once_at_the_pass(tmp_path: Path) -> None:
    (tmp_path / "engine.py").write_text(textwrap.dedent("""
        def evaluate(model, loader):
            model.eval()
            correct = 0
            for x, y in loader:
                out = model(x)
                correct += (out.argmax(1) == y).sum().item()
            return correct
    """), encoding="utf-8")
    (tmp_path / "main.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn
        from engine import evaluate

        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(3):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            acc = evaluate(model, val_loader)
    """), encoding="utf-8")

    def where(paths: list[str]) -> list[tuple[str, int, str]]:
        result = lint_paths(paths, root=str(tmp_path))
        assert result.errors == []
        return [(Path(f.path).name, f.line, f.code) for f in result.findings]

    # the whole project: once, at the model call of the pass (the call that enters it is related)
    assert where([str(tmp_path)]) == [("engine.py", 6, "LC007")]
    # each file alone (as pre-commit gives them): each reports its end of the bug
    assert where([str(tmp_path / "main.py")]) == [("main.py", 14, "LC007")]
    assert where([str(tmp_path / "engine.py")]) == [("engine.py", 6, "LC007")]


def test_a_checkpoint_saved_by_a_helper_of_another_file_is_judged_where_it_is_built(tmp_path: Path) -> None:
    (tmp_path / "utils.py").write_text(textwrap.dedent("""
        import torch

        def save_checkpoint(state, file_name):
            torch.save(state, file_name)

        def define_scheduler(optimizer):
            return torch.optim.lr_scheduler.MultiStepLR(optimizer, [10, 20])
    """), encoding="utf-8")
    train = tmp_path / "train.py"
    source = textwrap.dedent("""
        import torch
        import torch.nn as nn
        from utils import define_scheduler, save_checkpoint

        model = nn.Linear(4, 2)
        optimizer = torch.optim.Adam(model.parameters())
        scheduler = define_scheduler(optimizer)
        for epoch in range(30):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.mse_loss(model(x), y).backward()
                optimizer.step()
            scheduler.step()
            save_checkpoint({"epoch": epoch + 1, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict()EXTRA},
                            f"epoch_{epoch + 1}.pth.tar")
    """)

    def found(extra: str) -> list[tuple[int, str]]:
        train.write_text(source.replace("EXTRA", extra), encoding="utf-8")
        result = lint_paths([str(train)], root=str(tmp_path))
        assert result.errors == []
        return [(f.line, f.code) for f in result.findings]

    assert found("") == [(15, "LC012")]  # the scheduler's position is not saved
    assert found(', "scheduler": scheduler.state_dict()') == []


# code written for PyTorch before 0.4 -------------------------------------------------------------


def test_a_project_loader_that_hands_out_volatile_variables_disables_grad() -> None:
    source = """
        from torch.autograd import Variable

        class Batches:
            def __init__(self, data, evaluation=False):
                self.data = data
                self.evaluation = evaluation

            def __iter__(self):
                return self

            def __next__(self):
                def wrap(x):
                    return Variable(x, volatile=self.evaluation)
                x, y = next(self.data)
                return wrap(x), wrap(y)

        model = Dropping()
        model.load_state_dict(torch.load("m.pt"))
        model.eval()
        validation_data = Batches(val_pairs, FLAG)
        for x, y in validation_data:
            correct = (model(x).argmax(1) == y).sum()
    """
    assert findings(source.replace("FLAG", "evaluation=True")) == []
    assert findings(source.replace("FLAG", "evaluation=False")) == [("LC007", "correct = (model(x).argmax(1) == y).sum()")]


def test_a_project_method_that_returns_volatile_variables_disables_grad() -> None:
    source = """
        from torch.autograd import Variable

        class Corpus:
            def get_batch(self, i, evaluation=False):
                def pad(rows):
                    return Variable(torch.tensor(rows), volatile=evaluation)
                return pad(self.src[i]), pad(self.tgt[i])

        model = Dropping()
        model.load_state_dict(torch.load("m.pt"))
        model.eval()
        corpus = Corpus()

        def evaluate():
            correct = 0
            for i in range(0, 100, 10):
                src, label = corpus.get_batch(i, evaluation=FLAG)
                correct += (model(src).argmax(1) == label).sum()
            return correct

        evaluate()
    """
    assert findings(source.replace("FLAG", "True")) == []
    assert findings(source.replace("FLAG", "False")) == [("LC007", "correct += (model(src).argmax(1) == label).sum()")]


def test_a_method_whose_chosen_branch_runs_the_network_on_volatile_inputs_disables_grad() -> None:
    # a wrapper whose base class lives elsewhere (it may be a module): its `test()` picks the
    # volatile branch of its forward by a flag
    source = """
        from torch.autograd import Variable
        from models.base_model import BaseModel

        class Segmenter(BaseModel):
            def __init__(self):
                self.net = Dropping()
                self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.1)

            def forward(self, split):
                if split == 'train':
                    self.prediction = self.net(Variable(self.input))
                elif split == 'test':
                    self.prediction = self.net(Variable(self.input, VOLATILE))

            def optimize(self):
                self.net.train()
                self.forward(split='train')
                self.optimizer.zero_grad()
                self.loss = criterion(self.prediction, self.target)
                self.loss.backward()
                self.optimizer.step()

            def test(self):
                self.net.eval()
                self.forward(split=SPLIT)

        model = Segmenter()
        for epoch in range(10):
            for x, y in train_loader:
                model.input, model.target = x, y
                model.optimize()
            for x, y in val_loader:
                model.input = x
                model.test()
                score = dice(model.prediction.data, y)
    """

    def lc007(variant: str) -> list[tuple[str, str]]:
        return [found for found in findings(variant) if found[0] == "LC007"]

    assert lc007(source.replace("VOLATILE", "volatile=True").replace("SPLIT", "'test'")) == []
    # the branch the flag picks builds a graph; so does one whose input is not volatile
    flagged = [("LC007", "self.forward(split='train')")]
    assert lc007(source.replace("VOLATILE", "volatile=True").replace("SPLIT", "'train'")) == flagged
    assert lc007(source.replace("VOLATILE", "requires_grad=False").replace("SPLIT", "'test'")) == [
        ("LC007", "self.forward(split='test')")
    ]
    # the same method on PyTorch >= 0.4 (the file uses `.item()`): volatile does nothing
    newer = source.replace("VOLATILE", "volatile=True").replace("SPLIT", "'test'") + "    print(score.item())\n"
    assert lc007(newer) == [("LC007", "self.forward(split='test')")]


def test_a_module_method_that_runs_forward_on_volatile_inputs_disables_grad() -> None:
    source = """
        from torch.autograd import Variable

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.drop = nn.Dropout(0.5)

            def forward(self, x):
                return self.fc(self.drop(x))

            def predict(self, x):
                return self.forward(Variable(x, VOLATILE)).max(1)[1]

        net = Classifier()
        optimizer = torch.optim.Adam(net.parameters())
        for epoch in range(10):
            net.train()
            for x, y in train_loader:
                loss = F.cross_entropy(net(Variable(x)), Variable(y))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            net.eval()
            correct = 0
            for x, y in test_loader:
                correct += (net.predict(x).data == y).sum()
            print(correct / len(test_loader.dataset))
    """
    assert findings(source.replace("VOLATILE", "volatile=True")) == []
    assert findings(source.replace("VOLATILE", "requires_grad=False")) == [
        ("LC007", "correct += (net.predict(x).data == y).sum()")
    ]


def test_a_library_helper_handed_volatile_true_makes_a_volatile_input() -> None:
    # PyTorch 0.3's `volatile` meant nothing but "record no graph": a helper given the flag
    # (`ptan.agent.default_states_preprocessor(..., volatile=True)`) hands the model such an input
    source = """
        import ptan

        net = Dropping()
        net.load_state_dict(torch.load("net.pt"))
        net.eval()
        for episode in range(10):
            obs, done = env.reset(), False
            while not done:
                obs_v = ptan.agent.default_states_preprocessor([obs], FLAG)
                acts = net(obs_v).max(dim=1)[1]
                obs, r, done, _ = env.step(acts.data.cpu().numpy()[0])
    """
    assert findings(source.replace("FLAG", "volatile=True")) == []
    assert findings(source.replace("FLAG", "cuda=False")) == [("LC007", "acts = net(obs_v).max(dim=1)[1]")]


def test_what_is_computed_from_a_volatile_input_is_volatile() -> None:
    # before PyTorch 0.4 volatility spread to every tensor computed from a volatile one
    source = """
        from torch.autograd import Variable

        model = Dropping()
        model.load_state_dict(torch.load("net.pt"))
        model.eval()
        for inputs, target in test_loader:
            inputs = Variable(inputs, FLAG)
            ins_cut = inputs[:, :, -10:].contiguous()
            output = model(ins_cut)
            print(F.mse_loss(output, ins_cut).data[0])
    """
    assert findings(source.replace("FLAG", "volatile=True")) == []
    assert findings(source.replace("FLAG", "requires_grad=False")) == [("LC007", "output = model(ins_cut)")]


def test_a_demo_of_a_fresh_module_is_judged_by_what_reads_its_output() -> None:
    # predictions are scored elsewhere in the script; this module's output is only looked at
    source = """
        net = Dropping()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        toy = Tiny()
        out = toy(torch.randn(5, 4))
        out.shape
        USE
        net.eval()
        with torch.no_grad():
            accuracy = (net(test_x).argmax(1) == test_y).float().mean()
    """
    assert findings(source.replace("USE", "")) == []
    # one forward of an untrained module, even turned into labels, shows what it does before any
    # training (a notebook's demo); a loop scoring it over data is a baseline, and an evaluation
    assert findings(source.replace("USE", "labels = out.argmax(1)")) == []
    baseline = "for xb, yb in test_loader:\n            correct = (toy(xb).argmax(1) == yb).sum()"
    assert findings(source.replace("USE", baseline)) == [("LC007", "correct = (toy(xb).argmax(1) == yb).sum()")]


# causes found by the third check half ----------------------------------------------------------


def test_a_script_only_named_like_a_test_file_is_analysed(tmp_path: Path) -> None:
    source = NETS + textwrap.dedent("""
        if __name__ == "__main__":
            model = Dropping()
            model.load_state_dict(torch.load("detector.pth"))
            model.eval()
            for i in range(num_images):
                scores = model(images[i]).softmax(-1)
        EXTRA
    """)
    script = tmp_path / "test_net.py"
    script.write_text(source.replace("EXTRA", ""), encoding="utf-8")
    result = lint_paths([str(script)], root=str(tmp_path))
    assert result.errors == [] and [f.code for f in result.findings] == ["LC007"]
    # with a test function pytest would collect, it is a test file: it exercises code on purpose
    script.write_text(source.replace("EXTRA", "def test_scores():\n    assert True"), encoding="utf-8")
    assert lint_paths([str(script)], root=str(tmp_path)).findings == []


def test_a_helper_run_for_training_and_then_for_validation_is_judged_per_call() -> None:
    source = """
        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def forward_backward(batches):
            x, y = next(batches)
            loss = nn.functional.cross_entropy(model(x), y)
            if loss.requires_grad:
                loss.backward()

        for step in range(1000):
            optimizer.zero_grad()
            forward_backward(train_batches)
            optimizer.step()
            if step % 100 == 0:
                with torch.no_grad():
                    MODE
                    forward_backward(val_batches)
                    model.train()
    """
    # under no_grad the helper's backward is not taken: the second call is a validation pass,
    # judged by what precedes that call (not by the training call before it)
    assert findings(source.replace("MODE", "model.eval()")) == []
    assert findings(source.replace("MODE", "pass")) == [("LC006", "loss = nn.functional.cross_entropy(model(x), y)")]


def test_a_distribution_built_in_forward_is_no_layer() -> None:
    source = """
        class FixedCategorical(torch.distributions.Categorical):
            def mode(self):
                return self.probs.argmax(dim=-1, keepdim=True)

        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.linear = nn.Linear(4, 2)
                EXTRA

            def forward(self, x):
                return FixedCategorical(logits=self.linear(x))

        policy = Head()
        policy.load_state_dict(torch.load("policy.pt"))
        with torch.no_grad():
            for obs, _ in test_loader:
                action = policy(obs).mode()
    """
    assert findings(source.replace("EXTRA", "")) == []
    assert findings(source.replace("EXTRA", "self.drop = nn.Dropout(0.1)")) == [("LC006", "action = policy(obs).mode()")]


def test_a_method_called_on_one_of_several_classes_is_called_on_each() -> None:
    source = """
        class GAN:
            def __init__(self):
                self.G = Dropping()

            def generate_images(self, n):
                return self.G(torch.randn(n, 4))

        class WGAN(GAN):
            def generate_images(self, n):
                return self.G(torch.randn(n, 4)).clamp(-1, 1)

        def main(kind):
            model = None
            if kind == "gan":
                model = GAN()
            else:
                model = WGAN()
            model.G.load_state_dict(torch.load("G.pt"))
            GRAD
                images = model.generate_images(64)
            save_image(images, "samples.png")

        if __name__ == "__main__":
            main(sys.argv[1])
    """
    # each class's method is entered from main (which one runs is decided at run time)
    assert findings(source.replace("GRAD", "if True:")) == [
        ("LC007", "return self.G(torch.randn(n, 4))"),
        ("LC007", "return self.G(torch.randn(n, 4)).clamp(-1, 1)"),
    ]
    assert findings(source.replace("GRAD", "with torch.no_grad():")) == []


# causes found by the fourth check half ---------------------------------------------------------


def test_eval_on_a_name_covers_its_alias() -> None:
    source = """
        generator = Dropping()
        generator.load_state_dict(torch.load("srgan.pth.tar")["generator"])
        MODE
        model = generator
        with torch.no_grad():
            for lr, hr in test_loader:
                psnr = (model(lr) - hr).pow(2).mean().log10().item()
    """
    assert findings(source.replace("MODE", "generator.eval()")) == []
    assert findings(source.replace("MODE", "")) == [("LC006", "psnr = (model(lr) - hr).pow(2).mean().log10().item()")]


def test_a_train_or_test_helper_is_judged_with_the_flag_each_call_gives() -> None:
    source = """
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())

        def train_val(net, loader, train_optimizer):
            is_train = train_optimizer is not None
            net.train() if is_train else net.eval()
            total = 0.0
            with (torch.enable_grad() if is_train else GRAD_OFF):
                for x, y in loader:
                    loss = nn.functional.cross_entropy(net(x), y)
                    if is_train:
                        train_optimizer.zero_grad()
                        loss.backward()
                        train_optimizer.step()
                    total += loss.item()
            return total

        for epoch in range(10):
            train_val(model, train_loader, optimizer)
            train_val(model, test_loader, None)
    """
    # the test call runs in eval mode under no_grad; the training call switches back to train()
    assert findings(source.replace("GRAD_OFF", "torch.no_grad()")) == []
    assert [c for c, _ in findings(source.replace("GRAD_OFF", "torch.enable_grad()"))] == ["LC007"]


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("context = torch.enable_grad() if train else torch.no_grad()", []),
        ("context = torch.enable_grad() if train else torch.enable_grad()", ["LC007"]),
        # bound again after the choice: the call in force at the `with` is not the choice
        ("context = torch.enable_grad() if train else torch.no_grad()\n    context = torch.enable_grad()", ["LC007"]),
    ],
)
def test_a_grad_switch_chosen_into_a_name_and_entered_later_follows_the_flag(bound: str, expected: list[str]) -> None:
    """`context = torch.enable_grad() if train else torch.no_grad()`, then `with context:`: the
    block runs under the switch the flag of each call chooses (the validation call, train=False,
    under no_grad)."""
    source = f"""
def run_epoch(model, loader, optimizer, train):
    model.train(train)
    {bound}
    total = 0.0
    with context:
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            if train:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item()
    return total

model = Dropping()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    run_epoch(model, train_loader, optimizer, True)
    run_epoch(model, valid_loader, optimizer, False)
"""
    assert [c for c, _ in findings(source)] == expected


# causes found by the fifth check half ----------------------------------------------------------


def test_set_grad_enabled_false_as_a_statement_turns_grad_off_for_the_rest() -> None:
    source = """
        model = Dropping()
        model.load_state_dict(torch.load("m.pt"))
        model.eval()
        SWITCH
        for x, y in test_loader:
            correct = (model(x).argmax(1) == y).sum().item()
    """
    assert findings(source.replace("SWITCH", "torch.set_grad_enabled(False)")) == []
    assert findings(source.replace("SWITCH", "torch.set_grad_enabled(True)")) == [
        ("LC007", "correct = (model(x).argmax(1) == y).sum().item()")
    ]


def test_a_model_method_that_runs_its_forwards_under_no_grad_is_no_graph() -> None:
    source = """
        class Translator(nn.Module):
            def __init__(self):
                super().__init__()
                self.model = Dropping()

            def translate_sentence(self, src):
                GUARD
                    return self.model(src).argmax(-1)

        translator = Translator()
        translator.model.load_state_dict(torch.load("m.pt"))
        translator.eval()
        for src, _ in test_loader:
            prediction = translator.translate_sentence(src)
    """
    assert findings(source.replace("GUARD", "with torch.no_grad():")) == []
    assert findings(source.replace("GUARD", "if True:")) == [("LC007", "prediction = translator.translate_sentence(src)")]


def test_chunk_outputs_kept_within_one_step_are_no_retention() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            outputs = []
            for x_chunk, y_chunk in zip(x.chunk(4), y.chunk(4)):
                out = model(x_chunk)
                outputs.append(out)
                nn.functional.cross_entropy(out, y_chunk).backward()
            STEP
            accuracy = (torch.cat(outputs).argmax(1) == y).float().mean().item()
    """
    # the optimizer steps once per batch, after its chunks: the list lives for one step
    assert [c for c, _ in findings(source.replace("STEP", "optimizer.step()"))] == []
    # stepped per chunk, each chunk is a step of its own and the list outlives them
    stepped = source.replace("STEP", "pass").replace(
        "nn.functional.cross_entropy(out, y_chunk).backward()",
        "nn.functional.cross_entropy(out, y_chunk).backward()\n                optimizer.step()",
    )
    assert "LC009" in [c for c, _ in findings(stepped)]


def test_a_closure_returned_by_a_model_method_runs_when_called() -> None:
    source = """
        class RVAE(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = Dropping()

            def forward(self, x):
                return self.net(x)

            def trainer(self, optimizer):
                def train(x, y):
                    loss = nn.functional.cross_entropy(self(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    return loss.item()
                return train

            def validater(self):
                def validate(x, y):
                    return nn.functional.cross_entropy(self(x), y).item()
                return validate

        rvae = RVAE()
        optimizer = torch.optim.Adam(rvae.parameters())
        train_step = rvae.trainer(optimizer)
        validate = rvae.validater()
        for iteration, (x, y) in enumerate(loader):
            train_step(x, y)
            if iteration % 10 == 0:
                GUARD
                    val_loss = validate(val_x, val_y)
    """
    # `self` inside the closures is the model the factory was called on
    assert findings(source.replace("GUARD", "with torch.no_grad():")) == [
        ("LC006", "return nn.functional.cross_entropy(self(x), y).item()")
    ]
    assert [c for c, _ in findings(source.replace("GUARD", "if True:"))] == ["LC006", "LC007"]


def test_a_pass_after_a_return_that_always_runs_is_dead_code() -> None:
    source = """
        model = Dropping()
        model.load_state_dict(torch.load("m.pt"))

        def test():
            EXIT
            model.eval()
            correct = 0
            for x, y in test_loader:
                correct += (model(x).argmax(1) == y).sum().item()
            return correct

        test()
    """
    assert findings(source.replace("EXIT", "return")) == []
    assert findings(source.replace("EXIT", "pass")) == [("LC007", "correct += (model(x).argmax(1) == y).sum().item()")]


def test_functional_dropout_left_in_training_is_no_mode_dependent_layer() -> None:
    source = """
        class Decoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(DROP)

        decoder = Decoder()
        decoder.load_state_dict(torch.load("d.pt"))
        with torch.no_grad():
            for x, y in test_loader:
                correct = (decoder(x).argmax(1) == y).sum().item()
    """
    # `F.dropout(x, p)` drops in any mode (training defaults to True): eval() changes nothing
    assert findings(source.replace("DROP", "nn.functional.dropout(x, 0.3)")) == []
    assert findings(source.replace("DROP", "nn.functional.dropout(x, 0.3, self.training)")) == [
        ("LC006", "correct = (decoder(x).argmax(1) == y).sum().item()")
    ]


# check half #7 -----------------------------------------------------------------------------


def test_a_pass_that_takes_gradients_with_autograd_grad_needs_its_graph() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

        def finetune_and_score(x, y):
            loss = nn.functional.cross_entropy(model(x), y)
            GRADS
            return loss.item()

        for x, y in test_loader:
            score = finetune_and_score(x, y)
    """
    # MAML's test-time adaptation: torch.autograd.grad needs the graph of the forward
    assert findings(source.replace("GRADS", "grads = torch.autograd.grad(loss, model.parameters())")) == []
    assert findings(source.replace("GRADS", "grads = None")) == [
        ("LC007", "loss = nn.functional.cross_entropy(model(x), y)")
    ]


def test_a_scheduler_told_its_epoch_or_following_a_metric_keeps_no_order_or_cadence() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = BUILT
        for epoch in range(epochs):
            for step, (x, y) in enumerate(train_loader):
                STEP
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
    """
    cosine = "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)"
    plateau = "torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, 'max')"
    # the closed form at a fractional epoch: per batch on an epoch-sized schedule is right
    assert findings(source.replace("BUILT", cosine).replace("STEP", "scheduler.step(epoch + step / len(train_loader))")) == []
    # a metric-driven scheduler has no first value to skip
    assert findings(source.replace("BUILT", plateau).replace("STEP", "if step % 300 == 0: scheduler.step(evaluate(model))")) == []
    assert findings(source.replace("BUILT", cosine).replace("STEP", "scheduler.step()")) == [
        ("LC004", "scheduler.step()"),
        ("LC005", "scheduler.step()"),
    ]


def test_a_schedule_told_its_epoch_has_no_position_to_save() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
        for epoch in range(epochs):
            for step, (x, y) in enumerate(train_loader):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            STEP
            torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, "last.pt")
    """
    assert findings(source.replace("STEP", "scheduler.step(epoch + 1)")) == []
    assert findings(source.replace("STEP", "scheduler.step()")) == [
        ("LC012", 'torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, "last.pt")')
    ]


def test_graphs_kept_by_a_class_that_backwards_them_later_are_the_algorithm() -> None:
    source = """
        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.data = []
                self.fc = nn.Linear(4, 2)
                self.optimizer = torch.optim.Adam(self.parameters(), lr=0.01)

            def forward(self, x):
                return torch.softmax(self.fc(x), dim=0)

            def put_data(self, item):
                self.data.append(item)

            def train_net(self):
                R = 0
                self.optimizer.zero_grad()
                for r, prob in self.data[::-1]:
                    R = r + 0.98 * R
                    USE
                self.optimizer.step()
                self.data = []

        pi = Policy()
        for episode in range(1000):
            s = env.reset()
            done = False
            while not done:
                prob = pi(torch.from_numpy(s).float())
                a = torch.distributions.Categorical(prob).sample()
                s, r, done, info = env.step(a.item())
                pi.put_data((r, prob[a]))
            pi.train_net()
    """
    # REINFORCE: each step's log-probability graph is what the update backwards
    assert findings(source.replace("USE", "(-torch.log(prob) * R).backward()")) == []
    # kept, and never backwarded: every step's graph stays alive until the update
    assert findings(source.replace("USE", "(-torch.log(prob.detach()) * R).sum(); self.fc.weight.sum().backward()")) == [
        ("LC009", "pi.put_data((r, prob[a]))")
    ]


def test_a_checkpoint_of_the_whole_module_or_of_its_data_parallel_inside_holds_the_model() -> None:
    source = """
        net = torch.nn.DataParallel(Tiny())
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        if args.resume:
            checkpoint = torch.load("ckpt.pth")
            start_epoch = checkpoint["epoch"]
        for epoch in range(start_epoch, 200):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            torch.save({"net": SAVED, "epoch": epoch}, "ckpt.pth")
    """
    for saved in ("net", "net.module.state_dict()"):
        assert findings(source.replace("SAVED", saved)) == [
            ("LC012", f'torch.save({{"net": {saved}, "epoch": epoch}}, "ckpt.pth")')
        ]


def test_a_checkpoint_value_bound_to_a_state_dict_first_is_that_objects_state() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(start, 200):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            if epoch % 4 == 1:
                model_state = model.module.state_dict() if isinstance(model, DDP) else model.state_dict()
                torch.save({"epoch": epoch, "state_dict": model_state, EXTRA}, f"ckpt_{epoch}.pth")
    """
    # the dict's value is the model's state, though its key says only "state_dict"
    line = 'torch.save({"epoch": epoch, "state_dict": model_state, EXTRA}, f"ckpt_{epoch}.pth")'
    assert findings(source.replace("EXTRA", '"seed": 0')) == [("LC012", line.replace("EXTRA", '"seed": 0'))]
    # and a value bound to the optimizer's state is the optimizer's
    with_optimizer = source.replace("EXTRA", '"opt": opt_state').replace(
        "                torch.save(", "                opt_state = optimizer.state_dict()\n                torch.save("
    )
    assert findings(with_optimizer) == []


def test_in_a_pass_that_takes_gradients_the_forwards_that_only_predict_are_the_pass() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

        def adapt_and_score(x, y, x_query, y_query):
            loss = nn.functional.cross_entropy(model(x), y)
            grads = torch.autograd.grad(loss, model.parameters())
            PREDICT
            return (logits.argmax(1) == y_query).sum().item()

        for x, y, x_query, y_query in test_loader:
            score = adapt_and_score(x, y, x_query, y_query)
    """
    assert findings(source.replace("PREDICT", "logits = model(x_query)")) == [("LC007", "logits = model(x_query)")]
    no_grad = "with torch.no_grad():\n                logits = model(x_query)"
    assert findings(source.replace("PREDICT", no_grad)) == []


def test_a_deep_copy_of_a_model_has_the_models_class() -> None:
    source = """
        import copy

        class Functional(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.ones(4))
                self.mean = nn.Parameter(torch.zeros(4), requires_grad=False)
                self.var = nn.Parameter(torch.ones(4), requires_grad=False)
                self.fc = nn.Linear(4, 2)

            def forward(self, x, bn_training=True):
                return self.fc(nn.functional.batch_norm(x, self.mean, self.var, weight=self.w, training=MODE))

        net = Functional()
        net.load_state_dict(torch.load("net.pt"))
        with torch.no_grad():
            for x, y in test_loader:
                copied = copy.deepcopy(net)
                correct = (copied(x).argmax(1) == y).sum().item()
    """
    # the batch norm's mode is the forward's argument, not the module's train()/eval()
    assert findings(source.replace("MODE", "bn_training")) == []
    assert findings(source.replace("MODE", "self.training")) == [
        ("LC006", "correct = (copied(x).argmax(1) == y).sum().item()")
    ]


def test_a_function_run_in_a_new_process_or_thread_is_called_with_its_arguments() -> None:
    source = """
        import torch.multiprocessing as mp

        def test(global_model):
            for episode in range(10):
                s = env.reset()
                done = False
                while not done:
                    prob = global_model(torch.from_numpy(s).float())
                    s, r, done, info = env.step(prob.argmax().item())
                    score += r

        def train(global_model, rank):
            optimizer = torch.optim.Adam(global_model.parameters(), lr=0.001)
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(global_model(x), y).backward()
                optimizer.step()

        global_model = Tiny()
        global_model.share_memory()
        processes = []
        for rank in range(3):
            processes.append(mp.Process(target=train, args=(global_model, rank)))
        LAUNCH
    """
    # grad mode belongs to each thread: the new process evaluates with grad enabled
    assert findings(source.replace("LAUNCH", "processes.append(mp.Process(target=test, args=(global_model,)))")) == [
        ("LC007", "prob = global_model(torch.from_numpy(s).float())")
    ]
    assert findings(source.replace("LAUNCH", "pass")) == []  # nothing runs test(): its context is unknown


# check half #8 -----------------------------------------------------------------------------


def test_eval_of_a_model_covers_the_data_parallel_wrapper_around_it() -> None:
    source = """
        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        parallel_model = WRAP

        def evaluate(loader):
            model.eval()
            with torch.no_grad():
                for x, y in loader:
                    correct = (parallel_model(x).argmax(1) == y).sum().item()

        for epoch in range(10):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(parallel_model(x), y).backward()
                optimizer.step()
            evaluate(val_loader)
    """
    assert findings(source.replace("WRAP", "nn.DataParallel(model, dim=1).cuda()")) == []
    assert findings(source.replace("WRAP", "model.cuda()")) == []
    # a deep copy is another module: switching the original's mode leaves the copy's alone
    assert findings(source.replace("WRAP", "copy.deepcopy(model)").replace("import torch\n", "import copy\nimport torch\n")) == [
        ("LC006", "correct = (parallel_model(x).argmax(1) == y).sum().item()")
    ]


def test_a_forward_whose_output_reaches_numpy_undetached_builds_no_graph() -> None:
    source = """
        generator = Tiny()
        optimizer = torch.optim.Adam(generator.parameters(), lr=0.001)
        for step, z in enumerate(noise_loader):
            optimizer.zero_grad()
            generator(z).mean().backward()
            optimizer.step()
            if step % 1000 == 0:
                images = torch.cat([generator(z).cpu() for z in grid_z])OUT
    """
    # `.numpy()` on a tensor that requires grad raises: the code runs only if no graph is built
    assert findings(source.replace("OUT", ".numpy()")) == []
    assert findings(source.replace("OUT", ".detach().numpy()")) == [
        ("LC007", "images = torch.cat([generator(z).cpu() for z in grid_z]).detach().numpy()")
    ]


def test_a_grad_switch_statement_with_a_computed_flag_is_decided_per_call() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)

        def run_epoch(split):
            SWITCH
            model.train() if split == "train" else model.eval()
            for x, y in loaders[split]:
                loss = nn.functional.cross_entropy(model(x), y)
                if split == "train":
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                losses.append(loss.item())

        for epoch in range(10):
            run_epoch("train")
            run_epoch("test")
    """
    assert findings(source.replace("SWITCH", 'torch.set_grad_enabled(split == "train")')) == []
    assert findings(source.replace("SWITCH", "pass")) == [("LC007", "loss = nn.functional.cross_entropy(model(x), y)")]


def test_a_module_held_by_a_library_helper_object_is_not_the_trained_model() -> None:
    source = """
        from timm.utils import ModelEma

        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model_ema = ModelEma(model, decay=0.999)

        def validate(net, loader):
            net.eval()
            with torch.no_grad():
                for x, y in loader:
                    correct = (net(x).argmax(1) == y).sum().item()

        for epoch in range(10):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
                model_ema.update(model)
            validate(HELD, val_loader)
    """
    # the EMA copy stays in eval mode; nothing trains it
    assert findings(source.replace("HELD", "model_ema.ema")) == []
    assert findings(source.replace("HELD", "model")) == [("LC008", "validate(model, val_loader)")]


def test_the_validation_and_test_loops_of_a_training_function_are_two_passes() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def train():
            for epoch in range(10):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                for x, y in val_loader:
                    val_acc = (model(x).argmax(1) == y).float().mean().item()
            for x, y in test_loader:
                test_acc = (model(x).argmax(1) == y).float().mean().item()

        def test():
            for x, y in val_loader:
                val_acc = (model(x).argmax(1) == y).float().mean().item()
            for x, y in test_loader:
                test_acc = (model(x).argmax(1) == y).float().mean().item()

        train()
        test()
    """
    # a function that trains cannot be wrapped in no_grad whole: each pass needs its own block;
    # one that trains nothing can (one finding)
    assert findings(source) == [
        ("LC007", "val_acc = (model(x).argmax(1) == y).float().mean().item()"),
        ("LC007", "test_acc = (model(x).argmax(1) == y).float().mean().item()"),
        ("LC007", "val_acc = (model(x).argmax(1) == y).float().mean().item()"),
    ]


# check half #9 -----------------------------------------------------------------------------


def test_a_validation_that_saves_the_mode_and_switches_back_under_it_restores_train_mode() -> None:
    source = """
        class Trainer:
            def __init__(self, model, optimizer):
                self.model = model
                self.optimizer = optimizer

            def validate(self):
                training = self.model.training
                self.model.eval()
                with torch.no_grad():
                    for x, y in val_loader:
                        correct = (self.model(x).argmax(1) == y).sum().item()
                RESTORE

            def train_epoch(self):
                self.model.train()
                for step, (x, y) in enumerate(train_loader):
                    if step % 100 == 0:
                        self.validate()
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.model(x), y).backward()
                    self.optimizer.step()

        model = Dropping()
        Trainer(model, torch.optim.SGD(model.parameters(), lr=0.1)).train_epoch()
    """
    assert findings(source.replace("RESTORE", "if training:\n                    self.model.train()")) == []
    assert findings(source.replace("RESTORE", "pass")) == [("LC008", "self.validate()")]


def test_a_path_that_raises_completes_no_iteration_and_leaves_no_evaluation_forward() -> None:
    source = """
        student = Dropping()
        head = Tiny()
        optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
        student.eval()
        for x, y in train_loader:
            features = student(x)
            if mode == "a":
                loss = nn.functional.cross_entropy(head(features), y)
            else:
                preds = student(x).argmax(1)
                OTHER
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    """
    assert findings(source.replace("OTHER", 'raise NotImplementedError(mode)')) == []
    # a path that skips the update completes the iteration: its forward ran for nothing, under grad
    assert [code for code, _ in findings(source.replace("OTHER", "continue"))] == ["LC007"]


RESUMED_TINY = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        start_epoch = 1
        if args.resume:
            net.load_state_dict(torch.load(most_recent_weights(args.checkpoint_dir)))
            start_epoch = last_epoch(args.checkpoint_dir) + 1
        for epoch in range(START, 200):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
"""
"""A `Tiny` network trained from `START` (its weights loaded back under `--resume`), at the
indentation of the tests' sources."""


def test_names_formatted_into_a_string_with_no_field_are_not_in_the_file_name() -> None:
    """`"net_1.pth".format(epoch)` writes the same file every time: the epoch handed to a format
    string with no replacement field is not in the name (also through a name bound to it)."""
    source = RESUMED_TINY.replace("START", "start_epoch") + """
            if epoch % 10 == 0:
                fname = NAME
                fname = fname.format(epoch, args.lr)
                torch.save(net.state_dict(), os.path.join(args.out, fname))
    """

    def messages(name: str) -> list[str]:
        found, errors = lint_source(NETS + textwrap.dedent(source.replace("NAME", name)), "inference.py")
        assert errors == []
        return [f.message.split(" but ")[0] for f in found if f.code == "LC012"]

    assert messages('"net_{}_{}.pth"') == ["this checkpoint records the 'epoch' (in the file name)"]
    assert messages('"net_1.pth"') == ["this checkpoint records the model weights (loaded back before training goes on)"]
    assert messages('"net_{}.pth" if args.tag else "net_1.pth"') == ["this checkpoint records the 'epoch' (in the file name)"]


def test_a_weights_file_named_by_a_path_variable_with_the_epoch_is_a_resume_checkpoint() -> None:
    source = RESUMED_TINY + """
            acc = evaluate(net)
            if best_acc < acc:
                best_path = os.path.join(args.checkpoint_dir, "best.pth")
                torch.save(net.state_dict(), best_path)
                best_acc = acc
                continue
            if not epoch % 10:
                PATH
                torch.save(net.state_dict(), weights_path)
    """
    regular = 'weights_path = checkpoint_path.format(epoch=epoch, type="regular")'
    found = findings(source.replace("START", "start_epoch").replace("PATH", regular))
    assert found == [("LC012", "torch.save(net.state_dict(), weights_path)")]
    source = source.replace("START", "start_epoch")
    found = findings(source.replace("PATH", 'weights_path = os.path.join(args.checkpoint_dir, "net_" + str(epoch) + ".pth")'))
    assert found == [("LC012", "torch.save(net.state_dict(), weights_path)")]
    # no position in the name, but `--resume` loads the weights back before training goes on
    latest = source.replace("PATH", 'weights_path = os.path.join(args.checkpoint_dir, "latest.pth")')
    assert findings(latest) == [("LC012", "torch.save(net.state_dict(), weights_path)")]
    # without the resume branch, weights saved under one name are snapshots
    unloaded = latest.replace("net.load_state_dict(torch.load(most_recent_weights(args.checkpoint_dir)))", "pass")
    assert findings(unloaded) == []


def test_a_load_of_a_key_of_a_dict_checkpoint_does_not_read_bare_weights_back() -> None:
    """Bare weights saved each epoch (`torch.save(net.state_dict(), path)`) are not what a resume
    reading a key of a dict checkpoint (`net.load_state_dict(ckpt["state_dict"])`) loads: that
    file was written otherwise, so these saves are no resume checkpoint."""
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        start_epoch = 0
        if args.reload:
            checkpoint = torch.load(args.reload)
            net.load_state_dict(LOADED)
            start_epoch = args.start_epoch
        for epoch in range(start_epoch, args.epochs):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            torch.save(net.state_dict(), args.model_path)
    """
    assert findings(source.replace("LOADED", "checkpoint")) == [("LC012", "torch.save(net.state_dict(), args.model_path)")]
    assert findings(source.replace("LOADED", 'checkpoint["state_dict"]')) == []


def test_a_helpers_zero_grad_on_the_module_its_callers_built_the_optimizer_over_resets_it() -> None:
    """`train(loader, net, optimizer)` calling `discriminator.zero_grad()` and `optimizer_d.step()`
    on its parameters: the callers pass the module the optimizer was built over, so the module's
    reset clears what the optimizer steps; another module's reset does not."""
    source = """
        def train(loader, discriminator, optimizer_d):
            for x, y in loader:
                discriminator.zero_grad()
                nn.functional.cross_entropy(discriminator(x), y).backward()
                optimizer_d.step()

        if __name__ == "__main__":
            net = Tiny()
            other = Tiny()
            optimizer = torch.optim.Adam(net.parameters())
            train(train_loader, ZEROED, optimizer)
    """
    assert findings(source.replace("ZEROED", "net")) == []
    assert findings(source.replace("ZEROED", "other")) == [("LC001", "nn.functional.cross_entropy(discriminator(x), y).backward()")]


def test_weights_loaded_from_another_runs_files_or_into_another_model_are_no_resume() -> None:
    source = """
        net = Tiny()
        teacher = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        start_epoch = 0
        if args.load:
            model_name = os.path.join(args.load, args.dataset + LOADED + str(args.epoch) + ".pt")
            INTO.load_state_dict(torch.load(model_name))
            start_epoch = args.epoch + 1
        for epoch in range(start_epoch, args.epochs):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            torch.save(net.state_dict(), os.path.join(args.save, args.dataset + "_tune_epoch_" + str(epoch) + ".pt"))
    """
    resumed = source.replace("LOADED", '"_tune_epoch_"').replace("INTO", "net")
    assert [code for code, _ in findings(resumed)] == ["LC012"]
    # the weights of another run (`_baseline_epoch_N.pt`) are a starting point for fine-tuning
    assert findings(source.replace("LOADED", '"_baseline_epoch_"').replace("INTO", "net")) == []
    # weights loaded into another model (a teacher) restore nothing of this one
    assert findings(source.replace("LOADED", '"_tune_epoch_"').replace("INTO", "teacher")) == []


# check half #10 ----------------------------------------------------------------------------


def test_a_model_bound_by_a_global_statement_inside_a_function_keeps_its_class() -> None:
    source = """
        def predict(x):
            return net(x)

        def run():
            global net
            net = MODEL()
            optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(predict(x), y).backward()
                optimizer.step()
            for x, y in test_loader:
                correct = (predict(x).argmax(1) == y).sum().item()

        run()
    """
    # Tiny holds no dropout or batch norm: leaving it in training mode changes nothing
    assert [code for code, _ in findings(source.replace("MODEL", "Tiny"))] == ["LC007"]
    assert [code for code, _ in findings(source.replace("MODEL", "Dropping"))] == ["LC006", "LC007"]


def test_an_if_elif_dispatch_on_one_option_has_no_fall_through_path() -> None:
    source = """
        discriminator, generator = Tiny(), Tiny()
        d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=0.001)
        g_optimizer = torch.optim.Adam(generator.parameters(), lr=0.001)
        for x, y in train_loader:
            discriminator.zero_grad()
            if args.loss == "hinge":
                nn.functional.relu(1 - discriminator(x)).mean().backward()
            elif CHOICE:
                nn.functional.softplus(-discriminator(x)).mean().backward()
            d_optimizer.step()
            generator.zero_grad()
            discriminator(generator(y)).mean().backward()
            g_optimizer.step()
    """
    # the option is one of the values the chain names: every path backwards before the step
    assert findings(source.replace("CHOICE", 'args.loss == "xent"')) == []
    # a test of something else may fail on both arms: the step can run without a backward
    assert [code for code, _ in findings(source.replace("CHOICE", "args.use_xent"))] == ["LC003"]


# check half #11 ----------------------------------------------------------------------------


def test_a_file_with_its_own_autograd_and_no_torch_is_not_pytorch_code() -> None:
    source = textwrap.dedent("""
        import math

        class Var:
            def __init__(self, v, grad_fn=None):
                self.v, self.grad_fn, self.grad = v, grad_fn, 0.0

            def backward(self, grad=1.0):
                self.grad += grad

        IMPORT
        train_loss = []
        for epoch in range(10):
            Loss = Var(math.sin(epoch))
            Loss.backward()
            train_loss.append(Loss)
    """)
    from loopcheck.model import LoopModel
    from loopcheck.source import parse

    own = source.replace("IMPORT", "import numpy as np")
    assert LoopModel(parse(own), path="nanograd.py").foreign_framework == "its own autograd"
    assert lint_source(own, "nanograd.py") == ([], [])
    # with torch imported, the same names could hold tensors: the file is analysed as usual
    with_torch = source.replace("IMPORT", "import torch")
    assert LoopModel(parse(with_torch), path="nanograd.py").foreign_framework is None


def test_a_training_function_nobody_in_the_project_calls_runs_with_grad_enabled() -> None:
    source = """
        class Experiment:
            def __init__(self):
                self.model = Dropping()
                self.optimizer = torch.optim.Adam(self.model.parameters(), lr=0.001)

            def vali(self, loader):
                self.model.eval()
                losses = []
                for x, y in loader:
                    losses.append(nn.functional.mse_loss(self.model(x), y).item())
                self.model.train()
                return sum(losses) / len(losses)

            def TRAIN(self):
                for epoch in range(10):
                    for x, y in train_loader:
                        self.optimizer.zero_grad()
                        nn.functional.mse_loss(self.model(x), y).backward()
                        self.optimizer.step()
                    self.vali(val_loader)
    """
    # whoever calls train() has grad on, or its backward() would fail: vali runs with grad on
    assert findings(source.replace("TRAIN", "train")) == [
        ("LC007", "losses.append(nn.functional.mse_loss(self.model(x), y).item())")
    ]
    # a function that only evaluates, called from nowhere here, is entered in a context unseen
    no_training = source.replace("TRAIN", "run").replace(".backward()", ".item()")
    assert findings(no_training) == []


def test_a_project_decorator_whose_wrapper_runs_under_no_grad_disables_grad() -> None:
    source = """
        def nograd(f):
            def new_f(*args, **kwargs):
                WRAP
            return new_f

        class Detector(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)

            @nograd
            def predict(self, x):
                return self(x).argmax(1)

        model = Detector()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        for x, y in test_loader:
            correct = (model.predict(x) == y).sum().item()
    """
    with_no_grad = "with torch.no_grad():\n                    return f(*args, **kwargs)"
    assert findings(source.replace("WRAP", with_no_grad)) == []
    assert findings(source.replace("WRAP", "return f(*args, **kwargs)")) == [
        ("LC007", "correct = (model.predict(x) == y).sum().item()")
    ]


def test_passes_through_a_helper_shared_with_training_are_reported_where_each_calls_it(tmp_path: Path) -> None:
    (tmp_path / "exp.py").write_text(NETS + textwrap.dedent("""
        class Exp:
            def __init__(self):
                self.model = Dropping()
                self.optimizer = torch.optim.Adam(self.model.parameters(), lr=0.001)

            def _one_batch(self, x):
                return self.model(x)

            def vali(self, loader):
                self.model.eval()
                losses = []
                for x, y in loader:
                    pred = self._one_batch(x)
                    losses.append(nn.functional.mse_loss(pred.detach(), y).item())
                self.model.train()
                return sum(losses) / len(losses)

            def train(self, loader):
                for epoch in range(10):
                    for x, y in loader:
                        self.optimizer.zero_grad()
                        nn.functional.mse_loss(self._one_batch(x), y).backward()
                        self.optimizer.step()
                    self.vali(val_loader)

            def test(self, loader):
                self.model.eval()
                preds = []
                for x, y in loader:
                    pred = self._one_batch(x)
                    preds.append(pred.detach().numpy())
                return preds
    """))
    (tmp_path / "main.py").write_text(textwrap.dedent("""
        from exp import Exp as ExpClass

        RUN = ExpClass
        exp = RUN()
        exp.train(train_loader)
        exp.test(test_loader)
    """))
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    lines = (tmp_path / "exp.py").read_text().splitlines()
    found = [(f.code, lines[f.line - 1].strip()) for f in result.findings]
    # the helper also runs the training forward: no_grad goes where each pass calls it, and the
    # test pass is found although main.py reaches the class through a module-level alias
    assert found == [("LC007", "pred = self._one_batch(x)"), ("LC007", "pred = self._one_batch(x)")]
    assert sorted(f.line for f in result.findings) == sorted(
        i + 1 for i, line in enumerate(lines) if line.strip() == "pred = self._one_batch(x)"
    )
    # a helper that only evaluation uses is one pass, fixed in the helper itself
    helper_only_eval = (tmp_path / "exp.py").read_text().replace(
        "nn.functional.mse_loss(self._one_batch(x), y).backward()", "nn.functional.mse_loss(self.model(x), y).backward()"
    )
    (tmp_path / "exp.py").write_text(helper_only_eval)
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    lines = helper_only_eval.splitlines()
    assert [(f.code, lines[f.line - 1].strip()) for f in result.findings] == [("LC007", "return self.model(x)")]
    # an alias bound twice is no alias: the test pass's callers are unknown; but `test` is a method
    # of a class that trains its model itself, which its users call as they call `train`
    (tmp_path / "main.py").write_text((tmp_path / "main.py").read_text().replace("RUN = ExpClass", "RUN = ExpClass\nRUN = object"))
    (tmp_path / "exp.py").write_text(helper_only_eval.replace("self.vali(val_loader)", "pass"))
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert [(f.code, lines[f.line - 1].strip()) for f in result.findings] == [("LC007", "return self.model(x)")]


def test_the_case_of_the_letter_after_net_or_opt_tells_a_role_from_an_ordinary_word() -> None:
    source = """
        def evaluate(NAME, loader):
            for x, y in loader:
                acc = (NAME(x).argmax(1) == y).float().mean().item()

        net = Dropping()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            evaluate(ARG, val_loader)
    """
    # `netD` names a model; `network_query_fn` (a lambda over the network) is no module with a mode
    camel = source.replace("NAME", "netD").replace("ARG", "net")
    assert findings(camel) == [("LC006", "acc = (netD(x).argmax(1) == y).float().mean().item()")]
    lowercase = source.replace("NAME", "network_query_fn").replace("ARG", "lambda x: net(x)")
    assert findings(lowercase) == []
    # `opts` / `options` (parsed arguments) are no optimizers; `optD` is one
    stepping = """
        netD = Tiny()
        NAME = torch.optim.SGD(netD.parameters(), lr=0.1) if use_sgd else make_optimizer(netD)
        for x, y in train_loader:
            NAME.step()
            nn.functional.cross_entropy(netD(x), y).backward()
    """
    assert sorted(code for code, _ in findings(stepping.replace("NAME", "optD"))) == ["LC001", "LC003"]
    assert findings(stepping.replace("NAME", "opts").replace(" = torch.optim.SGD(netD.parameters(), lr=0.1) if use_sgd else make_optimizer(netD)", " = parse_args()")) == []


def test_a_module_whose_every_parameter_is_frozen_makes_no_graph_from_plain_inputs() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()

        FREEZE
        features = []
        for x, y in test_loader:
            features.append(backbone(x))
    """
    built = "backbone = Tiny()\n        "
    frozen_ways = [
        built + "backbone.requires_grad_(False)",
        built + "for p in backbone.parameters():\n            p.requires_grad = False",
        "backbone = nn.Embedding(100, 8)\n        backbone.weight.requires_grad = False",
        "backbone = nn.Embedding.from_pretrained(vectors)",
        # a container of a frozen module's layers shares its frozen parameters
        "trunk = Tiny()\n        trunk.requires_grad_(False)\n        backbone = nn.Sequential(*list(trunk.children())[:1])",
    ]
    for freeze in frozen_ways:
        assert findings(source.replace("FREEZE", freeze)) == [], freeze
    # not frozen whole: a part only, a linear layer's weight without its bias, thawed again, or
    # an embedding built to be trained
    kept = [("LC007", "features.append(backbone(x))"), ("LC009", "features.append(backbone(x))")]
    partly = [
        built + "backbone.fc.requires_grad_(False)",
        "backbone = nn.Linear(4, 2)\n        backbone.weight.requires_grad = False",
        built + "backbone.requires_grad_(False)\n        backbone.requires_grad_(True)",
        built + "for p in backbone.parameters():\n            p.requires_grad = False\n        backbone.fc = nn.Linear(4, 2)",
        "backbone = nn.Embedding.from_pretrained(vectors, freeze=False)",
        built,
        "trunk = Tiny()\n        trunk.requires_grad_(False)\n        backbone = nn.Sequential(*list(trunk.children()), nn.Linear(4, 2))",
        "trunk = Tiny()\n        backbone = nn.Sequential(*list(trunk.children())[:1])",
    ]
    for freeze in partly:
        assert sorted(findings(source.replace("FREEZE", freeze))) == kept, freeze
    # frozen only after the forwards that stored its outputs: they made graphs
    late = source.replace("FREEZE", built.strip()) + "\n        backbone.requires_grad_(False)\n"
    assert sorted(findings(late)) == kept
    # a frozen module fed a value that carries a graph passes it on
    fed = source.replace("FREEZE", built + "backbone.requires_grad_(False)").replace("backbone(x)", "backbone(net(x))")
    assert ("LC009", "features.append(backbone(net(x)))") in findings(fed)


def test_one_forward_run_in_slices_of_its_input_and_returned_keeps_no_graph_across_data() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.Adam(net.parameters(), lr=0.001)

        def render(rays, chunk=1024):
            outputs = []
            for i in range(0, rays.shape[0], chunk):
                outputs.append(net(rays[i:i + chunk]))
            RESULT

        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(render(x), y).backward()
            optimizer.step()
    """
    # the slices' outputs are joined and handed back: the caller's forward, backwarded there
    assert findings(source.replace("RESULT", "return torch.cat(outputs, 0)")) == []
    # not handed back, or collected over data rather than slices of one input: still reported
    assert [c for c, _ in findings(source.replace("RESULT", "kept = outputs\n            return 1"))] == ["LC009"]
    over_data = source.replace("range(0, rays.shape[0], chunk)", "range(0, len(dataset), chunk)").replace(
        "rays[i:i + chunk]", "dataset[i]"
    )
    assert [c for c, _ in findings(over_data.replace("RESULT", "return torch.cat(outputs, 0)"))] == ["LC009"]


def test_a_feature_extractor_put_in_eval_mode_where_it_is_built_needs_no_eval_of_its_wrapper() -> None:
    source = """
        class Statistics(nn.Module):
            def __init__(self):
                super().__init__()
                self.model = self.load_model()

            def load_model(self):
                model = Dropping()
                MODE
                model.requires_grad_(False)
                return model

            def forward(self, x):
                GRAD
                    return self.model(x).mean(0)

        generator = Tiny()
        optimizer = torch.optim.Adam(generator.parameters(), lr=0.001)
        stats = Statistics()
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(generator(x), y).backward()
            optimizer.step()

        def evaluate(loader):
            for x in loader:
                scores.append(stats(x).item())

        evaluate(val_loader)
    """
    # the extractor is put in eval mode when built and its forward disables grad: nothing to report
    ok = source.replace("MODE", "model.eval()").replace("GRAD", "with torch.inference_mode():")
    assert findings(ok) == []
    # left in training mode where built: the dropout inside runs in training mode
    assert [c for c, _ in findings(source.replace("MODE", "pass").replace("GRAD", "with torch.inference_mode():"))] == ["LC006"]
    # its forward records a graph (and its parameters are not all frozen): LC007
    unfrozen = ok.replace("model.requires_grad_(False)", "pass").replace("GRAD", "if True:")
    assert [c for c, _ in findings(unfrozen.replace("with torch.inference_mode():", "if True:"))] == ["LC007"]


def test_a_model_built_from_a_registry_of_project_classes_has_the_layers_of_those_classes() -> None:
    source = """
        import threading

        class Worker(threading.Thread):
            def run(self):
                self.result = 0

        class Repeat(nn.Module):
            def __init__(self):
                super().__init__()
                self.worker = Worker()

            def forward(self, x):
                return x

        class Base:
            def __init__(self):
                self.model = self._build_model().to("cpu")

            def _build_model(self):
                raise NotImplementedError

        class Exp(Base):
            def _build_model(self):
                model_dict = {"repeat": Repeat, "other": OTHER}
                model = model_dict[self.name](self.args).float()
                return model

            def test(self, loader):
                with torch.no_grad():
                    for x, y in loader:
                        preds.append(self.model(x))

        exp = Exp()
        exp.test(test_loader)
    """
    # the registry holds classes without dropout or batch norm (a thread is no module): no eval() needed
    assert findings(source.replace("OTHER", "Tiny")) == []
    # one class of the registry holds dropout: the model may
    assert [c for c, _ in findings(source.replace("OTHER", "Dropping"))] == ["LC006"]


# check half #12 ----------------------------------------------------------------------------


def test_a_flag_set_on_the_object_before_a_loop_decides_the_branches_of_its_methods() -> None:
    source = """
        class Agent:
            def __init__(self):
                self.dqn = Dropping()
                self.optimizer = torch.optim.Adam(self.dqn.parameters(), lr=0.001)
                self.is_test = False

            def select_action(self, x):
                if self.is_test:
                    self.dqn.eval()
                return self.dqn(x).argmax().item()

            def train(self, loader):
                self.is_test = FLAG
                for x, y in loader:
                    self.select_action(x)
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.dqn(x), y).backward()
                    self.optimizer.step()

        agent = Agent()
        agent.train(train_loader)
    """
    # train() sets the flag to False: the eval() in select_action never runs in its loop
    assert findings(source.replace("FLAG", "False")) == []
    # with the flag True (or unknown) the switch to eval mode is left in the training loop
    assert [c for c, _ in findings(source.replace("FLAG", "True"))] == ["LC008"]
    assert [c for c, _ in findings(source.replace("FLAG", "flag"))] == ["LC008"]


def test_a_marimo_cell_sees_the_names_other_cells_return(tmp_path: Path) -> None:
    source = textwrap.dedent('''
        import marimo

        app = marimo.App()


        @app.cell
        def _():
            import torch
            import torch.nn as nn
            return nn, torch


        @app.cell
        def _(nn, torch):
            class Agent:
                def __init__(self):
                    self.net = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.1))
                    self.optimizer = torch.optim.Adam(self.net.parameters())

                def train(self, loader):
                    for x, y in loader:
                        self.optimizer.zero_grad()
                        nn.functional.cross_entropy(self.net(x), y).backward()
                        self.optimizer.step()

                def test(self, loader):
                    self.net.eval()
                    for x, y in loader:
                        score = (self.net(x).argmax(1) == y).float().mean().item()
            return (Agent,)


        @app.cell
        def _(Agent, train_loader):
            agent = Agent()
            agent.train(train_loader)
            return (agent,)


        @app.cell
        def _(agent, test_loader):
            GUARD
            agent.test(test_loader)
            return


        if __name__ == "__main__":
            app.run()
    ''')
    script = tmp_path / "notebook.py"
    script.write_text(source.replace("GUARD", "pass"), encoding="utf-8")
    result = lint_paths([str(script)], root=str(tmp_path))
    lines = script.read_text().splitlines()
    assert [(f.code, lines[f.line - 1].strip()) for f in result.findings] == [
        ("LC007", "score = (self.net(x).argmax(1) == y).float().mean().item()")
    ]
    # the cell that runs the test under no_grad: nothing to report
    script.write_text(source.replace("GUARD\n    agent.test(test_loader)", "with torch.no_grad():\n        agent.test(test_loader)").replace("def _(agent, test_loader):", "def _(agent, test_loader, torch):"), encoding="utf-8")
    assert lint_paths([str(script)], root=str(tmp_path)).findings == []


def test_a_helper_named_like_a_module_method_or_returning_a_copy_keeps_the_models_class() -> None:
    source = """
        import copy

        def train(model):
            optimizer = torch.optim.Adam(model.parameters())
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            return model

        def accuracy(model):
            with torch.no_grad():
                return (model(x_test).argmax(1) == y_test).float().mean().item()

        def pruned_copy(base):
            m = copy.deepcopy(base)
            return m

        model = train(NET())
        for amount in amounts:
            pruned = pruned_copy(model)
            results.append(accuracy(pruned))
    """
    # `train(...)` is a project function, not `.train()`; the copy is of the same class
    assert findings(source.replace("NET", "Tiny")) == []
    assert [c for c, _ in findings(source.replace("NET", "Dropping"))] == ["LC006"]


def test_an_uncalled_method_that_trains_through_a_helper_runs_with_grad_enabled() -> None:
    source = """
        class Solver:
            def __init__(self):
                self.model = Dropping()
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def TRAIN(self):
                for epoch in range(10):
                    self.model.train()
                    self._run_one_epoch(train_loader)
                    self.model.eval()
                    self._run_one_epoch(val_loader, cross_valid=True)

            def _run_one_epoch(self, loader, cross_valid=False):
                for x, y in loader:
                    loss = nn.functional.cross_entropy(self.model(x), y)
                    if not cross_valid:
                        self.optimizer.zero_grad()
                        loss.backward()
                        self.optimizer.step()
    """
    # whoever calls train() has grad on (its helper's backward needs it): the validation runs with grad
    assert findings(source.replace("TRAIN", "train")) == [("LC007", "loss = nn.functional.cross_entropy(self.model(x), y)")]
    # a method that only evaluates, called from nowhere here, is entered in a context unseen
    only_eval = source.replace("TRAIN", "validate").replace("self._run_one_epoch(train_loader)", "pass")
    assert findings(only_eval) == []


def test_a_compound_test_on_a_known_argument_is_decided() -> None:
    source = """
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())

        def run_epoch(loader, mode="train"):
            for x, y in loader:
                loss = nn.functional.cross_entropy(model(x), y)
                if TEST:
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()

        for epoch in range(10):
            model.train()
            run_epoch(train_loader, mode="train")
            model.eval()
            run_epoch(val_loader, mode="eval")
    """
    reported = [("LC007", "loss = nn.functional.cross_entropy(model(x), y)")]
    for test in ('mode == "train" or mode == "train+log"', 'mode in ("train", "train+log")', 'not (mode != "train")'):
        assert findings(source.replace("TEST", test)) == reported, test
    # a test on something unknown leaves both arms possible: the evaluation call may train
    assert "LC007" not in [c for c, _ in findings(source.replace("TEST", 'mode == "train" or use_all'))]


def test_a_tensor_rebound_to_itself_joined_with_a_graph_grows_across_iterations() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.Adam(net.parameters())
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()

        def evaluate(loader):
            predict = None
            for x, y in loader:
                output = net(x)
                if predict is None:
                    predict = output
                else:
                    JOIN
            return predict.detach().numpy()

        with torch.no_grad():
            evaluate(val_loader)
        evaluate(test_loader)
    """
    for join in ("predict = torch.cat((predict, output))", "predict = torch.stack([predict, output])"):
        assert [c for c, line in findings(source.replace("JOIN", join)) if c == "LC009"] == ["LC009"], join
    # detached, or a number: nothing kept
    for join in ("predict = torch.cat((predict, output.detach()))", "predict = predict + output.sum().item()"):
        assert [c for c, _ in findings(source.replace("JOIN", join)) if c == "LC009"] == [], join
    # joined in every iteration to what the loop started from (`scores = torch.cat((scores, out), 0)`,
    # or first made in the `except` of a `try` that joins): the join keeps every batch's graph
    unconditional = source.replace("predict = None", "predict = torch.zeros(0, 2)").replace(
        "                if predict is None:\n                    predict = output\n                else:\n                    JOIN",
        "                predict = torch.cat((predict, output), 0)",
    )
    assert [c for c, _ in findings(unconditional) if c == "LC009"] == ["LC009"]
    first_in_except = source.replace(
        "                if predict is None:\n                    predict = output\n                else:\n                    JOIN",
        "                try:\n                    predict = torch.cat((predict, output), 0)\n                except TypeError:\n                    predict = output",
    )
    assert [c for c, _ in findings(first_in_except) if c == "LC009"] == ["LC009"]


def test_python_3_6_code_that_names_an_argument_async_is_analysed() -> None:
    source = """
        net = Dropping()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            x, y = x.cuda(async=True), y.cuda(async = True)
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
    """
    # a keyword since Python 3.7; the rest of the file is ordinary: its findings are not lost,
    # and they point at the right columns
    found = findings(source)
    assert [c for c, _ in found] == ["LC001"]
    text = NETS + textwrap.dedent(source)
    result, errors = lint_source(text, "old.py")
    assert errors == [] and text.splitlines()[result[0].line - 1][result[0].column - 1 :].startswith("nn.functional")
    # genuine syntax errors are still reported as such
    from loopcheck.source import UnreadableFile

    try:
        lint_source(text.replace("optimizer.step()", "optimizer.step("), "broken.py")
    except UnreadableFile as error:
        assert "cannot parse" in str(error)
    else:
        raise AssertionError("a file with a syntax error was analysed")


def test_a_module_that_builds_no_parameters_records_no_graph_when_run() -> None:
    source = """
        class Audio2Mel(nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("window", torch.hann_window(1024))
                EXTRA

            def forward(self, audio):
                fft = torch.stft(audio, n_fft=1024, window=self.window, return_complex=True)
                return torch.log(fft.abs() + 1e-5)

        net = Tiny()
        fft = Audio2Mel()
        optimizer = torch.optim.Adam(net.parameters())
        for step, (x, y) in enumerate(train_loader):
            optimizer.zero_grad()
            nn.functional.mse_loss(net(fft(x)), y).backward()
            optimizer.step()
            if step % 100 == 0:
                ref = fft(x_ref)
                images.append(ref.detach())
    """
    # a fixed transform: nothing to disable grad for
    assert findings(source.replace("EXTRA", "pass")) == []
    # with a layer of its own it is a model whose forward records a graph
    assert [c for c, _ in findings(source.replace("EXTRA", "self.proj = nn.Linear(4, 4)"))] == ["LC007"]
    # torch layers that hold no parameter (an SSIM module's pooling windows) add none
    assert findings(source.replace("EXTRA", "self.pool = nn.AvgPool2d(3, 1)")) == []


def test_a_module_that_runs_a_module_made_elsewhere_may_hold_parameters() -> None:
    source = """
        HEAD = nn.Linear(4, 2)

        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = VALUE

            def forward(self, state):
                return torch.softmax(self.body(state), -1)

        class Agent:
            def __init__(self, network):
                self.network = network
                self.optimizer = torch.optim.Adam(network.parameters())

            def sample(self, state):
                probs = self.network(torch.as_tensor(state))
                return torch.distributions.Categorical(probs).sample().item()

        def train(agent):
            for episode in range(100):
                state, done, log_probs, rewards = env.reset(), False, [], []
                while not done:
                    dist = torch.distributions.Categorical(agent.network(torch.as_tensor(state)))
                    action = dist.sample()
                    log_probs.append(dist.log_prob(action))
                    state, reward, done, _ = env.step(action.item())
                    rewards.append(reward)
                loss = -torch.stack(log_probs).sum() * sum(rewards)
                agent.optimizer.zero_grad()
                loss.backward()
                agent.optimizer.step()

        def test_agent(agent):
            total = 0
            for episode in range(10):
                state, done = env.reset(), False
                while not done:
                    state, reward, done, _ = env.step(agent.sample(state))
                    total += reward
            return total

        agent = Agent(Policy())
        train(agent)
        test_agent(agent)
    """
    # a module read from a configuration or a global may hold layers: its forward records a graph
    assert [c for c, _ in findings(source.replace("VALUE", 'config["body"]'))] == ["LC007"]
    assert [c for c, _ in findings(source.replace("VALUE", "HEAD"))] == ["LC007"]
    # a torch function stored to be applied builds nothing with parameters
    assert findings(source.replace("VALUE", "torch.tanh")) == []


def test_validation_every_k_steps_that_reuses_the_training_output_name_is_still_a_pass() -> None:
    source = """
        net = Dropping()
        optimizer = torch.optim.Adam(net.parameters())
        for i, (x, y) in enumerate(train_loader):
            if i % 100 == 0:
                net.eval()
                for xv, yv in val_loader:
                    output = net(xv)
                    val_loss += nn.functional.cross_entropy(output, yv).item()
                net.train()
            output = net(x)
            loss = nn.functional.cross_entropy(output, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    """
    assert findings(source) == [("LC007", "output = net(xv)")]


def test_a_helper_that_ends_with_train_does_not_make_training_mode_deliberate() -> None:
    source = """
        net = Dropping()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

        def perturb(model, x):
            model.eval()
            x = x.detach().requires_grad_()
            with torch.enable_grad():
                loss = model(x).sum()
            grad = torch.autograd.grad(loss, [x])[0]
            model.train()
            return (x + 0.01 * grad.sign()).detach()

        for x, y in train_loader:
            x_adv = perturb(net, x)
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x_adv), y).backward()
            optimizer.step()

        def eval_adv(model, loader):
            model.eval()
            with torch.no_grad():
                for x, y in loader:
                    x_adv = perturb(model, x)
                    correct += (model(x_adv).argmax(1) == y).sum().item()

        eval_adv(net, test_loader)
    """
    # the attack switches back to training mode for its training caller: the robust accuracy is
    # computed with dropout on
    assert findings(source) == [("LC006", "correct += (model(x_adv).argmax(1) == y).sum().item()")]
    # `model.train()` written in the pass itself, before it, is on purpose (Monte Carlo dropout)
    deliberate = source.replace("x_adv = perturb(model, x)", "x_adv = x\n                    model.train()")
    assert [c for c, _ in findings(deliberate)] == []


def test_the_module_inside_a_data_parallel_wrapper_is_the_model() -> None:
    source = """
        generator = nn.parallel.DistributedDataParallel(Dropping())
        optimizer = torch.optim.Adam(generator.parameters())
        for step, (x, y) in enumerate(train_loader):
            optimizer.zero_grad()
            nn.functional.mse_loss(generator(x), y).backward()
            optimizer.step()
            if step % 100 == 0:
                GUARD
                    sample = generator.module(x[:1])
                    images.append(sample.detach())
    """
    assert sorted(c for c, _ in findings(source.replace("GUARD", "if True:"))) == ["LC006", "LC007"]
    assert findings(source.replace("GUARD", "generator.eval()\n                with torch.no_grad():")) != []  # eval() left on: LC008
    assert "LC007" not in [c for c, _ in findings(source.replace("GUARD", "with torch.no_grad():"))]


def test_gradients_from_autograd_grad_carry_a_graph_only_with_create_graph() -> None:
    source = """
        net = Tiny()
        meta_optimizer = torch.optim.Adam(net.parameters())
        task_gradients = []
        for batch in meta_loader:
            for x, y in batch:
                loss = nn.functional.cross_entropy(net(x), y)
                grads = torch.autograd.grad(loss, net.parameters()CREATE)
                task_gradients.append(grads)
            meta_optimizer.zero_grad()
            apply_mean(net, task_gradients)
            meta_optimizer.step()
    """
    assert [c for c, _ in findings(source.replace("CREATE", ""))] == []
    assert [c for c, _ in findings(source.replace("CREATE", ", create_graph=True"))] == ["LC009"]


def test_a_model_built_by_a_name_defined_nowhere_holds_no_known_layers(tmp_path: Path) -> None:
    (tmp_path / "utils.py").write_text("import torch\n\ndef batches(x):\n    return x\n")
    script = tmp_path / "train.py"
    source = textwrap.dedent("""
        STAR
        import torch

        def accuracy(model, loader):
            for x, y in loader:
                hits = (model(x).argmax(1) == y).sum().item()

        model = FastText(config)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        accuracy(model, val_loader)
    """)
    # `FastText` is defined nowhere (the project module star-imported has no such name): the code
    # cannot run, so nothing is known of the model's layers (LC007 still holds: grad is on)
    script.write_text(source.replace("STAR", "from utils import *"), encoding="utf-8")
    codes = [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings]
    assert codes == ["LC007"]
    # a star import of a library may bring it: a class we cannot see may hold dropout
    script.write_text(source.replace("STAR", "from fasttext_lib import *"), encoding="utf-8")
    assert sorted(f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings) == ["LC006", "LC007"]


def test_a_forward_at_epoch_level_turned_into_pictures_is_a_sampling_pass() -> None:
    source = """
        from torchvision.utils import make_grid

        G = Tiny()
        optimizer = torch.optim.Adam(G.parameters())
        fixed = torch.randn(64, 4)
        for epoch in range(10):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.mse_loss(G(x), y).backward()
                optimizer.step()
            SAMPLE
    """
    assert findings(source.replace("SAMPLE", "grid = make_grid(G(fixed).cpu().data)")) == [
        ("LC007", "grid = make_grid(G(fixed).cpu().data)")
    ]
    # an epoch-level forward that is kept as it is says nothing of evaluation
    assert findings(source.replace("SAMPLE", "last = G(fixed)")) == []


def test_scheduler_order_in_code_written_for_pytorch_before_1_1_is_not_judged_by_todays_rule() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
        for epoch in range(100):
            scheduler.step()
            for x, y in train_loader:
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(net(x), y)
                loss.backward()
                optimizer.step()
                LOG
    """
    assert [c for c, _ in findings(source.replace("LOG", "total += loss.item()"))] == ["LC004"]
    # `loss.data[0]` fails on PyTorch >= 0.5: the code targets a version where this order was right
    assert findings(source.replace("LOG", "total += loss.data[0]")) == []


def test_a_checkpoint_of_code_written_for_pytorch_before_0_4_needs_no_scheduler_state() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
        for epoch in range(100):
            for x, y in train_loader:
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(net(x), y)
                loss.backward()
                optimizer.step()
                LOG
            scheduler.step()
            torch.save({"epoch": epoch, "model": net.state_dict(), "optimizer": optimizer.state_dict()}, "ckpt.pt")
    """
    assert [c for c, _ in findings(source.replace("LOG", "total += loss.item()"))] == ["LC012"]
    # schedulers had no state_dict() on the PyTorch this code targets (`loss.data[0]`)
    assert findings(source.replace("LOG", "total += loss.data[0]")) == []


def test_a_helper_that_switches_to_training_mode_and_runs_the_forward_itself_does_so_on_purpose() -> None:
    source = """
        G = Dropping()
        optimizer = torch.optim.Adam(G.parameters())
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(G(x), y).backward()
            optimizer.step()

        def accumulate_standing_stats(net, z):
            net.train()
            for i in range(16):
                with torch.no_grad():
                    z.normal_()
                    out = net(z)
            net.eval()

        def sample(net, z):
            net.eval()
            accumulate_standing_stats(net, z)
            with torch.no_grad():
                images.append(net(z).argmax(1).tolist())

        sample(G, z)
    """
    # batch-norm statistics recomputed in training mode on purpose, by the helper that runs them
    assert findings(source) == []


def test_a_module_name_rebound_to_the_model_it_builds_is_the_model(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(NETS + textwrap.dedent("""

        class RNNModel(Dropping):
            pass


        def helper(x):
            return x
    """), encoding="utf-8")
    script = tmp_path / "main.py"
    script.write_text(textwrap.dedent("""
        import torch
        import model

        model = model.RNNModel()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def evaluate(source):
            model.eval()
            total = 0.0
            for x, y in source:
                total += torch.nn.functional.cross_entropy(model(x), y).item()
            return total

        for epoch in range(3):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            evaluate(val_data)
    """), encoding="utf-8")
    # `import model` then `model = model.RNNModel()`: the name is the model from then on
    assert [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings] == ["LC007"]
    # a function imported from the module stays a function, never a model
    script.write_text(textwrap.dedent("""
        import torch
        from model import helper, RNNModel

        net = RNNModel()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(helper(x)), y).backward()
            optimizer.step()
        helper = 3
        with torch.no_grad():
            net.eval()
            out = net(helper(test_x))
    """), encoding="utf-8")
    assert lint_paths([str(script)], root=str(tmp_path)).findings == []


def test_a_volatile_input_guards_nothing_in_a_project_that_runs_on_pytorch_0_4_or_later(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(NETS, encoding="utf-8")
    (tmp_path / "train.py").write_text(textwrap.dedent("""
        import torch
        from model import Tiny

        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            optimizer.step()
            total += LOSS
        torch.save(net.state_dict(), "net.pt")
    """), encoding="utf-8")
    script = tmp_path / "test_image.py"
    script.write_text(textwrap.dedent("""
        import torch
        from torch.autograd import Variable
        from model import Tiny

        net = Tiny()
        net.load_state_dict(torch.load("net.pt"))
        net.eval()
        image = Variable(load_image(path), volatile=True)
        out = net(image)
        save(out.argmax(1))
    """), encoding="utf-8")
    train = (tmp_path / "train.py").read_text()
    # the training script reads `loss.item()`: the project runs on PyTorch >= 0.4, where
    # `volatile=True` is ignored, so the inference builds a graph
    (tmp_path / "train.py").write_text(train.replace("LOSS", "loss.item()"), encoding="utf-8")
    assert [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings] == ["LC007"]
    # written for PyTorch 0.3 throughout (`loss.data[0]`): a volatile input recorded no graph
    (tmp_path / "train.py").write_text(train.replace("LOSS", "loss.data[0]"), encoding="utf-8")
    assert lint_paths([str(script)], root=str(tmp_path)).findings == []


def test_a_model_moved_from_a_parameter_and_wrapped_in_ddp_keeps_the_callers_class() -> None:
    source = """
        from torch.nn.parallel import DistributedDataParallel as DDP

        class Trainer:
            def __init__(self, model, optimizer, train_loader, test_loader):
                self.model = model.to(0)
                self.optimizer = optimizer
                self.train_loader, self.test_loader = train_loader, test_loader
                self.model = DDP(self.model, device_ids=[0])

            def _run_batch(self, x, y, train=True):
                with torch.set_grad_enabled(train):
                    loss = nn.functional.cross_entropy(self.model(x), y)
                if train:
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()
                return loss.item()

            def _run_epoch(self, loader, train=True):
                for x, y in loader:
                    self._run_batch(x, y, train)

            def train(self):
                for epoch in range(3):
                    self._run_epoch(self.train_loader, train=True)
                    self._run_epoch(self.test_loader, train=False)

        net = NET()
        trainer = Trainer(net, torch.optim.SGD(net.parameters(), lr=0.1), train_loader, test_loader)
        trainer.train()
    """
    # `self.model = DDP(self.model)` wraps what `self.model = model.to(0)` held: the class the
    # caller passes; the evaluation (train=False) runs it in training mode
    assert [c for c, _ in findings(source.replace("NET", "Dropping"))] == ["LC006"]
    assert findings(source.replace("NET", "Tiny")) == []


def test_a_backward_later_in_the_script_on_unrelated_tensors_does_not_hide_a_test_loop() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()

        net.eval()
        outs = []
        for x, y in test_loader:
            out = net(x)
            correct += (out.argmax(1) == y).sum().item()
            LATER
        TAIL
    """
    # a later notebook cell differentiates a toy layer of its own: the test loop keeps graphs
    toy = source.replace("LATER", "pass").replace("TAIL", "z = nn.Linear(2, 2)(torch.rand(1, 2)).sum(); z.backward()")
    assert [c for c, _ in findings(toy)] == ["LC007"]
    # the loop collects outputs that are differentiated after it: it builds a graph on purpose
    kept = source.replace("LATER", "outs.append(out)").replace("TAIL", "total = torch.stack(outs).sum(); total.backward()")
    assert findings(kept) == []


def test_a_forward_on_held_out_data_after_the_step_of_a_training_iteration_is_validation() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(500):
            optimizer.zero_grad()
            tr_output = net(tr_input)
            loss = nn.functional.cross_entropy(tr_output, tr_targets)
            loss.backward()
            optimizer.step()
            out = net(INPUT)
            accs.append((out.argmax(1) == y).float().mean().item())
    """
    # full-batch training that validates on every iteration: a graph built and dropped each time
    assert [c for c, _ in findings(source.replace("INPUT", "val_input"))] == ["LC007"]
    # on the training input it is not held-out data, yet its output only measures accuracy
    assert [c for c, _ in findings(source.replace("INPUT", "tr_input"))] == ["LC007"]


def test_a_forward_after_the_step_whose_output_is_only_reported_evaluates() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for states, actions in batches():
            optimizer.zero_grad()
            logits = net(states)
            loss = nn.functional.cross_entropy(logits, actions)
            loss.backward()
            optimizer.step()
            new_logits = net(states)
            kl = (new_logits.softmax(1) * logits.log_softmax(1)).sum()
            USE
    """
    # the updated policy is run again only to log how far it moved: a graph built for nothing
    assert [c for c, _ in findings(source.replace("USE", 'writer.add_scalar("kl", kl.item())'))] == ["LC007"]
    assert [c for c, _ in findings(source.replace("USE", "print(float(kl))"))] == ["LC007"]
    # its output handed on to other code, not reported: what it serves for is not known
    assert findings(source.replace("USE", "buffer.push(kl)")) == []
    # (kept in a list, its graph is LC009's; no evaluation is claimed)
    assert [c for c, _ in findings(source.replace("USE", "history.append(kl)"))] == ["LC009"]
    # what an environment returns for it is no output of the model, even when printed
    assert findings(source.replace("USE", "state, reward = env.step(kl)\n            print(reward)")) == []
    # under no_grad it is right
    assert findings(source.replace("new_logits = net(states)", "with torch.no_grad():\n                new_logits = net(states)").replace("USE", "print(float(kl))")) == []


def test_a_single_forward_on_a_batch_taken_from_held_out_data_is_an_evaluation() -> None:
    source = """
        def show(model):
            data, _ = next(iter(LOADER))
            data = data.view(-1, 4)
            out = model(data)
            plot(out[0])

        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        show(net)
    """
    # the batch comes from the test set through two assignments: the forward evaluates
    assert [c for c, _ in findings(source.replace("LOADER", "test_loader"))] == ["LC007"]
    # a batch of training data proves no evaluation; nor does a function named after one
    assert findings(source.replace("LOADER", "train_loader")) == []
    assert findings(source.replace("next(iter(LOADER))", "train_test_split(X)")) == []
    # one call that splits training and test data: which element is which cannot be told
    assert findings(source.replace("data, _ = next(iter(LOADER))", "data, _, test_x, _ = to_tensors(train_df, test_df)")) == []


def test_a_model_built_in_the_entry_function_starts_in_training_mode() -> None:
    source = """
        class Trainer:
            def __init__(self, size):
                self.model = Dropping()
                self.model = nn.DataParallel(self.model)
                self.optim = torch.optim.SGD(self.model.parameters(), lr=0.1)

            def train(self, epoch):
                self.iteration(epoch, train_loader)

            def test(self, epoch):
                self.iteration(epoch, test_loader, train=False)

            def iteration(self, epoch, loader, train=True):
                for x, y in loader:
                    loss = nn.functional.cross_entropy(self.model.forward(x), y)
                    if train:
                        self.optim.zero_grad()
                        loss.backward()
                        self.optim.step()

        def main(HEAD):
            BUILD
            for epoch in range(3):
                trainer.train(epoch)
                trainer.test(epoch)
    """
    # `main` is called from outside (a console script), but it builds the trainer and with it the
    # model: nothing before it can have put the model in eval mode; `trainer.train(epoch)` is the
    # project method, not a mode switch
    built = source.replace("HEAD", "").replace("BUILD", "trainer = Trainer(10)")
    assert sorted(c for c, _ in findings(built)) == ["LC006", "LC007"]
    # a trainer handed in by an unseen caller may hold a model its caller put in eval mode
    given = source.replace("HEAD", "trainer").replace("BUILD", "pass")
    assert "LC006" not in [c for c, _ in findings(given)]
    # nor is a trainer taken from an object built elsewhere
    taken = source.replace("HEAD", "app").replace("BUILD", "trainer = app.trainer")
    assert "LC006" not in [c for c, _ in findings(taken)]


def test_loss_data_0_ran_on_pytorch_0_4_so_a_script_beside_that_needs_0_4_dates_the_file(tmp_path: Path) -> None:
    script = tmp_path / "old.py"
    script.write_text(NETS + textwrap.dedent("""
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(net(x), y)
            loss.backward()
            optimizer.step()
            total += loss.data[0]
        net.eval()
        for x, y in test_loader:
            out = net(Variable(x, volatile=True))
            correct += (out.argmax(1) == y).sum()
    """), encoding="utf-8")
    # alone, the file is of the volatile era: no graph
    result = lint_paths([str(script)], root=str(tmp_path))
    assert result.findings == [] and result.errors == []
    # a training script beside it uses torch.no_grad: the folder runs on PyTorch >= 0.4, where
    # `loss.data[0]` still ran and `volatile=True` already did nothing
    (tmp_path / "train.py").write_text("import torch\n\nwith torch.no_grad():\n    pass\n", encoding="utf-8")
    assert [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings] == ["LC007"]


VOLATILE_TEST = """
import torch
from torch.autograd import Variable
from model import Tiny

net = Tiny()
net.load_state_dict(torch.load("net.pt"))
net.eval()
out = net(Variable(load_image(path), volatile=True))
save(out.argmax(1))
"""


def test_the_pytorch_a_script_runs_on_is_told_by_the_scripts_of_its_own_folder(tmp_path: Path) -> None:
    # a repository of projects of several eras, each in a folder of its own
    for folder in ("old_gan", "new_gan"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.py").write_text(NETS, encoding="utf-8")
        (tmp_path / folder / "test.py").write_text(VOLATILE_TEST, encoding="utf-8")
    (tmp_path / "new_gan" / "train.py").write_text("import torch\n\nwith torch.no_grad():\n    pass\n", encoding="utf-8")
    new = lint_paths([str(tmp_path / "new_gan" / "test.py")], root=str(tmp_path))
    assert [f.code for f in new.findings] == ["LC007"]
    # nothing in the old project's folder came after PyTorch 0.4: volatile did its work there
    old = lint_paths([str(tmp_path / "old_gan" / "test.py")], root=str(tmp_path))
    assert old.findings == [] and old.errors == []


def test_a_notebook_tells_its_own_pytorch_era(tmp_path: Path) -> None:
    import json

    (tmp_path / "train.py").write_text("import torch\n\nwith torch.no_grad():\n    pass\n", encoding="utf-8")
    code = NETS + VOLATILE_TEST.replace("from model import Tiny\n", "")
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": code}]
    notebook = tmp_path / "demo.ipynb"
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    # the scripts beside it run on PyTorch >= 0.4, but the notebook was written for volatile
    result = lint_paths([str(notebook)], root=str(tmp_path))
    assert result.findings == [] and result.errors == []
    # the same code as a script beside them builds a graph
    script = tmp_path / "demo.py"
    script.write_text(code, encoding="utf-8")
    assert [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings] == ["LC007"]


def test_a_training_helper_that_puts_the_model_in_eval_mode_itself_chose_that_mode() -> None:
    source = """
        def train(loader, model, optimizer):
            SWITCH
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()

        def validate(loader, model):
            model.eval()
            with torch.no_grad():
                for x, y in loader:
                    correct += (model(x).argmax(1) == y).sum().item()

        net = Dropping()
        optimizer = torch.optim.SGD(net.fc.parameters(), lr=0.1)
        for epoch in range(3):
            train(train_loader, net, optimizer)
            validate(val_loader, net)
    """
    # a linear probe keeps the backbone's batch-norm statistics: eval mode chosen where it trains
    assert findings(source.replace("SWITCH", "model.eval()")) == []
    # without it, the validation leaves the model in eval mode for the next epoch's training
    assert [c for c, _ in findings(source.replace("SWITCH", "pass"))] == ["LC008"]


def test_checkpoints_resumed_with_the_schedule_put_back_at_the_saved_epoch() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: 0.9 ** e)
        start_epoch = 0
        if resume:
            ckpt = torch.load("last.pt")
            optimizer.load_state_dict(ckpt["optimizer"])
            start_epoch = ckpt["epoch"] + 1
        POSITION
        for epoch in range(start_epoch, 100):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            scheduler.step()
            ckpt = {"epoch": epoch, "model": net.state_dict(), "optimizer": OPTIMIZER}
            torch.save(ckpt, "last.pt")
            if best_fitness == fitness:
                torch.save(ckpt, "best.pt")
    """
    # the schedule is put back at the saved epoch on resume: its state need not be saved; the
    # best snapshot copies the dict saved every epoch (one finding, at the periodic save)
    positioned = source.replace("POSITION", "scheduler.last_epoch = start_epoch - 1")
    assert findings(positioned.replace("OPTIMIZER", "optimizer.state_dict()")) == []
    lost = findings(source.replace("POSITION", "pass").replace("OPTIMIZER", "optimizer.state_dict()"))
    assert lost == [("LC012", 'torch.save(ckpt, "last.pt")')]
    # `"optimizer": None` saves no optimizer state
    assert findings(positioned.replace("OPTIMIZER", "None")) == [("LC012", 'torch.save(ckpt, "last.pt")')]


def test_gradients_replaced_by_assignment_are_reset_but_scaled_ones_are_not() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
        for x, y in train_loader:
            worker.zero_grad()
            nn.functional.mse_loss(worker(x), y).backward()
            grads = [p.grad.clone() for p in worker.parameters()]
            for grad, param in zip(grads, net.parameters()):
                param.grad = VALUE
            optimizer.step()
    """
    # gradients computed by another network and assigned: what was accumulated is replaced
    assert findings(source.replace("VALUE", "grad")) == []
    # `param.grad = param.grad * 0.5` keeps what was accumulated: no reset
    assert [c for c, _ in findings(source.replace("VALUE", "param.grad * 0.5"))] == ["LC001"]


def test_the_step_of_a_torch_optimizer_subclass_is_reset_by_its_inherited_zero_grad() -> None:
    source = """
        class KFAC(torch.optim.Optimizer):
            def __init__(self, model, lr=0.25):
                super().__init__(model.parameters(), dict(lr=lr))
                self.optim = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)

            def step(self):
                for group in self.param_groups:
                    for p in group["params"]:
                        p.grad.data.mul_(0.5)
                self.optim.step()

        net = Tiny()
        opt = KFAC(net)
        for x, y in train_loader:
            RESET
            nn.functional.cross_entropy(net(x), y).backward()
            opt.step()
    """
    # (the inner SGD steps the same parameters that the inherited `opt.zero_grad()` clears)
    assert findings(source.replace("RESET", "opt.zero_grad()")) == []


def test_a_forward_collected_into_a_list_that_builds_the_loss_is_the_training_forward() -> None:
    source = """
        net = Dropping()
        net.load_state_dict(torch.load("pretrained.pt"))
        optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
        for epoch in range(10):
            for batch, y in train_batches:
                optimizer.zero_grad()
                enc = net(batch)
                policies = []
                for idx, item in enumerate(enc):
                    best = item.argmax()
                    if best == y[idx]:
                        continue
                    sample = item * 2
                    policies.append(sample)
                if not policies:
                    continue
                loss = -torch.cat(policies).mean()
                loss.backward()
                optimizer.step()
    """
    # (a model loaded to be trained on) the path that skips the batch has no backward, but what
    # the forward computed builds the loss through the list: a training forward, not an evaluation
    assert findings(source) == []


def test_a_copy_of_an_element_taken_from_a_list_holds_what_cannot_be_established() -> None:
    source = """
        import copy

        def evaluate(net, x):
            return net(x).argmax(1).tolist()

        def mutate(net):
            new_net = copy.deepcopy(net)
            for p in new_net.parameters():
                p.data += 0.01 * torch.randn_like(p)
            return new_net

        population = [(Dropping(), 0.0) for _ in range(10)]
        for generation in range(100):
            parent = PARENT
            net = mutate(parent)
            evaluate(net, x)
    """
    # a copy of what a list holds: its layers are not established, LC006 stays silent (grad is
    # on all the same: LC007)
    assert [c for c, _ in findings(source.replace("PARENT", "population[0][0]"))] == ["LC007"]
    assert sorted(c for c, _ in findings(source.replace("PARENT", "Dropping()"))) == ["LC006", "LC007"]


def test_an_object_called_on_text_is_a_pipeline_not_a_forward() -> None:
    source = """
        model = torch.hub.load("ultralytics/yolov5", "yolov5s")
        im = IMAGE
        results = model(im)
        results.print()
    """
    # a hub wrapper that reads the image from a URL itself, and runs its own inference context
    assert findings(source.replace("IMAGE", '"https://ultralytics.com/images/zidane.jpg"')) == []
    # on a tensor too: the hub model is ultralytics' AutoShape, whose forward runs under its own
    # inference mode (`@smart_inference_mode()`, `@torch.no_grad()` in older releases)
    assert findings(source.replace("IMAGE", "torch.rand(1, 3, 640, 640)")) == []
    # another repository's hub model called on a tensor is a forward with grad enabled
    other = source.replace("ultralytics/yolov5", "pytorch/vision").replace("IMAGE", "torch.rand(1, 3, 640, 640)")
    assert [c for c, _ in findings(other)] == ["LC007"]


def test_a_play_loop_over_a_model_loaded_and_never_trained_here_is_an_evaluation() -> None:
    source = """
        net = Dropping()
        net.LOAD
        obs = env.reset()
        while True:
            out = net(torch.tensor([obs]))
            obs, reward, done, _ = env.step(out.squeeze(0).data.numpy())
            if done:
                break
    """
    # weights loaded from a checkpoint and run step after step: a play script evaluates them
    assert sorted(c for c, _ in findings(source.replace("LOAD", 'load_state_dict(torch.load("net.pt"))'))) == ["LC006", "LC007"]
    # an untrained network run in a loop proves no evaluation (a rollout, a smoke test)
    assert findings(source.replace("LOAD", "float()")) == []


def test_a_validation_forward_before_the_backward_of_a_full_batch_iteration_is_an_evaluation() -> None:
    source = """
        def training_loop(n_epochs, optimizer, model, loss_fn, t_u_train, t_u_val, t_c_train, t_c_val):
            for epoch in range(1, n_epochs + 1):
                t_p_train = model(t_u_train)
                loss_train = loss_fn(t_p_train, t_c_train)
                t_p_val = model(INPUT)
                loss_val = loss_fn(t_p_val, t_c_val)
                optimizer.zero_grad()
                loss_train.backward()
                optimizer.step()
                print(epoch, loss_train.item(), loss_val.item())

        net = Tiny()
        training_loop(100, torch.optim.SGD(net.parameters(), lr=0.01), net, nn.MSELoss(), a, b, c, d)
    """
    # the validation loss is computed with grad on, its graph dropped at the next epoch
    assert [c for c, _ in findings(source.replace("INPUT", "t_u_val"))] == ["LC007"]
    # a second forward on the training data is no evaluation by its data
    assert findings(source.replace("INPUT", "t_u_train")) == []


def test_two_different_dicts_saved_through_one_helper_are_judged_each_on_its_own() -> None:
    source = """
        def save_checkpoint(state, is_best, filename):
            torch.save(state, filename)

        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        if resume:
            checkpoint = torch.load(resume)
            start_epoch = checkpoint["epoch"]
            net.load_state_dict(checkpoint["state_dict"])
        for epoch in range(start_epoch, 200):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            is_best = prec1 > best_prec1
            if epoch > 0 and epoch % 10 == 0:
                save_checkpoint({"epoch": epoch + 1, "state_dict": net.state_dict()}, is_best, "checkpoint.th")
            save_checkpoint({"state_dict": net.state_dict()}, is_best, "model.th")
    """
    # the periodic checkpoint (with its epoch) leaves out the optimizer; the weights-only export
    # every epoch is another dict, not a copy of it
    assert [c for c, _ in findings(source)] == ["LC012"]


def test_a_test_and_its_negation_take_opposite_arms_on_every_path() -> None:
    source = """
        def train(net, train_iter, loss, params=None, lr=None, optimizer=None):
            for X, y in train_iter:
                l = loss(net(X), y).sum()
                if optimizer is not None:
                    optimizer.zero_grad()
                elif params is not None and params[0].grad is not None:
                    for param in params:
                        param.grad.data.zero_()
                l.backward()
                if SECOND is None:
                    sgd(params, lr)
                else:
                    optimizer.step()

        net = Tiny()
        train(net, loader, nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(net.parameters(), lr=0.1))
    """
    # `optimizer is not None` and `optimizer is None` are one test: the step runs only where the
    # reset ran
    assert findings(source.replace("SECOND", "optimizer")) == []
    # another test does not decide it: a path steps without the reset
    assert [c for c, _ in findings(source.replace("SECOND", "lr"))] == ["LC001"]


def test_parameters_frozen_in_the_evaluating_function_before_its_forward_record_no_graph() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

        def val(loader):
            for p in net.parameters():
                p.requires_grad = FLAG
            net.eval()
            for x, y in loader:
                correct += (net(x).argmax(1) == y).sum().item()

        for epoch in range(3):
            for p in net.parameters():
                p.requires_grad = True
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            val(val_loader)
    """
    # frozen for the validation, thawed again for training: no graph in the pass
    assert findings(source.replace("FLAG", "False")) == []
    assert [c for c, _ in findings(source.replace("FLAG", "True"))] == ["LC007"]


def test_a_model_from_an_eval_factory_moved_to_a_device_stays_in_eval_mode() -> None:
    source = """
        def get_model(train=False):
            model = Dropping()
            model.load_state_dict(torch.load("ckpt.pt"))
            SWITCH
            return model

        def evaluate(model, loader):
            total = 0.0
            with torch.no_grad():
                for x, y in loader:
                    total += nn.functional.cross_entropy(model(x), y).item()
            return total

        model = get_model(train=False).to("cuda")
        evaluate(model, val_loader)
    """
    # `get_model(...).to(device)`: the move keeps the mode the factory set
    assert findings(source.replace("SWITCH", "model.eval()")) == []
    assert [c for c, _ in findings(source.replace("SWITCH", "pass"))] == ["LC006"]


def test_the_copy_a_training_function_returns_is_in_the_mode_the_model_had() -> None:
    source = """
        def train_model(model, loaders, optimizer, num_epochs):
            best_model, best_acc = model, 0.0
            for epoch in range(num_epochs):
                for phase in ["train", "val"]:
                    if phase == "train":
                        model.train(True)
                    else:
                        VAL_MODE
                    correct = 0
                    for x, y in loaders[phase]:
                        optimizer.zero_grad()
                        with torch.set_grad_enabled(phase == "train"):
                            out = model(x)
                            loss = nn.functional.cross_entropy(out, y)
                        if phase == "train":
                            loss.backward()
                            optimizer.step()
                        correct += (out.argmax(1) == y).sum().item()
                    if phase == "val" and correct > best_acc:
                        best_acc = correct
                        best_model = copy.deepcopy(model)
            return best_model, best_acc

        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        best_model, acc = train_model(model, loaders, optimizer, 10)
        with torch.no_grad():
            preds = best_model(x_test)
        print((preds.argmax(1) == y_test).float().mean().item())
    """
    # the copy (or the model itself) was taken in the validation phase, after train(False)
    assert findings(source.replace("VAL_MODE", "model.train(False)")) == []
    # never switched: the validation phase and the copy run in training mode
    assert ("LC006", "preds = best_model(x_test)") in findings(source.replace("VAL_MODE", "pass"))


def test_a_scripts_forward_of_pretrained_weights_before_it_fine_tunes_them_evaluates_them() -> None:
    source = """
        from torchvision import models

        model_vgg = models.vgg16(WEIGHTS)
        outputs_try = model_vgg(inputs_val)
        print([labels[i] for i in outputs_try.argmax(1)])
        optimizer = torch.optim.SGD(model_vgg.classifier[6].parameters(), lr=0.001)
        for x, y in loader_train:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model_vgg(x), y).backward()
            optimizer.step()
    """
    # the ImageNet weights it was given are evaluated (in training mode, with grad) before training
    assert findings(source.replace("WEIGHTS", 'weights="DEFAULT"')) == [
        ("LC006", "outputs_try = model_vgg(inputs_val)"), ("LC007", "outputs_try = model_vgg(inputs_val)")
    ]
    # random weights run before training only check the code
    assert findings(source.replace("WEIGHTS", "")) == []


def test_a_loop_over_held_out_samples_after_training_is_an_evaluation_pass() -> None:
    source = """
        def train_model(ep):
            model = Tiny()
            optimizer = torch.optim.Adam(model.parameters(), lr=0.0001)
            for epoch in range(ep):
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(inputs), labels)
                loss.backward()
                optimizer.step()
            correct = 0
            for i, item in enumerate(HELD_OUT):
                predict = model(torch.from_numpy(np.array([item])))
                if predict[0][0] >= predict[0][1]:
                    predict = 0
                else:
                    predict = 1
                if predict == int(testing_label[i]):
                    correct += 1
            return correct / len(HELD_OUT)
    """
    # the held-out samples are named so (`testing` as well as `test`): the trained model's
    # predictions on them are a test
    for held_out in ("testing_bucket", "test_samples", "val_set"):
        assert findings(source.replace("HELD_OUT", held_out)) == [
            ("LC007", "predict = model(torch.from_numpy(np.array([item])))")
        ], held_out
    # a loop over other items (the training data, a list of configurations) is no test
    assert findings(source.replace("HELD_OUT", "bucket")) == []


def test_a_loop_over_a_name_bound_to_a_loader_iterates_that_loader() -> None:
    source = """
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(10):
            loop = tqdm(train_loader, leave=True)
            for batch, labels in loop:
                optimizer.zero_grad()
                nn.functional.mse_loss(model(batch), labels).backward()
                optimizer.step()

        loop = tqdm(ITERATED, leave=True)
        for batch, labels in loop:
            output = model(batch)
            plt.plot(labels.numpy(), label="target")
            plt.plot(output.detach().numpy(), label="output")
            plt.show()
    """
    # `loop` is the test loader, wrapped: the trained model's outputs over it are plotted
    assert [c for c, _ in findings(source.replace("ITERATED", "test_loader"))] == ["LC006", "LC007"]
    # over a range of steps (a generation, a rollout) nothing says it is data
    assert findings(source.replace("ITERATED", "range(100)").replace("for batch, labels in loop", "for batch in loop")) == []


def test_a_helper_calling_a_method_of_its_model_parameter_is_followed_from_its_callers(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(NETS + textwrap.dedent("""
        class Rec(Dropping):
            def predict(self, x):
                return self.forward(x).softmax(-1)
    """), encoding="utf-8")
    (tmp_path / "utils.py").write_text(textwrap.dedent("""
        import torch

        def evaluate(model, data):
            hits = 0
            for x, y in data:
                hits += (model.predict(x).argmax(-1) == y).sum().item()
            return hits
    """), encoding="utf-8")
    (tmp_path / "main.py").write_text(textwrap.dedent("""
        import torch
        from model import Rec
        from utils import *

        model = Rec()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(10):
            model.train()
            for x, y in train_data:
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            SWITCH
            evaluate(model, val_data)
    """), encoding="utf-8")
    target = str(tmp_path / "utils.py")
    text = (tmp_path / "main.py").read_text()
    (tmp_path / "main.py").write_text(text.replace("SWITCH", "model.eval()"), encoding="utf-8")
    # the script puts the model in eval mode before the helper it inlines (grad stays on)
    assert [f.code for f in lint_paths([target], root=str(tmp_path)).findings] == ["LC007"]
    (tmp_path / "main.py").write_text(text.replace("SWITCH", "pass"), encoding="utf-8")
    assert sorted(f.code for f in lint_paths([target], root=str(tmp_path)).findings) == ["LC006", "LC007"]


def test_a_forward_at_the_end_of_an_attack_iteration_feeds_the_next_backward() -> None:
    source = """
        net = Tiny()
        net.load_state_dict(torch.load("net.pt"))
        net.eval()
        for x, y in test_loader:
            inputs = x.clone().requires_grad_(True)
            outputs = net(inputs)
            for it in range(10):
                loss = nn.functional.mse_loss(outputs, -outputs.detach())
                loss.backward()
                inputs = (inputs - 0.01 * inputs.grad.sign()).detach().requires_grad_(True)
                if it == 9:
                    break
                LAST
    """
    # the output computed last is differentiated at the top of the next iteration: not a check
    assert [c for c, _ in findings(source.replace("LAST", "outputs = net(inputs)"))] == []
    # a second name, only printed, is a look at the result
    printed = source.replace("LAST", "check = net(val_inputs)\n                print(check.argmax(1))")
    assert [c for c, _ in findings(printed)] == ["LC007"]


def test_a_sample_stored_in_the_loop_variable_is_not_carried_into_the_next_iteration() -> None:
    source = """
        vae = Tiny()
        optimizer = torch.optim.Adam(vae.parameters())
        for epoch in range(10):
            for step, (x, y) in enumerate(loader):
                x = x.view(-1, 4)
                loss = nn.functional.mse_loss(vae(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if step % 100 == 0:
                    x = vae(torch.randn(10, 4))
                    plot(x)
    """
    # the loop binds `x` anew from the data: the sample feeds no later backward
    assert [c for c, _ in findings(source)] == ["LC007"]


def test_a_reloaded_model_compared_with_the_original_on_noise_is_a_check_not_an_evaluation() -> None:
    source = """
        net = Tiny()
        X = torch.randn(2, 4)
        Y = net(X)
        torch.save(net.state_dict(), "net.pt")
        net2 = Tiny()
        net2.load_state_dict(torch.load("net.pt"))
        Y2 = net2(X)
        USE
    """
    # a notebook cell ending in `Y2 == Y` shows that saving and loading kept the weights
    assert findings(source.replace("USE", "Y2 == Y")) == []
    # predictions taken from the reloaded model are an evaluation
    assert [c for c, _ in findings(source.replace("USE", "labels = Y2.argmax(1)"))] == ["LC007"]


def test_a_schedule_rebuilt_by_a_factory_and_put_back_at_the_saved_epoch_needs_no_saved_state() -> None:
    source = """
        def get_lr_scheduler(optimizer):
            lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, [30, 60])
            return lr_scheduler

        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        if resume:
            checkpoint = torch.load("latest.pt")
            optimizer.load_state_dict(checkpoint["optimizer"])
            last_epoch = checkpoint["last_epoch"]
            lr_scheduler = get_lr_scheduler(optimizer)
            POSITION
        else:
            lr_scheduler = get_lr_scheduler(optimizer)
            last_epoch = -1
        for epoch in range(last_epoch + 1, 90):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            lr_scheduler.step()
            torch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(), "last_epoch": epoch}, "latest.pt")
    """
    assert findings(source.replace("POSITION", "lr_scheduler.last_epoch = last_epoch")) == []
    assert [c for c, _ in findings(source.replace("POSITION", "pass"))] == ["LC012"]


def test_a_parameter_every_caller_passes_a_function_is_no_model() -> None:
    source = """
        def gru(inputs, state, params):
            return inputs @ params[0], state

        def predict_rnn(prefix, rnn, params, state):
            for t in range(10):
                Y, state = rnn(prefix, state, params)
                prefix = Y.argmax(1)
            return prefix

        def train_and_predict(rnn, params):
            optimizer = torch.optim.SGD(params, lr=0.1)
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(rnn(x, None, params)[0], y).backward()
                optimizer.step()
            predict_rnn(x0, rnn, params, None)

        class StepDropping(Dropping):
            def forward(self, x, state, params):
                return super().forward(x), state

        net = StepDropping()
        train_and_predict(PASSED, params)
    """
    # a function over raw tensors has no mode to set (LC006); its parameters require grad (LC007)
    assert [c for c, _ in findings(source.replace("PASSED", "gru"))] == ["LC007"]
    # a module passed the same way is a model run in training mode
    assert "LC006" in [c for c, _ in findings(source.replace("PASSED", "net"))]


def test_the_per_step_outputs_of_a_hand_written_rnn_returned_for_the_loss_are_no_retention() -> None:
    source = """
        history = []
        embed = nn.Linear(4, 4)

        def gru(inputs, state, params):
            W_x, W_h, W_q = params
            H, = state
            outputs = []
            for X in inputs:
                m = nn.Sigmoid()
                H = m(embed(X) + H @ W_h) * H
                Y = H @ W_q
                STORE
            return outputs, (H,)

        def train_rnn(rnn, params):
            optimizer = torch.optim.SGD(params, lr=0.1)
            for x, y in loader:
                optimizer.zero_grad()
                outputs, state = rnn(x, (h0,), params)
                nn.functional.cross_entropy(torch.cat(outputs), y).backward()
                optimizer.step()

        train_rnn(gru, [torch.randn(4, 4, requires_grad=True) for _ in range(3)])
    """
    # the steps of one sequence, returned to the caller that backwards them
    assert findings(source.replace("STORE", "outputs.append(Y)")) == []
    # kept in a list that outlives the call: every batch's graph piles up
    assert [c for c, _ in findings(source.replace("STORE", "outputs.append(Y)\n                history.append(Y)"))] == ["LC009"]


def test_a_model_class_defined_inside_a_function_is_read_like_any_other() -> None:
    source = """
        def fit_and_plot(train_dl, test_x, test_y):
            class Regression(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = LAYER

                def forward(self, x):
                    return self.fc(x)

            model = Regression()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            for epoch in range(10):
                for xb, yb in train_dl:
                    optimizer.zero_grad()
                    nn.functional.mse_loss(model(xb), yb).backward()
                    optimizer.step()
                test_loss = nn.functional.mse_loss(model(test_x), test_y).item()

        fit_and_plot(loader, x_test, y_test)
    """
    # a linear layer alone needs no eval(); grad is on in the test forward all the same
    assert [c for c, _ in findings(source.replace("LAYER", "nn.Linear(4, 1)"))] == ["LC007"]
    dropping = source.replace("LAYER", "nn.Sequential(nn.Dropout(0.5), nn.Linear(4, 1))")
    assert sorted(c for c, _ in findings(dropping)) == ["LC006", "LC007"]


def test_a_scripts_forward_after_training_is_found_past_a_first_shape_check() -> None:
    source = """
        def fit(model, optimizer, x, y):
            for epoch in range(100):
                loss = nn.functional.mse_loss(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

        probe = Tiny()
        print(probe(torch.ones(1, 4)).shape)
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        fit(net, optimizer, x_train, y_train)
        print("output", net(x_val))
    """
    # the first forward only checks an untrained model's shape; the one after training evaluates
    assert findings(source) == [("LC007", 'print("output", net(x_val))')]
    # with the evaluation under no_grad, nothing is left
    fixed = source.replace('print("output", net(x_val))', 'with torch.no_grad():\n            print("output", net(x_val))')
    assert findings(fixed) == []


def test_a_method_of_objects_of_different_classes_runs_one_of_them(tmp_path: Path) -> None:
    (tmp_path / "agents.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn

        class Actor(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)

        class Agent:
            def __init__(self):
                self.actor = Actor()
                self.optimizer = torch.optim.Adam(self.actor.parameters())

            def train(self, batch):
                for state, target in batch:
                    loss = nn.functional.mse_loss(self.actor(state), target)
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()

        class Plain(Agent):
            def select_action(self, state):
                return self.actor(torch.as_tensor(state)).cpu().data.numpy()

        class Careful(Agent):
            def select_action(self, state):
                with torch.no_grad():
                    return self.actor(torch.as_tensor(state)).numpy()
    """))
    script = tmp_path / "main.py"
    script.write_text(textwrap.dedent("""
        import agents

        def eval_policy(policy, env, episodes=10):
            total = 0.0
            for _ in range(episodes):
                state, done = env.reset(), False
                while not done:
                    state, reward, done, _ = env.step(policy.select_action(state))
                    total += reward
            return total / episodes

        def run_plain(env):
            policy = agents.Plain()
            return eval_policy(policy, env)

        def run_careful(env):
            policy = agents.Careful()
            return eval_policy(policy, env)

        if __name__ == "__main__":
            run_plain(make_env())
            run_careful(make_env())
    """))
    found = lint_paths([str(script)], root=str(tmp_path)).findings
    # one of the two classes the callers pass runs its actor with grad enabled
    assert [(f.code, f.line) for f in found] == [("LC007", 9)]
    # also when each caller builds its agent in the call itself (`eval_policy(agents.Plain(), env)`)
    inline = script.read_text()
    for name in ("Plain", "Careful"):
        inline = inline.replace(f"policy = agents.{name}()\n    return eval_policy(policy, env)", f"return eval_policy(agents.{name}(), env)")
    assert "eval_policy(agents.Plain(), env)" in inline
    script.write_text(inline)
    assert [(f.code, f.line) for f in lint_paths([str(script)], root=str(tmp_path)).findings] == [("LC007", 9)]
    # when both classes hold no_grad, no class runs it with grad
    script.write_text(script.read_text().replace("agents.Plain()", "agents.Careful()"))
    assert lint_paths([str(script)], root=str(tmp_path)).findings == []


def test_a_helper_running_a_model_the_script_put_in_eval_mode_evaluates() -> None:
    source = """
        model = torch.load("best.pt")["model"]
        model.eval()

        def classify(doc):
            encoded = torch.LongTensor(doc).unsqueeze(0)
            scores = model(encoded)
            return scores.squeeze(0)

        if __name__ == "__main__":
            show(classify([1, 2, 3]))
    """
    # eval() at the top of the script says what the helper's forward is for
    assert findings(source) == [("LC007", "scores = model(encoded)")]
    # without it, the helper's lone forward tells nothing of its purpose
    assert findings(source.replace("model.eval()\n", "")) == []
    # under no_grad where it is called, the pass is right
    assert findings(source.replace("    show(classify", "    with torch.no_grad():\n                show(classify")) == []


def test_a_notebook_forward_after_training_reusing_the_loops_names_evaluates() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        x = torch.ones(1, 4)
        out = net(x)
        print(out)
        for epoch in range(10):
            for x, y in train_data:
                out = net(x)
                loss = nn.functional.cross_entropy(out, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        x, y = train_data[19]
        out = net(x)
        print(out)
    """
    # `out` fed the loop's backward, but that loop is over: the last forward shows a trained
    # model's outputs (the first, before training, only shows an untrained one)
    assert findings(source) == [("LC007", "out = net(x)")]
    text = NETS + textwrap.dedent(source)
    found, _ = lint_source(text, "inference.py")
    assert [f.line for f in found] == [len(text.splitlines()) - 1]
    # a backward after it that uses `out` makes it a training forward again
    assert findings(source.rstrip() + "\n        out.sum().backward()\n") == []


def test_weights_saved_every_so_often_and_loaded_back_before_training_are_resumed_from() -> None:
    source = """
        class Agent:
            def __init__(self):
                self.actor = Tiny()
                self.optimizer = torch.optim.Adam(self.actor.parameters())

            def update(self, batch):
                loss = self.actor(batch).pow(2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

            def save(self):
                torch.save(self.actor.state_dict(), directory + "actor.pth")

            def load(self):
                self.actor.load_state_dict(torch.load(directory + "actor.pth"))

        def main():
            agent = Agent()
            if args.mode == "test":
                agent.load()
                for episode in range(10):
                    play(agent)
            else:
                LOAD
                for episode in range(start_episode, 1000):
                    agent.update(collect(agent))
                    if episode % 50 == 0:
                        agent.save()
    """
    # the weights go on training from the saved file and episode, Adam's moments from zero
    found = findings(source.replace("LOAD", "if args.load: agent.load()"))
    assert [code for code, _ in found] == ["LC012"]
    assert found[0][1] == 'torch.save(self.actor.state_dict(), directory + "actor.pth")'
    # loaded only to play in the test branch: the periodic saves are snapshots
    assert findings(source.replace("LOAD", "pass")) == []
    # loaded, but training starts again from episode 0: a warm start from trained weights
    warm = source.replace("LOAD", "if args.load: agent.load()").replace("range(start_episode, 1000)", "range(1000)")
    assert findings(warm) == []
    # saved only when the reward improves: an export
    assert findings(
        source.replace("LOAD", "if args.load: agent.load()").replace("if episode % 50 == 0:", "if reward > best:")
    ) == []


def test_an_epoch_loop_started_by_hand_past_the_loaded_weights_resumes() -> None:
    source = """
        def main(args):
            model = Tiny()
            if os.path.exists(os.path.join(args.ckpt_path, "model_last.ckpt")):
                model.load_state_dict(torch.load(os.path.join(args.ckpt_path, "model_last.ckpt")))
            optimizer = torch.optim.Adam(model.parameters(), args.lr)
            for epoch in range(START, args.total_epoch):
                for x, y in loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                if epoch % args.save_freq == 0:
                    torch.save(model.state_dict(), os.path.join(args.ckpt_path, "model_%d.ckpt" % (epoch + 1)))
    """
    # the weights of epoch 30 loaded back, the count typed in to go on at 31: Adam starts afresh
    found = findings(source.replace("START", "31"))
    assert [code for code, _ in found] == ["LC012"]
    # from 0 or 1, where counting starts: a warm start from trained weights, a new run
    assert findings(source.replace("START", "0")) == []
    assert findings(source.replace("START", "1")) == []


def test_a_save_every_k_iterations_past_the_first_is_periodic_not_on_improvement() -> None:
    """`if iteration > 0 and iteration % k == 0:` compares the position with a number: the save is
    periodic. Only a comparison of two values that are not positions (`acc > best_acc`) says
    "saved when the metric improves"."""
    source = """
        def train(start_iter, end_iter, restore_mode):
            net = Tiny()
            if restore_mode:
                net.load_state_dict(torch.load(out_dir + "generator.pt"))
            optimizer = torch.optim.Adam(net.parameters())
            for iteration in range(start_iter, end_iter):
                loss = net(next(data)).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if GUARD:
                    torch.save(net.state_dict(), out_dir + "generator.pt")
    """
    for guard in ("iteration > 0 and iteration % 200 == 0", "iteration >= args.warmup and iteration % 200 == 0"):
        assert [code for code, _ in findings(source.replace("GUARD", guard))] == ["LC012"], guard
    assert findings(source.replace("GUARD", "accuracy > best_accuracy")) == []


def test_an_attack_forward_differentiated_on_one_path_is_the_attacks_also_where_its_loop_breaks_first() -> None:
    source = """
        def attack(model, X, y, restarts, iters, opt=None):
            best = torch.zeros_like(X)
            for _ in range(restarts):
                delta = torch.zeros_like(X).requires_grad_(True)
                for _ in range(iters):
                    output = model(X + delta)
                    if (output.argmax(1) != y).all():
                        break
                    loss = nn.functional.cross_entropy(output, y)
                    if opt is not None:
                        with amp.scale_loss(loss, opt) as scaled_loss:
                            scaled_loss.backward()
                    else:
                        loss.backward()
                    delta.data = delta + 0.01 * delta.grad.sign()
                    delta.grad.zero_()
                LAST
            return best

        net = Tiny()
        net.load_state_dict(torch.load("net.pt"))
        net.eval()
        for X, y in test_loader:
            adv = attack(net, X, y, 3, 10)
    """
    # the attack's forward feeds its backward: no evaluation pass, whatever path stops the loop
    assert findings(source.replace("LAST", "best = delta.detach()")) == []
    picked = source.replace("LAST", "losses = nn.functional.cross_entropy(model(X + delta), y, reduction='none').detach()")
    assert "output = model(X + delta)" not in [line for _, line in findings(picked)]
    # a look at the result after the attack, with grad on, is one
    checked = source.replace("LAST", "robust = (model(X + delta).argmax(1) == y).float().mean().item()\n                print(robust)")
    assert [code for code, _ in findings(checked)] == ["LC007"]


def test_a_dict_of_weights_named_by_its_step_and_loaded_back_to_resume() -> None:
    source = """
        class GAN:
            def __init__(self):
                self.gen = Tiny()
                self.optim = torch.optim.Adam(self.gen.parameters())

            def train(self):
                start_step = 1
                if self.resume:
                    start_step = latest_step()
                    self.load(start_step)
                for step in range(start_step, 10000):
                    loss = self.gen(sample()).mean()
                    self.optim.zero_grad()
                    loss.backward()
                    self.optim.step()
                    if step % 1000 == 0:
                        self.save(step)

            def save(self, step):
                params = {}
                params["gen"] = self.gen.state_dict()
                torch.save(params, os.path.join(self.dir, "params_%07d.pt" % step))

            def load(self, step):
                params = torch.load(os.path.join(self.dir, "params_%07d.pt" % step))
                self.gen.load_state_dict(params["gen"])
    """
    # the step is in the file name, the training goes on from it: no optimizer state
    assert [code for code, _ in findings(source)] == ["LC012"]
    # never loaded back: snapshots of the generator
    assert findings(source.replace("self.load(start_step)", "pass")) == []


def test_a_helper_files_periodic_weights_resumed_by_the_script_are_a_checkpoint(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(textwrap.dedent("""
        import os
        import torch

        def load_optimizer(args, model):
            optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
            return optimizer

        def save_model(args, model, optimizer):
            out = os.path.join(args.model_path, "checkpoint_{}.tar".format(args.current_epoch))
            torch.save(model.state_dict(), out)
    """))
    script = tmp_path / "main.py"
    script.write_text(textwrap.dedent("""
        import os
        import torch
        import torch.nn as nn
        from helpers import load_optimizer, save_model

        def train(model, optimizer, loader):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.mse_loss(model(x), y).backward()
                optimizer.step()

        def main(args, loader):
            model = nn.Linear(4, 2)
            if args.reload:
                model_fp = os.path.join(args.model_path, "checkpoint_{}.tar".format(args.epoch_num))
                model.load_state_dict(torch.load(model_fp))
            optimizer = load_optimizer(args, model)
            for epoch in range(args.start_epoch, args.epochs):
                train(model, optimizer, loader)
                if epoch % 10 == 0:
                    args.current_epoch = epoch
                    save_model(args, model, optimizer)
    """))
    helper = str(tmp_path / "helpers.py")
    found = lint_paths([str(script), helper], root=str(tmp_path)).findings
    # the script reloads the helper's epoch files to go on training: Adam restarts from zero
    assert [(f.code, Path(f.path).name) for f in found] == [("LC012", "helpers.py")]
    # never loaded back: snapshots
    script.write_text(script.read_text().replace("model.load_state_dict(torch.load(model_fp))", "print(model_fp)"))
    assert lint_paths([str(script), helper], root=str(tmp_path)).findings == []


def test_an_episodes_log_probs_kept_for_a_module_level_update_are_the_algorithm() -> None:
    source = """
        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.saved_logprobs = []

            def act(self, state):
                probs = self.fc(torch.as_tensor(state)).softmax(-1)
                m = torch.distributions.Categorical(probs)
                action = m.sample()
                if GREEDY:
                    return action.detach().numpy()
                return action.detach().numpy(), m.log_prob(action)

        policy = Policy()
        optimizer = torch.optim.Adam(policy.parameters())

        def update(rewards):
            losses = []
            for log_prob, r in zip(policy.saved_logprobs, rewards):
                losses.append(-log_prob * r)
            optimizer.zero_grad()
            torch.stack(losses).sum().backward()
            optimizer.step()
            del policy.saved_logprobs[:]

        def train():
            for episode in range(100):
                state, rewards = env.reset(), []
                for t in range(200):
                    action, log_prob = policy.act(state)
                    state, reward, done, _ = env.step(action)
                    STORE
                    rewards.append(reward)
                    if done:
                        break
                update(rewards)
    """
    # the log-probs wait for the update at the end of the episode, which backwards and clears them;
    # the action, numpy in every branch that returns two values, keeps no graph
    assert findings(source.replace("STORE", "policy.saved_logprobs.append(log_prob)")) == []
    # kept in a module-level list that no update reads: the graphs pile up
    found = findings(source.replace("STORE", "history.append(log_prob)").replace("policy = Policy()", "policy = Policy()\n        history = []"))
    assert [code for code, _ in found] == ["LC009"]


def test_an_agents_action_between_its_own_updates_and_its_training_forward_named_evaluate(tmp_path: Path) -> None:
    agent = tmp_path / "agent.py"
    agent.write_text(NETS + textwrap.dedent("""
        class Agent:
            def __init__(self):
                self.model = Dropping()
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def predict_action(self, s, eps=0.1):
                with torch.no_grad():
                    if random.random() >= eps:
                        a = self.model(torch.as_tensor(s)).max(1)[1].view(1, 1)
                        return a.item()
                    return random.randint(0, 1)

            def evaluate_actions(self, s, actions):
                logits = self.model(s)
                return logits.log_softmax(1).gather(1, actions)

            def compute_loss(self, batch):
                log_probs = self.evaluate_actions(batch.states, batch.actions)
                return -(log_probs * batch.advantages).mean()

            def update(self, batch):
                loss = self.compute_loss(batch)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
    """))
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        from agent import Agent

        agent = Agent()
        for frame in range(10000):
            action = agent.predict_action(state)
            state, reward, done, _ = env.step(action)
            agent.update(buffer.add(state, action, reward))
    """))
    # the agent acts between its own updates, in the mode its training leaves; and a method named
    # `evaluate_actions` whose log-probs the update backwards is the training forward
    assert lint_paths([str(agent), str(script)], root=str(tmp_path)).findings == []
    # called from a test loop that trains nothing, the same method evaluates in training mode
    script.write_text(script.read_text() + "for x, y in test_loader:\n    correct += agent.predict_action(x) == y\n")
    found = lint_paths([str(agent), str(script)], root=str(tmp_path)).findings
    assert [(f.code, Path(f.path).name) for f in found] == [("LC006", "agent.py")]


def test_a_load_and_training_chosen_by_different_callers_flags_never_meet() -> None:
    source = """
        def run(train=False, test=False):
            model = Tiny()
            optimizer = torch.optim.Adam(model.parameters())
            start_episode = 0
            if LOADING:
                model.load_state_dict(torch.load("agent.pth"))
                start_episode = int(open("agent.step").read())
            for episode in range(start_episode, 1000):
                loss = model(sample()).pow(2).mean()
                if train:
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    if episode % 20 == 0:
                        torch.save(model.state_dict(), "agent.pth")

        if args.train:
            run(train=True, test=False)
        if args.test:
            run(train=False, test=True)
    """
    # loaded only by the test run, trained only by the training run: the saves are no resume point
    # (the test run's forward without no_grad is LC007's)
    assert [code for code, _ in findings(source.replace("LOADING", "test")) if code == "LC012"] == []
    # loaded by the training run: it goes on from the weights, Adam from zero
    assert [code for code, _ in findings(source.replace("LOADING", "train")) if code == "LC012"] == ["LC012"]


def test_a_script_evaluating_one_model_then_another_reports_each_and_sees_rebound_names() -> None:
    source = """
        def model(xb):
            return xb @ weights + bias

        for epoch in range(10):
            for x, y in train_dl:
                loss = ((model(x) - y) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    weights -= weights.grad * 0.1
                    weights.grad.zero_()

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for epoch in range(10):
            for x, y in train_dl:
                loss = nn.functional.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        y_pred = model(X_test).detach().numpy()

        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for epoch in range(10):
            for x, y in train_dl:
                loss = nn.functional.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        pred_test = model(X_test)
        accuracy = (torch.argmax(pred_test, dim=1) == y_test).float().mean()
    """
    # `model` is a plain function first, then two models trained and evaluated in turn: each
    # evaluation is its own pass
    assert findings(source) == [
        ("LC007", "y_pred = model(X_test).detach().numpy()"),
        ("LC007", "pred_test = model(X_test)"),
    ]
    # the first, written as a call of the function `model`, is no model's forward
    assert findings(source.replace("y_pred = model(X_test).detach().numpy()", "y_pred = 0")) == [
        ("LC007", "pred_test = model(X_test)"),
    ]


def test_a_global_model_its_loader_put_in_eval_mode_is_evaluated_by_a_helper() -> None:
    source = """
        _model = None

        def load_model(path):
            global _model
            _model = Dropping()
            _model.load_state_dict(torch.load(path))
            SWITCH

        def embed_frames_batch(frames):
            frames = torch.from_numpy(frames)
            return _model.forward(frames).detach().cpu().numpy()

        if __name__ == "__main__":
            load_model("encoder.pt")
            print(embed_frames_batch(batch))
    """
    # the loader puts the global model in eval mode: what the helper runs is inference
    assert findings(source.replace("SWITCH", "_model.eval()")) == [
        ("LC007", "return _model.forward(frames).detach().cpu().numpy()")
    ]
    # without it, a lone forward in a helper says nothing of its purpose
    assert findings(source.replace("SWITCH", "pass")) == []


def test_a_saving_helper_in_a_file_that_builds_no_optimizer_is_judged_by_its_callers(tmp_path: Path) -> None:
    (tmp_path / "util.py").write_text(textwrap.dedent("""
        import os
        import torch

        class CheckpointSaver:
            def __init__(self, save_dir):
                self.save_dir = save_dir

            def save(self, step, model):
                ckpt_dict = {"model_state": model.state_dict(), "step": step}
                torch.save(ckpt_dict, os.path.join(self.save_dir, f"step_{step}.pth.tar"))

        def load_model(model, path):
            ckpt_dict = torch.load(path)
            model.load_state_dict(ckpt_dict["model_state"])
            step = ckpt_dict["step"]
            return model, step
    """))
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn
        import util

        def main(args, loader):
            model = nn.Linear(4, 2)
            step = 0
            if args.load_path:
                model, step = util.load_model(model, args.load_path)
            OPTIMIZER
            saver = util.CheckpointSaver(args.save_dir)
            for epoch in range(10):
                for x, y in loader:
                    loss = nn.functional.mse_loss(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    step += 1
                    if step % 1000 == 0:
                        saver.save(step, model)
    """))
    helper = str(tmp_path / "util.py")
    adam = "optimizer = torch.optim.Adam(model.parameters())"
    script.write_text(script.read_text().replace("OPTIMIZER", adam))
    found = lint_paths([str(script), helper], root=str(tmp_path)).findings
    # the optimizer lives in the caller's file; the helper's checkpoint leaves its state out
    assert [(f.code, Path(f.path).name) for f in found] == [("LC012", "util.py")]
    # updated by hand, with no optimizer anywhere: no optimizer state to lose
    manual = script.read_text().replace(adam, "pass").replace("optimizer.zero_grad()", "model.zero_grad()")
    script.write_text(manual.replace("optimizer.step()", "sgd_update(model, lr=0.1)"))
    assert lint_paths([str(script), helper], root=str(tmp_path)).findings == []


def test_samples_made_by_a_helper_once_an_epoch_and_detached_where_called_evaluate() -> None:
    source = """
        gen = Tiny()
        optimizer = torch.optim.Adam(gen.parameters())
        fixed_z = torch.randn(16, 4)

        def create_samples(g_model, input_z):
            g_output = g_model(input_z)
            return (g_output + 1) / 2.0

        epoch_samples = []
        for epoch in range(100):
            for x in loader:
                loss = gen(x).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            USE
    """
    # the samples are taken out of autograd right where they are made: a graph for nothing
    assert findings(source.replace("USE", "epoch_samples.append(create_samples(gen, fixed_z).detach().cpu().numpy())")) == [
        ("LC007", "g_output = g_model(input_z)")
    ]
    # kept with their graph, they may be meant for a loss: not taken for an evaluation
    assert [c for c, _ in findings(source.replace("USE", "epoch_samples.append(create_samples(gen, fixed_z))"))] == ["LC009"]
    # the epoch loop's own forward, taken out of autograd in its statement, likewise
    assert findings(source.replace("USE", "samples = gen(fixed_z).data.numpy()[:16]")) == [
        ("LC007", "samples = gen(fixed_z).data.numpy()[:16]")
    ]
    assert findings(source.replace("USE", "samples = gen(fixed_z).detach()")) == [("LC007", "samples = gen(fixed_z).detach()")]
    # kept attached, it is no evaluation for all that can be told
    assert findings(source.replace("USE", "samples = gen(fixed_z)")) == []


def test_a_helper_used_by_training_rollouts_and_a_test_loop_is_judged_where_the_test_calls_it() -> None:
    source = """
        class PPO:
            def __init__(self):
                self.actor = Dropping()
                self.optimizer = torch.optim.Adam(self.actor.parameters())

            def choose_action(self, s):
                a = self.actor(torch.as_tensor(s))
                return a.detach().cpu().numpy()

            def update(self, batch):
                loss = self.actor(batch).pow(2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

            def load_model(self, path):
                self.actor.load_state_dict(torch.load(path))
                SWITCH

        def main():
            ppo = PPO()
            if args.train:
                for episode in range(1000):
                    s = env.reset()
                    for t in range(200):
                        s, r, done, _ = env.step(ppo.choose_action(s))
                    ppo.update(buffer)
            if args.test:
                ppo.load_model("model/ppo")
                while True:
                    s = env.reset()
                    for t in range(200):
                        s, r, done, _ = env.step(ppo.choose_action(s))

        if __name__ == "__main__":
            main()
    """
    # the test loop runs the actor that load_model() put in eval mode: an evaluation without no_grad
    assert [c for c, _ in findings(source.replace("SWITCH", "self.actor.eval()"))] == ["LC007"]
    # without the switch, a rollout of a trained model says nothing of its purpose
    assert findings(source.replace("SWITCH", "pass")) == []


def test_a_project_loss_helper_that_never_sees_the_accumulation_count_does_not_divide_by_it() -> None:
    source = """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)

            def loss(self, scores, labels):
                return nn.functional.cross_entropy(scores, labels)

        model = Net()
        optimizer = torch.optim.Adam(model.parameters())
        for it, (x, labels) in enumerate(loader):
            scores = model.forward(x)
            loss = LOSS
            loss.backward()
            if not (it % batch_size):
                optimizer.step()
                optimizer.zero_grad()
    """
    # `model.loss` is given the scores and labels only: it cannot divide by `batch_size`
    assert [c for c, _ in findings(source.replace("LOSS", "model.loss(scores, labels)"))] == ["LC010"]
    # a helper that reads the count may divide by it
    reads = source.replace("LOSS", "model.loss(scores, labels)").replace(
        "return nn.functional.cross_entropy(scores, labels)", "return nn.functional.cross_entropy(scores, labels) / batch_size")
    assert findings(reads) == []


def test_a_learning_rate_computed_by_a_function_of_the_step_holds_no_scheduler_state() -> None:
    source = """
        import lrschedule

        model = Tiny()
        optimizer = torch.optim.Adam(model.parameters())
        SCHEDULE
        for step, (x, y) in enumerate(loader):
            lr = lr_schedule_f(0.001, step)
            for group in optimizer.param_groups:
                group["lr"] = lr
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            STEP
            if step % 1000 == 0:
                torch.save({"state_dict": model.state_dict(), "optimizer": optimizer.state_dict(), "global_step": step}, path)
    """
    # the rate is a function of the step, saved: resuming gives the same rate
    function = source.replace("SCHEDULE", "lr_schedule_f = getattr(lrschedule, hparams.lr_schedule)").replace("STEP", "pass")
    assert findings(function) == []
    # a scheduler object stepped in the loop has a position of its own to save
    stepped = source.replace("SCHEDULE", "lr_schedule_f = make_scheduler(optimizer)").replace("STEP", "lr_schedule_f.step()")
    assert [c for c, _ in findings(stepped)] == ["LC012"]


def test_a_file_that_imports_neither_torch_nor_the_project_is_not_analysed(tmp_path: Path) -> None:
    source = textwrap.dedent("""
        import IMPORTED

        model = make_model()
        model.eval()
        for x, y in test_loader:
            accuracy = (model(x).argmax(1) == y).mean()
    """)
    script = tmp_path / "notebook.py"
    # written against torch, the loop evaluates without no_grad
    script.write_text(source.replace("IMPORTED", "torch"))
    assert [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings] == ["LC007"]
    # a solver's `model` (z3) in a file that never imports torch or a project module is no network
    script.write_text(source.replace("IMPORTED", "z3"))
    assert lint_paths([str(script)], root=str(tmp_path)).findings == []
    # a project module imported may bring torch in
    (tmp_path / "nets.py").write_text("import torch\n")
    script.write_text(source.replace("IMPORTED", "nets"))
    assert [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings] == ["LC007"]


def test_a_project_factory_returning_a_plain_sequential_gives_its_layers() -> None:
    source = """
        def get_model(n_hidden):
            model = nn.Sequential(nn.Linear(4, n_hidden), nn.ReLU(), LAYER nn.Linear(n_hidden, 2))
            model.apply(weights_init)
            return model

        def fit_model(model, n_epoch):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            for epoch in range(n_epoch):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                pred_test = model(x_test)
                accuracy = (pred_test.argmax(1) == y_test).float().mean()

        for n_hidden in (10, 100):
            model = get_model(n_hidden)
            fit_model(model, 10)
    """
    # Linear and ReLU only: evaluated in training mode, it computes the same (LC007 still holds)
    assert [c for c, _ in findings(source.replace("LAYER", ""))] == ["LC007"]
    # with dropout in the factory's Sequential, the missing eval() matters
    assert [c for c, _ in findings(source.replace("LAYER", "nn.Dropout(0.5),"))] == ["LC006", "LC007"]


def test_a_notebook_rebuilding_a_model_and_checking_it_is_judged_by_the_assignment_in_force() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        out = model(torch.ones(1, 4))
        print(out.shape, out.argmax(1))
        onnx.checker.check_model(exported)
    """
    # the first model was trained, but `model` is a new, untrained one when it is run: a demo of
    # its shapes (building its optimizer trains nothing); `check_model` is a function, not a model
    assert findings(source) == []
    # trained in between, the same forward shows a trained model's predictions
    trained = source.replace(
        "        out = model(torch.ones(1, 4))",
        "        for x, y in train_loader:\n            optimizer.zero_grad()\n"
        "            nn.functional.cross_entropy(model(x), y).backward()\n            optimizer.step()\n"
        "        out = model(torch.ones(1, 4))",
    )
    assert "LC007" in [c for c, _ in findings(trained)]


def test_weights_a_constructor_loads_resume_the_training_method_that_puts_the_step_back() -> None:
    source = """
        class Trainer:
            def __init__(self, config):
                self.G = Tiny()
                self.g_optimizer = torch.optim.Adam(self.G.parameters())
                self.pretrained_model = config.pretrained_model
                if self.pretrained_model:
                    self.G.load_state_dict(torch.load("{}_G.pth".format(self.pretrained_model)))

            def train(self):
                START
                for step in range(start, 100000):
                    loss = self.G(sample()).mean()
                    self.g_optimizer.zero_grad()
                    loss.backward()
                    self.g_optimizer.step()
                    if (step + 1) % 1000 == 0:
                        torch.save(self.G.state_dict(), "{}_G.pth".format(step + 1))
    """
    # training goes on from the loaded step: the Adam state it needs was never saved
    resumed = source.replace("START", "start = self.pretrained_model + 1 if self.pretrained_model else 0")
    assert [c for c, _ in findings(resumed)] == ["LC012"]
    # counted from 0 again: a warm start from trained weights
    assert findings(source.replace("START", "start = 0")) == []


def test_mode_layers_in_a_constructor_arm_the_construction_never_takes_are_not_built() -> None:
    """Whether a model holds BatchNorm is read with the arguments it is built with: the arms of
    its constructor (and of the blocks and helpers it builds) that those arguments rule out build
    nothing; an argument that cannot be known keeps every arm."""
    source = """
        class Block(nn.Module):
            def __init__(self, dim, resample=None):
                super().__init__()
                if resample == "down":
                    self.norm = nn.LayerNorm(dim)
                else:
                    self.norm = nn.BatchNorm1d(dim)
                self.fc = nn.Linear(dim, dim)

            def forward(self, x):
                return self.fc(self.norm(x))


        def layers(dim, batch_norm=False):
            made = [nn.Linear(dim, dim)]
            if batch_norm:
                made.append(nn.BatchNorm1d(dim))
            return made


        class Critic(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.block = Block(dim, resample=RESAMPLE)
                self.head = nn.Sequential(*layers(dim))

            def forward(self, x):
                return self.head(self.block(x))


        critic = Critic(4)
        optimizer = torch.optim.Adam(critic.parameters())

        def validate(loader):
            with torch.no_grad():
                for x, y in loader:
                    score = critic(x).mean()

        for epoch in range(10):
            for x, y in train_loader:
                optimizer.zero_grad()
                critic(x).mean().backward()
                optimizer.step()
            validate(val_loader)
    """
    assert findings(source.replace("RESAMPLE", '"down"')) == []
    assert [code for code, _ in findings(source.replace("RESAMPLE", '"up"'))] == ["LC006"]
    assert [code for code, _ in findings(source.replace("RESAMPLE", "args.resample"))] == ["LC006"]
    # the helper's default leaves its BatchNorm out; asked for it, it builds one
    with_bn = source.replace("RESAMPLE", '"down"').replace("layers(dim))", "layers(dim, batch_norm=True))")
    assert [code for code, _ in findings(with_bn)] == ["LC006"]


def test_a_whole_model_pickled_every_so_often_and_loaded_back_to_go_on_is_a_checkpoint() -> None:
    source = """
        def train(start_iter, end_iter, restore):
            if restore:
                net = torch.load(out_dir + "generator.pt")
            else:
                net = Tiny()
            optimizer = torch.optim.Adam(net.parameters())
            for iteration in range(START, end_iter):
                loss = net(next(data)).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if iteration % 200 == 199:
                    torch.save(net, out_dir + "generator.pt")
    """
    found = findings(source.replace("START", "start_iter"))
    assert [code for code, _ in found] == ["LC012"]
    assert found[0][1] == 'torch.save(net, out_dir + "generator.pt")'
    # counting from 0 again: a warm start from the pickled model, not a resume
    assert findings(source.replace("START", "0")) == []


def test_a_forward_whose_output_a_helper_drops_runs_for_its_hooks_not_to_evaluate() -> None:
    source = """
        def complexity(model, size):
            handles = [m.register_forward_hook(count) for m in model.modules()]
            model.eval()
            LINE
            for handle in handles:
                handle.remove()
            return total

        net = Dropping()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        print(complexity(net, (1, 4)))
    """
    assert findings(source.replace("LINE", "model(torch.rand(size))")) == []
    kept = source.replace("LINE", "total = model(x_test).argmax(1)")
    assert [code for code, _ in findings(kept)] == ["LC007"]


def test_a_train_switch_of_what_may_be_another_object_leaves_the_mode_unknown() -> None:
    source = """
        def prepare(first, second):
            for obj in [first, second]:
                obj.train()

        def restore(module):
            module.train()

        net = Dropping()
        critic = Dropping()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        net.eval()
        SWITCH
        with torch.no_grad():
            for x, y in val_loader:
                correct = (net(x).argmax(1) == y).sum().item()
    """
    assert findings(source.replace("SWITCH", "prepare(critic, loss_module)")) == []
    # the helper's train() surely reaches the model given to it
    assert [code for code, _ in findings(source.replace("SWITCH", "restore(net)"))] == ["LC006"]


def test_a_model_built_from_a_class_chosen_in_branches_is_a_model_of_those_classes() -> None:
    """`Model = NodeModel` in one branch, `Model = LinkModel` in another (and a branch naming a
    class nothing defines, which cannot run), then `model = Model(args)`: its methods are forwards
    of those classes, and validation every k epochs with grad on is a pass."""
    source = """
        class Base(nn.Module):
            def __init__(self, args):
                super().__init__()
                self.encoder = nn.Linear(4, 4)
                self.drop = nn.Dropout(0.5)

            def encode(self, x):
                return self.drop(self.encoder(x))

            def compute_metrics(self, emb, data):
                return {"loss": emb.pow(2).mean()}


        class NodeModel(Base):
            pass


        class LinkModel(Base):
            pass


        def train(args):
            if args.task == "node":
                Model = NodeModel
            elif args.task == "link":
                Model = LinkModel
            else:
                Model = MissingModel
            model = Model(args)
            optimizer = torch.optim.Adam(model.parameters())
            for epoch in range(args.epochs):
                model.train()
                optimizer.zero_grad()
                emb = model.encode(data)
                model.compute_metrics(emb, data)["loss"].backward()
                optimizer.step()
                if (epoch + 1) % 10 == 0:
                    model.eval()
                    GUARD
                    emb = model.encode(data)
                    val = model.compute_metrics(emb, data)


        train(args)
    """
    assert [code for code, _ in findings(source.replace("GUARD", "pass"))] == ["LC007"]
    assert findings(source.replace("GUARD", "torch.set_grad_enabled(False)")) == []


def test_a_mode_switch_over_a_literal_tuple_of_models_switches_each() -> None:
    """`[x.eval() for x in (encoder, head)]` and `for m in (encoder, head): m.train()` switch both
    models: no LC006 for the pass after the one, no LC008 for the training after the other."""
    source = """
        encoder = Dropping()
        head = Dropping()
        optimizer = torch.optim.SGD(list(encoder.parameters()) + list(head.parameters()), lr=0.1)
        for epoch in range(10):
            TRAIN
            for x, y in loader:
                optimizer.zero_grad()
                head(encoder(x)).sum().backward()
                optimizer.step()
            EVAL
            with torch.no_grad():
                for x, y in val_loader:
                    accuracy = (head(encoder(x)).argmax(1) == y).float().mean().item()
    """
    comprehension = source.replace("TRAIN", "_ = [x.train() for x in (encoder, head)]").replace(
        "EVAL", "_ = [x.eval() for x in (encoder, head)]"
    )
    assert findings(comprehension) == []
    loops = source.replace("TRAIN", "for m in (encoder, head):\n                m.train()").replace(
        "EVAL", "for m in [encoder, head]:\n                m.eval()"
    )
    assert findings(loops) == []
    # without the switch to eval the pass runs in training mode
    assert {code for code, _ in findings(comprehension.replace("_ = [x.eval() for x in (encoder, head)]", "pass"))} == {"LC006"}


def test_a_class_looked_up_by_name_is_called_to_build_the_model_not_to_run_it() -> None:
    source = """
        def main(args):
            Model = LOOKUP
            model = Model(classes_num=10)
            model.load_state_dict(torch.load(args.checkpoint)["model"])
            model.eval()
            GUARD
                output = model(batch)
            print(output.argmax(1))

        main(args)
    """
    for lookup in ("eval(args.model_type)", "getattr(models, args.model_type)"):
        assert findings(source.replace("LOOKUP", lookup).replace("GUARD", "with torch.no_grad():")) == [], lookup
        unguarded = source.replace("LOOKUP", lookup).replace("GUARD", "if True:")
        assert findings(unguarded) == [("LC007", "output = model(batch)")], lookup


def test_a_flag_the_caller_sets_on_the_object_decides_the_methods_tests() -> None:
    """`agent.eval_mode = True` and then `agent.run()`: in `run`, `if self.eval_mode:` takes its
    first arm, an evaluation episode, even though the other arm trains."""
    source = """
        class Agent:
            def __init__(self, env):
                self.env = env
                self.eval_mode = False
                self.steps = 0
                self.policy = Tiny()
                self.optimizer = torch.optim.Adam(self.policy.parameters())

            def train_model(self, obs):
                loss = self.policy(obs).pow(2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

            def run(self, steps):
                obs = self.env.reset()
                for _ in range(steps):
                    if self.eval_mode:
                        action = self.policy(torch.Tensor(obs))
                        action = action.detach().cpu().numpy()
                        obs, reward, done, _ = self.env.step(action)
                    else:
                        self.steps += 1
                        action = self.policy(torch.Tensor(obs)).detach().numpy()
                        obs, reward, done, _ = self.env.step(action)
                        if self.steps > 1000:
                            self.train_model(torch.Tensor(obs))

        agent = Agent(env)
        for episode in range(100):
            agent.eval_mode = False
            agent.run(200)
            if episode % 10 == 0:
                agent.eval_mode = FLAG
                agent.run(200)
    """
    assert findings(source.replace("FLAG", "True")) == [("LC007", "action = self.policy(torch.Tensor(obs))")]
    from libcst import parse_module

    from loopcheck.model import LoopModel

    model = LoopModel(parse_module(NETS + textwrap.dedent(source.replace("FLAG", "True"))), path="inference.py")
    run = next(f for f in model.ir.functions if f.name == "run")
    flags = sorted(dict(way).get("self.eval_mode") for way in model.specializations(run))
    assert flags == [False, True]


def test_a_forward_after_a_functions_training_loop_is_an_evaluation() -> None:
    source = """
        def main():
            model = Dropping()
            optimizer = torch.optim.Adam(model.parameters())
            BEFORE
            for epoch in range(10):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x_train), y_train).backward()
                optimizer.step()
            model.eval()
            AFTER

        main()
    """
    after = "output = model(x_test)\n            print((output.argmax(1) == y_test).float().mean().item())"
    assert findings(source.replace("BEFORE", "pass").replace("AFTER", after)) == [("LC007", "output = model(x_test)")]
    guarded = "with torch.no_grad():\n                output = model(x_test)\n            print(output.argmax(1))"
    assert findings(source.replace("BEFORE", "pass").replace("AFTER", guarded)) == []
    # before the training loop it is no evaluation of the trained model (a shape check)
    before = "output = model(x_test)\n            print(output.shape)"
    assert findings(source.replace("BEFORE", before).replace("AFTER", "pass")) == []
    # a forward after the loop whose loss is backwarded trains (a last fine-tuning step)
    tuned = "loss = model(x_test).sum()\n            loss.backward()\n            optimizer.step()"
    assert findings(source.replace("BEFORE", "pass").replace("AFTER", tuned)) == []


def test_a_meta_learners_inner_update_by_a_library_and_its_shared_outer_loss() -> None:
    """MAML: the inner forward's loss goes to a library update with the model (it differentiates
    it), and `outer_loss` is backwarded by `train_iter` but only read by `evaluate_iter`: the pass is
    judged as `evaluate_iter` enters it."""
    source = """
        from torchmeta.utils import gradient_update_parameters

        class Learner:
            def __init__(self, model):
                self.model = model
                self.optimizer = torch.optim.Adam(model.parameters())

            def adapt(self, x, y, steps):
                params = None
                for step in range(steps):
                    logits = self.model(x, params=params)
                    inner = nn.functional.cross_entropy(logits, y)
                    params = gradient_update_parameters(self.model, inner, params=params)
                return params

            def outer_loss(self, batch):
                total = 0.0
                for x, y, test_x, test_y in batch:
                    params = self.adapt(x, y, 1)
                    with torch.set_grad_enabled(self.model.training):
                        test_logits = self.model(test_x, params=params)
                        total += nn.functional.cross_entropy(test_logits, test_y)
                return total

            def train_iter(self, loader):
                self.model.train()
                for batch in loader:
                    loss = self.outer_loss(batch)
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()

            def evaluate_iter(self, loader):
                SWITCH
                for batch in loader:
                    print(self.outer_loss(batch).item())

        class MetaDropping(Dropping):
            def forward(self, x, params=None):
                return super().forward(x)

        learner = Learner(MetaDropping())
        for epoch in range(10):
            learner.train_iter(train_loader)
            learner.evaluate_iter(val_loader)
    """
    assert findings(source.replace("SWITCH", "self.model.eval()")) == []
    # the outer forward with grad on whatever the mode: evaluate_iter's pass keeps graphs; the
    # forward is train_iter's too (its loss is returned and backwarded there), so the pass is
    # reported where evaluate_iter calls the shared helper
    ungated = source.replace("SWITCH", "self.model.eval()").replace(
        "with torch.set_grad_enabled(self.model.training):", "if True:"
    )
    assert findings(ungated) == [("LC007", "print(self.outer_loss(batch).item())")]


def test_weights_renamed_on_load_at_the_top_and_a_training_function_that_puts_the_epoch_back() -> None:
    """`state = torch.load(args.resume_net)`, its keys renamed into a new dict that the model
    loads, then `train()` which starts from `args.resume_epoch`: the weights saved every few epochs
    with the epoch in their name are resumed from, and hold no optimizer state."""
    source = """
        net = Tiny()
        if args.resume_net is not None:
            state_dict = torch.load(args.resume_net)
            renamed = {}
            for k, v in state_dict.items():
                renamed[k.replace("module.", "")] = v
            net.load_state_dict(renamed)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)

        def train():
            epoch = 0 + args.resume_epoch
            START
            for iteration in range(start_iter, max_iter):
                if iteration % epoch_size == 0:
                    epoch += 1
                    if epoch % 10 == 0:
                        torch.save(net.state_dict(), folder + "retina_epoch_" + str(epoch) + ".pth")
                loss = net(next(batches)).sum()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

        if __name__ == "__main__":
            train()
    """
    resumed = source.replace("START", "start_iter = args.resume_epoch * epoch_size if args.resume_epoch > 0 else 0")
    assert [code for code, _ in findings(resumed)] == ["LC012"]
    # counting from iteration 0 again: a warm start from the loaded weights
    assert findings(source.replace("START", "start_iter = 0").replace("epoch = 0 + args.resume_epoch", "epoch = 0")) == []
    # a count read from the data in the training function is no position put back
    counted = source.replace("START", "optim_iter_num = int(len(batches) / 2)\n            start_iter = 0").replace(
        "epoch = 0 + args.resume_epoch", "epoch = 0"
    )
    assert findings(counted) == []


def test_a_model_picked_by_a_conditional_between_it_and_its_module_is_the_model() -> None:
    """`model_to_save = model.module if hasattr(model, "module") else model`: the checkpoint holds
    the model's weights either way (and the optimizer's; a torch scheduler's state is missing)."""
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1 / (1 + 0.05 * epoch))
        for epoch in range(10):
            for x, y in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
            scheduler.step()
            model_to_save = PICK
            torch.save({"epoch": epoch + 1, "state_dict": model_to_save.state_dict(),
                        "optim_dict": optimizer.state_dict()}, "last.pth.tar")
    """
    found = findings(source.replace("PICK", 'model.module if hasattr(model, "module") else model'))
    assert [code for code, _ in found] == ["LC012"]
    # two different objects: which weights are saved is not established
    assert findings(source.replace("PICK", "model if args.full else teacher")) == []


def test_a_model_passed_its_own_training_method_resets_the_optimizer_over_its_parameters() -> None:
    """`net = models[name](...)` from a dict of project classes, then `net.train_model(net, ...)`:
    in the method, `model.zero_grad()` clears `self.optimizer`'s parameters, which are the object's."""
    source = """
        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.optimizer = torch.optim.Adam(self.parameters())

            def forward(self, x):
                return self.fc(x)

            def train_model(self, model, loader):
                for x, y in loader:
                    out = model(x)
                    model.zero_grad()
                    nn.functional.cross_entropy(out, y).backward()
                    self.optimizer.step()


        class TextCNN(Base):
            pass


        models = {"cnn": TextCNN}
        net = models[args.model]()
        other = Tiny()
        net.train_model(GIVEN, train_loader)
    """
    assert findings(source.replace("GIVEN", "net")) == []
    assert [code for code, _ in findings(source.replace("GIVEN", "other"))] == ["LC001"]


def test_a_file_of_unittest_test_cases_is_a_test_file_whatever_its_name() -> None:
    source = """
        import unittest

        def test_layer(layer, x):
            out = layer(x)
            assert torch.allclose(layer.inverse(out), x)

        class LayerTests(BASE):
            def test_dropping(self):
                layer = Dropping()
                optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
                layer(torch.randn(2, 4)).sum().backward()
                optimizer.step()
                test_layer(layer, torch.randn(2, 4))

        if __name__ == "__main__":
            LayerTests().test_dropping()
            unittest.main()
    """
    assert findings(source.replace("BASE", "unittest.TestCase"), path="test.py") == []
    assert findings(source.replace("BASE", "object"), path="test.py") != []


def test_the_else_block_of_a_loop_runs_after_it() -> None:
    """`for x, y in train_loader: ... else: model.eval(); validate`: the else block of a loop runs
    once the loop is done; the eval() in it reaches the validation that follows it there."""
    source = """
        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(10):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            else:
                with torch.no_grad():
                    SWITCH
                    for x, y in val_loader:
                        out = model(x)
    """
    assert findings(source.replace("SWITCH", "model.eval()")) == []
    assert findings(source.replace("SWITCH", "pass")) == [("LC006", "out = model(x)")]


def test_a_function_of_a_script_that_nothing_calls_never_runs() -> None:
    """`def test_agent(...)` left in a script beside the `__main__` block that trains, called by
    nothing (nor named anywhere else): the games it plays never run. Called from the `__main__`
    block they do; in a module without a `__main__` block (a library of helpers) anyone may call it."""
    source = """
        class Agent:
            def __init__(self):
                self.actor = nn.Sequential(nn.Linear(4, 2), nn.Softmax(-1))
                self.optimizer = torch.optim.Adam(self.actor.parameters())

            def train(self, episodes):
                for episode in range(episodes):
                    state, _ = env.reset()
                    loss = -self.actor(torch.tensor(state)).log().sum()
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()

            def load(self, path):
                self.actor.load_state_dict(torch.load(path))

            def display(self, episodes):
                for episode in range(episodes):
                    state, _ = env.reset()
                    done = False
                    while not done:
                        probs = self.actor(torch.tensor(state))
                        state, reward, done, _, _ = env.step(probs.argmax().item())


        def test_agent(path):
            agent = Agent()
            if os.path.isfile(path):
                agent.load(path)
            else:
                agent.train(100)
            agent.display(5)


        GUARD
            agent = Agent()
            agent.train(100)
            torch.save(agent.actor.state_dict(), "actor.pt")
            CALL
    """
    script = source.replace("GUARD", 'if __name__ == "__main__":')
    assert findings(script.replace("CALL", "")) == []
    played = [("LC007", "probs = self.actor(torch.tensor(state))")]
    assert findings(script.replace("CALL", 'test_agent("actor.pt")')) == played
    assert findings(source.replace("GUARD", "if run:").replace("CALL", "")) == played


def test_a_pass_only_called_under_a_test_every_call_decides_against_is_never_entered() -> None:
    """`if validation_data: validate(...)` in a `fit` that no call gives `validation_data` (its
    default is None): the validation pass never runs. A call that gives it, or a `fit` called from
    where it cannot be seen, may enter it."""
    source = """
        def validate(model, loader):
            total = 0.0
            for x, y in loader:
                total += nn.functional.cross_entropy(model(x), y).item()
            return total

        def fit(model, optimizer, train, epochs=1, validation_data=None):
            for epoch in range(epochs):
                for x, y in train:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                if validation_data:
                    validate(model, validation_data)

        net = Dropping()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        CALL
    """
    assert findings(source.replace("CALL", "fit(net, optimizer, train_loader, epochs=5)")) == []
    given = findings(source.replace("CALL", "fit(net, optimizer, train_loader, validation_data=val_loader)"))
    assert sorted(code for code, _ in given) == ["LC006", "LC007"]


def test_a_parameter_is_the_trained_model_its_callers_pass() -> None:
    """`get_batched_loss(test_data, labels, cpixelcnn)`: the helper's `model` is the network the
    optimizer trains, so its loop over the data is an evaluation pass (as when the helper reads the
    network by its own name); a network no optimizer is built over is not trained here."""
    source = """
        def main(train_loader, test_data, test_labels):
            def get_batched_loss(data, labels, model):
                losses = []
                for batch, label in zip(torch.split(data, 128), torch.split(labels, 128)):
                    out = model(batch)
                    losses.append(nn.functional.cross_entropy(out, label).item())
                return sum(losses) / len(losses)

            net = Tiny()
            optimizer = torch.optim.Adam(OVER.parameters(), lr=1e-3)
            test_losses = []
            for epoch in range(10):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(net(x), y).backward()
                    optimizer.step()
                test_losses.append(get_batched_loss(test_data, test_labels, net))
    """
    assert findings(source.replace("OVER", "net")) == [("LC007", "out = model(batch)")]
    assert findings(source.replace("OVER", "other")) == []


def test_a_loss_summed_over_the_chunks_of_one_batch_goes_with_the_batch_but_over_an_epoch_it_is_kept() -> None:
    """`for x in loader: zero_grad(); for chunk in x.split(k): total += loss(chunk); loss.backward();
    step()`: each batch's sum is made afresh and gone with it. The same shape with an epoch loop
    outside (one step per epoch, every batch's loss added up) keeps every batch's graph until the
    epoch ends."""
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for OUTER:
            optimizer.zero_grad()
            total = 0
            for chunk in range(CHUNKS):
                x, y = data[chunk]
                loss = nn.functional.cross_entropy(net(x), y)
                total += loss
                loss.backward()
            print(total.item())
            optimizer.step()
    """
    per_batch = source.replace("OUTER", "data in train_loader").replace("CHUNKS", "accumulation_steps")
    assert findings(per_batch) == []
    per_epoch = source.replace("OUTER", "epoch in range(1, epoch_size + 1)").replace("CHUNKS", "len(data)")
    assert findings(per_epoch) == [("LC009", "total += loss")]


def test_a_drop_rate_given_as_zero_where_the_model_is_built_drops_nothing() -> None:
    """`nn.GRU(..., dropout=dropout_rate)` and `nn.Dropout(p)` in a constructor are read with the
    values the construction passes, through a name the caller binds once to a literal: a rate of 0
    makes no layer that depends on the mode; any other rate, or one that cannot be known, does."""
    source = """
        class Seq2seq(nn.Module):
            def __init__(self, vocab, dim, dropout_rate, cell="gru"):
                super().__init__()
                self.embedding = nn.Embedding(vocab, dim)
                if cell == "gru":
                    self.rnn = nn.GRU(dim, dim, 2, dropout=dropout_rate)
                else:
                    self.rnn = nn.LSTM(dim, dim, 2, dropout=dropout_rate)
                self.drop = nn.Dropout(dropout_rate)
                self.out = nn.Linear(dim, vocab)

            def forward(self, x):
                h, _ = self.rnn(self.embedding(x))
                return self.out(self.drop(h))


        def main():
            DROPOUT = RATE
            model = Seq2seq(100, 16, dropout_rate=DROPOUT)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(10):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                with torch.no_grad():
                    for x, y in val_loader:
                        loss = nn.functional.cross_entropy(model(x), y)
    """
    assert findings(source.replace("RATE", "0.0")) == []
    assert findings(source.replace("RATE", "0")) == []
    assert [code for code, _ in findings(source.replace("RATE", "0.2"))] == ["LC006"]
    assert [code for code, _ in findings(source.replace("RATE", "args.dropout"))] == ["LC006"]


def test_a_norm_of_order_p_is_no_dropout_rate() -> None:
    source = """
        class WeightNormed(nn.Module):
            def __init__(self):
                super().__init__()
                self.v = nn.Parameter(torch.randn(2, 4))
                self.g = nn.Parameter(torch.ones(2, 1))

            def forward(self, x):
                LAYER
                return x @ (self.g * self.v / self.v.norm(p=2, dim=1, keepdim=True)).t()

        net = WeightNormed()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()

        @torch.no_grad()
        def evaluate(loader):
            for x, y in loader:
                correct = (net(x).argmax(1) == y).sum().item()

        evaluate(val_loader)
    """
    assert findings(source.replace("LAYER", "x = x * 1.0")) == []
    dropping = source.replace("LAYER", "x = nn.functional.dropout(x, p=0.5, training=self.training)")
    assert [code for code, _ in findings(dropping)] == ["LC006"]


def test_a_method_of_a_model_whose_class_is_chosen_in_branches_runs_its_forward() -> None:
    source = """
        class Classify(nn.Module):
            def __init__(self):
                super().__init__()
                self.layer = nn.Linear(4, 2)

            def encode(self, x):
                return self.layer(x)

        class Link(Classify):
            pass

        def train(kind, x, y):
            if kind == "nc":
                Model = Classify
            else:
                Model = Link
            model = Model()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(10):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model.encode(x), y).backward()
                optimizer.step()
            GRAD
            model.eval()
            embeddings = model.encode(x)
            accuracy = (embeddings.argmax(1) == y).float().mean().item()
            print(accuracy)

        train("nc", features, labels)
    """
    assert findings(source.replace("GRAD", "")) == [("LC007", "embeddings = model.encode(x)")]
    assert findings(source.replace("GRAD", "torch.set_grad_enabled(False)")) == []


def test_a_pass_whose_input_was_made_to_require_grad_keeps_its_graph_on_purpose() -> None:
    source = """
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

        def test(loader):
            net.eval()
            total = 0.0
            for x, y in loader:
                ASK
                out = net(x)
                loss = nn.functional.cross_entropy(out, y)
                GRADIENT
                total += loss.item()
            return total

        for epoch in range(3):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            print(test(val_loader))
    """
    saliency = source.replace("GRADIENT", "saliency = torch.autograd.grad(loss, x)[0]")
    assert findings(saliency.replace("ASK", "x.requires_grad = True")) == []
    assert findings(saliency.replace("ASK", "x = x + torch.zeros_like(x, requires_grad=True)")) == []
    # handed with the input to code that cannot be seen, which may differentiate one by the other
    unseen = source.replace("GRADIENT", "penalty = input_gradient_penalty(out, x)")
    assert findings(unseen.replace("ASK", "x.requires_grad = True")) == []
    assert findings(unseen.replace("ASK", "x.requires_grad = False")) == [("LC007", "out = net(x)")]
    assert findings(unseen.replace("ASK", "pass")) == [("LC007", "out = net(x)")]
    # no gradient taken from what the forward returns: the graph is built for nothing
    assert findings(source.replace("GRADIENT", "pass").replace("ASK", "x.requires_grad = True")) == [("LC007", "out = net(x)")]


def test_a_model_unpickled_whole_runs_the_method_its_files_model_class_defines() -> None:
    source = """
        class Prior(nn.Module):
            def sample(self, n):
                return torch.randn(n, 4)

        class VAE(nn.Module):
            def __init__(self):
                super().__init__()
                self.prior = Prior()
                self.decoder = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 4))

            def forward(self, x):
                return self.decoder(x)

            DECORATOR
            def sample(self, n):
                return self.decoder(self.prior.sample(n))

        def samples_generated(name):
            model_best = torch.load(name)
            model_best.eval()
            x = model_best.sample(16)
            plt.imshow(x.detach().numpy())

        model = VAE()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(3):
            for x in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
            torch.save(model, "vae.model")
            samples_generated("vae.model")
    """
    assert findings(source.replace("DECORATOR", "")) == [("LC007", "x = model_best.sample(16)")]
    assert findings(source.replace("DECORATOR", "@torch.no_grad()")) == []
    # a method no module class of the file defines may be a library model's own
    assert findings(source.replace("DECORATOR", "").replace("model_best.sample(16)", "model_best.generate(16)")) == []


def test_a_part_of_a_module_list_called_by_index_runs_a_forward() -> None:
    source = """
        class Flow(nn.Module):
            def __init__(self):
                super().__init__()
                self.t = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

            def forward(self, x):
                return self.inverse(x)

            def inverse(self, z):
                for i in range(3):
                    z = self.t[i](z)
                return z

        model = Flow()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(3):
            for x in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()

        def generate(n):
            model.eval()
            z = torch.randn(n, 4)
            x = model.inverse(z)
            plt.imshow(x.detach().numpy())

        GRAD
        generate(16)
    """
    assert findings(source.replace("GRAD", "")) == [("LC007", "x = model.inverse(z)")]
    assert findings(source.replace("GRAD", "torch.set_grad_enabled(False)")) == []


def test_a_layer_without_parameters_passes_on_only_the_graph_its_input_carries() -> None:
    source = """
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        pool = POOL
        pooled = []
        for x, y in loader:
            optimizer.zero_grad()
            out = net(x)
            nn.functional.cross_entropy(out, y).backward()
            optimizer.step()
            pooled.append(pool(INPUT))
    """
    assert findings(source.replace("POOL", "nn.AdaptiveAvgPool1d(1)").replace("INPUT", "x")) == []
    assert findings(source.replace("POOL", "nn.AdaptiveAvgPool1d(1)").replace("INPUT", "out")) == [("LC009", "pooled.append(pool(out))")]
    # a layer that learns carries its own graph whatever it is given
    assert findings(source.replace("POOL", "nn.PReLU()").replace("INPUT", "x")) == [("LC009", "pooled.append(pool(INPUT))".replace("INPUT", "x"))]


LEARNER = """
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))

        def forward(self, x):
            return self.body(x)

    class Learner:
        def __init__(self):
            self.network = Net()
            self.pointer = self.network
            self.task = 0

        def train(self):
            MODE

        def accuracy(self, loader):
            self.network.eval()
            with torch.no_grad():
                return sum((self.network(x).argmax(1) == y).sum().item() for x, y in loader)

        def fit(self, loader, test_loader):
            optimizer = torch.optim.SGD(self.network.parameters(), lr=0.1)
            for epoch in range(10):
                self.train()
                for x, y in loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(self.network(x), y).backward()
                    optimizer.step()
                print(self.accuracy(test_loader))

    Learner().fit(train_loader, val_loader)
"""


def test_train_mode_restored_through_another_name_of_the_model_is_restored() -> None:
    assert findings(LEARNER.replace("MODE", "self.pointer.train()")) == []
    assert findings(LEARNER.replace("MODE", "self.network.train()")) == []
    assert findings(LEARNER.replace("MODE", "pass")) == [("LC008", "print(self.accuracy(test_loader))")]


def test_a_helper_that_chooses_eval_mode_for_training_on_one_path_is_no_forgotten_train() -> None:
    chosen = "if self.task > 0:\n                self.network.eval()\n                return\n            self.network.train()"
    assert findings(LEARNER.replace("MODE", chosen)) == []


def test_a_name_bound_to_a_part_of_a_model_is_in_the_mode_the_model_was_put_in() -> None:
    source = """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
                self.head = nn.Linear(8, 2)

            def forward(self, x):
                return self.head(self.features(x))

        def adapt(features, x, y):
            embedded = features(x)
            return (embedded.argmax(1) == y).float().mean()

        model = Net()
        features = model.features
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(10):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            MODE
            with torch.no_grad():
                print(adapt(features, x_val, y_val).item())
    """
    assert findings(source.replace("MODE", "model.eval()")) == []
    assert [code for code, _ in findings(source.replace("MODE", "pass"))] == ["LC006"]


def test_a_method_that_runs_none_of_the_mode_layers_needs_no_eval() -> None:
    source = """
        class SAGE(nn.Module):
            def __init__(self):
                super().__init__()
                self.convs = nn.ModuleList()
                for _ in range(2):
                    self.convs.append(nn.Linear(4, 4))
                self.norm = nn.BatchNorm1d(4)

            def forward(self, x):
                for conv in self.convs:
                    x = nn.functional.dropout(conv(x), p=0.5, training=self.training)
                return x

            def inference(self, x):
                for i in range(2):
                    x = BODY
                return x

        model = SAGE()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(3):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.mse_loss(model(x), y).backward()
                optimizer.step()

        @torch.no_grad()
        def test(x, y):
            h = model.inference(x)
            return nn.functional.mse_loss(h, y).item()

        print(test(x_test, y_test))
    """
    assert findings(source.replace("BODY", "self.convs[i](x).relu()")) == []
    assert [code for code, _ in findings(source.replace("BODY", "self.norm(self.convs[i](x))"))] == ["LC006"]
    assert [code for code, _ in findings(source.replace("BODY", "self.forward(x)"))] == ["LC006"]


def test_a_loop_over_index_ranges_that_slices_held_out_data_is_an_evaluation_pass() -> None:
    source = """
        net = nn.Linear(784, 10)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
        for epoch in range(30):
            shuffled = torch.randperm(60000)
            for count in range(0, 60000, 200):
                optimizer.zero_grad()
                batch = train_data[shuffled[count:count + 200]]
                loss = nn.functional.cross_entropy(net(batch), train_label[shuffled[count:count + 200]])
                loss.backward()
                optimizer.step()

        running_error = 0
        for i in range(0, 10000, 200):
            minibatch = DATA[i:i + 200]
            scores = net(minibatch)
            running_error += get_error(scores, test_label[i:i + 200]).item()
    """
    assert findings(source.replace("DATA", "test_data")) == [("LC007", "scores = net(minibatch)")]
    assert findings(source.replace("DATA", "extra_data")) == []


def test_a_running_sum_kept_in_a_dict_entry_keeps_every_graph() -> None:
    source = """
        class AE(nn.Module):
            def __init__(self):
                super().__init__()
                self.enc = nn.Linear(4, 2)
                self.dec = nn.Linear(2, 4)

            def forward(self, x):
                z = self.enc(x)
                return self.dec(z), z

        model = AE()
        optimizer = torch.optim.Adam(model.parameters())
        magnitudes = {"value": 0, "counter": 0}
        for x in loader:
            optimizer.zero_grad()
            out, z = model(x)
            loss = ((out - x) ** 2).mean()
            loss.backward()
            optimizer.step()
            STORE
    """
    assert findings(source.replace("STORE", 'magnitudes["value"] += torch.mean(torch.abs(z))')) == [
        ("LC009", 'magnitudes["value"] += torch.mean(torch.abs(z))')
    ]
    assert findings(source.replace("STORE", 'magnitudes["value"] += torch.mean(torch.abs(z)).item()')) == []
    assert findings(source.replace("STORE", 'magnitudes["value"] += loss.detach()')) == []


def test_a_loss_summed_in_a_dict_entry_and_then_backwarded_is_no_retention() -> None:
    source = """
        net = nn.Linear(4, 2)
        optimizer = torch.optim.Adam(net.parameters())
        for batch in loader:
            losses = {"total": 0}
            optimizer.zero_grad()
            for x, y in batch:
                losses["total"] += nn.functional.mse_loss(net(x), y)
            losses["total"].backward()
            optimizer.step()
    """
    assert findings(source) == []


def test_grad_turned_off_for_the_process_by_a_constructor_called_first_covers_later_passes() -> None:
    source = """
        class Inferer:
            def __init__(self, path):
                self.model = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 2))
                self.model.load_state_dict(torch.load(path))
                self.model.eval()
                SWITCH

            def evaluate(self, x):
                probs = nn.functional.softmax(self.model(x), dim=-1)
                return probs.cpu().numpy()

        if __name__ == "__main__":
            inf = Inferer("model.pt")
            print(inf.evaluate(torch.randn(1, 4)))
    """
    assert findings(source.replace("SWITCH", "torch.autograd.set_grad_enabled(False)")) == []
    assert [code for code, _ in findings(source.replace("SWITCH", "pass"))] == ["LC007"]


def test_a_model_frozen_whole_by_its_own_method_records_no_graph() -> None:
    source = """
        class Separator(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 4)

            def freeze(self):
                for p in self.parameters():
                    p.requires_grad = FLAG
                self.eval()

            def forward(self, x):
                return self.net(x)

        def evaluate(path, audio):
            separator = Separator()
            separator.load_state_dict(torch.load(path))
            separator.freeze()
            estimates = separator(torch.as_tensor(audio))
            return estimates.numpy()

        print(evaluate("unmix.pt", track))
    """
    assert findings(source.replace("FLAG", "False")) == []
    assert [code for code, _ in findings(source.replace("FLAG", "True"))] == ["LC007"]


def test_a_model_built_with_eval_and_a_move_chained_onto_its_construction_keeps_its_class() -> None:
    source = """
        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(80, 256), nn.Dropout(0.1))

            def forward(self, x):
                return self.body(x)

        C = Encoder()CHAIN
        C.load_state_dict(torch.load("encoder.ckpt")["model"])
        embs = []
        for i in range(10):
            mel = torch.from_numpy(np.load(files[i])).cuda()
            emb = C(mel)
            embs.append(emb.detach().cpu().numpy())
    """
    assert findings(source.replace("CHAIN", ".eval().cuda()")) == [("LC007", "emb = C(mel)")]
    assert sorted(code for code, _ in findings(source.replace("CHAIN", ".cuda()"))) == ["LC006", "LC007"]


def test_a_function_of_an_imported_module_named_like_an_append_stores_nothing() -> None:
    source = """
        net = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        kept = []
        for x, y in loader:
            optimizer.zero_grad()
            out = net(x)
            STORE
            loss = nn.functional.cross_entropy(out, y) + flipped.mean()
            loss.backward()
            optimizer.step()
    """
    assert findings(source.replace("STORE", "flipped = torch.add(torch.negative(out), 1)")) == []
    helper = "def flip(strong):\n    return torch.add(torch.negative(strong), 1)\n"
    assert findings(helper + textwrap.dedent(source).replace("STORE", "flipped = flip(out)")) == []
    assert findings(source.replace("STORE", "flipped = out\n            kept.append(out)")) == [("LC009", "kept.append(out)")]


def test_a_schedule_a_project_factory_rebuilds_at_the_saved_step_needs_no_saved_state() -> None:
    source = """
        def get_scheduler(optimizer, iterations=-1):
            return torch.optim.lr_scheduler.StepLR(optimizer, 30, last_epoch=iterations)

        model = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = get_scheduler(optimizer)
        start_epoch = 0
        if args.resume:
            checkpoint = torch.load(args.resume)
            model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
            start_epoch = checkpoint["epoch"] + 1
            REBUILD
        for epoch in range(start_epoch, 90):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            scheduler.step()
            torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, "ckpt.pt")
    """
    assert findings(source.replace("REBUILD", "scheduler = get_scheduler(optimizer, start_epoch)")) == []
    assert [code for code, _ in findings(source.replace("REBUILD", "pass"))] == ["LC012"]


def test_a_project_classs_own_train_method_still_switches_the_mode() -> None:
    source = """
        class Module(nn.Module):
            def train(self, mode=True):
                self._clear_cache()
                return super().train(mode=mode)

            def _clear_cache(self):
                self.cache = None

        class Net(Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))

            def forward(self, x):
                return self.body(x)

        model = Net()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def train(epoch):
            MODE
            for data, target in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(data), target).backward()
                optimizer.step()

        def test():
            model.eval()
            with torch.no_grad():
                for data, target in test_loader:
                    correct = (model(data).argmax(1) == target).sum().item()

        for epoch in range(1, 10):
            train(epoch)
            test()
    """
    assert findings(source.replace("MODE", "model.train()")) == []
    assert [code for code, _ in findings(source.replace("MODE", "pass"))] == ["LC008"]


def test_a_method_that_reads_or_compiles_a_model_is_no_forward() -> None:
    source = """
        from openvino.runtime import Core

        def ir_inference(path, image):
            ie = Core()
            model_ir = ie.CALL(model=path)
            compiled = ie.compile_model(model=model_ir, device_name="CPU")
            request = compiled.create_infer_request()
            for _ in range(20):
                request.infer(inputs={"x": image})

        ir_inference("model.xml", image)
    """
    assert findings(source.replace("CALL", "read_model")) == []


def test_dropout_applied_only_under_a_flag_the_evaluation_leaves_false_needs_no_eval() -> None:
    source = """
        class WindowClassifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(4, 8)
                self.dropout = nn.Dropout(0.3)
                self.out = nn.Linear(8, 2)

            def forward(self, inputs, is_training=False):
                h = torch.relu(self.hidden(inputs))
                GATE
                return self.out(h)

        model = WindowClassifier()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(5):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x, is_training=True), y).backward()
                optimizer.step()

        with torch.no_grad():
            for x, y in test_loader:
                accuracy = (CALL.argmax(1) == y).float().mean().item()
    """
    gated = source.replace("GATE", "if is_training:\n                    h = self.dropout(h)")
    assert findings(gated.replace("CALL", "model(x)")) == []
    assert [code for code, _ in findings(gated.replace("CALL", "model(x, is_training=True)"))] == ["LC006"]
    always = source.replace("GATE", "h = self.dropout(h)")
    assert [code for code, _ in findings(always.replace("CALL", "model(x)"))] == ["LC006"]


def test_a_step_function_picked_by_a_flag_is_entered_only_by_the_callers_that_pick_it() -> None:
    source = """
        class StepByStep:
            def __init__(self, model, loss_fn, optimizer):
                self.model = model
                self.loss_fn = loss_fn
                self.optimizer = optimizer
                self.train_step_fn = self._make_train_step_fn()
                self.val_step_fn = self._make_val_step_fn()

            def _make_train_step_fn(self):
                def perform_train_step_fn(x, y):
                    self.model.train()
                    loss = self.loss_fn(self.model(x), y)
                    loss.backward()
                    self.optimizer.step()
                    self.optimizer.zero_grad()
                    return loss.item()
                return perform_train_step_fn

            def _make_val_step_fn(self):
                def perform_val_step_fn(x, y):
                    self.model.eval()
                    loss = self.loss_fn(self.model(x), y)
                    return loss.item()
                return perform_val_step_fn

            def _mini_batch(self, validation=False):
                if validation:
                    data_loader = self.val_loader
                    step_fn = self.val_step_fn
                else:
                    data_loader = self.train_loader
                    step_fn = self.train_step_fn
                return [step_fn(x, y) for x, y in data_loader]

            def train(self, n_epochs):
                for epoch in range(n_epochs):
                    loss = self._mini_batch(validation=False)
                    VALIDATE

        sbs = StepByStep(nn.Linear(4, 2), nn.MSELoss(), optimizer)
        sbs.train(10)
    """
    guarded = "with torch.no_grad():\n                        val_loss = self._mini_batch(validation=True)"
    assert findings(source.replace("VALIDATE", guarded)) == []
    bare = "val_loss = self._mini_batch(validation=True)"
    assert [code for code, _ in findings(source.replace("VALIDATE", bare))] == ["LC007"]


def test_nothing_after_exit_runs() -> None:
    source = """
        if __name__ == "__main__":
            model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
            print(model)
            STOP

            optimizer = torch.optim.Adam(model.parameters())
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            predictions = []
            for x, y in test_loader:
                correct = (model(x).argmax(1) == y).sum().item()
    """
    assert findings(source.replace("STOP", "exit()")) == []
    assert findings(source.replace("STOP", "sys.exit(0)")) == []
    assert sorted(code for code, _ in findings(source.replace("STOP", "pass"))) == ["LC006", "LC007"]


def test_clearing_one_part_of_a_model_before_a_step_over_all_of_it_is_on_purpose() -> None:
    source = """
        class GAN(nn.Module):
            def __init__(self):
                super().__init__()
                self.generator = nn.Linear(4, 4)
                self.discriminator = nn.Linear(4, 1)

            def forward(self, x):
                fake = self.generator(x)
                return self.discriminator(x), self.discriminator(fake)

        def load_model():
            model = GAN()
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
            return model, optimizer

        model, optimizer = load_model()
        for x in loader:
            model.discriminator.zero_grad()
            real, fake = model(x)
            dl = (real - 1).pow(2).mean() + fake.pow(2).mean()
            dl.backward()
            RESET
            optimizer.step()
    """
    assert findings(source.replace("RESET", "model.generator.zero_grad()")) == []
    assert [code for code, _ in findings(source.replace("RESET", "optimizer.zero_grad()"))] == ["LC002"]


UNPACKING_LOOP = """
    scores = []
    for x, y in loader:
        optimizer.zero_grad()
        loss, per_channel = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        scores.append(STORED)
"""


def test_each_name_unpacked_from_a_loss_takes_only_its_own_elements_graph() -> None:
    source = """
        class DiceLoss(nn.Module):
            def forward(self, output, target):
                per_channel = 1 - (2 * (output * target).sum(0) + 1) / ((output + target).sum(0) + 1)
                return per_channel.mean(), SCORES

        model = nn.Linear(4, 4)
        criterion = DiceLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    """ + textwrap.indent(textwrap.dedent(UNPACKING_LOOP).replace("STORED", "per_channel"), "        ")
    assert findings(source.replace("SCORES", "per_channel.detach().cpu().numpy()")) == []
    assert [code for code, _ in findings(source.replace("SCORES", "per_channel"))] == ["LC009"]
    # a loss handed in from where it cannot be seen: only its first value is established as the loss
    unseen = "def train_dice(model, criterion, optimizer, loader):" + textwrap.indent(textwrap.dedent(UNPACKING_LOOP), "    ")
    assert findings(unseen.replace("STORED", "per_channel")) == []
    assert [code for code, _ in findings(unseen.replace("STORED", "loss"))] == ["LC009"]


# a model class with its own training driver (Keras-style fit / predict) --------------------------

KERAS_STYLE = """
    class Forecaster(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)
            self.drop = nn.Dropout(0.2)
            self._opt = torch.optim.Adam(self.parameters())

        def forward(self, x):
            return self.fc(self.drop(x))

        def fit(self, xs, ys, validation_data=None, epochs=10):
            for epoch in range(epochs):
                self.train()
                for x, y in zip(xs, ys):
                    self._opt.zero_grad()
                    loss = ((self(x) - y) ** 2).mean()
                    loss.backward()
                    self._opt.step()
                if validation_data is not None:
                    x_test, y_test = validation_data
                    self.eval()
                    VALIDATE
                    print(test_loss)

        def predict(self, x):
            self.eval()
            PREDICT
            return f.detach().numpy()

    def main():
        net = Forecaster()
        net.fit(x_train, y_train, validation_data=(x_test, y_test))
        forecast = net.predict(x_test)
        print(forecast)

    main()
"""


def test_a_model_classes_own_fit_validates_and_its_predict_evaluates_where_called() -> None:
    validate = "test_loss = ((self(x_test) - y_test) ** 2).mean().item()"
    predict = "f = self(torch.tensor(x))"
    source = KERAS_STYLE.replace("VALIDATE", validate).replace("PREDICT", predict)
    # the validation after each epoch of `fit`, and the forward of `predict` after training
    assert findings(source) == [("LC007", validate), ("LC007", predict)]
    guarded = KERAS_STYLE.replace("VALIDATE", "with torch.no_grad():\n                        " + validate).replace(
        "PREDICT", "with torch.no_grad():\n                f = self(torch.tensor(x))"
    )
    assert findings(guarded) == []
    # `predict` called before anything trains the model (`fit` after it): no evaluation of a trained model yet
    early = source.replace(
        "net.fit(x_train, y_train, validation_data=(x_test, y_test))\n        forecast = net.predict(x_test)",
        "forecast = net.predict(x_test)\n        net.fit(x_train, y_train, validation_data=(x_test, y_test))",
    )
    assert findings(early) == [("LC007", validate)]
    # the report of `predict`'s forward names the model as its caller does, not `self`
    found, _ = lint_source(NETS + textwrap.dedent(source), "inference.py")
    assert [f.message.split(" is evaluated")[0] for f in found] == ["self", "net"]


def test_the_builtin_eval_and_a_function_named_train_switch_no_mode() -> None:
    from loopcheck.model import LoopModel
    from loopcheck.source import parse

    source = textwrap.dedent("""
        import torch

        def load_vocab(path):
            with open(path) as f:
                return eval(f.read())

        def score(evaluator, results):
            return evaluator.eval(results)

        def run(model, loader):
            train(model, loader)

        def switch(model):
            model.eval()

        def restore(model):
            model.train(True)
    """)
    model = LoopModel(parse(source), path="helpers.py")
    reached = {f.name: model.reaches(f) for f in model.ir.functions}
    assert reached["load_vocab"] == frozenset()
    assert reached["score"] == frozenset()
    assert reached["run"] == frozenset()
    assert reached["switch"] == frozenset({"eval"})
    assert reached["restore"] == frozenset({"train"})


def test_a_loss_summed_over_samples_and_handed_to_a_helper_that_backwards_it_is_the_steps_loss() -> None:
    # the per-label losses of one step are summed over the samples' groups and handed to a
    # project helper that backwards and steps: the sum is this step's loss, made afresh each step
    source = """
        class Instructor:
            def __init__(self):
                self.dis = Dropping()
                self.dis_opt = torch.optim.Adam(self.dis.parameters())

            @staticmethod
            def optimize(opt, loss, model=None):
                opt.zero_grad()
                loss.backward()
                opt.step()

            def train_discriminator(self, steps, real_samples, fake_samples):
                total = []
                for step in range(steps):
                    d_loss = 0
                    for real, fake in zip(real_samples, fake_samples):
                        d_loss += (self.dis(real) - self.dis(fake)).mean()
                    HAND_OVER
                    total.append(d_loss.item())
                return total

        Instructor().train_discriminator(10, reals, fakes)
    """
    assert findings(source.replace("HAND_OVER", "self.optimize(self.dis_opt, d_loss, self.dis)")) == []
    # handed over as the model, not as the loss: nothing backwards the sum
    kept = source.replace("HAND_OVER", "self.optimize(self.dis_opt, other_loss, d_loss)")
    assert ("LC009", "d_loss += (self.dis(real) - self.dis(fake)).mean()") in findings(kept)


def test_a_model_class_imported_from_a_removed_module_of_the_projects_own_package_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "dataset.py").write_text("class Series:\n    pass\n", encoding="utf-8")
    script = tmp_path / "train.py"
    body = textwrap.dedent("""
        import torch
        IMPORT

        net = Net()
        optimizer = torch.optim.Adam(net.parameters())
        for epoch in range(10):
            for x, y in train_loader:
                optimizer.zero_grad()
                torch.nn.functional.mse_loss(net(x), y).backward()
                optimizer.step()
        with torch.no_grad():
            predictions = net(x_test)
        print(((predictions - y_test) ** 2).mean())
    """)

    def codes(import_line: str) -> list[str]:
        script.write_text(body.replace("IMPORT", import_line), encoding="utf-8")
        result = lint_paths([str(script)], root=str(tmp_path))
        assert result.errors == []
        return [f.code for f in result.findings]

    # `src/Transformer.py` was removed from the project: the class is its own code, out of sight
    assert codes("from src.Transformer import Transformer as Net") == []
    # a class of an installed library may hold dropout or batch norm: the train-mode pass is reported
    assert codes("from transformers_lib.models import Transformer as Net") == ["LC006"]


def test_a_volatile_method_of_a_module_that_newer_scripts_import_builds_a_graph(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "models" / "segnet.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        class SegNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 2, 3)
                self.bn = nn.BatchNorm2d(2)

            def forward(self, x):
                return self.bn(self.conv(x))

            def tile_predict(self, image):
                self.eval()
                return self.forward(Variable(image, volatile=True)).data.numpy()

        if __name__ == "__main__":
            net = SegNet()
            net.load_state_dict(torch.load("segnet.pt"))
            out = net.tile_predict(load_image("demo.png"))
            save_segmentation(out.argmax(1))
    """), encoding="utf-8")
    script = tmp_path / "train.py"
    body = textwrap.dedent("""
        import torch
        from models.segnet import SegNet

        net = SegNet()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            optimizer.step()
            print(LOSS)
    """)

    def found(loss: str) -> list[tuple[str, int, str]]:
        script.write_text(body.replace("LOSS", loss), encoding="utf-8")
        result = lint_paths([str(tmp_path)], root=str(tmp_path))
        assert result.errors == []
        return [(Path(f.path).name, f.line, f.code) for f in result.findings]

    # the training script that imports the module runs on PyTorch >= 0.4 (`.item()`): `volatile`
    # did nothing there, and the demo's forward builds a graph
    assert ("segnet.py", 17, "LC007") in found("loss.item()")  # the forward the demo reaches
    # a project of the volatile era throughout (`loss.data[0]`): the method records no graph
    assert found("loss.data[0]") == []
    # an old script whose module name a newer folder's script imports, resolving to its own
    # folder's module of that name: nothing imports the old one, its volatile inputs still work
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "evaluate.py").write_text(textwrap.dedent("""
        import torch
        from torch.autograd import Variable
        from models.segnet import SegNet

        net = SegNet()
        net.load_state_dict(torch.load("segnet.pt"))
        net.eval()
        for x, y in test_loader:
            out = net(Variable(x, volatile=True))
            correct += (out.data.max(1)[1] == y).sum()
        print(loss.data[0])
    """), encoding="utf-8")
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "evaluate.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    (tmp_path / "apps" / "predict.py").write_text(
        "import torch\nfrom evaluate import helper\nwith torch.no_grad():\n    print(helper())\n", encoding="utf-8"
    )
    assert [f for f in found("loss.data[0]") if f[0] == "evaluate.py"] == []


def test_a_model_classes_own_step_method_is_a_forward_not_an_optimizer_step() -> None:
    # a generator's `sample` decodes with its own `step` (one token): running it is a forward
    source = """
        class Generator(nn.Module):
            def __init__(self):
                super().__init__()
                self.cell = nn.LSTMCell(4, 4)
                self.out = nn.Linear(4, 4)

            def STEP_NAME(self, inp, hidden):
                h, c = self.cell(inp, hidden)
                return self.out(h), (h, c)

            def forward(self, inp, hidden):
                return self.STEP_NAME(inp, hidden)

            def sample(self, n):
                inp, hidden, out = torch.zeros(n, 4), None, []
                for _ in range(20):
                    inp, hidden = self.STEP_NAME(inp, hidden)
                    out.append(inp.argmax(-1))
                return torch.stack(out, 1)

        class Instructor:
            def __init__(self):
                self.gen = Generator()
                self.opt = torch.optim.Adam(self.gen.parameters())

            def pretrain(self, loader, epochs):
                for epoch in range(epochs):
                    for inp, target in loader:
                        self.opt.zero_grad()
                        out, _ = self.gen(inp, None)
                        nn.functional.cross_entropy(out, target).backward()
                        self.opt.step()
                    self.evaluation()

            def evaluation(self):
                samples = self.gen.sample(64)
                return bleu(samples)

        Instructor().pretrain(train_loader, 10)
    """
    expected = [("LC007", "samples = self.gen.sample(64)")]
    assert findings(source.replace("STEP_NAME", "step")) == expected
    assert findings(source.replace("STEP_NAME", "decode")) == expected


def test_a_model_built_in_the_arms_of_a_branch_may_be_any_of_them() -> None:
    source = """
        if args.model == "tiny":
            model = Tiny()
        elif args.model == "other":
            model = OTHER()
        else:
            model = Tiny()
        model.load_state_dict(torch.load(args.weights))
        with torch.no_grad():
            sr = model(load_image(args.input))
        save_image(sr, "out.png")
    """
    # one arm builds a module with dropout, and nothing puts the model in eval mode
    assert findings(source.replace("OTHER", "Dropping")) == [("LC006", "sr = model(load_image(args.input))")]
    # no arm's module behaves differently in training mode
    assert findings(source.replace("OTHER", "Tiny")) == []


def test_a_running_sum_spelled_out_keeps_every_graph_like_plus_equals() -> None:
    # (a parameter-free layer applied to the training outputs evaluates no model either)
    source = """
        def train(net, dataloader, optimizer, criterion):
            net.train()
            cum_loss = 0.0
            for repeat in range(4):
                for i, (x, y) in enumerate(dataloader, 0):
                    optimizer.zero_grad()
                    outputs = net(x)
                    loss = criterion(outputs, y)
                    loss.backward()
                    optimizer.step()
                    softmax = torch.nn.Softmax()
                    outputs = softmax(outputs)
                    accuracy = (outputs.argmax(1) == y).float().mean()
                    SUM
            return cum_loss

        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(10):
            train(net, train_loader, optimizer, nn.CrossEntropyLoss())
    """
    assert findings(source.replace("SUM", "cum_loss = cum_loss + loss")) == [("LC009", "cum_loss = cum_loss + loss")]
    assert findings(source.replace("SUM", "cum_loss = loss + cum_loss")) == [("LC009", "cum_loss = loss + cum_loss")]
    # a number added, or a value made afresh from this batch alone: nothing kept, nothing evaluated
    assert findings(source.replace("SUM", "cum_loss = cum_loss + loss.item()")) == []
    assert findings(source.replace("SUM", "cum_loss = repeat + loss")) == []


def test_a_dropout_layer_built_but_never_applied_changes_nothing_in_train_mode() -> None:
    source = """
        class Poet(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(100, 8)
                self.lstm = nn.LSTM(8, 8)
                self.dropout = nn.Dropout(0.2)
                self.out = nn.Linear(8, 100)

            def forward(self, x, hidden=None):
                h, hidden = self.lstm(self.embed(x), hidden)
                return self.out(APPLIED), hidden

        model = Poet()
        optimizer = torch.optim.Adam(model.parameters())
        for x, y in loader:
            optimizer.zero_grad()
            out, _ = model(x)
            nn.functional.cross_entropy(out.view(-1, 100), y.view(-1)).backward()
            optimizer.step()
        with torch.no_grad():
            poem, hidden = model(start_tokens)
        print(poem.argmax(-1))
    """
    assert findings(source.replace("APPLIED", "h")) == []
    assert findings(source.replace("APPLIED", "self.dropout(h)")) == [("LC006", "poem, hidden = model(start_tokens)")]


def test_the_lc009_fix_names_a_compound_value_as_one_operand() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            out = net(x)
            loss = nn.functional.cross_entropy(out, y)
            loss.backward()
            optimizer.step()
            weights = out.softmax(1)
            mu_sum += weights * out
    """
    found, errors = lint_source(NETS + textwrap.dedent(source), "compound.py")
    assert errors == [] and [f.code for f in found] == ["LC009"]
    assert found[0].message.endswith("store (weights * out).item() (or (weights * out).detach())")


def test_batch_norm_that_keeps_no_running_statistics_needs_no_eval_mode() -> None:
    source = """
        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.bn = nn.BatchNorm2d(8, BN_ARGS)

            def forward(self, x):
                return self.bn(self.conv(x)).mean((2, 3))

        encoder = Encoder()
        optimizer = torch.optim.Adam(encoder.parameters())
        for episode in range(1000):
            support, query, labels = sample_episode(train_data)
            optimizer.zero_grad()
            nn.functional.cross_entropy(encoder(query), labels).backward()
            optimizer.step()
        with torch.no_grad():
            for support, query, labels in test_episodes:
                accuracy = (encoder(query).argmax(1) == labels).float().mean()
    """
    assert findings(source.replace("BN_ARGS", "track_running_stats=False")) == []
    assert findings(source.replace("BN_ARGS", "momentum=1, affine=True")) == []
    assert findings(source.replace("BN_ARGS", "momentum=0.1")) == [("LC006", "accuracy = (encoder(query).argmax(1) == labels).float().mean()")]


def test_a_forward_whose_output_only_an_assertion_compares_checks_the_code() -> None:
    source = """
        model = Dropping()
        model.load_state_dict(torch.load("byol.pth"))
        model.eval()
        example = torch.ones(1, 4)
        traced = torch.jit.trace(model, example)
        traced.save("byol.pt")
        USE
    """
    assert findings(source.replace("USE", "assert (model(example) == traced(example)).all()")) == []
    # the same forward kept and printed as a prediction of the loaded model: an evaluation
    assert findings(source.replace("USE", "print(model(example).argmax(1))")) == [("LC007", "print(model(example).argmax(1))")]


def test_each_model_an_evaluation_function_runs_is_judged_for_its_own_mode() -> None:
    # the generator (no dropout) comes first; the discriminator that scores its samples holds dropout
    source = """
        class Instructor:
            def __init__(self):
                self.gen = Tiny()
                self.dis = Dropping()
                self.opt = torch.optim.Adam(list(self.gen.parameters()) + list(self.dis.parameters()))

            def train_epoch(self, loader):
                for x, y in loader:
                    self.opt.zero_grad()
                    nn.functional.mse_loss(self.dis(self.gen(x)), y).backward()
                    self.opt.step()

            def prepare_eval_fake_data(self, z):
                with torch.no_grad():
                    fake = self.gen(z)
                    SWITCH
                    self.score = self.dis(fake)
                return self.score.mean()

            def run(self, loader, epochs):
                for epoch in range(epochs):
                    self.train_epoch(loader)
                    print(self.prepare_eval_fake_data(torch.randn(8, 4)))

        inst = Instructor()
        inst.run(loader, 10)
    """
    assert findings(source.replace("SWITCH", "pass")) == [("LC006", "self.score = self.dis(fake)")]
    # switched to eval for the scoring (and, being left there, now reported by LC008 instead)
    assert "LC006" not in [code for code, _ in findings(source.replace("SWITCH", "self.dis.eval()"))]


def test_a_validation_loop_beside_the_training_loop_of_a_function_given_a_fresh_model_evaluates() -> None:
    # `main` builds the model and hands it to `train`, whose epoch loop trains it and then validates
    # it with the same names (`model_output`, `loss`) the training loop backwards
    source = """
        def train(model, optim, tr_dataloader, val_dataloader, epochs):
            for epoch in range(epochs):
                model.train()
                for batch in tr_dataloader:
                    optim.zero_grad()
                    x, y = batch
                    model_output = model(x)
                    loss = nn.functional.cross_entropy(model_output, y)
                    loss.backward()
                    optim.step()
                if val_dataloader is None:
                    continue
                val_iter = iter(val_dataloader)
                model.eval()
                for batch in val_iter:
                    x, y = batch
                    model_output = model(x)
                    loss = nn.functional.cross_entropy(model_output, y)
                    val_loss.append(loss.item())

        def main():
            model = Dropping()
            optim = torch.optim.Adam(model.parameters())
            train(model, optim, train_loader, val_loader, 10)

        main()
    """
    assert findings(source) == [("LC007", "model_output = model(x)")]


def test_a_helper_that_returns_another_helpers_tuple_passes_on_each_elements_graph() -> None:
    source = """
        def _batch_loss(model, images, target, criterion):
            output = model(images)
            batch_size = images.size(0)
            loss = criterion(output, target)
            return loss, batch_size

        def batch_loss(model, images, target, criterion, use_amp=False):
            if use_amp:
                with torch.autocast("cuda"):
                    return _batch_loss(model, images, target, criterion)
            return _batch_loss(model, images, target, criterion)

        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        sizes = []
        for images, target in loader:
            optimizer.zero_grad()
            loss, batch_size = batch_loss(model, images, target, nn.functional.cross_entropy)
            KEEP
            loss.backward()
            optimizer.step()
    """
    # the batch size is an int: keeping it keeps no graph
    assert findings(source.replace("KEEP", "sizes.append(batch_size)")) == []
    # the loss is the helper's first element: keeping it keeps every graph
    assert findings(source.replace("KEEP", "sizes.append(loss)")) == [("LC009", "sizes.append(loss)")]


def test_modules_under_a_root_lib_folder_resolve_like_those_under_src(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pose'\n", encoding="utf-8")
    (tmp_path / "LIB" / "core").mkdir(parents=True)
    (tmp_path / "LIB" / "core" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "LIB" / "core" / "function.py").write_text(textwrap.dedent("""
        def train(loader, model, criterion, optimizer):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
    """), encoding="utf-8")
    (tmp_path / "tools").mkdir()
    script = tmp_path / "tools" / "train.py"
    script.write_text(textwrap.dedent("""
        import torch
        import _init_paths
        from core.function import train

        model = build_model(cfg)
        optimizer = torch.optim.Adam(model.parameters())
        lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, [90, 120], 0.1)
        for epoch in range(140):
            lr_scheduler.step()
            train(train_loader, model, criterion, optimizer)
    """), encoding="utf-8")

    def codes() -> list[str]:
        result = lint_paths([str(script)], root=str(tmp_path))
        assert result.errors == []
        return [f.code for f in result.findings]

    # `tools/_init_paths.py` puts `../lib` on the path: `core.function` is the project's own
    (tmp_path / "LIB").rename(tmp_path / "lib")
    assert codes() == ["LC004"]
    # in a folder of another name the import is not the project's: its train() cannot be seen
    (tmp_path / "lib").rename(tmp_path / "vendor")
    assert codes() == []


def test_a_loss_built_up_within_one_iteration_is_no_running_sum() -> None:
    source = """
        from timm.utils import NativeScaler

        loss_scaler = NativeScaler()
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in loader:
            outputs = net(x)
            if single:
                loss = nn.functional.cross_entropy(outputs, y)
            else:
                FIRST
                loss = loss + 0.5 * nn.functional.cross_entropy(outputs, y.flip(0))
            optimizer.zero_grad()
            loss_scaler(loss, optimizer, parameters=net.parameters())
    """
    # the loss made afresh in this iteration, then added to (and handed to a library's scaler that
    # backwards it out of sight): one iteration's loss
    assert findings(source.replace("FIRST", "loss = 0.5 * nn.functional.cross_entropy(outputs, y)")) == []
    # never made afresh in the loop: a sum over every iteration
    summed = source.replace("FIRST", "pass").replace("loss = nn.functional.cross_entropy(outputs, y)", "pass")
    assert findings(summed) == [("LC009", "loss = loss + 0.5 * nn.functional.cross_entropy(outputs, y.flip(0))")]


def test_a_library_model_built_in_eval_mode_and_run_on_data_is_evaluated() -> None:
    source = """
        from facelib import InceptionResnetV1

        resnet = InceptionResnetV1(pretrained="vggface2")SWITCH.to("cpu")
        aligned = torch.stack(faces)
        embeddings = resnet(aligned).detach().cpu()
        dists = [[(e1 - e2).norm().item() for e2 in embeddings] for e1 in embeddings]
    """
    # only a module has a mode to switch: what the class out of sight built is a model, put in
    # eval mode on purpose, and run for its outputs
    assert findings(source.replace("SWITCH", ".eval()")) == [("LC007", "embeddings = resnet(aligned).detach().cpu()")]
    # nothing says it is a model
    assert findings(source.replace("SWITCH", "")) == []


def test_a_forward_whose_output_nothing_reads_is_no_evaluation() -> None:
    source = """
        from facelib import InceptionResnetV1

        resnet = InceptionResnetV1(pretrained="vggface2", classify=True).eval()
        prob = resnet(aligned)
        USE
    """
    assert findings(source.replace("USE", "")) == []
    assert findings(source.replace("USE", "print(prob.argmax(1))")) == [("LC007", "prob = resnet(aligned)")]
    # read by a loop over it, or by a test, it is used
    shown = "for fmap in prob:\n            plt.imshow(fmap.detach().numpy())"
    assert findings(source.replace("USE", shown)) == [("LC007", "prob = resnet(aligned)")]
    assert findings(source.replace("USE", "if prob.argmax() == 3:\n            print('tulip')")) == [("LC007", "prob = resnet(aligned)")]


def test_a_call_naming_a_keyword_the_function_does_not_take_never_enters_it(tmp_path: Path) -> None:
    """A notebook written against an older signature (`inference(encoder=e, decoder=d, x=x)` of a
    `inference(model, x)`) raises TypeError: it is no caller whose mode reaches the pass. A call
    that fits the signature is one."""
    (tmp_path / "evaluate.py").write_text(NETS + textwrap.dedent("""
        def inference(model, x):
            with torch.no_grad():
                return model(x).argmax(-1)

        def evaluate(model, loader):
            model.eval()
            for x, y in loader:
                predictions = inference(model, x)
            model.train()

        net = Dropping()
        net.load_state_dict(torch.load("net.pt"))
        evaluate(net, test_loader)
    """))
    (tmp_path / "check.py").write_text(textwrap.dedent("""
        import torch
        from evaluate import Dropping, inference

        def check():
            encoder, decoder = Dropping(), Dropping()
            encoder.load_state_dict(torch.load("encoder.pt"))
            for x in samples:
                CALL

        check()
    """))
    paths = [str(p) for p in sorted(tmp_path.glob("*.py"))]

    def found(call: str) -> list[tuple[str, str]]:
        (tmp_path / "check.py").write_text((tmp_path / "check.py").read_text().replace("CALL", call))
        try:
            return [(f.code, Path(f.path).name) for f in lint_paths(paths, root=str(tmp_path)).findings]
        finally:
            (tmp_path / "check.py").write_text((tmp_path / "check.py").read_text().replace(call, "CALL"))

    assert found("inference(encoder=encoder, decoder=decoder, x=x)") == []
    assert [code for code, _ in found("inference(model=encoder, x=x)")] == ["LC006"]


def test_a_helper_pass_that_continues_a_pass_its_caller_begins_is_reported_once_where_it_begins(tmp_path: Path) -> None:
    """`translate(model, x)` runs `model.encode(x)` and then `greedy(model, memory)`, whose loop
    decodes: the greedy loop is the rest of the pass that a script's loop over `translate(...)`
    begins, reported there once, not again at the helper. A helper whose caller begins no pass
    found anywhere (the caller's caller is no evaluation) keeps its own."""
    (tmp_path / "decode.py").write_text(NETS + textwrap.dedent("""
        class Seq2Seq(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout(0.1)
                self.enc = nn.Linear(4, 4)
                self.dec = nn.Linear(4, 4)

            def encode(self, x):
                return self.drop(self.enc(x))

            def decode(self, ys, memory):
                return self.dec(self.drop(ys + memory))


        def greedy(model, memory, steps):
            ys = memory[:, :1]
            for i in range(steps):
                logits = model.decode(ys, memory)
                ys = torch.cat([ys, logits.argmax(-1)], dim=1)
            return ys

        def translate(model, sentences, steps=20):
            memory = model.encode(sentences)
            return greedy(model, memory, steps)
    """))
    (tmp_path / "inference.py").write_text(textwrap.dedent("""
        import torch
        from decode import Seq2Seq, translate

        model = Seq2Seq()
        model.load_state_dict(torch.load("model.pt"))
        with torch.no_grad():
            for sentences in test_loader:
                predictions = translate(model, sentences)
    """))
    paths = [str(p) for p in sorted(tmp_path.glob("*.py"))]

    def found() -> list[tuple[str, str, int]]:
        return [(f.code, Path(f.path).name, f.line) for f in lint_paths(paths, root=str(tmp_path)).findings]

    assert found() == [("LC006", "inference.py", 9)]
    # the decoding under a no_grad of its own that the encoding is not under: another pass
    decode = (tmp_path / "decode.py").read_text()
    own_grad = "    with torch.no_grad():\n        return greedy(model, memory, steps)"
    (tmp_path / "decode.py").write_text(decode.replace("    return greedy(model, memory, steps)", own_grad))
    assert [(code, name) for code, name, _ in found()] == [("LC006", "decode.py"), ("LC006", "inference.py")]
    (tmp_path / "decode.py").write_text(decode)
    # no script begins a pass through translate(): the helper's loop is judged on its own
    (tmp_path / "inference.py").write_text(textwrap.dedent("""
        import torch
        from decode import Seq2Seq, translate

        def serve(model, sentences):
            return translate(model, sentences)

        model = Seq2Seq()
        model.load_state_dict(torch.load("model.pt"))
        serve(model, sentences)
    """))
    assert [(code, name) for code, name, _ in found()] == [("LC006", "decode.py"), ("LC007", "decode.py")]


def test_a_parameter_given_different_project_models_by_callers_in_other_files_may_hold_dropout(tmp_path: Path) -> None:
    (tmp_path / "nets.py").write_text(NETS + textwrap.dedent("""
        class Gru(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)
    """))
    (tmp_path / "utils.py").write_text(textwrap.dedent("""
        import torch

        def compute_loss(net, loader):
            total = 0.0
            with torch.no_grad():
                for x, y in loader:
                    total += ((net(x) - y) ** 2).mean().item()
            return total / len(loader)

        def fit(net, optimizer, loader, val_loader):
            for epoch in range(10):
                for x, y in loader:
                    optimizer.zero_grad()
                    ((net(x) - y) ** 2).mean().backward()
                    optimizer.step()
                val_loss = compute_loss(net, val_loader)
            return val_loss
    """))
    for script, cls in (("training.py", "FIRST"), ("cross_validation.py", "Gru")):
        (tmp_path / script).write_text(textwrap.dedent(f"""
            import torch
            from nets import {cls}
            from utils import fit

            net = {cls}()
            optimizer = torch.optim.Adam(net.parameters())
            fit(net, optimizer, train_loader, val_loader)
        """))
    paths = [str(p) for p in sorted(tmp_path.glob("*.py"))]

    def found() -> list[tuple[str, str]]:
        return [(f.code, Path(f.path).name) for f in lint_paths(paths, root=str(tmp_path)).findings]

    # one caller's model holds dropout: validated in training mode
    (tmp_path / "training.py").write_text((tmp_path / "training.py").read_text().replace("FIRST", "Dropping"))
    assert found() == [("LC006", "utils.py")]
    # neither does: nothing to switch
    (tmp_path / "training.py").write_text((tmp_path / "training.py").read_text().replace("Dropping", "Tiny"))
    assert found() == []


BASE_AND_SUBCLASS = """
    class BaseModel:
        def __init__(self, loader):
            self.loader = loader

        def train_one_epoch(self):
            self.netg.train()
            for x in self.loader:
                self.optimizer.zero_grad()
                self.netg(x).pow(2).mean().backward()
                self.optimizer.step()

        def test(self):
            with torch.no_grad():
                for x in self.loader:
                    score = self.netg(x).mean().item()
                    print(score)

        def train(self):
            for epoch in range(10):
                self.train_one_epoch()
                self.test()
"""


def test_a_base_class_method_runs_the_model_its_subclasses_build(tmp_path: Path) -> None:
    subclass = """
        class Ganomaly(BaseModel):
            def __init__(self, loader):
                super().__init__(loader)
                self.netg = NET()
                self.optimizer = torch.optim.Adam(self.netg.parameters())

        Ganomaly(train_loader).train()
    """
    # in the base class's file: the generator its subclass builds holds dropout, never put in eval mode
    source = textwrap.dedent(BASE_AND_SUBCLASS) + textwrap.dedent(subclass)
    assert findings(source.replace("NET", "Dropping")) == [("LC006", "score = self.netg(x).mean().item()")]
    assert findings(source.replace("NET", "Tiny")) == []
    # in another file that imports the base class
    (tmp_path / "base.py").write_text(NETS + textwrap.dedent(BASE_AND_SUBCLASS))
    (tmp_path / "ganomaly.py").write_text(
        "import torch\nfrom base import BaseModel, Dropping\n" + textwrap.dedent(subclass).replace("NET", "Dropping")
    )
    found = lint_paths([str(tmp_path / "base.py"), str(tmp_path / "ganomaly.py")], root=str(tmp_path)).findings
    assert [(f.code, Path(f.path).name, f.line) for f in found] == [("LC006", "base.py", NETS.count("\n") + 16)]


def test_a_driver_of_another_frameworks_project_code_is_not_pytorch(tmp_path: Path) -> None:
    (tmp_path / "ppo.py").write_text(textwrap.dedent("""
        import FRAMEWORK as tf

        class PPO:
            def __init__(self, env):
                self.policy_net = Policy()

            def eval(self, i_iter):
                state = self.env.reset()
                action = self.policy_net(state)
                print(i_iter, action)
    """))
    (tmp_path / "test.py").write_text(textwrap.dedent("""
        from ppo import PPO

        def main(env_id, test_epochs):
            ppo = PPO(env_id)
            for i_iter in range(1, test_epochs):
                ppo.eval(i_iter)

        if __name__ == "__main__":
            main("Hopper-v2", 50)
    """))
    paths = [str(tmp_path / "ppo.py"), str(tmp_path / "test.py")]
    (tmp_path / "ppo.py").write_text((tmp_path / "ppo.py").read_text().replace("FRAMEWORK", "tensorflow"))
    models = Projects(tmp_path, boundary=tmp_path)
    assert models.of(paths[1]).load(paths[1]).foreign_framework == "tensorflow"
    assert lint_paths(paths, root=str(tmp_path)).findings == []
    # a driver of the project's PyTorch code is PyTorch code
    (tmp_path / "ppo.py").write_text((tmp_path / "ppo.py").read_text().replace("tensorflow", "torch"))
    models = Projects(tmp_path, boundary=tmp_path)
    assert models.of(paths[1]).load(paths[1]).foreign_framework is None


def test_gradients_put_in_place_by_hand_are_what_the_next_step_uses() -> None:
    source = """
        net = Tiny()
        alphas = [torch.zeros(3, requires_grad=True)]
        alpha_optim = torch.optim.Adam(alphas)
        w_optim = torch.optim.SGD(net.parameters(), lr=0.1)

        def unrolled_backward(x, y):
            loss = ((net(x) * alphas[0].sum() - y) ** 2).mean()
            grads = torch.autograd.grad(loss, alphas)
            with torch.no_grad():
                for alpha, g in zip(alphas, grads):
                    alpha.grad = VALUE

        for x, y in loader:
            alpha_optim.zero_grad()
            unrolled_backward(x, y)
            alpha_optim.step()
            w_optim.zero_grad()
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            w_optim.step()
    """
    # the architecture step uses the gradients the helper computed and put in place
    assert findings(source.replace("VALUE", "g - 0.1 * g")) == []
    # cleared by hand, there is nothing to step on yet: the backward comes after the step (when no
    # other optimizer's reset opens a phase of its own before it)
    alone = source.replace("            w_optim.zero_grad()\n", "").replace("            w_optim.step()\n", "")
    assert findings(alone.replace("VALUE", "None")) == [("LC003", "alpha_optim.step()")]
    assert findings(alone.replace("VALUE", "g - 0.1 * g")) == []
    # `p._grad = g`, the attribute behind `.grad` (A3C hands its workers' gradients over so)
    assert findings(alone.replace("alpha.grad = VALUE", "alpha._grad = g - 0.1 * g")) == []


def test_a_method_that_trains_its_model_judges_its_validation_with_no_caller_in_sight() -> None:
    # `curr_model.fit(...)` on a class picked from a registry by name: nothing in sight calls `fit`,
    # but its training loop needs grad on and leaves the model in the mode it trained in
    source = """
        class TabModel:
            def __init__(self, params):
                self.model = NET()
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def fit(self, loader, val_loader):
                for epoch in range(10):
                    for x, y in loader:
                        loss = ((self.model(x) - y) ** 2).mean()
                        self.optimizer.zero_grad()
                        loss.backward()
                        self.optimizer.step()
                    val_loss = 0.0
                    for x, y in val_loader:
                        out = self.model(x)
                        val_loss += ((out - y) ** 2).mean().item()
                    print(epoch, val_loss)

            def predict(self, x):
                self.model.eval()
                with torch.no_grad():
                    return self.model(x)
    """
    assert findings(source.replace("NET", "Dropping")) == [("LC006", "out = self.model(x)"), ("LC007", "out = self.model(x)")]
    assert findings(source.replace("NET", "Tiny")) == [("LC007", "out = self.model(x)")]
    # a helper that trains nothing, called by nothing in sight: its context is unknown
    helper = source.replace("NET", "Dropping").replace("loss.backward()", "pass").replace("self.optimizer.step()", "pass")
    assert findings(helper) == []


def test_a_parameter_or_an_assignment_hides_a_module_of_the_same_name(tmp_path: Path) -> None:
    # `from loader import *` brings the module `model` that loader imports; the script's own
    # `model = Tagger()` and the parameter `model` of its helper are the network, not that module
    (tmp_path / "model.py").write_text(NETS + "\n\nclass Tagger(Dropping):\n    pass\n")
    (tmp_path / "loader.py").write_text("import model\n\n\ndef load(path):\n    return path\n")
    (tmp_path / "train.py").write_text(textwrap.dedent("""
        import torch
        from loader import *
        from model import Tagger

        model = Tagger()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def evaluating(model, datas):
            correct = 0
            for x, y in datas:
                out = model(x)
                correct += (out.argmax(1) == y).sum().item()
            return correct

        model.train(True)
        for epoch in range(10):
            for x, y in train_data:
                model.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
            model.train(False)
            print(evaluating(model, dev_data))
            model.train(True)
        model.train(False)
        test_out = model(test_x)
        print((test_out.argmax(1) == test_y).float().mean())
    """))
    found = lint_paths([str(tmp_path / "train.py")], root=str(tmp_path)).findings
    assert [(f.code, f.line) for f in found] == [("LC007", 12), ("LC007", 27)]
    # the script names its network otherwise: only the parameter hides the module
    renamed = (tmp_path / "train.py").read_text().replace("model", "net").replace("def evaluating(net,", "def evaluating(model,")
    (tmp_path / "train.py").write_text(renamed.replace("out = net(x)", "out = model(x)").replace("from net import", "from model import"))
    found = lint_paths([str(tmp_path / "train.py")], root=str(tmp_path)).findings
    assert [(f.code, f.line) for f in found] == [("LC007", 12), ("LC007", 27)]


def test_weights_loaded_into_a_part_through_a_helper_make_the_model_no_fresh_one() -> None:
    source = """
        class Saver:
            def __init__(self, model):
                self.model = model

            def load_ckpt(self, path):
                self.model.load_state_dict(torch.load(path))

        class Gen(Dropping):
            def load_pretrained(self, path):
                saver = Saver(self)
                saver.load_ckpt(path)

        class SEGAN(nn.Module):
            def __init__(self):
                super().__init__()
                self.G = Gen()

            def infer_G(self, x):
                return self.G(x)

            def generate(self, x):
                self.eval()
                return self.infer_G(x)

        def main(files):
            segan = SEGAN()
            LOAD
            for f in files:
                out = segan.generate(f)
                save(out.detach().numpy())

        main(files)
    """
    # the generator's weights come from a checkpoint: what it generates is what it learned
    assert findings(source.replace("LOAD", 'segan.G.load_pretrained("g.ckpt")')) == [("LC007", "return self.infer_G(x)")]
    # nothing loaded: a fresh model run to see that the code runs
    assert findings(source.replace("LOAD", "pass")) == []


def test_a_caller_nothing_calls_does_not_decide_the_mode_a_pass_runs_in() -> None:
    source = """
        def train(model, optim, loader, val_loader):
            for epoch in range(10):
                model.train()
                for x, y in loader:
                    optim.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optim.step()
                model.eval()
                with torch.no_grad():
                    for x, y in val_loader:
                        print((model(x).argmax(1) == y).float().mean().item())

        def test(model, loader):
            with torch.no_grad():
                for x, y in loader:
                    acc = (model(x).argmax(1) == y).float().mean().item()
                    print(acc)

        def evaluate_saved(path):
            model = Dropping()
            model.load_state_dict(torch.load(path))
            test(model, test_loader)

        def main():
            model = Dropping()
            optim = torch.optim.Adam(model.parameters())
            train(model, optim, train_loader, val_loader)
            test(model, test_loader)

        if __name__ == "__main__":
            main()
    """
    # `train` leaves the model in eval mode; `evaluate_saved`, which would not, is called by nothing
    assert findings(source) == []
    # called, it runs the test on a model in training mode
    called = source.replace("            main()", "            main()\n            evaluate_saved('best.pt')")
    assert findings(called) == [("LC006", "acc = (model(x).argmax(1) == y).float().mean().item()")]


def test_a_lambda_bound_to_a_name_runs_where_the_name_is_called() -> None:
    source = """
        from pathlib import Path

        def train(args, model, criterion, train_loader, init_optimizer, n_epochs):
            optimizer = init_optimizer(args.lr)
            model_path = Path(args.root) / "model.pt"
            if model_path.exists():
                state = torch.load(str(model_path))
                epoch = state["epoch"]
                model.load_state_dict(state["model"])
            else:
                epoch = 1
            save = lambda ep: torch.save({"model": model.state_dict(), "epoch": ep}, str(model_path))
            for epoch in range(epoch, n_epochs + 1):
                for inputs, targets in train_loader:
                    loss = criterion(model(inputs), targets)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                CALL
    """
    # saved every epoch through the lambda and loaded back to resume: the optimizer state is lost
    assert findings(source.replace("CALL", "save(epoch + 1)")) == [
        ("LC012", 'save = lambda ep: torch.save({"model": model.state_dict(), "epoch": ep}, str(model_path))')
    ]
    # the optimizer's state saved with it: nothing lost
    full = source.replace('"epoch": ep}', '"epoch": ep, "optimizer": optimizer.state_dict()}')
    assert findings(full.replace("CALL", "save(epoch + 1)")) == []


def test_a_module_held_by_a_container_is_switched_with_it() -> None:
    source = """
        gnn = Dropping()
        classifier = Tiny()
        model = CONTAINER
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(10):
            model.train()
            for x, y in loader:
                loss = F.cross_entropy(classifier(gnn(x)), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                for x, y in val_loader:
                    rep = gnn(x)
                    print((classifier(rep).argmax(1) == y).float().mean().item())
    """
    # `model.eval()` switches every module the container holds
    assert findings(source.replace("CONTAINER", "nn.Sequential(gnn, classifier)")) == []
    assert findings(source.replace("CONTAINER", "nn.ModuleList([gnn, classifier])")) == []
    # a container of other modules leaves gnn in training mode
    assert findings(source.replace("CONTAINER", "nn.Sequential(Tiny(), classifier)")) == [("LC006", "rep = gnn(x)")]


def test_modules_unpacked_from_a_switched_container_are_in_its_mode() -> None:
    source = """
        gnn = Dropping()
        classifier = Tiny()
        model = nn.Sequential(gnn, classifier)
        optimizer = torch.optim.Adam(model.parameters())
        for x, y in loader:
            loss = F.cross_entropy(classifier(gnn(x)), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        torch.save(model, "best.pt")
        best_model = torch.load("best.pt")
        SWITCH
        gnn, classifier = best_model
        with torch.no_grad():
            for x, y in test_loader:
                rep = gnn(x)
                print((classifier(rep).argmax(1) == y).float().mean().item())
    """
    assert findings(source.replace("SWITCH", "best_model.eval()")) == []
    assert findings(source.replace("SWITCH", "pass")) == [("LC006", "rep = gnn(x)")]


def test_a_model_built_in_branch_arms_and_switched_before_a_helper_is_in_that_mode(tmp_path: Path) -> None:
    (tmp_path / "nets.py").write_text(NETS)
    (tmp_path / "evaluate.py").write_text(textwrap.dedent("""
        import torch

        def get_features(model, test_loader):
            features = []
            for batch in test_loader:
                output = model(batch)
                features.append(output.data.cpu().numpy())
            return features

        def lfw_test(model, test_loader):
            features = get_features(model, test_loader)
            print(len(features))

        if __name__ == "__main__":
            from nets import Dropping
            model = Dropping()
            model.load_state_dict(torch.load("model.pt"))
            model.eval()
            lfw_test(model, test_loader)
    """))
    (tmp_path / "train.py").write_text(textwrap.dedent("""
        import torch
        from torch.nn import DataParallel
        from nets import Dropping, Tiny
        from evaluate import lfw_test

        if backbone == "drop":
            model = Dropping()
        else:
            model = Tiny()
        model = DataParallel(model)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(10):
            model.train()
            for x, y in loader:
                loss = torch.nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            SWITCH
            lfw_test(model, test_loader)
    """))
    paths = [str(tmp_path / name) for name in ("nets.py", "evaluate.py", "train.py")]

    def found() -> list[tuple[str, str]]:
        return [(f.code, Path(f.path).name) for f in lint_paths(paths, root=str(tmp_path)).findings]

    train = (tmp_path / "train.py").read_text()
    (tmp_path / "train.py").write_text(train.replace("SWITCH", "model.eval()"))
    assert found() == [("LC007", "evaluate.py")]
    (tmp_path / "train.py").write_text(train.replace("SWITCH", "pass"))
    assert found() == [("LC006", "evaluate.py"), ("LC007", "evaluate.py")]


def test_a_wrapper_method_that_switches_its_part_evaluates_that_part_in_eval_mode() -> None:
    source = """
        class Framework(nn.Module):
            def __init__(self):
                super().__init__()
                self.model = Dropping()
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def train_model(self, loader):
                for epoch in range(10):
                    self.train()
                    for x, y in loader:
                        loss = F.cross_entropy(self.model(x), y)
                        loss.backward()
                        self.optimizer.step()
                        self.optimizer.zero_grad()

            def eval_model(self, loader):
                SWITCH
                with torch.no_grad():
                    for x, y in loader:
                        print((self.model(x).argmax(1) == y).float().mean().item())

        framework = Framework()
        framework.train_model(train_loader)
        framework.load_state_dict(torch.load("best.pt"))
        framework.eval_model(test_loader)
    """
    # the method puts the part it runs in eval mode: the wrapper's own mode does not matter
    assert findings(source.replace("SWITCH", "self.model.eval()")) == []


def test_a_layer_class_bound_to_a_name_and_built_through_it_is_a_mode_layer() -> None:
    source = """
        class Net(nn.Module):
            def __init__(self, norm_layer=None):
                super().__init__()
                if norm_layer is None:
                    norm_layer = LAYER
                self.fc = nn.Linear(4, 4)
                self.bn1 = norm_layer(4)

            def forward(self, x):
                return self.bn1(self.fc(x))

        model = Net()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(10):
            for x, y in loader:
                loss = F.mse_loss(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            with torch.no_grad():
                for x, y in val_loader:
                    print(F.mse_loss(model(x), y).item())
    """
    assert findings(source.replace("LAYER", "nn.BatchNorm1d")) == [("LC006", "print(F.mse_loss(model(x), y).item())")]
    assert findings(source.replace("LAYER", "nn.LayerNorm")) == []


def test_a_long_stored_call_is_named_with_its_arguments_elided() -> None:
    source = NETS + textwrap.dedent("""
        net = Tiny()
        net.load_state_dict(torch.load("net.pt"))
        embs = []
        for img in faces:
            embs.append(net(test_transform(img).to(device).unsqueeze(0).contiguous()))
        print(torch.cat(embs).shape)
    """)
    found, _ = lint_source(source, "embed.py")
    messages = [f.message for f in found if f.code == "LC009"]
    assert len(messages) == 1
    assert "graph of net(...) alive" in messages[0] and "store net(...).item()" in messages[0]


def test_a_project_function_named_like_a_transformers_schedule_factory_is_read_for_what_it_builds() -> None:
    source = """
        from torch.optim import lr_scheduler

        def get_scheduler(cfg, optim, last_epoch):
            return lr_scheduler.MultiStepLR(optim, milestones=[10, 20], last_epoch=last_epoch)

        model = Tiny()
        optim = torch.optim.Adam(model.parameters())
        scheduler = FACTORY
        for epoch in range(30):
            for x, y in loader:
                optim.zero_grad()
                F.mse_loss(model(x), y).backward()
                optim.step()
            scheduler.step()
    """
    # the project's own factory: its third argument is the last epoch, not a count of steps
    assert findings(source.replace("FACTORY", "get_scheduler(cfg, optim, start_epoch)")) == []
    # transformers' factory sizes the schedule in optimizer steps: stepped per epoch, it is too slow
    hf = source.replace("FACTORY", "get_linear_schedule_with_warmup(optim, 100, num_steps)").replace(
        "from torch.optim import lr_scheduler", "from torch.optim import lr_scheduler\n        from transformers import get_linear_schedule_with_warmup"
    )
    assert [code for code, _ in findings(hf)] == ["LC005"]


def test_the_state_of_a_dict_nested_in_a_checkpoint_is_saved() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(100):
            for x, y in loader:
                optimizer.zero_grad()
                F.mse_loss(model(x), y).backward()
                optimizer.step()
            training = {
                "epoch": epoch,
                OPTIMIZER_STATE
            }
            save_obj = {"model": "tiny", "model_sd": model.state_dict(), "training": training}
            torch.save(save_obj, "epoch-last.pth")
    """
    # the optimizer's state sits one dict level down: nothing lost
    assert findings(source.replace("OPTIMIZER_STATE", '"optimizer_sd": optimizer.state_dict(),')) == []
    assert [code for code, _ in findings(source.replace("OPTIMIZER_STATE", ""))] == ["LC012"]


def test_a_name_only_ever_bound_to_none_is_no_scheduler() -> None:
    source = """
        class Trainer:
            def __init__(self, model):
                self.model = model
                self.optimizer = torch.optim.Adam(model.parameters())
                self.lr_scheduler = None
                SCHEDULER

            def train_epoch(self, loader):
                if self.lr_scheduler is not None:
                    self.lr_scheduler.step()
                for x, y in loader:
                    self.optimizer.zero_grad()
                    F.mse_loss(self.model(x), y).backward()
                    self.optimizer.step()

        trainer = Trainer(Tiny())
        for epoch in range(10):
            trainer.train_epoch(loader)
    """
    # nothing but None is ever put there: no scheduler steps before the optimizer
    assert findings(source.replace("SCHEDULER", "pass")) == []
    built = source.replace("SCHEDULER", "if use_schedule:\n                    self.lr_scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, 5)")
    assert [code for code, _ in findings(built)] == ["LC004"]


def test_a_model_frozen_through_named_parameters_records_no_graph() -> None:
    source = """
        model = torchvision.models.resnet18(pretrained=True)
        model.load_state_dict(torch.load("teacher.pt"))
        model.features = torch.nn.DataParallel(model.features)
        FREEZE
        model.eval()
        soft = []
        for images, target in train_loader:
            output = model(images)
            soft.append(F.softmax(output, dim=1).cpu().numpy())
    """
    freeze = "for name, param in model.named_parameters():\n            param.requires_grad = False"
    # every parameter frozen (wrapping a part in DataParallel adds none): the forwards record no graph
    assert findings(source.replace("FREEZE", freeze)) == []
    assert [code for code, _ in findings(source.replace("FREEZE", "pass"))] == ["LC007"]


# objects built through a registry of project classes ------------------------------------------

SCHEDULERS_MODULE = """
    class BaseScheduler(object):
        def __init__(self, optimizer):
            self.optimizer = optimizer
            self.global_step = 1

        def step(self):
            # sets the rate for the coming update: called before optimizer.step() on purpose
            self.global_step += 1
            for group in self.optimizer.param_groups:
                group["lr"] = self.global_step ** -0.5


    class NoamScheduler(BaseScheduler):
        pass


    BuildScheduler = {"base": BaseScheduler, "noam": NoamScheduler}
"""

REGISTRY_TRAINING = """
    import torch
    from schedulers import BuildScheduler

    optimizer = torch.optim.Adam(model.parameters())
    scheduler = {build}
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        scheduler.step()
        optimizer.step()
"""


def test_a_registry_of_project_scheduler_classes_builds_no_torch_scheduler(tmp_path: Path) -> None:
    (tmp_path / "schedulers.py").write_text(textwrap.dedent(SCHEDULERS_MODULE), encoding="utf-8")
    script = tmp_path / "train.py"
    for build, expected in (
        ('BuildScheduler[kind](optimizer)', []),
        ('torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.99)', [("LC004", 11), ("LC005", 11)]),
    ):
        script.write_text(textwrap.dedent(REGISTRY_TRAINING.format(build=build)), encoding="utf-8")
        result = lint_paths([str(script)], root=str(tmp_path))
        assert result.errors == []
        assert [(f.code, f.line) for f in result.findings] == expected, build


def test_a_registry_in_the_same_file_builds_what_its_classes_build() -> None:
    training = textwrap.dedent(REGISTRY_TRAINING.format(build="BuildScheduler[kind](optimizer)"))
    source = textwrap.dedent(SCHEDULERS_MODULE) + training.replace("from schedulers import BuildScheduler\n", "")
    assert [f.code for f in lint_source(source, "t.py")[0]] == []


TEMPLATE_METHOD = """
    class Base:
        def eval_task(self, loader):
            self._network.eval()
            return self._eval_task(loader)

        def _eval_task(self, loader):
            raise NotImplementedError

    class Learner(Base):
        def __init__(self):
            self._network = Dropping()
            self.optimizer = torch.optim.SGD(self._network.parameters(), lr=0.1)

        def train_task(self, loader):
            self._network.train()
            for x, y in loader:
                self.optimizer.zero_grad()
                nn.functional.cross_entropy(self._network(x), y).backward()
                self.optimizer.step()

        def _eval_task(self, loader):
            preds = []
            for x, y in loader:
                preds.append(self._network(x).argmax(1).cpu())
            return preds

    model = Learner()
    model.train_task(train_loader)
    GRAD
    print(model.eval_task(test_loader))
"""


def test_a_subclass_method_a_base_class_method_calls_on_self_is_entered_there() -> None:
    # the template method: `Base.eval_task` calls `self._eval_task`, which each learner overrides
    assert findings(TEMPLATE_METHOD.replace("GRAD", "pass")) == [("LC007", "preds.append(self._network(x).argmax(1).cpu())")]
    no_grad = TEMPLATE_METHOD.replace("GRAD\n    print(", "with torch.no_grad():\n        print(")
    assert findings(no_grad) == []
    # the base class's method sets the mode the override runs in
    unswitched = no_grad.replace("            self._network.eval()\n", "")
    assert [code for code, _ in findings(unswitched)] == ["LC006"]


def test_games_played_with_an_agent_after_the_loop_that_trained_it_are_an_evaluation() -> None:
    source = """
        def policy(q_values, eps):
            if random.random() < eps:
                return random.randint(0, 1)
            return torch.argmax(q_values)

        agent = Tiny()
        optimizer = torch.optim.Adam(agent.parameters())
        for episode in range(500):
            state = env.reset()
            optimizer.zero_grad()
            loss = agent(state).pow(2).mean()
            loss.backward()
            optimizer.step()

        for game in range(100):
            GRAD
            q_values = agent(state)
            action = int(policy(q_values, 0.1))
            state, reward, done = env.step(action)
            env.render()
    """
    assert findings(source.replace("GRAD", "state = env.reset()")) == [("LC007", "q_values = agent(state)")]
    head, games = source.split("        for game in range(100):")
    indented = "".join("    " + line if line.strip() else line for line in games.splitlines(keepends=True))
    guarded = head + "        with torch.no_grad():\n            for game in range(100):" + indented
    assert findings(guarded.replace("GRAD", "state = env.reset()")) == []


def test_a_value_stored_before_the_backward_that_proves_its_graph_is_retained() -> None:
    # no model: weights are plain tensors; `loss.backward()` later in the iteration proves that
    # what `loss` was bound to carries a graph, also where it is stored before the backward
    source = """
        w = torch.randn(4, 2, requires_grad=True)
        optimizer = torch.optim.Adam([w])
        lossfn = nn.CrossEntropyLoss()
        losses = []
        for i in range(100):
            x = torch.randn(8, 4)
            loss = lossfn(x @ w, torch.zeros(8).long())
            losses.append(loss)
            BACKWARD
            optimizer.step()
            optimizer.zero_grad()
    """
    assert findings(source.replace("BACKWARD", "loss.backward()")) == [("LC009", "losses.append(loss)")]
    # bound again before the backward: the stored value is not the one backwarded
    rebound = source.replace("BACKWARD", "loss = (x @ w).sum()\n            loss.backward()")
    assert findings(rebound) == []
    # the backward in another loop proves nothing about this one's value
    elsewhere = source.replace("BACKWARD", "pass").rstrip(" ") + "        for j in range(2):\n            loss.backward()\n"
    assert findings(elsewhere) == []


def test_a_checkpoint_spelled_as_a_dict_call_is_read_like_a_dict_display() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(10):
            for x, y in train_loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
            state = STATE
            torch.save(state, "last.pt")
    """
    for spelled in (
        "OrderedDict([('model', model.state_dict()), ('epoch', epoch)])",
        "dict(model=model.state_dict(), epoch=epoch)",
        "{'model': model.state_dict(), 'epoch': epoch}",
    ):
        assert findings(source.replace("STATE", spelled)) == [("LC012", 'torch.save(state, "last.pt")')], spelled
        with_optimizer = spelled.replace("epoch)", "epoch), ('optimizer', optimizer.state_dict())", 1) if "OrderedDict" in spelled else (
            spelled.replace("epoch=epoch", "epoch=epoch, optimizer=optimizer.state_dict()").replace("'epoch': epoch", "'epoch': epoch, 'optimizer': optimizer.state_dict()")
        )
        assert findings(source.replace("STATE", with_optimizer)) == [], with_optimizer


NOTEBOOK_TRAINING = NETS + """
def valid_fn(model, loader):
    model.eval()
    preds = []
    for x, y in loader:
        preds.append(model(x).argmax(1))
    return preds


def train_model(loader):
    model = Tiny()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(3):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            model(x).sum().backward()
            optimizer.step()
        valid_fn(model, loader)
"""


def test_a_notebook_function_no_cell_runs_holds_no_evaluation(tmp_path: Path) -> None:
    import json

    def lint(*sources: str) -> list[str]:
        cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s} for s in sources]
        notebook = tmp_path / "inference.ipynb"
        notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
        result = lint_paths([str(notebook)], root=str(tmp_path))
        assert result.errors == []
        return [f.code for f in result.findings]

    # `train_model` is defined and never called: `valid_fn`, called only by it, never runs
    assert lint(NOTEBOOK_TRAINING, "weights = torch.load('w.pt')\n") == []
    # a cell that runs it makes both run
    assert lint(NOTEBOOK_TRAINING, "train_model(train_loader)\n") == ["LC007"]
    # handed over where it is not called: it may run
    assert lint(NOTEBOOK_TRAINING, "callbacks = [train_model]\n") == ["LC007"]
    # the same code as a module of a library: its callers are out of sight
    (tmp_path / "inference.ipynb").unlink()
    script = tmp_path / "library.py"
    script.write_text(NOTEBOOK_TRAINING, encoding="utf-8")
    assert [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings] == ["LC007"]


def test_a_resume_that_loads_another_spelled_out_file_does_not_read_the_periodic_weights() -> None:
    source = """
        import os

        def main(args, train_loader):
            model = Tiny()
            optimizer = torch.optim.Adam(model.parameters())
            best_path = os.path.join(args.model_dir, "unet.pt")
            last_path = os.path.join(args.model_dir, "LAST")
            start_epoch = 0
            if args.resume:
                start_epoch = args.start_epoch
                model.load_state_dict(torch.load(best_path))
            best = 1e9
            for epoch in range(start_epoch, 100):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    loss = model(x).sum()
                    loss.backward()
                    optimizer.step()
                torch.save(model.state_dict(), last_path)
                if loss.item() < best:
                    best = loss.item()
                    torch.save(model.state_dict(), best_path)
    """
    # the weights saved every epoch go to `unet_last.pt`; resuming reads `unet.pt`, the best ones
    assert findings(source.replace("LAST", "unet_last.pt")) == []
    # resuming from the file saved every epoch: the optimizer state is lost
    assert findings(source.replace("LAST", "unet.pt")) == [("LC012", "torch.save(model.state_dict(), last_path)")]


PHASES = """
def train_model(model, criterion, optimizer, loaders, epochs):
    for epoch in range(epochs):
        for phase in ["train", "val"]:
            if phase == "train":
                model.train()
            else:
                model.eval()
            corrects = 0
            for inputs, labels in loaders[phase]:
                optimizer.zero_grad()
                GRAD
                    outputs = model(inputs)
                    loss = criterion(outputs, labels)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                corrects += (outputs.argmax(1) == labels).sum().item()


net = Dropping()
train_model(net, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.1), loaders, 10)
"""


def test_the_validation_phase_of_a_loop_over_phases_is_an_evaluation_pass() -> None:
    # the batch loop runs once per phase; in "val" no backward runs: that run is the evaluation
    assert findings(PHASES.replace("GRAD", "with torch.set_grad_enabled(phase == 'train'):")) == []
    assert findings(PHASES.replace("GRAD", "if True:")) == [("LC007", "outputs = model(inputs)")]
    no_eval = PHASES.replace("GRAD", "if True:").replace("            else:\n                model.eval()\n", "")
    assert findings(no_eval) == [("LC006", "outputs = model(inputs)"), ("LC007", "outputs = model(inputs)")]


ROLLOUT_AGENT = """
class Agent:
    def __init__(self, env):
        self.env = env
        self.model = Tiny()
        self.optimizer = torch.optim.Adam(self.model.parameters())

    def _forward(self, state):
        if self.continuous:
            mu, sigma = self.model(state).chunk(2, -1)
            return (mu + sigma).data.numpy(), mu, sigma, self.model(state)
        p, v = self.model(state).chunk(2, -1)
        return p.multinomial(1).data[0][0], p, v

    def _rollout(self):
        self.log_probs = []
        self.values = []
        self.actions = []
        state = self.env.reset()
        for t in range(20):
            action, p, v = self._forward(state)
            state, reward, done = self.env.step(action)
            self.actions.append(action)
            self.log_probs.append(p.log())
            self.values.append(v)

    def _backward(self):
        loss = 0.0
        for log_prob, value in zip(self.log_probs, USED):
            loss = loss - (log_prob * value.detach()).sum() + value.pow(2).sum()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def run(self):
        for update in range(1000):
            self._rollout()
            self._backward()
"""


def test_a_rollout_kept_for_the_update_of_the_agents_own_backward_is_no_leak() -> None:
    # each step's graph is kept until `_backward()` builds the loss from it: the algorithm (A2C)
    assert findings(ROLLOUT_AGENT.replace("USED", "self.values")) == []
    # a container the update never reads keeps every rollout's graphs for nothing
    assert findings(ROLLOUT_AGENT.replace("USED", "self.log_probs")) == [("LC009", "self.values.append(v)")]


def test_a_caller_unpacking_n_values_gets_the_tuple_of_n_of_a_helper_with_returns_of_several_lengths() -> None:
    # `action` of the 3-tuple is `.data` (no graph); the 4-tuple's first value also is a number
    source = ROLLOUT_AGENT.replace("USED", "self.values").replace("self.actions.append(action)", "self.kept.append(action)")
    assert findings(source) == []
    leaking = source.replace("p.multinomial(1).data[0][0], p, v", "p * 2, p, v")
    assert findings(leaking) == [("LC009", "self.kept.append(action)")]


GAN_STEP = """
netG, netD = Tiny(), Tiny()
G_optimizer = torch.optim.Adam(netG.parameters())
D_optimizer = torch.optim.Adam(netD.parameters())
for x, y in train_loader:
    G_optimizer.zero_grad()
    fake = netG(x)
    loss_G = netD(fake).mean()
    loss_G.backward()
    G_optimizer.step()
    D_optimizer.zero_grad()
    if gan_type in ["gan", "lsgan"]:
        netD(x).mean().backward()
    elif gan_type == "ragan":
        (netD(x) - netD(fake.detach())).mean().backward()
    ELSE
    D_optimizer.step()
"""


def test_a_reset_followed_by_its_own_backward_in_every_configured_arm_belongs_to_it() -> None:
    # the path that takes no arm is a configuration the code does not handle, not a wiped update
    assert findings(GAN_STEP.replace("ELSE", "")) == []
    assert findings(GAN_STEP.replace("ELSE", "else:\n        raise ValueError(gan_type)")) == []
    # a reset that no backward follows before the step wipes the generator's backward
    wiped = GAN_STEP.replace("ELSE", "").replace('    if gan_type in ["gan", "lsgan"]:\n        netD(x).mean().backward()\n    elif gan_type == "ragan":\n        (netD(x) - netD(fake.detach())).mean().backward()\n', "")
    assert findings(wiped) == [("LC002", "D_optimizer.zero_grad()")]


def test_a_forward_bound_to_the_throwaway_name_in_a_helper_keeps_nothing() -> None:
    source = """
        def count_flops(model, shape, make_input=None):
            model.eval()
            if make_input:
                KEEP model(**make_input(shape))
            else:
                batch = torch.ones(1, *shape)
                KEEP model(batch)
            return model.flops

        net = Tiny()
        net.load_state_dict(torch.load("net.pt"))
        print(count_flops(net, (4,)))
    """
    assert findings(source.replace("KEEP", "_ =")) == []
    # (the only call leaves `make_input` None: the pass is the forward of the `else:` arm)
    assert findings(source.replace("KEEP", "out =").replace("return model.flops", "return out.argmax(1)")) == [
        ("LC007", "out = model(batch)")
    ]


def test_a_helper_called_only_under_a_test_its_callers_arguments_rule_out_is_not_entered_there() -> None:
    source = """
        def predict(model, x):
            return model(x).argmax(1)

        def run_mode(model, x, mode=0):
            if mode == 0:
                return predict(model, x)
            with torch.no_grad():
                return model(x).argmax(1)

        net = Dropping()
        net.eval()
        predictions = run_mode(net, test_x, mode=MODE)
    """
    # every call passes mode=3: `predict` is never entered with grad on
    assert findings(source.replace("MODE", "3")) == []
    assert findings(source.replace("MODE", "0")) == [("LC007", "return model(x).argmax(1)")]


FACTORY_AGENT = """
class Agent:
    def __init__(self, model_fn):
        self.model_fn = model_fn

    def train(self, episodes):
        self.model = self.model_fn()
        self.optimizer = torch.optim.Adam(self.model.parameters())
        for episode in range(episodes):
            self.optimizer.zero_grad()
            self.model(torch.randn(1, 4)).sum().backward()
            self.optimizer.step()
        scores = []
        for game in range(10):
            scores.append(self.model(test_states[game]).argmax(1).item())
        return scores


HANDED
agent = Agent(model_fn)
agent.train(100)
"""


def test_a_model_built_by_a_factory_its_callers_hand_over_is_of_the_class_the_factory_builds() -> None:
    # (no eval() anywhere: the evaluation games run in training mode)
    for handed, expected in (
        ("model_fn = lambda: Tiny()", []),  # no dropout or batch norm: the mode changes nothing
        ("model_fn = lambda: Dropping()", ["LC006"]),
        ("model_fn = Tiny", []),
        ("model_fn = Dropping", ["LC006"]),
    ):
        codes = [code for code, _ in findings(FACTORY_AGENT.replace("HANDED", handed)) if code == "LC006"]
        assert codes == expected, handed


MODE_FORWARD = """
class Pix2Pix(nn.Module):
    def __init__(self):
        super().__init__()
        self.netG = nn.Linear(4, 4)

    def forward(self, data, mode):
        if mode == "generator":
            return self.netG(data).sum()
        elif mode == "inference":
            with torch.no_grad():
                fake = self.netG(data)
            return fake
        raise ValueError(mode)


model = Pix2Pix()
model.load_state_dict(torch.load("latest.pt"))
model.eval()
for data in test_loader:
    generated = model(data, mode=MODE)
    save_image(generated, "out.png")
"""


def test_a_forward_that_turns_grad_off_for_the_mode_a_call_asks_records_no_graph_for_that_call() -> None:
    assert findings(MODE_FORWARD.replace("MODE", '"inference"')) == []
    assert findings(MODE_FORWARD.replace("MODE", '"generator"')) == [("LC007", 'generated = model(data, mode="generator")')]


TRAINER_EVALUATE = """
class Trainer:
    def __init__(self, data):
        self.data = data
        self.model = Tiny()
        self.optimizer = torch.optim.Adam(self.model.parameters())

    def train(self):
        for epoch in range(100):
            self.optimizer.zero_grad()
            loss = nn.functional.mse_loss(self.model(self.data), self.data[:, :2])
            loss.backward()
            self.optimizer.step()
        loss, out = self.evaluate()
        AFTER

    def evaluate(self):
        self.model.eval()
        out = self.model(self.data)
        loss = nn.functional.mse_loss(out, self.data[:, :2])
        return loss, out.detach().cpu()


Trainer(torch.randn(10, 4)).train()
"""


def test_what_a_helper_returns_after_the_loop_that_backwarded_a_name_is_not_backwarded() -> None:
    # `loss.backward()` above the call ran in the training loop: `loss, out = self.evaluate()` after
    # it is an evaluation, reported in `evaluate`
    assert findings(TRAINER_EVALUATE.replace("AFTER", "print(loss.item())")) == [("LC007", "out = self.model(self.data)")]
    # a backward of what it returns after the call makes it part of training
    assert findings(TRAINER_EVALUATE.replace("AFTER", "loss.backward()")) == []


WORKER = """
import multiprocessing as mp


class Detector:
    def __init__(self):
        self.net = Tiny()
        self.net.eval()

    def align(self, image):
        with torch.no_grad():
            return self.net(image)


def extract(paths):
    scorer = Dropping()
    scorer.load_state_dict(torch.load("scorer.pt"))
    scorer.eval()
    detector = Detector()
    scores = {}
    for path in paths:
        face = detector.align(load(path))
        scores[path] = float(scorer(face).sum())
    return scores


def run(chunks):
    pool = mp.Pool(4)
    STARTED
"""


def test_a_function_a_pool_or_thread_runs_is_entered_with_grad_enabled() -> None:
    # a new thread or process starts with grad on, whatever the starter's mode; the pass is the
    # loop's own forward, not the detector's, which its helper guards
    for started in ("results = pool.map(extract, chunks)", "mp.Process(target=extract, args=(chunks[0],)).start()"):
        assert findings(WORKER.replace("STARTED", started)) == [("LC007", "scores[path] = float(scorer(face).sum())")], started
    # handed to nothing: called from outside the project, in a context that cannot be seen
    assert findings(WORKER.replace("STARTED", "pass")) == []


ONE_EPOCH_LEARNER = """
class Learner:
    def __init__(self, model, dls):
        self.model, self.dls = model, dls
        self.opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def one_epoch(self, train):
        self.model.train(train)
        dl = self.dls.train if train else self.dls.valid
        for xb, yb in dl:
            preds = self.model(xb)
            loss = nn.functional.cross_entropy(preds, yb)
            if train:
                loss.backward()
                self.opt.step()
                self.opt.zero_grad()
            self.accuracy = (preds.argmax(1) == yb).float().mean().item()

    def fit(self, epochs):
        for epoch in range(epochs):
            self.one_epoch(True)
            WRAP


model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 2))
Learner(model, dls).fit(3)
"""


def test_a_grad_mode_decorator_applied_on_the_spot_sets_the_mode_of_the_call() -> None:
    # `torch.no_grad()(self.one_epoch)(False)`: the validation epoch runs without grad
    assert findings(ONE_EPOCH_LEARNER.replace("WRAP", "torch.no_grad()(self.one_epoch)(False)")) == []
    assert findings(ONE_EPOCH_LEARNER.replace("WRAP", "self.one_epoch(False)")) == [("LC007", "preds = self.model(xb)")]
    assert findings(ONE_EPOCH_LEARNER.replace("WRAP", "torch.enable_grad()(self.one_epoch)(False)")) == [("LC007", "preds = self.model(xb)")]


def test_a_library_function_named_for_what_it_does_with_a_model_runs_no_forward() -> None:
    source = """
        import mlflow

        class Trainer:
            def __init__(self):
                self.model = Dropping()
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
                self._ml_flow = mlflow

            def train(self, loader):
                for step, (x, y) in enumerate(loader):
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.model(x), y).backward()
                    self.optimizer.step()
                    if step % 100 == 0:
                        torch.save(self.model.state_dict(), "last.pt")
                        self._ml_flow.pyfunc.VERB_model("out", artifacts={"model_path": "last.pt"})

        Trainer().train(train_loader)
    """
    # `log_model`, `register_model`, `upload_model`: a tracking library's call, no forward
    for verb in ("log", "register", "upload"):
        assert findings(source.replace("VERB", verb)) == [], verb


def test_a_validation_helper_called_every_k_steps_is_one_pass_reported_in_the_helper() -> None:
    source = """
        class Runner:
            def __init__(self):
                self.encoder, self.decoder = Tiny(), nn.Linear(2, 4)
                params = list(self.encoder.parameters()) + list(self.decoder.parameters())
                self.optimizer = torch.optim.Adam(params)

            def render(self, rays):
                return self.decoder(self.encoder(rays))

            def validate_image(self):
                out = []
                for rays in val_rays.split(64):
                    out.append(self.render(rays).detach().cpu())
                save_image(torch.cat(out), "val.png")

            def train(self):
                for step in range(10000):
                    self.optimizer.zero_grad()
                    self.render(torch.randn(64, 4)).pow(2).mean().backward()
                    self.optimizer.step()
                    if step % 500 == 0:
                        self.validate_image()

        Runner().train()
    """
    assert findings(source) == [("LC007", "out.append(self.render(rays).detach().cpu())")]


SAMPLES_AFTER_FIT = """
class Learner:
    def __init__(self, model, loader):
        self.model, self.loader = model, loader
        self.optimizer = torch.optim.Adam(model.parameters())

    def fit(self, epochs):
        for epoch in range(epochs):
            for x, y in self.loader:
                self.optimizer.zero_grad()
                nn.functional.mse_loss(self.model(x), y).backward()
                self.optimizer.step()


model = nn.Linear(4, 4)
learn = Learner(model, train_loader)
FIT
images = []
x = torch.randn(1, 4)
for i in range(900):
    x = model(x)
    if i % 100 == 0:
        images.append(x[0].detach().clip(0, 1))
show_images(images)
"""


def test_samples_a_script_makes_and_shows_with_a_model_a_learner_trained_are_an_evaluation() -> None:
    # `learn.fit(3)` of the object given the model trains it; the 900 steps after build one graph
    assert findings(SAMPLES_AFTER_FIT.replace("FIT", "learn.fit(3)")) == [("LC007", "x = model(x)")]
    # never trained: the loop shows what a fresh model does (no evaluation of anything trained)
    assert findings(SAMPLES_AFTER_FIT.replace("FIT", "pass")) == []


SELF_RESETTING = """
class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x, y):
        RESET
        return nn.functional.cross_entropy(self.fc(x), y)


model = Tagger()
optim = torch.optim.Adam(model.parameters())
for epoch in range(10):
    for x, y in train_loader:
        loss = model(x, y)
        loss.backward()
        optim.step()
"""


def test_a_model_whose_forward_clears_its_own_gradients_resets_them_at_every_step() -> None:
    assert findings(SELF_RESETTING.replace("RESET", "self.zero_grad()")) == []
    assert [code for code, _ in findings(SELF_RESETTING.replace("RESET", "pass"))] == ["LC001"]
    # only under a test it may not run: not on every path
    guarded = SELF_RESETTING.replace("RESET", "if self.clear:\n            self.zero_grad()")
    assert [code for code, _ in findings(guarded)] == ["LC001"]


def test_a_model_built_by_a_factory_handed_in_by_callers_out_of_sight_is_of_no_known_class() -> None:
    source = """
        def learn(env, q_func, steps):
            Q = q_func(4, 2).type(torch.float32)
            optimizer = torch.optim.Adam(Q.parameters())
            for t in range(steps):
                loss = Q(torch.randn(1, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            scores = [Q(s).argmax(1).item() for s in test_states]
            print(sum(scores))
        CALLER
    """
    # nobody in sight calls `learn`: what `q_func` builds, dropout or not, cannot be told
    assert [c for c, _ in findings(source.replace("CALLER", ""))] == ["LC007"]
    # a caller in sight hands in a class with dropout: evaluated in training mode
    assert [c for c, _ in findings(source.replace("CALLER", "learn(env, Dropping, 100)"))] == ["LC006", "LC007"]


def test_a_running_average_of_the_loss_keeps_its_graphs_like_a_sum() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.Adam(model.parameters())
        smooth_loss = 0
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            smooth_loss = AVERAGE
            print(float(smooth_loss))
    """
    for average in (
        "smooth_loss * 0.99 + loss * 0.01", "0.9 * smooth_loss + 0.1 * loss", "smooth_loss + loss",
        # (a weight computed from counts: `(1 - n / N) * avg + n / N * d.mean()`, an epoch's mean)
        "(1 - n / N) * smooth_loss + n / N * loss",
    ):
        assert findings(source.replace("AVERAGE", average)) == [("LC009", f"smooth_loss = {average}")], average
    assert findings(source.replace("AVERAGE", "smooth_loss * 0.99 + loss.item() * 0.01")) == []
    assert findings(source.replace("AVERAGE", "(1 - n / N) * smooth_loss + n / N * loss.item()")) == []
    # (a factor that is a call may be anything: `smooth_loss * decay(step)` is left alone as before)
    assert findings(source.replace("AVERAGE", "smooth_loss * decay(smooth_loss) + loss")) == []


PROJECT_LOSS_ACCUMULATION = """
class DetectionLoss(nn.Module):
    def forward(self, p, target):
        loss = (p - target).pow(2).sum() / p.shape[0]
        return DIVIDED


model = Tiny()
criterion = DetectionLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
accumulate = 4
for i, (x, y) in enumerate(train_loader):
    loss = criterion(model(x), y)
    loss.backward()
    if i % accumulate == 0:
        optimizer.step()
        optimizer.zero_grad()
"""


def test_a_project_loss_module_that_never_reads_the_accumulation_count_does_not_divide_by_it() -> None:
    assert findings(PROJECT_LOSS_ACCUMULATION.replace("DIVIDED", "loss")) == [("LC010", "loss.backward()")]
    # one that reads the count may divide by it
    assert findings(PROJECT_LOSS_ACCUMULATION.replace("DIVIDED", "loss / accumulate")) == []
    # one that sums on purpose (`reduction="sum"`, the darknet convention) keeps no mean to divide
    summed = PROJECT_LOSS_ACCUMULATION.replace(
        "loss = (p - target).pow(2).sum() / p.shape[0]", 'loss = nn.functional.mse_loss(p, target, reduction="sum")'
    ).replace("DIVIDED", "loss")
    assert findings(summed) == []


def test_an_embedding_table_built_from_given_weights_holds_no_mode_layer() -> None:
    source = """
        class Decoder(nn.Module):
            def __init__(self, centers):
                super().__init__()
                self.embedding = LAYER

            def forward(self, codes):
                return self.embedding(codes)

        decoder = Decoder(torch.load("centers.pt"))
        decoder.load_state_dict(torch.load("decoder.pt"))
        with torch.no_grad():
            for codes in test_loader:
                print(decoder(codes).mean().item())
    """
    assert findings(source.replace("LAYER", "nn.Embedding.from_pretrained(centers)")) == []
    assert [c for c, _ in findings(source.replace("LAYER", "torchvision.models.resnet18(pretrained=True)"))] == ["LC006"]



# a backward in eval mode whose gradients are reset before the step trains nothing ------------

EVAL_MODE_ATTACK = """
    def attack(model, x, y):
        delta = torch.zeros_like(x, requires_grad=True)
        nn.functional.cross_entropy(model(x + delta), y).backward()
        return delta.grad.sign()

    model = Dropping()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(10):
        RESTORE
        for x, y in train_loader:
            delta = attack(model, x, y)
            model.train()
            RESET
            nn.functional.cross_entropy(model(x + delta), y).backward()
            opt.step()
        model.eval()
        for x, y in test_loader:
            delta = attack(model, x, y)
            with torch.no_grad():
                print(model(x + delta).argmax(1).eq(y).sum().item())
"""


def test_a_backward_whose_gradients_are_reset_before_the_step_is_no_training_pass() -> None:
    """The attack's backward after `model.eval()` fills `.grad` in eval mode, but `opt.zero_grad()`
    drops it before the step: the update trains in the train mode set before its own backward,
    also when the last backward of an epoch (the test pass) is stepped only in the next one."""
    assert findings(EVAL_MODE_ATTACK.replace("RESTORE", "pass").replace("RESET", "opt.zero_grad()")) == []
    assert findings(EVAL_MODE_ATTACK.replace("RESTORE", "model.train()").replace("RESET", "opt.zero_grad()")) == []
    # without the reset the eval-mode gradients of the attack are stepped with the update's
    unreset = EVAL_MODE_ATTACK.replace("RESTORE", "pass").replace("RESET", "pass")
    assert ("LC008", "model.eval()") in findings(unreset)


def test_builtins_that_arrange_objects_and_torch_classes_built_over_them_run_no_forward() -> None:
    """`zip(heads, optimizers)`, `list(...)`, `heads.append(head)`, `DistributedDataParallel(head)`,
    `lr_scheduler.StepLR(opt)` hold or wrap what they are given; a library function handed the
    model (`tool.fit(model)`) is code out of sight that may run it."""
    from libcst import parse_module

    from loopcheck.model import Kind, LoopModel
    from loopcheck.model.program import events_of

    source = """
        import tool
        from torch.nn.parallel import DistributedDataParallel as DDP

        heads = []
        optimizers = []
        for epoch in range(10):
            head = Tiny()
            opt = torch.optim.SGD(head.parameters(), lr=0.1)
            heads.append(head)
            optimizers.append(opt)
            wrapped = DDP(head)
            sched = torch.optim.lr_scheduler.StepLR(opt, 10)
            for h, o in zip(heads, optimizers):
                print(list(enumerate([h, o])))
            tool.fit(head, opt)
    """
    model = LoopModel(parse_module(NETS + textwrap.dedent(source)), path="inference.py")
    loop = next(loop for loop in model.loops if loop.targets == ("epoch",))
    opaque = [e.call.dotted for e in events_of(model.iteration_program(loop)) if e.kind is Kind.OPAQUE]
    assert opaque == ["tool.fit"]


STRIPPED_CHECKPOINT = """
    model = Dropping()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    start = 0
    if os.path.exists("last.pt"):
        start = torch.load("last.pt")["epoch"] + 1
    for epoch in range(start, 100):
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        ckpt = BUILT
        ckpt["epoch"] = epoch
        ckpt["model"] = model.state_dict()
        for key in ("optimizer", "ema"):
            ckpt[key] = None
        torch.save(ckpt, "last.pt")
"""


def test_a_checkpoint_loaded_from_a_file_and_saved_back_holds_what_it_held() -> None:
    """`ckpt = torch.load(f); ckpt["optimizer"] = None; torch.save(ckpt, f)` re-saves a checkpoint
    whose other contents cannot be seen here (stripping a finished run's optimizer on purpose):
    only a dict built here can be known to lack the optimizer's state."""
    assert findings(STRIPPED_CHECKPOINT.replace("BUILT", 'torch.load("last.pt")')) == []
    assert findings(STRIPPED_CHECKPOINT.replace("BUILT", "{}")) == [("LC012", 'torch.save(ckpt, "last.pt")')]
    # a copy of the run's settings is built here: what it lacks is known
    assert findings(STRIPPED_CHECKPOINT.replace("BUILT", "dict(settings)")) == [("LC012", 'torch.save(ckpt, "last.pt")')]


CRITIC_REPEATS = """
    def decay(step):
        return 1 - step / total_steps

    net_G, net_D = Tiny(), Dropping()
    optim_G = torch.optim.Adam(net_G.parameters(), lr=2e-4)
    optim_D = torch.optim.Adam(net_D.parameters(), lr=2e-4)
    sched_G = torch.optim.lr_scheduler.LambdaLR(optim_G, lr_lambda=decay)
    sched_D = torch.optim.lr_scheduler.LambdaLR(optim_D, lr_lambda=decay)
    looper = infinite(loader)
    for step in range(total_steps):
        for REPEAT:
            optim_D.zero_grad()
            (net_D(x).mean() - net_D(net_G(z).detach()).mean()).backward()
            optim_D.step()
        optim_G.zero_grad()
        (-net_D(net_G(z)).mean()).backward()
        optim_G.step()
        sched_G.step()
        sched_D.step()
"""


def test_a_loop_with_an_update_of_its_own_around_critic_repeats_steps_per_iteration() -> None:
    """`for step in range(total_steps)` runs the generator's update itself, around `for _ in
    range(n_critic)` that repeats the critic's: each of its iterations is a training step, and a
    schedule sized in those steps is stepped where it should be."""
    assert findings(CRITIC_REPEATS.replace("REPEAT", "_ in range(n_critic)")) == []
    # an inner loop over the data is the batch loop: the one around it is an epoch loop
    codes = [c for c, _ in findings(CRITIC_REPEATS.replace("REPEAT", "x, z in loader"))]
    assert codes == ["LC005", "LC005"]


STEP_CHOSEN_BY_CALLER = """
    def train_epoch(model, loader, optimizer, lr_scheduler, step):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
            if step == "batch":
                lr_scheduler.step()

    def main():
        model = Tiny()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        lr_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
        step = CADENCE
        for epoch in range(100):
            train_epoch(model, train_loader, optimizer, lr_scheduler, step)
            if step == "epoch":
                lr_scheduler.step()
"""


def test_a_step_under_a_test_every_caller_rules_out_never_runs() -> None:
    """`step = "epoch"` bound once in the caller and handed to `train_epoch(..., step)`: the per-batch
    `if step == "batch": lr_scheduler.step()` never runs, and the epoch-sized schedule is stepped
    per epoch only."""
    assert findings(STEP_CHOSEN_BY_CALLER.replace("CADENCE", '"epoch"')) == []
    assert findings(STEP_CHOSEN_BY_CALLER.replace("CADENCE", '"batch"')) == [("LC005", "lr_scheduler.step()")]
    # a name the caller binds to more than one value may take any of them
    rebound = STEP_CHOSEN_BY_CALLER.replace("CADENCE", '"epoch"\n        if fast:\n            step = "batch"')
    assert findings(rebound) == [("LC005", "lr_scheduler.step()")]


ENSEMBLE = """
    def ensemble_forward_pass(model_ensemble, data):
        outputs = []
        for i, model in enumerate(model_ensemble):
            outputs.append(F.softmax(model(data), dim=1))
        return torch.stack(outputs).mean(0)

    def test_ensemble(model_ensemble, data_loader):
        SWITCH
        correct = 0
        with torch.no_grad():
            for data, label in data_loader:
                correct += ensemble_forward_pass(model_ensemble, data).argmax(1).eq(label).sum().item()
        return correct

    model_ensemble = [Dropping() for _ in range(5)]
    optimizers = [torch.optim.SGD(m.parameters(), lr=0.1) for m in model_ensemble]
    for epoch in range(10):
        for model in model_ensemble:
            model.train()
        for x, y in train_loader:
            for model, optimizer in zip(model_ensemble, optimizers):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
        print(test_ensemble(model_ensemble, val_loader))
"""


def test_a_loop_over_a_container_that_puts_each_element_in_eval_mode_covers_a_loop_over_it() -> None:
    """`for model in model_ensemble: model.eval()` switches every element; a helper handed the same
    container runs `for i, model in enumerate(model_ensemble): model(x)` over elements in eval mode."""
    assert findings(ENSEMBLE.replace("SWITCH", "for model in model_ensemble:\n            model.eval()")) == []
    reported = [("LC006", "outputs.append(F.softmax(model(data), dim=1))")]
    assert findings(ENSEMBLE.replace("SWITCH", "pass")) == reported
    # a loop that puts them in training mode leaves them there
    assert findings(ENSEMBLE.replace("SWITCH", "for model in model_ensemble:\n            model.train()")) == reported


POLICY_FACTORY = """
    class NetworkPolicy:
        def __init__(self, model):
            self.model = model

        def __call__(self, obs):
            with torch.no_grad():
                return self.model(obs).argmax(-1)

    class RandomPolicy:
        def __call__(self, obs):
            return torch.randint(0, 2, (obs.shape[0],))

    def create_policy(kind, model):
        if kind == "network":
            return BUILT
        return RandomPolicy()

    net = Dropping()
    optimizer = torch.optim.Adam(net.parameters())
    for epoch in range(10):
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
    policy = create_policy(args.policy, net)
    for obs in test_episodes:
        print(policy(obs))
"""


def test_a_name_bound_to_project_objects_that_are_no_modules_is_no_model_whatever_its_name() -> None:
    """`policy = create_policy(...)` returns a `NetworkPolicy` or a `RandomPolicy`, plain objects
    (the first runs the network itself, under no_grad): calling one is no forward of a model."""
    assert findings(POLICY_FACTORY.replace("BUILT", "NetworkPolicy(model)")) == []
    # a factory that may return the model itself builds a model
    assert [c for c, _ in findings(POLICY_FACTORY.replace("BUILT", "model"))] == ["LC006", "LC007"]


MEAN_TEACHER = """
    student = Tiny()
    teacher = Tiny()
    for param in teacher.parameters():
        FREEZE
    optimizer = torch.optim.Adam(student.parameters())
    for epoch in range(10):
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(student(x), teacher(x)).backward()
            optimizer.step()
            for t, s in zip(teacher.parameters(), student.parameters()):
                t.data.mul_(0.99).add_(s.data, alpha=0.01)
        error = 0
        for x, y in val_loader:
            error += (teacher(x) - y).abs().sum().item()
        print(error)
"""


def test_parameters_detached_in_place_are_frozen_for_good() -> None:
    """`for param in teacher.parameters(): param.detach_()` (the mean-teacher recipe) leaves no
    parameter requiring grad: the teacher's forward records no graph, with or without no_grad."""
    assert findings(MEAN_TEACHER.replace("FREEZE", "param.detach_()")) == []
    assert findings(MEAN_TEACHER.replace("FREEZE", "param.requires_grad = False")) == []
    assert findings(MEAN_TEACHER.replace("FREEZE", "print(param.shape)")) == [("LC007", "error += (teacher(x) - y).abs().sum().item()")]


MODEL_DICT_MODES = """
    class Trainer:
        def __init__(self):
            self.encoder = Dropping()
            self.model_dict = {}
            self.model_dict.update({"encoder": self.encoder})
            self.optimizer = torch.optim.Adam(self.encoder.parameters())

        def set_mode(self, mode="training"):
            for _, model in self.model_dict.items():
                model.train() if mode == "training" else model.eval()

        def fit(self, train_loader, val_loader):
            for epoch in range(10):
                self.set_mode(mode="training")
                for x, y in train_loader:
                    self.optimizer.zero_grad()
                    nn.functional.mse_loss(self.encoder(x), y).backward()
                    self.optimizer.step()
                SWITCH
                with torch.no_grad():
                    for x, y in val_loader:
                        print(nn.functional.mse_loss(self.encoder(x), y).item())

    Trainer().fit(train_loader, val_loader)
"""


def test_eval_on_each_element_of_a_container_that_cannot_be_listed_leaves_the_mode_unknown() -> None:
    """`for _, model in self.model_dict.items(): model.eval()` (filled by `update`) may switch the
    encoder: the mode of the pass after it cannot be told, and nothing is said."""
    assert findings(MODEL_DICT_MODES.replace("SWITCH", 'self.set_mode(mode="evaluation")')) == []
    assert findings(MODEL_DICT_MODES.replace("SWITCH", "pass")) == [("LC006", "print(nn.functional.mse_loss(self.encoder(x), y).item())")]



def test_critic_repeats_change_the_cadence_of_schedules_only() -> None:
    """The loop around `for _ in range(n_critic)` is one training step per iteration for schedules
    (`repeating_steps`), but not a training loop of its own for the other rules: its forwards
    (an agent's rollout sampling before its updates) are judged as before."""
    from libcst import parse_module

    from loopcheck.model import LoopModel

    model = LoopModel(parse_module(NETS + textwrap.dedent(CRITIC_REPEATS.replace("REPEAT", "_ in range(n_critic)"))), path="gan.py")
    outer = next(loop for loop in model.loops if loop.targets == ("step",))
    inner = next(loop for loop in model.loops if loop.targets == ("_",))
    assert [loop for loop in model.repeating_steps] == [outer]
    assert [step.loop for step in model.training_steps] == [inner]
    # over the data, the inner loop is the batch loop and the outer one repeats nothing
    over_data = LoopModel(parse_module(NETS + textwrap.dedent(CRITIC_REPEATS.replace("REPEAT", "x, z in loader"))), path="gan.py")
    assert over_data.repeating_steps == []


UNSTEPPED_SCHEDULER = """
    def main():
        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min", patience=10)
        start = 0
        if args.resume:
            checkpoint = torch.load(args.resume)
            start = checkpoint["epoch"]
            model.load_state_dict(checkpoint["state_dict"])
            optimizer.load_state_dict(checkpoint["optimizer"])
        for epoch in range(start, 100):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            STEP
            torch.save({"epoch": epoch, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict()}, "last.pth")
"""


def test_a_scheduler_built_and_never_named_again_has_no_position_to_keep() -> None:
    """A ReduceLROnPlateau built and then neither stepped nor handed on never moves the rate: the
    checkpoint that keeps the optimizer's state keeps all there is."""
    assert findings(UNSTEPPED_SCHEDULER.replace("STEP", "pass")) == []
    stepped = findings(UNSTEPPED_SCHEDULER.replace("STEP", "scheduler.step(validate(model))"))
    assert [code for code, _ in stepped] == ["LC012"]


WEIGHTS_BESIDE_RESUME = """
    def save_checkpoint(state, path):
        torch.save(state, path)

    model = Dropping()
    optimizer = torch.optim.Adam(model.parameters())
    start_epoch = 0
    if args.resume:
        checkpoint = torch.load(args.resumeLoc)
        start_epoch = checkpoint["epoch"]
        model.load_state_dict(checkpoint["state_dict"])
    for epoch in range(start_epoch, 100):
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        save_checkpoint({"epoch": epoch + 1, "state_dict": model.state_dict(), OPTIMIZER}, "checkpoint.pth.tar")
        model_file_name = args.savedir + "/model_" + str(epoch + 1) + ".pth"
        torch.save(model.state_dict(), model_file_name)
"""


def test_weights_saved_beside_a_resume_checkpoint_that_holds_the_optimizer_are_copies() -> None:
    """Every epoch a dict with the epoch and the optimizer's state is saved (through a helper), and
    the model's weights beside it to a file named by the epoch: the dict is what training resumes
    from, the weight files are copies of the model."""
    assert findings(WEIGHTS_BESIDE_RESUME.replace("OPTIMIZER", '"optimizer": optimizer.state_dict()')) == []
    lacking = findings(WEIGHTS_BESIDE_RESUME.replace("OPTIMIZER", '"lr": 0.1'))
    assert ("LC012", 'save_checkpoint({"epoch": epoch + 1, "state_dict": model.state_dict(), "lr": 0.1}, "checkpoint.pth.tar")') in lacking


PLAY_SCRIPT = """
    import torch.nn.functional as F

    def test(opt):
        env = make_env()
        model = Dropping()
        model.load_state_dict(torch.load("ppo.pt"))
        model.eval()
        state = torch.from_numpy(env.reset())
        while True:
            logits = model(state)
            NAME = F.softmax(logits, dim=1)
            action = torch.argmax(NAME).item()
            state, reward, done, info = env.step(action)
            state = torch.from_numpy(state)
            env.render()
            if done:
                break

    if __name__ == "__main__":
        test(get_args())
"""


def test_a_tensor_made_by_a_torch_function_is_no_model_whatever_its_name() -> None:
    """`policy = F.softmax(logits, dim=1)` in a play script is a tensor: naming it `policy` makes it
    no model, and handing it to `torch.argmax` hands no model to code out of sight."""
    expected = [("LC007", "logits = model(state)")]
    assert findings(PLAY_SCRIPT.replace("NAME", "policy")) == expected
    assert findings(PLAY_SCRIPT.replace("NAME", "probs")) == expected
    # nor is what arithmetic makes of tensors
    divided = PLAY_SCRIPT.replace("NAME = F.softmax(logits, dim=1)", "policy = logits.exp() / logits.exp().sum()")
    assert findings(divided.replace("NAME", "policy")) == expected




def test_a_pass_in_train_mode_written_for_it_before_training_follows_is_on_purpose() -> None:
    # AdaBN: `model.train()`, then forwards whose outputs are thrown away re-estimate the batch-norm
    # statistics on the target data; the mode is switched again before the epoch's training
    source = """
        def run(model, opt, train_loader, val_loader):
            for epoch in range(3):
                model.train()
                with torch.no_grad():
                    for x, _ in val_loader:
                        _ = model(x)
                model.eval()
                with torch.no_grad():
                    for x, y in val_loader:
                        print((model(x).argmax(1) == y).float().mean().item())
                model.train()
                for x, y in train_loader:
                    opt.zero_grad()
                    ((model(x) - y) ** 2).mean().backward()
                    opt.step()

        model = Dropping()
        run(model, torch.optim.SGD(model.parameters(), lr=0.1), train_loader, val_loader)
    """
    assert findings(source) == []
    # where the training comes before the mode is switched again, the train() was the training's
    shared = source.replace('''
                model.eval()
                with torch.no_grad():
                    for x, y in val_loader:
                        print((model(x).argmax(1) == y).float().mean().item())
                model.train()
''', "\n")
    assert "eval" not in shared and findings(shared) == [("LC006", "_ = model(x)")]


def test_a_model_a_training_helper_hands_back_is_trained() -> None:
    # `net = train(net, data)`: the name is bound again to what the helper that trains returns; a
    # forward on test data after it evaluates the trained model (the script trains another model
    # in a loop of its own further down, which does not make this forward a shape check)
    source = """
        def train(net, data):
            x, y = data
            opt = torch.optim.Adam(net.parameters())
            for _ in range(100):
                opt.zero_grad()
                ((net(x) - y) ** 2).mean().backward()
                opt.step()
            return net

        x_test = torch.randn(300, 4)
        net = Tiny()
        net = train(net, (torch.randn(8, 4), torch.randn(8, 2)))
        y_preds = net(x_test).clone().detach().numpy()

        other = Tiny()
        opt = torch.optim.SGD(other.parameters(), lr=0.1)
        for x, y in train_loader:
            opt.zero_grad()
            ((other(x) - y) ** 2).mean().backward()
            opt.step()
    """
    assert findings(source) == [("LC007", "y_preds = net(x_test).clone().detach().numpy()")]
    # a helper that only builds (no training) hands back a fresh model: a forward on it checks shapes
    assert findings(source.replace("net = train(net,", "net = (lambda n, d: n)(net,")) == []


def test_a_forward_that_switches_to_eval_mode_when_the_call_asks_is_in_eval_mode() -> None:
    source = """
        class Switching(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout(0.5)
                self.fc = nn.Linear(4, 2)

            def forward(self, x, _eval=False):
                if _eval:
                    self.eval()
                else:
                    self.train()
                return self.fc(self.drop(x))

        model = Switching()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(3):
            for x, y in train_loader:
                opt.zero_grad()
                ((model(x) - y) ** 2).mean().backward()
                opt.step()
            with torch.no_grad():
                for x, y in val_loader:
                    print((model(x, _eval=True).argmax(1) == y).float().mean().item())
    """
    assert findings(source) == []
    assert findings(source.replace("model(x, _eval=True)", "model(x)")) == [
        ("LC006", "print((model(x).argmax(1) == y).float().mean().item())")
    ]


def test_a_model_method_that_runs_under_its_own_no_grad_as_called_records_no_graph() -> None:
    # `model.forward_classifier(batch, train=False)`: the method itself runs the layers under
    # no_grad for the mode the call asks, as a forward may (`model(x, mode="inference")`)
    source = """
        import torch.nn.functional as F

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward_classifier(self, x, y, train):
                if train:
                    return F.cross_entropy(self.fc(x), y)
                else:
                    with torch.no_grad():
                        scores = self.fc(x)
                    return scores.numpy(), y.numpy()

        model = Classifier()
        opt = torch.optim.Adam(model.parameters())
        for epoch in range(3):
            for x, y in train_loader:
                opt.zero_grad()
                model.forward_classifier(x, y, train=True).backward()
                opt.step()
            for x, y in test_loader:
                scores, labels = model.forward_classifier(x, y, train=False)
                print((scores.argmax(1) == labels).mean())
    """
    assert findings(source) == []
    unguarded = source.replace("with torch.no_grad():\n                        scores", "if True:\n                        scores")
    assert findings(unguarded) == [
        ("LC007", "scores, labels = model.forward_classifier(x, y, train=False)")
    ]


def test_the_features_of_a_plain_torchvision_vgg_hold_no_mode_layer() -> None:
    # torchvision's VGG keeps its dropout in `classifier` and batch norm only in the `_bn` variants:
    # its `features` alone need no eval()
    source = """
        from torchvision.models import vgg19

        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = vgg19(pretrained=True).features[:21]
                self.head = nn.Conv2d(512, 3, 3)

            def forward(self, x):
                return self.head(self.body(x))

        model = Encoder()
        opt = torch.optim.Adam(model.head.parameters())
        for epoch in range(3):
            for x, y in train_loader:
                opt.zero_grad()
                ((model(x) - y) ** 2).mean().backward()
                opt.step()
            with torch.no_grad():
                for x, y in val_loader:
                    print(((model(x) - y) ** 2).mean().item())
    """
    assert findings(source) == []
    for other in ("vgg19_bn(pretrained=True).features[:21]", "vgg19(pretrained=True)"):
        changed = source.replace("vgg19(pretrained=True).features[:21]", other).replace("import vgg19", "import vgg19, vgg19_bn")
        assert findings(changed) == [("LC006", "print(((model(x) - y) ** 2).mean().item())")], other


def test_lists_a_helper_of_a_forward_fills_die_with_the_forward_call() -> None:
    # `attend` runs only inside `Net.forward`: what it collects over the time steps of one batch is
    # freed when the forward returns, as a model method's own lists are
    source = """
        def attend(states, layer):
            outs, weights = [], []
            for t in states:
                o = layer(t)
                outs.append(o.unsqueeze(0))
                weights.append(o.softmax(-1))
            return torch.cat(outs, dim=0)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                return attend(x, self.fc).sum(0)

        model = Net()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            opt.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            opt.step()
    """
    assert findings(source) == []


def test_parameters_frozen_under_a_test_of_their_name_freeze_only_some() -> None:
    # `if "fc" in name: p.requires_grad = False` freezes some parameters; the rest still record a graph
    source = """
        model = Tiny()
        for name, p in model.named_parameters():
            if "bias" in name:
                p.requires_grad = False
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
        for epoch in range(3):
            for x, y in train_loader:
                opt.zero_grad()
                ((model(x) - y) ** 2).mean().backward()
                opt.step()
            for x, y in val_loader:
                print(((model(x) - y) ** 2).mean().item())
    """
    assert findings(source) == [("LC007", "print(((model(x) - y) ** 2).mean().item())")]


# the other methods of a class that trains its model itself --------------------------------------


def test_a_prediction_method_of_a_class_that_trains_nothing_is_entered_from_where_we_cannot_see() -> None:
    # a wrapper whose model was trained elsewhere, called from outside the project: its grad context is unknown
    source = """
        class Scorer:
            def __init__(self, model):
                self.model = model

            def predict(self, loader):
                self.model.eval()
                scores = []
                for x, _ in loader:
                    scores.append(self.model(x).data.numpy())
                return scores
    """
    assert findings(source) == []


def test_a_module_that_trains_itself_runs_its_test_method_as_a_driver() -> None:
    # a module whose `fit()` calls `self.test()` every few epochs: the pass is entered from the
    # training method, which is where its grad mode comes from
    source = """
        class Forecaster(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = Dropping()
                self.opt = torch.optim.SGD(self.net.parameters(), lr=0.1)

            def fit(self, loader, test_loader):
                for epoch in range(10):
                    for x, y in loader:
                        self.opt.zero_grad()
                        ((self.net(x) - y) ** 2).mean().backward()
                        self.opt.step()
                    if epoch % 5 == 0:
                        print(self.test(test_loader))

            def test(self, loader):
                self.net.eval()
                preds = []
                for x, _ in loader:
                    preds.append(self.net(x).detach().numpy())
                self.net.train()
                return preds

        Forecaster().fit(train_loader, test_loader)
    """
    assert findings(source) == [("LC007", "preds.append(self.net(x).detach().numpy())")]


# a constructor that switches the mode of the module it is given --------------------------------


TESTER = """
    class Tester:
        def __init__(self, net, path):
            net.load_state_dict(torch.load(path))
            SWITCH

        def classify(self, net, loader):
            with torch.no_grad():
                for x, y in loader:
                    print(net(x).argmax(1))


    def run(loader):
        net = Dropping()
        tester = Tester(net, "net.pt")
        tester.classify(net, loader)


    run(test_loader)
"""


def test_a_constructor_that_puts_its_module_argument_in_eval_mode_switches_the_object_passed() -> None:
    assert findings(TESTER.replace("SWITCH", "net.eval()")) == []
    # the object passed is what is switched: a constructor that switches nothing, or only under a test, does not
    assert findings(TESTER.replace("SWITCH", "self.net = net")) == [("LC006", "print(net(x).argmax(1))")]
    conditional = TESTER.replace("SWITCH", "if path.endswith('.pt'):\n                net.eval()")
    assert findings(conditional) == [("LC006", "print(net(x).argmax(1))")]


def test_outputs_iterated_only_to_print_their_sizes_check_the_code() -> None:
    # `P = model(x); for idx, p in enumerate(P): print(p.size())`: a multi-scale backbone's outputs
    # looked at for their shapes, one by one
    source = """
        if __name__ == "__main__":
            model = Tiny()
            model.load_state_dict(torch.load("tiny.pt"))
            inputs = torch.randn(4, 4)
            P = model(inputs)
            for idx, p in enumerate(P):
                USE
    """
    assert findings(source.replace("USE", "print('P{}: {}'.format(idx, p.size()))")) == []
    assert findings(source.replace("USE", "torch.save(p, f'p{idx}.pt')")) == [("LC007", "P = model(inputs)")]


# what a model's forward returns, element by element ---------------------------------------------


ATTENDING = """
    class Attending(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x, return_hidden=False):
            hidden = self.fc(x)
            weights, kept = [], []
            for step in range(3):
                row = self.fc(hidden)
                FILL
            if return_hidden:
                return hidden, weights, kept
            return hidden.sum(1), hidden, weights, kept

    model = Attending()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    all_weights, all_kept = [], []
    for x, y in train_loader:
        out, _, weights, kept = model(x)
        opt.zero_grad()
        ((out - y) ** 2).mean().backward()
        opt.step()
        all_weights += weights
        all_kept += kept
"""


def test_a_forward_returning_tuples_of_two_lengths_gives_each_name_its_elements_graph() -> None:
    # `weights` is filled with graph-carrying rows, `kept` with plain numbers: only the first keeps a graph
    source = ATTENDING.replace("FILL", "weights.append(row.softmax(0))\n                kept.append(row.sum().item())")
    assert findings(source) == [("LC009", "all_weights += weights")]
    # a list the forward leaves empty carries nothing
    assert findings(ATTENDING.replace("FILL", "kept.append(row.sum().item())")) == []


def test_models_a_method_builds_in_eval_mode_and_returns_together_are_in_eval_mode() -> None:
    # `self.seg_model, self.cls_model = self.initModels()` whose method loads both and calls eval()
    source = """
        class App:
            def __init__(self, path):
                self.seg_model, self.cls_model = self.initModels(path)

            def initModels(self, path):
                seg = Dropping()
                seg.load_state_dict(torch.load(path))
                SWITCH
                return seg, seg

            def run(self, loader):
                with torch.no_grad():
                    for x in loader:
                        print(self.seg_model(x).argmax(1))

        App("m.pt").run(test_loader)
    """
    assert findings(source.replace("SWITCH", "seg.eval()")) == []
    assert findings(source.replace("SWITCH", "seg.train()")) == [("LC006", "print(self.seg_model(x).argmax(1))")]


def test_a_method_that_computes_with_parts_handed_to_the_constructor_runs_the_model() -> None:
    # `NormalizingFlow.log_prob` runs `self.flows[i].inverse(z)` on flows of classes it is handed:
    # it computes with their parameters, so `nfm.log_prob(grid)` after training is an evaluation
    source = """
        class Flow(nn.Module):
            def __init__(self, flows):
                super().__init__()
                self.flows = nn.ModuleList(flows)

            def forward(self, x):
                return self.log_prob(x)

            def log_prob(self, x):
                z = x
                for i in range(len(self.flows) - 1, -1, -1):
                    z = self.flows[i].inverse(z)
                return z.sum(1)

            def size(self):
                return sum(p.numel() for p in self.flows.parameters())

        nfm = Flow([Tiny(), Tiny()])
        opt = torch.optim.Adam(nfm.parameters(), lr=1e-3)
        for it in range(1000):
            opt.zero_grad()
            (-nfm(sample_target())).mean().backward()
            opt.step()
        log_prob = nfm.log_prob(grid)
        plt.pcolormesh(xx, yy, torch.exp(log_prob).data.numpy())
        print(nfm.size())
    """
    assert findings(source) == [("LC007", "log_prob = nfm.log_prob(grid)")]


def test_games_a_function_plays_once_training_is_over_are_an_evaluation() -> None:
    # a notebook's `play(env, agent, n)` cell after the training cell: test games of the trained agent
    source = """
        class Agent:
            def __init__(self):
                self.actor = Tiny()
                self.opt = torch.optim.Adam(self.actor.parameters(), lr=1e-3)

            def select_action(self, state):
                return self.actor(torch.FloatTensor(state)).data.numpy()

            def learn(self, batch):
                self.opt.zero_grad()
                self.actor(batch).pow(2).mean().backward()
                self.opt.step()

        agent = Agent()

        def train(n_episodes):
            for episode in range(n_episodes):
                state = env.reset()
                for t in range(200):
                    state, reward, done, _ = env.step(agent.select_action(state))
                    agent.learn(replay.sample())

        def play(env, agent, n_episodes):
            for episode in range(n_episodes):
                state = env.reset()
                while True:
                    action = agent.select_action(state)
                    state, reward, done, _ = env.step(action)
                    if done:
                        break

        ORDER
    """
    # (reported in the helper, whose every forward is an action choice, never trained through)
    assert findings(source.replace("ORDER", "train(500)\n        play(env, agent, 5)")) == [
        ("LC007", "return self.actor(torch.FloatTensor(state)).data.numpy()")
    ]
    # games played before any training are no evaluation of a trained agent
    assert findings(source.replace("ORDER", "play(env, agent, 5)\n        train(500)")) == []


def test_a_position_read_back_only_in_a_comment_makes_no_resume() -> None:
    # the best snapshot, with the optimizer's state, loaded as pretrained weights with the epoch read
    # left in a comment (`start_epoch = 0  # checkpoint["epoch"]`): an export, not a checkpoint to resume
    source = """
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20)
        start_epoch = 0
        if args.pretrained:
            checkpoint = torch.load("best_model.pth")
            READ
            model.load_state_dict(checkpoint["model_state_dict"])
        best = 0.0
        for epoch in range(start_epoch, 100):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            scheduler.step()
            acc = evaluate(model)
            if acc >= best:
                best = acc
                torch.save({"epoch": epoch, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict()}, "best_model.pth")
    """
    assert findings(source.replace("READ", 'start_epoch = 0  # checkpoint["epoch"]')) == []
    assert [code for code, _ in findings(source.replace("READ", 'start_epoch = checkpoint["epoch"]'))] == ["LC012"]


# a library call that measures a fresh model on made-up input trains nothing -----------------


def test_a_library_call_given_a_fresh_model_and_made_up_input_leaves_it_untrained() -> None:
    """`calculate_flops(model=net, kwargs={"x": torch.randn(...)})` or `summary(net, (3, 32, 32))`
    between building a model and running it: no data to train on is given, so the forward that
    follows still runs random weights — a check of the code (shape, range), no evaluation."""
    source = """
    from calflops import calculate_flops

    if __name__ == "__main__":
        net = Dropping()
        CALL
        out = net(torch.rand(1, 4))
        print(out.shape, torch.max(out), torch.min(out))
    """
    quiet = [
        'flops, macs, params = calculate_flops(model=net, kwargs={"x": torch.randn(1, 4)}, output_as_string=True)',
        "stats = calculate_flops(net, (torch.zeros(2, 4).cuda(),), print_results=False)",
        "calculate_flops(net, torch.autograd.Variable(torch.randn(3, 4)))",
    ]
    for call in quiet:
        assert findings(source.replace("CALL", call)) == [], call
    # given data, or given the model alone (a trainer holding its data), the call may train it
    for call in ["calculate_flops(net, train_loader)", "calculate_flops(net)",
                 'calculate_flops(model=net, kwargs={"x": batch})']:
        assert sorted(code for code, _ in findings(source.replace("CALL", call))) == ["LC006", "LC007"], call


def test_switching_on_activation_checkpointing_loads_no_weights() -> None:
    """`Net(use_gradient_checkpoint=True)` recomputes activations to save memory: the model still
    starts from random weights, so a forward right after it checks the code. A checkpoint given as
    a path, or `pretrained=True`, loads weights: the forward shows what a trained model does."""
    source = """
    def build(**kwargs):
        return Dropping()

    if __name__ == "__main__":
        net = build(ARG)
        out = net(torch.rand(1, 4))
        print(out.shape, torch.max(out))
    """
    for arg in ("use_gradient_checkpoint=True", "use_checkpoint=True", "checkpointing=False"):
        assert findings(source.replace("ARG", arg)) == [], arg
    for arg in ("checkpoint='best.pth'", "pretrained=True", "ckpt=True"):
        assert sorted(code for code, _ in findings(source.replace("ARG", arg))) == ["LC006", "LC007"], arg


def test_a_function_named_for_scores_or_decisions_evaluates() -> None:
    """`decision_function(X)`, `get_outlier_scores(X)`: a detector's scoring of data, named for
    what it returns, is an evaluation pass like `predict(X)`; its forwards need no_grad."""
    source = """
    class Detector:
        def __init__(self):
            self.net = Tiny()
            self.optimizer = torch.optim.Adam(self.net.parameters())

        def fit(self, X):
            for epoch in range(10):
                self.optimizer.zero_grad()
                loss = self.net(X).pow(2).mean()
                loss.backward()
                self.optimizer.step()
            self.decision_scores_ = self.NAME(X)
            return self

        def NAME(self, X):
            out = self.net(torch.as_tensor(X))
            return out.detach().cpu().numpy()[:, 0]
    """
    for name in ("decision_function", "get_outlier_scores", "score_samples"):
        assert findings(source.replace("NAME", name)) == [("LC007", "out = self.net(torch.as_tensor(X))")], name
    assert findings(source.replace("NAME", "transform_rows")) == []  # nothing tells what it returns


SCORER = """
class Scorer:
    def __init__(self, sizes):
        BUILD
        self.optimizer = torch.optim.Adam(self.net.parameters())

    def fit(self, x):
        for epoch in range(10):
            self.optimizer.zero_grad()
            self.net(x).pow(2).mean().backward()
            self.optimizer.step()
        return RETURNED

    def predict(self, x):
        with torch.no_grad():
            return self.net(x)

USE
print(scorer.predict(torch.randn(16, 4)))
"""


def test_a_container_built_from_a_list_holds_what_the_list_was_filled_with() -> None:
    """`nn.Sequential(*layers)` after `layers.append(nn.Dropout(p))` in a loop: the model holds a
    dropout, so evaluating it in training mode is LC006; filled with linear layers only, it is not."""
    build = """layers = []
        for a, b in zip(sizes, sizes[1:]):
            layers.append(nn.Linear(a, b))
            FILL
        self.net = nn.Sequential(*layers)"""
    source = SCORER.replace("BUILD", build).replace("RETURNED", "self").replace(
        "USE", "scorer = Scorer([4, 8, 1])\nscorer.fit(torch.randn(16, 4))"
    )
    assert findings(source.replace("FILL", "layers.append(nn.Dropout(0.2))")) == [("LC006", "return self.net(x)")]
    assert findings(source.replace("FILL", "layers += [nn.BatchNorm1d(b)]")) == [("LC006", "return self.net(x)")]
    assert findings(source.replace("FILL", "layers.append(nn.ReLU())")) == []


def test_a_method_returning_self_hands_back_the_object_it_was_called_on() -> None:
    """`scorer = Scorer(sizes).fit(X)` with `fit` ending in `return self` (the scikit-learn
    convention): `scorer` is the Scorer just built, so `scorer.predict(x)` runs its model."""
    source = SCORER.replace("BUILD", "self.net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 1))").replace(
        "USE", "scorer = Scorer([4, 8, 1]).fit(torch.randn(16, 4))"
    )
    assert findings(source.replace("RETURNED", "self")) == [("LC006", "return self.net(x)")]
    assert findings(source.replace("RETURNED", "self.net(x).mean().item()")) == []  # a number: no object


def test_a_name_bound_by_calling_itself_resolves_to_nothing_and_loses_no_finding() -> None:
    """`callback = callback()` (a class or a factory passed in, replaced by what it builds) and
    then `callback(trainer)`: asking what the call runs asked again what the name was bound to,
    without end (a RecursionError that lost every finding of the file); now it resolves to nothing
    and the file's other findings stay."""
    source = """
    def fit(model, loader, optimizer, callbacks):
        for callback in callbacks:
            callback = callback()
            callback(model)
        for x, y in loader:
            loss = model(x).sum()
            loss.backward()
            optimizer.step()
    """
    assert findings(source) == [("LC001", "loss.backward()")]


def test_a_checkpoint_dict_bound_to_an_attribute_is_read_like_one_bound_to_a_name() -> None:
    """`self.run_state = {"model": ..., "current_epoch": ..., "optimizer": ...}` then
    `torch.save(self.run_state, path)` in an experiment class that steps a scheduler and resumes
    from that file: the scheduler's state is left out (LC012), as with a local name."""
    source = """
    class Experiment:
        def __init__(self):
            self.model = Tiny()
            self.optimizer = torch.optim.Adam(self.model.parameters())
            self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, 10)
            self.current_epoch = 0

        def resume(self, path):
            state = torch.load(path)
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            self.current_epoch = state["current_epoch"]

        def save(self, path):
            self.run_state = {
                "model": self.model.state_dict(),
                "current_epoch": self.current_epoch,
                "optimizer": self.optimizer.state_dict(),
                EXTRA
            }
            torch.save(self.run_state, path)

        def run(self, loader, path):
            self.resume(path)
            while self.current_epoch < 100:
                for x, y in loader:
                    self.optimizer.zero_grad()
                    self.model(x).sum().backward()
                    self.optimizer.step()
                self.current_epoch += 1
                self.save(path)
                self.scheduler.step()
    """
    assert findings(source.replace("EXTRA", "")) == [("LC012", "torch.save(self.run_state, path)")]
    assert findings(source.replace("EXTRA", '"scheduler": self.scheduler.state_dict(),')) == []


def test_reading_a_value_of_a_fresh_model_gives_the_call_no_model() -> None:
    """`print("# Parameters: {}".format(model.num_parameters))` between building a model and
    running it on noise: the call is given a number the model holds, not the model, so the forward
    still checks the code of a fresh model. Given the model itself, or a part of it, the call may
    train it."""
    source = """
    class Counted(Dropping):
        def __init__(self):
            super().__init__()
            self.num_parameters = 10
            self.head = nn.Linear(2, 2)

    def _test_counted():
        model = Counted()
        ARG
        output = model(torch.rand(2, 4))
        print(output.size())
        loss = output.pow(2).mean()
        print(loss)

    if __name__ == "__main__":
        _test_counted()
    """
    assert findings(source.replace("ARG", 'print("# Parameters: {}".format(model.num_parameters))')) == []
    for arg in ('log("{}".format(model))', "log(model.head)"):
        assert sorted(code for code, _ in findings(source.replace("ARG", arg))) == ["LC006", "LC007"], arg


def test_an_attribute_of_a_library_import_named_like_a_model_is_a_function() -> None:
    """`SerializationTool.serialize_model(global_model)` (a class imported from an installed
    library): a function that does something to a model, not a model run forward, whatever its
    name ends with. `self.model(x)` or `trainer.model(x)` on objects of the code stay forwards."""
    source = """
    from fedlab.utils.serialization import SerializationTool

    model = Dropping()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    for round in range(args.test_rounds):
        CALL
        stats = [client.evaluate(params) for client in clients]
    """
    assert findings(source.replace("CALL", "params = SerializationTool.serialize_model(model)")) == []
    assert sorted(code for code, _ in findings(source.replace("CALL", "params = model(test_x).argmax(-1)"))) == ["LC006", "LC007"]


def test_grad_imported_from_torch_autograd_needs_the_graph_like_its_dotted_form() -> None:
    """`from torch.autograd import grad` then `grads = grad(nll, model.parameters())` over the
    training data (a Fisher-information trace): the forward feeds a gradient computation, so it is
    no evaluation pass, as with `torch.autograd.grad(...)`. Without the gradient it is one."""
    source = """
    from torch.autograd import grad

    def fisher_trace(model, loader):
        model.eval()
        total = 0
        for x, y in loader:
            outputs = model(x)
            nll = -torch.nn.functional.log_softmax(outputs, dim=1)[range(len(y)), y].mean()
            GRADS
        return total

    net = Dropping()
    print(fisher_trace(net, test_loader))
    """
    for grads in ("grads = grad(nll, model.parameters())\n            total += sum(g.pow(2).sum().item() for g in grads)",
                  "grads = torch.autograd.grad(nll, model.parameters())\n            total += sum(g.pow(2).sum().item() for g in grads)"):
        assert findings(source.replace("GRADS", grads)) == [], grads
    assert findings(source.replace("GRADS", "total += nll.item()")) == [("LC007", "outputs = model(x)")]


def test_a_scheduler_named_only_in_a_comment_besides_its_construction_is_never_used() -> None:
    """`# model, scheduler, loss` above `scheduler = LinearLR(optimizer, ...)` that nothing steps:
    the schedule never moves, so a resume checkpoint loses nothing by leaving it out (LC012); once
    stepped, its state is missing."""
    source = """
    # model, scheduler, loss
    model = Dropping()
    optimizer = torch.optim.Adam(model.parameters())
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1.0, end_factor=0.05)
    start = 0
    if resume:
        state = torch.load("last.pt")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["epoch"]
    for epoch in range(start, 100):
        for x, y in loader:
            optimizer.zero_grad()
            model(x).sum().backward()
            optimizer.step()
        STEP
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, "last.pt")
    """
    assert findings(source.replace("STEP", "pass")) == []
    assert [code for code, _ in findings(source.replace("STEP", "scheduler.step()"))] == ["LC012"]


def test_a_model_method_named_for_loading_weights_loads_them() -> None:
    """`net.load_pretrained_model(model_path=...)` of a project model that parses a caffemodel
    itself (no `load_state_dict`): the weights are loaded, so a forward after it shows what a
    trained model predicts, even where an attribute of the model is read in between."""
    source = """
    class Net(Dropping):
        def __init__(self):
            super().__init__()
            self.input_size = (4,)

        def load_pretrained_model(self, model_path):
            blobs = parse_caffemodel(model_path)
            for name, value in blobs.items():
                getattr(self, name).weight.data.copy_(value)

    if __name__ == "__main__":
        net = Net()
        net.LOAD
        x = resize(image, net.input_size)
        out = net(x)
        print(out.argmax(-1))
    """
    assert sorted(code for code, _ in findings(source.replace("LOAD", 'load_pretrained_model(model_path="icnet.caffemodel")'))) == ["LC006", "LC007"]
    assert findings(source.replace("LOAD", "fc.reset_parameters()")) == []  # still random weights: a check of the code


def test_a_model_taken_out_of_an_unpickled_checkpoint_is_loaded_whole() -> None:
    """`torch.load(path)["model"]` (also through `.to(device)`, or a name the load was bound to)
    is a pickled module: it comes in the mode it was saved in, like `torch.load(path)` itself. The
    same subscript of an object no loader returned leaves a model whose class cannot be seen."""
    source = """
    if __name__ == "__main__":
        LOAD
        with torch.no_grad():
            correct = 0
            for x, y in test_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        print(correct)
    """
    statements = {
        'model = torch.load("m.pt")["model"].to(device)': [],
        'model = torch.load("m.pt")["model"]': [],
        'ckpt = torch.load("m.pt")\n        model = ckpt["model"].cuda()': [],
        'model = registry["model"].to(device)': ["LC006"],
        'model = Dropping()\n        model.load_state_dict(torch.load("m.pt")["model"])': ["LC006"],
    }
    for statement, codes in statements.items():
        assert [code for code, _ in findings(source.replace("LOAD", statement))] == codes, statement


def test_a_train_call_later_in_the_loop_of_a_pass_reaches_its_next_iterations() -> None:
    """`model.eval()` before a validation loop whose body ends with `model.train()`: from the
    second batch on the pass runs in training mode. A train() after the loop, one before the pass
    in the body, or one under a condition on the iteration (restoring the mode on the last batch)
    leaves the pass in eval mode; one under a flag the callers pass (`if vali:`) does not."""
    source = """
    def run(net, loader, vali=False):
        net.eval()
        correct = 0
        with torch.no_grad():
            for i, (x, y) in enumerate(loader):
                correct += (net(x).argmax(1) == y).sum().item()
                BODY
        return correct

    if __name__ == "__main__":
        net = Dropping()
        net.load_state_dict(torch.load("net.pt"))
        print(run(net, val_loader, vali=True))
    """
    bodies = {
        "net.train()": ["LC006"],
        "if vali:\n                    net.train()": ["LC006"],
        "pass\n            net.train()": [],
        "if i == len(loader) - 1:\n                    net.train()": [],
        "net.train()\n                net.eval()": [],
    }
    for body, codes in bodies.items():
        assert [code for code, _ in findings(source.replace("BODY", body))] == codes, body
    # a switch before the pass in each iteration decides, whatever follows it
    before = source.replace("correct += (net(x)", "net.eval()\n                correct += (net(x)")
    assert findings(before.replace("BODY", "net.train()")) == []


def test_a_best_snapshot_lacking_the_optimizer_key_that_the_resume_loads_is_an_export() -> None:
    """The script resumes from a checkpoint (`start = ckpt["epoch"]`) and loads the optimizer's
    state from it; a snapshot saved only when the metric improves, without that key, cannot be
    what it resumes from (the load would fail): an export. Kept every epoch, or when the resume
    reads no optimizer state, it is a checkpoint that misses it."""
    source = """
    if __name__ == "__main__":
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        start, best = 0, 0.0
        if args.resume:
            ckpt = torch.load(args.resume)
            model.load_state_dict(ckpt["model"])
            LOAD
            start = ckpt["epoch"]
        for epoch in range(start, 100):
            for x, y in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
            score = validate(model)
            torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, "last.pt")
            WHEN
                torch.save({"epoch": epoch, "model": model.state_dict()}, "best.pt")
    """
    optimizer = 'optimizer.load_state_dict(ckpt["optimizer"])'
    improved = "if score > best:"
    assert findings(source.replace("LOAD", optimizer).replace("WHEN", improved)) == []
    assert [c for c, _ in findings(source.replace("LOAD", "pass").replace("WHEN", improved))] == ["LC012"]
    # kept every epoch beside `last.pt`, which holds the optimizer's state and is saved each time:
    # an archive of the weights; beside a `last.pt` saved only every tenth epoch, a checkpoint
    every = source.replace("LOAD", optimizer).replace("WHEN", "if True:")
    assert findings(every) == []
    rarer = every.replace('            torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer"', '            if epoch % 10 == 0: torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer"')
    assert rarer != every
    assert [c for c, _ in findings(rarer)] == ["LC012"]


def test_a_final_save_lacking_the_optimizer_key_that_the_resume_loads_is_an_export() -> None:
    """Saved once training is over (`save_best()` after the epochs), without the optimizer key that
    the project's resume loads: resuming from it would fail on that key, so it is an export; when
    the resume reads no optimizer state, it is a checkpoint that misses it."""
    source = """
    if __name__ == "__main__":
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        start = 0
        if args.resume:
            ckpt = torch.load(args.resume)
            model.load_state_dict(ckpt["model"])
            LOAD
            start = ckpt["epoch"]
        for epoch in range(start, 100):
            for x, y in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
        torch.save({"epoch": epoch, "model": model.state_dict()}, "final.pt")
    """
    assert findings(source.replace("LOAD", 'optimizer.load_state_dict(ckpt["optimizer"])')) == []
    assert [c for c, _ in findings(source.replace("LOAD", "pass"))] == ["LC012"]


def test_batch_norm_layers_picked_by_type_and_frozen_in_the_epoch_loop_are_frozen_on_purpose() -> None:
    """`net.train()` and then `if isinstance(m, nn.BatchNorm2d): m.eval()` over `net.modules()` at
    the top of each epoch freezes the batch-norm statistics while the rest trains: the mode is
    chosen, not left behind (LC008), also where the training forward runs the net's parts through a
    helper (whose modules may be any of them). The same switch of every module is the whole net's
    eval()."""
    source = """
    def forward_with(model, x):
        group = nn.Sequential(*[model.drop, model.fc])
        return group(x)

    def fit(net, loader, optimizer, fix_bn=False):
        for epoch in range(10):
            net.train()
            if fix_bn:
                for m in net.modules():
                    PICK
                        m.eval()
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(forward_with(net, x), y).backward()
                optimizer.step()

    if __name__ == "__main__":
        net = Dropping()
        fit(net, train_loader, torch.optim.SGD(net.parameters(), lr=0.1), fix_bn=True)
    """
    for picked in ("if isinstance(m, nn.BatchNorm2d):", "if type(m) == nn.BatchNorm1d:", 'if m.__class__.__name__.find("BatchNorm") != -1:'):
        assert findings(source.replace("PICK", picked)) == [], picked
    assert [code for code, _ in findings(source.replace("PICK", "if True:"))] == ["LC008"]


def test_a_dropped_forward_of_a_loaded_model_whose_hooks_keep_features_is_an_evaluation() -> None:
    """`_ = model(batch)` after `model.fc.register_forward_hook(keep)`, then the kept features are
    compared: the forward is run for what the hooks deliver. Without a hook the dropped output
    checks the code; on a fresh model the hooks count or inspect, they evaluate nothing."""
    source = """
    def keep(module, inputs, output):
        module.feat = output

    def main():
        model = Dropping()
        LOAD
        HOOK
        _ = model(batch)
        features = model.fc.feat
        print(torch.sum((features[0] - features[1]) ** 2))

    if __name__ == "__main__":
        main()
    """
    load = 'model.load_state_dict(torch.load("model.pt"))'
    hook = "model.fc.register_forward_hook(keep)"
    assert [c for c, _ in findings(source.replace("LOAD", load).replace("HOOK", hook))] == ["LC006", "LC007"]
    assert findings(source.replace("LOAD", load).replace("HOOK", "pass")) == []
    assert findings(source.replace("LOAD", "pass").replace("HOOK", hook)) == []


def test_zero_grad_on_the_module_an_optimizer_was_built_over_under_another_name_resets_it() -> None:
    """`model, config = self.model, self.config`, then `raw_model = model.module if hasattr(model,
    "module") else model` and an optimizer over `raw_model.parameters()`: `model.zero_grad()`
    resets what it steps (LC001 is silent); a reset of another model does not."""
    source = """
    class Trainer:
        def __init__(self, model, config):
            self.model = model
            self.config = config

        def train(self, loader):
            model, config = self.model, self.config
            raw_model = model.module if hasattr(self.model, "module") else self.model
            optimizer = torch.optim.Adam(raw_model.parameters(), lr=config.lr)
            for x, y in loader:
                loss = nn.functional.cross_entropy(model(x), y)
                RESET.zero_grad()
                loss.backward()
                optimizer.step()

    Trainer(Dropping(), config).train(train_loader)
    """
    assert findings(source.replace("RESET", "model")) == []
    assert [c for c, _ in findings(source.replace("RESET", "critic"))] == ["LC001"]


def test_a_loss_a_factory_returns_beside_the_model_is_no_model_to_evaluate() -> None:
    """`model, loss_fn, optimizer = get_model()` where the factory binds `loss_fn =
    nn.CrossEntropyLoss()`: the validation helper's `loss_fn(prediction, y)` after `model(x)` in
    eval mode runs a loss, not a second model left in training mode."""
    source = """
    class Pairing(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.5)

        def forward(self, x, y):
            return self.drop(x) + y

    def get_model():
        model = Dropping()
        loss_fn = LOSS
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        return model, loss_fn, optimizer

    @torch.no_grad()
    def val_loss(x, y, model):
        model.eval()
        prediction = model(x)
        return loss_fn(prediction, y).item()

    if __name__ == "__main__":
        model, loss_fn, optimizer = get_model()
        for epoch in range(5):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                loss_fn(model(x), y).backward()
                optimizer.step()
            for x, y in val_loader:
                print(val_loss(x, y, model))
    """
    assert findings(source.replace("LOSS", "nn.CrossEntropyLoss()")) == []
    # a second module of the factory's, not a loss: its mode is not set in the helper
    assert [c for c, _ in findings(source.replace("LOSS", "Pairing()"))] == ["LC006"]


def test_a_drop_rate_kept_as_an_attribute_and_built_zero_drops_nothing() -> None:
    """`self.dropout = dropout` then `nn.LSTM(..., dropout=self.dropout)`, the model built with
    `dropout=0.`: the LSTM drops nothing, eval() changes nothing (no LC006); built with 0.5 it does."""
    source = """
    class Seq(nn.Module):
        def __init__(self, size, dropout=0.5):
            super().__init__()
            self.dropout = dropout
            self.rnn = nn.LSTM(size, size, 2, dropout=self.dropout)

        def forward(self, x):
            return self.rnn(x)[0]

    if __name__ == "__main__":
        model = Seq(4, dropout=RATE)
        model.load_state_dict(torch.load("seq.pt"))
        with torch.no_grad():
            for x, y in test_loader:
                print((model(x).argmax(-1) == y).float().mean().item())
    """
    assert findings(source.replace("RATE", "0.")) == []
    assert [c for c, _ in findings(source.replace("RATE", "0.5"))] == ["LC006"]


@pytest.mark.parametrize(("method", "expected"), [("save_pretrained", []), ("push_to_hub", []), ("encode_text", ["LC007"])])
def test_a_model_method_that_stores_a_part_runs_no_forward(method: str, expected: list[str]) -> None:
    """`def keep(self, path): self.encoder.save_pretrained(path)` called after each epoch's
    validation: storing a part (saving, pushing it) computes nothing with it, so the call is no
    evaluation pass; a computing method of the part (`encode_text`) is one."""
    source = f"""
    class Wrapper(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = Dropping()

        def forward(self, x):
            return self.encoder(x)

        def keep(self, path):
            self.encoder.{method}(path)

    class Trainer:
        def __init__(self):
            self.base_model = Wrapper()
            self.optimizer = torch.optim.SGD(self.base_model.parameters(), lr=0.1)

        def fit(self, loader, valid_loader):
            for epoch in range(10):
                self.base_model.train()
                for x, y in loader:
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.base_model(x), y).backward()
                    self.optimizer.step()
                self.base_model.eval()
                with torch.no_grad():
                    for x, y in valid_loader:
                        print((self.base_model(x).argmax(1) == y).float().mean().item())
                self.base_model.keep("last")

    Trainer().fit(train_loader, valid_loader)
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(("before_copy", "expected"), [("pass", []), ("model.train()", ["LC006"])])
def test_a_deep_copy_is_in_the_mode_its_original_had_when_copied(before_copy: str, expected: list[str]) -> None:
    """`best = None`, then `best = copy.deepcopy(model)` when validation improves (after
    `model.eval()`): the copy stays in eval mode whatever `model` does after, so the final test of
    `best` runs in eval mode; a copy taken after `model.train()` is in training mode."""
    source = f"""
    import copy

    def evaluate(model, loader):
        correct = 0
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
        return correct

    model = Dropping()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    best = None
    best_acc = 0
    for epoch in range(10):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = evaluate(model, valid_loader)
        if acc > best_acc:
            best_acc = acc
            {before_copy}
            best = copy.deepcopy(model)
    with torch.no_grad():
        print(evaluate(best, test_loader))
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(("switch", "expected"), [("model.eval()", []), ("pass", ["LC006"])])
def test_a_module_a_library_hands_back_wrapped_is_switched_with_its_wrapper(switch: str, expected: list[str]) -> None:
    """`model, optimizer, _, _ = deepspeed.initialize(model=original, ...)`: the engine (`model`) wraps
    `original`, so `model.eval()` puts `original` in eval mode for the validation that runs it."""
    source = f"""
    import deepspeed

    original = Dropping()
    model, optimizer, _, _ = deepspeed.initialize(model=original, model_parameters=original.parameters())
    for epoch in range(3):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        {switch}
        with torch.no_grad():
            for x, y in valid_loader:
                print((original(x).argmax(1) == y).float().mean().item())
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(("second", "expected"), [("model = Graph()", ["LC007"]), ("", [])])
def test_a_global_model_bound_again_is_not_judged_by_one_of_its_classes_for_binding(second: str, expected: list[str]) -> None:
    """A script binds `model = Tiny()` (forward(x)), later `model = Graph()` (forward(x, edges)),
    and `test()` runs the global as `model(x, edges)`: which class the call finds depends on when
    `test()` runs, so the call is not taken to fail (bound to a Tiny alone, it raises TypeError)."""
    source = f"""
    class Graph(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x, edges):
            return self.fc(x) + edges

    model = Tiny()
    {second}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def test():
        model.eval()
        out = model(x, edges)
        return (out.argmax(1) == y).float().mean().item()

    for epoch in range(10):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x, edges), y).backward()
        optimizer.step()
    print(test())
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(
    ("restore", "show", "expected"),
    [
        ("restore(net, 'net.pt')", "plt.imshow(images[0])", ["LC006", "LC007"]),
        # a fresh model's output shows nothing yet (a check that the code runs)
        ("pass", "plt.imshow(images[0])", []),
        # a helper that loads weights into another object than the one handed to it
        ("restore_other(net, 'net.pt')", "plt.imshow(images[0])", []),
        # a helper that only prints a shape makes no picture of the output
        ("restore(net, 'net.pt')", "print(images.shape)", []),
    ],
)
def test_a_helper_that_loads_weights_into_the_model_and_one_that_pictures_its_output(
    restore: str, show: str, expected: list[str]
) -> None:
    """`RestoreModel(net, name)` loading a checkpoint into the model it is handed, then
    `plot_reconstruction(net)` whose output goes to a project helper that draws it (`plotTensor`
    calling `plt.imshow`): the model is loaded, and the function shows its outputs, an evaluation
    pass of a model holding dropout."""
    source = """
    import matplotlib.pyplot as plt

    def restore(model, path):
        params = torch.load(path)
        model.load_state_dict(params["model"])
        return params["epoch"]

    def restore_other(model, path):
        other = Dropping()
        other.load_state_dict(torch.load(path))
        return other

    def show(images):
        SHOW

    def plot_reconstruction(model, batch):
        out = model(batch)
        show(out)

    net = Dropping()
    RESTORE
    plot_reconstruction(net, next(iter(test_loader)))
    """
    found = findings(source.replace("RESTORE", restore).replace("SHOW", show))
    assert sorted(c for c, _ in found) == expected
    assert all(line == "out = model(batch)" for _, line in found)


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        ("nn.LSTM(size, size, dropout=0.5)", []),
        ("nn.GRU(size, size, num_layers=1, dropout=0.5)", []),
        ("nn.LSTM(size, size, layers, dropout=0.5)", []),
        ("nn.LSTM(size, size, 2, dropout=0.5)", ["LC006"]),
        ("nn.GRU(size, size, num_layers=3, dropout=0.5)", ["LC006"]),
    ],
)
def test_a_recurrent_layer_drops_only_between_stacked_layers(layer: str, expected: list[str]) -> None:
    """`nn.LSTM(..., dropout=0.5)` with one layer (`num_layers` left out, 1, or a parameter the
    model is built with as 1): PyTorch applies the dropout between stacked layers only, so there
    is none and eval() changes nothing (no LC006); with two or more layers the layer drops."""
    source = """
    class Seq(nn.Module):
        def __init__(self, size, layers=2, settings=None):
            super().__init__()
            self.rnn = LAYER

        def forward(self, x):
            return self.rnn(x)[0]

    if __name__ == "__main__":
        model = Seq(4, layers=1)
        model.load_state_dict(torch.load("seq.pt"))
        with torch.no_grad():
            for x, y in test_loader:
                print((model(x).argmax(-1) == y).float().mean().item())
    """
    assert [c for c, _ in findings(source.replace("LAYER", layer))] == expected


def test_a_mode_set_on_each_arm_of_a_test_is_chosen_by_the_callers_flag() -> None:
    """`if optimizer is not None: model.train() else: model.eval()` at the top of a shared step,
    called with the optimizer for training and with None for validation: the validation call runs
    in eval mode (no LC006). Without the else arm, it runs in the mode training left."""
    source = """
    def step(loader, model, loss_func, optimizer=None):
        if optimizer is not None:
            model.train()
        ELSE
        total = 0
        for x, y in loader:
            loss = loss_func(model(x), y)
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item()
        return total

    model = Dropping()
    loss_func = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters())
    for epoch in range(10):
        step(train_loader, model, loss_func, optimizer)
        with torch.inference_mode():
            print(step(val_loader, model, loss_func, None))
    """
    assert findings(source.replace("ELSE", "else:\n            model.eval()")) == []
    assert [c for c, _ in findings(source.replace("ELSE", "pass"))] == ["LC006"]



def test_a_step_under_a_flag_computed_from_the_cadence_accumulates_on_purpose() -> None:
    """`should_step = iteration % accum == 0`, handed to the helper that steps `if should_step:`,
    and the reset under `iteration % accum == 1`: gradients accumulate over a window on purpose
    (no LC001). A flag that is no cadence leaves steps without a reset since the last one."""
    source = """
    def backprop(loss, optimizer, should_step=True):
        loss.backward()
        if should_step:
            optimizer.step()

    model = Dropping()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for iteration, (x, y) in enumerate(train_loader, 1):
        should_step = FLAG
        if iteration % accum == 1:
            optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y) / accum
        backprop(loss, optimizer, should_step=should_step)
    """
    assert findings(source.replace("FLAG", "iteration % accum == 0")) == []
    assert [c for c, _ in findings(source.replace("FLAG", "iteration > warmup"))] == ["LC001"]



def test_a_layer_built_through_a_local_name_for_its_class_has_parameters() -> None:
    """`conv2d = MaskedConv2d if mask else nn.Conv2d`, then `self.conv1 = conv2d(3, 64, 9)`: the
    model builds layers with parameters, so its test pass with grad on records a graph (LC007);
    a model that only pools does not."""
    source = """
    class SR(nn.Module):
        def __init__(self, mask=True):
            super().__init__()
            BUILD
            self.act = nn.ReLU()

        def forward(self, x):
            return self.act(self.conv1(x))

    srcnn = SR(mask=True)
    optimizer = torch.optim.Adam(srcnn.parameters())

    def test():
        total = 0
        for x, y in test_loader:
            total += criterion(srcnn(x), y).item()
        return total

    for epoch in range(10):
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(srcnn(x), y).backward()
            optimizer.step()
        print(test())
    """
    built = "conv2d = MaskedConv2d if mask else nn.Conv2d\n            self.conv1 = conv2d(3, 64, 9)"
    assert [c for c, _ in findings(source.replace("BUILD", built))] == ["LC007"]
    assert findings(source.replace("BUILD", "self.conv1 = nn.AvgPool2d(3)")) == []


def test_a_forward_after_the_epoch_loop_of_a_function_training_through_a_helper_evaluates() -> None:
    """`for epoch in range(n): loss = train_model(model, ...)` and then, once the loop is over,
    `with torch.no_grad(): recon = model(test_img)` shown with `imshow`: the trained model is
    evaluated in training mode (LC006). The same forward before the loop checks the code."""
    source = """
    def train_model(model, loader, optimizer):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
        return loss.item()

    def main():
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        BEFORE
        for epoch in range(10):
            print(train_model(model, train_loader, optimizer))
        AFTER

    if __name__ == "__main__":
        main()
    """
    shown = "with torch.no_grad():\n            recon = model(test_img)\n        plt.imshow(recon.numpy())"
    assert [c for c, _ in findings(source.replace("BEFORE", "pass").replace("AFTER", shown))] == ["LC006"]
    assert findings(source.replace("BEFORE", shown).replace("AFTER", "pass")) == []


def test_a_volatile_variable_a_caller_passes_records_no_graph_before_pytorch_0_4() -> None:
    """Pre-0.4 code: `batch = Variable(test_x.data, volatile=True)` in the caller, then
    `decode(model, batch, 5)` runs `model(src)` in a loop of its own: a volatile input recorded no
    graph then (no LC007).
    A plain Variable did."""
    source = """
    def decode(model, src, steps):
        model.eval()
        found = []
        for i in range(steps):
            found.append(model(src).max(1)[1].data.cpu().numpy())
        return found

    model = Dropping()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(10):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(Variable(x)), Variable(y))
            loss.backward()
            optimizer.step()
            print(loss.data[0])
        batch = Variable(test_x.data, VOLATILE)
        print(decode(model, batch, 5))
    """
    assert findings(source.replace("VOLATILE", "volatile=True")) == []
    assert [c for c, _ in findings(source.replace("VOLATILE", "requires_grad=False"))] == ["LC007"]


def test_a_library_model_built_in_a_constructor_only_to_copy_its_weights_is_no_part() -> None:
    """`mod = models.vgg16(pretrained=True)` in `__init__`, read only for `mod.state_dict()` whose
    values are copied into the class's own convolutions: the VGG (and its dropout) is no part of
    the module, so its test pass needs no eval() (LC006 silent). Kept as `self.mod` it is a part."""
    source = """
    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.frontend = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
            self.output = nn.Conv2d(8, 1, 1)
            KEEP = models.vgg16(pretrained=True)
            weights = collections.OrderedDict()
            for key, value in zip(self.frontend.state_dict(), KEEP.state_dict().values()):
                weights[key] = value
            self.frontend.load_state_dict(weights, strict=False)

        def forward(self, x):
            return self.output(self.frontend(x))

    if __name__ == "__main__":
        model = Counter()
        model.load_state_dict(torch.load("counter.pt"))
        with torch.no_grad():
            for img, count in test_loader:
                print(abs(model(img).sum().item() - count.item()))
    """
    source = "from torchvision import models\n" + textwrap.dedent(source)
    assert findings(source.replace("KEEP", "mod")) == []
    assert [c for c, _ in findings(source.replace("KEEP", "self.mod"))] == ["LC006"]


def test_forwards_of_a_training_step_that_warms_up_or_computes_targets_are_no_evaluation() -> None:
    """An agent's update called every few steps: `q = self.net(s)` whose loss is backwarded only
    once the buffer holds enough samples (`if self.count > self.start:`), and `a_ =
    self.target(s_)` detached into the TD target of that loss: both forwards compute the training
    step's loss (no LC007). A forward whose output only a print reads evaluates."""
    source = """
    class Agent:
        def __init__(self):
            self.net = Tiny()
            self.target = Tiny()
            self.optimizer = torch.optim.Adam(self.net.parameters())
            self.count = 0
            self.start = 1000

        def update(self, s, a, r, s_):
            q = self.net(s).gather(1, a)
            a_ = self.target(s_)
            q_target = r + 0.99 * a_.detach().max(1)[0]
            loss = ((q - q_target) ** 2).mean()
            if self.count > self.start:
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
            EXTRA
            return float(loss)

    agent = Agent()
    for step in range(100000):
        agent.count += 1
        if step % 4 == 0:
            agent.update(*replay.sample())
    """
    assert findings(source.replace("EXTRA", "pass")) == []
    shown = "print(self.target(s_).argmax(1))"
    assert [c for c, _ in findings(source.replace("EXTRA", shown))] == ["LC007"]


def test_a_factory_returning_a_torch_layer_built_in_the_return_is_read_for_mode_layers() -> None:
    """`def get_net(d): return nn.Linear(d, 1)`: the model is a bare linear layer, which eval()
    does not change (no LC006 on its test pass); returned with a dropout inside, it needs eval()."""
    source = """
    def get_net(d):
        return LAYER

    def fit(net, x, y):
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(10):
            optimizer.zero_grad()
            nn.functional.mse_loss(net(x), y).backward()
            optimizer.step()

    def evaluate(net, x, y):
        with torch.no_grad():
            return nn.functional.mse_loss(net(x), y).item()

    if __name__ == "__main__":
        net = get_net(8)
        fit(net, x_train, y_train)
        print(evaluate(net, x_test, y_test))
    """
    assert findings(source.replace("LAYER", "nn.Linear(d, 1)")) == []
    dropping = "nn.Sequential(nn.Linear(d, 8), nn.Dropout(0.5), nn.Linear(8, 1))"
    assert [c for c, _ in findings(source.replace("LAYER", dropping))] == ["LC006"]


def test_a_counted_loop_forwarding_held_out_data_named_in_the_call_is_a_pass() -> None:
    source = """
        def train(x_all, y_all):
            optimizer = torch.optim.AdamW(net.parameters(), lr=1e-4)
            for epoch in range(500):
                for x, y in torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_all, y_all)):
                    optimizer.zero_grad()
                    nn.functional.mse_loss(net(x), y).backward()
                    optimizer.step()
            return net

        if __name__ == "__main__":
            net = NET()
            net = train(x_train_tensor, y_train_tensor)
            predictions = []
            for i in range(50):
                p = net(INPUT)
                predictions.append(p.detach())
            prediction = torch.mean(torch.stack(predictions), dim=0)
    """
    # the test set named in the forward itself: a prediction pass over held-out data
    assert findings(source.replace("NET", "Tiny").replace("INPUT", "x_test_tensor")) == [("LC007", "p = net(x_test_tensor)")]
    # fifty passes over one input: the same output each time unless dropout samples it, so a
    # model with dropout is left in training mode on purpose (Monte Carlo dropout); grad still
    # needs turning off
    assert findings(source.replace("NET", "Dropping").replace("INPUT", "x_test_tensor")) == [("LC007", "p = net(x_test_tensor)")]
    # one batch of the test set per count: passes over different inputs, where dropout only adds noise
    varied = source.replace("NET", "Dropping").replace("INPUT", "x_test_tensor[i * 64:(i + 1) * 64]")
    assert findings(varied) == [
        ("LC006", "p = net(x_test_tensor[i * 64:(i + 1) * 64])"), ("LC007", "p = net(x_test_tensor[i * 64:(i + 1) * 64])"),
    ]
    # the training data named: no evaluation
    assert findings(source.replace("NET", "Tiny").replace("INPUT", "x_train_tensor")) == []
    # the same input between the updates of a training loop: the model changes from one forward
    # to the next, nothing is sampled on purpose
    between = """
        net = Dropping()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(100):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            with torch.no_grad():
                shown = net(x_test_fixed)
            print(shown.argmax(1))
    """
    assert findings(between) == [("LC006", "shown = net(x_test_fixed)")]


def test_a_forward_through_the_parts_of_a_module_container_carries_a_graph() -> None:
    source = """
        class Stack(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(n)])

            def forward(self, x):
                FORWARD

        net = Stack(3)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(net(x), y).backward()
            optimizer.step()
        outputs = []
        with torch.no_grad():
            for x, y in test_loader:
                outputs.append(net(x))
        losses = []
        for x, y in val_loader:
            loss = nn.functional.mse_loss(net(x), y)
            losses.append(loss)
        print(torch.stack(losses).mean(), torch.cat(outputs).shape)
    """
    looped = "for layer in self.layers:\n                    x = layer(x)\n                return x"
    indexed = "return self.layers[2](self.layers[1](self.layers[0](x)))"
    for forward in (looped, indexed):
        found = findings(source.replace("FORWARD", forward))
        # the validation losses keep the graphs of the parts' weights; the outputs kept under
        # no_grad carry none
        assert ("LC009", "losses.append(loss)") in found, forward
        assert not any(line == "outputs.append(net(x))" for _, line in found)


def test_a_network_whose_constructor_freezes_its_parameters_records_no_graph() -> None:
    source = """
        class Features(nn.Module):
            def __init__(self, dims, requires_grad=False):
                super().__init__()
                self.fc = nn.Linear(4, dims)
                for param in self.parameters():
                    param.requires_grad = requires_grad

            def forward(self, x):
                return self.fc(x)

        def activations(images, model):
            model.eval()
            found = []
            for batch in images:
                pred = model(batch)
                found.append(pred.cpu().numpy())
            return found

        def fid(test_images, fake_images):
            model = Features(2048ARGS)
            model.load_state_dict(torch.load("features.pt"))
            return distance(activations(test_images, model), activations(fake_images, model))

        if __name__ == "__main__":
            print(fid(load("test"), load("fake")))
    """
    # its __init__ freezes every parameter by default: the forward records no graph to spare
    assert findings(source.replace("ARGS", "")) == []
    assert findings(source.replace("ARGS", ", requires_grad=False")) == []
    # asked to keep them trainable, it records one
    assert findings(source.replace("ARGS", ", requires_grad=True")) == [("LC007", "pred = model(batch)")]
    assert findings(source.replace("ARGS", ", True")) == [("LC007", "pred = model(batch)")]


def test_a_forward_whose_output_is_only_measured_where_it_is_made_checks_the_code() -> None:
    source = """
        def test():
            model = Dropping()
            model.load_state_dict(torch.load("weights.pt"))
            x = torch.randn(2, 4)
            SHOWN

        if __name__ == "__main__":
            test()
    """
    # the output's shape (or the output itself) printed on the spot: the code is checked
    assert findings(source.replace("SHOWN", "print(model(x).shape)")) == []
    assert findings(source.replace("SHOWN", "print(model(x).size(), len(model(x)))")) == []
    # a metric of the output printed: the model is evaluated
    scored = source.replace("SHOWN", "print((model(x).argmax(1) == labels).float().mean())")
    assert findings(scored) == [("LC006", "print((model(x).argmax(1) == labels).float().mean())"), ("LC007", "print((model(x).argmax(1) == labels).float().mean())")]


def test_a_helper_that_puts_back_the_mode_it_found_leaves_training_in_train_mode() -> None:
    source = """
        def estimate_loss(model, batches):
            was_training = model.training
            model.eval()
            total = 0.0
            with torch.no_grad():
                for x, y in batches:
                    total += nn.functional.cross_entropy(model(x), y).item()
            RESTORE
            return total

        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model.train()
        for step in range(1000):
            if step % 100 == 0:
                print(estimate_loss(model, val_batches))
            x, y = next(train_batches)
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    """
    # the mode saved before eval() is put back: training goes on in train mode
    assert findings(source.replace("RESTORE", "if was_training:\n                model.train()")) == []
    assert findings(source.replace("RESTORE", "if model.training:\n                model.train()")) == []
    assert findings(source.replace("RESTORE", "model.train(was_training)")) == []
    # nothing put back: every step after the first evaluation trains in eval mode
    assert findings(source.replace("RESTORE", "pass")) == [("LC008", "print(estimate_loss(model, val_batches))")]


def test_an_eval_left_behind_reaches_the_models_own_step_past_another_models_step() -> None:
    source = """
        class Generator(nn.Module):
            def __init__(self):
                super().__init__()
                self.decoder = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))

            def forward(self, z):
                return self.decoder(z)

            def generate(self, z):
                self.eval()
                return self.decoder(z)

        G = Generator()
        D = Tiny()
        d_optim = torch.optim.Adam(D.parameters())
        g_optim = torch.optim.Adam(G.decoder.parameters())
        for epoch in range(10):
            for i, x in enumerate(loader):
                d_optim.zero_grad()
                D(G(noise()).detach()).mean().backward()
                d_optim.step()
                g_optim.zero_grad()
                D(G(noise())).mean().backward()
                g_optim.step()
                if i % 100 == 0:
                    with torch.no_grad():
                        samples = G.generate(fixed_noise)
                    SHOW
    """
    # the samples switch G to eval mode; the discriminator's step trains D only, the next step of
    # the generator's own optimizer trains G in eval mode
    assert findings(source.replace("SHOW", "save_image(samples)")) == [("LC008", "samples = G.generate(fixed_noise)")]
    assert findings(source.replace("SHOW", "G.train()")) == []


def test_a_sub_command_argparse_dispatches_is_entered_by_the_script() -> None:
    source = """
        import argparse

        def train(args):
            G = Tiny()
            optimizer = torch.optim.Adam(G.parameters())
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.mse_loss(G(x), y).backward()
                optimizer.step()
            torch.save(G.state_dict(), args.model)

        def generate(args):
            G = Tiny()
            G.load_state_dict(torch.load(args.model))
            G.eval()
            samples = G(torch.randn(args.n, 4))
            save(samples)

        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        parser_train = subparsers.add_parser("train")
        parser_train.set_defaults(func=train)
        parser_gen = subparsers.add_parser("generate")
        REGISTER
        args = parser.parse_args()
        args.func(args)
    """
    # `args.func` holds the function set for the chosen sub-command: `generate` runs from the
    # script's top level, with grad on
    assert findings(source.replace("REGISTER", "parser_gen.set_defaults(func=generate)")) == [
        ("LC007", "samples = G(torch.randn(args.n, 4))")
    ]
    # registered under another keyword than the one called: nothing says it runs here
    assert findings(source.replace("REGISTER", "parser_gen.set_defaults(handler=generate)")) == []


def test_a_method_called_on_a_script_name_runs_the_class_of_the_assignment_in_force() -> None:
    source = """
        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)

            def encode(self, x):
                return self.fc(x).chunk(2, dim=-1)

        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

        model = Encoder()
        optimizer = torch.optim.Adam(model.parameters())
        for x, y in train_loader:
            optimizer.zero_grad()
            model(x).pow(2).mean().backward()
            optimizer.step()

        codes = []
        for x, y in test_loader:
            mu, _ = model.encode(x)
            codes.append(mu.detach().numpy())
    """
    # `model` is the Encoder where `encode` is called: its method runs the trained model
    assert findings(source) == [("LC007", "mu, _ = model.encode(x)")]


def test_a_snapshot_kept_on_improvement_is_no_checkpoint_when_the_resume_reads_another_file() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
        start_epoch, best_acc = 0, 0.0
        if args.resume:
            checkpoint = torch.load(args.out + "/RESUMED")
            start_epoch = checkpoint["epoch"] + 1
            model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
        for epoch in range(start_epoch, 100):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            scheduler.step()
            acc = accuracy(model, val_loader)
            if acc > best_acc:
                best_acc = acc
                torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()},
                           args.out + "/best_acc_model.pth")
        best = torch.load(args.out + "/best_acc_model.pth")
        model.load_state_dict(best["model"])
        print(accuracy(model, test_loader))
    """
    # the resume reads `checkpoint.pth`, which this run does not write: the best snapshot, loaded
    # only to test, is an export
    assert [code for code, _ in findings(source.replace("RESUMED", "checkpoint.pth"))] == []
    # resumed from the snapshot itself: its schedule restarts from scratch
    assert [code for code, _ in findings(source.replace("RESUMED", "best_acc_model.pth"))] == ["LC012"]


def test_the_resume_file_is_known_through_a_path_bound_alike_in_each_function_and_a_get() -> None:
    """The resume reads the position with `.get("epoch", 0)` out of a file whose path each function
    binds to the same spelled-out name: it goes on from that file, not from the best snapshot
    (which a loader only shows the epoch of, in an f-string)."""
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)

        def train(resume=True):
            start_epoch, best = 0, 0.0
            last_path = os.path.join(args.out, "LAST")
            if resume and os.path.exists(last_path):
                ckpt = torch.load(last_path)
                model.load_state_dict(ckpt["model"])
                optimizer.load_state_dict(ckpt["optimizer"])
                scheduler.load_state_dict(ckpt["scheduler"])
                start_epoch = ckpt.get("epoch", 0) + 1
            for epoch in range(start_epoch, 100):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                scheduler.step()
                acc = accuracy(model, val_loader)
                if acc > best:
                    best = acc
                    torch.save({"model": model.state_dict(), "epoch": epoch}, os.path.join(args.out, "best.pth"))
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "scheduler": scheduler.state_dict(), "epoch": epoch}, last_path)

        def history():
            last_path = os.path.join(args.out, "LAST")
            return torch.load(last_path)["history"]

        def load_best():
            state = torch.load(os.path.join(args.out, "best.pth"))
            model.load_state_dict(state["model"])
            print(f"loaded epoch={state.get('epoch')}")
    """
    assert findings(source.replace("LAST", "last.pth")) == []
    # resumed from the best snapshot itself: its optimizer and schedule restart from scratch
    assert [code for code, _ in findings(source.replace("LAST", "best.pth"))] == ["LC012"]


def test_a_step_count_made_of_the_epoch_and_the_loader_is_no_position_read_back() -> None:
    source = """
        netG = Tiny()
        if opt.netG != "":
            netG.load_state_dict(torch.load(opt.netG))
        optimizerG = torch.optim.Adam(netG.parameters())
        START
        for epoch in range(start, opt.epochs):
            for i, (x, y) in enumerate(dataloader):
                niter = epoch * len(dataloader) + i
                optimizerG.zero_grad()
                nn.functional.mse_loss(netG(x), y).backward()
                optimizerG.step()
                writer.add_scalar("step", i, niter)
            if epoch % opt.checkpoint_every == 0:
                torch.save(netG.state_dict(), "%s/netG_epoch_%d.pth" % (opt.outf, epoch))
    """
    # the batches counted from the epoch (`len(dataloader)`): nothing is read back, training starts
    # again at epoch 0 from loaded weights: a warm start, no resume
    assert findings(source.replace("START", "start = 0")) == []
    # the epoch read back out of the loaded file's name: a resume, with Adam started afresh
    resumed = findings(source.replace("START", 'start = int(opt.netG.split("_")[-1].split(".")[0])'))
    assert [code for code, _ in resumed] == ["LC012"]


def test_weights_loaded_into_a_model_built_anew_before_training_are_no_resume() -> None:
    source = """
        model = Tiny()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(50):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            if epoch + 1 in (10, 20, 50):
                torch.save(model.state_dict(), f"ckpts/model_{epoch + 1}_epochs.pt")

        for epoch in (10, 20, 50):
            model.load_state_dict(torch.load(f"ckpts/model_{epoch}_epochs.pt"))
            show(model, sample)

        REBUILD
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(start, 50):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
    """
    # the second experiment trains a model built afresh: the loads only showed the snapshots
    assert findings(source.replace("REBUILD", "model = Tiny().to(device)\n        start = int(args.start)")) == []
    # it goes on training the model last loaded, from a position read back: a resume without Adam's state
    resumed = findings(source.replace("REBUILD", "model = model.to(device)\n        start = int(args.start)"))
    assert [code for code, _ in resumed] == ["LC012"]


def test_a_part_reset_by_its_own_zero_grad_is_what_the_optimizer_over_its_parameters_steps() -> None:
    source = """
        class GAN(nn.Module):
            def __init__(self):
                super().__init__()
                self.generator = Tiny()
                self.discriminator = Tiny()

        model = GAN()
        d_optimizer = torch.optim.Adam(model.discriminator.parameters())
        g_optimizer = torch.optim.Adam(model.generator.parameters())
        for x, y in loader:
            RESET_D
            model.discriminator(x).mean().backward()
            d_optimizer.step()
            model.generator.zero_grad()
            model.discriminator(model.generator(x)).mean().backward()
            g_optimizer.step()
    """
    # each part's own zero_grad() clears what the optimizer built over its parameters steps
    assert findings(source.replace("RESET_D", "model.discriminator.zero_grad()")) == []
    # the generator's reset does not clear the discriminator's gradients
    assert [code for code, _ in findings(source.replace("RESET_D", "model.generator.zero_grad()"))] == ["LC001"]


# code that cannot run: a NameError ends it first ----------------------------------------------


MISSPELT = """
    def evaluate(net, loader):
        net.eval()
        for x, y in loader:
            print(net(x).argmax(1).eq(y).sum().item())

    model = BUILT()
    model.load_state_dict(torch.load("model.pt"))
    for x, y in test_loader:
        print(model(x).argmax(1).eq(y).sum().item())
    evaluate(model, test_loader)
"""


def test_a_misspelt_name_ends_the_run_of_the_code_after_it() -> None:
    """`model = Droping()` beside `class Dropping`: a NameError, so neither the pass that follows
    nor the helper that only this code calls ever runs; a name defined nowhere at all is a free
    input of a fragment (its `test_loader`) and says nothing."""
    found = findings(MISSPELT.replace("BUILT", "Dropping"))
    assert [code for code, _ in found] == ["LC007", "LC006", "LC007"]
    assert findings(MISSPELT.replace("BUILT", "Droping")) == []
    # the plural of a defined name is another name, not a misspelling of it
    from loopcheck.model.names import misspelling

    assert misspelling("NFNe", frozenset({"NFNet"})) and misspelling("optimzer", frozenset({"optimizer"}))
    assert not misspelling("models", frozenset({"model"})) and not misspelling("net", frozenset({"nets"}))


NESTED_BY_MISTAKE = """
    def validate(net, loader):
        net.eval()
        correct = 0
        for x, y in loader:
            correct += net(x).argmax(1).eq(y).sum().item()
        return correct

    def report(net, loader):
        print(validate(net, loader))

    class Trainer:
        def __init__(self, net):
            self.net = net
            self.optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

    INDENTdef train(self, loader):
    INDENT    for x, y in loader:
    INDENT        self.optimizer.zero_grad()
    INDENT        nn.functional.cross_entropy(self.net(x), y).backward()
    INDENT        self.optimizer.step()
    INDENT    report(self.net, loader)

    Trainer(Dropping()).train(train_loader)
"""


def test_a_function_nested_by_mistake_and_what_only_it_calls_never_run() -> None:
    """`def train(self):` indented into `__init__`: nothing names it there, so it never runs, and
    neither do the functions that only it calls (`report`, then `validate`), however deep."""
    method = NESTED_BY_MISTAKE.replace("INDENT", "    ")
    assert findings(method) == [("LC007", "correct += net(x).argmax(1).eq(y).sum().item()")]
    assert findings(NESTED_BY_MISTAKE.replace("INDENT", "        ")) == []


UNCALLED_METHOD = """
    class Trainer:
        def __init__(self, net):
            self.net = net
            self.optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

        def evaluate(self):
            self.net.eval()
            correct = 0
            for x, y in val_loader:
                correct += self.net(x).argmax(1).eq(y).sum().item()
            self.net.train()
            return correct

        def train(self):
            for x, y in train_loader:
                self.optimizer.zero_grad()
                nn.functional.cross_entropy(self.net(x), y).backward()
                self.optimizer.step()
            with torch.no_grad():
                print(self.evaluate())

    class API:
        def __init__(self, mode):
            self.mode = mode
            self.trainer = Trainer(Dropping())

        def train(self):
            self.trainer.train()

        def evaluate(self):
            self.trainer.evaluate()

        def exec(self):
            if self.mode == "train":
                self.train()
            else:
                OTHER

    if __name__ == "__main__":
        API(args.mode).exec()
"""


def test_a_method_of_a_scripts_class_that_nothing_calls_never_runs() -> None:
    """`API.evaluate` beside an `exec()` that dispatches to `train()` only: no call of the script
    runs it, so the trainer's evaluation runs only under the `no_grad` of `Trainer.train`."""
    assert findings(UNCALLED_METHOD.replace("OTHER", "print(self.mode)")) == []
    found = findings(UNCALLED_METHOD.replace("OTHER", "self.evaluate()"))
    assert found == [("LC007", "correct += self.net(x).argmax(1).eq(y).sum().item()")]


def test_a_factory_returning_its_model_switched_to_eval_mode_hands_back_an_eval_model() -> None:
    """`return generator.eval()`: `eval()` hands back the module itself, switched; what the
    factory's callers get is in eval mode."""
    source = """
        def get_generator(path):
            generator = Dropping()
            generator.load_state_dict(torch.load(path))
            return RETURNED

        generator = get_generator("g.pt")
        outputs = []
        with torch.no_grad():
            for x in test_loader:
                outputs.append(generator(x))
        print(torch.cat(outputs).mean().item())
    """
    assert findings(source.replace("RETURNED", "generator.eval()")) == []
    assert findings(source.replace("RETURNED", "generator.to(device).eval()")) == []
    assert findings(source.replace("RETURNED", "generator.to(device)")) == [("LC006", "outputs.append(generator(x))")]


def test_an_action_bound_anew_before_it_is_used_reports_nothing_of_the_first_forward() -> None:
    """`action = torch.argmax(net(state))` on the first step, then `action = torch.argmax(...)`
    bound anew from the exploration policy: what follows reads the new action, nothing of the
    first forward's output is reported (RL action selection inside the training loop)."""
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for step in range(100):
            state = env.state()
            if step == 0:
                action = torch.argmax(net(state)) + 1
            NEXT
            reward = env.step(action)
            print(action, reward)
            buffer.append((state, action, reward))
            if len(buffer) > 10:
                s, a, r = buffer.sample()
                optimizer.zero_grad()
                nn.functional.mse_loss(net(s).gather(1, a), r).backward()
                optimizer.step()
    """
    assert findings(source.replace("NEXT", "action = torch.argmax(policy.explore(step, state)) + 1")) == []
    # read by `env.step(action)` it is the agent acting while it trains: no pass either (the
    # survey's ruling on RL action selection)
    assert findings(source.replace("NEXT", "pass")) == []


def test_an_optimizer_a_factory_returns_is_built_over_what_the_factory_builds_it_over() -> None:
    """`controller, ctrl_optimizer = create_ctrler()`: the optimizer the factory builds over its own
    controller steps the controller, so the controller's training under `gen_net.eval()` (a frozen
    reward model there) trains nothing of the generator (LC008 silent); the generator's own
    training puts it back in training mode first."""
    source = """
        def create_ctrler(args):
            controller = getattr(models, args.controller)(args).cuda()
            ctrl_optimizer = torch.optim.Adam(controller.parameters())
            return controller, ctrl_optimizer

        def train_shared(gen_net, gen_optimizer):
            gen_net.train()
            for x, y in train_loader:
                gen_optimizer.zero_grad()
                nn.functional.cross_entropy(gen_net(x), y).backward()
                gen_optimizer.step()

        def train_controller(controller, ctrl_optimizer, gen_net):
            controller.train()
            gen_net.eval()
            for step in range(10):
                x = torch.randn(8, 4)
                reward = gen_net(x).mean().item()
                loss = -controller(x).sum() * reward
                ctrl_optimizer.zero_grad()
                loss.backward()
                ctrl_optimizer.step()

        gen_net = Dropping()
        gen_optimizer = torch.optim.Adam(gen_net.parameters())
        controller, ctrl_optimizer = create_ctrler(args)
        for search_iter in range(5):
            train_shared(gen_net, gen_optimizer)
            train_controller(controller, ctrl_optimizer, gen_net)
    """
    assert [code for code, _ in findings(source)] == []
    from libcst import parse_module

    from loopcheck.model import LoopModel

    model = LoopModel(parse_module(NETS + textwrap.dedent(source)), path="search.py")
    ctrl_optimizer = model.flow.subject("ctrl_optimizer", model.ir.top)
    assert model.optimized_models(ctrl_optimizer) == {"controller"}


def test_a_factory_handing_back_its_model_beside_its_optimizer_steps_that_model() -> None:
    """`model, loss_fn, optimizer = get_model()` with `return model, loss_fn, optimizer`: the
    optimizer the factory built over its model steps the model the caller holds, so an `eval()` of
    it in the epoch loop that no `train()` undoes reaches its next training (LC008)."""
    source = """
        def get_model():
            model = Dropping()
            loss_fn = nn.CrossEntropyLoss()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            return model, loss_fn, optimizer

        def train_batch(x, y, model, opt, loss_fn):
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad()
            return loss.item()

        def accuracy(x, y, model):
            model.eval()
            with torch.no_grad():
                return (model(x).argmax(1) == y).float().mean().item()

        model, loss_fn, optimizer = get_model()
        for epoch in range(5):
            RESTORE
            for x, y in train_loader:
                train_batch(x, y, model, optimizer, loss_fn)
            for x, y in val_loader:
                print(accuracy(x, y, model))
    """
    assert [code for code, _ in findings(source.replace("RESTORE", "pass"))] == ["LC008"]
    assert findings(source.replace("RESTORE", "model.train()")) == []


def test_a_prediction_for_an_example_typed_into_the_code_is_no_evaluation_pass() -> None:
    """After training, `model(torch.tensor([[4.0]]))` (or a name bound only to such a tensor) shows
    what the model says for a hand-made example: it runs the model on no data, so it is no
    evaluation pass; the same forward on held-out data is one."""
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        INPUT
        hour_var = net(example)
        print(f"prediction: {hour_var.argmax(1).item()}")
    """
    assert findings(source.replace("INPUT", "example = torch.tensor([[1.0, 2.0, 3.0, 4.0]])")) == []
    assert findings(source.replace("INPUT", "example = Variable(torch.Tensor([[1.0, -2.0, 3.0, 4.0]]))")) == []
    assert findings(source.replace("INPUT", "example = x_test")) == [("LC007", "hour_var = net(example)")]
    # a number bound to a name first is typed in too; one read from the command line is data
    typed = "para = 20.0\n        example = torch.tensor([[para, para, para, para]])"
    assert findings(source.replace("INPUT", typed)) == []
    read = "para = float(args.hours)\n        example = torch.tensor([[para, para, para, para]])"
    assert findings(source.replace("INPUT", read)) == [("LC007", "hour_var = net(example)")]


def test_a_sampling_helper_run_on_loaded_weights_is_an_evaluation_pass() -> None:
    source = """
        def sample(model, steps):
            x = torch.randn(1, 4)
            for t in reversed(range(steps)):
                noise = model(x, torch.tensor([t]))
                x = x - 0.1 * noise
            return x

        class Denoiser(Tiny):
            def forward(self, x, t):
                return super().forward(x)

        def infer(path):
            model = Denoiser()
            LOAD
            model.eval()
            return sample(model, 1000)

        infer("weights.pt")
    """
    # the weights of a trained model brought back and sampled: the graph of 1000 steps is not wanted
    assert [c for c, _ in findings(source.replace("LOAD", 'model.load_state_dict(torch.load(path))'))] == ["LC007"]
    # a fresh model run for nothing in particular: nothing says it is evaluated
    assert findings(source.replace("LOAD", "pass")) == []


def test_module_apply_hands_back_the_module_it_is_called_on() -> None:
    source = """
        def init_weights(m):
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.02)

        class Trainer:
            def __init__(self, generator):
                self.generator = generator.apply(init_weights)
                self.optimizer = torch.optim.Adam(generator.parameters())

            def train(self, loader, epochs):
                for epoch in range(epochs):
                    for i, (z, y) in enumerate(loader):
                        self.optimizer.zero_grad()
                        loss = nn.functional.mse_loss(self.generator(z), y)
                        loss.backward()
                        self.optimizer.step()
                        if i % 100 == 0:
                            self.sample(z)

            def sample(self, z):
                with torch.no_grad():
                    self.generator.eval()
                    return self.generator(z)

        Trainer(Dropping()).train(loader, 10)
    """
    # the optimizer is built over the module that `apply` returned: the same object, left in eval mode
    assert [c for c, _ in findings(source)] == ["LC008"]
    # restored after sampling, nothing to report
    assert findings(source.replace("return self.generator(z)", "out = self.generator(z)\n" + " " * 20 + "self.generator.train()")) == []


def test_games_played_after_the_loop_that_trains_through_a_function_are_a_test() -> None:
    source = """
        policy = Tiny()
        optimizer = torch.optim.Adam(policy.parameters())

        def update(states, returns):
            for _ in range(4):
                loss = ((policy(states) - returns) ** 2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

        frame = 0
        while frame < max_frames:
            state, states, returns = env.reset(), [], []
            for _ in range(200):
                action = torch.distributions.Categorical(logits=policy(torch.as_tensor(state))).sample().item()
                state, reward, done, _ = env.step(action)
                states.append(torch.as_tensor(state))
                returns.append(reward)
                frame += 1
            UPDATE

        for episode in range(10):
            state, done = env.reset(), False
            while not done:
                action = torch.distributions.Categorical(logits=policy(torch.as_tensor(state))).sample().item()
                state, reward, done, _ = env.step(action)
    """
    # the games after the loop that trained the policy test it, with grad enabled
    found = findings(source.replace("UPDATE", "update(torch.stack(states), torch.tensor(returns))"))
    assert found == [("LC007", "action = torch.distributions.Categorical(logits=policy(torch.as_tensor(state))).sample().item()")]
    # with no training before them, nothing says they test a trained policy
    assert findings(source.replace("UPDATE", "pass")) == []


def test_games_after_a_training_function_that_trains_through_its_argument_are_a_test() -> None:
    source = """
        class Agent:
            def __init__(self):
                self.policy = Tiny()
                self.optimizer = torch.optim.Adam(self.policy.parameters())
                self.memory = []

            def act(self, state):
                return self.policy(torch.as_tensor(state)).detach().numpy()

            def update(self):
                loss = self.policy(torch.stack(self.memory)).pow(2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

        def train(env, agent, epochs=100, SHOW):
            for epoch in range(epochs):
                state, done = env.reset(), False
                while not done:
                    state, reward, done, _ = env.step(agent.act(state))
                    agent.memory.append(torch.as_tensor(state))
                agent.update()
                CALL

        def run(agent, env, episodes=10):
            for episode in range(episodes):
                state, done = env.reset(), False
                while not done:
                    state, reward, done, _ = env.step(agent.act(state))

        agent = Agent()
        train(env, agent, epochs=300, ARG)
        run(agent, env, episodes=3)
    """
    expected = [("LC007", "return self.policy(torch.as_tensor(state)).detach().numpy()")]
    # `train` trains through `agent.update()`, whose class is known where `train` is called: the
    # games played after it test the agent
    assert findings(source.replace("SHOW", "show=False").replace("CALL", "pass").replace("ARG", "show=False")) == expected
    # a parameter named `run` hides the function `run`: `if run: run(...)` calls what it is given
    shown = source.replace("SHOW", "run=False").replace("CALL", "if run:\n" + " " * 20 + "run(agent, env)")
    assert findings(shown.replace("ARG", "run=False")) == expected


def test_an_ultralytics_detector_predicts_in_eval_mode_without_grad_itself() -> None:
    source = """
        from ultralytics import YOLO

        class Wrapper:
            def __init__(self, weights):
                self.model = MAKE

            def predict(self, image, threshold=0.25):
                results = self.model(image, conf=threshold)
                return [r.boxes.xyxy.cpu().numpy() for r in results]

            def predict_all(self, images):
                return [self.predict(image) for image in images]

            def train(self, data, epochs=10):
                self.model.train(data=data, epochs=epochs)

        wrapper = Wrapper("best.pt")
        wrapper.train("data.yaml")
        boxes = wrapper.predict_all(images)
    """
    # the library's predictor switches the network to eval mode and disables grad around it
    assert findings(source.replace("MAKE", 'YOLO("yolov8n.pt")')) == []
    assert findings(source.replace("MAKE", 'torch.hub.load("ultralytics/yolov5", "yolov5s", pretrained=True)')) == []
    # a detector of another library, trained and called the same way, is a pass of ours
    own = findings(source.replace("MAKE", "Detector(weights)").replace("from ultralytics import YOLO", "from detectors import Detector"))
    assert [code for code, _ in own] == ["LC006", "LC007"]


def test_a_grad_switch_chosen_by_the_phase_is_known_per_call() -> None:
    source = """
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())

        def run(loader, phase="train"):
            model.train() if phase == "train" else model.eval()
            SWITCH
            total = 0.0
            for x, y in loader:
                loss = nn.functional.cross_entropy(model(x), y)
                if phase == "train":
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                total += loss.item()
            return total

        for epoch in range(10):
            run(train_loader, phase="train")
            run(val_loader, phase="valid")
    """
    # the validation call runs with grad off: `set_grad_enabled(False)` is the arm its phase takes
    switch = 'torch.set_grad_enabled(True) if phase == "train" else torch.set_grad_enabled(False)'
    assert findings(source.replace("SWITCH", switch)) == []
    # with no switch, the validation pass records graphs
    assert [code for code, _ in findings(source.replace("SWITCH", "pass"))] == ["LC007"]


def test_a_stage_builds_its_own_schedule_and_the_next_stage_another_optimizer(tmp_path: Path) -> None:
    # `train_stage2()` and `train_stage3()` each build an optimizer under `self.optimizer` and a
    # schedule over it in a local name: a step of the stage-3 optimizer never follows a step of
    # the stage-2 schedule, whatever paths the stages take
    stage = """
            def NAME(self, loader, epochs, lr):
                self.optimizer = torch.optim.Adam(self.net.parameters(), lr)
                schedule = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, epochs)
                for epoch in range(epochs):
                    for x, y in loader:
                        self.optimizer.zero_grad()
                        nn.functional.mse_loss(self.net(x), y).backward()
                        self.optimizer.step()
                    schedule.step()
    """
    source = NETS + textwrap.dedent("""
        class Solver:
            def __init__(self, net):
                self.net = net
                self.optimizer = None
        STAGES
        def main():
            solver = Solver(Tiny())
            for fold in range(5):
                solver.train_stage2(fine_loader, 10, 1e-4)
                solver.train_stage3(fine_loader, 10, 1e-5)
    """).replace("STAGES", textwrap.indent(textwrap.dedent(stage.replace("NAME", "train_stage2") + stage.replace("NAME", "train_stage3")), "    "))
    path = tmp_path / "solver.py"
    path.write_text(source, encoding="utf-8")
    model = Projects(tmp_path, boundary=tmp_path).of(str(path)).load(str(path))
    events = [e for program in model.scheduler_programs() for e in events_of(program) if e.kind in (Kind.STEP, Kind.SCHEDULER_STEP)]
    by_stage = {(e.kind, e.context.function.name): e for e in events}
    schedule_two = by_stage[(Kind.SCHEDULER_STEP, "train_stage2")]
    assert _same_call(schedule_two, by_stage[(Kind.STEP, "train_stage2")])
    assert not _same_call(schedule_two, by_stage[(Kind.STEP, "train_stage3")])
    assert lint_paths([str(path)], root=str(tmp_path)).findings == []


def test_a_name_bound_again_after_training_feeds_no_backward_through_that_binding() -> None:
    source = """
        model = Dropping()
        criterion = nn.MSELoss()
        optimizer = torch.optim.Adam(model.parameters())
        outputs = []
        for epoch in range(10):
            for image, _ in train_loader:
                output = model(image)
                loss = criterion(output, image)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            outputs.append((epoch, image, output))

        model.eval()
        with torch.no_grad():
            for images, _ in test_loader:
                outputs = model(images)
                TEST
    """
    # `loss` of the test loop is never backwarded: the training outputs kept per epoch still are
    # kept for nothing
    found = findings(source.replace("TEST", "loss = criterion(outputs, images)"))
    assert found == [("LC009", "outputs.append((epoch, image, output))")]
    # the same with the test loop's loss named otherwise
    assert findings(source.replace("TEST", "test_loss = criterion(outputs, images)")) == found


def test_a_value_computed_with_grad_switched_by_the_phase_is_stored_per_phase() -> None:
    source = """
        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(10):
            train_outputs, val_outputs = [], []
            for phase in ["train", "val"]:
                model.train() if phase == "train" else model.eval()
                for x, y in loaders[phase]:
                    optimizer.zero_grad()
                    with torch.set_grad_enabled(phase == "train"):
                        out = model(x)
                        loss = nn.functional.cross_entropy(out, y)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                        KEEP_TRAIN
                    if phase == "val":
                        val_outputs.append(out)
    """
    # the validation phase runs with grad off: what it keeps has no graph
    assert findings(source.replace("KEEP_TRAIN", "pass")) == []
    # the training phase keeps graphs
    found = findings(source.replace("KEEP_TRAIN", "train_outputs.append(out)"))
    assert found == [("LC009", "train_outputs.append(out)")]


def test_a_critic_switched_to_eval_to_train_the_actor_stays_there_for_its_own_update() -> None:
    source = """
        class Agent:
            def __init__(self):
                self.actor = Dropping()
                self.critic = Dropping()
                self.actor_optimizer = torch.optim.Adam(self.actor.parameters())
                self.critic_optimizer = torch.optim.Adam(self.critic.parameters())

            def update(self, obs, target):
                self.critic_optimizer.zero_grad()
                nn.functional.mse_loss(self.critic(obs), target).backward()
                self.critic_optimizer.step()
                self.critic.eval()
                self.actor_optimizer.zero_grad()
                (-self.critic(self.actor(obs)).mean()).backward()
                self.actor_optimizer.step()
                RESTORE

        agent = Agent()
        for episode in range(1000):
            obs, target = collect(env, agent)
            agent.update(obs, target)
    """
    # the steps after the switch train the actor: the critic's next update runs in eval mode
    assert findings(source.replace("RESTORE", "pass")) == [("LC008", "agent.update(obs, target)")]
    assert findings(source.replace("RESTORE", "self.critic.train()")) == []


def test_a_forward_run_for_what_it_leaves_in_the_model_is_a_pass() -> None:
    source = """
        class Pairing(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout(0.5)

            def forward(self, x, y):
                return self.drop(x) + y

        def attention_of(model, blocks):
            return torch.stack([layer.attn for layer in model.layers])

        def positives(loader, path):
            model = Pairing()
            model.load_state_dict(torch.load(path))
            found = []
            with torch.no_grad():
                for blocks, feats in loader:
                    _ = model(blocks, feats)
                    AFTER
            return found

        positives(loader, "hgt.pt")
    """
    # the attention the forward stored is read from the model: a pass of a loaded model with dropout
    found = findings(source.replace("AFTER", "found.append(attention_of(model, blocks).topk(5)[1])"))
    assert found == [("LC006", "_ = model(blocks, feats)")]
    # a forward whose output nothing reads, and nothing after it reads the model, only checks it runs
    assert findings(source.replace("AFTER", "found.append(blocks)")) == []


def test_an_action_chosen_by_the_network_inside_the_training_loop_is_no_pass() -> None:
    source = """
        q_network = Tiny()
        optimizer = torch.optim.Adam(q_network.parameters())
        obs = env.reset()
        for global_step in range(100000):
            if random.random() < epsilon:
                action = env.action_space.sample()
            else:
                logits = q_network(torch.as_tensor(obs))
                action = torch.argmax(logits, dim=1).tolist()[0]
            next_obs, reward, done, _ = env.step(ACTION)
            buffer.put((obs, action, reward, next_obs, done))
            if global_step % 4 == 0:
                s_obs, s_actions, targets = buffer.sample(32)
                old = q_network(s_obs).gather(1, s_actions)
                loss = nn.functional.mse_loss(old, targets)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            obs = next_obs
    """
    # epsilon-greedy acting: the chosen action goes to the environment, no evaluation
    assert findings(source.replace("ACTION", "action")) == []
    # a forward whose predictions are only reported is still looked at as one
    reported = findings(source.replace("ACTION", "env.action_space.sample()").replace(
        "action = torch.argmax(logits, dim=1).tolist()[0]", "print(torch.argmax(logits, dim=1).tolist())"))
    assert [code for code, _ in reported] == ["LC007"]


def test_one_helper_eval_reached_from_two_calls_is_reported_at_each_whatever_the_hash_seed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    source = NETS + textwrap.dedent("""
        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                return sum(nn.functional.cross_entropy(model(x), y).item() for x, y in loader)

        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        model.train()
        for epoch in range(10):
            for step, (x, y) in enumerate(train_loader):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
                if style == "steps" and step % 100 == 0:
                    evaluate(model, val_loader)
            if style == "epochs":
                evaluate(model, val_loader)
    """)
    path = tmp_path / "train.py"
    path.write_text(source, encoding="utf-8")
    # both calls leave the model in eval mode for the training that follows (the rest of the epoch,
    # the next epoch): one finding at each call, on every run (the analysis holds sets, not lists)
    script = "import sys; from loopcheck.engine import lint_paths; print([(f.line, f.code) for f in lint_paths([sys.argv[1]]).findings])"
    calls = [number for number, line in enumerate(source.splitlines(), 1) if line.strip() == "evaluate(model, val_loader)"]
    expected = str([(number, "LC008") for number in calls])
    for seed in ("0", "1", "2", "3", "4", "5"):
        run = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        assert run.stdout.strip() == expected, seed


def test_an_object_passed_is_the_one_bound_last_above_the_call_also_after_a_library_module() -> None:
    # a notebook that first tries `model = nn.Linear(...)`, later binds `model` to a project class
    # whose `validation_step` runs the forward: the object `evaluate(model, ...)` gets is the later one
    source = """
        class Classifier(Tiny):
            def validation_step(self, batch):
                x, y = batch
                return nn.functional.cross_entropy(self(x), y)

        def fit(epochs, model, train_loader, val_loader):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(epochs):
                for x, y in train_loader:
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                    optimizer.zero_grad()
                evaluate(model, val_loader)

        def evaluate(model, val_loader):
            return [model.validation_step(batch) for batch in val_loader]

        model = FIRST
        model = Classifier()
        history = fit(5, model, train_loader, val_loader)
    """
    expected = [("LC007", "return [model.validation_step(batch) for batch in val_loader]")]
    assert findings(source.replace("FIRST", "nn.Linear(4, 2)")) == expected
    assert findings(source.replace("FIRST", "Classifier()")) == expected


def test_samples_drawn_after_the_no_grad_block_beside_them_are_a_pass_of_their_own() -> None:
    source = """
        generator = Dropping()
        optimizer = torch.optim.Adam(generator.parameters())
        for step, batch in enumerate(train_loader):
            optimizer.zero_grad()
            noise, real = batch
            nn.functional.mse_loss(generator(noise), real).backward()
            optimizer.step()
            if (step + 1) % 100 == 0:
                with torch.no_grad():
                    grid = generator(fixed_noise).detach()
                SAMPLES
                save_image(samples, "samples.png")
    """
    # the sample outside the block records a graph: LC007 there; the train mode of both is one finding
    found = findings(source.replace("SAMPLES", "samples = generator(fixed_z)"))
    assert found == [("LC006", "grid = generator(fixed_noise).detach()"), ("LC007", "samples = generator(fixed_z)")]
    # both under no_grad: the block's one LC006 alone
    inside = findings(source.replace("SAMPLES", "with torch.no_grad():\n                    samples = generator(fixed_z)"))
    assert inside == [("LC006", "grid = generator(fixed_noise).detach()")]


def test_a_project_helper_that_makes_a_picture_of_its_argument_shows_samples() -> None:
    # after training, a script's loop runs the model on new inputs and hands its outputs to a
    # helper of its own that shows them: samples of the trained model, looked at
    source = """
        def show(sample):
            sample = sample.cpu().detach()
            plt.imshow(sample.numpy().reshape(28, 28))
            plt.show()

        def log(value):
            print(value.shape)

        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()

        while True:
            image = read_next()
            if image is None:
                break
            out = model(image)
            HELPER(out)
    """
    assert findings(source.replace("HELPER", "show")) == [("LC006", "out = model(image)"), ("LC007", "out = model(image)")]
    assert findings(source.replace("HELPER", "log")) == []


def test_bare_weights_loaded_back_before_epochs_counted_from_the_start_are_a_warm_start() -> None:
    source = RESUMED_TINY + """
            if epoch % 10 == 0:
                torch.save(net.state_dict(), os.path.join(args.checkpoint_dir, "net.pth"))
    """
    # the run goes on from where the loaded weights left it: the optimizer state is missing
    assert [code for code, _ in findings(source.replace("START", "start_epoch"))] == ["LC012"]
    # every run counts its epochs from the start: the weights only start it (no position saved or restored)
    assert findings(source.replace("START", "1")) == []
    assert findings(source.replace("START", "0")) == []



LINEAR_PROBE = """
        model = Dropping()
        model.load_state_dict(torch.load("backbone.pt"))
        if args.weights == "freeze":
            model.requires_grad_(False)
        classifier = nn.Linear(2, 10)
        groups = [dict(params=classifier.parameters())]
        if args.weights == "finetune":
            groups.append(dict(params=model.parameters()))
        optimizer = torch.optim.SGD(groups, 0.1)
        for epoch in range(10):
            if args.weights == "finetune":
                model.train()
            elif args.weights == "freeze":
                FREEZE
            else:
                OTHER
            for x, y in train_loader:
                loss = nn.functional.cross_entropy(classifier(model(x)), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                for x, y in val_loader:
                    print(classifier(model(x)).argmax(1).eq(y).sum().item())
"""
"""A linear probe that fine-tunes its backbone or keeps it frozen, as `args.weights` says."""


def test_an_eval_picked_in_one_arm_where_another_puts_the_model_in_train_mode_is_chosen() -> None:
    # each arm picks the mode training runs in: the freeze arm's eval() is no evaluation left behind,
    # and after the validation's eval() every arm that trains picks its mode again
    source = LINEAR_PROBE.replace("FREEZE", "model.eval()")
    assert findings(source.replace("OTHER", 'raise ValueError(args.weights)')) == []
    # `assert False` raises as `raise` does: no path trains past it
    assert findings(source.replace("OTHER", 'assert False, "unknown mode"')) == []
    # an arm that picks nothing trains in the mode the validation left: reported
    assert [code for code, _ in findings(source.replace("OTHER", "pass"))] == ["LC008"]
    # no arm picking train mode beside it: the freeze arm's eval() is a switch like any other
    unpicked = LINEAR_PROBE.replace("model.train()", "print(epoch)").replace("FREEZE", "model.eval()").replace("OTHER", "raise ValueError")
    assert [code for code, _ in findings(unpicked)] == ["LC008", "LC008"]


def test_a_method_running_a_model_its_constructor_loaded_and_put_in_eval_mode_is_a_pass() -> None:
    """`Detector.__init__` loads the network and puts it in eval mode; `__call__` runs it on an
    image: a predictor, each call an evaluation (grad on here)."""
    source = """
        class Detector:
            def __init__(self):
                self.net = Dropping()
                self.net.load_state_dict(torch.load("net.pt"))
                SWITCH

            def __call__(self, image):
                scores = self.net(image.unsqueeze(0))
                return decode(scores)

        if __name__ == "__main__":
            detect = Detector()
            for path in paths:
                boxes = detect(read(path))
                draw(path, boxes)
    """
    assert findings(source.replace("SWITCH", "self.net.eval()")) == [("LC007", "scores = self.net(image.unsqueeze(0))")]
    # trained elsewhere in train mode: nothing says this method predicts
    assert findings(source.replace("SWITCH", "self.net.train()")) == []


def test_a_part_held_under_its_class_name_is_run_not_built() -> None:
    """`self.GCN = GCN(...)` in the constructor, `return self.GCN(x, a)` in `get_embedding`: the
    attribute holds a built module, so calling it runs it (a model call), unlike `GCN(x, a)`."""
    source = """
        class GCN(Tiny):
            def forward(self, x, a):
                return self.fc(x)

        class DGI(nn.Module):
            def __init__(self):
                super().__init__()
                self.GCN = GCN()
                self.disc = nn.Bilinear(2, 2, 1)

            def forward(self, pos, neg, a):
                return self.disc(self.GCN(pos, a), self.GCN(neg, a))

            def get_embedding(self, x, a):
                return self.GCN(x, a)

        def main():
            model = DGI()
            optimizer = torch.optim.Adam(model.parameters())
            for epoch in range(10):
                optimizer.zero_grad()
                model(features, shuffled, adj).mean().backward()
                optimizer.step()
            model.load_state_dict(torch.load("best.pt"))
            embedding = model.get_embedding(features, adj)
            report(embedding.detach().numpy())

        if __name__ == "__main__":
            main()
    """
    assert findings(source) == [("LC007", "embedding = model.get_embedding(features, adj)")]


def test_a_method_of_the_module_a_data_parallel_wrapper_holds_runs_that_class() -> None:
    source = """
        class Classifier(Tiny):
            def classify(self, x):
                return self(x).argmax(1)

        net = Classifier()
        net = nn.DataParallel(net)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        correct = 0
        for x, y in test_loader:
            preds = net.module.classify(x)
            correct += (preds == y).sum().item()
    """
    assert [code for code, _ in findings(source)] == ["LC007"]



def test_a_tensorflow_or_flax_model_of_transformers_is_no_torch_module() -> None:
    # a notebook runs a torch BERT, then binds `model` to the TensorFlow (or Flax) class of the
    # same family: its calls run no torch forward
    source = """
        from transformers import BertForQuestionAnswering, OTHER

        model = BertForQuestionAnswering.from_pretrained("bert-base")
        with torch.no_grad():
            answer = model(**inputs).start_logits.argmax()
        model = OTHER.from_pretrained("bert-base")
        outputs = model(tf_inputs)
        print(outputs.last_hidden_state)
    """
    assert findings(source.replace("OTHER", "TFBertModel")) == []
    assert findings(source.replace("OTHER", "FlaxBertModel")) == []
    assert [code for code, _ in findings(source.replace("OTHER", "BertModel"))] == ["LC007"]


def test_a_step_every_one_iteration_accumulates_nothing() -> None:
    """`if (step + 1) % 1 == 0:` (an accumulation count set to 1 and written in): the step runs
    every iteration, so no gradients are carried into it; every 4, they are."""
    source = """
        model = Tiny()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step, (x, y) in enumerate(train_loader):
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            if (step + 1) % EVERY == 0:
                optimizer.step()
                optimizer.zero_grad()
    """
    assert findings(source.replace("EVERY", "1")) == []
    assert findings(source.replace("EVERY", "4")) == [("LC010", "loss.backward()")]


def test_a_graph_convolution_built_on_message_passing_holds_no_mode() -> None:
    source = """
        from torch_geometric.nn import MessagePassing
        from other_library import BASE

        class LightConv(BASE):
            def forward(self, x, edge_index):
                return self.propagate(edge_index, x=x)

        class LightGCN(nn.Module):
            def __init__(self):
                super().__init__()
                self.embedding = nn.Embedding(100, 8)
                self.convs = nn.ModuleList([LightConv() for _ in range(3)])

            def forward(self, edge_index):
                x = self.embedding.weight
                for conv in self.convs:
                    x = conv(x, edge_index)
                return x

        model = LightGCN()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(10):
            optimizer.zero_grad()
            model(edges).sum().backward()
            optimizer.step()
        with torch.no_grad():
            scores = model(test_edges)
            print(recall_at_k(scores, test_items))
    """
    assert findings(source.replace("BASE", "MessagePassing")) == []
    # a base out of sight may hold dropout or batch norm
    assert [code for code, _ in findings(source.replace("BASE", "GraphLayer"))] == ["LC006"]


def test_a_forward_handed_to_a_metric_once_training_is_over_evaluates() -> None:
    # the full-graph idiom: the trained model scored on the test nodes inside a metric call
    source = """
        def accuracy(logits, labels):
            return (logits.argmax(1) == labels).float().mean().item()

        def train(features, labels, train_mask, test_mask, epochs):
            net = Tiny()
            optimizer = torch.optim.Adam(net.parameters())
            for epoch in range(epochs):
                logits = net(features)
                loss = nn.functional.cross_entropy(logits[train_mask], labels[train_mask])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            print(HANDED)

        train(features, labels, train_mask, test_mask, 100)
    """
    handed = "accuracy(net(features)[test_mask], labels[test_mask])"
    assert findings(source.replace("HANDED", handed)) == [("LC007", f"print({handed})")]
    assert findings(source.replace("HANDED", "torch.argmax(net(features), dim=1)")) == [
        ("LC007", "print(torch.argmax(net(features), dim=1))")
    ]
    # the output handed on as a whole to code that is no metric, or the metric of the loss
    assert findings(source.replace("HANDED", "describe(net(features))")) == []
    assert findings(source.replace("HANDED", "loss.item()")) == []


def test_a_prediction_after_training_in_the_same_main_block_evaluates() -> None:
    # training and the prediction that follows it both sit in `if __name__ == "__main__":`
    source = """
        def fit(net, optimizer, loader):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()

        if __name__ == "__main__":
            net = Tiny()
            optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
            BEFORE
            x, y = next(iter(test_loader))
            labels = torch.argmax(net(x), dim=1)
            AFTER
    """
    trained = "fit(net, optimizer, train_loader)"
    assert findings(source.replace("BEFORE", trained).replace("AFTER", "")) == [
        ("LC007", "labels = torch.argmax(net(x), dim=1)")
    ]
    # the same forward before the model is trained checks shapes
    assert findings(source.replace("BEFORE", "").replace("AFTER", trained)) == []


def test_a_model_handed_to_training_in_an_unpacked_dict_is_trained() -> None:
    # `train(**params)` with the model a value of `params`: its score afterwards evaluates it
    source = """
        class Scored(Tiny):
            def score(self, x, y):
                return (self.forward(x).argmax(dim=1) == y).float().mean().item()

        def fit(model, optimizer, loader):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()

        model = Scored()
        params = {"model": HANDED, "optimizer": torch.optim.SGD(model.parameters(), lr=0.1), "loader": train_loader}
        fit(**params)
        x, y = next(iter(test_loader))
        model.score(x, y)
    """
    assert findings(source.replace("HANDED", "model")) == [("LC007", "model.score(x, y)")]
    # a dict that does not hold this model trains another one
    assert findings(source.replace("HANDED", "Scored()")) == []


def test_the_assignment_in_force_decides_what_a_name_runs() -> None:
    # the name held a hand-written class's object first, a network later: the forward runs the network
    source = """
        class LinearByHand:
            def __init__(self):
                self.w = torch.zeros(4, 2)

            def __call__(self, x):
                return x @ self.w

        model = LinearByHand()
        print(model(torch.ones(1, 4)))
        model = FIRST
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        x, y = next(iter(test_loader))
        predicted = model(x).argmax(dim=1)
    """
    assert findings(source.replace("FIRST", "Tiny()")) == [("LC007", "predicted = model(x).argmax(dim=1)")]


def test_a_saving_helper_whose_callers_name_the_file_by_the_episode_saves_a_resume_checkpoint() -> None:
    # `save(self, path)` writes a dict of weights; the caller names the file by the episode every
    # so often, and the resume loads it back before training goes on
    source = """
        class Agent:
            def __init__(self):
                self.actor = Tiny()
                self.critic = Tiny()
                self.optimizer = torch.optim.Adam(self.actor.parameters())

            def update(self, batch):
                loss = self.critic(self.actor(batch)).pow(2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

            def save(self, filepath):
                torch.save({"actor": self.actor.state_dict(), "critic": self.critic.state_dict()}, filepath)

            def load(self, filepath):
                state = torch.load(filepath)
                self.actor.load_state_dict(state["actor"])
                self.critic.load_state_dict(state["critic"])

        def train(start):
            agent = Agent()
            if args.resume:
                agent.load(args.resume)
            for episode in range(start, 1000):
                agent.update(collect(agent))
                if GUARD:
                    agent.save(f"agent_ep{episode}.pth")
    """
    found = findings(source.replace("GUARD", "episode % 50 == 0"))
    assert found == [("LC012", 'torch.save({"actor": self.actor.state_dict(), "critic": self.critic.state_dict()}, filepath)')]
    # handed a name only when the reward improves: an export of the best weights
    assert findings(source.replace("GUARD", "reward > best_reward")) == []


def test_weights_loaded_for_the_epochs_already_trained_resume_the_loop() -> None:
    # the epochs whose weights exist are loaded, the others trained: the loop goes on from the
    # weights of the last epoch it loaded, with a fresh optimizer
    source = """
        class Cloner:
            def __init__(self):
                self.policy = Tiny()
                self.optimizer = torch.optim.Adam(self.policy.parameters())

            def train_epoch(self, epoch, batches):
                for x, y in batches:
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.policy(x), y).backward()
                    self.optimizer.step()
                torch.save(self.policy.state_dict(), f"policy-{epoch}.pth")

            def load_epoch(self, epoch):
                self.policy.load_state_dict(torch.load(f"policy-{epoch}.pth"))

        cloner = Cloner()
        for epoch in range(1, 11):
            if not os.path.exists(f"policy-{epoch}.pth"):
                cloner.train_epoch(epoch, batches)
            else:
                LOAD
    """
    assert findings(source.replace("LOAD", "cloner.load_epoch(epoch)")) == [
        ("LC012", 'torch.save(self.policy.state_dict(), f"policy-{epoch}.pth")')
    ]
    # the weights of a fixed file, not of the loop's epoch: no resume at the loop's position
    assert findings(source.replace("LOAD", 'cloner.policy.load_state_dict(torch.load("pretrained.pth"))')) == []


def test_a_grad_mode_chosen_between_inference_mode_and_set_grad_enabled_follows_the_phase() -> None:
    source = """
        def train_model(model, dataloaders, optimizer, num_epochs=5):
            for epoch in range(num_epochs):
                for phase in ["train", "valid"]:
                    if phase == "train":
                        model.train()
                    else:
                        model.eval()
                    for inputs, labels in dataloaders[phase]:
                        optimizer.zero_grad()
                        with torch.inference_mode() if phase == CHOSEN else torch.set_grad_enabled(True):
                            outputs = model(inputs)
                            loss = nn.functional.cross_entropy(outputs, labels)
                            if phase == "train":
                                loss.backward()
                                optimizer.step()

        net = Dropping()
        train_model(net, loaders, torch.optim.SGD(net.parameters(), lr=0.1))
    """
    # the validation phase takes the inference_mode arm; `set_grad_enabled(True)` is the other arm's
    assert findings(source.replace("CHOSEN", '"valid"')) == []
    # a test naming no phase of the loop: validation runs the arm that records a graph
    assert findings(source.replace("CHOSEN", '"test"')) == [("LC007", "outputs = model(inputs)")]


def test_a_grad_mode_switched_in_both_arms_of_a_branch_lasts_past_it_and_follows_enum_members() -> None:
    source = """
        from enum import Enum

        class Mode(Enum):
            TRAIN = "Train"
            VAL = "Val"

        def run(model, loader, optimizer, mode):
            if mode == FIRST:
                torch.set_grad_enabled(ON)
            else:
                torch.set_grad_enabled(OFF)
            for x, y in loader:
                if mode == Mode.TRAIN:
                    optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(x), y)
                if mode == Mode.TRAIN:
                    loss.backward()
                    optimizer.step()

        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(10):
            run(net, train_loader, optimizer, Mode.TRAIN)
            run(net, val_loader, optimizer, Mode.VAL)
    """

    def variant(first: str, on: str, off: str) -> list[tuple[str, str]]:
        return findings(source.replace("FIRST", first).replace("ON", on).replace("OFF", off))

    # the validation call (`Mode.VAL`: no member but itself is `Mode.TRAIN`) takes the arm that
    # turns grad off, and the loop after the branch runs so
    assert variant("Mode.TRAIN", "True", "False") == []
    # an arm that leaves grad on: the validation loop records a graph
    leaked = [("LC007", "loss = nn.functional.cross_entropy(model(x), y)")]
    assert variant("Mode.TRAIN", "True", "True") == leaked
    # the arms swapped by mistake: only the members passed tell that validation runs with grad on
    assert variant("Mode.VAL", "True", "False") == leaked


def test_a_shared_step_called_last_for_the_test_phase_is_a_pass_of_its_own() -> None:
    # one function trains, validates and tests by its `phase`; no loop of its own
    source = """
        import enum

        class Phase(enum.Enum):
            TRAIN = 0
            VAL = 1
            TEST = 2

        def fit(graph, labels, epochs):
            net = Tiny()
            optimizer = torch.optim.Adam(net.parameters())

            def main_loop(phase):
                scores = net(graph)
                loss = nn.functional.cross_entropy(scores, labels)
                if phase == Phase.TRAIN:
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                return (scores.argmax(-1) == labels).float().mean().item()

            for epoch in range(epochs):
                main_loop(Phase.TRAIN)
                with torch.no_grad():
                    main_loop(Phase.VAL)
            AFTER

        fit(graph, labels, 100)
    """
    # the test phase, run once training is over, records a graph
    assert findings(source.replace("AFTER", "return main_loop(Phase.TEST)")) == [("LC007", "scores = net(graph)")]
    with_no_grad = "with torch.no_grad():\n                return main_loop(Phase.TEST)"
    assert findings(source.replace("AFTER", with_no_grad)) == []


def test_an_optimizer_state_loaded_back_is_no_resume_of_the_weights_saved_by_epoch() -> None:
    source = """
        def save_weights(model, path):
            torch.save({"weights": model.state_dict(), "alphas": model.alphas}, path)

        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        if args.resume:
            LOAD
        for epoch in range(args.start_epoch, args.epochs):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            save_weights(net, "weights_%d.pt" % epoch)
    """
    # only the optimizer's state is read back: the weights saved by epoch are snapshots
    assert findings(source.replace("LOAD", 'optimizer.load_state_dict(torch.load("optimizer.pt"))')) == []
    # the weights read back to go on from them: a resume checkpoint without the optimizer
    assert findings(source.replace("LOAD", 'net.load_state_dict(torch.load(args.resume)["weights"])')) == [
        ("LC012", 'torch.save({"weights": model.state_dict(), "alphas": model.alphas}, path)')
    ]


def test_a_base_class_switching_the_mode_around_a_subclass_override_covers_its_pass() -> None:
    source = """
        class BaseTrainer:
            def fit(self, epochs):
                for epoch in range(epochs):
                    for x, y in self.train_loader:
                        self._train_one_batch(x, y)
                    SWITCH
                    self._validate()
                    self.model.train()

            def _train_one_batch(self, x, y):
                raise NotImplementedError

            def _validate(self):
                raise NotImplementedError

        class Trainer(BaseTrainer):
            def __init__(self, train_loader, val_loader):
                self.model = Dropping()
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
                self.train_loader = train_loader
                self.val_loader = val_loader

            def _train_one_batch(self, x, y):
                self.optimizer.zero_grad()
                nn.functional.cross_entropy(self.model(x), y).backward()
                self.optimizer.step()

            def _validate(self):
                with torch.no_grad():
                    for x, y in self.val_loader:
                        print((self.model(x).argmax(1) == y).float().mean().item())

        Trainer(train_loader, val_loader).fit(10)
    """
    # `self.model.eval()` in the base class's method is the subclass's model, switched before the call
    assert findings(source.replace("SWITCH", "self.model.eval()")) == []
    assert findings(source.replace("SWITCH", "pass")) == [("LC006", "print((self.model(x).argmax(1) == y).float().mean().item())")]



def test_distances_of_a_forward_on_volatile_inputs_keep_no_graph_in_old_torch_code() -> None:
    # PyTorch 0.3 code (`Variable`, `.data[0]`): a volatile input records no graph downstream
    source = """
        from torch.autograd import Variable

        def best_threshold(model, loader):
            model.eval()
            for batch_idx, (a, p) in enumerate(loader):
                a, p = Variable(a, FLAG), Variable(p, FLAG)
                distance = nn.functional.pairwise_distance(model(a), model(p))
                if batch_idx == 0:
                    distances = distance
                else:
                    distances = torch.cat((distances, distance), 0)
            return distances.mean().data[0]

        best_threshold(Tiny(), test_loader)
    """
    assert findings(source.replace("FLAG", "volatile=True")) == []
    # not volatile: every batch's graph is kept in the concatenation
    assert sorted(code for code, _ in findings(source.replace("FLAG", "requires_grad=False"))) == ["LC007", "LC009"]


def test_a_count_of_epochs_read_from_a_config_is_no_position_restored() -> None:
    source = """
        NUM_EPOCH = cfg["NUM_EPOCH"]
        START
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        if RESUME_ROOT:
            net.load_state_dict(torch.load(RESUME_ROOT))
        for epoch in range(RANGE):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            torch.save(net.state_dict(), "net_epoch_{}.pth".format(epoch + 1))
    """
    # how long to train is no place to start from: the loaded weights only start a new run
    assert findings(source.replace("START", "").replace("RANGE", "NUM_EPOCH")) == []
    resumed = source.replace("START", 'START_EPOCH = cfg["START_EPOCH"]').replace("RANGE", "START_EPOCH, NUM_EPOCH")
    assert findings(resumed) == [("LC012", 'torch.save(net.state_dict(), "net_epoch_{}.pth".format(epoch + 1))')]


def test_a_prediction_after_the_no_grad_block_of_a_scripts_test_is_a_pass_of_its_own() -> None:
    source = """
        net = MODEL()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(100):
            optimizer.zero_grad()
            nn.functional.mse_loss(net(x_train), y_train).backward()
            optimizer.step()
        MODE
        with torch.no_grad():
            test_loss = nn.functional.mse_loss(net(x_test), y_test)
        new_data = torch.tensor(latest_row, dtype=torch.float32)
        predicted = net(new_data)
        print(predicted)
    """
    assert findings(source.replace("MODEL", "Tiny").replace("MODE", "net.eval()")) == [("LC007", "predicted = net(new_data)")]
    # a model with dropout left in training mode: said once for the two passes
    assert sorted(findings(source.replace("MODEL", "Dropping").replace("MODE", "pass"))) == [
        ("LC006", "test_loss = nn.functional.mse_loss(net(x_test), y_test)"), ("LC007", "predicted = net(new_data)")
    ]


def test_a_model_outside_a_parameter_list_built_by_name_is_not_trained() -> None:
    # the optimizer is built over a name holding the generators' parameters; the pretrained
    # segmenter stays in eval mode on purpose
    source = """
        class CycleTrainer:
            def __init__(self):
                self.segmenter = Dropping()
                self.gen_a = Dropping()
                self.gen_b = Dropping()
                gen_parameters = PARAMS
                self.optimizer = torch.optim.Adam(gen_parameters)

            def train_step(self, loader):
                self.gen_a.train()
                self.gen_b.train()
                for x, y in loader:
                    self.optimizer.zero_grad()
                    loss = nn.functional.cross_entropy(self.segmenter(self.gen_b(self.gen_a(x))), y)
                    loss.backward()
                    self.optimizer.step()

            def test_step(self, loader):
                self.segmenter.eval()
                self.gen_a.eval()
                with torch.no_grad():
                    for x, y in loader:
                        print(self.segmenter(self.gen_a(x)).argmax(1))

            def train(self, train_loader, test_loader):
                for epoch in range(10):
                    self.train_step(train_loader)
                    self.test_step(test_loader)

        CycleTrainer().train(train_loader, test_loader)
    """
    assert findings(source.replace("PARAMS", "list(self.gen_a.parameters()) + list(self.gen_b.parameters())")) == []
    # the segmenter among the parameters: its eval() is left in the training loop from the second epoch on
    with_segmenter = "list(self.gen_a.parameters()) + list(self.segmenter.parameters())"
    assert [code for code, _ in findings(source.replace("PARAMS", with_segmenter))] == ["LC008"]



def test_a_count_of_compared_elements_keeps_no_graph() -> None:
    source = """
        net = Tiny()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        true_pos = 0
        for x, y in train_loader:
            optimizer.zero_grad()
            scores = net(x)
            nn.functional.cross_entropy(scores, y).backward()
            optimizer.step()
            detected = COUNT
            true_pos += detected
    """
    # a comparison gives booleans: their sum is a count with no graph
    assert findings(source.replace("COUNT", "scores.max(1)[0].ne(0).sum()")) == []
    assert findings(source.replace("COUNT", "scores.gt(0.5).sum()")) == []
    # the scores themselves summed: every batch's graph is kept
    assert [code for code, _ in findings(source.replace("COUNT", "scores.max(1)[0].sum()"))] == ["LC009"]


@pytest.mark.parametrize(("call", "expected"), [("keeper.set_model(model)", []), ("keeper.set_model(x)", ["LC007"])])
def test_a_name_known_only_by_its_wording_that_is_handed_the_model_is_no_model(call: str, expected: list[str]) -> None:
    """`administrator.set_model(model)` on an object of a class out of sight: the attribute's name
    ends in `model`, but it has no binding of its own and is handed the model itself; forwards run
    on data, so the call acts on the model (stores it) and is no evaluation pass. Handed data
    (`keeper.set_model(x)`), the same wording may name a model run on it."""
    source = f"""
    import admin

    def load_model(name):
        model = Tiny()
        model.load_state_dict(torch.load(name))
        return model

    def test_all(names, batch, keeper):
        for name in names:
            model = load_model(name)
            x = batch
            {call}
            keeper.log(name)

    keeper = admin.test(3)
    test_all(["a.pt"], torch.randn(2, 4), keeper)
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(
    ("derivative", "expected"),
    [
        ("[torch.autograd.grad(outputs=out, inputs=a, retain_graph=True)[0][i] for i, out in enumerate(y.reshape(-1, 1))]", []),
        ("[out.item() for i, out in enumerate(y.reshape(-1, 1))]", ["LC007"]),
    ],
)
def test_a_forward_differentiated_through_a_comprehension_needs_its_graph(derivative: str, expected: list[str]) -> None:
    """After training, a physics-informed network's output on a grid is differentiated point by
    point (`[torch.autograd.grad(outputs=out, inputs=a)[0][i] for i, out in enumerate(y)]`): the
    comprehension iterates `y`, so the forward feeds torch.autograd.grad and needs its graph. Only
    read (`out.item()`), the same forward is an evaluation pass with grad on."""
    source = f"""
    net = Tiny()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    data = torch.linspace(0, 1, 20).view(-1, 1).requires_grad_(True)
    for i in range(100):
        optimizer.zero_grad()
        y = net(data)
        loss = (y ** 2).mean()
        loss.backward()
        optimizer.step()
    a = torch.linspace(0, 1, 50).view(-1, 1).requires_grad_(True)
    y = net(a)
    derivative = {derivative}
    print(derivative)
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(("reset", "expected"), [("current.zero_grad()", []), ("pass", ["LC001"])])
def test_a_closure_defined_again_is_the_one_in_force_where_the_step_takes_it(reset: str, expected: list[str]) -> None:
    """A notebook trains with `def closure(): optimizer.zero_grad(); ...` in one cell and defines
    `closure` again in a later cell for Adam then LBFGS (`current.zero_grad()`): each
    `step(closure)` runs the definition made last before it, so each optimizer is reset by its own
    closure. A later closure that resets nothing is still found."""
    source = f"""
    net = Tiny()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for x, y in train_loader:
        def closure():
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(net(x), y)
            loss.backward()
            return loss
        optimizer.step(closure)

    net2 = Tiny()
    adam = torch.optim.Adam(net2.parameters())
    lbfgs = torch.optim.LBFGS(net2.parameters())
    for epoch in range(10):
        current = adam if epoch < 5 else lbfgs
        for x, y in train_loader:
            def closure():
                {reset}
                loss = nn.functional.cross_entropy(net2(x), y)
                loss.backward()
                return loss
            current.step(closure)
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(("held", "expected"), [("self.model = Tiny()", ["LC007"]), ("self.scale = 2.0", [])])
def test_a_class_named_for_its_loss_that_builds_the_model_is_the_model(held: str, expected: list[str]) -> None:
    """`class ModelAndLoss(nn.Module)` whose `__init__` builds the network (`self.model = ...`) and
    whose forward returns the loss of its output: running it in a validation function runs the
    network with grad on. A loss class that holds no model (`self.scale = 2.0`) is a loss, no pass."""
    source = f"""
    class ModelAndLoss(nn.Module):
        def __init__(self):
            super().__init__()
            {held}
            self.criterion = nn.MSELoss()

        def forward(self, x, y):
            out = self.model(x) if hasattr(self, "model") else x
            return self.criterion(out, y)

    def validate(model_and_loss, loader):
        model_and_loss.eval()
        total = 0.0
        for x, y in loader:
            total += model_and_loss(x, y).item()
        return total

    model_and_loss = ModelAndLoss()
    optimizer = torch.optim.SGD(model_and_loss.parameters(), lr=0.1)
    for epoch in range(3):
        model_and_loss.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            model_and_loss(x, y).backward()
            optimizer.step()
        print(validate(model_and_loss, valid_loader))
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        ("model, vocab = nlp.model.get_model('bert_12_768_12', use_decoder=False)", []),
        ("model = tf.keras.applications.ResNet50(weights='imagenet')", []),
        ("model = torchvision.models.resnet18(pretrained=True)", ["LC006", "LC007"]),
    ],
)
def test_a_model_another_framework_builds_is_no_torch_module(built: str, expected: list[str]) -> None:
    """A notebook that encodes text with an MXNet BERT (`nlp.model.get_model(...)` from gluonnlp)
    or a Keras network runs no torch module: its forward has no grad mode or train mode of
    torch's. The same forward of a torchvision network with pretrained weights is a pass."""
    source = f"""
    import gluonnlp as nlp
    import tensorflow as tf
    import torchvision

    {built}
    encodings = []
    for words in test_batches:
        encodings.append(model(words).detach())
    """
    assert sorted(c for c, _ in findings(source)) == expected


@pytest.mark.parametrize(
    ("built", "expected"),
    [("Flow(d=4)", ["LC007"]), ("Flow(d=4, dropout=True)", ["LC006", "LC007"]), ("Flow(d=4, dropout=None)", ["LC007"])],
)
def test_a_dropout_flag_false_where_the_model_is_built_builds_no_dropout(built: str, expected: list[str]) -> None:
    """A flow whose coupling layers take `dropout=False` by default and build `nn.Dropout(.5) if
    dropout else nn.Sequential()`: built without the flag (or with None), the flag handed down as
    `Coupling(..., dropout=dropout)` is false, so no layer drops and eval() changes nothing; only
    the forward with grad on is reported. Built with `dropout=True`, it holds dropout."""
    source = f"""
    class Coupling(nn.Module):
        def __init__(self, d, hidden, dropout=False):
            super().__init__()
            self.layers = [nn.Linear(d, hidden), nn.ReLU(), nn.Dropout(.5) if dropout else nn.Sequential(), nn.Linear(hidden, d)]
            self.net = nn.Sequential(*self.layers)

        def forward(self, x):
            return self.net(x)

    class Flow(nn.Module):
        def __init__(self, d=2, n=4, hidden=16, dropout=False):
            super().__init__()
            self.body = nn.Sequential(*[Coupling(d, hidden, dropout=dropout) for i in range(n)])

        def forward(self, x):
            return self.body(x)

    flow = {built}
    optimizer = torch.optim.Adam(flow.parameters())
    for t in range(100):
        optimizer.zero_grad()
        flow(data).pow(2).mean().backward()
        optimizer.step()
    inv = flow(data).detach().numpy()
    print(inv)
    """
    assert sorted(c for c, _ in findings(source)) == expected


def test_a_rollout_loss_summed_into_what_the_helper_returns_is_no_kept_graph() -> None:
    """An actor-critic worker's `calc_loss` sums the policy and value losses over the steps of a
    rollout (`policy_loss -= log_p * advantage`), then returns `loss = policy_loss + value_loss`
    for its caller to backward: the sums reach the returned value, so their graphs are the loss,
    not graphs kept by mistake."""
    source = """
    class Worker:
        def __init__(self):
            self.net = Tiny()
            self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.1)

        def calc_loss(self, states, rewards):
            policy_loss = torch.zeros(1)
            value_loss = torch.zeros(1)
            entropy = torch.zeros(1)
            for t in range(len(rewards) - 1, -1, -1):
                out = self.net(states[t])
                advantage = rewards[t] - out[1]
                policy_loss -= out[0] * advantage
                value_loss += advantage ** 2
            loss = policy_loss + value_loss
            return loss, entropy

        def train(self, episodes):
            for states, rewards in episodes:
                self.optimizer.zero_grad()
                loss, entropy = self.calc_loss(states, rewards)
                loss.sum().backward()
                self.optimizer.step()

    Worker().train(episodes)
    """
    assert findings(source) == []


@pytest.mark.parametrize(("method", "expected"), [("sizes", []), ("predict", ["LC007"])])
def test_a_method_of_each_registered_class_runs_the_model_only_if_one_of_them_does(method: str, expected: list[str]) -> None:
    """`model = MODELS[name]()` of a dict of two model classes: `model.sizes()` reads the layers
    of either class and runs no forward, so a loop calling it evaluates nothing; `model.predict(x)`
    runs each class's forward, with grad on."""
    source = f"""
    class A(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x)

        def sizes(self):
            return [m.out_features for m in self.modules() if isinstance(m, nn.Linear)]

        def predict(self, x):
            return self(x).argmax(-1)

    class B(A):
        def sizes(self):
            return [self.fc.out_features]

        def predict(self, x):
            return self(x).argmax(-1) + 0

    MODELS = {{"a": A, "b": B}}

    def test(name, loader):
        model = MODELS[name]()
        model.load_state_dict(torch.load("best.pt"))
        model.eval()
        for x, y in loader:
            print(model.{method}(x) if "{method}" == "predict" else model.{method}())

    test("a", test_loader)
    """
    assert [c for c, _ in findings(source)] == expected




def test_an_evaluation_sum_returned_as_an_average_still_keeps_its_graphs() -> None:
    """`total_loss += loss` over a data loader with grad on, returned as `total_loss / n` to a
    caller that only prints it: no caller backwards what the helper returns, so the sum keeps
    every batch's graph until the helper returns (unlike a rollout's loss summed for the caller's
    backward)."""
    source = """
    def evaluate(model, loader):
        total_loss = 0
        n = 0
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            total_loss += loss
            n += len(y)
        avg_loss = total_loss / n
        return avg_loss

    net = Tiny()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for epoch in range(3):
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        print(evaluate(net, valid_loader))
    """
    assert ("LC009", "total_loss += loss") in findings(source)


def test_an_element_picked_from_a_container_and_moved_holds_what_cannot_be_seen() -> None:
    """`encoder = models["encoder"].to(device)` in a generation pipeline handed a dict of models
    by its callers (built by a loader out of sight): what the element holds is not established,
    so its missing eval() is not reported (as for `models[name]` itself)."""
    source = """
    from weights import preload_models

    def generate(prompt, models, device="cpu"):
        with torch.no_grad():
            encoder = models["encoder"].to(device)
            latents = encoder(prompt)
            return latents.argmax(-1)

    print(generate(torch.randn(1, 4), preload_models("v1.ckpt")))
    """
    assert findings(source) == []


def test_a_forward_in_an_arm_no_caller_takes_is_not_the_pass() -> None:
    """`def predict(self, x, mode="single")` with a forward under `if mode == "single":` and a
    sampling loop under `elif mode == "sampled":`, called only with `mode="sampled"`: the first
    arm never runs, so the pass is the loop's, reported there."""
    source = """
    class Predictor:
        def __init__(self, model):
            self.model = model
            self.model.eval()

        def predict(self, x, mode="single", n=50):
            if mode == "single":
                print(self.model(x))
            elif mode == "sampled":
                for _ in range(n):
                    print(self.model(x))

    net = Dropping()
    net.load_state_dict(torch.load("best.pt"))
    Predictor(net).predict(torch.randn(1, 4), mode="sampled")
    """
    assert findings(source) == [("LC007", "print(self.model(x))")] and [
        f.line for f in lint_source(NETS + textwrap.dedent(source), "inference.py")[0]
    ] == [len(NETS.splitlines()) + 12]


@pytest.mark.parametrize(("reset", "expected"), [("pass", ["LC001"]), ("optimizer.zero_grad()", [])])
def test_the_step_of_a_hand_written_torch_optimizer_subclass_is_an_optimizer_step(reset: str, expected: list[str]) -> None:
    """`class AdamW(torch.optim.Optimizer)` with its own `step()` (an assignment's hand-written
    optimizer): `optimizer.step()` is the step of that optimizer, whose inherited zero_grad()
    resets it; a loop that never calls it accumulates gradients across iterations."""
    source = f"""
    class AdamW(torch.optim.Optimizer):
        def __init__(self, params, lr=1e-3):
            super().__init__(params, dict(lr=lr))

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.data -= group["lr"] * p.grad

    net = Tiny()
    optimizer = AdamW(net.parameters(), lr=0.1)
    for x, y in train_loader:
        {reset}
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
    """
    assert [c for c, _ in findings(source)] == expected


def test_a_factory_returning_a_name_built_in_several_arms_gives_each_class() -> None:
    """`if kind == "tiny": model = Tiny()` / `else: model = Dropping()`, then `return model`: the
    model is one of the two classes, not the first one assigned; one of them holds dropout, so a
    pass without eval() may run it in training mode."""
    source = """
    def load_model(kind, path):
        if kind == "tiny":
            model = Tiny()
        else:
            model = Dropping()
        model.load_state_dict(torch.load(path))
        return model

    def test(model, loader):
        with torch.no_grad():
            for x, y in loader:
                print((model(x).argmax(1) == y).float().mean().item())

    net = load_model(args.kind, "best.pt")
    test(net, test_loader)
    """
    assert [c for c, _ in findings(source)] == ["LC006"]


@pytest.mark.parametrize(("built", "expected"), [("Net(len(vocab), dropout_p=opt.dropout_p)", ["LC006"]), ("Net(len(vocab))", [])])
def test_a_model_built_by_a_factory_is_read_with_the_factorys_own_arguments(built: str, expected: list[str]) -> None:
    """`model = build_model(vocab)` whose factory builds `Net(len(vocab), dropout_p=opt.dropout_p)`:
    the factory's call gives no value of the constructor's `dropout_p` (its default 0.0 is not what
    the factory passes), so the model may hold dropout. Built with the default inside the factory,
    it holds none."""
    source = f"""
    class Net(nn.Module):
        def __init__(self, size, dropout_p=0.0):
            super().__init__()
            self.drop = nn.Dropout(dropout_p)
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(self.drop(x))

    def build_model(vocab):
        model = {built}
        return model

    model = build_model(vocab)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    with torch.no_grad():
        for x, y in test_loader:
            print((model(x).argmax(1) == y).float().mean().item())
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(("kept", "expected"), [("'scheduler': self.scheduler.state_dict(), ", []), ("", ["LC012"])])
def test_a_scheduler_an_optimizer_wrapper_saves_in_its_own_state_dict_is_kept(kept: str, expected: list[str]) -> None:
    """An optimizer wrapper (`class ReduceLROnPlateau(torch.optim.Optimizer)`) holding a torch
    scheduler over its inner optimizer, whose own `state_dict()` returns
    `self.scheduler.state_dict()` too: a checkpoint of the wrapper's state keeps the scheduler's
    position. A wrapper whose state_dict leaves it out loses it."""
    source = f"""
    class Plateau(torch.optim.Optimizer):
        def __init__(self, optimizer):
            self.optimizer = optimizer
            self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)

        def step(self):
            self.optimizer.step()

        def zero_grad(self):
            self.optimizer.zero_grad()

        def scheduler_step(self, val):
            self.scheduler.step(val)

        def state_dict(self):
            return {{{kept}'optimizer': self.optimizer.state_dict()}}

    net = Tiny()
    optimizer = Plateau(torch.optim.Adam(net.parameters()))
    for epoch in range(10):
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        optimizer.scheduler_step(0.5)
        torch.save({{"epoch": epoch, "model": net.state_dict(), "optimizer": optimizer.state_dict()}}, "last.pt")
    """
    assert [c for c, _ in findings(source)] == expected


@pytest.mark.parametrize(("size", "expected"), [("None", []), ("i", ["LC007"])])
def test_a_model_whose_layers_are_built_with_no_size_cannot_be_built(size: str, expected: list[str]) -> None:
    """An unfilled exercise template: `def block(i, o): return nn.Sequential(nn.Linear(None, None))`
    used by the model's `__init__`. Building the model raises TypeError, so nothing after it runs
    and its missing no_grad is not reported; filled in (`nn.Linear(i, o)`), it is."""
    source = f"""
    def block(i, o):
        return nn.Sequential(nn.Linear({size}, o), nn.ReLU())

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = block(4, 2)

        def forward(self, x):
            return self.body(x)

    net = Net()
    net.load_state_dict(torch.load("net.pt"))
    for x, y in test_loader:
        print((net(x).argmax(1) == y).float().mean().item())
    """
    assert [c for c, _ in findings(source)] == expected


def test_outputs_of_one_forward_run_in_chunks_and_joined_for_the_result_are_no_kept_graphs() -> None:
    """A NeRF-style `nerf_forward(rays, model)` that training backwards and validation only reads:
    `predictions = []`, one forward per chunk of the rays, `raw = torch.cat(predictions)` put into
    the dict it returns. One output built in pieces, whose graph is the caller's: the validation
    call without no_grad is reported as such, not as graphs kept by the list."""
    source = """
    def nerf_forward(rays, model, chunk=1024):
        batches = rays.split(chunk)
        predictions = []
        for batch in batches:
            predictions.append(model(batch))
        raw = torch.cat(predictions, dim=0)
        outputs = {"z": rays.mean()}
        outputs["rgb"] = raw.sigmoid()
        return outputs

    net = Dropping()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(1000):
        net.train()
        optimizer.zero_grad()
        outputs = nerf_forward(next(train_rays), net)
        outputs["rgb"].mean().backward()
        optimizer.step()
        if step % 100 == 0:
            net.eval()
            outputs = nerf_forward(test_rays, net)
            print(outputs["rgb"].mean().item())
    """
    assert [c for c, _ in findings(source)] == ["LC007"]


def test_predictions_collected_over_a_loader_and_joined_are_still_kept_graphs() -> None:
    """`preds = []`, `preds.append(model(x))` over the test loader with grad on, `return
    torch.cat(preds)` to a caller that only reads it: every batch's graph is kept until the join
    (unlike the chunks of one training step's output)."""
    source = """
    def predict_all(model, loader):
        preds = []
        for x, y in loader:
            preds.append(model(x))
        out = torch.cat(preds)
        return out

    net = Tiny()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for x, y in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
    print(predict_all(net, test_loader).argmax(1))
    """
    assert ("LC009", "preds.append(model(x))") in findings(source)


def test_a_validation_loop_of_a_helper_called_for_each_of_several_models_is_a_pass() -> None:
    """`for model, label in model_list: loss, acc = get_loss_acc(model, train_loader,
    valid_loader)`, whose helper trains the model then loops over `valid_loader` with neither
    eval() nor no_grad: a pass over held-out data for each model, not an ensemble run on one input."""
    source = """
    def get_loss_acc(model, train_loader, valid_loader):
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(2):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
        correct = 0
        for x, y in valid_loader:
            correct += (model(x).argmax(1) == y).sum().item()
        return correct

    def compare(model_list, train_loader, valid_loader):
        for model, label in model_list:
            print(label, get_loss_acc(model, train_loader, valid_loader))

    compare([(Dropping(), "a"), (Dropping(), "b")], train_loader, valid_loader)
    """
    assert sorted(c for c, _ in findings(source)) == ["LC006", "LC007"]


def test_the_output_of_a_model_named_like_a_library_factory_is_no_model() -> None:
    """`vgg16 = torchvision.models.vgg16(pretrained=True)`, then `output = vgg16(data)` over the test
    loader: `vgg16(...)` calls the object the code bound, so `output` is a tensor, not a model built
    by the factory of that name; `torch.max(output, 1)` is no code handed a model, and the loop is a
    pass."""
    source = """
    import torchvision

    vgg16 = torchvision.models.vgg16(pretrained=True)
    optimizer = torch.optim.SGD(vgg16.classifier.parameters(), lr=0.01)
    for data, target in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(vgg16(data), target).backward()
        optimizer.step()
    vgg16.eval()
    correct = 0
    for data, target in test_loader:
        output = vgg16(data)
        _, pred = torch.max(output, 1)
        correct += (pred == target).sum().item()
    print(correct)
    """
    assert findings(source) == [("LC007", "output = vgg16(data)")]


@pytest.mark.parametrize(("saved", "expected"), [("save_model", ["LC012"]), ("other", [])])
def test_weights_bound_to_a_name_then_saved_every_epoch_and_resumed_from_keep_no_optimizer(saved: str, expected: list[str]) -> None:
    """`save_model = net.module.state_dict() if multi_gpu else net.state_dict()`, then
    `torch.save(save_model, args.model_path)` every epoch, the file `--resume` loads back before
    training goes on from `args.start_epoch`: a resume checkpoint of the weights alone (the
    optimizer's state is lost). A save of something else (`other`) is no checkpoint of the model."""
    source = f"""
    net = Tiny()
    optimizer = torch.optim.Adam(net.parameters())
    if args.resume and os.path.isfile(args.model_path):
        net.load_state_dict(torch.load(args.model_path))
    for epoch in range(args.start_epoch, args.num_epochs):
        net.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        save_model = net.module.state_dict() if args.multi_gpu else net.state_dict()
        other = {{"note": "x"}}
        torch.save({saved}, args.model_path)
    """
    assert [c for c, _ in findings(source)] == expected


def test_a_models_zero_grad_resets_the_optimizer_a_factory_built_beside_it() -> None:
    """`netD, optimizerD = get_model_and_optimizer(Discriminator)` whose factory builds the optimizer
    over `network.parameters()` and returns `network, optimizer`: `netD.zero_grad()` resets what
    optimizerD steps (a GAN's per-network reset), so no LC001."""
    source = """
    def get_model_and_optimizer(model_class, lr):
        network = model_class()
        optimizer = torch.optim.Adam(network.parameters(), lr=lr)
        return network, optimizer

    netD, optimizerD = get_model_and_optimizer(Tiny, 1e-3)
    netG, optimizerG = get_model_and_optimizer(Tiny, 1e-3)
    for x, y in train_loader:
        netD.zero_grad()
        nn.functional.cross_entropy(netD(x), y).backward()
        optimizerD.step()
        netG.zero_grad()
        nn.functional.cross_entropy(netG(x), y).backward()
        optimizerG.step()
    """
    assert findings(source) == []


SCORING_NET = """
class Scored(Dropping):
    def accuracy(self, x, y):
        out = self.forward(x)
        return (out.argmax(1) == y).float().mean().item()

    def features(self, x):
        return self.forward(x)
"""


def _repeated_training(last: str) -> str:
    """Training repeated for fresh models (a repetition loop around the epochs), then `last` at the
    repetition's level, once its epochs are over."""
    return SCORING_NET + f"""
accs = []
for rep in range(15):
    net = Scored()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for epoch in range(20):
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(net(x), y)
            if (epoch + 1) % 5 == 0:
                test_loss = nn.functional.cross_entropy(net(x_test), y_test)
                print(test_loss.item())
            loss.backward()
            optimizer.step()
    {last}
"""


def test_a_model_method_that_scores_its_output_is_a_pass_after_each_repetitions_training() -> None:
    """`accs.append(net.accuracy(x_test, y_test))` once a repetition's epochs are over, where the
    model's own `accuracy` runs `self.forward(x)` and compares its argmax with the labels: a test of
    the trained model (LC006 and LC007), besides the validation inside the training iteration that
    is reported on its own. Control: a method that only returns the forward's output (`features`)
    scores nothing."""
    found = findings(_repeated_training("accs.append(net.accuracy(x_test, y_test))"))
    assert ("LC006", "accs.append(net.accuracy(x_test, y_test))") in found
    assert ("LC007", "accs.append(net.accuracy(x_test, y_test))") in found
    assert ("LC007", "test_loss = nn.functional.cross_entropy(net(x_test), y_test)") in found
    control = findings(_repeated_training("accs.append(net.features(x_train))"))
    assert all(line != "accs.append(net.features(x_train))" for code, line in control if code in ("LC006", "LC007"))
    assert ("LC007", "test_loss = nn.functional.cross_entropy(net(x_test), y_test)") in control


def test_a_scoring_method_under_eval_and_no_grad_is_clean() -> None:
    """The same test done right (`net.eval()` and `with torch.no_grad():` around it) reports nothing
    at the repetition's level."""
    last = "net.eval()\n    with torch.no_grad():\n        accs.append(net.accuracy(x_test, y_test))\n    net.train()"
    found = findings(_repeated_training(last))
    assert all("net.accuracy" not in line for _, line in found)
    assert ("LC007", "test_loss = nn.functional.cross_entropy(net(x_test), y_test)") in found


def test_a_model_bound_and_trained_in_a_repetition_loop_is_tested_by_the_scripts_last_lines() -> None:
    """`for rep in range(k): net = Scored(); for epoch ...: train`, then at the script's top level
    `acc = net.accuracy(x_test, y_test); print(acc)`: the last repetition's model was trained after
    its binding, in the statement that binds it, so the test is a pass (not a look at a fresh
    model's output). Control: a model bound again after that statement's training loop is fresh."""
    trained = SCORING_NET + """
for rep in range(3):
    net = Scored()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for x, y in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
acc = net.accuracy(x_test, y_test)
print(acc)
"""
    assert findings(trained) == [("LC006", "acc = net.accuracy(x_test, y_test)"), ("LC007", "acc = net.accuracy(x_test, y_test)")]
    fresh = SCORING_NET + """
net = Scored()
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
for rep in range(3):
    for x, y in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
    net = Scored()
acc = net.accuracy(x_test, y_test)
print(acc)
"""
    assert findings(fresh) == []


def test_a_loop_over_a_literal_list_of_models_runs_each_of_them() -> None:
    """`for model in [model_1, model_2]: model.eval(); ... logits = model(images)` (co-teaching's
    test of its two networks): the call runs each named model, in the mode set for each; without
    no_grad it records a graph. Controls: under no_grad nothing is reported; without the eval()
    the loop may be an ensemble's forward over data (judged by the other evidence, here none)."""
    source = """
def eval_both(dataloader, model_1, model_2):
    accuracies = []
    for model in [model_1, model_2]:
        EVAL
        correct = 0
        for images, labels in dataloader:
            GUARD
            logits = model(images)
            correct += (logits.argmax(1) == labels).sum().item()
        accuracies.append(correct)
    return accuracies


def main(train_loader, test_loader):
    model_1 = Dropping()
    model_2 = Dropping()
    optimizer = torch.optim.SGD(list(model_1.parameters()) + list(model_2.parameters()), lr=0.1)
    for epoch in range(10):
        model_1.train()
        model_2.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model_1(x), y) + nn.functional.cross_entropy(model_2(x), y)
            loss.backward()
            optimizer.step()
        print(eval_both(test_loader, model_1, model_2))
"""
    def run(eval_call: str, guard: str) -> list[tuple[str, str]]:
        text = source.replace("EVAL", eval_call).replace("GUARD", guard)
        if guard.startswith("with"):
            text = text.replace("            logits = model(images)\n            correct", "                logits = model(images)\n            correct")
        return findings(text)

    assert run("model.eval()", "pass") == [("LC007", "logits = model(images)")]
    assert run("model.eval()", "with torch.no_grad():") == []
    assert run("pass", "pass") == []


def test_an_evaluation_whose_function_returns_only_fresh_detached_data_is_not_part_of_training() -> None:
    """A function that trains, then records each sample's probability after every epoch into a
    tensor it made (`res[index, e] = p.detach().cpu()`) and returns it: a caller that trains a
    second model on that tensor backwards none of the function's forwards, so the recording loop
    stays an evaluation pass. Control: returning the recording loop's last output (a graph) keeps
    it part of what the caller trains on."""
    source = """
def dynamics(model, optimizer, train_loader, n, epochs):
    res = torch.Tensor(n, epochs)
    for e in range(epochs):
        model.train()
        for x, y, index in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        for x, y, index in train_loader:
            logit = model(x)
            res[index, e] = logit.softmax(-1)[:, 0].detach().cpu()
    return RETURNED


model = Dropping()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
features = dynamics(model, optimizer, train_loader, 100, 10)
detector = Tiny()
detector_optimizer = torch.optim.SGD(detector.parameters(), lr=0.1)
for epoch in range(5):
    for start in range(0, 100, 10):
        detector_optimizer.zero_grad()
        nn.functional.cross_entropy(detector(features[start:start + 10]), labels[start:start + 10]).backward()
        detector_optimizer.step()
"""
    assert findings(source.replace("RETURNED", "res")) == [("LC007", "logit = model(x)")]
    assert findings(source.replace("RETURNED", "logit")) == []


def test_a_script_that_builds_its_optimizer_again_for_a_second_model_steps_that_model() -> None:
    """A script of two experiments reuses the name `optimizer`: the second `optimizer =
    Adam(net.parameters())` is the one in force in the second loop, so its step trains `net`, and a
    helper's `eval()` of `net` every few batches leaves the next training pass in eval mode. The
    first model (no dropout, no batch norm) needs no train(). Control: a `net.train()` after the
    helper call restores the mode."""
    experiment = """
{name} = {cls}()
optimizer = torch.optim.Adam({name}.parameters())
for epoch in range(20):
    for step, (x, y) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy({name}(x), y)
        if step % 60 == 0:
            show({name}, x)
            {after}
        loss.backward()
        optimizer.step()
"""
    source = """
def show(model, x):
    model = model.eval()
    with torch.no_grad():
        print(model(x))

""" + experiment.format(name="first", cls="Tiny", after="pass") + experiment.format(name="net", cls="Dropping", after="RESTORE")
    assert findings(source.replace("RESTORE", "pass")) == [("LC008", "show(net, x)")]
    assert findings(source.replace("RESTORE", "net.train()")) == []


def test_a_new_head_built_under_a_name_and_put_into_a_frozen_backbone_is_trainable() -> None:
    """`for p in model.parameters(): p.requires_grad = False`, then `classifier = nn.Sequential(...)`
    and `model.classifier = classifier`: the new head's parameters require grad, so the validation
    forward records a graph, as it does when the head is built in the assignment itself. Control:
    the frozen backbone without a new head records none."""
    source = """
model = Dropping()
for param in model.parameters():
    param.requires_grad = False
HEAD
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
for epoch in range(10):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    for x, y in valid_loader:
        output = model(x)
        print(nn.functional.cross_entropy(output, y).item())
"""
    named = "head = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.2))\nmodel.fc = head"
    assert findings(source.replace("HEAD", named)) == [("LC007", "output = model(x)")]
    assert findings(source.replace("HEAD", "model.fc = nn.Linear(4, 2)")) == [("LC007", "output = model(x)")]
    assert findings(source.replace("HEAD", "pass")) == []


def test_a_name_bound_in_several_arms_is_resolved_without_asking_the_grad_mode_it_enters() -> None:
    """A loss chosen in the arms of a test (`loss_func = nn.MSELoss()` / `nn.CrossEntropyLoss()`)
    and used in a training method: finding the binding in force asks which statements run in
    straight line, which must not ask the grad mode entering the function (that asks for the
    training steps, whose events ask for the binding again: the analysis recursed until Python
    stopped it, and every finding of the file was lost)."""
    source = """
class Trainer:
    def __init__(self, objective):
        self.model = Dropping()
        self.objective = objective

    def fit(self, train_loader, val_loader, epochs):
        optimizer = torch.optim.AdamW(self.model.parameters())
        if self.objective == "regression":
            loss_func = nn.MSELoss()
        elif self.objective == "classification":
            loss_func = nn.CrossEntropyLoss()
        else:
            loss_func = nn.BCEWithLogitsLoss()
        for epoch in range(epochs):
            for x, y in train_loader:
                out = self.model(x)
                loss = loss_func(out, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            val_loss = 0.0
            for x, y in val_loader:
                out = self.model(x)
                val_loss += loss_func(out, y)
        return val_loss
"""
    assert findings(source) == [("LC006", "out = self.model(x)"), ("LC007", "out = self.model(x)")]


def test_a_function_reading_a_global_model_built_again_and_put_in_eval_mode_sees_that_mode() -> None:
    """A script trains `model = Dropping()`, then builds `model = Dropping()` again, loads the
    weights and calls `model.eval()`; `def test(): ... model.forward(x)` reads the global: the mode
    set on the module's `model` covers it, whichever of the two bindings the function is taken to
    read (only optimizers are told apart by the binding in force)."""
    source = """
model = Dropping()
optimizer = torch.optim.Adam(model.parameters())


def train():
    for x, y in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


for epoch in range(5):
    train()
torch.save(model.state_dict(), "model.pt")

model = Dropping()
model.load_state_dict(torch.load("model.pt"))
model.eval()


def test():
    with torch.no_grad():
        for x, y in test_loader:
            out = model.forward(x)
            print((out.argmax(1) == y).float().mean().item())


test()
"""
    assert findings(source) == []
    assert findings(source.replace("model.eval()\n", "")) == [("LC006", "out = model.forward(x)")]


def test_monte_carlo_predictions_on_held_out_data_bound_above_the_loop_are_a_pass() -> None:
    """`x_pred = torch.tensor(x_tst)` above `for i in range(100): preds =
    net.network.forward(x_pred).cpu().data.numpy()`, after the training a helper ran: a hundred
    predictions of the trained network on held-out data (`tst` names it as `test` does), with grad
    enabled. Control: the same loop over the training inputs is no evaluation that can be told."""
    source = """
class Wrapper:
    def __init__(self):
        self.network = Dropping()
        self.optimizer = torch.optim.Adam(self.network.parameters())

    def fit(self, x, y):
        self.optimizer.zero_grad()
        nn.functional.mse_loss(self.network(x), y).backward()
        self.optimizer.step()


def train(x, y, epochs):
    net = Wrapper()
    for epoch in range(epochs):
        net.fit(x, y)
    return net


def main(x_trn, y_trn, x_tst):
    net = train(x_trn, y_trn, 100)
    x_pred = torch.tensor(INPUT)
    samples = []
    for i in range(100):
        preds = net.network.forward(x_pred).cpu().data.numpy()
        samples.append(preds[:, 0])
    return samples


main(x_trn, y_trn, x_tst)
"""
    assert findings(source.replace("INPUT", "x_tst")) == [("LC007", "preds = net.network.forward(x_pred).cpu().data.numpy()")]
    assert findings(source.replace("INPUT", "x_trn")) == []


def test_dropout_switched_on_for_sampling_and_off_again_leaves_a_loaded_model_in_eval_mode() -> None:
    source = """
        def load_model(path):
            model = Dropping()
            model.load_state_dict(torch.load(path))
            model.eval()
            return model

        def enable_dropout(model):
            for m in model.modules():
                if isinstance(m, nn.Dropout):
                    m.train()

        def mc_predict(model, x, passes=20):
            model.eval()
            enable_dropout(model)
            with torch.no_grad():
                samples = [model(x) for _ in range(passes)]
            RESTORE
            return torch.stack(samples)

        @torch.no_grad()
        def batch_predict(model, batches):
            return [model(x).cpu().numpy() for x in batches]

        model = load_model("net.pt")
        print(batch_predict(model, test_batches))
        mean = mc_predict(model, x_test).mean(0)
        print(batch_predict(model, test_batches))
    """
    # the sampling helper puts the whole model back in eval mode: every pass runs in it
    assert findings(source.replace("RESTORE", "model.eval()")) == []
    # without the restore, its dropout layers stay in training mode for every later pass
    assert ("LC006", "return [model(x).cpu().numpy() for x in batches]") in findings(source.replace("RESTORE", "pass"))


def test_a_library_function_that_runs_the_model_it_is_handed_is_a_forward_of_it() -> None:
    source = """
        from monai.inferers import sliding_window_inference

        model = Dropping()
        model.load_state_dict(torch.load("best.pt"))
        SWITCH
        with torch.no_grad():
            for batch in test_loader:
                pred = sliding_window_inference(batch["image"], (96, 96), 4, model, overlap=0.5)
                dice(pred, batch["label"])
    """
    # MONAI's sliding window runs the predictor as it is: a dropout model left in training mode
    assert findings(source.replace("SWITCH", "pass")) == [
        ("LC006", 'pred = sliding_window_inference(batch["image"], (96, 96), 4, model, overlap=0.5)')
    ]
    assert findings(source.replace("SWITCH", "model.eval()")) == []
    # a project function of that name is read for what it does, not taken for the library's
    local = source.replace("from monai.inferers import sliding_window_inference", "def sliding_window_inference(x, roi, n, net, overlap):\n            return x")
    assert findings(local.replace("SWITCH", "pass")) == []


def test_a_model_built_from_the_class_a_factory_hands_back_and_renamed_for_evaluation_is_trained(tmp_path: Path) -> None:
    (tmp_path / "nets.py").write_text(textwrap.dedent("""
        import torch.nn as nn


        class Flow(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.enc = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.2))
                self.head = nn.Linear(4, 2)

            def inference_flow(self, a, b):
                return self.head(self.enc(a) - self.enc(b))

            def forward(self, a, b):
                return self.head(self.enc(a) + self.enc(b)).pow(2).mean()
    """))
    (tmp_path / "factory.py").write_text(textwrap.dedent("""
        from nets import Flow


        def get_model(mode):
            if mode == "flow":
                return Flow
            raise ValueError(mode)
    """))
    (tmp_path / "evalkit.py").write_text(textwrap.dedent("""
        GUARD
        def test_pairs(model, pairs):
            flows = []
            for a, b in pairs:
                flow = model.inference_flow(a, b)
                flows.append(flow[0].detach().cpu().numpy())
            return flows
    """))
    (tmp_path / "train.py").write_text(textwrap.dedent("""
        import torch
        from factory import get_model
        from evalkit import test_pairs

        model = get_model(MODE)(CFG)
        optimizer = torch.optim.Adam(model.parameters())
        for it, (a, b) in enumerate(loader):
            if (it + 1) % 100 == 0:
                model.eval()
                model_eval = model
                res = test_pairs(model_eval, val_pairs)
                model.train()
            loss = model(a, b)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    """))
    evalkit = tmp_path / "evalkit.py"
    source = evalkit.read_text()

    def found() -> list[tuple[str, str, int]]:
        result = lint_paths([tmp_path], root=tmp_path)
        return [(f.code, Path(f.path).name, f.line) for f in result.findings]

    # `get_model(MODE)` hands back the class `Flow`: the model is a Flow, whose `inference_flow` is
    # a forward; `model_eval` is the trained model under another name, not a fresh one
    evalkit.write_text(source.replace("GUARD", "import torch"))
    assert found() == [("LC007", "evalkit.py", 6)]
    evalkit.write_text(source.replace("GUARD", "import torch\n@torch.no_grad()"))
    assert found() == []


def test_a_periodic_checkpoint_of_an_optimizer_handed_in_from_out_of_sight_keeps_its_scheduler(tmp_path: Path) -> None:
    (tmp_path / "trainer.py").write_text(textwrap.dedent("""
        import torch.nn.functional as F


        class Trainer:
            def __init__(self, loader, model, optimizer):
                self.loader, self.model, self.optimizer = loader, model, optimizer

            def train(self):
                self.model.train()
                for x, y in self.loader:
                    self.optimizer.zero_grad()
                    loss = F.cross_entropy(self.model(x), y)
                    loss.backward()
                    self.optimizer.step()
                return loss
    """))
    (tmp_path / "plan.py").write_text(textwrap.dedent("""
        import torch
        from torch import optim
        from trainer import Trainer


        class Plan:
            def __init__(self, model, optimizer, data, epochs):
                self.model, self.optimizer, self.data, self.epochs = model, optimizer, data, epochs

            def task(self):
                scheduler = optim.lr_scheduler.StepLR(self.optimizer, step_size=20, gamma=0.5)
                trainer = Trainer(self.data, model=self.model, optimizer=self.optimizer)
                for epoch in range(1, self.epochs + 1):
                    trainer.train()
                    scheduler.step()
                    if epoch % 5 == 0:
                        bundle = {
                            "epochs": epoch,
                            "model_state_dict": self.model.state_dict(),
                            "optim_state_dict": self.optimizer.state_dict(),
                            EXTRA
                        }
                        torch.save(bundle, f"plan-{epoch}.pkl")
    """))
    plan = tmp_path / "plan.py"
    source = plan.read_text()

    def found() -> list[tuple[str, int]]:
        return [(f.code, f.line) for f in lint_paths([tmp_path], root=tmp_path).findings]

    # the optimizer whose state it saves was built by whoever made the plan: what it trains is
    # saved every five epochs, and resuming restarts the schedule stepped beside it
    plan.write_text(source.replace("EXTRA", ""))
    assert found() == [("LC012", 24)]
    plan.write_text(source.replace("EXTRA", '"scheduler": scheduler.state_dict(),'))
    assert found() == []


def test_each_model_a_pass_runs_needs_its_own_eval() -> None:
    source = """
        classifier = Dropping()
        generator = Dropping()
        classifier.load_state_dict(torch.load("cls.pt"))
        generator.load_state_dict(torch.load("gen.pt"))
        classifier.eval()
        SWITCH
        errors = 0
        with torch.no_grad():
            for x, y in test_loader:
                direct = classifier(x).softmax(1)
                translated = classifier(generator(x)).softmax(1)
                errors += ((direct + translated).argmax(1) != y).sum().item()
    """
    # `classifier.eval()` leaves the generator's dropout on: its outputs, and the errors, vary
    assert findings(source.replace("SWITCH", "pass")) == [("LC006", "translated = classifier(generator(x)).softmax(1)")]
    assert findings(source.replace("SWITCH", "generator.eval()")) == []
    # a pass with no eval() at all is one finding, at its first call: one fix covers its models
    assert findings(source.replace("classifier.eval()", "pass").replace("SWITCH", "pass")) == [
        ("LC006", "direct = classifier(x).softmax(1)")
    ]
    # parts of one model are the model: `net.eval()` covers both, and one finding would say it for both
    parts = """
        class Pair(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = Dropping()
                self.decoder = Dropping()

        net = Pair()
        net.load_state_dict(torch.load("pair.pt"))
        SWITCH
        with torch.no_grad():
            for x, y in test_loader:
                errors = (net.decoder(net.encoder(x)).argmax(1) != y).sum().item()
    """
    assert findings(parts.replace("SWITCH", "net.eval()")) == []
    assert [code for code, _ in findings(parts.replace("SWITCH", "pass"))] == ["LC006"]


def test_predictions_compared_with_the_labels_of_a_loader_are_scored_not_inspected() -> None:
    source = """
        model = Dropping()
        model.eval()
        model.load_state_dict(torch.load("captcha.pt"))
        right = 0
        for x, y in test_loader:
            pred = model(x)
            if torch.equal(COMPARED, y.squeeze(0)):
                right += 1
        print(right / len(test_loader))
    """
    # the argmax of each prediction against the label: an accuracy, computed with grad on
    assert findings(source.replace("COMPARED", "pred.argmax(dim=1)")) == [("LC007", "pred = model(x)")]
    # the output's shape against the label's: a check that the code runs, nothing evaluated
    assert findings(source.replace("COMPARED", "torch.tensor(pred.shape)").replace("right += 1", "print(pred.shape)")) == []


def test_a_sample_drawn_step_by_step_from_the_trained_model_is_an_evaluation_pass() -> None:
    source = """
        def train(model, loader, optimizer):
            for x, t in loader:
                optimizer.zero_grad()
                (model(x) - t).pow(2).mean().backward()
                optimizer.step()

        def sample(model, n, steps=100):
            x = torch.randn(n, 4)
            for step in range(steps):
                mean = x - 0.1 * model(x)
                x = NEXT
            return x

        if __name__ == "__main__":
            model = Tiny4()
            optimizer = torch.optim.Adam(model.parameters())
            FIRST
            SECOND
            plt.plot(x[:, 0], x[:, 1])
    """
    source = source.replace("Tiny4()", "nn.Linear(4, 4)")
    after = source.replace("FIRST", "train(model, loader, optimizer)").replace("SECOND", "x = sample(model, 1000)")
    # the model's output fed back as its next input, once training is over: samples, with grad on
    assert findings(after.replace("NEXT", "mean + 0.01 * torch.randn_like(x)")) == [("LC007", "mean = x - 0.1 * model(x)")]
    # drawn before training, the samples show an untrained model: nothing is evaluated yet
    before = source.replace("FIRST", "x = sample(model, 1000)").replace("SECOND", "train(model, loader, optimizer)")
    assert findings(before.replace("NEXT", "mean + 0.01 * torch.randn_like(x)")) == []
    # a loop that never feeds the output back is no sampling (what it is, its name does not say)
    assert findings(after.replace("NEXT", "torch.randn(n, 4)")) == []


def test_a_loader_returning_several_models_each_put_in_eval_mode_hands_them_back_in_it() -> None:
    source = """
        def load_models(path):
            first, second = Dropping(), Dropping()
            first.load_state_dict(torch.load(path + "/a.pt"))
            second.load_state_dict(torch.load(path + "/b.pt"))
            return RETURNED

        def collect(first, second, loader):
            with torch.inference_mode():
                for x, y in loader:
                    scores = first(x).softmax(1) + second(x).softmax(1)
                    print((scores.argmax(1) == y).float().mean())

        if __name__ == "__main__":
            first, second, meta = load_models("ckpt")
            collect(first, second, test_loader)
    """
    assert findings(source.replace("RETURNED", "first.eval(), second.eval(), {}")) == []
    # (the element each name takes: a model handed back in training mode is still one)
    assert findings(source.replace("RETURNED", "first.eval(), second, {}")) == [
        ("LC006", "scores = first(x).softmax(1) + second(x).softmax(1)")
    ]


def test_a_part_put_back_in_training_mode_after_the_whole_was_switched_is_chosen_on_purpose() -> None:
    source = """
        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = Dropping()
                self.classifier = nn.Linear(2, 2)

            def forward(self, x):
                return self.classifier(self.backbone(x))

        model = Classifier()
        optimizer = torch.optim.AdamW(model.classifier.parameters(), lr=1e-3)
        for epoch in range(10):
            model.eval()
            PART
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
    """
    # the frozen backbone kept in eval mode, the trained head in training mode: both chosen
    assert findings(source.replace("PART", "model.classifier.train()")) == []
    assert findings(source.replace("PART", "pass")) == [("LC008", "model.eval()")]


def test_a_model_method_whose_parts_run_through_their_own_methods_under_no_grad_records_no_graph() -> None:
    source = """
        class Flow(nn.Module):
            def __init__(self, flows):
                super().__init__()
                self.flows = nn.ModuleList(flows)

            def forward_flow(self, x):
                for flow in self.flows:
                    x = flow.forward_flow(x)
                return x

            def inverse_flow(self, z):
                for flow in reversed(self.flows):
                    z = flow.inverse_flow(z)
                return z

        class Wrapper(nn.Module):
            def __init__(self):
                super().__init__()
                self.model = Flow(make_blocks(4))
                self.optimizer = torch.optim.Adam(self.model.parameters())

            def fit(self, x):
                loss = self.model.forward_flow(x).pow(2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

            def sample(self, n):
                GUARD
                    z = torch.randn(n, 4)
                    x = self.model.inverse_flow(z)
                return x

        def show(model):
            model.model.eval()
            images = model.sample(10)
            plt.imshow(images.numpy())

        if __name__ == "__main__":
            model = Wrapper()
            for x in train_loader:
                model.fit(x)
            show(model)
    """
    assert findings(source.replace("GUARD", "with torch.no_grad():")) == []
    assert findings(source.replace("GUARD", "if True:")) == [("LC007", "images = model.sample(10)")]


def test_a_rollout_helper_that_training_backwards_through_and_a_play_script_reuses(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn


        class Agent(nn.Module):
            def __init__(self):
                super().__init__()
                self.policy = nn.Linear(4, 2)
                self.value = nn.Linear(4, 1)

            def forward(self, s):
                dist = torch.distributions.Categorical(logits=self.policy(s))
                a = dist.sample()
                return a, dist.log_prob(a), self.value(s)


        def run(agent, env, max_steps=1000):
            s = env.reset()
            probs, rewards, values = [], [], []
            for step in range(max_steps):
                a, log_prob, v = agent.forward(torch.as_tensor(s).view(1, -1))
                s, r, done, info = env.step(a.item())
                probs.append(log_prob)
                rewards.append(r)
                values.append(v)
                if done:
                    break
            return probs, rewards, values
    """))
    (tmp_path / "train.py").write_text(textwrap.dedent("""
        import torch
        from agent import Agent, run

        agent = Agent()
        optimizer = torch.optim.Adam(agent.parameters())
        for episode in range(500):
            probs, rewards, values = run(agent, env)
            returns = torch.tensor(rewards).flip(0).cumsum(0).flip(0)
            values = torch.cat(values).squeeze(1)
            loss = -(torch.cat(probs) * (returns - values.detach())).sum() + (returns - values).pow(2).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        torch.save(agent.state_dict(), "agent.pth")
    """))
    play = tmp_path / "play.py"
    source = textwrap.dedent("""
        import torch
        from agent import Agent, run

        agent = Agent()
        LOAD
        probs, rewards, values = run(agent, env)
        print(sum(rewards))
    """)

    def found() -> list[tuple[str, str, int]]:
        return [(f.code, Path(f.path).name, f.line) for f in lint_paths([tmp_path], root=tmp_path).findings]

    # training backwards the rollout's log-probs and values: collecting them is its job (no LC009);
    # the play script runs the trained agent for its reward with grad on: that pass is the finding
    play.write_text(source.replace("LOAD", 'agent.load_state_dict(torch.load("agent.pth"))'))
    assert found() == [("LC007", "agent.py", 22)]
    # an agent never trained or loaded plays to show the code runs: nothing evaluated
    play.write_text(source.replace("LOAD", "pass"))
    assert found() == []


def test_outputs_of_the_slices_of_one_input_kept_per_key_and_joined_are_the_callers_value() -> None:
    source = """
        class Renderer:
            def __init__(self, net):
                self.net = net

            def render_rays(self, rays):
                out = self.net(rays)
                return {"rgb": out[:, :2], "acc": out[:, 2:]}

            def batchify_rays(self, rays, chunk=1024):
                all_ret = {}
                for i in RANGE:
                    ret = self.render_rays(SLICE)
                    for k in ret:
                        if k not in all_ret:
                            all_ret[k] = []
                        all_ret[k].append(ret[k])
                all_ret = {k: torch.cat(all_ret[k], 0) for k in all_ret}
                return all_ret

            def render(self, rays):
                out = self.batchify_rays(rays.reshape(-1, 4))
                return out["rgb"], out["acc"]

        net = Tiny()
        renderer = Renderer(net)
        optimizer = torch.optim.Adam(net.parameters())
        for rays, target in train_loader:
            optimizer.zero_grad()
            rgb, acc = renderer.render(rays)
            (rgb - target).pow(2).mean().backward()
            optimizer.step()
    """
    # one forward run in slices of its rays, each slice's outputs kept per key until joined: the
    # loss of the same iteration needs the graph of every slice
    chunked = source.replace("RANGE", "range(0, rays.shape[0], chunk)").replace("SLICE", "rays[i:i + chunk]")
    assert findings(chunked) == []
    # (so are the outputs of separate inputs joined into what a caller's loss backwards)
    separate = source.replace("RANGE", "range(len(rays))").replace("SLICE", "rays[i]")
    assert findings(separate) == []


def test_functions_a_script_hands_to_fire_are_commands_run_as_the_program_starts() -> None:
    source = """
        class Generator:
            def __init__(self, path):
                self.model = Dropping()
                self.model.load_state_dict(torch.load(path))

            def predict(self, x, n):
                self.model.eval()
                outputs = []
                for i in range(n):
                    out = self.model(x)
                    outputs.append(out.argmax(1).tolist())
                    x = out
                return outputs

        def predict(path, n=10):
            print(Generator(path).predict(torch.randn(1, 4), n))

        if __name__ == "__main__":
            import fire
            LAUNCH
    """
    # `fire.Fire()` makes every top-level function a command: `python gen.py predict ckpt.pt`
    assert findings(source.replace("LAUNCH", "fire.Fire()")) == [("LC007", "out = self.model(x)")]
    # a function nothing calls, names or hands on never runs
    assert findings(source.replace("LAUNCH", "pass")) == []


def test_a_policy_a_library_loader_hands_back_and_played_in_test_episodes_is_evaluated() -> None:
    source = """
        import mlflow

        def run_agent(actor, env, episodes):
            for e in range(episodes):
                state, done = env.reset(), False
                while not done:
                    action = actor(torch.as_tensor(state))
                    state, reward, done, _ = env.step(action.detach().numpy())

        def main():
            actor = LOADER
            actor.eval()
            run_agent(actor, env, 100)

        if __name__ == "__main__":
            main()
    """
    # a whole model read back from where a tracking library saved it: a trained policy's test games
    assert findings(source.replace("LOADER", 'mlflow.pytorch.load_model("runs/actor")')) == [
        ("LC007", "action = actor(torch.as_tensor(state))")
    ]
    # (one built here and never trained or loaded plays to show the code runs)
    assert findings(source.replace("LOADER", "Tiny()")) == []


def test_a_feature_transform_built_from_the_settings_it_is_given_holds_no_parameter() -> None:
    source = """
        import torchaudio

        class MelSpectrogram(nn.Module):
            def __init__(self, params):
                super().__init__()
                self.pad_value = params.pad_value
                self.mel = BUILT

            def forward(self, audio):
                return self.mel(audio).clamp_(min=self.pad_value).log_()

        def process_epoch(model, optimizer, spectrogramer, loader, train=True):
            model.train() if train else model.eval()
            for waveforms, target in loader:
                melspecs = spectrogramer(waveforms)
                optimizer.zero_grad()
                with torch.set_grad_enabled(train):
                    loss = nn.functional.mse_loss(model(melspecs), target)
                    if train:
                        loss.backward()
                        optimizer.step()

        model = Dropping()
        optimizer = torch.optim.Adam(model.parameters())
        spectrogramer = MelSpectrogram(params)
        for epoch in range(10):
            process_epoch(model, optimizer, spectrogramer, train_loader, train=True)
            process_epoch(model, optimizer, spectrogramer, valid_loader, train=False)
    """
    # a torchaudio transform made from the settings handed in: no parameter, no graph to record
    assert findings(source.replace("BUILT", "torchaudio.transforms.MelSpectrogram(sample_rate=params.sample_rate)")) == []
    # a layer with weights made the same way is a network run with grad on in validation
    assert findings(source.replace("BUILT", "nn.Linear(params.n_fft, params.n_mels)")) == [("LC007", "melspecs = spectrogramer(waveforms)")]
    # the pass is the model's that follows the transform: with grad on, it is reported there
    ungarded = source.replace("with torch.set_grad_enabled(train):", "if True:")
    assert findings(ungarded.replace("BUILT", "torchaudio.transforms.MelSpectrogram(sample_rate=params.sample_rate)")) == [
        ("LC007", "loss = nn.functional.mse_loss(model(melspecs), target)")
    ]


def test_a_helper_run_once_on_a_model_every_caller_loads_first_is_inference() -> None:
    source = """
        def run_image_once(net, image):
            logits, embedding = net.forward(image), None
            mask = logits.cpu().detach().numpy()[0]
            return cluster(mask)

        if __name__ == "__main__":
            net = Dropping()
            LOAD
            lanes = run_image_once(net, torch.from_numpy(read_image(path)))
            plot(lanes)
    """
    # the weights loaded just before: a trained model brought back to be used, in training mode
    assert findings(source.replace("LOAD", 'net.load_state_dict(torch.load("lanenet.model"))')) == [
        ("LC006", "logits, embedding = net.forward(image), None"),
        ("LC007", "logits, embedding = net.forward(image), None"),
    ]
    # a model built and run once, never trained or loaded, shows that the code runs
    assert findings(source.replace("LOAD", "pass")) == []


def test_a_preprocessing_pipeline_named_like_a_model_is_no_model() -> None:
    source = """
        from torchvision import transforms

        def predict(path, transformer):
            image_tensor = torch.unsqueeze(transformer(load(path)), dim=0)
            predictions = model(image_tensor)
            return predictions.softmax(1).detach().numpy()

        if __name__ == "__main__":
            model = Dropping()
            model.load_state_dict(torch.load("best.pt"))
            model.eval()
            transformer = BUILT
            for name in names:
                print(predict(name, transformer))
    """
    # `transforms.Compose([...])`: it prepares the input; the pass is the model's
    assert findings(source.replace("BUILT", "transforms.Compose([transforms.ToTensor()])")) == [
        ("LC007", "predictions = model(image_tensor)")
    ]
    # (a network of that name, with weights loaded, is one: it runs first, in training mode)
    network = source.replace("BUILT", 'Dropping()\n            transformer.load_state_dict(torch.load("t.pt"))')
    assert [code for code, _ in findings(network)] == ["LC006", "LC007"]


def test_a_method_that_runs_the_parts_of_a_container_holding_batch_norm_needs_eval() -> None:
    source = """
        class VAE(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.ModuleList([nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2)])
                self.heads = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
                self.decoder = nn.Linear(2, 4)

            def encode(self, x):
                for m in ITER:
                    x = m(x)
                return x

            def forward(self, x):
                return self.decoder(self.encode(x))

        def main():
            model = VAE()
            model.load_state_dict(torch.load("vae.pt"))
            for x, y in pairs:
                z = model.encode(x)
                save_image(model.decoder(z), "z.png")

        if __name__ == "__main__":
            main()
    """
    # the loop's parts come from the container built with a BatchNorm1d: the method runs it
    assert findings(source.replace("ITER", "self.encoder")) == [("LC006", "z = model.encode(x)"), ("LC007", "z = model.encode(x)")]
    # a container built of linear layers alone runs none
    assert findings(source.replace("ITER", "self.heads")) == [("LC007", "z = model.encode(x)")]


def test_a_mode_switch_in_an_arm_that_excludes_the_pass_does_not_reach_it() -> None:
    source = """
        class Runner:
            def __init__(self, net, optimizer):
                self.net = net
                self.optimizer = optimizer

            def fit(self, loader):
                self.net.train()
                for x, y in loader:
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.net(x), y).backward()
                    self.optimizer.step()
                self.net.eval()

            def test(self, loader):
                for x, y in loader:
                    print(self.net(x).argmax(1))

        def main(args):
            net = Dropping()
            net.load_state_dict(torch.load("net.pt"))
            runner = Runner(net, torch.optim.SGD(net.parameters(), lr=0.1))
            if args.training:
                runner.fit(train_loader)
            ARM
                runner.test(test_loader)

        if __name__ == "__main__":
            main(parse())
    """
    # `elif`: the arm that trains (and ends in eval mode) never runs before the test
    assert findings(source.replace("ARM", "elif args.testing:")) == [
        ("LC006", "print(self.net(x).argmax(1))"), ("LC007", "print(self.net(x).argmax(1))")
    ]
    # a test of its own may follow the training arm: its eval() may be in force
    assert findings(source.replace("ARM", "if args.testing:")) == [("LC007", "print(self.net(x).argmax(1))")]


def test_a_scripts_score_of_held_out_data_in_eval_mode_before_training_is_a_baseline() -> None:
    source = """
        model = Dropping()
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        MODE
        Y_pred = model(DATA)
        before = criterion(Y_pred, Y_val)
        print(f"loss before training: {before.item():.3f}")
        model.train()
        for epoch in range(10):
            optimizer.zero_grad()
            loss = criterion(model(X_train), Y_train)
            loss.backward()
            optimizer.step()
    """
    # put in eval mode to score held-out data: a baseline, whose graph is built for nothing
    assert findings(source.replace("MODE", "model.eval()").replace("DATA", "X_val")) == [("LC007", "Y_pred = model(X_val)")]
    # one forward of the untrained model as it was built shows what it does before training
    assert findings(source.replace("MODE", "pass").replace("DATA", "X_val")) == []
    # and so does one on the training data
    assert findings(source.replace("MODE", "model.eval()").replace("DATA", "X_train")) == []
    # the score after training is a pass of its own, beside the baseline
    scored_after = source.replace("MODE", "model.eval()").replace("DATA", "X_val").rstrip(" ") + (
        "        model.eval()\n        after = criterion(model(X_test), Y_test)\n"
    )
    assert findings(scored_after) == [("LC007", "Y_pred = model(X_val)"), ("LC007", "after = criterion(model(X_test), Y_test)")]


def test_the_printed_output_of_weights_just_loaded_is_a_prediction() -> None:
    source = """
        model = Dropping()
        LOAD
        model.eval()
        image = load_image("u1.jpg")
        output = model(image)
        print(output)
    """
    # the weights were loaded to be used: what it prints is its prediction
    assert findings(source.replace("LOAD", 'model.load_state_dict(torch.load("model.pt"))')) == [("LC007", "output = model(image)")]
    # a model as built, its output printed: a look at what the code does
    assert findings(source.replace("LOAD", "pass")) == []
    # and so is one of loaded weights run on a tensor drawn from a shape
    probe = source.replace("LOAD", 'model.load_state_dict(torch.load("model.pt"))').replace('load_image("u1.jpg")', "torch.randn(1, 4)")
    assert findings(probe) == []


def test_a_new_head_sized_from_the_old_one_thaws_a_frozen_backbone() -> None:
    source = """
        model = torchvision.models.resnet50(pretrained=True)
        for param in model.parameters():
            param.requires_grad = False
        HEAD
        optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.001)
        for x, y in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()

        def predict(path):
            model.eval()
            scores = model(load(path))
            return torch.max(scores.data, 1)

        print(predict("dog.jpg"))
    """
    # `nn.Linear(model.fc.in_features, 133)` reads the old head's size: the new head is trainable
    assert findings(source.replace("HEAD", "model.fc = nn.Linear(model.fc.in_features, 133)")) == [("LC007", "scores = model(load(path))")]
    # wrapping the old head keeps its frozen parameters: every parameter stays frozen
    assert findings(source.replace("HEAD", "model.fc = nn.DataParallel(model.fc)")) == []


def test_a_scripts_name_bound_again_is_judged_by_the_assignment_in_force_at_the_call() -> None:
    source = """
        def load_model(path):
            net = Dropping()
            net.load_state_dict(torch.load(path))
            net.eval()
            return net

        def predict(model):
            return [model(x).argmax(1) for x, _ in test_loader]

        model = Dropping()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        torch.save(model.state_dict(), "m.pt")

        model = AGAIN
        preds = predict(model)
    """
    # the model in force at the call comes from a loader that puts it in eval mode
    assert findings(source.replace("AGAIN", 'load_model("m.pt")')) == [("LC007", "return [model(x).argmax(1) for x, _ in test_loader]")]
    # one built afresh there is in training mode
    assert [code for code, _ in findings(source.replace("AGAIN", "Dropping()"))] == ["LC006", "LC007"]


def test_a_class_defined_again_in_a_later_cell_builds_nothing_before_it() -> None:
    plain = """
        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)
    """
    dropping = """
        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.dropout = nn.Dropout(0.2)

            def forward(self, x):
                return self.fc(self.dropout(x))
    """
    run = """
        model = Classifier()
        optimizer = torch.optim.Adam(model.parameters())
        for x, y in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            for x, y in test_loader:
                print((model(x).argmax(1) == y).float().mean().item())
        MODE
    """
    first = run.replace("MODE", "")
    second = run.replace("MODE", "").replace("with torch.no_grad():", "model.eval()\n        with torch.no_grad():")
    # the cell that trains first runs the class defined above it, with no dropout
    assert findings(plain + first + dropping + second) == []
    # (the other way round, its dropout is still on in the first pass)
    assert findings(dropping + first + plain + second) == [("LC006", "print((model(x).argmax(1) == y).float().mean().item())")]


def test_a_loss_scaled_by_amp_in_a_with_block_is_that_loss_accumulated() -> None:
    source = """
        from apex import amp

        accumulation_steps = 2
        model, optimizer = amp.initialize(Tiny(), torch.optim.Adam(params), opt_level="O1")
        for i, (x, y) in enumerate(loader):
            loss = LOSS
            with amp.scale_loss(loss, optimizer) as scaled_loss:
                scaled_loss.backward()
            if (i + 1) % accumulation_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
    """
    # `scaled_loss` is `loss` scaled for fp16: undivided, each step adds two batches' gradients
    assert findings(source.replace("LOSS", "F.cross_entropy(model(x), y)")) == [("LC010", "scaled_loss.backward()")]
    assert findings(source.replace("LOSS", "F.cross_entropy(model(x), y) / accumulation_steps")) == []


def test_a_trainers_module_zero_grad_resets_the_optimizer_built_over_that_module() -> None:
    source = """
        class Trainer:
            def __init__(self, generator, discriminator, g_optimizer, d_optimizer):
                self.generator = generator
                self.discriminator = discriminator
                self.g_optimizer = g_optimizer
                self.d_optimizer = d_optimizer

            def training_step(self, x, z):
                RESET_D
                d_loss = F.softplus(-self.discriminator(x)).mean() + F.softplus(self.discriminator(self.generator(z).detach())).mean()
                d_loss.backward()
                self.d_optimizer.step()
                self.generator.zero_grad()
                g_loss = F.softplus(-self.discriminator(self.generator(z))).mean()
                g_loss.backward()
                self.g_optimizer.step()

        g = Tiny()
        d = Tiny()
        g_optimizer = torch.optim.Adam(params=g.parameters())
        d_optimizer = torch.optim.Adam(params=d.parameters())
        trainer = Trainer(g, d, g_optimizer, d_optimizer)
        for x, z in loader:
            trainer.training_step(x, z)
    """
    # `self.discriminator` is `d`, whose parameters `self.d_optimizer` steps: its gradients are reset
    assert findings(source.replace("RESET_D", "self.discriminator.zero_grad()")) == []
    # resetting the generator before the discriminator's step leaves the discriminator's to pile up
    assert [code for code, _ in findings(source.replace("RESET_D", "self.generator.zero_grad()"))] == ["LC001"]


def test_a_scripts_function_whose_only_call_is_commented_out_never_runs() -> None:
    source = """
        def train(model, loader, optimizer):
            losses = []
            for x, y in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                losses.append(loss)
            return losses

        def graph_train():
            model = Tiny()
            return train(model, loader, torch.optim.Adam(model.parameters()))

        if __name__ == "__main__":
            CALL
    """
    # the call left as a comment runs nothing: neither function ever runs
    assert findings(source.replace("CALL", "# graph_train()\n            pass")) == []
    assert findings(source.replace("CALL", "graph_train()")) == [("LC009", "losses.append(loss)")]


def test_a_parameter_every_caller_fills_with_a_model_is_a_model() -> None:
    seq2seq = """
        class Seq2Seq(nn.Module):
            def __init__(self):
                super().__init__()
                self.enc = nn.Linear(4, 4)
                self.dec = nn.Linear(4, 4)

            def encode(self, x):
                return self.enc(x)

            def decode(self, y, memory):
                return self.dec(y + memory)

            def forward(self, x):
                return self.dec(self.encode(x))
    """
    source = seq2seq + """
        def greedy_decode(model, src, max_len=5):
            memory = model.encode(src)
            ys = src
            for step in range(max_len):
                out = model.decode(ys, memory)
                _, next_word = torch.max(out, dim=1)
                ys = torch.cat([ys, next_word[:, None]], dim=1)
            return ys

        def translate(model, sentence):
            model.eval()
            return greedy_decode(model, tokenize(sentence))

        model = Seq2Seq()
        optimizer = torch.optim.Adam(model.parameters())
        for x, y in loader:
            optimizer.zero_grad()
            F.mse_loss(model(x), y).backward()
            optimizer.step()
        print(translate(model, "ein satz"))
    """ + seq2seq + """
        model = Seq2Seq()
        model.load_state_dict(torch.load("seq2seq.pt"))
        print(translate(model, "noch ein satz"))
    """
    # a notebook that defines the class again in a later cell: the callers hand in models of two
    # classes; the parameter is a model either way, and `model.encode` runs it
    assert findings(source) == [("LC007", "memory = model.encode(src)")]


def test_a_model_method_that_only_applies_its_loss_module_runs_no_network() -> None:
    source = textwrap.dedent("""
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.criterion = nn.MSELoss()

            def forward(self, x):
                return self.fc(x)

            def true_loss(self, out, target):
                return self.criterion(out, target)

            def scored_loss(self, x, target):
                return self.criterion(self.fc(x), target)
    """)
    from loopcheck.model import LoopModel
    from loopcheck.source import parse

    model = LoopModel(parse(source), path="net.py")
    methods = model.ir.top_classes["Net"].methods
    # a loss applied to outputs already made runs no network; one that runs a layer first does
    assert not model.runs_forward(methods["true_loss"])
    assert model.runs_forward(methods["scored_loss"])


def test_a_model_whose_forward_differentiates_its_output_needs_grad() -> None:
    source = """
        class FirstOrderNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.linear1 = nn.Linear(1, 10)
                self.linear2 = nn.Linear(10, 1)

            def forward(self, x):
                out = self.linear2(torch.sigmoid(self.linear1(x)))
                DERIVATIVE
                return out, dy_dx

        x = torch.linspace(0, 1, 100).reshape(-1, 1).requires_grad_()
        model = FirstOrderNet()
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(100):
            optimizer.zero_grad()
            y, dy_dx = model(x)
            ((dy_dx - 2 * y) ** 2).mean().backward()
            optimizer.step()
        model.eval()
        y_pred, dy_dx = model(x_test)
        plt.plot(y_pred.detach().numpy())
    """
    # the forward takes the derivative of its output: it cannot run under no_grad
    derivative = "dy_dx = torch.autograd.grad(out, x, grad_outputs=torch.ones_like(out), create_graph=True)[0]"
    assert findings(source.replace("DERIVATIVE", derivative)) == []
    # a forward that only computes its output can
    assert findings(source.replace("DERIVATIVE", "dy_dx = out * 2")) == [("LC007", "y_pred, dy_dx = model(x_test)")]


def test_a_method_whose_only_call_is_commented_out_never_runs() -> None:
    source = """
        class Trainer(Logging):
            def __init__(self, model, loader, val_loader):
                self.model = model
                self.loader = loader
                self.val_loader = val_loader
                self.optimizer = torch.optim.Adam(model.parameters())

            def run_epoch(self, loader, train=True):
                for x, y in loader:
                    loss = F.cross_entropy(self.model(x), y)
                    if train:
                        self.optimizer.zero_grad()
                        loss.backward()
                        self.optimizer.step()

            def train(self, epochs):
                for epoch in range(epochs):
                    self.model.train()
                    self.run_epoch(self.loader)
                    CALL

            def validate(self, epoch):
                self.model.eval()
                self.run_epoch(self.val_loader, train=False)

        if __name__ == "__main__":
            Trainer(Dropping(), loader, val_loader).train(10)
    """
    # (the pass exists for `train=False` only, which `validate` alone passes)
    # the author turned validation off: no line of code names `.validate`, a comment calls it
    assert findings(source.replace("CALL", "# self.validate(epoch)\n                    pass")) == []
    assert findings(source.replace("CALL", "self.validate(epoch)")) == [
        ("LC007", "loss = F.cross_entropy(self.model(x), y)")
    ]
    # named in code elsewhere (handed on as a callback): it may run
    handed = source.replace("CALL", "# self.validate(epoch)\n                    hooks.append(self.validate)")
    assert [code for code, _ in findings(handed)] == ["LC007"]


def test_a_script_without_a_main_block_runs_only_what_its_top_level_calls() -> None:
    source = """
        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                return sum(F.cross_entropy(model(x), y).item() for x, y in loader)

        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                for i, (x, y) in enumerate(loader):
                    optimizer.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()
                    if i % 100 == 0:
                        evaluate(model, val_loader)

        def main():
            print("running", main.__name__)
            model = Dropping()
            train(model, loader, torch.optim.SGD(model.parameters(), lr=0.1), 10)
            return model

        def main_quantized():
            model = Tiny()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            return model

        CALL
        model = main_quantized()
    """
    # `main` logs its own name and its one call is a comment: the eval() left on in `train` never runs
    assert findings(source.replace("CALL", "# model = main()")) == []
    assert findings(source.replace("CALL", "model = main()")) == [("LC008", "evaluate(model, val_loader)")]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("model.encode(x)", ["LC007"]),
        ("model.decode(z)", ["LC007"]),
        # a library model's own generation runs under no_grad: not judged
        ("model.generate(x)", []),
    ],
)
def test_an_autoencoder_half_of_an_unpickled_model_handed_to_a_helper_runs_the_model(call: str, expected: list[str]) -> None:
    """`model = torch.load(path)` (the whole model, its class out of sight), handed to a helper
    that walks a dataset through `model.encode(x)`: the encoder's layers run, with grad on."""
    source = """
        def latent_codes(model, dataset):
            codes = []
            for x, _ in dataset:
                z = x
                out = CALL
                codes.append(out.detach().cpu().numpy())
            return codes

        if __name__ == "__main__":
            model = torch.load("vae.pt")
            model.eval()
            print(latent_codes(model, test_set))
    """
    assert [code for code, _ in findings(source.replace("CALL", call))] == expected


def test_a_tokenizers_encode_is_no_model_call() -> None:
    """`spm_model = spm.SentencePieceProcessor(model_file=...)`: named like a model, but a library
    object built in sight, which is no torch model whose class is out of sight."""
    source = """
        import sentencepiece as spm

        spm_model = spm.SentencePieceProcessor(model_file="spm8000.model")
        for split in ["train", "valid"]:
            with open(split + ".txt") as in_f:
                for line in in_f:
                    print(" ".join(spm_model.encode(line.strip(), out_type=str)))
    """
    assert findings(source) == []
    # the whole model unpickled and moved is a torch model: its encoder runs (with grad on; the
    # mode it was pickled in cannot be told)
    assert [c for c, _ in findings(source.replace(
        'spm.SentencePieceProcessor(model_file="spm8000.model")', 'torch.load("vae.pt").to("cuda")'
    ))] == ["LC007"]


_AGENT = """
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.distributions import Categorical


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 32), nn.Dropout(0.1), nn.Linear(32, 2))

    def forward(self, x):
        return torch.softmax(self.body(x), -1)

    def sample_action(self, state):
        dist = Categorical(self.forward(state))
        action = dist.sample()
        return action, dist.log_prob(action), dist.entropy()


class Agent:
    def __init__(self):
        self.actor = Policy()
        self.optimizer = optim.Adam(self.actor.parameters(), lr=1e-3)

    def select_action(self, state):
        action, log_prob, entropy = self.actor.sample_action(torch.FloatTensor(state))
        return action.item(), log_prob

    def train_step(self, log_prob, reward):
        loss = -(log_prob * reward)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()
"""


def test_an_output_handed_on_to_a_method_that_backwards_it_is_part_of_training(tmp_path: Path) -> None:
    """`action, log_prob = agent.select_action(state)` then `agent.train_step(log_prob, reward)`,
    whose own `backward()` runs through its parameter: the forward is the first half of a training
    step, not an evaluation pass that should run under no_grad."""
    (tmp_path / "agent.py").write_text(_AGENT, encoding="utf-8")
    (tmp_path / "run.py").write_text(textwrap.dedent("""
        from agent import Agent


        def train(env, episodes):
            agent = Agent()
            for episode in range(episodes):
                state, done = env.reset(), False
                while not done:
                    action, log_prob = agent.select_action(state)
                    state, reward, done, _ = env.step(action)
                    agent.train_step(log_prob, reward)
            return agent


        if __name__ == "__main__":
            train(make_env(), 100)
    """), encoding="utf-8")
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    assert [(f.code, f.line) for f in result.findings] == []


_TRAINING_CONFIG = """
from dataclasses import dataclass

import torch.optim as optim


@dataclass
class TrainingConfig:
    lr: float = 2e-4

    def get_network(self, network):
        N = network(self)
        optimizer = optim.AdamW(N.parameters(), lr=self.lr)
        return N, optimizer
"""


@pytest.mark.parametrize(
    ("reset", "expected"),
    [
        ("D.zero_grad()", []),  # the module the optimizer is built over, handed back beside it
        ("pass", [("LC001", 17)]),
    ],
)
def test_a_parameter_annotated_with_a_project_class_is_an_instance_of_it(
    tmp_path: Path, reset: str, expected: list[tuple[str, int]]
) -> None:
    """`def run(rank, cfg: TrainingConfig)`, started by `mp.spawn` (no project call passes `cfg`):
    the annotation says what `cfg` is, so `D, opt_D = cfg.get_network(Discriminator)` is the
    factory's `return N, optimizer` with `optimizer` built over `N.parameters()`: `D.zero_grad()`
    resets what `opt_D` steps."""
    (tmp_path / "config.py").write_text(_TRAINING_CONFIG, encoding="utf-8")
    (tmp_path / "train.py").write_text(textwrap.dedent(f"""
        import torch.multiprocessing as mp
        import torch.nn as nn
        from config import TrainingConfig


        class Discriminator(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())


        def run(rank, cfg: TrainingConfig):
            D, opt_D = cfg.get_network(Discriminator)
            for x, y in loader:
                {reset}
                nn.functional.binary_cross_entropy(D(x), y).backward()
                opt_D.step()


        if __name__ == "__main__":
            mp.spawn(run, args=(TrainingConfig(),), nprocs=2)
    """), encoding="utf-8")
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    assert [(f.code, f.line) for f in result.findings] == expected


def test_a_call_under_no_grad_hands_no_graph_to_the_backward_after_it(tmp_path: Path) -> None:
    """Training collects its rollout under `torch.no_grad()` and backwards a loss that reads it (as
    old log-probabilities): that call trains nothing through the rollout's graph, since it has
    none. A demo that calls the same collector with grad on runs an evaluation pass, reported
    where it calls the collector, which training shares."""
    (tmp_path / "agent.py").write_text(_AGENT.replace(
        "    def train_step(self, log_prob, reward):",
        textwrap.indent(textwrap.dedent("""
            def collect(self, steps):
                log_probs = []
                for t in range(steps):
                    value = self.actor(self.state)
                    log_probs.append(value.log())
                    self.state = self.env.step(value.argmax().item())
                return torch.stack(log_probs)

            def fit(self, batches):
                for states, rewards in batches:
                    with torch.no_grad():
                        old = self.collect(len(states))
                    self.update(states, old, rewards)

            def update(self, states, old, rewards):
                new = torch.stack([self.actor(torch.FloatTensor(s)).log() for s in states])
                loss = -((new - old).exp() * rewards).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

        """), "    ") + "    def train_step(self, log_prob, reward):",
    ), encoding="utf-8")
    (tmp_path / "demo.py").write_text(textwrap.dedent("""
        import torch
        from agent import Agent

        if __name__ == "__main__":
            agent = Agent()
            agent.actor.load_state_dict(torch.load("actor.pt"))
            for episode in range(10):
                agent.collect(1)
    """), encoding="utf-8")
    (tmp_path / "train.py").write_text(textwrap.dedent("""
        from agent import Agent

        if __name__ == "__main__":
            Agent().fit(make_batches())
    """), encoding="utf-8")
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    assert [(Path(f.path).name, f.line, f.code) for f in result.findings] == [("demo.py", 9, "LC006"), ("demo.py", 9, "LC007")]


def test_a_model_handed_to_a_later_training_call_is_no_loss_of_the_earlier_one() -> None:
    """`logs, model = train(model, ...)` twice (a fresh model, then a pretrained one): the second
    call backwards what `model` computes, not the module the first call returned, so the first
    call's validation loop (in train mode, with Dropout) is still an evaluation pass."""
    source = textwrap.dedent("""
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        def train(model, loader, val_loader, optimizer):
            for epoch in range(3):
                for x, y in loader:
                    optimizer.zero_grad()
                    F.cross_entropy(model.forward(x), y).backward()
                    optimizer.step()
                with torch.no_grad():
                    for x, y in val_loader:
                        accuracy = (model.forward(x).argmax(1) == y).float().mean().item()
            return accuracy, model


        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        optimizer = torch.optim.Adam(model.parameters())
        logs, model = train(model=model, loader=loader, val_loader=val_loader, optimizer=optimizer)
        model = torch.hub.load("pytorch/vision", "alexnet", pretrained=True)
        optimizer = torch.optim.Adam(model.parameters())
        logs, model = train(model=model, loader=loader, val_loader=val_loader, optimizer=optimizer)
    """)
    found, errors = lint_source(source, "twice.py")
    assert errors == []
    assert [(f.code, f.line) for f in found] == [("LC006", 15)]


def test_a_parameter_annotated_with_a_module_class_is_the_class_handed_in() -> None:
    """`def _make_layer(self, block: BasicBlock, ...)` then `block(inplanes, planes)`: torchvision's
    style annotates the class handed in with its own name; calling it builds a module, it runs no
    forward, and the layers a constructor keeps in a list carry no graph."""
    source = textwrap.dedent("""
        import torch.nn as nn


        class BasicBlock(nn.Module):
            def __init__(self, inplanes, planes):
                super().__init__()
                self.conv = nn.Conv2d(inplanes, planes, 3, padding=1)

            def forward(self, x):
                return self.conv(x)


        class ResNet(nn.Module):
            def __init__(self, widths):
                super().__init__()
                self.inplanes = 16
                self.layers = []
                for width in widths:
                    self.layers.extend(self._make_layer(BasicBlock, width))
                self.body = nn.Sequential(*self.layers)

            def _make_layer(self, block: BasicBlock, planes: int) -> list:
                layers = [block(self.inplanes, planes)]
                self.inplanes = planes
                return layers

            def forward(self, x):
                return self.body(x)
    """)
    found, errors = lint_source(source, "resnet.py")
    assert errors == []
    assert found == []
