"""LLM backends behind one interface (:class:`~limner.llm.base.LLM`).

Backends are registered by a stable, lower-case id (public API: a rename keeps an alias) and
imported lazily, so ``import limner.llm`` never imports llama_cpp::

    from limner.llm import get_llm
    llm = get_llm()                                   # from config: the embedded Gemma-270M
    llm = get_llm("openai", base_url="http://127.0.0.1:11434/v1", model="llama3.1")
    llm.chat("Name three colours", schema=MyModel, seed=0)

Adding a backend is one new file plus one line in :data:`BACKENDS`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from ..errors import InputError
from .base import (LLM, GenerateArgs, LLMTimeout, Message, render_transcript, schema_dict,
                   validate_reply)
from .cache import LLMCache

# id -> "module:Class" (relative to this package); imported on first use.
BACKENDS: dict[str, str] = {
    "embedded": ".embedded:EmbeddedLLM",
    "llamacpp": ".llamacpp:LlamaCppLLM",
    "openai": ".openai_compat:OpenAICompatLLM",
}
# other spellings people type -> id
ALIASES: dict[str, str] = {
    "llama-cpp": "llamacpp",
    "llama_cpp": "llamacpp",
    "openai-compat": "openai",
    "openai_compat": "openai",
}

__all__ = [
    "ALIASES", "BACKENDS", "LLM", "LLMTimeout", "GenerateArgs", "LLMCache", "Message", "backend_class",
    "get_llm", "render_transcript", "resolve_backend", "schema_dict", "validate_reply",
]


def resolve_backend(backend: str) -> str:
    """Canonical id for ``backend`` (aliases resolved); InputError listing the known ids."""
    key = backend.strip().lower()
    key = ALIASES.get(key, key)
    if key not in BACKENDS:
        raise InputError(f"unknown LLM backend {backend!r}; known: {', '.join(sorted(BACKENDS))}")
    return key


def backend_class(backend: str) -> type[LLM]:
    """The class registered for ``backend`` (imports its module, not its heavy dependencies)."""
    module, _, cls = BACKENDS[resolve_backend(backend)].partition(":")
    return getattr(importlib.import_module(module, __name__), cls)


def _make_cache(cache: Any, settings: Any) -> LLMCache | None:
    if cache is None:
        cache = settings.llm_cache
    if cache is False:
        return None
    if cache is True:
        return LLMCache(settings.llm_cache_dir)
    if isinstance(cache, (str, os.PathLike)):
        return LLMCache(Path(cache))
    return cache  # an LLMCache (or anything with get/put)


def get_llm(
    backend: str | None = None,
    *,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    cache: LLMCache | bool | str | os.PathLike | None = None,
    settings: Any = None,
    **options: Any,
) -> LLM:
    """Build an LLM backend; anything not given comes from ``settings`` (default: load_settings()).

    ``cache``: None = as configured (``llm_cache``, on by default, at ``settings.llm_cache_dir``);
    False = off; True = on at the configured dir; a path or an :class:`LLMCache` = that cache.
    ``options`` go to the backend's constructor (e.g. ``kind="chat"`` for a local chat GGUF,
    ``n_ctx=4096``, ``timeout=30``). ``timeout`` (default ``settings.llm_timeout``, set by
    ``--llm-timeout`` / ``$LIMNER_LLM_TIMEOUT`` / ``llm_timeout`` in the config file) bounds each
    whole call, re-asks included, on every backend.
    """
    if settings is None:
        from ..config import load_settings

        settings = load_settings()
    bid = resolve_backend(backend or settings.llm_backend)
    cls = backend_class(bid)
    return cls.from_settings(
        settings,
        base_url=base_url or settings.llm_base_url,
        model=model or settings.llm_model,
        api_key=api_key or settings.llm_api_key,
        cache=_make_cache(cache, settings),
        **options,
    )
