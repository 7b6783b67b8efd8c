"""The words the edit-instruction reader (``edit.reader``) knows, each with the role it plays.

Only the world vocabulary (``world.vocab``) and the ways people say edits. A word in none of these
tables is *unknown*: the reader reports it and, without an LLM to read it, refuses the instruction.
"""

from __future__ import annotations

import re

from ..world.corpus import NUMBER_WORDS
from ..world.vocab import BACKGROUND_COLORS, COLORS, SHAPE_SYNONYMS, SHAPES

SHAPE_WORDS: dict[str, str] = {}
for _s in SHAPES:
    SHAPE_WORDS[_s] = _s
    SHAPE_WORDS[_s + "s"] = _s
for _w, _s in SHAPE_SYNONYMS.items():
    if _w == "dot":  # "dots" is a texture in edits ("give the heart dots")
        continue
    SHAPE_WORDS[_w] = _s
    SHAPE_WORDS[_w + ("es" if _w.endswith(("x", "s")) else "s")] = _s
PLURAL_SHAPE_WORDS = {w for w, s in SHAPE_WORDS.items() if w.endswith("s") and w != s and w not in ("cross",)}

GENERIC_NOUNS = {"object", "objects", "shape", "shapes", "thing", "things", "item", "items", "one",
                 "ones", "figure", "figures"}
PRONOUNS = {"it": False, "them": True, "they": True, "everything": True}

COLOR_WORDS: dict[str, str] = {c: c for c in COLORS} | {
    "violet": "purple", "gold": "yellow", "golden": "yellow", "crimson": "red", "scarlet": "red",
    "navy": "blue", "magenta": "pink", "lime": "green",
}
SHADE_WORDS = {"dark", "light", "bright", "pale", "deep", "vivid", "nice"}
BG_COLOR_WORDS: dict[str, str] = {b: b for b in BACKGROUND_COLORS} | {
    "grey": "gray", "blue": "sky", "green": "mint", "cream": "beige", "tan": "beige"}
BG_WORDS = {"background", "backdrop", "bg", "backgrounds"}

TEXTURE_WORDS: dict[str, str] = {
    "striped": "striped", "stripes": "striped", "stripe": "striped", "stripy": "striped",
    "stripey": "striped", "lines": "striped", "dotted": "dotted", "dots": "dotted", "dot": "dotted",
    "spotted": "dotted", "spots": "dotted", "spotty": "dotted", "dotty": "dotted", "polka": "dotted",
    "solid": "solid", "plain": "solid", "filled": "solid", "unpatterned": "solid", "flat": "solid",
    "unstriped": "solid", "undotted": "solid",
}
TEXTURE_NOUNS = {"stripes", "stripe", "lines", "dots", "dot", "spots", "pattern", "patterns", "texture",
                 "polka"}
PATTERN_WORDS = {"pattern", "patterns", "texture", "patterned", "textured"}

SIZE_ADJ = {"small": "small", "tiny": "small", "little": "small", "mini": "small", "medium": "medium",
            "large": "large", "big": "large", "huge": "large", "giant": "large"}
SIZE_REL = {"bigger": "bigger", "larger": "bigger", "smaller": "smaller", "tinier": "smaller",
            "twice": "bigger", "double": "bigger", "doubled": "bigger", "half": "smaller", "halve": "smaller"}
SIZE_VERBS = {"enlarge": "bigger", "grow": "bigger", "expand": "bigger", "magnify": "bigger",
              "increase": "bigger", "shrink": "smaller", "reduce": "smaller", "decrease": "smaller",
              "scale": None, "resize": None, "blow": "bigger"}

DIRECTION_WORDS = {"left": "left", "leftward": "left", "leftwards": "left", "right": "right",
                   "rightward": "right", "rightwards": "right", "up": "up", "upward": "up",
                   "upwards": "up", "higher": "up", "down": "down", "downward": "down",
                   "downwards": "down", "lower": "down", "top": "up", "bottom": "down"}
