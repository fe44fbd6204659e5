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


def test_parameters_and_rng_on_cuda_are_bitwise_equal_with_and_without_instrumentation() -> None:
    """Watching a CUDA run changes nothing: parameters, optimizer state and both random
    generators after N steps are bitwise those of the unwatched run (dropout draws from the CUDA
    generator, so a stray draw by the instrumentation would show)."""
    from loopcheck.runtime import verify_loop

    def train(model: torch.nn.Module, optimizer: torch.optim.Optimizer, steps: int) -> None:
        generator = torch.Generator(device="cuda").manual_seed(5)
        for step in range(steps):
            x = torch.randn(32, 64, device="cuda", generator=generator)
            y = torch.randn(32, 1, device="cuda", generator=generator)
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()

    results = []
    for verified in (False, True):
        torch.manual_seed(3)
        model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Dropout(0.3),
                                    torch.nn.Linear(128, 1)).cuda()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        if verified:
            verify_loop(steps=10, static=False, fail_on="never")(train)(model, optimizer, 10**6)
        else:
            train(model, optimizer, 10)
        torch.cuda.synchronize()
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        moments = [t.detach().clone() for s in optimizer.state.values() for t in s.values()
                   if isinstance(t, torch.Tensor)]
        results.append((state, moments, torch.get_rng_state(), torch.cuda.get_rng_state()))
    (plain, plain_moments, plain_cpu, plain_cuda), (watched, watched_moments, watched_cpu, watched_cuda) = results
    assert plain.keys() == watched.keys()
    for name in plain:
        assert torch.equal(plain[name], watched[name]), name
    assert len(plain_moments) == len(watched_moments) > 0
    assert all(torch.equal(a, b) for a, b in zip(plain_moments, watched_moments))
    assert torch.equal(plain_cpu, watched_cpu)
    assert torch.equal(plain_cuda, watched_cuda)


def test_a_summed_loss_tensor_on_cuda_keeps_graph_nodes_not_device_memory() -> None:
    """`total += loss` chains every step's graph (the nodes grow) while backward already freed
    the saved tensors: the device memory read after each step stays nearly flat, which is why
    the verdict counts nodes and saved bytes rather than reading the device alone."""
    from loopcheck.runtime import verify_loop

    @verify_loop(steps=10, static=False, fail_on="never")
    def train() -> None:
        model = torch.nn.Linear(512, 512).cuda()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        total = 0
        for _ in range(40):
            optimizer.zero_grad()
            loss = model(torch.randn(128, 512, device="cuda")).pow(2).mean()
            loss.backward()
            optimizer.step()
            total += loss  # keeps every step's graph alive

    train()
    report = train.last_report
    assert report.device == "cuda"
    assert len(report.device_memory) == report.steps == 10
    nodes = report.retained_nodes
    assert list(nodes) == sorted(nodes) and nodes[-1] > 5 * nodes[0]
    assert 0 <= report.device_memory[-1] - report.device_memory[0] < 2**20
