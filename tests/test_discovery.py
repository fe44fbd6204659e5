"""Which files a run checks (issue 9, defects 10-12): no Python files is said, .gitignore and
virtual environments of any name are skipped, one file given twice is checked once."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from tests.clirun import invoke as run_command
from loopcheck.discovery import GitIgnore, discover, parse_gitignore

BUGGY = "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n"


def invoke(*args: str) -> Result:
    return run_command("--no-color", *args)


def write(root: Path, name: str, text: str = BUGGY) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def reported(result: Result) -> list[str]:
    return sorted(line.split(":")[0] for line in result.stdout.splitlines() if ": LC" in line)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- defect 10: nothing to check is said, and an error when nothing at all was checked -------


def test_a_directory_without_python_files_is_an_error_when_nothing_was_checked(here: Path) -> None:
    write(here, "docs/index.md", "# docs\n")

    result = invoke("docs")

    assert result.exit_code == 2
    assert "docs: no Python files found" in result.stderr


def test_a_mistyped_folder_inside_a_tree_is_warned_about_but_the_rest_is_checked(here: Path) -> None:
    write(here, "src/train.py")
    write(here, "src/tset/README.md", "not code\n")

    result = invoke("src/train.py", "src/tset")

    assert result.exit_code == 1  # the finding of train.py; the empty folder does not hide it
    assert "src/tset: warning: no Python files found" in result.stderr
    assert reported(result) == ["src/train.py"]


def test_a_file_excluded_on_purpose_is_no_error(here: Path) -> None:
    write(here, "gen/train.py")

    result = invoke("--exclude", "gen", "gen/train.py")

    assert result.exit_code == 0 and reported(result) == []


# --- defect 11: .gitignore and virtual environments ------------------------------------------


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def test_gitignore_is_respected_with_nested_files_negation_and_anchors(here: Path) -> None:
    git_init(here)
    write(here, ".gitignore", "/generated/\nscratch_*.py\n!scratch_keep.py\nout/**/*.py\n")
    write(here, "src/.gitignore", "local.py\n/anchored.py\n")
    for name in (
        "generated/train.py", "src/generated/train.py", "scratch_a.py", "scratch_keep.py", "out/a/b/train.py",
        "src/local.py", "src/deep/local.py", "src/anchored.py", "src/deep/anchored.py", "src/train.py",
    ):
        write(here, name)

    result = invoke(".")

    assert reported(result) == [
        "scratch_keep.py", "src/deep/anchored.py", "src/generated/train.py", "src/train.py",
    ]
    assert reported(invoke("--no-respect-gitignore", ".")) == sorted([
        "generated/train.py", "out/a/b/train.py", "scratch_a.py", "scratch_keep.py", "src/anchored.py",
        "src/deep/anchored.py", "src/deep/local.py", "src/generated/train.py", "src/local.py", "src/train.py",
    ])


def test_an_ignored_file_named_on_the_command_line_is_checked(here: Path) -> None:
    git_init(here)
    write(here, ".gitignore", "scratch.py\n")
    write(here, "scratch.py")

    assert reported(invoke("scratch.py")) == ["scratch.py"]


def test_gitignore_outside_a_git_work_tree_is_not_read(here: Path) -> None:
    write(here, ".gitignore", "*.py\n")
    write(here, "train.py")

    assert reported(invoke(".")) == ["train.py"]


@pytest.mark.parametrize(
    "lines, path, is_dir, ignored",
    [
        (["build/"], "build", True, True),
        (["build/"], "build", False, False),  # a directory-only pattern: a file of that name stays
        (["*.py", "!keep.py"], "a/keep.py", False, False),
        (["/top.py"], "a/top.py", False, False),
        (["a/*.py"], "a/b/c.py", False, False),  # `*` stops at a slash
        (["a/**/c.py"], "a/b/x/c.py", False, True),
        (["a/**/c.py"], "a/c.py", False, True),
        (["**/logs"], "x/y/logs", True, True),
        (["\\#hash.py"], "#hash.py", False, True),
        (["# comment", ""], "comment", False, False),
        (["data[0-9].py"], "data7.py", False, True),
        (["trailing.py   "], "trailing.py", False, True),
    ],
)
def test_gitignore_pattern_semantics(tmp_path: Path, lines: list[str], path: str, is_dir: bool, ignored: bool) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("\n".join(lines) + "\n", encoding="utf-8")
    matcher = GitIgnore.above(tmp_path)
    assert matcher is not None
    assert matcher.ignored(tmp_path / path, is_dir) is ignored
    assert parse_gitignore("\n".join(lines))  is not None


@pytest.mark.parametrize("name", ["env", ".venv311", "my-python"])
def test_virtual_environments_of_any_name_and_site_packages_are_skipped(here: Path, name: str) -> None:
    write(here, f"{name}/pyvenv.cfg", "home = /usr/bin\n")
    write(here, f"{name}/lib/python3.11/site-packages/pkg/train.py")
    write(here, f"{name}/bin/train.py")
    write(here, "vendor/site-packages/pkg/train.py")
    write(here, "conda/conda-meta/history", "")
    write(here, "conda/train.py")
    write(here, "src/train.py")

    assert reported(invoke(".")) == ["src/train.py"]


# --- defect 12: the same file twice ----------------------------------------------------------


def test_the_same_file_given_relative_absolute_and_through_a_link_is_checked_once(here: Path) -> None:
    write(here, "train.py")
    os.symlink(here / "train.py", here / "link.py")

    result = invoke("train.py", str(here / "train.py"), "./train.py", "link.py", ".")

    assert len([line for line in result.stdout.splitlines() if ": LC001" in line]) == 1
    assert result.stdout.splitlines()[-1].endswith("in 1 file.")


def test_discover_is_still_importable_from_the_engine(here: Path) -> None:
    from loopcheck.engine import discover as from_engine

    write(here, "a.py")
    assert from_engine is discover
    assert discover(["a.py", str(here / "a.py")]) == (["a.py"], [])


def test_cli_run_in_a_subprocess_skips_a_venv(tmp_path: Path) -> None:
    write(tmp_path, "env/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, "env/lib/train.py")
    result = subprocess.run(
        [sys.executable, "-m", "loopcheck", "."], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "no Python files found" in result.stderr
