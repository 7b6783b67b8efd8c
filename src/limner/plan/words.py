"""The request reader's lexicon: every word it knows, by role (issue 12).

Roles: object nouns (with honest synonyms mapped to one name), numbers and quantity phrases,
colours, sizes, textures, other adjectives (understood, described, not checked), relations,
absolute regions, order/arrangement phrases, negations, pronouns, copulas and verbs (understood,
nothing to draw), framing ("a photo of", "please draw"). A word in none of these is *unknown* and
is reported. Phrases are matched longest first; hyphens split ("top-left" = "top left").
"""

from __future__ import annotations

from ..world.vocab import SHAPE_SYNONYMS, SHAPES
from . import lexicon as lx

# ---- nouns -----------------------------------------------------------------------------------
# synonym -> the one name the plan uses (world shapes, GenEval/COCO classes)
NOUN_SYNONYMS: dict[str, str] = {
    **SHAPE_SYNONYMS,
    "round dot": "circle", "spot": "circle", "sphere": "circle", "orb": "circle",
    "rhomb": "diamond", "five-pointed star": "star", "quadrilateral": "square",
}
# What people call GenEval/COCO classes. NOT applied to the request (a "sofa" stays a sofa: the
# name is what an image model is asked for, and what the request's facts are checked against);
# the scorer and the LLM-name alignment read a synonym as its class.
CLASS_SYNONYMS: dict[str, str] = {
    "sofa": "couch", "settee": "couch", "television": "tv", "tv set": "tv", "aeroplane": "airplane",
    "plane": "airplane", "jet": "airplane", "airliner": "airplane", "motorbike": "motorcycle",
    "bike": "bicycle", "doughnut": "donut", "fridge": "refrigerator", "cellphone": "cell phone",
    "mobile phone": "cell phone", "smartphone": "cell phone", "phone": "cell phone",
    "hairdryer": "hair drier", "hair dryer": "hair drier", "remote control": "tv remote",
    "hotdog": "hot dog", "teddy": "teddy bear", "puppy": "dog", "doggy": "dog", "kitten": "cat",
    "kitty": "cat", "automobile": "car", "lorry": "truck", "wineglass": "wine glass",
    "coffee mug": "cup", "mug": "cup", "teacup": "cup", "houseplant": "potted plant",
    "plant": "potted plant", "pot plant": "potted plant", "rucksack": "backpack",
    "table": "dining table", "dinner table": "dining table", "kitchen table": "dining table",
    "ski": "skis", "racket": "tennis racket", "racquet": "tennis racket", "hydrant": "fire hydrant",
    "keyboard": "computer keyboard", "ship": "boat", "sailboat": "boat", "yacht": "boat",
    "television set": "tv", "tv remote control": "tv remote", "wine glasses": "wine glass",
    "stop light": "traffic light", "traffic signal": "traffic light", "sports car": "car",
}
# common nouns beyond GenEval's 80 classes: known objects (a diffusion model can draw them)
COMMON_NOUNS = set("""
man woman boy girl child kid baby person lady gentleman player chef
tree flower rose tulip sunflower leaf bush grass cactus mushroom
house building tower castle church bridge door window wall fence roof gate lamp lantern
table desk shelf bookshelf cabinet drawer nightstand wardrobe mirror pillow cushion blanket
rug carpet curtain towel bathtub bath shower basket bucket box jar pot pan plate glass
mug kettle teapot candle key lock hat cap shoe boot sock shirt dress jacket coat scarf glove
ring necklace watch bag wallet purse coin pen pencil crayon brush paintbrush paper notebook
envelope letter card map flag sign ball balloon toy doll robot drum guitar piano violin
trumpet camera computer monitor screen speaker radio headphones fan heater
duck chicken goose rabbit bunny mouse rat hamster fox wolf lion tiger monkey panda
pig goat deer frog turtle snake fish shark whale dolphin octopus crab butterfly bee spider
owl eagle parrot penguin swan pigeon squirrel kangaroo koala camel zebra dinosaur dragon
unicorn snowman ghost alien
egg bread cookie cupcake pie cheese lemon lime strawberry cherry grape pear peach
watermelon pineapple tomato potato onion pepper corn burger fries sushi coffee tea soup milk juice
wine beer candy chocolate
rocket ship spaceship helicopter tractor van taxi scooter skateboard wagon cart sled canoe
kayak submarine tank
moon sun cloud rainbow mountain hill rock stone river lake island volcano planet
cube block ring cone cylinder pyramid rectangle oval pentagon hexagon octagon arrow cross
crescent sphere line shape object thing item
head face hand arm leg foot eye ear nose mouth hair tail wing paw beak horn shoulder back
pumpkin melon avocado carrot lettuce cabbage garlic bean nut peanut olive coconut kiwi mango
plum apricot berry blueberry raspberry lemonade bagel croissant muffin pancake waffle taco
burrito noodle pasta rice salad steak sausage bacon ham chicken popcorn pretzel cereal honey
jam butter sugar salt cup saucer teapot spoon ladle whisk grater bowl tray mat napkin
chair stool sofa bench hammock crib cradle bed lamp chandelier clock vase frame painting poster
statue sculpture fountain pillar column arch stairs ladder elevator escalator
tv remote controller keyboard mouse printer tablet phone charger cable battery bulb
wheel tire engine seat steering mirror windshield pedal handle knob button switch
backpack suitcase briefcase umbrella cane crutch wheelchair stroller
sword shield arrow spear axe hammer drill wrench screwdriver nail screw shovel rake
broom mop vacuum sponge soap toothpaste toothbrush comb razor towel tissue
trophy medal crown ruby diamond gem jewel pearl bracelet earring glasses sunglasses helmet mask
tent campfire fire flame smoke bubble kite balloon ribbon gift
piano guitar drum flute harp saxophone microphone
truck bus train tram subway trolley motorcycle bicycle car jeep limousine ambulance firetruck
yacht sailboat ferry raft surfboard skateboard snowboard skis sled
bird crow sparrow robin seagull flamingo peacock hawk falcon hummingbird
horse pony donkey mule sheep lamb goat cow bull ox pig boar deer elk moose bear
cat kitten dog puppy mouse hamster guinea lizard gecko iguana snail worm ant beetle ladybug
dragonfly mosquito jellyfish starfish seahorse lobster shrimp squid seal walrus otter beaver
hedgehog raccoon skunk bat sloth gorilla chimpanzee orangutan hippo rhino rhinoceros cheetah
leopard jaguar panther hyena buffalo bison antelope gazelle llama alpaca ostrich emu
stone pebble shell feather leaf log stick branch trunk stump root vine
astronaut knight king queen prince princess wizard witch pirate ninja cowboy soldier doctor
nurse teacher student farmer fisherman firefighter policeman police
computer laptop tv monitor desk floor wall ground ceiling stand
counter stove oven sink faucet fixture appliance belt raincoat holder seaweed dove lily tuxedo
goldfish hamburger paddle garage aquarium base pendant slice paperweight brooch bookend jewelry
cutlery band pants trousers jeans case eraser sweater keychain sole chopsticks container coaster
tablecloth dresser board sandal sandals armchair rack placemat pad cucumber futon loafer bookcase
ottoman cardinal acorn highlighter marker stapler ruler calculator notebook folder binder clip
boot slipper sneaker heel purse bracelet watch clock alarm vase bowl mug jug bottle can tin
carton crate barrel bin trash basket cage nest hive web statue trophy frame canvas easel
bench swing slide seesaw sandbox fountain pool tub bathtub shower toilet bidet
blender mixer toaster microwave refrigerator freezer dishwasher washer dryer iron
plate dish saucer platter cutting knife fork spoon chopstick straw glass cup
""".split())
# container / quantity nouns: "a group of cats" counts cats
QUANTITY_NOUNS: dict[str, int | None] = {
    "group": None, "bunch": None, "pile": None, "stack": None, "set": None, "collection": None,
    "row": None, "line": None, "herd": None, "flock": None, "crowd": None, "pack": None,
    "pair": 2, "couple": 2, "trio": 3, "dozen": 12, "handful": 3,
}

