"""`[tool.loopcheck]` in pyproject.toml: select, ignore, exclude; the command line adds or wins."""
from __future__ import annotations

import subprocess
import sys
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


# --- defect 1: no TOML reader must not mean "no settings" ------------------------------------

BLOCK_TOML = """
import sys
sys.modules["tomllib"] = None  # as on Python 3.10 without tomli
sys.modules["tomli"] = None
from loopcheck.cli import main
main(["--no-color", "-q", "."])
"""


def test_settings_without_a_toml_reader_are_an_error_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.loopcheck]\nignore = ["LC001"]\n', encoding="utf-8")
    (tmp_path / "train.py").write_text(BUGGY, encoding="utf-8")

    result = subprocess.run([sys.executable, "-c", BLOCK_TOML], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert result.returncode == 2, result.stdout
    assert "cannot read TOML" in result.stderr and "tomli" in result.stderr


def test_a_pyproject_without_loopcheck_settings_needs_no_toml_reader(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "train.py").write_text(BUGGY, encoding="utf-8")

    result = subprocess.run([sys.executable, "-c", BLOCK_TOML], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert result.returncode == 1 and "LC001" in result.stdout


def test_tomli_is_used_where_tomllib_is_missing(tmp_path: Path) -> None:
    pytest.importorskip("tomli")
    (tmp_path / "pyproject.toml").write_text('[tool.loopcheck]\nignore = ["LC001", "LC002"]\n', encoding="utf-8")
    (tmp_path / "train.py").write_text(BUGGY, encoding="utf-8")
    script = BLOCK_TOML.replace('sys.modules["tomli"] = None\n', "")

    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr


def test_tomli_is_a_dependency_before_python_3_11() -> None:
    import tomllib

    with open(Path(__file__).parents[1] / "pyproject.toml", "rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("tomli") and "python_version<'3.11'" in d.replace(" ", "") for d in dependencies)


# --- defect 5: settings of each file, wherever loopcheck runs --------------------------------


def tree(root: Path) -> Path:
    """A repository with settings at the top and a sub-project with its own."""
    (root / "pyproject.toml").write_text('[project]\nname = "outer"\n\n[tool.loopcheck]\nignore = ["LC002"]\nexclude = ["gen"]\n', encoding="utf-8")
    for folder in ("src", "gen", "sub/src", "sub/gen"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "train.py").write_text(BUGGY, encoding="utf-8")
    (root / "sub" / "pyproject.toml").write_text('[tool.loopcheck]\nignore = ["LC001"]\n', encoding="utf-8")
    (root / "nosettings").mkdir()
    (root / "nosettings" / "pyproject.toml").write_text('[project]\nname = "no-loopcheck-table"\n', encoding="utf-8")
    (root / "nosettings" / "train.py").write_text(BUGGY, encoding="utf-8")
    return root


def found_in(cwd: Path, *args: str) -> list[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        result = CliRunner().invoke(main, ["--no-color", "-q", *args])
        return sorted(
            f"{Path(line.split(':')[0]).resolve().relative_to(ROOT_OF[0]).as_posix()} {line.split(' ')[1]}"
            for line in result.output.splitlines() if ": LC" in line
        )


ROOT_OF: list[Path] = []


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    ROOT_OF[:] = [tmp_path.resolve()]
    return tree(tmp_path)


EXPECTED = [
    "nosettings/train.py LC001",  # a pyproject.toml without [tool.loopcheck] is passed over
    "src/train.py LC001",
    "sub/gen/train.py LC002",  # `gen` is excluded relative to the outer settings' folder only...
    "sub/src/train.py LC002",  # ...and the sub-project ignores LC001 instead of LC002
]


def test_each_file_gets_the_nearest_settings_wherever_loopcheck_runs(repo: Path) -> None:
    assert found_in(repo, ".") == EXPECTED
    assert found_in(repo / "sub", "..") == EXPECTED
    assert found_in(repo.parent, str(repo)) == EXPECTED  # an absolute path finds the settings too
    assert found_in(repo / "sub" / "src", "train.py") == ["sub/src/train.py LC002"]


def test_exclude_globs_are_relative_to_the_settings_folder(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.loopcheck]\nexclude = ["sub/gen/*.py"]\n', encoding="utf-8")
    assert "sub/gen/train.py LC002" in found_in(repo, ".")  # sub/ has its own settings
    (repo / "sub" / "pyproject.toml").unlink()
    assert not any(line.startswith("sub/gen/") for line in found_in(repo / "sub", "."))
    assert any(line.startswith("sub/src/") for line in found_in(repo / "sub", "."))


def test_config_option_uses_one_file_and_isolated_none(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("cfg") / "loopcheck.toml"
    other.write_text('select = ["LC002"]\n', encoding="utf-8")
    assert found_in(repo, "--config", str(other), ".") == [
        "gen/train.py LC002", "nosettings/train.py LC002", "src/train.py LC002", "sub/gen/train.py LC002", "sub/src/train.py LC002",
    ]
    assert len(found_in(repo, "--isolated", ".")) == 10  # every file, both rules


def test_a_missing_config_file_is_a_usage_error(repo: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(repo / "nope.toml"), str(repo)])
    assert result.exit_code == 2 and "nope.toml" in result.output


# --- conventions: per-file-ignores, extend-select, extend-ignore, select ALL -----------------


def test_per_file_ignores_and_extend_settings(tmp_path: Path) -> None:
    exit_code, output = run(tmp_path, """
        [tool.loopcheck]
        select = ["LC001"]
        extend-select = ["LC002"]
        extend-exclude = ["generated_*.py"]
        [tool.loopcheck.per-file-ignores]
        "pkg/train.py" = ["LC001"]
    """)
    assert codes(output) == ["LC002 train.py"]
    assert codes(run(tmp_path, '[tool.loopcheck]\nextend-ignore = ["LC001"]\nexclude = ["generated_*"]\n')[1]) == ["LC002 train.py"]
    assert codes(run(tmp_path, '[tool.loopcheck]\nselect = ["LC001"]\nexclude = ["generated_*"]\n', "--select", "ALL")[1]) == [
        "LC001 train.py", "LC002 train.py",
    ]
    assert codes(run(tmp_path, '[tool.loopcheck]\nexclude = ["generated_*"]\n', "--extend-ignore", "LC002")[1]) == ["LC001 train.py"]


def test_an_unknown_code_in_the_settings_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    exit_code, output = run(tmp_path, '[tool.loopcheck]\nextend-select = ["LC999"]\n')
    assert exit_code == 2 and "pyproject.toml" in output and "LC999" in output
