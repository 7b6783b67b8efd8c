"""The one small captioner interface; each captioner is one file (world, openai, rewrite).

A captioner declares what it needs (``needs_image``, ``needs_original``), checks that it can run
before any work starts (:meth:`Captioner.check`: an unreachable server is an error then, not a
thousand failed rows later), and captions one item: an RGB image and/or the original caption in,
a :class:`~limner.recaption.types.CaptionResult` out. It must be rebuildable in a worker process
from ``(id, options())`` — engines send that, never the object.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from .types import CaptionResult


class Captioner(ABC):
    id: str = ""
    version: str = "1"
    needs_image: bool = True
    needs_original: bool = False

    def options(self) -> dict[str, Any]:
        """Keyword arguments that rebuild this captioner in another process."""
        return {}

    def check(self) -> None:
        """Raise a :class:`~limner.errors.LimnerError` if the captioner cannot run (before any work)."""

    @abstractmethod
    def caption(self, image: Any, original: str | None, *, short: bool, descriptive: bool,
                seed: int) -> CaptionResult:
        """Caption one item. ``image`` is an RGB PIL image (None if ``needs_image`` is False);
        ``short`` / ``descriptive`` say which styles to write. Never raises for a bad item: it
        returns ``CaptionResult.failed(reason)``."""

    def describe(self) -> str:
        return f"{self.id}/{self.version}"
