"""Deterministic repair of a plan that fails verification.

Cheapest fix first, each recorded as a :class:`Repair`:

1. drop objects beyond the 16-object cap and objects the request excluded;
2. fix attributes (colour/size/texture) of objects matched to a requirement by name;
3. drop surplus instances; add missing ones (in the rules engine's slot for that group);
4. grow degenerate boxes; set depth for in-front-of/behind;
5. move groups to satisfy failing relations (swap the two groups along the relation's axis) and
   shrink overlapping pairs;
6. if anything still fails: move every required object into the rules engine's box for it,
   keeping what the LLM said about it (name, caption, attributes), and drop unrequested objects
   that collide; as a last resort use the rules layout itself.

Every step is a bounded loop over at most 16 objects.
"""

from __future__ import annotations

from ..schema import Layout, SceneObject
from .layout_engine import caption_for, rules_layout
from .lexicon import singularize
from .types import Constraints, Repair
from .verify import MAX_OBJECTS, MIN_SIDE, assign, iou, norm_name, verify

# What people (and LLMs) call the things a request names: alias -> canonical name.
ALIASES: dict[str, str] = {
    "sofa": "couch", "settee": "couch", "television": "tv", "tv set": "tv", "ball": "sports ball",
    "aeroplane": "airplane", "plane": "airplane", "jet": "airplane", "motorbike": "motorcycle",
    "bike": "bicycle", "doughnut": "donut", "fridge": "refrigerator", "phone": "cell phone",
    "cellphone": "cell phone", "mobile phone": "cell phone", "smartphone": "cell phone",
    "hairdryer": "hair drier", "hair dryer": "hair drier", "dryer": "hair drier", "remote": "tv remote",
    "remote control": "tv remote", "mouse": "computer mouse", "keyboard": "computer keyboard",
    "racket": "tennis racket", "racquet": "tennis racket", "glove": "baseball glove",
    "bat": "baseball bat", "table": "dining table", "plant": "potted plant", "ski": "skis",
    "hotdog": "hot dog", "teddy": "teddy bear", "glass": "wine glass", "light": "traffic light",
    "hydrant": "fire hydrant", "sign": "stop sign", "meter": "parking meter", "puppy": "dog",
    "kitten": "cat", "kitty": "cat", "automobile": "car", "ship": "boat", "lorry": "truck",
    "calf": "cow", "bag": "handbag", "purse": "handbag", "luggage": "suitcase", "cupboard": "oven",
    "mug": "cup", "person": "person", "man": "person", "woman": "person", "boy": "person",
    "girl": "person", "child": "person", "kid": "person", "people": "person",
}


def align_names(layout: Layout, constraints: Constraints) -> tuple[Layout, list[Repair]]:
    """Rename objects whose name is an alias or the head word of a requested name ('sofa' ->
    'couch', 'bear' -> 'teddy bear') when the request names the canonical one and not the alias."""
    required = {s.name for s in constraints.objects}
    out, repairs = [], []
    for o in layout.objects:
        n = norm_name(o.name)
        target = None
        same = [r for r in required if norm_name(r) == n]
        if o.name not in required and len(same) == 1:  # 'sofa' for a requested couch: the request's word
            target = same[0]
        elif n not in required and not same:
            cand = ALIASES.get(n) if ALIASES.get(n) in required else ALIASES.get(singularize(o.name.lower()))
            if cand in required:
                target = cand
            else:
                heads = [r for r in required if r.split()[-1] == n or r.split()[0] == n or n.endswith(" " + r)]
                if len(heads) == 1:
                    target = heads[0]
        if target:
            repairs.append(Repair(stage="normalize", kind="rename", message=f"read '{o.name}' as '{target}'"))
            o = o.model_copy(update={"name": target})
        out.append(o)
    return layout.model_copy(update={"objects": out}), repairs


AXIS = {"left of": (0, -1), "right of": (0, 1), "next to": (0, 0), "above": (1, -1), "below": (1, 1)}


