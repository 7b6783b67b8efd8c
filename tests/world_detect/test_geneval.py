"""GenEval metadata → world vocabulary (format, tag, colours, counts, positions kept)."""

import json

import pytest

from limner.evaluate.geneval import (CLASS_TO_SHAPE, class_to_shape, convert_file, metadata_path,
                                  read_metadata, spec_from_metadata, world_metadata)
from limner.world.vocab import SHAPES

LINES = [
    {"tag": "position", "include": [{"class": "teddy bear", "count": 1},
                                    {"class": "dog", "count": 1, "position": ["right of", 0]}],
     "prompt": "a photo of a dog right of a teddy bear"},
    {"tag": "counting", "include": [{"class": "clock", "count": 2}],
     "exclude": [{"class": "clock", "count": 3}], "prompt": "a photo of two clocks"},
    {"tag": "color_attr", "include": [{"class": "dining table", "count": 1, "color": "yellow"},
                                      {"class": "dog", "count": 1, "color": "pink"}],
     "prompt": "a photo of a yellow dining table and a pink dog"},
]


def test_world_metadata_keeps_tag_colours_counts_positions():
    pos, cnt, col = (world_metadata(m) for m in LINES)
    # dog and teddy bear both map to heart: the second takes the next free shape
    assert [e["class"] for e in pos["include"]] == ["heart", "diamond"]
    assert pos["include"][1]["position"] == ["right of", 0]
    assert pos["prompt"] == "a photo of a diamond right of a heart" and pos["tag"] == "position"
    assert cnt["prompt"] == "a photo of two circles" and cnt["exclude"][0] == {
        "class": "circle", "count": 3, "geneval_class": "clock"}
    assert col["prompt"] == "a photo of a yellow square and a pink heart"
    assert col["geneval_prompt"] == LINES[2]["prompt"]


def test_spec_from_metadata_uses_geneval_semantics():
    spec = spec_from_metadata(LINES[0])
    a, b = spec.requirements
    assert (a.shape, b.shape, a.mode) == ("heart", "diamond", "at_least")
    assert spec.relations[0].a == b and spec.relations[0].rel == "right of" and spec.relations[0].b == a
    spec2 = spec_from_metadata(LINES[1])
    assert spec2.exclusions[0].mode == "fewer_than" and spec2.exclusions[0].count == 3
    # the world record gives the same spec
    assert spec_from_metadata(world_metadata(LINES[0])).requirements == spec.requirements


def test_every_class_maps_deterministically():
    assert set(CLASS_TO_SHAPE.values()) == set(SHAPES)
    assert class_to_shape("Teddy Bear") == "heart" and class_to_shape("star") == "star"
    with pytest.raises(ValueError):
        class_to_shape("unicorn")


def test_convert_shared_geneval_file(tmp_path):
    src = metadata_path()
    if src is None:
        pytest.skip("GenEval metadata not available (../shared or $LIMNER_GENEVAL)")
    n = convert_file(src, tmp_path / "world.jsonl")
    rows = [json.loads(x) for x in (tmp_path / "world.jsonl").read_text().splitlines()]
    orig = list(read_metadata(src))
    assert n == len(rows) == len(orig) == 553
    for r, o in zip(rows, orig):
        assert r["tag"] == o["tag"] and len(r["include"]) == len(o["include"])
        assert all(e["class"] in SHAPES for e in r["include"])
        shapes = {e["class"] for e in r["include"]}
        assert len(shapes) == len({e["class"] for e in o["include"]})  # distinct stay distinct
        for e, f in zip(r["include"], o["include"]):
            assert (e["count"], e.get("color"), e.get("position")) == (f["count"], f.get("color"), f.get("position"))
