"""`generate`: request → (expand | upsample) → (plan) → image backend → PNGs with their recipe.

Data flows one way. Each image gets its own integer seed (``request.seed + i``) and a full
:class:`~limner.schema.ImageRecord` in its PNG, so ``regenerate(record)`` (``limner generate
--from IMAGE``) reproduces it: it reuses the recorded prompt, layout and seed rather than asking
the LLM again.

The image backend is chosen by id and read through its declared
:class:`~limner.image.Capabilities` (whether it needs ``--model``, which settings and options it
takes); options it does not take are refused with one line before any work.

Files (written by :func:`limner.records.write_images`): ``OUT/NNNN-SEED.png`` is the image for
viewing (native images smaller than 256 px are upscaled with nearest-neighbour so pixels stay
exact), ``OUT/native/NNNN-SEED.png`` the native pixels when they differ,
``OUT/layout/NNNN-SEED.png`` the plan's sketch (``show_layout``, or always when the backend left
planned objects out). All writes are atomic and happen after every image is generated; a failed
run leaves nothing partial behind.

For Python users, :func:`limner.generate` (in :mod:`limner.api`) wraps this module.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from . import __version__
from .errors import InputError
from .records import (  # noqa: F401 - free_stem, VIEW_MIN_SIDE: importable from here as before
    VIEW_MIN_SIDE, OutputImage, attach_recipe, check_output_dir, free_stem, read_record, versions,
    write_images,
)
from .schema import Expansion, GenerationRequest, GenerationResult, ImageRecord, Layout

MAX_PROMPT_CHARS = 1000
# request.options keys read by generate itself (not by the image backend)
OWN_OPTIONS = ("llm", "layout_source", "correct")  # layout_source: "client" when a plan was given, not planned


@dataclass
class Job:
    """One image to make: the prompt the model sees, its seed, its layout and expansion."""

    index: int
    seed: int
    prompt: str
    layout: Layout | None
    expansion: Expansion | None = None
    notes: list[str] = field(default_factory=list)  # from planning: words not understood, objects not drawn


@dataclass
class Hooks:
    """Optional injection points (tests, the server): a prepared LLM, a progress callback."""

    llm: Any = None
    progress: Callable[[str], None] | None = None
    step: Callable[[int, int], None] | None = None  # denoising progress (step, steps); may raise to stop
    backend_options: dict[str, Any] = field(default_factory=dict)


def make_request(**kw: Any) -> GenerationRequest:
    """Build a :class:`GenerationRequest`, turning validation errors into one clear line."""
    try:
        req = GenerationRequest(**kw)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"])
        flag = {"num_images": "-n/--num-images", "num_inference_steps": "--steps",
                "guidance_scale": "--guidance"}.get(where, where)
        raise InputError(f"bad value for {flag}: {e['msg']}") from None
    check_prompt(req.prompt)
    return req


def check_prompt(prompt: str) -> None:
    if not prompt or not prompt.strip():
        raise InputError("the prompt is empty")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InputError(f"the prompt is {len(prompt)} characters; the limit is {MAX_PROMPT_CHARS}")


def _say(hooks: Hooks, msg: str) -> None:
    if hooks.progress:
        hooks.progress(msg)


def _llm(request: GenerationRequest, hooks: Hooks):
    if hooks.llm is not None:
        return hooks.llm
    from .llm import get_llm

    opts = dict(request.options.get("llm", {}))
    if request.planner != "rules":  # the planner names the LLM backend
        opts["backend"] = request.planner
    return get_llm(opts.pop("backend", None), **opts)


def plan_jobs(request: GenerationRequest, hooks: Hooks | None = None) -> list[Job]:
    """Expand/upsample and plan: the LLM part of generation.

    The LLM is loaded only when something needs it: expansion/upsampling, or a plan the reader
    could not make alone (``limner.plan`` decides, and loads the planner's LLM itself)."""
    hooks = hooks or Hooks()
    llm = hooks.llm
    if llm is None and (request.expand or request.upsample):
        llm = _llm(request, hooks)
    expansions: list[Expansion | None] = [None]
    if request.expand:
        from .expand import expand

        _say(hooks, f"expanding the prompt into {request.expand} prompts")
        expansions = list(expand(request.prompt, n=request.expand, seed=request.seed, llm=llm))
    elif request.upsample:
        from .expand import upsample

        _say(hooks, "upsampling the prompt")
        expansions = [upsample(request.prompt, seed=request.seed, llm=llm)]
    layout, notes = None, []
    if request.plan:
        from .plan import plan

        _say(hooks, f"planning the layout ({request.planner})")
        opts = request.options.get("llm", {})
        # The plan comes from the user's request: that is where the checkable facts are.
        result = plan(request.prompt, planner=request.planner,
                      llm=None if request.planner == "rules" else llm, seed=request.seed,
                      base_url=opts.get("base_url"), model=opts.get("model"), cache=opts.get("cache"),
                      timeout=opts.get("timeout"))
        layout = result.drawable_layout() if result.undrawable else result.layout
        reading = result.constraints.reading
        if reading is not None and reading.unknown:
            notes.append(reading.summary())
        if result.undrawable:
            names = ", ".join(dict.fromkeys(result.layout.objects[i].name for i in result.undrawable))
            notes.append(f"not drawn (unknown to limner): {names}")
        _say(hooks, f"planned by: {result.plan_path}" + (f" ({result.source})" if result.plan_path == "llm" else ""))
    jobs = []
    for e_i, exp in enumerate(expansions):
        for k in range(request.num_images):
            i = e_i * request.num_images + k
            jobs.append(Job(i, request.seed + i, exp.text if exp else request.prompt, layout, exp, list(notes)))
    return jobs


def request_from_settings(prompt: str, settings: Any, *, planner: str | None = None,
                          llm_cache: bool | None = None, llm_timeout: float | None = None,
                          backend_options: dict[str, Any] | None = None,
                          **fields: Any) -> GenerationRequest:
    """A :class:`GenerationRequest` from layered :class:`~limner.config.Settings` (the CLI and the
    Python API build theirs here, so the same call makes the same recipe)."""
    from .image import image_capabilities

    caps = image_capabilities(settings.image_backend)
    llm_opts = {"backend": settings.llm_backend, "base_url": settings.llm_base_url,
                "model": settings.llm_model, "cache": llm_cache, "timeout": llm_timeout}
    options: dict[str, Any] = {"llm": {k: v for k, v in llm_opts.items() if v is not None}}
    for k in ("device", "dtype"):
        if k in caps.init_options:
            options[k] = getattr(settings, k)
    options.update({k: v for k, v in (backend_options or {}).items() if v is not None})
    return make_request(prompt=prompt, backend=settings.image_backend, model=settings.image_model,
                        planner=planner or settings.llm_backend, options=options, **fields)


def backend_arguments(request: GenerationRequest, hooks: Hooks | None = None) -> tuple[dict, dict]:
    """(constructor settings, per-call options) for the request's image backend, read from its
    capabilities; one InputError line for a missing model or an option it does not take."""
    from .image import image_capabilities

    caps = image_capabilities(request.backend)
    if caps.needs_model and not request.model:
        raise InputError(f"--backend {request.backend} needs --model ID_OR_PATH")
    init = dict(hooks.backend_options) if hooks else {}
    if request.model and "model" in caps.init_options:
        init.setdefault("model", request.model)
    call: dict[str, Any] = {}
    unknown = []
    for k, v in request.options.items():
        if k in OWN_OPTIONS or v is None:
            continue
        if k in caps.options:
            call[k] = v
        elif k in caps.init_options:
            init.setdefault(k, v)
        else:
            unknown.append(k)
    if unknown:
        known = ", ".join(sorted(caps.options | caps.init_options)) or "none"
        raise InputError(f"unknown option(s) for the {request.backend} backend: "
                         f"{', '.join(sorted(unknown))}; known: {known}")
    return init, call


def render_jobs(request: GenerationRequest, jobs: list[Job], hooks: Hooks | None = None) -> GenerationResult:
    """Run the image backend for each job and build the records (no files written)."""
    from .image import get_image_backend

    hooks = hooks or Hooks()
    init, gen_opts = backend_arguments(request, hooks)
    backend = get_image_backend(request.backend, **init)
    records, images, notes, undrawn = [], [], [n for j in jobs for n in j.notes], []
    # Jobs sharing a prompt and layout go to the backend as one batch.
    groups: dict[tuple[str, int], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.prompt, id(job.layout)), []).append(job)
    for (prompt, _), group in groups.items():
        _say(hooks, f"generating {len(group)} image(s) with the {request.backend} backend")
        out = backend.generate(
            prompt, seeds=[j.seed for j in group], layout=group[0].layout,
            negative_prompt=request.negative_prompt, num_inference_steps=request.num_inference_steps,
            guidance_scale=request.guidance_scale, width=request.width, height=request.height,
            callback=hooks.step, **gen_opts,
        )
        vers = versions("torch", "diffusers", "transformers", "llama_cpp")
        notes.extend(str(n) for n in out.notes)
        missing = list(out.out_of_world)
        undrawn.extend(m for m in missing if m not in undrawn)
        if missing:
            notes.append(
                f"the {request.backend} model cannot draw: {', '.join(missing)} — left out of the "
                "image (the layout sketch shows the whole plan); for real models use "
                "--backend diffusers --model ID_OR_PATH"
            )
        for job, img, seed in zip(group, out.images, out.seeds):
            records.append(ImageRecord(
                limner_version=__version__, kind="generate",
                request=request.model_dump(mode="json"), index=job.index, seed=seed,
                prompt=job.prompt, negative_prompt=request.negative_prompt,
                expansion=job.expansion, layout=job.layout, backend=request.backend,
                model=out.model, versions=vers, num_inference_steps=out.num_inference_steps,
                guidance_scale=out.guidance_scale, width=out.width or img.width,
                height=out.height or img.height,
                extra=out.extra | ({"notes": list(out.notes)} if out.notes else {}),
            ))
            images.append(attach_recipe(img, records[-1]))  # img.save("x.png") keeps the recipe
    order = sorted(range(len(records)), key=lambda i: records[i].index)
    result = GenerationResult(records=[records[i] for i in order], images=[images[i] for i in order],
                              layout=jobs[0].layout if jobs else None, notes=sorted(set(notes)),
                              undrawn=undrawn)
    if request.options.get("correct"):  # --correct: detect, compare, redraw failing regions (limner.correct)
        from .correct import correct_result

        result = correct_result(request, result, hooks.progress)
    return result


