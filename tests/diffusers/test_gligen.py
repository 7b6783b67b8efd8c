"""Box-grounded generation (GLIGEN) through a tiny real gated-attention pipeline."""

from __future__ import annotations

import pytest
from conftest import STEPS, pixels

from limner.errors import InputError
from limner.image import get_image_backend
from limner.schema import Layout


@pytest.fixture(scope="module")
def backend(tiny):
    return get_image_backend("diffusers", model=str(tiny["gligen"]))


def test_grounded_images_and_record(backend, layout):
    out = backend.generate("a red cat and a blue ball", seeds=[1, 2], layout=layout,
                           num_inference_steps=STEPS)
    assert [im.size for im in out.images] == [(64, 64)] * 2 and out.seeds == [1, 2]
    assert out.extra["gligen"] is True and out.extra["layout_used"] is True
    assert out.extra["gligen_phrases"] == ["red cat", "small blue ball"]
    assert out.extra["gligen_scheduled_sampling_beta"] == 0.3
    assert out.model["pipeline"] == "StableDiffusionGLIGENPipeline"


def test_same_seed_same_pixels_and_the_boxes_matter(backend, layout, other_layout):
    kw = dict(num_inference_steps=STEPS, gligen_scheduled_sampling_beta=1.0)
    a = backend.generate("a cat", seeds=[4], layout=layout, **kw)
    b = backend.generate("a cat", seeds=[4], layout=layout, **kw)
    c = backend.generate("a cat", seeds=[5], layout=layout, **kw)
    d = backend.generate("a cat", seeds=[4], layout=other_layout, **kw)
    assert pixels(a.images[0]) == pixels(b.images[0])
    assert pixels(a.images[0]) != pixels(c.images[0])
    assert pixels(a.images[0]) != pixels(d.images[0])


def test_gligen_model_next_to_a_base_model(tiny, layout):
    be = get_image_backend("diffusers", model=str(tiny["sd"]))
    out = be.generate("a cat", seeds=[0], layout=layout, num_inference_steps=1,
                      gligen=str(tiny["gligen"]))
    assert out.model["id"] == str(tiny["gligen"].resolve())
    assert out.model["base"]["id"] == str(tiny["sd"].resolve())


def test_empty_layout_runs_ungrounded_and_says_so(backend):
    out = backend.generate("a cat", seeds=[0], layout=Layout(), num_inference_steps=1)
    assert out.extra["gligen_phrases"] == [] and out.extra["gligen_scheduled_sampling_beta"] == 0
    assert "without grounding" in out.notes[0]


@pytest.mark.parametrize("kwargs, words", [
    ({"layout": None}, "needs a layout"),
    ({"gligen_scheduled_sampling_beta": 2.0}, "must be in [0, 1]"),
    ({"controlnet": "/some/controlnet"}, "not both"),
])
def test_bad_arguments(backend, layout, kwargs, words):
    call = {"seeds": [0], "num_inference_steps": 1, "layout": layout, **kwargs}
    with pytest.raises(InputError) as exc:
        backend.generate("a cat", **call)
    assert words in str(exc.value)


def test_plain_model_is_not_taken_for_a_gligen_one(tiny, layout):
    be = get_image_backend("diffusers", model=str(tiny["sd"]), gligen=True)
    with pytest.raises(InputError, match="not a GLIGEN pipeline"):
        be.generate("a cat", seeds=[0], layout=layout, num_inference_steps=1)
