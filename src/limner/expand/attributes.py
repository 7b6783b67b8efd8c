"""Attribute facts a request states and a rewrite must not contradict: medium, style, time of day,
season, lighting, framing and viewpoint.

Each axis has a hand-written lexicon (``data/attributes.tsv``): a phrase maps to one or more
values. For the medium the values are paths in a family tree ("art/paint/oil"), so that a
refinement is compatible ("a painting" -> "an oil painting") while a sibling family contradicts
("a photo" vs "an oil painting"; "watercolour" vs "oil"). For the other axes the values are flat
sets: "evening" is {dusk, night}, so it is compatible with "at night" but "daylight" is not.
Two terms are compatible when a value of one is a prefix of (or equal to) a value of the other.

Named styles and artists form one more axis, ``style``: a request that names one (Van Gogh, art
nouveau, cubist) must keep it, and a rewrite that names a *different* one contradicts it. Artists
come from the CLIP-Interrogator list (MIT, ``data/artists.txt``); a surname alone counts only with
a cue ("by Monet", "in the style of Monet", "Monet's", "Monet-style").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
AXES = ("medium", "style", "time", "season", "light", "scale", "angle", "side")
DETERMINERS = frozenset("a an the this that these those his her their its my our your some two three "
                        "four five several many".split())
# "painting"/"drawing"/"sketching" before one of these is a verb ("a man painting a fence")
_VERB_NEXT = DETERMINERS | {"on", "with", "it", "him", "them", "pictures", "lines"}
_GERUNDS = frozenset({"painting", "drawing", "sketching", "rendering", "etching"})
_MEDIUM_CUE_AFTER = frozenset({"of", "showing", "depicting", "style", "by"})
_STYLE_CUE_BEFORE = (("by",), ("style", "of"), ("inspired", "by"),
                     ("manner", "of"), ("works", "of"), ("painted", "by"), ("drawn", "by"))
# named styles (curated: the CLIP-Interrogator movements that name a style, not a medium or a
# generic word, plus common style names people type); '*' marks the -ism/-ist/-istic family
STYLE_NAMES = """
abstract expressionism*|art deco|art nouveau|arts and crafts|bauhaus|baroque|brutalism*|
classicism*|constructivism*|cubism*|dada*|de stijl|expressionism*|fauvism*|futurism*|
gothic art|impressionism*|post impressionism*|mannerism*|minimalism*|modernism*|neoclassicism*|
pointillism*|pop art|pre raphaelite|renaissance|rococo|romanticism*|suprematism*|surrealism*|
symbolism*|tonalism*|vorticism*|ukiyo e|shin hanga|lowbrow|psychedelic art|retrofuturism*|
art brut|naive art|folk art|op art|superflat|vaporwave|synthwave|cyberpunk|steampunk|solarpunk|
dieselpunk|studio ghibli|ghibli|pixar|disney|film noir|noir|bauhaus|memphis design|
socialist realism|magic realism|magical realism|hudson river school|barbizon school|
ashcan school|pre-raphaelitism|tenebrism|chiaroscuro
"""


COMMON_WORDS = """snow rain wind moon sun fire wood stone wall window door light river lake sea tree
trees moss rose fish hunter painter carpenter knight angel crane green brown white black grey gray
gold silver small long short strong bright cold still close west north south east page point post
bone fine bloom ginger stock chin ting gear cable language than"""


@dataclass(frozen=True)
class Term:
    axis: str
    phrase: str
    values: tuple[str, ...]
    start: int  # token index in the text
    end: int
    weak: bool = False  # an object word as well ("a statue", "a pencil"): never a contradiction


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; hyphens split words, "3-d" and "3 d" become "3d"."""
    t = re.sub(r"\b3\s*-?\s*d\b", "3d", text.lower().replace("’", "'"))
    return re.findall(r"[a-z0-9]+", t)


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, dict[tuple[str, ...], tuple[tuple[str, ...], bool]]]:
    table: dict[str, dict[tuple[str, ...], tuple[tuple[str, ...], bool]]] = {a: {} for a in AXES}
    for line in (DATA / "attributes.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        axis, phrase, vals = parts[0], parts[1], parts[2]
        weak = len(parts) > 3 and parts[3].strip() == "weak"
        table[axis][tuple(tokens(phrase))] = (tuple(v.strip() for v in vals.split(",")), weak)
    for raw in STYLE_NAMES.replace("\n", "").split("|"):
        name = raw.strip()
        if not name:
            continue
        base = name.rstrip("*")
        sid = "style:" + base
        table["style"][tuple(tokens(base))] = ((sid,), False)
        if name.endswith("*") and base.endswith("ism"):
            stem = base[:-3]
            for suf in ("ist", "istic", "ists"):
                table["style"][tuple(tokens(stem + suf))] = ((sid,), False)
    table["style"][("surreal",)] = (("style:surrealism",), False)
    return table


@functools.lru_cache(maxsize=1)
def _artists() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str]]:
    """(full name tokens -> id, surname tokens -> id) for the artist list."""
    full: dict[tuple[str, ...], str] = {}
    last: dict[tuple[str, ...], str] = {}
    particles = {"van", "von", "de", "da", "di", "del", "der", "du", "la", "le"}
    common = {w for line in (DATA / "lexicon.tsv").read_text(encoding="utf-8").splitlines()
              for w in tokens(line.split("\t")[1] if "\t" in line else "")}
    common |= set(COMMON_WORDS.split())
    for name in (DATA / "artists.txt").read_text(encoding="utf-8").splitlines():
        t = tuple(tokens(name))
        if len(t) < 1 or not name.strip():
            continue
        sur = t[-2:] if len(t) >= 2 and t[-2] in particles else t[-1:]
        aid = "artist:" + " ".join(sur)  # "Vincent van Gogh" and "Van Gogh" are one artist
        full[t] = aid
        if len(t) >= 2 and len(" ".join(sur)) >= 4 and not (len(sur) == 1 and sur[0] in common):
            last.setdefault(sur, aid)  # not "snow" in "covered by snow" (an artist's surname too)
    return full, last


