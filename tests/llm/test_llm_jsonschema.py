"""The JSON-schema subset validator: what pydantic emits for our records, and hand-written schemas."""

from __future__ import annotations

import pytest

from limner.llm._jsonschema import check, check_schema
from limner.llm.base import validate_reply
from limner.schema import Layout

COLORS = {"type": "object", "properties": {"colors": {"type": "array", "items": {"type": "string"},
                                                      "minItems": 1, "maxItems": 5}},
          "required": ["colors"]}


def test_accepts_valid_layout_and_hand_written():
    schema = Layout.model_json_schema()  # $defs/$ref, anyOf-with-null, prefixItems tuples
    check_schema(schema)
    check({"objects": [{"name": "cat", "box": [0.1, 0.1, 0.5, 0.5], "color": None}],
           "background": "grass"}, schema)
    check({"colors": ["red", "green"]}, COLORS)
    check(3, {"type": "integer"})
    check(3.0, {"type": "number", "minimum": 0})
    check("b", {"enum": ["a", "b"]})
    check(None, {"anyOf": [{"type": "string"}, {"type": "null"}]})


@pytest.mark.parametrize("data, schema, where", [
    ({"objects": [{"name": "cat", "box": [0.1, 0.1, 0.5]}]}, Layout.model_json_schema(), "$.objects[0].box"),
    ({"objects": [{"box": [0, 0, 1, 1]}]}, Layout.model_json_schema(), "missing required property 'name'"),
    ({"objects": [{"name": "c", "box": [0, 0, 1, 1], "zz": 1}]}, Layout.model_json_schema(), "unexpected property 'zz'"),
    ({"width": "wide"}, Layout.model_json_schema(), "$.width: expected integer, got string"),
    ({"colors": []}, COLORS, "at least 1 items"),
    ({"colors": ["a"] * 6}, COLORS, "at most 5 items"),
    ({"colors": ["red", 3]}, COLORS, "$.colors[1]: expected string, got integer"),
    ({}, COLORS, "missing required property 'colors'"),
    (True, {"type": "integer"}, "expected integer, got boolean"),
    ("c", {"enum": ["a", "b"]}, "is not one of"),
    (-1, {"type": "number", "minimum": 0}, "violates minimum"),
])
def test_rejects_with_a_path(data, schema, where):
    with pytest.raises(ValueError) as exc:
        check(data, schema)
    assert where in str(exc.value)


def test_check_schema_rejects_unusable_schemas():
    for bad in (["not", "a", "dict"], {"type": "colour"}, {"$ref": "#/$defs/Missing"}):
        with pytest.raises(ValueError):
            check_schema(bad)


def test_validate_reply_parses_fenced_json_and_rejects_junk():
    assert validate_reply('```json\n{"colors": ["red"]}\n```', COLORS) == {"colors": ["red"]}
    with pytest.raises(ValueError, match="not valid JSON"):
        validate_reply('{"colors": ["red"', COLORS)
    assert validate_reply('{"colors": ["a\nb"]}', COLORS) == {"colors": ["a\nb"]}  # raw newline
    layout = validate_reply('{"objects": [{"name": "Cat", "box": [0, 0, 0.5, 0.5]}]}', Layout)
    assert isinstance(layout, Layout) and layout.objects[0].name == "cat"
