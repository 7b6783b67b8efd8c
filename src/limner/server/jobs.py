"""One bounded job queue, run by one worker thread (the models are loaded once and used in turn).

A job has an id, a position while it waits, progress while it runs (stage, step/steps), and an end
state: ``done`` (with its result), ``failed`` (with a one-line error), or ``cancelled``. Any job can be
cancelled by id — a waiting one is dropped, a running one stops at its next denoising step — so a
client cancels *its* job, not whichever happens to be running (A1111's global interrupt is kept only
for compatibility and cancels the running job). Jobs never share state: each carries its own request,
seeds and result.
"""

from __future__ import annotations

import collections
import itertools
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import LimnerError


class QueueFull(Exception):
    def __init__(self, retry_after: int):
        super().__init__("the job queue is full")
        self.retry_after = retry_after


class Cancelled(Exception):
    """Raised inside a running job when it was cancelled."""


@dataclass
class Job:
    kind: str
    fn: Callable[["Job"], Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: str = "queued"  # queued | running | done | failed | cancelled
    stage: str = ""
    step: int = 0
    steps: int = 0
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: Any = None
    error: str | None = None
    cancel_requested: bool = False
    version: int = 0
    seq: int = 0
    preview: bytes | None = None

    @property
    def progress(self) -> float:
        if self.status in ("done", "failed", "cancelled"):
            return 1.0
        if self.status == "queued" or not self.steps:
            return 0.0
        return min(1.0, self.step / self.steps)

    def check(self) -> None:
        if self.cancel_requested:
            raise Cancelled()


class JobQueue:
    def __init__(self, size: int = 16, keep_finished: int = 64):
        self.size = size
        self.keep = keep_finished
        self._cv = threading.Condition()
        self._waiting: collections.deque[Job] = collections.deque()
        self._jobs: dict[str, Job] = {}
        self._done: collections.deque[str] = collections.deque()
        self._running: Job | None = None
        self._seq = itertools.count()
        self._durations: collections.deque[float] = collections.deque(maxlen=20)
        self._stop = False
        self._worker = threading.Thread(target=self._run, name="limner-jobs", daemon=True)
        self._worker.start()

    # -- submitting and reading -------------------------------------------------------------
    def submit(self, kind: str, fn: Callable[[Job], Any]) -> Job:
        with self._cv:
            if len(self._waiting) >= self.size:
                raise QueueFull(self.retry_after())
            job = Job(kind=kind, fn=fn, seq=next(self._seq))
            self._jobs[job.id] = job
            self._waiting.append(job)
            self._cv.notify_all()
            return job

    def get(self, job_id: str) -> Job | None:
        with self._cv:
            return self._jobs.get(job_id)

    def position(self, job: Job) -> int:
        """0 = running or finished; k = k jobs ahead of it (the running one included)."""
        with self._cv:
            if job.status != "queued":
                return 0
            ahead = sum(1 for j in self._waiting if j.seq < job.seq)
            return ahead + (1 if self._running is not None else 0)

    def jobs(self) -> list[Job]:
        with self._cv:
            return sorted(self._jobs.values(), key=lambda j: j.seq)

    @property
    def running(self) -> Job | None:
        return self._running

    def pending(self) -> int:
        with self._cv:
            return len(self._waiting) + (1 if self._running is not None else 0)

    def retry_after(self) -> int:
        mean = sum(self._durations) / len(self._durations) if self._durations else 2.0
        return max(1, int(mean * max(1, len(self._waiting)) / 2 + 0.999))

    # -- changing ----------------------------------------------------------------------------
    def cancel(self, job_id: str) -> Job | None:
        with self._cv:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.status == "queued":
                self._waiting.remove(job)
                self._finish(job, "cancelled")
            elif job.status == "running":
                job.cancel_requested = True
                self._touch(job)
            return job

    def update(self, job: Job, *, stage: str | None = None, step: int | None = None,
               steps: int | None = None, preview: bytes | None = None) -> None:
        with self._cv:
            if stage is not None:
                job.stage = stage
            if step is not None:
                job.step = step
            if steps is not None:
                job.steps = steps
            if preview is not None:
                job.preview = preview
            self._touch(job)
        job.check()

    def wait(self, job: Job, timeout: float | None = None, since: int = -1) -> Job:
        """Block until the job changes after version ``since`` (or ends), or the timeout passes."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while job.version <= since and job.status not in ("done", "failed", "cancelled"):
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._cv.wait(left)
            return job

    def wait_done(self, job: Job, timeout: float) -> Job:
        end = time.monotonic() + timeout
        with self._cv:
            while job.status not in ("done", "failed", "cancelled"):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cv.wait(left)
            return job

    def close(self) -> None:
        with self._cv:
            self._stop = True
            for job in list(self._waiting):
                self._finish(job, "cancelled")
            self._waiting.clear()
            if self._running is not None:
                self._running.cancel_requested = True
            self._cv.notify_all()
        self._worker.join(timeout=30)

    # -- the worker --------------------------------------------------------------------------
    def _touch(self, job: Job) -> None:
        job.version += 1
        self._cv.notify_all()

    def _finish(self, job: Job, status: str, result: Any = None, error: str | None = None) -> None:
        job.status, job.result, job.error = status, result, error
        job.finished = time.time()
        job.fn = None  # type: ignore[assignment]  # drop closures (images, requests)
        self._done.append(job.id)
        while len(self._done) > self.keep:
            self._jobs.pop(self._done.popleft(), None)
        self._touch(job)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._waiting and not self._stop:
                    self._cv.wait()
                if self._stop:
                    return
                job = self._waiting.popleft()
                job.status, job.started = "running", time.time()
                self._running = job
                self._touch(job)
            t0 = time.monotonic()
            try:
                result = job.fn(job)
                status, error = ("cancelled", None) if job.cancel_requested else ("done", None)
            except Cancelled:
                result, status, error = None, "cancelled", None
            except LimnerError as exc:
                result, status, error = None, "failed", str(exc)
            except Exception as exc:  # a bug: keep serving, report it as one line
                result, status, error = None, "failed", f"internal error: {type(exc).__name__}: {exc}"
            with self._cv:
                self._running = None
                self._durations.append(time.monotonic() - t0)
                self._finish(job, status, result if status == "done" else None, error)
