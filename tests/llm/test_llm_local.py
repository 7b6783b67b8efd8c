"""The embedded / llamacpp backends on the real Gemma-270M GGUF: constrained JSON, retries, cache."""

from __future__ import annotations

import pytest

from limner.errors import LLMOutputError
from limner.llm import LLMCache, get_llm
from limner.llm.validate import check
from limner.llm.prompts import ask_json


pytestmark = pytest.mark.usefixtures("gguf_path")

COLORS = {"type": "object", "properties": {"colors": {"type": "array", "items": {"type": "string"},
                                                      "maxItems": 5}},
          "required": ["colors"]}
# a short few-shot prompt: keeps prefill cheap on 2 busy cores
SHORT = 'Three colours: {"colors": ["red", "green", "blue"]}\nTwo fruits: {"colors": ["apple", "pear"]}\nTwo colours:'


def test_embedded_is_a_base_model_with_a_path(embedded, gguf_path):
    assert (embedded.id, embedded.kind) == ("embedded", "base")
    assert embedded.model_path == gguf_path and gguf_path.stat().st_size > 100_000_000


def test_schema_constrained_reply_validates(embedded):
    data = ask_json(embedded, "Name three colours", COLORS, max_tokens=48)
    check(data, COLORS)
    assert all(isinstance(c, str) for c in data["colors"])


def test_llamacpp_backend_loads_the_same_file_once(settings, gguf_path, embedded):
    from limner.llm.llamacpp import load_model

    llm = get_llm("llamacpp", model=str(gguf_path), settings=settings, cache=False)
    assert (llm.id, llm.kind) == ("llamacpp", "base")
    assert llm.llama() is embedded.llama()  # one Llama per path per process
    assert llm.llama().model_params.use_extra_bufts is False  # AMX guard is in place
    text = llm.complete("The sky is", max_tokens=4)
    assert isinstance(text, str) and text.strip()
    assert load_model(gguf_path)[0] is llm.llama()


