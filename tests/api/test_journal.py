"""The request journal: what the emulator received on its public routes."""

from __future__ import annotations

import httpx
import pytest
from support.apps import app_from_yaml, client_for

from emulator.journal import JOURNAL_LIMIT
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

VIRTUAL = """
clock: {mode: virtual, start: "2030-06-01T12:00:00Z"}
orgs:
  - {id: org_j, api_keys: [key_j]}
"""


async def test_entries_name_the_real_org_its_clock_status_and_body(clock: VirtualClock) -> None:
    app = app_from_yaml(VIRTUAL, clock)
    async with client_for(app, "key_j") as http:
        await http.post("/orgs/c/broadcasts", json={"name": "x" * 300})
        await http.get("/orgs/c/broadcasts", params={"take": "2"})
        await http.get("/_emulator/health")
        entries = (await http.get("/_emulator/requests")).json()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/orgs/c/broadcasts", 200), ("POST", "/orgs/c/broadcasts", 400)]
    assert {e["org_id"] for e in entries} == {"org_j"}
    assert {e["at"] for e in entries} == {"2030-06-01T12:00:00.000Z"}
    assert entries[0]["query"] == "take=2"
    assert entries[1]["body"] == '{"name":"' + "x" * 300 + '"}'


async def test_filters_limit_and_clearing(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await client.get("/orgs/c/broadcasts")
    await client.get("/orgs/c/broadcasts", headers={"Authorization": "Bearer wrong"})
    await client.post("/orgs/c/broadcasts/bc_otp/send", json={"contact_id": "ct_ada"})

    async def listed(**params: str) -> list[dict[str, object]]:
        response = await client.get("/_emulator/requests", params=params)
        assert response.status_code == 200, response.text
        result: list[dict[str, object]] = response.json()
        return result

    assert len(await listed(method="get")) == 4
    assert [e["status"] for e in await listed(status="401")] == [401]
    assert [e["path"] for e in await listed(path="*/send")] == ["/orgs/c/broadcasts/bc_otp/send"]
    assert len(await listed(org_id="org_acme")) == 4  # the 401 never reached an org
    assert len(await listed(limit="2")) == 2
    assert (await client.get("/_emulator/requests", params={"status": "²"})).status_code == 400
    cleared = await client.delete("/_emulator/requests")
    assert cleared.json() == {"cleared": 5}
    assert await listed() == []


async def test_the_journal_is_bounded(client: httpx.AsyncClient) -> None:
    for _ in range(JOURNAL_LIMIT + 5):
        await client.get("/orgs/c/broadcasts/nope/recipients")
    entries = (await client.get("/_emulator/requests", params={"limit": "10000"})).json()
    assert len(entries) == JOURNAL_LIMIT
