"""Notebooks: code cells are analysed like a script, findings say which cell, magics are skipped."""
from __future__ import annotations

import json
from pathlib import Path

from loopcheck.engine import lint_paths


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    document = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True), "outputs": []}
            for kind, source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_notebook_cells_are_analysed_and_findings_name_the_cell(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "train.ipynb",
        [
            ("markdown", "# Training\nA loop without zero_grad."),
            ("code", "%matplotlib inline\nimport torch\n!nvidia-smi\nopt = torch.optim.SGD(model.parameters(), lr=0.1)"),
            ("code", "%%time\nthis is not python at all"),
            ("code", "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    opt.step()"),
        ],
    )
    result = lint_paths([str(tmp_path)])
    assert result.errors == []
    assert [(f.path, f.line, f.code) for f in result.findings] == [(str(notebook), 9, "LC001")]
    assert result.findings[0].message.endswith("(notebook cell 4, line 3)")
    assert result.findings[0].related[0].note.endswith("(notebook cell 4, line 4)")


def test_a_clean_notebook_has_no_findings_and_checkpoints_are_skipped(tmp_path: Path) -> None:
    clean = [("code", "for x, y in loader:\n    opt.zero_grad()\n    criterion(model(x), y).backward()\n    opt.step()")]
    write_notebook(tmp_path / "clean.ipynb", clean)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    write_notebook(tmp_path / ".ipynb_checkpoints" / "old.ipynb", [("code", "for x in l:\n    loss.backward()\n    opt.step()")])
    result = lint_paths([str(tmp_path)])
    assert result.findings == [] and result.errors == [] and result.files_checked == 1


def test_a_broken_notebook_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    write_notebook(tmp_path / "ok.ipynb", [("code", "x = 1")])
    result = lint_paths([str(tmp_path)])
    assert [(Path(e.path).name, e.reason.split(" (")[0]) for e in result.errors] == [("broken.ipynb", "not a valid notebook")]
    assert result.files_checked == 1


def test_a_shell_magic_alone_in_a_block_keeps_the_cell_valid(tmp_path: Path) -> None:
    write_notebook(
        tmp_path / "setup.ipynb",
        [
            ("code", "if not os.path.exists('data'):\n    !wget https://example.invalid/data.zip\nelse:\n    %ls data"),
            ("code", "%%writefile helper.py\n    indented = 'not python for this notebook'\n"),
        ],
    )
    result = lint_paths([str(tmp_path)])
    assert result.errors == [] and result.files_checked == 1


def test_continued_shell_commands_and_assigned_shell_output_are_skipped(tmp_path: Path) -> None:
    write_notebook(
        tmp_path / "colab.ipynb",
        [
            ("code", "!pip install -q \\\n    transformers \\\n    peft\nimport torch"),
            ("code", "VERSION = !curl -s https://example.invalid/version\nprint(VERSION)"),
        ],
    )
    result = lint_paths([str(tmp_path)])
    assert result.errors == [] and result.files_checked == 1
