"""Free-form JSON values (variables, template config, properties) must be JSON that can be
written back: no NaN or Infinity, which Python's parsers accept but JSON forbids."""

from __future__ import annotations

import math
from typing import Any


def check_finite(value: Any) -> Any:
    """Raises ValueError naming the first non-finite number found."""
    _walk(value, "")
    return value


def _walk(value: Any, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where or 'value'}: NaN and Infinity are not JSON numbers")
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{where}[{index}]")
