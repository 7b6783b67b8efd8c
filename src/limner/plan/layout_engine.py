"""The rules layout engine: :class:`Constraints` -> a valid :class:`Layout`, no LLM.

Deterministic by seed. Relations are satisfied by construction:

* groups joined by above/below form a *stack* (one column, one row per group, in vertical order);
* stacks are ordered left to right by left-of/right-of/next-to (a topological order; ties keep the
  order of the request), so unrelated groups sit side by side and never overlap;
* each group's instances share its cell in a small grid; boxes are sized by the size word
  (small/medium/large) and a per-noun aspect ratio, then jittered by the seed inside their slot;
* in-front-of/behind set ``depth`` (drawing order).

A relation that contradicts an earlier one (a cycle) is dropped with a note. The engine checks its
own output with :func:`verify` and falls back to an unjittered, narrower arrangement if a relation
fails (wide groups can break GenEval's angular rule).
"""

from __future__ import annotations

import random

from ..schema import Layout, SceneObject
from .lexicon import SIZE_FILL
from .types import Constraints, ObjectSpec

MARGIN = 0.04
MAX_CELL_ASPECT = 1.25
# width / height of a typical instance (1.0 if unknown)
ASPECT: dict[str, float] = {
    "person": 0.5, "man": 0.5, "woman": 0.5, "child": 0.5, "giraffe": 0.6, "bus": 1.6, "car": 1.6,
    "train": 2.0, "truck": 1.5, "bench": 1.8, "couch": 1.8, "sofa": 1.8, "bed": 1.5,
    "dining table": 1.5, "table": 1.5, "airplane": 1.8, "boat": 1.6, "elephant": 1.3, "horse": 1.3,
    "cow": 1.4, "bottle": 0.4, "wine glass": 0.45, "vase": 0.6, "toothbrush": 0.35,
    "refrigerator": 0.55, "traffic light": 0.45, "fire hydrant": 0.6, "parking meter": 0.4,
    "skis": 0.5, "surfboard": 0.45, "snowboard": 0.45, "baseball bat": 0.35, "tennis racket": 0.6,
    "tv": 1.4, "laptop": 1.4, "computer keyboard": 2.2, "cell phone": 0.55, "banana": 1.6,
    "tree": 0.7, "tower": 0.4, "tie": 0.4, "knife": 0.4, "fork": 0.4, "spoon": 0.4,
    "hair drier": 0.9, "suitcase": 1.2, "umbrella": 1.2, "toilet": 0.7, "chair": 0.8,
    "zebra": 1.3, "sheep": 1.3, "bear": 1.2, "balloon": 0.8,
}


def _order(n: int, edges: list[tuple[int, int]], notes: list[str], what: str) -> tuple[list[int], list[tuple[int, int]]]:
    """A topological order of 0..n-1 under ``edges`` (a before b), ties by index; cyclic edges dropped."""
    kept: list[tuple[int, int]] = []
    succ: dict[int, set[int]] = {i: set() for i in range(n)}

    def reaches(a: int, b: int) -> bool:
        seen, todo = set(), [a]
        while todo:
            x = todo.pop()
            if x == b:
                return True
            if x not in seen:
                seen.add(x)
                todo.extend(succ[x])
        return False

    for a, b in edges:
        if a == b or b in succ[a]:
            continue
        if reaches(b, a):
            notes.append(f"dropped a {what} relation that contradicts an earlier one")
            continue
        succ[a].add(b)
        kept.append((a, b))
    indeg = {i: 0 for i in range(n)}
    for a, b in kept:
        indeg[b] += 1
    out: list[int] = []
    ready = sorted(i for i in range(n) if indeg[i] == 0)
    while ready:
        x = ready.pop(0)
        out.append(x)
        for y in sorted(succ[x]):
            indeg[y] -= 1
            if indeg[y] == 0:
                ready.append(y)
                ready.sort()
    return out, kept


class _UF:
    def __init__(self, n: int):
        self.p = list(range(n))

    def find(self, x: int) -> int:
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a: int, b: int) -> None:
        self.p[self.find(a)] = self.find(b)


