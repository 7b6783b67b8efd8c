"""Two independent instruction generators for benchmarks/edit_natural.py (h14, 2026-11-30).

Written before limner's instruction reader (``limner.edit.reader``) and without importing anything
from ``limner.edit``: scenes come from the world corpus (``limner.world.corpus.sample_scene``, seeds
200000+ for dev, 250000+ for the held-out slice), and every instruction is written together with
its structured spec (the format in hand.txt), which the benchmark turns into the expected outcome.

* generator "chatty": casual, wordy phrasings ("could you make the ... a bit ...", "i'd like ...");
* generator "terse": short command style ("circles -> blue", "kill the leftmost star", "no stripes
  on the heart").

    python benchmarks/data/edits/make_generated.py > benchmarks/data/edits/generated.jsonl
"""

from __future__ import annotations

import json
import sys

import numpy as np

from limner.world.corpus import NUMBER_WORDS, sample_scene
from limner.world.vocab import BACKGROUND_COLORS, COLORS, SHAPES, SIZES

GAP = 0.05
SIZE_ORDER = ["small", "medium", "large"]
OOV = ["dog", "cat", "tree", "car", "house", "flower", "sun", "moon", "bird", "person", "hexagon",
       "cloud", "boat", "apple", "octagon", "robot"]
STYLE = ["make it night", "make it look like a watercolor", "add some shadows", "make everything glow",
         "make it 3d", "make it look vintage", "add a reflection", "make it rain", "blur the background",
         "make it look hand drawn", "turn it into a photo", "make the scene spooky"]
ACCESSORY = ["put sunglasses on the {s}", "give the {s} a hat", "put a crown on the {s}",
             "draw a face on the {s}", "give the {s} wings"]


def box(o):
    return o.box


def gap(a, b):
    return max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])


def fits(b, others):
    return b[0] >= 0.02 and b[1] >= 0.02 and b[2] <= 0.98 and b[3] <= 0.98 and all(gap(b, o) > GAP for o in others)


def groups(scene):
    g = {}
    for i, o in enumerate(scene.objects):
        g.setdefault((o.name, o.color), []).append(i)
    return g


def size_of(o):
    s = o.box[2] - o.box[0]
    return min(SIZES, key=lambda k: abs(SIZES[k] - s))


def pl(s, n=2):
    return s if n == 1 else s + "s"


def pick_selector(scene, rng, allow_one=True):
    """(spec selector, words, indices it covers) for a random object of the scene, or None."""
    objs = scene.objects
    if not objs:
        return None
    g = groups(scene)
    shapes = {}
    for o in objs:
        shapes.setdefault(o.name, set()).add(o.color)
    i = int(rng.integers(len(objs)))
    o = objs[i]
    members = g[(o.name, o.color)]
    color_needed = len(shapes[o.name]) > 1
    cw = (o.color + " ") if (color_needed or rng.random() < 0.4) else ""
    sel = {"s": o.name, "c": o.color if color_needed else None}
    if len(members) == 1:
        return dict(sel, p="all"), f"the {cw}{o.name}", [i]
    xs = sorted(members, key=lambda j: objs[j].center[0])
    opts = ["all"]
    if allow_one:
        opts.append("one")
    if objs[xs[1]].center[0] - objs[xs[0]].center[0] > 0.1:
        opts.append("leftmost")
    if objs[xs[-1]].center[0] - objs[xs[-2]].center[0] > 0.1:
        opts.append("rightmost")
    p = opts[int(rng.integers(len(opts)))]
    sel["p"] = p
    if p == "all":
        return sel, f"the {cw}{pl(o.name)}", members
    if p == "one":
        return sel, f"one of the {cw}{pl(o.name)}", [members[0]]
    j = xs[0] if p == "leftmost" else xs[-1]
    return sel, f"the {p} {cw}{o.name}", [j]


def movable(scene, idx, d):
    dx, dy = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}[d]
    others = [o.box for j, o in enumerate(scene.objects) if j not in idx]
    for step in (0.3, 0.26, 0.22):
        bs = [(b[0] + dx * step, b[1] + dy * step, b[2] + dx * step, b[3] + dy * step)
              for b in (scene.objects[i].box for i in idx)]
        if all(fits(b, others) for b in bs):
            return True
    return False


