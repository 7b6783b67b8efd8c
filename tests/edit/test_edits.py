"""The deterministic edit generator: each edit kind changes exactly what it says, and the checker
catches edits that did not happen or changed something else."""

import numpy as np
import pytest

from limner.world.corpus import sample_scene
from limner.edit.check import check_edit
from limner.edit.ops import EDIT_KINDS, EditError, EditOp, apply_edit, edit_pair, instruction


def _same(a, b):
    return (a.name, a.color, a.texture, a.size, a.box) == (b.name, b.color, b.texture, b.size, b.box)


@pytest.mark.parametrize("kind", EDIT_KINDS)
def test_each_kind_changes_exactly_what_it_says(kind):
    for seed in range(25):
        p = edit_pair(seed, kind)
        assert p.op.kind == kind
        src, tgt, op = p.source, p.target, p.op
        assert check_edit(src, tgt, op).ok, (p.instruction, check_edit(src, tgt, op).reasons)
        assert not check_edit(src, src, op).success, p.instruction  # doing nothing is not the edit
        sel = [o for o in src.objects if o.name == op.shape and (op.color is None or o.color == op.color)]
        rest = [o for o in src.objects if o not in sel] if kind != "add" else list(src.objects)
        # untouched objects are untouched, byte for byte
        for o in rest:
            assert any(_same(o, t) for t in tgt.objects), (p.instruction, o)
        if kind != "background":
            assert tgt.background == src.background
        if kind == "recolor":
            assert len(tgt.objects) == len(src.objects)
            assert sum(o.color == op.new_color and o.name == op.shape for o in tgt.objects) >= len(sel)
        elif kind == "move":
            assert len(tgt.objects) == len(src.objects)
        elif kind == "add":
            assert len(tgt.objects) == len(src.objects) + (op.count or 1)
        elif kind == "remove":
            assert len(tgt.objects) == len(src.objects) - len(sel) and tgt.objects
        elif kind == "count":
            now = [o for o in tgt.objects if o.name == op.shape and (op.color is None or o.color == op.color)]
            assert len(now) == op.count != len(sel)
        elif kind == "texture":
            assert all(o.texture == op.texture for o in tgt.objects if o.name == op.shape
                       and (op.color is None or o.color == op.color))
        elif kind == "background":
            assert tgt.background == op.background != src.background
            assert [o.box for o in tgt.objects] == [o.box for o in src.objects]


def test_generator_is_deterministic_and_balanced():
    a = [edit_pair(s) for s in range(40)]
    b = [edit_pair(s) for s in range(40)]
    assert [(x.instruction, x.target.model_dump_json()) for x in a] == \
           [(x.instruction, x.target.model_dump_json()) for x in b]
    assert len({x.op.kind for x in a}) >= 6


def test_impossible_edits_raise():
    lay = sample_scene(5)
    with pytest.raises(EditError):
        apply_edit(lay, EditOp(kind="recolor", shape="heart", color="green", new_color="red"))
    o = lay.objects[0]
    with pytest.raises(EditError):
        apply_edit(lay, EditOp(kind="recolor", shape=o.name, color=o.color, new_color=o.color))
    with pytest.raises(EditError):
        apply_edit(lay, EditOp(kind="background", background=lay.background))


def test_checker_catches_wrong_and_sloppy_edits():
    p = edit_pair(3, "recolor")
    wrong = p.op.model_copy(update={"new_color": next(c for c in ("red", "blue") if c != p.op.new_color)})
    assert not check_edit(p.source, p.target, wrong).success
    # the right colour change, but another object vanished: success, not preserved
    extra = edit_pair(11, "recolor")
    if len(extra.target.objects) > 1:
        tgt = extra.target.model_copy(deep=True)
        keep = [o for o in tgt.objects if not (o.name == extra.op.shape)]
        if keep:
            tgt.objects = [o for o in tgt.objects if o is not keep[0]]
            r = check_edit(extra.source, tgt, extra.op)
            assert not r.preserved


def test_instruction_wording_varies():
    p = edit_pair(2, "recolor")
    words = {instruction(p.op, p.source, np.random.default_rng(i)) for i in range(30)}
    assert len(words) >= 3
