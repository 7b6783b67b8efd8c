"""LLM speed on the embedded Gemma-3-270M: free vs constrained decoding, plan and expand latency.

All arms run in one process on one loaded model, so the numbers are comparable as ratios even on a
busy machine (absolute times are not: the development machines are 2 shared cores).

1. Tokens/s (decode only, greedy) for three task schemas, each on its task's own few-shot prompt:
   plan (``limner.plan.planner.LLMLayout`` + the planner's FEW_SHOT), edit-data
   (``limner.edit.data.EditProposal`` + ``few_shot_prompt``), expansion (``limner.schema.Expansion``
   fields ``query``/``text`` with a JSON frame of ``limner.expand.prompts.EXEMPLARS``). Arms:
   ``free`` (no grammar), ``lazy`` (limner's token-level lazy grammar), run free-lazy-lazy-free
   so that a drift in machine load hits both alike, and ``grammar_first`` (llama-cpp-python's
   ``create_completion(grammar=...)``, the previous path).
2. Seconds per embedded plan of a 3-object request with a cold reply cache: ``old`` path
   (llama-cpp-python grammar-first, no prefix state), ``new`` with a cold prefix-state cache, and
   ``new`` with the prefix state on disk (what a second CLI run sees).
3. Seconds per ``expand -n 4``: few-shot frames shared across candidates (cold, then with their
   prefix states on disk), one frame per candidate (limner before), and the old path.

Requests below were written for this benchmark by hand, not taken from the prompts' examples.

    python benchmarks/llm_speed.py            # full run (~5 min on 2 busy cores)
    python benchmarks/llm_speed.py --quick    # one request per task
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PLAN_REQUESTS = ["a yellow star above a purple square and a small green circle",
                 "three red balls next to a blue box"]
EXPAND_QUERIES = ["a lighthouse on a cliff at dusk", "an old man reading in a library"]
EDIT_CAPTIONS = ["a red circle and a blue square on a white background",
                 "two green triangles on grass"]
PLAN_3 = "a red cube left of a blue ball and a green cone"
# the same request with a word the reader does not know: it goes to the LLM planner (a fully
# understood request is laid out by the rules engine and never reaches the LLM)
PLAN_3_LLM = "a red cube left of a blue ball and a green cone in a glorpy mood"


def tasks(quick: bool):
    from limner.edit.data import EditProposal, few_shot_prompt
    from limner.expand.prompts import EXEMPLARS
    from limner.plan.planner import FEW_SHOT, LLMLayout

    n = 1 if quick else 2
    expansion_schema = {"type": "object", "properties": {"query": {"type": "string"},
                                                         "text": {"type": "string"}},
                        "required": ["query", "text"]}
    frame = "Each short query is expanded into a detailed image prompt, as JSON.\n\n" + "".join(
        f"Query: {q}\nJSON: {json.dumps({'query': q, 'text': e})}\n\n"
        for q, e in list(EXEMPLARS["DTL"])[:4])
    return {
        "plan": (LLMLayout.model_json_schema(),
                 [FEW_SHOT + f"Request: {r}\nLayout:" for r in PLAN_REQUESTS[:n]], ["\n"], 120),
        "expansion": (expansion_schema,
                      [frame + f"Query: {q}\nJSON:" for q in EXPAND_QUERIES[:n]],
                      ["\n"], 80),
        "edit_data": (EditProposal.model_json_schema(),
                      [few_shot_prompt(c, "recolor") for c in EDIT_CAPTIONS[:n]], ["\n\n"], 80),
    }


def decode_rates(model, schema, prompts, stop, max_tokens):
    from limner.llm.decode import DecodeStats, complete
    from limner.llm.llamacpp import gbnf_for, llama_grammar_for

    gbnf = gbnf_for(schema)
    rates = {"free": [], "lazy": [], "grammar_first": []}
    extra = {"full_masks": 0, "tokens": 0}
    for prompt in prompts:
        tokens = {"free": 0, "lazy": 0}
        seconds = {"free": 0.0, "lazy": 0.0}
        for arm in ("free", "lazy", "lazy", "free"):  # ABBA: a load drift hits both arms alike
            st = DecodeStats()
            complete(model, prompt, max_tokens=max_tokens, stop=stop,
                     gbnf=gbnf if arm == "lazy" else None, stats=st)
            tokens[arm] += st.completion_tokens
            seconds[arm] += st.decode_s
            if arm == "lazy":
                extra["full_masks"] += st.grammar_full_masks
                extra["tokens"] += st.completion_tokens
        for arm in ("free", "lazy"):
            rates[arm].append(tokens[arm] / max(seconds[arm], 1e-9))
        complete(model, prompt, max_tokens=1, stop=stop)  # prompt in the KV cache for the next arm
        t0 = time.perf_counter()
        out = model.create_completion(prompt, max_tokens=max_tokens, temperature=0.0, stop=stop,
                                      grammar=llama_grammar_for(schema))
        dt = time.perf_counter() - t0
        rates["grammar_first"].append(out["usage"]["completion_tokens"] / dt)
    return {k: statistics.median(v) for k, v in rates.items()}, extra


def cold(model):
    """Forget every prompt state this process holds (context and in-memory prefix states)."""
    from limner.llm.llamacpp import forget_prompt_states

    forget_prompt_states(model)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="one request per task")
    args = ap.parse_args()

    from limner.config import Settings
    from limner.expand import expand
    from limner.llm import get_llm
    from limner.plan import plan

    settings = Settings(llm_cache=False)
    state = Path(tempfile.mkdtemp(prefix="limner-llm-state-"))
    new = get_llm("embedded", settings=settings, cache=False, state_dir=state)
    old = get_llm("embedded", settings=settings, cache=False, lazy_grammar=False, prefix_cache=False)
    t0 = time.perf_counter()
    model = new.llama()
    load_s = time.perf_counter() - t0
    from limner.llm.llamacpp import _use_threads

    _use_threads(model, new.n_threads)  # the decode-rate arms call the model directly: same threads
    print(f"model load: {load_s:.2f} s (threads={model._limner_threads}, "
          f"{'auto: the idle cores' if not new.n_threads else 'fixed'})")

    ratios = {}
    all_tasks = tasks(args.quick)
    print(f"{'task':<10} {'free tok/s':>10} {'lazy tok/s':>10} {'grammar-first':>14} "
          f"{'lazy/free':>9} {'first/free':>10} {'full masks/token':>16}")
    for name, (schema, prompts, stop, max_tokens) in all_tasks.items():
        r, extra = decode_rates(model, schema, prompts, stop, max_tokens)
        ratios[name] = r["lazy"] / r["free"]
        print(f"{name:<10} {r['free']:>10.1f} {r['lazy']:>10.1f} {r['grammar_first']:>14.1f} "
              f"{r['lazy'] / r['free']:>9.2f} {r['grammar_first'] / r['free']:>10.2f} "
              f"{extra['full_masks'] / max(extra['tokens'], 1):>16.3f}")

    times = {}
    t0 = time.perf_counter()
    res = plan(PLAN_3, planner="embedded", llm=new, cache=False)
    times["default_path"] = time.perf_counter() - t0
    print(f"plan [default path, fully understood]: {times['default_path']:.3f} s, "
          f"{len(res.layout.objects)} objects, path={res.plan_path}")
    for arm, llm in (("old", old), ("new_cold", new), ("new_disk_state", new)):
        cold(model)
        t0 = time.perf_counter()
        res = plan(PLAN_3_LLM, planner="embedded", llm=llm, cache=False)
        times[arm] = time.perf_counter() - t0
        print(f"plan [{arm}]: {times[arm]:.2f} s, {len(res.layout.objects)} objects, "
              f"source={res.source}, path={res.plan_path}")
    expand("a cat", n=1, llm=new)  # loads the sentence embedder once, outside the timings
    from limner.expand import prompts as expand_prompts

    shared = expand_prompts.FRAME_VARIANTS
    arms = (("shared_frames_cold", new, shared), ("shared_frames_disk_state", new, shared),
            ("per_candidate_frames", new, 1 << 30), ("old", old, 1 << 30))
    for arm, llm, variants in arms:
        # per_candidate_frames: a new exemplar order for every candidate (limner before the frames
        # were shared); old: that, without prefix states or the lazy grammar
        expand_prompts.FRAME_VARIANTS = variants
        cold(model)
        t0 = time.perf_counter()
        out = expand(EXPAND_QUERIES[0], n=4, llm=llm, seed=1)
        times[f"expand_{arm}"] = time.perf_counter() - t0
        print(f"expand -n 4 [{arm}]: {times[f'expand_{arm}']:.2f} s, {len(out)} prompts")
    expand_prompts.FRAME_VARIANTS = shared

    print("ratios (constrained / free tok/s): " + ", ".join(f"{k}={v:.2f}" for k, v in ratios.items()))
    print(f"plan_seconds_default_path={times['default_path']:.3f} plan_seconds_new_cold={times['new_cold']:.2f} plan_seconds_new_disk_state="
          f"{times['new_disk_state']:.2f} plan_seconds_old={times['old']:.2f} "
          f"expand4_seconds_shared_cold={times['expand_shared_frames_cold']:.2f} "
          f"expand4_seconds_shared_disk_state={times['expand_shared_frames_disk_state']:.2f} "
          f"expand4_seconds_per_candidate={times['expand_per_candidate_frames']:.2f} "
          f"expand4_seconds_old={times['expand_old']:.2f}")
    print(f"llm_speed_constrained_over_free_min={min(ratios.values()):.2f}")


if __name__ == "__main__":
    sys.exit(main())
