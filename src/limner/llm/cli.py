"""`limner llm PROMPT`: ask the configured LLM, optionally for JSON that follows a schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional

import typer

from ..errors import InputError


def load_schema(text: str) -> dict[str, Any]:
    """A JSON schema from inline JSON (starts with ``{``) or a file path; InputError if unusable."""
    from .validate import check_schema

    source = "--json-schema"
    if not text.lstrip().startswith("{"):
        path = Path(text).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InputError(f"cannot read JSON schema file {path}: {reason}") from None
        source = str(path)
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    try:
        check_schema(schema)
    except ValueError as exc:
        raise InputError(f"{source} is not a usable JSON schema: {exc}") from None
    return schema


def register(app: typer.Typer) -> None:
    @app.command("llm")
    def llm_command(
        prompt: str = typer.Argument(..., help="what to ask"),
        json_schema: Optional[str] = typer.Option(
            None, "--json-schema", help="a JSON schema (inline JSON or a file): reply with JSON that validates"),
        backend: Optional[str] = typer.Option(None, "--backend", help="embedded | llamacpp | openai"),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1"),
        model: Optional[str] = typer.Option(None, "--model", help="model name (openai) or GGUF path (llamacpp)"),
        seed: int = typer.Option(0, "--seed", help="sampling seed"),
        temperature: float = typer.Option(0.0, "--temperature", min=0.0, help="0 = greedy"),
        max_tokens: int = typer.Option(256, "--max-tokens", min=1, help="reply length limit"),
        raw: bool = typer.Option(False, "--raw", help="send PROMPT as a plain completion, no frame"),
        indent: Optional[int] = typer.Option(None, "--indent", min=0, help="indent JSON output"),
        no_cache: bool = typer.Option(False, "--no-cache", help="do not read or write the LLM cache"),
        llm_timeout: Optional[float] = typer.Option(
            None, "--llm-timeout", min=0.0,
            help="seconds for the whole LLM call, re-asks included (0 = no limit; default from "
                 "$LIMNER_LLM_TIMEOUT / config llm_timeout / 120)"),
        config: Optional[Path] = typer.Option(None, "--config", help="config file (TOML)"),
    ) -> None:
        """Ask the LLM. With --json-schema, print the reply as JSON that validates against it."""
        from ..config import load_settings
        from . import get_llm
        from .prompts import ask_json

        if not prompt.strip():
            raise InputError("the prompt is empty")
        schema = load_schema(json_schema) if json_schema is not None else None
        settings = load_settings(config, llm_backend=backend, llm_base_url=base_url, llm_model=model,
                                 llm_cache=False if no_cache else None, llm_timeout=llm_timeout)
        llm = get_llm(settings=settings)
        kw = dict(seed=seed, temperature=temperature, max_tokens=max_tokens)
        if schema is not None:
            if raw:
                data = llm.complete(prompt, schema=schema, **kw)
            else:
                data = ask_json(llm, prompt, schema, **kw)
            typer.echo(json.dumps(data, ensure_ascii=False, indent=indent))
        elif raw:
            typer.echo(printable(llm.complete(prompt, **kw)))
        else:
            typer.echo(printable(llm.chat(prompt, **kw).strip()))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """A model's or server's text with control characters (terminal escapes, NUL) removed."""
    return _CONTROL.sub("", text)
