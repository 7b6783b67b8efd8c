"""Alt-text-like "original" captions for world scenes: the poor captions DALL-E 3 starts from.

Definition (and why): web alt-text (LAION, Conceptual Captions before cleaning) names one salient
subject, seldom gives counts, positions or the background, often carries words about the file
rather than the picture ("stock", "vector", "wallpaper", "free download"), and is sometimes wrong
(Betker et al. 2023 §2: alt-text "describe[s] only simple objects ... neglect[s] ... background,
spatial relationships, counts"). So an alt-text caption of a world scene here:

* names **one group** (70%) or two (30%) of the scene's object groups, never all on purpose;
* says the noun in a random number (singular/plural regardless of the count) and **never a
  count, size, texture, relation or background**; 30% of nouns are a synonym ("ball", "box");
* names the group's colour 60% of the time, and then a **wrong** colour 10% of the time;
* adds 1-3 **boilerplate words** before or after.

Deterministic in the scene seed: ``alt_text(layout, np.random.default_rng([seed, 17]))``.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..schema import Layout
from ..world.corpus import group_key
from ..world.vocab import COLORS, PLURALS, SHAPE_SYNONYMS

BOILERPLATE = ("stock image", "clipart", "vector", "wallpaper", "abstract", "geometric", "icon",
               "background pattern", "free download", "hd", "graphic design", "shapes", "picture",
               "illustration", "img", "art print", "design element", "kids")
_SYNONYMS: dict[str, list[str]] = {}
for _syn, _shape in SHAPE_SYNONYMS.items():
    _SYNONYMS.setdefault(_shape, []).append(_syn)


def alt_text(layout: Layout, rng: np.random.Generator) -> str:
    keys = list(Counter(group_key(o) for o in layout.objects))
    if not keys:
        return str(rng.choice(BOILERPLATE))
    k = 2 if len(keys) > 1 and rng.random() < 0.3 else 1
    picked = [keys[i] for i in sorted(rng.choice(len(keys), size=k, replace=False))]
    phrases = []
    for color, shape in picked:
        noun = shape
        if shape in _SYNONYMS and rng.random() < 0.3:
            noun = str(rng.choice(_SYNONYMS[shape]))
        if rng.random() < 0.5:
            noun = PLURALS.get(noun, noun + ("es" if noun.endswith(("x", "s")) else "s"))
        words = [noun]
        if rng.random() < 0.6:
            c = color
            if rng.random() < 0.1:
                c = str(rng.choice([x for x in COLORS if x != color]))
            words.insert(0, c)
        phrases.append(" ".join(words))
    text = " and ".join(phrases) if rng.random() < 0.5 else " ".join(phrases)
    noise = [str(w) for w in rng.choice(BOILERPLATE, size=int(rng.integers(1, 4)), replace=False)]
    cut = int(rng.integers(0, len(noise) + 1))
    return " ".join(noise[:cut] + [text] + noise[cut:])
