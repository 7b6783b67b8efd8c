"""DALL-E 3 recaptioning (Betker et al. 2023 §3): a dataset engine that writes short and
descriptive synthetic captions for a set of images, blends them with the original captions at a
seeded ratio, and stores the result as Parquet shards with a manifest.

    from limner.recaption import get_captioner, recaption
    from limner.recaption.sources import world_items
    recaption(world_items(1000), out="ds/", captioner=get_captioner("world"), style="both", mix=0.95)

Captioners are registered by a stable id (public API) and imported lazily; one file each.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import InputError
from .base import Captioner
from .job import Summary, read_rows, recaption
from .types import COLUMNS, STYLES, CaptionResult, Item, Row

CAPTIONERS: dict[str, str] = {
    "world": ".world:WorldCaptioner",
    "openai": ".openai:OpenAICaptioner",
    "rewrite": ".rewrite:RewriteCaptioner",
}


def get_captioner(cid: str, **options: Any) -> Captioner:
    key = cid.strip().lower()
    if key not in CAPTIONERS:
        raise InputError(f"unknown captioner {cid!r}; known: {', '.join(sorted(CAPTIONERS))}")
    module, _, cls = CAPTIONERS[key].partition(":")
    return getattr(importlib.import_module(module, __name__), cls)(**options)


__all__ = ["CAPTIONERS", "COLUMNS", "STYLES", "CaptionResult", "Captioner", "Item", "Row", "Summary",
           "get_captioner", "read_rows", "recaption"]
