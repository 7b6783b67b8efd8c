"""Text-to-image through diffusers on a tiny real pipeline: images, seeds, records, errors."""

from __future__ import annotations

import shutil

import pytest
from conftest import STEPS, pixels

from limner.errors import InputError, LimnerError, MissingExtraError, ModelNotFoundError
from limner.image import get_image_backend


@pytest.fixture(scope="module")
def backend(tiny):
    return get_image_backend("diffusers", model=str(tiny["sd"]))


def test_images_shape_type_and_record(backend, tiny):
    out = backend.generate("a red cat", seeds=[3, 4], num_inference_steps=STEPS)
    assert [im.size for im in out.images] == [(64, 64), (64, 64)]
    assert all(im.mode == "RGB" for im in out.images)
    assert out.seeds == [3, 4]
    assert (out.width, out.height, out.num_inference_steps) == (64, 64, STEPS)
    assert out.guidance_scale == 7.5
    assert out.model["id"] == str(tiny["sd"].resolve())
    assert len(out.model["sha256"]) == 64
    assert set(out.model["files"]) == {"unet/diffusion_pytorch_model.safetensors",
                                       "vae/diffusion_pytorch_model.safetensors",
                                       "text_encoder/model.safetensors"}
    assert all(v.startswith("sha256:") for v in out.model["files"].values())  # small: full hash
    assert out.extra["scheduler"] == "pndm"  # the model's own, by its short name
    assert (out.extra["device"], out.extra["dtype"]) == ("cpu", "float32")
    assert out.extra["layout_used"] is False


def test_same_seed_same_pixels_different_seed_differs(backend):
    a = backend.generate("a red cat", seeds=[7], num_inference_steps=STEPS).images[0]
    b = backend.generate("a red cat", seeds=[7], num_inference_steps=STEPS).images[0]
    c = backend.generate("a red cat", seeds=[8], num_inference_steps=STEPS).images[0]
    assert pixels(a) == pixels(b)
    assert pixels(a) != pixels(c)


def test_each_image_reproducible_from_its_own_seed(backend):
    both = backend.generate("a red cat", seeds=[1, 2], num_inference_steps=STEPS)
    alone = backend.generate("a red cat", seeds=[2], num_inference_steps=STEPS)
    assert pixels(both.images[1]) == pixels(alone.images[0])
    batched = backend.generate("a red cat", seeds=[1, 2], num_inference_steps=STEPS, batch_size=2)
    assert batched.extra["batch_size"] == 2 and len(batched.images) == 2


def test_scheduler_choice_is_used_recorded_and_does_not_leak(backend):
    base = backend.generate("a cat", seeds=[5], num_inference_steps=STEPS)
    euler = backend.generate("a cat", seeds=[5], num_inference_steps=STEPS, scheduler="euler_a")
    again = backend.generate("a cat", seeds=[5], num_inference_steps=STEPS)
    assert euler.extra["scheduler"] == "euler_a"
    assert pixels(euler.images[0]) != pixels(base.images[0])
    assert pixels(again.images[0]) == pixels(base.images[0])


def test_every_scheduler_name_runs(tiny):
    from limner.image.diffusers_common import SCHEDULERS

    for name in SCHEDULERS:
        be = get_image_backend("diffusers", model=str(tiny["sd"]), scheduler=name)
        out = be.generate("a cat", seeds=[0], num_inference_steps=STEPS)
        assert out.extra["scheduler"] == name and out.images[0].size == (64, 64)


def test_bfloat16_runs_on_cpu(tiny):
    be = get_image_backend("diffusers", model=str(tiny["sd"]), dtype="bf16")
    out = be.generate("a cat", seeds=[0], num_inference_steps=1)
    assert out.extra["dtype"] == "bfloat16" and out.images[0].size == (64, 64)


def test_layout_without_controlnet_or_gligen_is_recorded_as_unused(backend, layout):
    out = backend.generate("a red cat", seeds=[0], layout=layout, num_inference_steps=STEPS)
    assert out.extra["layout_used"] is False
    assert "layout not used" in out.notes[0]


def test_progress_callback_counts_every_step(backend):
    seen = []
    backend.generate("a cat", seeds=[0, 1], num_inference_steps=STEPS,
                     callback=lambda i, n: seen.append((i, n)))
    assert seen[-1] == (2 * STEPS, 2 * STEPS) and len(seen) == 2 * STEPS


def test_pipeline_loaded_once_per_process(tiny):
    from limner.image import diffusers_common as dc

    a = get_image_backend("diffusers", model=str(tiny["sd"]))
    b = get_image_backend("diffusers", model=str(tiny["sd"]) + "/")
    a.generate("x", seeds=[0], num_inference_steps=1)
    n = len(dc._PIPELINES)
    b.generate("x", seeds=[0], num_inference_steps=1)
    assert len(dc._PIPELINES) == n


