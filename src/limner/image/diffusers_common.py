"""Shared helpers for the diffusers backends: dtype/device, schedulers, caching, seeds and the
shared run loop (records take versions from limner.records). Model resolution and weight
fingerprints live in :mod:`limner.image.diffusers_models`.

Nothing here imports torch or diffusers at module level; :func:`require_diffusers` does, at the
point of use, and turns a missing install into ``pip install 'limner[image]'``.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from .._deps import require
from ..errors import InputError, LimnerError, ModelNotFoundError
from .diffusers_models import ResolvedModel, hub_offline, model_record, resolve_model

# short name -> (diffusers scheduler class, extra config). Public API: names are stable.
SCHEDULERS: dict[str, tuple[str, dict[str, Any]]] = {
    "euler": ("EulerDiscreteScheduler", {}),
    "euler_a": ("EulerAncestralDiscreteScheduler", {}),
    "dpmpp_2m": ("DPMSolverMultistepScheduler", {}),
    "dpmpp_2m_karras": ("DPMSolverMultistepScheduler", {"use_karras_sigmas": True}),
    "ddim": ("DDIMScheduler", {}),
    "pndm": ("PNDMScheduler", {"skip_prk_steps": True}),
    "lms": ("LMSDiscreteScheduler", {}),
    "unipc": ("UniPCMultistepScheduler", {}),
}

# other spellings users type (the embedded backend's "dpm++" included) -> the names above
SCHEDULER_ALIASES = {
    "dpmpp": "dpmpp_2m", "dpm++": "dpmpp_2m", "dpm++_2m": "dpmpp_2m", "dpmpp2m": "dpmpp_2m",
    "dpm++_2m_karras": "dpmpp_2m_karras", "euler_ancestral": "euler_a", "eulera": "euler_a",
}

DTYPES = {
    "float32": "float32", "fp32": "float32", "float": "float32",
    "float16": "float16", "fp16": "float16", "half": "float16",
    "bfloat16": "bfloat16", "bf16": "bfloat16",
}


def require_diffusers(purpose: str = "Stable Diffusion models through diffusers"):
    """Import torch and diffusers, or raise MissingExtraError naming ``limner[image]``."""
    torch = require("torch", purpose)
    diffusers = require("diffusers", purpose)
    return torch, diffusers


# ---------------------------------------------------------------------------------- arguments
def parse_dtype(name: str | None) -> str:
    """Canonical dtype name ('float32', 'float16', 'bfloat16'); InputError for anything else."""
    key = str(name or "float32").strip().lower().removeprefix("torch.")
    if key not in DTYPES:
        raise InputError(f"unknown dtype '{name}'; choose one of: float32, float16, bfloat16")
    return DTYPES[key]


def parse_device(name: str | None) -> str:
    """A device string torch accepts and that is usable here; InputError otherwise."""
    torch = require("torch", "Stable Diffusion models through diffusers")
    dev = str(name or "cpu").strip().lower()
    try:
        d = torch.device(dev)
    except (RuntimeError, ValueError):
        raise InputError(f"unknown device '{name}'; use cpu, cuda, cuda:N or mps") from None
    if d.type == "cuda":
        if not torch.cuda.is_available():
            raise InputError(f"device '{name}' requested but CUDA is not available to torch "
                             f"{torch.__version__}; use --device cpu")
        if d.index is not None and d.index >= torch.cuda.device_count():
            raise InputError(f"device '{name}' does not exist ({torch.cuda.device_count()} GPU(s))")
    elif d.type == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise InputError(f"device '{name}' requested but MPS is not available; use --device cpu")
    elif d.type != "cpu":
        raise InputError(f"unsupported device '{name}'; use cpu, cuda, cuda:N or mps")
    return dev


def parse_scheduler(name: str | None) -> str | None:
    """A key of :data:`SCHEDULERS`, or None for the model's own scheduler."""
    if name is None or str(name).strip().lower() in ("", "default"):
        return None
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = SCHEDULER_ALIASES.get(key, key).replace("+", "p")
    key = SCHEDULER_ALIASES.get(key, key)
    if key not in SCHEDULERS:
        raise InputError(f"unknown scheduler '{name}'; choose one of: default, "
                         + ", ".join(SCHEDULERS))
    return key


def torch_dtype(name: str):
    torch = require("torch")
    return getattr(torch, parse_dtype(name))


# ---------------------------------------------------------------------------------- pipelines
@dataclass
class CachedPipeline:
    pipe: Any
    scheduler_config: Any  # the model's own scheduler config, to build fresh schedulers from
    scheduler_class: str
    lock: threading.Lock = field(default_factory=threading.Lock)


_PIPELINES: dict[tuple, CachedPipeline] = {}
_PIPELINES_LOCK = threading.Lock()


