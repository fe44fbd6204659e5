"""The result cache (issue 8): a warm run gives what a cold one gives, a changed helper invalidates
the files whose analysis used it (and only those), a corrupt entry is a miss, never an error.

To tell a result served from the cache from one computed again, the tests rewrite the stored
entries' messages ("FROM CACHE"): a file whose result comes back so was not analysed again.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from loopcheck.engine import LintResult, lint_paths
from tests.test_inference import BASE_AND_SUBCLASS, NETS

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
TAMPERED = "FROM CACHE"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("LOOPCHECK_CACHE_DIR", str(directory))
    return directory


def everything(result: LintResult) -> tuple[object, ...]:
    return (result.findings, result.errors, result.notes, result.files_checked)


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("v*/*.json"))


def tamper(directory: Path) -> int:
    """Rewrite every stored finding's message; returns how many were rewritten."""
    count = 0
    for entry in entries(directory):
        data = json.loads(entry.read_text(encoding="utf-8"))
        for finding in data["result"]["findings"]:
            finding["message"] = TAMPERED
            count += 1
        entry.write_text(json.dumps(data), encoding="utf-8")
    return count


def served(result: LintResult) -> dict[str, bool]:
    """For each file with findings: were they all served from the (tampered) cache?"""
    by_file: dict[str, list[bool]] = {}
    for finding in result.findings:
        by_file.setdefault(Path(finding.path).name, []).append(finding.message == TAMPERED)
    return {name: all(flags) for name, flags in by_file.items() if all(flags) or not any(flags)}


def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(FIXTURES / "projects" / "eval_helper_without_context", root)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    shutil.copy(FIXTURES / "mnist_cnn_missing_zero_grad.py", root / "other.py")
    return root


