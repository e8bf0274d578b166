"""Helpers shared by the scenario-language tests: a standard pair of orgs to build scenarios
around, an in-process emulator with a few request helpers, a webhook receiver, and assertions on
recipient rows."""

from __future__ import annotations

import contextlib
import textwrap
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import Any, TypeVar

import anyio
import httpx
from pytest_httpserver import HTTPServer
from starlette.applications import Starlette
from werkzeug.wrappers import Request, Response

from emulator import Settings
from emulator.support.clock import format_timestamp
from emulator.testing import VirtualClock
from support.apps import app_from_yaml as app_from_yaml
from support.apps import client_for

# Re-exported for the language tests (`X as X` marks a re-export for mypy --strict).
from support.wire import ENVELOPE_KEYS as ENVELOPE_KEYS
from support.wire import FLAG_COUNTERS as FLAG_COUNTERS
from support.wire import FLAGS as FLAGS
from support.wire import START as START
from support.wire import START_YAML as START_YAML
from support.wire import VIRTUAL as VIRTUAL
from support.wire import Json as Json

T = TypeVar("T")

# The flags each outcome sets (docs/scenarios.md, "Outcomes").
OUTCOME_FLAGS: dict[str, frozenset[str]] = {
    "sent": frozenset({"is_sent"}),
    "delivered": frozenset({"is_sent", "is_delivered"}),
    "opened": frozenset({"is_sent", "is_delivered", "is_opened"}),
    "played": frozenset({"is_sent", "is_delivered", "is_played"}),
    # The row has no click flag: a click shows as an open (and in click_count, the outbox).
    "clicked": frozenset({"is_sent", "is_delivered", "is_opened"}),
    "bounced": frozenset({"is_sent", "is_bounced", "is_failed"}),
    "failed": frozenset({"is_failed"}),
    "complained": frozenset({"is_sent", "is_delivered", "is_complained"}),
    "unsubscribed": frozenset({"is_sent", "is_delivered", "is_unsubscribed"}),
    "skipped": frozenset({"is_skipped"}),
}
# The outcomes that leave an error_message on the row.
ERROR_OUTCOMES = frozenset({"bounced", "failed", "skipped"})


def at(seconds: float = 0) -> str:
    """The wire timestamp `seconds` after the scenarios' virtual start."""
    stamp = format_timestamp(START + timedelta(seconds=seconds))
    assert stamp is not None
    return stamp


def org_block(org_id: str, key: str) -> str:
    """One org (YAML, indented as an item of `orgs:`) with two contacts and four ACTIVE
    transactional broadcasts: two on email, one on SMS, one on email + WhatsApp."""
    return f"""\
  - id: {org_id}
    name: Org {org_id}
    api_keys: [{key}]
    contacts:
      - {{id: ct_ada, name: Ada, email: ada@example.test, phone: "+15550100001"}}
      - {{id: ct_bob, name: Bob, email: bob@example.test, phone: "+15550100002"}}
    broadcasts:
      - id: bc_mail
        name: Mail
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {{id: tpl_mail, integration_id: gmail, config: {{subject: Hi, body: Hello}}}}
      - id: bc_news
        name: News
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {{id: tpl_news, integration_id: gmail, config: {{subject: News, body: News}}}}
      - id: bc_sms
        name: SMS
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {{id: tpl_sms, integration_id: twilio, config: {{body: Hello}}}}
      - id: bc_both
        name: Both
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {{id: tpl_both_mail, integration_id: gmail, config: {{subject: Hi, body: Hello}}}}
          - {{id: tpl_both_wa, integration_id: whatsapp_bot, config: {{body: Hello}}}}
"""


def scenario(tail: str = "", *, seed: int = 7, clock: str = VIRTUAL,
             orgs: Iterable[tuple[str, str]] = (("org_a", "key_a"), ("org_b", "key_b"))) -> str:
    """A scenario of the standard orgs; `tail` holds further top-level keys (outcomes, faults,
    webhooks, rate_limits, ...), written at any indentation."""
    blocks = "".join(org_block(org_id, key) for org_id, key in orgs)
    return f"seed: {seed}\n{clock}\norgs:\n{blocks}{textwrap.dedent(tail)}"


