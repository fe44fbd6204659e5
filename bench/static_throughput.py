"""Static analyzer throughput: the whole pipeline against a bare libcst parse of the same files.

Usage: python bench/static_throughput.py [--rounds N] [--root DIR] [PATH ...]   (default: fixtures/)

Each round times, in this one process, (1) `libcst.parse_module` of every file's source alone and
(2) `loopcheck.engine.lint_paths` over the same paths (one process, no cache: `--jobs 1
--no-cache`): reading, the CPython syntax check, the one
libcst parse per file, the project index, the loop models of every file and all rules. It prints
the best round of each and their ratio. Python's cycle collector is off for both, as loopcheck
turns it off for its run (with it on, the bare parse of a large tree is slower than loopcheck).
"""
from __future__ import annotations

import argparse
import gc
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
        gc.disable()  # as loopcheck does for its run: the cycle collector would walk the trees again and again
        started = time.perf_counter()
        for source in sources:
            try:
                cst.parse_module(source)
            except Exception:  # a file libcst rejects costs what it costs; the engine reports it
                pass
        best_parse = min(best_parse, time.perf_counter() - started)
        gc.enable()
        gc.collect()
        started = time.perf_counter()
        result = lint_paths(args.paths, root=args.root)
        best_lint = min(best_lint, time.perf_counter() - started)
        findings = len(result.findings)

    print(f"{len(sources)} files, {lines} lines, {findings} findings (best of {args.rounds} rounds)")
    print(f"bare libcst parse: {best_parse:.2f} s   loopcheck: {best_lint:.2f} s   ratio: {best_lint / best_parse:.2f}x")
    print(f"{len(sources) / best_lint:.0f} files/s, {lines / best_lint:.0f} lines/s")


if __name__ == "__main__":
    main()
