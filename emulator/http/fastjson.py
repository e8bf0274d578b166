"""JSON responses encoded by orjson, byte for byte what Starlette's JSONResponse writes
(`json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))`), several
times faster on the large lists the public API answers.

Where orjson would write different bytes, the standard encoder writes them instead:
- floats: orjson writes `1e-7`, `1e16` and `0.00001` where Python writes `1e-07`, `1e+16`
  and `1e-05`. Any number in the output that has an exponent or starts `0.0000` sends the
  whole payload to `json.dumps` (a string that merely looks like one only costs time);
- what orjson refuses (integers beyond 64 bits, non-string keys, nesting deeper than 254,
  lone surrogates) and what it would encode but `json` would not (subclasses of str, int,
  dict and list, dataclasses, datetimes: all passed through to its `default`, which refuses)
  goes to `json.dumps` too, so its errors stay what they were.
Not covered: NaN and Infinity (orjson writes null, json raises): they cannot reach a response,
every free-form value is checked by emulator.jsonvalues where it enters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import orjson
from starlette.responses import JSONResponse

_PASS_THROUGH = (orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
                 | orjson.OPT_PASSTHROUGH_SUBCLASS)
# Cheap first passes over the output (a plain regex over every byte cost more than the
# encoding saved); the few candidates they find are then checked one by one.
_EXPONENT = re.compile(rb"e(?<=[0-9]e)[-0-9]")
_SMALL_DECIMAL = re.compile(rb"(?:^|[:,\[])-?0\.0000")
_NUMBER_BYTES = frozenset(b"0123456789.-")
_BEFORE_A_NUMBER = frozenset(b":,[")


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode_json(content: Any) -> bytes:
    """`content` as Starlette's JSONResponse would render it, only faster."""
    try:
        encoded = orjson.dumps(content, default=_refuse, option=_PASS_THROUGH)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _standard(content)
    if _float_spelled_apart(encoded):
        return _standard(content)
    return encoded


def encode_typed(content: Any, free_form: Iterable[Any]) -> bytes:
    """`encode_json` of an answer whose values are all text, integers, booleans and null, but
    for the free-form JSON values in `free_form` (a contact's properties, a channel's platform
    data): only those are searched for floats, not the whole output. A send's answer is about
    3 KB, and the output check cost three times the encoding."""
    if any(_holds_float(value) for value in free_form):
        return encode_json(content)
    try:
        return orjson.dumps(content, default=_refuse, option=_PASS_THROUGH)
    except TypeError:
        return _standard(content)


def _holds_float(value: Any) -> bool:
    if type(value) is dict:
        return any(_holds_float(item) for item in value.values()) if value else False
    if type(value) is list or type(value) is tuple:
        return any(_holds_float(item) for item in value)
    return isinstance(value, float)


def _float_spelled_apart(encoded: bytes) -> bool:
    """Does the output hold a number (not text in a string) that orjson and repr() spell
    differently? Text that looks like one (`"x:1e5"`) answers yes, which only costs time."""
    if b"0.0000" in encoded and _SMALL_DECIMAL.search(encoded):
        return True
    for found in _EXPONENT.finditer(encoded):
        start = found.start() - 1
        while start >= 0 and encoded[start] in _NUMBER_BYTES:
            start -= 1
        if start < 0 or encoded[start] in _BEFORE_A_NUMBER:
            return True
    return False


def _standard(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


class FastJSONResponse(JSONResponse):
    """A drop-in JSONResponse: same bytes, same headers, less time."""

    def render(self, content: Any) -> bytes:
        return encode_json(content)
