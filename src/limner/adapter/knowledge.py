"""What the simple prompts of the SUR-adapter data say indirectly: references, idioms, descriptions.

Every table maps a world value (a colour, a count, a shape, a size, a texture, a relation) to the
ways a person may say it *without the world's own word*: colours by reference ("the colour of
grass"), counts by idiom ("a pair of", "half a dozen") or by fact ("as many as the wheels of a
bicycle"), shapes by description ("a shape with three corners"), sizes and textures by description,
relations by compass or idiom. Each entry is ``seen`` (used to train) or ``held`` (never trained on:
the benchmark's held-out vocabulary, which measures what the LLM's knowledge transfers rather than
what the adapter memorised).

Written by hand for limner (common knowledge; no external data). Entries are tuples of
(phrase with article, bare noun for "X-coloured") for colours and (singular, plural) for shapes.
"""

from __future__ import annotations

# colour -> {"seen"/"held": [(phrase, bare)]}
COLOR_REFS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "red": {"seen": [("a ripe tomato", "tomato"), ("a fire engine", "fire-engine"), ("fresh blood", "blood")],
            "held": [("a ripe cherry", "cherry"), ("a ruby", "ruby")]},
    "orange": {"seen": [("a carrot", "carrot"), ("a pumpkin", "pumpkin")],
               "held": [("a tangerine", "tangerine"), ("an apricot", "apricot")]},
    "yellow": {"seen": [("a lemon", "lemon"), ("a canary", "canary"), ("a sunflower", "sunflower")],
               "held": [("a ripe banana", "banana"), ("an egg yolk", "yolk")]},
    "green": {"seen": [("fresh grass", "grass"), ("a lime", "lime"), ("spinach", "spinach")],
              "held": [("a frog", "frog"), ("an emerald", "emerald")]},
    "blue": {"seen": [("the sky", "sky"), ("the deep ocean", "ocean"), ("a sapphire", "sapphire")],
             "held": [("a blueberry", "blueberry"), ("faded denim", "denim")]},
    "purple": {"seen": [("an aubergine", "aubergine"), ("lavender", "lavender")],
               "held": [("a plum", "plum"), ("an amethyst", "amethyst")]},
    "pink": {"seen": [("a flamingo", "flamingo"), ("bubblegum", "bubblegum")],
             "held": [("a piglet", "piglet"), ("candyfloss", "candyfloss")]},
    "brown": {"seen": [("chocolate", "chocolate"), ("a tree trunk", "bark")],
              "held": [("coffee beans", "coffee"), ("a chestnut", "chestnut")]},
    "black": {"seen": [("coal", "coal"), ("a raven", "raven")],
              "held": [("soot", "soot"), ("tar", "tar")]},
    "white": {"seen": [("fresh snow", "snow"), ("milk", "milk")],
              "held": [("a swan", "swan"), ("chalk", "chalk")]},
}
# "{det} {shape} the colour of {ref}" ... ; {bare} for "X-coloured"
COLOR_TEMPLATES = {
    "seen": ["{det} {shape} the colour of {ref}", "{det} {bare}-coloured {shape}",
             "{det} {shape} painted the colour of {ref}"],
    "held": ["{det} {shape} in the shade of {ref}"],
}

# count -> idioms placed before "{colour} {shapes}" (1 takes the singular noun)
COUNT_IDIOMS: dict[int, dict[str, list[str]]] = {
    1: {"seen": ["a single", "a lone"], "held": ["a solitary", "just one"]},
    2: {"seen": ["a pair of", "a couple of", "as many as the wheels of a bicycle:"],
        "held": ["a duo of", "as many as the eyes of a cat:"]},
    3: {"seen": ["a trio of", "as many as the sides of a triangle:"],
        "held": ["a triad of", "as many as the wheels of a tricycle:"]},
    4: {"seen": ["a quartet of", "as many as the legs of a dog:"],
        "held": ["a foursome of", "as many as the wheels of a car:"]},
    5: {"seen": ["a quintet of", "as many as the fingers on a hand:"],
        "held": ["as many as the points of a star:"]},
    6: {"seen": ["half a dozen", "as many as the legs of an insect:"],
        "held": ["a sextet of", "as many as the faces of a die:"]},
}

# shape -> (singular description, plural description)
SHAPE_DESCRIPTIONS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "circle": {"seen": [("round shape", "round shapes"), ("shape like a coin", "shapes like coins")],
               "held": [("shape like a full moon", "shapes like full moons")]},
    "square": {"seen": [("shape with four equal sides", "shapes with four equal sides"),
                        ("shape like a postage stamp", "shapes like postage stamps")],
               "held": [("shape like a chessboard cell", "shapes like chessboard cells")]},
    "triangle": {"seen": [("shape with three corners", "shapes with three corners"),
                          ("shape like a slice of pizza", "shapes like slices of pizza")],
                 "held": [("three-sided figure", "three-sided figures")]},
    "star": {"seen": [("five-pointed shape", "five-pointed shapes"),
                      ("shape like a sheriff badge", "shapes like sheriff badges")],
             "held": [("shape like a starfish", "shapes like starfish")]},
    "heart": {"seen": [("love symbol", "love symbols"), ("shape like a valentine", "shapes like valentines")],
              "held": [("card suit of love", "card suits of love")]},
    "diamond": {"seen": [("shape like a kite", "shapes like kites"),
                         ("shape like a baseball infield", "shapes like baseball infields")],
                "held": [("shape like a cut gem", "shapes like cut gems")]},
}

SIZE_WORDS: dict[str, dict[str, list[str]]] = {
    "small": {"seen": ["miniature", "teeny"], "held": ["minuscule", "pocket-sized"]},
    "medium": {"seen": ["middling", "moderately sized"], "held": ["average-sized"]},
    "large": {"seen": ["gigantic", "enormous"], "held": ["colossal", "massive"]},
}
TEXTURE_WORDS: dict[str, dict[str, list[str]]] = {
    "striped": {"seen": ["zebra-patterned", "pinstriped"], "held": ["candy-cane patterned"]},
    "dotted": {"seen": ["polka-dot", "speckled"], "held": ["freckled", "ladybird-patterned"]},
}

# relation (as the corpus states it, A rel B) -> indirect phrases "{A} {phrase} {B}"
RELATION_PHRASES: dict[str, dict[str, list[str]]] = {
    "left of": {"seen": ["to the west of", "on the port side of"], "held": ["westward of"]},
    "right of": {"seen": ["to the east of", "on the starboard side of"], "held": ["eastward of"]},
    "above": {"seen": ["higher up than", "up from"], "held": ["overhead of"]},
    "below": {"seen": ["lower down than", "underneath"], "held": ["beneath"]},
}

CATEGORIES = ("colour", "counting", "shape", "size_texture", "relation")
SPLITS = ("seen", "held")


def vocabulary(split: str) -> set[str]:
    """Every reference/idiom phrase of ``split`` (used by tests to check that splits are disjoint)."""
    out: set[str] = set()
    for table in (COLOR_REFS,):
        for d in table.values():
            out.update(p for p, _ in d[split])
    for d in SHAPE_DESCRIPTIONS.values():
        out.update(p for p, _ in d[split])
    for t in (COUNT_IDIOMS, SIZE_WORDS, TEXTURE_WORDS, RELATION_PHRASES):
        for d in t.values():
            out.update(d[split])
    return out
