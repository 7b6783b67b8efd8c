"""Scoring detections against what a prompt asked for (GenEval / VISOR rules, world vocabulary).

A prompt's constraints are a :class:`Spec`: object groups (:class:`Requirement`: shape, colour,
count, how the count is compared) and relations between groups (:class:`RelationReq`).
:func:`score` checks detections (from :func:`limner.world.detect.detect`) against it:

* **present** — at least one detection of the requested shape (colour ignored);
* **color** — at least one detection of the shape with the requested colour (colour binding);
* **count** — the number of detections with the requested shape *and* colour compares right:
  ``exact`` (corpus layouts, the default), ``at_least`` (GenEval ``include``) or
  ``fewer_than`` (GenEval ``exclude``);
* **relation** — GenEval rule on box centres: "left of" means A's centre x < B's centre x (minus
  ``margin``), "above" means A's centre y < B's (image y grows downwards); VISOR-style, a relation
  is right only if both groups are present and it holds for every (A, B) pair found.

``requirements_from_layout(layout)`` turns a corpus/planner layout into a Spec (exact counts and
the relations that hold between its groups); :mod:`limner.evaluate.geneval` turns GenEval metadata
into Specs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Literal, Sequence

from ..schema import Layout
from .vocab import PLURALS, world_shape

CountMode = Literal["exact", "at_least", "fewer_than"]
RELATIONS = ("left of", "right of", "above", "below")


@dataclass(frozen=True)
class Requirement:
    """A group of objects the prompt asks for, e.g. three red circles."""

    shape: str
    color: str | None = None
    count: int = 1
    texture: str | None = None
    mode: CountMode = "exact"

    def matches(self, det, *, color: bool = True, texture: bool = True) -> bool:
        if det.shape != self.shape:
            return False
        if color and self.color and det.color != self.color:
            return False
        if texture and self.texture and det.texture != self.texture:
            return False
        return True

    def count_ok(self, n: int) -> bool:
        if self.mode == "at_least":
            return n >= self.count
        if self.mode == "fewer_than":
            return n < self.count
        return n == self.count

    def phrase(self) -> str:
        noun = self.shape if self.count == 1 else PLURALS.get(self.shape, self.shape + "s")
        words = [w for w in (self.texture if self.texture != "solid" else None, self.color) if w]
        return " ".join([str(self.count)] + words + [noun])


@dataclass(frozen=True)
class RelationReq:
    """Group ``a`` is ``rel`` ("left of", "right of", "above", "below") group ``b``."""

    a: Requirement
    rel: str
    b: Requirement

    def __post_init__(self):
        if self.rel not in RELATIONS:
            raise ValueError(f"unknown relation '{self.rel}' (expected one of {', '.join(RELATIONS)})")


@dataclass
class Spec:
    """All the constraints of one prompt."""

    requirements: list[Requirement] = field(default_factory=list)
    relations: list[RelationReq] = field(default_factory=list)
    exclusions: list[Requirement] = field(default_factory=list)  # mode "fewer_than"
    prompt: str = ""
    tag: str = ""


@dataclass
class RequirementResult:
    requirement: Requirement
    n_shape: int  # detections with the shape
    n_match: int  # detections with shape, colour (and texture if asked)
    present: bool
    color_ok: bool
    count_ok: bool

    @property
    def ok(self) -> bool:
        return self.present and self.color_ok and self.count_ok


@dataclass
class RelationResult:
    relation: RelationReq
    present: bool  # both groups found (with their colours)
    ok: bool


@dataclass
class SpecScore:
    requirements: list[RequirementResult]
    relations: list[RelationResult]
    exclusions: list[RequirementResult]

    @property
    def ok(self) -> bool:
        """GenEval-style: every requirement, relation and exclusion satisfied."""
        return (all(r.ok for r in self.requirements) and all(r.ok for r in self.relations)
                and all(r.count_ok for r in self.exclusions))

    def failures(self) -> list[str]:
        out = []
        for r in self.requirements:
            q = r.requirement
            if not r.present:
                out.append(f"no {q.shape} found")
            elif not r.color_ok:
                out.append(f"no {q.color} {q.shape} found")
            elif not r.count_ok:
                want = {"exact": "", "at_least": "at least ", "fewer_than": "fewer than "}[q.mode]
                out.append(f"{r.n_match} {' '.join(w for w in (q.color, q.shape) if w)}(s) found, "
                           f"wanted {want}{q.count}")
        for r in self.exclusions:
            if not r.count_ok:
                out.append(f"{r.n_match} {r.requirement.shape}(s) found, wanted fewer than {r.requirement.count}")
        for r in self.relations:
            if not r.ok:
                rel = r.relation
                what = "not found" if not r.present else "does not hold"
                out.append(f"'{_group(rel.a)} {rel.rel} {_group(rel.b)}' {what}")
        return out


def _group(q: Requirement) -> str:
    return " ".join(w for w in (q.color, q.shape) if w)


def check_requirement(dets: Sequence, req: Requirement) -> RequirementResult:
    n_shape = sum(req.matches(d, color=False, texture=False) for d in dets)
    n_color = sum(req.matches(d, texture=False) for d in dets)
    n_match = sum(req.matches(d) for d in dets)
    if req.mode == "fewer_than":  # an exclusion is "present" trivially
        return RequirementResult(req, n_shape, n_match, True, True, req.count_ok(n_match))
    return RequirementResult(req, n_shape, n_match, present=n_shape > 0, color_ok=n_color > 0,
                             count_ok=req.count_ok(n_match))


def center(box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def relation_holds(box_a, rel: str, box_b, margin: float = 0.0) -> bool:
    """GenEval/VISOR centre rule: is the object in ``box_a`` ``rel`` the one in ``box_b``?

    Boxes are normalized xyxy with a top-left origin; ``margin`` (normalized) is how much the
    centres must differ (0 = strictly).
    """
    (ax, ay), (bx, by) = center(box_a), center(box_b)
    if rel == "left of":
        return ax < bx - margin
    if rel == "right of":
        return ax > bx + margin
    if rel == "above":
        return ay < by - margin
    if rel == "below":
        return ay > by + margin
    raise ValueError(f"unknown relation '{rel}'")


def check_relation(dets: Sequence, rel: RelationReq, margin: float = 0.0) -> RelationResult:
    A = [d for d in dets if rel.a.matches(d)]
    B = [d for d in dets if rel.b.matches(d)]
    if not A or not B:
        return RelationResult(rel, present=False, ok=False)
    ok = all(relation_holds(a.box, rel.rel, b.box, margin) for a in A for b in B if a is not b)
    return RelationResult(rel, present=True, ok=ok)


def score(dets: Sequence, spec: Spec, margin: float = 0.0) -> SpecScore:
    """Check detections against a prompt's constraints."""
    return SpecScore(
        requirements=[check_requirement(dets, q) for q in spec.requirements],
        relations=[check_relation(dets, r, margin) for r in spec.relations],
        exclusions=[check_requirement(dets, q) for q in spec.exclusions],
    )


