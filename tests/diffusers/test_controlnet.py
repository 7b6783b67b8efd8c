"""Sketch-conditioned generation (Control-GPT) through a tiny real ControlNet."""

from __future__ import annotations

import pytest
from conftest import STEPS, pixels

from limner.errors import ModelNotFoundError
from limner.image import get_image_backend


@pytest.fixture(scope="module")
def backend(tiny):
    return get_image_backend("diffusers", model=str(tiny["sd"]), controlnet=str(tiny["controlnet"]))


def test_sketch_conditioned_images_and_record(backend, tiny, layout):
    out = backend.generate("a red cat and a blue ball", seeds=[1, 2], layout=layout,
                           num_inference_steps=STEPS)
    assert [im.size for im in out.images] == [(64, 64)] * 2 and out.seeds == [1, 2]
    assert out.extra["layout_used"] is True
    assert out.extra["conditioning"] == "controlnet-sketch"
    import hashlib  # the sketch it was conditioned on comes back, and the record fingerprints it

    assert out.sketch.size == (64, 64)
    assert hashlib.sha256(out.sketch.tobytes()).hexdigest() == out.extra["sketch_sha256"]
    assert out.extra["controlnet"] == str(tiny["controlnet"].resolve())
    assert out.model["controlnet"]["files"]  # the ControlNet's weights are hashed too
    assert out.model["pipeline"] == "StableDiffusionControlNetPipeline"


def test_same_seed_same_pixels_and_the_sketch_matters(backend, layout, other_layout):
    a = backend.generate("a cat", seeds=[4], layout=layout, num_inference_steps=STEPS)
    b = backend.generate("a cat", seeds=[4], layout=layout, num_inference_steps=STEPS)
    c = backend.generate("a cat", seeds=[5], layout=layout, num_inference_steps=STEPS)
    d = backend.generate("a cat", seeds=[4], layout=other_layout, num_inference_steps=STEPS)
    assert pixels(a.images[0]) == pixels(b.images[0])
    assert pixels(a.images[0]) != pixels(c.images[0])
    assert a.extra["sketch_sha256"] != d.extra["sketch_sha256"]
    assert pixels(a.images[0]) != pixels(d.images[0])


def test_sketch_fills_object_boxes(layout):
    from limner.image.diffusers_controlnet import render_sketch

    im = render_sketch(layout, (64, 64))
    assert im.size == (64, 64) and im.mode == "RGB"
    cat = im.getpixel((16, 38))  # inside the cat's box
    corner = im.getpixel((62, 62))  # outside every box
    assert cat != corner


def test_conditioning_scale_option(backend, layout):
    a = backend.generate("a cat", seeds=[4], layout=layout, num_inference_steps=STEPS)
    b = backend.generate("a cat", seeds=[4], layout=layout, num_inference_steps=STEPS,
                         controlnet_conditioning_scale=0.0)
    assert b.extra["controlnet_conditioning_scale"] == 0.0
    assert pixels(a.images[0]) != pixels(b.images[0])


def test_controlnet_without_layout_runs_plain_and_says_so(backend):
    out = backend.generate("a cat", seeds=[0], num_inference_steps=1)
    assert out.extra["layout_used"] is False
    assert "controlnet not used" in out.notes[0]


def test_missing_controlnet_is_one_clear_line(tiny, layout):
    be = get_image_backend("diffusers", model=str(tiny["sd"]))
    with pytest.raises(ModelNotFoundError, match="controlnet path .*does not exist"):
        be.generate("a cat", seeds=[0], layout=layout, controlnet="/no/such/controlnet")
