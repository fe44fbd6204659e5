"""`loopcheck verify` as a user runs it: real subprocesses (Ctrl-C, tracebacks), settings and
--select/--ignore, notebooks, and the versioned JSON document shared with `check`."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402

from loopcheck.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

BUGGY = textwrap.dedent(
    """\
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    total = 0
    for _ in range(20):
        loss = model(torch.randn(8, 4)).pow(2).mean()
        loss.backward()
        optimizer.step()
        total += loss
    """
)  # LC001 at line 10 (never zero_grad), LC009 at line 12


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loopcheck", *args], cwd=cwd or ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def in_process(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# -- item 6: Ctrl-C ----------------------------------------------------------------------------

def test_ctrl_c_exits_130_with_the_partial_report(tmp_path: Path) -> None:
    script = tmp_path / "forever.py"
    script.write_text(textwrap.dedent(
        """\
        import time
        import torch
        from torch import nn

        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        step = 0
        while True:
            model(torch.randn(8, 4)).pow(2).mean().backward()
            optimizer.step()
            step += 1
            if step == 3:
                print("training started", flush=True)
            time.sleep(0.01)
        """
    ))
    process = subprocess.Popen(
        [sys.executable, "-m", "loopcheck", "verify", str(script), "--steps", "1000000"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        # a test run started in the background (`cmd &` without job control) inherits an ignored
        # SIGINT: give the child the default handler that an interactive Ctrl-C meets
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        line = ""
        while "training started" not in line and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
        assert "training started" in line, process.stderr.read() if process.stderr else ""
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, (out, err)
    assert re.search(r"forever\.py: \d+ optimizer steps on cpu \(interrupted by Ctrl-C: a partial report\)", out), out
    assert "LC001 missing-zero-grad: CONFIRMED" in out  # the evidence gathered so far is judged
    assert "interrupted (Ctrl-C) after" in err and "Aborted" not in err


# -- item 9: the script's traceback, then the partial report -----------------------------------

def test_a_failing_script_prints_its_own_traceback_before_the_partial_report(tmp_path: Path) -> None:
    script = tmp_path / "fails.py"
    script.write_text(BUGGY + "raise RuntimeError('boom')\n")
    result = subprocess.run(
        [sys.executable, "-m", "loopcheck", "verify", str(script), "--steps", "50"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    both = result.stdout
    assert result.returncode == 2, both
    traceback_at = both.index("Traceback (most recent call last):")
    report_at = both.index("loopcheck verify: ")
    assert traceback_at < report_at
    shown = both[traceback_at:report_at]
    assert f'File "{script}", line 13, in <module>' in shown and "RuntimeError: boom" in shown
    assert "runpy" not in shown and "loopcheck" not in shown
    assert "20 optimizer steps on cpu (the training code raised RuntimeError: boom)" in both


# -- item 7: [tool.loopcheck], --select, --ignore -----------------------------------------------

def test_verify_reads_tool_loopcheck_and_select_ignore(tmp_path: Path) -> None:
    configured, plain = tmp_path / "configured", tmp_path / "plain"
    configured.mkdir()
    plain.mkdir()
    (configured / "pyproject.toml").write_text('[tool.loopcheck]\nignore = ["LC001"]\n')
    script = configured / "train.py"
    script.write_text(BUGGY)
    (plain / "train.py").write_text(BUGGY)
    code, out, _ = in_process("verify", str(script), "--format", "json")
    data = json.loads(out)
    assert [f["code"] for f in data["findings"]] == ["LC009"]  # LC001: neither static nor runtime-only
    assert code == 1
    code, out, _ = in_process("verify", str(script), "--ignore", "LC009", "--format", "json")
    assert json.loads(out)["findings"] == [] and code == 0
    code, out, _ = in_process("verify", "--select", "LC001", str(plain / "train.py"), "--format", "json")
    assert [f["code"] for f in json.loads(out)["findings"]] == ["LC001"] and code == 1
    code, _, err = in_process("verify", str(script), "--select", "LC999")
    assert code == 2 and "unknown rule code or prefix 'LC999'" in err


def test_a_bad_setting_is_a_usage_error_for_verify(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.loopcheck]\nignore = "LC001"\n')
    script = tmp_path / "train.py"
    script.write_text(BUGGY)
    code, _, err = in_process("verify", str(script))
    assert code == 2 and "pyproject.toml" in err and "ignore" in err


# -- item 8: notebooks ----------------------------------------------------------------------------

def notebook(cells: list[tuple[str, str]], language: str = "python") -> str:
    return json.dumps({
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True),
             **({"outputs": [], "execution_count": None} if kind == "code" else {})}
            for kind, text in cells
        ],
        "metadata": {"kernelspec": {"language": language, "name": language}},
        "nbformat": 4, "nbformat_minor": 5,
    })


def test_verify_runs_a_notebooks_code_cells_with_magics_skipped(tmp_path: Path) -> None:
    path = tmp_path / "train.ipynb"
    body = BUGGY.split("\n", 2)[2]  # without the imports: they are in the first cell
    path.write_text(notebook([
        ("markdown", "# Training\nSome words.\n"),
        ("code", "%matplotlib inline\nimport torch\nfrom torch import nn\n!echo hello\n"),
        ("code", body),
    ]))
    code, out, err = in_process("verify", str(path), "--steps", "12", "--format", "json")
    assert code == 1, err
    data = json.loads(out)
    assert data["run"]["steps"] == 12 and data["run"]["error"] is None
    found = {(f["code"], f["cell"], f["cell_line"]): f["verdict"]["status"] for f in data["findings"]}
    assert found == {("LC001", 3, 8): "confirmed", ("LC009", 3, 10): "confirmed"}
    code, out, _ = in_process("verify", str(path), "--steps", "12")
    assert "train.ipynb:cell 3:10: LC009 loss-tensor-retained: CONFIRMED" in out
    assert "`total` in <module>() kept the autograd graphs" in out


def test_a_notebook_that_raises_shows_its_cell_lines_in_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "fails.ipynb"
    path.write_text(notebook([("code", "import torch\n"), ("code", "x = 1\nraise ValueError('bad cell')\n")]))
    result = cli("verify", str(path))
    assert result.returncode == 2
    assert "raise ValueError('bad cell')" in result.stderr and "ValueError: bad cell" in result.stderr


def test_a_notebook_of_another_language_or_broken_json_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "r.ipynb"
    path.write_text(notebook([("code", "x <- 1\n")], language="R"))
    code, _, err = in_process("verify", str(path))
    assert code == 2 and "nothing to run: a r notebook, not Python" in err
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    code, _, err = in_process("verify", str(broken))
    assert code == 2 and "not a valid notebook" in err


# -- item 12: one versioned JSON schema for check and verify -------------------------------------

def snake_keys(value: object, where: str = "") -> list[str]:
    """Keys anywhere in the document that are not snake_case."""
    bad: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
                bad.append(f"{where}/{key}")
            bad.extend(snake_keys(item, f"{where}/{key}"))
    elif isinstance(value, list):
        for item in value:
            bad.extend(snake_keys(item, where))
    return bad


def test_verify_json_is_versioned_snake_case_and_shares_checks_finding_shape() -> None:
    fixture = "fixtures/mnist_cnn_missing_zero_grad.py"
    _, check_out, _ = in_process("check", fixture, "--format", "json")
    code, verify_out, _ = in_process("verify", fixture, "--format", "json")
    checked, verified = json.loads(check_out), json.loads(verify_out)
    assert code == 1
    assert verified["version"] == checked["version"] == 2
    assert verified["tool"] == checked["tool"]
    assert verified["command"] == "verify"
    assert snake_keys(verified) == []
    assert {"findings", "errors", "notes"} <= set(verified) & set(checked)
    by_place = {(f["path"], f["line"], f["code"]): f for f in verified["findings"]}
    assert checked["findings"]
    for finding in checked["findings"]:
        mine = dict(by_place[(finding["path"], finding["line"], finding["code"])])
        verdict = mine.pop("verdict")
        assert mine == finding  # the same fields with the same values, plus a verdict
        assert set(verdict) == {"status", "evidence", "source"} and verdict["source"] == "static"
        assert verdict["status"] in ("confirmed", "not_confirmed", "inconclusive", "not_reached", "not_checked")
    assert set(verified["summary"]) == {"confirmed", "not_confirmed", "inconclusive", "not_reached",
                                        "not_checked", "runtime_only"}
    assert set(verified["run"]) >= {"device", "steps", "step_limit", "stopped_early", "ended", "error",
                                    "calls_after_stop", "order", "optimizers", "retained",
                                    "device_memory", "peak_device_memory"}


def test_a_runtime_only_discovery_has_the_finding_fields_too() -> None:
    from loopcheck.rules import ALL_RULES
    from loopcheck.runtime import verify_loop
    from loopcheck.runtime.verdicts import RULE_NAMES, SEVERITIES
    from tests.test_runtime import loop_without_zero_grad

    wrapped = verify_loop(steps=6, static=False, fail_on="never", report="json")(loop_without_zero_grad)
    wrapped()
    (finding,) = wrapped.last_report.to_dict()["findings"]
    assert set(finding) == {"path", "line", "column", "end_line", "end_column", "code", "name", "severity",
                            "message", "related", "cell", "cell_line", "verdict"}
    assert finding["severity"] == "error" and finding["verdict"]["source"] == "runtime"
    assert SEVERITIES == {r.code: r.severity for r in ALL_RULES}
    assert RULE_NAMES == {r.code: r.name for r in ALL_RULES}