def group_cells(constraints: Constraints, notes: list[str] | None = None) -> tuple[list[tuple[float, float, float, float]], dict[int, int]]:
    """One normalized cell per object spec, satisfying the relations; and depth per spec."""
    notes = notes if notes is not None else []
    n = len(constraints.objects)
    if n == 0:
        return [], {}
    vert: list[tuple[int, int]] = []  # (upper, lower)
    horiz: list[tuple[int, int]] = []  # (left, right)
    depth_e: list[tuple[int, int]] = []  # (behind, front)
    for r in constraints.relations:
        a, b = r.subject, r.target
        if a >= n or b >= n or r.relation in ("between", "inside"):
            continue
        {"above": lambda: vert.append((a, b)), "below": lambda: vert.append((b, a)),
         "left of": lambda: horiz.append((a, b)), "right of": lambda: horiz.append((b, a)),
         "next to": lambda: horiz.append((a, b)), "in front of": lambda: depth_e.append((b, a)),
         "behind": lambda: depth_e.append((a, b))}[r.relation]()
    h_implied, v_implied = region_edges(constraints.objects)
    horiz = horiz + [e for e in h_implied if e not in horiz and e[::-1] not in horiz]
    vert = vert + [e for e in v_implied if e not in vert and e[::-1] not in vert]
    # a pair both above/below and left/right of each other ("to the upper left of") goes diagonal:
    # different columns, then the upper one takes the top half of its cell, the lower the bottom
    pairs_h = {frozenset(e) for e in horiz}
    diag = [e for e in vert if frozenset(e) in pairs_h]
    vert = [e for e in vert if frozenset(e) not in pairs_h]
    vorder, vert = _order(n, vert, notes, "vertical")
    uf = _UF(n)
    for a, b in vert:
        uf.union(a, b)
    roots = sorted({uf.find(i) for i in range(n)}, key=lambda r: min(i for i in range(n) if uf.find(i) == r))
    stack_of = {i: roots.index(uf.find(i)) for i in range(n)}
    s_edges = []
    for a, b in horiz:
        if stack_of[a] == stack_of[b]:
            notes.append("dropped a left/right relation between objects already stacked vertically")
            continue
        s_edges.append((stack_of[a], stack_of[b]))
    sorder, _ = _order(len(roots), s_edges, notes, "horizontal")
    col = {s: k for k, s in enumerate(sorder)}
    K = len(roots)
    # rows within a stack follow the global vertical order
    rows: dict[int, list[int]] = {}
    for g in vorder:
        rows.setdefault(stack_of[g], []).append(g)
    cells: list[tuple[float, float, float, float]] = [(0, 0, 1, 1)] * n
    span = 1 - 2 * MARGIN
    for s, members in rows.items():
        k, R = col[s], len(members)
        x0 = MARGIN + span * k / K
        x1 = MARGIN + span * (k + 1) / K
        for r, g in enumerate(members):
            y0 = MARGIN + span * r / R
            y1 = MARGIN + span * (r + 1) / R
            cells[g] = (x0, y0, x1, y1)
    for up, low in diag:
        cu, cl = cells[up], cells[low]
        mid_u, mid_l = (cu[1] + cu[3]) / 2, (cl[1] + cl[3]) / 2
        cells[up] = (cu[0], cu[1], cu[2], max(cu[1] + 0.1, min(cu[3], mid_u)))
        cells[low] = (cl[0], min(cl[3] - 0.1, max(cl[1], mid_l)), cl[2], cl[3])
    by_region: dict[str, list[int]] = {}
    for g, spec in enumerate(constraints.objects):
        if spec.region:
            by_region.setdefault(spec.region, []).append(g)
    for region, gs in by_region.items():
        if len(gs) == 1:
            cells[gs[0]] = fit_region(cells[gs[0]], region)
            continue
        # several objects in one region share it: slices along its long side, in grid order
        x0, y0, x1, y1 = REGION_BOX[region]
        rows = (y1 - y0) >= (x1 - x0)
        gs = sorted(gs, key=lambda g: (cells[g][1], cells[g][0]) if rows else (cells[g][0], cells[g][1]))
        for k, g in enumerate(gs):
            if rows:
                cells[g] = (x0, y0 + (y1 - y0) * k / len(gs), x1, y0 + (y1 - y0) * (k + 1) / len(gs))
            else:
                cells[g] = (x0 + (x1 - x0) * k / len(gs), y0, x0 + (x1 - x0) * (k + 1) / len(gs), y1)
    dorder, _ = _order(n, depth_e, notes, "depth")
    depth = {g: d for d, g in enumerate(dorder)} if depth_e else {g: 0 for g in range(n)}
    return cells, depth


