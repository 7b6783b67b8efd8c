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


__all__ = ["ALIASES", "DETECTORS", "Detector", "Found", "Query", "get_detector", "split_phrase"]
