"""Flavours: modifiers ("cinematic lighting", "oil on canvas", "art nouveau") retrieved for a query.

Prompt Expansion built its training data by adding flavours to captions; limner does the same at
run time: the query is embedded and the most similar modifiers of a shipped lexicon are returned,
spread out by MMR so that three near-synonyms are not all chosen. The lexicon is a subset of the
CLIP-Interrogator lists (MIT, see ``data/LICENSE.clip-interrogator``) with precomputed float16
MiniLM embeddings; ``build_data.py`` records how it was made.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .mmr import mmr_select

DATA = Path(__file__).resolve().parent / "data"
KINDS = ("medium", "movement", "style", "lighting", "quality", "camera")


@dataclass(frozen=True)
class Lexicon:
    kinds: tuple[str, ...]
    texts: tuple[str, ...]
    prior: np.ndarray  # (n,) popularity in [0, 1]
    vecs: np.ndarray  # (n, 384) float32, normalised
    sha256: str

    def mask(self, kinds: tuple[str, ...] | None) -> np.ndarray:
        if not kinds:
            return np.ones(len(self.texts), dtype=bool)
        return np.isin(np.array(self.kinds), np.array(kinds))


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = (DATA / "lexicon.tsv").read_bytes()
    rows = [line.split("\t") for line in raw.decode("utf-8").splitlines() if line.strip()]
    vecs = np.load(DATA / "lexicon_emb.npy").astype(np.float32)
    if len(vecs) != len(rows):
        raise RuntimeError(f"flavour lexicon is inconsistent: {len(rows)} lines, {len(vecs)} vectors;"
                           " rebuild it with python -m limner.expand.build_data")
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True).clip(1e-6)
    return Lexicon(tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                   np.array([float(r[2]) for r in rows], dtype=np.float32), vecs,
                   hashlib.sha256(raw).hexdigest())


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def retrieve_flavors(text: str, k: int = 5, *, kinds: tuple[str, ...] | None = None,
                     exclude: set[str] | None = None, lam: float = 0.7, top: int = 24,
                     margin: float = 0.2, prior_weight: float = 0.1,
                     seed: int | None = None, query_vec: np.ndarray | None = None,
                     reject=None) -> list[str]:
    """``k`` modifiers relevant to ``text``: the ``top`` most similar, then MMR for variety.

    ``kinds`` restricts to some of :data:`KINDS`; ``exclude`` drops given modifiers (already used);
    modifiers sharing a word with the text are skipped (no "medieval castle" for "a castle"), and
    so are those much less similar than the best match (``margin``).
    Relevance is cosine similarity plus ``prior_weight`` times the modifier's popularity in the
    source list (common modifiers are the ones image models learnt). ``reject``: a predicate;
    modifiers it is true for are skipped (the expander's guard: no contradicting medium/time). ``seed`` perturbs the relevance a little (Gumbel noise, deterministic per seed) so different
    candidates of one query get different, still relevant, flavours; ``None`` is the plain ranking.
    """
    if k <= 0:
        return []
    lex = lexicon()
    if query_vec is None:
        from .embed import embed

        query_vec = embed([text])[0]
    sims = lex.vecs @ query_vec + prior_weight * lex.prior
    ok = lex.mask(kinds)
    have = _words(text)
    exclude = {e.lower() for e in (exclude or set())}
    order = np.argsort(-sims, kind="stable")
    short: list[int] = []
    for i in order:
        if not ok[i]:
            continue
        t = lex.texts[i]
        if short and sims[i] < sims[short[0]] - margin:
            break
        if t.lower() in exclude or (_words(t) & have) or (reject is not None and reject(t)):
            continue
        if any(_words(t) <= _words(lex.texts[j]) or _words(lex.texts[j]) <= _words(t) for j in short):
            continue  # "food photography" after "professional food photography"
        short.append(int(i))
        if len(short) >= top:
            break
    if not short:
        return []
    idx = np.array(short)
    rel = sims[idx].astype(np.float64)
    if seed is not None:
        u = np.random.default_rng(seed).uniform(1e-9, 1.0, len(idx))
        rel = rel + 0.04 * -np.log(-np.log(u))
    picked = mmr_select(query_vec, lex.vecs[idx], k, lam=lam, relevance=rel)
    return [lex.texts[idx[j]] for j in picked]
