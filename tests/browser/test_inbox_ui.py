"""The inbox UI in a real browser: rows appear without a reload, the email renders in a sandboxed
frame, the clock moves a delayed outcome, the why panel answers; keyboard and 375 px work, and
the page asks nothing of any other origin."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from browser.conftest import LoggedPage
from browser.support import foreign_requests, screenshot_path
from emulator.testing.threaded import ThreadedServer

pytestmark = pytest.mark.browser

KEY = "test_key_shop"
OTP = "482916"


def send(emulator: ThreadedServer, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = httpx.post(f"{emulator.url}/orgs/c/broadcasts/bc_login/send", json=body,
                          headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["recipients"]
    return rows


def row_of(page: Page, address: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=address, exact=True))


def badge(row: Locator, name: str) -> Locator:
    return row.locator(".badge").filter(has_text=re.compile(f"^{name}$"))


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    page.screenshot(path=screenshot_path(name), full_page=full_page)


def test_the_inbox_follows_a_send_from_row_to_opened(logged: LoggedPage,
                                                     emulator: ThreadedServer) -> None:
    httpx.post(f"{emulator.url}/_emulator/reset", json={"org_id": "org_shop"})
    page = logged.page
    page.goto(f"{emulator.url}/_emulator/ui")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the messages")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # It opens on the first org, with the first curl to run carrying that org's key.
    expect(page.get_by_label("Org", exact=True)).to_have_value("org_shop")
    expect(page).to_have_url(re.compile("#/org/org_shop$"))
    expect(page.locator("pre.curl")).to_contain_text(f"Bearer {KEY}")
    expect(page.locator("pre.curl")).to_contain_text(f"{emulator.url}/orgs/c/broadcasts/bc_login/send")
    page.evaluate("window.sameDocument = true")

    send(emulator, {"email": "ada@slow.example", "variables": {"otp": OTP},
                    "template_ids": ["tpl_login_email"]})
    row = row_of(page, "ada@slow.example")
    expect(badge(row, "sent")).to_be_visible()
    expect(badge(row, "opened")).to_have_count(0)

    # By keyboard: the row's link opens the message.
    row.get_by_role("link", name="ada@slow.example").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Email to ada@slow.example")).to_be_visible()
    frame = page.locator("iframe.email-body")
    assert frame.get_attribute("sandbox") == ""  # no scripts, an origin of its own
    expect(page.frame_locator("iframe.email-body").locator("strong")).to_have_text(OTP)
    expect(page.locator(".subject")).to_contain_text("Your Shop login code")
    expect(page.locator(".missing")).to_contain_text("minutes")
    # Why this outcome: the scenario's first rule decided it.
    why = page.locator(".why .why-summary")
    expect(why).to_contain_text("Scenario rule outcomes[0]")
    expect(why).to_contain_text("matched: opened")

    page.get_by_role("link", name="← Back to the outbox").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("link")).to_be_focused()  # back on the row the message came from
    page.get_by_role("button", name="Advance the clock 1 minute").click()
    expect(badge(row, "opened")).to_be_visible()
    expect(badge(row, "delivered")).to_be_visible()
    expect(row.locator("time").last).to_have_text("09:01:00")
    assert page.evaluate("window.sameDocument") is True  # never reloaded
    assert foreign_requests(logged.requests, emulator.url) == []


def populate(emulator: ThreadedServer) -> None:
    """org_shop afresh, with one message of each kind of outcome."""
    reset = httpx.post(f"{emulator.url}/_emulator/reset", json={"org_id": "org_shop"})
    assert reset.status_code == 200, reset.text
    send(emulator, {"email": "ada@slow.example", "variables": {"otp": OTP},
                    "template_ids": ["tpl_login_email"]})
    moved = httpx.post(f"{emulator.url}/_emulator/clock/advance",
                       json={"org_id": "org_shop", "seconds": 75})
    assert moved.status_code == 200, moved.text
    send(emulator, {"contact_id": "ct_ada", "variables": {"otp": "170562"}})
    send(emulator, {"email": "bounced@shop.test", "template_ids": ["tpl_login_email"]})
    send(emulator, {"phone": "+15005550001", "template_ids": ["tpl_login_sms"]})
    send(emulator, {"email": "grace+complained@shop.test", "template_ids": ["tpl_login_email"]})
    send(emulator, {"email": "bounced@shop.test", "template_ids": ["tpl_login_email"]})


def test_every_outcome_has_its_badge_and_the_screenshots_are_taken(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    page = logged.page
    page.goto(f"{emulator.url}/_emulator/ui#/org/org_shop")

    suppressed = page.get_by_role("row").filter(has_text="suppressed")
    expect(badge(suppressed, "skipped")).to_be_visible()
    for address, outcome in [("+15005550001", "failed"), ("grace+complained@shop.test",
                             "complained"), ("+15550100001", "delivered")]:
        expect(badge(row_of(page, address), outcome)).to_be_visible()
    card = page.locator(".broadcast-card").filter(has_text="Login code")
    expect(card).to_contain_text("ACTIVE")
    expect(card.locator(".counters div").first).to_have_text(re.compile(r"recipients\s*7"))
    shoot(page, "inbox")

    row_of(page, "ada@slow.example").get_by_role("link").click()
    expect(page.locator(".timeline .badge")).to_have_text(
        ["created", "sent", "delivered", "opened"])
    expect(page.frame_locator("iframe.email-body").locator("strong")).to_have_text(OTP)
    shoot(page, "message")
    assert foreign_requests(logged.requests, emulator.url) == []


def test_search_narrows_the_outbox_and_the_webhook_log_shows_deliveries(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    page = logged.page
    page.goto(f"{emulator.url}/_emulator/ui#/org/org_shop")
    expect(page.locator("tbody tr")).to_have_count(7)

    page.get_by_label("Search by address").fill("shop.test")
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_label("Search by address").fill("")
    expect(page.locator("tbody tr")).to_have_count(7)
    page.locator(".broadcast-card").filter(has_text="November news").click()
    expect(page.get_by_text("No message matches.")).to_be_visible()
    page.get_by_role("button", name="Show every broadcast").click()
    expect(page.locator("tbody tr")).to_have_count(7)

    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("row").filter(has_text="recipient.bounced")).to_have_count(1)
    delivered = page.get_by_role("row").filter(has_text="recipient.delivered")
    expect(delivered.first.locator(".badge")).to_have_text("delivered")
    assert foreign_requests(logged.requests, emulator.url) == []


def test_at_375_px_nothing_scrolls_sideways_and_texts_are_chat_bubbles(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    page = logged.page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{emulator.url}/_emulator/ui#/org/org_shop")

    expect(row_of(page, "ada@slow.example")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "inbox-375", full_page=True)
    row_of(page, "+15550100001").get_by_role("link").click()
    expect(page.locator(".bubble")).to_contain_text("170562 is your Shop code")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "message-375", full_page=True)
    assert foreign_requests(logged.requests, emulator.url) == []


def test_the_picker_switches_orgs_and_reset_empties_one(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    page = logged.page
    page.goto(f"{emulator.url}/_emulator/ui")
    expect(page.locator("tbody tr")).to_have_count(7)

    page.get_by_label("Org", exact=True).select_option("org_other")
    expect(page).to_have_url(re.compile("#/org/org_other$"))
    expect(page.locator("pre.curl")).to_contain_text("Bearer test_key_other")
    # An org made while the page is open joins the picker; on wall time it has no clock buttons.
    made = httpx.post(f"{emulator.url}/_emulator/orgs",
                      json={"name": "Live", "clock": {"mode": "real"}}).json()
    page.get_by_label("Org", exact=True).select_option(made["id"])
    expect(page.locator("pre.curl")).to_contain_text(f"Bearer {made['api_key']}")
    expect(page.get_by_text("Runs on wall time")).to_be_visible()
    expect(page.get_by_role("button", name="Advance the clock 1 minute")).to_have_count(0)

    page.get_by_label("Org", exact=True).select_option("org_shop")
    page.get_by_role("button", name="Reset org").click()
    page.get_by_role("dialog").get_by_role("button", name="Reset").click()
    expect(page.locator("pre.curl")).to_contain_text("Bearer test_key_shop")
    page.goto(f"{emulator.url}/_emulator/ui#/org/org_shop/message/rcp_gone")
    expect(page.locator(".notice")).to_contain_text("no longer in Shop")
    logged.expect_errors_about("/messages/rcp_gone")
    assert foreign_requests(logged.requests, emulator.url) == []
