"""Static analyzer throughput: time to read+parse vs. build the loop model and run every rule.

Usage: python bench/static_throughput.py [PATH ...]   (default: fixtures/). Prints per-stage
seconds, files per second and the model+rules cost as a multiple of the parse.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import libcst as cst

from loopcheck.engine import discover, read_source
from loopcheck.model import LoopModel
from loopcheck.rules import ALL_RULES


def main(paths: list[str]) -> None:
    files, _ = discover(paths or ["fixtures"])
    sources = []
    for path in files:
        try:
            sources.append(read_source(path))
        except Exception:
            continue
    lines = sum(s.count("\n") for s in sources)
    best_parse = best_total = float("inf")
    findings = 0
    for _ in range(3):
        started = time.perf_counter()
        modules = [cst.parse_module(s) for s in sources]
        parsed = time.perf_counter()
        findings = 0
        for module in modules:
            model = LoopModel(module)
            for rule in ALL_RULES:
                for report in rule().check(model):
                    model.position(report.node)
                    findings += 1
        done = time.perf_counter()
        best_parse = min(best_parse, parsed - started)
        best_total = min(best_total, done - started)
    analysis = best_total - best_parse
    print(f"{len(sources)} files, {lines} lines, {findings} findings")
    print(f"parse: {best_parse:.3f} s   model+rules: {analysis:.3f} s   total: {best_total:.3f} s (best of 3)")
    print(f"{len(sources) / best_total:.0f} files/s, {lines / best_total:.0f} lines/s; model+rules = {analysis / best_parse:.2f}x the parse")


if __name__ == "__main__":
    main(sys.argv[1:])
