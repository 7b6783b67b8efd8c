"""limner: a language model in front of and around text-to-image diffusion.

    import limner
    r = limner.generate("three red circles above a blue square")
    r.images[0].save("x.png")

The Python API (:mod:`limner.api`): ``limner.plan``, ``limner.expand``, ``limner.upsample``,
``limner.generate`` and ``limner.edit``. ``import limner`` is light: it imports neither torch nor
any LLM runtime; each function imports what it needs when called.

``limner.plan``, ``limner.expand``, ``limner.generate`` and ``limner.edit`` are also the names of
limner's packages (``from limner.plan import render_sketch`` works as always). So that the name
means both, those modules are callable: calling one calls the API function of the same name.
"""

import sys
import types
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("limner")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

API = ("plan", "expand", "upsample", "generate", "edit")


class _CallableModule(types.ModuleType):
    """A limner module whose name is also an API function: calling it calls that function."""

    def __call__(self, *args, **kwargs):
        from . import api

        return getattr(api, self.__name__.rpartition(".")[2])(*args, **kwargs)


class _Limner(types.ModuleType):
    def __setattr__(self, name, value):
        # the import system sets `limner.plan = <module limner.plan>` when it loads the package:
        # make that module callable, so `limner.plan(...)` keeps working after `import limner.plan`
        if name in API and type(value) is types.ModuleType:
            value.__class__ = _CallableModule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Limner

from .errors import InputError, LimnerError, LLMError, LLMOutputError, MissingExtraError  # noqa: E402

__all__ = ["__version__", "LimnerError", "InputError", "LLMError", "LLMOutputError", "MissingExtraError",
           *API]


def __getattr__(name: str):
    if name in API:
        import importlib

        if name == "upsample":
            return importlib.import_module("limner.api").upsample
        return importlib.import_module(f"limner.{name}")  # loading it sets (and wraps) the attribute
    raise AttributeError(f"module 'limner' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(API))
