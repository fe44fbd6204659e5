"""LC009 loss-tensor-retained: a graph-carrying tensor stored past its iteration.

`total += loss` keeps every iteration's autograd graph alive: memory climbs until the run dies.
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from loopcheck.model import LoopModel
from loopcheck.model.evaluation import dead_function
from loopcheck.rules.base import Report, Rule


class LossTensorRetained(Rule):
    """Reports a statement in a loop that keeps a value carrying an autograd graph in something that
    outlives the iteration: `total += loss` (or `total = total + loss`, or a running average
    `avg = 0.99 * avg + 0.01 * loss`), `losses.append(loss)`, `history["loss"].append(out)`,
    `preds.append(outputs)`, `log[step] = loss`, a project meter that keeps its argument (not under fixed keys only: `self.parts["steer"] = loss`
    holds one call's graph until the next call replaces it), and a
    helper that, after its batch loop, appends its last output to a list its caller hands in and
    keeps across the epochs it calls it in (`train_outputs.append((epoch, img, recon))`). A value
    carries a graph only when that is established: the output of a trainable model run with grad
    enabled, the output of an evaluation pass that records a graph for nothing (what LC007
    reports: `y_pred.append(model(images))` in a metrics helper, whatever trains the model), the value
    `backward()` is called on, or something computed from them by a
    differentiable operation (operators, torch functions, tensor methods, losses, a project helper
    whose body returns a graph for such inputs). Safe: numbers (`.item()`, `float(...)`), detached,
    integer and bool tensors (`argmax`, comparisons, `.long()`), NumPy and scikit-learn results,
    metric objects, calls of code that cannot be seen, values computed under `no_grad`,
    accumulators that are themselves backwarded (here, or by a project helper they are handed to
    as the loss; a sum over a loader, or over iterations that each draw the next batch of an
    iterator, returned to project callers none of which backwards it keeps every batch's graph), a container made afresh every iteration, and a
    graph made once before the loop, a helper parameter rebound to a detached value
    (`v = v.data.sum()`), and an unrolled recurrence with no backward in its loop (`h = cell(x[t],
    h); outputs.append(h)`: the graph is built on purpose for one backward after the loop). Names
    unpacked from a call take each its own element's graph (`loss, scores = criterion(out, y)` of
    a project loss that returns its scores as NumPy: only `loss`); of a loss whose code cannot be
    seen only the first value is established as carrying one. A sum reset every k iterations
    still keeps k graphs. A loop of a function that never runs (a notebook's function no cell
    runs, a script's function whose only call is commented out) is not reported."""

    code = "LC009"
    name = "loss-tensor-retained"
    severity = "error"
    message = "{container} keeps the autograd graph of {value} alive across iterations; store {stored}.item() (or {stored}.detach())"
    rationale = (
        "A tensor that requires grad holds a reference to the graph that produced it, and that graph "
        "holds the saved activations of the forward. Summing or appending such tensors across "
        "iterations keeps every graph alive: memory grows each step until the run is killed, long "
        "after the bug was written."
    )
    use_instead = """\
running_loss = 0.0
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    running_loss += loss.item()
"""
    VALID = (
        """\
running_loss = 0.0
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    running_loss += loss.item()
    losses.append(loss.detach())
    history.append(float(loss))
    meter.update(loss.item(), x.size(0))
""",
        """\
for x, y in loader:
    loss = 0
    for head in heads:
        loss += criterion(model(x), y)
    loss.backward()
""",
        """\
with torch.no_grad():
    for x, y in val_loader:
        outputs = model(x)
        preds.append(outputs)
        total += criterion(outputs, y)
""",
    )
    INVALID = (
        """\
total_loss = 0
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    total_loss += loss  # expect: LC009
""",
        """\
history = {"loss": []}
for x, y in loader:
    optimizer.zero_grad()
    outputs = model(x)
    loss = criterion(outputs, y)
    loss.backward()
    optimizer.step()
    history["loss"].append(loss)  # expect: LC009
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        for retained in model.retained_values:
            function = retained.loop.function
            if model.never_runs(function) or dead_function(model, function):
                continue  # a function no cell or entry point runs (its only call commented out)
            related = ()
            if retained.computed_at is not None:
                related = ((retained.computed_at.node, f"{retained.value} is computed here, with its graph"),)
            yield Report(
                retained.store.node,
                self.message.format(container=retained.container, value=retained.value, stored=_operand(retained.value)),
                related,
            )


def _operand(text: str) -> str:
    """The value as the receiver of a method: `loss`, `out.view(b, -1)`, but `(mu * gamma)`."""
    try:
        node = cst.parse_expression(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return f"({text})"
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        return text
    return f"({text})"
