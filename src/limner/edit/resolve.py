"""Selectors against a scene: which objects "the leftmost circle", "one of the stars", "the big one",
"the circle on the right", "the second star", "all of them" or "it" mean.

Resolution runs on the *detected* source scene (``edit.sketch.detect_layout``). Shape, colour and
texture filter; size, position and ordinal pick among what is left; then the quantity: "one of" /
"a" → one, "all" / "both" / a plural noun → all, a bare singular ("the circle") → the one object,
and when there are several the selector is ambiguous. Nothing matched, or ambiguous → a
:class:`SelectError` whose one line names the objects that are there.
"""

from __future__ import annotations

from ..schema import Layout, SceneObject
from .ops import EditError
from .steps import Selector

SAME_SIDE = 0.04  # boxes within this of each other count as the same size
EXTREME_BAND = 0.12  # "the top hearts": everything within this of the topmost
TIE = 0.05  # "the leftmost" is ambiguous when the runner-up is this close


class SelectError(EditError):
    """A selector matched nothing, or more than one object where one was meant."""


def side(o: SceneObject) -> float:
    return max(o.box[2] - o.box[0], o.box[3] - o.box[1])


def where(o: SceneObject) -> str:
    cx, cy = o.center
    v = "top" if cy < 0.4 else "bottom" if cy > 0.6 else ""
    h = "left" if cx < 0.4 else "right" if cx > 0.6 else ""
    return f"{v}-{h}" if v and h else (v or h or "centre")


def describe(o: SceneObject) -> str:
    tex = f"{o.texture} " if o.texture and o.texture != "solid" else ""
    return f"a {tex}{o.color or ''} {o.name} ({where(o)})".replace("  ", " ")


def listing(layout: Layout) -> str:
    if not layout.objects:
        return "the picture has no objects"
    return "the picture has " + ", ".join(describe(o) for o in layout.objects)


def _matches(o: SceneObject, s: Selector) -> bool:
    if s.shape and o.name != s.shape:
        return False
    if s.color and o.color != s.color:
        return False
    if s.texture == "patterned":
        return (o.texture or "solid") != "solid"
    return not (s.texture and (o.texture or "solid") != s.texture)


def _reading_order(layout: Layout, idx: list[int]) -> list[int]:
    xs = [layout.objects[i].center[0] for i in idx]
    ys = [layout.objects[i].center[1] for i in idx]
    axis = 0 if (max(xs) - min(xs)) >= (max(ys) - min(ys)) else 1
    return sorted(idx, key=lambda i: (layout.objects[i].center[axis], layout.objects[i].center[1 - axis]))


def _pos_key(o: SceneObject, pos: str, mid: tuple[float, float]) -> float:
    cx, cy = o.center
    return {"left": cx, "right": -cx, "top": cy, "bottom": -cy,
            "middle": abs(cx - mid[0]) + abs(cy - mid[1]), "top-left": cx + cy, "top-right": cy - cx,
            "bottom-left": cx - cy, "bottom-right": -cx - cy}[pos]


def select(layout: Layout, sel: Selector | None, *, context: list[int] | None = None,
           want_one_group: bool = False) -> list[int]:
    """Indices of the objects ``sel`` means (see the module doc). ``context``: the objects the
    previous step of the same instruction selected ("... and make them red")."""
    objs = layout.objects
    text = (sel.text if sel else "") or "it"
    if sel is None or (sel.pronoun and sel.shape is None and sel.color is None and sel.size is None
                       and sel.position is None and sel.ordinal is None and sel.texture is None):
        if context:
            return list(context)
        if not objs:
            raise SelectError("the picture has no objects to edit")
        if sel is not None and (sel.plural or sel.quantity == "all"):
            return list(range(len(objs)))
        groups = {(o.name, o.color) for o in objs}
        if len(objs) == 1 or (want_one_group and len(groups) == 1):
            return list(range(len(objs)))
        if sel is not None and len(groups) == 1 and (sel.quantity == "one" or sel.number):
            n = 1 if sel.quantity == "one" else sel.number or 1
            if n > len(objs):
                raise SelectError(f"there are only {len(objs)}; {listing(layout)}")
            return _reading_order(layout, list(range(len(objs))))[-n:]
        raise SelectError(f"'{text}' is ambiguous: {listing(layout)}; name the object")
    cand = [i for i, o in enumerate(objs) if _matches(o, sel)]
    if not cand:
        raise SelectError(f"there is no {_what(sel)} in the picture; {listing(layout)}")
    if sel.size and len(cand) > 1:
        sides = [side(objs[i]) for i in cand]
        if max(sides) - min(sides) > SAME_SIDE:
            ref = max(sides) if sel.size == "large" else min(sides) if sel.size == "small" else sorted(sides)[len(sides) // 2]
            cand = [i for i, s in zip(cand, sides) if abs(s - ref) <= SAME_SIDE]
    if sel.position and len(cand) > 1:
        xs = [objs[i].center for i in range(len(objs))]
        mid = (sum(c[0] for c in xs) / len(xs), sum(c[1] for c in xs) / len(xs))
        if sel.position == "middle":
            order = _reading_order(layout, cand)
            cand = [order[len(order) // 2]] if len(order) % 2 == 1 else cand
            if len(cand) > 1:
                raise SelectError(f"'{text}': there is no single middle one; {listing(layout)}")
        else:
            keys = sorted((_pos_key(objs[i], sel.position, mid), i) for i in cand)
            if sel.number and sel.number > 1:  # "the two circles on the right"
                if sel.number > len(keys):
                    raise SelectError(f"there are only {len(keys)} {_what(sel)}s; {listing(layout)}")
                return [i for _, i in keys[:sel.number]]
            if sel.plural and sel.quantity != "one":
                cand = [i for k, i in keys if k - keys[0][0] <= EXTREME_BAND]
            else:
                if keys[1][0] - keys[0][0] < TIE:
                    raise SelectError(f"'{text}' is ambiguous: two are about as far {sel.position}; {listing(layout)}")
                cand = [keys[0][1]]
    if sel.ordinal is not None:
        order = _reading_order(layout, cand)
        k = sel.ordinal - 1 if sel.ordinal > 0 else len(order) + sel.ordinal
        if not 0 <= k < len(order):
            raise SelectError(f"there is no {text}: only {len(order)}; {listing(layout)}")
        cand = [order[k]]
    if sel.number and sel.number > 1:
        if sel.number > len(cand):
            raise SelectError(f"there are only {len(cand)} {_what(sel)}s; {listing(layout)}")
        return _reading_order(layout, cand)[-sel.number:]
    if sel.quantity == "one":
        return [_reading_order(layout, cand)[-1]]
    if sel.quantity == "all" or sel.plural:
        return cand
    if len(cand) > 1 and not want_one_group:
        raise SelectError(f"'{text}' is ambiguous: {listing(layout)}; say which one (e.g. the leftmost, "
                          f"one of them, all of them)")
    return cand


def _what(sel: Selector) -> str:
    tex = {"patterned": "patterned"}.get(sel.texture or "", sel.texture or "")
    words = [sel.size or "", tex if tex != "solid" else "plain", sel.color or "", sel.shape or "object"]
    return " ".join(w for w in words if w)
