"""Detectors behind one interface: image + what to look for → typed :class:`Found` records.

Registry ids are public API (lower case, stable): ``world`` (the embedded world's exact detector),
``owlv2`` and ``grounding-dino`` (open-vocabulary detectors through transformers, weights from a
local folder), ``vlm`` (an OpenAI-compatible vision-language server that answers with JSON boxes).
A detector declares its ``vocabulary``: ``"world"`` (it names world shapes and colours itself) or
``"open"`` (it is asked for phrases such as "red car" and answers with those phrases).
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...errors import InputError


class Query(BaseModel):
    """One thing to look for: a noun and (optionally) its colour, e.g. ("car", "red")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    color: str | None = None

    def phrase(self) -> str:
        return " ".join(w for w in (self.color, self.name) if w)


class Found(BaseModel):
    """One detected object. ``shape`` is the noun (a world shape for the world detector), so the
    scoring rules of :mod:`limner.world.score` apply to any detector's output unchanged."""

    model_config = ConfigDict(extra="forbid")

    shape: str
    color: str | None = None
    texture: str | None = None
    box: tuple[float, float, float, float] = Field(description="normalized xyxy, top-left origin")
    score: float = 1.0

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    def phrase(self) -> str:
        return " ".join(w for w in (self.color, self.shape) if w)


class Detector(ABC):
    id: str = ""
    vocabulary: Literal["world", "open"] = "open"

    @abstractmethod
    def detect(self, image: Any, queries: list[Query]) -> list[Found]:
        """Objects found in ``image`` (a PIL image); open-vocabulary detectors look for ``queries``."""

    def describe(self) -> dict[str, Any]:
        return {"detector": self.id, "vocabulary": self.vocabulary}


# id -> "module:Class" (module relative to this package); one file per detector.
DETECTORS: dict[str, str] = {
    "world": "world:WorldDetector",
    "owlv2": "owlv2:OWLv2Detector",
    "grounding-dino": "grounding_dino:GroundingDinoDetector",
    "vlm": "vlm:VLMDetector",
}
ALIASES = {"grounding_dino": "grounding-dino", "groundingdino": "grounding-dino", "owl": "owlv2"}


def get_detector(detector_id: str = "world", **options: Any) -> Detector:
    """A detector by registry id, with its options (``model=`` folder, ``base_url=``, ...)."""
    key = ALIASES.get((detector_id or "world").strip().lower(), (detector_id or "world").strip().lower())
    if key not in DETECTORS:
        raise InputError(f"unknown detector '{detector_id}'; choose one of: {', '.join(DETECTORS)}")
    mod_name, cls_name = DETECTORS[key].split(":")
    mod = importlib.import_module(f"{__name__}.{mod_name}")
    return getattr(mod, cls_name)(**options)


def split_phrase(phrase: str, queries: list[Query]) -> Query | None:
    """The query a detector's label names (exact phrase first, then the noun alone)."""
    p = " ".join(phrase.lower().split())
    for q in queries:
        if q.phrase() == p:
            return q
    for q in queries:
        if q.name == p or p.endswith(" " + q.name):
            return q
    return None


def nms(found: list[Found], iou: float = 0.5) -> list[Found]:
    """Greedy non-maximum suppression over all labels (highest score first)."""
    def inter_over_union(a, b) -> float:
        w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        i = w * h
        u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i
        return i / u if u > 0 else 0.0

    keep: list[Found] = []
    for f in sorted(found, key=lambda f: -f.score):
        if all(inter_over_union(f.box, k.box) < iou for k in keep):
            keep.append(f)
    return keep


def clip_box(box, width: float = 1.0, height: float = 1.0) -> tuple[float, float, float, float] | None:
    """A pixel (or normalized, with width=height=1) xyxy box → normalized and clipped; None if empty."""
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((min(max(x0 / width, 0.0), 1.0), min(max(x1 / width, 0.0), 1.0)))
    y0, y1 = sorted((min(max(y0 / height, 0.0), 1.0), min(max(y1 / height, 0.0), 1.0)))
    if x1 - x0 <= 1e-6 or y1 - y0 <= 1e-6:
        return None
    return (x0, y0, x1, y1)


def local_model(option: str | None, env: str, detector: str) -> str:
    """The weights folder of a transformers detector: the ``model`` option, else ``$env``; a clear
    error when neither names an existing folder (nothing is downloaded)."""
    import os
    from pathlib import Path

    path = option or os.environ.get(env)
    if not path:
        raise InputError(f"the {detector} detector needs its weights in a local folder: pass model=PATH "
                         f"or set {env}")
    if not Path(path).is_dir():
        raise InputError(f"no {detector} weights at {path} (a folder written by save_pretrained is expected)")
    return str(path)


class TransformersDetector(Detector):
    """A transformers detection model from a local folder; a subclass names its model and processor
    classes, the environment variable that may hold the folder, and its default threshold."""

    model_class: str = ""
    processor_class: str = ""
    env: str = ""
    default_threshold: float = 0.3

    def __init__(self, model: str | None = None, threshold: float | None = None, device: str = "cpu", **_: Any):
        self.path = local_model(model, self.env, self.id)
        self.threshold = float(self.default_threshold if threshold is None else threshold)
        self.device = device

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "model": self.path, "threshold": self.threshold}

    def load(self) -> tuple[Any, Any]:
        """(model in eval mode on the device, processor), loaded once per process."""
        return _load_transformers(self.model_class, self.processor_class, self.path, self.device, self.id)


@lru_cache(maxsize=4)
def _load_transformers(model_class: str, processor_class: str, path: str, device: str, what: str):
    from ..._deps import require

    require("torch", f"the {what} detector")
    tr = require("transformers", f"the {what} detector")
    model = getattr(tr, model_class).from_pretrained(path, local_files_only=True).to(device).eval()
    return model, getattr(tr, processor_class).from_pretrained(path, local_files_only=True)


__all__ = [
    "ALIASES",
    "DETECTORS",
    "Detector",
    "Found",
    "Query",
    "TransformersDetector",
    "clip_box",
    "get_detector",
    "local_model",
    "nms",
    "split_phrase",
]
