"""Request analysis: a deterministic parser from a request to checkable :class:`Constraints`.

It is the verifier's ground truth, so it needs no LLM. It finds noun phrases (count, size, colour,
texture, other adjectives, noun), the spatial relations between them, negated objects ("without a
dog", "no cats") and background phrases ("on a white background", "in a park"); whatever else the
request says is kept as free description.

Grammar, informally: ``[medium of] NP (SEP|REL|NEG|BG NP)*`` where SEP is ``and , with or``, REL a
phrase from :data:`lexicon.RELATION_PHRASES`, NEG ``without / no / not``, BG ``in / at / during`` or
``on ... background``. Every loop walks the token list forward once, so parsing is linear in the
(bounded) request length.
"""

from __future__ import annotations

import re

from ..errors import InputError
from . import lexicon as lx
from .types import Constraints, ObjectSpec, Relation

MAX_CHARS = 1000
MAX_OBJECTS = 16

TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[,.;:!?]")
SEPARATORS = lx.VERBS | {"and", ",", "with", "or", "nor", "plus", ".", ";", ":", "!", "?", "while", "then",
              "also", "as", "well", "together", "just", "only", "but", "instead"}
SCOPE_KEEPERS = {"or", "nor", ","}  # keep a negation going: "no cats, dogs or birds"
BG_PREPS = {"in", "at", "during", "against", "inside", "amid", "amidst", "among", "across",
            "through", "under_sky"}
PLACE_NOUNS = {"background", "backdrop", "beach", "street", "road", "field", "grass", "floor",
               "ground", "snow", "sand", "water", "lawn", "hill", "mountain", "mountains", "sky",
               "desert", "meadow", "wall", "forest", "city", "park", "room", "kitchen", "garden",
               "ocean", "sea", "lake", "river", "table-top", "surface", "canvas", "paper",
               "night", "sunset", "sunrise", "space", "moon", "stage"}
REL_TOKENS = sorted(((tuple(k.split()), v) for k, v in lx.RELATION_PHRASES.items()),
                    key=lambda kv: -len(kv[0]))
NEG_TOKENS = sorted((tuple(n.split()) for n in lx.NEGATIONS), key=lambda t: -len(t))
_MULTI_NOUNS = sorted({tuple(n.split()) for n in lx.KNOWN_NOUNS if " " in n}, key=lambda t: -len(t))
EACH_OTHER = {("each", "other"), ("one", "another")}


def _match(tokens: list[str], i: int, table) -> tuple[int, object] | None:
    for key, val in table:
        n = len(key)
        if tuple(tokens[i:i + n]) == key:
            return n, val
    return None


