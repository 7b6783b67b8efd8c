"""The SUR-adapter module: text-encoder states (+ an LLM vector) → adapted states for the UNet.

Architecture (Zhong et al. 2023, facts from the paper's public code; not its code):

* a learned linear projection of the mean-pooled LLM vector to the text width;
* a transformer encoder (``batch_first=True``: attention runs over *tokens*, never across the
  batch or the guidance pair; pre-norm; FFN ≈ 8/3 × width like 2048 at 768) over the text states;
* an attention block whose query is the transformer output and whose key/value are the raw text
  states, then an MLP with a residual connection, then a zero-initialised linear ``fc``;
* output ``η·fc(adapted) + (1 − η)·text``.

**One departure, on purpose** (``llm_input=True``, the default): the projected LLM vector is also
prepended to the transformer's input as one extra token, so the adapter *sees* the LLM's reading
of the prompt at inference. In the paper the LLM vector only enters the distillation loss, which
works for CLIP (every word has its own embedding); limner's world tokenizer maps unknown words
("lemon", "sky-coloured") to ``<unk>``, so without the LLM input the text states of "a lemon star"
and "a grass star" are identical and no adapter can tell them apart. ``llm_input=False`` is the
paper's wiring (an ablation in ``benchmarks/sur_eval.py``).

Dropout is active only in training mode; :func:`load_adapter` returns the module in evaluation mode.
Files are safetensors with the config in the metadata (``sur_config``), so one file is the adapter.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn


@dataclass
class AdapterConfig:
    text_dim: int
    llm_dim: int
    layers: int = 2
    heads: int = 8
    ffn: int = 0  # 0 → round(8/3 · text_dim)
    eta: float = 0.1
    dropout: float = 0.1
    llm_input: bool = True
    llm_model: str = "embedded"  # feature source: "embedded" or a GGUF path (see features.py)
    llm_pooling: str = "mean"  # how token states become one vector: "mean" (the paper) or "last"
    base_model: dict[str, Any] = field(default_factory=dict)  # what it was trained against (id, sha256)


class SURAdapter(nn.Module):
    def __init__(self, cfg: AdapterConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.text_dim
        ffn = cfg.ffn or int(round(8 * d / 3))
        # LLM features are standardised with the training set's statistics (set by the trainer):
        # mean-pooled states of one LLM share a large common component (cosine ≈ 0.9 between prompts)
        self.register_buffer("llm_mean", torch.zeros(cfg.llm_dim))
        self.register_buffer("llm_std", torch.ones(cfg.llm_dim))
        self.proj = nn.Linear(cfg.llm_dim, d)
        layer = nn.TransformerEncoderLayer(d, cfg.heads, ffn, cfg.dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg.layers, enable_nested_tensor=False)
        self.norm_q = nn.LayerNorm(d)
        self.cross = nn.MultiheadAttention(d, cfg.heads, dropout=cfg.dropout, batch_first=True)
        self.norm_mlp = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(cfg.dropout), nn.Linear(2 * d, d))
        self.fc = nn.Linear(d, d)
        nn.init.zeros_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, text: torch.Tensor, llm: torch.Tensor | None = None, return_aux: bool = False):
        """``text`` (B, T, d) text-encoder states; ``llm`` (B, D) pooled LLM vectors."""
        x = text
        llm_tok = None
        if llm is not None:
            llm_tok = self.proj((llm.to(text.dtype) - self.llm_mean) / self.llm_std)
        if self.cfg.llm_input:
            if llm_tok is None:
                raise ValueError("this adapter reads LLM features: pass llm=(B, llm_dim)")
            x = torch.cat([llm_tok[:, None], text], 1)
        h = self.encoder(x)
        h = h[:, 1:] if self.cfg.llm_input else h
        a, _ = self.cross(self.norm_q(h), text, text, need_weights=False)
        a = h + a
        a = a + self.mlp(self.norm_mlp(a))
        out = self.cfg.eta * self.fc(a) + (1 - self.cfg.eta) * text
        if return_aux:
            return out, {"hidden": h, "llm": llm_tok}
        return out


def save_adapter(adapter: SURAdapter, path: str | Path, extra: dict[str, Any] | None = None) -> str:
    """Write ``adapter`` to a safetensors file (config in the metadata); returns its sha256."""
    from safetensors.torch import save_file

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    meta = {"sur_config": json.dumps(asdict(adapter.cfg)), "format": "limner-sur-adapter-1"}
    if extra:
        meta["training"] = json.dumps(extra)
    sd = {k: v.detach().float().contiguous() for k, v in adapter.state_dict().items()}
    tmp = p.with_name(p.name + ".tmp")
    save_file(sd, str(tmp), metadata=meta)
    tmp.replace(p)
    return file_sha256(p)


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_adapter(path: str | Path) -> SURAdapter:
    """Load an adapter file written by :func:`save_adapter`, in eval mode (dropout off)."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    from ..errors import InputError

    p = Path(path)
    if not p.is_file():
        raise InputError(f"adapter file not found: {p}")
    try:
        with safe_open(str(p), "pt") as f:
            meta = f.metadata() or {}
        cfg = AdapterConfig(**json.loads(meta["sur_config"]))
    except Exception as exc:  # noqa: BLE001 - safetensors' header errors, missing/odd metadata
        raise InputError(f"{p} is not a limner SUR-adapter file ({type(exc).__name__})") from None
    ad = SURAdapter(cfg)
    ad.load_state_dict(load_file(str(p)))
    return ad.eval()
