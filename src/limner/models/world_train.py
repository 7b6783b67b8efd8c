"""`limner world train`: train the embedded world model (layout-grounded pixel diffusion) on CPU.

Data is generated on the fly from the procedural corpus (``corpus.sample_scene``) with seeds
``>= TRAIN_SEED_BASE`` (seeds below 1,000,000 are never trained on; 0–99,999 are evaluation):
each batch element is a scene rendered at ``size`` px (supersample 2), its layout painted by
:func:`limner.models.condition.layout_to_condition`, and one of its captions (short / descriptive /
GenEval-style relation / "a photo of …" template / colour-less count phrase). With ``--captions MANIFEST --caption-column COLUMN`` the data is a
recaptioned dataset (``limner recaption``) instead: each row's image (corpus rows re-rendered with
their layout) with that column's caption as the text input — the DALL-E 3 experiment's path.

Recipe: v-prediction, cosine betas, MSE; text encoder trained jointly; classifier-free-guidance
dropout (text 15%, layout 30%, both 5%) and background-channel dropout (30%); AdamW with warmup and, when ``--minutes`` is given, a
linear decay over the last 40% of the time budget; EMA of all weights. The data order is a function
of the step, so ``--resume`` continues exactly (optimizer, EMA, step, RNG, elapsed time restored).

Run directory: ``config.json``, ``log.jsonl`` (loss per log interval), ``checkpoint/`` (safetensors
weights + EMA, ``optimizer.pt``, ``state.json``), and at the end ``pipeline/`` (the EMA weights as
a :class:`~limner.models.world_pipeline.WorldPipeline`, saved with ``save_pretrained``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import typer

from .world_model import DEFAULT_UNET

TRAIN_SEED_BASE = 1_000_000
_POOLED_TEXT = dict(addition_embed_type="text")  # + addition_embed_type_num_heads per preset
_TINY_UNET = dict(block_out_channels=(8, 16), attention_head_dim=8, norm_num_groups=4,
                  down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                  up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"))
_TEXT = dict(hidden_size=128, layers=3, heads=4)
_TINY_TEXT = dict(hidden_size=32, layers=1, heads=2)
MODEL_PRESETS: dict[str, dict[str, Any]] = {
    # stage 1: self-attention + text cross-attention only at 8×8 (fast on CPU)
    "default": dict(unet=dict(DEFAULT_UNET), text=_TEXT),
    # the shipped model (stage 2): "default" plus a pooled-text path: the prompt's hidden states,
    # attention-pooled (diffusers' ``addition_embed_type="text"``), are added to the timestep
    # embedding, so the text reaches every ResNet block at every resolution
    "text": dict(unet=dict(DEFAULT_UNET, **_POOLED_TEXT, addition_embed_type_num_heads=4), text=_TEXT),
    # for tests and the recaption experiment: seconds per step
    "tiny": dict(unet=dict(_TINY_UNET), text=_TINY_TEXT),
    "tiny-text": dict(unet=dict(_TINY_UNET, **_POOLED_TEXT, addition_embed_type_num_heads=2), text=_TINY_TEXT),
}


# ----------------------------------------------------------------------------------- data
def caption_for(layout, rng: np.random.Generator) -> str:
    """One training caption for a corpus scene (a true description, in one of several styles)."""
    from collections import Counter

    from ..world.corpus import captions, count_phrase, group_key

    caps = captions(layout, rng)
    r = rng.random()
    if r < 0.30:
        return caps.short
    if r < 0.55:
        return caps.descriptive
    if r < 0.75:
        return caps.relation or caps.short
    if r < 0.90:
        return "a photo of " + (caps.relation if caps.relation and rng.random() < 0.5 else caps.short)
    counts = Counter(group_key(o) for o in layout.objects)  # colour-less: "three circles"
    shapes = Counter()
    for (_, shape), n in counts.items():
        shapes[shape] += n
    return " and ".join(count_phrase(n, "", s) for s, n in shapes.items())


def make_example(seed: int, size: int, caption_seed: int | None = None,
                 cache: dict | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """(image CHW in [-1,1], layout condition CHW, caption) for training seed ``seed``.

    ``cache`` (seed → rendered scene) lets a scene be reused with a fresh caption draw: scene
    generation + rendering cost ~60 ms per scene on a loaded 2-core machine, a training step ~0.3 s
    per example, so reusing each scene a few times buys ~20% more optimizer steps.
    """
    from .condition import layout_to_condition
    from ..world.corpus import sample_scene
    from ..world.render import render_layout

    hit = cache.get(seed) if cache is not None else None
    if hit is None:
        layout = sample_scene(seed)
        img = np.asarray(render_layout(layout, size, supersample=2), np.float32).transpose(2, 0, 1)
        hit = (img / 127.5 - 1.0, layout_to_condition(layout, size), layout)
        if cache is not None:
            cache[seed] = hit
    img, cond, layout = hit
    rng = np.random.default_rng(seed + 7 if caption_seed is None else [seed, caption_seed])
    return img.copy(), cond.copy(), caption_for(layout, rng)


def make_batch(step: int, batch: int, size: int, seed: int = 0, pool: int = 0, cache: dict | None = None):
    """Batch ``step``: scenes ``k = step*batch + i``; with ``pool`` > 0, scene ``k % pool`` (reused)."""
    ks = [step * batch + i for i in range(batch)]
    seeds = [TRAIN_SEED_BASE + seed * 100_000_000 + (k % pool if pool else k) for k in ks]
    ex = [make_example(s, size, caption_seed=(k // pool if pool else None), cache=cache) for s, k in zip(seeds, ks)]
    return np.stack([e[0] for e in ex]), np.stack([e[1] for e in ex]), [e[2] for e in ex]


def load_caption_rows(manifest: str, column: str) -> list[tuple[str, str]]:
    """(image source, caption) for every usable row of a recaptioned dataset (``limner recaption``
    output: its folder or ``manifest.json``): rows not failed, with a non-empty ``column``."""
    from ..errors import InputError
    from ..recaption import COLUMNS, read_rows

    rows = read_rows(manifest)
    if rows and column not in rows[0]:
        raise InputError(f"{manifest} has no column '{column}' (columns: {', '.join(COLUMNS)})")
    out = [(r["source"], str(r[column]).strip()) for r in rows
           if r.get("status") != "failed" and r.get(column) and str(r[column]).strip()]
    if not out:
        raise InputError(f"{manifest} has no usable rows with a '{column}' caption")
    return out


def make_caption_batch(step: int, batch: int, size: int, rows: list[tuple[str, str]], cache: dict | None = None):
    """Batch ``step`` of a recaptioned dataset: row ``k % len(rows)`` with its fixed caption. Corpus
    rows (``world:<seed>:...``) are re-rendered at ``size`` with their layout; image rows are loaded
    and box-resized, with no layout (zero condition channels)."""
    from PIL import Image

    from .condition import layout_to_condition
    from ..recaption.sources import load_image

    imgs, conds, caps = [], [], []
    for i in range(batch):
        src, cap = rows[(step * batch + i) % len(rows)]
        if src.startswith("world:"):
            img, cond, _ = make_example(int(src.split(":")[1]), size, cache=cache)
        else:
            hit = cache.get(src) if cache is not None else None
            if hit is None:
                im = load_image(src).resize((size, size), Image.BOX)
                hit = (np.asarray(im, np.float32).transpose(2, 0, 1) / 127.5 - 1.0, layout_to_condition(None, size))
                if cache is not None:
                    cache[src] = hit
            img, cond = hit[0].copy(), hit[1].copy()
        imgs.append(img), conds.append(cond), caps.append(cap)
    return np.stack(imgs), np.stack(conds), caps


# ----------------------------------------------------------------------------------- model io
def build_models(preset: str, size: int):
    from .condition import NUM_CHANNELS
    from .world_model import build_scheduler, build_text_encoder, build_tokenizer, build_unet

    if preset not in MODEL_PRESETS:
        from ..errors import InputError

        raise InputError(f"unknown preset '{preset}' (choose from {', '.join(MODEL_PRESETS)})")
    p = MODEL_PRESETS[preset]
    tok = build_tokenizer()
    te = build_text_encoder(len(tok), **p["text"])
    unet = build_unet(3 + NUM_CHANNELS, sample_size=size, cross_attention_dim=p["text"]["hidden_size"], **p["unet"])
    return tok, te, unet, build_scheduler()


def _save_weights(path: Path, module, dtype=None) -> None:
    from safetensors.torch import save_file

    sd = {k: (v.to(dtype) if dtype is not None else v).contiguous() for k, v in module.state_dict().items()}
    save_file(sd, str(path))


def export_pipeline(run_dir: str | Path, out_dir: str | Path, fp16: bool = True) -> Path:
    """Write the run's latest EMA checkpoint as a WorldPipeline (``save_pretrained``) to ``out_dir``."""
    import torch
    from safetensors.torch import load_file

    from .world_pipeline import WorldPipeline, default_scheduler

    run = Path(run_dir)
    cfg = json.loads((run / "config.json").read_text())
    tok, te, unet, _ = build_models(cfg["preset"], cfg["size"])
    ck = run / "checkpoint"
    unet.load_state_dict(load_file(str(ck / "ema_unet.safetensors")))
    te.load_state_dict(load_file(str(ck / "ema_text_encoder.safetensors")))
    if fp16:
        unet, te = unet.to(torch.float16), te.to(torch.float16)
    pipe = WorldPipeline(unet=unet, text_encoder=te, tokenizer=tok, scheduler=default_scheduler())
    out = Path(out_dir)
    pipe.save_pretrained(str(out))
    state = json.loads((ck / "state.json").read_text())
    (out / "training_state.json").write_text(json.dumps({**state, "config": cfg}, indent=2))
    return out


