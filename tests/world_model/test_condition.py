"""Layout → conditioning channels: what the world model is told to draw."""

import numpy as np

from limner.schema import Layout, SceneObject
from limner.models.condition import NUM_CHANNELS, layout_to_condition, out_of_world, square_box
from limner.world.vocab import COLORS


def _rgb(name):
    return np.array(COLORS[name], np.float32) / 127.5 - 1


def test_none_is_all_zeros():
    c = layout_to_condition(None, 32)
    assert c.shape == (NUM_CHANNELS, 32, 32) and c.dtype == np.float32 and not c.any()


def test_object_colour_mask_texture_and_background():
    lay = Layout(objects=[SceneObject(name="square", color="red", texture="striped", box=(0.0, 0.0, 0.5, 0.5))],
                 background="gradient sky to beige")
    c = layout_to_condition(lay, 32)
    assert np.allclose(c[0:3, 4, 4], _rgb("red"), atol=1e-5)  # inside the square
    assert c[3, 4, 4] == 1 and c[4, 4, 4] == 1 and c[5, 4, 4] == 0
    assert not c[0:6, 24, 24].any()  # outside: no object
    assert c[9].min() == 1  # background known
    assert np.allclose(c[6:9, 0, 0], np.array([150, 180, 200]) / 127.5 - 1, atol=0.05)  # sky at the top
    assert np.allclose(c[6:9, -1, 0], np.array([200, 185, 150]) / 127.5 - 1, atol=0.05)  # beige at the bottom


def test_unknown_background_leaves_background_channels_empty():
    lay = Layout(objects=[SceneObject(name="circle", color="blue", box=(0.2, 0.2, 0.6, 0.6))], background="plain")
    c = layout_to_condition(lay, 32)
    assert not c[6:].any() and c[3].max() == 1


def test_depth_order_nearer_object_covers():
    far = SceneObject(name="square", color="red", box=(0.1, 0.1, 0.6, 0.6), depth=0)
    near = SceneObject(name="square", color="blue", box=(0.3, 0.3, 0.9, 0.9), depth=1)
    for objs in ([far, near], [near, far]):  # list order must not matter
        c = layout_to_condition(Layout(objects=objs), 32)
        assert np.allclose(c[0:3, 14, 14], _rgb("blue"), atol=1e-5)  # overlap shows the nearer one
        assert np.allclose(c[0:3, 5, 5], _rgb("red"), atol=1e-5)


def test_out_of_world_objects_are_skipped_and_listed():
    cat = SceneObject(name="cat", color="black", box=(0.0, 0.0, 1.0, 1.0))
    ball = SceneObject(name="ball", color="green", box=(0.5, 0.5, 0.9, 0.9))  # synonym of circle
    lay = Layout(objects=[cat, ball, cat.model_copy()])
    c = layout_to_condition(lay, 32)
    assert c[3, 2, 2] == 0  # the cat is not painted
    assert np.allclose(c[0:3, 22, 22], _rgb("green"), atol=1e-5)
    assert out_of_world(lay) == ["cat"] and out_of_world(None) == []


def test_non_square_box_uses_largest_centred_square():
    assert np.allclose(square_box((0.0, 0.0, 1.0, 0.5)), (0.25, 0.0, 0.75, 0.5))
    lay = Layout(objects=[SceneObject(name="square", color="red", box=(0.0, 0.0, 1.0, 0.5))])
    c = layout_to_condition(lay, 32)
    assert c[3, 8, 16] == 1 and c[3, 8, 2] == 0 and c[3, 8, 29] == 0
