"""`edit`: a source image + an instruction → edited images, each PNG carrying its recipe.

``run_edit(request, out_dir)`` loads the source (``request.image_path``), checks the instruction,
dispatches to the edit backend (``embedded`` by default, ``diffusers`` for InstructPix2Pix models)
and writes, like ``generate``: ``OUT/NNNN-SEED.png`` for viewing (native images below 256 px are
nearest-upscaled) and ``OUT/native/NNNN-SEED.png`` with the native pixels. Every record has
``kind="edit"`` and ``extra.source_sha256`` / ``extra.instruction``.

Bad input — a missing or unreadable image, an empty or too long instruction, out-of-range numbers,
an output path that cannot be a writable directory — is one :class:`~limner.errors.InputError`
line before any model runs; if writing fails half-way, what this call wrote is removed again.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import __version__
from ..errors import InputError
from ..generate import free_stem
from ..records import ensure_output_dir, save_png, sha256_file, versions
from ..schema import EditRequest, ImageRecord
from .instructions import validate_instruction

VIEW_MIN_SIDE = 256


class EditResult(BaseModel):
    """What ``run_edit`` returns: one record per image, the files written, notes for the user."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    records: list[ImageRecord]
    paths: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    images: list[Any] = Field(default_factory=list, exclude=True)


def load_source(path: str | Path):
    """(RGB PIL image, sha256 of the file); InputError for a missing or unreadable image."""
    from PIL import Image, UnidentifiedImageError

    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a directory, not an image")
    if not p.is_file():
        raise InputError(f"no such image: {p}")
    try:
        with Image.open(p) as im:
            im.load()
            img = im.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"cannot read image {p}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    return img, sha256_file(p)


FLAGS = {"num_images": "-n/--num-images", "num_inference_steps": "--steps", "guidance_scale": "--guidance",
         "image_guidance_scale": "--image-guidance", "seed": "--seed"}


def make_request(image_path: str | Path, instruction: str, **kw: Any) -> EditRequest:
    """Check the arguments (one clear InputError line each) and read the source image's hash."""
    instruction = validate_instruction(instruction)
    for key in ("guidance_scale", "image_guidance_scale"):
        v = kw.get(key)
        if v is not None and not math.isfinite(v):
            raise InputError(f"bad value for {FLAGS[key]}: {v} is not a number")
    try:
        EditRequest(image_sha256="", instruction=instruction, **kw)  # numbers first: no image read
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(x) for x in e["loc"])
        raise InputError(f"bad value for {FLAGS.get(where, where)}: {e['msg']}") from None
    _, sha = load_source(image_path)
    return EditRequest(image_path=str(image_path), image_sha256=sha, instruction=instruction, **kw)


def check_output_dir(path: str | Path) -> Path:
    """InputError now, before any work, if ``path`` cannot become a writable directory. Creates
    nothing (a failed edit leaves nothing behind)."""
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


def _view(img):
    from PIL import Image

    side = min(img.size)
    if side >= VIEW_MIN_SIDE:
        return img
    k = -(-VIEW_MIN_SIDE // side)
    return img.resize((img.width * k, img.height * k), Image.NEAREST)


def run_edit(request: EditRequest, out_dir: str | Path | None = None, *, image: Any = None,
             backend: Any = None, metadata: bool = True,
             callback: Callable[[int, int], None] | None = None) -> EditResult:
    """Edit ``request.image_path`` (or ``image``) as the request says; write PNGs if ``out_dir``."""
    from ..image import get_edit_backend

    validate_instruction(request.instruction)
    if out_dir is not None:
        check_output_dir(out_dir)
    if image is None:
        if not request.image_path:
            raise InputError("no image to edit")
        image, sha = load_source(request.image_path)
        if sha != request.image_sha256:
            raise InputError(f"{request.image_path} changed since the request was made")
    if backend is None:
        opts = {k: v for k, v in request.options.items() if k in ("device", "dtype")}
        if request.model:
            opts["model"] = request.model
        backend = get_edit_backend(request.backend, **opts)
    run_opts = {k: v for k, v in request.options.items() if k not in ("device", "dtype")}
    seeds = [request.seed + i for i in range(request.num_images)]
    out = backend.edit(image, request.instruction, seeds=seeds,
                       num_inference_steps=request.num_inference_steps,
                       guidance_scale=request.guidance_scale,
                       image_guidance_scale=request.image_guidance_scale, callback=callback, **run_opts)
    extra_common = {k: v for k, v in out.extra.items() if k not in ("image_guidance_scale", "notes")}
    notes = list(out.extra.get("notes") or [])
    records = []
    for i, (img, seed) in enumerate(zip(out.images, out.seeds)):
        records.append(ImageRecord(
            limner_version=__version__, kind="edit", request=request.model_dump(mode="json"), index=i,
            seed=seed, prompt=request.instruction, backend=getattr(backend, "id", request.backend),
            model=out.model, versions=versions("torch", "diffusers", "transformers", "PIL"),
            num_inference_steps=out.num_inference_steps, guidance_scale=out.guidance_scale,
            image_guidance_scale=out.extra.get("image_guidance_scale", request.image_guidance_scale),
            width=img.width, height=img.height,
            extra=extra_common | {"source_sha256": request.image_sha256, "instruction": request.instruction,
                                  "source_path": request.image_path},
        ))
    result = EditResult(records=records, images=list(out.images), notes=notes)
    if out_dir is not None:
        _write_all(Path(out_dir), records, out.images, metadata, result.paths)
    return result


def _write_all(d: Path, records, images, metadata: bool, paths: list[str]) -> None:
    """Write every image (view + native) or, on any failure, remove what this call wrote."""
    made, x = [], d
    while not x.exists() and x != x.parent:  # folders this call creates, outermost first
        made.insert(0, x)
        x = x.parent
    if not (d / "native").exists():
        made.append(d / "native")
    written: list[Path] = []
    try:
        ensure_output_dir(d)
        for rec, img in zip(records, images):
            stem = free_stem(d, rec.index, rec.seed)
            view = _view(img)
            if view is not img:
                ensure_output_dir(d / "native")
                written.append(save_png(img, d / "native" / f"{stem}.png", rec, metadata))
            written.append(save_png(view, d / f"{stem}.png", rec, metadata))
            paths.append(str(written[-1]))
    except BaseException as exc:
        for f in written:
            f.unlink(missing_ok=True)
        for x in reversed(made):
            try:
                x.rmdir()
            except OSError:
                pass
        paths.clear()
        if isinstance(exc, OSError):
            raise InputError(f"cannot write to {d}: {exc.strerror or exc}; nothing was kept") from None
        raise


def image_sha256(image) -> str:
    return hashlib.sha256(image.tobytes()).hexdigest()
