"""Rate limits (invent-api.md §1, seed 001): 100 sends per 60 s per org by default, configurable
per scenario; the general per-key limit is off unless a scenario sets it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx
import pytest
from starlette.applications import Starlette
from support.api import assert_error, counters, send
from support.apps import app_from_yaml, client_for
from support.scenarios import TWO_ORGS
from support.wire import VIRTUAL

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

SEND = "/orgs/c/broadcasts/bc_otp/send"
ADA: dict[str, object] = {"contact_id": "ct_ada", "template_ids": ["tpl_otp_wa"]}


def _retry_after(response: httpx.Response) -> int:
    raw = response.headers["retry-after"]
    assert raw.isdigit(), raw
    return int(raw)


async def _burn(http: httpx.AsyncClient, path: str, body: Mapping[str, object],
                count: int) -> None:
    for index in range(count):
        response = await http.post(path, json=body)
        assert response.status_code == 200, (index, response.text)


async def test_the_101st_send_in_a_minute_is_429(client: httpx.AsyncClient) -> None:
    await _burn(client, SEND, ADA, 100)
    response = await client.post(SEND, json=ADA)
    assert_error(response, 429)
    assert 1 <= _retry_after(response) <= 60
    # The refused send left nothing behind.
    after = await counters(client, "bc_otp")
    assert after["recipients_count"] == 100
    assert after["templates"]["tpl_otp_wa"] == 100


async def test_sends_work_again_after_the_window(client: httpx.AsyncClient,
                                                 clock: VirtualClock) -> None:
    await _burn(client, SEND, ADA, 100)
    assert_error(await client.post(SEND, json=ADA), 429)
    clock.advance(60)
    await _burn(client, SEND, ADA, 100)
    assert_error(await client.post(SEND, json=ADA), 429)


async def test_the_window_slides_and_retry_after_says_when(client: httpx.AsyncClient,
                                                           clock: VirtualClock) -> None:
    await _burn(client, SEND, ADA, 60)
    clock.advance(40)
    await _burn(client, SEND, ADA, 40)
    clock.advance(19)
    early = await client.post(SEND, json=ADA)
    assert_error(early, 429)
    assert _retry_after(early) == 1
    clock.advance(1)
    # The first sixty left the window; the forty from t=40 are still in it.
    await _burn(client, SEND, ADA, 60)
    late = await client.post(SEND, json=ADA)
    assert_error(late, 429)
    assert _retry_after(late) == 40


async def test_the_limit_does_not_touch_other_endpoints(client: httpx.AsyncClient) -> None:
    await _burn(client, SEND, ADA, 100)
    assert_error(await client.post(SEND, json=ADA), 429)
    assert (await client.get("/orgs/c/broadcasts")).status_code == 200
    assert (await client.get("/orgs/c/broadcasts/bc_otp/recipients")).status_code == 200
    assert (await client.post("/orgs/c/broadcasts", json={"name": "x"})).status_code == 200


async def test_another_org_is_not_affected(clock: VirtualClock) -> None:
    app = app_from_yaml(TWO_ORGS, clock)
    async with client_for(app, "key_a") as a, client_for(app, "key_b") as b:
        await _burn(a, "/orgs/c/broadcasts/bc_a/send", {"contact_id": "ct_a"}, 100)
        assert_error(await a.post("/orgs/c/broadcasts/bc_a/send", json={"contact_id": "ct_a"}),
                     429)
        rows = await send(b, "bc_b", {"contact_id": "ct_b"})
        assert len(rows) == 1


async def test_a_scenario_sets_the_send_limit(clock: VirtualClock) -> None:
    app = app_from_yaml("rate_limits:\n  send: {requests: 2, per_seconds: 10}\n" + TWO_ORGS,
                        clock)
    async with client_for(app, "key_a") as a:
        path, body = "/orgs/c/broadcasts/bc_a/send", {"contact_id": "ct_a"}
        await _burn(a, path, body, 2)
        third = await a.post(path, json=body)
        assert_error(third, 429)
        assert 1 <= _retry_after(third) <= 10
        assert "2" in third.json()["message"]
        clock.advance(10)
        await _burn(a, path, body, 2)
        assert_error(await a.post(path, json=body), 429)


async def test_a_null_send_limit_disables_it(clock: VirtualClock) -> None:
    app = app_from_yaml("rate_limits:\n  send: null\n" + TWO_ORGS, clock)
    async with client_for(app, "key_a") as a:
        await _burn(a, "/orgs/c/broadcasts/bc_a/send", {"contact_id": "ct_a"}, 150)


async def test_the_general_limit_is_off_by_default(client: httpx.AsyncClient) -> None:
    for index in range(600):
        response = await client.get("/orgs/c/broadcasts", params={"take": 1})
        assert response.status_code == 200, (index, response.text)


async def test_a_scenario_sets_a_general_limit_per_api_key(clock: VirtualClock) -> None:
    app = app_from_yaml("rate_limits:\n  general: {requests: 3, per_seconds: 60}\n" + TWO_ORGS,
                        clock)
    async with client_for(app, "key_a") as a, client_for(app, "key_b") as b:
        assert (await a.get("/orgs/c/broadcasts")).status_code == 200
        assert (await a.get("/orgs/c/broadcasts/bc_a/recipients")).status_code == 200
        assert (await a.post("/orgs/c/broadcasts/bc_a/send",
                             json={"contact_id": "ct_a"})).status_code == 200
        limited = await a.get("/orgs/c/broadcasts")
        assert_error(limited, 429)
        assert 1 <= _retry_after(limited) <= 60
        assert_error(await a.post("/orgs/c/broadcasts", json={"name": "x"}), 429)
        # Another key is counted on its own.
        for _ in range(3):
            assert (await b.get("/orgs/c/broadcasts")).status_code == 200
        assert_error(await b.get("/orgs/c/broadcasts"), 429)
        clock.advance(60)
        assert (await a.get("/orgs/c/broadcasts")).status_code == 200


async def test_the_control_surface_is_not_rate_limited(clock: VirtualClock) -> None:
    app = app_from_yaml("rate_limits:\n  general: {requests: 1, per_seconds: 60}\n" + TWO_ORGS,
                        clock)
    async with client_for(app, None) as anon:
        for _ in range(5):
            assert (await anon.get("/_emulator/health")).status_code == 200


async def test_concurrent_sends_get_exactly_100_through(app: Starlette) -> None:
    async with client_for(app, "test_key_acme") as http:
        responses = await asyncio.gather(*(http.post(SEND, json=ADA) for _ in range(150)))
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) == 100
        assert statuses.count(429) == 50
        for response in responses:
            if response.status_code == 429:
                assert_error(response, 429)
                assert _retry_after(response) >= 1
        after = await counters(http, "bc_otp")
        assert after["recipients_count"] == 100


async def test_resetting_an_org_forgets_its_general_rate_limit(clock: VirtualClock) -> None:
    text = VIRTUAL + "\n" + ("rate_limits: {general: {requests: 3, per_seconds: 60}}\n"
                      "orgs:\n  - {id: org_g, api_keys: [key_g]}\n")
    async with client_for(app_from_yaml(text, clock), "key_g") as http:
        await http.post("/_emulator/clock/advance", json={"seconds": 3600})
        for _ in range(3):
            assert (await http.get("/orgs/c/broadcasts")).status_code == 200
        assert (await http.get("/orgs/c/broadcasts")).status_code == 429
        await http.post("/_emulator/reset", json={"org_id": "org_g"})
        assert (await http.get("/orgs/c/broadcasts")).status_code == 200
