"""The documented rate limits of one org, as sliding-window logs on the org's clock.

Check-and-record happens in one synchronous call, so concurrent requests on the event loop can
never both take the last slot. A refused request raises the documented 429 with `Retry-After`.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from emulator.domain.errors import too_many_requests


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    per_seconds: float


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """What a scenario sets: None turns a limit off."""

    send: Limit | None = None
    general: Limit | None = None


class SlidingWindow:
    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self._window = timedelta(seconds=limit.per_seconds)
        self._hits: deque[datetime] = deque()

    def hit(self, now: datetime) -> int | None:
        """Record one request; None if allowed, else the whole seconds until a slot frees up."""
        hits = self._hits
        cutoff = now - self._window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) >= self.limit.requests:
            wait = (hits[0] + self._window - now).total_seconds()
            return max(1, math.ceil(wait))
        hits.append(now)
        return None

    def hits(self) -> list[datetime]:
        """The moments of the requests still in the window (for a state file)."""
        return list(self._hits)

    def restore(self, hits: list[datetime]) -> None:
        self._hits = deque(hits)


class RateLimits:
    """One org's windows: the send limit per org, the general limit per API key."""

    def __init__(self, settings: LimitSettings) -> None:
        self.settings = settings
        self._send = SlidingWindow(settings.send) if settings.send else None
        self._general: dict[str, SlidingWindow] = {}

    def check_send(self, now: datetime) -> None:
        if self._send is None:
            return
        retry_after = self._send.hit(now)
        if retry_after is not None:
            limit = self._send.limit
            raise too_many_requests(
                f"Rate limit exceeded: the send endpoint allows {limit.requests} requests per "
                f"{limit.per_seconds:g} seconds per org; retry after {retry_after} s",
                retry_after,
            )

    def check_general(self, api_key: str, now: datetime) -> None:
        limit = self.settings.general
        if limit is None:
            return
        window = self._general.get(api_key)
        if window is None:
            window = self._general[api_key] = SlidingWindow(limit)
        retry_after = window.hit(now)
        if retry_after is not None:
            raise too_many_requests(
                f"Rate limit exceeded: {limit.requests} requests per {limit.per_seconds:g} "
                f"seconds per API key and org; retry after {retry_after} s",
                retry_after,
            )

    def windows(self) -> tuple[list[datetime] | None, dict[str, list[datetime]]]:
        """The send window's hits, and each API key's general window (for a state file)."""
        send = self._send.hits() if self._send is not None else None
        return send, {key: window.hits() for key, window in self._general.items()}

    def restore(self, send: list[datetime] | None, general: dict[str, list[datetime]]) -> None:
        """Put back what `windows` read from the same settings."""
        if self._send is not None and send is not None:
            self._send.restore(send)
        limit = self.settings.general
        self._general = {}
        if limit is not None:
            for key, hits in general.items():
                self._general[key] = window = SlidingWindow(limit)
                window.restore(hits)
