"""The `limner` command line.

This file only assembles the app: each area registers its commands from its own ``cli.py``
(``limner/llm/cli.py``, ``limner/plan/cli.py``, ...) through a ``register(app)`` function, so a
reader finds a command next to the code it fronts. Command modules import heavy dependencies inside
the command functions, never at module level.

Errors: a :class:`~limner.errors.LimnerError` is printed as one line (``error: ...``) with a
non-zero exit; set ``LIMNER_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from . import __version__
from .errors import LimnerError

# Areas that contribute commands. Order is the order in `limner --help`.
COMMAND_MODULES = [
    "limner.generate_cli",
    "limner.plan.cli",
    "limner.expand.cli",
    "limner.edit.cli",
    "limner.refine.cli",
    "limner.evaluate.cli",
    "limner.llm.cli",
    "limner.world.cli",
    "limner.adapter.cli",
    "limner.recaption.cli",
    "limner.info_cli",
    "limner.doctor",
    "limner.server.cli",
]

app = typer.Typer(
    name="limner",
    help="A language model in front of and around text-to-image diffusion.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"limner {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """limner: prompt expansion, upsampling, layout sketches, generation and instruction editing."""


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # area not built in this version
                continue
            raise
        mod.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv, standalone_mode=False)
    except LimnerError as exc:
        if os.environ.get("LIMNER_DEBUG"):
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # usage errors (unknown option, bad value) and the like
        for usage_error in _click_exception_types():
            if isinstance(exc, usage_error):
                exc.show()
                sys.exit(getattr(exc, "exit_code", 2))
        raise


def _click_exception_types() -> tuple[type, ...]:
    """ClickException as typer raises it: typer ≥ 0.20 ships its own copy of click
    (``typer._click``), older ones use click itself; either may be the one in use."""
    types = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            types.append(importlib.import_module(name).ClickException)
        except (ImportError, AttributeError):
            pass
    return tuple(types)


if __name__ == "__main__":
    main()
