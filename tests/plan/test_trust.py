"""Trust by design (issue 12): a strong LLM's correct plan passes through unchanged; a wrong one is
still caught on the facts the reader understood; unsure facts are never enforced on an LLM."""

from limner.plan import plan
from limner.plan.fake_llm import ReplayLLM, constraints_from_metadata, corrupt, oracle_layout
from limner.plan.score import layout_correct
from limner.schema import Layout, SceneObject

META = {"prompt": "a scene with a cup on the left and a bird on the right", "tag": "position",
        "include": [{"class": "cup", "count": 1, "region": "left"},
                    {"class": "bird", "count": 1, "region": "right", "position": ["right of", 0]}]}


def boxes(layout):
    return [(o.name, o.color, tuple(round(v, 2) for v in o.box)) for o in layout.objects]


def test_correct_plan_passes_through_unchanged():
    good = oracle_layout(META)
    assert layout_correct(good, META)
    llm = ReplayLLM([good])
    res = plan(META["prompt"], llm=llm)
    assert res.plan_path == "llm" and res.check == "full" and res.llm_only_ok
    assert boxes(res.layout) == boxes(res.llm_layout) and layout_correct(res.layout, META)
    assert llm.calls[0].messages is not None  # it went through the chat boundary


def test_wrong_plan_is_caught_on_understood_facts():
    bad = corrupt(oracle_layout(META))  # mirrored: the cup on the right
    assert not layout_correct(bad, META)
    res = plan(META["prompt"], llm=ReplayLLM([bad]))
    assert not res.llm_only_ok and res.violations == [] and layout_correct(res.layout, META)


def test_unsure_facts_are_not_enforced_on_the_llm():
    # "glorp" is unknown: the clause is unsure, so the LLM's reading (cup RIGHT of the circle) stands
    llm_plan = Layout(objects=[SceneObject(name="circle", color="red", box=(0.1, 0.3, 0.4, 0.6)),
                               SceneObject(name="glorp", box=(0.6, 0.3, 0.9, 0.6))])
    res = plan("a glorp left of a red circle", llm=ReplayLLM([llm_plan]))
    assert res.check == "none" and boxes(res.layout) == boxes(res.llm_layout)
    assert [res.layout.objects[i].name for i in res.undrawable] == ["glorp"]


def test_embedded_path_skips_the_llm_when_fully_understood():
    llm = ReplayLLM([oracle_layout(META)], kind="base")
    res = plan("two red circles to the left of a blue square", llm=llm)
    assert res.plan_path == "rules" and llm.calls == [] and res.violations == []
    llm = ReplayLLM(['{"boxes":[[5,30,40,70],[55,30,95,70]]}'], kind="base")
    res = plan("a glorp to the left of a blue square", llm=llm)  # partly understood: the LLM places
    assert res.plan_path == "llm" and len(llm.calls) == 1 and res.check == "none"
    assert boxes(res.layout) == boxes(res.llm_layout)


def test_oracle_metadata_round_trip():
    c = constraints_from_metadata(META)
    assert [o.region for o in c.objects] == ["left", "right"] and c.relations[0].relation == "right of"


def test_drawable_layout_leaves_out_unknown_objects():
    res = plan("a glorp next to a red circle", planner="rules")
    assert [o.name for o in res.layout.objects] == ["glorp", "circle"]
    assert [o.name for o in res.drawable_layout().objects] == ["circle"]


def test_overlap_is_not_held_against_a_chat_llm():
    # "a cat on a sofa": a strong LLM overlaps the boxes, as the scene is; the request's facts hold
    llm_plan = Layout(objects=[SceneObject(name="cat", box=(0.35, 0.2, 0.65, 0.55)),
                               SceneObject(name="sofa", box=(0.1, 0.4, 0.9, 0.9))])
    res = plan("a cat on a sofa", llm=ReplayLLM([llm_plan]))
    assert res.llm_only_ok and boxes(res.layout) == boxes(res.llm_layout) and res.violations == []
