"""limner: a language model in front of and around text-to-image diffusion.

``import limner`` is light: it imports neither torch nor any LLM runtime. The heavy parts live in
their own subpackages and are imported when used.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("limner")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from .errors import InputError, LimnerError, LLMError, LLMOutputError, MissingExtraError  # noqa: E402

__all__ = ["__version__", "LimnerError", "InputError", "LLMError", "LLMOutputError", "MissingExtraError"]
