"""The runtime companion's CUDA path (device-memory evidence). Skipped where there is no GPU:
`python bench/cuda_check.py` is the full check (every fixture, CPU and CUDA verdicts compared)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"),
]

ROOT = Path(__file__).resolve().parent.parent


def cuda_check():
    spec = importlib.util.spec_from_file_location("cuda_check", ROOT / "bench" / "cuda_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_leak_on_cuda_is_seen_in_device_memory_after_each_step() -> None:
    from loopcheck.runtime import verify_loop

    @verify_loop(steps=12, static=False, fail_on="never")
    def train() -> None:
        model = torch.nn.Linear(256, 256).cuda()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        kept = []
        for _ in range(40):
            optimizer.zero_grad()
            out = model(torch.randn(64, 256, device="cuda"))
            loss = out.pow(2).mean()
            loss.backward()
            optimizer.step()
            kept.append(out)  # keeps each step's output (64×256 floats) and its graph alive

    train()
    report = train.last_report
    assert report.device == "cuda"
    assert len(report.device_memory) == report.steps == 12
    assert report.device_memory[-1] - report.device_memory[0] >= 11 * 64 * 256 * 4
    assert report.peak_memory is not None and report.peak_memory >= max(report.device_memory)
    assert report.to_dict()["run"]["device_memory"] == list(report.device_memory)


@pytest.mark.parametrize("name", ["total_loss_tensor_sum.py", "mnist_cnn_missing_zero_grad.py",
                                  "amp_clip_without_unscale.py", "gan_two_optimizers_clean.py"])
def test_fixtures_on_cuda_give_the_cpu_verdicts_with_memory_evidence(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    problems, cpu, cuda = cuda_check().check_fixture(ROOT / "fixtures" / name)
    assert problems == [], problems
    assert cuda["run"]["device"] == "cuda"
