"""GenEval prompts in the world vocabulary.

GenEval (Ghosh et al., 2023; MIT licence) describes each prompt by metadata::

    {"tag": "position", "prompt": "a photo of a dog right of a teddy bear",
     "include": [{"class": "teddy bear", "count": 1},
                 {"class": "dog", "count": 1, "position": ["right of", 0]}]}

``include`` entries must be found at least ``count`` times (with ``color`` if given, and in
``position`` relative to the include entry it indexes); ``exclude`` entries must be found fewer
than ``count`` times. Here each of GenEval's 80 COCO classes is mapped onto a world shape by a
fixed table (:data:`CLASS_TO_SHAPE`; when two classes of one prompt land on the same shape, the
second takes the next free shape in ``SHAPES`` order), and GenEval's tag, colours (the same ten),
counts and positions are kept. :func:`world_metadata` gives the world-vocabulary record,
:func:`spec_from_metadata` the :class:`~limner.world.score.Spec` to score detections against, and
:func:`convert_file` writes a world-vocabulary GenEval-format jsonl.

The metadata file itself is not shipped; point at a GenEval checkout's
``prompts/evaluation_metadata.jsonl`` (or ``$LIMNER_GENEVAL``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable, Iterator

from ..world.corpus import NUMBER_WORDS
from ..world.score import Requirement, RelationReq, Spec
from ..world.vocab import COLORS, PLURALS, SHAPES

# Round things → circle; boxy things → square; pointy/tapering → triangle; spiky/branchy → star;
# soft/living/cuddly → heart; long/thin/angled things → diamond. Fixed, so results are comparable.
CLASS_TO_SHAPE: dict[str, str] = {
    # circle
    "sports ball": "circle", "orange": "circle", "donut": "circle", "clock": "circle",
    "pizza": "circle", "frisbee": "circle", "apple": "circle", "bowl": "circle", "cake": "circle",
    "stop sign": "circle", "bicycle": "circle", "motorcycle": "circle", "cup": "circle",
    # square
    "tv": "square", "microwave": "square", "oven": "square", "refrigerator": "square",
    "book": "square", "laptop": "square", "suitcase": "square", "cell phone": "square",
    "toaster": "square", "computer keyboard": "square", "bed": "square", "dining table": "square",
    "bus": "square", "truck": "square", "train": "square", "car": "square", "couch": "square",
    "sink": "square", "toilet": "square", "bench": "square", "chair": "square",
    "sandwich": "square", "backpack": "square", "handbag": "square",
    # triangle
    "kite": "triangle", "umbrella": "triangle", "boat": "triangle", "sailboat": "triangle",
    "airplane": "triangle", "tie": "triangle", "traffic light": "triangle",
    "fire hydrant": "triangle", "parking meter": "triangle", "hot dog": "triangle",
    "wine glass": "triangle", "vase": "triangle", "bottle": "triangle",
    # star
    "broccoli": "star", "potted plant": "star", "giraffe": "star", "zebra": "star",
    "scissors": "star", "person": "star", "bird": "star", "hair drier": "star",
    # heart
    "teddy bear": "heart", "dog": "heart", "cat": "heart", "horse": "heart", "cow": "heart",
    "sheep": "heart", "elephant": "heart", "bear": "heart", "banana": "heart", "carrot": "heart",
    # diamond
    "baseball bat": "diamond", "baseball glove": "diamond", "tennis racket": "diamond",
    "skis": "diamond", "snowboard": "diamond", "surfboard": "diamond", "skateboard": "diamond",
    "knife": "diamond", "fork": "diamond", "spoon": "diamond", "toothbrush": "diamond",
    "tv remote": "diamond", "computer mouse": "diamond",
}

DEFAULT_PATHS = (
    Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks" / "geneval" / "evaluation_metadata.jsonl",
)


def metadata_path() -> Path | None:
    """``$LIMNER_GENEVAL`` or the development checkout's ../shared copy, if present."""
    env = os.environ.get("LIMNER_GENEVAL")
    for p in ([Path(env)] if env else []) + list(DEFAULT_PATHS):
        if p.is_file():
            return p
    return None


def class_to_shape(name: str) -> str:
    """The world shape for a GenEval/COCO class (a world shape maps to itself)."""
    n = name.strip().lower()
    if n in SHAPES:
        return n
    try:
        return CLASS_TO_SHAPE[n]
    except KeyError:
        raise ValueError(f"no world shape for GenEval class '{name}'") from None


