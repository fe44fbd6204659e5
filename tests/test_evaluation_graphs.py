"""What an evaluation pass with grad on keeps (issue 7, check halves #268-#271 and the misses of
earlier halves): a forward that records a graph nothing uses (what LC007 reports) returns a value
carrying that graph, whether or not the file trains the model; a loop that keeps those values
(`y_pred.append(model(images))`, `total += criterion(out, y)`) keeps every batch's graph (LC009).
A pass that records no graph (under `no_grad` in a caller, a frozen model, an attack that wants
its input's gradient) keeps none."""
from __future__ import annotations

import textwrap
from pathlib import Path

from loopcheck.engine import lint_paths, lint_source

METRICS = """
import torch


def report(model, testloader):
    y_true = []
    y_pred = []
    for images, labels in testloader:
        y_true.append(labels)
        y_pred.append(model(images))
    y_pred = torch.cat(y_pred).argmax(dim=1)
    return (torch.cat(y_true) == y_pred).float().mean().item()


def mean_loss(model, criterion, testloader):
    total = 0
    for images, labels in testloader:
        out = model(images)
        total += criterion(out, labels)
    return total / len(testloader)
"""

EVALUATE = """
import torch
import torch.nn as nn
from torchvision.models import resnet18

from metrics import mean_loss, report


def main(loader):
    model = resnet18()
    model.load_state_dict(torch.load("model.pt"))
    model.eval()
    {call}


if __name__ == "__main__":
    main(None)
"""


def _project(tmp_path: Path, call: str) -> list[tuple[str, int, str]]:
    (tmp_path / "metrics.py").write_text(textwrap.dedent(METRICS))
    (tmp_path / "evaluate.py").write_text(textwrap.dedent(EVALUATE).replace("{call}", call))
    result = lint_paths([str(tmp_path)], root=str(tmp_path))
    assert result.errors == []
    return sorted((Path(f.path).name, f.line, f.code) for f in result.findings)


def test_outputs_kept_by_a_pass_with_grad_on_keep_its_graph(tmp_path: Path) -> None:
    found = _project(tmp_path, "print(report(model, loader), mean_loss(model, nn.CrossEntropyLoss(), loader))")
    assert ("metrics.py", 10, "LC009") in found  # y_pred.append(model(images))
    assert ("metrics.py", 19, "LC009") in found  # total += criterion(out, labels)
    assert ("metrics.py", 10, "LC007") in found and ("metrics.py", 18, "LC007") in found
    assert ("metrics.py", 9, "LC009") not in found  # the labels carry no graph


def test_a_pass_entered_under_no_grad_keeps_no_graph(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        "with torch.no_grad():\n        print(report(model, loader), mean_loss(model, nn.CrossEntropyLoss(), loader))",
    )
    assert [f for f in found if f[2] in ("LC007", "LC009")] == []


def test_a_frozen_model_records_no_graph(tmp_path: Path) -> None:
    found = _project(tmp_path, "model.requires_grad_(False)\n    print(report(model, loader))")
    assert [f for f in found if f[2] in ("LC007", "LC009")] == []


def test_a_single_file_with_a_pass_and_no_training_keeps_the_graphs() -> None:
    source = EVALUATE.replace("from metrics import mean_loss, report\n", METRICS.replace("import torch\n", "", 1))
    source = source.replace("{call}", "print(report(model, loader))") + "\nmain(None)\n"
    found, errors = lint_source(textwrap.dedent(source), "evaluate.py")
    assert errors == []
    kept = [f for f in found if f.code == "LC009"]
    appended = textwrap.dedent(source).splitlines().index("        y_pred.append(model(images))") + 1
    assert [f.line for f in kept] == [appended]  # mean_loss is never called


def test_a_pass_that_wants_its_inputs_gradient_keeps_nothing_to_report() -> None:
    source = """
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    model.load_state_dict(torch.load("model.pt"))
    model.eval()
    saliency = []
    for x, y in loader:
        x.requires_grad_()
        out = model(x)
        nn.functional.cross_entropy(out, y).backward()
        saliency.append(x.grad.abs())
    """
    found, errors = lint_source(textwrap.dedent(source), "saliency.py")
    assert errors == []
    assert [f.code for f in found if f.code in ("LC007", "LC009")] == []


def test_a_sum_over_the_data_a_caller_backwards_is_one_loss() -> None:
    source = """
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    optimizer = torch.optim.LBFGS(model.parameters())
    criterion = nn.CrossEntropyLoss()


    def full_batch_loss(loader):
        total = 0
        for x, y in loader:
            total += criterion(model(x), y)
        return total


    def closure():
        optimizer.zero_grad()
        loss = full_batch_loss(train_loader)
        loss.backward()
        return loss


    for epoch in range(10):
        optimizer.step(closure)
        print(full_batch_loss(val_loader).item())
    """
    found, errors = lint_source(textwrap.dedent(source), "lbfgs.py")
    assert errors == []
    assert [f.code for f in found if f.code == "LC009"] == []
