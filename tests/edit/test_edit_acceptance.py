"""The issue's acceptance chain with the shipped embedded models, as a user types it:

    limner generate "a red circle left of a blue square" -o a/ --planner rules
    limner edit a/0000-0.png "make the circle green" -o b/
    limner world detect b/*.png --expect "a green circle left of a blue square"
"""

from __future__ import annotations

import json

import pytest
from PIL import Image

from limner.models.edit_model import WEIGHTS_DIR
from limner.records import read_record, sha256_file

pytestmark = pytest.mark.skipif(not (WEIGHTS_DIR / "model.safetensors").is_file(),
                                reason="edit weights not shipped")


def test_generate_edit_detect(tmp_path, limner_cli):
    a, b = tmp_path / "a", tmp_path / "b"
    code, out, err = limner_cli("generate", "a red circle left of a blue square", "-o", str(a),
                          "--planner", "rules", "-q")
    assert code == 0, err
    src = a / "0000-0.png"
    assert src.is_file()
    code, out, err = limner_cli("world", "detect", str(src), "--expect", "a red circle left of a blue square")
    assert code == 0, out + err

    code, out, err = limner_cli("edit", str(src), "make the circle green", "-o", str(b), "-q")
    assert code == 0, err
    assert out.split() == [str(b / "0000-0.png")]
    edited = b / "0000-0.png"
    with Image.open(edited) as im:
        assert im.size == (256, 256)
    with Image.open(b / "native" / "0000-0.png") as im:
        assert im.size == (32, 32)

    code, out, err = limner_cli("world", "detect", str(edited), "--expect", "a green circle left of a blue square")
    assert code == 0, out + err

    # the edited PNG's record names its source (hash) and the instruction
    rec = read_record(edited)
    assert rec.kind == "edit" and rec.seed == 0
    assert rec.extra["source_sha256"] == sha256_file(src)
    assert rec.extra["instruction"] == "make the circle green"
    assert rec.extra["planned_op"][0]["kind"] == "recolor" and rec.extra["planned_op"][0]["color"] == "green"
    assert rec.extra["edit_path"] == "rules" and rec.extra["unknown_words"] == []
    assert rec.image_guidance_scale == 1.0 and rec.guidance_scale == 1.0

    # same source, instruction and seed → the same bytes
    code, out, err = limner_cli("edit", str(src), "make the circle green", "-o", str(tmp_path / "c"), "-q")
    assert code == 0, err
    assert (tmp_path / "c" / "native" / "0000-0.png").read_bytes() == (b / "native" / "0000-0.png").read_bytes()
