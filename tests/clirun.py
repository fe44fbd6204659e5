"""Running `loopcheck ARGS` in process for the tests, stdout and stderr kept apart."""
from __future__ import annotations

from click.testing import CliRunner, Result

from loopcheck.cli import main


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, list(args), input=input, env=env)
