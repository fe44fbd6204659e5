"""How the static analyzer's time grows: with the size of one file, and with the number of files.

Usage: python bench/scaling.py [--full] [--rounds N]

Generates (in a temporary folder) Python files of small training units — a model class, a
training function whose parameters are used as receivers (`optimizer.step()`), an evaluation
function, some with bugs so that findings are reported — and times, in this one process, a bare
`libcst.parse_module` of each file and `loopcheck.engine.lint_paths` over it. Prints one table
against lines (1k, 5k, 10k, 20k lines; 50k with --full), one against the number of files of a
project that imports a shared helper module, and for each the fitted exponent of loopcheck's time
(the slope of log time against log size: 1.0 is linear, 2.0 quadratic). No figure is asserted.
"""
from __future__ import annotations

import argparse
import gc
import math
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

import libcst as cst

from loopcheck.engine import lint_paths

UNIT = '''\


class Net{n}(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Dropout(0.1))
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        return self.head(self.body(x))


def train_{n}(model, loader, optimizer, scheduler, criterion, epochs={n}):
    model.train()
    for epoch in range(epochs):
        for x, y in loader:
            {reset}
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        scheduler.step()
    return model


def evaluate_{n}(model, loader, criterion):
    {mode}
    total = 0.0
    with torch.no_grad():
        for x, y in loader:
            total += criterion(model(x), y).item()
    return total / len(loader)


def run_{n}(loader, width=8):
    model = Net{n}(width)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
    criterion = nn.MSELoss()
    train_{n}(model, loader, optimizer, scheduler, criterion)
    return evaluate_{n}(model, loader, criterion)
'''
HEADER = "import torch\nfrom torch import nn\n"
HELPER = '''\
import torch


def fit(model, loader, optimizer, criterion):
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
'''


def unit(n: int) -> str:
    """One training unit; every seventh forgets zero_grad (LC001), every fifth eval() (LC006)."""
    reset = "pass" if n % 7 == 3 else "optimizer.zero_grad()"
    mode = "pass" if n % 5 == 2 else "model.eval()"
    return UNIT.format(n=n, reset=reset, mode=mode)


def training_file(lines: int) -> str:
    parts, total, n = [HEADER], HEADER.count("\n"), 0
    while total < lines:
        text = unit(n)
        parts.append(text)
        total += text.count("\n")
        n += 1
    return "".join(parts)


def project_file(index: int, units: int) -> str:
    body = "".join(unit(index * units + n) for n in range(units))
    return f"{HEADER}from helpers import fit\n{body}\n\ndef main_{index}(loader):\n    model = Net{index * units}(8)\n" \
        f"    fit(model, loader, torch.optim.Adam(model.parameters()), nn.MSELoss())\n"


def timed(action: Callable[[], object], rounds: int) -> tuple[float, object]:
    """Best time of `rounds` runs, each from a collected heap with the cycle collector off: the
    engine turns it off for its run, and the bare parse should not pay for it either."""
    best, value = math.inf, None
    for _ in range(rounds):
        value = None
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            value = action()
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best, value


def parse_all(sources: Sequence[str]) -> None:
    for source in sources:
        cst.parse_module(source)


def slope(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Least-squares slope of log(seconds) against log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in seconds]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)


def against_lines(root: Path, sizes: Sequence[int], rounds: int) -> None:
    print("one file of N lines")
    print(f"{'lines':>8} {'parse s':>9} {'loopcheck s':>12} {'ratio':>7} {'findings':>9} {'errors':>7}")
    measured: list[tuple[int, float, float]] = []
    for size in sizes:
        folder = root / f"lines_{size}"
        folder.mkdir()
        source = training_file(size)
        path = folder / "train.py"
        path.write_text(source, encoding="utf-8")
        lines = source.count("\n")
        parse_s, _ = timed(lambda: cst.parse_module(source), rounds)
        lint_s, result = timed(lambda: lint_paths([str(path)], root=str(folder)), rounds)
        measured.append((lines, parse_s, lint_s))
        print(f"{lines:>8} {parse_s:>9.2f} {lint_s:>12.2f} {lint_s / parse_s:>6.2f}x "
              f"{len(result.findings):>9} {len(result.errors):>7}", flush=True)  # type: ignore[attr-defined]
    sizes_seen = [m[0] for m in measured]
    print(f"exponent (log-log slope) of time against lines: loopcheck {slope(sizes_seen, [m[2] for m in measured]):.2f}, "
          f"bare parse {slope(sizes_seen, [m[1] for m in measured]):.2f}")


def against_files(root: Path, counts: Sequence[int], rounds: int, units_per_file: int = 4) -> None:
    print(f"\na project of N files ({units_per_file} units each, all importing one helper module)")
    print(f"{'files':>8} {'lines':>8} {'parse s':>9} {'loopcheck s':>12} {'ratio':>7} {'findings':>9} {'errors':>7}")
    measured: list[tuple[int, float, float]] = []
    for count in counts:
        folder = root / f"files_{count}"
        folder.mkdir()
        (folder / "pyproject.toml").write_text("", encoding="utf-8")  # the project's root
        sources = [HELPER] + [project_file(index, units_per_file) for index in range(count)]
        (folder / "helpers.py").write_text(HELPER, encoding="utf-8")
        for index, source in enumerate(sources[1:]):
            (folder / f"train_{index:04d}.py").write_text(source, encoding="utf-8")
        lines = sum(source.count("\n") for source in sources)
        parse_s, _ = timed(lambda: parse_all(sources), rounds)
        lint_s, result = timed(lambda: lint_paths([str(folder)], root=str(folder)), rounds)
        measured.append((count, parse_s, lint_s))
        print(f"{count:>8} {lines:>8} {parse_s:>9.2f} {lint_s:>12.2f} {lint_s / parse_s:>6.2f}x "
              f"{len(result.findings):>9} {len(result.errors):>7}", flush=True)  # type: ignore[attr-defined]
    print(f"exponent (log-log slope) of time against files: loopcheck {slope([m[0] for m in measured], [m[2] for m in measured]):.2f}, "
          f"bare parse {slope([m[0] for m in measured], [m[1] for m in measured]):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="add a 50,000-line file and a 400-file project")
    parser.add_argument("--rounds", type=int, default=1, help="best of this many runs per size (default 1)")
    args = parser.parse_args()
    line_sizes = [1_000, 5_000, 10_000, 20_000] + ([50_000] if args.full else [])
    file_counts = [10, 25, 50, 100] + ([400] if args.full else [])
    with tempfile.TemporaryDirectory(prefix="loopcheck-scaling-") as folder:
        warm_up = Path(folder, "warm_up.py")
        warm_up.write_text(training_file(200), encoding="utf-8")
        lint_paths([str(warm_up)], root=folder)  # imports and first-call costs are not scaling
        against_lines(Path(folder), line_sizes, args.rounds)
        against_files(Path(folder), file_counts, args.rounds)


if __name__ == "__main__":
    main()
