"""The rule reader: an edit instruction → edit steps, with every word accounted for.

A small grammar over the world vocabulary (``edit.lexicon``):

* the instruction is split into clauses at "and" / "," / "then" (not inside "swap A and B" or
  "between A and B"); a clause without a verb takes the previous clause's verb ("make the star
  white and the circle red"), one without an object the previous clause's object;
* a clause is verb + noun phrases + values: a noun phrase is determiners, quantities, positions,
  ordinals and adjectives (size, texture, colour) before a shape noun, generic noun ("one", "shape")
  or pronoun, plus a position after it ("the circle on the right"); colours, textures, sizes,
  directions and numbers outside noun phrases are the values the edit sets;
* the verb class and the values decide the kind: remove, add (relative to an object: "to the right
  of the square", "between the circles"; or a region: "in the top-left corner"), move, swap,
  replace ("turn X into a Y", "replace X with a Y"), recolor ("from orange to green": the last
  colour), texture ("remove the pattern from X" → solid), size ("scale X down"), count ("only two
  stars", "make it four"), background.

Every word gets a role (verb, selector, attribute, target, position, filler, unknown). Unknown words
make :attr:`ReadResult.unknown`; the caller refuses (or asks the LLM reader) when it is not empty.
"""

from __future__ import annotations

from ..world.vocab import SHAPES
from . import lexicon as L
from .clause import read_clause
from .phrase import NP, SIDE_WORDS, Clause, verb_class
from .steps import EditStep, ReadResult, WordRole

CLAUSE_BREAKS = {"and", ",", ";", "then", "also", "plus", "but"}
SHARED_KINDS = {"recolor", "texture", "size", "move", "replace", "remove"}
MARK_NEW = {"into", "to", "as", "be", "with", "for", "by"}


def read_instruction(text: str) -> ReadResult:
    toks = L.merge_phrases(L.tokens(text))
    roles: list[str | None] = [None] * len(toks)
    steps: list[EditStep] = []
    refusal: str | None = None
    prev_verb: str | None = None
    prev_nps: list[NP] = []
    pending: list[NP] = []  # "make the square and the triangle red": objects waiting for their value
    excepting = False
    for cl in _clauses(toks, roles):
        new, verb, nps, why = read_clause(cl, toks, roles, prev_verb, prev_nps)
        own_verb = any(verb_class(w) for w in cl.toks)
        excepting = excepting and not own_verb
        if cl.toks[:1] in (["not"], ["never"], ["except"]) or (excepting and not own_verb):
            # "... but not the square", "except the star and the heart": exceptions
            excepting = True
            if cl.toks[:1] in (["not"], ["never"], ["except"]):
                roles[cl.idx[0]] = "selector"
            if steps and nps and nps is not prev_nps and steps[-1].target is not None:
                steps[-1] = steps[-1].model_copy(update={"exclude": steps[-1].exclude + [n.sel for n in nps]})
                continue
            new, why, nps = [], why or "an exception needs something to apply to", []
        elif own_verb and _negated(cl.toks):  # "don't change the square": nothing to do there
            new, why, nps = [], None, []
        elif not new and not why and nps and nps is not prev_nps:
            pending += nps
        elif new and pending and not own_verb:
            for st in list(new):
                if st.target is not None and st.kind in SHARED_KINDS:
                    new = [st.model_copy(update={"target": p.sel}) for p in pending] + new
            pending = []
        steps += new
        refusal = refusal or why
        prev_verb, prev_nps = verb or prev_verb, nps or prev_nps
    steps = [s for k, s in enumerate(steps) if s not in steps[:k]]  # "plain, no dots": one step
    for i, w in enumerate(toks):
        if roles[i] is None:
            roles[i] = "filler" if (w in L.FILLERS or w in L.SHADE_WORDS or w in SIDE_WORDS
                                    or w in CLAUSE_BREAKS or w in L.QUANT_ONE or _scene_noun(toks, i)) \
                else "unknown"
    unknown = [w for w, r in zip(toks, roles) if r == "unknown"]
    if refusal is None and unknown:
        refusal = _unknown_line(unknown, steps)
    if refusal is None and not steps:
        refusal = "no edit found in the instruction (say what to change, e.g. 'make the circle green')"
    return ReadResult(instruction=text, steps=steps, unknown=unknown, refusal=refusal,
                      words=[WordRole(word=w, role=r) for w, r in zip(toks, roles)])  # type: ignore[arg-type]


def _negated(t: list[str]) -> bool:
    at = next((k for k, w in enumerate(t) if verb_class(w)), None)
    return at is not None and any(w in ("not", "never", "dont") for w in t[:at])


def _unknown_line(unknown: list[str], steps: list[EditStep]) -> str:
    words = ", ".join(f"'{w}'" for w in dict.fromkeys(unknown))
    return (f"not understood: {words} — the world has only {', '.join(SHAPES)} in 10 colours, "
            "striped/dotted/solid, three sizes, on gray/beige/sky/mint backgrounds")


def _scene_noun(toks: list[str], i: int) -> bool:
    return toks[i] in L.SCENE_NOUNS and i >= 2 and toks[i - 1] == "the" and toks[i - 2] in ("in", "to", "of", "from", "on")


def _clauses(toks: list[str], roles: list) -> list[Clause]:
    out: list[Clause] = []
    cur: list[int] = []
    # "swap A and B", "A and B trade places", "between A and B": that "and" joins two objects
    joint = any(w in L.SWAP_VERBS or w == "between" for w in toks)
    for i, w in enumerate(toks):
        if w == "except" and cur:  # "remove all shapes except the star": the exception is its own clause
            out.append(Clause([toks[j] for j in cur], cur))
            cur = [i]
            continue
        if w in CLAUSE_BREAKS and cur:
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            if joint and w == "and" and verb_class(nxt) is None:
                roles[i] = "filler"
                cur.append(i)
                continue
            roles[i] = "filler"
            out.append(Clause([toks[j] for j in cur], cur))
            cur = []
            continue
        cur.append(i)
    if cur:
        out.append(Clause([toks[j] for j in cur], cur))
    return out
