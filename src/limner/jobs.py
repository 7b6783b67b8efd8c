"""A sharded, resumable, atomic job runner (``limner recaption``, ``limner edit-data build``).

A job is a list of work items cut into shards of ``shard_size``; shard ``k`` always holds the
same items, so a shard is done exactly when its output file exists. Rules (img2dataset's):

* each finished shard is written to a temporary file in the output folder, fsync'ed and renamed
  into place (``os.replace`` is atomic), so ``kill -9`` leaves only whole shards and stray
  ``*.tmp`` files, which :func:`prepare` deletes on resume;
* ``job.json`` holds the job's parameters; a resume with different parameters is refused;
* a resume skips every shard whose file exists and does the rest.

:func:`run_shards` runs ``fn(shard)`` in a process pool (or inline with ``workers=1``) and hands
each result to ``write(path, result)`` in the parent as it arrives, with a progress bar.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import InputError

JOB_FILE = "job.json"


@dataclass(frozen=True)
class Shard:
    index: int
    items: tuple  # picklable work items


def cut(items: Sequence[Any], shard_size: int) -> list[Shard]:
    if shard_size < 1:
        raise InputError(f"--shard-size must be at least 1, got {shard_size}")
    return [Shard(k, tuple(items[i:i + shard_size])) for k, i in enumerate(range(0, len(items), shard_size))]


def shard_name(index: int, suffix: str) -> str:
    return f"shard-{index:05d}{suffix}"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary path next to ``path``, fsync it, rename it into place."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a dataset is meant to be read by others
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def prepare(out: Path, params: dict, resume: bool) -> None:
    """Create ``out`` and its ``job.json``; on resume, check the parameters and drop stray temp files."""
    out.mkdir(parents=True, exist_ok=True)
    jf = out / JOB_FILE
    if jf.exists():
        old = json.loads(jf.read_text(encoding="utf-8"))
        if not resume:
            raise InputError(f"{out} already holds a job; pass --resume to continue it or choose another --out")
        if old != json.loads(json.dumps(params)):
            diff = sorted(k for k in set(old) | set(params) if old.get(k) != params.get(k))
            raise InputError(f"{out} was started with other parameters ({', '.join(diff)}); "
                             "--resume needs the same ones")
    elif any(out.iterdir()) and not resume:
        raise InputError(f"{out} is not empty; choose an empty or new --out")
    for tmp in out.glob(".*.tmp"):
        tmp.unlink()
    atomic_write_text(jf, json.dumps(params, indent=2, sort_keys=True))


def pending(out: Path, shards: Sequence[Shard], suffix: str) -> list[Shard]:
    return [s for s in shards if not (out / shard_name(s.index, suffix)).exists()]


def _die_with_parent(parent: int) -> None:
    """Pool initializer: on Linux a worker dies with its parent, so a ``kill -9``'ed job leaves no
    worker still writing (``limner edit-data build`` workers write pair files) behind a resume."""
    import sys

    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def run_shards(fn: Callable[[Shard], Any], shards: Sequence[Shard], *, out: Path, suffix: str,
               write: Callable[[Path, Any], None], workers: int = 1, progress: bool = True,
               desc: str = "job", callback: Callable[[int, Any], None] | None = None) -> int:
    """Run ``fn`` on every shard, write each result atomically as ``out/shard-NNNNN<suffix>``.
    Returns the number of shards written. ``callback(shard_index, result)`` after each write."""
    from tqdm import tqdm

    total = sum(len(s.items) for s in shards)
    bar = tqdm(total=total, desc=desc, unit="item", disable=not progress)
    done = 0

    def finish(shard: Shard, result: Any) -> None:
        nonlocal done
        atomic_write(out / shard_name(shard.index, suffix), lambda p: write(p, result))
        done += 1
        bar.update(len(shard.items))
        if callback is not None:
            callback(shard.index, result)

    try:
        if workers <= 1 or len(shards) <= 1:
            for s in shards:
                finish(s, fn(s))
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
                futs = {pool.submit(fn, s): s for s in shards}
                for fut in as_completed(futs):
                    finish(futs[fut], fut.result())
    finally:
        bar.close()
    return done
