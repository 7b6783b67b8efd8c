"""Scoring rules: relations on box centres, counts, colour binding, specs from layouts/prompts."""

import pytest

from limner.schema import Layout, SceneObject
from limner.world.detect import Detection
from limner.world.score import (RelationReq, Requirement, Spec, check_relation, match, relation_holds,
                                requirements_from_layout, score, spec_from_constraints, summarize)


def D(shape, color, box, texture="solid"):
    return Detection(shape=shape, color=color, texture=texture, box=box, area=0.05, score=1.0)


L, R = (0.0, 0.4, 0.2, 0.6), (0.7, 0.4, 0.9, 0.6)
T, B = (0.4, 0.0, 0.6, 0.2), (0.4, 0.7, 0.6, 0.9)


def test_relation_rule_compares_box_centres():
    assert relation_holds(L, "left of", R) and not relation_holds(R, "left of", L)
    assert relation_holds(R, "right of", L)
    assert relation_holds(T, "above", B) and relation_holds(B, "below", T)  # y grows downwards
    assert not relation_holds(T, "below", B)
    assert not relation_holds(L, "left of", (0.0, 0.0, 0.2, 0.2))  # same centre x: not left
    assert not relation_holds(L, "left of", R, margin=0.9)
    with pytest.raises(ValueError):
        relation_holds(L, "behind", R)


def test_counts_exact_at_least_fewer_than():
    dets = [D("circle", "red", L), D("circle", "red", R), D("circle", "blue", T)]
    exact = Requirement("circle", "red", 2)
    assert score(dets, Spec([exact])).ok
    assert not score(dets, Spec([Requirement("circle", "red", 3)])).ok
    assert score(dets, Spec([Requirement("circle", "red", 1, mode="at_least")])).ok
    assert not score(dets, Spec([Requirement("circle", None, 2)])).ok  # 3 circles, not 2
    assert score(dets, Spec([], exclusions=[Requirement("square", count=1, mode="fewer_than")])).ok
    assert not score(dets, Spec([], exclusions=[Requirement("circle", count=3, mode="fewer_than")])).ok


def test_present_colour_binding_and_failures():
    dets = [D("circle", "blue", L), D("square", "red", R)]
    s = score(dets, Spec([Requirement("circle", "red", 1), Requirement("star", "red", 1)]))
    r_circle, r_star = s.requirements
    assert r_circle.present and not r_circle.color_ok and not r_circle.ok  # colour bound to the square
    assert not r_star.present
    assert not s.ok and s.failures() == ["no red circle found", "no star found"]


def test_relation_requires_both_present_and_every_pair():
    a, b = Requirement("circle", "red", 2), Requirement("square", "blue", 1)
    rel = RelationReq(a, "left of", b)
    good = [D("circle", "red", L), D("circle", "red", T), D("square", "blue", R)]
    assert check_relation(good, rel).ok
    bad = good[:2] + [D("square", "blue", (0.45, 0.4, 0.55, 0.6))]  # T's centre is right of it
    assert check_relation(bad, rel).present and not check_relation(bad, rel).ok
    missing = check_relation(good[:2], rel)
    assert not missing.present and not missing.ok
    with pytest.raises(ValueError):
        RelationReq(a, "near", b)


def test_requirements_from_layout_and_summary():
    objs = [SceneObject(name="circle", color="red", box=(0.05, 0.4, 0.25, 0.6)),
            SceneObject(name="circle", color="red", box=(0.05, 0.05, 0.25, 0.25)),
            SceneObject(name="box", color="blue", box=(0.7, 0.4, 0.9, 0.6))]
    spec = requirements_from_layout(Layout(objects=objs))
    assert Requirement("circle", "red", 2) in spec.requirements
    assert Requirement("square", "blue", 1) in spec.requirements  # synonym mapped
    assert [r.rel for r in spec.relations] == ["left of"]
    dets = [D(o.name if o.name != "box" else "square", o.color, o.box) for o in objs]
    assert score(dets, spec).ok
    assert summarize(dets) == "2 red circles, 1 blue square"
    assert summarize([]) == "nothing"
    assert sorted(match(dets, objs)) == [(0, 0), (1, 1), (2, 2)]


def test_spec_from_parsed_prompt():
    parse_request = pytest.importorskip("limner.plan").parse_request
    spec, notes = spec_from_constraints(parse_request("two red circles left of a blue square and a cat"))
    assert Requirement("circle", "red", 2) in spec.requirements
    assert spec.relations and spec.relations[0].rel == "left of"
    assert any("cat" in n for n in notes)
