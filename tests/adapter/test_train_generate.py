"""`limner adapter train` (2 steps, then resume) and `limner generate --adapter` with the shipped world model.

LLM features come from the on-disk feature cache (model key ``precomputed:test``), written here, so
the test needs no GGUF; the features path through llama.cpp is tested in test_features.py.
"""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from limner.adapter.data import world_triples  # noqa: E402
from limner.adapter.features import LLMFeatures  # noqa: E402
from limner.image.embedded import WEIGHTS_DIR  # noqa: E402
from limner.records import read_record  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (WEIGHTS_DIR / "model_index.json").is_file(), reason="world weights not shipped")]

PROMPT = "a heart the colour of the sky"
KEY = "precomputed:test"


@pytest.fixture
def features(tmp_path, monkeypatch):
    monkeypatch.setenv("LIMNER_CACHE_DIR", str(tmp_path / "cache"))
    feats = LLMFeatures(KEY)
    rng = np.random.default_rng(0)
    for t in world_triples(12, "seen", plain_fraction=0.1) + [type("T", (), {"simple": PROMPT})()]:
        feats.put(t.simple, rng.normal(size=6).astype(np.float32))
    return feats


def run_train(limner_cli, out, *extra):
    return limner_cli("adapter", "train", "--out", str(out), "--n-train", "12", "--batch", "2", "--llm", KEY,
                      "--eta", "0.5", "-q", *extra)


def test_train_resume_and_generate(tmp_path, features, limner_cli):
    out = tmp_path / "run"
    code, so, se = run_train(limner_cli, out, "--steps", "2")
    assert code == 0, so + se
    assert "step=2" in so
    first = (out / "adapter.safetensors").read_bytes()
    code, so, se = run_train(limner_cli, out, "--steps", "3", "--resume")
    assert code == 0, so + se
    assert "step=3" in so
    assert json.loads((out / "checkpoint" / "state.json").read_text())["step"] == 3
    assert (out / "adapter.safetensors").read_bytes() != first  # the third step changed the weights
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert isinstance(log, list)

    gen = tmp_path / "gen"
    code, so, se = limner_cli("generate", PROMPT, "--no-plan", "--adapter", str(out / "adapter.safetensors"),
                              "-o", str(gen), "-q", "--seed", "3")
    assert code == 0, so + se
    rec = read_record(gen / "0000-3.png")
    from limner.adapter.model import file_sha256

    assert rec.extra["adapter"]["sha256"] == file_sha256(out / "adapter.safetensors")
    # without the adapter the same seed gives other pixels (the adapter is applied, not just recorded)
    code, so, se = limner_cli("generate", PROMPT, "--no-plan", "-o", str(tmp_path / "plain"), "-q", "--seed", "3")
    assert code == 0
    assert "adapter" not in (read_record(tmp_path / "plain" / "0000-3.png").extra or {})
    from PIL import Image

    a = np.asarray(Image.open(gen / "native" / "0000-3.png"))
    b = np.asarray(Image.open(tmp_path / "plain" / "native" / "0000-3.png"))
    assert np.abs(a.astype(int) - b.astype(int)).max() > 0


def test_denoising_gradient_reaches_the_adapter(tmp_path, features):
    from limner.adapter.model import load_adapter
    from limner.adapter.train import TrainOptions, train

    fc = {}
    for grad in (True, False):
        opts = TrainOptions(out=str(tmp_path / f"g{grad}"), n_train=12, batch=2, steps=1, llm=KEY, w_align=0.0,
                            w_distill=0.0, denoise_grad=grad)
        train(opts, progress=False)
        fc[grad] = load_adapter(tmp_path / f"g{grad}" / "adapter.safetensors").fc.weight.abs().sum().item()
    assert fc[True] > 0  # the zero-initialised output layer moved: the UNet's loss trained it
    assert fc[False] == 0  # the paper code's re-wrap: no gradient, nothing learned


def test_bad_adapter_path_is_one_clear_line(limner_cli, tmp_path):
    code, so, se = limner_cli("generate", PROMPT, "--no-plan", "--adapter", str(tmp_path / "nope.safetensors"),
                              "-o", str(tmp_path / "x"), "-q")
    assert code != 0
    assert "adapter file not found" in se and "Traceback" not in se
    assert not list((tmp_path / "x").glob("*.png")) if (tmp_path / "x").exists() else True


def test_missing_features_say_so(tmp_path, monkeypatch, limner_cli):
    monkeypatch.setenv("LIMNER_CACHE_DIR", str(tmp_path / "empty"))
    code, so, se = run_train(limner_cli, tmp_path / "r", "--steps", "1")
    assert code != 0 and "no cached LLM feature" in se
