"""The committed rule pages in rules/ are exactly what the rule classes generate.

Nobody edits rules/*.md by hand: change the rule module, then `python -m loopcheck.docs rules`.
"""
from __future__ import annotations

from pathlib import Path

from loopcheck.docs import expected_pages
from loopcheck.rules import ALL_RULES

RULES_DIRECTORY = Path(__file__).resolve().parent.parent / "rules"
REGENERATE = "run `python -m loopcheck.docs rules` and commit the result"


def test_every_rule_has_a_page_and_the_index_links_it() -> None:
    pages = expected_pages()

    for rule in ALL_RULES:
        assert (RULES_DIRECTORY / f"{rule.code}.md").is_file(), f"rules/{rule.code}.md is missing; {REGENERATE}"
        assert f"[{rule.code}]({rule.code}.md)" in pages["README.md"]


def test_committed_rule_pages_equal_the_generated_ones() -> None:
    committed = {path.name: path.read_text(encoding="utf-8") for path in sorted(RULES_DIRECTORY.glob("*.md"))}

    expected = expected_pages()

    assert sorted(committed) == sorted(expected), f"rules/ has other pages than the rules generate; {REGENERATE}"
    stale = [name for name in expected if committed[name] != expected[name]]
    assert stale == [], f"stale rule pages {stale}; {REGENERATE}"


def test_a_rule_that_cannot_be_rendered_leaves_every_written_page_in_place(tmp_path: Path, monkeypatch) -> None:
    import pytest

    from loopcheck.docs import write

    write(tmp_path)
    before = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.iterdir()}
    broken = ALL_RULES[0]
    monkeypatch.setattr(broken, "short", "")
    monkeypatch.setattr(broken, "message", "{no_such_placeholder} is wrong")
    with pytest.raises(KeyError):
        write(tmp_path)
    assert {path.name: path.read_text(encoding="utf-8") for path in tmp_path.iterdir()} == before