def _strip_medium(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Drop a lead-in like 'a photo of' / 'an oil painting of'; return (rest, dropped)."""
    for k in range(min(len(tokens), 6)):
        if tokens[k] == "of" and k > 0 and any(t in lx.MEDIUM_WORDS for t in tokens[:k]):
            return tokens[k + 1:], tokens[:k]
    return tokens, []


class _NP:
    """A parsed noun phrase."""

    def __init__(self, words: list[str]):
        self.words = words
        self.count: int | None = None
        self.noun: str | None = None
        self.plural = False
        self.color: str | None = None
        self.size: str | None = None
        self.texture: str | None = None
        self.attributes: list[str] = []
        self.extra: list[str] = []  # words after the noun: description


def _find_noun(words: list[str]) -> tuple[int, int, str] | None:
    """(start, end, noun-as-written) of the head noun, preferring known (multi-word) names."""
    best = None
    i = 0
    while i < len(words):
        for key in _MULTI_NOUNS:
            n = len(key)
            cand = words[i:i + n]
            if len(cand) == n and (tuple(cand) == key or tuple(cand[:-1] + [lx.singularize(cand[-1])]) == key):
                best = (i, i + n, " ".join(cand))
                i += n
                break
        else:
            w = words[i]
            if (w in lx.KNOWN_NOUNS or lx.singularize(w) in lx.KNOWN_NOUNS) and not (
                    lx.canonical_color(w) and i < len(words) - 1):  # "orange car": a colour here
                best = (i, i + 1, w)
            i += 1
    if best is not None:
        return best
    # unknown noun: the last content word (avoid -ing/-ly words if there is an earlier candidate)
    cands = [i for i, w in enumerate(words)
             if w not in lx.FUNCTION_WORDS and w not in lx.NUMBERS and not w.isdigit()
             and not lx.canonical_color(w) and w not in lx.SIZES and w not in lx.TEXTURES
             and w not in lx.DETERMINERS and w not in lx.VERBS]
    if not cands:
        # a lone colour word that is also a noun ("an orange")
        for i in range(len(words) - 1, -1, -1):
            if words[i] in lx.KNOWN_NOUNS:
                return (i, i + 1, words[i])
        return None
    plain = [i for i in cands if not words[i].endswith(("ing", "ly", "ed"))]
    if plain:
        i = plain[-1]
    else:  # only -ing/-ed words: a noun after an article ("a painting"), else a verb ("resting")
        i = cands[-1]
        if not (i > 0 and words[i - 1] in ("a", "an", "the") and words[i].endswith("ing")):
            return None
    return (i, i + 1, words[i])


def _split_of(words: list[str]) -> tuple[list[str], list[str], int | None]:
    """'a group of people' -> (people, [], None); 'thorns of the rose' -> (thorns, of the rose)."""
    if "of" not in words:
        return words, [], None
    k = words.index("of")
    left = [w for w in words[:k] if w not in lx.DETERMINERS and w not in ("a", "an")]
    if left and lx.singularize(left[-1]) in lx.QUANTIFIERS:
        left[-1] = lx.singularize(left[-1])
        count = lx.QUANTIFIERS[left[-1]]
        nums = [lx.NUMBERS.get(w) for w in left[:-1] if w in lx.NUMBERS and w not in ("a", "an")]
        if nums and nums[0]:
            count = nums[0] * (count or 1) if left[-1] in ("pair", "dozen") else count
        return words[k + 1:], [], count
    if _find_noun(words[:k]) is not None:
        return words[:k], words[k:], None
    return words, [], None


def _parse_np(words: list[str]) -> _NP:
    words, tail, qcount = _split_of(words)
    np_ = _NP(words)
    found = _find_noun(words)
    mods = words
    if found is not None:
        s, e, written = found
        mods, np_.extra = words[:s], words[e:]
        np_.noun = lx.singularize(written)
        np_.plural = lx.is_plural(written.split()[-1]) or written in lx.IRREGULAR and lx.IRREGULAR[written] != written
    if tail:
        np_.extra = np_.extra + tail
    if qcount is not None:
        np_.count = qcount
    elif np_.noun and not np_.plural and tail == [] and words is not np_.words:
        pass
    for j, w in enumerate(mods):
        if np_.count is None and (w in lx.NUMBERS or w.isdigit()):
            if w in ("a", "an") and j + 1 < len(mods) and mods[j + 1] in ("pair", "couple", "dozen", "few"):
                continue
            np_.count = int(w) if w.isdigit() else lx.NUMBERS[w]
            continue
        c = lx.canonical_color(w)
        if c and np_.color is None:
            np_.color = c
        elif w in lx.SIZES and np_.size is None:
            np_.size = lx.SIZES[w]
        elif w in lx.TEXTURES and np_.texture is None:
            np_.texture = lx.TEXTURES[w]
        elif w in lx.FUNCTION_WORDS or w in lx.DETERMINERS or w in lx.NUMBERS or w.isdigit():
            continue
        elif len(np_.attributes) < 5:
            np_.attributes.append(c or w)
    return np_


def _np_is_place(np_: _NP) -> bool:
    return bool(set(np_.words) & {"background", "backdrop"}) or (np_.noun in PLACE_NOUNS)


_AXIS = {"left of": ("x", False), "right of": ("x", True), "above": ("y", False),
         "below": ("y", True), "in front of": ("z", False), "behind": ("z", True)}


def drop_contradictions(relations: list[Relation], notes: list[str]) -> list[Relation]:
    """Drop a relation that contradicts earlier ones (a cycle on its axis), with a note."""
    succ: dict[tuple[str, int], set[int]] = {}

    def reaches(axis: str, a: int, b: int) -> bool:
        seen, todo = set(), [a]
        while todo:
            x = todo.pop()
            if x == b:
                return True
            if x not in seen:
                seen.add(x)
                todo.extend(succ.get((axis, x), ()))
        return False

    kept = []
    for r in relations:
        if r.relation not in _AXIS:
            kept.append(r)
            continue
        axis, flip = _AXIS[r.relation]
        a, b = (r.target, r.subject) if flip else (r.subject, r.target)
        if reaches(axis, b, a):
            notes.append(f"dropped '{r.relation}' between objects {r.subject} and {r.target}: it contradicts an earlier relation")
            continue
        succ.setdefault((axis, a), set()).add(b)
        kept.append(r)
    return kept


def parse_request(prompt: str) -> Constraints:
    """Read ``prompt`` into :class:`Constraints` with the grammar reader (:mod:`.grammar`, issue 12)."""
    from .grammar import read_request

    return read_request(prompt)


def legacy_parse(prompt: str) -> Constraints:
    """The template-tuned parser the grammar reader replaced (kept for comparison benchmarks)."""
    from .read import check_prompt

    text = check_prompt(prompt)
    tokens = TOKEN_RE.findall(text.lower())
    tokens, medium = _strip_medium(tokens)
    description: list[str] = [" ".join(medium)] if medium else []
    background: list[str] = []
    notes: list[str] = []

    # -- pass 1: tokens -> items -------------------------------------------------------------
    items: list[tuple[str, object]] = []  # ("np", words) ("rel", name) ("neg", None) ("sep", tok) ("bg", words)
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        rel = _match(tokens, i, REL_TOKENS)
        neg = _match(tokens, i, [(k, None) for k in NEG_TOKENS])
        if neg and not (tokens[i] == "no" and i + 1 < n and tokens[i + 1] in ("longer",)):
            items.append(("neg", None))
            i += neg[0]
        elif rel:
            items.append(("rel", rel[1]))
            i += rel[0]
        elif t in SEPARATORS:
            items.append(("sep", t))
            i += 1
        elif t in BG_PREPS:
            j = i + 1
            while j < n and tokens[j] not in SEPARATORS and not _match(tokens, j, REL_TOKENS):
                j += 1
            items.append(("bg", tokens[i:j]))
            i = j
        else:
            j = i
            while j < n and tokens[j] not in SEPARATORS and tokens[j] not in BG_PREPS \
                    and not _match(tokens, j, REL_TOKENS) \
                    and not (j > i and _match(tokens, j, [(k, None) for k in NEG_TOKENS])):
                j += 1
            items.append(("np", tokens[i:j]))
            i = j

    # -- pass 2: items -> constraints ----------------------------------------------------------
    specs: list[ObjectSpec] = []
    relations: list[Relation] = []
    excluded: list[str] = []
    carry: list[str] = []  # adjectives of a noun-less phrase ("a red and white bus")
    last_np: int | None = None  # index of the last object spec
    prev_np: int | None = None
    last_subject: int | None = None
    pending_rel: tuple[str, int] | None = None  # (relation, subject spec)
    pending_place = False  # 'on' waiting to see whether its target is a place
    negating = False
    prev_kind = None
    for kind, val in items:
        if kind == "sep":
            if val not in SCOPE_KEEPERS:
                negating = False
            prev_kind = kind if prev_kind != "np" or val != "," else "sep"
            continue
        if kind == "neg":
            negating = True
            if pending_rel is not None:
                notes.append(f"dropped relation '{pending_rel[0]}' with a negated target")
                pending_rel = None
            prev_kind = kind
            continue
        if kind == "bg":
            background.append(" ".join(val))  # type: ignore[arg-type]
            prev_kind = kind
            continue
        if kind == "rel":
            negating = False
            subj = last_np if prev_kind in ("np", "bg") else (last_subject if last_subject is not None else last_np)
            if subj is None:
                notes.append(f"dropped relation '{val}' with no object before it")
            else:
                pending_rel = (str(val), subj)
            prev_kind = kind
            continue
        # kind == "np"
        words: list[str] = list(val)  # type: ignore[arg-type]
        if tuple(w for w in words if w not in ("to", "with")) in EACH_OTHER:
            if pending_rel is not None and prev_np is not None and last_np is not None and prev_np != last_np:
                relations.append(Relation(subject=prev_np, relation=pending_rel[0], target=last_np,
                                          phrase=f"{pending_rel[0]} each other"))
            pending_rel = None
            prev_kind = "np"
            continue
        np_ = _parse_np(carry + words)
        if np_.noun is None:
            if np_.color or np_.size or np_.texture or [a for a in np_.attributes if not a.endswith(("ing", "ed"))]:
                carry = [w for w in words if w not in lx.NUMBERS or w in ("a", "an")]
            else:
                description.append(" ".join(words))
            prev_kind = "adj"
            continue
        carry = []
        if np_.extra:
            description.append(" ".join(np_.extra))
        if pending_rel is not None and _np_is_place(np_) or (pending_rel is None and "background" in words):
            background.append(" ".join(words))
            if pending_rel is not None and pending_rel[0] != "above":
                notes.append(f"'{pending_rel[0]}' a place ({np_.noun}) kept as background")
            pending_rel = None
            prev_kind = "bg"
            continue
        count = np_.count if np_.count is not None else (2 if np_.plural else 1)
        if negating or count == 0:
            if np_.noun not in excluded:
                excluded.append(np_.noun)
            prev_kind = "np"
            continue
        ref = next((k for k, sp in enumerate(specs) if sp.name == np_.noun), None)
        if words[0] in ("the", "this", "that") and np_.count is None and ref is not None:
            # "the dog" after "a dog": the same object (coreference), not a new one
            prev_np, last_np = last_np, ref
            if pending_rel is not None:
                relations.append(Relation(subject=pending_rel[1], relation=pending_rel[0],
                                          target=ref, phrase=pending_rel[0]))
                last_subject = pending_rel[1]
                pending_rel = None
            prev_kind = "np"
            continue
        if count > MAX_OBJECTS:
            raise InputError(f"the request asks for {count} {np_.noun}s; the planner places at most "
                             f"{MAX_OBJECTS} objects in one layout")
        specs.append(ObjectSpec(name=np_.noun, count=count, color=np_.color, size=np_.size,
                                texture=np_.texture, attributes=np_.attributes, phrase=" ".join(words)))
        prev_np, last_np = last_np, len(specs) - 1
        if pending_rel is not None:
            relations.append(Relation(subject=pending_rel[1], relation=pending_rel[0],
                                      target=last_np, phrase=pending_rel[0]))
            last_subject = pending_rel[1]
            pending_rel = None
        prev_kind = "np"
    if pending_rel is not None:
        notes.append(f"dropped relation '{pending_rel[0]}' with no object after it")
    if carry:
        description.append(" ".join(carry))

    # an object cannot be both required and excluded: the explicit requirement wins
    required = {s.name for s in specs}
    for name in [e for e in excluded if e in required]:
        notes.append(f"'{name}' is both requested and excluded; kept the request")
        excluded.remove(name)
    relations = drop_contradictions([r for r in relations if r.subject != r.target], notes)
    total = sum(s.count for s in specs)
    if total > MAX_OBJECTS:
        raise InputError(f"the request asks for {total} objects; the planner places at most "
                         f"{MAX_OBJECTS} in one layout")
    return Constraints(prompt=text, objects=specs, relations=relations, excluded=excluded,
                       background=", ".join(b for b in background if b),
                       description=", ".join(d for d in description if d), notes=notes)