POSITION_WORDS = {"leftmost": "left", "rightmost": "right", "topmost": "top", "uppermost": "top",
                  "highest": "top", "bottommost": "bottom", "lowest": "bottom", "lowermost": "bottom",
                  "left": "left", "right": "right", "top": "top", "upper": "top", "bottom": "bottom",
                  "lower": "bottom", "middle": "middle", "center": "middle", "central": "middle"}
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
            "fifth": 5, "last": -1}
NUMBERS: dict[str, int] = {w: i for i, w in enumerate(NUMBER_WORDS)} | {str(i): i for i in range(11)}
NUMBERS |= {"single": 1, "couple": 2, "pair": 2, "none": 0}

REMOVE_VERBS = {"remove", "delete", "erase", "eliminate", "drop", "clear", "kill", "lose", "take",
                "ditch", "omit", "discard", "cut", "hide", "strip"}
ADD_VERBS = {"add", "insert", "include", "create", "draw", "new", "throw", "plus", "append"}
COPY_VERBS = {"duplicate", "copy", "clone", "repeat"}  # "duplicate the star": add another like it
PLACE_VERBS = {"put", "place", "stick", "pop"}  # add (indefinite object) or move/texture
MOVE_VERBS = {"move", "shift", "slide", "push", "drag", "nudge", "relocate", "bring", "pull", "raise",
              "lift"}
SWAP_VERBS = {"swap", "switch", "exchange", "trade", "interchange"}
REPLACE_VERBS = {"replace", "substitute", "convert", "transform", "morph"}
GENERIC_VERBS = {"make", "turn", "change", "paint", "color", "recolor", "set", "give", "use", "render",
                 "fill", "dye", "modify", "become", "have", "want", "like", "need", "let", "get",
                 "keep", "leave", "tint", "shade", "colour", "alter", "adjust", "update", "edit", "prefer", "touch"}
QUANT_ALL = {"all", "both", "every", "each", "everything"}
QUANT_ONE = {"a", "an", "one", "another", "any", "some"}
COUNT_CUES = {"only", "exactly", "just", "total", "number", "should", "want", "have", "there",
              "be", "count"}
FILLERS = {
    "please", "pls", "plz", "can", "could", "would", "will", "you", "i", "we", "me", "us", "the", "just",
    "now", "then", "hmm", "ok", "okay", "so", "there", "is", "are", "be", "to", "of", "that", "this",
    "these", "those", "also", "too", "as", "well", "instead", "somewhere", "anymore", "further",
    "more", "slightly", "really", "very", "maybe", "kindly", "thanks", "thank", "bit", "tad", "do",
    "its", "their", "his", "her", "my", "our", "your", "in", "on", "at", "with", "for", "from", "by",
    "and", "into", "onto", "off", "out", "away", "rid", "should", "must", "want", "wish", "need",
    "like", "only", "exactly", "total", "lets", "s", "extra", "again", "go", "ahead", "try",
    "same", "colored", "coloured", "sized", "size", "color", "colour", "them", "way", "place",
    "places", "position", "positions", "spot", "other",
    "here", "hey", "yes", "not", "anything", "something", "little", "lot", "whole", "fully",
    "completely", "entirely", "altogether", "than", "own", "what", "wants", "wanted", "got",
    "gone", "if", "possible", ":", "number", "amount", "count", "toward", "towards", "over", "many", "made", "making", "currently", "now", "which", "where", "is", "was", "were", "being",
}
SCENE_NOUNS = {"picture", "image", "scene", "canvas", "frame", "drawing"}  # filler after in/to/of the

