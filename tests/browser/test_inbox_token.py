"""The inbox behind an admin token: the page and its files load without it, every data call
needs it; the page asks for it once per tab, keeps it in sessionStorage and sends it as a
header, never in a URL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Request, expect

from browser.conftest import LoggedPage
from browser.inbox import item, send
from browser.support import SCENARIO
from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.settings import Settings
from emulator.testing.threaded import ThreadedServer

pytestmark = pytest.mark.browser

TOKEN = "s3cret-inbox-token"


@pytest.fixture
def guarded() -> Iterator[ThreadedServer]:
    scenario = load_scenario_text(SCENARIO.replace("SINK_URL", "http://127.0.0.1:9"), "b.yaml")
    server = ThreadedServer(create_app(Settings(admin_token=TOKEN), scenario=scenario)).start()
    yield server
    server.stop()


def test_the_page_loads_without_the_token_and_data_needs_it(guarded: ThreadedServer) -> None:
    assert httpx.get(f"{guarded.url}/_emulator/ui").status_code == 200
    assert httpx.get(f"{guarded.url}/_emulator/ui/app.js").status_code == 200
    assert httpx.get(f"{guarded.url}/_emulator/orgs").status_code == 401
    assert httpx.get(f"{guarded.url}/_emulator/events").status_code == 401


@pytest.mark.parametrize("width", [1280, 375])
def test_the_token_form_keeps_it_for_the_tab_and_sends_it_as_a_header(
        guarded: ThreadedServer, logged: LoggedPage, width: int) -> None:
    page = logged.page
    page.set_viewport_size({"width": width, "height": 800})
    seen: list[Request] = []
    page.on("request", lambda request: seen.append(request))
    send(guarded, {"email": "ada@slow.example", "template_ids": ["tpl_login_email"]})
    page.goto(f"{guarded.url}/_emulator/ui")
    dialog = page.get_by_role("dialog", name="Admin token")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Token").fill(TOKEN)
    dialog.get_by_role("button", name="Use this token").click()
    expect(item(guarded_page := page, "ada@slow.example")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-live", "stream")
    assert page.evaluate("Object.values(sessionStorage)") == [TOKEN]
    # Every data call after the form carried it, as a header; no URL ever holds it.
    assert all(TOKEN not in r.url for r in seen)
    data = [r for r in seen if "/_emulator/" in r.url and "/_emulator/ui" not in r.url]
    after = data[next(i for i, r in enumerate(data) if r.headers.get("x-invent-admin-token")):]
    assert after and all(r.headers.get("x-invent-admin-token") == TOKEN for r in after)
    # A reload in the same tab does not ask again.
    guarded_page.reload()
    expect(item(page, "ada@slow.example")).to_be_visible()
    expect(dialog).to_be_hidden()
    logged.expect_errors_about("401")
