"""The request reader's clause grammar: items (from :func:`.read.lex`) -> :class:`Constraints`.

One left-to-right pass; the state is the noun phrase being built, the objects read so far, and at
most one relation waiting for its subject or target. See :mod:`.read` for the overview.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import InputError
from . import lexicon as lx
from . import words as W
from .read import MAX_OBJECTS, PUNCT, ROLE, Item, _apply, _NP, check_prompt, lex
from .phrases import PhraseRules
from .relations import RelationRules
from .types import Constraints, ObjectSpec, Reading, Relation, Word

_MODS = ("color", "size", "texture", "attr")
_ORDER_REL = {"ltr": "left of", "rtl": "right of", "ttb": "above"}


def _shape(name: str) -> bool:
    from ..world.vocab import SHAPES

    return W.SHAPE_CANON.get(name, name) in SHAPES or name in W.NOUN_SYNONYMS


class _Grammar(PhraseRules, RelationRules):
    def __init__(self, items: list[Item]):
        self.items = items
        self.specs: list[ObjectSpec] = []
        self.clause_of: list[int] = []
        self.rels: list[tuple[Relation, set[int]]] = []
        self.excluded: list[str] = []
        self.background: list[str] = []
        self.notes: list[str] = []
        self.np: _NP | None = None
        self.elliptic: list[_NP] = []
        self.last: int | None = None
        self.prev: int | None = None
        self.pred: int | None = None
        self.last_subject: int | None = None
        self.pending: dict | None = None
        self.region_wait: tuple[str, Item] | None = None
        self.arr_wait: str | None = None
        self.neg = False
        self.of_mode = False
        self.seg: list[int] = []
        self.sent: list[int] = []
        self.order: str | None = None
        self.last_kind = "start"
        self.frames: list[str] = []
        self.setting: list[str] | None = None
        self.possessor: int | None = None
        self.corrected = False
        self.last_conj = ""
        self.pred_all: list[int] = []
        self.ord_groups: list[int] = []
        self.prev_sent: list[int] = []

    # ---- helpers ---------------------------------------------------------------------------
    def _unplace(self, its: list[Item]) -> None:
        for it in its:
            it.placed = False

    def _new_np(self, it: Item) -> _NP:
        if self.np is None:
            self.np = _NP()
        self.np.items.append(it)
        return self.np

    def _flush_np(self, ellipsis: bool = False) -> None:
        """End the phrase being built. At a conjunction one without a noun waits for a later noun
        ("a red, a green and a blue circle"); elsewhere its words found no place."""
        np_ = self.np
        self.np = None
        if np_ is None:
            return
        if np_.mods or np_.attrs or np_.count is not None and np_.det is None:
            if ellipsis:
                self.elliptic.append(np_)
            elif np_.mods and set(np_.mods) == {"color"} and not np_.attrs and self.last is not None \
                    and np_.count is None and not self.specs[self.last].color:
                self.specs[self.last].color = np_.mods["color"]  # "a triangle green left of ...": its colour
            else:
                self._unplace(np_.items)
        # a lone article ("a" before a framing noun) is framing

    def _emit(self, subj: int, rel: str, tgt: int, tgt2: int | None, it: Item) -> None:
        if "+" in rel:  # "to the upper left of": two facts
            for part in rel.split("+"):
                self._emit(subj, part, tgt, tgt2, it)
            return
        if rel == "middle":  # "in the middle of": between a group, inside one object
            rel = "between" if self.specs[tgt].count >= 2 or tgt2 is not None else "inside"
        if rel == "flanks":  # "two hearts on either side of a star": the star is between them
            subj, rel, tgt = tgt, "between", subj
            if self.specs[tgt].count < 2:
                return self._unplace([it])
        if subj == tgt or subj == tgt2:
            return
        if rel == "inside" and it.text.split()[0] in ("in", "into") \
                and not (_shape(self.specs[subj].name) and _shape(self.specs[tgt].name)):
            return  # "boxes in its flatbed": a setting between things, not a drawing inside
        r = Relation(subject=subj, relation=rel, target=tgt, target2=tgt2, phrase=it.text)
        self.rels.append((r, {self.clause_of[subj], self.clause_of[tgt], it.clause}))
        self.last_subject = subj

    def _attach(self, k: int, it: Item) -> None:
        p = self.pending
        if p is not None:
            if p["subj"] is not None and p["tgt"] is None:
                p["tgt"] = k
                if not (p["rel"] == "between" and self.specs[k].count < 2):
                    self._emit(p["subj"], p["rel"], k, None, p["item"])
                    self.pending = None
            elif p["rel"] == "between" and p["subj"] is not None:
                self._emit(p["subj"], "between", p["tgt"], k, p["item"])
                self.pending = None
            elif p["subj"] is None and p["tgt"] is None:
                p["tgt"] = k
            elif p["subj"] is None:
                self._emit(k, p["rel"], p["tgt"], p.get("tgt2"), p["item"])
                self.pending = None
        if self.region_wait is not None:
            self.specs[k].region = self.region_wait[0]  # type: ignore[assignment]
            self.region_wait = None
        if self.arr_wait is not None:
            self.specs[k].arrangement = self.arr_wait  # type: ignore[assignment]
            self.arr_wait = None
        self.seg.append(k)
        self.sent.append(k)
        if self.last != k:
            self.prev, self.last = self.last, k
        self.pred = None

    def _object(self, name: str, plural: bool, it: Item, np_: _NP | None, drawable: bool = True) -> None:
        np_ = np_ or _NP()
        p = self.pending
        if p is not None and p["rel"] == "inside" and p["tgt"] is None and p["subj"] is not None \
                and p["item"].text in ("in", "into") and not (_shape(name) and _shape(self.specs[p["subj"]].name)):
            # "a squirrel in a jacket", "a train in a station": plain "in" between things is a
            # setting, not a drawing inside another; between shapes it is inside ("a circle in a square")
            self.pending = None
            self.background.append(" ".join([p["item"].text] + [i.text for i in np_.items] + [it.text]))
            return
        if self.neg or np_.count == 0:
            if name not in self.excluded:
                self.excluded.append(name)
            return
        if np_.det in ("the", "this", "that") and np_.count is None:
            ref = next((k for k in range(len(self.specs) - 1, -1, -1) if self.specs[k].name == name), None)
            if ref is not None:
                for key, v in np_.mods.items():
                    _apply(self.specs[ref], key, v)
                self._attach(ref, it)
                return
        count = np_.count if np_.count is not None else (2 if plural else 1)
        vague = np_.vague or (np_.count is None and plural)
        if count > MAX_OBJECTS:
            raise InputError(f"the request asks for {count} {name}s; the planner places at most "
                             f"{MAX_OBJECTS} objects in one layout")
        spec = ObjectSpec(name=name, count=max(count, 1), vague_count=vague, drawable=drawable,
                          phrase=" ".join(i.text for i in np_.items + [it]))
        for key, v in np_.mods.items():
            _apply(spec, key, v)
        for a in np_.attrs:
            _apply(spec, "attr", a)
        if self.possessor is not None:  # "a man's head": the head is the object, in the man's place
            k, owner = self.possessor, self.specs[self.possessor]
            self.possessor = None
            _apply(spec, "attr", f"{owner.name}'s")
            spec.count = 1 if np_.count is None else spec.count
            self.specs[k] = spec
            self.seg = [x for x in self.seg if x != k]
            self.sent = [x for x in self.sent if x != k]
            self.seg.append(k)
            self.sent.append(k)
            return
        self.specs.append(spec)
        self.clause_of.append(it.clause)
        self._attach(len(self.specs) - 1, it)

    def _make(self, name: str, plural: bool, it: Item, drawable: bool = True) -> None:
        np_ = self.np
        self.np = None
        waiting, self.elliptic = self.elliptic, []
        for e in waiting:  # "a red, a green and a blue circle": the earlier phrases share the noun
            self._object(name, plural or (e.count or 1) > 1, it, e, drawable)
        self._object(name, plural, it, np_, drawable)

    # ---- the pass --------------------------------------------------------------------------
    def run(self) -> None:
        items = self.items
        for i, it in enumerate(items):
            nxt = items[i + 1] if i + 1 < len(items) else None
            if self.setting is not None:
                if it.kind not in ("sep", "conj", "rel", "prel", "neg", "region", "cop", "verb") and not (
                        it.kind in ("det", "num") and self.setting[-1] not in ("at", "during", "against", "among",
                                                                              "amid", "amidst", "across", "through",
                                                                              "throughout")):
                    self.setting.append(it.text)
                    it.kind = "place" if it.kind != "unk" else it.kind
                    continue
                self.background.append(" ".join(self.setting))
                self.setting = None
            getattr(self, "k_" + it.kind)(it, nxt)
            if it.kind not in ("frame",):
                self.last_kind = it.kind
        if self.setting is not None:
            self.background.append(" ".join(self.setting))
            self.setting = None
        self.k_sep(Item("sep", ".", "."), None)

    def k_cop(self, it: Item, nxt: Item | None) -> None:
        if self.np is not None and not (self.np.mods or self.np.attrs):
            self.np = None
        if self.last is not None and self.last_kind not in ("sep", "start"):
            self.pred = self.last

    def k_verb(self, it: Item, nxt: Item | None) -> None:
        self.k_cop(it, nxt)

    def k_conj(self, it: Item, nxt: Item | None) -> None:
        self.last_conj = it.text
        np_ = self.np
        if it.text == "and" and np_ is not None and np_.count == 1 and np_.mods and nxt is not None \
                and nxt.kind == "color":
            return  # "a black and white panda": one object, two colours
        self._flush_np(ellipsis=True)
        p = self.pending
        if p is not None and p["subj"] is not None and p["tgt"] is not None and p["rel"] == "between":
            pass  # "between a square and a star": the second target follows
        elif p is not None and p["subj"] is not None and p["tgt"] is None:
            self._resolve_postfix()
        if it.text not in ("or", "nor") and not (it.text == "," and self.neg and nxt is not None
                                                   and nxt.kind == "noun"):
            self.neg = False
        self.seg = []
        self.pred = None
        self.of_mode = False

    def k_sep(self, it: Item, nxt: Item | None) -> None:
        self._flush_np(ellipsis=bool(self.elliptic))  # the last of a list ("red, white and blue")
        if self.pending is not None:
            self._resolve_postfix()
        left = self.elliptic
        self.elliptic = []
        colors = [e for e in left if set(e.mods) == {"color"} and not e.attrs]
        if left and len(colors) == len(left) and self.last is not None:
            self._distribute(colors)
        else:
            for e in left:
                self._unplace(e.items)
        if self.order and len(self.sent) > 1:
            uniq = list(dict.fromkeys(self.sent))
            for a, b in zip(uniq, uniq[1:]):
                if self.order in _ORDER_REL:
                    self._emit(a, _ORDER_REL[self.order], b, None, it)
        elif self.order and len(self.sent) == 1:
            self.specs[self.sent[0]].arrangement = "column" if self.order == "ttb" else "row"  # type: ignore[assignment]
        if self.region_wait is not None:
            self._unplace([self.region_wait[1]])
            self.region_wait = None
        self.order = None
        self.possessor = None
        self.prev_sent = self.sent or self.prev_sent
        self.seg, self.sent, self.pred_all = [], [], []
        self.pred, self.neg, self.of_mode, self.arr_wait = None, False, False, None

    def _distribute(self, colors: list[_NP]) -> None:
        """'a circle, black' (one colour: the last object's); 'three hearts: red, white and blue'
        (one colour per instance: the group splits, in order)."""
        spec = self.specs[self.last]  # type: ignore[index]
        if spec.vague_count and not spec.color and all(e.count for e in colors) and self.last == len(self.specs) - 1:
            base = self.last  # "circles: three red and two blue": the groups replace the bare plural
            for j, e in enumerate(colors):
                new = spec.model_copy(update={"count": e.count, "color": e.mods["color"], "vague_count": False})
                if j == 0:
                    self.specs[base] = new
                else:
                    self.specs.append(new)
                    self.clause_of.append(self.clause_of[base])
                    self.sent.append(len(self.specs) - 1)
            return
        if len(colors) == 1 and not spec.color:
            spec.color = colors[0].mods["color"]
            return
        if spec.count == len(colors) and not spec.color and self.last == len(self.specs) - 1:
            base = self.last
            spec.count = 1
            spec.color = colors[0].mods["color"]
            for e in colors[1:]:
                self.specs.append(spec.model_copy(update={"color": e.mods["color"]}))
                self.clause_of.append(self.clause_of[base])  # type: ignore[index]
                self.sent.append(len(self.specs) - 1)
            return
        for e in colors:
            self._unplace(e.items)

    def k_frame(self, it: Item, nxt: Item | None) -> None:
        self.frames.append(it.text)

@lru_cache(maxsize=1)
def _known_words() -> tuple[str, ...]:
    from ..world.vocab import COLORS as WORLD_COLORS
    from ..world.vocab import SHAPES

    return tuple(sorted(set(SHAPES) | set(WORLD_COLORS) | set(lx.COCO_NAMES) | W.COMMON_NOUNS))


def _suggest(unknown: list[str]) -> dict[str, str]:
    """Close known words for unknown ones of 4+ letters ('cirlce' -> circle); only reported."""
    import difflib

    vocab = _known_words()
    out = {}
    for w in unknown:
        if len(w) >= 4 and w.isalpha():
            near = difflib.get_close_matches(w, vocab, n=1, cutoff=0.75)
            if near:
                out[w] = near[0]
    return out


def _inside_first(rels: list[Relation], specs: list[ObjectSpec], notes: list[str]) -> list[Relation]:
    """'inside' fixes where an object is: other relations between the same pair, a second host,
    or a region of the inner object contradict it and are dropped (with a note)."""
    inner: dict[int, int] = {}
    out = []
    for r in rels:
        if r.relation == "inside":
            if r.subject in inner or inner.get(r.target) == r.subject:
                notes.append(f"dropped 'inside' between objects {r.subject} and {r.target}: it contradicts an earlier relation")
                continue
            inner[r.subject] = r.target
    for r in rels:
        pair = {r.subject, r.target} | ({r.target2} if r.target2 is not None else set())
        if r.relation == "inside":
            if inner.get(r.subject) == r.target:
                out.append(r)
            continue
        if any({a, b} <= pair for a, b in inner.items()):
            notes.append(f"dropped '{r.relation}' between objects {r.subject} and {r.target}: it contradicts 'inside'")
            continue
        out.append(r)
    for k in inner:
        if specs[k].region:
            notes.append(f"dropped the region of object {k}: it is inside another object")
            specs[k].region = None
    return out


def read_request(prompt: str) -> Constraints:
    """Read ``prompt`` into :class:`Constraints` with its :class:`Reading` (coverage, unknown words).
    Raises :class:`InputError` on unusable input (empty, too long, too many objects)."""
    text = check_prompt(prompt)
    items = lex(text)
    g = _Grammar(items)
    g.run()
    unsure = sorted({it.clause for it in items if it.kind in ("unk", "corr") or not it.placed})
    if g.corrected:  # a self-correction can undo any earlier clause: nothing is sure
        unsure = sorted({it.clause for it in items})
    words = [Word(text=it.text, role="unknown" if (it.kind in ("unk", "corr") or not it.placed) else ROLE[it.kind],
                  clause=it.clause) for it in items if it.text not in PUNCT]
    n_words = sum(len(w.text.split()) for w in words) or 1
    understood = sum(len(w.text.split()) for w in words if w.role != "unknown")
    unknown = list(dict.fromkeys(w.text for w in words if w.role == "unknown"))
    reading = Reading(words=words, coverage=round(understood / n_words, 4), unknown=unknown,
                      unsure_clauses=unsure, complete=not unsure, suggestions=_suggest(unknown))
    specs = g.specs
    for k, spec in enumerate(specs):
        spec.sure = g.clause_of[k] not in unsure
    rels = []
    for r, clauses in g.rels:
        r.sure = not (clauses & set(unsure))
        rels.append(r)
    from .parse import drop_contradictions

    notes = list(g.notes)
    required = {s.name for s in specs}
    excluded = [e for e in g.excluded if e not in required]
    for name in [e for e in g.excluded if e in required]:
        notes.append(f"'{name}' is both requested and excluded; kept the request")
    rels = drop_contradictions(_inside_first([r for r in rels if r.subject != r.target], specs, notes), notes)
    total = sum(s.count for s in specs)
    if total > MAX_OBJECTS:
        raise InputError(f"the request asks for {total} objects; the planner places at most "
                         f"{MAX_OBJECTS} in one layout")
    return Constraints(prompt=text, objects=specs, relations=rels, excluded=excluded,
                       background=", ".join(b for b in g.background if b), notes=notes, reading=reading,
                       description=", ".join(f for f in g.frames if any(w in W.FRAME_NOUNS for w in f.split())))
