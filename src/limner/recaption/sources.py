"""Inputs of a recaptioning job, as :class:`~limner.recaption.types.Item` lists, and the one image
loader the workers use.

* ``--world N``: corpus scenes ``seed_start … seed_start+N-1`` (training seeds, ≥ 1,000,000);
  the original caption is an alt-text-like caption (:mod:`.alt_text`).
* an image folder: every image file under it (sorted by relative path), or, when a manifest is
  there (``--manifest`` or ``metadata.jsonl`` / ``manifest.jsonl`` / ``captions.csv`` / ``*.parquet``
  at its top), the manifest's rows: an image column (``file_name``, ``image``, ``path``, ``file``)
  and an original-caption column (``caption``, ``text``, ``alt``, ``alt_text``, ``original``).
* a Hugging Face ``datasets`` folder (``save_to_disk``): its image column and text column; needs
  the ``datasets`` package.
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .types import Item, need

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
MANIFEST_NAMES = ("metadata.jsonl", "manifest.jsonl", "captions.jsonl", "metadata.csv", "captions.csv",
                  "manifest.csv", "metadata.parquet", "manifest.parquet", "captions.parquet")
IMAGE_COLUMNS = ("file_name", "image", "path", "file", "filename", "image_path")
TEXT_COLUMNS = ("caption", "text", "alt", "alt_text", "original", "prompt")
WORLD_SEED_START = 4_000_000  # training seeds (>= 1,000,000), apart from the edit engine's 3,000,000+


class UnreadableImage(Exception):
    """An item's image cannot be read; the message is the row's reason."""


# ----------------------------------------------------------------------------------- items
def world_items(n: int, seed_start: int = WORLD_SEED_START, size: int = 64) -> list[Item]:
    from ..world.corpus import sample_scene
    from .alt_text import alt_text

    if n < 1:
        raise InputError(f"--world needs a positive number of scenes, got {n}")
    out = []
    for i in range(n):
        seed = seed_start + i
        layout = sample_scene(seed)
        out.append(Item(i, f"world-{seed}", f"world:{seed}:{size}", alt_text(layout, np.random.default_rng([seed, 17]))))
    return out


def _read_manifest(path: Path) -> list[dict]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            rows = []
            for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        raise InputError(f"{path}:{ln} is not a JSON line") from None
            return rows
        if suffix == ".csv":
            with open(path, newline="", encoding="utf-8") as f:
                return list(csv.DictReader(f))
        if suffix == ".parquet":
            pq = need("pyarrow.parquet", "reading a Parquet manifest")
            return pq.read_table(path).to_pylist()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read manifest {path}: {exc}") from None
    raise InputError(f"manifest {path} must be .jsonl, .csv or .parquet")


def _column(rows: list[dict], wanted: str | None, names: tuple[str, ...], what: str, path: Path) -> str | None:
    cols = list(rows[0]) if rows else []
    if wanted:
        if wanted not in cols:
            raise InputError(f"manifest {path} has no column '{wanted}' (columns: {', '.join(cols)})")
        return wanted
    return next((c for c in names if c in cols), None)


def folder_items(folder: Path, manifest: Path | None = None, image_column: str | None = None,
                 text_column: str | None = None) -> list[Item]:
    if manifest is None:
        manifest = next((folder / n for n in MANIFEST_NAMES if (folder / n).is_file()), None)
    if manifest is not None:
        rows = _read_manifest(manifest)
        if not rows:
            raise InputError(f"manifest {manifest} has no rows")
        icol = _column(rows, image_column, IMAGE_COLUMNS, "image", manifest)
        if icol is None:
            raise InputError(f"manifest {manifest} names no image column (one of {', '.join(IMAGE_COLUMNS)}); "
                             "pass --image-column")
        tcol = _column(rows, text_column, TEXT_COLUMNS, "caption", manifest)
        items = []
        for i, r in enumerate(rows):
            rel = str(r.get(icol) or "")
            text = r.get(tcol) if tcol else None
            items.append(Item(i, rel or f"row-{i}", str(folder / rel) if rel else "",
                              str(text) if text not in (None, "") else None))
        return items
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_EXTS)
    if not files:
        raise InputError(f"{folder} holds no image files ({', '.join(sorted(IMAGE_EXTS))}) and no manifest")
    return [Item(i, str(p.relative_to(folder)), str(p)) for i, p in enumerate(files)]


def is_hf_folder(folder: Path) -> bool:
    return any((folder / n).is_file() for n in ("dataset_info.json", "dataset_dict.json", "state.json"))


@lru_cache(maxsize=4)
def _hf_dataset(folder: str):
    try:
        import datasets  # noqa: F401
    except ImportError:
        raise InputError(f"{folder} is a Hugging Face datasets folder, but the 'datasets' package is not "
                         "installed: pip install datasets") from None
    from datasets import DatasetDict, load_from_disk

    ds = load_from_disk(folder)
    if isinstance(ds, DatasetDict):
        ds = ds["train"] if "train" in ds else ds[next(iter(ds))]
    from datasets import Image as ImageFeature

    for col, feat in ds.features.items():  # raw bytes/paths: limner decodes, so a bad image is a failed row
        if isinstance(feat, ImageFeature) and feat.decode:
            ds = ds.cast_column(col, ImageFeature(decode=False))
    return ds


def _hf_columns(ds) -> tuple[str, str | None]:
    feats = ds.features
    img = next((c for c, f in feats.items() if type(f).__name__ == "Image"), None) or \
        next((c for c in IMAGE_COLUMNS if c in feats), None)
    if img is None:
        raise InputError(f"the dataset has no image column (columns: {', '.join(feats)})")
    txt = next((c for c in TEXT_COLUMNS if c in feats), None)
    return img, txt


def hf_items(folder: Path) -> list[Item]:
    ds = _hf_dataset(str(folder))
    _, txt = _hf_columns(ds)
    texts = ds[txt] if txt else [None] * len(ds)
    return [Item(i, f"row-{i}", f"hf:{folder}#{i}", str(t) if t not in (None, "") else None)
            for i, t in enumerate(texts)]


# ----------------------------------------------------------------------------------- images
def load_image(source: str) -> Any:
    """The item's RGB PIL image; :class:`UnreadableImage` with the reason if it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    if source.startswith("world:"):
        from ..world.corpus import sample_scene
        from ..world.render import render_layout

        _, seed, size = source.split(":")
        return render_layout(sample_scene(int(seed)), int(size), supersample=2)
    if source.startswith("hf:"):
        folder, _, row = source[3:].rpartition("#")
        ds = _hf_dataset(folder)
        img_col, _ = _hf_columns(ds)
        value = ds[int(row)][img_col]
        if isinstance(value, dict) and value.get("bytes"):
            import io

            value = io.BytesIO(value["bytes"])
        elif isinstance(value, dict) and value.get("path"):
            value = value["path"]
        if not isinstance(value, Image.Image):
            try:
                with Image.open(value) as im:
                    im.load()
                    return im.convert("RGB")
            except (UnidentifiedImageError, OSError, ValueError, TypeError) as exc:
                raise UnreadableImage(f"cannot read image: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        return value.convert("RGB")
    if not source:
        raise UnreadableImage("no image file named for this row")
    try:
        with Image.open(source) as im:
            im.load()  # decodes now: a truncated file fails here, not later
            return im.convert("RGB")
    except FileNotFoundError:
        raise UnreadableImage(f"no such image: {source}") from None
    except IsADirectoryError:
        raise UnreadableImage(f"{source} is a directory, not an image") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnreadableImage(f"cannot read image: {msg}") from None
