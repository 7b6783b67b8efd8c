"""``--engine ray``: the same job as a Ray Data pipeline, one pipeline per pending shard.

For each shard that has no output file yet: ``ray.data.from_items(items)`` (read) →
``map_batches(caption batch)`` (the same :func:`~limner.recaption.job.caption_items` the local
engine runs) → ``write_parquet`` into a staging folder; the staging files are then gathered into
the shard's file with the same atomic rename as the local engine, so resume is img2dataset's rule
(skip finished shards) and both engines produce the same rows. Ray starts locally
(``ray.init(num_cpus=workers, include_dashboard=False)``) unless one is already running, or joins a
cluster when ``RAY_ADDRESS`` is set.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Sequence

from .types import Item, need


def _caption_batch(batch, spec):
    from .job import arrow_schema, caption_items

    items = [Item(int(r["index"]), str(r["id"]), str(r["source"]), r["original"]) for r in batch.to_pylist()]
    rows = [r.to_dict() for r in caption_items(spec, items)]
    pa = need("pyarrow", "writing Parquet shards")
    return pa.Table.from_pylist(rows, schema=arrow_schema())


def init_ray(workers: int) -> Any:
    ray = need("ray", "the ray engine")
    if not ray.is_initialized():
        env = {k: os.environ[k] for k in ("PYTHONPATH", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "HF_HUB_OFFLINE")
               if k in os.environ}
        kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                              "logging_level": logging.WARNING, "runtime_env": {"env_vars": env}}
        if not os.environ.get("RAY_ADDRESS"):
            kw["num_cpus"] = max(1, workers)
        ray.init(**kw)
    return ray


def run_ray(spec, shards: Sequence, *, out: Path, workers: int = 2, progress: bool = True,
            callback: Callable[[int, Any], None] | None = None) -> int:
    from .. import jobs
    from .job import write_rows

    pq = need("pyarrow.parquet", "reading Parquet shards")
    for stale in out.glob(".ray-*"):  # staging left by a killed run
        shutil.rmtree(stale, ignore_errors=True)
    if not shards:
        return 0
    ray = init_ray(workers)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = bool(progress)
    if not progress:
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    done = 0
    for shard in shards:
        staging = out / f".ray-{shard.index:05d}"
        n = len(shard.items)
        ds = ray.data.from_items([asdict(it) for it in shard.items], override_num_blocks=max(1, min(workers, n)))
        ds = ds.map_batches(_caption_batch, fn_kwargs={"spec": spec}, batch_format="pyarrow",
                            batch_size=max(1, -(-n // max(1, workers))))
        ds.write_parquet(str(staging))
        rows: list[dict] = []
        for f in sorted(staging.glob("*.parquet")):
            rows += pq.read_table(str(f)).to_pylist()
        jobs.atomic_write(out / jobs.shard_name(shard.index, ".parquet"), lambda p: write_rows(p, rows))
        shutil.rmtree(staging, ignore_errors=True)
        done += 1
        if callback is not None:
            callback(shard.index, rows)
    return done
