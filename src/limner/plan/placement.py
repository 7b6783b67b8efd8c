"""Between and inside for the rules engine: rewrite them into what the grid engine already does.

* ``S between T`` (T a group of two or more) splits T into a left half and a right half with
  ``T_left left of S`` and ``S left of T_right``; ``S between A and B`` becomes ``A left of S``,
  ``S left of B``.
* ``S inside T``: S takes no cell of its own; each instance is drawn in front of (depth + 1) and
  centred in a target instance's box, smaller than it.
"""

from __future__ import annotations

from .types import Constraints, ObjectSpec, Relation

INNER_FILL = {"small": 0.38, "medium": 0.5, "large": 0.6, None: 0.48}
MIN_INNER = 0.035


def split_for_layout(c: Constraints) -> tuple[Constraints, list[tuple[int, int]], list[int]]:
    """(constraints for the grid engine, [(inside subject, its target)], work spec -> original spec)."""
    inner = [(r.subject, r.target) for r in c.relations if r.relation == "inside"]
    inner_subj = {s for s, _ in inner}
    host = {s: t for s, t in inner}
    for s in list(host):  # an inside-chain ends at an object with a cell
        seen = {s}
        while host[s] in host and host[s] not in seen:
            seen.add(host[s])
            host[s] = host[host[s]]
    betweens = [r for r in c.relations if r.relation == "between" and r.subject not in inner_subj]
    split = {r.target for r in betweens if r.target2 is None and c.objects[r.target].count >= 2
             and r.target not in inner_subj}
    specs: list[ObjectSpec] = []
    origin: list[int] = []
    first: dict[int, int] = {}
    second: dict[int, int] = {}
    for i, o in enumerate(c.objects):
        if i in inner_subj:
            continue
        if i in split:
            left = -(-o.count // 2)
            first[i] = len(specs)
            specs.append(o.model_copy(update={"count": left}))
            origin.append(i)
            second[i] = len(specs)
            specs.append(o.model_copy(update={"count": o.count - left}))
            origin.append(i)
        else:
            first[i] = len(specs)
            specs.append(o)
            origin.append(i)

    def idx(i: int) -> int:
        return first[host.get(i, i)]

    rels: list[Relation] = []
    for r in c.relations:
        if r.relation == "inside" or r.subject in inner_subj and r.relation == "between":
            continue
        if r.relation == "between":
            s = idx(r.subject)
            if r.target2 is not None:
                a, b = idx(r.target), idx(r.target2)
                if s in (a, b) or a == b:
                    continue
            elif r.target in split:
                a, b = first[r.target], second[r.target]
            else:
                continue
            rels.append(Relation(subject=a, relation="left of", target=s))
            rels.append(Relation(subject=s, relation="left of", target=b))
            continue
        a, b = idx(r.subject), idx(r.target)
        if a != b:
            rels.append(r.model_copy(update={"subject": a, "target": b, "target2": None}))
    # a split group's second half keeps the first half's other relations
    for i, j in second.items():
        for r in list(rels):
            if r.relation in ("left of", "right of", "next to"):
                continue
            if r.subject == first[i]:
                rels.append(r.model_copy(update={"subject": j}))
            elif r.target == first[i]:
                rels.append(r.model_copy(update={"target": j}))
    work = c.model_copy(update={"objects": specs, "relations": rels})
    return work, [(s, host[s]) for s, _ in inner], origin


def inner_boxes(specs: list[ObjectSpec], hosts: list[tuple[tuple, int]]) -> list[list[tuple[tuple, int]]]:
    """Boxes (with depth) for the instances of ``specs`` (all inside the same host group): the
    instances are dealt to the host instances in turn and share each host's box in a small grid."""
    if not hosts:
        hosts = [((0.3, 0.3, 0.7, 0.7), 0)]
    owner = [(g, k) for g, sp in enumerate(specs) for k in range(sp.count)]
    per: dict[int, list[int]] = {}
    for j in range(len(owner)):
        per.setdefault(j % len(hosts), []).append(j)
    out: list[list[tuple[tuple, int]]] = [[] for _ in specs]
    for h, members in sorted(per.items()):
        (x0, y0, x1, y1), depth = hosts[h]
        n = len(members)
        cols = max(1, int(n ** 0.5 + 0.999))
        rows = -(-n // cols)
        w, hh = (x1 - x0) / cols, (y1 - y0) / rows
        for k, j in enumerate(members):
            g = owner[j][0]
            fill = INNER_FILL.get(specs[g].size, INNER_FILL[None]) if n == 1 else 0.7
            sw, sh = max(w * fill, MIN_INNER), max(hh * fill, MIN_INNER)  # never degenerate
            r, c = divmod(k, cols)
            cx, cy = x0 + (c + 0.5) * w, y0 + (r + 0.5) * hh
            out[g].append(((max(0.0, cx - sw / 2), max(0.0, cy - sh / 2), min(1.0, cx + sw / 2), min(1.0, cy + sh / 2)),
                           depth + 1))
    return out
