"""The `loopcheck` command as a user meets it: output formats, rule selection, exit codes.

Every test writes real files under tmp_path and runs the real CLI (click's runner in process,
or `python -m loopcheck` in a subprocess where a real terminal or a fresh process matters).
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from tests.clirun import invoke
from loopcheck import __version__
from loopcheck.rules import ALL_RULES

MISSING_ZERO_GRAD = """\
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""
"""LC001 at line 3 (the backward), related: the step at line 4."""

ZERO_GRAD_BEFORE_STEP = """\
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
"""
"""LC002 at line 4 (the reset), related: the backward at line 3 and the step at line 5."""

CLEAN = """\
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""

FINDING_LINE = re.compile(r"^(?P<path>\S+?):(?P<line>\d+):(?P<column>\d+): (?P<code>LC\d{3}) \[(?P<severity>error|warning)\] \S.*$")
RELATED_LINE = re.compile(r"^    (?P<path>\S+?):(?P<line>\d+):(?P<column>\d+): \S.*$")
ANSI_ESCAPE = "\x1b["


def run_module(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m loopcheck ARGS` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "loopcheck", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def write(directory: Path, name: str, source: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    return path


def found(result: Result) -> list[tuple[str, int, str]]:
    """(path, line, code) of each finding line of a text report, in output order."""
    return [
        (match["path"], int(match["line"]), match["code"])
        for match in map(FINDING_LINE.match, result.stdout.splitlines())
        if match
    ]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, so that reported paths are short and relative."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


# --- text and JSON output ------------------------------------------------------------------


def test_text_report_has_finding_line_related_lines_and_summary(project: Path) -> None:
    write(project, "train.py", MISSING_ZERO_GRAD)

    result = invoke("train.py")

    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert FINDING_LINE.match(lines[0])
    assert lines[0].startswith("train.py:3:5: LC001 [error] ")
    assert RELATED_LINE.match(lines[1]) and lines[1].startswith("    train.py:4:5: ")
    assert lines[2] == "Found 1 finding (1 error, 0 warnings) in 1 file."
    assert len(lines) == 3


def test_clean_run_prints_all_checks_passed_and_exits_0(project: Path) -> None:
    write(project, "train.py", CLEAN)
    write(project, "other.py", CLEAN)

    result = invoke("train.py", "other.py")

    assert result.exit_code == 0
    assert result.stdout == "All checks passed (2 files checked).\n"
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["json", "json-v1"])
def test_json_report_holds_findings_with_exactly_the_documented_keys(project: Path, fmt: str) -> None:
    write(project, "a.py", MISSING_ZERO_GRAD)
    write(project, "b.py", ZERO_GRAD_BEFORE_STEP)

    result = invoke("--format", fmt, "a.py", "b.py")

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    if fmt == "json-v1":  # the first form: the array alone
        findings = document
        extra: set[str] = set()
    else:
        assert set(document) == {"version", "tool", "files_checked", "findings", "errors", "notes"}
        assert document["version"] == 2 and document["tool"] == {"name": "loopcheck", "version": __version__}
        assert document["files_checked"] == 2 and document["errors"] == [] and document["notes"] == []
        findings = document["findings"]
        extra = {"cell", "cell_line"}
    assert isinstance(findings, list) and len(findings) == 2
    for finding in findings:
        assert set(finding) == {
            "path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message", "related", *extra,
        }
        for key in ("line", "column", "end_line", "end_column"):
            assert isinstance(finding[key], int) and finding[key] >= 1
        assert isinstance(finding["related"], list) and finding["related"]
        for related in finding["related"]:
            assert set(related) == {"path", "line", "column", "note"}
            assert related["path"] == finding["path"]
    first, second = findings
    assert (first["path"], first["line"], first["column"], first["code"]) == ("a.py", 3, 5, "LC001")
    assert first["name"] == "missing-zero-grad" and first["severity"] == "error"
    assert (first["end_line"], first["end_column"]) == (3, len("    loss.backward()") + 1)
    assert [(r["line"], r["column"]) for r in first["related"]] == [(4, 5)]
    assert (second["path"], second["line"], second["code"]) == ("b.py", 4, "LC002")
    assert [(r["line"], r["column"]) for r in second["related"]] == [(3, 5), (5, 5)]


def test_json_report_of_a_clean_run_has_no_findings(project: Path) -> None:
    write(project, "train.py", CLEAN)

    assert invoke("--format", "json-v1", "train.py").stdout == "[]\n"
    result = invoke("--format", "json", "train.py")

    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []


SNAPSHOT_SOURCE = """\
def train(model, loader, criterion, optimizer):
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()


