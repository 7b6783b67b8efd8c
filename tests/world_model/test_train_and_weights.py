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
