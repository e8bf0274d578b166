"""A frontend on another origin calls the public API with fetch: CORS lets it read the rows and
the pagination headers, and send."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import expect

from browser.conftest import LoggedPage, Side
from browser.support import foreign_requests
from emulator.testing.threaded import ThreadedServer

pytestmark = pytest.mark.browser


def test_a_page_on_another_origin_reads_rows_and_pagination_count(
        logged: LoggedPage, emulator: ThreadedServer, side: Side) -> None:
    made = httpx.post(f"{emulator.url}/_emulator/orgs", json={"copy_of": "org_shop"})
    assert made.status_code == 200, made.text
    key = made.json()["api_key"]
    page = logged.page
    assert side.url != emulator.url  # two origins: another port on loopback

    page.goto(f"{side.url}/cors.html?{urlencode({'api': emulator.url, 'key': key})}")

    expect(page.locator("body")).to_have_attribute("data-done", "yes")
    # take=1: one row shown, while the header counts both of the org's broadcasts.
    expect(page.locator("#count")).to_have_text("2")
    expect(page.locator("#rows li")).to_have_count(1)
    expect(page.locator("#rows li")).to_have_text("November news · DRAFT")
    expect(page.locator("#sent")).to_have_text("200 frontend@example.com")
    sent = httpx.get(f"{emulator.url}/_emulator/messages",
                     params={"org_id": made.json()["id"]}).json()
    assert [m["to"] for m in sent] == ["frontend@example.com"]
    assert any(url.startswith(emulator.url) for url in logged.requests)
    assert foreign_requests(logged.requests, side.url, emulator.url) == []
