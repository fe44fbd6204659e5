"""survey/run.py for real: fake project trees with real training scripts, real loopcheck runs,
and the precision, recall, unreviewed and lost bookkeeping computed from what it reports.

The script is loaded from its path (it is not part of the package) and its `main` is called in
process; one test runs it as a script. Trees are either placed by hand with the commit marker, or
extracted from a git repository made in tmp_path that stands for the mirror of clones.
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

RUN_PY = Path(__file__).resolve().parent.parent / "survey" / "run.py"
PIN = "a" * 40
OTHER_PIN = "b" * 40

MISSING_ZERO_GRAD = """\
import torch

model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loader = [(torch.randn(8, 4), torch.randn(8, 1)) for _ in range(3)]
for x, y in loader:
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
"""
"""LC001 at line 8, the backward()."""

CLEAN = MISSING_ZERO_GRAD.replace("for x, y in loader:\n", "for x, y in loader:\n    optimizer.zero_grad()\n")
BROKEN = "def broken(:\n    pass\n"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(scope="module")
def survey() -> ModuleType:
    spec = importlib.util.spec_from_file_location("survey_run", RUN_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def no_mirror_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOOPCHECK_SURVEY_MIRROR", raising=False)


# ----------------------------------------------------------------------------- helpers


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)  # a JSON string is a valid TOML basic string here


def write_tables(path: Path, header: str, tables: list[dict[str, Any]]) -> Path:
    text = "".join(
        f"[[{header}]]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in table.items()) + "\n"
        for table in tables
    )
    path.write_text(text)
    return path


def project(name: str, commit: str = PIN, half: str = "development", **extra: Any) -> dict[str, Any]:
    return {"name": name, "commit": commit, "half": half, **extra}


def verdict(path: str, line: int, code: str, value: str, project: str = "acme/trainer") -> dict[str, Any]:
    return {"project": project, "path": path, "line": line, "code": code, "verdict": value,
            "reason": f"{value} by test"}


def place_tree(tmp_path: Path, name: str, files: dict[str, str], commit: str = PIN) -> Path:
    tree = tmp_path / "trees" / name.replace("/", "+")
    for relative, text in files.items():
        (tree / relative).parent.mkdir(parents=True, exist_ok=True)
        (tree / relative).write_text(text)
    (tree / ".survey-commit").write_text(commit + "\n")
    return tree


def run(survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path, *options: str) -> tuple[int, str, str]:
    code = survey.main([
        "--projects", str(tmp_path / "projects.toml"),
        "--verdicts", str(tmp_path / "verdicts.toml"),
        "--trees", str(tmp_path / "trees"),
        *options,
    ])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_project(tmp_path: Path, files: dict[str, str], verdicts: list[dict[str, Any]]) -> None:
    write_tables(tmp_path / "projects.toml", "project", [project("acme/trainer")])
    write_tables(tmp_path / "verdicts.toml", "finding", verdicts)
    place_tree(tmp_path, "acme/trainer", files)


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com",
               "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def commit_files(repo: Path, files: dict[str, str], remove: tuple[str, ...] = ()) -> str:
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q")
    for relative in remove:
        git(repo, "rm", "-q", relative)
    for relative, text in files.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(text)
        git(repo, "add", relative)
    git(repo, "commit", "-q", "-m", "change")
    return git(repo, "rev-parse", "HEAD")


# ----------------------------------------------------------------------------- findings and verdicts


def test_an_unreviewed_finding_is_listed_written_as_a_stub_and_fails_the_run(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one_project(tmp_path, {"train.py": MISSING_ZERO_GRAD, "clean.py": CLEAN, "sub/broken.py": BROKEN}, [])
    pending, report = tmp_path / "pending.toml", tmp_path / "report.json"

    code, out, _ = run(survey, capsys, tmp_path, "--write-pending", str(pending), "--json", str(report))

    assert code == 1
    assert re.search(r"acme/trainer\s+files\s+2\s+not analysable\s+1\s+findings\s+1\s", out)
    assert re.search(r"^LC001\s+0\s+0\s+0\s+1\s+-$", out, re.MULTILINE)
    assert "to review (1):\n  acme/trainer train.py:8 LC001 optimizer.zero_grad() is never called" in out
    stubs = survey.tomllib.loads(pending.read_text())["finding"]
    assert stubs == [
        {"project": "acme/trainer", "path": "train.py", "line": 8, "code": "LC001", "verdict": "?", "reason": ""}
    ]
    data = json.loads(report.read_text())
    assert data["projects"][0]["files_checked"] == 2
    assert [e["path"] for e in data["projects"][0]["errors"]] == ["sub/broken.py"]
    assert [(f["path"], f["line"], f["code"], f["verdict"]) for f in data["projects"][0]["findings"]] == [
        ("train.py", 8, "LC001", None)
    ]
    assert data["rules"]["LC001"]["unreviewed"] == 1 and data["precision"] is None and data["unreviewed"] == 1

    # The stub, once reviewed, is a verdict: the same run now passes.
    reviewed = pending.read_text().replace('verdict = "?"', 'verdict = "true"')
    reviewed = reviewed.replace('reason = ""', 'reason = "no reset"')
    (tmp_path / "verdicts.toml").write_text(reviewed)
    code, out, _ = run(survey, capsys, tmp_path)
    assert code == 0
    assert "to review" not in out


def test_precision_counts_true_and_false_findings_but_not_debatable_ones(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    files = {"a.py": MISSING_ZERO_GRAD, "b.py": MISSING_ZERO_GRAD, "c.py": MISSING_ZERO_GRAD, "d.py": MISSING_ZERO_GRAD}
    verdicts = [verdict("a.py", 8, "LC001", "true"), verdict("b.py", 8, "LC001", "false"),
                verdict("c.py", 8, "LC001", "debatable"), verdict("d.py", 8, "LC001", "true")]
    one_project(tmp_path, files, verdicts)
    report = tmp_path / "report.json"

    code, out, _ = run(survey, capsys, tmp_path, "--json", str(report))

    assert code == 0
    assert re.search(r"^LC001\s+2\s+1\s+1\s+0\s+0\.67$", out, re.MULTILINE)
    assert "precision: 0.67 (2 true, 1 false)" in out
    assert "recall on known bugs: 1.00 (2 of 2 found; 0 lost, 0 still missed)" in out
    data = json.loads(report.read_text())
    assert data["rules"]["LC001"] == {
        "true": 2, "false": 1, "debatable": 1, "unreviewed": 0, "precision": pytest.approx(2 / 3)
    }
    verdict_of = {f["path"]: f["verdict"] for f in data["projects"][0]["findings"]}
    assert verdict_of == {"a.py": "true", "b.py": "false", "c.py": "debatable", "d.py": "true"}


def test_a_missed_bug_lowers_recall_without_failing_the_run(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one_project(tmp_path, {"train.py": MISSING_ZERO_GRAD, "clean.py": CLEAN},
                [verdict("train.py", 8, "LC001", "true"), verdict("clean.py", 6, "LC003", "missed")])

    code, out, _ = run(survey, capsys, tmp_path)

    assert code == 0
    assert "recall on known bugs: 0.50 (1 of 2 found; 0 lost, 1 still missed)" in out
    assert re.search(r"^LC003\s+0\s+0\s+0\s+0\s+-$", out, re.MULTILINE)


def test_a_missed_bug_that_is_now_reported_is_found_and_true(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one_project(tmp_path, {"train.py": MISSING_ZERO_GRAD}, [verdict("train.py", 8, "LC001", "missed")])

    code, out, _ = run(survey, capsys, tmp_path)

    assert code == 0
    assert "precision: 1.00 (1 true, 0 false)" in out
    assert "recall on known bugs: 1.00 (1 of 1 found; 0 lost, 0 still missed)" in out


def test_a_true_bug_no_longer_reported_is_lost_and_fails_the_run(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one_project(tmp_path, {"train.py": MISSING_ZERO_GRAD, "clean.py": CLEAN},
                [verdict("train.py", 8, "LC001", "true"), verdict("clean.py", 9, "LC001", "true"),
                 verdict("train.py", 9, "LC001", "false")])
    report = tmp_path / "report.json"

    code, out, _ = run(survey, capsys, tmp_path, "--json", str(report))

    assert code == 1
    assert "recall on known bugs: 0.50 (1 of 2 found; 1 lost, 0 still missed)" in out
    assert "lost (1):\n  acme/trainer clean.py:9 LC001  true by test" in out
    assert "precision: 1.00 (1 true, 0 false)" in out  # the false alarm at line 9 is not reported now
    lost = json.loads(report.read_text())["lost"]
    assert [(v["path"], v["line"], v["code"]) for v in lost] == [("clean.py", 9, "LC001")]


# ----------------------------------------------------------------------------- selecting projects


def test_the_check_half_runs_only_when_asked(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_tables(tmp_path / "projects.toml", "project",
                 [project("acme/dev"), project("acme/held", half="check")])
    write_tables(tmp_path / "verdicts.toml", "finding", [])
    place_tree(tmp_path, "acme/dev", {"clean.py": CLEAN})
    place_tree(tmp_path, "acme/held", {"train.py": MISSING_ZERO_GRAD})

    code, out, _ = run(survey, capsys, tmp_path)
    assert code == 0 and "acme/dev" in out and "acme/held" not in out

    code, out, _ = run(survey, capsys, tmp_path, "--half", "check")
    assert code == 1 and "acme/dev" not in out and "acme/held train.py:8 LC001" in out

    code, out, _ = run(survey, capsys, tmp_path, "--half", "all", "--project", "acme/dev")
    assert code == 0 and "acme/held" not in out

    code, _, err = run(survey, capsys, tmp_path, "--project", "acme/held")
    assert code == 2 and "it is in the check half; add --half check" in err


def test_a_project_without_a_tree_is_reported_and_the_run_goes_on(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_tables(tmp_path / "projects.toml", "project", [project("acme/absent"), project("acme/trainer")])
    write_tables(tmp_path / "verdicts.toml", "finding",
                 [verdict("train.py", 8, "LC001", "true"), verdict("x.py", 3, "LC001", "true", project="acme/absent")])
    place_tree(tmp_path, "acme/trainer", {"train.py": MISSING_ZERO_GRAD})

    code, out, _ = run(survey, capsys, tmp_path)

    assert code == 1
    not_run = [line for line in out.splitlines() if "acme/absent" in line]
    assert len(not_run) == 1 and "not run: no tree at" in not_run[0] and "no --mirror" in not_run[0]
    assert re.search(r"acme/trainer\s+files\s+1\s+not analysable\s+0\s+findings\s+1\s", out)
    assert "(1 of 1 found; 0 lost" in out  # the absent project's bug is neither found nor lost


def test_a_stale_tree_with_nothing_to_extract_from_is_not_run(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_tables(tmp_path / "projects.toml", "project", [project("acme/trainer", commit=OTHER_PIN)])
    write_tables(tmp_path / "verdicts.toml", "finding", [])
    place_tree(tmp_path, "acme/trainer", {"train.py": MISSING_ZERO_GRAD}, commit=PIN)

    code, out, _ = run(survey, capsys, tmp_path)

    assert code == 1
    assert f"holds commit {PIN}, not the pinned one" in out
    assert "LC001" not in out


@pytest.mark.parametrize(
    ("projects", "verdicts", "message"),
    [
        ([project("acme/trainer", commit="abc123")], [], "commit must be 40 lower-case hex digits"),
        ([project("acme/trainer", half="tuning")], [], "half must be one of development, check"),
        ([project("acme-trainer")], [], "name must be owner/repo"),
        ([project("acme/trainer"), project("acme/trainer")], [], "listed twice"),
        ([project("acme/trainer", paths=["../elsewhere"])], [], "must be relative to the tree"),
        ([project("acme/trainer", url="x")], [], "unknown keys url"),
        ([project("acme/trainer")], [verdict("train.py", 8, "LC001", "?")], "verdict must be one of"),
        ([project("acme/trainer")], [verdict("train.py", 8, "LC001", "true", project="acme/other")],
         "not in the projects file"),
        ([project("acme/trainer")], [verdict("train.py", 8, "LC001", "true")] * 2, "a second verdict"),
        ([project("acme/trainer")], [{**verdict("train.py", 8, "LC001", "true"), "reason": ""}], "one non-empty line"),
        ([project("acme/trainer")], [{**verdict("train.py", 8, "LC001", "true"), "line": "8"}],
         "`line` must be an integer, not '8'"),
    ],
)
def test_an_unusable_projects_or_verdicts_file_exits_2(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    projects: list[dict[str, Any]], verdicts: list[dict[str, Any]], message: str,
) -> None:
    write_tables(tmp_path / "projects.toml", "project", projects)
    write_tables(tmp_path / "verdicts.toml", "finding", verdicts)
    place_tree(tmp_path, "acme/trainer", {"train.py": MISSING_ZERO_GRAD})

    code, out, err = run(survey, capsys, tmp_path)

    assert code == 2
    assert message in err
    assert "LC001" not in out


def test_a_missing_or_invalid_file_exits_2(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(survey, capsys, tmp_path)
    assert code == 2 and "projects.toml: no such file" in err

    (tmp_path / "projects.toml").write_text("[[project]\nname = ")
    code, _, err = run(survey, capsys, tmp_path)
    assert code == 2 and "not valid TOML" in err


# ----------------------------------------------------------------------------- extracting trees


@needs_git
def test_a_tree_is_extracted_from_the_mirror_and_again_when_the_pin_moves(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = tmp_path / "mirror" / "acme+trainer"
    first = commit_files(repo, {"train.py": MISSING_ZERO_GRAD, "old.py": CLEAN})
    second = commit_files(repo, {"train.py": "# moved\n# down\n" + MISSING_ZERO_GRAD}, remove=("old.py",))
    write_tables(tmp_path / "verdicts.toml", "finding", [])
    tree = tmp_path / "trees" / "acme+trainer"

    write_tables(tmp_path / "projects.toml", "project", [project("acme/trainer", commit=first)])
    code, out, _ = run(survey, capsys, tmp_path, "--mirror", str(tmp_path / "mirror"))
    assert code == 1 and "acme/trainer train.py:8 LC001" in out
    assert (tree / ".survey-commit").read_text().strip() == first
    assert sorted(p.name for p in tree.iterdir()) == [".survey-commit", "old.py", "train.py"]

    write_tables(tmp_path / "projects.toml", "project", [project("acme/trainer", commit=second)])
    code, out, _ = run(survey, capsys, tmp_path, "--mirror", str(tmp_path / "mirror"))
    assert code == 1 and "acme/trainer train.py:10 LC001" in out and "train.py:8 " not in out
    assert (tree / ".survey-commit").read_text().strip() == second
    assert not (tree / "old.py").exists()
    assert [p.name for p in (tmp_path / "trees").iterdir()] == ["acme+trainer"]  # no staging folder left


@needs_git
def test_files_a_partial_mirror_lacks_are_left_out_and_named(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = tmp_path / "mirror" / "acme+trainer" / "repo"
    pin = commit_files(repo, {"train.py": MISSING_ZERO_GRAD, "data/big.bin": "x" * 1000})
    blob = git(repo, "rev-parse", f"{pin}:data/big.bin")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    write_tables(tmp_path / "projects.toml", "project", [project("acme/trainer", commit=pin)])
    write_tables(tmp_path / "verdicts.toml", "finding", [verdict("train.py", 8, "LC001", "true")])

    code, out, _ = run(survey, capsys, tmp_path, "--mirror", str(tmp_path / "mirror"))

    assert code == 0
    assert "acme/trainer: left out 1 file(s) the git directory lacks: data/big.bin" in out
    tree = tmp_path / "trees" / "acme+trainer"
    assert (tree / "train.py").read_text() == MISSING_ZERO_GRAD
    assert not (tree / "data" / "big.bin").exists()


@needs_git
def test_a_mirror_without_the_pinned_commit_is_reported(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    commit_files(tmp_path / "mirror" / "acme+trainer", {"train.py": MISSING_ZERO_GRAD})
    write_tables(tmp_path / "projects.toml", "project", [project("acme/trainer", commit=OTHER_PIN)])
    write_tables(tmp_path / "verdicts.toml", "finding", [])

    code, out, _ = run(survey, capsys, tmp_path, "--mirror", str(tmp_path / "mirror"))

    assert code == 1
    assert f"does not hold commit {OTHER_PIN}" in out
    assert not (tmp_path / "trees" / "acme+trainer").exists()


@needs_git
def test_extract_only_takes_the_mirror_from_the_environment_and_analyses_nothing(
    survey: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin = commit_files(tmp_path / "mirror" / "acme+held", {"train.py": MISSING_ZERO_GRAD})
    write_tables(tmp_path / "projects.toml", "project", [project("acme/held", commit=pin, half="check")])
    write_tables(tmp_path / "verdicts.toml", "finding", [])
    monkeypatch.setenv("LOOPCHECK_SURVEY_MIRROR", str(tmp_path / "mirror"))

    def must_not_run(*_: object) -> None:
        raise AssertionError("--extract-only ran loopcheck")

    monkeypatch.setattr(survey, "lint_tree", must_not_run)
    code, out, _ = run(survey, capsys, tmp_path, "--half", "check", "--extract-only")

    assert code == 0
    assert f"acme/held: tree at {tmp_path / 'trees' / 'acme+held'} ({pin[:12]})" in out
    assert (tmp_path / "trees" / "acme+held" / "train.py").read_text() == MISSING_ZERO_GRAD


# ----------------------------------------------------------------------------- as a script


def test_it_runs_as_a_script_from_any_folder(tmp_path: Path) -> None:
    one_project(tmp_path, {"train.py": MISSING_ZERO_GRAD}, [])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    done = subprocess.run(
        [sys.executable, str(RUN_PY), "--projects", str(tmp_path / "projects.toml"),
         "--verdicts", str(tmp_path / "verdicts.toml"), "--trees", str(tmp_path / "trees")],
        cwd=elsewhere, capture_output=True, text=True,
    )

    assert done.returncode == 1, done.stderr
    assert "acme/trainer train.py:8 LC001" in done.stdout
    usage = subprocess.run([sys.executable, str(RUN_PY), "--half", "nope"], capture_output=True, text=True)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
