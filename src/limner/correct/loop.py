"""The correction loop: detect → compare with the request and plan → fix the failing region; at
most ``rounds`` fixes; an image that already passes is returned as it is (the same object, the same
bytes). Every round — what failed, the layout drawn, the regions redrawn, the seed — goes into the
report, which :func:`correct_result` stores in the PNG recipe (``extra.correction``).

The same call replays: detection, comparison and the region sampler are deterministic, so running
the recipe again (``limner generate --from IMAGE``) gives the same rounds and the same pixels.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field

from ..schema import Layout
from .compare import compare, queries, request_spec
from .detectors import Detector, get_detector
from .fix import fix_mask, plan_fix, shrink_missing

DEFAULT_ROUNDS = 2
SEED_STRIDE = 1_000_003  # round r redraws with seed + r * SEED_STRIDE (mod 2**63)


class CorrectionRound(BaseModel):
    model_config = ConfigDict(extra="forbid")

    round: int
    failures: list[str] = Field(description="the request's facts that failed before this round")
    problems: list[str] = Field(description="differences from the plan")
    strategy: str
    seed: int
    regions: list[tuple[float, float, float, float]]
    protect: list[tuple[float, float, float, float]] = Field(default_factory=list)
    layout: Layout
    pixels_changed: float = Field(description="fraction of the image redrawn")


class CorrectionReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    detector: str
    ok_before: bool | None = Field(description="None: nothing checkable in the request")
    ok_after: bool | None
    failures_after: list[str] = Field(default_factory=list)
    rounds: list[CorrectionRound] = Field(default_factory=list)
    plan_source: str = Field(default="", description="'recorded' or the planner used for correction")
    unchecked: list[str] = Field(default_factory=list)
    seconds: float = 0.0


def round_seed(seed: int, r: int) -> int:
    return (int(seed) + r * SEED_STRIDE) % (2**63)


def redraw(backend: str, image: Any, mask: Any, **kw: Any) -> Any:
    if backend == "embedded":
        from .region_embedded import regenerate_region
    elif backend == "diffusers":
        from .region_diffusers import regenerate_region  # type: ignore[no-redef]
    else:
        from ..errors import InputError

        raise InputError(f"--correct cannot redraw regions with the '{backend}' backend (embedded, diffusers)")
    return regenerate_region(image, mask, **kw)


def correct_image(
    image: Any,
    *,
    request_prompt: str,
    prompt: str | None = None,
    layout: Layout | None,
    seed: int,
    rounds: int = DEFAULT_ROUNDS,
    detector: Detector | None = None,
    planner: str = "rules",
    backend: str = "embedded",
    draw: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    spec: Any = None,
) -> tuple[Any, CorrectionReport]:
    """Correct one image. ``request_prompt`` is what the user asked (the facts to check),
    ``prompt`` what the image model was given (default: the same); ``layout`` the plan it was drawn
    with (None: text only — a plan is made with ``planner`` when a fix is needed); ``draw`` the
    sampler settings (num_inference_steps, guidance_scale, layout_guidance_scale, negative_prompt,
    weights / model ...); ``spec`` overrides the facts read from ``request_prompt`` (a
    :class:`~limner.world.score.Spec`, e.g. the exact spec of a refined plan)."""
    t0 = time.perf_counter()
    det = detector or get_detector("world")
    spec, unchecked = (spec, []) if spec is not None else request_spec(request_prompt, det.vocabulary)
    report = CorrectionReport(detector=det.id, ok_before=None, ok_after=None, unchecked=unchecked,
                              plan_source="recorded" if layout is not None else "")
    if not spec.requirements and not spec.exclusions:
        report.seconds = time.perf_counter() - t0
        return image, report
    plan_layout, anywhere = layout, layout is None
    qs = queries(spec, layout, det.vocabulary)
    cur = image
    for r in range(1, rounds + 2):
        dets = det.detect(cur, qs)
        cmp = compare(dets, spec, plan_layout, det.vocabulary, anywhere=anywhere, unchecked=unchecked)
        if r == 1:
            report.ok_before = cmp.ok
        report.ok_after, report.failures_after = cmp.ok, cmp.failures
        if cmp.ok or r > rounds:
            break
        if plan_layout is None:  # text only: plan now, then anchor the plan on the image
            from ..plan import plan

            plan_layout = plan(request_prompt, planner=planner, seed=seed).layout
            report.plan_source = planner
            cmp = compare(dets, spec, plan_layout, det.vocabulary, anywhere=True, unchecked=unchecked)
        fix = plan_fix(plan_layout, dets, cmp, spec, det.vocabulary, anywhere=anywhere)
        if report.rounds and fix.strategy == "region":  # the last redraw did not do it: re-plan smaller
            fix = fix.model_copy(update={"layout": shrink_missing(fix.layout, cmp), "strategy": "replan-smaller"})
        w, h = cur.size
        mask = fix_mask(fix, w, h)
        s = round_seed(seed, r)
        if progress:
            progress(f"correcting (round {r}): {'; '.join(cmp.failures) or 'plan differs'}")
        cur = redraw(backend, cur, mask, prompt=prompt or request_prompt, layout=fix.layout, seed=s,
                      **(draw or {}))
        report.rounds.append(CorrectionRound(
            round=r, failures=cmp.failures, problems=[p.message for p in cmp.problems],
            strategy=fix.strategy, seed=s, regions=fix.regions, protect=fix.protect, layout=fix.layout,
            pixels_changed=float(mask.mean())))
        plan_layout, anywhere = fix.layout, False  # from now on the image follows this layout
    report.seconds = time.perf_counter() - t0
    return cur, report


def draw_settings(record: Any) -> dict[str, Any]:
    """The sampler settings of an :class:`~limner.schema.ImageRecord`, for redrawing a region."""
    out: dict[str, Any] = {"negative_prompt": record.negative_prompt}
    if record.num_inference_steps:
        out["num_inference_steps"] = record.num_inference_steps
    if record.guidance_scale is not None:
        out["guidance_scale"] = record.guidance_scale
    if record.backend == "embedded":
        if "layout_guidance_scale" in record.extra:
            out["layout_guidance_scale"] = record.extra["layout_guidance_scale"]
        if record.model.get("path"):
            out["weights"] = record.model["path"]
    else:
        out["model"] = record.request.get("model")
        for k in ("device", "dtype"):
            if record.request.get("options", {}).get(k):
                out[k] = record.request["options"][k]
    return out


def correct_result(request: Any, result: Any, progress: Callable[[str], None] | None = None) -> Any:
    """Correct every image of a :class:`~limner.schema.GenerationResult` (``--correct``); each
    record gets ``extra.correction``. Options: ``request.options["correct"] = {"rounds": K,
    "detector": id, "detector_options": {...}}``."""
    opts = request.options.get("correct") or {}
    opts = opts if isinstance(opts, dict) else {}
    det = get_detector(opts.get("detector", "world"), **(opts.get("detector_options") or {}))
    rounds = int(opts.get("rounds", DEFAULT_ROUNDS))
    planner = request.planner if request.plan else opts.get("planner", request.planner)
    images, records = [], []
    for rec, img in zip(result.records, result.images):
        new, rep = correct_image(
            img, request_prompt=request.prompt, prompt=rec.prompt, layout=rec.layout, seed=rec.seed,
            rounds=rounds, detector=det, planner=planner, backend=rec.backend, draw=draw_settings(rec),
            progress=progress)
        images.append(new)
        records.append(rec.model_copy(update={"extra": {**rec.extra, "correction": rep.model_dump(mode="json")}}))
    result.images, result.records = images, records
    unchecked = sorted({u for r in records for u in r.extra["correction"].get("unchecked", [])})
    still = sum(r.extra["correction"].get("ok_after") is False for r in records)
    notes = [f"--correct: {u}" for u in unchecked]
    if still:
        notes.append(f"--correct: {still} image(s) still fail after {rounds} round(s) (see extra.correction)")
    result.notes = sorted(set(result.notes) | set(notes))
    return result


__all__ = ["CorrectionReport", "CorrectionRound", "DEFAULT_ROUNDS", "correct_image", "correct_result",
           "draw_settings", "redraw", "round_seed"]
