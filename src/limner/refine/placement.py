"""Where new and moved objects go when a refinement edits the plan (LMD-style re-planning).

* ``next_to``: a free box that is left of/right of/above/below every reference object (GenEval's
  centre rule with a margin): first right beside them, else the free spot nearest that;
* ``make_room``: when there is none, the reference objects are shrunk where they are (large,
  medium, small), and only if that is not enough pushed away from that side;
* ``small_move`` / ``add_anywhere``: moves and adds for which the exact edit ops found no room,
  searched on a grid (the object shrunk if need be).

Boxes are normalized squares inside [LO, HI] with a clear gap to every other object.
"""

from __future__ import annotations

import numpy as np

from ..edit.ops import HI, LO, MIN_GAP, EditError, selected
from ..schema import Layout, SceneObject
from ..world.corpus import captions
from ..world.score import relation_holds
from ..world.vocab import SIZES

Box = tuple[float, float, float, float]


def box_gap(a: Box, b: Box) -> float:
    return max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])


def place_beside(ref: list[SceneObject], rel: str, side: float, others: list[Box]) -> Box | None:
    """A free square box of ``side`` that is ``rel`` every object of ``ref`` (centre rule)."""
    x0 = min(o.box[0] for o in ref)
    y0 = min(o.box[1] for o in ref)
    x1 = max(o.box[2] for o in ref)
    y1 = max(o.box[3] for o in ref)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    for s in (side, side * 0.8, 0.2, 0.17, 0.15):
        for off in (0.0, 0.12, -0.12, 0.24, -0.24, 0.36, -0.36):
            for gap in (0.06, 0.12, 0.2, 0.05):
                if rel == "right of":
                    bx, by = x1 + gap, cy - s / 2 + off
                elif rel == "left of":
                    bx, by = x0 - gap - s, cy - s / 2 + off
                elif rel == "above":
                    bx, by = cx - s / 2 + off, y0 - gap - s
                else:
                    bx, by = cx - s / 2 + off, y1 + gap
                box = (bx, by, bx + s, by + s)
                if box[0] < LO or box[1] < LO or box[2] > HI or box[3] > HI:
                    continue
                if all(relation_holds(box, rel, o.box) for o in ref) and all(box_gap(box, b) > MIN_GAP for b in others):
                    return box
    return None


def free_box(others: list[Box], sides: list[float], want: tuple[float, float], ok, step: float = 0.02) -> Box | None:
    """The free square box nearest ``want`` whose centre passes ``ok(cx, cy, side)``: first with a
    clear gap to ``others`` (so redrawing it does not touch them), then with the corpus's minimum
    gap; larger sides first."""
    for gap in (0.09, MIN_GAP + 0.005):
        for s in sides:
            best = None
            n = int(round((HI - LO - s) / step))
            for a in range(n + 1):
                cy = LO + s / 2 + a * step
                for b in range(n + 1):
                    cx = LO + s / 2 + b * step
                    if not ok(cx, cy, s):
                        continue
                    box = (cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2)
                    if all(box_gap(box, o) > gap for o in others):
                        d = (cx - want[0]) ** 2 + (cy - want[1]) ** 2
                        if best is None or d < best[0]:
                            best = (d, box)
            if best is not None:
                return best[1]
    return None


def next_to(ref: list[SceneObject], rel: str, side: float, others: list[Box]) -> Box | None:
    """A free box ``rel`` every object of ``ref`` (GenEval's centre rule with a margin), as close
    as possible to the spot right beside them."""
    box = place_beside(ref, rel, side, others)
    if box is not None:
        return box
    x0, y0 = min(o.box[0] for o in ref), min(o.box[1] for o in ref)
    x1, y1 = max(o.box[2] for o in ref), max(o.box[3] for o in ref)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    want = {"right of": (x1 + side / 2, cy), "left of": (x0 - side / 2, cy),
            "above": (cx, y0 - side / 2), "below": (cx, y1 + side / 2)}[rel]

    def ok(x, y, s):
        b = (x - s / 2, y - s / 2, x + s / 2, y + s / 2)
        return all(relation_holds(b, rel, o.box, margin=0.08) for o in ref)

    return free_box(others, [side, side * 0.8, 0.2, 0.17, 0.15], want, ok)


