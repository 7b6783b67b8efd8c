"""Facts of a request that an upsampled caption must keep, and the check that it kept them.

The facts come from the planning parser (``limner.plan.parse_request``: objects with counts and
colours, spatial relations, excluded objects, background) plus quoted text, found here. When the
parser cannot be imported, every content word of the request becomes a fact instead, so the check
degrades to "keeps the request's words" rather than to nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .filters import key_words, stem, words

NUMBER_WORDS = {1: ("one", "a", "an", "single", "lone", "1"), 2: ("two", "pair", "couple", "2"),
                3: ("three", "trio", "3"), 4: ("four", "4"), 5: ("five", "5"), 6: ("six", "6"),
                7: ("seven", "7"), 8: ("eight", "8"), 9: ("nine", "9"), 10: ("ten", "10"),
                11: ("eleven", "11"), 12: ("twelve", "dozen", "12")}
RELATION_WORDS = {
    "left of": ("left",), "right of": ("right",),
    "above": ("above", "over", "on top of", "atop", "on", "upon", "higher than"),
    "below": ("below", "under", "underneath", "beneath", "lower than", "at the bottom of"),
    "next to": ("next to", "beside", "besides", "alongside", "by", "near", "close to", "adjacent to"),
    "in front of": ("in front of", "before"),
    "behind": ("behind", "in back of", "at the back of"),
    "inside": ("inside", "in", "within", "into"),
    "between": ("between", "flanked", "on either side"),
}
IRREGULAR = {"person": ("people", "persons"), "man": ("men",), "woman": ("women",),
             "child": ("children",), "mouse": ("mice",), "foot": ("feet",), "tooth": ("teeth",),
             "goose": ("geese",), "sheep": ("sheep",), "fish": ("fish",), "deer": ("deer",),
             "knife": ("knives",), "leaf": ("leaves",), "wolf": ("wolves",), "shelf": ("shelves",)}
NEGATION_WORDS = ("without", "no", "not", "none", "absent")
WINDOW = 6  # words either side of a noun in which its count/colour must appear


@dataclass(frozen=True)
class Fact:
    kind: str  # object | count | color | relation | excluded | background | text | word
    #          | attribute (medium, style, time, season, light, scale, angle, side) | action
    label: str  # how a person (and a repair prompt) reads it: "2 dog", "red car", '"OPEN"'
    noun: str = ""
    values: tuple[str, ...] = field(default_factory=tuple)
    other: str = ""  # relation target noun


def _noun_forms(noun: str) -> set[str]:
    n = noun.lower()
    forms = {stem(n), n}
    forms.update(IRREGULAR.get(n, ()))
    return forms


def _noun_positions(ws: list[str], noun: str) -> list[int]:
    parts = words(noun) or [noun.lower()]  # "t-shirt" -> ["t", "shirt"]: match its last word
    forms = _noun_forms(parts[-1])
    return [i for i, w in enumerate(ws) if w in forms or stem(w) in forms]


def _near(ws: list[str], pos: list[int], values: tuple[str, ...]) -> bool:
    vals = {v.lower() for v in values}
    for i in pos:
        lo, hi = max(0, i - WINDOW), min(len(ws), i + WINDOW + 1)
        if any(w in vals for w in ws[lo:hi]):
            return True
    return False


def _has_phrase(text_words: list[str], phrase: str) -> bool:
    p = phrase.split()
    return any(text_words[i:i + len(p)] == p for i in range(len(text_words) - len(p) + 1))


def quoted(prompt: str) -> list[str]:
    return [a or b or c for a, b, c in re.findall(r'"([^"]+)"|“([^”]+)”|\'([^\']{2,})\'(?!\w)', prompt)]


def _parser():
    try:
        from ..plan import parse_request  # type: ignore[attr-defined]
        return parse_request
    except ImportError:
        pass
    try:
        from ..plan.parse import parse_request  # type: ignore[no-redef]
        return parse_request
    except ImportError:
        return None


def _names_medium(noun: str) -> bool:
    """"watercolor" read as an object by the parser is the medium (an attribute fact instead)."""
    from .attributes import find_terms

    return any(t.axis == "medium" and not t.weak for t in find_terms(noun))


def extract_facts(prompt: str, parser=None) -> list[Fact]:
    """The checkable facts of ``prompt`` (see the module docstring)."""
    parse = parser or _parser()
    facts: list[Fact] = [Fact("text", f'"{q}"', values=(q,)) for q in quoted(prompt)]
    cons = None
    if parse is not None:
        try:
            cons = parse(prompt)
        except Exception:  # noqa: BLE001 - a parser bug must not break upsampling; fall back
            cons = None
    if cons is None:
        return facts + stated_facts(prompt, set()) + [Fact("word", w, values=(w,)) for w in key_words(prompt)]
    qwords = {w.lower() for q in quoted(prompt) for w in words(q)}
    objs = [o for o in cons.objects if o.name.lower() not in qwords and not _names_medium(o.name)]
    for o in objs:
        facts.append(Fact("object", o.name, noun=o.name))
        # a count is a fact only when the request says it ("three cats"), not for a bare plural ("cats")
        explicit = any(w in NUMBER_WORDS.get(o.count, ()) or w.isdigit() for w in words(o.phrase))
        if explicit and o.count != 1:
            facts.append(Fact("count", f"{o.count} {o.name}", noun=o.name,
                              values=NUMBER_WORDS.get(o.count, (str(o.count),))))
        if o.color:  # the request's own word counts too ("golden" for gold)
            said = tuple(w for w in words(o.phrase) if w.startswith(o.color.lower()) and w != o.color.lower())
            same = {"gray": ("grey",), "grey": ("gray",)}.get(o.color.lower(), ())
            facts.append(Fact("color", f"{o.color} {o.name}", noun=o.name, values=(o.color, *same, *said)))
    for r in cons.relations:
        if r.subject < len(cons.objects) and r.target < len(cons.objects):
            a, b = cons.objects[r.subject].name, cons.objects[r.target].name
            facts.append(Fact("relation", f"{a} {r.relation} {b}", noun=a, other=b,
                              values=RELATION_WORDS.get(r.relation, (r.relation,))))
    for name in cons.excluded:
        facts.append(Fact("excluded", f"no {name}", noun=name))
    facts += stated_facts(prompt, {(f.noun, f.other) for f in facts if f.kind == "relation"})
    bg = [w for w in key_words(cons.background or "") if w not in {"background", "backdrop"}]
    for w in bg:
        facts.append(Fact("background", w, values=(w,)))
    if not any(f.kind != "text" for f in facts):  # nothing depictable parsed ("bond", "time")
        facts += [Fact("word", w, values=(w,)) for w in key_words(prompt)]
    return facts


def stated_facts(prompt: str, have_pairs: set[tuple[str, str]]) -> list[Fact]:
    """Attribute facts (medium, style, time, ...) and verb/preposition relations of ``prompt``;
    a preposition relation the planning parser already gave (same two nouns) is not repeated."""
    from .attributes import request_terms
    from .relations import extract_relations

    out = [Fact("attribute", f"{t.axis}: {t.phrase}", noun=t.phrase, values=t.values, other=t.axis)
           for t in request_terms(prompt)]
    for r in extract_relations(prompt):
        if r.kind == "prep" and any(stem(a) == stem(r.subject) or stem(b) == stem(r.object)
                                    for a, b in have_pairs):
            continue
        out.append(Fact("action", r.label, noun=r.subject, values=(r.relation, r.kind), other=r.object))
    return out


def fact_kept(fact: Fact, text: str) -> bool:
    if fact.kind == "attribute":
        from .attributes import Term, kept

        return kept(Term(fact.other, fact.noun, fact.values, 0, 0), text)
    if fact.kind == "action":
        from .relations import Rel, relation_kept

        return relation_kept(Rel(fact.noun, fact.values[0], fact.other, fact.values[1]), text)
    ws = words(text)
    if fact.kind == "text":
        return fact.values[0] in text
    if fact.kind in ("word", "background"):
        have = {stem(w) for w in ws}
        v = fact.values[0]  # key_words() values are already stemmed; stemming twice is not a no-op
        return v in have or stem(v) in have
    pos = _noun_positions(ws, fact.noun) if fact.noun else []
    if fact.kind == "object":
        return bool(pos)
    if fact.kind in ("count", "color"):
        return bool(pos) and _near(ws, pos, fact.values)
    if fact.kind == "relation":
        return bool(pos) and bool(_noun_positions(ws, fact.other)) and any(
            _has_phrase(ws, v) for v in fact.values)
    if fact.kind == "excluded":
        return not pos or _near(ws, pos, NEGATION_WORDS)
    return True


def missing_facts(facts: list[Fact], text: str) -> list[Fact]:
    return [f for f in facts if not fact_kept(f, text)]
