"""``embedded`` edit backend: the shipped world edit model (``models/edit_weights``), CPU, 32×32.

The source image is brought to the native 32×32 first (:func:`to_native`): an exact integer
nearest-neighbour upscale — what ``limner generate`` writes for viewing — is reduced exactly (block
mean); any other square image of at least 32×32 is area-resized (``Image.BOX``, a clean box
filter) with a note saying so. Non-square and smaller images are rejected with an
:class:`~limner.errors.InputError`.

The planner step (``edit.sketch``) detects the source scene, reads the instruction (``edit.reader``;
the LLM reader too with ``llm=``) and applies it to the scene (``edit.apply``), then paints the
target sketch. An instruction the planner cannot carry out (not understood, out of vocabulary,
impossible in this scene) is refused: :class:`~limner.errors.InputError` with one line, before the
model runs, unless ``force=True``, which runs the model on source + text alone (the record's
``edit_path`` says which path ran). ``sketch=False`` turns the planner off.

With a plan, sampling is region-preserving (``edit.mask``, Blended-Diffusion style): pixels outside
the planned edit region are the source's at every step, so the model draws only what the
instruction changes. ``mask=False`` lets the model redraw the whole image (the IP2P behaviour).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import InputError
from ..image.base import BackendOutput, EditBackend
from ..models.edit_model import SIZE, WEIGHTS_DIR

DEFAULT_STEPS = 20
# Chosen on benchmarks/edit_eval.py (seeds 0..159, shipped weights, masked sampling): s_I = s_T = 1
# gives success 0.912 / preservation 0.956, s_I = s_T = 1.5 0.919 / 0.950 at 3x the cost, s_T >= 2
# over-saturates the edit region (s_T = 3: 0.47 / 0.62). At 1/1 only the conditional branch runs.
DEFAULT_GUIDANCE = 1.0
DEFAULT_IMAGE_GUIDANCE = 1.0
MODEL_ID = "limner/world-edit-32"


def to_native(image: Any, size: int = SIZE, notes: list[str] | None = None):
    """The image as a size×size RGB PIL image (see the module doc); InputError if it can't be.
    A lossy resize appends a line to ``notes``."""
    from PIL import Image

    if not isinstance(image, Image.Image):
        raise InputError(f"the image to edit must be a PIL image, got {type(image).__name__}")
    im = image.convert("RGB")
    w, h = im.size
    if w != h:
        raise InputError(f"the embedded edit model needs a square world image; got {w}x{h}")
    if w == size:
        return im
    if w < size:
        raise InputError(f"the image is {w}x{h}; the embedded edit model needs at least {size}x{size}")
    if w % size == 0:
        k = w // size
        a = np.asarray(im, np.float32)
        blocks = a.reshape(size, k, size, k, 3)
        if float((blocks.max(axis=(1, 3)) - blocks.min(axis=(1, 3))).max()) <= 6:  # nearest upscale
            return Image.fromarray(np.clip(blocks.mean(axis=(1, 3)) + 0.5, 0, 255).astype(np.uint8))
    if notes is not None:
        notes.append(f"the image is {w}x{h}; resized to the embedded model's {size}x{size} (box filter), "
                     f"so the edit is {size}x{size}")
    return im.resize((size, size), Image.BOX)


@dataclass
class EditInputs:
    """What the edit model is given for one native image (tensors in [-1, 1]; ``keep``/``fill``
    None when nothing is kept), and what the planner made of the instruction."""

    instruction: str
    source: Any  # (3, 32, 32)
    sketch: Any  # (10, 32, 32)
    keep: Any = None  # (1, 32, 32) in [0, 1]
    fill: Any = None  # (3, 32, 32)
    op: Any = None
    target: Any = None
    notes: list[str] = field(default_factory=list)
    refusal: str | None = None  # why the planner cannot carry the instruction out (None: it can)
    plan: Any = None  # the EditPlan


def plan_edit(image, instruction: str, llm: Any = None):
    """(EditPlan or None, note) for one native image; None when the detector is unavailable."""
    from .sketch import detect_layout, plan_instruction

    try:
        src = detect_layout(image)
    except (FileNotFoundError, ImportError) as exc:  # detector not installed/trained
        return None, f"detector unavailable ({exc})"
    return plan_instruction(src, instruction, llm=llm), ""


def edit_inputs(native, instruction: str, *, sketch: bool = True, mask: bool = True, llm: Any = None,
                vacate: bool = True) -> EditInputs:
    """Plan the edit of one native image and build the model's inputs: the source, the target
    sketch (zeros without a plan or with ``sketch=False``) and the keep mask (``edit.mask``).
    ``refusal`` says why there is no plan (the caller refuses, or runs on the text alone)."""
    import torch

    from .mask import cleared_source, keep_mask
    from .sketch import target_sketch

    op = tgt = src_layout = keep = plan = None
    notes: list[str] = []
    refusal = None
    if sketch:
        plan, note = plan_edit(native, instruction, llm=llm)
        if plan is None:
            refusal = note
        else:
            src_layout, tgt, refusal = plan.source, plan.target, plan.refusal
            op = [s.model_dump(exclude_none=True) for s in plan.read.steps] or None
    src = torch.from_numpy(np.asarray(native, np.float32)).permute(2, 0, 1) / 127.5 - 1
    inp = EditInputs(instruction, src, torch.from_numpy(target_sketch(tgt, SIZE)), op=op, target=tgt, notes=notes,
                     refusal=refusal, plan=plan)
    if mask and tgt is not None:
        keep = keep_mask(native, src_layout, tgt, SIZE, vacate=vacate)
        cleared = cleared_source(native, src_layout, tgt, SIZE) if vacate else None
        if cleared is not None:  # condition on the source with the vacated pixels already background
            inp.source = torch.from_numpy(cleared).permute(2, 0, 1) / 127.5 - 1
    if keep is not None:
        inp.keep = torch.from_numpy(keep[0])[None]
        inp.fill = torch.from_numpy(keep[1]).permute(2, 0, 1) / 127.5 - 1
    return inp


def _make_llm(spec: Any):
    """An LLM object as given, or one built from a backend id / options dict (``limner edit --llm``)."""
    if not isinstance(spec, (str, dict)):
        return spec
    from ..llm import get_llm

    return get_llm(spec) if isinstance(spec, str) else get_llm(**spec)


def stack_inputs(inputs: list[EditInputs]):
    """(positional, keyword) arguments of ``EditModel.edit`` for a batch: (source, instructions,
    sketch) and {keep, fill}; an image without a mask in a masked batch keeps nothing (keep 0)."""
    import torch

    args = (torch.stack([i.source for i in inputs]), [i.instruction for i in inputs],
            torch.stack([i.sketch for i in inputs]))
    if all(i.keep is None for i in inputs):
        return args, {"keep": None, "fill": None}
    keep = torch.stack([torch.zeros(1, SIZE, SIZE) if i.keep is None else i.keep for i in inputs])
    fill = torch.stack([i.source if i.fill is None else i.fill for i in inputs])
    return args, {"keep": keep, "fill": fill}


def generators(seeds):
    import torch

    return [torch.Generator().manual_seed(int(s)) for s in seeds]


def to_images(x) -> list:
    """(B, 3, H, W) in [-1, 1] → PIL images."""
    from PIL import Image

    arr = ((x.permute(0, 2, 3, 1).numpy() + 1) * 127.5 + 0.5).clip(0, 255).astype(np.uint8)
    return [Image.fromarray(a) for a in arr]


class EmbeddedEditBackend(EditBackend):
    id = "embedded"

    def __init__(self, weights: str | None = None, device: str = "cpu", dtype: str | None = None,
                 model: str | None = None, threads: int | None = 1, **_: Any):
        self.weights = Path(weights or model or WEIGHTS_DIR)
        self.device = device
        self.threads = threads
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from .._deps import require

            torch = require("torch", "the embedded edit model")
            if self.threads:  # a 32×32 model: one thread is enough and behaves on busy machines
                torch.set_num_threads(self.threads)
            from ..models.edit_model import EditModel

            self._model = EditModel.from_pretrained(self.weights)
        return self._model

    def _sha(self) -> str:
        f = self.weights / "model.safetensors"
        return hashlib.sha256(f.read_bytes()).hexdigest() if f.is_file() else ""

    def describe(self) -> dict[str, Any]:
        return {"backend": self.id, "id": MODEL_ID, "path": str(self.weights), "native_size": SIZE}

    def edit(self, image: Any, instruction: str, *, seeds: list[int], num_inference_steps: int | None = None,
             guidance_scale: float | None = None, image_guidance_scale: float | None = None,
             callback: Callable[[int, int], None] | None = None, sketch: bool = True,
             mask: bool = True, force: bool = False, llm: Any = None, **options: Any) -> BackendOutput:
        if options:
            raise InputError(f"the embedded edit backend has no option(s): {', '.join(sorted(options))}")
        if not seeds:
            raise InputError("at least one seed is needed")
        notes: list[str] = []
        native = to_native(image, notes=notes)  # bad sizes fail here, before torch is imported
        steps = int(num_inference_steps or DEFAULT_STEPS)
        s_t = DEFAULT_GUIDANCE if guidance_scale is None else float(guidance_scale)
        s_i = DEFAULT_IMAGE_GUIDANCE if image_guidance_scale is None else float(image_guidance_scale)
        llm_obj = _make_llm(llm) if llm else None
        inp = edit_inputs(native, instruction, sketch=sketch, mask=mask, llm=llm_obj)
        notes += inp.notes
        path = inp.plan.path if inp.plan is not None and inp.refusal is None else None
        if inp.refusal is not None:
            if not force:
                raise InputError(f"cannot edit: {inp.refusal}; nothing written (--force runs the model on the text alone)")
            notes.append(f"{inp.refusal}; --force: running the model on the text alone")
            path = "text-only (forced)"
        elif not sketch:
            path = "text-only (--no-sketch)"
        op, tgt, keep = inp.op, inp.target, inp.keep
        args, kw = stack_inputs([inp] * len(seeds))
        x = self.model.edit(*args, **kw, image_guidance_scale=s_i, guidance_scale=s_t,
                            num_inference_steps=steps, generators=generators(seeds), callback=callback)
        images = to_images(x)
        return BackendOutput(
            images=images, seeds=[int(s) for s in seeds],
            model={"id": MODEL_ID, "path": str(self.weights), "sha256": self._sha()},
            num_inference_steps=steps, guidance_scale=s_t, width=SIZE, height=SIZE,
            extra={"image_guidance_scale": s_i, "scheduler": "DDIM", "planned_op": op, "edit_path": path,
                   "refusal": inp.refusal, "unknown_words": inp.plan.read.unknown if inp.plan is not None else None,
                   "word_roles": [[w.word, w.role] for w in inp.plan.read.words] if inp.plan is not None else None,
                   "sketch": tgt is not None, "notes": notes,
                   "kept_fraction": None if keep is None else round(float(keep.mean()), 4),
                   "target_layout": tgt.model_dump(mode="json") if tgt is not None else None},
        )