# ---- numbers ---------------------------------------------------------------------------------
NUMBER_WORDS: dict[str, int] = {k: v for k, v in lx.NUMBERS.items()
                                if k not in ("a", "an", "no", "none", "zero", "some", "many", "both",
                                             "hundred", "thousand", "million", "single", "lone")}
NUMBER_WORDS.update({"single": 1, "lone": 1, "solitary": 1, "trio": 3, "dozen": 12})
# (phrase, count, vague): vague counts are "at least"
NUMBER_PHRASES: dict[str, tuple[int, bool]] = {
    "a pair of": (2, False), "a couple of": (2, False), "a couple": (2, False), "a trio of": (3, False),
    "a dozen": (12, False), "a dozen of": (12, False), "half a dozen": (6, False), "a few": (3, True),
    "few": (3, True), "several": (3, True), "some": (2, True), "many": (5, True), "a lot of": (5, True),
    "lots of": (5, True), "a number of": (3, True), "a bunch of": (3, True), "a group of": (3, True),
    "a handful of": (3, True), "a set of": (3, True), "a row of": (3, True), "a line of": (3, True),
    "both": (2, False), "two of": (2, False),
}

# ---- adjectives ------------------------------------------------------------------------------
COLOR_SYNONYMS: dict[str, str] = dict(lx.COLOR_SYNONYMS)  # the colour words the request's facts know
OTHER_COLOR_WORDS = {"lilac", "lavender", "tan", "ivory", "ebony", "maroon", "emerald", "azure",
                     "khaki", "olive", "coral", "salmon", "mauve", "indigo", "amber", "bronze",
                     "copper", "cream", "charcoal", "rainbow", "multicolored", "multicoloured"}
