"""Speed of the embedded world chain on this machine's CPU.

Prints, in one run (ratios are only meaningful within one run on a shared machine):

* ``load_s``            — cold load of the shipped world pipeline (``WorldPipeline.from_pretrained``);
* ``batch8_s``          — 8 images at the native 32×32 with a planned layout, default sampler and
                          steps, ``--threads`` torch threads (median of ``--repeats``; target ≤ 2 s on 2 cores);
* ``generate_s`` and ``plan_share`` — one ``limner.generate.generate`` call (plan → draw → PNG
                          records in a temp dir) per planner in ``--planners``, with the LLM cache off
                          so the LLM call is real; ``plan_share`` = planning time / whole call.

    python benchmarks/perf.py [--threads 2] [--repeats 3] [--planners rules,embedded]

The last line is ``batch8_s=<x> load_s=<y>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time

PROMPT = "three red circles above a blue square"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--planners", default="rules,embedded",
                    help="comma list of planners to time end to end ('' to skip)")
    args = ap.parse_args(argv)

    import torch

    from limner.image.embedded import EmbeddedBackend, load_pipeline
    from limner.plan import plan

    torch.set_num_threads(args.threads)
    t = time.perf_counter()
    load_pipeline.cache_clear()
    load_pipeline()
    load_s = time.perf_counter() - t
    print(f"load_s={load_s:.3f}", flush=True)

    layout = plan(PROMPT, planner="rules", seed=0).layout
    backend = EmbeddedBackend()
    backend.generate(PROMPT, seeds=[0], layout=layout)  # warm-up
    times = []
    for r in range(args.repeats):
        t = time.perf_counter()
        out = backend.generate(PROMPT, seeds=list(range(8 * r, 8 * r + 8)), layout=layout,
                               threads=args.threads)
        times.append(time.perf_counter() - t)
        assert len(out.images) == 8
    batch8 = statistics.median(times)
    print(f"batch8_s={batch8:.3f} (runs: {', '.join(f'{x:.3f}' for x in times)}; "
          f"steps={out.num_inference_steps}, threads={args.threads})", flush=True)

    from limner.generate import Hooks, generate, make_request, plan_jobs

    for planner in [p for p in args.planners.split(",") if p]:
        hooks = Hooks()
        if planner != "rules":
            from limner.llm import get_llm

            hooks.llm = get_llm(planner, cache=False)
        req = make_request(prompt=PROMPT, num_images=4, seed=0, planner=planner)
        if planner != "rules":  # load the LLM outside the timed call (model load is reported by doctor)
            t = time.perf_counter()
            plan_jobs(make_request(prompt="a red circle", planner=planner), hooks)
            print(f"planner={planner} llm_warmup_s={time.perf_counter() - t:.3f}", flush=True)
        t0 = time.perf_counter()
        plan_jobs(req, hooks)
        plan_s = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as d:
            t1 = time.perf_counter()
            generate(req, d, hooks=hooks)
            gen_s = time.perf_counter() - t1
        print(f"planner={planner} generate_s={gen_s:.3f} plan_s={plan_s:.3f} "
              f"plan_share={plan_s / gen_s:.3f} (4 images)", flush=True)

    print(f"batch8_s={batch8:.3f} load_s={load_s:.3f}")


if __name__ == "__main__":
    sys.exit(main())
