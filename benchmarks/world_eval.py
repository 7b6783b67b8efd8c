"""Embedded world model: does planning a layout first make the image follow the prompt?

A fixed, seeded set of world prompts is built from the corpus's **evaluation seeds** (0–99,999;
training uses seeds ≥ 1,000,000): half GenEval-style relation prompts ("two red circles left of a
blue square"), half count/colour prompts ("three yellow squares and a green heart"). Each prompt is
generated (one image, seed = prompt index) in three arms:

* ``text``    — text only, no layout (what a plain text-to-image model does);
* ``planned`` — the real chain: ``limner.plan.plan(prompt, planner=...)`` → layout → world model;
* ``gt``      — the scene's own layout (upper bound; skip with ``--no-gt``).

Every image is read by the exact detector (``limner.world.detect``) and scored with
``limner.world.score`` against the prompt's groups (taken from the scene, not from the planner):
object = shape present; count = exactly the asked number of that shape *and* colour; colour = the
shape found in the asked colour (binding); spatial (relation prompts) = VISOR-style, both groups
found and the relation holds for every pair (GenEval centre rule); overall = all of a prompt's
checks. The last line is ``planned_spatial=<x> text_spatial=<y>``.

    python benchmarks/world_eval.py --n 200 [--planner rules|embedded] [--steps 15] [--save DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from itertools import combinations

import numpy as np


def eval_set(n: int):
    """[(prompt, spec, scene layout)] — n/2 relation prompts, n/2 count/colour prompts."""
    from limner.world.corpus import captions, count_phrase, group_key, group_relation, sample_scene
    from limner.world.score import RelationReq, Requirement, Spec

    rel_items, cnt_items = [], []
    seed = 0
    n_rel = n // 2
    while len(rel_items) < n_rel or len(cnt_items) < n - n_rel:
        layout = sample_scene(seed)
        caps = captions(layout, np.random.default_rng(seed))
        counts = Counter(group_key(o) for o in layout.objects)
        reqs = {k: Requirement(shape=k[1], color=k[0], count=c) for k, c in counts.items()}
        if caps.relation and len(rel_items) < n_rel:
            for ka, kb in combinations(list(counts), 2):
                for a, b in ((ka, kb), (kb, ka)):
                    r = group_relation(layout, a, b)
                    if r and caps.relation == f"{count_phrase(counts[a], *a)} {r} {count_phrase(counts[b], *b)}":
                        spec = Spec([reqs[a], reqs[b]], [RelationReq(reqs[a], r, reqs[b])], prompt=caps.relation)
                        rel_items.append((caps.relation, spec, layout, "position"))
                        break
                else:
                    continue
                break
        elif not caps.relation and len(cnt_items) < n - n_rel:
            cnt_items.append((caps.short, Spec(list(reqs.values()), [], prompt=caps.short), layout, "counting"))
        seed += 1
    items = []
    for a, b in zip(rel_items, cnt_items):
        items += [a, b]
    return items[:n]


def geneval_items(n: int):
    """n GenEval prompts (spread evenly over the file) rewritten in the world vocabulary, or None if
    the metadata file is absent (``$LIMNER_GENEVAL`` or ../shared)."""
    from limner.evaluate import geneval as g

    path = g.metadata_path()
    if path is None:
        return None
    recs = list(g.read_metadata(path))
    picked = [recs[int(i * len(recs) / n)] for i in range(min(n, len(recs)))]
    out = []
    for r in picked:
        w = g.world_metadata(r)
        out.append((w["prompt"], g.spec_from_metadata(w), None, w["tag"]))
    return out


def run_arm(pipe, items, layouts, steps, gs, lgs, batch, torch):
    from limner.world.detect import detect

    images = []
    t0 = time.perf_counter()
    for i in range(0, len(items), batch):
        chunk = list(range(i, min(i + batch, len(items))))
        out = pipe([items[j][0] for j in chunk], layout=[layouts[j] for j in chunk], num_inference_steps=steps,
                   guidance_scale=gs, layout_guidance_scale=lgs,
                   generator=[torch.Generator().manual_seed(j) for j in chunk])
        images += out.images
    dt = (time.perf_counter() - t0) / max(1, len(items))
    return images, [detect(im) for im in images], dt


def metrics(items, dets):
    from limner.world.score import score

    obj, cnt, col, spa, allok = [], [], [], [], []
    for (_, spec, _, _), d in zip(items, dets):
        s = score(d, spec)
        obj += [r.present for r in s.requirements]
        cnt += [r.count_ok for r in s.requirements]
        col += [r.color_ok for r in s.requirements]
        spa += [r.ok for r in s.relations]
        allok.append(s.ok)
    m = lambda v: float(np.mean(v)) if v else float("nan")  # noqa: E731
    return {"object": m(obj), "count": m(cnt), "color": m(col), "spatial": m(spa), "overall": m(allok)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--planner", default="rules")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--guidance", type=float, default=None)
    ap.add_argument("--layout-guidance", type=float, default=None)
    ap.add_argument("--weights", default=None, help="pipeline folder (default: the shipped weights)")
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--arms", default="text,planned,gt")
    ap.add_argument("--save", default=None, help="write a contact sheet per arm here")
    ap.add_argument("--geneval", type=int, default=0,
                    help="instead: N GenEval prompts in the world vocabulary (text and planned arms, per tag)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from limner.image.embedded import (DEFAULT_GUIDANCE, DEFAULT_LAYOUT_GUIDANCE, DEFAULT_STEPS, WEIGHTS_DIR,
                                       load_pipeline)
    from limner.plan import plan

    torch.set_num_threads(args.threads)
    pipe = load_pipeline(args.weights or str(WEIGHTS_DIR))
    steps = args.steps or DEFAULT_STEPS
    gs = DEFAULT_GUIDANCE if args.guidance is None else args.guidance
    lgs = DEFAULT_LAYOUT_GUIDANCE if args.layout_guidance is None else args.layout_guidance
    if args.geneval:
        items = geneval_items(args.geneval)
        if items is None:
            print("world_eval: GenEval metadata not found (set LIMNER_GENEVAL); skipped")
            return 0
        args.arms = ",".join(a for a in args.arms.split(",") if a != "gt")  # no scene layout to compare
    else:
        items = eval_set(args.n)
    print(f"world_eval: n={len(items)} (position={sum(i[3] == 'position' for i in items)}) steps={steps} "
          f"guidance={gs} layout_guidance={lgs} planner={args.planner}", flush=True)
    t0 = time.perf_counter()
    planned = [plan(p, planner=args.planner, seed=0).layout for p, *_ in items]
    plan_s = (time.perf_counter() - t0) / len(items)
    arms = {"text": [None] * len(items), "planned": planned, "gt": [it[2] for it in items]}
    results = {}
    for arm in args.arms.split(","):
        images, dets, dt = run_arm(pipe, items, arms[arm], steps, gs, lgs, args.batch, torch)
        results[arm] = m = metrics(items, dets)
        extra = f" plan_s_per_prompt={plan_s:.3f}" if arm == "planned" else ""
        print(f"arm={arm} " + " ".join(f"{k}={v:.3f}" for k, v in m.items()) + f" s_per_image={dt:.3f}{extra}",
              flush=True)
        if args.geneval:  # GenEval reports the mean of per-tag accuracies
            from limner.world.score import score

            tags: dict[str, list[bool]] = {}
            for (_, spec, _, tag), d in zip(items, dets):
                tags.setdefault(tag, []).append(score(d, spec).ok)
            acc = {t: float(np.mean(v)) for t, v in tags.items()}
            print(f"  geneval arm={arm} " + " ".join(f"{t}={a:.3f}" for t, a in acc.items())
                  + f" overall={np.mean(list(acc.values())):.3f}", flush=True)
        if args.save:
            from PIL import Image

            os.makedirs(args.save, exist_ok=True)
            k = min(40, len(images))
            sheet = Image.new("RGB", (10 * 96, ((k + 9) // 10) * 96))
            for j, im in enumerate(images[:k]):
                sheet.paste(im.resize((96, 96), Image.NEAREST), ((j % 10) * 96, (j // 10) * 96))
            sheet.save(os.path.join(args.save, f"{arm}.png"))
    if "planned" in results and "text" in results:
        print(f"planned_spatial={results['planned']['spatial']:.3f} text_spatial={results['text']['spatial']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
