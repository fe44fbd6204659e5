"""GitHub annotations and SARIF 2.1.0: both ends of an ordering bug reach the output."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.clirun import invoke
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
    assert document["version"] == "2.1.0" and document["$schema"].endswith("2.1.0.json")
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


# --- issue 9: SARIF valid against the official schema, notebooks, files not analysed ---------

SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
"""The official SARIF 2.1.0 JSON schema (OASIS), sarif-2.1/schema/sarif-schema-2.1.0.json of the
oasis-tcs/sarif-spec repository at commit e0583813964ec43cea53b6b531b402866095ed1f, unchanged."""

MISSING_ZERO_GRAD = "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n"


def notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    document = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True), "outputs": []}
            for kind, source in cells
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


NOTEBOOK_CELLS = [
    ("markdown", "# Training\n"),
    ("code", "import torch\n"),
    ("markdown", "The loop:\n"),
    ("code", "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n"),
]


@pytest.fixture
def awkward_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Findings in a path with a space and a `#`, an unparsable file, a notebook, a file given by
    its absolute path outside the current folder."""
    work = tmp_path / "work"
    (work / "my dir").mkdir(parents=True)
    (work / "my dir" / "train #1.py").write_text(MISSING_ZERO_GRAD, encoding="utf-8")
    (work / "broken.py").write_text("def broken(:\n", encoding="utf-8")
    notebook(work / "nb.ipynb", NOTEBOOK_CELLS)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "train.py").write_text(MISSING_ZERO_GRAD, encoding="utf-8")
    monkeypatch.chdir(work)
    return tmp_path


def invoke_split(*args: str) -> tuple[int, str, str]:
    result = invoke(*args)
    return result.exit_code, result.stdout, result.stderr


def sarif_of(tree: Path) -> dict:  # type: ignore[type-arg]
    exit_code, stdout, _ = invoke_split("--format", "sarif", ".", str(tree / "elsewhere" / "train.py"))
    assert exit_code == 2  # broken.py could not be analysed
    return json.loads(stdout)


def test_sarif_validates_against_the_official_schema_with_format_checking(awkward_tree: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()  # every format jsonschema knows, the schema's uri and uri-reference among them
    assert "uri" in checker.checkers and "uri-reference" in checker.checkers, "install jsonschema[format-nongpl]"
    document = sarif_of(awkward_tree)

    jsonschema.Draft4Validator(schema, format_checker=checker).validate(document)

    # the checker does catch what it is there for: an unencoded path is no URI reference
    broken = json.loads(json.dumps(document))
    broken["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///my dir/"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema, format_checker=checker).validate(broken)


def test_sarif_uris_are_encoded_and_based_and_rules_carry_help(awkward_tree: Path) -> None:
    run_ = sarif_of(awkward_tree)["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (awkward_tree / "work").as_uri() + "/"
    artifacts = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run_["results"]]
    assert {"uri": "my%20dir/train%20%231.py", "uriBaseId": "%SRCROOT%"} in artifacts
    assert {"uri": (awkward_tree / "elsewhere" / "train.py").as_uri()} in artifacts  # absolute: a file URI
    for rule in run_["tool"]["driver"]["rules"]:
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"# {rule['id']} ")
        assert rule["helpUri"].endswith(f"/rules/{rule['id']}.md")
        assert "{" not in rule["shortDescription"]["text"]
    (invocation,) = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "cannot parse" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "broken.py", "uriBaseId": "%SRCROOT%"}


def test_notebook_findings_give_the_cell_and_land_in_the_notebook_file(awkward_tree: Path) -> None:
    nb_lines = (awkward_tree / "work" / "nb.ipynb").read_text(encoding="utf-8").splitlines()
    backward_line = next(i for i, line in enumerate(nb_lines, start=1) if "loss.backward()" in line)

    _, text, _ = invoke_split("--no-color", "-q", "nb.ipynb")
    assert text.splitlines() == [
        "nb.ipynb:cell 4:3:5: LC001 [error] optimizer.zero_grad() is never called in this loop; gradients accumulate across batches"
    ]

    (finding,) = json.loads(invoke_split("--format", "json", "nb.ipynb")[1])["findings"]
    assert (finding["cell"], finding["cell_line"], finding["column"]) == (4, 3, 5)
    assert finding["line"] == 4  # the joined code cells' line, as documented

    (annotation,) = invoke_split("--format", "github", "nb.ipynb")[1].splitlines()
    assert annotation.startswith(f"::error file=nb.ipynb,line={backward_line},col=5,title=LC001 missing-zero-grad (cell 4%2C line 3)::")

    (result,) = json.loads(invoke_split("--format", "sarif", "nb.ipynb")[1])["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == backward_line
    assert result["properties"] == {"notebookCell": 4, "notebookCellLine": 3}
    related_line = result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"]
    assert "optimizer.step()" in nb_lines[related_line - 1]


def test_files_not_analysed_reach_every_machine_format(awkward_tree: Path) -> None:
    _, stdout, _ = invoke_split("--format", "json", "broken.py")
    assert json.loads(stdout)["errors"] == [{"path": "broken.py", "reason": "cannot parse: line 1, column 12: invalid syntax"}]
    _, stdout, _ = invoke_split("--format", "github", "broken.py")
    assert stdout.startswith("::error file=broken.py,title=loopcheck%3A not analysed::cannot parse")
    _, stdout, _ = invoke_split("--format", "junit", "broken.py")
    assert '<error message="cannot parse' in stdout


def test_junit_report_has_one_failing_case_per_finding(awkward_tree: Path) -> None:
    import xml.etree.ElementTree as ET

    exit_code, stdout, _ = invoke_split("--format", "junit", "my dir", "nb.ipynb")
    assert exit_code == 1
    root = ET.fromstring(stdout)
    assert root.tag == "testsuites" and root.get("failures") == "2" and root.get("errors") == "0"
    cases = root.findall("testsuite/testcase")
    assert [c.get("classname") for c in cases] == ["my dir/train #1.py", "nb.ipynb"]
    assert all(c.find("failure").get("type") == "LC001" for c in cases)
    clean_dir = awkward_tree / "clean"
    clean_dir.mkdir()
    (clean_dir / "ok.py").write_text("x = 1\n", encoding="utf-8")
    exit_code, stdout, _ = invoke_split("--format", "junit", str(clean_dir))
    assert exit_code == 0 and ET.fromstring(stdout).get("failures") == "0"
