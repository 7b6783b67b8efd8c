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

from dataclasses import dataclass, field

from ..world.vocab import SHAPES
from . import lexicon as L
from .steps import EditStep, ReadResult, Selector, WordRole

CLAUSE_BREAKS = {"and", ",", ";", "then", "also", "plus", "but"}
SHARED_KINDS = {"recolor", "texture", "size", "move", "replace", "remove"}
POST_PREPS = {"on", "at", "in"}
SIDE_WORDS = {"side", "corner", "end", "edge", "half", "part"}
MARK_NEW = {"into", "to", "as", "be", "with", "for", "by"}
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
        new, verb, nps, why = _read_clause(cl, toks, roles, prev_verb, prev_nps)
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


def _is_noun(w: str) -> str | None:
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


def _noun_phrases(cl: Clause, roles: list, add_like: bool) -> list[NP]:
    t, nps = cl.toks, []
    used: set[int] = set()
    for j, w in enumerate(t):
        kind = _is_noun(w)
        if kind is None or j in used:
            continue
        if w == "one" and (j == 0 or t[j - 1] not in MODIFIERS or t[j - 1] in L.NUMBERS):
            continue  # "change the number of squares to one": a number, not "the small one"
        if w == "one":
            b = j + 1
            while b < len(t) and t[b] in MODIFIERS and _is_noun(t[b]) is None:
                b += 1
            if b < len(t) and _is_noun(t[b]) == "shape":
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


