"""Prompt Expansion (Datta et al., 2023) and DALL-E 3 upsampling (Betker et al., 2023).

    from limner.expand import expand, upsample
    for e in expand("a castle at night", n=4, seed=0):
        print(e.prefix, e.scores["alignment"], e.text)
    print(upsample("two dogs playing in snow").text)

``expand`` returns a *set* of N expansions chosen from a candidate pool by maximal marginal
relevance (diverse and aligned); control prefixes (:data:`PREFIXES`) steer the kind of expansion,
with an automatic choice per query when none is given (:func:`choose_prefix`); ``steps > 1``
expands the best result again (multi-step, MSTP). ``upsample`` rewrites a prompt as one
descriptive caption and checks (and repairs) that every parsed fact survived. Flavours come from
a shipped subset of the CLIP-Interrogator lists (:func:`retrieve_flavors`). Any LLM from
:func:`limner.llm.get_llm` can write the text: base models get few-shot prompts, chat models
instructions. Importing this package is light; embeddings and the LLM load on first use.
"""

from __future__ import annotations

from .expander import expand
from .flavors import retrieve_flavors
from .prefixes import PREFIXES, choose_prefix
from .upsample import upsample

__all__ = ["PREFIXES", "choose_prefix", "expand", "retrieve_flavors", "upsample"]
