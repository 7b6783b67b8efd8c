"""The edit-data engine (InstructPix2Pix §3.1 at world scale): caption → (instruction, edited
caption) by an LLM → a before/after image pair → a filter that keeps only faithful pairs.

For each item ``i`` (a world scene ``seed_start + i``, or line ``i`` of a captions file):

1. **Source scene.** World: ``sample_scene(seed)``. Captions file: the planning parser
   (``plan.parse.parse_request`` + ``plan.layout_engine.rules_layout``) lays the caption out; a
   caption with things the world cannot draw is dropped (with a diffusers image backend the
   baseline would be SD with the same seed for before and after — not implemented here).
2. **Proposal.** Backend ``template``: a deterministic op (``edit.ops.random_edit``) worded by
   templates. Any LLM backend (``embedded``, ``llamacpp``, ``openai``): a few-shot prompt asks for
   ``{instruction, edited_caption}`` of a given edit kind (kinds rotate over items), decoded under
   the :class:`EditProposal` JSON schema.
3. **Pair.** The instruction is parsed (``edit.instructions``) and applied to the source layout
   (``edit.ops.apply_edit``); both scenes are rendered exactly.
4. **Filter** (every decision is recorded with its reason): instruction not understood; edit not
   possible in this scene; the edited caption (parsed by the planning parser) disagrees with the
   edited scene's objects; the edited scene does not differ from the source exactly as the op says
   (``edit.check.check_edit``).

Output folder (the shared job runner, :mod:`limner.jobs`)::

    job.json                 the build's parameters (``--resume`` must give the same ones)
    shard-00000.jsonl ...    one line per item (kept or dropped, with its reason), shard by shard
    pairs/NNNNNN/            source.png, target.png, pair.json of each kept item
    manifest.jsonl           every item's line in item order, and summary.json: when finished

Items are cut into shards of ``shard_size``; a shard's pair folders are written (each file
atomically) before its shard file, which is written atomically, so ``kill -9`` loses nothing a
shard file lists. ``--resume`` skips the shards whose file exists and redoes the others whole
(their pair folders are rewritten). ``--workers N`` makes shards in a process pool; each worker
builds its LLM backends from their ids.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np
from pydantic import BaseModel, Field

from ..errors import InputError
from ..schema import Layout
from ..world.vocab import COLORS
from .check import check_edit
from .ops import EDIT_KINDS, EditError, apply_edit, edit_pair, instruction, random_edit
from .instructions import parse_instruction, resolve

MANIFEST = "manifest.jsonl"  # every item's line, written when the build finishes
SUMMARY = "summary.json"
SHARD_SUFFIX = ".jsonl"
SHARD_SIZE = 8
FORMAT = "limner-edit-data/2"
TEMPLATE = "template"


class EditProposal(BaseModel):
    """What the LLM writes for a caption (the JSON schema sent for constrained decoding)."""

    instruction: str = Field(min_length=3, max_length=200, description="the edit, as an imperative sentence")
    edited_caption: str = Field(min_length=3, max_length=300, description="the caption after the edit")


KIND_HINT = {"recolor": "change the colour of a shape", "move": "move a shape", "add": "add a shape",
             "remove": "remove a shape", "count": "change how many shapes there are",
             "texture": "change a shape's texture (solid, striped or dotted)", "size": "change a shape's size",
             "background": "change the background"}


def examples(kind: str, n: int = 3) -> list[tuple[str, str, str]]:
    """``n`` true few-shot examples of ``kind`` from the deterministic generator (fixed seeds far
    from both the training and evaluation ranges): (caption, instruction, edited caption)."""
    if kind not in _EX_CACHE:
        out, s = [], 900_000
        while len(out) < n:
            p = edit_pair(s, kind)
            s += 1
            if len(p.source.objects) > 4:
                continue
            edited = _caption_with_bg(p.target) if kind == "background" else p.edited_caption
            out.append((_caption_with_bg(p.source) if kind == "background" else p.source_caption,
                        p.instruction, edited))
        _EX_CACHE[kind] = out
    return _EX_CACHE[kind][:n]


_EX_CACHE: dict[str, list] = {}


def _caption_with_bg(layout: Layout) -> str:
    return f"{layout.caption} on a {layout.background} background"


def few_shot_prompt(caption: str, kind: str) -> str:
    """A base-model prompt: the task line, three examples of this edit kind, then the caption."""
    lines = [f"Write an instruction to {KIND_HINT[kind]} in the picture, and the picture's caption "
             "after the edit.", ""]
    for cap, ins, ed in examples(kind):
        lines += [f"Caption: {cap}", json.dumps({"instruction": ins, "edited_caption": ed}), ""]
    lines += [f"Caption: {caption}", ""]
    return "\n".join(lines)


def propose(llm: Any, caption: str, kind: str, seed: int) -> EditProposal:
    """Ask ``llm`` for an edit of ``kind`` (few-shot for base models, chat for chat models)."""
    prompt = few_shot_prompt(caption, kind)
    kw = dict(schema=EditProposal, seed=seed, temperature=0.7, max_tokens=96)
    if getattr(llm, "kind", "chat") == "base":
        return llm.complete(prompt, stop=["\n\n"], **kw)
    return llm.chat(prompt + "Reply with the JSON object only.", **kw)


# -- caption → world scene ------------------------------------------------------------------------
def caption_scene(caption: str, seed: int) -> Layout:
    """Lay a caption out with the planning parser; EditError if the world cannot draw it."""
    from ..plan.layout_engine import rules_layout
    from ..plan.parse import parse_request
    from ..models.condition import square_box
    from ..world.vocab import world_shape

    c = parse_request(caption)
    if not c.objects:
        raise EditError("caption names no objects")
    bad = [o.name for o in c.objects if world_shape(o.name) is None]
    if bad:
        raise EditError(f"the world cannot draw: {', '.join(bad)}")
    lay = rules_layout(c, seed=seed)
    objs = []
    for o in lay.objects:
        o = o.model_copy(update={"name": world_shape(o.name), "box": square_box(o.box), "caption": None,
                                 "color": o.color or "white", "texture": o.texture or "solid"})
        objs.append(o)
    from .ops import _gap
    from ..world.corpus import MIN_GAP

    for a in range(len(objs)):
        for b in range(a):
            if _gap(objs[a].box, objs[b].box) <= MIN_GAP:
                raise EditError("the planned objects touch; the detector could not separate them")
    bg = lay.background if lay.background and lay.background != "plain" else "plain gray"
    return lay.model_copy(update={"objects": objs, "background": bg, "caption": caption})


def caption_groups(caption: str) -> Counter:
    """(shape, colour) → count named by a caption (planning parser; unknown colour → None)."""
    from ..plan.parse import parse_request
    from ..world.vocab import world_shape

    out: Counter = Counter()
    for o in parse_request(caption).objects:
        out[(world_shape(o.name) or o.name, o.color)] += o.count
    return out


def layout_groups(layout: Layout) -> Counter:
    return Counter((o.name, o.color) for o in layout.objects)


# -- one item -------------------------------------------------------------------------------------
@dataclass
class Item:
    id: str
    index: int
    backend: str
    kind: str
    caption: str = ""
    seed: int | None = None
    status: str = "dropped"
    reason: str = ""
    instruction: str = ""
    edited_caption: str = ""
    op: dict | None = None
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


def make_item(index: int, *, source: Layout | None, caption: str, seed: int | None, backend: str,
              llm: Any, kind: str) -> tuple[Item, Layout | None, Layout | None]:
    item = Item(id=f"{index:06d}", index=index, backend=backend, kind=kind, caption=caption, seed=seed)
    if source is None:
        return item, None, None
    if backend == TEMPLATE:
        rng = np.random.default_rng([index, 3])
        try:
            op = random_edit(source, rng, kind)
        except EditError:
            op = random_edit(source, rng)  # this kind is impossible here: any possible one
        ins = instruction(op, source, rng)
        tgt = apply_edit(source, op)
        edited = _caption_with_bg(tgt) if op.kind == "background" else tgt.caption
    else:
        try:
            prop = propose(llm, caption, kind, seed=index)
        except Exception as exc:  # an LLM failure drops this item, it doesn't stop the build
            item.reason = f"llm failed: {str(exc).splitlines()[0][:200]}"
            return item, source, None
        ins, edited = prop.instruction.strip(), prop.edited_caption.strip()
    item.instruction, item.edited_caption = ins, edited
    op = parse_instruction(ins)
    if op is None:
        item.reason = "instruction not understood"
        return item, source, None
    op = resolve(op, source)
    item.op = op.model_dump(exclude_none=True)
    try:
        tgt = apply_edit(source, op)
    except EditError as exc:
        item.reason = f"edit not possible in this scene: {exc}"
        return item, source, None
    try:
        want = caption_groups(edited)
    except Exception:
        want = None
    have = layout_groups(tgt)
    if want is None or not _groups_agree(want, have):
        item.reason = f"edited caption disagrees with the edit: caption says {dict(want or {})}, edit gives {dict(have)}"
        return item, source, None
    bg_problem = _background_disagrees(edited, tgt)
    if bg_problem:
        item.reason = f"edited caption disagrees with the edit: {bg_problem}"
        return item, source, None
    chk = check_edit(source, tgt, op)
    if not chk.ok:
        item.reason = "edit check failed: " + "; ".join(chk.reasons)
        return item, source, None
    item.status, item.reason = "kept", f"{op.kind}: instruction parsed, applied and matches the edited caption"
    return item, source, tgt


def _background_disagrees(caption: str, target: Layout) -> str:
    """A reason if the caption names a background the edited scene does not have, else ''."""
    from ..world.vocab import BACKGROUND_COLORS

    words = caption.lower().replace(",", " ").split()
    if "background" not in words:
        return ""
    seg = words[: words.index("background")]
    if "on" in seg:
        seg = seg[len(seg) - seg[::-1].index("on"):]
    named = [w for w in seg if w in BACKGROUND_COLORS or w in COLORS]
    have = target.background.split()
    bad = [w for w in named if w not in have]
    return f"caption says background {' '.join(seg)!r}, the scene has {target.background!r}" if bad else ""


def _groups_agree(want: Counter, have: Counter) -> bool:
    # a caption colour of None matches any colour of that shape
    have = Counter(have)
    for (shape, color), n in want.items():
        if color is None:
            total = sum(v for (s, _), v in have.items() if s == shape)
            if total != n:
                return False
            for k in [k for k in have if k[0] == shape]:
                del have[k]
        else:
            if have.get((shape, color), 0) != n:
                return False
            del have[(shape, color)]
    return not +have


# -- the build ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Spec:
    """What a worker needs to make a shard's items (picklable; LLMs are built from their ids)."""

    out: str
    seed_start: int
    backends: tuple[str, ...]
    size: int


