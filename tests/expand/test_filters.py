"""Reply hygiene: off-format LLM replies are repaired or rejected, never used as prompts."""

import pytest

from limner.errors import InputError
from limner.expand.filters import RejectedReply, check_query, clean_reply

Q = "a castle at night"


def test_clean_reply_keeps_a_good_expansion():
    out = clean_reply("Detailed: a castle at night, a gothic castle on a hill under a full moon\nShort: x", Q)
    assert out == "a castle at night, a gothic castle on a hill under a full moon"


def test_a_loop_is_cut_where_it_starts():
    raw = ("a castle at night, a stone keep on a hill, soft evening light, glowing windows, "
           "a soft light, a light, a soft light, a soft light, a light")
    assert clean_reply(raw, Q) == ("a castle at night, a stone keep on a hill, soft evening light, "
                                   "glowing windows")


def test_cut_off_tail_is_trimmed():
    out = clean_reply("a castle at night on a rocky hill, moonlit towers, glowing windows, and the", Q)
    assert out.endswith("glowing windows")


@pytest.mark.parametrize("raw, reason", [
    ("Sure, here is a detailed prompt: a castle at night with towers", "boilerplate"),
    ("Here's your prompt: a castle at night, moonlit", "boilerplate"),
    ("a castle at night with towers and flags and moon moon moon moon", "degenerate"),
    ("a castle at night, the castle at night, a night castle", "too little"),
    ("a castle at night, stars, a castle at night, stars, a castle at night, stars", "too little"),
    ("a palace under the stars with glowing windows and a moat", "key words"),
    ("a castle at night", "too little"),
    ("a castle at night, see https://example.com for more", "links"),
    ("", "empty"),
    ("a castle at night, " + ", ".join(f"detail{i}" for i in range(120)), "too long"),
])
def test_off_format_replies_are_rejected(raw, reason):
    with pytest.raises(RejectedReply) as exc:
        clean_reply(raw, Q)
    assert reason in exc.value.reason


@pytest.mark.parametrize("bad", ["", "   ", "x" * 501, "!!! ???", 42])
def test_empty_or_oversize_query_is_a_clear_input_error(bad):
    with pytest.raises(InputError):
        check_query(bad)