def write_result(result: GenerationResult, out_dir: str | Path, *, metadata: bool = True,
                 show_layout: bool = False) -> GenerationResult:
    """Write the images (and native copies, sketches) of ``result`` into ``out_dir``, all or nothing."""
    sketch = show_layout or bool(result.undrawn)
    items = []
    for rec, img in zip(result.records, result.images):
        companions = {}
        if sketch and rec.layout is not None:
            companions["layout"] = _sketch_of(rec.layout)
        items.append(OutputImage(img, rec, companions))
    result.paths = write_images(out_dir, items, metadata=metadata)
    return result


def _sketch_of(layout: Layout):
    def draw(size: tuple[int, int]):
        from .plan import render_sketch

        return render_sketch(layout, size=size)

    return draw


def generate(request: GenerationRequest, out_dir: str | Path | None = None, *,
             metadata: bool = True, show_layout: bool = False, hooks: Hooks | None = None) -> GenerationResult:
    """The whole chain. With ``out_dir`` None nothing is written (images are in the result)."""
    hooks = hooks or Hooks()
    check_prompt(request.prompt)
    backend_arguments(request, hooks)  # unknown backend, missing model, bad option: before any work
    if out_dir is not None:
        check_output_dir(out_dir)
    jobs = plan_jobs(request, hooks)
    result = render_jobs(request, jobs, hooks)
    if out_dir is not None:
        write_result(result, out_dir, metadata=metadata, show_layout=show_layout)
    return result


def regenerate(image_path: str | Path, out_dir: str | Path | None = None, *, metadata: bool = True,
               hooks: Hooks | None = None) -> GenerationResult:
    """Re-run the recipe stored in a PNG: same prompt, layout, seed, settings → same pixels."""
    rec = read_record(image_path)
    if rec is None:
        raise InputError(f"{image_path} carries no limner record (written with --no-metadata?)")
    if rec.kind != "generate":
        raise InputError(f"{image_path} is an edit; re-run it with `limner edit`")
    try:
        request = GenerationRequest.model_validate(rec.request)
    except ValidationError as exc:
        raise InputError(f"{image_path}: the stored request is not valid: {exc.errors()[0]['msg']}") from None
    job = Job(rec.index, rec.seed, rec.prompt, rec.layout, rec.expansion)
    result = render_jobs(request, [job], hooks)
    if out_dir is not None:
        write_result(result, out_dir, metadata=metadata)
    return result


def stderr_progress(msg: str) -> None:
    print(f"limner: {msg}", file=sys.stderr, flush=True)
