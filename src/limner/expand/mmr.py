"""Maximal marginal relevance: pick N items that are relevant to a query and unlike each other.

Carbonell & Goldstein (1998). At each step choose the candidate maximising
``lam * sim(query, c) - (1 - lam) * max(sim(c, s) for s in selected)``. ``lam = 1`` is plain
top-k by relevance; smaller ``lam`` trades relevance for diversity. This is how limner turns a
candidate pool into a *set* of expansions that do not repeat each other (Prompt Expansion's goal).
"""

from __future__ import annotations

import numpy as np


def mmr_select(query_vec: np.ndarray, cand_vecs: np.ndarray, n: int, lam: float = 0.5,
               relevance: np.ndarray | None = None) -> list[int]:
    """Indices of ``n`` candidates chosen by MMR, in selection order.

    ``query_vec``: (d,) normalised; ``cand_vecs``: (m, d) normalised. ``relevance`` overrides the
    query similarity (e.g. alignment plus a quality bonus). Ties break towards the lower index, so
    the result is deterministic.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    cand = np.asarray(cand_vecs, dtype=np.float64)
    m = len(cand)
    n = min(int(n), m)
    if n <= 0:
        return []
    rel = (cand @ np.asarray(query_vec, dtype=np.float64)) if relevance is None \
        else np.asarray(relevance, dtype=np.float64)
    sim = cand @ cand.T
    chosen: list[int] = []
    max_sim = np.full(m, -np.inf)
    available = np.ones(m, dtype=bool)
    for _ in range(n):
        redundancy = np.where(np.isfinite(max_sim), max_sim, 0.0) if chosen else np.zeros(m)
        score = lam * rel - (1.0 - lam) * redundancy
        score[~available] = -np.inf
        i = int(np.argmax(score))  # first maximum: lowest index wins ties
        chosen.append(i)
        available[i] = False
        max_sim = np.maximum(max_sim, sim[i])
    return chosen
