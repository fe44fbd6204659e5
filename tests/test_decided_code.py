"""Code that never runs as the file stands, and sizes told by the loop around (issue 7, check
halves #264-#267): an arm under `if 0:`, `if False:` or a test on a module setting bound once to a
literal (`EVAL = False`) never runs; nor does the body of `for _ in range(0):`. A setting bound
again anywhere, or a parameter of that name, is not decided. A schedule sized by a count with no
unit (`T_max=500`) counts epochs when the loop around the batch loop runs that many times."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_source

HEAD = """
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()
"""


def codes(source: str, path: str = "train.py") -> list[tuple[int, str]]:
    found, errors = lint_source(textwrap.dedent(source), path)
    assert errors == []
    return sorted((f.line, f.code) for f in found)


SETTING_PASS = HEAD + """
EVAL = {value}

for fold in range(5):
    if EVAL:
        for image in test_loader:
            prediction = model(image)
"""


def test_a_pass_under_a_module_setting_bound_to_false_never_runs() -> None:
    assert codes(SETTING_PASS.format(value="False")) == []
    assert codes(SETTING_PASS.format(value="0")) == []
    assert {code for _, code in codes(SETTING_PASS.format(value="True"))} == {"LC006", "LC007"}


def test_a_setting_bound_again_is_not_decided() -> None:
    source = SETTING_PASS.format(value="False") + "\nEVAL = True\n"
    assert {code for _, code in codes(source)} == {"LC006", "LC007"}
    flipped_in_a_function = SETTING_PASS.format(value="False") + "\ndef enable():\n    global EVAL\n    EVAL = True\n"
    assert {code for _, code in codes(flipped_in_a_function)} == {"LC006", "LC007"}


def test_a_parameter_named_like_the_setting_is_not_decided() -> None:
    source = HEAD + """
EVAL = False

def predict(loader, EVAL):
    if EVAL:
        for image in loader:
            prediction = model(image)

predict(test_loader, True)
"""
    assert {code for _, code in codes(source)} == {"LC006", "LC007"}


DEBUG_BLOCK = HEAD + """
for epoch in range(10):
    for step, (x, y) in enumerate(loader):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        if {test}:
            for vx, vy in val_loader:
                print(criterion(model(vx), vy).item())
"""


@pytest.mark.parametrize("test", ["0", "False", "None", "not True", "False and step % 100 == 0"])
def test_a_literally_false_test_disables_its_block(test: str) -> None:
    assert codes(DEBUG_BLOCK.format(test=test)) == []


@pytest.mark.parametrize("test", ["step % 100 == 0", "1", "True or step % 100 == 0"])
def test_a_test_that_may_hold_keeps_its_block(test: str) -> None:
    assert {code for _, code in codes(DEBUG_BLOCK.format(test=test))} == {"LC006", "LC007"}


def test_the_else_of_a_literally_true_test_never_runs() -> None:
    source = DEBUG_BLOCK.format(test="True").replace(
        "                print(criterion(model(vx), vy).item())",
        "                pass\n        else:\n            for vx, vy in val_loader:\n                print(model(vx))",
    )
    assert codes(source) == []


EPOCH_EVAL = HEAD + """
for epoch in range(10):
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    for _ in {iterated}:
        model.eval()
        with torch.no_grad():
            for x, y in val_loader:
                print(criterion(model(x), y).item())
"""


@pytest.mark.parametrize("iterated", ["range(0)", "[]", "()"])
def test_a_loop_over_nothing_never_runs(iterated: str) -> None:
    assert codes(EPOCH_EVAL.format(iterated=iterated)) == []


@pytest.mark.parametrize("iterated", ["range(1)", "[0]", "range(n_val)"])
def test_a_loop_that_may_run_is_kept(iterated: str) -> None:
    assert [code for _, code in codes(EPOCH_EVAL.format(iterated=iterated))] == ["LC008"]


COSINE = HEAD + """
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={size})
for epoch in {epochs}:
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        scheduler.step()
"""


@pytest.mark.parametrize(
    ("size", "epochs"),
    [("500", "range(500)"), ("n", "range(n)"), ("n", "range(1, n + 1)"), ("300", "tqdm(range(300))"), ("n", "trange(n)")],
)
def test_a_size_that_counts_the_loop_around_counts_epochs(size: str, epochs: str) -> None:
    found, errors = lint_source(textwrap.dedent(COSINE.format(size=size, epochs=epochs)), "train.py")
    assert errors == []
    assert [f.code for f in found] == ["LC005"]
    assert "around the batch loop" in found[0].message


@pytest.mark.parametrize(("size", "epochs"), [("500", "range(20)"), ("n", "range(m)"), ("n", "range(2, n + 1)")])
def test_a_size_that_is_not_the_count_around_is_not_judged(size: str, epochs: str) -> None:
    assert codes(COSINE.format(size=size, epochs=epochs)) == []


# --- a model that is one of several project classes, chosen by name at run time ------------------

CLASSES = """
import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self.fc(x)


class HNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        x = x.requires_grad_(True)
        energy = self.fc(x).sum()
        return torch.autograd.grad(energy, x, create_graph=True)[0]


class FastMLP(MLP):
    @torch.no_grad()
    def forward(self, x):
        return self.fc(x)


class FastDropping(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(2, 2)

    @torch.no_grad()
    def forward(self, x):
        return self.fc(self.drop(x))
"""


def _pass_on(built: str, wrap: str = "") -> str:
    return CLASSES + f"""

def build(name):
    return REGISTRY[name]()


REGISTRY = {{"mlp": MLP, "hnn": HNN}}
model = {built}
{wrap}
model.eval()
for x, y in test_loader:
    prediction = model(x)
"""


def test_a_registry_that_holds_a_forward_differentiating_its_input_needs_grad() -> None:
    # MLP alone would be a pass with grad to spare; HNN cannot run without grad: the shared pass keeps it
    assert codes(_pass_on("build(args.model)")) == []
    assert [code for _, code in codes(_pass_on("MLP()"))] == ["LC007"]


def test_a_class_named_by_a_literal_prefix_is_one_of_the_classes_so_named() -> None:
    # globals()['Fast' + kind]: FastMLP or FastDropping, both forwards under no_grad; FastDropping
    # holds dropout, so the train-mode pass is still reported
    assert [code for _, code in codes(_pass_on("globals()['Fast' + args.kind]()").replace("model.eval()\n", ""))] == ["LC006"]
    assert codes(_pass_on("globals()['Fast' + args.kind]()")) == []
    # without a literal prefix the class cannot be told: the pass is judged as of an unseen model
    assert [code for _, code in codes(_pass_on("globals()[args.kind]()"))] == ["LC007"]


def test_data_parallel_runs_the_classes_it_wraps() -> None:
    wrapped = "if n_gpu > 1:\n    model = torch.nn.DataParallel(model)"
    assert codes(_pass_on("globals()['Fast' + args.kind]()", wrapped)) == []
    assert [code for _, code in codes(_pass_on("MLP()", wrapped))] == ["LC007"]


def test_getattr_of_a_project_module_with_a_prefix(tmp_path) -> None:
    from loopcheck.engine import lint_paths

    (tmp_path / "nets.py").write_text(textwrap.dedent(CLASSES))
    script = tmp_path / "infer.py"
    body = """
    import torch
    import nets as arch

    model = getattr(arch, {key})()
    model.eval()
    for x, y in test_loader:
        prediction = model(x)
    """
    script.write_text(textwrap.dedent(body.format(key="'Fast' + args.kind")))
    result = lint_paths([str(script)], root=str(tmp_path))
    assert result.errors == [] and [f.code for f in result.findings] == []
    script.write_text(textwrap.dedent(body.format(key="args.kind")))
    result = lint_paths([str(script)], root=str(tmp_path))
    assert [f.code for f in result.findings] == ["LC007"]


# --- a model unpacked from the tuple a project function returns ----------------------------------

UNPACKED = """
import torch
import torch.nn as nn


def demo():
    X = torch.randn(300, 2)
    y = (X[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), {middle}nn.Linear(64, 2))
    optimizer = torch.optim.Adam(model.parameters())
    for epoch in range(100):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
    return X, y, model


def evaluate(X, model):
    with torch.no_grad():
        Z = model(X).argmax(dim=1)
    print(Z)


def main():
    X, y, model = demo()
    evaluate(X, model)


main()
"""


def test_a_model_unpacked_from_a_returned_tuple_keeps_what_it_was_built_of() -> None:
    assert codes(UNPACKED.format(middle="")) == []
    assert [code for _, code in codes(UNPACKED.format(middle="nn.Dropout(0.5), "))] == ["LC006"]


# --- a loop over indices whose outputs are scored on held-out data is an evaluation pass ---------

INDEXED = """
import torch
import torch.nn as nn

net = nn.Sequential(nn.Linear(10, 5), nn.Dropout(0.1), nn.Linear(5, 10))
criterion = nn.MSELoss()
optimizer = torch.optim.RMSprop(net.parameters(), lr=0.01)
for epoch in range(1, 11):
    for id_user in range(nb_users):
        input = training_set[id_user].unsqueeze(0)
        loss = criterion(net(input), input)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
total = 0
for id_user in range(nb_users):
    input = training_set[id_user].unsqueeze(0)
    target = {scored}[id_user].unsqueeze(0)
    output = net(input)
    total += criterion(output, target).item()
print(total)
"""


def test_outputs_scored_against_held_out_data_make_an_evaluation_pass() -> None:
    assert {code for _, code in codes(INDEXED.format(scored="test_set"))} == {"LC006", "LC007"}
    # scored against the training data itself: what the loop is for cannot be told
    assert codes(INDEXED.format(scored="training_set")) == []


# --- a cast of the output (`out.type(torch.float)`) passes its values on: no mere inspection -------

SAVED = """
import cv2
import torch
from model import SegNet

model = SegNet(classes=1)
model.load_state_dict(torch.load("net.pt"))
for name in image_names:
    model.eval()
    image = torch.from_numpy(cv2.imread(name)).permute(2, 0, 1).unsqueeze(0).float()
    out = model(image)
{after}
"""


def test_an_output_cast_and_saved_is_a_prediction() -> None:
    after = "    out = out.type(torch.float)\n    out = torch.sigmoid(out).numpy() > 0.5\n    cv2.imwrite('out/' + name, 255 * out)"
    assert [code for _, code in codes(SAVED.format(after=after))] == ["LC007"]


def test_an_output_only_inspected_is_no_pass() -> None:
    assert codes(SAVED.format(after="    print(out.shape, out.type())")) == []


MILESTONES = HEAD + """
EPOCHS = {epochs}
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones={milestones}, gamma=0.1)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(64, 4), torch.zeros(64).long()), batch_size=8)


