"""`[tool.loopcheck]` in pyproject.toml: select, ignore, exclude; the command line adds or wins."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from loopcheck.cli import main

BUGGY = textwrap.dedent("""
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()

    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
""")


def run(tmp_path: Path, pyproject: str, *args: str) -> tuple[int, str]:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(pyproject), encoding="utf-8")
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "train.py").write_text(BUGGY, encoding="utf-8")
    (tmp_path / "pkg" / "generated_train.py").write_text(BUGGY, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path / "pkg")  # settings are found from a subdirectory too
        result = CliRunner().invoke(main, ["--no-color", "-q", *args, "."])
    return result.exit_code, result.output


def codes(output: str) -> list[str]:
    return sorted(line.split(" ")[1] + " " + line.split(":")[0] for line in output.splitlines() if ": LC" in line)


def test_configured_ignore_and_exclude_apply(tmp_path: Path) -> None:
    exit_code, output = run(tmp_path, """
        [tool.loopcheck]
        ignore = ["LC002"]
        exclude = ["generated_*.py"]
    """)
    assert exit_code == 1
    assert codes(output) == ["LC001 train.py"]


def test_command_line_select_replaces_the_configured_one(tmp_path: Path) -> None:
    pyproject = """
        [tool.loopcheck]
        select = ["LC001"]
        exclude = ["generated_*.py"]
    """
    assert codes(run(tmp_path, pyproject)[1]) == ["LC001 train.py"]
    assert codes(run(tmp_path, pyproject, "--select", "LC002")[1]) == ["LC002 train.py"]


def test_an_unknown_setting_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    exit_code, output = run(tmp_path, """
        [tool.loopcheck]
        ignroe = ["LC001"]
    """)
    assert exit_code == 2
    assert "pyproject.toml" in output and "ignroe" in output


def test_a_setting_of_the_wrong_type_is_a_usage_error(tmp_path: Path) -> None:
    exit_code, output = run(tmp_path, """
        [tool.loopcheck]
        ignore = "LC001"
    """)
    assert exit_code == 2 and "must be a list of strings" in output
