"""limner.jobs: shards are fixed by index, written atomically, skipped on resume."""

import json

import pytest

from limner import jobs
from limner.errors import InputError


def _write(path, result):
    path.write_text(json.dumps(result))


def _double(shard):
    return [x * 2 for x in shard.items]


def test_shards_written_atomically_and_skipped_on_resume(tmp_path):
    out = tmp_path / "o"
    jobs.prepare(out, {"n": 7}, resume=False)
    shards = jobs.cut(list(range(7)), 3)
    assert [s.items for s in shards] == [(0, 1, 2), (3, 4, 5), (6,)]
    seen = []
    assert jobs.run_shards(_double, shards[:2], out=out, suffix=".json", write=_write, progress=False,
                           callback=lambda k, r: seen.append(k)) == 2
    assert seen == [0, 1]
    (out / ".shard-00002.json.123.tmp").write_text("torn")  # what a kill mid-write leaves
    jobs.prepare(out, {"n": 7}, resume=True)
    assert not list(out.glob(".*.tmp"))
    todo = jobs.pending(out, shards, ".json")
    assert [s.index for s in todo] == [2]
    jobs.run_shards(_double, todo, out=out, suffix=".json", write=_write, workers=2, progress=False)
    got = [json.loads((out / jobs.shard_name(k, ".json")).read_text()) for k in range(3)]
    assert got == [[0, 2, 4], [6, 8, 10], [12]]


def test_failed_write_leaves_nothing(tmp_path):
    def boom(p):
        p.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        jobs.atomic_write(tmp_path / "x.json", boom)
    assert list(tmp_path.iterdir()) == []


def test_prepare_refuses_other_parameters_and_non_empty_folders(tmp_path):
    out = tmp_path / "o"
    jobs.prepare(out, {"mix": 0.95}, resume=False)
    with pytest.raises(InputError, match="--resume"):
        jobs.prepare(out, {"mix": 0.95}, resume=False)
    with pytest.raises(InputError, match=r"other parameters \(mix\)"):
        jobs.prepare(out, {"mix": 0.5}, resume=True)
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        jobs.prepare(other, {}, resume=False)
    with pytest.raises(InputError, match="shard-size"):
        jobs.cut([1], 0)
