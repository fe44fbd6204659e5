"""Fuzz the static path longer than the test suite does (tests/test_fuzz.py runs about 2,000 inputs).

Usage: python bench/fuzz.py [--count N] [--start SEED] [--heavy] [--generated M] [--jobs J]

Writes N seeded mutations of the fixtures (tests/fuzzing.py; `--heavy` adds long lines of up to
330,000 tokens, tens of seconds of libcst parsing each) into a temporary project with one known
buggy file, checks them with `lint_paths` in batches of 500, then checks M hypothesmith programs
one by one. Reports every input that raised, hit the per-file time limit, ended in an internal
error or lost the buggy file's finding, with its seed, and the slowest inputs. Exit status 1 if
any did.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tests.fuzzing as fuzzing  # noqa: E402
from loopcheck.engine import lint_file, lint_paths  # noqa: E402
from loopcheck.project import Project  # noqa: E402

BUGGY = Path(__file__).resolve().parent.parent / "fixtures" / "mnist_cnn_missing_zero_grad.py"


def bad(reason: str) -> bool:
    """A failure: a crash, or a time-out of an ordinary input (with --heavy, a time-out of a line of
    330,000 tokens is the limit doing its work: it is counted, not failed)."""
    timed_out = "took longer than" in reason and not fuzzing.HEAVY
    return reason.startswith("internal error") or timed_out or "\n" in reason


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=100_000, help="first seed (the test suite uses 0-1,899 and 10,000-10,149)")
    parser.add_argument("--heavy", action="store_true")
    parser.add_argument("--generated", type=int, default=200, help="hypothesmith programs")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    fuzzing.HEAVY = args.heavy
    os.environ.setdefault("LOOPCHECK_FILE_TIMEOUT", "120")
    originals = fuzzing.sources()
    failures: list[str] = []
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    for first in range(args.start, args.start + args.count, 500):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "pyproject.toml").write_text("", encoding="utf-8")
            seeds = range(first, min(first + 500, args.start + args.count))
            for seed in seeds:
                name, data = fuzzing.mutate(seed, originals)
                (root / f"m{seed:07d}_{name}").write_bytes(data)
            shutil.copy(BUGGY, root / "zz_buggy.py")
            try:
                result = lint_paths([folder], jobs=args.jobs)
            except BaseException:
                failures.append(f"seeds {seeds.start}-{seeds.stop - 1}: raised\n{traceback.format_exc()}")
                continue
            for error in result.errors:
                outcomes[error.reason.split(":")[0][:40]] += 1
                if bad(error.reason):
                    failures.append(f"{Path(error.path).name}: {error.reason}")
            outcomes["checked"] += result.files_checked
            if not any(f.path.endswith("zz_buggy.py") for f in result.findings):
                failures.append(f"seeds {seeds.start}-{seeds.stop - 1}: the buggy file's finding was lost")
        print(f"  {seeds.stop - args.start} mutations, {time.perf_counter() - started:.0f} s", flush=True)
    if args.generated:
        import hypothesmith
        from hypothesis import HealthCheck, given, settings

        slowest: list[tuple[float, str]] = []

        @settings(max_examples=args.generated, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(hypothesmith.from_grammar())
        def generated(source: str) -> None:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder, "generated.py")
                path.write_text(source, encoding="utf-8")
                begun = time.perf_counter()
                try:
                    result = lint_file(str(path), project=Project(Path(folder)))
                except BaseException:
                    failures.append(f"generated program raised:\n{source[:500]}\n{traceback.format_exc()}")
                    return
                slowest.append((time.perf_counter() - begun, source[:80]))
                outcomes["generated"] += 1
                failures.extend(f"generated: {e.reason}\n{source[:500]}" for e in result.errors if bad(e.reason))

        generated()
        slowest.sort(reverse=True)
        print("slowest generated programs:", [f"{t:.2f} s" for t, _ in slowest[:3]])
    print(f"{time.perf_counter() - started:.0f} s; outcomes: {dict(outcomes.most_common(8))}")
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
