"""Caption fidelity against the true scene: the facts a caption states vs the facts that hold.

Facts (world vocabulary, per object group = (colour, shape)): ``object``, ``count``, ``size`` (when
the whole group shares one), ``texture`` (striped / dotted), ``relation`` between groups (every one
that holds under the corpus rule; "right of"/"below" are stored as the mirrored "left of"/"above")
and ``background``. The short style is judged against object + count facts, the descriptive style
against all of them.

A caption's facts are read by the planner's request reader (``limner.plan.parse_request``) for
objects, counts, sizes, textures, inline relations ("two red circles left of a blue square") and
the background; clauses of the form "the <colour> <shape(s)> is/are <relation> the <colour>
<shape(s)>" are read here, resolving each definite noun phrase by colour *and* shape (the request
reader resolves "the stars" to the first star group whatever its colour, so it would misread
scenes with two groups of one shape).
"""

from __future__ import annotations

import re
from collections import Counter

from ..schema import Layout
from ..world.corpus import group_key
from ..world.vocab import BACKGROUND_COLORS, COLORS, world_shape
from .wording import relations as layout_relations

MIRROR = {"right of": "left of", "below": "above"}
_REL = r"(left of|right of|above|below|to the left of|to the right of)"
_NP = r"the ((?:\w+ )?\w+)"
CLAUSE = re.compile(rf"^{_NP} (?:is|are) {_REL} {_NP}$")


def _rel_fact(a, rel: str, b) -> tuple:
    rel = rel.replace("to the ", "")
    if rel in MIRROR:
        return ("relation", b, MIRROR[rel], a)
    return ("relation", a, rel, b)


def _bg(text: str) -> str | None:
    words = [w for w in re.findall(r"[a-z]+", text.lower())]
    cols = [w for w in words if w in BACKGROUND_COLORS]
    if not cols:
        return None
    if "gradient" in words and len(cols) >= 2:
        return f"gradient {cols[0]} to {cols[1]}"
    return f"plain {cols[0]}"


def true_relations(layout: Layout) -> set[tuple]:
    """Every relation that holds between two groups (a pair can hold two: left of and above)."""
    from ..world.corpus import REL_MARGIN, RELATIONS

    keys = list(Counter(group_key(o) for o in layout.objects))
    out = set()
    for ka in keys:
        for kb in keys:
            if ka == kb:
                continue
            A = [o for o in layout.objects if group_key(o) == ka]
            B = [o for o in layout.objects if group_key(o) == kb]
            for rel, (axis, sign) in RELATIONS.items():
                if all(sign * (b.center[axis] - a.center[axis]) < -REL_MARGIN for a in A for b in B):
                    out.add(_rel_fact(ka, rel, kb))
    return out


def scene_facts(layout: Layout) -> set[tuple]:
    """The facts a full description of a world layout states (one relation per related pair, the
    corpus's); precision is judged against these plus :func:`true_relations`."""
    facts: set[tuple] = set()
    groups = Counter(group_key(o) for o in layout.objects)
    for k, n in groups.items():
        objs = [o for o in layout.objects if group_key(o) == k]
        facts |= {("object", k), ("count", k, n)}
        if len({o.size for o in objs}) == 1 and objs[0].size:
            facts.add(("size", k, objs[0].size))
        if objs[0].texture and objs[0].texture != "solid":
            facts.add(("texture", k, objs[0].texture))
    facts |= {_rel_fact(a, r, b) for a, r, b in layout_relations(layout)}
    bg = _bg(layout.background or "")
    if bg:
        facts.add(("background", bg))
    return facts


def all_true(layout: Layout) -> set[tuple]:
    """Every fact that holds (for precision): :func:`scene_facts` plus every holding relation."""
    return scene_facts(layout) | true_relations(layout)


def short_facts(facts: set[tuple]) -> set[tuple]:
    return {f for f in facts if f[0] in ("object", "count")}


def _definite(np_: str, keys: list[tuple[str, str]]) -> tuple[str, str] | None:
    words = np_.split()
    shape = world_shape(words[-1]) or world_shape(words[-1][:-1]) or world_shape(words[-1][:-2])
    color = words[0] if len(words) == 2 and words[0] in COLORS else None
    hits = [k for k in keys if k[1] == shape and (color is None or k[0] == color)]
    return hits[0] if len(hits) == 1 else None


def caption_facts(text: str) -> set[tuple]:
    """The facts a caption states (see the module doc). Unreadable text states nothing."""
    from ..errors import InputError
    from ..plan import parse_request

    clauses = [c.strip().lower() for c in re.split(r"[,.;]\s*|\band\s+(?=the\b)", text) if c.strip()]
    definite = [c for c in clauses if CLAUSE.match(c)]
    rest = ", ".join(c for c in clauses if c not in definite)
    facts: set[tuple] = set()
    try:
        cons = parse_request(rest) if rest else None
    except InputError:
        cons = None
    keys: list[tuple[str, str]] = []
    if cons is not None:
        spec_key = []
        for o in cons.objects:
            shape = world_shape(o.name)
            k = (o.color or "", shape) if shape else None
            spec_key.append(k)
            if k is None:
                continue
            keys.append(k)
            facts |= {("object", k), ("count", k, o.count)}
            if o.size:
                facts.add(("size", k, o.size))
            if o.texture and o.texture != "solid":
                facts.add(("texture", k, o.texture))
        for r in cons.relations:
            a, b = spec_key[r.subject], spec_key[r.target]
            if a and b and a != b and r.relation in ("left of", "right of", "above", "below"):
                facts.add(_rel_fact(a, r.relation, b))
        bg = _bg(cons.background) if cons.background else None
        if bg:
            facts.add(("background", bg))
    for c in definite:
        m = CLAUSE.match(c)
        a, b = _definite(m.group(1), keys), _definite(m.group(3), keys)
        if a and b and a != b:
            facts.add(_rel_fact(a, m.group(2), b))
    return facts


def precision_recall(stated: set[tuple], true: set[tuple], reference: set[tuple]) -> tuple[int, int, int, int]:
    """(correct stated, stated, reference facts stated, reference facts) — sum over rows, then divide."""
    return len(stated & true), len(stated), len(reference & stated), len(reference)
