"""Who a raw-identifier trigger reaches (seed 000: an email "find-or-creates a contact by email";
a phone is a "Raw phone" of at most 256): email first, phones kept unique, phones compared on
their digits and a leading `+`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from support.api import assert_error, by_template, contacts, send
from support.apps import app_from_yaml, client_for
from support.scenarios import CHANNELS

from emulator import load_scenario_text
from emulator.scenario.problems import ScenarioError
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

SEND = "/orgs/c/broadcasts/bc_all/send"
KNOWN_CONTACTS = {"ct_full", "ct_mail", "ct_phone", "ct_wa"}
PHONE_TEMPLATES = ("t_twilio", "t_telnyx", "t_wa")


@pytest.fixture
async def chan(clock: VirtualClock) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app_from_yaml(CHANNELS, clock), "key_s") as http:
        yield http


def _channels(contact: dict[str, Any]) -> set[tuple[str | None, str | None]]:
    return {(c["email"], c["phone"]) for c in contact["channels"]}


# --- email first ---------------------------------------------------------------------------------

async def test_a_new_email_with_a_known_phone_creates_the_email_contact(
    chan: httpx.AsyncClient
) -> None:
    rows = by_template(await send(chan, "bc_all", {"email": "fresh@example.test",
                                                   "phone": "+15550001002"}))
    contact = rows["t_gmail"]["contact"]
    assert contact["id"] not in KNOWN_CONTACTS
    assert {r["contact"]["id"] for r in rows.values()} == {contact["id"]}
    # ct_phone keeps its phone: the new contact gets the email channel only.
    assert _channels(contact) == {("fresh@example.test", None)}
    assert rows["t_gmail"]["email"] == "fresh@example.test" and rows["t_gmail"]["is_sent"]
    # ...but this send still reaches the given phone on every phone template.
    for template in PHONE_TEMPLATES:
        assert rows[template]["phone"] == "+15550001002" and rows[template]["is_sent"], template
    # The contact exists afterwards, found by its email; the phone still finds ct_phone.
    assert [c["id"] for c in await contacts(chan, email="fresh@example.test")] == [contact["id"]]
    by_phone = await send(chan, "bc_all", {"phone": "+15550001002"})
    assert {r["contact"]["id"] for r in by_phone} == {"ct_phone"}
    ct_phone = by_phone[0]["contact"]
    assert _channels(ct_phone) == {(None, "+15550001002")}


async def test_a_phone_written_differently_still_counts_as_taken(
    chan: httpx.AsyncClient
) -> None:
    rows = await send(chan, "bc_all", {"email": "dots@example.test", "phone": "+1.555.000.1002"})
    assert _channels(rows[0]["contact"]) == {("dots@example.test", None)}


async def test_a_new_email_with_a_free_phone_stores_both(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"email": "both@example.test", "phone": "+15550004242"})
    contact = rows[0]["contact"]
    assert _channels(contact) == {("both@example.test", None), (None, "+15550004242")}
    again = await send(chan, "bc_all", {"phone": "+1 555 000 4242"})
    assert {r["contact"]["id"] for r in again} == {contact["id"]}


async def test_a_known_email_with_another_contacts_phone_stays_with_the_email(
    chan: httpx.AsyncClient
) -> None:
    rows = by_template(await send(chan, "bc_all", {"email": "full@example.test",
                                                   "phone": "+15550001002"}))
    assert {r["contact"]["id"] for r in rows.values()} == {"ct_full"}
    assert rows["t_twilio"]["phone"] == "+15550001002"  # for this send only
    later = by_template(await send(chan, "bc_all", {"contact_id": "ct_full"}))
    assert later["t_twilio"]["phone"] == "+15550001001"
    assert _channels(later["t_gmail"]["contact"]) == {
        ("full@example.test", None), (None, "+15550001001"), (None, None)}


async def test_a_known_email_with_a_free_phone_does_not_change_the_contact(
    chan: httpx.AsyncClient
) -> None:
    rows = by_template(await send(chan, "bc_all", {"email": "mail@example.test",
                                                   "phone": "+15550003131"}))
    assert rows["t_gmail"]["contact"]["id"] == "ct_mail"
    assert rows["t_twilio"]["phone"] == "+15550003131" and rows["t_twilio"]["is_sent"]
    assert _channels(rows["t_gmail"]["contact"]) == {("mail@example.test", None)}
    # The free phone was not attached to anyone: alone, it makes a new contact.
    alone = await send(chan, "bc_all", {"phone": "+15550003131"})
    assert alone[0]["contact"]["id"] not in KNOWN_CONTACTS | {"ct_mail"}


async def test_a_phone_only_trigger_looks_up_by_phone(chan: httpx.AsyncClient) -> None:
    rows = await send(chan, "bc_all", {"phone": "+15550001001"})
    assert {r["contact"]["id"] for r in rows} == {"ct_full"}


# --- raw phones ---------------------------------------------------------------------------------

@pytest.mark.parametrize("phone", ["+1.555.010.0001", "+44 (0)20 7946 0000", "555 0100 ext. 7",
                                   "7", "tel:+1-555-010-0001", "++1555\t0100001\n"])
async def test_any_text_with_a_digit_is_a_phone(chan: httpx.AsyncClient, phone: str) -> None:
    rows = by_template(await send(chan, "bc_all", {"phone": phone}))
    assert rows["t_twilio"]["phone"] == phone  # kept as given
    assert _channels(rows["t_twilio"]["contact"]) == {(None, phone)}


@pytest.mark.parametrize("phone", ["", " ", "call me", "+", "() -", "tel:", "\u0665\u0665"])
async def test_a_phone_without_a_digit_is_400(chan: httpx.AsyncClient, phone: str) -> None:
    body = assert_error(await chan.post(SEND, json={"phone": phone}), 400, "phone")
    assert "digit" in body["message"]
    assert {c["id"] for c in await contacts(chan)} == KNOWN_CONTACTS  # nobody was created


@pytest.mark.parametrize("phone", ["+15550001002", "+1 555 000 1002", "+1 (555) 000-1002",
                                   "+1.555.000.1002", " +1/555/000/1002 ", "+1 555 000 1002 x"])
async def test_phones_compare_on_digits_and_a_leading_plus(
    chan: httpx.AsyncClient, phone: str
) -> None:
    rows = await send(chan, "bc_all", {"phone": phone})
    assert {r["contact"]["id"] for r in rows} == {"ct_phone"}


@pytest.mark.parametrize("phone", ["15550001002", "1 555 000 1002", "+15550001002 7"])
async def test_without_the_plus_or_with_another_digit_it_is_another_phone(
    chan: httpx.AsyncClient, phone: str
) -> None:
    rows = await send(chan, "bc_all", {"phone": phone})
    assert {r["contact"]["id"] for r in rows}.isdisjoint(KNOWN_CONTACTS)


async def test_a_raw_phone_is_accepted_when_creating_a_contact(chan: httpx.AsyncClient) -> None:
    made = await chan.post("/orgs/c/contacts", json={"channel": {"phone": "+44 (0)20 7946 0000"}})
    assert made.status_code == 200, made.text
    taken = await chan.post("/orgs/c/contacts", json={"channel": {"phone": "+44.020.7946.0000"}})
    assert_error(taken, 400, "channel.phone")
    assert_error(await chan.post("/orgs/c/contacts", json={"channel": {"phone": "n/a"}}),
                 400, "channel.phone")


async def test_a_phone_rule_glob_compares_on_digits(clock: VirtualClock) -> None:
    scenario = CHANNELS + """