def _shapes_for(classes: list[str]) -> dict[str, str]:
    """Class → shape for one prompt, distinct classes getting distinct shapes."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for c in classes:
        if c in out:
            continue
        s = class_to_shape(c)
        if s in used:
            i = SHAPES.index(s)
            s = next(SHAPES[(i + j) % len(SHAPES)] for j in range(1, len(SHAPES) + 1)
                     if SHAPES[(i + j) % len(SHAPES)] not in used)
        out[c] = s
        used.add(s)
    return out


def _phrase(count: int, color: str | None, shape: str) -> str:
    noun = shape if count == 1 else PLURALS.get(shape, shape + "s")
    words = [w for w in (color,) if w] + [noun]
    det = ("an" if words[0][0] in "aeiou" else "a") if count == 1 else NUMBER_WORDS[count]
    return " ".join([det] + words)


def world_metadata(meta: dict, prefix: str = "a photo of ") -> dict:
    """A GenEval metadata record rewritten in the world vocabulary (same format and tag).

    The original prompt and classes are kept under ``geneval_prompt`` / ``geneval_class``.
    """
    inc = meta.get("include", [])
    exc = meta.get("exclude", [])
    shapes = _shapes_for([e["class"] for e in inc] + [e["class"] for e in exc])
    for e in inc + exc:
        if e.get("color") and e["color"] not in COLORS:
            raise ValueError(f"GenEval colour '{e['color']}' is not a world colour")

    def conv(e: dict) -> dict:
        out = {"class": shapes[e["class"]], "count": int(e["count"])}
        if e.get("color"):
            out["color"] = e["color"]
        if e.get("position"):
            out["position"] = [e["position"][0], int(e["position"][1])]
        out["geneval_class"] = e["class"]
        return out

    new_inc = [conv(e) for e in inc]
    if meta.get("tag") == "position" and any("position" in e for e in new_inc):
        e = next(e for e in new_inc if "position" in e)
        ref = new_inc[e["position"][1]]
        text = (f"{_phrase(e['count'], e.get('color'), e['class'])} {e['position'][0]} "
                f"{_phrase(ref['count'], ref.get('color'), ref['class'])}")
    else:
        text = " and ".join(_phrase(e["count"], e.get("color"), e["class"]) for e in new_inc)
    out = {"tag": meta.get("tag", ""), "include": new_inc, "prompt": prefix + text,
           "geneval_prompt": meta.get("prompt", "")}
    if exc:
        out["exclude"] = [conv(e) for e in exc]
    return out


def spec_from_metadata(meta: dict) -> Spec:
    """The :class:`Spec` of a GenEval metadata record (GenEval or world vocabulary)."""
    inc = meta.get("include", [])
    exc = meta.get("exclude", [])
    shapes = _shapes_for([e["class"] for e in inc] + [e["class"] for e in exc])
    reqs = [Requirement(shape=shapes[e["class"]], color=e.get("color"), count=int(e["count"]),
                        mode="at_least") for e in inc]
    rels = [RelationReq(reqs[i], e["position"][0], reqs[int(e["position"][1])])
            for i, e in enumerate(inc) if e.get("position")]
    excl = [Requirement(shape=shapes[e["class"]], color=e.get("color"), count=int(e["count"]),
                        mode="fewer_than") for e in exc]
    return Spec(requirements=reqs, relations=rels, exclusions=excl, prompt=meta.get("prompt", ""),
                tag=meta.get("tag", ""))


def read_metadata(path: str | os.PathLike) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def convert(records: Iterable[dict], prefix: str = "a photo of ") -> list[dict]:
    return [world_metadata(m, prefix) for m in records]


def convert_file(src: str | os.PathLike, dst: str | os.PathLike, prefix: str = "a photo of ") -> int:
    """Write the world-vocabulary GenEval jsonl (atomically); returns the number of prompts."""
    rows = convert(read_metadata(src), prefix)
    dst = Path(dst)
    tmp = dst.with_name(dst.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    os.replace(tmp, dst)
    return len(rows)


__all__ = ["CLASS_TO_SHAPE", "class_to_shape", "world_metadata", "spec_from_metadata",
           "read_metadata", "convert", "convert_file", "metadata_path"]
