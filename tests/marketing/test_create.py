"""POST /orgs/{org_id}/broadcasts for marketing broadcasts: segment_ids (≤ 10, each must exist),
send_to_all, and scheduled_at in the past or future, stored and shown in UTC (seed 002)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.api import BROADCAST_KEYS
from support.marketing import COUNTER_KEYS, HEADER, Json, Marketing, assert_error, open_marketing

pytestmark = pytest.mark.anyio

ELEVEN = HEADER + """
orgs:
  - id: org_m
    api_keys: [key_m]
    segments:
""" + "".join(f"      - {{id: seg_{i}, name: Segment {i}}}\n" for i in range(11))


@pytest.fixture
async def org() -> AsyncIterator[Marketing]:
    async with open_marketing(ELEVEN) as org:
        yield org


async def test_ten_segments_are_accepted_and_kept_in_order(org: Marketing) -> None:
    ids = [f"seg_{i}" for i in (9, 0, 8, 1, 7, 2, 6, 3, 5, 4)]
    created = await org.create_broadcast(name="Ten", segment_ids=ids)
    assert set(created) == BROADCAST_KEYS
    assert created["status"] == "DRAFT" and created["type"] == "MARKETING"
    assert [s["id"] for s in created["segments"]] == ids
    assert created["send_to_all"] is False
    assert (await org.broadcast(created["id"]))["segments"] == created["segments"]


async def test_eleven_segments_are_400(org: Marketing) -> None:
    response = await org.http.post("/orgs/c/broadcasts", json={
        "name": "Eleven", "segment_ids": [f"seg_{i}" for i in range(11)]})
    assert_error(response, 400, "segment_ids")
    assert (await org.http.get("/orgs/c/broadcasts")).json() == []


@pytest.mark.parametrize(("segment_ids", "field"), [
    (["seg_zz"], "segment_ids[0]"),
    (["seg_0", "seg_1", "seg_nope"], "segment_ids[2]"),
])
async def test_unknown_segment_is_400_naming_it(org: Marketing, segment_ids: list[str],
                                                field: str) -> None:
    response = await org.http.post("/orgs/c/broadcasts",
                                   json={"name": "Bad", "segment_ids": segment_ids})
    assert_error(response, 400, field)
    assert (await org.http.get("/orgs/c/broadcasts")).json() == []


@pytest.mark.parametrize("send_to_all", [True, False])
async def test_send_to_all_is_stored(org: Marketing, send_to_all: bool) -> None:
    created = await org.create_broadcast(name="All", send_to_all=send_to_all)
    assert created["send_to_all"] is send_to_all
    assert (await org.broadcast(created["id"]))["send_to_all"] is send_to_all


async def test_send_to_all_must_be_a_boolean(org: Marketing) -> None:
    response = await org.http.post("/orgs/c/broadcasts", json={"name": "x", "send_to_all": "yes"})
    assert_error(response, 400, "send_to_all")


@pytest.mark.parametrize(("given", "shown"), [
    ("2026-01-05T14:30:00+02:00", "2026-01-05T12:30:00.000Z"),  # future, another offset
    ("2026-02-01T00:00:00Z", "2026-02-01T00:00:00.000Z"),
    ("2025-12-31T23:00:00-05:00", "2026-01-01T04:00:00.000Z"),  # past
    ("2020-06-01T08:15:30.250Z", "2020-06-01T08:15:30.250Z"),
])
async def test_scheduled_at_is_stored_in_utc(org: Marketing, given: str, shown: str) -> None:
    created = await org.create_broadcast(name="Timed", scheduled_at=given, segment_ids=["seg_0"])
    assert created["scheduled_at"] == shown
    assert created["status"] == "DRAFT"
    assert created["started_at"] is None and created["completed_at"] is None
    assert (await org.broadcast(created["id"]))["scheduled_at"] == shown


async def test_null_scheduled_at_means_immediately(org: Marketing) -> None:
    created = await org.create_broadcast(name="Now", scheduled_at=None, send_to_all=True)
    assert created["scheduled_at"] is None


@pytest.mark.parametrize("value", ["2026-01-05T14:30:00", "tomorrow", 1767600000])
async def test_bad_scheduled_at_is_400(org: Marketing, value: object) -> None:
    response = await org.http.post("/orgs/c/broadcasts", json={"name": "x", "scheduled_at": value})
    assert_error(response, 400, "scheduled_at")


async def test_a_new_marketing_broadcast_is_an_empty_draft(org: Marketing) -> None:
    created: Json = await org.create_broadcast(name="Empty", send_to_all=True)
    for counter in COUNTER_KEYS:
        assert created[counter] == 0
    assert created["templates"] == [] and created["error_message"] is None
