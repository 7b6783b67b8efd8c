"""`limner info IMAGE`: print the recipe stored in a PNG limner wrote."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from .errors import InputError


def register(app: typer.Typer) -> None:
    @app.command()
    def info(
        image: Path = typer.Argument(..., help="a PNG written by limner"),
        params: bool = typer.Option(False, "--parameters", help="print the A1111 'parameters' text instead"),
    ) -> None:
        """Print the recipe (the `limner` JSON chunk) stored in IMAGE."""
        from .records import read_parameters, read_record

        rec = read_record(image)
        if params:
            text = read_parameters(image)
            if text is None:
                raise InputError(f"{image} has no 'parameters' chunk")
            typer.echo(text)
            return
        if rec is None:
            raise InputError(f"{image} carries no limner record (written with --no-metadata, or not by limner)")
        typer.echo(json.dumps(rec.model_dump(mode="json", exclude_none=True), indent=2))
