"""Errors limner raises on purpose.

Every subclass of :class:`LimnerError` carries a message meant for a person: the CLI prints it on
one line and exits non-zero, with no traceback. Anything else that escapes is a bug.
"""

from __future__ import annotations


class LimnerError(Exception):
    """Base class: a clear, one-line, user-facing error."""

    exit_code = 1


class InputError(LimnerError, ValueError):
    """Bad input from the user (empty prompt, unreadable file, out-of-range number, ...)."""

    exit_code = 2


class ConfigError(LimnerError):
    """A config file or environment variable that cannot be used."""

    exit_code = 2


class MissingExtraError(LimnerError, ImportError):
    """An optional dependency is not installed; the message names the exact install command."""

    def __init__(self, module: str, extra: str, purpose: str = ""):
        self.module, self.extra = module, extra
        what = f" (needed for {purpose})" if purpose else ""
        super().__init__(
            f"'{module}' is not installed{what}. Install it with: pip install 'limner[{extra}]'"
        )


class LLMError(LimnerError):
    """The LLM backend could not be reached or refused the request."""


class LLMOutputError(LLMError):
    """The LLM's reply did not validate after the bounded retries. ``raw`` holds the last reply."""

    def __init__(self, message: str, raw: str = "", errors: list[str] | None = None):
        super().__init__(message)
        self.raw = raw
        self.errors = errors or []


class ModelNotFoundError(LimnerError):
    """Weights that are not where they were expected (local path, HF cache)."""
