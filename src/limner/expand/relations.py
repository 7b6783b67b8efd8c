"""Relations between objects stated by verbs and prepositions, kept in order.

"a tiger wearing a hat", "an astronaut riding a horse", "a cat under a table": the subject, the
relation and the object are found in the request by a shallow reading (the head noun before the
relation word, skipping posture verbs like "sitting"; the head noun of the phrase after it; a
coordinated verb "and holding ..." shares the clause's subject). A rewrite keeps the relation when
one of its sentences says subject ... relation ... object in that order (any inflection: wears,
wore, worn), or the passive/inverse (object ... held by ... subject; object ... beneath ...
subject for "on"). It *contradicts* the relation when a sentence inverts it ("a horse riding an
astronaut") or relates the two by another relation word and never by the stated one ("a tiger
sits on a hat" for "a tiger wearing a hat").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attributes import DETERMINERS, tokens
from .filters import stem

IRREGULAR = {
    "wear": ("wore", "worn"), "hold": ("held",), "ride": ("rode", "ridden"), "eat": ("ate", "eaten"),
    "drink": ("drank", "drunk"), "feed": ("fed",), "throw": ("threw", "thrown"), "catch": ("caught",),
    "drive": ("drove", "driven"), "fly": ("flew", "flown"), "fight": ("fought",), "lead": ("led",),
    "bite": ("bit", "bitten"), "draw": ("drew", "drawn"), "build": ("built",), "read": (),
    "hit": (), "cut": (), "hug": ("hugged", "hugging"), "pet": ("petted", "petting"),
    "swing": ("swung",), "sling": ("slung",), "carry": ("carried", "carries"), "grab": ("grabbed", "grabbing"),
    "shake": ("shook", "shaken"), "hold up": ("held up",), "bring": ("brought",), "sit": ("sat",),
    "tie": ("tying", "tied", "ties"), "lie": ("lying",),
}
VERBS = """wear hold ride carry eat drink read play chase hug kiss feed walk pull push throw catch kick
watch use drive fly climb fight hunt knit pour fix water tie cross pet lead hit bite lick sniff
paint draw chew cut build cook wash clean open grab lift swing wield sling cradle clutch grip
attack follow jump over stir bake blow hold up brush comb examine repair type write sew fish
shake carve juggle balance sweep mow herd tow steer pilot rescue chase ride on""".split()
PREPOSITIONS = {
    "on": "on", "on top of": "on", "atop": "on", "upon": "on", "onto": "on",
    "under": "under", "underneath": "under", "beneath": "under", "below": "under",
    "above": "over", "over": "over",
    "behind": "behind", "in front of": "front",
    "inside": "inside", "inside of": "inside", "within": "inside",
    "next to": "next", "beside": "next", "alongside": "next",
    "against": "against", "around": "around",
}
INVERSE = {"on": {"under"}, "under": {"on", "over"}, "over": {"under"}, "behind": {"front"},
           "front": {"behind"}}
SYMMETRIC = {"next"}
POSTURE = frozenset("""sitting standing lying laying perched leaning sleeping hanging floating
resting parked placed sits stands lies perches leans sleeps hangs floats rests is are was were
balanced balancing set seated stacked piled crouching hiding hides crouched curled coiled
swimming flying hovering flies swims hovers crashing crashes lying stuck sitting""".split())
NOT_OBJECTS = frozenset("""day night morning evening afternoon left right top side bottom fire
display time way ground background foreground street""".split())
CLOSED = DETERMINERS | frozenset("""and or but with of in at to for from by into while as
is are was were be been has have had it its which who that there then through across during out
along toward towards past near about off up down beyond among""".split()) | POSTURE
CONTAINERS = frozenset("""bowl cup mug glass pint plate vase basket stack pile jar bottle box bag
bunch bouquet loaf slice piece pair group herd flock family crowd pot tray""".split())
_WINDOW = 12


def verb_forms(base: str) -> set[str]:
    forms = {base}
    irregular = IRREGULAR.get(base, ())
    forms.update(irregular)
    if " " in base:
        return forms
    if base.endswith("e") and not base.endswith("ee"):
        forms |= {base + "s", base[:-1] + "ing", base + "d"}
    elif base.endswith("y") and base[-2:-1] not in "aeiou":
        forms |= {base[:-1] + "ies", base + "ing", base[:-1] + "ied"}
    elif base.endswith(("sh", "ch", "s", "x")):
        forms |= {base + "es", base + "ing", base + "ed"}
    else:
        forms |= {base + "s", base + "ing", base + "ed"}
        if re.fullmatch(r"[^aeiou]*[aeiou][bdgmnpt]", base):  # hug -> hugging
            forms |= {base + base[-1] + "ing", base + base[-1] + "ed"}
    return forms


_FORM_TO_VERB: dict[str, str] = {}
for _v in VERBS:
    if _v in ("on", "over", "up"):
        continue
    for _f in verb_forms(_v):
        _FORM_TO_VERB.setdefault(_f, _v)


@dataclass(frozen=True)
class Rel:
    subject: str  # head noun
    relation: str  # verb base form, or a preposition class ("on", "under", ...)
    object: str
    kind: str  # "verb" | "prep"
    phrase: str = ""

    @property
    def label(self) -> str:
        return f"{self.subject} {self.relation} {self.object}"


def _rel_at(ts: list[str], i: int) -> tuple[str, str, int] | None:
    """(relation, kind, length) of a relation word at ``ts[i]``, or None."""
    for n in (3, 2, 1):
        p = " ".join(ts[i:i + n])
        if len(ts[i:i + n]) == n and p in PREPOSITIONS:
            return PREPOSITIONS[p], "prep", n
    w = ts[i]
    if w in _FORM_TO_VERB:
        return _FORM_TO_VERB[w], "verb", 1
    return None


def _head_before(ts: list[str], i: int) -> str | None:
    """The subject's head noun before ``ts[i]``; "a bowl of cherries" -> "bowl|cherries"."""
    j = i - 1
    while j >= 0 and (ts[j] in POSTURE or ts[j].endswith("ly")):
        j -= 1
    if j >= 1 and ts[j] in ("who", "that", "which"):  # "a girl who is holding a cat"
        j -= 1
    if j < 0 or ts[j] in CLOSED or ts[j] in NOT_OBJECTS or ts[j].isdigit() or ts[j] == "s":
        return None
    if j >= 2 and ts[j - 1] == "of" and ts[j - 2] in CONTAINERS:
        return f"{ts[j - 2]}|{ts[j]}"
    return ts[j]


