"""`limner edit IMAGE INSTRUCTION` and `limner edit-data build`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

edit_data_app = typer.Typer(help="The edit-data engine: (instruction, edited caption) pairs with "
                                 "exact before/after images, filtered.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    @app.command("edit")
    def edit(
        image: Path = typer.Argument(..., help="the image to edit (a world image for the embedded model)"),
        instruction: str = typer.Argument(..., help="what to change, e.g. 'make the circle green'"),
        image_guidance: Optional[float] = typer.Option(None, "--image-guidance", help="s_I: faithfulness to the source image (embedded default 1)"),
        guidance: Optional[float] = typer.Option(None, "--guidance", help="s_T: strength of the instruction (embedded default 1; above ~2 the embedded model over-saturates)"),
        num_images: int = typer.Option(1, "-n", "--num-images", help="edited images (1–64), seeds seed..seed+n-1"),
        seed: int = typer.Option(0, "--seed"),
        steps: Optional[int] = typer.Option(None, "--steps", help="denoising steps (embedded default 20)"),
        out: Path = typer.Option(Path("out"), "-o", "--out", help="output directory"),
        backend: str = typer.Option("embedded", "--backend", help="edit backend: embedded | diffusers"),
        model: Optional[str] = typer.Option(None, "--model", help="diffusers: InstructPix2Pix model id or folder; embedded: weights folder"),
        device: Optional[str] = typer.Option(None, "--device", help="diffusers: cpu, cuda, mps"),
        dtype: Optional[str] = typer.Option(None, "--dtype", help="diffusers: float32 | float16 | bfloat16"),
        no_sketch: bool = typer.Option(False, "--no-sketch", help="embedded: no planner sketch (source + text only)"),
        no_mask: bool = typer.Option(False, "--no-mask", help="embedded: let the model redraw the whole image (default: pixels outside the planned edit region stay the source's)"),
        no_metadata: bool = typer.Option(False, "--no-metadata", help="write PNGs without the recipe"),
        force: bool = typer.Option(False, "--force", help="embedded: run the model on the text alone when the instruction cannot be carried out (default: refuse, exit 2, write nothing)"),
        llm: Optional[str] = typer.Option(None, "--llm", help="embedded: an LLM backend id (embedded, llamacpp, openai) that reads what the rule reader does not; its reading is verified against the instruction and the scene"),
        quiet: bool = typer.Option(False, "-q", "--quiet"),
    ) -> None:
        """Edit an image by an instruction (InstructPix2Pix): PNGs carry the source hash and instruction.

        The embedded backend reads the instruction against the detected scene first; what it cannot
        carry out (not understood, out of vocabulary, impossible) is refused with one line, exit 2,
        and no file, unless --force."""
        from ..errors import InputError
        from .pipeline import make_request, run_edit

        options: dict = {}
        if backend == "diffusers":
            options.update({k: v for k, v in (("device", device), ("dtype", dtype)) if v is not None})
        elif device not in (None, "cpu") or dtype is not None:
            raise InputError("--device/--dtype apply to --backend diffusers; the embedded model runs on CPU")
        if no_sketch:
            if backend != "embedded":
                raise InputError("--no-sketch applies to the embedded backend only")
            options["sketch"] = False
        if no_mask:
            if backend != "embedded":
                raise InputError("--no-mask applies to the embedded backend only")
            options["mask"] = False
        if force or llm:
            if backend != "embedded":
                raise InputError("--force/--llm apply to the embedded backend only")
            if force:
                options["force"] = True
            if llm:
                options["llm"] = llm
        request = make_request(image, instruction, num_images=num_images, seed=seed,
                               num_inference_steps=steps, guidance_scale=guidance,
                               image_guidance_scale=image_guidance, backend=backend, model=model,
                               options=options)
        progress = None
        bars: list = []
        if not quiet:
            from tqdm import tqdm

            def progress(i: int, n: int) -> None:
                if not bars:
                    bars.append(tqdm(total=n, desc="edit", unit="step", leave=False))
                bars[0].update(1)
        result = run_edit(request, out, metadata=not no_metadata, callback=progress)
        for b in bars:
            b.close()
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
        for p in result.paths:
            typer.echo(p)

    @edit_data_app.command("build")
    def build_cmd(
        out: Path = typer.Option(..., "--out", help="dataset directory"),
        world: Optional[int] = typer.Option(None, "--world", help="N world scenes as the captions"),
        captions: Optional[Path] = typer.Option(None, "--captions", help="a text file, one caption per line"),
        backend: Optional[List[str]] = typer.Option(None, "--backend", help="who writes the edits: an LLM backend id (embedded, the default; llamacpp; openai) or 'template' (no LLM, ~20 ms a pair); repeat to mix"),
        seed_start: int = typer.Option(3_000_000, "--seed-start", help="first world scene seed (evaluation uses < 100000)"),
        size: int = typer.Option(32, "--size", help="rendered image size (world images are exact at any size)"),
        resume: bool = typer.Option(False, "--resume", help="continue an interrupted build"),
        workers: int = typer.Option(1, "--workers", help="processes making shards (each builds its own LLM)"),
        shard_size: int = typer.Option(8, "--shard-size", help="items per shard: the unit a resume skips or redoes"),
        quiet: bool = typer.Option(False, "-q", "--quiet"),
    ) -> None:
        """Build an instruction-editing dataset (InstructPix2Pix's data engine, exact in the world).

        By default the embedded LLM (Gemma-3-270M, one CPU thread) writes each edit: 2-5 s of
        CPU a pair, so --world 200 takes 7-15 minutes, longer on a busy machine (the progress bar
        shows the rate and time left), and the filter keeps about 1 pair in 9. --backend template
        writes the edits from templates instead: --world 200 in ~10 s, every pair kept.
        Interrupted (Ctrl-C, kill -9)? Run the same command with --resume: finished shards
        (--shard-size items each) are kept, the others redone.
        """
        from ..errors import InputError
        from .data import build

        lines = None
        if captions is not None:
            try:
                lines = [ln for ln in captions.read_text(encoding="utf-8").splitlines() if ln.strip()]
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read captions file {captions}: {exc}") from None
            if not lines:
                raise InputError(f"{captions} has no captions")
        if not 8 <= size <= 1024:
            raise InputError("--size must be between 8 and 1024")
        try:
            s = build(out, world=world, captions=lines, seed_start=seed_start, backends=backend or None,
                      resume=resume, size=size, progress=not quiet, workers=workers, shard_size=shard_size)
        except KeyboardInterrupt:
            typer.echo(f"interrupted; the finished shards in {out} are kept: run the same command "
                       "with --resume to continue", err=True)
            raise SystemExit(130) from None
        typer.echo(f"{s.out}: {s.total} items, {s.kept} kept, {s.dropped} dropped "
                   f"({', '.join(f'{k}: {v}' for k, v in sorted(s.reasons.items()))})")

    app.add_typer(edit_data_app, name="edit-data")
