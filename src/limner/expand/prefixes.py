"""Control prefixes: what kind of expansion to write, and the automatic choice per query.

Prompt Expansion (Datta et al., 2023) steers its model with control prefixes and uses "prefix
dropout" so that, with no prefix, the model picks a suitable kind itself. limner keeps the
paper's six ids and adds two (SUBJ, STY). With no prefix, :func:`choose_prefix` classifies the
query as already detailed, abstract or concrete (the product form of prefix dropout), and the
candidate pool mixes that prefix with related ones (:func:`pool_prefixes`).

Ids are public API (stable, upper case on the command line, accepted in any case).
"""

from __future__ import annotations

import functools
import re

import numpy as np

from ..errors import InputError

PREFIXES: dict[str, str] = {
    "ABST": "abstract: an evocative, conceptual reading of the query (mood, metaphor, symbolism)",
    "DTL": "detailed: a concrete descriptive scene (subject, setting, lighting, composition)",
    "FLV": "flavours only: the query unchanged plus retrieved style/lighting/quality modifiers (no LLM)",
    "HAST": "high aesthetics: the query plus aesthetic, lighting and camera modifiers",
    "MSTP": "multi-step: expand an earlier expansion further (steps > 1, or --from TEXT)",
    "RFT": "re-fine-tuned: the paper's RFT model kept expansions that gave the best images; limner "
           "writes a larger pool and keeps the candidates most aligned with the query",
    "SUBJ": "subject detail only: the subject's appearance, materials and pose; no style or setting",
    "STY": "style only: the query plus a medium, an art movement and style modifiers; content unchanged",
}

# Which flavours each prefix adds: segments of (flavour kinds, how many); see flavors.KINDS.
FLAVOR_PLAN: dict[str, tuple[tuple[tuple[str, ...], int], ...]] = {
    "ABST": ((("movement",), 1), (("style", "medium"), 1)),
    "DTL": ((("lighting",), 1), (("camera",), 1)),
    "FLV": ((("lighting",), 1), (("medium", "movement"), 1), (("style",), 1), (("quality",), 1),
            (("camera",), 1)),
    "HAST": ((("quality",), 2), (("lighting",), 1), (("camera",), 1)),
    "MSTP": ((("quality",), 1), (("lighting", "camera"), 1)),
    "RFT": ((("lighting",), 1), (("quality",), 1)),
    "SUBJ": (),
    "STY": ((("medium",), 1), (("movement",), 1), (("style",), 1)),
}

# Prefixes that need no LLM call: the text is the query plus flavours.
FLAVOR_ONLY = frozenset({"FLV", "HAST", "STY"})

_ABSTRACT = ["love", "freedom", "time", "justice", "the meaning of life", "hope", "energy",
             "an idea", "chaos", "infinity", "loneliness", "power", "bond", "element", "memory",
             "happiness", "peace", "knowledge", "fear", "growth", "balance", "trust", "change"]
_CONCRETE = ["a dog", "a red car", "a castle at night", "two cats on a sofa", "a man riding a bike",
             "an apple on a table", "a mountain lake", "a cup of coffee", "a house", "a tree",
             "a city street in the rain", "a bowl of fruit", "a robot", "a ship", "a flower",
             "a teddy bear", "a chair", "a horse in a field", "a bridge", "a pizza"]


def normalize(prefix: str | None) -> str | None:
    """Upper-case a prefix id and check it; ``None``/``""``/``"auto"`` mean automatic."""
    if prefix is None or not str(prefix).strip() or str(prefix).strip().lower() == "auto":
        return None
    p = str(prefix).strip().upper()
    if p not in PREFIXES:
        raise InputError(f"unknown prefix {prefix!r}; choose one of {', '.join(PREFIXES)} or auto")
    return p


def is_detailed(query: str) -> bool:
    """Already a long, specific prompt: rewriting would lose the user's detail."""
    words = re.findall(r"\w+", query)
    return len(words) >= 18 or query.count(",") >= 3


@functools.lru_cache(maxsize=1)
def _anchors() -> tuple[np.ndarray, np.ndarray]:
    from .embed import embed

    return embed(_ABSTRACT), embed(_CONCRETE)


def abstractness(query: str) -> float:
    """> 0 when the query reads as an abstract concept rather than a depictable scene."""
    from .embed import embed

    v = embed([query])[0]
    a, c = _anchors()
    top = lambda m: float(np.mean(np.sort(m @ v)[-3:]))  # noqa: E731  mean of 3 nearest anchors
    return top(a) - top(c)


def choose_prefix(query: str) -> str:
    """The automatic prefix for ``query``: FLV if already detailed, ABST if abstract, else DTL."""
    q = query.strip()
    if not q:
        raise InputError("the query is empty")
    if is_detailed(q):
        return "FLV"
    if len(re.findall(r"\w+", q)) <= 4 and abstractness(q) > 0:
        return "ABST"
    return "DTL"


def pool_prefixes(primary: str) -> list[str]:
    """The prefixes an automatic pool cycles through, primary first (prefix dropout, productised)."""
    return {
        "ABST": ["ABST", "DTL", "STY", "ABST", "HAST"],
        "DTL": ["DTL", "SUBJ", "DTL", "HAST", "STY"],
        "FLV": ["FLV", "STY", "HAST", "FLV"],
    }.get(primary, [primary])
