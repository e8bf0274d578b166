"""POST /orgs/{org_id}/broadcasts/{broadcast_id}/send on a transactional broadcast: recipient
tiers, channel inference, find-or-create, per-send overrides, template subsets, background sends
and counters (seeds 000 and 001, invent-api.md §3 Send)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from support.api import (
    RECIPIENT_KEYS,
    by_template,
    contacts,
    counters,
    parse_ts,
    recipients,
    send,
)
from support.apps import app_from_yaml, client_for
from support.scenarios import CHANNELS
from support.wire import START

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

ALL_TEMPLATES = ["t_gmail", "t_twilio", "t_telnyx", "t_wa", "t_tg", "t_slack"]
KNOWN_CONTACTS = {"ct_full", "ct_mail", "ct_phone", "ct_wa"}


@pytest.fixture
async def chan(clock: VirtualClock) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app_from_yaml(CHANNELS, clock), "key_s") as http:
        yield http


def _sent(row: dict[str, object]) -> bool:
    return row["is_sent"] is True and row["is_skipped"] is False


def _skipped(row: dict[str, object]) -> bool:
    return (row["is_skipped"] is True and row["is_sent"] is False
            and isinstance(row["error_message"], str) and bool(row["error_message"])
            and row["external_message_id"] is None and row["status"] == "PROCESSED")


# --- the answer ----------------------------------------------------------------------------------

async def test_answer_is_one_row_per_template_with_the_recipient_shape(
    client: httpx.AsyncClient
) -> None:
    rows = await send(client, "bc_otp", {"contact_id": "ct_ada", "variables": {"otp": "1"}})
    assert [r["template_id"] for r in rows] == ["tpl_otp_email", "tpl_otp_wa"]
    for row in rows:
        assert set(row) == RECIPIENT_KEYS
        assert row["broadcast_id"] == "bc_otp"
        assert row["broadcast_name"] == "One-time passcode"
        assert row["contact"]["id"] == "ct_ada"
        assert parse_ts(row["created_at"]) == START


async def test_foreground_rows_are_processed_and_delivered(client: httpx.AsyncClient) -> None:
    rows = await send(client, "bc_otp", {"contact_id": "ct_ada"})
    for row in rows:
        assert row["status"] == "PROCESSED"
        assert row["is_sent"] is True and row["is_delivered"] is True
        assert parse_ts(row["is_sent_at"]) == START
        assert parse_ts(row["is_delivered_at"]) == START
        assert isinstance(row["external_message_id"], str) and row["external_message_id"]
        assert row["is_skipped"] is False and row["is_failed"] is False
        assert row["error_message"] is None
    assert rows[0]["external_message_id"] != rows[1]["external_message_id"]


async def test_background_rows_come_back_sending_then_processed(
    client: httpx.AsyncClient
) -> None:
    rows = await send(client, "bc_otp", {"contact_id": "ct_ada", "background": True})
    assert len(rows) == 2
    for row in rows:
        assert row["status"] == "SENDING"
        assert row["external_message_id"] is None
        assert row["is_sent"] is False and row["is_delivered"] is False
    listed = {r["id"]: r for r in await recipients(client, "bc_otp")}
    assert set(listed) == {r["id"] for r in rows}
    for row in listed.values():
        assert row["status"] == "PROCESSED"
        assert row["is_delivered"] is True
        assert isinstance(row["external_message_id"], str) and row["external_message_id"]


async def test_background_rows_that_will_be_skipped_also_come_back_sending(
    client: httpx.AsyncClient
) -> None:
    rows = by_template(await send(client, "bc_otp", {"contact_id": "ct_grace",
                                                     "background": True}))
    assert [r["status"] for r in rows.values()] == ["SENDING", "SENDING"]
    listed = by_template(await recipients(client, "bc_otp"))
    assert _skipped(listed["tpl_otp_wa"])


async def test_background_false_is_the_default(client: httpx.AsyncClient) -> None:
    explicit = await send(client, "bc_otp", {"contact_id": "ct_ada", "background": False})
    assert all(r["status"] == "PROCESSED" and r["external_message_id"] for r in explicit)


async def test_background_counts_only_once_processed(client: httpx.AsyncClient) -> None:
    await send(client, "bc_otp", {"contact_id": "ct_ada", "background": True})
    after = await counters(client, "bc_otp")
    assert after["recipients_count"] == 2
    assert after["sent_count"] == 2 and after["delivered_count"] == 2


# --- identifying the recipient -------------------------------------------------------------------

async def test_contact_channel_id_beats_contact_id_and_email(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"contact_channel_id": "ch_wa", "contact_id": "ct_mail",
                                       "template_ids": ["t_wa"]})
    assert rows[0]["contact"]["id"] == "ct_wa"
    assert rows[0]["user_id"] == "+15550001003"
    rows = await send(chan, "bc_all", {"contact_channel_id": "ch_wa", "email": "full@example.test",
                                       "template_ids": ["t_wa"]})
    assert rows[0]["contact"]["id"] == "ct_wa"


async def test_contact_id_beats_email_and_phone(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"contact_id": "ct_mail", "email": "full@example.test",
                                       "phone": "+15550001002"})
    assert {r["contact"]["id"] for r in rows} == {"ct_mail"}


async def test_tier_one_channel_fires_every_template_on_that_channel(
    chan: httpx.AsyncClient
) -> None:
    rows = await send(chan, "bc_all", {"contact_channel_id": "ch_full_tg"})
    assert [r["template_id"] for r in rows] == ALL_TEMPLATES
    assert [r["integration_id"] for r in rows] == [
        "gmail", "twilio", "telnyx", "whatsapp_bot", "telegram_bot", "slack_bot"]
    for row in rows:
        assert _sent(row), row
        assert row["user_id"] == "tg-1001"
        assert row["username"] == "fullbot"
        assert row["contact"]["id"] == "ct_full"


async def test_contact_id_infers_the_channel_per_template(chan: httpx.AsyncClient) -> None:
    rows = by_template(await send(chan, "bc_all", {"contact_id": "ct_full"}))
    assert rows["t_gmail"]["email"] == "full@example.test"
    for template in ("t_twilio", "t_telnyx", "t_wa"):
        assert rows[template]["phone"] == "+15550001001", template
        assert _sent(rows[template])
    assert rows["t_tg"]["user_id"] == "tg-1001" and _sent(rows["t_tg"])
    assert _skipped(rows["t_slack"])
    assert "slack_bot" in rows["t_slack"]["error_message"]


async def test_gmail_needs_an_email(chan: httpx.AsyncClient) -> None:
    rows = by_template(await send(chan, "bc_all", {"contact_id": "ct_phone"}))
    assert _skipped(rows["t_gmail"])
    assert rows["t_gmail"]["email"] is None
    assert "email" in rows["t_gmail"]["error_message"]
    for template in ("t_twilio", "t_telnyx", "t_wa"):
        assert _sent(rows[template]) and rows[template]["phone"] == "+15550001002"


async def test_phone_integrations_need_a_phone(chan: httpx.AsyncClient) -> None:
    rows = by_template(await send(chan, "bc_all", {"contact_id": "ct_mail"}))
    assert _sent(rows["t_gmail"]) and rows["t_gmail"]["email"] == "mail@example.test"
    for template in ("t_twilio", "t_telnyx", "t_wa"):
        assert _skipped(rows[template]), template
        assert rows[template]["phone"] is None
        assert "phone" in rows[template]["error_message"]
    for template in ("t_tg", "t_slack"):
        assert _skipped(rows[template])


async def test_a_whatsapp_channel_serves_every_phone_integration(chan: httpx.AsyncClient) -> None:
    rows = by_template(await send(chan, "bc_all", {"contact_id": "ct_wa"}))
    for template in ("t_twilio", "t_telnyx", "t_wa"):
        assert _sent(rows[template]) and rows[template]["phone"] == "+15550001003"
    assert _skipped(rows["t_gmail"])
    assert _skipped(rows["t_tg"]) and "telegram_bot" in rows["t_tg"]["error_message"]


async def test_find_by_email_is_case_insensitive(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"email": "FULL@Example.TEST"})
    assert {r["contact"]["id"] for r in rows} == {"ct_full"}


@pytest.mark.parametrize("phone", ["+15550001002", "+1 555 000 1002", "+1 (555) 000-1002",
                                   "+1-555-000-1002"])
async def test_find_by_phone_ignores_spaces_dashes_parentheses(
    chan: httpx.AsyncClient, phone: str
) -> None:
    rows = await send(chan, "bc_all", {"phone": phone})
    assert {r["contact"]["id"] for r in rows} == {"ct_phone"}


async def test_when_email_and_phone_find_different_contacts_email_wins(
    chan: httpx.AsyncClient
) -> None:
    rows = await send(chan, "bc_all", {"email": "mail@example.test", "phone": "+15550001002"})
    assert {r["contact"]["id"] for r in rows} == {"ct_mail"}
    rows = await send(chan, "bc_all", {"phone": "+15550001002", "email": "MAIL@example.test"})
    assert {r["contact"]["id"] for r in rows} == {"ct_mail"}


async def test_unknown_email_creates_a_contact_reused_later(chan: httpx.AsyncClient) -> None:
    first = by_template(await send(chan, "bc_all", {"email": "newbie@example.test",
                                                    "phone": "+15550009999"}))
    contact = first["t_gmail"]["contact"]
    assert contact["id"] not in KNOWN_CONTACTS
    assert {(c["email"], c["phone"]) for c in contact["channels"]} == {
        ("newbie@example.test", None), (None, "+15550009999")}
    assert _sent(first["t_gmail"]) and first["t_gmail"]["email"] == "newbie@example.test"
    assert _sent(first["t_twilio"]) and first["t_twilio"]["phone"] == "+15550009999"
    # Found again by either address, channels and all.
    by_phone = by_template(await send(chan, "bc_all", {"phone": "+1 (555) 000-9999"}))
    assert by_phone["t_gmail"]["contact"]["id"] == contact["id"]
    assert by_phone["t_gmail"]["email"] == "newbie@example.test"
    assert _sent(by_phone["t_gmail"])
    by_email = await send(chan, "bc_all", {"email": "NEWBIE@example.test"})
    assert {r["contact"]["id"] for r in by_email} == {contact["id"]}
    # ...and by its id.
    by_id = await send(chan, "bc_all", {"contact_id": contact["id"], "template_ids": ["t_gmail"]})
    assert by_id[0]["email"] == "newbie@example.test"


async def test_created_contact_appears_in_the_recipients_list(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"phone": "+15550008888"})
    contact_id = rows[0]["contact"]["id"]
    listed = await recipients(chan, "bc_all", contact_id=contact_id)
    assert {r["id"] for r in listed} == {r["id"] for r in rows}
    assert [c["phone"] for c in listed[0]["contact"]["channels"]] == ["+15550008888"]
    stored = await contacts(chan)
    assert stored[0]["id"] == contact_id  # newest first
    assert {c["id"] for c in stored} == KNOWN_CONTACTS | {contact_id}


async def test_a_contact_created_through_the_api_is_found_by_send(chan: httpx.AsyncClient) -> None:
    made = await chan.post("/orgs/c/contacts", json={"channel": {"email": "api@example.test",
                                                                 "name": "Api Made"}})
    assert made.status_code == 200, made.text
    rows = await send(chan, "bc_all", {"email": "API@example.test", "template_ids": ["t_gmail"]})
    assert rows[0]["contact"]["id"] == made.json()["id"]
    assert rows[0]["name"] == "Api Made"


# --- per-send overrides ----------------------------------------------------------------------

async def test_overrides_change_the_row_but_not_the_contact(chan: httpx.AsyncClient) -> None:
    overridden = by_template(await send(chan, "bc_all", {
        "contact_id": "ct_full", "email": "other@example.test", "phone": "+15550007777",
        "name": "Someone Else"}))
    assert overridden["t_gmail"]["email"] == "other@example.test"
    for template in ("t_twilio", "t_telnyx", "t_wa"):
        assert overridden[template]["phone"] == "+15550007777"
    assert {r["name"] for r in overridden.values()} == {"Someone Else"}
    stored = overridden["t_gmail"]["contact"]
    assert stored["name"] == "Full Contact"
    assert {c["email"] for c in stored["channels"]} == {"full@example.test", None}
    assert {c["phone"] for c in stored["channels"]} == {"+15550001001", None}
    # A later send by contact_id uses the stored addresses and name again.
    later = by_template(await send(chan, "bc_all", {"contact_id": "ct_full"}))
    assert later["t_gmail"]["email"] == "full@example.test"
    assert later["t_twilio"]["phone"] == "+15550001001"
    assert later["t_gmail"]["name"] == "Full Contact"
    # The override address was not attached to anyone: it finds-or-creates a new contact.
    assert await contacts(chan, email="other@example.test") == []
    assert [c["id"] for c in await contacts(chan, email="full@example.test")] == ["ct_full"]
    other = await send(chan, "bc_all", {"email": "other@example.test"})
    assert other[0]["contact"]["id"] not in KNOWN_CONTACTS


async def test_overrides_apply_on_a_tier_one_channel(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"contact_channel_id": "ch_wa", "phone": "+15550006666",
                                       "name": "Temp", "template_ids": ["t_wa"]})
    assert rows[0]["phone"] == "+15550006666"
    assert rows[0]["name"] == "Temp"
    later = await send(chan, "bc_all", {"contact_channel_id": "ch_wa", "template_ids": ["t_wa"]})
    assert later[0]["phone"] == "+15550001003"
    assert later[0]["name"] == "WhatsApp Only"


async def test_email_override_reaches_a_contact_without_email(chan: httpx.AsyncClient) -> None:
    rows = by_template(await send(chan, "bc_all", {"contact_id": "ct_phone",
                                                   "email": "temp@example.test"}))
    assert _sent(rows["t_gmail"]) and rows["t_gmail"]["email"] == "temp@example.test"
    assert rows["t_gmail"]["contact"]["id"] == "ct_phone"
    assert all(c["email"] is None for c in rows["t_gmail"]["contact"]["channels"])


async def test_name_override_for_a_found_contact(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"email": "mail@example.test", "name": "Nick"})
    assert {r["name"] for r in rows} == {"Nick"}
    assert rows[0]["contact"]["name"] == "Mail Only"
    again = await send(chan, "bc_all", {"email": "mail@example.test"})
    assert {r["name"] for r in again} == {"Mail Only"}


# --- template subsets ----------------------------------------------------------------------------

async def test_template_ids_fire_only_those(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"contact_id": "ct_full",
                                       "template_ids": ["t_tg", "t_gmail"]})
    assert sorted(r["template_id"] for r in rows) == ["t_gmail", "t_tg"]
    assert all(_sent(r) for r in rows)
    after = await counters(chan, "bc_all")
    assert after["recipients_count"] == 2
    assert after["templates"] == {"t_gmail": 1, "t_twilio": 0, "t_telnyx": 0, "t_wa": 0,
                                  "t_tg": 1, "t_slack": 0}


async def test_repeated_template_id_fires_once(client: httpx.AsyncClient) -> None:
    rows = await send(client, "bc_otp", {"contact_id": "ct_ada",
                                         "template_ids": ["tpl_otp_wa", "tpl_otp_wa"]})
    assert [r["template_id"] for r in rows] == ["tpl_otp_wa"]


# --- counters ------------------------------------------------------------------------------------

async def test_counters_move_exactly(client: httpx.AsyncClient) -> None:
    start = await counters(client, "bc_otp")
    assert {k: v for k, v in start.items() if k != "templates"} == dict.fromkeys(
        [k for k in start if k != "templates"], 0)
    await send(client, "bc_otp", {"contact_id": "ct_ada"})
    one = await counters(client, "bc_otp")
    assert (one["recipients_count"], one["sent_count"], one["delivered_count"],
            one["skipped_count"], one["contacts_count"]) == (2, 2, 2, 0, 1)
    assert one["templates"] == {"tpl_otp_email": 1, "tpl_otp_wa": 1}
    # Grace has no phone: her WhatsApp row is skipped.
    grace = by_template(await send(client, "bc_otp", {"contact_id": "ct_grace"}))
    assert _skipped(grace["tpl_otp_wa"])
    two = await counters(client, "bc_otp")
    assert (two["recipients_count"], two["sent_count"], two["delivered_count"],
            two["skipped_count"], two["contacts_count"]) == (4, 3, 3, 1, 2)
    assert two["templates"] == {"tpl_otp_email": 2, "tpl_otp_wa": 2}
    # Ada again: contacts_count counts distinct contacts.
    await send(client, "bc_otp", {"email": "ADA@example.com", "template_ids": ["tpl_otp_wa"]})
    three = await counters(client, "bc_otp")
    assert (three["recipients_count"], three["sent_count"], three["delivered_count"],
            three["skipped_count"], three["contacts_count"]) == (5, 4, 4, 1, 2)
    assert three["templates"] == {"tpl_otp_email": 2, "tpl_otp_wa": 3}
    for untouched in ("failed_count", "opened_count", "played_count", "click_count",
                      "complained_count", "unsubscribed_count"):
        assert three[untouched] == 0
    # Other broadcasts are untouched.
    spring = await counters(client, "bc_spring")
    assert spring["recipients_count"] == 0 and spring["templates"] == {"tpl_spring": 0}


async def test_updated_at_moves_with_a_send(client: httpx.AsyncClient,
                                            clock: VirtualClock) -> None:
    clock.advance(30)
    await send(client, "bc_otp", {"contact_id": "ct_ada"})
    listed = (await client.get("/orgs/c/broadcasts", params={"status": "ACTIVE"})).json()
    otp = next(b for b in listed if b["id"] == "bc_otp")
    assert parse_ts(otp["updated_at"]) == parse_ts(otp["created_at"]).replace(second=30)


async def test_variables_are_accepted(client: httpx.AsyncClient) -> None:
    rows = await send(client, "bc_otp", {"contact_id": "ct_ada", "variables": {
        "otp": "654321", "count": 3, "ratio": 0.5, "flag": True, "nothing": None}})
    assert len(rows) == 2
    # The rendered content is not on the public wire (it belongs to the outbox).
    assert all("variables" not in r and "rendered" not in r for r in rows)