outcomes:
  - when: {phone: "+1 (555) 77[0-4]*"}
    outcome: failed
"""
    async with client_for(app_from_yaml(scenario, clock), "key_s") as http:
        failed = await send(http, "bc_all", {"phone": "+1.555.773.0000",
                                            "template_ids": ["t_twilio"]})
        assert failed[0]["is_failed"] is True
        sent = await send(http, "bc_all", {"phone": "+1.555.775.0000",
                                          "template_ids": ["t_twilio"]})
        assert sent[0]["is_delivered"] is True


# --- phones in scenario files ------------------------------------------------------------------

def test_a_scenario_phone_is_a_raw_string_too() -> None:
    spec = load_scenario_text(
        "orgs:\n  - id: o\n    contacts:\n"
        '      - {id: ct_uk, phone: "+44 (0)20 7946 0000"}\n'
        '      - {id: ct_ext, phone: "555 0100 ext. 7"}\n')
    assert [c.phone for c in spec.orgs[0].contacts] == ["+44 (0)20 7946 0000", "555 0100 ext. 7"]


@pytest.mark.parametrize(("first", "second", "problem"), [
    ("+1 555 010 0001", "+1.555.010.0001", "phone"),  # the same phone, written twice
    ("+15550100001", "no phone", "digit"),
])
def test_scenario_phones_are_checked_like_the_api_does(
    first: str, second: str, problem: str
) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(
            "orgs:\n  - id: o\n    contacts:\n"
            f'      - {{id: ct_a, phone: "{first}"}}\n'
            f'      - {{id: ct_b, phone: "{second}"}}\n', "s.yaml")
    [found] = raised.value.problems
    assert problem in found.message and found.path[-1] == "phone", str(found)
