"""A small deterministic parser: an edit instruction about the world → an :class:`EditOp`.

It understands the world vocabulary (shapes and their synonyms, the 10 colours, textures, sizes,
directions, number words, backgrounds) and the common ways to say each edit kind ("make the circle
green", "move the square to the left", "add two stars", "get rid of the triangles", "there should
be three circles", "give the heart stripes", "shrink the star", "make the background mint").
Anything it cannot read returns None: the edit model then runs on source + text alone.

No LLM and no ``eval``: a fixed word grammar, so it is fast, reproducible and testable.
"""

from __future__ import annotations

import re

from ..schema import Layout
from ..world.corpus import NUMBER_WORDS
from .ops import EditOp, selected
from ..world.vocab import BACKGROUND_COLORS, COLORS, PLURALS, SHAPE_SYNONYMS, SHAPES

MAX_INSTRUCTION_CHARS = 500

_SHAPE_WORDS: dict[str, str] = {}
for _s in SHAPES:
    _SHAPE_WORDS[_s] = _s
    _SHAPE_WORDS[PLURALS.get(_s, _s + "s")] = _s
for _w, _s in SHAPE_SYNONYMS.items():
    _SHAPE_WORDS[_w] = _s
    _SHAPE_WORDS[_w + ("es" if _w.endswith(("x", "s")) else "s")] = _s
_COLOR_WORDS = {c: c for c in COLORS} | {"grey": "gray", "violet": "purple", "gold": "yellow"}
_TEXTURE_WORDS = {"striped": "striped", "stripes": "striped", "stripy": "striped", "stripey": "striped",
                  "dotted": "dotted", "dots": "dotted", "spotted": "dotted", "spots": "dotted",
                  "polka": "dotted", "dotty": "dotted", "solid": "solid", "plain": "solid",
                  "filled": "solid", "unpatterned": "solid"}
_SIZE_WORDS = {"small": "small", "tiny": "small", "little": "small", "medium": "medium",
               "large": "large", "big": "large", "huge": "large",
               "bigger": "bigger", "larger": "bigger", "enlarge": "bigger", "grow": "bigger",
               "smaller": "smaller", "shrink": "smaller", "reduce": "smaller"}
_DIRECTION_WORDS = {"left": "left", "leftward": "left", "leftwards": "left", "right": "right",
                    "rightward": "right", "rightwards": "right", "up": "up", "upward": "up",
                    "upwards": "up", "top": "up", "higher": "up", "down": "down",
                    "downward": "down", "downwards": "down", "bottom": "down", "lower": "down"}
_NUMBERS = {w: i for i, w in enumerate(NUMBER_WORDS)} | {"a": 1, "an": 1, "another": 1,
                                                          "single": 1, "couple": 2, "pair": 2}
_NUMBERS |= {str(i): i for i in range(11)}
_REMOVE = {"remove", "delete", "erase", "eliminate", "drop", "clear"}
_ADD = {"add", "insert", "put", "place", "draw", "include", "create"}
_MOVE = {"move", "shift", "slide", "push", "drag", "nudge", "put"}
_COUNT_PAT = re.compile(r"\b(number of|make it|there should be|make there be|exactly|in total|"
                        r"so there are|so that there are|only)\b")


def _words(text: str) -> list[str]:
    text = text.lower().replace("colour", "color").replace("grey", "gray")
    text = re.sub(r"take away|get rid of", "remove", text)
    return re.findall(r"[a-z]+|\d+", text)


