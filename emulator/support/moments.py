"""The range of dates the emulator accepts, so that no date arithmetic (windows, delays, clock
advances) can leave what Python's datetime can hold."""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST_YEAR = 1970
LATEST_YEAR = 9000


def check_moment(value: datetime) -> datetime:
    """A timezone-aware moment between 1970 and 9000, returned in UTC."""
    if value.tzinfo is None:
        raise ValueError("give a timezone, e.g. 2026-01-05T09:00:00Z")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the date must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value.astimezone(UTC)
