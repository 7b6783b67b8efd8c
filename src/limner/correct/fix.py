"""From a :class:`~limner.correct.compare.Comparison` to a fix: the layout to draw and the regions
that may change (everything else is held, pixel for pixel).

* ``region`` (the normal case): the plan stays; the regions are the boxes of missing plan objects
  and of extra/excluded detections. When the image was made without a plan (``anywhere``), the plan
  is first moved onto the image: each plan object anchored to a detection takes that detection's
  box, so what is already right stays where it is (SLD's latent operations keep correct objects).
  This is kept only if the moved plan still satisfies the request's relations and its new boxes do
  not collide with what stays.
* ``replan``: otherwise the plan is drawn as it is, and the regions cover every plan object and
  every relevant detection.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..schema import Layout
from ..world.score import Spec, relation_holds
from .compare import Comparison, noun
from .detectors import Found

Box = tuple[float, float, float, float]


class FixPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: Literal["region", "replan", "replan-smaller"]
    layout: Layout
    regions: list[Box]
    protect: list[Box] = []  # boxes of what is already right: held even inside a padded region


def _square(box: Box) -> Box:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    s = max(box[2] - box[0], box[3] - box[1], 0.12)
    x0 = min(max(cx - s / 2, 0.0), 1.0 - s)
    y0 = min(max(cy - s / 2, 0.0), 1.0 - s)
    return (x0, y0, x0 + s, y0 + s)


def _overlap(a: Box, b: Box, gap: float = 0.02) -> bool:
    return not (a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1])


def _relations_hold(layout: Layout, spec: Spec, vocabulary: str) -> bool:
    for r in spec.relations:
        A = [o for o in layout.objects if noun(o.name, vocabulary) == r.a.shape and (not r.a.color or o.color == r.a.color)]
        B = [o for o in layout.objects if noun(o.name, vocabulary) == r.b.shape and (not r.b.color or o.color == r.b.color)]
        if not all(relation_holds(a.box, r.rel, b.box) for a in A for b in B if a is not b):
            return False
    return True


def plan_fix(layout: Layout, dets: list[Found], cmp: Comparison, spec: Spec, vocabulary: str = "world",
             anywhere: bool = False) -> FixPlan:
    """The layout to draw and the regions to redraw for one round."""
    problem_boxes = [p.box for p in cmp.problems if p.box is not None]
    if not anywhere:
        regions = problem_boxes
        if not regions:  # the request fails but every plan object is found: redraw them all
            return FixPlan(strategy="region", layout=layout, regions=[o.box for o in layout.objects])
        # what is right is held — unless its box reaches into a region (two objects drawn as one
        # blob are "found" once: that blob must be redrawn, not protected)
        protect = [dets[i].box for i in cmp.anchors.values()
                   if not any(_overlap(dets[i].box, r, gap=0.0) for r in regions)]
        return FixPlan(strategy="region", layout=layout, regions=regions, protect=protect)
    # the image was drawn without a plan: move the plan onto what is already right
    objs = [o.model_copy(deep=True) for o in layout.objects]
    for j, i in cmp.anchors.items():
        objs[j].box = _square(dets[i].box)
        objs[j].polygon = None
    moved = layout.model_copy(update={"objects": objs})
    held = [d.box for i, d in enumerate(dets)
            if i not in cmp.anchors.values() and not any(p.box == d.box for p in cmp.problems)]
    held += [objs[j].box for j in cmp.anchors]
    new = [objs[j].box for j in range(len(objs)) if j not in cmp.anchors]
    clash = any(_overlap(b, h) for b in new for h in held) or any(
        _overlap(a, b) for k, a in enumerate(new) for b in new[k + 1:])
    if not clash and _relations_hold(moved, spec, vocabulary):
        regions = [objs[j].box for j in range(len(objs)) if j not in cmp.anchors]
        regions += [p.box for p in cmp.problems if p.kind in ("extra", "excluded") and p.box]
        if regions:
            return FixPlan(strategy="region", layout=moved, regions=regions, protect=held)
    relevant = {noun(o.name, vocabulary) for o in layout.objects} | {q.shape for q in spec.exclusions}
    regions = [o.box for o in layout.objects] + [d.box for d in dets if d.shape in relevant]
    return FixPlan(strategy="replan", layout=layout, regions=regions)


def shrink_missing(layout: Layout, cmp: Comparison, factor: float = 0.8) -> Layout:
    """Re-plan for a retry: the plan objects still missing get boxes ``factor`` as large (same
    centres), so they stand further from their neighbours (adjacent objects of one colour merge)."""
    objs = [o.model_copy(deep=True) for o in layout.objects]
    for j, o in enumerate(objs):
        if j in cmp.anchors:
            continue
        (cx, cy), w, h = o.center, (o.box[2] - o.box[0]) * factor, (o.box[3] - o.box[1]) * factor
        o.box, o.polygon = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), None
    return layout.model_copy(update={"objects": objs})


def fix_mask(fix: FixPlan, width: int, height: int) -> np.ndarray:
    """The pixels a fix redraws: its regions (padded) minus what it protects (unless that empties it)."""
    m = region_mask(fix.regions, width, height)
    held = m & ~region_mask(fix.protect, width, height, pad=0.0)
    return held if held.any() else m


def region_mask(regions: list[Box], width: int, height: int, pad: float = 0.04) -> np.ndarray:
    """Boolean (height, width) mask: True inside any region grown by ``pad`` (normalized)."""
    m = np.zeros((height, width), bool)
    for x0, y0, x1, y1 in regions:
        c0 = max(0, int(np.floor((x0 - pad) * width)))
        c1 = min(width, int(np.ceil((x1 + pad) * width)))
        r0 = max(0, int(np.floor((y0 - pad) * height)))
        r1 = min(height, int(np.ceil((y1 + pad) * height)))
        m[r0:r1, c0:c1] = True
    return m


__all__ = ["FixPlan", "fix_mask", "plan_fix", "region_mask", "shrink_missing"]
