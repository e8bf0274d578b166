"""Cancelling a marketing send (POST /_emulator/orgs/{org}/broadcasts/{id}/cancel), sending again
after CANCELLED or FAILED, and a scenario's `fail_with` (invent-api.md §3 "Send → Marketing";
docs/control-surface.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.marketing import (
    HEADER,
    Marketing,
    assert_error,
    assert_rows_agree,
    at,
    open_marketing,
)

pytestmark = pytest.mark.anyio

# bc_slow: Ada's row is processed at once; Bob's is sent after 60 s and delivered after 120 s;
# Cy's is delivered after 30 s.
CANCEL = HEADER + """
orgs:
  - id: org_m
    api_keys: [key_m]
    segments:
      - {id: seg_a, name: A}
    contacts:
      - {id: ct_ada, name: Ada, email: ada@example.test, segments: [seg_a]}
      - {id: ct_bob, name: Bob, email: bob@example.test, segments: [seg_a]}
      - {id: ct_cy, name: Cy, email: cy@example.test, segments: [seg_a]}
    broadcasts:
      - id: bc_sched
        name: At noon
        status: SCHEDULED
        scheduled_at: "2026-01-05T12:00:00Z"
        segment_ids: [seg_a]
        templates:
          - {id: tpl_sched, integration_id: gmail, config: {subject: S, body: B}}
      - id: bc_slow
        name: Slow
        segment_ids: [seg_a]
        templates:
          - {id: tpl_slow, integration_id: gmail, config: {subject: S, body: B}}
      - id: bc_fast
        name: Fast
        send_to_all: true
        templates:
          - {id: tpl_fast, integration_id: gmail, config: {subject: S, body: B}}
      - id: bc_fail
        name: Fails
        send_to_all: true
        fail_with: "Provider account suspended"
        templates:
          - {id: tpl_fail, integration_id: gmail, config: {subject: S, body: B}}
      - id: bc_tx
        name: Transactional
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_tx, integration_id: gmail, config: {subject: S, body: B}}
outcomes:
  - when: {broadcast_id: bc_slow, contact_id: ct_bob}
    outcome: delivered
    timing: {sent_after: 60s, delivered_after: 120s}
  - when: {broadcast_id: bc_slow, contact_id: ct_cy}
    outcome: delivered
    timing: {delivered_after: 30s}
"""
NOON = 3 * 3600


@pytest.fixture
async def org() -> AsyncIterator[Marketing]:
    async with open_marketing(CANCEL) as org:
        yield org


async def _cancelled(org: Marketing, broadcast_id: str) -> None:
    response = await org.cancel(broadcast_id)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == broadcast_id
    assert response.json()["status"] == "CANCELLED"


# -- from SCHEDULED ---------------------------------------------------------------------------


async def test_cancel_a_scheduled_send_and_it_never_starts(org: Marketing) -> None:
    assert await org.status("bc_sched") == "SCHEDULED"
    await org.advance(60)
    await _cancelled(org, "bc_sched")
    await org.advance(NOON)
    broadcast = await org.broadcast("bc_sched")
    assert broadcast["status"] == "CANCELLED"
    assert broadcast["started_at"] is None and broadcast["completed_at"] is None
    assert broadcast["recipients_count"] == 0
    assert await org.rows("bc_sched") == []


async def test_cancel_a_send_scheduled_through_the_api(org: Marketing) -> None:
    created = await org.create_broadcast(name="Later", scheduled_at=at(600),
                                         segment_ids=["seg_a"])
    await org.add_template(created["id"])
    assert (await org.send(created["id"]))["status"] == "SCHEDULED"
    await org.advance(599)
    await _cancelled(org, created["id"])
    await org.advance(3600)
    assert await org.status(created["id"]) == "CANCELLED"
    assert await org.rows(created["id"]) == []


async def test_resend_after_a_cancelled_schedule(org: Marketing) -> None:
    await _cancelled(org, "bc_sched")
    # scheduled_at is still ahead: the new send is scheduled again, and starts at noon.
    assert (await org.send("bc_sched"))["status"] == "SCHEDULED"
    await org.advance(NOON - 1)
    assert await org.status("bc_sched") == "SCHEDULED"
    await org.advance(1)
    broadcast = await org.broadcast("bc_sched")
    assert broadcast["status"] == "SENT" and broadcast["started_at"] == at(NOON)
    rows = await org.rows("bc_sched")
    assert len(rows) == 3
    assert_rows_agree(broadcast, rows)


async def test_resend_after_the_scheduled_time_passed_sends_at_once(org: Marketing) -> None:
    await _cancelled(org, "bc_sched")
    await org.advance(NOON + 60)
    sent = await org.send("bc_sched")
    assert sent["status"] == "SENDING" and sent["started_at"] == at(NOON + 60)
    broadcast = await org.broadcast("bc_sched")
    assert broadcast["status"] == "SENT"
    assert_rows_agree(broadcast, await org.rows("bc_sched"))


# -- from SENDING -----------------------------------------------------------------------------


async def test_cancel_while_sending_leaves_unprocessed_rows_unsent(org: Marketing) -> None:
    await org.send("bc_slow")
    await org.advance(10)
    assert await org.status("bc_slow") == "SENDING"
    await _cancelled(org, "bc_slow")
    await org.advance(600)
    broadcast = await org.broadcast("bc_slow")
    assert broadcast["status"] == "CANCELLED"
    rows = {r["contact"]["id"]: r for r in await org.rows("bc_slow")}
    assert rows["ct_ada"]["status"] == "PROCESSED" and rows["ct_ada"]["is_delivered"]
    # Bob's message was never sent; Cy's was sent but its delivery never came.
    bob, cy = rows["ct_bob"], rows["ct_cy"]
    assert bob["status"] == "SENDING"
    assert not any(bob[flag] for flag in ("is_sent", "is_delivered", "is_failed", "is_skipped"))
    assert bob["is_sent_at"] is None and bob["external_message_id"] is None
    assert cy["status"] == "SENDING" and cy["is_sent"] and not cy["is_delivered"]
    assert (broadcast["sent_count"], broadcast["delivered_count"]) == (2, 1)
    assert_rows_agree(broadcast, list(rows.values()))
    assert await org.rows("bc_slow", status="SENDING", take=1) == [
        r for r in await org.rows("bc_slow") if r["status"] == "SENDING"]


async def test_resend_after_cancelled_sending_starts_afresh(org: Marketing) -> None:
    await org.send("bc_slow")
    await org.advance(10)
    old = {r["id"] for r in await org.rows("bc_slow")}
    await _cancelled(org, "bc_slow")
    await org.advance(600)  # the cancelled send's timeline is over
    sent = await org.send("bc_slow")
    assert sent["status"] == "SENDING" and sent["started_at"] == at(610)
    assert sent["error_message"] is None and sent["completed_at"] is None
    rows = await org.rows("bc_slow")
    assert len(rows) == 3 and not old & {r["id"] for r in rows}
    broadcast = await org.broadcast("bc_slow")
    assert_rows_agree(broadcast, rows)
    await org.advance(120)
    broadcast = await org.broadcast("bc_slow")
    rows = await org.rows("bc_slow")
    assert broadcast["status"] == "SENT" and broadcast["completed_at"] == at(730)
    assert broadcast["delivered_count"] == 3
    assert_rows_agree(broadcast, rows)


async def test_resend_right_after_cancel_ignores_the_old_rows_timeline(org: Marketing) -> None:
    """Regression: at 4f24cdf the cancelled send's pending events still fired after the re-send,
    moving the new send's counters and making it SENT early."""
    await org.send("bc_slow")
    await org.advance(10)
    await _cancelled(org, "bc_slow")
    await org.send("bc_slow")  # again at once: the old rows' events are still to come
    # The old rows' events fall due at 30 s, 60 s and 120 s; the new rows' at 40 s, 70 s, 130 s.
    elapsed = 10
    for moment, status in ((25, "SENDING"), (35, "SENDING"), (55, "SENDING"),
                           (65, "SENDING"), (125, "SENDING"), (130, "SENT")):
        await org.advance(moment - elapsed)
        elapsed = moment
        broadcast = await org.broadcast("bc_slow")
        assert_rows_agree(broadcast, await org.rows("bc_slow"))
        assert broadcast["status"] == status, moment
    assert broadcast["completed_at"] == at(130)
    assert broadcast["delivered_count"] == 3


