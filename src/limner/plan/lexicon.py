"""Words the request parser knows: colours, sizes, textures, numbers, relations, nouns.

The COCO class names are GenEval's ``object_names.txt`` (80 names; GenEval is MIT-licensed,
Copyright (c) 2023 Dhruba Ghosh, https://github.com/djghosh13/geneval), copied here so the package
never reads ``../shared`` at run time. Unknown nouns are fine: the parser takes the head word of a
noun phrase whatever it is; the lists below only help with multi-word names and plurals.
"""

from __future__ import annotations

import re

from ..world.vocab import COLORS as WORLD_COLORS

# The 10 GenEval colours (the embedded world's, one table for both), plus common extras.
COLORS: dict[str, tuple[int, int, int]] = {
    **WORLD_COLORS,
    "gray": (128, 128, 128),
    "gold": (212, 175, 55),
    "silver": (192, 192, 192),
    "cyan": (0, 190, 210),
    "beige": (220, 200, 160),
    "teal": (0, 128, 128),
}
COLOR_SYNONYMS: dict[str, str] = {
    "grey": "gray", "violet": "purple", "golden": "gold", "crimson": "red", "scarlet": "red",
    "navy": "blue", "turquoise": "cyan", "magenta": "pink",
}

SIZES: dict[str, str] = {
    "small": "small", "little": "small", "tiny": "small", "mini": "small", "smaller": "small",
    "medium": "medium", "mid-sized": "medium", "medium-sized": "medium",
    "large": "large", "big": "large", "huge": "large", "giant": "large", "bigger": "large",
    "larger": "large", "enormous": "large",
}
# fraction of its cell an object fills, per size word
SIZE_FILL: dict[str | None, float] = {"small": 0.5, "medium": 0.72, "large": 0.92, None: 0.8}

TEXTURES: dict[str, str] = {
    "solid": "solid", "plain": "solid",
    "striped": "striped", "stripy": "striped", "stripes": "striped",
    "dotted": "dotted", "spotted": "dotted", "polka-dot": "dotted", "dotty": "dotted",
}

NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "single": 1, "lone": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "dozen": 12,
    "several": 3, "few": 3, "many": 5, "some": 2, "couple": 2, "pair": 2, "both": 2,
    "zero": 0, "no": 0, "none": 0, "hundred": 100, "thousand": 1000, "million": 1000000,
}
DETERMINERS = {"the", "this", "that", "these", "those", "its", "their", "his", "her", "my", "our"}

# Relation phrases (longest first at match time) -> canonical relation.
RELATION_PHRASES: dict[str, str] = {
    "to the left of": "left of", "on the left of": "left of", "on the left side of": "left of",
    "to the left side of": "left of", "left of": "left of", "at the left of": "left of",
    "to the right of": "right of", "on the right of": "right of",
    "on the right side of": "right of", "to the right side of": "right of",
    "right of": "right of", "at the right of": "right of",
    "above": "above", "over": "above", "on top of": "above", "atop": "above",
    "on": "above", "higher than": "above", "upon": "above",
    "below": "below", "under": "below", "underneath": "below", "beneath": "below",
    "lower than": "below", "at the bottom of": "below",
    "next to": "next to", "beside": "next to", "besides": "next to", "alongside": "next to",
    "by": "next to", "near": "next to", "close to": "next to", "adjacent to": "next to",
    "on side of": "next to", "on the side of": "next to", "at the side of": "next to",
    "by the side of": "next to", "on one side of": "next to",
    "in front of": "in front of", "before": "in front of", "in the front of": "in front of",
    "hidden by": "behind", "hidden behind": "behind", "obscured by": "behind",
    "covered by": "behind", "blocked by": "behind", "partially hidden by": "behind",
    "behind": "behind", "in back of": "behind", "at the back of": "behind",
}
RELATIONS = ("left of", "right of", "above", "below", "next to", "in front of", "behind")
INVERSE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above",
           "next to": "next to", "in front of": "behind", "behind": "in front of"}

NEGATIONS = ("without any", "without", "with no", "and no", "but no", "no", "not any", "not")

# Lead-ins that describe the medium, not an object ("a photo of ...").
MEDIUM_WORDS = {"photo", "photograph", "picture", "image", "drawing", "painting", "illustration",
                "render", "rendering", "sketch", "snapshot", "shot", "portrait", "scene", "view",
                "pic", "artwork", "close-up", "closeup", "cartoon", "depiction"}

SHAPES = ("circle", "square", "triangle", "star", "heart", "diamond", "hexagon", "cross",
          "rectangle", "oval", "pentagon", "ellipse")

# GenEval object_names.txt (COCO), verbatim.
COCO_NAMES = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
    "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
    "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
    "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant",
    "bed", "dining table", "toilet", "tv", "laptop", "computer mouse", "tv remote",
    "computer keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator",
    "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
)
# Extra multi-word nouns worth keeping whole.
COMPOUNDS = ("ice cream", "fire truck", "christmas tree", "palm tree", "hot air balloon",
             "coffee cup", "coffee mug", "teddy bears", "light bulb", "police car", "race car",
             "sail boat", "space ship", "polar bear", "soccer ball", "tennis ball", "golf ball")
