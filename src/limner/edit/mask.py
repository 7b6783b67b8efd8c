"""Where an edit may draw: the keep mask of region-preserving (blended) sampling.

The planner knows which objects an instruction changes (``edit.sketch.plan_target`` gives the
target layout). Everything else should come out as it went in. Blended Diffusion (Avrahami et al.,
2022) and DiffEdit (Couairon et al., 2023) keep the unedited region by replacing it, at every
sampling step, with the source; the model draws only inside the edit region, with the kept pixels
as context. limner does the same with the planner's region (:func:`keep_mask`):

* object edits (recolour, texture, move, size, add, remove, count): the edit region is the union
  of the silhouettes of every object that differs between source and target (where it was and
  where it will be), grown by ``pad`` pixels for anti-aliased edges; around it the mask ramps up
  over ``FEATHER`` pixels, so the model blends the seam; all other pixels are kept;
* a background edit: the whole background is redrawn and the objects are composited over it:
  interior pixels are kept, anti-aliased edge pixels keep their object share (the detector's
  coverage) with the old background unmixed (:func:`object_matte`).

The region an object leaves (removed, moved away, shrunk, reshaped) and no target object covers
is repainted with the estimated background and kept (:func:`vacated`), and the image the model is
conditioned on gets the same repaint (:func:`cleared_source`), so a move leaves no ghost, a remove
no outline, and a shrunk object is not copied back at its old size: the model only draws what is
new.

No target (the instruction was not understood) → no mask: the model redraws the whole image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..schema import Layout, SceneObject

INTERIOR_ALPHA = 0.95
SILHOUETTE_INSIDE = 0.99
MIN_MATTE = 0.05
DEFAULT_PAD = 1
NEW_INSIDE = 0.5  # a pixel at least this much inside a new silhouette is the model's to draw
FEATHER = 2


def _key(o: SceneObject):
    return (o.name, o.color, o.texture or "solid", tuple(round(float(c), 6) for c in o.box))


def changed_objects(source: Layout, target: Layout) -> list[SceneObject]:
    """Objects of ``source`` with no identical object in ``target``, and the other way round."""
    out: list[SceneObject] = []
    for a, b in ((source, target), (target, source)):
        pool = [_key(o) for o in b.objects]
        for o in a.objects:
            k = _key(o)
            if k in pool:
                pool.remove(k)
            else:
                out.append(o)
    return out


def object_matte(image, objects: Sequence[SceneObject] = ()) -> tuple[np.ndarray, np.ndarray]:
    """(alpha, colour): the objects pulled off the background of ``image``, for a new background.

    alpha (H×W in [0, 1]) is the detector's coverage on the object components, raised to 1 on
    interior pixels (inside a component shrunk by one pixel, or fully inside the silhouette of one
    of ``objects`` — the stripes of a textured object whose second colour is close to the
    background can look like background to the coverage map). colour (H×W×3, 0–255) is each
    pixel with the old background unmixed (``image = bg + alpha (colour - bg)``), so that
    ``alpha·colour + (1 - alpha)·new_background`` re-composites the anti-aliased edges."""
    from scipy import ndimage

    from ..world.detect import analyze, estimate_background
    from ..world.render import object_mask

    a, alpha, lab, _ = analyze(image)
    obj = lab > 0
    inside = obj & ((alpha >= INTERIOR_ALPHA) | ndimage.binary_erosion(obj))
    for o in objects:
        inside |= object_mask(o, alpha.shape[0]) >= SILHOUETTE_INSIDE
    near = ndimage.binary_dilation(obj | inside)
    al = np.where(inside, 1.0, np.where(near, alpha, 0.0)).astype(np.float32)
    bg = estimate_background(a)[:, None, :]
    col = np.where(al[..., None] > MIN_MATTE, bg + (a - bg) / np.maximum(al, MIN_MATTE)[..., None], a)
    return al, np.clip(col, 0, 255).astype(np.float32)


def shape_region(objects: Sequence[SceneObject], size: int, pad: int) -> np.ndarray:
    """Boolean size×size mask: the union of the objects' silhouettes, grown by ``pad`` pixels."""
    from scipy import ndimage

    from ..world.render import object_mask

    m = np.zeros((size, size), bool)
    for o in objects:
        m |= object_mask(o, size) > 0
    return ndimage.binary_dilation(m, iterations=pad) if pad > 0 and m.any() else m


