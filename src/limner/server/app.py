"""The FastAPI app: limner's routes, the A1111 subset, the web page.

Long work (anything that runs the LLM or a diffusion model) goes through the one job queue, so the
models are used by one worker in turn and every request gets its own job id, seeds and output.
``POST /api/generate`` and ``/api/edit`` return a job at once (``?wait=true`` waits for it);
``/api/plan``, ``/api/expand`` and ``/api/upsample`` wait. Errors are 4xx with ``{"detail": "..."}``:
400 bad input, 401 missing/wrong token, 404 unknown job, 413 body too large, 422 validation,
429 queue full (with ``Retry-After``).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from .. import __version__
from ..errors import InputError, LimnerError
from .engine import EditIn, Engine, ExpandIn, GenerateIn, ImagesOut, PlanIn, UpsampleIn
from .jobs import Job, JobQueue, QueueFull
from .limits import Limits

STATIC = Path(__file__).parent / "static"


class JobInfo(BaseModel):
    id: str
    kind: str
    status: str
    position: int
    progress: float
    stage: str = ""
    step: int = 0
    steps: int = 0
    error: str | None = None
    images: list[dict[str, Any]] = Field(default_factory=list, description="url, seed, record")
    notes: list[str] = Field(default_factory=list)
    layout: dict[str, Any] | None = None


class InfoIn(BaseModel):
    image: str = Field(description="a PNG as base64 or a data URI")


class _BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes (declared or streamed) with 413."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for k, v in scope.get("headers", []):
            if k == b"content-length" and v.isdigit() and int(v) > self.limit:
                return await _too_large(send, self.limit)
        seen = 0

        async def limited():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return msg

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send, limit: int) -> None:
    body = json.dumps({"detail": f"request body larger than {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(engine: Engine | None = None, *, limits: Limits | None = None, token: str | None = None) -> FastAPI:
    limits = limits or (engine.limits if engine else Limits())
    engine = engine or Engine(limits)
    queue = JobQueue(limits.queue_size, limits.keep_finished)
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        queue.close()

    app = FastAPI(title="limner", version=__version__, lifespan=lifespan,
                  description="A language model in front of and around text-to-image diffusion.")
    app.state.engine, app.state.queue, app.state.limits = engine, queue, limits
    app.add_middleware(_BodyLimit, limit=limits.max_body_bytes)

    def auth(request: Request) -> None:
        if not token:
            return
        got = request.headers.get("authorization", "")
        if got == f"Bearer {token}" or request.query_params.get("token") == token:
            return
        raise HTTPException(401, "missing or wrong token (send 'Authorization: Bearer TOKEN')")

    app.state.auth = auth

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req, exc: RequestValidationError):
        errs = exc.errors()
        first = errs[0] if errs else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(x) for x in first.get("loc", []) if x != "body")
        msg = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        return JSONResponse({"detail": msg, "errors": json.loads(json.dumps(errs, default=str))}, 422)

    @app.exception_handler(ValidationError)
    async def _invalid_record(_req, exc: ValidationError):
        e = exc.errors()[0] if exc.errors() else {"loc": [], "msg": "invalid value"}
        where = ".".join(str(x) for x in e.get("loc", []))
        return JSONResponse({"detail": f"{where}: {e.get('msg')}" if where else str(e.get("msg"))}, 422)

    @app.exception_handler(InputError)
    async def _bad_input(_req, exc: InputError):
        return JSONResponse({"detail": str(exc)}, 400)

    @app.exception_handler(LimnerError)
    async def _limner(_req, exc: LimnerError):
        return JSONResponse({"detail": str(exc)}, 503)

    @app.exception_handler(QueueFull)
    async def _full(_req, exc: QueueFull):
        return JSONResponse({"detail": "the job queue is full; retry later"}, 429,
                            headers={"Retry-After": str(exc.retry_after)})

    def info(job: Job) -> JobInfo:
        out = JobInfo(id=job.id, kind=job.kind, status=job.status, position=queue.position(job),
                      progress=round(job.progress, 4), stage=job.stage, step=job.step, steps=job.steps,
                      error=job.error)
        if isinstance(job.result, ImagesOut):
            out.images = [{"url": f"/api/jobs/{job.id}/images/{k}", "seed": im.seed, "record": im.record}
                          for k, im in enumerate(job.result.images)]
            out.notes = job.result.notes
            out.layout = job.result.layout.model_dump(mode="json") if job.result.layout else None
        return out

    def run_sync(kind: str, fn) -> Any:
        job = queue.submit(kind, lambda j: fn())
        queue.wait_done(job, limits.sync_timeout_s)
        if job.status == "done":
            return job.result
        if job.status == "queued" or job.status == "running":
            queue.cancel(job.id)
            raise HTTPException(504, f"{kind} did not finish within {limits.sync_timeout_s:.0f} s")
        if job.status == "cancelled":
            raise HTTPException(409, f"{kind} was cancelled")
        raise HTTPException(400, job.error or f"{kind} failed")

    def progress_of(job: Job):
        def progress(**kw):
            queue.update(job, **kw)
        return progress

    app.state.run_sync, app.state.progress_of, app.state.info = run_sync, progress_of, info
    deps = [Depends(auth)]

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        files = {p.name: p for p in STATIC.iterdir() if p.is_file()}
        if name not in files:
            raise HTTPException(404, "no such file")
        return FileResponse(files[name])

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "queue": queue.pending(), "auth": bool(token)}

    @app.post("/api/plan", dependencies=deps)
    def plan(req: PlanIn) -> dict[str, Any]:
        engine.check_prompt(req.prompt)
        result = run_sync("plan", lambda: engine.plan(req))
        return result.model_dump(mode="json", exclude_none=True)

    @app.post("/api/expand", dependencies=deps)
    def expand(req: ExpandIn) -> dict[str, Any]:
        engine.check_prompt(req.prompt)
        out = run_sync("expand", lambda: engine.expand(req))
        return {"expansions": [e.model_dump(mode="json") for e in out]}

    @app.post("/api/upsample", dependencies=deps)
    def upsample(req: UpsampleIn) -> dict[str, Any]:
        engine.check_prompt(req.prompt)
        return run_sync("upsample", lambda: engine.upsample(req)).model_dump(mode="json")

    def submit_images(kind: str, fn, wait: bool) -> JobInfo:
        job = queue.submit(kind, lambda j: fn(progress_of(j)))
        if wait:
            queue.wait_done(job, limits.sync_timeout_s)
        return info(job)

    @app.post("/api/generate", dependencies=deps, status_code=202)
    def generate(req: GenerateIn, wait: bool = False) -> JobInfo:
        engine.check_prompt(req.prompt)
        engine.check_sizes(steps=req.num_inference_steps, images=req.num_images * max(1, req.expand),
                           width=req.width, height=req.height)
        return submit_images("generate", lambda p: engine.generate(req, p), wait)

    @app.post("/api/edit", dependencies=deps, status_code=202)
    def edit(req: EditIn, wait: bool = False) -> JobInfo:
        from .limits import decode_image

        engine.check_prompt(req.instruction, "instruction")
        engine.check_sizes(steps=req.num_inference_steps, images=req.num_images, width=None, height=None)
        decode_image(req.image, limits)  # refuse a bad upload now, not in the queue
        return submit_images("edit", lambda p: engine.edit(req, p), wait)

    @app.post("/api/info", dependencies=deps)
    def read_info(req: InfoIn) -> dict[str, Any]:
        from .limits import decode_bytes

        return engine.info(decode_bytes(req.image, limits))  # one decoder for every upload

    @app.get("/api/jobs", dependencies=deps)
    def jobs() -> list[JobInfo]:
        return [info(j) for j in queue.jobs()]

    def find(job_id: str) -> Job:
        job = queue.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r} (unknown, or finished long ago)")
        return job

    @app.get("/api/jobs/{job_id}", dependencies=deps)
    def job(job_id: str) -> JobInfo:
        return info(find(job_id))

    @app.delete("/api/jobs/{job_id}", dependencies=deps)
    def cancel(job_id: str) -> JobInfo:
        find(job_id)
        return info(queue.cancel(job_id))

    @app.get("/api/jobs/{job_id}/images/{k}", dependencies=deps)
    def job_image(job_id: str, k: int) -> Response:
        job = find(job_id)
        if not isinstance(job.result, ImagesOut) or not 0 <= k < len(job.result.images):
            raise HTTPException(404, "no such image (job not done, or index out of range)")
        return Response(job.result.images[k].png, media_type="image/png",
                        headers={"Content-Disposition": f'inline; filename="{job_id}-{k}.png"'})

    @app.get("/api/jobs/{job_id}/events", dependencies=deps)
    def events(job_id: str) -> StreamingResponse:
        """Server-sent events: one `data:` line of JobInfo JSON per change, until the job ends."""
        job = find(job_id)

        def stream():
            version = -1
            while True:
                queue.wait(job, timeout=15.0, since=version)
                if job.version == version:
                    yield ": keep-alive\n\n"
                    continue
                version = job.version
                yield f"data: {info(job).model_dump_json()}\n\n"
                if job.status in ("done", "failed", "cancelled"):
                    return

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    from .a1111 import register as register_a1111

    register_a1111(app, engine, queue, limits, deps)
    return app
