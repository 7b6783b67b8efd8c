"""``openai``: any OpenAI-compatible *vision* chat server (Ollama, vLLM, llama.cpp with a VLM,
LM Studio, OpenAI) writes the captions.

The image goes as a PNG data URL in an ``image_url`` content part; the reply is constrained by
the :class:`VisionCaptions` JSON schema where the server allows (``response_format`` forms tried in
the order of :data:`limner.llm.openai_compat.SCHEMA_STYLES`, first accepted kept), and is always
validated (``limner.llm.validate_reply``); one re-ask with the validation error, then a failed row.
Configuration as for the ``openai`` LLM backend: ``base_url`` > ``LIMNER_LLM_BASE_URL`` / config
``llm_base_url`` > ``$OPENAI_BASE_URL`` > api.openai.com; key from ``$LIMNER_LLM_API_KEY`` /
``$OPENAI_API_KEY`` (never written to the job files); model > ``llm_model`` > the server's first.
:meth:`OpenAICaptioner.check` lists the server's models before any work: unreachable → one clear error.
"""

from __future__ import annotations

import base64
import io
import json
import os
import urllib.error
import urllib.request
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import LLMError
from .base import Captioner
from .types import CaptionResult

SYSTEM = ("You write training captions for images. Reply with JSON only: "
          '{"short": ..., "descriptive": ...}. "short": the main subject(s) only, with their number '
          'and colour, e.g. "two red circles and a blue square". "descriptive": everything visible: '
          "every object with its count, colour, size and texture, where objects are relative to each "
          "other (left of, right of, above, below), the background, any text, the style. Only what "
          "is in the image; no guesses.")


class VisionCaptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    short: str = Field(min_length=1, max_length=300, description="main subject(s) only")
    descriptive: str = Field(min_length=1, max_length=1200, description="everything visible")


def data_url(image: Any) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class OpenAICaptioner(Captioner):
    id = "openai"
    version = "1"
    needs_image = True

    def __init__(self, base_url: str | None = None, model: str | None = None, timeout: float = 120.0,
                 temperature: float = 0.0):
        from ..config import load_settings
        from ..llm.openai_compat import DEFAULT_BASE_URL

        s = load_settings()
        url = base_url or s.llm_base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = url.rstrip("/")
        self.model = model or s.llm_model or ""
        self.timeout = float(timeout)
        self.temperature = float(temperature)
        self.version = f"1:{self.model}" if self.model else "1"
        self._style = 0

    def options(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model": self.model, "timeout": self.timeout,
                "temperature": self.temperature}

    def _llm(self):
        from ..llm.openai_compat import OpenAICompatLLM

        return OpenAICompatLLM(model=self.model or None, base_url=self.base_url, timeout=min(self.timeout, 15.0))

    def check(self) -> None:
        """List the server's models (fails with one line if unreachable); pick the first if none given."""
        models = self._llm().list_models()
        if not self.model:
            if not models:
                raise LLMError(f"vision server at {self.base_url} lists no models; pass --model")
            self.model = models[0]
            self.version = f"1:{self.model}"

    def _post(self, body: dict) -> tuple[int, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = os.environ.get("LIMNER_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        req = urllib.request.Request(f"{self.base_url}/chat/completions", data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise LLMError(f"cannot reach vision server at {self.base_url}: {exc}") from None

    def _ask(self, messages: list[dict], seed: int) -> str:
        from ..llm.openai_compat import SCHEMA_STYLES

        schema = VisionCaptions.model_json_schema()
        body = {"model": self.model, "messages": messages, "temperature": self.temperature,
                "max_tokens": 400, "seed": seed}
        while True:
            style = SCHEMA_STYLES[self._style]
            if style == "json_object":
                fmt = {"type": "json_object", "schema": schema}
            else:
                fmt = {"type": "json_schema", "json_schema": {"name": "VisionCaptions", "schema": schema,
                                                              "strict": style == "json_schema_strict"}}
            code, text = self._post({**body, "response_format": fmt})
            if code in (400, 415, 422) and self._style + 1 < len(SCHEMA_STYLES):
                self._style += 1  # the server refused this form: try the next, keep what works
                continue
            if code != 200:
                raise LLMError(f"vision server answered HTTP {code}: {' '.join(text.split())[:200]}")
            try:
                return json.loads(text)["choices"][0]["message"]["content"] or ""
            except (ValueError, KeyError, IndexError, TypeError):
                raise LLMError(f"vision server sent an unexpected reply: {' '.join(text.split())[:200]}") from None

    def caption(self, image, original, *, short, descriptive, seed) -> CaptionResult:
        from ..llm import validate_reply

        messages: list[dict] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": [{"type": "text", "text": "Caption this image."},
                                         {"type": "image_url", "image_url": {"url": data_url(image)}}]},
        ]
        err = ""
        for attempt in range(2):
            try:
                raw = self._ask(messages, seed + attempt)
            except LLMError as exc:
                return CaptionResult.failed(str(exc))
            try:
                out = validate_reply(raw, VisionCaptions)
            except ValueError as exc:
                err = str(exc)
                messages = messages + [{"role": "assistant", "content": raw[:2000]},
                                       {"role": "user", "content": f"Your reply was invalid: {err}. "
                                        "Reply again with only valid JSON for the schema."}]
                continue
            return CaptionResult(short=out.short.strip() if short else None,
                                 descriptive=out.descriptive.strip() if descriptive else None,
                                 status="ok" if attempt == 0 else "repaired",
                                 reason="" if attempt == 0 else f"re-asked after: {err}")
        return CaptionResult.failed(f"reply invalid after 2 tries: {err}")
