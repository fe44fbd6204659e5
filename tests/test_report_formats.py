"""GitHub annotations and SARIF 2.1.0: both ends of an ordering bug reach the output."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from loopcheck.cli import main
from loopcheck.rules import ALL_RULES

ZERO_GRAD_BETWEEN = textwrap.dedent("""
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
""")


def run(tmp_path: Path, fmt: str) -> tuple[int, str]:
    target = tmp_path / "train.py"
    target.write_text(ZERO_GRAD_BETWEEN, encoding="utf-8")
    result = CliRunner().invoke(main, ["--format", fmt, str(target)])
    return result.exit_code, result.output


def test_github_format_writes_one_annotation_per_finding(tmp_path: Path) -> None:
    exit_code, output = run(tmp_path, "github")
    assert exit_code == 1
    path = str(tmp_path / "train.py")
    assert output.splitlines() == [
        f"::error file={path},line=5,col=5,endLine=5,endColumn=26,title=LC002 zero-grad-before-step::"
        "optimizer.zero_grad() clears the gradients after backward() and before optimizer.step(); "
        "the step sees zero gradients"
    ]


def test_sarif_has_the_required_structure_and_related_locations(tmp_path: Path) -> None:
    exit_code, output = run(tmp_path, "sarif")
    assert exit_code == 1
    document = json.loads(output)
    assert document["version"] == "2.1.0" and document["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = document["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "loopcheck"
    assert [r["id"] for r in driver["rules"]] == [r.code for r in ALL_RULES]
    (result,) = run_["results"]
    assert result["ruleId"] == "LC002" and driver["rules"][result["ruleIndex"]]["id"] == "LC002"
    assert result["level"] == "error" and result["message"]["text"].startswith("optimizer.zero_grad()")
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 26}
    related = [
        (r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in result["relatedLocations"]
    ]
    assert related == [(4, "gradients computed here"), (6, "the step that sees them cleared")]
    assert len({r["id"] for r in result["relatedLocations"]}) == 2


def test_sarif_of_a_clean_tree_has_a_run_with_no_results(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--format", "sarif", str(tmp_path)])
    assert result.exit_code == 0
    assert json.loads(result.output)["runs"][0]["results"] == []