KNOWN_NOUNS: frozenset[str] = frozenset(COCO_NAMES + SHAPES + COMPOUNDS)
# Names that end in "s" but are singular (or plural-only nouns kept as they are).
INVARIANT = {"skis", "scissors", "glasses", "pants", "jeans", "shorts", "news", "chess", "bus",
             "glass", "grass", "dress", "cactus", "octopus", "class", "bass", "boss", "moss",
             "lens", "iris", "compass", "canvas", "circus", "walrus", "hippopotamus", "citrus",
             "bonus", "virus", "platypus", "fungus", "lotus", "sheep", "fish", "deer", "moose",
             "series", "species", "aircraft", "dice", "goods", "clothes", "headphones", "tongs",
             "binoculars", "trousers", "stairs", "mathematics", "physics", "bus", "gas", "is",
             "this", "his", "was", "has", "as", "us", "yes", "its", "perhaps", "always",
             "tennis", "analysis", "basis", "oasis", "chaos", "cosmos", "atlas", "texas"}
IRREGULAR: dict[str, str] = {
    "people": "person", "persons": "person", "men": "man", "women": "woman", "children": "child",
    "mice": "mouse", "geese": "goose", "feet": "foot", "teeth": "tooth", "oxen": "ox",
    "knives": "knife", "wives": "wife", "lives": "life", "leaves": "leaf", "wolves": "wolf",
    "loaves": "loaf", "halves": "half", "calves": "calf", "shelves": "shelf", "scarves": "scarf",
    "elves": "elf", "thieves": "thief", "buses": "bus", "busses": "bus", "cacti": "cactus",
    "octopi": "octopus", "fungi": "fungus", "dwarves": "dwarf", "hooves": "hoof",
    "tvs": "tv", "skies": "sky", "ties": "tie", "pies": "pie", "lies": "lie", "dies": "die",
    "movies": "movie", "cookies": "cookie", "zombies": "zombie", "brownies": "brownie",
    "hippies": "hippie", "bikes": "bike", "toes": "toe", "shoes": "shoe", "canoes": "canoe",
    "horses": "horse", "houses": "house", "vases": "vase", "cases": "case", "roses": "rose",
    "noses": "nose", "suitcases": "suitcase", "glasses": "glass", "boxes": "box", "foxes": "fox",
    "axes": "axe", "sheep": "sheep", "fish": "fish", "deer": "deer", "dice": "die",
    "radii": "radius", "hovercraft": "hovercraft", "kisses": "kiss", "dresses": "dress",
    "computer mice": "computer mouse", "skis": "skis", "scissors": "scissors",
    "giraffes": "giraffe", "drives": "drive", "curves": "curve", "olives": "olive",
    "gloves": "glove", "doves": "dove", "stoves": "stove", "waves": "wave", "caves": "cave",
}

# Verbs that end a noun phrase ("the mirror was next to the sink").
VERBS = {"is", "are", "was", "were", "be", "been", "sits", "sit", "stands", "stand", "lies", "lie",
         "rests", "rest", "hangs", "hang", "floats", "float", "flies", "fly", "appears", "appear",
         "seems", "looks", "has", "have", "had", "placed", "stood", "sat", "lay", "hung"}
# Nouns that quantify another ("a group of people"): the noun after "of" is the object.
QUANTIFIERS = {"group": None, "bunch": None, "lot": None, "lots": None, "number": None,
               "couple": 2, "pair": 2, "herd": None, "flock": None, "pile": None, "stack": None,
               "row": None, "set": None, "collection": None, "crowd": None, "dozen": 12, "few": 3}

# Words that are never nouns of an object phrase.
FUNCTION_WORDS = {"and", "or", "with", "of", "in", "at", "is", "are", "there", "to", "the",
                  "a", "an", "some", "it", "they", "each", "other", "one", "another", "also",
                  "while", "where", "which", "that", "who", "very", "quite", "really", "side",
                  "by", "for", "from", "as", "be", "being", "has", "have", "having", "its",
                  "into", "onto", "placed", "standing", "sitting", "lying", "located",
                  "positioned", "shown", "seen", "visible", "arranged", "set", "both",
                  "together", "all", "any", "than", "then", "but", "not", "no", "just", "only"}

WORD_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def canonical_color(word: str) -> str | None:
    w = word.lower()
    if w in COLORS:
        return w
    return COLOR_SYNONYMS.get(w)


def singularize(word: str) -> str:
    """Singular form of an English noun (good enough for object names; unknown words pass)."""
    w = word.lower().strip()
    if w in IRREGULAR:
        return IRREGULAR[w]
    if " " in w:  # multi-word: singularize the head (last) word
        head, _, last = w.rpartition(" ")
        return f"{head} {singularize(last)}"
    if w in INVARIANT or w in KNOWN_NOUNS or len(w) <= 3:
        return w
    if w.endswith("s") and w[:-1] in KNOWN_NOUNS:
        return w[:-1]
    if w.endswith("es") and w[:-2] in KNOWN_NOUNS:
        return w[:-2]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ves") and len(w) > 4:  # knives/wolves/leaves are irregulars above
        return w[:-1]
    if w.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return w[:-2]
    if w.endswith("oes") and len(w) > 4:
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def is_plural(word: str) -> bool:
    w = word.lower()
    if w in ("skis", "scissors", "glasses", "sheep", "fish", "deer"):
        return w in ("glasses",)
    return singularize(w) != w


def color_rgb(name: str | None, default: tuple[int, int, int] = (150, 150, 150)) -> tuple[int, int, int]:
    if not name:
        return default
    c = canonical_color(name)
    return COLORS[c] if c else default
