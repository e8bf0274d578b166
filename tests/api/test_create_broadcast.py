"""POST /orgs/{org_id}/broadcasts (seed 002, invent-api.md §3 Create broadcast)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from support.api import (
    BROADCAST_KEYS,
    COUNTER_KEYS,
    SEGMENT_KEYS,
    assert_error,
    list_all_broadcasts,
    parse_ts,
)
from support.apps import app_from_yaml, client_for
from support.wire import START

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

# An org with eleven segments, so the ten-segment limit can be reached with real ids.
ELEVEN_SEGMENTS = """
orgs:
  - id: org_seg
    api_keys: [key_seg]
    segments:
""" + "".join(f"      - {{id: seg_{i}, name: Segment {i}}}\n" for i in range(11))


async def _ids(client: httpx.AsyncClient) -> list[str]:
    return [b["id"] for b in await list_all_broadcasts(client)]


async def test_create_answers_200_with_every_documented_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts", json={"name": "Launch"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == BROADCAST_KEYS
    assert isinstance(body["id"], str) and body["id"]
    assert body["name"] == "Launch"
    assert body["status"] == "DRAFT"
    assert body["type"] == "MARKETING"
    for nullable in ("scheduled_at", "started_at", "completed_at", "error_message"):
        assert body[nullable] is None
    for counter in COUNTER_KEYS:
        assert body[counter] == 0
    assert body["segments"] == []
    assert body["templates"] == []
    assert body["send_to_all"] is False
    assert parse_ts(body["created_at"]) == START
    assert parse_ts(body["updated_at"]) == START


async def test_created_broadcast_is_listed(client: httpx.AsyncClient) -> None:
    created = (await client.post("/orgs/c/broadcasts", json={"name": "Listed"})).json()
    listed = await list_all_broadcasts(client)
    assert listed[0] == created


async def test_create_with_segments_and_send_to_all(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts", json={
        "name": "VIPs", "segment_ids": ["seg_vip", "seg_customers"], "send_to_all": True,
    })
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["send_to_all"] is True
    assert [s["id"] for s in body["segments"]] == ["seg_vip", "seg_customers"]
    for segment in body["segments"]:
        assert set(segment) >= SEGMENT_KEYS
    counts = {s["id"]: s["contacts_count"] for s in body["segments"]}
    assert counts == {"seg_vip": 1, "seg_customers": 3}


@pytest.mark.parametrize("length", [1, 255])
async def test_name_length_bounds_accepted(client: httpx.AsyncClient, length: int) -> None:
    response = await client.post("/orgs/c/broadcasts", json={"name": "n" * length})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "n" * length


@pytest.mark.parametrize("length", [0, 256])
async def test_name_length_bounds_refused(client: httpx.AsyncClient, length: int) -> None:
    response = await client.post("/orgs/c/broadcasts", json={"name": "n" * length})
    assert_error(response, 400, "name")
    assert len(await list_all_broadcasts(client)) == 2


async def test_name_is_required(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/orgs/c/broadcasts", json={}), 400, "name")
    assert_error(await client.post("/orgs/c/broadcasts", content=b""), 400, "name")


async def test_name_with_nul_is_refused(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/orgs/c/broadcasts", json={"name": "a\x00b"}), 400, "name")


async def test_ten_segments_accepted_eleven_refused(clock: VirtualClock) -> None:
    app = app_from_yaml(ELEVEN_SEGMENTS, clock)
    async with client_for(app, "key_seg") as http:
        ten = await http.post("/orgs/c/broadcasts", json={
            "name": "ten", "segment_ids": [f"seg_{i}" for i in range(10)]})
        assert ten.status_code == 200, ten.text
        assert len(ten.json()["segments"]) == 10
        eleven = await http.post("/orgs/c/broadcasts", json={
            "name": "eleven", "segment_ids": [f"seg_{i}" for i in range(11)]})
        assert_error(eleven, 400, "segment_ids")
        assert await _ids(http) == [ten.json()["id"]]


async def test_unknown_segment_is_refused_naming_its_index(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts", json={
        "name": "x", "segment_ids": ["seg_vip", "seg_nope"]})
    body = assert_error(response, 400, "segment_ids[1]")
    assert "seg_nope" in body["message"]
    assert len(await list_all_broadcasts(client)) == 2


async def test_scheduled_at_with_offset_comes_back_in_utc(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts", json={
        "name": "later", "scheduled_at": "2026-02-01T12:30:00+02:00"})
    assert response.status_code == 200, response.text
    scheduled = response.json()["scheduled_at"]
    assert scheduled.endswith("Z")
    assert parse_ts(scheduled) == datetime(2026, 2, 1, 10, 30, tzinfo=UTC)
    assert scheduled.startswith("2026-02-01T10:30:00")


async def test_scheduled_at_null_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts", json={"name": "now", "scheduled_at": None})
    assert response.status_code == 200, response.text
    assert response.json()["scheduled_at"] is None


@pytest.mark.parametrize("value", ["2026-02-01T12:30:00", "2026-02-01", "tomorrow", 1767600000])
async def test_bad_scheduled_at_is_refused(client: httpx.AsyncClient, value: Any) -> None:
    response = await client.post("/orgs/c/broadcasts", json={"name": "x", "scheduled_at": value})
    body = assert_error(response, 400, "scheduled_at")
    assert len(await list_all_broadcasts(client)) == 2
    # The project's own words, with an example; never pydantic's ("Input should ...").
    assert body["message"].startswith("scheduled_at must "), body
    assert "2026-01-05T12:00:00Z" in body["message"] and "Input should" not in body["message"]


async def test_a_scheduled_at_without_a_timezone_says_so(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts",
                                 json={"name": "x", "scheduled_at": "2026-02-01T12:30:00"})
    body = assert_error(response, 400, "scheduled_at")
    assert body["details"] == [{"field": "scheduled_at", "message": (
        "scheduled_at must include a timezone: Z for UTC or an offset, as in "
        "2026-01-05T12:00:00Z or 2026-01-05T14:00:00+02:00")}]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": 5}, "name"),
    ({"name": None}, "name"),
    ({"name": ["x"]}, "name"),
    ({"name": "x", "send_to_all": "yes"}, "send_to_all"),
    ({"name": "x", "send_to_all": 1}, "send_to_all"),
    ({"name": "x", "segment_ids": "seg_vip"}, "segment_ids"),
    ({"name": "x", "segment_ids": [7]}, "segment_ids[0]"),
    ({"name": "x", "type": "transactional"}, "type"),
    ({"name": "x", "type": "OTHER"}, "type"),
    ({"name": "x", "color": "red"}, "color"),
    ({"name": "x", "status": "SENT"}, "status"),
])
async def test_wrong_types_and_unknown_fields_are_refused_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    assert_error(await client.post("/orgs/c/broadcasts", json=body), 400, field)
    assert len(await list_all_broadcasts(client)) == 2


async def test_type_transactional(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts",
                                 json={"name": "otp", "type": "TRANSACTIONAL"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "TRANSACTIONAL"
    assert body["status"] == "DRAFT"
    assert set(body) == BROADCAST_KEYS


async def test_type_marketing_explicit(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts", json={"name": "m", "type": "MARKETING"})
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "MARKETING"


async def test_failed_creates_leave_the_list_unchanged(client: httpx.AsyncClient) -> None:
    before = await list_all_broadcasts(client)
    for body in ({"name": ""}, {"name": "x", "segment_ids": ["seg_nope"]},
                 {"name": "x", "scheduled_at": "2026-01-01T00:00:00"}, {"name": "x", "bogus": 1}):
        assert_error(await client.post("/orgs/c/broadcasts", json=body), 400)
    assert await list_all_broadcasts(client) == before


async def test_each_create_gets_a_new_id(client: httpx.AsyncClient) -> None:
    first = (await client.post("/orgs/c/broadcasts", json={"name": "same"})).json()
    second = (await client.post("/orgs/c/broadcasts", json={"name": "same"})).json()
    assert first["id"] != second["id"]
    assert len(await list_all_broadcasts(client)) == 4


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_scheduled_at_out_of_range_in_utc_is_400(client: httpx.AsyncClient,
                                                       value: str) -> None:
    response = await client.post("/orgs/c/broadcasts", json={"name": "x", "scheduled_at": value})
    assert_error(response, 400, "scheduled_at")
    assert len(await list_all_broadcasts(client)) == 2


async def test_broadcast_segments_have_exactly_the_documented_fields(
    client: httpx.AsyncClient
) -> None:
    response = await client.post("/orgs/c/broadcasts", json={"name": "v",
                                                             "segment_ids": ["seg_vip"]})
    assert response.status_code == 200, response.text
    assert set(response.json()["segments"][0]) == SEGMENT_KEYS
