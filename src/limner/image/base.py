"""The image-backend interface: one backend, one file, registered by a stable id.

A backend turns a prompt (plus, optionally, a planned :class:`~limner.schema.Layout`) into PIL
images, one ``torch.Generator`` per image seeded from the integer seeds it is given.

Each backend class declares its :class:`Capabilities`: what it needs (a model id or path), which
settings its constructor takes from a request (``device``, ``dtype``, ...), which per-call options
``generate`` accepts, whether a layout or the plan's sketch conditions it, whether it can draw any
object or only a fixed vocabulary, and its output size. Callers (``limner.generate``, the CLI, the
server) read these instead of testing backend ids.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from ..errors import InputError
from ..schema import Layout


@dataclass(frozen=True)
class Capabilities:
    """What a backend needs and accepts (declared once per backend class)."""

    needs_model: bool = False
    """A model id or local path is required (``--model``); the embedded backend ships its own."""
    init_options: frozenset[str] = frozenset()
    """Constructor settings a request may carry (``model``, ``device``, ``dtype``, ...)."""
    options: frozenset[str] = frozenset()
    """Per-call options of ``generate`` (``scheduler``, ``controlnet``, ...); others are refused."""
    takes_layout: bool = False
    """A planned layout can condition the image (some per-call options may be needed for it)."""
    takes_sketch: bool = False
    """The plan's rendered sketch can condition the image (e.g. ControlNet)."""
    draws_any_object: bool = True
    """False: only a fixed vocabulary is drawn; other planned objects are left out and listed in
    :attr:`BackendOutput.out_of_world`."""
    native_size: tuple[int, int] | None = None
    """A fixed output size (width, height); None when ``width``/``height`` are honoured."""
    size_multiple: int = 1
    """``width`` and ``height`` must be multiples of this."""

    def check_options(self, backend_id: str, options: dict[str, Any]) -> dict[str, Any]:
        """``options`` without None values; InputError naming any this backend does not take."""
        given = {k: v for k, v in options.items() if v is not None}
        unknown = sorted(set(given) - set(self.options))
        if unknown:
            known = ", ".join(sorted(self.options)) or "none"
            raise InputError(f"unknown option(s) for the {backend_id} backend: {', '.join(unknown)}; "
                             f"known: {known}")
        return given


@dataclass
class BackendOutput:
    """What a backend returns. ``extra`` holds backend-specific facts recorded in every image's
    record (scheduler, conditioning, ...); the typed fields are what callers act on."""

    images: list[Any]  # PIL.Image.Image
    seeds: list[int]
    model: dict[str, Any] = field(default_factory=dict)  # id, path, sha256 of local weights
    num_inference_steps: int | None = None
    guidance_scale: float | None = None
    width: int = 0
    height: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # scheduler, controlnet id, ...
    notes: list[str] = field(default_factory=list)
    """Messages for the user (an option that had no effect, ...)."""
    out_of_world: list[str] = field(default_factory=list)
    """Planned objects this backend cannot draw and left out of the images."""
    sketch: Any = None
    """The conditioning sketch (PIL image) drawn from the plan, when one was used."""
    image_guidance_scale: float | None = None
    """Instruction editing: the image guidance scale used."""


class ImageBackend(ABC):
    id: str = ""
    capabilities: ClassVar[Capabilities] = Capabilities()

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
    capabilities: ClassVar[Capabilities] = Capabilities()

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
