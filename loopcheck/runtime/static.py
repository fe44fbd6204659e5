"""Static findings for the runtime companion to judge, from the engine when it can be loaded.

The runtime never fails because the static side is missing or crashes: it notes why and goes on.
"""
from __future__ import annotations

from loopcheck.finding import Finding


def static_findings(path: str) -> tuple[list[Finding], list[str]]:
    """The findings of `loopcheck.engine.lint_paths([path])`, and notes on what went wrong."""
    try:
        from loopcheck.engine import lint_paths
    except ImportError as error:
        return [], [f"static analysis unavailable ({error}); runtime checks only"]
    try:
        result = lint_paths([path])
    except Exception as error:  # a crash of the static side must not hide the runtime evidence
        return [], [f"static analysis failed on {path}: {type(error).__name__}: {error}"]
    notes = [f"static analysis could not read {e.path}: {e.reason}" for e in result.errors]
    return list(result.findings), notes
