"""LC011 clip-without-unscale: gradients clipped while a GradScaler still scales them.

The clip threshold then applies to gradients multiplied by the loss scale (65536 at first).
"""
from __future__ import annotations

from typing import Iterable

from loopcheck.model import Event, Kind, LoopModel
from loopcheck.rules.base import Report, Rule


class ClipWithoutUnscale(Rule):
    """Reports a `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_` call that, on some path
    through one iteration, follows a `scaler.scale(loss).backward()` with no
    `scaler.unscale_(optimizer)` in between. Framework clipping (`accelerator.clip_grad_norm_`,
    Lightning's `clip_gradients`) unscales by itself and is left alone, as is a scaler built
    with `enabled=False`."""

    code = "LC011"
    name = "clip-without-unscale"
    severity = "error"
    message = "{clip}() clips gradients still multiplied by the GradScaler's scale; call {scaler}.unscale_(optimizer) first"
    rationale = (
        "With mixed precision the backward pass computes gradients of `loss * scale`, where the scale "
        "starts at 65536. Clipping those to a norm of 1.0 shrinks every real gradient by the scale: "
        "the model barely trains, or the clip never bites when the scale drops, and nothing warns."
    )
    use_instead = """\
scaler.scale(loss).backward()
scaler.unscale_(optimizer)
torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
scaler.step(optimizer)
scaler.update()
"""
    VALID = (
        """\
for x, y in loader:
    optimizer.zero_grad()
    scaler.scale(criterion(model(x), y)).backward()
    scaler.unscale_(optimizer)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(optimizer)
    scaler.update()
""",
        # accelerate unscales inside its own clip
        """\
for batch in loader:
    optimizer.zero_grad()
    accelerator.backward(model(**batch).loss)
    accelerator.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
""",
        """\
scaler = torch.amp.GradScaler("cuda", enabled=False)
for x, y in loader:
    optimizer.zero_grad()
    scaler.scale(criterion(model(x), y)).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(optimizer)
    scaler.update()
""",
    )
    INVALID = (
        """\
scaler = torch.amp.GradScaler("cuda")
for x, y in loader:
    optimizer.zero_grad()
    with torch.autocast("cuda"):
        loss = criterion(model(x), y)
    scaler.scale(loss).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # expect: LC011
    scaler.step(optimizer)
    scaler.update()
""",
        """\
for i, (x, y) in enumerate(loader):
    scaler.scale(criterion(model(x), y) / accum).backward()
    if (i + 1) % accum == 0:
        torch.nn.utils.clip_grad_value_(model.parameters(), 0.5)  # expect: LC011
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad()
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        found: dict[int, Report] = {}

        def step(scaled: Event | None, event: Event) -> Event | None:
            if event.kind is Kind.BACKWARD:
                return event if model.scaled_backward(event) else None
            if event.kind in (Kind.UNSCALE, Kind.STEP):
                return None
            if event.kind is Kind.CLIP and scaled is not None and model.is_torch_clip(event) and id(event.node) not in found:
                assert event.call is not None and scaled.call is not None and scaled.call.inner is not None
                found[id(event.node)] = Report(
                    model.anchor(event),
                    self.message.format(clip=event.call.method, scaler=scaled.call.inner.receiver or "scaler"),
                    ((scaled.node, "the scaled backward() whose gradients are clipped"),),
                )
            return scaled

        for program in model.step_programs():
            model.run_once(program, step, [None])
        return list(found.values())
