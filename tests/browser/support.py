"""What the browser tests share: finding Debian's chromium, a second loopback origin (a tiny
static server that also takes webhooks), and the scenario the emulator runs."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(__file__).resolve().parent / "site"
# The README's screenshots: rewritten only when asked (SCREENSHOTS_ENV=1), so a test run never
# dirties the tree; otherwise the tests still take them, into a temporary folder.
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
SCREENSHOTS_ENV = "INVENT_EMULATOR_SCREENSHOTS"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

# A browser of one's own choosing; otherwise the places Debian's packages put theirs.
BROWSER_ENV = "INVENT_EMULATOR_BROWSER"
# Without a browser the browser tests are skipped (the run says so in one line); set to 1 (as
# .ci/run does) to make a missing browser a failure instead.
REQUIRE_ENV = "INVENT_EMULATOR_REQUIRE_BROWSER"
DEBIAN_BROWSERS = (
    "/usr/lib/chromium/chromium-headless-shell",  # chromium-headless-shell
    "/usr/lib/chromium/chromium",                 # chromium
)
# Tests run as root in CI (no sandbox then) on a machine with no network: nothing in the
# background may try to reach one.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]


def _enabled(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def browser_path() -> str | None:
    """The chromium to drive, if there is one."""
    chosen = os.environ.get(BROWSER_ENV)
    candidates = [chosen] if chosen else [
        *DEBIAN_BROWSERS, shutil.which("chromium-headless-shell"), shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def missing_browser_reason() -> str:
    where = os.environ.get(BROWSER_ENV) or ", ".join(DEBIAN_BROWSERS)
    return (f"no chromium at {where}: install Debian's chromium-headless-shell (`.ci/run` "
            f"does), or point {BROWSER_ENV} at a chromium binary")


def browser_required() -> bool:
    return _enabled(REQUIRE_ENV)


def find_browser() -> str:
    """The chromium to drive; without one a skip, or a failure where a browser is required."""
    found = browser_path()
    if found:
        return found
    if browser_required():
        pytest.fail(f"{missing_browser_reason()} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(missing_browser_reason())


def screenshot_path(name: str) -> Path:
    """Where the screenshot `name`.png goes: docs/screenshots when asked, else a temporary
    folder of this process."""
    if _enabled(SCREENSHOTS_ENV):
        folder = DOCS_SCREENSHOTS
    else:
        folder = Path(tempfile.gettempdir()) / f"invent-emulator-screenshots-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


class SideHandler(SimpleHTTPRequestHandler):
    """Serves tests/browser/site and answers every POST with 204, keeping its body."""

    received: list[bytes]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(SITE), **kwargs)

    def do_POST(self) -> None:  # the name http.server looks for
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append(self.rfile.read(length))
        self.send_response(HTTPStatus.NO_CONTENT)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output quiet


@contextmanager
def side_server() -> Iterator[tuple[str, list[bytes]]]:
    """Another origin on loopback: (its URL, the bodies POSTed to it)."""
    received: list[bytes] = []
    handler = type("Handler", (SideHandler,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="side-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def foreign_requests(urls: list[str], *allowed_origins: str) -> list[str]:
    """The requests that went anywhere but the allowed origins (data: and about: stay local)."""
    return [url for url in urls if urlsplit(url).scheme not in ("data", "about", "blob")
            and origin_of(url) not in allowed_origins]


# The browser tests' scenario: a shop on a virtual clock with an OTP broadcast on email and SMS,
# a message that opens a minute after it is sent, and webhooks to the side server (SINK_URL).
SCENARIO = """
seed: 7
clock: {mode: virtual, start: "2026-01-05T09:00:00Z"}
orgs:
  - id: org_shop
    name: Shop
    api_keys: [test_key_shop]
    contacts:
      - {id: ct_ada, name: Ada Lovelace, email: ada@example.com, phone: "+15550100001",
         properties: {first_name: Ada}}
    broadcasts:
      - id: bc_login
        name: Login code
        type: TRANSACTIONAL
        status: ACTIVE
        properties: {otp: "000000", first_name: there}
        templates:
          - id: tpl_login_email
            integration_id: gmail
            config:
              subject: Your Shop login code
              body: >-
                <h2 style="color:#4338ca">Hi {{first_name}}</h2>
                <p>Your login code is <strong>{{otp}}</strong>.</p>
                <p>It expires in {{minutes}} minutes.</p>
          - {id: tpl_login_sms, integration_id: twilio, config: {body: "{{otp}} is your Shop code"}}
      - id: bc_news
        name: November news
        type: MARKETING
        status: DRAFT
        send_to_all: true
        templates:
          - id: tpl_news
            integration_id: gmail
            config: {subject: News, body: "Hi {{first_name}}"}
  - id: org_other
    name: Other shop
    api_keys: [test_key_other]
    broadcasts:
      - id: bc_hello
        name: Hello
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_hello, integration_id: whatsapp_bot, config: {body: "Hello!"}}
outcomes:
  - when: {email: "*@slow.example"}
    outcome: opened
    timing: {delivered_after: 10s, opened_after: 60s}
webhooks:
  - url: SINK_URL/hooks
    events: [recipient.delivered, recipient.bounced]
"""
