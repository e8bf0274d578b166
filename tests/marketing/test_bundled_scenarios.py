"""The bundled marketing scenarios: scheduled-campaign, loaded as shipped, does what its header
comment says; big-campaign's campaign makes one row per generated contact and template. Its
100,000 contacts are the benchmark's business (`bench/`, the scale group, same shape) and its
served start-up `sidecar/test_health.py`'s; here the same file runs with fewer of them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from support.apps import client_for
from support.language import START, Emu, assert_flags
from support.marketing import Marketing, assert_rows_agree, at

from emulator import create_app, load_scenario_text
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

SHIPPED_CONTACTS = 100_000
# Nothing below depends on the size: 5,000 contacts still take three of the slices the rows are
# made in (emulator/service.py, JOB_SLICE) and fill 100 pages of 100.
CONTACTS = 5_000
TOTAL = 2 * CONTACTS
LAST_PAGE = TOTAL // 100


@contextlib.asynccontextmanager
async def big_campaign() -> AsyncIterator[Marketing]:
    """The bundled big-campaign file with CONTACTS generated contacts instead of its 100,000."""
    text = resolve_scenario_path("big-campaign").read_text(encoding="utf-8")
    shipped = f"count: {SHIPPED_CONTACTS}\n"
    assert text.count(shipped) == 1, "big-campaign no longer generates 100,000 contacts"
    app = create_app(scenario=load_scenario_text(text.replace(shipped, f"count: {CONTACTS}\n")),
                     clock=VirtualClock(START))
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(client_for(app, "test_key_big"))
        yield Marketing(Emu(app, http, stack), "org_big")


async def test_big_campaign_sends_a_row_per_contact_and_template() -> None:
    async with big_campaign() as big:
        sent = await big.send("bc_launch")
        assert sent["status"] == "SENDING"
        launch = await big.broadcast("bc_launch")  # finishes the send's rows

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
                                      params={"take": 100, "page": LAST_PAGE})
        assert response.status_code == 200, response.text
        assert response.headers["pagination-count"] == str(TOTAL)
        assert response.headers["pagination-page"] == str(LAST_PAGE)
        last_page = response.json()
        assert len(last_page) == 100
        # The last page holds the oldest rows: the first contacts' rows.
        assert last_page[-1]["template_id"] == "tpl_launch_email"
        assert {r["broadcast_id"] for r in last_page} == {"bc_launch"}
        beyond = await big.http.get("/orgs/c/broadcasts/bc_launch/recipients",
                                    params={"take": 100, "page": LAST_PAGE + 1})
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
