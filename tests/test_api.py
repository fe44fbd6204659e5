"""The library API (`loopcheck.check`), the flake8 plugin, py.typed, rule summaries (issue 9)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import loopcheck
from loopcheck import check
from loopcheck.api import SelectionError, run
from loopcheck.docs import rule_markdown
from loopcheck.finding import Finding
from loopcheck.rules import ALL_RULES
from loopcheck.rules.base import PLAIN_WORDS

BUGGY = "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    total += loss\n    optimizer.step()\n"


def test_check_a_source_text() -> None:
    findings = check(source=BUGGY, filename="train.py", isolated=True)

    assert all(isinstance(f, Finding) for f in findings)
    assert [(f.path, f.line, f.code) for f in findings] == [("train.py", 3, "LC001"), ("train.py", 4, "LC009")]
    assert [f.code for f in check(source=BUGGY, filename="t.py", select=["LC009"], isolated=True)] == ["LC009"]
    assert [f.code for f in check(source=BUGGY, filename="t.py", ignore=["missing-zero-grad"], isolated=True)] == ["LC009"]


def test_check_paths_reads_settings_like_the_command(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.loopcheck]\nignore = ["LC009"]\n', encoding="utf-8")
    (tmp_path / "train.py").write_text(BUGGY, encoding="utf-8")

    assert [f.code for f in check(tmp_path)] == ["LC001"]
    assert [f.code for f in check([str(tmp_path / "train.py")], isolated=True)] == ["LC001", "LC009"]
    assert loopcheck.check is check


def test_run_reports_what_could_not_be_analysed(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def broken(:\n", encoding="utf-8")
    result = run([tmp_path])
    assert result.findings == [] and [e.reason[:12] for e in result.errors] == ["cannot parse"]
    with pytest.raises(SelectionError):
        check(source=BUGGY, select=["LC999"])


def test_the_cli_is_built_on_the_api() -> None:
    # the `check` command's body is `loopcheck.entry.check_command`, which the click command calls too
    cli, entry = ((Path(loopcheck.__file__).parent / name).read_text(encoding="utf-8") for name in ("cli.py", "entry.py"))
    assert "from loopcheck.api import" in entry and "lint_paths" not in cli + entry
    assert "check_command(" in cli


def test_package_is_typed() -> None:
    assert (Path(loopcheck.__file__).parent / "py.typed").is_file()
    import tomllib

    with open(Path(__file__).parents[1] / "pyproject.toml", "rb") as handle:
        data = tomllib.load(handle)
    assert "py.typed" in data["tool"]["setuptools"]["package-data"]["loopcheck"]


def test_flake8_reports_lc_codes(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    (tmp_path / "train.py").write_text(BUGGY, encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "LC", "train.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 1, result.stderr
    assert [line.split(" ")[0:2] for line in result.stdout.splitlines()] == [["train.py:3:5:", "LC001"], ["train.py:4:5:", "LC009"]]
    noqa = BUGGY.replace("total += loss", "total += loss  # noqa: LC009")
    (tmp_path / "train.py").write_text(noqa, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "LC", "train.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["LC001"]


# --- defect 4: summaries are sentences, not templates ----------------------------------------


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_summary_has_no_unfilled_template(rule: type) -> None:
    import string

    summary = rule.summary()
    assert "{" not in summary and "}" not in summary
    placeholders = {name for _, name, _, _ in string.Formatter().parse(rule.message) if name}
    if rule.short is None:
        assert placeholders <= set(PLAIN_WORDS), f"{rule.code}: placeholders {placeholders - set(PLAIN_WORDS)} need a `short`"
    assert f"Message: `{summary}`" in rule_markdown(rule)


def test_lc005_summary_is_not_the_template() -> None:
    from loopcheck.rules import rule_by_code

    summary = rule_by_code("LC005").summary()  # type: ignore[union-attr]
    assert "line line" not in summary and "kind built" not in summary and "cadence here; fix" not in summary


def test_sarif_short_descriptions_are_the_summaries(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from loopcheck.cli import main

    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    document = json.loads(CliRunner().invoke(main, ["--format", "sarif", str(tmp_path)]).output)
    texts = [r["shortDescription"]["text"] for r in document["runs"][0]["tool"]["driver"]["rules"]]
    assert texts == [r.summary() for r in ALL_RULES]
