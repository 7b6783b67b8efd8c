"""Close the loop: detect → compare with the request and its plan → fix only what is wrong
(SLD-style self-correction). Multi-round refinement, which uses this, is :mod:`limner.refine`.

    from limner.correct import correct_image, get_detector
    image, report = correct_image(image, request_prompt="two red circles left of a blue square",
                                  layout=plan, seed=0, rounds=2, detector=get_detector("world"))

Files: ``detectors/`` (one interface, one file per detector), ``compare.py`` (verdict and where the
image differs from the plan), ``fix.py`` (what to redraw), ``region_embedded.py`` /
``region_diffusers.py`` (redraw a region, hold the rest), ``loop.py`` (bounded rounds, the record).
Nothing here imports torch at import time.
"""

from __future__ import annotations

from .compare import Comparison, Problem, compare, request_spec
from .detectors import DETECTORS, Detector, Found, Query, get_detector
from .fix import FixPlan, plan_fix, region_mask
from .loop import CorrectionReport, CorrectionRound, correct_image, correct_result

__all__ = ["Comparison", "CorrectionReport", "CorrectionRound", "DETECTORS", "Detector", "FixPlan", "Found",
           "Problem", "Query", "compare", "correct_image", "correct_result", "get_detector", "plan_fix",
           "region_mask", "request_spec"]
