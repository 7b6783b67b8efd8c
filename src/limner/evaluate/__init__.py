"""Evaluation: GenEval-format sets in the world vocabulary (:mod:`.geneval`), the sets
(:mod:`.sets`), one harness for the plan and image stages (:mod:`.harness`, ``limner eval``) and
run reports/comparisons (:mod:`.report`). Nothing here imports torch at import time."""