def init_from_pipeline(unet, te, path: str | Path, text_encoder: bool = True) -> list[str]:
    """Start from a pipeline folder's weights (e.g. the shipped model) instead of random ones.

    Parameters the folder lacks (a preset that adds modules, such as the pooled-text path of
    ``text``) keep their initialisation, except that the pooled-text output norm starts at zero
    gain: the fine-tune begins exactly at the old model's predictions. ``text_encoder=False`` takes
    the UNet only and keeps the text encoder's fresh initialisation (an experiment on captions must
    not inherit a text encoder trained on one caption style). Returns the new names."""
    import torch
    from safetensors.torch import load_file

    from ..errors import InputError

    p = Path(path)
    files = (p / "unet" / "diffusion_pytorch_model.safetensors", p / "text_encoder" / "model.safetensors")
    if not all(f.exists() for f in files):
        raise InputError(f"--init {path}: not a world pipeline folder (needs unet/ and text_encoder/ weights)")
    sd = {k: v.float() for k, v in load_file(str(files[0])).items()}
    missing, unexpected = unet.load_state_dict(sd, strict=False)
    if unexpected:
        raise InputError(f"--init {path}: weights do not fit the preset ({len(unexpected)} unexpected, "
                         f"e.g. {unexpected[0]})")
    if text_encoder:
        te.load_state_dict({k: v.float() for k, v in load_file(str(files[1])).items()})
    if "add_embedding.norm2.weight" in missing:
        with torch.no_grad():
            unet.add_embedding.norm2.weight.zero_()
    return list(missing)


