"""Use a trained SUR-adapter at generation time: prompt → text states → adapted states.

The image backends call :func:`adapt` with their own text-encoder states (the world pipeline's, or a
diffusers pipeline's ``encode_prompt``) and pass the result as ``prompt_embeds``. Only the prompt's
states are adapted; the negative/empty prompt's states are left as the text encoder wrote them (the
adapter was trained on prompts, and its LLM input has no meaning for the empty string).
:func:`adapter_info` is what the PNG recipe records: the file's path and sha256 and its feature LLM.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int):
    from .model import file_sha256, load_adapter

    return load_adapter(path), file_sha256(path)


def loaded(path: str | Path):
    """(adapter in eval mode, sha256) for ``path``, cached per file version."""
    from ..errors import InputError

    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(f"adapter file not found: {p} (train one with `limner adapter train`)")
    return _load(str(p.resolve()), p.stat().st_mtime_ns)


def adapter_info(path: str | Path) -> dict[str, Any]:
    ad, sha = loaded(path)
    return {"path": str(path), "sha256": sha, "llm": ad.cfg.llm_model, "eta": ad.cfg.eta,
            "llm_input": ad.cfg.llm_input, "llm_pooling": ad.cfg.llm_pooling}


def adapt(path: str | Path, prompts: list[str], states, feature_cache: str | None = None):
    """Adapted text states for ``prompts`` (``states``: (B, T, d) from the matching text encoder)."""
    import torch

    from ..errors import InputError

    ad, _ = loaded(path)
    if states.shape[-1] != ad.cfg.text_dim:
        raise InputError(f"adapter {path} expects text states of width {ad.cfg.text_dim}, "
                         f"this model's text encoder gives {states.shape[-1]}: it was trained for another model")
    llm = None
    if ad.cfg.llm_input:
        from .features import LLMFeatures

        vecs = LLMFeatures(ad.cfg.llm_model, cache_dir=feature_cache, pooling=ad.cfg.llm_pooling)(prompts)
        llm = torch.from_numpy(vecs)
    with torch.no_grad():
        out = ad(states.float(), llm)
    return out.to(states.dtype)


def diffusers_prompt_embeds(pipe, path: str | Path, prompt: str, negative_prompt: str | None) -> dict[str, Any]:
    """``prompt_embeds``/``negative_prompt_embeds`` for a Stable Diffusion pipeline, the prompt's adapted."""
    from ..errors import InputError

    if not hasattr(pipe, "encode_prompt") or not hasattr(pipe, "text_encoder"):
        raise InputError(f"--adapter needs a Stable Diffusion-style pipeline; {type(pipe).__name__} has no encode_prompt")
    dev = pipe.text_encoder.device
    pos, neg = pipe.encode_prompt(prompt, dev, 1, True, negative_prompt or "")
    return {"prompt_embeds": adapt(path, [prompt], pos.cpu()).to(dev), "negative_prompt_embeds": neg}
