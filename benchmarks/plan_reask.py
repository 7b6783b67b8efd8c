"""Does asking the LLM planner again help? Re-asks made and re-asks kept, per LLM backend.

When an LLM's layout fails verification, the planner can ask it once more with the problems
("object 0 is too small; cat should be left of dog") and keeps the new reply only if it has fewer
problems. Each re-ask costs a whole LLM call (≈1 s on the embedded model). A backend declares how
often it is worth doing (``plan_repair_rounds``); this measures it with one re-ask forced.

Requests: the request reader's development sets (``benchmarks/data/requests/hand.jsonl`` and
``generated.jsonl``, phrased by hand and by other templates), each with " in a glorpy mood"
appended so that the reader is unsure and the LLM plans (a fully understood request never reaches
the embedded LLM).

    python benchmarks/plan_reask.py                 # the embedded model, 30 LLM plans
    python benchmarks/plan_reask.py --planner openai --base-url http://127.0.0.1:8080/v1
Last line: ``plan_reask_kept=<re-asks whose reply was kept>/<re-asks>``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--planner", default="embedded")
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--n", type=int, default=30, help="LLM plans to make")
    args = ap.parse_args(argv)

    from read_eval import DATA, load

    from limner.plan import plan

    rows = load("all", [DATA / "hand.jsonl", DATA / "generated.jsonl"])  # the reader benchmark's loader
    n = asked = kept = 0
    t0 = time.perf_counter()
    for r in rows:
        res = plan(r["prompt"] + " in a glorpy mood", planner=args.planner, base_url=args.base_url,
                   model=args.model, llm_repair_rounds=1)
        if res.plan_path == "rules" or res.source == "rules":
            continue
        n += 1
        for rep in res.repairs:
            if rep.kind == "reask":
                asked += 1
                kept += "no better" not in rep.message
        if n >= args.n:
            break
    print(f"{args.planner}: {n} LLM plans, {asked} re-asks, {kept} kept, {time.perf_counter() - t0:.0f} s")
    print(f"plan_reask_kept={kept}/{asked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