def _clamp_box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    w, h = min(max(x1 - x0, MIN_SIDE * 1.5), 1.0), min(max(y1 - y0, MIN_SIDE * 1.5), 1.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    cx, cy = min(max(cx, w / 2), 1 - w / 2), min(max(cy, h / 2), 1 - h / 2)
    return (max(0.0, cx - w / 2), max(0.0, cy - h / 2), min(1.0, cx + w / 2), min(1.0, cy + h / 2))


def _with_box(o: SceneObject, box) -> SceneObject:
    return o.model_copy(update={"box": _clamp_box(*box)})


def _shift(o: SceneObject, dx: float, dy: float) -> SceneObject:
    x0, y0, x1, y1 = o.box
    return _with_box(o, (x0 + dx, y0 + dy, x1 + dx, y1 + dy))


def _group_centre(objs: list[SceneObject], ids: list[int]) -> tuple[float, float]:
    xs = [objs[i].center[0] for i in ids]
    ys = [objs[i].center[1] for i in ids]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def _counts_and_attributes(objs: list[SceneObject], c: Constraints, engine: Layout,
                           repairs: list[Repair]) -> list[SceneObject]:
    """Steps 1-3 on a list of objects; returns the new list."""
    if len(objs) > MAX_OBJECTS:
        repairs.append(Repair(stage="rules", kind="cap", message=f"dropped {len(objs) - MAX_OBJECTS} objects beyond {MAX_OBJECTS}"))
        objs = objs[:MAX_OBJECTS]
    excluded = {norm_name(e) for e in c.excluded}
    kept = []
    for o in objs:
        if norm_name(o.name) in excluded:
            repairs.append(Repair(stage="rules", kind="remove", message=f"removed {o.phrase()}: excluded by the request"))
        else:
            kept.append(o)
    objs = kept
    lay = Layout(objects=objs)
    groups, mismatched, extra = assign(lay, c)
    for s, ids in enumerate(mismatched):
        spec = c.objects[s]
        for i in ids:
            upd = {k: getattr(spec, k) for k in ("color", "size", "texture") if getattr(spec, k)}
            before = objs[i].phrase()
            objs[i] = objs[i].model_copy(update={**upd, "caption": caption_for(spec)})
            repairs.append(Repair(stage="rules", kind="attribute", message=f"changed {before} to {objs[i].phrase()}"))
    for i in sorted(extra, reverse=True):
        repairs.append(Repair(stage="rules", kind="remove", message=f"removed {objs[i].phrase()}: more than requested"))
        del objs[i]
    # add missing instances in the engine's slots for the group
    lay = Layout(objects=objs)
    groups, mismatched, _ = assign(lay, c)
    start = 0
    for s, spec in enumerate(c.objects):
        slots = engine.objects[start:start + spec.count]
        start += spec.count
        have = len(groups[s]) + len(mismatched[s])
        for k in range(have, spec.count):
            new = slots[k]
            objs.append(new)
            repairs.append(Repair(stage="rules", kind="add",
                                  message=f"added {new.phrase()} at {tuple(round(v, 2) for v in new.box)}"))
    return objs


def _fix_geometry(objs: list[SceneObject], c: Constraints, repairs: list[Repair],
                  W: int = 512, H: int = 512, overlap: bool = True) -> list[SceneObject]:
    """Step 4-5: degenerate boxes, depth, swaps for failing relations, shrink overlaps."""
    for i, o in enumerate(objs):
        x0, y0, x1, y1 = o.box
        if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
            objs[i] = _with_box(o, o.box)
            repairs.append(Repair(stage="rules", kind="resize", message=f"enlarged the degenerate box of {o.phrase()}"))
    lay = Layout(width=W, height=H, objects=objs)
    groups, mismatched, _ = assign(lay, c)
    ids = [g + m for g, m in zip(groups, mismatched)]
    for v in verify(lay, c):
        if v.kind != "relation" or v.relation is None:
            continue
        rel = c.relations[v.relation]
        a, b = ids[rel.subject], ids[rel.target]
        if not a or not b:
            continue
        if rel.relation in ("in front of", "behind"):
            hi = max(objs[i].depth for i in a + b) + 1
            front, back = (a, b) if rel.relation == "in front of" else (b, a)
            lo = min(objs[i].depth for i in back)
            for i in front:
                objs[i] = objs[i].model_copy(update={"depth": max(hi, lo + 1)})
            repairs.append(Repair(stage="rules", kind="depth", message=f"drew {c.objects[rel.subject].name} {rel.relation} {c.objects[rel.target].name}"))
            continue
        if rel.relation not in AXIS:  # between/inside: the rules engine's boxes below fix them
            continue
        axis, sign = AXIS[rel.relation]
        ca, cb = _group_centre(objs, a), _group_centre(objs, b)
        if sign == 0:  # next to: keep the current side, or put a left of b
            sign = -1 if ca[0] <= cb[0] else 1
        if (ca[axis] - cb[axis]) * sign > 0:  # on the right side already: not a swap problem
            continue
        d = cb[axis] - ca[axis]
        for i in a:
            objs[i] = _shift(objs[i], d if axis == 0 else 0, d if axis == 1 else 0)
        for i in b:
            objs[i] = _shift(objs[i], -d if axis == 0 else 0, -d if axis == 1 else 0)
        repairs.append(Repair(stage="rules", kind="move", message=f"swapped {c.objects[rel.subject].name} and "
                              f"{c.objects[rel.target].name} so that {c.objects[rel.subject].name} is {rel.relation} {c.objects[rel.target].name}"))
    # shrink overlapping pairs around their centres (a few bounded rounds)
    for _ in range(3 if overlap else 0):
        changed = False
        lay = Layout(width=W, height=H, objects=objs)
        for v in verify(lay, c):
            if v.kind == "overlap":
                for i in v.objects:
                    x0, y0, x1, y1 = objs[i].box
                    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * 0.8, (y1 - y0) * 0.8
                    if w > 3 * MIN_SIDE and h > 3 * MIN_SIDE:
                        objs[i] = _with_box(objs[i], (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
                        changed = True
        if not changed:
            break
        repairs.append(Repair(stage="rules", kind="resize", message="shrank overlapping boxes"))
    return objs


def _replace_into_engine(objs: list[SceneObject], c: Constraints, engine: Layout,
                         repairs: list[Repair]) -> list[SceneObject]:
    lay = Layout(objects=objs)
    groups, mismatched, _ = assign(lay, c)
    out: list[SceneObject] = []
    start = 0
    for s, spec in enumerate(c.objects):
        slots = engine.objects[start:start + spec.count]
        start += spec.count
        for k, i in enumerate((groups[s] + mismatched[s])[:spec.count]):
            out.append(objs[i].model_copy(update={"box": slots[k].box, "depth": slots[k].depth}))
        for k in range(len(groups[s]) + len(mismatched[s]), spec.count):
            out.append(slots[k])
    required = set(groups_i for g in groups for groups_i in g) | set(i for m in mismatched for i in m)
    for i, o in enumerate(objs):
        if i in required:
            continue
        if all(iou(o.box, p.box) <= 0.05 for p in out):
            out.append(o)
        else:
            repairs.append(Repair(stage="rules", kind="remove", message=f"removed unrequested {o.phrase()}: it collided with the layout"))
    repairs.append(Repair(stage="rules", kind="move", message="moved the requested objects into the rules engine's boxes"))
    return out


def repair_layout(layout: Layout, constraints: Constraints, *, seed: int = 0,
                  overlap: bool = True) -> tuple[Layout, list[Repair]]:
    """Repair ``layout`` until it satisfies ``constraints``; return it and what was done.
    ``overlap=False``: the overlap bound is not a reason to change the plan (see :func:`verify`)."""
    repairs: list[Repair] = []
    if not verify(layout, constraints, overlap=overlap):
        return layout, repairs
    W, H = layout.width, layout.height
    engine = rules_layout(constraints, seed=seed, width=W, height=H)
    objs = _counts_and_attributes(list(layout.objects), constraints, engine, repairs)
    objs = _fix_geometry(objs, constraints, repairs, W, H, overlap)
    fixed = layout.model_copy(update={"objects": objs})
    if not verify(fixed, constraints, overlap=overlap):
        return fixed, repairs
    objs = _replace_into_engine(objs, constraints, engine, repairs)
    fixed = layout.model_copy(update={"objects": objs})
    if not verify(fixed, constraints, overlap=overlap):
        return fixed, repairs
    repairs.append(Repair(stage="rules", kind="replace", message="used the rules layout"))
    keep = {"background": layout.background or engine.background, "caption": layout.caption or engine.caption}
    return engine.model_copy(update=keep), repairs
