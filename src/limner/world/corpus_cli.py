"""`limner world detect` and `limner world corpus`.

    limner world detect out/0.png out/1.png              # out/0.png: 3 red circles, 1 blue square
    limner world detect out/*.png --expect "two red circles left of a blue square"   # exit 1 if not met
    limner world detect out/0.png --expect-record        # check against the layout in the PNG's record
    limner world corpus --n 1000 --out corpus/ --size 32 --seed 2000000
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import InputError


def load_image(path: Path):
    """An RGB PIL image, or a one-line InputError."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except FileNotFoundError:
        raise InputError(f"no such image: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not an image") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"cannot read image {path}: {str(exc).splitlines()[0]}") from None


def _expect_spec(prompt: str):
    from ..plan import parse_request
    from .score import spec_from_constraints

    spec, notes = spec_from_constraints(parse_request(prompt))
    if not spec.requirements and not spec.exclusions:
        raise InputError(f"nothing in '{prompt}' can be checked in the world "
                         f"(world shapes: circle, square, triangle, star, heart, diamond)")
    return spec, notes


def _record_spec(path: Path):
    from ..records import read_record
    from .score import requirements_from_layout

    rec = read_record(path)
    if rec is None or rec.layout is None:
        raise InputError(f"{path} carries no limner record with a layout (use --expect PROMPT)")
    return requirements_from_layout(rec.layout)


def detect_command(images: List[Path], as_json: bool, expect: Optional[str], expect_record: bool,
                   echo=typer.echo) -> int:
    """Run the detector on each image; returns the number of images that failed expectations."""
    from .detect import detect
    from .score import score, summarize

    if expect is not None and expect_record:
        raise InputError("use either --expect or --expect-record, not both")
    spec = notes = None
    if expect is not None:
        spec, notes = _expect_spec(expect)
        for n in notes:
            echo(f"note: {n}", err=True)
    failed = 0
    for path in images:
        dets = detect(load_image(path))
        s = spec if not expect_record else _record_spec(path)
        result = score(dets, s) if s is not None else None
        if result is not None and not result.ok:
            failed += 1
        if as_json:
            row = {"image": str(path), "summary": summarize(dets),
                   "detections": [d.model_dump() for d in dets]}
            if result is not None:
                row["ok"] = result.ok
                row["failures"] = result.failures()
            echo(json.dumps(row))
        else:
            line = f"{path}: {summarize(dets)}"
            if result is not None:
                line += "  [ok]" if result.ok else "  [FAIL: " + "; ".join(result.failures()) + "]"
            echo(line)
    return failed


def corpus_command(n: int, out: Path, size: int, seed: int, supersample: int, progress: bool = True) -> Path:
    """Write ``n`` rendered scenes (PNG with a limner record) and ``corpus.jsonl``; returns the jsonl."""
    import numpy as np
    from tqdm import tqdm

    from .. import __version__
    from ..records import ensure_output_dir, save_png
    from ..schema import ImageRecord
    from .corpus import captions, sample_scene
    from .render import render_layout

    if n < 1:
        raise InputError(f"--n must be at least 1 (got {n})")
    if not 8 <= size <= 1024:
        raise InputError(f"--size must be between 8 and 1024 (got {size})")
    if seed < 0:
        raise InputError(f"--seed must be >= 0 (got {seed})")
    out = ensure_output_dir(out)
    jsonl = out / "corpus.jsonl"
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".jsonl", dir=out)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for s in tqdm(range(seed, seed + n), desc="scenes", unit="scene", disable=not progress):
                layout = sample_scene(s)
                caps = captions(layout, np.random.default_rng(s + 1))
                name = f"{s:08d}.png"
                rec = ImageRecord(limner_version=__version__, request={"corpus_seed": s, "size": size},
                                  seed=s, prompt=caps.short, layout=layout, backend="world-render",
                                  width=size, height=size, extra={"supersample": supersample})
                save_png(render_layout(layout, size, supersample), out / name, rec)
                row = {"file": name, "seed": s, "size": size, "layout": layout.model_dump(exclude_none=True),
                       "captions": {"short": caps.short, "descriptive": caps.descriptive,
                                    "relation": caps.relation}}
                f.write(json.dumps(row) + "\n")
        os.replace(tmp, jsonl)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return jsonl


def register(world_app: typer.Typer) -> None:
    @world_app.command("detect")
    def _detect(
        images: List[Path] = typer.Argument(..., help="world images (PNG/JPEG; any size)"),
        as_json: bool = typer.Option(False, "--json", help="one JSON object per image"),
        expect: Optional[str] = typer.Option(None, "--expect", help="prompt whose constraints must hold; exit 1 if not"),
        expect_record: bool = typer.Option(False, "--expect-record",
                                           help="check against the layout in each PNG's limner record"),
    ) -> None:
        """Find the world objects in images (shape, colour, texture, box); optionally check a prompt."""
        failed = detect_command(images, as_json, expect, expect_record)
        if failed:
            # SystemExit, not typer.Exit: limner.cli.main runs click with standalone_mode=False,
            # where a typer.Exit's code is returned (and dropped) instead of raised
            raise SystemExit(1)

    @world_app.command("corpus")
    def _corpus(
        n: int = typer.Option(..., "--n", help="number of scenes"),
        out: Path = typer.Option(..., "--out", help="output directory"),
        size: int = typer.Option(32, "--size", help="image side in pixels"),
        seed: int = typer.Option(0, "--seed", help="first scene seed (0–99,999 are evaluation scenes)"),
        supersample: int = typer.Option(4, "--supersample", min=1, max=16, help="anti-aliasing factor"),
        quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
    ) -> None:
        """Render N procedural scenes: PNGs (with their layout record) + corpus.jsonl (layout, captions)."""
        path = corpus_command(n, out, size, seed, supersample, progress=not quiet)
        typer.echo(f"wrote {n} scenes to {path.parent} ({path.name})")
