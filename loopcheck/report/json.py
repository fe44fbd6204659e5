"""The JSON report: an array of finding objects, one per finding, in output order."""
from __future__ import annotations

import json

from loopcheck.engine import LintResult


def render(result: LintResult) -> str:
    return json.dumps([finding.to_dict() for finding in result.findings], indent=2)
