"""loopcheck in the user's workflow (issue 9): the pre-commit hook in a real git repository, the
README's snippets agreeing with the package, command/path collisions, the summary, and the
ruff/flake8 conventions (exit codes, statistics, stdin, output file, colour, source, progress)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.clirun import invoke
from loopcheck import __version__
from loopcheck.cli import main
from loopcheck.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[1]
BUGGY = "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n"
FIXED = "for x, y in loader:\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n"
WARNING_ONLY = "model.eval()\nfor x, y in val_loader:\n    out = model(x)\n    correct += (out.argmax(1) == y).sum().item()\n"
"""LC007 (a warning): an evaluation pass with grad enabled."""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- defect 2/3: README snippets, hook definition and pyproject agree ------------------------


def pyproject() -> dict:  # type: ignore[type-arg]
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


def readme_block(after: str, language: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.DOTALL).search(text, start)
    assert match is not None, f"no ```{language} block after {after!r} in README.md"
    return match.group(1)


def test_readme_pre_commit_snippet_hook_and_pyproject_agree() -> None:
    url = pyproject()["project"]["urls"]["Repository"]
    snippet = readme_block("### pre-commit", "yaml")
    assert f"- repo: {url}\n" in snippet
    assert f"  rev: v{pyproject()['project']['version']}\n" in snippet and __version__ == pyproject()["project"]["version"]
    hook_ids = re.findall(r"- id: (\S+)", snippet)
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert hook_ids == re.findall(r"^- id: (\S+)$", hooks, re.MULTILINE) == ["loopcheck"]
    assert "require_serial: true" in hooks and "require_serial: false" not in hooks
    install = readme_block("## Install", "bash")
    assert f'pip install "loopcheck @ git+{url}@v{__version__}"' in install


def test_readme_actions_example_uses_the_github_format_and_uploads_sarif() -> None:
    workflow = readme_block("### GitHub Actions", "yaml")
    assert "--format github" in workflow and "--format sarif" in workflow
    assert "github/codeql-action/upload-sarif" in workflow
    assert pyproject()["project"]["urls"]["Repository"] in workflow


def test_every_check_option_is_documented_in_the_readme() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    command = main.commands["check"]
    for param in command.params:
        for option in getattr(param, "opts", []):
            if option.startswith("--"):
                assert option in text, f"{option} is not in README.md"


GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_pre_commit_hook_blocks_a_buggy_commit_and_passes_the_fixed_one(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit") or shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    # the hook's repository: this working tree as it is, committed in a throw-away clone
    hook_repo = tmp_path / "hook-repo"
    shutil.copytree(
        ROOT, hook_repo,
        ignore=shutil.ignore_patterns(
            ".git", "survey", "fixtures", "bench", "tests", ".loopcheck_cache", ".pytest_cache", ".benchmarks", "*.egg-info", "__pycache__",
        ),
    )
    assert git(hook_repo, "init", "-q").returncode == 0
    git(hook_repo, "add", "-A")
    assert git(hook_repo, "commit", "-q", "-m", "hook").returncode == 0
    git(hook_repo, "tag", f"v{__version__}")
    # the user's repository, with the README's configuration (repo: a local path, as try-repo allows)
    user = tmp_path / "user"
    user.mkdir()
    git(user, "init", "-q")
    config = readme_block("### pre-commit", "yaml").replace(pyproject()["project"]["urls"]["Repository"], str(hook_repo))
    write(user, ".pre-commit-config.yaml", config)
    write(user, "train.py", BUGGY)
    write(user, "README.md", "not python\n")
    git(user, "add", "-A")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    install = subprocess.run([pre_commit, "install"], cwd=user, env=env, capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr

    blocked = subprocess.run(["git", "commit", "-m", "buggy"], cwd=user, env=env, capture_output=True, text=True, timeout=900)

    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    assert "train.py:3:5: LC001" in blocked.stdout + blocked.stderr
    assert "Found 1 finding" in blocked.stdout + blocked.stderr  # one summary: the hook runs serially
    write(user, "train.py", FIXED)
    git(user, "add", "-A")
    passed = subprocess.run(["git", "commit", "-m", "fixed"], cwd=user, env=env, capture_output=True, text=True, timeout=900)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert git(user, "log", "--format=%s").stdout.split() == ["fixed"]


# --- defect 9: a command named like a folder never passes silently ---------------------------


def test_rules_in_a_repository_with_a_rules_folder_does_not_pass_silently(here: Path) -> None:
    write(here, "rules/train.py", BUGGY)

    result = invoke("rules")

    assert result.exit_code == 2
    assert "NOT checked" in result.stderr and "loopcheck check rules" in result.stderr
    assert invoke("check", "rules").exit_code == 1
    listed = invoke("rules", "--list")
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == len(ALL_RULES)


def test_rules_table_is_aligned_for_long_names(here: Path) -> None:
    lines = invoke("rules").stdout.splitlines()
    severity_columns = {line.index(" error ") if " error " in line else line.index(" warning ") for line in lines}
    assert len(severity_columns) == 1
    assert not any("{" in line or "line line" in line for line in lines)


# --- defect 13: the summary tells files with findings from files checked ---------------------


def test_summary_counts_files_with_findings_and_files_checked(here: Path) -> None:
    write(here, "a.py", BUGGY)
    write(here, "b.py", FIXED)
    write(here, "c.py", FIXED)

    result = invoke("--no-color", ".")

    assert result.stdout.splitlines()[-1] == "Found 1 finding (1 error, 0 warnings) in 1 of 3 files checked."


# --- conventions ----------------------------------------------------------------------------


def test_exit_zero_and_fail_on(here: Path) -> None:
    write(here, "warn.py", WARNING_ONLY)
    write(here, "bug.py", BUGGY)
    assert invoke("warn.py").exit_code == 1
    assert invoke("--fail-on", "error", "warn.py").exit_code == 0  # warnings may not fail CI
    assert invoke("--fail-on", "error", "warn.py", "bug.py").exit_code == 1
    assert invoke("--exit-zero", "bug.py").exit_code == 0
    write(here, "broken.py", "def broken(:\n")
    assert invoke("--exit-zero", "broken.py").exit_code == 2  # a file not analysed still fails


def test_statistics_counts_per_rule(here: Path) -> None:
    write(here, "a.py", BUGGY)
    write(here, "b.py", BUGGY)
    write(here, "w.py", WARNING_ONLY)

    result = invoke("--no-color", "--statistics", ".")

    assert result.stdout.splitlines() == [
        "2  LC001  missing-zero-grad     [error]",
        "1  LC007  eval-without-no-grad  [warning]",
        "Found 3 findings (2 errors, 1 warning) in 3 files.",
    ]
    rows = json.loads(invoke("--statistics", "--format", "json", ".").stdout)
    assert rows == [
        {"code": "LC001", "name": "missing-zero-grad", "severity": "error", "count": 2},
        {"code": "LC007", "name": "eval-without-no-grad", "severity": "warning", "count": 1},
    ]


def test_output_file_holds_the_report_and_stdout_stays_empty(here: Path) -> None:
    write(here, "a.py", BUGGY)

    result = invoke("--format", "json", "--output-file", "report.json", "a.py")

    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((here / "report.json").read_text(encoding="utf-8"))["findings"][0]["code"] == "LC001"


def test_stdin_with_a_filename_gets_that_files_settings(here: Path) -> None:
    write(here, "pyproject.toml", '[tool.loopcheck]\n[tool.loopcheck.per-file-ignores]\n"legacy/*.py" = ["LC001"]\n')

    result = invoke("--no-color", "--stdin-filename", "src/train.py", "-", input=BUGGY)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("src/train.py:3:5: LC001 [error]")

    assert invoke("--stdin-filename", "legacy/train.py", "-", input=BUGGY).exit_code == 0
    broken = invoke("--format", "json", "-", input="def broken(:\n")
    assert broken.exit_code == 2 and json.loads(broken.stdout)["errors"][0]["path"] == "-"
    assert invoke("--stdin-filename", "x.py", "a.py").exit_code == 2  # only with `-`


def test_show_source_puts_the_line_and_a_marker_under_each_finding(here: Path) -> None:
    write(here, "a.py", BUGGY)

    lines = invoke("--no-color", "-q", "--show-source", "a.py").stdout.splitlines()

    assert lines == [
        "a.py:3:5: LC001 [error] optimizer.zero_grad() is never called in this loop; gradients accumulate across batches",
        "  3 |     loss.backward()",
        "    |     ^^^^^^^^^^^^^^^",
    ]


@pytest.mark.parametrize(
    "args, env, colored",
    [
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {}, False),  # not a terminal
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        (["--no-color"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color_option_and_force_color(here: Path, args: list[str], env: dict[str, str], colored: bool) -> None:
    write(here, "a.py", BUGGY)
    assert ("\x1b[" in invoke(*args, "a.py", env=env).stdout) is colored


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_long_run_on_a_terminal_shows_progress_on_stderr_and_erases_it(tmp_path: Path) -> None:
    import pty

    for i in range(60):
        write(tmp_path, f"m{i:02d}.py", FIXED)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "loopcheck", "--no-cache", "-j", "1", "."], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=secondary, text=True,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    stdout = process.communicate(timeout=120)[0]
    os.close(primary)
    stderr = b"".join(chunks).decode()
    assert "loopcheck: checking 60/60 files" in stderr and stderr.endswith("\r\x1b[K")
    assert stdout == "All checks passed (60 files checked).\n"  # stdout is untouched
