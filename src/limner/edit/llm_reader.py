"""The LLM reader: what the rule reader could not read, schema-constrained into the same edit steps.

Used only when an LLM is configured (``limner edit --llm BACKEND``) and the rules left words unknown
or found no edit. The reply schema (:class:`LLMEditReply`) is the contract: enums of the world
vocabulary, so constrained decoding cannot name a dog or a hat; the reply is validated, never
evaluated. Then it is *verified*: every value a step sets (shape, colour, texture, direction,
number, background) must be grounded in a word of the instruction (through ``edit.lexicon``), and
the steps must apply to the detected scene (``edit.apply``). What fails is a refusal that names the
words nobody understood.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import Layout
from ..world.vocab import BACKGROUND_COLORS, COLORS, SHAPES, TEXTURES
from . import lexicon as L
from .resolve import listing
from .steps import STEP_KINDS, EditStep, ReadResult, Selector

Shape = Literal[SHAPES]  # type: ignore[valid-type]
Color = Literal[tuple(COLORS)]  # type: ignore[valid-type]
BgColor = Literal[tuple(BACKGROUND_COLORS)]  # type: ignore[valid-type]


class LLMStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal[STEP_KINDS]  # type: ignore[valid-type]
    object_shape: Shape | None = None
    object_color: Color | None = None
    which: Literal["all", "one", "leftmost", "rightmost", "top", "bottom", "largest", "smallest"] | None = None
    new_color: Color | None = None
    new_shape: Shape | None = None
    new_texture: Literal[TEXTURES] | None = None  # type: ignore[valid-type]
    new_size: Literal["small", "medium", "large", "bigger", "smaller"] | None = None
    direction: Literal["left", "right", "up", "down"] | None = None
    count: int | None = Field(default=None, ge=0, le=7)
    background: BgColor | None = None


class LLMEditReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    possible: bool = Field(description="false when the instruction asks for something these shapes cannot show")
    steps: list[LLMStep] = Field(default_factory=list, max_length=4)


PROMPT = """You edit pictures of simple shapes. Shapes: {shapes}. Colours: {colors}. Textures: solid,
striped, dotted. Sizes: small, medium, large. Backgrounds: {bgs}.
The picture now: {scene}.
Instruction: "{instruction}"
Reply with JSON: possible=false if the instruction needs anything else (animals, styles, night,
accessories, lighting); otherwise the edit steps (kind: recolor, move, add, remove, count, texture,
size, background, replace, swap)."""


def _grounded(instruction: str) -> set[str]:
    toks = set(L.tokens(instruction))
    out = set(toks)
    for w in toks:
        for table in (L.SHAPE_WORDS, L.COLOR_WORDS, L.TEXTURE_WORDS, L.DIRECTION_WORDS, L.SIZE_ADJ,
                      L.SIZE_REL, L.BG_COLOR_WORDS):
            if w in table:
                out.add(str(table[w]))
        if w in L.NUMBERS:
            out.add(str(L.NUMBERS[w]))
        if w in L.SIZE_VERBS and L.SIZE_VERBS[w]:
            out.add(str(L.SIZE_VERBS[w]))
    if toks & {"big", "large", "huge"}:
        out.add("bigger")
    if toks & {"small", "tiny", "little"}:
        out.add("smaller")
    if toks & (L.TEXTURE_NOUNS | L.PATTERN_WORDS):
        out.add("solid")
    return out


def to_step(s: LLMStep) -> EditStep:
    which = s.which or ("all" if s.kind != "add" else None)
    pos = {"leftmost": "left", "rightmost": "right", "top": "top", "bottom": "bottom"}.get(which or "")
    size = {"largest": "large", "smallest": "small"}.get(which or "")
    target = None
    if s.kind not in ("add", "background"):
        target = Selector(shape=s.object_shape, color=s.object_color, position=pos, size=size,  # type: ignore[arg-type]
                          quantity="one" if which == "one" else ("all" if which == "all" else None),
                          pronoun=s.object_shape is None, text=" ".join(x for x in (which, s.object_color, s.object_shape) if x))
    return EditStep(kind=s.kind, target=target, color=s.new_color if s.kind != "add" else (s.new_color or s.object_color),
                    shape=s.new_shape if s.kind != "add" else (s.new_shape or s.object_shape), texture=s.new_texture,
                    size=s.new_size, direction=s.direction, count=s.count,
                    background=f"plain {s.background}" if s.background else None)


def _values(s: LLMStep) -> list[str]:
    vals = [s.new_color, s.new_shape, s.new_texture, s.new_size, s.direction, s.background]
    if s.kind in ("count", "add") and s.count is not None:
        vals.append(str(s.count))
    if s.kind == "add":
        vals += [s.object_shape, s.object_color]
    return [v for v in vals if v is not None]


def read_with_llm(llm: Any, instruction: str, source: Layout, rules: ReadResult | None = None) -> ReadResult:
    """A :class:`ReadResult` from the LLM, verified as the module doc says (reader="llm")."""
    rules = rules or ReadResult(instruction=instruction)
    unknown = rules.unknown
    prompt = PROMPT.format(shapes=", ".join(SHAPES), colors=", ".join(COLORS), bgs=", ".join(BACKGROUND_COLORS),
                           scene=listing(source).removeprefix("the picture has "), instruction=instruction)
    names = ", ".join(f"'{w}'" for w in dict.fromkeys(unknown)) or "the instruction"
    try:
        reply = llm.chat(prompt, schema=LLMEditReply, max_tokens=256)
    except Exception as exc:  # an LLM that fails is a refusal, not a traceback
        return rules.model_copy(update={"reader": "llm", "refusal": f"not understood: {names} (the LLM reader failed: "
                                                                    f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"})
    if not reply.possible or not reply.steps:
        return rules.model_copy(update={"reader": "llm", "refusal": f"not understood: {names} — the LLM reader "
                                                                    "also found no edit the world can show"})
    grounded = _grounded(instruction)
    for s in reply.steps:
        missing = [v for v in _values(s) if v not in grounded]
        if missing:
            return rules.model_copy(update={"reader": "llm", "refusal": f"not understood: {names} (the LLM reader's "
                                                                        f"{s.kind} of {', '.join(missing)} is not in the instruction)"})
    steps = [to_step(s) for s in reply.steps]
    return ReadResult(instruction=instruction, steps=steps, words=rules.words, unknown=unknown, reader="llm")
