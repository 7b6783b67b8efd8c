"""Token-level lazy grammar: constrained decoding at nearly the cost of free decoding.

llama-cpp-python puts the grammar first in its sampler chain, so at every step the grammar is
applied to all 262k entries of Gemma's vocabulary (5.7 tok/s constrained vs 15.3 free, measured).
llama.cpp's own common sampler instead samples first and asks the grammar about *one* token,
applying it to the whole vocabulary only when that token is rejected. This module does the same,
through llama.cpp's low-level sampler API (``llama_sampler_init_grammar``, ``llama_sampler_apply``
on a one-entry candidate array, ``llama_sampler_accept``), and keeps the result *identical* to
grammar-first sampling:

* greedy (temperature 0): the highest-logit token (ties: lowest id, as llama.cpp's greedy sampler)
  that the grammar allows. The free argmax is checked first; if rejected, the next-best tokens are
  checked one by one; only if none of the best ``scan`` is allowed is the grammar applied to the
  whole vocabulary.
* sampling: the chain llama-cpp-python runs — grammar, top-k, top-p, min-p, temperature, draw —
  depends only on the top-k *allowed* tokens, so those are found by checking tokens in logit order.
  When fewer than k are allowed among the best ``scan``, the unseen ones are bounded (each has a
  logit at most the scan threshold); if the bound cannot change the final candidate set, the draw
  is exact without them, else the grammar is applied to the whole vocabulary. The draw itself uses
  numpy's PCG64 seeded per call (so the same seed gives the same reply, but not llama.cpp's bytes).

The grammar never sees an empty candidate array (llama.cpp crashes on one), and only tokens it has
allowed are accepted (accepting a rejected token aborts inside llama.cpp).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

TOKEN_DTYPE = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])
NEG_INF = float("-inf")


@dataclass
class SamplingParams:
    """llama-cpp-python's defaults for ``create_completion``; ``temperature`` 0 = greedy."""

    temperature: float = 0.0
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    seed: int = 0


@dataclass
class GrammarStats:
    steps: int = 0
    checks: int = 0  # one-token grammar checks
    full_masks: int = 0  # whole-vocabulary grammar applications
    extra: dict[str, Any] = field(default_factory=dict)


class Grammar:
    """One grammar state in llama.cpp (a ``llama_sampler``), with a one-token check and a full mask."""

    def __init__(self, low: Any, vocab: Any, gbnf: str, n_vocab: int):
        self._low = low
        ptr = low.llama_sampler_init_grammar(vocab, gbnf.encode("utf-8"), b"root")
        if not ptr:
            raise ValueError("llama.cpp could not parse the grammar")
        self._ptr = ptr
        self._one = (low.llama_token_data * 1)()
        self._one_arr = low.llama_token_data_array()
        self._all = np.zeros(n_vocab, dtype=TOKEN_DTYPE)
        self._all["id"] = np.arange(n_vocab, dtype=np.int32)
        self._all_arr = low.llama_token_data_array()
        self.stats = GrammarStats()

    def allows(self, token: int) -> bool:
        """Would the grammar accept ``token`` next? (one-entry candidate array; never empty)"""
        self.stats.checks += 1
        one = self._one[0]
        one.id, one.logit, one.p = int(token), 0.0, 0.0
        arr = self._one_arr
        arr.data = ctypes.cast(self._one, self._low.llama_token_data_p)
        arr.size, arr.selected, arr.sorted = 1, -1, False
        self._low.llama_sampler_apply(self._ptr, ctypes.byref(arr))
        return self._one[0].logit != NEG_INF

    def mask(self, logits: np.ndarray) -> np.ndarray:
        """``logits`` with every token the grammar rejects set to -inf (a new array)."""
        self.stats.full_masks += 1
        buf = self._all
        buf["logit"] = logits
        arr = self._all_arr
        arr.data = buf.ctypes.data_as(self._low.llama_token_data_p)
        arr.size, arr.selected, arr.sorted = len(buf), -1, False
        self._low.llama_sampler_apply(self._ptr, ctypes.byref(arr))
        out = np.full(len(logits), NEG_INF, dtype=np.float32)
        out[buf["id"]] = buf["logit"]  # by id, in case a sampler reordered the array
        return out

    def accept(self, token: int) -> None:
        self._low.llama_sampler_accept(self._ptr, int(token))

    def close(self) -> None:
        if self._ptr:
            self._low.llama_sampler_free(self._ptr)
            self._ptr = None

    def __enter__(self) -> "Grammar":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _ranked(logits: np.ndarray, scan: int) -> tuple[np.ndarray, float]:
    """Ids of about ``scan`` best logits, best first (ties: lower id first), and a threshold such
    that every token with a logit above it is in the list (the list is exact down to it).

    Cheap on a 262k vocabulary: one max and a few comparisons (no full partition), narrowing
    with a partition of the small candidate set only when it is large."""
    n = len(logits)
    if scan >= n:
        idx, thr = np.arange(n), NEG_INF
    else:
        top = float(logits.max())
        for width in (4.0, 8.0, 16.0, 32.0):
            thr = top - width
            idx = np.flatnonzero(logits > thr)
            if len(idx) >= scan:
                break
        if len(idx) > 4 * scan:
            keep = np.argpartition(logits[idx], len(idx) - scan)[len(idx) - scan:]
            idx = idx[keep]
            thr = float(logits[idx].min())
            idx = idx[logits[idx] > thr]
    order = np.lexsort((idx, -logits[idx]))
    return idx[order], thr


