"""The result cache: a cold run, a warm run over the unchanged tree, and a run after one file changed.

Usage: python bench/cache.py [--rounds N] [--jobs J] [--cwd DIR] PATH [PATH ...]

Runs the `loopcheck` command (a subprocess, as a user would, `--format json --jobs J`, default 1)
with a fresh cache folder (LOOPCHECK_CACHE_DIR): the cold run fills it; then the best of N warm
runs; then, for the file with the most findings, a comment appended (a changed helper: the files
whose results used it are analysed again, the others are served) and one run timed. Checks that
every output equals the `--no-cache` one. Prints the times and the warm/cold ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(paths: list[str], jobs: int, cwd: str | None, env: dict[str, str], *extra: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "loopcheck", "check", "--format", "json", "--jobs", str(jobs), *extra, *paths],
        capture_output=True, cwd=cwd, env=env,
    )
    return time.perf_counter() - started, done.stdout + b"\n--stderr--\n" + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cwd", default=None)
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as cache:
        env = {**base, "LOOPCHECK_CACHE_DIR": cache}
        uncached, reference = run(args.paths, args.jobs, args.cwd, env, "--no-cache")
        cold, output = run(args.paths, args.jobs, args.cwd, env)
        assert output == reference, "the cold run differs from --no-cache"
        warm = float("inf")
        for _ in range(args.rounds):
            elapsed, output = run(args.paths, args.jobs, args.cwd, env)
            assert output == reference, "a warm run differs from --no-cache"
            warm = min(warm, elapsed)
        findings = json.loads(reference.split(b"\n--stderr--\n")[0] or b"{}")
        items = findings.get("findings", findings) if isinstance(findings, dict) else findings
        counts = Counter(item["path"] for item in items if isinstance(item, dict) and "path" in item)
        print(f"--no-cache {uncached:.2f} s; cold (filling the cache) {cold:.2f} s; warm {warm:.2f} s "
              f"({warm / uncached:.0%} of --no-cache)")
        if counts:
            changed = Path(args.cwd or ".", counts.most_common(1)[0][0])
            original = changed.read_bytes()
            try:
                changed.write_bytes(original + b"\n# changed\n")
                _, expected = run(args.paths, args.jobs, args.cwd, env, "--no-cache")
                after, output = run(args.paths, args.jobs, args.cwd, env)
                assert output == expected, "the run after a change differs from --no-cache"
                print(f"after changing {changed}: {after:.2f} s")
            finally:
                changed.write_bytes(original)


if __name__ == "__main__":
    main()
