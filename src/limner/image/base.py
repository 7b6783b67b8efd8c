"""The image-backend interface: one backend, one file, registered by a stable id.

A backend turns a prompt (plus, optionally, a planned :class:`~limner.schema.Layout`) into PIL
images, one ``torch.Generator`` per image seeded from the integer seeds it is given.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable

from ..schema import Layout


@dataclass
class BackendOutput:
    images: list[Any]  # PIL.Image.Image
    seeds: list[int]
    model: dict[str, Any] = field(default_factory=dict)  # id, path, sha256 of local weights
    num_inference_steps: int | None = None
    guidance_scale: float | None = None
    width: int = 0
    height: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # scheduler, controlnet id, ...


class ImageBackend(ABC):
    id: str = ""

    @abstractmethod
    def generate(
        self,
        prompt: str,
        *,
        seeds: list[int],
        layout: Layout | None = None,
        negative_prompt: str = "",
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        width: int | None = None,
        height: int | None = None,
        callback: Callable[[int, int], None] | None = None,
        **options: Any,
    ) -> BackendOutput:
        """One image per seed. ``layout`` is None for text-only generation."""

    def describe(self) -> dict[str, Any]:
        return {"backend": self.id}


class EditBackend(ABC):
    """Instruction editing (InstructPix2Pix-style): a source image + an instruction → images."""

    id: str = ""

    @abstractmethod
    def edit(
        self,
        image: Any,  # PIL.Image.Image
        instruction: str,
        *,
        seeds: list[int],
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        image_guidance_scale: float | None = None,
        callback: Callable[[int, int], None] | None = None,
        **options: Any,
    ) -> BackendOutput:
        """One edited image per seed."""

    def describe(self) -> dict[str, Any]:
        return {"backend": self.id}
