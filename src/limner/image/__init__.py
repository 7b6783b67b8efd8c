"""Image backends behind one interface. ``get_image_backend(id)`` imports lazily by id."""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import InputError

# Registry ids are public API: lower-case, stable; a rename keeps an alias.
BACKENDS: dict[str, str] = {
    "embedded": "limner.image.embedded:EmbeddedBackend",
    "diffusers": "limner.image.diffusers_t2i:DiffusersBackend",
}


EDIT_BACKENDS: dict[str, str] = {
    "embedded": "limner.edit.embedded:EmbeddedEditBackend",
    "diffusers": "limner.image.diffusers_ip2p:DiffusersEditBackend",
}


def _load(table: dict[str, str], kind: str, backend_id: str, options: dict[str, Any]):
    try:
        target = table[backend_id]
    except KeyError:
        raise InputError(
            f"unknown {kind} backend '{backend_id}'; choose one of: {', '.join(sorted(table))}"
        ) from None
    mod, _, cls = target.partition(":")
    return getattr(importlib.import_module(mod), cls)(**options)


def get_edit_backend(backend_id: str, **options: Any):
    return _load(EDIT_BACKENDS, "edit", backend_id, options)


def get_image_backend(backend_id: str, **options: Any):
    return _load(BACKENDS, "image", backend_id, options)
