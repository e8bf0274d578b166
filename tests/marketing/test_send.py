"""POST /orgs/{org_id}/broadcasts/{broadcast_id}/send on a marketing broadcast (invent-api.md §3
"Send → Marketing"): the answer, the allowed states, scheduling on the org's clock, the audience,
one row per (contact, template), skip reasons, outcomes per row, and counters that agree with
the rows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.api import BROADCAST_KEYS, RECIPIENT_KEYS
from support.language import assert_flags
from support.marketing import (
    CONTACT_KEYS,
    COUNTER_KEYS,
    HEADER,
    ORG,
    Json,
    Marketing,
    assert_error,
    assert_rows_agree,
    at,
    open_marketing,
)

pytestmark = pytest.mark.anyio

NO_EMAIL = "Contact has no email address for this template"
NO_PHONE = "Contact has no phone number for this template"

# seg_a + seg_b is everyone but Gus; Ada is in both. Addresses pick outcomes through the magic
# table (bounced@, +complained, +unsubscribed, +opened, +played, Twilio's +15005550001) and one
# rule (rate_limited). bc_slow and bc_later deliver on a timeline.
SEND = HEADER + """
orgs:
  - id: org_m
    api_keys: [key_m]
    segments:
      - {id: seg_a, name: A}
      - {id: seg_b, name: B}
      - {id: seg_slow, name: Slow}
    contacts:
      - {id: ct_ada, name: Ada, email: ada@example.test, phone: "+15550100001",
         segments: [seg_a, seg_b, seg_slow]}
      - {id: ct_bob, name: Bob, email: bob@example.test, segments: [seg_a, seg_slow]}
      - {id: ct_cy, name: Cy, phone: "+15550100003", segments: [seg_b]}
      - {id: ct_dee, name: Dee, email: dee@example.test, phone: "+15550100004", blocked: true,
         segments: [seg_a]}
      - {id: ct_eve, name: Eve, email: eve@example.test, phone: "+15550100005",
         unsubscribed: true, segments: [seg_b]}
      - {id: ct_fay, name: Fay, channels: [{type: custom, user_id: fay-1}], segments: [seg_a]}
      - {id: ct_gus, name: Gus, email: gus@example.test, phone: "+15550100007"}
      - {id: ct_hal, name: Hal, email: bounced@example.test, segments: [seg_a]}
      - {id: ct_ivy, name: Ivy, email: ivy+complained@example.test, segments: [seg_b]}
      - {id: ct_jo, name: Jo, email: jo+unsubscribed@example.test, segments: [seg_a]}
      - {id: ct_kim, name: Kim, phone: "+15005550001", segments: [seg_b]}
      - {id: ct_lou, name: Lou, email: lou@limit.test, segments: [seg_a]}
      - {id: ct_max, name: Max, email: max+opened@example.test, phone: "+15550100013",
         segments: [seg_b]}
      - {id: ct_pat, name: Pat, email: pat+played@example.test, segments: [seg_b]}
    broadcasts:
      - id: bc_two
        name: Two channels
        segment_ids: [seg_a, seg_b]
        templates:
          - {id: tpl_mail, integration_id: gmail, config: {subject: Hi, body: Hello}}
          - {id: tpl_sms, integration_id: twilio, config: {body: Hello}}
      - id: bc_all
        name: Everyone
        send_to_all: true
        segment_ids: [seg_slow]
        templates:
          - {id: tpl_all, integration_id: gmail, config: {subject: All, body: Hello}}
      - id: bc_bare
        name: No template yet
        send_to_all: true
      - id: bc_slow
        name: Slow
        segment_ids: [seg_slow]
        templates:
          - {id: tpl_slow, integration_id: gmail, config: {subject: Slow, body: Hello}}
      - id: bc_later
        name: Later
        scheduled_at: "2026-01-05T10:00:00Z"
        segment_ids: [seg_slow]
        templates:
          - {id: tpl_later, integration_id: gmail, config: {subject: Later, body: Hello}}
