"""LLM features for the SUR-adapter: a GGUF model's final hidden states, mean-pooled, cached on disk.

``LLMFeatures("embedded")`` uses the embedded Gemma-3-270M GGUF (width 640); any other GGUF file
can be named by path. The model is loaded by llama-cpp-python with ``embedding=True`` (the states
after the output norm) and the same AMX-safe parameters as limner's llamacpp backend
(``use_extra_bufts=False`` set on the model-params struct during the load; DESIGN.md explains the
segfault it avoids), threads as :mod:`limner.llm.threads` chooses them (the idle cores). Token states are
mean-pooled here (the paper pools LLaMA-13B's last layer the same way).

Cache: ``<cache_dir>/adapter_features/<model key>/<sha256(text)[:32]>.npy`` — keyed by the model
(file name, size, mtime) and the exact prompt text, so features are computed once per prompt.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import os
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .._deps import require
from ..errors import ModelNotFoundError
from ..llm import threads


def default_cache_dir() -> Path:
    from ..config import load_settings

    return Path(load_settings().cache_dir).expanduser() / "adapter_features"


def resolve_model(model: str) -> Path:
    """``"embedded"`` → the assembled Gemma GGUF; anything else is a GGUF path."""
    if model == "embedded":
        from ..llm.embedded import ensure_embedded_model

        return ensure_embedded_model()
    p = Path(model).expanduser()
    if not p.is_file():
        raise ModelNotFoundError(f"GGUF model not found: {p}")
    return p


def model_key(path: Path) -> str:
    st = path.stat()
    return f"{path.stem}-{st.st_size}-{hashlib.sha256(str(st.st_mtime_ns).encode()).hexdigest()[:8]}"


def _load_embedding_model(path: Path, n_threads: int) -> Any:
    llama_cpp = require("llama_cpp", "LLM features for the SUR-adapter")
    low = importlib.import_module("llama_cpp.llama").llama_cpp
    original = low.llama_model_default_params

    def params():  # the AMX guard: no weight repacking into the AMX buffer type
        p = original()
        if hasattr(p, "use_extra_bufts"):
            p.use_extra_bufts = False
        return p

    low.llama_model_default_params = params
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            return llama_cpp.Llama(model_path=str(path), embedding=True, n_ctx=512, n_batch=512,
                                   n_threads=n_threads, n_threads_batch=n_threads, verbose=False)
    except ValueError as exc:
        raise ModelNotFoundError(f"cannot load GGUF model {path}: {exc}") from None
    finally:
        low.llama_model_default_params = original


POOLINGS = ("mean", "last")


class LLMFeatures:
    """Pooled final-layer LLM features per prompt, computed lazily and cached on disk.

    ``pooling``: "mean" over the prompt's tokens (the paper's), or the "last" token's state."""

    def __init__(self, model: str = "embedded", cache_dir: str | Path | None = None, n_threads: int | None = None,
                 pooling: str = "mean"):
        if pooling not in POOLINGS:
            from ..errors import InputError

            raise InputError(f"unknown LLM pooling '{pooling}' (choose from {', '.join(POOLINGS)})")
        self.pooling = pooling
        self.model = model
        self.path: Path | None = None
        self.key = model if model.startswith("precomputed:") else None
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.n_threads = n_threads  # None: chosen when the model is loaded (limner.llm.threads)
        self._llama: Any = None

    def _ensure_key(self) -> str:
        if self.key is None:
            self.path = resolve_model(self.model)
            self.key = model_key(self.path)
        return self.key

    def _file(self, text: str) -> Path:
        sub = self._ensure_key() + ("" if self.pooling == "mean" else f"-{self.pooling}")
        return self.cache_dir / sub / (hashlib.sha256(text.encode()).hexdigest()[:32] + ".npy")

    def cached(self, text: str) -> np.ndarray | None:
        f = self._file(text)
        return np.load(f) if f.is_file() else None

    def put(self, text: str, vec: np.ndarray) -> None:
        f = self._file(text)
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f.name + f".{os.getpid()}.npy")
        np.save(tmp, np.asarray(vec, np.float32))
        os.replace(tmp, f)

    def compute(self, text: str) -> np.ndarray:
        if self.key is not None and self.key.startswith("precomputed:"):
            raise ModelNotFoundError(f"no cached LLM feature for {text!r} under {self.key}")
        self._ensure_key()
        if self._llama is None:
            n = self.n_threads or threads.threads_now(threads.from_env())
            self._llama = _load_embedding_model(self.path, n)  # type: ignore[arg-type]
        emb = np.asarray(self._llama.embed(text or " ", normalize=False), np.float32)
        if emb.ndim != 2:  # the GGUF pooled already
            return emb
        return emb.mean(0) if self.pooling == "mean" else emb[-1]

    def __call__(self, texts: Iterable[str], progress: bool = False) -> np.ndarray:
        texts = list(texts)
        out = []
        todo = [t for t in dict.fromkeys(texts) if self.cached(t) is None]
        if todo:
            from tqdm import tqdm

            for t in tqdm(todo, desc="LLM features", disable=not progress):
                self.put(t, self.compute(t))
        for t in texts:
            v = self.cached(t)
            assert v is not None
            out.append(v)
        return np.stack(out) if out else np.zeros((0, 0), np.float32)

    @property
    def dim(self) -> int:
        return int(self(["a"]).shape[1])