def _read_clause(cl: Clause, toks, roles, prev_verb, prev_nps):
    t = cl.toks
    classes = [verb_class(w) for w in t]
    best = min((PRIORITY.index(c) for c in classes if c), default=None)
    verb_at = None if best is None else classes.index(PRIORITY[best])
    verb = verb_class(t[verb_at]) if verb_at is not None else None
    vword = t[verb_at] if verb_at is not None else ""
    for k, w in enumerate(t):
        if verb_class(w) and roles[cl.idx[k]] is None:
            roles[cl.idx[k]] = "verb"
    if verb is None and prev_verb is not None:
        verb = prev_verb
    if any(w in L.BG_WORDS for w in t):
        bg = _background(cl, roles)
        other = [w for w in t if w in L.COLOR_WORDS and w not in L.BG_COLOR_WORDS]
        why = None if bg else (f"a {other[0]} background is not possible: world backgrounds are gray, beige, "
                               "sky, mint (plain or a gradient of two)" if other else None)
        return bg, verb, [], why
    add_like = verb == "add" or (verb == "place" and _next_indefinite(t, verb_at)) or \
        (verb is None and _next_indefinite(t, verb_at, numbers=False)) or \
        (verb == "generic" and vword in WANT_VERBS and _next_indefinite(t, verb_at, numbers=False)
         and not _has_values(t))
    nps = [n for n in _noun_phrases(cl, roles, add_like)]
    if verb_at is not None:
        nps = [n for n in nps if n.start > verb_at] or nps
    mark = lambda k, role: roles.__setitem__(cl.idx[k], role)  # noqa: E731
    free = [k for k in range(len(t)) if roles[cl.idx[k]] is None]
    colors = [k for k in free if t[k] in L.COLOR_WORDS]
    texs = [k for k in free if t[k] in L.TEXTURE_WORDS or t[k] in L.PATTERN_WORDS]
    sizes = [k for k in free if t[k] in L.SIZE_ADJ or t[k] in L.SIZE_REL]
    dirs = [k for k in free if t[k] in L.DIRECTION_WORDS]
    nums = [k for k in free if t[k] in L.NUMBERS]
    rels = [k for k in free if t[k] in L.RELATION_TOKENS]
    regions = [k for k in free if t[k] in L.REGION_TOKENS]
    negated = bool(t) and t[0] == "no"
    if negated:
        mark(0, "verb")
    inherited = not nps and bool(prev_nps) and verb not in ("add", "place")
    if inherited:
        nps = prev_nps
    target = nps[0].sel if nps else None
    steps: list[EditStep] = []

    def np_after(k: int) -> NP | None:
        return next((n for n in nps if n.start > k), None)

    if verb == "swap":
        if len(nps) >= 2:
            return [EditStep(kind="swap", target=nps[0].sel, other=nps[1].sel)], verb, nps, None
        if nps and nps[0].sel.plural:
            return [EditStep(kind="swap", target=nps[0].sel)], verb, nps, None
        return [], verb, nps, "swap needs two objects ('swap the square and the triangle')"
    if verb == "size" and t[verb_at] == "scale" and dirs:
        mark(dirs[0], "attribute")
        val = "bigger" if L.DIRECTION_WORDS[t[dirs[0]]] == "up" else "smaller"
        return [EditStep(kind="size", target=target, size=val)], verb, nps, None
    # removing a texture: "remove the pattern from X", "no stripes on X", "take the dots off X"
    if (verb == "remove" or negated) and texs and not any(t[k] in L.TEXTURE_WORDS and L.TEXTURE_WORDS[t[k]] == "solid" for k in texs):
        for k in texs:
            mark(k, "attribute")
        named = next((L.TEXTURE_WORDS[t[k]] for k in texs if t[k] in L.TEXTURE_WORDS), "patterned")
        if target is not None and target.texture is None and not inherited:  # "the star" = the patterned one
            target = target.model_copy(update={"texture": named})
        elif target is None:  # "lose the stripes": every object that has them
            target = Selector(texture=named, quantity="all", plural=True, text=f"the {named} ones")
        return [EditStep(kind="texture", target=target, texture="solid")], verb, nps, None
    if verb == "remove" or negated:
        if (not nps or inherited) and nums:  # "remove one", "too many circles, remove one"
            n = L.NUMBERS[t[nums[0]]]
            mark(nums[0], "selector")
            base = nps[0].sel if nps else Selector(pronoun=True)
            sel = base.model_copy(update={"quantity": "one" if n == 1 else None, "number": n if n > 1 else None,
                                          "plural": n > 1, "text": f"{t[nums[0]]} {base.text}".strip()})
            return [EditStep(kind="remove", target=sel)], verb, nps, None
        return [EditStep(kind="remove", target=n.sel) for n in nps], verb, nps, None
    if verb == "replace" and len(nps) >= 2:
        new = nps[1]
        steps = [EditStep(kind="replace", target=nps[0].sel, shape=new.sel.shape)]
        if new.sel.color:
            steps.append(EditStep(kind="recolor", target=_after_replace(nps[0].sel, new.sel.shape), color=new.sel.color))
        return steps, verb, nps, None
    if add_like:
        if texs and (not nps or nps[0].start > texs[0]):  # "add stripes to the square"
            for k in texs:
                mark(k, "attribute")
            return [EditStep(kind="texture", target=target, texture=L.TEXTURE_WORDS.get(t[texs[0]], "striped"))], verb, nps, None
        return _add(cl, nps, rels, regions, nums, roles, verb_at)
    # generic / move / size / no verb
    into = next((k for k in free if t[k] in INTO_WORDS and np_after(k) and
                 np_after(k).noun == "shape" and k > (nps[0].end - 1 if nps else -1)), None)
    like = next((k for k in free if t[k] in INTO_WORDS and np_after(k) and np_after(k).noun == "generic"
                 and np_after(k).start == k + 1 or (k + 2 < len(t) and np_after(k) and np_after(k).start == k + 2
                                                    and np_after(k).noun == "generic")), None)
    if nps and like is not None and len(nps) >= 2 and nps[1].noun == "generic":  # "to a striped one"
        one = nps[1].sel
        mark(like, "filler")
        for k in range(nps[1].start, nps[1].end):
            mark(k, "attribute")
        steps = [EditStep(kind="recolor", target=nps[0].sel, color=one.color)] if one.color else []
        if one.texture and one.texture != "patterned":
            steps.append(EditStep(kind="texture", target=nps[0].sel, texture=one.texture))
        if one.size:
            steps.append(EditStep(kind="size", target=nps[0].sel, size=one.size))
        if steps:
            return steps, verb, nps[:1], None
    if nps and into is not None and len(nps) >= 2 and nps[1].noun == "shape":
        new = nps[1]
        mark(into, "filler")
        for k in range(new.start, new.end):
            mark(k, "attribute")
        steps = [EditStep(kind="replace", target=nps[0].sel, shape=new.sel.shape)]
        if new.sel.color:
            steps.append(EditStep(kind="recolor", target=_after_replace(nps[0].sel, new.sel.shape), color=new.sel.color))
        return steps, verb, nps[:1], None
    if verb == "generic" and len(nps) >= 2 and nps[1].indefinite and nps[1].number is None and \
            nps[1].noun == "shape" and nps[0].noun == "shape" and nps[1].start == nps[0].end \
            and not colors and not texs:  # "make the square a circle"
        new = nps[1]
        for k in range(new.start, new.end):
            mark(k, "attribute")
        steps = [EditStep(kind="replace", target=nps[0].sel, shape=new.sel.shape)]
        if new.sel.color:
            steps.append(EditStep(kind="recolor", target=_after_replace(nps[0].sel, new.sel.shape), color=new.sel.color))
        return steps, verb, nps[:1], None
    if verb == "size" and nums and not sizes:  # "reduce the number of circles to two": a count
        verb = "generic"
    rels = [k for k in rels if t[k] != "over" or verb in ("add", "place")]  # "move it over to the left"
    if rels and verb not in ("add", "place"):
        mark(rels[0], "position")
        return [], verb, nps, "placing an existing object relative to another is not supported; try 'move the square to the left'"
    if colors:
        frm = [k for k in colors if k > 0 and t[k - 1] == "from"]
        if frm and target is not None and target.color is None:
            target = target.model_copy(update={"color": L.COLOR_WORDS[t[frm[0]]]})
            mark(frm[0], "selector")
        val = [k for k in colors if k not in frm] or colors
        for k in colors:
            if roles[cl.idx[k]] is None:
                mark(k, "attribute")
        steps.append(EditStep(kind="recolor", target=target, color=L.COLOR_WORDS[t[val[-1]]]))
    if texs:
        for k in texs:
            mark(k, "attribute")
        w = t[texs[-1]]
        steps.append(EditStep(kind="texture", target=target, texture=L.TEXTURE_WORDS.get(w, "striped")))
    if sizes or (verb == "size" and L.SIZE_VERBS.get(vword)):
        for k in sizes:
            mark(k, "attribute")
        val = L.SIZE_REL.get(t[sizes[-1]]) or L.SIZE_ADJ.get(t[sizes[-1]]) if sizes else L.SIZE_VERBS[vword]
        steps.append(EditStep(kind="size", target=target, size=val))
    count = _count(cl, nps, nums, verb) if not steps else None
    if count is not None:
        k, n = count
        for j in nums:  # "from three to one": the first is what is there
            mark(j, "target" if j == k else "selector")
        shape_np = nps[0] if nps else None
        steps.append(EditStep(kind="count", target=shape_np.sel if shape_np else None, count=n))
    if not steps and not dirs and verb in ("move", "place") and nps and nps[0].sel.position and \
            nps[0].sel.position in POS_DIR:  # "put the square on the left": a move, not a selector
        pos = nps[0].sel.position
        target = nps[0].sel.model_copy(update={"position": None})
        steps.append(EditStep(kind="move", target=target, direction=POS_DIR[pos]))  # type: ignore[arg-type]
    if dirs and not steps:
        mark(dirs[0], "position")
        for k in dirs[1:]:
            mark(k, "position")
        steps.append(EditStep(kind="move", target=target, direction=L.DIRECTION_WORDS[t[dirs[0]]]))  # type: ignore[arg-type]
    return steps, verb, nps, None


