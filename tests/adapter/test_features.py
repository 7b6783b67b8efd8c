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


def test_last_token_pooling_is_its_own_feature_and_cache(tmp_path):
    from limner.adapter.features import LLMFeatures
    from limner.errors import InputError

    mean = LLMFeatures("embedded", cache_dir=tmp_path)(["a heart the colour of the sky"])
    last = LLMFeatures("embedded", cache_dir=tmp_path, pooling="last")(["a heart the colour of the sky"])
    assert mean.shape == last.shape == (1, 640) and not np.allclose(mean, last)
    assert len({p.parent for p in tmp_path.rglob("*.npy")}) == 2  # one cache folder per pooling
    with pytest.raises(InputError, match="unknown LLM pooling"):
        LLMFeatures("embedded", pooling="max")
