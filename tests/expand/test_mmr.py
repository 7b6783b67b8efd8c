"""MMR on synthetic vectors: it spreads out, and lam=1 is plain top-k by relevance."""

import numpy as np
import pytest

from limner.expand.embed import diversity
from limner.expand.mmr import mmr_select


def _unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_mmr_skips_near_duplicates():
    q = _unit([1.0, 0.0, 0.0])
    cands = _unit([
        [0.90, 0.10, 0.00],   # 0: most relevant
        [0.90, 0.11, 0.00],   # 1: a near copy of 0
        [0.89, 0.12, 0.00],   # 2: another near copy
        [0.70, 0.00, 0.70],   # 3: relevant enough, different direction
        [0.70, -0.70, 0.00],  # 4: relevant enough, a third direction
    ])
    picked = mmr_select(q, cands, 3, lam=0.5)
    assert picked[0] == 0
    assert set(picked) == {0, 3, 4}
    topk = mmr_select(q, cands, 3, lam=1.0)
    assert diversity(cands[picked]) > 3 * diversity(cands[topk])


def test_lambda_one_is_top_k_by_alignment():
    rng = np.random.default_rng(0)
    q = _unit(rng.normal(size=16))
    cands = _unit(rng.normal(size=(30, 16)))
    expected = list(np.argsort(-(cands @ q), kind="stable")[:7])
    assert mmr_select(q, cands, 7, lam=1.0) == expected


def test_edge_cases():
    q = _unit([1.0, 0.0])
    cands = _unit([[1.0, 0.0], [0.0, 1.0]])
    assert mmr_select(q, cands, 5) == [0, 1]  # n larger than the pool: all, no repeats
    assert mmr_select(q, cands, 0) == []
    with pytest.raises(ValueError):
        mmr_select(q, cands, 1, lam=1.5)


def test_numpy_minilm_matches_the_shipped_sentence_transformers_vectors():
    """The lexicon vectors were made with sentence-transformers (build_data.py); embed() uses
    the NumPy forward pass by default and must give the same vectors."""
    from limner.expand.embed import embed
    from limner.expand.flavors import lexicon

    lex = lexicon()
    idx = [0, 50, 400, 1000, len(lex.texts) - 1]
    got = embed([lex.texts[i] for i in idx])
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    assert (got * lex.vecs[idx]).sum(1).min() > 0.999
