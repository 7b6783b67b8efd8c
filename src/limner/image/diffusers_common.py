"""Shared helpers for the diffusers backends: model resolution, dtype/device, schedulers, caching,
weight fingerprints, seeds and the shared run loop (records take versions from limner.records).

Nothing here imports torch or diffusers at module level; :func:`require_diffusers` does, at the
point of use, and turns a missing install into ``pip install 'limner[image]'``.

Weight fingerprints (recorded in every PNG as ``model.sha256`` and ``model.files``)
---------------------------------------------------------------------------------
For each ``*.safetensors`` file of a local model folder (or of the cached Hugging Face snapshot;
``*.bin``/``*.ckpt`` are used only where a component has no safetensors file):

* a file of at most :data:`FULL_HASH_MAX` bytes (64 MiB) gets its full sha256 (``"sha256:<hex>"``);
* a larger file gets a *fast* fingerprint (``"fast:<hex>"``): sha256 over a version tag, the file
  size, its first MiB and its last MiB. It tells apart any two real checkpoints (fine-tunes change
  the first tensors) at a cost of 2 MiB read per file instead of gigabytes; it is not a content
  hash, so it is labelled differently and never compared with a full sha256.

``model.sha256`` is the sha256 of the sorted ``"<relative path>\\t<fingerprint>\\n"`` lines, so it
changes if any weight file changes. Results are cached in-process by (path, size, mtime).
"""

from __future__ import annotations

import contextlib

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .._deps import require
from ..errors import InputError, LimnerError, ModelNotFoundError

FULL_HASH_MAX = 64 << 20
_MIB = 1 << 20

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

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[A-Za-z0-9][\w.\-]*)?$")


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


# ---------------------------------------------------------------------------------- models
@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's files are: ``load_from`` is what ``from_pretrained`` receives."""

    id: str  # as the user gave it (hub id) or the absolute local path
    load_from: str
    local_dir: Path | None  # local folder or cached hub snapshot (for hashing); None if unknown
    is_hub: bool = False
    class_name: str | None = None  # model_index.json `_class_name` (pipelines only)
    info: dict[str, Any] = field(default_factory=dict)


def _hub_cache_dir() -> str:
    try:
        from huggingface_hub import constants

        return str(constants.HF_HUB_CACHE)
    except ImportError:  # pragma: no cover - huggingface_hub ships with diffusers
        return os.path.join(os.environ.get("HF_HOME", "~/.cache/huggingface"), "hub")


