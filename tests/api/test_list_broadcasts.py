"""GET /orgs/{org_id}/broadcasts (seed 003): bare arrays, newest first, status filter, and the
pagination headers of invent-api.md §1."""

from __future__ import annotations

import httpx
import pytest
from support.api import BROADCAST_KEYS, assert_error
from support.apps import app_from_yaml, client_for

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

# One broadcast in every status a scenario can hold (SENDING and SENT left to the sender).
STATUSES = """
orgs:
  - id: org_st
    api_keys: [key_st]
    broadcasts:
      - {id: bc_draft, name: d, status: DRAFT}
      - id: bc_scheduled
        name: s
        status: SCHEDULED
        scheduled_at: "2027-01-01T00:00:00Z"
        templates: [{integration_id: gmail}]
      - {id: bc_cancelled, name: c, status: CANCELLED}
      - {id: bc_failed, name: f, status: FAILED}
      - {id: bc_sent, name: done, status: SENT}
      - id: bc_active
        name: a
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{integration_id: gmail}]
      - id: bc_paused
        name: p
        type: TRANSACTIONAL
        status: PAUSED
        templates: [{integration_id: gmail}]
      - {id: bc_tdraft, name: td, type: TRANSACTIONAL, status: DRAFT}
"""


def _headers(response: httpx.Response) -> tuple[str, str, str]:
    return (response.headers["pagination-count"], response.headers["pagination-page"],
            response.headers["pagination-take"])


async def _create(client: httpx.AsyncClient, count: int, clock: VirtualClock) -> list[str]:
    ids = []
    for index in range(count):
        clock.advance(1)
        response = await client.post("/orgs/c/broadcasts", json={"name": f"b{index}"})
        assert response.status_code == 200, response.text
        ids.append(response.json()["id"])
    return ids


async def test_list_is_a_bare_array_of_broadcasts(client: httpx.AsyncClient) -> None:
    response = await client.get("/orgs/c/broadcasts")
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)
    assert {b["id"] for b in body} == {"bc_otp", "bc_spring"}
    for item in body:
        assert set(item) == BROADCAST_KEYS
    otp = next(b for b in body if b["id"] == "bc_otp")
    assert otp["type"] == "TRANSACTIONAL" and otp["status"] == "ACTIVE"
    assert [t["id"] for t in otp["templates"]] == ["tpl_otp_email", "tpl_otp_wa"]


async def test_newest_first(client: httpx.AsyncClient, clock: VirtualClock) -> None:
    ids = await _create(client, 3, clock)
    listed = [b["id"] for b in (await client.get("/orgs/c/broadcasts")).json()]
    assert listed[:3] == ids[::-1]
    assert set(listed[3:]) == {"bc_otp", "bc_spring"}


async def test_newest_first_even_within_one_instant(client: httpx.AsyncClient) -> None:
    ids = []
    for index in range(3):
        created = await client.post("/orgs/c/broadcasts", json={"name": f"n{index}"})
        ids.append(created.json()["id"])
    listed = [b["id"] for b in (await client.get("/orgs/c/broadcasts")).json()]
    assert listed[:3] == ids[::-1]
    # Stable: the same order on every read.
    again = [b["id"] for b in (await client.get("/orgs/c/broadcasts")).json()]
    assert again == listed


async def test_default_pagination_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/orgs/c/broadcasts")
    assert _headers(response) == ("2", "1", "100")


async def test_default_take_is_100(client: httpx.AsyncClient, clock: VirtualClock) -> None:
    await _create(client, 99, clock)  # with the scenario's two: 101, one past the default page
    response = await client.get("/orgs/c/broadcasts")
    assert len(response.json()) == 100
    assert _headers(response) == ("101", "1", "100")
    second = await client.get("/orgs/c/broadcasts", params={"page": 2})
    assert len(second.json()) == 1
    assert _headers(second) == ("101", "2", "100")


async def test_pages_partition_the_list(client: httpx.AsyncClient, clock: VirtualClock) -> None:
    await _create(client, 5, clock)
    everything = [b["id"] for b in (await client.get("/orgs/c/broadcasts")).json()]
    paged: list[str] = []
    for page in (1, 2, 3):
        response = await client.get("/orgs/c/broadcasts", params={"page": page, "take": 3})
        assert _headers(response) == ("7", str(page), "3")
        paged += [b["id"] for b in response.json()]
    assert paged == everything


