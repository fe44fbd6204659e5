"""Multi-file fixture projects (fixtures/projects/*): the unit of analysis is the project. Helpers,
model classes, losses and optimizer wrappers live in other files; each project yields exactly the
findings marked in its files, whether loopcheck is given the whole folder or one file at a time
(as pre-commit does): the other files are still read for what the given one uses of them."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import lint_paths
from loopcheck.finding import Finding
from tests.expectations import expected_findings

PROJECTS = sorted(p for p in (Path(__file__).parent.parent / "fixtures" / "projects").iterdir() if p.is_dir())


def new_project(tmp_path: Path, name: str) -> Path:
    """An empty project folder with a pyproject.toml naming it (its root for the run)."""
    project = tmp_path / name
    project.mkdir()
    (project / "pyproject.toml").write_text(f"[project]\nname = '{name}'\n", encoding="utf-8")
    return project


def lint_project(project: Path) -> list[Finding]:
    """The findings of a run over the whole project, which must read every file."""
    result = lint_paths([str(project)], root=str(project))
    assert result.errors == []
    return list(result.findings)


def marked(project: Path) -> list[tuple[str, int, str]]:
    return sorted(
        (path.relative_to(project).as_posix(), line, code)
        for path in project.rglob("*.py")
        for line, code in expected_findings(path.read_text(encoding="utf-8"))
    )


def found(project: Path, paths: list[str]) -> list[tuple[str, int, str]]:
    result = lint_paths(paths, root=str(project))
    assert result.errors == []
    return sorted((Path(f.path).resolve().relative_to(project.resolve()).as_posix(), f.line, f.code) for f in result.findings)


def test_there_are_clean_and_buggy_projects() -> None:
    buggy = [p for p in PROJECTS if marked(p)]
    assert len(buggy) >= 3 and len(PROJECTS) - len(buggy) >= 2


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_project_yields_exactly_the_marked_findings(project: Path) -> None:
    assert found(project, [str(project)]) == marked(project)


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_each_file_given_alone_still_reads_the_rest_of_its_project(project: Path) -> None:
    for path in sorted(project.rglob("*.py")):
        name = path.relative_to(project).as_posix()
        assert found(project, [str(path)]) == [m for m in marked(project) if m[0] == name], name


def test_the_project_root_is_found_from_the_file_without_being_told(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'proj'\n", encoding="utf-8")
    (project / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (project / "pkg" / "steps.py").write_text(
        "def train_step(model, optimizer, batch):\n"
        "    optimizer.zero_grad()\n"
        "    model(batch).sum().backward()\n"
        "    optimizer.step()\n",
        encoding="utf-8",
    )
    script = project / "scripts" / "run.py"
    script.parent.mkdir()
    script.write_text(
        "import torch\n"
        "from pkg.steps import train_step\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for batch in loader:\n"
        "    train_step(model, optimizer, batch)\n",
        encoding="utf-8",
    )
    # scripts/ is no package: `pkg` resolves from the project root that pyproject.toml marks
    assert lint_paths([str(script)]).findings == []
    (project / "pkg" / "steps.py").write_text(
        "def train_step(model, optimizer, batch):\n"
        "    model(batch).sum().backward()\n"
        "    optimizer.step()\n",
        encoding="utf-8",
    )
    assert [(f.line, f.code) for f in lint_paths([str(script)]).findings] == [(5, "LC001")]


@pytest.mark.parametrize("hidden", [".copies", "build"])
def test_a_project_in_a_folder_no_walk_enters_is_the_folder_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hidden: str
) -> None:
    """A project unpacked under a hidden or build folder of a repository (`repo/.copies/proj/`), run
    from the repository's top: the marker above would make the repository the project, whose walk
    never enters the hidden folder, so the script's `from helpers import evaluate` would resolve
    nowhere. The project is the folder just below the one no walk enters."""
    repo = tmp_path / "repo"
    project = repo / hidden / "proj"
    project.mkdir(parents=True)
    (repo / "pyproject.toml").write_text("[project]\nname = 'repo'\n", encoding="utf-8")
    (project / "helpers.py").write_text(
        "import torch\n\n\n"
        "def evaluate(model, loader):\n"
        "    model.eval()\n"
        "    return [model(x) for x, _ in loader]\n",
        encoding="utf-8",
    )
    (project / "train.py").write_text(
        "import torch\n"
        "from helpers import evaluate\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for epoch in range(10):\n"
        "    model.train()\n"
        "    for x, y in loader:\n"
        "        optimizer.zero_grad()\n"
        "        model(x).sum().backward()\n"
        "        optimizer.step()\n"
        "    evaluate(model, val_loader)\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(repo)
    result = lint_paths([str(project.relative_to(repo))])
    assert result.errors == []
    assert sorted((Path(f.path).name, f.line, f.code) for f in result.findings) == [("helpers.py", 6, "LC007")]


def test_a_file_is_passed_over_by_its_bytes_only_when_its_text_cannot_hold_the_names(tmp_path: Path) -> None:
    from loopcheck.project import _bytes_may_hold

    names = frozenset({"trainer"})
    plain = tmp_path / "plain.py"
    plain.write_text("import os\n", encoding="utf-8")
    assert not _bytes_may_hold(str(plain), names)
    importer = tmp_path / "importer.py"
    importer.write_text("from trainer import fit  # é\n", encoding="utf-8")
    assert _bytes_may_hold(str(importer), names)
    # a declared encoding: the bytes are not the UTF-8 of the text, so the text decides
    declared = tmp_path / "declared.py"
    declared.write_bytes("# -*- coding: utf-16 -*-\n".encode("ascii") + "import trainer\n".encode("utf-16-le"))
    assert _bytes_may_hold(str(declared), names)
    # notebooks (JSON may escape characters) and unreadable paths are left to the text
    assert _bytes_may_hold(str(tmp_path / "nb.ipynb"), names)
    assert _bytes_may_hold(str(tmp_path / "missing.py"), names)


@pytest.mark.parametrize("layers, expected", [("nn.Linear(4, 2)", []), ("nn.Sequential(nn.Dropout(0.5), nn.Linear(4, 2))", ["LC006"])])
def test_a_script_in_a_sub_folder_imports_the_modules_of_the_folders_above_it(
    tmp_path: Path, layers: str, expected: list[str]
) -> None:
    """`chapter/tmp/run.py` importing `from lib import nets` finds `chapter/lib/nets.py` (run from
    `chapter/`): the class there decides whether eval() matters, not an assumption."""
    project = tmp_path / "book"
    (project / "chapter" / "lib").mkdir(parents=True)
    (project / "chapter" / "tmp").mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'book'\n", encoding="utf-8")
    (project / "chapter" / "lib" / "__init__.py").write_text("", encoding="utf-8")
    (project / "chapter" / "lib" / "nets.py").write_text(
        "import torch.nn as nn\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        f"        self.body = {layers}\n\n"
        "    def forward(self, x):\n"
        "        return self.body(x)\n",
        encoding="utf-8",
    )
    script = project / "chapter" / "tmp" / "run.py"
    script.write_text(
        "import torch\n"
        "from lib import nets\n\n"
        "net = nets.Net()\n"
        "optimizer = torch.optim.SGD(net.parameters(), lr=0.1)\n\n\n"
        "def evaluate(loader):\n"
        "    with torch.no_grad():\n"
        "        for x, y in loader:\n"
        "            out = net(x)\n\n\n"
        "for epoch in range(3):\n"
        "    for x, y in train_loader:\n"
        "        optimizer.zero_grad()\n"
        "        net(x).sum().backward()\n"
        "        optimizer.step()\n"
        "    evaluate(val_loader)\n",
        encoding="utf-8",
    )
    result = lint_paths([str(script)], root=str(project))
    assert result.errors == []
    assert [f.code for f in result.findings] == expected


EVALUATE_STEPS = (
    "import torch\n\n\n"
    "def evaluate_dense(model, loader):\n"
    "    with torch.no_grad():\n"
    "        for x, y in loader:\n"
    "            out = model(x)\n\n\n"
    "def evaluate_sparse(model, loader):\n"
    "    model.eval()\n"
    "    with torch.no_grad():\n"
    "        for x, y in loader:\n"
    "            out = model(x)\n"
)
"""Two evaluation helpers: one that leaves the model's mode as it is (line 7), one that sets eval mode."""
TRAIN_THEN_EVALUATE = (
    "    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))\n"
    "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    "    for epoch in range(3):\n"
    "        model.train()\n"
    "        for x, y in train_loader:\n"
    "            optimizer.zero_grad()\n"
    "            model(x).sum().backward()\n"
    "            optimizer.step()\n"
    "        evaluate(model, val_loader)\n"
)
"""A function body that trains a model with dropout and calls `evaluate` after each epoch."""


@pytest.mark.parametrize(("imports", "expected"), [
    ("from steps import evaluate_dense as evaluate\nfrom steps import evaluate_sparse as evaluate\n", []),
    ("from steps import evaluate_sparse as evaluate\nfrom steps import evaluate_dense as evaluate\n", [("steps.py", 7, "LC006")]),
])
def test_a_name_imported_again_at_a_scripts_top_level_replaces_the_earlier_import(
    tmp_path: Path, imports: str, expected: list[tuple[str, int, str]]
) -> None:
    """`from SR_GNN import train, test`, then `from TA_GNN import train, test`, both in the module's
    own body: the functions that run after the imports call the ones imported last."""
    project = new_project(tmp_path, "gnn")
    (project / "steps.py").write_text(EVALUATE_STEPS, encoding="utf-8")
    (project / "main.py").write_text(
        "import torch\nimport torch.nn as nn\n" + imports + "\n\n"
        "def main():\n"
        + TRAIN_THEN_EVALUATE + "\n\n"
        "if __name__ == '__main__':\n"
        "    main()\n",
        encoding="utf-8",
    )
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == expected


def test_a_function_imported_under_another_name_in_each_branch_is_called_by_that_name(tmp_path: Path) -> None:
    """`from steps import evaluate_dense as evaluate` in one branch and `... evaluate_sparse as
    evaluate` in the other: `evaluate(...)` calls each, so each is judged as entered there."""
    project = new_project(tmp_path, "gnn")
    (project / "steps.py").write_text(EVALUATE_STEPS, encoding="utf-8")
    (project / "main.py").write_text(
        "import torch\n"
        "import torch.nn as nn\n\n\n"
        "def main(dense):\n"
        "    if dense:\n"
        "        from steps import evaluate_dense as evaluate\n"
        "    else:\n"
        "        from steps import evaluate_sparse as evaluate\n"
        + TRAIN_THEN_EVALUATE,
        encoding="utf-8",
    )
    for given in ([str(project)], [str(project / "steps.py")]):
        result = lint_paths(given, root=str(project))
        assert result.errors == []
        assert [(Path(f.path).name, f.line, f.code) for f in result.findings] == [("steps.py", 7, "LC006")]


AGENT = (
    "import torch\n"
    "import torch.nn as nn\n\n\n"
    "class Agent:\n"
    "    def __init__(self, env):\n"
    "        self.env = env\n"
    "        self.eval_mode = False\n"
    "        self.policy = nn.Sequential(nn.Linear(4, 2))\n"
    "        self.optimizer = torch.optim.Adam(self.policy.parameters())\n\n"
    "    def run(self, steps):\n"
    "        obs = self.env.reset()\n"
    "        for _ in range(steps):\n"
    "            if self.eval_mode:\n"
    "                action = self.policy(torch.Tensor(obs)).argmax().item()\n"
    "                obs, reward, done, _ = self.env.step(action)\n"
    "            else:\n"
    "                loss = self.policy(torch.Tensor(obs)).pow(2).mean()\n"
    "                self.optimizer.zero_grad()\n"
    "                loss.backward()\n"
    "                self.optimizer.step()\n"
    "                obs, reward, done, _ = self.env.step(0)\n"
)


def test_an_agent_class_imported_in_each_branch_is_run_by_its_callers_with_the_flags_they_set(tmp_path: Path) -> None:
    """`from agents.a import Agent` in one branch, `from agents.b import Agent` in the other: each
    class's `run` is called by the script; `agent.eval_mode = True` just before `agent.run(...)`
    decides the method's `if self.eval_mode:`, so its test episodes are an evaluation pass."""
    project = tmp_path / "rl"
    (project / "agents").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'rl'\n", encoding="utf-8")
    (project / "agents" / "__init__.py").write_text("", encoding="utf-8")
    (project / "agents" / "first.py").write_text(AGENT, encoding="utf-8")
    (project / "agents" / "second.py").write_text(AGENT, encoding="utf-8")
    (project / "run.py").write_text(
        "import gym\n\n"
        "if args.algo == 'first':\n"
        "    from agents.first import Agent\n"
        "else:\n"
        "    from agents.second import Agent\n\n"
        "agent = Agent(gym.make('CartPole-v1'))\n"
        "for episode in range(100):\n"
        "    agent.eval_mode = False\n"
        "    agent.run(200)\n"
        "    if episode % 10 == 0:\n"
        "        agent.eval_mode = True\n"
        "        agent.run(200)\n",
        encoding="utf-8",
    )
    result = lint_paths([str(project)], root=str(project))
    assert result.errors == []
    assert sorted((Path(f.path).name, f.line, f.code) for f in result.findings) == [
        ("first.py", 16, "LC007"), ("second.py", 16, "LC007")
    ]


@pytest.mark.parametrize(
    ("resumer", "expected"),
    [
        # a sibling program that never imports the segmentation code resumes from its own files
        ("import torch\n", []),
        # a tool that imports the segmentation code may resume from what it saves
        ("import torch\nfrom segmentation.main import build\n", ["LC012"]),
    ],
)
def test_a_position_read_back_counts_only_in_code_of_the_same_program(
    tmp_path: Path, resumer: str, expected: list[str]
) -> None:
    """A final save after the epochs is a checkpoint to resume from only when code that may run
    with it reads its position back; a sibling folder's own `main.py` reading `checkpoint['epoch']`
    of its own checkpoints says nothing about this one."""
    project = tmp_path / "points"
    (project / "segmentation").mkdir(parents=True)
    (project / "classification").mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'points'\n", encoding="utf-8")
    (project / "classification" / "main.py").write_text(
        resumer + "\n\ncheckpoint = torch.load('classification/last.pth')\nstart_epoch = checkpoint['epoch']\n"
        "for epoch in range(start_epoch, 100):\n    pass\n",
        encoding="utf-8",
    )
    script = project / "segmentation" / "main.py"
    script.write_text(
        "import torch\n\n\n"
        "def build():\n"
        "    return torch.nn.Linear(4, 2)\n\n\n"
        "def main(epochs, loader):\n"
        "    model = build()\n"
        "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)\n"
        "    for epoch in range(epochs):\n"
        "        for x, y in loader:\n"
        "            optimizer.zero_grad()\n"
        "            model(x).sum().backward()\n"
        "            optimizer.step()\n"
        "        scheduler.step()\n"
        "    state = {'model': model.state_dict(), 'optimizer': optimizer.state_dict(), 'epoch': epochs - 1}\n"
        "    torch.save(state, 'segmentation/last.pth')\n\n\n"
        "main(10, [])\n",
        encoding="utf-8",
    )
    result = lint_paths([str(project)], root=str(project))
    assert result.errors == []
    assert [f.code for f in result.findings] == expected


