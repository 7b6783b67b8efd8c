"""Natural-instruction editing benchmark: instructions as people phrase them, judged by the detector.

The set (``benchmarks/data/edits/``) was written before and separately from limner's instruction
reader: 124 hand-written instructions on 16 hand-made scenes (``hand.txt``, ``scenes.json``; the
README main job's scene among them) and 264 from two independent generators with their own phrase
banks over world-corpus scenes (``make_generated.py`` → ``generated.jsonl``). Every instruction
carries a structured spec written with it; the expected outcome is computed here from the exact
source layout and that spec — this file imports nothing from ``limner.edit`` but the pipeline under
test (``edit.embedded.edit_inputs``, which is what ``limner edit`` runs) and ``detect_layout``.

Each source is rendered at 32×32 and edited as ``limner edit`` does; a refusal is what ``limner
edit`` would exit 2 with. The result is detected and judged per item:

* **success** — the asked change happened (for refusal items: it was refused);
* **preservation** — on edited images, everything else kept (other objects' shape, colour, texture
  within 0.09 of where they were, no extra objects, same background);
* **refusal** — out-of-vocabulary / impossible / not-understood items refused, and how many doable
  items were refused by mistake.

Items are split into ``dev`` and ``heldout`` (generator seeds 250000+ and every sixth hand line);
``--split`` picks. Last line: ``natural_success=<x>``.

    python benchmarks/edit_natural.py --split all
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "edits"
SIZES = {"small": 0.22, "medium": 0.30, "large": 0.38}
DIRS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
TOL = 0.09


def load_items(split: str = "all") -> list[dict]:
    from limner.schema import Layout, SceneObject
    from limner.world.corpus import sample_scene

    scenes = json.loads((DATA / "scenes.json").read_text())
    items = []
    lines = [ln for ln in (DATA / "hand.txt").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    for k, ln in enumerate(lines):
        name, ins, spec = (x.strip() for x in ln.split("|", 2))
        sc = scenes[name]
        objs = [SceneObject(name=s, color=c, size=z, texture=t, box=(x - SIZES[z] / 2, y - SIZES[z] / 2,
                                                                     x + SIZES[z] / 2, y + SIZES[z] / 2))
                for s, c, z, t, x, y in sc["objects"]]
        items.append({"id": f"hand-{k:03d}", "source": "hand", "split": "heldout" if k % 6 == 5 else "dev",
                      "layout": Layout(width=512, height=512, objects=objs, background=sc["bg"]),
                      "instruction": ins, "spec": json.loads(spec)})
    for ln in (DATA / "generated.jsonl").read_text().splitlines():
        r = json.loads(ln)
        r["layout"] = sample_scene(r["scene"]["seed"])
        items.append(r)
    return [i for i in items if split == "all" or i["split"] == split]


def kind_of(spec: list[dict]) -> str:
    if len(spec) > 1:
        return "multi"
    s = spec[0]
    if s["op"] == "add" and s.get("where"):
        return "add-placed"
    return s["op"]


# -- expected outcome, from the exact source layout and the spec --------------------------------
def _obj(o, **kw):
    d = {"name": o.name, "color": o.color, "texture": o.texture or "solid", "c": o.center,
         "side": o.box[2] - o.box[0], "how": "fixed", "edited": False}
    d.update(kw)
    return d


def _candidates(objs: list[dict], sel: dict) -> list[list[int]]:
    """Alternatives (lists of indices) a spec selector allows."""
    idx = [i for i, o in enumerate(objs) if o["name"] == sel["s"] and (not sel.get("c") or o["color"] == sel["c"])]
    p = sel.get("p", "all")
    if p in ("striped", "dotted", "solid"):
        return [[i for i in idx if objs[i]["texture"] == p]]
    if p == "all":
        return [idx]
    if p == "one":
        return [[i] for i in idx]
    if p in ("largest", "smallest"):
        sides = [objs[i]["side"] for i in idx]
        ref = max(sides) if p == "largest" else min(sides)
        return [[i for i in idx if abs(objs[i]["side"] - ref) < 0.04]]
    key = {"leftmost": lambda i: objs[i]["c"][0], "rightmost": lambda i: -objs[i]["c"][0],
           "top": lambda i: objs[i]["c"][1], "bottom": lambda i: -objs[i]["c"][1],
           "2nd": lambda i: objs[i]["c"][0]}[p]
    order = sorted(idx, key=key)
    if p == "2nd":
        return [[order[1]]]
    best = key(order[0])
    return [[i for i in order if key(i) - best < 0.12]]


def expectations(layout, spec: list[dict]) -> list[tuple[list[dict], str | None]]:
    """All (expected objects, expected background) outcomes the spec allows."""
    base = [_obj(o) for o in layout.objects]
    outs = [(base, layout.background)]
    for op in spec:
        nxt = []
        for objs, bg in outs:
            for alt in _apply(objs, bg, op):
                nxt.append(alt)
        outs = nxt
    return outs


def _apply(objs, bg, op):
    o = op["op"]
    if o == "background":
        return [(objs, op["to"])]
    if o == "add":
        where = op.get("where") or {}
        ref = None
        for rel, sel in where.items():
            if rel != "region":
                ref = [objs[i]["c"] for i in _candidates(objs, sel)[0]]
        new = [dict(name=op["shape"], color=op.get("color"), texture=None, c=None, side=None, how="new",
                    where=where, ref=ref, edited=True) for _ in range(op.get("n", 1))]
        return [([dict(x) for x in objs] + new, bg)]
    if o == "count":
        grp = [i for i, x in enumerate(objs) if x["name"] == op["s"] and (not op.get("c") or x["color"] == op["c"])]
        keep = [dict(x) for i, x in enumerate(objs) if i not in grp]
        g = dict(name=op["s"], color=op.get("c") or (objs[grp[0]]["color"] if grp else None), how="group",
                 n=op["n"], origins=[objs[i]["c"] for i in grp], edited=True, texture=None, c=None, side=None)
        return [(keep + [g], bg)]
    sels = [op["a"], op["b"]] if o == "swap" else [op["sel"]]
    alts = list(itertools.product(*[_candidates(objs, s) for s in sels]))
    res = []
    for alt in alts:
        new = [dict(x) for x in objs]
        if o == "swap":
            (a,), (b,) = alt
            new[a].update(c=objs[b]["c"], how="swapped", edited=True)
            new[b].update(c=objs[a]["c"], how="swapped", edited=True)
            res.append((new, bg))
            continue
        idx = alt[0]
        for i in idx:
            x = new[i]
            x["edited"] = True
            if o == "recolor":
                x["color"] = op["to"]
            elif o == "texture":
                x["texture"] = op["to"]
            elif o == "replace":
                x["name"] = op["shape"]
            elif o == "move":
                x.update(how="moved", dir=op["dir"])
            elif o == "size":
                x.update(how="resized", want=op["to"])
            elif o == "remove":
                x["how"] = "removed"
        res.append(([x for x in new if x["how"] != "removed"], bg))
    return res


# -- judging a detected result against one expected outcome -------------------------------------
def _d(a, b):
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def _where_ok(c, e) -> bool:
    w = e.get("where") or {}
    if "region" in w:
        x, y = c
        r = w["region"]
        return {"top-left": x < 0.5 and y < 0.5, "top-right": x > 0.5 and y < 0.5,
                "bottom-left": x < 0.5 and y > 0.5, "bottom-right": x > 0.5 and y > 0.5,
                "center": abs(x - 0.5) < 0.22 and abs(y - 0.5) < 0.22}[r]
    if e.get("ref"):
        rel = next(k for k in w if k != "region")
        (rx, ry), (x, y) = e["ref"][0], c
        if rel == "between":
            (ax, ay), (bx, by) = e["ref"][0], e["ref"][1]
            t = ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / max((bx - ax) ** 2 + (by - ay) ** 2, 1e-9)
            px, py = ax + t * (bx - ax), ay + t * (by - ay)
            return 0.1 <= t <= 0.9 and _d((x, y), (px, py)) < 0.2
        return {"right_of": x > rx + 0.05 and abs(y - ry) < 0.3, "left_of": x < rx - 0.05 and abs(y - ry) < 0.3,
                "above": y < ry - 0.05 and abs(x - rx) < 0.3, "below": y > ry + 0.05 and abs(x - rx) < 0.3}[rel]
    return True


def _bgkey(bg):
    w = (bg or "").split()
    return tuple(w) if w and w[0] == "gradient" else tuple(w[:2])


def judge_one(exp, exp_bg, src_bg, det) -> tuple[bool, bool, list[str]]:
    pool = list(det.objects)
    ok_s, ok_p, why = True, True, []

    def take(pred, key):
        cands = [(key(p), j) for j, p in enumerate(pool) if pred(p)]
        if not cands:
            return None
        return pool.pop(min(cands)[1])

    for e in sorted(exp, key=lambda e: e["edited"]):  # untouched first, then the edited ones
        h = e["how"]
        same = lambda p, e=e: p.name == e["name"] and (e["color"] is None or p.color == e["color"])  # noqa: E731
        if h in ("fixed", "swapped"):
            tol = TOL if h == "fixed" else TOL + 0.03
            p = take(lambda p: same(p) and _d(p.center, e["c"]) <= tol, lambda p: _d(p.center, e["c"]))
            bad = p is None or (p.texture and e["texture"] and (p.texture or "solid") != e["texture"])
            if bad:
                why.append(f"{'missing' if p is None else 'texture'}: {e['color']} {e['name']}")
                if e["edited"]:
                    ok_s = False
                else:
                    ok_p = False
        elif h == "moved":
            dx, dy = DIRS[e["dir"]]
            p = take(lambda p: same(p) and (p.center[0] - e["c"][0]) * dx + (p.center[1] - e["c"][1]) * dy >= 0.1
                     and abs((p.center[0] - e["c"][0]) * dy) + abs((p.center[1] - e["c"][1]) * dx) <= TOL,
                     lambda p: 0)
            if p is None:
                ok_s = False
                why.append(f"not moved {e['dir']}: {e['name']}")
        elif h == "resized":
            def grown(p, e=e):
                r = (p.box[2] - p.box[0]) / max(e["side"], 1e-6)
                return r >= 1.12 if e["want"] == "bigger" else r <= 1 / 1.12
            p = take(lambda p: same(p) and _d(p.center, e["c"]) <= 0.15 and grown(p), lambda p: _d(p.center, e["c"]))
            if p is None:
                ok_s = False
                why.append(f"not {e['want']}: {e['name']}")
        elif h == "new":
            p = take(lambda p: same(p) and _where_ok(p.center, e), lambda p: 0)
            if p is None:
                ok_s = False
                why.append(f"not added: {e['color']} {e['name']} {e.get('where') or ''}")
        elif h == "group":
            got = [p for p in pool if same(p)]
            for p in got:
                pool.remove(p)
            if len(got) != e["n"]:
                ok_s = False
                why.append(f"{len(got)} {e['name']}s, wanted {e['n']}")
            stay = sum(1 for o in e["origins"] if any(_d(o, p.center) <= TOL for p in got))
            if stay < min(e["n"], len(e["origins"])):
                ok_p = False
                why.append("kept ones moved")
    if pool:
        ok_p = False
        why.append("extra: " + ", ".join(f"{p.color} {p.name}" for p in pool))
    if exp_bg != src_bg:
        if _bgkey(det.background) != _bgkey(exp_bg):
            ok_s = False
            why.append(f"background {det.background!r}, wanted {exp_bg!r}")
    elif det.background and _bgkey(det.background) != _bgkey(src_bg):
        ok_p = False
        why.append("background changed")
    return ok_s, ok_p, why


def judge(item, det) -> tuple[bool, bool, list[str]]:
    best = None
    for exp, bg in expectations(item["layout"], item["spec"]):
        r = judge_one(exp, bg, item["layout"].background, det)
        if best is None or (r[0], r[1]) > (best[0], best[1]):
            best = r
    return best


# -- running the pipeline under test -----------------------------------------------------------
def run(items, model, steps: int, batch: int, llm=None):
    """Edit every item as ``limner edit`` does and judge it; ``model=None`` renders the planned
    target exactly instead (the planner's ceiling: reading + selection + placement)."""
    from limner.edit.embedded import DEFAULT_GUIDANCE, DEFAULT_IMAGE_GUIDANCE, edit_inputs, generators, stack_inputs, to_images
    from limner.edit.sketch import detect_layout
    from limner.world.render import render_layout

    rows = []
    todo = []
    for it in items:
        kw = {"llm": llm} if llm is not None else {}
        inp = edit_inputs(render_layout(it["layout"], 32), it["instruction"], **kw)
        refuse_expected = it["spec"][0]["op"] == "refuse"
        row = {"id": it["id"], "split": it["split"], "kind": kind_of(it["spec"]), "instruction": it["instruction"],
               "expect_refusal": refuse_expected, "refused": getattr(inp, "refusal", None) is not None,
               "refusal": getattr(inp, "refusal", None)}
        rows.append(row)
        if getattr(inp, "refusal", None) is None:  # (a pipeline without refusals runs everything)
            todo.append((row, it, inp))
    for a in range(0, len(todo), batch):
        chunk = todo[a:a + batch]
        if model is None:
            images = [render_layout(c[2].target, 32) for c in chunk]
        else:
            args, kw = stack_inputs([c[2] for c in chunk])
            x = model.edit(*args, **kw, image_guidance_scale=DEFAULT_IMAGE_GUIDANCE, guidance_scale=DEFAULT_GUIDANCE,
                           num_inference_steps=steps, generators=generators(range(a, a + len(chunk))))
            images = to_images(x)
        for (row, it, _), img in zip(chunk, images):
            det = detect_layout(img)
            if row["expect_refusal"]:
                row.update(success=False, preserved=False, reasons=["not refused"])
            else:
                s, p, why = judge(it, det)
                row.update(success=s, preserved=p, reasons=why)
    for row in rows:
        if row["refused"]:
            row.update(success=row["expect_refusal"], preserved=True,
                       reasons=[] if row["expect_refusal"] else [f"refused: {row['refusal']}"])
    return rows


def report(rows, name):
    by = defaultdict(list)
    for r in rows:
        by[r["kind"]].append(r)
    for k in sorted(by):
        v = by[k]
        edited = [r for r in v if not r["refused"]]
        pres = np.mean([r["preserved"] for r in edited]) if edited else float("nan")
        print(f"{name:>8s} {k:>11s}: success={np.mean([r['success'] for r in v]):.3f} "
              f"preservation={pres:.3f} refused={sum(r['refused'] for r in v)}/{len(v)} (n={len(v)})")
    doable = [r for r in rows if not r["expect_refusal"]]
    edited = [r for r in doable if not r["refused"]]
    ref = [r for r in rows if r["expect_refusal"]]
    s = float(np.mean([r["success"] for r in doable])) if doable else 0.0
    p = float(np.mean([r["preserved"] for r in edited])) if edited else 0.0
    rc = float(np.mean([r["refused"] for r in ref])) if ref else 1.0
    fr = float(np.mean([r["refused"] for r in doable])) if doable else 0.0
    print(f"{name:>8s} {'overall':>11s}: success={s:.3f} preservation={p:.3f} refusal_correct={rc:.3f} "
          f"false_refusals={fr:.3f} (n={len(rows)}: {len(doable)} doable, {len(ref)} to refuse)")
    return s, p, rc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="all", choices=["all", "dev", "heldout"])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--weights", default=None)
    ap.add_argument("--oracle", action="store_true", help="judge the exact rendering of the planned target instead of the model (the planner's ceiling)")
    ap.add_argument("--dump", default=None, help="write per-item rows (JSONL) here")
    ap.add_argument("--llm", default=None, help="an LLM backend id: the LLM reader reads what the rules refuse "
                    "as not understood (as limner edit --llm)")
    a = ap.parse_args(argv)
    import torch

    torch.set_num_threads(a.threads)
    from limner.models.edit_model import WEIGHTS_DIR, EditModel

    items = load_items(a.split)
    t0 = time.time()
    model = None if a.oracle else EditModel.from_pretrained(a.weights or WEIGHTS_DIR)
    llm = None
    if a.llm:
        from limner.llm import get_llm

        llm = get_llm(a.llm)
    rows = run(items, model, a.steps, a.batch, llm=llm)
    print(f"items: {len(items)} ({a.split}); {time.time() - t0:.0f}s")
    out = {}
    for split in (["dev", "heldout"] if a.split == "all" else [a.split]):
        sub = [r for r in rows if r["split"] == split]
        if sub:
            out[split] = report(sub, split)
    s, p, rc = report(rows, "all")
    if a.dump:
        with open(a.dump, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    print(f"natural_success={s:.3f} preservation={p:.3f} refusal_correct={rc:.3f}")


if __name__ == "__main__":
    main()
