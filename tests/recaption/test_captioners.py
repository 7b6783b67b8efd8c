"""The world captioner says what holds of a scene; the blend picks the training caption by seed."""

import numpy as np
import pytest

from limner.recaption.blend import choose
from limner.recaption.fidelity import all_true, caption_facts, precision_recall, scene_facts, short_facts
from limner.recaption.world import WorldCaptioner
from limner.recaption.wording import descriptive_caption
from limner.world.corpus import sample_scene
from limner.world.render import render_layout


def test_reader_reads_true_descriptions_exactly():
    # the fidelity reader recovers every fact from a description written from the true layout
    for seed in range(4_100_000, 4_100_040):
        lay = sample_scene(seed)
        assert caption_facts(descriptive_caption(lay)) == scene_facts(lay), descriptive_caption(lay)


def test_world_captions_are_faithful_and_styles_differ():
    cap = WorldCaptioner()
    tot_d, tot_s = np.zeros(4), np.zeros(4)
    failed = 0
    for seed in range(4_200_000, 4_200_030):
        lay = sample_scene(seed)
        res = cap.caption(render_layout(lay, 64, supersample=2), None, short=True, descriptive=True, seed=0)
        if res.status == "failed":  # an unsure reading is refused, not guessed
            assert "unsure reading" in res.reason
            failed += 1
            continue
        assert "background" in res.descriptive and "background" not in res.short
        truth = scene_facts(lay)
        tot_d += precision_recall(caption_facts(res.descriptive), all_true(lay), truth)
        tot_s += precision_recall(caption_facts(res.short), all_true(lay), short_facts(truth))
        assert not {f[0] for f in caption_facts(res.short)} - {"object", "count"}
    assert failed <= 3
    assert tot_d[0] / tot_d[1] >= 0.95 and tot_d[2] / tot_d[3] >= 0.95
    assert tot_s[0] / tot_s[1] >= 0.95 and tot_s[2] / tot_s[3] >= 0.95


def test_blank_image_is_a_failed_row():
    from PIL import Image

    res = WorldCaptioner().caption(Image.new("RGB", (32, 32), (170, 170, 170)), None, short=True,
                                   descriptive=True, seed=0)
    assert res.status == "failed" and "no world object" in res.reason


def test_blend_ratio_is_seeded_and_per_row():
    kw = dict(mix=0.95, style="both", original="alt", short="s", descriptive="d")
    picks = [choose(seed=3, row_id=f"r{i}", **kw)[1] for i in range(2000)]
    share = picks.count("descriptive") / len(picks)
    assert 0.93 <= share <= 0.97 and set(picks) == {"descriptive", "original"}
    assert picks == [choose(seed=3, row_id=f"r{i}", **kw)[1] for i in range(2000)]
    assert picks != [choose(seed=4, row_id=f"r{i}", **kw)[1] for i in range(2000)]
    assert choose(seed=0, row_id="x", mix=1.0, style="short", original="alt", short="s", descriptive=None) == ("s", "short")
    # no original caption: the synthetic one is used; a failed row trains on nothing
    assert choose(seed=0, row_id="x", mix=0.0, style="both", original="", short="s", descriptive="d") == ("d", "descriptive")
    assert choose(seed=0, row_id="x", mix=0.5, style="both", original="a", short=None, descriptive=None) == (None, "")


def test_alt_text_is_poor_on_purpose():
    from limner.recaption.alt_text import alt_text

    stated, true = 0, 0
    for seed in range(4_300_000, 4_300_200):
        lay = sample_scene(seed)
        alt = alt_text(lay, np.random.default_rng([seed, 17]))
        words = alt.split()
        assert not {"left", "right", "above", "below", "striped", "dotted", "plain", "gradient"} & set(words)
        assert not {"two", "three", "four", "five", "six"} & set(words)
        true += len(scene_facts(lay))
        stated += len(caption_facts(alt) & scene_facts(lay))
    assert stated / true < 0.35  # alt-text states a small part of what holds


def test_unknown_captioner_and_style(tmp_path):
    from limner.errors import InputError
    from limner.recaption import get_captioner, recaption
    from limner.recaption.sources import world_items

    with pytest.raises(InputError, match="known: openai, rewrite, world"):
        get_captioner("blip")
    with pytest.raises(InputError, match="--style"):
        recaption(world_items(2), out=tmp_path / "o", captioner=WorldCaptioner(), style="long")


def test_wording_counts_past_ten():
    from limner.recaption.wording import short_caption
    from limner.schema import Layout, SceneObject

    objs = [SceneObject(name="circle", color="red", box=(0.05 * i, 0.0, 0.05 * i + 0.04, 0.04)) for i in range(12)]
    assert short_caption(Layout(objects=objs)) == "12 red circles"
