"""Reading `# expect: LC001` markers: the file is both the input and the answer."""
from __future__ import annotations

import re

EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)\s*$")


def expected_findings(source: str) -> list[tuple[int, str]]:
    """(line, code) pairs marked in the source, sorted."""
    marked: list[tuple[int, str]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            marked.extend((number, code.strip()) for code in match.group("codes").split(","))
    return sorted(marked)
