"""Verification of world edits: did a second layout change from the first exactly as an op says?

:func:`check_edit` compares a source and a result layout for an :class:`~limner.edit.ops.EditOp`
— on exact layouts (the edit-data filter) or on detected ones, with position tolerances (the
benchmark) — and returns an :class:`EditCheck`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..schema import Layout, SceneObject
from ..world.vocab import BACKGROUND_COLORS, SIZES
from .ops import DIRECTIONS, MIN_MOVE, MOVE_STEPS, EditOp, _size_of, selected


@dataclass
class EditCheck:
    """Did the requested change happen (``success``), and was everything else kept (``preserved``)."""

    success: bool
    preserved: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.success and self.preserved


# -- verification ---------------------------------------------------------------------------------
def check_edit(source: Layout, result: Layout, op: EditOp, pos_tol: float = 0.09,
               check_texture: bool = True, check_background: bool = True) -> EditCheck:
    """Does ``result`` differ from ``source`` exactly as ``op`` says?

    Objects are matched by shape and nearest centre. Untouched objects must reappear with the
    same shape, colour and texture within ``pos_tol`` (normalized). ``success`` judges the requested
    change; ``preserved`` judges everything else (no extra, missing or altered objects; background).
    Works on exact layouts and on detected ones (``texture``/``background`` None are not compared).
    """
    reasons: list[str] = []
    sel = set(selected(source, op)) if op.kind not in ("background", "add") else set()
    if op.kind == "add":
        sel = set()
    rest_src = [o for i, o in enumerate(source.objects) if i not in sel]
    pool = list(result.objects)
    # 1. the untouched objects are still there, unchanged
    preserved = True
    for o in rest_src:
        j = _nearest(o, pool, same=lambda a, b: a.name == b.name and a.color == b.color)
        if j is None or _dist(o, pool[j]) > pos_tol:
            preserved = False
            reasons.append(f"lost or moved: {o.phrase()}")
            continue
        p = pool.pop(j)
        if check_texture and o.texture and p.texture and (o.texture or "solid") != (p.texture or "solid"):
            preserved = False
            reasons.append(f"texture changed: {o.phrase()}")
    if check_background and op.kind != "background" and source.background and result.background:
        if _bg_key(source.background) != _bg_key(result.background):
            preserved = False
            reasons.append("background changed")
    # 2. what is left in the result must be exactly the edited objects
    targets = [source.objects[i] for i in sorted(sel)]
    success = True
    k = op.kind

    def fail(msg):
        nonlocal success
        success = False
        reasons.append(msg)

    if k == "background":
        if _bg_key(result.background or "") != _bg_key(op.background or ""):
            fail(f"background is {result.background!r}, wanted {op.background!r}")
        if pool:
            preserved = False
            reasons.append(f"extra objects: {[p.phrase() for p in pool]}")
    elif k == "remove":
        if pool:
            fail(f"still there / extra: {[p.phrase() for p in pool]}")
    elif k in ("add", "count"):
        want = (op.count or 1) if k == "add" else (op.count or 0)
        got = [p for p in pool if p.name == op.shape and (op.color is None or p.color == op.color)]
        if k == "count" and op.color is None:
            got = [p for p in pool if p.name == op.shape]
        if len(got) != want:
            fail(f"{len(got)} new/selected {op.shape}s, wanted {want}")
        if k == "count":  # the kept ones stay in place
            kept = min(want, len(targets))
            stay = sum(1 for t in targets if any(_dist(t, g) <= pos_tol for g in got))
            if stay < kept:
                preserved = False
                reasons.append("kept objects moved")
        extra = [p for p in pool if p not in got]
        if extra:
            preserved = False
            reasons.append(f"extra objects: {[p.phrase() for p in extra]}")
    else:
        for t in targets:
            j = _nearest(t, pool, same=lambda a, b: a.name == b.name, key=_target_point(t, op))
            if j is None:
                fail(f"edited object missing: {t.phrase()}")
                continue
            p = pool.pop(j)
            _check_one(t, p, op, pos_tol, check_texture, fail)
        if pool:
            preserved = False
            reasons.append(f"extra objects: {[p.phrase() for p in pool]}")
    return EditCheck(success=success, preserved=preserved, reasons=reasons)


def _check_one(t: SceneObject, p: SceneObject, op: EditOp, tol: float, check_texture: bool, fail) -> None:
    k = op.kind
    (tx, ty), (px, py) = t.center, p.center
    if k != "move" and k != "size" and _dist(t, p) > tol:
        fail(f"{t.phrase()} moved")
    if k != "recolor" and p.color != t.color:
        fail(f"{t.phrase()} changed colour to {p.color}")
    if k == "recolor" and p.color != op.new_color:
        fail(f"{t.phrase()} is {p.color}, wanted {op.new_color}")
    if k == "texture" and check_texture and (p.texture or "solid") != op.texture:
        fail(f"{t.phrase()} is {p.texture}, wanted {op.texture}")
    if k == "move":
        dx, dy = DIRECTIONS[op.direction or "left"]
        along = (px - tx) * dx + (py - ty) * dy
        across = abs((px - tx) * dy) + abs((py - ty) * dx)
        if along < MIN_MOVE:
            fail(f"{t.phrase()} moved {along:+.2f} {op.direction}, wanted >= {MIN_MOVE}")
        if across > tol:
            fail(f"{t.phrase()} drifted {across:.2f} sideways")
    if k == "size":
        ratio = _side(p) / max(_side(t), 1e-6)
        cur = t.size if t.size in SIZES else _size_of(t.box)
        want = op.size
        if want in SIZES:
            want = "bigger" if SIZES[want] > SIZES[cur] else "smaller"
        if want == "bigger" and ratio < 1.12:
            fail(f"{t.phrase()} grew x{ratio:.2f}")
        if want == "smaller" and ratio > 1 / 1.12:
            fail(f"{t.phrase()} shrank to x{ratio:.2f}")
        if _dist(t, p) > tol + 0.1:
            fail(f"{t.phrase()} moved while resizing")


def _target_point(t: SceneObject, op: EditOp):
    if op.kind != "move":
        return None
    dx, dy = DIRECTIONS[op.direction or "left"]
    cx, cy = t.center
    return (cx + dx * MOVE_STEPS[-1], cy + dy * MOVE_STEPS[-1])


def _side(o: SceneObject) -> float:
    return max(o.box[2] - o.box[0], o.box[3] - o.box[1])


def _dist(a: SceneObject, b: SceneObject) -> float:
    (ax, ay), (bx, by) = a.center, b.center
    return float(np.hypot(ax - bx, ay - by))


def _nearest(o: SceneObject, pool: list[SceneObject], same, key=None) -> int | None:
    cx, cy = key if key is not None else o.center
    best, bd = None, 1e9
    for j, p in enumerate(pool):
        if not same(o, p):
            continue
        d = float(np.hypot(p.center[0] - cx, p.center[1] - cy))
        if d < bd:
            best, bd = j, d
    return best


def _bg_key(bg: str) -> tuple[str, ...]:
    w = bg.lower().split()
    cols = tuple(x for x in w if x in BACKGROUND_COLORS)
    return (("gradient",) + cols) if "gradient" in w else ("plain",) + cols[:1]


# At the end, after this module's names exist: ``edits`` re-exports ``check_edit``/``EditCheck``
# from here, so either module can be imported first without a circular-import error.
