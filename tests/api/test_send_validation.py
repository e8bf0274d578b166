"""What the send endpoint refuses, and that a refused send leaves nothing behind (seeds 000/001,
invent-api.md §3 Send)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.api import BROADCAST_KEYS, assert_error, contacts, counters, recipients, send
from support.apps import app_from_yaml, client_for

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

SEND = "/orgs/c/broadcasts/bc_otp/send"
DEFAULT_CONTACTS = {"ct_ada", "ct_grace", "ct_bob", "ct_mallory", "ct_oscar"}


async def _nothing_happened(client: httpx.AsyncClient) -> None:
    assert await recipients(client, "bc_otp") == []
    after = await counters(client, "bc_otp")
    assert after["recipients_count"] == 0 and after["contacts_count"] == 0
    assert after["sent_count"] == 0 and after["skipped_count"] == 0
    assert after["templates"] == {"tpl_otp_email": 0, "tpl_otp_wa": 0}
    assert {c["id"] for c in await contacts(client)} == DEFAULT_CONTACTS


@pytest.mark.parametrize("body", [
    {},
    {"variables": {"otp": "1"}},
    {"template_ids": ["tpl_otp_email"]},
    {"background": True},
    {"name": "Ada Lovelace"},
    {"name": "Ada Lovelace", "variables": {"otp": "1"}},
])
async def test_no_identifier_is_400(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    body_ = assert_error(await client.post(SEND, json=body), 400)
    assert "identifier" in body_["message"] or "contact_id" in body_["message"]
    await _nothing_happened(client)


@pytest.mark.parametrize(("body", "field"), [
    ({"contact_id": 5}, "contact_id"),
    ({"contact_id": None, "contact_channel_id": ["x"]}, "contact_channel_id"),
    ({"contact_id": "ct_ada", "background": "yes"}, "background"),
    ({"contact_id": "ct_ada", "background": 1}, "background"),
    ({"contact_id": "ct_ada", "template_ids": "tpl_otp_wa"}, "template_ids"),
    ({"contact_id": "ct_ada", "template_ids": [1]}, "template_ids[0]"),
    ({"contact_id": "ct_ada", "variables": "otp=1"}, "variables"),
    ({"contact_id": "ct_ada", "variables": ["otp"]}, "variables"),
    ({"contact_id": "ct_ada", "variables": 5}, "variables"),
    ({"contact_id": "ct_ada", "variables": None, "vars": {}}, "vars"),
    ({"phone": 15550100001}, "phone"),
    ({"email": ["ada@example.com"]}, "email"),
    ({"contact_id": "ct_ada", "name": 7}, "name"),
    ({"contact_id": "ct_ada", "vars": {}}, "vars"),
    ({"contact_id": "ct_ada", "contact": "ct_ada"}, "contact"),
])
async def test_bad_fields_are_400_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    assert_error(await client.post(SEND, json=body), 400, field)
    await _nothing_happened(client)


async def test_a_nul_deep_inside_variables_is_400_naming_the_path(
    client: httpx.AsyncClient
) -> None:
    body = assert_error(await client.post(SEND, json={
        "contact_id": "ct_ada", "variables": {"otp": "1", "order": {"lines": ["ok", "n\x00"]}}}),
        400, "variables")
    assert "order.lines[1]" in body["message"]
    await _nothing_happened(client)


async def test_foreign_template_id_is_400_naming_its_index(client: httpx.AsyncClient) -> None:
    response = await client.post(SEND, json={"contact_id": "ct_ada",
                                             "template_ids": ["tpl_otp_wa", "tpl_spring"]})
    body = assert_error(response, 400, "template_ids[1]")
    assert "tpl_spring" in body["message"]
    response = await client.post(SEND, json={"contact_id": "ct_ada", "template_ids": ["tpl_no"]})
    assert_error(response, 400, "template_ids[0]")
    await _nothing_happened(client)


async def test_empty_template_ids_is_400(client: httpx.AsyncClient) -> None:
    assert_error(await client.post(SEND, json={"contact_id": "ct_ada", "template_ids": []}),
                 400, "template_ids")
    await _nothing_happened(client)


async def test_refused_send_creates_no_contact(client: httpx.AsyncClient) -> None:
    response = await client.post(SEND, json={"email": "fresh@example.test",
                                             "phone": "+15550104444",
                                             "template_ids": ["tpl_spring"]})
    assert_error(response, 400, "template_ids[0]")
    await _nothing_happened(client)
    # Had the refused send created a contact, the phone would now find it with its email.
    rows = await send(client, "bc_otp", {"phone": "+15550104444"})
    channels = rows[0]["contact"]["channels"]
    assert [(c["email"], c["phone"]) for c in channels] == [(None, "+15550104444")]


@pytest.mark.parametrize(("body", "word"), [
    ({"contact_id": "ct_mallory"}, "blocked"),
    ({"email": "MALLORY@example.com"}, "blocked"),
    ({"email": "mallory@example.com", "phone": "+15550105555"}, "blocked"),
    ({"contact_id": "ct_oscar"}, "unsubscribed"),
    ({"email": "oscar@example.com", "variables": {"otp": "1"}}, "unsubscribed"),
    ({"contact_id": "ct_oscar", "email": "fine@example.test", "background": True},
     "unsubscribed"),
])
async def test_blocked_or_unsubscribed_is_refused_and_nothing_sent(
    client: httpx.AsyncClient, body: dict[str, Any], word: str
) -> None:
    response = await client.post(SEND, json=body)
    error = assert_error(response, 400)
    assert word in error["message"]
    await _nothing_happened(client)


BLOCKED_CHANNELS = """
orgs:
  - id: org_bl
    api_keys: [key_bl]
    contacts:
      - id: ct_blocked
        blocked: true
        channels: [{id: ch_blocked, type: whatsapp_bot, phone: "+15550102001"}]
      - id: ct_gone
        unsubscribed: true
        channels: [{id: ch_gone, type: telegram_bot, user_id: tg-gone}]
    broadcasts:
      - id: bc_t
        name: t
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{id: tpl_t, integration_id: whatsapp_bot}]
"""


@pytest.mark.parametrize(("channel", "word"), [("ch_blocked", "blocked"),
                                                ("ch_gone", "unsubscribed")])
async def test_tier_one_channel_of_a_refused_contact_is_refused(
    clock: VirtualClock, channel: str, word: str
) -> None:
    async with client_for(app_from_yaml(BLOCKED_CHANNELS, clock), "key_bl") as http:
        error = assert_error(await http.post("/orgs/c/broadcasts/bc_t/send",
                                             json={"contact_channel_id": channel}), 400)
        assert word in error["message"]
        assert await recipients(http, "bc_t") == []
        assert (await counters(http, "bc_t"))["recipients_count"] == 0


async def test_blocking_or_unsubscribing_through_the_api_stops_sends(
    client: httpx.AsyncClient
) -> None:
    for change, word in (({"blocked": True}, "blocked"), ({"unsubscribed": True},
                                                          "unsubscribed")):
        patched = await client.patch("/orgs/c/contacts/ct_grace", json=change)
        assert patched.status_code == 200, patched.text
        error = assert_error(await client.post(SEND, json={"contact_id": "ct_grace"}), 400)
        assert word in error["message"]
        await _nothing_happened(client)
        undo = {key: False for key in change}
        assert (await client.patch("/orgs/c/contacts/ct_grace", json=undo)).status_code == 200
    rows = await send(client, "bc_otp", {"email": "grace@example.com"})
    assert {r["contact"]["id"] for r in rows} == {"ct_grace"}


async def test_draft_transactional_broadcast_is_refused(client: httpx.AsyncClient) -> None:
    created = (await client.post("/orgs/c/broadcasts",
                                 json={"name": "t", "type": "TRANSACTIONAL"})).json()
    response = await client.post(f"/orgs/c/broadcasts/{created['id']}/send",
                                 json={"contact_id": "ct_ada"})
    error = assert_error(response, 400)
    assert "DRAFT" in error["message"]


async def test_paused_broadcast_is_refused(client: httpx.AsyncClient,
                                           anon: httpx.AsyncClient) -> None:
    paused = await anon.post("/_emulator/orgs/org_acme/broadcasts/bc_otp/pause")
    assert paused.status_code == 200, paused.text
    error = assert_error(await client.post(SEND, json={"contact_id": "ct_ada"}), 400)
    assert "PAUSED" in error["message"]
    await _nothing_happened(client)
    resumed = await anon.post("/_emulator/orgs/org_acme/broadcasts/bc_otp/resume")
    assert resumed.status_code == 200, resumed.text
    assert len(await send(client, "bc_otp", {"contact_id": "ct_ada"})) == 2


async def test_marketing_send_answers_the_broadcast_not_rows(client: httpx.AsyncClient) -> None:
    # invent-api.md: a marketing send needs no body and answers the broadcast object.
    response = await client.post("/orgs/c/broadcasts/bc_spring/send")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == BROADCAST_KEYS
    assert body["id"] == "bc_spring" and body["status"] in ("SENDING", "SENT")


async def test_marketing_broadcast_not_sendable_from_its_status_is_400(
    client: httpx.AsyncClient
) -> None:
    assert (await client.post("/orgs/c/broadcasts/bc_spring/send")).status_code == 200
    spring = await counters(client, "bc_spring")
    # Already sending or sent: a second send is refused and changes nothing.
    again = await client.post("/orgs/c/broadcasts/bc_spring/send")
    error = assert_error(again, 400)
    assert "DRAFT" in error["message"]
    assert await counters(client, "bc_spring") == spring


async def test_marketing_broadcast_without_template_is_400(client: httpx.AsyncClient) -> None:
    created = (await client.post("/orgs/c/broadcasts", json={"name": "empty"})).json()
    response = await client.post(f"/orgs/c/broadcasts/{created['id']}/send")
    assert "template" in assert_error(response, 400)["message"]
    listed = await client.get("/orgs/c/broadcasts", params={"status": "DRAFT"})
    assert created["id"] in [b["id"] for b in listed.json()]


async def test_unknown_broadcast_is_404(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/orgs/c/broadcasts/bc_nope/send",
                                   json={"contact_id": "ct_ada"}), 404)


@pytest.mark.parametrize("body", [{"contact_id": "ct_nope"}, {"contact_channel_id": "ch_nope"},
                                  {"contact_id": "ct_nope", "email": "ada@example.com"}])
async def test_unknown_contact_or_channel_is_404(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    assert_error(await client.post(SEND, json=body), 404)
    await _nothing_happened(client)


# --- string limits -------------------------------------------------------------------------------

EMAIL_DOMAIN = "@example.test"


@pytest.mark.parametrize("field", ["phone", "email", "name"])
async def test_256_characters_accepted(client: httpx.AsyncClient, field: str) -> None:
    value = {
        "phone": "+" + "1" * 255,
        "email": "a" * (256 - len(EMAIL_DOMAIN)) + EMAIL_DOMAIN,
        "name": "n" * 256,
    }[field]
    assert len(value) == 256
    body = {field: value} if field != "name" else {"contact_id": "ct_ada", "name": value}
    rows = await send(client, "bc_otp", body)
    assert rows and all(r[field] in (value, None) for r in rows)
    assert any(r[field] == value for r in rows)


@pytest.mark.parametrize("field", ["phone", "email", "name"])
async def test_257_characters_refused(client: httpx.AsyncClient, field: str) -> None:
    value = {
        "phone": "+" + "1" * 256,
        "email": "a" * (257 - len(EMAIL_DOMAIN)) + EMAIL_DOMAIN,
        "name": "n" * 257,
    }[field]
    body = {field: value} if field != "name" else {"contact_id": "ct_ada", "name": value}
    assert_error(await client.post(SEND, json=body), 400, field)
    await _nothing_happened(client)


async def test_name_limit_counts_code_points(client: httpx.AsyncClient) -> None:
    emoji = "\U0001f600"
    rows = await send(client, "bc_otp", {"contact_id": "ct_ada", "name": emoji * 256})
    assert all(r["name"] == emoji * 256 for r in rows)
    assert_error(await client.post(SEND, json={"contact_id": "ct_ada", "name": emoji * 257}),
                 400, "name")


@pytest.mark.parametrize("field", ["name", "email", "phone", "contact_id", "contact_channel_id"])
async def test_nul_in_a_string_is_400(client: httpx.AsyncClient, field: str) -> None:
    value = {"name": "A\x00da", "email": "ada\x00@example.com", "phone": "+1555\x000100001",
             "contact_id": "ct_\x00ada", "contact_channel_id": "ch\x00"}[field]
    body: dict[str, Any] = {field: value}
    if field == "name":
        body["contact_id"] = "ct_ada"
    assert_error(await client.post(SEND, json=body), 400, field)
    await _nothing_happened(client)


async def test_nul_in_template_ids_is_400(client: httpx.AsyncClient) -> None:
    assert_error(await client.post(SEND, json={"contact_id": "ct_ada",
                                               "template_ids": ["tpl\x00"]}),
                 400, "template_ids[0]")


@pytest.mark.parametrize("email", [
    "ada.example.com", "ada@", "@example.com", "a@b@c.test", "ada @example.com", "",
    "ada@example.com ", "ada@exa\tmple.com",
    "ada@example.com\n",
    "zed@example.test\n",
])
async def test_malformed_email_is_400(client: httpx.AsyncClient, email: str) -> None:
    assert_error(await client.post(SEND, json={"email": email}), 400, "email")
    await _nothing_happened(client)


# A phone is a raw string (seed 000): any text with a digit passes (test_send_identity.py).
@pytest.mark.parametrize("phone", ["call me", "", "+", " - ( ) "])
async def test_malformed_phone_is_400(client: httpx.AsyncClient, phone: str) -> None:
    assert_error(await client.post(SEND, json={"phone": phone}), 400, "phone")
    await _nothing_happened(client)


@pytest.mark.parametrize("email", ["x@example.test", "x@localhost", "first.last+tag@sub.invalid"])
async def test_test_addresses_are_accepted(client: httpx.AsyncClient, email: str) -> None:
    rows = await send(client, "bc_otp", {"email": email})
    gmail = next(r for r in rows if r["integration_id"] == "gmail")
    assert gmail["email"] == email
    assert gmail["is_sent"] is True
