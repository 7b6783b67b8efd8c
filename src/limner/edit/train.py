"""`limner world train-edit`: train the embedded edit model on world edit pairs (CPU-friendly).

Data: ``world.edits.edit_pair(seed)`` for scene seeds from ``--seed-start`` (3,000,000 by default;
evaluation uses seeds below 100,000), rendered exactly at 32×32; the sketch is the exact target
layout painted by ``world.condition.layout_to_condition``. Pairs are generated inside the loop into
a growing pool (a few per step) that batches are drawn from, so training starts at once.

Classifier-free guidance dropout, InstructPix2Pix style: per example, with probability ``p`` each,
drop the text (+ sketch), drop the image, or drop both; independently drop the sketch alone with
probability ``p_sketch`` (so the model also works when the instruction cannot be planned).

Checkpoints (``ckpt.pt``: model, optimizer, step, pool seed cursor) are written atomically every
few minutes into ``--out``; ``--resume`` continues from one. ``--minutes`` (or ``--steps``, a total
step count) stops the run by itself;
the final fp16 weights go to ``<out>/final`` (copy them to ``src/limner/models/edit_weights``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Optional

import numpy as np
import typer

from ..models.edit_model import SKETCH_CH, SIZE


def make_pair_arrays(seed: int, kind: str | None = None):
    """(source uint8 HxWx3, target uint8 HxWx3, sketch float16 CxHxW, instruction, kind)."""
    from ..models.condition import layout_to_condition
    from .ops import edit_pair
    from ..world.render import render_layout

    p = edit_pair(seed, kind)
    src = np.asarray(render_layout(p.source, SIZE), np.uint8)
    tgt = np.asarray(render_layout(p.target, SIZE), np.uint8)
    sk = layout_to_condition(p.target, SIZE).astype(np.float16)
    return src, tgt, sk, p.instruction, p.op.kind


def parse_kind_weights(text: str) -> dict[str, float]:
    """"size=3,texture=2" → {"size": 3.0, "texture": 2.0, other kinds: 1.0}; ValueError if bad."""
    from .ops import EDIT_KINDS

    w = {k: 1.0 for k in EDIT_KINDS}
    for part in filter(None, (p.strip() for p in text.split(","))):
        k, _, v = part.partition("=")
        if k not in w:
            raise ValueError(f"unknown edit kind {k!r}; kinds: {', '.join(EDIT_KINDS)}")
        try:
            w[k] = float(v)
        except ValueError:
            raise ValueError(f"bad weight in {part!r}") from None
        if not w[k] >= 0:
            raise ValueError(f"bad weight in {part!r}")
    if sum(w.values()) <= 0:
        raise ValueError("all kind weights are zero")
    return w


class Pool:
    def __init__(self, capacity: int, seed_start: int, kind_weights: dict[str, float] | None = None):
        self.cap = capacity
        self.src = np.zeros((capacity, SIZE, SIZE, 3), np.uint8)
        self.tgt = np.zeros((capacity, SIZE, SIZE, 3), np.uint8)
        self.sk = np.zeros((capacity, SKETCH_CH, SIZE, SIZE), np.float16)
        self.txt: list[str] = [""] * capacity
        self.n = 0
        self.cursor = seed_start
        self.kinds = None
        if kind_weights and len(set(kind_weights.values())) > 1:  # uniform = edit_pair's own draw
            names = sorted(kind_weights)
            p = np.array([kind_weights[k] for k in names], np.float64)
            self.kinds = (names, p / p.sum())

    def add(self, k: int) -> None:
        from .ops import EditError

        for _ in range(k):
            try:
                kind = None
                if self.kinds is not None:  # the kind is a function of the seed: resumable
                    names, p = self.kinds
                    kind = names[int(np.random.default_rng([self.cursor, 11]).choice(len(names), p=p))]
                s, t, sk, ins, _kind = make_pair_arrays(self.cursor, kind)
            except EditError:
                self.cursor += 1
                continue
            i = self.n % self.cap
            self.src[i], self.tgt[i], self.sk[i], self.txt[i] = s, t, sk, ins
            self.n += 1
            self.cursor += 1

    def batch(self, b: int, rng: np.random.Generator):
        import torch

        idx = rng.integers(0, min(self.n, self.cap), size=b)
        f = lambda a: torch.from_numpy(a[idx].astype(np.float32)).permute(0, 3, 1, 2) / 127.5 - 1
        return f(self.src), f(self.tgt), torch.from_numpy(self.sk[idx].astype(np.float32)), [self.txt[i] for i in idx]


def train(out: Path, minutes: float, batch: int = 32, lr: float = 1e-3, seed_start: int = 3_000_000,
          p_drop: float = 0.06, p_sketch: float = 0.15, threads: int = 1, resume: bool = False,
          init_pairs: int = 512, pairs_per_step: int = 4, ckpt_minutes: float = 4.0,
          widths: str = "32,64,96", ema_decay: float = 0.995, max_steps: int | None = None,
          kind_weights: dict[str, float] | None = None, edit_weight: float = 1.0) -> Path:
    import torch

    from ..models.edit_model import EditModel, EditModelConfig, build_scheduler

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out.mkdir(parents=True, exist_ok=True)
    cfg = EditModelConfig(block_out_channels=tuple(int(w) for w in widths.split(",")))
    model = EditModel(cfg)
    params = model.parameters()
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    sched = build_scheduler("ddpm", cfg.prediction_type)
    acp = sched.alphas_cumprod
    step, pool = 0, Pool(60_000, seed_start, kind_weights)
    ck = out / "ckpt.pt"
    if resume and ck.is_file():
        state = torch.load(ck, weights_only=True)  # tensors, ints and plain containers only
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, pool.cursor = state["step"], state["cursor"]
        print(f"resumed at step {step}, seed cursor {pool.cursor}", flush=True)
    ema_params = [p.detach().clone() for p in params]
    if resume and ck.is_file() and "ema" in state:
        ema_params = [e.clone() for e in state["ema"]]
    rng = np.random.default_rng(step + 1)
    t0 = time.time()
    pool.add(init_pairs)
    print(f"pool filled with {pool.n} pairs in {time.time() - t0:.0f}s", flush=True)
    log = open(out / "log.jsonl", "a")
    start = time.time()
    step0 = step
    last_ck = start
    ema = None
    model.unet.train()
    model.text_encoder.train()
    while time.time() - start < minutes * 60 and (max_steps is None or step < max_steps):
        pool.add(pairs_per_step)
        src, tgt, sk, txt = pool.batch(batch, rng)
        b = src.shape[0]
        r = rng.random(b)
        drop_txt = (r < p_drop) | ((r >= 2 * p_drop) & (r < 3 * p_drop))
        drop_img = (r >= p_drop) & (r < 3 * p_drop)
        drop_sk = drop_txt | (rng.random(b) < p_sketch)
        txt = ["" if d else s for s, d in zip(txt, drop_txt)]
        src = src * torch.from_numpy(~drop_img).float()[:, None, None, None]
        sk = sk * torch.from_numpy(~drop_sk).float()[:, None, None, None]
        t = torch.from_numpy(rng.integers(0, 1000, size=b)).long()
        noise = torch.randn_like(tgt)
        a = acp[t].float()[:, None, None, None]
        noisy = a.sqrt() * tgt + (1 - a).sqrt() * noise
        h, pooled = model.encode_text(txt)
        pred = model.predict(noisy, t, src, sk, h, pooled)
        if edit_weight == 1.0:
            loss = torch.nn.functional.mse_loss(pred, tgt)
        else:  # pixels the edit changes (grown 1 px) count edit_weight times
            changed = ((src - tgt).abs().amax(1, keepdim=True) > 0.02).float()
            changed = torch.nn.functional.max_pool2d(changed, 3, stride=1, padding=1)
            w = 1 + (edit_weight - 1) * changed
            loss = (w * (pred - tgt) ** 2).mean() / w.mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        frac = min(1.0, (time.time() - start) / (minutes * 60))
        for g in opt.param_groups:  # warm-up, then cosine decay over the time budget to 10%
            g["lr"] = float(lr * min(1.0, (step + 1) / 50) * (0.1 + 0.45 * (1 + np.cos(np.pi * frac))))
        opt.step()
        with torch.no_grad():
            d = min(ema_decay, (1 + step) / (10 + step))
            for e, p in zip(ema_params, params):
                e.mul_(d).add_(p.detach(), alpha=1 - d)
        step += 1
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 10 == 0:
            el = time.time() - start
            rec = {"step": step, "loss": round(loss.item(), 5), "ema": round(ema, 5), "pool": pool.n,
                   "elapsed_s": round(el), "steps_per_s": round((step - step0) / max(el, 1e-9), 4)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
        if time.time() - last_ck > ckpt_minutes * 60:
            _checkpoint(model, opt, step, pool.cursor, ck, ema_params)
            with _swapped(params, ema_params):
                model.save_pretrained(out / "latest", meta={"step": step, "ema_loss": ema})
            last_ck = time.time()
    _checkpoint(model, opt, step, pool.cursor, ck, ema_params)
    with _swapped(params, ema_params):
        final = model.save_pretrained(out / "final", meta={"step": step, "ema_loss": ema, "batch": batch,
                                                          "lr": lr, "seed_start": seed_start})
    print(f"done: {step} steps, ema loss {ema:.5f}, weights in {final}", flush=True)
    return final


def _checkpoint(model, opt, step, cursor, path: Path, ema_params) -> None:
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": int(step), "cursor": int(cursor),
                "ema": ema_params}, tmp)
    os.replace(tmp, path)


class _swapped:
    """Temporarily load the EMA weights into the model (for saving)."""

    def __init__(self, params, ema_params):
        self.params, self.ema = params, ema_params

    def __enter__(self):
        import torch

        with torch.no_grad():
            self.saved = [p.detach().clone() for p in self.params]
            for p, e in zip(self.params, self.ema):
                p.copy_(e)

    def __exit__(self, *exc):
        import torch

        with torch.no_grad():
            for p, s in zip(self.params, self.saved):
                p.copy_(s)


def register(world_app: typer.Typer) -> None:
    @world_app.command("train-edit")
    def train_edit(
        out: Path = typer.Option(Path("runs/edit"), "--out", help="Run directory (checkpoints, log)."),
        minutes: float = typer.Option(45.0, "--minutes", help="Stop after this many minutes."),
        batch: int = typer.Option(32, "--batch"),
        lr: float = typer.Option(1e-3, "--lr"),
        seed_start: int = typer.Option(3_000_000, "--seed-start", help="First scene seed (eval uses < 100000)."),
        threads: int = typer.Option(1, "--threads", help="torch threads."),
        resume: bool = typer.Option(False, "--resume", help="Continue from <out>/ckpt.pt."),
        widths: str = typer.Option("32,64,96", "--widths", help="UNet block widths."),
        pairs_per_step: int = typer.Option(4, "--pairs-per-step", help="New pairs rendered per step."),
        init_pairs: int = typer.Option(512, "--init-pairs", help="Pairs rendered before the first step."),
        steps: Optional[int] = typer.Option(None, "--steps", help="Also stop at this total step count."),
        kind_weights: str = typer.Option("", "--kind-weights", help="Oversample edit kinds, e.g. 'size=3,texture=2' (others 1)."),
        edit_weight: float = typer.Option(1.0, "--edit-weight", help="Loss weight of the pixels the edit changes (1 = plain MSE)."),
    ) -> None:
        """Train the embedded instruction-edit model (InstructPix2Pix recipe, world scale)."""
        from .._deps import require
        from ..errors import InputError

        if minutes <= 0 or (steps is not None and steps < 1) or batch < 1 or init_pairs < 1:
            raise InputError("--minutes, --steps, --batch and --init-pairs must be positive")
        if not edit_weight >= 1:
            raise InputError("--edit-weight must be at least 1")
        try:
            weights = parse_kind_weights(kind_weights)
        except ValueError as exc:
            raise InputError(f"--kind-weights: {exc}") from None
        require("torch", "training the edit model")
        train(out, minutes, batch=batch, lr=lr, seed_start=seed_start, threads=threads, resume=resume,
              widths=widths, pairs_per_step=pairs_per_step, init_pairs=init_pairs, max_steps=steps,
              kind_weights=weights, edit_weight=edit_weight)