def make_room(objs: list[SceneObject], ref: list[SceneObject], rel: str) -> tuple[list[SceneObject], list[SceneObject]]:
    """Re-plan the reference objects to make room ``rel`` them: first shrink them where they are
    (large, then medium); if that is not enough, also push them away from that side."""
    ids = [k for k, o in enumerate(objs) if any(o is r or o == r for r in ref)]
    dx, dy = {"right of": (-1, 0), "left of": (1, 0), "above": (0, 1), "below": (0, -1)}[rel]
    out = objs
    for size, push in (("large", 0.0), ("medium", 0.0), ("small", 0.0), ("large", 0.2)):
        out = [o.model_copy(deep=True) for o in objs]
        for k in ids:
            (cx, cy), s = out[k].center, min(out[k].box[2] - out[k].box[0], SIZES[size])
            cx = min(max(cx + dx * push, LO + s / 2), HI - s / 2)
            cy = min(max(cy + dy * push, LO + s / 2), HI - s / 2)
            out[k].box, out[k].polygon, out[k].size = (cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2), None, None
        refs = [out[k] for k in ids]
        others = [o.box for k, o in enumerate(out)]
        if next_to(refs, rel, SIZES["small"], others) is not None:
            break
    return out, [out[k] for k in ids]


def small_move(layout: Layout, op) -> Layout:
    """A move for which :func:`apply_edit` found no room (re-plan): the free box nearest a 0.2 step,
    moved at least 0.12 the asked way and at most 0.06 sideways, the object shrunk if need be."""
    from ..edit.ops import DIRECTIONS

    idx = selected(layout, op)
    dx, dy = DIRECTIONS[op.direction or "left"]
    objs = [o.model_copy(deep=True) for o in layout.objects]
    placed: list[Box] = []
    for i in idx:
        (tx, ty), side = objs[i].center, objs[i].box[2] - objs[i].box[0]
        others = [o.box for k, o in enumerate(objs) if k not in idx] + placed

        def ok(x, y, s, tx=tx, ty=ty):
            along = (x - tx) * dx + (y - ty) * dy
            across = abs((x - tx) * dy) + abs((y - ty) * dx)
            return along >= 0.12 and across <= 0.06

        box = free_box(others, [side, side * 0.8, side * 0.65], (tx + dx * 0.2, ty + dy * 0.2), ok)
        if box is None:
            raise EditError(f"no room to move the {op.shape} {op.direction}")
        objs[i].box, objs[i].polygon = box, None
        placed.append(box)
    out = layout.model_copy(update={"objects": objs})
    return out.model_copy(update={"caption": captions(out, np.random.default_rng(0)).short})


def add_anywhere(layout: Layout, op) -> Layout:
    """An add for which :func:`apply_edit` found no room: the free boxes nearest the canvas centre,
    the new objects shrunk if need be."""
    objs = [o.model_copy(deep=True) for o in layout.objects]
    size = op.size if op.size in SIZES else "medium"
    for _ in range(op.count or 1):
        box = free_box([o.box for o in objs], [SIZES[size], 0.2, 0.17, 0.15], (0.5, 0.5), lambda x, y, s: True)
        if box is None:
            raise EditError("no room for another object")
        objs.append(SceneObject(name=op.shape or "circle", color=op.color, size=size,
                                texture=op.texture or "solid", box=box))
    out = layout.model_copy(update={"objects": objs})
    return out.model_copy(update={"caption": captions(out, np.random.default_rng(0)).short})


__all__ = ["add_anywhere", "box_gap", "free_box", "make_room", "next_to", "place_beside", "small_move"]
