"""The exact detector for world images: rendered scenes and what the embedded model generates.

``detect(image) -> list[Detection]``. numpy + scipy only (no torch); ~5–10 ms per 32 px image:

1. **Working size.** Images larger than 96 px that are nearest-neighbour upscales (viewing copies)
   are reduced by their exact integer factor, so an ×8 copy gives the same detections as the
   original; other large images are box-resized to 64 px.
2. **Background**: a vertical gradient (a plain background is the special case) fitted robustly to
   the border pixels, then refined row by row from the pixels close to the fit.
3. **Coverage** ``alpha`` per pixel: the pixel is unmixed against the background towards each
   palette colour and its mixtures with its texture contrast colour; the best fit gives the
   coverage. Seeds = ``alpha > 0.5``; each seed takes a colour and grows through the pixels whose
   coverage *under that colour* is > 0.5 (reconnecting stripes whose contrast colour is close to
   the background); holes are filled, specks dropped, and components bridged by a thin neck (blur)
   are split at it. 4-connected components are objects (the corpus keeps ≥ 1.4 px between
   objects at 32 px, so a gap pixel is never more than half covered).
4. **Colour**: each interior pixel's distance to the segment [base, contrast] of every colour
   (textured objects mix both); the colour with the smallest median distance wins.
   **Texture**: where the pixels sit along that segment (solid ≈ 0, dotted ≈ 0.25, striped ≈ 0.5)
   and how that changes between diagonal neighbours (stripes run along x + y), by a tiny MLP.
   **Shape**: a small MLP over the component's coverage crop
   resized to 16×16 plus geometric features, trained on rendered corpus scenes with
   generation-like degradations (``limner.world.detect_train``; weights in ``data/detector_mlp.npz``).

Steps 1–3 (the pixel stage) live in :mod:`limner.world.coverage`; this module does 4 and ``detect``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage

from .coverage import (  # noqa: F401 - the pixel stage (steps 1-3), re-exported
    BASE_RGB, CONTRAST_RGB, COLOR_NAMES, components, coverage, estimate_background, to_array, working_array)
from .vocab import SHAPES, TEXTURES

WEIGHTS = Path(__file__).parent / "data" / "detector_mlp.npz"  # shape + texture MLPs
CROP = 16  # side of the normalized coverage crop fed to the shape classifier


class Detection(BaseModel):
    """One object found in a world image."""

    model_config = ConfigDict(extra="forbid")

    shape: str = Field(description="world shape name, e.g. 'circle'")
    color: str = Field(description="world colour name, e.g. 'red'")
    texture: str = Field(description="'solid', 'striped' or 'dotted'")
    box: tuple[float, float, float, float] = Field(description="normalized [x0, y0, x1, y1], top-left origin")
    area: float = Field(description="covered fraction of the image")
    score: float = Field(description="confidence in [0, 1] (shape probability × colour fit)")

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    def phrase(self) -> str:
        tex = "" if self.texture == "solid" else self.texture + " "
        return f"{self.color} {tex}{self.shape}"



# ----------------------------------------------------------------------------------------------
# per-component features


def _crop(alpha: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The component's coverage (neighbours zeroed) cropped to its box + 1 px, and the box."""
    ys, xs = np.nonzero(mask)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    grown = ndimage.binary_dilation(mask, iterations=1)
    own = np.where(grown, alpha, 0.0)
    h, w = alpha.shape
    Y0, Y1, X0, X1 = max(0, y0 - 1), min(h, y1 + 1), max(0, x0 - 1), min(w, x1 + 1)
    return own[Y0:Y1, X0:X1], (int(x0), int(y0), int(x1), int(y1))


