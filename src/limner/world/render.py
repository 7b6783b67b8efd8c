"""Render a world :class:`~limner.schema.Layout` to an anti-aliased RGB image (exact ground truth).

Objects whose name is a world shape (see :mod:`limner.world.vocab`) are drawn in depth order with
their colour and texture; drawing happens at ``supersample``× and is box-filtered down, so edges
are anti-aliased. Deterministic: the same layout gives the same bytes.

Background strings: ``"plain <color>"`` or ``"gradient <color> to <color>"`` with colours from
``BACKGROUND_COLORS``; anything else falls back to plain gray.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ..schema import Layout, SceneObject
from .shapes import polygon_in_box
from .vocab import BACKGROUND_COLORS, COLORS, contrast_color, world_shape

DEFAULT_BG = "plain gray"


def parse_background(text: str) -> tuple[str, tuple[int, int, int], tuple[int, int, int]]:
    """("plain"|"gradient", top colour, bottom colour) from a background string."""
    words = text.lower().replace(",", " ").split()
    cols = [w for w in words if w in BACKGROUND_COLORS]
    if "gradient" in words and len(cols) >= 2:
        return "gradient", BACKGROUND_COLORS[cols[0]], BACKGROUND_COLORS[cols[1]]
    c = BACKGROUND_COLORS[cols[0]] if cols else BACKGROUND_COLORS["gray"]
    return "plain", c, c


def background_array(text: str, size: int) -> np.ndarray:
    """HxWx3 float32 array in [0, 255]: plain colour or vertical gradient."""
    _, top, bottom = parse_background(text or DEFAULT_BG)
    t = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    col = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return np.broadcast_to(col, (size, size, 3)).copy()


def _texture(obj: SceneObject, size: int, canvas: int) -> np.ndarray:
    """HxWx3 fill for one object at render resolution ``size`` (canvas px of the final image)."""
    color = obj.color if obj.color in COLORS else "white"
    base = np.array(COLORS[color], np.float32)
    alt = np.array(contrast_color(color), np.float32)
    fill = np.broadcast_to(base, (size, size, 3)).copy()
    tex = obj.texture or "solid"
    scale = size / canvas  # supersampling factor
    period = max(2.0, 0.09 * canvas) * scale
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    if tex == "striped":
        band = ((xx + yy) % period) < period / 2
        fill[band] = alt
    elif tex == "dotted":
        cx = (xx % period) - period / 2
        cy = (yy % period) - period / 2
        dot = cx * cx + cy * cy <= (period * 0.28) ** 2
        fill[dot] = alt
    return fill


def render_layout(layout: Layout, size: int = 32, supersample: int = 4) -> Image.Image:
    """Draw ``layout`` at ``size``×``size`` pixels. Non-world objects are skipped."""
    hi = size * supersample
    canvas = background_array(layout.background, hi)
    for obj in sorted(layout.objects, key=lambda o: o.depth):
        shape = world_shape(obj.name)
        if shape is None:
            continue
        poly = obj.polygon or polygon_in_box(shape, obj.box)
        mask_img = Image.new("L", (hi, hi), 0)
        ImageDraw.Draw(mask_img).polygon([(x * hi, y * hi) for x, y in poly], fill=255)
        mask = np.asarray(mask_img, np.float32)[..., None] / 255.0
        canvas = canvas * (1 - mask) + _texture(obj, hi, size) * mask
    img = Image.fromarray(np.clip(canvas + 0.5, 0, 255).astype(np.uint8), "RGB")
    return img.resize((size, size), Image.BOX) if supersample > 1 else img


def object_mask(obj: SceneObject, size: int, supersample: int = 4) -> np.ndarray:
    """Float mask in [0, 1] (size×size) of one world object's silhouette, anti-aliased."""
    hi = size * supersample
    shape = world_shape(obj.name) or "square"
    poly = obj.polygon or polygon_in_box(shape, obj.box)
    m = Image.new("L", (hi, hi), 0)
    ImageDraw.Draw(m).polygon([(x * hi, y * hi) for x, y in poly], fill=255)
    return np.asarray(m.resize((size, size), Image.BOX), np.float32) / 255.0
