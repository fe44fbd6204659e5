"""Time per training step with and without `@verify_loop`, on CPU, for a ~10M and a tiny model.

Run: python bench/runtime_overhead.py [--steps 20] [--rounds 5] [--threads 1] [--sizes 10m tiny]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

from loopcheck.runtime import verify_loop

WARMUP = 5
BATCH = 64

# (input width, hidden widths, classes): 1024-2048-2048-2048-10 is 10.5M parameters.
SIZES = {
    "10m": (1024, (2048, 2048, 2048), 10),
    "tiny": (32, (64, 64), 4),
}


def make(size: str) -> tuple[nn.Module, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    torch.manual_seed(0)
    width, hidden, classes = SIZES[size]
    layers: list[nn.Module] = []
    for out in hidden:
        layers += [nn.Linear(width, out), nn.BatchNorm1d(out), nn.ReLU(), nn.Dropout(0.1)]
        width = out
    layers.append(nn.Linear(width, classes))
    model = nn.Sequential(*layers)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.9)
    return model, optimizer, scheduler


def train(size: str, steps: int) -> list[tuple[float, float]]:
    """A plain training loop; returns (wall, process CPU) seconds of each step after warm-up."""
    model, optimizer, scheduler = make(size)
    width, _, classes = SIZES[size]
    inputs = torch.randn(8, BATCH, width)
    targets = torch.randint(0, classes, (8, BATCH))
    criterion = nn.CrossEntropyLoss()
    times = []
    running = 0.0
    for step in range(WARMUP + steps):
        start, cpu = time.perf_counter(), time.process_time()
        optimizer.zero_grad()
        loss = criterion(model(inputs[step % 8]), targets[step % 8])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        running += loss.item()
        if step >= WARMUP:
            times.append((time.perf_counter() - start, time.process_time() - cpu))
    return times


def timed(call: Callable[[], list[tuple[float, float]]]) -> tuple[float, float, float]:
    """Median wall and CPU seconds per step, and wall seconds of the whole call (set-up, report)."""
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        times = call()
    whole = time.perf_counter() - start
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times), whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads; 1 keeps CPU time steady on a shared machine")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {BATCH}, "
          f"{args.steps} timed steps after {WARMUP} warm-up, {args.rounds} interleaved rounds")
    # CPU time counts the work the process does; wall time also counts waiting for other
    # processes on the machine, so on a shared machine the CPU figure is the one to trust.
    for size in args.sizes:
        params = sum(p.numel() for p in make(size)[0].parameters())
        # The step budget is above the loop's length so that the function runs to its end.
        verified = verify_loop(steps=WARMUP + args.steps + 1, fail_on="never", static=False)(train)
        rows: dict[str, list[tuple[float, float, float]]] = {"plain": [], "watched": []}
        runs = {"plain": lambda: train(size, args.steps), "watched": lambda: verified(size, args.steps)}
        for round_ in range(args.rounds):
            # Back to back, so that a busy neighbour hits both sides; the order alternates
            # because the first of two runs pays for fresh memory pages.
            for name in ("plain", "watched") if round_ % 2 == 0 else ("watched", "plain"):
                rows[name].append(timed(runs[name]))
        wall = [statistics.median(r[0] for r in rows[k]) for k in ("plain", "watched")]
        cpu = [statistics.median(r[1] for r in rows[k]) for k in ("plain", "watched")]
        extra = statistics.median(r[2] for r in rows["watched"]) - statistics.median(r[2] for r in rows["plain"])
        print(
            f"{size:>5}: {params / 1e6:6.2f}M params  per step: CPU {cpu[0] * 1e3:7.2f} → "
            f"{cpu[1] * 1e3:7.2f} ms ({100 * (cpu[1] / cpu[0] - 1):+5.1f} %), wall "
            f"{wall[0] * 1e3:7.2f} → {wall[1] * 1e3:7.2f} ms ({100 * (wall[1] / wall[0] - 1):+5.1f} %); "
            f"whole call incl. set-up and report {extra * 1e3:+.0f} ms"
        )


if __name__ == "__main__":
    main()
