"""Property tests: arbitrary requests, LLM replies and TikZ programs never crash the planner with
anything but a clear InputError / LLMOutputError, and never loop (each example is bounded)."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from limner.errors import InputError, LLMOutputError
from limner.plan import parse_request, plan, tikz_to_layout, verify

from .conftest import ScriptedLLM

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = ["a", "two", "three", "red", "blue", "green", "circle", "circles", "square", "cat", "dogs",
         "left", "of", "right", "above", "below", "next", "to", "and", "without", "no", "the",
         "on", "in", "front", "behind", "large", "small", "striped", "teddy", "bear", "hot", "dog",
         ",", "background", "park", "each", "other", "sixteen", "17", "0", "people", "mice"]


def _check_rules_plan(text):
    try:
        res = plan(text, planner="rules", seed=1)
    except InputError:
        return
    # a rules plan satisfies everything except relations/regions the engine had to give up (noted)
    for v in res.violations:
        assert v.kind in ("relation", "region") and any("dropped" in n for n in res.notes), (text, v)
    assert len(res.layout.objects) <= 16


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    try:
        parse_request(text)
    except InputError:
        return
    _check_rules_plan(text)


@FAST
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25))
def test_word_salad(words):
    _check_rules_plan(" ".join(words))


JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=20),
                    lambda kids: st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=8), kids, max_size=5),
                    max_leaves=25)
OBJ = st.fixed_dictionaries({"name": st.text(max_size=30) | st.sampled_from(["circle", "squares", "cat", "Dog"]),
                             "color": st.none() | st.sampled_from(["red", "blue", "grey", "chartreuse", "null"]),
                             "box": st.lists(st.integers(-50, 150), min_size=0, max_size=6)})
REPLY = st.fixed_dictionaries({"objects": st.lists(OBJ, max_size=20)})
PROMPTS = ["two red circles to the left of a blue square", "a cat above a dog without a bird",
           "three yellow triangles", "a photo of a hot dog right of a skateboard"]


@FAST
@given(st.one_of(JSON.map(json.dumps), REPLY.map(json.dumps), st.text(max_size=200)), st.sampled_from(PROMPTS),
       st.sampled_from(["base", "chat"]))
def test_arbitrary_llm_replies(reply, prompt, kind):
    llm = ScriptedLLM([reply], kind=kind)
    res = plan(prompt, llm=llm, seed=0)
    assert res.violations == [] and verify(res.layout, res.constraints) == []
    assert len(llm.calls) <= 6  # bounded: 3 tries for the plan, 3 for one re-ask


NUM = st.integers(-20, 20).map(str) | st.floats(-50, 50, allow_nan=False).map(lambda f: f"{f:.2f}")
COORD = st.builds(lambda a, b: f"({a},{b})", NUM, NUM)
COLOR = st.sampled_from(["red", "blue!50", "green!20!white", "black", "orange", "purple", "none"])
OPTS = st.lists(st.one_of(COLOR, COLOR.map(lambda c: f"fill={c}"), st.sampled_from(["thick", "scale=2", "xshift=1cm",
                                                                                     "shift={(1,2)}", "dashed"])),
                max_size=3).map(lambda xs: f"[{', '.join(xs)}]" if xs else "")
SHAPE = st.one_of(
    st.builds(lambda a, b: f"{a} rectangle {b}", COORD, COORD),
    st.builds(lambda a, r: f"{a} circle [radius={r}]", COORD, st.integers(-2, 5)),
    st.builds(lambda a, r: f"{a} ellipse ({r} and 1)", COORD, st.integers(0, 4)),
    st.builds(lambda pts, c: " -- ".join(pts) + (" -- cycle" if c else ""), st.lists(COORD, min_size=1, max_size=8), st.booleans()),
)
LABEL = st.one_of(st.just(""), st.sampled_from(["red balloon", "a cat", "$x^2$", "{nested}", "teddy bears"]).map(lambda t: f" node {{{t}}}"))
STMT = st.builds(lambda cmd, o, s, lab: f"\\{cmd}{o} {s}{lab};", st.sampled_from(["draw", "fill", "filldraw", "path"]), OPTS, SHAPE, LABEL)
PROGRAM = st.lists(STMT, min_size=0, max_size=12).map(lambda ss: "\\begin{tikzpicture}\n" + "\n".join(ss) + "\n\\end{tikzpicture}")


def _tikz_ok(src):
    try:
        lay = tikz_to_layout(src)
    except InputError:
        return
    assert lay.objects and all(0 <= v <= 1 for o in lay.objects for v in o.box)


@FAST
@given(PROGRAM)
def test_tikz_subset_programs(src):
    _tikz_ok(src)


@FAST
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(["\\draw", "\\fill", "(", ")", "[", "]", "{", "}", ";",
                                                                     "--", "++", "cycle", "rectangle", "circle", "node",
                                                                     "(1,2)", "[red]", "{x}", "\\begin", "\\end", "%",
                                                                     "\n", "at", "\\node", "\\definecolor", "1"]),
                                                    max_size=40).map(" ".join)))
def test_tikz_garbage(src):
    _tikz_ok(src)
