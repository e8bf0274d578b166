"""Sliding-window-log rate limiting on the emulator's clock.

Check-and-record happens in one synchronous call, so concurrent requests on the event loop can
never both take the last slot.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    per_seconds: float


class SlidingWindowLimiter:
    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self._window = timedelta(seconds=limit.per_seconds)
        self._hits: dict[Hashable, deque[datetime]] = {}

    def hit(self, key: Hashable, now: datetime) -> int | None:
        """Record one request; None if allowed, else the whole seconds until a slot frees up."""
        hits = self._hits.setdefault(key, deque())
        cutoff = now - self._window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) >= self.limit.requests:
            wait = (hits[0] + self._window - now).total_seconds()
            return max(1, math.ceil(wait))
        hits.append(now)
        return None

    def forget(self, key: Hashable) -> None:
        self._hits.pop(key, None)

    def forget_where(self, matches: Callable[[Any], bool]) -> None:
        for key in [k for k in self._hits if matches(k)]:
            del self._hits[key]
