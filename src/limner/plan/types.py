"""Typed records of the planner: parsed constraints, violations, repairs and the plan result."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import Layout

RelationName = Literal["left of", "right of", "above", "below", "next to", "in front of", "behind"]


class _Rec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ObjectSpec(_Rec):
    """One required object group: ``count`` instances of ``name`` with these attributes."""

    name: str
    count: int = Field(default=1, ge=1)
    color: str | None = None
    size: str | None = None
    texture: str | None = None
    attributes: list[str] = Field(default_factory=list)
    phrase: str = Field(default="", description="the words of the request it came from")

    def describe(self, n: int | None = None) -> str:
        n = self.count if n is None else n
        words = [w for w in (self.size, self.color, self.texture) if w] + self.attributes
        noun = self.name if n == 1 else f"{self.name}(s)"
        return f"{n} {' '.join(words + [noun])}"


class Relation(_Rec):
    """``objects[subject]`` is ``relation`` ``objects[target]`` (each instance vs each instance)."""

    subject: int = Field(ge=0)
    relation: RelationName
    target: int = Field(ge=0)
    phrase: str = ""


class Constraints(_Rec):
    """What the request demands, checkably. The verifier's ground truth."""

    prompt: str
    objects: list[ObjectSpec] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    excluded: list[str] = Field(default_factory=list, description="object names that must not appear")
    background: str = ""
    description: str = Field(default="", description="the rest of the request, free text")
    notes: list[str] = Field(default_factory=list, description="what the parser dropped and why")

    @property
    def total(self) -> int:
        return sum(o.count for o in self.objects)


ViolationKind = Literal["missing", "extra", "attribute", "relation", "excluded", "canvas",
                        "degenerate", "overlap", "too_many"]


class Violation(_Rec):
    kind: ViolationKind
    message: str
    spec: int | None = Field(default=None, description="index into Constraints.objects")
    relation: int | None = Field(default=None, description="index into Constraints.relations")
    objects: list[int] = Field(default_factory=list, description="indices into Layout.objects")


class Repair(_Rec):
    """One thing the planner changed to make the plan satisfy the request."""

    stage: Literal["llm", "rules", "normalize"]
    kind: str
    message: str


class PlanResult(_Rec):
    layout: Layout
    constraints: Constraints
    repairs: list[Repair] = Field(default_factory=list)
    violations: list[Violation] = Field(
        default_factory=list, description="what still fails after repair (normally empty)"
    )
    llm_only_ok: bool = Field(default=False, description="the LLM's first plan passed verification")
    llm_layout: Layout | None = Field(default=None, description="the LLM's first plan, unrepaired")
    source: str = Field(default="rules", description="'rules' or the LLM backend id")
    tikz: str | None = None
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    def _with_notes(self, notes: list[str], t0: float) -> "PlanResult":
        import time

        self.notes = notes + [n for n in self.notes if n not in notes]
        self.seconds = time.perf_counter() - t0
        return self

    @property
    def ok(self) -> bool:
        return not self.violations