def _offline() -> bool:
    vals = [os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", "")]
    return any(v.strip().lower() in ("1", "true", "yes", "on") for v in vals)


def _looks_like_path(model: str) -> bool:
    """True for strings that can only be meant as paths (a hub id is ``name`` or ``org/name``)."""
    return (model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model
            or model.endswith((".safetensors", ".ckpt", ".bin", ".pt")))


def resolve_model(model: str | os.PathLike | None, *, what: str = "model",
                  marker: str = "model_index.json") -> ResolvedModel:
    """Resolve a local folder or a Hugging Face hub id to something ``from_pretrained`` can load.

    ``marker`` is the file a local folder must contain: ``model_index.json`` for a pipeline,
    ``config.json`` for a single model such as a ControlNet. A hub id must already be in the local
    cache when ``HF_HUB_OFFLINE=1``; otherwise diffusers may download it.
    """
    if model is None or not str(model).strip():
        raise InputError(f"no {what} given: pass a Hugging Face model id or a local folder "
                         "(e.g. --model stabilityai/sd-turbo or --model /models/sd-turbo)")
    raw = str(model).strip()
    path = Path(raw).expanduser()
    if path.exists():
        path = path.resolve()
        if path.is_file():
            raise InputError(f"{what} '{raw}' is a single file; limner loads diffusers folders "
                             f"(with {marker}) — convert it with diffusers' from_single_file and "
                             "save_pretrained first")
        if not (path / marker).is_file():
            raise ModelNotFoundError(f"{what} folder {path} has no {marker}; expected a diffusers "
                                     "folder as written by save_pretrained")
        return ResolvedModel(id=str(path), load_from=str(path), local_dir=path,
                             class_name=_class_name(path / marker))
    if _looks_like_path(raw) or not _HUB_ID.match(raw):
        raise ModelNotFoundError(f"{what} path {path} does not exist")
    snapshot = _cached_snapshot(raw, marker)
    if snapshot is None and _offline():
        raise ModelNotFoundError(
            f"{what} '{raw}' is not in the local Hugging Face cache ({_hub_cache_dir()}; set by "
            "HF_HOME/HF_HUB_CACHE) and HF_HUB_OFFLINE=1: download it first "
            f"(hf download {raw}) or pass a local folder")
    return ResolvedModel(id=raw, load_from=raw, local_dir=snapshot, is_hub=True,
                         class_name=_class_name(snapshot / marker) if snapshot else None)


def _cached_snapshot(repo_id: str, marker: str) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover
        return None
    try:
        hit = try_to_load_from_cache(repo_id, marker)
    except Exception:  # malformed id etc.: treat as not cached
        return None
    return Path(hit).parent if isinstance(hit, str) else None


def _class_name(index: Path) -> str | None:
    try:
        return json.loads(index.read_text(encoding="utf-8")).get("_class_name")
    except (OSError, ValueError, AttributeError):
        return None


# ---------------------------------------------------------------------------------- hashing
_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def file_fingerprint(path: Path) -> str:
    """``sha256:<hex>`` for files up to 64 MiB, else ``fast:<hex>`` (see module docstring)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key in _HASH_CACHE:
        return _HASH_CACHE[key]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        if st.st_size <= FULL_HASH_MAX:
            while block := f.read(_MIB):
                h.update(block)
            out = "sha256:" + h.hexdigest()
        else:
            h.update(b"limner-fast-v1\0" + str(st.st_size).encode() + b"\0")
            h.update(f.read(_MIB))
            f.seek(-_MIB, os.SEEK_END)
            h.update(f.read(_MIB))
            out = "fast:" + h.hexdigest()
    _HASH_CACHE[key] = out
    return out


def weight_files(folder: Path) -> list[Path]:
    """Weight files under ``folder``: safetensors, or .bin/.ckpt for components that lack them."""
    safetensors = sorted(folder.rglob("*.safetensors"))
    have = {p.parent for p in safetensors}
    legacy = sorted(p for ext in ("*.bin", "*.ckpt") for p in folder.rglob(ext) if p.parent not in have)
    return sorted(safetensors + legacy)


def model_record(resolved: ResolvedModel) -> dict[str, Any]:
    """The ``model`` dict of a record: id, and the weight fingerprints when the files are local."""
    out: dict[str, Any] = {"id": resolved.id}
    if resolved.class_name:
        out["class"] = resolved.class_name
    if resolved.local_dir is None:
        return out
    if not resolved.is_hub:
        out["path"] = str(resolved.local_dir)
    files = {str(p.relative_to(resolved.local_dir)): file_fingerprint(p)
             for p in weight_files(resolved.local_dir)}
    if files:
        joined = "".join(f"{k}\t{v}\n" for k, v in sorted(files.items()))
        out["sha256"] = hashlib.sha256(joined.encode()).hexdigest()
        out["files"] = files
    return out


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


def check_options(options: dict[str, Any], known: set[str], backend: str) -> dict[str, Any]:
    """Drop None values; InputError naming the known options for anything unknown."""
    opts = {k: v for k, v in options.items() if v is not None}
    unknown = sorted(set(opts) - known)
    if unknown:
        raise InputError(f"unknown option(s) for the {backend} backend: {', '.join(unknown)}; "
                         f"known: {', '.join(sorted(known))}")
    return opts


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
        if _offline():
            kwargs["local_files_only"] = True
        return cached_pipeline(key, lambda: loader(resolved.load_from, **kwargs), self.device)

    def describe(self) -> dict[str, Any]:
        return {"backend": getattr(self, "id", "diffusers"), "model": self.resolved.id,
                "device": self.device, "dtype": self.dtype,
                "scheduler": self.scheduler or "default"}
