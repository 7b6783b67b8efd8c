"""Text-to-image through diffusers: SD 1.x/2.x, SDXL, SD-Turbo/SDXL-Turbo (``--backend diffusers``).

One backend, three paths, chosen per call:

* ``controlnet=ID_OR_PATH`` and a layout → sketch-conditioned generation (Control-GPT), in
  :mod:`limner.image.diffusers_controlnet`;
* ``gligen=True`` (the model itself is a GLIGEN pipeline) or ``gligen=ID_OR_PATH`` and a layout →
  box-grounded generation (LMD+/LayoutGPT), in :mod:`limner.image.diffusers_gligen`;
* otherwise plain text-to-image; a layout given here is not used, and the record says so
  (``extra.layout_used = false``).

Per-call options (``**options`` of :meth:`DiffusersBackend.generate`; None values are ignored,
unknown names are an error): ``scheduler``, ``controlnet``, ``gligen``, ``batch_size`` (default 1:
each image is reproducible from its own record; >1 batches on a GPU),
``controlnet_conditioning_scale``, ``control_guidance_start``, ``control_guidance_end``,
``gligen_scheduled_sampling_beta``. Defaults: 30 steps at CFG 7.5 (SD/SDXL), 1 step at CFG 0
(ids or paths containing "turbo"); size from the model (unet sample size × VAE factor).

Example::

    from limner.image import get_image_backend
    be = get_image_backend("diffusers", model="stabilityai/sd-turbo", device="cuda",
                           dtype="float16", scheduler="euler_a")
    out = be.generate("a red cat on a blue sofa", seeds=[1, 2])
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import InputError
from ..schema import Layout
from .base import BackendOutput, Capabilities, ImageBackend
from .diffusers_common import (
    DiffusersModel,
    check_size,
    default_size,
    default_steps_guidance,
    require_diffusers,
    run_pipeline,
)
from .diffusers_models import resolve_model

GLIGEN_CLASSES = {"StableDiffusionGLIGENPipeline", "StableDiffusionGLIGENTextImagePipeline"}

OPTIONS = frozenset({
    "scheduler", "controlnet", "gligen", "batch_size",
    "controlnet_conditioning_scale", "control_guidance_start", "control_guidance_end",
    "gligen_scheduled_sampling_beta", "adapter",
})


def _load_t2i(load_from: str, **kwargs: Any):
    _, diffusers = require_diffusers()
    return diffusers.AutoPipelineForText2Image.from_pretrained(load_from, **kwargs)


class DiffusersBackend(DiffusersModel, ImageBackend):
    """Stable Diffusion-class text-to-image, sketch-conditioned (ControlNet) or box-grounded (GLIGEN).

    ``model``: hub id or local diffusers folder; ``device``: cpu, cuda, cuda:N, mps; ``dtype``:
    float32, float16, bfloat16; ``scheduler``: a short name from
    :data:`~limner.image.diffusers_common.SCHEDULERS` or None for the model's own; ``controlnet``
    / ``gligen``: defaults for the per-call options of the same names; ``variant``: e.g. "fp16".
    """

    id = "diffusers"
    capabilities = Capabilities(
        needs_model=True,
        init_options=frozenset({"model", "device", "dtype", "scheduler", "controlnet", "gligen", "variant"}),
        options=OPTIONS, takes_layout=True, takes_sketch=True, draws_any_object=True, size_multiple=8,
    )

    def __init__(self, model: str | None = None, device: str = "cpu", dtype: str = "float32",
                 scheduler: str | None = None, controlnet: str | None = None,
                 gligen: bool | str | None = None, variant: str | None = None):
        super().__init__(model, device=device, dtype=dtype, scheduler=scheduler, variant=variant)
        self.controlnet = controlnet or None
        self.gligen = gligen or None

    def generate(
        self,
        prompt: str,
        *,
        seeds: list[int],
        layout: Layout | None = None,
        negative_prompt: str = "",
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        width: int | None = None,
        height: int | None = None,
        callback: Callable[[int, int], None] | None = None,
        **options: Any,
    ) -> BackendOutput:
        if not str(prompt).strip():
            raise InputError("prompt must not be empty")
        opts = self.capabilities.check_options(self.id, options)
        controlnet = opts.pop("controlnet", self.controlnet) or None
        gligen = opts.pop("gligen", self.gligen) or None
        if self.resolved.class_name in GLIGEN_CLASSES and not gligen:
            gligen = True
        if controlnet and gligen:
            raise InputError("choose one of controlnet and gligen, not both")
        adapter = opts.pop("adapter", None)  # SUR-adapter: plain text-to-image only (below)
        if adapter and (gligen or (controlnet and layout is not None)):
            raise InputError("--adapter works with plain text-to-image; drop --controlnet/--gligen or the adapter")
        steps, cfg = default_steps_guidance(self.resolved.id)
        call = dict(prompt=prompt, negative_prompt=negative_prompt or None, seeds=list(seeds),
                    num_inference_steps=int(num_inference_steps or steps),
                    guidance_scale=float(cfg if guidance_scale is None else guidance_scale),
                    width=width, height=height, callback=callback, opts=opts)
        notes: list[str] = []
        if gligen:
            if layout is None:
                raise InputError("GLIGEN grounds objects in boxes and needs a layout: "
                                 "plan the scene (do not pass --no-plan) or drop --gligen")
            from .diffusers_gligen import generate_gligen

            return generate_gligen(self, layout=layout, gligen=gligen, **call)
        if controlnet and layout is not None:
            from .diffusers_controlnet import generate_controlnet

            return generate_controlnet(self, layout=layout, controlnet=controlnet, **call)
        if controlnet:
            notes.append("controlnet not used: it conditions on the planned sketch and no layout "
                         "was given")
        if layout is not None:
            notes.append("layout not used by plain text-to-image: pass controlnet=... or "
                         "gligen=... to condition on it")
        entry = self.load("t2i", _load_t2i)
        if adapter:  # SUR-adapter (limner.adapter): adapted text states go in as prompt_embeds
            from ..adapter.apply import adapter_info, diffusers_prompt_embeds

            embeds = diffusers_prompt_embeds(entry.pipe, adapter, prompt, negative_prompt)
            call.update(prompt=None, negative_prompt=None)
            out = self.finish(entry, **call, **embeds, extra={"adapter": adapter_info(adapter)})
        else:
            out = self.finish(entry, **call)
        out.extra["layout_used"] = False
        out.notes = notes
        return out

    def finish(self, entry, *, prompt: str, negative_prompt: str | None, seeds: list[int],
               num_inference_steps: int, guidance_scale: float, width: int | None,
               height: int | None, callback, opts: dict[str, Any], model: dict | None = None,
               extra: dict[str, Any] | None = None, notes: list[str] | None = None,
               sketch: Any = None, **pipe_kwargs: Any) -> BackendOutput:
        """Run a loaded pipeline with the shared arguments and build the :class:`BackendOutput`."""
        dw, dh = default_size(entry.pipe)
        w, h = int(width or dw), int(height or dh)
        check_size(w, h)
        images, sched = run_pipeline(
            entry, scheduler=opts.get("scheduler", self.scheduler), seeds=seeds,
            device=self.device, num_inference_steps=num_inference_steps,
            batch_size=opts.get("batch_size", 1), callback=callback, prompt=prompt,
            negative_prompt=negative_prompt, guidance_scale=guidance_scale, width=w, height=h,
            **pipe_kwargs,
        )
        info = dict(model or self.model_record())
        info.setdefault("pipeline", type(entry.pipe).__name__)
        ext: dict[str, Any] = {"scheduler": sched, "device": self.device, "dtype": self.dtype}
        if self.variant:
            ext["variant"] = self.variant
        if int(opts.get("batch_size", 1)) > 1:
            ext["batch_size"] = int(opts["batch_size"])
        ext.update(extra or {})
        return BackendOutput(images=images, seeds=[int(s) for s in seeds], model=info,
                             num_inference_steps=num_inference_steps,
                             guidance_scale=guidance_scale, width=w, height=h, extra=ext,
                             notes=list(notes or []), sketch=sketch)

    def resolve_extra_model(self, model: str, what: str, marker: str = "model_index.json"):
        return resolve_model(model, what=what, marker=marker)
