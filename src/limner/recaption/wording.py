"""Caption wording shared by the captioners that know a scene exactly (``world``) or parse one
(``rewrite``): the short style names the object groups with their counts and colours; the
descriptive style adds size, texture, every relation that holds between groups, and the background.

    short:       "two red circles and a blue square"
    descriptive: "two large striped red circles and a small blue square, the red circles are left
                  of the blue square, on a gradient sky to mint background"
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from ..schema import Layout
from ..world.corpus import REL_MARGIN, RELATIONS, count_phrase, group_key, group_relation
from ..world.vocab import PLURALS


def _count(n: int, color: str, shape: str, extra: str = "") -> str:
    """count_phrase, with digits past ten ("12 red circles")."""
    if n <= 10:
        return count_phrase(n, color, shape, extra)
    return " ".join(w for w in (str(n), extra, color, PLURALS.get(shape, shape + "s")) if w)


def _groups(layout: Layout) -> list[tuple[tuple[str, str], list]]:
    order = list(Counter(group_key(o) for o in layout.objects))
    return [(k, [o for o in layout.objects if group_key(o) == k]) for k in order]


def short_caption(layout: Layout) -> str:
    """Main objects only: every group with its count and colour."""
    return " and ".join(_count(len(objs), k[0], k[1]) for k, objs in _groups(layout)) or "nothing"


def _the(k: tuple[str, str], n: int) -> str:
    color, shape = k
    return "the " + " ".join(w for w in (color, shape if n == 1 else PLURALS.get(shape, shape + "s")) if w)


def _holds(layout: Layout, ka, kb, margin: float) -> str | None:
    A = [o for o in layout.objects if group_key(o) == ka]
    B = [o for o in layout.objects if group_key(o) == kb]
    for rel, (axis, sign) in RELATIONS.items():
        if all(sign * (b.center[axis] - a.center[axis]) < -margin for a in A for b in B):
            return rel
    return None


def relations(layout: Layout, slack: float = 0.0) -> list[tuple[tuple[str, str], str, tuple[str, str]]]:
    """Every (group A, relation, group B) that holds for all pairs (the corpus rule and margin).
    With ``slack`` > 0 (a measured scene), a relation is stated only if it holds with the margin
    raised by ``slack``: one that barely holds is left unsaid rather than guessed."""
    out = []
    for ka, kb in combinations([k for k, _ in _groups(layout)], 2):
        r = group_relation(layout, ka, kb) if slack <= 0 else _holds(layout, ka, kb, REL_MARGIN + slack)
        if r:
            out.append((ka, r, kb))
    return out


def descriptive_caption(layout: Layout, slack: float = 0.0) -> str:
    """Everything that holds: groups with count, size (when the group shares one), texture and
    colour; every relation between groups; the background."""
    groups = _groups(layout)
    parts = []
    for k, objs in groups:
        sizes = {o.size for o in objs}
        size = next(iter(sizes)) if len(sizes) == 1 and None not in sizes else ""
        tex = objs[0].texture if objs[0].texture and objs[0].texture != "solid" else ""
        parts.append(_count(len(objs), k[0], k[1], extra=" ".join(w for w in (size, tex) if w)))
    text = " and ".join(parts) or "nothing"
    n = {k: len(objs) for k, objs in groups}
    for ka, r, kb in relations(layout, slack):
        verb = "is" if n[ka] == 1 else "are"
        text += f", {_the(ka, n[ka])} {verb} {r} {_the(kb, n[kb])}"
    if layout.background:
        text += f", on a {layout.background} background"
    return text
