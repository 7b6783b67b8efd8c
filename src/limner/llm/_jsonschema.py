"""A small validator for the JSON-schema subset limner sends to LLMs.

Covers what pydantic v2 emits for our records and what people write by hand: ``type`` (one or a
list), ``properties``, ``required``, ``additionalProperties``, ``items``, ``prefixItems`` (tuples),
``minItems``/``maxItems``, ``enum``, ``const``, ``anyOf``/``oneOf``/``allOf``, ``$ref`` into
``$defs``/``definitions`` of the root schema, ``minimum``/``maximum`` (and exclusive forms),
``minLength``/``maxLength``, ``pattern``. Annotations (``title``, ``description``, ``default``,
``format``, ...) are ignored. Anything it does not know it lets through rather than guessing.

:func:`check` raises :class:`ValueError` naming the JSON path of the first problem, e.g.
``$.objects[2].box: expected 4 items, got 3``.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def check(data: Any, schema: dict[str, Any]) -> None:
    """Raise ValueError if ``data`` does not satisfy ``schema`` (the subset above)."""
    if not isinstance(schema, dict):
        raise ValueError(f"schema must be a JSON object, got {type(schema).__name__}")
    _check(data, schema, schema, "$")


def check_schema(schema: Any) -> None:
    """Raise ValueError if ``schema`` is not something :func:`check` can use (a quick sanity pass)."""
    if not isinstance(schema, dict):
        raise ValueError(f"a JSON schema must be a JSON object, got {type(schema).__name__}")

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            t = node.get("type")
            for name in [t] if isinstance(t, str) else (t or []):
                if name not in _TYPES:
                    raise ValueError(f"{path}: unknown type {name!r}")
            ref = node.get("$ref")
            if ref is not None:
                _resolve(schema, ref, path)
            for key, val in node.items():
                if key in ("enum", "const", "default", "examples"):
                    continue
                walk(val, f"{path}.{key}")
        elif isinstance(node, list):
            for i, val in enumerate(node):
                walk(val, f"{path}[{i}]")

    walk(schema, "$")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _resolve(root: dict[str, Any], ref: str, path: str) -> dict[str, Any]:
    if not ref.startswith("#"):
        raise ValueError(f"{path}: only local $ref are supported, got {ref!r}")
    node: Any = root
    for part in ref[1:].lstrip("/").split("/") if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise ValueError(f"{path}: cannot resolve $ref {ref!r}")
        node = node[part]
    if not isinstance(node, dict):
        raise ValueError(f"{path}: $ref {ref!r} does not point to a schema")
    return node


def _check(data: Any, schema: dict[str, Any] | bool, root: dict[str, Any], path: str) -> None:
    if schema is True or schema == {}:
        return
    if schema is False:
        raise ValueError(f"{path}: no value is allowed here")
    if "$ref" in schema:
        _check(data, _resolve(root, schema["$ref"], path), root, path)

    for sub in schema.get("allOf", ()):
        _check(data, sub, root, path)
    for key in ("anyOf", "oneOf"):  # oneOf checked as anyOf: exclusivity rarely matters for LLM replies
        if key in schema:
            reasons = []
            for sub in schema[key]:
                try:
                    _check(data, sub, root, path)
                    break
                except ValueError as exc:
                    reasons.append(str(exc).split(": ", 1)[-1])
            else:
                raise ValueError(f"{path}: {_short(data)} matches none of the {key} options "
                                 f"({'; '.join(reasons[:4])})")

    if "const" in schema and data != schema["const"]:
        raise ValueError(f"{path}: expected {_short(schema['const'])}, got {_short(data)}")
    if "enum" in schema and data not in schema["enum"]:
        raise ValueError(f"{path}: {_short(data)} is not one of {_short(schema['enum'])}")

    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_TYPES.get(n, lambda v: True)(data) for n in names):
            raise ValueError(f"{path}: expected {' or '.join(names)}, got {_type_name(data)}")

    if isinstance(data, dict):
        _check_object(data, schema, root, path)
    elif isinstance(data, list):
        _check_array(data, schema, root, path)
    elif isinstance(data, str):
        if "minLength" in schema and len(data) < schema["minLength"]:
            raise ValueError(f"{path}: string shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(data) > schema["maxLength"]:
            raise ValueError(f"{path}: string longer than {schema['maxLength']} characters")
        if "pattern" in schema and re.search(schema["pattern"], data) is None:
            raise ValueError(f"{path}: {_short(data)} does not match pattern {schema['pattern']!r}")
    elif _TYPES["number"](data):
        for key, ok in (("minimum", lambda v, b: v >= b), ("maximum", lambda v, b: v <= b),
                        ("exclusiveMinimum", lambda v, b: v > b),
                        ("exclusiveMaximum", lambda v, b: v < b)):
            bound = schema.get(key)
            if isinstance(bound, (int, float)) and not isinstance(bound, bool) and not ok(data, bound):
                raise ValueError(f"{path}: {data} violates {key} {bound}")


def _type_name(data: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](data):
            return name
    return type(data).__name__


def _check_object(data: dict, schema: dict[str, Any], root: dict[str, Any], path: str) -> None:
    props = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in data:
            raise ValueError(f"{path}: missing required property {name!r}")
    extra = schema.get("additionalProperties", True)
    for key, value in data.items():
        sub_path = f"{path}.{key}"
        if key in props:
            _check(value, props[key], root, sub_path)
        elif extra is False:
            raise ValueError(f"{path}: unexpected property {key!r}")
        elif isinstance(extra, dict):
            _check(value, extra, root, sub_path)


def _check_array(data: list, schema: dict[str, Any], root: dict[str, Any], path: str) -> None:
    if "minItems" in schema and len(data) < schema["minItems"]:
        raise ValueError(f"{path}: expected at least {schema['minItems']} items, got {len(data)}")
    if "maxItems" in schema and len(data) > schema["maxItems"]:
        raise ValueError(f"{path}: expected at most {schema['maxItems']} items, got {len(data)}")
    prefix = schema.get("prefixItems")
    items = schema.get("items")
    if prefix is not None:
        for i, (value, sub) in enumerate(zip(data, prefix)):
            _check(value, sub, root, f"{path}[{i}]")
        rest = data[len(prefix):]
        if rest and items is False:
            raise ValueError(f"{path}: expected {len(prefix)} items, got {len(data)}")
        if isinstance(items, dict):
            for i, value in enumerate(rest, start=len(prefix)):
                _check(value, items, root, f"{path}[{i}]")
    elif isinstance(items, dict):
        for i, value in enumerate(data):
            _check(value, items, root, f"{path}[{i}]")