def _match_axis(ts: list[str], axis: str) -> list[Term]:
    table = _table()[axis]
    longest = max((len(k) for k in table), default=1)
    out: list[Term] = []
    i = 0
    while i < len(ts):
        for n in range(min(longest, len(ts) - i), 0, -1):
            key = tuple(ts[i:i + n])
            if key not in table and key[-1].endswith("s") and len(key[-1]) > 4:
                sing = key[-1][:-2] if key[-1].endswith(("ches", "shes")) else key[-1][:-1]
                key = (*key[:-1], sing)  # "line drawings", "photos", "sketches"
            if key in table:
                vals, weak = table[key]
                out.append(Term(axis, " ".join(key), vals, i, i + n, weak))
                i += n
                break
        else:
            i += 1
    return out


def _has_cue(ts: list[str], i: int, j: int) -> bool:
    for cue in _STYLE_CUE_BEFORE:
        if tuple(ts[max(0, i - len(cue)):i]) == cue:
            return True
    return j < len(ts) and ts[j] in ("s", "style", "esque", "inspired")  # Monet's, Monet-style


def _match_artists(ts: list[str]) -> list[Term]:
    full, last = _artists()
    out: list[Term] = []
    i = 0
    while i < len(ts):
        hit = None
        for n in (4, 3, 2, 1):
            key = tuple(ts[i:i + n])
            if len(key) == n and key in full and (n > 1 or _has_cue(ts, i, i + n)):
                hit = (n, full[key])
                break
            if len(key) == n and key in last and _has_cue(ts, i, i + n):
                hit = (n, last[key])
                break
        if hit:
            out.append(Term("style", " ".join(ts[i:i + hit[0]]), (hit[1],), i, i + hit[0]))
            i += hit[0]
        else:
            i += 1
    return out


