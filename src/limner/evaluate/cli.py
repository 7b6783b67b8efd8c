"""`limner eval`: one harness over GenEval-format sets (plan or image stage) and the world set."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_(
        set_: Optional[str] = typer.Argument(None, metavar="SET", help="geneval | world | a GenEval-format .jsonl"),
        stage: str = typer.Option("image", "--stage", help="plan (score the plan's boxes) | image (generate, detect)"),
        limit: Optional[int] = typer.Option(None, "--limit", "-n", help="N prompts, spread over the set (world: N scenes, default 200)"),
        planner: str = typer.Option("rules", "--planner", help="rules or an LLM backend id"),
        no_plan: bool = typer.Option(False, "--no-plan", help="image stage: text only"),
        correct: bool = typer.Option(False, "--correct", help="image stage: self-correct each image"),
        rounds: int = typer.Option(2, "--rounds", min=1, max=8),
        detector: str = typer.Option("world", "--detector", help="world | owlv2 | grounding-dino | vlm"),
        seed: int = typer.Option(0, "--seed", help="prompt i uses seed + i"),
        steps: Optional[int] = typer.Option(None, "--steps"),
        out: Optional[Path] = typer.Option(None, "-o", "--out", help="write results.json and report.md here"),
        compare_runs: Optional[List[Path]] = typer.Option(None, "--compare", help="compare two runs: --compare RUN_A --compare RUN_B"),
        as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
        quiet: bool = typer.Option(False, "-q", "--quiet", help="no progress bar"),
    ) -> None:
        """Evaluate generation on a GenEval-format set; JSON + a Markdown table; compare two runs."""
        import json

        from ..errors import InputError
        from .harness import EvalConfig, evaluate
        from .report import compare, markdown, read_run, write_run

        if compare_runs:
            if len(compare_runs) != 2 or set_ is not None:
                raise InputError("--compare takes exactly two runs: limner eval --compare RUN_A --compare RUN_B")
            a, b = (read_run(p) for p in compare_runs)
            typer.echo(compare(a, b, str(compare_runs[0]), str(compare_runs[1])), nl=False)
            return
        if set_ is None:
            raise InputError("missing SET (geneval, world or a .jsonl file), or --compare RUN_A --compare RUN_B")
        if stage not in ("plan", "image"):
            raise InputError(f"unknown --stage {stage!r}; use plan or image")
        if stage == "plan" and (no_plan or correct):
            raise InputError("--no-plan and --correct apply to --stage image")
        cfg = EvalConfig(set=set_, stage=stage, limit=limit, planner=planner, plan=not no_plan, correct=correct,
                         rounds=rounds, detector=detector, seed=seed, steps=steps)
        run = evaluate(cfg, progress=not quiet)
        if out is not None:
            write_run(run, out)
        if as_json:
            typer.echo(json.dumps(run.summary, indent=2))
        else:
            typer.echo(markdown(run), nl=False)
