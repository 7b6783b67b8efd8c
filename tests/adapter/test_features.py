"""LLM features from the embedded Gemma GGUF: pooled, deterministic, cached on disk."""

import numpy as np
import pytest

from limner.llm.embedded import is_assembled

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not is_assembled(), reason="embedded GGUF not assembled")]


def test_features_are_cached_per_model_and_text(tmp_path):
    from limner.adapter.features import LLMFeatures

    f = LLMFeatures("embedded", cache_dir=tmp_path)
    v = f(["a lemon-coloured star", "a grass-coloured star", "a lemon-coloured star"])
    assert v.shape == (3, 640) and np.isfinite(v).all()
    assert np.array_equal(v[0], v[2]) and not np.allclose(v[0], v[1])
    files = list(tmp_path.rglob("*.npy"))
    assert len(files) == 2
    again = LLMFeatures("embedded", cache_dir=tmp_path)
    again.compute = None  # a cache hit must not touch the model
    assert np.array_equal(again(["a grass-coloured star"])[0], v[1])
