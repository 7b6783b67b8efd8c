"""No new main subjects: what an expansion may add (setting, light, texture) and what it may not.

A rewrite adds a *new main subject* when a clause of it brings in

* an animate noun (person, animal, creature; ``data/animate.tsv``) that the request does not
  have and that cannot refer back to the request's own subject: a person word is read as the same
  person when the request has one ("girl" -> "young woman"), an animal word when it is of the same
  family ("tiger" -> "big cat") or generic ("the animal"); background figures are allowed where
  the clause places them far off ("a figure in the distance") or where the request names a
  crowded place ("a busy market" -> "shoppers");
* or a thing that heads a sentence (its grammatical subject) and is neither in the request nor
  a setting/light/composition word, in a sentence that never mentions the request's subject
  ("A small white screen displays a landscape." for "a pixel art castle").

Requests with no concrete subject ("loneliness", "the concept of infinity") are exempt: every
image of them must invent one. Found by a shallow reading, not a parser: see the measured
precision in docs/notes/h20.md.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .attributes import DETERMINERS, tokens
from .filters import stem
from .relations import verb_forms

DATA = Path(__file__).resolve().parent / "data"
ANIMAL_CLASSES = frozenset({"canine", "feline", "bird", "fish", "marine", "horse", "bovine", "ovine",
                            "pig", "rodent", "rabbit", "bear", "primate", "deer", "large", "reptile",
                            "amphibian", "insect"})
GROUP_WORDS = frozenset("""people crowd crowds audience pedestrians passersby shoppers villagers
spectators onlookers customers tourists""".split())
BUSY_PLACES = frozenset("""market street city square station festival stadium cafe restaurant diner
bar concert plaza mall shop town village harbor harbour port fair parade party""".split())
FAR_CUES = (("in", "the", "distance"), ("in", "the", "background"), ("far", "away"), ("distant",),
            ("faraway",), ("on", "the", "horizon"), ("far", "behind"), ("far", "off"), ("tiny",))
SETTING = frozenset("""sky skies light lights lighting sun sunlight moonlight moon stars star shadow
shadows mist fog haze clouds cloud rain snow wind air water sea ocean waves wave river lake pond
stream grass field fields meadow trees tree forest woods leaves foliage flowers mountains mountain
hills hill valley desert sand beach shore coast rocks rock cliff background foreground scene image
picture photo photograph painting drawing illustration render composition colors colours color
colour palette tones tone hues atmosphere mood ambience ground floor walls wall room interior
street streets road path horizon distance glow reflection reflections texture textures details
detail frame camera lens shot view style contrast everything edges surface dust sparks smoke steam
city skyline buildings houses windows window architecture landscape scenery setting lamp lamps
lanterns candles fire flames sunset sunrise dawn dusk night day evening morning twilight weather
storm snowfall raindrops puddles petals blossoms vines ivy moss bokeh depth focus perspective angle
lines shapes patterns pattern brushstrokes strokes canvas paper ink paint it they this he she there
nothing one artwork piece work lighting silhouette outline contours highlights rays beams space
emptiness silence time warmth calm peace darkness brightness backdrop environment world surroundings
area place corner edge center centre middle side top bottom front back atmosphere feeling sense
effect result overall whole rest line lines""".split())
PRONOUNS = frozenset("it its they them their he him his she her theirs itself themselves".split())
LEADING = frozenset("""in on at behind under above beside around through across with among near
along over below beyond inside outside against from by during after before while as""".split())
CAPTION_VERBS = """sit stand lie rest float grow hang glow shine fill rise fall run stretch surround
cover line sway look gaze wait graze perch loom tower dominate display show reflect cast frame
illuminate light bathe catch dance drift flow flicker spill pour fade blend curl wrap twist peek hide
emerge appear crash roar spread sparkle shimmer gleam hover sprawl occupy lean stand walk play
swim fly sing hold carry wear ride eat watch sleep move turn burn break stare smile sits create
give add evoke capture feature depict frame invite""".split()
_STOP_VERBS = frozenset(f for v in CAPTION_VERBS for f in verb_forms(v))
_CLOSED = frozenset("""and or but with of in at to for from by into onto while as is are was
were be been has have had can could will would may might which who that there then than so
against under over above below beside near on""".split())


@functools.lru_cache(maxsize=1)
def animate_lexicon() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (DATA / "animate.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            w, c = line.split("\t")[:2]
            out[w.strip()] = c.strip()
    return out


def animate_class(word: str) -> str | None:
    lex = animate_lexicon()
    if word.endswith("ing"):
        return None
    return lex.get(word) or lex.get(stem(word)) or lex.get(stem(word) + "s") or lex.get(
        stem(word) + "e") or None


ABSTRACT = frozenset("""love hope time fear joy chaos order peace balance energy growth memory dream
idea concept sound silence feeling nostalgia grief anxiety infinity freedom loneliness happiness
sadness anger courage wisdom knowledge truth beauty death life change power justice faith trust
solitude melancholy serenity harmony loss desire passion emotion thought thoughts imagination
creativity ambition success failure friendship bond element essence spirit soul mind meaning
weight birth end beginning passage rhythm motion speed""".split())


def is_abstract(noun: str) -> bool:
    n = noun.lower().split()[-1] if noun.strip() else ""
    return n in ABSTRACT or n.endswith(("ness", "ity", "ism", "dom", "hood", "tion", "sion"))


class RequestSubjects:
    """What a request's subject is, for the new-subject check (``nouns``: its object nouns)."""

    def __init__(self, prompt: str, nouns: set[str] | None = None):
        from .attributes import find_terms

        ts = tokens(prompt)
        covered = {k for t in find_terms(prompt) if t.axis in ("angle", "scale", "side")
                   for k in range(t.start, t.end)}
        ts = [w for k, w in enumerate(ts) if k not in covered]  # "bird's eye view" names no bird
        self.stems = {stem(w) for w in ts} | set(ts)
        self.classes = {c for w in ts if (c := animate_class(w))}
        self.busy = bool(BUSY_PLACES & set(ts)) or bool(GROUP_WORDS & set(ts))
        concrete_nouns = {n for n in (nouns or set()) if not is_abstract(n)
                          and not any(not t.weak for t in find_terms(n))}  # "photo" names no subject; "bust" does
        content = {w for n in concrete_nouns for w in tokens(n)} | {w for w in ts if animate_class(w)}
        self.content = {stem(w) for w in content} | content
        self.concrete = bool(content)
        self.ages: dict[str, set[str]] = {}
        for noun, age in _ages(ts):
            self.ages.setdefault(noun, set()).add(age)

    def allows_animate(self, word: str, clause: list[str], text: list[str] | None = None) -> bool:
        """``text``: the whole rewrite; a same-kind word ("woman" for "girl") is read as the request's
        own subject only when the rewrite never names that subject by the request's word."""
        c = animate_class(word)
        if c is None or stem(word) in self.stems or word in self.stems:
            return True
        if any(tuple(clause[i:i + len(cue)]) == cue for cue in FAR_CUES for i in range(len(clause))):
            return True
        if word in GROUP_WORDS:
            return self.busy
        named = {w for w in (text or []) if animate_class(w) == c and (w in self.stems or stem(w) in self.stems)}
        if c == "generic":
            return bool(self.classes - {"person"})
        if named:
            return False  # the request's own subject is named, so this is someone/something else
        return c in self.classes  # "woman" for "girl", "big cat" for "tiger", "android" for "robot"

    def names(self, noun: str) -> bool:
        """True if ``noun`` is one of the request's words, or part of one ("pot" for "teapot")."""
        n = stem(noun)
        return n in self.stems or any(len(n) >= 3 and (w.endswith(n) or n.endswith(w))
                                      for w in self.content if len(w) >= 3)

    def mentions(self, ts: list[str]) -> bool:
        return any(stem(w) in self.content or w in self.content or w in PRONOUNS for w in ts)