def train(loader):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        scheduler.step()


for epoch in range({start}EPOCHS + 1):
    train(loader)
"""


@pytest.mark.parametrize("start", ["", "1, ", "resumed + 1, "])
def test_milestones_within_the_epoch_count_around_count_epochs(start: str) -> None:
    source = MILESTONES.format(epochs=50, milestones="[30, 40]", start=start)
    found, errors = lint_source(textwrap.dedent(source), "train.py")
    assert errors == [] and [f.code for f in found] == ["LC005"]
    assert "within the loop" in found[0].message


@pytest.mark.parametrize(("epochs", "milestones"), [(20, "[30, 40]"), (50, "[30, 4000]"), (50, "steps")])
def test_milestones_beyond_the_epoch_count_or_unknown_are_not_judged(epochs: int, milestones: str) -> None:
    assert codes(MILESTONES.format(epochs=epochs, milestones=milestones, start="")) == []


def test_a_count_standing_for_the_same_number_is_the_same_count() -> None:
    source = COSINE.format(size="500", epochs="range(EPOCHS)").replace("criterion = ", "EPOCHS = 500\ncriterion = ")
    assert [code for _, code in codes(source)] == ["LC005"]
    rebound = source + "\nEPOCHS = 10\n"
    assert codes(rebound) == []


# --- `self(x)` in a method of a module class runs the class's own layers ------------------------

SELF_TESTED = """
import torch
import torch.nn as nn
from torch import optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(4, 8), {middle}nn.Linear(8, 2))

    def forward(self, x):
        return self.fc(x)

    def fit(self, train_input, train_target, test_input, test_target):
        self._train(train_input, train_target)
        return self.compute_errors(test_input, test_target)

    def _train(self, train_input, train_target):
        criterion = nn.CrossEntropyLoss()
        optimizer = optim.Adam(self.parameters(), 1e-3)
        for e in range(10):
            for b in range(0, train_input.size(0), 10):
                loss = criterion(self(train_input.narrow(0, b, 10)), train_target.narrow(0, b, 10))
                self.zero_grad()
                loss.backward()
                optimizer.step()

    def compute_errors(self, data_input, data_target):
        errors = 0
        with torch.no_grad():
            for b in range(0, data_input.size(0), 10):
                output = self(data_input.narrow(0, b, 10))
                errors += (output.argmax(1) != data_target.narrow(0, b, 10)).sum().item()
        return errors


