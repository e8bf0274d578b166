"""Free-form JSON values (variables, template config, properties, scenarios in bodies) must be
JSON that can be written back: no NaN or Infinity, which Python's parsers accept but JSON
forbids; no lone surrogates, which cannot be encoded; and, like every string, no NUL."""

from __future__ import annotations

import math
from typing import Any


def check_finite(value: Any) -> Any:
    """Raises ValueError naming the first non-finite number found."""
    _walk(value, "")
    return value


def check_text(text: str, where: str = "value") -> str:
    """`where` names the value in the message; "" leaves that to the caller (a field)."""
    prefix = f"{where}: " if where else ""
    if "\x00" in text:
        raise ValueError(f"{prefix}must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{prefix}must be valid Unicode text (no lone surrogate)") from None
    return text


def _walk(value: Any, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where or 'value'}: NaN and Infinity are not JSON numbers")
    if isinstance(value, str):
        check_text(value, where or "value")
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{key}" if where else str(key)
            if isinstance(key, str):
                check_text(key, here)
            _walk(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{where}[{index}]")