def _head_after(ts: list[str], i: int) -> str | None:
    j, last = i, None
    while j < len(ts) and ts[j] not in CLOSED - DETERMINERS and not (
            _rel_at(ts, j) and _rel_at(ts, j)[1] == "prep"):
        if ts[j] not in DETERMINERS and ts[j] != "s":
            last = ts[j]
        j += 1
        if j - i > 5:
            break
    return last if last and last not in NOT_OBJECTS else None


def _clauses(text: str) -> list[list[str]]:
    return [tokens(c) for c in re.split(r"[.;!?]|,(?!\s*(?:and|holding|wearing))", text) if c.strip()]


def extract_relations(prompt: str) -> list[Rel]:
    """The verb and preposition relations of ``prompt`` (see the module docstring).

    A preposition after a verb's object ("a boy flying a kite on a beach") or after another
    preposition's object ("a lamp on a desk next to books") places the scene, not that object,
    and is not read as a relation; nor is a medium ("oil on canvas", "a painting of").
    """
    from .attributes import find_terms

    out: list[Rel] = []
    for ts in _clauses(prompt):
        medium_at = {k for t in find_terms(" ".join(ts)) if t.axis == "medium" for k in range(t.start, t.end)}
        subject, last_object = None, None
        i = 0
        while i < len(ts):
            hit = _rel_at(ts, i)
            if not hit or i in medium_at:
                i += 1
                continue
            rel, kind, n = hit
            if kind == "prep" and i > 0 and ts[i - 1] in ("in", "at"):
                i += n
                continue
            prev = ts[i - 1] if i else ""
            subj = subject if prev in ("and", "while") and subject else _head_before(ts, i)
            obj = _head_after(ts, i + n)
            attached = kind == "prep" and last_object is not None and subj is not None and (
                subj.split("|")[-1] == last_object)
            if subj and obj and subj != obj and not attached:
                out.append(Rel(subj, rel, obj, kind, " ".join(ts[max(0, i - 1):i + n + 2])))
                if kind == "verb" or subject is None:
                    subject = subject or subj
            if obj:
                last_object = obj
            i += n
    seen, uniq = set(), []
    for r in out:
        if r.label not in seen:
            seen.add(r.label)
            uniq.append(r)
    return uniq


def _noun_hits(ts: list[str], noun: str) -> list[int]:
    alts = noun.split("|")  # "bowl|cherries": either names the subject
    stems = {stem(a) for a in alts} | set(alts)
    return [k for k, w in enumerate(ts) if w in stems or stem(w) in stems]


def _rel_positions(ts: list[str], rel: Rel) -> list[int]:
    return [k for k in range(len(ts)) if (h := _rel_at(ts, k)) and h[0] == rel.relation]


def sentence_status(ts: list[str], rel: Rel) -> str:
    """"kept", "inverted", "changed" or "" (the sentence does not relate the two nouns)."""
    subs, objs = _noun_hits(ts, rel.subject), _noun_hits(ts, rel.object)
    if not subs or not objs:
        return ""
    rels = _rel_positions(ts, rel)
    for a in subs:
        for b in objs:
            if 0 < b - a <= _WINDOW and any(a < k < b for k in rels):
                return "kept"
            if 0 < a - b <= _WINDOW:
                between = ts[b + 1:a]
                if rel.kind == "verb" and "by" in between and any(b < k < a for k in rels):
                    return "kept"  # passive: "a skateboard held by a tiger"
                inv = INVERSE.get(rel.relation, set())
                if any((h := _rel_at(ts, k)) and h[0] in inv for k in range(b + 1, a)):
                    return "kept"  # "a table with a cat beneath it" style inverse
    for a in subs:
        for b in objs:
            if 0 < a - b <= _WINDOW and rel.relation not in SYMMETRIC and any(b < k < a for k in rels):
                return "inverted"  # "a horse riding an astronaut" for "an astronaut riding a horse"
            if 0 < b - a <= 8 and any(_rel_at(ts, k) for k in range(a + 1, b)):
                return "changed"  # related by another word: "a tiger sits on a hat"
    return ""


def relation_kept(rel: Rel, text: str) -> bool:
    return any(sentence_status(ts, rel) == "kept" for ts in _clauses(text))


def relation_broken(rel: Rel, clause: str) -> str:
    """"inverted"/"changed" if ``clause`` contradicts ``rel``, else ""."""
    st = sentence_status(tokens(clause), rel)
    return st if st in ("inverted", "changed") else ""
