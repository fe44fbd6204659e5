"""Rule documentation, generated from the rule classes: `loopcheck rule CODE` and rules/*.md.

Run `python -m loopcheck.docs` to rewrite rules/; a test fails when the pages are stale.
"""
from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from loopcheck.rules import ALL_RULES, Rule

_EXPECT = re.compile(r"\s*# expect: [A-Z0-9, ]+$")


def rule_markdown(rule: type[Rule]) -> str:
    invalid = "\n".join(_EXPECT.sub("  # <- reported here", line) for line in rule.INVALID[0].splitlines())
    return (
        f"# {rule.code} {rule.name}\n\n"
        f"Severity: **{rule.severity}**. Message: `{rule.summary()}`\n\n"
        f"## What it does\n\n{inspect.cleandoc(rule.__doc__ or '')}\n\n"
        f"## Why is this bad?\n\n{rule.rationale}\n\n"
        f"## Example\n\n```python\n{invalid}\n```\n\n"
        f"## Use instead\n\n```python\n{rule.use_instead.rstrip()}\n```\n"
    )


def repository_url() -> str | None:
    """The repository's address, from `[project.urls]` in pyproject.toml (the one place it is
    written), as the installed package's metadata carries it; None when not installed."""
    from importlib import metadata

    try:
        urls = metadata.metadata("loopcheck").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("repository", "source", "homepage"):
            return url.strip().rstrip("/")
    return None


def rule_url(rule: type[Rule]) -> str | None:
    """The rule's page in the repository, at the tag of this version."""
    from loopcheck import __version__

    home = repository_url()
    return f"{home}/blob/v{__version__}/rules/{rule.code}.md" if home else None


def index_markdown() -> str:
    rows = "\n".join(
        f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity} | {rule.summary()} |" for rule in ALL_RULES
    )
    return (
        "# loopcheck rules\n\nGenerated from `loopcheck/rules/` by `python -m loopcheck.docs`; do not edit by hand.\n\n"
        "| code | name | severity | message |\n|---|---|---|---|\n" + rows + "\n"
    )


def expected_pages() -> dict[str, str]:
    pages = {f"{rule.code}.md": rule_markdown(rule) for rule in ALL_RULES}
    pages["README.md"] = index_markdown()
    return pages


def write(directory: Path) -> None:
    pages = expected_pages()  # (all of them first: a rule that fails to render removes no page)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("LC*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (directory / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "rules"))
