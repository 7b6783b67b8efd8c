"""A word-level tokenizer for the embedded world's text encoder (no torch needed).

The vocabulary is the world's own words (shapes and their synonyms and plurals, colours, sizes,
textures, backgrounds), number words, relation words and a few dozen common prompt words. Text is
lower-cased and split on non-letters; digits 0–10 become number words; anything else maps to
``<unk>``. Sequences are ``<bos> words… <eos> <pad>…`` padded/truncated to ``model_max_length``.

Saved as ``vocab.json`` + ``tokenizer_config.json`` with :meth:`save_pretrained`, loaded with
:meth:`from_pretrained`, so it lives in a diffusers pipeline folder like any other component.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..world.corpus import NUMBER_WORDS, RELATIONS
from ..world.vocab import BACKGROUND_COLORS, BACKGROUND_STYLES, COLORS, PLURALS, SHAPE_SYNONYMS, SHAPES, SIZES, TEXTURES

SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]
COMMON = (
    "a an the of and or with on in at to is are there some one many several photo picture image "
    "drawing painting render illustration sketch scene background canvas top bottom left right "
    "above below under over beside next near front behind center middle corner side big tiny huge "
    "little colored coloured colorful shape shapes object objects thing things plain gradient "
    "pattern stripes stripe dots dot spotted solid from by its their each other both all no "
    "high quality detailed simple flat gray grey light dark sky blue mint beige"
).split()


def _default_words() -> list[str]:
    words: list[str] = []
    for s in SHAPES:
        words += [s, PLURALS[s]]
    for syn in SHAPE_SYNONYMS:
        words += [syn, syn + ("es" if syn.endswith(("x", "s")) else "s")]
    words += list(COLORS) + list(SIZES) + list(TEXTURES) + list(BACKGROUND_COLORS) + list(BACKGROUND_STYLES)
    words += NUMBER_WORDS + [w for rel in RELATIONS for w in rel.split()]
    words += COMMON
    out: list[str] = []
    for w in words:
        if w not in out:
            out.append(w)
    return out


_SPLIT = re.compile(r"[a-z]+|\d+")


class WorldTokenizer:
    """Word-level tokenizer with a HF-like surface: ``__call__``, ``save_pretrained``, ``from_pretrained``."""

    vocab_file = "vocab.json"
    config_file = "tokenizer_config.json"

    def __init__(self, vocab: list[str] | None = None, model_max_length: int = 48):
        words = vocab if vocab is not None else SPECIALS + _default_words()
        self.vocab = list(words)
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.model_max_length = int(model_max_length)
        self.pad_token_id, self.bos_token_id, self.eos_token_id, self.unk_token_id = (
            self.index[s] for s in SPECIALS
        )

    def __len__(self) -> int:
        return len(self.vocab)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def words(self, text: str) -> list[str]:
        out = []
        for w in _SPLIT.findall((text or "").lower()):
            if w.isdigit():
                n = int(w)
                w = NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else "many"
            out.append(w)
        return out

    def unknown_words(self, text: str) -> list[str]:
        return [w for w in self.words(text) if w not in self.index]

    def encode(self, text: str) -> list[int]:
        ids = [self.index.get(w, self.unk_token_id) for w in self.words(text)]
        ids = [self.bos_token_id] + ids[: self.model_max_length - 2] + [self.eos_token_id]
        return ids + [self.pad_token_id] * (self.model_max_length - len(ids))

    def decode(self, ids) -> str:
        specials = set(range(len(SPECIALS)))
        return " ".join(self.vocab[int(i)] for i in ids if int(i) not in specials or int(i) == self.unk_token_id)

    def __call__(self, text: str | list[str], return_tensors: str | None = None, **_):
        texts = [text] if isinstance(text, str) else list(text)
        ids = [self.encode(t) for t in texts]
        if return_tensors == "pt":
            import torch

            return {"input_ids": torch.tensor(ids, dtype=torch.long)}
        return {"input_ids": ids}

    def save_pretrained(self, save_directory: str | os.PathLike, **_) -> None:
        d = Path(save_directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / self.vocab_file).write_text(json.dumps(self.vocab, indent=0))
        cfg = {"tokenizer_class": "WorldTokenizer", "model_max_length": self.model_max_length}
        (d / self.config_file).write_text(json.dumps(cfg, indent=2))

    @classmethod
    def from_pretrained(cls, path: str | os.PathLike, subfolder: str | None = None, **_) -> "WorldTokenizer":
        d = Path(path) / subfolder if subfolder else Path(path)
        vocab = json.loads((d / cls.vocab_file).read_text())
        cfg = json.loads((d / cls.config_file).read_text())
        return cls(vocab, model_max_length=cfg.get("model_max_length", 48))
