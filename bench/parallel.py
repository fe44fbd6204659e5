"""`--jobs N` against `--jobs 1` on a tree: wall clock of each, and that their outputs are identical.

Usage: python bench/parallel.py [--jobs N ...] [--rounds R] [--cwd DIR | --as-projects] PATH [PATH ...]

Runs the `loopcheck` command (a subprocess, as a user would, with `--no-cache --format json`) over
the paths with each number of jobs (default: 1 and the CPUs available), best of R rounds, and
checks that every output is byte-identical to the `--jobs 1` one. Prints one line per job count
with its time and its speed-up. No figure is asserted.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from loopcheck.parallel import available_cpus  # noqa: E402


def run(paths: list[str], jobs: int, cwd: str | None) -> tuple[float, bytes, int]:
    started = time.perf_counter()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "loopcheck", "check", "--no-cache", "--format", "json", "--jobs", str(jobs), *paths],
        capture_output=True, cwd=cwd, env=environment,
    )
    return time.perf_counter() - started, done.stdout + b"\n--stderr--\n" + done.stderr, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--jobs", type=int, action="append", default=None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cwd", default=None, help="run from this folder (paths relative to it; it bounds the project root)")
    parser.add_argument(
        "--as-projects", action="store_true",
        help="copy each PATH into a temporary folder as a project of its own (a pyproject.toml marks its root) and check them all",
    )
    args = parser.parse_args()
    if args.as_projects:
        import shutil
        import tempfile

        folder = tempfile.mkdtemp(prefix="loopcheck-parallel-")
        for path in args.paths:
            target = os.path.join(folder, os.path.basename(os.path.normpath(path)))
            shutil.copytree(path, target, symlinks=True)
            open(os.path.join(target, "pyproject.toml"), "a").close()
        args.paths, args.cwd = ["."], folder
    counts = sorted(set(args.jobs or [1, available_cpus()]) | {1})
    print(f"{available_cpus()} CPUs available; paths: {' '.join(args.paths)}")
    reference = None
    single = None
    for jobs in counts:
        best = float("inf")
        for _ in range(args.rounds):
            elapsed, output, code = run(args.paths, jobs, args.cwd)
            best = min(best, elapsed)
            if reference is None:
                reference = output
            elif output != reference:
                print(f"--jobs {jobs}: OUTPUT DIFFERS from --jobs 1")
                sys.exit(1)
        single = single or best
        print(f"--jobs {jobs}: {best:.2f} s  (exit {code}, speed-up {single / best:.2f}x, output identical)")


if __name__ == "__main__":
    main()
