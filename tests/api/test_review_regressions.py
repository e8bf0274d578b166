"""Regression tests for what the code reviews found: each was a 500, a half-applied change or a
leak between tests on a shared server."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from support.apps import app_from_yaml, client_for
from support.wire import START

from emulator.support.clock import VirtualClock

pytestmark = pytest.mark.anyio

VIRTUAL = 'clock: {mode: virtual, start: "2026-01-05T09:00:00Z"}\n'


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


async def test_resetting_an_org_forgets_its_general_rate_limit(clock: VirtualClock) -> None:
    text = VIRTUAL + ("rate_limits: {general: {requests: 3, per_seconds: 60}}\n"
                      "orgs:\n  - {id: org_g, api_keys: [key_g]}\n")
    async with client_for(app_from_yaml(text, clock), "key_g") as http:
        await http.post("/_emulator/clock/advance", json={"seconds": 3600})
        for _ in range(3):
            assert (await http.get("/orgs/c/broadcasts")).status_code == 200
        assert (await http.get("/orgs/c/broadcasts")).status_code == 429
        await http.post("/_emulator/reset", json={"org_id": "org_g"})
        assert (await http.get("/orgs/c/broadcasts")).status_code == 200


async def test_a_fault_with_a_status_http_does_not_name(clock: VirtualClock) -> None:
    text = "faults: [{respond: {status: 599}}]\norgs:\n  - {id: org_f, api_keys: [key_f]}\n"
    async with client_for(app_from_yaml(text, clock), "key_f") as http:
        response = await http.get("/orgs/c/broadcasts")
    assert response.status_code == 599
    assert response.json()["error"] == "Server Error"


async def test_a_lone_surrogate_in_a_scenario_is_refused(anon: httpx.AsyncClient) -> None:
    text = 'orgs:\n  - id: org_s\n    contacts: [{id: ct_s, properties: {x: "\\ud800"}}]\n'
    response = await anon.put("/_emulator/scenario", content=text)
    assert response.status_code == 400, response.text


async def test_cors_covers_the_public_api_and_not_the_control_surface(
        client: httpx.AsyncClient) -> None:
    origin = {"Origin": "http://frontend.test"}
    public = await client.get("/orgs/c/broadcasts", headers=origin)
    control = await client.get("/_emulator/health", headers=origin)
    assert public.headers["access-control-allow-origin"] == "*"
    assert "pagination-count" in public.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in control.headers


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


async def test_a_bounced_sms_suppresses_the_phone_not_the_email(clock: VirtualClock) -> None:
    text = VIRTUAL + """
orgs:
  - id: org_b
    api_keys: [key_b]
    contacts:
      - id: ct_ann
        channels: [{id: ch_ann, type: twilio, email: ann@corp.test, phone: "+15550100009"}]
    broadcasts:
      - id: bc_b
        name: B
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{id: tpl_sms, integration_id: twilio}, {id: tpl_mail, integration_id: gmail}]
outcomes:
  - {when: {phone: "+1555*"}, outcome: bounced}
"""
    async with client_for(app_from_yaml(text, clock), "key_b") as http:
        sent = await http.post("/orgs/c/broadcasts/bc_b/send", json={"contact_id": "ct_ann"})
        rows = {r["integration_id"]: r for r in sent.json()["recipients"]}
        suppressed = (await http.get("/_emulator/suppressions")).json()
    assert rows["twilio"]["is_bounced"] and not rows["gmail"]["is_bounced"]
    assert [s["address"] for s in suppressed] == ["+15550100009"]