net = Net()
print(net.fit(torch.randn(100, 4), torch.zeros(100).long(), torch.randn(50, 4), torch.zeros(50).long()))
"""


def test_self_evaluated_in_training_mode_holds_the_classes_own_dropout() -> None:
    assert [code for _, code in codes(SELF_TESTED.format(middle="nn.Dropout(0.5), "))] == ["LC006"]
    assert codes(SELF_TESTED.format(middle="nn.ReLU(), ")) == []


# --- an autoencoder's half of a module built out of sight, used as a module where it is built -----

def test_encode_of_a_module_built_out_of_sight_and_loaded_is_a_forward(tmp_path) -> None:
    from loopcheck.engine import lint_paths

    (tmp_path / "utils.py").write_text(textwrap.dedent("""
    import numpy as np
    import torch


    def reconstruction_error(dataset, model):
        loader = torch.utils.data.DataLoader(dataset, batch_size=64)
        out = []
        for data, label in loader:
            out.append(model.decode(model.encode(data)).detach().numpy())
        return np.mean(np.concatenate(out))
    """))
    script = tmp_path / "evaluate.py"
    body = """
    import torch
    from utils import reconstruction_error


    def evaluate(path):
        model = config.get_instance()
        {use}
        print(reconstruction_error(test_dataset, model))


    if __name__ == "__main__":
        evaluate("m.pt")
    """
    script.write_text(textwrap.dedent(body.format(use="model.load_state_dict(torch.load(path)); model.eval()")))
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("utils.py", "LC007")]
    # a codec or tokenizer built out of sight and never used as a module: its encode is no forward
    script.write_text(textwrap.dedent(body.format(use="model.load(path); model.eval(path)")))
    assert lint_paths([str(tmp_path)], root=str(tmp_path)).findings == []


# --- a method of a model out of sight that the project's module classes define to switch mode ----

def test_a_mode_command_of_a_class_out_of_sight_follows_the_projects_convention(tmp_path) -> None:
    from loopcheck.engine import lint_paths

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "other").mkdir()
    convention = """
    import torch.nn as nn


    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.5)

        def set_mode(self, mode):
            self.mode = mode
            if mode in ("valid", "test"):
                self.eval()
            else:
                self.train()
    """
    script = tmp_path / "submit.py"
    script.write_text(textwrap.dedent("""
    import torch
    from resnet_aug0.model import SaltNet as Net

    net = Net()
    net.load_state_dict(torch.load("net.pt"))
    net.set_mode("test")
    for images, index in test_loader:
        with torch.no_grad():
            logit = net(images)
    """))
    result = lint_paths([str(script)], root=str(tmp_path))
    assert [f.code for f in result.findings] == ["LC006"]  # nothing in the project says what set_mode does
    (tmp_path / "other" / "model.py").write_text(textwrap.dedent(convention))
    result = lint_paths([str(script)], root=str(tmp_path))
    assert result.findings == []
    # a method the convention does not switch with leaves the mode as it was
    script.write_text(script.read_text().replace('net.set_mode("test")', 'net.set_dropout("test")'))
    assert [f.code for f in lint_paths([str(script)], root=str(tmp_path)).findings] == ["LC006"]


# --- a pretrained library model built in a method only to copy its weights ----------------------

COPIED = """
import torch
import torch.nn as nn
import torchvision


class Guided(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, padding=1)
        self.relu1 = nn.ReLU(inplace=True)
        self.head = nn.Conv2d(64, 1, 1)
        self.copy_params_from_vgg16()

    def copy_params_from_vgg16(self):
        features = [self.conv1, self.relu1]
        vgg16 = torchvision.models.vgg16(pretrained=True)
        for l1, l2 in zip(vgg16.features, features):
            if isinstance(l1, nn.Conv2d) and isinstance(l2, nn.Conv2d):
                l2.weight.data.copy_(l1.weight.data)
{kept}
    def forward(self, x):
        return self.head(self.relu1(self.conv1(x)))


guide = Guided()
guide.load_state_dict(torch.load("guide.pt"))
with torch.no_grad():
    for images in test_loader:
        out = guide(images)
"""


def test_a_library_model_kept_as_a_local_to_copy_weights_is_no_part_of_the_instance() -> None:
    assert codes(COPIED.format(kept="")) == []
    # stored on the instance, its dropout is the instance's
    assert [code for _, code in codes(COPIED.format(kept="        self.classifier = vgg16.classifier\n"))] == ["LC006"]


def test_a_star_import_after_the_setting_may_bind_it_again() -> None:
    before = SETTING_PASS.format(value="False").replace("EVAL = False", "from settings import *\nEVAL = False")
    assert codes(before) == []
    after = SETTING_PASS.format(value="False").replace("EVAL = False", "EVAL = False\nfrom settings import *")
    assert {code for _, code in codes(after)} == {"LC006", "LC007"}


# --- a project logger that keeps the elements of what it is handed ------------------------------

LOGGED = HEAD + """

class Logger:
    def __init__(self, names):
        self.names = names
        self.numbers = {{name: [] for name in names}}

    def append(self, numbers):
        for index, num in enumerate(numbers):
            self.numbers[self.names[index]].append({kept})


logger = Logger(["iter", "loss"])
for i, (x, y) in enumerate(loader):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    logger.append([i, loss])
"""


def test_a_logger_keeping_the_elements_of_its_argument_keeps_the_graph() -> None:
    assert [code for _, code in codes(LOGGED.format(kept="num"))] == ["LC009"]
    assert codes(LOGGED.format(kept="float(num)")) == []
    assert codes(LOGGED.format(kept="index")) == []
