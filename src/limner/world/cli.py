"""`limner world ...`: the embedded world's commands, assembled from the files that own them.

``world/corpus_cli.py`` (corpus, detect), ``world/train.py`` (train) and ``edit/train.py``
(train-edit) each define ``register(world_app)``.
"""

from __future__ import annotations

import importlib

import typer

world_app = typer.Typer(help="The embedded world: corpus, detector, training.", no_args_is_help=True)

WORLD_COMMAND_MODULES = ["limner.world.corpus_cli", "limner.models.world_train", "limner.models.edit_train"]


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
