"""Instruction-editing benchmark, judged by the exact world detector.

Eval set: ``world.edits.edit_pair(seed, kind)`` for seeds 0..N-1 with the edit kinds in rotation
(scene seeds < 100,000; training uses seeds >= 3,000,000). Each source scene is rendered at 32×32,
edited by the model exactly as ``limner edit`` does (detector → instruction parser → target sketch
→ guided DDIM), and the result is detected. ``world.edits.check_edit`` (source layout, detected
result, op) judges:

* **edit success** — the requested change happened (colour/texture/count/position/size/background);
* **preservation** — everything else kept: same other objects (shape, colour, texture) within
  0.09 of the canvas (≈3 px) of where they were, no extra objects, same background.

Reference rows: ``oracle`` (the exact target rendering, so the detector's own ceiling),
``identity`` (the unedited source) and ``model, no mask`` (the model redraws the whole image, as
``limner edit --no-mask``; by default pixels outside the planned edit region are kept, see
``limner.edit.mask``). Last line: ``edit_success=<x> preservation=<y>`` for the model
at the chosen scales.

    python benchmarks/edit_eval.py --n 160 --grid --grid-n 48 --grid-steps 20
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict

import numpy as np


def eval_set(n: int, start: int = 0):
    from limner.edit.ops import EDIT_KINDS, edit_pair

    if start + n > 100_000:
        raise SystemExit("evaluation seeds must stay below 100000 (training uses seeds >= 3000000)")
    return [edit_pair(i, EDIT_KINDS[i % len(EDIT_KINDS)]) for i in range(start, start + n)]


def judge(pairs, images, pos_tol: float = 0.09):
    from limner.edit.sketch import detect_layout
    from limner.edit.check import check_edit

    rows = []
    for p, img in zip(pairs, images):
        det = detect_layout(img)
        c = check_edit(p.source, det, p.op, pos_tol=pos_tol)
        rows.append({"seed": p.seed, "kind": p.op.kind, "instruction": p.instruction,
                     "success": c.success, "preserved": c.preserved, "reasons": c.reasons})
    return rows


def summarize(rows):
    by = defaultdict(list)
    for r in rows:
        by[r["kind"]].append(r)
    out = {k: (float(np.mean([r["success"] for r in v])), float(np.mean([r["preserved"] for r in v])), len(v))
           for k, v in by.items()}
    s = float(np.mean([r["success"] for r in rows])) if rows else 0.0
    pr = float(np.mean([r["preserved"] for r in rows])) if rows else 0.0
    return s, pr, out


def run_model(model, pairs, s_i: float, s_t: float, steps: int, batch: int, sketch: bool = True,
              mask: bool = True):
    """Edit each pair's source exactly as ``limner edit`` does (``edit.embedded.edit_inputs``),
    batched; returns (images, how many instructions the planner turned into a target)."""
    from limner.edit.embedded import edit_inputs, generators, stack_inputs, to_images
    from limner.world.render import render_layout

    images, planned = [], 0
    for a in range(0, len(pairs), batch):
        chunk = pairs[a:a + batch]
        inputs = [edit_inputs(render_layout(p.source, 32), p.instruction, sketch=sketch, mask=mask)
                  for p in chunk]
        planned += sum(i.target is not None for i in inputs)
        args, kw = stack_inputs(inputs)
        x = model.edit(*args, **kw, image_guidance_scale=s_i, guidance_scale=s_t,
                       num_inference_steps=steps, generators=generators(p.seed for p in chunk))
        images += to_images(x)
    return images, planned


def report(name, rows, file=sys.stdout):
    s, pr, per = summarize(rows)
    for k in sorted(per):
        ks, kp, n = per[k]
        print(f"{name:>22s} {k:>10s}: success={ks:.3f} preservation={kp:.3f} (n={n})", file=file)
    print(f"{name:>22s} {'overall':>10s}: success={s:.3f} preservation={pr:.3f} (n={len(rows)})", file=file)
    return s, pr


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=160, help="eval pairs (seeds start..start+n-1, kinds in rotation)")
    ap.add_argument("--start", type=int, default=0, help="first eval seed (another range = a held-out set)")
    ap.add_argument("--weights", default=None, help="edit model folder (default: the shipped weights)")
    ap.add_argument("--image-guidance", type=float, default=None)
    ap.add_argument("--guidance", type=float, default=None)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--grid", action="store_true", help="also run the s_I x s_T grid below")
    ap.add_argument("--grid-image", default="1,1.5,2", help="s_I values of the grid")
    ap.add_argument("--grid-text", default="1,1.5,3", help="s_T values of the grid")
    ap.add_argument("--grid-n", type=int, default=48)
    ap.add_argument("--grid-steps", type=int, default=10)
    ap.add_argument("--no-sketch-row", action="store_true", help="also run without the planner sketch")
    ap.add_argument("--dump", default=None, help="write per-pair rows (JSONL) here")
    a = ap.parse_args(argv)

    import torch

    torch.set_num_threads(a.threads)
    from limner.edit.embedded import DEFAULT_GUIDANCE, DEFAULT_IMAGE_GUIDANCE
    from limner.models.edit_model import WEIGHTS_DIR, EditModel
    from limner.world.render import render_layout

    s_i = DEFAULT_IMAGE_GUIDANCE if a.image_guidance is None else a.image_guidance
    s_t = DEFAULT_GUIDANCE if a.guidance is None else a.guidance
    pairs = eval_set(a.n, a.start)
    model = EditModel.from_pretrained(a.weights or WEIGHTS_DIR)
    print(f"eval pairs: {len(pairs)} (seeds {a.start}..{a.start + a.n - 1}); weights: {a.weights or WEIGHTS_DIR}")
    report("oracle (exact target)", judge(pairs, [render_layout(p.target, 32) for p in pairs]))
    report("identity (no edit)", judge(pairs, [render_layout(p.source, 32) for p in pairs]))
    if a.grid:
        gp = pairs[: a.grid_n]
        for gi in (float(v) for v in a.grid_image.split(",")):
            for gt in (float(v) for v in a.grid_text.split(",")):
                t0 = time.time()
                imgs, _ = run_model(model, gp, gi, gt, a.grid_steps, a.batch)
                s, pr, _ = summarize(judge(gp, imgs))
                print(f"grid s_I={gi} s_T={gt} steps={a.grid_steps} n={len(gp)}: success={s:.3f} "
                      f"preservation={pr:.3f} ({time.time() - t0:.0f}s)", flush=True)
    if a.no_sketch_row:
        gp = pairs[: a.grid_n]
        imgs, _ = run_model(model, gp, s_i, s_t, a.steps, a.batch, sketch=False)
        report(f"no sketch (text only) n={len(gp)}", judge(gp, imgs))
    imgs, _ = run_model(model, pairs, s_i, s_t, a.steps, a.batch, mask=False)
    report("model, no mask", judge(pairs, imgs))
    t0 = time.time()
    imgs, planned = run_model(model, pairs, s_i, s_t, a.steps, a.batch)
    rows = judge(pairs, imgs)
    dt = time.time() - t0
    if a.dump:
        with open(a.dump, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    print(f"model s_I={s_i} s_T={s_t} steps={a.steps}: planner sketch for {planned}/{len(pairs)}; "
          f"{dt / len(pairs):.2f}s per edit")
    s, pr = report("model", rows)
    print(f"edit_success={s:.3f} preservation={pr:.3f}")


if __name__ == "__main__":
    main()
