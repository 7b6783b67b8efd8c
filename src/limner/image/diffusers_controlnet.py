"""Sketch-conditioned generation (Control-GPT) through a diffusers ControlNet.

The planned :class:`~limner.schema.Layout` is rendered to a sketch (filled object shapes on a
plain background, no labels) at the generation size and given to
``StableDiffusionControlNetPipeline`` (or its SDXL sibling, chosen by ``AutoPipelineForText2Image``)
as the control image; the prompt carries the text. Reached through
``DiffusersBackend.generate(..., layout=..., controlnet="ID_OR_PATH")``.

Options: ``controlnet_conditioning_scale`` (default 1.0), ``control_guidance_start`` (0.0),
``control_guidance_end`` (1.0).
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..schema import Layout
from .base import BackendOutput
from .diffusers_common import check_size, default_size, require_diffusers


def render_sketch(layout: Layout, size: tuple[int, int]):
    """The plan's sketch at the generation size: filled shapes, no text labels (a ControlNet
    trained on scribbles/segmentation maps reads shapes, and text would be drawn as shapes)."""
    from ..plan import render_sketch as plan_render

    return plan_render(layout, size=size, labels=False, filled=True).convert("RGB")


def _load_controlnet_pipeline(controlnet_from: str):
    def load(load_from: str, **kwargs: Any):
        _, diffusers = require_diffusers()
        # the base model's variant (e.g. fp16) need not exist for the ControlNet
        cn_kwargs = {k: v for k, v in kwargs.items() if k != "variant"}
        cn = diffusers.ControlNetModel.from_pretrained(controlnet_from, **cn_kwargs)
        return diffusers.AutoPipelineForText2Image.from_pretrained(load_from, controlnet=cn,
                                                                   **kwargs)

    return load


def generate_controlnet(backend, *, layout: Layout, controlnet: str, opts: dict[str, Any],
                        width: int | None, height: int | None, **call: Any) -> BackendOutput:
    """Render the sketch and run the ControlNet pipeline (see module docstring)."""
    cn = backend.resolve_extra_model(str(controlnet), "controlnet", marker="config.json")
    entry = backend.load("controlnet", _load_controlnet_pipeline(cn.load_from), controlnet=cn)
    dw, dh = default_size(entry.pipe)
    w, h = int(width or dw), int(height or dh)
    check_size(w, h)
    sketch = render_sketch(layout, (w, h))
    scale = float(opts.get("controlnet_conditioning_scale", 1.0))
    start = float(opts.get("control_guidance_start", 0.0))
    end = float(opts.get("control_guidance_end", 1.0))
    model = backend.model_record()
    model["controlnet"] = backend.model_record(cn)
    extra = {
        "layout_used": True,
        "conditioning": "controlnet-sketch",
        "controlnet": cn.id,
        "controlnet_conditioning_scale": scale,
        "control_guidance_start": start,
        "control_guidance_end": end,
        "sketch_sha256": hashlib.sha256(sketch.tobytes()).hexdigest(),
    }
    return backend.finish(entry, width=w, height=h, opts=opts, model=model, extra=extra,
                          sketch=sketch, image=sketch, controlnet_conditioning_scale=scale,
                          control_guidance_start=start, control_guidance_end=end, **call)
