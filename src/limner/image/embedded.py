"""The embedded image backend: limner's own layout-grounded world model (no download, CPU).

A 32×32 pixel-space diffusion model trained by ``limner world train`` on the procedural world
corpus (shapes × colours × textures on plain/gradient backgrounds); the trained EMA weights ship in
``limner/models/world_weights/`` (a :class:`~limner.models.world_pipeline.WorldPipeline` folder). It draws what
the world vocabulary names (:mod:`limner.world.vocab`); a planned layout is painted into the model's
conditioning channels (:mod:`limner.models.condition`), objects it cannot draw (e.g. "cat") are left
out and listed in ``BackendOutput.out_of_world`` (and the records) so callers can point the user to
``--backend diffusers --model ...``. Non-square planner boxes get the world shape in their largest
centred square. Images come back at the native 32×32 (callers upscale for viewing).

Options: ``scheduler`` ("dpm++" default, "euler", "ddim", "unipc"), ``layout_guidance_scale``,
``weights`` (another pipeline folder), ``threads`` (torch CPU threads for this call).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .._deps import require
from ..schema import Layout
from ..models.world_files import WEIGHTS_DIR, load_pipeline, weights_sha256  # noqa: F401 (public)
from .base import BackendOutput, Capabilities, ImageBackend

MODEL_ID = "limner-world"
# Chosen by benchmarks/world_eval.py --n 200 --arms planned (one run each, evaluation seeds):
# 15 steps, layout guidance 2 -> spatial 0.970, count 0.959, 3 UNet branches;
# 10 steps, layout guidance 2 -> 0.960 / 0.949; 10 steps, layout guidance 1 -> 0.980 / 0.971, 2 branches.
DEFAULT_STEPS = 10
DEFAULT_GUIDANCE = 3.0
DEFAULT_LAYOUT_GUIDANCE = 1.0  # 1 = the layout is a plain condition (no extra branch)
SCHEDULERS = {
    "dpm++": "DPMSolverMultistepScheduler",
    "euler": "EulerDiscreteScheduler",
    "ddim": "DDIMScheduler",
    "unipc": "UniPCMultistepScheduler",
}


@lru_cache(maxsize=2)
def _model_info(path: str) -> dict[str, str]:
    return {"id": MODEL_ID, "path": path, **weights_sha256(path)}


class EmbeddedBackend(ImageBackend):
    id = "embedded"
    capabilities = Capabilities(
        needs_model=False, init_options=frozenset({"weights"}),
        options=frozenset({"scheduler", "layout_guidance_scale", "weights", "threads", "adapter"}),
        takes_layout=True, takes_sketch=False, draws_any_object=False, native_size=(32, 32),
    )

    def __init__(self, weights: str | Path | None = None, **_: Any):
        self.weights = str(weights or WEIGHTS_DIR)

    def describe(self) -> dict[str, Any]:
        return {"backend": self.id, "model": MODEL_ID, "path": self.weights, "native_size": 32}

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
        options = self.capabilities.check_options(self.id, options)
        torch = require("torch", "the embedded image model")
        from ..models.condition import out_of_world

        pipe = load_pipeline(options.get("weights") or self.weights)
        steps = int(num_inference_steps or DEFAULT_STEPS)
        gs = DEFAULT_GUIDANCE if guidance_scale is None else float(guidance_scale)
        lgs = float(options.get("layout_guidance_scale", DEFAULT_LAYOUT_GUIDANCE))
        sched_name = str(options.get("scheduler", "dpm++")).lower()
        if sched_name not in SCHEDULERS:
            from ..errors import InputError

            raise InputError(f"unknown scheduler '{sched_name}'; choose one of: {', '.join(SCHEDULERS)}")
        import diffusers

        base = pipe.scheduler.config
        pipe.scheduler = getattr(diffusers, SCHEDULERS[sched_name]).from_config(base)
        use_layout = layout if (layout is not None and layout.objects) else None

        def on_step(_pipe, i, _t, kw):
            if callback is not None:
                callback(i + 1, steps)
            return kw

        threads = options.get("threads")
        old_threads = torch.get_num_threads()
        if threads:
            torch.set_num_threads(int(threads))
        embeds, adapter = None, options.get("adapter")
        if adapter:  # SUR-adapter: the prompt's text states go through it (limner.adapter.apply)
            from ..adapter.apply import adapt

            embeds = adapt(adapter, [prompt], pipe.encode_prompt([prompt])).repeat(len(seeds), 1, 1)
        try:
            out = pipe(
                [prompt] * len(seeds), prompt_embeds=embeds, layout=[use_layout] * len(seeds), num_inference_steps=steps,
                guidance_scale=gs, layout_guidance_scale=lgs, negative_prompt=negative_prompt or "",
                generator=[torch.Generator().manual_seed(int(s)) for s in seeds],
                output_type="pil", callback_on_step_end=on_step,
            )
        finally:
            if threads:
                torch.set_num_threads(old_threads)
        size = pipe.native_size
        left_out = out_of_world(layout)
        extra = {
            "scheduler": type(pipe.scheduler).__name__,
            "native_size": [size, size],
            "layout_guidance_scale": lgs,
            "out_of_world": left_out,
            "unknown_words": pipe.tokenizer.unknown_words(prompt),
            "conditioning": "text+layout" if use_layout is not None else "text",
        }
        if adapter:
            from ..adapter.apply import adapter_info

            extra["adapter"] = adapter_info(adapter)
        if (width and width != size) or (height and height != size):
            extra["requested_size"] = [width or size, height or size]
        return BackendOutput(images=out.images, seeds=list(seeds), model=_model_info(pipe_path(self, options)),
                             num_inference_steps=steps, guidance_scale=gs, width=size, height=size, extra=extra,
                             out_of_world=list(left_out))


def pipe_path(backend: EmbeddedBackend, options: dict[str, Any]) -> str:
    return str(options.get("weights") or backend.weights)
