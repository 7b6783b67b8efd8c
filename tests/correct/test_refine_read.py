"""Reading refinement instructions into plan edits (no torch)."""

import pytest

from limner.refine.rounds import apply_plan_edit, changed_regions
from limner.refine.read import read_instruction, split_clauses
from limner.errors import InputError
from limner.plan import plan


def _lay(p):
    return plan(p, planner="rules").layout


def test_clauses_split_and_carry_their_verb():
    assert split_clauses("make the circle red and the square blue") == ["make the circle red", "make the square blue"]
    assert split_clauses("now also add a star, then remove the square please") == ["add a star", "remove the square"]


def test_compound_instruction_with_a_pronoun_placement():
    lay = _lay("a blue circle to the left of a green square")
    edits = read_instruction("make the circle red and add a yellow star to its right", lay)
    assert [e.op.kind for e in edits] == ["recolor", "add"]
    assert edits[1].place == "right of" and edits[1].ref_shape == "circle" and edits[1].ref_color == "red"
    notes: list[str] = []
    new = lay
    for e in edits:
        new = apply_plan_edit(new, e, notes)
    circle = next(o for o in new.objects if o.name == "circle")
    star = next(o for o in new.objects if o.name == "star")
    assert circle.color == "red" and star.color == "yellow" and star.center[0] > circle.center[0]
    # only the circle (recoloured) and the new star are redrawn; the square is held
    square = next(o for o in new.objects if o.name == "square")
    regions = changed_regions(lay, new)
    assert square.box not in regions and star.box in regions and len(regions) == 3


def test_move_next_to_another_object():
    lay = _lay("a red circle to the left of a blue square")
    (e,) = read_instruction("move the square above the circle", lay)
    new = apply_plan_edit(lay, e, [])
    sq = next(o for o in new.objects if o.name == "square")
    ci = next(o for o in new.objects if o.name == "circle")
    assert sq.center[1] < ci.center[1]


@pytest.mark.parametrize("text,words", [("make it dance", "make it dance"),
                                        ("add a heart above the purple triangle", "purple triangle")])
def test_what_cannot_be_read_or_done_is_named(text, words):
    lay = _lay("a red circle to the left of a blue square")
    with pytest.raises(InputError, match=words):
        for e in read_instruction(text, lay):
            lay = apply_plan_edit(lay, e, [])


class _FakeLLM:
    """Stands in for a schema-constrained LLM: answers with a validated EditOp (or fails)."""

    def __init__(self, op=None):
        self.op, self.calls = op, []

    def chat(self, prompt, *, schema, **kw):
        self.calls.append((prompt, schema))
        if self.op is None:
            raise ValueError("reply does not match the schema")
        return schema.model_validate(self.op)


def test_an_llm_reads_what_the_rules_cannot_and_its_edit_is_verified():
    lay = _lay("a red circle to the left of a blue square")
    llm = _FakeLLM({"kind": "recolor", "shape": "circle", "new_color": "purple"})
    (e,) = read_instruction("give the round thing a purple look", lay, llm=llm)
    assert e.source == "llm" and llm.calls and llm.calls[0][1].__name__ == "EditOp"
    new = apply_plan_edit(lay, e, [])
    assert next(o for o in new.objects if o.name == "circle").color == "purple"
    # an LLM edit that does not fit the scene is refused, not guessed
    bad = _FakeLLM({"kind": "remove", "shape": "star"})
    (e,) = read_instruction("lose the sparkly one", lay, llm=bad)
    with pytest.raises(InputError, match="no star"):
        apply_plan_edit(lay, e, [])
    with pytest.raises(InputError, match="could not understand"):
        read_instruction("lose the sparkly one", lay, llm=_FakeLLM(None))