AGES = {"old": "old", "elderly": "old", "aged": "old", "senior": "old", "wrinkled": "old",
        "young": "young", "little": "young", "teenage": "young", "baby": "young", "toddler": "young"}


def _ages(ts: list[str]) -> list[tuple[str, str]]:
    """(noun, age) for each person/animal given an age ("an old man" -> ("man", "old"))."""
    return [(stem(w), AGES[a]) for i, w in enumerate(ts) if animate_class(w)
            for a in ts[max(0, i - 2):i] if a in AGES]


def sentence_head(ts: list[str]) -> str | None:
    """The head noun of a sentence's grammatical subject, by a shallow reading (or None)."""
    i = 0
    if ts and ts[0] in LEADING:
        return None  # "In the background, ..." : the clause after the comma is read on its own
    while i < len(ts) and (ts[i] in DETERMINERS or ts[i].isdigit()):
        i += 1
    np: list[str] = []
    while i < len(ts) and len(np) <= 6:
        w = ts[i]
        last = i == len(ts) - 1
        verbish = w in _STOP_VERBS or (np and (w.endswith("ing") or w.endswith("ed")))
        if w in _CLOSED or (verbish and np and not last and w not in SETTING):
            break
        np.append(w)
        i += 1
    if not np or len(np) > 6 or i >= len(ts):
        return None
    return np[-1]


def new_subjects(req: RequestSubjects, clause: str, *, sentence_start: bool,
                 sentence: str = "", text: str = "") -> list[str]:
    """The new main subjects ``clause`` brings in (empty when it brings none); ``text``: the whole
    rewrite (for reading "woman" as the request's "girl")."""
    if not req.concrete:
        return []
    ts = tokens(clause)
    whole = tokens(text or clause)
    out = [w for w in ts if animate_class(w) and not req.allows_animate(w, ts, whole)]
    for noun, age in _ages(ts):  # "a young man" in a caption for "an old man"
        if req.ages.get(noun) and age not in req.ages[noun]:
            out.append(f"{age} {noun}")
    if sentence_start and not out:
        head = sentence_head(ts)
        if (head and not req.names(head) and head not in SETTING and stem(head) not in SETTING
                and head not in PRONOUNS and not animate_class(head)
                and not req.mentions(tokens(sentence or clause)[:12])):
            out.append(head)
    return list(dict.fromkeys(out))
