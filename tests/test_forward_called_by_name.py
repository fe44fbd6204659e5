"""`model.forward(x)` is the model's forward whatever its body reads (issue 7, survey project: a
LightGCN notebook whose `forward` propagates embedding tables over the graph without calling a
submodule, evaluated by `evaluation(model, ...)` under `no_grad` inside the training loop and once
more, without it, on the test edges: LC007 was silent, as a method that runs no submodule was
taken for one that computes nothing). The finding's related location is the call that enters the
pass with grad enabled, not the one under `no_grad`."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

SCRIPT = """\
import torch
from torch import nn
from torch_geometric.nn.conv import MessagePassing


class LightGCN(MessagePassing):
    def __init__(self, n):
        super().__init__()
        self.emb = nn.Embedding(n, 8)

    def forward(self, edge_index):
        return self.emb.weight, self.emb.weight


def evaluation(model, edge_index, k):
    users_emb_final, items_emb_final = model.forward(edge_index)
    loss = (users_emb_final * items_emb_final).sum().item()
    return loss


model = LightGCN(10)
optimizer = torch.optim.Adam(model.parameters())
for it in range(100):
    u, i = model.forward(train_edge_index)
    train_loss = (u * i).sum()
    optimizer.zero_grad()
    train_loss.backward()
    optimizer.step()
    if it % 10 == 0:
        model.eval()
        with torch.no_grad():
            val_loss = evaluation(model, val_edge_index, 5)
        model.train()

model.eval()
test_loss = evaluation(model, test_edge_index, 5)
print(test_loss)
"""


def _findings(tmp_path: Path, script: str) -> list[tuple[str, int, tuple[int, ...]]]:
    found = lint_project(tmp_path, {"lightgcn.py": script})
    return [(f.code, f.line, tuple(r.line for r in f.related)) for f in found]


def test_forward_called_by_name_after_training_is_reported_where_grad_is_on(tmp_path: Path) -> None:
    assert _findings(tmp_path, SCRIPT) == [("LC007", 16, (36,))]


def test_the_test_call_under_no_grad_is_clean(tmp_path: Path) -> None:
    script = SCRIPT.replace(
        "test_loss = evaluation(model, test_edge_index, 5)",
        "with torch.no_grad():\n    test_loss = evaluation(model, test_edge_index, 5)",
    )
    assert _findings(tmp_path, script) == []
