"""Self-correction and refinement on the embedded world, judged by the exact detector.

**Correction.** The development set ``benchmarks/data/correct_dev.jsonl`` (120 requests written for
this benchmark — 50 by hand, 70 from templates of its own — *not* from the request reader's or the
corpus's templates; GenEval-format metadata) is generated in four arms, one image per request
(seed = request index): planned (``--planner``, default rules), planned + ``--correct``, text only
(``--no-plan``), text only + ``--correct``. Each image is read by ``limner.world.detect`` and scored
by GenEval's rules against the metadata (``limner.evaluate.geneval.spec_from_metadata``): all
checks = every include/exclude/position holds; also on the requests whose *plan* already passes
(the reader understood them: correction checks against the reader's facts, so it cannot fix a
misread request). Reported: all-checks per arm and per tag, extra
seconds per image of the corrected arm over its plain arm (same run), and whether the images the
corrector found already correct are byte-identical to the plain arm's (pixels).

**Refinement.** For planned images that pass, one instruction each (recolour, add next to an
object, remove, move, and a two-clause compound), worded by this file's own templates, is applied by
``limner.refine.rounds.refine_image`` (changed regions only) and, as the baseline, by redrawing the
refined plan from scratch with the same seed (``whole=True``). Judged by the detector: *follow* = the
changed objects are as the instruction says; *preserved* = every other object is found with the same
shape and colour, centre within 0.10 of the canvas; and, in pixels, the share of the unchanged part
(outside the changed objects' boxes) that is byte-identical to the image before, with the mean
absolute difference there (0–255).

    python benchmarks/correct_eval.py [--limit N] [--rounds 2] [--refine 60] [--json out.json]

Last line: ``planned_correct_all=<x> text_gain_points=<y>``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
DEV = Path(__file__).resolve().parent / "data" / "correct_dev.jsonl"
ARMS = ("planned", "planned+correct", "text", "text+correct")


def run_arm(items, arm, planner, rounds, progress=True):
    from limner.errors import LimnerError
    from limner.evaluate.geneval import spec_from_metadata
    from limner.generate import generate, make_request
    from limner.world.detect import detect
    from limner.world.score import score

    plan = arm.startswith("planned")
    correct = arm.endswith("+correct")
    out = []
    for i, it in enumerate(items):
        opts = {"correct": {"rounds": rounds, "detector": "world", "planner": planner}} if correct else {}
        t0 = time.perf_counter()
        try:
            req = make_request(prompt=it["prompt"], seed=i, planner=planner, plan=plan, options=opts)
            res = generate(req)
            img, rec = res.images[0], res.records[0]
            err = None
        except LimnerError as exc:
            img, rec, err = None, None, str(exc)
        dt = time.perf_counter() - t0
        ok = bool(img is not None and score(detect(img), spec_from_metadata(it)).ok)
        out.append({"ok": ok, "seconds": dt, "image": img, "record": rec, "error": err})
        if progress and (i + 1) % 20 == 0:
            print(f"  {arm}: {i + 1}/{len(items)} all_checks={np.mean([o['ok'] for o in out]):.3f}", flush=True)
    return out


# -- refinement -------------------------------------------------------------------------------------
REL_WORDS = {"right of": ["to its right", "on its right side", "next to it on the right"],
             "left of": ["to its left", "on the left side of it"],
             "above": ["above it", "over it"], "below": ["below it", "under it"]}


def refine_case(k, rng, layout):
    """(instruction, expected) for scene ``layout``; expected = dict(kind, ...) judged on detections."""
    from limner.world.vocab import COLORS, SHAPES, world_shape

    objs = [o for o in layout.objects if world_shape(o.name)]
    keys = {}
    for o in objs:
        keys.setdefault((world_shape(o.name), o.color), []).append(o)
    (shape, color), group = list(keys.items())[int(rng.integers(len(keys)))]
    kind = ("recolor", "add_rel", "remove", "move", "compound")[k % 5]
    new_color = [c for c in COLORS if c not in {o.color for o in objs}][int(rng.integers(3))]
    new_shape = SHAPES[int(rng.integers(len(SHAPES)))]
    sel = " ".join(w for w in (color, shape if len(group) == 1 else shape + "s") if w)
    if kind == "recolor":
        t = ["change the {s} to {c}", "can you make the {s} {c}", "paint the {s} {c} instead", "recolour the {s} {c}"]
        text = t[int(rng.integers(len(t)))].format(s=sel, c=new_color)
        return text, {"kind": "recolor", "sel": (shape, color), "new_color": new_color}
    if kind == "add_rel":
        rel = ("right of", "left of", "above", "below")[int(rng.integers(4))]
        w = REL_WORDS[rel][int(rng.integers(len(REL_WORDS[rel])))]
        text = f"now also add a {new_color} {new_shape} {rel} the {sel}" if rng.random() < 0.5 else \
            f"put a {new_color} {new_shape} {rel.replace('right of', 'to the right of').replace('left of', 'to the left of')} the {sel}"
        return text, {"kind": "add_rel", "ref": (shape, color), "new": (new_shape, new_color), "rel": rel}
    if kind == "remove":
        if len(keys) < 2:
            return refine_case(k + 1, rng, layout)
        t = ["remove the {s}", "get rid of the {s}", "delete the {s} please", "take away the {s}"]
        return t[int(rng.integers(len(t)))].format(s=sel), {"kind": "remove", "sel": (shape, color)}
    if kind == "move":  # the direction with the most free room (an instruction that can be done)
        others = [o.box for o in objs if o not in group]

        def room(d):
            dx, dy = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}[d]
            free = 0.0
            for step in np.arange(0.02, 0.5, 0.02):
                boxes = [(b[0] + dx * step, b[1] + dy * step, b[2] + dx * step, b[3] + dy * step)
                         for b in (o.box for o in group)]
                if any(min(b) < 0.02 or max(b) > 0.98 for b in boxes) or any(
                        not (b[2] <= c[0] or c[2] <= b[0] or b[3] <= c[1] or c[3] <= b[1]) for b in boxes for c in others):
                    break
                free = step
            return free

        rooms = {d: room(d) for d in ("left", "right", "up", "down")}
        d = max(rooms, key=lambda r: (rooms[r], rng.random()))
        if rooms[d] < 0.14:
            return refine_case(k + 1, rng, layout)
        t = ["move the {s} {d}", "shift the {s} a bit {d}", "slide the {s} {d2}"]
        d2 = {"up": "upwards", "down": "downwards"}.get(d, f"to the {d}")
        return t[int(rng.integers(len(t)))].format(s=sel, d=d, d2=d2), {"kind": "move", "sel": (shape, color), "dir": d}
    rel = ("right of", "left of", "above", "below")[int(rng.integers(4))]
    w = REL_WORDS[rel][int(rng.integers(len(REL_WORDS[rel])))]
    text = f"make the {sel} {new_color} and add a {new_shape} {w}"
    return text, {"kind": "compound", "sel": (shape, color), "new_color": new_color, "new": (new_shape, None), "rel": rel}


def judge_refine(exp, base_layout, dets):
    """(changed objects follow, fraction of unchanged objects preserved)."""
    from limner.world.score import relation_holds
    from limner.world.vocab import world_shape

    def near(o_center, shape, color, tol=0.10):
        return [d for d in dets if d.shape == shape and (color is None or d.color == color)
                and abs(d.center[0] - o_center[0]) <= tol and abs(d.center[1] - o_center[1]) <= tol]

    objs = [(world_shape(o.name), o.color, o.center) for o in base_layout.objects if world_shape(o.name)]
    sel = exp.get("sel") or exp.get("ref")
    changed = [o for o in objs if (o[0], o[1]) == exp.get("sel")] if exp["kind"] != "add_rel" else []
    unchanged = [o for o in objs if o not in changed]
    kept = [bool(near(c, s, col)) for s, col, c in unchanged]
    k = exp["kind"]
    if k == "recolor":
        follow = all(near(c, s, exp["new_color"]) for s, _, c in changed)
    elif k == "remove":
        follow = all(not near(c, s, col, 0.08) for s, col, c in changed)
    elif k == "move":
        dx, dy = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}[exp["dir"]]
        follow = True
        for s, col, c in changed:
            cands = [d for d in dets if d.shape == s and (col is None or d.color == col)
                     and (d.center[0] - c[0]) * dx + (d.center[1] - c[1]) * dy >= 0.08]
            follow = follow and bool(cands)
    else:
        ref_shape = sel[0]
        ref_color = exp["new_color"] if k == "compound" else sel[1]
        refs = [d for d in dets if d.shape == ref_shape and (ref_color is None or d.color == ref_color)]
        new_shape, new_color = exp["new"]
        news = [d for d in dets if d.shape == new_shape and (new_color is None or d.color == new_color)]
        follow = any(any(r is not n for r in refs) and all(relation_holds(n.box, exp["rel"], r.box)
                                                           for r in refs if r is not n) for n in news)
        if k == "compound":
            follow = follow and all(near(c, s, exp["new_color"]) for s, _, c in changed)
    return follow, kept


def run_refine(base, n, seed=18):
    from limner.refine.rounds import refine_image
    from limner.errors import LimnerError
    from limner.world.detect import detect

    rng = np.random.default_rng(seed)
    from limner.correct.fix import region_mask

    res = {m: {"follow": [], "kept": [], "seconds": [], "pixels_same": [], "pixel_err": []} for m in ("region", "whole")}
    errors = []
    cases = [b for b in base if b["ok"] and b["record"] is not None and b["record"].layout is not None][:n]
    for k, b in enumerate(cases):
        text, exp = refine_case(k, rng, b["record"].layout)
        unchanged = None  # pixels outside what the instruction changes (from the region-mode round)
        for mode in ("region", "whole"):
            t0 = time.perf_counter()
            try:
                img, rec, _ = refine_image(b["image"], b["record"], text, whole=(mode == "whole"))
            except LimnerError as exc:
                if mode == "region":
                    errors.append(f"{text!r}: {exc}")
                res[mode]["follow"].append(False)
                continue
            res[mode]["seconds"].append(time.perf_counter() - t0)
            if unchanged is None:
                chain = rec.extra["refine"][-1]
                unchanged = ~region_mask(chain["regions"], *img.size)
            before, after = np.asarray(b["image"], np.int16), np.asarray(img, np.int16)
            if unchanged.any():
                res[mode]["pixels_same"].append(float((before == after).all(-1)[unchanged].mean()))
                res[mode]["pixel_err"].append(float(np.abs(before - after)[unchanged].mean()))
            follow, kept = judge_refine(exp, b["record"].layout, detect(img))
            res[mode]["follow"].append(follow)
            res[mode]["kept"] += kept
    return res, errors, len(cases)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DEV))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--planner", default="rules")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--refine", type=int, default=60, help="refinement cases (0: skip)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    items = [json.loads(line) for line in open(args.data) if line.strip()]
    if args.limit:
        items = items[: args.limit]
    print(f"correct_eval: n={len(items)} planner={args.planner} rounds={args.rounds}", flush=True)
    from limner.generate import generate, make_request

    generate(make_request(prompt="a red circle", planner="rules"))  # load the model outside the timings
    # the requests the reader understands: their plan already passes GenEval's checks (plan stage)
    from limner.evaluate.harness import EvalConfig, evaluate

    plan_run = evaluate(EvalConfig(set=args.data, stage="plan", planner=args.planner), items, progress=False)
    understood = [r.ok for r in plan_run.items]
    print(f"plan stage: all_checks={np.mean(understood):.3f} ({sum(understood)}/{len(items)} requests read right)",
          flush=True)
    runs = {arm: run_arm(items, arm, args.planner, args.rounds) for arm in ARMS}
    summary: dict = {"n": len(items), "rounds": args.rounds, "planner": args.planner, "arms": {},
                     "plan_stage_all_checks": float(np.mean(understood))}
    tags = sorted({it["tag"] for it in items})
    for arm in ARMS:
        r = runs[arm]
        per_tag = {t: float(np.mean([o["ok"] for o, it in zip(r, items) if it["tag"] == t])) for t in tags}
        summary["arms"][arm] = {"all_checks": float(np.mean([o["ok"] for o in r])),
                                "all_checks_read_right": float(np.mean([o["ok"] for o, u in zip(r, understood) if u])),
                                "seconds_per_image": float(np.mean([o["seconds"] for o in r])),
                                "errors": sum(o["error"] is not None for o in r), "tags": per_tag}
        print(f"arm={arm} all_checks={summary['arms'][arm]['all_checks']:.3f} "
              f"read_right={summary['arms'][arm]['all_checks_read_right']:.3f} "
              f"s_per_image={summary['arms'][arm]['seconds_per_image']:.3f} errors={summary['arms'][arm]['errors']} "
              + " ".join(f"{t}={v:.3f}" for t, v in per_tag.items()), flush=True)
    for base, cor in (("planned", "planned+correct"), ("text", "text+correct")):
        a, b = runs[base], runs[cor]
        # the correction's own time, measured inside each call (arm-vs-arm wall time is noise here)
        extra = float(np.mean([(y["record"].extra.get("correction") or {}).get("seconds", 0.0)
                               for y in b if y["record"] is not None]))
        fixed = [(y["record"].extra.get("correction") or {}).get("seconds", 0.0) for y in b
                 if y["record"] is not None and (y["record"].extra.get("correction") or {}).get("rounds")]
        checked = [(x, y) for x, y in zip(a, b) if y["record"] is not None
                   and (y["record"].extra.get("correction") or {}).get("ok_before")]
        same = [np.array_equal(np.asarray(x["image"]), np.asarray(y["image"])) for x, y in checked]
        rounds = [len((y["record"].extra.get("correction") or {}).get("rounds") or []) for y in b if y["record"]]
        summary[cor] = {"extra_seconds_per_image": extra,
                        "seconds_per_corrected_image": float(np.mean(fixed)) if fixed else 0.0,
                        "already_correct": len(checked),
                        "byte_identical": float(np.mean(same)) if same else float("nan"),
                        "mean_rounds": float(np.mean(rounds)) if rounds else 0.0}
        print(f"{cor}: extra_s_per_image={extra:.3f} s_per_corrected_image={summary[cor]['seconds_per_corrected_image']:.3f} "
              f"already_correct={len(checked)} "
              f"byte_identical={summary[cor]['byte_identical']:.3f} mean_rounds={summary[cor]['mean_rounds']:.2f}",
              flush=True)
    gain = 100 * (summary["arms"]["text+correct"]["all_checks"] - summary["arms"]["text"]["all_checks"])
    if args.refine:
        res, errors, n = run_refine(runs["planned"], args.refine)
        summary["refine"] = {"cases": n, "errors": errors}
        for mode in ("region", "whole"):
            f, k = res[mode]["follow"], res[mode]["kept"]
            summary["refine"][mode] = {"follow": float(np.mean(f)) if f else float("nan"),
                                       "preserved": float(np.mean(k)) if k else float("nan"),
                                       "seconds": float(np.mean(res[mode]["seconds"])) if res[mode]["seconds"] else 0.0,
                                       "unchanged_pixels_identical": float(np.mean(res[mode]["pixels_same"])),
                                       "unchanged_pixel_abs_err": float(np.mean(res[mode]["pixel_err"]))}
            print(f"refine mode={mode} cases={n} follow={summary['refine'][mode]['follow']:.3f} "
                  f"preserved={summary['refine'][mode]['preserved']:.3f} "
                  f"unchanged_pixels_identical={summary['refine'][mode]['unchanged_pixels_identical']:.3f} "
                  f"unchanged_abs_err={summary['refine'][mode]['unchanged_pixel_abs_err']:.2f} "
                  f"s={summary['refine'][mode]['seconds']:.2f}",
                  flush=True)
        for e in errors[:10]:
            print(f"  refine error: {e}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    print(f"planned_correct_all={summary['arms']['planned+correct']['all_checks']:.3f} text_gain_points={gain:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
