"""SUR triples: the simple prompt says one thing indirectly; held-out vocabulary is never trained on."""

import json
import re

import pytest

from limner.adapter.data import Triple, load_folder, world_triples
from limner.adapter.knowledge import CATEGORIES, COLOR_REFS, vocabulary
from limner.errors import InputError
from limner.world.vocab import COLORS, SHAPES


def test_every_category_and_split_gives_true_triples():
    for split in ("seen", "held"):
        ts = world_triples(20, split, seed_base=40_000)
        assert {t.category for t in ts} == set(CATEGORIES)
        for t in ts:
            lay = t.layout()
            words = t.simple.replace("-", " ").split()
            obj = lay.objects[0]
            if t.category == "colour":  # the colour is said by reference only
                assert not set(words) & set(COLORS), t.simple
                assert obj.color in t.complex.split()
            if t.category == "shape":
                assert not any(w.rstrip("s") in SHAPES for w in words), t.simple
                assert obj.name in t.complex
            if t.category == "counting":
                assert t.complex.split()[0] in ("a", "an", "two", "three", "four", "five", "six")


def test_held_out_vocabulary_is_disjoint_and_used_only_by_held_triples():
    seen, held = vocabulary("seen"), vocabulary("held")
    assert seen and held and not seen & held
    train = world_triples(200, "seen", plain_fraction=0.1)
    held_refs = [p for d in COLOR_REFS.values() for p, _ in d["held"]]
    assert not any(re.search(rf"\b{re.escape(r)}\b", t.simple) for t in train for r in held_refs)
    assert any(t.category == "plain" and t.simple == t.complex for t in train)


def test_same_seed_same_triples():
    assert world_triples(10, "held", seed=3) == world_triples(10, "held", seed=3)


def test_surd_folder_loader(tmp_path):
    from PIL import Image

    Image.new("RGB", (8, 8), (200, 10, 10)).save(tmp_path / "a.png")
    rows = [{"file_name": "a.png", "text": "a photo of a ball the colour of blood", "prompt": "red ball, 4k"}]
    (tmp_path / "metadata.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (t,) = load_folder(tmp_path)
    assert t == Triple("a photo of a ball the colour of blood", "red ball, 4k", "user", "seen", -1,
                       str(tmp_path / "a.png"))
    (tmp_path / "metadata.jsonl").write_text(json.dumps({"file_name": "a.png", "text": "x"}) + "\n")
    with pytest.raises(InputError, match="prompt"):
        load_folder(tmp_path)
    with pytest.raises(InputError, match="metadata.jsonl"):
        load_folder(tmp_path / "nowhere")


def test_judge_reads_the_stated_attribute_of_a_planned_layout():
    """Hand-written benchmark pairs are judged on the rules planner's layout of the complex prompt,
    which carries only what that prompt states (a texture without a size)."""
    from limner.adapter.judge import judge
    from limner.plan import plan
    from limner.world.render import render_layout

    striped = plan("a striped green square", planner="rules").layout
    solid = plan("a green square", planner="rules").layout
    simple = "a green square with lines running across it like a barcode"
    assert judge("size_texture", striped, simple, render_layout(striped, 64, supersample=2)).ok
    assert not judge("size_texture", striped, simple, render_layout(solid, 64, supersample=2)).ok
