"""Deterministic, LLM-free edits of world scenes: the volume source of instruction-editing data.

An :class:`EditOp` says what to change (recolour, move, add, remove, change count, change texture,
change size, change background) and which objects it applies to (a selector: colour + shape, all
objects that match). :func:`apply_edit` applies it to a :class:`~limner.schema.Layout` exactly,
:func:`instruction` words it (several templates per kind), :func:`random_edit` picks one that is
possible in a scene, and :func:`limner.edit.check.check_edit`
verifies that a second layout differs from the first *exactly* as the op says — on exact layouts
(the data filter) or on detected ones, with position tolerances (the benchmark).

``edit_pair(seed)`` is the whole generator: scene → op → (source, target, instruction, captions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..schema import Layout, SceneObject
from ..world.corpus import MIN_GAP, NUMBER_WORDS, captions, sample_scene
from ..world.vocab import BACKGROUND_COLORS, COLORS, PLURALS, SHAPES, SIZES, TEXTURES

EditKind = Literal["recolor", "move", "add", "remove", "count", "texture", "size", "background"]
EDIT_KINDS: tuple[str, ...] = ("recolor", "move", "add", "remove", "count", "texture", "size",
                               "background")
DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}
SIZE_ORDER = ("small", "medium", "large")
MOVE_STEPS = (0.3, 0.26, 0.22, 0.18)  # normalized shift tried in this order (first that fits wins)
MIN_MOVE = 0.10  # a detected move must be at least this (≈3 px at 32 px)
MAX_OBJECTS = 7
LO, HI = 0.02, 0.98  # objects stay inside this band of the canvas


class EditError(ValueError):
    """The op cannot be applied to this scene (no such object, no room, no change)."""


class EditOp(BaseModel):
    """One edit. ``shape``/``color`` select the objects it applies to (all that match)."""

    model_config = ConfigDict(extra="forbid")

    kind: EditKind
    shape: str | None = None  # selector (or the new object's shape for "add")
    color: str | None = None  # selector colour; None = any colour
    new_color: str | None = None  # recolor
    direction: Literal["left", "right", "up", "down"] | None = None  # move
    count: int | None = None  # add: how many to add; count: the new total
    texture: str | None = None  # texture: the new texture; add: the new objects' texture
    size: str | None = None  # size: small|medium|large|bigger|smaller; add: the new objects' size
    background: str | None = None  # background: "plain X" | "gradient X to Y"


@dataclass
class EditPair:
    seed: int
    op: EditOp
    instruction: str
    source: Layout
    target: Layout
    source_caption: str
    edited_caption: str


# -- selection ------------------------------------------------------------------------------------
def matches(o: SceneObject, op: EditOp) -> bool:
    return o.name == op.shape and (op.color is None or o.color == op.color)


def selected(layout: Layout, op: EditOp) -> list[int]:
    return [i for i, o in enumerate(layout.objects) if matches(o, op)]


def _fits(box, others, lo=LO, hi=HI) -> bool:
    if box[0] < lo - 1e-9 or box[1] < lo - 1e-9 or box[2] > hi + 1e-9 or box[3] > hi + 1e-9:
        return False
    return all(_gap(box, b) > MIN_GAP for b in others)


def _gap(a, b) -> float:
    return max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])


def _place(others: list, side: float, rng: np.random.Generator, tries: int = 300):
    for _ in range(tries):
        x0, y0 = float(rng.uniform(LO, HI - side)), float(rng.uniform(LO, HI - side))
        box = (x0, y0, x0 + side, y0 + side)
        if _fits(box, others):
            return box
    return None


# -- application ----------------------------------------------------------------------------------
def apply_edit(layout: Layout, op: EditOp, rng: np.random.Generator | None = None) -> Layout:
    """The edited layout. Raises :class:`EditError` when the op is impossible or changes nothing.

    Deterministic: only "add"/"count" use ``rng``, to place new objects; by default it is seeded
    from the layout itself, so the same scene and op always give the same result.
    """
    rng = rng if rng is not None else np.random.default_rng(_layout_seed(layout))
    objs = [o.model_copy(deep=True) for o in layout.objects]
    out = layout.model_copy(deep=True)
    idx = selected(layout, op) if op.kind != "background" else []
    if op.kind not in ("add", "background") and not idx:
        raise EditError(f"no {_sel_text(op)} in the scene")
    k = op.kind
    if k == "recolor":
        if op.new_color not in COLORS:
            raise EditError(f"unknown colour {op.new_color!r}")
        if all(objs[i].color == op.new_color for i in idx):
            raise EditError("the objects already have that colour")
        for i in idx:
            objs[i].color = op.new_color
    elif k == "texture":
        if op.texture not in TEXTURES:
            raise EditError(f"unknown texture {op.texture!r}")
        if all((objs[i].texture or "solid") == op.texture for i in idx):
            raise EditError("the objects already have that texture")
        for i in idx:
            objs[i].texture = op.texture
    elif k == "move":
        if op.direction not in DIRECTIONS:
            raise EditError(f"unknown direction {op.direction!r}")
        dx, dy = DIRECTIONS[op.direction]
        others = [o.box for j, o in enumerate(objs) if j not in idx]
        for step in MOVE_STEPS:
            boxes = [_shift(objs[i].box, dx * step, dy * step) for i in idx]
            if all(_fits(b, others) for b in boxes):
                for i, b in zip(idx, boxes):
                    objs[i].box = b
                break
        else:
            raise EditError(f"no room to move the {_sel_text(op)} {op.direction}")
    elif k == "size":
        for i in idx:
            objs[i].size, objs[i].box = _resized(objs[i], op.size)
        others = [o.box for j, o in enumerate(objs) if j not in idx]
        new = [objs[i].box for i in idx]
        for a, b in enumerate(new):
            if not _fits(b, others + new[:a] + new[a + 1:]):
                raise EditError(f"no room to resize the {_sel_text(op)}")
    elif k == "remove":
        objs = [o for j, o in enumerate(objs) if j not in idx]
    elif k in ("add", "count"):
        if op.shape not in SHAPES:
            raise EditError(f"unknown shape {op.shape!r}")
        n_have = len(idx)
        n_add = (op.count or 1) if k == "add" else (op.count or 0) - n_have
        if k == "count" and n_add == 0:
            raise EditError("the scene already has that many")
        if n_add < 0:  # fewer: drop the last ones
            drop = set(idx[n_add:])
            objs = [o for j, o in enumerate(objs) if j not in drop]
        else:
            if len(objs) + n_add > MAX_OBJECTS:
                raise EditError("too many objects")
            proto = objs[idx[0]] if idx else None
            color = op.color or (proto.color if proto else None)
            if color is None:
                raise EditError("a colour is needed for new objects")
            size = op.size if op.size in SIZES else (proto.size if proto else "medium")
            tex = op.texture if op.texture in TEXTURES else (proto.texture if proto else "solid")
            for _ in range(n_add):
                box = _place([o.box for o in objs], SIZES[size], rng)
                if box is None:
                    raise EditError("no room for another object")
                objs.append(SceneObject(name=op.shape, color=color, size=size, texture=tex, box=box))
    elif k == "background":
        if not op.background or op.background == layout.background:
            raise EditError("no background change")
        if not _valid_background(op.background):
            raise EditError(f"unknown background {op.background!r}")
        out.background = op.background
    out.objects = objs
    out.caption = captions(out, np.random.default_rng(0)).short
    return out


def _layout_seed(layout: Layout) -> int:
    import zlib

    return zlib.crc32(layout.model_dump_json().encode())


def _shift(b, dx, dy):
    return (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)


def _resized(o: SceneObject, size: str | None):
    cur = o.size if o.size in SIZES else _size_of(o.box)
    pos = SIZE_ORDER.index(cur)
    if size == "bigger":
        pos += 1
    elif size == "smaller":
        pos -= 1
    elif size in SIZES:
        pos = SIZE_ORDER.index(size)
    else:
        raise EditError(f"unknown size {size!r}")
    if not 0 <= pos < len(SIZE_ORDER) or SIZE_ORDER[pos] == cur:
        raise EditError(f"cannot make a {cur} object {size}")
    new = SIZE_ORDER[pos]
    cx, cy = o.center
    s = SIZES[new]
    x0 = min(max(cx - s / 2, LO), HI - s)
    y0 = min(max(cy - s / 2, LO), HI - s)
    return new, (x0, y0, x0 + s, y0 + s)


def _size_of(box) -> str:
    side = max(box[2] - box[0], box[3] - box[1])
    return min(SIZES, key=lambda k: abs(SIZES[k] - side))


def _valid_background(bg: str) -> bool:
    w = bg.split()
    if len(w) == 2 and w[0] == "plain":
        return w[1] in BACKGROUND_COLORS
    return (len(w) == 4 and w[0] == "gradient" and w[2] == "to" and w[1] in BACKGROUND_COLORS
            and w[3] in BACKGROUND_COLORS and w[1] != w[3])


# -- wording --------------------------------------------------------------------------------------
def _noun(shape: str, n: int) -> str:
    return shape if n == 1 else PLURALS.get(shape, shape + "s")


def _sel_text(op: EditOp, n: int = 1) -> str:
    return " ".join(w for w in (op.color, _noun(op.shape or "object", n)) if w)


def _bg_text(bg: str) -> str:
    w = bg.split()
    return w[1] if w[0] == "plain" else f"a {w[1]} to {w[3]} gradient"


TEMPLATES: dict[str, tuple[str, ...]] = {
    "recolor": ("make the {sel} {new_color}", "turn the {sel} {new_color}",
                "change the colour of the {sel} to {new_color}", "paint the {sel} {new_color}",
                "recolor the {sel} {new_color}"),
    "move": ("move the {sel} to the {dir}", "move the {sel} {dir2}", "shift the {sel} {dir2}",
             "slide the {sel} to the {dir}", "push the {sel} {dir2}"),
    "add": ("add {what}", "put {what} in the picture", "insert {what}", "add {what} to the scene"),
    "remove": ("remove the {sel}", "delete the {sel}", "take away the {sel}",
               "get rid of the {sel}", "erase the {sel}"),
    "count": ("change the number of {sels_pl} to {num}", "make it {num} {sels}",
              "there should be {num} {sels}", "make there be {num} {sels}"),
    "texture": ("make the {sel} {tex}", "give the {sel} {tex_noun}", "change the {sel} to {tex}",
                "turn the {sel} {tex}"),
    "size": ("make the {sel} {size}", "make the {sel} {size_rel}", "{size_verb} the {sel}"),
    "background": ("change the background to {bg}", "make the background {bg}",
                   "replace the background with {bg}", "use {bg} for the background"),
}
TEX_NOUN = {"striped": "stripes", "dotted": "dots", "solid": "a solid fill"}
DIR2 = {"left": "left", "right": "right", "up": "up", "down": "down"}
DIR_PLACE = {"left": "left", "right": "right", "up": "top", "down": "bottom"}


def instruction(op: EditOp, layout: Layout, rng: np.random.Generator | None = None) -> str:
    """A natural-language instruction for ``op`` (a random template when ``rng`` is given)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    n = len(selected(layout, op)) if op.kind != "add" else 1
    templates = TEMPLATES[op.kind]
    t = templates[int(rng.integers(len(templates)))]
    fields = {"sel": _sel_text(op, max(n, 1)), "new_color": op.new_color, "dir": DIR_PLACE.get(op.direction or "", ""),
              "dir2": DIR2.get(op.direction or "", ""), "tex": op.texture,
              "tex_noun": TEX_NOUN.get(op.texture or "", ""), "bg": _bg_text(op.background) if op.background else ""}
    if op.kind == "add":
        c = op.count or 1
        det = ("an" if (op.color or op.shape or "a")[0] in "aeiou" else "a") if c == 1 else NUMBER_WORDS[c]
        words = [det, op.size if op.size in SIZES else None,
                 op.texture if op.texture in ("striped", "dotted") else None, op.color, _noun(op.shape, c)]
        fields["what"] = " ".join(w for w in words if w)
    if op.kind == "count":
        fields["num"] = NUMBER_WORDS[op.count or 0]
        fields["sels"] = " ".join(w for w in (op.color, _noun(op.shape, op.count or 0)) if w)
        fields["sels_pl"] = " ".join(w for w in (op.color, _noun(op.shape, 2)) if w)
    if op.kind == "size":
        rel = op.size if op.size in ("bigger", "smaller") else None
        if rel is None:
            t = templates[0]
        elif "{size}" in t:
            t = templates[1]
        fields["size"] = op.size
        fields["size_rel"] = rel
        fields["size_verb"] = {"bigger": "enlarge", "smaller": "shrink"}.get(rel or "", "")
    if op.kind == "move" and op.direction in ("up", "down") and "to the" in t:
        t = "move the {sel} to the {dir}"
    return t.format(**fields)


