"""Webhooks: each recipient event POSTed as signed JSON when it happens on the clock, retried on
5xx with backoff on the same clock, final on 4xx, and logged.

The sender works in the background after a request; tests wait for it by polling the delivery
log (with a deadline)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket

import httpx
import pytest
from pytest_httpserver import HTTPServer
from support.language import (
    FLAGS,
    OUTCOME_FLAGS,
    START,
    VIRTUAL,
    Call,
    Emu,
    Json,
    Receiver,
    app_from_yaml,
    at,
    eventually,
    open_emulator,
    scenario,
)

from emulator.testing import ThreadedServer, VirtualClock

pytestmark = pytest.mark.anyio

SECRET = "whsec_test"
RECIPIENT_KEYS = {
    "id", "broadcast_id", "broadcast_name", "template_id", "integration_id", "user_id", "name",
    "username", "phone", "email", "status", "error_message", "external_message_id",
    "created_at", "updated_at", "contact", *FLAGS, *(f"{flag}_at" for flag in FLAGS),
}
# The events each outcome reports, in order (a bounce is not also reported as a failure).
OUTCOME_EVENTS = {
    "sent": ["recipient.sent"],
    "delivered": ["recipient.sent", "recipient.delivered"],
    "opened": ["recipient.sent", "recipient.delivered", "recipient.opened"],
    "played": ["recipient.sent", "recipient.delivered", "recipient.played"],
    "clicked": ["recipient.sent", "recipient.delivered", "recipient.opened", "recipient.clicked"],
    "bounced": ["recipient.sent", "recipient.bounced"],
    "failed": ["recipient.failed"],
    "complained": ["recipient.sent", "recipient.delivered", "recipient.complained"],
    "unsubscribed": ["recipient.sent", "recipient.delivered", "recipient.unsubscribed"],
    "skipped": ["recipient.skipped"],
}
ONE_RULE_PER_OUTCOME = "outcomes:\n" + "".join(
    f'  - {{when: {{email: "*@{name}.test"}}, outcome: {name}}}\n' for name in OUTCOME_FLAGS
)


def webhooks(*entries: str) -> str:
    return "webhooks:\n" + "".join(f"  - {entry}\n" for entry in entries)


def payload(call: Call) -> Json:
    body = json.loads(call.body)
    assert isinstance(body, dict)
    return body


def distinct(calls: list[Call]) -> dict[str, Call]:
    """Calls by delivery id (see test_each_delivery_is_attempted_once for duplicates)."""
    return {call.headers["invent-delivery"]: call for call in calls}


async def received(receiver: Receiver, count: int) -> list[Call]:
    """Wait until `count` distinct deliveries arrived."""

    async def enough() -> list[Call] | None:
        calls = list(distinct(receiver.calls).values())
        return calls if len(calls) >= count else None

    return await eventually(enough, what=f"{count} webhook deliveries")


async def test_every_event_type_arrives_signed_with_the_documented_envelope(
        httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    text = scenario(ONE_RULE_PER_OUTCOME + webhooks(
        f"{{url: '{receiver.url}', secret: {SECRET}}}"))
    async with open_emulator(text) as emu:
        rows = {name: await emu.send_one({"email": f"x@{name}.test"}) for name in OUTCOME_FLAGS}
        expected = sorted((rows[name]["id"], event) for name, events in OUTCOME_EVENTS.items()
                          for event in events)
        calls = await received(receiver, len(expected))
        await emu.webhooks_settled(len(expected))
        final = {row["id"]: row for row in await emu.rows()}

    got = sorted((payload(c)["data"]["id"], payload(c)["type"]) for c in calls)
    assert got == expected
    for call in calls:
        body = payload(call)
        assert set(body) == {"id", "type", "created_at", "org_id", "data"}
        assert body["id"].startswith("evt_")
        assert body["created_at"] == at(0)
        assert body["org_id"] == "org_a"
        assert call.headers["content-type"] == "application/json"
        assert call.headers["invent-event"] == body["type"]
        assert call.headers["invent-delivery"].startswith("whd_")
        expected_signature = "sha256=" + hmac.new(SECRET.encode(), call.body,
                                                  hashlib.sha256).hexdigest()
        assert call.headers["invent-signature"] == expected_signature
        data = body["data"]
        assert set(data) == RECIPIENT_KEYS
        row = final[data["id"]]
        assert data["email"] == row["email"]
        assert data["broadcast_id"] == "bc_mail"
        flag = "is_" + body["type"].removeprefix("recipient.")
        if flag == "is_clicked":  # the documented row has no click flag: it shows the open
            assert "is_clicked" not in data and "is_clicked_at" not in data
            flag = "is_opened"
        assert data[flag] is True
        assert data[f"{flag}_at"] == at(0)
    # Distinct events have distinct ids.
    assert len({payload(c)["id"] for c in calls}) == len(calls)


async def test_without_a_secret_there_is_no_signature(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    async with open_emulator(scenario(webhooks(f"{{url: '{receiver.url}'}}"))) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        calls = await received(receiver, 2)
        await emu.webhooks_settled(2)
    assert all("invent-signature" not in c.headers for c in calls)
    assert sorted(payload(c)["type"] for c in calls) == ["recipient.delivered",
                                                         "recipient.sent"]


async def test_events_filter(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    text = scenario(ONE_RULE_PER_OUTCOME + webhooks(
        f"{{url: '{receiver.url}', events: [recipient.delivered, recipient.bounced]}}"))
    async with open_emulator(text) as emu:
        for name in OUTCOME_FLAGS:
            await emu.send_one({"email": f"x@{name}.test"})
        log = await emu.webhooks_settled(7)
        calls = list(distinct(receiver.calls).values())
    # delivered, opened, played, clicked, complained, unsubscribed deliver; bounced bounces.
    types = sorted(payload(c)["type"] for c in calls)
    assert types == ["recipient.bounced"] + ["recipient.delivered"] * 6
    assert sorted(d["event"] for d in log) == types


async def test_a_bounce_is_not_also_a_failure(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    async with open_emulator(scenario(webhooks(f"{{url: '{receiver.url}'}}"))) as emu:
        row = await emu.send_one({"email": "bounced@x.test"})
        assert row["is_failed"] is True
        await received(receiver, 2)
        log = await emu.webhooks_settled(2)
    assert sorted(d["event"] for d in log) == ["recipient.bounced", "recipient.sent"]
    assert sorted(payload(c)["type"] for c in distinct(receiver.calls).values()) == [
        "recipient.bounced", "recipient.sent"]


async def test_5xx_is_retried_after_1_and_2_seconds(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver, statuses=[500, 500])
    text = scenario(webhooks(f"{{url: '{receiver.url}', events: [recipient.delivered]}}"))
    async with open_emulator(text) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        [delivery] = await emu.webhooks_settled(1)
        assert delivery["state"] == "pending"
        assert delivery["next_attempt_at"] == at(1)
        assert delivery["attempts"] == [{"at": at(0), "status": 500, "error": None}]

        await emu.advance(0.999)
        assert len(receiver.calls) == 1
        await emu.advance(0.001)
        [delivery] = await emu.webhook_log()
        assert [a["status"] for a in delivery["attempts"]] == [500, 500]
        assert delivery["next_attempt_at"] == at(3)

        await emu.advance(1.999)
        assert len(receiver.calls) == 2
        await emu.advance(0.001)
        [delivery] = await emu.webhook_log()
        await emu.advance(60)
        [after] = await emu.webhook_log()
    assert delivery["state"] == "delivered"
    assert delivery["next_attempt_at"] is None
    assert delivery["attempts"] == [{"at": at(0), "status": 500, "error": None},
                                    {"at": at(1), "status": 500, "error": None},
                                    {"at": at(3), "status": 200, "error": None}]
    assert after == delivery
    calls = receiver.calls
    assert len(calls) == 3
    # The same delivery, byte for byte, each time.
    assert len({c.headers["invent-delivery"] for c in calls}) == 1
    assert len({c.body for c in calls}) == 1
    assert delivery["payload"] == payload(calls[0])


async def test_4xx_is_final(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver, statuses=[400])
    text = scenario(webhooks(f"{{url: '{receiver.url}', events: [recipient.delivered]}}"))
    async with open_emulator(text) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        [delivery] = await emu.webhooks_settled(1)
        await emu.advance(3600)
        [after] = await emu.webhook_log()
    assert delivery["state"] == "failed"
    assert delivery["next_attempt_at"] is None
    assert delivery["attempts"] == [{"at": at(0), "status": 400, "error": None}]
    assert after == delivery
    assert len(receiver.calls) == 1


async def test_max_attempts(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver, statuses=[503] * 10)
    text = scenario(webhooks(
        f"{{url: '{receiver.url}', events: [recipient.delivered], max_attempts: 3}}"))
    async with open_emulator(text) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        await emu.webhooks_settled(1)
        for seconds in (1, 2, 4, 8, 16):
            await emu.advance(seconds)
        [delivery] = await emu.webhook_log()
    assert delivery["state"] == "failed"
    assert [(a["at"], a["status"]) for a in delivery["attempts"]] == [
        (at(0), 503), (at(1), 503), (at(3), 503)]
    assert len(receiver.calls) == 3


async def test_unreachable_receiver_is_retried_then_fails() -> None:
    # A port bound but never listened on refuses connections.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        await _unreachable(f"http://127.0.0.1:{closed.getsockname()[1]}/hooks")


async def _unreachable(url: str) -> None:
    text = scenario(webhooks(f"{{url: '{url}', events: [recipient.delivered], "
                             "max_attempts: 2, timeout: 2s}"))
    async with open_emulator(text) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        [delivery] = await emu.webhooks_settled(1)
        assert delivery["state"] == "pending"
        await emu.advance(1)
        [delivery] = await emu.webhook_log()
    assert delivery["state"] == "failed"
    assert [a["status"] for a in delivery["attempts"]] == [None, None]
    assert all(a["error"] for a in delivery["attempts"])


async def test_timed_events_are_delivered_when_the_clock_reaches_them(
        httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    text = scenario(
        "outcomes:\n"
        '  - {when: {email: "*@slow.test"}, outcome: opened,\n'
        "     timing: {delivered_after: 30s, opened_after: 2m}}\n"
        + webhooks(f"{{url: '{receiver.url}', secret: {SECRET}}}"))
    async with open_emulator(text) as emu:
        row = await emu.send_one({"email": "ada@slow.test"})
        [sent] = await received(receiver, 1)
        await emu.webhooks_settled(1)
        assert payload(sent)["type"] == "recipient.sent"

        await emu.advance(29.999)
        assert len(distinct(receiver.calls)) == 1
        assert len(await emu.webhook_log()) == 1
        await emu.advance(0.001)
        calls = await received(receiver, 2)
        await emu.advance(89.999)
        assert len(distinct(receiver.calls)) == 2
        await emu.advance(0.001)
        calls = await received(receiver, 3)
        log = await emu.webhooks_settled(3)

    by_type = {payload(c)["type"]: payload(c) for c in calls}
    assert {t: p["created_at"] for t, p in by_type.items()} == {
        "recipient.sent": at(0), "recipient.delivered": at(30), "recipient.opened": at(120)}
    assert all(p["data"]["id"] == row["id"] for p in by_type.values())
    assert by_type["recipient.delivered"]["data"]["is_delivered_at"] == at(30)
    assert by_type["recipient.delivered"]["data"]["is_opened"] is False
    assert all(d["state"] == "delivered" for d in log)
    assert {d["event"]: d["attempts"][0]["at"] for d in log} == {
        "recipient.sent": at(0), "recipient.delivered": at(30), "recipient.opened": at(120)}


async def _two_orgs_with_a_good_and_a_bad_receiver(emu: Emu) -> None:
    other = await emu.with_key("key_b")
    await emu.send_one({"contact_id": "ct_ada"})
    await other.send_one({"email": "failed@x.test"})
    # org_a: sent + delivered; org_b: failed. Two receivers each.
    await emu.webhooks_settled(6)


async def test_log_filters(httpserver: HTTPServer) -> None:
    good = Receiver(httpserver, "/good")
    bad = Receiver(httpserver, "/bad", statuses=[410] * 10)
    text = scenario(webhooks(f"{{url: '{good.url}'}}", f"{{url: '{bad.url}'}}"))
    async with open_emulator(text, key="key_a") as emu:
        await _two_orgs_with_a_good_and_a_bad_receiver(emu)
        everything = await emu.webhook_log()
        org_a = await emu.webhook_log(org_id="org_a")
        org_b = await emu.webhook_log(org_id="org_b")
        failed = await emu.webhook_log(state="failed")
        delivered = await emu.webhook_log(state="delivered")
        pending = await emu.webhook_log(state="pending")
        sent_events = await emu.webhook_log(event="recipient.sent")
        b_failed = await emu.webhook_log(org_id="org_b", event="recipient.failed",
                                         state="failed")
        bad_state = await emu.http.get("/_emulator/webhooks", params={"state": "lost"})
    assert len(everything) == 6
    assert all(set(d) == {"id", "org_id", "url", "event", "state", "next_attempt_at",
                          "attempts", "payload"} for d in everything)
    assert sorted((d["org_id"], d["event"]) for d in org_a) == [
        ("org_a", "recipient.delivered"), ("org_a", "recipient.delivered"),
        ("org_a", "recipient.sent"), ("org_a", "recipient.sent")]
    assert sorted((d["org_id"], d["event"]) for d in org_b) == [
        ("org_b", "recipient.failed"), ("org_b", "recipient.failed")]
    assert {d["url"] for d in failed} == {bad.url} and len(failed) == 3
    assert {d["url"] for d in delivered} == {good.url} and len(delivered) == 3
    assert pending == []
    assert {d["event"] for d in sent_events} == {"recipient.sent"} and len(sent_events) == 2
    assert [(d["org_id"], d["url"]) for d in b_failed] == [("org_b", bad.url)]
    assert bad_state.status_code == 400


async def test_reset_drops_an_orgs_deliveries(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    async with open_emulator(scenario(webhooks(f"{{url: '{receiver.url}'}}"))) as emu:
        other = await emu.with_key("key_b")
        await emu.send_one({"contact_id": "ct_ada"})
        await other.send_one({"contact_id": "ct_ada"})
        await emu.webhooks_settled(4)
        response = await emu.http.post("/_emulator/reset", json={"org_id": "org_a"})
        assert response.status_code == 200
        log = await emu.webhook_log()
    assert {d["org_id"] for d in log} == {"org_b"}


async def test_each_delivery_is_attempted_once(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    text = scenario(
        "outcomes:\n"
        '  - {when: {email: "*@slow.test"}, outcome: delivered, timing: {delivered_after: 5s}}\n'
        + webhooks(f"{{url: '{receiver.url}'}}"))
    async with open_emulator(text) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        await emu.advance(0)  # documented: answers after the due webhooks were attempted
        await emu.send_one({"email": "ada@slow.test"})
        await emu.advance(5)
        log = await emu.webhooks_settled(4)
    assert [len(d["attempts"]) for d in log] == [1, 1, 1, 1]
    ids = [c.headers["invent-delivery"] for c in receiver.calls]
    assert len(ids) == len(set(ids)) == 4


async def test_the_last_events_payload_shows_the_row_processed(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    text = scenario(webhooks(f"{{url: '{receiver.url}', events: [recipient.delivered]}}"))
    async with open_emulator(text) as emu:
        row = await emu.send_one({"contact_id": "ct_ada"})
        [call] = await received(receiver, 1)
        await emu.webhooks_settled(1)
    assert row["status"] == "PROCESSED"
    assert payload(call)["data"]["status"] == "PROCESSED"


async def test_an_event_during_a_delivery_is_still_delivered(httpserver: HTTPServer) -> None:
    # On a served emulator, a request's webhooks go out after its answer: while the receiver
    # still holds the first delivery, a second event happens and must not be lost.
    receiver = Receiver(httpserver, hold_first=True)
    text = scenario(webhooks(f"{{url: '{receiver.url}', events: [recipient.delivered]}}"))
    server = ThreadedServer(app_from_yaml(text, VirtualClock(START))).start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10,
                                     headers={"Authorization": "Bearer key_a"}) as http:
            first = await http.post("/orgs/c/broadcasts/bc_mail/send",
                                    json={"contact_id": "ct_ada"})
            assert first.status_code == 200, first.text

            async def in_flight() -> bool:
                return bool(receiver.calls)

            try:
                await eventually(in_flight, what="the first delivery to reach the receiver")
                second = await http.post("/orgs/c/broadcasts/bc_mail/send",
                                         json={"contact_id": "ct_bob"})
                assert second.status_code == 200, second.text
            finally:
                receiver.release()

            async def settled() -> list[Json] | None:
                log = (await http.get("/_emulator/webhooks")).json()
                return log if len(log) == 2 and all(d["state"] != "pending" for d in log) else None

            log = await eventually(settled, 10, "both deliveries to settle")
    finally:
        server.stop()
    assert [d["state"] for d in log] == ["delivered", "delivered"]
    assert len(distinct(receiver.calls)) == 2


async def test_a_marketing_sends_rows_report_each_event_as_it_happens(
        httpserver: HTTPServer) -> None:
    # With a target listening, the rows' flags are played one at a time (not in runs,
    # emulator/domain/sendslice.py): the `sent` event shows the row before its delivery, the
    # `delivered` one shows it PROCESSED.
    receiver = Receiver(httpserver)
    text = "seed: 11\n" + VIRTUAL + f"""
orgs:
  - id: org_m
    api_keys: [key_m]
    contacts:
      - {{id: ct_ada, name: Ada, email: ada@example.test}}
      - {{id: ct_bob, name: Bob, email: bob@example.test}}
    broadcasts:
      - id: bc_one
        name: One
        type: MARKETING
        status: DRAFT
        send_to_all: true
        templates:
          - {{id: tpl_mail, integration_id: gmail, config: {{subject: Hi, body: Hi}}}}
webhooks:
  - {{url: '{receiver.url}'}}
"""
    async with open_emulator(text, "key_m") as emu:
        assert (await emu.http.post("/orgs/c/broadcasts/bc_one/send")).status_code == 200
        rows = await emu.rows("bc_one")
        await emu.webhooks_settled(4)
        calls = [payload(call) for call in distinct(receiver.calls).values()]
    assert len(rows) == 2
    seen = {(c["data"]["id"], c["type"]): (c["data"]["status"], c["data"]["is_delivered"])
            for c in calls}
    assert seen == {key: value for row in rows for key, value in (
        ((row["id"], "recipient.sent"), ("SENDING", False)),
        ((row["id"], "recipient.delivered"), ("PROCESSED", True)))}