# canvas part per region word: (x0, y0, x1, y1)
REGION_BOX: dict[str, tuple[float, float, float, float]] = {
    "left": (MARGIN, MARGIN, 0.46, 1 - MARGIN), "right": (0.54, MARGIN, 1 - MARGIN, 1 - MARGIN),
    "top": (MARGIN, MARGIN, 1 - MARGIN, 0.46), "bottom": (MARGIN, 0.54, 1 - MARGIN, 1 - MARGIN),
    "center": (0.3, 0.3, 0.7, 0.7), "top-left": (MARGIN, MARGIN, 0.46, 0.46),
    "top-right": (0.54, MARGIN, 1 - MARGIN, 0.46), "bottom-left": (MARGIN, 0.54, 0.46, 1 - MARGIN),
    "bottom-right": (0.54, 0.54, 1 - MARGIN, 1 - MARGIN),
}
_H_RANK = {"left": 0, "center": 1, "right": 2}
_V_RANK = {"top": 0, "center": 1, "bottom": 2}


def _ranks(region: str | None) -> tuple[int | None, int | None]:
    if not region:
        return None, None
    parts = region.split("-")
    h = next((_H_RANK[p] for p in parts if p in _H_RANK), None)
    v = next((_V_RANK[p] for p in parts if p in _V_RANK), None)
    if region == "center":
        h = v = 1
    return h, v


