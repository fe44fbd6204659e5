"""Runs every fixture under `loopcheck verify` on CPU and on CUDA, and checks the CUDA path.

Run: python bench/cuda_check.py [--only NAME ...] [--steps 50]

For each top-level fixture (fixtures/*.py) it runs `verify_script` twice in this process: once
as is on CPU, once with CUDA as the default device (`with torch.device("cuda")`, so the scripts'
tensors and models are created on the GPU without editing them; a script that pins its own
device, `torch.device("cpu")`, is run on CPU only and reported as CPU-PINNED). It checks:

- the verdicts are the same on CUDA as on CPU (code, line, verdict of every finding, runtime-only
  discoveries included; the evidence's numbers may differ);
- the run's device is "cuda", `run.device_memory` (torch.cuda.memory_allocated after each step)
  has one value per optimizer step, and `run.peak_device_memory`
  (torch.cuda.max_memory_allocated) is at least the largest of them;
- for the fixtures whose LC009 (a loss tensor kept across iterations) is confirmed, the memory
  after the last step is no lower than after the first (the kept graphs hold device memory).

Prints one line per fixture and a summary; exit 0 when every check held, 1 otherwise, 0 with
"SKIPPED" when there is no CUDA device. Meant to finish in well under 3 minutes on one GPU.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

DEVICE = ["cuda"]  # --device cpu: a dry run of this harness where there is no GPU
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
sys.path.insert(0, str(ROOT))


@contextlib.contextmanager
def cuda_default_device() -> Iterator[None]:
    """Factory calls without a device create CUDA tensors; a CPU torch.Generator handed to
    torch.randperm (DataLoader's RandomSampler does that) keeps randperm on the generator's
    device, since CUDA randperm refuses a CPU generator."""
    import torch

    original = torch.randperm

    def randperm(*args, **kwargs):  # type: ignore[no-untyped-def]
        generator = kwargs.get("generator")
        if generator is not None and kwargs.get("device") is None:
            kwargs["device"] = generator.device
        return original(*args, **kwargs)

    torch.randperm = randperm  # type: ignore[assignment]
    try:
        with torch.device(DEVICE[0]):
            yield
    finally:
        torch.randperm = original  # type: ignore[assignment]


_STATIC: dict[tuple, object] = {}


def _static_once() -> None:
    """The static findings of a fixture are the same for both runs: computed once."""
    from loopcheck.runtime import script

    if getattr(script.static_result, "cached", False):
        return
    original = script.static_result

    def cached(path, select=(), ignore=(), usage_errors=False):  # type: ignore[no-untyped-def]
        key = (os.path.realpath(path), tuple(select), tuple(ignore))
        if key not in _STATIC:
            _STATIC[key] = original(path, select, ignore, usage_errors)
        return _STATIC[key]

    cached.cached = True  # type: ignore[attr-defined]
    script.static_result = cached  # type: ignore[assignment]


def run_fixture(path: Path, steps: int, on_cuda: bool) -> tuple[dict, float]:
    """The JSON report of `loopcheck verify` on one fixture, and the seconds it took."""
    import torch

    from loopcheck.runtime.script import verify_script

    _static_once()

    out = io.StringIO()
    relative = str(path.relative_to(ROOT))
    started = time.perf_counter()
    context = cuda_default_device() if on_cuda else contextlib.nullcontext()
    with context, contextlib.redirect_stderr(io.StringIO()):
        verify_script(relative, [], steps=steps, fmt="json", out=out)
    if on_cuda and DEVICE[0] == "cuda":
        torch.cuda.synchronize()
    return json.loads(out.getvalue()), time.perf_counter() - started


def verdicts(report: dict) -> list[tuple[str, int | None, str, str]]:
    return sorted(
        (f["code"], f["line"], f["verdict"]["status"], f["verdict"]["source"]) for f in report["findings"]
    )


def check_fixture(path: Path, steps: int = 50) -> tuple[list[str], dict, dict | None]:
    """Problems found (empty when all checks held), and the CPU and CUDA reports (None for a
    script that pins `torch.device("cpu")` itself: it is not run on CUDA)."""
    cpu, _ = run_fixture(path, steps, on_cuda=False)
    if DEVICE[0] == "cuda" and pinned_to_cpu(path):
        return [], cpu, None  # the script puts its model on the CPU itself: nothing to run on CUDA
    cuda, _ = run_fixture(path, steps, on_cuda=True)
    problems: list[str] = []
    for report, where in ((cpu, "cpu"), (cuda, "cuda")):
        if report["run"]["error"] is not None:
            problems.append(f"the script failed on {where}: {report['run']['error']}")
    if verdicts(cpu) != verdicts(cuda):
        problems.append(f"verdicts differ: cpu {verdicts(cpu)} / cuda {verdicts(cuda)}")
    run = cuda["run"]
    if DEVICE[0] != "cuda":
        return problems, cpu, cuda  # a dry run of the harness on another device
    if run["device"] != "cuda":
        if run["steps"] and not pinned_to_cpu(path):
            problems.append(f"ran on {run['device']}, not cuda")
        return problems, cpu, cuda
    memory = run["device_memory"]
    if len(memory) != run["steps"]:
        problems.append(f"{len(memory)} device-memory readings for {run['steps']} steps")
    peak = run["peak_device_memory"]
    if memory and (peak is None or peak < max(memory)):
        problems.append(f"peak device memory {peak} below the largest reading {max(memory)}")
    leaks = [f for f in cuda["findings"] if f["code"] == "LC009" and f["verdict"]["status"] == "confirmed"]
    if leaks and len(memory) >= 2 and memory[-1] < memory[0]:
        problems.append(f"LC009 confirmed but device memory fell: {memory[0]} → {memory[-1]}")
    return problems, cpu, cuda


def pinned_to_cpu(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return 'torch.device("cpu")' in text or "torch.device('cpu')" in text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="fixture file names to run")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--device", default="cuda", help="cpu: dry-run the harness without a GPU")
    args = parser.parse_args()
    DEVICE[0] = args.device
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("SKIPPED: no CUDA device (torch.cuda.is_available() is False); nothing was checked")
        return 0
    os.chdir(ROOT)
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else f"dry run on {args.device}"
    print(f"torch {torch.__version__}, {name}")
    fixtures = sorted(FIXTURES.glob("*.py"))
    if args.only:
        fixtures = [f for f in fixtures if f.name in args.only]
    started = time.perf_counter()
    failed = 0
    for path in fixtures:
        began = time.perf_counter()
        try:
            problems, _, cuda = check_fixture(path, args.steps)
        except Exception as error:  # one broken run must not hide the others
            problems, cuda = [f"crashed: {type(error).__name__}: {error}"], None
        seconds = time.perf_counter() - began
        if cuda is None and not problems:
            status = "CPU-PINNED"  # the script chooses torch.device("cpu") itself: CPU run only
        else:
            status = "ok" if not problems else "FAIL"
        failed += bool(problems)
        detail = ""
        if cuda is not None:
            run = cuda["run"]
            memory = run["device_memory"]
            span = f"{memory[0]}→{memory[-1]} B" if memory else "-"
            detail = (f"{run['device']:<4} {run['steps']:>3} steps, memory {span}, peak {run['peak_device_memory']}, "
                      f"confirmed {sorted(f['code'] for f in cuda['findings'] if f['verdict']['status'] == 'confirmed')}")
        print(f"{status:<10} {path.name:<48} {seconds:5.1f}s  {detail}")
        for problem in problems:
            print(f"           - {problem}")
    total = time.perf_counter() - started
    print(f"{len(fixtures)} fixtures, {failed} failed, {total:.0f} s in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