def test_png_record_round_trip_regenerates_same_bytes(backend, tmp_path):
    """What `limner generate --from IMAGE` relies on: the record is enough to redo the image."""
    from limner import __version__
    from limner.records import read_record, save_png
    from limner.schema import ImageRecord

    out = backend.generate("a red cat", seeds=[11], num_inference_steps=STEPS, scheduler="ddim",
                           guidance_scale=5.0)
    rec = ImageRecord(limner_version=__version__, request={"prompt": "a red cat"}, seed=11,
                      prompt="a red cat", backend="diffusers", model=out.model,
                      num_inference_steps=out.num_inference_steps,
                      guidance_scale=out.guidance_scale, width=out.width, height=out.height,
                      extra=out.extra)
    path = save_png(out.images[0], tmp_path / "a.png", rec)
    back = read_record(path)
    again = get_image_backend("diffusers", model=back.model["id"]).generate(
        back.prompt, seeds=[back.seed], num_inference_steps=back.num_inference_steps,
        guidance_scale=back.guidance_scale, width=back.width, height=back.height,
        scheduler=back.extra["scheduler"])
    from PIL import Image

    with Image.open(path) as im:
        assert pixels(im.convert("RGB")) == pixels(again.images[0])


def test_hub_id_from_local_cache(tiny, tmp_path, monkeypatch):
    """A hub id that is in the HF cache loads offline and records its snapshot's hashes."""
    from huggingface_hub import constants

    commit = "0" * 40
    repo = tmp_path / "hub" / "models--limner-test--tiny-sd"
    shutil.copytree(tiny["sd"], repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    be = get_image_backend("diffusers", model="limner-test/tiny-sd")
    out = be.generate("a cat", seeds=[0], num_inference_steps=1)
    assert out.model["id"] == "limner-test/tiny-sd" and "path" not in out.model
    assert out.model["sha256"] == be.model_record(be.resolved)["sha256"]
    assert len(out.model["files"]) == 3


@pytest.mark.parametrize("kwargs, error, words", [
    ({"scheduler": "warp9"}, InputError, "unknown scheduler 'warp9'"),
    ({"dtype": "int3"}, InputError, "unknown dtype 'int3'"),
    ({"device": "tpu"}, InputError, "unknown device"),
    ({"dtype": "fp16"}, InputError, "float16 needs a GPU"),
    ({"model": "/no/such/model"}, ModelNotFoundError, "/no/such/model does not exist"),
    ({"model": "limner-test/not-downloaded"}, ModelNotFoundError, "not in the local Hugging Face cache"),
    ({"model": None}, InputError, "no model given"),
])
def test_bad_constructor_arguments_fail_in_one_line(tiny, kwargs, error, words):
    args = {"model": str(tiny["sd"]), **kwargs}
    with pytest.raises(error) as exc:
        get_image_backend("diffusers", **args)
    assert words in str(exc.value) and "\n" not in str(exc.value)


def test_folder_without_model_index(tmp_path):
    with pytest.raises(ModelNotFoundError, match="has no model_index.json"):
        get_image_backend("diffusers", model=str(tmp_path))


def test_cuda_on_a_cpu_only_torch_is_a_clear_error(tiny):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(InputError, match="CUDA is not available"):
        get_image_backend("diffusers", model=str(tiny["sd"]), device="cuda")


@pytest.mark.parametrize("kwargs, words", [
    ({"width": 60}, "multiple of 8"),
    ({"warp": 9}, "unknown option(s) for the diffusers backend: warp"),
    ({"seeds": []}, "no seeds given"),
    ({"batch_size": 0}, "batch_size must be at least 1"),
])
def test_bad_call_arguments(backend, kwargs, words):
    call = {"seeds": [0], "num_inference_steps": 1, **kwargs}
    with pytest.raises(LimnerError) as exc:
        backend.generate("a cat", **call)
    assert words in str(exc.value)


def test_missing_image_extra_names_the_install_command(tiny, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "diffusers", None)  # as if not installed
    with pytest.raises(MissingExtraError) as exc:
        get_image_backend("diffusers", model=str(tiny["sd"]))
    assert "pip install 'limner[image]'" in str(exc.value)


def test_broken_model_folder_fails_in_one_line(tiny, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(tiny["sd"], broken)
    shutil.rmtree(broken / "unet")
    be = get_image_backend("diffusers", model=str(broken))
    with pytest.raises(ModelNotFoundError) as exc:
        be.generate("a cat", seeds=[0], num_inference_steps=1)
    assert str(exc.value).startswith("cannot load t2i pipeline from") and "\n" not in str(exc.value)


def test_scheduler_aliases_resolve_to_stable_names():
    from limner.image.diffusers_common import parse_scheduler

    assert parse_scheduler("dpm++") == "dpmpp_2m"  # the embedded backend's spelling
    assert parse_scheduler("Euler-A") == "euler_a"
    assert parse_scheduler("default") is None and parse_scheduler(None) is None
