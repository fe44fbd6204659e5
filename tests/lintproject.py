"""A project written to disk and linted whole, as `loopcheck DIR` would (a pyproject.toml marks its root)."""
from __future__ import annotations

from pathlib import Path

from loopcheck.engine import lint_paths
from loopcheck.finding import Finding


def lint_project(root: Path, files: dict[str, str]) -> list[Finding]:
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    for name, text in files.items():
        (root / name).write_text(text)
    return list(lint_paths([str(root)], root=str(root)).findings)
