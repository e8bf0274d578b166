"""The bundled marketing scenarios, loaded as shipped: scheduled-campaign does what its header
comment says, and big-campaign sends 200,000 rows (100,000 generated contacts, two templates)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable

import pytest
from support.apps import client_for
from support.language import START, Emu, assert_flags
from support.marketing import Marketing, assert_rows_agree, at

from emulator import create_app
from emulator.scenario.load import load_scenario_file, resolve_scenario_path
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

NOON = 3 * 3600


@contextlib.asynccontextmanager
async def bundled(name: str, key: str, org_id: str) -> AsyncIterator[Marketing]:
    app = create_app(scenario=load_scenario_file(resolve_scenario_path(name)),
                     clock=VirtualClock(START))
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(client_for(app, key))
        yield Marketing(Emu(app, http, stack), org_id)


@pytest.fixture
async def news() -> AsyncIterator[Marketing]:
    async with bundled("scheduled-campaign", "test_key_news", "org_news") as org:
        yield org


# -- scheduled-campaign -----------------------------------------------------------------------


async def test_newsletter_is_scheduled_then_sending_at_noon_then_sent(news: Marketing) -> None:
    assert await news.now() == at(0)
    newsletter = await news.broadcast("bc_newsletter")
    assert newsletter["status"] == "SCHEDULED"
    assert newsletter["scheduled_at"] == at(NOON)
    assert newsletter["started_at"] is None
    await news.advance(NOON - 1)
    assert await news.status("bc_newsletter") == "SCHEDULED"
    assert await news.rows("bc_newsletter") == []
    await news.advance(1)  # 12:00, as the header's 10800 s advance
    sending = await news.broadcast("bc_newsletter")
    assert sending["status"] == "SENDING"
    assert sending["started_at"] == at(NOON) and sending["completed_at"] is None
    assert_rows_agree(sending, await news.rows("bc_newsletter"))
    await news.advance(300)  # as the header's 300 s advance
    sent = await news.broadcast("bc_newsletter")
    assert sent["status"] == "SENT"
    # The opens come 4 minutes after the start: the last event of the send.
    assert sent["completed_at"] == at(NOON + 240)
    rows = await news.rows("bc_newsletter")
    assert_rows_agree(sent, rows)
    assert {k: sent[k] for k in ("contacts_count", "recipients_count", "skipped_count",
                                 "sent_count", "failed_count", "delivered_count",
                                 "opened_count")} == {
        "contacts_count": 6, "recipients_count": 6, "skipped_count": 3, "sent_count": 3,
        "failed_count": 1, "delivered_count": 2, "opened_count": 2}


async def test_newsletter_rows_skips_and_bounce(news: Marketing) -> None:
    await news.advance(NOON + 300)
    rows = {r["contact"]["id"]: r for r in await news.rows("bc_newsletter")}
    # seg_subscribers + seg_beta, Ada (in both) once.
    assert sorted(rows) == ["ct_ada", "ct_bob", "ct_grace", "ct_linus", "ct_mallory",
                            "ct_oscar"]
    for skipped, reason in (("ct_mallory", "Contact is blocked"),
                            ("ct_oscar", "Contact is unsubscribed"),
                            ("ct_bob", "Contact has no email address for this template")):
        assert_flags(rows[skipped], ["is_skipped"], at(NOON))
        assert rows[skipped]["error_message"] == reason
    linus = rows["ct_linus"]
    assert_flags(linus, ["is_sent", "is_bounced", "is_failed"], {
        "is_sent": at(NOON), "is_bounced": at(NOON + 120), "is_failed": at(NOON + 120)})
    assert linus["error_message"]
    for opened in ("ct_ada", "ct_grace"):
        assert_flags(rows[opened], ["is_sent", "is_delivered", "is_opened"], {
            "is_sent": at(NOON), "is_delivered": at(NOON + 30), "is_opened": at(NOON + 240)})
    assert all(row["status"] == "PROCESSED" for row in rows.values())
    suppressions = (await news.http.get("/_emulator/suppressions",
                                        params={"org_id": "org_news"})).json()
    assert [s["address"] for s in suppressions] == ["linus@bounce.example"]


async def test_outage_fails_with_its_reason_every_time(news: Marketing) -> None:
    first = await news.send("bc_outage")
    assert first["status"] == "FAILED"
    outage = await news.broadcast("bc_outage")
    assert outage["status"] == "FAILED"
    assert outage["error_message"] == "Provider account suspended"
    assert outage["recipients_count"] == 0 and await news.rows("bc_outage") == []
    await news.advance(60)
    again = await news.send("bc_outage")
    assert again["status"] == "FAILED"
    assert again["error_message"] == "Provider account suspended"
    assert again["started_at"] == at(60)


# -- big-campaign -----------------------------------------------------------------------------

TOTAL = 200_000


@pytest.mark.slow  # 200,000 rows: left out by `dev.py test --fast`
async def test_big_campaign_sends_200000_rows(
        record_property: Callable[[str, object], None]) -> None:
    async with bundled("big-campaign", "test_key_big", "org_big") as big:
        started = time.perf_counter()
        sent = await big.send("bc_launch")
        assert sent["status"] == "SENDING"
        launch = await big.broadcast("bc_launch")  # finishes the send's rows
        elapsed = time.perf_counter() - started
        record_property("big_campaign_send_seconds", round(elapsed, 2))
        print(f"\nbig-campaign: send + completion of {TOTAL} rows took {elapsed:.2f} s")

        assert launch["status"] == "SENT"
        assert launch["started_at"] == launch["completed_at"] == at(0)
        assert launch["recipients_count"] == TOTAL
        assert launch["contacts_count"] == TOTAL // 2
        assert {t["id"]: t["recipients_count"] for t in launch["templates"]} == {
            "tpl_launch_email": TOTAL // 2, "tpl_launch_sms": TOTAL // 2}
        # Every row is skipped, sent, or failed without being sent (a bounce is sent and failed).
        both = await big.http.get("/orgs/c/broadcasts/bc_launch/recipients",
                                  params={"is_sent": "true", "is_failed": "true", "take": 1})
        bounced = int(both.headers["pagination-count"])
        assert (launch["sent_count"] + launch["skipped_count"] + launch["failed_count"]
                - bounced) == TOTAL
        # No outcome rules and no magic addresses among the generated ones: all delivered.
        assert launch["sent_count"] == launch["delivered_count"] == TOTAL
        assert launch["skipped_count"] == launch["failed_count"] == bounced == 0
        for counter in ("opened_count", "played_count", "click_count", "complained_count",
                        "unsubscribed_count"):
            assert launch[counter] == 0, counter

        response = await big.http.get("/orgs/c/broadcasts/bc_launch/recipients",
                                      params={"take": 100, "page": 2000})
        assert response.status_code == 200, response.text
        assert response.headers["pagination-count"] == str(TOTAL)
        assert response.headers["pagination-page"] == "2000"
        last_page = response.json()
        assert len(last_page) == 100
        # The last page holds the oldest rows: the first contacts' rows.
        assert last_page[-1]["template_id"] == "tpl_launch_email"
        assert {r["broadcast_id"] for r in last_page} == {"bc_launch"}
        beyond = await big.http.get("/orgs/c/broadcasts/bc_launch/recipients",
                                    params={"take": 100, "page": 2001})
        assert beyond.json() == [] and beyond.headers["pagination-count"] == str(TOTAL)

        # Each counter is the number of rows its flag filter finds.
        for flag, counter in (("is_sent", "sent_count"), ("is_skipped", "skipped_count"),
                              ("is_failed", "failed_count"),
                              ("is_delivered", "delivered_count")):
            found = await big.http.get("/orgs/c/broadcasts/bc_launch/recipients",
                                       params={flag: "true", "take": 1})
            assert found.headers["pagination-count"] == str(launch[counter]), flag
        for integration, template in (("gmail", "tpl_launch_email"),
                                      ("twilio", "tpl_launch_sms")):
            found = await big.http.get("/orgs/c/broadcasts/bc_launch/recipients",
                                       params={"integration_id": integration, "take": 1})
            assert found.headers["pagination-count"] == str(TOTAL // 2)
            assert found.json()[0]["template_id"] == template
        processing = await big.http.get("/orgs/c/broadcasts/bc_launch/recipients",
                                        params={"status": "SENDING", "take": 1})
        assert processing.headers["pagination-count"] == "0"