def resizable(scene, idx, want):
    others = [o.box for j, o in enumerate(scene.objects) if j not in idx]
    for i in idx:
        o = scene.objects[i]
        k = SIZE_ORDER.index(size_of(o)) + (1 if want == "bigger" else -1)
        if not 0 <= k < 3:
            return False
        s = SIZES[SIZE_ORDER[k]]
        cx, cy = o.center
        x0, y0 = min(max(cx - s / 2, 0.02), 0.98 - s), min(max(cy - s / 2, 0.02), 0.98 - s)
        if not fits((x0, y0, x0 + s, y0 + s), others):
            return False
    return True


CHATTY = {
    "recolor": ["could you make {sel} {c}?", "i'd like {sel} to be {c}", "can {sel} be {c} instead",
                "please change {sel} to {c}", "hmm, make {sel} {c} please", "change {sel} from {old} to {c}"],
    "move": ["could you move {sel} a bit {d}?", "i'd like {sel} further {d}", "nudge {sel} {d} a little",
             "please shift {sel} {d}wards"],
    "remove": ["could you take out {sel}?", "i don't want {sel} anymore", "please get rid of {sel}",
               "lose {sel}", "can you erase {sel}"],
    "texture": ["could you give {sel} {tn}?", "i'd like {sel} to be {t}", "make {sel} {t} please"],
    "untexture": ["could you take the {tn} off {sel}?", "make {sel} plain, no {tn}", "remove the pattern from {sel}"],
    "bigger": ["could you make {sel} a bit bigger?", "i'd like {sel} larger", "scale {sel} up please",
               "blow up {sel} a little"],
    "smaller": ["could you make {sel} a bit smaller?", "i'd like {sel} smaller", "scale {sel} down please",
                "make {sel} tinier"],
    "add": ["could you add {a}?", "i'd like {a} somewhere too", "please throw in {a}", "can we have {a} as well"],
    "add_rel": ["could you add {a} {rel} {ref}?", "please put {a} {rel} {ref}", "i'd like {a} {rel} {ref}"],
    "count": ["i'd like exactly {n} {ps}", "could there be {n} {ps}?", "let's have {n} {ps} in total"],
    "replace": ["could you turn {sel} into {a}?", "i'd like {sel} to be {a} instead",
                "please replace {sel} with {a}", "swap out {sel} for {a}"],
    "swap": ["could you swap {sel} and {sel2}?", "please switch places of {sel} and {sel2}",
             "i'd like {sel} and {sel2} to trade places"],
    "background": ["could the background be {b}?", "i'd like a {b} background", "please make the backdrop {b}"],
}
TERSE = {
    "recolor": ["{sel} -> {c}", "{sel} in {c}", "recolour {sel} {c}", "{c} {selbare} pls", "make {sel} {c}"],
    "move": ["{sel} {d}", "move {sel} {d}", "push {sel} {d}", "drag {sel} to the {dd}"],
    "remove": ["kill {sel}", "no {selbare}", "remove {sel}", "delete {sel}", "drop {sel}"],
    "texture": ["{t} {selbare}", "{sel} -> {t}", "add {tn} to {sel}"],
    "untexture": ["no {tn} on {sel}", "{sel} solid", "strip the {tn} off {sel}"],
    "bigger": ["enlarge {sel}", "{sel} bigger", "grow {sel}", "bigger {selbare}"],
    "smaller": ["shrink {sel}", "{sel} smaller", "smaller {selbare}", "reduce {sel}"],
    "add": ["add {a}", "+ {a}", "insert {a}", "new {what}"],
    "add_rel": ["add {a} {rel} {ref}", "{a} {rel} {ref}", "insert {a} {rel} {ref}"],
    "count": ["{n} {ps}", "only {n} {ps}", "{ps}: {n}", "make it {n} {ps}"],
    "replace": ["{sel} -> {a}", "{selbare} to {what}", "replace {sel} by {a}", "turn {sel} into {a}"],
    "swap": ["swap {sel} and {sel2}", "swap {sel} with {sel2}", "switch {sel} and {sel2}"],
    "background": ["bg {b}", "background {b}", "{b} background"],
}
REL = {"right_of": ["to the right of", "right of", "next to"], "left_of": ["to the left of", "left of"],
       "above": ["above", "over"], "below": ["below", "under", "beneath"]}
REGION = {"top-left": ["in the top left corner", "in the top-left corner", "top left"],
          "top-right": ["in the top right corner", "at the top right"],
          "bottom-left": ["in the bottom left corner", "bottom-left"],
          "bottom-right": ["in the bottom right corner", "at the bottom right"],
          "center": ["in the middle", "in the center", "in the centre"]}


def article(w):
    return "an" if w[0] in "aeiou" else "a"


