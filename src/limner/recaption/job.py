"""One recaptioning job: items → captioner → rows (with the blend) → Parquet shards + manifest.

:func:`caption_items` is the pure per-item work both engines run (``local``: a process pool via
:mod:`limner.jobs`; ``ray``: Ray Data, :mod:`.ray_engine`), so the same input and seed give the
same rows whichever engine ran them. Output folder::

    job.json                 the job's parameters (a resume must match them)
    shard-00000.parquet ...  rows in item order (columns: types.COLUMNS)
    manifest.json            written last: shards, row counts, statuses, training-caption sources
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import InputError
from .blend import choose
from .types import COLUMNS, STYLES, CaptionResult, Item, Row, need

MANIFEST = "manifest.json"
FORMAT = "limner-recaption/1"


@dataclass(frozen=True)
class JobSpec:
    """Everything a worker needs to caption items (picklable)."""

    captioner: str
    options: tuple[tuple[str, Any], ...]
    style: str
    mix: float
    seed: int


@lru_cache(maxsize=4)
def _captioner(cid: str, options: tuple):
    from . import get_captioner

    return get_captioner(cid, **dict(options))


def caption_items(spec: JobSpec, items: Sequence[Item]) -> list[Row]:
    from .sources import UnreadableImage, load_image

    cap = _captioner(spec.captioner, spec.options)
    rows = []
    for it in items:
        image = None
        res: CaptionResult | None = None
        if cap.needs_image:
            try:
                image = load_image(it.source)
            except UnreadableImage as exc:
                res = CaptionResult.failed(str(exc))
        if res is None and cap.needs_original and not (it.original or "").strip():
            res = CaptionResult.failed("no original caption to rewrite")
        if res is None:
            try:
                res = cap.caption(image, it.original, short=spec.style in ("short", "both"),
                                  descriptive=spec.style in ("descriptive", "both"),
                                  seed=(spec.seed * 1_000_003 + it.index) % 2**31)
            except Exception as exc:  # a captioner bug must not stop the job; the row says why
                res = CaptionResult.failed(f"{type(exc).__name__}: {exc}")
        caption, src = choose(seed=spec.seed, row_id=it.id, mix=spec.mix, style=spec.style,
                              original=it.original, short=res.short, descriptive=res.descriptive)
        rows.append(Row(index=it.index, id=it.id, source=it.source, original=it.original, short=res.short,
                        descriptive=res.descriptive, caption=caption, caption_source=src,
                        captioner=cap.id, captioner_version=cap.version, status=res.status,
                        reason=res.reason))
    return rows


def caption_shard(spec: JobSpec, shard) -> list[dict]:
    return [r.to_dict() for r in caption_items(spec, shard.items)]


# ----------------------------------------------------------------------------------- parquet
def arrow_schema():
    pa = need("pyarrow", "writing Parquet shards")
    types = {"index": pa.int64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])


def write_rows(path: Path, rows: list[dict]) -> None:
    pa = need("pyarrow", "writing Parquet shards")
    pq = need("pyarrow.parquet", "writing Parquet shards")
    rows = sorted(rows, key=lambda r: r["index"])
    table = pa.Table.from_pylist([{c: r.get(c) for c in COLUMNS} for r in rows], schema=arrow_schema())
    pq.write_table(table, str(path))


def read_rows(path_or_manifest: str | Path) -> list[dict]:
    """All rows of a finished job (its folder or its ``manifest.json``), in item order."""
    pq = need("pyarrow.parquet", "reading Parquet shards")
    p = Path(path_or_manifest)
    folder = p.parent if p.is_file() else p
    mf = folder / MANIFEST
    if not mf.is_file():
        raise InputError(f"{folder} has no {MANIFEST} (is the job finished? rerun it with --resume)")
    man = json.loads(mf.read_text(encoding="utf-8"))
    rows: list[dict] = []
    for s in man["shards"]:
        rows += pq.read_table(str(folder / s["file"])).to_pylist()
    return sorted(rows, key=lambda r: r["index"])


# ----------------------------------------------------------------------------------- the job
@dataclass
class Summary:
    out: str
    rows: int = 0
    shards: int = 0
    shards_written: int = 0
    status: dict[str, int] = field(default_factory=dict)
    caption_source: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        st = " ".join(f"{k}={v}" for k, v in sorted(self.status.items()))
        cs = " ".join(f"{k}={v}" for k, v in sorted(self.caption_source.items()) if k)
        return (f"rows={self.rows} {st} shards={self.shards} written_now={self.shards_written} "
                f"training[{cs}] seconds={self.seconds:.1f} manifest={Path(self.out) / MANIFEST}")


def recaption(items: Sequence[Item], *, out: str | Path, captioner: Any, style: str = "both",
              mix: float = 0.95, seed: int = 0, engine: str = "local", workers: int = 1,
              shard_size: int = 256, resume: bool = False, progress: bool = True,
              input_desc: str = "", callback: Callable[[int, Any], None] | None = None) -> Summary:
    """Caption ``items`` with ``captioner`` into ``out`` (see the module doc)."""
    from .. import jobs

    if style not in STYLES:
        raise InputError(f"--style must be one of {', '.join(STYLES)}, got {style!r}")
    if not 0.0 <= mix <= 1.0:
        raise InputError(f"--mix must be between 0 and 1, got {mix}")
    if engine not in ("local", "ray"):
        raise InputError(f"--engine must be 'local' or 'ray', got {engine!r}")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    need("pyarrow", "writing Parquet shards")
    captioner.check()  # an unreachable server fails here, before any work
    t0 = time.perf_counter()
    outp = Path(out)
    spec = JobSpec(captioner.id, tuple(sorted(captioner.options().items())), style, float(mix), int(seed))
    params = {"format": FORMAT, "input": input_desc, "n_items": len(items), "captioner": captioner.id,
              "captioner_version": captioner.version, "options": dict(spec.options), "style": style,
              "mix": float(mix), "seed": int(seed), "shard_size": int(shard_size)}
    jobs.prepare(outp, params, resume)
    (outp / MANIFEST).unlink(missing_ok=True)  # only a finished job has a manifest
    shards = jobs.cut(list(items), shard_size)
    todo = jobs.pending(outp, shards, ".parquet")
    if engine == "ray":
        from .ray_engine import run_ray

        written = run_ray(spec, todo, out=outp, workers=workers, progress=progress, callback=callback)
    else:
        from functools import partial

        written = jobs.run_shards(partial(caption_shard, spec), todo, out=outp, suffix=".parquet",
                                  write=write_rows, workers=workers, progress=progress,
                                  desc=f"recaption[{captioner.id}]", callback=callback)
    return _finish(outp, shards, params, written, time.perf_counter() - t0)


def _finish(outp: Path, shards, params: dict, written: int, seconds: float) -> Summary:
    from .. import jobs

    pq = need("pyarrow.parquet", "reading Parquet shards")
    entries, status, source, n = [], Counter(), Counter(), 0
    for s in shards:
        name = jobs.shard_name(s.index, ".parquet")
        t = pq.read_table(str(outp / name), columns=["status", "caption_source"]).to_pydict()
        st, cs = Counter(t["status"]), Counter(t["caption_source"])
        status.update(st)
        source.update(cs)
        n += len(t["status"])
        entries.append({"file": name, "rows": len(t["status"]), **{f"n_{k}": v for k, v in st.items()}})
    man = {**params, "rows": n, "shards": entries, "status": dict(status),
           "caption_source": {k: v for k, v in source.items() if k},
           "columns": list(COLUMNS)}
    jobs.atomic_write_text(outp / MANIFEST, json.dumps(man, indent=2))
    return Summary(out=str(outp), rows=n, shards=len(shards), shards_written=written, status=dict(status),
                   caption_source=dict(source), seconds=seconds)
