"""What outcomes leave behind: unsubscribed contacts, suppressed addresses, and the control
surface that lists and clears suppressions."""

from __future__ import annotations

import pytest
from support.apps import app_from_yaml, client_for
from support.language import (
    OUTCOME_FLAGS,
    assert_counters_agree,
    assert_envelope,
    assert_flags,
    at,
    open_emulator,
    scenario,
    set_flags,
)
from support.wire import VIRTUAL

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

RULES = """
    outcomes:
      - {when: {email: "*@unsub.test"}, outcome: unsubscribed}
      - {when: {email: "*@bounce.test"}, outcome: [bounced, delivered]}
      - {when: {email: "*@complain.test"}, outcome: complained}
      - {when: {email: "*@late-complaint.test"}, outcome: complained,
         timing: {complained_after: 1h}}
      - {when: {phone: "+1555019*"}, outcome: bounced}
"""


async def test_unsubscribed_outcome_marks_the_contact() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        row = await emu.send_one({"email": "leaving@unsub.test"})
        contact = row["contact"]
        assert contact["unsubscribed"] is True
        assert contact["unsubscribed_at"] == at(0)
        assert contact["unsubscribe_reason"]
        for body in ({"contact_id": contact["id"]}, {"email": "leaving@unsub.test"},
                     {"email": "LEAVING@unsub.test"}):
            response = await emu.post_send(body, "bc_news")
            body_json = assert_envelope(response, 400)
            assert "unsubscribed" in body_json["message"]
        assert await emu.rows("bc_news") == []
        assert len(await emu.rows("bc_mail")) == 1


async def test_unsubscribe_happens_when_its_event_does() -> None:
    text = scenario("""
        outcomes:
          - {when: {email: "*@unsub.test"}, outcome: unsubscribed,
             timing: {unsubscribed_after: 5m}}
    """)
    async with open_emulator(text) as emu:
        row = await emu.send_one({"email": "leaving@unsub.test"})
        assert row["contact"]["unsubscribed"] is False
        await emu.send_one({"contact_id": row["contact"]["id"]}, "bc_news")
        await emu.advance(300)
        assert_envelope(await emu.post_send({"contact_id": row["contact"]["id"]}, "bc_news"),
                        400)
        stored = await emu.row(row["id"])
        assert stored["contact"]["unsubscribed_at"] == at(300)


@pytest.mark.parametrize(("email", "reason"), [("ada@bounce.test", "bounced"),
                                                ("grace@complain.test", "complained")])
async def test_bounce_and_complaint_suppress_the_address(email: str, reason: str) -> None:
    async with open_emulator(scenario(RULES)) as emu:
        first = await emu.send_one({"email": email})
        assert set_flags(first) == OUTCOME_FLAGS[reason]
        # The same address, on another broadcast and spelled in another case: skipped.
        second = await emu.send_one({"email": email.upper()}, "bc_news")
        assert second["status"] == "PROCESSED"
        assert_flags(second, {"is_skipped"}, at(0))
        assert second["error_message"] == "suppressed"
        assert second["external_message_id"] is None
        news = await emu.broadcast("bc_news")
        assert news["skipped_count"] == 1
        assert news["sent_count"] == 0
        assert_counters_agree(news, await emu.rows("bc_news"))
        assert_counters_agree(await emu.broadcast("bc_mail"), await emu.rows("bc_mail"))
        # Another address of the same org is untouched.
        assert set_flags(await emu.send_one({"contact_id": "ct_ada"}, "bc_news")) == \
            OUTCOME_FLAGS["delivered"]
        [entry] = await emu.get_json("/_emulator/suppressions")
    assert entry == {"org_id": "org_a", "address": email, "reason": reason,
                     "created_at": at(0), "recipient_id": first["id"],
                     "broadcast_id": "bc_mail"}


async def test_suppression_of_a_phone() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        first = await emu.send_one({"phone": "+15550190000"}, "bc_sms")
        assert set_flags(first) == OUTCOME_FLAGS["bounced"]
        second = await emu.send_one({"phone": "+1 555 019 0000"}, "bc_sms")
        assert second["error_message"] == "suppressed"
        assert set_flags(second) == {"is_skipped"}
        [entry] = await emu.get_json("/_emulator/suppressions", org_id="org_a")
        assert (entry["address"], entry["reason"]) == ("+15550190000", "bounced")