def find_terms(text: str) -> list[Term]:
    """Every attribute term in ``text`` (all axes), in reading order."""
    ts = tokens(text)
    out: list[Term] = []
    for axis in AXES:
        if axis == "style":
            out += _match_artists(ts)
            out += _match_axis(ts, "style")
            continue
        for t in _match_axis(ts, axis):
            if axis == "medium" and not _is_medium_use(ts, t):
                continue
            out.append(t)
    spans = sorted(out, key=lambda t: (t.start, -(t.end - t.start)))
    return spans


def _is_medium_use(ts: list[str], t: Term) -> bool:
    """False for a medium word used otherwise: "a man painting a fence", "paintings on the wall"."""
    word = ts[t.end - 1]
    nxt = ts[t.end] if t.end < len(ts) else ""
    prev = ts[t.start - 1] if t.start > 0 else ""
    if word in _GERUNDS and t.end - t.start == 1 and nxt in _VERB_NEXT and prev not in DETERMINERS:
        return False
    return nxt not in ("hang", "hangs", "hanging", "hung", "on", "line", "lined", "cover", "covering")


def request_terms(text: str) -> list[Term]:
    """The attribute terms a request *states*: weak medium words count only where they name the
    medium ("a statue of a lion", "a stained glass window showing a peacock")."""
    ts = tokens(text)
    out = []
    for t in find_terms(text):
        if t.weak:
            if "of" in ts[max(0, t.start - 3):t.start]:
                continue  # "a photo of a statue": the statue is what is shown
            nxt = ts[t.end] if t.end < len(ts) else ""
            nxt2 = ts[t.end + 1] if t.end + 1 < len(ts) else ""
            if not (nxt in _MEDIUM_CUE_AFTER or nxt2 in ("showing", "depicting", "of") or nxt == ""):
                continue
        out.append(t)
    return out


PHOTOGRAPHERS = frozenset("""leibovitz adams arbus newton bresson mccurry maier avedon penn
lachapelle crewdson aarons capa weston mapplethorpe sherman gursky salgado brandt kertesz""".split())


def implies_art(t: Term) -> bool:
    """A named painter or art movement implies a made image (a photograph contradicts it); a
    photographer or a film style does not."""
    name = t.values[0]
    if name.startswith("artist:"):
        return name[len("artist:"):].split()[-1] not in PHOTOGRAPHERS
    return name not in ("style:film noir", "style:noir")


def compatible(a: Term, b: Term) -> bool:
    if a.axis != b.axis:
        return True
    if a.axis == "style":
        return a.values == b.values
    return any(x == y or x.startswith(y + "/") or y.startswith(x + "/")
               for x in a.values for y in b.values)


def refines(caption_term: Term, request_term: Term) -> bool:
    """True if ``caption_term`` says what ``request_term`` says, or more ("oil painting" for
    "painting"; "moonlit" for "night"; not "evening" for "night", which is only compatible)."""
    if caption_term.axis != request_term.axis:
        return False
    if caption_term.axis == "style":
        return caption_term.values == request_term.values
    return all(any(c == r or c.startswith(r + "/") for r in request_term.values)
               for c in caption_term.values)


def conflicts(stated: list[Term], text: str) -> list[Term]:
    """Terms of ``text`` that contradict ``stated`` (the request's terms) on their axis.

    A term contradicts when the request states its axis and no stated term is compatible with it.
    Weak terms (object words) never contradict.
    """
    by_axis: dict[str, list[Term]] = {}
    for s in stated:
        by_axis.setdefault(s.axis, []).append(s)
    out = []
    for t in find_terms(text):
        if t.weak or t.axis not in by_axis:
            continue
        if not any(compatible(t, s) for s in by_axis[t.axis]):
            out.append(t)
    return out


def kept(stated: Term, text: str) -> bool:
    return any(refines(t, stated) for t in find_terms(text))
