"""`limner plan PROMPT` / `limner plan --tikz FILE`: a layout plan, its TikZ program, its sketch."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError


def _read_tikz(path: Path) -> str:
    try:
        if path.stat().st_size > 200_000:
            raise InputError(f"{path} is larger than 200 kB; not a TikZ sketch")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"cannot read TikZ file {path}: {reason}") from None


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan_command(
        prompt: Optional[str] = typer.Argument(None, help="what to draw, e.g. 'two red circles left of a blue square'"),
        planner: str = typer.Option("embedded", "--planner", help="rules (no LLM) or an LLM backend id: embedded, openai, llamacpp"),
        format: str = typer.Option("json", "--format", help="json (the Layout) or tikz (a TikZ program)"),
        sketch: Optional[Path] = typer.Option(None, "--sketch", help="write the sketch image (PNG) here"),
        tikz: Optional[Path] = typer.Option(None, "--tikz", help="read a TikZ-subset program instead of planning"),
        seed: int = typer.Option(0, "--seed", min=0, help="layout seed"),
        width: Optional[int] = typer.Option(None, "--width", min=8, max=8192, help="canvas width (default 512; --tikz: from the program)"),
        height: Optional[int] = typer.Option(None, "--height", min=8, max=8192, help="canvas height (default 512)"),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible LLM server"),
        model: Optional[str] = typer.Option(None, "--model", help="LLM model name or GGUF path"),
        no_cache: bool = typer.Option(False, "--no-cache", help="do not read or write the LLM cache"),
        llm_timeout: Optional[float] = typer.Option(None, "--llm-timeout", min=0.0, help="seconds for each whole LLM call, re-asks included (default: $LIMNER_LLM_TIMEOUT / config / 120)"),
        temperature: float = typer.Option(0.0, "--temperature", min=0.0, max=2.0, help="LLM sampling temperature"),
        mode: str = typer.Option("auto", "--mode", help="LLM planning: auto, free (LLM names the objects) or guided (LLM places the parsed objects)"),
        json_full: bool = typer.Option(False, "--json-full", help="print the whole PlanResult (constraints, repairs)"),
        no_labels: bool = typer.Option(False, "--no-labels", help="sketch without text labels"),
        outline: bool = typer.Option(False, "--outline", help="sketch outlines instead of filled shapes"),
    ) -> None:
        """Plan a layout (objects, boxes, colours) for PROMPT, verified against the request.

        Prints the Layout as JSON (or TikZ with --format tikz); --sketch writes the Control-GPT
        style sketch. With --tikz FILE, the program is interpreted instead (nothing runs LaTeX).
        """
        from . import layout_to_tikz, plan, render_sketch, tikz_to_layout

        if format not in ("json", "tikz"):
            raise InputError(f"--format must be json or tikz, not {format!r}")
        if tikz is not None:
            if prompt:
                raise InputError("give either PROMPT or --tikz FILE, not both")
            layout = tikz_to_layout(_read_tikz(tikz), width=width, height=height)
            text = layout_to_tikz(layout) if format == "tikz" else layout.model_dump_json(indent=2, exclude_none=True)
            result = None
        else:
            if prompt is None:
                raise InputError("give a PROMPT to plan, or --tikz FILE")
            result = plan(prompt, planner=planner, seed=seed, format=format, width=width or 512, height=height or 512,
                          base_url=base_url, model=model, cache=False if no_cache else None,
                          temperature=temperature, mode=mode, timeout=llm_timeout)
            layout = result.layout
            if json_full:
                text = result.model_dump_json(indent=2, exclude_none=True)
            elif format == "tikz":
                text = result.tikz or layout_to_tikz(layout)
            else:
                text = layout.model_dump_json(indent=2, exclude_none=True)
            reading = result.constraints.reading
            if reading is not None and reading.unknown:
                typer.echo(reading.summary(), err=True)
            path = {"rules": "rules engine (no LLM)", "llm": f"LLM planner ({result.source}), verified on "
                    + ("every fact" if result.check == "full" else "the understood facts only"),
                    "rules-fallback": "rules engine (no LLM available)"}.get(result.plan_path, result.plan_path)
            typer.echo(f"planned by: {path}", err=True)
            if result.undrawable:
                names = ", ".join(dict.fromkeys(layout.objects[i].name for i in result.undrawable))
                typer.echo(f"not drawn (unknown to limner): {names}", err=True)
            for note in result.notes:
                typer.echo(f"note: {note}", err=True)
            for r in result.repairs:
                typer.echo(f"repair ({r.stage}): {r.message}", err=True)
            for v in result.violations:
                typer.echo(f"warning: {v.message}", err=True)
        if sketch is not None:
            if sketch.parent and not sketch.parent.exists():
                raise InputError(f"directory {sketch.parent} does not exist")
            img = render_sketch(layout, size=(layout.width, layout.height), labels=not no_labels, filled=not outline)
            try:
                img.save(sketch, format="PNG")
            except OSError as exc:
                raise InputError(f"cannot write {sketch}: {exc.strerror or exc}") from None
        typer.echo(text)