@lru_cache(maxsize=4)
def _llm(backend: str) -> Any:
    from ..llm import get_llm

    return get_llm(backend)


def _make(spec: _Spec, index: int, caption: str | None, llms: dict[str, Any]) -> Item:
    """Item ``index`` (a world scene when ``caption`` is None): propose, filter, write its pair."""
    from .. import jobs
    from ..world.corpus import sample_scene
    from ..world.render import render_layout

    backend = spec.backends[index % len(spec.backends)]
    kind = EDIT_KINDS[index % len(EDIT_KINDS)]
    seed, source, drop = None, None, ""
    if caption is None:
        seed = spec.seed_start + index
        source = sample_scene(seed)
        caption = _caption_with_bg(source) if kind == "background" else source.caption
    else:
        caption = caption.strip()
        try:
            source = caption_scene(caption, seed=index)
        except (EditError, InputError) as exc:
            drop = f"caption is not a world scene: {exc}"
    llm = None
    if source is not None and backend != TEMPLATE:
        llm = llms[backend] if backend in llms else _llm(backend)
    item, src, tgt = make_item(index, source=source, caption=caption, seed=seed, backend=backend,
                               llm=llm, kind=kind)
    item.reason = item.reason or drop
    d = Path(spec.out) / "pairs" / item.id
    if d.exists():  # left by a killed run: no shard file lists it, so it is redone
        shutil.rmtree(d)
    if item.status == "kept" and src is not None and tgt is not None:
        d.mkdir(parents=True)
        for name, lay in (("source", src), ("target", tgt)):
            jobs.atomic_write(d / f"{name}.png", lambda p, lay=lay: render_layout(lay, spec.size).save(p, format="PNG"))
        meta = {"source": src.model_dump(mode="json"), "target": tgt.model_dump(mode="json"),
                "instruction": item.instruction, "edited_caption": item.edited_caption,
                "caption": caption, "op": item.op}
        jobs.atomic_write_text(d / "pair.json", json.dumps(meta))
        item.files = {k: f"pairs/{item.id}/{f}" for k, f in
                      (("source", "source.png"), ("target", "target.png"), ("pair", "pair.json"))}
    return item


