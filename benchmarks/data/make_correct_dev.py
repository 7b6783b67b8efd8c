"""Write ``correct_dev.jsonl``: the development set of benchmarks/correct_eval.py (GenEval format).

Written by hand for this benchmark (h18, 2026-11-30), separately from limner's request reader and
corpus captions: 50 hand-written requests in the styles users and public benchmarks use (GenEval's
"a photo of", T2I-CompBench-style sentences, chatty requests, lists, negations), and 70 from
templates of this file's own (different word orders, synonyms, digits, "on the left/right" placements).
Each line: ``{"prompt", "tag", "include": [{"class", "count", "color"?, "position"?}], "exclude"?}``
in world shapes; counting prompts exclude ``count + 1`` as GenEval's counting prompts do.

    python benchmarks/data/make_correct_dev.py      # rewrites correct_dev.jsonl (deterministic)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SHAPES = ["circle", "square", "triangle", "star", "heart", "diamond"]
SYN = {"circle": ["circle", "ball", "disc"], "square": ["square", "box", "block"], "triangle": ["triangle"],
       "star": ["star"], "heart": ["heart"], "diamond": ["diamond", "rhombus"]}
PL = {"box": "boxes", "rhombus": "rhombuses"}
COLORS = ["red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white"]
NUM = ["zero", "one", "two", "three", "four"]


def inc(shape, count=1, color=None, position=None):
    d = {"class": shape, "count": count}
    if color:
        d["color"] = color
    if position:
        d["position"] = list(position)
    return d


def counting(shape, n, color=None):
    return {"include": [inc(shape, n, color)], "exclude": [{"class": shape, "count": n + 1}]}


HAND = [
    ("a photo of a red heart", "single", {"include": [inc("heart", 1, "red")]}),
    ("a blue ball", "single", {"include": [inc("circle", 1, "blue")]}),
    ("Draw me a yellow star please", "single", {"include": [inc("star", 1, "yellow")]}),
    ("one green triangle", "single", {"include": [inc("triangle", 1, "green")]}),
    ("a single purple diamond on a plain background", "single", {"include": [inc("diamond", 1, "purple")]}),
    ("an orange square", "single", {"include": [inc("square", 1, "orange")]}),
    ("a photo of a pink circle and a black square", "two_object",
     {"include": [inc("circle", 1, "pink"), inc("square", 1, "black")]}),
    ("a white star with a brown heart", "two_object", {"include": [inc("star", 1, "white"), inc("heart", 1, "brown")]}),
    ("a green diamond and an orange triangle", "two_object",
     {"include": [inc("diamond", 1, "green"), inc("triangle", 1, "orange")]}),
    ("I want a blue heart and a yellow box", "two_object", {"include": [inc("heart", 1, "blue"), inc("square", 1, "yellow")]}),
    ("a red star, a blue star", "two_object", {"include": [inc("star", 1, "red"), inc("star", 1, "blue")]}),
    ("a photo of three hearts", "counting", counting("heart", 3)),
    ("two purple squares", "counting", counting("square", 2, "purple")),
    ("4 yellow circles", "counting", counting("circle", 4, "yellow")),
    ("three black stars", "counting", counting("star", 3, "black")),
    ("a photo of two triangles", "counting", counting("triangle", 2)),
    ("exactly three green diamonds", "counting", counting("diamond", 3, "green")),
    ("two pink hearts on a mint background", "counting", counting("heart", 2, "pink")),
    ("a photo of four stars", "counting", counting("star", 4)),
    ("a red circle to the left of a blue square", "position",
     {"include": [inc("square", 1, "blue"), inc("circle", 1, "red", ("left of", 0))]}),
    ("a photo of a star above a heart", "position",
     {"include": [inc("heart"), inc("star", 1, None, ("above", 0))]}),
    ("a green triangle below a yellow circle", "position",
     {"include": [inc("circle", 1, "yellow"), inc("triangle", 1, "green", ("below", 0))]}),
    ("a black diamond right of a white star", "position",
     {"include": [inc("star", 1, "white"), inc("diamond", 1, "black", ("right of", 0))]}),
    ("put an orange heart above a purple square", "position",
     {"include": [inc("square", 1, "purple"), inc("heart", 1, "orange", ("above", 0))]}),
    ("a brown box under a pink ball", "position",
     {"include": [inc("circle", 1, "pink"), inc("square", 1, "brown", ("below", 0))]}),
    ("a blue star on the left of a red triangle", "position",
     {"include": [inc("triangle", 1, "red"), inc("star", 1, "blue", ("left of", 0))]}),
    ("a yellow heart sitting above a green diamond", "position",
     {"include": [inc("diamond", 1, "green"), inc("heart", 1, "yellow", ("above", 0))]}),
    ("two red circles to the right of a black star", "position",
     {"include": [inc("star", 1, "black"), inc("circle", 2, "red", ("right of", 0))]}),
    ("three blue triangles above a pink heart", "position",
     {"include": [inc("heart", 1, "pink"), inc("triangle", 3, "blue", ("above", 0))]}),
    ("a white circle below two orange squares", "position",
     {"include": [inc("square", 2, "orange"), inc("circle", 1, "white", ("below", 0))]}),
    ("a photo of a purple heart and a green star", "color_attr",
     {"include": [inc("heart", 1, "purple"), inc("star", 1, "green")]}),
    ("a yellow triangle and a black circle", "color_attr",
     {"include": [inc("triangle", 1, "yellow"), inc("circle", 1, "black")]}),
    ("a brown diamond next to a white heart", "color_attr",
     {"include": [inc("diamond", 1, "brown"), inc("heart", 1, "white")]}),
    ("an orange circle, a blue diamond and a red square", "color_attr",
     {"include": [inc("circle", 1, "orange"), inc("diamond", 1, "blue"), inc("square", 1, "red")]}),
    ("a pink star and a purple triangle on a beige background", "color_attr",
     {"include": [inc("star", 1, "pink"), inc("triangle", 1, "purple")]}),
    ("a red heart but no circles", "negation", {"include": [inc("heart", 1, "red")], "exclude": [{"class": "circle", "count": 1}]}),
    ("a blue square without any stars", "negation",
     {"include": [inc("square", 1, "blue")], "exclude": [{"class": "star", "count": 1}]}),
    ("two green triangles and no squares", "negation",
     {"include": [inc("triangle", 2, "green")], "exclude": [{"class": "square", "count": 1}]}),
    ("a yellow diamond, no hearts", "negation",
     {"include": [inc("diamond", 1, "yellow")], "exclude": [{"class": "heart", "count": 1}]}),
    ("Could you draw two black hearts left of a yellow star?", "position",
     {"include": [inc("star", 1, "yellow"), inc("heart", 2, "black", ("left of", 0))]}),
    ("Make a picture with a green circle above a red diamond", "position",
     {"include": [inc("diamond", 1, "red"), inc("circle", 1, "green", ("above", 0))]}),
    ("there is a pink triangle below a blue heart", "position",
     {"include": [inc("heart", 1, "blue"), inc("triangle", 1, "pink", ("below", 0))]}),
    ("a white square and two purple stars", "counting",
     {"include": [inc("square", 1, "white"), inc("star", 2, "purple")]}),
    ("three orange diamonds and one blue circle", "counting",
     {"include": [inc("diamond", 3, "orange"), inc("circle", 1, "blue")]}),
    ("a photo of two brown hearts and a green square", "counting",
     {"include": [inc("heart", 2, "brown"), inc("square", 1, "green")]}),
    ("a red triangle left of a yellow triangle", "position",
     {"include": [inc("triangle", 1, "yellow"), inc("triangle", 1, "red", ("left of", 0))]}),
    ("an orange star above an orange heart", "position",
     {"include": [inc("heart", 1, "orange"), inc("star", 1, "orange", ("above", 0))]}),
    ("blue disc", "single", {"include": [inc("circle", 1, "blue")]}),
    ("a black block to the right of a white rhombus", "position",
     {"include": [inc("diamond", 1, "white"), inc("square", 1, "black", ("right of", 0))]}),
    ("two stars: one red, one yellow", "two_object", {"include": [inc("star", 1, "red"), inc("star", 1, "yellow")]}),
]


def templated(rng: random.Random, n: int) -> list[tuple[str, str, dict]]:
    out = []

    def word(shape, k=1):
        w = rng.choice(SYN[shape])
        return w if k == 1 else PL.get(w, w + "s")

    def art(w):
        return "an" if w[0] in "aeiou" else "a"

    forms = ["pair", "count", "rel_left_right", "rel_above_below", "onside", "digit"]
    for i in range(n):
        f = forms[i % len(forms)]
        a, b = rng.sample(SHAPES, 2)
        ca, cb = rng.sample(COLORS, 2)
        if f == "pair":
            p = rng.choice(["{A} together with {B}", "picture: {A}; {B}", "{A} plus {B}", "both {A} and {B}"])
            pa, pb = f"{art(ca)} {ca} {word(a)}", f"{art(cb)} {cb} {word(b)}"
            out.append((p.format(A=pa, B=pb), "two_object", {"include": [inc(a, 1, ca), inc(b, 1, cb)]}))
        elif f == "count":
            k = rng.choice([2, 3, 4])
            p = rng.choice(["{n} {c} {s}", "a group of {n} {c} {s}", "{n} {s}, all {c}", "{n} {c} {s} in a row"])
            out.append((p.format(n=NUM[k], c=ca, s=word(a, k)), "counting", counting(a, k, ca)))
        elif f == "rel_left_right":
            rel = rng.choice(["left of", "right of"])
            p = rng.choice(["{A} placed {r} {B}", "{A} that is {r} {B}", "{A} {r} {B}"])
            rr = "to the " + rel.replace(" of", " of") if rng.random() < 0.5 else rel
            pa, pb = f"{art(ca)} {ca} {word(a)}", f"{art(cb)} {cb} {word(b)}"
            out.append((p.format(A=pa, B=pb, r=rr), "position",
                        {"include": [inc(b, 1, cb), inc(a, 1, ca, (rel, 0))]}))
        elif f == "rel_above_below":
            rel = rng.choice(["above", "below"])
            r = {"above": rng.choice(["above", "over", "on top of"]), "below": rng.choice(["below", "under", "beneath"])}[rel]
            k = rng.choice([1, 1, 2])
            pa = f"{art(ca)} {ca} {word(a)}" if k == 1 else f"{NUM[k]} {ca} {word(a, k)}"
            pb = f"{art(cb)} {cb} {word(b)}"
            out.append((f"{pa} {r} {pb}", "position", {"include": [inc(b, 1, cb), inc(a, k, ca, (rel, 0))]}))
        elif f == "onside":
            p = f"{ca} {word(a)} on the left, {cb} {word(b)} on the right"
            out.append((p, "position", {"include": [inc(b, 1, cb), inc(a, 1, ca, ("left of", 0))]}))
        else:
            k = rng.choice([2, 3])
            p = rng.choice(["{k} {c} {s} and {art} {c2} {s2}", "{art} {c2} {s2} with {k} {c} {s}"])
            s2 = word(b)
            out.append((p.format(k=k, c=ca, s=word(a, k), art=art(cb), c2=cb, s2=s2), "counting",
                        {"include": [inc(a, k, ca), inc(b, 1, cb)]}))
    return out


def main() -> None:
    rows = [{"prompt": p, "tag": t, **m, "source": "hand"} for p, t, m in HAND]
    rows += [{"prompt": p, "tag": t, **m, "source": "template"} for p, t, m in templated(random.Random(18), 70)]
    path = Path(__file__).with_name("correct_dev.jsonl")
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"{len(rows)} prompts -> {path}")


if __name__ == "__main__":
    main()