def _final_set(vals: np.ndarray, z_extra: float, p: SamplingParams) -> int:
    """How many of the (desc-sorted) allowed logits ``vals`` survive top-p then min-p, when the
    top-p normalizer has ``z_extra`` more weight (relative to exp(vals[0])) from unseen tokens."""
    w = np.exp(vals.astype(np.float64) - float(vals[0]))
    cum = np.cumsum(w)
    total = cum[-1] + z_extra
    over = np.nonzero(cum >= p.top_p * total)[0]
    keep = int(over[0]) + 1 if len(over) else len(vals)  # the token that crosses is kept
    if p.min_p > 0:
        keep = min(keep, int(np.count_nonzero(vals[:keep] >= vals[0] + np.log(p.min_p))))
    return max(keep, 1)


def _determined(vals: np.ndarray, bound: float, k: int, p: SamplingParams) -> bool:
    """Is the final candidate set fixed by the allowed logits ``vals`` (desc) already found, when at
    most ``k - len(vals)`` more allowed tokens exist, each with a logit <= ``bound``?"""
    if bound == NEG_INF:
        return True
    unseen = (k - len(vals)) * float(np.exp(np.float64(bound) - float(vals[0])))
    lo, hi = _final_set(vals, 0.0, p), _final_set(vals, unseen, p)
    below_min_p = p.min_p > 0 and bound < float(vals[0]) + np.log(p.min_p)
    return lo == hi and (hi < len(vals) or below_min_p)


def _draw(vals: np.ndarray, p: SamplingParams, rng: np.random.Generator) -> int:
    z = (vals.astype(np.float64) - float(vals[0])) / p.temperature
    w = np.exp(z)
    cdf = np.cumsum(w)
    return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), len(vals) - 1))


def pick_token(logits: np.ndarray, allows: Callable[[int], bool] | None,
               mask: Callable[[np.ndarray], np.ndarray] | None, p: SamplingParams,
               rng: np.random.Generator | None = None, scan: int = 64) -> int | None:
    """The next token as grammar-first sampling would choose it (None: the grammar allows none)."""
    if p.temperature <= 0:
        best = int(np.argmax(logits))  # first maximum = lowest id among ties
        if allows is None or allows(best):
            return best
        ids, thr = _ranked(logits, scan)
        for t in ids[1:]:
            if logits[t] <= thr:
                break
            if allows(int(t)):
                return int(t)
        masked = mask(logits) if mask is not None else logits
        best = int(np.argmax(masked))
        return best if masked[best] != NEG_INF else None
    found = final_candidates(logits, allows, mask, p, scan)
    if found is None:
        return None
    ids, vals = found
    rng = rng if rng is not None else np.random.default_rng(p.seed)
    return ids[_draw(vals, p, rng)]


def final_candidates(logits: np.ndarray, allows: Callable[[int], bool] | None,
                     mask: Callable[[np.ndarray], np.ndarray] | None, p: SamplingParams,
                     scan: int = 64) -> tuple[list[int], np.ndarray] | None:
    """The tokens (best first) and logits that grammar, top-k, top-p and min-p leave to draw from."""
    k = max(1, int(p.top_k)) if p.top_k > 0 else len(logits)
    ids, thr = _ranked(logits, scan)
    chosen: list[int] = []
    exact = False
    for i, t in enumerate(ids):
        if allows is None or allows(int(t)):
            chosen.append(int(t))
            if len(chosen) == k:
                exact = True
                break
        if chosen:
            # every token not yet looked at has a logit <= the next one in the list (or thr)
            bound = float(logits[ids[i + 1]]) if i + 1 < len(ids) else thr
            if _determined(logits[chosen], bound, k, p):
                exact = True
                break
    if not exact and len(ids) == len(logits):
        exact = bool(chosen)  # the whole vocabulary was looked at
    if not exact:  # the grammar on the whole vocabulary, then the same chain
        masked = mask(logits) if mask is not None else logits
        finite = np.nonzero(masked != NEG_INF)[0]
        if len(finite) == 0:
            return None
        chosen = [int(t) for t in finite[np.lexsort((finite, -masked[finite]))][:k]]
    vals = logits[chosen]
    keep = _final_set(vals, 0.0, p)
    return chosen[:keep], vals[:keep]
