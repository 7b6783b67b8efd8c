"""The words limner says to the LLM for expansion and upsampling.

Base models (the embedded Gemma-270M, ``llm.kind == "base"``) follow examples, not instructions:
they get a few-shot frame whose natural continuation is one line, and the exemplar order and
subset vary with the seed so that candidates differ. Chat models get one short instruction.
All exemplars were written for limner.
"""

from __future__ import annotations

import random

from ..llm.base import Message

# (query, expansion) exemplars per kind of expansion.
EXEMPLARS: dict[str, list[tuple[str, str]]] = {
    "DTL": [
        ("a lighthouse", "a lighthouse on a rocky cliff above a stormy sea, waves crashing on the "
         "rocks, dark clouds, warm light in the lantern room, wide shot"),
        ("a cat on a sofa", "a cat on a sofa, a ginger tabby curled up on a green velvet sofa in a "
         "sunlit living room, soft afternoon light, cozy interior, shallow depth of field"),
        ("an old man reading", "an old man reading a worn leather book in an armchair by the "
         "window, grey beard, round glasses, dust in the sunbeam, quiet library, film photograph"),
        ("a red bicycle", "a red bicycle leaning against a white brick wall on a cobblestone "
         "street, morning sunlight, long shadows, potted flowers, street photography"),
        ("a forest", "a forest of tall pine trees at dawn, mist between the trunks, rays of light, "
         "moss on the ground, a narrow path, calm and quiet"),
        ("two robots playing chess", "two robots playing chess at a wooden table, one silver and "
         "one rusty orange, glowing blue eyes, a cluttered workshop behind them, cinematic lighting"),
        ("a bowl of soup", "a bowl of soup, steaming tomato soup in a white ceramic bowl with basil "
         "leaves, crusty bread on the side, rustic wooden table, overhead food photography"),
        ("a mountain village", "a mountain village with stone houses and red roofs on a green "
         "hillside, snowy peaks behind, a winding road, clear blue sky, aerial view"),
    ],
    "ABST": [
        ("hope", "hope, a single green sprout breaking through cracked grey concrete, a thin ray of "
         "light from above, symbolic, minimal composition"),
        ("time", "time, melting clocks drifting over an endless desert of sand dunes, surreal "
         "dreamlike atmosphere, soft pastel sky"),
        ("loneliness", "loneliness, a tiny figure standing on an empty pier in thick fog, vast "
         "grey water, muted colours, quiet and melancholic"),
        ("freedom", "freedom, a flock of white birds bursting out of an open birdcage into a bright "
         "sky, wind, motion, uplifting mood"),
        ("energy", "energy, swirling streams of glowing orange and blue light colliding in the "
         "dark, sparks, dynamic abstract forms"),
        ("a broken heart", "a broken heart, a cracked red glass heart on black velvet, shards "
         "scattered, single spotlight, symbolic still life"),
    ],
    "SUBJ": [
        ("a dragon", "a dragon with emerald green scales, long curved horns, torn leathery wings "
         "and golden eyes, smoke curling from its nostrils"),
        ("a knight", "a knight in dented steel plate armour with a blue surcoat, a round shield "
         "with a white lion, a long sword held low"),
        ("three apples", "three apples, glossy and round, one bright red, one yellow with red "
         "streaks, one green, small brown stems and a single leaf"),
        ("a vintage car", "a vintage car with rounded fenders, cream paint, chrome bumpers, "
         "whitewall tyres and a tan leather interior"),
        ("a girl with an umbrella", "a girl with an umbrella, a young girl in a yellow raincoat and "
         "red boots holding a clear umbrella, wet hair, smiling"),
        ("an owl", "an owl with soft brown and white speckled feathers, large round amber eyes, "
         "tufted ears, perched with sharp talons"),
    ],
    "MSTP": [
        ("a lighthouse on a rocky cliff above a stormy sea, dark clouds",
         "a lighthouse on a rocky cliff above a stormy sea, dark clouds, white and red striped "
         "tower, waves crashing into spray, seagulls in the wind, last light of dusk, dramatic "
         "wide shot, highly detailed"),
        ("a cat on a sofa in a sunlit living room, soft light",
         "a cat on a sofa in a sunlit living room, soft light, a ginger tabby with half-closed "
         "eyes, knitted blanket, houseplants on the windowsill, warm tones, 35mm photograph"),
        ("a forest of tall pine trees at dawn, mist",
         "a forest of tall pine trees at dawn, mist, golden rays between the trunks, ferns and "
         "moss, a deer in the distance, calm atmosphere, landscape photography"),
        ("a red bicycle against a white wall, morning sunlight",
         "a red bicycle against a white wall, morning sunlight, a wicker basket of flowers on the "
         "handlebars, long shadows on cobblestones, mediterranean street, vivid colours"),
    ],
}
EXEMPLARS["RFT"] = EXEMPLARS["DTL"]

LABELS = {"DTL": ("Short", "Detailed"), "ABST": ("Concept", "Image"), "SUBJ": ("Subject", "Described"),
          "MSTP": ("Prompt", "Longer"), "RFT": ("Short", "Detailed")}