def _broken(llm, n_bad):
    """Wrap the real backend so its first ``n_bad`` replies are cut mid-JSON (as max_tokens does)."""
    real = llm._generate
    seen = []

    def generate(args):
        text = real(args)
        seen.append(args)
        return text[: max(1, len(text) // 2)] if len(seen) <= n_bad else text

    llm._generate = generate
    return seen


def test_truncated_reply_is_retried(settings, gguf_path):
    llm = get_llm("llamacpp", model=str(gguf_path), settings=settings, cache=False)
    seen = _broken(llm, n_bad=1)
    data = llm.complete(SHORT, schema=COLORS, max_tokens=24)
    check(data, COLORS)
    assert len(seen) == 2 and seen[1].seed != seen[0].seed  # retried once, with a new seed


def test_always_broken_reply_raises_with_raw(settings, gguf_path):
    llm = get_llm("llamacpp", model=str(gguf_path), settings=settings, cache=False)
    llm.max_retries = 1  # per instance; one retry is enough to show the bound
    seen = _broken(llm, n_bad=99)
    with pytest.raises(LLMOutputError) as exc:
        llm.complete(SHORT, schema=COLORS, max_tokens=8)
    assert len(seen) == llm.max_retries + 1
    assert exc.value.raw.startswith("{") and len(exc.value.errors) == llm.max_retries + 1
    assert "not valid JSON" in str(exc.value)


def test_cache_serves_second_call_from_disk(settings, gguf_path, tmp_path):
    llm = get_llm("embedded", settings=settings, cache=LLMCache(tmp_path))
    calls = []
    real = llm._generate
    llm._generate = lambda args: calls.append(args) or real(args)

    first = llm.complete("Roses are red, violets are", max_tokens=6, seed=1)
    assert len(calls) == 1 and len(list(tmp_path.glob("*/*.json"))) == 1
    second = llm.complete("Roses are red, violets are", max_tokens=6, seed=1)
    assert second == first and len(calls) == 1  # served from disk, _generate not called

    llm.complete("Roses are red, violets are", max_tokens=6, seed=2)  # different seed, new key
    assert len(calls) == 2 and len(list(tmp_path.glob("*/*.json"))) == 2

    data = llm.complete(SHORT, schema=COLORS, max_tokens=32)
    check(data, COLORS)
    assert llm.complete(SHORT, schema=COLORS, max_tokens=32) == data and len(calls) == 3

    uncached = get_llm("embedded", settings=settings, cache=False)
    real2 = uncached._generate
    calls2 = []
    uncached._generate = lambda args: calls2.append(args) or real2(args)
    assert uncached.complete("Roses are red, violets are", max_tokens=6, seed=1) == first
    assert len(calls2) == 1  # cache=False bypasses the disk


def test_cache_key_covers_every_argument(embedded, tmp_path):
    from limner.llm.base import GenerateArgs, Message
    from limner.llm.cache import cache_key

    base = GenerateArgs((Message("user", "hi"),), None, None, 0, 0.0, 16, ())
    keys = {cache_key(embedded, a) for a in [
        base,
        GenerateArgs((Message("user", "hi"),), None, None, 1, 0.0, 16, ()),
        GenerateArgs((Message("user", "hi"),), None, None, 0, 0.5, 16, ()),
        GenerateArgs((Message("user", "hi"),), None, None, 0, 0.0, 17, ()),
        GenerateArgs((Message("user", "hi"),), None, None, 0, 0.0, 16, ("\n",)),
        GenerateArgs((Message("user", "hi"),), None, COLORS, 0, 0.0, 16, ()),
        GenerateArgs(None, "hi", None, 0, 0.0, 16, ()),
    ]}
    assert len(keys) == 7
    assert cache_key(embedded, base) == cache_key(embedded, GenerateArgs((Message("user", "hi"),), None, None, 0, 0.0, 16, ()))


def test_chat_on_a_base_model_uses_a_transcript(embedded):
    text = embedded.chat([{"role": "system", "content": "You answer briefly."},
                          {"role": "user", "content": "What colour is grass?"}], max_tokens=12)
    assert isinstance(text, str) and "User:" not in text


def test_deadline_stops_local_decoding_with_one_line(settings, gguf_path):
    from limner.llm import LLMTimeout

    llm = get_llm("llamacpp", model=str(gguf_path), settings=settings, cache=False, timeout=0.3)
    with pytest.raises(LLMTimeout) as exc:
        llm.complete("Once upon a time " * 40, max_tokens=400)
    msg = str(exc.value)
    assert "within 0.3 s" in msg and "1 try" in msg and gguf_path.name in msg and "\n" not in msg
    assert llm.complete("The sky is", max_tokens=3, timeout=0)  # 0 = no limit; the model still works


@pytest.mark.slow
def test_prefix_state_from_disk_gives_the_same_reply(settings, gguf_path, tmp_path):
    """A new process (no context, no in-memory state) restores the few-shot prefix from disk and
    evaluates only the request's own tokens; the reply is the one a full prefill gives."""
    from limner.llm.llamacpp import forget_prompt_states
    from limner.llm.prompts import json_fewshot

    prompt = json_fewshot("Name two colours", COLORS)
    plain = get_llm("llamacpp", model=str(gguf_path), settings=settings, cache=False, prefix_cache=False)
    model = plain.llama()
    model.reset()
    want = plain.complete(prompt, schema=COLORS, max_tokens=24, stop=["\n\n"])

    llm = get_llm("llamacpp", model=str(gguf_path), settings=settings, cache=False, state_dir=tmp_path)
    for _ in range(2):  # first run saves the prefix state, second run is a "new process"
        forget_prompt_states(model)
        got = llm.complete(prompt, schema=COLORS, max_tokens=24, stop=["\n\n"])
        assert got == want
    assert len(list(tmp_path.glob("*.kv"))) == 1
    stats = llm.last_stats
    assert stats.reused_tokens >= 48 and stats.reused_tokens > stats.prompt_tokens // 2
