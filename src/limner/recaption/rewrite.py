"""``rewrite``: a text-only LLM rewrites each row's original caption into the descriptive style.

The descriptive caption is DALL-E 3 upsampling (:func:`limner.expand.upsample.upsample`) applied to
the original caption: the LLM writes, the request reader (``limner.plan.parse_request``, via
``limner.expand.facts``) lists the caption's facts, and a caption that drops one is re-asked and
then deterministically repaired. The row says which: ``ok`` (the LLM kept every fact itself),
``repaired`` (the repair ran; the reason lists what the LLM had dropped) or ``failed`` (no original
caption, an unreadable one, or a fact still missing after repair). The short caption is the reader's
object groups ("two red circles and a blue square"), or the original when the reader finds none.
No image is needed; the LLM is configured like everywhere else (``--llm``, ``LIMNER_LLM_*``).
"""

from __future__ import annotations

from typing import Any

from ..errors import LimnerError
from .base import Captioner
from .types import CaptionResult


def short_from_request(text: str) -> str | None:
    """The request reader's object groups as a short caption, or None if it finds no object."""
    from ..plan import parse_request
    from ..world.corpus import count_phrase

    cons = parse_request(text)
    parts = [count_phrase(o.count, o.color or "", o.name) for o in cons.objects if o.count <= 10]
    return " and ".join(parts) or None


class RewriteCaptioner(Captioner):
    id = "rewrite"
    version = "1"
    needs_image = False
    needs_original = True

    def __init__(self, backend: str | None = None, base_url: str | None = None, model: str | None = None):
        self.backend, self.base_url, self.model = backend, base_url, model
        self._llm: Any = None

    def options(self) -> dict[str, Any]:
        return {k: v for k, v in (("backend", self.backend), ("base_url", self.base_url), ("model", self.model)) if v}

    def llm(self):
        if self._llm is None:
            from ..llm import get_llm

            self._llm = get_llm(self.backend, base_url=self.base_url, model=self.model)
            d = self._llm.describe()
            self.version = f"1:{d.get('backend', '')}:{d.get('model', '')}".rstrip(":")
        return self._llm

    def check(self) -> None:
        llm = self.llm()
        if hasattr(llm, "list_models"):
            llm.list_models()  # unreachable server: one clear error now
        else:
            llm.complete("A caption:", max_tokens=1)  # the model loads (or says why not) now

    def caption(self, image, original, *, short, descriptive, seed) -> CaptionResult:
        from ..expand.facts import extract_facts, missing_facts
        from ..expand.upsample import upsample

        text = (original or "").strip()
        try:
            short_text = short_from_request(text) or text if short else None
            if not descriptive:
                return CaptionResult(short=short_text)
            exp = upsample(text, seed=seed, llm=self.llm())
            left = missing_facts(extract_facts(text), exp.text)
        except LimnerError as exc:
            return CaptionResult.failed(f"cannot rewrite: {exc}")
        if left:
            return CaptionResult.failed("facts still missing after repair: " + ", ".join(f.label for f in left))
        kept = int(exp.scores.get("facts_kept_llm", 0)), int(exp.scores.get("facts", 0))
        if exp.scores.get("repaired"):
            return CaptionResult(short=short_text, descriptive=exp.text, status="repaired",
                                 reason=f"LLM kept {kept[0]}/{kept[1]} facts; repaired")
        return CaptionResult(short=short_text, descriptive=exp.text)