def cached_pipeline(key: tuple, load: Callable[[], Any], device: str) -> CachedPipeline:
    """Load a pipeline once per process for ``key`` = (kind, model, controlnet, device, dtype)."""
    with _PIPELINES_LOCK:
        hit = _PIPELINES.get(key)
        if hit is not None:
            return hit
        try:
            with _quiet_loading():
                pipe = load()
        except LimnerError:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelNotFoundError(f"cannot load {key[0]} pipeline from '{key[1]}': {first}") from exc
        pipe = pipe.to(device)
        pipe.set_progress_bar_config(disable=True)
        entry = CachedPipeline(pipe, pipe.scheduler.config, type(pipe.scheduler).__name__)
        _PIPELINES[key] = entry
        return entry


@contextlib.contextmanager
def _quiet_loading():
    """Loading is reported by limner's own progress line: silence diffusers'/transformers' loading
    bars and their advice to install torchvision (limner never uses the image processors)."""
    from diffusers.utils import logging as d_log
    from transformers.utils import logging as t_log

    d_bars, t_bars = d_log.is_progress_bar_enabled(), t_log.is_progress_bar_enabled()
    d_level, t_level = d_log.get_verbosity(), t_log.get_verbosity()
    d_log.disable_progress_bar()
    t_log.disable_progress_bar()
    d_log.set_verbosity(max(d_level, d_log.ERROR))
    t_log.set_verbosity(max(t_level, t_log.ERROR))
    try:
        yield
    finally:
        d_log.set_verbosity(d_level)
        t_log.set_verbosity(t_level)
        if d_bars:
            d_log.enable_progress_bar()
        if t_bars:
            t_log.enable_progress_bar()


def clear_cache() -> None:
    """Forget loaded pipelines (frees memory once nothing else holds them)."""
    with _PIPELINES_LOCK:
        _PIPELINES.clear()


def fresh_scheduler(entry: CachedPipeline, name: str | None):
    """A new scheduler instance: ``name`` from :data:`SCHEDULERS`, or the model's own class.

    A fresh instance per call keeps calls independent (schedulers carry step state).
    Returns (scheduler, recorded name).
    """
    _, diffusers = require_diffusers()
    if name is None:
        cls = getattr(diffusers, entry.scheduler_class)
        short = next((k for k, (c, kw) in SCHEDULERS.items()
                      if c == entry.scheduler_class and not kw.get("use_karras_sigmas")), None)
        return cls.from_config(entry.scheduler_config), short or entry.scheduler_class
    cls_name, extra = SCHEDULERS[name]
    try:
        return getattr(diffusers, cls_name).from_config(entry.scheduler_config, **extra), name
    except ImportError as exc:  # LMS needs scipy
        raise InputError(f"scheduler '{name}' needs an extra package: {exc}") from None


# ---------------------------------------------------------------------------------- calls
def generators(seeds: list[int], device: str) -> list[Any]:
    """One ``torch.Generator`` per image (on CPU for MPS, where device generators are unusable)."""
    torch = require("torch")
    gdev = "cpu" if device.startswith("mps") else device
    out = []
    for s in seeds:
        s = int(s)
        if not 0 <= s < 2**63:
            raise InputError(f"seed {s} is out of range [0, 2**63)")
        out.append(torch.Generator(gdev).manual_seed(s))
    return out


def _callback_kwargs(pipe, callback: Callable[[int, int], None] | None, done: int, steps: int,
                     total: int) -> dict[str, Any]:
    """Hook limner's ``callback(step, total)`` into the pipeline's own step-callback argument.

    Steps are counted here, since pipelines number them differently (PNDM takes one extra
    warm-up step): steps 1..N-1 are reported as they end, step N when the images are decoded.
    """
    if callback is None:
        return {}
    import inspect

    count = [0]

    def tick() -> None:
        count[0] += 1
        if count[0] < steps:
            callback(done + count[0], total)

    params = inspect.signature(pipe.__call__).parameters
    if "callback_on_step_end" in params:
        def on_step_end(pipe_, step, timestep, kwargs):
            tick()
            return kwargs

        return {"callback_on_step_end": on_step_end}
    if "callback" in params:  # older pipelines (GLIGEN)
        return {"callback": lambda step, t, latents: tick(), "callback_steps": 1}
    return {}


