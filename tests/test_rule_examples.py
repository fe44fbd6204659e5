"""Every rule's VALID and INVALID examples, run through the real pipeline (parse, model, rule)."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source
from loopcheck.rules import ALL_RULES, Rule
from tests.expectations import expected_findings

VALID = [(rule, i, code) for rule in ALL_RULES for i, code in enumerate(rule.VALID)]
INVALID = [(rule, i, code) for rule in ALL_RULES for i, code in enumerate(rule.INVALID)]


def _found(rule: type[Rule], source: str) -> list[tuple[int, str]]:
    findings, errors = lint_source(source, "example.py", [rule])
    assert errors == []
    return sorted((f.line, f.code) for f in findings)


@pytest.mark.parametrize("rule, index, source", VALID, ids=[f"{r.code}-valid-{i}" for r, i, _ in VALID])
def test_valid_example_is_not_flagged(rule: type[Rule], index: int, source: str) -> None:
    assert _found(rule, source) == []


@pytest.mark.parametrize("rule, index, source", INVALID, ids=[f"{r.code}-invalid-{i}" for r, i, _ in INVALID])
def test_invalid_example_is_flagged_where_marked(rule: type[Rule], index: int, source: str) -> None:
    expected = [(line, code) for line, code in expected_findings(source) if code == rule.code]
    assert expected, "an INVALID example must mark where its finding points"
    assert _found(rule, source) == expected


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_rule_metadata_is_complete(rule: type[Rule]) -> None:
    assert rule.code.startswith("LC") and len(rule.code) == 5
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.severity in ("error", "warning")
    assert rule.__doc__ and rule.rationale and rule.use_instead and rule.message
    assert rule.VALID and rule.INVALID
