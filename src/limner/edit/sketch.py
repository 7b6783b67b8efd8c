"""The planner side of the edit model: source image + instruction → target layout → sketch.

1. :func:`detect_layout` finds the source scene with the exact detector (``world.detect``) and
   returns it as a :class:`~limner.schema.Layout` (objects + background).
2. :func:`plan_instruction` reads the instruction (``edit.reader``, and ``edit.llm_reader`` when
   an LLM is configured) and applies it to that scene (``edit.apply``): an ``EditPlan`` with the
   target layout, or a one-line refusal when it cannot be read or carried out.
3. :func:`target_sketch` paints the target layout with ``world.condition.layout_to_condition``;
   zeros when there is no target (the model then runs on source + text alone).
"""

from __future__ import annotations

import numpy as np

from ..schema import Layout, SceneObject
from ..world.vocab import BACKGROUND_COLORS
from .apply import plan_steps
from .ops import _size_of
from .reader import read_instruction
from .steps import EditPlan



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


def plan_instruction(source: Layout, instruction: str, llm=None) -> EditPlan:
    """Read ``instruction`` (the rule reader; the LLM reader for what the rules do not read, when
    ``llm`` is given) and apply it to the detected ``source`` scene: an :class:`EditPlan` with the
    target layout, or with a one-line refusal."""
    read = read_instruction(instruction)
    if llm is not None and not read.understood and (read.refusal or "").startswith(("not understood", "no edit")):
        from .llm_reader import read_with_llm

        read = read_with_llm(llm, instruction, source, rules=read)
    return plan_steps(source, read)


def plan_target(source: Layout, instruction: str) -> tuple[list[dict] | None, Layout | None, str]:
    """(steps as dicts, target layout, note). Target None when the instruction can't be carried out;
    the note is then the one-line reason."""
    plan = plan_instruction(source, instruction)
    steps = [s.model_dump(exclude_none=True) for s in plan.read.steps] or None
    return steps, plan.target, plan.refusal or ""


def target_sketch(target: Layout | None, size: int = 32) -> np.ndarray:
    from ..models.condition import layout_to_condition

    return layout_to_condition(target, size)
