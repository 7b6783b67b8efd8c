"""Validating replies: user-supplied JSON schemas with ``jsonschema``, our own records with pydantic.

* :func:`check_schema` — is a user's schema usable? (valid for its draft, every local ``$ref``
  resolves, no remote ``$ref``: nothing is fetched.)
* :func:`check` — does ``data`` validate? ``ValueError`` naming the JSON path of each problem,
  e.g. ``$.objects[0].box: [0.1, 0.1, 0.5] is too short``.
* :func:`validate_reply` — parse a reply with :func:`~limner.llm.safejson.parse_json` (bounded
  size/depth/numbers) and validate it against a pydantic model or a JSON schema.

``jsonschema`` is imported on first use (it is part of the ``llm`` extra).
"""

from __future__ import annotations

from functools import lru_cache
import json
from typing import Any

from pydantic import BaseModel, ValidationError

from .._deps import require
from .safejson import MAX_DEPTH, parse_json

MAX_ERRORS = 3


def _validator_for(schema: dict[str, Any]) -> Any:
    jsonschema = require("jsonschema", "validating replies against a JSON schema")
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls


def _local_refs(schema: Any) -> list[str]:
    """Every ``$ref`` value in ``schema`` (iterative walk)."""
    refs, stack = [], [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                refs.append(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return refs


def _resolve_pointer(schema: dict[str, Any], ref: str) -> None:
    if not ref.startswith("#"):
        raise ValueError(f"$ref {ref!r} points outside the schema (only local '#/...' references are used)")
    node: Any = schema
    for part in filter(None, ref[1:].split("/")):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise ValueError(f"$ref {ref!r} does not resolve")


def check_schema(schema: Any) -> None:
    """ValueError unless ``schema`` is a usable JSON schema (object or boolean schema)."""
    if not isinstance(schema, (dict, bool)):
        raise ValueError(f"a JSON schema is an object, not {type(schema).__name__}")
    if isinstance(schema, bool):
        return
    depth = _depth(schema)
    if depth > MAX_DEPTH:
        raise ValueError(f"the schema is nested too deeply ({depth} levels)")
    jsonschema = require("jsonschema", "validating replies against a JSON schema")
    try:
        _validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = exc.json_path if hasattr(exc, "json_path") else "$"
        raise ValueError(f"{where}: {_short(exc.message)}") from None
    for ref in _local_refs(schema):
        _resolve_pointer(schema, ref)


def _depth(value: Any) -> int:
    best, stack = 0, [(value, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, (dict, list)):
            best = max(best, d)
            stack.extend((v, d + 1) for v in (node.values() if isinstance(node, dict) else node))
    return best


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=64)
def _compiled(schema_text: str) -> Any:
    schema = json.loads(schema_text)
    return _validator_for(schema)(schema)


def check(data: Any, schema: dict[str, Any] | bool) -> None:
    """ValueError listing (up to three) problems with their JSON paths if ``data`` does not validate."""
    if isinstance(schema, bool):
        if not schema:
            raise ValueError("$: the schema accepts nothing")
        return
    jsonschema = require("jsonschema", "validating replies against a JSON schema")
    validator = _compiled(json.dumps(schema, sort_keys=True))
    errors = sorted(validator.iter_errors(data), key=jsonschema.exceptions.relevance)
    if errors:
        shown = "; ".join(f"{e.json_path}: {_short(e.message)}" for e in errors[:MAX_ERRORS])
        more = f" (+{len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        raise ValueError(f"reply does not match the schema: {shown}{more}")


def _unfence(text: str) -> str:
    """A reply wrapped in a Markdown code fence, unwrapped (nothing looser is tolerated)."""
    text = text.strip()
    if text.startswith("```"):
        text = text.strip("`")
        text = text[text.find("\n") + 1 :] if "\n" in text else text
        text = text.rsplit("```", 1)[0] if "```" in text else text
    return text


def validate_reply(raw: str, schema: type[BaseModel] | dict[str, Any]) -> Any:
    """Parse ``raw`` as JSON (bounded) and validate it against ``schema``; ValueError with the reason."""
    if not isinstance(raw, str):
        raise ValueError(f"reply is not text but {type(raw).__name__}")
    data = parse_json(_unfence(raw))
    if isinstance(schema, (dict, bool)):
        check(data, schema)
        return data
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errs = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {_short(e['msg'])}"
            for e in exc.errors()[:MAX_ERRORS]
        )
        raise ValueError(f"reply does not match the schema: {errs}") from None
