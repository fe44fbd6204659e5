"""Static analyzer throughput: the whole pipeline against a bare libcst parse of the same files.

Usage: python bench/static_throughput.py [--rounds N] [--root DIR] [--processes] [PATH ...]
(default: fixtures/)

Each round times, in this one process, (1) `libcst.parse_module` of every file's source alone and
(2) `loopcheck.engine.lint_paths` over the same paths (one process, no cache: `--jobs 1
--no-cache`): reading, the CPython syntax check, the one
libcst parse per file, the project index, the loop models of every file and all rules. It prints
the best round of each and their ratio. Python's cycle collector is off for both, as the
`loopcheck` command keeps it off for its whole process (`loopcheck.entry`): what the run leaves
is reclaimed after each round, untimed, as the command leaves it to the process's end.

`--processes` also times whole processes, as a user runs them: `python -m loopcheck check
--no-cache --jobs 1 PATH ...` against a Python process that imports libcst and parses the same
files (start-up and imports counted for both). The command finds each file's project root itself:
give paths that are their own project (a `.git`, `pyproject.toml` or `setup.py` at the top).
"""
from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time

import libcst as cst

from loopcheck.engine import discover, lint_paths
from loopcheck.source import UnreadableFile, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["fixtures"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--root", default=None, help="project root (default: found from each file)")
    parser.add_argument("--processes", action="store_true", help="also time whole processes (see above)")
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 6000))

    files, _ = discover(args.paths)
    sources = []
    for path in files:
        try:
            sources.append(load(path).text)
        except UnreadableFile:
            continue
    lines = sum(source.count("\n") for source in sources)

    best_parse = best_lint = float("inf")
    findings = 0
    for _ in range(args.rounds):
        gc.disable()  # as the command does: the cycle collector would walk the trees again and again
        started = time.perf_counter()
        for source in sources:
            try:
                cst.parse_module(source)
            except Exception:  # a file libcst rejects costs what it costs; the engine reports it
                pass
        best_parse = min(best_parse, time.perf_counter() - started)
        gc.collect()
        started = time.perf_counter()
        result = lint_paths(args.paths, root=args.root)
        best_lint = min(best_lint, time.perf_counter() - started)
        findings = len(result.findings)
        del result
        gc.enable()
        gc.collect()  # (what the run left, untimed: the command leaves it to the process's end)

    print(f"{len(sources)} files, {lines} lines, {findings} findings (best of {args.rounds} rounds)")
    print(f"bare libcst parse: {best_parse:.2f} s   loopcheck: {best_lint:.2f} s   ratio: {best_lint / best_parse:.2f}x")
    print(f"{len(sources) / best_lint:.0f} files/s, {lines / best_lint:.0f} lines/s")
    if args.processes:
        _processes(args.paths, files, args.rounds)


_BARE_PARSE = """
import gc, sys
import libcst
gc.disable()
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as handle:
            libcst.parse_module(handle.read())
    except Exception:
        pass
"""


def _processes(paths: list[str], files: list[str], rounds: int) -> None:
    """Whole processes, best of `rounds` each: the command against a bare parse in a process."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-m", "loopcheck", "check", "--no-cache", "--jobs", "1", *paths]
    bare = [sys.executable, "-c", _BARE_PARSE, *[f for f in files if f.endswith(".py")]]
    best_command = best_bare = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(bare, env=env, capture_output=True, check=True)
        best_bare = min(best_bare, time.perf_counter() - started)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True)
        best_command = min(best_command, time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise SystemExit(f"loopcheck exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
    print(
        f"processes: bare parse {best_bare:.2f} s   `loopcheck check --no-cache --jobs 1` {best_command:.2f} s"
        f"   ratio: {best_command / best_bare:.2f}x"
    )


if __name__ == "__main__":
    main()