# -- what cannot be cancelled -----------------------------------------------------------------


async def test_cancel_a_draft_is_400(org: Marketing) -> None:
    response = await org.cancel("bc_slow")
    assert_error(response, 400)
    assert "DRAFT" in response.json()["message"]
    assert await org.status("bc_slow") == "DRAFT"


async def test_cancel_a_sent_broadcast_is_400(org: Marketing) -> None:
    await org.send("bc_fast")
    assert await org.status("bc_fast") == "SENT"
    assert_error(await org.cancel("bc_fast"), 400)
    broadcast = await org.broadcast("bc_fast")
    assert broadcast["status"] == "SENT"
    assert_rows_agree(broadcast, await org.rows("bc_fast"))


async def test_cancel_twice_is_400(org: Marketing) -> None:
    await _cancelled(org, "bc_sched")
    assert_error(await org.cancel("bc_sched"), 400)


async def test_cancel_a_failed_send_is_400(org: Marketing) -> None:
    await org.send("bc_fail")
    assert_error(await org.cancel("bc_fail"), 400)
    assert await org.status("bc_fail") == "FAILED"


async def test_cancel_a_transactional_broadcast_is_400(org: Marketing) -> None:
    response = await org.cancel("bc_tx")
    assert_error(response, 400)
    assert "transactional" in response.json()["message"]
    assert await org.status("bc_tx") == "ACTIVE"


async def test_cancel_unknown_broadcast_or_org_is_404(org: Marketing) -> None:
    assert_error(await org.cancel("bc_nope"), 404)
    response = await org.http.post("/_emulator/orgs/org_nope/broadcasts/bc_sched/cancel")
    assert_error(response, 404)


# -- fail_with --------------------------------------------------------------------------------


async def test_fail_with_ends_failed_with_its_reason_and_can_be_sent_again(
        org: Marketing) -> None:
    await org.advance(30)
    sent = await org.send("bc_fail")
    assert sent["status"] == "FAILED"
    failed = await org.broadcast("bc_fail")
    assert failed["status"] == "FAILED"
    assert failed["error_message"] == "Provider account suspended"
    assert failed["started_at"] == at(30)
    assert failed["recipients_count"] == 0 and await org.rows("bc_fail") == []
    await org.advance(30)
    again = await org.send("bc_fail")
    assert again["status"] == "FAILED"
    assert again["error_message"] == "Provider account suspended"
    assert again["started_at"] == at(60)
    assert_rows_agree(await org.broadcast("bc_fail"), [])


async def test_failed_send_can_be_sent_again_once_fixed(org: Marketing) -> None:
    # A FAILED broadcast accepts templates and sends again; fail_with still decides the end.
    await org.send("bc_fail")
    await org.add_template("bc_fail", "twilio")
    assert (await org.send("bc_fail"))["status"] == "FAILED"
    assert [t["recipients_count"] for t in (await org.broadcast("bc_fail"))["templates"]] == [
        0, 0]
