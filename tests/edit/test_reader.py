"""The edit-instruction reader and planner on scenes a user would edit (no model, no torch)."""

from __future__ import annotations

import pytest

from limner.edit.apply import plan_steps
from limner.edit.reader import read_instruction
from limner.schema import Layout, SceneObject

SIDE = {"small": 0.22, "medium": 0.30, "large": 0.38}


def scene(*objs, bg="plain gray") -> Layout:
    out = []
    for name, color, size, x, y, *tex in objs:
        s = SIDE[size]
        out.append(SceneObject(name=name, color=color, size=size, texture=tex[0] if tex else "solid",
                               box=(x - s / 2, y - s / 2, x + s / 2, y + s / 2)))
    return Layout(width=512, height=512, objects=out, background=bg)


# the README main job's picture: three red circles above a blue square
MAIN = scene(("circle", "red", "small", 0.2, 0.25), ("circle", "red", "small", 0.5, 0.25),
             ("circle", "red", "small", 0.8, 0.25), ("square", "blue", "medium", 0.5, 0.72))
STARS = scene(("star", "orange", "small", 0.17, 0.5, "striped"), ("star", "orange", "small", 0.5, 0.5),
              ("star", "orange", "small", 0.83, 0.5), bg="plain beige")
CROWD = scene(("circle", "red", "small", 0.18, 0.18), ("square", "blue", "small", 0.5, 0.18),
              ("star", "green", "small", 0.82, 0.18), ("triangle", "yellow", "small", 0.18, 0.8),
              ("heart", "purple", "small", 0.82, 0.8))


def plan(layout, text):
    return plan_steps(layout, read_instruction(text))


def names(layout):
    return sorted(f"{o.color} {o.name}" for o in layout.objects)


def test_every_word_gets_a_role_and_unknown_words_are_named():
    r = read_instruction("could you please make the leftmost circle green")
    assert all(w.role != "unknown" for w in r.words) and r.refusal is None
    roles = {w.word: w.role for w in r.words}
    assert roles["make"] == "verb" and roles["leftmost"] == "selector" and roles["green"] == "attribute"
    r = read_instruction("make it look like a painting")
    assert r.unknown == ["look", "painting"] and "'painting'" in r.refusal


@pytest.mark.parametrize("text,expect", [
    ("remove one circle", ["blue square", "red circle", "red circle"]),
    ("delete one of the circles", ["blue square", "red circle", "red circle"]),
    ("turn the square into a triangle", ["blue triangle", "red circle", "red circle", "red circle"]),
    ("make the square green and remove a circle", ["green square", "red circle", "red circle"]),
    ("get rid of all the circles", ["blue square"]),
    ("i only want two circles", ["blue square", "red circle", "red circle"]),
    ("make the square and the leftmost circle green", ["green circle", "green square", "red circle", "red circle"]),
    ("change the number of circles from three to one", ["blue square", "red circle"]),
    ("make 2 of the circles yellow", ["blue square", "red circle", "yellow circle", "yellow circle"]),
    ("make everything green but not the square", ["blue square", "green circle", "green circle", "green circle"]),
    ("remove everything except the square", ["blue square"]),
    ("don't touch the square, just make the circles blue", ["blue circle", "blue circle", "blue circle", "blue square"]),
])
def test_what_people_say_on_the_main_picture(text, expect):
    p = plan(MAIN, text)
    assert p.refusal is None, p.refusal
    assert names(p.target) == expect


def test_selectors_pick_the_object_meant():
    p = plan(MAIN, "make the leftmost circle yellow")
    assert [o.color for o in p.target.objects[:3]] == ["yellow", "red", "red"]
    p = plan(MAIN, "delete the circle on the right")
    assert [round(o.center[0], 2) for o in p.target.objects if o.name == "circle"] == [0.2, 0.5]
    p = plan(STARS, "make the second star green")
    assert [o.color for o in p.target.objects] == ["orange", "green", "orange"]
    p = plan(STARS, "remove the striped star")
    assert [o.texture for o in p.target.objects] == ["solid", "solid"]


def test_remove_the_pattern_makes_it_solid_and_keeps_the_object():
    p = plan(STARS, "remove the pattern from the star")
    assert p.refusal is None and [o.texture for o in p.target.objects] == ["solid"] * 3


def test_from_a_to_b_takes_the_last_colour_and_scale_down_is_size():
    two = scene(("square", "orange", "medium", 0.3, 0.3), ("heart", "pink", "large", 0.7, 0.7))
    p = plan(two, "change the square from orange to green")
    assert p.target.objects[0].color == "green"
    p = plan(two, "scale the heart down")
    assert p.target.objects[1].box[2] - p.target.objects[1].box[0] < 0.36
    assert abs(p.target.objects[1].center[1] - 0.7) < 0.05  # resized, not moved


def test_swap_and_relative_add():
    two = scene(("square", "orange", "medium", 0.3, 0.3), ("triangle", "green", "medium", 0.7, 0.7))
    p = plan(two, "swap the square and the triangle")
    sq, tri = p.target.objects
    assert abs(sq.center[0] - 0.7) < 0.02 and abs(tri.center[0] - 0.3) < 0.02
    p = plan(two, "add a small blue circle to the right of the square")
    new = p.target.objects[-1]
    assert (new.name, new.color) == ("circle", "blue") and new.center[0] > 0.45 and abs(new.center[1] - 0.3) < 0.22
    p = plan(CROWD, "add a white diamond in the middle")
    new = p.target.objects[-1]
    assert new.name == "diamond" and abs(new.center[0] - 0.5) < 0.15 and abs(new.center[1] - 0.5) < 0.15


def test_add_fits_a_smaller_object_where_the_asked_size_has_no_room():
    p = plan(CROWD, "add a large orange circle")
    assert p.refusal is None and len(p.target.objects) == 6


@pytest.mark.parametrize("text,needle", [
    ("make it night", "'night'"),
    ("add a dog", "cannot add 'dog'"),
    ("put a hat on the diamond", "'hat'"),
    ("remove the purple star", "there is no purple star"),
    ("make the circle green", "ambiguous"),
    ("add seven more circles", "at most 7"),
])
def test_refusals_are_one_line_naming_why(text, needle):
    p = plan(MAIN, text)
    assert p.target is None and p.refusal and "\n" not in p.refusal
    assert needle in p.refusal, p.refusal
    if "ambiguous" in needle or "no purple" in needle:
        assert "red circle" in p.refusal  # names what is there
