"""A call of a project model whose arguments cannot bind to its class's `forward` (`model(x,
edge_index, ids)` where `forward(self, x, edge_index, train_edge_id, adj, p=0.5)` requires `adj`)
raises TypeError before any layer runs: the test script that makes it evaluates nothing (issue 7,
survey project: three test scripts of a protein-interaction GNN, left behind when `forward` gained a
parameter, were reported by LC007). A call that binds, by position or keyword, is judged."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

SOURCE = """\
import torch


class GIN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x, edge_index, train_edge_id, adj, p=0.5):
        return self.fc(x)[train_edge_id]


def test(model, graphs, device):
    model.eval()
    for x, edge_index, ids, adj in graphs:
        output = CALL
        print(output.argmax(1))


def main():
    device = torch.device("cpu")
    model = GIN().to(device)
    model.load_state_dict(torch.load("gin.pt")["state_dict"])
    graphs = [(torch.randn(5, 4), None, torch.tensor([0, 1]), None)]
    test(model, graphs, device)


if __name__ == "__main__":
    main()
"""


def lc007(call: str) -> list[int]:
    return [f.line for f in lint_source(SOURCE.replace("CALL", call), "test.py")[0] if f.code == "LC007"]


@pytest.mark.parametrize("call", ["model(x, edge_index, ids)", "model(x, edge_index, ids, adj, 0.5, 1)", "model(x, edge_index, ids, adjacency=adj)"])
def test_a_call_that_cannot_bind_runs_no_pass(call: str) -> None:
    assert lc007(call) == []


@pytest.mark.parametrize("call", ["model(x, edge_index, ids, adj)", "model(x, edge_index, ids, adj=adj)"])
def test_a_call_that_binds_is_judged(call: str) -> None:
    assert lc007(call) == [16]


def test_a_name_an_option_binds_to_another_class_may_take_the_call() -> None:
    # (`netG = _netG(...)` or `_netG_CIFAR10(...)` by an option: the other class's forward binds)
    source = SOURCE.replace("CALL", "model(x, edge_index, ids)").replace(
        "    model = GIN().to(device)\n",
        "    if device.type == 'cuda':\n        model = Small().to(device)\n    else:\n        model = GIN().to(device)\n",
    ).replace(
        "def test(model, graphs, device):",
        "class Small(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = torch.nn.Linear(4, 2)\n\n"
        "    def forward(self, x, edge_index, ids):\n        return self.fc(x)[ids]\n\n\ndef test(model, graphs, device):",
    )
    assert [f.line for f in lint_source(source, "test.py")[0] if f.code == "LC007"] == [25]