def test_a_helpers_eval_acts_on_each_model_of_a_list_its_caller_loops_over(tmp_path: Path) -> None:
    """`for model in models: test_model(model, ...)` with models of a list whose elements' role is
    not known: the helper's `model.eval()` acts on the loop's element, as its `model.encoder(x)`
    does, so the pass runs in eval mode."""
    project = new_project(tmp_path, "codec")
    (project / "utils").mkdir()
    (project / "utils" / "__init__.py").write_text("", encoding="utf-8")
    (project / "utils" / "model_utils.py").write_text(
        "def test_model(model, inputs, mode):\n"
        "    SWITCH\n"
        "    result = []\n"
        "    for x in inputs:\n"
        "        if mode == 'encode':\n"
        "            out = model.encoder(x)\n"
        "        else:\n"
        "            out = model.decoder(x)\n"
        "        result.append(out.detach())\n"
        "    return result\n",
        encoding="utf-8",
    )
    (project / "test.py").write_text(
        "import torch\n"
        "from utils.model_utils import test_model\n\n\n"
        "def get_trained_models(paths):\n"
        "    models = []\n"
        "    for path in paths:\n"
        "        models.append(torch.load(path))\n"
        "    return models\n\n\n"
        "def stacked_encoder(inputs, models):\n"
        "    for model in models:\n"
        "        with torch.no_grad():\n"
        "            inputs = test_model(model, inputs, 'encode')\n"
        "    return inputs\n\n\n"
        "def single_frame_test(path, models):\n"
        "    return stacked_encoder(load(path), models)\n\n\n"
        "def datasets_test(paths, models):\n"
        "    for path in paths:\n"
        "        save_csv(single_frame_test(path, models))\n\n\n"
        "if __name__ == '__main__':\n"
        "    datasets_test(['x.npy'], get_trained_models(['a.pt', 'b.pt']))\n",
        encoding="utf-8",
    )
    helper = project / "utils" / "model_utils.py"
    text = helper.read_text(encoding="utf-8")
    helper.write_text(text.replace("SWITCH", "model.eval()"), encoding="utf-8")
    assert lint_project(project) == []
    # without the helper's switch the models run in the mode torch.load gave them back
    helper.write_text(text.replace("SWITCH", "pass"), encoding="utf-8")
    assert [f.code for f in lint_project(project)] == ["LC006"]


def test_a_module_of_a_star_import_bound_twice_is_the_one_its_optimizer_was_built_over(tmp_path: Path) -> None:
    """`from nets import *` bringing `discriminator_network` (bound twice there: built, then wrapped
    in DataParallel on several GPUs): the caller passes that one name both to the helper that
    resets it and, through `Adam(discriminator_network.parameters())`, to the step."""
    project = new_project(tmp_path, "gan")
    (project / "nets.py").write_text(
        "import torch.nn as nn\n\n"
        "discriminator_network = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())\n"
        "if ngpu > 1:\n"
        "    discriminator_network = nn.DataParallel(discriminator_network)\n",
        encoding="utf-8",
    )
    (project / "train.py").write_text(
        "import torch\n"
        "import torch.nn as nn\n"
        "from nets import *\n\n\n"
        "def train(loader, discriminator, optimizer_d, criterion):\n"
        "    for x, y in loader:\n"
        "        ZEROED.zero_grad()\n"
        "        criterion(discriminator(x), y).backward()\n"
        "        optimizer_d.step()\n\n\n"
        "if __name__ == '__main__':\n"
        "    optimizer_D = torch.optim.Adam(discriminator_network.parameters())\n"
        "    train(loader, discriminator_network, optimizer_D, nn.BCELoss())\n",
        encoding="utf-8",
    )
    script = project / "train.py"
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("ZEROED", "discriminator"), encoding="utf-8")
    assert lint_project(project) == []
    script.write_text(text.replace("ZEROED", "criterion"), encoding="utf-8")
    assert [f.code for f in lint_project(project)] == ["LC001"]


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        # the epoch only shown (a logging call's dict, an f-string): nothing goes on from it
        ("logger.info('loaded', extra={'epoch': ckpt.get('epoch')})\n", []),
        ("message = f\"from epoch {ckpt['epoch']}\"\n", []),
        # read back into a name that nothing reads: nothing goes on from it either
        ("start_epoch = ckpt.get('epoch')\n", []),
        # read back into a name that training starts from: training may go on from it
        ("start_epoch = ckpt.get('epoch')\nresume(start_epoch)\n", [("train.py", 15, "LC012")]),
    ],
)
def test_a_position_only_shown_where_a_snapshot_is_loaded_is_not_read_back(
    tmp_path: Path, reader: str, expected: list[tuple[str, int, str]]
) -> None:
    """A snapshot kept when the validation loss improves is an export unless some code of the
    program reads its position back to go on from it; an evaluation script that loads it and
    logs the epoch it was saved at reads nothing back."""
    project = new_project(tmp_path, "forecast")
    (project / "evaluate.py").write_text(
        "import logging\nimport torch\n\nlogger = logging.getLogger(__name__)\n"
        "ckpt = torch.load('best.pt')\n" + reader,
        encoding="utf-8",
    )
    (project / "train.py").write_text(
        "import torch\n\n\n"
        "def train(model, loader, val_loss_of, epochs):\n"
        "    optimizer = torch.optim.Adam(model.parameters())\n"
        "    best = float('inf')\n"
        "    for epoch in range(epochs):\n"
        "        for x, y in loader:\n"
        "            optimizer.zero_grad()\n"
        "            model(x).sum().backward()\n"
        "            optimizer.step()\n"
        "        val_loss = val_loss_of(model)\n"
        "        if val_loss < best:\n"
        "            best = val_loss\n"
        "            torch.save({'model_state': model.state_dict(), 'epoch': epoch}, 'best.pt')\n",
        encoding="utf-8",
    )
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == expected


@pytest.mark.parametrize(
    ("replay", "expected"),
    [
        ("", [("logger.py", 13, "LC012")]),
        ("scheduler.last_epoch = start\n    ", []),
        # a project factory given the position read back builds the schedule where training resumes
        ("scheduler = make_scheduler(optimizer, start)\n    ", []),
        ("scheduler = make_scheduler(optimizer, -1)\n    ", [("logger.py", 13, "LC012")]),
    ],
)
def test_a_saving_helper_of_another_file_misses_the_scheduler_its_callers_step(
    tmp_path: Path, replay: str, expected: list[tuple[str, int, str]]
) -> None:
    """A helper that builds the checkpoint from what it is handed (`Logger.save_checkpoint(it,
    model, optimizer)`) lives in a file with no scheduler; the training that calls it steps one,
    which resuming restarts — unless the caller puts the schedule back at the saved position."""
    project = new_project(tmp_path, "vocoder")
    (project / "logger.py").write_text(
        "import torch\n\n\n"
        "class Logger:\n"
        "    def __init__(self, logdir):\n"
        "        self.logdir = logdir\n\n"
        "    def save_checkpoint(self, iteration, model, optimizer):\n"
        "        d = {}\n"
        "        d['iteration'] = iteration\n"
        "        d['model'] = model.state_dict()\n"
        "        d['optimizer'] = optimizer.state_dict()\n"
        "        torch.save(d, f'{self.logdir}/checkpoint_{iteration}.pt')\n\n"
        "    def load_latest_checkpoint(self, model, optimizer):\n"
        "        d = torch.load(f'{self.logdir}/latest.pt')\n"
        "        model.load_state_dict(d['model'])\n"
        "        optimizer.load_state_dict(d['optimizer'])\n"
        "        return d['iteration']\n",
        encoding="utf-8",
    )
    (project / "train.py").write_text(
        "import torch\n"
        "from logger import Logger\n\n\n"
        "def make_scheduler(optimizer, last_epoch):\n"
        "    return torch.optim.lr_scheduler.StepLR(optimizer, 10, 0.1, last_epoch)\n\n\n"
        "def run(loader, epochs):\n"
        "    logger = Logger('logs')\n"
        "    model = torch.nn.Linear(4, 2)\n"
        "    optimizer = torch.optim.Adam(model.parameters())\n"
        "    start = logger.load_latest_checkpoint(model, optimizer)\n"
        "    " + (replay if "make_scheduler" in replay else "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)\n    " + replay)
        + "iteration = 0\n"
        "    for epoch in range(epochs):\n"
        "        for x, y in loader:\n"
        "            optimizer.zero_grad()\n"
        "            model(x).sum().backward()\n"
        "            optimizer.step()\n"
        "            iteration += 1\n"
        "        logger.save_checkpoint(iteration, model, optimizer)\n"
        "        scheduler.step()\n",
        encoding="utf-8",
    )
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == expected


@pytest.mark.parametrize(("saved", "expected"), [("", [("train.py", 17, "LC012")]), ("'optimizer': model.optimizer.state_dict(), ", [])])
def test_a_checkpoint_of_a_model_trained_by_an_object_of_another_file_misses_that_objects_optimizer(
    tmp_path: Path, saved: str, expected: list[tuple[str, int, str]]
) -> None:
    """`model.optimize_parameters()` of a wrapper that builds `self.optimizer` in its own file: the
    epoch checkpoint saved every epoch beside it needs that optimizer's state."""
    project = new_project(tmp_path, "registration")
    (project / "wrapper.py").write_text(
        "import torch\n\n\n"
        "class Wrapper:\n"
        "    def __init__(self):\n"
        "        self.net = torch.nn.Linear(4, 2)\n"
        "        self.optimizer = torch.optim.Adam(self.net.parameters())\n\n"
        "    def optimize_parameters(self, x):\n"
        "        self.optimizer.zero_grad()\n"
        "        self.net(x).sum().backward()\n"
        "        self.optimizer.step()\n",
        encoding="utf-8",
    )
    (project / "train.py").write_text(
        "import torch\n"
        "from wrapper import Wrapper\n\n\n"
        "def save_checkpoint(state, filename):\n"
        "    torch.save(state, filename)\n\n\n"
        "def main(loader, epochs):\n"
        "    model = Wrapper()\n"
        "    start = torch.load('last.pth')['epoch'] if resume else 0\n"
        "    for epoch in range(start, epochs):\n"
        "        for x in loader:\n"
        "            model.optimize_parameters(x)\n"
        "        state = {'epoch': epoch + 1, " + saved + "'state_dict': model.net.state_dict()}\n"
        "        # saved every epoch, to go on from\n"
        "        save_checkpoint(state, 'last.pth')\n",
        encoding="utf-8",
    )
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == expected


