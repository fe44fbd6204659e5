"""The JSON report (`--format json`), version 2: one object.

    {"version": 2, "tool": {"name": "loopcheck", "version": "0.1.0"}, "files_checked": 48,
     "findings": [...], "errors": [{"path": ..., "reason": ...}],
     "notes": [{"path": ..., "line": null, "kind": "", "message": ...}]}

Each finding has the keys of version 1 (path, line, column, end_line, end_column, code, name,
severity, message, related) plus `cell` and `cell_line` (null outside notebooks; in a notebook
`line` counts the code cells' lines joined). `errors` lists the files that could not be analysed
(a run with any exits 2). New keys may be added within a version; none is removed or changes
meaning without a new version number. `--format json-v1` keeps the first form: an array of
findings alone.
"""
from __future__ import annotations

import json
from typing import Any

from loopcheck import __version__
from loopcheck.finding import Finding
from loopcheck.report.common import Result, statistics

VERSION = 2


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {**finding.to_dict(), "cell": finding.cell, "cell_line": finding.cell_line}


def document(result: Result) -> dict[str, Any]:
    return {
        "version": VERSION,
        "tool": {"name": "loopcheck", "version": __version__},
        "files_checked": result.files_checked,
        "findings": [finding_dict(f) for f in result.findings],
        "errors": [{"path": e.path, "reason": e.reason} for e in result.errors],
        "notes": [{"path": n.path, "line": n.line, "kind": n.kind, "message": n.reason} for n in result.notes],
    }


def render(result: Result) -> str:
    return json.dumps(document(result), indent=2)


def render_statistics(result: Result) -> str:
    return json.dumps(statistics(result.findings), indent=2)
