"""The AUTOMATIC1111 web-UI API subset (``/sdapi/v1/...``), so scripts written for it work unchanged.

Field names and response shapes follow A1111's own API (``modules/api/models.py`` there): txt2img and
img2img take ``prompt``, ``negative_prompt``, ``seed`` (−1 = random), ``steps``, ``cfg_scale``,
``width``, ``height``, ``batch_size``, ``n_iter``, ``sampler_name``; img2img adds ``init_images``
(base64 or data URI), ``image_cfg_scale`` and ``denoising_strength``. The answer is ``{images: [base64
PNG], parameters: <the request>, info: <JSON string with seeds and infotexts>}``. Fields limner has no
use for are accepted and listed in ``info.ignored``. img2img runs an *instruction edit*: the prompt is
the instruction (InstructPix2Pix), as A1111 does with instruct-pix2pix checkpoints.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from .engine import EditIn, Engine, GenerateIn, ImagesOut
from .jobs import JobQueue
from .limits import Limits

# A1111 sampler names → limner scheduler ids (understood by the embedded and diffusers backends).
SAMPLERS = {"DPM++ 2M": "dpm++", "Euler": "euler", "Euler a": "euler_a", "DDIM": "ddim", "UniPC": "unipc"}


class _A1111(BaseModel):
    model_config = ConfigDict(extra="allow")  # clients send many UI fields; they are reported, not fatal

    prompt: str = ""
    negative_prompt: str = ""
    seed: int = Field(default=-1, ge=-1, lt=2**63)
    steps: int | None = Field(default=None, ge=1, le=1000)
    cfg_scale: float | None = Field(default=None, ge=0, le=50)
    width: int | None = Field(default=None, ge=8, le=4096)
    height: int | None = Field(default=None, ge=8, le=4096)
    batch_size: int = Field(default=1, ge=1, le=64)
    n_iter: int = Field(default=1, ge=1, le=64)
    sampler_name: str | None = None
    sampler_index: str | None = None


class Txt2Img(_A1111):
    pass


class Img2Img(_A1111):
    init_images: list[str] = Field(min_length=1, max_length=1, description="one source image")
    image_cfg_scale: float | None = Field(default=None, ge=0, le=50)
    denoising_strength: float | None = Field(default=None, ge=0, le=1)


def _sampler(req: _A1111) -> str | None:
    name = req.sampler_name or req.sampler_index
    if not name:
        return None
    if name in SAMPLERS:
        return SAMPLERS[name]
    if name.lower() in SAMPLERS.values():
        return name.lower()
    raise HTTPException(422, f"unknown sampler {name!r}; known: {', '.join(SAMPLERS)}")


def _seed(req: _A1111) -> int:
    return secrets.randbelow(2**32) if req.seed == -1 else req.seed


def _answer(req: _A1111, out: ImagesOut, seed: int, extra: dict[str, Any]) -> dict[str, Any]:
    seeds = [im.seed for im in out.images]
    infotexts = []
    for im in out.images:
        rec = im.record
        infotexts.append(f"{rec.get('prompt', '')}\nSteps: {rec.get('num_inference_steps')}, "
                         f"CFG scale: {rec.get('guidance_scale')}, Seed: {im.seed}, "
                         f"Size: {rec.get('width')}x{rec.get('height')}, Model: {rec.get('model', {}).get('id', '')}")
    info = {"prompt": req.prompt, "negative_prompt": req.negative_prompt, "seed": seed, "all_seeds": seeds,
            "seeds": seeds, "infotexts": infotexts, "notes": out.notes, "ignored": sorted(req.model_extra or {}),
            **extra}
    return {"images": [base64.b64encode(im.png).decode("ascii") for im in out.images],
            "parameters": req.model_dump(mode="json"), "info": json.dumps(info)}


def register(app: FastAPI, engine: Engine, queue: JobQueue, limits: Limits, deps: list) -> None:
    progress_of = app.state.progress_of

    def run_images(kind: str, fn) -> ImagesOut:
        job = queue.submit(kind, lambda j: fn(progress_of(j)))
        queue.wait_done(job, limits.sync_timeout_s)
        if job.status == "done":
            return job.result
        if job.status in ("queued", "running"):
            queue.cancel(job.id)
            raise HTTPException(504, f"{kind} did not finish within {limits.sync_timeout_s:.0f} s")
        if job.status == "cancelled":
            # A1111 answers an interrupted call with what it has; limner has nothing partial.
            return ImagesOut(images=[], notes=["interrupted"])
        raise HTTPException(400, job.error or f"{kind} failed")

    @app.post("/sdapi/v1/txt2img", dependencies=deps, tags=["a1111"])
    def txt2img(req: Txt2Img) -> dict[str, Any]:
        seed = _seed(req)
        engine.check_sizes(steps=req.steps, images=req.batch_size * req.n_iter, width=req.width, height=req.height)
        gen = GenerateIn(prompt=req.prompt, negative_prompt=req.negative_prompt, seed=seed,
                         num_images=req.batch_size * req.n_iter, num_inference_steps=req.steps,
                         guidance_scale=req.cfg_scale, width=req.width, height=req.height,
                         scheduler=_sampler(req))
        engine.check_prompt(gen.prompt)
        engine.check_sizes(steps=gen.num_inference_steps, images=gen.num_images, width=gen.width, height=gen.height)
        return _answer(req, run_images("txt2img", lambda p: engine.generate(gen, p)), seed, {})

    @app.post("/sdapi/v1/img2img", dependencies=deps, tags=["a1111"])
    def img2img(req: Img2Img) -> dict[str, Any]:
        from .limits import decode_image

        seed = _seed(req)
        engine.check_sizes(steps=req.steps, images=req.batch_size * req.n_iter, width=None, height=None)
        ed = EditIn(image=req.init_images[0], instruction=req.prompt, seed=seed,
                    num_images=req.batch_size * req.n_iter, num_inference_steps=req.steps,
                    guidance_scale=req.cfg_scale, image_guidance_scale=req.image_cfg_scale)
        engine.check_prompt(ed.instruction, "prompt (the edit instruction)")
        engine.check_sizes(steps=ed.num_inference_steps, images=ed.num_images, width=None, height=None)
        decode_image(ed.image, limits)
        extra = {}
        if req.denoising_strength is not None:
            extra["denoising_strength_note"] = "instruction edits use image_cfg_scale, not denoising_strength"
        return _answer(req, run_images("img2img", lambda p: engine.edit(ed, p)), seed, extra)

    @app.get("/sdapi/v1/progress", dependencies=deps, tags=["a1111"])
    def progress(skip_current_image: bool = False) -> dict[str, Any]:
        job = queue.running
        pending = queue.pending()
        if job is None:
            return {"progress": 0.0, "eta_relative": 0.0, "current_image": None, "textinfo": None,
                    "state": {"skipped": False, "interrupted": False, "job": "", "job_count": pending,
                              "job_timestamp": "0", "job_no": 0, "sampling_step": 0, "sampling_steps": 0}}
        p = job.progress
        elapsed = time.time() - (job.started or time.time())
        eta = elapsed / p - elapsed if p > 0 else 0.0
        image = None
        if job.preview is not None and not skip_current_image:
            image = base64.b64encode(job.preview).decode("ascii")
        return {"progress": round(p, 4), "eta_relative": round(max(eta, 0.0), 3), "current_image": image,
                "textinfo": job.stage or None,
                "state": {"skipped": False, "interrupted": job.cancel_requested, "job": job.kind,
                          "job_count": pending, "job_timestamp": time.strftime("%Y%m%d%H%M%S", time.localtime(job.created)),
                          "job_no": 0, "sampling_step": job.step, "sampling_steps": job.steps}}

    @app.post("/sdapi/v1/interrupt", dependencies=deps, tags=["a1111"])
    def interrupt() -> dict[str, Any]:
        """A1111's global interrupt: stops the running job. Prefer DELETE /api/jobs/{id} for a chosen one."""
        job = queue.running
        if job is not None:
            queue.cancel(job.id)
        return {}

    @app.post("/sdapi/v1/skip", dependencies=deps, tags=["a1111"])
    def skip() -> dict[str, Any]:
        return interrupt()

    @app.get("/sdapi/v1/samplers", dependencies=deps, tags=["a1111"])
    def samplers() -> list[dict[str, Any]]:
        return [{"name": k, "aliases": [v], "options": {}} for k, v in SAMPLERS.items()]

    @app.get("/sdapi/v1/sd-models", dependencies=deps, tags=["a1111"])
    def sd_models() -> list[dict[str, Any]]:
        s = engine.settings
        name = s.image_model or f"limner-{s.image_backend}"
        return [{"title": name, "model_name": name, "hash": None, "sha256": None,
                 "filename": s.image_model or "", "config": None}]

    @app.get("/sdapi/v1/options", dependencies=deps, tags=["a1111"])
    def options() -> dict[str, Any]:
        s = engine.settings
        return {"sd_model_checkpoint": s.image_model or f"limner-{s.image_backend}"}
