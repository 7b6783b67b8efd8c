"""The instruction parser: every generator wording round-trips, and common phrasings parse."""

import pytest

from limner.edit.instructions import parse_instruction, resolve, validate_instruction
from limner.errors import InputError
from limner.edit.ops import apply_edit, edit_pair


def test_generator_instructions_round_trip():
    for seed in range(300):
        p = edit_pair(seed)
        op = parse_instruction(p.instruction)
        assert op is not None, p.instruction
        assert apply_edit(p.source, resolve(op, p.source)) == p.target, (p.instruction, op, p.op)


@pytest.mark.parametrize("text,expect", [
    ("make the circle green", dict(kind="recolor", shape="circle", new_color="green")),
    ("Make the red circle green.", dict(kind="recolor", shape="circle", color="red", new_color="green")),
    ("change the colour of the squares to blue", dict(kind="recolor", shape="square", new_color="blue")),
    ("add two stars", dict(kind="add", shape="star", count=2)),
    ("add a small striped yellow heart", dict(kind="add", shape="heart", color="yellow", size="small", texture="striped")),
    ("move the square to the left", dict(kind="move", shape="square", direction="left")),
    ("move the blue box up", dict(kind="move", shape="square", color="blue", direction="up")),
    ("get rid of the triangles", dict(kind="remove", shape="triangle")),
    ("delete the pink heart", dict(kind="remove", shape="heart", color="pink")),
    ("there should be three red circles", dict(kind="count", shape="circle", color="red", count=3)),
    ("change the number of stars to 2", dict(kind="count", shape="star", count=2)),
    ("give the diamond stripes", dict(kind="texture", shape="diamond", texture="striped")),
    ("make the circle dotted", dict(kind="texture", shape="circle", texture="dotted")),
    ("shrink the star", dict(kind="size", shape="star", size="smaller")),
    ("make the hearts bigger", dict(kind="size", shape="heart", size="bigger")),
    ("make the background mint", dict(kind="background", background="plain mint")),
    ("change the background to a sky to beige gradient", dict(kind="background", background="gradient sky to beige")),
])
def test_phrasings(text, expect):
    op = parse_instruction(text)
    assert op is not None
    for k, v in expect.items():
        assert getattr(op, k) == v, (text, op)


@pytest.mark.parametrize("text", ["make it winter", "", "hello there", "add a cat"])
def test_unreadable_instructions_give_none(text):
    assert parse_instruction(text) is None


def test_pronoun_resolves_in_a_one_shape_scene():
    p = edit_pair(0)
    names = {o.name for o in p.source.objects}
    op = parse_instruction("move it up")
    assert op is not None and op.shape is None
    r = resolve(op, p.source)
    assert (r.shape is not None) == (len(names) == 1)


def test_validate_instruction():
    assert validate_instruction("  make it red ") == "make it red"
    with pytest.raises(InputError):
        validate_instruction("   ")
    with pytest.raises(InputError, match="500"):
        validate_instruction("x" * 501)