def test_a_single_forward_whose_callers_backward_what_it_returns_is_training(tmp_path: Path) -> None:
    """`con_loss, cat_loss = training_with(x_0, trainer, categories)` in another file, then
    `loss.backward()` on their sum: the helper's forward (no loop of its own around it) is the
    training forward, not an evaluation pass entered from the training loop."""
    project = new_project(tmp_path, "codi")
    (project / "model.py").write_text(textwrap.dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout(0.1)
                self.fc = nn.Linear(4, 4)

            def forward(self, x, t):
                return self.fc(self.drop(x))


        class Trainer(nn.Module):
            def __init__(self, model):
                super().__init__()
                self.model = model

            def make_x_t(self, x, t, noise):
                return x + noise
        """), encoding="utf-8")
    (project / "utils.py").write_text(textwrap.dedent("""\
        import torch
        import torch.nn.functional as F


        def training_with(x_0, trainer, categories):
            t = torch.randint(1000, size=(x_0.shape[0],))
            noise = torch.randn_like(x_0)
            eps = trainer.model(trainer.make_x_t(x_0, t, noise), t)
            con_loss = F.mse_loss(eps, noise)
            parts = []
            for item in categories:
                parts.append(F.cross_entropy(eps[:, :item], torch.argmax(x_0[:, :item], dim=-1).long()))
            return con_loss, sum(parts) / len(parts)
        """), encoding="utf-8")
    main = textwrap.dedent("""\
        import torch
        from model import Net, Trainer
        from utils import training_with

        model = Net()
        trainer = Trainer(model)
        optim = torch.optim.Adam(model.parameters())
        for step in range(10000):
            x_0 = next(looper)
            con_loss, cat_loss = training_with(x_0, trainer, categories)
            loss = USE
            optim.zero_grad()
            loss.backward()
            optim.step()
        """)
    (project / "main.py").write_text(main.replace("USE", "con_loss + cat_loss"), encoding="utf-8")
    assert lint_project(project) == []
    # what it returns only logged, and a fresh forward backwarded: the helper's forward evaluates
    (project / "main.py").write_text(main.replace("USE", "model(x_0, step).mean()\n    print(con_loss.item())"), encoding="utf-8")
    assert sorted(f.code for f in lint_project(project)) == ["LC006", "LC007"]


USER = '''\
import torch
import torch.nn as nn


class User:
    def __init__(self, model, loader):
        self.model = model
        self.loader = loader
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
        self.loss = nn.CrossEntropyLoss()

    def train(self):
        self.model.train()
        for x, y in self.loader:
            self.optimizer.zero_grad()
            self.loss(self.model(x), y).backward()
            self.optimizer.step()

    def test(self):
        self.model.eval()
        correct = 0
        for x, y in self.loader:
            output = self.model(x)
            correct += (output.argmax(1) == y).sum().item()
        return correct
'''


def test_a_method_called_on_each_element_of_a_list_of_project_objects_is_called_there(tmp_path: Path) -> None:
    # the list is filled with `User(...)` objects, so `user.test()` runs `User.test` (an evaluation
    # pass with grad enabled); a base class iterating a list its subclass fills, in a file that
    # does not import the users' module, enters the pass too: one finding for the one bug
    project = new_project(tmp_path, "federated")
    (project / "user.py").write_text(USER, encoding="utf-8")
    (project / "server.py").write_text(textwrap.dedent('''\
        class Server:
            def __init__(self):
                self.users = []

            def evaluate(self):
                return sum(user.test() for user in self.users)

            def run(self, rounds):
                for r in range(rounds):
                    for user in self.users:
                        user.train()
                    print(self.evaluate())
        '''), encoding="utf-8")
    (project / "fedavg.py").write_text(textwrap.dedent('''\
        from server import Server
        from user import User


        class FedAvg(Server):
            def __init__(self, model, loaders):
                super().__init__()
                for loader in loaders:
                    user = User(model, loader)
                    self.users.append(user)
        '''), encoding="utf-8")
    (project / "main.py").write_text(textwrap.dedent('''\
        import torch.nn as nn
        from fedavg import FedAvg

        FedAvg(nn.Linear(4, 2), [[]]).run(3)
        '''), encoding="utf-8")
    findings = [f for f in lint_project(project) if f.code == "LC007"]
    assert len(findings) == 1, findings
    # (`User` trains its model itself, so its `test()` is a pass of its own, reported where it is)
    assert [(Path(f.path).name, f.line) for f in findings] == [("user.py", 23)]
    # a run given only the server's file still follows `user.test()` into the list's `User` objects
    server_only = [f for f in lint_paths([str(project / "server.py")], root=str(project)).findings if f.code == "LC007"]
    assert [(Path(r.path).name, r.line) for f in server_only for r in f.related] == [("user.py", 23)]

    # where the module building the users iterates them itself, the pass is reported in its own file
    (project / "fedavg.py").write_text(textwrap.dedent('''\
        from user import User


        class FedAvg:
            def __init__(self, model, loaders):
                self.users = [User(model, loader) for loader in loaders]

            def run(self, rounds):
                for r in range(rounds):
                    for i, user in enumerate(self.users):
                        user.train()
                        print(user.test())
        '''), encoding="utf-8")
    (project / "server.py").unlink()
    findings = [f for f in lint_project(project) if f.code == "LC007"]
    assert [(Path(f.path).name, f.line) for f in findings] == [("user.py", 23)]


def test_a_list_holding_an_object_of_unknown_class_resolves_no_method(tmp_path: Path) -> None:
    # one element is not known to be a `User` (a copy made by a library): which `test()` runs is not
    # known, so the call is not followed; `User.test` is a pass of a class that trains its model
    # itself, entered where a method of that name is called: from `run()`, which nothing calls (its
    # grad mode cannot be told), and, once a script calls `run()`, with grad on
    project = new_project(tmp_path, "federated")
    (project / "user.py").write_text(USER, encoding="utf-8")
    (project / "fedavg.py").write_text(textwrap.dedent('''\
        import copy
        from user import User


        class FedAvg:
            def __init__(self, model, loaders):
                self.users = [User(model, loader) for loader in loaders]
                self.users.append(copy.deepcopy(self.users[0]))

            def run(self, rounds):
                for r in range(rounds):
                    for user in self.users:
                        user.train()
                        print(user.test())
        '''), encoding="utf-8")
    assert [f for f in lint_project(project) if f.code == "LC007"] == []
    (project / "main.py").write_text("from fedavg import FedAvg\n\nFedAvg(model, loaders).run(3)\n", encoding="utf-8")
    found = [f for f in lint_project(project) if f.code == "LC007"]
    assert [(Path(f.path).name, f.line, f.related) for f in found] == [("user.py", 23, ())]
    # the fedavg file alone: its call of `test()` on the list's elements enters nothing it can see
    assert [f for f in lint_paths([str(project / "fedavg.py")], root=str(project)).findings if f.code == "LC007"] == []


def test_a_single_forward_whose_output_a_picture_helper_draws_is_an_evaluation(tmp_path: Path) -> None:
    # the same calls turn outputs into pictures for a single forward as for a loop of them:
    # `plot_image_grid`, `show_images` as well as `save_image`, `imshow`; here the model is
    # trained by the project's loop in another file, which calls the script's closure
    project = new_project(tmp_path, "prior")
    (project / "utils.py").write_text(textwrap.dedent('''\
        import torch


        def optimize(parameters, closure, lr, num_iter):
            optimizer = torch.optim.Adam(parameters, lr=lr)
            for j in range(num_iter):
                optimizer.zero_grad()
                closure()
                optimizer.step()


        def torch_to_np(t):
            return t.detach().cpu().numpy()[0]
        '''), encoding="utf-8")
    script = textwrap.dedent('''\
        import numpy as np
        import torch
        import torch.nn as nn
        from utils import optimize, torch_to_np
        from plotting import plot_image_grid

        img_np = np.zeros((3, 8, 8))
        net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
        x, y = torch.randn(8, 4), torch.randn(8, 2)


        def closure():
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            return loss


        optimize(net.parameters(), closure, 0.01, 100)
        out_np = torch_to_np(net(x))
        plot_image_grid([np.clip(out_np, 0, 1), img_np], factor=13)
        ''')
    (project / "denoise.py").write_text(script, encoding="utf-8")
    assert [(f.code, f.line) for f in lint_project(project) if f.code == "LC007"] == [("LC007", 19)]
    (project / "denoise.py").write_text(script.replace("plot_image_grid([", "print(["), encoding="utf-8")
    assert [f for f in lint_project(project) if f.code == "LC007"] == []


PLAIN_MODULE = """\
import torch.nn as nn


class {name}(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)
"""
TRAIN_AND_TEST = """\
import torch
from {module} import {name}

model = {name}()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    for x, y in train_loader:
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
    with torch.no_grad():
        for x, y in test_loader:
            print((model(x).argmax(1) == y).float().mean().item())
"""
"""A model class without dropout or batch norm, and a script that trains and tests it (no eval())."""


def test_a_script_imports_from_the_src_folder_beside_it(tmp_path: Path) -> None:
    # `mnist/main.py` imports `model`, found in `mnist/src/model/` (the script is run with its `src/`
    # on the path): the project's class, which holds no dropout or batch norm, not a library's
    project = new_project(tmp_path, "attacks")
    package = project / "mnist" / "src" / "model"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .model import *\n", encoding="utf-8")
    (package / "model.py").write_text(PLAIN_MODULE.format(name="Model"), encoding="utf-8")
    (project / "mnist" / "main.py").write_text(TRAIN_AND_TEST.format(module="model", name="Model"), encoding="utf-8")
    assert lint_project(project) == []
    (project / "mnist" / "src").rename(project / "mnist" / "source")
    assert [f.code for f in lint_project(project)] == ["LC006"]


def test_a_script_imports_from_the_folders_it_puts_on_sys_path(tmp_path: Path) -> None:
    # `sys.path.append("../semi-supervised")`: the folder, taken from the script's own, holds the
    # project's model class (no dropout or batch norm), not a library's
    project = new_project(tmp_path, "ssl")
    (project / "semi-supervised").mkdir()
    (project / "semi-supervised" / "models.py").write_text(PLAIN_MODULE.format(name="Net"), encoding="utf-8")
    (project / "examples").mkdir()
    script = 'import sys\nsys.path.append("../semi-supervised")\n' + TRAIN_AND_TEST.format(module="models", name="Net")
    (project / "examples" / "train.py").write_text(script, encoding="utf-8")
    assert lint_project(project) == []
    (project / "examples" / "train.py").write_text(script.replace('sys.path.append("../semi-supervised")\n', ""), encoding="utf-8")
    assert [f.code for f in lint_project(project)] == ["LC006"]
    # the folder named by a variable bound to a literal (`path_to_utils = "../semi-supervised"`)
    named = script.replace('sys.path.append("../semi-supervised")', 'path_to_utils = "../semi-supervised"\nsys.path.append(path_to_utils)')
    (project / "examples" / "train.py").write_text(named, encoding="utf-8")
    assert lint_project(project) == []


TESTER = """\
class Tester:
    def __init__(self, model, loader):
        self.model = model
        self.loader = loader

    def run(self):
        self.model.eval()
        for x, y in self.loader:
            score = self.model(x)
            print((score.argmax(1) == y).float().mean().item())
"""


def test_a_script_only_named_like_a_test_file_is_a_caller(tmp_path: Path) -> None:
    # `test_n20.py` runs the evaluation from its `main()`: a script, not a pytest test, so its call
    # is the context the pass runs in (grad enabled); a file of real tests says nothing of it
    project = new_project(tmp_path, "routing")
    (project / "tester.py").write_text(TESTER, encoding="utf-8")
    script = textwrap.dedent('''\
        import torch
        from tester import Tester as T


        def main():
            model = torch.nn.Linear(4, 2)
            model.load_state_dict(torch.load("checkpoint.pt"))
            tester = T(model, torch.load("test_data.pt"))
            tester.run()


        if __name__ == "__main__":
            main()
        ''')
    (project / "test_n20.py").write_text(script, encoding="utf-8")
    assert [(Path(f.path).name, f.code) for f in lint_project(project)] == [("tester.py", "LC007")]
    (project / "test_n20.py").write_text(script + "\n\ndef test_runs():\n    main()\n", encoding="utf-8")
    assert lint_project(project) == []


def test_a_method_called_on_the_object_just_built_is_called_there(tmp_path: Path) -> None:
    # `Tester(model, loader).run()`: the method of the project class the call builds
    project = new_project(tmp_path, "routing")
    (project / "tester.py").write_text(TESTER, encoding="utf-8")
    (project / "evaluate.py").write_text(textwrap.dedent('''\
        import torch
        from tester import Tester

        model = torch.nn.Linear(4, 2)
        model.load_state_dict(torch.load("checkpoint.pt"))
        Tester(model, torch.load("test_data.pt")).run()
        '''), encoding="utf-8")
    assert [(Path(f.path).name, f.code) for f in lint_project(project)] == [("tester.py", "LC007")]


# the PyTorch version a project states --------------------------------------------------------


STEPPED_FIRST = '''\
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=10)
for epoch in range(30):
    scheduler.step()
    for x, y in loader:
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
'''


@pytest.mark.parametrize(
    ("name", "text", "flagged"),
    [
        ("README.md", "## Requirements\n- Python 3.6\n- PyTorch 0.4.1\n- torchvision 0.2.1\n", False),
        ("requirements.txt", "numpy\ntorch==1.0.0\ntorchvision==0.2.2\n", False),
        ("environment.yml", "dependencies:\n  - pytorch=0.4.1\n  - cuda92\n", False),
        ("spec-file.txt", "@EXPLICIT\nhttps://example.invalid/linux-64/pytorch-0.4.1-py36_0.tar.bz2\n", False),
        ("README.md", "Tested with PyTorch 0.4.1; PyTorch 1.x works too.\n", True),
        ("requirements.txt", "torch>=1.4\n", True),
        # a lower bound alone states no newest version: the code is meant to run on later releases
        ("README.md", "Install dependencies:\n- [pytorch>=0.4](https://pytorch.org/)\n- torchvision\n", True),
        ("README.md", "Requires PyTorch 0.4+ and Python 3.6.\n", True),
        ("requirements.txt", "torch>=0.4.1\ntorchvision\n", True),
        # a pinned version beside a lower bound: the pin says what it was written for
        ("README.md", "PyTorch >= 0.4 (tested with torch==0.4.1)\n", False),
        # versions of other things: `torch.optim.Adam(lr=0.001)`, torchvision
        ("README.md", "Use torch.optim.Adam(params, lr=0.001) with torchvision==0.2.1.\n", True),
    ],
)
def test_scheduler_order_is_judged_by_the_pytorch_version_the_project_states(
    tmp_path: Path, name: str, text: str, flagged: bool
) -> None:
    # before PyTorch 1.1, `scheduler.step()` at the top of the epoch was the documented order
    project = new_project(tmp_path, "old")
    (project / "train.py").write_text(STEPPED_FIRST, encoding="utf-8")
    (project / name).write_text(text, encoding="utf-8")
    assert [f.code for f in lint_project(project)] == (["LC004"] if flagged else [])


def test_the_nearest_folder_that_states_a_pytorch_version_decides(tmp_path: Path) -> None:
    # a collection: its root states a new PyTorch, one sub-project its own old one
    project = new_project(tmp_path, "collection")
    (project / "README.md").write_text("Requires torch>=2.0\n", encoding="utf-8")
    for folder in ("old_paper", "new_paper"):
        (project / folder).mkdir()
        (project / folder / "train.py").write_text(STEPPED_FIRST, encoding="utf-8")
    (project / "old_paper" / "README.md").write_text("Written for PyTorch 0.4.0.\n", encoding="utf-8")
    (project / "new_paper" / "README.md").write_text("A paper's code.\n", encoding="utf-8")
    assert [(Path(f.path).parent.name, f.code) for f in lint_project(project)] == [("new_paper", "LC004")]


# the methods of a class that trains its model itself -------------------------------------------


DETECTOR = '''\
import torch
import torch.nn as nn


class Detector:
    def fit(self, loader):
        self.model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Linear(4, 1))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.1)
        for epoch in range(3):
            for x, y in loader:
                self.opt.zero_grad()
                ((self.model(x) - y) ** 2).mean().backward()
                self.opt.step()

    def predict(self, loader):
        self.model.eval()
        scores = []
        for x, _ in loader:
            scores.append(self.model(x).data.numpy())
        return scores
'''

RUNNER = '''\
def evaluate(detectors, train, test):
    for det in detectors:
        det.fit(train)
        print(det.predict(test))
'''


def detector_project(project: Path) -> Path:
    """A package of detectors, a runner handed them, and a script handing them over; returns the
    detector's file."""
    (project / "algorithms").mkdir()
    (project / "algorithms" / "__init__.py").write_text("from .detector import Detector\n", encoding="utf-8")
    (project / "algorithms" / "detector.py").write_text(DETECTOR, encoding="utf-8")
    (project / "runner.py").write_text(RUNNER, encoding="utf-8")
    (project / "main.py").write_text(
        "from algorithms import Detector\nfrom runner import evaluate\n\nevaluate([Detector()], train_loader, test_loader)\n",
        encoding="utf-8",
    )
    return project / "algorithms" / "detector.py"


def test_the_predict_method_of_a_class_that_trains_itself_is_an_evaluation_pass(tmp_path: Path) -> None:
    # `fit` then `predict` on detectors a runner is handed: the users of the class call `predict`
    # as they call `fit`, with grad on, though which class each detector is cannot be told there
    project = new_project(tmp_path, "detectors")
    detector_project(project)
    found = [(Path(f.path).name, f.code, f.line) for f in lint_project(project)]
    assert found == [("detector.py", "LC007", 19)]
    # under no_grad, the method is right; and so it is when every call of a method of that name runs under no_grad
    (project / "algorithms" / "detector.py").write_text(
        DETECTOR.replace("    def predict", "    @torch.no_grad()\n    def predict"), encoding="utf-8"
    )
    assert lint_project(project) == []
    (project / "algorithms" / "detector.py").write_text(DETECTOR, encoding="utf-8")
    guarded = RUNNER.replace("        print(det.predict(test))", "        with torch.no_grad():\n            print(det.predict(test))")
    (project / "runner.py").write_text("import torch\n\n\n" + guarded, encoding="utf-8")
    assert lint_project(project) == []
    # a method no file calls by that name never runs; nor does one of a module no file imports
    (project / "algorithms" / "detector.py").write_text(DETECTOR, encoding="utf-8")
    (project / "runner.py").write_text(RUNNER.replace("print(det.predict(test))", "print(det)"), encoding="utf-8")
    assert lint_project(project) == []
    (project / "runner.py").write_text(RUNNER, encoding="utf-8")
    (project / "algorithms" / "__init__.py").write_text("", encoding="utf-8")
    (project / "main.py").write_text("from runner import evaluate\n", encoding="utf-8")
    assert lint_project(project) == []


@pytest.mark.parametrize("framework", ["tensorflow", "torch"])
def test_a_model_a_module_of_another_framework_builds_is_no_torch_model(tmp_path: Path, framework: str) -> None:
    """`tf_model = create_net(...)` from a project module written for TensorFlow (it imports
    tensorflow and not torch), scored in a script that also imports torch: its calls are Keras's,
    no PyTorch pass. The same factory in a torch module builds a torch model (LC006)."""
    project = new_project(tmp_path, "mixed")
    layers = (
        "import tensorflow as tf\n\n\ndef create_net(width):\n"
        "    return tf.keras.Sequential([tf.keras.layers.Dense(width), tf.keras.layers.Dropout(0.2)])\n"
        if framework == "tensorflow" else
        "import torch.nn as nn\n\n\ndef create_net(width):\n"
        "    return nn.Sequential(nn.Linear(4, width), nn.Dropout(0.2))\n"
    )
    (project / "nets.py").write_text(layers, encoding="utf-8")
    (project / "score.py").write_text(
        "import numpy as np\n"
        "import torch\n"
        "from nets import create_net\n\n"
        "tf_model = create_net(8)\n"
        "tf_model.load_weights('net.h5')\n"
        "scores = []\n"
        "for x, y in test_batches:\n"
        "    scores.append(float((tf_model(x).numpy().argmax(1) == y).mean()))\n"
        "print(np.mean(scores))\n",
        encoding="utf-8",
    )
    codes = [code for _, _, code in found(project, [str(project)])]
    assert codes == ([] if framework == "tensorflow" else ["LC006"])


def test_a_helper_pass_entered_from_scripts_is_reported_once_where_it_runs_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `evaluate` runs the model class's own `predict` method in a loop over users; two scripts,
    # each training its own model class, call it every 20 epochs. Seen from a script the pass
    # goes through `evaluate(...)` and `model.predict(...)` to a forward the helper's own pass
    # runs: one bug, reported in the helper
    project = new_project(tmp_path, "recommender")
    model_class = textwrap.dedent('''\
        class SASRec(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(100, 8)
                self.drop = nn.Dropout(0.2)

            def log2feats(self, seqs):
                return self.drop(self.emb(torch.LongTensor(seqs)))

            def forward(self, seqs):
                return self.log2feats(seqs).sum(-1)

            def predict(self, seqs, items):
                feats = self.log2feats(seqs)
                return feats[:, -1, :] @ self.emb(torch.LongTensor(items)).T
        ''')
    (project / "model.py").write_text(
        "import torch\nimport torch.nn as nn\n\n\n" + model_class + "\n\n" + model_class.replace("SASRec", "S3Rec"),
        encoding="utf-8",
    )
    (project / "utils.py").write_text(textwrap.dedent('''\
        import numpy as np
        import torch


        def evaluate(model, dataset):
            hits = 0.0
            for seq, items in dataset:
                predictions = -model.predict(np.array([seq]), items)
                hits += float(predictions[0].argsort().argsort()[0].item() < 10)
            return hits / len(dataset)
        '''), encoding="utf-8")
    script = textwrap.dedent('''\
        import torch
        from model import SASRec
        from utils import evaluate

        model = SASRec()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        for epoch in range(1, 201):
            model.train()
            for seqs in batches:
                optimizer.zero_grad()
                loss = model(seqs).pow(2).mean()
                loss.backward()
                optimizer.step()
            if epoch % 20 == 0:
                model.eval()
                print(epoch, evaluate(model, dataset))
        ''')
    (project / "main.py").write_text(script, encoding="utf-8")
    (project / "main_s3.py").write_text(script.replace("SASRec", "S3Rec"), encoding="utf-8")
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("utils.py", 8, "LC007")]
    monkeypatch.setenv("LOOPCHECK_CACHE_DIR", str(tmp_path / "cache"))
    for jobs in (1, 2):  # cold, then each file's result served from the cache, which keeps the way there
        result = lint_paths([str(project)], root=str(project), cache=True, jobs=jobs)
        assert [(Path(f.path).name, f.line) for f in result.findings] == [("utils.py", 8)]
    # given only a script (as pre-commit does), the pass is reported where the script enters it
    assert found(project, [str(project / "main.py")]) == [("main.py", 16, "LC007")]


