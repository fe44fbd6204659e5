"""loopcheck: find the silent bugs of PyTorch training loops.

The static analyzer never imports torch; `verify_loop` (the runtime companion) is loaded
on first use so that `import loopcheck` stays cheap.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "check", "verify_loop"]


def __getattr__(name: str) -> Any:
    if name == "check":  # the static analysis as a library call (`loopcheck.api`)
        from loopcheck.api import check

        return check
    if name == "verify_loop":
        from loopcheck.runtime import verify_loop

        return verify_loop
    raise AttributeError(f"module 'loopcheck' has no attribute {name!r}")