def feathered(region: np.ndarray, width: int) -> np.ndarray:
    """1 − region, with a linear ramp ``width`` pixels wide outside the region (0 inside)."""
    from scipy import ndimage

    if width <= 0 or not region.any():
        return (~region).astype(np.float32)
    dist = ndimage.distance_transform_edt(~region)
    return np.clip(dist / (width + 1), 0.0, 1.0).astype(np.float32)


def vacated(src: np.ndarray, source: Layout, target: Layout, changed: Sequence[SceneObject],
            keep: np.ndarray, size: int, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Where an object was and no object of the target will be (a remove, the old place of a move,
    the part of a shrunk object outside its new outline) is repainted with the estimated
    background and kept: the model draws only the new silhouettes, so no ghost or outline stays."""
    from ..world.detect import estimate_background

    from ..world.render import object_mask

    old, new, kept = _vacating(source, target, changed)
    inside_new = np.zeros((size, size), bool)
    for o in new:
        inside_new |= object_mask(o, size) >= NEW_INSIDE
    gone = shape_region(old, size, pad + 1) & ~inside_new & ~shape_region(kept, size, 1)
    if not gone.any():
        return keep, src
    bg = np.broadcast_to(estimate_background(src)[:, None, :], src.shape)
    fill = np.where(gone[..., None], bg, src).astype(np.float32)
    return np.where(gone, 1.0, keep).astype(np.float32), fill


def _vacating(source: Layout, target: Layout, changed: Sequence[SceneObject]):
    """(objects that leave pixels, objects of the target that are new or changed, kept objects)."""
    tgt_ids = {id(o) for o in target.objects}
    new = [o for o in changed if id(o) in tgt_ids]
    # an object vacates pixels unless the target has the same shape in the same box (recolour, texture)
    old = [o for o in changed if id(o) not in tgt_ids
           and not any(n.name == o.name and np.allclose(n.box, o.box, atol=1e-6) for n in new)]
    ids = {id(o) for o in changed}
    return old, new, [o for o in target.objects if id(o) not in ids]


def cleared_source(image, source: Layout | None, target: Layout | None, size: int = 32) -> np.ndarray | None:
    """The source image (size×size×3, 0–255) with what the edit vacates already painted over with the
    estimated background — what the model is conditioned on, so it does not copy the old object
    back (a shrunk square stays shrunk, a moved one leaves no ghost). None when nothing is vacated."""
    from ..world.detect import estimate_background

    if source is None or target is None or (source.background or "") != (target.background or ""):
        return None
    src = np.asarray(image.convert("RGB") if hasattr(image, "convert") else image, np.float32)
    if src.shape[:2] != (size, size):
        return None
    old, new, kept = _vacating(source, target, changed_objects(source, target))
    from ..world.render import object_mask

    inside_new = np.zeros((size, size), bool)
    for o in new:
        inside_new |= object_mask(o, size) >= NEW_INSIDE
    # what the new silhouette covers stays as it was (clearing all of a moved/resized object was
    # measured worse; clearing all of a grown one made no difference)
    gone = shape_region(old, size, DEFAULT_PAD) & ~inside_new & ~shape_region(kept, size, 1)
    if not gone.any():
        return None
    bg = np.broadcast_to(estimate_background(src)[:, None, :], src.shape)
    return np.where(gone[..., None], bg, src).astype(np.float32)


def keep_mask(image, source: Layout | None, target: Layout | None, size: int = 32,
              pad: int = DEFAULT_PAD, vacate: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
    """(keep, fill), or None = no mask. ``keep`` (size×size, [0, 1]): how much of each pixel comes
    from ``fill`` (size×size×3, 0–255) rather than from the model: the source image itself for an
    object edit, the matted objects (:func:`object_matte`) for a background edit.

    ``image`` is the native source image the layouts were detected in."""
    if source is None or target is None:
        return None
    src = np.asarray(image.convert("RGB") if hasattr(image, "convert") else image, np.float32)
    if src.shape[:2] != (size, size):
        return None
    changed = changed_objects(source, target)
    region = shape_region(changed, size, pad)
    if (source.background or "") == (target.background or ""):
        keep, fill = feathered(region, FEATHER), src
        if vacate:
            keep, fill = vacated(src, source, target, changed, keep, size, pad)
        return keep, fill
    ids = {id(o) for o in changed}
    al, col = object_matte(image, [o for o in source.objects if id(o) not in ids])
    return np.where(region, 0.0, al).astype(np.float32), col
