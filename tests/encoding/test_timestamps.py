"""format_timestamp (cached, isoformat-based) writes what the wire format always was:
`strftime("%Y-%m-%dT%H:%M:%S.")` + milliseconds + `Z`, in UTC."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from emulator.support.clock import format_timestamp


def by_strftime(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@pytest.mark.parametrize("moment", [
    datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    datetime(2026, 1, 5, 9, 0, 0, 999_999, tzinfo=UTC),  # truncated, never rounded up
    datetime(2026, 12, 31, 23, 59, 59, 1_000, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=5, minutes=45))),
    datetime(1, 1, 1, 12, 0, tzinfo=UTC),
    datetime(999, 6, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
], ids=str)
def test_edge_instants(moment: datetime) -> None:
    assert format_timestamp(moment) == by_strftime(moment)


def test_random_instants_in_random_zones_twice() -> None:
    rng = random.Random(11)
    for _ in range(20_000):
        zone = timezone(timedelta(minutes=rng.randrange(-12 * 60, 14 * 60 + 1)))
        moment = datetime(rng.randint(2, 9998), 1, 1, tzinfo=UTC) + timedelta(
            seconds=rng.randrange(366 * 86_400), microseconds=rng.randrange(1_000_000))
        local = moment.astimezone(zone)
        # The same instant in another zone is served from the cache: same text.
        assert format_timestamp(moment) == format_timestamp(local) == by_strftime(local)


def test_none_stays_none() -> None:
    assert format_timestamp(None) is None
