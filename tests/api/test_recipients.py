"""GET /orgs/{org_id}/broadcasts/{broadcast_id}/recipients (seed 004, invent-api.md §3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from support.api import FLAGS, RECIPIENT_KEYS, Json, assert_error, recipients, send
from support.apps import app_from_yaml, client_for
from support.scenarios import CHANNELS
from support.wire import CHANNEL_KEYS, CONTACT_KEYS

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

# ct_phone's messages are delivered an hour after they are sent, so they stay SENDING until then.
SLOW_PHONE = CHANNELS + """
outcomes:
  - when: {contact_id: ct_phone}
    outcome: delivered
    timing: {delivered_after: 1h}
"""

FILTERABLE = [f for f in FLAGS if f != "is_bounced"]


@dataclass
class Sent:
    http: httpx.AsyncClient
    clock: VirtualClock
    # Every row the sends answered, oldest first.
    rows: list[Json]


@pytest.fixture
async def sent(clock: VirtualClock) -> AsyncIterator[Sent]:
    app = app_from_yaml(SLOW_PHONE, clock)
    async with client_for(app, "key_s") as http:
        rows: list[Json] = []
        for body in (
            {"contact_id": "ct_full"},
            {"contact_id": "ct_mail"},
            {"contact_id": "ct_phone"},
            {"email": "pat+opened@example.test"},
            {"email": "kim+failed@example.test"},
            {"email": "lou+played@example.test"},
            {"email": "max+complained@example.test"},
            {"email": "ned+unsubscribed@example.test"},
        ):
            rows += await send(http, "bc_all", body)
            clock.advance(1)
        yield Sent(http, clock, rows)


async def test_rows_have_the_documented_shape(sent: Sent) -> None:
    listed = await recipients(sent.http, "bc_all")
    assert len(listed) == len(sent.rows) == 48
    for row in listed:
        assert set(row) == RECIPIENT_KEYS
        assert row["broadcast_id"] == "bc_all"
        assert row["broadcast_name"] == "Every channel"
        assert row["status"] in ("SENDING", "PROCESSED")
        assert set(row["contact"]) == CONTACT_KEYS
        for channel in row["contact"]["channels"]:
            assert set(channel) == CHANNEL_KEYS
        for flag in FLAGS:
            assert isinstance(row[flag], bool)
            assert (row[f"{flag}_at"] is not None) == row[flag]


async def test_newest_first_and_stable(sent: Sent) -> None:
    listed = await recipients(sent.http, "bc_all")
    assert [r["id"] for r in listed] == [r["id"] for r in reversed(sent.rows)]
    again = await recipients(sent.http, "bc_all")
    assert [r["id"] for r in again] == [r["id"] for r in listed]


async def test_pagination(sent: Sent) -> None:
    everything = [r["id"] for r in await recipients(sent.http, "bc_all")]
    default = await sent.http.get("/orgs/c/broadcasts/bc_all/recipients")
    assert len(default.json()) == 48
    assert (default.headers["pagination-count"], default.headers["pagination-page"],
            default.headers["pagination-take"]) == ("48", "1", "100")
    paged: list[str] = []
    for page in range(1, 6):
        response = await sent.http.get("/orgs/c/broadcasts/bc_all/recipients",
                                       params={"page": page, "take": 10})
        assert response.headers["pagination-count"] == "48"
        assert response.headers["pagination-page"] == str(page)
        assert response.headers["pagination-take"] == "10"
        paged += [r["id"] for r in response.json()]
    assert paged == everything
    past = await sent.http.get("/orgs/c/broadcasts/bc_all/recipients",
                               params={"page": 6, "take": 10})
    assert past.json() == []
    assert past.headers["pagination-count"] == "48"


@pytest.mark.parametrize(("name", "value"), [
    ("take", "101"), ("take", "0"), ("take", "5_0"), ("page", "0"), ("page", "x"),
])
async def test_bad_pagination_is_400(sent: Sent, name: str, value: str) -> None:
    response = await sent.http.get("/orgs/c/broadcasts/bc_all/recipients", params={name: value})
    assert_error(response, 400, name)


async def test_status_filter(sent: Sent) -> None:
    sending = await recipients(sent.http, "bc_all", status="SENDING")
    assert {r["template_id"] for r in sending} == {"t_twilio", "t_telnyx", "t_wa"}
    assert all(r["contact"]["id"] == "ct_phone" and r["status"] == "SENDING" for r in sending)
    processed = await recipients(sent.http, "bc_all", status="PROCESSED")
    assert len(processed) == 45
    assert all(r["status"] == "PROCESSED" for r in processed)
    assert len(await recipients(sent.http, "bc_all", status="ALL")) == 48
    # An hour later the slow rows are delivered and processed.
    sent.clock.advance(3600)
    assert await recipients(sent.http, "bc_all", status="SENDING") == []
    later = await recipients(sent.http, "bc_all", contact_id="ct_phone", is_delivered="true")
    assert {r["template_id"] for r in later} == {"t_twilio", "t_telnyx", "t_wa"}


@pytest.mark.parametrize("status", ["sending", "DELIVERED", "", "DRAFT"])
async def test_bad_status_is_400(sent: Sent, status: str) -> None:
    response = await sent.http.get("/orgs/c/broadcasts/bc_all/recipients",
                                   params={"status": status})
    assert_error(response, 400, "status")


@pytest.mark.parametrize("flag", FILTERABLE)
async def test_boolean_filters(sent: Sent, flag: str) -> None:
    yes = await recipients(sent.http, "bc_all", **{flag: "true"})
    no = await recipients(sent.http, "bc_all", **{flag: "false"})
    assert yes, f"the fixture has rows with {flag}"
    assert all(r[flag] is True for r in yes)
    assert all(r[flag] is False for r in no)
    assert len(yes) + len(no) == 48


async def test_boolean_filter_counts(sent: Sent) -> None:
    expected = {
        # full: slack; mail: 5; phone: gmail, tg, slack; 5 new email-only contacts: 5 each.
        "is_skipped": 1 + 5 + 3 + 25,
        "is_failed": 1,
        # full: 5; mail: 1; phone: 3; opened, played, complained, unsubscribed: 1 each.
        "is_sent": 5 + 1 + 3 + 4,
        "is_delivered": 5 + 1 + 4,
        "is_opened": 1, "is_played": 1, "is_complained": 1, "is_unsubscribed": 1,
    }
    for flag, count in expected.items():
        response = await sent.http.get("/orgs/c/broadcasts/bc_all/recipients",
                                       params={flag: "true"})
        assert response.headers["pagination-count"] == str(count), flag


@pytest.mark.parametrize("value", ["yes", "True", "1", "0", "", "TRUE", "false "])
async def test_boolean_filters_accept_only_true_or_false(sent: Sent, value: str) -> None:
    for flag in FILTERABLE:
        response = await sent.http.get("/orgs/c/broadcasts/bc_all/recipients",
                                       params={flag: value})
        assert_error(response, 400, flag)


async def test_integration_id_filter(sent: Sent) -> None:
    gmail = await recipients(sent.http, "bc_all", integration_id="gmail")
    assert len(gmail) == 8
    assert all(r["integration_id"] == "gmail" and r["template_id"] == "t_gmail" for r in gmail)
    tg = await recipients(sent.http, "bc_all", integration_id="telegram_bot")
    assert len(tg) == 8 and all(r["integration_id"] == "telegram_bot" for r in tg)


async def test_contact_id_filter(sent: Sent) -> None:
    rows = await recipients(sent.http, "bc_all", contact_id="ct_full")
    assert len(rows) == 6
    assert all(r["contact"]["id"] == "ct_full" for r in rows)
    assert await recipients(sent.http, "bc_all", contact_id="ct_wa") == []


async def test_user_id_filter(sent: Sent) -> None:
    rows = await recipients(sent.http, "bc_all", user_id="tg-1001")
    assert [(r["template_id"], r["contact"]["id"]) for r in rows] == [("t_tg", "ct_full")]
    rows = await recipients(sent.http, "bc_all", user_id="+15550001002")
    assert {r["template_id"] for r in rows} == {"t_twilio", "t_telnyx", "t_wa"}


async def test_email_filter_is_case_insensitive(sent: Sent) -> None:
    rows = await recipients(sent.http, "bc_all", email="FULL@Example.Test")
    assert [(r["template_id"], r["email"]) for r in rows] == [("t_gmail", "full@example.test")]
    rows = await recipients(sent.http, "bc_all", email="Pat+Opened@EXAMPLE.test")
    assert [r["template_id"] for r in rows] == ["t_gmail"]
    assert rows[0]["is_opened"] is True
    assert await recipients(sent.http, "bc_all", email="nobody@example.test") == []


async def test_username_filter(sent: Sent) -> None:
    rows = await recipients(sent.http, "bc_all", username="fullbot")
    assert [(r["template_id"], r["username"]) for r in rows] == [("t_tg", "fullbot")]
    assert await recipients(sent.http, "bc_all", username="nobot") == []


async def test_filters_combine(sent: Sent) -> None:
    rows = await recipients(sent.http, "bc_all", contact_id="ct_full", is_sent="true")
    assert len(rows) == 5
    rows = await recipients(sent.http, "bc_all", contact_id="ct_full", is_skipped="true",
                            integration_id="slack_bot")
    assert len(rows) == 1 and rows[0]["error_message"]
    response = await sent.http.get("/orgs/c/broadcasts/bc_all/recipients",
                                   params={"is_skipped": "true", "take": 5, "page": 2})
    assert response.headers["pagination-count"] == "34"
    assert len(response.json()) == 5


async def test_next_is_accepted_and_ignored(sent: Sent) -> None:
    rows = await recipients(sent.http, "bc_all", next="token")
    assert len(rows) == 48


async def test_unknown_broadcast_is_404(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/orgs/c/broadcasts/bc_nope/recipients"), 404)
    # Validation of the query does not hide the 404 of a missing broadcast.
    assert_error(await client.get("/orgs/c/broadcasts/bc_nope/recipients",
                                  params={"status": "ALL"}), 404)


async def test_broadcast_without_rows_lists_empty(client: httpx.AsyncClient) -> None:
    response = await client.get("/orgs/c/broadcasts/bc_spring/recipients")
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["pagination-count"] == "0"
