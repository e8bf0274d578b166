"""The API explorer at /docs loads offline and lists the send endpoint."""

from __future__ import annotations

import httpx
import pytest

from browser.conftest import LoggedPage
from browser.support import foreign_requests, screenshot_path
from emulator.testing.threaded import ThreadedServer

pytestmark = pytest.mark.browser

SEND_PATH = "/orgs/{org_id}/broadcasts/{broadcast_id}/send"


def test_docs_lists_the_send_endpoint_and_loads_nothing_from_elsewhere(
        logged: LoggedPage, emulator: ThreadedServer) -> None:
    if httpx.get(f"{emulator.url}/docs").status_code == 404:
        pytest.skip("no /docs yet")
    page = logged.page
    page.goto(f"{emulator.url}/docs")
    # Explorers break long paths with zero-width spaces; the text read is without them.
    page.wait_for_function(
        "path => document.body.innerText.replace(/\\u200b/g, '').includes(path)", arg=SEND_PATH)
    page.screenshot(path=screenshot_path("docs"))
    assert foreign_requests(logged.requests, emulator.url) == []
