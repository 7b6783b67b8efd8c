"""Typed records of the recaptioning engine: one input item, one captioner's answer, one row.

A row is what lands in a Parquet shard (see :data:`COLUMNS`); its training caption is chosen by
:func:`limner.recaption.blend.choose` from the synthetic caption(s) and the original caption.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Style = Literal["short", "descriptive", "both"]
STYLES: tuple[str, ...] = ("short", "descriptive", "both")
Status = Literal["ok", "repaired", "failed"]


@dataclass(frozen=True)
class Item:
    """One thing to caption. ``source`` says where its image comes from:
    ``"world:<seed>"`` (a corpus scene, rendered on the fly), ``"hf:<folder>#<row>"`` (a Hugging Face
    ``datasets`` folder) or an image file path; ``""`` when the captioner needs no image."""

    index: int  # position in the job (rows are ordered by it)
    id: str  # stable id (file name, manifest id, "world-<seed>")
    source: str
    original: str | None = None  # the caption that came with the image (alt-text), if any


@dataclass(frozen=True)
class CaptionResult:
    """What a captioner says about one item; ``status`` "failed" carries the reason."""

    short: str | None = None
    descriptive: str | None = None
    status: Status = "ok"
    reason: str = ""

    @classmethod
    def failed(cls, reason: str) -> "CaptionResult":
        return cls(status="failed", reason=" ".join(str(reason).split())[:300])


@dataclass(frozen=True)
class Row:
    """One output row (one Parquet record)."""

    index: int
    id: str
    source: str
    original: str | None
    short: str | None
    descriptive: str | None
    caption: str | None  # the caption to train on, under the seeded blend
    caption_source: str  # "descriptive" | "short" | "original" | "" (failed row)
    captioner: str
    captioner_version: str
    status: str
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


COLUMNS: tuple[str, ...] = tuple(Row.__dataclass_fields__)


def need(module: str, purpose: str) -> Any:
    """Import an optional dependency of the ``recaption`` extra (pyarrow, ray) or say how to get it."""
    import importlib

    from ..errors import MissingExtraError

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name and exc.name.split(".")[0] != module.split(".")[0]:
            raise
        raise MissingExtraError(module.split(".")[0], "recaption", purpose) from None