WANT_VERBS = {"have", "want", "like", "need", "get", "include"}
INTO_WORDS = ("into", "to", "be", "for", "with", "was", "were", "become", "becomes")
POS_DIR = {"left": "left", "right": "right", "top": "up", "bottom": "down"}


def _has_values(t: list[str]) -> bool:
    """Colour/texture/size words after the first noun: "i'd like a circle to be red" is no add."""
    first = next((k for k, w in enumerate(t) if _is_noun(w)), len(t))
    return any(w in L.COLOR_WORDS or w in L.TEXTURE_WORDS or w in L.SIZE_REL for w in t[first + 1:]) or \
        any(w in ("into",) for w in t)


def _after_replace(sel: Selector, shape: str | None) -> Selector:
    return sel.model_copy(update={"shape": shape, "quantity": sel.quantity or "all"})


def _next_indefinite(t: list[str], at, numbers: bool = True) -> bool:
    for w in t[(at if at is not None else -1) + 1:]:
        if w in ("a", "an", "another", "new", "more", "some", "extra") or (numbers and w in L.NUMBERS):
            return True
        if w == "the" or _is_noun(w) or w in L.TEXTURE_NOUNS:
            return False
    return False


def _count(cl: Clause, nps: list[NP], nums: list[int], verb) -> tuple[int | None, int] | None:
    t = cl.toks
    if nums:  # "from three to one": the last number is the target
        return nums[-1], L.NUMBERS[t[nums[-1]]]
    cues = set(t) & L.COUNT_CUES
    for np_ in nps:
        if np_.number is None or np_.noun != "shape":
            continue
        if np_.number != 1 or cues or "it" in t:
            if cues or verb in (None, "generic") or np_.sel.plural:
                np_.sel.quantity, np_.sel.number = None, None
                nps.insert(0, nps.pop(nps.index(np_)))
                return None, np_.number
    return None


