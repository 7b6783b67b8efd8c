"""A test double for a strong LLM at the true boundary (issue 12).

:class:`ReplayLLM` is a real :class:`limner.llm.base.LLM` backend (chat kind, like a server) that
answers every layout request with a given layout, serialized exactly as an LLM would write it (the
compact JSON schema, integer boxes on a 100x100 grid), so its reply goes through the same
validation, conversion, verification and repair as any model's.

:func:`oracle_layout` builds a correct layout from a GenEval-style metadata record (not from
reading the prompt); :func:`corrupt` makes a wrong one (mirrored positions, other colours).
"""

from __future__ import annotations

import json
import random

from ..llm.base import LLM, GenerateArgs
from ..schema import Layout
from .types import Constraints, ObjectSpec, Relation

COLOR_CYCLE = ["red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white"]


def compact(layout: Layout) -> str:
    objs = [{"name": o.name, "color": o.color, "box": [round(v * 100) for v in o.box]} for o in layout.objects]
    return json.dumps({"objects": objs}, separators=(",", ":"))


class ReplayLLM(LLM):
    """Answers the i-th call with the i-th layout (the last one repeats; a string is sent as it
    is, e.g. a guided-mode reply); records the calls."""

    id = "replay"

    def __init__(self, layouts: list[Layout | str], kind: str = "chat"):
        super().__init__(model="replay")
        self.layouts = list(layouts)
        self.kind = kind  # type: ignore[assignment]
        self.calls: list[GenerateArgs] = []

    def _generate(self, args: GenerateArgs) -> str:
        self.calls.append(args)
        reply = self.layouts[min(len(self.calls), len(self.layouts)) - 1]
        return reply if isinstance(reply, str) else compact(reply)


def constraints_from_metadata(meta: dict) -> Constraints:
    """GenEval-style metadata as constraints (include entries in order; positions as relations)."""
    objs, rels = [], []
    for i, e in enumerate(meta.get("include", [])):
        objs.append(ObjectSpec(name=e["class"], count=e.get("count", 1), color=e.get("color"),
                               region=e.get("region")))
        if "position" in e:
            rel, tgt = e["position"]
            t = tgt if isinstance(tgt, list) else [tgt]
            rels.append(Relation(subject=i, relation=rel, target=t[0], target2=t[1] if len(t) > 1 else None))
    return Constraints(prompt=meta.get("prompt", ""), objects=objs, relations=rels)


def oracle_layout(meta: dict, seed: int = 0) -> Layout:
    """A correct layout for ``meta``, laid out by the rules engine from the metadata itself, then
    rounded to the LLM's 100x100 grid and listed in a shuffled order."""
    from .layout_engine import rules_layout

    lay = rules_layout(constraints_from_metadata(meta), seed=seed)
    objs = list(lay.objects)
    random.Random(seed).shuffle(objs)
    return lay.model_copy(update={"objects": objs})


def corrupt(layout: Layout) -> Layout:
    """A wrong plan: every box mirrored (left<->right, top<->bottom), every colour changed."""
    objs = []
    for o in layout.objects:
        x0, y0, x1, y1 = o.box
        col = COLOR_CYCLE[(COLOR_CYCLE.index(o.color) + 3) % 10] if o.color in COLOR_CYCLE else "red"
        objs.append(o.model_copy(update={"box": (1 - x1, 1 - y1, 1 - x0, 1 - y0), "color": col,
                                         "caption": None}))
    return layout.model_copy(update={"objects": objs})
