"""How exact is the world detector? Rendered evaluation scenes at 32 and 48 px, clean and degraded.

    python benchmarks/detector_eval.py --n 1000          # seeds 0..999 (the evaluation range)

Ground truth is the scene layout; detections are matched one-to-one to objects (a detection's
box centre must lie in the object's box; minimum centre distance). Metrics:

* ``recall`` / ``precision``: objects found / detections that are an object;
* ``shape`` / ``color`` / ``texture``: accuracy over matched objects;
* ``object``: objects found with the right shape *and* colour, over all objects;
* ``scene``: scenes where every object is found with the right shape and colour and there is no
  extra detection (so every count is right) — the per-scene exact match;
* ``ms``: detector time per image (this machine, single thread).

Degraded images mimic generated ones: Gaussian blur (σ px) then Gaussian noise (σ grey levels),
plus the training-style random degradation (``--degrade``: blur ≤0.8 px, colour drift, noise ≤8,
speckle). The last line is ``detector_scene_accuracy=<scene exact match, 32 px, clean>``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")


def evaluate(n: int, size: int, blur: float = 0.0, noise: float = 0.0, random_degrade: bool = False,
             seed0: int = 0) -> dict[str, float]:
    from scipy import ndimage

    from limner.world.corpus import sample_scene
    from limner.world.detect import detect
    from limner.world.detect_train import degrade
    from limner.world.render import render_layout
    from limner.world.score import match

    rng = np.random.default_rng(12345)
    n_obj = n_det = n_match = shape_ok = color_ok = tex_ok = both_ok = scene_ok = 0
    t = 0.0
    for s in range(seed0, seed0 + n):
        layout = sample_scene(s)
        a = np.asarray(render_layout(layout, size), np.float32)
        if blur > 0:
            a = ndimage.gaussian_filter(a, sigma=(blur, blur, 0))
        if noise > 0:
            a = a + rng.normal(0, noise, a.shape)
        if random_degrade:
            a = degrade(a, rng)
        img = np.clip(a + 0.5, 0, 255).astype(np.uint8)
        t0 = time.perf_counter()
        dets = detect(img)
        t += time.perf_counter() - t0
        pairs = match(dets, layout.objects)
        n_obj += len(layout.objects)
        n_det += len(dets)
        n_match += len(pairs)
        ok_scene = len(pairs) == len(layout.objects) == len(dets)
        for i, j in pairs:
            d, o = dets[i], layout.objects[j]
            shape_ok += d.shape == o.name
            color_ok += d.color == o.color
            tex_ok += d.texture == (o.texture or "solid")
            both = d.shape == o.name and d.color == o.color
            both_ok += both
            ok_scene &= both
        scene_ok += ok_scene
    m = max(n_match, 1)
    return {"recall": n_match / n_obj, "precision": n_match / max(n_det, 1), "shape": shape_ok / m,
            "color": color_ok / m, "texture": tex_ok / m, "object": both_ok / n_obj,
            "scene": scene_ok / n, "ms": 1000 * t / n}


def fmt(name: str, r: dict[str, float]) -> str:
    return (f"{name:<26} recall={r['recall']:.4f} precision={r['precision']:.4f} shape={r['shape']:.4f} "
            f"color={r['color']:.4f} texture={r['texture']:.4f} object={r['object']:.4f} "
            f"scene={r['scene']:.4f} ms={r['ms']:.1f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500, help="scenes per condition (seeds 0..n-1)")
    ap.add_argument("--sizes", default="32,48")
    ap.add_argument("--degraded-n", type=int, default=None, help="scenes per degraded condition (default n/2)")
    args = ap.parse_args(argv)
    if args.n > 100_000:
        raise SystemExit("evaluation seeds are 0..99,999")
    sizes = [int(s) for s in args.sizes.split(",")]
    nd = args.degraded_n or max(1, args.n // 2)
    results = {}
    for size in sizes:
        r = evaluate(args.n, size)
        results[size] = r
        print(fmt(f"{size}px clean", r), flush=True)
    for size in sizes:
        for blur, noise in ((0.5, 0.0), (0.0, 6.0), (0.5, 6.0), (0.8, 10.0)):
            print(fmt(f"{size}px blur={blur} noise={noise}", evaluate(nd, size, blur, noise)), flush=True)
        print(fmt(f"{size}px random degrade", evaluate(nd, size, random_degrade=True)), flush=True)
    print(f"detector_scene_accuracy={results[sizes[0]]['scene']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
