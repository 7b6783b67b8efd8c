"""Noun phrases of an instruction clause for the rule reader (``edit.reader``): the clause and
noun-phrase records, the verb classes, and the noun-phrase reader ("the small red circle on the left")."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import lexicon as L
from .steps import Selector

POST_PREPS = {"on", "at", "in"}
SIDE_WORDS = {"side", "corner", "end", "edge", "half", "part"}
VERB_SETS = (("remove", L.REMOVE_VERBS), ("add", L.ADD_VERBS | L.COPY_VERBS), ("place", L.PLACE_VERBS),
             ("move", L.MOVE_VERBS), ("swap", L.SWAP_VERBS), ("replace", L.REPLACE_VERBS),
             ("size", set(L.SIZE_VERBS)), ("generic", L.GENERIC_VERBS))


# the most specific verb of a clause decides: "i'd like the star and the square to trade places"
PRIORITY = ("swap", "replace", "remove", "add", "move", "size", "place", "generic")


@dataclass
class NP:
    start: int
    end: int  # exclusive, including a post position
    sel: Selector
    noun: str  # "shape" | "generic" | "pronoun" | "unknown"
    indefinite: bool = False
    number: int | None = None
    region: str | None = None  # a post position read as a canvas region (for add)


@dataclass
class Clause:
    toks: list[str]
    idx: list[int]  # token positions in the instruction
    verb: str | None = None
    nps: list[NP] = field(default_factory=list)


def verb_class(w: str) -> str | None:
    for name, words in VERB_SETS:
        if w in words:
            return name
    return None


def is_noun(w: str) -> str | None:
    if w in L.SHAPE_WORDS:
        return "shape"
    if w in L.PRONOUNS:
        return "pronoun"
    if w in L.GENERIC_NOUNS:
        return "generic"
    return None


MODIFIERS = set(L.COLOR_WORDS) | set(L.SIZE_ADJ) | set(L.POSITION_WORDS) | set(L.ORDINALS) | \
    set(L.NUMBERS) | L.QUANT_ALL | L.QUANT_ONE | {"the", "one_of", "this", "that", "these", "those",
                                                  "striped", "dotted", "spotted", "solid", "plain",
                                                  "stripy", "stripey", "dotty", "patterned", "new",
                                                  "more", "extra", "other"} | set(L.REGION_TOKENS) | \
    L.SHADE_WORDS


def noun_phrases(cl: Clause, roles: list, add_like: bool) -> list[NP]:
    t, nps = cl.toks, []
    used: set[int] = set()
    for j, w in enumerate(t):
        kind = is_noun(w)
        if kind is None or j in used:
            continue
        if w == "one" and (j == 0 or t[j - 1] not in MODIFIERS or t[j - 1] in L.NUMBERS):
            continue  # "change the number of squares to one": a number, not "the small one"
        if w == "one":
            b = j + 1
            while b < len(t) and t[b] in MODIFIERS and is_noun(t[b]) is None:
                b += 1
            if b < len(t) and is_noun(t[b]) == "shape":
                continue  # "one heart", "one black square": a quantity
        if w in ("one", "ones") and j > 0 and t[j - 1] in L.NUMBERS and t[j - 1] != "one":
            continue
        sel = Selector(shape=L.SHAPE_WORDS.get(w), pronoun=kind == "pronoun" or w in ("one", "ones"),
                       plural=w in L.PLURAL_SHAPE_WORDS or w in ("them", "they", "ones", "objects",
                                                                 "shapes", "things", "items", "everything"))
        np_ = NP(j, j + 1, sel, kind)
        if w == "everything":
            sel.quantity = "all"
        a = j - 1
        while a >= 0 and a not in used and t[a] in MODIFIERS:
            a -= 1
        for k in range(a + 1, j):
            _modifier(np_, t[k])
            used.add(k)
        np_.start = a + 1
        used.add(j)
        # post position: "on the right", "at the top", "in the middle", "in the top left corner"
        b = j + 1
        if b < len(t) and t[b] in POST_PREPS:
            c = b + 1 + (1 if b + 1 < len(t) and t[b + 1] == "the" else 0)
            if c < len(t) and (t[c] in L.POSITION_WORDS or t[c] in L.REGION_TOKENS):
                pos = L.REGION_TOKENS.get(t[c]) or L.POSITION_WORDS[t[c]]
                if add_like:
                    np_.region = {"middle": "center"}.get(pos, pos)
                else:
                    sel.position = pos  # type: ignore[assignment]
                e = c + 1 + (1 if c + 1 < len(t) and t[c + 1] in SIDE_WORDS else 0)
                used.update(range(b, e))
                np_.end = e
        sel.text = " ".join(t[np_.start:np_.end])
        for k in range(np_.start, np_.end):
            roles[cl.idx[k]] = "selector"
        nps.append(np_)
    return nps


def _modifier(np_: NP, w: str) -> None:
    s = np_.sel
    if w in L.COLOR_WORDS:
        s.color = L.COLOR_WORDS[w]
    elif w in L.SIZE_ADJ:
        s.size = L.SIZE_ADJ[w]  # type: ignore[assignment]
    elif w in L.REGION_TOKENS:
        s.position = L.REGION_TOKENS[w]  # type: ignore[assignment]
    elif w in L.POSITION_WORDS:
        s.position = L.POSITION_WORDS[w]  # type: ignore[assignment]
    elif w in L.ORDINALS:
        s.ordinal = L.ORDINALS[w]
    elif w in ("striped", "stripy", "stripey", "dotted", "spotted", "dotty", "solid", "plain"):
        s.texture = L.TEXTURE_WORDS[w]
    elif w == "patterned":
        s.texture = "patterned"
    elif w in L.QUANT_ALL:
        s.quantity = "all"
    elif w == "one_of":
        s.quantity = "one"
    elif w in L.NUMBERS:
        np_.number = L.NUMBERS[w]
        if np_.number == 1:
            s.quantity, np_.indefinite = "one", True
        elif np_.number > 1:
            s.number = np_.number
    elif w in ("a", "an", "another", "any", "some", "new", "more", "extra"):
        np_.indefinite = True
        if w in ("a", "an", "another"):
            s.quantity = "one"
