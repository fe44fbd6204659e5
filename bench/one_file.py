"""One file, as pre-commit or an editor runs loopcheck: the command against the `import libcst` +
parse floor.

Usage: python bench/one_file.py [--rounds N] [FILE ...]   (default: fixtures/mnist_cnn_clean.py)

For each file, best of N wall-clock runs of fresh processes (no bytecode writing turned off:
`PYTHONDONTWRITEBYTECODE` is removed so imports come from `__pycache__` as for a user):
- floor: `python -c "import libcst; libcst.parse_module(open(FILE).read())"`;
- `python -m loopcheck check --no-cache FILE` (a cold run);
- `python -m loopcheck check FILE` twice in a row in a fresh cache folder, the second timed (warm);
and the ratio of each to the floor. Run from the repository root. No figure is asserted.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best(command: list[str], rounds: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=["fixtures/mnist_cnn_clean.py"])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    python = sys.executable
    print(f"python -c pass: {best([python, '-c', 'pass'], args.rounds, env):.3f} s")
    for file in args.files:
        lines = Path(ROOT, file).read_text(encoding="utf-8").count("\n")
        floor = best([python, "-c", f"import libcst; libcst.parse_module(open({file!r}).read())"], args.rounds, env)
        cold = best([python, "-m", "loopcheck", "check", "--no-cache", file], args.rounds, env)
        with tempfile.TemporaryDirectory() as cache:
            warm_env = {**env, "LOOPCHECK_CACHE_DIR": cache}
            subprocess.run([python, "-m", "loopcheck", "check", file], capture_output=True, env=warm_env, cwd=ROOT)
            warm = best([python, "-m", "loopcheck", "check", file], args.rounds, warm_env)
        print(
            f"{file} ({lines} lines): floor {floor:.3f} s; loopcheck --no-cache {cold:.3f} s ({cold / floor:.2f}x); "
            f"cached {warm:.3f} s ({warm / floor:.2f}x)"
        )


if __name__ == "__main__":
    main()