COLOR_MARKERS = {"colored", "coloured", "colour", "color", "painted", "tinted", "hued", "shaded",
                 "dyed", "in"}
TEXTURE_WORDS: dict[str, str] = {**lx.TEXTURES, "spotty": "dotted", "polka": "dotted",
                                 "dots": "dotted", "stripe": "striped", "lined": "striped",
                                 "plain-colored": "solid", "filled": "solid"}
SIZE_WORDS: dict[str, str] = {**lx.SIZES, "massive": "large", "gigantic": "large", "wee": "small",
                              "miniature": "small", "teeny": "small", "smallish": "small",
                              "biggish": "large", "average": "medium", "normal": "medium"}
# adjectives understood (kept as attributes, not checked)
ADJECTIVES = set("""
wooden metal metallic glass plastic paper stone leather ceramic marble golden silver steel iron
fluffy furry shiny glossy matte soft hard smooth rough fuzzy wet dry old new young ancient modern
vintage antique cute pretty beautiful ugly happy sad angry sleepy funny tall short long wide narrow
thick thin fat round rectangular oval square-shaped triangular pointy sharp bright dark light pale
vivid colorful colourful fresh ripe empty full open closed broken clean dirty hot cold warm cozy
realistic detailed simple plain fancy elegant rustic cartoon cartoonish flat 3d 2d abstract
transparent translucent opaque glowing sparkly wild tame baby toy red-and-white black-and-white
hollow outlined bold neat little other same different identical matching lovely nice cool big
fabric rubber cotton wool woolen silk velvet denim linen lace knitted woven felt suede porcelain
clay concrete brick wicker bamboo straw cardboard crystal diamond-shaped heart-shaped star-shaped
spherical conical cylindrical cubic circular pentagonal hexagonal pyramidal oblong teardrop
rectangular triangular oval-shaped curved straight flat-topped pointed spiky fluffy fuzzy
tiled polished painted carved ornate decorative delicious juicy crispy sweet sour frozen melted
sliced chopped cooked raw baked fried grilled striped dotted checkered plaid floral patterned
wavy curly spiral twisted folded crumpled tangled
""".split()) | OTHER_COLOR_WORDS

