"""The exact detector on rendered world scenes: clean, degraded, upscaled, empty."""

import numpy as np
import pytest
from PIL import Image

from limner.schema import Layout, SceneObject
from limner.world.corpus import sample_scene
from limner.world.detect import Detection, detect, working_array
from limner.world.detect_train import degrade
from limner.world.render import render_layout
from limner.world.score import match
from limner.world.vocab import COLORS, TEXTURES


def _tally(n, size, seed0=0, degrade_rng=None):
    objs = right = scenes_ok = 0
    for s in range(seed0, seed0 + n):
        layout = sample_scene(s)
        img = render_layout(layout, size)
        if degrade_rng is not None:
            img = np.clip(degrade(np.asarray(img, np.float32), degrade_rng) + 0.5, 0, 255).astype(np.uint8)
        dets = detect(img)
        pairs = match(dets, layout.objects)
        good = sum(dets[i].shape == layout.objects[j].name and dets[i].color == layout.objects[j].color
                   for i, j in pairs)
        objs += len(layout.objects)
        right += good
        scenes_ok += good == len(layout.objects) == len(dets)
    return right / objs, scenes_ok / n


def test_rendered_scenes_32px_per_object_accuracy():
    obj, scene = _tally(150, 32)
    assert obj >= 0.99, obj
    assert scene >= 0.96, scene


def test_rendered_scenes_48px():
    obj, scene = _tally(40, 48, seed0=500)
    assert obj >= 0.99 and scene >= 0.95, (obj, scene)


def test_degraded_images_like_generated_ones():
    obj, _ = _tally(60, 32, seed0=1000, degrade_rng=np.random.default_rng(0))
    assert obj >= 0.93, obj


def test_upscaled_viewing_copy_gives_same_result():
    for s in range(5):
        img = render_layout(sample_scene(s), 32)
        big = img.resize((256, 256), Image.NEAREST)
        assert working_array(big).shape == (32, 32, 3)
        assert detect(big) == detect(img)


def test_array_inputs_match_pil():
    img = render_layout(sample_scene(7), 32)
    a = np.asarray(img)
    assert detect(a) == detect(img)
    assert detect(a.astype(np.float32) / 255.0) == detect(img)


@pytest.mark.parametrize("bg", ["plain gray", "plain beige", "gradient sky to mint", "gradient gray to beige"])
def test_empty_background_has_no_objects(bg):
    img = render_layout(Layout(objects=[], background=bg), 32)
    assert detect(img) == []
    noisy = np.asarray(img, np.float32) + np.random.default_rng(0).normal(0, 5, (32, 32, 3))
    assert detect(np.clip(noisy, 0, 255).astype(np.uint8)) == []


# Known blind spot (palette): black's tint and white's shade lie on the grey axis, and so does the
# gray background, so a striped/dotted black or white object on gray is ambiguous pixel by pixel.
AMBIGUOUS = {("black", "striped", "plain gray"), ("black", "dotted", "plain gray"),
             ("white", "striped", "plain gray"), ("white", "dotted", "plain gray")}


@pytest.mark.parametrize("color", list(COLORS))
def test_each_colour_and_texture_maps_back_to_the_base_colour(color):
    for texture in TEXTURES:
        obj = SceneObject(name="square", color=color, texture=texture, box=(0.2, 0.2, 0.8, 0.8))
        for bg in ("plain gray", "plain beige"):
            if (color, texture, bg) in AMBIGUOUS:
                continue
            dets = detect(render_layout(Layout(objects=[obj], background=bg), 48))
            assert [(d.shape, d.color, d.texture) for d in dets] == [("square", color, texture)], (bg, dets)


def test_detection_record():
    obj = SceneObject(name="circle", color="red", box=(0.1, 0.5, 0.4, 0.8))
    (d,) = detect(render_layout(Layout(objects=[obj], background="plain gray"), 32))
    assert isinstance(d, Detection) and d.shape == "circle" and d.color == "red"
    assert np.allclose(d.box, obj.box, atol=1.5 / 32)
    assert 0 < d.score <= 1 and abs(d.area - np.pi * 0.15 ** 2) < 0.02
    assert d.phrase() == "red circle"
