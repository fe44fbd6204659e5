"""How much of a project a run reads: a lone file in a big folder that no marker makes a project
costs what it costs alone, while a small script folder keeps its cross-file facts.

The files read are counted by a real CLI process with an audit hook on `open` (no timing)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from loopcheck.project import UNMARKED_FILE_LIMIT, locate_root

ROOT = Path(__file__).resolve().parent.parent

COUNTING_RUN = textwrap.dedent(
    """
    import json, os, sys
    opened = []

    def hook(event, args):
        if event == "open" and isinstance(args[0], str) and args[0].endswith(".py"):
            opened.append(os.path.realpath(args[0]))

    watched = os.path.realpath(sys.argv[1])
    sys.addaudithook(hook)
    from loopcheck.cli import main
    try:
        main(sys.argv[2:])
    except SystemExit as stop:
        code = stop.code
    print(json.dumps({"opened": sorted({p for p in opened if p.startswith(watched + os.sep)}), "code": code}))
    """
)

HELPER = """\
def acc(m, d):
    right = 0
    for a, b in d:
        out = m(a)
        right += (out.argmax(1) == b).sum()
    return right
"""
"""A helper with no training word: only its caller (main.py) says it runs after training, in
training mode (LC006) and with grad (LC007)."""

MAIN = """\
import torch
import torch.nn as nn
from helpers import acc

model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    for x, y in train_loader:
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    print(acc(model, val_loader))
"""


def _script_folder(folder: Path, fillers: int) -> Path:
    folder.mkdir(parents=True)
    (folder / "helpers.py").write_text(HELPER, encoding="utf-8")
    (folder / "main.py").write_text(MAIN, encoding="utf-8")
    for index in range(fillers):  # scripts that import the helper and call it: each a caller to read
        sub = folder / f"batch{index % 7}"
        sub.mkdir(exist_ok=True)
        (sub / f"script_{index}.py").write_text(
            f"from helpers import acc\nimport torch\nprint(acc(torch.nn.Linear(2, 2), [{index}]))\n", encoding="utf-8"
        )
    return folder


def _run(folder: Path, cwd: Path, *arguments: str) -> tuple[list[str], list[tuple[str, int, str]]]:
    """The .py files under `folder` that `loopcheck check ARGUMENTS` opened, and its findings."""
    process = subprocess.run(
        [sys.executable, "-c", COUNTING_RUN, str(folder), "check", "--no-cache", "--jobs", "1", "--format", "json", *arguments],
        capture_output=True, text=True, cwd=cwd, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300,
    )
    lines = process.stdout.strip().splitlines()
    assert lines, process.stderr
    counted = json.loads(lines[-1])
    report = json.loads("\n".join(lines[:-1]))
    opened = [str(Path(p).relative_to(folder.resolve())) for p in counted["opened"]]
    findings = sorted((Path(f["path"]).name, f["line"], f["code"]) for f in report["findings"])
    return opened, findings


def test_a_lone_file_in_a_big_unmarked_folder_reads_only_what_it_imports(tmp_path: Path) -> None:
    big = _script_folder(tmp_path / "downloads", UNMARKED_FILE_LIMIT + 40)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert locate_root(big / "main.py") == (big, False)  # no marker above: the folder is the project
    opened, findings = _run(big, elsewhere, str(big / "main.py"))
    assert opened == ["helpers.py", "main.py"]  # not the 340 scripts that call the helper too
    assert ("main.py", 9, "LC001") in findings  # the file's own finding
    # the helper, checked alone there, is the only file read: its callers are not searched for
    opened, findings = _run(big, elsewhere, str(big / "helpers.py"))
    assert opened == ["helpers.py"]


def test_a_big_unmarked_folder_checked_whole_keeps_the_facts_between_its_files(tmp_path: Path) -> None:
    big = _script_folder(tmp_path / "downloads", UNMARKED_FILE_LIMIT + 40)
    _, findings = _run(big, big, ".")
    assert {("helpers.py", "LC006"), ("helpers.py", "LC007"), ("main.py", "LC001")} <= {(n, c) for n, _, c in findings}


def test_a_small_unmarked_script_folder_is_read_whole_for_a_lone_file(tmp_path: Path) -> None:
    small = _script_folder(tmp_path / "scripts", 3)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert locate_root(small / "helpers.py") == (small, False)
    opened, findings = _run(small, elsewhere, str(small / "helpers.py"))
    # the callers of the helper are read: main.py says it evaluates after training
    assert "main.py" in opened
    assert {("helpers.py", "LC006"), ("helpers.py", "LC007")} <= {(n, c) for n, _, c in findings}
    # from inside the folder (the current folder is the root) the same
    opened_inside, findings_inside = _run(small, small, "helpers.py")
    assert findings_inside == findings and "main.py" in opened_inside


def test_a_marked_project_is_read_whole_however_big(tmp_path: Path) -> None:
    big = _script_folder(tmp_path / "repo", UNMARKED_FILE_LIMIT + 40)
    (big / "pyproject.toml").write_text("", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    opened, findings = _run(big, elsewhere, str(big / "helpers.py"))
    assert "main.py" in opened  # its callers are searched for in the whole project
    assert {("helpers.py", "LC006"), ("helpers.py", "LC007")} <= {(n, c) for n, _, c in findings}
