"""The lazy-grammar token choice against the grammar-first chain it replaces (no model needed:
random logits and a fake grammar), and against llama-cpp-python itself on real schemas (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from limner.llm.lazy_grammar import SamplingParams, final_candidates, pick_token

NEG_INF = float("-inf")


def reference(logits, allowed, p):
    """llama-cpp-python's chain: grammar on every token, then top-k, top-p, min-p."""
    masked = np.where(allowed, logits, NEG_INF)
    ids = np.nonzero(masked != NEG_INF)[0]
    if len(ids) == 0:
        return None
    ids = ids[np.lexsort((ids, -masked[ids]))][: p.top_k]
    vals = logits[ids].astype(np.float64)
    w = np.exp(vals - vals[0])
    cum = np.cumsum(w) / w.sum()
    over = np.nonzero(cum >= p.top_p)[0]
    keep = over[0] + 1 if len(over) else len(ids)
    keep = min(keep, int(np.count_nonzero(vals[:keep] >= vals[0] + np.log(p.min_p))))
    return [int(t) for t in ids[:max(keep, 1)]]


def fake_grammar(allowed):
    calls = {"one": 0, "full": 0}

    def allows(t):
        calls["one"] += 1
        return bool(allowed[t])

    def mask(logits):
        calls["full"] += 1
        return np.where(allowed, logits, NEG_INF).astype(np.float32)

    return allows, mask, calls


@pytest.mark.parametrize("density", [1.0, 0.5, 0.05, 0.001])
@pytest.mark.parametrize("spread", [0.5, 3.0, 8.0])
def test_same_candidates_and_greedy_token_as_grammar_first(density, spread):
    rng = np.random.default_rng(int(density * 1000 + spread * 10))
    full_masks = 0
    for trial in range(40):
        n = 5000
        logits = (rng.standard_normal(n) * spread).astype(np.float32)
        if trial % 5 == 0:  # a confident step, as in JSON punctuation
            logits[rng.integers(n)] += 25
        allowed = rng.random(n) < density
        allowed[rng.integers(n)] = True
        allows, mask, calls = fake_grammar(allowed)
        p = SamplingParams(temperature=0.7)
        got = final_candidates(logits, allows, mask, p)
        assert got is not None and got[0] == reference(logits, allowed, p)
        greedy = pick_token(logits, allows, mask, SamplingParams(temperature=0.0))
        assert greedy == int(np.argmax(np.where(allowed, logits, NEG_INF)))
        full_masks += calls["full"]
    if density == 1.0:
        assert full_masks == 0  # nothing rejected: the grammar never sees the whole vocabulary


def test_nothing_allowed_gives_none_and_never_an_empty_draw():
    logits = np.zeros(100, dtype=np.float32)
    allows, mask, _ = fake_grammar(np.zeros(100, dtype=bool))
    assert pick_token(logits, allows, mask, SamplingParams(temperature=0.0)) is None
    assert pick_token(logits, allows, mask, SamplingParams(temperature=1.0)) is None


def test_sampling_follows_the_masked_distribution():
    logits = np.array([3.0, 2.9, 2.5, 0.0, -1.0], dtype=np.float32)
    allowed = np.array([False, True, True, True, False])
    allows, mask, _ = fake_grammar(allowed)
    p = SamplingParams(temperature=1.0, top_k=40, top_p=1.0, min_p=0.0)
    rng = np.random.default_rng(0)
    draws = np.bincount([pick_token(logits, allows, mask, p, rng) for _ in range(4000)], minlength=5)
    want = np.exp(logits[1:4] - logits[1]) / np.exp(logits[1:4] - logits[1]).sum()
    assert draws[0] == 0 and draws[4] == 0
    assert np.allclose(draws[1:4] / 4000, want, atol=0.03)


def _real_cases():
    from limner.edit.data import EditProposal, few_shot_prompt
    from limner.llm.prompts import json_fewshot
    from limner.plan.planner import FEW_SHOT, GUIDED_SHOT, LLMLayout, guided_schema

    user = {"type": "object", "properties": {
        "title": {"type": "string"}, "year": {"type": "integer"},
        "genres": {"type": "array", "items": {"enum": ["drama", "comedy", "horror", "sci-fi"]}}},
        "required": ["title", "year", "genres"]}
    return [
        ("plan", LLMLayout.model_json_schema(), FEW_SHOT + "Request: two dogs under a tree\nLayout:", ["\n"]),
        ("guided", guided_schema(2).model_json_schema(),
         GUIDED_SHOT + "Request: a cat left of a dog\nObjects: cat; dog\nBoxes:", ["\n"]),
        ("edit-data", EditProposal.model_json_schema(),
         few_shot_prompt("a purple square above a yellow circle", "recolor"), ["\n\n"]),
        ("user", user, json_fewshot("Alien, the 1979 film", user), ["\n\n"]),
    ]


@pytest.mark.slow
def test_greedy_tokens_identical_to_llama_cpp_grammar_first(embedded):
    """On real schemas and the real model: limner's loop == create_completion(grammar=...)."""
    from limner.llm.decode import DecodeStats, complete
    from limner.llm.llamacpp import gbnf_for, llama_grammar_for

    model = embedded.llama()
    checked = 0
    for name, schema, prompt, stop in _real_cases():
        model.reset()
        ref = model.create_completion(prompt, max_tokens=28, temperature=0.0, stop=stop,
                                      grammar=llama_grammar_for(schema))["choices"][0]["text"]
        model.reset()
        stats = DecodeStats()
        got = complete(model, prompt, max_tokens=28, stop=stop, gbnf=gbnf_for(schema), stats=stats)
        assert got == ref, name
        assert stats.grammar_checks >= stats.completion_tokens > 0
        checked += 1
    assert checked == 4
