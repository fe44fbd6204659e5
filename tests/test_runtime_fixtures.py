"""`loopcheck verify` on every fixture, run as a user would from the repository root: each marked
finding of a buggy script is confirmed with evidence (or reported "not checked" for the rules the
runtime has no evidence for), and a clean script has nothing confirmed."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from loopcheck.runtime.script import verify_script  # noqa: E402
from loopcheck.runtime.verdicts import CHECKS  # noqa: E402
from tests.expectations import expected_findings  # noqa: E402

ROOT = Path(__file__).parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("*.py"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_verify_confirms_exactly_the_marked_findings(fixture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    relative = str(fixture.relative_to(ROOT))
    code = verify_script(relative, [], fmt="json", out=out)
    report = json.loads(out.getvalue())
    findings = report["findings"]
    confirmed = sorted(
        (v["line"], v["code"]) for v in findings
        if v["verdict"]["status"] == "confirmed" and v["verdict"]["source"] == "static"
    )
    runtime_only = [v for v in findings if v["verdict"]["source"] == "runtime"]
    marked = expected_findings(fixture.read_text(encoding="utf-8"))
    expected = [(line, code) for line, code in marked if code in CHECKS]
    unchecked = sorted((v["line"], v["code"]) for v in findings if v["verdict"]["status"] == "not_checked")
    assert report["run"]["error"] is None
    assert confirmed == expected
    assert unchecked == [(line, code) for line, code in marked if code not in CHECKS]
    assert runtime_only == []
    assert code == (1 if expected else 0)
    for finding in findings:
        if finding["verdict"]["status"] == "confirmed":
            assert finding["verdict"]["evidence"]
