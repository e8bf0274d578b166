"""The inbox UI in a real browser, at 1280 px and 375 px: a live list (through the event
stream, no reload), message tabs, delete and clear, paging and search, the keyboard, the empty
state's command (which really sends), and the accessibility check."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import httpx
import pytest
from playwright.sync_api import Page, expect

from browser.conftest import LoggedPage
from browser.inbox import (
    KEY,
    OTP,
    assert_accessible,
    badge,
    item,
    populate,
    reset,
    send,
    shoot,
)
from browser.support import foreign_requests
from emulator.testing.threaded import ThreadedServer

pytestmark = pytest.mark.browser

DASH = "\N{EN DASH}"
WIDTHS = pytest.mark.parametrize("width", [1280, 375])


def open_inbox(page: Page, emulator: ThreadedServer, width: int, tail: str = "") -> None:
    page.set_viewport_size({"width": width, "height": 800 if width > 400 else 667})
    page.goto(f"{emulator.url}/_emulator/ui#/org/org_shop{tail}")


@WIDTHS
def test_the_empty_state_command_really_sends_and_the_list_follows_live(
        logged: LoggedPage, emulator: ThreadedServer, width: int) -> None:
    reset(emulator)
    page = logged.page
    open_inbox(page, emulator, width)
    command = page.locator("pre.curl").inner_text()
    assert f"Bearer {KEY}" in command and "/orgs/c/broadcasts/bc_login/send" in command
    expect(page.locator("body")).to_have_attribute("data-live", "stream")
    page.evaluate("window.sameDocument = true")
    # The command as a developer would paste it.
    ran = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=30)
    assert ran.returncode == 0 and '"recipients"' in ran.stdout, ran
    expect(item(page, "ada@example.com").first).to_be_visible()
    expect(page.locator(".list-head .count")).to_contain_text("of ")
    # One more, sent elsewhere: it appears at once through the event stream.
    send(logged_emulator := emulator, {"email": "ada@slow.example", "variables": {"otp": OTP},
                                       "template_ids": ["tpl_login_email"]})
    row = item(page, "ada@slow.example")
    expect(badge(row, "sent")).to_be_visible()
    expect(row.locator(".item-subject")).to_have_text("Your Shop login code")
    expect(row.locator(".item-preview")).to_contain_text(OTP)
    expect(row.locator("time")).to_have_text("Mon, 5 Jan 2026 09:00:00")
    page.get_by_role("button", name="Advance the clock 1 minute").click()
    expect(badge(row, "opened")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True  # never reloaded
    assert foreign_requests(logged.requests, logged_emulator.url) == []


@WIDTHS
def test_a_message_has_tabs_each_saying_its_part_once(
        logged: LoggedPage, emulator: ThreadedServer, width: int) -> None:
    populate(emulator)
    page = logged.page
    open_inbox(page, emulator, width)
    item(page, "ada@slow.example").locator("a").click()
    expect(page.get_by_role("heading", name="Your Shop login code")).to_be_visible()
    frame = page.locator("iframe.email-body")
    assert "allow-scripts" not in (frame.get_attribute("sandbox") or "x")
    expect(page.frame_locator("iframe.email-body").locator("strong")).to_have_text(OTP)
    # The frame is as tall as its content, not a fixed box of empty space.
    page.wait_for_function("document.querySelector('iframe.email-body').offsetHeight > 60")
    fitted = page.evaluate("""() => { const f = document.querySelector('iframe.email-body');
        return [f.offsetHeight, f.contentDocument.documentElement.scrollHeight]; }""")
    assert abs(fitted[0] - fitted[1]) <= 2, fitted
    shoot(page, f"message-rendered-{width}")
    assert_accessible(page)

    page.get_by_role("tab", name="Text").click()
    expect(page.locator("pre.text-view")).to_contain_text(f"Your login code is {OTP}.")
    shoot(page, f"message-text-{width}")
    page.get_by_role("tab", name="Source").click()
    source = json.loads(page.locator("pre.source").inner_text())
    assert source["to"] == "ada@slow.example" and source["outcome"] == "opened"
    shoot(page, f"message-source-{width}")
    page.get_by_role("tab", name="Details").click()
    expect(page.locator(".timeline .badge")).to_have_text(
        ["created", "sent", "delivered", "opened"])
    expect(page.locator(".why .why-summary")).to_contain_text("Scenario rule outcomes[0]")
    expect(page.locator(".missing")).to_contain_text("minutes")
    shoot(page, f"message-details-{width}")
    assert_accessible(page)

    # A bounced message says its error once, on the event it belongs to.
    page.goto(f"{emulator.url}/_emulator/ui#/org/org_shop")
    item(page, "bounced@shop.test").first.locator("a").click()
    page.get_by_role("tab", name="Details").click()
    expect(page.locator(".timeline .badge").last).to_have_text("failed")
    error = page.locator("#panel-details").get_by_text("bounced: the recipient", exact=False)
    expect(error).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@WIDTHS
def test_delete_one_and_clear_all_ask_first_and_keep_the_rows(
        logged: LoggedPage, emulator: ThreadedServer, width: int) -> None:
    populate(emulator)
    page = logged.page
    open_inbox(page, emulator, width)
    expect(page.locator("li.item")).to_have_count(6)
    item(page, "grace+complained@shop.test").locator("a").click()
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile("#/org/org_shop$"))
    expect(page.locator("li.item")).to_have_count(5)
    page.get_by_role("button", name="Clear all").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(page.locator("li.item")).to_have_count(5)
    page.get_by_role("button", name="Clear all").click()
    page.get_by_role("dialog").get_by_role("button", name="Clear all").click()
    expect(page.get_by_role("heading", name="Nothing sent yet")).to_be_visible()
    rows = httpx.get(f"{emulator.url}/orgs/c/broadcasts/bc_login/recipients",
                     headers={"Authorization": f"Bearer {KEY}"}).json()
    assert len(rows) == 7  # the public API is untouched


@WIDTHS
def test_search_skipped_paging_and_the_keyboard(
        logged: LoggedPage, emulator: ThreadedServer, width: int) -> None:
    populate(emulator)
    for n in range(50):
        send(emulator, {"email": f"bulk{n}@shop.test", "template_ids": ["tpl_login_email"]})
    page = logged.page
    open_inbox(page, emulator, width)
    expect(page.locator(".list-head .count")).to_have_text(f"1{DASH}50 of 56")
    page.get_by_role("button", name="Older").click()
    expect(page.locator(".list-head .count")).to_have_text(f"51{DASH}56 of 56")
    expect(item(page, "ada@slow.example")).to_be_visible()
    page.get_by_role("checkbox", name="Show skipped").check()
    expect(page.locator(".list-head .count")).to_have_text(f"1{DASH}50 of 57")
    page.get_by_label("Search").fill("170562")
    expect(page.locator("li.item")).to_have_count(2)  # the email and the text
    page.get_by_label("Search").fill("SUPPRESSED")
    expect(page.get_by_text("No message matches.")).to_be_visible()
    page.get_by_label("Search").fill("bounced@")
    expect(page.locator("li.item")).to_have_count(2)
    expect(badge(page.locator("li.item").first, "skipped")).to_be_visible()

    page.get_by_label("Search").fill("")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("j")
    second = page.locator("li.item a").nth(1)
    expect(second).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator("li.item a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("tab", name="Rendered")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile("#/org/org_shop$"))


def test_at_375_px_five_messages_fit_addresses_wrap_and_broadcasts_stack(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    send(emulator, {"email": "a.very.long.address.for.wrapping+inbox@subdomain.example.com",
                    "template_ids": ["tpl_login_email"]})
    page = logged.page
    open_inbox(page, emulator, 375)
    expect(page.locator("li.item")).to_have_count(7)
    heights = page.eval_on_selector_all("li.item", "els => els.map(e => e.offsetHeight)")
    assert 5 * max(heights) <= 667, heights
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The long address breaks only after @ . + - _ (where <wbr> allows it), never mid-word.
    long = page.locator(".item-to").first
    lines = long.evaluate("""el => { const r = document.createRange(); const tops = [];
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); let n, out = [];
        while ((n = walker.nextNode())) { r.selectNodeContents(n);
          out.push([n.textContent, r.getClientRects().length]); }
        return out; }""")
    assert all(count == 1 for _, count in lines), lines  # no text piece is split
    assert len({c for c in "".join(t for t, _ in lines)}) > 5
    lefts = page.eval_on_selector_all(".broadcast-card",
                                      "els => els.map(e => e.getBoundingClientRect().left)")
    assert len(set(lefts)) == 1, lefts  # stacked, not a sideways scroller
    shoot(page, "inbox-375", full_page=True)
    assert_accessible(page)


def test_the_list_screenshot_and_accessibility_at_1280(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    page = logged.page
    open_inbox(page, emulator, 1280)
    expect(page.locator("li.item")).to_have_count(6)
    for address, outcome in [("+15005550001", "failed"), ("grace+complained@shop.test",
                             "complained"), ("+15550100001", "delivered")]:
        expect(badge(item(page, address), outcome)).to_be_visible()
    shoot(page, "inbox")
    assert_accessible(page)


def test_a_deep_link_shows_no_focus_ring(logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    page = logged.page
    rows = httpx.get(f"{emulator.url}/_emulator/messages",
                     params={"org_id": "org_shop", "to": "ada@slow.example"}).json()
    open_inbox(page, emulator, 1280, f"/message/{rows[0]['recipient_id']}")
    expect(page.get_by_role("heading", name="Your Shop login code")).to_be_visible()
    outlines = page.evaluate("""() => [...document.querySelectorAll('main, main *')]
        .filter(e => getComputedStyle(e).outlineStyle !== 'none'
                     && getComputedStyle(e).outlineWidth !== '0px').map(e => e.tagName)""")
    assert outlines == []
    page.goto(f"{emulator.url}/_emulator/ui#/org/org_shop/webhooks")
    expect(page.get_by_role("row").filter(has_text="recipient.delivered").first).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('main')).outlineStyle") == "none"


def test_the_picker_switches_orgs_and_a_gone_message_says_so(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    page = logged.page
    page.goto(f"{emulator.url}/_emulator/ui")
    expect(page.locator("li.item")).to_have_count(6)
    reset(emulator, "org_other")
    page.get_by_label("Org", exact=True).select_option("org_other")
    expect(page).to_have_url(re.compile("#/org/org_other$"))
    expect(page.locator("pre.curl")).to_contain_text("Bearer test_key_other")
    # An org made while the page is open, with nothing to send: the page offers to make it.
    made = httpx.post(f"{emulator.url}/_emulator/orgs",
                      json={"name": "Live", "clock": {"mode": "real"}}).json()
    page.get_by_label("Org", exact=True).blur()
    page.get_by_label("Org", exact=True).focus()  # the picker looks again when chosen from
    page.get_by_label("Org", exact=True).select_option(made["id"])
    expect(page.get_by_text("Runs on wall time")).to_be_visible()
    page.get_by_role("button", name="Create a test broadcast").click()
    command = page.locator("pre.curl").inner_text()
    assert subprocess.run(["sh", "-c", command], capture_output=True, timeout=30).returncode == 0
    expect(page.locator("li.item")).to_have_count(1)
    page.goto(f"{emulator.url}/_emulator/ui#/org/org_shop/message/rcp_gone")
    expect(page.locator(".notice")).to_contain_text("no longer in Shop")
    logged.expect_errors_about("/messages/rcp_gone")
    assert foreign_requests(logged.requests, emulator.url) == []


def test_the_command_is_shell_quoted_against_hostile_values(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    hostile = ["it's", "$(touch /tmp/pwned)", "`id`", "a\nb", '"; rm -rf / #']
    made = httpx.post(f"{emulator.url}/_emulator/orgs", json={"name": "Hostile", "scenario": {
        "orgs": [{"id": "hostile", "broadcasts": [{
            "id": "bc_h", "name": "H", "type": "TRANSACTIONAL", "status": "ACTIVE",
            "properties": dict.fromkeys(hostile, "x"),
            "templates": [{"id": "tpl_h", "integration_id": "gmail",
                           "config": {"subject": "s", "body": "b"}}]}]}]}})
    assert made.status_code == 200, made.text
    org = made.json()
    page = logged.page
    page.goto(f"{emulator.url}/_emulator/ui#/org/{org['id']}")
    command = page.locator("pre.curl").inner_text()
    # A backslash at the end of a line continues it, as the shell reads it.
    argv = shlex.split(command.replace("\\\n", " "))
    assert argv[:4] == ["curl", "-s", "-X", "POST"]
    assert argv[4] == f"{emulator.url}/orgs/c/broadcasts/bc_h/send"
    assert argv[5:9] == ["-H", f"Authorization: Bearer {org['api_key']}",
                         "-H", "Content-Type: application/json"]
    assert argv[9] == "-d" and len(argv) == 11
    assert set(json.loads(argv[10])["variables"]) == set(hostile)


def test_a_live_update_keeps_the_scroll_position(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    populate(emulator)
    for n in range(30):
        send(emulator, {"email": f"scroll{n}@shop.test", "template_ids": ["tpl_login_email"]})
    page = logged.page
    open_inbox(page, emulator, 1280)
    expect(page.locator(".list-head .count")).to_have_text(f"1{DASH}36 of 36")
    watched = item(page, "scroll10@shop.test")
    watched.scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    page.wait_for_timeout(200)
    before = watched.bounding_box()
    assert before is not None and page.evaluate("window.scrollY") > 0
    send(emulator, {"email": "new-on-top@shop.test", "template_ids": ["tpl_login_email"]})
    expect(page.locator(".list-head .count")).to_have_text(f"1{DASH}37 of 37")
    after = watched.bounding_box()
    assert after is not None and abs(after["y"] - before["y"]) <= 2, (before, after)
