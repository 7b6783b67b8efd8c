"""upsample(): one descriptive caption that keeps every fact of the prompt (DALL-E 3)."""

from __future__ import annotations

import pytest

from limner.errors import InputError
from limner.expand import upsample
from limner.expand.facts import extract_facts, missing_facts
from limner.expand.filters import words


def test_facts_come_from_the_planning_parser():
    labels = {f.label for f in extract_facts('a red car left of three blue birds, a sign that says "OPEN"')}
    assert {"car", "red car", "3 bird", "blue bird", "car left of bird", '"OPEN"'} <= labels
    facts = extract_facts("two dogs playing in snow")
    assert not missing_facts(facts, "Two happy dogs play in deep snow.")
    assert {f.label for f in missing_facts(facts, "A dog plays on the beach.")} == {"2 dog", "snow", "season: snow"}


def test_upsample_with_the_embedded_llm_keeps_the_facts(llm):
    e = upsample("two dogs playing in snow", seed=0, llm=llm)
    ws = words(e.text)
    assert "two" in ws and "dogs" in ws and "snow" in ws
    assert e.scores["fact_preservation"] == 1.0
    assert len(ws) > 8 and e.query == "two dogs playing in snow"
    assert upsample("two dogs playing in snow", seed=0, llm=llm).text == e.text  # same seed


def test_a_dropped_fact_is_re_asked_then_repaired(scripted):
    drop = "A happy dog runs across a sunny beach at noon, wide shot, vivid colours."
    fake = scripted([drop])
    e = upsample("two dogs playing in snow", seed=0, llm=fake)
    assert len(fake.calls) == 3  # the first try and two re-asks
    assert "dogs" in fake.calls[1].messages[-1].content  # the re-ask says what to mention
    assert e.text.startswith("Two dogs playing in snow.")
    assert "beach" not in e.text  # a caption about something else is not kept
    assert e.scores["repaired"] == 1.0 and e.scores["fact_preservation"] == 1.0
    assert e.scores["facts_kept_llm"] < e.scores["facts"]


def test_a_contradicting_sentence_is_dropped_by_the_repair(scripted):
    fake = scripted(["Three dogs play in the snow of a quiet park. Soft winter light falls on the trees."])
    e = upsample("two dogs playing in snow", seed=0, llm=fake)
    assert "Three dogs" not in e.text and "Soft winter light" in e.text


def test_a_second_try_that_keeps_the_facts_wins(scripted):
    fake = scripted(["A dog on a beach, bright sun, many birds, wide angle photo.",
                     "Two fluffy dogs playing in fresh snow in a quiet park, soft winter light."])
    e = upsample("two dogs playing in snow", seed=0, llm=fake)
    assert e.text.startswith("Two fluffy dogs") and e.scores["repaired"] == 0.0


def test_boilerplate_replies_are_never_the_caption(scripted):
    fake = scripted(["Sure! Here's a detailed caption for your image:"])
    e = upsample("a red apple on a table", seed=0, llm=fake)
    assert "Sure" not in e.text and e.text.startswith("A red apple on a table.")


@pytest.mark.parametrize("bad", ["", "   ", "y" * 600])
def test_empty_or_oversize_prompt(bad, scripted):
    with pytest.raises(InputError):
        upsample(bad, llm=scripted(["x"]))
