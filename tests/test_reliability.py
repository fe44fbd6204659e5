"""Issue 8's reliability defects, each as a user meets it: real files, FIFOs, links, real CLI runs.

Whatever the input, the run ends, prints no traceback, says one line per file it could not
analyse, keeps every other file's findings, and exits 0, 1 or 2.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.test_cli import CLEAN, MISSING_ZERO_GRAD, found, invoke, write
from tests.test_engine_robustness import stderr_by_path

TRAIN_FINDING = "train.py:3:5: LC001 "


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m loopcheck` in a fresh process: a native crash or a hang shows as one, not as a test error."""
    return subprocess.run(
        [sys.executable, "-m", "loopcheck", "--no-color", *args],
        cwd=cwd, env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# 1. nesting that libcst's native parser cannot take ------------------------------------------

TOO_DEEP = {
    "conditional_chain": "x = " + "a if b else " * 5900 + "a\n",
    "and_chain": "x = " + " and ".join(["a"] * 10_000) + "\n",
    "sum_over_lines": "x = (a\n" + "     + a\n" * 10_000 + ")\n",
    "and_over_lines": "x = (a\n" + "     and a\n" * 10_000 + ")\n",
}


@pytest.mark.parametrize("source", TOO_DEEP.values(), ids=TOO_DEEP.keys())
def test_nesting_too_deep_for_the_parser_is_one_error_and_the_other_files_are_checked(tmp_path: Path, source: str) -> None:
    write(tmp_path, "deep.py", source)
    write(tmp_path, "train.py", MISSING_ZERO_GRAD)

    result = run_cli(".", cwd=tmp_path)

    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr == "deep.py: cannot parse: nesting too deep\n"
    assert result.stdout.startswith(TRAIN_FINDING)


# 2. and 8. files that are no regular files ----------------------------------------------------


def test_a_fifo_and_links_to_devices_are_not_read_whether_found_or_named(tmp_path: Path) -> None:
    write(tmp_path, "train.py", MISSING_ZERO_GRAD)
    os.mkfifo(tmp_path / "pipe.py")  # opening it to read would wait for a writer forever
    (tmp_path / "zero.py").symlink_to("/dev/zero")  # reading it would never end
    (tmp_path / "null.ipynb").symlink_to("/dev/null")

    walked = run_cli(".", cwd=tmp_path, timeout=60)
    named = run_cli("pipe.py", "zero.py", "null.ipynb", "/dev/null", "train.py", cwd=tmp_path, timeout=60)

    for result in (walked, named):
        assert result.returncode == 2, result.stderr
        assert result.stdout.startswith(TRAIN_FINDING)
        assert "Traceback" not in result.stderr
    not_regular = ["not a regular file"]
    assert stderr_by_path(walked.stderr) == {"null.ipynb": not_regular, "pipe.py": not_regular, "zero.py": not_regular}
    assert stderr_by_path(named.stderr) == {
        "pipe.py": not_regular, "zero.py": not_regular, "null.ipynb": not_regular, "/dev/null": not_regular,
    }


# 3. malformed [tool.loopcheck] ----------------------------------------------------------------

BAD_PYPROJECTS = {
    "tool_is_a_string": ('tool = "x"\n', "`tool` must be a table ([tool.loopcheck]), not a string"),
    "loopcheck_is_a_number": ("[tool]\nloopcheck = 5\n", "`tool.loopcheck` must be a table ([tool.loopcheck]), not an integer"),
    "loopcheck_is_a_list": ('[tool]\nloopcheck = ["a"]\n', "`tool.loopcheck` must be a table ([tool.loopcheck]), not an array"),
    "loopcheck_is_a_string": ('[tool]\nloopcheck = "abc"\n', "`tool.loopcheck` must be a table ([tool.loopcheck]), not a string"),
    "latin1_bytes": ('[tool.loopcheck]\nexclude = ["café"]\n', "not UTF-8 (invalid byte on line 2); TOML files are UTF-8"),
    "deep_nesting": ("x = " + "[" * 3000 + "]" * 3000 + "\n", "not valid TOML: nested too deeply"),
    "not_toml": ("[tool.loopcheck\n", "not valid TOML: "),
}


@pytest.mark.parametrize("text, reason", BAD_PYPROJECTS.values(), ids=BAD_PYPROJECTS.keys())
def test_a_malformed_pyproject_is_a_usage_error_naming_the_file(tmp_path: Path, text: str, reason: str) -> None:
    encoding = "latin-1" if "café" in text else "utf-8"
    (tmp_path / "pyproject.toml").write_bytes(text.encode(encoding))
    write(tmp_path, "train.py", MISSING_ZERO_GRAD)

    result = run_cli("train.py", cwd=tmp_path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"Error: {tmp_path.resolve() / 'pyproject.toml'}: {reason}" in result.stderr
    assert "unknown [tool.loopcheck] setting(s)" not in result.stderr


# 4. empty exclude globs -----------------------------------------------------------------------


@pytest.mark.parametrize("options", [["--exclude", ""], ["--exclude", ".*"], ["--exclude", "", "--exclude", "skipped_*"]])
def test_an_empty_or_hidden_file_glob_does_not_exclude_the_folder_being_checked(project: Path, options: list[str]) -> None:
    write(project, "train.py", MISSING_ZERO_GRAD)
    write(project, "skipped_train.py", MISSING_ZERO_GRAD)

    result = invoke(*options, ".")

    expected = [("train.py", 3, "LC001")] + ([] if "skipped_*" in options else [("skipped_train.py", 3, "LC001")])
    assert sorted(found(result)) == sorted(expected)
    assert result.exit_code == 1


def test_an_empty_exclude_in_pyproject_excludes_nothing(project: Path) -> None:
    write(project, "pyproject.toml", '[tool.loopcheck]\nexclude = [""]\n')
    write(project, "pkg/train.py", MISSING_ZERO_GRAD)

    result = invoke(".")

    assert found(result) == [("pkg/train.py", 3, "LC001")] and result.exit_code == 1


# 5. line breaks Python does not break at ------------------------------------------------------


def test_noqa_is_read_from_the_reported_line_whatever_other_separators_a_line_holds(project: Path) -> None:
    odd = "\x0c \x1c \x1d \x1e \x85 \u2028 \u2029"
    source = f"s = 'a{odd}b'  # {odd}\n" + MISSING_ZERO_GRAD.replace("loss.backward()", "loss.backward()  # noqa: LC001")
    write(project, "suppressed.py", source)
    write(project, "reported.py", f"s = 'a{odd}b'\n" + MISSING_ZERO_GRAD)

    result = invoke("suppressed.py", "reported.py")

    assert found(result) == [("reported.py", 4, "LC001")]
    assert result.exit_code == 1 and result.stderr == ""


# 6. long expressions and findings -------------------------------------------------------------


def test_a_long_expression_gets_the_same_verdict_with_or_without_a_finding(project: Path) -> None:
    long_sum = "total = " + " + ".join(["a"] * 3000) + "\n"
    write(project, "with_finding.py", long_sum + MISSING_ZERO_GRAD)
    write(project, "without_finding.py", long_sum + CLEAN)

    result = invoke("with_finding.py", "without_finding.py")

    assert result.exit_code == 2
    assert stderr_by_path(result.stderr) == {
        "with_finding.py": ["cannot parse: nesting too deep"],
        "without_finding.py": ["cannot parse: nesting too deep"],
    }


def test_the_finding_of_a_file_with_an_expression_just_under_the_nesting_limit_is_reported(project: Path) -> None:
    # In process, under pytest's own frames: the room for the tree walks counts from where they start.
    write(project, "train.py", "total = " + " + ".join(["a"] * 2900) + "\n" + MISSING_ZERO_GRAD)

    result = invoke("train.py")

    assert result.stderr == ""
    assert found(result) == [("train.py", 4, "LC001")]


# 7. indentation CPython accepts and libcst does not -------------------------------------------


def test_indentation_mixing_tabs_and_spaces_that_python_accepts_is_analysed(project: Path) -> None:
    # `\t` (column 8) then `        \t` (column 16): consistent for CPython, not a string prefix for libcst
    source = (
        "def train(loader):\n"
        "\tfor x, y in loader:\n"
        "        \tloss = criterion(model(x), y)\n"
        "        \tloss.backward()\n"
        "        \toptimizer.step()\n"
        "\treturn loss\n"
    )
    compile(source, "train.py", "exec")  # Python itself accepts it
    write(project, "train.py", source)

    result = invoke("train.py")

    assert result.stderr == ""
    assert found(result) == [("train.py", 4, "LC001")]
    assert result.stdout.startswith("train.py:4:10: LC001 ")  # the column as the file has it, tab counted once


def test_indentation_python_rejects_is_reported_at_the_line_python_names(project: Path) -> None:
    write(project, "tabs.py", "if True:\n\tx = 1\n        y = 2\n")

    result = invoke("tabs.py")

    assert result.exit_code == 2
    assert result.stderr == "tabs.py: cannot parse: line 3, column 1: inconsistent use of tabs and spaces in indentation\n"


# 8. malformed notebooks -----------------------------------------------------------------------

BAD_NOTEBOOKS = {
    "array.ipynb": ("[1, 2]", "the document is an array, not an object"),
    "string.ipynb": ('"cells"', "the document is a string, not an object"),
    "no_cells.ipynb": (json.dumps({"metadata": {}}), "no 'cells'"),
    "null_cells.ipynb": (json.dumps({"cells": None}), "'cells' is null, not a list"),
    "string_cells.ipynb": (json.dumps({"cells": "x = 1"}), "'cells' is a string, not a list"),
    "dict_source.ipynb": (
        json.dumps({"cells": [{"cell_type": "code", "source": {"x = 1": 1}}]}),
        "cell 1 'source' is an object, not a string or a list of strings",
    ),
    "deep.ipynb": ("[" * 100_000 + "]" * 100_000, "its JSON is nested too deeply"),
}


def test_a_malformed_notebook_is_one_error_that_says_what_is_wrong(project: Path) -> None:
    for name, (text, _) in BAD_NOTEBOOKS.items():
        write(project, name, text)
    write(project, "train.py", MISSING_ZERO_GRAD)

    result = run_cli(".", cwd=project)

    assert result.returncode == 2
    assert result.stdout.startswith(TRAIN_FINDING)
    assert stderr_by_path(result.stderr) == {
        name: [f"not a valid notebook ({reason})"] for name, (_, reason) in BAD_NOTEBOOKS.items()
    }


# scaling: many (function, parameter used as a receiver) pairs ---------------------------------

MODEL_CLASS = textwrap.dedent('''

    class Model{n}(nn.Module):
        def __init__(self, encoder, width):
            super().__init__()
            self.encoder = encoder
            self.head = nn.Linear(width, 1)

        def forward(self, x, norm):
            return self.head(norm(self.encoder(x)))

        def fit(self, loader, optimizer, criterion):
            for x, y in loader:
                {reset}
                loss = criterion(self(x, self.encoder), y)
                loss.backward()
                optimizer.step()


    def build_{n}(encoder, width, loader):
        model = Model{n}(encoder, width)
        model.fit(loader, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss())
        return model
''')


def test_a_file_of_many_model_classes_keeps_every_finding(project: Path) -> None:
    # 4,000 lines, 1,500 functions taking parameters used as receivers: once enough for the
    # callers of each to be recomputed until the rules died of RecursionError, losing every finding.
    units = [MODEL_CLASS.format(n=n, reset="pass" if n % 50 == 0 else "optimizer.zero_grad()") for n in range(175)]
    source = "import torch\nfrom torch import nn\n" + "".join(units)
    assert source.count("\n") > 4000
    write(project, "models.py", source)

    result = invoke("-q", "models.py")

    assert result.stderr == ""
    assert [code for _, _, code in found(result)] == ["LC001"] * 4
