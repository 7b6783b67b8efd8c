"""Self-correction and refinement with the shipped embedded world model (CPU, seconds)."""

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")
pytest.importorskip("diffusers")

PROMPT = "two red circles to the left of a blue square"
# text alone gets this one wrong at seed 0 (the stage-2 world model draws PROMPT right from text alone)
HARD_PROMPT = "three yellow stars above two purple hearts and a green diamond"


def _native(path):
    return np.asarray(Image.open(path.parent / "native" / path.name))


def test_correct_repairs_a_broken_image_and_holds_the_rest():
    from limner.correct import correct_image, get_detector
    from limner.plan import plan
    from limner.world.detect import detect
    from limner.world.render import render_layout
    from limner.world.score import score

    lay = plan(PROMPT, planner="rules").layout
    broken = lay.model_copy(update={"objects": [o for o in lay.objects if o.name != "square"],
                                    "background": "plain gray"})
    image = render_layout(broken, 32)
    fixed, rep = correct_image(image, request_prompt=PROMPT, layout=lay, seed=3, rounds=2,
                               detector=get_detector("world"))
    assert rep.ok_before is False and rep.ok_after is True and len(rep.rounds) >= 1
    from limner.correct.compare import request_spec

    assert score(detect(fixed), request_spec(PROMPT)[0]).ok
    # everything outside the redrawn regions is the original, byte for byte
    from limner.correct import region_mask

    m = np.zeros((32, 32), bool)
    for r in rep.rounds:
        m |= region_mask(r.regions, 32, 32)
    a, b = np.asarray(image), np.asarray(fixed)
    assert np.array_equal(a[~m], b[~m]) and not np.array_equal(a[m], b[m])


def test_generate_correct_leaves_correct_images_byte_identical(tmp_path, limner_cli):
    code, _, err = limner_cli("generate", PROMPT, "--planner", "rules", "-n", "2", "-o", str(tmp_path / "a"), "-q")
    assert code == 0, err
    code, _, err = limner_cli("generate", PROMPT, "--planner", "rules", "-n", "2", "-o", str(tmp_path / "b"), "-q",
                              "--correct")
    assert code == 0, err
    from limner.records import read_record

    for name in ("0000-0.png", "0001-1.png"):
        rep = read_record(tmp_path / "b" / name).extra["correction"]
        if rep["ok_before"]:
            assert rep["rounds"] == []
            assert np.array_equal(_native(tmp_path / "a" / name), _native(tmp_path / "b" / name))


def test_text_only_generation_is_corrected_recorded_and_replayable(tmp_path, limner_cli):
    from limner.records import read_record
    from limner.world.detect import detect
    from limner.world.score import score
    from limner.correct.compare import request_spec

    code, out, err = limner_cli("generate", HARD_PROMPT, "--planner", "rules", "--no-plan", "--correct", "--rounds", "2",
                                "-o", str(tmp_path / "t"), "-q")
    assert code == 0, err
    path = tmp_path / "t" / "0000-0.png"
    rep = read_record(path).extra["correction"]
    assert rep["ok_before"] is False and rep["rounds"] and rep["rounds"][0]["layout"]["objects"]
    assert rep["plan_source"] == "rules"
    assert score(detect(Image.open(path)), request_spec(HARD_PROMPT)[0]).ok == rep["ok_after"]
    code, _, err = limner_cli("generate", "--from", str(path), "-o", str(tmp_path / "again"), "-q")
    assert code == 0, err
    assert np.array_equal(_native(path), _native(tmp_path / "again" / "0000-0.png"))


def test_refine_changes_what_was_asked_keeps_the_rest_and_replays(tmp_path, limner_cli):
    from limner.records import read_record
    from limner.world.detect import detect

    code, _, err = limner_cli("generate", "a red circle to the left of a blue square", "--planner", "rules",
                              "-o", str(tmp_path / "0"), "-q")
    assert code == 0, err
    code, _, err = limner_cli("refine", str(tmp_path / "0" / "0000-0.png"),
                              "make the circle green and add a yellow star to its right", "-o", str(tmp_path / "1"))
    assert code == 0, err
    p1 = tmp_path / "1" / "0000-0.png"
    found = {(d.color, d.shape) for d in detect(Image.open(p1))}
    assert {("green", "circle"), ("blue", "square"), ("yellow", "star")} <= found
    rec = read_record(p1)
    chain = rec.extra["refine"]
    assert [r["round"] for r in chain] == [0, 1] and chain[1]["instruction"].startswith("make the circle")
    # the square was not in any redrawn region: its pixels are the original's
    from limner.correct import region_mask

    m = region_mask(chain[1]["regions"], 32, 32)
    for r in (chain[1].get("correction") or {}).get("rounds", []):
        m |= region_mask(r["regions"], 32, 32)
    a, b = _native(tmp_path / "0" / "0000-0.png"), _native(p1)
    assert np.array_equal(a[~m], b[~m])
    # a second round, then replay round 1 and the last round from the recipe alone
    code, _, err = limner_cli("refine", str(p1), "remove the square", "-o", str(tmp_path / "2"))
    assert code == 0, err
    p2 = tmp_path / "2" / "0000-0.png"
    code, _, err = limner_cli("refine", "--from", str(p2), "--round", "1", "-o", str(tmp_path / "r1"))
    assert code == 0, err
    assert np.array_equal(_native(p1), _native(tmp_path / "r1" / "0000-0.png"))
    code, _, err = limner_cli("refine", "--from", str(p2), "-o", str(tmp_path / "r2"))
    assert code == 0, err
    assert np.array_equal(_native(p2), _native(tmp_path / "r2" / "0000-0.png"))


def test_refine_says_what_it_did_not_understand(tmp_path, limner_cli):
    code, _, err = limner_cli("generate", "a red circle", "--planner", "rules", "-o", str(tmp_path / "0"), "-q")
    assert code == 0
    code, out, err = limner_cli("refine", str(tmp_path / "0" / "0000-0.png"), "make it dance", "-o", str(tmp_path / "1"))
    assert code == 2 and "make it dance" in err and "Traceback" not in err
    assert not (tmp_path / "1").exists() or not list((tmp_path / "1").glob("*.png"))
    code, _, err = limner_cli("generate", "a red circle", "--planner", "rules", "--no-plan", "-o", str(tmp_path / "np"), "-q")
    code, _, err = limner_cli("refine", str(tmp_path / "np" / "0000-0.png"), "make the circle blue", "-o", str(tmp_path / "2"))
    assert code == 2 and "no plan" in err


def test_correct_says_what_it_cannot_check(tmp_path, limner_cli):
    code, _, err = limner_cli("generate", "a cat next to a red circle", "--planner", "rules", "--correct",
                              "-o", str(tmp_path), "-q")
    assert code == 0, err
    assert "--correct: 'cat' is not something the detector knows" in err
    assert "--correct: relation 'next to' is not checked" in err
