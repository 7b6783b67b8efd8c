"""The embedded world's vocabulary: shapes, colours, sizes, textures, backgrounds.

Everything the world can draw is named here, once. Colours are the 10 GenEval colours.
"""

from __future__ import annotations

SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star", "heart", "diamond")

# name -> sRGB. Saturated, well apart from each other and from the backgrounds below.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "orange": (245, 140, 20),
    "yellow": (245, 220, 30),
    "green": (40, 170, 60),
    "blue": (30, 80, 220),
    "purple": (130, 50, 180),
    "pink": (245, 130, 190),
    "brown": (120, 70, 30),
    "black": (20, 20, 20),
    "white": (250, 250, 250),
}

# size word -> side of the object's (square) box as a fraction of the canvas side
SIZES: dict[str, float] = {"small": 0.22, "medium": 0.30, "large": 0.38}

TEXTURES: tuple[str, ...] = ("solid", "striped", "dotted")

# Backgrounds are muted mid-light tints, so that every object colour (white included) stands out.
BACKGROUND_COLORS: dict[str, tuple[int, int, int]] = {
    "gray": (170, 170, 170),
    "beige": (200, 185, 150),
    "sky": (150, 180, 200),
    "mint": (160, 195, 170),
}
BACKGROUND_STYLES: tuple[str, ...] = ("plain", "gradient")

# Plural forms used in captions.
PLURALS: dict[str, str] = {s: s + "s" for s in SHAPES}

# Synonyms a user may type for a world shape (the planner's nouns are mapped through this).
SHAPE_SYNONYMS: dict[str, str] = {
    "ball": "circle", "disc": "circle", "disk": "circle", "dot": "circle", "ring": "circle",
    "box": "square", "block": "square", "cube": "square", "rectangle": "square", "tile": "square",
    "pyramid": "triangle",
    "rhombus": "diamond", "lozenge": "diamond",
}


def world_shape(name: str) -> str | None:
    """The world shape a noun denotes, or None if the world cannot draw it."""
    n = name.strip().lower()
    if n in SHAPES:
        return n
    return SHAPE_SYNONYMS.get(n)


def contrast_color(color: str) -> tuple[int, int, int]:
    """The second colour of a striped/dotted texture: a tint for dark colours, a shade for light."""
    r, g, b = COLORS[color]
    lum = 0.299 * r + 0.587 * g + 0.114 * b
    if lum < 110:
        return tuple(int(c + (255 - c) * 0.45) for c in (r, g, b))  # type: ignore[return-value]
    return tuple(int(c * 0.55) for c in (r, g, b))  # type: ignore[return-value]
