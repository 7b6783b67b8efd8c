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
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage

from .vocab import COLORS, SHAPES, TEXTURES, contrast_color

WEIGHTS = Path(__file__).parent / "data" / "detector_mlp.npz"  # shape + texture MLPs
WORK_MAX = 96  # larger images are reduced (exact factor for nearest upscales, else to 64 px)
CROP = 16  # side of the normalized coverage crop fed to the shape classifier
FG_ALPHA = 0.5  # coverage above which a pixel belongs to an object
MIN_AREA_FRAC = 0.004  # components smaller than this fraction of the image are specks (4 px at 32)

COLOR_NAMES: tuple[str, ...] = tuple(COLORS)
_BASE = np.array([COLORS[c] for c in COLOR_NAMES], np.float32)  # (10, 3)
_ALT = np.array([contrast_color(c) for c in COLOR_NAMES], np.float32)  # (10, 3)
# what an object pixel can be made of: each colour mixed with its contrast colour, in eighths
N_MIX = 9
_MIXES = np.concatenate([_BASE + t * (_ALT - _BASE) for t in np.linspace(0.0, 1.0, N_MIX)])


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
# image → working array


def to_array(image) -> np.ndarray:
    """HxWx3 float32 in [0, 255] from a PIL image or an array (uint8 0–255 or float 0–1 / 0–255)."""
    if hasattr(image, "convert"):
        a = np.asarray(image.convert("RGB"), np.float32)
    else:
        a = np.asarray(image)
        if a.ndim == 2:
            a = np.stack([a] * 3, -1)
        if a.ndim != 3 or a.shape[-1] not in (3, 4):
            raise ValueError(f"expected an HxWx3 image, got shape {a.shape}")
        a = a[..., :3]
        if a.dtype.kind == "f" and a.max(initial=0) <= 1.0 + 1e-6:
            a = a * 255.0
        a = a.astype(np.float32)
    if a.shape[0] < 4 or a.shape[1] < 4:
        raise ValueError(f"image too small to detect anything ({a.shape[1]}x{a.shape[0]})")
    return a