def train_cleared_too_early(model, loader, criterion, optimizer):
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()


def train_correctly(model, loader, criterion, optimizer):
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
"""

SNAPSHOT_OUTPUT = """\
train.py:4:9: LC001 [error] optimizer.zero_grad() is never called in this loop; gradients accumulate across batches
    train.py:5:9: optimizer steps with the accumulated gradients here
train.py:12:9: LC002 [error] optimizer.zero_grad() clears the gradients after backward() and before optimizer.step(); the step sees zero gradients
    train.py:11:9: gradients computed here
    train.py:13:9: the step that sees them cleared
Found 2 findings (2 errors, 0 warnings) in 1 file.
"""


def test_text_report_of_a_buggy_file_matches_the_snapshot(project: Path) -> None:
    write(project, "train.py", SNAPSHOT_SOURCE)

    result = run_module("train.py", cwd=project, env={**os.environ, "NO_COLOR": "1"})

    assert result.returncode == 1
    assert result.stdout == SNAPSHOT_OUTPUT
    assert result.stderr == ""


def test_findings_are_sorted_by_path_line_column_code_whatever_the_argument_order(project: Path) -> None:
    write(project, "c.py", MISSING_ZERO_GRAD + ZERO_GRAD_BEFORE_STEP)
    write(project, "b/z.py", ZERO_GRAD_BEFORE_STEP)
    write(project, "a.py", MISSING_ZERO_GRAD)

    forward = invoke("a.py", "b", "c.py")
    backward = invoke("c.py", "b", "a.py")

    assert forward.stdout == backward.stdout
    assert found(backward) == [
        ("a.py", 3, "LC001"),
        ("b/z.py", 4, "LC002"),
        ("c.py", 3, "LC001"),
        ("c.py", 8, "LC002"),
    ]


def test_json_findings_follow_the_same_order_as_text(project: Path) -> None:
    write(project, "z.py", MISSING_ZERO_GRAD)
    write(project, "a.py", ZERO_GRAD_BEFORE_STEP + MISSING_ZERO_GRAD)

    findings = json.loads(invoke("--format", "json", "z.py", "a.py").stdout)["findings"]

    keys = [(f["path"], f["line"], f["column"], f["code"]) for f in findings]
    assert keys == sorted(keys)
    assert [k[0] for k in keys] == ["a.py", "a.py", "z.py"]


# --- choosing rules ------------------------------------------------------------------------


@pytest.fixture
def both_bugs(project: Path) -> Path:
    write(project, "a.py", MISSING_ZERO_GRAD)
    write(project, "b.py", ZERO_GRAD_BEFORE_STEP)
    return project


@pytest.mark.parametrize(
    "options, codes",
    [
        (["--select", "LC001"], ["LC001"]),
        (["--select", "lc002"], ["LC002"]),
        (["--select", "missing-zero-grad"], ["LC001"]),
        (["--select", "LC00"], ["LC001", "LC002"]),
        (["--select", "LC001,LC002"], ["LC001", "LC002"]),
        (["--select", "LC001", "--select", "LC002"], ["LC001", "LC002"]),
        (["--ignore", "LC001"], ["LC002"]),
        (["--ignore", "LC001, LC002"], []),
        (["--ignore", "LC001", "--ignore", "LC002"], []),
        (["--ignore", "LC00"], []),
        (["--select", "LC00", "--ignore", "LC002"], ["LC001"]),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) and value and value[0].startswith("-") else None,
)
def test_select_and_ignore_take_codes_prefixes_and_names(both_bugs: Path, options: list[str], codes: list[str]) -> None:
    result = invoke(*options, "a.py", "b.py")

    assert [code for _, _, code in found(result)] == codes
    assert result.exit_code == (1 if codes else 0)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_code_is_a_usage_error_naming_the_code(both_bugs: Path, option: str) -> None:
    result = invoke(option, "LC001,LC999", "a.py")

    assert result.exit_code == 2
    assert "unknown rule code or prefix 'LC999'" in result.stderr
    assert "loopcheck rules" in result.stderr
    assert result.stdout == ""


# --- choosing files ------------------------------------------------------------------------


def test_exclude_skips_files_and_directories_matching_a_glob(project: Path) -> None:
    write(project, "train.py", MISSING_ZERO_GRAD)
    write(project, "train_old.py", MISSING_ZERO_GRAD)
    write(project, "generated/model_io.py", MISSING_ZERO_GRAD)
    write(project, "src/generated/deep.py", MISSING_ZERO_GRAD)
    write(project, "src/keep.py", MISSING_ZERO_GRAD)

    everything = invoke(".")
    excluded = invoke("--exclude", "*_old.py", "--exclude", "generated", ".")

    assert len(found(everything)) == 5
    assert [path for path, _, _ in found(excluded)] == ["src/keep.py", "train.py"]


def test_exclude_with_a_path_glob_skips_only_that_directory(project: Path) -> None:
    write(project, "src/a.py", MISSING_ZERO_GRAD)
    write(project, "tests/a.py", MISSING_ZERO_GRAD)

    result = invoke("--exclude", "tests/*", ".")

    assert [path for path, _, _ in found(result)] == ["src/a.py"]


def test_option_value_that_names_a_command_is_not_taken_for_the_command(project: Path) -> None:
    write(project, "rules/helpers.py", MISSING_ZERO_GRAD)
    write(project, "train.py", MISSING_ZERO_GRAD)

    result = invoke("--exclude", "rules", ".")

    assert result.exit_code == 1
    assert [path for path, _, _ in found(result)] == ["train.py"]


def test_default_path_is_the_current_directory(project: Path) -> None:
    write(project, "train.py", MISSING_ZERO_GRAD)
    write(project, "pkg/loop.py", ZERO_GRAD_BEFORE_STEP)

    result = invoke()

    assert result.exit_code == 1
    assert found(result) == [("pkg/loop.py", 4, "LC002"), ("train.py", 3, "LC001")]


def test_check_command_is_the_same_as_the_plain_form(both_bugs: Path) -> None:
    plain = invoke("--format", "json", "a.py", "b.py")
    explicit = invoke("check", "--format", "json", "a.py", "b.py")

    assert explicit.exit_code == plain.exit_code == 1
    assert explicit.stdout == plain.stdout
    assert json.loads(plain.stdout)


# --- quiet and colour ----------------------------------------------------------------------


def test_quiet_prints_only_the_finding_lines(project: Path) -> None:
    write(project, "a.py", ZERO_GRAD_BEFORE_STEP)
    write(project, "b.py", MISSING_ZERO_GRAD)
    write(project, "__init__.py", "")

    result = invoke("--quiet", ".")

    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert len(lines) == 2 and all(FINDING_LINE.match(line) for line in lines)
    assert result.stderr == ""  # not even the note about the empty __init__.py


def test_quiet_clean_run_prints_nothing(project: Path) -> None:
    write(project, "a.py", CLEAN)

    result = invoke("-q", "a.py")

    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""


def run_in_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Stdout of `python -m loopcheck ARGS` when stdout is a real terminal (a pseudo-terminal)."""
    import pty

    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "loopcheck", *args], cwd=cwd, env=env, stdout=secondary, stderr=subprocess.DEVNULL
    )
    os.close(secondary)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(primary)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize(
    "flags, no_color, colored",
    [
        ([], None, True),
        (["--no-color"], None, False),
        ([], "1", False),
        ([], "", True),  # no-color.org: only a non-empty NO_COLOR turns colour off
    ],
    ids=["terminal", "--no-color", "NO_COLOR=1", "NO_COLOR-empty"],
)
def test_color_only_on_a_terminal_without_no_color(
    tmp_path: Path, flags: list[str], no_color: str | None, colored: bool
) -> None:
    write(tmp_path, "train.py", MISSING_ZERO_GRAD)
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color

    output = run_in_terminal([*flags, "train.py"], tmp_path, env)

    assert "LC001" in output
    assert (ANSI_ESCAPE in output) is colored


