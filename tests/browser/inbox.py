"""What the inbox's browser tests share: sending, finding list items, screenshots when asked,
and the accessibility check (axe-core, pinned in tests/browser/package.json)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page

from browser.support import AXE, screenshot_path
from emulator.testing.threaded import ThreadedServer

KEY = "test_key_shop"
OTP = "482916"


def send(emulator: ThreadedServer, body: dict[str, Any],
         broadcast: str = "bc_login") -> list[dict[str, Any]]:
    response = httpx.post(f"{emulator.url}/orgs/c/broadcasts/{broadcast}/send", json=body,
                          headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["recipients"]
    return rows


def reset(emulator: ThreadedServer, org_id: str = "org_shop") -> None:
    done = httpx.post(f"{emulator.url}/_emulator/reset", json={"org_id": org_id})
    assert done.status_code == 200, done.text


def populate(emulator: ThreadedServer) -> None:
    """org_shop afresh, with one message of each kind of outcome (one skipped)."""
    reset(emulator)
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


def item(page: Page, address: str) -> Locator:
    return page.locator("li.item").filter(has=page.locator(".item-to", has_text=re.compile(
        f"^{re.escape(address)}$")))


def badge(where: Locator, name: str) -> Locator:
    return where.locator(".badge").filter(has_text=re.compile(f"^{name}$"))


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    """Into docs/screenshots only when asked (INVENT_EMULATOR_SCREENSHOTS=1)."""
    page.screenshot(path=screenshot_path(name), full_page=full_page)


def assert_accessible(page: Page) -> None:
    """axe-core, injected by Playwright: no serious or critical violation."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed: run `npm ci --prefix tests/browser` ({AXE})",
                    pytrace=False)
    # Evaluated through the driver: the page's Content-Security-Policy forbids inline scripts.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))"
                           ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                           " nodes: v.nodes.map(n => n.target.join(' '))}))")
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
