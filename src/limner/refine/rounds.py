"""Multi-round refinement (LMD's multi-round scene specification, with SLD-style region redraws).

``refine_image(image, record, "make the circle red and add a star to its right")``:

1. the plan the image follows is taken from its recipe (the last refinement round, else the last
   correction round, else the generation plan);
2. the instruction is read into plan edits (:mod:`limner.refine.read`) and applied to the
   plan exactly (:func:`limner.edit.ops.apply_edit`, plus relative placement), each one verified
   (:func:`limner.edit.check.check_edit` on the exact layouts; placements by the centre rule);
3. only what changed is redrawn: the old boxes of changed/removed objects and the new boxes of
   changed/added ones (the whole canvas for a background change), with the previous image held
   outside them — unchanged objects keep their pixels exactly; then one correction pass against
   the new plan (``correct_rounds``) fixes what the redraw missed;
4. the round (instruction, edits, layout, regions, seed, correction) is appended to the chain in
   ``extra.refine``; :func:`replay` re-renders any round of the chain (``limner refine --from``).

``whole=True`` redraws the new plan from scratch with the image's own seed instead (the baseline
the preservation benchmark compares against).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..edit.check import check_edit
from ..edit.ops import EditError, apply_edit, selected
from ..errors import InputError
from ..schema import ImageRecord, Layout, SceneObject
from ..world.corpus import captions
from ..world.score import requirements_from_layout
from ..world.vocab import COLORS, SIZES, world_shape
from ..correct.fix import region_mask
from ..correct.loop import CorrectionReport, correct_image, draw_settings, redraw
from .placement import add_anywhere, make_room, next_to, small_move
from .read import PlanEdit, read_instruction

REFINE_STRIDE = 7_000_003
Box = tuple[float, float, float, float]


class RefineRound(BaseModel):
    model_config = ConfigDict(extra="forbid")

    round: int
    instruction: str = ""
    edits: list[PlanEdit] = Field(default_factory=list)
    layout: Layout | None = None
    prompt: str = ""
    regions: list[Box] = Field(default_factory=list)
    protect: list[Box] = Field(default_factory=list, description="unchanged objects' boxes, held as they are")
    seed: int | None = None
    whole: bool = False
    notes: list[str] = Field(default_factory=list)
    correct_rounds: int = 0
    correction: CorrectionReport | None = None
    plan: Layout | None = Field(default=None, description="round 0: the plan the image was generated with")


def current_layout(rec: ImageRecord) -> Layout | None:
    chain = rec.extra.get("refine") or []
    if chain and chain[-1].get("layout"):
        return Layout.model_validate(chain[-1]["layout"])
    rounds = (rec.extra.get("correction") or {}).get("rounds") or []
    if rounds:
        return Layout.model_validate(rounds[-1]["layout"])
    return rec.layout


def _world_names(layout: Layout) -> Layout:
    objs = [o.model_copy(update={"name": world_shape(o.name) or o.name}) for o in layout.objects]
    return layout.model_copy(update={"objects": objs})


def apply_plan_edit(layout: Layout, e: PlanEdit, notes: list[str]) -> Layout:
    """``layout`` with one edit applied and verified; InputError when it cannot be done."""
    op = e.op
    try:
        if e.place is None:
            if op.kind == "add" and op.color is None:
                used = {o.color for o in layout.objects}
                color = next((c for c in COLORS if c not in used), "red")
                op = op.model_copy(update={"color": color})
                notes.append(f"'{e.clause}' names no colour: the new {op.shape} is {color}")
            try:
                new = apply_edit(layout, op)
            except EditError as exc:
                if op.kind == "move":
                    new = small_move(layout, op)  # re-plan: a shorter step, or a smaller object
                elif op.kind == "add" and "no room" in str(exc):
                    new = add_anywhere(layout, op)
                else:
                    raise
            chk = check_edit(layout, new, op)
            if not chk.ok:
                raise EditError("; ".join(chk.reasons))
            return new
        ref = [o for o in layout.objects if o.name == e.ref_shape and (e.ref_color is None or o.color == e.ref_color)]
        if not ref:
            raise EditError(f"there is no {' '.join(w for w in (e.ref_color, e.ref_shape) if w)} in the picture")
        objs = [o.model_copy(deep=True) for o in layout.objects]
        if op.kind == "add":
            color = op.color
            if color is None:
                used = {o.color for o in layout.objects}
                color = next((c for c in COLORS if c not in used), "red")
                notes.append(f"'{e.clause}' names no colour: the new {op.shape} is {color}")
            size = op.size if op.size in SIZES else (ref[0].size if ref[0].size in SIZES else "medium")
            for _ in range(op.count or 1):
                box = next_to(ref, e.place, SIZES[size], [o.box for o in objs])
                if box is None:  # re-plan: shrink the reference objects away from the new one
                    objs, ref = make_room(objs, ref, e.place)
                    notes.append(f"made room {e.place} the {e.ref_shape}: it is smaller now")
                    box = next_to(ref, e.place, SIZES["small"], [o.box for o in objs])
                if box is None:
                    raise EditError(f"no room to put a {op.shape} {e.place} the {e.ref_shape}")
                objs.append(SceneObject(name=op.shape or "circle", color=color, size=size,
                                        texture=op.texture or "solid", box=box))
        elif op.kind == "move":
            idx = selected(layout, op)
            if not idx:
                raise EditError(f"there is no {' '.join(w for w in (op.color, op.shape) if w)} to move")
            ref = [o for k, o in enumerate(layout.objects) if o in ref and k not in idx]
            if not ref:
                raise EditError("an object cannot be moved next to itself")
            for i in idx:
                others = [o.box for k, o in enumerate(objs) if k != i]
                side = objs[i].box[2] - objs[i].box[0]
                box = next_to(ref, e.place, side, others)
                if box is None:
                    raise EditError(f"no room to move the {op.shape} {e.place} the {e.ref_shape}")
                objs[i].box, objs[i].polygon = box, None
        else:
            raise EditError(f"'{e.place}' only goes with add or move")
        out = layout.model_copy(update={"objects": objs})
        return out.model_copy(update={"caption": captions(out, np.random.default_rng(0)).short})
    except EditError as exc:
        raise InputError(f"cannot do '{e.clause}': {exc}") from None


def changed_regions(old: Layout, new: Layout) -> list[Box]:
    """Boxes that must be redrawn to turn an image of ``old`` into one of ``new``."""
    if (old.background or "") != (new.background or ""):
        return [(0.0, 0.0, 1.0, 1.0)]
    key = lambda o: (o.name, o.color, o.texture or "solid", o.size, tuple(round(c, 4) for c in o.box))  # noqa: E731
    pool = [key(o) for o in new.objects]
    regions: list[Box] = []
    for o in old.objects:
        k = key(o)
        if k in pool:
            pool.remove(k)
        else:
            regions.append(o.box)
    left = [key(o) for o in old.objects]
    for o in new.objects:
        k = key(o)
        if k in left:
            left.remove(k)
        else:
            regions.append(o.box)
    return regions


def kept_boxes(old: Layout, new: Layout) -> list[Box]:
    """Boxes of the objects a refinement leaves as they are (held even inside a padded region)."""
    if (old.background or "") != (new.background or ""):
        return []
    regions = changed_regions(old, new)
    return [o.box for o in new.objects if o.box not in regions]


def refine_mask(regions: list[Box], protect: list[Box], w: int, h: int):
    return region_mask(regions, w, h) & ~region_mask(protect, w, h, pad=0.0)


def refine_image(image: Any, record: ImageRecord, instruction: str, *, llm: Any = None, whole: bool = False,
                 correct_rounds: int = 1) -> tuple[Any, ImageRecord, RefineRound]:
    """Apply one instruction: the new image, its record (chain extended) and the round."""
    from ..edit.instructions import validate_instruction

    instruction = validate_instruction(instruction)
    base = current_layout(record)
    if base is None:
        raise InputError("this image has no plan to refine (made with --no-plan and not corrected); "
                         "generate it with a plan or with --correct first")
    if record.backend != "embedded":
        raise InputError(f"limner refine redraws with the embedded backend; this image used '{record.backend}'")
    old = _world_names(base)
    notes: list[str] = []
    edits = read_instruction(instruction, old, llm=llm)
    new = old
    for e in edits:
        new = apply_plan_edit(new, e, notes)
    chain = list(record.extra.get("refine") or [])
    if not chain:
        chain = [RefineRound(round=0, layout=base, prompt=record.prompt, plan=record.layout)
                 .model_dump(mode="json", exclude_none=True)]
    n = len(chain)
    seed = (record.seed + n * REFINE_STRIDE) % (2**63)
    prompt = new.caption or record.prompt
    draw = draw_settings(record)
    protect: list[Box] = []
    if whole:
        regions: list[Box] = [(0.0, 0.0, 1.0, 1.0)]
        seed = record.seed
    else:
        regions, protect = changed_regions(old, new), kept_boxes(old, new)
    w, h = image.size
    img = image
    if regions:
        img = redraw("embedded", image, refine_mask(regions, protect, w, h), prompt=prompt, layout=new, seed=seed,
                     **draw)
    report = None
    if correct_rounds > 0:
        from ..correct.detectors import get_detector

        img, report = correct_image(img, request_prompt=prompt, prompt=prompt, layout=new, seed=seed,
                                    rounds=correct_rounds, detector=get_detector("world"),
                                    spec=requirements_from_layout(new), draw=draw)
    rnd = RefineRound(round=n, instruction=instruction, edits=edits, layout=new, prompt=prompt, regions=regions,
                      protect=protect,
                      seed=seed, whole=whole, notes=notes, correct_rounds=correct_rounds, correction=report)
    chain.append(rnd.model_dump(mode="json", exclude_none=True))
    rec = record.model_copy(update={"prompt": prompt, "layout": new,
                                    "extra": {**record.extra, "refine": chain}})
    return img, rec, rnd


def replay(record: ImageRecord, upto: int | None = None) -> tuple[Any, ImageRecord]:
    """Re-render round ``upto`` (default: the last) of a refinement chain from its recipe."""
    from ..generate import Job, render_jobs
    from ..schema import GenerationRequest

    chain = list(record.extra.get("refine") or [])
    if not chain:
        raise InputError("this image has no refinement chain to replay")
    last = len(chain) - 1
    k = last if upto is None else upto
    if not 0 <= k <= last:
        raise InputError(f"--round {k} is out of range: this chain has rounds 0..{last}")
    request = GenerationRequest.model_validate(record.request)
    first = RefineRound.model_validate(chain[0])
    res = render_jobs(request, [Job(record.index, record.seed, first.prompt or record.prompt, first.plan,
                                    record.expansion)])
    img, rec = res.images[0], res.records[0]
    draw = draw_settings(record)
    for r in chain[1:k + 1]:
        rr = RefineRound.model_validate(r)
        w, h = img.size
        if rr.regions:
            img = redraw("embedded", img, refine_mask(rr.regions, rr.protect, w, h), prompt=rr.prompt, layout=rr.layout,
                         seed=rr.seed, **draw)
        if rr.correct_rounds and rr.layout is not None:
            from ..correct.detectors import get_detector

            img, _ = correct_image(img, request_prompt=rr.prompt, prompt=rr.prompt, layout=rr.layout, seed=rr.seed,
                                   rounds=rr.correct_rounds, detector=get_detector("world"),
                                   spec=requirements_from_layout(rr.layout), draw=draw)
    if k:
        rec = rec.model_copy(update={"prompt": chain[k]["prompt"], "layout": Layout.model_validate(chain[k]["layout"]),
                                     "extra": {**rec.extra, "refine": chain[:k + 1]}})
    return img, rec


__all__ = ["RefineRound", "apply_plan_edit", "changed_regions", "current_layout", "kept_boxes", "refine_image",
           "refine_mask", "replay"]
