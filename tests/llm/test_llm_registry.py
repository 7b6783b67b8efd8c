"""Backend ids are public API; get_llm reads the layered settings; `import limner` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

from limner.config import Settings
from limner.errors import InputError, LLMError
from limner.llm import BACKENDS, LLMCache, get_llm, resolve_backend


def test_backend_ids_are_stable():
    assert set(BACKENDS) >= {"embedded", "llamacpp", "openai"}
    for bid in BACKENDS:
        assert bid == bid.lower() and " " not in bid
    assert resolve_backend("llama-cpp") == "llamacpp" and resolve_backend("OpenAI") == "openai"


def test_unknown_backend_lists_known_ids():
    with pytest.raises(InputError) as exc:
        get_llm("gpt5", settings=Settings())
    msg = str(exc.value)
    assert "gpt5" in msg and "embedded" in msg and "openai" in msg and "\n" not in msg


def test_get_llm_reads_settings_and_cache_flag(tmp_path):
    s = Settings(llm_backend="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="m",
                 cache_dir=tmp_path)
    llm = get_llm(settings=s)
    assert (llm.id, llm.kind, llm.base_url, llm.model) == ("openai", "chat", "http://127.0.0.1:9/v1", "m")
    assert isinstance(llm.cache, LLMCache) and llm.cache.dir == tmp_path / "llm"
    assert get_llm(settings=s, cache=False).cache is None
    assert get_llm(settings=Settings(**{**s.model_dump(), "llm_cache": False})).cache is None
    assert get_llm(settings=s, base_url="http://h:1/v1/").base_url == "http://h:1/v1"


def test_unreachable_server_is_one_line_llm_error():
    llm = get_llm("openai", base_url="http://127.0.0.1:9/v1", model="m", cache=False,
                  settings=Settings(llm_timeout=5))
    with pytest.raises(LLMError) as exc:
        llm.chat("hello", max_tokens=4)
    assert "http://127.0.0.1:9/v1" in str(exc.value) and "\n" not in str(exc.value)


def test_llamacpp_without_model_path_is_a_clear_error():
    from limner.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="--model"):
        get_llm("llamacpp", settings=Settings())


def test_import_limner_leaves_heavy_modules_out():
    code = ("import sys, limner, limner.cli, limner.llm, limner.llm.cli, limner.doctor; "
            "print(','.join(m for m in ('torch', 'llama_cpp') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
