"""Region-preserving edits (edit.mask): the planner's edit region, the background matte, and the
sampler keeping every pixel outside the region byte for byte."""

from __future__ import annotations

import numpy as np
import pytest

from limner.edit.mask import changed_objects, feathered, keep_mask, object_matte, shape_region
from limner.models.edit_model import WEIGHTS_DIR
from limner.edit.sketch import detect_layout, plan_target
from limner.schema import Layout, SceneObject
from limner.world.detect import estimate_background
from limner.world.render import render_layout

SCENE = Layout(width=512, height=512, background="plain gray", objects=[
    SceneObject(name="circle", color="red", texture="solid", size="medium", box=(0.1, 0.35, 0.35, 0.6)),
    SceneObject(name="square", color="blue", texture="striped", size="medium", box=(0.6, 0.35, 0.85, 0.6)),
])


def _plan(instruction):
    img = render_layout(SCENE, 32)
    src = detect_layout(img)
    _, tgt, note = plan_target(src, instruction)
    assert tgt is not None, note
    return img, src, tgt


def test_changed_objects_are_only_the_edited_ones():
    _, src, tgt = _plan("make the circle green")
    ch = changed_objects(src, tgt)
    assert sorted((o.name, o.color) for o in ch) == [("circle", "green"), ("circle", "red")]
    _, src, tgt = _plan("remove the square")
    assert [(o.name, o.color) for o in changed_objects(src, tgt)] == [("square", "blue")]
    _, src, tgt = _plan("make the background sky")
    assert changed_objects(src, tgt) == []


def test_region_is_the_grown_silhouette_and_the_mask_ramps_around_it():
    sq = SceneObject(name="square", color="red", box=(0.5, 0.5, 0.75, 0.75))
    m = shape_region([sq], 32, 0)
    assert m[16:24, 16:24].all() and m.sum() <= 9 * 9  # (+ the rasterizer's inclusive edge)
    g = shape_region([sq], 32, 1)
    assert g[15:25, 16:24].all() and g[16:24, 15:25].all() and not g[:14].any()  # grown 1 px
    assert not shape_region([], 32, 1).any()
    k = feathered(shape_region([sq], 32, 0), 2)
    assert (k[16:24, 16:24] == 0).all() and k[0, 0] == 1
    assert 0 < k[15, 20] < k[14, 20] < 1 and k[13, 20] == 1  # ramps over 2 px, then kept


def test_object_edit_keeps_everything_outside_the_edited_object():
    img, src, tgt = _plan("make the circle green")
    keep, fill = keep_mask(img, src, tgt)
    assert keep.shape == (32, 32) and keep.min() == 0 and keep.max() == 1
    assert np.array_equal(fill, np.asarray(img, np.float32))
    assert keep[:, 24:].all()  # the square's side of the canvas is untouched
    assert not keep[13:18, 5:10].any()  # the circle is redrawn
    assert keep[0].all() and keep[-1].all()


def test_background_edit_mattes_the_objects():
    img, src, tgt = _plan("make the background sky")
    keep, fill = keep_mask(img, src, tgt)
    a = np.asarray(img, np.float32)
    assert keep[0].sum() == 0 and keep[-1].sum() == 0  # the background is redrawn
    assert (keep == 1).sum() > 40  # object interiors are kept ...
    assert np.allclose(fill[keep == 1], a[keep == 1])
    edge = (keep > 0.05) & (keep < 1)
    assert edge.any()  # ... and anti-aliased edges carry their object share
    # compositing the matte back over the old background gives the source again
    bg = estimate_background(a)[:, None, :]
    al, col = object_matte(img)
    back = al[..., None] * col + (1 - al[..., None]) * bg
    assert np.abs(back - a)[al > 0.05].max() < 4.0


def test_no_target_means_no_mask():
    img = render_layout(SCENE, 32)
    assert keep_mask(img, detect_layout(img), None) is None


@pytest.mark.skipif(not (WEIGHTS_DIR / "model.safetensors").is_file(), reason="edit weights not shipped")
def test_embedded_edit_keeps_the_unedited_pixels_exactly():
    from limner.edit.embedded import EmbeddedEditBackend

    img = render_layout(SCENE, 32)
    be = EmbeddedEditBackend()
    out = be.edit(img, "make the circle green", seeds=[0, 1], num_inference_steps=8)
    keep, _ = keep_mask(img, *_plan("make the circle green")[1:])
    a = np.asarray(img)
    for im in out.images:
        b = np.asarray(im)
        assert np.array_equal(b[keep == 1], a[keep == 1])
        assert not np.array_equal(b[keep == 0], a[keep == 0])  # the circle was redrawn
    assert out.extra["kept_fraction"] == pytest.approx(float(keep.mean()), abs=1e-4)
    free = be.edit(img, "make the circle green", seeds=[0], num_inference_steps=8, mask=False)
    assert free.extra["kept_fraction"] is None
    assert not np.array_equal(np.asarray(free.images[0])[keep == 1], a[keep == 1])


def test_a_move_near_the_border_is_planned_with_half_pixel_tighter_boxes():
    """Detected boxes include the anti-aliased edge; a move the real scene has room for must not be
    refused for that, and only the moved object may change."""
    from limner.edit.ops import EDIT_KINDS, edit_pair

    p = edit_pair(145, EDIT_KINDS[145 % len(EDIT_KINDS)])  # "slide the square to the right"
    assert p.op.kind == "move"
    img = render_layout(p.source, 32)
    src = detect_layout(img)
    _, tgt, note = plan_target(src, p.instruction)
    assert tgt is not None, note
    ch = changed_objects(src, tgt)
    assert [o.name for o in ch] == ["square", "square"]
    assert ch[1].box[0] > ch[0].box[0] + 0.1  # moved right
