"""``llamacpp``: a local GGUF model through llama-cpp-python, with schema-constrained decoding.

* A JSON schema is compiled to a GBNF grammar (``LlamaGrammar.from_json_schema``), so the model can
  only write JSON of that shape; the reply is still validated (the grammar does not cap array
  lengths or stop a reply cut by ``max_tokens``).
* ``kind="base"`` (the default: small local models are usually base models) sends prompts as they
  are; ``chat()`` on a base model renders the messages as a plain-text transcript
  (:func:`~limner.llm.base.render_transcript`). ``kind="chat"`` uses the GGUF's chat template.
* Models are loaded once per process (per path and context size) and shared by all instances;
  calls into one model are serialized with a lock (llama.cpp contexts are not thread-safe).
* AMX hazard (DESIGN.md): on CPUs that report Intel AMX a native llama.cpp build segfaults on the
  first decode in ``ggml_backend_amx_mul_mat``. The install builds portably (README), and as a
  second guard every model here is loaded with ``use_extra_bufts=False`` (no weight repacking into
  the AMX buffer type), which the high-level ``Llama`` class has no argument for: we set it on the
  model-params struct it builds, by wrapping ``llama_model_default_params`` during the load.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from .._deps import require
from ..errors import LLMError, ModelNotFoundError
from .base import LLM, GenerateArgs, render_transcript

N_CTX = 2048
N_THREADS = 2

_LOAD_LOCK = threading.Lock()
_MODELS: dict[tuple[str, int], tuple[Any, threading.Lock]] = {}
_GRAMMARS: dict[str, Any] = {}


def load_model(path: str | os.PathLike, *, n_ctx: int = N_CTX, n_threads: int = N_THREADS) -> tuple[Any, threading.Lock]:
    """The process-wide ``llama_cpp.Llama`` for ``path`` (loaded on first use) and its lock."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ModelNotFoundError(f"GGUF model not found: {path}")
    key = (str(path.resolve()), int(n_ctx))
    with _LOAD_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        llama_cpp = require("llama_cpp", "local GGUF models")
        llama_module = importlib.import_module("llama_cpp.llama")
        low = llama_module.llama_cpp  # the ctypes bindings module the Llama class calls
        original = low.llama_model_default_params

        def params_without_extra_bufts():
            params = original()
            if hasattr(params, "use_extra_bufts"):
                params.use_extra_bufts = False
            return params

        low.llama_model_default_params = params_without_extra_bufts
        try:
            model = llama_cpp.Llama(
                model_path=str(path), n_ctx=int(n_ctx), n_threads=n_threads,
                n_threads_batch=n_threads, seed=0, verbose=False,
            )
        except ValueError as exc:  # llama_cpp's "Failed to load model from file"
            raise ModelNotFoundError(f"cannot load GGUF model {path}: {exc}") from None
        finally:
            low.llama_model_default_params = original
        _MODELS[key] = (model, threading.Lock())
        return _MODELS[key]


def _grammar(schema: dict[str, Any]) -> Any:
    """GBNF grammar for ``schema`` (cached), or None if llama_cpp cannot convert it."""
    text = json.dumps(schema, sort_keys=True)
    if text not in _GRAMMARS:
        from llama_cpp import LlamaGrammar

        try:
            _GRAMMARS[text] = LlamaGrammar.from_json_schema(text, verbose=False)
        except Exception:  # unsupported schema feature: decode freely, validation still applies
            _GRAMMARS[text] = None
    return _GRAMMARS[text]


class LlamaCppLLM(LLM):
    id = "llamacpp"

    def __init__(self, model: str | os.PathLike | None = None, cache: Any = None, *,
                 kind: str = "base", n_ctx: int = N_CTX, n_threads: int = N_THREADS):
        if not model:
            raise ModelNotFoundError("the llamacpp backend needs a GGUF file: pass --model PATH.gguf")
        if kind not in ("base", "chat"):
            raise ValueError(f"kind must be 'base' or 'chat', got {kind!r}")
        self.model_path = Path(model).expanduser()
        super().__init__(model=self.model_path.name, cache=cache)
        self.kind = kind  # type: ignore[assignment]
        self.n_ctx, self.n_threads = int(n_ctx), int(n_threads)

    def cache_identity(self) -> dict[str, Any]:
        try:
            st = self.model_path.stat()
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "missing"
        return {**super().cache_identity(), "path": str(self.model_path), "file": stamp}

    def describe(self) -> dict[str, str]:
        return {**super().describe(), "path": str(self.model_path)}

    def llama(self) -> Any:
        """The loaded ``llama_cpp.Llama`` (for callers that need tokens, e.g. to count them)."""
        return load_model(self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads)[0]

    def _generate(self, args: GenerateArgs) -> str:
        model, lock = load_model(self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads)
        grammar = _grammar(args.json_schema) if args.json_schema is not None else None
        sampling = dict(max_tokens=args.max_tokens, temperature=args.temperature, seed=args.seed,
                        grammar=grammar)
        try:
            with lock:
                if self.kind == "base":
                    prompt, stop = args.prompt, args.stop
                    if prompt is None:
                        prompt, extra = render_transcript(args.messages or ())
                        stop = stop + extra
                    out = model.create_completion(prompt, stop=list(stop) or None, **sampling)
                    return out["choices"][0]["text"]
                messages = ([m.to_dict() for m in args.messages] if args.messages is not None
                            else [{"role": "user", "content": args.prompt or ""}])
                out = model.create_chat_completion(messages, stop=list(args.stop) or None, **sampling)
                return out["choices"][0]["message"]["content"] or ""
        except ValueError as exc:  # e.g. "Requested tokens (...) exceed context window of 2048"
            raise LLMError(f"{self.id} ({self.model_path.name}): {exc}") from None