def parse_instruction(text: str) -> EditOp | None:
    """The :class:`EditOp` an instruction asks for, or None if it is not a world edit we can read."""
    w = _words(text)
    if not w:
        return None
    if "background" in w or "backdrop" in w:
        return _background(w)
    shape_at = [i for i, x in enumerate(w) if x in _SHAPE_WORDS]
    if not shape_at:
        pron = [i for i, x in enumerate(w) if x in ("it", "them")]
        if not pron:
            return None
        shape_at = pron  # "move it up": resolve() fills the shape in from the scene
    si = shape_at[0]
    shape = _SHAPE_WORDS.get(w[si])
    before, after = w[:si], w[si + 1:]
    # adjectives right before the noun: "the small striped red circle"
    adj: list[str] = []
    j = si - 1
    while j >= 0 and (w[j] in _COLOR_WORDS or w[j] in _TEXTURE_WORDS or w[j] in _SIZE_WORDS):
        adj.insert(0, w[j])
        j -= 1
    color = next((_COLOR_WORDS[a] for a in adj if a in _COLOR_WORDS), None)
    number = _NUMBERS.get(w[j]) if j >= 0 else None
    verb = w[0]
    joined = " ".join(w)

    if verb in _REMOVE or "remove" in w[:2]:
        return EditOp(kind="remove", shape=shape, color=color)
    n = number if number is not None else _number_in(before)
    if n is None:
        n = next((_NUMBERS[x] for x in after if x in _NUMBERS and x not in ("a", "an")), None)
    if _COUNT_PAT.search(joined) and shape is not None and n is not None:
        if 0 <= n <= 6 and 0 <= n <= 6:
            if n == 0:
                return EditOp(kind="remove", shape=shape, color=color)
            return EditOp(kind="count", shape=shape, color=color, count=n)
    direction = next((_DIRECTION_WORDS[x] for x in after if x in _DIRECTION_WORDS), None)
    if (verb in _MOVE or "move" in w) and direction is not None:
        return EditOp(kind="move", shape=shape, color=color, direction=direction)
    tex_before = [_TEXTURE_WORDS[x] for x in before if x in _TEXTURE_WORDS and x not in adj]
    if verb in _ADD and not tex_before and shape is not None:
        if verb == "put" and direction is not None:
            return EditOp(kind="move", shape=shape, color=color, direction=direction)
        size = next((_SIZE_WORDS[a] for a in adj if _SIZE_WORDS.get(a) in ("small", "medium", "large")), None)
        tex = next((_TEXTURE_WORDS[a] for a in adj if a in _TEXTURE_WORDS), None)
        return EditOp(kind="add", shape=shape, color=color, count=number or 1, size=size,
                      texture=tex if tex in ("striped", "dotted") else None)
    # attribute changes: look for the new value after the noun (or before it, "give ... stripes to")
    new_color = next((_COLOR_WORDS[x] for x in after if x in _COLOR_WORDS), None)
    new_tex = next((_TEXTURE_WORDS[x] for x in after if x in _TEXTURE_WORDS), None) or \
        (tex_before[0] if tex_before else None)
    new_size = next((_SIZE_WORDS[x] for x in after if x in _SIZE_WORDS), None) or \
        next((_SIZE_WORDS[x] for x in before[:1] if x in _SIZE_WORDS), None)
    if new_color is not None and new_color != color:
        return EditOp(kind="recolor", shape=shape, color=color, new_color=new_color)
    if new_tex is not None:
        return EditOp(kind="texture", shape=shape, color=color, texture=new_tex)
    if new_size is not None:
        return EditOp(kind="size", shape=shape, color=color, size=new_size)
    if direction is not None:
        return EditOp(kind="move", shape=shape, color=color, direction=direction)
    return None


def _number_in(words: list[str]) -> int | None:
    for x in reversed(words):
        if x in _NUMBERS and x not in ("a", "an"):
            return _NUMBERS[x]
    return None


def _background(w: list[str]) -> EditOp | None:
    cols = [x for x in w if x in BACKGROUND_COLORS]
    if not cols:
        return None
    if ("gradient" in w or "fade" in w or "fading" in w) and len(cols) >= 2 and cols[0] != cols[1]:
        return EditOp(kind="background", background=f"gradient {cols[0]} to {cols[1]}")
    return EditOp(kind="background", background=f"plain {cols[0]}")


def resolve(op: EditOp, layout: Layout) -> EditOp:
    """Fill in what the words left open, from the scene: "make the circle green" with two circles
    of different colours stays as is (it applies to both); an "add" with no colour takes the
    colour of objects of that shape already there; "it" with a one-shape scene is that shape."""
    if op.kind != "background" and op.shape is None:
        names = {o.name for o in layout.objects}
        if len(names) == 1:
            op = op.model_copy(update={"shape": names.pop()})
    if op.kind == "add" and op.color is None:
        same = [o for o in layout.objects if o.name == op.shape]
        if same:
            op = op.model_copy(update={"color": same[0].color})
    return op


def validate_instruction(text: str) -> str:
    """Strip and check length/emptiness; raises InputError with one clear line."""
    from ..errors import InputError

    t = (text or "").strip()
    if not t:
        raise InputError("the instruction is empty; say what to change, e.g. 'make the circle green'")
    if len(t) > MAX_INSTRUCTION_CHARS:
        raise InputError(f"the instruction is {len(t)} characters long; the limit is {MAX_INSTRUCTION_CHARS}")
    return t


__all__ = ["parse_instruction", "resolve", "validate_instruction", "selected", "MAX_INSTRUCTION_CHARS"]