# ---- relations ---------------------------------------------------------------------------------
RELATIONS: dict[str, str] = {
    **lx.RELATION_PHRASES,
    "on the left side of": "left of", "on the lefthand side of": "left of", "left from": "left of",
    "to the left side of": "left of", "on the right side of": "right of", "right from": "right of",
    "to the right side of": "right of",
    "on top of": "above", "on the top of": "above", "at the top of": "above", "on top": "above",
    "over": "above", "above": "above", "higher up than": "above", "up above": "above",
    "on the bottom of": "below", "at the bottom of": "below", "underneath": "below",
    "below": "below", "under": "below", "beneath": "below", "at the foot of": "below",
    "between": "between", "in between": "between", "in the middle of": "middle",
    "in the center of": "middle", "in the centre of": "middle", "at the center of": "middle",
    "at the centre of": "middle", "in the very middle of": "middle",
    "inside": "inside", "inside of": "inside", "within": "inside", "in": "inside", "into": "inside",
    "on side of": "next to", "flanked by": "between",
    "on either side of": "flanks", "on both sides of": "flanks", "on each side of": "flanks",
    "either side of": "flanks", "on either side": "flanks", "on both sides": "flanks",
    "on each side": "flanks", "on opposite sides of": "flanks",
}
# diagonal relations: two facts at once ("to the upper left of" = above and left of)
for _v, _vr in (("upper", "above"), ("top", "above"), ("lower", "below"), ("bottom", "below")):
    for _h in ("left", "right"):
        for _form in ("to the {v} {h} of", "at the {v} {h} of", "on the {v} {h} of", "{v} {h} of"):
            RELATIONS[_form.format(v=_v, h=_h)] = f"{_vr}+{_h} of"
for _vr in ("above", "below"):
    for _h in ("left", "right"):
        for _form in ("{v} and to the {h} of", "{v} and {h} of", "{v} and on the {h} of"):
            RELATIONS[_form.format(v=_vr, h=_h)] = f"{_vr}+{_h} of"
        RELATIONS[f"to the {_h} of and {_vr}"] = f"{_vr}+{_h} of"
# relation phrases that refer to the previous object when no object follows ("with X on top")
POSTFIX_OK = {"above", "below", "inside", "next to", "left of", "right of", "in front of", "behind", "flanks"}
# "to its right" = right of it, ...
PRONOUN_RELATIONS: dict[str, str] = {
    "to its right": "right of", "to its left": "left of", "on its right": "right of",
    "on its left": "left of", "on its right side": "right of", "on its left side": "left of",
    "right of it": "right of", "left of it": "left of", "on top of it": "above",
    "on it": "above", "above it": "above", "over it": "above", "below it": "below",
    "under it": "below", "beneath it": "below", "underneath it": "below", "inside it": "inside",
    "in it": "inside", "within it": "inside", "next to it": "next to", "beside it": "next to",
    "to the right of it": "right of", "to the left of it": "left of", "in front of it": "in front of",
    "behind it": "behind", "between them": "between", "above them": "above", "below them": "below",
    "next to them": "next to", "under them": "below",
}
# absolute positions on the canvas
_SIDE = {"left": "left", "right": "right", "top": "top", "bottom": "bottom", "upper": "top",
         "lower": "bottom", "middle": "center", "centre": "center", "center": "center"}
REGIONS: dict[str, str] = {}
for _p in ("on the", "at the", "in the", "to the", "towards the", "on", "at", "in"):
    for _w, _r in _SIDE.items():
        for _tail in ("", " side", " half", " part", " edge", " of the picture", " of the image",
                      " of the canvas", " of the scene", " of the frame", " side of the picture",
                      " side of the image", " corner"):
            REGIONS[f"{_p} {_w}{_tail}"] = _r
    for _v in ("top", "upper", "bottom", "lower"):
        for _h in ("left", "right"):
            _r = f"{_SIDE[_v]}-{_h}"
            for _tail in (" corner", "", " corner of the picture", " corner of the image",
                          " corner of the canvas", " part", " side"):
                REGIONS[f"{_p} {_v} {_h}{_tail}"] = _r
