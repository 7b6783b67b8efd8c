"""The request reader's relation rules: relations (fronted, postfix, pronoun), regions, order,
negation, settings and backgrounds, possessives, corrections. A mixin of :class:`.grammar._Grammar`
(it shares that class's state: the objects read so far and the relation waiting for an object)."""

from __future__ import annotations

from . import words as W
from .read import Item

_REGION_OF = {"left of": "left", "right of": "right", "above": "top", "below": "bottom"}


class RelationRules:
    """Handlers for relation-like items (``k_<kind>``), mixed into the grammar."""

    def _resolve_postfix(self) -> None:
        """A relation left without a target ("with a square on top") points at the object before."""
        p = self.pending
        self.pending = None
        if p is None:
            return
        if p["rel"] == "between" and p["tgt"] is not None and p["subj"] is not None:
            if self.specs[p["tgt"]].count >= 2:
                self._emit(p["subj"], "between", p["tgt"], None, p["item"])
            else:
                self._unplace([p["item"]])
            return
        if p["subj"] is not None and p["tgt"] is None and p["rel"] in W.POSTFIX_OK:
            host = next((k for k in reversed(self.sent) if k != p["subj"]), None)
            if host is not None:
                self._emit(p["subj"], p["rel"], host, None, p["item"])
                return
        self._unplace([p["item"]])

    def _attach_target(self, k: int) -> None:
        p = self.pending
        assert p is not None
        if p["rel"] == "between" and self.specs[k].count < 2:
            p["tgt"] = k
            return
        self._emit(p["subj"], p["rel"], k, None, p["item"])
        self.pending = None

    def _start_rel(self, rel: str, it: Item, pronoun: bool) -> None:
        self._flush_np()
        if self.pending is not None:
            self._resolve_postfix()
        has_subject = bool(self.seg) or self.pred is not None
        subj = None
        if has_subject:
            subj = self.seg[-1] if self.seg else self.pred
        elif self.last_kind == "conj" and self.last_subject is not None and self.sent:
            subj = self.last_subject  # "a cat left of a dog and above a bird"
        elif self.last_kind == "conj" and self.last_conj == "," and self.sent and not pronoun:
            subj = self.sent[-1]  # "a star, which is red, above a square"
        self.pending = {"rel": rel, "subj": subj, "tgt": None, "item": it}
        if pronoun:
            if subj is not None:
                ante = next((k for k in reversed(self.sent) if k != subj), None)
                if ante is None:
                    self.pending = None
                    return self._unplace([it])
                self._attach_target(ante)
            elif self.last is not None:
                self.pending["tgt"] = self.last
            else:
                self.pending = None
                self._unplace([it])

    def k_rel(self, it: Item, nxt: Item | None) -> None:
        self._start_rel(str(it.value), it, pronoun=False)

    def k_prel(self, it: Item, nxt: Item | None) -> None:
        self._start_rel(str(it.value), it, pronoun=True)

    def k_region(self, it: Item, nxt: Item | None) -> None:
        self._flush_np()
        if self.seg:
            self.specs[self.seg[-1]].region = it.value  # type: ignore[assignment]
        elif self.pred is not None:
            self.specs[self.pred].region = it.value  # type: ignore[assignment]
        else:
            self.region_wait = (str(it.value), it)

    def k_order(self, it: Item, nxt: Item | None) -> None:
        self.order = str(it.value)

    def k_arr(self, it: Item, nxt: Item | None) -> None:
        target = self.seg[-1] if self.seg else self.pred
        if target is not None:
            self.specs[target].arrangement = it.value  # type: ignore[assignment]
        else:
            self.arr_wait = str(it.value)

    def k_neg(self, it: Item, nxt: Item | None) -> None:
        if it.text in ("no", "not") and (nxt is None or nxt.kind in ("conj", "sep")):
            it.kind = "corr"  # "a table... no, a book": a correction, not a negation
            self.corrected = True
            return
        self._flush_np()
        self.neg = True
        if self.pending is not None and self.pending["tgt"] is None:
            self._unplace([self.pending["item"]])
            self.pending = None

    def k_bg(self, it: Item, nxt: Item | None) -> None:
        words = [i.text for i in self.np.items] if self.np is not None else []
        self.np = None
        self.background.append(" ".join(words + [it.text]))
        if self.pending is not None and self.pending["tgt"] is None:
            self.pending = None  # "on a grey background"

    def k_place(self, it: Item, nxt: Item | None) -> None:
        """'in a park', 'at sunset': the setting, kept as background."""
        words = [i.text for i in self.np.items] if self.np is not None else []
        self.np = None
        if self.pending is not None and self.pending["tgt"] is None:
            words = [self.pending["item"].text] + words
            self.pending = None
        self.background.append(" ".join(words + [it.text]))

    def k_corr(self, it: Item, nxt: Item | None) -> None:
        self.corrected = True

    def k_poss(self, it: Item, nxt: Item | None) -> None:
        """'a man's head': the owner is not an object of its own; the next noun takes its place."""
        if self.last_kind in ("noun", "unk") and self.last is not None and self.np is None:
            self.possessor = self.last

    def k_setting(self, it: Item, nxt: Item | None) -> None:
        """'at a desk', 'during the night': a setting phrase up to the next boundary is background."""
        self._flush_np()
        self.setting = [it.text]

    def k_recip(self, it: Item, nxt: Item | None) -> None:
        """'a cat and a dog next to each other'."""
        p = self.pending
        self.pending = None
        uniq = list(dict.fromkeys(self.sent))
        if p is not None and len(uniq) == 1 and self.specs[uniq[0]].count >= 2:  # "two stars next to each other"
            vertical = p["rel"] in ("above", "below")
            self.specs[uniq[0]].arrangement = "column" if vertical else "row"  # type: ignore[assignment]
            return
        if p is None or len(uniq) < 2:
            return self._unplace([it] + ([p["item"]] if p else []))
        self._emit(uniq[-2], p["rel"], uniq[-1], None, p["item"])

    def k_framen(self, it: Item, nxt: Item | None) -> None:
        p = self.pending
        if p is not None and p["subj"] is not None and p["tgt"] is None:
            region = _REGION_OF.get(p["rel"])  # "at the bottom of the picture"
            if region:
                self.specs[p["subj"]].region = region  # type: ignore[assignment]
            self.pending = None
        if self.np is not None and not (self.np.mods or self.np.attrs):
            self.np = None