async def test_suppressions_are_per_org() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        other = await emu.with_key("key_b")
        await emu.send_one({"email": "ada@bounce.test"})
        await other.send_one({"email": "grace@complain.test"})
        await other.send_one({"email": "x@complain.test"})
        everything = await emu.get_json("/_emulator/suppressions")
        assert sorted((s["org_id"], s["address"], s["reason"]) for s in everything) == [
            ("org_a", "ada@bounce.test", "bounced"),
            ("org_b", "grace@complain.test", "complained"),
            ("org_b", "x@complain.test", "complained"),
        ]
        only_b = await emu.get_json("/_emulator/suppressions", org_id="org_b")
        assert sorted(s["address"] for s in only_b) == ["grace@complain.test",
                                                        "x@complain.test"]
        assert {s["org_id"] for s in only_b} == {"org_b"}
        # org_b may still write to org_a's suppressed address (the bounce sequence is per org).
        row = await other.send_one({"email": "ada@bounce.test"}, "bc_news")
        assert row["error_message"] != "suppressed"
        assert_envelope(await emu.http.get("/_emulator/suppressions",
                                           params={"org_id": "nope"}), 404)


async def test_delete_clears_one_org_then_all() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        other = await emu.with_key("key_b")
        await emu.send_one({"email": "ada@bounce.test"})
        await other.send_one({"email": "ada@bounce.test"})
        assert len(await emu.get_json("/_emulator/suppressions")) == 2

        response = await emu.http.delete("/_emulator/suppressions", params={"org_id": "org_a"})
        assert response.status_code == 200, response.text
        assert response.json() == {"cleared": 1}
        assert [s["org_id"] for s in await emu.get_json("/_emulator/suppressions")] == ["org_b"]
        # org_a's address goes through again (the sequence has moved on to delivered) ...
        again = await emu.send_one({"email": "ada@bounce.test"})
        assert set_flags(again) == OUTCOME_FLAGS["delivered"]
        # ... while org_b's is still suppressed.
        assert (await other.send_one({"email": "ada@bounce.test"}))["error_message"] == \
            "suppressed"

        response = await emu.http.delete("/_emulator/suppressions")
        assert response.json() == {"cleared": 1}
        assert await emu.get_json("/_emulator/suppressions") == []
        assert set_flags(await other.send_one({"email": "ada@bounce.test"})) == \
            OUTCOME_FLAGS["delivered"]
        assert (await emu.http.delete("/_emulator/suppressions")).json() == {"cleared": 0}


async def test_a_late_complaint_suppresses_only_once_it_happened() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        first = await emu.send_one({"email": "grace@late-complaint.test"})
        assert first["status"] == "SENDING"
        assert set_flags(first) == {"is_sent", "is_delivered"}
        assert await emu.get_json("/_emulator/suppressions") == []
        # Before the complaint, the address still gets messages.
        second = await emu.send_one({"email": "grace@late-complaint.test"}, "bc_news")
        assert second["error_message"] is None
        await emu.advance(3599)
        assert await emu.get_json("/_emulator/suppressions") == []
        await emu.advance(1)
        [entry] = await emu.get_json("/_emulator/suppressions")
        assert (entry["reason"], entry["created_at"], entry["recipient_id"]) == (
            "complained", at(3600), first["id"])
        third = await emu.send_one({"email": "grace@late-complaint.test"}, "bc_news")
        assert third["error_message"] == "suppressed"
        assert third["is_skipped_at"] == at(3600)
        assert_counters_agree(await emu.broadcast("bc_news"), await emu.rows("bc_news"))


async def test_reset_forgets_suppressions_and_unsubscribes() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        await emu.send_one({"email": "ada@bounce.test"})
        await emu.send_one({"email": "bob@unsub.test"})
        response = await emu.http.post("/_emulator/reset", json={"org_id": "org_a"})
        assert response.status_code == 200, response.text
        assert await emu.get_json("/_emulator/suppressions") == []
        # The new contact is gone with the reset, and the sequence starts again.
        row = await emu.send_one({"email": "ada@bounce.test"})
        assert set_flags(row) == OUTCOME_FLAGS["bounced"]


async def test_a_bounced_sms_suppresses_the_phone_not_the_email(clock: VirtualClock) -> None:
    text = VIRTUAL + "\n" + """
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

