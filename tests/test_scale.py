"""The static path at scale (issue 8): `--jobs N` gives the output of `--jobs 1`, a worker that dies
or a file past the time limit costs only that file, and the pre-filter never hides a finding.

Speed itself is measured by bench/ scripts (bench/parallel.py, bench/cache.py, ...), never here.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from loopcheck.engine import LintResult, lint_file, lint_paths
from loopcheck.project import Projects

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())
BUGGY = FIXTURES / "mnist_cnn_missing_zero_grad.py"


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loopcheck", *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=300,
    )


def everything(result: LintResult) -> tuple[object, ...]:
    return (result.findings, result.errors, result.notes, result.files_checked)


def slow_file(units: int = 800) -> str:
    """Training code that takes seconds to analyse (about 0.3 ms a line)."""
    unit = textwrap.dedent(
        """
        class Net{n}(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.1))

            def forward(self, x):
                return self.body(x)


        def train_{n}(model, loader, optimizer, criterion):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()


        def evaluate_{n}(model, loader):
            model.eval()
            with torch.no_grad():
                return [model(x) for x, _ in loader]
        """
    )
    return "import torch\nimport torch.nn as nn\n" + "".join(unit.format(n=n) for n in range(units))


# --jobs ---------------------------------------------------------------------------------------


def test_jobs_give_the_same_bytes_as_one_job_through_the_command(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    runs = {jobs: cli("check", "--no-cache", "--format", "json", "--jobs", jobs, "fixtures", cwd=tmp_path) for jobs in ("1", "2", "3")}
    one = runs["1"]
    assert one.returncode == 1 and '"code": "LC001"' in one.stdout
    for jobs, run in runs.items():
        assert (run.returncode, run.stdout, run.stderr) == (one.returncode, one.stdout, one.stderr), jobs
    text = {jobs: cli("check", "--no-cache", "--jobs", jobs, "fixtures", cwd=tmp_path) for jobs in ("1", "2")}
    assert text["1"].stdout == text["2"].stdout and text["1"].stderr == text["2"].stderr


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_jobs_give_the_same_result_on_multi_file_projects(project: Path) -> None:
    one = lint_paths([str(project)], root=str(project), jobs=1)
    assert everything(lint_paths([str(project)], root=str(project), jobs=2)) == everything(one)
    assert everything(lint_paths([str(project)], root=str(project), jobs=5)) == everything(one)


def test_jobs_over_several_projects_keep_the_order_of_files() -> None:
    paths = [str(p) for p in PROJECTS] + [str(FIXTURES / "eval_missing_eval_mode.py"), str(BUGGY)]
    one = lint_paths(paths, jobs=1)
    two = lint_paths(paths, jobs=2)
    assert everything(two) == everything(one)
    assert [f.sort_key for f in two.findings] == sorted(f.sort_key for f in two.findings)
    assert len({f.path for f in two.findings}) >= 5


def _children(pid: int) -> list[int]:
    """The process's children, whichever of its threads started them (the pool may start its
    workers from a thread of its own: /proc lists children per thread)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return sorted(found)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or sys.platform != "linux", reason="reads /proc for the workers")
