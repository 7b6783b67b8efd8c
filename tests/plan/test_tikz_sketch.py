from pathlib import Path

import pytest
from PIL import Image

from limner.errors import InputError
from limner.plan import grounding, layout_to_tikz, parse_request, plan, render_sketch, tikz_to_layout, verify

DATA = Path(__file__).resolve().parents[1] / "data"


def test_example_balloons_satisfy_the_request():
    lay = tikz_to_layout((DATA / "tikz_balloons_car.tex").read_text())
    assert [(o.name, o.color) for o in lay.objects] == [("balloon", "red")] * 3 + [("car", "blue")]
    assert verify(lay, parse_request("three red balloons above a blue car")) == []
    assert all(o.polygon for o in lay.objects) and [o.depth for o in lay.objects] == [0, 1, 2, 3]


def test_example_shapes_transforms_scopes_and_colours():
    lay = tikz_to_layout((DATA / "tikz_shapes.tex").read_text())
    assert [(o.name, o.color) for o in lay.objects] == [
        ("triangle", "yellow"), ("square", "green"), ("star", "purple"), ("circle", "orange")]
    tri, sq = lay.objects[0], lay.objects[1]
    assert tri.box == pytest.approx((0.1, 0.1, 0.4, 0.4))  # scale=0.5 on a (0,0)-(20,20) canvas
    assert sq.box == pytest.approx((0.6, 0.1, 0.9, 0.4))  # shift={(12,12)} and ++(6,6)


def test_example_kitchen_outlines_and_named_coordinates():
    lay = tikz_to_layout((DATA / "tikz_kitchen.tex").read_text())
    assert [o.name for o in lay.objects] == ["dining table", "cup", "vase"]
    assert verify(lay, parse_request("a cup above a dining table")) == []


def test_layout_tikz_round_trip():
    res = plan("two red circles to the left of a blue square and a green star", planner="rules", seed=5)
    back = tikz_to_layout(layout_to_tikz(res.layout), width=512, height=512)
    assert [(o.name, o.color) for o in back.objects] == [(o.name, o.color) for o in res.layout.objects]
    for a, b in zip(back.objects, res.layout.objects):
        assert a.box == pytest.approx(b.box, abs=2e-3)
    assert verify(back, res.constraints) == []


@pytest.mark.parametrize("src,msg", [
    ("\\input{/etc/passwd}", "not in the supported"),
    ("\\write18{rm -rf /};", "not in the supported"),
    ("\\draw (0,0) arc (0:90:1);", "arc"),
    ("\\draw (0,0) -- (1+1,2);", "not a number"),
    ("\\draw (0,0) -- (1,1", "never closed"),
    ("\\draw[fill=notacolour] (0,0) rectangle (1,1);", "unknown colour"),
    ("\\draw (0,0) circle;", "radius"),
    ("hello world", "expected a command"),
    ("\\draw (0,0) -- (1e999,1);", "not a number"),
    ("", "no shapes"),
    ("\\draw (0,0) rectangle (1,1) \\fill (1,1) circle (1);", "missing ';'"),
    ("\\path (0,0) rectangle (1,1);", "no shapes"),
])
def test_bad_programs_are_clear_errors(src, msg):
    with pytest.raises(InputError, match=msg):
        tikz_to_layout(src)


def test_size_bounds():
    with pytest.raises(InputError, match="characters"):
        tikz_to_layout("%" * 200_001)
    many = "".join(f"\\fill ({i},0) rectangle ({i + 1},1);" for i in range(300))
    with pytest.raises(InputError, match="256"):
        tikz_to_layout(many)


def test_render_sketch_draws_colours_where_the_boxes_are():
    res = plan("a red circle to the left of a blue square", planner="rules")
    img = render_sketch(res.layout, size=(256, 256), labels=False)
    assert isinstance(img, Image.Image) and img.size == (256, 256)
    for o, rgb in zip(res.layout.objects, [(220, 30, 30), (30, 80, 220)]):
        cx, cy = o.center
        assert img.getpixel((int(cx * 255), int(cy * 255))) == rgb
    assert img.getpixel((2, 2)) == (255, 255, 255)
    outlined = render_sketch(res.layout, size=(128, 96), labels=True, filled=False)
    assert outlined.size == (128, 96)


def test_render_polygon_objects_and_bad_size():
    lay = tikz_to_layout((DATA / "tikz_shapes.tex").read_text())
    img = render_sketch(lay)
    assert img.size == (lay.width, lay.height)
    with pytest.raises(InputError):
        render_sketch(lay, size=(0, 10))


def test_grounding_tokens():
    res = plan("two red balloons above a blue car", planner="rules")
    phrases, boxes = grounding(res.layout)
    assert phrases == ["a red balloon", "a red balloon", "a blue car"]
    assert boxes == [o.box for o in res.layout.objects]
    _, px = grounding(res.layout, pixels=True)
    assert px[0][2] == pytest.approx(boxes[0][2] * 512)