def shape_features(crop: np.ndarray) -> np.ndarray:
    """Fixed-length shape descriptor: 16×16 resampled coverage + geometric features."""
    from PIL import Image

    h, w = crop.shape
    tot = float(crop.sum()) + 1e-6
    # soft extents (sub-pixel bounding box from coverage profiles)
    col, row = crop.sum(0), crop.sum(1)
    cx = float((col * np.arange(w)).sum() / tot)
    cy = float((row * np.arange(h)).sum() / tot)
    ext_w = float(np.clip(crop, 0, 1).max(0).sum())
    ext_h = float(np.clip(crop, 0, 1).max(1).sum())
    fill = tot / max(ext_w * ext_h, 1e-6)
    mxx = float((col * (np.arange(w) - cx) ** 2).sum() / tot) / max(ext_w, 1) ** 2
    myy = float((row * (np.arange(h) - cy) ** 2).sum() / tot) / max(ext_h, 1) ** 2
    # where the mass sits vertically (triangle, heart and star are top/bottom asymmetric)
    skew_y = float((row * ((np.arange(h) - cy) / max(ext_h, 1)) ** 3).sum() / tot)
    img = Image.fromarray(crop.astype(np.float32), "F").resize((CROP, CROP), Image.BILINEAR)
    grid = np.asarray(img, np.float32).ravel()
    geo = np.array([fill, ext_w / max(ext_h, 1e-6), mxx * 10, myy * 10, skew_y * 30,
                    min(ext_w, ext_h) / 16.0], np.float32)
    return np.concatenate([grid, geo])


def _pair_diff(t: np.ndarray, m: np.ndarray, dy: int, dx: int) -> float:
    """Mean |t(p) - t(p + (dy, dx))| over pixel pairs both inside ``m``."""
    h, w = t.shape
    ys, ye = max(0, -dy), h - max(0, dy)
    xs, xe = max(0, -dx), w - max(0, dx)
    a, b = t[ys:ye, xs:xe], t[ys + dy:ye + dy, xs + dx:xe + dx]
    both = m[ys:ye, xs:xe] & m[ys + dy:ye + dy, xs + dx:xe + dx]
    return float(np.abs(a - b)[both].mean()) if both.any() else 0.0


def color_texture(a: np.ndarray, inner: np.ndarray) -> tuple[str, str, float, np.ndarray]:
    """(colour, texture, colour fit in [0,1], texture features) of one object.

    ``a`` is the image (crop), ``inner`` the object's interior pixels. The colour is the one whose
    segment [base, contrast] passes nearest the pixels (median distance); the texture features
    describe where the pixels sit on that segment (``t``: 0 = base colour, 1 = contrast colour)
    and how ``t`` changes between neighbours (stripes run along x + y = const).
    """
    pix = a[inner]
    seg = CONTRAST_RGB - BASE_RGB  # (10, 3)
    d = pix[:, None, :] - BASE_RGB[None]  # (N, 10, 3)
    t = np.clip((d * seg[None]).sum(-1) / (seg * seg).sum(-1)[None], 0.0, 1.0)  # (N, 10)
    dist = np.linalg.norm(d - t[..., None] * seg[None], axis=-1)  # (N, 10)
    med = np.median(dist, axis=0)
    k = int(med.argmin())
    tk = t[:, k]
    tmap = np.zeros(inner.shape, np.float32)
    tmap[inner] = tk
    anti, main = _pair_diff(tmap, inner, -1, 1), _pair_diff(tmap, inner, 1, 1)
    hori, vert = _pair_diff(tmap, inner, 0, 1), _pair_diff(tmap, inner, 1, 0)
    q = np.quantile(tk, [0.1, 0.25, 0.5, 0.75, 0.9])
    feats = np.array([tk.mean(), tk.std(), np.mean(tk > 0.5), *q, anti, main, hori, vert,
                      main - anti, np.log1p(len(tk)) / 5, med[k] / 50], np.float32)
    fit = float(np.exp(-med[k] / 40.0))
    return COLOR_NAMES[k], texture_of(feats), fit, feats


