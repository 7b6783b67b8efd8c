"""(simple, complex, image) triples for the SUR-adapter: from the world corpus, or a user's folder.

World triples: a corpus scene (:func:`limner.world.corpus.sample_scene`), its exact *complex*
caption in the words the world model was trained on ("two blue hearts"), a *simple* prompt that says
one attribute indirectly (:mod:`limner.adapter.knowledge`: "a pair of hearts the colour of the sky"),
and the rendered scene. Categories: colour, counting, shape, size_texture, relation. ``split`` picks
the vocabulary: ``seen`` (training and the seen-vocabulary test) or ``held`` (test only). Training
scenes use corpus seeds >= 2,000,000 (never evaluated); test scenes use seeds < 100,000.

User triples (diffusers models): a folder with ``metadata.jsonl`` in SURD's format — one JSON object
per line with ``file_name`` (image, relative to the folder), ``text`` (the simple prompt, e.g. a BLIP
caption) and ``prompt`` (the complex prompt) — see :func:`load_folder`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..schema import Layout
from ..world.corpus import NUMBER_WORDS, count_phrase, group_key, group_relation, sample_scene
from ..world.vocab import PLURALS
from .knowledge import (CATEGORIES, COLOR_REFS, COLOR_TEMPLATES, COUNT_IDIOMS, RELATION_PHRASES,
                        SHAPE_DESCRIPTIONS, SIZE_WORDS, TEXTURE_WORDS)

TRAIN_SEED_BASE = 2_000_000
TEST_SEED_BASE = 40_000


@dataclass(frozen=True)
class Triple:
    simple: str
    complex: str
    category: str  # one of knowledge.CATEGORIES, "plain" (simple == complex) or "user"
    split: str = "seen"
    seed: int = -1  # corpus scene seed (-1 for user data)
    image_path: str | None = None  # user data only

    def layout(self) -> Layout:
        return sample_scene(self.seed)


def _groups(layout: Layout) -> Counter:
    return Counter(group_key(o) for o in layout.objects)


def _det(n: int, word: str) -> str:
    if n == 1:
        return "an" if word[:1] in "aeiou" else "a"
    return NUMBER_WORDS[n]


def _noun(n: int, shape: str) -> str:
    return shape if n == 1 else PLURALS[shape]


def _pick(rng: np.random.Generator, items: list):
    return items[int(rng.integers(len(items)))]


def scene_for(category: str, seed: int) -> Layout | None:
    """The corpus scene at ``seed`` if it suits ``category`` (one uniform group; two for relations)."""
    lay = sample_scene(seed)
    g = _groups(lay)
    if category == "relation":
        if len(g) != 2:
            return None
        ka, kb = list(g)
        return lay if group_relation(lay, ka, kb) else None
    if len(g) != 1:
        return None
    if category == "size_texture" and len({o.size for o in lay.objects}) != 1:
        return None
    return lay


def make_prompts(category: str, layout: Layout, split: str, rng: np.random.Generator) -> tuple[str, str]:
    """(simple, complex) for a suitable scene; the simple prompt says the category's attribute indirectly."""
    g = _groups(layout)
    if category == "relation":
        ka, kb = list(g)
        rel = group_relation(layout, ka, kb)
        a, b = count_phrase(g[ka], *ka), count_phrase(g[kb], *kb)
        return f"{a} {_pick(rng, RELATION_PHRASES[rel][split])} {b}", f"{a} {rel} {b}"
    (color, shape), n = next(iter(g.items()))
    if category == "colour":
        ref, bare = _pick(rng, COLOR_REFS[color][split])
        tpl = _pick(rng, COLOR_TEMPLATES["seen"] + (COLOR_TEMPLATES["held"] if split == "held" else []))
        det = _det(n, bare if "{bare}" in tpl.split()[1] else shape)
        return tpl.format(det=det, shape=_noun(n, shape), ref=ref, bare=bare), count_phrase(n, color, shape)
    if category == "counting":
        idiom = _pick(rng, COUNT_IDIOMS[n][split])
        noun = _noun(n, shape) if not idiom.startswith(("a single", "a lone", "a solitary", "just one")) else shape
        return f"{idiom} {color} {noun}", count_phrase(n, color, shape)
    if category == "shape":
        sing, plur = _pick(rng, SHAPE_DESCRIPTIONS[shape][split])
        return f"{_det(n, color)} {color} {sing if n == 1 else plur}", count_phrase(n, color, shape)
    if category == "size_texture":
        size, tex = layout.objects[0].size, layout.objects[0].texture or "solid"
        words, extra = [], []
        if tex != "solid" and rng.random() < 0.6:
            words.append(_pick(rng, TEXTURE_WORDS[tex][split]))
            extra.append(tex)
        else:
            words.append(_pick(rng, SIZE_WORDS[size][split]))
            extra.append(size)
        simple = " ".join(w for w in (_det(n, words[0]), *words, color, _noun(n, shape)) if w)
        return simple, count_phrase(n, color, shape, extra=" ".join(extra))
    raise ValueError(f"unknown category {category!r}; choose one of {', '.join(CATEGORIES)}")


def world_triples(n: int, split: str = "seen", categories: tuple[str, ...] = CATEGORIES,
                  seed_base: int = TRAIN_SEED_BASE, plain_fraction: float = 0.0, seed: int = 0) -> list[Triple]:
    """``n`` triples, categories in turn; ``plain_fraction`` of them restate the complex prompt."""
    rng = np.random.default_rng([seed, seed_base, len(split)])
    out: list[Triple] = []
    s = seed_base
    i = 0
    while len(out) < n:
        cat = categories[i % len(categories)]
        while (lay := scene_for(cat, s)) is None:
            s += 1
        simple, complex_ = make_prompts(cat, lay, split, rng)
        if plain_fraction and rng.random() < plain_fraction:
            simple, cat = complex_, "plain"
        out.append(Triple(simple, complex_, cat, split, s))
        s += 1
        i += 1
    return out


def render_triple(t: Triple, size: int = 32) -> np.ndarray:
    """The triple's image as CHW float32 in [-1, 1] (rendered scene, or the user's image resized)."""
    if t.image_path is not None:
        from PIL import Image

        img = Image.open(t.image_path).convert("RGB").resize((size, size), Image.BICUBIC)
        arr = np.asarray(img, np.float32)
    else:
        from ..world.render import render_layout

        arr = np.asarray(render_layout(t.layout(), size, supersample=2), np.float32)
    return arr.transpose(2, 0, 1) / 127.5 - 1.0


def load_folder(folder: str | Path) -> list[Triple]:
    """User triples from ``folder/metadata.jsonl`` (SURD fields ``file_name``, ``text``, ``prompt``)."""
    root = Path(folder)
    meta = root / "metadata.jsonl"
    if not meta.is_file():
        raise InputError(f"{root} has no metadata.jsonl (one JSON object per line: file_name, text, prompt)")
    out = []
    for no, line in enumerate(meta.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{meta}:{no}: not JSON ({exc.msg})") from None
        missing = [k for k in ("file_name", "text", "prompt") if not isinstance(rec.get(k), str)]
        if missing:
            raise InputError(f"{meta}:{no}: missing string field(s): {', '.join(missing)}")
        img = root / rec["file_name"]
        if not img.is_file():
            raise InputError(f"{meta}:{no}: image {img} not found")
        out.append(Triple(rec["text"], rec["prompt"], "user", "seen", -1, str(img)))
    if not out:
        raise InputError(f"{meta} holds no triples")
    return out
