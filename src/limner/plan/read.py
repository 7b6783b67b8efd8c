"""The request reader (issue 12): a small grammar that accounts for every word.

1. *Tokens*: lower-cased words and punctuation; hyphens split ("top-left" = "top left").
2. *Lexicon*: phrases are matched longest first against :mod:`.words`; each becomes an item with
   a role (object, count, colour, size, texture, attribute, relation, region, order, negation,
   reference, framing, verb, background) or *unknown*.
3. *Chunks and clauses*: one left-to-right pass builds noun phrases (count, modifiers, head noun),
   attaches predicates ("that is orange", "all of them red", "colored blue"), relations (including
   fronted ones, "below it, a square", and postfix ones, "with a square on top"), regions,
   between/inside, order ("from left to right"), negation, and elliptic lists ("a red, a green and
   a blue circle").

A clause is a sentence (split at . ; ! ? and "but"). A clause with an unknown word or a word that
found no place (a relation without an object, an adjective without a noun) is *unsure*: its facts
are recorded with ``sure=False`` and are not enforced on an LLM's plan. An unknown word where a
noun belongs is an object nobody can draw (``drawable=False``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InputError
from . import lexicon as lx
from . import words as W
from .types import ObjectSpec

MAX_CHARS = 1000
MAX_OBJECTS = 16
TOKEN_RE = re.compile(r"'s\b|[a-z0-9]+(?:'(?!s\b)[a-z]+)?|[,.;:!?&()]")
SENTENCE_END = {".", ";", "!", "?", "but"}
_PLURAL_OF = {v: k for k, v in lx.IRREGULAR.items() if k != v}


def _plural(phrase: str) -> str:
    head, _, last = phrase.rpartition(" ")
    p = _PLURAL_OF.get(last) or (last + "es" if last.endswith(("s", "x", "ch", "sh")) else last + "s")
    return f"{head} {p}".strip()


# multi-word nouns, singular and plural -> the one name
_NOUN_PHRASES: dict[str, str] = {}
PLURAL_PHRASES: set[str] = set()
for _n in sorted(lx.KNOWN_NOUNS | set(W.NOUN_SYNONYMS) | set(W.CLASS_SYNONYMS)):
    if " " in _n and _n not in lx.IRREGULAR and lx.singularize(_n) == _n:
        _NOUN_PHRASES[_n] = _n
        _NOUN_PHRASES[_plural(_n)] = _n
        PLURAL_PHRASES.add(_plural(_n))

# (table, kind); at each position the longest phrase wins, ties by this order
_TABLES: list[tuple[dict, str]] = [
    (W.PRONOUN_RELATIONS, "prel"), (W.NUMBER_PHRASES, "qnum"), ({k: 1 for k in W.NEGATIONS}, "neg"),
    (W.ORDERS, "order"), (W.ARRANGEMENTS, "arr"), (W.REGIONS, "region"), (W.RELATIONS, "rel"),
    (_NOUN_PHRASES, "noun"), ({k: 1 for k in W.COPULAS}, "cop"),
    ({k: 1 for k in W.PRONOUNS}, "pron"), ({k: 1 for k in W.CONJUNCTIONS}, "conj"),
    ({k: 1 for k in W.FRAME_PHRASES}, "frame"), ({k: 1 for k in W.RECIPROCALS}, "recip"),
    ({k: 1 for k in W.CORRECTIONS}, "corr"),
]
_MAXLEN = max(len(k.split()) for t, _ in _TABLES for k in t)
_INDEX: dict[tuple[str, ...], tuple[str, object]] = {}
for _table, _kind in reversed(_TABLES):
    for _k, _v in _table.items():
        _INDEX[tuple(_k.split())] = (_kind, _v)

ROLE = {"noun": "object", "num": "count", "qnum": "count", "det": "count", "color": "color",
        "size": "size", "texture": "texture", "attr": "attribute", "rel": "relation",
        "prel": "relation", "region": "region", "order": "order", "arr": "order", "neg": "negation",
        "pron": "reference", "cop": "verb", "verb": "verb", "frame": "framing", "framen": "framing",
        "conj": "framing", "sep": "framing", "of": "framing", "cmark": "color", "bg": "background",
        "one": "reference", "unk": "unknown", "place": "background",
        "recip": "reference", "setting": "background", "poss": "framing", "corr": "unknown", "ord": "reference"}
PUNCT = {",", ".", ";", "!", "?", ":", "&", "(", ")"}


@dataclass
class Item:
    kind: str
    value: object
    text: str
    clause: int = 0
    placed: bool = True


def check_prompt(prompt: object) -> str:
    if not isinstance(prompt, str):
        raise InputError(f"the request must be text, not {type(prompt).__name__}")
    text = " ".join(prompt.split())
    if not text:
        raise InputError("the request is empty: describe what to draw, e.g. 'a red circle above a blue square'")
    if len(text) > MAX_CHARS:
        raise InputError(f"the request is {len(text)} characters long; the planner takes at most {MAX_CHARS}")
    return text


_FRAME_NEXT = {"of", "showing", "with", "where", "that", "containing", "featuring", "depicting",
               "which", "shows", ",", ".", ":", "!", "?", ";"}


def _color(w: str) -> str | None:
    if w in W.COLOR_SYNONYMS:
        return W.COLOR_SYNONYMS[w]
    return lx.canonical_color(w)


def _word_item(tokens: list[str], i: int) -> Item:
    w = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    nxt2 = tokens[i + 2] if i + 2 < len(tokens) else ""
    if w.isdigit():
        return Item("num", int(w), w)
    if w in ("'s", "'"):
        return Item("poss", w, w)
    if w == "(":
        return Item("cop", w, w)  # "a triangle (green)": what follows describes the object before
    if w == ")":
        return Item("frame", w, w)
    if w in (",", ":", "&") or w in SENTENCE_END:
        return Item("sep" if w in SENTENCE_END else "conj", w, w)
    if w in W.ORDINALS:  # "the second is green": one instance of the group; "a second star": another
        prev = tokens[i - 1] if i > 0 else ""
        if prev == "the" and not W.noun_name(nxt) and nxt not in ("one",):
            return Item("ord", W.ORDINALS[w], w)
        if prev == "the" and nxt == "one":
            return Item("ord", W.ORDINALS[w], w)
        return Item("frame", w, w)
    if w == "one" and i > 0 and tokens[i - 1] in W.ORDINALS:
        return Item("frame", w, w)  # "the first one"
    if w == "another" and not (W.noun_name(nxt) or _color(nxt) or nxt in W.SIZE_WORDS or nxt in W.ADJECTIVES):
        return Item("one", None, w)  # "one circle on top of another"
    if w in ("one", "ones") and (w == "ones" or not (nxt in W.NUMBER_WORDS or _color(nxt) or nxt in W.SIZE_WORDS
                                                   or nxt in W.TEXTURE_WORDS or nxt in W.ADJECTIVES
                                                   or W.noun_name(nxt) or nxt in ("of",))):
        return Item("one", None, w)
    if w in W.NUMBER_WORDS:
        return Item("num", W.NUMBER_WORDS[w], w)
    if w in ("these", "those") and not (W.noun_name(nxt) or _color(nxt) or nxt in W.NUMBER_WORDS):
        return Item("pron", w, w)
    if w in W.ARTICLES:
        return Item("det", w, w)
    if w in W.COLOR_MARKERS and (_color(nxt) or w != "in"):
        return Item("cmark", w, w)
    c = _color(w)
    modifies = bool(W.noun_name(nxt) or f"{nxt} {nxt2}" in _NOUN_PHRASES or nxt in W.SIZE_WORDS or nxt in W.TEXTURE_WORDS or nxt in W.COLOR_MARKERS
                    or _color(nxt) or nxt in W.ADJECTIVES
                    or nxt == "and" and not (nxt2 in W.ARTICLES or nxt2 in W.NUMBER_WORDS or nxt2.isdigit()))
    if c and not (w in lx.KNOWN_NOUNS and not modifies):
        return Item("color", c, w)
    if w in W.SIZE_WORDS:
        return Item("size", W.SIZE_WORDS[w], w)
    if w in W.TEXTURE_WORDS and not (W.noun_name(w) and not modifies):
        return Item("texture", W.TEXTURE_WORDS[w], w)
    if lx.singularize(w) in W.QUANTITY_NOUNS and nxt == "of":  # "a stack of books"
        return Item("noun", lx.singularize(w), w)
    if w in ("ring", "circle", "square", "cluster") and nxt == "of" and (nxt2 in W.NUMBER_WORDS or nxt2.isdigit()):
        return Item("noun", "group", w)  # "a ring of five stars": five stars, arranged
    n = W.noun_name(w)
    if n is not None and w not in W.BACKGROUND_WORDS and w not in W.FRAME_NOUNS:
        return Item("noun", n[0], w)
    if w in W.ADJECTIVES:
        return Item("attr", w, w)
    prev = tokens[i - 1] if i > 0 else ""
    if w in W.VERBS and not (prev in W.ARTICLES or _color(prev) or prev in W.ADJECTIVES):
        return Item("verb", w, w)  # after "the wooden" it is a noun ("stand"): unknown below
    if w == "of":
        return Item("of", w, w)
    if w in W.BACKGROUND_WORDS:
        return Item("bg", w, w)
    if w in W.PLACES:
        return Item("place", w, w)
    if w in W.SETTING_PREPS:
        return Item("setting", w, w)
    if w in W.FRAME_NOUNS and nxt in _FRAME_NEXT:
        return Item("framen", w, w)
    if w in W.FRAME_NOUNS or lx.singularize(w) in W.FRAME_NOUNS:  # "a painting on the wall": a thing
        return Item("noun", lx.singularize(w), w)
    if w in W.REGION_WORDS_ALONE:
        return Item("region", W.REGION_WORDS_ALONE[w], w)
    if len(w) > 4 and w.endswith(("ed", "ing")) and w.isalpha() and not (
            prev in W.ARTICLES or prev in W.NUMBER_WORDS or prev.isdigit() or _color(prev) or prev in W.SIZE_WORDS
            or prev in W.ADJECTIVES):
        return Item("verb", w, w)  # "the cat swam", "balloons soaring": a verb form, nothing to draw
    return Item("unk", w, w)


_BG_JOINERS = {"to", "and", "into", "fading"}


def _background_run(tokens: list[str], i: int) -> int:
    """Length of a background phrase starting at ``i`` — background vocabulary (colours, the world's
    background colours, plain/gradient) joined by to/and, ending in "background"/"backdrop" — when
    it holds words the word-by-word reader would not place (a gradient, "mint"); else 0."""
    vocab = W.KNOWN_PLACES | _BG_JOINERS
    if tokens[i] in _BG_JOINERS or tokens[i] not in W.KNOWN_PLACES:
        return 0
    j = i
    while j < len(tokens) and tokens[j] in vocab:
        j += 1
    if j >= len(tokens) or tokens[j] not in W.BACKGROUND_WORDS or j == i:
        return 0
    run = tokens[i:j]
    special = {"gradient", "plain", "mint", "beige", "sky"} | _BG_JOINERS
    return j - i + 1 if any(t in special for t in run) else 0


def lex(text: str) -> list[Item]:
    """Tokens -> items (longest phrase first), each with its clause number."""
    tokens = TOKEN_RE.findall(text.lower().replace("-", " ").replace("'s ", " 's ").replace("\u2019", "'"))

    items: list[Item] = []
    i, clause = 0, 0
    while i < len(tokens):
        bg = _background_run(tokens, i)
        if bg:  # "a gradient sky to mint background": one background phrase
            items.append(Item("bg", " ".join(tokens[i:i + bg]), " ".join(tokens[i:i + bg]), clause=clause))
            i += bg
            continue
        hit = None
        for n in range(min(_MAXLEN, len(tokens) - i), 1, -1):
            key = tuple(tokens[i:i + n])
            if key in _INDEX:
                hit = (n, *_INDEX[key])
                break
        if hit is None and (tokens[i],) in _INDEX and tokens[i] not in ("in", "one", "that") \
                and not (tokens[i] in W.ARTICLES and _INDEX[(tokens[i],)][0] == "pron"):
            hit = (1, *_INDEX[(tokens[i],)])
        if hit is not None and hit[1] == "rel" and tokens[i] == "in" and hit[0] == 1:
            hit = None
        if hit is not None:
            n, kind, val = hit
            it = Item(kind, val, " ".join(tokens[i:i + n]))

        else:
            n = 1
            it = _word_item(tokens, i)
            if it.kind == "unk" and tokens[i] == "in":
                it = Item("rel", "inside", "in")
        it.clause = clause
        items.append(it)
        if it.kind == "sep":
            clause += 1
        i += n
    return items


@dataclass
class _NP:
    count: int | None = None
    vague: bool = False
    det: str | None = None
    mods: dict = field(default_factory=dict)
    attrs: list = field(default_factory=list)
    items: list = field(default_factory=list)

    def empty(self) -> bool:
        return self.count is None and not self.mods and not self.attrs and self.det is None


def _apply(spec: ObjectSpec, key: str, value: str) -> None:
    if key == "attr":
        if value not in spec.attributes and len(spec.attributes) < 5:
            spec.attributes.append(value)
    else:
        setattr(spec, key, value)
