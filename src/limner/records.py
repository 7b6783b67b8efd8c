"""PNG records: every image limner writes carries its recipe.

Two text chunks, as A1111 and ComfyUI do:

* ``parameters`` — an A1111-style human-readable line set (prompt, negative prompt, steps, sampler,
  CFG scale, seed, size, model), so other tools show something sensible;
* ``limner`` — the whole :class:`~limner.schema.ImageRecord` as JSON (request, expansion, layout,
  backend, model ids and hashes, versions, seed, steps, scales, size).

Writes are atomic (temporary file + rename): an interrupted run never leaves a half-written PNG.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

from .errors import InputError
from .schema import ImageRecord

CHUNK = "limner"


def versions(*modules: str) -> dict[str, str]:
    """Versions of limner, Python and whichever of ``modules`` are already imported."""
    from . import __version__

    out = {"limner": __version__, "python": platform.python_version()}
    for name in modules:
        mod = sys.modules.get(name)
        if mod is not None and getattr(mod, "__version__", None):
            out[name] = str(mod.__version__)
    return out


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def a1111_parameters(rec: ImageRecord) -> str:
    """The A1111 `parameters` text: prompt, negative prompt, then a 'Key: value, ...' line."""
    lines = [rec.prompt]
    if rec.negative_prompt:
        lines.append(f"Negative prompt: {rec.negative_prompt}")
    fields: list[tuple[str, Any]] = [
        ("Steps", rec.num_inference_steps),
        ("Sampler", rec.extra.get("scheduler")),
        ("CFG scale", rec.guidance_scale),
        ("Image CFG scale", rec.image_guidance_scale),
        ("Seed", rec.seed),
        ("Size", f"{rec.width}x{rec.height}"),
        ("Model", rec.model.get("id") or rec.backend),
        ("Model hash", (rec.model.get("sha256") or "")[:10] or None),
        ("Backend", rec.backend),
        ("Version", f"limner {rec.limner_version}"),
    ]
    lines.append(", ".join(f"{k}: {v}" for k, v in fields if v not in (None, "")))
    return "\n".join(lines)


def save_png(image, path: str | os.PathLike, record: ImageRecord | None, metadata: bool = True) -> Path:
    """Save a PIL image as PNG with its record (unless ``metadata`` is False), atomically."""
    from PIL.PngImagePlugin import PngInfo

    path = Path(path)
    info = None
    if metadata and record is not None:
        info = PngInfo()
        info.add_text("parameters", a1111_parameters(record))
        info.add_text(CHUNK, record.model_dump_json(exclude_none=True))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            image.save(f, format="PNG", pnginfo=info)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_record(path: str | os.PathLike) -> ImageRecord | None:
    """The :class:`ImageRecord` stored in a PNG, or None if it has none."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            text = dict(getattr(im, "text", {}) or {})
    except FileNotFoundError:
        raise InputError(f"no such image: {path}") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"cannot read image {path}: {exc}") from None
    raw = text.get(CHUNK)
    if raw is None:
        return None
    try:
        return ImageRecord.model_validate(json.loads(raw))
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path} has a damaged limner record: {str(exc).splitlines()[0]}") from None


def read_parameters(path: str | os.PathLike) -> str | None:
    from PIL import Image

    with Image.open(path) as im:
        return (getattr(im, "text", {}) or {}).get("parameters")


def ensure_output_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` if needed and check it is writable; clear InputError otherwise."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output directory {p}: {exc.strerror or exc}") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise InputError(f"output directory {p} is not writable")
    return p
