"""Edit steps applied to a scene: the exact target layout an instruction asks for, or a refusal.

:func:`plan_steps` resolves each step's selector against the (detected) source scene
(``edit.resolve``) and applies the steps in order. New objects are placed deterministically on a
grid of candidate spots, preferring the named region or the spot next to the reference object
("to the right of the square", "between the circles"), else the most open spot; when the asked size
does not fit, smaller sizes are tried before giving up. Anything impossible (nothing to select, no
room, already so, too many objects) is an :class:`~limner.edit.ops.EditError`, turned into the
plan's one-line refusal.
"""

from __future__ import annotations

import numpy as np

from ..schema import Layout, SceneObject
from ..world.corpus import MIN_GAP, captions
from ..world.vocab import COLORS, SHAPES, SIZES, TEXTURES
from .ops import (HI, LO, MAX_OBJECTS, MOVE_STEPS, SIZE_ORDER, EditError, _fits, _shift,
                  _valid_background)
from .resolve import SelectError, select, side
from .steps import EditPlan, EditStep, ReadResult

GRID = 0.02
REGION_ANCHOR = {"top-left": (0.2, 0.2), "top-right": (0.8, 0.2), "bottom-left": (0.2, 0.8),
                 "bottom-right": (0.8, 0.8), "center": (0.5, 0.5), "left": (0.2, 0.5),
                 "right": (0.8, 0.5), "top": (0.5, 0.2), "bottom": (0.5, 0.8)}
SMALLEST = 0.19  # the last size tried for a new object
FACTORS, MAX_SIDE, MIN_RATIO = (1.5, 1.35, 1.2), 0.40, 1.15  # "bigger"/"smaller": x1.5 (the model
# under-draws), less when there is no room for that; sides up to 0.40
SHRINK_COST = 0.5  # placed adds: distance from the asked spot worth one unit of side lost
SHORT_MOVES = (0.15, 0.12)  # tried after edit.ops.MOVE_STEPS; the benchmarks count a move from 0.10
BAND = 0.22  # "to the right of X": the new object's centre within this of X's row (column)
INSET = 0.5 / 32  # detected boxes include the anti-aliased edge: half a pixel a side at 32 px


def plan_steps(source: Layout, read: ReadResult) -> EditPlan:
    """The target layout for ``read``'s steps on ``source``, or a plan whose ``refusal`` says why not."""
    plan = EditPlan(read=read, source=source, path=read.reader)
    if read.refusal:
        plan.refusal = read.refusal
        return plan
    cur = source.model_copy(deep=True)
    context: list[int] | None = None
    try:
        for step in read.steps:
            cur, context = apply_step(cur, step, context)
            plan.selected.append(list(context or []))
    except EditError as exc:
        plan.refusal = str(exc)
        return plan
    cur.caption = captions(cur, np.random.default_rng(0)).short
    plan.target = cur
    return plan


def apply_step(layout: Layout, step: EditStep, context: list[int] | None = None) -> tuple[Layout, list[int]]:
    out = layout.model_copy(deep=True)
    objs = out.objects
    k = step.kind
    if k == "background":
        if not step.background or not _valid_background(step.background):
            raise EditError(f"unknown background {step.background!r}")
        if step.background == layout.background:
            raise EditError(f"the background is already {step.background}")
        out.background = step.background
        return out, []
    if k == "add":
        return _add(out, step, context)
    if k == "count":
        return _count(out, step, context)
    idx = select(layout, step.target, context=context)
    for ex in step.exclude:  # "make everything green but not the square"
        try:
            drop = set(select(layout, ex.model_copy(update={"quantity": "all"})))
        except SelectError:
            continue
        idx = [i for i in idx if i not in drop]
    if not idx:
        raise EditError("the exception leaves nothing to change")
    if k == "remove":
        out.objects = [o for j, o in enumerate(objs) if j not in idx]
        return out, []
    if k == "recolor":
        if step.color not in COLORS:
            raise EditError(f"the world has no {step.color!r} objects; colours: {', '.join(COLORS)}")
        if all(objs[i].color == step.color for i in idx):
            raise EditError(f"the {_names(objs, idx)} {'is' if len(idx) == 1 else 'are'} already {step.color}")
        for i in idx:
            objs[i].color = step.color
    elif k == "texture":
        if step.texture not in TEXTURES:
            raise EditError(f"unknown texture {step.texture!r}")
        if all((objs[i].texture or "solid") == step.texture for i in idx):
            raise EditError(f"the {_names(objs, idx)} {'is' if len(idx) == 1 else 'are'} already {step.texture}")
        for i in idx:
            objs[i].texture = step.texture
    elif k == "replace":
        if step.shape not in SHAPES:
            raise EditError(f"cannot turn it into {step.shape!r}: the world draws only {', '.join(SHAPES)}")
        if all(objs[i].name == step.shape for i in idx):
            raise EditError(f"it is already a {step.shape}")
        for i in idx:
            objs[i].name = step.shape
    elif k == "move":
        _move(out, idx, step.direction or "left")
    elif k == "size":
        _size(out, idx, step.size)
    elif k == "swap":
        _swap(out, layout, step, idx, context)
    return out, idx


