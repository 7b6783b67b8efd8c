"""One clause of an edit instruction → edit steps, for the rule reader (``edit.reader``): the verb
class and the values decide the kind (remove, add, move, swap, replace, recolor, texture, size,
count, background)."""

from __future__ import annotations

from ..world.vocab import SHAPES
from . import lexicon as L
from .phrase import NP, PRIORITY, Clause, is_noun, noun_phrases, verb_class
from .steps import EditStep, Selector


def read_clause(cl: Clause, toks, roles, prev_verb, prev_nps):
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
    nps = [n for n in noun_phrases(cl, roles, add_like)]
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
    first = next((k for k, w in enumerate(t) if is_noun(w)), len(t))
    return any(w in L.COLOR_WORDS or w in L.TEXTURE_WORDS or w in L.SIZE_REL for w in t[first + 1:]) or \
        any(w in ("into",) for w in t)


def _after_replace(sel: Selector, shape: str | None) -> Selector:
    return sel.model_copy(update={"shape": shape, "quantity": sel.quantity or "all"})


def _next_indefinite(t: list[str], at, numbers: bool = True) -> bool:
    for w in t[(at if at is not None else -1) + 1:]:
        if w in ("a", "an", "another", "new", "more", "some", "extra") or (numbers and w in L.NUMBERS):
            return True
        if w == "the" or is_noun(w) or w in L.TEXTURE_NOUNS:
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
