"""Image backends behind one interface. ``get_image_backend(id)`` imports lazily by id.

Adding a backend is one file (a class with ``id``, ``capabilities`` and ``generate``, see
:mod:`limner.image.base`) plus one registration line: an entry in :data:`BACKENDS` for limner's
own, ``register_image_backend("mine", "my_pkg.backend:MyBackend")`` at run time, or, for a
package of its own, an entry point in the group ``limner.image_backends``::

    [project.entry-points."limner.image_backends"]
    mine = "my_pkg.backend:MyBackend"

Importing this package imports no backend module (and so neither torch nor diffusers).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from ..errors import InputError
from .base import BackendOutput, Capabilities, EditBackend, ImageBackend

__all__ = [
    "BACKENDS", "EDIT_BACKENDS", "ENTRY_POINT_GROUP", "BackendOutput", "Capabilities", "EditBackend",
    "ImageBackend", "get_edit_backend", "get_image_backend", "image_backend_class",
    "image_backend_ids", "image_capabilities", "register_image_backend",
]

# Registry ids are public API: lower-case, stable; a rename keeps an alias.
BACKENDS: dict[str, str] = {
    "embedded": "limner.image.embedded:EmbeddedBackend",
    "diffusers": "limner.image.diffusers_t2i:DiffusersBackend",
}

EDIT_BACKENDS: dict[str, str] = {
    "embedded": "limner.edit.embedded:EmbeddedEditBackend",
    "diffusers": "limner.image.diffusers_ip2p:DiffusersEditBackend",
}

ENTRY_POINT_GROUP = "limner.image_backends"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_entry_points_read = False


def register_image_backend(backend_id: str, target: str | type, *, replace: bool = False) -> None:
    """Register an image backend: ``target`` is ``"module:Class"`` (imported when first used) or
    the class itself. Ids are lower-case without spaces; an id already taken needs ``replace``."""
    if not ID_RE.match(backend_id):
        raise ValueError(f"image backend id {backend_id!r} must be lower-case letters, digits, '_', '-', '.'")
    if backend_id in BACKENDS and not replace:
        raise ValueError(f"image backend id {backend_id!r} is taken")
    BACKENDS[backend_id] = target if isinstance(target, str) else f"{target.__module__}:{target.__qualname__}"


def load_entry_points() -> None:
    """Add the backends other packages declare in the ``limner.image_backends`` group (once per
    process; limner's own ids win over an entry point of the same name)."""
    global _entry_points_read
    if _entry_points_read:
        return
    _entry_points_read = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in BACKENDS and ID_RE.match(ep.name):
            BACKENDS[ep.name] = ep.value


def image_backend_ids() -> list[str]:
    load_entry_points()
    return sorted(BACKENDS)


def _import(target: str, backend_id: str):
    mod, _, cls = target.partition(":")
    try:
        obj = importlib.import_module(mod)
        for part in cls.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name and not mod.startswith(exc.name):
            raise  # a dependency of the backend is missing: its own message says which
        raise InputError(f"image backend '{backend_id}' is registered as {target!r}, which cannot "
                         f"be imported: {exc}") from None
    return obj


def _lookup(table: dict[str, str], kind: str, backend_id: str) -> str:
    try:
        return table[backend_id]
    except KeyError:
        raise InputError(
            f"unknown {kind} backend '{backend_id}'; choose one of: {', '.join(sorted(table))}"
        ) from None


def image_backend_class(backend_id: str) -> type[ImageBackend]:
    """The class registered as ``backend_id`` (imports its module, not torch); InputError if unknown."""
    load_entry_points()
    return _import(_lookup(BACKENDS, "image", backend_id), backend_id)


def image_capabilities(backend_id: str) -> Capabilities:
    """What the backend registered as ``backend_id`` needs and accepts."""
    return getattr(image_backend_class(backend_id), "capabilities", Capabilities())


def get_image_backend(backend_id: str, **options: Any):
    return image_backend_class(backend_id)(**options)


def get_edit_backend(backend_id: str, **options: Any):
    return _import(_lookup(EDIT_BACKENDS, "edit", backend_id), backend_id)(**options)
