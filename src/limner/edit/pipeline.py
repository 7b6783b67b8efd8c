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
from ..records import OutputImage, check_output_dir, sha256_file, versions, write_images
from ..schema import EditRequest, ImageRecord
from .instructions import validate_instruction



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
        result.paths = write_images(out_dir, [OutputImage(i, r) for r, i in zip(records, out.images)],
                                    metadata=metadata)
    return result


def image_sha256(image) -> str:
    return hashlib.sha256(image.tobytes()).hexdigest()