for _k in ("on top", "on bottom"):
    REGIONS.pop(_k, None)  # "with a square on top": a relation to the object before
REGIONS.update({"centered": "center", "centred": "center", "in the very middle": "center",
                "dead centre": "center", "left side": "left", "right side": "right"})
REGION_WORDS_ALONE = {"left": "left", "right": "right", "top": "top", "bottom": "bottom"}

ORDERS: dict[str, str] = {"from left to right": "ltr", "left to right": "ltr",
                          "from right to left": "rtl", "right to left": "rtl",
                          "from top to bottom": "ttb", "top to bottom": "ttb",
                          "in that order": "keep", "in this order": "keep", "in order": "keep"}
ARRANGEMENTS: dict[str, str] = {"in a row": "row", "in a line": "row", "side by side": "row",
                                "in a horizontal row": "row", "in one row": "row", "lined up": "row",
                                "in a column": "column", "stacked": "column", "in a vertical line": "column",
                                "in a stack": "column", "vertically": "column", "horizontally": "row",
 "one above the other": "column",
                                "arranged in a triangle": "grid", "arranged in a circle": "grid",
                                "arranged in a square": "grid", "forming a circle": "grid",
                                "forming a triangle": "grid", "in a triangle formation": "grid",
                                "in a circle formation": "grid", "in a cluster": "grid",
                                "in two rows": "grid", "in rows": "grid", "in a grid": "grid",
                                "in a circle": "grid", "scattered": "grid", "around": "grid"}

NEGATIONS = ("not a single", "not one", "not any", "without any", "without a", "without",
             "with no", "and no", "but no", "no", "none", "not", "zero", "nor", "minus", "except")

# ---- pronouns, copulas, verbs, framing -----------------------------------------------------------
PRONOUNS = {"it", "them", "they", "these", "those", "each", "all", "both", "each of them",
            "all of them", "both of them", "all of which", "each of which", "every one of them",
            "each one", "all three", "all two", "all four", "all five", "all six", "itself",
            "themselves", "its", "their", "them all", "all of these", "all of those"}
COPULAS = {"is", "are", "was", "were", "be", "being", "been", "which", "who", "that is", "that are",
           "which is", "which are", "that was", "that were", "should be", "must be", "has to be",
           "have to be", "will be", "looks", "look", "seems", "appears", "are all", "is all"}
VERBS = set("""
sits sit sitting sat stands stand standing stood lies lie lying lay rests rest resting hangs hang
hanging hung floats float floating flies fly flying perched perches placed parked located
positioned situated set put shown drawn seen visible appearing appear arranged lined sleeping
sleeps eating eats playing plays running runs walking walks swimming jumping holding holds
leaning leans waiting grazing hovering hover grouped spread surrounding surrounds
""".split())
FRAME_PHRASES = set("""
a photo of|a photograph of|a picture of|an image of|a drawing of|a painting of|an illustration of
a realistic photo of|a realistic image of|a realistic picture of|a realistic photo|a photo|a picture
an image|a realistic image|a scene with|a scene of|a scene showing|a scene where|a scene|an image showing
an image with|a picture showing|a picture with|a photo showing|a photo with|an illustration showing
a rendering of|a render of|a sketch of|a cartoon of|a close-up of|a closeup of|a shot of
a snapshot of|a view of|a depiction of|a digital art of|an artwork of|a diagram of|a composition of
a composition with|a canvas with|a frame with|the scene|the picture|the image|this picture
this image|of the picture|of the image|of the scene|in the picture|in the image|in the scene
on the canvas|in the frame|please|pls|kindly|draw|draw me|show|show me|make|make me|create
create me|generate|render|paint|sketch|give me|give|produce|depict|illustrate|picture|put|place
add|can you|could you|would you|will you|can i have|could i have|i want|i'd like|i would like
i need|i wish|i'd love|i would love|we need|we want|let's see|let me see|there is|there are
there's|there should be|there must be|here is|here are|nothing else|nothing more
and nothing else|only|just|exactly|precisely|also|too|as well|together with|along with
plus|and then|then|and also|thanks|thank you|okay|ok|now|somewhere|simple|something|a bit
in total|total|altogether|in all|overall|please make|so that|such that|where|have|has|having
containing|contains|featuring|i'd like to see|i would like to see|i want to see|like to see|to see
i'd like to have|want to have|additional|extra|in color|in colour|more|other|directly|partially|partly|slightly|completely
fully|mostly|very|really|quite|somewhat|diagonally|neatly|evenly|closely|immediately|straight|just about|roughly|there 's|here 's|what about|how about|showing me|i'd like you to draw
containing|contains|featuring|features|showing|shows|including|includes|depicting
realistic|photorealistic|high quality|detailed
""".replace("\n", "|").split("|")) - {""}
FRAME_NOUNS = {"photo", "photograph", "picture", "image", "drawing", "painting", "illustration",
               "scene", "canvas", "frame", "render", "rendering", "pic", "artwork", "view", "shot"}
