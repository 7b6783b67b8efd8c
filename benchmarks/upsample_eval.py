"""Upsampling and expansion that keep what was asked: a hand-labelled dev set, scored per class.

    HF_HUB_OFFLINE=1 python benchmarks/upsample_eval.py [--limit 131] [--div-limit 12] [--seed 0]

The dev set (``benchmarks/data/upsample/dev.jsonl``, 131 requests: styled, scene and abstract) was
written by hand before the checker, with what each request must keep: medium family, named style,
time of day, season, viewpoint, relations (subject, relation, object) and main subjects. It is
scored here by a *separate*, deliberately plain scorer (word lists below, not limner's lexicons):

* kept: the caption names the labelled medium family / style / time / season / view, or says
  subject ... relation ... object in that order in one sentence;
* contradicted: it names a conflicting medium family, time, season or view, a different named
  style, or inverts a relation (object ... relation ... subject);
* added subject: it names a person or animal (this scorer's list) that the request does not.

Three captions per request: the LLM's first reply alone, the old checker (countable facts only,
``guard=False``) and the new one (``guard=True``). Then expansion diversity (mean pairwise cosine
distance of N expansions, MiniLM) and alignment, unchecked vs checked, on the first
``--div-limit`` requests spread over the set (same LLM replies: the cache is on). Last line:
name=value pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "benchmarks" / "data" / "upsample" / "dev.jsonl"

PHOTO = ["photo", "photograph", "photography", "photographic", "polaroid", "dslr", "snapshot", "film still"]
PAINT = ["painting", "oil on canvas", "watercolor", "watercolour", "gouache", "acrylic", "fresco", "brushstroke"]
DRAW = ["drawing", "sketch", "pencil", "charcoal", "crayon", "pastel drawing", "ink drawing", "line art"]
RENDER = ["render", "3d", "3-d", "cgi", "octane", "unreal engine", "low poly", "blender"]
ART = PAINT + DRAW + RENDER + ["illustration", "cartoon", "anime", "manga", "pixel art", "digital art",
                              "comic", "woodcut", "linocut", "sculpture", "statue", "embroider"]
MEDIUM = {  # family: (words that keep it, words that contradict it)
    "photo": (PHOTO, ART),
    "painting": (PAINT + ["painted", "oil"], PHOTO + RENDER + ["pixel art"]),
    "watercolor": (["watercolor", "watercolour"], PHOTO + RENDER + ["oil painting", "oil on canvas", "acrylic"]),
    "drawing": (DRAW + ["drawn"], PHOTO + RENDER + ["oil painting", "watercolor", "watercolour"]),
    "render": (RENDER + ["rendered"], PHOTO + PAINT + DRAW),
    "pixel": (["pixel"], PHOTO + PAINT + DRAW + ["3d render", "cgi"]),
    "anime": (["anime", "manga"], PHOTO + RENDER + ["oil painting", "watercolor"]),
    "cartoon": (["cartoon", "comic"], PHOTO + RENDER),
    "comic": (["comic", "cartoon"], PHOTO + RENDER),
    "print": (["print", "woodcut", "linocut", "woodblock", "ukiyo"], PHOTO + RENDER),
    "sculpture": (["sculpture", "statue", "marble", "bronze", "clay", "figure"], PHOTO + PAINT + DRAW),
    "textile": (["embroider", "tapestry", "stitch", "patch", "woven"], PHOTO + RENDER),
    "illustration": (["illustration", "illustrated", "vector", "drawing", "flat"], PHOTO),
    "digital": (["digital"], PHOTO),
    "poster": (["poster"], PHOTO),
    "graffiti": (["graffiti", "mural", "spray"], PHOTO + RENDER),
    "stained glass": (["stained glass", "stained-glass"], RENDER),
}
TIME = {
    "night": (["night", "midnight", "moon", "star", "nocturnal"], ["daylight", "daytime", "sunny", "midday",
              "noon", "afternoon", "morning", "sunrise", "dawn", "sunshine", "sunset", "golden hour"]),
    "dusk": (["dusk", "sunset", "evening", "twilight", "golden hour"], ["midnight", "noon", "midday",
             "morning", "dawn", "sunrise", "broad daylight"]),
    "dawn": (["dawn", "sunrise", "daybreak", "early morning", "first light"], ["night", "midnight",
             "sunset", "dusk", "evening", "noon", "afternoon"]),
    "morning": (["morning", "dawn", "sunrise"], ["night", "midnight", "sunset", "dusk", "evening", "afternoon"]),
    "day": (["noon", "midday", "daylight", "daytime", "sunny", "sun"], ["night", "midnight", "moonlight",
            "moonlit", "sunset", "dusk", "starry", "evening"]),
}
SEASON = {"winter": (["winter", "snow", "frost", "icy"], ["summer", "autumn", "spring blossom"]),
          "summer": (["summer"], ["winter", "snow", "autumn"]),
          "autumn": (["autumn", "fall"], ["winter", "summer", "spring", "snow"])}
VIEW = {"close": (["close-up", "close up", "closeup", "macro", "detail"], ["wide shot", "wide-angle",
                  "wide angle", "aerial", "panoram", "full body", "landscape view"]),
        "wide": (["wide", "panoram", "vast", "expansive"], ["close-up", "close up", "macro"]),
        "above": (["aerial", "bird", "overhead", "top-down", "top down", "from above", "drone"],
                  ["low angle", "worm", "from below", "eye level", "eye-level"]),
        "below": (["low angle", "low-angle", "from below", "looking up", "worm"],
                  ["aerial", "overhead", "top-down", "bird's-eye", "from above"]),
        "side": (["side view", "profile", "from the side", "side-on"], ["front view", "from behind", "rear view"])}
STYLES = ["art nouveau", "art deco", "cubis", "impressionis", "surreal", "baroque", "renaissance", "ukiyo",
          "cyberpunk", "steampunk", "ghibli", "van gogh", "monet", "rembrandt", "klimt", "rutkowski",
          "picasso", "dali", "pop art", "gothic", "minimalis", "expressionis", "vaporwave", "artstation"]
REL_FORMS = {"wearing": "wear wears wearing wore worn", "holding": "hold holds holding held",
             "riding": "ride rides riding rode ridden", "reading": "read reads reading",
             "catching": "catch catches catching caught", "eating": "eat eats eating ate",
             "pulling": "pull pulls pulling pulled", "hunting": "hunt hunts hunting hunted",
             "tying": "tie ties tying tied", "crossing": "cross crosses crossing crossed",
             "feeding": "feed feeds feeding fed", "flying": "fly flies flying flew",
             "fighting": "fight fights fighting fought", "knitting": "knit knits knitting knitted",
             "pouring": "pour pours pouring poured", "chasing": "chase chases chasing chased",
             "walking": "walk walks walking walked", "carrying": "carry carries carrying carried",
             "watering": "water waters watering watered", "hugging": "hug hugs hugging hugged",
             "fixing": "fix fixes fixing fixed", "climbing": "climb climbs climbing climbed",
             "on": "on atop upon onto", "under": "under beneath underneath below",
             "above": "above over", "over": "over above", "around": "around", "against": "against",
             "behind": "behind", "in": "in inside"}
ANIMATE = set("""man men woman women boy girl child children kid person people gentleman lady baby
figure couple family crowd soldier knight king queen farmer chef dog dogs puppy cat cats kitten bird
birds horse horses deer fox rabbit bear owl duck ducks sheep cow cows lion tiger wolf squirrel mouse
fish butterfly bee robot dragon elephant monkey goat pig frog snake eagle seagull seagulls pigeon
gull gulls parrot swan children friends tourist tourists traveler fisherman sailor villager""".split())


def words(t: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", t.lower())


def has_any(text: str, terms: list[str]) -> bool:
    t = " " + " ".join(words(text)) + " "
    return any((" " + " ".join(words(x))) in t for x in terms)


def rel_status(text: str, s: str, v: str, o: str) -> str:
    forms = set(REL_FORMS.get(v, v).split())
    best = ""
    for sent in re.split(r"[.!?;]", text):
        ws = words(sent)
        ps = [i for i, w in enumerate(ws) if w.startswith(s[:4])]
        po = [i for i, w in enumerate(ws) if w.startswith(o[:4])]
        pv = [i for i, w in enumerate(ws) if w in forms]
        for a in ps:
            for b in po:
                if 0 < b - a <= 12 and any(a < k < b for k in pv):
                    return "kept"
                if 0 < a - b <= 12 and any(b < k < a for k in pv) and "by" not in ws[b:a]:
                    best = "inverted"
    return best


def score(row: dict, text: str) -> dict[str, tuple[int, int]]:
    """class -> (kept, contradicted) for each labelled fact; 'subject' -> (0, added)."""
    out: dict[str, tuple[int, int]] = {}
    if row.get("medium"):
        keep, bad = MEDIUM[row["medium"]]
        out["medium"] = (int(has_any(text, keep)), int(has_any(text, bad)))
    for st in row.get("style", []):
        others = [s for s in STYLES if s not in st and st not in s]
        out["style"] = (int(st in text.lower()), int(has_any(text, others)))
    for key, table in (("time", TIME), ("season", SEASON), ("view", VIEW)):
        if row.get(key):
            keep, bad = table[row[key]]
            out[key] = (int(has_any(text, keep)), int(has_any(text, bad)))
    rels = row.get("relations", [])
    if rels:
        st = [rel_status(text, *r) for r in rels]
        out["relation"] = (sum(x == "kept" for x in st), sum(x == "inverted" for x in st))
        out["relation_n"] = (len(rels), 0)
    if row.get("subjects"):
        asked = set(words(row["prompt"])) | {w for s in row["subjects"] for w in words(s)}
        asked |= {w.rstrip("s") for w in asked}
        added = [w for w in words(text) if w in ANIMATE and w not in asked and w.rstrip("s") not in asked]
        out["subject"] = (0, int(bool(added)))
    return out


PARTI_MEDIUM = [("photo", ["photo", "photograph", "polaroid"]), ("watercolor", ["watercolor", "watercolour"]),
                ("painting", ["painting", "oil on canvas"]), ("drawing", ["drawing", "sketch"]),
                ("render", ["3d render", "3d rendering"]), ("anime", ["anime", "manga"]),
                ("cartoon", ["cartoon", "comic"]), ("pixel", ["pixel art"])]


def parti_rows(n: int) -> list[dict]:
    """PartiPrompts naming one medium family, labelled by PARTI_MEDIUM (no relations/subjects)."""
    import csv

    shared = Path(os.environ.get("LIMNER_SHARED", ROOT.parent / "shared"))
    path = shared / "benchmarks" / "partiprompts" / "PartiPrompts.tsv"
    out = []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            p = " ".join(r["Prompt"].split())
            fams = [fam for fam, ws in PARTI_MEDIUM if has_any(p, ws)]
            if len(fams) == 1 and len(p) <= 300:
                out.append({"cat": "parti", "prompt": p, "medium": fams[0]})
    return out[:n]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--every", type=int, default=1, help="take every k-th request (a spread subset)")
    ap.add_argument("--div-limit", type=int, default=12)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parti", type=int, default=0, help="instead of the dev set: the first N "
                    "PartiPrompts that name a medium (labelled by this scorer's word lists)")
    ap.add_argument("--dump", type=Path, default=None, help="append every caption to this JSONL")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import numpy as np

    from limner.expand import expand
    from limner.expand.embed import diversity as div
    from limner.expand.embed import embed
    from limner.expand.upsample import upsample, upsample_report
    from limner.llm import get_llm

    llm = get_llm()
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.parti:
        rows = parti_rows(args.parti)
    rows = rows[::args.every][:args.limit]
    print(f"# {len(rows)} dev requests, seed={args.seed}, llm={llm.describe()}", flush=True)
    arms = ("llm", "old", "new")
    tot: dict[str, dict[str, list[int]]] = {a: defaultdict(lambda: [0, 0, 0]) for a in arms}
    removed_n, dump = 0, []
    for k, row in enumerate(rows):
        rep = upsample_report(row["prompt"], seed=args.seed, llm=llm, guard=True)
        old = upsample(row["prompt"], seed=args.seed, llm=llm, guard=False)
        caps = {"llm": rep.first_reply or "", "old": old.text, "new": rep.expansion.text}
        removed_n += len(rep.removed)
        for a in arms:
            for cls, (kept, bad) in score(row, caps[a]).items():
                t = tot[a][cls]
                t[0] += kept
                t[1] += bad
                t[2] += 1
        dump.append({"prompt": row["prompt"], **caps, "removed": [[f.what, f.removed] for f in rep.removed]})
        if args.dump:
            with args.dump.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(dump[-1], ensure_ascii=False) + "\n")
        if args.verbose:
            print(f"[{k + 1}] {row['prompt']}\n   llm: {caps['llm']}\n   new: {caps['new']}\n   removed: "
                  f"{[f.what for f in rep.removed]}", flush=True)
        elif (k + 1) % 10 == 0:
            print(f"[{k + 1}/{len(rows)}]", flush=True)
    print("\n# per class: kept / contradicted (of n labelled)   LLM alone | old checker | new checker")
    res = {}
    for cls in ("medium", "style", "time", "season", "view", "relation"):
        cells = []
        for a in arms:
            kept, bad, n = tot[a][cls]
            if cls == "relation":
                n = tot[a]["relation_n"][0]
            cells.append(f"{kept / max(n, 1):.2f} / {bad / max(n, 1):.2f}")
            res[(a, cls)] = (kept / max(n, 1), bad / max(n, 1), n)
        print(f"{cls:9s} n={res[('new', cls)][2]:3d}   " + " | ".join(cells))
    subj = {a: tot[a]["subject"] for a in arms}
    print("added person/animal (share of requests with a subject): " + " | ".join(
        f"{a} {subj[a][1] / max(subj[a][2], 1):.3f}" for a in arms))
    print(f"clauses removed by the new checker: {removed_n} on {len(rows)} requests")

    m = res[("new", "medium")]
    if args.div_limit <= 0:
        print(f"medium_kept={m[0]:.3f} medium_contradicted={m[1]:.3f} "
              f"added_subject={subj['new'][1] / max(subj['new'][2], 1):.3f}")
        return 0
    step = max(1, len(rows) // max(args.div_limit, 1))
    drows = rows[::step][:args.div_limit]  # spread over styled, scene and abstract requests
    from limner.expand.guard import read_request

    dres = {g: {"div": [], "align": [], "free": []} for g in ("unchecked", "checked")}
    for row in drows:
        qv = embed([row["prompt"]])[0]
        free = not read_request(row["prompt"]).terms  # states no medium/style/time/...: all free
        for g in dres:
            out = expand(row["prompt"], args.n, seed=args.seed, llm=llm, guard=(g == "checked"))
            vecs = embed([e.text for e in out])
            dres[g]["div"].append(div(vecs))
            dres[g]["align"].append(float(np.mean(vecs @ qv)))
            dres[g]["free"].append(free)
            if args.verbose:
                for e in out:
                    print(f"   {g}: {e.text}")
    d0, d1 = (float(np.mean(dres[g]["div"])) for g in ("unchecked", "checked"))
    a0, a1 = (float(np.mean(dres[g]["align"])) for g in ("unchecked", "checked"))
    print(f"\n# expansion on {len(drows)} requests (N={args.n}): diversity unchecked {d0:.4f} -> checked "
          f"{d1:.4f} (ratio {d1 / max(d0, 1e-9):.3f}); alignment {a0:.4f} -> {a1:.4f}")
    for name, want in (("free (request states no medium/style/time/view)", True),
                       ("constrained (request states one)", False)):
        sel = [i for i, f in enumerate(dres["unchecked"]["free"]) if f is want]
        if sel:
            u, c = (float(np.mean([dres[g]["div"][i] for i in sel])) for g in ("unchecked", "checked"))
            print(f"  {name}: {len(sel)} requests, diversity {u:.4f} -> {c:.4f} (ratio {c / max(u, 1e-9):.3f})")
    print(f"medium_kept={m[0]:.3f} medium_contradicted={m[1]:.3f} relation_kept={res[('new', 'relation')][0]:.3f} "
          f"added_subject={subj['new'][1] / max(subj['new'][2], 1):.3f} diversity_ratio={d1 / max(d0, 1e-9):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
