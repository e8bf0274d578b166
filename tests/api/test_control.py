"""The emulator's own control surface under /_emulator (no API key): health, reset, the
transactional lifecycle and template editing (invent-api.md §1, §3)."""

from __future__ import annotations

import httpx
import pytest
from support.api import (
    BROADCAST_KEYS,
    TEMPLATE_KEYS,
    assert_error,
    contacts,
    counters,
    list_all_broadcasts,
    parse_ts,
    recipients,
    send,
)
from support.apps import app_from_yaml, client_for
from support.scenarios import TWO_ORGS
from support.wire import START

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

CONTROL = "/_emulator/orgs/org_acme/broadcasts"


async def _new_transactional(client: httpx.AsyncClient, name: str = "Welcome") -> str:
    response = await client.post("/orgs/c/broadcasts", json={"name": name, "type": "TRANSACTIONAL"})
    assert response.status_code == 200, response.text
    broadcast_id: str = response.json()["id"]
    return broadcast_id


async def _act(anon: httpx.AsyncClient, broadcast_id: str, action: str) -> httpx.Response:
    return await anon.post(f"{CONTROL}/{broadcast_id}/{action}")


async def test_health_needs_no_key(anon: httpx.AsyncClient) -> None:
    response = await anon.get("/_emulator/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_control_ignores_a_bad_key(anon: httpx.AsyncClient) -> None:
    response = await anon.get("/_emulator/health", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 200


async def test_control_routing_errors_use_the_envelope(anon: httpx.AsyncClient) -> None:
    assert_error(await anon.get("/_emulator/nope"), 404)
    response = await anon.get("/_emulator/reset")
    assert_error(response, 405)
    assert "POST" in response.headers["allow"]


async def test_reset_restores_the_scenario(client: httpx.AsyncClient,
                                           anon: httpx.AsyncClient) -> None:
    pristine = await list_all_broadcasts(client)
    await client.post("/orgs/c/broadcasts", json={"name": "temporary"})
    await send(client, "bc_otp", {"contact_id": "ct_ada"})
    created = await send(client, "bc_otp", {"email": "newcomer@example.test"})
    new_contact = created[0]["contact"]["id"]
    assert len(await list_all_broadcasts(client)) == 3
    assert new_contact in {c["id"] for c in await contacts(client)}

    response = await anon.post("/_emulator/reset")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"

    assert await list_all_broadcasts(client) == pristine
    after = await counters(client, "bc_otp")
    assert after["recipients_count"] == 0 and after["contacts_count"] == 0
    assert after["templates"] == {"tpl_otp_email": 0, "tpl_otp_wa": 0}
    assert await recipients(client, "bc_otp") == []
    assert_error(await client.post("/orgs/c/broadcasts/bc_otp/send",
                                   json={"contact_id": new_contact}), 404)
    assert new_contact not in {c["id"] for c in await contacts(client)}
    assert len(await contacts(client)) == 5


async def test_reset_with_an_empty_object_body(client: httpx.AsyncClient,
                                               anon: httpx.AsyncClient) -> None:
    await client.post("/orgs/c/broadcasts", json={"name": "temporary"})
    response = await anon.post("/_emulator/reset", json={})
    assert response.status_code == 200, response.text
    assert len(await list_all_broadcasts(client)) == 2


async def test_reset_restores_lifecycle_changes(client: httpx.AsyncClient,
                                                anon: httpx.AsyncClient) -> None:
    assert (await _act(anon, "bc_otp", "pause")).status_code == 200
    await anon.post("/_emulator/reset")
    assert len(await send(client, "bc_otp", {"contact_id": "ct_ada"})) == 2


async def test_reset_clears_the_send_rate_limit(client: httpx.AsyncClient,
                                                anon: httpx.AsyncClient) -> None:
    body = {"contact_id": "ct_ada", "template_ids": ["tpl_otp_wa"]}
    for _ in range(100):
        assert (await client.post("/orgs/c/broadcasts/bc_otp/send", json=body)).status_code == 200
    assert_error(await client.post("/orgs/c/broadcasts/bc_otp/send", json=body), 429)
    await anon.post("/_emulator/reset")
    assert (await client.post("/orgs/c/broadcasts/bc_otp/send", json=body)).status_code == 200


async def test_reset_one_org_leaves_the_others(clock: VirtualClock) -> None:
    app = app_from_yaml("rate_limits:\n  send: {requests: 1, per_seconds: 60}\n" + TWO_ORGS,
                        clock)
    async with (client_for(app, "key_a") as a, client_for(app, "key_b") as b,
                client_for(app, None) as anon):
        made_a = (await a.post("/orgs/c/broadcasts", json={"name": "a-only"})).json()["id"]
        made_b = (await b.post("/orgs/c/broadcasts", json={"name": "b-only"})).json()["id"]
        await send(a, "bc_a", {"contact_id": "ct_a"})
        await send(b, "bc_b", {"contact_id": "ct_b"})

        response = await anon.post("/_emulator/reset", json={"org_id": "org_a"})
        assert response.status_code == 200, response.text
        assert response.json()["org_id"] == "org_a"

        assert [x["id"] for x in await list_all_broadcasts(a)] == ["bc_a"]
        assert (await counters(a, "bc_a"))["recipients_count"] == 0
        assert made_a not in [x["id"] for x in await list_all_broadcasts(a)]
        assert made_b in [x["id"] for x in await list_all_broadcasts(b)]
        assert (await counters(b, "bc_b"))["recipients_count"] == 1
        # Org A's send window was cleared, org B's was not.
        await send(a, "bc_a", {"contact_id": "ct_a"})
        assert_error(await b.post("/orgs/c/broadcasts/bc_b/send", json={"contact_id": "ct_b"}),
                     429)


async def test_reset_unknown_org_is_404(anon: httpx.AsyncClient) -> None:
    assert_error(await anon.post("/_emulator/reset", json={"org_id": "org_nope"}), 404)


@pytest.mark.parametrize(("body", "field"), [({"org_id": 5}, "org_id"), ({"org": "x"}, "org"),
                                              ({"org_id": ""}, "org_id")])
async def test_reset_bad_body_is_400(anon: httpx.AsyncClient, body: dict[str, object],
                                     field: str) -> None:
    assert_error(await anon.post("/_emulator/reset", json=body), 400, field)


async def test_full_transactional_lifecycle(client: httpx.AsyncClient,
                                            anon: httpx.AsyncClient,
                                            clock: VirtualClock) -> None:
    broadcast_id = await _new_transactional(client)

    no_template = await _act(anon, broadcast_id, "activate")
    assert "template" in assert_error(no_template, 400)["message"]
    for wrong in ("pause", "resume"):
        assert_error(await _act(anon, broadcast_id, wrong), 400)

    added = await anon.post(f"{CONTROL}/{broadcast_id}/templates", json={
        "integration_id": "gmail", "config": {"subject": "Hi", "body": "Welcome {{first_name}}"}})
    assert added.status_code == 200, added.text
    template = added.json()
    assert set(template) == TEMPLATE_KEYS
    assert template["broadcast_id"] == broadcast_id
    assert template["integration_id"] == "gmail"
    assert template["recipients_count"] == 0
    assert template["config"] == {"subject": "Hi", "body": "Welcome {{first_name}}"}

    clock.advance(5)
    activated = await _act(anon, broadcast_id, "activate")
    assert activated.status_code == 200, activated.text
    body = activated.json()
    assert set(body) == BROADCAST_KEYS
    assert body["id"] == broadcast_id and body["status"] == "ACTIVE"
    assert parse_ts(body["started_at"]) == START.replace(second=5)
    assert [t["id"] for t in body["templates"]] == [template["id"]]
    for wrong in ("activate", "resume"):
        assert_error(await _act(anon, broadcast_id, wrong), 400)

    rows = await send(client, broadcast_id, {"contact_id": "ct_ada"})
    assert [(r["template_id"], r["email"]) for r in rows] == [(template["id"],
                                                               "ada@example.com")]

    paused = await _act(anon, broadcast_id, "pause")
    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "PAUSED"
    assert set(paused.json()) == BROADCAST_KEYS
    assert_error(await client.post(f"/orgs/c/broadcasts/{broadcast_id}/send",
                                   json={"contact_id": "ct_ada"}), 400)
    for wrong in ("pause", "activate"):
        assert_error(await _act(anon, broadcast_id, wrong), 400)

    resumed = await _act(anon, broadcast_id, "resume")
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "ACTIVE"
    # Resuming keeps the first activation time and the counters.
    assert parse_ts(resumed.json()["started_at"]) == START.replace(second=5)
    assert resumed.json()["recipients_count"] == 1
    assert len(await send(client, broadcast_id, {"contact_id": "ct_ada"})) == 1

    listed = await client.get("/orgs/c/broadcasts", params={"status": "ACTIVE"})
    assert broadcast_id in [b["id"] for b in listed.json()]


async def test_templates_added_while_paused_fire_after_resume(client: httpx.AsyncClient,
                                                              anon: httpx.AsyncClient) -> None:
    assert (await _act(anon, "bc_otp", "pause")).status_code == 200
    added = await anon.post(f"{CONTROL}/bc_otp/templates",
                            json={"id": "tpl_otp_sms", "integration_id": "twilio",
                                  "config": {"body": "{{otp}}"}})
    assert added.status_code == 200, added.text
    assert added.json()["id"] == "tpl_otp_sms"
    assert added.json()["config"] == {"body": "{{otp}}"}
    assert (await _act(anon, "bc_otp", "resume")).status_code == 200
    rows = await send(client, "bc_otp", {"contact_id": "ct_ada"})
    assert [r["template_id"] for r in rows] == ["tpl_otp_email", "tpl_otp_wa", "tpl_otp_sms"]
    assert rows[2]["phone"] == "+15550100001"


async def test_no_template_added_to_an_active_broadcast(client: httpx.AsyncClient,
                                                        anon: httpx.AsyncClient) -> None:
    response = await anon.post(f"{CONTROL}/bc_otp/templates", json={"integration_id": "gmail"})
    assert_error(response, 400)
    otp = await counters(client, "bc_otp")
    assert set(otp["templates"]) == {"tpl_otp_email", "tpl_otp_wa"}


@pytest.mark.parametrize(("body", "field"), [
    ({}, "integration_id"),
    ({"integration_id": "fax"}, "integration_id"),
    ({"integration_id": "gmail", "config": "text"}, "config"),
    ({"integration_id": "gmail", "colour": "red"}, "colour"),
    ({"integration_id": "gmail", "id": "tpl_otp_wa"}, "id"),
])
async def test_bad_template_is_400_naming_the_field(client: httpx.AsyncClient,
                                                    anon: httpx.AsyncClient,
                                                    body: dict[str, object], field: str) -> None:
    broadcast_id = await _new_transactional(client)
    response = await anon.post(f"{CONTROL}/{broadcast_id}/templates", json=body)
    assert_error(response, 400, field)
    assert (await counters(client, broadcast_id))["templates"] == {}


@pytest.mark.parametrize("action", ["activate", "pause", "resume"])
async def test_marketing_broadcasts_have_no_lifecycle_actions(client: httpx.AsyncClient,
                                                              anon: httpx.AsyncClient,
                                                              action: str) -> None:
    error = assert_error(await _act(anon, "bc_spring", action), 400)
    assert "marketing" in error["message"]
    spring = next(b for b in await list_all_broadcasts(client) if b["id"] == "bc_spring")
    assert spring["status"] == "DRAFT"


@pytest.mark.parametrize("action", ["activate", "pause", "resume", "templates"])
async def test_unknown_broadcast_or_org_is_404(anon: httpx.AsyncClient, action: str) -> None:
    body = {"integration_id": "gmail"}
    assert_error(await anon.post(f"{CONTROL}/bc_nope/{action}", json=body), 404)
    assert_error(await anon.post(f"/_emulator/orgs/org_nope/broadcasts/bc_otp/{action}",
                                 json=body), 404)


INCOMPLETE = [
    ("gmail", {}, ["subject", "body"]),
    ("gmail", {"subject": "Hi"}, ["body"]),
    ("gmail", {"subject": "  ", "body": "Hello"}, ["subject"]),
    ("gmail", {"subject": "Hi", "body": 5}, ["body"]),
    ("twilio", {"subject": "Hi"}, ["body"]),
    ("whatsapp_bot", {"body": ""}, ["body"]),
]


@pytest.mark.parametrize(("integration", "config", "missing"), INCOMPLETE)
async def test_activation_needs_every_template_complete(
        client: httpx.AsyncClient, anon: httpx.AsyncClient, integration: str,
        config: dict[str, object], missing: list[str]) -> None:
    broadcast_id = await _new_transactional(client)
    complete = await anon.post(f"{CONTROL}/{broadcast_id}/templates", json={
        "integration_id": "twilio", "config": {"body": "Your code is {{otp}}"}})
    assert complete.status_code == 200, complete.text
    added = await anon.post(f"{CONTROL}/{broadcast_id}/templates",
                            json={"integration_id": integration, "config": config})
    assert added.status_code == 200, added.text

    refused = assert_error(await _act(anon, broadcast_id, "activate"), 400)
    assert added.json()["id"] in refused["message"], refused
    assert all(f"no {key}" in refused["message"] for key in missing), refused
    listed = await client.get("/orgs/c/broadcasts", params={"status": "DRAFT"})
    assert broadcast_id in [b["id"] for b in listed.json()]
    assert_error(await client.post(f"/orgs/c/broadcasts/{broadcast_id}/send",
                                   json={"contact_id": "ct_ada"}), 400)


async def test_resume_needs_a_template_added_while_paused_complete(
        client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    broadcast_id = await _new_transactional(client)
    await anon.post(f"{CONTROL}/{broadcast_id}/templates",
                    json={"integration_id": "gmail", "config": {"subject": "S", "body": "B"}})
    assert (await _act(anon, broadcast_id, "activate")).status_code == 200
    assert (await _act(anon, broadcast_id, "pause")).status_code == 200
    await anon.post(f"{CONTROL}/{broadcast_id}/templates",
                    json={"integration_id": "telnyx", "config": {}})

    refused = assert_error(await _act(anon, broadcast_id, "resume"), 400)
    assert "no body" in refused["message"]
    listed = await client.get("/orgs/c/broadcasts", params={"status": "PAUSED"})
    assert broadcast_id in [b["id"] for b in listed.json()]
