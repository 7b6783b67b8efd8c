"""`limner world corpus` (``limner world detect`` lives in :mod:`limner.evaluate.detect_cli`: it
reads prompts with the planner, which sits above the world).

    limner world corpus --n 1000 --out corpus/ --size 32 --seed 2000000
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import typer

from ..errors import InputError


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
