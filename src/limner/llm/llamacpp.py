"""``llamacpp``: a local GGUF model through llama-cpp-python, with schema-constrained decoding.

* A JSON schema is compiled to a GBNF grammar (llama-cpp-python's converter, properties kept in
  the schema's order: :func:`grammar_schema`), so the model can only write JSON of that shape; the
  reply is still validated (the grammar does not cap array lengths or stop a reply cut by
  ``max_tokens``).
* Base-model completions run limner's own loop (:mod:`limner.llm.decode`): the grammar is applied
  lazily, one token at a time (:mod:`limner.llm.lazy_grammar`; greedy output identical to
  llama-cpp-python's grammar-first sampling, ~3x faster per token), few-shot prefixes' KV states
  are reused from memory and disk (:mod:`limner.llm.prefix_cache`), and the whole call honours the
  deadline. ``lazy_grammar=False`` restores llama-cpp-python's own path (kept for chat models,
  whose chat template llama-cpp-python applies, and for comparison in benchmarks/llm_speed.py).
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

import atexit
import contextlib
import importlib
import io
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from .._deps import require
from ..errors import LLMError, ModelNotFoundError
from .base import LLM, GenerateArgs, LLMTimeout, render_transcript
from .decode import DeadlineExceeded, DecodeStats, complete
from .lazy_grammar import SamplingParams
from .prefix_cache import PrefixCache
from . import threads

N_CTX = 2048
# threads per call: see limner.llm.threads (0 = auto: the idle cores, measured before a call)
N_THREADS = threads.from_env()

_LOAD_LOCK = threading.Lock()
_MODELS: dict[tuple[str, int], tuple[Any, threading.Lock]] = {}
_GRAMMARS: dict[str, str | None] = {}
_PREFIXES: dict[tuple[int, str], PrefixCache] = {}
STATE_SUBDIR = "llm-state"  # under Settings.cache_dir: few-shot prefix KV states


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
        log = io.StringIO()  # llama.cpp's load-time notes go to sys.stderr even with verbose=False
        try:
            with contextlib.redirect_stderr(log):
                model = llama_cpp.Llama(
                    model_path=str(path), n_ctx=int(n_ctx), n_threads=max(1, n_threads),
                    n_threads_batch=max(1, n_threads), seed=0, verbose=False,
                )
        except ValueError as exc:  # llama_cpp's "Failed to load model from file"
            note = " ".join(log.getvalue().split())[-300:]
            raise ModelNotFoundError(f"cannot load GGUF model {path}: {exc} {note}".strip()) from None
        finally:
            low.llama_model_default_params = original
        if not _MODELS:
            atexit.register(_close_all)
        _MODELS[key] = (model, threading.Lock())
        return _MODELS[key]


def _close_all() -> None:
    """Free models before interpreter teardown (llama_cpp's __del__ fails noisily at that point)."""
    while _MODELS:
        model, _ = _MODELS.popitem()[1]
        try:
            model.close()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def grammar_schema(schema: Any) -> Any:
    """``schema`` as the grammar should see it: properties in the schema's own order.

    llama.cpp's converter writes required properties first and optional ones after; a base model
    prompted with examples in schema order (``name, color, box``) is then forced into another
    order (``name, box, color``) and loses its way. Optional properties that come *before* the last
    required one are therefore written as required in the grammar (the model writes them, e.g. as
    ``null``); the reply is still validated against the original schema.
    """
    if isinstance(schema, list):
        return [grammar_schema(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: grammar_schema(v) for k, v in schema.items()}
    props, required = out.get("properties"), out.get("required")
    if isinstance(props, dict) and isinstance(required, list) and required:
        names = list(props)
        last = max((names.index(r) for r in required if r in names), default=-1)
        out["required"] = names[: last + 1] + [r for r in required if r not in names[: last + 1]]
    return out


def gbnf_for(schema: dict[str, Any]) -> str | None:
    """GBNF grammar text for ``schema`` (cached), or None if llama_cpp cannot convert it."""
    key = json.dumps(schema, sort_keys=True)
    if key not in _GRAMMARS:
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        try:
            gbnf = json_schema_to_gbnf(json.dumps(grammar_schema(schema)))  # keeps key order
            # llama-cpp-python's converter lets raw control characters into strings (invalid JSON);
            # use the rule upstream llama.cpp uses.
            _GRAMMARS[key] = gbnf.replace(r'char ::= [^"\\] |', r'char ::= [^"\\\x7F\x00-\x1F] |')
        except Exception:  # unsupported schema feature: decode freely, validation still applies
            _GRAMMARS[key] = None
    return _GRAMMARS[key]


def llama_grammar_for(schema: dict[str, Any]) -> Any:
    """A ``LlamaGrammar`` for ``schema`` (llama-cpp-python's own, grammar-first path), or None."""
    gbnf = gbnf_for(schema)
    if gbnf is None:
        return None
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(gbnf, verbose=False)


def forget_prompt_states(model: Any) -> None:
    """Make ``model`` start cold: empty its context and every in-memory prefix state (disk states
    stay). For benchmarks and tests that measure what a new process pays."""
    model.reset()
    model._ctx.kv_cache_seq_rm(-1, 0, -1)
    with _LOAD_LOCK:
        _PREFIXES.clear()


def _use_threads(model: Any, n_threads: int) -> None:
    """One loaded model serves every instance; each call runs with its own instance's threads
    (``threads.AUTO``: as many as there are idle cores just before the call)."""
    n_threads = threads.threads_now(n_threads)
    if getattr(model, "_limner_threads", None) != n_threads:
        import llama_cpp

        llama_cpp.llama_set_n_threads(model.ctx, n_threads, n_threads)
        model._limner_threads = n_threads


def prefix_cache_for(model: Any, path: Path, n_ctx: int, state_dir: Path | None) -> PrefixCache:
    """The process-wide prefix-state cache of one loaded model."""
    key = (id(model), str(state_dir))
    with _LOAD_LOCK:
        if key not in _PREFIXES:
            import llama_cpp

            st = path.stat()
            identity = f"{path.name}:{st.st_size}:{st.st_mtime_ns}:{n_ctx}:{llama_cpp.__version__}"
            _PREFIXES[key] = PrefixCache(identity, state_dir)
        return _PREFIXES[key]


class LlamaCppLLM(LLM):
    id = "llamacpp"

    def __init__(self, model: str | os.PathLike | None = None, cache: Any = None, *,
                 kind: str = "base", n_ctx: int = N_CTX, n_threads: int = N_THREADS,
                 timeout: float | None = None, lazy_grammar: bool = True,
                 prefix_cache: bool = True, state_dir: str | os.PathLike | None = None):
        if not model:
            raise ModelNotFoundError("the llamacpp backend needs a GGUF file: pass --model PATH.gguf")
        if kind not in ("base", "chat"):
            raise ValueError(f"kind must be 'base' or 'chat', got {kind!r}")
        self.model_path = Path(model).expanduser()
        super().__init__(model=self.model_path.name, cache=cache)
        self.kind = kind  # type: ignore[assignment]
        self.n_ctx, self.n_threads = int(n_ctx), int(n_threads)
        self.timeout = timeout
        self.lazy_grammar = bool(lazy_grammar)  # False: llama-cpp-python's grammar-first sampling
        self.prefix_cache = bool(prefix_cache)
        self.state_dir = Path(state_dir).expanduser() if state_dir is not None else None
        self.last_stats: DecodeStats | None = None  # of the last call (benchmarks, tests)

    @classmethod
    def from_settings(cls, settings: Any, *, base_url=None, model=None, api_key=None, cache=None,
                      **options: Any) -> "LlamaCppLLM":
        options.setdefault("timeout", settings.llm_timeout)
        options.setdefault("state_dir", Path(settings.cache_dir).expanduser() / STATE_SUBDIR)
        return cls(model=model, cache=cache, **options)

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
        left = args.remaining()
        if not lock.acquire(timeout=-1 if left is None else max(left, 0.0)):
            raise LLMTimeout("the model was busy with another call until the deadline")
        try:
            _use_threads(model, self.n_threads)
            if self.kind == "base" and self.lazy_grammar:
                return self._complete(model, args)
            return self._llama_cpp_call(model, args)
        except DeadlineExceeded:
            raise LLMTimeout("stopped decoding at the deadline") from None
        except ValueError as exc:  # e.g. "Requested tokens (...) exceed context window of 2048"
            raise LLMError(f"{self.id} ({self.model_path.name}): {exc}") from None
        finally:
            lock.release()

    def _base_prompt(self, args: GenerateArgs) -> tuple[str, tuple[str, ...]]:
        prompt, stop = args.prompt, args.stop
        if prompt is None:
            prompt, extra = render_transcript(args.messages or ())
            stop = stop + extra
        return prompt, stop

    def _complete(self, model: Any, args: GenerateArgs) -> str:
        """limner's loop: lazy grammar, prefix states, deadline (see :mod:`limner.llm.decode`)."""
        prompt, stop = self._base_prompt(args)
        gbnf = gbnf_for(args.json_schema) if args.json_schema is not None else None
        cache = (prefix_cache_for(model, self.model_path, self.n_ctx, self.state_dir)
                 if self.prefix_cache else None)
        stats = DecodeStats()
        try:
            return complete(model, prompt, max_tokens=args.max_tokens, stop=stop, gbnf=gbnf,
                            sampling=SamplingParams(temperature=args.temperature, seed=args.seed),
                            deadline=args.deadline, prefix_cache=cache, stats=stats)
        finally:
            self.last_stats = stats

    def _llama_cpp_call(self, model: Any, args: GenerateArgs) -> str:
        """llama-cpp-python's own completion (chat templates; grammar-first sampling)."""
        grammar = llama_grammar_for(args.json_schema) if args.json_schema is not None else None
        sampling = dict(max_tokens=args.max_tokens, temperature=args.temperature, seed=args.seed,
                        grammar=grammar)
        if args.deadline is not None:
            from llama_cpp import StoppingCriteriaList

            deadline = args.deadline
            sampling["stopping_criteria"] = StoppingCriteriaList(
                [lambda ids, logits: time.monotonic() > deadline])
        if self.kind == "base":
            prompt, stop = self._base_prompt(args)
            out = model.create_completion(prompt, stop=list(stop) or None, **sampling)
            text = out["choices"][0]["text"]
        else:
            messages = ([m.to_dict() for m in args.messages] if args.messages is not None
                        else [{"role": "user", "content": args.prompt or ""}])
            out = model.create_chat_completion(messages, stop=list(args.stop) or None, **sampling)
            text = out["choices"][0]["message"]["content"] or ""
        if args.deadline is not None and time.monotonic() > args.deadline:
            raise DeadlineExceeded
        return text
