"""Check a :class:`Layout` against parsed :class:`Constraints`.

Spatial relations follow GenEval's rule (``evaluate_images.py::relative_position``): the offset
between box centres, each axis reduced by ``0.1 x (sum of the two boxes' sides)``, must point
mostly along the relation's axis (normalized component beyond 0.5). Computed in pixels of the
layout's canvas, as GenEval does on the image. "next to" holds when left-of or right-of holds;
"in front of"/"behind" compare ``depth`` (drawing order). Each instance of the subject group must
relate to each instance of the target group.
"""

from __future__ import annotations

import math

from ..schema import Layout, SceneObject
from .lexicon import singularize
from .types import Constraints, ObjectSpec, Violation

POSITION_THRESHOLD = 0.1  # GenEval's default
MIN_SIDE = 0.02  # a box narrower/shorter than this (normalized) is degenerate
MAX_IOU = 0.35  # overlap bound between two objects not in a depth relation
MAX_OBJECTS = 16


def spatial_relations(a: tuple, b: tuple, width: int = 512, height: int = 512) -> set[str]:
    """The set of GenEval relations of box ``a`` relative to box ``b`` (normalized xyxy)."""
    ax0, ay0, ax1, ay1 = a[0] * width, a[1] * height, a[2] * width, a[3] * height
    bx0, by0, bx1, by1 = b[0] * width, b[1] * height, b[2] * width, b[3] * height
    off = ((ax0 + ax1 - bx0 - bx1) / 2, (ay0 + ay1 - by0 - by1) / 2)
    dims = ((ax1 - ax0) + (bx1 - bx0), (ay1 - ay0) + (by1 - by0))
    rev = [max(abs(o) - POSITION_THRESHOLD * d, 0.0) * math.copysign(1.0, o) if o else 0.0
           for o, d in zip(off, dims)]
    if all(abs(r) < 1e-3 for r in rev):
        return set()
    norm = math.hypot(*off)
    dx, dy = rev[0] / norm, rev[1] / norm
    out = set()
    if dx < -0.5:
        out.add("left of")
    if dx > 0.5:
        out.add("right of")
    if dy < -0.5:
        out.add("above")
    if dy > 0.5:
        out.add("below")
    return out


def relation_holds(a: SceneObject, b: SceneObject, relation: str, width: int = 512, height: int = 512) -> bool:
    if relation == "in front of":
        return a.depth > b.depth
    if relation == "behind":
        return a.depth < b.depth
    rels = spatial_relations(a.box, b.box, width, height)
    if relation == "next to":
        return bool(rels & {"left of", "right of"})
    return relation in rels


def region_holds(box: tuple, region: str) -> bool:
    """The box's centre lies in that part of the canvas (halves; centre = the middle 40%)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if region == "center":
        return abs(cx - 0.5) <= 0.2 and abs(cy - 0.5) <= 0.2
    ok = {"left": cx < 0.5, "right": cx > 0.5, "top": cy < 0.5, "bottom": cy > 0.5}
    return all(ok[p] for p in region.split("-"))


def inside_holds(a: tuple, b: tuple) -> bool:
    """Box ``a``'s centre lies inside box ``b`` and ``a`` is the smaller."""
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    area = lambda t: (t[2] - t[0]) * (t[3] - t[1])  # noqa: E731
    return b[0] < cx < b[2] and b[1] < cy < b[3] and area(a) < area(b)


def between_holds(box: tuple, others: list[tuple], margin: float = 0.02) -> bool:
    """The box's centre lies strictly between the others' centres along x or along y."""
    if len(others) < 2:
        return False
    c = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    for ax in (0, 1):
        vals = [(o[ax] + o[ax + 2]) / 2 for o in others]
        if min(vals) + margin < c[ax] < max(vals) - margin:
            return True
    return False


def iou(a: tuple, b: tuple) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def norm_name(name: str) -> str:
    """The name objects are compared by: singular, a world shape for its synonyms ('blocks' ->
    square), a GenEval class for its everyday names ('sofa' -> couch)."""
    from .words import CANON

    n = singularize(" ".join(name.lower().split()))
    return CANON.get(n, n)


def _attr_ok(obj: SceneObject, spec: ObjectSpec) -> bool:
    for key in ("color", "size", "texture"):
        want = getattr(spec, key)
        if want and (getattr(obj, key) or "").lower() != want:
            return False
    return True


def assign(layout: Layout, constraints: Constraints) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """Match layout objects to required specs.

    Returns ``(groups, mismatched, extra)``: ``groups[s]`` the objects that satisfy spec ``s``
    (at most its count), ``mismatched[s]`` same-name objects taken for spec ``s`` although their
    attributes differ, ``extra`` surplus objects of a required name.
    """
    specs = constraints.objects
    names = [norm_name(o.name) for o in layout.objects]
    wanted = [norm_name(sp.name) for sp in specs]
    used: set[int] = set()
    groups: list[list[int]] = [[] for _ in specs]
    mismatched: list[list[int]] = [[] for _ in specs]
    order = sorted(range(len(specs)),
                   key=lambda s: (-sum(bool(getattr(specs[s], k)) for k in ("color", "size", "texture")), s))
    for s in order:
        for i, obj in enumerate(layout.objects):
            if len(groups[s]) >= specs[s].count:
                break
            if i not in used and names[i] == wanted[s] and _attr_ok(obj, specs[s]):
                groups[s].append(i)
                used.add(i)
    for s in order:
        for i in range(len(layout.objects)):
            if len(groups[s]) + len(mismatched[s]) >= specs[s].count:
                break
            if i not in used and names[i] == wanted[s]:
                mismatched[s].append(i)
                used.add(i)
    required = set(wanted)
    extra = [i for i in range(len(layout.objects)) if i not in used and names[i] in required]
    return groups, mismatched, extra