def region_free(scene, region):
    c = {"top-left": (0.2, 0.2), "top-right": (0.8, 0.2), "bottom-left": (0.2, 0.8),
         "bottom-right": (0.8, 0.8), "center": (0.5, 0.5)}[region]
    s = SIZES["small"]
    b = (c[0] - s / 2, c[1] - s / 2, c[0] + s / 2, c[1] + s / 2)
    return fits(b, [o.box for o in scene.objects])


def rel_free(scene, ref, rel):
    o = scene.objects[ref]
    s = SIZES["small"]
    cx, cy = o.center
    h = (o.box[2] - o.box[0]) / 2 + GAP + s / 2 + 0.01
    c = {"right_of": (cx + h, cy), "left_of": (cx - h, cy), "above": (cx, cy - h), "below": (cx, cy + h)}[rel]
    for k in range(8):  # the generator asks only where a small object fits near that side
        for d in (0, 0.05 * k, -0.05 * k):
            cc = (c[0] + (d if rel in ("above", "below") else 0.04 * k), c[1] + (d if rel in ("right_of", "left_of") else 0.04 * k)) \
                if rel in ("above", "below") else (c[0] + (0.04 * k if rel == "right_of" else -0.04 * k), c[1] + d)
            b = (cc[0] - s / 2, cc[1] - s / 2, cc[0] + s / 2, cc[1] + s / 2)
            if fits(b, [q.box for q in scene.objects]):
                return True
    return False