# multi-word phrases, longest first: the tokens they become
PHRASES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("needs", "to", "go"), ("remove",)), (("need", "to", "go"), ("remove",)), (("has", "to", "go"), ("remove",)),
    (("have", "to", "go"), ("remove",)), (("should", "go"), ("remove",)), (("must", "go"), ("remove",)),
    (("out", "of", "the", "picture"), ("remove",)), (("out", "of", "the", "image"), ("remove",)),
    (("out", "of", "the", "scene"), ("remove",)), (("all", "the", "way"), ()),
    (("clear", "the", "picture"), ("remove", "everything")), (("clear", "the", "canvas"), ("remove", "everything")),
    (("clear", "the", "scene"), ("remove", "everything")), (("clear", "the", "image"), ("remove", "everything")),
    (("get", "rid", "of"), ("remove",)), (("take", "away"), ("remove",)),
    (("take", "out"), ("remove",)), (("do", "not", "want"), ("remove",)),
    (("dont", "want"), ("remove",)), (("no", "longer", "want"), ("remove",)),
    (("to", "the", "right", "of"), ("right_of",)), (("to", "the", "left", "of"), ("left_of",)),
    (("on", "the", "right", "of"), ("right_of",)), (("on", "the", "left", "of"), ("left_of",)),
    (("right", "of"), ("right_of",)), (("left", "of"), ("left_of",)),
    (("on", "top", "of"), ("above",)), (("next", "to"), ("near",)), (("close", "to"), ("near",)),
    (("in", "between"), ("between",)), (("scale", "up"), ("bigger",)), (("scale", "down"), ("smaller",)),
    (("blow", "up"), ("bigger",)), (("size", "up"), ("bigger",)), (("size", "down"), ("smaller",)),
    (("one", "of", "the"), ("one_of",)), (("one", "of"), ("one_of",)),
    (("all", "of", "them"), ("all", "them")), (("both", "of", "them"), ("both", "them")),
    (("all", "of", "the"), ("all",)), (("both", "of", "the"), ("both",)), (("each", "of", "the"), ("all",)),
    (("a", "little", "bit"), ()), (("a", "little"), ()), (("a", "bit"), ()), (("a", "tad"), ()),
    (("as", "well"), ()), (("in", "total"), ("total",)), (("in", "all"), ("total",)),
    (("polka", "dots"), ("dots",)), (("polka", "dot"), ("dots",)),
    (("trade", "places"), ("swap",)), (("switch", "places"), ("swap",)), (("swap", "places"), ("swap",)),
    (("change", "places"), ("swap",)), (("swap", "out"), ("replace",)),
    (("top", "left"), ("top_left",)), (("upper", "left"), ("top_left",)), (("top", "right"), ("top_right",)),
    (("upper", "right"), ("top_right",)), (("bottom", "left"), ("bottom_left",)),
    (("lower", "left"), ("bottom_left",)), (("bottom", "right"), ("bottom_right",)),
    (("lower", "right"), ("bottom_right",)),
]
REGION_TOKENS = {"top_left": "top-left", "top_right": "top-right", "bottom_left": "bottom-left",
                 "bottom_right": "bottom-right"}
RELATION_TOKENS = {"right_of": "right_of", "left_of": "left_of", "above": "above", "over": "above",
                   "below": "below", "under": "below", "beneath": "below", "underneath": "below",
                   "near": "near", "beside": "near", "between": "between", "among": "between"}


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens with common spellings and contractions normalized."""
    t = text.lower()
    t = t.replace("colour", "color").replace("centre", "center").replace("grey", "gray")
    t = re.sub(r"\bi'd\b", "i would", t)
    t = re.sub(r"\blet's\b", "let us", t)
    t = re.sub(r"n't\b", " not", t)
    t = re.sub(r"'s\b", "", t)
    t = re.sub(r"-+>|=>|→", " into ", t)
    t = re.sub(r"^\s*\+", "add ", t)
    out = re.findall(r"[a-z]+|\d+[a-z]*|[,;:]", t)
    return [_fix(w) for w in out]


def _fix(w: str) -> str:
    return {"recolour": "recolor", "gray": "gray", "centre": "center", "pls": "please"}.get(w, w)


def merge_phrases(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] in NUMBERS and words[i] != "one" and words[i + 1:i + 2] == ["of"]:  # "two of the circles"
            out.append(words[i])
            i += 3 if words[i + 2:i + 3] == ["the"] else 2
            continue
        for src, dst in PHRASES:
            if tuple(words[i:i + len(src)]) == src:
                out.extend(dst)
                i += len(src)
                break
        else:
            out.append(words[i])
            i += 1
    return out
