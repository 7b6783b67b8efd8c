"""Regenerate part of a Stable Diffusion-class image with a diffusers **inpainting** pipeline.

The model of the image's recipe is loaded as text-to-image and turned into
``AutoPipelineForInpainting.from_pipe`` (the same weights; a plain 4-channel UNet is blended
outside the mask at every step, a 9-channel inpainting UNet is conditioned on the masked image).
Each region is redrawn on its own, prompted with the phrases of the plan objects it should hold
(SLD's per-box regeneration), or with the background when an object is to be removed. Pixels
outside the mask are then copied back from the original as bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..schema import Layout


def _load(model: str, device: str, dtype: str):
    from .._deps import require

    require("torch", "region correction with diffusers")
    diffusers = require("diffusers", "region correction with diffusers")
    from ..image.diffusers_common import cached_pipeline, parse_device, parse_dtype, torch_dtype
    from ..image.diffusers_models import resolve_model

    dev, dt = parse_device(device), parse_dtype(dtype)
    res = resolve_model(model)

    def load():
        t2i = diffusers.AutoPipelineForText2Image.from_pretrained(res.load_from, dtype=torch_dtype(dt))
        return diffusers.AutoPipelineForInpainting.from_pipe(t2i)

    return cached_pipeline(("inpaint", res.id, None, dev, dt), load, dev).pipe, dev


def _boxes_of(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Connected rectangles of the mask (pixel xyxy, exclusive ends)."""
    from scipy import ndimage

    lab, n = ndimage.label(mask)
    out = []
    for sl in ndimage.find_objects(lab):
        if sl is not None:
            out.append((sl[1].start, sl[0].start, sl[1].stop, sl[0].stop))
    return out


def regenerate_region(
    image: Any,
    mask: np.ndarray,
    *,
    prompt: str,
    layout: Layout | None,
    seed: int,
    num_inference_steps: int = 30,
    guidance_scale: float = 7.5,
    negative_prompt: str = "",
    model: str | None = None,
    device: str = "cpu",
    dtype: str = "float32",
    **_: Any,
) -> Any:
    import torch
    from PIL import Image

    if model is None:
        from ..errors import InputError

        raise InputError("region correction with diffusers needs the image's model (--model)")
    pipe, dev = _load(model, device or "cpu", dtype or "float32")
    src = image.convert("RGB")
    old = np.asarray(src, np.uint8)
    h, w = mask.shape
    cur = src
    for k, (x0, y0, x1, y1) in enumerate(_boxes_of(mask)):
        region = np.zeros_like(mask)
        region[y0:y1, x0:x1] = mask[y0:y1, x0:x1]
        inside = [o for o in (layout.objects if layout else [])
                  if not (o.box[2] * w <= x0 or o.box[0] * w >= x1 or o.box[3] * h <= y0 or o.box[1] * h >= y1)]
        text = ", ".join(o.phrase() for o in inside) if inside else f"empty background, {layout.background if layout else ''}"
        neg = negative_prompt if inside else ", ".join(filter(None, [negative_prompt, "object"]))
        gen = torch.Generator(device="cpu").manual_seed(int(seed) + k)
        out = pipe(prompt=f"{text}, {prompt}" if inside else text, negative_prompt=neg or None, image=cur,
                   mask_image=Image.fromarray(region.astype(np.uint8) * 255), height=h, width=w,
                   num_inference_steps=int(num_inference_steps), guidance_scale=float(guidance_scale),
                   generator=gen, strength=1.0).images[0]
        new = np.asarray(out.convert("RGB").resize((w, h)), np.uint8)
        cur = Image.fromarray(np.where(region[:, :, None], new, np.asarray(cur, np.uint8)))
    final = np.where(mask[:, :, None], np.asarray(cur, np.uint8), old)
    return Image.fromarray(final)


__all__ = ["regenerate_region"]
