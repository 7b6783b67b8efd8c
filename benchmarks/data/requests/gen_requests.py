"""Development requests for the request reader, with GenEval-style metadata.

Written BEFORE the reader was rebuilt (issue 12) and on purpose without looking at the reader's
code: the phrasings below imitate people and public benchmarks (LMD's "a realistic photo of a
scene with ...", T2I-CompBench's "a X on the left of a Y", DrawBench's "A red colored X and a
blue colored Y.", casual users), not the reader's grammar. Several independent families, each
with its own wording; a fixed seed makes the file reproducible:

    python benchmarks/data/requests/gen_requests.py    # writes generated.jsonl and hand.jsonl

Metadata follows GenEval (``tag``, ``include`` [{class, count, color?, position?: [rel, idx]}],
``exclude``) plus two extensions the benchmark scores: ``position`` may be ``between`` (subject
centre between the target group's instances) or ``inside`` (subject centre inside every target
box, subject smaller); an include entry may carry ``region`` (left/right/top/bottom/center or a
corner like top-left): the centre of each instance lies in that part of the canvas.

About 20% of rows are marked ``"split": "heldout"`` by a hash of the prompt: they are not looked
at while the reader is tuned (benchmarks/read_eval.py --split dev shows only the rest).
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

SHAPES = ["circle", "square", "triangle", "star", "heart", "diamond"]
SHAPE_PLURAL = {s: s + "s" for s in SHAPES}
# words people use for a world shape, and the class they mean
SHAPE_WORDS = {"circle": ["circle", "disc", "round dot"], "square": ["square", "block"],
               "triangle": ["triangle"], "star": ["star"], "heart": ["heart"],
               "diamond": ["diamond", "rhombus"]}
COLORS = ["red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white"]
COLOR_WORDS = {"purple": ["purple", "violet"], "red": ["red", "scarlet"], "gray": ["grey"]}
COCO = ["dog", "cat", "car", "bird", "cup", "chair", "bench", "clock", "apple", "banana", "book",
        "bottle", "umbrella", "horse", "bicycle", "vase", "laptop", "pizza", "bowl", "train",
        "airplane", "sheep", "cow", "elephant", "giraffe", "donut", "kite", "suitcase", "toaster",
        "teddy bear", "cell phone", "potted plant", "backpack", "fork", "boat", "bus"]
COCO_PLURAL = {"bus": "buses", "sheep": "sheep", "knife": "knives", "teddy bear": "teddy bears",
               "cell phone": "cell phones", "potted plant": "potted plants"}
NUM = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
SIZES = ["small", "big", "large", "tiny", "little", "huge"]
TEXTURES = ["striped", "dotted", "spotted", "stripy", "solid"]


def plural(c: str) -> str:
    if c in SHAPES:
        return SHAPE_PLURAL[c]
    return COCO_PLURAL.get(c, c + "s")


def art(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


class G:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def pick(self, xs):
        return self.r.choice(xs)

    def shape_word(self, s):  # the class and a word for it
        return self.pick(SHAPE_WORDS[s]) if self.r.random() < 0.3 else s

    def color_word(self, c):
        return self.pick(COLOR_WORDS.get(c, [c])) if self.r.random() < 0.3 else c

    def two(self, pool):
        a = self.pick(pool)
        b = self.pick([x for x in pool if x != a])
        return a, b

    def cnum(self, n):  # a count as people write it
        return str(n) if self.r.random() < 0.3 else NUM[n]


def inc(cls, count=1, color=None, position=None, region=None):
    d = {"class": cls, "count": count}
    if color:
        d["color"] = color
    if position:
        d["position"] = list(position)
    if region:
        d["region"] = region
    return d


def row(family, tag, prompt, include, exclude=None):
    d = {"family": family, "tag": tag, "prompt": prompt, "include": include}
    if exclude:
        d["exclude"] = exclude
    return d


# --- family 1: casual users --------------------------------------------------------------------
def casual(g: G, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        k = g.r.randrange(9)
        s1, s2 = g.two(SHAPES)
        c1, c2 = g.two(COLORS)
        m = g.r.randint(2, 5)
        if k == 0:
            p = g.pick(["please draw {x}", "draw {x}", "can you draw {x}?", "i'd like {x}", "show me {x}"])
            x = f"{art(g.color_word(c1) + ' ' + g.shape_word(s1))}"
            out.append(row("casual", "colors", p.format(x=x), [inc(s1, color=c1)]))
        elif k == 1:
            p = f"{g.cnum(m)} {plural(s1)}, all of them {c1}"
            out.append(row("casual", "counting", p, [inc(s1, m, c1)], [inc(s1, m + 1)]))
        elif k == 2:
            p = g.pick([f"{plural(s1)}, {NUM[m]} of them, colored {c1}",
                        f"{NUM[m]} {plural(s1)} and make them all {c1}",
                        f"exactly {NUM[m]} {c1} {plural(s1)} please"])
            out.append(row("casual", "counting", p, [inc(s1, m, c1)], [inc(s1, m + 1)]))
        elif k == 3:
            p = f"a {s1} that is {c1} and a {s2} that is {c2}"
            out.append(row("casual", "color_attr", p, [inc(s1, color=c1), inc(s2, color=c2)]))
        elif k == 4:
            p = g.pick([f"i want a {c1} {s1} with a {c2} {s2} under it",
                        f"put a {c1} {s1} and a {c2} {s2} below it"])
            out.append(row("casual", "position", p, [inc(s1, color=c1), inc(s2, color=c2, position=("below", 0))]))
        elif k == 5:
            p = f"just one {g.shape_word(s1)} please"
            out.append(row("casual", "single_object", p, [inc(s1)]))
        elif k == 6:
            p = f"{g.cnum(m)} {c1} {plural(s1)} but no {plural(s2)}"
            out.append(row("casual", "counting", p, [inc(s1, m, c1)], [inc(s2, 1)]))
        elif k == 7:
            p = g.pick([f"some {c1} {s1} on the left, a {c2} {s2} on the right",
                        f"{c1} {s1} left, {c2} {s2} right"])
            p = p.replace("some ", "a ")
            out.append(row("casual", "position", p, [inc(s1, color=c1, region="left"),
                                                     inc(s2, color=c2, region="right", position=("right of", 0))]))
        else:
            p = f"a {c1} {s1} next to a {c2} {s2}, nothing else"
            out.append(row("casual", "two_object", p, [inc(s1, color=c1), inc(s2, color=c2)]))
    return out


# --- family 2: LMD-benchmark style --------------------------------------------------------------
def lmd(g: G, n: int) -> list[dict]:
    out = []
    sides = [("left", "right", "right of"), ("right", "left", "left of"), ("top", "bottom", "below"),
             ("bottom", "top", "above")]
    for _ in range(n):
        k = g.r.randrange(5)
        a, b = g.two(COCO + SHAPES)
        lead = g.pick(["A realistic photo of a scene with", "An image of", "A realistic image of",
                       "A photo of a scene with", "A scene with"])
        if k == 0:
            s1, s2, rel = g.pick(sides)
            p = f"{lead} {art(a)} on the {s1} and {art(b)} on the {s2}"
            out.append(row("lmd", "position", p, [inc(a, region=s1), inc(b, region=s2, position=(rel, 0))]))
        elif k == 1:
            m1, m2 = g.r.randint(1, 4), g.r.randint(1, 4)
            pa = art(a) if m1 == 1 else f"{NUM[m1]} {plural(a)}"
            pb = art(b) if m2 == 1 else f"{NUM[m2]} {plural(b)}"
            p = f"{lead} {pa} and {pb}"
            out.append(row("lmd", "counting", p, [inc(a, m1), inc(b, m2)], [inc(a, m1 + 1), inc(b, m2 + 1)]))
        elif k == 2:
            c1, c2 = g.two(COLORS)
            p = f"{lead} {art(c1 + ' ' + a)} and {art(c2 + ' ' + b)}"
            out.append(row("lmd", "color_attr", p, [inc(a, color=c1), inc(b, color=c2)]))
        elif k == 3:
            m = g.r.randint(2, 4)
            p = g.pick([f"{lead} {NUM[m]} {plural(a)} without {plural(b)}",
                        f"{lead} {NUM[m]} {plural(a)} and no {plural(b)}",
                        f"{lead} {NUM[m]} {plural(a)}, but without any {b}"])
            out.append(row("lmd", "counting", p, [inc(a, m)], [inc(b, 1)]))
        else:
            m = g.r.randint(2, 6)
            p = f"{lead} {NUM[m]} {plural(a)}"
            out.append(row("lmd", "counting", p, [inc(a, m)], [inc(a, m + 1)]))
    return out


# --- family 3: T2I-CompBench style ----------------------------------------------------------------
def compbench(g: G, n: int) -> list[dict]:
    out = []
    rels = [("on the left of", "left of"), ("on the right of", "right of"), ("on the top of", "above"),
            ("on the bottom of", "below"), ("on side of", None), ("near", None), ("next to", None)]
    for _ in range(n):
        k = g.r.randrange(4)
        a, b = g.two(COCO + SHAPES)
        if k == 0:
            c1, c2 = g.two(COLORS)
            p = f"a {c1} {a} and a {c2} {b}"
            out.append(row("compbench", "color_attr", p, [inc(a, color=c1), inc(b, color=c2)]))
        elif k == 1:
            phrase, rel = g.pick(rels)
            p = f"{art(a)} {phrase} {art(b)}"
            incs = [inc(b), inc(a, position=(rel, 0))] if rel else [inc(a), inc(b)]
            out.append(row("compbench", "position" if rel else "two_object", p, incs))
        elif k == 2:
            m = g.r.randint(2, 7)
            p = g.pick([f"{NUM[m]} {plural(a)}", f"{NUM[m]} {plural(a)} and {art(b)}"])
            incs = [inc(a, m)] + ([inc(b)] if " and " in p else [])
            out.append(row("compbench", "counting", p, incs, [inc(a, m + 1)]))
        else:
            t = g.pick(TEXTURES)
            c1 = g.pick(COLORS)
            s = g.pick(SHAPES)
            p = f"a {t} {c1} {s} and {art(b)}"
            out.append(row("compbench", "color_attr", p, [inc(s, color=c1), inc(b)]))
    return out


# --- family 4: DrawBench style ------------------------------------------------------------------
def drawbench(g: G, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        k = g.r.randrange(4)
        a, b = g.two(COCO + SHAPES)
        c1, c2 = g.two(COLORS)
        if k == 0:
            p = f"A {c1} colored {a} and a {c2} colored {b}."
            out.append(row("drawbench", "color_attr", p, [inc(a, color=c1), inc(b, color=c2)]))
        elif k == 1:
            p = g.pick([f"A {a} on top of a {b}.", f"A {a} underneath a {b}.", f"A {a} above a {b}."])
            rel = "below" if "underneath" in p else "above"
            out.append(row("drawbench", "position", p, [inc(b), inc(a, position=(rel, 0))]))
        elif k == 2:
            m1, m2 = g.r.randint(2, 4), g.r.randint(1, 3)
            pb = f"one {b}" if m2 == 1 else f"{NUM[m2]} {plural(b)}"
            p = f"{NUM[m1].capitalize()} {plural(a)} and {pb}."
            out.append(row("drawbench", "counting", p, [inc(a, m1), inc(b, m2)], [inc(a, m1 + 1)]))
        else:
            p = f"A {a}."
            out.append(row("drawbench", "single_object", p, [inc(a)]))
    return out


# --- family 5: relative clauses, regions, between, inside, order, sentences ---------------------
def structures(g: G, n: int) -> list[dict]:
    out = []
    regions = [("in the top left corner", "top-left"), ("in the bottom right corner", "bottom-right"),
               ("at the top", "top"), ("at the bottom", "bottom"), ("in the middle", "center"),
               ("in the centre", "center"), ("on the left side", "left"), ("on the right", "right"),
               ("in the upper right corner", "top-right"), ("in the lower left", "bottom-left")]
    for _ in range(n):
        k = g.r.randrange(10)
        s1, s2 = g.two(SHAPES)
        s3 = g.pick([s for s in SHAPES if s not in (s1, s2)])
        c1, c2 = g.two(COLORS)
        c3 = g.pick(COLORS)
        m = g.r.randint(2, 4)
        if k == 0:
            ph, reg = g.pick(regions)
            p = g.pick([f"a {c1} {s1} {ph}", f"{ph}, a {c1} {s1}"])
            out.append(row("structures", "position", p, [inc(s1, color=c1, region=reg)]))
        elif k == 1:
            p = f"a {c1} {s1} between two {c2} {plural(s2)}"
            out.append(row("structures", "position", p, [inc(s2, 2, c2), inc(s1, color=c1, position=("between", 0))]))
        elif k == 2:
            p = g.pick([f"a {c1} {s1} inside a big {c2} {s2}", f"a small {c1} {s1} in a large {c2} {s2}",
                        f"a large {c2} {s2} with a small {c1} {s1} within it"])
            out.append(row("structures", "position", p, [inc(s2, color=c2), inc(s1, color=c1, position=("inside", 0))]))
        elif k == 3:
            p = f"from left to right: a {c1} {s1}, a {c2} {s2} and a {c3} {s3}"
            out.append(row("structures", "position", p, [inc(s1, color=c1), inc(s2, color=c2, position=("right of", 0)),
                                                          inc(s3, color=c3, position=("right of", 1))]))
        elif k == 4:
            p = f"{NUM[m]} {plural(s1)} in a row, each of them {c1}"
            out.append(row("structures", "counting", p, [inc(s1, m, c1)], [inc(s1, m + 1)]))
        elif k == 5:
            p = f"There is a {c1} {s1}. Below it there is a {c2} {s2}."
            out.append(row("structures", "position", p, [inc(s1, color=c1), inc(s2, color=c2, position=("below", 0))]))
        elif k == 6:
            p = f"{NUM[m]} {plural(s1)} which are {c1}, and a {s2} which is {c2}"
            out.append(row("structures", "color_attr", p, [inc(s1, m, c1), inc(s2, color=c2)]))
        elif k == 7:
            sz = g.pick(SIZES)
            t = g.pick(TEXTURES)
            p = f"a {sz} {c1} {s1} with a {t} {c2} {s2} on top"
            out.append(row("structures", "position", p, [inc(s1, color=c1), inc(s2, color=c2, position=("above", 0))]))
        elif k == 8:
            w = g.pick(["a pair of", "a couple of", "a trio of"])
            cnt = 3 if "trio" in w else 2
            p = f"{w} {c1} {plural(s1)}"
            out.append(row("structures", "counting", p, [inc(s1, cnt, c1)], [inc(s1, cnt + 1)]))
        else:
            p = g.pick([f"a {s1} colored {c1} beneath a {s2} colored {c2}",
                        f"a {c1}-coloured {s1} below a {c2} {s2}"])
            out.append(row("structures", "position", p, [inc(s2, color=c2), inc(s1, color=c1, position=("below", 0))]))
    return out


def split_of(prompt: str) -> str:
    h = int(hashlib.sha256(prompt.encode()).hexdigest()[:8], 16)
    return "heldout" if h % 5 == 0 else "dev"


def parse_hand(text: str) -> list[dict]:
    """hand.txt rows: ``tag | prompt | include ; ... | exclude ; ...`` (see the file's header)."""
    def entry(e: str) -> dict:
        words = e.split()
        d = {"class": words[1].replace("_", " "), "count": int(words[0])}
        for w in words[2:]:
            k, v = w.split("=", 1)
            if k == "pos":
                rel, idx = v.split(":")
                tgt = [int(i) for i in idx.split("+")]
                d["position"] = [rel.replace("_", " "), tgt[0] if len(tgt) == 1 else tgt]
            else:
                d[k] = v
        return d

    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        tag, prompt, incs, excs = (x.strip() for x in line.split("|"))
        r = row("hand", tag, prompt, [entry(e) for e in incs.split(";") if e.strip()],
                [entry(e) for e in excs.split(";") if e.strip()])
        out.append(r)
    return out


def main() -> None:
    g = G(20261130)
    rows = casual(g, 110) + lmd(g, 110) + compbench(g, 100) + drawbench(g, 80) + structures(g, 150)
    seen, out = set(), []
    for r in rows:
        if r["prompt"] in seen:
            continue
        seen.add(r["prompt"])
        r["split"] = split_of(r["prompt"])
        out.append(r)
    path = Path(__file__).with_name("generated.jsonl")
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    print(f"wrote {len(out)} prompts to {path}")
    hand = parse_hand(Path(__file__).with_name("hand.txt").read_text(encoding="utf-8"))
    for r in hand:
        r["split"] = split_of(r["prompt"])
    hpath = Path(__file__).with_name("hand.jsonl")
    hpath.write_text("".join(json.dumps(r) + "\n" for r in hand), encoding="utf-8")
    print(f"wrote {len(hand)} hand-written prompts to {hpath}")


if __name__ == "__main__":
    main()