def _names(objs, idx) -> str:
    names = sorted({objs[i].name for i in idx})
    return " and ".join(n + ("s" if len(idx) > 1 else "") for n in names)


def _others(objs, idx):
    return [o.box for j, o in enumerate(objs) if j not in idx]


def _inset(b, d=INSET):
    d = min(d, (b[2] - b[0]) / 4, (b[3] - b[1]) / 4)
    return (b[0] + d, b[1] + d, b[2] - d, b[3] - d)


def _move(out: Layout, idx: list[int], direction: str) -> None:
    from .ops import DIRECTIONS

    dx, dy = DIRECTIONS[direction]
    objs = out.objects
    for tight in (False, True):
        others = [_inset(b) if tight else b for b in _others(objs, idx)]
        for step in MOVE_STEPS + SHORT_MOVES:
            boxes = [_shift(_inset(objs[i].box) if tight else objs[i].box, dx * step, dy * step) for i in idx]
            if all(_fits(b, others) for b in boxes):
                for i in idx:
                    objs[i].box = _shift(objs[i].box, dx * step, dy * step) if not tight else \
                        _clamp(_shift(objs[i].box, dx * step, dy * step))
                return
    raise EditError(f"no room to move the {_names(objs, idx)} {direction}")


def _clamp(b):
    w, h = b[2] - b[0], b[3] - b[1]
    x0 = min(max(b[0], 0.0), 1.0 - w)
    y0 = min(max(b[1], 0.0), 1.0 - h)
    return (x0, y0, x0 + w, y0 + h)


def _size(out: Layout, idx: list[int], size: str | None) -> None:
    """Relative sizes scale the object's own side by ``FACTORS[0]`` (less when that has no room; within
    the world's range); absolute
    ones set the size class's side. Nudged (≤ 0.1) into the nearest spot that fits."""
    objs = out.objects
    for i in idx:
        # detected boxes of stars and triangles run smaller than the drawn object: never below the class
        cur = max(side(objs[i]), SIZES[_size_name(objs[i].box)])
        if size in ("bigger", "smaller"):
            sides = [min(cur * f, MAX_SIDE) if size == "bigger" else max(cur / f, SMALLEST) for f in FACTORS]
            sides = [x for x in sides if (x / cur if size == "bigger" else cur / x) >= MIN_RATIO]
            if not sides:
                raise EditError(f"the {objs[i].name} is already as {'big' if size == 'bigger' else 'small'} "
                                "as world objects get")
        elif size in SIZES:
            sides = [SIZES[size]]
            if abs(sides[0] - cur) < 0.04:
                raise EditError(f"the {objs[i].name} is already {size}")
        else:
            raise EditError(f"unknown size {size!r}")
        others = [_inset(b) for b in _others(objs, [i])]
        placed = None
        for new in sides:  # x1.5 first; less when that has no room
            placed = _nudge(_centred((0, 0, new, new), objs[i].center), others)
            if placed is not None:
                break
        if placed is None:
            raise EditError(f"no room to make the {objs[i].name} {size}")
        objs[i].size, objs[i].box = _size_name(placed), placed


def _nudge(box, others):
    """``box`` or the nearest shift of it (up to 0.1) that fits among ``others``."""
    steps = [0.0, 0.02, -0.02, 0.04, -0.04, 0.06, -0.06, 0.08, -0.08, 0.1, -0.1]
    best = None
    for dx in steps:
        for dy in steps:
            b = _shift(box, dx, dy)
            if _fits(b, others):
                d = abs(dx) + abs(dy)
                if best is None or d < best[0]:
                    best = (d, b)
    return None if best is None else best[1]


