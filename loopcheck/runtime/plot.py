"""Draws the per-step traces of a runtime report to an image with matplotlib (optional).

`plot_report` returns an error sentence instead of raising when matplotlib is not installed.
"""
from __future__ import annotations

from loopcheck.runtime.report import RuntimeReport

MISSING_MATPLOTLIB = (
    "--plot needs matplotlib, which is not installed: pip install matplotlib "
    "(or install loopcheck with the 'plot' extra)"
)


def plot_report(report: RuntimeReport, path: str) -> str | None:
    """Write grad norm, learning rate and kept-graph traces to `path`; an error sentence or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed: the figure only goes to a file
        import matplotlib.pyplot as pyplot
    except ImportError:
        return MISSING_MATPLOTLIB
    panels = 3 if report.device_memory else 2
    figure, axes = pyplot.subplots(panels, 1, figsize=(8, 2.6 * panels), sharex=False)
    for trace in report.optimizers:
        steps = range(1, len(trace.grad_norms) + 1)
        axes[0].plot(steps, [n if n is not None else float("nan") for n in trace.grad_norms],
                     marker=".", label=f"{trace.name} grad norm")
        axes[0].set_ylabel("grad norm before step")
    if report.optimizers:
        axes[0].legend(loc="best")
    axes[1].plot(report.retained_steps, report.retained_nodes, marker="o", color="tab:red")
    axes[1].set_ylabel("graph nodes kept")
    if report.device_memory:
        axes[2].plot(range(1, len(report.device_memory) + 1),
                     [m / 1e6 for m in report.device_memory], color="tab:purple")
        axes[2].set_ylabel("device memory (MB)")
    axes[-1].set_xlabel("optimizer step")
    figure.suptitle(f"loopcheck verify: {report.target}")
    figure.tight_layout()
    try:
        figure.savefig(path)
    except OSError as error:
        return f"could not write the plot to {path}: {error}"
    finally:
        pyplot.close(figure)
    return None