def make_shard(spec: _Spec, llms: dict[str, Any], shard: Any) -> list[str]:
    """A shard's manifest lines (its pair folders are written first)."""
    return [_make(spec, i, cap, llms).to_json() + "\n" for i, cap in shard.items]


def _write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")


def read_manifest(out: str | os.PathLike) -> list[dict]:
    """Every listed item's entry in item order: the lines of the finished shard files (a killed
    build lists only its finished shards); a dataset from before the job runner: ``manifest.jsonl``."""
    out = Path(out)
    files = sorted(out.glob(f"shard-*{SHARD_SUFFIX}")) or [p for p in [out / MANIFEST] if p.exists()]
    entries = [json.loads(ln) for f in files for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return sorted(entries, key=lambda e: e["index"])


@dataclass
class BuildSummary:
    out: str
    total: int
    kept: int
    dropped: int
    reasons: dict[str, int]


def build(out: str | os.PathLike, *, world: int | None = None, captions: list[str] | None = None,
          seed_start: int = 3_000_000, backends: list[str] | None = None, resume: bool = False,
          size: int = 32, llms: dict[str, Any] | None = None, progress: bool = True,
          callback: Callable[[int, int], None] | None = None, workers: int = 1,
          shard_size: int = SHARD_SIZE) -> BuildSummary:
    """Build (or, with ``resume``, continue) an edit dataset in ``out``; see the module doc.
    ``llms`` (backend id → LLM object) is for ``workers=1``; otherwise each worker builds its own."""
    from functools import partial

    from .. import jobs

    if (world is None) == (captions is None):
        raise InputError("give exactly one of --world N or --captions FILE")
    if world is not None and world < 1:
        raise InputError("--world must be at least 1")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    llms = dict(llms or {})
    if llms and workers > 1:
        raise InputError("LLM objects can only be passed with workers=1; give backend ids instead")
    backends = [b.strip().lower() for b in (backends or ["embedded"])]
    for b in backends:
        if b != TEMPLATE and b not in llms:
            from ..llm import resolve_backend

            resolve_backend(b)  # an unknown id fails here, before any work
            if workers == 1:
                _llm(b)  # and so does a backend that cannot be built (workers build their own)
    outp = Path(out)
    if (outp / "build.json").exists():
        raise InputError(f"{outp} was built by an older limner (build.json); build into a new --out")
    caps = [c.strip() for c in captions] if captions is not None else None
    params = {"format": FORMAT, "world": world, "captions": len(caps) if caps is not None else None,
              "captions_sha256": hashlib.sha256("\n".join(caps).encode()).hexdigest() if caps else None,
              "seed_start": seed_start, "backends": backends, "size": size, "shard_size": shard_size}
    items = [(i, None) for i in range(world)] if world is not None else list(enumerate(caps or []))
    shards = jobs.cut(items, shard_size)
    jobs.prepare(outp, params, resume)
    for f in (MANIFEST, SUMMARY):  # only a finished build has them
        (outp / f).unlink(missing_ok=True)
    (outp / "pairs").mkdir(exist_ok=True)
    todo = jobs.pending(outp, shards, SHARD_SUFFIX)
    n, done = len(items), len(items) - sum(len(s.items) for s in todo)

    def on_shard(_: int, lines: list[str]) -> None:
        nonlocal done
        done += len(lines)
        if callback:
            callback(done, n)

    spec = _Spec(str(outp), seed_start, tuple(backends), size)
    jobs.run_shards(partial(make_shard, spec, llms), todo, out=outp, suffix=SHARD_SUFFIX, write=_write_lines,
                    workers=workers, progress=progress, desc="edit pairs", callback=on_shard)
    entries = read_manifest(outp)
    if [e["index"] for e in entries] != list(range(n)):
        raise RuntimeError(f"{outp}: the shard files do not list every item once")  # a bug, not input
    jobs.atomic_write_text(outp / MANIFEST, "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))
    reasons = Counter(_reason_key(e) for e in entries)
    kept = sum(1 for e in entries if e["status"] == "kept")
    summary = BuildSummary(str(outp), len(entries), kept, len(entries) - kept, dict(reasons))
    jobs.atomic_write_text(outp / SUMMARY, json.dumps(summary.__dict__, indent=2))
    return summary


def _reason_key(e: dict) -> str:
    if e["status"] == "kept":
        return "kept"
    return e["reason"].split(":")[0]
