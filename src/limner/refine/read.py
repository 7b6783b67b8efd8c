"""Read a refinement instruction into edits of the *plan* (LMD's multi-round scene specification).

An instruction may hold several clauses ("make the circle red and add a star to its right, then
remove the square"). Each clause is read by the edit-instruction reader
(:func:`limner.edit.instructions.parse_instruction`: recolour, move, add, remove, count, texture,
size, background); this module adds what a multi-turn *plan* edit needs on top:

* clause splitting on "and", "then", commas and semicolons, with a verb carried over to a clause
  that has none ("make the circle red and the square blue");
* placement relative to another object: "add a star to its right", "put a blue heart above the
  square", "move the circle to the left of the triangle", "next to it" (= to the right); "it",
  "its", "them", "their" refer to what the previous clause touched;
* an optional LLM for clauses the reader cannot place: it answers with an
  :class:`~limner.edit.ops.EditOp` (the JSON schema is the contract; the reply is validated and
  the edit is applied and verified like any other).

A clause that nobody can read is an error naming that clause: nothing is guessed.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..edit.instructions import parse_instruction, resolve
from ..edit.ops import EditOp
from ..errors import InputError
from ..schema import Layout
from ..world.vocab import COLORS, SHAPES, world_shape

Place = Literal["left of", "right of", "above", "below"]
_SPLIT = re.compile(r"\s*(?:[,;.]|\band then\b|\bthen\b|\band also\b|\balso\b|\band\b)\s*")
_VERBS = {"make", "turn", "paint", "change", "recolor", "recolour", "color", "colour", "move", "shift",
          "slide", "push", "add", "insert", "put", "place", "draw", "remove", "delete", "erase", "drop",
          "give", "shrink", "enlarge", "grow", "get", "take", "replace", "use", "there", "set", "include",
          "create", "drag", "nudge"}
_PLACE = [
    (re.compile(r"\b(?:to|on|at) (?:the )?(left|right)(?: side)? of (?P<ref>.+)$"), None),
    (re.compile(r"\b(?:to|on|at) (?:its|their) (left|right)(?: side)?$"), "it"),
    (re.compile(r"\b(left|right) of (?P<ref>.+)$"), None),
    (re.compile(r"\bnext to (?P<ref>.+)$"), "right"),
    (re.compile(r"\bbeside (?P<ref>.+)$"), "right"),
    (re.compile(r"\b(above|over|on top of|below|under|beneath|underneath) (?P<ref>.+)$"), None),
]
_PLACE_WORD = {"left": "left of", "right": "right of", "above": "above", "over": "above",
               "on top of": "above", "below": "below", "under": "below", "beneath": "below",
               "underneath": "below"}
_PRONOUNS = {"it", "its", "them", "their", "that", "this", "those"}


class PlanEdit(BaseModel):
    """One clause's edit: an :class:`EditOp`, and for add/move an optional placement relative to
    the objects ``ref_shape``/``ref_color``."""

    model_config = ConfigDict(extra="forbid")

    clause: str
    op: EditOp
    place: Place | None = None
    ref_shape: str | None = None
    ref_color: str | None = None
    source: Literal["rules", "llm"] = "rules"


_FILLER = {"now", "then", "also", "please", "ok", "okay", "next", "and", "finally", "lastly", "so", "just"}


def _strip_filler(p: str) -> str:
    ws = p.split()
    while ws and ws[0].lower().strip("!?") in _FILLER:
        ws = ws[1:]
    while ws and ws[-1].lower().strip("!?") in _FILLER:
        ws = ws[:-1]
    return " ".join(ws)


def split_clauses(text: str) -> list[str]:
    parts = [_strip_filler(p.strip()) for p in _SPLIT.split(text.strip()) if p and p.strip()]
    parts = [p for p in parts if p]
    out: list[str] = []
    verb = None
    for p in parts:
        first = p.split()[0].lower()
        if first in _VERBS:
            verb = p.split()[0]
        elif verb is not None and out:
            # "make the circle red and the square blue": "the square blue" takes the verb;
            # "add a red star and a blue heart": "a blue heart" too.
            p = f"{verb} {p}"
        out.append(p)
    return out


def read_ref(words: str) -> tuple[str | None, str | None]:
    """(shape, colour) named by a short noun phrase ("the blue square"), or (None, None)."""
    ws = re.findall(r"[a-z]+", words.lower().replace("grey", "gray"))
    color = next((w for w in ws if w in COLORS), None)
    shape = None
    for w in ws:
        s = world_shape(w) or (world_shape(w[:-1]) if w.endswith("s") else None) or \
            (world_shape(w[:-2]) if w.endswith("es") else None)
        if s:
            shape = s
            break
    return shape, color


def _placement(clause: str) -> tuple[str, Place | None, str | None]:
    """(clause without the placement words, relation, reference words)."""
    low = clause.lower()
    for pat, fixed in _PLACE:
        m = pat.search(low)
        if not m:
            continue
        if fixed == "it":
            return clause[: m.start()].strip(), _PLACE_WORD[m.group(1)], "it"
        if fixed is not None:
            return clause[: m.start()].strip(), _PLACE_WORD[fixed], m.group("ref")
        return clause[: m.start()].strip(), _PLACE_WORD[m.group(1)], m.group("ref")
    return clause, None, None


def _llm_op(llm: Any, clause: str, layout: Layout) -> EditOp | None:
    scene = "; ".join(o.phrase() for o in layout.objects) or "nothing"
    prompt = (f"Scene: {scene}. Background: {layout.background or 'plain'}.\n"
              f"Shapes: {', '.join(SHAPES)}. Colours: {', '.join(COLORS)}.\n"
              f"Write the edit for this instruction as JSON: {clause}")
    try:
        reply = llm.chat(prompt, schema=EditOp, seed=0, temperature=0.0, max_tokens=200)
    except Exception:  # an unusable reply is the same as no reading at all
        return None
    return reply if isinstance(reply, EditOp) else None


def read_instruction(text: str, layout: Layout, llm: Any = None) -> list[PlanEdit]:
    """The plan edits an instruction asks for (in order). InputError names a clause nobody read."""
    edits: list[PlanEdit] = []
    last: tuple[str | None, str | None] = (None, None)
    for clause in split_clauses(text):
        core, place, ref_words = _placement(clause)
        ref = (None, None)
        if place is not None:
            ref = last if (ref_words or "").split()[0:1] and ref_words.split()[0] in _PRONOUNS else read_ref(ref_words or "")
            if ref[0] is None:
                raise InputError(f"could not tell which object '{ref_words}' is in '{clause}'")
        op = parse_instruction(core) if core else None
        if op is None and place is not None and core:
            # "move the circle" / "put the star": a move with a placement and no direction
            shape, color = read_ref(core)
            verb = core.split()[0].lower()
            if shape and verb in {"move", "shift", "slide", "push", "drag", "nudge", "put", "place"}:
                op = EditOp(kind="move", shape=shape, color=color)
        source = "rules"
        if op is None and llm is not None:
            op, source = _llm_op(llm, clause, layout), "llm"
        if op is None:
            raise InputError(
                f"could not understand '{clause}'; limner refine understands recolour, move (left/right/up/"
                "down, or left of/right of/above/below another object), add, remove, count, texture, size "
                "and background edits of the shapes in the picture")
        if op.kind == "add" and op.shape is None and last[0]:
            op = op.model_copy(update={"shape": last[0]})
        if op.shape is None and op.kind != "background" and last[0] and \
                any(w in _PRONOUNS for w in re.findall(r"[a-z]+", core.lower())):
            op = op.model_copy(update={"shape": last[0], "color": op.color or last[1]})
        op = resolve(op, layout)
        if op.kind == "move" and place is not None:
            op = op.model_copy(update={"direction": None})
        edits.append(PlanEdit(clause=clause, op=op, place=place, ref_shape=ref[0], ref_color=ref[1],
                              source=source))
        if op.kind == "recolor":
            last = (op.shape, op.new_color)
        elif op.kind != "background":
            last = (op.shape, op.color)
    if not edits:
        raise InputError("the instruction is empty; say what to change, e.g. 'make the circle red'")
    return edits


__all__ = ["PlanEdit", "read_instruction", "read_ref", "split_clauses"]
