"""Can the world model's text path be steered at all? Optimise one free text-state tensor (48×128,
textual-inversion style, no adapter) with the denoising loss on rendered "blue heart" scenes, then
sample 8 seeds with it and count what the detector finds. An upper bound on what any adapter output
can do through this frozen UNet; exploratory (h16, issue 16).

    python benchmarks/sur_text_path_probe.py --lr 0.5 --steps 150
Last line: ``probe_blue_heart_images=<images with a blue heart>/8``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--steps", type=int, default=150)
    args = ap.parse_args()
    import torch

    from limner.adapter.bases import WorldBase, target_for
    from limner.adapter.data import render_triple, world_triples
    from limner.world.detect import detect

    torch.set_num_threads(1)
    torch.manual_seed(0)
    b = WorldBase()
    ts = [t for t in world_triples(3000, "seen", categories=("colour", "shape", "size_texture"))
          if t.complex.endswith(("blue heart", "blue hearts"))][:16]
    x = torch.stack([torch.from_numpy(render_triple(t)) for t in ts])
    emb = b.encode(["a blue heart"]).clone().requires_grad_(True)
    opt = torch.optim.Adam([emb], lr=args.lr)
    t0 = time.time()
    for step in range(args.steps):
        idx = torch.randint(0, len(ts), (8,))
        x0, noise, t = x[idx], torch.randn(8, *x.shape[1:]), torch.randint(0, 1000, (8,))
        pred = b.predict(b.scheduler.add_noise(x0, noise, t), t, emb.expand(8, -1, -1))
        loss = torch.nn.functional.mse_loss(pred, target_for(b.scheduler, x0, noise, t))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 25 == 0:
            print(f"step {step} loss {loss.item():.4f} state norm {emb.norm(dim=-1).mean().item():.1f} "
                  f"{time.time() - t0:.0f}s", flush=True)
    gens = [torch.Generator().manual_seed(s) for s in range(8)]
    with torch.no_grad():
        free = b.pipe(["x"] * 8, num_inference_steps=10, guidance_scale=3, generator=gens,
                      prompt_embeds=emb.expand(8, -1, -1).detach()).images
        gens = [torch.Generator().manual_seed(s) for s in range(8)]
        plain = b.pipe(["a blue heart"] * 8, num_inference_steps=10, guidance_scale=3, generator=gens).images
    hits = {}
    for name, imgs in (("'a blue heart'", plain), ("optimised states", free)):
        dets = [detect(im) for im in imgs]
        blue = sum(any(d.color == "blue" for d in ds) for ds in dets)
        heart = sum(any(d.color == "blue" and d.shape == "heart" for d in ds) for ds in dets)
        hits[name] = heart
        print(f"{name}: images with a blue object {blue}/8, with a blue heart {heart}/8")
    print(f"probe_blue_heart_images={hits['optimised states']}/8")


if __name__ == "__main__":
    main()
