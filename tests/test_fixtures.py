"""Every fixture script yields exactly the findings marked in it with `# expect:` — no more, no less."""
from __future__ import annotations

from pathlib import Path

import pytest

from loopcheck.engine import lint_paths
from tests.expectations import expected_findings

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures").glob("*.py"))


def test_there_are_enough_fixtures_clean_and_buggy() -> None:
    buggy = [f for f in FIXTURES if expected_findings(f.read_text(encoding="utf-8"))]
    assert len(FIXTURES) >= 22
    assert len(buggy) >= 10 and len(FIXTURES) - len(buggy) >= 10


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_fixture_yields_exactly_the_marked_findings(fixture: Path) -> None:
    result = lint_paths([str(fixture)])
    assert result.errors == []
    found = sorted((f.line, f.code) for f in result.findings)
    assert found == expected_findings(fixture.read_text(encoding="utf-8"))
