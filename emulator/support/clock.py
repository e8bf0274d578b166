"""The one source of time: a protocol with a system clock and a virtual clock.

Nothing else in the emulator reads the system time, so a test that installs a virtual clock
controls every timestamp, schedule and rate-limit window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol

# Distinct instants remembered by format_timestamp: a few MB at most, whatever the data set.
TIMESTAMP_CACHE_SIZE = 16_384


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Wall time. Truncated to milliseconds because that is what timestamps show."""

    def now(self) -> datetime:
        current = datetime.now(UTC)
        return current.replace(microsecond=current.microsecond // 1000 * 1000)


class VirtualClock:
    """Time that moves only when advanced."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)


def format_timestamp(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC with a `Z`, to the millisecond, as every timestamp on the wire."""
    if moment is None:
        return None
    return _format_instant(moment)


@lru_cache(maxsize=TIMESTAMP_CACHE_SIZE)
def _format_instant(moment: datetime) -> str:
    # Cached: a response shows the same few instants over and over (every row of a campaign
    # shares its times), and formatting was a third of a list's cost. Equal datetimes are the
    # same instant whatever their zone, so they share one entry and one text.
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    if utc.year < 1000:  # isoformat pads years to 4 digits; strftime's %Y does not
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    # "YYYY-MM-DDTHH:MM:SS.mmm+00:00" -> "...mmmZ"; isoformat is several times faster.
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"