def texture_rule(f: np.ndarray) -> str:
    """solid ≈ no contrast colour; dotted ≈ a quarter; striped ≈ half (mean position on segment)."""
    mean = float(f[0])
    if mean < 0.12:
        return "solid"
    return "dotted" if mean < 0.37 else "striped"


def texture_of(f: np.ndarray) -> str:
    """Texture from its features: the trained linear classifier, or the rule if none is shipped."""
    m = _mlp()
    if m is None or "T_W0" not in m:
        return texture_rule(f)
    return TEXTURES[int(_forward(m, "T_", f[None])[0].argmax())]


# ----------------------------------------------------------------------------------------------
# shape classifier (tiny MLP, numpy inference)


@lru_cache(maxsize=1)
def _mlp() -> dict[str, np.ndarray] | None:
    if not WEIGHTS.exists():
        return None
    with np.load(WEIGHTS, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _forward(m: dict[str, np.ndarray], prefix: str, feats: np.ndarray) -> np.ndarray:
    """Softmax output of the ReLU MLP stored under ``prefix`` (``{prefix}W0``, ``{prefix}b0``, ...)."""
    h = (feats - m[prefix + "mean"]) / m[prefix + "std"]
    i = 0
    while f"{prefix}W{i}" in m:
        h = h @ m[f"{prefix}W{i}"] + m[f"{prefix}b{i}"]
        if f"{prefix}W{i + 1}" in m:
            h = np.maximum(h, 0.0)
        i += 1
    h = h - h.max(-1, keepdims=True)
    p = np.exp(h)
    return p / p.sum(-1, keepdims=True)


def shape_probs(feats: np.ndarray) -> np.ndarray:
    """(N, 6) class probabilities over SHAPES for (N, F) feature rows."""
    m = _mlp()
    if m is None:
        raise FileNotFoundError(f"detector weights missing: {WEIGHTS} (run python -m limner.world.detect_train)")
    return _forward(m, "S_", feats)


# ----------------------------------------------------------------------------------------------


def analyze(image) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(working array, coverage, component labels, n) — the first half of :func:`detect`."""
    a = working_array(image)
    bg = estimate_background(a)
    alpha, lab, n = components(a, *coverage(a, bg))
    return a, alpha, lab, n


def component_features(a, alpha, lab, n) -> list[dict]:
    """Per component: shape features, colour, texture, box (pixels), area."""
    out = []
    h, w = alpha.shape
    for i in range(1, n + 1):
        mask = lab == i
        crop, (x0, y0, x1, y1) = _crop(alpha, mask)
        inner = ndimage.binary_erosion(mask) & (alpha > 0.9)
        if inner.sum() < 3:
            inner = mask & (alpha > 0.75)
        if inner.sum() < 1:
            inner = mask
        sl = ndimage.find_objects(mask.astype(np.int32))[0]
        color, texture, fit, tfeat = color_texture(a[sl], inner[sl])
        out.append({
            "shape_features": shape_features(crop), "color": color, "texture": texture,
            "color_fit": fit, "texture_features": tfeat,
            "box": (x0 / w, y0 / h, x1 / w, y1 / h),
            "area": float(alpha[mask].sum() / (h * w)),
        })
    return out


def detect(image) -> list[Detection]:
    """Objects in a world image (PIL image or HxWx3 array), ordered top-to-bottom, left-to-right."""
    a, alpha, lab, n = analyze(image)
    comps = component_features(a, alpha, lab, n)
    if not comps:
        return []
    probs = shape_probs(np.stack([c["shape_features"] for c in comps]))
    dets = []
    for c, p in zip(comps, probs):
        k = int(p.argmax())
        dets.append(Detection(shape=SHAPES[k], color=c["color"], texture=c["texture"],
                              box=c["box"], area=round(c["area"], 5),
                              score=round(float(p[k]) * c["color_fit"], 4)))
    dets.sort(key=lambda d: (round(d.center[1], 2), d.center[0]))
    return dets


__all__ = ["Detection", "detect", "TEXTURES", "COLOR_NAMES"]