def _add(cl: Clause, nps, rels, regions, nums, roles, verb_at):
    t = cl.toks
    mark = lambda k, role: roles.__setitem__(cl.idx[k], role)  # noqa: E731
    stop = nps[0].start if nps else len(t)
    after = [k for k in range((verb_at if verb_at is not None else -1) + 1, stop) if roles[cl.idx[k]] is None
             and t[k] not in L.FILLERS and t[k] not in L.SHADE_WORDS and t[k] not in L.QUANT_ONE
             and t[k] not in L.NUMBERS and t[k] not in L.RELATION_TOKENS and t[k] not in L.REGION_TOKENS]
    if after:
        mark(after[0], "unknown")
        return [], "add", nps, (f"cannot add '{t[after[0]]}': the world draws only "
                                f"{', '.join(SHAPES)}")
    if not nps:
        return [], "add", nps, "add what? (e.g. 'add a yellow star')"
    new = nps[0]
    ref = None
    if verb_at is not None and t[verb_at] in L.COPY_VERBS:  # "duplicate the star": one more like it
        return [EditStep(kind="add", target=new.sel, count=1)], "add", nps, None
    step = EditStep(kind="add", shape=new.sel.shape, color=new.sel.color, size=new.sel.size,
                    texture=new.sel.texture if new.sel.texture in ("striped", "dotted") else None,
                    count=new.number or 1, region=new.region)  # type: ignore[arg-type]
    if new.sel.pronoun or new.noun == "generic":
        step.target = new.sel  # "another one": a copy of what is there
    elif new.sel.color is None:
        step.target = Selector(shape=new.sel.shape, quantity="all", text=new.sel.text)  # colour from the scene
    if nums and step.count == 1:
        step.count = L.NUMBERS[t[nums[0]]]
        mark(nums[0], "target")
    if rels:
        k = rels[0]
        mark(k, "position")
        step.relation = L.RELATION_TOKENS[t[k]]  # type: ignore[assignment]
        ref = next((n for n in nps[1:] if n.start > k), None)
        if ref is None:
            return [], "add", nps, f"'{t[k]}' what? name the object to place it by"
        step.other = ref.sel
        second = next((n for n in nps[1:] if n.start > ref.start), None)
        if step.relation == "between" and second is not None:  # "between the square and the circle"
            step.other2 = second.sel
    if regions:
        mark(regions[0], "position")
        step.region = L.REGION_TOKENS[t[regions[0]]]  # type: ignore[assignment]
    for k, w in enumerate(t):  # "in the middle" after a relation-less add
        if roles[cl.idx[k]] is None and w in ("middle", "center") and step.region is None and step.relation is None:
            mark(k, "position")
            step.region = "center"
        elif roles[cl.idx[k]] is None and w in ("left", "right", "top", "bottom") and step.region is None \
                and step.relation is None:
            mark(k, "position")
            step.region = w  # type: ignore[assignment]
    return [step], "add", nps, None


def _background(cl: Clause, roles) -> list[EditStep]:
    t = cl.toks
    cols = []
    for k, w in enumerate(t):
        if w in L.BG_WORDS or verb_class(w):
            roles[cl.idx[k]] = roles[cl.idx[k]] or "verb" if verb_class(w) else "selector"
        elif w in L.BG_COLOR_WORDS:
            roles[cl.idx[k]] = "attribute"
            cols.append(L.BG_COLOR_WORDS[w])
        elif w in ("gradient", "fade", "fading", "plain", "solid"):
            roles[cl.idx[k]] = "attribute"
    if not cols:
        return []
    if any(w in t for w in ("gradient", "fade", "fading")) and len(cols) >= 2 and cols[0] != cols[1]:
        return [EditStep(kind="background", background=f"gradient {cols[0]} to {cols[1]}")]
    return [EditStep(kind="background", background=f"plain {cols[0]}")]
