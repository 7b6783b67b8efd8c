"""End to end in the embedded world on the request dev set (issue 12): read -> plan -> world model
-> exact detector, each image scored with GenEval's rules on the *detections* (the same scorer as
read_eval.py, :func:`limner.plan.score.layout_correct`, with the detector's boxes as objects).

Only prompts whose every object is a world shape are used (the world draws nothing else). The plan
handed to the image model is ``PlanResult.drawable_layout()`` (unknown words left out).

    python benchmarks/read_world.py --limit 120            # dev split, rules-default path
    python benchmarks/read_world.py --split heldout

Prints accuracy per tag for the planned arm (and the text-only arm with ``--text``); last line
``read_world=<planned overall>``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="dev", choices=("dev", "heldout", "all"))
    ap.add_argument("--limit", type=int, default=0, help="N prompts spread over the set (0: all)")
    ap.add_argument("--planner", default="embedded", help="as limner plan (default: the default path)")
    ap.add_argument("--text", action="store_true", help="also the text-only arm (no layout)")
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--verbose", action="store_true", help="print each failing prompt with what was detected")
    args = ap.parse_args(argv)

    from read_eval import load

    from limner.world.vocab import world_shape

    rows = [r for r in load(args.split) if all(world_shape(e["class"]) for e in r["include"] + r.get("exclude", []))]
    if args.limit and args.limit < len(rows):
        rows = [rows[i * len(rows) // args.limit] for i in range(args.limit)]
    try:
        import torch

        from limner.image.embedded import (DEFAULT_GUIDANCE, DEFAULT_LAYOUT_GUIDANCE, DEFAULT_STEPS, WEIGHTS_DIR,
                                           load_pipeline)
    except ImportError as exc:
        print(f"skipped: the embedded world model is not available ({exc})")
        print("read_world=skipped")
        return 0
    from limner.errors import LimnerError
    from limner.plan import plan
    from limner.plan.score import layout_correct
    from limner.schema import Layout, SceneObject
    from limner.world.detect import detect

    torch.set_num_threads(args.threads)
    pipe = load_pipeline(str(WEIGHTS_DIR))
    layouts = []
    for r in rows:
        try:
            layouts.append(plan(r["prompt"], planner=args.planner).drawable_layout())
        except LimnerError:
            layouts.append(None)
    arms = {"planned": layouts} | ({"text": [None] * len(rows)} if args.text else {})
    print(f"read_world: {len(rows)} world-vocabulary prompts ({args.split} split), planner={args.planner}")
    overall = {}
    for arm, lays in arms.items():
        t0 = time.perf_counter()
        tags: dict[str, list[bool]] = {}
        for i in range(0, len(rows), args.batch):
            idx = list(range(i, min(i + args.batch, len(rows))))
            out = pipe([rows[j]["prompt"] for j in idx], layout=[lays[j] for j in idx],
                       num_inference_steps=DEFAULT_STEPS, guidance_scale=DEFAULT_GUIDANCE,
                       layout_guidance_scale=DEFAULT_LAYOUT_GUIDANCE,
                       generator=[torch.Generator().manual_seed(j) for j in idx])
            for j, im in zip(idx, out.images):
                dets = detect(im)
                seen = Layout(objects=[SceneObject(name=d.shape, color=d.color, box=d.box) for d in dets])
                ok = (arm != "planned" or lays[j] is not None) and layout_correct(seen, rows[j])
                tags.setdefault(rows[j]["tag"], []).append(ok)
                if args.verbose and not ok:
                    print(f"  FAIL [{arm}] {rows[j]['prompt']!r}: detected "
                          f"{[(d.color, d.shape, tuple(round(v, 2) for v in d.box)) for d in dets]}")
        acc = {t: sum(v) / len(v) for t, v in sorted(tags.items())}
        overall[arm] = statistics.mean(acc.values())
        print(f"arm={arm} " + " ".join(f"{t}={a:.3f}(n={len(tags[t])})" for t, a in acc.items())
              + f" overall={overall[arm]:.3f} s_per_image={(time.perf_counter() - t0) / len(rows):.3f}")
    print(f"read_world={overall['planned']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
