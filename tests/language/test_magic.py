"""Magic test addresses: the emulator's own, Resend's, Amazon SES's and Twilio's; scenario rules
come first; `magic_addresses: false` turns them off; GET /_emulator/magic shows the table."""

from __future__ import annotations

import pytest
from support.language import (
    ERROR_OUTCOMES,
    OUTCOME_FLAGS,
    assert_flags,
    at,
    open_emulator,
    scenario,
    set_flags,
)

pytestmark = pytest.mark.anyio

EMAIL_CASES = [
    ("bounced@x.test", "bounced"),
    ("ada+complained@x.test", "complained"),
    ("opened@example.org", "opened"),
    ("played@x.test", "played"),
    ("unsubscribed@x.test", "unsubscribed"),
    ("skipped@x.test", "skipped"),
    ("sent@x.test", "sent"),
    ("failed@x.test", "failed"),
    ("grace+opened@x.test", "opened"),
    ("delivered@resend.dev", "delivered"),
    ("bounced+label@resend.dev", "bounced"),
    ("complained+ci-run-7@resend.dev", "complained"),
    ("success@simulator.amazonses.com", "delivered"),
    ("bounce@simulator.amazonses.com", "bounced"),
    ("complaint@simulator.amazonses.com", "complained"),
    ("ooto@simulator.amazonses.com", "delivered"),
    ("suppressionlist@simulator.amazonses.com", "bounced"),
    ("complaint+label@simulator.amazonses.com", "complained"),
]


@pytest.mark.parametrize(("email", "outcome"), EMAIL_CASES, ids=[c[0] for c in EMAIL_CASES])
async def test_magic_email_address(email: str, outcome: str) -> None:
    async with open_emulator(scenario()) as emu:
        row = await emu.send_one({"email": email})
    assert row["status"] == "PROCESSED"
    assert_flags(row, OUTCOME_FLAGS[outcome], at(0))
    assert bool(row["error_message"]) == (outcome in ERROR_OUTCOMES)


async def test_ordinary_addresses_are_delivered() -> None:
    async with open_emulator(scenario()) as emu:
        for email in ("ada@example.test", "bounced.not@x.test", "someone@resend.dev",
                      "bounce@example.org", "x+nothing@x.test"):
            row = await emu.send_one({"email": email})
            assert set_flags(row) == OUTCOME_FLAGS["delivered"], email


async def test_magic_rate_limited_address_answers_429() -> None:
    async with open_emulator(scenario()) as emu:
        response = await emu.post_send({"email": "rate_limited@x.test"})
        assert response.status_code == 429
        assert "retry-after" in response.headers
        assert await emu.rows() == []


TWILIO_FAILED = ["+15005550001", "+15005550002", "+15005550003", "+15005550004",
                 "+15005550009"]


@pytest.mark.parametrize("phone", TWILIO_FAILED)
async def test_twilio_test_numbers_fail(phone: str) -> None:
    async with open_emulator(scenario()) as emu:
        row = await emu.send_one({"phone": phone}, "bc_sms")
    assert row["integration_id"] == "twilio"
    assert_flags(row, {"is_failed"}, at(0))
    assert row["status"] == "PROCESSED"
    assert row["error_message"]


async def test_twilio_delivered_number_and_formatting() -> None:
    async with open_emulator(scenario()) as emu:
        delivered = await emu.send_one({"phone": "+15005550006"}, "bc_sms")
        formatted = await emu.send_one({"phone": "+1 (500) 555-0001"}, "bc_sms")
        near_miss = await emu.send_one({"phone": "+15005550005"}, "bc_sms")
    assert set_flags(delivered) == OUTCOME_FLAGS["delivered"]
    assert set_flags(formatted) == {"is_failed"}
    assert set_flags(near_miss) == OUTCOME_FLAGS["delivered"]


async def test_a_scenario_rule_beats_a_magic_address() -> None:
    text = scenario("""
        outcomes:
          - {when: {email: "bounced@*"}, outcome: opened}
          - {when: {phone: "+15005550001"}, outcome: delivered}
    """)
    async with open_emulator(text) as emu:
        mail = await emu.send_one({"email": "bounced@x.test"})
        sms = await emu.send_one({"phone": "+15005550001"}, "bc_sms")
        # No rule for this one: magic still applies.
        other = await emu.send_one({"email": "complained@x.test"})
    assert set_flags(mail) == OUTCOME_FLAGS["opened"]
    assert set_flags(sms) == OUTCOME_FLAGS["delivered"]
    assert set_flags(other) == OUTCOME_FLAGS["complained"]


async def test_magic_addresses_can_be_turned_off() -> None:
    async with open_emulator(scenario("magic_addresses: false\n")) as emu:
        rows = [
            await emu.send_one({"email": "bounced@x.test"}),
            await emu.send_one({"email": "ada+complained@x.test"}),
            await emu.send_one({"email": "bounced+label@resend.dev"}),
            await emu.send_one({"email": "complaint@simulator.amazonses.com"}),
            await emu.send_one({"email": "rate_limited@x.test"}),
            await emu.send_one({"phone": "+15005550001"}, "bc_sms"),
        ]
        table = await emu.get_json("/_emulator/magic")
    assert all(set_flags(r) == OUTCOME_FLAGS["delivered"] for r in rows), rows
    assert table["enabled"] is False
    assert table["addresses"]  # the table is still shown


async def test_magic_table_is_served() -> None:
    async with open_emulator(scenario(), key=None) as emu:
        table = await emu.get_json("/_emulator/magic")
    assert table["enabled"] is True
    entries = table["addresses"]
    assert all(set(e) == {"address", "outcome", "error_message", "convention"} for e in entries)
    by_address = {e["address"]: e for e in entries}
    assert by_address["bounced@<any domain>"]["outcome"] == "bounced"
    assert by_address["<anyone>+complained@<any domain>"]["outcome"] == "complained"
    assert by_address["+15005550001"]["outcome"] == "failed"
    assert by_address["+15005550001"]["convention"] == "Twilio"
    assert by_address["+15005550001"]["error_message"]
    assert by_address["+15005550006"]["outcome"] == "delivered"
    conventions = {e["convention"] for e in entries}
    assert {"emulator", "Resend", "Amazon SES", "Twilio"} <= conventions
    resend = {e["address"]: e["outcome"] for e in entries if e["convention"] == "Resend"}
    assert resend == {"delivered[+label]@resend.dev": "delivered",
                      "bounced[+label]@resend.dev": "bounced",
                      "complained[+label]@resend.dev": "complained"}
    ses = {e["address"].split("[")[0]: e["outcome"] for e in entries
           if e["convention"] == "Amazon SES"}
    assert ses == {"success": "delivered", "bounce": "bounced", "complaint": "complained",
                   "ooto": "delivered", "suppressionlist": "bounced"}
    emulator_outcomes = {e["outcome"] for e in entries if e["convention"] == "emulator"}
    assert set(OUTCOME_FLAGS) <= emulator_outcomes


async def test_the_magic_table_reports_a_test_scenario_orgs_own_setting() -> None:
    async with open_emulator(scenario()) as emu:
        created = await emu.http.post("/_emulator/orgs", json={
            "scenario": {"magic_addresses": False, "orgs": [{"id": "org_own"}]}})
        assert created.status_code == 200, created.text
        own = await emu.http.get("/_emulator/magic", params={"org_id": created.json()["id"]})
        server = await emu.http.get("/_emulator/magic")
        unknown = await emu.http.get("/_emulator/magic", params={"org_id": "org_nope"})
    assert own.json()["enabled"] is False
    assert server.json()["enabled"] is True
    assert unknown.status_code == 404
