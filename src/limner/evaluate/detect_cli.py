"""`limner world detect`: the exact detector on images, optionally checked against a prompt.

    limner world detect out/0.png out/1.png              # out/0.png: 3 red circles, 1 blue square
    limner world detect out/*.png --expect "two red circles left of a blue square"   # exit 1 if not met
    limner world detect out/0.png --expect-record        # check against the layout in the PNG's record

It lives here, above both the world (detector, scoring) and the planner (reading ``--expect``), so
that the world package never imports the planner (the planner reads the world's vocabulary).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import InputError


def load_image(path: Path):
    """An RGB PIL image, or a one-line InputError."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except FileNotFoundError:
        raise InputError(f"no such image: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not an image") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"cannot read image {path}: {str(exc).splitlines()[0]}") from None


def _expect_spec(prompt: str):
    from ..plan import parse_request
    from ..world.score import spec_from_constraints

    spec, notes = spec_from_constraints(parse_request(prompt))
    if not spec.requirements and not spec.exclusions:
        raise InputError(f"nothing in '{prompt}' can be checked in the world "
                         f"(world shapes: circle, square, triangle, star, heart, diamond)")
    return spec, notes


def _record_spec(path: Path):
    from ..records import read_record
    from ..world.score import requirements_from_layout

    rec = read_record(path)
    if rec is None or rec.layout is None:
        raise InputError(f"{path} carries no limner record with a layout (use --expect PROMPT)")
    return requirements_from_layout(rec.layout)


def detect_command(images: List[Path], as_json: bool, expect: Optional[str], expect_record: bool,
                   echo=typer.echo) -> int:
    """Run the detector on each image; returns the number of images that failed expectations."""
    from ..world.detect import detect
    from ..world.score import score, summarize

    if expect is not None and expect_record:
        raise InputError("use either --expect or --expect-record, not both")
    spec = notes = None
    if expect is not None:
        spec, notes = _expect_spec(expect)
        for n in notes:
            echo(f"note: {n}", err=True)
    failed = 0
    for path in images:
        dets = detect(load_image(path))
        s = spec if not expect_record else _record_spec(path)
        result = score(dets, s) if s is not None else None
        if result is not None and not result.ok:
            failed += 1
        if as_json:
            row = {"image": str(path), "summary": summarize(dets),
                   "detections": [d.model_dump() for d in dets]}
            if result is not None:
                row["ok"] = result.ok
                row["failures"] = result.failures()
            echo(json.dumps(row))
        else:
            line = f"{path}: {summarize(dets)}"
            if result is not None:
                line += "  [ok]" if result.ok else "  [FAIL: " + "; ".join(result.failures()) + "]"
            echo(line)
    return failed


def register(world_app: typer.Typer) -> None:
    @world_app.command("detect")
    def _detect(
        images: List[Path] = typer.Argument(..., help="world images (PNG/JPEG; any size)"),
        as_json: bool = typer.Option(False, "--json", help="one JSON object per image"),
        expect: Optional[str] = typer.Option(None, "--expect", help="prompt whose constraints must hold; exit 1 if not"),
        expect_record: bool = typer.Option(False, "--expect-record",
                                           help="check against the layout in each PNG's limner record"),
    ) -> None:
        """Find the world objects in images (shape, colour, texture, box); optionally check a prompt."""
        failed = detect_command(images, as_json, expect, expect_record)
        if failed:
            # SystemExit, not typer.Exit: limner.cli.main runs click with standalone_mode=False,
            # where a typer.Exit's code is returned (and dropped) instead of raised
            raise SystemExit(1)
