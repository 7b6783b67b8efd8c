"""The procedural scene corpus: deterministic by seed, fast, no files.

``sample_scene(seed)`` → a :class:`~limner.schema.Layout` of 1–6 world objects (non-overlapping
square boxes inside the canvas) on a plain or gradient background. ``captions(layout, rng)``
describes it: a short caption ("three red circles and a blue square"), a descriptive caption with
sizes, textures, background and relations that are *true of the scene*, and a relation caption in
GenEval style ("a red circle left of a blue square") when one exists.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ..schema import Layout, SceneObject
from .vocab import BACKGROUND_COLORS, BACKGROUND_STYLES, COLORS, PLURALS, SHAPES, SIZES, TEXTURES

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
# relation -> (axis, sign): "left of" means A's centre x is smaller than B's by a margin
RELATIONS = {"left of": (0, -1), "right of": (0, 1), "above": (1, -1), "below": (1, 1)}
REL_MARGIN = 0.12  # centres must differ by this much (normalized) for a relation to be stated
MIN_GAP = 0.045  # free space between objects (≈1.5 px at 32 px), so the detector can split them


@dataclass(frozen=True)
class SceneCaptions:
    short: str
    descriptive: str
    relation: str | None  # GenEval-style two-group relation caption, if one holds


def sample_scene(seed: int, max_objects: int = 6, max_tries: int = 200) -> Layout:
    """A random world scene; the same seed always gives the same scene."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, max_objects + 1))
    # Objects come in 1–3 groups of identical (shape, colour) so counts are common.
    n_groups = int(rng.integers(1, min(3, n) + 1))
    groups = []
    for _ in range(n_groups):
        groups.append((SHAPES[rng.integers(len(SHAPES))], list(COLORS)[rng.integers(len(COLORS))],
                       TEXTURES[rng.integers(len(TEXTURES))] if rng.random() < 0.5 else "solid"))
    assign = [i % n_groups for i in range(n)]
    sizes = list(SIZES)
    boxes: list[tuple[float, float, float, float]] = []
    objects: list[SceneObject] = []
    for gi in assign:
        shape, color, texture = groups[gi]
        size = sizes[rng.integers(len(sizes))]
        for _ in range(max_tries):
            s = SIZES[size] * float(rng.uniform(0.92, 1.08))
            x0, y0 = float(rng.uniform(0.02, 0.98 - s)), float(rng.uniform(0.02, 0.98 - s))
            box = (x0, y0, x0 + s, y0 + s)
            if all(_gap(box, b) > MIN_GAP for b in boxes):
                break
        else:
            continue  # no room: drop this instance
        boxes.append(box)
        objects.append(SceneObject(name=shape, color=color, size=size, texture=texture, box=box))
    style = BACKGROUND_STYLES[rng.integers(len(BACKGROUND_STYLES))]
    bgs = list(BACKGROUND_COLORS)
    a, b = rng.choice(len(bgs), size=2, replace=False)
    background = f"plain {bgs[a]}" if style == "plain" else f"gradient {bgs[a]} to {bgs[b]}"
    layout = Layout(width=512, height=512, objects=objects, background=background)
    layout.caption = captions(layout, np.random.default_rng(seed + 1)).short
    return layout


def _gap(a, b) -> float:
    """Separation between two boxes (negative if they overlap)."""
    dx = max(b[0] - a[2], a[0] - b[2])
    dy = max(b[1] - a[3], a[1] - b[3])
    return max(dx, dy)


def group_key(o: SceneObject) -> tuple[str, str]:
    return (o.color or "", o.name)


def count_phrase(n: int, color: str, shape: str, extra: str = "") -> str:
    noun = shape if n == 1 else PLURALS.get(shape, shape + "s")
    det = ("an" if (extra or color)[:1] in "aeiou" else "a") if n == 1 else NUMBER_WORDS[n]
    return " ".join(w for w in (det, extra, color, noun) if w)


def group_relation(layout: Layout, ka, kb) -> str | None:
    """A relation that holds between every object of group ``ka`` and every one of ``kb``."""
    A = [o for o in layout.objects if group_key(o) == ka]
    B = [o for o in layout.objects if group_key(o) == kb]
    for rel, (axis, sign) in RELATIONS.items():
        if all(sign * (b.center[axis] - a.center[axis]) < -REL_MARGIN for a in A for b in B):
            return rel
    return None


def captions(layout: Layout, rng: np.random.Generator) -> SceneCaptions:
    counts = Counter(group_key(o) for o in layout.objects)
    keys = list(counts)
    short = " and ".join(count_phrase(counts[k], k[0], k[1]) for k in keys)
    parts = []
    for k in keys:
        objs = [o for o in layout.objects if group_key(o) == k]
        sz = Counter(o.size for o in objs).most_common(1)[0][0] if len({o.size for o in objs}) == 1 else ""
        tex = objs[0].texture if objs[0].texture and objs[0].texture != "solid" else ""
        parts.append(count_phrase(counts[k], k[0], k[1], extra=" ".join(w for w in (sz, tex) if w)))
    rels = []
    for ka, kb in combinations(keys, 2):
        r = group_relation(layout, ka, kb)
        if r:
            rels.append((ka, kb, r))
    desc = " and ".join(parts)
    if rels:
        ka, kb, r = rels[int(rng.integers(len(rels)))]
        desc += f", the {_plural(counts[ka], ka)} {_verb(counts[ka])} {r} the {_plural(counts[kb], kb)}"
    desc += f", on a {layout.background} background"
    relation = None
    if rels:
        ka, kb, r = rels[int(rng.integers(len(rels)))]
        relation = f"{count_phrase(counts[ka], *ka)} {r} {count_phrase(counts[kb], *kb)}"
    return SceneCaptions(short=short, descriptive=desc, relation=relation)


def _plural(n: int, key) -> str:
    color, shape = key
    return f"{color} {shape if n == 1 else PLURALS.get(shape, shape + 's')}".strip()


def _verb(n: int) -> str:
    return "is" if n == 1 else "are"
