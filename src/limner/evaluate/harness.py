"""One evaluation harness: a GenEval-format set, at the plan stage or the image stage.

* ``stage="plan"``: each prompt is planned (``planner``); the plan's objects stand in for
  detections and are scored by GenEval's rules (:func:`limner.evaluate.geneval.spec_from_metadata`
  + :func:`limner.world.score.score`);
* ``stage="image"``: each prompt is generated (one image, seed = ``seed + index``; ``plan`` False
  is text only; ``correct`` runs :mod:`limner.correct` with ``rounds``), read by a detector
  (default the world's exact detector) and scored the same way.

:func:`evaluate` returns a :class:`Run` (config, one :class:`ItemResult` per prompt, summary: per-tag
accuracy, GenEval's overall = mean of the tag accuracies, all-checks = mean over prompts, seconds);
:func:`limner.evaluate.report.write_run` writes it as ``results.json`` + ``report.md``.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import LimnerError


class EvalConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    set: str
    stage: Literal["plan", "image"] = "image"
    limit: int | None = None
    planner: str = "rules"
    plan: bool = True
    correct: bool = False
    rounds: int = 2
    detector: str = "world"
    seed: int = 0
    steps: int | None = None


class ItemResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int
    prompt: str
    tag: str
    seed: int
    ok: bool
    failures: list[str] = Field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    rounds: int = 0


class Run(BaseModel):
    model_config = ConfigDict(extra="forbid")

    config: EvalConfig
    items: list[ItemResult]
    summary: dict[str, Any] = Field(default_factory=dict)


def summarize(items: list[ItemResult]) -> dict[str, Any]:
    tags: dict[str, list[bool]] = {}
    for it in items:
        tags.setdefault(it.tag or "all", []).append(it.ok)
    acc = {t: sum(v) / len(v) for t, v in sorted(tags.items())}
    n = max(1, len(items))
    return {"n": len(items), "tags": acc, "overall": sum(acc.values()) / max(1, len(acc)),
            "all_checks": sum(i.ok for i in items) / n, "errors": sum(i.error is not None for i in items),
            "seconds_per_item": sum(i.seconds for i in items) / n}


def _plan_item(row: dict, cfg: EvalConfig, seed: int) -> tuple[bool, list[str], int]:
    from ..correct.detectors import Found
    from ..plan import plan
    from ..world.score import score
    from ..world.vocab import world_shape
    from .geneval import spec_from_metadata

    lay = plan(row["prompt"], planner=cfg.planner, seed=seed).layout
    dets = [Found(shape=world_shape(o.name) or o.name, color=o.color, box=o.box) for o in lay.objects]
    s = score(dets, spec_from_metadata(row))
    return s.ok, s.failures(), 0


def _image_item(row: dict, cfg: EvalConfig, seed: int, detector: Any) -> tuple[bool, list[str], int]:
    from ..generate import generate, make_request
    from ..world.score import score
    from .geneval import spec_from_metadata

    opts = {"correct": {"rounds": cfg.rounds, "detector": cfg.detector, "planner": cfg.planner}} if cfg.correct else {}
    req = make_request(prompt=row["prompt"], seed=seed, planner=cfg.planner, plan=cfg.plan, options=opts,
                       num_inference_steps=cfg.steps)
    res = generate(req)
    spec = spec_from_metadata(row)
    from ..correct.compare import queries

    s = score(detector.detect(res.images[0], queries(spec, None, detector.vocabulary)), spec)
    rounds = len((res.records[0].extra.get("correction") or {}).get("rounds") or [])
    return s.ok, s.failures(), rounds


def evaluate(cfg: EvalConfig, items: list[dict] | None = None, *, progress: bool = True,
             callback: Callable[[int, int, ItemResult], None] | None = None) -> Run:
    """Run one evaluation; ``items`` default to ``load_set(cfg.set, cfg.limit)``."""
    from .sets import load_set

    rows = items if items is not None else load_set(cfg.set, cfg.limit)
    detector = None
    if cfg.stage == "image":
        from ..correct.detectors import get_detector

        detector = get_detector(cfg.detector)
    from tqdm import tqdm

    results: list[ItemResult] = []
    for i, row in enumerate(tqdm(rows, desc=f"eval {cfg.set} ({cfg.stage})", unit="prompt", disable=not progress)):
        seed = cfg.seed + i
        t0 = time.perf_counter()
        err, ok, fails, rounds = None, False, [], 0
        try:
            if cfg.stage == "plan":
                ok, fails, rounds = _plan_item(row, cfg, seed)
            else:
                ok, fails, rounds = _image_item(row, cfg, seed, detector)
        except LimnerError as exc:
            err = str(exc)
        r = ItemResult(index=i, prompt=row["prompt"], tag=row.get("tag", ""), seed=seed, ok=ok, failures=fails,
                       error=err, seconds=time.perf_counter() - t0, rounds=rounds)
        results.append(r)
        if callback is not None:
            callback(i + 1, len(rows), r)
    return Run(config=cfg, items=results, summary=summarize(results))


__all__ = ["EvalConfig", "ItemResult", "Run", "evaluate", "summarize"]
