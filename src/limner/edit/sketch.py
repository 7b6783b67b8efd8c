"""The planner side of the edit model: source image + instruction → target layout → sketch.

1. :func:`detect_layout` finds the source scene with the exact detector (``world.detect``) and
   returns it as a :class:`~limner.schema.Layout` (objects + background).
2. :func:`plan_target` reads the instruction (``edit.instructions``) and applies it to that scene
   (``edit.ops.apply_edit``). None when the instruction cannot be read or applied.
3. :func:`target_sketch` paints the target layout with ``world.condition.layout_to_condition``;
   zeros when there is no target (the model then runs on source + text alone).
"""

from __future__ import annotations

import numpy as np

from ..schema import Layout, SceneObject
from .ops import EditError, EditOp, _size_of, apply_edit
from ..world.vocab import BACKGROUND_COLORS
from .instructions import parse_instruction, resolve

PLACEMENT_TRIES = 8
TIGHTEN = 0.5 / 32  # half a pixel of the 32 px native image, normalized


def _nearest_bg(rgb) -> str:
    names = list(BACKGROUND_COLORS)
    d = [sum((float(a) - b) ** 2 for a, b in zip(rgb, BACKGROUND_COLORS[n])) for n in names]
    return names[int(np.argmin(d))]


def detect_layout(image) -> Layout:
    """The scene in a world image, as a Layout (detector objects + estimated background)."""
    from ..world.detect import detect, estimate_background, working_array

    dets = detect(image)
    objs = [SceneObject(name=d.shape, color=d.color, texture=d.texture, size=_size_of(d.box),
                        box=_clip(d.box)) for d in dets]
    background = ""
    try:
        a = working_array(image)
        bg = estimate_background(a)
        top, bottom = _nearest_bg(bg[0].reshape(-1, 3).mean(0)), _nearest_bg(bg[-1].reshape(-1, 3).mean(0))
        background = f"plain {top}" if top == bottom else f"gradient {top} to {bottom}"
    except Exception:  # background is best effort; objects are what the edit needs
        background = ""
    return Layout(width=512, height=512, objects=objs, background=background)


def _clip(box):
    x0, y0, x1, y1 = (min(max(float(c), 0.0), 1.0) for c in box)
    if x1 <= x0:
        x1 = min(1.0, x0 + 1e-3)
    if y1 <= y0:
        y1 = min(1.0, y0 + 1e-3)
    return (x0, y0, x1, y1)


def plan_target(source: Layout, instruction: str) -> tuple[EditOp | None, Layout | None, str]:
    """(op, target layout, note). Target None when the instruction can't be read or applied."""
    op = parse_instruction(instruction)
    if op is None:
        return None, None, "instruction not understood by the edit planner; running on text alone"
    op = resolve(op, source)
    err: EditError | None = None
    for attempt in range(PLACEMENT_TRIES if op.kind in ("add", "count") else 1):
        # add/count place new objects at random free spots: a crowded scene gets a few layouts
        rng = None if attempt == 0 else np.random.default_rng(attempt)
        try:
            return op, apply_edit(source, op, rng=rng), ""
        except EditError as exc:
            err = exc
    if op.kind in ("move", "size") and str(err).startswith("no room"):
        target = _with_tight_boxes(source, op)
        if target is not None:
            return op, target, ""
    return op, None, f"edit planner: {err}; running on text alone"


def _with_tight_boxes(source: Layout, op: EditOp) -> Layout | None:
    """Apply ``op`` to the scene with every box shrunk by half a pixel (at 32 px) a side, then give
    the untouched objects back their detected boxes. Detected boxes are whole pixels that include
    the anti-aliased edge, about half a pixel a side larger than the object, which can leave "no
    room" for a move or a resize near the border that the real objects have room for."""
    inset = source.model_copy(deep=True)
    for o in inset.objects:
        x0, y0, x1, y1 = o.box
        d = min(TIGHTEN, (x1 - x0) / 4, (y1 - y0) / 4)
        o.box = (x0 + d, y0 + d, x1 - d, y1 - d)
    try:
        target = apply_edit(inset, op)
    except EditError:
        return None
    back = {repr(o): src for o, src in zip(inset.objects, source.objects)}
    target.objects = [back.get(repr(o), o) for o in target.objects]
    return target


def target_sketch(target: Layout | None, size: int = 32) -> np.ndarray:
    from ..models.condition import layout_to_condition

    return layout_to_condition(target, size)
