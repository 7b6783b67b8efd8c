"""`limner world ...`: the embedded world's commands, assembled from the files that own them.

``evaluate/detect_cli.py`` (detect), ``world/corpus_cli.py`` (corpus), ``models/world_train.py``
(train) and ``edit/train.py`` (train-edit) each define ``register(world_app)``; they are named
here as strings, so the world package imports none of them.
"""

from __future__ import annotations

import importlib

import typer

world_app = typer.Typer(help="The embedded world: corpus, detector, training.", no_args_is_help=True)

WORLD_COMMAND_MODULES = ["limner.evaluate.detect_cli", "limner.world.corpus_cli", "limner.models.world_train", "limner.edit.train"]


def register(app: typer.Typer) -> None:
    for name in WORLD_COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        mod.register(world_app)
    app.add_typer(world_app, name="world")
