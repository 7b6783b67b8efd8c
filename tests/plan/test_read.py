"""The request reader (issue 12): every word accounted for, the grammar families people type."""

import pytest

from limner.errors import InputError
from limner.plan import parse_request, plan
from limner.plan.score import layout_correct


def objs(prompt):
    return [(o.count, o.color, o.name) for o in parse_request(prompt).objects]


def rels(prompt):
    return [(r.subject, r.relation, r.target) for r in parse_request(prompt).relations]


def test_acceptance_two_squares_all_red():
    assert objs("two squares, all of them red") == [(2, "red", "square")]
    assert parse_request("two squares, all of them red").reading.complete


def test_acceptance_cup_left_bird_right():
    res = plan("a scene with a cup on the left and a bird on the right", planner="rules")
    cup, bird = res.layout.objects
    assert (cup.name, bird.name) == ("cup", "bird") and cup.center[0] < bird.center[0]
    assert res.constraints.reading.complete  # "scene", "left", "right" are not objects


def test_acceptance_star_between_triangles():
    res = plan("a purple star between two green triangles", planner="rules")
    star = [o for o in res.layout.objects if o.name == "star"]
    tris = [o for o in res.layout.objects if o.name == "triangle"]
    assert len(star) == 1 and star[0].color == "purple" and len(tris) == 2
    assert all(t.color == "green" for t in tris)
    xs = sorted(t.center[0] for t in tris)
    assert xs[0] < star[0].center[0] < xs[1]


def test_acceptance_unknown_word_is_named_and_not_drawn():
    c = parse_request("a glorp next to a red circle")
    assert c.reading.unknown == ["glorp"] and c.reading.summary() == "not understood: glorp"
    glorp = c.objects[0]
    assert glorp.name == "glorp" and not glorp.drawable and not glorp.sure
    res = plan("a glorp next to a red circle", planner="rules")
    assert [res.layout.objects[i].name for i in res.undrawable] == ["glorp"]


@pytest.mark.parametrize("prompt,want", [
    ("a circle that is brown and a heart that is orange", [(1, "brown", "circle"), (1, "orange", "heart")]),
    ("four diamonds, each of them green", [(4, "green", "diamond")]),
    ("three hearts which are black", [(3, "black", "heart")]),
    ("a triangle coloured purple", [(1, "purple", "triangle")]),
    ("a car painted yellow", [(1, "yellow", "car")]),
    ("hearts, three of them, colored orange", [(3, "orange", "heart")]),
    ("five stars, two of them red", [(3, None, "star"), (2, "red", "star")]),
    ("please show exactly four red diamonds", [(4, "red", "diamond")]),
    ("a pair of blue triangles", [(2, "blue", "triangle")]),
    ("a couple of dogs", [(2, None, "dog")]),
    ("a dozen circles", [(12, None, "circle")]),
    ("a trio of pink stars", [(3, "pink", "star")]),
    ("2 circles and 1 triangle", [(2, None, "circle"), (1, None, "triangle")]),
    ("a red, a green and a blue circle", [(1, "red", "circle"), (1, "green", "circle"), (1, "blue", "circle")]),
    ("three hearts: red, white and blue", [(1, "red", "heart"), (1, "white", "heart"), (1, "blue", "heart")]),
    ("an orange and a banana", [(1, None, "orange"), (1, None, "banana")]),
    ("a photo of an orange potted plant", [(1, "orange", "potted plant")]),
])
def test_relative_clauses_counts_and_lists(prompt, want):
    assert objs(prompt) == want
    assert parse_request(prompt).reading.complete


