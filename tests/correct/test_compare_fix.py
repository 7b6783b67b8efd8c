"""The verdict and the fix plan, on hand-made detections (no torch)."""

from limner.correct import Found, compare, plan_fix, region_mask, request_spec
from limner.plan import plan


def _found(shape, color, box):
    return Found(shape=shape, color=color, texture="solid", box=box)


def _plan(prompt):
    return plan(prompt, planner="rules").layout


def test_an_image_that_matches_the_request_is_ok_and_has_no_problems():
    lay = _plan("a red circle to the left of a blue square")
    dets = [_found("circle" if o.name == "circle" else "square", o.color, o.box) for o in lay.objects]
    spec, _ = request_spec("a red circle to the left of a blue square")
    cmp = compare(dets, spec, lay)
    assert cmp.ok and not cmp.problems and len(cmp.anchors) == 2


def test_missing_wrong_colour_and_excluded_objects_are_located():
    lay = _plan("a red circle to the left of a blue square but no stars")
    circle = next(o for o in lay.objects if o.name == "circle")
    square = next(o for o in lay.objects if o.name == "square")
    dets = [_found("circle", "green", circle.box),  # wrong colour
            _found("star", "yellow", (0.4, 0.8, 0.5, 0.9))]  # excluded; the square is missing
    spec, _ = request_spec("a red circle to the left of a blue square but no stars")
    cmp = compare(dets, spec, lay)
    assert not cmp.ok
    kinds = sorted(p.kind for p in cmp.problems)
    assert kinds == ["excluded", "extra", "missing", "missing"]
    fix = plan_fix(lay, dets, cmp, spec)
    assert fix.strategy == "region"
    assert square.box in fix.regions and circle.box in fix.regions
    assert (0.4, 0.8, 0.5, 0.9) in fix.regions


def test_text_only_image_keeps_what_is_right_where_it_is():
    prompt = "a red circle to the left of a blue square"
    lay = _plan(prompt)
    red = _found("circle", "red", (0.05, 0.1, 0.3, 0.35))  # right object, not where the plan puts it
    spec, _ = request_spec(prompt)
    cmp = compare([red], spec, lay, anywhere=True)
    fix = plan_fix(lay, [red], cmp, spec, anywhere=True)
    moved = next(o for o in fix.layout.objects if o.name == "circle")
    assert abs(moved.center[0] - red.center[0]) < 1e-6  # the plan moved onto the image
    assert fix.strategy == "region" and len(fix.regions) == 1  # only the square is drawn


def test_region_mask_covers_the_box_and_a_margin_only():
    m = region_mask([(0.25, 0.25, 0.5, 0.5)], 32, 32, pad=0.0)
    assert m.sum() == 8 * 8 and m[8:16, 8:16].all()


def test_words_the_world_cannot_draw_are_reported_not_checked():
    spec, notes = request_spec("a cat next to a red circle")
    assert [q.shape for q in spec.requirements] == ["circle"]
    assert any("cat" in n for n in notes)
