"""Acceptance: --world 1000 → Parquet with a 95% ± 2% descriptive training column; SIGKILL mid-run
and --resume completes it with no duplicates or losses. Bad input becomes failed rows."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pq = pytest.importorskip("pyarrow.parquet")


def _rows(out: Path) -> list[dict]:
    from limner.recaption import read_rows

    return read_rows(out)


@pytest.mark.slow
def test_kill9_then_resume_loses_and_duplicates_nothing(tmp_path, run_limner, limner_env):
    out = tmp_path / "ds"
    args = ["recaption", "--world", "1000", "--out", str(out), "--style", "both", "--mix", "0.95",
            "--shard-size", "100", "--world-size", "32", "--no-progress"]
    p = subprocess.Popen([sys.executable, "-m", "limner", *args], env=limner_env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and len(list(out.glob("shard-*.parquet"))) < 2 and p.poll() is None:
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    before = {f.name: f.read_bytes() for f in out.glob("shard-*.parquet")}
    assert 2 <= len(before) < 10, "the kill must land mid-run"
    assert not (out / "manifest.json").exists()

    code, stdout, err = run_limner(*args, "--resume")
    assert code == 0, err
    assert f"written_now={10 - len(before)}" in stdout  # finished shards were skipped, not redone
    for name, data in before.items():
        assert (out / name).read_bytes() == data
    rows = _rows(out)
    assert [r["index"] for r in rows] == list(range(1000))
    assert len({r["id"] for r in rows}) == 1000
    ok = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] == "failed"]
    assert len(ok) + len(failed) == 1000 and len(failed) <= 30  # unsure readings are refused
    assert all(r["short"] and r["descriptive"] for r in ok)
    assert all(r["reason"].startswith("unsure reading") and r["caption"] is None for r in failed)
    share = sum(r["caption_source"] == "descriptive" for r in rows) / 1000
    assert 0.93 <= share <= 0.97
    assert all(r["caption"] == (r["descriptive"] if r["caption_source"] == "descriptive" else r["original"])
               for r in ok)
    man = json.loads((out / "manifest.json").read_text())
    assert man["rows"] == 1000 and man["status"].get("ok") == len(ok) and len(man["shards"]) == 10
    assert not list(out.glob(".*.tmp"))


def test_bad_images_become_failed_rows(tmp_path, limner_cli, scene_png):
    src = tmp_path / "imgs"
    src.mkdir()
    scene_png(src / "good.png", 4_400_001)
    scene_png(src / "full.png", 4_400_002)
    data = (src / "full.png").read_bytes()
    (src / "truncated.png").write_bytes(data[: len(data) // 2])
    (src / "text.png").write_text("not an image")
    lines = [{"file_name": "good.png", "text": "shapes clipart"}, {"file_name": "truncated.png", "text": "x"},
             {"file_name": "text.png"}, {"file_name": "missing.png", "text": "y"}]
    (src / "metadata.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    code, out, err = limner_cli("recaption", str(src), "--out", str(tmp_path / "o"), "--no-progress")
    assert code == 0, err
    rows = {r["id"]: r for r in _rows(tmp_path / "o")}
    assert rows["good.png"]["status"] == "ok" and rows["good.png"]["original"] == "shapes clipart"
    for bad, why in (("truncated.png", "cannot read image"), ("text.png", "cannot read image"),
                     ("missing.png", "no such image")):
        assert rows[bad]["status"] == "failed" and why in rows[bad]["reason"], rows[bad]
        assert rows[bad]["caption"] is None
    assert "failed=3" in out and "ok=1" in out


def test_folder_without_manifest_and_resume_rules(tmp_path, limner_cli, scene_png):
    src = tmp_path / "imgs"
    (src / "sub").mkdir(parents=True)
    scene_png(src / "a.png", 4_400_003)
    scene_png(src / "sub" / "b.png", 4_400_004)
    (src / "notes.txt").write_text("ignored")
    out = tmp_path / "o"
    code, stdout, err = limner_cli("recaption", str(src), "--out", str(out), "--style", "short", "--no-progress")
    assert code == 0, err
    rows = _rows(out)
    assert [r["id"] for r in rows] == ["a.png", "sub/b.png"]
    assert all(r["descriptive"] is None and r["caption"] == r["short"] for r in rows)  # no originals
    code, _, err = limner_cli("recaption", str(src), "--out", str(out), "--style", "short", "--no-progress")
    assert code == 2 and "--resume" in err
    code, _, err = limner_cli("recaption", str(src), "--out", str(out), "--mix", "0.5", "--resume", "--no-progress")
    assert code == 2 and "mix" in err and "style" in err


def test_input_errors_are_one_line(tmp_path, limner_cli):
    code, _, err = limner_cli("recaption", "--out", str(tmp_path / "o"))
    assert code == 2 and err.startswith("error:") and "--world" in err
    code, _, err = limner_cli("recaption", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert code == 2 and "no such folder" in err
    hf = tmp_path / "hf"
    hf.mkdir()
    (hf / "dataset_info.json").write_text("{}")
    try:
        import datasets  # noqa: F401
    except ImportError:
        code, _, err = limner_cli("recaption", str(hf), "--out", str(tmp_path / "o"))
        assert code == 2 and "pip install datasets" in err


def test_hugging_face_datasets_folder(tmp_path, limner_cli, scene_png):
    """A ``save_to_disk`` folder with an Image column and a text column: good rows are captioned
    with the originals kept, a truncated image becomes a failed row, and --engine is not needed."""
    datasets = pytest.importorskip("datasets")
    from PIL import Image

    for i in range(2):
        scene_png(tmp_path / f"s{i}.png", 4_400_003 + i)  # scenes the world captioner reads surely at 48 px
    good = [str(tmp_path / f"s{i}.png") for i in range(2)]
    full = (tmp_path / "s1.png").read_bytes()
    ds = datasets.Dataset.from_dict({
        "image": [{"bytes": Path(p).read_bytes(), "path": None} for p in good] + [{"bytes": full[:200], "path": None}],
        "text": ["clip art of shapes", "some shapes", "broken"]}).cast_column("image", datasets.Image())
    assert isinstance(ds[0]["image"], Image.Image)
    src = tmp_path / "hf"
    datasets.DatasetDict({"train": ds}).save_to_disk(str(src))
    code, out, err = limner_cli("recaption", str(src), "--out", str(tmp_path / "o"), "--style", "both",
                                "--no-progress")
    assert code == 0, err
    rows = _rows(tmp_path / "o")
    assert [r["original"] for r in rows] == ["clip art of shapes", "some shapes", "broken"]
    assert [r["status"] for r in rows] == ["ok", "ok", "failed"]
    from limner.world.corpus import captions, sample_scene

    for r, seed in zip(rows[:2], (4_400_003, 4_400_004)):  # the world captioner read the true scene
        truth = captions(sample_scene(seed), np.random.default_rng(0))
        assert r["short"] and r["descriptive"]
        assert all(word in r["descriptive"] for word in truth.short.split() if word.isalpha() and len(word) > 3), \
            (r["descriptive"], truth.short)
    assert "cannot read image" in rows[2]["reason"] and rows[2]["caption"] is None
