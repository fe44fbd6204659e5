"""SARIF 2.1.0, for code-scanning dashboards: one run, the rules as its driver's rules (with
`help` and `helpUri`), each finding a result whose relatedLocations hold the other end of the
bug, and the files that could not be analysed as the invocation's toolExecutionNotifications.

Paths inside the current folder are relative URIs (percent-encoded) against the `%SRCROOT%`
base, which `originalUriBaseIds` sets to the current folder; others are absolute `file:` URIs.
Columns count Unicode code points (`columnKind`). A notebook finding's region is the line of the
`.ipynb` that holds the source line; its cell and the line within it are in the result's
properties. The test suite validates this output against the official schema.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from loopcheck import __version__
from loopcheck.report.common import Result, file_line, notebook_file_line, strip_cell

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
BASE = "%SRCROOT%"


def render(result: Result) -> str:
    from loopcheck.docs import rule_markdown, rule_url
    from loopcheck.rules import ALL_RULES

    rules = []
    for rule in ALL_RULES:
        entry: dict[str, Any] = {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": rule.rationale},
            "help": {"text": rule.rationale, "markdown": rule_markdown(rule)},
            "defaultConfiguration": {"level": _level(rule.severity)},
        }
        url = rule_url(rule)
        if url:
            entry["helpUri"] = url
        rules.append(entry)
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    results = []
    for f in result.findings:
        line = file_line(f)
        same_line = f.cell is None
        item: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _level(f.severity),
            "message": {"text": strip_cell(f)},
            "locations": [_location(f.path, line, f.column, f.end_line if same_line else None, f.end_column if same_line else None)],
            "relatedLocations": [
                {**_location(r.path or f.path, notebook_file_line(r.path or f.path, r.line), r.column), "id": i, "message": {"text": r.note}}
                for i, r in enumerate(f.related)
            ],
        }
        if f.cell is not None:
            item["properties"] = {"notebookCell": f.cell, "notebookCellLine": f.cell_line}
        results.append(item)
    notifications = [
        {"level": "error", "message": {"text": e.reason}, "locations": [_location(e.path)]} for e in result.errors
    ]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "loopcheck", "version": __version__, "informationUri": _home(), "rules": rules}},
                "invocations": [{"executionSuccessful": not result.errors, "toolExecutionNotifications": notifications}],
                "originalUriBaseIds": {BASE: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    if not document["runs"][0]["tool"]["driver"]["informationUri"]:
        del document["runs"][0]["tool"]["driver"]["informationUri"]
    return json.dumps(document, indent=2)


def _home() -> str | None:
    from loopcheck.docs import repository_url

    return repository_url()


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def artifact(path: str) -> dict[str, str]:
    """An artifactLocation: relative to %SRCROOT% (the current folder) when inside it, else an
    absolute file URI; percent-encoded either way."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix(), safe="/"), "uriBaseId": BASE}


def _location(path: str, line: int = 0, column: int = 0, end_line: int | None = None, end_column: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact(path)}
    if line > 0:
        region: dict[str, int] = {"startLine": line, "startColumn": column}
        if end_line is not None and end_column is not None:
            region.update(endLine=end_line, endColumn=end_column)
        physical["region"] = region
    return {"physicalLocation": physical}
