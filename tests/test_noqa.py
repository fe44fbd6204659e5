"""`# noqa` directives (issue 9, defect 8): real comments only, codes and rule names, file level,
malformed and unused directives reported. Each case runs the real CLI on a real file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from tests.clirun import invoke as run_command
from loopcheck.engine import lint_source
from loopcheck.noqa import comments, parse

BOTH = """\
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward(){first}
    total += loss{second}
    optimizer.step()
"""
"""LC001 at line 3 (no zero_grad), LC009 at line 4 (the loss kept across iterations)."""


def invoke(*args: str) -> Result:
    return run_command("--no-color", *args)


def codes_found(path: Path, *args: str) -> list[tuple[int, str]]:
    result = invoke("--format", "json", *args, str(path))
    return [(f["line"], f["code"]) for f in json.loads(result.stdout)["findings"]]


def both(tmp_path: Path, first: str = "", second: str = "", before: str = "") -> Path:
    path = tmp_path / "train.py"
    path.write_text(before + BOTH.format(first=first, second=second), encoding="utf-8")
    return path


def test_without_directives_both_rules_report(tmp_path: Path) -> None:
    assert codes_found(both(tmp_path)) == [(3, "LC001"), (4, "LC009")]


@pytest.mark.parametrize(
    "comment, left",
    [
        ("  # noqa: missing-zero-grad", []),  # a rule name silences that rule only
        ("  # noqa: MISSING-ZERO-GRAD", []),
        ("  # noqa: LC009", [(3, "LC001")]),  # another rule's code silences nothing here
        ("  # noqa : LC001", []),  # a space before the colon: still only LC001
        ("  # noqa:LC001", []),
        ("  # noqa: LC00", []),  # a prefix
        ("  # noqa: E501, LC001", []),  # shared with another linter's codes
        ("  # noqa: E501", [(3, "LC001")]),
        ("  # noqa", []),
        ("  # noqa: LC001 the reset is in the callback", []),  # an explanation after the codes
    ],
)
def test_line_directive_silences_exactly_what_it_names(tmp_path: Path, comment: str, left: list[tuple[int, str]]) -> None:
    path = both(tmp_path, first=comment)
    assert codes_found(path) == [*left, (4, "LC009")]


def test_rule_name_and_spaced_colon_do_not_silence_other_rules_on_the_line(tmp_path: Path) -> None:
    source = "for x in loader:\n    loss = model(x)\n    loss.backward(); total += loss  # noqa : LC001\n    optimizer.step()\n"
    (tmp_path / "t.py").write_text(source, encoding="utf-8")
    assert codes_found(tmp_path / "t.py") == [(3, "LC009")]
    (tmp_path / "t.py").write_text(source.replace("noqa : LC001", "noqa: missing-zero-grad"), encoding="utf-8")
    assert codes_found(tmp_path / "t.py") == [(3, "LC009")]


def test_noqa_inside_a_string_is_no_directive(tmp_path: Path) -> None:
    path = both(tmp_path, first='; note = "# noqa"')
    assert codes_found(path) == [(3, "LC001"), (4, "LC009")]


def test_a_form_feed_does_not_shift_the_line_a_directive_is_read_from(tmp_path: Path) -> None:
    # Python starts no new line at a form feed; splitting at it would read line 3's noqa for line 4
    path = both(tmp_path, second="  # noqa: LC009", before="\f# a page break above\n")
    assert codes_found(path) == [(4, "LC001")]
    path = both(tmp_path, first="  # noqa: LC001", before="x = 1  \f  # form feed inside a line\n")
    assert codes_found(path) == [(5, "LC009")]


@pytest.mark.parametrize(
    "directive, left",
    [
        ("# loopcheck: noqa\n", []),
        ("# loopcheck: noqa: LC009\n", [(3, "LC001")]),
        ("# loopcheck: noqa: missing-zero-grad, LC009\n", []),
    ],
)
def test_file_level_directive(tmp_path: Path, directive: str, left: list[tuple[int, str]]) -> None:
    path = tmp_path / "train.py"
    path.write_text(BOTH.format(first="", second="") + directive, encoding="utf-8")
    assert codes_found(path) == left


@pytest.mark.parametrize(
    "comment, problem",
    [
        ("  # noqa:", "no codes after the colon"),
        ("  # noqa: because it is fine", "'because' is neither a rule code nor a rule name"),
        ("  # noqa: not-a-rule", "'not-a-rule' is neither a rule code nor a rule name"),
        ("  # noqa LC001", "a colon is missing"),
    ],
)
def test_malformed_directive_is_reported_with_its_line(tmp_path: Path, comment: str, problem: str) -> None:
    path = both(tmp_path, first=comment)

    result = invoke(str(path))

    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"{path}:3: warning: malformed `{comment.strip()}`")
    assert problem in warnings[0]
    silenced = comment.endswith("LC001")  # the codes are clear, only the colon is missing
    assert ((3, "LC001") in codes_found(path)) is not silenced


def test_unused_noqa_is_reported_on_request_and_fails_the_run(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    clean = "for x in loader:\n    optimizer.zero_grad()\n    loss = model(x)\n    loss.backward()  # noqa: LC001, E501\n    optimizer.step()\n"
    path.write_text(clean, encoding="utf-8")

    quiet = invoke(str(path))
    assert quiet.exit_code == 0 and "unused" not in quiet.stderr

    result = invoke("--report-unused-noqa", str(path))
    assert result.exit_code == 1
    assert f"{path}:4: warning: unused noqa code LC001 in `# noqa: LC001, E501`" in result.stderr
    assert "E501" not in result.stderr.split("in `")[0]  # another tool's code is never called unused
    used = both(tmp_path, first="  # noqa: LC001")
    assert invoke("--report-unused-noqa", "--select", "LC001", str(used)).stderr == ""


def test_unused_noqa_ignores_rules_that_did_not_run(tmp_path: Path) -> None:
    path = both(tmp_path, second="  # noqa: LC009")
    assert "unused" not in invoke("--report-unused-noqa", "--select", "LC001", str(path)).stderr


def test_comments_are_read_by_the_tokenizer() -> None:
    text = 's = """\n# noqa inside a string\n"""\nx = 1  # noqa: LC001\n'
    assert comments(text) == [(4, "# noqa: LC001")]
    directives = parse(text)
    assert list(directives.lines) == [4] and directives.lines[4][0].codes == ("LC001",)


def test_library_call_applies_directives_too() -> None:
    source = BOTH.format(first="  # noqa: missing-zero-grad", second="")
    findings, _ = lint_source(source, "t.py")
    assert [f.code for f in findings] == ["LC009"]
