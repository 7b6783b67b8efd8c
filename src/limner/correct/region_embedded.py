"""Regenerate part of an embedded-world image: re-noise inside the mask, hold the rest.

Blended sampling (as diffusers' inpainting with a plain UNet, and RePaint): sampling starts from
pure noise; after every solver step the held pixels are replaced by the original image noised to
the next step's level (``x_t = sqrt(ᾱ_t)·x_0 + sqrt(1-ᾱ_t)·ε``, one fixed ε), so the model always
sees the true surroundings and draws the region to fit them. The conditioning is the *corrected*
layout painted into the model's layout channels (:func:`limner.models.condition.layout_to_condition`)
plus the text, with the same two guidance scales as generation. At the end, pixels outside the
mask are copied from the original as bytes, so the held part is exactly unchanged.

Uses the pipeline's own components (``unet``, ``scheduler`` config, ``text_encoder`` through
``encode_prompt``); torch is imported lazily.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..schema import Layout


def regenerate_region(
    image: Any,
    mask: np.ndarray,
    *,
    prompt: str,
    layout: Layout | None,
    seed: int,
    num_inference_steps: int = 10,
    guidance_scale: float = 3.0,
    layout_guidance_scale: float = 1.0,
    negative_prompt: str = "",
    weights: str | None = None,
) -> Any:
    """A new PIL image: ``image`` with the ``mask`` (bool, H×W, True = redraw) region redrawn."""
    from .._deps import require

    torch = require("torch", "region correction with the embedded model")
    from diffusers import DPMSolverMultistepScheduler
    from PIL import Image

    from ..image.embedded import WEIGHTS_DIR, load_pipeline
    from ..models.condition import layout_to_condition
    from ..models.world_pipeline import guidance_batch, guided_prediction

    pipe = load_pipeline(weights or str(WEIGHTS_DIR))
    size = pipe.native_size
    src = image.convert("RGB")
    if src.size != (size, size):
        src = src.resize((size, size), Image.NEAREST)
    old = np.asarray(src, np.uint8)
    if mask.shape != (size, size):
        mask = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize((size, size), Image.NEAREST)) > 0
    if not mask.any():
        return src.copy()
    dev, dtype = pipe.unet.device, pipe.unet.dtype
    x0 = torch.from_numpy(old.astype(np.float32) / 127.5 - 1.0).permute(2, 0, 1)[None].to(dev, dtype)
    m = torch.from_numpy(mask.astype(np.float32))[None, None].to(dev, dtype)
    use_layout = layout if (layout is not None and layout.objects) else None
    cond = torch.from_numpy(layout_to_condition(use_layout, size))[None].to(dev, dtype)
    text = pipe.encode_prompt([prompt])
    uncond = pipe.encode_prompt([negative_prompt or ""])
    branch = use_layout is not None and layout_guidance_scale != 1.0
    hid, cnd = guidance_batch(uncond, text, cond, branch)
    sched = DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)
    sched.set_timesteps(num_inference_steps, device=dev)
    acp = sched.alphas_cumprod.to(dev, torch.float32)
    g = torch.Generator().manual_seed(int(seed))
    latents = torch.randn((1, 3, size, size), generator=g, dtype=torch.float32).to(dev, dtype)
    held_noise = torch.randn((1, 3, size, size), generator=g, dtype=torch.float32).to(dev, dtype)
    latents = latents * sched.init_noise_sigma
    ts = sched.timesteps
    with torch.no_grad():
        for i, t in enumerate(ts):
            x = sched.scale_model_input(latents, t)
            k = hid.shape[0]
            out = pipe.unet(torch.cat([x.repeat(k, 1, 1, 1), cnd], 1), t, encoder_hidden_states=hid).sample
            pred = guided_prediction(out, guidance_scale, layout_guidance_scale, branch)
            latents = sched.step(pred, t, latents).prev_sample
            if i + 1 < len(ts):
                a = acp[int(ts[i + 1])]
                known = a.sqrt() * x0 + (1 - a).sqrt() * held_noise
            else:
                known = x0
            latents = m * latents + (1 - m) * known
    new = ((latents.float().clamp(-1, 1) + 1) / 2)[0].permute(1, 2, 0).cpu().numpy()
    new8 = (new * 255 + 0.5).astype(np.uint8)
    out8 = np.where(mask[:, :, None], new8, old)
    return Image.fromarray(out8)


__all__ = ["regenerate_region"]