async def test_page_past_the_end_is_empty_with_the_count(client: httpx.AsyncClient) -> None:
    response = await client.get("/orgs/c/broadcasts", params={"page": 9, "take": 5})
    assert response.status_code == 200
    assert response.json() == []
    assert _headers(response) == ("2", "9", "5")


async def test_take_100_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.get("/orgs/c/broadcasts", params={"take": 100})
    assert response.status_code == 200, response.text
    assert _headers(response) == ("2", "1", "100")


async def test_next_is_accepted_and_ignored(client: httpx.AsyncClient) -> None:
    response = await client.get("/orgs/c/broadcasts", params={"next": "whatever"})
    assert response.status_code == 200, response.text
    assert len(response.json()) == 2


@pytest.mark.parametrize(("name", "value"), [
    ("take", "101"), ("take", "0"), ("take", "5_0"), ("take", " 5"), ("take", "abc"),
    ("take", "-1"), ("take", "1.5"), ("take", ""), ("take", "1e2"),
    ("page", "0"), ("page", "-1"), ("page", "abc"), ("page", "1_0"), ("page", "2 "),
])
async def test_bad_pagination_is_400_naming_the_parameter(
    client: httpx.AsyncClient, name: str, value: str
) -> None:
    response = await client.get("/orgs/c/broadcasts", params={name: value})
    assert_error(response, 400, name)


@pytest.mark.parametrize("status", ["DRAFT", "SCHEDULED", "CANCELLED", "FAILED", "SENT",
                                    "ACTIVE", "PAUSED", "SENDING"])
async def test_status_filter(clock: VirtualClock, status: str) -> None:
    app = app_from_yaml(STATUSES, clock)
    async with client_for(app, "key_st") as http:
        response = await http.get("/orgs/c/broadcasts", params={"status": status})
        assert response.status_code == 200, response.text
        body = response.json()
        assert all(b["status"] == status for b in body)
        expected = {
            "DRAFT": {"bc_draft", "bc_tdraft"}, "SCHEDULED": {"bc_scheduled"},
            "CANCELLED": {"bc_cancelled"}, "FAILED": {"bc_failed"}, "SENT": {"bc_sent"},
            "ACTIVE": {"bc_active"}, "PAUSED": {"bc_paused"}, "SENDING": set(),
        }[status]
        assert {b["id"] for b in body} == expected
        assert response.headers["pagination-count"] == str(len(expected))


async def test_status_all_and_omitted_list_everything(clock: VirtualClock) -> None:
    app = app_from_yaml(STATUSES, clock)
    async with client_for(app, "key_st") as http:
        everything = await http.get("/orgs/c/broadcasts", params={"status": "ALL"})
        omitted = await http.get("/orgs/c/broadcasts")
        assert len(everything.json()) == 8
        assert everything.json() == omitted.json()
        assert everything.headers["pagination-count"] == "8"


@pytest.mark.parametrize("status", ["draft", "all", "BOGUS", "", "DRAFT,SENT"])
async def test_bad_status_is_400_naming_status(client: httpx.AsyncClient, status: str) -> None:
    response = await client.get("/orgs/c/broadcasts", params={"status": status})
    assert_error(response, 400, "status")


async def test_status_filter_combines_with_pagination(
    client: httpx.AsyncClient, clock: VirtualClock
) -> None:
    await _create(client, 4, clock)
    response = await client.get("/orgs/c/broadcasts",
                                params={"status": "DRAFT", "take": 2, "page": 2})
    assert _headers(response) == ("5", "2", "2")
    assert [b["status"] for b in response.json()] == ["DRAFT", "DRAFT"]


async def test_a_very_large_page_is_just_past_the_end(client: httpx.AsyncClient) -> None:
    response = await client.get("/orgs/c/broadcasts", params={"page": "1234567890"})
    assert response.status_code == 200, response.text
    assert response.json() == []
    assert _headers(response) == ("2", "1234567890", "100")