def one(scene, rng, bank, kind):
    objs = scene.objects
    t = lambda key: bank[key][int(rng.integers(len(bank[key])))]
    if kind == "refuse":
        r = rng.random()
        if r < 0.35:
            noun = OOV[int(rng.integers(len(OOV)))]
            return t("add").format(a=f"{article(noun)} {noun}", what=noun), [{"op": "refuse", "why": "oov"}]
        if r < 0.65:
            return STYLE[int(rng.integers(len(STYLE)))], [{"op": "refuse", "why": "not understood"}]
        if r < 0.8 and objs:
            s = objs[int(rng.integers(len(objs)))].name
            return ACCESSORY[int(rng.integers(len(ACCESSORY)))].format(s=s), [{"op": "refuse", "why": "not understood"}]
        present = {(o.name, o.color) for o in objs}
        for _ in range(20):
            s, c = SHAPES[int(rng.integers(6))], list(COLORS)[int(rng.integers(10))]
            if not any(o.name == s for o in objs):
                return t("remove").format(sel=f"the {c} {s}", selbare=f"{c} {pl(s)}"), [{"op": "refuse", "why": "impossible"}]
        return None
    if kind == "background":
        cur = scene.background.split()[1]
        c = [b for b in BACKGROUND_COLORS if b != cur][int(rng.integers(3))]
        return t("background").format(b=c), [{"op": "background", "to": f"plain {c}"}]
    if kind in ("add", "add_rel"):
        if len(objs) >= 6:
            return None
        s, c = SHAPES[int(rng.integers(6))], list(COLORS)[int(rng.integers(10))]
        a = f"{article(c)} {c} {s}"
        spec = {"op": "add", "shape": s, "color": c, "n": 1}
        if kind == "add":
            return t("add").format(a=a, what=f"{c} {s}"), [spec]
        if rng.random() < 0.4:
            reg = list(REGION)[int(rng.integers(5))]
            if not region_free(scene, reg):
                return None
            return f"{t('add')} {REGION[reg][int(rng.integers(len(REGION[reg])))]}".format(a=a, what=f"{c} {s}"), \
                [dict(spec, where={"region": reg})]
        g = [m for m in groups(scene).values() if len(m) == 1]
        if not g:
            return None
        ref = g[int(rng.integers(len(g)))][0]
        rel = list(REL)[int(rng.integers(4))]
        word = REL[rel][int(rng.integers(len(REL[rel])))]
        if word == "next to" or not rel_free(scene, ref, rel):
            return None
        ro = objs[ref]
        cn = len({o.color for o in objs if o.name == ro.name}) > 1
        refw = f"the {ro.color + ' ' if cn else ''}{ro.name}"
        return t("add_rel").format(a=a, rel=word, ref=refw), \
            [dict(spec, where={rel: {"s": ro.name, "c": ro.color if cn else None, "p": "all"}})]
    if kind == "count":
        g = groups(scene)
        (s, c), m = list(g.items())[int(rng.integers(len(g)))]
        if len({k[1] for k in g if k[0] == s}) > 1:
            return None
        ns = [n for n in range(1, 5) if n != len(m) and len(objs) - len(m) + n <= 6]
        if not ns:
            return None
        n = ns[int(rng.integers(len(ns)))]
        return t("count").format(n=NUMBER_WORDS[n], ps=pl(s, n)), [{"op": "count", "s": s, "c": c, "n": n}]
    if kind == "swap":
        single = [m[0] for m in groups(scene).values() if len(m) == 1]
        if len(single) < 2:
            return None
        a, b = rng.choice(single, 2, replace=False)
        oa, ob = objs[int(a)], objs[int(b)]
        if oa.name == ob.name or size_of(oa) != size_of(ob):
            return None
        if sum(o.name == oa.name for o in objs) > 1 or sum(o.name == ob.name for o in objs) > 1:
            return None  # "the heart" must name one object (fixed 12:40, before any model run)
        return t("swap").format(sel=f"the {oa.name}", sel2=f"the {ob.name}"), \
            [{"op": "swap", "a": {"s": oa.name, "p": "all"}, "b": {"s": ob.name, "p": "all"}}]
    picked = pick_selector(scene, rng, allow_one=kind in ("remove", "recolor"))
    if picked is None:
        return None
    sel, words, idx = picked
    selbare = words[4:] if words.startswith("the ") else words
    o = objs[idx[0]]
    if kind == "recolor":
        if any(objs[i].color != o.color for i in idx):
            return None
        c = [x for x in COLORS if x != o.color][int(rng.integers(9))]
        return t("recolor").format(sel=words, selbare=selbare, c=c, old=o.color), [{"op": "recolor", "sel": sel, "to": c}]
    if kind == "move":
        d = ["left", "right", "up", "down"][int(rng.integers(4))]
        if sel["p"] == "one" or not movable(scene, idx, d):
            return None
        dd = {"up": "top", "down": "bottom"}.get(d, d)
        return t("move").format(sel=words, d=d, dd=dd), [{"op": "move", "sel": sel, "dir": d}]
    if kind == "remove":
        if len(idx) == len(objs):
            return None
        return t("remove").format(sel=words, selbare=selbare), [{"op": "remove", "sel": sel}]
    if kind == "texture":
        cur = {objs[i].texture or "solid" for i in idx}
        if cur == {"solid"}:
            tex = ["striped", "dotted"][int(rng.integers(2))]
            tn = {"striped": "stripes", "dotted": "dots"}[tex]
            return t("texture").format(sel=words, selbare=selbare, t=tex, tn=tn), [{"op": "texture", "sel": sel, "to": tex}]
        if len(cur) == 1:
            tn = {"striped": "stripes", "dotted": "dots"}[cur.pop()]
            return t("untexture").format(sel=words, tn=tn), [{"op": "texture", "sel": sel, "to": "solid"}]
        return None
    if kind == "size":
        want = "bigger" if rng.random() < 0.5 else "smaller"
        if not resizable(scene, idx, want):
            return None
        return t(want).format(sel=words, selbare=selbare), [{"op": "size", "sel": sel, "to": want}]
    if kind == "replace":
        if sel["p"] == "one":
            return None
        s = [x for x in SHAPES if x != o.name][int(rng.integers(5))]
        if any(q.name == s for q in objs):
            return None
        return t("replace").format(sel=words, selbare=selbare, a=f"{article(s)} {s}", what=s), \
            [{"op": "replace", "sel": sel, "shape": s}]
    return None


KINDS = ["recolor", "move", "remove", "texture", "size", "add", "add_rel", "count", "replace", "swap",
         "background", "refuse"]


def generate(name, bank, seed0, n, split):
    rng = np.random.default_rng(abs(hash(name)) % 1000 if False else seed0)
    out, seed = [], seed0
    while len(out) < n:
        kind = KINDS[len(out) % len(KINDS)]
        for _ in range(50):
            seed += 1
            scene = sample_scene(seed)
            got = one(scene, rng, bank, kind)
            if got:
                break
        else:
            continue
        text, spec = got
        out.append({"id": f"{name}-{len(out):03d}", "source": name, "split": split, "scene": {"seed": seed},
                    "instruction": text, "spec": spec})
    return out


if __name__ == "__main__":
    rows = (generate("chatty", CHATTY, 200_000, 96, "dev") + generate("terse", TERSE, 210_000, 96, "dev")
            + generate("chatty", CHATTY, 250_000, 36, "heldout") + generate("terse", TERSE, 260_000, 36, "heldout"))
    for r in rows:
        if r["split"] == "heldout":
            r["id"] = "h" + r["id"]
        sys.stdout.write(json.dumps(r) + "\n")