def _swap(out: Layout, layout: Layout, step: EditStep, idx: list[int], context) -> None:
    objs = out.objects
    if step.other is not None:
        a = idx
        b = select(layout, step.other, context=None)
    elif len(idx) == 2:
        a, b = idx[:1], idx[1:]
    else:
        raise EditError(f"swap needs two objects; {len(idx)} match")
    if len(a) != 1 or len(b) != 1 or a == b:
        raise EditError("swap needs exactly one object on each side")
    i, j = a[0], b[0]
    ci, cj = objs[i].center, objs[j].center
    bi, bj = _centred(objs[i].box, cj), _centred(objs[j].box, ci)
    others = [_inset(x) for x in _others(objs, [i, j])]
    if not (_fits(bi, others + [bj]) or _fits(_inset(bi), others + [_inset(bj)])):
        raise EditError(f"no room to swap the {objs[i].name} and the {objs[j].name}")
    objs[i].box, objs[j].box = _clamp(bi), _clamp(bj)


def _centred(box, c):
    w, h = box[2] - box[0], box[3] - box[1]
    x0 = min(max(c[0] - w / 2, LO), HI - w)
    y0 = min(max(c[1] - h / 2, LO), HI - h)
    return (x0, y0, x0 + w, y0 + h)


def _proto(layout: Layout, step: EditStep, context) -> SceneObject | None:
    if step.target is None:
        return None
    try:
        idx = select(layout, step.target, context=context, want_one_group=True)
    except SelectError:
        if step.shape is None:
            raise
        return None
    return layout.objects[idx[-1]] if idx else None


def _add(out: Layout, step: EditStep, context) -> tuple[Layout, list[int]]:
    proto = _proto(out, step, context)
    shape = step.shape or (proto.name if proto else None)
    if shape not in SHAPES:
        raise EditError("add what? the world draws only " + ", ".join(SHAPES))
    color = step.color or (proto.color if proto and proto.name == shape else None) or _free_color(out)
    n = step.count or 1
    if len(out.objects) + n > MAX_OBJECTS:
        raise EditError(f"cannot add {n}: a world picture holds at most {MAX_OBJECTS} objects "
                        f"and this one has {len(out.objects)}")
    size = step.size if step.size in SIZES else (proto.size if proto and proto.size in SIZES else "medium")
    tex = step.texture if step.texture in TEXTURES else (proto.texture if proto and proto.name == shape else "solid")
    ref = None
    if step.relation is not None:
        ref = [out.objects[i] for i in select(out, step.other, want_one_group=step.relation == "between")]
        if step.other2 is not None:
            ref += [out.objects[i] for i in select(out, step.other2)]
        if step.relation == "between" and len(ref) < 2:
            raise EditError("'between' needs two objects")
    new = []
    for _ in range(n):
        box = place(out, SIZES[size], step, ref)
        if box is None:
            raise EditError(f"no room for a {shape} {_where_text(step)}".rstrip())
        o = SceneObject(name=shape, color=color, size=_size_name(box), texture=tex or "solid", box=box)
        out.objects.append(o)
        new.append(len(out.objects) - 1)
    return out, new


def _where_text(step: EditStep) -> str:
    if step.relation:
        return f"{step.relation.replace('_', ' ')} the {step.other.text if step.other else ''}".replace("the the", "the")
    return f"in the {step.region}" if step.region else "anywhere"


def _size_name(box) -> str:
    s = box[2] - box[0]
    return min(SIZES, key=lambda k: abs(SIZES[k] - s))


def _free_color(layout: Layout) -> str:
    used = {o.color for o in layout.objects}
    return next((c for c in ("yellow", "red", "blue", "green", "orange", "purple", "pink") if c not in used), "red")


