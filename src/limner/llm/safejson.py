"""Parse JSON that came from a model or a server we do not trust.

``json.loads`` on a hostile reply can raise ``RecursionError`` (``[[[[…`` 100k deep), accept
``NaN``/``Infinity`` (``1e400`` becomes ``inf``), build lone surrogates that later fail to print,
or spend seconds on megabytes. :func:`parse_json` bounds all of that *before and while* parsing and
raises :class:`ValueError` with one line saying what was wrong:

* size: at most ``max_chars`` characters (default :data:`MAX_REPLY_CHARS`);
* nesting: a linear pre-scan (strings skipped) rejects more than ``max_depth`` levels, so the
  recursive parser and validators downstream can never reach Python's recursion limit;
* numbers: ``NaN``, ``Infinity`` and floats that overflow to infinity are refused; integers are
  bounded by Python's own digit limit (a ``ValueError`` too);
* text: strings must be valid Unicode (no lone surrogates from ``\\ud800`` escapes).
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

MAX_REPLY_CHARS = 1_000_000
MAX_DEPTH = 64

# a JSON string (also an unterminated one, which runs to the end of the text)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*("|$)', re.S)
_KEEP_BRACKETS = {ord(c): None for c in map(chr, range(0x80)) if c not in "[]{}"}
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting in ``text``, ignoring brackets inside strings (linear time)."""
    skeleton = _STRING.sub("", text)
    brackets = "".join(ch for ch in skeleton.translate(_KEEP_BRACKETS) if ch in _STEP)
    if not brackets:
        return 0
    return max(accumulate(_STEP[ch] for ch in brackets))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _check_text(value: Any) -> None:
    """Reject strings that are not valid Unicode (lone surrogates); iterative, not recursive."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")  # UnicodeEncodeError (a ValueError) on a lone surrogate
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse_json(text: str, *, max_chars: int = MAX_REPLY_CHARS, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` with bounded size, depth and numbers; ValueError with the reason."""
    if len(text) > max_chars:
        raise ValueError(f"reply is too large ({len(text):,} characters; the limit is {max_chars:,})")
    depth = nesting_depth(text)
    if depth > max_depth:
        raise ValueError(f"reply is nested too deeply ({depth} levels; the limit is {max_depth})")
    try:
        data = json.loads(text, strict=False, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise ValueError(f"reply is not valid JSON: {exc.msg} at position {exc.pos}") from None
    except RecursionError:  # cannot happen after the depth scan; kept as a last guard
        raise ValueError("reply is nested too deeply") from None
    except ValueError as exc:  # NaN / inf / a number with too many digits
        raise ValueError(f"reply is not acceptable JSON: {' '.join(str(exc).split())[:200]}") from None
    try:
        _check_text(data)
    except UnicodeError:
        raise ValueError("reply contains text that is not valid Unicode (a lone surrogate escape)") from None
    return data


def decode_body(raw: bytes) -> str:
    """HTTP body bytes as text: UTF-8 (or the UTF-16/32 JSON allows, by its BOM); ValueError otherwise."""
    try:
        encoding = json.detect_encoding(raw)
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise ValueError("the reply is not UTF-8 text") from None
