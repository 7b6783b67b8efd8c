"""Typed records of the planner: parsed constraints, violations, repairs and the plan result."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import Layout

RelationName = Literal["left of", "right of", "above", "below", "next to", "in front of", "behind",
                       "between", "inside"]
Region = Literal["left", "right", "top", "bottom", "center", "top-left", "top-right", "bottom-left",
                 "bottom-right"]
WordRole = Literal["object", "count", "color", "size", "texture", "attribute", "relation", "region",
                   "order", "negation", "reference", "framing", "verb", "background", "unknown"]


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
    region: Region | None = Field(default=None, description="where on the canvas ('on the left')")
    arrangement: Literal["row", "column", "grid"] | None = Field(default=None, description="'in a row'")
    sure: bool = Field(default=True, description="read from a fully understood clause: a hard fact")
    drawable: bool = Field(default=True, description="False for a word the reader does not know "
                           "(named in the plan, left out of images)")
    vague_count: bool = Field(default=False, description="'a few', 'several': at least this many")

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
    target2: int | None = Field(default=None, ge=0, description="the second target of 'between A and B'")
    sure: bool = Field(default=True, description="read from a fully understood clause: a hard fact")


class Word(_Rec):
    """One word (or phrase) of the request and what the reader took it for."""

    text: str
    role: WordRole
    clause: int = 0


class Reading(_Rec):
    """What the reader understood of a request, word by word (issue 12)."""

    words: list[Word] = Field(default_factory=list)
    coverage: float = Field(default=1.0, description="fraction of the words understood")
    unknown: list[str] = Field(default_factory=list, description="words not understood, in order")
    unsure_clauses: list[int] = Field(default_factory=list, description="clauses with unknown or unplaced words")
    complete: bool = Field(default=True, description="every word understood and placed")

    suggestions: dict[str, str] = Field(default_factory=dict, description="unknown word -> a known word "
                                        "it may be a typo of (reported, never applied)")

    def summary(self) -> str:
        """'' when everything was understood, else 'not understood: w1, w2 (did you mean ...?)'."""
        if not self.unknown:
            return ""
        hint = ", ".join(f"'{k}' for '{w}'" for w, k in self.suggestions.items())
        return "not understood: " + ", ".join(self.unknown) + (f" (did you mean {hint}?)" if hint else "")


class Constraints(_Rec):
    """What the request demands, checkably. The verifier's ground truth."""

    prompt: str
    objects: list[ObjectSpec] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    excluded: list[str] = Field(default_factory=list, description="object names that must not appear")
    background: str = ""
    description: str = Field(default="", description="the rest of the request, free text")
    notes: list[str] = Field(default_factory=list, description="what the parser dropped and why")
    reading: Reading | None = Field(default=None, description="word-by-word account of the request")

    @property
    def total(self) -> int:
        return sum(o.count for o in self.objects)

    @property
    def complete(self) -> bool:
        """Every word understood (no reading: trusted, as before the reader kept one)."""
        return self.reading is None or self.reading.complete

    def checkable(self) -> "Constraints":
        """Only the hard facts: objects and relations read from fully understood clauses."""
        if all(o.sure for o in self.objects) and all(r.sure for r in self.relations):
            return self
        from .verify import norm_name

        # a name with an unsure group has an unsure count: its sure groups are not enforced either
        unsure_names = {norm_name(o.name) for o in self.objects if not o.sure}
        keep = [i for i, o in enumerate(self.objects) if o.sure and norm_name(o.name) not in unsure_names]
        new = {old: k for k, old in enumerate(keep)}
        rels = [r.model_copy(update={"subject": new[r.subject], "target": new[r.target],
                                     "target2": new.get(r.target2) if r.target2 is not None else None})
                for r in self.relations if r.sure and r.subject in new and r.target in new
                and (r.target2 is None or r.target2 in new)]
        return self.model_copy(update={"objects": [self.objects[i] for i in keep], "relations": rels})


ViolationKind = Literal["missing", "extra", "attribute", "relation", "excluded", "canvas",
                        "degenerate", "overlap", "too_many", "region"]


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
    plan_path: str = Field(default="rules", description="which path planned: 'rules' (fully understood, "
                           "no LLM), 'llm' (LLM plan verified on the understood facts), 'rules-fallback'")
    check: Literal["full", "partial", "none"] = Field(
        default="full", description="verification covered every fact, only the understood ones, or none")
    undrawable: list[int] = Field(default_factory=list, description="indices into layout.objects of objects "
                                  "no image backend should draw (words the reader did not know)")

    def _with_notes(self, notes: list[str], t0: float) -> "PlanResult":
        import time

        self.notes = notes + [n for n in self.notes if n not in notes]
        self.seconds = time.perf_counter() - t0
        return self

    @property
    def ok(self) -> bool:
        return not self.violations

    def drawable_layout(self) -> Layout:
        """The layout an image backend should draw: without the objects in :attr:`undrawable`
        (the plan and its record keep them, named)."""
        skip = set(self.undrawable)
        return self.layout.model_copy(update={"objects": [o for i, o in enumerate(self.layout.objects) if i not in skip]})