def place(layout: Layout, side_: float, step: EditStep, ref: list[SceneObject] | None):
    """The best free square box for a new object (``side_`` or smaller), or None."""
    others = [_inset(o.box) for o in layout.objects]
    sides = [s for s in sorted(SIZES.values(), reverse=True) if s <= side_ + 1e-9] or [min(SIZES.values())]
    sides.append(SMALLEST)  # still read as "small" by the detector; better than "no room"
    placed = step.relation is not None or step.region is not None
    overall = None  # placed: a smaller object right there beats the asked size far away
    for s in sides:
        best = None
        for cx in np.arange(LO + s / 2, HI - s / 2 + 1e-9, GRID):
            for cy in np.arange(LO + s / 2, HI - s / 2 + 1e-9, GRID):
                box = (float(cx - s / 2), float(cy - s / 2), float(cx + s / 2), float(cy + s / 2))
                if not _fits(box, others):
                    continue
                score = _score(float(cx), float(cy), s, step, ref, others)
                if score is not None and (best is None or score < best[0]):
                    best = (score, box)
        if best is not None and not placed:
            return best[1]
        if best is not None and (overall is None or best[0] + SHRINK_COST * (side_ - s) < overall[0]):
            overall = (best[0] + SHRINK_COST * (side_ - s), best[1])
    return overall[1] if overall else None


def _score(cx, cy, s, step: EditStep, ref, others) -> float | None:
    if step.relation and ref:
        r = ref[0]
        rx, ry = r.center
        h = side(r) / 2 + MIN_GAP + s / 2
        if step.relation == "between":
            (ax, ay), (bx, by) = ref[0].center, ref[1].center
            mx, my = (ax + bx) / 2, (ay + by) / 2
            t = ((cx - ax) * (bx - ax) + (cy - ay) * (by - ay)) / max((bx - ax) ** 2 + (by - ay) ** 2, 1e-9)
            if not 0.15 <= t <= 0.85:
                return None
            return float(np.hypot(cx - mx, cy - my))
        ideal = {"right_of": (rx + h, ry), "left_of": (rx - h, ry), "above": (rx, ry - h),
                 "below": (rx, ry + h)}
        if step.relation == "near":
            return min(float(np.hypot(cx - x, cy - y)) for x, y in ideal.values())
        ok = {"right_of": cx > rx + side(r) / 2 and abs(cy - ry) < BAND,
              "left_of": cx < rx - side(r) / 2 and abs(cy - ry) < BAND,
              "above": cy < ry - side(r) / 2 and abs(cx - rx) < BAND,
              "below": cy > ry + side(r) / 2 and abs(cx - rx) < BAND}[step.relation]
        if not ok:
            return None
        x, y = ideal[step.relation]
        return float(np.hypot(cx - x, cy - y))
    if step.region:
        ax, ay = REGION_ANCHOR[step.region]
        return float(np.hypot(cx - ax, cy - ay))
    # the most open spot: largest gap to the others and the border (ties: nearer the centre)
    gaps = [min(cx - s / 2, cy - s / 2, 1 - cx - s / 2, 1 - cy - s / 2) * 2]
    for b in others:
        gaps.append(max(b[0] - (cx + s / 2), (cx - s / 2) - b[2], b[1] - (cy + s / 2), (cy - s / 2) - b[3]))
    return -min(gaps) + 0.01 * float(np.hypot(cx - 0.5, cy - 0.5))


def _count(out: Layout, step: EditStep, context) -> tuple[Layout, list[int]]:
    n = step.count if step.count is not None else 0
    sel = step.target
    if sel is not None and sel.shape is not None:
        base = sel.model_copy(update={"quantity": "all", "number": None, "position": None, "ordinal": None})
        have = [i for i in range(len(out.objects)) if _same(out.objects[i], base)]
    else:
        idx = select(out, sel, context=context, want_one_group=True)
        groups = {(out.objects[i].name, out.objects[i].color) for i in idx}
        if len(groups) != 1:
            raise SelectError("'make it N' needs one kind of object in the picture; name it ('only two stars')")
        have = idx
    if n == len(have):
        raise EditError(f"there {'is' if n == 1 else 'are'} already {n}")
    from .resolve import _reading_order

    if n < len(have):
        drop = set(_reading_order(out, have)[n:]) if n else set(have)
        out.objects = [o for j, o in enumerate(out.objects) if j not in drop]
        return out, []
    if not have:
        shape = sel.shape if sel else None
        add = EditStep(kind="add", shape=shape, color=sel.color if sel else None, count=n)
        return _add(out, add, None)
    proto = out.objects[have[-1]]
    add = EditStep(kind="add", shape=proto.name, color=proto.color, size=proto.size, texture=proto.texture,
                   count=n - len(have))
    return _add(out, add, None)


def _same(o: SceneObject, sel) -> bool:
    return o.name == sel.shape and (sel.color is None or o.color == sel.color)
