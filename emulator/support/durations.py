"""Durations as scenario files write them: `500ms`, `10s`, `5m`, `1h`, or a number of seconds."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
# Ten years: longer than any test waits, short enough that no date arithmetic can overflow.
MAX_DURATION = 10 * 365 * 24 * 3600.0


def parse_duration(value: object) -> float:
    """Seconds; raises ValueError with the accepted forms."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text like 500ms, 10s, 5m, 1h")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    else:
        raise ValueError("a duration is a number of seconds or text like 500ms, 10s, 5m, 1h")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_DURATION:
        raise ValueError("a duration can be at most ten years")
    return seconds