# ----------------------------------------------------------------------------------- training
def train(out: str, steps: int = 100_000, batch: int = 32, size: int = 32, minutes: float | None = None,
          resume: bool = False, seed: int = 0, lr: float = 1e-3, warmup: int = 50, threads: int = 2,
          preset: str = "default", ckpt_minutes: float = 5.0, log_every: int = 10, ema_max: float = 0.995,
          pool: int = 8000, progress: bool = True, captions: str | None = None,
          caption_column: str = "caption", init: str | None = None, layout_drop: float = 0.25,
          init_text_encoder: bool = True) -> dict:
    import torch
    from safetensors.torch import load_file
    from tqdm import tqdm

    from ..errors import InputError

    if preset not in MODEL_PRESETS:  # checked before anything is written to the run directory
        raise InputError(f"unknown preset '{preset}' (choose from {', '.join(MODEL_PRESETS)})")
    if not 0.0 <= layout_drop <= 0.85:
        raise InputError(f"--layout-drop {layout_drop}: must be between 0 and 0.85")
    torch.set_num_threads(threads)
    run = Path(out)
    ck = run / "checkpoint"
    ck.mkdir(parents=True, exist_ok=True)
    cfg = {"preset": preset, "size": size, "batch": batch, "lr": lr, "warmup": warmup, "seed": seed,
           "ema_max": ema_max, "pool": pool, "layout_drop": layout_drop}
    if init:
        cfg["init"] = str(Path(init).resolve())
        cfg["init_text_encoder"] = init_text_encoder
    if captions:
        cfg.update(captions=str(Path(captions).resolve()), caption_column=caption_column)
    if resume and (run / "config.json").exists():
        cfg = json.loads((run / "config.json").read_text())
        preset, size, batch, lr, warmup, seed = (cfg[k] for k in ("preset", "size", "batch", "lr", "warmup", "seed"))
        ema_max, pool = cfg.get("ema_max", ema_max), cfg.get("pool", 0)
        layout_drop, init = cfg.get("layout_drop", 0.25), cfg.get("init")
        init_text_encoder = cfg.get("init_text_encoder", True)
        captions, caption_column = cfg.get("captions"), cfg.get("caption_column", caption_column)
    caption_rows = load_caption_rows(captions, caption_column) if captions else None
    (run / "config.json").write_text(json.dumps(cfg, indent=2))

    torch.manual_seed(seed)
    tok, te, unet, sched = build_models(preset, size)
    if init and not (resume and (ck / "state.json").exists()):
        init_from_pipeline(unet, te, init, text_encoder=init_text_encoder)
    params = list(unet.parameters()) + list(te.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    ema_unet = {k: v.detach().clone() for k, v in unet.state_dict().items()}
    ema_te = {k: v.detach().clone() for k, v in te.state_dict().items()}
    state = {"step": 0, "elapsed_s": 0.0}
    gen = torch.Generator().manual_seed(seed)
    if resume and (ck / "state.json").exists():
        unet.load_state_dict(load_file(str(ck / "unet.safetensors")))
        te.load_state_dict(load_file(str(ck / "text_encoder.safetensors")))
        ema_unet = load_file(str(ck / "ema_unet.safetensors"))
        ema_te = load_file(str(ck / "ema_text_encoder.safetensors"))
        extra = torch.load(str(ck / "optimizer.pt"), weights_only=True)  # tensors, ints and dicts only
        opt.load_state_dict(extra["optimizer"])
        gen.set_state(extra["generator"])
        state = json.loads((ck / "state.json").read_text())
    empty_ids = torch.tensor(tok.encode(""))
    cache: dict = {}

    def save_checkpoint():
        from safetensors.torch import save_file

        _save_weights(ck / "unet.safetensors", unet)
        _save_weights(ck / "text_encoder.safetensors", te)
        save_file({k: v.contiguous() for k, v in ema_unet.items()}, str(ck / "ema_unet.safetensors"))
        save_file({k: v.contiguous() for k, v in ema_te.items()}, str(ck / "ema_text_encoder.safetensors"))
        torch.save({"optimizer": opt.state_dict(), "generator": gen.get_state()}, str(ck / "optimizer.pt"))
        (ck / "state.json").write_text(json.dumps(state, indent=2))

    t_start = time.time() - state["elapsed_s"]
    last_ckpt = time.time()
    budget = minutes * 60 if minutes else None
    log = open(run / "log.jsonl", "a")
    losses: list[float] = []
    t_log = time.time()
    bar = tqdm(total=steps, initial=state["step"], disable=not progress, desc="world train")
    unet.train(), te.train()
    while state["step"] < steps:
        elapsed = time.time() - t_start
        if budget is not None and elapsed > budget:
            break
        step = state["step"]
        frac = elapsed / budget if budget else 0.0
        cur_lr = lr * min(1.0, (step + 1) / warmup) * (1.0 if frac < 0.6 else max(0.1, 1 - (frac - 0.6) / 0.4 * 0.9))
        for g in opt.param_groups:
            g["lr"] = cur_lr
        if caption_rows is None:
            x0, cond, caps = make_batch(step, batch, size, seed, pool=pool, cache=cache)
        else:
            x0, cond, caps = make_caption_batch(step, batch, size, caption_rows, cache=cache)
        x0, cond = torch.from_numpy(x0), torch.from_numpy(cond)
        ids = torch.tensor([tok.encode(c) for c in caps])
        r = torch.rand(batch, generator=gen)
        drop_text = (r < 0.15)
        drop_layout = (r < 0.05) | ((r >= 0.15) & (r < 0.15 + layout_drop))
        ids[drop_text] = empty_ids
        cond[drop_layout] = 0.0
        # planners often give no background colour: teach "objects known, background unknown" too
        drop_bg = torch.rand(batch, generator=gen) < 0.3
        cond[drop_bg, 6:] = 0.0
        noise = torch.randn(x0.shape, generator=gen)
        t = torch.randint(0, sched.config.num_train_timesteps, (batch,), generator=gen)
        noisy = sched.add_noise(x0, noise, t)
        target = sched.get_velocity(x0, noise, t)
        hidden = te(ids).last_hidden_state
        pred = unet(torch.cat([noisy, cond], 1), t, encoder_hidden_states=hidden).sample
        loss = torch.nn.functional.mse_loss(pred, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(ema_max, (1 + step) / (10 + step))
        with torch.no_grad():
            for ema, mod in ((ema_unet, unet), (ema_te, te)):
                for k, v in mod.state_dict().items():
                    if v.dtype.is_floating_point:
                        ema[k].mul_(decay).add_(v.detach(), alpha=1 - decay)
                    else:
                        ema[k].copy_(v)
        state["step"] = step + 1
        state["elapsed_s"] = time.time() - t_start
        losses.append(float(loss.detach()))
        bar.update(1)
        if state["step"] % log_every == 0 or state["step"] == steps:
            now = time.time()
            rec = {"step": state["step"], "loss": float(np.mean(losses)), "lr": cur_lr,
                   "elapsed_s": round(state["elapsed_s"], 1), "steps_per_s": round(len(losses) / (now - t_log), 4)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            bar.set_postfix(loss=f"{rec['loss']:.4f}")
            state["loss"] = rec["loss"]
            losses, t_log = [], now
        if time.time() - last_ckpt > ckpt_minutes * 60:
            save_checkpoint()
            last_ckpt = time.time()
    bar.close()
    save_checkpoint()
    log.close()
    export_pipeline(run, run / "pipeline")
    return state


def register(world_app: typer.Typer) -> None:
    @world_app.command("train")
    def train_cmd(
        steps: int = typer.Option(100_000, help="stop after this many optimizer steps"),
        batch: int = typer.Option(32, help="batch size"),
        size: int = typer.Option(32, help="image side in pixels"),
        out: str = typer.Option("runs/world", help="run directory (checkpoints, log, final pipeline)"),
        resume: bool = typer.Option(False, help="continue from the run directory's checkpoint"),
        minutes: float = typer.Option(None, help="stop after this much wall time (total, across resumes)"),
        seed: int = typer.Option(0, help="seed of initialisation, noise and data order"),
        lr: float = typer.Option(1e-3, help="peak learning rate"),
        threads: int = typer.Option(2, help="torch CPU threads"),
        preset: str = typer.Option("default", help="model: default | text (adds a pooled-text path) | tiny | tiny-text"),
        ckpt_minutes: float = typer.Option(5.0, help="checkpoint every this many minutes"),
        pool: int = typer.Option(8000, help="distinct training scenes, reused cyclically (0 = all fresh)"),
        export_only: bool = typer.Option(False, help="only export the latest EMA checkpoint to OUT/pipeline"),
        captions: str = typer.Option(None, help="train on a recaptioned dataset (`limner recaption` folder "
                                     "or its manifest.json) instead of the corpus's own captions"),
        caption_column: str = typer.Option("caption", help="with --captions: the column to train on "
                                           "(caption = the blend; short, descriptive, original)"),
        init: str = typer.Option(None, help="start from this pipeline folder's weights (e.g. the shipped "
                                 "model) instead of random ones"),
        layout_drop: float = typer.Option(0.25, help="fraction of batch rows trained with the text alone "
                                          "(layout channels dropped; 0.05 more drop both)"),
    ) -> None:
        """Train the embedded world model (text + layout-sketch conditioned pixel diffusion)."""
        if export_only:
            typer.echo(str(export_pipeline(out, Path(out) / "pipeline")))
            return
        state = train(out, steps=steps, batch=batch, size=size, minutes=minutes, resume=resume, seed=seed,
                      lr=lr, threads=threads, preset=preset, ckpt_minutes=ckpt_minutes, pool=pool,
                      captions=captions, caption_column=caption_column, init=init, layout_drop=layout_drop)
        typer.echo(f"step={state['step']} loss={state.get('loss', float('nan')):.4f} "
                   f"elapsed_s={state['elapsed_s']:.0f} pipeline={Path(out) / 'pipeline'}")
