"""The control surface never leaves half a state behind: a scenario that cannot be built, a clock
start out of range or a stale key changes nothing, and orgs on one clock move once."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from support.apps import app_from_yaml, client_for
from support.wire import START

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio



async def test_a_scenario_that_cannot_be_built_leaves_the_running_one_alone(
        client: httpx.AsyncClient) -> None:
    for bad in ('outcomes: [{outcome: delivered, timing: {delivered_after: "999999999999h"}}]',
                "rate_limits: {send: {requests: 1, per_seconds: 1.0e+300}}",
                'clock: {mode: virtual, start: "0001-01-01T00:00:00+01:00"}'):
        refused = await client.put("/_emulator/scenario", content=bad)
        assert refused.status_code == 400, (bad, refused.text)
    assert (await client.get("/orgs/c/broadcasts")).status_code == 200  # the old key still works
    assert (await client.post("/_emulator/reset", json={})).status_code == 200


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:00Z"])
async def test_clock_starts_outside_the_supported_years_are_400(
        anon: httpx.AsyncClient, start: str) -> None:
    response = await anon.post("/_emulator/orgs",
                               json={"clock": {"mode": "virtual", "start": start}})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "clock.start"


async def test_orgs_sharing_an_injected_clock_move_once(clock: VirtualClock) -> None:
    text = "orgs:\n" + "".join(f"  - {{id: org_{n}, api_keys: [k{n}]}}\n" for n in range(3))
    app = app_from_yaml(text, clock)
    async with client_for(app, None) as http:
        moved = await http.post("/_emulator/clock/advance", json={"seconds": 60})
    assert moved.status_code == 200, moved.text
    assert clock.now() == START + timedelta(seconds=60)


async def test_a_lone_surrogate_in_a_scenario_is_refused(anon: httpx.AsyncClient) -> None:
    text = 'orgs:\n  - id: org_s\n    contacts: [{id: ct_s, properties: {x: "\\ud800"}}]\n'
    response = await anon.put("/_emulator/scenario", content=text)
    assert response.status_code == 400, response.text


async def test_a_scenario_sent_in_a_request_cannot_include_files(anon: httpx.AsyncClient) -> None:
    response = await anon.put("/_emulator/scenario", content="include: [/etc/hostname]\n")
    assert response.status_code == 400
    assert "cannot include files" in response.json()["message"]


async def test_org_ids_and_keys_are_never_issued_twice(anon: httpx.AsyncClient) -> None:
    first = (await anon.post("/_emulator/orgs", json={})).json()
    await anon.post("/_emulator/reset", json={})
    second = (await anon.post("/_emulator/orgs", json={})).json()
    assert (first["id"], first["api_key"]) != (second["id"], second["api_key"])
    stale = await anon.get("/orgs/c/broadcasts",
                           headers={"Authorization": f"Bearer {first['api_key']}"})
    assert stale.status_code == 401
