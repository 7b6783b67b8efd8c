"""DALL-E 3 upsampling: one short prompt becomes one descriptive caption that keeps every fact.

The LLM writes the caption (few-shot for base models, an instruction for chat models); the reply
goes through the same hygiene filter as expansions; then the request's facts (objects, counts,
colours, relations, excluded objects, background, quoted text — :mod:`.facts`) are checked.
Repair when a fact was dropped: ask again (new seed; chat models are told what to mention), and if
a fact is still missing, deterministically prepend the original prompt as the caption's first
sentence and drop caption sentences that contradict a count or colour of the request. The result
always keeps every parsed fact; ``scores`` says how many the LLM kept on its own and whether the
deterministic repair ran.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError
from ..schema import Expansion
from .expander import llm_source
from .facts import NUMBER_WORDS, Fact, extract_facts, missing_facts
from .filters import RejectedReply, check_query, clean_reply, stem, words

TEMPERATURE = 0.7
MAX_TOKENS = 72
ASKS = 3  # the first try and two re-asks


def _ask(llm: Any, prompt: str, seed: int, missing: list[Fact]) -> str:
    from .prompts import upsample_base_prompt, upsample_messages

    if getattr(llm, "kind", "chat") == "base":
        frame, stop = upsample_base_prompt(prompt, seed)
        raw = llm.complete(frame, seed=seed, temperature=TEMPERATURE, max_tokens=MAX_TOKENS,
                           stop=list(stop))
    else:
        raw = llm.chat(upsample_messages(prompt, [f.label for f in missing]), seed=seed,
                       temperature=TEMPERATURE, max_tokens=MAX_TOKENS * 2)
    # captions are sentences: keep the filter's hygiene, but only a quarter of the key words are
    # required here ("playing" may become "play"), because the fact check is the real test
    return clean_reply(raw, prompt, min_new_words=4, max_words=120, max_chars=900, keep_ratio=0.25)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def _contradicts(sentence: str, facts: list[Fact]) -> bool:
    """True if ``sentence`` gives a fact's noun a different count or colour word."""
    ws = words(sentence)
    for f in facts:
        if f.kind not in ("count", "color"):
            continue
        for i, w in enumerate(ws):
            if stem(w) != stem(f.noun):
                continue
            window = ws[max(0, i - 3):i]
            if f.kind == "count":
                wrong = [x for n, vals in NUMBER_WORDS.items() for x in vals
                         if x in window and x not in f.values and n > 1]
            else:
                wrong = [x for x in window if x in _COLOURS and x not in f.values]
            if wrong:
                return True
    return False


_COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black",
            "white", "gray", "grey", "violet", "cyan", "magenta", "beige", "gold", "silver",
            "teal", "navy", "maroon", "turquoise"}


def repair(prompt: str, caption: str, facts: list[Fact]) -> str:
    """Prepend the request's sentence; drop caption sentences that contradict its facts.

    A caption that kept less than half of the facts is about something else: it is dropped and
    the request is finished with retrieved lighting/camera flavours instead.
    """
    lead = prompt.strip().rstrip(".")
    lead = lead[:1].upper() + lead[1:] + "."
    if caption and len(missing_facts(facts, caption)) * 2 > len(facts):
        caption = ""
    if not caption:
        from .flavors import retrieve_flavors

        flv = retrieve_flavors(prompt, 1, kinds=("lighting",)) + \
            retrieve_flavors(prompt, 1, kinds=("camera",))
        return f"{lead} {', '.join(flv).capitalize()}." if flv else lead
    kept = [s for s in _sentences(caption) if not _contradicts(s, facts)]
    return " ".join([lead, *kept]).strip()


def upsample(prompt: str, *, seed: int = 0, llm: Any = None, parser=None,
             progress=None) -> Expansion:
    """One descriptive caption for ``prompt`` that keeps every parsed fact (see module doc)."""
    p = check_query(prompt, "prompt")
    if not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    if llm is None:
        from ..llm import get_llm

        llm = get_llm()
    facts = extract_facts(p, parser)
    best: tuple[int, str] | None = None  # (facts missing, caption)
    first_kept: int | None = None
    asks = 0
    rejected: list[str] = []
    missing: list[Fact] = []
    for attempt in range(ASKS):
        asks += 1
        if progress:
            progress(f"upsampling (try {attempt + 1}/{ASKS})")
        try:
            cap = _ask(llm, p, seed + 7919 * attempt, missing)
        except RejectedReply as exc:
            rejected.append(exc.reason)
            continue
        missing = missing_facts(facts, cap)
        if first_kept is None:
            first_kept = len(facts) - len(missing)
        if best is None or len(missing) < best[0]:
            best = (len(missing), cap)
        if not missing:
            break
    repaired = False
    if best is None:  # every reply was off-format: the caption is the request plus nothing invented
        caption, repaired = repair(p, "", facts), True
    elif best[0] > 0:
        caption, repaired = repair(p, best[1], facts), True
    else:
        caption = best[1]
    final_missing = missing_facts(facts, caption)
    total = len(facts)
    scores = {
        "facts": float(total),
        "facts_kept_first": float(first_kept if first_kept is not None else 0),
        "facts_kept_llm": float(total - best[0]) if best is not None else 0.0,
        "fact_preservation": round((total - len(final_missing)) / total, 4) if total else 1.0,
        "asks": float(asks),
        "repaired": float(repaired),
        "rejected": float(len(rejected)),
    }
    return Expansion(text=caption, query=p, prefix=None, flavors=[], step=1, scores=scores,
                     source=f"{llm_source(llm)}; upsample")
