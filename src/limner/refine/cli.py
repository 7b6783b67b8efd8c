"""`limner refine IMAGE INSTRUCTION`: multi-round refinement of a generated scene (its plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("refine")
    def refine(
        image: Optional[Path] = typer.Argument(None, help="a PNG limner generated (with its recipe)"),
        instruction: Optional[str] = typer.Argument(None, help="e.g. 'make the circle red and add a star to its right'"),
        out: Path = typer.Option(Path("out"), "-o", "--out", help="output directory"),
        from_image: Optional[Path] = typer.Option(None, "--from", help="replay the refinement chain stored in a PNG"),
        round_: Optional[int] = typer.Option(None, "--round", help="with --from: the round to replay (0 = the first image)"),
        whole: bool = typer.Option(False, "--whole", help="redraw the whole refined plan instead of only what changed"),
        correct_rounds: int = typer.Option(1, "--correct-rounds", min=0, max=8, help="correction rounds after the redraw"),
        llm_backend: Optional[str] = typer.Option(None, "--llm", help="an LLM backend for clauses the rules cannot read (embedded, openai, llamacpp)"),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server URL for --llm openai"),
        no_metadata: bool = typer.Option(False, "--no-metadata", help="write PNGs without the recipe"),
        as_json: bool = typer.Option(False, "--json", help="print the round as JSON"),
    ) -> None:
        """Change a generated picture by instruction: the plan is edited, only what changed is redrawn."""
        import json

        from PIL import Image

        from ..errors import InputError
        from ..generate import write_result
        from ..records import read_record
        from ..schema import GenerationResult
        from .rounds import refine_image, replay

        if from_image is not None:
            if image is not None or instruction is not None:
                raise InputError("give either IMAGE INSTRUCTION or --from IMAGE [--round K], not both")
            rec = read_record(from_image)
            if rec is None:
                raise InputError(f"{from_image} carries no limner record (written with --no-metadata?)")
            img, rec = replay(rec, round_)
            result = write_result(GenerationResult(records=[rec], images=[img]), out, metadata=not no_metadata)
            for p in result.paths:
                typer.echo(p)
            return
        if image is None or instruction is None:
            raise InputError("missing IMAGE and INSTRUCTION (or --from IMAGE)")
        if round_ is not None:
            raise InputError("--round goes with --from")
        rec = read_record(image)
        if rec is None:
            raise InputError(f"{image} carries no limner record (written with --no-metadata?); refine needs its plan")
        if rec.kind != "generate":
            raise InputError(f"{image} is an edit; limner refine works on generated images")
        with Image.open(image) as im:
            src = im.convert("RGB")
        if src.size != (rec.width, rec.height):  # a viewing copy: back to the native pixels
            src = src.resize((rec.width, rec.height), Image.NEAREST)
        llm = None
        if llm_backend:
            from ..llm import get_llm

            llm = get_llm(llm_backend, **({"base_url": base_url} if base_url else {}))
        img, new_rec, rnd = refine_image(src, rec, instruction, llm=llm, whole=whole, correct_rounds=correct_rounds)
        for note in rnd.notes:
            typer.echo(f"note: {note}", err=True)
        result = write_result(GenerationResult(records=[new_rec], images=[img]), out, metadata=not no_metadata)
        if as_json:
            typer.echo(json.dumps({"paths": result.paths, "round": rnd.model_dump(mode="json", exclude_none=True)}, indent=2))
        else:
            for p in result.paths:
                typer.echo(p)
