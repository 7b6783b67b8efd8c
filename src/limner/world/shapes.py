"""Shape outlines in a unit box, as polygons (normalized [x, y], origin top-left).

The same outlines are used to render corpus images, to paint the layout conditioning of the world
model, and by the sketch renderer (``SceneObject.polygon``).
"""

from __future__ import annotations

import math
from functools import lru_cache

Point = tuple[float, float]


def _circle(n: int = 48) -> list[Point]:
    return [(0.5 + 0.5 * math.cos(2 * math.pi * i / n), 0.5 + 0.5 * math.sin(2 * math.pi * i / n))
            for i in range(n)]


def _star(points: int = 5, inner: float = 0.42) -> list[Point]:
    out = []
    for i in range(2 * points):
        r = 0.5 if i % 2 == 0 else 0.5 * inner
        a = -math.pi / 2 + math.pi * i / points
        out.append((0.5 + r * math.cos(a), 0.54 + r * math.sin(a)))
    # rescale vertically so the star fills the box
    ys = [p[1] for p in out]
    lo, hi = min(ys), max(ys)
    return [(x, (y - lo) / (hi - lo)) for x, y in out]


def _heart(n: int = 60) -> list[Point]:
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((x, -y))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    return [((x - x0) / (x1 - x0), (y - y0) / (y1 - y0)) for x, y in pts]


_UNIT: dict[str, list[Point]] = {
    "circle": _circle(),
    "square": [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)],
    "triangle": [(0.5, 0.0), (1.0, 1.0), (0.0, 1.0)],
    "star": _star(),
    "heart": _heart(),
    "diamond": [(0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5)],
}


@lru_cache(maxsize=None)
def unit_polygon(shape: str) -> tuple[Point, ...]:
    """The shape's outline in the unit box [0,1]²."""
    try:
        return tuple(_UNIT[shape])
    except KeyError:
        raise ValueError(f"unknown world shape '{shape}'") from None


def polygon_in_box(shape: str, box: tuple[float, float, float, float]) -> list[Point]:
    """The shape's outline fitted to ``box`` (normalized xyxy)."""
    x0, y0, x1, y1 = box
    return [(x0 + u * (x1 - x0), y0 + v * (y1 - y0)) for u, v in unit_polygon(shape)]