outcomes:
  - when: {email: "*@limit.test"}
    outcome: rate_limited
  - when: {broadcast_id: bc_slow, contact_id: ct_ada}
    outcome: opened
    timing: {delivered_after: 30s, opened_after: 5m}
  - when: {broadcast_id: bc_slow}
    outcome: delivered
    timing: {delivered_after: 30s}
  - when: {broadcast_id: bc_later}
    outcome: delivered
    timing: {delivered_after: 30s}
"""

UNION = ["ct_ada", "ct_bob", "ct_dee", "ct_fay", "ct_hal", "ct_jo", "ct_lou",
         "ct_cy", "ct_eve", "ct_ivy", "ct_kim", "ct_max", "ct_pat"]
EVERYONE = ["ct_ada", "ct_bob", "ct_cy", "ct_dee", "ct_eve", "ct_fay", "ct_gus", "ct_hal",
            "ct_ivy", "ct_jo", "ct_kim", "ct_lou", "ct_max", "ct_pat"]

SENT = ("is_sent",)
DELIVERED = ("is_sent", "is_delivered")
SKIPPED = ("is_skipped",)
# bc_two: (contact, template) -> (flags, error_message).
EXPECTED_TWO: dict[tuple[str, str], tuple[tuple[str, ...], str | None]] = {
    ("ct_ada", "tpl_mail"): (DELIVERED, None),
    ("ct_ada", "tpl_sms"): (DELIVERED, None),
    ("ct_bob", "tpl_mail"): (DELIVERED, None),
    ("ct_bob", "tpl_sms"): (SKIPPED, NO_PHONE),
    ("ct_dee", "tpl_mail"): (SKIPPED, "Contact is blocked"),
    ("ct_dee", "tpl_sms"): (SKIPPED, "Contact is blocked"),
    ("ct_fay", "tpl_mail"): (SKIPPED, NO_EMAIL),
    ("ct_fay", "tpl_sms"): (SKIPPED, NO_PHONE),
    ("ct_hal", "tpl_mail"): (("is_sent", "is_bounced", "is_failed"), "bounced"),
    ("ct_hal", "tpl_sms"): (SKIPPED, NO_PHONE),
    ("ct_jo", "tpl_mail"): ((*DELIVERED, "is_unsubscribed"), None),
    ("ct_jo", "tpl_sms"): (SKIPPED, NO_PHONE),
    ("ct_lou", "tpl_mail"): (("is_failed",), "rate"),
    ("ct_lou", "tpl_sms"): (SKIPPED, NO_PHONE),
    ("ct_cy", "tpl_mail"): (SKIPPED, NO_EMAIL),
    ("ct_cy", "tpl_sms"): (DELIVERED, None),
    ("ct_eve", "tpl_mail"): (SKIPPED, "Contact is unsubscribed"),
    ("ct_eve", "tpl_sms"): (SKIPPED, "Contact is unsubscribed"),
    ("ct_ivy", "tpl_mail"): ((*DELIVERED, "is_complained"), None),
    ("ct_ivy", "tpl_sms"): (SKIPPED, NO_PHONE),
    ("ct_kim", "tpl_mail"): (SKIPPED, NO_EMAIL),
    ("ct_kim", "tpl_sms"): (("is_failed",), "21211"),
    ("ct_max", "tpl_mail"): ((*DELIVERED, "is_opened"), None),
    ("ct_max", "tpl_sms"): (DELIVERED, None),
    ("ct_pat", "tpl_mail"): ((*DELIVERED, "is_played"), None),
    ("ct_pat", "tpl_sms"): (SKIPPED, NO_PHONE),
}


@pytest.fixture
async def org() -> AsyncIterator[Marketing]:
    async with open_marketing(SEND) as org:
        yield org


def _by_pair(rows: list[Json]) -> dict[tuple[str, str], Json]:
    pairs = {(r["contact"]["id"], r["template_id"]): r for r in rows}
    assert len(pairs) == len(rows), "one row per (contact, template)"
    return pairs


# -- the answer and the allowed states --------------------------------------------------------


async def test_send_answers_the_broadcast_sending(org: Marketing) -> None:
    await org.advance(15)
    response = await org.http.post("/orgs/c/broadcasts/bc_two/send")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == BROADCAST_KEYS
    assert body["id"] == "bc_two" and body["type"] == "MARKETING"
    assert body["status"] == "SENDING"
    assert body["started_at"] == at(15)
    assert body["completed_at"] is None and body["scheduled_at"] is None
    assert body["error_message"] is None
    assert [t["id"] for t in body["templates"]] == ["tpl_mail", "tpl_sms"]
    done = await org.broadcast("bc_two")
    assert done["status"] == "SENT"
    assert done["started_at"] == at(15)
    # Every row's events happen at once: the last one is at the start.
    assert done["completed_at"] == at(15)


TRIGGER_FIELDS: list[tuple[str, object]] = [
    ("contact_id", "ct_ada"), ("contact_channel_id", "ch_x"), ("email", "someone@example.test"),
    ("phone", "+15550100001"), ("name", "Someone"), ("variables", {}),
    ("template_ids", ["tpl_mail"]), ("background", False)]


@pytest.mark.parametrize(("field", "value"), TRIGGER_FIELDS, ids=[f for f, _ in TRIGGER_FIELDS])
async def test_a_trigger_field_is_400_naming_the_type_and_sends_nothing(
        org: Marketing, field: str, value: object) -> None:
    response = await org.http.post("/orgs/c/broadcasts/bc_two/send", json={field: value})
    body = assert_error(response, 400, field)
    assert "MARKETING" in body["message"] and "TRANSACTIONAL" in body["message"], body
    assert await org.rows("bc_two") == []
    assert await org.status("bc_two") == "DRAFT"
    outbox = await org.http.get("/_emulator/messages", params={"org_id": org.org_id})
    assert outbox.json() == []


async def test_every_trigger_field_given_is_named(org: Marketing) -> None:
    response = await org.http.post("/orgs/c/broadcasts/bc_two/send",
                                   json={"email": "a@example.test", "variables": {"x": 1}})
    body = assert_error(response, 400, "email")
    assert [d["field"] for d in body["details"]] == ["email", "variables"]


@pytest.mark.parametrize("body", [None, {}, {"email": None}], ids=["no body", "{}", "nulls"])
async def test_no_body_or_an_empty_one_sends_to_the_audience(
        org: Marketing, body: dict[str, object] | None) -> None:
    response = await org.http.post("/orgs/c/broadcasts/bc_two/send", json=body)
    assert response.status_code == 200, response.text
    rows = await org.rows("bc_two")
    assert {r["contact"]["id"] for r in rows} == set(UNION)


async def test_an_unknown_field_or_bad_json_is_400(org: Marketing) -> None:
    assert_error(await org.http.post("/orgs/c/broadcasts/bc_two/send", json={"nope": 1}), 400,
                 "nope")
    assert_error(await org.http.post("/orgs/c/broadcasts/bc_two/send", content=b"{"), 400)
    assert await org.status("bc_two") == "DRAFT"


async def test_sent_broadcast_cannot_be_sent_again(org: Marketing) -> None:
    await org.send("bc_two")
    assert await org.status("bc_two") == "SENT"
    response = await org.post_send("bc_two")
    assert_error(response, 400)
    assert "SENT" in response.json()["message"]
    assert len(await org.rows("bc_two")) == 26


async def test_sending_broadcast_cannot_be_sent_again(org: Marketing) -> None:
    await org.send("bc_slow")
    assert await org.status("bc_slow") == "SENDING"
    response = await org.post_send("bc_slow")
    assert_error(response, 400)
    assert "SENDING" in response.json()["message"]
    assert len(await org.rows("bc_slow")) == 2


async def test_scheduled_broadcast_cannot_be_sent_again(org: Marketing) -> None:
    assert (await org.send("bc_later"))["status"] == "SCHEDULED"
    response = await org.post_send("bc_later")
    assert_error(response, 400)
    assert "SCHEDULED" in response.json()["message"]
    assert await org.status("bc_later") == "SCHEDULED"


async def test_no_template_is_400_saying_so(org: Marketing) -> None:
    response = await org.post_send("bc_bare")
    assert_error(response, 400)
    assert "template" in response.json()["message"]
    bare = await org.broadcast("bc_bare")
    assert bare["status"] == "DRAFT" and bare["started_at"] is None
    await org.add_template("bc_bare")
    assert (await org.send("bc_bare"))["status"] == "SENDING"
    assert await org.status("bc_bare") == "SENT"


async def test_unknown_broadcast_is_404(org: Marketing) -> None:
    assert_error(await org.post_send("bc_nope"), 404)


# -- scheduling on the org's clock ------------------------------------------------------------


async def test_future_schedule_waits_for_the_clock(org: Marketing) -> None:
    created = await org.create_broadcast(name="In an hour", scheduled_at=at(3600),
                                         segment_ids=["seg_slow"])
    await org.add_template(created["id"])
    await org.advance(60)
    sent = await org.send(created["id"])
    assert sent["status"] == "SCHEDULED"
    assert sent["scheduled_at"] == at(3600)
    assert sent["started_at"] is None and sent["completed_at"] is None
    await org.advance(3600 - 60 - 1)
    waiting = await org.broadcast(created["id"])
    assert waiting["status"] == "SCHEDULED" and waiting["recipients_count"] == 0
    assert await org.rows(created["id"]) == []
    await org.advance(1)
    started = await org.broadcast(created["id"])
    assert started["status"] == "SENT"
    assert started["started_at"] == started["completed_at"] == at(3600)
    rows = await org.rows(created["id"])
    assert sorted(r["contact"]["id"] for r in rows) == ["ct_ada", "ct_bob"]
    assert {r["created_at"] for r in rows} == {at(3600)}
    assert_rows_agree(started, rows)


async def test_future_schedule_then_sending_then_sent(org: Marketing) -> None:
    sent = await org.send("bc_later")
    assert sent["status"] == "SCHEDULED" and sent["scheduled_at"] == at(3600)
    await org.advance(3599)
    assert await org.status("bc_later") == "SCHEDULED"
    await org.advance(1)
    sending = await org.broadcast("bc_later")
    assert sending["status"] == "SENDING"
    assert sending["started_at"] == at(3600) and sending["completed_at"] is None
    assert (sending["sent_count"], sending["delivered_count"]) == (2, 0)
    await org.advance(29)
    assert await org.status("bc_later") == "SENDING"
    await org.advance(1)
    done = await org.broadcast("bc_later")
    assert done["status"] == "SENT" and done["completed_at"] == at(3630)
    assert_rows_agree(done, await org.rows("bc_later"))


async def test_one_long_advance_runs_each_event_at_its_own_moment(org: Marketing) -> None:
    await org.send("bc_later")
    await org.advance(7200)
    done = await org.broadcast("bc_later")
    assert done["status"] == "SENT"
    assert (done["started_at"], done["completed_at"]) == (at(3600), at(3630))
    for row in await org.rows("bc_later"):
        assert (row["is_sent_at"], row["is_delivered_at"]) == (at(3600), at(3630))


@pytest.mark.parametrize("scheduled_at", [at(-86400), at(-1), at(0)])
async def test_past_schedule_sends_at_once(org: Marketing, scheduled_at: str) -> None:
    created = await org.create_broadcast(name="Overdue", scheduled_at=scheduled_at,
                                         segment_ids=["seg_slow"])
    await org.add_template(created["id"])
    sent = await org.send(created["id"])
    assert sent["status"] == "SENDING"
    assert sent["scheduled_at"] == scheduled_at
    assert sent["started_at"] == at(0)
    done = await org.broadcast(created["id"])
    assert done["status"] == "SENT" and done["recipients_count"] == 2


async def test_sending_until_every_row_is_processed(org: Marketing) -> None:
    await org.advance(10)
    assert (await org.send("bc_slow"))["status"] == "SENDING"
    steps: list[tuple[float, str, int, int]] = [
        (0, "SENDING", 0, 0), (29, "SENDING", 0, 0), (1, "SENDING", 2, 0),
        (269, "SENDING", 2, 0), (1, "SENT", 2, 1),
    ]
    for seconds, status, delivered, opened in steps:
        await org.advance(seconds)
        broadcast = await org.broadcast("bc_slow")
        assert (broadcast["status"], broadcast["delivered_count"], broadcast["opened_count"]) == (
            status, delivered, opened), seconds
        assert broadcast["sent_count"] == 2
        rows = await org.rows("bc_slow")
        assert_rows_agree(broadcast, rows)
        assert broadcast["completed_at"] is None or status == "SENT"
    final = {r["contact"]["id"]: r for r in await org.rows("bc_slow")}
    assert final["ct_bob"]["updated_at"] == at(40)
    assert final["ct_ada"]["is_opened_at"] == at(310)
    done = await org.broadcast("bc_slow")
    assert done["started_at"] == at(10)
    # completed_at is the moment of the last row's last event.
    assert done["completed_at"] == at(310)


async def test_rows_stay_sending_until_their_last_event(org: Marketing) -> None:
    await org.send("bc_slow")
    await org.advance(30)
    rows = {r["contact"]["id"]: r for r in await org.rows("bc_slow")}
    assert rows["ct_bob"]["status"] == "PROCESSED"
    assert rows["ct_ada"]["status"] == "SENDING"
    assert await org.rows("bc_slow", status="SENDING") == [rows["ct_ada"]]


# -- the audience and its rows ----------------------------------------------------------------


async def test_audience_is_the_union_of_segments_each_contact_once(org: Marketing) -> None:
    sent = await org.send("bc_two")
    assert sent["contacts_count"] == 0  # rows come after the answer
    rows = await org.rows("bc_two")
    assert len(rows) == 26
    for row in rows:
        assert set(row) == RECIPIENT_KEYS
        assert row["broadcast_id"] == "bc_two" and row["broadcast_name"] == "Two channels"
        assert row["status"] == "PROCESSED"
    pairs = _by_pair(rows)
    assert set(pairs) == {(c, t) for c in UNION for t in ("tpl_mail", "tpl_sms")}
    assert {row["integration_id"] for row in rows if row["template_id"] == "tpl_sms"} == {
        "twilio"}
    # Newest first: the reverse of the audience order, templates in reverse within a contact.
    assert [(r["contact"]["id"], r["template_id"]) for r in rows] == [
        (c, t) for c in reversed(UNION) for t in ("tpl_sms", "tpl_mail")]
    broadcast = await org.broadcast("bc_two")
    assert broadcast["contacts_count"] == 13
    for row in rows:
        assert set(row["contact"]) == CONTACT_KEYS


async def test_a_member_added_before_the_send_is_in_the_audience(org: Marketing) -> None:
    response = await org.http.post("/orgs/c/contacts/ct_gus/segments/seg_slow")
    assert response.status_code == 200
    created = await org.create_contact({"channel": {"email": "new@example.test"},
                                        "segment_ids": ["seg_slow"]})
    created_broadcast = await org.create_broadcast(name="Slow members",
                                                   segment_ids=["seg_slow"])
    await org.add_template(created_broadcast["id"])
    await org.send(created_broadcast["id"])
    rows = await org.rows(created_broadcast["id"])
    assert sorted(r["contact"]["id"] for r in rows) == sorted(
        ["ct_ada", "ct_bob", "ct_gus", created["id"]])


async def test_a_template_on_another_integration_needs_that_channel(org: Marketing) -> None:
    created = await org.create_broadcast(name="Custom", segment_ids=["seg_a"])
    await org.add_template(created["id"], "custom")
    await org.send(created["id"])
    rows = {r["contact"]["id"]: r for r in await org.rows(created["id"])}
    assert sorted(rows) == sorted(UNION[:7])
    assert rows["ct_fay"]["is_sent"] is True and rows["ct_fay"]["user_id"] == "fay-1"
    assert rows["ct_dee"]["error_message"] == "Contact is blocked"
    for contact_id in ("ct_ada", "ct_bob", "ct_hal", "ct_jo", "ct_lou"):
        assert_flags(rows[contact_id], SKIPPED, at(0))
        assert rows[contact_id]["error_message"] == (
            "Contact has no custom channel for this template")


async def test_an_empty_audience_is_sent_at_once(org: Marketing) -> None:
    await org.advance(20)
    empty = await org.create_broadcast(name="No segments, not to all")
    await org.add_template(empty["id"])
    assert (await org.send(empty["id"]))["status"] == "SENDING"
    nobody = await org.broadcast(empty["id"])
    assert nobody["status"] == "SENT"
    assert nobody["started_at"] == nobody["completed_at"] == at(20)
    assert await org.rows(empty["id"]) == []
    assert_rows_agree(nobody, [])


async def test_send_to_all_reaches_every_contact_once(org: Marketing) -> None:
    await org.send("bc_all")
    rows = await org.rows("bc_all")
    assert sorted(r["contact"]["id"] for r in rows) == EVERYONE
    broadcast = await org.broadcast("bc_all")
    assert broadcast["contacts_count"] == len(EVERYONE) == broadcast["recipients_count"]
    assert_rows_agree(broadcast, rows)


async def test_each_row_gets_its_skip_reason_or_outcome(org: Marketing) -> None:
    await org.send("bc_two")
    pairs = _by_pair(await org.rows("bc_two"))
    for pair, (flags, error) in EXPECTED_TWO.items():
        row = pairs[pair]
        assert_flags(row, flags, at(0))
        if error is None:
            assert row["error_message"] is None, (pair, row)
        elif flags == SKIPPED:
            assert row["error_message"] == error, (pair, row)
        else:
            assert error in row["error_message"].lower(), (pair, row)
        assert (row["external_message_id"] is not None) == ("is_sent" in flags), pair


async def test_skipped_rows_carry_the_address_they_had(org: Marketing) -> None:
    await org.send("bc_two")
    pairs = _by_pair(await org.rows("bc_two"))
    assert pairs[("ct_dee", "tpl_mail")]["email"] == "dee@example.test"
    assert pairs[("ct_dee", "tpl_sms")]["phone"] == "+15550100004"
    assert pairs[("ct_fay", "tpl_mail")]["email"] is None
    assert pairs[("ct_bob", "tpl_sms")]["phone"] is None
    assert pairs[("ct_ada", "tpl_sms")]["phone"] == "+15550100001"
    assert pairs[("ct_ada", "tpl_mail")]["email"] == "ada@example.test"


async def test_rate_limited_outcome_is_a_failed_row_not_a_429(org: Marketing) -> None:
    response = await org.post_send("bc_two")
    assert response.status_code == 200
    assert "retry-after" not in response.headers
    [row] = await org.rows("bc_two", contact_id="ct_lou", integration_id="gmail")
    assert row["is_failed"] is True and row["is_sent"] is False
    assert "rate" in row["error_message"].lower()
    assert row["status"] == "PROCESSED"


async def test_consequences_of_outcomes(org: Marketing) -> None:
    await org.send("bc_two")
    [jo] = await org.contacts(email="jo+unsubscribed@example.test")
    assert jo["unsubscribed"] is True and jo["unsubscribed_at"] == at(0)
    suppressions = (await org.http.get("/_emulator/suppressions",
                                       params={"org_id": ORG})).json()
    assert {s["address"] for s in suppressions} == {"bounced@example.test",
                                                     "ivy+complained@example.test"}


async def test_resubscribing_clears_what_the_unsubscribe_outcome_set(org: Marketing) -> None:
    await org.send("bc_two")
    [jo] = await org.contacts(email="jo+unsubscribed@example.test")
    assert jo["unsubscribe_reason"] is not None
    await org.advance(5)
    jo = await org.patch_contact("ct_jo", {"unsubscribed": False})
    assert (jo["unsubscribed"], jo["unsubscribed_at"], jo["unsubscribe_reason"]) == (
        False, None, None)
    await org.send("bc_all")
    [row] = await org.rows("bc_all", contact_id="ct_jo")
    assert row["is_sent"] is True and row["is_skipped"] is False


async def test_suppressed_and_newly_unsubscribed_are_skipped_next_time(org: Marketing) -> None:
    await org.send("bc_two")
    await org.advance(60)
    await org.send("bc_all")
    rows = {r["contact"]["id"]: r for r in await org.rows("bc_all")}
    expected = {
        "ct_hal": "suppressed", "ct_ivy": "suppressed", "ct_jo": "Contact is unsubscribed",
        "ct_dee": "Contact is blocked", "ct_eve": "Contact is unsubscribed",
        "ct_cy": NO_EMAIL, "ct_fay": NO_EMAIL, "ct_kim": NO_EMAIL,
    }
    for contact_id, row in rows.items():
        if contact_id in expected:
            assert_flags(row, SKIPPED, at(60))
            assert row["error_message"] == expected[contact_id], contact_id
        else:
            assert row["is_sent"] or row["is_failed"], contact_id
    assert rows["ct_hal"]["email"] == "bounced@example.test"
    broadcast = await org.broadcast("bc_all")
    assert broadcast["skipped_count"] == len(expected)
    assert_rows_agree(broadcast, list(rows.values()))


async def test_every_counter_agrees_with_the_rows(org: Marketing) -> None:
    await org.send("bc_two")
    broadcast = await org.broadcast("bc_two")
    rows = await org.rows("bc_two", take=7)
    assert_rows_agree(broadcast, rows)
    assert {name: broadcast[name] for name in COUNTER_KEYS} == {
        "contacts_count": 13, "recipients_count": 26, "skipped_count": 14, "sent_count": 10,
        "failed_count": 3, "delivered_count": 9, "opened_count": 1, "played_count": 1,
        "click_count": 0, "complained_count": 1, "unsubscribed_count": 1,
    }
    assert {t["id"]: t["recipients_count"] for t in broadcast["templates"]} == {
        "tpl_mail": 13, "tpl_sms": 13}


async def test_counters_agree_while_sending(org: Marketing) -> None:
    await org.send("bc_slow")
    for seconds in (0, 30, 300):
        await org.advance(seconds)
        broadcast = await org.broadcast("bc_slow")
        assert_rows_agree(broadcast, await org.rows("bc_slow"))
        assert broadcast["contacts_count"] == 2 and broadcast["recipients_count"] == 2


PAST_SCHEDULED = HEADER + """
orgs:
  - id: org_m
    api_keys: [key_m]
    contacts:
      - {id: ct_1, email: one@example.test}
    broadcasts:
      - id: bc_overdue
        name: Overdue
        status: SCHEDULED
        scheduled_at: "2026-01-05T08:00:00Z"
        send_to_all: true
        templates:
          - {id: tpl_overdue, integration_id: gmail, config: {subject: S, body: B}}
"""


async def test_an_overdue_scenario_schedule_starts_at_once() -> None:
    async with open_marketing(PAST_SCHEDULED) as org:
        broadcast = await org.broadcast("bc_overdue")
        assert broadcast["status"] == "SENT"
        assert broadcast["scheduled_at"] == at(-3600)
        assert broadcast["started_at"] == broadcast["completed_at"] == at(0)
        [row] = await org.rows("bc_overdue")
        assert row["created_at"] == row["is_sent_at"] == at(0)
