"""`limner generate`: the main job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def generate(
        prompt: Optional[str] = typer.Argument(None, help="what to draw, e.g. 'three red circles above a blue square'"),
        num_images: int = typer.Option(1, "-n", "--num-images", help="images per prompt (1–64)"),
        seed: int = typer.Option(0, "--seed", help="seed of the first image; image i uses seed+i"),
        out: Path = typer.Option(Path("out"), "-o", "--out", help="output directory"),
        backend: Optional[str] = typer.Option(None, "--backend", help="image backend: embedded | diffusers | an installed plugin's id"),
        model: Optional[str] = typer.Option(None, "--model", help="diffusers model id or local folder"),
        planner: Optional[str] = typer.Option(None, "--planner", help="rules (no LLM) or an LLM backend id: embedded, openai, llamacpp; default: the configured LLM"),
        no_plan: bool = typer.Option(False, "--no-plan", help="text only: no layout (the baseline)"),
        expand_n: int = typer.Option(0, "--expand", help="expand the prompt into N prompts, one image set each"),
        upsample: bool = typer.Option(False, "--upsample", help="rewrite the prompt as one descriptive caption (DALL-E 3)"),
        steps: Optional[int] = typer.Option(None, "--steps", help="denoising steps (backend default if unset)"),
        guidance: Optional[float] = typer.Option(None, "--guidance", help="classifier-free guidance scale"),
        negative_prompt: str = typer.Option("", "--negative-prompt"),
        width: Optional[int] = typer.Option(None, "--width"),
        height: Optional[int] = typer.Option(None, "--height"),
        controlnet: Optional[str] = typer.Option(None, "--controlnet", help="diffusers: ControlNet id/path, conditioned on the plan's sketch"),
        gligen: bool = typer.Option(False, "--gligen", help="diffusers: GLIGEN box grounding from the plan (the --model must be a GLIGEN model)"),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="diffusers scheduler: euler, euler_a, dpmpp_2m, ddim, pndm, lms, unipc"),
        device: Optional[str] = typer.Option(None, "--device", help="cpu, cuda, cuda:1, mps"),
        dtype: Optional[str] = typer.Option(None, "--dtype", help="float32 | float16 | bfloat16"),
        adapter: Optional[Path] = typer.Option(None, "--adapter", help="SUR-adapter file (limner adapter train); its sha256 goes into the recipe"),
        show_layout: bool = typer.Option(False, "--show-layout", help="also save the plan's sketch in OUT/layout/"),
        no_metadata: bool = typer.Option(False, "--no-metadata", help="write PNGs without the recipe"),
        from_image: Optional[Path] = typer.Option(None, "--from", help="re-run the recipe stored in a PNG limner wrote"),
        llm_backend: Optional[str] = typer.Option(None, "--llm-backend", help="LLM for expansion/upsampling/planning"),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server URL for the LLM"),
        llm_model: Optional[str] = typer.Option(None, "--llm-model"),
        no_cache: bool = typer.Option(False, "--no-cache", help="do not use the LLM disk cache"),
        llm_timeout: Optional[float] = typer.Option(None, "--llm-timeout", min=0.0, help="seconds for each whole LLM call, re-asks included (default: $LIMNER_LLM_TIMEOUT / config / 120)"),
        config: Optional[Path] = typer.Option(None, "--config", help="config file (TOML)"),
        correct: bool = typer.Option(False, "--correct", help="check each image against the request and redraw what is wrong"),  # limner.correct
        rounds: int = typer.Option(2, "--rounds", min=1, max=8, help="--correct: at most K correction rounds"),  # limner.correct
        detector: str = typer.Option("world", "--detector", help="--correct: world | owlv2 | grounding-dino | vlm"),  # limner.correct
        as_json: bool = typer.Option(False, "--json", help="print the records as JSON"),
        quiet: bool = typer.Option(False, "-q", "--quiet"),
    ) -> None:
        """Generate images: (expand/upsample) → plan a layout → draw → PNGs carrying their recipe."""
        from .config import load_settings
        from .errors import InputError
        from .generate import Hooks, generate as run, regenerate, request_from_settings, stderr_progress

        hooks = Hooks(progress=None if quiet else stderr_progress)
        if from_image is not None:
            if prompt:
                raise InputError("give either a PROMPT or --from IMAGE, not both")
            result = regenerate(from_image, out, metadata=not no_metadata, hooks=hooks)
        else:
            if prompt is None:
                raise InputError("missing PROMPT (or --from IMAGE)")
            settings = load_settings(config, llm_backend=llm_backend, llm_base_url=base_url,
                                     llm_model=llm_model, image_backend=backend, image_model=model,
                                     device=device, dtype=dtype)
            request = request_from_settings(
                prompt, settings, planner=planner, llm_cache=False if no_cache else None, llm_timeout=llm_timeout,
                backend_options={"controlnet": controlnet, "gligen": gligen or None, "scheduler": scheduler,
                                 "adapter": str(adapter) if adapter else None,
                                 # limner.correct reads these from the request's options
                                 "correct": {"rounds": rounds, "detector": detector} if correct else None},
                negative_prompt=negative_prompt, num_images=num_images, seed=seed,
                num_inference_steps=steps, guidance_scale=guidance, width=width, height=height,
                plan=not no_plan, expand=expand_n, upsample=upsample,
            )
            result = run(request, out, metadata=not no_metadata, show_layout=show_layout, hooks=hooks)
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
        if as_json:
            typer.echo(json.dumps({"paths": result.paths,
                                   "records": [r.model_dump(mode="json", exclude_none=True) for r in result.records]},
                                  indent=2))
        else:
            for p in result.paths:
                typer.echo(p)
