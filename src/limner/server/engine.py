"""The models behind the server, loaded once per process, as plain functions of typed requests.

Everything here calls the same library code the CLI calls (``limner.generate``, ``limner.plan``,
``limner.expand``, ``limner.edit.pipeline``) and writes PNGs with the same writer, so an image made
over HTTP is byte-identical to the one ``limner generate`` writes for the same recipe. The LLM and
the image pipelines are created on first use and kept (the world pipeline is cached by its loader).
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError
from ..schema import Layout
from .limits import Limits


class _Req(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanIn(_Req):
    prompt: str = Field(description="what to draw")
    planner: str | None = Field(default=None, description="rules, or an LLM backend id; default: the configured LLM")
    seed: int = Field(default=0, ge=0, lt=2**63)


class ExpandIn(_Req):
    prompt: str
    n: int = Field(default=4, ge=1, le=16)
    seed: int = Field(default=0, ge=0, lt=2**63)
    prefix: str | None = None


class UpsampleIn(_Req):
    prompt: str
    seed: int = Field(default=0, ge=0, lt=2**63)


class GenerateIn(_Req):
    prompt: str
    negative_prompt: str = ""
    num_images: int = Field(default=1, ge=1, le=64)
    seed: int = Field(default=0, ge=0, lt=2**63)
    num_inference_steps: int | None = Field(default=None, ge=1, le=1000)
    guidance_scale: float | None = Field(default=None, ge=0, le=50)
    width: int | None = Field(default=None, ge=8, le=4096)
    height: int | None = Field(default=None, ge=8, le=4096)
    plan: bool = True
    planner: str | None = None
    expand: int = Field(default=0, ge=0, le=16)
    upsample: bool = False
    scheduler: str | None = Field(default=None, description="sampler: dpm++, euler, ddim, unipc (diffusers: more)")
    layout: Layout | None = Field(default=None, description="a plan to draw as given (e.g. edited on the page): no planning")


class EditIn(_Req):
    image: str = Field(description="the source image: base64 PNG/JPEG or a data URI")
    instruction: str
    num_images: int = Field(default=1, ge=1, le=64)
    seed: int = Field(default=0, ge=0, lt=2**63)
    num_inference_steps: int | None = Field(default=None, ge=1, le=1000)
    guidance_scale: float | None = Field(default=None, ge=0, le=50)
    image_guidance_scale: float | None = Field(default=None, ge=0, le=50)


class ImageOut(BaseModel):
    png: bytes = Field(exclude=True)
    seed: int
    record: dict[str, Any]


class ImagesOut(BaseModel):
    images: list[ImageOut]
    notes: list[str] = Field(default_factory=list)
    layout: Layout | None = None


Progress = Callable[..., None]  # progress(stage=..., step=..., steps=...)


class Engine:
    """One per server. Thread-safe for reads; generation runs on the job queue's single worker."""

    def __init__(self, limits: Limits | None = None, settings: Any = None, llm: Any = None):
        from ..config import load_settings

        self.limits = limits or Limits()
        self.settings = settings or load_settings(None)
        self._llm = llm
        self._lock = threading.Lock()

    # -- shared pieces ---------------------------------------------------------------------
    def llm(self):
        with self._lock:
            if self._llm is None:
                from ..llm import get_llm

                s = self.settings
                opts = {"base_url": s.llm_base_url, "model": s.llm_model}
                self._llm = get_llm(s.llm_backend, **{k: v for k, v in opts.items() if v is not None})
            return self._llm

    def check_prompt(self, prompt: str, what: str = "prompt") -> None:
        if not prompt or not prompt.strip():
            raise InputError(f"the {what} is empty")
        if len(prompt) > self.limits.max_prompt_chars:
            raise InputError(f"the {what} is {len(prompt)} characters; the limit is {self.limits.max_prompt_chars}")

    def check_sizes(self, *, steps: int | None, images: int, width: int | None, height: int | None) -> None:
        L = self.limits
        if steps is not None and steps > L.max_steps:
            raise InputError(f"steps is {steps}; the limit is {L.max_steps}")
        if images > L.max_images:
            raise InputError(f"{images} images asked for; the limit is {L.max_images} per request")
        for name, v in (("width", width), ("height", height)):
            if v is not None and v > L.max_side:
                raise InputError(f"{name} is {v}; the limit is {L.max_side}")

    # -- the techniques --------------------------------------------------------------------
    def plan(self, req: PlanIn):
        from ..plan import plan

        self.check_prompt(req.prompt)
        planner = req.planner or self.settings.llm_backend
        return plan(req.prompt, planner=planner, llm=None if planner == "rules" else self.llm(), seed=req.seed)

    def expand(self, req: ExpandIn):
        from ..expand import expand

        self.check_prompt(req.prompt)
        return expand(req.prompt, n=req.n, seed=req.seed, prefix=req.prefix, llm=self.llm())

    def upsample(self, req: UpsampleIn):
        from ..expand import upsample

        self.check_prompt(req.prompt)
        return upsample(req.prompt, seed=req.seed, llm=self.llm())

    def generation_request(self, req: GenerateIn):
        """The same GenerationRequest `limner generate` builds from the same settings and values."""
        from ..generate import request_from_settings

        extra = {"scheduler": req.scheduler, "layout_source": "client" if req.layout is not None else None}
        return request_from_settings(
            req.prompt, self.settings, planner=req.planner, backend_options=extra,
            negative_prompt=req.negative_prompt, num_images=req.num_images, seed=req.seed,
            num_inference_steps=req.num_inference_steps, guidance_scale=req.guidance_scale,
            width=req.width, height=req.height, plan=req.plan, expand=req.expand, upsample=req.upsample,
        )

    def generate(self, req: GenerateIn, progress: Progress | None = None) -> ImagesOut:
        from ..generate import Hooks, Job, plan_jobs, render_jobs, write_result

        self.check_prompt(req.prompt)
        self.check_sizes(steps=req.num_inference_steps, images=req.num_images * max(1, req.expand),
                         width=req.width, height=req.height)
        request = self.generation_request(req)
        say = (lambda msg: progress(stage=msg)) if progress else None
        step = (lambda i, n: progress(step=i, steps=n)) if progress else None
        hooks = Hooks(progress=say, step=step)
        needs_llm = request.expand or request.upsample or (request.plan and request.planner != "rules")
        if needs_llm and req.layout is None:
            hooks.llm = self.llm()
        if req.layout is not None:  # a plan given by the client: draw it as it is
            jobs = [Job(k, request.seed + k, request.prompt, req.layout) for k in range(request.num_images)]
        else:
            jobs = plan_jobs(request, hooks)
        result = render_jobs(request, jobs, hooks)
        with tempfile.TemporaryDirectory(prefix="limner-serve-") as d:
            write_result(result, d)
            images = [ImageOut(png=Path(p).read_bytes(), seed=r.seed, record=r.model_dump(mode="json", exclude_none=True))
                      for p, r in zip(result.paths, result.records)]
        return ImagesOut(images=images, notes=result.notes, layout=result.layout)

    def edit(self, req: EditIn, progress: Progress | None = None) -> ImagesOut:
        from ..edit.pipeline import run_edit
        from ..schema import EditRequest
        from .limits import decode_image

        self.check_prompt(req.instruction, "instruction")
        self.check_sizes(steps=req.num_inference_steps, images=req.num_images, width=None, height=None)
        image = decode_image(req.image, self.limits)
        sha = hashlib.sha256(image.tobytes()).hexdigest()
        request = EditRequest(image_sha256=sha, instruction=req.instruction, num_images=req.num_images,
                              seed=req.seed, num_inference_steps=req.num_inference_steps,
                              guidance_scale=req.guidance_scale, image_guidance_scale=req.image_guidance_scale)
        step = (lambda i, n: progress(step=i, steps=n)) if progress else None
        if progress:
            progress(stage="editing")
        with tempfile.TemporaryDirectory(prefix="limner-serve-") as d:
            result = run_edit(request, d, image=image, callback=step)
            images = [ImageOut(png=Path(p).read_bytes(), seed=r.seed, record=r.model_dump(mode="json", exclude_none=True))
                      for p, r in zip(result.paths, result.records)]
        return ImagesOut(images=images, notes=list(result.notes))

    def info(self, png: bytes) -> dict[str, Any]:
        """The recipe stored in a PNG (the `limner` chunk) and its A1111 `parameters` text."""
        import io
        import json

        from PIL import Image, UnidentifiedImageError

        from ..records import CHUNK

        if len(png) > self.limits.max_upload_bytes:
            raise InputError(f"image is larger than {self.limits.max_upload_bytes} bytes")
        try:
            with Image.open(io.BytesIO(png)) as im:
                if im.size[0] * im.size[1] > self.limits.max_upload_pixels:
                    raise InputError("image has too many pixels")
                text = dict(getattr(im, "text", {}) or {})
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            raise InputError("cannot read the image") from None
        raw = text.get(CHUNK)
        try:
            record = json.loads(raw) if raw else None
        except ValueError:
            raise InputError("the image carries a damaged limner record") from None
        return {"record": record, "parameters": text.get("parameters")}
