"""Instruction editing (InstructPix2Pix) through a tiny real 8-channel pipeline."""

from __future__ import annotations

import pytest
from conftest import STEPS, pixels
from PIL import Image

from limner.errors import InputError, MissingExtraError, ModelNotFoundError
from limner.image import get_edit_backend


@pytest.fixture(scope="module")
def backend(tiny):
    # the signature the `limner edit` CLI uses
    return get_edit_backend("diffusers", model=str(tiny["ip2p"]), device="cpu", dtype="float32")


@pytest.fixture(scope="module")
def source():
    im = Image.new("RGB", (72, 64), "white")
    im.paste((200, 30, 30), (10, 10, 40, 50))
    return im


def test_edit_images_and_record(backend, tiny, source):
    out = backend.edit(source, "make it blue", seeds=[1, 2], num_inference_steps=STEPS)
    assert [im.size for im in out.images] == [(72, 64)] * 2 and out.seeds == [1, 2]
    assert (out.width, out.height) == (72, 64)
    assert out.guidance_scale == 7.5 and out.extra["image_guidance_scale"] == 1.5
    assert out.model["id"] == str(tiny["ip2p"].resolve()) and len(out.model["sha256"]) == 64
    assert out.model["pipeline"] == "StableDiffusionInstructPix2PixPipeline"
    assert len(out.extra["source_sha256"]) == 64


def test_source_size_is_snapped_to_multiples_of_8(backend):
    out = backend.edit(Image.new("RGB", (70, 61), "gray"), "add snow", seeds=[0],
                       num_inference_steps=1)
    assert out.images[0].size == (64, 56) and out.extra["source_size"] == [70, 61]


def test_same_seed_same_pixels_and_both_scales_matter(backend, source):
    a = backend.edit(source, "make it blue", seeds=[3], num_inference_steps=STEPS)
    b = backend.edit(source, "make it blue", seeds=[3], num_inference_steps=STEPS)
    c = backend.edit(source, "make it blue", seeds=[4], num_inference_steps=STEPS)
    d = backend.edit(source, "make it blue", seeds=[3], num_inference_steps=STEPS,
                     image_guidance_scale=3.0)
    e = backend.edit(source, "make it blue", seeds=[3], num_inference_steps=STEPS,
                     guidance_scale=2.0)
    assert pixels(a.images[0]) == pixels(b.images[0])
    assert len({pixels(x.images[0]) for x in (a, c, d, e)}) == 4


@pytest.mark.parametrize("image, instruction, kwargs, words", [
    ("not an image", "x", {}, "must be a PIL image"),
    (None, "  ", {}, "instruction must not be empty"),
    (None, "x", {"strength": 1}, "unknown option(s)"),
    (None, "x", {"scheduler": "nope"}, "unknown scheduler"),
])
def test_bad_arguments(backend, source, image, instruction, kwargs, words):
    with pytest.raises(InputError) as exc:
        backend.edit(source if image is None else image, instruction, seeds=[0],
                     num_inference_steps=1, **kwargs)
    assert words in str(exc.value)


def test_bad_constructor_arguments(tiny, tmp_path):
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        get_edit_backend("diffusers", model=str(tmp_path / "missing"))
    with pytest.raises(InputError, match="not an InstructPix2Pix pipeline"):
        get_edit_backend("diffusers", model=str(tiny["sd"]))
    with pytest.raises(InputError, match="unknown dtype"):
        get_edit_backend("diffusers", model=str(tiny["ip2p"]), dtype="float8")


def test_missing_image_extra(tiny, monkeypatch):
    import limner._deps as deps
    from limner.errors import MissingExtraError as MEE

    def fake_require(module, purpose=""):
        raise MEE(module, deps.EXTRA_OF.get(module, "all"), purpose)

    monkeypatch.setattr("limner.image.diffusers_common.require", fake_require)
    with pytest.raises(MissingExtraError, match=r"pip install 'limner\[image\]'"):
        get_edit_backend("diffusers", model=str(tiny["ip2p"]))