def _upscale_factor(a: np.ndarray) -> int:
    """The largest k > 1 such that ``a`` is (almost) a nearest-neighbour ×k upscale, else 1."""
    h, w = a.shape[:2]
    for k in range(min(h, w) // 8, 1, -1):
        if h % k or w % k:
            continue
        blocks = a.reshape(h // k, k, w // k, k, 3)
        spread = blocks.max(axis=(1, 3)) - blocks.min(axis=(1, 3))
        if np.mean(spread.max(-1) <= 6) > 0.98:  # tolerate a little JPEG/resampling noise
            return k
    return 1


def working_array(image) -> np.ndarray:
    """The image at the size the detector works at (see module doc)."""
    a = to_array(image)
    h, w = a.shape[:2]
    if max(h, w) <= WORK_MAX:
        return a
    k = _upscale_factor(a)
    if k > 1:
        a = a.reshape(h // k, k, w // k, k, 3).mean(axis=(1, 3))
        if max(a.shape[:2]) <= WORK_MAX:
            return a.astype(np.float32)
        h, w = a.shape[:2]
    from PIL import Image

    s = 64 / max(h, w)
    nh, nw = max(8, round(h * s)), max(8, round(w * s))
    chans = [np.asarray(Image.fromarray(a[..., c].astype(np.float32), "F").resize((nw, nh), Image.BOX))
             for c in range(3)]
    return np.stack(chans, -1).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# background, coverage, components


def estimate_background(a: np.ndarray) -> np.ndarray:
    """Per-row background colour (H x 3): a robust vertical-gradient fit, refined row by row."""
    h, w = a.shape[:2]
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)
    pix = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    py = np.concatenate([np.zeros(w), np.ones(w), ys, ys]).astype(np.float32)
    keep = np.ones(len(pix), bool)
    X = np.stack([np.ones_like(py), py], 1)
    coef = np.zeros((2, 3), np.float32)
    for _ in range(4):
        coef, *_ = np.linalg.lstsq(X[keep], pix[keep], rcond=None)
        res = np.linalg.norm(pix - X @ coef, axis=1)
        thr = max(10.0, 2.5 * float(np.median(res[keep])))
        new = res <= thr
        if new.sum() < 8 or np.array_equal(new, keep):
            break
        keep = new
    fit = np.stack([np.ones_like(ys), ys], 1) @ coef  # (H, 3)
    # refine with every pixel that looks like background (handles a slightly curved gradient)
    close = np.linalg.norm(a - fit[:, None, :], axis=-1) < 24.0
    n = close.sum(1)
    sums = (a * close[..., None]).sum(1)
    rows = np.where((n >= max(3, w // 8))[:, None], sums / np.maximum(n, 1)[:, None], fit)
    return ndimage.uniform_filter1d(rows, size=3, axis=0, mode="nearest").astype(np.float32)


def _unmix(d: np.ndarray, bg_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coverage α, fitting cost and residual of pixels ``d`` (N x 3, minus background) against
    every candidate colour, each pixel against the background of its row (``bg_rows``, N x 3)."""
    v = _MIXES[None, :, :] - bg_rows[:, None, :]  # (N, K, 3)
    vv = (v * v).sum(-1)  # (N, K)
    dv = np.einsum("nc,nkc->nk", d, v)
    al = np.clip(dv / np.maximum(vv, 1.0), 0.0, 1.0)
    res = np.sqrt(np.maximum((d * d).sum(-1)[:, None] - 2 * al * dv + al * al * vv, 0.0))
    cost = np.where(vv >= 30.0 ** 2, res + 2.0 * al, np.inf)
    return al, cost, res


def coverage(a: np.ndarray, bg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel object coverage in [0, 1] (H x W), and per colour (H x W x 10).

    A pixel is modelled as ``bg + α (c - bg)`` for each candidate object colour ``c`` (the base
    colours and their mixtures with their texture contrast colour, in eighths); the candidate with
    the smallest residual (plus a small penalty on α, so that ambiguous pixels count as background)
    gives α. Candidates within 30 of the background colour cannot be told from it and are skipped;
    pixels within 6 of the background are background.
    """
    h, w = a.shape[:2]
    k = len(COLOR_NAMES)
    d = a - bg[:, None, :]
    dist = np.linalg.norm(d, axis=-1)
    alpha = np.zeros((h, w), np.float32)
    per_color = np.zeros((h, w, k), np.float32)
    todo = dist >= 6.0
    if not todo.any():
        return alpha, per_color
    rows = np.nonzero(todo)[0]
    al, cost, res = _unmix(d[todo], bg[rows])
    best = cost.argmin(-1)[:, None]
    a_best = np.take_along_axis(al, best, -1)[:, 0]
    r_best = np.take_along_axis(res, best, -1)[:, 0]
    # pixels far from background but unlike any palette colour (colour drift) still count
    alpha[todo] = np.maximum(a_best, np.clip(dist[todo] / 110.0, 0, 1) * (r_best > 40))
    bk = cost.reshape(-1, N_MIX, k).argmin(1)  # best mixture per colour
    per_color[todo] = np.take_along_axis(al.reshape(-1, N_MIX, k), bk[:, None, :], 1)[:, 0, :]
    return alpha, per_color


def _relabel(lab: np.ndarray, min_area: float) -> tuple[np.ndarray, int]:
    """Drop components smaller than ``min_area`` and renumber the rest 1..n."""
    sizes = np.bincount(lab.ravel())
    keep = sizes >= min_area
    keep[0] = False
    lut = np.zeros(len(sizes), np.int32)
    lut[keep] = np.arange(1, int(keep.sum()) + 1)
    return lut[lab], int(keep.sum())


def components(a: np.ndarray, alpha: np.ndarray, per_color: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(coverage, labels, n): 4-connected object components, specks removed.

    Seeds are the pixels with coverage > 0.5 under any colour. Each seed's colour is then fixed and
    the seeds of one colour grow through the pixels whose coverage *under that colour* is > 0.5:
    this reconnects the stripes/dots of a textured object whose contrast colour is close to the
    background, while the gap between two objects (coverage < 0.5 by construction) stays open.
    """
    min_area = max(3.0, MIN_AREA_FRAC * alpha.size)
    seeds, n = ndimage.label(ndimage.binary_fill_holes(alpha > FG_ALPHA))
    if n == 0:
        return alpha, seeds, 0
    colors = np.full(n + 1, -1)
    for i, sl in enumerate(ndimage.find_objects(seeds), start=1):
        colors[i] = _color_index(a[sl][seeds[sl] == i])
    lab = np.zeros_like(seeds)
    cov = alpha.copy()
    nxt = 0
    for k in sorted(set(colors[1:].tolist())):
        ak = per_color[..., k]
        sk = np.isin(seeds, np.nonzero(colors == k)[0])
        region = ndimage.binary_propagation(sk, mask=(ak > FG_ALPHA) | sk)
        region = ndimage.binary_fill_holes(region) & (lab == 0)
        lk, nk = ndimage.label(region)
        lab = np.where(lk > 0, lk + nxt, lab)
        cov = np.where(region, np.maximum(ak, alpha), cov)
        nxt += nk
    # fragments of one object that were seeded apart (and grown under different colours) touch
    lab, n = ndimage.label(lab > 0)
    lab, n = _relabel(lab, min_area)
    lab, n = _split_necks(lab, n)
    return cov, lab, n


SPLIT_MIN_FRAC = 0.012  # each part of a split must be at least this much of the image (≈ 12 px at 32)


def _split_necks(lab: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Split components made of two objects bridged by a thin neck (blur/soft edges in generated
    images): if eroding a component leaves ≥ 2 big cores, its pixels go to the nearest core."""
    min_part = SPLIT_MIN_FRAC * lab.size
    out = np.zeros_like(lab)
    nxt = 0
    for i, sl in enumerate(ndimage.find_objects(lab), start=1):
        if sl is None:
            continue
        m = np.pad(lab[sl] == i, 1)
        cores, nc = ndimage.label(ndimage.binary_erosion(m))
        parts = None
        if nc >= 2:
            sizes = np.bincount(cores.ravel())[1:]
            big = np.nonzero(sizes >= min_part / 3)[0] + 1
            if len(big) >= 2:
                keep = np.where(np.isin(cores, big), cores, 0)
                _, (iy, ix) = ndimage.distance_transform_edt(keep == 0, return_indices=True)
                parts = np.where(m, keep[iy, ix], 0)
                psizes = np.bincount(parts.ravel())[big]
                if (psizes < min_part).any():
                    parts = None
        region = out[sl]
        if parts is None:
            region[m[1:-1, 1:-1]] = nxt + 1
            nxt += 1
        else:
            ids = np.unique(parts[parts > 0])
            for j, pid in enumerate(ids, start=1):
                region[(parts == pid)[1:-1, 1:-1]] = nxt + j
            nxt += len(ids)
    return out, nxt


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


def _color_index(pix: np.ndarray) -> int:
    seg = _ALT - _BASE
    d = pix[:, None, :] - _BASE[None]
    t = np.clip((d * seg[None]).sum(-1) / (seg * seg).sum(-1)[None], 0.0, 1.0)
    return int(np.median(np.linalg.norm(d - t[..., None] * seg[None], axis=-1), axis=0).argmin())


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
    seg = _ALT - _BASE  # (10, 3)
    d = pix[:, None, :] - _BASE[None]  # (N, 10, 3)
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