CONJUNCTIONS = {"and", ",", "plus", "&", "or", "as well as", "together with", "along with", "with",
                "while", "whereas", "also", "and also", "next", "then", "and then"}
ARTICLES = {"a", "an", "the", "this", "that", "these", "those", "another", "one", "some", "any",
            "my", "our", "your"}
BACKGROUND_WORDS = {"background", "backdrop", "backround"}
# places and times: a setting, not an object ("in a park", "at sunset")
PLACES = set("""
park beach street road field meadow forest woods jungle desert city town village garden yard
backyard kitchen room bedroom bathroom office classroom library restaurant cafe shop store market
farm lawn grass snow sand water ocean sea lake pond river sky space stage studio countryside
mountains hills night sunset sunrise dawn dusk noon evening morning afternoon winter summer
autumn fall spring rain fog storm daylight darkness moonlight sunlight outdoors indoors outside inside
""".split()) - {"inside"}
RECIPROCALS = {"each other", "one another"}
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "last": -1}
# the user corrects themself mid-request: the reader does not untangle that (the LLM may)
CORRECTIONS = {"i mean", "no wait", "wait", "actually", "sorry", "just kidding", "scratch that",
               "or rather", "correction", "make that", "i meant", "oops", "never mind", "nevermind",
               "on second thought", "change that", "not that"}
# prepositions of a setting ("at sunset", "at a desk", "during the night"): what follows is background
SETTING_PREPS = {"at", "during", "against", "among", "amid", "amidst", "across", "through", "throughout"}
# names compared as one (verification, scoring): the world's shape synonyms ("block" is a square);
# the request keeps the word it used ("a red block" stays a block: it is what an image model is asked for)
SHAPE_CANON: dict[str, str] = dict(NOUN_SYNONYMS)
# ... and GenEval/COCO classes for their everyday names ("sofa" is a couch, as a detector sees it)
CANON: dict[str, str] = {**SHAPE_CANON, **CLASS_SYNONYMS}
KNOWN_PLACES = lx.COLORS.keys() | {"plain", "gradient", "sky", "mint", "beige", "gray", "grey"}


def noun_name(word: str) -> tuple[str, bool] | None:
    """(singular name as written, plural) of a known object noun, else None."""
    w = word.lower()
    for cand, plural in ((w, False), (lx.IRREGULAR.get(w, ""), True), (lx.singularize(w), True)):
        if not cand:
            continue
        plural = plural and cand != w
        if cand in NOUN_SYNONYMS:
            return cand, plural
        if cand in lx.KNOWN_NOUNS or cand in COMMON_NOUNS or cand in SHAPES or cand in CLASS_SYNONYMS:
            return cand, plural
    return None
