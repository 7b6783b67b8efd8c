"""`limner expand QUERY` and `limner upsample PROMPT`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer


def _llm(backend, base_url, model, no_cache, config):
    from ..config import load_settings
    from ..llm import get_llm

    settings = load_settings(config, llm_backend=backend, llm_base_url=base_url, llm_model=model,
                             llm_cache=False if no_cache else None)
    return get_llm(settings=settings)


def _progress(quiet: bool):
    if quiet:
        return None
    return lambda msg: print(f"[limner] {msg}", file=sys.stderr, flush=True)


def register(app: typer.Typer) -> None:
    @app.command("expand")
    def expand_command(
        query: Optional[str] = typer.Argument(None, help="the short prompt to expand"),
        n: int = typer.Option(4, "-n", "--num", help="how many expansions (1-16)"),
        prefix: Optional[str] = typer.Option(
            None, "--prefix", help="ABST, DTL, FLV, HAST, MSTP, RFT, SUBJ, STY or auto (default)"),
        steps: int = typer.Option(1, "--steps", help="multi-step: expand the best result again (1-5)"),
        from_text: Optional[str] = typer.Option(
            None, "--from", help="an expansion you chose: expand it again (QUERY = the original)"),
        pool: Optional[int] = typer.Option(None, "--pool", help="candidates per step (default 2N; 4N for RFT)"),
        seed: int = typer.Option(0, "--seed", min=0, help="same seed, same expansions"),
        as_json: bool = typer.Option(False, "--json", help="print the Expansion records as JSON"),
        backend: Optional[str] = typer.Option(None, "--backend", help="LLM: embedded | llamacpp | openai"),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server URL"),
        model: Optional[str] = typer.Option(None, "--model", help="LLM model name or GGUF path"),
        no_cache: bool = typer.Option(False, "--no-cache", help="do not read or write the LLM cache"),
        config: Optional[Path] = typer.Option(None, "--config", help="config file (TOML)"),
        list_prefixes: bool = typer.Option(False, "--list-prefixes", help="list the prefixes and exit"),
        quiet: bool = typer.Option(False, "-q", "--quiet", help="no progress on stderr"),
    ) -> None:
        """Expand a short prompt into N diverse, detailed prompts (Prompt Expansion)."""
        from ..errors import InputError
        from . import PREFIXES, prefixes
        from .expander import expand

        if list_prefixes:
            for k, v in PREFIXES.items():
                typer.echo(f"{k}\t{v}")
            return
        if query is None:
            if from_text is None:
                raise InputError("missing QUERY (the prompt to expand)")
            query = from_text
        p = prefixes.normalize(prefix)
        needs_llm = p not in prefixes.FLAVOR_ONLY or steps > 1 or from_text is not None
        llm = _llm(backend, base_url, model, no_cache, config) if needs_llm else None
        out = expand(query, n, prefix=p, steps=steps, seed=seed, llm=llm, pool=pool,
                     from_text=from_text, progress=_progress(quiet))
        if as_json:
            typer.echo(json.dumps([e.model_dump(mode="json") for e in out], indent=2,
                                  ensure_ascii=False))
        else:
            for e in out:
                typer.echo(e.text)

    @app.command("upsample")
    def upsample_command(
        prompt: str = typer.Argument(..., help="the short prompt to rewrite"),
        seed: int = typer.Option(0, "--seed", min=0, help="same seed, same caption"),
        as_json: bool = typer.Option(False, "--json", help="print the Expansion record as JSON"),
        backend: Optional[str] = typer.Option(None, "--backend", help="LLM: embedded | llamacpp | openai"),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server URL"),
        model: Optional[str] = typer.Option(None, "--model", help="LLM model name or GGUF path"),
        no_cache: bool = typer.Option(False, "--no-cache", help="do not read or write the LLM cache"),
        config: Optional[Path] = typer.Option(None, "--config", help="config file (TOML)"),
        quiet: bool = typer.Option(False, "-q", "--quiet", help="no progress on stderr"),
    ) -> None:
        """Rewrite a prompt as one descriptive caption that keeps its facts (DALL-E 3 upsampling)."""
        from .filters import check_query
        from .upsample import upsample_report

        check_query(prompt, "prompt")  # fail fast, before loading the LLM
        llm = _llm(backend, base_url, model, no_cache, config)
        rep = upsample_report(prompt, seed=seed, llm=llm, progress=_progress(quiet))
        e = rep.expansion
        if as_json:
            out = e.model_dump(mode="json")
            out["removed"] = [{"why": f.what, "text": f.removed} for f in rep.removed]
            typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        else:
            if not quiet:
                for f in rep.removed:
                    print(f"[limner] removed ({f.what}): {f.removed}", file=sys.stderr, flush=True)
            typer.echo(e.text)
