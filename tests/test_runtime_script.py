"""`verify_script`: runs a script as __main__ under watch and judges the static findings it is given."""
from __future__ import annotations

import io
import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("torch")

from loopcheck.finding import Finding  # noqa: E402
from loopcheck.runtime import script as script_module  # noqa: E402
from loopcheck.runtime.plot import MISSING_MATPLOTLIB  # noqa: E402
from loopcheck.runtime.script import verify_script  # noqa: E402
from loopcheck.runtime.static import StaticResult  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

TRAINING = textwrap.dedent(
    """\
    import sys
    import torch
    from torch import nn

    def evaluate(model):
        with torch.no_grad():
            return model(torch.randn(4, 4))  # never called

    print("script argv", sys.argv[1:])
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(int(sys.argv[1])):
        loss = model(torch.randn(8, 4)).pow(2).mean()
        loss.backward()
        optimizer.step()
    """
)
BACKWARD_LINE = 15
EVALUATE_LINE = 7


def write(tmp_path: Path, source: str, name: str = "train.py") -> str:
    path = tmp_path / name
    path.write_text(source)
    return str(path)


def given_findings(monkeypatch: pytest.MonkeyPatch, *findings: Finding) -> None:
    """The static side's answer for these tests (the tests of the engine are elsewhere)."""
    monkeypatch.setattr(script_module, "static_result",
                        lambda path, select=(), ignore=(), usage_errors=False: StaticResult(list(findings)))


def make_finding(path: str, line: int, code: str) -> Finding:
    return Finding(path, line, 9, line, 24, code, "rule-name", "error", f"{code} static message")


def test_script_runs_as_main_with_its_argv_and_findings_get_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, TRAINING)
    given_findings(
        monkeypatch,
        make_finding(path, BACKWARD_LINE, "LC001"),
        make_finding(path, EVALUATE_LINE, "LC006"),
        make_finding(path, BACKWARD_LINE, "LC099"),  # a code the runtime has no check for
    )
    argv, path_entries = list(sys.argv), list(sys.path)
    out = io.StringIO()
    assert verify_script(path, ["6"], out=out) == 1
    assert sys.argv == argv and sys.path == path_entries
    assert "script argv ['6']" in capsys.readouterr().out
    text = out.getvalue()
    assert f"train.py:{BACKWARD_LINE}: LC001 rule-name: CONFIRMED" in text
    assert "in 5 of 5 steps" in text
    assert f"train.py:{EVALUATE_LINE}: LC006 rule-name: NOT REACHED" in text
    assert "LC099 rule-name: NOT CHECKED" in text
    assert "summary: 1 confirmed, 1 not reached, 1 not checked" in text


def test_the_step_limit_stops_a_long_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, TRAINING)
    given_findings(monkeypatch)
    out = io.StringIO()
    verify_script(path, ["1000"], steps=4, fmt="json", out=out)
    data = json.loads(out.getvalue())
    assert data["run"]["steps"] == 4 and data["run"]["stopped_early"] is True
    assert data["findings"][0]["code"] == "LC001"
    assert data["findings"][0]["verdict"]["source"] == "runtime"


def test_a_clean_script_exits_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, TRAINING.replace("loss.backward()", "optimizer.zero_grad(); loss.backward()"))
    given_findings(monkeypatch, make_finding(path, BACKWARD_LINE, "LC001"))
    out = io.StringIO()
    assert verify_script(path, ["6"], out=out) == 0
    assert "LC001 rule-name: NOT CONFIRMED" in out.getvalue()


def test_a_missing_script_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_script("no/such/train.py", [], out=io.StringIO()) == 2
    assert "no/such/train.py: no such file" in capsys.readouterr().err


def test_the_scripts_own_exception_shows_its_traceback_then_the_partial_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, TRAINING + "raise ValueError('labels out of range')\n")
    given_findings(monkeypatch)
    argv = list(sys.argv)
    out = io.StringIO()
    assert verify_script(path, ["3"], out=out) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert f'File "{path}", line 17, in <module>' in err
    assert "raise ValueError('labels out of range')" in err
    assert "runpy" not in err and "loopcheck" + os.sep + "runtime" not in err  # its own frames only
    assert "failed: ValueError: labels out of range; the report is partial" in err
    assert "3 optimizer steps on cpu (the training code raised ValueError: labels out of range)" in out.getvalue()
    assert sys.argv == argv


def test_sys_exit_with_success_is_a_normal_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, TRAINING + "sys.exit(0)\n")
    given_findings(monkeypatch)
    assert verify_script(path, ["3"], out=io.StringIO()) == 1  # LC001 found at runtime


def test_plot_without_matplotlib_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, TRAINING)
    given_findings(monkeypatch)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    verify_script(path, ["3"], plot=str(tmp_path / "out.png"), out=io.StringIO())
    assert MISSING_MATPLOTLIB in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()


def test_plot_draws_the_traces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    path = write(tmp_path, TRAINING)
    given_findings(monkeypatch)
    target = tmp_path / "traces.png"
    verify_script(path, ["6"], plot=str(target), out=io.StringIO())
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_end_to_end_with_the_static_engine_on_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("loopcheck.engine")
    buggy = str(FIXTURES / "zero_grad_between_backward_and_step.py")
    out = io.StringIO()
    assert verify_script(buggy, [], out=out) == 1
    data_line = [line for line in out.getvalue().splitlines() if "LC002" in line]
    assert data_line and "CONFIRMED" in data_line[0] and "runtime only" not in data_line[0]
    clean = str(FIXTURES / "zero_grad_set_to_none_clean.py")
    out = io.StringIO()
    assert verify_script(clean, [], out=out) == 0, out.getvalue()
    assert os.path.isfile(clean)