TRAIN_MODEL = '''\
import torch
import torch.nn as nn


def train_model(model, loaders, optimizer, num_epochs):
    best_acc = 0.0
    for epoch in range(num_epochs):
        model.train()
        for x, y in loaders["train"]:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = sum((model(x).argmax(1) == y).sum().item() for x, y in loaders["val"])
        best_acc = max(best_acc, acc)
    return model, best_acc
'''
PER_SUBJECT = '''\
import torch
import torch.nn as nn
from utils import train_model

for subject in subjects:
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    optimizer = torch.optim.Adam(model.parameters())
    best_model, acc = train_model(model, loaders[subject], optimizer, 10)
    preds = best_model(x_test[subject])
    print(subject, (preds.argmax(1) == y_test[subject]).float().mean().item())
'''


def test_a_test_forward_after_a_training_call_in_a_loop_over_subjects_is_a_pass(tmp_path: Path) -> None:
    # one model trained by the helper per subject (fold, trial), then tested on held-out data
    # in the same iteration: that forward is the loop's evaluation; the helper's own validation
    # (under no_grad) is judged in the helper, not again at each iteration
    project = new_project(tmp_path, "subjects")
    (project / "utils.py").write_text(TRAIN_MODEL, encoding="utf-8")
    (project / "per_subject.py").write_text(PER_SUBJECT, encoding="utf-8")
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("per_subject.py", 9, "LC007")]
    (project / "per_subject.py").write_text(
        PER_SUBJECT.replace("    preds = best_model(", "    with torch.no_grad():\n        preds = best_model("), encoding="utf-8"
    )
    assert lint_project(project) == []
    # the helper's own validation without no_grad is its bug, reported there only
    unguarded = TRAIN_MODEL.replace(
        "        with torch.no_grad():\n"
        '            acc = sum((model(x).argmax(1) == y).sum().item() for x, y in loaders["val"])\n',
        "        acc = 0\n"
        '        for x, y in loaders["val"]:\n'
        "            if recurrent:\n"
        "                out = model(x, None)\n"
        "            else:\n"
        "                out = model(x)\n"
        "            acc += (out.argmax(1) == y).sum().item()\n",
    ).replace("num_epochs):", "num_epochs, recurrent=False):")
    assert unguarded != TRAIN_MODEL
    (project / "utils.py").write_text(unguarded, encoding="utf-8")
    # (seen from the script, whose call leaves `recurrent` False, the pass begins at the other call)
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("utils.py", 17, "LC007")]
    # the same in one file
    single = new_project(tmp_path, "single")
    (single / "run.py").write_text(TRAIN_MODEL + "\n\n" + PER_SUBJECT.replace("from utils import train_model\n", ""), encoding="utf-8")
    test_line = (TRAIN_MODEL + "\n\n" + PER_SUBJECT).splitlines().index("    preds = best_model(x_test[subject])")
    assert [(f.line, f.code) for f in lint_project(single)] == [(test_line, "LC007")]
    # a forward before the training call of the iteration (an action chosen to collect data) is no test
    acting = project / "per_subject.py"
    acting.write_text(textwrap.dedent('''\
        import torch
        import torch.nn as nn
        from utils import train_model

        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        optimizer = torch.optim.Adam(model.parameters())
        for episode in range(1000):
            action = model(torch.as_tensor(state)).argmax().item()
            state = env.step(action)
            memory.append(state)
            if len(memory) > 100:
                train_model(model, loaders, optimizer, 1)
        '''), encoding="utf-8")
    (project / "utils.py").write_text(TRAIN_MODEL, encoding="utf-8")
    assert lint_project(project) == []


def test_calling_an_instance_built_in_another_file_runs_its_call_method(tmp_path: Path) -> None:
    """`tester = Tester(model)` then `tester(loader)` in a script: the call runs `Tester.__call__`
    of the module imported, whose loop is then an evaluation pass entered there (a name the
    script never writes, so the script is found as a caller by the class it builds)."""
    project = new_project(tmp_path, "tester")
    (project / "engine.py").write_text(textwrap.dedent("""\
        class Tester:
            def __init__(self, model):
                self.model = model

            def __call__(self, loader):
                self.model.eval()
                correct = 0
                for x, y in loader:
                    correct += (self.model(x).argmax(1) == y).sum().item()
                return correct
        """), encoding="utf-8")
    script = textwrap.dedent("""\
        import torch
        import torchvision
        from engine import Tester

        if __name__ == "__main__":
            model = torchvision.models.resnet18()
            model.load_state_dict(torch.load("best.pt"))
            tester = Tester(model)
            RUN
        """)
    (project / "test.py").write_text(script.replace("RUN", "print(tester(loader))"), encoding="utf-8")
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("engine.py", 9, "LC007")]
    (project / "test.py").write_text(script.replace("RUN", "with torch.no_grad():\n        print(tester(loader))"), encoding="utf-8")
    assert lint_project(project) == []


def test_a_best_snapshot_saved_by_a_helper_is_no_resume_point_of_a_script_loading_an_optimizer_key_it_lacks(
    tmp_path: Path,
) -> None:
    """`SaveBest()(model, acc, epoch)` saves `{"epoch", "model"}` only when the accuracy improves; the
    training script that imports it resumes from a checkpoint holding the optimizer's state
    (`optimizer.load_state_dict(ckpt["optimizer"])`): the snapshot is an export. Another script of
    the folder, which does not import the helper, decides nothing about it."""
    project = new_project(tmp_path, "snapshots")
    (project / "helpers.py").write_text(textwrap.dedent("""\
        import torch


        class SaveBest:
            def __init__(self):
                self.best = 0.0

            def __call__(self, model, acc, epoch):
                if acc > self.best:
                    self.best = acc
                    torch.save({"epoch": epoch, "model": model.state_dict()}, "best.pt")
        """), encoding="utf-8")
    script = textwrap.dedent("""\
        import torch
        import torchvision
        from helpers import SaveBest

        model = torchvision.models.resnet18()
        optimizer = torch.optim.Adam(model.parameters())
        start = 0
        if args.resume:
            ckpt = torch.load(args.resume)
            model.load_state_dict(ckpt["model"])
            LOAD
            start = ckpt["epoch"]
        save_best = SaveBest()
        for epoch in range(start, 100):
            for x, y in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
            save_best(model, evaluate(model), epoch)
        """)
    other = 'ckpt = torch.load("x.pt")\nstart = ckpt["epoch"]\noptimizer.load_state_dict(ckpt["optimizer"])\n'
    (project / "train.py").write_text(script.replace("LOAD", 'optimizer.load_state_dict(ckpt["optimizer"])'), encoding="utf-8")
    assert lint_project(project) == []
    (project / "train.py").write_text(script.replace("LOAD", "pass"), encoding="utf-8")
    (project / "other.py").write_text(other, encoding="utf-8")
    assert [(Path(f.path).name, f.code) for f in lint_project(project)] == [("helpers.py", "LC012")]


def test_a_saving_helper_reached_through_another_helper_misses_the_scheduler_its_callers_step(tmp_path: Path) -> None:
    """`save_and_link(...)` calls `save_checkpoint(...)` in the same module, which builds the dict
    (model, optimizer, epoch) from what it is given; the training script that calls `save_and_link`
    every epoch steps a cosine schedule that the dict leaves out. A script whose training steps no
    schedule finds nothing missing."""
    project = new_project(tmp_path, "linked")
    (project / "ckpt.py").write_text(textwrap.dedent("""\
        import torch


        def save_checkpoint(path, model, optimizer, epoch):
            state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}
            torch.save(state, path)


        def save_and_link(folder, model, optimizer, epoch):
            save_checkpoint(f"{folder}/epoch{epoch}.pt", model, optimizer, epoch)


        def load_checkpoint(path, model, optimizer):
            state = torch.load(path)
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            start = state["epoch"]
            return start
        """), encoding="utf-8")
    script = textwrap.dedent("""\
        import torch
        import torchvision
        from ckpt import load_checkpoint, save_and_link

        model = torchvision.models.resnet18()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        SCHEDULE
        start = load_checkpoint(args.resume, model, optimizer) if args.resume else 0
        for epoch in range(start, 100):
            for x, y in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
            STEP
            save_and_link("runs", model, optimizer, epoch)
        """)
    (project / "train.py").write_text(
        script.replace("SCHEDULE", "scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)").replace("STEP", "scheduler.step()"),
        encoding="utf-8",
    )
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("ckpt.py", 6, "LC012")]
    (project / "train.py").write_text(script.replace("SCHEDULE", "pass").replace("STEP", "pass"), encoding="utf-8")
    assert lint_project(project) == []


PIPELINE = """
import torch
import torch.nn as nn
from .MODULE import Net


class Pipeline:
    def __init__(self):
        self.model = Net()
        self.model.load_state_dict(torch.load("net.pt"))

    def predict(self, loader):
        self.model.eval()
        return [self.model(x).argmax(1) for x, _ in loader]


if __name__ == "__main__":
    print(Pipeline().predict(test_loader))
"""


def test_a_file_importing_a_module_its_package_does_not_hold_is_not_analysed_and_says_so(tmp_path: Path) -> None:
    project = new_project(tmp_path, "graphs")
    for folder in ("gcn", "unets"):
        (project / folder).mkdir()
        (project / folder / "__init__.py").write_text("", encoding="utf-8")
    (project / "gcn" / "model.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n",
        encoding="utf-8",
    )
    (project / "gcn" / "pipeline.py").write_text(PIPELINE.replace("MODULE", "model"), encoding="utf-8")
    # `unets/` lost its model.py: `from .model import Net` raises ImportError, nothing of it runs
    (project / "unets" / "pipeline.py").write_text(PIPELINE.replace("MODULE", "model"), encoding="utf-8")
    # a module built from its sources (`nms.pyx`) is there once built
    (project / "unets" / "nms.pyx").write_text("", encoding="utf-8")
    (project / "unets" / "built.py").write_text(PIPELINE.replace("MODULE", "nms"), encoding="utf-8")

    result = lint_paths([str(project)], root=str(project))

    assert sorted((Path(f.path).relative_to(project).as_posix(), f.code) for f in result.findings) == [
        ("gcn/pipeline.py", "LC007"),
        ("unets/built.py", "LC007"),
    ]
    assert [(Path(n.path).relative_to(project).as_posix(), n.reason) for n in result.notes if "not analysed" in n.reason] == [
        ("unets/pipeline.py", "not analysed: it imports .model, which is not in the project (importing the file fails: none of its code runs)")
    ]


@pytest.mark.parametrize(("imports", "expected"), [("from nets import Encoder\n", ["LC007"]), ("", [])])
def test_a_name_another_file_defines_and_this_one_does_not_import_ends_the_run(
    tmp_path: Path, imports: str, expected: list[str]
) -> None:
    """`Encoder()` read by a script that forgot `from nets import Encoder`: a NameError, so the
    evaluation after it never runs (a name no file defines is a free input and says nothing)."""
    project = new_project(tmp_path, "forgot")
    (project / "nets.py").write_text(
        "import torch.nn as nn\n\n\nclass Encoder(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n",
        encoding="utf-8",
    )
    (project / "predict.py").write_text(
        "import torch\n" + imports + "\n"
        "encoder = Encoder()\n"
        "encoder.load_state_dict(torch.load('encoder.pt'))\n"
        "encoder.eval()\n"
        "for x in test_loader:\n"
        "    print(encoder(x).argmax(1))\n",
        encoding="utf-8",
    )
    assert [f.code for f in lint_project(project)] == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        # a script relying on an interactive session's imports: `torch` is imported by the project's other files
        ("model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Dropout(0.5))\n", []),
        # `transforms` beside `import torchvision.transforms as T`: the module under its own name is no name here
        ("import torch\nimport torchvision.transforms as T\n\npipeline = transforms.Compose([T.ToTensor()])\n"
         "model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Dropout(0.5))\n", []),
        # imported in one of the file's functions, read at its top level
        ("def load():\n    import numpy as np\n    return np.load('x.npy')\n\nx = np.load('x.npy')\n"
         "model = Net()\n", []),
        # the same scripts with what they read given: the evaluation runs
        ("import torch\nmodel = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Dropout(0.5))\n", ["LC006", "LC007"]),
        ("import torch\nimport torchvision.transforms as T\n\npipeline = T.Compose([T.ToTensor()])\n"
         "model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Dropout(0.5))\n", ["LC006", "LC007"]),
        # a name no file imports nor defines is a free input of a fragment: it says nothing
        ("model = make_model()\n", ["LC006", "LC007"]),
    ],
)
def test_a_name_the_project_imports_elsewhere_and_this_script_does_not_ends_the_run(
    tmp_path: Path, script: str, expected: list[str]
) -> None:
    """A script reading a module it never imports (`torch.nn.Sequential` with no `import torch`,
    `transforms.Compose` beside `import torchvision.transforms as T`) though the project's files,
    or its own functions, import it: a NameError there, so the evaluation after it never runs."""
    project = new_project(tmp_path, "session_imports")
    (project / "nets.py").write_text(
        "import torch\nimport torch.nn as nn\nimport numpy as np\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 2)\n"
        "        self.drop = nn.Dropout(0.5)\n\n    def forward(self, x):\n        return self.drop(self.fc(x))\n\n\n"
        "def make_model():\n    return Net()\n",
        encoding="utf-8",
    )
    (project / "predict.py").write_text(
        ("from nets import Net, make_model\n" if "make_model" in script or "Net()" in script else "")
        + script
        + "model.load_state_dict(weights)\n"
        "for x in test_loader:\n"
        "    print(model(x).argmax(1))\n",
        encoding="utf-8",
    )
    assert sorted(f.code for f in lint_project(project)) == expected


