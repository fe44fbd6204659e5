"""The builder's fast expression text: what a reader would write, for the patterns the model reads."""
from __future__ import annotations

import libcst as cst
import pytest

from loopcheck.model.text import expression_text


@pytest.mark.parametrize(
    "source",
    [
        "(step + 1) % args.accum == 0",
        "not (a and b)",
        "x[:, 1:3]",
        "range(len(loader) * epochs)",
        "enumerate(zip(a, b), start=1)",
        "a if b else c",
        "-x ** 2",
        "[f(x) for x in xs if x]",
        "{k: v for k, v in d.items()}",
        "{'a': 1, **rest}",
        "lambda x: x + 1",
        "(yield_value := f(x))",
        "args.valid and (step + 1) % args.eval_interval == 0 and step > 1",
    ],
)
def test_expression_text_reads_as_the_source(source: str) -> None:
    assert expression_text(cst.parse_expression(source)) == source


@pytest.mark.parametrize(
    "statement, text",
    [("total  +=  loss / k", "total += loss / k"), ("loss = criterion(out, y)", "loss = criterion(out, y)"),
     ("return x, y", "return x, y"), ("p.grad /= n", "p.grad /= n"), ("assert x > 0", "assert x > 0")],
)
def test_statement_text_normalises_spacing(statement: str, text: str) -> None:
    assert expression_text(cst.parse_statement(statement).body[0]) == text


def test_rare_expressions_fall_back_to_exact_code() -> None:
    assert expression_text(cst.parse_expression('f"{x:>{width}}"')) == 'f"{x:>{width}}"'
