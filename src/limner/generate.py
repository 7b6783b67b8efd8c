"""`generate`: request → (expand | upsample) → (plan) → image backend → PNGs with their recipe.

Data flows one way. Each image gets its own integer seed (``request.seed + i``) and a full
:class:`~limner.schema.ImageRecord` in its PNG, so ``regenerate(record)`` (``limner generate
--from IMAGE``) reproduces it: it reuses the recorded prompt, layout and seed rather than asking
the LLM again.

Files: ``OUT/NNNN-SEED.png`` is the image for viewing (native images smaller than 256 px are
upscaled with nearest-neighbour so pixels stay exact), ``OUT/native/NNNN-SEED.png`` the native
pixels when they differ, ``OUT/layout/NNNN-SEED.png`` the plan's sketch (``show_layout``, or
always when part of a request is out of the backend's reach). All writes are atomic and happen
after every image is generated, so a failed run leaves nothing partial behind.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from . import __version__
from .errors import InputError
from .records import ensure_output_dir, read_record, save_png, versions
from .schema import Expansion, GenerationRequest, GenerationResult, ImageRecord, Layout

MAX_PROMPT_CHARS = 1000
VIEW_MIN_SIDE = 256


@dataclass
class Job:
    """One image to make: the prompt the model sees, its seed, its layout and expansion."""

    index: int
    seed: int
    prompt: str
    layout: Layout | None
    expansion: Expansion | None = None


@dataclass
class Hooks:
    """Optional injection points (tests, the server): a prepared LLM, a progress callback."""

    llm: Any = None
    progress: Callable[[str], None] | None = None
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
    """Expand/upsample and plan: the LLM part of generation."""
    hooks = hooks or Hooks()
    llm = None
    needs_llm = request.expand or request.upsample or (request.plan and request.planner != "rules")
    if needs_llm:
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
    layout = None
    if request.plan:
        from .plan import plan

        _say(hooks, f"planning the layout ({request.planner})")
        # The plan comes from the user's request: that is where the checkable facts are.
        result = plan(request.prompt, planner=request.planner,
                      llm=None if request.planner == "rules" else llm, seed=request.seed)
        layout = result.layout
    jobs = []
    for e_i, exp in enumerate(expansions):
        for k in range(request.num_images):
            i = e_i * request.num_images + k
            jobs.append(Job(i, request.seed + i, exp.text if exp else request.prompt, layout, exp))
    return jobs


def _backend(request: GenerationRequest, hooks: Hooks):
    from .image import get_image_backend

    opts = dict(hooks.backend_options)
    if request.backend != "embedded":
        if not request.model:
            raise InputError(f"--backend {request.backend} needs --model ID_OR_PATH")
        opts.setdefault("model", request.model)
        for k in ("device", "dtype"):
            if k in request.options:
                opts.setdefault(k, request.options[k])
    return get_image_backend(request.backend, **opts)


GEN_OPTION_KEYS = ("controlnet", "gligen", "scheduler", "layout_guidance_scale")


def render_jobs(request: GenerationRequest, jobs: list[Job], hooks: Hooks | None = None) -> GenerationResult:
    """Run the image backend for each job and build the records (no files written)."""
    hooks = hooks or Hooks()
    backend = _backend(request, hooks)
    gen_opts = {k: request.options[k] for k in GEN_OPTION_KEYS if k in request.options}
    if request.backend != "embedded":
        gen_opts.pop("layout_guidance_scale", None)  # an embedded-world knob
    records, images, notes = [], [], []
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
            **gen_opts,
        )
        vers = versions("torch", "diffusers", "transformers", "llama_cpp")
        notes.extend(str(n) for n in out.extra.get("notes") or [])
        missing = out.extra.get("out_of_world") or []
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
                height=out.height or img.height, extra=out.extra,
            ))
            images.append(img)
    order = sorted(range(len(records)), key=lambda i: records[i].index)
    result = GenerationResult(records=[records[i] for i in order], images=[images[i] for i in order],
                              layout=jobs[0].layout if jobs else None, notes=sorted(set(notes)))
    if request.options.get("correct"):  # --correct: detect, compare, redraw failing regions (limner.correct)
        from .correct import correct_result

        result = correct_result(request, result, hooks.progress)
    return result


def _view(img):
    side = min(img.width, img.height)
    if side >= VIEW_MIN_SIDE:
        return img
    from PIL import Image

    k = -(-VIEW_MIN_SIDE // side)
    return img.resize((img.width * k, img.height * k), Image.NEAREST)


def free_stem(out: Path, index: int, seed: int) -> str:
    stem = f"{index:04d}-{seed}"
    n = 1
    while (out / f"{stem}.png").exists():
        stem = f"{index:04d}-{seed}-{n}"
        n += 1
    return stem


def write_result(result: GenerationResult, out_dir: str | Path, *, metadata: bool = True,
                 show_layout: bool = False) -> GenerationResult:
    """Write the images (and native copies, sketches) of ``result`` into ``out_dir``."""
    out = ensure_output_dir(out_dir)
    paths = []
    sketch_needed = show_layout or any("cannot draw" in n for n in result.notes)
    for rec, img in zip(result.records, result.images):
        stem = free_stem(out, rec.index, rec.seed)
        view = _view(img)
        if view is not img:
            ensure_output_dir(out / "native")
            save_png(img, out / "native" / f"{stem}.png", rec, metadata)
        paths.append(str(save_png(view, out / f"{stem}.png", rec, metadata)))
        if sketch_needed and rec.layout is not None:
            from .plan import render_sketch

            ensure_output_dir(out / "layout")
            save_png(render_sketch(rec.layout, size=(view.width, view.height)),
                     out / "layout" / f"{stem}.png", rec, metadata)
    result.paths = paths
    return result


def generate(request: GenerationRequest, out_dir: str | Path | None = None, *,
             metadata: bool = True, show_layout: bool = False, hooks: Hooks | None = None) -> GenerationResult:
    """The whole chain. With ``out_dir`` None nothing is written (images are in the result)."""
    hooks = hooks or Hooks()
    check_prompt(request.prompt)
    from .image import BACKENDS

    if request.backend not in BACKENDS:  # fail before any expensive work
        raise InputError(f"unknown image backend '{request.backend}'; choose one of: "
                         f"{', '.join(sorted(BACKENDS))}")
    if out_dir is not None:
        ensure_output_dir(out_dir)
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
