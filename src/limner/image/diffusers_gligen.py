"""Box-grounded generation (LMD+ / LayoutGPT style) through diffusers' GLIGEN pipeline.

The plan's grounding tokens — one phrase and one normalized top-left-origin box per object, from
:meth:`limner.schema.Layout.grounding` — go to ``StableDiffusionGLIGENPipeline`` as
``gligen_phrases``/``gligen_boxes``. Reached through ``DiffusersBackend.generate(...,
layout=..., gligen=True)`` when the backend's model is a GLIGEN pipeline (e.g.
``masterful/gligen-1-4-generation-text-box``), or ``gligen="ID_OR_PATH"`` to use a separate GLIGEN
pipeline next to the backend's model.

diffusers keeps GLIGEN under ``pipelines/deprecated/`` (still exported as
``diffusers.StableDiffusionGLIGENPipeline`` in 0.42.1, which limner pins and tests).

Options: ``gligen_scheduled_sampling_beta`` (default 0.3: the fraction of steps that use the
grounding; larger follows the boxes more at some cost in image quality). GLIGEN takes at most 30
boxes; further objects are dropped and the record's ``extra.notes`` says so.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..schema import Layout
from .base import BackendOutput
from .diffusers_common import require_diffusers

MAX_BOXES = 30


def _load_gligen(load_from: str, **kwargs: Any):
    _, diffusers = require_diffusers()
    cls = getattr(diffusers, "StableDiffusionGLIGENPipeline", None)
    if cls is None:  # pragma: no cover - removed in a diffusers newer than the pinned one
        raise InputError(f"diffusers {diffusers.__version__} has no GLIGEN pipeline; "
                         "install the pinned version: pip install 'limner[image]'")
    import logging

    # Loading logs a deprecation notice on every call; it is known and pinned against.
    logging.getLogger("diffusers.pipelines.deprecated").setLevel(logging.ERROR)
    return cls.from_pretrained(load_from, **kwargs)


def generate_gligen(backend, *, layout: Layout, gligen: bool | str, opts: dict[str, Any],
                    **call: Any) -> BackendOutput:
    """Run GLIGEN with the layout's phrases and boxes (see module docstring)."""
    resolved = backend.resolved
    if isinstance(gligen, str) and gligen.strip().lower() not in ("1", "true", "yes", "on"):
        resolved = backend.resolve_extra_model(gligen, "GLIGEN model")
    if resolved.class_name and "GLIGEN" not in resolved.class_name:
        raise InputError(f"'{resolved.id}' is a {resolved.class_name}, not a GLIGEN pipeline; pass "
                         "gligen=ID_OR_PATH of one (e.g. masterful/gligen-1-4-generation-text-box)")
    entry = backend.load("gligen", _load_gligen, resolved=resolved)
    phrases, boxes = layout.grounding()
    notes: list[str] = []
    if len(phrases) > MAX_BOXES:
        notes.append(f"GLIGEN takes at most {MAX_BOXES} boxes; {len(phrases) - MAX_BOXES} "
                     "object(s) were not grounded")
        phrases, boxes = phrases[:MAX_BOXES], boxes[:MAX_BOXES]
    beta = float(opts.get("gligen_scheduled_sampling_beta", 0.3))
    if not 0.0 <= beta <= 1.0:
        raise InputError(f"gligen_scheduled_sampling_beta must be in [0, 1], got {beta}")
    if not phrases:
        # Nothing to ground: the pipeline cannot take empty lists, so give it a placeholder and
        # beta 0, which switches grounding off before the first step (plain text-to-image).
        notes.append("the layout has no objects: GLIGEN ran without grounding")
        phrases, boxes, beta = [""], [(0.0, 0.0, 0.0, 0.0)], 0.0
    model = backend.model_record(resolved)
    if resolved is not backend.resolved:
        model["base"] = backend.model_record()
    extra: dict[str, Any] = {
        "layout_used": True,
        "conditioning": "gligen-boxes",
        "gligen": True,
        "gligen_scheduled_sampling_beta": beta,
        "gligen_phrases": phrases if layout.objects else [],
    }
    return backend.finish(entry, opts=opts, model=model, extra=extra, notes=notes,
                          gligen_phrases=phrases, gligen_boxes=[list(b) for b in boxes],
                          gligen_scheduled_sampling_beta=beta, **call)