# -- random ops -----------------------------------------------------------------------------------
def _selector(layout: Layout, i: int) -> tuple[str, str | None]:
    """The shortest selector that picks the whole (colour, shape) group of object ``i``."""
    o = layout.objects[i]
    colors = {p.color for p in layout.objects if p.name == o.name}
    return o.name, (None if len(colors) == 1 else o.color)


def random_edit(layout: Layout, rng: np.random.Generator, kind: str | None = None,
                tries: int = 30) -> EditOp:
    """A random op of ``kind`` (or of any kind) that :func:`apply_edit` accepts for ``layout``."""
    for _ in range(tries):
        k = kind or EDIT_KINDS[int(rng.integers(len(EDIT_KINDS)))]
        op = _draw(layout, k, rng)
        if op is None:
            continue
        try:
            apply_edit(layout, op)
        except EditError:
            continue
        return op
    raise EditError(f"no {kind or 'edit'} is possible in this scene")


def _draw(layout: Layout, k: str, rng: np.random.Generator) -> EditOp | None:
    objs = layout.objects
    if k == "background":
        bgs = list(BACKGROUND_COLORS)
        a, b = rng.choice(len(bgs), size=2, replace=False)
        bg = f"plain {bgs[a]}" if rng.random() < 0.6 else f"gradient {bgs[a]} to {bgs[b]}"
        return EditOp(kind="background", background=bg)
    if k == "add":
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        color = list(COLORS)[int(rng.integers(len(COLORS)))]
        n = 1 if rng.random() < 0.6 else 2
        size = list(SIZES)[int(rng.integers(3))] if rng.random() < 0.3 else None
        tex = ("striped", "dotted")[int(rng.integers(2))] if rng.random() < 0.2 else None
        return EditOp(kind="add", shape=shape, color=color, count=n, size=size, texture=tex)
    if not objs:
        return None
    i = int(rng.integers(len(objs)))
    shape, color = _selector(layout, i)
    if k == "recolor":
        cur = objs[i].color
        new = [c for c in COLORS if c != cur]
        return EditOp(kind="recolor", shape=shape, color=color, new_color=new[int(rng.integers(len(new)))])
    if k == "move":
        d = list(DIRECTIONS)[int(rng.integers(4))]
        return EditOp(kind="move", shape=shape, color=color, direction=d)
    if k == "remove":
        op = EditOp(kind="remove", shape=shape, color=color)
        return op if len(selected(layout, op)) < len(objs) else None
    if k == "count":
        have = len(selected(layout, EditOp(kind="count", shape=shape, color=color)))
        choices = [n for n in range(1, 5) if n != have and len(objs) - have + n <= MAX_OBJECTS]
        n = choices[int(rng.integers(len(choices)))]
        return EditOp(kind="count", shape=shape, color=color, count=n)
    if k == "texture":
        cur = objs[i].texture or "solid"
        new = [t for t in TEXTURES if t != cur]
        return EditOp(kind="texture", shape=shape, color=color, texture=new[int(rng.integers(len(new)))])
    if k == "size":
        opts = ["bigger", "smaller", "small", "medium", "large"]
        return EditOp(kind="size", shape=shape, color=color, size=opts[int(rng.integers(len(opts)))])
    return None


def edit_pair(seed: int, kind: str | None = None) -> EditPair:
    """Scene ``seed`` → a random possible edit → (source, target, instruction, captions)."""
    rng = np.random.default_rng([seed, 7])
    kind = kind or EDIT_KINDS[int(rng.integers(len(EDIT_KINDS)))]  # balanced over kinds
    for attempt in range(20):
        src = sample_scene(seed * 31 + attempt if attempt else seed)
        try:
            op = random_edit(src, rng, kind)
        except EditError:
            continue
        tgt = apply_edit(src, op)
        return EditPair(seed=seed, op=op, instruction=instruction(op, src, rng), source=src, target=tgt,
                        source_caption=src.caption, edited_caption=tgt.caption)
    raise EditError(f"no {kind or ''} edit found for seed {seed}")


