"""Evaluation sets, all in GenEval's metadata format (``prompt``, ``tag``, ``include``, ``exclude``).

* ``geneval``: GenEval's own 553 prompts (``$LIMNER_GENEVAL`` or the development checkout's
  ../shared copy), rewritten into the world vocabulary by :func:`limner.evaluate.geneval.world_metadata`;
* ``world``: world scenes from the corpus's *evaluation* seeds (0–99,999; training uses ≥ 1,000,000),
  half relation prompts ("two red circles left of a blue square") and half count/colour prompts,
  with exact counts (GenEval's counting form: include ``count``, exclude ``count + 1``);
* any path to a GenEval-format ``.jsonl`` (world shapes or GenEval's COCO classes).

``load_set(name, limit)`` returns the items; with ``limit`` the items are spread evenly over the set.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from pathlib import Path

from ..errors import InputError

NAMED_SETS = ("geneval", "world")


def world_items(n: int) -> list[dict]:
    """``n`` world prompts (half relation, half count/colour) from evaluation seeds 0, 1, 2, ..."""
    import numpy as np

    from ..world.corpus import captions, count_phrase, group_key, group_relation, sample_scene

    rel, cnt = [], []
    seed = 0
    while len(rel) < n // 2 or len(cnt) < n - n // 2:
        lay = sample_scene(seed)
        caps = captions(lay, np.random.default_rng(seed))
        counts = Counter(group_key(o) for o in lay.objects)
        keys = list(counts)
        if caps.relation and len(rel) < n // 2:
            for ka, kb in combinations(keys, 2):
                for a, b in ((ka, kb), (kb, ka)):
                    r = group_relation(lay, a, b)
                    if r and caps.relation == f"{count_phrase(counts[a], *a)} {r} {count_phrase(counts[b], *b)}":
                        inc = [{"class": b[1], "color": b[0], "count": counts[b]},
                               {"class": a[1], "color": a[0], "count": counts[a], "position": [r, 0]}]
                        rel.append({"prompt": caps.relation, "tag": "position", "include": inc, "seed": seed})
                        break
                else:
                    continue
                break
        elif not caps.relation and len(cnt) < n - n // 2:
            inc = [{"class": k[1], "color": k[0], "count": c} for k, c in counts.items()]
            exc = [{"class": k[1], "color": k[0], "count": c + 1} for k, c in counts.items()]
            cnt.append({"prompt": caps.short, "tag": "counting", "include": inc, "exclude": exc, "seed": seed})
        seed += 1
    items: list[dict] = []
    for a, b in zip(rel, cnt):
        items += [a, b]
    return items[:n]


def read_jsonl(path: str | Path) -> list[dict]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such evaluation set: {path} (use {', '.join(NAMED_SETS)} or a GenEval-format .jsonl)")
    rows = []
    for k, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{k}: not JSON ({exc.msg})") from None
        if "prompt" not in row or "include" not in row:
            raise InputError(f"{path}:{k}: a GenEval record needs 'prompt' and 'include'")
        rows.append(row)
    return rows


def spread(rows: list[dict], limit: int | None) -> list[dict]:
    if not limit or limit >= len(rows):
        return rows
    return [rows[i * len(rows) // limit] for i in range(limit)]


def load_set(name: str, limit: int | None = None) -> list[dict]:
    """The items of an evaluation set (see the module docstring), in world shapes."""
    from .geneval import metadata_path, world_metadata

    if name == "world":
        return world_items(limit or 200)
    if name == "geneval":
        path = metadata_path()
        if path is None:
            raise InputError("GenEval's evaluation_metadata.jsonl was not found; set LIMNER_GENEVAL to its path")
        rows = read_jsonl(path)
    else:
        rows = read_jsonl(name)
    out = []
    for r in spread(rows, limit):
        try:
            out.append(world_metadata(r, prefix="a photo of ") if not _is_world(r) else r)
        except ValueError as exc:
            raise InputError(f"{name}: {exc}") from None
    return out


def _is_world(row: dict) -> bool:
    from ..world.vocab import SHAPES

    return all(e["class"] in SHAPES for e in row.get("include", []) + row.get("exclude", []))


__all__ = ["NAMED_SETS", "load_set", "read_jsonl", "spread", "world_items"]
