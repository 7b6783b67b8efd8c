"""Prompt Expansion: a query becomes a *set* of N diverse, aligned, detailed prompts.

Diversity by construction: a candidate pool is written (prefixes cycled, exemplar orders and
seeds varied, flavours drawn with per-candidate noise), bad replies are filtered out, and N are
chosen by maximal marginal relevance over MiniLM embeddings (alignment to the query vs. similarity
to what is already chosen). ``select="plain"`` is the naive baseline kept for the benchmark: N
independent samples with one prefix and one exemplar order (each its own seed and flavour draw).

Base models continue a forced prefix (the query itself), so they spend tokens only on new detail
and can never drop the query's words; chat models rewrite it and pass the key-word filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InputError, LLMError
from ..schema import Expansion
from . import guard as G
from . import prefixes as P
from .filters import RejectedReply, check_query, clean_reply
from .flavors import retrieve_flavors

MAX_N = 16
MAX_STEPS = 5
TEMPERATURE = 0.9
MAX_TOKENS = 48
# MMR trade-off. benchmarks/expansion.py --limit 16 --lams 0.2,0.3,0.4 (one run, same pools):
# lambda 0.5 -> diversity 1.26x plain sampling, 0.3 -> 1.40x, alignment still 3% above plain
# (pool 2N, --seed 0 sample); a --seed 1 sample gave 1.22x at 2N, 1.32x at 3N (one frame per candidate then; see below).
LAMBDA = 0.3
FLAVOR_SOURCE = "flavors:clip-interrogator-subset"

Progress = Callable[[str], None]


def llm_source(llm: Any) -> str:
    d = llm.describe() if hasattr(llm, "describe") else {}
    return f"{d.get('backend', getattr(llm, 'id', 'llm'))}:{d.get('model', '')}".rstrip(":")


def compose(body: str, flavors: list[str]) -> str:
    body = body.rstrip(" ,.;")
    return ", ".join([body, *flavors]) if flavors else body


def _present(text: str) -> set[str]:
    return {t.strip().lower() for t in text.split(",")}


def add_flavors(body: str, prefix: str, *, seed: int | None, query_for_retrieval: str,
                req: Any = None) -> tuple[str, list[str]]:
    """``body`` plus the flavours ``prefix`` calls for (FLAVOR_PLAN), none repeated; with ``req``
    (a :class:`.guard.Request`) no flavour that contradicts the request or ``body``."""
    from .embed import embed

    q_vec = embed([query_for_retrieval])[0]
    used = _present(body)
    flv: list[str] = []
    for j, (kinds, k) in enumerate(P.FLAVOR_PLAN[prefix]):
        ctx = compose(body, flv)
        reject = None if req is None else (lambda f, ctx=ctx: G.rejects_flavor(req, ctx, f))
        got = retrieve_flavors(ctx, k, kinds=kinds, exclude=used | set(flv),
                               seed=None if seed is None else seed * 31 + j, query_vec=q_vec,
                               reject=reject)
        flv += [f for f in got if f not in flv]
    return compose(body, flv), flv


def llm_write(llm: Any, prefix: str, text: str, seed: int, *, vary: bool = True,
              temperature: float = TEMPERATURE, max_tokens: int = MAX_TOKENS) -> str:
    """One LLM expansion of ``text`` for ``prefix``, cleaned; raises RejectedReply or LLMError."""
    from .prompts import base_prompt, chat_messages

    long_src = len(text.split()) > 12
    keep = 0.8 if long_src else 1.0
    if getattr(llm, "kind", "chat") == "base":
        frame, stop = base_prompt(prefix, text, seed if vary else 0)
        frame = f"{frame} {text}"  # forced prefix: the model continues after the query
        raw = llm.complete(frame, seed=seed, temperature=temperature, max_tokens=max_tokens,
                           stop=list(stop))
        cont = raw.split("\n", 1)[0]
        if not cont.strip():
            raise RejectedReply("empty continuation", raw)
        joiner = "" if cont[:1] in {",", ".", ";", " "} else " "
        return clean_reply(f"{text}{joiner}{cont}", text, max_words=90 + len(text.split()) // 2,
                           keep_ratio=keep)
    raw = llm.chat(chat_messages(prefix, text), seed=seed, temperature=temperature,
                   max_tokens=max_tokens * 2)
    return clean_reply(raw, text, keep_ratio=keep)


def _flavor_candidate(q: str, prefix: str, seed: int | None, req: Any = None) -> tuple[str, list[str]]:
    return add_flavors(q, prefix, seed=seed, query_for_retrieval=q, req=req)


def candidate_pool(q: str, prefixes: list[str], size: int, seed: int, llm: Any, *,
                   vary: bool = True, progress: Progress | None = None,
                   notes: list[str] | None = None, req: Any = None) -> list[dict[str, Any]]:
    """Write ``size`` candidates for ``q`` cycling ``prefixes``; rejected replies are dropped.

    Every candidate gets its own sampling seed and flavour draw; ``vary`` also varies the
    few-shot exemplars (subset and order) per candidate (off for the plain baseline). With ``req``
    (:func:`.guard.read_request`), clauses of the LLM's text that contradict the request or add a
    new main subject are removed (noted) and no contradicting flavour is added.
    """
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i in range(size):
        prefix = prefixes[i % len(prefixes)]
        s = seed * 1009 + i
        if progress:
            progress(f"candidate {i + 1}/{size} ({prefix})")
        if prefix in P.FLAVOR_ONLY:
            text, flv = _flavor_candidate(q, prefix, s, req)
            src = FLAVOR_SOURCE
        else:
            body = None
            for attempt in range(2):  # one re-ask with another seed after a rejected reply
                try:
                    body = llm_write(llm, prefix, q, s + 7919 * attempt, vary=vary)
                    break
                except RejectedReply as exc:
                    if notes is not None:
                        notes.append(f"rejected {prefix} reply: {exc.reason}")
                    if progress:
                        progress(f"rejected a {prefix} reply ({exc.reason}); asking again")
            if body is None:
                continue
            if req is not None:
                body, found = G.clean(req, body, protect=q if body.startswith(q) else "")
                if notes is not None:
                    notes += [f"removed ({f.what}): {f.removed}" for f in found]
            text, flv = add_flavors(body, prefix, seed=s, query_for_retrieval=q, req=req)
            src = llm_source(llm)
        key = re.sub(r"\W+", " ", text.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        out.append({"text": text, "prefix": prefix, "flavors": flv, "source": src})
    return out


def _score(q_vec: np.ndarray, vecs: np.ndarray, chosen: list[int]) -> list[dict[str, float]]:
    sel = vecs[chosen]
    align = sel @ q_vec
    sim = sel @ sel.T
    scores = []
    for j in range(len(chosen)):
        others = [sim[j, k] for k in range(len(chosen)) if k != j]
        scores.append({
            "alignment": round(float(align[j]), 4),
            "diversity": round(float(1 - np.mean(others)) if others else 0.0, 4),
            "novelty": round(float(1 - max(others)) if others else 1.0, 4),
        })
    return scores


def expand_once(q: str, n: int, *, prefix: str | None, seed: int, llm: Any, pool: int | None,
                select: str = "mmr", lam: float | None = None, step: int = 1,
                original: str | None = None, progress: Progress | None = None,
                guard: bool = True) -> list[Expansion]:
    from .embed import embed
    from .mmr import mmr_select

    original = original or q
    if select not in ("mmr", "plain"):
        raise InputError(f"unknown selector {select!r}; use 'mmr' or 'plain'")
    primary = prefix or P.choose_prefix(q)
    notes: list[str] = []
    if select == "plain":
        cycle, size, vary = [primary], n, False
    else:
        cycle = [primary] if prefix else P.pool_prefixes(primary)
        # 2N: with the shared few-shot frames, benchmarks/expansion.py --limit 16 gave MMR/plain
        # diversity 1.50x at 2N vs 1.57x at 3N (alignment 0.807 / 0.808) at 0.96 vs 1.78 s per
        # expansion; before the frames were shared, 2N gave 1.22x on a held-out sample
        size = pool if pool is not None else (4 * n if primary == "RFT" else 2 * n)
        vary = True
    size = max(int(size), n)
    needs_llm = any(p not in P.FLAVOR_ONLY for p in cycle)
    if needs_llm and llm is None:
        from ..llm import get_llm

        llm = get_llm()
    req = G.read_request(original) if guard else None
    cands = candidate_pool(q, cycle, size, seed, llm, vary=vary, progress=progress, notes=notes,
                           req=req)
    topup = 0
    while len(cands) < n and topup < 4 * n:  # the LLM failed too often: fill with flavour-only
        text, flv = _flavor_candidate(q, "FLV", seed * 1009 + 5000 + topup, req)
        topup += 1
        if all(c["text"] != text for c in cands):
            cands.append({"text": text, "prefix": "FLV", "flavors": flv, "source": FLAVOR_SOURCE})
    if not cands:
        raise LLMError("no usable expansion could be written for this query")
    q_vec = embed([original])[0]
    vecs = embed([c["text"] for c in cands])
    if select == "plain":
        chosen = list(range(min(n, len(cands))))
    else:
        lam = (0.8 if primary == "RFT" else LAMBDA) if lam is None else lam
        chosen = mmr_select(q_vec, vecs, n, lam=lam)
    out = []
    for c, sc in zip([cands[i] for i in chosen], _score(q_vec, vecs, chosen)):
        sc["pool"] = float(len(cands))
        out.append(Expansion(text=c["text"], query=q, prefix=c["prefix"], flavors=c["flavors"],
                             step=step, scores=sc, source=c["source"]))
    return out


def expand(query: str, n: int = 4, *, prefix: str | None = None, steps: int = 1, seed: int = 0,
           llm: Any = None, pool: int | None = None, from_text: str | None = None,
           select: str = "mmr", lam: float | None = None,
           progress: Progress | None = None, guard: bool = True) -> list[Expansion]:
    """Expand ``query`` into ``n`` diverse prompts (see the module docstring).

    ``prefix``: one of :data:`PREFIXES` (any case) or None for the automatic choice per query.
    ``steps``: multi-step expansion (MSTP): after each step the best expansion (the first MMR
    pick, i.e. the most aligned) is expanded again; the last step's ``n`` expansions are returned,
    each with ``step`` set and ``query`` = the prompt it was expanded from. ``pool``: candidates
    written per step (default 2n, 4n for RFT). ``seed``: same seed and inputs, same output.
    ``from_text``: an expansion the user chose; it is expanded again (MSTP) as step 2, and
    alignment is still measured against ``query``. ``select``: "mmr" (default) or "plain" (N
    independent samples, the benchmark's baseline); ``lam``: the MMR trade-off. ``guard``: remove
    what contradicts the request (medium, style, time, relations, new subjects; :mod:`.guard`);
    ``False`` is the unchecked expander, kept for the benchmark's before/after.
    """
    q = check_query(query)
    parent = check_query(from_text, "--from text") if from_text is not None else None
    if not isinstance(n, int) or not 1 <= n <= MAX_N:
        raise InputError(f"n must be an integer from 1 to {MAX_N}, got {n!r}")
    if not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise InputError(f"steps must be an integer from 1 to {MAX_STEPS}, got {steps!r}")
    if pool is not None and not 1 <= int(pool) <= 64:
        raise InputError(f"pool must be from 1 to 64, got {pool!r}")
    p = P.normalize(prefix)
    current, result, first = (parent, [], 2) if parent else (q, [], 1)
    for step in range(first, first + steps):
        step_prefix = p if step == 1 or p in P.FLAVOR_ONLY else "MSTP"
        result = expand_once(current, n, prefix=step_prefix, seed=seed + 101 * (step - 1), llm=llm,
                             pool=pool, select=select, lam=lam, step=step, original=q,
                             progress=progress, guard=guard)
        current = result[0].text
    return result
