"""The runtime companion: runs a training loop for a few steps and confirms static findings.

The only part of loopcheck that imports torch (install the `runtime` extra).
"""
from __future__ import annotations

from loopcheck.runtime.decorator import LoopcheckConfirmed, verify_loop
from loopcheck.runtime.instrument import StopTraining
from loopcheck.runtime.report import RuntimeReport
from loopcheck.runtime.verdicts import Verdict

__all__ = ["LoopcheckConfirmed", "RuntimeReport", "StopTraining", "Verdict", "verify_loop"]
