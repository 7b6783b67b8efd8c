"""The seeded blend (DALL-E 3 §3.5: 95% synthetic + 5% original captions during training).

Each row draws one uniform number from ``sha256(f"{seed}:{id}")`` — a function of the row alone,
so the choice is the same whatever the shard size, engine, worker count or resume history. Below
``mix`` the row trains on its synthetic caption (the descriptive one for ``--style both`` or
``descriptive``, the short one for ``short``), otherwise on its original caption; a row without
an original caption trains on the synthetic one.
"""

from __future__ import annotations

import hashlib


def uniform(seed: int, row_id: str) -> float:
    h = hashlib.sha256(f"{seed}:{row_id}".encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") / 2.0**64


def choose(*, seed: int, row_id: str, mix: float, style: str, original: str | None, short: str | None,
           descriptive: str | None) -> tuple[str | None, str]:
    """(training caption, which column it came from)."""
    kind = "short" if style == "short" else "descriptive"
    synthetic = short if kind == "short" else descriptive
    if synthetic is None:  # failed row
        return None, ""
    if uniform(seed, row_id) < mix or not (original or "").strip():
        return synthetic, kind
    return original, "original"