@pytest.mark.parametrize(
    ("build", "evaluate", "expected"),
    [
        # arguments that bind: the evaluation runs
        ("TestSet('test', 28)", "model(x)", ["LC006"]),
        ("TestSet('test', size=28, flip=True)", "model(x, mask=None)", ["LC006"]),
        # a required parameter left out, a value too many, a keyword the class does not take
        ("TestSet('test')", "model(x)", []),
        ("TestSet('test', 28, True, 3)", "model(x)", []),
        ("TestSet('test', 28, scale=2)", "model(x)", []),
        # the forward given a value too many, or one it already has
        ("TestSet('test', 28)", "model(x, None, None)", []),
        ("TestSet('test', 28)", "model(x, x=x)", []),
        # what cannot be counted is not judged: values unpacked into the call
        ("TestSet(*settings)", "model(x)", ["LC006"]),
    ],
)
def test_a_call_whose_arguments_cannot_bind_to_the_project_definition_ends_the_run(
    tmp_path: Path, build: str, evaluate: str, expected: list[str]
) -> None:
    """`TestSet('test')` for an `__init__(self, split, size, flip=False)`, `model(x, None, None)`
    for a `forward(self, x, mask=None)`: the call raises TypeError before anything of the callee
    runs, so the evaluation at or after it never runs."""
    project = new_project(tmp_path, "unbindable")
    (project / "nets.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.drop = nn.Dropout(0.5)\n\n    def forward(self, x, mask=None):\n        return self.drop(x)\n\n\n"
        "class TestSet:\n    def __init__(self, split, size, flip=False):\n        self.split = split\n\n"
        "    def __iter__(self):\n        return iter([])\n",
        encoding="utf-8",
    )
    (project / "predict.py").write_text(
        "import torch\nfrom nets import Net, TestSet\n\n"
        "model = Net()\n"
        "model.load_state_dict(torch.load('model.pt'))\n"
        f"loader = {build}\n"
        "with torch.no_grad():\n"
        "    for x in loader:\n"
        f"        print({evaluate}.argmax(1))\n",
        encoding="utf-8",
    )
    assert [f.code for f in lint_project(project)] == expected


@pytest.mark.parametrize(("validate", "expected"), [("self.model.eval()", []), ("pass", ["LC006"])])
def test_a_part_of_a_model_a_trainer_object_left_in_eval_mode_is_in_eval_mode(
    tmp_path: Path, validate: str, expected: list[str]
) -> None:
    """A notebook hands `model` to a project `Trainer` whose `train()` validates last each epoch
    (`self.model.eval()`), then encodes with `model.encoder`: the part of the object the trainer
    switched is in eval mode too (`model.eval()` covers `model.encoder`, also when the switch is
    made as `self.model.eval()` on the object the trainer was given)."""
    import json

    project = new_project(tmp_path, "trainer_object")
    (project / "model.py").write_text(
        "import torch.nn as nn\n\n\nclass Autoencoder(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.encoder = nn.Sequential(nn.Linear(784, 10), nn.BatchNorm1d(10), nn.Linear(10, 2))\n"
        "        self.decoder = nn.Sequential(nn.Linear(2, 10), nn.BatchNorm1d(10), nn.Linear(10, 784))\n\n"
        "    def forward(self, x):\n        return self.decoder(self.encoder(x))\n",
        encoding="utf-8",
    )
    (project / "trainer.py").write_text(
        "import torch\n\n\nclass Trainer:\n    def __init__(self, model, optimizer, crit):\n        self.model = model\n"
        "        self.optimizer = optimizer\n        self.crit = crit\n\n"
        "    def _train(self, x):\n        self.model.train()\n        for x_i in x:\n            loss = self.crit(self.model(x_i), x_i)\n"
        "            self.optimizer.zero_grad()\n            loss.backward()\n            self.optimizer.step()\n\n"
        f"    def _validate(self, x):\n        {validate}\n        with torch.no_grad():\n            total = 0.0\n"
        "            for x_i in x:\n                total += float(self.crit(self.model(x_i), x_i))\n        return total\n\n"
        "    def train(self, train_x, valid_x, epochs):\n        for epoch in range(epochs):\n            self._train(train_x)\n"
        "            self._validate(valid_x)\n",
        encoding="utf-8",
    )
    cells = [
        "import torch\nimport torch.nn as nn\nimport torch.optim as optim\nfrom model import Autoencoder\nfrom trainer import Trainer\n",
        "model = Autoencoder()\noptimizer = optim.Adam(model.parameters())\ntrainer = Trainer(model, optimizer, nn.MSELoss())\n",
        "trainer.train(train_x, valid_x, 10)\n",
        "with torch.no_grad():\n    latents = model.encoder(test_x[:1000])\n    plt.scatter(latents[:, 0], latents[:, 1])\n",
    ]
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c} for c in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (project / "autoencoder.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    assert [f.code for f in lint_project(project) if f.path.endswith(".ipynb")] == expected


@pytest.mark.parametrize(("decorator", "expected"), [("", []), ("@gin.configurable\n", ["LC006"])])
def test_a_class_whose_decorator_may_give_arguments_is_not_judged_for_binding(
    tmp_path: Path, decorator: str, expected: list[str]
) -> None:
    """`@gin.configurable class TestSet` built as `TestSet('test')`: the decorator may fill in
    what the call leaves out, so the call may bind (without it, TypeError)."""
    project = new_project(tmp_path, "configured")
    (project / "nets.py").write_text(
        "import gin\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.drop = nn.Dropout(0.5)\n\n    def forward(self, x):\n        return self.drop(x)\n\n\n"
        f"{decorator}class TestSet:\n    def __init__(self, split, size):\n        self.split = split\n\n"
        "    def __iter__(self):\n        return iter([])\n",
        encoding="utf-8",
    )
    (project / "predict.py").write_text(
        "import torch\nfrom nets import Net, TestSet\n\nmodel = Net()\nmodel.load_state_dict(torch.load('model.pt'))\n"
        "loader = TestSet('test')\nwith torch.no_grad():\n    for x in loader:\n        print(model(x).argmax(1))\n",
        encoding="utf-8",
    )
    assert [f.code for f in lint_project(project)] == expected


@pytest.mark.parametrize(("call", "expected"), [("self.forward(x, y)", ["LC009"]), ("self.forward(x)", [])])
def test_a_method_called_on_self_without_a_required_value_ends_the_run(tmp_path: Path, call: str, expected: list[str]) -> None:
    """`self.forward(x)` for a `forward(self, x, y)`: TypeError at the call, so the training loop
    holding it never runs past it (the loss it would keep is never made)."""
    project = new_project(tmp_path, "unbound_method")
    (project / "translator.py").write_text(
        "import torch\nimport torch.nn as nn\n\n\nclass Translator(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.fc = nn.Linear(4, 4)\n        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)\n"
        "\n    def forward(self, x, y):\n        return self.fc(x) + y\n\n"
        "    def fit(self, loader):\n        history = []\n        for x, y in loader:\n            self.optimizer.zero_grad()\n"
        f"            loss = {call}.pow(2).mean()\n"
        "            loss.backward()\n            self.optimizer.step()\n            history.append(loss)\n        return history\n",
        encoding="utf-8",
    )
    assert [f.code for f in lint_project(project)] == expected


@pytest.mark.parametrize(("imports", "expected"), [("from nets import Block\n", ["LC006"]), ("", [])])
def test_building_a_model_whose_class_names_what_its_file_forgot_to_import_ends_the_run(
    tmp_path: Path, imports: str, expected: list[str]
) -> None:
    """`Classifier()` whose `__init__` builds a `Block` that `model.py` never imports (`nets.py`
    defines it): every construction raises NameError, so the script's evaluation after it never
    runs, though the script itself names nothing it lacks."""
    project = new_project(tmp_path, "forgot_in_model")
    (project / "nets.py").write_text(
        "import torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.drop = nn.Dropout(0.5)\n\n    def forward(self, x):\n        return self.drop(x)\n",
        encoding="utf-8",
    )
    (project / "model.py").write_text(
        "import torch.nn as nn\n" + imports + "\n\nclass Classifier(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.block = Block()\n\n    def forward(self, x):\n        return self.block(x)\n",
        encoding="utf-8",
    )
    (project / "predict.py").write_text(
        "import torch\nfrom model import Classifier\n\n"
        "model = Classifier()\n"
        "model.load_state_dict(torch.load('model.pt'))\n"
        "correct = 0\n"
        "for x, y in test_loader:\n"
        "    correct += (model(x).argmax(1) == y).sum().item()\n"
        "print(correct)\n",
        encoding="utf-8",
    )
    assert sorted(f.code for f in lint_project(project)) == expected


@pytest.mark.parametrize(("flag", "expected"), [("volatile=True", []), ("requires_grad=False", ["LC007"])])
def test_a_volatile_input_handed_to_a_forward_of_another_file_reaches_the_methods_it_runs(
    tmp_path: Path, flag: str, expected: list[str]
) -> None:
    """Before PyTorch 0.4: `net.forward(Variable(data, volatile=True))`, whose forward (in another
    file) runs `self.extract_features(x)`: the method runs on the volatile input that call handed
    over and records no graph (the training loop hands the same forward plain Variables)."""
    project = new_project(tmp_path, "old")
    (project / "finetune.py").write_text(
        "import torch.nn as nn\n\n\nclass FinetuneModel(nn.Module):\n    def __init__(self, original):\n        super().__init__()\n"
        "        self.features = original.features\n        self.classifier = nn.Linear(4, 2)\n\n"
        "    def extract_features(self, inputs):\n        out = self.features(inputs)\n        return out.view(-1, 4)\n\n"
        "    def forward(self, x):\n        out = self.extract_features(x)\n        return self.classifier(out)\n\n\n"
        "class Scratch(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 2)\n\n"
        "    def forward(self, x):\n        return self.fc(x)\n",
        encoding="utf-8",
    )
    (project / "baselines.py").write_text(
        "import torch\nimport torch.nn.functional as F\nfrom torch.autograd import Variable\nfrom finetune import FinetuneModel, Scratch\n\n\n"
        "def train(net, optimizer):\n"
        "    net.train()\n"
        "    for data, target in train_loader:\n"
        "        data, target = Variable(data), Variable(target)\n"
        "        optimizer.zero_grad()\n"
        "        loss = F.nll_loss(net.forward(data), target)\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "        print(loss.data[0])\n"
        "    test(net)\n\n\n"
        "def test(net):\n"
        "    net.eval()\n"
        "    correct = 0\n"
        "    for data, target in test_loader:\n"
        f"        data, target = Variable(data, {flag}), Variable(target)\n"
        "        output = net.forward(data)\n"
        "        correct += output.data.max(1)[1].eq(target.data).sum()\n"
        "    return correct\n\n\n"
        "def main():\n"
        "    if args.scratch:\n"
        "        model = Scratch()\n"
        "    else:\n"
        "        model = torch.load(args.pretrained)\n"
        "        model = FinetuneModel(model)\n"
        "    if args.inference:\n"
        "        model = torch.load(args.pretrained)\n"
        "        test(model)\n"
        "    else:\n"
        "        train(model, torch.optim.SGD(model.parameters(), lr=0.1))\n\n\n"
        "main()\n",
        encoding="utf-8",
    )
    assert [f.code for f in lint_project(project)] == expected


@pytest.mark.parametrize(("restore", "expected"), [("", ["LC008"]), ("    model.train()\n", [])])
def test_a_model_trained_and_evaluated_by_helpers_of_another_file_is_trained_here(
    tmp_path: Path, restore: str, expected: list[str]
) -> None:
    """`model, optimizer, loss = train(model, ...)` and `model, loss = test(model, ...)` of
    `solver.py` in the epoch loop: the model the other file's helper trains is this file's model,
    and the helper's eval() leaves it in eval mode for the next epoch's training."""
    project = new_project(tmp_path, "solver_split")
    (project / "solver.py").write_text(
        "import torch\n\n\n"
        "def train(model, criterion, optimizer, loader):\n"
        + restore +
        "    total = 0.0\n"
        "    for x, y in loader:\n"
        "        optimizer.zero_grad()\n"
        "        loss = criterion(model(x), y)\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "        total += loss.item()\n"
        "    return model, optimizer, total\n\n\n"
        "def test(model, criterion, loader):\n"
        "    model.eval()\n"
        "    total = 0.0\n"
        "    for x, y in loader:\n"
        "        total += criterion(model(x), y).item()\n"
        "    return model, total\n",
        encoding="utf-8",
    )
    (project / "main.py").write_text(
        "import torch\nimport torch.nn as nn\nfrom solver import train, test\n\n"
        "model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Linear(4, 2))\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "criterion = nn.CrossEntropyLoss()\n"
        "for epoch in range(10):\n"
        "    model, optimizer, train_loss = train(model, criterion, optimizer, train_loader)\n"
        "    with torch.no_grad():\n"
        "        model, test_loss = test(model, criterion, test_loader)\n",
        encoding="utf-8",
    )
    assert [f.code for f in lint_project(project)] == expected


def test_files_calling_each_others_stopping_functions_are_read_one_call_deep(tmp_path: Path) -> None:
    """Two files whose functions misspell a class and call each other: whether a call always
    stops is asked one call deep, so the run ends (no endless walk between the files), and the
    evaluation after the stopping call says nothing."""
    project = new_project(tmp_path, "cycle")
    (project / "nets.py").write_text(
        "import torch.nn as nn\n\n\nclass Encoder(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.drop = nn.Dropout(0.5)\n\n    def forward(self, x):\n        return self.drop(x)\n",
        encoding="utf-8",
    )
    (project / "first.py").write_text(
        "import torch\nfrom nets import Encoder\nfrom second import helper_b\n\n\n"
        "def helper_a():\n    probe = Encodr()\n    helper_b()\n\n\n"
        "model = Encoder()\nmodel.load_state_dict(torch.load('m.pt'))\nhelper_a()\ncorrect = 0\n"
        "for x, y in test_loader:\n    correct += (model(x).argmax(1) == y).sum().item()\nprint(correct)\n",
        encoding="utf-8",
    )
    (project / "second.py").write_text(
        "from nets import Encoder\nfrom first import helper_a\n\n\n"
        "def helper_b():\n    probe = Encodr()\n    helper_a()\n",
        encoding="utf-8",
    )
    assert lint_project(project) == []


def test_a_class_imported_from_a_module_named_like_its_folder(tmp_path: Path) -> None:
    # `TD3/TD3.py` beside `TD3/train.py` and `TD3/test.py`: `from TD3 import TD3` run from that folder
    # imports the module file and takes its class (not the file as a submodule of a package `TD3`)
    project = new_project(tmp_path, "agents")
    folder = project / "TD3"
    folder.mkdir()
    (folder / "TD3.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn

        class TD3:
            def __init__(self):
                self.actor = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 2))
                self.optimizer = torch.optim.Adam(self.actor.parameters())

            def policy(self, obs):
                return self.actor(torch.as_tensor(obs)).detach().numpy()

            def update(self, batch):
                loss = self.actor(batch).pow(2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

            def load(self, path):
                self.actor.load_state_dict(torch.load(path))
    """), encoding="utf-8")
    (folder / "train.py").write_text(textwrap.dedent("""
        from TD3 import TD3

        def main(env, agent, update_freq=4, render=True):
            for episode in range(1000):
                obs, done, count = env.reset(), False, 0
                while not done:
                    if render:
                        env.render()
                    obs, reward, done, _ = env.step(agent.policy(obs))
                    agent.store(obs, reward)
                    count += 1
                    if count % update_freq == 0:
                        agent.update(agent.sample())

        if __name__ == "__main__":
            main(make_env(), TD3(), update_freq=1, render=False)
    """), encoding="utf-8")
    (folder / "test.py").write_text(textwrap.dedent("""
        from TD3 import TD3

        def main(env, agent, episodes=100, render=True):
            for episode in range(episodes):
                obs, done = env.reset(), False
                while not done:
                    if render:
                        env.render()
                    obs, reward, done, _ = env.step(agent.policy(obs))  # expect: LC007

        if __name__ == "__main__":
            agent = TD3()
            agent.load("td3.pkl")
            main(make_env(), agent, episodes=100, render=False)
    """), encoding="utf-8")
    # the games of the loaded agent test it; the training games, whatever `render` says, collect data
    found = [(Path(f.path).relative_to(project).as_posix(), f.line, f.code) for f in lint_project(project)]
    assert found == marked(project) == [("TD3/test.py", 10, "LC007")]


def test_an_epoch_loop_that_trains_through_another_files_function_steps_per_epoch(tmp_path: Path) -> None:
    project = new_project(tmp_path, "powerflow")
    (project / "training.py").write_text(textwrap.dedent("""
        import torch

        def train_epoch(model, loader, loss_fn, optimizer):
            total = 0.0
            for x, y in loader:
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss.item()
            return total / len(loader)
    """), encoding="utf-8")
    (project / "train.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn
        from training import train_epoch

        def main(train_loader, epochs=100):
            model = nn.Linear(4, 2)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            scheduler = SCHEDULE
            for epoch in range(epochs):
                train_epoch(model, train_loader, nn.functional.mse_loss, optimizer)
                scheduler.step()
    """), encoding="utf-8")
    schedule = "torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-3, steps_per_epoch=len(train_loader), epochs=epochs)"
    train = project / "train.py"
    train.write_text(train.read_text().replace("SCHEDULE", schedule), encoding="utf-8")
    # a schedule sized in batches, stepped once per epoch around the imported batch loop
    assert [(f.line, f.code) for f in lint_project(project)] == [(12, "LC005")]
    # a schedule sized in epochs is stepped as it should be
    train.write_text(train.read_text().replace(schedule, "torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)"), encoding="utf-8")
    assert lint_project(project) == []


