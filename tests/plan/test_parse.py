import pytest

from limner.errors import InputError
from limner.plan import parse_request


def objs(prompt):
    return [(o.name, o.count, o.color) for o in parse_request(prompt).objects]


def rels(prompt):
    return [(r.subject, r.relation, r.target) for r in parse_request(prompt).relations]


def test_counts_colours_and_relation():
    c = parse_request("two red circles to the left of a blue square")
    assert objs(c.prompt) == [("circle", 2, "red"), ("square", 1, "blue")]
    assert rels(c.prompt) == [(0, "left of", 1)]


def test_colour_binding_per_object():
    assert objs("a red circle and two blue squares") == [("circle", 1, "red"), ("square", 2, "blue")]
    assert objs("a photo of a purple wine glass and a black apple") == [("wine glass", 1, "purple"), ("apple", 1, "black")]


def test_general_nouns_and_relation_per_group():
    assert objs("three red balloons above a blue car") == [("balloon", 3, "red"), ("car", 1, "blue")]
    assert rels("three red balloons above a blue car") == [(0, "above", 1)]


@pytest.mark.parametrize("prompt,name,count", [
    ("boxes", "box", 2), ("three mice", "mouse", 3), ("4 people", "person", 4),
    ("a photo of four microwaves", "microwave", 4), ("a photo of four broccolis", "broccoli", 4),
    ("a photo of two teddy bears", "teddy bear", 2), ("a photo of three hot dogs", "hot dog", 3),
    ("a photo of a skis", "skis", 1), ("seven knives", "knife", 7), ("a pair of shoes", "shoe", 2),
    ("a photo of an orange", "orange", 1), ("12 cherries", "cherry", 12),
])
def test_singular_and_count(prompt, name, count):
    assert objs(prompt) == [(name, count, None)]


def test_orange_as_colour():
    assert objs("an orange bus") == [("bus", 1, "orange")]


@pytest.mark.parametrize("phrase,rel", [
    ("left of", "left of"), ("to the right of", "right of"), ("above", "above"), ("below", "below"),
    ("on top of", "above"), ("under", "below"), ("next to", "next to"), ("in front of", "in front of"),
    ("behind", "behind"), ("beneath", "below"),
])
def test_relation_phrases(phrase, rel):
    assert rels(f"a cat {phrase} a dog") == [(0, rel, 1)]


def test_negation_and_background():
    c = parse_request("a large striped heart on a white background without a dog or cats")
    assert [(o.name, o.size, o.texture) for o in c.objects] == [("heart", "large", "striped")]
    assert c.excluded == ["dog", "cat"]
    assert "white background" in c.background


def test_chained_relations_keep_subject():
    assert rels("a cat to the left of a dog and above a bird") == [(0, "left of", 1), (0, "above", 2)]


def test_each_other():
    assert rels("a cat and a dog next to each other") == [(0, "next to", 1)]


def test_free_description_kept():
    c = parse_request("a photo of a dog in a park at sunset")
    assert objs(c.prompt) == [("dog", 1, None)]
    assert "park" in c.background and "photo" in c.description


@pytest.mark.parametrize("bad", ["", "   ", "x" * 1001])
def test_bad_requests(bad):
    with pytest.raises(InputError):
        parse_request(bad)


def test_object_cap():
    with pytest.raises(InputError, match="at most 16"):
        parse_request("100 cats")
    with pytest.raises(InputError, match="at most 16"):
        parse_request("ten cats and ten dogs")
    assert parse_request("sixteen cats").total == 16


def test_zero_means_excluded():
    c = parse_request("zero cats and a dog")
    assert objs(c.prompt) == [("dog", 1, None)] and c.excluded == ["cat"]