def test_a_warm_run_is_served_from_the_cache_and_equals_the_cold_run(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    cold = lint_paths([str(root)], cache=True)
    assert {Path(f.path).name for f in cold.findings} == {"train.py", "utils.py", "other.py"}
    assert len(entries(cache_dir)) == 4  # one per file
    assert everything(lint_paths([str(root)], cache=True)) == everything(cold)
    assert everything(lint_paths([str(root)], cache=False)) == everything(cold)
    assert tamper(cache_dir) == len(cold.findings)
    assert served(lint_paths([str(root)], cache=True)) == {"train.py": True, "utils.py": True, "other.py": True}
    assert served(lint_paths([str(root)], cache=False)) == {"train.py": False, "utils.py": False, "other.py": False}


def test_entries_written_by_workers_serve_a_later_run(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    cold = lint_paths([str(root)], cache=True, jobs=2)
    assert everything(cold) == everything(lint_paths([str(root)], cache=False))
    tamper(cache_dir)
    assert set(served(lint_paths([str(root)], cache=True, jobs=2)).values()) == {True}


def test_a_changed_helper_invalidates_the_files_that_used_it_and_only_those(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    lint_paths([str(root)], cache=True)
    tamper(cache_dir)
    utils = root / "utils.py"
    # the meter keeps a number now, not the loss tensor: train.py's LC009 (read from utils.py) goes away
    text = utils.read_text(encoding="utf-8")
    assert "self.sum += value * n" in text
    utils.write_text(text.replace("self.sum += value * n", "self.sum += float(value) * n"), encoding="utf-8")
    warm = lint_paths([str(root)], cache=True)
    fresh = lint_paths([str(root)], cache=False)
    assert [(f.path, f.line, f.code) for f in warm.findings] == [(f.path, f.line, f.code) for f in fresh.findings]
    assert not any(f.code == "LC009" for f in fresh.findings)
    assert served(warm) == {"utils.py": False, "other.py": True}  # train.py: recomputed, no finding left
    # and a helper changed back brings the dependant's finding back
    utils.write_text(text, encoding="utf-8")
    again = lint_paths([str(root)], cache=True)
    assert any(f.code == "LC009" and f.message != TAMPERED for f in again.findings)


METER = """
class AverageMeter:
    def __init__(self):
        self.sum, self.count = 0.0, 0

    def update(self, value, n=1):
        self.sum += {kept} * n
        self.count += n
"""

SCRIPT = """
import torch
import torch.nn.functional as F
from meters import AverageMeter


def main(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    meter = AverageMeter()
    for x, y in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        meter.update(loss, x.size(0))
"""


def test_a_module_that_now_resolves_elsewhere_invalidates_the_importer(tmp_path: Path, cache_dir: Path) -> None:
    root = tmp_path / "proj"
    (root / "scripts").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "meters.py").write_text(METER.format(kept="value"), encoding="utf-8")
    script = root / "scripts" / "train.py"
    script.write_text(SCRIPT, encoding="utf-8")
    cold = lint_paths([str(script)], cache=True)
    assert [f.code for f in cold.findings] == ["LC009"]
    tamper(cache_dir)
    assert [f.message for f in lint_paths([str(script)], cache=True).findings] == [TAMPERED]
    # a module next to the script now takes the import: it keeps a number
    (root / "scripts" / "meters.py").write_text(METER.format(kept="float(value)"), encoding="utf-8")
    warm = lint_paths([str(script)], cache=True)
    assert everything(warm) == everything(lint_paths([str(script)], cache=False))
    assert warm.findings == []


GARBAGE = [b"", b"\x00\xff\xfe", b'{"text": ', b"[]", b'{"text": 5}', b"null"]


@pytest.mark.parametrize("garbage", GARBAGE, ids=repr)
def test_a_corrupt_entry_is_a_miss_never_an_error(tmp_path: Path, cache_dir: Path, garbage: bytes) -> None:
    root = project(tmp_path)
    cold = lint_paths([str(root)], cache=True)
    for entry in entries(cache_dir):
        entry.write_bytes(garbage)
    assert everything(lint_paths([str(root)], cache=True)) == everything(cold)
    # the records of the questions each file's analysis asked, shared by entries
    records = sorted(cache_dir.glob("v*/records/*.json"))
    assert records
    tamper(cache_dir)
    for record in records:
        record.write_bytes(garbage)
    again = lint_paths([str(root)], cache=True)
    assert everything(again) == everything(cold)  # not one tampered message: every entry was a miss
    # the entries were written again, whole
    assert all(json.loads(entry.read_text(encoding="utf-8"))["result"] is not None for entry in entries(cache_dir))


def test_an_entry_of_the_right_shape_with_wrong_values_is_a_miss(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    cold = lint_paths([str(root)], cache=True)
    for entry in entries(cache_dir):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["result"]["findings"] = [{"path": 1, "line": "x"}] if data["result"]["findings"] else 7
        entry.write_text(json.dumps(data), encoding="utf-8")
    assert everything(lint_paths([str(root)], cache=True)) == everything(cold)


def test_other_settings_use_other_entries(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    only = lint_paths([str(root)], select=["LC001"], cache=True)
    assert {f.code for f in only.findings} == {"LC001"}
    tamper(cache_dir)
    full = lint_paths([str(root)], cache=True)
    assert TAMPERED not in {f.message for f in full.findings}
    assert {f.code for f in full.findings} > {"LC001"}


def test_an_unusable_cache_folder_means_no_cache_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path)
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("LOOPCHECK_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot be made
    assert everything(lint_paths([str(root)], cache=True)) == everything(lint_paths([str(root)], cache=False))


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "LOOPCHECK_CACHE_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "loopcheck", *args], cwd=cwd, capture_output=True, text=True,
        env={**environment, "PYTHONPATH": str(REPO), **(env or {})}, timeout=300,
    )


def test_the_command_caches_in_the_current_folder_gitignored_and_prints_the_same(tmp_path: Path) -> None:
    project(tmp_path)
    cold = cli("check", "proj", cwd=tmp_path)
    assert cold.returncode == 1 and "LC009" in cold.stdout
    ignore = tmp_path / ".loopcheck_cache" / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert len(entries(tmp_path / ".loopcheck_cache")) == 4
    warm = cli("check", "proj", cwd=tmp_path)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    # the cache folder itself is never checked, nor listed by git
    assert "loopcheck_cache" not in warm.stdout + warm.stderr
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path, capture_output=True, text=True)
        assert ".loopcheck_cache" not in status.stdout and "proj/train.py" in status.stdout


def test_no_cache_writes_nothing_and_the_variable_moves_the_folder(tmp_path: Path) -> None:
    project(tmp_path)
    assert cli("check", "--no-cache", "proj", cwd=tmp_path).returncode == 1
    assert not (tmp_path / ".loopcheck_cache").exists()
    assert cli("check", "proj", cwd=tmp_path, env={"LOOPCHECK_CACHE_DIR": str(tmp_path / "elsewhere")}).returncode == 1
    assert not (tmp_path / ".loopcheck_cache").exists()
    assert len(entries(tmp_path / "elsewhere")) == 4


def test_a_script_beside_that_changes_the_pytorch_era_invalidates_the_entry(tmp_path: Path, cache_dir: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "model.py").write_text(
        "import torch.nn as nn\n\nclass Tiny(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n",
        encoding="utf-8",
    )
    script = root / "test.py"
    script.write_text(
        "import torch\nfrom torch.autograd import Variable\nfrom model import Tiny\n\nnet = Tiny()\n"
        "net.load_state_dict(torch.load('net.pt'))\nnet.eval()\n"
        "out = net(Variable(load_image(path), volatile=True))\nsave(out.argmax(1))\n",
        encoding="utf-8",
    )
    assert lint_paths([str(script)], cache=True).findings == []
    # a training script beside it now uses torch.no_grad (PyTorch >= 0.4): volatile does nothing
    (root / "train.py").write_text("import torch\n\nwith torch.no_grad():\n    pass\n", encoding="utf-8")
    warm = lint_paths([str(script)], cache=True)
    assert everything(warm) == everything(lint_paths([str(script)], cache=False))
    assert [f.code for f in warm.findings] == ["LC007"]


# the base class of test_inference's subclass tests, with the models it builds
BASE = NETS + textwrap.dedent(BASE_AND_SUBCLASS)

SUBCLASS = """
import torch
from base import BaseModel, Dropping


class Ganomaly(BaseModel):
    def __init__(self, loader):
        super().__init__(loader)
        self.netg = Dropping()
        self.optimizer = torch.optim.Adam(self.netg.parameters())
"""


def test_a_subclass_added_in_another_file_invalidates_its_base_class_file(tmp_path: Path, cache_dir: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    base = root / "base.py"
    base.write_text(BASE, encoding="utf-8")
    # nothing builds `self.netg` yet: its mode layers cannot be told (the subclass added then
    # calls nothing of the base's file: only the question of its subclasses sees it)
    assert lint_paths([str(base)], cache=True).findings == []
    (root / "ganomaly.py").write_text(SUBCLASS, encoding="utf-8")
    warm = lint_paths([str(base)], cache=True)
    assert everything(warm) == everything(lint_paths([str(base)], cache=False))
    assert [f.code for f in warm.findings] == ["LC006"]


def test_a_readme_that_now_states_the_pytorch_version_invalidates_the_entry(tmp_path: Path, cache_dir: Path) -> None:
    # the readme is no Python file: only the question the loop model asked records it
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    script = root / "train.py"
    script.write_text(
        "import torch\n\nmodel = torch.nn.Linear(4, 2)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = torch.optim.lr_scheduler.StepLR(opt, 10)\nfor epoch in range(3):\n    scheduler.step()\n"
        "    for x, y in loader:\n        opt.zero_grad()\n        ((model(x) - y) ** 2).mean().backward()\n        opt.step()\n",
        encoding="utf-8",
    )
    assert [f.code for f in lint_paths([str(script)], cache=True).findings] == ["LC004"]
    (root / "README.md").write_text("Requires PyTorch 0.4.1 and Python 3.6.\n", encoding="utf-8")
    warm = lint_paths([str(script)], cache=True)
    assert everything(warm) == everything(lint_paths([str(script)], cache=False))
    assert warm.findings == []


def test_a_call_of_a_method_by_its_name_that_now_runs_under_no_grad_invalidates_the_entry(tmp_path: Path, cache_dir: Path) -> None:
    from tests.test_projects import RUNNER, detector_project

    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    detector = str(detector_project(root))
    assert [f.code for f in lint_paths([detector], cache=True).findings] == ["LC007"]
    guarded = RUNNER.replace("        print(det.predict(test))", "        with torch.no_grad():\n            print(det.predict(test))")
    (root / "runner.py").write_text("import torch\n\n\n" + guarded, encoding="utf-8")
    warm = lint_paths([detector], cache=True)
    assert everything(warm) == everything(lint_paths([detector], cache=False))
    assert warm.findings == []
