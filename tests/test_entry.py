"""The command's entry point: the plain `loopcheck [check] PATHS [options]` form read without click
(`loopcheck.entry`) gives exactly what the click commands give, byte for byte, with the same exit
status, and everything else goes to click.

Each case runs `python -m loopcheck ARGS` twice in fresh interpreters: as a user runs it, and with
the plain form turned off so that click reads the same arguments.
"""
from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loopcheck import entry
from tests.test_cli import CLEAN, MISSING_ZERO_GRAD, ZERO_GRAD_BEFORE_STEP, write

ROOT = Path(__file__).resolve().parents[1]

BY_CLICK = (
    "import runpy, loopcheck.entry as entry; entry.plain_check = lambda args: None; "
    "runpy.run_module('loopcheck', run_name='__main__', alter_sys=True)"
)
"""`python -m loopcheck` with the plain form turned off: every command line goes to click."""

RECORDING = (
    "import atexit, os, sys; "
    "atexit.register(lambda: open(os.environ['IMPORTED_INTO'], 'w').write(' '.join(sorted(sys.modules)))); "
    "import runpy; runpy.run_module('loopcheck', run_name='__main__', alter_sys=True)"
)
"""`python -m loopcheck`, writing at exit the modules it imported."""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["LOOPCHECK_CACHE_DIR"] = str(tmp_path / "cache")
    env.update(extra)
    return env


def _both(args: list[str], cwd: Path, env: dict[str, str], stdin: bytes | None = None) -> tuple[object, object]:
    def run(prefix: list[str]) -> tuple[int, bytes, bytes]:
        done = subprocess.run([sys.executable, *prefix, *args], cwd=cwd, env=env, input=stdin, capture_output=True, timeout=120)
        return done.returncode, done.stdout, done.stderr

    return run(["-m", "loopcheck"]), run(["-c", BY_CLICK])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    write(root, "train.py", MISSING_ZERO_GRAD)
    write(root, "order.py", ZERO_GRAD_BEFORE_STEP)
    write(root, "clean.py", CLEAN)
    write(root, "noqa.py", CLEAN.replace("optimizer.step()", "optimizer.step()  # noqa: LC001"))
    write(root, "broken.py", "def broken(:\n")
    write(root, "empty.py", "")
    (root / "docs").mkdir()
    (root / "docs" / "notes.txt").write_text("nothing to check\n", encoding="utf-8")
    return root


CASES = [
    [],
    ["train.py"],
    ["check", "train.py"],
    ["clean.py"],
    ["check", "--no-cache", "clean.py", "order.py"],
    ["--no-cache", "."],
    ["broken.py", "train.py"],
    ["missing.py"],
    ["docs"],
    ["empty.py", "-q"],
    ["train.py", "--format", "json"],
    ["train.py", "--format=json-v1"],
    ["train.py", "order.py", "--format", "github"],
    ["train.py", "--format", "sarif"],
    ["train.py", "--format", "junit"],
    ["train.py", "--format", "yaml"],
    ["train.py", "--statistics"],
    [".", "--statistics", "--format", "json"],
    ["train.py", "--statistics", "--format", "github"],
    ["train.py", "--select", "LC002"],
    ["train.py", "order.py", "--select=LC001,LC002", "--ignore", "LC002"],
    ["train.py", "--extend-select", "LC00", "--extend-ignore", "LC001"],
    ["train.py", "--select", "LC999"],
    ["train.py", "--exit-zero"],
    ["train.py", "--fail-on", "error"],
    ["order.py", "--fail-on", "error"],
    ["train.py", "-q", "--show-source"],
    ["train.py", "--color", "always"],
    ["train.py", "--color=never", "--no-color"],
    ["train.py", "--jobs", "2"],
    ["train.py", "-j", "1"],
    ["train.py", "--jobs", "0"],
    ["train.py", "-j", "x"],
    ["train.py", "-j2"],
    [".", "--exclude", "train.py", "--exclude=order.py"],
    [".", "--exclude", ""],
    ["noqa.py", "--report-unused-noqa"],
    ["train.py", "--isolated", "--no-respect-gitignore"],
    ["train.py", "--format"],
    ["train.py", "--select", "--quiet"],
    ["train.py", "--bogus"],
    ["train.py", "--"],
    ["--", "train.py"],
    ["--help"],
    ["check", "--help"],
    ["train.py", "-h"],
    ["--version"],
    ["rules", "--list"],
    ["rule", "LC001"],
    ["--exclude", "rules", "train.py"],
    ["check", "check"],
    ["train.py", "--stdin-filename", "x.py"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(case) or "(none)" for case in CASES])
def test_the_plain_form_prints_what_click_prints(project: Path, tmp_path: Path, args: list[str]) -> None:
    fast, by_click = _both(args, project, _env(tmp_path))

    assert fast == by_click


def test_a_bad_setting_is_the_same_usage_error(project: Path, tmp_path: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.loopcheck]\nselect = 'LC001'\n", encoding="utf-8")

    fast, by_click = _both(["train.py"], project, _env(tmp_path))

    assert fast == by_click
    assert fast[0] == 2 and b"Error:" in fast[2]  # type: ignore[index]


def test_stdin_goes_to_click_and_says_the_same(project: Path, tmp_path: Path) -> None:
    fast, by_click = _both(["-", "--stdin-filename", "train.py"], project, _env(tmp_path), stdin=MISSING_ZERO_GRAD.encode())

    assert fast == by_click
    assert fast[0] == 1  # type: ignore[index]


