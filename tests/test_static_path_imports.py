"""The static path never imports torch, and `import loopcheck` and `--version` stay cheap.

Each check runs in a fresh interpreter: this test process may already hold torch or libcst.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from loopcheck import __version__
from tests.test_cli import MISSING_ZERO_GRAD, write

needs_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None,
    reason="torch is not installed, so nothing could import it by accident",
)


def run_python(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@needs_torch
def test_linting_through_the_engine_does_not_import_torch(tmp_path: Path) -> None:
    write(tmp_path, "train.py", MISSING_ZERO_GRAD)

    result = run_python(
        """
        import sys
        from loopcheck.engine import lint_paths
        found = lint_paths(["train.py"])
        print([f.code for f in found.findings], "torch" in sys.modules)
        """,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "['LC001'] False\n"


@needs_torch
def test_linting_through_the_cli_does_not_import_torch(tmp_path: Path) -> None:
    write(tmp_path, "train.py", MISSING_ZERO_GRAD)

    result = run_python(
        """
        import sys
        from loopcheck.cli import main
        try:
            main(["--format", "json", "train.py"])
        except SystemExit as done:
            print("exit", done.code, "torch" in sys.modules, file=sys.stderr)
        """,
        cwd=tmp_path,
    )

    assert '"code": "LC001"' in result.stdout
    assert result.stderr == "exit 1 False\n"


def test_import_loopcheck_imports_neither_torch_nor_libcst(tmp_path: Path) -> None:
    result = run_python(
        """
        import sys
        import loopcheck
        print(loopcheck.__version__, sorted(m for m in ("torch", "libcst") if m in sys.modules))
        """,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{__version__} []\n"


def test_version_imports_neither_torch_nor_libcst(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "loopcheck", "--version"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0
    assert result.stdout == f"loopcheck {__version__}\n"
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert "click" in imported, "-X importtime printed nothing: the check below would prove nothing"
    heavy = [name for name in imported if name.split(".")[0] in ("torch", "libcst")]
    assert heavy == []

