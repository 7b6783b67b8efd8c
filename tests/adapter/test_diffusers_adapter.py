"""The SUR-adapter on a (tiny, real) Stable Diffusion pipeline: train from a SURD-style folder, then
generate through ``prompt_embeds`` with ``--backend diffusers``; the recipe carries the adapter's hash."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

sys.path.insert(0, str(Path(__file__).parent.parent / "diffusers"))

pytestmark = pytest.mark.slow


def test_train_on_a_folder_and_generate_with_diffusers(tmp_path, monkeypatch):
    from PIL import Image
    from tiny import build_tiny_pipelines

    from limner.adapter.features import LLMFeatures
    from limner.adapter.model import file_sha256
    from limner.adapter.train import TrainOptions, train
    from limner.image import get_image_backend

    torch.set_num_threads(1)
    monkeypatch.setenv("LIMNER_CACHE_DIR", str(tmp_path / "cache"))
    sd = build_tiny_pipelines(tmp_path / "pipes")["sd"]
    data = tmp_path / "surd"
    data.mkdir()
    rows = []
    rng = np.random.default_rng(0)
    feats = LLMFeatures("precomputed:t")
    for i, (simple, complex_) in enumerate([("a cat the colour of coal", "black cat, studio light"),
                                            ("a pair of dogs", "two dogs, detailed")]):
        Image.new("RGB", (64, 64), (30 * i, 60, 90)).save(data / f"{i}.png")
        rows.append({"file_name": f"{i}.png", "text": simple, "prompt": complex_})
        feats.put(simple, rng.normal(size=5).astype(np.float32))
    feats.put("a cat the colour of coal, again", rng.normal(size=5).astype(np.float32))
    (data / "metadata.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    state = train(TrainOptions(out=str(tmp_path / "run"), base=str(sd), data=str(data), steps=2, batch=2,
                               llm="precomputed:t", heads=4), progress=False)
    assert state["step"] == 2
    path = tmp_path / "run" / "adapter.safetensors"

    be = get_image_backend("diffusers", model=str(sd))
    prompt = "a cat the colour of coal, again"
    plain = be.generate(prompt, seeds=[1], num_inference_steps=2)
    adapted = be.generate(prompt, seeds=[1], num_inference_steps=2, adapter=str(path))
    assert adapted.extra["adapter"]["sha256"] == file_sha256(path)
    assert "adapter" not in plain.extra
    assert np.asarray(adapted.images[0]).shape == np.asarray(plain.images[0]).shape == (64, 64, 3)
