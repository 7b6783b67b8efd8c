"""Prompt Expansion and upsampling on a fixed PartiPrompts sample: MMR selector vs plain sampling.

    HF_HUB_OFFLINE=1 python benchmarks/expansion.py --limit 24 [--n 4] [--seed 0]

For each prompt (an equal number per PartiPrompts category, drawn with a fixed seed) it runs
``expand(select="plain")`` (N independent samples of the same pipeline: one prefix, one
exemplar order; each sample its own LLM seed and flavour draw) and ``expand(select="mmr")`` (the default: a 2N candidate pool, mixed prefixes, varied
exemplars and flavours, MMR selection), and ``upsample``. It prints, per selector:

* diversity: mean pairwise cosine distance (1 - cos, MiniLM) of the N expansions of a prompt;
* alignment: mean cosine similarity query <-> expansion;
* seconds per expansion (wall time of the call / N; the LLM cache is off unless --cache);

and for upsampling the fact preservation rate (facts of the planning parser kept in the caption):
of the LLM's first reply, of its best reply after re-asks, and of the final caption (after the
deterministic repair). Goals: MMR diversity >= 1.3x plain at alignment no more than 5% lower;
upsampling keeps >= 98% of the facts. Last line: ``diversity=<x> alignment=<y>`` (MMR).
Skips cleanly (exit 0) when the PartiPrompts file is absent.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TSV = Path(os.environ.get("LIMNER_SHARED", ROOT.parent / "shared")) / \
    "benchmarks" / "partiprompts" / "PartiPrompts.tsv"


def sample_prompts(path: Path, limit: int, seed: int) -> list[tuple[str, str]]:
    """``limit`` (prompt, category) pairs, spread evenly over categories, fixed by ``seed``."""
    by_cat: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            p = " ".join((row.get("Prompt") or "").split())
            if p and len(p) <= 500:
                by_cat[row["Category"]].append(p)
    cats = sorted(by_cat)
    rng = random.Random(seed)
    pools = {c: rng.sample(by_cat[c], len(by_cat[c])) for c in cats}
    out: list[tuple[str, str]] = []
    i = 0
    while len(out) < limit and any(pools.values()):
        c = cats[i % len(cats)]
        if pools[c]:
            out.append((pools[c].pop(), c))
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tsv", type=Path, default=DEFAULT_TSV)
    ap.add_argument("--limit", type=int, default=24, help="prompts (spread over categories)")
    ap.add_argument("--n", type=int, default=4, help="expansions per prompt")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lams", default="", help="extra MMR trade-offs to report, e.g. 0.3,0.7,1.0 "
                    "(same pool: with --cache the LLM replies are reused, so they cost no LLM time)")
    ap.add_argument("--pool", type=int, default=None, help="MMR pool size (default 2N)")
    ap.add_argument("--no-upsample", action="store_true")
    ap.add_argument("--backend", default=None)
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--cache", action="store_true",
                    help="use the LLM disk cache (timings of calls already cached lie)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every expansion")
    args = ap.parse_args(argv)

    if not args.tsv.exists():
        print(f"skip: {args.tsv} not found (set LIMNER_SHARED or --tsv)")
        return 0

    sys.path.insert(0, str(ROOT / "src"))
    import numpy as np

    from limner.expand import expand, upsample
    from limner.expand.embed import embed
    from limner.expand.embed import diversity as div
    from limner.llm import get_llm

    llm = get_llm(args.backend, base_url=args.base_url, model=args.model,
                  cache=None if args.cache else False)
    prompts = sample_prompts(args.tsv, args.limit, args.seed)
    print(f"# {len(prompts)} PartiPrompts, N={args.n}, seed={args.seed}, llm={llm.describe()}",
          flush=True)
    embed(["warm-up"])
    from limner.expand.expander import LAMBDA

    extra = [float(x) for x in args.lams.split(",") if x.strip()]
    sels = ["plain", "mmr"] + [f"mmr@{lam:g}" for lam in extra]
    res: dict[str, dict[str, list[float]]] = {s: defaultdict(list) for s in sels}
    per_cat: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    facts = {"total": 0.0, "first": 0.0, "llm": 0.0, "final": 0.0, "repaired": 0.0, "secs": 0.0}
    for k, (q, cat) in enumerate(prompts):
        qv = embed([q])[0]
        for sel in sels:
            lam = float(sel.split("@")[1]) if "@" in sel else None
            t0 = time.perf_counter()
            out = expand(q, args.n, seed=args.seed, llm=llm, select=sel.split("@")[0], lam=lam,
                         pool=args.pool if sel != "plain" else None)
            dt = time.perf_counter() - t0
            vecs = embed([e.text for e in out])
            d, a = div(vecs), float(np.mean(vecs @ qv))
            res[sel]["diversity"].append(d)
            res[sel]["alignment"].append(a)
            res[sel]["secs"].append(dt / len(out))
            per_cat[cat][f"{sel}_div"].append(d)
            per_cat[cat][f"{sel}_align"].append(a)
            if args.verbose and "@" not in sel:
                for e in out:
                    print(f"   {sel:5s} [{e.prefix}] {e.text}")
        line = (f"[{k + 1}/{len(prompts)}] {cat:16s} plain div={res['plain']['diversity'][-1]:.3f} "
                f"align={res['plain']['alignment'][-1]:.3f} | mmr div={res['mmr']['diversity'][-1]:.3f} "
                f"align={res['mmr']['alignment'][-1]:.3f}")
        if not args.no_upsample:
            t0 = time.perf_counter()
            u = upsample(q, seed=args.seed, llm=llm)
            facts["secs"] += time.perf_counter() - t0
            s = u.scores
            facts["total"] += s["facts"]
            facts["first"] += s["facts_kept_first"]
            facts["llm"] += s["facts_kept_llm"]
            facts["final"] += s["fact_preservation"] * s["facts"]
            facts["repaired"] += s["repaired"]
            line += f" | upsample facts {s['facts_kept_llm']:.0f}/{s['facts']:.0f}"
            if args.verbose:
                print(f"   upsample: {u.text}")
        print(line, flush=True)

    print("\n# per category (diversity plain -> mmr)")
    for cat in sorted(per_cat):
        c = per_cat[cat]
        print(f"{cat:16s} {np.mean(c['plain_div']):.3f} -> {np.mean(c['mmr_div']):.3f}   "
              f"align {np.mean(c['plain_align']):.3f} -> {np.mean(c['mmr_align']):.3f}")
    m = {s: {k: float(np.mean(v)) for k, v in res[s].items()} for s in res}
    print(f"\n# selector (mmr = lambda {LAMBDA}; mmr@x reuse its pool)   diversity  alignment  s/expansion")
    for s in sels:
        secs = f"{m[s]['secs']:.2f}" if "@" not in s or not args.cache else "(cached pool)"
        print(f"{s:10s}   {m[s]['diversity']:.4f}     {m[s]['alignment']:.4f}     {secs}")
    ratio = m["mmr"]["diversity"] / max(m["plain"]["diversity"], 1e-9)
    drop = 1 - m["mmr"]["alignment"] / max(m["plain"]["alignment"], 1e-9)
    print(f"diversity ratio mmr/plain = {ratio:.2f} (goal >= 1.30: {'met' if ratio >= 1.3 else 'MISSED'}); "
          f"alignment drop = {100 * drop:.1f}% (goal <= 5%: {'met' if drop <= 0.05 else 'MISSED'})")
    if not args.no_upsample and facts["total"]:
        t = facts["total"]
        fin = facts["final"] / t
        print(f"upsampling fact preservation: first reply {facts['first'] / t:.3f}, best LLM reply "
              f"{facts['llm'] / t:.3f}, final {fin:.3f} (goal >= 0.98: {'met' if fin >= 0.98 else 'MISSED'}); "
              f"deterministic repair on {facts['repaired']:.0f}/{len(prompts)} prompts; "
              f"{facts['secs'] / len(prompts):.2f} s/upsample; {t:.0f} facts")
    print(f"diversity={m['mmr']['diversity']:.4f} alignment={m['mmr']['alignment']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
