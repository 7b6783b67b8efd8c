"""Where a diffusers model's files are, and their weight fingerprints: resolving a local folder
or a Hugging Face hub id (:func:`resolve_model`) and a record's ``model`` dict
(:func:`model_record`).

Imports neither torch nor diffusers; :mod:`limner.image.diffusers_common` re-exports all of it.

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

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, ModelNotFoundError

FULL_HASH_MAX = 64 << 20
_MIB = 1 << 20

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[A-Za-z0-9][\w.\-]*)?$")


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


def hub_offline() -> bool:
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
    if snapshot is None and hub_offline():
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