def requirements_from_layout(layout: Layout, texture: bool = False, relations: bool = True) -> Spec:
    """The Spec a layout implies: one exact-count group per (shape, colour), and the relations that
    hold between every pair of groups (the corpus's rule, with its margin)."""
    from .corpus import group_relation

    groups: Counter = Counter()
    tex: dict = {}
    for o in layout.objects:
        shape = world_shape(o.name)
        if shape is None:
            continue
        key = (shape, o.color)
        groups[key] += 1
        tex.setdefault(key, o.texture if texture else None)
    reqs = {k: Requirement(shape=k[0], color=k[1], count=n, texture=tex[k]) for k, n in groups.items()}
    rels: list[RelationReq] = []
    if relations:
        keys = list(reqs)
        world_layout = layout.model_copy(update={"objects": [
            o.model_copy(update={"name": world_shape(o.name)}) for o in layout.objects if world_shape(o.name)]})
        for i, ka in enumerate(keys):
            for kb in keys[i + 1:]:
                r = group_relation(world_layout, (ka[1] or "", ka[0]), (kb[1] or "", kb[0]))
                if r:
                    rels.append(RelationReq(reqs[ka], r, reqs[kb]))
    return Spec(requirements=list(reqs.values()), relations=rels, prompt=layout.caption)


def summarize(dets: Iterable) -> str:
    """'3 red circles, 1 blue square' (groups in order of first appearance); 'nothing' if empty."""
    c: Counter = Counter((d.color, d.shape) for d in dets)
    if not c:
        return "nothing"
    return ", ".join(f"{n} {col} {shape if n == 1 else PLURALS.get(shape, shape + 's')}"
                     for (col, shape), n in c.items())




def spec_from_constraints(constraints) -> tuple[Spec, list[str]]:
    """A Spec from the planner's parsed request (:func:`limner.plan.parse_request`), and notes on
    what cannot be checked in the world (non-world nouns, relations other than left/right/above/
    below). Counts are exact, as the request says."""
    notes: list[str] = []
    reqs: list[Requirement | None] = []
    for o in constraints.objects:
        shape = world_shape(o.name)
        if shape is None:
            notes.append(f"'{o.name}' is not a world shape: not checked")
            reqs.append(None)
            continue
        reqs.append(Requirement(shape=shape, color=o.color, count=o.count,
                                texture=o.texture if o.texture in ("solid", "striped", "dotted") else None))
    rels = []
    for r in constraints.relations:
        a, b = reqs[r.subject], reqs[r.target]
        if r.relation not in RELATIONS:
            notes.append(f"relation '{r.relation}' is not checked")
        elif a is not None and b is not None:
            rels.append(RelationReq(a, r.relation, b))
    excl = [Requirement(shape=s, count=1, mode="fewer_than")
            for s in (world_shape(n) for n in constraints.excluded) if s]
    return Spec(requirements=[q for q in reqs if q], relations=rels, exclusions=excl,
                prompt=constraints.prompt), notes



def match(dets: Sequence, objects: Sequence) -> list[tuple[int, int]]:
    """One-to-one (detection index, object index) pairs: minimum total centre distance, a pair only
    if the detection's centre lies inside the object's box (both have ``.box``, normalized xyxy)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if not dets or not objects:
        return []
    cost = np.full((len(dets), len(objects)), 1e6)
    for i, d in enumerate(dets):
        cx, cy = center(d.box)
        for j, o in enumerate(objects):
            x0, y0, x1, y1 = o.box
            if x0 <= cx <= x1 and y0 <= cy <= y1:
                ox, oy = center(o.box)
                cost[i, j] = (cx - ox) ** 2 + (cy - oy) ** 2
    rows, cols = linear_sum_assignment(cost)
    return [(int(i), int(j)) for i, j in zip(rows, cols) if cost[i, j] < 1e6]

__all__ = ["Requirement", "RelationReq", "Spec", "SpecScore", "RequirementResult", "RelationResult",
           "check_requirement", "check_relation", "relation_holds", "score",
           "requirements_from_layout", "spec_from_constraints", "summarize", "match", "RELATIONS"]