def test_no_color_and_force_color_are_read_alike(project: Path, tmp_path: Path) -> None:
    for extra in ({"NO_COLOR": "1"}, {"FORCE_COLOR": "1"}):
        fast, by_click = _both(["train.py"], project, _env(tmp_path, **extra))
        assert fast == by_click


def test_an_ascii_stdout_goes_to_click(project: Path, tmp_path: Path) -> None:
    # click wraps an ASCII stream (its output then differs from a plain write): the entry hands it over
    write(project, "accent.py", MISSING_ZERO_GRAD.replace("loader", "lo\u00e4der"))
    fast, by_click = _both(["accent.py"], project, _env(tmp_path, PYTHONIOENCODING="ascii"))

    assert fast == by_click


@pytest.mark.parametrize(
    "args, click_imported",
    [(["--no-cache", "train.py"], False), (["check", "clean.py", "--format", "json"], False),
     (["train.py", "--color", "always"], True), (["rules"], True), (["--help"], True)],
)
def test_the_plain_form_does_not_import_click(project: Path, tmp_path: Path, args: list[str], click_imported: bool) -> None:
    record = tmp_path / "modules.txt"
    subprocess.run(
        [sys.executable, "-c", RECORDING, *args], cwd=project, env=_env(tmp_path, IMPORTED_INTO=str(record)),
        capture_output=True, timeout=120,
    )

    assert ("click" in record.read_text(encoding="utf-8").split()) is click_imported  # colour is click.style's


def test_the_console_script_runs_the_entry() -> None:
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as handle:
        scripts = tomllib.load(handle)["project"]["scripts"]
    assert scripts == {"loopcheck": "loopcheck.entry:main"}
    assert "from loopcheck.entry import main" in (ROOT / "loopcheck" / "__main__.py").read_text(encoding="utf-8")


def test_the_commands_it_knows_are_clicks() -> None:
    from loopcheck.cli import main

    assert set(entry.COMMANDS) == set(main.commands)


PARSED = [
    [],
    ["a.py", "b"],
    ["check", "a.py"],
    ["rules"],
    ["--format", "json", "x", "--format=sarif"],
    ["--select", "LC001", "--select=LC002", "--ignore", "", "--extend-select", "a", "--extend-ignore", "b", "--exclude", "c"],
    ["-q", "--quiet", "--exit-zero", "--statistics", "--show-source", "--report-unused-noqa", "--no-color", "--no-cache"],
    ["--isolated", "--no-respect-gitignore", "--fail-on", "error", "--color", "always", "--jobs", "3", "-j", "4", "."],
    ["--jobs=12", "x"],
    ["--jobs", "0"],
    ["--jobs", "-1"],
    ["--jobs", "2.5"],
    ["--jobs", "\u0663"],
    ["-j3"],
    ["-qj2"],
    ["--format", "text", "--format"],
    ["--color", "sometimes"],
    ["--config", "x.toml"],
    ["-o", "out.txt"],
    ["--no-cache=1"],
    ["-"],
    ["--", "x"],
    ["x", "-h"],
]


@pytest.mark.parametrize("args", PARSED, ids=[" ".join(case) or "(none)" for case in PARSED])
def test_what_it_reads_is_what_click_reads(args: list[str]) -> None:
    import click

    from loopcheck.cli import main

    options = entry.plain_check(args)
    if options is None:
        return  # click reads it: nothing to compare
    check_args = args[1:] if args and args[0] == "check" else args
    command = main.commands["check"]
    with command.make_context("check", list(check_args)) as context:
        parsed = dict(context.params)
    signature = inspect.signature(entry.check_command)
    defaults = {name: p.default for name, p in signature.parameters.items() if p.default is not p.empty}
    assert {**defaults, **options} == parsed, "the plain form read the arguments otherwise than click"
    assert isinstance(command, click.Command)


GC_STATE = (
    "import atexit, gc, os; "
    "atexit.register(lambda: open(os.environ['GC_STATE_INTO'], 'w').write(f'{gc.isenabled()} {gc.get_freeze_count()}')); "
    "import runpy; runpy.run_module('loopcheck', run_name='__main__', alter_sys=True)"
)
"""`python -m loopcheck`, writing at exit whether the cycle collector is on and how many objects are frozen."""


@pytest.mark.parametrize("args", [["--no-cache", "train.py"], ["check", "--no-cache", "clean.py", "--format", "json"], ["rules"]])
def test_a_reading_command_leaves_its_objects_to_the_exit(project: Path, tmp_path: Path, args: list[str]) -> None:
    # the run's trees and models hold cycles: no collection walks them before the process ends
    record = tmp_path / "gc.txt"
    subprocess.run(
        [sys.executable, "-c", GC_STATE, *args], cwd=project, env=_env(tmp_path, GC_STATE_INTO=str(record)),
        capture_output=True, timeout=120,
    )

    enabled, frozen = record.read_text(encoding="utf-8").split()
    assert enabled == "False" and int(frozen) > 10_000


def test_verify_keeps_the_cycle_collector(project: Path, tmp_path: Path) -> None:
    # `verify` runs training code and measures what it keeps alive: collections go on as they would
    record = tmp_path / "gc.txt"
    subprocess.run(
        [sys.executable, "-c", GC_STATE, "verify", "--help"], cwd=project, env=_env(tmp_path, GC_STATE_INTO=str(record)),
        capture_output=True, timeout=120,
    )

    enabled, frozen = record.read_text(encoding="utf-8").split()
    assert enabled == "True" and frozen == "0"