HEADERS = {
    "DTL": "Short image prompts rewritten as detailed image prompts.",
    "ABST": "Abstract concepts turned into evocative image prompts.",
    "SUBJ": "Subjects described in more detail (appearance only).",
    "MSTP": "Image prompts extended with more detail.",
    "RFT": "Short image prompts rewritten as detailed image prompts.",
}
INSTRUCTIONS = {
    "DTL": "Rewrite it as one detailed, concrete image prompt: describe the subject, setting, "
           "lighting and composition.",
    "ABST": "Turn it into one evocative image prompt that depicts the idea through concrete "
            "imagery, mood and symbolism.",
    "SUBJ": "Describe only the subject in more detail (appearance, materials, colours, pose); add "
            "no setting and no art style.",
    "MSTP": "Extend it with more specific detail; keep everything it already says.",
    "RFT": "Rewrite it as one detailed, faithful image prompt that a text-to-image model will "
           "follow closely.",
}
RULES = ("Keep every object, count, colour, relation and quoted text of the original, and keep its "
         "words. Reply with the prompt only: one line, under 60 words, no preamble, no quotes.")


# Exemplar orders per prefix. Each order is one few-shot frame whose KV state the LLM layer keeps
# (limner.llm.prefix_cache), so a candidate pays only for its query and reply; a new order per
# candidate (as before) re-read the whole frame every time. Diversity comes from the prefix cycle,
# the sampling seed, the order variant and the flavours.
FRAME_VARIANTS = 2


def base_prompt(prefix: str, query: str, seed: int, shots: int = 4) -> tuple[str, tuple[str, ...]]:
    """Few-shot frame for a base model and its stop strings; the exemplar order is one of
    :data:`FRAME_VARIANTS` per prefix, picked by ``seed``."""
    bank = list(EXEMPLARS[prefix])
    rng = random.Random(f"{prefix}:{seed % FRAME_VARIANTS}")
    rng.shuffle(bank)
    src, dst = LABELS[prefix]
    lines = [HEADERS[prefix], ""]
    for q, e in bank[:shots]:
        lines += [f"{src}: {q}", f"{dst}: {e}", ""]
    lines += [f"{src}: {query}", f"{dst}:"]
    return "\n".join(lines), ("\n", f"{src}:")


def chat_messages(prefix: str, query: str) -> list[Message]:
    """Instruction messages for a chat model."""
    return [
        Message("system", "You write prompts for a text-to-image model. "
                          f"{INSTRUCTIONS[prefix]} {RULES}"),
        Message("user", query),
    ]


# -- upsampling (DALL-E 3) ----------------------------------------------------------------------
UPSAMPLE_EXEMPLARS = [
    ("two horses in a field", "Two horses, a chestnut mare and a grey gelding, graze side by side "
     "in a wide green field at sunrise. Mist lies low over the grass and a wooden fence runs "
     "behind them. Soft golden light, calm rural mood, landscape photograph."),
    ("a red apple on a wooden table", "A shiny red apple rests on a rustic wooden table. Warm "
     "window light falls from the left and a dark kitchen stays in soft focus behind it. A "
     "simple still-life composition in natural colours."),
    ("a sign that says \"OPEN\"", "A hand-painted wooden sign that says \"OPEN\" hangs on the glass "
     "door of a small bakery, morning sun on the street, pastries visible inside, cheerful and "
     "inviting, eye-level photograph."),
    ("three blue birds on a wire", "Three small blue birds perch side by side on a thin power "
     "wire against a pale evening sky, their feathers ruffled by the wind, a city skyline "
     "silhouetted far behind, minimalist composition."),
    ("a cat under a table", "A grey tabby cat hides under a kitchen table, peeking out between the "
     "chair legs with wide green eyes, late afternoon light on the tiled floor, cozy home, "
     "candid photograph."),
]
UPSAMPLE_INSTRUCTION = (
    "You rewrite short image requests as one descriptive caption for a text-to-image model, as "
    "DALL-E 3 does. Keep every concrete fact of the request exactly: each object, its count, its "
    "colour, how objects relate (on, under, left of...) and any quoted text, word for word. Then "
    "add a fitting setting, lighting, composition and style. Reply with the caption only: two or "
    "three sentences, under 80 words, no preamble.")


def upsample_base_prompt(prompt: str, seed: int, shots: int = 4) -> tuple[str, tuple[str, ...]]:
    bank = list(UPSAMPLE_EXEMPLARS)
    random.Random(f"UPS:{seed}").shuffle(bank)
    lines = ["Short image requests and the detailed captions written for them.", ""]
    for q, c in bank[:shots]:
        lines += [f"Request: {q}", f"Caption: {c}", ""]
    lines += [f"Request: {prompt}", "Caption:"]
    return "\n".join(lines), ("\n", "Request:")


def upsample_messages(prompt: str, missing: list[str] | None = None) -> list[Message]:
    msgs = [Message("system", UPSAMPLE_INSTRUCTION), Message("user", prompt)]
    if missing:
        msgs[1] = Message("user", f"{prompt}\n(Your caption must mention: {', '.join(missing)}.)")
    return msgs
