"""SARIF 2.1.0, for code-scanning dashboards: one run, the rules as its driver's rules, each
finding a result whose relatedLocations hold the other end of the bug."""
from __future__ import annotations

import json

from loopcheck import __version__
from loopcheck.engine import LintResult
from loopcheck.rules import ALL_RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: LintResult) -> str:
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": rule.rationale},
            "defaultConfiguration": {"level": "error" if rule.severity == "error" else "warning"},
        }
        for rule in ALL_RULES
    ]
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    results = []
    for f in result.findings:
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": "error" if f.severity == "error" else "warning",
                "message": {"text": f.message},
                "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column)],
                "relatedLocations": [
                    {**_location(r.path or f.path, r.line, r.column), "id": i, "message": {"text": r.note}}
                    for i, r in enumerate(f.related)
                ],
            }
        )
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "loopcheck", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2)


def _location(path: str, line: int, column: int, end_line: int | None = None, end_column: int | None = None) -> dict:
    region: dict[str, int] = {"startLine": line, "startColumn": column}
    if end_line is not None and end_column is not None:
        region.update(endLine=end_line, endColumn=end_column)
    return {"physicalLocation": {"artifactLocation": {"uri": path.replace("\\", "/")}, "region": region}}
