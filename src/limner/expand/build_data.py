"""Rebuild the shipped flavour lexicon (``expand/data/``) from the CLIP-Interrogator lists.

This is a maintainer tool, run once; limner never reads the source lists at run time::

    HF_HUB_OFFLINE=1 python -m limner.expand.build_data /path/to/clip_interrogator [--top 3000]

It writes ``data/lexicon.tsv`` (``kind<TAB>text<TAB>prior``, one modifier a line), ``data/lexicon_emb.npy``
(float16 all-MiniLM-L6-v2 embeddings of those lines, in the same order, L2-normalised before the
cast) and ``data/LICENSE.clip-interrogator`` (the lists' MIT notice). Selection:

* ``mediums.txt`` (kind ``medium``) minus :data:`BLOCK_MEDIUMS` (not ways of rendering the
  query: "a jigsaw puzzle", "a screenshot", ...), and ``movements.txt`` (kind ``movement``);
* the first ``--top`` lines of ``flavors_sfw.txt`` (the list is ordered by popularity), minus
  entries naming an artist from ``artists.txt`` (either name order), entries with a word that
  MiniLM's WordPiece vocabulary does not hold whole (rare proper names), a short list of
  franchise/brand names, and near-duplicates that differ only in spaces/punctuation; each kept
  flavour gets a kind by keywords: ``lighting``, ``quality``, ``camera`` or ``style``, and a
  popularity prior from its rank (used as a small bonus at retrieval).
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"

KIND_KEYWORDS = {
    "lighting": ("light", "lighting", "lit", "glow", "glowing", "illumination", "shadow", "shadows",
                 "sunset", "sunrise", "sunlight", "moonlight", "rays", "backlit", "golden hour",
                 "neon", "lights", "night", "dusk", "dawn", "fog", "foggy", "misty", "haze"),
    "quality": ("detailed", "detail", "details", "quality", "8k", "8 k", "4k", "4 k", "hd", "hdr",
                "award", "masterpiece", "sharp", "resolution", "intricate", "trending",
                "beautiful", "stunning", "realistic", "photorealistic", "hyperrealistic",
                "elegant", "highly", "ultra", "professional", "polished", "crisp", "aesthetic"),
    "camera": ("lens", "shot", "depth of field", "bokeh", "angle", "view", "portrait", "centered",
               "symmetrical", "symmetry", "mm", "f/", "close up", "closeup", "wide", "panorama",
               "panoramic", "aerial", "telephoto", "macro", "fisheye", "fish eye", "focus",
               "composition", "full body", "photograph", "photo", "camera", "zoom"),
}
BLOCK = ("game of thrones", "batman", "league of legends", "resident evil", "apex legends", "d & d",
         "dnd", "marvel", "dc comics", "star wars", "pokemon", "disney", "pixar", "ghibli",
         "warhammer", "zelda", "mario", "harry potter", "lord of the rings", "elden ring",
         "dark souls", "fortnite", "overwatch", "cyberpunk 2077", "artgerm", "rutkowski", "mucha",
         "furaffinity", "deviantart", "pixiv", "artstation", "cgsociety", "behance", "instagram",
         "reddit", "4chan", "nft", "sots", "trending on", "featured on", "seen on", "d&d",
         "final fantasy", "art station", "profile picture", "sexy", "nude", "attractive", "face",
         "gun", "blood", "gore", "horror", "creepy", "scary")


# mediums that are not a way of rendering a picture of the query
BLOCK_MEDIUMS = {"a jigsaw puzzle", "a diagram", "a wireframe diagram", "a photocopy", "a picture",
                 "a photo", "a screenshot", "a stock photo", "a tattoo", "an album cover",
                 "a poster", "a portrait", "a character portrait", "a statue", "a cross stitch",
                 "a child's drawing", "a microscopic photo", "an illustration of", "a still life",
                 "a hologram", "a bronze sculpture", "a marble sculpture", "a surrealist sculpture",
                 "an abstract sculpture", "an art deco sculpture", "a mosaic"}


def classify(text: str) -> str:
    t = f" {text.lower()} "
    for kind, words in KIND_KEYWORDS.items():
        if any(f" {w} " in t or (len(w) > 3 and w in t) for w in words):
            return kind
    return "style"


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", s.lower())


def _artist_keys(path: Path) -> set[str]:
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words = re.findall(r"[a-z]+", line.lower())
        if len(words) >= 2:
            keys.add(" ".join(words))
            keys.add(" ".join(reversed(words)))
    return keys


def select(src: Path, top: int, vocab: set[str]) -> list[tuple[str, str, float]]:
    """(kind, text, prior) rows; prior = popularity in [0, 1] (1 - rank/top; 0.5 for lists
    that carry no order)."""
    rows: list[tuple[str, str, float]] = []
    seen: set[str] = set()

    def add(kind: str, text: str, prior: float) -> None:
        key = _norm(text)
        if key and key not in seen:
            seen.add(key)
            rows.append((kind, text, prior))

    for line in (src / "mediums.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and line.strip() not in BLOCK_MEDIUMS:
            add("medium", line.strip(), 0.5)
    for line in (src / "movements.txt").read_text(encoding="utf-8").splitlines():
        add("movement", line.strip(), 0.5)
    artists = _artist_keys(src / "artists.txt")
    flavors = (src / "flavors_sfw.txt").read_text(encoding="utf-8").splitlines()[:top]
    for rank, line in enumerate(flavors):
        text = line.strip()
        low = text.lower()
        words = re.findall(r"[a-z]+", low)
        if not words or len(text) > 60 or any(b in low for b in BLOCK):
            continue
        joined = " ".join(words)
        if any(a in joined for a in artists if len(a) > 6):
            continue
        if any(w not in vocab for w in words):
            continue
        add(classify(text), text, round(1 - rank / len(flavors), 3))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path, help="folder with the CLIP-Interrogator .txt lists")
    ap.add_argument("--top", type=int, default=3000, help="how many of flavors_sfw.txt to consider")
    args = ap.parse_args(argv)

    from . import embed as E

    vocab = {w.strip() for w in (Path(E.model_path()) / "vocab.txt").read_text().splitlines()
             if w.strip() and not w.startswith("##")}
    rows = select(args.src, args.top, vocab)
    DATA.mkdir(exist_ok=True)
    (DATA / "lexicon.tsv").write_text("".join(f"{k}\t{t}\t{p}\n" for k, t, p in rows),
                                      encoding="utf-8")
    vecs = E.embed([t for _, t, _ in rows], batch_size=128)
    np.save(DATA / "lexicon_emb.npy", vecs.astype(np.float16))
    (DATA / "LICENSE.clip-interrogator").write_text((args.src / "LICENSE").read_text())
    digest = hashlib.sha256((DATA / "lexicon.tsv").read_bytes()).hexdigest()[:16]
    kinds: dict[str, int] = {}
    for k, _, _ in rows:
        kinds[k] = kinds.get(k, 0) + 1
    print(f"{len(rows)} modifiers {kinds}; lexicon.tsv sha256[:16]={digest}")


if __name__ == "__main__":
    main()