def test_output_to_a_pipe_has_no_color(tmp_path: Path) -> None:
    write(tmp_path, "train.py", MISSING_ZERO_GRAD)
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}

    result = run_module("train.py", cwd=tmp_path, env=env)

    assert "LC001" in result.stdout
    assert ANSI_ESCAPE not in result.stdout + result.stderr


# --- exit codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, exit_code",
    [(CLEAN, 0), (MISSING_ZERO_GRAD, 1), ("def broken(:\n", 2)],
    ids=["clean", "findings", "unanalysable"],
)
def test_exit_code_says_clean_findings_or_error(project: Path, source: str, exit_code: int) -> None:
    write(project, "train.py", source)

    assert invoke("train.py").exit_code == exit_code


def test_summary_does_not_claim_all_checks_passed_when_a_file_could_not_be_analysed(project: Path) -> None:
    write(project, "train.py", CLEAN)
    write(project, "broken.py", "def broken(:\n")

    result = invoke(".")

    assert result.exit_code == 2
    assert result.stdout == "No findings (1 file checked; 1 could not be analysed).\n"
    assert result.stderr == "broken.py: cannot parse: line 1, column 12: invalid syntax\n"


def test_unknown_option_is_a_usage_error(project: Path) -> None:
    result = invoke("--no-such-option", ".")

    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_errors_win_over_findings_in_the_exit_code(project: Path) -> None:
    write(project, "train.py", MISSING_ZERO_GRAD)

    result = invoke("train.py", "missing.py")

    assert result.exit_code == 2
    assert found(result) == [("train.py", 3, "LC001")]
    assert "missing.py: no such file or directory" in result.stderr.splitlines()


