"""Overhead of limner's diffusers backend over a bare diffusers pipeline call.

Same tiny ControlNet pipeline (tests/diffusers/tiny.py), same prompt, seed, steps and size:

* bare:   ``StableDiffusionControlNetPipeline(prompt, image=sketch, ...)`` with a sketch rendered
          once beforehand — the diffusion work alone;
* limner: ``DiffusersBackend.generate(prompt, layout=..., controlnet=...)`` (sketch rendering,
          fresh scheduler, generators, model fingerprint) + writing the PNG with its record
          (``limner.records.save_png``).

Layout planning (``planner="rules"``, no LLM) is timed separately and not in the ratio. Each
variant is run ``--repeat`` times, interleaved, after one warm-up (pipeline loading excluded);
medians are reported. The last line is ``overhead_ratio=<limner median / bare median>``.

    python benchmarks/overhead.py --steps 25 --size 64 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "diffusers"))

PROMPT = "a red ball to the left of a blue cube"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--size", type=int, default=64, help="image side in pixels (multiple of 8)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tiny-dir", type=Path, default=None, help="reuse built tiny pipelines")
    args = ap.parse_args()

    import torch
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline
    from tiny import build_tiny_pipelines

    from limner import __version__
    from limner.image import get_image_backend
    from limner.image.diffusers_controlnet import render_sketch
    from limner.plan import plan
    from limner.records import save_png
    from limner.schema import ImageRecord

    torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="limner-overhead-"))
    paths = build_tiny_pipelines(args.tiny_dir or work / "tiny")

    t = time.perf_counter()
    layout = plan(PROMPT, planner="rules").layout
    plan_s = time.perf_counter() - t

    size = (args.size, args.size)
    common = dict(num_inference_steps=args.steps, guidance_scale=7.5, width=args.size,
                  height=args.size)

    cn = ControlNetModel.from_pretrained(paths["controlnet"])
    bare_pipe = StableDiffusionControlNetPipeline.from_pretrained(paths["sd"], controlnet=cn)
    bare_pipe.set_progress_bar_config(disable=True)
    sketch = render_sketch(layout, size)

    def bare():
        g = [torch.Generator("cpu").manual_seed(0)]
        return bare_pipe(PROMPT, image=sketch, generator=g, **common).images[0]

    backend = get_image_backend("diffusers", model=str(paths["sd"]),
                                controlnet=str(paths["controlnet"]))
    out_dir = work / "out"
    out_dir.mkdir()

    def limner(i: int = 0) -> None:
        out = backend.generate(PROMPT, seeds=[0], layout=layout, **common)
        rec = ImageRecord(limner_version=__version__, request={"prompt": PROMPT}, seed=0,
                          prompt=PROMPT, layout=layout, backend="diffusers", model=out.model,
                          num_inference_steps=out.num_inference_steps,
                          guidance_scale=out.guidance_scale, width=out.width,
                          height=out.height, extra=out.extra)
        save_png(out.images[0], out_dir / f"{i}.png", rec)

    t = time.perf_counter()
    limner()  # warm-up: loads and caches limner's pipeline, hashes weights
    first_s = time.perf_counter() - t
    same = bare().tobytes() == backend.generate(PROMPT, seeds=[0], layout=layout,
                                                **common).images[0].tobytes()

    times: dict[str, list[float]] = {"bare": [], "limner": []}
    cpu: dict[str, list[float]] = {"bare": [], "limner": []}
    for i in range(args.repeat):
        for name, fn in (("bare", bare), ("limner", lambda: limner(i))):
            t, c = time.perf_counter(), time.process_time()
            fn()
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)

    # limner's own work, timed alone (no diffusion): what the ratio should be made of
    from PIL import Image

    img = Image.new("RGB", size, "gray")
    rec = ImageRecord(limner_version=__version__, request={"prompt": PROMPT}, seed=0,
                      prompt=PROMPT, layout=layout, backend="diffusers", model=backend.model_record(),
                      width=args.size, height=args.size)
    parts = {}
    for name, fn in (("sketch", lambda: render_sketch(layout, size)),
                     ("record+png", lambda: save_png(img, out_dir / "x.png", rec))):
        runs = []
        for _ in range(20):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        parts[name] = statistics.median(runs)

    med = {k: statistics.median(v) for k, v in times.items()}
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"limner {__version__}, torch {torch.__version__}, {args.threads} thread(s), "
          f"{args.steps} steps at {args.size}x{args.size}, repeat {args.repeat}")
    print(f"plan (rules, no LLM): {plan_s * 1000:.1f} ms, {len(layout.objects)} objects")
    print(f"limner first call (load + hash + run): {first_s:.3f} s")
    print(f"limner image identical to the bare pipeline's: {same}")
    for k in ("bare", "limner"):
        print(f"{k:>6}: median {med[k]:.4f} s  runs " + " ".join(f"{x:.4f}" for x in times[k]))
    for k in ("bare", "limner"):
        print(f"{k:>6}: median CPU time {cmed[k]:.4f} s")
    print("limner-side work alone: " + ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in parts.items()))
    print(f"overhead (wall medians): {(med['limner'] - med['bare']) * 1000:+.1f} ms per image; "
          f"CPU-time ratio {cmed['limner'] / cmed['bare']:.3f}")
    print(f"overhead_ratio={med['limner'] / med['bare']:.3f}")


if __name__ == "__main__":
    main()
