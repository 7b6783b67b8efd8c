"""Score a plan's boxes with GenEval's rules (the boxes stand in for detections).

GenEval (Ghosh et al., 2023; MIT; ``evaluation/evaluate_images.py``): every ``include`` entry needs
at least ``count`` objects of its class (with ``color`` if given), each in the required
``position`` relative to every object of the include entry it indexes (the centre-offset rule,
threshold 0.1); every ``exclude`` entry needs fewer than ``count``. Extensions used by limner's
request dev set (``benchmarks/data/requests``): ``position`` may be ``between`` (target: one group
of two or more, or ``[i, j]``) or ``inside``; an entry may carry ``region`` (left/right/top/
bottom/center/top-left/...). These use :func:`.verify.between_holds`, ``inside_holds`` and
``region_holds``, the same rules the verifier enforces.
"""

from __future__ import annotations

from ..schema import Layout
from .verify import between_holds, inside_holds, norm_name, region_holds, spatial_relations


def class_of(name: str) -> str:
    """The GenEval class a plan's object name stands for ('sofa' is a couch, as a detector sees it)."""
    return norm_name(name)


def layout_correct(layout: Layout, meta: dict) -> bool:
    """True if ``layout`` satisfies the GenEval-style ``meta`` record."""
    by_class: dict[str, list] = {}
    for o in layout.objects:
        by_class.setdefault(class_of(o.name), []).append(o)
    W, H = layout.width, layout.height
    groups: list[list | None] = []
    correct = True
    for req in meta.get("include", []):
        objs = list(by_class.get(class_of(req["class"]), []))
        # the best candidates first (a fair detector order): right colour, then right region
        objs.sort(key=lambda o: ("color" in req and (o.color or "") != req["color"],
                                 "region" in req and not region_holds(o.box, req["region"])))
        found = objs[: req["count"]]
        ok = len(found) >= req["count"]
        if ok and "color" in req:
            ok = all((o.color or "") == req["color"] for o in found)
        if ok and "region" in req:
            ok = all(region_holds(o.box, req["region"]) for o in found)
        if ok and "position" in req:
            rel, target = req["position"]
            idx = target if isinstance(target, list) else [target]
            tgts = [groups[i] if i < len(groups) else None for i in idx]
            if any(t is None for t in tgts):
                ok = False
            else:
                tgt = [o for t in tgts for o in t]  # type: ignore[union-attr]
                if rel == "between":
                    ok = all(between_holds(a.box, [b.box for b in tgt]) for a in found)
                elif rel == "inside":
                    ok = all(any(inside_holds(a.box, b.box) for b in tgt) for a in found)
                elif rel == "next to":
                    ok = all(spatial_relations(a.box, b.box, W, H) & {"left of", "right of"}
                             for a in found for b in tgt)
                else:
                    ok = all(rel in spatial_relations(a.box, b.box, W, H) for a in found for b in tgt)
        correct = correct and ok
        groups.append(found if ok else None)
    for req in meta.get("exclude", []):
        if len(by_class.get(class_of(req["class"]), [])) >= req["count"]:
            correct = False
    return correct
