"""PNG records: every image limner writes carries its recipe.

Two text chunks, as A1111 and ComfyUI do:

* ``parameters`` — an A1111-style human-readable line set (prompt, negative prompt, steps, sampler,
  CFG scale, seed, size, model), so other tools show something sensible;
* ``limner`` — the whole :class:`~limner.schema.ImageRecord` as JSON (request, expansion, layout,
  backend, model ids and hashes, versions, seed, steps, scales, size).

Writes are atomic (temporary file + rename): an interrupted run never leaves a half-written PNG.

:func:`write_images` is the one output writer (``limner generate`` and ``limner edit``): view copies
upscaled with nearest-neighbour below :data:`VIEW_MIN_SIDE`, native pixels in ``native/``, companion
images (the plan's sketch) in their own folders, names ``NNNN-SEED.png`` that never overwrite, and
all or nothing: if any write fails, what the call wrote (files and folders) is removed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .schema import ImageRecord

CHUNK = "limner"
VIEW_MIN_SIDE = 256  # images smaller than this are nearest-upscaled for viewing


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


def png_info(record: ImageRecord):
    """The PNG text chunks of ``record``: ``parameters`` (A1111) and ``limner`` (JSON)."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("parameters", a1111_parameters(record))
    info.add_text(CHUNK, record.model_dump_json(exclude_none=True))
    return info


def attach_recipe(image, record: ImageRecord):
    """Let ``image.save("x.png")`` write ``record`` into the PNG (Pillow reads default save
    parameters from ``image.encoderinfo``); returns ``image``. Other formats ignore it."""
    image.encoderinfo = {**(getattr(image, "encoderinfo", None) or {}), "pnginfo": png_info(record)}
    return image


def save_png(image, path: str | os.PathLike, record: ImageRecord | None, metadata: bool = True) -> Path:
    """Save a PIL image as PNG with its record (unless ``metadata`` is False), atomically."""
    path = Path(path)
    info = png_info(record) if metadata and record is not None else None
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


def check_output_dir(path: str | os.PathLike) -> Path:
    """InputError now, before any work, if ``path`` cannot become a writable directory. Creates
    nothing (a failed run leaves nothing behind)."""
    p = Path(path)
    if p.exists():
        if not p.is_dir():
            raise InputError(f"cannot write to {p}: it exists and is not a directory")
        if not os.access(p, os.W_OK | os.X_OK):
            raise InputError(f"output directory {p} is not writable")
        return p
    anc = p.parent
    while not anc.exists() and anc != anc.parent:
        anc = anc.parent
    if not anc.is_dir():
        raise InputError(f"cannot create output directory {p}: {anc} is not a directory")
    if not os.access(anc, os.W_OK | os.X_OK):
        raise InputError(f"cannot create output directory {p}: {anc} is not writable")
    return p


def view_image(img):
    """``img`` for viewing: nearest-neighbour upscaled by a whole factor when its shorter side is
    below :data:`VIEW_MIN_SIDE` (pixels stay exact), else ``img`` itself."""
    side = min(img.width, img.height)
    if side >= VIEW_MIN_SIDE:
        return img
    from PIL import Image

    k = -(-VIEW_MIN_SIDE // side)
    return img.resize((img.width * k, img.height * k), Image.NEAREST)


def free_stem(out: Path, index: int, seed: int) -> str:
    """``NNNN-SEED``, or ``NNNN-SEED-K`` when ``out/NNNN-SEED.png`` exists (never overwrite)."""
    stem = f"{index:04d}-{seed}"
    n = 1
    while (out / f"{stem}.png").exists():
        stem = f"{index:04d}-{seed}-{n}"
        n += 1
    return stem


@dataclass
class OutputImage:
    """One image to write: the native pixels, their record, and companion images by folder name
    (e.g. ``{"layout": sketch}``; a callable gets the view size and returns the image)."""

    image: Any  # PIL.Image.Image
    record: ImageRecord | None
    companions: dict[str, Any] = field(default_factory=dict)


def write_images(out_dir: str | os.PathLike, items: list[OutputImage], *,
                 metadata: bool = True) -> list[str]:
    """Write ``items`` into ``out_dir``; returns the view paths (``OUT/NNNN-SEED.png``).

    Per item: the view copy (:func:`view_image`) as ``OUT/STEM.png``, the native pixels as
    ``OUT/native/STEM.png`` when they differ, each companion as ``OUT/NAME/STEM.png``, every PNG
    with the record unless ``metadata`` is False. All or nothing: on any failure the files and
    folders this call created are removed, and an OSError becomes one InputError line.
    """
    d = Path(out_dir)
    check_output_dir(d)
    made: list[Path] = []
    x = d
    while not x.exists() and x != x.parent:  # folders this call creates, outermost first
        made.insert(0, x)
        x = x.parent
    written: list[Path] = []
    paths: list[str] = []

    def folder(p: Path) -> Path:
        if not p.exists():
            made.append(p)
        return ensure_output_dir(p)

    try:
        folder(d)
        for item in items:
            rec = item.record
            index, seed = (rec.index, rec.seed) if rec is not None else (len(paths), 0)
            stem = free_stem(d, index, seed)
            view = view_image(item.image)
            if view is not item.image:
                written.append(save_png(item.image, folder(d / "native") / f"{stem}.png", rec, metadata))
            written.append(save_png(view, d / f"{stem}.png", rec, metadata))
            paths.append(str(written[-1]))
            for name, comp in item.companions.items():
                img = comp((view.width, view.height)) if callable(comp) else comp
                written.append(save_png(img, folder(d / name) / f"{stem}.png", rec, metadata))
    except BaseException as exc:
        for f in written:
            f.unlink(missing_ok=True)
        for x in reversed(made):
            try:
                x.rmdir()
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise InputError(f"cannot write to {d}: {exc.strerror or exc}; nothing was kept") from None
        raise
    return paths