def test_a_prediction_helper_called_by_a_web_route_runs_with_grad_on(tmp_path: Path) -> None:
    project = new_project(tmp_path, "webapp")
    (project / "predictor.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
        model.load_state_dict(torch.load("model.bin"))
        model.eval()

        def get_score(features):
            score = model(torch.tensor([features]))  # expect: LC007
            return score.item()
    """), encoding="utf-8")
    (project / "app.py").write_text(textwrap.dedent("""
        from flask import Flask, request
        from predictor import get_score

        app = Flask(__name__)

        @app.route("/", methods=["POST"])
        def home():
            return {"score": get_score(request.json["features"])}
    """), encoding="utf-8")
    # the server calls the route as plain Python: the prediction records a graph per request
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("predictor.py", 10, "LC007")]
    # a route decorator of something that is no web framework says nothing of the grad mode
    app = project / "app.py"
    app.write_text(app.read_text().replace("from flask import Flask, request", "from plugins import Flask, request"), encoding="utf-8")
    assert lint_project(project) == []


def test_a_file_importing_a_name_its_module_does_not_define_is_not_analysed_and_says_so(tmp_path: Path) -> None:
    project = new_project(tmp_path, "search")
    (project / "cnn").mkdir()
    (project / "cnn" / "model.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n",
        encoding="utf-8",
    )
    (project / "cnn" / "utils.py").write_text("def accuracy(out, y):\n    return (out.argmax(1) == y).float().mean().item()\n", encoding="utf-8")
    script = PIPELINE.replace("from .MODULE import Net", "from model import Net\nfrom utils import NAME")
    # `from utils import Genotype` beside a `utils.py` that defines no `Genotype`: ImportError first
    (project / "cnn" / "train.py").write_text(script.replace("NAME", "Genotype"), encoding="utf-8")
    result = lint_paths([str(project)], root=str(project))
    assert result.findings == []
    assert [(Path(n.path).relative_to(project).as_posix(), n.reason) for n in result.notes if "not analysed" in n.reason] == [
        ("cnn/train.py", "not analysed: it imports Genotype from utils, which does not define it (importing the file fails: none of its code runs)")
    ]
    # a name the module defines imports fine
    (project / "cnn" / "train.py").write_text(script.replace("NAME", "accuracy"), encoding="utf-8")
    assert [f.code for f in lint_paths([str(project)], root=str(project)).findings] == ["LC007"]
    # a module whose names cannot all be told (a star import) may define it
    (project / "cnn" / "utils.py").write_text("from helpers import *\n", encoding="utf-8")
    (project / "cnn" / "train.py").write_text(script.replace("NAME", "Genotype"), encoding="utf-8")
    assert [f.code for f in lint_paths([str(project)], root=str(project)).findings] == ["LC007"]


def test_a_misspelt_attribute_of_a_project_module_ends_the_run(tmp_path: Path) -> None:
    project = new_project(tmp_path, "darts")
    (project / "utils.py").write_text(
        "class AverageMeter:\n    def __init__(self):\n        self.sum, self.count = 0.0, 0\n\n"
        "    def update(self, value, n=1):\n        self.sum += value * n\n        self.count += n\n",
        encoding="utf-8",
    )
    (project / "test.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn
        import utils

        def infer(loader, model):
            meter = utils.METER()
            model.eval()
            for x, y in loader:
                logits = model(x)
                meter.update((logits.argmax(1) == y).float().mean().item(), x.size(0))
            return meter.sum / meter.count

        if __name__ == "__main__":
            model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.2), nn.Linear(8, 2))
            model.load_state_dict(torch.load("weights.pt"))
            print(infer(test_loader, model))
    """), encoding="utf-8")
    test = project / "test.py"
    # `utils.AvgrageMeter()` raises AttributeError before the loop: the pass never runs
    test.write_text(test.read_text().replace("METER", "AvgrageMeter"), encoding="utf-8")
    assert lint_project(project) == []
    # spelt right, the loop runs with grad enabled
    test.write_text(test.read_text().replace("AvgrageMeter", "AverageMeter"), encoding="utf-8")
    assert [f.code for f in lint_project(project)] == ["LC007"]


def test_a_script_calls_what_the_import_last_above_the_call_brings(tmp_path: Path) -> None:
    project = new_project(tmp_path, "sisr")
    trainer = textwrap.dedent("""
        import torch

        def train(model, train_loader, test_loader, epochs=5):
            optimizer = torch.optim.Adam(model.parameters())
            for epoch in range(epochs):
                model.train()
                for x, y in train_loader:
                    optimizer.zero_grad()
                    torch.nn.functional.l1_loss(model(x), y).backward()
                    optimizer.step()
                with torch.no_grad():
                    for x, y in test_loader:
                        print(torch.nn.functional.l1_loss(model(x), y).item())
    """)
    (project / "trainer_plain.py").write_text(trainer, encoding="utf-8")
    (project / "trainer_hf.py").write_text(trainer, encoding="utf-8")
    (project / "nets.py").write_text(textwrap.dedent("""
        import torch.nn as nn

        class Clip(nn.modules.activation.Hardtanh):
            pass

        class Plain(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), Clip())

            def forward(self, x):
                return self.body(x)

        class Dropping(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.Dropout(0.2))

            def forward(self, x):
                return self.body(x)
    """), encoding="utf-8")
    (project / "main.py").write_text(textwrap.dedent("""
        from nets import Dropping as Net
        import trainer_plain as trainer
        trainer.train(Net(), train_loader, test_loader)

        from nets import Plain as Net
        import trainer_hf as trainer
        trainer.train(Net(), train_loader, test_loader)
    """), encoding="utf-8")
    # `trainer_hf.train` is called only with the model that holds no dropout (its activation's
    # base, torch's Hardtanh, has no mode): its test loop needs no eval(); `trainer_plain.train`
    # tests the dropping one in train mode
    found = [(Path(f.path).name, f.code) for f in lint_project(project)]
    assert found == [("trainer_plain.py", "LC006")]


def test_code_a_call_runs_before_its_function_stops_still_runs(tmp_path: Path) -> None:
    project = new_project(tmp_path, "ecg")
    (project / "plots.py").write_text("def visual_res(history, epochs):\n    print(history, epochs)\n", encoding="utf-8")
    (project / "training.py").write_text(textwrap.dedent("""
        import torch
        import plots as vs

        def fit(epochs, model, loader):
            optimizer = torch.optim.Adam(model.parameters())
            history = []
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()  # expect: LC001
                    optimizer.step()
                history.append(loss.item())
            return history

        def train_model(model, loader, epochs):
            history = fit(epochs, model, loader)
            vs.isual_res(history, epochs)
            return model
    """), encoding="utf-8")
    (project / "main.py").write_text(textwrap.dedent("""
        import torch.nn as nn
        import training as tr

        model = tr.train_model(nn.Linear(4, 1), loader, 10)
    """), encoding="utf-8")
    # `vs.isual_res` raises AttributeError only once `fit` has trained: its missing reset runs
    found = [(Path(f.path).relative_to(project).as_posix(), f.line, f.code) for f in lint_project(project)]
    assert found == marked(project) == [("training.py", 11, "LC001")]


def test_a_library_import_is_not_judged_by_a_project_folder_of_its_name(tmp_path: Path) -> None:
    # rlkit keeps its torch code in `rlkit/torch/`: `from torch import optim` in a file deeper down
    # imports the library, not that folder (which defines no `optim`)
    project = new_project(tmp_path, "rlkit")
    (project / "torch").mkdir()
    (project / "torch" / "__init__.py").write_text("", encoding="utf-8")
    (project / "torch" / "vae").mkdir()
    (project / "torch" / "vae" / "__init__.py").write_text("", encoding="utf-8")
    (project / "torch" / "vae" / "trainer.py").write_text(
        PIPELINE.replace("from .MODULE import Net", "from torch import optim\nfrom torch.nn import Linear as Net"), encoding="utf-8"
    )
    result = lint_paths([str(project)], root=str(project))
    assert [n.reason for n in result.notes if "not analysed" in n.reason] == []
    assert [f.code for f in result.findings] == ["LC007"]


