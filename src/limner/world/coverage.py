"""The pixel stage of the world detector: working size, background, coverage, components.

Steps 1–3 of :mod:`limner.world.detect` (see its docstring): bring the image to the working size,
fit the background, unmix every pixel against it into an object coverage, and label the objects
as connected components. numpy + scipy only.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .vocab import COLORS, contrast_color

WORK_MAX = 96  # larger images are reduced (exact factor for nearest upscales, else to 64 px)
FG_ALPHA = 0.5  # coverage above which a pixel belongs to an object
MIN_AREA_FRAC = 0.004  # components smaller than this fraction of the image are specks (4 px at 32)

COLOR_NAMES: tuple[str, ...] = tuple(COLORS)
BASE_RGB = np.array([COLORS[c] for c in COLOR_NAMES], np.float32)  # (10, 3)
CONTRAST_RGB = np.array([contrast_color(c) for c in COLOR_NAMES], np.float32)  # (10, 3)
# what an object pixel can be made of: each colour mixed with its contrast colour, in eighths
N_MIX = 9
_MIXES = np.concatenate([BASE_RGB + t * (CONTRAST_RGB - BASE_RGB) for t in np.linspace(0.0, 1.0, N_MIX)])


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


def _color_index(pix: np.ndarray) -> int:
    seg = CONTRAST_RGB - BASE_RGB
    d = pix[:, None, :] - BASE_RGB[None]
    t = np.clip((d * seg[None]).sum(-1) / (seg * seg).sum(-1)[None], 0.0, 1.0)
    return int(np.median(np.linalg.norm(d - t[..., None] * seg[None], axis=-1), axis=0).argmin())
