"""Instruction editing (InstructPix2Pix) through diffusers (``limner edit --backend diffusers``).

``StableDiffusionInstructPix2PixPipeline`` (or the SDXL one, chosen from the model's
``model_index.json``) edits a source image by an instruction with two guidance scales:
``guidance_scale`` (text, default 7.5) and ``image_guidance_scale`` (faithfulness to the source,
default 1.5), as in Brooks et al. The source is used at its own size, rounded down to a multiple of
8 (resized if needed; the record gives the size used).

Example::

    from limner.image import get_edit_backend
    be = get_edit_backend("diffusers", model="timbrooks/instruct-pix2pix", device="cuda",
                          dtype="float16")
    out = be.edit(Image.open("cat.png"), "make it winter", seeds=[0])
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from ..errors import InputError
from .base import BackendOutput, Capabilities, EditBackend
from .diffusers_common import (
    DiffusersModel,
    check_size,
    require_diffusers,
    run_pipeline,
)

OPTIONS = frozenset({"scheduler", "negative_prompt", "batch_size"})


def _load_ip2p(class_name: str | None):
    def load(load_from: str, **kwargs: Any):
        _, diffusers = require_diffusers()
        name = (class_name if class_name and "InstructPix2Pix" in class_name
                else "StableDiffusionInstructPix2PixPipeline")
        return getattr(diffusers, name).from_pretrained(load_from, **kwargs)

    return load


def _source_image(image: Any):
    from PIL import Image

    if not isinstance(image, Image.Image):
        raise InputError(f"the image to edit must be a PIL image, got {type(image).__name__}")
    im = image.convert("RGB")
    w, h = (im.width // 8) * 8, (im.height // 8) * 8
    check_size(w, h)
    if (w, h) != im.size:
        im = im.resize((w, h), Image.Resampling.LANCZOS)
    return im


class DiffusersEditBackend(DiffusersModel, EditBackend):
    """InstructPix2Pix editing. ``model``: hub id or local folder; see :class:`DiffusersModel`."""

    id = "diffusers"
    capabilities = Capabilities(needs_model=True,
                                init_options=frozenset({"model", "device", "dtype", "scheduler", "variant"}),
                                options=OPTIONS, size_multiple=8)

    def __init__(self, model: str | None = None, device: str = "cpu", dtype: str = "float32",
                 scheduler: str | None = None, variant: str | None = None):
        super().__init__(model, device=device, dtype=dtype, scheduler=scheduler, variant=variant)
        name = self.resolved.class_name
        if name and "InstructPix2Pix" not in name:
            raise InputError(f"'{self.resolved.id}' is a {name}, not an InstructPix2Pix pipeline "
                             "(e.g. timbrooks/instruct-pix2pix)")

    def edit(
        self,
        image: Any,
        instruction: str,
        *,
        seeds: list[int],
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        image_guidance_scale: float | None = None,
        callback: Callable[[int, int], None] | None = None,
        **options: Any,
    ) -> BackendOutput:
        if not str(instruction).strip():
            raise InputError("instruction must not be empty")
        opts = self.capabilities.check_options(f"{self.id} edit", options)
        src = _source_image(image)
        steps = int(num_inference_steps or 20)
        cfg = float(7.5 if guidance_scale is None else guidance_scale)
        icfg = float(1.5 if image_guidance_scale is None else image_guidance_scale)
        entry = self.load("ip2p", _load_ip2p(self.resolved.class_name))
        images, sched = run_pipeline(
            entry, scheduler=opts.get("scheduler", self.scheduler), seeds=list(seeds),
            device=self.device, num_inference_steps=steps, batch_size=opts.get("batch_size", 1),
            callback=callback, prompt=instruction, image=src,
            negative_prompt=opts.get("negative_prompt") or None, guidance_scale=cfg,
            image_guidance_scale=icfg,
        )
        info = self.model_record()
        info.setdefault("pipeline", type(entry.pipe).__name__)
        extra: dict[str, Any] = {
            "scheduler": sched, "device": self.device, "dtype": self.dtype,
            "source_size": list(image.size),
            "source_sha256": hashlib.sha256(src.tobytes()).hexdigest(),
        }
        if int(opts.get("batch_size", 1)) > 1:
            extra["batch_size"] = int(opts["batch_size"])
        return BackendOutput(images=images, seeds=[int(s) for s in seeds], model=info,
                             num_inference_steps=steps, guidance_scale=cfg, width=src.width,
                             height=src.height, image_guidance_scale=icfg,
                             # also in extra while edit/pipeline.py reads it from there
                             extra=extra | {"image_guidance_scale": icfg})