def region_edges(specs: list[ObjectSpec]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Implied (left, right) and (upper, lower) pairs between objects placed by region words:
    'a cup on the left and a bird on the right' puts the cup left of the bird."""
    ranks = [_ranks(s.region) for s in specs]
    h, v = [], []
    for a in range(len(specs)):
        for b in range(len(specs)):
            if not (specs[a].region or specs[b].region):
                continue
            # an object without a region word stays in the middle band on that axis
            ha, va = ranks[a] if specs[a].region else (1, 1)
            hb, vb = ranks[b] if specs[b].region else (1, 1)
            if ha is not None and hb is not None and ha < hb:
                h.append((a, b))
            if va is not None and vb is not None and va < vb and not (ha is not None and hb is not None and ha != hb):
                v.append((a, b))
    return h, v


def fit_region(cell: tuple, region: str) -> tuple[float, float, float, float]:
    """The part of ``cell`` inside ``region`` (or the region itself when they hardly meet)."""
    rx0, ry0, rx1, ry1 = REGION_BOX[region]
    x0, y0, x1, y1 = max(cell[0], rx0), max(cell[1], ry0), min(cell[2], rx1), min(cell[3], ry1)
    if x1 - x0 < 0.15 or y1 - y0 < 0.15:
        return (rx0, ry0, rx1, ry1)
    return (x0, y0, x1, y1)


def _instance_boxes(spec: ObjectSpec, cell: tuple, W: int, H: int, rng: random.Random | None,
                    shrink: float = 1.0) -> list[tuple[float, float, float, float]]:
    cx0, cy0, cx1, cy1 = cell
    cw, ch = (cx1 - cx0) * W, (cy1 - cy0) * H  # pixels
    # keep the cell near-square (centred): a wide or tall spread of instances breaks the
    # angular relation rule against the neighbouring group
    if spec.arrangement in ("row", "column"):
        pass
    elif cw > MAX_CELL_ASPECT * ch:
        cx0 += (cw - MAX_CELL_ASPECT * ch) / 2 / W
        cw = MAX_CELL_ASPECT * ch
    elif ch > MAX_CELL_ASPECT * cw:
        cy0 += (ch - MAX_CELL_ASPECT * cw) / 2 / H
        ch = MAX_CELL_ASPECT * cw
    n = spec.count
    best = None
    choices = {"row": [n], "column": [1]}.get(spec.arrangement or "", range(1, n + 1))
    for c in choices:
        r = -(-n // c)
        side = min(cw / c, ch / r)
        if best is None or side > best[0] + 1e-9:
            best = (side, c, r)
    _, c, r = best  # type: ignore[misc]
    sw, sh = cw / c, ch / r
    aspect = ASPECT.get(spec.name, 1.0)
    fill = SIZE_FILL.get(spec.size, SIZE_FILL[None]) * shrink
    out = []
    for i in range(n):
        row, colm = divmod(i, c)
        if row == r - 1 and n % c:  # centre a short last row
            colm += (c - n % c) / 2
        jit = rng.uniform(0.9, 1.05) if rng else 1.0
        w = max(min(sw * fill, sh * fill * aspect) * jit, 0.03 * W * max(aspect, 1.0), 0.03 * H * aspect)
        h = w / aspect
        slack_x, slack_y = sw - w, sh - h
        ox = slack_x * (rng.uniform(0.3, 0.7) if rng else 0.5)
        oy = slack_y * (rng.uniform(0.3, 0.7) if rng else 0.5)
        x0 = cx0 * W + colm * sw + ox
        y0 = cy0 * H + row * sh + oy
        out.append((max(0.0, x0 / W), max(0.0, y0 / H), min(1.0, (x0 + w) / W), min(1.0, (y0 + h) / H)))
    return out


def caption_for(spec: ObjectSpec) -> str:
    words = [w for w in (spec.size, spec.color, spec.texture) if w] + spec.attributes[:2]
    body = " ".join(words + [spec.name])
    return ("an " if body[0] in "aeiou" else "a ") + body


def rules_layout(constraints: Constraints, *, seed: int = 0, width: int = 512, height: int = 512,
                 notes: list[str] | None = None) -> Layout:
    """Lay out ``constraints`` deterministically (same seed, same layout)."""
    from .verify import norm_name, verify

    notes = notes if notes is not None else []
    from .placement import inner_boxes, split_for_layout

    work, inner, origin = split_for_layout(constraints)
    cells, depth = group_cells(work, notes)
    layout = None
    for attempt, (jitter, shrink) in enumerate(((True, 1.0), (False, 1.0), (False, 0.6), (False, 0.35))):
        rng = random.Random(seed) if jitter else None
        placed: dict[int, list] = {}
        for g, spec in enumerate(work.objects):
            boxes = _instance_boxes(spec, cells[g], width, height, rng, shrink)
            # depth x2: an inner object sits one step in front of its host, behind the next layer
            placed.setdefault(origin[g], []).extend((b, 2 * depth.get(g, 0)) for b in boxes)
        by_host: dict[int, list[int]] = {}
        for s_i, t_i in inner:
            by_host.setdefault(t_i, []).append(s_i)
        for t_i, subs in by_host.items():
            boxes = inner_boxes([constraints.objects[k] for k in subs], placed.get(t_i, []))
            for k, got in zip(subs, boxes):
                placed[k] = got
        objects = []
        for g, spec in enumerate(constraints.objects):
            for box, d in placed.get(g, []):
                # the name is the class ('couch', 'square'); the caption keeps the request's words
                objects.append(SceneObject(name=norm_name(spec.name), color=spec.color, size=spec.size,
                                           texture=spec.texture, attributes=list(spec.attributes),
                                           box=box, depth=d, caption=caption_for(spec)))
        layout = Layout(width=width, height=height, objects=objects,
                        background=constraints.background or "plain", caption=constraints.prompt)
        if not [v for v in verify(layout, constraints) if v.kind in ("relation", "region", "overlap", "degenerate")]:
            return layout
    off = {v.spec for v in verify(layout, constraints) if v.kind == "region"}  # type: ignore[arg-type]
    if off and not (notes and notes[-1].startswith("dropped the region")):
        # a region word that contradicts a relation gives way to it (the relation is about objects)
        objs = [o.model_copy(update={"region": None}) if k in off else o for k, o in enumerate(constraints.objects)]
        for k in sorted(off):  # type: ignore[type-var]
            notes.append(f"dropped the region '{constraints.objects[k].region}' of {constraints.objects[k].name}: "
                         "it contradicts a relation")
        fixed = rules_layout(constraints.model_copy(update={"objects": objs}), seed=seed, width=width,
                             height=height, notes=notes)
        return fixed.model_copy(update={"caption": constraints.prompt})
    return _give_up_cleanly(layout, constraints, notes)  # type: ignore[arg-type]


def _give_up_cleanly(layout: Layout, constraints: Constraints, notes: list[str]) -> Layout:
    """Relations the engine could not satisfy together are named in a note; if boxes overlap or
    degenerate, every instance gets its own cell of a plain grid instead (never a damaged plan)."""
    from .verify import verify

    left = verify(layout, constraints)
    for v in left:
        if v.kind == "relation" and v.relation is not None:
            r = constraints.relations[v.relation]
            notes.append(f"dropped '{r.relation}' ({constraints.objects[r.subject].name}, "
                         f"{constraints.objects[r.target].name}): it cannot hold together with the others")
    if not [v for v in left if v.kind not in ("relation", "region")]:
        return layout
    n = len(layout.objects)
    cols = max(1, int(n ** 0.5 + 0.999))
    rows = -(-n // cols)
    side = (1 - 2 * MARGIN) / max(cols, rows)
    objs = []
    for k, o in enumerate(layout.objects):
        r, c = divmod(k, cols)
        x0, y0 = MARGIN + c * side + side * 0.1, MARGIN + r * side + side * 0.1
        objs.append(o.model_copy(update={"box": (x0, y0, x0 + side * 0.8, y0 + side * 0.8), "depth": 0}))
    notes.append("dropped the relations: the objects are laid out on a plain grid")
    return layout.model_copy(update={"objects": objs})
