"""Layout accuracy on GenEval prompts: does the *plan* satisfy GenEval's checks?

Each layout is scored as if its boxes were GenEval's detections (evaluation/evaluate_images.py):
for every ``include`` entry, at least ``count`` objects of the class (colour must match when
given; an object of the class counts once), each in the required ``position`` relative to every
object of the target group (GenEval's centre-offset rule, threshold 0.1); for every ``exclude``
entry, fewer than ``count`` objects of the class. Accuracy per tag and overall (mean of the tag
accuracies, as GenEval reports), for the LLM's own plan ("LLM-only") and after verification and
repair ("LLM+repair"), plus seconds per prompt.

    python benchmarks/layout_accuracy.py --limit 100                # embedded LLM planner
    python benchmarks/layout_accuracy.py --planner rules            # no LLM
    python benchmarks/layout_accuracy.py --prompts my.jsonl --limit 20

With ``--limit N`` the N prompts are spread evenly over the file (GenEval's file is sorted by tag).
The last line is ``layout_accuracy=<overall after repair>``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "geneval" / "evaluation_metadata.jsonl"


def geneval_correct(layout, meta: dict) -> bool:
    """GenEval's evaluate() applied to a layout (objects stand in for detections)."""
    from limner.plan.verify import norm_name, spatial_relations

    by_class: dict[str, list] = {}
    for o in layout.objects:
        by_class.setdefault(norm_name(o.name), []).append(o)
    W, H = layout.width, layout.height
    groups: list[list | None] = []
    correct = True
    for req in meta.get("include", []):
        cls = norm_name(req["class"])
        objs = by_class.get(cls, [])
        if "color" in req:  # prefer the right colour among the candidates, as a fair detector order
            objs = sorted(objs, key=lambda o: (o.color or "") != req["color"])
        found = objs[: req["count"]]
        ok = len(found) >= req["count"]
        if ok and "color" in req:
            ok = sum((o.color or "") == req["color"] for o in found) >= req["count"]
        if ok and "position" in req:
            rel, target = req["position"]
            tgt = groups[target] if target < len(groups) else None
            ok = tgt is not None and all(rel in spatial_relations(a.box, b.box, W, H) for a in found for b in tgt)
        correct = correct and ok
        groups.append(found if ok else None)
    for req in meta.get("exclude", []):
        if len(by_class.get(norm_name(req["class"]), [])) >= req["count"]:
            correct = False
    return correct


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prompts", type=Path, default=None, help="GenEval-format metadata (.jsonl)")
    ap.add_argument("--limit", type=int, default=None, help="N prompts, spread evenly over the file")
    ap.add_argument("--planner", default="embedded", help="rules | embedded | openai | llamacpp")
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=1, help="LLM re-asks with the violations (0 = rules repair only)")
    ap.add_argument("--cache", action="store_true", help="use the LLM disk cache (default off: honest timing)")
    ap.add_argument("--verbose", action="store_true", help="print each failing prompt")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)

    path = args.prompts or DEFAULT
    if not path.exists():
        if args.prompts is None:
            print(f"skipped: GenEval metadata not found at {path} (give --prompts FILE.jsonl)")
            print("layout_accuracy=skipped")
            return 0
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.limit and args.limit < len(rows):
        rows = [rows[i * len(rows) // args.limit] for i in range(args.limit)]

    from limner.errors import LimnerError, MissingExtraError
    from limner.plan import plan

    llm = None
    if args.planner != "rules":
        try:
            from limner.llm import get_llm

            llm = get_llm(args.planner, base_url=args.base_url, model=args.model,
                          cache=None if args.cache else False)
            t = time.perf_counter()
            plan("a red circle", llm=llm, seed=args.seed)  # load the model outside the timing
            print(f"planner: {args.planner} ({getattr(llm, 'model', '')}); model load + first plan "
                  f"{time.perf_counter() - t:.1f} s")
        except (MissingExtraError, ImportError) as exc:
            print(f"the {args.planner} LLM is not available ({exc}); benchmarking the rules planner")
            args.planner, llm = "rules", None
    if llm is None:
        print("planner: rules (no LLM)")

    stats: dict[str, dict[str, list]] = {}
    times: list[float] = []
    from tqdm import tqdm

    for row in tqdm(rows, desc="planning", unit="prompt", file=sys.stderr, disable=args.quiet):
        tag = row.get("tag", "all")
        st = stats.setdefault(tag, {"llm": [], "final": []})
        try:
            res = plan(row["prompt"], planner="rules" if llm is None else args.planner, llm=llm,
                       seed=args.seed, llm_repair_rounds=args.rounds)
        except LimnerError as exc:
            print(f"  error on {row['prompt']!r}: {exc}")
            st["llm"].append(False)
            st["final"].append(False)
            continue
        times.append(res.seconds)
        final = geneval_correct(res.layout, row)
        first = geneval_correct(res.llm_layout, row) if res.llm_layout is not None else False
        st["llm"].append(first)
        st["final"].append(final)
        if args.verbose and not final:
            print(f"  FAIL {row['prompt']!r}: {[(o.name, o.color) for o in res.layout.objects]}")

    def acc(xs: list) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    llm_name = "LLM-only" if llm is not None else "LLM-only (n/a)"
    print(f"{'tag':<14}{'n':>5}{llm_name:>16}{'after repair':>14}")
    for tag, st in stats.items():
        first = f"{acc(st['llm']):.3f}" if llm is not None else "-"
        print(f"{tag:<14}{len(st['final']):>5}{first:>16}{acc(st['final']):>14.3f}")
    overall = statistics.mean(acc(st["final"]) for st in stats.values()) if stats else 0.0
    overall_llm = statistics.mean(acc(st["llm"]) for st in stats.values()) if stats else 0.0
    n = sum(len(st["final"]) for st in stats.values())
    print(f"{'overall':<14}{n:>5}{(f'{overall_llm:.3f}' if llm is not None else '-'):>16}{overall:>14.3f}")
    if times:
        print(f"seconds per prompt: mean {statistics.mean(times):.3f}, median {statistics.median(times):.3f}, "
              f"max {max(times):.3f} (cpu count {os.cpu_count()})")
    if llm is not None:
        print(f"llm_only_accuracy={overall_llm:.4f}")
    print(f"layout_accuracy={overall:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
