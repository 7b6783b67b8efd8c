"""Region redraw with a diffusers inpainting pipeline, on a tiny random-weight Stable Diffusion."""

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "diffusers"))
    from tiny import build_tiny_pipelines

    return build_tiny_pipelines(tmp_path_factory.mktemp("tiny-sd"))["sd"]


@pytest.mark.slow
def test_inpainting_redraws_only_the_region_and_is_reproducible(tiny_sd):
    from limner.correct.region_diffusers import regenerate_region
    from limner.plan import plan

    lay = plan("a red circle to the left of a blue square", planner="rules").layout
    src = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    mask = np.zeros((64, 64), bool)
    mask[8:40, 4:30] = True
    kw = dict(prompt="a red circle to the left of a blue square", layout=lay, seed=5, num_inference_steps=2,
              model=str(tiny_sd))
    a = regenerate_region(src, mask, **kw)
    b = regenerate_region(src, mask, **kw)
    old, new = np.asarray(src), np.asarray(a)
    assert np.array_equal(old[~mask], new[~mask])
    assert not np.array_equal(old[mask], new[mask])
    assert np.array_equal(new, np.asarray(b))


@pytest.mark.slow
def test_generate_correct_with_the_diffusers_backend(tiny_sd, tmp_path, limner_cli):
    code, out, err = limner_cli("generate", "a red circle to the left of a blue square", "--planner", "rules",
                                "--backend", "diffusers", "--model", str(tiny_sd), "--steps", "2", "--correct",
                                "--rounds", "1", "-o", str(tmp_path), "-q")
    assert code == 0, err
    from limner.records import read_record

    rep = read_record(tmp_path / "0000-0.png").extra["correction"]
    assert rep["detector"] == "world" and rep["ok_before"] is not None
    if rep["rounds"]:  # random weights draw no shapes: the round is recorded with its regions and seed
        assert rep["rounds"][0]["regions"] and rep["rounds"][0]["seed"] != 0
