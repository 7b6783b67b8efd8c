"""The request reader's noun-phrase rules: determiners, numbers, modifiers, nouns, unknown words,
"of", pronouns and ordinals. A mixin of :class:`.grammar._Grammar` (it shares that class's state:
the noun phrase being built, the objects read so far and the relation waiting for an object)."""

from __future__ import annotations

from . import lexicon as lx
from . import words as W
from .read import Item, _apply

_PLURAL_REFS = {"them", "they", "all", "all of them", "each of them", "both", "both of them", "these", "those",
                "each", "them all", "all of these", "all of those", "every one of them", "all three", "all four",
                "all five", "all six", "all two", "each one"}


class PhraseRules:
    """Handlers for noun-phrase items (``k_<kind>``), mixed into the grammar."""

    def k_det(self, it: Item, nxt: Item | None) -> None:
        if self.np is not None and self.np.det is None and self.np.count is None and not self.np.mods:
            self.np.det = it.text
        else:
            if self.np is not None and (self.np.mods or self.np.attrs):
                self._unplace(self.np.items)  # "large a teddy": adjectives that found no noun
                self.np = None
            self._new_np(it).det = it.text
            self.np.items.pop()  # type: ignore[union-attr]
            self.np.items.append(it)  # type: ignore[union-attr]
        if it.text in ("a", "an", "another", "one"):
            self.np.count = 1  # type: ignore[union-attr]

    def k_num(self, it: Item, nxt: Item | None) -> None:
        if self.np is not None and self.np.vague and not self.np.mods:  # "a group of 4 birds"
            self.np.count, self.np.vague = int(it.value), False  # type: ignore[arg-type]
            self.np.items.append(it)
            return
        if self.np is not None and (self.np.mods or (self.np.count is not None and self.np.det is None)):
            self._unplace(self.np.items)
            self.np = None
        np_ = self._new_np(it)
        np_.count = int(it.value)  # type: ignore[arg-type]
        np_.vague = False

    def k_qnum(self, it: Item, nxt: Item | None) -> None:
        if it.text == "both" and self.pred is not None and self.np is None:
            return  # "make them both pink"
        if it.text in ("a row of", "a line of"):
            self.arr_wait = "row"
        if it.text == "both" and nxt is not None and nxt.kind not in ("noun", "color", "size", "texture", "attr", "unk"):
            return self.k_pron(it, nxt)
        np_ = self._new_np(it)
        np_.count, np_.vague = it.value  # type: ignore[misc]

    def _pred_targets(self) -> list[int]:
        if self.pred is None:
            return []
        return self.pred_all if self.pred_all and self.pred_all[-1] == self.pred else [self.pred]

    def _mod(self, it: Item, nxt: Item | None, key: str) -> None:
        if self.np is None and self.pred is not None:
            for k in self._pred_targets():
                _apply(self.specs[k], key, str(it.value))
            return
        np_ = self._new_np(it)
        if key == "attr" or key in np_.mods:
            np_.attrs.append(str(it.value) if key != "color" else it.text)
        else:
            np_.mods[key] = str(it.value)

    def k_color(self, it, nxt):
        self._mod(it, nxt, "color")

    def k_size(self, it, nxt):
        self._mod(it, nxt, "size")

    def k_texture(self, it, nxt):
        self._mod(it, nxt, "texture")

    def k_attr(self, it, nxt):
        self._mod(it, nxt, "attr")

    def k_cmark(self, it, nxt):
        if self.np is None and self.last is not None:
            self.pred = self.last

    def k_noun(self, it: Item, nxt: Item | None) -> None:
        name = str(it.value)
        if " " in it.text:
            from .read import PLURAL_PHRASES

            plural = it.text in PLURAL_PHRASES
        else:
            found = W.noun_name(it.text)
            plural = bool(found and found[1])
        col = W.COLOR_SYNONYMS.get(it.text) or lx.canonical_color(it.text)
        if col and self.np is None and self.pred is not None:  # "a heart that is orange"
            for k in self._pred_targets():
                _apply(self.specs[k], "color", col)
            return
        if self.of_mode and self.last is not None:  # "a bowl of soup": soup describes the bowl
            self.of_mode = False
            _apply(self.specs[self.last], "attr", "of " + it.text)
            self.np = None
            return
        if name in W.QUANTITY_NOUNS and nxt is not None and nxt.kind == "of":
            q = W.QUANTITY_NOUNS[name]
            np_ = self._new_np(it)
            mult = np_.count if np_.count and np_.count > 1 else 1
            np_.count, np_.vague = (q * mult, False) if q else (3, True)
            self.quantity_of = True
            self.arr_wait = {"row": "row", "line": "row", "stack": "column", "pile": "column"}.get(name, self.arr_wait)
            return
        if self.last_kind == "noun" and self.np is None and self.last is not None and self.pending is None \
                and self.last in self.seg and not self.elliptic:  # "coffee table": a compound
            spec = self.specs[self.last]
            _apply(spec, "attr", spec.name)
            spec.name = name
            return
        self._make(name, plural, it)

    def k_one(self, it: Item, nxt: Item | None) -> None:
        names = [s.name for s in self.specs] + self.excluded
        if not names:
            return self._unplace([it])
        self._make(names[-1], it.text == "ones", it)

    def k_unk(self, it: Item, nxt: Item | None) -> None:
        boundary = nxt is None or nxt.kind in ("rel", "prel", "conj", "sep", "neg", "region", "cop",
                                               "verb", "order", "arr", "bg")
        in_np = self.np is not None and (self.np.det or self.np.count is not None or self.np.mods)
        p = self.pending
        if boundary and p is not None and p["tgt"] is None and p["item"].text in ("in", "into"):
            self.pending = None  # "a rat in a gym": an unknown noun after "in" is the setting
            self.np = None
            self.background.append(f"{p['item'].text} {it.text}")
            return
        if boundary and (in_np or self.last_kind in ("start", "sep", "conj", "neg", "rel", "frame")) \
                and len(it.text) > 2 and it.text.isalpha():
            name = lx.singularize(it.text)
            self._make(name, name != it.text, it, drawable=False)
        # an unknown word is reported either way (its clause becomes unsure)

    def k_of(self, it: Item, nxt: Item | None) -> None:
        if getattr(self, "quantity_of", False):
            self.quantity_of = False
            return
        if self.last_kind in ("noun", "one") and self.np is None:
            self.of_mode = True

    def k_pron(self, it: Item, nxt: Item | None) -> None:
        p = self.pending
        if p is not None and p["tgt"] is None:
            if p["subj"] is not None:
                ante = next((k for k in reversed(self.sent) if k != p["subj"]), None)
                if ante is not None:
                    self._attach_target(ante)
                    return
            elif self.last is not None:
                p["tgt"] = self.last
                return
        np_ = self.np
        if np_ is not None and not np_.mods:
            self.np = None  # "all of them", "both": a reference, not a new phrase
        if self.last is not None:
            self.pred = self.last
            group = list(dict.fromkeys(self.sent or self.prev_sent))
            if it.text in _PLURAL_REFS and len(group) > 1 and self.last in group:
                # "a heart, a star and a circle, all yellow": every object of the sentence
                self.pred_all = [k for k in group if k != self.last] + [self.last]
            spec = self.specs[self.last]
            k = np_.count if np_ is not None and not np_.mods and not np_.vague else None
            if k and spec.vague_count:  # "hearts, three of them"
                spec.count, spec.vague_count = k, False
            elif k and k < spec.count and it.text in ("them", "these", "those"):  # "five stars, two of them red"
                spec.count -= k
                self.specs.append(spec.model_copy(update={"count": k}))
                self.clause_of.append(self.clause_of[self.last])
                self.sent.append(len(self.specs) - 1)
                self.pred = len(self.specs) - 1

    def k_ord(self, it: Item, nxt: Item | None) -> None:
        """'three squares: the first is red, the second is green': one instance gets its own group."""
        if self.np is not None and not self.np.mods:
            self.np = None
        base = next((k for k in reversed(self.sent or self.prev_sent) if self.specs[k].count >= 2), None)
        if base is None:
            if self.ord_groups:
                base = self.ord_groups[0]
            else:
                return self._unplace([it])
        spec = self.specs[base]
        spec.count -= 1
        self.specs.append(spec.model_copy(update={"count": 1}))
        self.clause_of.append(self.clause_of[base])
        self.sent.append(len(self.specs) - 1)
        self.ord_groups = [base]
        self.pred = len(self.specs) - 1
        if spec.count == 0:  # the last instance: the group is now fully split
            spec.count = 1
            self.specs.pop()
            self.clause_of.pop()
            self.sent.pop()
            self.pred = base
        self.prev, self.last = self.last, self.pred  # "... is green" describes this instance
