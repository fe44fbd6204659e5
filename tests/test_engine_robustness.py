"""A bad file, a crashing rule or a pathological input costs one line on stderr, never the run.

Each bad input gets exactly one `path: reason` line; the good files' findings still come out;
no traceback reaches the user; the exit code is 2 whenever something could not be analysed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import loopcheck.engine
import loopcheck.project
import loopcheck.source
from loopcheck.rules import rule_by_code
from tests.test_cli import CLEAN, FINDING_LINE, MISSING_ZERO_GRAD, ZERO_GRAD_BEFORE_STEP, found, invoke, write


def stderr_by_path(stderr: str) -> dict[str, list[str]]:
    """The reasons given on stderr, grouped by the path each line names."""
    reasons: dict[str, list[str]] = {}
    for line in stderr.splitlines():
        path, _, reason = line.partition(": ")
        reasons.setdefault(path, []).append(reason)
    return reasons


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_bad_file_gets_one_clear_line_and_the_run_goes_on(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loopcheck.source, "MAX_FILE_BYTES", 2_000)
    mixed = project / "mixed"
    write(mixed, "good.py", CLEAN)
    write(mixed, "buggy.py", MISSING_ZERO_GRAD)
    write(mixed, "syntax_error.py", "def train(:\n    pass\n")
    (mixed / "latin1.py").write_bytes('name = "café"\n'.encode("latin-1"))
    write(mixed, "__init__.py", "")
    (mixed / "binary.py").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00payload")
    (mixed / "broken_link.py").symlink_to(mixed / "nowhere.py")
    write(mixed, "huge.py", "x = 1\n" * 1_000)

    result = invoke("mixed", "missing.py")

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert found(result) == [("mixed/buggy.py", 3, "LC001")]
    reasons = stderr_by_path(result.stderr)
    assert reasons == {
        "mixed/syntax_error.py": ["cannot parse: line 1, column 11: invalid syntax"],
        "mixed/latin1.py": ["not UTF-8 (invalid byte on line 1); save it as UTF-8 or declare its encoding"],
        "mixed/binary.py": ["binary file (contains NUL bytes), not Python source"],
        "mixed/broken_link.py": ["broken symbolic link"],
        "mixed/huge.py": ["file is too large (6000 bytes; the limit is 2000 bytes)"],
        "missing.py": ["no such file or directory"],
        "mixed/__init__.py": ["note: empty file, nothing to check"],
    }
    assert result.stdout.splitlines()[-1] == "Found 1 finding (1 error, 0 warnings) in 1 of 3 files checked; 6 could not be analysed."


def test_size_limit_admits_a_file_of_exactly_the_limit(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    size = len(MISSING_ZERO_GRAD.encode("utf-8"))
    write(project, "train.py", MISSING_ZERO_GRAD)

    monkeypatch.setattr(loopcheck.source, "MAX_FILE_BYTES", size)
    at_limit = invoke("train.py")
    monkeypatch.setattr(loopcheck.source, "MAX_FILE_BYTES", size - 1)
    over_limit = invoke("train.py")

    assert at_limit.exit_code == 1 and found(at_limit) == [("train.py", 3, "LC001")]
    assert over_limit.exit_code == 2 and found(over_limit) == []
    assert over_limit.stderr == f"train.py: file is too large ({size} bytes; the limit is {size - 1} bytes)\n"


def test_file_with_an_encoding_declaration_is_read_in_that_encoding(project: Path) -> None:
    source = '# -*- coding: latin-1 -*-\nname = "café"\n' + MISSING_ZERO_GRAD
    (project / "declared.py").write_bytes(source.encode("latin-1"))

    result = invoke("declared.py")

    assert result.exit_code == 1
    assert found(result) == [("declared.py", 5, "LC001")]


@pytest.mark.parametrize("content", ["", "\n\n   \n"], ids=["empty", "blank-lines"])
def test_empty_file_is_a_note_not_a_failure(project: Path, content: str) -> None:
    write(project, "pkg/__init__.py", content)
    write(project, "pkg/train.py", CLEAN)

    result = invoke("pkg")

    assert result.exit_code == 0
    assert result.stderr == "pkg/__init__.py: note: empty file, nothing to check\n"
    assert result.stdout == "All checks passed (2 files checked).\n"


def test_quiet_hides_the_note_about_an_empty_file(project: Path) -> None:
    write(project, "pkg/__init__.py", "")

    result = invoke("--quiet", "pkg")

    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""


@pytest.mark.parametrize(
    "skipped", [".git", ".venv", "venv", "__pycache__", "build", "dist", "node_modules", "loopcheck.egg-info"]
)
def test_tool_and_build_directories_are_not_descended_into(project: Path, skipped: str) -> None:
    write(project, f"{skipped}/train.py", MISSING_ZERO_GRAD)
    write(project, f"src/{skipped}/nested/train.py", MISSING_ZERO_GRAD)
    write(project, "src/builder/train.py", MISSING_ZERO_GRAD)  # a name that only looks like one

    result = invoke(".")

    assert found(result) == [("src/builder/train.py", 3, "LC001")]
    assert result.stdout.splitlines()[-1].endswith("in 1 file.")


def test_crashing_rule_is_reported_per_file_and_the_other_rules_still_run(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: object, model: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(rule_by_code("LC001"), "check", crash)
    write(project, "a.py", ZERO_GRAD_BEFORE_STEP)
    write(project, "b.py", MISSING_ZERO_GRAD)

    result = invoke("a.py", "b.py")

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert found(result) == [("a.py", 4, "LC002")]
    assert stderr_by_path(result.stderr) == {
        "a.py": ["internal error in rule LC001: RuntimeError: boom"],
        "b.py": ["internal error in rule LC001: RuntimeError: boom"],
    }


def test_crashing_loop_model_is_reported_for_that_file_only(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_model = loopcheck.project.LoopModel

    def model_that_fails_on_one_file(module: object, **kwargs: object) -> object:
        if "poison" in module.code:  # type: ignore[attr-defined]
            raise KeyError("poison")
        return real_model(module, **kwargs)

    monkeypatch.setattr(loopcheck.project, "LoopModel", model_that_fails_on_one_file)
    write(project, "a.py", MISSING_ZERO_GRAD)
    write(project, "b.py", "poison = 1\n" + MISSING_ZERO_GRAD)

    result = invoke("a.py", "b.py")

    assert result.exit_code == 2
    assert found(result) == [("a.py", 3, "LC001")]
    assert result.stderr == "b.py: internal error: KeyError: 'poison'\n"


DEEP_NESTING = {
    "parentheses": "x = " + "(" * 5000 + ")" * 5000 + "\n",
    "lambdas": "x = " + "lambda: " * 5000 + "1\n",
}


@pytest.mark.parametrize("source", DEEP_NESTING.values(), ids=DEEP_NESTING.keys())
def test_deeply_nested_file_is_reported_without_crashing_the_process(tmp_path: Path, source: str) -> None:
    write(tmp_path, "deep.py", source)
    write(tmp_path, "train.py", MISSING_ZERO_GRAD)

    # A fresh process: a native parser's stack overflow would kill it, not raise.
    result = subprocess.run(
        [sys.executable, "-m", "loopcheck", "deep.py", "train.py"],
        cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    stderr_lines = result.stderr.splitlines()
    assert len(stderr_lines) == 1 and stderr_lines[0].startswith("deep.py: ")
    assert "nest" in stderr_lines[0]
    assert FINDING_LINE.match(result.stdout.splitlines()[0])
    assert result.stdout.startswith("train.py:3:5: LC001 ")


def test_a_long_operator_chain_is_analysed_not_reported_as_an_error(tmp_path) -> None:
    from loopcheck.engine import lint_paths

    long_sum = tmp_path / "long_sum.py"
    long_sum.write_text("total = " + " + ".join(["a"] * 1500) + "\n", encoding="utf-8")
    result = lint_paths([str(long_sum)])
    assert result.errors == [] and result.files_checked == 1


def test_a_model_method_that_trains_a_new_instance_of_its_own_class_is_analysed() -> None:
    """Finding the training steps needs the grad mode a method is entered in, which asks whether
    its callers train, which needs the training steps being found: a method of a module class that
    builds and trains an instance of that class (`save()` training a fresh `Tagger`) closed that
    circle, and every rule died of a RecursionError. Asked again while being found, the steps are
    "none yet" and the grad mode "on"; the file is analysed, its missing zero_grad found."""
    source = '''
class Tagger(nn.Module):
    def __init__(self, size):
        self.transitions = nn.Parameter(torch.randn(size, size))

    def _forward_alg(self, feats):
        return self.transitions[0].view(1, -1)

    def _features(self, sentence):
        out, self.hidden = self.lstm(sentence, self.hidden)

    def neg_log_likelihood(self, sentence, tags):
        feats = self._features(sentence)
        return self._forward_alg(feats)

    def save(self, path):
        torch.save({}, path)
        model = Tagger(5)
        for epoch in range(3):
            loss = model.neg_log_likelihood(sentence, tags)
            loss.backward()
            optimizer.step()
'''
    findings, errors = loopcheck.engine.lint_source(source, "tagger.py")
    assert errors == []
    assert [(f.code, f.line) for f in findings] == [("LC001", 21)]  # (at loss.backward())
