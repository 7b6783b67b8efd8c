"""Generic prompt frames for asking any backend for JSON.

Base models (the embedded Gemma-270M) follow examples, not instructions, so :func:`json_fewshot`
wraps a request in a few schema/request/JSON examples; chat models get one system instruction
(:func:`json_messages`). :func:`ask_json` picks the right one from ``llm.kind``. Task-specific code
(expansion, layout planning) should write its own, better examples; these are the fallback used by
``limner llm --json-schema``.
"""

from __future__ import annotations

import json
from typing import Any

from .base import LLM, Message, Schema, schema_dict

_EXAMPLES = [
    ({"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]},
     "What is the capital of France?", {"answer": "Paris"}),
    ({"type": "object", "properties": {"animals": {"type": "array", "items": {"type": "string"}}},
      "required": ["animals"]},
     "List two farm animals.", {"animals": ["cow", "pig"]}),
    ({"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
      "required": ["name", "age"]},
     "Alice is 30 years old.", {"name": "Alice", "age": 30}),
]
STOP = ("\n\n", "\nSchema:", "\nRequest:")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_fewshot(request: str, schema: Schema) -> str:
    """A few-shot completion prompt whose natural continuation is JSON for ``schema``."""
    lines = ["Each request below is answered with one JSON value that follows the JSON schema.", ""]
    for ex_schema, ex_request, ex_answer in _EXAMPLES:
        lines += [f"Schema: {_compact(ex_schema)}", f"Request: {ex_request}",
                  f"JSON: {json.dumps(ex_answer, ensure_ascii=False)}", ""]
    lines += [f"Schema: {_compact(schema_dict(schema))}", f"Request: {request.strip()}", "JSON:"]
    return "\n".join(lines)


def json_messages(request: str, schema: Schema) -> list[Message]:
    """System instruction + request for a chat model."""
    return [
        Message("system", "Reply with only one JSON value that follows this JSON schema, and no "
                          f"other text: {_compact(schema_dict(schema))}"),
        Message("user", request),
    ]


def ask_json(llm: LLM, request: str, schema: Schema, **kw: Any) -> Any:
    """Ask ``llm`` for a JSON reply to ``request`` that validates against ``schema``."""
    if llm.kind == "base":
        kw.setdefault("stop", STOP)
        return llm.complete(json_fewshot(request, schema), schema=schema, **kw)
    return llm.chat(json_messages(request, schema), schema=schema, **kw)
