"""Layout -> a Control-GPT-style sketch image (a ControlNet conditioning image) and grounding tokens.

Objects are drawn in depth order as filled (or outlined) polygons: the object's own polygon if it
has one, else the shape its name denotes inscribed in its box (circle, triangle, star, heart,
diamond, hexagon, cross) or the box itself. Optional labels name each object.
"""

from __future__ import annotations

import math

from ..errors import InputError
from ..schema import Box, Layout
from .lexicon import color_rgb

Point = tuple[float, float]


def _unit_shape(name: str) -> list[Point] | None:
    """A shape in the unit square (0..1, y down) for shape nouns; None = use the box."""
    if name in ("circle", "oval", "ellipse", "ball", "balloon", "dot", "disc", "disk"):
        return [(0.5 + 0.5 * math.cos(2 * math.pi * k / 48), 0.5 + 0.5 * math.sin(2 * math.pi * k / 48)) for k in range(48)]
    if name in ("triangle", "pyramid"):
        return [(0.5, 0.0), (1.0, 1.0), (0.0, 1.0)]
    if name in ("diamond", "rhombus"):
        return [(0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5)]
    if name == "hexagon":
        return [(0.5 + 0.5 * math.cos(math.pi / 3 * k), 0.5 + 0.5 * math.sin(math.pi / 3 * k)) for k in range(6)]
    if name == "star":
        pts = []
        for k in range(10):
            r = 0.5 if k % 2 == 0 else 0.21
            a = -math.pi / 2 + math.pi * k / 5
            pts.append((0.5 + r * math.cos(a), 0.52 + r * math.sin(a)))
        return pts
    if name == "heart":
        pts = []
        for k in range(60):
            t = 2 * math.pi * k / 60
            x = 16 * math.sin(t) ** 3
            y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
            pts.append((0.5 + x / 34, 0.45 - y / 34))
        return pts
    if name == "cross":
        a, b = 0.33, 0.67
        return [(a, 0), (b, 0), (b, a), (1, a), (1, b), (b, b), (b, 1), (a, 1), (a, b), (0, b), (0, a), (a, a)]
    return None


def object_outline(name: str, box: Box, polygon=None) -> list[Point]:
    """Normalized outline of an object: its polygon, its named shape in its box, or its box."""
    if polygon and len(polygon) >= 3:
        return [tuple(p) for p in polygon]  # type: ignore[misc]
    x0, y0, x1, y1 = box
    unit = _unit_shape(name)
    if unit is None:
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    us, vs = [u for u, _ in unit], [v for _, v in unit]  # stretch the shape to fill its box
    u0, v0, du, dv = min(us), min(vs), (max(us) - min(us)) or 1.0, (max(vs) - min(vs)) or 1.0
    return [(x0 + (u - u0) / du * (x1 - x0), y0 + (v - v0) / dv * (y1 - y0)) for u, v in unit]


def render_sketch(layout: Layout, size: tuple[int, int] | None = None, labels: bool = True,
                  filled: bool = True, background: tuple[int, int, int] = (255, 255, 255)):
    """Draw ``layout`` as a sketch: a PIL RGB image of ``size`` (default: the layout's canvas)."""
    from PIL import Image, ImageDraw, ImageFont

    W, H = size or (layout.width, layout.height)
    if not (8 <= int(W) <= 8192 and 8 <= int(H) <= 8192):
        raise InputError(f"sketch size {W}x{H} is out of range (8..8192)")
    W, H = int(W), int(H)
    img = Image.new("RGB", (W, H), background)
    draw = ImageDraw.Draw(img)
    lw = max(1, round(min(W, H) / 170))
    order = sorted(range(len(layout.objects)), key=lambda i: (layout.objects[i].depth, i))
    for i in order:
        o = layout.objects[i]
        rgb = color_rgb(o.color)
        pts = [(x * (W - 1), y * (H - 1)) for x, y in object_outline(o.name, o.box, o.polygon)]
        if o.color == "white" or (not o.color and filled):
            outline = (40, 40, 40)
        else:
            outline = tuple(int(c * 0.55) for c in rgb)
        if filled:
            draw.polygon(pts, fill=rgb, outline=outline)
            draw.line(pts + [pts[0]], fill=outline, width=lw)
        else:
            draw.line(pts + [pts[0]], fill=rgb if o.color else (0, 0, 0), width=max(2, lw * 2))
    if labels:
        font = ImageFont.load_default()
        for i in order:
            o = layout.objects[i]
            x0, y0, x1, y1 = o.box
            text = " ".join(w for w in (o.color, o.name) if w)
            cx, cy = (x0 + x1) / 2 * W, (y0 + y1) / 2 * H
            try:
                l, t, r, b = draw.textbbox((0, 0), text, font=font)
            except AttributeError:  # very old Pillow
                l, t, r, b = 0, 0, 6 * len(text), 11
            tw, th = r - l, b - t
            tx, ty = min(max(cx - tw / 2, 1), W - tw - 1), min(max(cy - th / 2, 1), H - th - 1)
            draw.rectangle((tx - 1, ty - 1, tx + tw + 1, ty + th + 2), fill=(255, 255, 255))
            draw.text((tx, ty - t), text, fill=(0, 0, 0), font=font)
    return img


def grounding(layout: Layout, pixels: bool = False) -> tuple[list[str], list[Box]]:
    """GLIGEN-style grounding tokens: (phrases, boxes) — normalized xyxy, or pixels if asked."""
    phrases, boxes = layout.grounding()
    if pixels:
        W, H = layout.width, layout.height
        boxes = [(b[0] * W, b[1] * H, b[2] * W, b[3] * H) for b in boxes]
    return phrases, boxes