@pytest.mark.parametrize("prompt,want", [
    ("a big yellow circle with a small black square on top", [(1, "above", 0)]),
    ("There is a red circle. Below it, there is a blue square.", [(1, "below", 0)]),
    ("a green circle, and to its right a yellow square", [(1, "right of", 0)]),
    ("the diamond sits above the triangle", [(0, "above", 1)]),
    ("a red circle inside a blue square", [(0, "inside", 1)]),
    ("a small star within a big circle", [(0, "inside", 1)]),
    ("from left to right: a red circle, a blue square and a green star", [(0, "left of", 1), (1, "left of", 2)]),
    ("a cat to the left of a dog and above a bird", [(0, "left of", 1), (0, "above", 2)]),
])
def test_relations(prompt, want):
    assert rels(prompt) == want


def test_regions_and_frames_are_not_objects():
    c = parse_request("in the top left corner, a red heart; at the bottom of the picture a blue star")
    assert [(o.name, o.region) for o in c.objects] == [("heart", "top-left"), ("star", "bottom")]
    for prompt in ("an image showing a red star in the middle", "draw me a heart please",
                   "a realistic photo of a scene with two dogs"):
        names = {o.name for o in parse_request(prompt).objects}
        assert not names & {"image", "scene", "photo", "middle", "top", "please", "draw", "them"}


def test_negation():
    c = parse_request("three black hearts and not a single star, without any circles")
    assert objs(c.prompt) == [(3, "black", "heart")] and c.excluded == ["star", "circle"]


def test_between_two_named_objects_and_inside_plan():
    res = plan("a circle between a square and a star", planner="rules")
    meta = {"include": [{"class": "square", "count": 1}, {"class": "star", "count": 1},
                        {"class": "circle", "count": 1, "position": ["between", [0, 1]]}]}
    assert res.violations == [] and layout_correct(res.layout, meta)
    res = plan("a red circle inside a blue square", planner="rules")
    meta = {"include": [{"class": "square", "count": 1, "color": "blue"},
                        {"class": "circle", "count": 1, "color": "red", "position": ["inside", 0]}]}
    assert res.violations == [] and layout_correct(res.layout, meta)


def test_self_correction_makes_the_reading_unsure():
    c = parse_request("a vase on top of a table... no, on top of a book")
    assert not c.reading.complete and not any(o.sure for o in c.objects)


def test_coverage_and_nothing_understood():
    c = parse_request("a red zorbly star")
    assert c.reading.unknown == ["zorbly"] and 0 < c.reading.coverage < 1
    with pytest.raises(InputError, match="understood nothing"):
        plan("blorp zzz qux", planner="rules")


def test_a_scene_without_something_is_an_empty_plan():
    res = plan("A realistic photo of a scene without an aeroplane")  # the default path
    assert res.layout.objects == [] and res.constraints.excluded == ["aeroplane"] and res.plan_path == "rules"


def test_ordinals_reciprocals_and_adverbs():
    assert sorted(objs("three squares: the first is red, the second is green, the third is blue"), key=str) == \
        sorted([(1, "red", "square"), (1, "green", "square"), (1, "blue", "square")], key=str)
    c = parse_request("2 black stars next to each other?")
    assert objs(c.prompt) == [(2, "black", "star")] and c.objects[0].arrangement == "row" and c.reading.complete
    assert rels("a blue circle partially covered by a green square") == [(0, "behind", 1)]


def test_diagonal_and_middle_relations():
    res = plan("a heart to the upper left of a star", planner="rules")
    assert sorted(r.relation for r in res.constraints.relations) == ["above", "left of"] and res.violations == []
    assert rels("a tiny pink circle in the center of a huge blue square") == [(0, "inside", 1)]
    assert rels("a dog in the middle of two cats") == [(0, "between", 1)]
    assert rels("A white triangle and, below it, a black diamond") == [(1, "below", 0)]


def test_typos_are_reported_with_a_hint_never_applied():
    c = parse_request("a red cirlce next to a bleu square")
    assert c.reading.unknown == ["cirlce", "bleu"] and not c.reading.complete
    assert "did you mean 'circle' for 'cirlce'" in c.reading.summary()
    assert [o.name for o in c.objects][0] == "cirlce"  # reported, not guessed