# --- suppression ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "comment, suppressed",
    [("# noqa", True), ("# noqa: LC001", True), ("# NOQA:LC001,LC002", True), ("# noqa: LC002", False)],
)
def test_noqa_on_the_finding_line_suppresses_only_the_named_codes(project: Path, comment: str, suppressed: bool) -> None:
    source = MISSING_ZERO_GRAD.replace("loss.backward()", f"loss.backward()  {comment}")
    write(project, "train.py", source)

    result = invoke("train.py")

    assert found(result) == ([] if suppressed else [("train.py", 3, "LC001")])
    assert result.exit_code == (0 if suppressed else 1)


def test_noqa_on_another_line_does_not_suppress(project: Path) -> None:
    write(project, "train.py", MISSING_ZERO_GRAD.replace("optimizer.step()", "optimizer.step()  # noqa"))

    assert found(invoke("train.py")) == [("train.py", 3, "LC001")]


# --- rules, rule, version ------------------------------------------------------------------


def test_rules_lists_every_registered_rule(project: Path) -> None:
    result = invoke("rules")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(ALL_RULES)
    for line, rule in zip(lines, ALL_RULES):
        assert line.split()[:3] == [rule.code, rule.name, rule.severity]


@pytest.mark.parametrize("name", ["LC001", "lc001", "missing-zero-grad"])
def test_rule_prints_the_documentation_of_one_rule(name: str) -> None:
    result = invoke("rule", name)

    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("# LC001 missing-zero-grad\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]
    assert "```python" in text
    assert not text.endswith("\n\n")


def test_unknown_rule_is_a_usage_error() -> None:
    result = invoke("rule", "LC999")

    assert result.exit_code == 2
    assert "unknown rule 'LC999'" in result.stderr
    assert result.stdout == ""


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = run_module("--version", cwd=tmp_path)

    assert result.returncode == 0
    assert result.stdout == f"loopcheck {__version__}\n"
    assert __version__ == importlib.metadata.version("loopcheck")
