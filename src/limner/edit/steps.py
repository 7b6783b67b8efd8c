"""Typed records of edit reading: selectors, edit steps, what each word was taken as, and plans.

``edit.reader`` turns an instruction into a :class:`ReadResult` (a list of :class:`EditStep`, one per
edit the instruction asks for, plus the coverage: every word and the role it was given, the words
not understood, and a refusal when the instruction cannot be carried out in the world).
``edit.resolve`` resolves each step's :class:`Selector` against the *detected* source scene and
``edit.apply`` applies the steps, giving an :class:`EditPlan` (the target layout, or a refusal).
The LLM reader (``edit.llm_reader``) fills the same records.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import Layout

StepKind = Literal["recolor", "move", "add", "remove", "count", "texture", "size", "background",
                   "replace", "swap"]
STEP_KINDS: tuple[str, ...] = ("recolor", "move", "add", "remove", "count", "texture", "size",
                               "background", "replace", "swap")
Role = Literal["verb", "selector", "attribute", "target", "position", "filler", "unknown"]
Position = Literal["left", "right", "top", "bottom", "middle", "top-left", "top-right", "bottom-left",
                   "bottom-right"]
Relation = Literal["left_of", "right_of", "above", "below", "between", "near"]
Region = Literal["top-left", "top-right", "bottom-left", "bottom-right", "center", "left", "right",
                 "top", "bottom"]


class Selector(BaseModel):
    """Which objects of the scene a step applies to; unset fields do not constrain."""

    model_config = ConfigDict(extra="forbid")

    shape: str | None = None  # None: any shape ("it", "them", "all of them", "the red one")
    color: str | None = None
    texture: str | None = None
    size: Literal["small", "medium", "large"] | None = None  # "the big circle": relative first
    position: Position | None = None  # "the leftmost", "the circle on the right", "the top hearts"
    ordinal: int | None = None  # "the second star" = 2 (reading order), -1 = "the last"
    quantity: Literal["one", "all"] | None = None  # "one of", "a"; "all", "both", "every"
    number: int | None = None  # "remove two circles": how many of them
    plural: bool = False
    pronoun: bool = False  # "it", "them", "one", "ones"
    text: str = ""  # the words it was read from


class EditStep(BaseModel):
    """One edit. ``target`` selects the objects changed; ``other`` is the swap partner or the
    reference object of a relative placement ("to the right of the square")."""

    model_config = ConfigDict(extra="forbid")

    kind: StepKind
    target: Selector | None = None
    other: Selector | None = None
    other2: Selector | None = None  # "between the square and the circle": the second reference
    exclude: list[Selector] = Field(default_factory=list)  # "... but not the square", "except the star"
    color: str | None = None  # recolor: the new colour; add: the new objects' colour
    texture: str | None = None  # texture: the new texture; add: the new objects' texture
    size: str | None = None  # size: small|medium|large|bigger|smaller; add: the new objects' size
    shape: str | None = None  # replace: the new shape; add/count: the shape
    direction: Literal["left", "right", "up", "down"] | None = None  # move
    count: int | None = None  # add: how many; count: the new total
    background: str | None = None  # "plain X" | "gradient X to Y"
    relation: Relation | None = None  # add: where, relative to ``other``
    region: Region | None = None  # add: where on the canvas


class WordRole(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str
    role: Role


class ReadResult(BaseModel):
    """What a reader made of an instruction. ``refusal`` is one line when it cannot be done."""

    model_config = ConfigDict(extra="forbid")

    instruction: str
    steps: list[EditStep] = Field(default_factory=list)
    words: list[WordRole] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)
    refusal: str | None = None
    reader: str = "rules"

    @property
    def understood(self) -> bool:
        return bool(self.steps) and not self.unknown and self.refusal is None


class EditPlan(BaseModel):
    """The steps applied to the detected source scene: a target layout, or a refusal line."""

    model_config = ConfigDict(extra="forbid")

    read: ReadResult
    source: Layout | None = None
    target: Layout | None = None
    selected: list[list[int]] = Field(default_factory=list)  # per step: source object indices
    refusal: str | None = None
    path: str = "rules"  # rules | llm | text-only (forced)
    notes: list[str] = Field(default_factory=list)
