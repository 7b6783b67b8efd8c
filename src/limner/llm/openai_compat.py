"""``openai``: any OpenAI-compatible chat-completions server (standard library only).

Works with Ollama (``http://127.0.0.1:11434/v1``), vLLM (``http://HOST:8000/v1``), the llama.cpp
server and ``python -m llama_cpp.server`` (``http://HOST:8080/v1`` / ``:8000/v1``), LM Studio
(``http://127.0.0.1:1234/v1``) and OpenAI itself (``https://api.openai.com/v1``, the default when
neither ``base_url`` nor ``$OPENAI_BASE_URL`` is set).

* Structured output: with a schema, the request carries the OpenAI form
  ``response_format={"type": "json_schema", "json_schema": {"name", "schema", "strict": true}}``.
  If the server refuses it (400/422, or any error naming ``response_format``), the backend tries
  ``"strict": false``, then the older ``{"type": "json_object", "schema": ...}`` form that
  llama-cpp-python's server knows, and keeps the first accepted form for this instance. Either way the reply is validated by :class:`~limner.llm.base.LLM`.
* ``complete(prompt)`` sends the prompt as one user message to ``/chat/completions`` (every
  compatible server has that endpoint; ``/completions`` is missing on many hosted ones).
* ``model``: when not given, the first id listed by ``GET {base_url}/models`` is used.
* API key: ``api_key`` argument / ``llm_api_key`` setting, else ``$LIMNER_LLM_API_KEY``, else
  ``$OPENAI_API_KEY``; local servers need none.
* Failures (unreachable, HTTP error, timeout, a reply that is not JSON) raise
  :class:`~limner.errors.LLMError` with one line naming the URL.
"""

from __future__ import annotations

import json
import os
import re
import socket
import urllib.error
import urllib.request
from typing import Any

from ..errors import LLMError
from .base import LLM, GenerateArgs

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# response_format forms, tried in order until the server accepts one (then kept per instance):
# OpenAI strict structured output (needs every property required and additionalProperties false,
# which pydantic schemas with defaults are not), the same non-strict (vLLM, Ollama, llama.cpp
# server), and llama-cpp-python's {"type": "json_object", "schema": ...}.
SCHEMA_STYLES = ("json_schema_strict", "json_schema", "json_object")


class OpenAICompatLLM(LLM):
    id = "openai"
    kind = "chat"

    def __init__(self, model: str | None = None, cache: Any = None, *, base_url: str | None = None,
                 api_key: str | None = None, timeout: float = 120.0):
        super().__init__(model=model, cache=cache)
        url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = url.rstrip("/")
        self.api_key = (api_key or os.environ.get("LIMNER_LLM_API_KEY")
                        or os.environ.get("OPENAI_API_KEY") or None)
        self.timeout = float(timeout)
        self.schema_style = SCHEMA_STYLES[0]  # moves down the list when a server refuses a form

    @classmethod
    def from_settings(cls, settings: Any, *, base_url=None, model=None, api_key=None, cache=None,
                      **options: Any) -> "OpenAICompatLLM":
        options.setdefault("timeout", settings.llm_timeout)
        return cls(model=model, cache=cache, base_url=base_url, api_key=api_key, **options)

    def cache_identity(self) -> dict[str, Any]:
        return {**super().cache_identity(), "base_url": self.base_url}

    def describe(self) -> dict[str, str]:
        return {**super().describe(), "base_url": self.base_url}

    # -- HTTP ---------------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}{path}"
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = _one_line(exc.read().decode("utf-8", "replace"))
            raise _HTTPStatusError(url, exc.code, detail) from None
        except (socket.timeout, TimeoutError):
            raise LLMError(f"LLM server at {url} did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise LLMError(f"LLM server at {url} did not answer within {self.timeout:g} s") from None
            raise LLMError(f"cannot reach LLM server at {url}: {_one_line(str(reason))}") from None
        except (OSError, ValueError) as exc:  # connection reset, bad URL, ...
            raise LLMError(f"cannot reach LLM server at {url}: {_one_line(str(exc))}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise LLMError(f"LLM server at {url} sent a reply that is not JSON: "
                           f"{_one_line(raw[:200].decode('utf-8', 'replace'))}") from None

    def list_models(self) -> list[str]:
        out = self._request_checked("GET", "/models")
        return [m.get("id", "") for m in out.get("data", []) if isinstance(m, dict)]

    def _request_checked(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            return self._request(method, path, body)
        except _HTTPStatusError as exc:
            raise LLMError(str(exc)) from None

    def _model_name(self) -> str:
        if not self.model:
            models = self.list_models()
            if not models:
                raise LLMError(f"LLM server at {self.base_url} lists no models; pass --model")
            self.model = models[0]
        return self.model

    # -- the one backend call -------------------------------------------------------------------
    def _generate(self, args: GenerateArgs) -> str:
        if args.messages is not None:
            messages = [m.to_dict() for m in args.messages]
        else:
            messages = [{"role": "user", "content": args.prompt or ""}]
        body: dict[str, Any] = {
            "model": self._model_name(),
            "messages": messages,
            "temperature": args.temperature,
            "max_tokens": args.max_tokens,
            "seed": args.seed,
        }
        if args.stop:
            body["stop"] = list(args.stop)
        if args.json_schema is None:
            return self._chat(body)
        while True:
            try:
                return self._chat({**body, "response_format": self._response_format(args.json_schema)})
            except _HTTPStatusError as exc:
                about_format = any(w in exc.detail for w in ("response_format", "json_schema", "strict"))
                later = SCHEMA_STYLES.index(self.schema_style) + 1
                if later == len(SCHEMA_STYLES) or not (exc.code in (400, 415, 422) or about_format):
                    raise LLMError(str(exc)) from None
                self.schema_style = SCHEMA_STYLES[later]  # remembered for this instance

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.schema_style == "json_object":
            return {"type": "json_object", "schema": schema}
        name = re.sub(r"[^A-Za-z0-9_-]", "_", str(schema.get("title") or "reply"))[:64] or "reply"
        strict = self.schema_style == "json_schema_strict"
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": strict}}

    def _chat(self, body: dict[str, Any]) -> str:
        out = self._request("POST", "/chat/completions", body)
        try:
            content = out["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"LLM server at {self.base_url} sent an unexpected reply: "
                           f"{_one_line(json.dumps(out)[:200])}") from None
        return content or ""


class _HTTPStatusError(LLMError):
    def __init__(self, url: str, code: int, detail: str):
        self.url, self.code, self.detail = url, code, detail
        super().__init__(f"LLM server at {url} answered HTTP {code}: {detail[:300]}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
