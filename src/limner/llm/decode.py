"""limner's own completion loop over a loaded ``llama_cpp.Llama``.

It replaces ``Llama.create_completion`` for plain completions so that

* a JSON grammar is applied lazily, token by token (:mod:`limner.llm.lazy_grammar`), with the same
  greedy tokens as llama-cpp-python's grammar-first chain;
* the KV cache is reused across calls: the longest common token prefix with what the context
  already holds is kept, and a few-shot prefix's state can be restored from
  :class:`~limner.llm.prefix_cache.PrefixCache` (memory and disk), so a request pays only for its
  own tokens;
* the whole call respects a deadline (checked between prompt batches and between tokens).

Tokenization, stop strings, end-of-generation and the text returned follow ``create_completion``
exactly (same BOS handling, same byte-level stop search, same UTF-8 handling).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .lazy_grammar import Grammar, SamplingParams, pick_token


class DeadlineExceeded(Exception):
    """Raised inside the loop when the deadline passes; the backend turns it into LLMTimeout."""


@dataclass
class DecodeStats:
    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens not evaluated (KV cache / prefix state)
    completion_tokens: int = 0
    prompt_s: float = 0.0
    decode_s: float = 0.0
    grammar_checks: int = 0
    grammar_full_masks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _common_prefix(a: np.ndarray, b: list[int]) -> int:
    n = min(len(a), len(b))
    if n == 0:
        return 0
    diff = np.nonzero(np.asarray(a[:n]) != np.asarray(b[:n], dtype=a.dtype))[0]
    return int(diff[0]) if len(diff) else n


def prompt_tokens(llm: Any, prompt: str) -> list[int]:
    """The tokens ``create_completion`` would evaluate for ``prompt`` (BOS as the model asks)."""
    return list(llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True))


def _check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlineExceeded


def eval_prompt(llm: Any, tokens: list[int], deadline: float | None, prefix_cache: Any = None,
                stats: DecodeStats | None = None, prompt: str = "") -> None:
    """Bring the context to exactly ``tokens`` (logits of the last one ready), reusing what it can."""
    stats = stats if stats is not None else DecodeStats()
    t0 = time.perf_counter()
    keep = _common_prefix(llm.input_ids[: llm.n_tokens], tokens)
    if prefix_cache is not None:
        keep = prefix_cache.restore(llm, tokens, keep)
    keep = min(keep, len(tokens) - 1)  # at least one token is evaluated, for fresh logits
    if keep < llm.n_tokens and not llm._ctx.kv_cache_seq_rm(-1, keep, -1):
        keep = 0
        llm.reset()
    llm.n_tokens = keep
    stats.reused_tokens = keep
    todo = tokens[keep:]
    save_at = prefix_cache.save_point(llm, prompt, tokens) if prefix_cache is not None and prompt else None
    pos = 0
    while pos < len(todo):
        _check(deadline)
        end = min(len(todo), pos + llm.n_batch)
        if save_at is not None and keep + pos < save_at < keep + end:
            end = save_at - keep  # stop at the prefix boundary to save its state
        llm.eval(todo[pos:end])
        pos = end
        if save_at is not None and keep + pos == save_at:
            prefix_cache.save(llm, tokens[:save_at])
    stats.prompt_tokens = len(tokens)
    stats.prompt_s = time.perf_counter() - t0


def complete(llm: Any, prompt: str, *, max_tokens: int, stop: list[str] | tuple[str, ...] = (),
             gbnf: str | None = None, sampling: SamplingParams | None = None,
             deadline: float | None = None, prefix_cache: Any = None,
             stats: DecodeStats | None = None) -> str:
    """Complete ``prompt`` like ``llm.create_completion(prompt, ...)["choices"][0]["text"]``."""
    import llama_cpp  # the ctypes bindings (already loaded with the model)

    sampling = sampling or SamplingParams()
    stats = stats if stats is not None else DecodeStats()
    tokens = prompt_tokens(llm, prompt)
    n_ctx = llm.n_ctx()
    if len(tokens) >= n_ctx:
        raise ValueError(f"Requested tokens ({len(tokens)}) exceed context window of {n_ctx}")
    max_tokens = max_tokens if max_tokens + len(tokens) < n_ctx else n_ctx - len(tokens)
    eval_prompt(llm, tokens, deadline, prefix_cache, stats, prompt)

    vocab = llm._model.vocab
    n_vocab = llm.n_vocab()
    grammar = None
    if gbnf:
        try:
            grammar = Grammar(llama_cpp, vocab, gbnf, n_vocab)
        except ValueError:  # llama.cpp refused the grammar: decode freely; the reply is validated
            stats.extra["grammar"] = "refused by llama.cpp"
    allows = grammar.allows if grammar else None
    mask = grammar.mask if grammar else None
    rng = np.random.default_rng(sampling.seed) if sampling.temperature > 0 else None
    stop_bytes = [s.encode("utf-8") for s in stop if s]
    completion: list[int] = []
    text = b""
    multibyte_fix = 0
    t0 = time.perf_counter()
    try:
        while True:
            _check(deadline)
            logits = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(n_vocab,))
            token = pick_token(logits, allows, mask, sampling, rng)
            if token is None or llama_cpp.llama_vocab_is_eog(vocab, token):
                text = llm.detokenize(completion, prev_tokens=tokens)
                break
            if grammar is not None:
                grammar.accept(token)
            completion.append(token)
            all_text = llm.detokenize(completion, prev_tokens=tokens)
            for k, char in enumerate(all_text[-3:]):  # as create_completion: wait for whole UTF-8
                k = 3 - k
                for num, pattern in ((2, 192), (3, 224), (4, 240)):
                    if num > k and pattern & char == pattern:
                        multibyte_fix = num - k
            if multibyte_fix > 0:
                multibyte_fix -= 1
            else:
                hits = [s for s in stop_bytes if s in all_text]
                if hits:
                    text = all_text[: all_text.index(hits[0])]
                    break
                if len(completion) >= max_tokens:
                    text = all_text
                    break
            llm.eval([token])
    finally:
        stats.completion_tokens = len(completion)
        stats.decode_s = time.perf_counter() - t0
        if grammar is not None:
            stats.grammar_checks = grammar.stats.checks
            stats.grammar_full_masks = grammar.stats.full_masks
            grammar.close()
    return text.decode("utf-8", errors="ignore")
