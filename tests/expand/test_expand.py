"""expand(): a set of N distinct, aligned expansions; prefixes; multi-step; determinism."""

from __future__ import annotations

import pytest

from limner.errors import InputError
from limner.expand import PREFIXES, choose_prefix, expand, retrieve_flavors
from limner.expand.filters import key_words, stem, words

Q = "a castle at night"


def _keeps_query(text: str, query: str) -> bool:
    have = {stem(w) for w in words(text)}
    return all(k in have for k in key_words(query))


def test_prefix_ids_are_stable_public_api():
    assert list(PREFIXES) == ["ABST", "DTL", "FLV", "HAST", "MSTP", "RFT", "SUBJ", "STY"]


def test_auto_prefix_per_query():
    assert choose_prefix("a castle at night") == "DTL"
    assert choose_prefix("love") == "ABST"
    assert choose_prefix("the meaning of life") == "ABST"
    long = ("a photo of an old wooden boat on a calm lake at sunrise, mist over the water, pine "
            "forest on the shore, soft golden light, reflections")
    assert choose_prefix(long) == "FLV"
    with pytest.raises(InputError):
        choose_prefix("  ")


def test_flavors_are_relevant_and_new():
    flv = retrieve_flavors("a bowl of ramen", 4)
    assert len(flv) == 4 and len(set(flv)) == 4
    assert not any("ramen" in f or "bowl" in f for f in flv)  # nothing the query already says


def test_flv_prefix_is_query_plus_flavours_only():
    out = expand(Q, 4, prefix="flv", seed=3)  # needs no LLM at all
    assert len({e.text for e in out}) == 4
    for e in out:
        assert e.prefix == "FLV" and e.flavors
        assert e.text == ", ".join([Q, *e.flavors])
        assert e.source.startswith("flavors:")
        assert {"alignment", "diversity"} <= set(e.scores)


def test_expand_with_the_embedded_llm(llm, monkeypatch):
    out = expand(Q, 2, prefix="DTL", seed=0, llm=llm, pool=2)  # same call as the CLI test: cached
    assert len(out) == 2 and len({e.text for e in out}) == 2
    for e in out:
        assert _keeps_query(e.text, Q)
        assert len(e.text.split()) > len(Q.split()) + 3
        assert e.prefix in PREFIXES and e.query == Q and e.step == 1
        assert 0.3 < e.scores["alignment"] <= 1.0
        assert not e.text.lower().startswith(("sure", "here"))
    assert any(e.source.startswith("embedded") for e in out)
    model_calls = []
    real = llm._generate
    monkeypatch.setattr(llm, "_generate", lambda args: model_calls.append(args) or real(args))
    again = expand(Q, 2, prefix="DTL", seed=0, llm=llm, pool=2)
    assert [e.text for e in again] == [e.text for e in out]  # same seed, same output
    assert model_calls == []  # all from the LLM cache: the model was not run again


def test_two_steps_expand_the_best_one_again(llm):
    out = expand(Q, 2, prefix="DTL", steps=2, seed=0, llm=llm, pool=2)
    assert all(e.step == 2 for e in out)
    parent = out[0].query
    assert parent != Q and _keeps_query(parent, Q)  # the step-1 winner
    for e in out:
        assert e.prefix in ("MSTP", "FLV")
        assert len(e.text) > len(parent)


def test_from_a_chosen_expansion_is_the_next_step(scripted):
    chosen = "a castle at night, moonlit towers on a cliff"
    fake = scripted([", glowing windows, stars above the keep, mist in the valley"], kind="base")
    out = expand(Q, 1, prefix="DTL", from_text=chosen, seed=0, llm=fake, pool=1)
    assert fake.calls[0].prompt.endswith(f"Longer: {chosen}")  # base model: forced prefix
    e = out[0]
    assert (e.step, e.prefix, e.query) == (2, "MSTP", chosen)
    assert e.text.startswith(chosen + ", glowing windows, stars above the keep")


def test_llm_off_format_replies_never_become_prompts(scripted):
    fake = scripted(["Sure, here is a detailed prompt for you!",
                     "As an AI, I cannot draw castles.",
                     "castle castle castle castle castle castle"])
    out = expand(Q, 2, prefix="DTL", seed=0, llm=fake, pool=2)
    assert len(fake.calls) == 4  # two candidates, each asked twice
    for e in out:  # every reply rejected: the set is filled with flavour-only expansions
        assert e.prefix == "FLV" and e.text.startswith(Q)
        assert "Sure" not in e.text and "AI" not in e.text


def test_chat_models_get_instructions(scripted):
    fake = scripted(["A castle at night: moonlit stone towers on a cliff, glowing windows, stars"])
    out = expand(Q, 1, prefix="DTL", seed=0, llm=fake, pool=1)
    assert fake.calls[0].messages is not None and fake.calls[0].messages[0].role == "system"
    assert out[0].text.startswith("A castle at night: moonlit stone towers")


@pytest.mark.parametrize("kw", [{"n": 0}, {"n": 17}, {"steps": 0}, {"prefix": "NOPE"}])
def test_bad_arguments_are_input_errors(kw):
    args = {"n": 2, **kw}
    with pytest.raises(InputError):
        expand(Q, **args)
