"""A forward given only made-up inputs checks that the model runs (issue 7, check half #268): its
inputs may come as keywords (`model(input_ids=ids, attention_mask=mask)`), drawn as random ids
(`torch.randint(...).long()`) or typed in and repeated (`torch.LongTensor([[1] * 512])`). No
evaluation pass, with or without keywords; the same forward on data is one, and so is a forward on
float noise, a generator's sample."""
from __future__ import annotations

import textwrap

import pytest

from loopcheck.engine import lint_source

SMOKE = """
import torch
from transformers import BertForSequenceClassification

if __name__ == "__main__":
    labels = ["billing", "delivery", "refund", "other"]
    model = BertForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=8)
    attention_mask = torch.LongTensor([[1] * 512])
    input_ids = torch.randint(100, 1000, size=(1, 512)).long()
    labels = torch.FloatTensor([[0, 0, 0, 1, 0, 0, 0, 0]])
    print({call})
"""


@pytest.mark.parametrize(
    "call",
    [
        "model(input_ids=input_ids, attention_mask=attention_mask, labels=labels)",
        "model(input_ids, attention_mask)",
    ],
)
def test_a_forward_on_made_up_inputs_is_no_pass(call: str) -> None:
    found, errors = lint_source(textwrap.dedent(SMOKE.replace("{call}", call)), "modeling.py")
    assert errors == []
    assert [f.code for f in found] == []


def test_the_same_forward_on_data_is_a_pass() -> None:
    source = SMOKE.replace("{call}", "[model(input_ids=batch['ids'], attention_mask=batch['mask']) for batch in test_loader]")
    found, errors = lint_source(textwrap.dedent(source), "modeling.py")
    assert errors == []
    assert "LC007" in {f.code for f in found}


def test_float_noise_is_no_made_up_input() -> None:
    # a generator's latent sample is its data: the trained model's forward on it is a pass
    source = """
    import torch
    from torch import nn

    generator = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.1), nn.Linear(16, 4))
    optimizer = torch.optim.Adam(generator.parameters())
    for batch in loader:
        optimizer.zero_grad()
        generator(batch).pow(2).mean().backward()
        optimizer.step()

    generator.eval()
    samples = generator(torch.randn(64, 8).to(device))
    save_images(samples)
    """
    found, errors = lint_source(textwrap.dedent(source), "sample.py")
    assert errors == []
    assert [f.code for f in found] == ["LC007"]
    # drawn integers are made-up ids: the same forward on them is no pass
    found, _ = lint_source(textwrap.dedent(source.replace("torch.randn(64, 8).to(device)", "torch.randint(0, 8, (64, 8)).to(device)")), "sample.py")
    assert [f.code for f in found] == []
