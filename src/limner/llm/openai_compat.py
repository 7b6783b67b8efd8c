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
* Failures (unreachable, HTTP error, a reply that is not JSON, too large, too deeply nested,
  not UTF-8, not an OpenAI chat completion) raise :class:`~limner.errors.LLMError` with one line
  naming the URL. ``timeout`` bounds a whole call (re-asks included; see ``LLM._run``): a server
  that stalls or trickles bytes is abandoned at the deadline (:class:`~limner.llm.base.LLMTimeout`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from ..errors import LLMError
from .base import LLM, GenerateArgs, LLMTimeout
from .safejson import decode_body, parse_json

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# response_format forms, tried in order until the server accepts one (then kept per instance):
# OpenAI strict structured output (needs every property required and additionalProperties false,
# which pydantic schemas with defaults are not), the same non-strict (vLLM, Ollama, llama.cpp
# server), and llama-cpp-python's {"type": "json_object", "schema": ...}.
SCHEMA_STYLES = ("json_schema_strict", "json_schema", "json_object")
DEFAULT_TIMEOUT = 120.0  # per request, when no whole-call deadline applies
# the largest HTTP body read from a server; anything longer is refused before parsing
MAX_HTTP_BYTES = 4 * 1024 * 1024


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

    def where(self) -> str:
        return f"LLM server {self.base_url}" + (f" (model {self.model})" if self.model else "")

    # -- HTTP ---------------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: dict[str, Any] | None = None,
                 deadline: float | None = None) -> Any:
        """One HTTP exchange, bounded in time (``deadline``, else ``self.timeout``) and size."""
        url = f"{self.base_url}{path}"
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        if deadline is None:  # a call outside LLM._run (list_models) or with no whole-call limit
            deadline = time.monotonic() + (self.timeout if self.timeout > 0 else DEFAULT_TIMEOUT)
        left = deadline - time.monotonic()
        if left <= 0:
            raise LLMTimeout(f"no time left for {url}")
        # The exchange runs in a daemon thread so that a server trickling its headers or body
        # byte by byte cannot hold the caller past the deadline (socket timeouts are per read).
        box: dict[str, Any] = {}
        worker = threading.Thread(target=_exchange, args=(req, left, deadline, box), daemon=True)
        worker.start()
        worker.join(left + 0.05)
        if worker.is_alive() or box.get("timeout"):
            raise LLMTimeout(f"{url} did not answer within {round(left, 1):g} s")
        exc = box.get("error")
        if isinstance(exc, urllib.error.HTTPError):
            raise _HTTPStatusError(url, exc.code, box.get("detail", ""))
        if isinstance(exc, urllib.error.URLError):
            raise LLMError(f"cannot reach LLM server at {url}: {_one_line(str(exc.reason))}")
        if exc is not None:  # connection reset, bad URL, bad chunked encoding, ...
            raise LLMError(f"cannot reach LLM server at {url}: {_one_line(str(exc)) or type(exc).__name__}")
        raw: bytes = box["body"]
        if box.get("too_large"):
            raise LLMError(f"LLM server at {url} sent a reply larger than {MAX_HTTP_BYTES:,} bytes")
        try:
            return parse_json(decode_body(raw), max_chars=MAX_HTTP_BYTES)
        except ValueError as exc:
            raise LLMError(f"LLM server at {url} sent a reply that is not usable JSON ({exc}): "
                           f"{_one_line(raw[:60].decode('utf-8', 'replace'))!r}") from None

    def list_models(self, deadline: float | None = None) -> list[str]:
        out = self._request_checked("GET", "/models", deadline=deadline)
        data = out.get("data") if isinstance(out, dict) else None
        if not isinstance(data, list):
            return []
        return [m["id"] for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)]

    def _request_checked(self, method: str, path: str, body: dict[str, Any] | None = None,
                         deadline: float | None = None) -> Any:
        try:
            return self._request(method, path, body, deadline)
        except _HTTPStatusError as exc:
            raise LLMError(str(exc)) from None

    def _model_name(self, deadline: float | None = None) -> str:
        if not self.model:
            models = self.list_models(deadline)
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
            "model": self._model_name(args.deadline),
            "messages": messages,
            "temperature": args.temperature,
            "max_tokens": args.max_tokens,
            "seed": args.seed,
        }
        if args.stop:
            body["stop"] = list(args.stop)
        if args.json_schema is None:
            return self._chat(body, args.deadline)
        while True:
            try:
                return self._chat({**body, "response_format": self._response_format(args.json_schema)},
                                  args.deadline)
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

    def _chat(self, body: dict[str, Any], deadline: float | None = None) -> str:
        out = self._request("POST", "/chat/completions", body, deadline)
        try:
            content = out["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"LLM server at {self.base_url} sent an unexpected reply (not an OpenAI "
                           f"chat completion): {_one_line(json.dumps(out)[:200])}") from None
        if content is None:
            return ""
        if not isinstance(content, str):
            raise LLMError(f"LLM server at {self.base_url} sent a message whose content is not text: "
                           f"{_one_line(json.dumps(content)[:200])}")
        return content


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are refused (reported as the 3xx status): the API key is not sent elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _exchange(req: urllib.request.Request, timeout: float, deadline: float, box: dict[str, Any]) -> None:
    """Run one request, read at most MAX_HTTP_BYTES + 1 bytes; results/errors go into ``box``."""
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            chunks, size = [], 0
            while size <= MAX_HTTP_BYTES:
                if time.monotonic() > deadline:
                    box["timeout"] = True
                    return
                chunk = resp.read(min(65536, MAX_HTTP_BYTES + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            box["body"] = b"".join(chunks)
            box["too_large"] = size > MAX_HTTP_BYTES
    except urllib.error.HTTPError as exc:
        box["error"] = exc
        try:
            box["detail"] = _one_line(exc.read(4096).decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - the status code is what matters
            box["detail"] = ""
    except (socket.timeout, TimeoutError):
        box["timeout"] = True
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (socket.timeout, TimeoutError)):
            box["timeout"] = True
        else:
            box["error"] = exc
    except Exception as exc:  # noqa: BLE001 - reported as one line by the caller
        box["error"] = exc


class _HTTPStatusError(LLMError):
    def __init__(self, url: str, code: int, detail: str):
        self.url, self.code, self.detail = url, code, detail
        super().__init__(f"LLM server at {url} answered HTTP {code}: {detail[:300]}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
