"""The first JSON report (`--format json-v1`): an array of finding objects, in output order.

Kept for tools written against it; it cannot carry the files that could not be analysed, which
`--format json` (version 2) lists.
"""
from __future__ import annotations

import json

from loopcheck.report.common import Result


def render(result: Result) -> str:
    return json.dumps([finding.to_dict() for finding in result.findings], indent=2)
