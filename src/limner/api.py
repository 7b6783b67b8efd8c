"""limner's Python API: one function per job, the same defaults as the command line.

    import limner
    r = limner.generate("three red circles above a blue square")   # writes nothing
    r.images[0].save("x.png")                                        # a PIL image; r.records[0] its recipe
    limner.generate("a red circle", out="out/")                      # as `limner generate ... -o out/`
    limner.plan("two red circles left of a blue square", planner="rules").layout
    limner.expand("a castle at night", n=4)                          # Prompt Expansion
    limner.upsample("two dogs playing in snow").text                 # DALL-E 3 upsampling
    limner.edit("out/0000-0.png", "make the circle green", out="edited/")

Every function imports what it needs when called (``import limner`` stays light) and raises
:class:`~limner.errors.InputError` (one line) for bad input, as the CLI does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

__all__ = ["edit", "expand", "generate", "plan", "upsample"]


def plan(prompt: str, *, planner: str = "embedded", seed: int = 0, llm: Any = None, **kwargs: Any):
    """Plan a layout for ``prompt``: a :class:`~limner.plan.PlanResult` (``.layout``, ``.repairs``,
    ``.notes``). ``planner``: "rules" (no LLM) or an LLM backend id; see :func:`limner.plan.plan`
    for the other keyword arguments (``format="tikz"``, ``width``, ``height``, ...)."""
    from .plan.planner import plan as run

    return run(prompt, planner=planner, seed=seed, llm=llm, **kwargs)


def expand(prompt: str, n: int = 4, *, prefix: str | None = None, steps: int = 1, seed: int = 0,
           llm: Any = None, **kwargs: Any):
    """Prompt Expansion: ``n`` diverse, detailed prompts (a list of :class:`~limner.schema.Expansion`)."""
    from .expand.expander import expand as run

    return run(prompt, n, prefix=prefix, steps=steps, seed=seed, llm=llm, **kwargs)


def upsample(prompt: str, *, seed: int = 0, llm: Any = None):
    """DALL-E 3 upsampling: one descriptive caption that keeps every fact of ``prompt``
    (an :class:`~limner.schema.Expansion`)."""
    from .expand.upsample import upsample as run

    return run(prompt, seed=seed, llm=llm)


def generate(prompt: str, *, out: str | Path | None = None, num_images: int = 1, seed: int = 0,
             negative_prompt: str = "", num_inference_steps: int | None = None,
             guidance_scale: float | None = None, width: int | None = None, height: int | None = None,
             backend: str | None = None, model: str | None = None, planner: str | None = None,
             plan: bool = True, expand: int = 0, upsample: bool = False, metadata: bool = True,
             show_layout: bool = False, llm: Any = None, config: str | Path | None = None,
             progress: Callable[[str], None] | None = None, **options: Any):
    """Generate images: (expand/upsample) → plan → image backend. Returns a
    :class:`~limner.schema.GenerationResult`: ``.images`` (PIL), ``.records`` (one recipe each),
    ``.notes``; with ``out`` the PNGs (each carrying its recipe) are written there and listed in
    ``.paths``, without it nothing is written.

    Defaults come from the configuration as for ``limner generate`` (the embedded image model,
    the embedded LLM planner); ``**options`` are the backend's options (``scheduler``,
    ``controlnet``, ``device``, ...) — :func:`limner.image.image_capabilities` lists them.
    """
    from .config import load_settings
    from .generate import Hooks, generate as run, request_from_settings

    settings = load_settings(config, image_backend=backend, image_model=model,
                             device=options.pop("device", None), dtype=options.pop("dtype", None))
    request = request_from_settings(
        prompt, settings, planner=planner, backend_options=options, negative_prompt=negative_prompt,
        num_images=num_images, seed=seed, num_inference_steps=num_inference_steps,
        guidance_scale=guidance_scale, width=width, height=height, plan=plan, expand=expand,
        upsample=upsample,
    )
    return run(request, out, metadata=metadata, show_layout=show_layout,
               hooks=Hooks(llm=llm, progress=progress))


def edit(image: Any, instruction: str, *, out: str | Path | None = None, num_images: int = 1,
         seed: int = 0, num_inference_steps: int | None = None, guidance_scale: float | None = None,
         image_guidance_scale: float | None = None, backend: str = "embedded", model: str | None = None,
         metadata: bool = True, **options: Any):
    """Edit ``image`` (a path or a PIL image) by ``instruction`` (InstructPix2Pix-style). Returns
    an :class:`~limner.edit.pipeline.EditResult` (``.images``, ``.records``, ``.notes``); with
    ``out`` the PNGs are written there, without it nothing is written."""
    from .edit.pipeline import make_request, run_edit

    fields = dict(num_images=num_images, seed=seed, num_inference_steps=num_inference_steps,
                  guidance_scale=guidance_scale, image_guidance_scale=image_guidance_scale,
                  backend=backend, model=model, options=options)
    if isinstance(image, (str, Path)):
        return _with_recipes(run_edit(make_request(image, instruction, **fields), out, metadata=metadata))
    from pydantic import ValidationError

    from .edit.instructions import validate_instruction
    from .edit.pipeline import image_sha256
    from .errors import InputError
    from .schema import EditRequest

    if not hasattr(image, "convert"):
        raise InputError(f"the image to edit must be a path or a PIL image, got {type(image).__name__}")
    rgb = image.convert("RGB")
    try:
        request = EditRequest(image_sha256=image_sha256(rgb), instruction=validate_instruction(instruction),
                              **fields)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise InputError(f"bad value for {'.'.join(str(p) for p in e['loc'])}: {e['msg']}") from None
    return _with_recipes(run_edit(request, out, image=rgb, metadata=metadata))


def _with_recipes(result):
    from .records import attach_recipe

    for img, rec in zip(result.images, result.records):
        attach_recipe(img, rec)
    return result