def test_a_worker_killed_mid_file_costs_that_file_only(tmp_path: Path) -> None:
    (tmp_path / "a_slow.py").write_text(slow_file(), encoding="utf-8")
    shutil.copy(BUGGY, tmp_path / "b_buggy.py")
    shutil.copy(FIXTURES / "step_before_backward.py", tmp_path / "c_buggy.py")
    process = subprocess.Popen(
        [sys.executable, "-m", "loopcheck", "check", "--no-cache", "--jobs", "2", "."], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    deadline = time.monotonic() + 60
    while not _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    # (one worker or two: the plan may keep files that call each other in one unit; either way the
    # first worker started takes a_slow.py, the first file)
    workers = _children(process.pid)
    assert 1 <= len(workers) <= 2
    time.sleep(0.5)  # the first worker is well into a_slow.py (seconds of work)
    os.kill(workers[0], signal.SIGKILL)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert "a_slow.py: internal error: the process analysing this file died (signal 9)" in err
    assert "Traceback" not in err
    assert "b_buggy.py" in out and "LC001" in out  # the other files' findings are kept
    assert "c_buggy.py" in out and "LC003" in out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_past_the_time_limit_is_reported_and_the_run_goes_on(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "a_slow.py").write_text(slow_file(), encoding="utf-8")
    shutil.copy(BUGGY, tmp_path / "b_buggy.py")
    shutil.copy(FIXTURES / "step_before_backward.py", tmp_path / "c_buggy.py")
    started = time.monotonic()
    run = cli("check", "--no-cache", "--jobs", jobs, ".", cwd=tmp_path, env={"LOOPCHECK_FILE_TIMEOUT": "0.3"})
    assert run.returncode == 2, run.stderr
    assert "a_slow.py: not analysed: took longer than 0.3 s, the limit for one file" in run.stderr
    assert "LOOPCHECK_FILE_TIMEOUT" in run.stderr and "Traceback" not in run.stderr
    assert "b_buggy.py" in run.stdout and "LC001" in run.stdout
    assert "c_buggy.py" in run.stdout and "LC003" in run.stdout
    assert time.monotonic() - started < 60


# pre-filter -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.py")), ids=lambda p: p.name)
def test_the_prefilter_changes_nothing_on_a_fixture(path: Path) -> None:
    on = lint_paths([str(path)], prefilter=True)
    assert everything(on) == everything(lint_paths([str(path)], prefilter=False))


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_the_prefilter_changes_nothing_on_a_multi_file_project(project: Path) -> None:
    for paths in [[str(project)], *([str(p)] for p in sorted(project.rglob("*.py")))]:
        on = lint_paths(paths, root=str(project), prefilter=True)
        assert everything(on) == everything(lint_paths(paths, root=str(project), prefilter=False)), paths


def _keyword_free_project(root: Path) -> None:
    """A helper whose text holds none of the pre-filter's words, called after training: its
    loop is an evaluation pass in training mode (LC006) and with grad (LC007)."""
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "helpers.py").write_text(
        textwrap.dedent(
            """
            def acc(m, d):
                right = 0
                for a, b in d:
                    out = m(a)
                    right += (out.argmax(1) == b).sum()
                return right
            """
        ),
        encoding="utf-8",
    )
    (root / "main.py").write_text(
        textwrap.dedent(
            """
            import torch
            import torch.nn as nn
            from helpers import acc

            model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(3):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
                print(acc(model, val_loader))
            """
        ),
        encoding="utf-8",
    )
    (root / "tools.py").write_text("def add(a, b):\n    return a + b\n\n\nprint(add(1, 2))\n", encoding="utf-8")
    (root / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")


def test_a_keyword_free_helper_that_another_file_imports_is_still_analysed(tmp_path: Path) -> None:
    _keyword_free_project(tmp_path)
    off = lint_paths([str(tmp_path)], prefilter=False)
    on = lint_paths([str(tmp_path)], prefilter=True)
    assert everything(on) == everything(off)
    assert {(Path(f.path).name, f.code) for f in on.findings} >= {("helpers.py", "LC006"), ("helpers.py", "LC007")}
    from loopcheck.prefilter import _WORDS

    assert not _WORDS.search((tmp_path / "helpers.py").read_text())  # only the import by main.py keeps it
    alone = lint_paths([str(tmp_path / "helpers.py")], prefilter=True)
    assert everything(alone) == everything(lint_paths([str(tmp_path / "helpers.py")], prefilter=False))
    assert alone.findings


def test_the_prefilter_passes_over_a_file_that_cannot_matter_without_parsing_it(tmp_path: Path) -> None:
    _keyword_free_project(tmp_path)
    project = Projects().of(str(tmp_path / "tools.py"))
    result = lint_file(str(tmp_path / "tools.py"), project=project, prefilter=True)
    assert (result.findings, result.errors, result.files_checked) == ([], [], 1)
    assert project._models == {}  # no loop model built: libcst never ran on it
    lint_file(str(tmp_path / "tools.py"), project=project, prefilter=False)
    assert len(project._models) == 1
    # a file with a syntax error takes the full path and says so, as without the pre-filter
    broken = lint_file(str(tmp_path / "broken.py"), project=project, prefilter=True)
    assert broken.errors and broken.errors[0].reason.startswith("cannot parse: line 1")


def test_the_prefilter_reads_the_import_lines_of_a_file(tmp_path: Path) -> None:
    from loopcheck.prefilter import may_matter

    _keyword_free_project(tmp_path)
    project = Projects().of(str(tmp_path / "tools.py"))
    tools = str(tmp_path / "tools.py")
    assert not may_matter("x = 1\n", tools, project)
    assert may_matter("import helpers\n", tools, project)  # a module of the project: its helpers may train
    assert may_matter("from . import something\n", tools, project)
    assert may_matter("from os import (\n    path,\n)\n", tools, project)  # names on later lines: unsure
    assert not may_matter("import os, json\nfrom collections import OrderedDict\n", tools, project)
    assert may_matter("x = 1  # noqa: LC001\n", tools, project)
    assert may_matter("result = fit(model)\n", tools, project)


def test_the_default_number_of_jobs_is_the_cpus_this_process_may_use() -> None:
    from loopcheck.parallel import available_cpus

    if hasattr(os, "sched_getaffinity"):
        assert available_cpus() == len(os.sched_getaffinity(0))
    assert available_cpus() >= 1


def test_zero_jobs_is_a_usage_error(tmp_path: Path) -> None:
    run = cli("check", "--jobs", "0", ".", cwd=tmp_path)
    assert run.returncode == 2 and "--jobs" in run.stderr and "Traceback" not in run.stderr


def test_the_grad_mode_a_function_is_entered_in_is_found_once_per_caller_not_once_per_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # ten helpers, each calling the next from three places: 3**10 paths from the top to the bottom
    # one; the walk up the callers must look at each helper a bounded number of times
    from loopcheck.engine import lint_source
    from loopcheck.model import evaluation

    helpers = [
        f"def level{i}(model, x):\n" + "".join(f"    level{i + 1}(model, x + {k})\n" for k in range(3))
        for i in range(10)
    ]
    source = (
        "import torch\n\n"
        + "\n".join(helpers)
        + "\ndef level10(model, x):\n    total = 0\n    for batch in x:\n        total += model(batch)\n    return total\n\n"
        + "model = Net()\nlevel0(model, loader)\n"
    )
    walked = 0
    inner = evaluation._grad_entering

    def counting(*args: object) -> str:
        nonlocal walked
        walked += 1
        return inner(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(evaluation, "_grad_entering", counting)
    lint_source(source, "levels.py")
    assert 0 < walked < 500, walked
