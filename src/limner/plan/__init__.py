"""Layout planning (issue #3): request analysis, LLM planner, verification and repair, program
sketches (a safe TikZ-subset interpreter, Control-GPT) and sketch rendering.

    from limner.plan import plan, render_sketch
    result = plan("two red circles to the left of a blue square", planner="rules")
    result.layout              # a limner.schema.Layout, valid for the request
    result.repairs             # what verification/repair changed
    render_sketch(result.layout).save("sketch.png")

numpy/PIL only: nothing here imports torch.
"""

from __future__ import annotations

from .layout_engine import rules_layout
from .parse import parse_request
from .planner import LLMLayout, plan
from .repair import repair_layout
from .sketch import grounding, render_sketch
from .tikz import layout_to_tikz, tikz_to_layout
from .types import Constraints, ObjectSpec, PlanResult, Relation, Repair, Violation
from .verify import relation_holds, spatial_relations, verify

__all__ = [
    "Constraints", "LLMLayout", "ObjectSpec", "PlanResult", "Relation", "Repair", "Violation",
    "grounding", "layout_to_tikz", "parse_request", "plan", "relation_holds", "render_sketch",
    "repair_layout", "rules_layout", "spatial_relations", "tikz_to_layout", "verify",
]
