"""The foundation: light import, records round-trip, layered config, CLI error handling."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from limner import __version__
from limner.cli import main
from limner.config import load_settings
from limner.errors import ConfigError, InputError
from limner.records import a1111_parameters, read_parameters, read_record, save_png
from limner.schema import GenerationRequest, ImageRecord, Layout, SceneObject


def run_cli(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def test_import_limner_is_light():
    code = ("import sys, limner, limner.cli, limner.schema, limner.records, limner.generate; "
            "heavy = [m for m in ('torch', 'diffusers', 'llama_cpp', 'transformers', 'fastapi', "
            "'sentence_transformers') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"heavy modules imported by `import limner`: {out.stdout}"


def _record(**kw):
    layout = Layout(objects=[SceneObject(name="circle", color="red", box=(0.1, 0.1, 0.4, 0.4))],
                    background="plain gray")
    base = dict(limner_version=__version__, request=GenerationRequest(prompt="a red circle").model_dump(),
                seed=7, prompt="a red circle", layout=layout, backend="embedded",
                model={"id": "limner-world", "sha256": "ab" * 32}, num_inference_steps=20,
                guidance_scale=3.0, width=32, height=32, extra={"scheduler": "dpmpp"})
    base.update(kw)
    return ImageRecord(**base)


def test_png_record_round_trip(tmp_path):
    rec = _record()
    img = Image.new("RGB", (32, 32), (200, 10, 10))
    path = save_png(img, tmp_path / "a.png", rec)
    assert read_record(path) == rec
    params = read_parameters(path)
    assert params.splitlines()[0] == "a red circle"
    assert "Seed: 7" in params and "Steps: 20" in params and "Size: 32x32" in params
    assert params == a1111_parameters(rec)
    # pixels unchanged by the metadata
    import numpy as np

    assert (np.asarray(Image.open(path)) == np.asarray(img)).all()


def test_no_metadata_and_atomic_write(tmp_path):
    img = Image.new("RGB", (8, 8))
    path = save_png(img, tmp_path / "b.png", _record(), metadata=False)
    assert read_record(path) is None
    assert [p.name for p in tmp_path.iterdir()] == ["b.png"]  # no temporary file left


def test_info_command(tmp_path, capsys):
    path = save_png(Image.new("RGB", (8, 8)), tmp_path / "c.png", _record(seed=99))
    code, out, _ = run_cli(["info", str(path)], capsys)
    assert code == 0 and json.loads(out)["seed"] == 99
    plain = save_png(Image.new("RGB", (8, 8)), tmp_path / "d.png", None)
    code, _, err = run_cli(["info", str(plain)], capsys)
    assert code != 0 and "no limner record" in err and "Traceback" not in err
    code, _, err = run_cli(["info", str(tmp_path / "missing.png")], capsys)
    assert code != 0 and err.startswith("error:")


def test_config_layers(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('llm_backend = "openai"\nllm_base_url = "http://127.0.0.1:1/v1"\nimage_model = "/m"\n')
    monkeypatch.delenv("LIMNER_LLM_BACKEND", raising=False)
    s = load_settings(cfg)
    assert (s.llm_backend, s.image_model) == ("openai", "/m")
    monkeypatch.setenv("LIMNER_LLM_BACKEND", "llamacpp")
    assert load_settings(cfg).llm_backend == "llamacpp"  # env beats file
    assert load_settings(cfg, llm_backend="embedded").llm_backend == "embedded"  # flag beats env
    assert load_settings(cfg, llm_backend=None).llm_backend == "llamacpp"  # None = not given


def test_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("colour = 'red'\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_settings(bad)
    bad.write_text("this is not toml = = \n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(bad)


def test_version_and_help(capsys):
    code, out, _ = run_cli(["--version"], capsys)
    assert code == 0 and out.strip() == f"limner {__version__}"
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-m", "limner", "--help"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and "generate" in out.stdout


@pytest.mark.parametrize("args, needle", [
    (["generate", "a red circle", "-n", "0"], "-n/--num-images"),
    (["generate", "a red circle", "-n", "10000"], "-n/--num-images"),
    (["generate", ""], "empty"),
    (["generate", "x" * 1001], "limit"),
    (["generate", "a red circle", "--backend", "nosuch", "--planner", "rules"], "unknown image backend"),
])
def test_generate_bad_input(args, needle, capsys, tmp_path):
    code, _, err = run_cli(args + ["-o", str(tmp_path / "o")], capsys)
    assert code != 0 and needle in err and "Traceback" not in err
    assert not any((tmp_path / "o").glob("*.png"))


def test_generate_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli(["generate", "a red circle", "--planner", "rules", "-o", str(blocker / "sub")], capsys)
    assert code != 0 and "cannot create output directory" in err


def test_scene_object_validation():
    with pytest.raises(ValueError):
        SceneObject(name="circle", box=(0.5, 0.5, 0.4, 0.9))
    with pytest.raises(ValueError):
        SceneObject(name="circle", box=(0.0, 0.0, 1.5, 0.9))
    o = SceneObject(name=" Circle ", color="red", texture="striped", box=(0, 0, 0.5, 0.5))
    assert o.name == "circle" and o.phrase() == "red striped circle" and o.center == (0.25, 0.25)
    with pytest.raises(InputError):
        from limner.generate import check_prompt

        check_prompt("   ")
