"""`limner recaption`: write short/descriptive synthetic captions for a dataset (DALL-E 3).

    limner recaption --world 1000 --out ds/ --style both --mix 0.95
    limner recaption photos/ --out ds/ --captioner openai --base-url http://127.0.0.1:11434/v1 --model llava
    limner recaption captions_only/ --out ds/ --captioner rewrite --llm embedded
    limner recaption --world 1000 --out ds/ --resume            # after a crash: finishes the job
    limner world train --captions ds/manifest.json --caption-column caption --out runs/recap
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError


def build_items(input: Optional[Path], world: int, world_seed_start: int, world_size: int,
                manifest: Optional[Path], image_column: Optional[str], text_column: Optional[str]):
    from . import sources

    if world:
        if input is not None:
            raise InputError("give either INPUT or --world N, not both")
        return sources.world_items(world, world_seed_start, world_size), f"world:{world}@{world_seed_start}"
    if input is None:
        raise InputError("give an INPUT folder (images, optional manifest, or a datasets folder) or --world N")
    if not input.exists():
        raise InputError(f"no such folder: {input}")
    if input.is_file():
        if input.suffix.lower() in (".jsonl", ".csv", ".parquet"):
            return sources.folder_items(input.parent, input, image_column, text_column), str(input.resolve())
        raise InputError(f"{input} is a file; INPUT is a folder of images or a manifest (.jsonl/.csv/.parquet)")
    if sources.is_hf_folder(input) and manifest is None:
        return sources.hf_items(input), f"hf:{input.resolve()}"
    return sources.folder_items(input, manifest, image_column, text_column), str(input.resolve())


def register(app: typer.Typer) -> None:
    @app.command("recaption")
    def recaption_cmd(
        input: Optional[Path] = typer.Argument(None, help="image folder (optional manifest), a manifest file, "
                                               "or a Hugging Face datasets folder"),
        out: Path = typer.Option(..., "--out", help="output folder (Parquet shards + manifest.json)"),
        style: str = typer.Option("both", help="short | descriptive | both"),
        captioner: str = typer.Option("world", help="world | openai | rewrite"),
        mix: float = typer.Option(0.95, help="share of rows that train on the synthetic caption"),
        seed: int = typer.Option(0, help="seed of the blend (and of LLM sampling)"),
        resume: bool = typer.Option(False, help="continue a killed job: skip finished shards"),
        engine: str = typer.Option("local", help="local (process pool) | ray (Ray Data)"),
        workers: int = typer.Option(1, help="worker processes (local) / CPUs (ray)"),
        shard_size: int = typer.Option(256, help="rows per Parquet shard (the unit of resume)"),
        world: int = typer.Option(0, help="caption N corpus scenes instead of INPUT"),
        world_seed_start: int = typer.Option(4_000_000, help="first corpus seed for --world"),
        world_size: int = typer.Option(64, help="pixel size the --world scenes are rendered at"),
        manifest: Optional[Path] = typer.Option(None, help="manifest of original captions for an image folder"),
        image_column: Optional[str] = typer.Option(None, help="manifest column naming the image file"),
        text_column: Optional[str] = typer.Option(None, help="manifest column holding the original caption"),
        llm: Optional[str] = typer.Option(None, help="rewrite: LLM backend (embedded, llamacpp, openai)"),
        base_url: Optional[str] = typer.Option(None, help="openai / rewrite: server URL"),
        model: Optional[str] = typer.Option(None, help="openai / rewrite: model name"),
        progress: bool = typer.Option(True, help="show a progress bar"),
    ) -> None:
        """Recaption a dataset with short and descriptive synthetic captions (DALL-E 3), blended with
        the originals at --mix; Parquet shards, resumable, local process pool or Ray."""
        from . import get_captioner
        from .job import recaption

        items, desc = build_items(input, world, world_seed_start, world_size, manifest, image_column, text_column)
        opts = {}
        if captioner.strip().lower() == "openai":
            opts = {k: v for k, v in (("base_url", base_url), ("model", model)) if v}
        elif captioner.strip().lower() == "rewrite":
            opts = {k: v for k, v in (("backend", llm), ("base_url", base_url), ("model", model)) if v}
        cap = get_captioner(captioner, **opts)
        summary = recaption(items, out=out, captioner=cap, style=style, mix=mix, seed=seed, engine=engine,
                            workers=workers, shard_size=shard_size, resume=resume, progress=progress,
                            input_desc=desc)
        typer.echo(summary.line())
