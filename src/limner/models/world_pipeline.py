"""`WorldPipeline`: sample the embedded world model (text + layout sketch → pixels).

A diffusers ``DiffusionPipeline`` with four components: ``unet`` (pixel-space
``UNet2DConditionModel`` whose input is the noisy image plus the layout channels of
:mod:`limner.models.condition`), ``text_encoder`` (tiny ``CLIPTextModel``), ``tokenizer``
(:class:`~limner.models.tokenizer.WorldTokenizer`) and ``scheduler`` (default DPM-Solver++ 2M,
v-prediction, cosine betas; swappable the diffusers way:
``pipe.scheduler = EulerDiscreteScheduler.from_config(pipe.scheduler.config)``).

Guidance is classifier-free with two scales (as InstructPix2Pix does for its two conditions)::

    ε̂ = ε(∅,∅) + s_text·(ε(text,∅) − ε(∅,∅)) + s_layout·(ε(text,layout) − ε(text,∅))

Without a layout only the text term is used. One ``torch.Generator`` per image makes every image
reproducible from its own seed, independent of batch composition.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from diffusers import DiffusionPipeline, DPMSolverMultistepScheduler
from diffusers.utils import BaseOutput

from ..schema import Layout
from .condition import NUM_CHANNELS, layout_to_condition
from .tokenizer import WorldTokenizer


def default_scheduler() -> DPMSolverMultistepScheduler:
    return DPMSolverMultistepScheduler(
        num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction",
        algorithm_type="dpmsolver++", solver_order=2, final_sigmas_type="zero", lower_order_final=True,
    )


class WorldPipelineOutput(BaseOutput):
    images: Any  # list[PIL.Image.Image] or np.ndarray (N, H, W, 3) in [0, 1]


class WorldPipeline(DiffusionPipeline):
    model_cpu_offload_seq = "text_encoder->unet"

    def __init__(self, unet, text_encoder, tokenizer: WorldTokenizer, scheduler):
        super().__init__()
        self.register_modules(unet=unet, text_encoder=text_encoder, tokenizer=tokenizer, scheduler=scheduler)

    @classmethod
    def from_pretrained(cls, path: str | Path, torch_dtype: torch.dtype | None = torch.float32, **_: Any):
        """Load a pipeline folder written by :meth:`save_pretrained` (local folders only)."""
        from diffusers import SchedulerMixin, UNet2DConditionModel
        from transformers import CLIPTextModel

        import json

        p = Path(path)
        index = json.loads((p / "model_index.json").read_text())
        unet = UNet2DConditionModel.from_pretrained(str(p / "unet"), torch_dtype=torch_dtype)
        from transformers.utils import logging as hf_logging

        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # a 52-tensor model needs no "Loading weights" bar
        try:
            te = CLIPTextModel.from_pretrained(str(p / "text_encoder"), dtype=torch_dtype)
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        tok = WorldTokenizer.from_pretrained(str(p / "tokenizer"))
        sched_cls = getattr(__import__("diffusers"), index["scheduler"][1])
        sched = sched_cls.from_pretrained(str(p / "scheduler"))
        assert isinstance(sched, SchedulerMixin)
        return cls(unet=unet.eval(), text_encoder=te.eval(), tokenizer=tok, scheduler=sched)

    def save_pretrained(self, save_directory: str | Path, **kwargs: Any) -> None:
        """diffusers' save_pretrained plus the word tokenizer (which diffusers cannot save itself)."""
        import json

        super().save_pretrained(str(save_directory), **kwargs)
        d = Path(save_directory)
        self.tokenizer.save_pretrained(d / "tokenizer")
        index = json.loads((d / "model_index.json").read_text())
        index["tokenizer"] = ["limner.models.tokenizer", "WorldTokenizer"]
        (d / "model_index.json").write_text(json.dumps(index, indent=2, sort_keys=True))

    @property
    def native_size(self) -> int:
        return int(self.unet.config.sample_size)

    @torch.no_grad()
    def encode_prompt(self, prompts: list[str]) -> torch.Tensor:
        ids = self.tokenizer(prompts, return_tensors="pt")["input_ids"].to(self.unet.device)
        return self.text_encoder(ids).last_hidden_state.to(self.unet.dtype)

    @torch.no_grad()
    def __call__(
        self,
        prompt: str | list[str],
        layout: Layout | list[Layout | None] | None = None,
        num_inference_steps: int = 20,
        guidance_scale: float = 3.0,
        layout_guidance_scale: float = 2.0,
        negative_prompt: str | list[str] | None = None,
        generator: torch.Generator | list[torch.Generator] | None = None,
        num_images_per_prompt: int = 1,
        output_type: str = "pil",
        callback_on_step_end: Callable[[Any, int, int, dict], dict | None] | None = None,
        progress: bool = False,
        prompt_embeds: torch.Tensor | None = None,
        negative_prompt_embeds: torch.Tensor | None = None,
    ) -> WorldPipelineOutput:
        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        prompts = [p for p in prompts for _ in range(num_images_per_prompt)]
        n = len(prompts)
        layouts = layout if isinstance(layout, list) else [layout] * (n // num_images_per_prompt)
        layouts = [lay for lay in layouts for _ in range(num_images_per_prompt)] if len(layouts) != n else layouts
        if len(layouts) != n:
            raise ValueError(f"got {len(layouts)} layouts for {n} prompts")
        negs = negative_prompt if isinstance(negative_prompt, list) else [negative_prompt or ""] * n
        if len(negs) != n:
            negs = [g for g in negs for _ in range(num_images_per_prompt)]
        size = self.native_size
        dev, dtype = self.unet.device, self.unet.dtype

        cond = torch.from_numpy(np.stack([layout_to_condition(lay, size) for lay in layouts])).to(dev, dtype)
        has_layout = torch.tensor([lay is not None and bool(lay.objects) for lay in layouts], device=dev)
        use_layout_branch = bool(has_layout.any()) and layout_guidance_scale != 1.0
        # prompt_embeds / negative_prompt_embeds (one row per image) replace the text encoder's
        # states, as in diffusers; limner's SUR-adapter (limner.adapter) passes its adapted states here
        text = self.encode_prompt(prompts) if prompt_embeds is None else prompt_embeds.to(dev, dtype)
        uncond = self.encode_prompt(negs) if negative_prompt_embeds is None else negative_prompt_embeds.to(dev, dtype)

        gens = generator if isinstance(generator, list) else [generator] * n
        if len(gens) != n:
            raise ValueError(f"need one generator per image ({n}), got {len(gens)}")
        latents = torch.stack([
            torch.randn((3, size, size), generator=g, dtype=torch.float32) for g in gens
        ]).to(dev, dtype)
        self.scheduler.set_timesteps(num_inference_steps, device=dev)
        latents = latents * self.scheduler.init_noise_sigma
        # batched CFG branches: (neg, no layout), (text, no layout), (text, layout)
        hid, cnd = guidance_batch(uncond, text, cond, use_layout_branch)
        timesteps = self.scheduler.timesteps
        for i, t in enumerate(self.progress_bar(timesteps) if progress else timesteps):
            x = self.scheduler.scale_model_input(latents, t)
            k = hid.shape[0] // n
            out = self.unet(torch.cat([x.repeat(k, 1, 1, 1), cnd], 1), t, encoder_hidden_states=hid).sample
            pred = guided_prediction(out, guidance_scale, layout_guidance_scale, use_layout_branch)
            latents = self.scheduler.step(pred, t, latents).prev_sample
            if callback_on_step_end is not None:
                res = callback_on_step_end(self, i, int(t), {"latents": latents})
                if res and "latents" in res:
                    latents = res["latents"]
        img = ((latents.float().clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).cpu().numpy()
        if output_type == "np":
            return WorldPipelineOutput(images=img)
        from PIL import Image

        return WorldPipelineOutput(images=[Image.fromarray((a * 255 + 0.5).astype(np.uint8)) for a in img])


def guidance_batch(uncond, text, cond, layout_branch: bool):
    """Text states and condition channels of the batched classifier-free-guidance branches:
    (negative, no layout), (text, no layout), (text, layout) with a layout branch, else
    (negative, layout), (text, layout) — the same layout (or zeros) in both."""
    if layout_branch:
        zero = torch.zeros_like(cond)
        return torch.cat([uncond, text, text]), torch.cat([zero, zero, cond])
    return torch.cat([uncond, text]), torch.cat([cond, cond])


def guided_prediction(out, guidance_scale: float, layout_guidance_scale: float, layout_branch: bool):
    """The guided noise prediction from the UNet's output on :func:`guidance_batch`'s branches."""
    if layout_branch:
        e_u, e_t, e_tl = out.chunk(3)
        # rows without a layout have e_tl == e_t (zero channels), so the last term vanishes
        return e_u + guidance_scale * (e_t - e_u) + layout_guidance_scale * (e_tl - e_t)
    e_u, e_t = out.chunk(2)
    return e_u + guidance_scale * (e_t - e_u)
