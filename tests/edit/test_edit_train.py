"""`limner world train-edit` runs, checkpoints, resumes (safe load), and its weights edit."""

from __future__ import annotations

import json

import numpy as np
import torch

ARGS = ["--batch", "2", "--widths", "16,16,16", "--init-pairs", "4", "--pairs-per-step", "1",
        "--minutes", "5"]


def test_train_edit_resumes_and_its_weights_edit(tmp_path, limner_cli):
    out = tmp_path / "run"
    code, so, err = limner_cli("world", "train-edit", "--out", str(out), "--steps", "2", *ARGS)
    assert code == 0, err
    state = torch.load(out / "ckpt.pt", weights_only=True)  # tensors, ints, plain containers
    assert state["step"] == 2 and isinstance(state["cursor"], int)
    code, so, err = limner_cli("world", "train-edit", "--out", str(out), "--steps", "4", "--resume", *ARGS,
                               "--kind-weights", "size=3,texture=2", "--edit-weight", "4")
    assert code == 0, err
    assert "resumed at step 2" in so
    assert torch.load(out / "ckpt.pt", weights_only=True)["step"] == 4
    meta = json.loads((out / "final" / "config.json").read_text())["meta"]
    assert meta["step"] == 4

    from limner.edit.embedded import EmbeddedEditBackend
    from limner.edit.ops import edit_pair
    from limner.world.render import render_layout

    img = render_layout(edit_pair(0, "recolor").source, 32)
    res = EmbeddedEditBackend(weights=str(out / "final")).edit(img, "make the star red", seeds=[0],
                                                               num_inference_steps=2)
    assert np.asarray(res.images[0]).shape == (32, 32, 3)


def test_train_edit_refuses_bad_numbers(tmp_path, limner_cli):
    for args, needle in [(["--steps", "0"], "must be positive"), (["--edit-weight", "0.5"], "at least 1"),
                         (["--kind-weights", "sizes=2"], "unknown edit kind 'sizes'"),
                         (["--kind-weights", "size=x"], "bad weight"),
                         (["--kind-weights", "size=-1"], "bad weight")]:
        code, so, err = limner_cli("world", "train-edit", "--out", str(tmp_path / "r"), *args)
        assert code == 2 and needle in err, (args, err)
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_kind_weights_oversample_deterministically(monkeypatch):
    import limner.edit.train as T

    seen: list = []
    real = T.make_pair_arrays
    monkeypatch.setattr(T, "make_pair_arrays", lambda seed, kind=None: (seen.append(kind), real(seed, kind))[1])
    runs = []
    for _ in range(2):
        seen.clear()
        T.Pool(64, 3_000_000, T.parse_kind_weights("size=20")).add(20)
        runs.append(list(seen))
    assert runs[0] == runs[1]  # a function of the seed: a resumed run draws the same kinds
    assert runs[0].count("size") >= 12 and len(set(runs[0])) > 1
