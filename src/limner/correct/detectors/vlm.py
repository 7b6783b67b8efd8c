"""``vlm``: a vision-language model behind an OpenAI-compatible chat server, asked for boxes.

The image goes as a ``data:image/png;base64`` URL in a chat message (the OpenAI vision form that
vLLM, Ollama, llama.cpp's server and LM Studio accept); the reply is constrained by a JSON schema
(:class:`VLMReply`: objects with name, colour and a normalized box) sent as ``response_format``,
then validated — never evaluated. Names are matched back to the queries (synonyms and plurals of
world shapes included); boxes are clipped to the canvas; anything else is dropped.

Options: ``base_url`` (or ``$LIMNER_VLM_BASE_URL``), ``model`` (or ``$LIMNER_VLM_MODEL``; default:
the first id the server lists), ``api_key`` (or ``$LIMNER_VLM_API_KEY``), ``timeout`` (s).
Standard library only.
"""

from __future__ import annotations

import base64
import io
import json
import os
import urllib.error
import urllib.request
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ...errors import InputError, LLMError
from ...world.vocab import world_shape
from . import Detector, Found, Query, clip_box


class VLMObject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="the object's noun, e.g. 'circle'")
    color: str | None = Field(default=None, description="its colour name, e.g. 'red'")
    box: list[float] = Field(min_length=4, max_length=4, description="[x0, y0, x1, y1] in 0..1, origin top-left")


class VLMReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    objects: list[VLMObject] = Field(default_factory=list)


PROMPT = ("List every object in the image that is one of: {things}. For each give its name (one of those "
          "nouns), its colour and its bounding box as [x0, y0, x1, y1] fractions of the image width and "
          "height (origin top-left). Answer only with JSON matching the schema.")


def _noun(name: str, queries: list[Query]) -> str | None:
    n = " ".join(name.lower().split())
    nouns = {q.name for q in queries}
    for cand in (n, n.removesuffix("s"), n.removesuffix("es"), n.split()[-1] if n else n):
        if cand in nouns:
            return cand
        ws = world_shape(cand) if cand else None
        if ws in nouns:
            return ws
    return None


class VLMDetector(Detector):
    id = "vlm"
    vocabulary = "open"

    def __init__(self, base_url: str | None = None, model: str | None = None, api_key: str | None = None,
                 timeout: float = 120.0, **_: Any):
        url = base_url or os.environ.get("LIMNER_VLM_BASE_URL")
        if not url:
            raise InputError("the vlm detector needs an OpenAI-compatible server: pass base_url= or set LIMNER_VLM_BASE_URL")
        self.base_url = url.rstrip("/")
        self.model = model or os.environ.get("LIMNER_VLM_MODEL") or ""
        self.api_key = api_key or os.environ.get("LIMNER_VLM_API_KEY") or None
        self.timeout = float(timeout)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "base_url": self.base_url, "model": self.model}

    def _post(self, path: str, body: dict[str, Any] | None) -> Any:
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(url, data=data, headers=headers, method="POST" if body is not None else "GET")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise LLMError(f"the vision server at {url} answered HTTP {exc.code}") from None
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            raise LLMError(f"cannot reach the vision server at {url}: {getattr(exc, 'reason', exc)}") from None
        except json.JSONDecodeError:
            raise LLMError(f"the vision server at {url} did not answer with JSON") from None

    def _model_name(self) -> str:
        if not self.model:
            listed = self._post("/models", None).get("data") or []
            if not listed:
                raise LLMError(f"the vision server at {self.base_url} lists no models; pass model=")
            self.model = str(listed[0].get("id"))
        return self.model

    def detect(self, image: Any, queries: list[Query]) -> list[Found]:
        if not queries:
            return []
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="PNG")
        url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
        things = ", ".join(sorted({q.name for q in queries}))
        body = {
            "model": self._model_name(),
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": PROMPT.format(things=things)},
                {"type": "image_url", "image_url": {"url": url}}]}],
            "temperature": 0,
            "response_format": {"type": "json_schema", "json_schema": {
                "name": "detections", "schema": VLMReply.model_json_schema(), "strict": False}},
        }
        reply = self._post("/chat/completions", body)
        try:
            text = reply["choices"][0]["message"]["content"]
            parsed = VLMReply.model_validate(json.loads(text))
        except (KeyError, IndexError, TypeError, json.JSONDecodeError, ValidationError):
            raise LLMError(f"the vision server at {self.base_url} did not answer with the detection schema") from None
        found = []
        for o in parsed.objects:
            noun = _noun(o.name, queries)
            box = clip_box(o.box)
            if noun is None or box is None:
                continue
            color = (o.color or "").strip().lower() or None
            found.append(Found(shape=noun, color=color, box=box, score=1.0))
        return found
