"""DALL-E 3 upsampling: one short prompt becomes one descriptive caption that keeps every fact.

The LLM writes the caption (few-shot for base models, an instruction for chat models); the reply
goes through the same hygiene filter as expansions; then the request's facts (objects, counts,
colours, relations, excluded objects, background, quoted text — :mod:`.facts`) are checked.
Repair when a fact was dropped: ask again (new seed; chat models are told what to mention), and if
a fact is still missing, deterministically prepend the original prompt as the caption's first
sentence and drop caption sentences that contradict a count or colour of the request.
Beyond countable facts, :mod:`.guard` checks what the request states about medium, style, time of
day, season, lighting, framing and viewpoint, its verb/preposition relations, and that no new main
subject is added: a clause that contradicts one of them is removed (and recorded), a reply with
violations is re-asked like one with a missing fact. The result always keeps every parsed fact;
``scores`` says how many the LLM kept on its own, how many violations its first reply had and how
many clauses were removed; :func:`upsample_report` also returns the removed clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..schema import Expansion
from . import guard as G
from .expander import llm_source
from .guard import Finding
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


def _contradicts(sentence: str, facts: list[Fact]) -> bool:  # noqa: C901
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


def _lead(prompt: str) -> str:
    lead = prompt.strip().rstrip(".")
    return lead[:1].upper() + lead[1:] + "."


def repair(prompt: str, caption: str, facts: list[Fact]) -> str:
    """Prepend the request's sentence; drop caption sentences that contradict its facts.

    A caption that kept less than half of the facts is about something else: it is dropped and
    the request is finished with retrieved lighting/camera flavours instead.
    """
    lead = _lead(prompt)
    if caption and len(missing_facts(facts, caption)) * 2 > len(facts):
        caption = ""
    if not caption:
        from .flavors import retrieve_flavors

        flv = retrieve_flavors(prompt, 1, kinds=("lighting",)) + \
            retrieve_flavors(prompt, 1, kinds=("camera",))
        return f"{lead} {', '.join(flv).capitalize()}." if flv else lead
    kept = [s for s in _sentences(caption) if not _contradicts(s, facts)]
    return " ".join([lead, *kept]).strip()


@dataclass
class UpsampleReport:
    """An upsampling with its history: the LLM's own first caption, and what the guard removed."""

    expansion: Expansion
    first_reply: str  # the LLM's first usable caption, before any check ("" if none was usable)
    removed: list[Finding] = field(default_factory=list)
    findings_first: list[Finding] = field(default_factory=list)  # violations in the first reply


def upsample(prompt: str, *, seed: int = 0, llm: Any = None, parser=None,
             progress=None, guard: bool = True) -> Expansion:
    """One descriptive caption for ``prompt`` that keeps every parsed fact (see module doc)."""
    return upsample_report(prompt, seed=seed, llm=llm, parser=parser, progress=progress,
                           guard=guard).expansion


def upsample_report(prompt: str, *, seed: int = 0, llm: Any = None, parser=None,
                    progress=None, guard: bool = True) -> UpsampleReport:
    """:func:`upsample` plus what it removed. ``guard=False`` is the old checker (countable facts
    only, no attribute/relation/new-subject check), kept for the benchmark's before/after."""
    p = check_query(prompt, "prompt")
    if not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    if llm is None:
        from ..llm import get_llm

        llm = get_llm()
    facts = extract_facts(p, parser)
    if not guard:
        facts = [f for f in facts if f.kind not in ("attribute", "action")]
    req = G.read_request(p) if guard else None
    best: tuple[int, int, str, list[Finding]] | None = None  # (missing, findings, caption, removed)
    first_kept: int | None = None
    first_reply, findings_first = "", []
    asks = 0
    rejected: list[str] = []
    missing: list[Fact] = []
    for attempt in range(ASKS):
        asks += 1
        if progress:
            progress(f"upsampling (try {attempt + 1}/{ASKS})")
        try:
            raw = _ask(llm, p, seed + 7919 * attempt, missing)
        except RejectedReply as exc:
            rejected.append(exc.reason)
            continue
        cap, found = G.clean(req, raw) if req is not None else (raw, [])
        if first_kept is None:
            first_reply, findings_first = raw, found
            first_kept = len(facts) - len(missing_facts(facts, raw))
        missing = missing_facts(facts, cap)
        if best is None or (len(missing), len(found)) < best[:2]:
            best = (len(missing), len(found), cap, found)
        if not missing and not found:
            break
        if progress and found:
            progress("removed: " + "; ".join(f.what for f in found))
    repaired = False
    removed: list[Finding] = []
    if best is None:  # every reply was off-format: the caption is the request plus nothing invented
        caption, repaired = repair(p, "", facts), True
    else:
        caption, removed = best[2], list(best[3])
        if best[0] > 0 or not caption.strip():
            caption, repaired = repair(p, caption, facts), True
    if req is not None:  # the lead sentence is the request itself: nothing in it is removed
        lead = _lead(p) if repaired else ""
        caption, more = G.clean(req, caption, protect=lead)
        removed += more
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
        "removed": float(len(removed)),
        "violations_first": float(len(findings_first)),
    }
    e = Expansion(text=caption, query=p, prefix=None, flavors=[], step=1, scores=scores,
                  source=f"{llm_source(llm)}; upsample")
    return UpsampleReport(e, first_reply, removed, findings_first)