def run_pipeline(entry: CachedPipeline, *, scheduler: str | None, seeds: list[int], device: str,
                 num_inference_steps: int, batch_size: int = 1,
                 callback: Callable[[int, int], None] | None = None,
                 **call_kwargs: Any) -> tuple[list[Any], str]:
    """Call the cached pipeline once per batch of seeds; return (PIL images, scheduler name).

    Each batch gets a fresh scheduler and one generator per image. ``batch_size`` 1 (the
    default) makes every image reproducible from its own record alone: on CPU, batched kernels may
    round differently from single-image ones, so a batch of 4 need not match 4 runs of 1.
    """
    scheduler = parse_scheduler(scheduler)
    if not seeds:
        raise InputError("no seeds given: need one seed per image")
    bs = int(batch_size)
    if bs < 1:
        raise InputError(f"batch_size must be at least 1, got {batch_size}")
    chunks = [seeds[i:i + bs] for i in range(0, len(seeds), bs)]
    total = num_inference_steps * len(chunks)
    images: list[Any] = []
    name = ""
    with entry.lock:
        for n, chunk in enumerate(chunks):
            sched, name = fresh_scheduler(entry, scheduler)
            entry.pipe.scheduler = sched
            kwargs = dict(call_kwargs, num_inference_steps=num_inference_steps,
                          num_images_per_prompt=len(chunk), generator=generators(chunk, device))
            kwargs.update(_callback_kwargs(entry.pipe, callback, n * num_inference_steps,
                                           num_inference_steps, total))
            try:
                out = entry.pipe(**kwargs)
            except ValueError as exc:
                raise pipeline_error(exc) from exc
            images.extend(out.images)
            if callback is not None:
                callback((n + 1) * num_inference_steps, total)
    return images, name


def check_size(width: int, height: int) -> None:
    for name, v in (("width", width), ("height", height)):
        if v < 8 or v % 8:
            raise InputError(f"{name} {v} must be a positive multiple of 8 for diffusers models")


def default_size(pipe) -> tuple[int, int]:
    unet = getattr(pipe, "unet", None) or getattr(pipe, "transformer", None)
    sample = getattr(getattr(unet, "config", None), "sample_size", 64) or 64
    if isinstance(sample, (list, tuple)):
        sample = sample[0]
    side = int(sample) * int(getattr(pipe, "vae_scale_factor", 8))
    return side, side


def is_turbo(model_id: str) -> bool:
    return "turbo" in model_id.lower()


def default_steps_guidance(model_id: str) -> tuple[int, float]:
    """Defaults users expect: 1 step and no CFG for SD-/SDXL-Turbo, else 30 steps at CFG 7.5."""
    return (1, 0.0) if is_turbo(model_id) else (30, 7.5)


def pipeline_error(exc: Exception) -> InputError:
    """A diffusers argument check (ValueError) as one clear line."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return InputError(f"diffusers rejected the arguments: {first}")


# ---------------------------------------------------------------------------------- base
class DiffusersModel:
    """What every diffusers backend shares: validated arguments, a resolved model, loading.

    Arguments are checked in the constructor (bad dtype/device/scheduler, a missing model or a
    missing ``limner[image]`` install fail at once with one line); weights load on first use and
    stay cached in-process for the same (kind, model, controlnet, device, dtype).
    """

    def __init__(self, model: str | None, device: str = "cpu", dtype: str = "float32",
                 scheduler: str | None = None, variant: str | None = None):
        require_diffusers()
        self.dtype = parse_dtype(dtype)
        self.device = parse_device(device)
        self.scheduler = parse_scheduler(scheduler)
        if self.dtype == "float16" and self.device == "cpu":
            raise InputError("dtype float16 needs a GPU (--device cuda or mps); on CPU use "
                             "float32 or bfloat16")
        self.variant = variant or None
        self.resolved = resolve_model(model)
        self._records: dict[str, dict[str, Any]] = {}

    def model_record(self, resolved: ResolvedModel | None = None) -> dict[str, Any]:
        resolved = resolved or self.resolved
        if resolved.id not in self._records:
            self._records[resolved.id] = model_record(resolved)
        return dict(self._records[resolved.id])

    def load(self, kind: str, loader: Callable[..., Any], resolved: ResolvedModel | None = None,
             controlnet: ResolvedModel | None = None) -> CachedPipeline:
        """The cached pipeline for ``kind``; ``loader(load_from, **from_pretrained_kwargs)``."""
        resolved = resolved or self.resolved
        key = (kind, resolved.id, controlnet.id if controlnet else None, self.device, self.dtype,
               self.variant)
        kwargs: dict[str, Any] = {"dtype": torch_dtype(self.dtype)}
        if self.variant:
            kwargs["variant"] = self.variant
        if hub_offline():
            kwargs["local_files_only"] = True
        return cached_pipeline(key, lambda: loader(resolved.load_from, **kwargs), self.device)

    def describe(self) -> dict[str, Any]:
        return {"backend": getattr(self, "id", "diffusers"), "model": self.resolved.id,
                "device": self.device, "dtype": self.dtype,
                "scheduler": self.scheduler or "default"}
