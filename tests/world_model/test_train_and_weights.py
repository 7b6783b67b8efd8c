"""`limner world train` runs and resumes; the shipped weights load and draw."""

import json

import pytest
from typer.testing import CliRunner


def _world_app():
    import typer

    from limner.models.world_train import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:  # keep "train" a sub-command, as under `limner world`
        pass

    register(app)
    return app


@pytest.mark.slow  # trains
def test_train_three_steps_then_resume(tmp_path):
    app = _world_app()
    out = tmp_path / "run"
    args = ["train", "--preset", "tiny", "--batch", "2", "--size", "16", "--threads", "1",
            "--pool", "4", "--out", str(out)]
    r = CliRunner().invoke(app, args + ["--steps", "3"])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "checkpoint" / "state.json").read_text())["step"] == 3
    r = CliRunner().invoke(app, args + ["--steps", "5", "--resume"])
    assert r.exit_code == 0, r.output
    assert "step=5" in r.output
    assert json.loads((out / "checkpoint" / "state.json").read_text())["step"] == 5
    assert (out / "pipeline" / "model_index.json").exists()
    assert len((out / "log.jsonl").read_text().splitlines()) == 2  # one line per run end (log_every=10)


def test_shipped_weights_draw_a_world_scene():
    from limner.image import get_image_backend
    from limner.schema import Layout, SceneObject

    lay = Layout(objects=[SceneObject(name="circle", color="red", box=(0.1, 0.3, 0.4, 0.6)),
                          SceneObject(name="cat", color="black", box=(0.6, 0.3, 0.9, 0.6))])
    out = get_image_backend("embedded").generate("a red circle left of a cat", seeds=[0, 0], layout=lay,
                                                  num_inference_steps=4)
    assert [im.size for im in out.images] == [(32, 32), (32, 32)]
    assert out.images[0].tobytes() == out.images[1].tobytes()  # same seed, same pixels
    assert out.model["id"] == "limner-world" and len(out.model["sha256"]) == 64
    assert out.out_of_world == ["cat"] and out.extra["out_of_world"] == ["cat"]  # read, and recorded
    assert out.extra["unknown_words"] == ["cat"]


@pytest.mark.slow  # trains
def test_init_from_a_pipeline_adds_the_pooled_text_path_without_changing_predictions(tmp_path):
    """--init starts a fine-tune from a pipeline folder; the ``tiny-text`` preset's new pooled-text
    path starts at zero gain, so before any step the model predicts exactly what the old one did."""
    import torch

    from limner.models.condition import NUM_CHANNELS
    from limner.models.world_pipeline import WorldPipeline
    from limner.models.world_train import build_models, init_from_pipeline

    app = _world_app()
    base = tmp_path / "base"
    r = CliRunner().invoke(app, ["train", "--preset", "tiny", "--batch", "2", "--size", "16", "--threads", "1",
                                 "--pool", "4", "--out", str(base), "--steps", "2"])
    assert r.exit_code == 0, r.output
    old = WorldPipeline.from_pretrained(base / "pipeline")
    tok, te, unet, _ = build_models("tiny-text", 16)
    new_names = init_from_pipeline(unet, te, base / "pipeline")
    assert new_names and all(n.startswith("add_embedding.") for n in new_names)
    torch.manual_seed(0)
    x = torch.randn(2, 3 + NUM_CHANNELS, 16, 16)
    ids = torch.tensor([tok.encode("a red circle"), tok.encode("two blue squares")])
    t = torch.tensor([10, 500])
    with torch.no_grad():
        a = old.unet(x, t, encoder_hidden_states=old.text_encoder(ids).last_hidden_state).sample
        b = unet.eval()(x, t, encoder_hidden_states=te.eval()(ids).last_hidden_state).sample
    assert torch.allclose(a, b, atol=1e-3)  # fp16 export of the base: equal up to rounding
    # the fine-tune trains (the pooled path moves) and its pipeline loads with the new module
    ft = tmp_path / "ft"
    r = CliRunner().invoke(app, ["train", "--preset", "tiny-text", "--init", str(base / "pipeline"),
                                 "--layout-drop", "0.8", "--batch", "2", "--size", "16", "--threads", "1",
                                 "--pool", "4", "--out", str(ft), "--steps", "2"])
    assert r.exit_code == 0, r.output
    cfg = json.loads((ft / "config.json").read_text())
    assert cfg["layout_drop"] == 0.8 and cfg["init"].endswith("pipeline")
    pipe = WorldPipeline.from_pretrained(ft / "pipeline")
    assert pipe.unet.config.addition_embed_type == "text"
    assert float(pipe.unet.add_embedding.norm2.weight.detach().abs().sum()) > 0


def test_init_and_preset_errors_are_one_line(tmp_path):
    app = _world_app()
    base = ["train", "--batch", "2", "--size", "16", "--threads", "1", "--steps", "1"]
    r = CliRunner().invoke(app, base + ["--out", str(tmp_path / "a"), "--preset", "huge"])
    assert r.exit_code != 0 and "unknown preset 'huge'" in str(r.exception)
    assert not (tmp_path / "a").exists()  # refused before anything was written
    r = CliRunner().invoke(app, base + ["--out", str(tmp_path / "b"), "--preset", "tiny", "--init", str(tmp_path)])
    assert r.exit_code != 0 and "not a world pipeline folder" in str(r.exception)
    r = CliRunner().invoke(app, base + ["--out", str(tmp_path / "c"), "--preset", "tiny", "--layout-drop", "0.95"])
    assert r.exit_code != 0 and "--layout-drop" in str(r.exception)
    assert not (tmp_path / "c").exists()
