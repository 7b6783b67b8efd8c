"""`limner adapter train`: train a SUR-adapter against a frozen diffusion model (CPU-friendly).

Per step, for a batch of (simple, complex, image) triples:

* ``states_s``/``states_c`` = frozen text encoder on the simple/complex prompts;
* ``adapted, aux = adapter(states_s, llm(simple))``;
* denoising loss: the frozen UNet on the noised image, conditioned on ``adapted`` (text path, no
  layout), MSE to the scheduler's target — its gradient reaches the adapter through the frozen UNet
  (``--no-denoise-grad`` detaches it, the paper code's defect, kept as an ablation);
* alignment loss: KL(softmax(states_c) ‖ softmax(adapted)) per token over feature channels (the
  paper's; ``--align-loss mse`` regresses the states directly instead);
* distillation loss: KL(softmax(projected LLM vector) ‖ softmax(transformer output)) per token.

Loss weights are options (the paper used 1 : 1e-5 : 1e-5 at SD scale; limner's defaults were chosen
for the 128-wide world text encoder and are recorded in the run's config). Data order and noise are
functions of (seed, step), so ``--resume`` continues exactly; checkpoints every ``--ckpt-minutes``.

Run directory ``OUT``: ``config.json``, ``log.jsonl``, ``checkpoint/`` (adapter, optimizer, state) and
``adapter.safetensors`` (the trained adapter; its sha256 goes into every PNG made with it).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

MAX_BAD_STEPS = 20  # consecutive non-finite losses before training stops with one line


@dataclass
class TrainOptions:
    out: str = "out"
    base: str | None = None  # None/"embedded": the world model; else a diffusers folder
    data: str = "world"  # "world" or a folder with metadata.jsonl
    n_train: int = 400
    steps: int = 100_000
    minutes: float | None = None
    batch: int = 8
    lr: float = 1e-3  # 3e-3 diverged (loss not finite at step 930) once the world model's text path worked
    w_denoise: float = 1.0
    w_align: float = 0.1
    w_distill: float = 0.01
    align_loss: str = "kl"  # "kl" (the paper: softmax over channels, per token) or "mse" (states directly)
    denoise_grad: bool = True
    learned_projection: bool = True
    llm_input: bool = True
    llm: str = "embedded"  # "embedded", a GGUF path, or "none"
    llm_pooling: str = "mean"  # "mean" (the paper) or "last" (the last token's state)
    eta: float = 0.5
    layers: int = 2
    heads: int = 8
    seed: int = 0
    ckpt_minutes: float = 4.0
    threads: int = 1
    plain_fraction: float = 0.1
    resume: bool = False


def training_triples(opts: TrainOptions):
    from .data import load_folder, world_triples

    if opts.data == "world":
        return world_triples(opts.n_train, "seen", plain_fraction=opts.plain_fraction, seed=opts.seed)
    return load_folder(opts.data)


def llm_vectors(opts: TrainOptions, texts: list[str], progress: bool, cache_dir: str | None = None) -> np.ndarray:
    if opts.llm == "none":
        return np.zeros((len(texts), 1), np.float32)
    from .features import LLMFeatures

    return LLMFeatures(opts.llm, cache_dir=cache_dir, pooling=opts.llm_pooling)(texts, progress=progress)


def train(opts: TrainOptions, progress: bool = True, callback: Callable[[int, dict], None] | None = None,
          feature_cache: str | None = None) -> dict:
    import torch
    import torch.nn.functional as F
    from safetensors.torch import load_file
    from tqdm import tqdm

    from .bases import load_base, target_for
    from .data import render_triple
    from .model import AdapterConfig, SURAdapter, save_adapter

    run = Path(opts.out)
    ck = run / "checkpoint"
    if opts.resume and (run / "config.json").exists():
        saved = json.loads((run / "config.json").read_text())
        keep = {"minutes": opts.minutes, "steps": opts.steps, "threads": opts.threads}
        opts = TrainOptions(**{**saved, **{k: v for k, v in keep.items() if v is not None}, "resume": True})
    ck.mkdir(parents=True, exist_ok=True)
    (run / "config.json").write_text(json.dumps(asdict(opts), indent=2))
    torch.set_num_threads(opts.threads)
    torch.manual_seed(opts.seed)

    triples = training_triples(opts)
    llm = torch.from_numpy(llm_vectors(opts, [t.simple for t in triples], progress, feature_cache))
    base = load_base(opts.base)
    use_llm = opts.llm != "none"
    cfg = AdapterConfig(text_dim=base.text_dim, llm_dim=int(llm.shape[1]), layers=opts.layers, heads=opts.heads,
                        eta=opts.eta, llm_input=opts.llm_input and use_llm,
                        llm_model=opts.llm, llm_pooling=opts.llm_pooling, base_model=base.identity())
    adapter = SURAdapter(cfg)
    if use_llm:
        adapter.llm_mean.copy_(llm.mean(0))
        adapter.llm_std.copy_(llm.std(0).clamp_min(1e-4))
    adapter.proj.requires_grad_(opts.learned_projection)
    params = [p for p in adapter.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=opts.lr, weight_decay=0.01)
    state = {"step": 0, "elapsed_s": 0.0}
    if opts.resume and (ck / "state.json").exists():
        adapter.load_state_dict(load_file(str(ck / "adapter.safetensors")))
        opt.load_state_dict(torch.load(str(ck / "optimizer.pt"), weights_only=True))
        state = json.loads((ck / "state.json").read_text())

    def save_checkpoint():
        save_adapter(adapter, ck / "adapter.safetensors")
        torch.save(opt.state_dict(), str(ck / "optimizer.pt"))
        (ck / "state.json").write_text(json.dumps(state, indent=2))

    images: dict[int, torch.Tensor] = {}
    sched = base.scheduler
    n = len(triples)
    t_start = time.time() - state["elapsed_s"]
    last_ckpt = time.time()
    budget = opts.minutes * 60 if opts.minutes else None
    log = open(run / "log.jsonl", "a")
    acc: dict[str, list[float]] = {}
    bar = tqdm(total=opts.steps, initial=state["step"], disable=not progress, desc="adapter train")
    adapter.train()
    bad_steps = 0
    while state["step"] < opts.steps:
        if budget is not None and time.time() - t_start > budget:
            break
        step = state["step"]
        rng = np.random.default_rng([opts.seed, step])
        idx = rng.choice(n, size=min(opts.batch, n), replace=False)
        batch = [triples[i] for i in idx]
        s_states = base.encode([t.simple for t in batch])
        adapted, aux = adapter(s_states, llm[idx] if use_llm else None, return_aux=True)
        losses = {}
        if opts.w_align:
            c_states = base.encode([t.complex for t in batch])
            if opts.align_loss == "mse":
                losses["align"] = F.mse_loss(adapted, c_states)
            else:
                losses["align"] = F.kl_div(F.log_softmax(adapted, -1).flatten(0, 1),  # log-space
                                           F.log_softmax(c_states, -1).flatten(0, 1),  # target: no 0·log 0
                                           reduction="batchmean", log_target=True)
        if opts.w_distill and use_llm:
            h, v = aux["hidden"], aux["llm"][:, None].expand_as(aux["hidden"])
            losses["distill"] = F.kl_div(F.log_softmax(h, -1).flatten(0, 1), F.log_softmax(v, -1).flatten(0, 1),
                                         reduction="batchmean", log_target=True)
        if opts.w_denoise and opts.denoise_grad:
            # (with --no-denoise-grad the paper code's loss carries no gradient to the adapter:
            # skipping the UNet then changes nothing but the time it takes)
            for i in idx:
                if int(i) not in images:
                    images[int(i)] = torch.from_numpy(render_triple(triples[int(i)], base.size))
            x0 = base.x0(torch.stack([images[int(i)] for i in idx]))
            g = torch.Generator().manual_seed(opts.seed * 1_000_003 + step)
            noise = torch.randn(x0.shape, generator=g)
            t = torch.randint(0, sched.config.num_train_timesteps, (len(idx),), generator=g)
            pred = base.predict(sched.add_noise(x0, noise, t), t, adapted)
            losses["denoise"] = F.mse_loss(pred.float(), target_for(sched, x0, noise, t))
        weights = {"denoise": opts.w_denoise, "align": opts.w_align, "distill": opts.w_distill}
        total = sum(weights[k] * v for k, v in losses.items())
        opt.zero_grad(set_to_none=True)
        if isinstance(total, torch.Tensor) and not torch.isfinite(total):
            # one bad batch is skipped (no update: the weights stay finite); a run of them means
            # the weights themselves diverged
            bad_steps += 1
            if bad_steps >= MAX_BAD_STEPS:
                from ..errors import LimnerError

                # the last checkpoint (before the blow-up) stays as it was; nothing is exported
                raise LimnerError(f"adapter training diverged at step {step} (loss is not finite); "
                                  f"train again with a lower --lr than {opts.lr}")
            state["skipped_steps"] = state.get("skipped_steps", 0) + 1
            state["step"] = step + 1
            bar.update(1)  # the step is spent (counted against --steps), so the bar moves too
            continue
        bad_steps = 0
        if isinstance(total, torch.Tensor) and total.requires_grad:
            total.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        for k, v in losses.items():
            acc.setdefault(k, []).append(float(v.detach()))
        state["step"] = step + 1
        state["elapsed_s"] = time.time() - t_start
        bar.update(1)
        if state["step"] % 10 == 0:
            rec = {"step": state["step"], "elapsed_s": round(state["elapsed_s"], 1),
                   **{k: round(float(np.mean(v)), 5) for k, v in acc.items()}}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            bar.set_postfix({k: f"{np.mean(v):.4f}" for k, v in acc.items()})
            state["losses"] = {k: rec[k] for k in acc}
            acc = {}
            if callback is not None:
                callback(state["step"], rec)
        if time.time() - last_ckpt > opts.ckpt_minutes * 60:
            save_checkpoint()
            last_ckpt = time.time()
    bar.close()
    log.close()
    save_checkpoint()
    adapter.eval()
    sha = save_adapter(adapter, run / "adapter.safetensors",
                       extra={"step": state["step"], "elapsed_s": round(state["elapsed_s"], 1),
                              "options": asdict(opts)})
    return {**state, "adapter": str(run / "adapter.safetensors"), "sha256": sha}