def test_a_factory_that_loads_weights_only_when_asked_builds_afresh_when_not_asked(tmp_path: Path) -> None:
    # a model file's own check at its bottom: a forward of a network built from random weights
    project = new_project(tmp_path, "factories")
    (project / "models").mkdir()
    net = textwrap.dedent("""
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, block, layers, num_classes, **kwargs):
                super().__init__()
                self.drop = nn.Dropout(0.5)
                self.fc = nn.Linear(4, num_classes)

            def forward(self, x):
                return self.fc(self.drop(x))

        def _build(name, block, layers, pretrained, progress, num_classes, **kwargs):
            model = Net(block, layers, num_classes, **kwargs)
            if pretrained:
                model.load_state_dict(torch.load(name + ".pth"))
            return model

        def net101(pretrained=False, progress=True, num_classes=2, **kwargs):
            return _build("net101", "bottleneck", [3, 4, 23, 3], pretrained, progress, num_classes, **kwargs)

        if __name__ == "__main__":
            model = net101(ARGS)
            dummy = torch.ones((1, 4))
            model.eval()
            print(model(dummy))
    """)
    (project / "train.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn
        from models.net import net101

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = net101()

            def forward(self, x):
                return self.backbone(x)

        model = Classifier()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    """), encoding="utf-8")
    (project / "models" / "__init__.py").write_text("", encoding="utf-8")
    (project / "create.py").write_text(textwrap.dedent("""
        from models import net

        def create_model(name, num_classes):
            if name == "net101":
                return net.net101(num_classes=num_classes)

        model = create_model("net101", 2)
    """), encoding="utf-8")
    (project / "models" / "net.py").write_text(net.replace("ARGS", "num_classes=2"), encoding="utf-8")
    assert [(f.code, f.line) for f in lint_project(project)] == []
    # asked for the pretrained weights: the forward runs a trained network with grad enabled
    (project / "models" / "net.py").write_text(net.replace("ARGS", "pretrained=True"), encoding="utf-8")
    assert [f.code for f in lint_project(project)] == ["LC007"]


@pytest.mark.parametrize("registry", ["{'VAE': VAE}", "{'VAE': VAE, 'Beta': BetaVAE}"])
def test_a_model_built_from_a_registry_a_star_import_brings_is_of_its_classes(tmp_path: Path, registry: str) -> None:
    """`from models import *` then `model = vae_models[name](**params)`: the registry is a dict of
    the project's model classes in the package's `__init__`, so the model is one of them, and
    `model.sample(n)` after `model.eval()` runs their decoders with grad enabled. With one class
    the model is of that class; with several, each class's `sample` only computes."""
    project = new_project(tmp_path, "vae")
    (project / "models").mkdir()
    (project / "models" / "vae.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn

        class VAE(nn.Module):
            def __init__(self, latent_dim=4):
                super().__init__()
                self.latent_dim = latent_dim
                self.decoder = nn.Linear(latent_dim, 8)

            def forward(self, x):
                return self.decoder(x)

            def sample(self, n):
                z = torch.randn(n, self.latent_dim)
                return self.decoder(z)

        class BetaVAE(VAE):
            def sample(self, n):
                return self.decoder(torch.randn(n, self.latent_dim)) * 2
    """), encoding="utf-8")
    (project / "models" / "__init__.py").write_text(
        f"from .vae import VAE, BetaVAE\n\nvae_models = {registry}\n", encoding="utf-8"
    )
    (project / "predict.py").write_text(textwrap.dedent("""
        import torch
        from models import *

        def predict(config):
            model = vae_models[config["name"]](**config["params"])
            model.load_state_dict(torch.load(config["ckpt"]))
            model.eval()
            samples = model.sample(64)
            print(samples.detach().numpy())

        if __name__ == "__main__":
            predict({"name": "VAE", "params": {}, "ckpt": "best.pth"})
    """), encoding="utf-8")
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("predict.py", 9, "LC007")]


@pytest.mark.parametrize("present", [False, True])
def test_a_script_importing_a_name_a_namespace_folder_lacks_cannot_run(tmp_path: Path, present: bool) -> None:
    """`from models import ResNet` beside a `models/` folder with no `__init__.py` and no
    `ResNet.py` (a namespace package holds its modules and nothing else): the import raises
    ImportError, so none of the script's code runs and its evaluation without no_grad is not
    reported. With `models/ResNet.py` committed, it runs and the pass is reported."""
    project = new_project(tmp_path, "reid")
    (project / "models").mkdir()
    (project / "models" / "hybrid.py").write_text("import torch.nn as nn\n\nclass Hybrid(nn.Module):\n    pass\n", encoding="utf-8")
    if present:
        (project / "models" / "ResNet.py").write_text(textwrap.dedent("""
            import torch.nn as nn

            class ResNet50(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 2)

                def forward(self, x):
                    return self.fc(x)
        """), encoding="utf-8")
    (project / "train.py").write_text(textwrap.dedent("""
        import torch
        from models import ResNet

        model = ResNet.ResNet50()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        for x, y in test_loader:
            print((model(x).argmax(1) == y).float().mean().item())
    """), encoding="utf-8")
    assert [(f.code, f.line) for f in lint_project(project)] == ([("LC007", 13)] if present else [])


def test_a_package_function_named_like_its_submodule_and_a_factory_of_several_classes(tmp_path: Path) -> None:
    """`from src.eval import test` where `src/eval/__init__.py` says `from .test import test`: the
    package's binding replaces the submodule, so `test(model, loader)` runs the function. `model =
    decoder()` of a factory returning a GRU or an LSTM decoder is one of them, and `model.predict(x)`,
    which both inherit (`self.eval(); return self(x)`), runs the model with grad on."""
    project = new_project(tmp_path, "captions")
    for folder in ("src/eval", "src/model"):
        (project / folder).mkdir(parents=True)
    (project / "src" / "eval" / "__init__.py").write_text("from .test import test\n", encoding="utf-8")
    (project / "src" / "eval" / "test.py").write_text(textwrap.dedent("""
        def test(model, loader):
            for images, captions in loader:
                print(model.predict(images), captions)
    """), encoding="utf-8")
    (project / "src" / "model" / "__init__.py").write_text("from .create import decoder\n", encoding="utf-8")
    (project / "src" / "model" / "create.py").write_text(textwrap.dedent("""
        import torch.nn as nn

        class Decoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout(0.5)
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(self.drop(x))

            def predict(self, images):
                self.eval()
                return self(images).argmax(-1)

        class GRUDecoder(Decoder):
            pass

        class LSTMDecoder(Decoder):
            pass

        def decoder(name="gru"):
            if name == "gru":
                return GRUDecoder()
            elif name == "lstm":
                return LSTMDecoder()
            raise ValueError(name)
    """), encoding="utf-8")
    (project / "main.py").write_text(textwrap.dedent("""
        import torch
        from src.model import decoder
        from src.eval import test

        model = decoder()
        optimizer = torch.optim.Adam(model.parameters())
        for x, y in train_loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        test(model, test_loader)
    """), encoding="utf-8")
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("test.py", 4, "LC007")]


def test_a_model_method_reached_from_two_functions_passes_is_reported_for_each(tmp_path: Path) -> None:
    """`def predict(self, x): self.eval(); return self(x)` in the model's file holds no pass of its
    own (a model's method is the model); `predict_one` and `predictions` each reach its forward
    through their own call, outside no_grad: each is a pass that needs its own `with
    torch.no_grad():`, reported where it calls the method."""
    project = new_project(tmp_path, "captions")
    (project / "net.py").write_text(textwrap.dedent("""
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout(0.5)
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(self.drop(x))

            def predict(self, x):
                self.eval()
                return self(x).argmax(-1)
    """), encoding="utf-8")
    (project / "main.py").write_text(textwrap.dedent("""
        import torch
        from net import Net

        def predict_one(model, x):
            return model.predict(x.unsqueeze(0))

        def predictions(model, data):
            for x, y in data:
                print(model.predict(x), y)

        net = Net()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        print(predict_one(net, sample))
        predictions(net, test_loader)
    """), encoding="utf-8")
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("main.py", 6, "LC007"), ("main.py", 10, "LC007")]


@pytest.mark.parametrize("package", [False, True])
def test_a_script_importing_from_below_a_module_file_cannot_run(tmp_path: Path, package: bool) -> None:
    """`from Code.ATCNet.Dataset import BCIDataset` where `Code/ATCNet.py` is a module file and
    there is no `Code/ATCNet/` folder: a module is no package, the import raises ImportError and the
    script's evaluation never runs. With `Code/ATCNet/Dataset.py` it runs and is reported."""
    project = new_project(tmp_path, "eeg")
    (project / "Code").mkdir()
    (project / "Code" / "ATCNet.py").write_text("import torch.nn as nn\n", encoding="utf-8")
    if package:
        (project / "Code" / "ATCNet.py").unlink()
        (project / "Code" / "ATCNet").mkdir()
        (project / "Code" / "ATCNet" / "Dataset.py").write_text("class BCIDataset:\n    pass\n", encoding="utf-8")
    (project / "experiment.py").write_text(textwrap.dedent("""
        import torch
        from Code.ATCNet.Dataset import BCIDataset

        model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Dropout(0.5))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in train_loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            for x, y in test_loader:
                print((model(x).argmax(1) == y).float().mean().item())
    """), encoding="utf-8")
    assert [f.code for f in lint_project(project)] == (["LC006"] if package else [])


def test_a_script_importing_a_library_named_like_its_own_folder_still_runs(tmp_path: Path) -> None:
    """`from sudoku import Sudoku` in `sudoku/solve_sudoku.py`: the folder that holds the script is
    not on the path it runs with, so the name is an installed library's (py-sudoku), not a
    namespace package lacking `Sudoku`: the script runs and its pass with grad on is reported."""
    project = new_project(tmp_path, "vision")
    (project / "sudoku").mkdir()
    (project / "sudoku" / "digits.py").write_text(textwrap.dedent("""
        import torch.nn as nn

        def get_model():
            return nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.3))
    """), encoding="utf-8")
    (project / "sudoku" / "solve_sudoku.py").write_text(textwrap.dedent("""
        import torch
        from digits import get_model
        from sudoku import Sudoku

        model = get_model()
        model.load_state_dict(torch.load("model.pt"))
        model.eval()

        def get_number(im):
            return int(model(torch.tensor(im).float()).argmax(-1))

        for cell in cells:
            print(get_number(cell), Sudoku(3))
    """), encoding="utf-8")
    assert [(Path(f.path).name, f.code) for f in lint_project(project)] == [("solve_sudoku.py", "LC007")]


@pytest.mark.parametrize("present", [False, True])
def test_a_script_importing_a_module_its_project_folder_lacks_cannot_run(tmp_path: Path, present: bool) -> None:
    """`from models.segnet import SegNet` beside a `models/` folder that holds `unet.py` only: the
    module is in no file of the project, the import raises ImportError and the script's pass never
    runs. With `models/segnet.py` committed, it runs and is reported."""
    project = new_project(tmp_path, "seg")
    (project / "models").mkdir()
    (project / "models" / "unet.py").write_text("import torch.nn as nn\n\nclass UNet(nn.Module):\n    pass\n", encoding="utf-8")
    if present:
        (project / "models" / "segnet.py").write_text("import torch.nn as nn\n\nclass SegNet(nn.Module):\n    pass\n", encoding="utf-8")
    (project / "inference.py").write_text(textwrap.dedent("""
        import torch
        from models.unet import UNet
        from models.segnet import SegNet

        model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Dropout(0.5))
        model.load_state_dict(torch.load("best.pt"))
        model.eval()
        for x in test_loader:
            print(model(x).argmax(1))
    """), encoding="utf-8")
    assert [f.code for f in lint_project(project)] == (["LC007"] if present else [])


DQN_AGENT = '''\
import numpy as np
import torch
import torch.nn as nn


class {name}:
    def __init__(self, action_space):
        self.action_space = action_space
        self.epsilon = 0.5
        self.dqn = nn.Linear(4, 2)
        self.optimizer = torch.optim.Adam(self.dqn.parameters())
        self.memory = []

    def act(self, state):
        if np.random.random() < self.epsilon:
            return [self.action_space.sample() for i in range(len(state))]
        action = self.dqn.forward(torch.FloatTensor(state)).argmax(dim=-1)
        return action.cpu().detach().numpy()

    def remember(self, *transition):
        self.memory.append(transition)

    def train(self, batch_size=128):
        x, y = self.memory[-1][0], self.memory[-1][2]
        self.optimizer.zero_grad()
        nn.functional.mse_loss(self.dqn.forward(torch.FloatTensor(x)), torch.FloatTensor(y)).backward()
        self.optimizer.step()
'''

DQN_RUNNER = '''\
def train(agent, env, total_timesteps):
    observation = env.reset()
    timestep = 0
    while timestep < total_timesteps:
        action = agent.act(observation)
        next_observation, reward, done, _ = env.step(action)
        agent.remember(observation, action, reward, next_observation, done)
        agent.train()
        timestep += 1
        observation = next_observation


def evaluate(agent, env, n_episodes=5):
    for episode in range(n_episodes):
        obs = env.reset()
        done = False
        while not done:
            action = agent.act(obs[None, :])[0]
            obs, reward, done, _ = env.step(action)
'''


def test_a_class_its_script_imports_but_never_builds_runs_no_method(tmp_path: Path) -> None:
    """A script imports two agent classes (`from dqn import DQN`, `from ddqn import DDQN`) but
    builds only `DDQN` and hands it to a runner's `train` and then `evaluate`: `DDQN.act` plays the
    trained agent with grad enabled. `DQN` is named nowhere but in the import: nothing builds,
    subclasses or hands it on, so its `act` never runs and is no pass. Control: a script that also
    builds a `DQN` makes its `act` live again."""
    project = new_project(tmp_path, "agents")
    (project / "dqn.py").write_text(DQN_AGENT.format(name="DQN"), encoding="utf-8")
    (project / "ddqn.py").write_text(DQN_AGENT.format(name="DDQN"), encoding="utf-8")
    (project / "runner.py").write_text(DQN_RUNNER, encoding="utf-8")
    (project / "train_dqn.py").write_text(
        "import gym\n"
        "from dqn import DQN\n"
        "from ddqn import DDQN\n"
        "from runner import train, evaluate\n\n"
        "if __name__ == '__main__':\n"
        "    env = gym.make('CartPole-v1')\n"
        "    agent = DDQN(env.action_space)\n"
        "    train(agent, env, 1000)\n"
        "    evaluate(agent, gym.make('CartPole-v1'), 5)\n",
        encoding="utf-8",
    )
    assert found(project, [str(project)]) == [("ddqn.py", 17, "LC007")]
    (project / "train_both.py").write_text(
        "import gym\n"
        "from dqn import DQN\n"
        "from runner import train, evaluate\n\n"
        "if __name__ == '__main__':\n"
        "    agent = DQN(gym.make('CartPole-v1').action_space)\n"
        "    evaluate(agent, gym.make('CartPole-v1'), 5)\n",
        encoding="utf-8",
    )
    assert found(project, [str(project)]) == [("ddqn.py", 17, "LC007"), ("dqn.py", 17, "LC007")]


def test_a_runner_that_imports_no_torch_but_drives_the_projects_agents_is_analysed(tmp_path: Path) -> None:
    """`runner.py` imports only numpy; the script hands it an agent built from a torch class of the
    project: `evaluate(agent, env)` plays the trained agent through `agent.act(obs)` with grad
    enabled, a pass reported at that call. A file no project file imports, with imports of no
    torch and no project module, is still no PyTorch code (a z3 notebook's `s.model()`)."""
    project = new_project(tmp_path, "a2c")
    (project / "a2c.py").write_text(
        DQN_AGENT.format(name="A2C").replace(
            "        action = self.dqn.forward(torch.FloatTensor(state)).argmax(dim=-1)\n",
            "        action = torch.distributions.Categorical(logits=self.dqn.forward(torch.FloatTensor(state))).sample()\n",
        ),
        encoding="utf-8",
    )
    (project / "runner.py").write_text("import numpy as np\n\n\n" + DQN_RUNNER, encoding="utf-8")
    (project / "train_a2c.py").write_text(
        "import gym\n"
        "from a2c import A2C\n"
        "from runner import train, evaluate\n\n"
        "if __name__ == '__main__':\n"
        "    env = gym.make('CartPole-v1')\n"
        "    agent = A2C(env.action_space)\n"
        "    train(agent, env, 1000)\n"
        "    evaluate(agent, gym.make('CartPole-v1'), 5)\n",
        encoding="utf-8",
    )
    runner_lines = DQN_RUNNER.splitlines()
    line = 3 + next(i + 1 for i, text in enumerate(runner_lines) if "agent.act(obs[None, :])" in text)
    assert found(project, [str(project)]) == [("runner.py", line, "LC007")]
    (project / "solver.py").write_text(
        "import z3\n\n"
        "s = z3.Solver()\n"
        "for x in candidates:\n"
        "    s.add(x > 0)\n"
        "    model = s.model()\n"
        "    print(model(x))\n",
        encoding="utf-8",
    )
    assert found(project, [str(project / "solver.py")]) == []


def test_a_base_class_method_is_called_through_a_subclass_of_another_file(tmp_path: Path) -> None:
    project = new_project(tmp_path, "template")
    (project / "base").mkdir()
    (project / "base" / "__init__.py").write_text("from .base_trainer import BaseTrainer\n", encoding="utf-8")
    (project / "base" / "base_trainer.py").write_text(textwrap.dedent("""
        import torch

        class BaseTrainer:
            def __init__(self, model, optimizer, epochs):
                self.model = model
                self.optimizer = optimizer
                self.epochs = epochs

            def train(self):
                for epoch in range(1, self.epochs + 1):
                    self._train_epoch(epoch)
                    self._save_checkpoint(epoch)

            def _save_checkpoint(self, epoch):
                state = {
                    "epoch": epoch,
                    "state_dict": self.model.state_dict(),
                    "optimizer": self.optimizer.state_dict(),
                }
                torch.save(state, f"checkpoint-epoch{epoch}.pth")
    """), encoding="utf-8")
    (project / "trainer").mkdir()
    (project / "trainer" / "__init__.py").write_text("from .trainer import Trainer\n", encoding="utf-8")
    (project / "trainer" / "trainer.py").write_text(textwrap.dedent("""
        import torch.nn.functional as F
        from base import BaseTrainer

        class Trainer(BaseTrainer):
            def __init__(self, model, optimizer, epochs, loader, lr_scheduler=None):
                super().__init__(model, optimizer, epochs)
                self.loader = loader
                self.lr_scheduler = lr_scheduler

            def _train_epoch(self, epoch):
                self.model.train()
                for x, y in self.loader:
                    self.optimizer.zero_grad()
                    F.cross_entropy(self.model(x), y).backward()
                    self.optimizer.step()
                if self.lr_scheduler is not None:
                    self.lr_scheduler.step()
    """), encoding="utf-8")
    (project / "train.py").write_text(textwrap.dedent("""
        import torch
        from trainer import Trainer

        def main(config, model, loader):
            optimizer = config.init_obj("optimizer", torch.optim, model.parameters())
            SCHEDULER
            trainer = Trainer(model, optimizer, 10, loader, lr_scheduler=lr_scheduler)
            trainer.train()
    """), encoding="utf-8")
    train = (project / "train.py").read_text(encoding="utf-8")
    # `trainer.train()` runs BaseTrainer.train, whose snapshots leave out the scheduler the
    # configuration builds from torch's module and the subclass steps every epoch
    (project / "train.py").write_text(
        train.replace("SCHEDULER", 'lr_scheduler = config.init_obj("lr_scheduler", torch.optim.lr_scheduler, optimizer)'),
        encoding="utf-8",
    )
    assert [(Path(f.path).name, f.code) for f in lint_project(project)] == [("base_trainer.py", "LC012")]
    # no scheduler: the snapshot holds all there is to resume
    (project / "train.py").write_text(train.replace("SCHEDULER", "lr_scheduler = None"), encoding="utf-8")
    assert lint_project(project) == []


def test_a_model_built_from_a_settings_dict_and_loaded_by_a_helper_is_a_trained_model(tmp_path: Path) -> None:
    project = new_project(tmp_path, "sentiment")
    (project / "models.py").write_text(textwrap.dedent("""
        import torch.nn as nn

        class PureGRU(nn.Module):
            def __init__(self, **kwargs):
                super().__init__()
                self.gru = nn.GRU(kwargs["input_size"], kwargs["hidden_size"])
                self.out = nn.Linear(kwargs["hidden_size"], 4)

            def forward(self, x):
                return self.out(self.gru(x)[1])

        class DroppingGRU(PureGRU):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.dropout = nn.Dropout(0.5)

            def forward(self, x):
                return self.out(self.dropout(self.gru(x)[1]))
    """), encoding="utf-8")
    settings = textwrap.dedent("""
        import models

        MODEL = {
            "model": models.CLASS,
            "input_size": 50,
            "hidden_size": 128,
        }
    """)
    (project / "utils.py").write_text(textwrap.dedent("""
        import torch
        import settings

        def load_model_params(model, path):
            LOAD

        def generate_model_from_settings():
            return settings.MODEL["model"](**settings.MODEL)
    """), encoding="utf-8")
    (project / "predict.py").write_text(textwrap.dedent("""
        import sys
        import torch
        import utils

        model = utils.generate_model_from_settings()
        utils.load_model_params(model, sys.argv[1])
        for line in open(sys.argv[2]):
            features = torch.tensor(encode(line))
            out = model(features)
            send(out.detach().numpy())
    """), encoding="utf-8")

    def codes(cls: str, load: str) -> list[str]:
        (project / "settings.py").write_text(settings.replace("CLASS", cls), encoding="utf-8")
        utils = (project / "utils.py").read_text(encoding="utf-8")
        (project / "utils.py").write_text(utils.replace("LOAD", load), encoding="utf-8")
        try:
            return [f.code for f in lint_project(project)]
        finally:
            (project / "utils.py").write_text(utils, encoding="utf-8")

    load = "model.load_state_dict(torch.load(path))"
    # the helper loads the weights of the model it is given: a trained model predicts, with grad on;
    # the settings name a class without dropout, so its mode does not matter
    assert codes("PureGRU", load) == ["LC007"]
    # the class the settings name holds dropout: it runs in training mode too
    assert codes("DroppingGRU", load) == ["LC006", "LC007"]
    # a helper that loads nothing into it leaves a model as built, run on its input: no evaluation seen
    assert codes("PureGRU", "print(path)") == []


_MOVED_NETS = 'import torch.nn as nn\n\n\nclass PlainNet(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.body = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 2))\n\n    def forward(self, x):\n        return self.body(x)\n\n\nclass DroppingNet(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.body = nn.Sequential(nn.Linear(4, 64), nn.Dropout(0.2), nn.Linear(64, 2))\n\n    def forward(self, x):\n        return self.body(x)\n'
_MOVED_AGENT = 'import torch\nimport torch.nn as nn\nimport torch.optim as optim\n\n\nclass Agent:\n    def __init__(self, env, net: nn.Module, device="cpu"):\n        self.env = env\n        self.net = net.to(device)\n        self.optim = optim.Adam(self.net.parameters(), lr=1e-3)\n        self.state = torch.as_tensor(env.reset())\n\n    def train(self, epochs):\n        for epoch in range(epochs):\n            with torch.no_grad():\n                memory = self.collect(256)\n            for states, targets in memory:\n                loss = (self.net(states) - targets).pow(2).mean()\n                self.optim.zero_grad()\n                loss.backward()\n                self.optim.step()\n\n    def collect(self, steps):\n        memory = []\n        for _ in range(steps):\n            scores = self.net(self.state)\n            state, reward, done, _ = self.env.step(scores.argmax().item())\n            memory.append((self.state, reward))\n            self.state = torch.as_tensor(state)\n        return memory\n\n    def load(self, path):\n        self.net.load_state_dict(torch.load(path))\n'
_MOVED_TRAINER = 'import gym\n\nfrom agent import Agent\nfrom nets import DroppingNet\n\n\ndef main():\n    env = gym.make("CartPole-v1")\n    agent = Agent(env, DroppingNet())\n    agent.train(100)\n\n\nif __name__ == "__main__":\n    main()\n'
_MOVED_DEMO = 'import gym\n\nfrom agent import Agent\nfrom nets import PlainNet\n\n\ndef main():\n    env = gym.make("CartPole-v1")\n    net = PlainNet()\n    agent = Agent(env, net)\n    agent.load("agent.pth")\n    for _ in range(1000):\n        agent.collect(1)\n\n\nif __name__ == "__main__":\n    main()\n'


@pytest.mark.parametrize(
    ("net", "expected"),
    [
        # the demo's own agent is built over a network with no dropout or batch norm: mode is moot
        ("PlainNet", ["LC007"]),
        ("DroppingNet", ["LC006", "LC007"]),
    ],
)
def test_a_network_moved_in_a_constructor_is_what_the_construction_the_pass_runs_on_passes(
    tmp_path: Path, net: str, expected: list[str]
) -> None:
    """`self.net = net.to(device)` in `Agent.__init__`; the training script builds its agent over a
    DroppingNet, the demo script over `net`, which it binds itself, and plays episodes through
    `agent.collect(1)`. Whether the demo's pass runs dropout is decided by what the demo's own
    construction passes, not by any construction of the class."""
    project = new_project(tmp_path, "rl")
    (project / "nets.py").write_text(_MOVED_NETS, encoding="utf-8")
    (project / "agent.py").write_text(_MOVED_AGENT, encoding="utf-8")
    (project / "main.py").write_text(_MOVED_TRAINER, encoding="utf-8")
    (project / "demo.py").write_text(_MOVED_DEMO.replace("PlainNet", net), encoding="utf-8")
    assert sorted((Path(f.path).name, f.line, f.code) for f in lint_project(project)) == [
        ("agent.py", 26, code) for code in expected
    ]


def test_a_file_given_by_a_path_relative_to_the_current_folder_is_judged_as_an_absolute_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`loopcheck model/net.py` from the project's folder: the import of a name that the `utils/`
    namespace folder does not hold is found as for the absolute path (the file cannot run), and
    no internal error comes of comparing the relative importer with the absolute folder."""
    (tmp_path / "model").mkdir()
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "training_metrics.py").write_text("def macro_recall(x):\n    return x\n", encoding="utf-8")
    script = (
        "import torch\n"
        "from utils.training_metrics import macro_recall\n"
        "from utils import misc_utils\n\n"
        "for x in loader:\n"
        "    model(x).sum().backward()\n"
        "    optimizer.step()\n"
    )
    (tmp_path / "model" / "net.py").write_text(script, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    relative = lint_paths([os.path.join("model", "net.py")])
    absolute = lint_paths([str(tmp_path / "model" / "net.py")])
    assert relative.errors == [] and absolute.errors == []
    assert [(n.reason) for n in relative.notes] == [n.reason for n in absolute.notes]
    assert any("misc_utils" in n.reason for n in relative.notes)
    assert relative.findings == absolute.findings == []


_NET_MODULE = (
    "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n"
)


def test_a_script_importing_from_a_package_at_the_root_what_it_lacks_is_not_analysed(tmp_path: Path) -> None:
    """`experiments/eval.py` runs `from lib.models import Net, wide_resnet` and `from
    lib.metrics import accuracy`; `lib/` is a package directly in the project's root, the one the
    script imports (run from the root or installed), not a module beside the script. A name its
    `models` package does not define, or a module `lib/` does not hold (moved since), raises
    ImportError before any code of the script runs."""
    project = new_project(tmp_path, "robust")
    (project / "lib" / "models").mkdir(parents=True)
    (project / "lib" / "models" / "__init__.py").write_text("from lib.models.net import Net\n", encoding="utf-8")
    (project / "lib" / "models" / "net.py").write_text(_NET_MODULE, encoding="utf-8")
    (project / "experiments").mkdir()
    script = PIPELINE.replace("from .MODULE import Net", "from lib.models import Net, NAME\nfrom lib.MODULE import accuracy")
    (project / "lib" / "metrics.py").write_text("def accuracy(out, y):\n    return 0.0\n", encoding="utf-8")

    def notes() -> list[str]:
        result = lint_paths([str(project)], root=str(project))
        assert result.findings == []
        return [n.reason for n in result.notes if "not analysed" in n.reason]

    (project / "experiments" / "eval.py").write_text(script.replace("NAME", "wide_resnet").replace("MODULE", "metrics"), encoding="utf-8")
    assert notes() == [
        "not analysed: it imports wide_resnet from lib.models, which does not define it (importing the file fails: none of its code runs)"
    ]
    (project / "experiments" / "eval.py").write_text(script.replace(", NAME", "").replace("MODULE", "scores"), encoding="utf-8")
    assert notes() == [
        "not analysed: it imports accuracy from lib.scores, which does not define it (importing the file fails: none of its code runs)"
    ]
    # with both in place the script runs, and its pass is judged
    (project / "experiments" / "eval.py").write_text(script.replace(", NAME", "").replace("MODULE", "metrics"), encoding="utf-8")
    assert [f.code for f in lint_paths([str(project)], root=str(project)).findings] == ["LC007"]
    # a module built from sources (`scores.cpython-311-x86_64-linux-gnu.so`) may give the name
    (project / "lib" / "scores.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\0")
    (project / "experiments" / "eval.py").write_text(script.replace(", NAME", "").replace("MODULE", "scores"), encoding="utf-8")
    assert [f.code for f in lint_paths([str(project)], root=str(project)).findings] == ["LC007"]


def test_a_method_called_on_a_parameter_the_callers_fill_with_several_classes_is_called(tmp_path: Path) -> None:
    """`run(synthesizer)` in `base.py` calls `synthesizer.generate(n)`; each synthesizer's script
    ends with `run(ItsSynthesizer())`. The generate method of each class is called there, so the
    generator's pass in `GanSynthesizer.generate` runs, with grad on."""
    project = new_project(tmp_path, "tabular")
    (project / "base.py").write_text(textwrap.dedent("""
        class Synthesizer:
            def fit(self, data):
                pass

            def generate(self, n):
                return []


        def run(synthesizer):
            synthesizer.fit(load_data())
            for step, rows in synthesizer.generate(1000):
                print(step, len(rows))
    """), encoding="utf-8")
    (project / "identity.py").write_text(textwrap.dedent("""
        from base import Synthesizer, run


        class IdentitySynthesizer(Synthesizer):
            def fit(self, data):
                self.data = data

            def generate(self, n):
                return [(0, self.data[:n])]


        if __name__ == "__main__":
            run(IdentitySynthesizer())
    """), encoding="utf-8")
    (project / "gan.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn
        from base import Synthesizer, run


        class GanSynthesizer(Synthesizer):
            def fit(self, data):
                self.generator = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Linear(16, 4))
                optimizer = torch.optim.Adam(self.generator.parameters())
                for batch in data:
                    optimizer.zero_grad()
                    self.generator(torch.randn(len(batch), 8)).pow(2).mean().backward()
                    optimizer.step()

            def generate(self, n):
                self.generator.eval()
                rows = []
                for i in range(n // 100):
                    rows.append(self.generator(torch.randn(100, 8)).detach().numpy())
                return [(0, rows)]


        if __name__ == "__main__":
            run(GanSynthesizer())
    """), encoding="utf-8")
    assert [(Path(f.path).name, f.line, f.code) for f in lint_project(project)] == [("gan.py", 20, "LC007")]


def test_a_project_folder_named_like_a_library_below_a_script_does_not_shadow_it(tmp_path: Path) -> None:
    """`gnn/dgl/node_clf.py` runs `from dgl.data import CiteseerGraphDataset`: Python finds `dgl`
    beside the script or at the root, never in `gnn/` above it, so the project's `gnn/dgl/`
    package (which has no `data`) is not what it imports: the installed library is."""
    project = new_project(tmp_path, "tutorial")
    (project / "gnn" / "dgl").mkdir(parents=True)
    (project / "gnn" / "__init__.py").write_text("", encoding="utf-8")
    (project / "gnn" / "dgl" / "__init__.py").write_text("", encoding="utf-8")
    (project / "gnn" / "dgl" / "node_clf.py").write_text(
        PIPELINE.replace("from .MODULE import Net", "from dgl.data import CiteseerGraphDataset\nfrom torch.nn import Linear as Net"),
        encoding="utf-8",
    )
    result = lint_paths([str(project)], root=str(project))
    assert [n.reason for n in result.notes if "not analysed" in n.reason] == []
    assert [f.code for f in result.findings] == ["LC007"]


def test_a_notebook_cell_that_fails_to_import_stops_that_cell_only(tmp_path: Path) -> None:
    """A notebook whose first cell imports a name its project module lacks: Jupyter reports the
    error and runs the cells after it, so their passes are judged (a script would stop there)."""
    import json

    project = new_project(tmp_path, "charrnn")
    (project / "utils.py").write_text("def tokenize(text):\n    return text.split()\n", encoding="utf-8")
    cells = [
        "from utils import clean_and_split_file",
        "import torch\nimport torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))\n"
        "model.load_state_dict(torch.load('rnn.pt'))",
        "for x in val_loader:\n    print(model(x).argmax(1))",
    ]
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None} for c in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (project / "Test.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    result = lint_paths([str(project)], root=str(project))
    assert sorted(f.code for f in result.findings) == ["LC006", "LC007"]
    # the same code as a script stops at its failing import
    (project / "run.py").write_text("\n".join(cells) + "\n", encoding="utf-8")
    script = lint_paths([str(project / "run.py")], root=str(project))
    assert script.findings == [] and any("clean_and_split_file" in n.reason for n in script.notes)