class Emu:
    """One in-process emulator and a client holding one API key."""

    def __init__(self, app: Starlette, http: httpx.AsyncClient,
                 stack: contextlib.AsyncExitStack) -> None:
        self.app = app
        self.http = http
        self._stack = stack

    async def with_key(self, key: str | None) -> Emu:
        """Another client of the same emulator; closed with this one."""
        http = await self._stack.enter_async_context(client_for(self.app, key))
        return Emu(self.app, http, self._stack)

    async def post_send(self, body: Json, broadcast: str = "bc_mail",
                        org: str = "c") -> httpx.Response:
        return await self.http.post(f"/orgs/{org}/broadcasts/{broadcast}/send", json=body)

    async def send(self, body: Json, broadcast: str = "bc_mail", org: str = "c") -> list[Json]:
        """A send that must succeed; its recipient rows."""
        response = await self.post_send(body, broadcast, org)
        assert response.status_code == 200, response.text
        rows = response.json()["recipients"]
        assert isinstance(rows, list) and rows, rows
        return rows

    async def send_one(self, body: Json, broadcast: str = "bc_mail", org: str = "c") -> Json:
        [row] = await self.send(body, broadcast, org)
        return row

    async def rows(self, broadcast: str = "bc_mail", org: str = "c",
                   **params: str | int) -> list[Json]:
        """Every recipient row of a broadcast, newest first, across pages."""
        found: list[Json] = []
        page = 1
        while True:
            response = await self.http.get(f"/orgs/{org}/broadcasts/{broadcast}/recipients",
                                           params={"take": 100, "page": page, **params})
            assert response.status_code == 200, response.text
            batch = response.json()
            found += batch
            if len(found) >= int(response.headers["pagination-count"]) or not batch:
                return found
            page += 1

    async def row(self, row_id: str, broadcast: str = "bc_mail", org: str = "c") -> Json:
        [row] = [r for r in await self.rows(broadcast, org) if r["id"] == row_id]
        return row

    async def broadcast(self, broadcast_id: str, org: str = "c") -> Json:
        response = await self.http.get(f"/orgs/{org}/broadcasts", params={"take": 100})
        assert response.status_code == 200, response.text
        [found] = [b for b in response.json() if b["id"] == broadcast_id]
        assert isinstance(found, dict)
        return found

    async def advance(self, seconds: float, org_id: str | None = None) -> Json:
        body: Json = {"seconds": seconds}
        if org_id is not None:
            body["org_id"] = org_id
        response = await self.http.post("/_emulator/clock/advance", json=body)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert isinstance(answer, dict)
        return answer

    async def now(self, org_id: str) -> str:
        response = await self.http.get("/_emulator/clock", params={"org_id": org_id})
        assert response.status_code == 200, response.text
        [org] = response.json()["orgs"]
        assert org["org_id"] == org_id
        now = org["now"]
        assert isinstance(now, str)
        return now

    async def get_json(self, path: str, **params: str) -> Any:
        response = await self.http.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def webhook_log(self, **params: str) -> list[Json]:
        log = await self.get_json("/_emulator/webhooks", **params)
        assert isinstance(log, list)
        return log

    async def webhooks_settled(self, at_least: int = 1, timeout: float = 10.0) -> list[Json]:
        """Wait until the log holds `at_least` deliveries and each was attempted at least once
        (the sender works in the background after a request)."""

        async def settled() -> list[Json] | None:
            log = await self.webhook_log()
            done = len(log) >= at_least and all(d["attempts"] for d in log)
            return log if done else None

        return await eventually(settled, timeout, "webhook deliveries to be attempted")


@contextlib.asynccontextmanager
async def open_emulator(text: str, key: str | None = "key_a",
                        settings: Settings | None = None) -> AsyncIterator[Emu]:
    """An emulator built from `text` (the app's own clock is a virtual one at START)."""
    app = app_from_yaml(text, VirtualClock(START), settings)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(client_for(app, key))
        yield Emu(app, http, stack)


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 10.0,
                     what: str = "a condition") -> T:
    """Poll `check` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await anyio.sleep(0.01)


def clock_modes(answer: Json) -> set[str]:
    """The clock modes a GET /_emulator/clock (or advance) answer reports, whether it gives one
    mode for the emulator or one per org."""
    if "mode" in answer:
        return {answer["mode"]}
    return {org["mode"] for org in answer["orgs"]}


def clock_nows(answer: Json) -> dict[str, str]:
    """org id -> now, from a GET /_emulator/clock (or advance) answer."""
    return {org["org_id"]: org["now"] for org in answer["orgs"]}


def assert_flags(row: Json, flags: Iterable[str], when: str | dict[str, str]) -> None:
    """Exactly `flags` are set, each `_at` at `when` (one moment, or one per flag); every other
    flag is false with a null `_at`."""
    wanted = set(flags)
    for flag in FLAGS:
        if flag in wanted:
            moment = when if isinstance(when, str) else when[flag]
            assert row[flag] is True, (flag, row)
            assert row[f"{flag}_at"] == moment, (flag, row)
        else:
            assert row[flag] is False, (flag, row)
            assert row[f"{flag}_at"] is None, (flag, row)


def set_flags(row: Json) -> set[str]:
    return {flag for flag in FLAGS if row[flag]}


def expected_counters(rows: list[Json]) -> Json:
    """A broadcast's counters as its rows imply them."""
    counters: Json = {name: sum(1 for r in rows if r[flag]) for flag, name in
                      FLAG_COUNTERS.items()}
    counters["recipients_count"] = len(rows)
    counters["contacts_count"] = len({r["contact"]["id"] for r in rows})
    return counters


def assert_counters_agree(broadcast: Json, rows: list[Json]) -> None:
    expected = expected_counters(rows)
    assert {name: broadcast[name] for name in expected} == expected


def assert_envelope(response: httpx.Response, status: int) -> Json:
    """The documented error envelope with `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert ENVELOPE_KEYS <= set(body) <= ENVELOPE_KEYS | {"details"}, body
    assert body["statusCode"] == status
    assert body["error"] == HTTPStatus(status).phrase
    assert isinstance(body["message"], str) and body["message"]
    return body


@dataclass(frozen=True, slots=True)
class Call:
    """One webhook request as the receiver saw it."""

    headers: dict[str, str]
    body: bytes


class Receiver:
    """A webhook endpoint on pytest-httpserver that records each request and answers the given
    statuses in turn (200 once they run out)."""

    def __init__(self, server: HTTPServer, path: str = "/hooks",
                 statuses: Iterable[int] = (), hold_first: bool = False) -> None:
        self.url = server.url_for(path)
        self._calls: list[Call] = []
        self._statuses = deque(statuses)
        self._lock = threading.Lock()
        # With hold_first, the first request is answered only once release() is called.
        self._gate = threading.Event()
        if not hold_first:
            self._gate.set()
        server.expect_request(path, method="POST").respond_with_handler(self._handle)

    def release(self) -> None:
        self._gate.set()

    def _handle(self, request: Request) -> Response:
        with self._lock:
            self._calls.append(Call({k.lower(): v for k, v in request.headers.items()},
                                    request.get_data()))
            status = self._statuses.popleft() if self._statuses else 200
        self._gate.wait(timeout=10)
        return Response("{}", status=status, content_type="application/json")

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)
