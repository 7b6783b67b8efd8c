"""Multi-round refinement (LMD-style scene specification): ``limner refine IMAGE INSTRUCTION``.

The instruction edits the *plan* stored in the PNG (``read.py``: clauses → plan edits, rules first,
an LLM for what they cannot read; ``placement.py``: where added or moved objects go), then only
the regions that changed are redrawn with the same seed and checked (``rounds.py``, which uses
:mod:`limner.correct` for the redraw and the check); the chain of rounds is in the recipe and
``--from IMAGE --round K`` replays any round. An orchestration like :mod:`limner.generate`:
refine → generate → correct, never the other way.
"""
