"""Paint a :class:`~limner.schema.Layout` into conditioning channels (a Control-GPT-style sketch).

The world model sees the layout as extra input channels next to the noisy image, all the same size
(``size``×``size``), painted in depth order (nearer objects cover farther ones):

====  ==========================================================================
ch    meaning
====  ==========================================================================
0–2   object colour (sRGB scaled to [-1, 1]) inside each object's silhouette, 0 outside
3     silhouette coverage in [0, 1] (anti-aliased)
4     "striped" coverage: silhouette of the visible striped objects
5     "dotted" coverage: silhouette of the visible dotted objects
6–8   background colour per row (plain or vertical gradient), in [-1, 1], if the background
      text names world background colours; 0 otherwise
9     1 where the background is known (channels 6–8 are meaningful), else 0
====  ==========================================================================

All zeros means "no layout" (text-only generation, and the classifier-free-guidance null).

Objects the world cannot draw (``vocab.world_shape(name) is None``, e.g. "cat") are skipped;
:func:`out_of_world` lists them. An object without a known colour is painted white. Planner boxes
need not be square: the world shape is fitted into the **largest centred square inside the box**
(world shapes are drawn in square boxes), unless the object carries an explicit ``polygon``.

Pure numpy + PIL, ~0.1 ms per object at 32 px.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ..schema import Layout, SceneObject
from ..world.render import parse_background
from ..world.shapes import polygon_in_box
from ..world.vocab import BACKGROUND_COLORS, COLORS, world_shape

NUM_CHANNELS = 10
CHANNELS = ("obj_r", "obj_g", "obj_b", "mask", "striped", "dotted", "bg_r", "bg_g", "bg_b", "bg_known")


def square_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The largest square (in normalized canvas units) centred inside ``box``."""
    x0, y0, x1, y1 = box
    s = min(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2)


def object_polygon(obj: SceneObject) -> list[tuple[float, float]] | None:
    """The outline the world model is asked to draw for ``obj``; None if out of world."""
    shape = world_shape(obj.name)
    if shape is None:
        return None
    if obj.polygon:
        return [tuple(p) for p in obj.polygon]  # type: ignore[misc]
    return polygon_in_box(shape, square_box(obj.box))


def out_of_world(layout: Layout | None) -> list[str]:
    """Nouns in ``layout`` that the embedded world cannot draw (in order, without repeats)."""
    if layout is None:
        return []
    seen: list[str] = []
    for o in layout.objects:
        if world_shape(o.name) is None and o.name not in seen:
            seen.append(o.name)
    return seen


def _coverage(poly, size: int, supersample: int) -> np.ndarray:
    hi = size * supersample
    m = Image.new("L", (hi, hi), 0)
    ImageDraw.Draw(m).polygon([(x * hi, y * hi) for x, y in poly], fill=255)
    if supersample > 1:
        m = m.resize((size, size), Image.BOX)
    return np.asarray(m, np.float32) / 255.0


def _known_background(text: str) -> bool:
    words = (text or "").lower().replace(",", " ").split()
    return any(w in BACKGROUND_COLORS for w in words)


def layout_to_condition(layout: Layout | None, size: int = 32, supersample: int = 2) -> np.ndarray:
    """``(NUM_CHANNELS, size, size)`` float32 conditioning for ``layout`` (zeros if None)."""
    cond = np.zeros((NUM_CHANNELS, size, size), np.float32)
    if layout is None:
        return cond
    for obj in sorted(layout.objects, key=lambda o: o.depth):  # stable: list order breaks ties
        poly = object_polygon(obj)
        if poly is None:
            continue
        a = _coverage(poly, size, supersample)
        keep = 1.0 - a
        rgb = np.array(COLORS.get(obj.color or "", COLORS["white"]), np.float32) / 127.5 - 1.0
        cond[0:3] = cond[0:3] * keep + rgb[:, None, None] * a
        cond[3] = cond[3] * keep + a
        tex = (obj.texture or "solid").lower()
        cond[4] = cond[4] * keep + (a if tex == "striped" else 0.0)
        cond[5] = cond[5] * keep + (a if tex == "dotted" else 0.0)
    if _known_background(layout.background):
        _, top, bottom = parse_background(layout.background)
        t = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None]
        col = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)  # (size, 3)
        cond[6:9] = (col.T / 127.5 - 1.0)[:, :, None]
        cond[9] = 1.0
    return cond


def layouts_to_condition(layouts, size: int = 32) -> np.ndarray:
    """Stack of :func:`layout_to_condition` for a list (None entries → zeros): (N, C, H, W)."""
    return np.stack([layout_to_condition(lay, size) for lay in layouts])
