"""Typed records passed between limner's parts (pydantic v2).

Conventions
-----------
* Boxes are normalized ``[x0, y0, x1, y1]`` with the origin at the **top-left** of the canvas,
  ``0 <= x0 < x1 <= 1`` and ``0 <= y0 < y1 <= 1`` (image convention, as GLIGEN and LMD use).
* Polygons are lists of normalized ``[x, y]`` points in the same frame.
* Colours are plain lower-case names ("red", "blue", ...); other attributes are free strings.
* Seeds are integers at every boundary; each image records its own seed.

These models are also the contract with the LLM: their JSON schema is sent for constrained
decoding and every reply is validated against them (never ``eval``'d).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Box = tuple[float, float, float, float]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SceneObject(_Record):
    """One object instance in a scene: one box per instance ("three balloons" = three objects)."""

    name: str = Field(description="the object's noun, singular, lower case, e.g. 'balloon'")
    color: str | None = Field(default=None, description="colour name, e.g. 'red'")
    size: str | None = Field(default=None, description="e.g. 'small', 'medium', 'large'")
    texture: str | None = Field(default=None, description="e.g. 'solid', 'striped', 'dotted'")
    attributes: list[str] = Field(default_factory=list, description="other adjectives")
    box: Box = Field(description="normalized [x0, y0, x1, y1], origin top-left")
    polygon: list[tuple[float, float]] | None = Field(
        default=None, description="optional outline, normalized [x, y] points"
    )
    depth: int = Field(default=0, description="drawing order: larger is nearer the viewer")
    caption: str | None = Field(default=None, description="short phrase, e.g. 'a red balloon'")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip().lower()
        if not v:
            raise ValueError("object name must not be empty")
        return v

    @field_validator("box")
    @classmethod
    def _box(cls, v: Box) -> Box:
        x0, y0, x1, y1 = (float(c) for c in v)
        for c in (x0, y0, x1, y1):
            if not (-1e-6 <= c <= 1 + 1e-6):
                raise ValueError(f"box coordinate {c} is outside [0, 1]")
        if not (x1 > x0 and y1 > y0):
            raise ValueError(f"box {v} is degenerate (need x0 < x1 and y0 < y1)")
        return (x0, y0, x1, y1)

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    def phrase(self) -> str:
        """The grounding phrase for this object (GLIGEN-style), e.g. 'red striped circle'."""
        if self.caption:
            return self.caption
        words = [w for w in (self.size, self.color, self.texture) if w] + list(self.attributes)
        return " ".join(words + [self.name])


class Layout(_Record):
    """A scene plan: what to draw and where."""

    width: int = Field(default=512, ge=8, le=8192, description="canvas width in pixels")
    height: int = Field(default=512, ge=8, le=8192, description="canvas height in pixels")
    objects: list[SceneObject] = Field(default_factory=list)
    background: str = Field(default="", description="background description, e.g. 'plain white'")
    caption: str = Field(default="", description="one-sentence description of the whole scene")

    def grounding(self) -> tuple[list[str], list[Box]]:
        """GLIGEN-style grounding tokens: (phrases, normalized boxes)."""
        return [o.phrase() for o in self.objects], [o.box for o in self.objects]


class Expansion(_Record):
    """One expanded (or upsampled) prompt."""

    text: str
    query: str = Field(description="the prompt it was expanded from")
    prefix: str | None = Field(default=None, description="control prefix used, e.g. 'DTL'")
    flavors: list[str] = Field(default_factory=list, description="modifiers added from the lexicon")
    step: int = Field(default=1, description="multi-step depth (1 = expanded from the query)")
    scores: dict[str, float] = Field(default_factory=dict, description="e.g. alignment, diversity")
    source: str = Field(default="", description="backend/model that wrote it")


class GenerationRequest(_Record):
    """Everything a user asks for in one `limner generate` call (the reproducible part)."""

    prompt: str
    negative_prompt: str = ""
    num_images: int = Field(default=1, ge=1, le=64)
    seed: int = Field(default=0, ge=0, lt=2**63)
    num_inference_steps: int | None = Field(default=None, ge=1, le=1000)
    guidance_scale: float | None = Field(default=None, ge=0, le=50)
    width: int | None = Field(default=None, ge=8, le=4096)
    height: int | None = Field(default=None, ge=8, le=4096)
    backend: str = "embedded"
    model: str | None = None
    plan: bool = True
    planner: str = "embedded"
    expand: int = Field(default=0, ge=0, le=16, description="N expansions, one image each")
    upsample: bool = False
    options: dict[str, Any] = Field(
        default_factory=dict, description="backend-specific options (scheduler, controlnet, ...)"
    )


class ImageRecord(_Record):
    """The recipe of one image; written as the `limner` JSON chunk of every PNG limner saves."""

    limner_version: str
    kind: Literal["generate", "edit"] = "generate"
    request: dict[str, Any] = Field(description="the GenerationRequest / EditRequest as a dict")
    index: int = 0
    seed: int
    prompt: str = Field(description="the prompt actually given to the image model")
    negative_prompt: str = ""
    expansion: Expansion | None = None
    layout: Layout | None = None
    backend: str
    model: dict[str, Any] = Field(default_factory=dict, description="ids, local file hashes")
    versions: dict[str, str] = Field(default_factory=dict)
    num_inference_steps: int | None = None
    guidance_scale: float | None = None
    image_guidance_scale: float | None = None
    width: int
    height: int
    extra: dict[str, Any] = Field(default_factory=dict, description="backend/edit-specific facts")


class GenerationResult(_Record):
    """What `generate` returns: the files written (if any) and one record per image."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    records: list[ImageRecord]
    paths: list[str] = Field(default_factory=list)
    layout: Layout | None = None
    notes: list[str] = Field(default_factory=list, description="warnings meant for the user")
    undrawn: list[str] = Field(default_factory=list,
                               description="planned objects the image backend could not draw (left out)")
    images: list[Any] = Field(default_factory=list, exclude=True, description="PIL images")

    @property
    def seeds(self) -> list[int]:
        return [r.seed for r in self.records]


class EditRequest(_Record):
    """An instruction edit of one image."""

    image_path: str | None = None
    image_sha256: str
    instruction: str
    num_images: int = Field(default=1, ge=1, le=64)
    seed: int = Field(default=0, ge=0, lt=2**63)
    num_inference_steps: int | None = Field(default=None, ge=1, le=1000)
    guidance_scale: float | None = Field(default=None, ge=0, le=50)
    image_guidance_scale: float | None = Field(default=None, ge=0, le=50)
    backend: str = "embedded"
    model: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _instruction(self) -> "EditRequest":
        if not self.instruction.strip():
            raise ValueError("instruction must not be empty")
        return self