def _describe(obj: SceneObject, i: int) -> str:
    return f"object {i} ({obj.phrase()})"


def verify(layout: Layout, constraints: Constraints, *, overlap: bool = True) -> list[Violation]:
    """Everything in ``layout`` that does not satisfy ``constraints`` (empty list = valid).
    ``overlap=False`` leaves out the overlap bound: a plan-quality rule, not a fact of the request
    (a chat LLM's "cat on a sofa" may overlap; its plan is checked on the request's facts only)."""
    out: list[Violation] = []
    objs = layout.objects
    if len(objs) > MAX_OBJECTS:
        out.append(Violation(kind="too_many", message=f"{len(objs)} objects; at most {MAX_OBJECTS}"))
    for i, o in enumerate(objs):
        x0, y0, x1, y1 = o.box
        if min(x0, y0) < -1e-6 or max(x1, y1) > 1 + 1e-6:
            out.append(Violation(kind="canvas", message=f"{_describe(o, i)} leaves the canvas", objects=[i]))
        if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
            out.append(Violation(kind="degenerate", message=f"{_describe(o, i)} is too small "
                                 f"({x1 - x0:.3f} x {y1 - y0:.3f})", objects=[i]))
    excluded = {norm_name(e) for e in constraints.excluded}
    for i, o in enumerate(objs):
        if norm_name(o.name) in excluded:
            out.append(Violation(kind="excluded", message=f"{_describe(o, i)} was excluded by the request",
                                 objects=[i]))
    groups, mismatched, extra = assign(layout, constraints)
    for s, spec in enumerate(constraints.objects):
        for i in mismatched[s]:
            o = objs[i]
            want = ", ".join(f"{k} {getattr(spec, k)}" for k in ("color", "size", "texture")
                             if getattr(spec, k) and (getattr(o, k) or "").lower() != getattr(spec, k))
            out.append(Violation(kind="attribute", message=f"{_describe(o, i)} should have {want}",
                                 spec=s, objects=[i]))
        have = len(groups[s]) + len(mismatched[s])
        if have < spec.count:
            out.append(Violation(kind="missing", message=f"needs {spec.describe()}, has {have}", spec=s))
    for i in extra:
        out.append(Violation(kind="extra", message=f"{_describe(objs[i], i)} is one more "
                             f"{objs[i].name} than requested", objects=[i]))
    W, H = layout.width, layout.height
    depth_pairs: set[frozenset[int]] = set()
    for r, rel in enumerate(constraints.relations):
        if rel.subject >= len(groups) or rel.target >= len(groups):
            continue
        a_ids = groups[rel.subject] + mismatched[rel.subject]
        b_ids = groups[rel.target] + mismatched[rel.target]
        if rel.relation in ("in front of", "behind", "inside"):
            depth_pairs.update(frozenset((a, b)) for a in a_ids for b in b_ids)
        if rel.relation in ("between", "inside"):
            sa, sb = constraints.objects[rel.subject], constraints.objects[rel.target]
            if rel.relation == "inside":
                fails = [a for a in a_ids if not any(inside_holds(objs[a].box, objs[b].box) for b in b_ids)]
            else:
                t2 = rel.target2 if rel.target2 is not None and rel.target2 < len(groups) else None
                ids = b_ids + (groups[t2] + mismatched[t2] if t2 is not None else [])
                fails = [a for a in a_ids if not between_holds(objs[a].box, [objs[b].box for b in ids])]
            if fails and b_ids:
                out.append(Violation(kind="relation", relation=r, objects=sorted(set(fails + b_ids)),
                                     message=f"{sa.name} should be {rel.relation} {sb.name}: "
                                     f"{_describe(objs[fails[0]], fails[0])} is not"))
            continue
        bad = [(a, b) for a in a_ids for b in b_ids if a != b and not relation_holds(objs[a], objs[b], rel.relation, W, H)]
        if bad:
            a, b = bad[0]
            sa, sb = constraints.objects[rel.subject], constraints.objects[rel.target]
            out.append(Violation(kind="relation", relation=r, objects=sorted({x for p in bad for x in p}),
                                 message=f"{sa.name} should be {rel.relation} {sb.name}: "
                                 f"{_describe(objs[a], a)} vs {_describe(objs[b], b)} fails"))
    for s, spec in enumerate(constraints.objects):
        if spec.region:
            off = [i for i in groups[s] + mismatched[s] if not region_holds(objs[i].box, spec.region)]
            if off:
                out.append(Violation(kind="region", spec=s, objects=off,
                                     message=f"{_describe(objs[off[0]], off[0])} should be at the {spec.region}"))
    for i in range(len(objs) if overlap else 0):
        for j in range(i + 1, len(objs)):
            if frozenset((i, j)) in depth_pairs:
                continue
            v = iou(objs[i].box, objs[j].box)
            if v > MAX_IOU:
                out.append(Violation(kind="overlap", objects=[i, j],
                                     message=f"{_describe(objs[i], i)} and {_describe(objs[j], j)} "
                                     f"overlap too much (IoU {v:.2f} > {MAX_IOU})"))
    return out
