"""--engine ray gives the same rows as local and resumes by skipping finished shards;
`limner world train --captions` trains on a recaptioned column."""

import json

import pytest

pytest.importorskip("pyarrow")


@pytest.mark.slow
def test_ray_rows_equal_local_rows_and_ray_resumes(tmp_path, run_limner):
    pytest.importorskip("ray")
    from limner.recaption import read_rows

    common = ["--world", "30", "--style", "both", "--mix", "0.8", "--seed", "5", "--shard-size", "10",
              "--world-size", "32", "--workers", "2", "--no-progress"]
    code, out, err = run_limner("recaption", "--out", str(tmp_path / "local"), *common)
    assert code == 0, err
    code, out, err = run_limner("recaption", "--out", str(tmp_path / "ray"), "--engine", "ray", *common)
    assert code == 0, err
    assert read_rows(tmp_path / "ray") == read_rows(tmp_path / "local")
    # resume: a lost shard is redone, the others are skipped
    (tmp_path / "ray" / "shard-00001.parquet").unlink()
    keep = (tmp_path / "ray" / "shard-00000.parquet").stat().st_mtime_ns
    code, out, err = run_limner("recaption", "--out", str(tmp_path / "ray"), "--engine", "ray", "--resume", *common)
    assert code == 0, err
    assert "written_now=1" in out
    assert (tmp_path / "ray" / "shard-00000.parquet").stat().st_mtime_ns == keep
    assert read_rows(tmp_path / "ray") == read_rows(tmp_path / "local")


@pytest.mark.slow
def test_world_train_on_recaptioned_column(tmp_path, run_limner):
    pytest.importorskip("torch")
    from limner.models.world_train import load_caption_rows, make_caption_batch

    ds = tmp_path / "ds"
    code, _, err = run_limner("recaption", "--world", "12", "--out", str(ds), "--world-size", "32", "--no-progress")
    assert code == 0, err
    rows = load_caption_rows(str(ds / "manifest.json"), "short")
    x, cond, caps = make_caption_batch(0, 4, 32, rows)
    assert x.shape == (4, 3, 32, 32) and cond[:, 3].max() > 0.5  # corpus rows keep their layout
    assert caps == [c for _, c in rows[:4]]
    run = tmp_path / "run"
    code, out, err = run_limner("world", "train", "--captions", str(ds / "manifest.json"), "--caption-column",
                                "descriptive", "--out", str(run), "--preset", "tiny", "--steps", "2",
                                "--batch", "2", "--threads", "1")
    assert code == 0, err
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["caption_column"] == "descriptive" and cfg["captions"].endswith("manifest.json")
    assert (run / "pipeline" / "model_index.json").exists()
    code, _, err = run_limner("world", "train", "--captions", str(ds), "--caption-column", "alt",
                              "--out", str(tmp_path / "r2"), "--preset", "tiny", "--steps", "1")
    assert code == 2 and "no column 'alt'" in err
