"""Judge a world image against the attribute a SUR triple's simple prompt states (exact detector).

Per category, on the detections of :func:`limner.world.detect.detect`:

* colour — the dominant colour (by detected area) is the scene's colour;
* counting — the number of detected objects is the scene's count;
* shape — the dominant shape (by area) is the scene's shape;
* size_texture — the stated attribute: the dominant texture, or the size class nearest to the
  median detected object side (world sizes: small 0.22, medium 0.30, large 0.38 of the canvas);
* relation — objects of both groups (colour + shape) are found and the mean centres of the two
  groups stand in the stated relation.

Image quality: mean detection confidence, and sharpness (mean absolute Laplacian of the grey image).
numpy + the detector only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..world.corpus import RELATIONS, group_key, group_relation
from ..world.vocab import SIZES


@dataclass(frozen=True)
class Judgement:
    ok: bool
    confidence: float  # mean detection score (0 when nothing was found)
    sharpness: float


def _dominant(dets, attr: str) -> str | None:
    area: Counter = Counter()
    for d in dets:
        area[getattr(d, attr)] += d.area
    return area.most_common(1)[0][0] if area else None


def sharpness(image) -> float:
    a = np.asarray(image, np.float32)
    g = a.mean(-1) if a.ndim == 3 else a
    lap = -4 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return float(np.abs(lap).mean())


def check(category: str, layout, simple: str, dets) -> bool:
    objs = layout.objects
    if category == "relation":
        ka, kb = list(dict.fromkeys(group_key(o) for o in objs))
        rel = group_relation(layout, ka, kb)
        A = [d for d in dets if (d.color, d.shape) == ka]
        B = [d for d in dets if (d.color, d.shape) == kb]
        if not A or not B or rel is None:
            return False
        axis, sign = RELATIONS[rel]
        ca = np.mean([d.center[axis] for d in A])
        cb = np.mean([d.center[axis] for d in B])
        return bool(sign * (cb - ca) < 0)
    if not dets:
        return False
    o = objs[0]
    if category == "colour":
        return _dominant(dets, "color") == o.color
    if category == "counting":
        return len(dets) == len(objs)
    if category == "shape":
        return _dominant(dets, "shape") == o.name
    if category == "size_texture":
        tex = o.texture or "solid"
        from .knowledge import TEXTURE_WORDS

        stated = any(w in simple for w in TEXTURE_WORDS[tex]["seen"] + TEXTURE_WORDS[tex]["held"]) if tex != "solid" else False
        if tex != "solid" and (stated or o.size is None):  # a planned layout carries only what was said
            return _dominant(dets, "texture") == tex
        side = float(np.median([max(d.box[2] - d.box[0], d.box[3] - d.box[1]) for d in dets]))
        return min(SIZES, key=lambda s: abs(SIZES[s] - side)) == o.size
    return False


def judge(category: str, layout, simple: str, image) -> Judgement:
    from ..world.detect import detect

    dets = detect(image)
    conf = float(np.mean([d.score for d in dets])) if dets else 0.0
    return Judgement(check(category, layout, simple, dets), conf, sharpness(image))


def text_candidates(category: str, layout, complex_: str) -> list[str]:
    """The complex prompt and its alternatives that differ only in the category's attribute.

    Used to judge in text-state space (no UNet): the adapted simple-prompt states should be nearer
    the true complex prompt's states than any alternative's ("two yellow stars" among ten colours).
    """
    from ..world.corpus import count_phrase
    from ..world.vocab import COLORS, SHAPES

    if category == "relation":
        for rel in RELATIONS:
            if f" {rel} " in complex_:
                a, b = complex_.split(f" {rel} ", 1)
                return [f"{a} {r} {b}" for r in RELATIONS]
        return [complex_]
    (color, shape), n = next(iter(Counter(group_key(o) for o in layout.objects).items()))
    if category == "colour":
        out = [count_phrase(n, c, shape) for c in COLORS]
    elif category == "counting":
        out = [count_phrase(k, color, shape) for k in range(1, 7)]
    elif category == "shape":
        out = [count_phrase(n, color, s) for s in SHAPES]
    else:
        out = [count_phrase(n, color, shape, extra=x) for x in (*SIZES, "striped", "dotted")]
    return out if complex_ in out else [complex_, *out]
