"""Compare what a detector found with what the request and its plan asked for.

Two sources of truth, used together:

* the **request** (:func:`request_spec`): the checkable facts the request reader found (objects,
  counts, colours, left/right/above/below, excluded objects). Whether an image is *correct* is
  decided here, by GenEval's rules (:func:`limner.world.score.score`); an image that passes is
  never touched.
* the **plan** (a :class:`~limner.schema.Layout`): where each object should be. Each plan object
  is *anchored* to at most one detection of the same noun and colour (one-to-one, least centre
  distance; inside the planned box unless ``anywhere``). Plan objects without an anchor are
  *missing*; detections of a requested (or excluded) noun without an anchor are *extra*. These say
  where the image must change (:mod:`limner.correct.fix`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import Layout
from ..world.score import Requirement, RelationReq, Spec, score
from ..world.vocab import world_shape
from .detectors import Found, Query

ProblemKind = Literal["missing", "extra", "attribute", "count", "relation", "excluded"]
BOX_TOLERANCE = 0.06  # a detection's centre may sit this far outside its planned box


class Problem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ProblemKind
    message: str
    box: tuple[float, float, float, float] | None = None


class Comparison(BaseModel):
    """The verdict on one image."""

    model_config = ConfigDict(extra="forbid")

    ok: bool = Field(description="every checkable fact of the request holds")
    failures: list[str] = Field(default_factory=list, description="the request's facts that fail")
    problems: list[Problem] = Field(default_factory=list, description="what differs from the plan")
    anchors: dict[int, int] = Field(default_factory=dict, description="plan object -> detection index")
    unchecked: list[str] = Field(default_factory=list, description="facts no detector here can check")


def noun(name: str, vocabulary: str) -> str | None:
    """The detector-side name of a plan/request noun (a world shape, or the noun itself)."""
    return world_shape(name) if vocabulary == "world" else name.strip().lower()


def request_spec(prompt: str, vocabulary: str = "world") -> tuple[Spec, list[str]]:
    """The request's checkable facts as a :class:`Spec` (exact counts), and what is not checkable."""
    from ..plan import parse_request

    c = parse_request(prompt)
    notes: list[str] = []
    reqs: list[Requirement | None] = []
    for o in c.objects:
        n = noun(o.name, vocabulary)
        if n is None:
            notes.append(f"'{o.name}' is not something the detector knows: not checked")
            reqs.append(None)
            continue
        tex = o.texture if (vocabulary == "world" and o.texture in ("solid", "striped", "dotted")) else None
        reqs.append(Requirement(shape=n, color=o.color, count=o.count, texture=tex))
    rels = []
    for r in c.relations:
        a, b = reqs[r.subject], reqs[r.target]
        if r.relation not in ("left of", "right of", "above", "below"):
            notes.append(f"relation '{r.relation}' is not checked")
        elif a is not None and b is not None:
            rels.append(RelationReq(a, r.relation, b))
    excl = [Requirement(shape=s, count=1, mode="fewer_than")
            for s in (noun(n, vocabulary) for n in c.excluded) if s]
    return Spec(requirements=[q for q in reqs if q], relations=rels, exclusions=excl, prompt=prompt), notes


def queries(spec: Spec, layout: Layout | None = None, vocabulary: str = "open") -> list[Query]:
    """What an open-vocabulary detector is asked to find: every requested/planned (colour, noun),
    the bare nouns (to catch wrong colours) and the excluded nouns."""
    out: list[Query] = []

    def add(name: str | None, color: str | None) -> None:
        if name and Query(name=name, color=color) not in out:
            out.append(Query(name=name, color=color))

    for q in spec.requirements:
        add(q.shape, q.color)
    for o in (layout.objects if layout else []):
        add(noun(o.name, vocabulary), o.color)
    for q in list(spec.requirements) + list(spec.exclusions):
        add(q.shape, None)
    return out


def _inside(c: tuple[float, float], box, tol: float) -> bool:
    return box[0] - tol <= c[0] <= box[2] + tol and box[1] - tol <= c[1] <= box[3] + tol


def anchor(layout: Layout, dets: list[Found], vocabulary: str = "world", anywhere: bool = False,
           tol: float = BOX_TOLERANCE) -> dict[int, int]:
    """One-to-one plan object → detection pairs: same noun and colour (texture if planned and the
    detector reports it), centre inside the planned box (± ``tol``) unless ``anywhere``; least
    total centre distance."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    objs = layout.objects
    if not objs or not dets:
        return {}
    big = 1e6
    cost = np.full((len(objs), len(dets)), big)
    for j, o in enumerate(objs):
        name = noun(o.name, vocabulary)
        for i, d in enumerate(dets):
            if name is None or d.shape != name or (o.color and d.color != o.color):
                continue
            tex = (o.texture or "solid") if vocabulary == "world" else None
            if tex and d.texture and d.texture != tex:
                continue
            if not anywhere and not _inside(d.center, o.box, tol):
                continue
            (ax, ay), (bx, by) = o.center, d.center
            cost[j, i] = (ax - bx) ** 2 + (ay - by) ** 2
    rows, cols = linear_sum_assignment(cost)
    return {int(j): int(i) for j, i in zip(rows, cols) if cost[j, i] < big}


def compare(dets: list[Found], spec: Spec, layout: Layout | None, vocabulary: str = "world",
            anywhere: bool = False, unchecked: list[str] | None = None) -> Comparison:
    """Check ``dets`` against the request (``spec``) and locate the differences from the plan."""
    s = score(dets, spec)
    ok = s.ok
    problems: list[Problem] = []
    anchors: dict[int, int] = {}
    if layout is not None:
        anchors = anchor(layout, dets, vocabulary, anywhere)
        for j, o in enumerate(layout.objects):
            if j not in anchors and noun(o.name, vocabulary) is not None:
                problems.append(Problem(kind="missing", message=f"no {o.phrase()} where the plan puts it",
                                        box=o.box))
    relevant = {q.shape for q in spec.requirements}
    excluded = {q.shape for q in spec.exclusions}
    if layout is not None:
        relevant |= {n for n in (noun(o.name, vocabulary) for o in layout.objects) if n}
    taken = set(anchors.values())
    for i, d in enumerate(dets):
        if i in taken:
            continue
        if d.shape in excluded:
            problems.append(Problem(kind="excluded", message=f"a {d.phrase()} the request excludes", box=d.box))
        elif d.shape in relevant:
            problems.append(Problem(kind="extra", message=f"a {d.phrase()} the plan does not have", box=d.box))
    return Comparison(ok=ok, failures=s.failures(), problems=problems, anchors=anchors,
                      unchecked=list(unchecked or []))


__all__ = ["BOX_TOLERANCE", "Comparison", "Problem", "anchor", "compare", "noun", "queries", "request_spec"]
