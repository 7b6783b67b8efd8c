"""Validation: user schemas with the ``jsonschema`` library (JSON-path errors), our records with
pydantic, and the bounded JSON parser in front of both."""

from __future__ import annotations

import pytest

from limner.llm.base import validate_reply
from limner.llm.safejson import nesting_depth, parse_json
from limner.llm.validate import check, check_schema
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
    check("b", {"enum": ["a", "b"]})
    check(None, {"anyOf": [{"type": "string"}, {"type": "null"}]})


@pytest.mark.parametrize("data, schema, where", [
    ({"objects": [{"name": "cat", "box": [0.1, 0.1, 0.5]}]}, Layout.model_json_schema(), "$.objects[0].box"),
    ({"objects": [{"box": [0, 0, 1, 1]}]}, Layout.model_json_schema(), "'name' is a required property"),
    ({"width": "wide"}, Layout.model_json_schema(), "$.width: 'wide' is not of type 'integer'"),
    ({"colors": []}, COLORS, "$.colors: [] should be non-empty"),
    ({"colors": ["a"] * 6}, COLORS, "is too long"),
    ({"colors": ["red", 3]}, COLORS, "$.colors[1]: 3 is not of type 'string'"),
    (True, {"type": "integer"}, "True is not of type 'integer'"),
    ("c", {"enum": ["a", "b"]}, "'c' is not one of ['a', 'b']"),
    (-1, {"type": "number", "minimum": 0}, "-1 is less than the minimum of 0"),
    # what the old home-made subset let through, the library checks
    ("abc", {"type": "string", "pattern": "^[0-9]+$"}, "does not match"),
    ({"a": 1, "b": 2}, {"type": "object", "maxProperties": 1}, "has too many properties"),
    ({"a": 1}, {"type": "object", "dependentRequired": {"a": ["b"]}}, "'b' is a dependency of 'a'"),
    ([1, 1], {"type": "array", "uniqueItems": True}, "has non-unique elements"),
])
def test_rejects_with_a_json_path(data, schema, where):
    with pytest.raises(ValueError) as exc:
        check(data, schema)
    assert where in str(exc.value) and "\n" not in str(exc.value)


def test_check_schema_rejects_unusable_schemas():
    for bad in (["not", "a", "dict"], {"type": "colour"}, {"$ref": "#/$defs/Missing"},
                {"$ref": "https://example.com/remote.json"}, {"minItems": -1}):
        with pytest.raises(ValueError):
            check_schema(bad)


def test_validate_reply_parses_fenced_json_and_rejects_junk():
    assert validate_reply('```json\n{"colors": ["red"]}\n```', COLORS) == {"colors": ["red"]}
    with pytest.raises(ValueError, match="not valid JSON"):
        validate_reply('{"colors": ["red"', COLORS)
    assert validate_reply('{"colors": ["a\nb"]}', COLORS) == {"colors": ["a\nb"]}  # raw newline
    layout = validate_reply('{"objects": [{"name": "Cat", "box": [0, 0, 0.5, 0.5]}]}', Layout)
    assert isinstance(layout, Layout) and layout.objects[0].name == "cat"


@pytest.mark.parametrize("text, reason", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    ("[" * 100_000, "nested too deeply"),
    ('{"x": NaN}', "NaN is not allowed"),
    ('{"x": -Infinity}', "not allowed"),
    ('{"x": 1e400}', "out of range"),
    ('{"x": ' + "9" * 5000 + "}", "not acceptable JSON"),
    ('{"x": "\\ud800"}', "not valid Unicode"),
    ("x" * 1_000_001, "too large"),
    ("__import__('os').system('touch /tmp/pwned')", "not valid JSON"),
    ("", "not valid JSON"),
])
def test_parse_json_bounds_hostile_text(text, reason):
    with pytest.raises(ValueError) as exc:
        parse_json(text)
    assert reason in str(exc.value) and "\n" not in str(exc.value)


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = '{"a": "[[[[{{{{", "b": ["\\"[[["]}'
    assert nesting_depth(text) == 2
    assert parse_json(text) == {"a": "[[[[{{{{", "b": ['"[[[']}
    assert parse_json("[" * 64 + "]" * 64) is not None  # at the limit is fine


def test_any_text_or_bytes_ends_in_a_value_or_one_valueerror_line():
    """Property fuzz: random text, random bytes and random (deep, odd) JSON never escape as
    anything but a parsed value or a one-line ValueError."""
    from hypothesis import given, settings, strategies as st

    from limner.llm.safejson import decode_body

    json_like = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
        max_leaves=30)
    pieces = st.sampled_from(["[", "]", "{", "}", '"', "\\", ":", ",", "NaN", "1e999", "\\ud800",
                              "-", "0", "true", " ", "\x00", "\u2028", "é"])

    def one(text):
        try:
            validate_reply(text, COLORS)
        except ValueError as exc:
            assert "\n" not in str(exc)

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.text(max_size=300) | st.lists(pieces, max_size=200).map("".join)
           | json_like.map(lambda v: __import__("json").dumps(v)))
    def texts(text):
        one(text)

    @settings(max_examples=200, deadline=None, database=None)
    @given(st.binary(max_size=300))
    def bodies(raw):
        try:
            one(decode_body(raw))
        except ValueError as exc:
            assert "\n" not in str(exc)

    texts()
    bodies()
