"""The README's main job with the shipped world model, as a user types it (rules planner: no LLM):

    limner generate "three red circles above a blue square" -o out/
    limner world detect out/*.png --expect "three red circles above a blue square"
    limner info out/0000-0.png ; limner generate --from out/0000-0.png -o again/
"""

from __future__ import annotations

import json

import pytest
from PIL import Image

from limner.cli import main
from limner.image.embedded import WEIGHTS_DIR
from limner.records import read_record

pytestmark = pytest.mark.skipif(not (WEIGHTS_DIR / "model_index.json").is_file(),
                                reason="world weights not shipped")

PROMPT = "three red circles above a blue square"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "out"
    code = 0
    try:
        main(["generate", PROMPT, "-o", str(out), "--planner", "rules", "-n", "2", "--show-layout", "-q"])
    except SystemExit as e:
        code = e.code or 0
    assert code == 0
    return out


def test_images_follow_the_prompt(generated, limner_cli):
    files = sorted(p.name for p in generated.glob("*.png"))
    assert files == ["0000-0.png", "0001-1.png"]
    with Image.open(generated / "0000-0.png") as im:
        assert im.size == (256, 256)  # upscaled for viewing
    with Image.open(generated / "native" / "0000-0.png") as im:
        assert im.size == (32, 32)
    assert (generated / "layout" / "0000-0.png").is_file()
    # the detector finds three red circles above a blue square in the seed-0 image (the README's command)
    code, out, err = limner_cli("world", "detect", str(generated / "0000-0.png"), "--expect", PROMPT)
    assert code == 0, out + err
    assert "3 red circles" in out and "1 blue square" in out
    # and the detector is not a rubber stamp: the same image fails a different request
    code, out, _ = limner_cli("world", "detect", str(generated / "0000-0.png"), "--expect",
                        "three blue circles below a red square")
    assert code == 1


def test_record_info_and_from_reproduce_bytes(generated, tmp_path, limner_cli):
    rec = read_record(generated / "0001-1.png")
    assert rec.seed == 1 and rec.request["prompt"] == PROMPT
    assert rec.layout is not None and len(rec.layout.objects) == 4
    code, out, _ = limner_cli("info", str(generated / "0001-1.png"))
    assert code == 0 and json.loads(out)["seed"] == 1
    again = tmp_path / "again"
    code, out, err = limner_cli("generate", "--from", str(generated / "0001-1.png"), "-o", str(again), "-q")
    assert code == 0, err
    made = list(again.glob("*.png"))
    assert len(made) == 1
    assert made[0].read_bytes() == (generated / "0001-1.png").read_bytes()


def test_text_only_baseline_and_out_of_world_words(tmp_path, limner_cli):
    code, out, err = limner_cli("generate", "a cat on a red square", "--planner", "rules",
                          "-o", str(tmp_path / "cat"))
    assert code == 0, err
    assert "cannot draw: cat" in err and "--backend diffusers" in err
    assert (tmp_path / "cat" / "layout" / "0000-0.png").is_file()  # the sketch shows the whole plan
    code, out, err = limner_cli("generate", PROMPT, "--no-plan", "-o", str(tmp_path / "text"), "-q")
    assert code == 0, err
    rec = read_record(tmp_path / "text" / "0000-0.png")
    assert rec.layout is None and rec.request["plan"] is False
