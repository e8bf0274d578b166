"""Fixtures of the browser tests: one chromium (Debian's, driven by Playwright), one emulator
served on loopback and one second origin per test package; a fresh page per test whose every
request is logged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from browser.support import LAUNCH_ARGS, SCENARIO, find_browser, side_server
from emulator import create_app, load_scenario_text
from emulator.testing.threaded import ThreadedServer


@dataclass
class Side:
    url: str
    received: list[bytes]


@dataclass
class LoggedPage:
    page: Page
    requests: list[str] = field(default_factory=list)
    # Uncaught exceptions and console errors (a Content-Security-Policy violation or a failed
    # load shows up there), each with the URL it is about; the test ends with none left.
    errors: list[str] = field(default_factory=list)

    def expect_errors_about(self, url_part: str) -> None:
        """Errors the test caused on purpose (a 404 it asked for) are not failures."""
        assert any(url_part in error for error in self.errors), self.errors
        self.errors = [error for error in self.errors if url_part not in error]


# Generous waits: the UI polls every second, and a loaded 2-core CI machine can be slow.
WAIT_MS = 15_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = find_browser()  # fails (or skips, when opted out) before Playwright starts
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def side() -> Iterator[Side]:
    with side_server() as (url, received):
        yield Side(url, received)


@pytest.fixture(scope="package")
def emulator(side: Side) -> Iterator[ThreadedServer]:
    scenario = load_scenario_text(SCENARIO.replace("SINK_URL", side.url), "browser.yaml")
    server = ThreadedServer(create_app(scenario=scenario)).start()
    yield server
    server.stop()


@pytest.fixture
def logged(browser: Browser) -> Iterator[LoggedPage]:
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  color_scheme="light", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    logged = LoggedPage(page)
    page.on("request", lambda request: logged.requests.append(request.url))
    page.on("pageerror", lambda error: logged.errors.append(str(error)))
    page.on("console", lambda message: logged.errors.append(
        f"{message.text} ({message.location.get('url')})") if message.type == "error" else None)
    yield logged
    context.close()
    assert not logged.errors, f"errors in the page: {logged.errors}"
